//! Emails about new posts, through a real SMTP server: a member hears of new
//! posts in what they follow in one email at most every half hour, never of
//! their own or of a hidden one, and stops them with one click (the link,
//! or their mail program's `List-Unsubscribe-Post`).

use std::time::Duration;

use crate::common::TestApp;
use crate::common::smtp::SmtpServer;
use actix_web::http::StatusCode;
use chrono::{NaiveDateTime, Utc};
use doorstep::domain::ids::{MemberId, NetworkId, ThreadId};
use doorstep::domain::networks::NewThread;
use doorstep::store::{members, networks, threads};

fn send_and_deliver(app: &TestApp, at: NaiveDateTime) -> usize {
    let queued = doorstep::app::notifications::send_due(
        &app.state.store,
        &app.state.config,
        &app.state.cookie_key,
        at,
    )
    .unwrap();
    let (store, mailer, config) = (&app.state.store, &*app.state.mailer, &*app.state.config);
    while doorstep::jobs::outbox::run_once(store, mailer, config, at).unwrap() > 0 {}
    queued
}

struct Scene {
    network: NetworkId,
    follower: MemberId,
    author: MemberId,
}

fn scene(app: &TestApp, now: NaiveDateTime) -> Scene {
    let mut conn = app.state.store.conn().unwrap();
    // A neighbourhood's network nobody in the demo follows.
    let network =
        networks::all(&mut conn).unwrap().into_iter().find(|n| n.neighbourhood.is_some() && n.followers == 0);
    let network = network.expect("a network without followers").id;
    let follower = members::add_confirmed(&mut conn, "follower@example.org", "Follower", now).unwrap();
    networks::follow(&mut conn, follower, network, now).unwrap();
    let author = members::add_confirmed(&mut conn, "author@example.org", "Author", now).unwrap();
    Scene { network, follower, author }
}

fn start(app: &TestApp, scene: &Scene, title: &str, at: NaiveDateTime) -> ThreadId {
    let new = NewThread {
        title: title.into(),
        body: format!("All about {title}"),
        needs: vec![],
        services: vec![],
        organisations: vec![],
    };
    threads::start(&mut app.state.store.conn().unwrap(), scene.network, scene.author, (&new, false), at)
        .unwrap()
}

fn reply(app: &TestApp, thread: ThreadId, by: MemberId, text: &str, at: NaiveDateTime) {
    threads::reply(&mut app.state.store.conn().unwrap(), thread, by, (text, false), at).unwrap();
}

/// The link to `/unsubscribe/…` in a message as the mail server received it.
fn unsubscribe_link(data: &str) -> String {
    let text = data.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find("/unsubscribe/").expect("an unsubscribe link");
    text[at..].chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect()
}

#[actix_web::test]
async fn a_follower_hears_of_new_posts_at_most_every_half_hour_and_never_of_their_own() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let now = Utc::now().naive_utc();
    let scene = scene(&app, now);
    let thread = start(&app, &scene, "Jumble sale", now);
    assert_eq!(send_and_deliver(&app, now), 1, "the follower is told; the author is not");
    let received = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(received[0].to, vec![String::from("follower@example.org")]);
    let mail = &received[0].data;
    assert!(mail.contains("Subject: New in") && mail.contains("Jumble sale"), "{mail}");
    assert!(mail.contains("List-Unsubscribe: <http"), "{mail}");
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{mail}");
    assert!(!mail.contains("author@example.org"), "no member's address is in it");

    // Two more posts soon after wait, and come together in one email later.
    reply(&app, thread, scene.author, "Tables from 9", now + chrono::Duration::minutes(1));
    reply(&app, thread, scene.author, "Cakes welcome", now + chrono::Duration::minutes(2));
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::minutes(5)), 0, "not yet: one every half hour");
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::minutes(31)), 1);
    let received = smtp.wait_for(2, Duration::from_secs(10));
    assert!(received[1].data.contains("2 new posts") && received[1].data.contains("Cakes welcome"));

    // The author follows their own thread: the follower's reply reaches them.
    reply(&app, thread, scene.follower, "I'll bring a table", now + chrono::Duration::minutes(40));
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::minutes(41)), 1);
    let received = smtp.wait_for(3, Duration::from_secs(10));
    assert_eq!(received[2].to, vec![String::from("author@example.org")]);
    assert!(received[2].data.contains("bring a table"));
    // Nothing more is waiting: a second round sends nothing.
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::hours(3)), 0);
}

#[actix_web::test]
async fn one_click_stops_the_emails_and_a_forged_link_does_nothing() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let now = Utc::now().naive_utc();
    let scene = scene(&app, now);
    start(&app, &scene, "Choir practice", now);
    send_and_deliver(&app, now);
    let link = unsubscribe_link(&smtp.wait_for(1, Duration::from_secs(10))[0].data);

    // Opening it changes nothing.
    let mut browser = app.browser().await;
    let before = crate::common::database_contents(&app);
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Stop these emails"));
    assert_eq!(crate::common::database_contents(&app), before);

    // A forged one is not found, and changes nothing.
    let forged = format!("/unsubscribe/{}.{}", scene.follower, "0".repeat(32));
    let mut mail_program = app.browser().await;
    assert_eq!(
        mail_program.post(&forged, &[("List-Unsubscribe", "One-Click")]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(crate::common::database_contents(&app), before);

    // The mail program's one-click POST (no page, no form token) stops them.
    let done = mail_program.post(&link, &[("List-Unsubscribe", "One-Click")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("no more emails about new posts"));
    start(&app, &scene, "Another event", now + chrono::Duration::hours(1));
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::hours(2)), 0, "stopped");

    // Following again turns them back on.
    let mut conn = app.state.store.conn().unwrap();
    doorstep::store::notifications::emails_on(&mut conn, scene.follower).unwrap();
    drop(conn);
    start(&app, &scene, "Back on", now + chrono::Duration::hours(3));
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::hours(4)), 1);
}

#[actix_web::test]
async fn a_post_hidden_before_the_email_goes_is_not_told() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let now = Utc::now().naive_utc();
    let scene = scene(&app, now);
    let thread = start(&app, &scene, "Quiet thread", now);
    send_and_deliver(&app, now);
    reply(&app, thread, scene.author, "Something abusive", now + chrono::Duration::minutes(1));
    {
        let mut conn = app.state.store.conn().unwrap();
        let admin = doorstep::store::users::find_by_email(&mut conn, "admin@kingsmere.example.org")
            .unwrap()
            .unwrap()
            .0;
        let (_, replies) = threads::posts_page(&mut conn, thread, 1, None).unwrap();
        doorstep::store::moderation::hide(
            &mut conn,
            replies[0].id,
            admin.id,
            "Abusive",
            now + chrono::Duration::minutes(2),
        )
        .unwrap();
    }
    assert_eq!(send_and_deliver(&app, now + chrono::Duration::hours(1)), 0);
    assert_eq!(smtp.wait_for(1, Duration::from_secs(5)).len(), 1, "only the first email went");
}
