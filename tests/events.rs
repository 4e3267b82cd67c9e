//! Events through the real app: added at a venue of the directory or at an
//! address placed by its postcode, shown on the network, neighbourhood and
//! service pages, as a valid iCalendar file (read back by the `icalendar`
//! crate), repeating in Europe/London time across the clock change, past
//! ones kept; and every kind of bad input said at its field.

use crate::common::{TestApp, central_postcode};
use crate::networks::signed_in_member;
use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use doorstep::domain::ids::{LocationId, NeighbourhoodId};
use icalendar::{Calendar, Component};

/// A neighbourhood's network with venues to offer: its slug, the
/// neighbourhood, and a venue there.
fn network_with_venues(app: &TestApp) -> (String, NeighbourhoodId, LocationId) {
    let mut conn = app.state.store.conn().unwrap();
    for network in doorstep::store::networks::all(&mut conn).unwrap() {
        let Some(hood) = network.neighbourhood_id else { continue };
        if let Some((venue, _)) =
            doorstep::store::events::venues_offered(&mut conn, Some(hood)).unwrap().first()
        {
            return (network.slug, hood, *venue);
        }
    }
    panic!("the demo has venues in its neighbourhoods");
}

/// A date next year that falls on a Tuesday, written as the form takes it.
fn next_years_tuesday() -> NaiveDate {
    let mut date = NaiveDate::from_ymd_opt(Utc::now().year() + 1, 3, 9).unwrap();
    while date.weekday() != chrono::Weekday::Tue {
        date = date.succ_opt().unwrap();
    }
    date
}

fn typed(date: NaiveDate) -> String {
    date.format("%-d/%-m/%Y").to_string()
}

#[actix_web::test]
async fn an_event_at_a_venue_is_on_the_network_neighbourhood_and_service_pages_with_its_calendar_file() {
    let app = TestApp::with_demo();
    let (slug, hood, venue) = network_with_venues(&app);
    let service = {
        let mut conn = app.state.store.conn().unwrap();
        crate::common::most_overdue(&mut conn, Utc::now().naive_utc()).id
    };
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let date = next_years_tuesday();
    let until = date + Duration::weeks(5);
    let form = format!("/networks/{slug}/events/new");
    let action = format!("/networks/{slug}/events");
    let (venue, date_typed, until_typed) = (venue.to_string(), typed(date), typed(until));
    let description = format!("Tea, cake and a chat. Run with [the club](/services/{service}).");
    let fields = [
        ("title", "Tuesday tea"),
        ("description", description.as_str()),
        ("date", date_typed.as_str()),
        ("starts", "10am"),
        ("ends", "12 noon"),
        ("venue", venue.as_str()),
        ("cost_kind", "paid"),
        ("cost", "£1 for tea"),
        ("access", "Step-free"),
        ("who_for", "Everyone"),
        ("repeats", "weekly"),
        ("until", until_typed.as_str()),
    ];
    let added = rita.submit(&form, &action, &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = rita.get(added.location()).await;
    assert!(page.body.contains("Tuesday tea") && page.body.contains("10am to 12 noon"), "{}", page.body);
    assert!(
        page.body.contains("£1 for tea")
            && page.body.contains("Step-free")
            && page.body.contains("Every week until")
    );
    assert!(page.body.contains("Services it is part of"), "the service it links is named");
    assert!(page.body.contains("<svg"), "it is on the map");

    // On the network's page, its neighbourhood's (where the venue is) and the service's.
    assert!(rita.get(&format!("/networks/{slug}")).await.body.contains("Tuesday tea"));
    let hood_slug = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::neighbourhoods::by_id(&mut conn, hood).unwrap().slug
    };
    assert!(rita.get(&format!("/neighbourhoods/{hood_slug}")).await.body.contains("Tuesday tea"));
    assert!(rita.get(&format!("/services/{service}")).await.body.contains("Tuesday tea"));

    // Its calendar file: six Tuesdays, each at 10am London time.
    let ics = rita.get(&format!("{}/calendar.ics", added.location())).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/calendar"));
    let calendar: Calendar = ics.body.parse().expect("a valid iCalendar file");
    let starts: Vec<String> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .map(|e| e.property_value("DTSTART").unwrap().to_string())
        .collect();
    assert_eq!(starts.len(), 6, "{starts:?}");
    let expected: Vec<String> = (0..6)
        .map(|week| {
            let day = date + Duration::weeks(week);
            let local =
                day.and_hms_opt(10, 0, 0).unwrap().and_local_timezone(chrono_tz::Europe::London).unwrap();
            local.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
        })
        .collect();
    assert_eq!(starts, expected, "10am in London each week, summer time or not");
    assert!(
        expected.iter().any(|s| s.ends_with("T090000Z")) && expected.iter().any(|s| s.ends_with("T100000Z")),
        "the run crosses the clock change"
    );
}

#[actix_web::test]
async fn an_event_at_an_address_is_placed_by_its_postcode() {
    let app = TestApp::with_demo();
    let (slug, _, _) = network_with_venues(&app);
    let postcode = central_postcode(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let date = typed(next_years_tuesday());
    let added = rita
        .submit(
            &format!("/networks/{slug}/events/new"),
            &format!("/networks/{slug}/events"),
            &[
                ("title", "Street party"),
                ("description", "Bring a dish"),
                ("date", &date),
                ("starts", "2pm"),
                ("ends", "6pm"),
                ("venue", "address"),
                ("address", "Acacia Avenue"),
                ("postcode", &postcode),
                ("cost_kind", "free"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = rita.get(added.location()).await;
    assert!(page.body.contains("Acacia Avenue") && page.body.contains("Free"));
    assert!(page.body.contains("href=\"/neighbourhoods/"), "placed in a neighbourhood");
}

#[actix_web::test]
async fn bad_events_are_said_at_their_fields_with_what_was_typed_kept() {
    let app = TestApp::with_demo();
    let (slug, _, venue) = network_with_venues(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let form = format!("/networks/{slug}/events/new");
    let action = format!("/networks/{slug}/events");
    let venue = venue.to_string();
    let date = typed(next_years_tuesday());
    let base = |extra: &[(&'static str, &str)]| {
        let mut fields: Vec<(&'static str, String)> = vec![
            ("title", String::from("Knit and natter")),
            ("description", String::from("Cake")),
            ("date", date.clone()),
            ("starts", String::from("10am")),
            ("ends", String::from("11am")),
            ("venue", venue.clone()),
            ("cost_kind", String::from("free")),
        ];
        for (name, value) in extra {
            fields.retain(|(n, _)| n != name);
            fields.push((name, value.to_string()));
        }
        fields
    };
    let spring = typed(last_sunday_of_march(next_years_tuesday().year()));
    let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
        (base(&[("ends", "9am")]), "The event must end after it starts"),
        (base(&[("date", &spring), ("starts", "1:30am"), ("ends", "3am")]), "the clocks go forward"),
        (base(&[("venue", &LocationId::new().to_string())]), "Choose a venue from the list"),
        (
            base(&[("venue", "address"), ("address", "The green"), ("postcode", "ZZ9 9ZZ")]),
            "We do not know the postcode",
        ),
        (base(&[("date", "31/2/2027")]), "Enter the date"),
        (base(&[("date", "1/1/2020")]), "The date has passed"),
        (base(&[("repeats", "weekly"), ("until", "")]), "Enter the last date it happens"),
    ];
    for (fields, said) in cases {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let refused = rita.submit(&form, &action, &pairs).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        assert!(refused.body.contains(said), "{said}: {}", refused.body);
        assert!(refused.body.contains("value=\"Knit and natter\""), "{said}: what was typed is kept");
    }
    // A member whose posts still wait for a moderator may not add events yet.
    let mut newcomer = app.browser().await;
    {
        let token = doorstep::domain::accounts::random_token();
        let mut conn = app.state.store.conn().unwrap();
        let now = Utc::now().naive_utc();
        let id = doorstep::store::members::add_confirmed(&mut conn, "new@example.org", "New", now).unwrap();
        let purpose = doorstep::domain::networks::LinkPurpose::SignIn;
        doorstep::store::members::add_link(&mut conn, id, &token, purpose, now, now + Duration::hours(1))
            .unwrap();
        drop(conn);
        let path = format!("/members/links/{token}");
        newcomer.submit(&path, &path, &[]).await;
    }
    let fields = base(&[]);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let refused = newcomer.submit(&form, &action, &pairs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("once a moderator has approved one of your posts"));
    let none = rita.get(&format!("/networks/{slug}/events")).await;
    assert!(!none.body.contains("Knit and natter"), "nothing was added");
}

fn last_sunday_of_march(year: i32) -> NaiveDate {
    let mut date = NaiveDate::from_ymd_opt(year, 3, 31).unwrap();
    while date.weekday() != chrono::Weekday::Sun {
        date = date.pred_opt().unwrap();
    }
    date
}

#[actix_web::test]
async fn past_events_are_kept_as_a_record() {
    let app = TestApp::with_demo();
    let (slug, _, venue) = network_with_venues(&app);
    let now = Utc::now().naive_utc();
    {
        use doorstep::domain::events::{EventPlace, NewEvent};
        let mut conn = app.state.store.conn().unwrap();
        let network = doorstep::store::networks::by_slug(&mut conn, &slug).unwrap().id;
        let author =
            doorstep::store::members::add_confirmed(&mut conn, "old@example.org", "Old", now).unwrap();
        let starts = (now - Duration::days(10)).date().and_hms_opt(10, 0, 0).unwrap();
        let event = NewEvent {
            title: String::from("Summer fair"),
            description: String::from("It was lovely"),
            starts,
            ends: starts + Duration::hours(3),
            repeat: None,
            place: EventPlace::Venue(venue),
            free: true,
            cost: None,
            access: None,
            who_for: None,
            services: vec![],
        };
        let placed = doorstep::store::events::venue_place(&mut conn, venue).unwrap();
        let span = (starts - Duration::hours(1), starts + Duration::hours(2));
        doorstep::store::events::insert(&mut conn, (network, author), &event, span, &placed, now).unwrap();
    }
    let mut visitor = app.browser().await;
    let events = visitor.get(&format!("/networks/{slug}/events")).await;
    let past = events.body.split("Past events").nth(1).unwrap();
    assert!(past.contains("Summer fair"), "under past events");
    let link = past.split("href=\"/events/").nth(1).map(|rest| format!("/events/{}", &rest[..36])).unwrap();
    let page = visitor.get(&link).await;
    assert!(page.body.contains("This event is over") && !page.body.contains("Add to your calendar"));
}

#[actix_web::test]
async fn an_event_at_a_venue_made_confidential_since_shows_nothing_of_where_it_is() {
    let app = TestApp::with_demo();
    let (slug, _, venue) = network_with_venues(&app);
    let now = Utc::now().naive_utc();
    let (id, street, postcode) = {
        use doorstep::domain::events::{EventPlace, NewEvent};
        let mut conn = app.state.store.conn().unwrap();
        let network = doorstep::store::networks::by_slug(&mut conn, &slug).unwrap().id;
        let author =
            doorstep::store::members::add_confirmed(&mut conn, "host@example.org", "Host", now).unwrap();
        let starts = (now + Duration::days(3)).date().and_hms_opt(10, 0, 0).unwrap();
        let event = NewEvent {
            title: String::from("Drop-in"),
            description: String::from("Come along"),
            starts,
            ends: starts + Duration::hours(2),
            repeat: None,
            place: EventPlace::Venue(venue),
            free: true,
            cost: None,
            access: None,
            who_for: None,
            services: vec![],
        };
        let placed = doorstep::store::events::venue_place(&mut conn, venue).unwrap();
        let span = (starts - Duration::hours(1), starts + Duration::hours(1));
        let id = doorstep::store::events::insert(&mut conn, (network, author), &event, span, &placed, now)
            .unwrap();
        (id, placed.address, placed.postcode)
    };
    let mut visitor = app.browser().await;
    assert!(
        visitor.get(&format!("/events/{id}")).await.body.contains(&postcode),
        "shown while the venue is public"
    );
    {
        use diesel::prelude::*;
        use doorstep::store::schema::locations;
        let mut conn = app.state.store.conn().unwrap();
        diesel::update(locations::table.filter(locations::id.eq(venue.to_string())))
            .set(locations::confidential.eq(true))
            .execute(&mut *conn)
            .unwrap();
    }
    let page = visitor.get(&format!("/events/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for secret in [street.as_str(), postcode.as_str(), &format!("/places/{venue}")] {
        assert!(!page.body.contains(secret), "{secret} is on the page");
    }
    assert!(page.body.contains("given when you get in touch") && !page.body.contains("<svg"));
    let ics = visitor.get(&format!("/events/{id}/calendar.ics")).await;
    let unfolded = ics.body.replace("\r\n ", "");
    assert!(unfolded.contains("Drop-in") && !unfolded.contains(&postcode) && !unfolded.contains(&street));
    let list = visitor.get(&format!("/networks/{slug}/events")).await;
    assert!(!list.body.contains(&street));
}
