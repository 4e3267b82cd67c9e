//! Assembling the pieces: small areas checked against their neighbours and
//! outlines, each with a centre and a size, the H3 cells they cover, and the
//! postcodes placed in them.

use std::collections::{BTreeMap, HashMap};

use geo::{Centroid, ChamberlainDuquetteArea, MultiPolygon};
use h3o::CellIndex;

use super::coverage::cells_of_areas;
use super::postcodes::{name_places, outside_problem, place_postcodes};
use super::{AdjacencyRow, Boundary, FileRows, Input, Problem, SmallAreaRow};
use crate::geo::cells::distance_m;
use crate::geo::onspd::PostcodeRow;

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
    let shapes = outlines(boundaries, &position, rows.len(), &mut rejected);
    let pairs = neighbour_pairs(&adjacency.rows, &position, &mut rejected);
    if rows.len() > 1 {
        fatal.extend(unreached(&rows, &pairs));
    }
    let mut areas = centred_areas(&rows, &shapes, &mut fatal);
    if !fatal.is_empty() {
        return Err(fatal);
    }
    let adjacency: Vec<(usize, usize, Option<f64>)> =
        pairs.into_iter().map(|((a, b), m)| (a, b, m)).collect();
    estimate_missing_areas(&mut areas, &adjacency);
    let cells = cells_of_areas(&areas, &shapes);
    let placed = place_postcodes(postcodes, &position, &areas, &shapes, cells);
    name_places(&mut areas, &placed.postcodes);
    if let Some(problem) = outside_problem(&placed.outside) {
        rejected.push(problem);
    }
    let mut cells: Vec<(CellIndex, usize)> = placed.by_cell.into_iter().collect();
    cells.sort_unstable();
    Ok(Geography {
        areas,
        adjacency,
        cells,
        postcodes: placed.postcodes.into_iter().map(|(p, _)| p).collect(),
        rejected,
    })
}

/// Each small area's outline, by its position in the small areas. Outlines
/// of areas not among them, and second outlines of one, are left out and listed.
fn outlines(
    boundaries: Option<FileRows<Boundary>>,
    position: &HashMap<&str, usize>,
    count: usize,
    rejected: &mut Vec<Problem>,
) -> Vec<Option<MultiPolygon<f64>>> {
    let mut shapes: Vec<Option<MultiPolygon<f64>>> = vec![None; count];
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
    shapes
}

/// Each pair of neighbours once, by position (the lower first), with the
/// boundary they share. Rows pairing an area with itself or naming an area
/// not among the small areas are left out and listed.
fn neighbour_pairs(
    rows: &[AdjacencyRow],
    position: &HashMap<&str, usize>,
    rejected: &mut Vec<Problem>,
) -> BTreeMap<(usize, usize), Option<f64>> {
    let mut pairs: BTreeMap<(usize, usize), Option<f64>> = BTreeMap::new();
    for row in rows {
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
    pairs
}

/// A problem for each small area that no pair reaches.
fn unreached(rows: &[SmallAreaRow], pairs: &BTreeMap<(usize, usize), Option<f64>>) -> Vec<Problem> {
    let mut neighbours = vec![0_usize; rows.len()];
    for &(a, b) in pairs.keys() {
        neighbours[a] += 1;
        neighbours[b] += 1;
    }
    rows.iter()
        .zip(&neighbours)
        .filter(|(_, n)| **n == 0)
        .map(|(row, _)| {
            Problem::new(
                Input::Adjacency,
                None,
                format!(
                    "{} (line {} of --small-areas) has no neighbour, so no neighbourhood can reach it",
                    row.code, row.line
                ),
            )
        })
        .collect()
}

/// The small areas with their centres and sizes, from the file or else from
/// their outlines; each area with no centre either way is a problem.
fn centred_areas(
    rows: &[SmallAreaRow],
    shapes: &[Option<MultiPolygon<f64>>],
    fatal: &mut Vec<Problem>,
) -> Vec<Area> {
    let mut areas = Vec::with_capacity(rows.len());
    for (row, shape) in rows.iter().zip(shapes) {
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
    areas
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
