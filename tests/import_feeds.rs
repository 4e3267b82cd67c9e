//! Reading other directories' feeds over real HTTP on loopback: Doorstep's
//! own ORUK 3.0 API walked page by page into an empty database, an ORUK v1
//! feed, a feed that fails halfway (nothing written), and the feeds that
//! misbehave: slow, redirecting forever, too large, compressed bombs, HTML.

use std::io::Write;
use std::time::Duration;

use crate::common::feed_server::{FeedServer, Reply};
use crate::common::server::{Client, Served, open_store};
use crate::common::{self, TestApp, TestData};
use chrono::Utc;
use doorstep::app::imports::{self, FeedError, Options, read_feed};
use doorstep::domain::imports::hsds::Context;
use doorstep::domain::imports::terms::{self, NeedMatcher};
use doorstep::domain::imports::{Batch, Report};
use doorstep::fetch::{FetchError, Fetcher, Limits};
use serde_json::{Value, json};

/// Quick to give up, for the feeds that misbehave.
fn impatient() -> Limits {
    Limits {
        timeout: Duration::from_secs(2),
        max_bytes: 1024 * 1024,
        tries: 2,
        first_wait: Duration::from_millis(50),
        // The test's feeds are served on loopback.
        private_addresses: true,
    }
}

fn read(app: &TestApp, url: &str, limits: Limits) -> Result<Batch, FeedError> {
    let tables = terms::tables(terms::BUILT_IN).unwrap();
    let matcher = NeedMatcher::new(&app.state.taxonomy, &tables);
    let area = app.state.config.area_name.clone().unwrap_or_default();
    let context = Context { source: url, needs: &app.state.taxonomy, matcher: &matcher, area: &area };
    let fetcher = Fetcher::new("http://test.example", limits).unwrap();
    read_feed(&fetcher, url, &context, &mut imports::Copies::default(), &mut |_, _| {})
}

fn import(app: &TestApp, batch: Batch, source: &str) -> Report {
    imports::import(&app.state.store, batch, source, &Options::default(), Utc::now().naive_utc()).unwrap()
}

#[test]
fn doorsteps_own_feed_is_walked_page_by_page_into_an_empty_directory() {
    let data = TestData::with_demo();
    let borough = {
        let store = open_store(&data);
        let mut conn = store.conn().unwrap();
        doorstep::store::meta::get(&mut conn, doorstep::store::meta::DEMO).unwrap().unwrap()
    };
    let served = Served::start(&data, data.path(), &[]);
    let copy = TestApp::empty_with(|c| c.area_name = Some(borough));
    let feed = format!("{}/openreferral/", served.url);
    let batch = read(&copy, &feed, Limits::default().private(true)).unwrap();
    let mut remote = Client::new(&served.url);
    let list: Value = serde_json::from_str(&remote.get("/openreferral/services?per_page=200").body).unwrap();
    let theirs: Vec<(String, String)> = list["contents"]
        .as_array()
        .unwrap()
        .iter()
        .step_by(15)
        .map(|item| {
            let path = format!("/openreferral/services/{}", item["id"].as_str().unwrap());
            (path.clone(), remote.get(&path).body.replace(&served.url, &copy.state.config.public_url))
        })
        .collect();
    let report = import(&copy, batch, &feed);
    assert_eq!(report.counts("service"), [420, 0, 0, 0], "{}", report.text());
    assert!(report.written);

    // Each service reads back as the feed published it (its organisation's
    // page is on this site now, not the feed's).
    // The in-process app on a runtime of its own: the blocking HTTP clients above may not run inside one.
    actix_web::rt::System::new().block_on(async {
        let mut here = copy.browser().await;
        for (path, theirs) in theirs {
            let ours = here.get(&path).await.body;
            let (ours, theirs): (Value, Value) =
                (serde_json::from_str(&ours).unwrap(), serde_json::from_str(&theirs).unwrap());
            assert_eq!(ours, theirs, "{path}");
        }
    });
}

/// An ORUK v1 service, as council feeds publish them: numeric ids, `regular_schedules`, `service_taxonomys`.
fn v1_service(n: u32, postcode: &str) -> Value {
    json!({
        "id": n, "name": format!("Coffee Morning {n}"), "status": "active", "description": "Tea, coffee and a chat.",
        "fees": "Free",
        "organization": {"id": 900 + n, "name": format!("Friends of Ward {n}"), "description": "Neighbours."},
        "eligibilitys": [{"eligibility": "Anyone over 50", "minimum_age": 50}],
        "regular_schedules": [{"id": 70 + n, "freq": "WEEKLY", "byday": "WE", "opens_at": "10:00", "closes_at": "12:00"}],
        "service_at_locations": [{"id": 50 + n, "location": {"id": 60 + n, "name": "Ward Hall",
            "physical_addresses": [{"address_1": "2 High Street", "city": "Sale", "postal_code": postcode}]}}],
        "service_taxonomys": [{"taxonomy": {"id": "esd-1", "name": "Social isolation", "vocabulary": "esdNeeds"}}],
        "languages": [{"language": "English"}]
    })
}

fn v1_page(number: u32, of: u32, postcode: &str) -> String {
    let content: Vec<Value> = (0..3).map(|i| v1_service(number * 10 + i, postcode)).collect();
    json!({"totalElements": of * 3, "totalPages": of, "number": number, "size": 3, "first": number == 1,
           "last": number == of, "empty": false, "content": content})
    .to_string()
}

#[test]
fn an_oruk_v1_feed_is_read_in_its_own_shape() {
    let app = TestApp::with_demo();
    let postcode = common::central_postcode(&app);
    let server = FeedServer::start(move |path| match path {
        p if p.starts_with("/api/services?page=1&") => Reply::Json(200, v1_page(1, 2, &postcode)),
        p if p.starts_with("/api/services?page=2&") => Reply::Json(200, v1_page(2, 2, &postcode)),
        _ => Reply::Json(404, "{}".into()),
    });
    let feed = format!("{}/api", server.url);
    let report = import(&app, read(&app, &feed, Limits::default().private(true)).unwrap(), &feed);
    assert_eq!(report.counts("service"), [6, 0, 0, 0], "{}", report.text());
    let id = doorstep::domain::imports::record_id(&feed, "service", "11");
    let mut conn = app.state.store.conn().unwrap();
    let view = doorstep::store::services::view(&mut conn, doorstep::domain::ids::ServiceId(id)).unwrap();
    assert_eq!(view.details.name, "Coffee Morning 11");
    assert_eq!(view.details.needs, ["loneliness"], "esd's \"Social isolation\" lands on loneliness");
    assert_eq!(view.details.min_age, Some(50));
    assert_eq!(view.details.cost, doorstep::domain::directory::CostKind::Free);
    assert_eq!(view.schedules.len(), 1);
    assert!(view.locations[0].neighbourhood.is_some(), "placed by its postcode");
}

#[test]
fn a_feed_that_fails_halfway_writes_nothing() {
    let app = TestApp::with_demo();
    let postcode = common::central_postcode(&app);
    let server = FeedServer::start(move |path| match path {
        p if p.starts_with("/api/services?page=1&") => Reply::Json(200, v1_page(1, 3, &postcode)),
        _ => Reply::Json(500, "{\"error\": \"the database is down\"}".into()),
    });
    let before = common::database_contents(&app);
    let failed = read(&app, &format!("{}/api", server.url), impatient());
    match failed {
        Err(FeedError::Fetch(FetchError::Status(url, 500))) => assert!(url.contains("page=2"), "{url}"),
        other => panic!("the second page's failure stops the import: {other:?}"),
    }
    assert_eq!(common::database_contents(&app), before, "nothing was written");
    assert!(server.requests() >= 3, "the failing page was tried again: {} requests", server.requests());
}

/// Whether an error is the one a feed should give.
type Expected = fn(&FeedError) -> bool;

#[test]
fn feeds_that_misbehave_are_refused_with_the_reason() {
    let app = TestApp::empty();
    let huge = "x".repeat(2 * 1024 * 1024);
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![b' '; 20 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap();
    assert!(bomb.len() < 100 * 1024, "a small file that unpacks to 20 MB: {}", bomb.len());
    let server = FeedServer::start(move |path| match path.split('/').nth(1).unwrap_or("") {
        "slow" => {
            Reply::Trickle(json!({"contents": [], "total_pages": 1}).to_string(), Duration::from_millis(400))
        }
        "loop" => Reply::Redirect(String::from("/loop/services")),
        "large" => Reply::Json(200, format!("{{\"contents\": [], \"padding\": \"{huge}\"}}")),
        "bomb" => Reply::Gzipped(bomb.clone()),
        "html" => Reply::Body(200, "text/html", b"<!doctype html><title>Our services</title>".to_vec()),
        "shape" => Reply::Json(200, json!({"services": "none"}).to_string()),
        _ => Reply::Json(404, "{}".into()),
    });
    let cases: [(&str, Expected); 6] = [
        ("slow", |e| matches!(e, FeedError::Fetch(FetchError::TimedOut(..)))),
        ("loop", |e| matches!(e, FeedError::Fetch(FetchError::Redirects(..)))),
        ("large", |e| matches!(e, FeedError::Fetch(FetchError::TooLarge(..)))),
        ("bomb", |e| matches!(e, FeedError::Fetch(FetchError::TooLarge(..)))),
        ("html", |e| matches!(e, FeedError::Read(..)) && e.to_string().contains("not JSON")),
        ("shape", |e| matches!(e, FeedError::Read(..)) && e.to_string().contains("not Open Referral")),
    ];
    for (path, expected) in cases {
        let error = read(&app, &format!("{}/{path}", server.url), impatient()).expect_err(path);
        assert!(expected(&error), "{path}: {error}");
    }
    let not_a_feed = read(&app, "ftp://example.org/feed", impatient()).expect_err("ftp");
    assert!(not_a_feed.to_string().contains("must start http:// or https://"), "{not_a_feed}");
}
