//! The small-areas file: each small area's code and population, and its
//! centre, size and place where the file gives them.

use std::collections::HashMap;
use std::io::Read;

use super::{FileRows, Input, Problem, csv_reader, is_code, records};
use crate::geo::cells::on_globe;
use crate::geo::onspd::find;

const WHAT: Input = Input::SmallAreas;

/// One small area as its file gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct SmallAreaRow {
    pub code: String,
    pub population: u32,
    /// Its centre (latitude, longitude), when the file gives one.
    pub centre: Option<(f64, f64)>,
    pub area_km2: Option<f64>,
    /// Its ward or place name, when the file gives one.
    pub place: Option<String>,
    pub line: u64,
}

fn population(text: &str) -> Result<u32, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if n > 0 => u32::try_from(n).map_err(|_| format!("population {n} is too large")),
        Ok(n) => Err(format!("population {n}: a small area needs at least one resident")),
        Err(_) => Err(format!("population '{text}' is not a whole number")),
    }
}

/// Indicators that give a small area's whole population in a long census table.
const TOTALS: &[&str] =
    &["all persons", "total", "all usual residents", "total: all usual residents", "persons"];

/// Reads the small areas: a wide file (a code, a population and a centre per
/// row) or a long census table (rows of `area_code`, `indicator`, `value`, of
/// which the "All persons" rows give the population).
pub fn read_small_areas(input: impl Read) -> Result<FileRows<SmallAreaRow>, Problem> {
    let (mut reader, headers) = csv_reader(input, WHAT)?;
    let columns = Columns::from_headers(&headers)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, record) in records(&mut reader, WHAT, &mut problems) {
        if !columns.is_total(&record) {
            continue;
        }
        match columns.small_area(line, &record, &mut first_line) {
            Ok(row) => rows.push(row),
            Err(problem) => problems.push(problem),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        let hint =
            if columns.long.is_some() { " (no row's indicator is 'All persons' or 'Total')" } else { "" };
        problems.push(Problem::new(WHAT, None, format!("no small areas in the file{hint}")));
    }
    Ok(FileRows { rows, problems })
}

/// Where each column is in a small-areas file.
struct Columns {
    code: usize,
    /// The indicator and value columns of a long census table.
    long: Option<(usize, usize)>,
    /// The population column of a wide file.
    count: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    area: Option<usize>,
    place: Option<usize>,
}

impl Columns {
    fn from_headers(headers: &[String]) -> Result<Columns, Problem> {
        let code =
            find(headers, &["oa21cd", "oa11cd", "lsoa21cd", "lsoa11cd", "area_code", "code", "small_area"])
                .ok_or_else(|| {
                Problem::new(WHAT, Some(1), "no column of area codes (oa21cd, area_code or code)")
            })?;
        let long = find(headers, &["indicator"]).zip(find(headers, &["value"]));
        let count = if long.is_some() {
            None
        } else {
            Some(find(headers, &["population", "all_persons", "usual_residents", "persons"]).ok_or_else(
                || {
                    Problem::new(
                        WHAT,
                        Some(1),
                        "no population column (population), and not a long table (indicator, value)",
                    )
                },
            )?)
        };
        Ok(Columns {
            code,
            long,
            count,
            lat: find(headers, &["centroid_lat", "latitude", "lat", "interior_lat"]),
            lon: find(headers, &["centroid_lon", "longitude", "lon", "long", "interior_lon"]),
            area: headers.iter().position(|h| h.starts_with("area_km2")),
            place: find(headers, &["ward_name", "wd25nm", "wd24nm", "wd23nm", "wd22nm", "place"]),
        })
    }

    /// Whether a row gives a small area's whole population: every row of a
    /// wide file does, and the rows of a long table whose indicator is a total.
    fn is_total(&self, record: &csv::StringRecord) -> bool {
        match self.long {
            Some((indicator, _)) => TOTALS.contains(&field(record, indicator).to_ascii_lowercase().as_str()),
            None => true,
        }
    }

    /// The small area on a row. `first_line` holds the line each code was
    /// first seen on, so that a second row for it is refused.
    fn small_area(
        &self,
        line: u64,
        record: &csv::StringRecord,
        first_line: &mut HashMap<String, u64>,
    ) -> Result<SmallAreaRow, Problem> {
        let problem = |message: String| Problem::new(WHAT, Some(line), message);
        let text = field(record, self.code);
        if !is_code(text) {
            return Err(problem(format!("'{text}' is not an area code")));
        }
        if let Some(first) = first_line.get(text) {
            return Err(problem(format!("{text} appears twice (first on line {first})")));
        }
        first_line.insert(text.to_string(), line);
        let value = self.long.map_or(self.count.unwrap_or(0), |(_, value)| value);
        let people =
            population(field(record, value)).map_err(|message| problem(format!("{text}: {message}")))?;
        let number =
            |i: Option<usize>| i.and_then(|i| field(record, i).parse::<f64>().ok()).filter(|x| x.is_finite());
        let centre = match (self.lat, self.lon) {
            (Some(la), Some(lo)) => match (number(Some(la)), number(Some(lo))) {
                (Some(la), Some(lo)) if on_globe(la, lo) => Some((la, lo)),
                _ => return Err(problem(format!("{text}: no usable latitude and longitude"))),
            },
            _ => None,
        };
        Ok(SmallAreaRow {
            code: text.to_string(),
            population: people,
            centre,
            area_km2: number(self.area).filter(|a| *a > 0.0),
            place: self.place.map(|i| field(record, i)).filter(|p| !p.is_empty()).map(str::to_string),
            line,
        })
    }
}

/// A row's cell, or "" where the row is short.
fn field(record: &csv::StringRecord, i: usize) -> &str {
    record.get(i).unwrap_or("")
}
