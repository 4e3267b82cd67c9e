//! The Open Referral UK 3.0 API under `/openreferral/`: every endpoint's
//! answers checked against the ORUK 3.0 schemas in ../shared/standards (on the
//! demo, and on a service with every field set), the validator's own pass and
//! fail fixtures through the same check, every filter against the listings
//! it should find, bad values, revalidation with ETag and Last-Modified, and
//! the refuge that never appears.

use std::collections::BTreeSet;

use crate::common::hsds::{assert_valid, fixture, problems, profile_schema, response_schema};
use crate::common::{self, TestApp};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use chrono::{NaiveDate, NaiveTime, Utc, Weekday};
use diesel::prelude::*;
use doorstep::domain::directory::{
    Capacity, CostKind, DeliveryMode, OrganisationKind, ServiceArea, VenueAccess,
};
use doorstep::domain::ids::{ContactId, LocationId, NeedId, OrganisationId, ServiceId};
use doorstep::domain::listing::{Contact, Extras, Location, Organisation, Phone, Service as Listing};
use doorstep::domain::openreferral::{Fact, ServiceRecord, needs_taxonomy_id};
use doorstep::domain::schedule::{DayRule, Frequency, Schedule};
use doorstep::geo::cells::distance_m;
use serde_json::Value;

async fn get<S, B>(browser: &mut common::Browser<S>, path: &str) -> (StatusCode, Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let page = browser.get(path).await;
    let json = serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("{path}: not JSON: {}", page.body));
    (page.status, json)
}

/// Every item of a list endpoint, page by page.
async fn all_of<S, B>(browser: &mut common::Browser<S>, path: &str) -> Vec<Value>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let join = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    for number in 1.. {
        let (status, page) = get(browser, &format!("{path}{join}per_page=200&page={number}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        items.extend(page["contents"].as_array().unwrap().iter().cloned());
        if page["last_page"] == true {
            assert_eq!(
                page["total_items"].as_u64().unwrap() as usize,
                items.len(),
                "{path}: the total is the count"
            );
            break;
        }
    }
    items
}

/// Fails, naming only the ids in one set and not the other.
fn assert_same(found: &BTreeSet<String>, wanted: &BTreeSet<String>, what: &str) {
    let extra: Vec<_> = found.difference(wanted).collect();
    let missing: Vec<_> = wanted.difference(found).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{what}: found but not wanted {extra:?}; wanted but not found {missing:?}"
    );
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn every_endpoint_passes_the_oruk_schemas_on_the_demo() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;

    for root in ["/openreferral", "/openreferral/"] {
        let (status, details) = get(&mut browser, root).await;
        assert_eq!(status, StatusCode::OK);
        assert_valid(root, &response_schema("/"), &details);
        assert_eq!(details["version"], "HSDS-UK-3.0", "the validator reads the profile from the version");
    }

    // Lists: the first, a middle and the last page, as the validator asks.
    for (path, schema) in [("/services", "/services"), ("/service_at_locations", "/service_at_locations")] {
        let (_, first) = get(&mut browser, &format!("/openreferral{path}?per_page=20")).await;
        let pages = first["total_pages"].as_u64().unwrap();
        assert!(pages > 2, "{path}: the demo fills several pages");
        for number in [1, pages / 2, pages] {
            let url = format!("/openreferral{path}?per_page=20&page={number}");
            let (status, page) = get(&mut browser, &url).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(page["page_number"], number);
            assert_eq!(page["last_page"], number == pages);
            assert_valid(&url, &response_schema(schema), &page);
        }
    }

    // A page of services in full (HSDS's `full`): each as `/services/{id}` gives it.
    let (_, full) = get(&mut browser, "/openreferral/services?full=true&per_page=20&page=3").await;
    assert_valid("a full page", &response_schema("/services"), &full);
    for service in full["contents"].as_array().unwrap() {
        assert_valid("a full service in a page", &response_schema("/services/{id}"), service);
        let (_, one) =
            get(&mut browser, &format!("/openreferral/services/{}", service["id"].as_str().unwrap())).await;
        assert_eq!(&one, service, "a page's full service is the service");
    }

    // Each service in full: every twentieth, which covers every kind of listing the demo has.
    let services = all_of(&mut browser, "/openreferral/services").await;
    assert_eq!(services.len(), 420, "every service of the demo is published");
    for id in ids(&services).iter().step_by(20) {
        let path = format!("/openreferral/services/{id}");
        let (status, service) = get(&mut browser, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_valid(&path, &response_schema("/services/{id}"), &service);
    }

    // A service at a venue: against the schema the published document names
    // (a service's) and the one it means (a service at a location's).
    let places = all_of(&mut browser, "/openreferral/service_at_locations").await;
    for id in ids(&places).iter().step_by(25) {
        let path = format!("/openreferral/service_at_locations/{id}");
        let (status, place) = get(&mut browser, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_valid(&path, &response_schema("/service_at_locations/{id}"), &place);
        assert_valid(&path, &profile_schema("compiled/service_at_location.json"), &place);
    }

    let (_, taxonomies) = get(&mut browser, "/openreferral/taxonomies").await;
    assert_valid("/taxonomies", &response_schema("/taxonomies"), &taxonomies);
    for id in ids(taxonomies["contents"].as_array().unwrap()) {
        let (status, taxonomy) = get(&mut browser, &format!("/openreferral/taxonomies/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_valid(&id, &response_schema("/taxonomies/{id}"), &taxonomy);
    }
    let (_, terms) = get(&mut browser, "/openreferral/taxonomy_terms?per_page=200").await;
    assert_valid("/taxonomy_terms", &response_schema("/taxonomy_terms"), &terms);
    let terms = terms["contents"].as_array().unwrap().clone();
    assert_eq!(
        terms.len(),
        app.state.taxonomy.len() + Fact::all().len(),
        "every need, group and fact is a term"
    );
    for id in ids(&terms).iter().step_by(7) {
        let (status, term) = get(&mut browser, &format!("/openreferral/taxonomy_terms/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_valid(id, &response_schema("/taxonomy_terms/{id}"), &term);
    }

    // HSDS 3.0's organisations, which ORUK's document leaves out: against the profile's schemas.
    let organisations = all_of(&mut browser, "/openreferral/organizations").await;
    assert!(organisations.len() > 50, "the demo's organisations are published");
    for organisation in &organisations {
        assert_valid(
            "an organisation in the list",
            &profile_schema("compiled/organization_list.json"),
            organisation,
        );
    }
    for id in ids(&organisations).iter().step_by(10) {
        let path = format!("/openreferral/organizations/{id}");
        let (status, organisation) = get(&mut browser, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_valid(&path, &profile_schema("compiled/organization.json"), &organisation);
        assert!(organisation["services"].as_array().is_some_and(|s| !s.is_empty()), "{path}: its services");
    }
}

#[actix_web::test]
async fn a_service_with_every_field_set_passes_and_publishes_every_field() {
    let app = TestApp::with_demo();
    let (organisation, service) = add_everything(&app);
    let mut browser = app.browser().await;

    let (status, full) = get(&mut browser, &format!("/openreferral/services/{service}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_valid("the full service", &response_schema("/services/{id}"), &full);
    for field in [
        "organization_id",
        "description",
        "url",
        "email",
        "fees",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "last_modified",
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "organization",
        "cost_options",
        "contacts",
        "attributes",
    ] {
        assert!(full.get(field).is_some(), "the service publishes {field}: {full:#}");
    }
    assert_eq!(
        full["schedules"].as_array().unwrap().len(),
        5,
        "every pattern of the schedule model, and times in words"
    );
    let numbers: Vec<&str> =
        full["phones"].as_array().unwrap().iter().map(|p| p["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["0161 555 0102", "0161 555 0199"]);
    let monthly = full["schedules"].as_array().unwrap().iter().find(|s| s["freq"] == "MONTHLY").unwrap();
    assert_eq!(monthly["byday"], "1TU,3TU");
    assert_eq!(
        full["service_areas"][0]["name"],
        app.state.demo.clone().unwrap(),
        "the whole borough, by name"
    );
    let venue = &full["service_at_locations"][0]["location"];
    assert_eq!(venue["addresses"][0]["postal_code"], "M33 7XX");
    assert_eq!(venue["addresses"][0]["country"], "GB");
    assert_eq!(venue["accessibility"].as_array().unwrap().len(), 4, "each venue fact that is known");
    assert_eq!(venue["description"], Fact::EntryPoint.label());
    let terms: BTreeSet<&str> = full["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["taxonomy_term"]["code"].as_str())
        .collect();
    assert_eq!(
        terms,
        BTreeSet::from(["loneliness", "delivery:home_visit", "delivery:in_person", "capacity:waiting_list"])
    );
    let keywords: Vec<&str> = full["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["taxonomy_term"].get("taxonomy_id").is_none())
        .map(|a| a["taxonomy_term"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(keywords, ["Befriending"], "a word from another taxonomy is kept");
    assert_eq!(full["contacts"][0]["phones"][0]["number"], "0161 555 0101");

    let (_, org) = get(&mut browser, &format!("/openreferral/organizations/{organisation}")).await;
    assert_valid("the full organisation", &profile_schema("compiled/organization.json"), &org);
    let identifiers: Vec<(&str, &str)> = org["organization_identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["identifier_scheme"].as_str().unwrap(), i["identifier"].as_str().unwrap()))
        .collect();
    assert_eq!(identifiers, [("GB-CHC", "1234567"), ("GB-COH", "07654321")]);

    let place = full["service_at_locations"][0]["id"].as_str().unwrap().to_string();
    let (_, at) = get(&mut browser, &format!("/openreferral/service_at_locations/{place}")).await;
    assert_valid("the full service at its venue", &profile_schema("compiled/service_at_location.json"), &at);
    assert_eq!(at["service"]["id"], service.to_string());
}

#[test]
fn the_check_passes_what_the_validator_passes_and_fails_what_it_fails() {
    for (file, schema) in [
        ("service_full.json", response_schema("/services/{id}")),
        ("service_list.json", response_schema("/services")),
        ("service_at_location_list.json", response_schema("/service_at_locations")),
        ("taxonomy.json", response_schema("/taxonomies/{id}")),
        ("taxonomy_list.json", response_schema("/taxonomies")),
        ("taxonomy_term.json", response_schema("/taxonomy_terms/{id}")),
        ("taxonomy_term_list.json", response_schema("/taxonomy_terms")),
    ] {
        let passing = fixture("V3.0-UK-Default", file);
        let schema_problems: Vec<String> = problems(&schema, &passing)
            .into_iter()
            .filter(|p| !p.ends_with("null") && !p.contains("empty"))
            .collect();
        assert!(schema_problems.is_empty(), "the validator's passing {file}: {schema_problems:?}");
    }
    for (file, schema) in [
        ("service_full.json", response_schema("/services/{id}")),
        ("service_list.json", response_schema("/services")),
        ("api_details.json", response_schema("/")),
    ] {
        assert!(
            !problems(&schema, &fixture("V3.0-UK-Fail", file)).is_empty(),
            "the validator's failing {file}"
        );
    }
    // And what ORUK asks to be left out: a null, or a required field gone.
    let mut service = fixture("V3.0-UK-Default", "service_full.json");
    let schema = response_schema("/services/{id}");
    service["alert"] = Value::Null;
    assert!(problems(&schema, &service).iter().any(|p| p.starts_with("/alert")), "a null is caught");
    service.as_object_mut().unwrap().remove("alert");
    service.as_object_mut().unwrap().remove("status");
    assert!(!problems(&schema, &service).is_empty(), "a missing status is caught");
}

/// Whether a listing is one a filter describes.
type Matches<'a> = Box<dyn Fn(&ServiceRecord) -> bool + 'a>;

#[actix_web::test]
async fn every_filter_finds_exactly_the_listings_it_describes_and_they_combine() {
    let app = TestApp::with_demo();
    let records = all_records(&app);
    let mut browser = app.browser().await;
    let dementia = NeedId::from_slug("memory-and-dementia");
    let memory_group = app.state.taxonomy.by_slug("memory-and-dementia").and_then(|n| n.parent).unwrap();
    let some_org = records[7].organisation.id;
    let has_need = |r: &ServiceRecord, need: NeedId| {
        r.details.needs.iter().any(|slug| {
            app.state.taxonomy.by_slug(slug).is_some_and(|n| n.id == need || n.parent == Some(need))
        })
    };
    let says = |r: &ServiceRecord, word: &str| {
        r.details.name.to_lowercase().contains(word) || r.details.description.to_lowercase().contains(word)
    };
    let meets = |r: &ServiceRecord, day: Weekday, from: Option<NaiveTime>| {
        r.schedules.iter().any(|s| {
            s.schedule.byday.iter().any(|d| d.weekday == day)
                && from.is_none_or(|from| s.schedule.opens_at.is_some_and(|o| o >= from))
        })
    };
    let ten = NaiveTime::from_hms_opt(10, 0, 0);
    let cases: Vec<(String, Matches)> = vec![
        ("search=club".into(), Box::new(|r| says(r, "club"))),
        ("search=Lunch%20CLUB".into(), Box::new(|r| says(r, "lunch") && says(r, "club"))),
        (format!("taxonomy_term_id={dementia}"), Box::new(move |r| has_need(r, dementia))),
        (format!("taxonomy_term_id={memory_group}"), Box::new(move |r| has_need(r, memory_group))),
        (format!("taxonomy_id={}", needs_taxonomy_id()), Box::new(|r| !r.details.needs.is_empty())),
        (format!("organization_id={some_org}"), Box::new(move |r| r.organisation.id == some_org)),
        ("minimum_age=60".into(), Box::new(|r| r.details.min_age.is_some_and(|a| a >= 60))),
        ("maximum_age=18".into(), Box::new(|r| r.details.max_age.is_some_and(|a| a <= 18))),
        ("day=TU".into(), Box::new(move |r| meets(r, Weekday::Tue, None))),
        ("day=Tuesday&start_time=10:00".into(), Box::new(move |r| meets(r, Weekday::Tue, ten))),
        (
            format!("taxonomy_term_id={}", Fact::Delivery(DeliveryMode::Phone).id()),
            Box::new(|r| r.details.delivery.contains(&DeliveryMode::Phone)),
        ),
        (format!("search=group&taxonomy_term_id={memory_group}&day=WE"), {
            Box::new(move |r| says(r, "group") && has_need(r, memory_group) && meets(r, Weekday::Wed, None))
        }),
        ("modified_after=2000-01-01".into(), Box::new(|_| true)),
        ("modified_after=2999-01-01T00:00:00Z".into(), Box::new(|_| false)),
        ("taxonomy_id=11111111-1111-1111-1111-111111111111".into(), Box::new(|_| false)),
    ];
    for (query, expected) in cases {
        let found: BTreeSet<String> =
            ids(&all_of(&mut browser, &format!("/openreferral/services?{query}")).await)
                .into_iter()
                .collect();
        let wanted: BTreeSet<String> =
            records.iter().filter(|r| expected(r)).map(|r| r.id.to_string()).collect();
        assert_same(&found, &wanted, &query);
        let finds_nothing = query.contains("2999") || query.contains("1111");
        assert_eq!(wanted.is_empty(), finds_nothing, "{query}: the demo has listings for every other filter");
    }
}

#[actix_web::test]
async fn near_a_postcode_lists_the_services_at_venues_within_the_distance_nearest_first() {
    let app = TestApp::with_demo();
    let records = all_records(&app);
    let postcode = common::central_postcode(&app);
    let (lat, lon): (f64, f64) = {
        use doorstep::store::schema::postcodes;
        let mut conn = app.state.store.conn().unwrap();
        postcodes::table
            .find(&postcode)
            .select((postcodes::latitude, postcodes::longitude))
            .first(&mut *conn)
            .unwrap()
    };
    let mut browser = app.browser().await;
    let query = format!("postcode={}&proximity=1200", postcode.replace(' ', "+"));
    let found = all_of(&mut browser, &format!("/openreferral/service_at_locations?{query}")).await;
    let distances: Vec<f64> = found
        .iter()
        .map(|p| {
            distance_m(
                (lat, lon),
                (p["location"]["latitude"].as_f64().unwrap(), p["location"]["longitude"].as_f64().unwrap()),
            )
        })
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1] + 1e-6), "nearest first: {distances:?}");
    let wanted: BTreeSet<String> = records
        .iter()
        .flat_map(|r| &r.places)
        .filter(|p| distance_m((lat, lon), (p.location.latitude, p.location.longitude)) <= 1200.0)
        .map(|p| p.service_at_location.to_string())
        .collect();
    assert!(wanted.len() > 5, "the centre of the demo has venues close by");
    assert_same(&ids(&found).into_iter().collect(), &wanted, "services at venues nearby");

    // On /services too, with other filters.
    let services = all_of(&mut browser, &format!("/openreferral/services?{query}&minimum_age=18")).await;
    let wanted: BTreeSet<String> = records
        .iter()
        .filter(|r| r.details.min_age.is_some_and(|a| a >= 18))
        .filter(|r| {
            r.places
                .iter()
                .any(|p| distance_m((lat, lon), (p.location.latitude, p.location.longitude)) <= 1200.0)
        })
        .map(|r| r.id.to_string())
        .collect();
    assert_same(&ids(&services).into_iter().collect(), &wanted, "services nearby for adults");

    // A postcode alone: the services whose area covers it. In the borough,
    // that is every service but those offered within a distance that does not reach.
    let covering =
        all_of(&mut browser, &format!("/openreferral/services?postcode={}", postcode.replace(' ', "+")))
            .await;
    let wanted: BTreeSet<String> = records
        .iter()
        .filter(|r| match r.details.area {
            ServiceArea::Radius => r.places.iter().any(|p| {
                distance_m((lat, lon), (p.location.latitude, p.location.longitude))
                    <= r.details.area_radius_km.unwrap_or(0.0) * 1000.0
            }),
            _ => true,
        })
        .map(|r| r.id.to_string())
        .collect();
    assert_same(&ids(&covering).into_iter().collect(), &wanted, "services covering the postcode");
}

#[actix_web::test]
async fn a_value_that_cannot_be_used_is_a_400_in_json_naming_it() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    for (query, field) in [
        ("/openreferral/services?page=0", "page"),
        ("/openreferral/services?per_page=100000", "per_page"),
        ("/openreferral/services?taxonomy_term_id=food", "taxonomy_term_id"),
        ("/openreferral/services?modified_after=last+week", "modified_after"),
        ("/openreferral/services?minimum_age=old", "minimum_age"),
        ("/openreferral/services?day=someday", "day"),
        ("/openreferral/services?end_time=25:00", "end_time"),
        ("/openreferral/service_at_locations?proximity=1000", "proximity"),
        ("/openreferral/service_at_locations?postcode=ZZ99+9ZZ&proximity=1000", "postcode"),
        ("/openreferral/service_at_locations?postcode=%F0%9F%8F%A0", "postcode"),
        ("/openreferral/taxonomy_terms?parent_id=dementia", "parent_id"),
        ("/openreferral/organizations?page=-1", "page"),
    ] {
        let page = browser.get(query).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}: {}", page.body);
        let json: Value =
            serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("{query}: {}", page.body));
        assert_eq!(json["field"], field, "{query}: {json}");
        assert_eq!(page.headers.get("access-control-allow-origin").unwrap(), "*", "{query}");
    }
    for missing in [
        format!("/openreferral/services/{}", ServiceId::new()),
        String::from("/openreferral/services/not-an-id"),
        format!("/openreferral/organizations/{}", OrganisationId::new()),
        format!("/openreferral/taxonomy_terms/{}", NeedId::new()),
        String::from("/openreferral/taxonomies/needs"),
        String::from("/openreferral/locations"),
    ] {
        let page = browser.get(&missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(serde_json::from_str::<Value>(&page.body).is_ok(), "{missing}: a 404 in JSON: {}", page.body);
    }
    let (status, empty) = get(&mut browser, "/openreferral/services?page=999").await;
    assert_eq!(status, StatusCode::OK, "a page past the end is empty, not an error");
    assert_eq!((empty["empty"].clone(), empty["size"].clone()), (Value::Bool(true), Value::from(0)));
}

#[actix_web::test]
async fn an_answer_is_revalidated_by_its_tag_or_date_and_changes_when_the_listing_does() {
    let app = TestApp::with_demo();
    let records = all_records(&app);
    let service = records[3].id;
    let path = format!("/openreferral/services/{service}");
    let mut browser = app.browser().await;
    let first = browser.get(&path).await;
    assert_eq!(first.headers.get("access-control-allow-origin").unwrap(), "*");
    let tag = first.headers.get("etag").unwrap().to_str().unwrap().to_string();
    let modified = first.headers.get("last-modified").unwrap().to_str().unwrap().to_string();

    browser.headers = vec![("If-None-Match".into(), tag.clone())];
    let again = browser.get(&path).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    browser.headers = vec![("If-Modified-Since".into(), modified.clone())];
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_MODIFIED);
    browser.headers = vec![("If-Modified-Since".into(), "Mon, 01 Jan 2001 00:00:00 GMT".into())];
    assert_eq!(browser.get(&path).await.status, StatusCode::OK);

    // A connector's edit changes the answer and its tag.
    {
        let mut conn = app.state.store.conn().unwrap();
        let mut input = doorstep::store::services::input(&mut conn, service).unwrap();
        input.description.push_str(" Now on Saturdays too.");
        let admin =
            doorstep::store::users::find_by_email(&mut conn, "admin@kingsmere.example.org").unwrap().unwrap();
        let later = Utc::now().naive_utc() + chrono::Duration::seconds(2);
        doorstep::store::services::update(&mut conn, service, &input, admin.0.id, None, later).unwrap();
    }
    browser.headers = vec![("If-None-Match".into(), tag.clone())];
    let changed = browser.get(&path).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.headers.get("etag").unwrap().to_str().unwrap(), tag);
    assert!(changed.body.contains("Now on Saturdays too."));
}

#[actix_web::test]
async fn the_refuge_is_never_placed_or_listed_at_its_venue() {
    let app = TestApp::with_demo();
    let records = {
        let mut conn = app.state.store.conn().unwrap();
        let all: Vec<ServiceId> = {
            use doorstep::store::schema::services;
            services::table.select(services::id).load(&mut *conn).unwrap()
        };
        doorstep::store::openreferral::records(&mut conn, &all).unwrap()
    };
    let (refuge, venue) = {
        use doorstep::store::schema::{locations, service_at_locations};
        let mut conn = app.state.store.conn().unwrap();
        service_at_locations::table
            .inner_join(locations::table)
            .filter(locations::confidential.eq(true))
            .select((service_at_locations::service_id, locations::id))
            .first::<(ServiceId, LocationId)>(&mut *conn)
            .expect("the demo has a refuge")
    };
    assert!(
        records.iter().all(|r| r.places.iter().all(|p| p.location.id != venue)),
        "the store never reads it"
    );
    let (postcode, address, latitude) = {
        use doorstep::store::schema::locations;
        let mut conn = app.state.store.conn().unwrap();
        locations::table
            .find(venue)
            .select((locations::postcode, locations::address_1, locations::latitude))
            .first::<(String, String, f64)>(&mut *conn)
            .unwrap()
    };
    let mut browser = app.browser().await;
    let (_, service) = get(&mut browser, &format!("/openreferral/services/{refuge}")).await;
    assert!(service.get("service_at_locations").is_none(), "its venue is not published: {service:#}");
    let near = format!("postcode={}&proximity=500", postcode.replace(' ', "+"));
    let mut everything = String::new();
    for path in [
        format!("/openreferral/services/{refuge}"),
        format!("/openreferral/service_at_locations?{near}&per_page=200"),
        format!("/openreferral/services?{near}&per_page=200"),
        String::from("/openreferral/service_at_locations?per_page=200&search=refuge"),
        format!("/openreferral/organizations/{}", service["organization_id"].as_str().unwrap()),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        if path.contains("proximity") || path.contains("service_at_locations") {
            assert!(!page.body.contains(&refuge.to_string()), "{path} finds the refuge by its venue");
        }
        everything.push_str(&page.body);
    }
    for secret in [postcode.as_str(), address.as_str(), &latitude.to_string(), &venue.to_string()] {
        assert!(!everything.contains(secret), "the refuge's {secret} is published");
    }
}

/// Every service of the app, as the store reads it for publishing.
fn all_records(app: &TestApp) -> Vec<ServiceRecord> {
    use doorstep::store::schema::services;
    let mut conn = app.state.store.conn().unwrap();
    let all: Vec<ServiceId> =
        services::table.select(services::id).order(services::id).load(&mut *conn).unwrap();
    doorstep::store::openreferral::records(&mut conn, &all).unwrap()
}

/// A service with every field set, at a venue with every fact known, run by
/// an organisation with every field set. Returns their ids.
fn add_everything(app: &TestApp) -> (OrganisationId, ServiceId) {
    let now = Utc::now().naive_utc();
    let mut conn = app.state.store.conn().unwrap();
    let organisation = Organisation {
        id: OrganisationId::new(),
        name: "Sale Friends Together".into(),
        description: "Friendship and company for older people in Sale.".into(),
        kind: OrganisationKind::Charity,
        charity_number: Some("1234567".into()),
        company_number: Some("07654321".into()),
        website: Some("https://salefriends.example.org".into()),
        email: Some("hello@salefriends.example.org".into()),
        phone: Some("0161 555 0100".into()),
    };
    doorstep::store::organisations::insert(&mut conn, &organisation, now).unwrap();
    let venue = Location {
        id: LocationId::new(),
        organisation: Some(organisation.id),
        name: "Sale Waterside Hub".into(),
        address_1: "1 Waterside Plaza".into(),
        address_2: Some("Second floor".into()),
        town: "Sale".into(),
        postcode: "M33 7XX".into(),
        latitude: 53.4245,
        longitude: -2.3200,
        small_area: None,
        confidential: false,
        entry_point: true,
        postal: false,
        access: VenueAccess {
            step_free: Some(true),
            accessible_toilet: Some(true),
            hearing_loop: Some(false),
            parking: Some(true),
            public_transport: Some("Sale Metrolink, 5 minutes' walk".into()),
        },
    };
    doorstep::store::locations::insert(&mut conn, &venue, now).unwrap();
    let hours = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0);
    let mut weekly =
        Schedule::weekly(&[Weekday::Mon, Weekday::Thu], hours(10, 0).unwrap(), hours(12, 0).unwrap());
    weekly.closed_on = vec![NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()];
    weekly.valid_from = NaiveDate::from_ymd_opt(2026, 1, 5);
    let monthly = Schedule {
        freq: Some(Frequency::Monthly),
        interval: 1,
        byday: vec![
            DayRule { ordinal: Some(1), weekday: Weekday::Tue },
            DayRule { ordinal: Some(3), weekday: Weekday::Tue },
        ],
        opens_at: hours(14, 0),
        closes_at: hours(16, 30),
        ..Schedule::default()
    };
    let once = Schedule {
        freq: Some(Frequency::Once),
        dtstart: NaiveDate::from_ymd_opt(2026, 12, 25),
        opens_at: hours(12, 0),
        closes_at: hours(15, 0),
        ..Schedule::default()
    };
    let appointment = Schedule { by_appointment: true, ..Schedule::default() };
    let mut details = common::phone_service(organisation.id, "Sale Friends Home Visits", &["loneliness"]);
    details.description = "A volunteer visits you at home each week, or meets you at the hub.".into();
    details.eligibility = Some("Older people living in Sale.".into());
    details.min_age = Some(60);
    details.max_age = Some(110);
    details.cost = CostKind::Donation;
    details.cost_description = Some("Free; donations welcome".into());
    details.delivery = vec![DeliveryMode::InPerson, DeliveryMode::HomeVisit];
    details.languages = vec!["English".into(), "Urdu".into()];
    details.area = ServiceArea::Borough;
    details.capacity = Some(Capacity::WaitingList);
    details.email = Some("visits@salefriends.example.org".into());
    details.phone = Some("0161 555 0102".into());
    details.website = Some("https://salefriends.example.org/visits".into());
    let service = Listing {
        id: ServiceId::new(),
        details,
        locations: vec![venue.id],
        schedules: vec![weekly, monthly, once, appointment],
        contacts: vec![Contact {
            id: ContactId::new(),
            name: "Priya Shah".into(),
            title: Some("Volunteer coordinator".into()),
            phone: Some("0161 555 0101".into()),
            email: Some("priya@salefriends.example.org".into()),
            shown: true,
        }],
        capacity_said_on: Some(now.date()),
        last_verified_at: Some(now),
        last_verified_by: None,
        extras: Extras {
            hours_text: Some("Some Saturdays in summer; ring first".into()),
            regions: vec![],
            phones: vec![Phone { number: "0161 555 0199".into(), description: Some("Out of hours".into()) }],
            keywords: vec!["Befriending".into()],
        },
    };
    let needs = doorstep::store::services::need_ids(&mut conn).unwrap();
    doorstep::store::services::insert(&mut conn, &service, &needs, now).unwrap();
    (organisation.id, service.id)
}
