//! Search on the demo, through `GET /api/search`: each matching rule, and
//! any input whatever getting an answer rather than an error page. The index
//! keeping up with saved changes is in `search_index.rs`.

use crate::common::{self, TestApp, central_postcode};
use actix_web::http::StatusCode;
use serde_json::Value;

/// Every parameter of `GET /api/search`.
const PARAMETERS: [&str; 16] = [
    "q",
    "need",
    "postcode",
    "lat",
    "lon",
    "radius_km",
    "open",
    "free",
    "age",
    "language",
    "delivery",
    "step_free",
    "referral",
    "taking_new",
    "page",
    "per_page",
];

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub async fn api<S, B>(browser: &mut common::Browser<S>, query: &str) -> (StatusCode, Value)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let page = browser.get(&format!("/api/search?{query}")).await;
    let json =
        serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("{query}: not JSON: {}", page.body));
    (page.status, json)
}

pub fn names(json: &Value) -> Vec<String> {
    json["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn everyday_words_find_the_need_they_belong_to() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let (status, json) = api(&mut browser, "q=lonely&per_page=100").await;
    assert_eq!(status, StatusCode::OK);
    let found = names(&json);
    assert!(found.iter().any(|n| n.contains("Befriending")), "{found:?}");
    assert!(found.iter().any(|n| n.contains("Lunch Club")), "{found:?}");
    assert!(
        json["results"][0]["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("you said"))
    );
    // Words of the listing itself are pointed out, in whatever form they were typed.
    let (_, json) = api(&mut browser, "q=gardening&per_page=100").await;
    let gardens = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().to_lowercase().contains("garden"));
    let why = &gardens.expect("a garden group")["why"];
    assert!(why.as_array().unwrap().iter().any(|w| w == "Mentions \u{201c}gardening\u{201d}"), "{why}");
    // A phrase a caller would use.
    let (_, json) = api(&mut browser, &format!("q={}", encode("I have no one to talk to"))).await;
    assert!(json["results"][0]["needs"].as_array().unwrap().iter().any(|n| n == "loneliness"), "{json}");
}

#[actix_web::test]
async fn longer_words_are_found_with_a_typo() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    for (typed, name_part, need) in [
        ("befrending", "Befriending", "loneliness"),
        ("dementa", "Dementia", "memory-and-dementia"),
        ("walkng", "Walk", "physical-activity"),
    ] {
        let (status, json) = api(&mut browser, &format!("q={typed}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(names(&json).iter().take(5).any(|n| n.contains(name_part)), "{typed}: {:?}", names(&json));
        let first_needs = json["results"][0]["needs"].as_array().unwrap();
        assert!(first_needs.iter().any(|n| n == need), "{typed}: the best result meets {need}");
    }
    let (status, _) = api(&mut browser, "q=allotment").await;
    assert_eq!(status, StatusCode::OK, "a word nothing is near still answers");
    // Short words are not fuzzed: "pub" does not match "club".
    let (_, json) = api(&mut browser, "q=pub").await;
    assert_eq!(json["total"], 0);
}

#[actix_web::test]
async fn services_that_reach_everyone_are_included_wherever_they_are_based() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let postcode = encode(&central_postcode(&app));
    let (_, json) =
        api(&mut browser, &format!("need=loneliness&postcode={postcode}&radius_km=1&per_page=100")).await;
    let results = json["results"].as_array().unwrap();
    let phone = results
        .iter()
        .find(|r| r["name"] == "Age Well Telephone Friends")
        .expect("the phone befriending line");
    assert!(phone["distance_m"].is_null());
    assert!(phone["why"].as_array().unwrap().iter().any(|w| w == "By phone, wherever you are"));
    for r in results {
        if let Some(d) = r["distance_m"].as_u64() {
            assert!(d <= 1_000, "{} is {d} m away, outside the chosen 1 km", r["name"]);
        }
    }
    assert!(results.iter().any(|r| r["distance_m"].is_number()), "local services too");
    // Without a radius nothing is cut off: further services come, ranked lower.
    let (_, wide) = api(&mut browser, &format!("need=loneliness&postcode={postcode}")).await;
    assert!(wide["total"].as_u64().unwrap() > json["total"].as_u64().unwrap());
}

#[actix_web::test]
async fn nearer_services_rank_higher_and_say_how_far() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let postcode = encode(&central_postcode(&app));
    let (_, json) = api(&mut browser, &format!("q=lunch+club&postcode={postcode}&per_page=10")).await;
    let distances: Vec<u64> =
        json["results"].as_array().unwrap().iter().filter_map(|r| r["distance_m"].as_u64()).collect();
    assert!(distances.len() >= 3);
    assert!(distances[0] <= distances[distances.len() - 1], "{distances:?}");
    let first = &json["results"][0];
    assert!(
        first["why"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().ends_with("away")),
        "{first}"
    );
    assert_eq!(json["place"]["label"], central_postcode(&app));
}

#[actix_web::test]
async fn open_on_a_day_keeps_only_what_meets_that_day() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let (_, saturday) = api(&mut browser, "need=physical-activity&open=sat&per_page=100").await;
    let found = names(&saturday);
    assert!(found.iter().any(|n| n.contains("Tai Chi")), "tai chi meets on Saturdays: {found:?}");
    assert!(!found.iter().any(|n| n.contains("Walking Football")), "walking football is on Wednesdays");
    assert!(saturday["results"][0]["why"].as_array().unwrap().iter().any(|w| w == "Meets on Saturdays"));
    let (_, all) = api(&mut browser, "need=physical-activity").await;
    assert!(saturday["total"].as_u64() < all["total"].as_u64());
    let (status, _) = api(&mut browser, "open=now").await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn several_needs_come_grouped_and_an_unmet_need_is_said() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let (_, json) = api(&mut browser, "need=loneliness&need=young-people&age=90").await;
    let groups = json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["need"], "loneliness");
    assert!(groups[0]["total"].as_u64().unwrap() > 0);
    assert!(!groups[0]["results"].as_array().unwrap().is_empty());
    assert_eq!(groups[1]["need"], "young-people");
    assert_eq!(groups[1]["total"], 0, "nothing for young people suits a 90-year-old");
    assert_eq!(json["unmet"], serde_json::json!(["young-people"]));
    // Facet counts come from the same query.
    assert_eq!(json["facets"]["needs"]["loneliness"], json["total"]);
    assert!(json["facets"]["needs"].get("young-people").is_none());
}

#[actix_web::test]
async fn filters_narrow_the_results() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let (_, all) = api(&mut browser, "need=food").await;
    let (_, free) = api(&mut browser, "need=food&free=true").await;
    assert!(free["total"].as_u64() < all["total"].as_u64());
    assert_eq!(free["facets"]["free"], free["total"]);
    let (_, urdu) = api(&mut browser, "language=urdu&per_page=100").await;
    assert!(names(&urdu).iter().all(|n| n.contains("Friendship Group")), "{:?}", names(&urdu));
    let (_, phone) = api(&mut browser, "delivery=phone").await;
    assert_eq!(phone["facets"]["delivery"]["phone"], phone["total"]);
    let (_, step_free) = api(&mut browser, "need=social-groups&step_free=1").await;
    let (_, social) = api(&mut browser, "need=social-groups").await;
    assert!(step_free["total"].as_u64() < social["total"].as_u64(), "church halls with steps drop out");
}

#[actix_web::test]
async fn referral_route_and_taking_new_people_filter_the_results() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let field = |json: &Value, key: &str| -> Vec<String> {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_str().unwrap_or("null").to_string())
            .collect()
    };
    let (_, all) = api(&mut browser, "per_page=100").await;
    let routes = field(&all, "referral");
    assert!(routes.iter().any(|r| r == "professional") && routes.iter().any(|r| r != "professional"));

    let (_, professional) = api(&mut browser, "referral=professional&per_page=100").await;
    assert!(professional["total"].as_u64().unwrap() > 0);
    assert!(field(&professional, "referral").iter().all(|r| r == "professional"));
    let (_, yourself) = api(&mut browser, "referral=drop_in&referral=self&per_page=100").await;
    assert!(field(&yourself, "referral").iter().all(|r| r == "drop_in" || r == "self"));
    assert_eq!(
        professional["total"].as_u64().unwrap() + yourself["total"].as_u64().unwrap(),
        all["total"].as_u64().unwrap(),
        "every service is reached one way or another"
    );

    let capacities = field(&all, "capacity");
    assert!(capacities.iter().any(|c| c == "waiting_list" || c == "full"), "{capacities:?}");
    let (_, taking) = api(&mut browser, "taking_new=true&per_page=100").await;
    assert!(taking["total"].as_u64() < all["total"].as_u64());
    assert!(field(&taking, "capacity").iter().all(|c| c == "taking"));
}

#[actix_web::test]
async fn a_radius_wider_than_the_borough_keeps_every_service() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let postcode = encode(&central_postcode(&app));
    let (_, everywhere) = api(&mut browser, "need=social-groups").await;
    for km in [5, 30, 150, 200] {
        let (status, wide) =
            api(&mut browser, &format!("need=social-groups&postcode={postcode}&radius_km={km}")).await;
        assert_eq!(status, StatusCode::OK);
        if km >= 30 {
            assert_eq!(wide["total"], everywhere["total"], "{km} km");
        } else {
            assert!(wide["total"].as_u64() < everywhere["total"].as_u64(), "{km} km");
        }
    }
}

#[actix_web::test]
async fn a_refuge_is_found_but_never_placed() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let postcode = encode(&central_postcode(&app));
    let (_, json) = api(&mut browser, &format!("q=refuge&postcode={postcode}")).await;
    let refuge = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Women's Aid Refuge")
        .expect("found");
    assert!(refuge["distance_m"].is_null(), "its distance would give away where it is");
}

#[actix_web::test]
async fn bad_parameters_get_a_400_naming_the_field() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    for (query, field) in [
        ("radius_km=-1&lat=53&lon=-2", "radius_km"),
        ("radius_km=100000&lat=53&lon=-2", "radius_km"),
        ("lat=91&lon=0", "lat"),
        ("lat=53", "lon"),
        ("lat=abc&lon=1", "lat"),
        ("page=-1", "page"),
        ("page=0", "page"),
        ("per_page=100000", "per_page"),
        ("per_page=0", "per_page"),
        ("open=someday", "open"),
        ("age=-3", "age"),
        ("age=500", "age"),
        ("free=maybe", "free"),
        ("delivery=pigeon", "delivery"),
        ("referral=gp", "referral"),
        ("taking_new=perhaps", "taking_new"),
        ("need=unicorns", "need"),
        ("need=", "need"),
        ("referral=", "referral"),
        ("free=1", "free"),
        ("open=MON", "open"),
        ("page=1001", "page"),
    ] {
        let (status, json) = api(&mut browser, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {json}");
        assert_eq!(json["field"], field, "{query}: {json}");
        assert!(!json["error"].as_str().unwrap().is_empty());
    }
    // A postcode that cannot be found, however it is written, is not found.
    for (query, field) in [("postcode=not+a+postcode", "postcode"), ("postcode=ZZ9+9ZZ", "postcode")] {
        let (status, json) = api(&mut browser, query).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{query}: {json}");
        assert_eq!(json["field"], field, "{query}: {json}");
        assert!(!json["error"].as_str().unwrap().is_empty());
    }
    let (status, json) = api(&mut browser, &format!("q={}", "a".repeat(10_000))).await;
    assert_eq!((status, json["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")));
}

#[actix_web::test]
async fn nothing_anyone_types_causes_a_server_error() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let nasty = [
        "\"",
        "'",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "AND",
        "OR",
        "NOT",
        "a AND OR NOT b",
        "\"unclosed",
        "title:x",
        "*",
        "?",
        "~",
        "^2",
        "+-",
        "\\",
        "%",
        "%%",
        "\u{0}",
        "\u{7}\u{1b}[2J",
        "🏠🍲👵",
        "中文",
        "ﷺ",
        "'; DROP TABLE services; --",
        "1' OR '1'='1",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "NaN",
        "inf",
        "-0",
        "1e309",
        "  ",
        "lonely lonely lonely lonely lonely lonely lonely lonely lonely lonely lonely lonely lonely lonely",
    ];
    let long = "word ".repeat(199);
    let mut queries: Vec<String> = Vec::new();
    for text in nasty.iter().copied().chain([long.as_str()]) {
        let v = encode(text);
        for key in PARAMETERS {
            queries.push(format!("{key}={v}"));
        }
        queries.push(format!("q={v}&lat=53.0&lon=-1.99&radius_km=3&open=now&free=true&age=70"));
        queries.push(format!("q={v}&need=loneliness&need=food&postcode=QK7"));
    }
    queries.extend(
        [
            "lat=1e309&lon=0",
            "lat=NaN&lon=NaN",
            "radius_km=NaN&lat=53&lon=-2",
            "page=99999999999999999999",
            "%ZZ=1",
            "q=%FF%FE",
            "need=&need=",
            "=&=&",
        ]
        .map(String::from),
    );
    for query in &queries {
        let page = browser.get(&format!("/api/search?{query}")).await;
        assert!(!page.status.is_server_error(), "{query} gave {}", page.status);
        assert!(
            [StatusCode::OK, StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND].contains(&page.status),
            "{query} gave {}",
            page.status
        );
        let json: Value = serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("{query}: not JSON"));
        if page.status != StatusCode::OK {
            assert!(json["error"].is_string(), "{query}");
        }
    }
    assert!(queries.len() > 500, "{} queries", queries.len());
}

#[actix_web::test]
async fn the_api_is_described_by_an_openapi_document() {
    let app = TestApp::empty();
    let mut browser = app.browser().await;
    let page = browser.get("/api/openapi.json").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let parameters: Vec<&str> = doc["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in PARAMETERS {
        // lat and lon are documented together, as the one parameter `point`.
        let documented = if matches!(name, "lat" | "lon") { "point" } else { name };
        assert!(parameters.contains(&documented), "{name} is not documented");
    }
}

#[actix_web::test]
async fn open_now_follows_the_clock_in_london() {
    use chrono::{Datelike, TimeZone};
    use doorstep::domain::search::{Open, SearchRequest};
    let app = TestApp::with_demo();
    // The coming Tuesday (within the week the index holds sessions for).
    let today = chrono::Utc::now().date_naive();
    let ahead = (7 + 1 - today.weekday().num_days_from_monday() as i64) % 7;
    let tuesday = today + chrono::Duration::days(ahead);
    let at = |hour, minute| {
        chrono_tz::Europe::London
            .from_local_datetime(&tuesday.and_hms_opt(hour, minute, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let open_now = |needs: &[&str]| SearchRequest {
        needs: needs.iter().map(|n| n.to_string()).collect(),
        open: Some(Open::Now),
        per_page: 100,
        ..SearchRequest::default()
    };
    let lunchtime =
        app.state.search.search(&open_now(&["food"]), &app.state.taxonomy, "the area", at(12, 30)).unwrap();
    let names: Vec<&str> = lunchtime.results.iter().map(|h| h.name.as_str()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("Lunch Club")),
        "Tuesday lunch clubs are open at 12:30: {names:?}"
    );
    assert!(lunchtime.results.iter().all(|h| h.why.contains(&"Open now".to_string())));
    let night =
        app.state.search.search(&open_now(&["food"]), &app.state.taxonomy, "the area", at(3, 0)).unwrap();
    assert!(!night.results.iter().any(|h| h.name.ends_with("Lunch Club")), "not at 3am");
    let crisis = app
        .state
        .search
        .search(&open_now(&["crisis-support"]), &app.state.taxonomy, "the area", at(3, 0))
        .unwrap();
    let names: Vec<&str> = crisis.results.iter().map(|h| h.name.as_str()).collect();
    assert!(names.contains(&"Night Listening Line"), "the night line is open at 3am: {names:?}");
    assert!(!names.contains(&"Safe Haven Crisis Café"), "the café closes at 11pm");
}

/// A rebuild reads the directory a page at a time, each table by a range
/// of ids: every running service comes once, with all it has, as when it
/// is read by its id.
#[actix_web::test]
async fn the_directory_read_a_page_at_a_time_gives_every_running_service_whole_once() {
    use doorstep::store::search_feed::{searchable, searchable_page};
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = searchable_page(&mut conn, after, 37).unwrap();
        let Some(last) = page.last() else { break };
        assert!(page.len() <= 37);
        after = Some(last.id);
        paged.extend(page);
    }
    let whole = searchable_page(&mut conn, None, 100_000).unwrap();
    assert!(whole.len() > 300, "the demo's running services: {}", whole.len());
    assert_eq!(paged.len(), whole.len(), "each once");
    paged.sort_by_key(|s| s.id);
    let ids: Vec<_> = paged.iter().map(|s| s.id).collect();
    let by_id = searchable(&mut conn, &ids).unwrap();
    let summary = |s: &doorstep::domain::views::SearchableService| {
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        let counts = (s.delivery.len(), s.places.len(), s.schedules.len());
        (s.id, s.name.clone(), sorted(&s.needs), sorted(&s.keywords), sorted(&s.languages), counts)
    };
    let paged: Vec<_> = paged.iter().map(summary).collect();
    assert_eq!(paged, by_id.iter().map(summary).collect::<Vec<_>>());
    assert!(paged.iter().filter(|s| s.5.2 > 0).count() > 100, "most meet at set times");
    assert!(paged.iter().all(|s| !s.2.is_empty()), "every one meets a need");
}

#[actix_web::test]
async fn every_result_says_when_it_next_meets_even_weeks_ahead() {
    use doorstep::domain::schedule;
    use doorstep::domain::search::SearchRequest;
    let app = TestApp::with_demo();
    let services =
        doorstep::store::search_feed::searchable_page(&mut app.state.store.conn().unwrap(), None, 100_000)
            .unwrap();
    let now = chrono::Utc::now();
    let mut compared = 0;
    let mut beyond_a_week = 0;
    for page in 1..=10 {
        let query = SearchRequest { page, per_page: 100, ..SearchRequest::default() };
        for hit in app.state.search.search(&query, &app.state.taxonomy, "the area", now).unwrap().results {
            let service = services.iter().find(|s| s.id == hit.id).unwrap();
            let expected = schedule::next_session(&service.schedules, now);
            beyond_a_week +=
                usize::from(expected.as_ref().is_some_and(|s| s.starts > now + chrono::Duration::days(7)));
            assert_eq!(hit.next_session, expected.map(|s| s.describe()), "{}", hit.name);
            compared += 1;
        }
    }
    assert_eq!(compared, services.len());
    assert!(beyond_a_week > 0, "some services meet monthly or by the season");
}

#[actix_web::test]
async fn words_that_say_someone_is_in_danger_put_urgent_help_first() {
    let app = TestApp::with_demo_and(|config| config.urgent.listening = String::from("116 123 (free)"));
    let mut browser = app.browser().await;
    let (_, json) = api(&mut browser, "q=thinking+of+ending+it").await;
    assert_eq!(json["urgent"], true, "{json}");
    let (_, calm) = api(&mut browser, "q=lunch+club").await;
    assert_eq!(calm["urgent"], false);

    let page = browser.get("/search?q=I+want+to+kill+myself").await;
    assert_eq!(page.status, StatusCode::OK);
    let boxed = page.body.find("If you need help now").expect("the urgent-help box");
    assert!(boxed < page.body.find("<h1").unwrap(), "it comes before everything else");
    for said in ["tel:999", "116 123 (free)", "tel:116123", "111, option 2", "tel:111"] {
        assert!(page.body.contains(said), "{said}");
    }
    let lunch = browser.get("/search?q=lunch+club").await;
    assert!(!lunch.body.contains("If you need help now"));
    // A bad postcode is a problem to fix, but the box still comes first.
    let refused = browser.get("/search?q=self-harm&postcode=XX9+9XX").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.find("If you need help now").unwrap() < refused.body.find("There is a problem").unwrap()
    );

    // The advisor's workspace, from what the caller said.
    browser.sign_in("advisor@kingsmere.example.org", common::PASSWORD).await;
    let started =
        browser.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "phone")]).await;
    let contact = started.location().to_string();
    let said = browser.get(&format!("{contact}?words=my+partner+hits+me+and+I+am+scared")).await;
    let boxed = said.body.find("If you need help now").expect("the box in the workspace");
    assert!(boxed < said.body.find("Domestic abuse").expect("the services for it, after the box"), "first");
    let calm = browser.get(&format!("{contact}?words=lonely")).await;
    assert!(!calm.body.contains("If you need help now"));
}

#[actix_web::test]
async fn a_service_serving_the_whole_area_has_no_distance_and_says_so() {
    let app = TestApp::with_demo();
    let postcode = central_postcode(&app);
    let mut browser = app.browser().await;
    let (_, json) = api(&mut browser, &format!("q=debt&postcode={}&per_page=50", encode(&postcode))).await;
    let results = json["results"].as_array().unwrap();
    let wide = results.iter().find(|r| r["name"] == "Citizens Advice Debt Service").expect("found");
    assert!(wide["distance_m"].is_null(), "{wide}");
    assert_eq!(wide["reach"], "Serves all of Kingsmere");
    for r in results {
        // What the list says and why it matched say the same distance.
        let reach = r["reach"].as_str().unwrap();
        assert!(r["why"].as_array().unwrap().iter().any(|w| w == reach), "{r}");
        if let Some(m) = r["distance_m"].as_u64() {
            assert!(reach.ends_with(" away"), "{reach}");
            assert_ne!(reach, "0 m away");
            if m < 100 {
                assert_eq!(reach, "Under 100 m away");
            } else if m < 950 {
                assert_eq!(reach, format!("{} m away", (m + 50) / 100 * 100));
            }
        }
    }
    // The results page says it the same way.
    let page = browser.get(&format!("/search?q=debt&postcode={}", encode(&postcode))).await;
    assert!(page.body.contains("Serves all of Kingsmere"));
}

#[actix_web::test]
async fn counts_say_how_many_match_everything_and_those_come_first() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let (_, json) = api(&mut browser, "q=memory+cafe+for+my+husband+with+dementia&per_page=100").await;
    let (total, close) = (json["total"].as_u64().unwrap(), json["close"].as_u64().unwrap());
    assert!(0 < close && close < total, "{close} of {total}");
    let page = browser.get("/search?q=memory+cafe+for+my+husband+with+dementia").await;
    assert!(page.body.contains(&format!("{close} close match")), "{}", page.body);
    assert!(page.body.contains(&format!("{} more mention", total - close)));
    // Words that only join a sentence are not looked for.
    let why: Vec<String> =
        json["results"][0]["why"].as_array().unwrap().iter().map(|w| w.to_string()).collect();
    assert!(
        !why.iter().any(|w| w.contains("\u{201c}for\u{201d}") || w.contains("\u{201c}my\u{201d}")),
        "{why:?}"
    );
}

#[actix_web::test]
async fn times_and_ages_in_the_words_narrow_the_search_and_are_said() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let (_, json) =
        api(&mut browser, "q=somewhere+for+my+14+year+old+to+go+in+the+evenings&per_page=100").await;
    let understood: Vec<&str> =
        json["understood"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert_eq!(
        understood,
        ["\u{201c}14 year old\u{201d} as aged 14", "\u{201c}evenings\u{201d} as the evening"]
    );
    let found = names(&json);
    assert!(found.iter().any(|n| n.ends_with("Youth Club")), "youth clubs meet in the evening: {found:?}");
    assert!(!found.iter().any(|n| n.contains("Stay and Play")), "for toddlers, in the morning");
    let (_, tuesdays) = api(&mut browser, "q=lunch+club+on+tuesdays&per_page=100").await;
    for r in tuesdays["results"].as_array().unwrap() {
        let why = r["why"].as_array().unwrap();
        assert!(why.iter().any(|w| w == "Meets on Tuesdays" || w == "Meets on some Tuesdays"), "{r}");
        if r["name"].as_str().unwrap().ends_with("Lunch Club") {
            assert!(why.iter().any(|w| w == "Meets on Tuesdays"), "every week: {r}");
        }
    }
    // A group that meets on some Tuesdays of the month says so.
    let (_, dances) = api(&mut browser, "q=tea+dance&open=tue&per_page=100").await;
    let dance = &dances["results"][0];
    assert!(dance["name"].as_str().unwrap().ends_with("Tea Dance"), "{dance}");
    assert!(dance["why"].as_array().unwrap().iter().any(|w| w == "Meets on some Tuesdays"), "{dance}");
    // A day in a name is a word to find, not a time.
    let (_, named) = api(&mut browser, "q=Thursday+lunch").await;
    assert!(named["understood"].as_array().unwrap().is_empty());
    let page = browser.get("/search?q=swimming+this+weekend").await;
    assert!(page.body.contains("We read \u{201c}weekend\u{201d} as Saturday or Sunday."), "{}", page.body);
}

#[actix_web::test]
async fn a_day_asked_for_keeps_services_whose_times_are_not_listed_after_the_rest() {
    use diesel::prelude::*;
    let app = TestApp::with_demo();
    {
        // Walking football meets on Wednesdays; one of them stops saying when.
        let mut conn = app.state.store.conn().unwrap();
        let id = doorstep::store::service_lists::for_need(&mut conn, "physical-activity", 500)
            .unwrap()
            .into_iter()
            .find(|s| s.name.ends_with("Walking Football"))
            .unwrap()
            .id;
        use doorstep::store::schema::schedules;
        diesel::delete(schedules::table.filter(schedules::service_id.eq(id))).execute(&mut *conn).unwrap();
    }
    let today = chrono::Utc::now().date_naive();
    doorstep::jobs::index_sync::rebuild(&app.state.store, &app.state.search, &app.state.taxonomy, today)
        .unwrap();
    let mut browser = app.browser().await;
    let (_, saturday) = api(&mut browser, "need=physical-activity&open=sat&per_page=100").await;
    let results = saturday["results"].as_array().unwrap();
    let says = |r: &Value, what: &str| r["why"].as_array().unwrap().iter().any(|w| w == what);
    let untimed =
        results.iter().position(|r| r["name"].as_str().unwrap().ends_with("Walking Football")).expect("kept");
    assert!(says(&results[untimed], "Times not listed: check before going"));
    assert_eq!(
        results.iter().filter(|r| r["name"].as_str().unwrap().ends_with("Walking Football")).count(),
        1,
        "only the one not saying when"
    );
    assert!(
        results[..untimed].iter().all(|r| says(r, "Meets on Saturdays")),
        "after every one that meets then"
    );
    assert!(untimed > 0);
}

#[actix_web::test]
async fn free_asked_in_words_or_by_the_filter_keeps_services_not_stating_a_cost_after_the_free() {
    use diesel::prelude::*;
    let app = TestApp::with_demo();
    let unstated = {
        // Lunch clubs charge; one of them stops saying what.
        let mut conn = app.state.store.conn().unwrap();
        let club = doorstep::store::service_lists::for_need(&mut conn, "social-groups", 500)
            .unwrap()
            .into_iter()
            .find(|s| s.name.ends_with(" Lunch Club"))
            .unwrap();
        use doorstep::store::schema::services;
        diesel::update(services::table.filter(services::id.eq(club.id)))
            .set(services::cost.eq("unknown"))
            .execute(&mut *conn)
            .unwrap();
        club.name
    };
    let today = chrono::Utc::now().date_naive();
    doorstep::jobs::index_sync::rebuild(&app.state.store, &app.state.search, &app.state.taxonomy, today)
        .unwrap();
    let mut browser = app.browser().await;
    let says = |r: &Value, what: &str| r["why"].as_array().unwrap().iter().any(|w| w == what);
    for asked in ["q=free+lunch&per_page=100", "q=lunch&free=true&per_page=100"] {
        let (_, found) = api(&mut browser, asked).await;
        let results = found["results"].as_array().unwrap();
        let names: Vec<&str> = results.iter().map(|r| r["name"].as_str().unwrap()).collect();
        let at = names.iter().position(|n| *n == unstated).unwrap_or_else(|| panic!("{asked}: kept"));
        assert!(says(&results[at], "Cost not stated: ask before going"), "{asked}");
        assert_eq!(
            names.iter().filter(|n| n.ends_with(" Lunch Club")).count(),
            1,
            "{asked}: no club that charges"
        );
        assert!(
            results[..at].iter().all(|r| !says(r, "Cost not stated: ask before going")),
            "{asked}: after the free ones"
        );
        assert!(at > 0, "{asked}: free lunches come first");
    }
    let (_, words) = api(&mut browser, "q=free+lunch").await;
    assert_eq!(words["understood"], serde_json::json!(["\u{201c}free\u{201d} as costing nothing"]));
    let page = browser.get("/search?q=free+lunch").await;
    assert!(page.body.contains("We read \u{201c}free\u{201d} as costing nothing."), "{}", page.body);
}

#[actix_web::test]
async fn of_services_serving_everywhere_one_whose_words_name_the_area_comes_first() {
    let app = TestApp::with_demo();
    // The same words, but only one says it works in Kingsmere: the other may
    // be a line for somewhere else.
    add_phone_services(
        &app,
        &[
            ("Quokka Line North", "Quokka calls for people anywhere.", "loneliness"),
            ("Quokka Line South", "Quokka calls for people anywhere in Kingsmere.", "loneliness"),
        ],
    );
    let mut browser = app.browser().await;
    let near = format!("q=quokka&postcode={}", encode(&central_postcode(&app)));
    let (_, json) = api(&mut browser, &near).await;
    assert_eq!(names(&json), ["Quokka Line South", "Quokka Line North"]);
    for r in json["results"].as_array().unwrap() {
        assert_eq!(r["reach"], "By phone, wherever you are", "both still reach the caller: {r}");
    }
}

#[actix_web::test]
async fn what_is_felt_is_asked_before_its_cause_and_a_parent_spoken_of_is_older() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    // Bereavement cafés match both "lonely" and "mum died" but are miles
    // away; the befriending that visits older people at home comes first.
    let (_, widower) = api(&mut browser, "q=my+dad%27s+lonely+since+mum+died&postcode=QK5+0DB").await;
    let found = names(&widower);
    assert_eq!(found[0], "Age Well Home Befriending", "{found:?}");
    // The cause counts a quarter, its need too: the telephone friends, who
    // ring older people, come before any bereavement café.
    let at = |name: &str| {
        found.iter().position(|n| n.contains(name)).unwrap_or_else(|| panic!("{name} is found: {found:?}"))
    };
    assert!(at("Age Well Telephone Friends") < at("Bereavement Café"), "{found:?}");
    // A lunch club for people aged 60 and over, a kilometre away, is for
    // older people as surely as if its words said so.
    assert!(at("Elmstead Lunch Club") < 5, "{found:?}");
    assert!(widower["understood"].as_array().unwrap().is_empty(), "a guess at an age, not a filter");
    // An age given beside the words counts as if they said it.
    let (_, form) = api(&mut browser, "q=somewhere+to+go+in+the+evenings&age=14").await;
    let (_, words) = api(&mut browser, "q=somewhere+for+my+14+year+old+to+go+in+the+evenings").await;
    assert_eq!(names(&form), names(&words));
}

#[actix_web::test]
async fn a_listing_that_says_something_close_to_the_word_asked_comes_before_one_that_only_has_its_need() {
    let app = TestApp::with_demo();
    // Both are for physical activity and equally far; only the second has
    // what someone asking for a gym wants, in other words.
    add_phone_services(
        &app,
        &[
            ("Quokka Karate", "Karate for all ages, across Kingsmere.", "physical-activity"),
            ("Quokka Leisure", "A fitness suite and a pool, across Kingsmere.", "physical-activity"),
        ],
    );
    let mut browser = app.browser().await;
    let (_, json) =
        api(&mut browser, &format!("q=gym&postcode={}&per_page=100", encode(&central_postcode(&app)))).await;
    let found = names(&json);
    let at = |name: &str| {
        found.iter().position(|n| n == name).unwrap_or_else(|| panic!("{name} is found: {found:?}"))
    };
    assert!(at("Quokka Leisure") < at("Quokka Karate"), "{found:?}");
    let leisure = &json["results"][at("Quokka Leisure")];
    let why = leisure["why"].as_array().unwrap();
    assert!(
        why.iter().any(|w| w == "Says \u{201c}fitness suite\u{201d}, close to \u{201c}gym\u{201d}"),
        "{leisure}"
    );
    // Saying the very words asked, however spelled, is said once, as a mention.
    let (_, json) = api(&mut browser, "q=fitness+suites").await;
    let leisure = json["results"].as_array().unwrap().iter().find(|r| r["name"] == "Quokka Leisure").unwrap();
    assert!(
        !leisure["why"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().starts_with("Says \u{201c}")),
        "{leisure}"
    );
}

#[actix_web::test]
async fn a_generic_word_is_not_found_in_need_labels() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    // "group" is not found in "Social groups and clubs", a label of the day
    // centres' needs: the memory café that says "dementia" comes before the
    // nearer day centre that does not.
    let (_, json) = api(&mut browser, "q=dementia+group&postcode=QK1+0DX&per_page=50").await;
    let found = names(&json);
    let at = |name: &str| {
        found.iter().position(|n| n == name).unwrap_or_else(|| panic!("{name} is found: {found:?}"))
    };
    assert!(at("Greyholme Memory Café") < at("Greyholme Day Opportunities"), "{found:?}");
}

/// Adds phone services serving the whole area, each with its name,
/// description and one need, and brings the search index up to date.
fn add_phone_services(app: &TestApp, services: &[(&str, &str, &str)]) {
    let by = app.add_user("ada@example.org", doorstep::domain::accounts::Role::Administrator, None);
    let organisation = app.add_organisation("Quokka Trust");
    {
        let mut conn = app.state.store.conn().unwrap();
        for (name, description, need) in services {
            let input = doorstep::domain::service_form::ServiceInput {
                description: description.to_string(),
                ..common::phone_service(organisation, name, &[need])
            };
            doorstep::store::services::create(&mut conn, &input, by, None, chrono::Utc::now().naive_utc())
                .unwrap();
        }
    }
    let today = chrono::Utc::now().date_naive();
    doorstep::jobs::index_sync::sync(&app.state.store, &app.state.search, &app.state.taxonomy, today)
        .unwrap();
}
