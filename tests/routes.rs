//! Who may use each route: one table, with a row for every route that
//! `web::routes` answers, saying what each of the six kinds of user gets
//! there (a visitor who is not signed in, an advisor, a connector, an
//! administrator, an organisation editor, and a member of the neighbourhood
//! networks who is not staff). The first test sends every
//! row's request through the real app as each of them and checks the answer;
//! the second fails when a route has no row.
//!
//! The rule every new route follows: its row is added here in the same
//! change, saying who may use it. Most rows name one of the groups below
//! (`EVERYONE`, `STAFF`, `SIGNPOSTERS`, `LISTING_EDITORS`, `ADMINISTRATORS`);
//! a route that fits none writes its five answers out. Which records each
//! role may touch within a route (their own contacts, their own listings) is
//! tested beside the feature: `access.rs`, `signposting.rs`, `staff_services.rs`.

use std::collections::BTreeSet;

use crate::common::{Browser, PASSWORD, Page, TestApp};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use chrono::Utc;
use doorstep::domain::accounts::StaffUser;
use doorstep::domain::accounts::random_token;
use doorstep::domain::ids::{
    ImportId, LocationId, NeighbourFeedId, OrganisationId, PostId, ProposalId, ServiceAtLocationId,
    ServiceId, SignpostContactId, ThreadId, UserId,
};
use doorstep::domain::imports::request::{ImportKind, ImportState};
use doorstep::domain::signposting::{Channel, Returning};
use doorstep::store::import_requests::{self, NewImport};
use doorstep::store::signposting::{self, NewSignpostContact};
use doorstep::store::{Conn, neighbourhoods, organisations, service_lists, services, users};

/// The six kinds of user, in the order of each row's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// Not signed in: anyone on the internet.
    Visitor,
    Advisor,
    /// A community connector.
    Connector,
    Administrator,
    /// An organisation editor, who keeps their own organisation's listings.
    Editor,
    /// A member of the neighbourhood networks, signed in by an emailed link.
    Member,
}

impl Who {
    const ALL: [Who; 6] =
        [Who::Visitor, Who::Advisor, Who::Connector, Who::Administrator, Who::Editor, Who::Member];

    /// The demo account they sign in with; a visitor has none.
    fn email(self) -> Option<&'static str> {
        match self {
            Who::Visitor | Who::Member => None,
            Who::Advisor => Some("advisor@kingsmere.example.org"),
            Who::Connector => Some("connector@kingsmere.example.org"),
            Who::Administrator => Some("admin@kingsmere.example.org"),
            Who::Editor => Some("editor@kingsmere.example.org"),
        }
    }

    /// A page they can open that has a form, to take a CSRF token from.
    fn form_page(self) -> &'static str {
        match self {
            Who::Visitor | Who::Member => "/sign-in",
            _ => "/staff",
        }
    }
}

/// What a request gets, as far as who may use the route goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Answered: the page (200), a redirect onwards that is not to sign in,
    /// or, for a form, its problems shown again (400 or 422).
    Allowed,
    /// Sent to sign in (303 to `/sign-in?next=…`): from a page, brought back
    /// to it afterwards; from a form, to the staff home.
    SignIn,
    /// Signed in, but the role may not: 403, "You cannot see this page".
    Refused,
    /// Told there is no such page (404).
    Hidden,
    /// Sent to sign in to the networks or join them (303 to
    /// `/members/sign-in?next=…`), and brought back afterwards.
    Join,
}
use Outcome::{Allowed, Hidden, Join, Refused, SignIn};

/// What each kind of user gets: visitor, advisor, connector, administrator,
/// editor, network member.
type Outcomes = [Outcome; 6];

/// Anyone, signed in or not.
const EVERYONE: Outcomes = [Allowed; 6];
/// The monitoring addresses only (`metrics_from`, by default this machine).
/// The test's browser (192.0.2.10) is not one, so whoever it is, it is told
/// there is no such page; `metrics_answer_a_monitoring_address` shows the other side.
const MONITORING_ONLY: Outcomes = [Hidden; 6];
/// Any member of staff. A network member is not staff: they are sent to the
/// staff sign-in like anyone else.
const STAFF: Outcomes = [SignIn, Allowed, Allowed, Allowed, Allowed, SignIn];
/// Those who signpost (`StaffUser::signposts`): everyone but organisation
/// editors. A contact is opened only by its own advisor, or an administrator.
const SIGNPOSTERS: Outcomes = [SignIn, Allowed, Allowed, Allowed, Refused, SignIn];
/// Those who edit listings (`StaffUser::edits_listings`): everyone but
/// advisors, each listing as `StaffUser::may_edit_listing` allows.
const LISTING_EDITORS: Outcomes = [SignIn, Refused, Allowed, Allowed, Allowed, SignIn];
/// Those who keep the directory (`StaffUser::keeps_listings`): connectors and
/// administrators. They add organisations, and archive organisations and venues.
const KEEPERS: Outcomes = [SignIn, Refused, Allowed, Allowed, Refused, SignIn];
/// Administrators only (`StaffUser::manages_neighbourhoods`).
const ADMINISTRATORS: Outcomes = [SignIn, Refused, Refused, Allowed, Refused, SignIn];
/// Those who take part in the networks: members, and staff (who are members
/// through their account). Anyone else is asked to sign in or join.
const MEMBERS: Outcomes = [Join, Allowed, Allowed, Allowed, Allowed, Allowed];
/// A post's author only (the example's post is the member's own).
const AUTHOR: Outcomes = [Join, Refused, Refused, Refused, Refused, Allowed];

/// One row of the table: a method, a route exactly as `web::routes` writes
/// it (under `/api`, with the scope's prefix), and who gets what.
struct Rule {
    method: &'static str,
    route: &'static str,
    who: Outcomes,
}

const fn get(route: &'static str, who: Outcomes) -> Rule {
    Rule { method: "GET", route, who }
}

const fn post(route: &'static str, who: Outcomes) -> Rule {
    Rule { method: "POST", route, who }
}

/// Who may use each route. The rows are sent in this order, each kind of
/// user in turn, so a row that changes something comes after those it would
/// upset: a contact is finished after its other rows, and signing out is last.
const TABLE: &[Rule] = &[
    // Feeds out, to follow without visiting: anyone.
    get("/feed.atom", EVERYONE),
    get("/calendar.ics", EVERYONE),
    get("/networks/{slug}/feed.atom", EVERYONE),
    get("/networks/{slug}/calendar.ics", EVERYONE),
    get("/neighbourhoods/{slug}/feed.atom", EVERYONE),
    get("/neighbourhoods/{slug}/calendar.ics", EVERYONE),
    get("/neighbourhoods/{slug}/listings.atom", EVERYONE),
    get("/services/{id}/feed.atom", EVERYONE),
    get("/services/{id}/calendar.ics", EVERYONE),
    // The public site, and what machines read.
    get("/", EVERYONE),
    get("/healthz", EVERYONE),
    get("/readyz", EVERYONE),
    get("/metrics", MONITORING_ONLY),
    get("/accessibility", EVERYONE),
    get("/sitemap.xml", EVERYONE),
    get("/search", EVERYONE),
    get("/api/search", EVERYONE),
    get("/api/openapi.json", EVERYONE),
    get("/openreferral", EVERYONE),
    get("/openreferral/", EVERYONE),
    get("/openreferral/services", EVERYONE),
    get("/openreferral/services/{id}", EVERYONE),
    get("/openreferral/service_at_locations", EVERYONE),
    get("/openreferral/service_at_locations/{id}", EVERYONE),
    get("/openreferral/organizations", EVERYONE),
    get("/openreferral/organizations/{id}", EVERYONE),
    get("/openreferral/taxonomies", EVERYONE),
    get("/openreferral/taxonomies/{id}", EVERYONE),
    get("/openreferral/taxonomy_terms", EVERYONE),
    get("/openreferral/taxonomy_terms/{id}", EVERYONE),
    get("/assets/{file}", EVERYONE),
    get("/needs", EVERYONE),
    get("/needs/{slug}", EVERYONE),
    // Suggestions from anyone (the empty form's problems are shown, nothing kept).
    get("/needs/{slug}/suggest", EVERYONE),
    post("/needs/{slug}/suggest", EVERYONE),
    get("/neighbourhoods", EVERYONE),
    get("/neighbourhoods/{slug}", EVERYONE),
    get("/services/{id}", EVERYONE),
    // A notice about a service: members and staff (sent empty, the form
    // shows its problems).
    get("/services/{id}/notices/new", MEMBERS),
    post("/services/{id}/notices", MEMBERS),
    get("/services/{id}/suggest", EVERYONE),
    post("/services/{id}/suggest", EVERYONE),
    get("/organisations/{id}", EVERYONE),
    post("/organisations/{id}/speak", MEMBERS),
    get("/places/{id}", EVERYONE),
    // The networks: anyone reads them; members (and staff) take part.
    get("/networks", EVERYONE),
    get("/networks/{slug}", EVERYONE),
    post("/networks/{slug}/follow", MEMBERS),
    post("/networks/{slug}/unfollow", MEMBERS),
    get("/networks/{slug}/threads/new", MEMBERS),
    // Sent empty, a thread's or a reply's form shows its problems.
    post("/networks/{slug}/threads", MEMBERS),
    // Events: anyone reads them; members (and staff) add them (sent empty,
    // the form shows its problems).
    get("/networks/{slug}/events", EVERYONE),
    get("/networks/{slug}/events/new", MEMBERS),
    post("/networks/{slug}/events", MEMBERS),
    get("/events/{id}", EVERYONE),
    get("/events/{id}/calendar.ics", EVERYONE),
    get("/threads/{id}", EVERYONE),
    post("/threads/{id}/replies", MEMBERS),
    post("/threads/{id}/follow", MEMBERS),
    post("/threads/{id}/unfollow", MEMBERS),
    get("/posts/{id}/edit", AUTHOR),
    post("/posts/{id}", AUTHOR),
    // Reporting a post (sent empty, the form shows its problems).
    get("/posts/{id}/report", MEMBERS),
    post("/posts/{id}/report", MEMBERS),
    // Reporting an event or a notice (sent empty, the form shows its problems).
    get("/events/{id}/report", MEMBERS),
    post("/events/{id}/report", MEMBERS),
    get("/notices/{id}/report", MEMBERS),
    post("/notices/{id}/report", MEMBERS),
    // Joining and signing in to the networks (sent empty, the forms show
    // their problems); the emailed link's page.
    get("/members/join", EVERYONE),
    post("/members/join", EVERYONE),
    get("/members/sign-in", EVERYONE),
    post("/members/sign-in", EVERYONE),
    get("/members/links/{token}", EVERYONE),
    // The one-click link in emails about new posts: anyone with it (a
    // member's own; the signed token is the proof, so a mail program's POST
    // needs no form).
    get("/unsubscribe/{token}", EVERYONE),
    post("/unsubscribe/{token}", EVERYONE),
    // A member's own account (staff are sent to their staff account; sent
    // empty, the form shows its problems).
    get("/members/account", MEMBERS),
    post("/members/account", MEMBERS),
    // Signing in: staff already signed in are sent on to the staff home.
    get("/sign-in", EVERYONE),
    post("/sign-in", EVERYONE),
    // Signposting at the front door, and what it learns.
    get("/signpost", SIGNPOSTERS),
    post("/signpost/contacts", SIGNPOSTERS),
    get("/signpost/contacts/{id}", SIGNPOSTERS),
    get("/signpost/contacts/{id}/shortlist", SIGNPOSTERS),
    post("/signpost/contacts/{id}/shortlist", SIGNPOSTERS),
    post("/signpost/contacts/{id}/shortlist/{service}", SIGNPOSTERS),
    post("/signpost/contacts/{id}/email", SIGNPOSTERS),
    get("/signpost/contacts/{id}/print", SIGNPOSTERS),
    post("/signpost/contacts/{id}/risk", SIGNPOSTERS),
    post("/signpost/contacts/{id}/finish", SIGNPOSTERS),
    get("/dashboard", SIGNPOSTERS),
    get("/dashboard.csv", SIGNPOSTERS),
    // The citizen's answer to the follow-up: anyone with the link.
    get("/follow-up/{token}", EVERYONE),
    post("/follow-up/{token}", EVERYONE),
    // Choosing a password through a one-time link: anyone with the link
    // (sent empty, the form shows its problems and the link stays unused).
    get("/password/{token}", EVERYONE),
    post("/password/{token}", EVERYONE),
    // An organisation answering a reminder: anyone with the link (sent
    // without a listing, it is refused as not understood: 400).
    get("/reminders/{token}", EVERYONE),
    post("/reminders/{token}", EVERYONE),
    // The staff pages.
    get("/staff", STAFF),
    // Each their own queue: a connector's neighbourhoods, an editor's organisation.
    get("/staff/review", LISTING_EDITORS),
    post("/staff/review", LISTING_EDITORS),
    get("/staff/services/new", LISTING_EDITORS),
    post("/staff/services", LISTING_EDITORS),
    get("/staff/services/{id}/edit", LISTING_EDITORS),
    post("/staff/services/{id}", LISTING_EDITORS),
    post("/staff/services/{id}/verify", LISTING_EDITORS),
    // Archiving is undone by the row after it, for each kind of user in turn.
    post("/staff/services/{id}/archive", KEEPERS),
    post("/staff/services/{id}/restore", KEEPERS),
    // Sent with nothing to merge into, it is refused as not understood (400).
    post("/staff/services/{id}/merge", KEEPERS),
    get("/staff/services/{id}/history", LISTING_EDITORS),
    // A change proposed by the editor: they see it; those who keep the
    // directory decide it (a reason is needed to reject, so that row changes
    // nothing; accepting then applies it).
    get("/staff/approvals", KEEPERS),
    get("/staff/speakers", LISTING_EDITORS),
    post("/staff/speakers/{id}", LISTING_EDITORS),
    get("/staff/approvals/{id}", LISTING_EDITORS),
    post("/staff/approvals/{id}/reject", KEEPERS),
    post("/staff/approvals/{id}/accept", KEEPERS),
    get("/staff/organisations/new", KEEPERS),
    post("/staff/organisations", KEEPERS),
    // The editor's own organisation, which those who keep the directory may change too.
    get("/staff/organisations/{id}/edit", LISTING_EDITORS),
    post("/staff/organisations/{id}", LISTING_EDITORS),
    // It runs services, so archiving it is refused (409) for those who may.
    post("/staff/organisations/{id}/archive", KEEPERS),
    post("/staff/organisations/{id}/restore", KEEPERS),
    // Sent with nothing to merge into, it is refused as not understood (400).
    post("/staff/organisations/{id}/merge", KEEPERS),
    get("/staff/organisations/{id}/history", LISTING_EDITORS),
    // An organisation editor adds and changes their own organisation's venues.
    get("/staff/venues/new", LISTING_EDITORS),
    post("/staff/venues", LISTING_EDITORS),
    get("/staff/venues/{id}/edit", LISTING_EDITORS),
    post("/staff/venues/{id}", LISTING_EDITORS),
    // Services meet there, so archiving it is refused (409) for those who may.
    post("/staff/venues/{id}/archive", KEEPERS),
    post("/staff/venues/{id}/restore", KEEPERS),
    get("/staff/venues/{id}/history", LISTING_EDITORS),
    // Staff accounts: an administrator's own, in the rows that follow (a
    // form sent empty shows its problems; disabling oneself is refused).
    get("/staff/users", ADMINISTRATORS),
    post("/staff/users", ADMINISTRATORS),
    get("/staff/users/new", ADMINISTRATORS),
    get("/staff/users/{id}/edit", ADMINISTRATORS),
    post("/staff/users/{id}", ADMINISTRATORS),
    post("/staff/users/{id}/disable", ADMINISTRATORS),
    post("/staff/users/{id}/enable", ADMINISTRATORS),
    post("/staff/users/{id}/reset", ADMINISTRATORS),
    // Everyone's own changes, password and sessions (a second session of
    // theirs is ended).
    get("/staff/users/{id}/history", STAFF),
    get("/staff/account", STAFF),
    post("/staff/account", STAFF),
    post("/staff/account/sessions/{handle}/end", STAFF),
    // Place-based networks, made by those who keep the directory (sent empty,
    // the form shows its problems).
    get("/staff/networks/new", KEEPERS),
    // Moderating: those who keep the directory, each in their networks (the
    // connector's neighbourhoods hold the example's post). Sent empty, each
    // form shows its problem and nothing is done.
    get("/staff/moderation", KEEPERS),
    get("/staff/moderation/log", KEEPERS),
    get("/staff/moderation/posts/{id}", KEEPERS),
    post("/staff/moderation/posts/{id}", KEEPERS),
    post("/staff/moderation/suspensions/{id}/lift", KEEPERS),
    post("/staff/moderation/networks/{slug}", KEEPERS),
    post("/staff/moderation/events/{id}", KEEPERS),
    post("/staff/moderation/notices/{id}", KEEPERS),
    post("/staff/networks", KEEPERS),
    // A network's sources, kept by those who moderate it (sent empty, the
    // form shows its problems; the source stopped is the example's own).
    get("/staff/networks/{slug}/sources", KEEPERS),
    post("/staff/networks/{slug}/sources", KEEPERS),
    get("/staff/sources/{id}", KEEPERS),
    post("/staff/sources/{id}/read", KEEPERS),
    post("/staff/sources/{id}/stop", KEEPERS),
    get("/staff/neighbourhoods/{slug}", ADMINISTRATORS),
    post("/staff/neighbourhoods/{slug}/name", ADMINISTRATORS),
    post("/staff/neighbourhoods/{slug}/move", ADMINISTRATORS),
    get("/staff/imports", ADMINISTRATORS),
    post("/staff/imports", ADMINISTRATORS),
    get("/staff/imports/template.csv", ADMINISTRATORS),
    get("/staff/imports/{id}", ADMINISTRATORS),
    post("/staff/imports/{id}/check", ADMINISTRATORS),
    post("/staff/imports/{id}/run", ADMINISTRATORS),
    post("/staff/neighbours", ADMINISTRATORS),
    post("/staff/neighbours/{id}/read", ADMINISTRATORS),
    // How often a digest comes (sent empty: a 400 that changes nothing).
    post("/members/account/digest", MEMBERS),
    // Leaving the networks: the member's account is deleted (staff are sent
    // to their staff account).
    post("/members/account/delete", MEMBERS),
    // Using an emailed link signs in as its member (another for each kind
    // of user); then signing out of the networks.
    post("/members/links/{token}", EVERYONE),
    post("/members/sign-out", EVERYONE),
    // Last: it ends the session the rows above were sent in.
    post("/sign-out", EVERYONE),
];

#[actix_web::test]
async fn each_kind_of_user_gets_what_the_table_says_on_every_route() {
    let app = TestApp::with_demo();
    let follow_up = follow_up_token(&app);
    let mut wrong = Vec::new();
    for who in Who::ALL {
        let example = example_for(&app, who, &follow_up);
        let mut browser = app.browser().await;
        if let Some(email) = who.email() {
            let signed_in = browser.sign_in(email, PASSWORD).await;
            assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{who:?} signs in as {email}");
        }
        if who == Who::Member {
            let link = format!("/members/links/{}", example.member_sign_in);
            let signed_in = browser.submit(&link, &link, &[]).await;
            assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "the member signs in by a link");
        }
        for rule in TABLE {
            let path = fill(rule.route, &example);
            let page = send(&mut browser, who, rule, &path, &example).await;
            if let Err(why) = check(rule, who, &path, &page) {
                wrong.push(why);
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers are not what the table says:\n{}", wrong.len(), wrong.join("\n"));
}

#[actix_web::test]
async fn metrics_answer_a_monitoring_address() {
    // Here the browser's address, 192.0.2.10, is one the figures are for.
    let app = TestApp::empty_with(|c| c.metrics_from = vec!["192.0.2.0/24".parse().unwrap()]);
    let mut browser = app.browser().await;
    let metrics = browser.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK, "a visitor at a monitoring address reads /metrics");
}

#[test]
fn every_route_is_in_the_table() {
    let answered = routes_answered();
    let in_table: BTreeSet<(String, String)> =
        TABLE.iter().map(|rule| (rule.method.to_string(), rule.route.to_string())).collect();
    assert_eq!(in_table.len(), TABLE.len(), "a route has two rows in the table of tests/routes.rs");
    let missing: Vec<_> = answered.difference(&in_table).collect();
    assert!(
        missing.is_empty(),
        "web::routes answers {missing:?}, which the table in tests/routes.rs does not have: \
         add a row for each, saying who may use it"
    );
    let gone: Vec<_> = in_table.difference(&answered).collect();
    assert!(
        gone.is_empty(),
        "the table in tests/routes.rs has rows for {gone:?}, which web::routes does not answer: \
         remove them, or correct the route as src/web/mod.rs writes it"
    );
}

/// The real records one kind of user's requests name.
struct Example {
    /// A listing they may edit, if they edit any.
    service: ServiceId,
    organisation: OrganisationId,
    /// A neighbourhood's slug, and a need's.
    neighbourhood: String,
    need: String,
    /// A contact of their own, if they signpost; else the advisor's.
    contact: SignpostContactId,
    /// The token of a follow-up's link.
    follow_up: String,
    /// A service at a public venue.
    service_at_location: ServiceAtLocationId,
    /// An import sent from the staff page (a file that could not be read).
    import: ImportId,
    /// A neighbouring area's feed followed.
    feed: NeighbourFeedId,
    /// A venue they may change, if they change any: the editor's
    /// organisation's, or one in a neighbourhood the connector looks after.
    venue: LocationId,
    /// Their own account (the advisor's for a visitor).
    user: UserId,
    /// A change to the editor's organisation that the editor proposed.
    proposal: ProposalId,
    /// A second session of theirs, by its handle on their account page.
    session: String,
    /// A one-time link to choose a password (the advisor's).
    password: String,
    /// A reminder's link, to the editor's organisation.
    reminder: String,
    /// A local entry point, whose page anyone may see.
    place: LocationId,
    /// A thread in the first neighbourhood's network, and a reply in it: the
    /// network member's own, for the others someone else's.
    thread: ThreadId,
    post: PostId,
    /// A link for the network member to sign in with.
    member_sign_in: String,
    /// An emailed link of another member's, for the link's own rows.
    member_link: String,
    /// A suspension in force, of another member from the thread's network.
    suspension: String,
    /// A member's one-click unsubscribe token.
    unsubscribe: String,
    /// An event in the thread's network, at a public venue.
    event: doorstep::domain::ids::EventId,
    /// A notice about the listing, by the event's author.
    notice: doorstep::domain::ids::NoticeId,
    /// The event's author's ask to speak for the editor's organisation.
    speaker: String,
    /// A feed the thread's network follows.
    source: doorstep::domain::ids::SourceId,
}

/// The records `who`'s requests name, with a contact started for them.
fn example_for(app: &TestApp, who: Who, follow_up: &str) -> Example {
    let mut conn = app.state.store.conn().expect("a connection");
    let editor = account(&mut conn, Who::Editor);
    let organisation = editor.organisation.expect("the demo's editor keeps one organisation's listings");
    let service = match who {
        // Theirs to edit too: a listing with no venue in any neighbourhood.
        Who::Connector => listing_in_no_neighbourhood(&mut conn),
        // The editor's own, which the others who edit listings may edit too.
        _ => {
            let view = organisations::view(&mut conn, organisation).expect("reads the organisation");
            view.services.first().expect("the editor's organisation runs a service").id
        }
    };
    // Those who signpost open their own contacts; the others try the advisor's.
    let signposter = match who {
        Who::Advisor | Who::Connector | Who::Administrator => who,
        Who::Visitor | Who::Editor | Who::Member => Who::Advisor,
    };
    let advisor = account(&mut conn, signposter).id;
    let contact = start_contact(&mut conn, advisor);
    let hoods = neighbourhoods::all(&mut conn).expect("reads the neighbourhoods");
    let neighbourhood = hoods.first().expect("the demo has neighbourhoods").slug.clone();
    let need = app.state.taxonomy.needs().next().expect("the taxonomy has needs").slug.clone();
    let service_at_location = {
        use diesel::prelude::*;
        use doorstep::store::schema::{locations, service_at_locations};
        service_at_locations::table
            .inner_join(locations::table)
            .filter(locations::confidential.eq(false))
            .select(service_at_locations::id)
            .first(&mut *conn)
            .expect("the demo has services at public venues")
    };
    let venue = venue_for(&mut conn, who, organisation);
    let user =
        account(&mut conn, if matches!(who, Who::Visitor | Who::Member) { Who::Advisor } else { who }).id;
    let proposal = propose_for(&mut conn, &editor, organisation);
    let now = Utc::now().naive_utc();
    let second = doorstep::domain::accounts::random_token();
    users::start_session(
        &mut conn,
        user,
        &second,
        Some("Another browser"),
        now,
        now + chrono::Duration::hours(1),
    )
    .expect("a second session starts");
    let session = users::token_hash(&second)[..users::SESSION_HANDLE].to_string();
    let password = doorstep::domain::accounts::random_token();
    let advisor_id = account(&mut conn, Who::Advisor).id;
    let reset = doorstep::domain::accounts::LinkPurpose::Reset;
    users::password_link(&mut conn, advisor_id, &password, reset, now).expect("a password link is made");
    let place = {
        use diesel::prelude::*;
        use doorstep::store::schema::locations;
        locations::table
            .filter(locations::entry_point.eq(true))
            .filter(locations::confidential.eq(false))
            .select(locations::id)
            .first::<LocationId>(&mut *conn)
            .expect("the demo has a local entry point")
    };
    let reminder = doorstep::domain::accounts::random_token();
    let due = doorstep::store::reminders::Due {
        organisation,
        name: String::from("The editor's organisation"),
        email: String::from("hello@example.org"),
        services: vec![(service, String::new())],
    };
    let key = format!("routes-reminder-{who:?}");
    let expires = now + chrono::Duration::days(30);
    doorstep::store::reminders::send(&mut conn, &due, &reminder, &key, b"Subject: a\r\n\r\nb", now, expires)
        .expect("a reminder is sent");
    let admin = account(&mut conn, Who::Administrator).id;
    let (import, feed, now) = (ImportId::new(), NeighbourFeedId::new(), Utc::now().naive_utc());
    let sent = NewImport {
        id: import,
        source: "list.json",
        kind: ImportKind::OpenReferral,
        upload: Some(b"{"),
        state: ImportState::Failed,
        by: admin,
        at: now,
    };
    import_requests::insert(&mut conn, &sent).expect("an import is sent");
    let url = format!("https://feeds.example/{who:?}/openreferral");
    doorstep::store::neighbours::follow(&mut conn, feed, "Elsewhere", &url, admin, now)
        .expect("a feed is followed");
    let (thread, post, member_sign_in, member_link) = network_example(&mut conn, who);
    let suspension = {
        use diesel::prelude::*;
        use doorstep::store::schema::suspensions;
        let network = doorstep::store::threads::network_of(&mut conn, thread).expect("the thread's network");
        let member = doorstep::store::members::add_confirmed(
            &mut conn,
            &format!("suspended-{who:?}@example.org"),
            "Suspended",
            now,
        )
        .expect("a member joins");
        doorstep::store::moderation::suspend(&mut conn, member, Some(network), admin, "Abuse", now)
            .expect("suspended");
        suspensions::table
            .filter(suspensions::member_id.eq(member))
            .select(suspensions::id)
            .first::<String>(&mut *conn)
            .expect("the suspension")
    };
    let unsubscribe = {
        let member = doorstep::store::members::add_confirmed(
            &mut conn,
            &format!("emailed-{who:?}@example.org"),
            "Emailed",
            now,
        )
        .expect("a member joins");
        doorstep::domain::networks::unsubscribe_token(&app.state.cookie_key, member)
    };
    let (event, notice) = {
        use doorstep::domain::events::{EventPlace, NewEvent};
        let network = doorstep::store::threads::network_of(&mut conn, thread).expect("the thread's network");
        let author = doorstep::store::members::add_confirmed(
            &mut conn,
            &format!("events-{who:?}@example.org"),
            "Events",
            now,
        )
        .expect("a member joins");
        let starts = (now + chrono::Duration::days(7)).date().and_hms_opt(10, 0, 0).expect("a time");
        let new = NewEvent {
            title: format!("Event for {who:?}"),
            description: String::from("Tea"),
            starts,
            ends: starts + chrono::Duration::hours(2),
            repeat: None,
            place: EventPlace::Venue(place),
            free: true,
            cost: None,
            access: None,
            who_for: None,
            services: vec![],
        };
        let placed = doorstep::store::events::venue_place(&mut conn, place).expect("a public venue");
        let span = (starts, starts + chrono::Duration::hours(2));
        let event = doorstep::store::events::insert(&mut conn, (network, author), &new, span, &placed, now)
            .expect("an event");
        let notice =
            doorstep::store::notices::insert(&mut conn, service, author, ("Moves to Thursdays", None), now)
                .expect("a notice");
        doorstep::store::speakers::ask(&mut conn, author, organisation, now).expect("asks to speak");
        (event, notice)
    };
    let source = {
        use doorstep::domain::sources::{NewSource, SourceKind};
        let network = doorstep::store::threads::network_of(&mut conn, thread).expect("the thread's network");
        let id = doorstep::domain::ids::SourceId::new();
        let url = format!("https://feeds.example/{who:?}/news.rss");
        let new = NewSource { kind: SourceKind::Feed, name: String::from("News"), url };
        doorstep::store::sources::follow(&mut conn, (id, network), &new, admin, now)
            .expect("a source is followed");
        id
    };
    let speaker = doorstep::store::speakers::listed(&mut conn, Some(organisation))
        .expect("reads the asks")
        .into_iter()
        .find(|s| s.member_name == "Events")
        .expect("the ask")
        .id;
    Example {
        event,
        notice,
        speaker,
        source,
        suspension,
        unsubscribe,
        thread,
        post,
        member_sign_in,
        member_link,
        import,
        feed,
        service,
        organisation,
        neighbourhood,
        need,
        contact,
        follow_up: follow_up.to_string(),
        service_at_location,
        venue,
        user,
        proposal,
        session,
        password,
        reminder,
        place,
    }
}

/// A thread and a reply (the network member's own, when `who` is one), a
/// link for the network member to sign in with, and another member's link.
fn network_example(conn: &mut Conn, who: Who) -> (ThreadId, PostId, String, String) {
    use doorstep::domain::networks::LinkPurpose;
    use doorstep::domain::networks::NewThread;
    use doorstep::store::members;
    let now = Utc::now().naive_utc();
    let later = now + chrono::Duration::hours(1);
    let member = |conn: &mut Conn, name: &str| {
        members::add_confirmed(conn, &format!("{name}-{who:?}@example.org"), name, now)
            .expect("a member joins")
    };
    let (own, other) = (member(conn, "own"), member(conn, "other"));
    let author = if who == Who::Member { own } else { other };
    let hood = neighbourhoods::all(conn).expect("reads the neighbourhoods").remove(0);
    let network =
        doorstep::store::networks::of_neighbourhood(conn, hood.id).expect("reads").expect("a network");
    let new = NewThread {
        title: format!("Routes for {who:?}"),
        body: String::from("Hello"),
        needs: vec![],
        services: vec![],
        organisations: vec![],
    };
    let thread = doorstep::store::threads::start(conn, network.id, other, (&new, false), now)
        .expect("a thread starts");
    let post =
        doorstep::store::threads::reply(conn, thread, author, ("A reply", false), now).expect("a reply");
    let (sign_in, link) = (random_token(), random_token());
    members::add_link(conn, own, &sign_in, LinkPurpose::SignIn, now, later).expect("a link");
    let stranger = member(conn, "stranger");
    members::add_link(conn, stranger, &link, LinkPurpose::SignIn, now, later).expect("a link");
    (thread, post, sign_in, link)
}

/// A change to `organisation`'s description that its editor proposed.
fn propose_for(conn: &mut Conn, editor: &StaffUser, organisation: OrganisationId) -> ProposalId {
    use doorstep::domain::organisation_form::OrganisationForm;
    use doorstep::domain::proposals::{NewProposal, ProposalKind};
    let (now, _) = organisations::one(conn, organisation).expect("reads the organisation");
    let form = OrganisationForm {
        description: format!("{} Open on Saturdays.", now.description),
        ..OrganisationForm::of(&now)
    };
    let new = NewProposal {
        id: ProposalId::new(),
        kind: ProposalKind::Organisation,
        record_id: Some(organisation.to_string()),
        form: Some(serde_json::to_string(&form).expect("a form as JSON")),
        message: None,
        by: Some(editor.id),
        email: None,
        sender: None,
        at: Utc::now().naive_utc(),
    };
    doorstep::store::proposals::insert(conn, &new).expect("a proposal is kept");
    new.id
}

/// A public venue `who` may change: for the connector, one in a
/// neighbourhood they look after; for the others, one of `organisation`'s
/// (the demo's venues are shared halls, so one is added for it).
fn venue_for(conn: &mut Conn, who: Who, organisation: OrganisationId) -> LocationId {
    use diesel::prelude::*;
    use doorstep::store::schema::locations;
    let theirs = account(conn, Who::Connector).neighbourhoods;
    assert!(!theirs.is_empty(), "the demo's connector looks after neighbourhoods");
    let in_theirs: LocationId = locations::table
        .filter(locations::confidential.eq(false))
        .filter(locations::neighbourhood_id.eq_any(theirs))
        .select(locations::id)
        .first(conn)
        .expect("the demo has a venue in the connector's neighbourhoods");
    if who == Who::Connector {
        return in_theirs;
    }
    let hall = doorstep::store::locations::many(conn, &[in_theirs]).expect("reads the venue").remove(0);
    let own = doorstep::domain::listing::Location {
        id: LocationId::new(),
        organisation: Some(organisation),
        name: format!("{who:?}'s example venue"),
        ..hall
    };
    doorstep::store::locations::insert(conn, &own, Utc::now().naive_utc()).expect("adds a venue");
    own.id
}

/// The demo account of `who`, who signs in.
fn account(conn: &mut Conn, who: Who) -> StaffUser {
    let email = who.email().expect("someone who signs in");
    let found = users::find_by_email(conn, email).expect("reads the account");
    found.unwrap_or_else(|| panic!("the demo has no account {email}")).0
}

/// A listing with no venue in any neighbourhood (by phone, online or borough-wide).
fn listing_in_no_neighbourhood(conn: &mut Conn) -> ServiceId {
    let running = service_lists::running_ids(conn).expect("reads the listings");
    running
        .into_iter()
        .find(|id| services::scope(conn, *id).expect("reads the listing's scope").1.is_empty())
        .expect("the demo has a listing with no venue in a neighbourhood")
}

/// A contact at the front door, started by `advisor`.
fn start_contact(conn: &mut Conn, advisor: UserId) -> SignpostContactId {
    let new = NewSignpostContact {
        advisor,
        channel: Channel::Phone,
        returning: Returning::NotKnown,
        escalated: false,
        started_at: Utc::now().naive_utc(),
    };
    signposting::start(conn, &new).expect("the contact starts")
}

/// A follow-up agreed with a citizen and sent, and the token its link carries.
fn follow_up_token(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().expect("a connection");
    let advisor = account(&mut conn, Who::Advisor).id;
    let contact = start_contact(&mut conn, advisor);
    let now = Utc::now().naive_utc();
    let key = format!("routes-{contact}");
    let message: &[u8] = b"The shortlist";
    signposting::queue_shortlist(&mut conn, &key, contact, "citizen@example.org", message, Some(now), now)
        .expect("the shortlist is queued, with a follow-up agreed");
    let token = "the-route-table-follow-up";
    let sent = signposting::follow_up_sent(&mut conn, contact, token, now).expect("marks it sent");
    assert!(sent, "the follow-up was waiting to be sent");
    token.to_string()
}

/// The route with its placeholders filled in from `example`; a search asks
/// for something (with nothing asked, it goes back to the question).
fn fill(route: &str, example: &Example) -> String {
    let id = if route.starts_with("/organisations/") || route.starts_with("/openreferral/organizations/") {
        example.organisation.to_string()
    } else if route.starts_with("/openreferral/service_at_locations/") {
        example.service_at_location.to_string()
    } else if route.starts_with("/openreferral/taxonomies/") {
        doorstep::domain::openreferral::needs_taxonomy_id().to_string()
    } else if route.starts_with("/openreferral/taxonomy_terms/") {
        doorstep::domain::ids::NeedId::from_slug(&example.need).to_string()
    } else if route.starts_with("/signpost/contacts/") {
        example.contact.to_string()
    } else if route.starts_with("/staff/imports/") {
        example.import.to_string()
    } else if route.starts_with("/staff/neighbours/") {
        example.feed.to_string()
    } else if route.starts_with("/staff/organisations/") {
        example.organisation.to_string()
    } else if route.starts_with("/places/") {
        example.place.to_string()
    } else if route.starts_with("/staff/venues/") {
        example.venue.to_string()
    } else if route.starts_with("/staff/users/") {
        example.user.to_string()
    } else if route.starts_with("/staff/approvals/") {
        example.proposal.to_string()
    } else if route.starts_with("/staff/moderation/posts/") {
        example.post.to_string()
    } else if route.starts_with("/staff/moderation/events/") {
        example.event.to_string()
    } else if route.starts_with("/staff/moderation/notices/") || route.starts_with("/notices/") {
        example.notice.to_string()
    } else if route.starts_with("/staff/sources/") {
        example.source.to_string()
    } else if route.starts_with("/staff/speakers/") {
        example.speaker.clone()
    } else if route.starts_with("/staff/moderation/suspensions/") {
        example.suspension.clone()
    } else if route.starts_with("/events/") {
        example.event.to_string()
    } else if route.starts_with("/threads/") {
        example.thread.to_string()
    } else if route.starts_with("/posts/") {
        example.post.to_string()
    } else {
        example.service.to_string()
    };
    let slug = if route.starts_with("/needs/") { &example.need } else { &example.neighbourhood };
    let stylesheet = doorstep::pages::STYLESHEET_PATH.trim_start_matches("/assets/");
    let path = route
        .replace("{id}", &id)
        .replace("{slug}", slug)
        .replace("{service}", &example.service.to_string())
        .replace(
            "{token}",
            match route {
                r if r.starts_with("/password/") => &example.password,
                r if r.starts_with("/reminders/") => &example.reminder,
                r if r.starts_with("/members/links/") => &example.member_link,
                r if r.starts_with("/unsubscribe/") => &example.unsubscribe,
                _ => &example.follow_up,
            },
        )
        .replace("{handle}", &example.session)
        .replace("{file}", stylesheet);
    assert!(!path.contains('{'), "{route}: teach `fill` in tests/routes.rs what to put in its placeholder");
    match route {
        "/search" | "/api/search" => format!("{path}?need={}", example.need),
        _ => path,
    }
}

/// The fields a form sends, besides its CSRF token: the least each needs, and
/// nothing that would upset a later row.
fn form_for(route: &str, example: &Example) -> Vec<(&'static str, String)> {
    match route {
        "/signpost/contacts" => vec![("risk", "no".into()), ("channel", "phone".into())],
        "/signpost/contacts/{id}/shortlist" => vec![("service", example.service.to_string())],
        "/signpost/contacts/{id}/shortlist/{service}" => {
            vec![("action", "note".into()), ("note", "Ask for Priya".into())]
        }
        // The send form's key, but no address: its problem is shown, and nothing is sent.
        "/signpost/contacts/{id}/email" => vec![("key", "0".repeat(64)), ("email", String::new())],
        "/follow-up/{token}" => vec![("answer", "got_help".into())],
        // Any other form is sent empty. Signing in, a service's form and a
        // neighbourhood's name or move then show their problems and change
        // nothing; the rest (verify, risk, finish, sign out) need only the token.
        _ => Vec::new(),
    }
}

/// Sends `rule`'s request to `path` as `who`: a GET, or the route's form
/// posted with a CSRF token from a page `who` can open.
async fn send<S, B>(browser: &mut Browser<S>, who: Who, rule: &Rule, path: &str, example: &Example) -> Page
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    match rule.method {
        "GET" => browser.get(path).await,
        // A form with a file: sent as multipart, with nothing chosen.
        "POST" if rule.route == "/staff/imports" => {
            let token = browser.get(who.form_page()).await.csrf_token();
            browser.upload(path, &[("csrf_token", &token), ("feed", "")], None).await
        }
        "POST" => {
            let form = form_for(rule.route, example);
            let fields: Vec<(&str, &str)> =
                form.iter().map(|(name, value)| (*name, value.as_str())).collect();
            browser.submit(who.form_page(), path, &fields).await
        }
        other => panic!("{other} {}: teach `send` in tests/routes.rs to send a {other}", rule.route),
    }
}

/// What kind of answer `page` is; `None` for one no row expects (a 500, a
/// 405, a form refused for its token…).
fn outcome_of(method: &str, page: &Page) -> Option<Outcome> {
    let status = page.status.as_u16();
    if status == 303 && page.location().starts_with("/sign-in?next=") {
        return Some(SignIn);
    }
    if status == 303 && page.location().starts_with("/members/sign-in?next=") {
        return Some(Join);
    }
    match status {
        200..=399 => Some(Allowed),
        // Let in, but the form has a problem, or the record cannot do that now.
        400 | 409 | 422 if method == "POST" => Some(Allowed),
        403 if page.body.contains("You cannot see this page") => Some(Refused),
        404 => Some(Hidden),
        _ => None,
    }
}

/// Whether `who` got at `path` what the table says, and if not, what they got.
fn check(rule: &Rule, who: Who, path: &str, page: &Page) -> Result<(), String> {
    let expected = rule.who[who as usize];
    let got = outcome_of(rule.method, page);
    let back = if rule.method == "GET" { path } else { "/staff" };
    let sign_in = format!("/sign-in?next={}", doorstep::pages::url_encode(back));
    if got == Some(expected) && (expected != SignIn || page.location() == sign_in) {
        return Ok(());
    }
    let title = page.body.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("");
    Err(format!(
        "{} {} ({path}) as {who:?}: expected {expected:?}, got {got:?}: {} location {:?} title {title:?}",
        rule.method,
        rule.route,
        page.status,
        page.location(),
    ))
}

/// Every method and route that `web::routes` answers, read from its source:
/// each `at(…)`, its path a string or a `const` of the file, with the prefix
/// of any `web::scope` it is inside, and each `.get(`/`.post(` (or other
/// method) chained on it before the next `.service(`.
fn routes_answered() -> BTreeSet<(String, String)> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/mod.rs");
    let source = std::fs::read_to_string(&file).expect("reads src/web/mod.rs");
    let start = source.find("pub fn routes(").expect("src/web/mod.rs has `pub fn routes(`");
    let end = start + source[start..].find("\n}\n").expect("`routes` ends");
    let body = &source[start..end];
    let code = code_only(body);
    let scopes: Vec<(usize, usize, String)> = code
        .match_indices("web::scope(")
        .map(|(at, call)| {
            let open = enclosing_paren(code.as_bytes(), at);
            (open, closing_paren(code.as_bytes(), open), path_named(&source, &body[at + call.len()..]))
        })
        .collect();
    let mut answered = BTreeSet::new();
    for (at, call) in code.match_indices("at(") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let inside: String = scopes.iter().filter(|s| s.0 < at && at < s.1).map(|s| s.2.as_str()).collect();
        let route = format!("{inside}{}", path_named(&source, &body[at + call.len()..]));
        let chained = &code[at..code[at..].find(".service(").map_or(code.len(), |n| at + n)];
        let methods: Vec<&str> = ["get", "post", "put", "patch", "delete"]
            .into_iter()
            .filter(|method| chained.contains(&format!(".{method}(")))
            .collect();
        assert!(!methods.is_empty(), "found no method for {route} in src/web/mod.rs");
        answered.extend(methods.into_iter().map(|method| (method.to_uppercase(), route.clone())));
    }
    answered
}

/// The path an argument names: a string, or a `const NAME: &str` of `source`.
fn path_named(source: &str, argument: &str) -> String {
    if let Some(text) = argument.strip_prefix('"') {
        return text.split('"').next().unwrap_or_default().to_string();
    }
    let name: String = argument.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let definition = format!("const {name}: &str = \"");
    let at = source.find(&definition).unwrap_or_else(|| panic!("src/web/mod.rs has no `{definition}`"));
    source[at + definition.len()..].split('"').next().unwrap_or_default().to_string()
}

/// `text` with its comments and the insides of its strings blanked out,
/// byte for byte, so that only code is searched and positions still match.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut code = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"//") {
            let end = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| i + n);
            code[i..end].fill(b' ');
            i = end;
        } else if bytes[i] == b'"' {
            let mut end = i + 1;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = end.min(bytes.len());
            code[i + 1..end].fill(b' ');
            i = end + 1;
        } else {
            i += 1;
        }
    }
    String::from_utf8(code).expect("only whole characters are blanked")
}

/// Where the call around position `at` opens its parenthesis.
fn enclosing_paren(code: &[u8], at: usize) -> usize {
    let mut depth = 0;
    for i in (0..at).rev() {
        match code[i] {
            b')' => depth += 1,
            b'(' if depth == 0 => return i,
            b'(' => depth -= 1,
            _ => {}
        }
    }
    panic!("`web::scope` outside any call in src/web/mod.rs")
}

/// Where the parenthesis opened at `open` closes.
fn closing_paren(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (i, &b) in code.iter().enumerate().skip(open) {
        match b {
            b'(' => depth += 1,
            b')' if depth == 1 => return i,
            b')' => depth -= 1,
            _ => {}
        }
    }
    panic!("a parenthesis in src/web/mod.rs does not close")
}
