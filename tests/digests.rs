//! Digests through a real SMTP server: a member who chose a weekly digest
//! gets one email a week of what happened in the networks they follow
//! (new conversations, what is coming up, notices, new and changed
//! listings), plain text and HTML, once however many times and servers
//! try, and again only the next week; a daily digest comes each morning;
//! one click in it stops it.

use std::time::Duration as Wait;

use crate::common::TestApp;
use crate::common::smtp::SmtpServer;
use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDateTime, Utc};
use doorstep::domain::digests::DigestEvery;
use doorstep::domain::ids::{MemberId, NetworkId};
use doorstep::domain::networks::NewThread;
use doorstep::store::{digests, members, networks, threads};

fn send(app: &TestApp, at: NaiveDateTime) -> usize {
    doorstep::app::digests::send_due(&app.state.store, &app.state.config, &app.state.cookie_key, at).unwrap()
}

fn deliver(app: &TestApp, at: NaiveDateTime) {
    let (store, mailer, config) = (&app.state.store, &*app.state.mailer, &*app.state.config);
    while doorstep::jobs::outbox::run_once(store, mailer, config, at).unwrap() > 0 {}
}

/// 8am on the Monday after today (GMT in winter, BST in summer: 7am or 8am
/// in London, after the digests' 7am either way).
fn next_monday() -> NaiveDateTime {
    let mut day = Utc::now().date_naive() + Duration::days(1);
    while day.weekday() != chrono::Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    day.and_hms_opt(8, 0, 0).unwrap()
}

fn a_network_nobody_follows(app: &TestApp) -> NetworkId {
    let mut conn = app.state.store.conn().unwrap();
    let quiet =
        networks::all(&mut conn).unwrap().into_iter().find(|n| n.neighbourhood.is_some() && n.followers == 0);
    quiet.expect("a network without followers").id
}

fn member(app: &TestApp, email: &str, network: NetworkId, every: DigestEvery, at: NaiveDateTime) -> MemberId {
    let mut conn = app.state.store.conn().unwrap();
    let member = members::add_confirmed(&mut conn, email, "Pat", at).unwrap();
    networks::follow(&mut conn, member, network, at).unwrap();
    digests::choose(&mut conn, member, every).unwrap();
    member
}

fn start(app: &TestApp, network: NetworkId, title: &str, at: NaiveDateTime) {
    let mut conn = app.state.store.conn().unwrap();
    let author =
        members::add_confirmed(&mut conn, &format!("{}@example.org", title.len()), "Author", at).unwrap();
    let new = NewThread {
        title: title.into(),
        body: format!("All about {title}"),
        needs: vec![],
        services: vec![],
        organisations: vec![],
    };
    threads::start(&mut conn, network, author, (&new, false), at).unwrap();
}

#[actix_web::test]
async fn a_weekly_digest_comes_once_a_week_whoever_sends_it() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let monday = next_monday();
    let network = a_network_nobody_follows(&app);
    member(&app, "weekly@example.org", network, DigestEvery::Weekly, monday - Duration::days(10));
    member(&app, "none@example.org", network, DigestEvery::Off, monday - Duration::days(10));
    start(&app, network, "Jumble sale on Saturday", monday - Duration::days(2));
    start(&app, network, "Old news", monday - Duration::days(9));

    // Two servers' jobs at once, and again later that week: one digest.
    let (first, second) = (app.state.clone(), app.state.clone());
    let both = [first, second].map(|state| {
        std::thread::spawn(move || {
            doorstep::app::digests::send_due(&state.store, &state.config, &state.cookie_key, monday).unwrap()
        })
    });
    let queued: usize = both.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(queued, 1, "one digest, whichever server sent it");
    assert_eq!(send(&app, monday + Duration::days(3)), 0, "not again the same week");
    if app.dir.database_url().is_some() {
        let other = app.another_server();
        assert_eq!(send(&other, monday + Duration::hours(1)), 0, "nor from another server");
    }
    deliver(&app, monday);
    let received = smtp.wait_for(1, Wait::from_secs(10));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, vec![String::from("weekly@example.org")]);
    let mail = received[0].data.replace("=\r\n", "");
    assert!(mail.contains("Subject: Your weekly digest from the neighbourhood networks"), "{mail}");
    assert!(mail.contains("Jumble sale on Saturday"), "{mail}");
    assert!(!mail.contains("Old news"), "only what happened in the week before: {mail}");
    assert!(mail.contains("Content-Type: text/plain") && mail.contains("Content-Type: text/html"), "{mail}");
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{mail}");

    // The next week: a new one, with the next week's news.
    start(&app, network, "Litter pick", monday + Duration::days(4));
    assert_eq!(send(&app, monday + Duration::days(7)), 1);
    deliver(&app, monday + Duration::days(7));
    let received = smtp.wait_for(2, Wait::from_secs(10));
    assert!(received[1].data.contains("Litter pick") && !received[1].data.contains("Jumble sale"));

    // One click in it stops it.
    let text = received[1].data.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find("/unsubscribe/").unwrap();
    let link: String =
        text[at..].chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect();
    let mut mail_program = app.browser().await;
    let done = mail_program.post(&link, &[("List-Unsubscribe", "One-Click")]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("and no digest"), "{}", done.body);
    start(&app, network, "Carol singing", monday + Duration::days(10));
    assert_eq!(send(&app, monday + Duration::days(14)), 0, "stopped");
}

#[actix_web::test]
async fn a_daily_digest_comes_each_morning_with_what_is_coming_up_and_nothing_when_nothing_happened() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let monday = next_monday();
    let network = a_network_nobody_follows(&app);
    member(&app, "daily@example.org", network, DigestEvery::Daily, monday - Duration::days(10));
    start(&app, network, "Soup on Friday", monday - Duration::hours(5));
    assert_eq!(send(&app, monday), 1);
    assert_eq!(send(&app, monday + Duration::hours(20)), 0, "the same day, until 7am tomorrow");
    let events = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::events::in_network(&mut conn, network, monday + Duration::days(1), false, 50)
            .unwrap()
    };
    let tuesday = send(&app, monday + Duration::days(1));
    assert_eq!(tuesday, usize::from(!events.is_empty()), "an email only when there is something to tell");
    deliver(&app, monday + Duration::days(1));
    let received = smtp.wait_for(1 + tuesday, Wait::from_secs(10));
    assert!(
        received[0].data.contains("Subject: Your daily digest")
            && received[0].data.contains("Soup on Friday")
    );
}
