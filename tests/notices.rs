//! Notices about a service through the real app: from someone who keeps the
//! listing it is shown and its capacity changes the listing (with the
//! history saying why); from anyone else it waits for a connector as a
//! suggestion and is not shown.

use crate::common::{PASSWORD, TestApp};
use crate::networks::signed_in_member;
use actix_web::http::StatusCode;

const EDITOR: &str = "editor@kingsmere.example.org";

/// A service of the demo editor's organisation.
fn editors_service(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().unwrap();
    let editor = doorstep::store::users::find_by_email(&mut conn, EDITOR).unwrap().unwrap().0;
    let view = doorstep::store::organisations::view(&mut conn, editor.organisation.unwrap()).unwrap();
    view.services[0].id.to_string()
}

#[actix_web::test]
async fn a_notice_from_the_organisation_is_shown_and_changes_the_listings_capacity() {
    let app = TestApp::with_demo();
    let service = editors_service(&app);
    let mut editor = app.browser().await;
    editor.sign_in(EDITOR, PASSWORD).await;
    let form = format!("/services/{service}/notices/new");
    let action = format!("/services/{service}/notices");
    let long = "x".repeat(300);
    let too_long = editor.submit(&form, &action, &[("body", long.as_str()), ("capacity", "full")]).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains("280 characters or fewer") && too_long.body.contains(&long));
    let posted = editor
        .submit(&form, &action, &[("body", "We are full until the new year, sorry."), ("capacity", "full")])
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let mut visitor = app.browser().await;
    let page = visitor.get(&format!("/services/{service}")).await;
    assert!(
        page.body.contains("We are full until the new year")
            && page.body.contains("Pat Reilly, Organisation editor")
    );
    let history = editor.get(&format!("/staff/services/{service}/history")).await;
    assert!(history.body.contains("A notice from Pat Reilly"), "the history says why the capacity changed");
    let mut conn = app.state.store.conn().unwrap();
    let input = doorstep::store::services::input(&mut conn, service.parse().unwrap()).unwrap();
    assert_eq!(input.capacity, Some(doorstep::domain::directory::Capacity::Full));
}

#[actix_web::test]
async fn a_notice_from_anyone_else_waits_for_a_connector() {
    let app = TestApp::with_demo();
    let service = editors_service(&app);
    let before = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::services::input(&mut conn, service.parse().unwrap()).unwrap().capacity
    };
    let mut member = app.browser().await;
    signed_in_member(&app, &mut member, "kim@example.org", "Kim").await;
    let form = format!("/services/{service}/notices/new");
    let action = format!("/services/{service}/notices");
    let empty = member.submit(&form, &action, &[("body", " "), ("capacity", "taking")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Write the notice"));
    let sent = member
        .submit(&form, &action, &[("body", "They told me they have places again"), ("capacity", "taking")])
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("A community connector will check it"));
    let page = member.get(&format!("/services/{service}")).await;
    assert!(!page.body.contains("They told me they have places again"), "not shown");
    let mut conn = app.state.store.conn().unwrap();
    let after = doorstep::store::services::input(&mut conn, service.parse().unwrap()).unwrap().capacity;
    assert_eq!(after, before, "the listing is unchanged");
    drop(conn);
    let mut connector = app.browser().await;
    connector.sign_in("connector@kingsmere.example.org", PASSWORD).await;
    let queue = connector.get("/staff/approvals").await;
    let marker = "href=\"/staff/approvals/";
    let at = queue.body.find(marker).expect("a suggestion waits") + marker.len();
    let suggestion = connector.get(&format!("/staff/approvals/{}", &queue.body[at..at + 36])).await;
    assert!(
        suggestion.body.contains("A notice from Kim, a network member: They told me they have places again")
    );
    assert!(suggestion.body.contains("It says: Taking new people."));
}
