//! The search index keeping up: a saved edit found at once, a change that
//! missed the index repaired at the next start, a corrupt index rebuilt, a
//! stream of edits never racing a merge, and a taxonomy of any size.

use crate::common::{self, PASSWORD, TestApp};
use crate::search::{api, names};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;

#[actix_web::test]
async fn a_saved_edit_is_found_as_soon_as_it_is_saved() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    let (_, before) = api(&mut browser, "q=zebra").await;
    assert_eq!(before["total"], 0);
    let id = names(&api(&mut browser, "q=coffee+morning").await.1)[0].clone();
    let (_, json) = api(&mut browser, "q=coffee+morning").await;
    let service = json["results"][0]["id"].as_str().unwrap().to_string();
    browser.sign_in("kim@example.org", PASSWORD).await;
    let edit = format!("/staff/services/{service}/edit");
    let form_page = browser.get(&edit).await;
    assert_eq!(form_page.status, StatusCode::OK, "{id}");
    let mut input = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::services::input(&mut conn, service.parse().unwrap()).unwrap().to_form()
    };
    input.name = "Zebra Crossing Coffee Morning".into();
    let mut fields: Vec<(&str, &str)> = vec![
        ("organisation", &input.organisation),
        ("name", &input.name),
        ("description", &input.description),
        ("status", &input.status),
        ("referral_route", &input.referral_route),
        ("cost", &input.cost),
        ("area", &input.area),
        ("capacity", &input.capacity),
        ("languages", &input.languages),
    ];
    fields.extend(input.needs.iter().map(|n| ("needs", n.as_str())));
    fields.extend(input.delivery.iter().map(|d| ("delivery", d.as_str())));
    let saved = browser.submit(&edit, &format!("/staff/services/{service}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Found as soon as the save has answered.
    let (_, after) = api(&mut browser, "q=zebra").await;
    assert_eq!(names(&after), ["Zebra Crossing Coffee Morning"]);
}

#[actix_web::test]
async fn a_change_that_missed_the_index_is_repaired_at_the_next_start() {
    use diesel::connection::SimpleConnection;
    let TestApp { dir, state } = TestApp::with_demo();
    let query = doorstep::domain::search::SearchRequest { text: "yak".into(), ..Default::default() };
    let service = state
        .search
        .search(
            &doorstep::domain::search::SearchRequest { text: "coffee morning".into(), ..Default::default() },
            &state.taxonomy,
            "the area",
            chrono::Utc::now(),
        )
        .unwrap()
        .results[0]
        .id;
    // Saved to the database and queued, but the process stopped before the
    // index was told (as after a crash between the two).
    {
        let mut conn = state.store.conn().unwrap();
        conn.batch_execute(&format!(
            "UPDATE services SET name = 'Yak Shaving Society' WHERE id = '{service}';
             INSERT INTO search_changes (service_id, changed_at) VALUES ('{service}', '2026-01-01 00:00:00');"
        ))
        .unwrap();
    }
    assert_eq!(
        state.search.search(&query, &state.taxonomy, "the area", chrono::Utc::now()).unwrap().total,
        0,
        "not indexed yet"
    );
    let config = (*state.config).clone();
    drop(state);
    let restarted = doorstep::state::open(config).unwrap();
    assert_eq!(
        restarted.search.built_for(),
        Some(chrono::Utc::now().date_naive()),
        "the index remembers the day it was built for, so a restart does not rebuild it"
    );
    assert_eq!(
        restarted.search.search(&query, &restarted.taxonomy, "the area", chrono::Utc::now()).unwrap().total,
        1,
        "repaired from the queue at start"
    );
    drop(restarted);
    drop(dir);
}

#[actix_web::test]
async fn a_corrupt_index_is_rebuilt_at_start() {
    let TestApp { dir, state } = TestApp::with_demo();
    let config = (*state.config).clone();
    let folder = config.paths().index;
    drop(state);
    std::fs::write(folder.join("meta.json"), "this is not an index").unwrap();
    let reopened = doorstep::state::open(config).unwrap();
    let all =
        doorstep::domain::search::SearchRequest { needs: vec!["loneliness".into()], ..Default::default() };
    assert!(
        reopened.search.search(&all, &reopened.taxonomy, "the area", chrono::Utc::now()).unwrap().total > 50,
        "rebuilt from the database"
    );
    drop(reopened);
    drop(dir);
}

/// What the search library logs at warning level or above, as it logs it.
static LOGGED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) && record.target().starts_with("tantivy") {
            LOGGED.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

#[test]
fn a_stream_of_edits_never_races_a_merge_and_the_index_stays_whole() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        log::set_logger(&Recorder).unwrap();
        log::set_max_level(log::LevelFilter::Warn);
    });
    let app = TestApp::with_demo();
    let (store, search) = (&app.state.store, &app.state.search);
    let id = {
        let mut conn = store.conn().unwrap();
        doorstep::store::service_lists::for_need(&mut conn, "loneliness", 1).unwrap()[0].id
    };
    let admin = app.add_user("editor@example.org", doorstep::domain::accounts::Role::Administrator, None);
    let today = chrono::Utc::now().date_naive();
    // The same service saved again and again, each save indexed at once, as
    // the web's edits are: every commit leaves the last one's segment empty.
    for n in 0..150 {
        let mut conn = store.conn().unwrap();
        let mut input = doorstep::store::services::input(&mut conn, id).unwrap();
        input.name = format!("Edited lunch club number {n}");
        doorstep::store::services::update(&mut conn, id, &input, admin, None, chrono::Utc::now().naive_utc())
            .unwrap();
        drop(conn);
        doorstep::jobs::index_sync::sync(store, search, &app.state.taxonomy, today).unwrap();
    }
    let mut follower = doorstep::jobs::index_sync::Follower::new(store);
    follower.step(store, search, &app.state.taxonomy, chrono::Utc::now().naive_utc()).unwrap();
    let raced: Vec<String> =
        LOGGED.lock().unwrap().iter().filter(|m| m.contains("couldn't find segment")).cloned().collect();
    assert!(raced.is_empty(), "a merge raced a commit: {raced:?}");
    assert!(search.segments() <= 9, "merged when the edits split it: {} segments", search.segments());
    let query = doorstep::domain::search::SearchRequest {
        text: "Edited lunch club number 149".into(),
        ..Default::default()
    };
    let found = search.search(&query, &app.state.taxonomy, "the area", chrono::Utc::now()).unwrap();
    assert_eq!(found.results.iter().filter(|h| h.id == id).count(), 1, "the service, once");
    assert_eq!(found.results[0].name, "Edited lunch club number 149");
}

#[actix_web::test]
async fn four_hundred_needs_load_index_and_search() {
    use doorstep::domain::ids::NeedId;
    use doorstep::domain::needs::Need;
    use doorstep::store::{needs, services};

    let app = TestApp::empty();
    let by = app.add_user("ada@example.org", Role::Administrator, None);
    let organisation = app.add_organisation("Far Reaches Trust");
    let TestApp { dir, state } = app;
    let built_in = state.taxonomy.len();
    {
        let mut conn = state.store.conn().unwrap();
        // A group of needs an import might bring, taking the taxonomy to 400 terms.
        let group = Need {
            id: NeedId::from_slug("imported"),
            slug: String::from("imported"),
            parent: None,
            label: String::from("Imported needs"),
            description: String::from("Needs from another directory's taxonomy."),
            synonyms: vec![],
            phrases: vec![],
            senses: vec![],
            position: 100,
        };
        let needs_under_it = (built_in + 1..400).map(|n| Need {
            id: NeedId::from_slug(&format!("imported-{n}")),
            slug: format!("imported-{n}"),
            parent: Some(group.id),
            label: format!("Imported need {n}"),
            description: format!("The imported need numbered {n}."),
            synonyms: vec![format!("quokka{n}")],
            phrases: vec![],
            senses: vec![],
            position: n as i32,
        });
        let added: Vec<Need> = std::iter::once(group.clone()).chain(needs_under_it).collect();
        needs::insert(&mut conn, &added).unwrap();
        let listed: [(&str, &[&str]); 3] = [
            ("Last Need Group", &["imported-399"]),
            ("Lonely Hearts Club", &["loneliness"]),
            // More needs than the index packs into one number.
            (
                "Many Needs Hub",
                &["imported-395", "imported-396", "imported-397", "imported-398", "imported-399"],
            ),
        ];
        for (name, needs) in listed {
            let input = common::phone_service(organisation, name, needs);
            services::create(&mut conn, &input, by, None, chrono::Utc::now().naive_utc()).unwrap();
        }
    }
    // A restart loads the taxonomy from the store, and the index, built for
    // the old one, is rebuilt for it.
    let config = (*state.config).clone();
    drop(state);
    let state = doorstep::state::open(config).unwrap();
    assert_eq!(state.taxonomy.len(), 400, "every need loads");
    assert_eq!(state.search.built_with(), Some(state.taxonomy.fingerprint()), "indexed for this taxonomy");
    let app = TestApp { dir, state };
    let mut browser = app.browser().await;

    let (status, json) = api(&mut browser, "need=imported-399").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let mut found = names(&json);
    found.sort();
    assert_eq!(found, ["Last Need Group", "Many Needs Hub"], "found by their need, the 400th term");
    let facets = &json["facets"]["needs"];
    assert_eq!(facets["imported-399"], 2, "both counted in the facets: {json}");
    assert_eq!(facets["imported-395"], 1, "and every need of the one with five: {json}");
    let (_, grouped) = api(&mut browser, "need=imported&need=loneliness").await;
    let groups = grouped["groups"].as_array().unwrap();
    assert_eq!(groups[0]["need"], "imported");
    assert_eq!(groups[0]["total"], 2, "a group of needs holds its children: {grouped}");
    assert_eq!(groups[1]["results"][0]["name"], "Lonely Hearts Club");
    let (_, by_word) = api(&mut browser, "q=quokka395").await;
    assert_eq!(names(&by_word), ["Many Needs Hub"], "found by the need's synonym");
    // One search asks for at most 64 needs, each a group of results.
    let many: Vec<String> = (300..365).map(|n| format!("need=imported-{n}")).collect();
    let (status, refused) = api(&mut browser, &many.join("&")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "need");
    let (status, _) = api(&mut browser, &many[..64].join("&")).await;
    assert_eq!(status, StatusCode::OK, "64 needs are answered");
    let repeated = vec!["need=debt"; 65].join("&");
    assert_eq!(api(&mut browser, &repeated).await.0, StatusCode::BAD_REQUEST, "repeats count too");
    let page = browser.get("/needs/imported-399").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Last Need Group") && page.body.contains("Many Needs Hub"),
        "the need's page lists them"
    );
}
