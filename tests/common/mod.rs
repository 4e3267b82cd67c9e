//! The test harness: a fresh data folder (SQLite file, index, mail) per test,
//! the real app factory, and a small browser that keeps cookies and reads the
//! CSRF token from the page, as a real one would.
//!
//! With `DOORSTEP_TEST_DATABASE_URL` set to a PostgreSQL server
//! (`postgres://user:password@127.0.0.1/postgres`), every test's database is
//! a new database there instead of the SQLite file, dropped afterwards: the
//! whole suite runs on PostgreSQL.

#![allow(dead_code, reason = "each test file uses part of the harness")]

pub mod feed_server;
pub mod hsds;
pub mod server;
pub mod smtp;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::test::{self, TestRequest};
use chrono::Utc;
use doorstep::config::Config;
use doorstep::demo::{self, DemoSize, seed};
use doorstep::domain::accounts::{Role, hash_password};
use doorstep::domain::directory::{
    CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
};
use doorstep::domain::ids::{OrganisationId, UserId};
use doorstep::domain::listing::Organisation;
use doorstep::domain::service_form::ServiceInput;
use doorstep::state::{self, AppState};
use doorstep::store::scratch::ScratchDatabase;
use doorstep::store::users::{self, Created, NewUser};
use tempfile::TempDir;

/// The password every test account has.
pub const PASSWORD: &str = "correct horse battery staple";

/// The PostgreSQL server tests run against, when one is given.
pub fn postgres_server() -> Option<String> {
    std::env::var("DOORSTEP_TEST_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

/// The PostgreSQL server, for a test that needs one: without one, it says
/// so and the test is skipped, unless `DOORSTEP_REQUIRE_POSTGRES=1` (as CI
/// sets on its PostgreSQL run), when it fails.
pub fn postgres_or_skip(test: &str) -> Option<String> {
    let server = postgres_server();
    if server.is_none() {
        if std::env::var("DOORSTEP_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!(
                "{test} needs PostgreSQL (DOORSTEP_REQUIRE_POSTGRES=1) but DOORSTEP_TEST_DATABASE_URL is not set"
            );
        }
        eprintln!("SKIPPED: {test} needs PostgreSQL: set DOORSTEP_TEST_DATABASE_URL to run it");
    }
    server
}

/// A data folder of its own for one test, with its database: the SQLite
/// file in the folder, or a new PostgreSQL database when the suite runs on
/// PostgreSQL. Both go when it is dropped.
pub struct TestData {
    // The state's connections end before the database is dropped.
    folder: TempDir,
    database: Option<ScratchDatabase>,
}

impl TestData {
    pub fn new() -> TestData {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let database = postgres_server().map(|server| {
            ScratchDatabase::create(&server).expect("a database on the test PostgreSQL server")
        });
        TestData { folder, database }
    }

    /// A data folder with the demo in its database and nothing holding it
    /// open: for a test that starts `doorstep` processes over it.
    pub fn with_demo() -> TestData {
        match postgres_server() {
            Some(server) => TestData::with_demo_copied(&server),
            None => {
                let app = TestApp::with_demo();
                drop(app.state);
                app.dir
            }
        }
    }

    /// On PostgreSQL, a copy of the demo's template database.
    fn with_demo_copied(server: &str) -> TestData {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let database = ScratchDatabase::copy_of(server, demo_template(server)).expect("a copy of the demo");
        TestData { folder, database: Some(database) }
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// The PostgreSQL database's address, when there is one.
    pub fn database_url(&self) -> Option<String> {
        self.database.as_ref().map(|d| d.url().to_string())
    }

    /// The `doorstep` command, pointed at this data folder and database.
    pub fn command(&self) -> Command {
        self.command_in(self.path())
    }

    /// The `doorstep` command, pointed at this database but another folder
    /// for the index and mail: a second server over the same database.
    pub fn command_in(&self, folder: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doorstep"));
        command.arg("--data-dir").arg(folder).env_remove("DOORSTEP_CONFIG");
        // The tests' feeds are served on loopback.
        command.env("DOORSTEP_FETCH_PRIVATE_ADDRESSES", "true");
        match self.database_url() {
            Some(url) => command.env("DOORSTEP_DATABASE_URL", url),
            None => command.env_remove("DOORSTEP_DATABASE_URL"),
        };
        command
    }
}

/// Seeds the demo, with its staff accounts' password set to `PASSWORD`.
fn seed_demo(store: &doorstep::store::Store) {
    let demo = demo::generate(DemoSize::DEMO, Utc::now().date_naive()).expect("the demo generates");
    let hash = hash_password(PASSWORD).expect("hashes");
    let mut conn = store.conn().expect("a connection");
    seed::seed_demo(&mut conn, &demo, &hash, Utc::now().naive_utc()).expect("the demo seeds");
}

/// The name of a database on `server` holding the demo as seeded today by
/// this build of the tests, made the first time it is asked for (and any
/// older one dropped). Made under another name and renamed when complete,
/// so that a run stopped halfway leaves nothing that looks finished.
fn demo_template(server: &str) -> &'static str {
    use std::hash::{Hash, Hasher};
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        use diesel::connection::SimpleConnection;
        use diesel::prelude::*;
        let build = std::env::current_exe().and_then(std::fs::metadata).expect("the test binary");
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (build.modified().ok(), build.len(), Utc::now().date_naive()).hash(&mut hasher);
        let name = format!("doorstep_demo_{:016x}", hasher.finish());
        let mut admin = doorstep::store::scratch::admin(server).expect("the test PostgreSQL server");
        let existing: Vec<Named> = diesel::sql_query(
            "SELECT datname AS name FROM pg_database WHERE datname LIKE 'doorstep!_demo!_%' ESCAPE '!'",
        )
        .load(&mut admin)
        .expect("the databases");
        if existing.iter().any(|d| d.name == name) {
            return name;
        }
        for old in existing {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", old.name));
        }
        let making = format!("{name}_making");
        admin.batch_execute(&format!("CREATE DATABASE {making}")).expect("makes the template");
        let url = doorstep::store::scratch::address_of(server, &making).expect("an address");
        seed_demo(&doorstep::store::Store::open(&url).expect("the template opens"));
        admin
            .batch_execute(&format!("ALTER DATABASE {making} RENAME TO {name}"))
            .expect("renames the template");
        name
    })
}

/// A fresh instance of Doorstep in its own temporary folder.
pub struct TestApp {
    pub state: AppState,
    pub dir: TestData,
}

impl TestApp {
    /// An empty database (with the needs taxonomy, which every database has).
    pub fn empty() -> TestApp {
        TestApp::empty_with(|_| {})
    }

    /// An empty database, with the configuration changed by `configure`.
    pub fn empty_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::open(TestData::new(), configure)
    }

    /// The app over `dir`, with the configuration changed by `configure`.
    fn open(dir: TestData, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config {
            data_dir: Some(dir.path().to_path_buf()),
            database_url: dir.database_url(),
            seed_demo: false,
            // The tests' feeds are served on loopback.
            fetch_private_addresses: true,
            ..Config::default()
        };
        configure(&mut config);
        config.check().expect("the test configuration is valid");
        let state = state::open(config).expect("the app opens");
        TestApp { state, dir }
    }

    /// The Kingsmere demo, with its staff accounts' password set to `PASSWORD`.
    pub fn with_demo() -> TestApp {
        TestApp::with_demo_and(|_| {})
    }

    /// The demo, with the configuration changed by `configure`. On
    /// PostgreSQL the database is a copy of one seeded once for the whole
    /// run (seeding takes seconds there, copying a fraction of one); the
    /// index is built from it as the app opens.
    pub fn with_demo_and(configure: impl FnOnce(&mut Config)) -> TestApp {
        if let Some(server) = postgres_server() {
            return TestApp::open(TestData::with_demo_copied(&server), configure);
        }
        let mut app = TestApp::empty_with(configure);
        seed_demo(&app.state.store);
        let today = Utc::now().date_naive();
        doorstep::jobs::index_sync::rebuild(&app.state.store, &app.state.search, &app.state.taxonomy, today)
            .expect("the index builds");
        let state = &app.state;
        doorstep::jobs::activity_sync::rebuild(
            &state.store,
            &state.activity,
            &state.search,
            &state.taxonomy,
            Utc::now(),
        )
        .expect("the network activity index builds");
        // The app opened before the demo was there.
        let mut conn = app.state.store.conn().expect("a connection");
        app.state.demo = doorstep::store::meta::get(&mut conn, doorstep::store::meta::DEMO).expect("reads");
        drop(conn);
        app
    }

    /// A second server over this one's database, with a data folder (and
    /// index) of its own. PostgreSQL only: a SQLite file belongs to its folder.
    pub fn another_server(&self) -> TestApp {
        let url = self.dir.database_url().expect("another server over one database needs PostgreSQL");
        let dir = TestData { folder: tempfile::tempdir().expect("a temporary folder"), database: None };
        let mut config = Config {
            data_dir: Some(dir.path().to_path_buf()),
            database_url: Some(url),
            seed_demo: false,
            fetch_private_addresses: true,
            ..Config::default()
        };
        config.check().expect("the test configuration is valid");
        TestApp { state: state::open(config).expect("the app opens"), dir }
    }

    /// Adds a charity called `name`.
    pub fn add_organisation(&self, name: &str) -> OrganisationId {
        let org = Organisation {
            id: OrganisationId::new(),
            name: name.into(),
            description: String::from("Volunteers."),
            kind: OrganisationKind::Charity,
            charity_number: None,
            company_number: None,
            website: None,
            email: None,
            phone: None,
        };
        let mut conn = self.state.store.conn().expect("a connection");
        doorstep::store::organisations::insert(&mut conn, &org, Utc::now().naive_utc()).expect("added");
        org.id
    }

    /// Adds a staff account with `PASSWORD`.
    pub fn add_user(&self, email: &str, role: Role, organisation: Option<OrganisationId>) -> UserId {
        self.add_user_for(email, role, organisation, vec![])
    }

    /// A staff account looking after the neighbourhoods with these slugs.
    pub fn add_user_for(
        &self,
        email: &str,
        role: Role,
        organisation: Option<OrganisationId>,
        neighbourhoods: Vec<String>,
    ) -> UserId {
        let user = NewUser {
            email: email.into(),
            name: format!("Test {}", role.label()),
            password_hash: hash_password(PASSWORD).expect("hashes"),
            role,
            organisation,
            neighbourhoods,
        };
        let mut conn = self.state.store.conn().expect("a connection");
        match users::create(&mut conn, &user, Utc::now().naive_utc()).expect("saves") {
            Created::Added(id) => id,
            other => panic!("could not add {email}: {other:?}"),
        }
    }

    /// A browser pointed at this instance.
    pub async fn browser(
        &self,
    ) -> Browser<
        impl Service<actix_http::Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
    > {
        let app = test::init_service(doorstep::web::app(self.state.clone())).await;
        Browser { app, cookies: BTreeMap::new(), address: "192.0.2.10:50000".into(), headers: Vec::new() }
    }
}

/// A response, read in full.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The CSRF token in the page's forms.
    pub fn csrf_token(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start =
            self.body.find(marker).map(|i| i + marker.len()).expect("the page has a form with a CSRF token");
        self.body[start..].split('"').next().unwrap_or_default().to_string()
    }
}

/// Keeps cookies between requests, like a browser.
pub struct Browser<S> {
    app: S,
    cookies: BTreeMap<String, String>,
    /// The network address requests come from.
    pub address: String,
    /// Headers sent with every request, such as the `X-Forwarded-For` a
    /// proxy in front would add, or another site's `Origin`.
    pub headers: Vec<(String, String)>,
}

impl<S, B> Browser<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    async fn send(&mut self, request: TestRequest) -> Page {
        let mut request = request.peer_addr(self.address.parse().expect("an address"));
        for (name, value) in &self.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        for (name, value) in &self.cookies {
            request = request.cookie(actix_web::cookie::Cookie::new(name.clone(), value.clone()));
        }
        let response = match test::try_call_service(&self.app, request.to_request()).await {
            Ok(response) => response,
            // A middleware's error, which the server draws as its answer.
            Err(error) => {
                let response = error.error_response();
                let status = response.status();
                let headers = response.headers().clone();
                let bytes = actix_web::body::to_bytes(response.into_body()).await.unwrap_or_default();
                return Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() };
            }
        };
        for cookie in response.response().cookies() {
            if cookie.value().is_empty() {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies.insert(cookie.name().to_string(), cookie.value().to_string());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = test::read_body(response).await;
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(TestRequest::get().uri(path)).await
    }

    /// A request with any method and no body.
    pub async fn request(&mut self, method: &str, path: &str) -> Page {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("a method");
        self.send(TestRequest::default().method(method).uri(path)).await
    }

    /// Posts a form exactly as given (no token is added).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = TestRequest::post()
            .uri(path)
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .set_payload(body);
        self.send(request).await
    }

    /// Posts a form with a file chosen (`file`: its name and bytes), as
    /// `multipart/form-data`, the fields first as a browser sends them (no
    /// token is added).
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Page {
        let boundary = "doorstep-test-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (file_name, bytes) = file.unwrap_or(("", b""));
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = TestRequest::post()
            .uri(path)
            .insert_header((header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}")))
            .set_payload(body);
        self.send(request).await
    }

    /// Loads `page_path`, then posts its form with the page's CSRF token, as a
    /// person filling it in would.
    pub async fn submit(&mut self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        let token = page.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// Signs in through the sign-in page.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.submit("/sign-in", "/sign-in", &[("email", email), ("password", password)]).await
    }

    /// The value of a cookie the site set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Sets a cookie by hand, as someone tampering with it would.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }
}

/// A postcode in the middle of the demo borough.
pub fn central_postcode(app: &TestApp) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        postcode: String,
    }
    let mut conn = app.state.store.conn().unwrap();
    diesel::sql_query("SELECT postcode FROM locations WHERE name = 'Greyholme Community Centre'")
        .get_result::<Row>(&mut conn)
        .unwrap()
        .postcode
}

/// Runs the `doorstep` command on a data folder, as a person would, giving it `stdin`.
pub fn doorstep(data: &TestData, args: &[&str], stdin: &str) -> Output {
    let mut child = data
        .command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doorstep starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("writes");
    child.wait_with_output().expect("doorstep finishes")
}

/// What a command printed, standard output then standard error.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A row read by a query that names its one column `name`.
#[derive(diesel::QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// Every table of the database, each with its columns written as SQL that
/// reads them as text (on PostgreSQL a binary column is written out with
/// `encode`, as SQLite's `CAST` would).
fn tables(conn: &mut doorstep::store::Conn) -> Vec<(String, Vec<(String, String)>)> {
    use diesel::prelude::*;
    use doorstep::store::Conn;
    let postgres = matches!(conn, Conn::Postgres(_));
    let (tables, columns) = if postgres {
        (
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY table_name",
            "SELECT column_name || ' ' || data_type AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{}'",
        )
    } else {
        (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            "SELECT name || ' ' || type AS name FROM pragma_table_info('{}')",
        )
    };
    let tables: Vec<Named> = diesel::sql_query(tables).load(conn).expect("tables");
    tables
        .into_iter()
        .map(|table| {
            let columns: Vec<Named> =
                diesel::sql_query(columns.replace("{}", &table.name)).load(conn).expect("columns");
            let columns = columns
                .into_iter()
                .map(|c| {
                    let (name, kind) = c.name.split_once(' ').unwrap_or((&c.name, ""));
                    let text = if kind == "bytea" {
                        format!("encode(\"{name}\", 'escape')")
                    } else {
                        format!("CAST(\"{name}\" AS TEXT)")
                    };
                    (name.to_string(), text)
                })
                .collect();
            (table.name, columns)
        })
        .collect()
}

/// Every `table.column` of the database in which `needle` is stored, so a
/// test can show that something personal was not kept anywhere.
pub fn stored_anywhere(app: &TestApp, needle: &str) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.store.conn().expect("a connection");
    let mut found = Vec::new();
    // Quoted for SQL, and for LIKE, whose wildcards it must not hold.
    let needle =
        needle.to_lowercase().replace('!', "!!").replace('\'', "''").replace('%', "!%").replace('_', "!_");
    for (table, columns) in tables(&mut conn) {
        for (column, text) in columns {
            let count: Count = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM \"{table}\" WHERE lower({text}) LIKE '%{needle}%' ESCAPE '!'"
            ))
            .get_result(&mut *conn)
            .expect("a count");
            if count.n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

/// Every row of every table, written out, so that a test can show that a
/// request changed nothing at all.
pub fn database_contents(app: &TestApp) -> std::collections::BTreeSet<String> {
    contents_of(&app.state.store)
}

/// The same, for a data folder that commands are run on.
pub fn database_contents_of(data: &TestData) -> std::collections::BTreeSet<String> {
    contents_of(&server::open_store(data))
}

fn contents_of(store: &doorstep::store::Store) -> std::collections::BTreeSet<String> {
    use diesel::prelude::*;
    let mut conn = store.conn().expect("a connection");
    let mut rows = std::collections::BTreeSet::new();
    for (table, columns) in tables(&mut conn) {
        let row: Vec<String> = columns.iter().map(|(_, text)| format!("coalesce({text}, 'NULL')")).collect();
        let query = format!("SELECT {} AS name FROM \"{table}\"", row.join(" || '|' || "));
        let found: Vec<Named> = diesel::sql_query(query).load(&mut *conn).expect("rows");
        rows.extend(found.into_iter().map(|r| format!("{table}: {}", r.name)));
    }
    rows
}

/// A free, borough-wide phone service of `organisation` for `needs`: what
/// a test adds when the listing's details do not matter.
pub fn phone_service(organisation: OrganisationId, name: &str, needs: &[&str]) -> ServiceInput {
    ServiceInput {
        organisation,
        name: name.into(),
        description: String::from("Meets weekly."),
        status: ServiceStatus::Active,
        needs: needs.iter().map(|n| n.to_string()).collect(),
        referral_route: ReferralRoute::SelfReferral,
        eligibility: None,
        min_age: None,
        max_age: None,
        cost: CostKind::Free,
        cost_description: None,
        delivery: vec![DeliveryMode::Phone],
        languages: vec![],
        area: ServiceArea::Borough,
        area_radius_km: None,
        capacity: None,
        email: None,
        phone: None,
        website: None,
    }
}

/// The listing checked longest ago (never checked first) of those not
/// checked since `before`, as the review queue orders them.
pub fn most_overdue(
    conn: &mut doorstep::store::Conn,
    before: chrono::NaiveDateTime,
) -> doorstep::domain::views::ServiceSummary {
    use doorstep::domain::review::{ReviewFilter, ReviewScope};
    let (_, mut due) = doorstep::store::service_lists::review_queue(
        conn,
        &ReviewScope::Everything,
        &ReviewFilter::default(),
        (before, before),
        (0, 1),
    )
    .expect("reads the review queue");
    due.pop().expect("a listing is due")
}
