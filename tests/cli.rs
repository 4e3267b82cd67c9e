//! The `doorstep` command, run as a person would run it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::common::{TestData, doorstep, text};

#[test]
fn seed_demo_is_idempotent_and_stats_counts_it() {
    let dir = TestData::new();
    let first = doorstep(&dir, &["seed", "demo"], "");
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("Seeded the Kingsmere demo"));
    assert!(text(&first).contains("admin@kingsmere.example.org"));
    let again = doorstep(&dir, &["seed", "demo"], "");
    assert!(again.status.success());
    assert!(text(&again).contains("already in this database"));

    let stats = doorstep(&dir, &["stats", "--json"], "");
    assert!(stats.status.success(), "{}", text(&stats));
    let counts: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("stats --json prints JSON");
    let count = |name: &str| counts[name].as_i64().unwrap_or_else(|| panic!("no count of {name}"));
    assert!(count("organisations") >= 120);
    assert!(count("services") >= 400);
    assert!(count("needs") >= 30);
    assert_eq!(count("small_areas"), 812);
    assert_eq!(count("postcodes"), 812 * 3);
    assert!((230_000..=270_000).contains(&count("population")));
    assert_eq!(count("users"), 4);
    let neighbourhoods = count("neighbourhoods");
    assert!(
        (50..=65).contains(&neighbourhoods),
        "{neighbourhoods} neighbourhoods of 4,000 to 5,000 in about 250,000 people"
    );
}

#[test]
fn user_add_reads_the_password_from_standard_input() {
    let dir = TestData::new();
    let added = doorstep(
        &dir,
        &["user", "add", "--email", "kim@example.org", "--role", "connector"],
        "a long enough password\n",
    );
    assert!(added.status.success(), "{}", text(&added));
    assert!(text(&added).contains("Added kim@example.org as Community connector"));
    assert!(!text(&added).contains("a long enough password"), "the password is never echoed");

    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["user", "add", "--email", "KIM@example.org", "--role", "advisor"],
            "another password!\n",
            "already an account",
        ),
        (
            &["user", "add", "--email", "sam@example.org", "--role", "wizard"],
            "a long enough password\n",
            "'wizard' is not a role",
        ),
        (
            &["user", "add", "--email", "sam@example.org", "--role", "advisor"],
            "short\n",
            "at least 10 characters",
        ),
        (
            &["user", "add", "--email", "not-an-email", "--role", "advisor"],
            "a long enough password\n",
            "correct format",
        ),
        (
            &["user", "add", "--email", "sam@example.org", "--role", "organisation_editor"],
            "a long enough password\n",
            "needs --organisation",
        ),
    ];
    for (args, stdin, message) in cases {
        let output = doorstep(&dir, args, stdin);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(text(&output).contains(message), "{args:?}: {}", text(&output));
    }
    let stats = doorstep(&dir, &["stats", "--json"], "");
    let counts: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(counts["users"], 1, "no failed command added anyone");
}

#[test]
fn bad_configuration_is_explained() {
    let dir = TestData::new();
    let output = dir.command().arg("migrate").env("DOORSTEP_SESSION_HOURS", "soon").output().unwrap();
    assert!(!output.status.success());
    assert!(text(&output).contains("DOORSTEP_SESSION_HOURS must be a whole number"), "{}", text(&output));
    let migrated = doorstep(&dir, &["migrate"], "");
    assert!(migrated.status.success());
    assert!(text(&migrated).contains("up to date"));
}

#[test]
fn doorstep_alone_seeds_the_demo_and_serves_it() {
    let dir = TestData::new();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = dir
        .command()
        .env("DOORSTEP_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut said = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.contains("serving at") {
            break;
        }
    }
    assert!(said.contains("Seeded the Kingsmere demo"), "{said}");
    assert!(said.contains(&format!("Doorstep is serving at http://127.0.0.1:{port}")), "{said}");

    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{}", &response[..response.len().min(200)]);
    assert!(response.contains("This is a demonstration"));
}

#[test]
fn postcodes_import_reports_each_file_and_refuses_a_wrong_one() {
    let dir = TestData::new();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/postcodes");
    let trafford = shared.join("trafford_postcodes_onspd_feb2025.csv");
    let districts = shared.join("uk_postcode_district_centroids_nspl_may2025.csv");
    let output =
        doorstep(&dir, &["postcodes", "import", trafford.to_str().unwrap(), districts.to_str().unwrap()], "");
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("11264 postcodes imported"), "{}", text(&output));
    assert!(text(&output).contains("3076 district centres imported"));
    assert!(text(&output).contains("1 row left out"), "the one district without a valid code is named");

    let wrong = dir.path().join("people.csv");
    std::fs::write(&wrong, "name,town\nSam,Sale\n").unwrap();
    let refused = doorstep(&dir, &["postcodes", "import", wrong.to_str().unwrap()], "");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("people.csv: no postcode column"), "{}", text(&refused));
    let missing = doorstep(&dir, &["postcodes", "import", "/no/such/file.csv"], "");
    assert!(text(&missing).contains("cannot read it"), "{}", text(&missing));
}

#[test]
fn the_neighbourhood_benchmark_prints_its_figures_and_refuses_an_impossible_band() {
    let dir = TestData::new();
    let output = doorstep(&dir, &["bench", "neighbourhoods", "--areas", "1000"], "");
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert!(printed.contains("1000 small areas"), "{printed}");
    assert!(printed.contains("inside the band") && printed.contains("compactness"), "{printed}");
    assert!(
        printed.contains("Trafford, 738 output areas (235013 people): "),
        "the real borough too: {printed}"
    );
    let output = doorstep(&dir, &["bench", "neighbourhoods", "--min", "6000", "--max", "5000"], "");
    assert!(!output.status.success());
    assert!(text(&output).contains("the minimum population (6000) is greater than the maximum (5000)"));
}

#[test]
fn the_pages_benchmark_times_the_results_page_on_the_demo() {
    let dir = TestData::new();
    let output = doorstep(&dir, &["bench", "pages", "--requests", "5"], "");
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    for kind in ["words near a postcode", "two needs, grouped", "nothing found", "all kinds: p50 "] {
        assert!(printed.contains(kind), "{kind} in {printed}");
    }
    assert!(printed.contains("bytes of HTML") && printed.contains("budget: results page p50 under 5 ms"));
}

/// `reindex` over a data folder whose index is missing builds it once: the
/// opening leaves the rebuilding to the command. A server opening the
/// folder afterwards finds the index built for its taxonomy.
#[test]
fn reindex_builds_a_missing_index_once() {
    let data = TestData::with_demo();
    // On PostgreSQL the demo's database is a copy, and the folder has no index yet.
    let index = data.path().join("index");
    match std::fs::remove_dir_all(&index) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("the demo's index is removed: {e}"),
        _ => {}
    }
    let reindex = doorstep(&data, &["reindex"], "");
    let printed = text(&reindex);
    assert!(reindex.status.success(), "{printed}");
    assert_eq!(printed.matches("rebuilt the search index").count(), 1, "built once: {printed}");
    let indexed: usize = printed
        .split("Indexed ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("how many were indexed: {printed}"));
    assert!(indexed >= 400, "the demo's running services: {printed}");
    assert!(printed.contains("threads and events"), "the activity index is rebuilt too: {printed}");
    let (search, fresh) = doorstep::search::SearchIndex::open(&index).expect("the index opens");
    assert!(!fresh, "a server finds the index built");
    assert!(search.built_with().is_some() && search.segments() == 1, "built whole: {printed}");
}

#[actix_web::test]
async fn commands_that_need_only_the_database_run_while_a_server_holds_the_index() {
    // The test app holds the index's writer, as a running server does.
    let app = crate::common::TestApp::with_demo();
    let data = &app.dir;
    let added = doorstep(
        data,
        &["user", "add", "--email", "new@example.org", "--role", "advisor"],
        "a long password\n",
    );
    assert!(added.status.success(), "{}", text(&added));
    let mut browser = app.browser().await;
    let signed_in = browser.sign_in("new@example.org", "a long password").await;
    assert_eq!(signed_in.status, actix_web::http::StatusCode::SEE_OTHER, "the new account works at once");
    let stats = doorstep(data, &["stats"], "");
    assert!(stats.status.success(), "{}", text(&stats));
    let migrate = doorstep(data, &["migrate"], "");
    assert!(migrate.status.success(), "{}", text(&migrate));

    // reindex asks the server, which rebuilds on its next round.
    let (store, search) = (&app.state.store, &app.state.search);
    let mut follower = doorstep::jobs::index_sync::Follower::new(store);
    let reindex = doorstep(data, &["reindex"], "");
    assert!(reindex.status.success(), "{}", text(&reindex));
    assert!(text(&reindex).contains("asked to rebuild"), "{}", text(&reindex));
    assert_eq!(doorstep::jobs::index_sync::rebuild_requests(store).unwrap(), 1);
    assert_eq!(follower.rebuilds_seen(), 0);
    follower.step(store, search, &app.state.taxonomy, chrono::Utc::now().naive_utc()).unwrap();
    assert_eq!(follower.rebuilds_seen(), 1, "the server has rebuilt for the request");
    assert_eq!(search.segments(), 1, "a rebuilt index is one segment");
}
