//! Feeds out: each network, neighbourhood and service, and the whole area,
//! has an Atom feed and an iCalendar feed, and each neighbourhood a weekly
//! Atom feed of new and changed listings. Each is read back with the crates
//! that read feeds coming in (`feed-rs`, `icalendar`), as a feed reader or a
//! calendar would, and says what the pages say.

use crate::common::TestApp;
use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use doorstep::domain::events::{EventPlace, NewEvent};
use icalendar::parser::{read_calendar, unfold};

/// An Atom feed read as a feed reader reads it, and its content type.
fn atom(body: &str) -> feed_rs::model::Feed {
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    feed
}

/// The summaries of an iCalendar feed's events, as a calendar reads it.
fn summaries(body: &str) -> Vec<String> {
    let unfolded = unfold(body);
    let calendar = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}: {body}"));
    calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            for required in ["UID", "DTSTAMP", "DTSTART", "DTEND"] {
                assert!(c.find_prop(required).is_some(), "every event has {required}: {body}");
            }
            c.find_prop("SUMMARY").unwrap().val.to_string()
        })
        .collect()
}

#[actix_web::test]
async fn each_network_neighbourhood_service_and_the_area_can_be_followed_by_atom_and_icalendar() {
    let app = TestApp::with_demo();
    let (network, hood, service, thread_title) = {
        let mut conn = app.state.store.conn().unwrap();
        let hood = doorstep::store::neighbourhoods::all(&mut conn).unwrap().remove(0);
        let network = doorstep::store::networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap();
        let thread = doorstep::store::threads::of_network(&mut conn, network.id, 1).unwrap().remove(0);
        let reach =
            doorstep::store::local_services::service_reach(&mut conn, std::slice::from_ref(&hood)).unwrap();
        let service =
            *reach[&hood.id].based.iter().next().expect("a service based in the first neighbourhood");
        (network, hood, service, thread.title)
    };
    // A notice about the service, and an event naming it.
    let (notice, event) = {
        let mut conn = app.state.store.conn().unwrap();
        let now = Utc::now().naive_utc();
        let host =
            doorstep::store::members::add_confirmed(&mut conn, "host@example.org", "Host", now).unwrap();
        doorstep::store::notices::insert(
            &mut conn,
            service,
            host,
            ("Taking new people from Monday", None),
            now,
        )
        .unwrap();
        let venue = doorstep::store::events::venues_offered(&mut conn, Some(hood.id)).unwrap()[0].0;
        let placed = doorstep::store::events::venue_place(&mut conn, venue).unwrap();
        let starts = (now + Duration::days(2)).date().and_hms_opt(10, 0, 0).unwrap();
        let new = NewEvent {
            title: String::from("Open morning at the lunch club"),
            description: String::from("Come and see."),
            starts,
            ends: starts + Duration::hours(2),
            repeat: None,
            place: EventPlace::Venue(venue),
            free: true,
            cost: None,
            access: None,
            who_for: None,
            services: vec![service],
        };
        let span = (starts - Duration::hours(1), starts + Duration::hours(3));
        doorstep::store::events::insert(&mut conn, (network.id, host), &new, span, &placed, now).unwrap();
        (String::from("Taking new people from Monday"), new.title)
    };
    let mut visitor = app.browser().await;

    // A network: its conversations, and its events.
    let page = visitor.get(&format!("/networks/{}", network.slug)).await;
    assert!(page.body.contains(&format!("/networks/{}/feed.atom", network.slug)), "the page links its feeds");
    let answer = visitor.get(&format!("/networks/{}/feed.atom", network.slug)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers.get("content-type").unwrap(), "application/atom+xml; charset=utf-8");
    let feed = atom(&answer.body);
    assert!(feed.title.unwrap().content.contains(&network.name));
    let first = &feed.entries[0];
    assert_eq!(first.title.as_ref().unwrap().content, thread_title, "the latest conversation first");
    assert!(first.links[0].href.contains("/threads/"), "{:?}", first.links);
    let answer = visitor.get(&format!("/networks/{}/calendar.ics", network.slug)).await;
    assert_eq!(answer.headers.get("content-type").unwrap(), "text/calendar; charset=utf-8");
    assert!(summaries(&answer.body).contains(&event), "{}", answer.body);

    // A neighbourhood: its network's conversations and its services' notices.
    let feed = atom(&visitor.get(&format!("/neighbourhoods/{}/feed.atom", hood.slug)).await.body);
    let titles: Vec<String> =
        feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert!(titles.iter().any(|t| t.ends_with(&notice)), "{titles:?}");
    assert!(titles.contains(&thread_title), "{titles:?}");
    let hood_calendar = visitor.get(&format!("/neighbourhoods/{}/calendar.ics", hood.slug)).await;
    assert!(summaries(&hood_calendar.body).contains(&event));

    // A service: its notices, and the events that name it.
    let feed = atom(&visitor.get(&format!("/services/{service}/feed.atom")).await.body);
    assert!(feed.entries.iter().any(|e| e.title.as_ref().unwrap().content.ends_with(&notice)));
    let service_events = summaries(&visitor.get(&format!("/services/{service}/calendar.ics")).await.body);
    assert_eq!(service_events, std::slice::from_ref(&event));

    // The whole area.
    let feed = atom(&visitor.get("/feed.atom").await.body);
    let titles: Vec<String> =
        feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert!(titles.contains(&thread_title) && titles.iter().any(|t| t.ends_with(&notice)), "{titles:?}");
    let updated: Vec<_> = feed.entries.iter().map(|e| e.updated.unwrap()).collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "newest first: {updated:?}");
    assert!(summaries(&visitor.get("/calendar.ics").await.body).contains(&event));

    // Nothing that is not there.
    assert_eq!(visitor.get("/networks/nowhere/feed.atom").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/neighbourhoods/nowhere/listings.atom").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_neighbourhood_has_a_weekly_feed_of_its_new_and_changed_listings() {
    let app = TestApp::with_demo();
    let hood = doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap().remove(0);
    let mut visitor = app.browser().await;
    let answer = visitor.get(&format!("/neighbourhoods/{}/listings.atom", hood.slug)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let feed = atom(&answer.body);
    // The demo was written today: this week's entry has every listing based there, as new.
    assert_eq!(feed.entries.len(), 1, "{}", answer.body);
    let week = &feed.entries[0];
    assert!(
        week.title
            .as_ref()
            .unwrap()
            .content
            .starts_with(&format!("New and changed listings in {}, week of", hood.name))
    );
    let based = {
        let mut conn = app.state.store.conn().unwrap();
        let reach =
            doorstep::store::local_services::service_reach(&mut conn, std::slice::from_ref(&hood)).unwrap();
        reach[&hood.id].based.len()
    };
    let content = week.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert_eq!(content.matches("(new)").count(), based, "{content}");
    assert!(week.summary.as_ref().unwrap().content.starts_with(&format!("{based} new, 0 changed")));
}
