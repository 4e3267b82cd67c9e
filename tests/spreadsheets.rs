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
         Knit and Natter;St Mary's Hall, 1 Church Lane;{postcode};Tues 11am - 2pm, Fri 11.30am - 1.30pm;£1 for tea;50+;Social isolation, bring your own yarn\n\
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
    assert_eq!(view.extras.keywords, ["bring your own yarn"]);
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
    // The neighbourhoods are built again, the same: only their version moves
    // on, and the networks' talk is logged for the search index to take in again.
    let listings = |data: &TestData| -> Vec<String> {
        common::database_contents_of(data)
            .into_iter()
            .filter(|row| {
                !row.starts_with("meta: neighbourhood_version") && !row.starts_with("activity_changes: ")
            })
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

    // A register's charity is placed by its contact postcode, and serves the
    // whole borough only when its words say so.
    use doorstep::store::schema::service_at_locations;
    let mut charity = |name: &str| -> (String, Vec<(bool, String)>) {
        let (id, area): (String, String) = services::table
            .filter(services::name.eq(name))
            .select((services::id, services::area))
            .first(&mut conn)
            .unwrap();
        let places = service_at_locations::table
            .inner_join(locations::table)
            .filter(service_at_locations::service_id.eq(&id))
            .select((locations::postal, locations::postcode))
            .load(&mut conn)
            .unwrap();
        (area, places)
    };
    let (area, places) = charity("1ST FLIXTON SCOUT GROUP");
    assert_eq!(area, "local");
    assert!(matches!(places.as_slice(), [(true, postcode)] if postcode.starts_with("M41")), "{places:?}");
    assert_eq!(charity("CITIZENS ADVICE TRAFFORD").0, "borough");
}

#[test]
fn a_register_row_is_placed_by_its_contact_postcode_and_serves_the_area_only_when_its_words_say_so() {
    use crate::common::server::{Client, Served};
    let data = TestData::with_demo();
    let postcode = a_demo_postcode(&data);
    // As the Charity Commission's register gives them: no venue, a contact postcode.
    let sheet = format!(
        "Charity name,Charity activities,Charity contact postcode\n\
         Quokka Scouts,Scouting for young people in our village.,{postcode}\n\
         Quokka Trust,Quokka help for anyone anywhere in Kingsmere.,{postcode}\n\
         Quokka Club,Quokka afternoons in Kingsmere Town.,{postcode}\n\
         Quokka Faraway,Quokka help by letter.,ZZ9 9ZZ\n"
    );
    let mapping = "[shared]\norganisation_kind = \"charity\"\nnot_areas = [\"Kingsmere Town\"]\n\n\
                   [shared.area_when_named]\nKingsmere = \"borough\"\n";
    std::fs::write(data.path().join("register.csv"), sheet).unwrap();
    std::fs::write(data.path().join("register.toml"), mapping).unwrap();
    let file = data.path().join("register.csv").to_string_lossy().to_string();
    let mapping = data.path().join("register.toml").to_string_lossy().to_string();
    let imported = doorstep(&data, &["import", "csv", &file, "--mapping", &mapping], "");
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        service_named(&data, "Quokka Faraway").is_some(),
        "a contact postcode not known loses only itself"
    );

    let served = Served::start(&data, data.path(), &[]);
    let mut client = Client::new(&served.url);
    let found = client.get(&format!("/api/search?q=quokka&postcode={}", postcode.replace(' ', "+")));
    assert_eq!(found.status, 200, "{}", found.body);
    let json: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    let reach = |name: &str| {
        let result = json["results"].as_array().unwrap().iter().find(|r| r["name"] == name).cloned();
        result.unwrap_or_else(|| panic!("{name} is found: {json}"))["reach"].clone()
    };
    assert_eq!(
        reach("Quokka Scouts"),
        "Contact address under 100 m away",
        "placed, and said to be placed, by it"
    );
    assert_eq!(reach("Quokka Trust"), "Serves all of Kingsmere", "its words name the borough");
    assert_eq!(
        reach("Quokka Club"),
        "Contact address under 100 m away",
        "a town in the borough is not the borough"
    );
    assert!(reach("Quokka Faraway").is_null(), "nowhere known, so no reach is claimed");

    let (id, _, _) = service_named(&data, "Quokka Scouts").unwrap();
    let page = client.get(&format!("/services/{id}"));
    assert!(page.body.contains("Its contact address is in"), "{}", page.body);
    assert!(page.body.contains("Near its contact address"), "{}", page.body);
    assert!(!page.body.contains(">Venue<") && !page.body.contains("Map of where"), "it is not a venue");
    let oruk = client.get(&format!("/openreferral/services/{id}"));
    let oruk: serde_json::Value = serde_json::from_str(&oruk.body).unwrap();
    let location = &oruk["service_at_locations"][0]["location"];
    assert_eq!(location["location_type"], "postal", "{oruk}");
    assert_eq!(location["addresses"][0]["address_type"], "postal", "{oruk}");

    // Read back elsewhere, it is a contact address still.
    let file = data.path().join("published.json");
    let exported = doorstep(&data, &["export", "openreferral", "--out", &file.to_string_lossy()], "");
    assert!(exported.status.success(), "{}", text(&exported));
    let copy = TestData::new();
    let mut command = copy.command();
    command.env("DOORSTEP_AREA_NAME", "Kingsmere").args(["import", "openreferral", &file.to_string_lossy()]);
    let read = command.output().unwrap();
    assert!(read.status.success(), "{}", text(&read));
    use doorstep::store::schema::locations;
    let postal: Vec<bool> = locations::table
        .filter(locations::name.eq("Quokka Scouts (contact address)"))
        .select(locations::postal)
        .load(&mut open_store(&copy).conn().unwrap())
        .unwrap();
    assert_eq!(postal, [true]);
}

/// A zip of the files in `folder`, or of `files` as given.
fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options).unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_hsds_csv_package_as_a_folder_or_a_zip_reads_back_as_it_was_written() {
    let demo = TestData::with_demo();
    let borough = {
        let store = open_store(&demo);
        let mut conn = store.conn().unwrap();
        doorstep::store::meta::get(&mut conn, doorstep::store::meta::DEMO).unwrap().unwrap()
    };
    let folder = demo.path().join("package");
    let written = doorstep(&demo, &["export", "csv", "--out", &folder.to_string_lossy()], "");
    assert!(written.status.success(), "{}", text(&written));
    let first = demo.path().join("first.json");
    assert!(
        doorstep(&demo, &["export", "openreferral", "--out", &first.to_string_lossy()], "").status.success()
    );
    let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| (format!("package/{}", e.file_name().to_string_lossy()), std::fs::read(e.path()).unwrap()))
        .collect();
    assert!(
        files.iter().any(|(name, _)| name.ends_with("/services.csv")),
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let zipped = demo.path().join("package.zip");
    std::fs::write(&zipped, zip_of(&files)).unwrap();

    for source in [&folder, &zipped] {
        let copy = TestData::new();
        let area = [("DOORSTEP_AREA_NAME", borough.as_str())];
        let mut command = copy.command();
        command.envs(area).args(["import", "csv", &source.to_string_lossy()]);
        let imported = command.output().unwrap();
        assert!(imported.status.success(), "{}", text(&imported));
        let second = copy.path().join("second.json");
        let mut command = copy.command();
        command.envs(area).args(["export", "openreferral", "--out", &second.to_string_lossy()]);
        assert!(command.output().unwrap().status.success());
        assert!(
            std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(),
            "{} reads back as it was",
            source.display()
        );
    }
}

#[test]
fn a_zip_that_unpacks_to_too_much_is_refused_and_nothing_is_written() {
    let data = TestData::with_demo();
    let before = common::database_contents_of(&data);
    let mut services = b"id,name,status\n".to_vec();
    services.extend(std::iter::repeat_n(b' ', 60 * 1024 * 1024));
    let bomb = data.path().join("bomb.zip");
    std::fs::write(&bomb, zip_of(&[("services.csv".into(), services)])).unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1024 * 1024, "a small file");
    let refused = doorstep(&data, &["import", "csv", &bomb.to_string_lossy()], "");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("unpacks to more than"), "{}", text(&refused));
    let not_a_zip = data.path().join("fake.zip");
    std::fs::write(&not_a_zip, b"PK nonsense").unwrap();
    assert!(
        text(&doorstep(&data, &["import", "csv", &not_a_zip.to_string_lossy()], ""))
            .contains("not a zip file")
    );
    assert!(common::database_contents_of(&data) == before, "nothing was written");
}

#[test]
fn the_spreadsheet_export_reads_back_as_new_listings_reported_as_duplicates() {
    let data = TestData::with_demo();
    let file = data.path().join("everything.csv");
    let written = doorstep(&data, &["export", "spreadsheet", "--out", &file.to_string_lossy()], "");
    assert!(written.status.success(), "{}", text(&written));
    let sheet = std::fs::read_to_string(&file).unwrap();
    assert_eq!(sheet.lines().next().unwrap().split(',').next(), Some("id"));
    let before = common::database_contents_of(&data);
    let read = doorstep(&data, &["import", "csv", &file.to_string_lossy(), "--dry-run"], "");
    let said = text(&read);
    assert!(read.status.success(), "{said}");
    // Every row is read; none overwrites the listing it came from.
    let services = said.lines().find(|l| l.starts_with("services:")).unwrap();
    assert!(services.ends_with(" 0 changed, 0 unchanged, 0 rejected"), "{services}");
    assert!(
        said.lines().filter(|l| l.starts_with("possible duplicate: the service")).count() > 100,
        "{said}"
    );
    assert!(common::database_contents_of(&data) == before, "a dry run writes nothing");
}
