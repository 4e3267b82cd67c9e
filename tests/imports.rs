//! Listings in and out through Open Referral: the export read back into an
//! empty database exports the same bytes; the same feed twice changes
//! nothing, and a changed feed only what changed (with the import in the
//! history); other taxonomies' terms land on needs or stay as keywords;
//! venues are placed by postcode; bad files are reported and nothing is
//! written.

use crate::common::{self, TestApp};
use chrono::Utc;
use doorstep::app::imports::{self, Options};
use doorstep::app::openreferral::{export, publisher};
use doorstep::domain::imports::hsds::{Context, ReadError, read};
use doorstep::domain::imports::terms::{self, NeedMatcher};
use doorstep::domain::imports::{Merges, Report};
use doorstep::store::changes::{self, RecordKind};
use serde_json::{Value, json};

const SOURCE: &str = "https://feed.example.org/openreferral";

fn exported(app: &TestApp) -> Vec<u8> {
    export(&app.state.store, &publisher(&app.state)).unwrap()
}

/// Reads `bytes` as the feed `SOURCE` and imports it into `app`.
fn import(app: &TestApp, bytes: &[u8], options: Options) -> Result<Report, ReadError> {
    let tables = terms::tables(terms::BUILT_IN).unwrap();
    let matcher = NeedMatcher::new(&app.state.taxonomy, &tables);
    let area = app.state.config.area_name.clone().or(app.state.demo.clone()).unwrap_or_default();
    let context = Context { source: SOURCE, needs: &app.state.taxonomy, matcher: &matcher, area: &area };
    let batch = read(bytes, &context)?;
    Ok(imports::import(&app.state.store, batch, SOURCE, &options, Utc::now().naive_utc()).unwrap())
}

/// An empty directory for the same borough as the demo.
fn empty_like_the_demo(demo: &TestApp) -> TestApp {
    let borough = demo.state.demo.clone().unwrap();
    TestApp::empty_with(|c| c.area_name = Some(borough))
}

#[actix_web::test]
async fn an_export_read_into_an_empty_database_exports_the_same_bytes() {
    let demo = TestApp::with_demo();
    let first = exported(&demo);
    let copy = empty_like_the_demo(&demo);
    let report = import(&copy, &first, Options::default()).unwrap();
    assert!(report.written, "{}", report.text());
    assert_eq!(report.counts("service"), [420, 0, 0, 0]);
    let second = exported(&copy);
    assert!(
        first == second,
        "the second export differs from the first: {}",
        first_difference(&first, &second)
    );

    // And the copy is a directory like any other: searched, and published.
    let mut browser = copy.browser().await;
    let page = browser.get("/openreferral/services?per_page=1").await;
    assert!(page.body.contains("\"total_items\":420"), "{}", page.body);
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let around =
        |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(200)..(at + 200).min(s.len())]).into_owned();
    format!("at byte {at}:\n{}\n---\n{}", around(a), around(b))
}

#[actix_web::test]
async fn the_same_feed_twice_changes_nothing_and_a_changed_feed_only_what_changed() {
    let demo = TestApp::with_demo();
    let feed = exported(&demo);
    let copy = empty_like_the_demo(&demo);
    import(&copy, &feed, Options::default()).unwrap();
    let before = common::database_contents(&copy);

    let again = import(&copy, &feed, Options::default()).unwrap();
    assert_eq!(again.counts("service"), [0, 0, 420, 0], "{}", again.text());
    assert_eq!(again.counts("organisation")[2] + again.counts("venue")[2], 178 + 149);
    assert_eq!(common::database_contents(&copy), before, "reading the same feed again writes nothing");

    let mut changed: Value = serde_json::from_slice(&feed).unwrap();
    let renamed = changed["services"][0]["id"].as_str().unwrap().to_string();
    changed["services"][0]["name"] = json!("Telephone Friends (new name)");
    let schedules = changed["services"][5]["schedules"].as_array_mut().unwrap();
    assert!(!schedules.is_empty(), "the sixth service has schedules to lose");
    schedules.clear();
    let report = import(&copy, &serde_json::to_vec(&changed).unwrap(), Options::default()).unwrap();
    assert_eq!(report.counts("service"), [0, 2, 418, 0], "{}", report.text());
    assert!(report.text().contains("changed (name)"), "{}", report.text());
    assert!(report.text().contains("changed (schedules)"), "{}", report.text());

    let mut conn = copy.state.store.conn().unwrap();
    let history = changes::history(&mut conn, RecordKind::Service, &renamed).unwrap();
    let rename = history
        .iter()
        .find(|c| c.field == "name" && c.new_value.as_deref() == Some("Telephone Friends (new name)"));
    let rename = rename.unwrap_or_else(|| panic!("the rename is in the history: {history:?}"));
    assert_eq!(rename.reason.as_deref(), Some(format!("Imported from {SOURCE}").as_str()));
    assert!(rename.old_value.is_some(), "the old name is kept");
}

/// A feed of one service at one venue, tagged with `terms` of another taxonomy.
fn one_service(postcode: &str, latitude: Option<f64>, terms: &[&str]) -> Value {
    let mut location = json!({
        "id": "venue-1",
        "location_type": "physical",
        "name": "St Mary's Hall",
        "addresses": [{"id": "a1", "address_1": "1 Church Lane", "city": "Sale", "state_province": "Greater Manchester",
                        "postal_code": postcode, "country": "GB", "address_type": "physical"}]
    });
    if let Some(latitude) = latitude {
        location["latitude"] = json!(latitude);
        location["longitude"] = json!(-2.3);
    }
    let attributes: Vec<Value> = terms
        .iter()
        .enumerate()
        .map(|(n, name)| json!({"id": format!("t{n}"), "taxonomy_term": {"id": format!("term-{n}"), "name": name, "description": name, "taxonomy": "esdNeeds"}}))
        .collect();
    json!({
        "services": [{
            "id": "service-1",
            "name": "Knit and Natter",
            "status": "active",
            "description": "Bring your needles.",
            "organization": {"id": "org-1", "name": "St Mary's Church", "description": "A parish church.", "legal_status": "Church of England parish"},
            "service_at_locations": [{"id": "sal-1", "location": location}],
            "attributes": attributes,
            "fees": "£1 for tea"
        }]
    })
}

#[actix_web::test]
async fn terms_land_on_needs_or_stay_as_keywords_that_search_finds() {
    let app = TestApp::with_demo();
    let postcode = common::central_postcode(&app);
    let feed =
        one_service(&postcode, None, &["Social isolation", "Loneliness and isolation", "Crochet circles"]);
    let report = import(&app, &serde_json::to_vec(&feed).unwrap(), Options::default()).unwrap();
    assert!(report.written, "{}", report.text());
    assert_eq!(report.unmapped.get("Crochet circles"), Some(&1), "an unmapped term is counted");
    assert_eq!(report.without_needs, 0);
    let id = doorstep::domain::imports::record_id(SOURCE, "service", "service-1");
    let mut conn = app.state.store.conn().unwrap();
    let view = doorstep::store::services::view(&mut conn, doorstep::domain::ids::ServiceId(id)).unwrap();
    assert_eq!(view.details.needs, ["loneliness"], "both terms land on the one need");
    assert_eq!(view.extras.keywords, ["Crochet circles"]);
    assert_eq!(view.details.cost, doorstep::domain::directory::CostKind::Paid);
    assert_eq!(view.details.cost_description.as_deref(), Some("£1 for tea"));
    assert_eq!(view.locations[0].location.postcode, postcode, "placed by its postcode");
    assert!(view.locations[0].neighbourhood.is_some(), "and so in a neighbourhood");
    drop(conn);

    doorstep::jobs::index_sync::sync(
        &app.state.store,
        &app.state.search,
        &app.state.taxonomy,
        Utc::now().date_naive(),
    )
    .unwrap();
    let mut browser = app.browser().await;
    let found = browser.get("/api/search?q=crochet").await;
    assert!(found.body.contains("Knit and Natter"), "a keyword is found by search: {}", found.body);
}

#[actix_web::test]
async fn a_venue_whose_postcode_is_not_known_is_rejected_and_nothing_is_written() {
    let app = TestApp::with_demo();
    let before = common::database_contents(&app);
    let feed = one_service("ZZ9 9ZZ", None, &[]);
    let report = import(&app, &serde_json::to_vec(&feed).unwrap(), Options::default()).unwrap();
    assert!(!report.written);
    let text = report.text();
    assert!(text.contains("postcode \"ZZ9 9ZZ\" is not known"), "{text}");
    assert_eq!(report.counts("service")[3], 1, "the service at that venue is rejected too: {text}");
    assert_eq!(common::database_contents(&app), before, "nothing was written");

    // Told to leave out what cannot be taken, the organisation goes in alone.
    let report = import(
        &app,
        &serde_json::to_vec(&feed).unwrap(),
        Options { skip_rejected: true, ..Options::default() },
    )
    .unwrap();
    assert!(report.written);
    assert_eq!(report.counts("organisation"), [1, 0, 0, 0]);
    assert_eq!(report.counts("service"), [0, 0, 0, 1]);
}

#[actix_web::test]
async fn bad_files_are_reported_and_nothing_is_written() {
    let app = TestApp::with_demo();
    let before = common::database_contents(&app);
    let nonsense: Vec<u8> = (0..10 * 1024 * 1024u32).map(|n| b"{[\"x:,1}]"[(n % 9) as usize]).collect();
    for (what, bytes) in [
        ("malformed JSON", b"{\"services\": [".to_vec()),
        ("10 MB of nonsense", nonsense),
        ("a number", b"42".to_vec()),
        ("an object of something else", b"{\"people\": []}".to_vec()),
    ] {
        assert!(import(&app, &bytes, Options::default()).is_err(), "{what} is refused");
    }
    let mut duplicated = one_service(&common::central_postcode(&app), Some(53.42), &[]);
    let first = duplicated["services"][0].clone();
    duplicated["services"].as_array_mut().unwrap().push(first);
    let mut wrong_types = one_service("M33 7XX", Some(53.42), &[]);
    wrong_types["services"][0]["minimum_age"] = json!("eighteen");
    let mut unknown_status = one_service("M33 7XX", Some(53.42), &[]);
    unknown_status["services"][0]["status"] = json!("open");
    for (what, feed, reason) in [
        ("duplicate ids", duplicated, "is given to two services"),
        ("wrong types", wrong_types, "invalid type"),
        ("an unknown status", unknown_status, "status \"open\" is not one of"),
    ] {
        let report = import(&app, &serde_json::to_vec(&feed).unwrap(), Options::default()).unwrap();
        assert!(!report.written, "{what}");
        assert!(report.text().contains(reason), "{what}: {}", report.text());
    }
    let dry = import(
        &app,
        &serde_json::to_vec(&one_service("M33 7XX", Some(53.42), &[])).unwrap(),
        Options { dry_run: true, ..Options::default() },
    )
    .unwrap();
    assert_eq!(dry.counts("service"), [1, 0, 0, 0], "a dry run says what it would do");
    assert!(!dry.written);
    assert_eq!(common::database_contents(&app), before, "nothing was written");
}

/// A listing of the demo's at a public venue, and a feed of one service much
/// like it: its name in small letters, meeting 55 m away.
fn like_one_here(app: &TestApp) -> (doorstep::domain::openreferral::ServiceRecord, Value) {
    let records = doorstep::app::openreferral::every_service(&app.state.store).unwrap();
    let local = records.into_iter().find(|r| !r.places.is_empty()).unwrap();
    let venue = &local.places[0].location;
    let mut feed = one_service(&venue.postcode, Some(venue.latitude + 0.0005), &[]);
    feed["services"][0]["name"] = json!(local.details.name.to_lowercase());
    feed["services"][0]["service_at_locations"][0]["location"]["longitude"] = json!(venue.longitude);
    (local, feed)
}

#[actix_web::test]
async fn a_record_like_one_already_here_is_reported_not_merged() {
    let app = TestApp::with_demo();
    let (local, feed) = like_one_here(&app);
    let report = import(&app, &serde_json::to_vec(&feed).unwrap(), Options::default()).unwrap();
    assert!(report.written, "{}", report.text());
    assert!(
        report
            .duplicates
            .iter()
            .any(|d| d.said.contains(&local.details.name) && d.said.contains("within 150 m")),
        "{:?}",
        report.duplicates
    );
    assert_eq!(report.counts("service"), [1, 0, 0, 0], "reported, and added as its own listing, not merged");
}

#[actix_web::test]
async fn a_duplicate_merged_when_asked_changes_the_listing_here_and_stays_merged() {
    let app = TestApp::with_demo();
    let (local, feed) = like_one_here(&app);
    let bytes = serde_json::to_vec(&feed).unwrap();
    let before = doorstep::app::openreferral::every_service(&app.state.store).unwrap().len();

    let merge = Options { merge: Merges::All, ..Options::default() };
    let report = import(&app, &bytes, merge).unwrap();
    assert!(report.written, "{}", report.text());
    assert_eq!(report.merged.len(), 1, "{}", report.text());
    assert_eq!(report.counts("service"), [0, 1, 0, 0], "written into the listing here: {}", report.text());
    let after = doorstep::app::openreferral::every_service(&app.state.store).unwrap();
    assert_eq!(after.len(), before, "no second listing");
    let merged = after.iter().find(|r| r.id == local.id).unwrap();
    assert_eq!(
        merged.details.name,
        local.details.name.to_lowercase(),
        "the feed's words, on the listing here"
    );

    // The same feed again, without asking: it is still the listing here.
    let again = import(&app, &bytes, Options::default()).unwrap();
    assert_eq!(again.counts("service"), [0, 0, 1, 0], "{}", again.text());
    assert!(again.duplicates.is_empty(), "{}", again.text());
}

#[actix_web::test]
async fn another_areas_feed_never_takes_over_a_listing_here() {
    let app = TestApp::with_demo();
    let postcode = common::central_postcode(&app);
    let bytes = serde_json::to_vec(&one_service(&postcode, None, &[])).unwrap();
    let ours = import(&app, &bytes, Options::default()).unwrap();
    assert_eq!(ours.counts("service"), [1, 0, 0, 0]);

    // The same service, with the same id, in a neighbouring area's feed.
    let feed = doorstep::domain::ids::NeighbourFeedId::new();
    let (admin, now) = (
        app.add_user("feeds@example.org", doorstep::domain::accounts::Role::Administrator, None),
        Utc::now().naive_utc(),
    );
    doorstep::store::neighbours::follow(
        &mut app.state.store.conn().unwrap(),
        feed,
        "Elsewhere",
        "https://feeds.example/openreferral",
        admin,
        now,
    )
    .unwrap();
    let mut theirs = one_service(&postcode, None, &[]);
    theirs["services"][0]["description"] = json!("Their words, not ours.");
    let tables = terms::tables(terms::BUILT_IN).unwrap();
    let matcher = NeedMatcher::new(&app.state.taxonomy, &tables);
    let context =
        Context { source: SOURCE, needs: &app.state.taxonomy, matcher: &matcher, area: "Elsewhere" };
    let batch = read(&serde_json::to_vec(&theirs).unwrap(), &context).unwrap();
    let options = Options { skip_rejected: true, ..Options::default() };
    let report =
        imports::import_listed(&app.state.store, batch, "Elsewhere's feed", &options, Some(feed), now)
            .unwrap();
    assert!(report.text().contains("is already listed here by someone else"), "{}", report.text());
    let records = doorstep::app::openreferral::every_service(&app.state.store).unwrap();
    let kept = records
        .iter()
        .find(|r| r.details.name == "Knit and Natter")
        .expect("still ours, and still published");
    assert_eq!(kept.details.description, "Bring your needles.");
}

#[actix_web::test]
async fn an_organisation_nested_in_a_service_keeps_what_it_does_not_say() {
    let app = TestApp::with_demo();
    let mut feed: Value = serde_json::from_slice(&exported(&app)).unwrap();
    let charity = feed["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o.get("organization_identifiers").is_some())
        .cloned()
        .expect("the demo has a charity with its number");
    // A feed that nests each service's organisation, without its numbers.
    feed["organizations"] = json!([]);
    let mut short = charity.clone();
    short.as_object_mut().unwrap().remove("organization_identifiers");
    for service in feed["services"].as_array_mut().unwrap() {
        if service["organization_id"] == charity["id"] {
            service["organization"] = short.clone();
        }
    }
    let report = import(&app, &serde_json::to_vec(&feed).unwrap(), Options::default()).unwrap();
    assert_eq!(report.counts("organisation")[1], 0, "nothing it does not say is changed: {}", report.text());
    let mut browser = app.browser().await;
    let page = browser.get(&format!("/openreferral/organizations/{}", charity["id"].as_str().unwrap())).await;
    assert!(page.body.contains("GB-CHC"), "the charity number is kept");
}
