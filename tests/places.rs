//! Places: postcodes on the real ONS data in ../shared/data/postcodes (import, lookup
//! however typed, district fallback, clear answers for the rest) and H3 cells on locations.

use std::fs::File;
use std::path::PathBuf;

use crate::common::TestApp;
use doorstep::geo::cells::distance_m;
use doorstep::geo::onspd::{self, PostcodeFile};
use doorstep::geo::postcode::{self, Located};
use doorstep::store::postcodes;

fn shared(file: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/postcodes").join(file);
    assert!(path.exists(), "the shared data is missing: {}", path.display());
    path
}

/// Imports a shared file through the same reader and store calls as the command.
fn import(app: &TestApp, file: &str) -> usize {
    let (contents, _) = onspd::read(File::open(shared(file)).unwrap()).unwrap();
    let mut conn = app.state.store.conn().unwrap();
    match contents {
        PostcodeFile::Postcodes(rows) => postcodes::import_postcodes(&mut conn, &rows).unwrap(),
        PostcodeFile::Districts(rows) => postcodes::import_districts(&mut conn, &rows).unwrap(),
    }
}

fn locate(app: &TestApp, typed: &str) -> Located {
    let query = postcode::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
    postcodes::locate(&mut app.state.store.conn().unwrap(), &query).unwrap()
}

#[test]
fn trafford_postcodes_resolve_within_50_metres_however_they_are_typed() {
    let app = TestApp::empty();
    assert_eq!(import(&app, "trafford_postcodes_onspd_feb2025.csv"), 11_264);
    let mut reader = csv::Reader::from_path(shared("trafford_postcodes_onspd_feb2025.csv")).unwrap();
    let mut checked = 0;
    for (n, record) in reader.records().enumerate() {
        if n % 25 != 0 {
            continue;
        }
        let record = record.unwrap();
        let (code, lon, lat) =
            (&record[0], record[10].parse::<f64>().unwrap(), record[11].parse::<f64>().unwrap());
        // Typed three ways: lower case without the space, padded, and as written.
        for typed in [
            code.to_lowercase().replace(' ', ""),
            format!("  {}  ", code.replace(' ', "  ")),
            code.to_string(),
        ] {
            let Located::Postcode(place) = locate(&app, &typed) else { panic!("{typed} did not resolve") };
            assert_eq!(place.label, code);
            let off = distance_m((lat, lon), (place.latitude, place.longitude));
            assert!(off <= 50.0, "{typed} is {off:.0} m from the ONS point");
        }
        checked += 1;
    }
    assert!(checked > 400, "checked {checked}");
}

#[test]
fn a_district_falls_back_to_its_centre() {
    let app = TestApp::empty();
    import(&app, "trafford_postcodes_onspd_feb2025.csv");
    // Without a district file, the centre is worked out from the postcodes.
    let Located::District { place: worked_out, instead_of: None } = locate(&app, "m33") else {
        panic!("M33")
    };
    assert_eq!(worked_out.label, "M33 (centre)");
    import(&app, "uk_postcode_district_centroids_nspl_may2025.csv");
    let Located::District { place: listed, .. } = locate(&app, "M33") else { panic!("M33") };
    let apart = distance_m((worked_out.latitude, worked_out.longitude), (listed.latitude, listed.longitude));
    assert!(apart < 1_000.0, "the two centres of M33 are {apart:.0} m apart");
    // Sale is in M33; its centre is within a couple of kilometres of Sale town hall.
    assert!(distance_m((listed.latitude, listed.longitude), (53.4248, -2.3226)) < 2_500.0);

    // A postcode that does not exist, in a district that does.
    let unknown = locate(&app, "M33 0ZZ");
    let Located::District { instead_of: Some(asked), .. } = &unknown else { panic!("{unknown:?}") };
    assert_eq!(asked.as_str(), "M33 0ZZ");
    assert_eq!(
        unknown.message().as_deref(),
        Some("We could not find M33 0ZZ, so these are around the centre of M33.")
    );
    // Districts far outside Trafford come from the district file.
    assert!(matches!(locate(&app, "LS1"), Located::District { .. }));
}

#[test]
fn unknown_terminated_and_invalid_postcodes_get_a_clear_message() {
    let app = TestApp::empty();
    import(&app, "nspl_may2025_M_area.csv");
    let unknown = locate(&app, "ZZ9 9ZZ");
    assert_eq!(unknown, Located::Unknown("ZZ9 9ZZ".into()));
    assert_eq!(
        unknown.message().as_deref(),
        Some("We do not know the postcode ZZ9 9ZZ. Check it, or enter just the first half, like M33.")
    );
    assert!(unknown.place().is_none());

    // An ONSPD-format row with a date of termination.
    let onspd = "pcd,pcd2,pcds,dointr,doterm,oa21,lat,long\nM60 1QD,M60  1QD,M60 1QD,198001,201009,,53.4808,-2.2426\n";
    let (contents, _) = onspd::read(onspd.as_bytes()).unwrap();
    let PostcodeFile::Postcodes(rows) = contents else { panic!("postcodes") };
    postcodes::import_postcodes(&mut app.state.store.conn().unwrap(), &rows).unwrap();
    let terminated = locate(&app, "m601qd");
    assert!(matches!(terminated, Located::Terminated { .. }), "{terminated:?}");
    assert!(terminated.message().unwrap().contains("M60 1QD is no longer in use"));

    for typed in ["", "Sale", "M33-7XX", "<script>", "M337"] {
        let message = postcode::parse(typed).unwrap_err().to_string();
        assert!(message.contains("M33 7XX"), "{typed}: {message}");
    }
}

#[test]
fn importing_again_changes_nothing() {
    let app = TestApp::empty();
    let count = || doorstep::store::stats::collect(&mut app.state.store.conn().unwrap()).unwrap().postcodes;
    import(&app, "nspl_may2025_WA_area.csv");
    import(&app, "trafford_postcodes_onspd_feb2025.csv");
    let first = count();
    import(&app, "nspl_may2025_WA_area.csv");
    import(&app, "trafford_postcodes_onspd_feb2025.csv");
    assert_eq!(count(), first);
    // Trafford's WA postcodes were in both files: counted once.
    assert!(first < 26_034 + 11_264);
}

#[test]
fn every_location_carries_its_h3_cell() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    assert_eq!(
        doorstep::store::locations::fill_missing_cells(&mut conn).unwrap(),
        0,
        "the demo's locations all have cells"
    );
    // Enough venues for more than one batch of cells.
    let any = {
        use diesel::prelude::*;
        let first: doorstep::domain::ids::LocationId = doorstep::store::schema::locations::table
            .select(doorstep::store::schema::locations::id)
            .first(&mut *conn)
            .unwrap();
        doorstep::store::locations::many(&mut conn, &[first]).unwrap().remove(0)
    };
    let now = chrono::Utc::now().naive_utc();
    for n in 0..1_200 {
        let venue = doorstep::domain::listing::Location {
            id: doorstep::domain::ids::LocationId::new(),
            name: format!("Hall {n}"),
            latitude: any.latitude + f64::from(n) * 0.0001,
            ..any.clone()
        };
        doorstep::store::locations::insert(&mut conn, &venue, now).unwrap();
    }
    // Locations saved before cells were kept get their cells at the next
    // start, each its own, and nothing else about them changes.
    let before = all_locations(&app);
    conn.batch_execute("UPDATE locations SET h3_cell = NULL").unwrap();
    drop(conn);
    app.state.store.migrate().unwrap();
    assert_eq!(all_locations(&app), before);
    let mut conn = app.state.store.conn().unwrap();
    assert_eq!(doorstep::store::locations::fill_missing_cells(&mut conn).unwrap(), 0, "filled at start");
    assert!(before.len() > 1_200, "{} locations", before.len());
}

/// Every location's id, name, point and cell, in id order.
fn all_locations(app: &TestApp) -> Vec<(String, String, String, Option<i64>)> {
    use diesel::prelude::*;
    use doorstep::store::schema::locations;
    let mut conn = app.state.store.conn().unwrap();
    let rows: Vec<(String, String, f64, f64, Option<i64>)> = locations::table
        .select((
            locations::id,
            locations::name,
            locations::latitude,
            locations::longitude,
            locations::h3_cell,
        ))
        .order(locations::id)
        .load(&mut *conn)
        .unwrap();
    rows.into_iter()
        .map(|(id, name, lat, lon, cell)| (id, name, format!("{lat:.6},{lon:.6}"), cell))
        .collect()
}
