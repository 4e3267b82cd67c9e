//! The H3 cells each small area covers.

use std::collections::HashMap;

use geo::MultiPolygon;
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng};

use super::Area;
use crate::geo::cells::{LOCATION_RESOLUTION, cell_of, distance_m};

/// The H3 cells making up each small area. With an outline, the cells whose
/// centres lie inside it; without one, the cells nearer its centre than any
/// other such area's, out to one and a half times the radius of a disc of
/// its size (so that the corners of a square-ish area are covered). An area too
/// small to hold a cell's centre gets the cell its own centre is in, if free.
pub(super) fn cells_of_areas(
    areas: &[Area],
    shapes: &[Option<MultiPolygon<f64>>],
) -> Vec<(CellIndex, usize)> {
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
