//! Reads an area's geography as ONS and councils publish it: small areas with
//! their population (a wide file with a centre per row, like the Census 2021
//! output-area files, or a long census table of
//! `area_code,...,indicator,...,value`), which small areas touch (pairs with
//! the length of boundary they share), their boundaries (GeoJSON) and the
//! postcodes in them. Every problem names its file and line, or its area.
//! `assemble` checks the pieces against each other and works out the H3 cells
//! each small area covers, which is how a location finds its neighbourhood.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

use geo::{Centroid, ChamberlainDuquetteArea, Contains, Coord, LineString, MultiPolygon, Polygon};
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng};

use super::cells::{LOCATION_RESOLUTION, cell_of, distance_m, on_globe};
use super::onspd::{PostcodeRow, find};

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

/// A pair of small areas that share a boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct AdjacencyRow {
    pub a: String,
    pub b: String,
    pub shared_m: Option<f64>,
    pub line: u64,
}

/// A small area's outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    pub code: String,
    pub shape: MultiPolygon<f64>,
    pub feature: u64,
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
    const WHAT: Input = Input::SmallAreas;
    let (mut reader, headers) = csv_reader(input, WHAT)?;
    let code =
        find(&headers, &["oa21cd", "oa11cd", "lsoa21cd", "lsoa11cd", "area_code", "code", "small_area"])
            .ok_or_else(|| {
                Problem::new(WHAT, Some(1), "no column of area codes (oa21cd, area_code or code)")
            })?;
    let long = find(&headers, &["indicator"]).zip(find(&headers, &["value"]));
    let count = if long.is_some() {
        None
    } else {
        Some(find(&headers, &["population", "all_persons", "usual_residents", "persons"]).ok_or_else(
            || {
                Problem::new(
                    WHAT,
                    Some(1),
                    "no population column (population), and not a long table (indicator, value)",
                )
            },
        )?)
    };
    let lat = find(&headers, &["centroid_lat", "latitude", "lat", "interior_lat"]);
    let lon = find(&headers, &["centroid_lon", "longitude", "lon", "long", "interior_lon"]);
    let area = headers.iter().position(|h| h.starts_with("area_km2"));
    let place = find(&headers, &["ward_name", "wd25nm", "wd24nm", "wd23nm", "wd22nm", "place"]);

    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, record) in records(&mut reader, WHAT, &mut problems) {
        let field = |i: usize| record.get(i).unwrap_or("");
        if let Some((indicator, _)) = long
            && !TOTALS.contains(&field(indicator).to_ascii_lowercase().as_str())
        {
            continue;
        }
        let text = field(code);
        if !is_code(text) {
            problems.push(Problem::new(WHAT, Some(line), format!("'{text}' is not an area code")));
            continue;
        }
        if let Some(first) = first_line.get(text) {
            problems.push(Problem::new(
                WHAT,
                Some(line),
                format!("{text} appears twice (first on line {first})"),
            ));
            continue;
        }
        first_line.insert(text.to_string(), line);
        let people = match population(field(long.map_or(count.unwrap_or(0), |(_, value)| value))) {
            Ok(p) => p,
            Err(message) => {
                problems.push(Problem::new(WHAT, Some(line), format!("{text}: {message}")));
                continue;
            }
        };
        let number =
            |i: Option<usize>| i.and_then(|i| field(i).parse::<f64>().ok()).filter(|x| x.is_finite());
        let centre = match (lat, lon) {
            (Some(la), Some(lo)) => match (number(Some(la)), number(Some(lo))) {
                (Some(la), Some(lo)) if on_globe(la, lo) => Some((la, lo)),
                _ => {
                    problems.push(Problem::new(
                        WHAT,
                        Some(line),
                        format!("{text}: no usable latitude and longitude"),
                    ));
                    continue;
                }
            },
            _ => None,
        };
        rows.push(SmallAreaRow {
            code: text.to_string(),
            population: people,
            centre,
            area_km2: number(area).filter(|a| *a > 0.0),
            place: place.map(field).filter(|p| !p.is_empty()).map(str::to_string),
            line,
        });
    }
    if rows.is_empty() && problems.is_empty() {
        let hint = if long.is_some() { " (no row's indicator is 'All persons' or 'Total')" } else { "" };
        problems.push(Problem::new(WHAT, None, format!("no small areas in the file{hint}")));
    }
    Ok(FileRows { rows, problems })
}

/// Reads pairs of small areas that share a boundary: `area_a,area_b` and,
/// optionally, `shared_boundary_m`.
pub fn read_adjacency(input: impl Read) -> Result<FileRows<AdjacencyRow>, Problem> {
    const WHAT: Input = Input::Adjacency;
    let (mut reader, headers) = csv_reader(input, WHAT)?;
    let missing =
        || Problem::new(WHAT, Some(1), "expected columns area_a and area_b (and shared_boundary_m)");
    let a = find(&headers, &["area_a", "small_area", "from", "source"]).ok_or_else(missing)?;
    let b = find(&headers, &["area_b", "neighbour", "neighbor", "to", "target"]).ok_or_else(missing)?;
    let shared = find(&headers, &["shared_boundary_m", "length_m", "shared_m", "length"]);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (line, record) in records(&mut reader, WHAT, &mut problems) {
        let (first, second) = (record.get(a).unwrap_or(""), record.get(b).unwrap_or(""));
        if !is_code(first) || !is_code(second) {
            problems.push(Problem::new(
                WHAT,
                Some(line),
                format!("'{first}' and '{second}' are not two area codes"),
            ));
            continue;
        }
        let shared_m = match shared.map(|i| record.get(i).unwrap_or("")) {
            None | Some("") => None,
            Some(text) => match text.parse::<f64>() {
                Ok(m) if m.is_finite() && m >= 0.0 => Some(m),
                _ => {
                    problems.push(Problem::new(
                        WHAT,
                        Some(line),
                        format!("shared boundary '{text}' is not a length"),
                    ));
                    continue;
                }
            },
        };
        rows.push(AdjacencyRow { a: first.to_string(), b: second.to_string(), shared_m, line });
    }
    Ok(FileRows { rows, problems })
}

/// Reads small-area outlines from a GeoJSON FeatureCollection of Polygons
/// and MultiPolygons in longitude and latitude (as ONS publishes them). The
/// code is the feature's `area_code`, `OA21CD` or `code` property.
pub fn read_boundaries(input: impl Read) -> Result<FileRows<Boundary>, Problem> {
    const WHAT: Input = Input::Boundaries;
    let json: serde_json::Value = serde_json::from_reader(input)
        .map_err(|e| Problem::new(WHAT, None, format!("not readable as GeoJSON: {e}")))?;
    let features = json
        .get("features")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| Problem::new(WHAT, None, "not a GeoJSON FeatureCollection (no \"features\" list)"))?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, feature) in features.iter().enumerate() {
        let number = n as u64 + 1;
        let code = feature.get("properties").and_then(serde_json::Value::as_object).and_then(|properties| {
            ["area_code", "oa21cd", "lsoa21cd", "oa11cd", "code"].iter().find_map(|key| {
                properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, v)| v.as_str())
            })
        });
        let Some(code) = code.filter(|c| is_code(c)) else {
            problems.push(Problem::new(WHAT, Some(number), "no area_code property"));
            continue;
        };
        match feature.get("geometry").map(shape) {
            Some(Ok(shape)) => rows.push(Boundary { code: code.to_string(), shape, feature: number }),
            Some(Err(message)) => {
                problems.push(Problem::new(WHAT, Some(number), format!("{code}: {message}")))
            }
            None => problems.push(Problem::new(WHAT, Some(number), format!("{code}: no geometry"))),
        }
    }
    Ok(FileRows { rows, problems })
}

/// A GeoJSON Polygon or MultiPolygon geometry.
fn shape(geometry: &serde_json::Value) -> Result<MultiPolygon<f64>, String> {
    fn ring(value: &serde_json::Value) -> Result<LineString<f64>, String> {
        let points = value.as_array().ok_or("a ring is not a list of points")?;
        let coords = points
            .iter()
            .map(|p| {
                match p
                    .as_array()
                    .map(|xy| (xy.first().and_then(|x| x.as_f64()), xy.get(1).and_then(|y| y.as_f64())))
                {
                    Some((Some(x), Some(y))) if on_globe(y, x) => Ok(Coord { x, y }),
                    _ => Err(String::from("a point is not a longitude and latitude")),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if coords.len() < 4 {
            return Err(String::from("a ring has fewer than four points"));
        }
        Ok(LineString::new(coords))
    }
    fn polygon(value: &serde_json::Value) -> Result<Polygon<f64>, String> {
        let rings = value.as_array().ok_or("a polygon is not a list of rings")?;
        let (outer, holes) = rings.split_first().ok_or("a polygon has no rings")?;
        Ok(Polygon::new(ring(outer)?, holes.iter().map(ring).collect::<Result<_, _>>()?))
    }
    let coordinates = geometry.get("coordinates").ok_or("no coordinates")?;
    match geometry.get("type").and_then(serde_json::Value::as_str) {
        Some("Polygon") => Ok(MultiPolygon::new(vec![polygon(coordinates)?])),
        Some("MultiPolygon") => Ok(MultiPolygon::new(
            coordinates
                .as_array()
                .ok_or("not a list of polygons")?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        )),
        other => Err(format!("a {} is not an area's outline", other.unwrap_or("geometry without a type"))),
    }
}

/// A small area ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    pub code: String,
    pub population: u32,
    pub latitude: f64,
    pub longitude: f64,
    /// From the file, the boundary, or (lacking both) the spacing of its neighbours.
    pub area_km2: f64,
    pub place: Option<String>,
}

/// An area's geography, checked and ready to store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Geography {
    pub areas: Vec<Area>,
    /// Pairs of positions in `areas`, each pair once, with their shared boundary in metres.
    pub adjacency: Vec<(usize, usize, Option<f64>)>,
    /// Every H3 cell (at locations' resolution) in a small area, with the area's position.
    pub cells: Vec<(CellIndex, usize)>,
    /// The postcodes given, each with its small area where one holds it.
    pub postcodes: Vec<PostcodeRow>,
    /// What was left out and why; none of it stopped the import.
    pub rejected: Vec<Problem>,
}

/// Checks the pieces against each other and against what a neighbourhood
/// build needs. Problems with the small areas themselves (unreadable rows,
/// duplicates, no residents, no centre) and areas no adjacency reaches stop
/// the import: a partition of part of the map would be wrong. Adjacency rows,
/// boundaries and postcodes naming unknown areas are left out and listed.
pub fn assemble(
    small_areas: FileRows<SmallAreaRow>,
    adjacency: FileRows<AdjacencyRow>,
    boundaries: Option<FileRows<Boundary>>,
    postcodes: Vec<PostcodeRow>,
) -> Result<Geography, Vec<Problem>> {
    let mut fatal = small_areas.problems;
    let mut rejected = adjacency.problems;
    let rows = small_areas.rows;
    let position: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.code.as_str(), i)).collect();

    let mut shapes: Vec<Option<MultiPolygon<f64>>> = vec![None; rows.len()];
    if let Some(file) = boundaries {
        rejected.extend(file.problems);
        for b in file.rows {
            match position.get(b.code.as_str()) {
                Some(&i) if shapes[i].is_none() => shapes[i] = Some(b.shape),
                Some(_) => rejected.push(Problem::new(
                    Input::Boundaries,
                    Some(b.feature),
                    format!("{} has two outlines; the first is kept", b.code),
                )),
                None => rejected.push(Problem::new(
                    Input::Boundaries,
                    Some(b.feature),
                    format!("{} is not one of the small areas", b.code),
                )),
            }
        }
    }

    let mut pairs: BTreeMap<(usize, usize), Option<f64>> = BTreeMap::new();
    for row in &adjacency.rows {
        match (position.get(row.a.as_str()), position.get(row.b.as_str())) {
            (Some(&a), Some(&b)) if a != b => {
                pairs.entry((a.min(b), a.max(b))).or_insert(row.shared_m);
            }
            (Some(_), Some(_)) => rejected.push(Problem::new(
                Input::Adjacency,
                Some(row.line),
                format!("{} is paired with itself", row.a),
            )),
            (first, _) => {
                let unknown = if first.is_none() { &row.a } else { &row.b };
                rejected.push(Problem::new(
                    Input::Adjacency,
                    Some(row.line),
                    format!("{unknown} is not one of the small areas"),
                ));
            }
        }
    }
    let mut neighbours = vec![0_usize; rows.len()];
    for &(a, b) in pairs.keys() {
        neighbours[a] += 1;
        neighbours[b] += 1;
    }
    if rows.len() > 1 {
        for (row, _) in rows.iter().zip(&neighbours).filter(|(_, n)| **n == 0) {
            fatal.push(Problem::new(
                Input::Adjacency,
                None,
                format!(
                    "{} (line {} of --small-areas) has no neighbour, so no neighbourhood can reach it",
                    row.code, row.line
                ),
            ));
        }
    }

    let mut areas = Vec::with_capacity(rows.len());
    for (row, shape) in rows.iter().zip(&shapes) {
        let centre = row.centre.or_else(|| shape.as_ref().and_then(|s| s.centroid()).map(|p| (p.y(), p.x())));
        let Some((latitude, longitude)) = centre else {
            fatal.push(Problem::new(
                Input::SmallAreas,
                Some(row.line),
                format!("{} has no centre: give its latitude and longitude, or its boundary", row.code),
            ));
            continue;
        };
        let area_km2 =
            row.area_km2.or_else(|| shape.as_ref().map(|s| s.chamberlain_duquette_unsigned_area() / 1e6));
        areas.push(Area {
            code: row.code.clone(),
            population: row.population,
            latitude,
            longitude,
            area_km2: area_km2.unwrap_or(0.0),
            place: row.place.clone(),
        });
    }
    if !fatal.is_empty() {
        return Err(fatal);
    }
    let adjacency: Vec<(usize, usize, Option<f64>)> =
        pairs.into_iter().map(|((a, b), m)| (a, b, m)).collect();
    estimate_missing_areas(&mut areas, &adjacency);
    let cells = cells_of_areas(&areas, &shapes);

    let mut by_cell: HashMap<CellIndex, usize> = cells.iter().copied().collect();
    let mut places: Vec<BTreeMap<&str, u32>> = vec![BTreeMap::new(); areas.len()];
    let mut linked = Vec::with_capacity(postcodes.len());
    let mut outside = Vec::new();
    for mut postcode in postcodes {
        let named = postcode.small_area.as_deref().and_then(|code| position.get(code)).copied();
        let cell = cell_of(postcode.latitude, postcode.longitude);
        let found = named
            .or_else(|| cell.and_then(|c| by_cell.get(&c)).copied())
            .or_else(|| outline_holding(&shapes, postcode.latitude, postcode.longitude));
        // A postcode inside an area at its edge, in a cell whose centre is
        // outside every area: the cell joins the area, so that venues there
        // find it too.
        if let (Some(i), Some(cell)) = (found, cell) {
            by_cell.entry(cell).or_insert(i);
        }
        postcode.small_area = found.map(|i| areas[i].code.clone());
        match found {
            Some(i) => linked.push((postcode, Some(i))),
            None => {
                outside.push(postcode.postcode.to_string());
                linked.push((postcode, None));
            }
        }
    }
    for (postcode, area) in &linked {
        if let (Some(i), Some(place)) = (area, postcode.place.as_deref()) {
            *places[*i].entry(place).or_default() += 1;
        }
    }
    let chosen: Vec<Option<String>> = places
        .iter()
        .map(|counts| {
            counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(p, _)| (*p).to_string())
        })
        .collect();
    for (area, place) in areas.iter_mut().zip(chosen) {
        if area.place.is_none() {
            area.place = place;
        }
    }
    if !outside.is_empty() {
        let shown: Vec<&str> = outside.iter().take(5).map(String::as_str).collect();
        let more = if outside.len() > 5 { format!(" and {} more", outside.len() - 5) } else { String::new() };
        rejected.push(Problem::new(
            Input::Postcodes,
            None,
            match outside.len() {
                1 => format!(
                    "1 postcode lies outside every small area and is kept without one: {}",
                    shown.join(", ")
                ),
                n => format!(
                    "{n} postcodes lie outside every small area and are kept without one: {}{more}",
                    shown.join(", ")
                ),
            },
        ));
    }
    let mut cells: Vec<(CellIndex, usize)> = by_cell.into_iter().collect();
    cells.sort_unstable();
    Ok(Geography {
        areas,
        adjacency,
        cells,
        postcodes: linked.into_iter().map(|(p, _)| p).collect(),
        rejected,
    })
}

/// The area whose outline holds a point, if any does.
fn outline_holding(shapes: &[Option<MultiPolygon<f64>>], latitude: f64, longitude: f64) -> Option<usize> {
    let point = geo::Point::new(longitude, latitude);
    shapes.iter().position(|shape| shape.as_ref().is_some_and(|s| s.contains(&point)))
}

/// Gives an area without a known size the square of the mean distance to its
/// neighbours' centres: what a tiling of equal areas would give.
fn estimate_missing_areas(areas: &mut [Area], adjacency: &[(usize, usize, Option<f64>)]) {
    let mut sums = vec![(0.0, 0_u32); areas.len()];
    for &(a, b, _) in adjacency {
        let d = distance_m((areas[a].latitude, areas[a].longitude), (areas[b].latitude, areas[b].longitude))
            / 1000.0;
        for i in [a, b] {
            sums[i].0 += d;
            sums[i].1 += 1;
        }
    }
    for (area, (sum, n)) in areas.iter_mut().zip(sums) {
        if area.area_km2 <= 0.0 {
            area.area_km2 = if n > 0 { (sum / f64::from(n)).powi(2) } else { 0.1 };
        }
    }
}

/// The H3 cells making up each small area. With an outline, the cells whose
/// centres lie inside it; without one, the cells nearer its centre than any
/// other such area's, out to one and a half times the radius of a disc of
/// its size (so that the corners of a square-ish area are covered). An area too
/// small to hold a cell's centre gets the cell its own centre is in, if free.
fn cells_of_areas(areas: &[Area], shapes: &[Option<MultiPolygon<f64>>]) -> Vec<(CellIndex, usize)> {
    let mut owner: HashMap<CellIndex, usize> = HashMap::new();
    for (i, shape) in shapes.iter().enumerate() {
        let Some(shape) = shape else { continue };
        let mut tiler = TilerBuilder::new(LOCATION_RESOLUTION)
            .containment_mode(ContainmentMode::ContainsCentroid)
            .build();
        if tiler.add_batch(shape.0.iter().cloned()).is_err() {
            continue;
        }
        for cell in tiler.into_coverage() {
            owner.entry(cell).or_insert(i);
        }
    }
    // Areas without an outline: nearest centre wins.
    let spacing_m = LOCATION_RESOLUTION.edge_length_m() * 3_f64.sqrt();
    let mut nearest: HashMap<CellIndex, (f64, usize)> = HashMap::new();
    for (i, area) in areas.iter().enumerate().filter(|(i, _)| shapes[*i].is_none()) {
        let Some(centre) = cell_of(area.latitude, area.longitude) else { continue };
        let reach_m = (area.area_km2 / std::f64::consts::PI).sqrt() * 1000.0 * 1.5;
        let rings = ((reach_m / spacing_m).ceil() as u32 + 1).min(60);
        for cell in centre.grid_disk::<Vec<_>>(rings) {
            if owner.contains_key(&cell) {
                continue;
            }
            let at = LatLng::from(cell);
            let d = distance_m((area.latitude, area.longitude), (at.lat(), at.lng()));
            if d <= reach_m && nearest.get(&cell).is_none_or(|&(best, _)| d < best) {
                nearest.insert(cell, (d, i));
            }
        }
    }
    owner.extend(nearest.into_iter().map(|(cell, (_, i))| (cell, i)));
    let mut has_cell = vec![false; areas.len()];
    for &i in owner.values() {
        has_cell[i] = true;
    }
    for (i, area) in areas.iter().enumerate().filter(|(i, _)| !has_cell[*i]) {
        if let Some(cell) = cell_of(area.latitude, area.longitude) {
            owner.entry(cell).or_insert(i);
        }
    }
    let mut cells: Vec<(CellIndex, usize)> = owner.into_iter().collect();
    cells.sort_unstable();
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

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
