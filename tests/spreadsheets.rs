//! Spreadsheets in through the command a connector or administrator runs:
//! `doorstep import csv` with a sheet as Excel saves it, its columns found
//! by their headers or named; a row that cannot be taken named with its
//! reason and nothing written; the template; and `doorstep seed trafford`
//! loading the real lists in ../shared/data (twice, changing nothing the
//! second time).

use std::path::Path;

use crate::common::server::open_store;
use crate::common::{self, TestData, doorstep, text};
use diesel::prelude::*;
use doorstep::store::schema::{service_needs, services};

/// A postcode of the demo borough.
fn a_demo_postcode(data: &TestData) -> String {
    use doorstep::store::schema::locations;
    let store = open_store(data);
    let mut conn = store.conn().unwrap();
    locations::table
        .filter(locations::confidential.eq(false))
        .select(locations::postcode)
        .first(&mut conn)
        .unwrap()
}

fn service_named(data: &TestData, name: &str) -> Option<(String, String, Option<String>)> {
    let store = open_store(data);
    let mut conn = store.conn().unwrap();
    services::table
        .filter(services::name.eq(name))
        .select((services::id, services::cost, services::cost_description))
        .first(&mut conn)
        .optional()
        .unwrap()
}

#[test]
fn a_sheet_as_excel_saves_it_is_read_by_its_headers() {
    let data = TestData::with_demo();
    let postcode = a_demo_postcode(&data);
    // As Excel saves "CSV" in England: Windows-1252 (its £ and é), here with semicolons.
    let sheet: Vec<u8> = format!(
        "Group name;Address;Post Code;Opening times;Cost;Ages;Categories\n\
         Knit and Natter;St Mary's Hall, 1 Church Lane;{postcode};Tues 11am - 2pm, Fri 11.30am - 1.30pm;£1 for tea;50+;Social isolation, crochet\n\
         Café Conversations;The Library, High Street;{postcode};Contact for details;Free;;\n"
    )
    .chars()
    .map(|c| match c {
        '£' => 0xA3,
        'é' => 0xE9,
        c => u8::try_from(c).unwrap(),
    })
    .collect();
    let file = data.path().join("groups.csv");
    std::fs::write(&file, &sheet).unwrap();
    let file = file.to_string_lossy().to_string();

    let dry = doorstep(&data, &["import", "csv", &file, "--dry-run"], "");
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(text(&dry).contains("services: 2 added"), "{}", text(&dry));
    assert!(service_named(&data, "Knit and Natter").is_none(), "a dry run writes nothing");

    let done = doorstep(&data, &["import", "csv", &file], "");
    assert!(done.status.success(), "{}", text(&done));
    let (id, cost, said) = service_named(&data, "Knit and Natter").expect("imported");
    assert_eq!((cost.as_str(), said.as_deref()), ("paid", Some("£1 for tea")));
    let (_, cost, _) = service_named(&data, "Café Conversations").expect("Windows-1252 read as such");
    assert_eq!(cost, "free");
    let store = open_store(&data);
    let mut conn = store.conn().unwrap();
    let view = doorstep::store::services::view(&mut conn, id.parse().unwrap()).unwrap();
    assert_eq!(view.schedules.len(), 2, "Tuesdays and Fridays");
    assert_eq!(view.details.min_age, Some(50));
    assert_eq!(view.details.needs, ["loneliness"]);
    assert_eq!(view.extras.keywords, ["crochet"]);
    let cafe: String = services::table
        .filter(services::name.eq("Café Conversations"))
        .select(services::id)
        .first(&mut conn)
        .unwrap();
    let cafe = doorstep::store::services::view(&mut conn, cafe.parse().unwrap()).unwrap();
    assert_eq!(
        cafe.extras.hours_text.as_deref(),
        Some("Contact for details"),
        "times not understood are kept as words"
    );
    drop(conn);

    let again = doorstep(&data, &["import", "csv", &file], "");
    assert!(text(&again).contains("services: 0 added, 0 changed, 2 unchanged"), "{}", text(&again));
}

#[test]
fn a_row_that_cannot_be_taken_is_named_and_nothing_is_written() {
    let data = TestData::with_demo();
    let postcode = a_demo_postcode(&data);
    let file = data.path().join("clubs.csv");
    std::fs::write(&file, format!("Club,Postcode\nChess club,{postcode}\nDarts club,ZZ9 9ZZ\n,{postcode}\n"))
        .unwrap();
    let file = file.to_string_lossy().to_string();
    let before = {
        let store = open_store(&data);
        let count: i64 = services::table.count().get_result(&mut store.conn().unwrap()).unwrap();
        count
    };

    let unnamed = doorstep(&data, &["import", "csv", &file], "");
    assert!(!unnamed.status.success());
    assert!(text(&unnamed).contains("name=\"its header\""), "no column of names: {}", text(&unnamed));

    let refused = doorstep(&data, &["import", "csv", &file, "--column", "name=Club"], "");
    assert!(!refused.status.success());
    let said = text(&refused);
    assert!(
        said.contains(
            "row 3: service \"Darts club\" rejected: its venue's postcode \"ZZ9 9ZZ\" is not known"
        ),
        "{said}"
    );
    assert!(said.contains("row 4: rejected: the row has no name"), "{said}");
    assert!(said.contains("Nothing was written"), "{said}");
    let store = open_store(&data);
    let count: i64 = services::table.count().get_result(&mut store.conn().unwrap()).unwrap();
    assert_eq!(count, before, "nothing was written");
    drop(store);

    let skipped = doorstep(&data, &["import", "csv", &file, "--column", "name=Club", "--skip-rejected"], "");
    assert!(skipped.status.success(), "{}", text(&skipped));
    assert!(service_named(&data, "Chess club").is_some());
    assert!(service_named(&data, "Darts club").is_none());

    let wrong_field = doorstep(&data, &["import", "csv", &file, "--column", "colour=Club"], "");
    assert!(text(&wrong_field).contains("there is no field called \"colour\""), "{}", text(&wrong_field));
}

#[test]
fn the_template_holds_every_column_and_reads_back() {
    let data = TestData::with_demo();
    let template = doorstep(&data, &["import", "template"], "");
    assert!(template.status.success());
    let sheet = String::from_utf8(template.stdout).unwrap();
    let header = sheet.lines().next().unwrap();
    for field in ["name", "organisation", "postcode", "hours", "cost", "ages", "needs", "charity_number"] {
        assert!(header.split(',').any(|h| h == field), "{field} in {header}");
    }
    let file = data.path().join("template.csv");
    std::fs::write(&file, sheet.replace("M33 7XX", &a_demo_postcode(&data))).unwrap();
    let read = doorstep(&data, &["import", "csv", &file.to_string_lossy()], "");
    assert!(read.status.success(), "{}", text(&read));
    assert!(service_named(&data, "Sale Lunch Club").is_some());
}

/// The table `seed trafford` prints: each list's services, those with no need, and those rejected.
fn seeded(said: &str) -> Vec<(String, usize, usize, usize)> {
    said.lines()
        .skip_while(|l| !l.starts_with("list "))
        .skip(1)
        .take_while(|l| !l.starts_with("Listings from"))
        .map(|line| {
            let (name, rest) = line.split_at(24);
            let numbers: Vec<usize> = rest.split_whitespace().take(3).map(|n| n.parse().unwrap()).collect();
            (name.trim().to_string(), numbers[0], numbers[1], numbers[2])
        })
        .collect()
}

#[test]
fn seed_trafford_loads_the_real_lists_and_again_changes_nothing() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let data = TestData::new();
    let first = doorstep(&data, &["seed", "trafford", "--data", &shared.to_string_lossy()], "");
    assert!(first.status.success(), "{}", text(&first));
    let lists = seeded(&text(&first));
    let services = |name: &str| lists.iter().find(|l| l.0 == name).map(|l| l.1);
    assert_eq!(services("community hubs"), Some(6));
    assert_eq!(services("libraries"), Some(13));
    assert_eq!(services("leisure centres"), Some(9));
    assert_eq!(services("food banks"), Some(7));
    assert_eq!(services("sports clubs"), Some(140));
    assert!(services("charities").is_some_and(|n| n > 700), "{lists:?}");
    assert!(text(&first).contains("Trafford Council and Trafford Data Lab"), "the attribution is said");
    // The neighbourhoods are built again, the same: only their version moves on.
    let listings = |data: &TestData| -> Vec<String> {
        common::database_contents_of(data)
            .into_iter()
            .filter(|row| !row.starts_with("meta: neighbourhood_version"))
            .collect()
    };
    let contents = listings(&data);

    let second = doorstep(&data, &["seed", "trafford", "--data", &shared.to_string_lossy()], "");
    assert!(second.status.success(), "{}", text(&second));
    assert_eq!(seeded(&text(&second)), lists);
    assert!(listings(&data) == contents, "seeding again changes no listing");

    // The libraries are local entry points, each in a neighbourhood.
    let store = open_store(&data);
    let mut conn = store.conn().unwrap();
    let needs: i64 = service_needs::table.count().get_result(&mut conn).unwrap();
    assert!(needs > 200, "the lists' needs are kept: {needs}");
    use doorstep::store::schema::locations;
    let libraries: Vec<(bool, Option<String>)> = locations::table
        .filter(locations::name.like("%Library%"))
        .select((locations::entry_point, locations::neighbourhood_id))
        .load(&mut conn)
        .unwrap();
    let entry_points = libraries.iter().filter(|(entry, hood)| *entry && hood.is_some()).count();
    assert!(entry_points >= 12, "the libraries are local entry points in neighbourhoods: {libraries:?}");
}
