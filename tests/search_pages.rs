//! The results page citizens use: `/search`, with the same parameters as
//! `/api/search`, answered as HTML that works without script.

use crate::common::{self, TestApp};
use actix_web::http::StatusCode;

/// A postcode in the middle of the demo borough, as typed in a URL.
fn postcode(app: &TestApp) -> String {
    common::central_postcode(app).replace(' ', "+")
}

#[actix_web::test]
async fn the_postcode_hint_names_postcodes_the_area_knows() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    for page in ["/", "/search?q=lunch"] {
        let body = browser.get(page).await.body;
        let hint = body.split("id=\"postcode-hint\">").nth(1).and_then(|h| h.split('<').next()).unwrap();
        let hint = hint.replace('\u{a0}', " ");
        let examples = hint.strip_prefix("A postcode, or the first part of one, like ").unwrap();
        let (district, full) = examples.trim_end_matches('.').split_once(" or ").unwrap();
        assert!(full.starts_with(&format!("{district} ")), "{hint}");
        for example in [district, full] {
            let found = browser.get(&format!("/search?q=lunch&postcode={}", example.replace(' ', "+"))).await;
            assert_eq!(found.status, StatusCode::OK, "{page}: {example} is found");
            assert!(found.body.contains(" near <strong>"), "{example}");
        }
    }
}

#[actix_web::test]
async fn results_say_how_many_where_and_what_each_one_is() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let pc = postcode(&app);
    let page = browser.get(&format!("/search?q=lunch+club&postcode={pc}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // Lunch clubs first and counted; "club" alone finds other clubs, after them.
    assert!(page.body.contains(" close matches</h1>"), "how many");
    assert!(page.body.contains(" more mention some of your words, listed after them."));
    assert!(page.body.contains("near <strong>"), "where");
    let results = page.body.matches("<li><h3><a href=\"/services/").count();
    assert_eq!(results, 20, "a page of results");
    for fact in ["away</li>", "Next: ", "Why it matched: ", "Free</li>"] {
        assert!(page.body.contains(fact), "each result says {fact}");
    }
    assert!(page.body.contains("rel=\"next\""), "more pages");
    assert!(page.body.contains("value=\"lunch club\""), "the question is kept");
    let css = doorstep::pages::STYLESHEET.len();
    assert!(
        page.body.len() + css < 60_000,
        "results page {} bytes + stylesheet {css} bytes",
        page.body.len()
    );
    println!("results page: {} bytes of HTML, {css} of CSS", page.body.len());

    let second = browser.get(&format!("/search?q=lunch+club&postcode={pc}&page=2")).await;
    assert!(second.body.contains("Page 2 of"));
    assert!(second.body.contains("rel=\"prev\""));

    let printed = browser.get(&format!("/search?q=lunch+club&postcode={pc}&print=1")).await;
    assert!(!printed.body.contains("<form method=\"get\""), "the printable list has no forms");
    assert!(printed.body.matches("<li><h3>").count() > 20, "and more results");
}

#[actix_web::test]
async fn several_needs_come_back_grouped_with_filters_as_a_plain_form() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let pc = postcode(&app);
    let page = browser.get(&format!("/search?need=loneliness&need=debt&postcode={pc}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h2>Loneliness and isolation ("), "{}", page.body);
    assert!(page.body.contains("<h2>Money and debt ("), "a group per need");
    assert!(page.body.contains("<details class=\"filters no-print\">"), "filters folded when none is set");
    let filtered = browser.get(&format!("/search?need=loneliness&postcode={pc}&free=true&open=wed")).await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(filtered.body.contains("<details class=\"filters no-print\" open>"), "open when set");
    assert!(filtered.body.contains("<option value=\"wed\" selected>"));
    assert!(!filtered.body.contains("<li>£"), "free only");
}

#[actix_web::test]
async fn nothing_found_suggests_wider_searches() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let pc = postcode(&app);
    let page = browser.get(&format!("/search?q=zzqqxxv&postcode={pc}&free=true")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No services found"));
    assert!(page.body.contains("search again without the filters"));
    assert!(page.body.contains("search the whole borough"));
    assert!(page.body.contains("href=\"/needs\""));
    let related = browser.get("/search?need=young-carers&age=3").await;
    assert!(related.body.contains("href=\"/needs/carers-support\""), "related needs: {}", related.body);
}

#[actix_web::test]
async fn bad_input_is_answered_on_the_page_never_with_a_500() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let unknown = browser.get("/search?q=lunch&postcode=ZZ99+9ZZ").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("There is a problem"));
    assert!(unknown.body.contains("href=\"#postcode\""), "the summary links to the field");
    assert!(unknown.body.contains("class=\"short input-error\""), "the field is marked");
    assert!(unknown.body.contains("value=\"ZZ99 9ZZ\""), "the text is kept");
    assert!(unknown.body.contains("<title>Error: Search"));
    for query in [
        "q=x&open=someday",
        "q=x&age=-4",
        "q=x&age=400",
        "q=x&page=0",
        "q=x&page=99999",
        "q=x&per_page=1000",
        "q=x&lat=53",
        "q=x&lat=north&lon=west",
        "q=x&radius_km=5",
        "q=x&radius_km=-1&postcode=KM1",
        "need=not-a-need",
        "q=x&delivery=teleport",
        "q=x&postcode=%F0%9F%98%80",
        "q=%00%01&postcode=",
    ] {
        let page = browser.get(&format!("/search?{query}")).await;
        assert!(page.status.is_client_error() || page.status == StatusCode::OK, "{query}: {}", page.status);
        assert!(page.body.contains("<h1>"), "{query}: a page, not a bare error");
    }
    let empty = browser.get("/search").await;
    assert_eq!(empty.status, StatusCode::SEE_OTHER, "nothing asked: back to the question");
}

#[actix_web::test]
async fn a_search_from_my_location_keeps_the_point_through_pages_and_filters() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let hood = doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap()[0].clone();
    let (lat, lon) = (format!("{:.5}", hood.latitude), format!("{:.5}", hood.longitude));
    let page = browser.get(&format!("/search?q=support&lat={lat}&lon={lon}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("near <strong>your location</strong>"), "not its coordinates");
    assert!(
        page.body.contains(&format!("lat={lat}&amp;lon={lon}&amp;page=2")),
        "the next page keeps the point"
    );
    assert!(
        page.body.contains(&format!("<input type=\"hidden\" name=\"lat\" value=\"{lat}\">")),
        "so do the filters"
    );
    // The enhancement that fills them in is a script of our own, fingerprinted and cached.
    let start = page.body.find("/assets/doorstep.").unwrap();
    let scripts: Vec<&str> =
        page.body.match_indices("<script src=\"").map(|(i, _)| &page.body[i + 13..]).collect();
    assert_eq!(scripts.len(), 1, "one script");
    let path = scripts[0].split('"').next().unwrap();
    assert!(path.starts_with("/assets/doorstep.") && path.ends_with(".js") && start > 0);
    let script = browser.get(path).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("Use my location"));
    assert!(script.headers.get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
}
