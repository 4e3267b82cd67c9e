//! Neighbourhoods: built from Trafford's real Census 2021 output areas (read
//! from ../shared/data, never copied into the repository) with the commands a
//! council would run, checked independently of the builder; bad input; the
//! pages and their maps; and locations finding their neighbourhood. An
//! administrator's changes are in `neighbourhood_changes.rs`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::common::{TestApp, TestData, doorstep, text};
use actix_web::http::StatusCode;
use doorstep::geo::area_files;
use doorstep::geo::neighbourhoods::{Band, SmallArea, build};
use doorstep::geo::onspd::{self, PostcodeFile};
use doorstep::store::{areas, neighbourhoods};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/population");

/// Trafford's output areas and their adjacency, by position.
fn trafford() -> (Vec<String>, Vec<SmallArea>, Vec<Vec<usize>>) {
    let mut codes = Vec::new();
    let mut areas = Vec::new();
    let mut reader =
        csv::Reader::from_path(format!("{DATA}/trafford_oa21_population_centroids.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, people, area, lat, lon) = (
        column("oa21cd"),
        column("population"),
        column("area_km2_generalised"),
        column("centroid_lat"),
        column("centroid_lon"),
    );
    for row in reader.records() {
        let row = row.unwrap();
        codes.push(row[code].to_string());
        areas.push(SmallArea {
            population: row[people].parse().unwrap(),
            area_km2: row[area].parse().unwrap(),
            latitude: row[lat].parse().unwrap(),
            longitude: row[lon].parse().unwrap(),
        });
    }
    let place: HashMap<&str, usize> = codes.iter().enumerate().map(|(n, c)| (c.as_str(), n)).collect();
    let mut adjacent = vec![Vec::new(); codes.len()];
    let mut reader = csv::Reader::from_path(format!("{DATA}/trafford_oa21_adjacency.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let (a, b) = (place[&row[0]], place[&row[1]]);
        adjacent[a].push(b);
        adjacent[b].push(a);
    }
    (codes, areas, adjacent)
}

#[test]
fn trafford_becomes_contiguous_compact_neighbourhoods_inside_the_band() {
    let (codes, areas, adjacent) = trafford();
    assert_eq!(codes.len(), 738);
    let band = Band { min: 4_000, max: 5_000 };
    let partition = build(&areas, &adjacent, band);

    let mut counted = vec![0; areas.len()];
    for (r, region) in partition.regions.iter().enumerate() {
        for &a in &region.areas {
            counted[a] += 1;
        }
        assert!(partition.is_contiguous(r, &adjacent), "neighbourhood {r} is in pieces");
        let in_band = (band.min..=band.max).contains(&region.population);
        assert_eq!(region.outside_band.is_none(), in_band, "{region:?}");
        if in_band {
            assert!(region.compactness > 0.3, "neighbourhood {r} is a snake: {}", region.compactness);
        }
    }
    assert!(counted.iter().all(|&c| c == 1), "every output area in exactly one neighbourhood");
    let total: u32 = areas.iter().map(|a| a.population).sum();
    assert_eq!(partition.regions.iter().map(|r| r.population).sum::<u32>(), total);
    let inside = partition.regions.iter().filter(|r| r.outside_band.is_none()).count();
    assert!(
        inside * 100 >= partition.regions.len() * 90,
        "{inside} of {} neighbourhoods inside the band: {:?}",
        partition.regions.len(),
        partition.regions.iter().filter_map(|r| r.outside_band.as_deref()).collect::<Vec<_>>()
    );
    assert_eq!(build(&areas, &adjacent, band), partition, "the same input gives the same neighbourhoods");
}

const POSTCODES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/postcodes/trafford_postcodes_onspd_feb2025.csv");

fn data(file: &str) -> String {
    format!("{DATA}/{file}")
}

/// `doorstep area import` with Trafford's four files.
fn import_trafford(dir: &TestData) {
    let output = doorstep(
        dir,
        &[
            "area",
            "import",
            "--small-areas",
            &data("trafford_oa21_population_centroids.csv"),
            "--adjacency",
            &data("trafford_oa21_adjacency.csv"),
            "--boundaries",
            &data("trafford_oa21_boundaries_generalised.geojson"),
            "--postcodes",
            POSTCODES,
        ],
        "",
    );
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("Imported 738 small areas (235013 residents), 2118 adjacent pairs"),
        "{}",
        text(&output)
    );
}

/// `small_area,neighbourhood` rows from `doorstep neighbourhoods export --csv`.
fn export(dir: &TestData) -> Vec<(String, String)> {
    let output = doorstep(dir, &["neighbourhoods", "export", "--csv"], "");
    assert!(output.status.success(), "{}", text(&output));
    let csv = String::from_utf8(output.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("small_area,neighbourhood"));
    lines.map(|l| l.split_once(',').map(|(a, n)| (a.to_string(), n.to_string())).unwrap()).collect()
}

/// Trafford's output areas with their population, and their neighbours, straight from the files.
fn population_and_adjacency() -> (HashMap<String, u32>, HashMap<String, Vec<String>>) {
    let mut people = HashMap::new();
    let mut reader = csv::Reader::from_path(data("trafford_oa21_population_centroids.csv")).unwrap();
    for row in reader.deserialize::<HashMap<String, String>>() {
        let row = row.unwrap();
        people.insert(row["oa21cd"].clone(), row["population"].parse().unwrap());
    }
    let mut adjacent: HashMap<String, Vec<String>> = HashMap::new();
    let mut reader = csv::Reader::from_path(data("trafford_oa21_adjacency.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        adjacent.entry(row[0].to_string()).or_default().push(row[1].to_string());
        adjacent.entry(row[1].to_string()).or_default().push(row[0].to_string());
    }
    (people, adjacent)
}

/// Whether `members` all reach one another through `adjacent` without leaving the set.
pub fn in_one_piece(members: &[String], adjacent: &HashMap<String, Vec<String>>) -> bool {
    let set: HashSet<&str> = members.iter().map(String::as_str).collect();
    let mut seen = HashSet::from([members[0].as_str()]);
    let mut queue = VecDeque::from([members[0].as_str()]);
    while let Some(a) = queue.pop_front() {
        for n in adjacent.get(a).into_iter().flatten() {
            if set.contains(n.as_str()) && seen.insert(n.as_str()) {
                queue.push_back(n.as_str());
            }
        }
    }
    seen.len() == set.len()
}

#[test]
fn trafford_imported_and_built_with_the_commands_checks_out_independently() {
    let dir = TestData::new();
    import_trafford(&dir);
    let built = doorstep(&dir, &["neighbourhoods", "build", "--min", "4000", "--max", "5000"], "");
    assert!(built.status.success(), "{}", text(&built));
    println!("{}", text(&built));

    let (people, adjacent) = population_and_adjacency();
    let rows = export(&dir);
    assert_eq!(rows.len(), 738, "every output area once");
    let mut members: HashMap<&str, Vec<String>> = HashMap::new();
    let mut seen = HashSet::new();
    for (area, hood) in &rows {
        assert!(people.contains_key(area), "{area} is a Trafford output area");
        assert!(seen.insert(area.as_str()), "{area} is in two neighbourhoods");
        assert!(!hood.is_empty(), "{area} is in no neighbourhood");
        members.entry(hood.as_str()).or_default().push(area.clone());
    }
    assert_eq!(seen.len(), people.len());
    for (hood, areas) in &members {
        assert!(in_one_piece(areas, &adjacent), "neighbourhood {hood} is in pieces");
    }

    let report = doorstep(&dir, &["neighbourhoods", "report", "--json"], "");
    assert!(report.status.success(), "{}", text(&report));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let hoods = report["neighbourhoods"].as_array().unwrap();
    assert_eq!(hoods.len(), members.len());
    assert!((45..=60).contains(&hoods.len()), "about 50 neighbourhoods, not {}", hoods.len());
    let mut total = 0;
    let mut inside = 0;
    for hood in hoods {
        let id = hood["id"].as_str().unwrap();
        let population = hood["population"].as_u64().unwrap() as u32;
        let counted: u32 = members[id].iter().map(|a| people[a]).sum();
        assert_eq!(population, counted, "{}: its output areas' residents", hood["name"]);
        assert_eq!(hood["small_areas"].as_u64().unwrap() as usize, members[id].len());
        let in_band = (4_000..=5_000).contains(&population);
        assert_eq!(hood["in_band"].as_bool().unwrap(), in_band);
        assert_eq!(
            hood["outside_band_reason"].is_string(),
            !in_band,
            "a reason exactly when outside: {hood}"
        );
        assert!(hood["compactness"].as_f64().unwrap() > 0.0);
        assert!(!hood["name"].as_str().unwrap().starts_with("Neighbourhood"), "named after its ward: {hood}");
        total += population;
        inside += usize::from(in_band);
    }
    assert_eq!(total, 235_013, "populations sum to Trafford's");
    assert_eq!(report["totals"]["population"], 235_013);
    let share = inside as f64 / hoods.len() as f64;
    println!("{inside} of {} neighbourhoods ({:.1}%) within 4,000 to 5,000", hoods.len(), 100.0 * share);
    assert!(share >= 0.9, "{inside} of {} inside the band", hoods.len());
    let names: HashSet<&str> = hoods.iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), hoods.len(), "every name different");

    // Built again from the same input: the same neighbourhoods, with the same ids.
    let again = doorstep(&dir, &["neighbourhoods", "build"], "");
    assert!(
        text(&again).contains(&format!("{} carry on from the previous build", hoods.len())),
        "{}",
        text(&again)
    );
    assert_eq!(export(&dir), rows);
}

/// A copy of a Trafford file with `change` made to its lines, in `dir`.
fn changed(dir: &Path, file: &str, change: impl Fn(&mut Vec<String>)) -> String {
    let mut lines: Vec<String> =
        std::fs::read_to_string(data(file)).unwrap().lines().map(str::to_string).collect();
    change(&mut lines);
    let path = dir.join(format!("{}-{file}", std::fs::read_dir(dir).unwrap().count()));
    std::fs::write(&path, lines.join("\n")).unwrap();
    path.display().to_string()
}

#[test]
fn bad_input_is_named_and_the_neighbourhoods_stay_as_they_were() {
    let dir = TestData::new();
    import_trafford(&dir);
    assert!(doorstep(&dir, &["neighbourhoods", "build"], "").status.success());
    let before = export(&dir);
    let files = tempfile::tempdir().unwrap();
    let areas = "trafford_oa21_population_centroids.csv";
    let pairs = "trafford_oa21_adjacency.csv";
    let with_population = |line: usize, value: &str| {
        changed(files.path(), areas, |lines| {
            let mut fields: Vec<String> = lines[line - 1].split(',').map(str::to_string).collect();
            fields[7] = value.to_string();
            lines[line - 1] = fields.join(",");
        })
    };
    let first_area = before[0].0.clone();
    let cases: Vec<(String, String, &str)> = vec![
        (
            changed(files.path(), areas, |l| l[5] = String::from("E00030775,\"unclosed")),
            data(pairs),
            "--small-areas line 6",
        ),
        (
            changed(files.path(), areas, |l| {
                let copy = l[3].clone();
                l.push(copy);
            }),
            data(pairs),
            "appears twice (first on line 4)",
        ),
        (with_population(10, "0"), data(pairs), "--small-areas line 10"),
        (with_population(11, "-40"), data(pairs), "population -40"),
        (with_population(12, "lots"), data(pairs), "population 'lots' is not a whole number"),
        (
            data(areas),
            changed(files.path(), pairs, |l| l.retain(|line| !line.contains(first_area.as_str()))),
            "has no neighbour",
        ),
    ];
    for (small_areas, adjacency, expected) in cases {
        let output =
            doorstep(&dir, &["area", "import", "--small-areas", &small_areas, "--adjacency", &adjacency], "");
        assert!(!output.status.success(), "refused: {expected}");
        assert!(text(&output).contains(expected), "expected {expected:?} in {}", text(&output));
        assert!(text(&output).contains("nothing was imported"), "{}", text(&output));
    }
    // A pair naming an area from another borough is left out, and said so; the rest imports.
    let unknown = changed(files.path(), pairs, |l| l.push(String::from("E00030771,E00999999,12.5")));
    let output =
        doorstep(&dir, &["area", "import", "--small-areas", &data(areas), "--adjacency", &unknown], "");
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("--adjacency line 2120: E00999999 is not one of the small areas"),
        "{}",
        text(&output)
    );

    for (args, expected) in [
        (
            vec!["--min", "5000", "--max", "4000"],
            "the minimum population (5000) is greater than the maximum (4000)",
        ),
        (
            vec!["--min", "300000", "--max", "400000"],
            "the area has 235013 residents, fewer than the band's minimum of 300000",
        ),
        (vec!["--min", "0", "--max", "10"], "the minimum population must be at least 1"),
    ] {
        let output = doorstep(&dir, &[&["neighbourhoods", "build"][..], &args].concat(), "");
        assert!(!output.status.success());
        assert!(text(&output).contains(expected), "{}", text(&output));
        assert!(text(&output).contains("the neighbourhoods stay as they were"), "{}", text(&output));
    }
    assert_eq!(export(&dir), before, "nothing that was built changed");
}

/// Imports Trafford and builds its neighbourhoods inside a test app, through the same library calls as the commands.
fn trafford_app() -> TestApp {
    let app = TestApp::empty();
    let open = |path: &str| BufReader::new(File::open(path).unwrap());
    let small_areas =
        area_files::read_small_areas(open(&data("trafford_oa21_population_centroids.csv"))).unwrap();
    let adjacency = area_files::read_adjacency(open(&data("trafford_oa21_adjacency.csv"))).unwrap();
    let boundaries =
        area_files::read_boundaries(open(&data("trafford_oa21_boundaries_generalised.geojson"))).unwrap();
    let (PostcodeFile::Postcodes(postcodes), _) = onspd::read(open(POSTCODES)).unwrap() else {
        panic!("postcodes")
    };
    let geography = area_files::assemble(small_areas, adjacency, Some(boundaries), postcodes).unwrap();
    let mut conn = app.state.store.conn().unwrap();
    areas::replace_geography(&mut conn, &geography).unwrap();
    neighbourhoods::build(&mut conn, Band { min: 4_000, max: 5_000 }).unwrap();
    drop(conn);
    app
}

#[actix_web::test]
async fn trafford_neighbourhood_pages_draw_maps_with_the_census_attribution() {
    let app = trafford_app();
    let mut browser = app.browser().await;
    let index = browser.get("/neighbourhoods").await;
    assert_eq!(index.status, StatusCode::OK);
    let hoods = neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap();
    for hood in &hoods {
        assert!(
            index.body.contains(&format!("href=\"/neighbourhoods/{}\"", hood.slug)),
            "{} is linked",
            hood.name
        );
    }
    assert!(index.body.contains("<svg"), "one map of them all");
    assert_eq!(index.body.matches("<path class=\"area\"").count(), hoods.len(), "each drawn once");
    assert!(index.body.contains("Contains National Statistics and OS data © Crown copyright"));
    let map = &index.body[index.body.find("<svg").unwrap()..index.body.find("</svg>").unwrap()];
    assert!(!map.contains("<script") && !map.contains(" on"), "maps need no JavaScript");

    let hood = hoods
        .iter()
        .find(|h| h.outside_band.is_some())
        .expect("Trafford has a neighbourhood outside the band");
    let page = browser.get(&format!("/neighbourhoods/{}", hood.slug)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("<h1>{}</h1>", hood.name.replace('&', "&amp;"))));
    assert!(page.body.contains("outside it ("), "the band, and why it is outside");
    assert!(page.body.contains("class=\"area current\""));
    assert!(page.body.contains("Crown copyright"));
    assert!(page.body.contains("Neighbourhood network"), "the place for the network's activity");
    assert_eq!(browser.get("/neighbourhoods/no-such-place").await.status, StatusCode::NOT_FOUND);
}

/// The text of every marker's `<title>` in a page's map.
fn marker_titles(body: &str) -> Vec<String> {
    body.split("<g class=\"marker\"")
        .skip(1)
        .map(|marker| {
            let start = marker.find("<title>").unwrap() + "<title>".len();
            let end = marker.find("</title>").unwrap();
            marker[start..end].replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\"")
        })
        .collect()
}

#[actix_web::test]
async fn every_venue_of_a_service_based_in_a_neighbourhood_is_a_named_marker() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    let hoods = neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap();
    assert!((50..=65).contains(&hoods.len()), "the demo's neighbourhoods are built with it");
    let (mut markers_seen, mut refuges) = (0, 0);
    for hood in &hoods {
        // Independently of the page code: the running services at venues in it.
        let expected = venues_in(&app, &hood.id.to_string());
        let page = browser.get(&format!("/neighbourhoods/{}", hood.slug)).await;
        assert_eq!(page.status, StatusCode::OK);
        let titles = marker_titles(&page.body);
        let based_here = &page.body
            [page.body.find("id=\"based-here\"").unwrap()..page.body.find("id=\"from-elsewhere\"").unwrap()];
        for (venue, service, confidential) in &expected {
            let shown =
                titles.iter().any(|t| t.starts_with(&format!("{venue}: ")) && t.contains(service.as_str()));
            assert_eq!(shown, !confidential, "{service} at {venue} in {}: {titles:?}", hood.name);
            if *confidential {
                refuges += 1;
                assert!(
                    !based_here.contains(&service.replace('&', "&amp;")),
                    "a refuge never says where it is: {service}"
                );
            }
        }
        let venues: HashSet<&str> = expected.iter().filter(|e| !e.2).map(|e| e.0.as_str()).collect();
        assert!(titles.len() >= venues.len());
        markers_seen += titles.len();
    }
    assert!(markers_seen > 50, "the demo's venues are drawn ({markers_seen})");
    assert!(refuges > 0, "the demo's refuge was checked");
}

/// (venue, service, confidential) for the running services at venues in a
/// neighbourhood, read with plain SQL rather than the page's queries.
fn venues_in(app: &TestApp, hood: &str) -> Vec<(String, String, bool)> {
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        venue: String,
        #[diesel(sql_type = Text)]
        service: String,
        #[diesel(sql_type = Bool)]
        confidential: bool,
    }
    let mut conn = app.state.store.conn().unwrap();
    diesel::sql_query(format!(
        "SELECT l.name AS venue, s.name AS service, l.confidential AS confidential FROM locations l \
         JOIN service_at_locations sl ON sl.location_id = l.id JOIN services s ON s.id = sl.service_id \
         WHERE l.neighbourhood_id = '{hood}' AND s.status = 'active'",
    ))
    .load::<Row>(&mut *conn)
    .unwrap()
    .into_iter()
    .map(|r| (r.venue, r.service, r.confidential))
    .collect()
}

#[actix_web::test]
async fn every_venue_is_in_the_neighbourhood_of_its_cell_and_one_outside_is_flagged() {
    use doorstep::domain::listing::Location;
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    assert!(
        neighbourhoods::locations_outside(&mut conn).unwrap().is_empty(),
        "every demo venue is inside the borough"
    );
    let hood = &neighbourhoods::all(&mut conn).unwrap()[0];
    let template = Location {
        id: doorstep::domain::ids::LocationId::new(),
        organisation: None,
        name: String::from("Village Hall"),
        address_1: String::from("1 Green Lane"),
        address_2: None,
        town: String::from("Kingsmere"),
        postcode: String::from("KM1 1AA"),
        latitude: hood.latitude,
        longitude: hood.longitude,
        small_area: None,
        confidential: false,
        entry_point: false,
        postal: false,
        access: Default::default(),
    };
    let now = chrono::Utc::now().naive_utc();
    doorstep::store::locations::insert(&mut conn, &template, now).unwrap();
    let far = Location {
        id: doorstep::domain::ids::LocationId::new(),
        name: String::from("Seaside Chalet"),
        latitude: 50.1,
        longitude: -5.5,
        ..template.clone()
    };
    doorstep::store::locations::insert(&mut conn, &far, now).unwrap();
    let outside = neighbourhoods::locations_outside(&mut conn).unwrap();
    assert_eq!(outside, [(String::from("Seaside Chalet"), String::from("KM1 1AA"))]);
    #[derive(diesel::QueryableByName)]
    struct Placed {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        neighbourhood_id: Option<String>,
    }
    use diesel::RunQueryDsl;
    let placed: Placed =
        diesel::sql_query(format!("SELECT neighbourhood_id FROM locations WHERE id = '{}'", template.id))
            .get_result(&mut *conn)
            .unwrap();
    assert_eq!(
        placed.neighbourhood_id,
        Some(hood.id.to_string()),
        "a venue at a neighbourhood's centre is in it"
    );
}
