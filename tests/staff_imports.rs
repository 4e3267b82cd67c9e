//! The imports page (`/staff/imports`) as an administrator uses it: a
//! spreadsheet sent, its columns matched, checked (nothing written), then
//! imported; what goes wrong said plainly, with what was typed kept; and the
//! `imports` job taking each step, as any server would.

use crate::common::{PASSWORD, TestApp, central_postcode};
use actix_web::http::StatusCode;
use doorstep::app::openreferral::every_service;

fn listings(app: &TestApp) -> usize {
    every_service(&app.state.store).unwrap().len()
}

/// The import's page, from the address the form sent us to.
fn import_path(location: &str) -> String {
    assert!(location.starts_with("/staff/imports/"), "sent to {location}");
    location.to_string()
}

/// Takes one step of the `imports` job, as the runner would, then one of
/// the `index` job, which finds what it wrote in the store's change log.
fn run_imports_job(app: &TestApp) {
    let mut jobs = doorstep::jobs::background(&app.state);
    jobs.run_once("imports").unwrap();
    jobs.run_once("index").unwrap();
}

#[actix_web::test]
async fn a_spreadsheet_is_matched_checked_and_imported_only_when_asked() {
    let app = TestApp::with_demo();
    let before = listings(&app);
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let page = admin.get("/staff/imports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Download the spreadsheet template"));
    let token = page.csrf_token();

    let postcode = central_postcode(&app);
    let csv = format!(
        "Group name,Post code,What we do,Days\r\n\
         Knit and Natter,{postcode},A friendly knitting circle for anyone.,Tues 11am - 2pm\r\n\
         Mystery Club,ZZ9 9ZZ,Nobody knows.,Fridays\r\n"
    );
    let sent = admin
        .upload(
            "/staff/imports",
            &[("csrf_token", &token), ("feed", "")],
            Some(("groups.csv", csv.as_bytes())),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let here = import_path(sent.location());

    // Its columns: those found by their headings are chosen already.
    let page = admin.get(&here).await;
    assert!(page.body.contains("Match your columns"), "{}", page.body);
    assert!(
        page.body.contains(r#"<option value="Group name" selected>"#),
        "the names' column found by its heading"
    );
    assert!(page.body.contains(r#"<option value="Post code" selected>"#));

    // Without a column for the names: said, and every choice kept.
    let chosen = [("postcode", "Post code"), ("description", "What we do"), ("hours", "Days")];
    let mut fields = vec![("csrf_token", token.as_str()), ("name", "")];
    fields.extend(chosen);
    let refused = admin.post(&format!("{here}/check"), &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choose the column that holds the names"), "{}", refused.body);
    assert!(refused.body.contains(r#"<option value="What we do" selected>"#), "what was chosen is kept");
    assert!(!refused.body.contains(r#"<option value="Group name" selected>"#), "and what was left unchosen");

    fields[1] = ("name", "Group name");
    let checking = admin.post(&format!("{here}/check"), &fields).await;
    assert_eq!(checking.status, StatusCode::SEE_OTHER, "{}", checking.body);
    let waiting = admin.get(&here).await;
    assert!(waiting.body.contains("Waiting to be checked"));
    assert_eq!(waiting.headers.get("refresh").unwrap(), "3", "the page refreshes itself while it waits");
    assert!(waiting.body.contains("Stop refreshing"));
    let still = admin.get(&format!("{here}?refresh=off")).await;
    assert!(still.headers.get("refresh").is_none(), "unless asked not to");

    run_imports_job(&app);
    let checked = admin.get(&here).await;
    assert!(checked.headers.get("refresh").is_none(), "done: no more refreshing");
    assert!(checked.body.contains("Checked: nothing written yet"), "{}", checked.body);
    assert!(checked.body.contains("What it would do"));
    assert!(checked.body.contains("row 3: "), "the row that cannot be taken, by its row");
    assert!(checked.body.contains("postcode is not known"), "{}", checked.body);
    assert_eq!(listings(&app), before, "a check writes nothing");

    // Imported as checked: one row cannot be taken, so nothing is written…
    let token = checked.csrf_token();
    admin.post(&format!("{here}/run"), &[("csrf_token", &token)]).await;
    run_imports_job(&app);
    let not_written = admin.get(&here).await;
    assert!(not_written.body.contains("Not imported: some records cannot be taken"), "{}", not_written.body);
    assert_eq!(listings(&app), before);

    // …until the rest is asked for.
    let run = admin.post(&format!("{here}/run"), &[("csrf_token", &token), ("skip_rejected", "yes")]).await;
    assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", run.body);
    run_imports_job(&app);
    let imported = admin.get(&here).await;
    assert!(imported.body.contains("What it did"), "{}", imported.body);
    assert_eq!(listings(&app), before + 1);
    let found = admin.get("/api/search?q=knitting%20circle").await;
    assert!(found.body.contains("Knit and Natter"), "found by search at once: {}", found.body);

    let again = admin.post(&format!("{here}/run"), &[("csrf_token", &token)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "an import is written once");
    let list = admin.get("/staff/imports").await;
    assert!(list.body.contains("groups.csv") && list.body.contains("Imported"), "{}", list.body);
}

#[actix_web::test]
async fn what_is_sent_wrong_is_said_and_what_was_typed_is_kept() {
    let app = TestApp::with_demo();
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let token = admin.get("/staff/imports").await.csrf_token();

    let nothing = admin.upload("/staff/imports", &[("csrf_token", &token), ("feed", "")], None).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing.body.contains("Choose a file to import"), "{}", nothing.body);

    let typed = admin
        .upload("/staff/imports", &[("csrf_token", &token), ("feed", "ftp://feeds.example/x")], None)
        .await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typed.body.contains("is not a web address"), "{}", typed.body);
    assert!(typed.body.contains(r#"value="ftp://feeds.example/x""#), "the address typed is kept");

    let both = admin
        .upload(
            "/staff/imports",
            &[("csrf_token", &token), ("feed", "https://feeds.example/openreferral")],
            Some(("a.csv", b"name\nx\n")),
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(both.body.contains("not both"));

    let empty = admin
        .upload("/staff/imports", &[("csrf_token", &token), ("feed", "")], Some(("empty.csv", b"")))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("empty.csv is empty"), "{}", empty.body);

    let forged = admin
        .upload("/staff/imports", &[("csrf_token", "forged"), ("feed", "")], Some(("a.csv", b"name\nx\n")))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form without its token is refused");

    let nonsense = admin
        .upload("/staff/imports", &[("csrf_token", &token), ("feed", "")], Some(("feed.json", b"{ not json")))
        .await;
    assert_eq!(nonsense.status, StatusCode::SEE_OTHER, "JSON is checked by the job");
    let here = import_path(nonsense.location());
    run_imports_job(&app);
    let failed = admin.get(&here).await;
    assert_eq!(failed.status, StatusCode::OK);
    assert!(
        failed.body.contains("Could not be read") && failed.body.contains("It could not be read:"),
        "{}",
        failed.body
    );
    let not_checked = admin.post(&format!("{here}/run"), &[("csrf_token", &token)]).await;
    assert_eq!(not_checked.status, StatusCode::CONFLICT);

    let template = admin.get("/staff/imports/template.csv").await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(template.body.starts_with("id,name,organisation,"), "{}", template.body);

    let mut advisor = app.browser().await;
    advisor.sign_in("advisor@kingsmere.example.org", PASSWORD).await;
    assert_eq!(advisor.get("/staff/imports").await.status, StatusCode::FORBIDDEN);
    assert_eq!(advisor.get(&here).await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_step_left_by_a_server_that_stopped_is_taken_up_and_none_is_taken_twice() {
    use doorstep::store::import_requests;
    let app = TestApp::with_demo();
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let token = admin.get("/staff/imports").await.csrf_token();
    let json = br#"{"services": []}"#;
    let sent = admin
        .upload("/staff/imports", &[("csrf_token", &token), ("feed", "")], Some(("none.json", json)))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    let now = chrono::Utc::now().naive_utc();
    let mut conn = app.state.store.conn().unwrap();
    let taken = import_requests::claim_next(&mut conn, now).unwrap().expect("one waits");
    assert!(import_requests::claim_next(&mut conn, now).unwrap().is_none(), "taken by one server only");
    // The server that took it stops; once its claim runs out, another takes it up.
    let later = now + chrono::Duration::hours(1);
    let again = import_requests::claim_next(&mut conn, later).unwrap().expect("taken up again");
    assert_eq!(again.id, taken.id);
}

#[actix_web::test]
async fn a_duplicate_ticked_on_the_page_is_merged_into_the_listing_here() {
    let app = TestApp::with_demo();
    let records = every_service(&app.state.store).unwrap();
    let local = records.iter().find(|r| !r.places.is_empty()).unwrap();
    let venue = &local.places[0].location;
    let feed = serde_json::json!({"services": [{
        "id": "their-1", "name": local.details.name.to_uppercase(), "status": "active",
        "description": "The same group, as another list has it.",
        "organization": {"id": "their-org", "name": "St Mary's Church", "description": "A parish church."},
        "service_at_locations": [{"id": "their-sal", "location": {
            "id": "their-venue", "location_type": "physical", "name": venue.name, "latitude": venue.latitude + 0.0005, "longitude": venue.longitude,
            "addresses": [{"id": "a1", "address_1": "1 Church Lane", "city": "Sale", "state_province": "Greater Manchester",
                           "postal_code": venue.postcode, "country": "GB", "address_type": "physical"}]}}]
    }]});
    let mut admin = app.browser().await;
    admin.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    let token = admin.get("/staff/imports").await.csrf_token();
    let bytes = serde_json::to_vec(&feed).unwrap();
    let sent = admin
        .upload("/staff/imports", &[("csrf_token", &token), ("feed", "")], Some(("theirs.json", &bytes)))
        .await;
    let here = import_path(sent.location());
    run_imports_job(&app);
    let checked = admin.get(&here).await;
    assert!(checked.body.contains("Possible duplicates"), "{}", checked.body);
    let marker = r#"name="merge" value=""#;
    let start = checked.body.find(marker).expect("a box to tick") + marker.len();
    let pair = checked.body[start..].split('"').next().unwrap().to_string();
    assert!(pair.ends_with(&local.id.to_string()), "the box names the listing here: {pair}");

    let before = listings(&app);
    admin.post(&format!("{here}/run"), &[("csrf_token", &token), ("merge", &pair)]).await;
    run_imports_job(&app);
    let done = admin.get(&here).await;
    assert!(done.body.contains("Merged into listings already here"), "{}", done.body);
    assert_eq!(listings(&app), before, "written into the listing here, not added");
    let merged = every_service(&app.state.store).unwrap().into_iter().find(|r| r.id == local.id).unwrap();
    assert_eq!(merged.details.description, "The same group, as another list has it.");
}
