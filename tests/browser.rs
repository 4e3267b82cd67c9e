//! The pages in a real browser: headless Chromium driven through ChromeDriver
//! (WebDriver over loopback), against the real server with the demo. Every
//! page type is checked with axe-core (from npm) against the WCAG 2.0, 2.1 and
//! 2.2 A and AA rules, at 320, 640 (1280 at 200% zoom) and 1280 px wide, with a screenshot of each
//! saved under `target/screenshots/` for review; and a search is done with
//! the keyboard alone, with the focus visible at every step.
//!
//! Where Chromium, ChromeDriver or npm is missing the tests say so and skip;
//! with `DOORSTEP_REQUIRE_BROWSER=1` (as CI sets) they fail instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, TestApp};
use serde_json::{Value, json};

/// The axe-core release the tests run (from the npm registry).
const AXE_VERSION: &str = "4.10.3";
/// The rule sets run: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const AXE_TAGS: [&str; 6] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from)
}

/// Skips the test with a plain message, or fails it when the browser is required.
fn unavailable(why: &str) -> Option<Browser> {
    if std::env::var("DOORSTEP_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("browser tests are required (DOORSTEP_REQUIRE_BROWSER=1) but {why}");
    }
    eprintln!("SKIPPED: browser tests need Chromium, ChromeDriver and npm, and {why}");
    None
}

fn found(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// axe-core's script, installed from npm into `target/browser` the first
/// time; once per run, however many tests start a browser at once.
fn axe_source() -> Result<String, String> {
    static AXE: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    AXE.get_or_init(install_axe).clone()
}

fn install_axe() -> Result<String, String> {
    let folder = target().join("browser");
    let script = folder.join("node_modules/axe-core/axe.min.js");
    if !script.exists() {
        std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
        let installed = Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
            .arg(&folder)
            .arg(format!("axe-core@{AXE_VERSION}"))
            .output()
            .map_err(|e| format!("npm could not be run: {e}"))?;
        if !installed.status.success() {
            return Err(format!(
                "npm could not install axe-core: {}",
                String::from_utf8_lossy(&installed.stderr)
            ));
        }
    }
    std::fs::read_to_string(&script).map_err(|e| format!("cannot read {}: {e}", script.display()))
}

/// A headless Chromium, through a ChromeDriver of its own.
struct Browser {
    driver: Child,
    client: reqwest::blocking::Client,
    /// The session's WebDriver address.
    session: String,
    axe: String,
    /// Held while the browser runs: one browser test at a time, since a
    /// Chromium per test on two cores makes WebDriver time out.
    _alone: std::sync::MutexGuard<'static, ()>,
}

/// What a browser test holds while it runs.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Browser {
    fn start() -> Option<Browser> {
        let chromium = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|p| found(p));
        let Some(chromium) = chromium else { return unavailable("Chromium is not installed") };
        if !found("chromedriver") {
            return unavailable("ChromeDriver is not installed");
        }
        let axe = match axe_source() {
            Ok(axe) => axe,
            Err(why) => return unavailable(&why),
        };
        // A test that failed while holding it leaves nothing behind to protect.
        let alone = ONE_BROWSER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while client.get(format!("{base}/status")).send().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(50));
        }
        let binary = Command::new("which").arg(chromium).output().unwrap();
        let binary = String::from_utf8(binary.stdout).unwrap().trim().to_string();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"],
            },
        }}});
        let answer: Value =
            client.post(format!("{base}/session")).json(&capabilities).send().unwrap().json().unwrap();
        let id = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}"));
        let session = format!("{base}/session/{id}");
        Some(Browser { driver, client, session, axe, _alone: alone })
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let request = self.client.request(method, format!("{}{path}", self.session));
        let request = if body.is_null() { request } else { request.json(&body) };
        let answer: Value = request.send().unwrap().json().unwrap();
        assert!(answer["value"]["error"].is_null(), "WebDriver {path}: {answer}");
        answer["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url }));
    }

    fn width(&self, width: u32) {
        self.call(reqwest::Method::POST, "/window/rect", json!({ "width": width, "height": 900 }));
    }

    fn run(&self, script: &str) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// The axe violations on the page: one line each, naming the rule and where.
    fn axe_violations(&self) -> Vec<String> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({ "script": format!("{};return true;", self.axe), "args": [] }),
        );
        let check = format!(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {{ runOnly: {{ type: 'tag', values: {tags} }}, resultTypes: ['violations'] }})
                .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                    v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            tags = json!(AXE_TAGS)
        );
        let found =
            self.call(reqwest::Method::POST, "/execute/async", json!({ "script": check, "args": [] }));
        found.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    }

    /// A picture of the whole page (up to 8,000 px tall), to look at.
    fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let size = self.run("return [window.outerWidth, document.documentElement.scrollHeight];");
        let (width, height) = (size[0].as_u64().unwrap_or(1280), size[1].as_u64().unwrap_or(900));
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({ "width": width, "height": height.clamp(900, 8000) }),
        );
        let png = self.call(reqwest::Method::GET, "/screenshot", Value::Null);
        self.call(reqwest::Method::POST, "/window/rect", json!({ "width": width, "height": 900 }));
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Presses keys, as a person at a keyboard would.
    fn keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            reqwest::Method::POST,
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.client.delete(&self.session).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The demo served on a free loopback port.
fn demo_server() -> (TestApp, doorstep::web::server::LoopbackServer) {
    let app = TestApp::with_demo();
    let server = doorstep::web::server::spawn_on_loopback(app.state.clone(), 1).unwrap();
    (app, server)
}

/// One of each page type, by name and path.
fn page_types(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut conn = app.state.store.conn().unwrap();
    let service = &common::most_overdue(&mut conn, chrono::Utc::now().naive_utc());
    let view = doorstep::store::services::view(&mut conn, service.id).unwrap();
    let hood = &doorstep::store::neighbourhoods::all(&mut conn).unwrap()[0];
    let place: String = {
        use diesel::prelude::*;
        use doorstep::store::schema::locations;
        locations::table
            .filter(locations::entry_point.eq(true))
            .filter(locations::confidential.eq(false))
            .select(locations::id)
            .first(&mut *conn)
            .unwrap()
    };
    let postcode = view.locations.first().map(|l| l.location.postcode.replace(' ', "+")).unwrap();
    vec![
        ("home", String::from("/")),
        ("results", format!("/search?q=lunch+club&postcode={postcode}")),
        ("results-by-need", format!("/search?need=loneliness&need=debt&postcode={postcode}")),
        ("results-none", String::from("/search?q=zzqqxxv&free=true")),
        ("results-error", String::from("/search?q=lunch&postcode=ZZ99+9ZZ")),
        ("results-urgent", format!("/search?q=thinking+of+ending+it+tonight&postcode={postcode}")),
        // The demo's networks say something about coffee and litter.
        ("results-network", String::from("/search?q=coffee+morning+litter+pick")),
        ("needs", String::from("/needs")),
        ("service", format!("/services/{}", service.id)),
        ("suggest-change", format!("/services/{}/suggest", service.id)),
        ("place", format!("/places/{place}")),
        ("suggest-service", String::from("/needs/loneliness/suggest")),
        ("organisation", format!("/organisations/{}", view.details.organisation)),
        ("need", String::from("/needs/loneliness")),
        ("neighbourhoods", String::from("/neighbourhoods")),
        ("neighbourhood", format!("/neighbourhoods/{}", hood.slug)),
        ("sign-in", String::from("/sign-in")),
        ("accessibility", String::from("/accessibility")),
    ]
}

/// Loads each page at 320, 640 and 1280 px, keeps a screenshot of each, and
/// returns every axe violation and every element wider than the window.
fn check_pages(browser: &Browser, base: &str, pages: &[(&'static str, String)]) -> Vec<String> {
    let shots = target().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut problems = Vec::new();
    for (name, path) in pages {
        // 640 px is a 1280 px window at 200% zoom.
        for width in [320, 640, 1280] {
            browser.width(width);
            browser.goto(&format!("{base}{path}"));
            browser.screenshot(&shots.join(format!("{name}-{width}.png")));
            for violation in browser.axe_violations() {
                problems.push(format!("{name} at {width} px ({path}): {violation}"));
            }
            // Nothing wider than the window (WCAG 1.4.10, reflow): name the widest offenders.
            let wide = browser.run(
                "return [...document.querySelectorAll('body *')]
                   .filter(e => !e.ownerSVGElement && !e.parentElement?.closest('.table-wrap')
                                && e.getBoundingClientRect().right > window.innerWidth + 1)
                   .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));",
            );
            if !wide.as_array().unwrap().is_empty() {
                problems.push(format!("{name} at {width} px is wider than the window: {wide}"));
            }
        }
    }
    problems
}

#[test]
fn every_page_type_has_no_axe_violations_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start() else { return };
    // First, that axe really runs and reports: a page with a known fault.
    browser.goto("data:text/html,<html><head><title>t</title></head><body><main><img src='x.png'></main></body></html>");
    let faults = browser.axe_violations();
    assert!(faults.iter().any(|v| v.starts_with("image-alt")), "axe found {faults:?}");

    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let problems = check_pages(&browser, &base, &page_types(&app));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// WebDriver's codes for the Tab and Enter keys.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// Presses Tab until the focused element matches `selector`, checking at
/// every step that the focused element shows it has the focus (an outline or
/// a shadow). Returns how many presses it took.
fn tab_to(browser: &Browser, selector: &str) -> usize {
    let script = format!(
        "const e = document.activeElement; if (!e || e === document.body) return [false, true, ''];
         const s = getComputedStyle(e);
         const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
         return [e.matches({selector:?}), shown, e.outerHTML.slice(0, 80)];"
    );
    for presses in 1..=60 {
        browser.keys(TAB);
        let state = browser.run(&script);
        assert_eq!(state[1], true, "the focus is not visible on {}", state[2]);
        if state[0] == true {
            return presses;
        }
    }
    panic!("Tab never reached {selector}");
}

fn wait_for_url(browser: &Browser, part: &str) -> String {
    let started = Instant::now();
    loop {
        let url = browser.call(reqwest::Method::GET, "/url", Value::Null).as_str().unwrap().to_string();
        if url.contains(part) {
            return url;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still at {url}, not at {part}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_search_can_be_done_with_the_keyboard_alone_and_the_focus_is_always_visible() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let postcode = common::central_postcode(&app);
    browser.width(1280);
    browser.goto(&format!("{base}/"));
    tab_to(&browser, "#q");
    browser.keys("lonely");
    tab_to(&browser, "#postcode");
    browser.keys(&postcode);
    browser.keys(ENTER);
    let url = wait_for_url(&browser, "/search?");
    assert!(url.contains("q=lonely"), "{url}");
    let heading = browser.run("return document.querySelector('h1').textContent;");
    let heading = heading.as_str().unwrap();
    assert!(heading.ends_with("services found") || heading.ends_with("close matches"), "{heading}");
    // On to the first result, and into it.
    tab_to(&browser, "ol.results a");
    browser.keys(ENTER);
    wait_for_url(&browser, "/services/");
    let title = browser.run("return document.title;");
    assert!(title.as_str().unwrap().ends_with("– Doorstep"), "{title}");
}

#[test]
fn the_signposting_pages_have_no_axe_violations_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let postcode = common::central_postcode(&app);
    // Sign in as the demo's advisor and start a contact where there is risk,
    // so the workspace shows the statutory route as well as results.
    sign_in(&browser, &base, "advisor@kingsmere.example.org");
    browser.goto(&format!("{base}/signpost"));
    browser.run(
        "document.getElementById('risk').checked = true;
         document.querySelector('form[action=\"/signpost/contacts\"]').submit();",
    );
    let contact = wait_for_url(&browser, "/signpost/contacts/");
    let contact = contact.trim_start_matches(&base).to_string();
    let workspace = format!(
        "{contact}?postcode={}&words=my+husband+has+dementia+and+I+can%27t+cope&need=debt",
        postcode.replace(' ', "+")
    );
    // Two services on the shortlist: one with its button, one with the A
    // key while its name has the focus.
    browser.goto(&format!("{base}{workspace}"));
    browser.run("document.querySelector('.results form button').click();");
    wait_for_url(&browser, "#need-");
    browser.goto(&format!("{base}{workspace}"));
    browser.run("[...document.querySelectorAll('.result')].find(r => r.querySelector('form')).querySelector('a').focus();");
    browser.keys("a");
    let started = Instant::now();
    while browser.run("return document.querySelector('#shortlist-summary-title').textContent;")
        != "Shortlist (2)"
    {
        assert!(started.elapsed() < Duration::from_secs(10), "the A key did not add the result");
        std::thread::sleep(Duration::from_millis(50));
    }
    let count = browser.run("return document.querySelector('#shortlist-summary-title').textContent;");
    assert_eq!(count, "Shortlist (2)");
    let pages = [
        ("signpost-start", String::from("/signpost")),
        ("signpost-workspace", workspace),
        ("signpost-workspace-urgent", format!("{contact}?words=he+hits+me+and+I+am+not+safe+at+home")),
        ("signpost-shortlist", format!("{contact}/shortlist")),
        ("signpost-print", format!("{contact}/print")),
        ("dashboard", String::from("/dashboard")),
    ];
    let problems = check_pages(&browser, &base, &pages);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Imports as the pages show them: a spreadsheet waiting for its columns,
/// one checked (with a row that cannot be taken), and a neighbouring
/// area's feed that is failing.
fn imports_to_show(app: &TestApp) -> (String, String) {
    use doorstep::domain::ids::{ImportId, NeighbourFeedId};
    use doorstep::domain::imports::request::{ImportKind, ImportState};
    use doorstep::store::import_requests::{self, NewImport};
    let mut conn = app.state.store.conn().unwrap();
    let admin = doorstep::store::users::find_by_email(&mut conn, "admin@kingsmere.example.org")
        .unwrap()
        .unwrap()
        .0
        .id;
    let now = chrono::Utc::now().naive_utc();
    let csv = format!(
        "Group name,Post code,What we do\nKnit and Natter,{},Knitting.\nMystery Club,ZZ9 9ZZ,Nobody knows.\n",
        common::central_postcode(app)
    );
    let mut sent = |state| {
        let id = ImportId::new();
        let new = NewImport {
            id,
            source: "groups.csv",
            kind: ImportKind::Spreadsheet,
            upload: Some(csv.as_bytes()),
            state,
            by: admin,
            at: now,
        };
        import_requests::insert(&mut conn, &new).unwrap();
        id
    };
    let (waiting, checked) = (sent(ImportState::Columns), sent(ImportState::Columns));
    import_requests::ask_check(
        &mut conn,
        checked,
        "name=Group name\npostcode=Post code\ndescription=What we do\n",
    )
    .unwrap();
    let feed = NeighbourFeedId::new();
    doorstep::store::neighbours::follow(
        &mut conn,
        feed,
        "Elsewhere",
        "https://feeds.example/openreferral",
        admin,
        now,
    )
    .unwrap();
    doorstep::store::neighbours::read_badly(
        &mut conn,
        feed,
        "https://feeds.example/openreferral answered 503",
        now,
    )
    .unwrap();
    drop(conn);
    doorstep::app::imports::run_next(&app.state.store, &app.state.taxonomy, &app.state.config, now).unwrap();
    (format!("/staff/imports/{waiting}"), format!("/staff/imports/{checked}"))
}

#[test]
fn the_imports_pages_have_no_axe_violations_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let (columns, checked) = imports_to_show(&app);
    sign_in(&browser, &base, "admin@kingsmere.example.org");
    let pages = [
        ("imports", String::from("/staff/imports")),
        ("import-columns", columns.clone()),
        ("import-checked", checked),
    ];
    let mut problems = check_pages(&browser, &base, &pages);
    // The columns form sent back with a problem, what was chosen kept.
    let shots = target().join("screenshots");
    for width in [320, 640, 1280] {
        browser.width(width);
        browser.goto(&format!("{base}{columns}"));
        browser.run("document.getElementById('name').value = ''; document.querySelector('form[action$=\"/check\"]').submit();");
        let started = Instant::now();
        while browser.run("return document.title;").as_str().is_none_or(|t| !t.starts_with("Error:")) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the form did not come back with its problem"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        browser.screenshot(&shots.join(format!("import-columns-error-{width}.png")));
        let kept = browser.run("return document.getElementById('postcode').value;");
        assert_eq!(kept, "Post code", "the columns chosen are kept");
        for violation in browser.axe_violations() {
            problems.push(format!("import-columns-error at {width} px: {violation}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Signs the browser in as the demo account with `email`.
fn sign_in(browser: &Browser, base: &str, email: &str) {
    browser.width(1280);
    browser.goto(&format!("{base}/sign-in"));
    browser.run(&format!(
        "document.getElementById('email').value = {email:?};
         document.getElementById('password').value = {:?};
         document.querySelector('main form').submit();",
        common::PASSWORD
    ));
    wait_for_url(browser, "/staff");
}

/// Sends a form back with a problem at each width (the script breaks one
/// field and submits), and checks the page that comes back: its title says
/// "Error:", `kept` (a script) finds what was typed still there, and axe
/// finds nothing.
fn check_errors(
    browser: &Browser,
    base: &str,
    name: &str,
    path: &str,
    break_it: &str,
    kept: &str,
) -> Vec<String> {
    let shots = target().join("screenshots");
    let mut problems = Vec::new();
    for width in [320, 640, 1280] {
        browser.width(width);
        browser.goto(&format!("{base}{path}"));
        browser.run(break_it);
        let started = Instant::now();
        while browser.run("return document.title;").as_str().is_none_or(|t| !t.starts_with("Error:")) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{name}: the form did not come back with its problem"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        browser.screenshot(&shots.join(format!("{name}-error-{width}.png")));
        assert_eq!(browser.run(kept), Value::Bool(true), "{name}: what was typed is kept");
        for violation in browser.axe_violations() {
            problems.push(format!("{name}-error at {width} px: {violation}"));
        }
    }
    problems
}

#[test]
fn the_listing_pages_have_no_axe_violations_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let (service, organisation, venue, admin) = {
        use diesel::prelude::*;
        use doorstep::store::schema::{locations, schedules, service_at_locations};
        let mut conn = app.state.store.conn().unwrap();
        // A service with times at a public venue, so every part of its form shows.
        let (service, venue): (String, String) = schedules::table
            .inner_join(
                service_at_locations::table.on(service_at_locations::service_id.eq(schedules::service_id)),
            )
            .inner_join(locations::table.on(locations::id.eq(service_at_locations::location_id)))
            .filter(locations::confidential.eq(false))
            .select((schedules::service_id, locations::id))
            .first(&mut *conn)
            .unwrap();
        let id: doorstep::domain::ids::ServiceId = service.parse().unwrap();
        let organisation = doorstep::store::services::input(&mut conn, id).unwrap().organisation;
        let admin = doorstep::store::users::find_by_email(&mut conn, "admin@kingsmere.example.org")
            .unwrap()
            .unwrap()
            .0;
        // Something in the administrator's own history.
        let (mut org, _) = doorstep::store::organisations::one(&mut conn, organisation).unwrap();
        org.description = format!("{} Founded in 1998.", org.description);
        doorstep::store::organisations::change(
            &mut conn,
            &org,
            admin.id,
            Some("From their annual report"),
            chrono::Utc::now().naive_utc(),
        )
        .unwrap();
        (service, organisation.to_string(), venue, admin.id.to_string())
    };
    // A change the demo's editor proposed, waiting.
    let proposal = {
        use doorstep::domain::organisation_form::OrganisationForm;
        use doorstep::domain::proposals::{NewProposal, ProposalKind};
        let mut conn = app.state.store.conn().unwrap();
        let editor = doorstep::store::users::find_by_email(&mut conn, "editor@kingsmere.example.org")
            .unwrap()
            .unwrap()
            .0;
        let own = editor.organisation.unwrap();
        let (now, _) = doorstep::store::organisations::one(&mut conn, own).unwrap();
        let form = OrganisationForm {
            phone: "0161 555 0199".into(),
            reason: "New number".into(),
            ..OrganisationForm::of(&now)
        };
        let new = NewProposal {
            id: doorstep::domain::ids::ProposalId::new(),
            kind: ProposalKind::Organisation,
            record_id: Some(own.to_string()),
            form: Some(serde_json::to_string(&form).unwrap()),
            message: None,
            by: Some(editor.id),
            email: None,
            sender: None,
            at: chrono::Utc::now().naive_utc(),
        };
        doorstep::store::proposals::insert(&mut conn, &new).unwrap();
        new.id
    };
    // A reminder to the organisation of the service, as its contact opens it.
    let reminder = {
        let mut conn = app.state.store.conn().unwrap();
        let token = doorstep::domain::accounts::random_token();
        let now = chrono::Utc::now().naive_utc();
        let due = doorstep::store::reminders::Due {
            organisation: organisation.parse().unwrap(),
            name: String::from("Its organisation"),
            email: String::from("hello@example.org"),
            services: vec![(service.parse().unwrap(), String::new())],
        };
        let expires = now + chrono::Duration::days(30);
        doorstep::store::reminders::send(
            &mut conn,
            &due,
            &token,
            "browser-reminder",
            b"Subject: a\r\n\r\nb",
            now,
            expires,
        )
        .unwrap();
        format!("/reminders/{token}")
    };
    // A colleague's account, and a link for them to choose a password.
    let (colleague, link) = {
        let mut conn = app.state.store.conn().unwrap();
        let advisor = doorstep::store::users::find_by_email(&mut conn, "advisor@kingsmere.example.org")
            .unwrap()
            .unwrap()
            .0;
        let token = doorstep::domain::accounts::random_token();
        let reset = doorstep::domain::accounts::LinkPurpose::Reset;
        doorstep::store::users::password_link(
            &mut conn,
            advisor.id,
            &token,
            reset,
            chrono::Utc::now().naive_utc(),
        )
        .unwrap();
        (advisor.id, format!("/password/{token}"))
    };
    sign_in(&browser, &base, "admin@kingsmere.example.org");
    let pages = [
        ("staff-home", String::from("/staff")),
        ("reminder", reminder.clone()),
        ("staff-accounts", String::from("/staff/users")),
        ("staff-invite", String::from("/staff/users/new")),
        ("staff-account-edit", format!("/staff/users/{colleague}/edit")),
        ("own-account", String::from("/staff/account")),
        ("choose-password", link.clone()),
        ("review-queue", String::from("/staff/review?overdue=due")),
        ("service-new", String::from("/staff/services/new")),
        ("service-edit", format!("/staff/services/{service}/edit")),
        ("service-history", format!("/staff/services/{service}/history")),
        ("organisation-new", String::from("/staff/organisations/new")),
        ("organisation-edit", format!("/staff/organisations/{organisation}/edit")),
        ("organisation-history", format!("/staff/organisations/{organisation}/history")),
        ("venue-new", String::from("/staff/venues/new")),
        ("venue-edit", format!("/staff/venues/{venue}/edit")),
        ("venue-history", format!("/staff/venues/{venue}/history")),
        ("person-history", format!("/staff/users/{admin}/history")),
        ("approvals", String::from("/staff/approvals")),
        ("proposal", format!("/staff/approvals/{proposal}")),
    ];
    let mut problems = check_pages(&browser, &base, &pages);
    problems.extend(check_errors(
        &browser,
        &base,
        "service-edit",
        &format!("/staff/services/{service}/edit"),
        "document.getElementById('times-0-closes').value = '00:30';
         document.getElementById('name').value = 'Kept as typed';
         document.querySelector('main form button[type=submit]:not([name])').click();",
        "return document.getElementById('name').value === 'Kept as typed'
             && document.getElementById('times-0-closes').value === '00:30';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "organisation-edit",
        &format!("/staff/organisations/{organisation}/edit"),
        "document.getElementById('charity_number').value = '12';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('charity_number').value === '12';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "venue-edit",
        &format!("/staff/venues/{venue}/edit"),
        "document.getElementById('postcode').value = 'ZZ9 9ZZ';
         document.querySelector('main form button[type=submit]:not([name])').click();",
        "return document.getElementById('postcode').value === 'ZZ9 9ZZ';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "reminder",
        &reminder,
        "document.querySelector('button[value=change]').click();",
        "return document.querySelector('textarea').value === '';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "staff-invite",
        "/staff/users/new",
        "document.getElementById('name').value = 'Robin Vale';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('name').value === 'Robin Vale';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "choose-password",
        &link,
        "document.getElementById('password').value = 'short';
         document.getElementById('again').value = 'short';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('password').value === '';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "suggest-service",
        "/needs/loneliness/suggest",
        "document.getElementById('message').value = 'Tuesdays at the library';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('message').value === 'Tuesdays at the library';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "proposal-reject",
        &format!("/staff/approvals/{proposal}"),
        "document.getElementById('why').value = ' ';
         document.querySelector('form[action$=\"/reject\"] button').click();",
        "return document.getElementById('why').value === ' ';",
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn stored_text_never_runs_as_script_in_the_browser() {
    use doorstep::domain::directory::CostKind;
    use doorstep::domain::service_form::ServiceInput;
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let evil = "<script>window.xss=1</script><img src=x onerror=\"window.xss=2\">\"onmouseover=\"window.xss=3\" x=\"";
    let by = app.add_user("ada@example.org", doorstep::domain::accounts::Role::Administrator, None);
    let id = {
        let mut conn = app.state.store.conn().unwrap();
        let organisation = doorstep::store::organisations::choices(&mut conn).unwrap()[0].0;
        let input = ServiceInput {
            description: evil.into(),
            eligibility: Some(evil.into()),
            cost: CostKind::Paid,
            cost_description: Some(evil.into()),
            languages: vec![evil.into()],
            ..common::phone_service(organisation, &format!("Zebra {evil}"), &["loneliness"])
        };
        doorstep::store::services::create(&mut conn, &input, by, Some(evil), chrono::Utc::now().naive_utc())
            .unwrap()
    };
    doorstep::jobs::index_sync::sync(
        &app.state.store,
        &app.state.search,
        &app.state.taxonomy,
        chrono::Utc::now().date_naive(),
    )
    .unwrap();
    let hood =
        doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap()[0].slug.clone();
    browser.width(1280);
    for path in [
        format!("/services/{id}"),
        String::from("/search?q=zebra"),
        String::from("/needs/loneliness"),
        format!("/neighbourhoods/{hood}"),
        format!(
            "/search?q={}&postcode={}",
            doorstep::pages::url_encode(evil),
            doorstep::pages::url_encode(evil)
        ),
    ] {
        browser.goto(&format!("{base}{path}"));
        // Hover over everything, in case an attribute was broken into.
        let ran = browser.run(
            "document.querySelectorAll('body *').forEach(e => e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})));
             return typeof window.xss === 'undefined' ? 'nothing ran' : 'ran ' + window.xss;",
        );
        assert_eq!(ran, "nothing ran", "{path}");
        let title = browser.run("return document.title;");
        assert!(title.as_str().unwrap().ends_with("– Doorstep"), "{path}: the markup is whole: {title}");
    }
}

/// Signs the browser in to the networks as a new member, `name`, through a
/// link of their own; returns the member.
fn sign_in_member(
    browser: &Browser,
    app: &TestApp,
    base: &str,
    name: &str,
) -> doorstep::domain::ids::MemberId {
    let token = doorstep::domain::accounts::random_token();
    let member = {
        let mut conn = app.state.store.conn().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let email = format!("{}@members.example.org", name.to_lowercase().replace(' ', "-"));
        let member = doorstep::store::members::add_confirmed(&mut conn, &email, name, now).unwrap();
        let purpose = doorstep::domain::networks::LinkPurpose::SignIn;
        doorstep::store::members::add_link(
            &mut conn,
            member,
            &token,
            purpose,
            now,
            now + chrono::Duration::hours(1),
        )
        .unwrap();
        member
    };
    browser.width(1280);
    browser.goto(&format!("{base}/members/links/{token}"));
    browser.run("document.querySelector('main form').submit();");
    wait_for_url(browser, "/members/account");
    member
}

#[test]
fn the_network_pages_have_no_axe_violations_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let service =
        common::most_overdue(&mut app.state.store.conn().unwrap(), chrono::Utc::now().naive_utc()).id;
    let (network, thread, link, unsubscribe, event) = {
        let mut conn = app.state.store.conn().unwrap();
        let hood = &doorstep::store::neighbourhoods::all(&mut conn).unwrap()[0];
        let network = doorstep::store::networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap();
        let thread = doorstep::store::threads::of_network(&mut conn, network.id, 1).unwrap()[0].id;
        let token = doorstep::domain::accounts::random_token();
        let now = chrono::Utc::now().naive_utc();
        let member =
            doorstep::store::members::add_confirmed(&mut conn, "new@members.example.org", "New", now)
                .unwrap();
        let purpose = doorstep::domain::networks::LinkPurpose::Confirm;
        doorstep::store::members::add_link(
            &mut conn,
            member,
            &token,
            purpose,
            now,
            now + chrono::Duration::hours(1),
        )
        .unwrap();
        let unsubscribe = doorstep::domain::networks::unsubscribe_token(&app.state.cookie_key, member);
        let event = doorstep::store::events::in_network(&mut conn, network.id, now, false, 1).unwrap();
        let event = format!("/events/{}", event.first().expect("the demo's network has an event").id);
        (network.slug, thread, format!("/members/links/{token}"), unsubscribe, event)
    };
    // As anyone: the networks, a network, a thread, joining and signing in.
    let mut problems = check_pages(
        &browser,
        &base,
        &[
            ("networks", String::from("/networks")),
            ("network", format!("/networks/{network}")),
            ("thread", format!("/threads/{thread}")),
            ("join", String::from("/members/join")),
            ("member-sign-in", String::from("/members/sign-in")),
            ("member-link", link),
            ("unsubscribe", format!("/unsubscribe/{unsubscribe}")),
            ("network-events", format!("/networks/{network}/events")),
            ("event", event.clone()),
        ],
    );
    problems.extend(check_errors(
        &browser,
        &base,
        "join",
        "/members/join",
        "document.getElementById('email').value = 'not an address';
         document.getElementById('display_name').value = 'Rosa';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('display_name').value === 'Rosa'
             && document.getElementById('email').value === 'not an address';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "member-sign-in",
        "/members/sign-in",
        "document.getElementById('email').value = 'rosa@';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('email').value === 'rosa@';",
    ));
    // "Check your email", after asking for a link.
    browser.width(1280);
    browser.goto(&format!("{base}/members/sign-in"));
    browser.run(
        "document.getElementById('email').value = 'rosa@example.org';
         document.querySelector('main form button[type=submit]').click();",
    );
    let started = Instant::now();
    while browser.run("return document.title;").as_str().is_none_or(|t| !t.starts_with("Check your email")) {
        assert!(started.elapsed() < Duration::from_secs(10), "asking for a link says to check your email");
        std::thread::sleep(Duration::from_millis(50));
    }
    for violation in browser.axe_violations() {
        problems.push(format!("check-email: {violation}"));
    }

    // As a member: their account, a new thread, a thread to reply to, a post to change.
    let member = sign_in_member(&browser, &app, &base, "Rosa");
    let post = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::threads::reply(
            &mut conn,
            thread,
            member,
            ("Me too!", false),
            chrono::Utc::now().naive_utc(),
        )
        .unwrap()
    };
    problems.extend(check_pages(
        &browser,
        &base,
        &[
            ("member-account", String::from("/members/account")),
            ("thread-new", format!("/networks/{network}/threads/new")),
            ("thread-member", format!("/threads/{thread}")),
            ("post-edit", format!("/posts/{post}/edit")),
            ("event-new", format!("/networks/{network}/events/new")),
            ("notice-new", format!("/services/{service}/notices/new")),
        ],
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "notice-new",
        &format!("/services/{service}/notices/new"),
        "document.getElementById('body').value = 'x'.repeat(300);
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('body').value.length === 300;",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "event-new",
        &format!("/networks/{network}/events/new"),
        "document.getElementById('title').value = 'Knit and natter';
         document.getElementById('starts').value = '3pm';
         document.getElementById('ends').value = '2pm';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('title').value === 'Knit and natter'
             && document.getElementById('ends').value === '2pm';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "thread-new",
        &format!("/networks/{network}/threads/new"),
        "document.getElementById('body').value = 'Soup on Friday';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('body').value === 'Soup on Friday';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "reply",
        &format!("/threads/{thread}"),
        "document.getElementById('body').value = '   ';
         document.querySelector('form[action$=\"/replies\"] button').click();",
        "return document.getElementById('body').value.trim() === '';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "member-account",
        "/members/account",
        "document.getElementById('display_name').value = 'R';
         document.querySelector('form[action=\"/members/account\"] button').click();",
        "return document.getElementById('display_name').value === 'R';",
    ));

    // As a connector: a place-based network's form.
    sign_in(&browser, &base, "connector@kingsmere.example.org");
    problems.extend(check_pages(&browser, &base, &[("network-new", String::from("/staff/networks/new"))]));
    problems.extend(check_errors(
        &browser,
        &base,
        "network-new",
        "/staff/networks/new",
        "document.getElementById('name').value = 'Refugee welcome';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('name').value === 'Refugee welcome';",
    ));
    // The network's sources, and a failing one's status page.
    let source = {
        let mut conn = app.state.store.conn().unwrap();
        let network = doorstep::store::networks::by_slug(&mut conn, &network).unwrap().id;
        let by = doorstep::store::users::find_by_email(&mut conn, "connector@kingsmere.example.org")
            .unwrap()
            .unwrap()
            .0
            .id;
        let (id, now) = (doorstep::domain::ids::SourceId::new(), chrono::Utc::now().naive_utc());
        let new = doorstep::domain::sources::NewSource {
            kind: doorstep::domain::sources::SourceKind::Calendar,
            name: String::from("St Mary's calendar"),
            url: String::from("https://stmarys.example/calendar.ics"),
        };
        doorstep::store::sources::follow(&mut conn, (id, network), &new, by, now).unwrap();
        doorstep::store::sources::read_badly(
            &mut conn,
            id,
            "it uses a time zone Doorstep does not know (Mars/Olympus)",
            now,
        )
        .unwrap();
        id
    };
    let sources = format!("/staff/networks/{network}/sources");
    problems.extend(check_pages(
        &browser,
        &base,
        &[("network-sources", sources.clone()), ("source", format!("/staff/sources/{source}"))],
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "network-sources",
        &sources,
        "document.getElementById('kind').checked = true;
         document.getElementById('name').value = 'Residents news';
         document.getElementById('url').value = 'not a web address';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('name').value === 'Residents news'
             && document.getElementById('url').value === 'not a web address'
             && document.getElementById('kind').checked;",
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_post_with_script_runs_nothing_in_the_browser() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let member = sign_in_member(&browser, &app, &base, "Mallory");
    let evil = "<script>window.xss=1</script>\n\n<iframe src=\"javascript:window.parent.xss=2\"></iframe>\n\n\
                <img src=x onerror=\"window.xss=3\"> <a href=\"javascript:window.xss=4\" id=\"typed\">typed link</a>\n\n\
                [a link](javascript:window.xss=5) <b onmouseover=\"window.xss=6\">bold</b> ![pic](x \"onerror=window.xss=7\")";
    let thread = {
        let mut conn = app.state.store.conn().unwrap();
        let hood = &doorstep::store::neighbourhoods::all(&mut conn).unwrap()[0];
        let network = doorstep::store::networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap();
        let new = doorstep::domain::networks::NewThread {
            title: format!("Hello {evil}"),
            body: evil.into(),
            needs: vec![],
            services: vec![],
            organisations: vec![],
        };
        let now = chrono::Utc::now().naive_utc();
        let thread =
            doorstep::store::threads::start(&mut conn, network.id, member, (&new, false), now).unwrap();
        doorstep::store::threads::reply(&mut conn, thread, member, (evil, false), now).unwrap();
        (thread, network.slug)
    };
    let hood =
        doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap()[0].slug.clone();
    for path in [
        format!("/threads/{}", thread.0),
        format!("/networks/{}", thread.1),
        format!("/neighbourhoods/{hood}"),
    ] {
        browser.goto(&format!("{base}{path}"));
        // Hover over and click every link, in case one was let through.
        let ran = browser.run(
            "document.querySelectorAll('body *').forEach(e => e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})));
             document.querySelectorAll('.post-body a').forEach(a => { if (!a.href.startsWith('http')) a.click(); });
             return typeof window.xss === 'undefined' ? 'nothing ran' : 'ran ' + window.xss;",
        );
        assert_eq!(ran, "nothing ran", "{path}");
        let frames = browser
            .run("return document.querySelectorAll('iframe, script:not([src]), img[onerror]').length;");
        assert_eq!(frames, 0, "{path}: no frame, inline script or handler is on the page");
        let title = browser.run("return document.title;");
        assert!(title.as_str().unwrap().ends_with("– Doorstep"), "{path}: the markup is whole: {title}");
    }
}

#[test]
fn the_moderation_pages_have_no_axe_violations_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start() else { return };
    let (app, server) = demo_server();
    let base = format!("http://{}", server.addr);
    let reporter = sign_in_member(&browser, &app, &base, "Rosa");
    let event = {
        let mut conn = app.state.store.conn().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let network = doorstep::store::networks::all(&mut conn)
            .unwrap()
            .into_iter()
            .find(|n| n.neighbourhood.is_some())
            .unwrap();
        doorstep::store::events::in_network(&mut conn, network.id, now, false, 1).unwrap()[0].id
    };
    // A new member's thread, held; and their reply, reported.
    let reply = {
        use doorstep::domain::moderation::ReportReason;
        let mut conn = app.state.store.conn().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let hood = &doorstep::store::neighbourhoods::all(&mut conn).unwrap()[0];
        let network = doorstep::store::networks::of_neighbourhood(&mut conn, hood.id).unwrap().unwrap();
        let newcomer = doorstep::store::members::add_confirmed(
            &mut conn,
            "newcomer@members.example.org",
            "Newcomer",
            now,
        )
        .unwrap();
        let new = doorstep::domain::networks::NewThread {
            title: String::from("Hello, I am new"),
            body: String::from("Is there a **choir** near here?"),
            needs: vec![],
            services: vec![],
            organisations: vec![],
        };
        doorstep::store::threads::start(&mut conn, network.id, newcomer, (&new, true), now).unwrap();
        let thread = doorstep::store::threads::of_network(&mut conn, network.id, 1).unwrap()[0].id;
        let reply =
            doorstep::store::threads::reply(&mut conn, thread, newcomer, ("Rude words here", false), now)
                .unwrap();
        doorstep::store::moderation::report(
            &mut conn,
            reply,
            reporter,
            (ReportReason::Abusive, "Rude to me"),
            now,
        )
        .unwrap();
        reply
    };
    // An event and a notice, reported: the queue shows them too.
    let notice = {
        use doorstep::domain::moderation::{ReportReason, Reported};
        let mut conn = app.state.store.conn().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let service = common::most_overdue(&mut conn, now).id;
        let notice = doorstep::store::notices::insert(
            &mut conn,
            service,
            reporter,
            ("Cheap loans, call now", None),
            now,
        )
        .unwrap();
        for item in [Reported::Event(event), Reported::Notice(notice)] {
            let why = (ReportReason::Spam, "An advert");
            doorstep::store::moderation::report_item(&mut conn, item, reporter, why, now).unwrap();
        }
        notice
    };
    let mut problems = check_pages(
        &browser,
        &base,
        &[
            ("report", format!("/posts/{reply}/report")),
            ("event-report", format!("/events/{event}/report")),
            ("notice-report", format!("/notices/{notice}/report")),
        ],
    );
    problems.extend(check_errors(
        &browser,
        &base,
        "event-report",
        &format!("/events/{event}/report"),
        "document.getElementById('details').value = 'Not real';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('details').value === 'Not real';",
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "report",
        &format!("/posts/{reply}/report"),
        "document.getElementById('details').value = 'Said twice';
         document.querySelector('main form button[type=submit]').click();",
        "return document.getElementById('details').value === 'Said twice';",
    ));
    // The member asks to speak for an organisation: the page that answers.
    let organisation: String = {
        use diesel::prelude::*;
        use doorstep::store::schema::organisations;
        let mut conn = app.state.store.conn().unwrap();
        organisations::table.select(organisations::id).order(organisations::name).first(&mut *conn).unwrap()
    };
    for width in [320, 640, 1280] {
        browser.width(width);
        browser.goto(&format!("{base}/organisations/{organisation}"));
        browser.run("document.querySelector('form[action$=\"/speak\"] button').click();");
        let started = Instant::now();
        while browser.run("return document.title;").as_str().is_none_or(|t| !t.starts_with("You have")) {
            assert!(started.elapsed() < Duration::from_secs(10), "asking says what happens next");
            std::thread::sleep(Duration::from_millis(50));
        }
        browser.screenshot(&target().join("screenshots").join(format!("asked-to-speak-{width}.png")));
        for violation in browser.axe_violations() {
            problems.push(format!("asked-to-speak at {width}: {violation}"));
        }
    }
    sign_in(&browser, &base, "admin@kingsmere.example.org");
    problems.extend(check_pages(
        &browser,
        &base,
        &[
            ("speakers", String::from("/staff/speakers")),
            ("moderation", String::from("/staff/moderation")),
            ("moderate-post", format!("/staff/moderation/posts/{reply}")),
            ("event-moderator", format!("/events/{event}")),
        ],
    ));
    problems.extend(check_errors(
        &browser,
        &base,
        "moderate-post",
        &format!("/staff/moderation/posts/{reply}"),
        "document.querySelector('input[value=hide]').checked = true;
         document.querySelector('main form button[type=submit]').click();",
        "return document.querySelector('input[value=hide]').checked;",
    ));
    // Hidden, with a reason: the log has a line to show.
    browser.goto(&format!("{base}/staff/moderation/posts/{reply}"));
    browser.run(
        "document.querySelector('input[value=hide]').checked = true;
         document.getElementById('reason').value = 'Abusive to another member';
         document.querySelector('main form button[type=submit]').click();",
    );
    wait_for_url(&browser, "/staff/moderation/posts/");
    problems.extend(check_pages(
        &browser,
        &base,
        &[("moderation-log", String::from("/staff/moderation/log"))],
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
