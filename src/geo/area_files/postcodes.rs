//! The postcodes placed in the small areas, and the places they name.

use std::collections::{BTreeMap, HashMap};

use geo::{Contains, MultiPolygon};
use h3o::CellIndex;

use super::{Area, Input, Problem};
use crate::geo::cells::cell_of;
use crate::geo::onspd::PostcodeRow;

/// The postcodes, each in the small area that holds it where one does.
pub(super) struct Placed {
    /// Each postcode with its area's position.
    pub(super) postcodes: Vec<(PostcodeRow, Option<usize>)>,
    /// Every cell with its area's position: the areas' own cells, and those
    /// of postcodes at their edges.
    pub(super) by_cell: HashMap<CellIndex, usize>,
    /// The postcodes no area holds.
    pub(super) outside: Vec<String>,
}

/// Places each postcode in the area its file names, else the area owning its
/// cell, else the area whose outline holds it.
pub(super) fn place_postcodes(
    postcodes: Vec<PostcodeRow>,
    position: &HashMap<&str, usize>,
    areas: &[Area],
    shapes: &[Option<MultiPolygon<f64>>],
    cells: Vec<(CellIndex, usize)>,
) -> Placed {
    let mut by_cell: HashMap<CellIndex, usize> = cells.into_iter().collect();
    let mut placed = Vec::with_capacity(postcodes.len());
    let mut outside = Vec::new();
    for mut postcode in postcodes {
        let named = postcode.small_area.as_deref().and_then(|code| position.get(code)).copied();
        let cell = cell_of(postcode.latitude, postcode.longitude);
        let found = named
            .or_else(|| cell.and_then(|c| by_cell.get(&c)).copied())
            .or_else(|| outline_holding(shapes, postcode.latitude, postcode.longitude));
        // A postcode inside an area at its edge, in a cell whose centre is
        // outside every area: the cell joins the area, so that venues there
        // find it too.
        if let (Some(i), Some(cell)) = (found, cell) {
            by_cell.entry(cell).or_insert(i);
        }
        postcode.small_area = found.map(|i| areas[i].code.clone());
        if found.is_none() {
            outside.push(postcode.postcode.to_string());
        }
        placed.push((postcode, found));
    }
    Placed { postcodes: placed, by_cell, outside }
}

/// The area whose outline holds a point, if any does.
fn outline_holding(shapes: &[Option<MultiPolygon<f64>>], latitude: f64, longitude: f64) -> Option<usize> {
    let point = geo::Point::new(longitude, latitude);
    shapes.iter().position(|shape| shape.as_ref().is_some_and(|s| s.contains(&point)))
}

/// Gives each area without a place the one most of its postcodes name (of
/// two named as often, the first by name).
pub(super) fn name_places(areas: &mut [Area], postcodes: &[(PostcodeRow, Option<usize>)]) {
    let mut places: Vec<BTreeMap<&str, u32>> = vec![BTreeMap::new(); areas.len()];
    for (postcode, area) in postcodes {
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
}

/// The postcodes no small area holds, as one problem naming the first five.
pub(super) fn outside_problem(outside: &[String]) -> Option<Problem> {
    if outside.is_empty() {
        return None;
    }
    let shown: Vec<&str> = outside.iter().take(5).map(String::as_str).collect();
    let more = if outside.len() > 5 { format!(" and {} more", outside.len() - 5) } else { String::new() };
    Some(Problem::new(
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
    ))
}
