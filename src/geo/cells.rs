//! H3 cells and distances. Every location carries its cell at resolution 10
//! (about 15,000 m², an edge of about 66 m); a search radius is covered by a
//! small set of cells at a coarser resolution, and each candidate is then
//! checked exactly with the haversine distance.

use geo::{Distance, Haversine, Point};
use h3o::{CellIndex, LatLng, Resolution};

/// The resolution every location's cell is kept at.
pub const LOCATION_RESOLUTION: Resolution = Resolution::Ten;

/// The most rings a cover may have: a disk of 6 rings is 127 cells. Fewer,
/// coarser cells mean fewer index look-ups and a few more exact distance
/// checks, which are cheaper.
const MAX_RINGS: u32 = 6;

/// How much smaller than average a cell may be, as a share of the average
/// edge (cells vary in size across the globe; this keeps covers whole).
const SMALLEST_EDGE: f64 = 0.7;

/// Whether a latitude and longitude name a point on the globe. (h3o wraps
/// out-of-range degrees instead of refusing them, so this is checked here.)
pub fn on_globe(latitude: f64, longitude: f64) -> bool {
    (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)
}

fn point(latitude: f64, longitude: f64) -> Option<LatLng> {
    on_globe(latitude, longitude).then(|| LatLng::new(latitude, longitude).ok()).flatten()
}

/// The cell a point falls in, or `None` for coordinates off the globe.
pub fn cell_of(latitude: f64, longitude: f64) -> Option<CellIndex> {
    point(latitude, longitude).map(|p| p.to_cell(LOCATION_RESOLUTION))
}

/// The distance in metres between two points given as (latitude, longitude).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
}

/// Distances from one point to many, as `distance_m` gives them, for
/// measuring every match of a search: near the point, the ground is flat
/// enough that the distance is the straight line across a plane whose
/// degrees of longitude are as wide as at the point (off by under a metre at
/// 2 km, 10 m at 10 km in Britain); beyond 10 km, `distance_m` itself.
#[derive(Clone, Copy, Debug)]
pub struct DistancesFrom {
    origin: (f64, f64),
    /// Metres in a degree of latitude, and of longitude at the point.
    per_degree: (f64, f64),
}

/// Beyond this many metres, distances are worked out in full.
const FLAT_M: f64 = 10_000.0;
/// The Earth's mean radius, as `geo`'s haversine takes it.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl DistancesFrom {
    pub fn new(origin: (f64, f64)) -> DistancesFrom {
        let per_degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        DistancesFrom { origin, per_degree: (per_degree, per_degree * origin.0.to_radians().cos()) }
    }

    /// The distance in metres from the point to `to`.
    pub fn to(&self, to: (f64, f64)) -> f64 {
        let y = (to.0 - self.origin.0) * self.per_degree.0;
        let x = (to.1 - self.origin.1) * self.per_degree.1;
        let flat = (x * x + y * y).sqrt();
        if flat <= FLAT_M { flat } else { distance_m(self.origin, to) }
    }
}

/// A set of cells that together hold every point within a radius of a centre
/// (and some beyond it). Where all seven children of a cell are in the set,
/// the cell stands for them, so the set has fewer, mixed-resolution cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    pub cells: Vec<CellIndex>,
}

impl Cover {
    /// Whether a location's cell (at any finer resolution) lies in the cover.
    pub fn contains(&self, cell: CellIndex) -> bool {
        Resolution::range(Resolution::Zero, cell.resolution())
            .any(|r| cell.parent(r).is_some_and(|parent| self.cells.contains(&parent)))
    }
}

/// The numbers of the locations' cells within `cell` (at locations'
/// resolution, or `cell` itself when it is that fine or finer), first and
/// last: a cell's number starts with its coarser cells' digits, so every
/// number between is one of them.
pub fn locations_within(cell: CellIndex) -> (u64, u64) {
    if cell.resolution() >= LOCATION_RESOLUTION {
        return (u64::from(cell), u64::from(cell));
    }
    let last = cell.children_count(LOCATION_RESOLUTION).saturating_sub(1);
    let child = |position| cell.child_at(position, LOCATION_RESOLUTION).map_or(u64::from(cell), u64::from);
    (child(0), child(last))
}

/// The cells covering a radius around a point: the disk of the finest
/// resolution (no finer than locations') that needs at most `MAX_RINGS`
/// rings, compacted. `None` for coordinates off the globe or a radius that is
/// not a positive distance.
pub fn cover(latitude: f64, longitude: f64, radius_m: f64) -> Option<Cover> {
    if !(radius_m.is_finite() && radius_m > 0.0) {
        return None;
    }
    let centre = point(latitude, longitude)?;
    let finest = u8::from(LOCATION_RESOLUTION);
    (0..=finest).rev().find_map(|r| {
        let resolution = Resolution::try_from(r).ok()?;
        let edge = resolution.edge_length_m() * SMALLEST_EDGE;
        // A disk of k rings holds every point within about (k + 0.5) * 1.5
        // edges of its centre; one more ring allows for the centre cell's own size.
        let rings = (radius_m / (1.5 * edge)).ceil() + 1.0;
        if rings > f64::from(MAX_RINGS) && r > 0 {
            return None;
        }
        let mut cells =
            centre.to_cell(resolution).grid_disk::<Vec<_>>(rings.min(f64::from(MAX_RINGS)) as u32);
        cells.sort_unstable();
        // Compaction only fails on a set with repeats, which a disk never has.
        let _ = CellIndex::compact(&mut cells);
        Some(Cover { cells })
    })
}

/// One ring of an outline: (latitude, longitude) points, first and last the same.
pub type Ring = Vec<(f64, f64)>;

/// The outline of a set of cells (at locations' resolution): one polygon per
/// piece, each an outer ring and any holes. Empty for no cells. Outlines are
/// not smoothed: neighbouring outlines then share their edges exactly.
pub fn outline(cells: &[CellIndex]) -> Vec<Vec<Ring>> {
    let mut unique = cells.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let Ok(shape) = h3o::geom::SolventBuilder::new().build().dissolve(unique) else { return Vec::new() };
    let ring = |line: &geo::LineString<f64>| line.coords().map(|c| (c.y, c.x)).collect::<Ring>();
    shape
        .0
        .iter()
        .map(|polygon| {
            std::iter::once(ring(polygon.exterior())).chain(polygon.interiors().iter().map(ring)).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The locations' cells within a coarser cell are exactly those whose
    /// numbers lie between its first and last, a pentagon's too.
    #[test]
    fn the_locations_within_a_cell_are_one_run_of_numbers() {
        let near = cell_of(53.42, -2.33).unwrap();
        let pentagon = CellIndex::base_cells().find(|c| c.is_pentagon()).unwrap();
        for cell in [near.parent(Resolution::Seven).unwrap(), pentagon.center_child(Resolution::Six).unwrap()]
        {
            let (first, last) = locations_within(cell);
            let children: Vec<u64> = cell.children(LOCATION_RESOLUTION).map(u64::from).collect();
            assert_eq!(children.len() as u64, cell.children_count(LOCATION_RESOLUTION));
            assert_eq!((first, last), (children[0], children[children.len() - 1]));
            assert!(children.is_sorted(), "in the order of their numbers");
            // Every location cell between them is a child: the neighbours' are outside.
            for neighbour in cell.grid_disk::<Vec<_>>(1).into_iter().filter(|c| *c != cell) {
                let (a, b) = locations_within(neighbour);
                assert!(b < first || a > last, "a neighbour's run is outside");
            }
        }
        assert_eq!(locations_within(near), (u64::from(near), u64::from(near)));
    }

    #[test]
    fn near_distances_are_within_a_metre_of_the_full_reckoning_and_far_ones_are_it() {
        let origin = (53.42, -2.33);
        let from = DistancesFrom::new(origin);
        for (dlat, dlon) in [(0.0, 0.0), (0.018, 0.0), (0.0, 0.03), (-0.012, 0.02), (0.005, -0.025)] {
            let to = (origin.0 + dlat, origin.1 + dlon);
            let (near, full) = (from.to(to), distance_m(origin, to));
            assert!((near - full).abs() < 1.0, "{to:?}: {near} against {full}");
        }
        let nine_km = (origin.0 + 0.06, origin.1 + 0.08);
        assert!((from.to(nine_km) - distance_m(origin, nine_km)).abs() < 10.0);
        let london = (51.5, -0.12);
        assert_eq!(from.to(london), distance_m(origin, london));
    }

    #[test]
    fn distances_are_in_metres() {
        // Sale (M33) to Altrincham (WA14): about 5.2 km.
        let d = distance_m((53.4248, -2.3226), (53.3838, -2.3519));
        assert!((4_900.0..5_300.0).contains(&d), "{d}");
        assert_eq!(distance_m((53.0, -2.0), (53.0, -2.0)), 0.0);
    }

    #[test]
    fn cells_are_fine_and_off_globe_points_have_none() {
        let cell = cell_of(53.4248, -2.3226).expect("a cell");
        assert_eq!(cell.resolution(), LOCATION_RESOLUTION);
        assert!(cell_of(91.0, 0.0).is_none());
        assert!(cell_of(f64::NAN, 0.0).is_none());
    }

    #[test]
    fn a_cover_holds_every_point_within_the_radius() {
        // Points spread over every direction and distance up to the radius,
        // at British latitudes, for radii from 200 m to 50 km.
        for (centre, radius) in [
            ((53.42, -2.32), 200.0),
            ((53.42, -2.32), 1_500.0),
            ((51.5, -0.12), 5_000.0),
            ((57.1, -2.1), 50_000.0),
            ((53.42, -2.32), 200_000.0),
        ] {
            let cover = cover(centre.0, centre.1, radius).expect("a cover");
            assert!(cover.cells.len() <= 127, "{} cells", cover.cells.len());
            for step in 0..720 {
                let bearing = f64::from(step) * 0.5_f64.to_radians();
                let reach = radius * f64::from(step % 10 + 1) / 10.0;
                // Move `reach` metres along `bearing` (small-distance approximation, then checked).
                let lat = centre.0 + reach * bearing.cos() / 111_320.0;
                let lon = centre.1 + reach * bearing.sin() / (111_320.0 * centre.0.to_radians().cos());
                if distance_m(centre, (lat, lon)) > radius {
                    continue;
                }
                let cell = cell_of(lat, lon).expect("a cell");
                assert!(
                    cover.contains(cell),
                    "radius {radius}: a point {reach:.0} m away is outside the cover"
                );
            }
        }
    }

    #[test]
    fn a_bad_radius_has_no_cover() {
        assert!(cover(53.0, -2.0, 0.0).is_none());
        assert!(cover(53.0, -2.0, -5.0).is_none());
        assert!(cover(53.0, -2.0, f64::INFINITY).is_none());
        assert!(cover(95.0, -2.0, 1_000.0).is_none());
    }

    #[test]
    fn the_outline_of_a_disk_of_cells_is_one_ring_round_it() {
        let centre = cell_of(53.42, -2.32).unwrap();
        let disk: Vec<CellIndex> = centre.grid_disk(2);
        let outline = outline(&disk);
        assert_eq!(outline.len(), 1, "one piece");
        assert_eq!(outline[0].len(), 1, "no holes");
        let ring = &outline[0][0];
        assert_eq!(ring.first(), ring.last());
        // Every point of the ring is at the disk's edge, about 2.5 cells from the centre.
        for &(lat, lon) in ring {
            let d = distance_m((53.42, -2.32), (lat, lon));
            assert!((200.0..420.0).contains(&d), "{d} m");
        }
        assert!(super::outline(&[]).is_empty());
    }
}
