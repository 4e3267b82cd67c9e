//! Keeping the networks safe: why a post is reported, which posts wait for a
//! moderator, how often a member may post, and what moderators see and did.

use chrono::{Duration, NaiveDateTime};

use super::ids::{EventId, MemberId, NoticeId, PostId, ThreadId};
use super::networks::Author;
use super::text::{self, FieldErrors};

/// Why a member reports a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportReason {
    Abusive,
    /// Someone may be at risk, or the post puts someone at risk.
    Unsafe,
    Spam,
    /// It shares someone's private details.
    Private,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::Abusive,
        ReportReason::Unsafe,
        ReportReason::Spam,
        ReportReason::Private,
        ReportReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportReason::Abusive => "abusive",
            ReportReason::Unsafe => "unsafe",
            ReportReason::Spam => "spam",
            ReportReason::Private => "private",
            ReportReason::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ReportReason::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportReason::Abusive => "It is abusive, hateful or bullying",
            ReportReason::Unsafe => "Someone may be at risk of harm",
            ReportReason::Spam => "It is advertising or spam",
            ReportReason::Private => "It shares someone's private details",
            ReportReason::Other => "Something else",
        }
    }
}

/// A report as sent: the reason's code and the words with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportForm {
    pub reason: String,
    pub details: String,
}

impl ReportForm {
    /// The reason and details (required for "something else"), or the problems.
    pub fn check(&self) -> Result<(ReportReason, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = ReportReason::from_code(&self.reason);
        if reason.is_none() {
            errors.add("reason", "Choose why you are reporting it");
        }
        let details =
            errors.take("details", text::optional_text(&self.details, "what you want to tell us", 2_000));
        match (reason, details) {
            (Some(ReportReason::Other), Some(None)) => {
                errors.add("details", "Say what is wrong with this post");
                Err(errors)
            }
            (Some(reason), Some(details)) if errors.is_empty() => Ok((reason, details.unwrap_or_default())),
            _ => Err(errors),
        }
    }
}

/// A moderator's reason for what they do: required, one to a few lines.
pub fn reason(value: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    match errors.take("reason", text::optional_text(value, "the reason", 1_000)) {
        Some(Some(reason)) => Ok(reason),
        Some(None) => {
            errors.add("reason", "Say why: it is kept in the moderation log");
            Err(errors)
        }
        None => Err(errors),
    }
}

/// What a member's next post may do, from who they are and where they post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostingRights {
    /// Why they may not post here, if they are suspended.
    pub suspended: Option<String>,
    /// Whether a moderator has approved one of their posts (or they are staff).
    pub trusted: bool,
    /// Whether this network holds a new member's first posts.
    pub approve_first_posts: bool,
    /// Their posts in the last `RATE_WINDOW`.
    pub recent_posts: i64,
}

/// How long the posts counted for the rate limit go back.
pub const RATE_WINDOW: Duration = Duration::minutes(10);
/// Posts in `RATE_WINDOW` a new member may make, and a trusted one.
pub const NEW_MEMBER_POSTS: i64 = 5;
pub const TRUSTED_POSTS: i64 = 30;

/// Whether a post may be made, and if so whether it waits for a moderator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Posting {
    /// Shown at once.
    Shown,
    /// Kept, and shown once a moderator approves it.
    Held,
}

/// Why a post may not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotPosted {
    Suspended(String),
    /// Too many posts lately: wait this long.
    TooMany(Duration),
}

impl PostingRights {
    /// Whether `body` may be posted now, shown or held.
    pub fn decide(&self, body: &str) -> Result<Posting, NotPosted> {
        if let Some(why) = &self.suspended {
            return Err(NotPosted::Suspended(why.clone()));
        }
        let most = if self.trusted { TRUSTED_POSTS } else { NEW_MEMBER_POSTS };
        if self.recent_posts >= most {
            return Err(NotPosted::TooMany(RATE_WINDOW));
        }
        let held = !self.trusted && (self.approve_first_posts || super::markdown::has_links(body));
        Ok(if held { Posting::Held } else { Posting::Shown })
    }
}

/// A post as a moderator sees it: where it is, who wrote it, what it says,
/// its state and the reports against it.
#[derive(Clone, Debug, PartialEq)]
pub struct ModerationItem {
    pub post: PostId,
    pub thread: ThreadId,
    pub thread_title: String,
    pub thread_locked: bool,
    pub network_slug: String,
    pub network_name: String,
    pub author: Author,
    pub body: super::markdown::PostHtml,
    pub posted_at: NaiveDateTime,
    pub opening: bool,
    pub held: bool,
    pub hidden: bool,
    pub reports: Vec<ReportView>,
}

/// An event or a notice, as members report it and moderators act on it
/// (posts have their own queue, with more to do to them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reported {
    Event(EventId),
    Notice(NoticeId),
}

impl Reported {
    /// Where a member reports it.
    pub fn report_path(self) -> String {
        match self {
            Reported::Event(id) => format!("/events/{id}/report"),
            Reported::Notice(id) => format!("/notices/{id}/report"),
        }
    }

    /// Where a moderator acts on it.
    pub fn moderation_path(self) -> String {
        match self {
            Reported::Event(id) => format!("/staff/moderation/events/{id}"),
            Reported::Notice(id) => format!("/staff/moderation/notices/{id}"),
        }
    }

    /// Its id as an event's or a notice's: one is given.
    pub fn ids(self) -> (Option<EventId>, Option<NoticeId>) {
        match self {
            Reported::Event(id) => (Some(id), None),
            Reported::Notice(id) => (None, Some(id)),
        }
    }

    /// A key naming it on a page: "event-…", "notice-…".
    pub fn key(self) -> String {
        match self {
            Reported::Event(id) => format!("event-{id}"),
            Reported::Notice(id) => format!("notice-{id}"),
        }
    }

    /// "an event", "a notice".
    pub fn one(self) -> &'static str {
        match self {
            Reported::Event(_) => "an event",
            Reported::Notice(_) => "a notice",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Reported::Event(_) => "event",
            Reported::Notice(_) => "notice",
        }
    }
}

/// An event or notice as the report form and the queue show it: what it
/// is called, its words, who posted it and the page it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportedView {
    pub item: Reported,
    pub title: String,
    pub text: String,
    pub author: Author,
    pub posted_at: NaiveDateTime,
    /// The page it is shown on.
    pub page: String,
    pub hidden: bool,
    /// Its open reports (for the queue).
    pub reports: Vec<ReportView>,
}

/// What a moderator does to a reported event or notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemAction {
    Hide,
    Restore,
    /// Leave it as it is and close its reports.
    Dismiss,
}

impl ItemAction {
    pub fn from_code(code: &str) -> Option<ItemAction> {
        match code {
            "hide" => Some(ItemAction::Hide),
            "restore" => Some(ItemAction::Restore),
            "dismiss" => Some(ItemAction::Dismiss),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ItemAction::Hide => "hide",
            ItemAction::Restore => "restore",
            ItemAction::Dismiss => "dismiss",
        }
    }
}

/// One open report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportView {
    pub id: String,
    pub reason: String,
    pub details: String,
    pub by: String,
    pub at: NaiveDateTime,
}

/// A suspension in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspensionView {
    pub id: String,
    pub member: MemberId,
    pub member_name: String,
    /// The network's name, or `None` for everywhere.
    pub network: Option<String>,
    pub reason: String,
    pub by: String,
    pub at: NaiveDateTime,
}

/// A line of the moderation log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub at: NaiveDateTime,
    pub moderator: String,
    pub action: String,
    /// What it was done to, in words, with its page if it has one.
    pub what: String,
    pub link: Option<String>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rights(trusted: bool, approve_first_posts: bool) -> PostingRights {
        PostingRights { suspended: None, trusted, approve_first_posts, recent_posts: 0 }
    }

    #[test]
    fn a_new_members_posts_wait_where_the_network_asks_and_their_links_wait_everywhere() {
        assert_eq!(rights(false, true).decide("Hello"), Ok(Posting::Held));
        assert_eq!(rights(false, false).decide("Hello"), Ok(Posting::Shown));
        assert_eq!(rights(false, false).decide("See www.example.org"), Ok(Posting::Held));
        assert_eq!(rights(true, true).decide("See www.example.org"), Ok(Posting::Shown));
    }

    #[test]
    fn a_suspended_member_or_one_posting_too_fast_may_not_post() {
        let suspended = PostingRights { suspended: Some(String::from("Abuse")), ..rights(true, false) };
        assert_eq!(suspended.decide("Hi"), Err(NotPosted::Suspended(String::from("Abuse"))));
        let busy = PostingRights { recent_posts: NEW_MEMBER_POSTS, ..rights(false, false) };
        assert_eq!(busy.decide("Hi"), Err(NotPosted::TooMany(RATE_WINDOW)));
        let trusted = PostingRights { recent_posts: NEW_MEMBER_POSTS, ..rights(true, false) };
        assert_eq!(trusted.decide("Hi"), Ok(Posting::Shown));
    }

    #[test]
    fn a_report_needs_a_reason_and_something_else_needs_words() {
        let form =
            |reason: &str, details: &str| ReportForm { reason: reason.into(), details: details.into() };
        assert!(form("", "").check().unwrap_err().get("reason").is_some());
        assert!(form("other", " ").check().unwrap_err().get("details").is_some());
        assert_eq!(form("spam", "").check(), Ok((ReportReason::Spam, String::new())));
        assert!(reason("  ").is_err());
    }
}
