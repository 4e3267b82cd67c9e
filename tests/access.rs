//! Who may do what: sign-in, sign-out, roles, CSRF tokens and rate limiting.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::store::organisations;

#[actix_web::test]
async fn a_staff_page_sends_a_visitor_to_sign_in_and_back() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    for path in ["/staff", "/staff/services/new"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), format!("/sign-in?next={path}"));
    }
    let sign_in_page = browser.get("/sign-in?next=/staff/services/new").await;
    let token = sign_in_page.csrf_token();
    let signed_in = browser
        .post(
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("email", "KIM@example.org"),
                ("password", PASSWORD),
                ("next", "/staff/services/new"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location(), "/staff/services/new", "back where they were going");
    let cookie =
        signed_in.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(browser.get("/staff/services/new").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_wrong_role_is_refused() {
    let app = TestApp::with_demo();
    app.add_user("jo@example.org", Role::Advisor, None);
    let mut browser = app.browser().await;
    browser.sign_in("jo@example.org", PASSWORD).await;
    assert_eq!(browser.get("/staff").await.status, StatusCode::OK, "advisors have a staff home");
    let refused = browser.get("/staff/services/new").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("You cannot see this page"), "a kind page, not a blank one");
    let service = {
        let mut conn = app.state.store.conn().unwrap();
        let before = chrono::Utc::now().naive_utc();
        crate::common::most_overdue(&mut conn, before).id
    };
    assert_eq!(browser.get(&format!("/staff/services/{service}/edit")).await.status, StatusCode::FORBIDDEN);
    let page = browser.get(&format!("/services/{service}")).await;
    assert!(!page.body.contains("Edit this listing"), "no edit link for an advisor");
}

#[actix_web::test]
async fn an_organisation_editor_edits_only_their_own_listings() {
    let app = TestApp::with_demo();
    let (ours, theirs) = {
        let mut conn = app.state.store.conn().unwrap();
        let organisations = organisations::choices(&mut conn).unwrap();
        let with_services: Vec<_> = organisations
            .iter()
            .map(|(id, _)| organisations::view(&mut conn, *id).unwrap())
            .filter(|view| !view.services.is_empty())
            .take(2)
            .collect();
        (with_services[0].clone(), with_services[1].clone())
    };
    app.add_user("pat@example.org", Role::OrganisationEditor, Some(ours.organisation.id));
    let mut browser = app.browser().await;
    browser.sign_in("pat@example.org", PASSWORD).await;
    let own = ours.services[0].id;
    let other = theirs.services[0].id;
    assert_eq!(browser.get(&format!("/staff/services/{own}/edit")).await.status, StatusCode::OK);
    assert_eq!(browser.get(&format!("/staff/services/{other}/edit")).await.status, StatusCode::FORBIDDEN);
    let verify =
        browser.submit(&format!("/services/{own}"), &format!("/staff/services/{other}/verify"), &[]).await;
    assert_eq!(verify.status, StatusCode::FORBIDDEN);
    let form = browser.get("/staff/services/new").await;
    assert!(!form.body.contains(&theirs.organisation.name), "only their organisation is offered");
}

#[actix_web::test]
async fn a_form_without_a_valid_csrf_token_is_refused() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let service = due_for_review(&app);
    let verify = format!("/staff/services/{service}/verify");
    let missing = browser.post(&verify, &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("The form has expired"));
    let wrong = browser.post(&verify, &[("csrf_token", &"0".repeat(64))]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let sign_out = browser.post("/sign-out", &[]).await;
    assert_eq!(sign_out.status, StatusCode::FORBIDDEN, "signing out needs the token too");
    // The refused posts changed nothing; with the page's token it works.
    let history = doorstep::store::changes::history(
        &mut app.state.store.conn().unwrap(),
        doorstep::store::changes::RecordKind::Service,
        &service.to_string(),
    )
    .unwrap();
    assert!(history.is_empty());
    let ok = browser.submit(&format!("/services/{service}"), &verify, &[]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // A token from another browser does not work here.
    let mut other = app.browser().await;
    let stolen = other.get("/sign-in").await.csrf_token();
    assert_eq!(browser.post(&verify, &[("csrf_token", &stolen)]).await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_wrong_password_gets_the_same_answer_as_an_unknown_email() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    let wrong_password = browser.sign_in("kim@example.org", "not the password").await;
    let unknown_email = browser.sign_in("nobody@example.org", "not the password").await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status, wrong_password.status);
    let without_email = |body: &str, email: &str| body.replace(email, "EMAIL");
    assert_eq!(
        without_email(&wrong_password.body, "kim@example.org"),
        without_email(&unknown_email.body, "nobody@example.org")
    );
    assert!(wrong_password.body.contains("Enter a correct email address and password"));
    assert!(wrong_password.body.contains("value=\"kim@example.org\""), "the email is kept");
    let empty = browser.sign_in("", "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Enter your email address") && empty.body.contains("Enter your password"));
}

#[actix_web::test]
async fn a_token_is_good_only_with_the_session_it_was_made_for() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Administrator, None);
    let service = due_for_review(&app);
    let verify = format!("/staff/services/{service}/verify");
    // The attacker's own pair: a CSRF cookie and the token that goes with it.
    let mut attacker = app.browser().await;
    let attackers_token = attacker.get("/sign-in").await.csrf_token();
    let attackers_cookie = attacker.cookie("doorstep_csrf").unwrap();
    // The victim signs in; their CSRF cookie is made anew as they do.
    let mut victim = app.browser().await;
    victim.get("/sign-in").await;
    let before = victim.cookie("doorstep_csrf").unwrap();
    let old_token = victim.get("/sign-in").await.csrf_token();
    victim.sign_in("kim@example.org", PASSWORD).await;
    assert_ne!(victim.cookie("doorstep_csrf").unwrap(), before, "renewed at sign-in");
    assert_eq!(victim.post(&verify, &[("csrf_token", &old_token)]).await.status, StatusCode::FORBIDDEN);
    // The victim's session with the attacker's pair planted beside it.
    victim.set_cookie("doorstep_csrf", &attackers_cookie);
    let forged = victim.post(&verify, &[("csrf_token", &attackers_token)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let history = |app: &TestApp| {
        doorstep::store::changes::history(
            &mut app.state.store.conn().unwrap(),
            doorstep::store::changes::RecordKind::Service,
            &service.to_string(),
        )
        .unwrap()
        .len()
    };
    assert_eq!(history(&app), 0, "nothing was changed");
    // The page's own token, for this session, works.
    let ok = victim.submit(&format!("/services/{service}"), &verify, &[]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(history(&app), 1);
}

#[actix_web::test]
async fn a_form_sent_from_another_site_is_refused_whatever_it_carries() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let service = due_for_review(&app);
    let page = format!("/services/{service}");
    let verify = format!("/staff/services/{service}/verify");
    for (header, value) in [
        ("Origin", "https://evil.example"),
        ("Origin", "null"),
        ("Referer", "https://evil.example/innocent-page"),
    ] {
        browser.headers = vec![(header.into(), value.into())];
        let refused = browser.submit(&page, &verify, &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{header}: {value}");
        assert!(refused.body.contains("The form came from another site"));
    }
    // From the site's own pages it works (the host asked for counts too: see
    // `session::tests::only_this_site_may_post_its_forms`).
    browser.headers = vec![("Origin".into(), app.state.config.public_url.clone())];
    assert_eq!(browser.submit(&page, &verify, &[]).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_stranger_guessing_is_slowed_but_never_locks_the_owner_out_and_the_owner_is_told() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut stranger = app.browser().await;
    stranger.address = "203.0.113.66:4000".into();
    for attempt in 0..4 {
        let page = stranger.sign_in("kim@example.org", "guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // After three free tries, each further one from there must wait, longer each time.
    let waiting = stranger.sign_in("kim@example.org", "guess").await;
    assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(waiting.body.contains("Too many attempts"));
    assert_eq!(waiting.headers.get("retry-after").unwrap(), "1");
    deliver_outbox(&app);
    assert!(mail_to(&app, "kim@example.org").is_empty(), "four failures: not yet worth an email");

    // The owner, at their own desk, signs in with the right password at once.
    let mut owner = app.browser().await;
    owner.address = "192.0.2.44:5000".into();
    assert_eq!(owner.sign_in("kim@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(owner.get("/staff").await.status, StatusCode::OK);

    // A fifth failure, from anywhere, tells the owner, once.
    let mut another = app.browser().await;
    another.address = "198.51.100.9:4000".into();
    for _ in 0..3 {
        assert_eq!(another.sign_in("KIM@example.org", "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    deliver_outbox(&app);
    let mail = mail_to(&app, "kim@example.org");
    assert_eq!(mail.len(), 1, "one warning for one run of failures");
    assert!(mail[0].contains("Subject: Someone has been trying to sign in to your Doorstep account"));
    assert!(mail[0].contains("with the wrong password 5 times"), "{}", mail[0]);
    // Nobody is told about an account that does not exist.
    for n in 0..6 {
        another.address = format!("198.51.100.{}:4000", 20 + n);
        another.sign_in("nobody@example.org", "guess").await;
    }
    deliver_outbox(&app);
    assert!(mail_to(&app, "nobody@example.org").is_empty());
}

#[actix_web::test]
async fn an_address_trying_many_accounts_is_slowed_while_others_are_not() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    for n in 0..21 {
        let page = browser.sign_in(&format!("user{n}@example.org"), "guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let waiting = browser.sign_in("kim@example.org", PASSWORD).await;
    assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = waiting.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "a minute at most: {wait}");
    browser.address = "198.51.100.7:4000".into();
    assert_eq!(browser.sign_in("kim@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_by_its_own_address() {
    // The harness's requests come from 192.0.2.10: here, the proxy.
    let app = TestApp::empty_with(|c| c.trusted_proxies = vec!["192.0.2.10".parse().unwrap()]);
    app.add_user("kim@example.org", Role::Connector, None);
    let mut attacker = app.browser().await;
    attacker.headers = vec![("X-Forwarded-For".into(), "203.0.113.66".into())];
    for _ in 0..4 {
        attacker.sign_in("kim@example.org", "guess").await;
    }
    assert_eq!(attacker.sign_in("kim@example.org", "guess").await.status, StatusCode::TOO_MANY_REQUESTS);
    // A client cannot pick its own address: the proxy's last entry is the one believed.
    attacker.headers = vec![("X-Forwarded-For".into(), "192.0.2.99, 203.0.113.66".into())];
    assert_eq!(attacker.sign_in("kim@example.org", "guess").await.status, StatusCode::TOO_MANY_REQUESTS);
    let mut colleague = app.browser().await;
    colleague.headers = vec![("X-Forwarded-For".into(), "198.51.100.20".into())];
    assert_eq!(colleague.sign_in("kim@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);

    // Without the proxy trusted, the header is not believed: everyone is the proxy.
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    for n in 0..4 {
        browser.headers = vec![("X-Forwarded-For".into(), format!("203.0.113.{n}"))];
        browser.sign_in("kim@example.org", "guess").await;
    }
    browser.headers = vec![("X-Forwarded-For".into(), "198.51.100.20".into())];
    assert_eq!(browser.sign_in("kim@example.org", "guess").await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// One round of the outbox job, as the server runs every second.
fn deliver_outbox(app: &TestApp) {
    let (state, now) = (&app.state, chrono::Utc::now().naive_utc());
    doorstep::jobs::outbox::run_once(&state.store, &state.mailer, &state.config, now).unwrap();
}

/// The emails written to the mail folder for `to`.
fn mail_to(app: &TestApp, to: &str) -> Vec<String> {
    let Ok(files) = std::fs::read_dir(app.dir.path().join("mail")) else { return Vec::new() };
    files
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .filter(|m| m.contains(&format!("To: {to}")))
        .collect()
}

#[actix_web::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let home = browser.get("/staff").await;
    assert_eq!(home.status, StatusCode::OK);
    let out = browser.post("/sign-out", &[("csrf_token", &home.csrf_token())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/staff").await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_tampered_session_cookie_is_ignored() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let real = browser.cookie("doorstep_session").expect("a session cookie");
    let mut tampered: Vec<char> = real.chars().collect();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == 'a' { 'b' } else { 'a' };
    browser.set_cookie("doorstep_session", &tampered.into_iter().collect::<String>());
    assert_eq!(browser.get("/staff").await.status, StatusCode::SEE_OTHER);
    browser.set_cookie("doorstep_session", "0123456789abcdef");
    assert_eq!(browser.get("/staff").await.status, StatusCode::SEE_OTHER, "an unsigned token");
    browser.set_cookie("doorstep_session", &real);
    assert_eq!(browser.get("/staff").await.status, StatusCode::OK);
}

/// A service of the demo that is due for review, so that verifying it is a change.
fn due_for_review(app: &TestApp) -> doorstep::domain::ids::ServiceId {
    let mut conn = app.state.store.conn().unwrap();
    crate::common::most_overdue(&mut conn, chrono::Utc::now().naive_utc()).id
}
