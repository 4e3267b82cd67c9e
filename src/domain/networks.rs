//! Neighbourhood networks: the networks, their members, and the threads and
//! replies members post. What each page shows, the forms members send and
//! the checks on them, and the rules of who may do what.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDateTime};

use super::ids::{MemberId, NeedId, NetworkId, OrganisationId, PostId, ServiceId, ThreadId, UserId};
use super::markdown::PostHtml;
use super::text::{self, FieldErrors};

/// How long after posting its author may still change a post.
pub const EDIT_WINDOW: Duration = Duration::hours(1);
/// The longest post kept, in characters: a long letter, not a book.
pub const MAX_POST: usize = 20_000;
/// The longest thread title.
pub const MAX_TITLE: usize = 120;
/// The longest display name.
pub const MAX_NAME: usize = 40;
/// Replies on one page of a thread.
pub const REPLIES_PER_PAGE: usize = 50;
/// Threads on one page of a network.
pub const THREADS_PER_PAGE: usize = 30;

/// A network as its page and the list of networks show it.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkView {
    pub id: NetworkId,
    pub slug: String,
    pub name: String,
    pub about: String,
    /// The neighbourhood whose network this is (its slug), if it is one.
    pub neighbourhood: Option<String>,
    pub neighbourhood_id: Option<super::ids::NeighbourhoodId>,
    pub threads: i64,
    pub followers: i64,
}

/// A network's page: the network, a page of its threads, and what the
/// person looking may do there.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkPage {
    pub network: NetworkView,
    pub threads: Vec<ThreadSummary>,
    /// This page (from 1) and how many there are.
    pub page: usize,
    pub pages: usize,
    /// Whether the person looking follows it (never, when not signed in).
    pub following: bool,
    /// Its next few events.
    pub events: Vec<super::events::EventView>,
}

/// A need that may be chosen as a thread's tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedChoice {
    pub id: NeedId,
    pub label: String,
}

/// A signed-in member, as the pages and the use cases know them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub display_name: String,
    /// Their address: their own, or their staff account's.
    pub email: String,
    /// Their staff account, when they are staff.
    pub staff: Option<UserId>,
    pub has_password: bool,
}

/// Who wrote a post, as readers see it: never their address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub id: MemberId,
    /// Their display name, or "A former member" once they have left.
    pub name: String,
    /// A member of staff's role ("Community connector").
    pub role: Option<String>,
    /// The organisations they speak for (agreed by an editor or a connector).
    pub speaks_for: Vec<String>,
}

impl Author {
    /// The name readers see for a member who deleted their account.
    pub const FORMER: &'static str = "A former member";

    /// A member who has left, or is not known.
    pub fn former(id: MemberId) -> Author {
        Author { id, name: String::from(Author::FORMER), role: None, speaks_for: Vec::new() }
    }
}

/// Where a member's ask to speak for an organisation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speaking {
    Asked,
    Agreed,
    Refused,
}

impl Speaking {
    pub fn of(agreed: bool, refused: bool) -> Speaking {
        match (agreed, refused) {
            (true, _) => Speaking::Agreed,
            (_, true) => Speaking::Refused,
            _ => Speaking::Asked,
        }
    }
}

/// A member's ask to speak for an organisation, or their agreed speaking,
/// as staff see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpeakerView {
    pub id: String,
    pub member: MemberId,
    pub member_name: String,
    pub organisation: super::ids::OrganisationId,
    pub organisation_name: String,
    pub asked_at: NaiveDateTime,
    pub agreed: bool,
}

/// A thread in a list: its network's, the neighbourhood page, a service's.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadSummary {
    pub id: ThreadId,
    pub title: String,
    pub network_slug: String,
    pub network_name: String,
    pub author: Author,
    pub started_at: NaiveDateTime,
    pub last_posted_at: NaiveDateTime,
    pub replies: i64,
    /// The opening post's first words.
    pub excerpt: String,
    /// Whether readers see it: its opening post is neither held nor hidden.
    pub visible: bool,
    /// A locked thread takes no more replies.
    pub locked: bool,
    /// Where it can be read at its source, for a thread read from one.
    pub link: Option<String>,
}

/// One post, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct PostView {
    pub id: PostId,
    pub author: Author,
    pub body: PostHtml,
    pub posted_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    /// Whether the person looking may change it now.
    pub editable: bool,
    /// Whether the person looking may report it (a member, not its author).
    pub reportable: bool,
    /// What only its author is told: it waits for a moderator, or was hidden.
    pub note: Option<&'static str>,
}

/// A listing a thread names, shown as a small card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedListing {
    /// `/services/…` or `/organisations/…`.
    pub path: String,
    pub name: String,
    /// Who runs it, for a service.
    pub by: Option<String>,
}

/// Everything a thread's page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadPage {
    pub summary: ThreadSummary,
    pub opening: PostView,
    /// This page's replies, oldest first.
    pub replies: Vec<PostView>,
    /// This page (from 1) and how many there are.
    pub page: usize,
    pub pages: usize,
    pub named: Vec<NamedListing>,
    pub needs: Vec<super::views::NeedLabel>,
    /// Whether the person looking is signed in as a member, and may reply
    /// (nobody may, once a thread is locked).
    pub may_reply: bool,
    /// Whether the person looking moderates this thread's network.
    pub moderator: bool,
    /// Whether the person looking follows it (hears of its replies by email).
    pub following: bool,
}

/// A post as the store keeps it, before it is made safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPost {
    pub id: PostId,
    pub author: Author,
    pub body: String,
    /// Whether `body` is HTML read from a source, not Markdown a member typed.
    pub html: bool,
    pub posted_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    /// Waiting for a moderator's approval.
    pub held: bool,
    /// Hidden by a moderator.
    pub hidden: bool,
}

impl StoredPost {
    /// Ready to show to `viewer` at `now`.
    pub fn view(self, viewer: Option<&Member>, now: NaiveDateTime) -> PostView {
        let editable = viewer.is_some_and(|m| may_edit(m.id, &self, now)) && !self.hidden;
        let reportable = viewer.is_some_and(|m| m.id != self.author.id);
        let note = if self.hidden {
            Some("A moderator has hidden this post: only you can see it.")
        } else if self.held {
            Some("Waiting for a moderator: only you can see it until it is approved.")
        } else {
            None
        };
        PostView {
            id: self.id,
            reportable,
            note,
            body: super::markdown::render_post(&self.body, self.html),
            author: self.author,
            posted_at: self.posted_at,
            edited_at: self.edited_at,
            editable,
        }
    }
}

/// Whether `member` may change `post` at `now`: their own, within the window.
pub fn may_edit(member: MemberId, post: &StoredPost, now: NaiveDateTime) -> bool {
    post.author.id == member && now - post.posted_at <= EDIT_WINDOW
}

/// Why a one-time link was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// To confirm the address given when joining.
    Confirm,
    /// To sign in without a password.
    SignIn,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Confirm => "confirm",
            LinkPurpose::SignIn => "sign_in",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [LinkPurpose::Confirm, LinkPurpose::SignIn].into_iter().find(|p| p.code() == code)
    }
}

/// Joining: the address, the name shown, and a password if they want one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoinForm {
    pub email: String,
    pub display_name: String,
}

/// A joining form that checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joining {
    /// Lower case.
    pub email: String,
    pub display_name: String,
}

impl JoinForm {
    pub fn check(&self) -> Result<Joining, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = match text::email(&self.email) {
            Ok(Some(email)) => Some(email.to_lowercase()),
            Ok(None) => {
                errors.add("email", "Enter your email address");
                None
            }
            Err(message) => {
                errors.add("email", message);
                None
            }
        };
        let display_name = errors.take("display_name", display_name(&self.display_name));
        match (email, display_name) {
            (Some(email), Some(display_name)) if errors.is_empty() => Ok(Joining { email, display_name }),
            _ => Err(errors),
        }
    }
}

/// A display name: one line, 2 to `MAX_NAME` characters, and not an email
/// address (an address is never shown).
pub fn display_name(value: &str) -> Result<String, String> {
    let name = text::required_line(value, "the name to show on your posts")?;
    let length = name.chars().count();
    if length < 2 {
        return Err(String::from("The name to show must be at least 2 characters"));
    }
    if length > MAX_NAME {
        return Err(format!("The name to show must be {MAX_NAME} characters or fewer"));
    }
    if name.contains('@') {
        return Err(String::from("The name to show must not be an email address: it is shown to everyone"));
    }
    Ok(name)
}

/// A new thread as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadForm {
    pub title: String,
    pub body: String,
    /// Needs ticked as tags.
    pub needs: Vec<String>,
    /// A listing the thread was started from ("Start a conversation about this").
    pub about: Option<String>,
}

/// A new thread that checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewThread {
    pub title: String,
    pub body: String,
    pub needs: Vec<NeedId>,
    pub services: Vec<ServiceId>,
    pub organisations: Vec<OrganisationId>,
}

impl ThreadForm {
    /// Checks the form; `needs` are those that may be chosen.
    pub fn check(&self, needs: &[NeedId]) -> Result<NewThread, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.take("title", title(&self.title));
        let body = errors.take("body", post_body(&self.body));
        let mut chosen = Vec::new();
        for need in &self.needs {
            match need.parse::<NeedId>() {
                Ok(id) if needs.contains(&id) => chosen.push(id),
                _ => errors.add("needs", "Choose from the kinds of help listed"),
            }
        }
        match (title, body) {
            (Some(title), Some(body)) if errors.is_empty() => {
                let mut named = named_listings(&body);
                if let Some(about) = &self.about {
                    named.extend(named_listings(about));
                }
                let (services, organisations) = named.split();
                Ok(NewThread { title, body, needs: chosen, services, organisations })
            }
            _ => Err(errors),
        }
    }
}

fn title(value: &str) -> Result<String, String> {
    let title = text::required_line(value, "a title")?;
    if title.chars().count() > MAX_TITLE {
        return Err(format!("The title must be {MAX_TITLE} characters or fewer"));
    }
    Ok(title)
}

/// A post's text: normalised, not empty, not too long.
pub fn post_body(value: &str) -> Result<String, String> {
    let length = value.chars().count();
    if length > MAX_POST {
        return Err(format!(
            "Your post is {} characters long; a post must be {} or fewer. Split it into a post and replies, or link to a longer document",
            text::thousands(u32::try_from(length).unwrap_or(u32::MAX)),
            text::thousands(u32::try_from(MAX_POST).unwrap_or(u32::MAX))
        ));
    }
    match text::optional_text(value, "your post", MAX_POST)? {
        Some(body) => Ok(body),
        None => Err(String::from("Write your post")),
    }
}

/// The listings a text names by their addresses on this site.
#[derive(Default)]
struct Named(BTreeSet<(bool, String)>);

impl Named {
    fn extend(&mut self, more: Named) {
        self.0.extend(more.0);
    }

    fn split(self) -> (Vec<ServiceId>, Vec<OrganisationId>) {
        let mut services = Vec::new();
        let mut organisations = Vec::new();
        for (is_service, id) in self.0 {
            match is_service {
                true => services.extend(id.parse::<ServiceId>().ok()),
                false => organisations.extend(id.parse::<OrganisationId>().ok()),
            }
        }
        (services, organisations)
    }
}

/// Every `/services/{id}` and `/organisations/{id}` in `text`, written whole
/// or as a path: a post names a listing by linking to it.
fn named_listings(text: &str) -> Named {
    let mut named = Named::default();
    for (kind, is_service) in [("/services/", true), ("/organisations/", false)] {
        let mut rest = text;
        while let Some(at) = rest.find(kind) {
            rest = &rest[at + kind.len()..];
            let id: String = rest.chars().take(36).collect();
            if id.len() == 36 && id.parse::<ServiceId>().is_ok() {
                named.0.insert((is_service, id));
            }
        }
    }
    named
}

/// The services a text names by their addresses on this site.
pub fn services_named(text: &str) -> Vec<ServiceId> {
    named_listings(text).split().0
}

/// A reply, or a post changed.
pub fn check_reply(body: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    match errors.take("body", post_body(body)) {
        Some(body) => Ok(body),
        None => Err(errors),
    }
}

/// The longest notice: a notice is short.
pub const MAX_NOTICE: usize = 280;

/// A notice as a service's page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeView {
    pub id: super::ids::NoticeId,
    pub author: Author,
    pub body: String,
    pub capacity: Option<super::directory::Capacity>,
    pub posted_at: NaiveDateTime,
}

/// A notice as typed: its words, and whether it says the service is taking
/// new people ("" when it does not say).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeForm {
    pub body: String,
    pub capacity: String,
}

impl NoticeForm {
    pub fn check(&self) -> Result<(String, Option<super::directory::Capacity>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let body = match text::optional_text(&self.body, "the notice", MAX_NOTICE) {
            Ok(Some(body)) => Some(body),
            Ok(None) => {
                errors.add("body", "Write the notice");
                None
            }
            Err(message) => {
                errors.add("body", message);
                None
            }
        };
        let capacity = match self.capacity.as_str() {
            "" => None,
            code => {
                let found = super::directory::Capacity::from_code(code);
                if found.is_none() {
                    errors.add("capacity", "Choose from the list");
                }
                found
            }
        };
        match body {
            Some(body) if errors.is_empty() => Ok((body, capacity)),
            _ => Err(errors),
        }
    }
}

/// At most one email about new posts to a member in this long.
pub const NOTIFY_EVERY: Duration = Duration::minutes(30);

/// A new post a member is told about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifiedPost {
    pub post: PostId,
    pub thread: ThreadId,
    pub thread_title: String,
    pub network_name: String,
    pub author: String,
    pub excerpt: String,
    pub posted_at: NaiveDateTime,
}

/// The signed token in a member's one-click unsubscribe link: their id and
/// a keyed hash of it, so that nobody can make one for someone else and
/// nothing needs keeping.
pub fn unsubscribe_token(key: &[u8], member: MemberId) -> String {
    format!("{member}.{}", unsubscribe_mac(key, member))
}

/// The member an unsubscribe token is for, if it is genuine.
pub fn unsubscribe_member(key: &[u8], token: &str) -> Option<MemberId> {
    let (id, mac) = token.split_once('.')?;
    let member: MemberId = id.parse().ok()?;
    super::accounts::same_secret(unsubscribe_mac(key, member).as_bytes(), mac.as_bytes()).then_some(member)
}

fn unsubscribe_mac(key: &[u8], member: MemberId) -> String {
    let mut mac = super::accounts::keyed_hash(key, &["doorstep unsubscribe", &member.to_string()]);
    mac.truncate(32);
    mac
}

/// A place-based network as an administrator or connector makes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkForm {
    pub name: String,
    pub about: String,
}

/// A checked network: its name and what it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNetwork {
    pub name: String,
    pub about: String,
}

impl NetworkForm {
    pub fn check(&self) -> Result<NewNetwork, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take("name", text::required_line(&self.name, "the network's name"));
        let about = errors.take("about", text::optional_text(&self.about, "what the network is for", 1_000));
        match (name, about) {
            (Some(name), Some(Some(about))) if errors.is_empty() => Ok(NewNetwork { name, about }),
            (_, Some(None)) => {
                errors.add("about", "Say who the network is for and what it talks about");
                Err(errors)
            }
            _ => Err(errors),
        }
    }
}

/// A neighbourhood's network: named after it, and about it.
pub fn neighbourhood_network(name: &str) -> NewNetwork {
    NewNetwork {
        name: name.to_string(),
        about: format!(
            "Residents, groups and agencies in {name}: what is happening, help asked for and help offered."
        ),
    }
}

/// How many pages `items` fill at `per_page` a page: at least one.
pub fn pages_for(items: i64, per_page: usize) -> usize {
    usize::try_from(items).unwrap_or(0).div_ceil(per_page).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_name_is_short_and_never_an_address() {
        assert_eq!(display_name("  Sam  "), Ok(String::from("Sam")));
        assert!(display_name("S").is_err());
        assert!(display_name("sam@example.org").is_err());
        assert!(display_name(&"x".repeat(41)).is_err());
    }

    #[test]
    fn joining_keeps_the_address_in_lower_case() {
        let form = JoinForm { email: String::from(" Sam@Example.ORG "), display_name: String::from("Sam") };
        assert_eq!(form.check().map(|j| j.email), Ok(String::from("sam@example.org")));
        let empty = JoinForm::default().check().unwrap_err();
        assert!(empty.get("email").is_some() && empty.get("display_name").is_some());
    }

    #[test]
    fn a_post_too_long_says_how_long_it_is() {
        let error = post_body(&"a".repeat(1_000_000)).unwrap_err();
        assert!(error.contains("1,000,000 characters"), "{error}");
        assert_eq!(post_body("   "), Err(String::from("Write your post")));
    }

    #[test]
    fn a_thread_names_the_listings_it_links_to() {
        let service = ServiceId::new();
        let organisation = OrganisationId::new();
        let form = ThreadForm {
            title: String::from("Lunch club"),
            body: format!(
                "See https://doorstep.example/services/{service} run by [them](/organisations/{organisation}) and /services/not-an-id"
            ),
            ..ThreadForm::default()
        };
        let thread = form.check(&[]).unwrap();
        assert_eq!(thread.services, vec![service]);
        assert_eq!(thread.organisations, vec![organisation]);
    }

    #[test]
    fn only_listed_needs_may_be_tags() {
        let need = NeedId::from_slug("loneliness");
        let mut form = ThreadForm {
            title: String::from("Hello"),
            body: String::from("Hi"),
            needs: vec![need.to_string()],
            about: None,
        };
        assert_eq!(form.check(&[need]).unwrap().needs, vec![need]);
        form.needs.push(NeedId::new().to_string());
        assert!(form.check(&[need]).unwrap_err().get("needs").is_some());
    }

    #[test]
    fn a_post_may_be_changed_by_its_author_within_the_window() {
        let author = MemberId::new();
        let posted_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(10, 0, 0).unwrap();
        let post = StoredPost {
            id: PostId::new(),
            author: Author { id: author, name: String::from("Sam"), role: None, speaks_for: Vec::new() },
            body: String::from("Hi"),
            html: false,
            posted_at,
            edited_at: None,
            held: false,
            hidden: false,
        };
        assert!(may_edit(author, &post, posted_at + Duration::minutes(59)));
        assert!(!may_edit(author, &post, posted_at + Duration::minutes(61)));
        assert!(!may_edit(MemberId::new(), &post, posted_at));
    }

    #[test]
    fn an_unsubscribe_token_is_good_only_for_its_member_and_key() {
        let (key, member) = (b"a key of the site".as_slice(), MemberId::new());
        let token = unsubscribe_token(key, member);
        assert_eq!(unsubscribe_member(key, &token), Some(member));
        assert_eq!(unsubscribe_member(b"another key", &token), None);
        let other = MemberId::new();
        let forged = format!("{other}{}", &token[36..]);
        assert_eq!(unsubscribe_member(key, &forged), None);
        assert_eq!(unsubscribe_member(key, "nonsense"), None);
    }

    #[test]
    fn a_thread_has_at_least_one_page() {
        assert_eq!(pages_for(0, REPLIES_PER_PAGE), 1);
        assert_eq!(pages_for(50, REPLIES_PER_PAGE), 1);
        assert_eq!(pages_for(51, REPLIES_PER_PAGE), 2);
        assert_eq!(pages_for(500, REPLIES_PER_PAGE), 10);
    }
}
