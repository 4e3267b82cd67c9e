//! Staff accounts on the web: an administrator invites a colleague (a
//! one-time link to choose a password), sets their role, neighbourhoods and
//! organisation, disables an account (its sessions end at once) and sends a
//! password reset; everyone changes their password and ends their sessions.

use crate::common::{PASSWORD, TestApp};
use crate::signposting::{Mailbox, demo_with_mailbox};
use actix_web::http::StatusCode;
use chrono::Utc;
use doorstep::domain::accounts::Role;

/// The link to `path_prefix` in the last email to `to`.
fn link_in_mail(mailbox: &Mailbox, to: &str, path_prefix: &str) -> String {
    let sent = mailbox.lock().unwrap();
    let mail = sent.iter().rev().find(|m| m.to.contains(to)).unwrap_or_else(|| panic!("no email to {to}"));
    let text = mail.message.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find(path_prefix).unwrap_or_else(|| panic!("no {path_prefix} link in {text}"));
    text[at..].chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect()
}

fn deliver(app: &TestApp) {
    let (store, mailer, config) = (&app.state.store, &*app.state.mailer, &*app.state.config);
    doorstep::jobs::outbox::run_once(store, mailer, config, Utc::now().naive_utc()).unwrap();
}

#[actix_web::test]
async fn a_colleague_is_invited_chooses_a_password_once_and_signs_in() {
    let (app, mailbox) = demo_with_mailbox();
    let hoods = doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap();
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let (first, second) = (hoods[0].id.to_string(), hoods[1].id.to_string());
    let fields = [
        ("name", "Robin Vale"),
        ("email", "Robin@Example.org"),
        ("role", "connector"),
        ("neighbourhoods", first.as_str()),
        ("neighbourhoods", second.as_str()),
    ];
    let invited = admin.submit("/staff/users/new", "/staff/users", &fields).await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    // The same address again is refused, with what was typed kept.
    let again = admin.submit("/staff/users/new", "/staff/users", &fields).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("There is already an account for this email address"));
    assert!(again.body.contains("value=\"Robin Vale\""));

    deliver(&app);
    let link = link_in_mail(&mailbox, "robin@example.org", "http");
    let path = link[link.find("/password/").unwrap()..].to_string();
    let mut robin = app.browser().await;
    // Opening it changes nothing; choosing a password does, once.
    let shown = robin.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Choose your password") && shown.body.contains("Robin Vale"));
    let short = robin.submit(&path, &path, &[("password", "short"), ("again", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 10 characters"));
    let chosen = "a kettle on the allotment";
    let set = robin.submit(&path, &path, &[("password", chosen), ("again", chosen)]).await;
    assert_eq!(set.status, StatusCode::OK);
    assert!(set.body.contains("Your password is set"));
    let used = robin.get(&path).await;
    assert_eq!(used.status, StatusCode::GONE, "a link used once is refused after");
    assert!(used.body.contains("used already"));
    assert_eq!(robin.get("/password/forged-token").await.status, StatusCode::NOT_FOUND);
    let signed_in = robin.sign_in("robin@example.org", chosen).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let queue = robin.get("/staff/review").await;
    assert_eq!(queue.status, StatusCode::OK, "a connector, with their neighbourhoods");
    assert!(queue.body.contains(&hoods[0].name));
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions_at_once_and_a_reset_link_works_once() {
    let (app, mailbox) = demo_with_mailbox();
    let kim = app.add_user("kim@example.org", Role::Advisor, None);
    let mut kims = app.browser().await;
    kims.sign_in("kim@example.org", PASSWORD).await;
    assert_eq!(kims.get("/staff").await.status, StatusCode::OK);
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let edit = format!("/staff/users/{kim}/edit");
    let disabled = admin.submit(&edit, &format!("/staff/users/{kim}/disable"), &[]).await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(kims.get("/staff").await.status, StatusCode::SEE_OTHER, "signed out at once");
    let refused = kims.sign_in("kim@example.org", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "and cannot sign in");
    assert_eq!(
        admin.submit(&edit, &format!("/staff/users/{kim}/disable"), &[]).await.status,
        StatusCode::CONFLICT
    );
    let enabled = admin.submit(&edit, &format!("/staff/users/{kim}/enable"), &[]).await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);

    // A reset: its link sets a new password, once; the old one no longer works.
    let reset = admin.submit(&edit, &format!("/staff/users/{kim}/reset"), &[]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    deliver(&app);
    let link = link_in_mail(&mailbox, "kim@example.org", "http");
    let path = link[link.find("/password/").unwrap()..].to_string();
    let fresh = "a new and longer password";
    assert_eq!(
        kims.submit(&path, &path, &[("password", fresh), ("again", fresh)]).await.status,
        StatusCode::OK
    );
    assert_eq!(kims.sign_in("kim@example.org", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(kims.sign_in("kim@example.org", fresh).await.status, StatusCode::SEE_OTHER);
    // An administrator cannot disable their own account.
    let admin_id = doorstep::store::users::find_by_email(
        &mut app.state.store.conn().unwrap(),
        "admin@kingsmere.example.org",
    )
    .unwrap()
    .unwrap()
    .0
    .id;
    let own = admin.submit(&edit, &format!("/staff/users/{admin_id}/disable"), &[]).await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    // The history says who changed the account.
    let history = doorstep::store::changes::history(
        &mut app.state.store.conn().unwrap(),
        doorstep::store::changes::RecordKind::User,
        &kim.to_string(),
    )
    .unwrap();
    assert_eq!(history.iter().filter(|c| c.field == "disabled").count(), 2);
}

#[actix_web::test]
async fn a_role_is_changed_and_everyone_changes_their_password_and_ends_sessions() {
    let app = TestApp::with_demo();
    let kim = app.add_user("kim@example.org", Role::Advisor, None);
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let mut kims = app.browser().await;
    kims.sign_in("kim@example.org", PASSWORD).await;
    let mut other = app.browser().await;
    other.sign_in("kim@example.org", PASSWORD).await;

    // An editor needs their organisation.
    let edit = format!("/staff/users/{kim}/edit");
    let missing = admin
        .submit(
            &edit,
            &format!("/staff/users/{kim}"),
            &[("name", "Kim"), ("email", "kim@example.org"), ("role", "organisation_editor")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#organisation\""));

    // Kim sees both sessions, ends the other one, and changes their password.
    let account = kims.get("/staff/account").await;
    assert_eq!(account.body.matches("/end\"").count(), 2, "two sessions");
    assert!(account.body.contains("This one"));
    let handles: Vec<(usize, String)> = account
        .body
        .match_indices("/staff/account/sessions/")
        .map(|(at, _)| (at, account.body[at + 24..at + 40].to_string()))
        .collect();
    // The current session's row says "This one" before its button.
    let this_one = account.body.find("This one").unwrap();
    let current = &handles.iter().find(|(at, _)| *at > this_one).unwrap().1;
    let theirs = &handles.iter().find(|(_, h)| h != current).unwrap().1;
    let ended = kims.submit("/staff/account", &format!("/staff/account/sessions/{theirs}/end"), &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(other.get("/staff").await.status, StatusCode::SEE_OTHER, "the other session has ended");
    let wrong = kims
        .submit(
            "/staff/account",
            "/staff/account",
            &[("current", "not it"), ("password", "x"), ("again", "x")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Enter your current password correctly"));
    let fresh = "the tide comes in twice";
    let changed = kims
        .submit(
            "/staff/account",
            "/staff/account",
            &[("current", PASSWORD), ("password", fresh), ("again", fresh)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(kims.get("/staff").await.status, StatusCode::OK, "still signed in here");

    // A change of role applies at once: their sessions end.
    let role = admin
        .submit(
            &edit,
            &format!("/staff/users/{kim}"),
            &[("name", "Kim"), ("email", "kim@example.org"), ("role", "connector")],
        )
        .await;
    assert_eq!(role.status, StatusCode::SEE_OTHER);
    assert_eq!(
        kims.get("/staff").await.status,
        StatusCode::SEE_OTHER,
        "signed out to sign in as a connector"
    );
}
