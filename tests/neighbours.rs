//! Neighbouring areas: an administrator follows another area's Open
//! Referral feed, served over real HTTP on loopback; its services are found
//! here as listed by that area, changed only there and never published as
//! ours; the next read asks only what changed (ETag); a service gone from
//! the feed is withdrawn; a feed that breaks leaves the last good copy and
//! the staff page says so.

use std::sync::{Arc, Mutex};

use crate::common::feed_server::{FeedServer, Reply};
use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::app::openreferral::{export, publisher};
use doorstep::domain::accounts::Role;
use serde_json::{Value, json};

/// What the neighbour's feed serves: its services, a version for its ETag,
/// and whether it is broken.
#[derive(Default)]
struct Feed {
    services: Vec<Value>,
    version: u32,
    broken: bool,
}

fn serve(feed: Arc<Mutex<Feed>>) -> FeedServer {
    FeedServer::start(move |path| {
        let feed = feed.lock().unwrap();
        if feed.broken {
            return Reply::Json(500, String::from("{}"));
        }
        if !path.starts_with("/openreferral/services?page=1") {
            return Reply::Json(404, String::from("{}"));
        }
        let count = feed.services.len();
        let page = json!({
            "total_items": count, "total_pages": 1, "page_number": 1, "size": count,
            "first_page": true, "last_page": true, "empty": count == 0, "contents": feed.services,
        });
        Reply::Tagged(format!("\"v{}\"", feed.version), page.to_string())
    })
}

/// Takes a step of the `neighbours` job, then of the `index` job, on a
/// thread of their own as the runner does (the feed is read with a blocking
/// client, which must not run on the test's async runtime).
fn read_feeds(app: &TestApp) {
    let state = app.state.clone();
    std::thread::spawn(move || {
        let mut jobs = doorstep::jobs::background(&state);
        jobs.run_once("neighbours").unwrap();
        jobs.run_once("index").unwrap();
    })
    .join()
    .unwrap();
}

fn found(body: &str) -> Vec<Value> {
    let answer: Value = serde_json::from_str(body).unwrap();
    answer["results"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_neighbouring_areas_feed_is_followed_read_daily_and_kept_when_it_breaks() {
    let theirs = TestApp::with_demo();
    let area = theirs.state.demo.clone().unwrap();
    let dump: Value =
        serde_json::from_slice(&export(&theirs.state.store, &publisher(&theirs.state)).unwrap()).unwrap();
    // The services running there (a feed also lists those that have closed).
    let services: Vec<Value> =
        dump["services"].as_array().unwrap().iter().filter(|s| s["status"] == "active").cloned().collect();
    let feed = Arc::new(Mutex::new(Feed { services: services.clone(), version: 1, broken: false }));
    let server = serve(feed.clone());

    let ours = TestApp::empty_with(|c| c.area_name = Some(String::from("Neighbourton")));
    ours.add_user("admin@neighbourton.example.org", Role::Administrator, None);
    let mut admin = ours.browser().await;
    admin.sign_in("admin@neighbourton.example.org", PASSWORD).await;
    let token = admin.get("/staff/imports").await.csrf_token();

    let wrong = admin
        .post("/staff/neighbours", &[("csrf_token", &token), ("area", " "), ("url", "feeds.example")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Enter the area&#39;s name") || wrong.body.contains("Enter the area's name"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains(r#"value="feeds.example""#), "what was typed is kept");

    let url = format!("{}/openreferral/", server.url);
    let follow = [("csrf_token", token.as_str()), ("area", area.as_str()), ("url", url.as_str())];
    let followed = admin.post("/staff/neighbours", &follow).await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
    let twice = admin.post("/staff/neighbours", &follow).await;
    assert!(twice.body.contains("This feed is followed already"), "{}", twice.body);
    assert!(admin.get("/staff/imports").await.body.contains("Not read yet"));

    read_feeds(&ours);
    let page = admin.get("/staff/imports").await;
    assert!(page.body.contains("Read whole"), "{}", page.body);
    assert!(
        page.body.contains(&format!("<td>{}</td>", services.len())),
        "every service listed: {}",
        page.body
    );

    // Found in search, with where it comes from.
    let name = services[0]["name"].as_str().unwrap();
    let id = services[0]["id"].as_str().unwrap();
    let query: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let hits = found(&admin.get(&format!("/api/search?q={query}")).await.body);
    let hit = hits.iter().find(|h| h["id"] == id).expect("found by its name");
    assert_eq!(hit["listed_by"], json!(area));
    let shown = admin.get(&format!("/search?q={query}")).await;
    assert!(shown.body.contains(&format!("Listed by {area}")), "{}", shown.body);

    // Read-only here, and not published as ours.
    let service_page = admin.get(&format!("/services/{id}")).await;
    assert!(service_page.body.contains("a neighbouring area"), "{}", service_page.body);
    assert!(!service_page.body.contains("Edit this listing"));
    assert_eq!(admin.get(&format!("/staff/services/{id}/edit")).await.status, StatusCode::CONFLICT);
    let published: Value = serde_json::from_str(&admin.get("/openreferral/services").await.body).unwrap();
    assert_eq!(published["total_items"], json!(0), "another area's listings are not ours to publish");
    assert_eq!(admin.get(&format!("/openreferral/services/{id}")).await.status, StatusCode::NOT_FOUND);
    let organisations: Value =
        serde_json::from_str(&admin.get("/openreferral/organizations").await.body).unwrap();
    assert_eq!(organisations["total_items"], json!(0), "nor the organisations that run them");
    let home = admin.get("/staff").await;
    assert!(
        home.body.contains("Every listing you keep has been checked"),
        "checked there, not here: {}",
        home.body
    );

    // Read again: nothing has changed, and the feed says so.
    let feed_id = doorstep::store::neighbours::all(&mut ours.state.store.conn().unwrap()).unwrap()[0].id;
    let read_now = admin.post(&format!("/staff/neighbours/{feed_id}/read"), &[("csrf_token", &token)]).await;
    assert_eq!(read_now.status, StatusCode::SEE_OTHER);
    read_feeds(&ours);
    assert_eq!(server.not_modified(), 1, "asked with its ETag, and told nothing changed");

    // A service gone from the feed is withdrawn here.
    {
        let mut feed = feed.lock().unwrap();
        feed.services.remove(0);
        feed.version = 2;
    }
    admin.post(&format!("/staff/neighbours/{feed_id}/read"), &[("csrf_token", &token)]).await;
    read_feeds(&ours);
    let hits = found(&admin.get(&format!("/api/search?q={query}")).await.body);
    assert!(hits.iter().all(|h| h["id"] != id), "withdrawn");
    let others = services.len() - 1;
    assert!(admin.get("/staff/imports").await.body.contains(&format!("<td>{others}</td>")));

    // The feed suddenly lists nothing: most likely broken, so what it listed stays.
    {
        let mut feed = feed.lock().unwrap();
        feed.services.clear();
        feed.version = 3;
    }
    admin.post(&format!("/staff/neighbours/{feed_id}/read"), &[("csrf_token", &token)]).await;
    read_feeds(&ours);
    let page = admin.get("/staff/imports").await;
    assert!(page.body.contains("the feed lists no services"), "{}", page.body);
    assert!(page.body.contains(&format!("<td>{others}</td>")), "nothing withdrawn");

    // The feed breaks: the copy last read whole stays, and the page says so.
    feed.lock().unwrap().broken = true;
    admin.post(&format!("/staff/neighbours/{feed_id}/read"), &[("csrf_token", &token)]).await;
    read_feeds(&ours);
    let page = admin.get("/staff/imports").await;
    assert!(page.body.contains("Failing: ") && page.body.contains("answered 500"), "{}", page.body);
    assert!(page.body.contains("Showing the copy read whole"));
    let still = services[1]["name"].as_str().unwrap();
    let query: String = form_urlencoded::byte_serialize(still.as_bytes()).collect();
    let hits = found(&admin.get(&format!("/api/search?q={query}")).await.body);
    assert!(hits.iter().any(|h| h["id"] == services[1]["id"]), "still found");
}
