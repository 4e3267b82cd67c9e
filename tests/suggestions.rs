//! Suggestions from the public: "Suggest a change" on a service's page and
//! "Tell us about a service" on a need's; no account, an optional address
//! to hear back, a field robots fill in, a limit per address; each waits in
//! the approval queue, and the suggester hears back when they gave an address.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use diesel::prelude::*;
use doorstep::domain::accounts::Role;
use doorstep::store::schema::{outbox, proposals};

fn a_service(app: &TestApp) -> (String, String) {
    let mut conn = app.state.store.conn().unwrap();
    let id = doorstep::store::service_lists::running_ids(&mut conn).unwrap()[0];
    let name = doorstep::store::services::input(&mut conn, id).unwrap().name;
    (id.to_string(), name)
}

fn kept(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    proposals::table
        .select((proposals::kind, proposals::message, proposals::email))
        .load(&mut *app.state.store.conn().unwrap())
        .unwrap()
}

#[actix_web::test]
async fn a_visitor_suggests_a_change_and_hears_back_once_it_is_done() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let (id, name) = a_service(&app);
    let mut visitor = app.browser().await;
    let page = visitor.get(&format!("/services/{id}")).await;
    assert!(page.body.contains(&format!("href=\"/services/{id}/suggest\"")), "the page offers it");
    let form = format!("/services/{id}/suggest");
    let sent = visitor
        .submit(
            &form,
            &form,
            &[("message", "It meets on Thursdays now."), ("email", "pat@example.org"), ("website", "")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let thanks = visitor.get(sent.location()).await;
    assert!(thanks.body.contains("Thank you."));
    assert_eq!(
        kept(&app),
        [(
            "suggestion".to_string(),
            Some("It meets on Thursdays now.".to_string()),
            Some("pat@example.org".to_string())
        )]
    );

    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let queue = admin.get("/staff/approvals").await;
    assert!(queue.body.contains(&format!("A suggestion: {name}")), "in the queue");
    let proposal: String =
        proposals::table.select(proposals::id).first(&mut *app.state.store.conn().unwrap()).unwrap();
    let path = format!("/staff/approvals/{proposal}");
    let shown = admin.get(&path).await;
    assert!(shown.body.contains("It meets on Thursdays now.") && shown.body.contains("Mark as done"));
    let done = admin.submit(&path, &format!("{path}/accept"), &[("note", "Changed to Thursdays")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    // The answer waits in the outbox, and the address is forgotten.
    let (to, message): (String, Vec<u8>) = outbox::table
        .filter(outbox::kind.eq("suggestion"))
        .select((outbox::recipient, outbox::message))
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    assert_eq!(to, "pat@example.org");
    let message = String::from_utf8_lossy(&message);
    assert!(message.contains("made the change") && message.contains("Changed to Thursdays"));
    assert_eq!(kept(&app)[0].2, None, "the address is deleted once answered");
}

#[actix_web::test]
async fn a_service_not_listed_is_told_of_from_a_need_page_and_a_rejection_says_why() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let mut visitor = app.browser().await;
    let need = visitor.get("/needs/loneliness").await;
    assert!(need.body.contains("href=\"/needs/loneliness/suggest\""));
    let form = "/needs/loneliness/suggest";
    let missing =
        visitor.submit(form, form, &[("message", "Tuesdays at the library"), ("email", "nope")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#service_name\"") && missing.body.contains("href=\"#email\""));
    assert!(missing.body.contains("Tuesdays at the library"), "what was typed is kept");
    assert!(kept(&app).is_empty());
    let sent = visitor
        .submit(
            form,
            form,
            &[
                ("service_name", "Knit and Natter"),
                ("message", "Tuesdays at the library"),
                ("email", "sam@example.org"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(
        kept(&app)[0].1.as_deref(),
        Some(
            "Knit and Natter\n\nTuesdays at the library\n\n(Told of from the page of Loneliness and isolation.)"
        )
    );

    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let proposal: String =
        proposals::table.select(proposals::id).first(&mut *app.state.store.conn().unwrap()).unwrap();
    let path = format!("/staff/approvals/{proposal}");
    let rejected = admin.submit(&path, &format!("{path}/reject"), &[("why", "It closed last year")]).await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let message: Vec<u8> =
        outbox::table.select(outbox::message).first(&mut *app.state.store.conn().unwrap()).unwrap();
    let message = String::from_utf8_lossy(&message);
    assert!(message.contains("has not made the change") && message.contains("It closed last year"));
}

#[actix_web::test]
async fn robots_oversized_suggestions_and_floods_are_turned_away_and_nothing_is_lost() {
    let app = TestApp::with_demo();
    let (id, _) = a_service(&app);
    let form = format!("/services/{id}/suggest");
    let mut robot = app.browser().await;
    let trapped = robot
        .submit(&form, &form, &[("message", "Buy cheap pills"), ("website", "http://spam.example")])
        .await;
    assert_eq!(trapped.status, StatusCode::SEE_OTHER, "a robot is thanked");
    assert!(kept(&app).is_empty(), "and nothing is kept");

    let mut visitor = app.browser().await;
    let long = "a".repeat(6_000);
    let too_long = visitor.submit(&form, &form, &[("message", &long)]).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains("href=\"#message\""));
    let huge = "a".repeat(1_000_000);
    let too_big = visitor.submit(&form, &form, &[("message", &huge)]).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(kept(&app).is_empty());

    for n in 0..5 {
        let sent = visitor.submit(&form, &form, &[("message", &format!("Change number {n}"))]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    let flood = visitor.submit(&form, &form, &[("message", "One too many")]).await;
    assert_eq!(flood.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(kept(&app).len(), 5, "the five kept, the sixth not");
    // Another address may still.
    let mut elsewhere = app.browser().await;
    elsewhere.address = "198.51.100.7:40000".into();
    let other = elsewhere.submit(&form, &form, &[("message", "From elsewhere")]).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}
