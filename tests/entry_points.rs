//! Local entry points as places: a hub, library or centre where people walk
//! in and ask about anything has a page (what happens there, when it is
//! open), is found by search near it or by its name, and is listed on its
//! neighbourhood's page. A confidential venue is never a place.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use diesel::prelude::*;
use doorstep::domain::accounts::Role;
use doorstep::domain::ids::LocationId;
use doorstep::store::schema::{locations, service_at_locations};
use doorstep::store::{locations as venues, neighbourhoods};

/// A demo entry point where services meet, its name and postcode.
fn entry_point(app: &TestApp) -> (LocationId, String, String) {
    service_at_locations::table
        .inner_join(locations::table)
        .filter(locations::entry_point.eq(true))
        .filter(locations::confidential.eq(false))
        .select((locations::id, locations::name, locations::postcode))
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap()
}

#[actix_web::test]
async fn an_entry_point_has_a_page_of_what_happens_there_and_when_it_is_open() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let (id, name, postcode) = entry_point(&app);
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    // Its opening times, added on its form.
    let venue = venues::many(&mut app.state.store.conn().unwrap(), &[id]).unwrap().remove(0);
    let edit = format!("/staff/venues/{id}/edit");
    let fields = [
        ("name", venue.name.as_str()),
        ("address_1", venue.address_1.as_str()),
        ("town", venue.town.as_str()),
        ("postcode", postcode.as_str()),
        ("entry_point", "yes"),
        ("times-0-pattern", "weekly"),
        ("times-0-days", "mon"),
        ("times-0-days", "tue"),
        ("times-0-days", "wed"),
        ("times-0-opens", "09:00"),
        ("times-0-closes", "17:00"),
    ];
    let saved = admin.submit(&edit, &format!("/staff/venues/{id}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let mut visitor = app.browser().await;
    let page = visitor.get(&format!("/places/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&name));
    assert!(page.body.contains("Monday to Wednesday, 9am to 5pm"), "its opening times");
    let meeting = doorstep::store::service_lists::at_venue(&mut app.state.store.conn().unwrap(), id).unwrap();
    assert!(!meeting.is_empty());
    for service in &meeting {
        assert!(page.body.contains(&format!("/services/{}", service.id)), "what happens there");
    }
    let history = admin.get(&format!("/staff/venues/{id}/history")).await;
    assert!(history.body.contains("When it runs") && history.body.contains("Monday to Wednesday"));

    // Other venues are no place: a refuge, one that is not an entry point, one archived.
    let refuge: LocationId = locations::table
        .filter(locations::confidential.eq(true))
        .select(locations::id)
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    assert_eq!(visitor.get(&format!("/places/{refuge}")).await.status, StatusCode::NOT_FOUND);
    let plain: LocationId = locations::table
        .filter(locations::entry_point.eq(false))
        .filter(locations::confidential.eq(false))
        .select(locations::id)
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    assert_eq!(visitor.get(&format!("/places/{plain}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(&format!("/places/{}", LocationId::new())).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_entry_point_is_found_by_search_and_on_its_neighbourhoods_page() {
    let app = TestApp::with_demo();
    let (id, name, postcode) = entry_point(&app);
    let mut visitor = app.browser().await;
    let near = visitor.get(&format!("/search?need=loneliness&postcode={}", postcode.replace(' ', "+"))).await;
    assert_eq!(near.status, StatusCode::OK);
    assert!(near.body.contains("Places you can walk in"), "near where was searched");
    assert!(near.body.contains(&format!("/places/{id}")));
    let word = name.split_whitespace().last().unwrap().to_lowercase();
    let named = visitor.get(&format!("/search?q={}", name.replace(' ', "+"))).await;
    assert!(named.body.contains(&format!("/places/{id}")), "by its name, {word} and all");
    let hood = venues::one(&mut app.state.store.conn().unwrap(), id).unwrap().0.neighbourhood.unwrap();
    let slug = neighbourhoods::by_id(&mut app.state.store.conn().unwrap(), hood).unwrap().slug;
    let page = visitor.get(&format!("/neighbourhoods/{slug}")).await;
    assert!(page.body.contains("Places to walk in") && page.body.contains(&format!("/places/{id}")));
    // A refuge is never one, wherever it is searched from.
    let refuge: (LocationId, String) = locations::table
        .filter(locations::confidential.eq(true))
        .select((locations::id, locations::postcode))
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    let there =
        visitor.get(&format!("/search?need=domestic-abuse&postcode={}", refuge.1.replace(' ', "+"))).await;
    assert!(!there.body.contains(&format!("/places/{}", refuge.0)));
}
