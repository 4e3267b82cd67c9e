//! The signposting workspace through the real app: an advisor's whole
//! contact (safeguarding question, needs from words, shortlist, email through
//! a real SMTP server on loopback) and every kind of bad input. What happens
//! to the email afterwards is in `signposting_mail.rs`.

use std::sync::Arc;
use std::time::Duration;

use crate::common::smtp::SmtpServer;
use crate::common::{self, PASSWORD, TestApp, stored_anywhere};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use chrono::Utc;
use doorstep::domain::accounts::Role;
use doorstep::mail::Mailer;
use doorstep::store::signposting;

pub const ADVISOR: &str = "advisor@kingsmere.example.org";
pub const CITIZEN: &str = "mary.jones@example.org";

/// A postcode in the demo borough that no venue uses, so that finding it
/// stored anywhere but the postcode lookup would mean a citizen's was kept.
fn home_postcode(app: &TestApp) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        postcode: String,
    }
    let mut conn = app.state.store.conn().unwrap();
    let row: Row = diesel::sql_query(
        "SELECT p.postcode FROM postcodes p JOIN small_areas s ON s.code = p.small_area_code \
         WHERE s.neighbourhood_id IS NOT NULL AND p.postcode NOT IN (SELECT postcode FROM locations) \
         ORDER BY p.postcode LIMIT 1 OFFSET 40",
    )
    .get_result(&mut *conn)
    .unwrap();
    row.postcode
}

/// The values of every `name="{field}"` hidden input on the page, in order.
pub fn values(body: &str, field: &str) -> Vec<String> {
    let marker = format!("name=\"{field}\" value=\"");
    body.match_indices(&marker)
        .map(|(i, _)| body[i + marker.len()..].split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

/// The contact's path, from the redirect after starting it.
fn contact_path(location: &str) -> String {
    assert!(location.starts_with("/signpost/contacts/"), "{location}");
    location.to_string()
}

pub type Mailbox = Arc<std::sync::Mutex<Vec<doorstep::mail::Delivered>>>;

/// The demo, its email kept in memory.
pub fn demo_with_mailbox() -> (TestApp, Mailbox) {
    let app = TestApp::with_demo();
    let mailbox: Mailbox = Arc::default();
    let mut state = app.state.clone();
    state.mailer = Arc::new(Mailer::Memory(mailbox.clone()));
    (TestApp { dir: app.dir, state }, mailbox)
}

/// A contact ready to send: started by the demo's advisor (already signed
/// in), the first result of `search` on its shortlist, and the shortlist page.
pub struct Ready {
    pub contact: String,
    pub service: String,
    pub shortlist: common::Page,
    /// The send form's key.
    pub key: String,
}

pub async fn ready_to_send<S, B>(browser: &mut common::Browser<S>, channel: &str, search: &str) -> Ready
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let started =
        browser.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", channel)]).await;
    let contact = contact_path(started.location());
    let workspace = browser.get(&format!("{contact}?{search}")).await;
    let service = values(&workspace.body, "service")[0].clone();
    let token = workspace.csrf_token();
    browser.post(&format!("{contact}/shortlist"), &[("csrf_token", &token), ("service", &service)]).await;
    let shortlist = browser.get(&format!("{contact}/shortlist")).await;
    let key = values(&shortlist.body, "key")[0].clone();
    Ready { contact, service, shortlist, key }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_web::test]
async fn an_advisor_signposts_a_caller_and_the_email_arrives_with_nothing_personal_kept() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_demo_and(|config| config.mail_url = Some(smtp.url()));
    let postcode = home_postcode(&app);
    let mut browser = app.browser().await;
    assert_eq!(browser.sign_in(ADVISOR, PASSWORD).await.status, StatusCode::SEE_OTHER);

    // The safeguarding question comes first.
    let start = browser.get("/signpost").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(start.body.contains("Is anyone at immediate risk of harm?"));
    let started = browser
        .submit(
            "/signpost",
            "/signpost/contacts",
            &[("risk", "no"), ("channel", "phone"), ("returning", "no")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let contact = contact_path(started.location());
    let empty = browser.get(&contact).await;
    assert!(!empty.body.contains("statutory route"), "no risk was marked");

    // The caller's words suggest needs; support comes grouped by need.
    let words = "my husband has dementia and I can't cope";
    let search = format!("{contact}?postcode={}&words={}", encode(&postcode), encode(words));
    let workspace = browser.get(&search).await;
    assert_eq!(workspace.status, StatusCode::OK, "{}", workspace.body);
    for group in ["id=\"need-carers-support\"", "id=\"need-memory-and-dementia\""] {
        assert!(workspace.body.contains(group), "no group {group}");
    }
    assert!(workspace.body.contains("(suggested from their words)"));
    let services = values(&workspace.body, "service");
    assert!(services.len() >= 2, "results to add: {services:?}");
    let back = values(&workspace.body, "back")[0].clone();
    assert!(back.contains("postcode="), "the add form carries the search back: {back}");

    // One click adds a service and comes back to the same search and need.
    let carer_service = services[0].clone();
    let token = workspace.csrf_token();
    let added = browser
        .post(
            &format!("{contact}/shortlist"),
            &[("csrf_token", &token), ("service", &carer_service), ("back", &back), ("at", "carers-support")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(added.location().starts_with(&format!("{contact}?")), "{}", added.location());
    assert!(added.location().ends_with("#need-carers-support"));
    let again = browser.get(added.location().split('#').next().unwrap()).await;
    assert!(again.body.contains("On the shortlist"));
    assert!(again.body.contains("Shortlist (1)"));

    // The shortlist belongs to the contact: it survives signing out and in.
    let page = browser.get("/staff").await;
    browser.post("/sign-out", &[("csrf_token", &page.csrf_token())]).await;
    assert_eq!(browser.get(&format!("{contact}/shortlist")).await.status, StatusCode::SEE_OTHER);
    browser.sign_in(ADVISOR, PASSWORD).await;
    let shortlist = browser.get(&format!("{contact}/shortlist")).await;
    assert_eq!(shortlist.status, StatusCode::OK);
    assert!(shortlist.body.contains(&format!("/services/{carer_service}")));

    // Send it by email; the message arrives at the real SMTP server.
    let key = values(&shortlist.body, "key")[0].clone();
    let sent = browser
        .post(
            &format!("{contact}/email"),
            &[("csrf_token", &shortlist.csrf_token()), ("key", &key), ("email", CITIZEN)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert!(sent.location().ends_with("notice=sent"), "{}", sent.location());
    let received = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.to, vec![CITIZEN.to_string()]);
    assert_eq!(message.from, "doorstep@localhost");
    let data = message.data.replace("=\r\n", "");
    assert!(data.contains("Subject: The support we talked about"));
    assert!(data.contains("Content-Type: text/plain"));
    assert!(data.contains("Content-Type: text/html"));
    assert!(data.contains(&format!("/services/{carer_service}")), "a link to the service's page");
    let service = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::services::view(&mut conn, carer_service.parse().unwrap()).unwrap()
    };
    let first_words: String = service.details.name.chars().take(12).collect();
    assert!(data.contains(&first_words), "the service's name, {first_words}");
    assert!(data.contains("What it is:") && data.contains("More:"));
    assert!(data.contains("has not been kept"), "the citizen is told the address is not kept");
    let page = browser.get(sent.location()).await;
    assert!(page.body.contains("The email has been sent."));
    assert!(page.body.contains("delivered"));

    // The contact is recorded, without the postcode or the address.
    let id = contact.rsplit('/').next().unwrap().parse().unwrap();
    let record = {
        let mut conn = app.state.store.conn().unwrap();
        signposting::find(&mut conn, id).unwrap()
    };
    assert!(record.neighbourhood.is_some(), "the neighbourhood worked out from the postcode");
    assert!(!record.escalated);
    let asked: Vec<&str> = record.needs.iter().map(|(slug, _)| slug.as_str()).collect();
    assert!(asked.contains(&"carers-support") && asked.contains(&"memory-and-dementia"), "{asked:?}");
    let carers_unmet = record.needs.iter().find(|(slug, _)| slug == "carers-support").unwrap().1;
    assert!(!carers_unmet, "a carers' service was shortlisted, so that need is met");
    assert_eq!(stored_anywhere(&app, CITIZEN), Vec::<String>::new(), "the email address is kept nowhere");
    assert_eq!(stored_anywhere(&app, "mary.jones"), Vec::<String>::new());
    assert_eq!(
        stored_anywhere(&app, &postcode),
        vec![String::from("postcodes.postcode")],
        "the postcode is only in the postcode lookup it came from"
    );
}

#[actix_web::test]
async fn immediate_risk_shows_the_statutory_route_and_records_the_escalation() {
    let app =
        TestApp::with_demo_and(|config| config.safeguarding_phone = Some(String::from("0161 496 0999")));
    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    let started = browser
        .submit("/signpost", "/signpost/contacts", &[("risk", "yes"), ("channel", "face_to_face")])
        .await;
    let contact = contact_path(started.location());
    let page = browser.get(&format!("{contact}?need=loneliness")).await;
    assert!(page.body.contains("Immediate risk: use the statutory route"));
    assert!(page.body.contains("999") && page.body.contains("0161 496 0999"));
    let route = page.body.find("statutory route").unwrap();
    let support = page.body.find("id=\"need-loneliness\"").unwrap();
    assert!(route < support, "the statutory route comes first, community support beneath");

    // Risk that comes to light later in a contact escalates it too.
    let calm =
        browser.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "phone")]).await;
    let calm = contact_path(calm.location());
    let page = browser.get(&calm).await;
    assert!(!page.body.contains("Immediate risk: use"));
    let escalated = browser.post(&format!("{calm}/risk"), &[("csrf_token", &page.csrf_token())]).await;
    assert_eq!(escalated.status, StatusCode::SEE_OTHER);
    assert!(browser.get(&calm).await.body.contains("Immediate risk: use the statutory route"));
    let mut conn = app.state.store.conn().unwrap();
    for path in [&contact, &calm] {
        let id = path.rsplit('/').next().unwrap().parse().unwrap();
        assert!(signposting::find(&mut conn, id).unwrap().escalated);
    }
}

#[actix_web::test]
async fn the_shortlist_is_reordered_noted_and_sent_even_when_a_service_has_stopped() {
    let (app, mailbox) = demo_with_mailbox();
    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    let started =
        browser.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "phone")]).await;
    let contact = contact_path(started.location());
    let workspace = browser.get(&format!("{contact}?need=loneliness&need=debt&need=food")).await;
    let services = values(&workspace.body, "service");
    let token = workspace.csrf_token();
    let mut picked: Vec<String> = Vec::new();
    for service in services {
        if !picked.contains(&service) && picked.len() < 3 {
            browser
                .post(&format!("{contact}/shortlist"), &[("csrf_token", &token), ("service", &service)])
                .await;
            picked.push(service);
        }
    }
    // Adding one twice changes nothing.
    browser.post(&format!("{contact}/shortlist"), &[("csrf_token", &token), ("service", &picked[0])]).await;
    let order = |body: &str| -> Vec<String> {
        picked
            .iter()
            .map(|id| (body.find(&format!("href=\"/services/{id}\"")).unwrap(), id.clone()))
            .fold(Vec::new(), |mut v, item| {
                v.push(item);
                v.sort();
                v
            })
            .into_iter()
            .map(|(_, id)| id)
            .collect()
    };
    let page = browser.get(&format!("{contact}/shortlist")).await;
    assert!(page.body.contains("Services (3)"));
    assert_eq!(order(&page.body), picked);

    // Move the third up, remove the first, note the one left at the top.
    let change = |service: &String| format!("{contact}/shortlist/{service}");
    let moved = browser.post(&change(&picked[2]), &[("csrf_token", &token), ("action", "up")]).await;
    assert!(moved.location().contains("notice=moved"));
    let page = browser.get(&format!("{contact}/shortlist")).await;
    assert_eq!(order(&page.body), vec![picked[0].clone(), picked[2].clone(), picked[1].clone()]);
    browser.post(&change(&picked[0]), &[("csrf_token", &token), ("action", "remove")]).await;
    browser
        .post(
            &change(&picked[2]),
            &[("csrf_token", &token), ("action", "note"), ("note", "Ask for Priya <on Tuesdays>")],
        )
        .await;
    let page = browser.get(&format!("{contact}/shortlist")).await;
    assert!(page.body.contains("Services (2)"));
    assert!(!page.body.contains(&format!("href=\"/services/{}\"", picked[0])));
    assert!(page.body.contains("Ask for Priya &lt;on Tuesdays&gt;"), "the note, escaped");

    // The service then stops running: it is still sent, marked.
    {
        let mut conn = app.state.store.conn().unwrap();
        let id = picked[2].parse().unwrap();
        let mut input = doorstep::store::services::input(&mut conn, id).unwrap();
        input.status = doorstep::domain::directory::ServiceStatus::Defunct;
        let (admin, _) =
            doorstep::store::users::find_by_email(&mut conn, "admin@kingsmere.example.org").unwrap().unwrap();
        let now = Utc::now().naive_utc();
        doorstep::store::services::update(&mut conn, id, &input, admin.id, Some("closed"), now).unwrap();
    }
    let page = browser.get(&format!("{contact}/shortlist")).await;
    assert!(page.body.contains("No longer running."));
    let print = browser.get(&format!("{contact}/print")).await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains("class=\"print-view\""));
    assert!(!print.body.contains("site-header"), "no navigation on the print view");
    assert!(print.body.contains("No longer running.") && print.body.contains("Ask for Priya"));
    // The short text fits a few text messages.
    let start = page.body.find("<textarea id=\"short-text\"").unwrap();
    let text = &page.body[start..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</textarea>").unwrap()];
    assert!(text.contains("1. ") && text.contains("(no longer running)"), "{text}");
    assert!(text.chars().count() < 612);

    let mut browser2 = browser;
    let page = browser2.get(&format!("{contact}/shortlist")).await;
    let key = values(&page.body, "key")[0].clone();
    let sent = browser2
        .post(
            &format!("{contact}/email"),
            &[("csrf_token", &page.csrf_token()), ("key", &key), ("email", CITIZEN)],
        )
        .await;
    assert!(sent.location().ends_with("notice=sent"));
    let message = mailbox.lock().unwrap()[0].message.replace("=\r\n", "");
    assert!(message.contains("This service is no longer running."));
    assert!(message.contains("Note: Ask for Priya <on Tuesdays>"), "the plain part says it as typed");
    assert!(message.contains("Ask for Priya &lt;on Tuesdays&gt;"), "the HTML part escapes it");

    // Finished: the shortlist can no longer change.
    browser2.post(&format!("{contact}/finish"), &[("csrf_token", &page.csrf_token())]).await;
    let refused = browser2
        .post(&format!("{contact}/shortlist"), &[("csrf_token", &page.csrf_token()), ("service", &picked[0])])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("This contact is finished"));
}

#[actix_web::test]
async fn bad_input_is_answered_clearly_and_nothing_is_lost() {
    let app = TestApp::with_demo();
    app.add_user("other.advisor@example.org", Role::Advisor, None);
    let mut browser = app.browser().await;
    // Not signed in: sign in first.
    let anonymous = browser.get("/signpost").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/sign-in"));
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::SEE_OTHER);
    // Organisation editors do not signpost.
    browser.sign_in("editor@kingsmere.example.org", PASSWORD).await;
    assert_eq!(browser.get("/signpost").await.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::FORBIDDEN);

    let mut browser = app.browser().await;
    browser.sign_in(ADVISOR, PASSWORD).await;
    // The safeguarding question must be answered.
    let unanswered = browser.submit("/signpost", "/signpost/contacts", &[("channel", "phone")]).await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unanswered.body.contains("Say whether anyone is at immediate risk of harm"));
    let bad_channel =
        browser.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "pigeon")]).await;
    assert_eq!(bad_channel.status, StatusCode::UNPROCESSABLE_ENTITY);
    let started =
        browser.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "phone")]).await;
    let contact = contact_path(started.location());

    // Each bad search is answered on the same page, the field marked, the text kept.
    let cases = [
        ("postcode=ZZ99+9ZZ&need=loneliness", "postcode", "ZZ99 9ZZ"),
        ("postcode=not+a+postcode&need=loneliness", "postcode", "not a postcode"),
        ("neighbourhood=atlantis&need=loneliness", "neighbourhood", ""),
        ("words=zzqx+blorp", "words", "zzqx blorp"),
        ("need=unicorns", "need", ""),
        ("need=loneliness&age=old", "age", "old"),
        ("need=loneliness&age=700", "age", "700"),
        ("need=loneliness&day=someday", "day", ""),
        ("postcode=", "need", ""),
    ];
    for (query, field, kept) in cases {
        let page = browser.get(&format!("{contact}?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(&format!("href=\"#{field}\"")), "{query}: the summary links to {field}");
        assert!(page.body.contains(kept), "{query}: keeps {kept}");
    }
    // Nonsense in the path, a service that is not there, a form from elsewhere.
    assert_eq!(browser.get("/signpost/contacts/not-an-id").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get(&format!("/signpost/contacts/{}", uuid_like())).await.status,
        StatusCode::NOT_FOUND
    );
    let page = browser.get(&contact).await;
    let token = page.csrf_token();
    let missing = browser
        .post(&format!("{contact}/shortlist"), &[("csrf_token", &token), ("service", &uuid_like())])
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let garbage = browser
        .post(&format!("{contact}/shortlist"), &[("csrf_token", &token), ("service", "'; DROP")])
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    let forged = browser
        .post(&format!("{contact}/shortlist"), &[("csrf_token", "forged"), ("service", &uuid_like())])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // The "back" field can only ever lead back into the workspace.
    let workspace = browser.get(&format!("{contact}?need=loneliness")).await;
    let service = values(&workspace.body, "service")[0].clone();
    let back = browser
        .post(
            &format!("{contact}/shortlist"),
            &[("csrf_token", &token), ("service", &service), ("back", "x#//evil.example/"), ("at", "//evil")],
        )
        .await;
    assert!(back.location().starts_with(&format!("{contact}?")), "{}", back.location());
    assert!(!back.location().contains('#'));

    // An invalid address is refused at the field, nothing queued, the shortlist kept.
    let shortlist = browser.get(&format!("{contact}/shortlist")).await;
    let key = values(&shortlist.body, "key")[0].clone();
    for bad in ["", "mary", "mary@", "mary@example", "mary jones@example.org", "a@b@example.org"] {
        let refused = browser
            .post(&format!("{contact}/email"), &[("csrf_token", &token), ("key", &key), ("email", bad)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(refused.body.contains("href=\"#email\""), "{bad:?}");
        assert!(
            refused.body.contains(&format!("href=\"/services/{service}\"")),
            "the shortlist is still there"
        );
    }
    let mut conn = app.state.store.conn().unwrap();
    let id = contact.rsplit('/').next().unwrap().parse().unwrap();
    assert!(doorstep::store::outbox::sent_for(&mut conn, id).unwrap().is_empty(), "nothing was queued");
    drop(conn);
    let no_key =
        browser.post(&format!("{contact}/email"), &[("csrf_token", &token), ("email", CITIZEN)]).await;
    assert_eq!(no_key.status, StatusCode::BAD_REQUEST);
    let bad_action = browser
        .post(&format!("{contact}/shortlist/{service}"), &[("csrf_token", &token), ("action", "fly")])
        .await;
    assert_eq!(bad_action.status, StatusCode::BAD_REQUEST);
    let long_note = "x".repeat(501);
    let too_long = browser
        .post(
            &format!("{contact}/shortlist/{service}"),
            &[("csrf_token", &token), ("action", "note"), ("note", &long_note)],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);

    // Another advisor cannot open this contact.
    let mut other = app.browser().await;
    other.sign_in("other.advisor@example.org", PASSWORD).await;
    assert_eq!(other.get(&contact).await.status, StatusCode::FORBIDDEN);
    assert_eq!(other.get(&format!("{contact}/shortlist")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(other.get(&format!("{contact}/print")).await.status, StatusCode::FORBIDDEN);
}

fn uuid_like() -> String {
    String::from("00000000-0000-4000-8000-000000000000")
}
