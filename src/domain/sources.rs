//! Sources: activity a network follows from elsewhere (a blog's RSS or
//! Atom feed, a calendar, a Discourse category or tag), what is read from
//! them, how often they are read, and how a source is shown on its status page.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::ids::{NetworkId, SourceId};
use super::text::{self, FieldErrors};

/// How often a source that reads well is read again.
pub const READ_EVERY: Duration = Duration::hours(1);
/// The wait after a first failure; it doubles with each failure after it.
pub const FIRST_RETRY: Duration = Duration::minutes(15);
/// The longest wait after failures.
pub const LONGEST_RETRY: Duration = Duration::hours(24);
/// How far ahead a calendar's repeating events are shown.
pub const CALENDAR_WEEKS: i64 = 8;
/// The most times one calendar event may happen in `CALENDAR_WEEKS`: more
/// is a rule gone wrong (every minute, say), not a community event.
pub const MOST_OCCURRENCES: usize = 120;
/// The most items kept from one reading of a source: the newest.
pub const MOST_ITEMS: usize = 200;

/// What kind of thing a source is, which says how it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// An RSS or Atom feed of posts.
    Feed,
    /// An iCalendar feed of events.
    Calendar,
    /// A Discourse forum's category or tag, as its public JSON.
    Discourse,
}

impl SourceKind {
    pub const ALL: [SourceKind; 3] = [SourceKind::Feed, SourceKind::Calendar, SourceKind::Discourse];

    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Calendar => "calendar",
            SourceKind::Discourse => "discourse",
        }
    }

    pub fn from_code(code: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// As the form and status page name it.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Feed => "News or blog (RSS or Atom)",
            SourceKind::Calendar => "Calendar (iCalendar)",
            SourceKind::Discourse => "Discourse forum (a category or tag)",
        }
    }
}

/// A post read from a source: a blog post, a news item, a forum topic.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchedPost {
    /// What the source calls it, unique within the source.
    pub key: String,
    pub title: String,
    /// Where it can be read at the source.
    pub link: Option<String>,
    /// Its words as the source sent them, as HTML (made safe when shown).
    pub html: String,
    pub published: DateTime<Utc>,
    /// When it last changed at the source.
    pub updated: DateTime<Utc>,
    /// A fingerprint of what it says: a change to it is a change to the post.
    pub version: String,
}

/// One time an event read from a calendar happens.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchedEvent {
    /// The event's UID and this time's start, unique within the source.
    pub key: String,
    pub title: String,
    pub description: String,
    pub link: Option<String>,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// Where, as the calendar says it.
    pub location: String,
    /// A fingerprint of what it says: a change to it is a change to the event.
    pub version: String,
}

impl FetchedEvent {
    /// Its fingerprint, from all it says.
    pub fn fingerprint(&self) -> String {
        let (starts, ends) = (self.starts.to_rfc3339(), self.ends.to_rfc3339());
        let link = self.link.as_deref().unwrap_or("");
        fingerprint(&[&self.title, &self.description, link, &starts, &ends, &self.location])
    }
}

/// A fingerprint of some words, to tell when they change.
pub fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A source as its status page and the network's list of sources show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceView {
    pub id: SourceId,
    pub network: NetworkId,
    pub network_slug: String,
    pub network_name: String,
    pub kind: SourceKind,
    pub name: String,
    pub url: String,
    pub added_at: NaiveDateTime,
    pub last_read_at: Option<NaiveDateTime>,
    pub last_good_at: Option<NaiveDateTime>,
    /// Why the last reading failed; none when it went well.
    pub last_error: Option<String>,
    /// Readings that failed in a row.
    pub failures: i32,
    pub next_read_at: NaiveDateTime,
    /// What it holds here now.
    pub items: i32,
}

impl SourceView {
    /// Whether its last reading failed.
    pub fn failing(&self) -> bool {
        self.last_error.is_some()
    }
}

/// When a source is read next: in an hour when it read well; after
/// failures, 15 minutes, then 30, an hour … up to a day.
pub fn next_read(now: NaiveDateTime, failures: i32) -> NaiveDateTime {
    if failures <= 0 {
        return now + READ_EVERY;
    }
    let doublings = u32::try_from(failures - 1).unwrap_or(0).min(10);
    now + (FIRST_RETRY * 2_i32.pow(doublings)).min(LONGEST_RETRY)
}

/// The form to follow a source, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceForm {
    pub kind: String,
    pub name: String,
    pub url: String,
}

/// A source to follow, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSource {
    pub kind: SourceKind,
    pub name: String,
    pub url: String,
}

impl SourceForm {
    /// Checks the form; `web_address` says whether an address can be read.
    pub fn check(
        &self,
        web_address: impl Fn(&str) -> Result<String, String>,
    ) -> Result<NewSource, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SourceKind::from_code(self.kind.trim()).ok_or("Choose what kind of source it is");
        let kind = errors.take("kind", kind.map_err(String::from));
        let name = errors.take("name", text::required_line(&self.name, "a name for the source"));
        let url = self.url.trim();
        let url = errors.take(
            "url",
            if url.is_empty() {
                Err(String::from("Enter the source's web address"))
            } else {
                web_address(url)
            },
        );
        match (kind, name, url) {
            (Some(kind), Some(name), Some(url)) if errors.is_empty() => Ok(NewSource { kind, name, url }),
            _ => Err(errors),
        }
    }
}

/// A title or location to compare for duplicates: its letters and digits, in lower case.
pub fn comparable(words: &str) -> String {
    words.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_source_waits_longer_each_time_up_to_a_day() {
        let now = NaiveDateTime::default();
        assert_eq!(next_read(now, 0) - now, Duration::hours(1));
        assert_eq!(next_read(now, 1) - now, Duration::minutes(15));
        assert_eq!(next_read(now, 2) - now, Duration::minutes(30));
        assert_eq!(next_read(now, 3) - now, Duration::hours(1));
        assert_eq!(next_read(now, 9) - now, Duration::hours(24));
        assert_eq!(next_read(now, 400) - now, Duration::hours(24));
    }

    #[test]
    fn the_form_says_what_is_missing_and_keeps_what_is_right() {
        let ok = |url: &str| Ok(url.to_string());
        let form = SourceForm {
            kind: String::from("calendar"),
            name: String::from(" St Mary's "),
            url: String::new(),
        };
        let errors = form.check(ok).unwrap_err();
        assert_eq!(errors.get("url"), Some("Enter the source's web address"));
        assert!(errors.get("name").is_none() && errors.get("kind").is_none());
        let form = SourceForm { kind: String::from("fax"), ..form };
        assert!(form.check(ok).unwrap_err().get("kind").is_some());
        let form = SourceForm {
            kind: String::from("feed"),
            name: String::from("St Mary's"),
            url: String::from("https://stmarys.example/feed"),
        };
        let source = form.check(ok).unwrap();
        assert_eq!((source.kind, source.name.as_str()), (SourceKind::Feed, "St Mary's"));
        let refused = form.check(|_| Err(String::from("not a web address")));
        assert_eq!(refused.unwrap_err().get("url"), Some("not a web address"));
    }

    #[test]
    fn duplicates_are_compared_by_their_letters_and_digits() {
        assert_eq!(comparable("Coffee Morning!"), comparable("coffee  morning"));
        assert_ne!(comparable("Coffee morning"), comparable("Coffee evening"));
    }
}
