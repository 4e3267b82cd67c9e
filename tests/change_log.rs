//! What lets several servers share one database: the change log every
//! server's index follows (pruned once every live server has passed an
//! entry; a server that fell too far behind rebuilds), and the sign-in
//! throttle, counted where every server sees it.

use chrono::{Duration, Utc};
use diesel::connection::SimpleConnection;
use doorstep::jobs::index_sync::{self, Follower};
use doorstep::store::search_feed;

use crate::common::{PASSWORD, TestApp, postgres_or_skip};

/// A running service's id.
fn a_service(app: &TestApp) -> doorstep::domain::ids::ServiceId {
    doorstep::store::service_lists::for_need(&mut app.state.store.conn().unwrap(), "loneliness", 1).unwrap()
        [0]
    .id
}

#[test]
fn the_log_is_pruned_once_every_live_server_has_passed_it() {
    let app = TestApp::with_demo();
    let store = &app.state.store;
    let service = a_service(&app);
    let now = Utc::now().naive_utc();
    let mut conn = store.conn().unwrap();
    for _ in 0..10 {
        search_feed::log_change(&mut conn, service, now).unwrap();
    }
    let (first, last) = search_feed::log_bounds(&mut conn).unwrap().unwrap();
    // One server has taken in everything; another is four changes behind.
    search_feed::followed(&mut conn, "ahead", last, now).unwrap();
    search_feed::followed(&mut conn, "behind", last - 4, now).unwrap();
    search_feed::prune(&mut conn, now - Duration::minutes(10)).unwrap();
    let (kept_from, _) = search_feed::log_bounds(&mut conn).unwrap().unwrap();
    assert_eq!(kept_from, last - 4, "kept what the slower server still needs (from {first})");
    // The slower server goes quiet: ten minutes on, it no longer holds the log back.
    let later = now + Duration::minutes(11);
    search_feed::followed(&mut conn, "ahead", last, later).unwrap();
    search_feed::prune(&mut conn, later - Duration::minutes(10)).unwrap();
    assert_eq!(search_feed::log_bounds(&mut conn).unwrap().unwrap(), (last, last), "the newest stays");
}

#[test]
fn a_server_whose_place_in_the_log_was_pruned_rebuilds() {
    let app = TestApp::with_demo();
    let (store, search, taxonomy) = (&app.state.store, &app.state.search, &app.state.taxonomy);
    let service = a_service(&app);
    let at = search.indexed_up_to().unwrap();
    let now = Utc::now().naive_utc();
    let mut conn = store.conn().unwrap();
    // Renamed while this server was away, and the log pruned past its place
    // by the servers that stayed.
    conn.batch_execute(&format!("UPDATE services SET name = 'Away Day Society' WHERE id = '{service}'"))
        .unwrap();
    for _ in 0..3 {
        search_feed::log_change(&mut conn, service, now).unwrap();
    }
    let (_, last) = search_feed::log_bounds(&mut conn).unwrap().unwrap();
    search_feed::followed(&mut conn, "stayed", last, now).unwrap();
    search_feed::prune(&mut conn, now - Duration::minutes(10)).unwrap();
    assert!(search_feed::log_bounds(&mut conn).unwrap().unwrap().0 > at + 1, "its place is gone");
    drop(conn);
    index_sync::sync(store, search, taxonomy, now.date()).unwrap();
    assert_eq!(search.indexed_up_to(), Some(last), "caught up by a rebuild");
    let asked =
        doorstep::domain::search::SearchRequest { text: "away day society".into(), ..Default::default() };
    let found = search.search(&asked, taxonomy, "the area", Utc::now()).unwrap();
    assert_eq!(found.results.first().map(|r| r.name.as_str()), Some("Away Day Society"));
}

#[test]
fn a_follower_reports_where_it_has_got_to() {
    let app = TestApp::with_demo();
    let (store, search, taxonomy) = (&app.state.store, &app.state.search, &app.state.taxonomy);
    let mut follower = Follower::new(store);
    search_feed::log_change(&mut store.conn().unwrap(), a_service(&app), Utc::now().naive_utc()).unwrap();
    follower.step(store, search, taxonomy, Utc::now().naive_utc()).unwrap();
    let (_, last) = search_feed::log_bounds(&mut store.conn().unwrap()).unwrap().unwrap();
    assert_eq!(search.indexed_up_to(), Some(last));
    let lag = index_sync::lag(store, search).unwrap();
    assert_eq!(lag, (0, None), "nothing waits");
}

#[actix_web::test]
async fn failed_sign_ins_at_one_server_slow_the_guesser_at_every_other() {
    let Some(_) = postgres_or_skip("the throttle across servers") else { return };
    let first = TestApp::with_demo();
    let second = first.another_server();
    let mut guesser = first.browser().await;
    for _ in 0..3 {
        guesser.sign_in("admin@kingsmere.example.org", "guess").await;
    }
    let mut same_guesser_elsewhere = second.browser().await;
    let slowed = same_guesser_elsewhere.sign_in("admin@kingsmere.example.org", "guess again").await;
    let fourth = same_guesser_elsewhere.sign_in("admin@kingsmere.example.org", PASSWORD).await;
    assert_eq!(slowed.status.as_u16(), 401, "the fourth failure counts");
    assert_eq!(fourth.status.as_u16(), 429, "and now it waits, whichever server it asks");
}
