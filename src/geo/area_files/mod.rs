//! Reads an area's geography as ONS and councils publish it: small areas with
//! their population (a wide file with a centre per row, like the Census 2021
//! output-area files, or a long census table of
//! `area_code,...,indicator,...,value`), which small areas touch (pairs with
//! the length of boundary they share), their boundaries (GeoJSON) and the
//! postcodes in them. Every problem names its file and line, or its area.
//! `assemble` checks the pieces against each other and works out the H3 cells
//! each small area covers, which is how a location finds its neighbourhood.

mod adjacency;
mod boundaries;
mod coverage;
mod geography;
mod postcodes;
mod small_areas;

use std::fmt;
use std::io::Read;

pub use adjacency::{AdjacencyRow, read_adjacency};
pub use boundaries::{Boundary, read_boundaries};
pub use geography::{Area, Geography, assemble};
pub use small_areas::{SmallAreaRow, read_small_areas};

/// Which input a problem is in, as the command line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    SmallAreas,
    Adjacency,
    Boundaries,
    Postcodes,
}

impl Input {
    fn flag(self) -> &'static str {
        match self {
            Input::SmallAreas => "--small-areas",
            Input::Adjacency => "--adjacency",
            Input::Boundaries => "--boundaries",
            Input::Postcodes => "--postcodes",
        }
    }
}

/// Something wrong with the input, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub input: Input,
    /// The line in a CSV file (the header is line 1), or the feature's
    /// position in a GeoJSON file (the first is 1).
    pub line: Option<u64>,
    pub message: String,
}

impl Problem {
    fn new(input: Input, line: Option<u64>, message: impl Into<String>) -> Self {
        Problem { input, line, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.input) {
            (Some(line), Input::Boundaries) => {
                write!(f, "{} feature {line}: {}", self.input.flag(), self.message)
            }
            (Some(line), _) => write!(f, "{} line {line}: {}", self.input.flag(), self.message),
            (None, _) => write!(f, "{}: {}", self.input.flag(), self.message),
        }
    }
}

/// What a file held: the rows that could be read, and the problems with the
/// rest. A file that cannot be read at all is an `Err`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileRows<T> {
    pub rows: Vec<T>,
    pub problems: Vec<Problem>,
}

fn csv_reader(input: impl Read, what: Input) -> Result<(csv::Reader<impl Read>, Vec<String>), Problem> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Problem::new(what, Some(1), format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(Problem::new(what, None, "the file is empty or has no header row"));
    }
    Ok((reader, headers))
}

/// Every row that could be read, with its line (the header is line 1);
/// each that could not is listed in `problems`.
fn records(
    reader: &mut csv::Reader<impl Read>,
    what: Input,
    problems: &mut Vec<Problem>,
) -> Vec<(u64, csv::StringRecord)> {
    reader
        .records()
        .enumerate()
        .filter_map(|(n, record)| {
            let line = n as u64 + 2;
            record
                .map_err(|e| {
                    problems.push(Problem::new(what, Some(line), format!("cannot read the row: {e}")))
                })
                .ok()
                .map(|r| (line, r))
        })
        .collect()
}

/// An ONS area code: letters and digits, like E00030771.
fn is_code(text: &str) -> bool {
    (3..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use h3o::CellIndex;

    use super::*;
    use crate::geo::cells::cell_of;
    use crate::geo::onspd::PostcodeRow;

    fn areas(text: &str) -> FileRows<SmallAreaRow> {
        read_small_areas(text.as_bytes()).unwrap()
    }

    fn adjacency(text: &str) -> FileRows<AdjacencyRow> {
        read_adjacency(text.as_bytes()).unwrap()
    }

    const WIDE: &str = "oa21cd,population,area_km2_generalised,centroid_lat,centroid_lon\n\
                        E00000001,300,0.05,53.40,-2.30\n\
                        E00000002,310,0.05,53.40,-2.2965\n\
                        E00000003,290,0.05,53.402,-2.298\n";

    #[test]
    fn a_wide_file_gives_each_area_its_population_and_centre() {
        let read = areas(WIDE);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.rows.len(), 3);
        assert_eq!(read.rows[1].population, 310);
        assert_eq!(read.rows[1].centre, Some((53.40, -2.2965)));
        assert_eq!(read.rows[1].area_km2, Some(0.05));
    }

    #[test]
    fn a_long_census_table_gives_the_all_persons_rows() {
        let long = "area_code,area_name,geography,period,indicator,measure,unit,value\n\
                    E00000001,E00000001,Output Area,2021-03-21,All persons,Count,Persons,342\n\
                    E00000001,E00000001,Output Area,2021-03-21,Female,Count,Persons,173\n\
                    E00000002,E00000002,Output Area,2021-03-21,All persons,Count,Persons,305\n";
        let read = areas(long);
        assert!(read.problems.is_empty());
        let people: Vec<u32> = read.rows.iter().map(|r| r.population).collect();
        assert_eq!(people, [342, 305]);
        assert_eq!(read.rows[0].centre, None, "a census table has no centres");
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let text = "oa21cd,population,centroid_lat,centroid_lon\n\
                    E00000001,300,53.4,-2.3\n\
                    E00000001,300,53.4,-2.3\n\
                    E00000002,0,53.4,-2.3\n\
                    E00000003,-5,53.4,-2.3\n\
                    E00000004,many,53.4,-2.3\n\
                    not a code!,300,53.4,-2.3\n\
                    E00000005,300,north,-2.3\n";
        let messages: Vec<String> = areas(text).problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "--small-areas line 3: E00000001 appears twice (first on line 2)",
                "--small-areas line 4: E00000002: population 0: a small area needs at least one resident",
                "--small-areas line 5: E00000003: population -5: a small area needs at least one resident",
                "--small-areas line 6: E00000004: population 'many' is not a whole number",
                "--small-areas line 7: 'not a code!' is not an area code",
                "--small-areas line 8: E00000005: no usable latitude and longitude",
            ]
        );
    }

    #[test]
    fn a_file_without_the_columns_is_refused_whole() {
        let problem = read_small_areas("name,people\nA,3\n".as_bytes()).unwrap_err();
        assert!(problem.to_string().contains("no column of area codes"), "{problem}");
        assert!(read_adjacency("x,y\n".as_bytes()).unwrap_err().to_string().contains("area_a"));
        assert!(
            read_boundaries("{\"type\": \"Feature\"}".as_bytes())
                .unwrap_err()
                .to_string()
                .contains("FeatureCollection")
        );
    }

    #[test]
    fn an_area_no_pair_reaches_stops_the_import() {
        let pairs = adjacency("area_a,area_b,shared_boundary_m\nE00000001,E00000002,120\n");
        let problems = assemble(areas(WIDE), pairs, None, vec![]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().contains("E00000003 (line 4 of --small-areas) has no neighbour"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn pairs_naming_unknown_areas_are_left_out_and_listed() {
        let pairs = adjacency(
            "area_a,area_b,shared_boundary_m\nE00000001,E00000002,120\nE00000002,E00000003,80\n\
             E00000003,E00000001,\nE00000003,E09999999,40\nE00000002,E00000001,120\n",
        );
        let geography = assemble(areas(WIDE), pairs, None, vec![]).unwrap();
        assert_eq!(geography.adjacency, [(0, 1, Some(120.0)), (0, 2, None), (1, 2, Some(80.0))]);
        let rejected: Vec<String> = geography.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(rejected, ["--adjacency line 5: E09999999 is not one of the small areas"]);
    }

    #[test]
    fn every_area_gets_cells_and_each_cell_one_area() {
        let pairs =
            adjacency("area_a,area_b\nE00000001,E00000002\nE00000002,E00000003\nE00000001,E00000003\n");
        let geography = assemble(areas(WIDE), pairs, None, vec![]).unwrap();
        for i in 0..3 {
            let own = geography.cells.iter().filter(|(_, a)| *a == i).count();
            assert!(own >= 2, "area {i} has {own} cells");
        }
        let centre = cell_of(53.40, -2.30).unwrap();
        assert_eq!(geography.cells.iter().find(|(c, _)| *c == centre).map(|(_, a)| *a), Some(0));
        let mut cells: Vec<CellIndex> = geography.cells.iter().map(|(c, _)| *c).collect();
        cells.dedup();
        assert_eq!(cells.len(), geography.cells.len());
    }

    #[test]
    fn boundaries_give_centres_areas_and_cells_and_postcodes_name_places() {
        let long = "area_code,indicator,value\nE00000001,All persons,300\nE00000002,All persons,280\n";
        let square = |west: f64| {
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"area_code\":\"{}\"}},\"geometry\":{{\"type\":\"Polygon\",\
                 \"coordinates\":[[[{west},53.4],[{},53.4],[{},53.405],[{west},53.405],[{west},53.4]]]}}}}",
                if west < -2.307 { "E00000001" } else { "E00000002" },
                west + 0.005,
                west + 0.005
            )
        };
        let geojson =
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{},{}]}}", square(-2.31), square(-2.305));
        let boundaries = read_boundaries(geojson.as_bytes()).unwrap();
        let pairs = adjacency("area_a,area_b\nE00000001,E00000002\n");
        let postcode = |code: &str, lon: f64, ward: &str| PostcodeRow {
            postcode: crate::geo::postcode::parse_full(code).unwrap(),
            latitude: 53.4025,
            longitude: lon,
            small_area: None,
            place: Some(ward.to_string()),
            terminated: false,
        };
        let postcodes = vec![
            postcode("M1 1AA", -2.309, "Westbrook"),
            postcode("M1 1AB", -2.308, "Westbrook"),
            postcode("M1 1AD", -2.307, "Eastfield"),
            postcode("M1 1AE", -2.302, "Eastfield"),
            postcode("M1 1AF", -2.1, "Far Away"),
        ];
        let geography = assemble(areas(long), pairs, Some(boundaries), postcodes).unwrap();
        let first = &geography.areas[0];
        assert!((first.latitude - 53.4025).abs() < 1e-4 && (first.longitude + 2.3075).abs() < 1e-4);
        assert!((first.area_km2 - 0.185).abs() < 0.01, "{}", first.area_km2);
        assert_eq!(first.place.as_deref(), Some("Westbrook"));
        assert_eq!(geography.areas[1].place.as_deref(), Some("Eastfield"));
        assert_eq!(geography.postcodes[0].small_area.as_deref(), Some("E00000001"));
        assert_eq!(geography.postcodes[4].small_area, None);
        assert!(geography.rejected[0].to_string().contains("1 postcode lies outside every small area"));
        let first_cells = geography.cells.iter().filter(|(_, a)| *a == 0).count();
        assert!(
            (8..=16).contains(&first_cells),
            "a 0.185 km² square holds about 12 cells, not {first_cells}"
        );
    }
}
