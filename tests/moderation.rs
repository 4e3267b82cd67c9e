//! Moderating the networks through the real app: a new member's first post
//! and links wait for approval, reports, hiding and restoring, locked
//! threads, suspended members, the rate of posting, who may moderate where,
//! and the log.

use crate::common::{Browser, PASSWORD, Page, TestApp};
use crate::networks::{CONNECTOR, first_network, signed_in_member, start_thread};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use chrono::Utc;
use doorstep::domain::accounts::random_token;
use doorstep::domain::networks::LinkPurpose;
use doorstep::store::{members, neighbourhoods, networks};

const ADMIN: &str = "admin@kingsmere.example.org";

/// A member who has just joined (none of their posts approved yet), signed in on `browser`.
async fn new_member<S, B>(app: &TestApp, browser: &mut Browser<S>, email: &str, name: &str)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let token = random_token();
    {
        let mut conn = app.state.store.conn().unwrap();
        let now = Utc::now().naive_utc();
        let id = members::add_confirmed(&mut conn, email, name, now).unwrap();
        members::add_link(&mut conn, id, &token, LinkPurpose::SignIn, now, now + chrono::Duration::hours(1))
            .unwrap();
    }
    let path = format!("/members/links/{token}");
    assert_eq!(browser.submit(&path, &path, &[]).await.status, StatusCode::SEE_OTHER);
}

/// The ids of the posts on a thread's page, in order.
fn post_ids(page: &Page) -> Vec<String> {
    page.body
        .match_indices("id=\"post-")
        .map(|(i, m)| page.body[i + m.len()..i + m.len() + 36].to_string())
        .collect()
}

async fn act<S, B>(browser: &mut Browser<S>, post: &str, action: &str, reason: &str) -> Page
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let path = format!("/staff/moderation/posts/{post}");
    browser.submit(&path, &path, &[("action", action), ("reason", reason)]).await
}

#[actix_web::test]
async fn a_new_members_first_post_waits_for_a_moderator_whose_approval_trusts_them() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut newcomer = app.browser().await;
    new_member(&app, &mut newcomer, "newcomer@example.org", "Newcomer").await;
    let thread = start_thread(&mut newcomer, &slug, "Hello neighbours", "Just moved to the area.").await;

    // Its author sees it, and is told; nobody else does.
    let own = newcomer.get(&thread).await;
    assert!(
        own.body.contains("Readers cannot see this conversation")
            && own.body.contains("Waiting for a moderator")
    );
    let mut visitor = app.browser().await;
    assert_eq!(visitor.get(&thread).await.status, StatusCode::NOT_FOUND);
    assert!(!visitor.get(&format!("/networks/{slug}")).await.body.contains("Hello neighbours"));

    // The connector who looks after the neighbourhood finds it waiting, and approves it.
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let queue = connector.get("/staff/moderation").await;
    assert!(queue.body.contains("Waiting for approval") && queue.body.contains("Just moved to the area."));
    let post = post_ids(&own).remove(0);
    assert!(queue.body.contains(&format!("/staff/moderation/posts/{post}")));
    let approved = act(&mut connector, &post, "approve", "").await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert!(visitor.get(&thread).await.body.contains("Just moved to the area."));
    assert!(visitor.get(&format!("/networks/{slug}")).await.body.contains("Hello neighbours"));

    // Trusted now: the next post, links and all, goes straight up.
    let replied =
        newcomer.submit(&thread, &format!("{thread}/replies"), &[("body", "See www.example.org")]).await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER);
    assert!(visitor.get(&thread).await.body.contains("See www.example.org"));
    let log = connector.get("/staff/moderation/log").await;
    assert!(log.body.contains("approve") && log.body.contains("Sam Okafor"));
}

#[actix_web::test]
async fn where_first_posts_go_straight_up_a_new_members_links_still_wait() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let set = connector
        .submit("/staff/moderation", &format!("/staff/moderation/networks/{slug}"), &[("approve", "no")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let mut newcomer = app.browser().await;
    new_member(&app, &mut newcomer, "newcomer@example.org", "Newcomer").await;
    let thread = start_thread(&mut newcomer, &slug, "Plain words", "No links here.").await;
    let mut visitor = app.browser().await;
    assert!(visitor.get(&thread).await.body.contains("No links here."), "shown at once");
    newcomer.submit(&thread, &format!("{thread}/replies"), &[("body", "Buy at https://spam.example")]).await;
    let page = visitor.get(&thread).await;
    assert!(!page.body.contains("spam.example"), "a new member's link waits");
    assert!(page.body.contains("0 replies"));
    assert!(newcomer.get(&thread).await.body.contains("Waiting for a moderator"));
}

#[actix_web::test]
async fn a_reported_post_is_hidden_with_a_reason_restored_and_logged() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let mut troll = app.browser().await;
    signed_in_member(&app, &mut troll, "troll@example.org", "Troll").await;
    let thread = start_thread(&mut rita, &slug, "Garden swap", "Seeds and cuttings, Saturday.").await;
    troll.submit(&thread, &format!("{thread}/replies"), &[("body", "You are all idiots")]).await;

    let post = post_ids(&rita.get(&thread).await).remove(1);
    let report = format!("/posts/{post}/report");
    let empty = rita.submit(&report, &report, &[("details", "rude to everyone")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Choose why you are reporting it") && empty.body.contains("rude to everyone")
    );
    let sent = rita.submit(&report, &report, &[("reason", "abusive"), ("details", "rude to everyone")]).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("Thank you for reporting it"));

    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let queue = connector.get("/staff/moderation").await;
    assert!(queue.body.contains("Reported 1 time") && queue.body.contains("rude to everyone"));
    assert!(queue.body.contains("Reported by Rita"));
    assert!(queue.body.contains(&format!("/staff/moderation/posts/{post}")));
    let no_reason = act(&mut connector, &post, "hide", "  ").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Say why") && no_reason.body.contains("value=\"hide\" checked"));
    let hidden = act(&mut connector, &post, "hide", "Abuse of other members").await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);

    let mut visitor = app.browser().await;
    let page = visitor.get(&thread).await;
    assert!(!page.body.contains("You are all idiots") && page.body.contains("0 replies"));
    assert!(troll.get(&thread).await.body.contains("A moderator has hidden this post"), "its author is told");
    assert!(
        !connector.get("/staff/moderation").await.body.contains("You are all idiots"),
        "the report is dealt with"
    );

    act(&mut connector, &post, "restore", "Apologised").await;
    assert!(visitor.get(&thread).await.body.contains("You are all idiots"));
    let log = connector.get("/staff/moderation/log").await;
    assert!(log.body.contains("Abuse of other members") && log.body.contains("Apologised"));
}

#[actix_web::test]
async fn a_locked_thread_and_a_suspended_member_post_nothing_and_keep_what_was_typed() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let mut troll = app.browser().await;
    signed_in_member(&app, &mut troll, "troll@example.org", "Troll").await;
    let thread = start_thread(&mut rita, &slug, "Bins", "Collection moved to Friday.").await;
    troll.submit(&thread, &format!("{thread}/replies"), &[("body", "Rubbish")]).await;
    let post = post_ids(&troll.get(&thread).await).remove(1);

    let mut admin = app.browser().await;
    admin.sign_in(ADMIN, PASSWORD).await;
    // Suspended from this network: the form comes back with the words and why.
    act(&mut admin, &post, "suspend", "Repeated abuse").await;
    let refused = troll.submit(&thread, &format!("{thread}/replies"), &[("body", "Let me speak")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("stopped you posting in this network (Repeated abuse)"));
    assert!(refused.body.contains("Let me speak"), "what was typed is kept");
    // Another network still takes their posts; suspended everywhere, none does.
    let elsewhere = {
        let mut conn = app.state.store.conn().unwrap();
        let hood = &neighbourhoods::all(&mut conn).unwrap()[5];
        networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap().slug
    };
    start_thread(&mut troll, &elsewhere, "Elsewhere", "Hello there").await;
    act(&mut admin, &post, "suspend_everywhere", "Abuse in two networks").await;
    let everywhere = troll
        .submit(
            &format!("/networks/{elsewhere}/threads/new"),
            &format!("/networks/{elsewhere}/threads"),
            &[("title", "Again"), ("body", "Hi")],
        )
        .await;
    assert_eq!(everywhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(everywhere.body.contains("Abuse in two networks"));
    // The connector may not suspend everywhere.
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let page = connector.get(&format!("/staff/moderation/posts/{post}")).await;
    assert!(!page.body.contains("suspend_everywhere"));
    assert_eq!(act(&mut connector, &post, "suspend_everywhere", "No").await.status, StatusCode::FORBIDDEN);

    // Lifting needs a reason; then they may post where only the network's suspension was lifted.
    let queue = admin.get("/staff/moderation").await;
    assert!(queue.body.contains("Troll") && queue.body.contains("every network"));
    let ids: Vec<String> = queue
        .body
        .match_indices("/staff/moderation/suspensions/")
        .map(|(i, m)| queue.body[i + m.len()..i + m.len() + 36].to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let lift = format!("/staff/moderation/suspensions/{id}/lift");
        assert_eq!(
            admin.submit("/staff/moderation", &lift, &[("reason", "")]).await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            admin.submit("/staff/moderation", &lift, &[("reason", "Spoke to them")]).await.status,
            StatusCode::SEE_OTHER
        );
    }

    // Locked: no more replies, from anyone, with a clear message.
    act(&mut admin, &post, "lock", "Going round in circles").await;
    let page = rita.get(&thread).await;
    assert!(page.body.contains("locked this conversation") && !page.body.contains("Your reply"));
    let locked = rita.submit(&thread, &format!("{thread}/replies"), &[("body", "One more thing")]).await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    assert!(locked.body.contains("locked this conversation"));
}

#[actix_web::test]
async fn a_new_member_posting_too_fast_is_asked_to_wait_and_keeps_the_words() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut newcomer = app.browser().await;
    new_member(&app, &mut newcomer, "fast@example.org", "Fast").await;
    let thread = start_thread(&mut newcomer, &slug, "One", "First").await;
    for n in 0..4 {
        let sent =
            newcomer.submit(&thread, &format!("{thread}/replies"), &[("body", &format!("Reply {n}"))]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "post {n}");
    }
    let sixth =
        newcomer.submit(&thread, &format!("{thread}/replies"), &[("body", "Sixth in ten minutes")]).await;
    assert_eq!(sixth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sixth.body.contains("Wait a few minutes") && sixth.body.contains("Sixth in ten minutes"));
}

#[actix_web::test]
async fn a_connector_moderates_only_the_networks_of_their_neighbourhoods() {
    let app = TestApp::with_demo();
    let (far, connectors) = {
        let mut conn = app.state.store.conn().unwrap();
        let theirs =
            doorstep::store::users::find_by_email(&mut conn, CONNECTOR).unwrap().unwrap().0.neighbourhoods;
        let far =
            neighbourhoods::all(&mut conn).unwrap().into_iter().find(|h| !theirs.contains(&h.id)).unwrap();
        (networks::of_neighbourhood(&mut conn, far.id).unwrap().unwrap().slug, theirs.len())
    };
    assert!(connectors > 0);
    let mut member = app.browser().await;
    signed_in_member(&app, &mut member, "kim@example.org", "Kim").await;
    let thread = start_thread(&mut member, &far, "Far away", "Not the connector's").await;
    let post = post_ids(&member.get(&thread).await).remove(0);
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    assert_eq!(connector.get(&format!("/staff/moderation/posts/{post}")).await.status, StatusCode::FORBIDDEN);
    assert!(!connector.get(&thread).await.body.contains("Moderate this"), "no moderation links there");
    let mut admin = app.browser().await;
    admin.sign_in(ADMIN, PASSWORD).await;
    assert_eq!(admin.get(&format!("/staff/moderation/posts/{post}")).await.status, StatusCode::OK);
    assert!(admin.get(&thread).await.body.contains("Moderate this post"));
    let mut advisor = app.browser().await;
    advisor.sign_in("advisor@kingsmere.example.org", PASSWORD).await;
    assert_eq!(advisor.get("/staff/moderation").await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_new_members_change_that_adds_a_link_waits_too() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    connector
        .submit("/staff/moderation", &format!("/staff/moderation/networks/{slug}"), &[("approve", "no")])
        .await;
    let mut newcomer = app.browser().await;
    new_member(&app, &mut newcomer, "sly@example.org", "Sly").await;
    let thread = start_thread(&mut newcomer, &slug, "Plain start", "Nothing to see.").await;
    let post = post_ids(&newcomer.get(&thread).await).remove(0);
    let edit = format!("/posts/{post}/edit");
    let changed =
        newcomer.submit(&edit, &format!("/posts/{post}"), &[("body", "Now see https://spam.example")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let mut visitor = app.browser().await;
    assert_eq!(
        visitor.get(&thread).await.status,
        StatusCode::NOT_FOUND,
        "the thread waits for a moderator again"
    );
    assert!(connector.get("/staff/moderation").await.body.contains("spam.example"));
}

#[actix_web::test]
async fn a_moderator_hides_an_event_with_a_reason() {
    let app = TestApp::with_demo();
    let (event, far_event) = {
        let mut conn = app.state.store.conn().unwrap();
        let now = Utc::now().naive_utc();
        let theirs =
            doorstep::store::users::find_by_email(&mut conn, CONNECTOR).unwrap().unwrap().0.neighbourhoods;
        let mut mine = None;
        let mut far = None;
        for network in networks::all(&mut conn).unwrap() {
            let Some(hood) = network.neighbourhood_id else { continue };
            let Some(event) =
                doorstep::store::events::in_network(&mut conn, network.id, now, false, 1).unwrap().pop()
            else {
                continue;
            };
            if theirs.contains(&hood) {
                mine.get_or_insert(event.id)
            } else {
                far.get_or_insert(event.id)
            };
        }
        (mine.expect("an event in the connector's neighbourhoods"), far)
    };
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let page = connector.get(&format!("/events/{event}")).await;
    assert!(page.body.contains("Hide this event"));
    let action = format!("/staff/moderation/events/{event}");
    let no_reason =
        connector.submit(&format!("/events/{event}"), &action, &[("action", "hide"), ("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let hidden = connector
        .submit(&format!("/events/{event}"), &action, &[("action", "hide"), ("reason", "Not a real event")])
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    let mut visitor = app.browser().await;
    assert_eq!(visitor.get(&format!("/events/{event}")).await.status, StatusCode::NOT_FOUND);
    assert!(connector.get("/staff/moderation/log").await.body.contains("Not a real event"));
    if let Some(far) = far_event {
        let refused = connector
            .submit(
                "/staff/moderation",
                &format!("/staff/moderation/events/{far}"),
                &[("action", "hide"), ("reason", "No")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "not the connector's neighbourhood");
    }
}

#[actix_web::test]
async fn a_reported_event_or_notice_waits_for_a_moderator_who_hides_it_or_leaves_it() {
    use doorstep::domain::events::{EventPlace, NewEvent};
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let now = Utc::now().naive_utc();
    // An event in the first neighbourhood's network, and a notice about a listing.
    let (event, notice, service) = {
        let mut conn = app.state.store.conn().unwrap();
        let network = networks::by_slug(&mut conn, &slug).unwrap();
        let hood = network.neighbourhood_id.unwrap();
        let (venue, _) = doorstep::store::events::venues_offered(&mut conn, Some(hood)).unwrap()[0].clone();
        let host = members::add_confirmed(&mut conn, "host@example.org", "Host", now).unwrap();
        let starts = (now + chrono::Duration::days(2)).date().and_hms_opt(10, 0, 0).unwrap();
        let new = NewEvent {
            title: String::from("Free money seminar"),
            description: String::from("Guaranteed returns"),
            starts,
            ends: starts + chrono::Duration::hours(1),
            repeat: None,
            place: EventPlace::Venue(venue),
            free: true,
            cost: None,
            access: None,
            who_for: None,
            services: vec![],
        };
        let placed = doorstep::store::events::venue_place(&mut conn, venue).unwrap();
        let span = (starts, starts + chrono::Duration::hours(1));
        let event =
            doorstep::store::events::insert(&mut conn, (network.id, host), &new, span, &placed, now).unwrap();
        let service = crate::common::most_overdue(&mut conn, now).id;
        let body = "Call 0800 000 000 for cheap loans";
        let notice = doorstep::store::notices::insert(&mut conn, service, host, (body, None), now).unwrap();
        (event, notice, service)
    };
    let (event_report, notice_report) =
        (format!("/events/{event}/report"), format!("/notices/{notice}/report"));

    // Someone not signed in is asked to sign in first.
    let mut visitor = app.browser().await;
    let asked = visitor.get(&event_report).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert!(asked.location().starts_with("/members/sign-in"), "{}", asked.location());

    // A member's report without a reason keeps what they wrote; with one it is kept.
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    assert!(
        rita.get(&format!("/events/{event}")).await.body.contains(&event_report),
        "the event links to it"
    );
    assert!(rita.get(&format!("/services/{service}")).await.body.contains(&notice_report));
    let empty =
        rita.submit(&event_report, &event_report, &[("reason", ""), ("details", "Looks like a scam")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Choose why you are reporting it") && empty.body.contains("Looks like a scam")
    );
    for path in [&event_report, &notice_report] {
        let sent = rita.submit(path, path, &[("reason", "spam"), ("details", "Looks like a scam")]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(sent.body.contains("Thank you for reporting it"));
    }

    // The connector sees both waiting, with the reports.
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let queue = connector.get("/staff/moderation").await;
    assert!(queue.body.contains("Reported events and notices"), "{}", queue.body);
    assert!(queue.body.contains("Free money seminar") && queue.body.contains("cheap loans"));
    assert!(queue.body.contains("Looks like a scam"));

    // Hiding needs a reason; hidden, the notice is gone from the listing's page.
    let hide_notice = format!("/staff/moderation/notices/{notice}");
    let no_reason =
        connector.submit("/staff/moderation", &hide_notice, &[("action", "hide"), ("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let hidden = connector
        .submit("/staff/moderation", &hide_notice, &[("action", "hide"), ("reason", "Loan shark")])
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.body);
    assert!(!visitor.get(&format!("/services/{service}")).await.body.contains("cheap loans"));
    assert_eq!(
        rita.get(&notice_report).await.status,
        StatusCode::NOT_FOUND,
        "a hidden notice is not reported"
    );

    // Left as it is, the event stays up and its reports close.
    let event_action = format!("/staff/moderation/events/{event}");
    let left =
        connector.submit("/staff/moderation", &event_action, &[("action", "dismiss"), ("reason", "")]).await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(&format!("/events/{event}")).await.status, StatusCode::OK);
    let queue = connector.get("/staff/moderation").await;
    assert!(!queue.body.contains("Free money seminar") && !queue.body.contains("cheap loans"));

    // Both are in the log, with what was done and why.
    let log = connector.get("/staff/moderation/log").await;
    assert!(log.body.contains("a notice by Host") && log.body.contains("Loan shark"), "{}", log.body);
    assert!(log.body.contains("an event by Host") && log.body.contains("dismiss"));
}
