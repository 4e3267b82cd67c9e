//! Who may do what: sign-in, sign-out, roles, CSRF tokens and rate limiting.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::store::listings;

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
        listings::due_for_review(&mut conn, before, 1).unwrap().remove(0).id
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
        let organisations = listings::organisation_choices(&mut conn).unwrap();
        let with_services: Vec<_> = organisations
            .iter()
            .map(|(id, _)| listings::organisation_view(&mut conn, *id).unwrap())
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
    let service = {
        let mut conn = app.state.store.conn().unwrap();
        listings::due_for_review(&mut conn, chrono::Utc::now().naive_utc(), 1).unwrap().remove(0).id
    };
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
async fn sign_in_rate_limiting_engages_per_account() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    for attempt in 0..5 {
        browser.address = format!("192.0.2.{}:4000", attempt + 1);
        let page = browser.sign_in("kim@example.org", "guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Even the right password, from a new address, waits now.
    browser.address = "198.51.100.1:4000".into();
    let locked = browser.sign_in("kim@example.org", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("Too many attempts"));
    assert!(locked.headers.get("retry-after").is_some());
    assert_eq!(browser.get("/staff").await.status, StatusCode::SEE_OTHER, "not signed in");
    // Another account is not affected.
    app.add_user("sam@example.org", Role::Advisor, None);
    assert_eq!(browser.sign_in("sam@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn sign_in_rate_limiting_engages_per_address() {
    let app = TestApp::empty();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    for n in 0..20 {
        let page = browser.sign_in(&format!("user{n}@example.org"), "guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    assert_eq!(browser.sign_in("kim@example.org", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    browser.address = "198.51.100.7:4000".into();
    assert_eq!(browser.sign_in("kim@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
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
