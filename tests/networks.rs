//! The neighbourhood networks through the real app: joining (the confirming
//! link through a real SMTP server), signing in by link and by password,
//! following, starting threads that name listings, replying, changing a post
//! within its window, what is shown where, the networks kept across a
//! rebuild of the neighbourhoods, and leaving.

use std::time::Duration;

use crate::common::smtp::SmtpServer;
use crate::common::{Browser, PASSWORD, Page, TestApp};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use chrono::Utc;
use doorstep::domain::accounts::random_token;
use doorstep::domain::ids::MemberId;
use doorstep::domain::networks::LinkPurpose;
use doorstep::store::members;
use doorstep::store::{neighbourhoods, networks};

pub const CONNECTOR: &str = "connector@kingsmere.example.org";

/// The link to `/members/links/…` in a message as the mail server received it.
fn member_link(data: &str) -> String {
    let text = data.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find("/members/links/").unwrap_or_else(|| panic!("no link in {text}"));
    text[at..].chars().take_while(|c| !c.is_whitespace() && !"\"<>".contains(*c)).collect()
}

fn deliver(app: &TestApp) {
    let (store, mailer, config) = (&app.state.store, &*app.state.mailer, &*app.state.config);
    doorstep::jobs::outbox::run_once(store, mailer, config, Utc::now().naive_utc()).unwrap();
}

/// A confirmed member, signed in on `browser` through a link of their own.
pub async fn signed_in_member<S, B>(
    app: &TestApp,
    browser: &mut Browser<S>,
    email: &str,
    name: &str,
) -> MemberId
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let token = random_token();
    let id = {
        let mut conn = app.state.store.conn().unwrap();
        let now = Utc::now().naive_utc();
        let id = members::add_confirmed(&mut conn, email, name, now).unwrap();
        // Trusted, as if a moderator had approved a post of theirs: the
        // tests of holding new members' posts make their own members.
        members::trust(&mut conn, id, now).unwrap();
        members::add_link(&mut conn, id, &token, LinkPurpose::SignIn, now, now + chrono::Duration::hours(1))
            .unwrap();
        id
    };
    let path = format!("/members/links/{token}");
    let signed = browser.submit(&path, &path, &[]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    id
}

/// The first neighbourhood's network's slug.
pub fn first_network(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().unwrap();
    let hood = &neighbourhoods::all(&mut conn).unwrap()[0];
    networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap().slug
}

/// Starts a thread in `slug` and returns its path.
pub async fn start_thread<S, B>(browser: &mut Browser<S>, slug: &str, title: &str, body: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let started = browser
        .submit(
            &format!("/networks/{slug}/threads/new"),
            &format!("/networks/{slug}/threads"),
            &[("title", title), ("body", body)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    started.location().to_string()
}

fn shown(page: &Page, text: &str) -> bool {
    page.body.contains(text)
}

#[actix_web::test]
async fn joining_confirms_the_address_through_the_mail_server_and_the_link_works_once() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let mut browser = app.browser().await;

    // Sent empty, the form says what is missing; a bad address keeps the name typed.
    let empty =
        browser.submit("/members/join", "/members/join", &[("email", ""), ("display_name", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        shown(&empty, "Enter your email address") && shown(&empty, "Enter the name to show"),
        "{}",
        empty.body
    );
    let bad = browser
        .submit("/members/join", "/members/join", &[("email", "nina@"), ("display_name", "Nina B")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&bad, "value=\"Nina B\"") && shown(&bad, "value=\"nina@\""));

    let joined = browser
        .submit(
            "/members/join",
            "/members/join",
            &[("email", "Nina@Example.org"), ("display_name", "Nina B")],
        )
        .await;
    assert_eq!(joined.status, StatusCode::OK);
    assert!(shown(&joined, "Check your email"));
    deliver(&app);
    let received = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(received[0].to, vec![String::from("nina@example.org")]);
    assert!(received[0].data.contains("Confirm your email"));
    let link = member_link(&received[0].data);

    // Opening the link changes nothing: the member is not signed in by it.
    let opened = browser.get(&link).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(shown(&opened, "Welcome, Nina B") && shown(&opened, "Confirm and sign in"));
    let account = browser.get("/members/account").await;
    assert_eq!(account.status, StatusCode::SEE_OTHER, "still signed out");
    assert!(account.location().starts_with("/members/sign-in?next="));

    // Its button confirms and signs in.
    let confirmed = browser.submit(&link, &link, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let account = browser.get(confirmed.location()).await;
    assert!(shown(&account, "You are signed in") && shown(&account, "nina@example.org"), "{}", account.body);
    assert!(shown(&account, "Nina B"));

    // Used once, it is gone; a forged one is not found.
    let mut other = app.browser().await;
    let again = other.get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(shown(&again, "used already"));
    let forged = other.get(&format!("/members/links/{}", random_token())).await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);

    // Joining again with the same address says the same, and sends a link to sign in instead.
    let twice = other
        .submit(
            "/members/join",
            "/members/join",
            &[("email", "nina@example.org"), ("display_name", "Someone")],
        )
        .await;
    assert!(shown(&twice, "Check your email"));
    deliver(&app);
    let received = smtp.wait_for(2, Duration::from_secs(10));
    assert!(received[1].data.contains("sign in"), "{}", received[1].data);
    let signed = other.submit(&member_link(&received[1].data), &member_link(&received[1].data), &[]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let account = other.get("/members/account").await;
    assert!(shown(&account, "Nina B"), "the name is not changed by someone joining with the address");
}

#[actix_web::test]
async fn asking_for_a_link_says_nothing_about_who_is_a_member_and_a_password_signs_in() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let mut member = app.browser().await;
    signed_in_member(&app, &mut member, "omar@example.org", "Omar").await;

    let mut stranger = app.browser().await;
    let unknown = stranger
        .submit("/members/sign-in", "/members/sign-in", &[("email", "nobody-here@example.org")])
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(shown(&unknown, "Check your email"));
    deliver(&app);
    assert!(smtp.received().is_empty(), "nothing is sent to an address that never joined");

    // A password chosen on the account page signs in; a wrong one does not.
    let chosen = "the allotment gate is blue";
    let saved = member
        .submit(
            "/members/account",
            "/members/account",
            &[("display_name", "Omar K"), ("password", chosen), ("again", chosen)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let wrong = stranger
        .submit(
            "/members/sign-in",
            "/members/sign-in",
            &[("email", "omar@example.org"), ("password", "not it at all")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&wrong, "value=\"omar@example.org\""), "the address typed is kept");
    let right = stranger
        .submit(
            "/members/sign-in",
            "/members/sign-in",
            &[("email", "OMAR@example.org"), ("password", chosen)],
        )
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    let account = stranger.get("/members/account").await;
    assert!(shown(&account, "Omar K"));

    // A short password comes back with the name typed kept.
    let short = member
        .submit(
            "/members/account",
            "/members/account",
            &[("display_name", "Omar Q"), ("password", "short"), ("again", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&short, "value=\"Omar Q\""));
}

#[actix_web::test]
async fn a_thread_names_listings_carries_tags_and_shows_typed_html_as_text() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let (service, service_name) = {
        let mut conn = app.state.store.conn().unwrap();
        let service = crate::common::most_overdue(&mut conn, Utc::now().naive_utc());
        (service.id, service.name.clone())
    };
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;

    // Problems come back with what was typed.
    let form = format!("/networks/{slug}/threads/new");
    let action = format!("/networks/{slug}/threads");
    let missing = rita.submit(&form, &action, &[("title", "Coffee morning?"), ("body", " ")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&missing, "Write your post") && shown(&missing, "value=\"Coffee morning?\""));
    let long = "x".repeat(25_000);
    let too_long = rita.submit(&form, &action, &[("title", "Long"), ("body", &long)]).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&too_long, "25,000 characters long"), "says how long it is");
    assert!(shown(&too_long, &long), "and keeps it to cut down");
    let loneliness = doorstep::domain::ids::NeedId::from_slug("loneliness").to_string();
    let body = format!(
        "Is [this group](/services/{service}) still on?\n\n<script>alert(1)</script> <iframe src=\"https://example.org\"></iframe> \
         <img src=x onerror=\"alert(2)\"> [click](javascript:alert(3))"
    );
    let started = rita
        .submit(
            &form,
            &action,
            &[("title", "Is the <b>lunch</b> club on?"), ("body", &body), ("needs", &loneliness)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let thread = rita.get(started.location()).await;
    assert!(shown(&thread, "Is the &lt;b&gt;lunch&lt;/b&gt; club on?"), "the title is text");
    assert!(shown(&thread, "&lt;script&gt;alert(1)&lt;/script&gt;"), "typed HTML is shown as text");
    for live in ["<script>alert", "<iframe", "<img src=x", "href=\"javascript"] {
        assert!(!shown(&thread, live), "{live} is not markup");
    }
    assert!(shown(&thread, &format!("<a href=\"/services/{service}\" rel=\"nofollow ugc\">this group</a>")));
    assert!(
        shown(&thread, "Mentioned in this conversation") && shown(&thread, &service_name),
        "a card for the service"
    );
    assert!(shown(&thread, ">Loneliness and isolation<") || shown(&thread, "/needs/loneliness"), "the tag");
    assert!(shown(&thread, "Started by") || shown(&thread, "Rita"));

    // It is on the network's page, the neighbourhood's page and the service's page.
    let network = rita.get(&format!("/networks/{slug}")).await;
    assert!(shown(&network, "Is the &lt;b&gt;lunch&lt;/b&gt; club on?"));
    let hood = {
        let mut conn = app.state.store.conn().unwrap();
        neighbourhoods::all(&mut conn).unwrap()[0].slug.clone()
    };
    let hood_page = rita.get(&format!("/neighbourhoods/{hood}")).await;
    assert!(shown(&hood_page, "Is the &lt;b&gt;lunch&lt;/b&gt; club on?"), "on the neighbourhood's page");
    let service_page = rita.get(&format!("/services/{service}")).await;
    assert!(shown(&service_page, "In the neighbourhood networks"));
    assert!(shown(&service_page, "Is the &lt;b&gt;lunch&lt;/b&gt; club on?"));
}

#[actix_web::test]
async fn replies_are_paged_changed_within_the_hour_and_staff_say_who_they_are() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let thread = start_thread(&mut rita, &slug, "Walking group", "Who fancies a walk on Sundays?").await;

    // A visitor is asked to sign in or join to reply, and brought back.
    let mut visitor = app.browser().await;
    let page = visitor.get(&thread).await;
    assert!(shown(&page, "Sign in or join to reply"));
    let token = visitor.get("/members/sign-in").await.csrf_token();
    let refused =
        visitor.post(&format!("{thread}/replies"), &[("csrf_token", &token), ("body", "Me!")]).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(refused.location().starts_with("/members/sign-in?next=/threads/"), "{}", refused.location());

    // Another member replies; an empty reply is refused.
    let mut dev = app.browser().await;
    signed_in_member(&app, &mut dev, "dev@example.org", "Dev").await;
    let empty = dev.submit(&thread, &format!("{thread}/replies"), &[("body", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&empty, "Write your post"));
    let replied = dev.submit(&thread, &format!("{thread}/replies"), &[("body", "Count me in")]).await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER);
    assert!(replied.location().contains("#post-"), "{}", replied.location());
    let page = dev.get(&thread).await;
    assert!(shown(&page, "1 reply") && shown(&page, "Count me in") && shown(&page, "Dev"));

    // The author may change their reply; someone else may not.
    let post = page
        .body
        .split("href=\"/posts/")
        .find(|rest| rest[36..].starts_with("/edit"))
        .map(|rest| rest[..36].to_string())
        .expect("an edit link");
    let edit = format!("/posts/{post}/edit");
    let changed = dev.submit(&edit, &format!("/posts/{post}"), &[("body", "Count me and my dog in")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let page = dev.get(&thread).await;
    assert!(shown(&page, "Count me and my dog in") && shown(&page, "edited"));
    let theirs = rita.get(&edit).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);

    // After the hour, it is kept as it is, with a reason.
    {
        use diesel::prelude::*;
        use doorstep::store::schema::posts;
        let mut conn = app.state.store.conn().unwrap();
        diesel::update(posts::table.filter(posts::id.eq(&post)))
            .set(posts::posted_at.eq(Utc::now().naive_utc() - chrono::Duration::hours(2)))
            .execute(&mut *conn)
            .unwrap();
    }
    let late = dev.get(&edit).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(shown(&late, "for an hour after it is posted"));

    // A member of staff replies as themselves, with their role.
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let staff_reply =
        connector.submit(&thread, &format!("{thread}/replies"), &[("body", "The park gates at 10.")]).await;
    assert_eq!(staff_reply.status, StatusCode::SEE_OTHER, "{}", staff_reply.body);
    let page = visitor.get(&thread).await;
    assert!(shown(&page, "Sam Okafor, Community connector"), "{}", page.body);
    assert!(
        !shown(&page, "connector@kingsmere.example.org") && !shown(&page, "dev@example.org"),
        "no address is shown"
    );

    // Sixty replies make two pages; the second holds the last ten.
    {
        let mut conn = app.state.store.conn().unwrap();
        let id: doorstep::domain::ids::ThreadId = thread.trim_start_matches("/threads/").parse().unwrap();
        let author = members::by_email(&mut conn, "dev@example.org").unwrap().unwrap().0;
        for n in 0..58 {
            doorstep::store::threads::reply(
                &mut conn,
                id,
                author,
                (&format!("Reply number {n}"), false),
                Utc::now().naive_utc(),
            )
            .unwrap();
        }
    }
    let first = visitor.get(&thread).await;
    assert!(shown(&first, "60 replies") && shown(&first, "Page 1 of 2") && !shown(&first, "Reply number 57"));
    let second = visitor.get(&format!("{thread}?page=2")).await;
    assert!(shown(&second, "Reply number 57") && !shown(&second, "Count me and my dog in"));
    let beyond = visitor.get(&format!("{thread}?page=99")).await;
    assert_eq!(beyond.status, StatusCode::OK, "a page past the end shows the last");
}

#[actix_web::test]
async fn following_networks_and_starting_a_place_based_one() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut member = app.browser().await;
    signed_in_member(&app, &mut member, "kim@example.org", "Kim").await;
    let followed =
        member.submit(&format!("/networks/{slug}"), &format!("/networks/{slug}/follow"), &[]).await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER);
    let page = member.get(&format!("/networks/{slug}")).await;
    assert!(shown(&page, "You follow this network") && shown(&page, "Stop following"));
    let account = member.get("/members/account").await;
    assert!(shown(&account, &format!("href=\"/networks/{slug}\"")));
    member.submit(&format!("/networks/{slug}"), &format!("/networks/{slug}/unfollow"), &[]).await;
    let account = member.get("/members/account").await;
    assert!(shown(&account, "None yet"));

    // A connector starts a network for a theme; a member may not.
    let mut connector = app.browser().await;
    connector.sign_in(CONNECTOR, PASSWORD).await;
    let empty = connector
        .submit("/staff/networks/new", "/staff/networks", &[("name", "Refugee welcome"), ("about", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&empty, "value=\"Refugee welcome\""));
    let made = connector
        .submit(
            "/staff/networks/new",
            "/staff/networks",
            &[("name", "Refugee welcome"), ("about", "Welcoming new neighbours.")],
        )
        .await;
    assert_eq!(made.location(), "/networks/refugee-welcome");
    let list = member.get("/networks").await;
    assert!(shown(&list, "Refugee welcome") && shown(&list, "Across the area and by theme"));
    let refused = member.get("/staff/networks/new").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "a member is not staff");
    assert!(refused.location().starts_with("/sign-in"));

    // A neighbourhood renamed to the network's name does not take its address.
    let mut conn = app.state.store.conn().unwrap();
    let hood = neighbourhoods::all(&mut conn).unwrap()[0].id;
    let slug = neighbourhoods::rename(&mut conn, hood, "Refugee Welcome").unwrap();
    assert_eq!(slug, "refugee-welcome-2");
    assert_eq!(networks::of_neighbourhood(&mut conn, hood).unwrap().unwrap().slug, "refugee-welcome-2");
    assert_eq!(networks::by_slug(&mut conn, "refugee-welcome").unwrap().neighbourhood, None);
}

#[actix_web::test]
async fn networks_and_their_threads_are_kept_when_the_neighbourhoods_are_built_again() {
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    let before = networks::all(&mut conn).unwrap();
    let threads_before: i64 = before.iter().map(|n| n.threads).sum();
    assert!(threads_before > 0, "the demo has conversations");
    let band = neighbourhoods::band(&mut conn).unwrap().unwrap();
    neighbourhoods::build(&mut conn, band).unwrap();
    let after = networks::all(&mut conn).unwrap();
    assert_eq!(
        after.iter().map(|n| (n.id, n.threads)).collect::<Vec<_>>(),
        before.iter().map(|n| (n.id, n.threads)).collect::<Vec<_>>()
    );
    // Built into fewer, larger neighbourhoods: every thread has a home.
    neighbourhoods::build(&mut conn, doorstep::geo::neighbourhoods::Band { min: 9_000, max: 10_000 })
        .unwrap();
    let hoods = neighbourhoods::all(&mut conn).unwrap().len();
    let after = networks::all(&mut conn).unwrap();
    assert_eq!(after.iter().filter(|n| n.neighbourhood.is_some()).count(), hoods, "one network each");
    assert_eq!(after.iter().map(|n| n.threads).sum::<i64>(), threads_before, "no thread is lost");
}

#[actix_web::test]
async fn a_member_who_leaves_is_a_former_member_or_their_posts_go() {
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let mut lee = app.browser().await;
    signed_in_member(&app, &mut lee, "lee@example.org", "Lee").await;
    let mut ann = app.browser().await;
    signed_in_member(&app, &mut ann, "ann@example.org", "Ann").await;
    let kept = start_thread(&mut lee, &slug, "Kept thread", "Lee's words stay.").await;
    ann.submit(&kept, &format!("{kept}/replies"), &[("body", "Ann replies")]).await;
    lee.submit(&kept, &format!("{kept}/replies"), &[("body", "Lee replies too")]).await;

    let left = lee.submit("/members/account", "/members/account/delete", &[]).await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    let page = ann.get(&kept).await;
    assert!(
        shown(&page, "A former member") && shown(&page, "Lee&#39;s words stay.")
            || shown(&page, "Lee's words stay.")
    );
    assert!(!shown(&page, ">Lee<"), "{}", page.body);
    assert!(crate::common::stored_anywhere(&app, "lee@example.org").is_empty(), "the address is gone");
    assert_eq!(lee.get("/members/account").await.status, StatusCode::SEE_OTHER, "signed out");

    // Ann leaves and asks for her posts to go: her reply goes, Lee's thread stays.
    let alone = start_thread(&mut ann, &slug, "Nobody answered", "Hello?").await;
    let gone = ann.submit("/members/account", "/members/account/delete", &[("remove_posts", "yes")]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let mut visitor = app.browser().await;
    let page = visitor.get(&kept).await;
    assert!(!shown(&page, "Ann replies") && shown(&page, "Lee replies too"));
    assert_eq!(visitor.get(&alone).await.status, StatusCode::NOT_FOUND, "her thread with no replies is gone");
}

#[actix_web::test]
async fn a_member_speaks_for_an_organisation_once_its_editor_agrees_and_their_posts_say_so() {
    const EDITOR: &str = "editor@kingsmere.example.org";
    let app = TestApp::with_demo();
    let slug = first_network(&app);
    let (organisation, name) = {
        let mut conn = app.state.store.conn().unwrap();
        let editor = doorstep::store::users::find_by_email(&mut conn, EDITOR).unwrap().unwrap().0;
        let organisation = editor.organisation.unwrap();
        (organisation, doorstep::store::organisations::one(&mut conn, organisation).unwrap().0.name)
    };
    let page = format!("/organisations/{organisation}");
    let action = format!("{page}/speak");

    // Someone not signed in is asked to sign in first.
    let mut visitor = app.browser().await;
    let asked = visitor.submit(&page, &action, &[]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert!(asked.location().starts_with("/members/sign-in"));

    // A member asks; until someone agrees, their posts say nothing of it.
    let mut rita = app.browser().await;
    signed_in_member(&app, &mut rita, "rita@example.org", "Rita").await;
    let sent = rita.submit(&page, &action, &[]).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("You have asked"));
    assert!(rita.submit(&page, &action, &[]).await.body.contains("You have already asked"));
    let thread = start_thread(&mut rita, &slug, "Volunteers wanted", "We need drivers on Tuesdays.").await;
    let said = format!("Rita, for {name}").replace('\'', "&#39;");
    assert!(!visitor.get(&thread).await.body.contains(&said));

    // Another organisation's editor may not decide; a connector could; this one's editor agrees.
    let mut editor = app.browser().await;
    editor.sign_in(EDITOR, PASSWORD).await;
    let listed = editor.get("/staff/speakers").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(listed.body.contains("<strong>Rita</strong>"), "{}", listed.body);
    let id = {
        let mut conn = app.state.store.conn().unwrap();
        let listed = doorstep::store::speakers::listed(&mut conn, Some(organisation)).unwrap();
        listed.into_iter().find(|s| s.member_name == "Rita").unwrap().id
    };
    let decide = format!("/staff/speakers/{id}");
    let another = app.add_organisation("Another charity");
    app.add_user(
        "other-editor@example.org",
        doorstep::domain::accounts::Role::OrganisationEditor,
        Some(another),
    );
    let mut other = app.browser().await;
    other.sign_in("other-editor@example.org", PASSWORD).await;
    assert_eq!(
        other.submit("/staff/speakers", &decide, &[("action", "agree")]).await.status,
        StatusCode::FORBIDDEN
    );
    let nonsense = editor.submit("/staff/speakers", &decide, &[("action", "maybe")]).await;
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
    let agreed = editor.submit("/staff/speakers", &decide, &[("action", "agree")]).await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER);

    // Now every post of theirs says so, old and new; ended, none does.
    assert!(visitor.get(&thread).await.body.contains(&said), "{}", visitor.get(&thread).await.body);
    assert!(rita.submit(&page, &action, &[]).await.body.contains("You already speak for it"));
    assert_eq!(
        editor.submit("/staff/speakers", &decide, &[("action", "end")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(!visitor.get(&thread).await.body.contains(&said));
}
