//! The shortlist's email after it is sent: an address the mail server
//! refuses, the mail server being down, the follow-up and its answer, an
//! email given up after three days, and every signed link changing nothing
//! when it is opened.

use std::time::Duration;

use crate::common::smtp::SmtpServer;
use crate::common::{self, PASSWORD, TestApp, stored_anywhere};
use crate::signposting::{ADVISOR, CITIZEN, Ready, demo_with_mailbox, ready_to_send, values};
use actix_web::http::StatusCode;
use chrono::Utc;
use doorstep::mail::Mailer;
use doorstep::store::signposting;

#[actix_web::test]
async fn an_address_the_mail_server_refuses_is_said_at_the_field_and_not_kept() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    let Ready { contact, shortlist, key, .. } = ready_to_send(&mut browser, "phone", "need=loneliness").await;
    let refused = browser
        .post(
            &format!("{contact}/email"),
            &[("csrf_token", &shortlist.csrf_token()), ("key", &key), ("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("The mail server refused this address"), "{}", refused.body);
    assert!(
        refused.body.contains("value=\"nobody@example.org\""),
        "the address is kept on the page to correct"
    );
    assert!(refused.body.contains("not delivered; given up"));
    assert_eq!(stored_anywhere(&app, "nobody@example.org"), Vec::<String>::new(), "and not in the database");
    // Corrected, it goes: the form came back with a new key.
    let new_key = values(&refused.body, "key")[0].clone();
    assert_ne!(new_key, key);
    let sent = browser
        .post(
            &format!("{contact}/email"),
            &[("csrf_token", &shortlist.csrf_token()), ("key", &new_key), ("email", CITIZEN)],
        )
        .await;
    assert!(sent.location().ends_with("notice=sent"), "{}", sent.location());
    assert_eq!(smtp.wait_for(1, Duration::from_secs(10)).len(), 1);
}

#[actix_web::test]
async fn when_the_mail_server_is_down_the_email_waits_and_goes_once_it_is_up() {
    // A port nobody listens on, yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let app = TestApp::with_demo_and(|config| {
        config.mail_url = Some(format!("smtp://{port}"));
        config.mail_retry_seconds = 1;
    });
    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    let Ready { contact, service, shortlist, key } =
        ready_to_send(&mut browser, "online", "need=loneliness&need=debt").await;
    let form = [("csrf_token", shortlist.csrf_token()), ("key", key), ("email", CITIZEN.to_string())];
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let sent = browser.post(&format!("{contact}/email"), &fields).await;
    assert!(sent.location().ends_with("notice=queued"), "{}", sent.location());
    let page = browser.get(sent.location()).await;
    assert!(page.body.contains("could not take the email just now"), "a clear message");
    assert!(page.body.contains("waiting to be sent"));
    assert!(page.body.contains(&format!("/services/{service}")), "the shortlist is kept");

    // The advisor presses send again: still one email.
    let twice = browser.post(&format!("{contact}/email"), &fields).await;
    assert!(twice.location().ends_with("notice=already-queued"), "{}", twice.location());

    // The server comes up; the outbox job's next rounds deliver it, once.
    let smtp = SmtpServer::start_on(port);
    let (store, mailer, config) = (&app.state.store, &app.state.mailer, &app.state.config);
    let later = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(5);
    for round in 0..3 {
        let delivered = doorstep::jobs::outbox::run_once(store, mailer, config, later).unwrap();
        assert_eq!(delivered, usize::from(round == 0), "round {round}");
    }
    let received = smtp.wait_for(1, Duration::from_secs(60));
    assert_eq!(received.len(), 1, "delivered once the server answered, and only once");
    assert!(received[0].data.contains("The support we talked about"));
    let page = browser.get(&format!("{contact}/shortlist")).await;
    assert!(page.body.contains("delivered"), "the advisor can see it went");
    assert_eq!(stored_anywhere(&app, CITIZEN), Vec::<String>::new(), "the address is gone once delivered");
}

#[actix_web::test]
async fn a_follow_up_goes_after_the_agreed_days_and_the_answer_is_one_click() {
    let (app, mailbox) = demo_with_mailbox();
    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    let Ready { contact, shortlist, key, .. } = ready_to_send(&mut browser, "phone", "need=loneliness").await;
    let sent = browser
        .post(
            &format!("{contact}/email"),
            &[
                ("csrf_token", &shortlist.csrf_token()),
                ("key", &key),
                ("email", CITIZEN),
                ("follow_up", "yes"),
            ],
        )
        .await;
    assert!(sent.location().ends_with("notice=sent"));
    assert!(mailbox.lock().unwrap()[0].message.contains("in 14 days"));
    assert_eq!(
        stored_anywhere(&app, CITIZEN),
        vec![String::from("follow_ups.address")],
        "kept only for the follow-up"
    );

    // Not yet due: a round of the server's outbox job sends nothing.
    let mut jobs = doorstep::jobs::background(&app.state);
    assert_eq!(
        jobs.names(),
        [
            "index",
            "activity",
            "outbox",
            "sign-ins",
            "imports",
            "neighbours",
            "sources",
            "notifications",
            "digests",
            "reminders"
        ]
    );
    jobs.run_once("outbox").unwrap();
    assert_eq!(mailbox.lock().unwrap().len(), 1);
    let (store, mailer, config) = (&app.state.store, &*app.state.mailer, &*app.state.config);
    // Fifteen days on, it goes and the address is deleted.
    let later = Utc::now().naive_utc() + chrono::Duration::days(15);
    assert_eq!(doorstep::jobs::outbox::run_once(store, mailer, config, later).unwrap(), 1);
    let follow_up = mailbox.lock().unwrap()[1].clone();
    assert_eq!(follow_up.to, CITIZEN);
    assert!(follow_up.message.contains("Did you get the help you needed?"));
    assert_eq!(stored_anywhere(&app, CITIZEN), Vec::<String>::new(), "deleted once the follow-up is sent");
    doorstep::jobs::outbox::run_once(store, mailer, config, later).unwrap();
    assert_eq!(mailbox.lock().unwrap().len(), 2, "one follow-up, not two");

    // The citizen clicks "I could not get through" (no account, a new browser).
    let text = follow_up.message.replace("=\r\n", "").replace("=3D", "=");
    let start = text.find("/follow-up/").unwrap();
    let link: String =
        text[start..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect();
    let token = link.trim_start_matches("/follow-up/").split('?').next().unwrap().to_string();
    let mut citizen = app.browser().await;
    let opened = citizen.get(&format!("/follow-up/{token}?answer=could_not_get_through")).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.body.contains("You chose: <strong>I could not get through</strong>"));
    {
        let mut conn = app.state.store.conn().unwrap();
        let recorded = signposting::follow_up_answer(&mut conn, &token).unwrap();
        assert_eq!(recorded, Some(None), "opening the link (as a mail scanner would) records nothing");
    }
    let answered = citizen
        .submit(
            &format!("/follow-up/{token}?answer=could_not_get_through"),
            &format!("/follow-up/{token}"),
            &[("answer", "could_not_get_through")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let answered = citizen.get(answered.location()).await;
    assert!(answered.body.contains("Your answer is: <strong>I could not get through</strong>"));
    // They change their mind with the buttons on the page.
    let changed = citizen
        .submit(&format!("/follow-up/{token}"), &format!("/follow-up/{token}"), &[("answer", "got_help")])
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let id = contact.rsplit('/').next().unwrap().parse().unwrap();
    {
        let mut conn = app.state.store.conn().unwrap();
        assert_eq!(
            signposting::follow_up_answer(&mut conn, &token).unwrap(),
            Some(Some(doorstep::domain::signposting::Outcome::GotHelp))
        );
        assert!(signposting::find(&mut conn, id).unwrap().follow_up);
    }
    assert_eq!(citizen.get("/follow-up/not-a-token?answer=got_help").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        citizen.get(&format!("/follow-up/{token}?answer=maybe")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn an_email_still_not_taken_after_three_days_is_given_up_and_its_address_deleted() {
    use doorstep::jobs::outbox::{Delivery, deliver};
    use doorstep::store::outbox;
    let app = TestApp::empty();
    // A mail "server" that always fails for now: a folder that is not there.
    let failing = Mailer::Files(app.dir.path().join("no such folder"));
    let config = &*app.state.config;
    let now = Utc::now().naive_utc();
    let mut conn = app.state.store.conn().unwrap();
    outbox::queue(&mut conn, "recent", None, "shortlist", CITIZEN, b"Subject: a\r\n\r\nb", now).unwrap();
    let long_ago = now - chrono::Duration::days(4);
    let old_friend = "old.friend@example.org";
    outbox::queue(&mut conn, "old", None, "shortlist", old_friend, b"Subject: a\r\n\r\nb", long_ago).unwrap();
    drop(conn);
    assert!(matches!(
        deliver(&app.state.store, &failing, config, "recent", now).unwrap(),
        Delivery::Failed(_)
    ));
    assert!(matches!(deliver(&app.state.store, &failing, config, "old", now).unwrap(), Delivery::GaveUp(_)));
    // The recent one waits for another try; the old one is never tried again.
    let later = now + chrono::Duration::days(1);
    let due = outbox::claim_due(&mut app.state.store.conn().unwrap(), later, 10).unwrap();
    assert_eq!(due.into_iter().map(|mail| mail.id).collect::<Vec<_>>(), vec![String::from("recent")]);
    assert_eq!(stored_anywhere(&app, CITIZEN), vec![String::from("outbox.recipient")], "kept to try again");
    assert_eq!(stored_anywhere(&app, old_friend), Vec::<String>::new(), "deleted once given up");
    assert_eq!(deliver(&app.state.store, &failing, config, "old", later).unwrap(), Delivery::NotDue);
}

#[actix_web::test]
async fn every_signed_link_changes_nothing_on_get() {
    let (app, mailbox) = demo_with_mailbox();
    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    let Ready { contact, shortlist, key, .. } = ready_to_send(&mut browser, "phone", "need=loneliness").await;
    let fields = [
        ("csrf_token", shortlist.csrf_token()),
        ("key", key),
        ("email", CITIZEN.into()),
        ("follow_up", "yes".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(&format!("{contact}/email"), &fields).await;
    // An administrator invites a colleague: the invitation carries a link to choose a password.
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let invited = admin
        .submit(
            "/staff/users/new",
            "/staff/users",
            &[("name", "Robin Vale"), ("email", "robin@example.org"), ("role", "advisor")],
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    // Organisations with listings due are reminded: a link to answer without signing in.
    let reminded = doorstep::app::listings::reminders::send_due(
        &app.state.store,
        &app.state.config,
        Utc::now().naive_utc(),
    );
    assert!(reminded.unwrap() > 0, "the demo has organisations with listings due");
    // Someone joins the networks: a link to confirm their address.
    let mut joining = app.browser().await;
    joining
        .submit("/members/join", "/members/join", &[("email", "new@example.org"), ("display_name", "New")])
        .await;
    // A member who follows a network hears of a new post there, with a link to stop.
    {
        use doorstep::store::{members, networks, threads};
        let mut conn = app.state.store.conn().unwrap();
        let now = Utc::now().naive_utc();
        let hood = doorstep::store::neighbourhoods::all(&mut conn).unwrap().remove(0);
        let network = networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap().id;
        let follower = members::add_confirmed(&mut conn, "follower@example.org", "Follower", now).unwrap();
        networks::follow(&mut conn, follower, network, now).unwrap();
        let author = members::add_confirmed(&mut conn, "author@example.org", "Author", now).unwrap();
        let new = doorstep::domain::networks::NewThread {
            title: String::from("Jumble sale"),
            body: String::from("Saturday at the hall"),
            needs: vec![],
            services: vec![],
            organisations: vec![],
        };
        threads::start(&mut conn, network, author, (&new, false), now).unwrap();
    }
    let (key, now) = (&app.state.cookie_key, Utc::now().naive_utc());
    doorstep::app::notifications::send_due(&app.state.store, &app.state.config, key, now).unwrap();
    let later = Utc::now().naive_utc() + chrono::Duration::days(15);
    let (store, mailer, config) = (&app.state.store, &*app.state.mailer, &*app.state.config);
    while doorstep::jobs::outbox::run_once(store, mailer, config, later).unwrap() > 0 {}
    // Every email sent, as its reader sees it.
    let sent: Vec<String> =
        mailbox.lock().unwrap().iter().map(|m| m.message.replace("=\r\n", "").replace("=3D", "=")).collect();
    let mut citizen = app.browser().await;
    for pattern in doorstep::web::SIGNED_LINKS {
        let prefix = &pattern[..pattern.find('{').unwrap()];
        let links: Vec<String> = sent
            .iter()
            .flat_map(|text| text.match_indices(prefix).map(move |(at, _)| &text[at..]))
            .map(|from| from.chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect())
            .collect();
        assert!(!links.is_empty(), "no email carries a link to {pattern}: send one in this test");
        for link in links {
            let before = common::database_contents(&app);
            for method in ["GET", "HEAD"] {
                let opened = citizen.request(method, &link).await;
                assert_eq!(opened.status, StatusCode::OK, "{method} {link}");
            }
            let after = common::database_contents(&app);
            let changed: Vec<&String> = after.symmetric_difference(&before).collect();
            assert!(changed.is_empty(), "opening {link} changed the database: {changed:?}");
        }
    }
}
