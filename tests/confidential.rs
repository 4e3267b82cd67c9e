//! A confidential venue (a refuge) never shapes what a visitor or an advisor
//! sees. The property: move the demo's refuge to many places, with its
//! service set to serve "within N km" for several N, and no public page,
//! API answer or advisor's page changes at all. Otherwise the neighbourhoods
//! (or distances, or the order of results) it reached would draw a circle
//! around its address.

use std::collections::BTreeMap;

use crate::common::{self, PASSWORD, TestApp};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use chrono::Utc;
use diesel::prelude::*;
use doorstep::domain::directory::ServiceArea;
use doorstep::domain::ids::{LocationId, ServiceId, UserId};
use doorstep::store::{locations, neighbourhoods, service_lists, services, users};

const ADVISOR: &str = "advisor@kingsmere.example.org";

/// Every page and API answer that could show where the refuge is, by address.
type Snapshot = BTreeMap<String, String>;

#[actix_web::test]
async fn moving_a_refuge_changes_nothing_a_visitor_or_an_advisor_sees() {
    let app = TestApp::with_demo();
    let (refuge, venue) = refuge(&app);
    let admin = admin(&app);
    let hoods = {
        let mut conn = app.state.store.conn().unwrap();
        neighbourhoods::all(&mut conn).unwrap()
    };
    let postcodes = spread_postcodes(&app, 4);
    let mut visitor = app.browser().await;
    let mut advisor = app.browser().await;
    advisor.sign_in(ADVISOR, PASSWORD).await;
    let started = advisor
        .submit(
            "/signpost",
            "/signpost/contacts",
            &[("risk", "no"), ("channel", "phone"), ("returning", "no")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let workspace = started.location().to_string();
    // The workspace records the needs searched with the contact, and the
    // dashboard counts them: search once first, so that later searches
    // (the same needs) change nothing but what the refuge might.
    for postcode in &postcodes {
        advisor.get(&workspace_search(&workspace, postcode)).await;
    }

    // Neighbourhood centres all over the borough, each tried with a radius.
    let places: Vec<(f64, f64)> = hoods.iter().step_by(6).map(|h| (h.latitude, h.longitude)).collect();
    assert!(places.len() >= 9, "enough places to move to: {}", places.len());
    let radii = [1.0, 1.5, 3.0];
    let home: (f64, f64) = {
        use doorstep::store::schema::locations as l;
        let mut conn = app.state.store.conn().unwrap();
        l::table.find(venue).select((l::latitude, l::longitude)).first(&mut *conn).unwrap()
    };
    let mut baselines = Vec::new();
    for km in radii {
        set_radius(&app, refuge, km, admin);
        baselines.push(snapshot(&app, &mut visitor, &mut advisor, &workspace, refuge, &postcodes).await);
    }
    for (n, &place) in places.iter().enumerate() {
        let which = n % radii.len();
        set_radius(&app, refuge, radii[which], admin);
        move_venue(&app, venue, place, admin);
        let mut seen = snapshot(&app, &mut visitor, &mut advisor, &workspace, refuge, &postcodes).await;
        if !differences(&seen, &baselines[which]).is_empty() {
            // Pages say what is open now: a session that began or ended
            // between the two readings changes them wherever the refuge is.
            // Read both again, one straight after the other.
            move_venue(&app, venue, home, admin);
            baselines[which] =
                snapshot(&app, &mut visitor, &mut advisor, &workspace, refuge, &postcodes).await;
            move_venue(&app, venue, place, admin);
            seen = snapshot(&app, &mut visitor, &mut advisor, &workspace, refuge, &postcodes).await;
        }
        let changed = differences(&seen, &baselines[which]);
        assert!(
            changed.is_empty(),
            "with the refuge moved to {place:?} and a radius of {} km, these changed: {changed:?}",
            radii[which]
        );
    }
}

#[actix_web::test]
async fn a_local_service_whose_only_venue_is_confidential_claims_no_reach_it_does_not_have() {
    let app = TestApp::with_demo();
    let (refuge, _) = refuge(&app);
    let mut visitor = app.browser().await;
    let search =
        format!("/api/search?q=refuge&postcode={}", common::central_postcode(&app).replace(' ', "+"));
    let reach = |json: &serde_json::Value| {
        let hit = json["results"].as_array().unwrap().iter().find(|r| r["id"] == refuge.to_string());
        hit.expect("the refuge is found").clone()
    };
    let borough = reach(&serde_json::from_str(&visitor.get(&search).await.body).unwrap());
    assert_eq!(borough["reach"], "Serves all of Kingsmere", "it serves the borough: {borough}");
    // Serving only near its venue, it is still found (no place leaves out
    // what cannot be placed), but it neither says it serves everyone nor
    // has a distance.
    set_radius(&app, refuge, 2.0, admin(&app));
    let local = reach(&serde_json::from_str(&visitor.get(&search).await.body).unwrap());
    assert!(local["reach"].is_null() && local["distance_m"].is_null(), "{local}");
    assert!(!local["why"].to_string().contains("Serves all of"), "{local}");
    // Nor does a radius leave it out: it has no distance to be too far.
    let within = visitor.get(&format!("{search}&radius_km=1")).await;
    reach(&serde_json::from_str(&within.body).unwrap());
}

/// The pages of `seen` that differ from `baseline`.
fn differences(seen: &Snapshot, baseline: &Snapshot) -> Vec<String> {
    seen.iter().filter(|(path, body)| baseline.get(*path) != Some(*body)).map(|(p, _)| p.clone()).collect()
}

/// The demo's refuge service and its confidential venue.
fn refuge(app: &TestApp) -> (ServiceId, LocationId) {
    let mut conn = app.state.store.conn().unwrap();
    let services = service_lists::for_need(&mut conn, "domestic-abuse", 100).unwrap();
    let id = services.iter().find(|s| s.name.contains("Refuge")).expect("the demo has a refuge").id;
    let view = services::view(&mut conn, id).unwrap();
    let venue = &view.locations[0].location;
    assert!(venue.confidential, "the refuge's venue is confidential");
    (id, venue.id)
}

fn admin(app: &TestApp) -> UserId {
    let mut conn = app.state.store.conn().unwrap();
    users::find_by_email(&mut conn, "admin@kingsmere.example.org").unwrap().unwrap().0.id
}

/// Postcodes spread over the borough, to search from.
fn spread_postcodes(app: &TestApp, count: usize) -> Vec<String> {
    use doorstep::store::schema::postcodes;
    let mut conn = app.state.store.conn().unwrap();
    let all: Vec<String> =
        postcodes::table.select(postcodes::postcode).order(postcodes::postcode).load(&mut *conn).unwrap();
    let mut chosen: Vec<String> = all.iter().step_by(all.len() / count).take(count).cloned().collect();
    chosen.push(common::central_postcode(app));
    chosen
}

/// Makes the refuge's service serve "within `km` of its venues".
fn set_radius(app: &TestApp, refuge: ServiceId, km: f64, by: UserId) {
    let mut conn = app.state.store.conn().unwrap();
    let mut input = services::input(&mut conn, refuge).unwrap();
    input.area = ServiceArea::Radius;
    input.area_radius_km = Some(km);
    services::update(&mut conn, refuge, &input, by, None, Utc::now().naive_utc()).unwrap();
    drop(conn);
    sync_index(app);
}

fn move_venue(app: &TestApp, venue: LocationId, place: (f64, f64), by: UserId) {
    let mut conn = app.state.store.conn().unwrap();
    locations::move_to(&mut conn, venue, place, by, Utc::now().naive_utc()).unwrap();
    drop(conn);
    sync_index(app);
}

fn sync_index(app: &TestApp) {
    doorstep::jobs::index_sync::sync(
        &app.state.store,
        &app.state.search,
        &app.state.taxonomy,
        Utc::now().date_naive(),
    )
    .unwrap();
}

async fn snapshot<V, VB, A, AB>(
    app: &TestApp,
    visitor: &mut common::Browser<V>,
    advisor: &mut common::Browser<A>,
    workspace: &str,
    refuge: ServiceId,
    postcodes: &[String],
) -> Snapshot
where
    V: Service<actix_http::Request, Response = ServiceResponse<VB>, Error = actix_web::Error>,
    VB: MessageBody,
    A: Service<actix_http::Request, Response = ServiceResponse<AB>, Error = actix_web::Error>,
    AB: MessageBody,
{
    let slugs: Vec<String> = {
        let mut conn = app.state.store.conn().unwrap();
        neighbourhoods::all(&mut conn).unwrap().into_iter().map(|h| h.slug).collect()
    };
    let mut public = vec![
        String::from("/"),
        String::from("/neighbourhoods"),
        format!("/services/{refuge}"),
        format!("/openreferral/services/{refuge}"),
        String::from("/needs/domestic-abuse"),
        String::from("/needs/housing"),
        String::from("/sitemap.xml"),
    ];
    public.extend(slugs.iter().map(|slug| format!("/neighbourhoods/{slug}")));
    // Their feeds: what is happening, and each week's new and changed listings.
    public.extend(slugs.iter().map(|slug| format!("/neighbourhoods/{slug}/feed.atom")));
    public.extend(slugs.iter().map(|slug| format!("/neighbourhoods/{slug}/listings.atom")));
    for postcode in postcodes {
        let postcode = postcode.replace(' ', "+");
        public.push(format!("/search?need=domestic-abuse&postcode={postcode}"));
        public.push(format!("/search?q=refuge+women&postcode={postcode}&radius_km=2"));
        public.push(format!("/search?need=housing&postcode={postcode}&open=sat"));
        public.push(format!("/api/search?need=domestic-abuse&postcode={postcode}&per_page=100"));
        public.push(format!("/openreferral/services?postcode={postcode}&per_page=200"));
        public.push(format!("/openreferral/services?postcode={postcode}&proximity=3000&per_page=200"));
        public.push(format!(
            "/openreferral/service_at_locations?postcode={postcode}&proximity=3000&per_page=200"
        ));
        public.push(format!("/api/search?q=refuge&postcode={postcode}&radius_km=1"));
        public.push(format!("/api/search?need=housing&postcode={postcode}&step_free=true"));
    }
    let mut seen = Snapshot::new();
    for path in public {
        let page = visitor.get(&path).await;
        assert!(page.status.is_success(), "{path}: {}", page.status);
        seen.insert(path, page.body);
    }
    let mut staff =
        vec![String::from("/dashboard"), String::from("/dashboard.csv"), format!("/services/{refuge}")];
    staff.extend(postcodes.iter().map(|postcode| workspace_search(workspace, postcode)));
    for path in staff {
        let page = advisor.get(&path).await;
        assert!(page.status.is_success(), "{path} as an advisor: {}", page.status);
        seen.insert(format!("advisor {path}"), page.body);
    }
    seen
}

/// The advisor's workspace, searching near `postcode` for the refuge's needs.
fn workspace_search(workspace: &str, postcode: &str) -> String {
    format!("{workspace}?postcode={}&need=domestic-abuse&need=housing", postcode.replace(' ', "+"))
}
