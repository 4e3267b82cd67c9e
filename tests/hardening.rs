//! The defects a hostile run against the demo found, one test each (the
//! refuge's is `confidential.rs`; throttling and CSRF are in `access.rs`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::store::{neighbourhoods, service_lists};

/// A running service of the demo: its id as written.
fn a_service(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().unwrap();
    service_lists::for_need(&mut conn, "loneliness", 1).unwrap()[0].id.to_string()
}

/// Sends `request` as raw bytes over a new connection and reads what comes
/// back until the server closes it or `wait` passes.
fn raw(addr: std::net::SocketAddr, request: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[actix_web::test]
async fn a_body_that_never_comes_is_answered_408_and_its_connection_closed() {
    let app = TestApp::with_demo_and(|c| c.request_timeout_seconds = 1);
    let server = doorstep::web::server::spawn_on_loopback(app.state.clone(), 1).unwrap();
    let addr = server.addr;
    let started = std::time::Instant::now();
    let answer = raw(
        addr,
        b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=",
        Duration::from_secs(20),
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the connection was let go: {:?}",
        started.elapsed()
    );
}

#[actix_web::test]
async fn one_address_cannot_hold_more_than_its_share_of_connections() {
    let app = TestApp::with_demo_and(|c| c.connections_per_address = 3);
    let server = doorstep::web::server::spawn_on_loopback(app.state.clone(), 1).unwrap();
    let addr = server.addr;
    let held: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let answer = raw(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    drop(held);
    // Once they are closed, the address is welcome again.
    let mut answer = String::new();
    for _ in 0..50 {
        answer = raw(
            addr,
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            Duration::from_secs(10),
        );
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[actix_web::test]
async fn paging_is_checked_and_never_overflows() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    for page in ["184467440737095517", "18446744073709551615", "1001", "0", "-1"] {
        let answer = browser.get(&format!("/api/search?q=lunch&page={page}&per_page=100")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "page {page}");
        assert!(answer.body.contains("page must be a whole number from 1 to 1000"), "{}", answer.body);
    }
    // The last page there can be is empty past the first thousand results, not refused.
    let last = browser.get("/api/search?q=lunch&page=1000&per_page=100").await;
    assert_eq!(last.status, StatusCode::OK);
    assert!(last.body.contains("\"results\":[]"));
    let page = browser.get("/search?q=lunch&page=922337203685477581").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(!page.body.contains("Page 922337203685477581"));
    let past = browser.get("/search?q=lunch&page=900").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.body.contains("of results. <a href=\"/search?"), "offers the last page");
    assert!(!past.body.contains("Page 900 of"));
}

#[actix_web::test]
async fn control_and_invisible_characters_never_reach_a_page() {
    let app = TestApp::with_demo();
    app.add_user("admin@example.org", Role::Administrator, None);
    let mut admin = app.browser().await;
    admin.sign_in("admin@example.org", PASSWORD).await;
    let slug = {
        let mut conn = app.state.store.conn().unwrap();
        neighbourhoods::all(&mut conn).unwrap()[0].slug.clone()
    };
    let edit = format!("/staff/neighbourhoods/{slug}");
    let name = format!("{edit}/name");
    for (typed, why) in [
        ("\u{200B}\u{200C}\u{FEFF}", "Enter the neighbourhood's name"),
        ("\u{0}\u{1b}", "Enter the neighbourhood's name"),
        ("Ashworth \u{202E}htron", "must not contain characters that change the direction"),
    ] {
        let refused = admin.submit(&edit, &name, &[("name", typed)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed:?}");
        assert!(refused.body.contains(why), "{typed:?}");
    }
    let renamed = admin.submit(&edit, &name, &[("name", "Bell\u{0}\u{1b}[31m Vue\u{7f}")]).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let public = app.browser().await.get("/neighbourhoods").await;
    assert!(public.body.contains("Bell[31m Vue"));
    assert!(
        !public.body.contains('\u{0}') && !public.body.contains('\u{1b}') && !public.body.contains('\u{7f}')
    );

    // A service's description, eligibility and name, through the staff form.
    let id = a_service(&app);
    let form = format!("/staff/services/{id}/edit");
    let page = admin.get(&form).await;
    let mut fields = form_fields(&page.body);
    for (key, value) in fields.iter_mut() {
        match key.as_str() {
            "description" => *value = "Tea\u{0} and cake,\r\nevery week\u{1b}[2J.\u{202E}".into(),
            "eligibility" => *value = "Anyone\u{7}".into(),
            "name" => *value = "Cafe\u{301} club".into(),
            _ => {}
        }
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = admin.post(&format!("/staff/services/{id}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = app.browser().await.get(&format!("/services/{id}")).await.body;
    assert!(shown.contains("Tea and cake,\nevery week[2J."), "line breaks kept, controls gone");
    assert!(shown.contains("Anyone"));
    assert!(shown.contains("Caf\u{e9} club"), "NFC");
    for c in ['\u{0}', '\u{1b}', '\u{7}', '\u{202E}', '\r'] {
        assert!(!shown.contains(c), "{c:?} on the page");
    }
}

/// The named fields of a service's form with their values, as a
/// browser would send them (ticked boxes and chosen options only).
fn form_fields(body: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let marker = format!(" {name}=\"");
        let start = tag.find(&marker)? + marker.len();
        Some(
            tag[start..]
                .split('"')
                .next()?
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&lt;", "<"),
        )
    };
    let mut fields = Vec::new();
    let form = &body[body.find("<form method=\"post\" action=\"/staff/services/").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut rest = form;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..=end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            let ticked = tag.contains(" checked");
            if let (Some(name), true) =
                (attr(tag, "name"), !matches!(kind.as_str(), "checkbox" | "radio") || ticked)
            {
                fields.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let name = attr(tag, "name").unwrap();
            let text = &rest[end + 1..rest.find("</textarea>").unwrap()];
            fields.push((name, text.replace("&amp;", "&").replace("&lt;", "<").replace("&quot;", "\"")));
        } else if tag.starts_with("<select") {
            let name = attr(tag, "name").unwrap();
            let options = &rest[..rest.find("</select>").unwrap()];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1));
            let value = chosen.and_then(|o| attr(&format!("<option{o}"), "value")).unwrap_or_default();
            fields.push((name, value));
        }
        rest = &rest[1..];
    }
    fields
}

#[actix_web::test]
async fn a_csv_export_never_holds_a_formula() {
    let app = TestApp::with_demo();
    let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    {
        let mut conn = app.state.store.conn().unwrap();
        let hood = neighbourhoods::all(&mut conn).unwrap().into_iter().next().unwrap();
        neighbourhoods::rename(&mut conn, hood.id, formula).unwrap();
    }
    let mut advisor = app.browser().await;
    advisor.sign_in("advisor@kingsmere.example.org", PASSWORD).await;
    let csv = advisor.get("/dashboard.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let cells: Vec<String> =
        reader.records().flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>()).collect();
    assert!(cells.iter().any(|c| c == &format!("'{formula}")), "the name is there, as text");
    for cell in &cells {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula: {cell}");
    }
}

#[actix_web::test]
async fn an_id_has_one_address() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let id = a_service(&app);
    assert_eq!(browser.get(&format!("/services/{id}")).await.status, StatusCode::OK);
    let simple = id.replace('-', "");
    for other in
        [id.to_uppercase(), format!("%7B{id}%7D"), format!("urn:uuid:{id}"), simple, format!("{id}%20")]
    {
        assert_eq!(browser.get(&format!("/services/{other}")).await.status, StatusCode::NOT_FOUND, "{other}");
    }
}

#[actix_web::test]
async fn a_known_path_asked_with_the_wrong_method_says_which_it_answers() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let id = a_service(&app);
    for (method, path, allow) in [
        ("POST", "/".to_string(), "GET, HEAD"),
        ("TRACE", "/search".to_string(), "GET, HEAD"),
        ("DELETE", format!("/services/{id}"), "GET, HEAD"),
        ("PUT", "/api/search".to_string(), "GET, HEAD"),
        ("GET", "/sign-out".to_string(), "POST"),
        ("PATCH", "/sign-in".to_string(), "GET, HEAD, POST"),
        ("OPTIONS", "/follow-up/x".to_string(), "GET, HEAD, POST"),
    ] {
        let answer = browser.request(method, &path).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(answer.headers.get("allow").unwrap(), allow, "{method} {path}");
    }
    assert_eq!(browser.request("HEAD", "/").await.status, StatusCode::OK);
    assert_eq!(browser.request("TRACE", "/no-such-page").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn security_headers_are_sent_and_hsts_only_over_https() {
    let app = TestApp::with_demo();
    let page = app.browser().await.get("/").await;
    assert!(page.headers.get("permissions-policy").unwrap().to_str().unwrap().contains("camera=()"));
    assert!(page.headers.get("strict-transport-security").is_none(), "not over plain HTTP");
    let app = TestApp::empty_with(|c| c.public_url = "https://doorstep.example.org".into());
    let page = app.browser().await.get("/").await;
    assert_eq!(page.headers.get("strict-transport-security").unwrap(), "max-age=31536000");
    assert!(page.headers.get("permissions-policy").is_some());
}

#[actix_web::test]
async fn the_openapi_document_says_exactly_what_the_api_takes() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let document: serde_json::Value =
        serde_json::from_str(&browser.get("/api/openapi.json").await.body).unwrap();
    let parameters = document["paths"]["/api/search"]["get"]["parameters"].as_array().unwrap();
    let need = &parameters.iter().find(|p| p["name"] == "need").unwrap()["schema"];
    let needs: Vec<&str> =
        need["items"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let taxonomy = {
        let mut conn = app.state.store.conn().unwrap();
        doorstep::store::needs::all(&mut conn).unwrap()
    };
    assert_eq!(needs.len(), taxonomy.len(), "every need of this site, and no other");
    assert!(needs.contains(&"loneliness"));
    // What the hostile run found: each answer now agrees with the document.
    assert_eq!(
        browser.get("/api/search?need=").await.status,
        StatusCode::BAD_REQUEST,
        "not one of the needs"
    );
    assert_eq!(
        browser.get("/api/search?need=loneliness&referral=").await.status,
        StatusCode::BAD_REQUEST,
        "not a referral route"
    );
    assert_eq!(
        browser.get("/api/search?free=yes").await.status,
        StatusCode::BAD_REQUEST,
        "a boolean is true or false"
    );
    assert_eq!(
        browser.get("/api/search?open=MON").await.status,
        StatusCode::BAD_REQUEST,
        "lower case, as listed"
    );
    assert_eq!(
        browser.get("/api/search?q=lunch&radius_km=5").await.status,
        StatusCode::OK,
        "no place: limits nothing"
    );
    assert_eq!(browser.get("/api/search?postcode=ZZ9+9ZZ").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/api/search?postcode=not+a+postcode").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get("/api/search?lat=53.4").await.status,
        StatusCode::BAD_REQUEST,
        "lat and lon together"
    );
    // The page's own form still sends what people type.
    let page = browser.get("/search?q=lunch&open=MON&free=1&radius_km=&age=&delivery=&referral=").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}
