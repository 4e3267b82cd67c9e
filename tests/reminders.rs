//! Reminders with a link that needs no signing in: when an organisation's
//! listings fall due its contact is emailed (at most once a week), and
//! answers for each listing once; and each connector's weekly summary.

use std::time::Duration;

use crate::common::TestApp;
use crate::common::smtp::SmtpServer;
use actix_web::http::StatusCode;
use chrono::Utc;
use diesel::prelude::*;
use doorstep::app::listings::reminders;
use doorstep::domain::accounts::Role;
use doorstep::store::schema::{proposals, reminder_services};
use doorstep::store::services;

/// The reminder link in a message as the mail server received it.
fn reminder_link(data: &str) -> String {
    let text = data.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find("/reminders/").expect("a reminder link");
    text[at..].chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect()
}

/// The services a reminder asks about, in the order its page shows them.
fn asked(body: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for rest in body.split("name=\"service\" value=\"").skip(1) {
        let id = rest[..36].to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[actix_web::test]
async fn an_organisation_is_reminded_through_the_mail_server_and_answers_each_listing_once() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let (store, config) = (&app.state.store, &*app.state.config);
    let now = Utc::now().naive_utc();
    // Each step reminds some organisations, until every one due has been.
    let mut sent = 0;
    loop {
        let step = reminders::send_due(store, config, now).unwrap();
        if step == 0 {
            break;
        }
        sent += step;
    }
    assert!(sent > 0, "the demo has organisations with listings due and an email");
    // At most one a week to each: six days on, none of them is reminded again.
    let reminded = |app: &TestApp| -> std::collections::BTreeMap<String, i64> {
        use doorstep::store::schema::reminders;
        let rows: Vec<String> = reminders::table
            .select(reminders::organisation_id)
            .load(&mut *app.state.store.conn().unwrap())
            .unwrap();
        rows.into_iter().fold(Default::default(), |mut counts, org| {
            *counts.entry(org).or_default() += 1;
            counts
        })
    };
    let first_round = reminded(&app);
    while reminders::send_due(store, config, now + chrono::Duration::days(6)).unwrap() > 0 {}
    let week_later = reminded(&app);
    assert!(first_round.keys().all(|org| week_later[org] == 1), "none reminded twice within a week");
    while doorstep::jobs::outbox::run_once(store, &app.state.mailer, config, now).unwrap() > 0 {}
    let received = smtp.wait_for(sent, Duration::from_secs(20));
    assert_eq!(received.len(), sent, "each reminder through the real mail server");
    let link = reminder_link(&received[0].data);
    assert!(received[0].data.contains("Subject: Are "), "it asks whether the listings are still right");
    let path = link[link.find("/reminders/").unwrap()..].to_string();

    // Opening it changes nothing, and needs no account.
    let mut contact = app.browser().await;
    let before = crate::common::database_contents(&app);
    let page = contact.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(crate::common::database_contents(&app), before, "GET changes nothing");
    let listings = asked(&page.body);
    assert!(!listings.is_empty());
    let first: doorstep::domain::ids::ServiceId = listings[0].parse().unwrap();

    // "Still running as shown": checked today, once.
    let token = page.csrf_token();
    let confirm = [("csrf_token", token.as_str()), ("service", listings[0].as_str()), ("answer", "running")];
    let done = contact.post(&path, &confirm).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let view = services::view(&mut app.state.store.conn().unwrap(), first).unwrap();
    assert!(view.last_verified_at.unwrap() > now - chrono::Duration::minutes(1), "checked today");
    let again = contact.post(&path, &confirm).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "an answer is taken once");
    assert!(again.body.contains("answered already"));
    let shown = contact.get(&path).await;
    assert!(shown.body.contains("Answered, thank you: </strong>Still running as shown"));

    // A capacity, where there is a second listing; a change goes to the queue.
    if let Some(second) = listings.get(1) {
        let full = [("csrf_token", token.as_str()), ("service", second.as_str()), ("answer", "full")];
        assert_eq!(contact.post(&path, &full).await.status, StatusCode::SEE_OTHER);
        let id: doorstep::domain::ids::ServiceId = second.parse().unwrap();
        let view = services::view(&mut app.state.store.conn().unwrap(), id).unwrap();
        assert_eq!(view.details.capacity, Some(doorstep::domain::directory::Capacity::Full));
        assert_eq!(view.capacity_said_on, Some(Utc::now().date_naive()));
    }
    let answered: i64 = reminder_services::table
        .filter(reminder_services::answered_at.is_not_null())
        .count()
        .get_result(&mut *app.state.store.conn().unwrap())
        .unwrap();
    assert_eq!(answered, listings.len().min(2) as i64);
    // A forged link finds nothing; a listing the reminder does not ask about is refused.
    assert_eq!(contact.get("/reminders/not-a-real-token").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_change_described_waits_for_a_connector_and_an_expired_link_is_refused() {
    let app = TestApp::with_demo();
    let (store, config) = (&app.state.store, &*app.state.config);
    let now = Utc::now().naive_utc();
    reminders::send_due(store, config, now).unwrap();
    let message: Vec<u8> = doorstep::store::schema::outbox::table
        .filter(doorstep::store::schema::outbox::kind.eq("reminder"))
        .select(doorstep::store::schema::outbox::message)
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    let link = reminder_link(&String::from_utf8_lossy(&message));
    let path = link[link.find("/reminders/").unwrap()..].to_string();
    let mut contact = app.browser().await;
    let page = contact.get(&path).await;
    let listing = asked(&page.body)[0].clone();
    let token = page.csrf_token();
    // Describing nothing is a problem at the field, and nothing is taken.
    let field = format!("change-{listing}");
    let empty = contact
        .post(&path, &[("csrf_token", &token), ("service", &listing), ("answer", "change"), (&field, " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains(&format!("href=\"#{field}\"")));
    let said = "We now meet on Wednesdays";
    let sent = contact
        .post(&path, &[("csrf_token", &token), ("service", &listing), ("answer", "change"), (&field, said)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let waiting: Vec<Option<String>> =
        proposals::table.select(proposals::message).load(&mut *app.state.store.conn().unwrap()).unwrap();
    assert_eq!(waiting, [Some(said.to_string())], "in the approval queue");

    // Thirty-one days on, the link has expired: a clear message, nothing taken.
    let later = now + chrono::Duration::days(31);
    let expired = doorstep::store::reminders::page(
        &mut app.state.store.conn().unwrap(),
        path.trim_start_matches("/reminders/"),
        later,
        later.date(),
    )
    .unwrap();
    assert_eq!(expired, doorstep::store::reminders::Found::Expired);
}

#[actix_web::test]
async fn each_connector_gets_a_weekly_summary_of_their_queue() {
    let app = TestApp::with_demo();
    let hood = doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap().remove(0);
    app.add_user_for("kim@example.org", Role::Connector, None, vec![hood.slug.clone()]);
    app.add_user("lee@example.org", Role::Advisor, None);
    let (store, config) = (&app.state.store, &*app.state.config);
    let now = Utc::now().naive_utc();
    let sent = reminders::send_summaries(store, config, now).unwrap();
    assert!(sent >= 2, "the demo's connector and Kim");
    assert_eq!(
        reminders::send_summaries(store, config, now + chrono::Duration::days(2)).unwrap(),
        0,
        "once a week"
    );
    assert_eq!(
        reminders::send_summaries(store, config, now + chrono::Duration::days(8)).unwrap(),
        sent,
        "and again next week"
    );
    let recipients: Vec<String> = doorstep::store::schema::outbox::table
        .filter(doorstep::store::schema::outbox::kind.eq("queue_summary"))
        .select(doorstep::store::schema::outbox::recipient)
        .load(&mut *app.state.store.conn().unwrap())
        .unwrap();
    assert!(recipients.contains(&"kim@example.org".to_string()));
    assert!(!recipients.contains(&"lee@example.org".to_string()), "advisors get none");
}

#[actix_web::test]
async fn an_organisation_whose_address_cannot_be_written_to_does_not_stop_the_others() {
    let app = TestApp::with_demo();
    {
        use doorstep::store::schema::organisations;
        let mut conn = app.state.store.conn().unwrap();
        // The first organisation due, with an address as a feed might bring
        // it: not one any mail can go to.
        let now = Utc::now().naive_utc();
        let due =
            doorstep::store::reminders::due(&mut conn, now - chrono::Duration::days(182), now, 1).unwrap();
        let first = due[0].organisation.to_string();
        diesel::update(organisations::table.find(first))
            .set(organisations::email.eq("not an address"))
            .execute(&mut *conn)
            .unwrap();
    }
    let (store, config) = (&app.state.store, &*app.state.config);
    let sent = reminders::send_due(store, config, Utc::now().naive_utc()).unwrap();
    assert!(sent > 0, "the others are reminded");
}
