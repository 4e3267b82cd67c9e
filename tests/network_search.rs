//! The neighbourhood networks in search, through the real app: a
//! conversation or an event that matches is "from the neighbourhood
//! network" on the results page, near where was searched; it goes when a
//! moderator hides it; the advisor's workspace shows events near the caller
//! that meet their needs; an organisation's page shows events that name
//! what it runs; an event at a venue made confidential since is found near
//! nowhere; and the second index follows its log like the services' index.

use crate::common::{TestApp, central_postcode};
use crate::networks::{CONNECTOR, first_network, signed_in_member, start_thread};
use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use doorstep::domain::accounts::Role;
use doorstep::domain::events::{EventPlace, NewEvent};
use doorstep::domain::ids::{EventId, LocationId, ServiceId};
use doorstep::domain::search::ActivityAsk;
use doorstep::store::schema::{needs, postcodes, service_needs, services};

const SECTION: &str = "From the neighbourhood network";

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The demo's postcode furthest from `from`, and how far it is in metres.
fn furthest_postcode(app: &TestApp, from: &str) -> (String, f64) {
    let mut conn = app.state.store.conn().unwrap();
    let all: Vec<(String, f64, f64)> = postcodes::table
        .filter(postcodes::terminated.eq(false))
        .select((postcodes::postcode, postcodes::latitude, postcodes::longitude))
        .load(&mut *conn)
        .unwrap();
    let (_, lat, lon) = all.iter().find(|(p, _, _)| p == from).expect("the postcode is known").clone();
    all.into_iter()
        .map(|(p, la, lo)| (p, doorstep::geo::cells::distance_m((lat, lon), (la, lo))))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

/// An event added through the store (as any server would), tomorrow at
/// 10am, `place`d, naming `services`. It is taken in by the index only
/// when the app or its job next reads the log.
fn add_event(app: &TestApp, title: &str, place: EventPlace, services: Vec<ServiceId>) -> EventId {
    let mut conn = app.state.store.conn().unwrap();
    let now = Utc::now().naive_utc();
    let slug = first_network(app);
    let network = doorstep::store::networks::by_slug(&mut conn, &slug).unwrap().id;
    let author = doorstep::store::members::add_confirmed(
        &mut conn,
        &format!("{}@example.org", doorstep::domain::accounts::random_token()),
        "Host",
        now,
    )
    .unwrap();
    let starts = (now + Duration::days(1)).date().and_hms_opt(10, 0, 0).unwrap();
    let placed = match place {
        EventPlace::Venue(venue) => doorstep::store::events::venue_place(&mut conn, venue).unwrap(),
        _ => panic!("these tests place events at venues"),
    };
    let event = NewEvent {
        title: title.to_string(),
        description: String::from("Tea and a chat, all welcome."),
        starts,
        ends: starts + Duration::hours(2),
        repeat: None,
        place,
        free: true,
        cost: None,
        access: None,
        who_for: None,
        services,
    };
    let span = (starts - Duration::hours(1), starts + Duration::hours(3));
    doorstep::store::events::insert(&mut conn, (network, author), &event, span, &placed, now).unwrap()
}

/// What the index's job does each quarter of a second.
fn take_in(app: &TestApp) {
    let s = &app.state;
    doorstep::jobs::activity_sync::sync(&s.store, &s.activity, &s.search, &s.taxonomy, Utc::now()).unwrap();
}

/// A public venue of the demo's first neighbourhood, and its postcode.
fn a_venue(app: &TestApp) -> (LocationId, String) {
    let mut conn = app.state.store.conn().unwrap();
    let hood = doorstep::store::neighbourhoods::all(&mut conn).unwrap()[0].id;
    let (venue, _) = doorstep::store::events::venues_offered(&mut conn, Some(hood)).unwrap()[0].clone();
    let postcode = doorstep::store::locations::one(&mut conn, venue).unwrap().0.location.postcode;
    (venue, postcode)
}

#[actix_web::test]
async fn a_conversation_that_matches_is_from_the_neighbourhood_network_until_a_moderator_hides_it() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let thread = start_thread(
        &mut rita,
        &slug,
        "Zumbafit for grandparents",
        "Anyone fancy moving to music on Fridays?",
    )
    .await;

    // Found at once by a word of its title, and by a word of its post.
    let mut visitor = app.browser().await;
    let page = visitor.get("/search?q=zumbafit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(SECTION) && page.body.contains("Zumbafit for grandparents"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"{thread}\"")), "it links to the conversation");
    let by_post = visitor.get("/search?q=music+fridays").await;
    assert!(by_post.body.contains("Zumbafit for grandparents"));
    // A search its words do not match has no such section.
    assert!(!visitor.get("/search?q=allotment").await.body.contains("Zumbafit"));

    // A reply's words find the conversation too, as soon as it is posted.
    let token = rita.get(&thread).await.csrf_token();
    let replied = rita
        .post(&format!("{thread}/replies"), &[("csrf_token", &token), ("body", "Bring a water bottle")])
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    assert!(visitor.get("/search?q=water+bottle").await.body.contains("Zumbafit for grandparents"));

    // A moderator hides the opening post: the conversation is found no more.
    let opening = {
        use doorstep::store::schema::posts;
        let id = thread.trim_start_matches("/threads/").to_string();
        let mut conn = app.state.store.conn().unwrap();
        posts::table
            .filter(posts::thread_id.eq(id))
            .filter(posts::number.eq(0))
            .select(posts::id)
            .first::<String>(&mut *conn)
            .unwrap()
    };
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, crate::common::PASSWORD).await;
    let form = format!("/staff/moderation/posts/{opening}");
    let hidden =
        connector.submit(&form, &form, &[("action", "hide"), ("reason", "Not for this network")]).await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.body);
    assert!(!visitor.get("/search?q=zumbafit").await.body.contains("Zumbafit for grandparents"));
}

#[actix_web::test]
async fn an_event_is_found_near_where_it_is_and_not_beyond_the_distance_asked() {
    let app = TestApp::with_demo();
    let (venue, postcode) = a_venue(&app);
    add_event(&app, "Knitting natter", EventPlace::Venue(venue), vec![]);
    take_in(&app);
    let mut visitor = app.browser().await;
    let near = visitor.get(&format!("/search?q=knitting&postcode={}", encode(&postcode))).await;
    assert_eq!(near.status, StatusCode::OK);
    assert!(near.body.contains(SECTION) && near.body.contains("Knitting natter"), "{}", near.body);
    assert!(near.body.contains("Coming up") && near.body.contains("10am to 12 noon"), "its next time");
    assert!(near.body.contains("Under 100 m away"), "how far from the postcode searched");

    let (far, metres) = furthest_postcode(&app, &postcode);
    assert!(metres > 2_000.0, "the demo spans more than 2 km ({metres} m)");
    let beyond = visitor.get(&format!("/search?q=knitting&postcode={}&radius_km=1", encode(&far))).await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert!(!beyond.body.contains("Knitting natter"), "{metres} m away is beyond 1 km");
    // The second page of results has the section no more.
    assert!(!visitor.get("/search?q=knitting&page=2").await.body.contains("Knitting natter"));
}

#[actix_web::test]
async fn an_event_at_a_venue_made_confidential_since_is_found_near_nowhere() {
    let app = TestApp::with_demo();
    let (venue, postcode) = a_venue(&app);
    add_event(&app, "Knitting natter", EventPlace::Venue(venue), vec![]);
    take_in(&app);
    let near = format!("/search?q=knitting&postcode={}", encode(&postcode));
    let mut visitor = app.browser().await;
    assert!(visitor.get(&near).await.body.contains("Knitting natter"));

    // A connector marks the venue confidential (a refuge): the change to the
    // venue reaches the second index through its log.
    let connector = app.add_user("keeper@example.org", Role::Connector, None);
    {
        let mut conn = app.state.store.conn().unwrap();
        let mut location = doorstep::store::locations::one(&mut conn, venue).unwrap().0.location;
        let hours = doorstep::store::locations::hours(&mut conn, venue).unwrap();
        location.confidential = true;
        let now = Utc::now().naive_utc();
        doorstep::store::locations::change(&mut conn, (&location, &hours), connector, None, now).unwrap();
    }
    take_in(&app);
    let page = visitor.get(&near).await;
    assert!(!page.body.contains("Knitting natter"), "a confidential place shapes nothing near it");
    // Searched from nowhere in particular, it is still an event, saying nothing of where.
    let anywhere = visitor.get("/search?q=knitting").await;
    assert!(
        anywhere.body.contains("Knitting natter") && anywhere.body.contains("given when you get in touch")
    );
    assert!(!anywhere.body.contains(&postcode));
}

#[actix_web::test]
async fn the_advisors_workspace_shows_events_near_the_caller_that_meet_their_needs() {
    let app = TestApp::with_demo();
    let (venue, _) = a_venue(&app);
    let postcode = central_postcode(&app);
    // An event that names a service meeting a need has that need.
    let (service, need): (ServiceId, String) = {
        let mut conn = app.state.store.conn().unwrap();
        let (service, need): (String, String) = service_needs::table
            .inner_join(needs::table)
            .inner_join(services::table)
            .filter(services::archived_at.is_null())
            .filter(needs::slug.eq("carers-support"))
            .select((service_needs::service_id, needs::slug))
            .first(&mut *conn)
            .unwrap();
        (service.parse().unwrap(), need)
    };
    add_event(&app, "Carers' cuppa", EventPlace::Venue(venue), vec![service]);
    take_in(&app);

    let mut advisor = app.browser().await;
    advisor.sign_in(crate::signposting::ADVISOR, crate::common::PASSWORD).await;
    let started =
        advisor.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "phone")]).await;
    let contact = started.location().to_string();
    let workspace = advisor.get(&format!("{contact}?postcode={}&need={need}", encode(&postcode))).await;
    assert_eq!(workspace.status, StatusCode::OK, "{}", workspace.body);
    assert!(
        workspace.body.contains("Events coming up that meet their needs")
            && workspace.body.contains("Carers"),
        "{}",
        workspace.body
    );
    let other = advisor.get(&format!("{contact}?postcode={}&need=debt", encode(&postcode))).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    assert!(!other.body.contains("Carers&#39; cuppa") && !other.body.contains("Carers' cuppa"));

    // The organisation that runs the service shows the event too.
    let organisation: String = {
        let mut conn = app.state.store.conn().unwrap();
        services::table.find(service.to_string()).select(services::organisation_id).first(&mut *conn).unwrap()
    };
    let page = advisor.get(&format!("/organisations/{organisation}")).await;
    assert!(page.body.contains("Coming up") && page.body.contains("cuppa"), "{}", page.body);
}

#[actix_web::test]
async fn the_second_index_follows_its_log_and_starts_again_when_its_place_is_gone() {
    let app = TestApp::with_demo();
    let (venue, _) = a_venue(&app);
    let ask = ActivityAsk { words: String::from("knitting"), most: 5, ..ActivityAsk::default() };
    let found = |app: &TestApp| app.state.activity.search(&ask, Utc::now()).unwrap().events.len();
    add_event(&app, "Knitting natter", EventPlace::Venue(venue), vec![]);
    assert_eq!(found(&app), 0, "saved through the store alone, it waits in the log");
    take_in(&app);
    assert_eq!(found(&app), 1);

    // The log pruned past where the index had got to (a server stopped for
    // hours): the next step rebuilds, and misses nothing.
    add_event(&app, "Knitting circle", EventPlace::Venue(venue), vec![]);
    {
        let mut conn = app.state.store.conn().unwrap();
        add_event(&app, "Knitting for beginners", EventPlace::Venue(venue), vec![]);
        let later = Utc::now().naive_utc() + Duration::hours(2);
        assert!(doorstep::store::activity_feed::prune(&mut conn, later).unwrap() >= 1);
    }
    take_in(&app);
    assert_eq!(found(&app), 3);
}

#[actix_web::test]
async fn a_renamed_neighbourhoods_conversations_are_found_under_its_new_name() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    start_thread(&mut rita, &slug, "Zumbafit for grandparents", "Moving to music on Fridays").await;
    let hood = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::networks::by_slug(&mut conn, &slug).unwrap().neighbourhood_id.unwrap()
    };
    doorstep::store::neighbourhoods::rename(&mut app.state.store.conn().unwrap(), hood, "Brookside Village")
        .unwrap();
    take_in(&app);
    let page = app.browser().await.get("/search?q=zumbafit").await;
    assert!(
        page.body.contains("Zumbafit for grandparents") && page.body.contains("Brookside Village"),
        "{}",
        page.body
    );
}
