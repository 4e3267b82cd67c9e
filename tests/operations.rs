//! What whoever runs Doorstep sees: `/metrics` and `/readyz`, a request id
//! on every answer, and the limits set in the configuration (body size,
//! form fields, query string, database pool, time to answer), each refused
//! with a clear answer rather than a hang or a 500.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;

use crate::common::{PASSWORD, TestApp};

#[actix_web::test]
async fn metrics_are_for_the_monitoring_addresses_only() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    assert_eq!(browser.get("/metrics").await.status, StatusCode::NOT_FOUND, "not from 192.0.2.10");

    let app = TestApp::with_demo_and(|c| c.metrics_from = vec!["192.0.2.0/24".parse().unwrap()]);
    let mut browser = app.browser().await;
    browser.get("/search?q=lunch").await;
    browser.get("/services/not-an-id").await;
    let metrics = browser.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.body;
    for line in [
        r#"doorstep_http_requests_total{route="/search",method="GET",status="200"} 1"#,
        r#"doorstep_http_requests_total{route="/services/{id}",method="GET",status="404"} 1"#,
        r#"doorstep_http_request_duration_seconds_count{route="/search"} 1"#,
        "doorstep_search_duration_seconds_count 1",
        "doorstep_index_lag_changes 0",
        "doorstep_outbox_waiting 0",
        "doorstep_database_connections_max 8",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[actix_web::test]
async fn ready_once_the_index_has_taken_in_every_change() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let ready = browser.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (StatusCode::OK, "ready\n"));
    // A change saved long ago that this index has not taken in (as when its
    // server cannot keep up): not ready, and it says why.
    let service =
        doorstep::store::service_lists::for_need(&mut app.state.store.conn().unwrap(), "loneliness", 1)
            .unwrap()[0]
            .id;
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(5);
    doorstep::store::search_feed::log_change(&mut app.state.store.conn().unwrap(), service, long_ago)
        .unwrap();
    let behind = browser.get("/readyz").await;
    assert_eq!(behind.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(behind.body.contains("the search index is 1 changes behind"), "{}", behind.body);
    assert!(behind.headers.contains_key("retry-after"));
    doorstep::jobs::index_sync::sync(
        &app.state.store,
        &app.state.search,
        &app.state.taxonomy,
        long_ago.date(),
    )
    .unwrap();
    assert_eq!(browser.get("/readyz").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::with_demo_and(|c| c.trusted_proxies = vec!["192.0.2.10".parse().unwrap()]);
    let mut browser = app.browser().await;
    let page = browser.get("/").await;
    let id = page.headers.get("x-request-id").unwrap().to_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert_ne!(browser.get("/").await.headers.get("x-request-id").unwrap().to_str().unwrap(), id);
    // A trusted proxy's id is kept, so one request can be followed through both logs.
    browser.headers.push(("X-Request-Id".into(), "edge-42".into()));
    assert_eq!(browser.get("/").await.headers.get("x-request-id").unwrap(), "edge-42");
    let untrusted = TestApp::with_demo();
    let mut browser = untrusted.browser().await;
    browser.headers.push(("X-Request-Id".into(), "edge-42".into()));
    assert_ne!(browser.get("/").await.headers.get("x-request-id").unwrap(), "edge-42");
}

#[actix_web::test]
async fn limits_in_the_configuration_are_enforced_with_clear_answers() {
    let app = TestApp::with_demo_and(|c| {
        c.request_body_kb = 4;
        c.form_fields = 20;
        c.query_string_bytes = 100;
    });
    let mut browser = app.browser().await;
    let long = browser.get(&format!("/search?q={}", "lunch+".repeat(30))).await;
    assert_eq!(long.status, StatusCode::URI_TOO_LONG);
    assert!(long.body.contains("The web address is too long"));
    assert_eq!(browser.get("/search?q=lunch").await.status, StatusCode::OK);
    let api = browser.get(&format!("/api/search?q={}", "lunch+".repeat(30))).await;
    assert_eq!(api.status, StatusCode::URI_TOO_LONG);
    assert_eq!(api.body, r#"{"error":"the web address is too long"}"#, "JSON, as the API's other errors");

    let big = "x".repeat(5 * 1024);
    let sent = browser.submit("/sign-in", "/sign-in", &[("email", &big), ("password", "p")]).await;
    assert_eq!(sent.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(sent.body.contains("What was sent is too large"));

    let many: Vec<(String, String)> = (0..25).map(|n| (format!("field{n}"), String::from("x"))).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sent = browser.submit("/sign-in", "/sign-in", &many).await;
    assert_eq!(sent.status, StatusCode::BAD_REQUEST);
    assert!(sent.body.contains("more than 20 fields"), "{}", sent.body);
    // Within the limits, the form works.
    assert_eq!(browser.sign_in("admin@kingsmere.example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_busy_database_pool_answers_503_with_retry_after_and_never_hangs() {
    let app = TestApp::with_demo_and(|c| {
        c.database_pool_size = 1;
        c.database_wait_seconds = 1;
    });
    let mut browser = app.browser().await;
    // Every connection is taken, as by slow requests.
    let held = app.state.store.conn().unwrap();
    let started = Instant::now();
    let busy = browser.get("/healthz").await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers.get("retry-after").unwrap(), "5");
    assert!(busy.body.contains("Sorry, the service is busy"));
    assert!(started.elapsed() < Duration::from_secs(5), "answered within the wait, not hung");
    drop(held);
    assert_eq!(browser.get("/healthz").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_request_that_takes_too_long_is_answered_503() {
    let app = TestApp::with_demo_and(|c| {
        c.database_pool_size = 1;
        c.database_wait_seconds = 30;
        c.handler_timeout_seconds = 1;
    });
    let mut browser = app.browser().await;
    let held = app.state.store.conn().unwrap();
    let started = Instant::now();
    let slow = browser.get("/healthz").await;
    assert_eq!(slow.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(10), "answered at the limit");
    drop(held);
}
