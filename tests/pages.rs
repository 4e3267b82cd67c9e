//! The public pages of the slice: home, need, service, organisation, errors.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::store::{organisations, service_lists, services};

fn refuge(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().unwrap();
    let services = service_lists::for_need(&mut conn, "domestic-abuse", 100).unwrap();
    let refuge = services.iter().find(|s| s.name.contains("Refuge")).expect("the demo has a refuge");
    refuge.id.to_string()
}

#[actix_web::test]
async fn every_page_of_the_demo_says_it_is_a_demo() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Loneliness and isolation"));
    let service_link = {
        let need = browser.get("/needs/loneliness").await;
        assert_eq!(need.status, StatusCode::OK);
        let start = need.body.find("href=\"/services/").expect("the need lists services") + 6;
        need.body[start..].split('"').next().unwrap().to_string()
    };
    let service = browser.get(&service_link).await;
    assert_eq!(service.status, StatusCode::OK);
    let start = service.body.find("href=\"/organisations/").expect("the service links its organisation") + 6;
    let organisation_link = service.body[start..].split('"').next().unwrap().to_string();
    let organisation = browser.get(&organisation_link).await;
    assert_eq!(organisation.status, StatusCode::OK);
    assert!(organisation.body.contains(&service_link), "the organisation lists the service");
    for page in
        [&home, &service, &organisation, &browser.get("/sign-in").await, &browser.get("/no-such-page").await]
    {
        assert!(page.body.contains("This is a demonstration"), "demo banner missing");
        assert!(page.body.contains("Kingsmere is an invented borough"));
    }
}

#[actix_web::test]
async fn a_service_page_says_when_where_and_how() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let id = {
        let mut conn = app.state.store.conn().unwrap();
        let services = service_lists::for_need(&mut conn, "memory-and-dementia", 100).unwrap();
        services.iter().find(|s| s.name.contains("Memory Café")).expect("a memory café").id
    };
    let page = browser.get(&format!("/services/{id}")).await;
    assert!(page.body.contains("First and third Thursday of the month, 2pm to 4pm"), "the schedule in words");
    assert!(page.body.contains("Next: "), "the next session");
    assert!(page.body.contains("Step-free access"));
    assert!(page.body.contains("Just turn up"));
    assert!(page.body.contains("01632 960"), "a phone number");
    let checked = services::view(&mut app.state.store.conn().unwrap(), id).unwrap().last_verified_at.unwrap();
    let ago = doorstep::pages::ago(checked.date(), chrono::Utc::now().date_naive());
    assert!(page.body.contains(&format!("Checked {ago} (")), "when it was last checked, in words: {ago}");
    assert_eq!(page.body.matches("<ul class=\"sessions\"><li>").count(), 1, "the next sessions, listed");
    assert!(page.body.matches("day ").count() >= 2);
    // A small map of the venue, named for screen readers.
    assert!(page.body.contains("<g class=\"marker\" role=\"img\""), "a marker for its venue");
    assert!(page.body.contains("class=\"area current\""), "its neighbourhood outlined");
    assert!(page.body.contains("Also near here for "), "other services for the same need");
    // schema.org JSON-LD that a machine can read.
    let start = page.body.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let end = start + page.body[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&page.body[start..end]).unwrap();
    assert_eq!(data["@type"], "Service");
    assert_eq!(data["provider"]["@type"], "Organization");
    assert_eq!(data["availableChannel"]["serviceLocation"][0]["@type"], "Place");
    assert!(data["availableChannel"]["serviceLocation"][0]["address"]["postalCode"].is_string());
}

#[actix_web::test]
async fn a_refuge_address_is_shown_only_to_those_whose_role_allows() {
    let app = TestApp::with_demo();
    let id = refuge(&app);
    let address = {
        let mut conn = app.state.store.conn().unwrap();
        let view = services::view(&mut conn, id.parse().unwrap()).unwrap();
        assert!(view.locations[0].location.confidential);
        view.locations[0].location.postcode.clone()
    };
    let mut public = app.browser().await;
    let page = public.get(&format!("/services/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&address), "the public never sees the refuge's postcode");
    assert!(page.body.contains("The address is confidential"));
    assert!(!page.body.contains("Safe house"), "nor the venue's name");
    assert!(!page.body.contains("class=\"marker\""), "nor a map of where it is");
    assert!(!page.body.contains("GeoCoordinates"), "nor its place in the JSON-LD");

    app.add_user("jo@example.org", Role::Advisor, None);
    let mut advisor = app.browser().await;
    advisor.sign_in("jo@example.org", PASSWORD).await;
    let seen = advisor.get(&format!("/services/{id}")).await.body;
    assert!(!seen.contains(&address) && !seen.contains("Safe house"), "an advisor sees neither");

    app.add_user("kim@example.org", Role::Connector, None);
    let mut connector = app.browser().await;
    connector.sign_in("kim@example.org", PASSWORD).await;
    let page = connector.get(&format!("/services/{id}")).await;
    assert!(page.body.contains(&address), "a connector keeping the listing sees it");
    assert!(page.body.contains("Confidential address"));
}

#[actix_web::test]
async fn unknown_and_malformed_addresses_get_a_kind_not_found_page() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    for path in [
        "/services/00000000-0000-0000-0000-000000000000",
        "/services/not-an-id",
        "/services/%00%ff",
        "/organisations/12345",
        "/needs/unicorns",
        "/staff/services/not-an-id/history",
        "/assets/doorstep.css",
        "/wp-admin.php",
    ] {
        let page = browser.get(path).await;
        let expected = if path.starts_with("/staff") { StatusCode::SEE_OTHER } else { StatusCode::NOT_FOUND };
        assert_eq!(page.status, expected, "{path}");
        if expected == StatusCode::NOT_FOUND {
            assert!(page.body.contains("Page not found"), "{path}");
        }
    }
    app.add_user("kim@example.org", Role::Connector, None);
    browser.sign_in("kim@example.org", PASSWORD).await;
    assert_eq!(browser.get("/staff/services/not-an-id/history").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get("/staff/services/00000000-0000-0000-0000-000000000000/edit").await.status,
        StatusCode::NOT_FOUND
    );
    let bad_query = browser.get("/sign-in?next=%ZZ&next=1").await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    assert!(bad_query.body.contains("The web address has a value that is not understood"));
}

#[actix_web::test]
async fn text_typed_by_staff_is_escaped_everywhere_it_is_shown() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let organisation = {
        let mut conn = app.state.store.conn().unwrap();
        organisations::choices(&mut conn).unwrap()[0].0.to_string()
    };
    let evil = "<script>alert(1)</script>\"onmouseover=alert(2) x=\"";
    let created = browser
        .submit(
            "/staff/services/new",
            "/staff/services",
            &[
                ("organisation", &organisation),
                ("name", evil),
                ("description", evil),
                ("status", "active"),
                ("needs", "loneliness"),
                ("referral_route", "self"),
                ("eligibility", evil),
                ("cost", "paid"),
                ("cost_description", evil),
                ("delivery", "phone"),
                ("languages", evil),
                ("area", "borough"),
                ("reason", evil),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = created.location().trim_start_matches("/services/").to_string();
    for path in [
        format!("/services/{id}"),
        format!("/staff/services/{id}/edit"),
        format!("/staff/services/{id}/history"),
        "/needs/loneliness".into(),
        "/search?q=alert+onmouseover".into(),
        format!(
            "/neighbourhoods/{}",
            doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap()[0].slug
        ),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script>alert"), "{path} lets a script through");
        // (JSON-LD holds the text as a JSON string, its quote escaped as \", which is safe.)
        assert!(
            !page.body.replace("\\\"", "").contains("\"onmouseover"),
            "{path} breaks out of an attribute"
        );
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path} shows the text, escaped"
        );
    }
    // Typed into the search: kept in the fields, escaped.
    let typed = format!("/search?q={0}&postcode={0}&language={0}&age={0}", doorstep::pages::url_encode(evil));
    let page = browser.get(&typed).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "a postcode that is not one");
    assert!(!page.body.contains("<script>alert") && !page.body.contains("\"onmouseover"), "{}", page.body);
    assert!(
        page.body.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover"),
        "the text is kept"
    );
    let scheme = browser
        .submit(
            &format!("/staff/services/{id}/edit"),
            &format!("/staff/services/{id}"),
            &[
                ("organisation", &organisation),
                ("name", "Fine"),
                ("description", "Fine"),
                ("status", "active"),
                ("needs", "loneliness"),
                ("referral_route", "self"),
                ("cost", "free"),
                ("delivery", "phone"),
                ("area", "borough"),
                ("website", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(scheme.status, StatusCode::UNPROCESSABLE_ENTITY, "a javascript: link is refused");
}

#[actix_web::test]
async fn health_and_the_stylesheet_answer() {
    let app = TestApp::empty();
    let mut browser = app.browser().await;
    let health = browser.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("This is a demonstration"), "an empty database is not the demo");
    assert_eq!(home.headers.get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"));
    let start = home.body.find("/assets/doorstep.").unwrap();
    let path = home.body[start..].split('"').next().unwrap().to_string();
    let css = browser.get(&path).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers.get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").contains("immutable")
    );
    assert!(css.body.contains(".error-summary"));
    let fresh = app.browser().await.get(&path).await;
    assert!(fresh.headers.get("set-cookie").is_none(), "a publicly cached stylesheet sets no cookie");
}

#[actix_web::test]
async fn the_sitemap_lists_every_public_page_and_the_footer_links_the_accessibility_statement() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let home = browser.get("/").await;
    assert!(home.body.contains("href=\"/accessibility\""));
    let statement = browser.get("/accessibility").await;
    assert_eq!(statement.status, StatusCode::OK);
    assert!(statement.body.contains("<h1>Accessibility statement</h1>"));
    let sitemap = browser.get("/sitemap.xml").await;
    assert_eq!(sitemap.status, StatusCode::OK);
    assert!(sitemap.headers.get("content-type").unwrap().to_str().unwrap().starts_with("application/xml"));
    let mut conn = app.state.store.conn().unwrap();
    let running = service_lists::running_ids(&mut conn).unwrap();
    assert!(running.len() > 300);
    for id in &running {
        assert!(sitemap.body.contains(&format!("/services/{id}</loc>")), "{id}");
    }
    let hoods = doorstep::store::neighbourhoods::all(&mut conn).unwrap();
    assert!(sitemap.body.contains(&format!("/neighbourhoods/{}</loc>", hoods[0].slug)));
    assert!(sitemap.body.contains("/needs/loneliness</loc>"));
    let base = &app.state.config.public_url;
    assert!(
        sitemap.body.matches("<loc>").count() == sitemap.body.matches(&format!("<loc>{base}")).count(),
        "absolute addresses"
    );
}
