//! The borough's ground: small areas laid out on an offset grid, each given
//! to its nearest place (a village or district), and three postcodes in each.

use super::Dice;
use super::templates::Templates;

/// People living in one small area, on average (Census output areas hold about 300).
const PEOPLE_PER_AREA: u32 = 310;
/// Small areas per place (neighbourhood-sized village or district).
pub(super) const AREAS_PER_PLACE: usize = 37;
/// The most places a borough has; bigger boroughs have bigger places. Keeps
/// every place within one postcode district (see `outward_code`).
pub(super) const MAX_PLACES: usize = 2_000;
/// Postcodes in each small area.
pub(super) const POSTCODES_PER_AREA: usize = 3;
/// Letters allowed in the last two places of a postcode.
const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
/// Distance between neighbouring small areas' centres, in degrees.
pub(super) const AREA_STEP_LAT: f64 = 0.0035;
pub(super) const AREA_STEP_LON: f64 = 0.0058;

/// A small area (a Census output area in real data).
#[derive(Clone, Debug, PartialEq)]
pub struct SmallArea {
    pub code: String,
    pub name: String,
    /// The village or district it is part of, which names its neighbourhood.
    pub place: String,
    pub population: u32,
    pub latitude: f64,
    pub longitude: f64,
}

/// A postcode and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Postcode {
    pub postcode: String,
    pub latitude: f64,
    pub longitude: f64,
    pub small_area: String,
}

/// The place names: the written ones, then (for big boroughs) their quarters,
/// then numbered districts.
pub(super) fn place_names(written: &[String], wanted: usize) -> Vec<String> {
    let mut names: Vec<String> = written.to_vec();
    let quarters = ["North", "South", "East", "West", "Central", "Upper", "Lower", "Green", "Park", "Moor"];
    let mut round = 0;
    while names.len() < wanted {
        for base in written {
            if names.len() >= wanted {
                break;
            }
            names.push(match quarters.get(round) {
                Some(q) => format!("{base} {q}"),
                None => format!("{base} {}", round - quarters.len() + 2),
            });
        }
        round += 1;
    }
    names
}

/// Small areas, their adjacency (index pairs with shared boundary in metres),
/// and the place each area belongs to.
pub(super) type Areas = (Vec<SmallArea>, Vec<(usize, usize, f64)>, Vec<usize>);

/// Lays the small areas out on an offset (hexagonal) grid, so each has up to six
/// neighbours as real output areas do, and gives each to its nearest place.
pub(super) fn build_areas(t: &Templates, places: &[String], count: usize, dice: &mut Dice) -> Areas {
    let grid = Grid::new(count, t.latitude, t.longitude);
    let place_grid = PlaceGrid::over(&grid, places.len());
    // All the areas' dice first, then the boundaries': the same dice give the same borough.
    let (areas, area_place) = lay_out_areas(&grid, &place_grid, places, dice);
    let adjacency = adjacency(&grid, dice);
    (areas, adjacency, area_place)
}

/// The offset grid the small areas sit on, centred on the borough's centre:
/// `columns` areas to a row, odd rows shifted half a step east.
struct Grid {
    count: usize,
    columns: usize,
    rows: usize,
    latitude: f64,
    longitude: f64,
}

impl Grid {
    fn new(count: usize, latitude: f64, longitude: f64) -> Grid {
        let columns = (count as f64).sqrt().ceil().max(1.0) as usize;
        Grid { count, columns, rows: count.div_ceil(columns), latitude, longitude }
    }

    /// The row and column of the `index`th area.
    fn cell(&self, index: usize) -> (usize, usize) {
        (index / self.columns, index % self.columns)
    }

    /// The centre of the area at `row` and `col`, before any jitter.
    fn position(&self, row: usize, col: usize) -> (f64, f64) {
        let centre_row = self.rows as f64 / 2.0;
        let centre_col = self.columns as f64 / 2.0;
        let shift = if row % 2 == 1 { 0.5 } else { 0.0 };
        (
            self.latitude + (row as f64 - centre_row) * AREA_STEP_LAT,
            self.longitude + (col as f64 + shift - centre_col) * AREA_STEP_LON,
        )
    }
}

/// The places' centres, on a coarse grid over the same ground.
struct PlaceGrid {
    columns: usize,
    rows: usize,
    centres: Vec<(f64, f64)>,
}

impl PlaceGrid {
    fn over(grid: &Grid, places: usize) -> PlaceGrid {
        let columns = (places as f64).sqrt().ceil().max(1.0) as usize;
        let rows = places.div_ceil(columns);
        let centres = (0..places)
            .map(|p| {
                let (pr, pc) = (p / columns, p % columns);
                let row = (pr as f64 + 0.5) * grid.rows as f64 / rows as f64;
                let col = (pc as f64 + 0.5) * grid.columns as f64 / columns as f64;
                grid.position(row as usize, col as usize)
            })
            .collect();
        PlaceGrid { columns, rows, centres }
    }

    /// The place whose centre is nearest the area at `row` and `col` of
    /// `grid`, whose centre is `lat`, `lon`.
    fn nearest(&self, grid: &Grid, (row, col): (usize, usize), (lat, lon): (f64, f64)) -> usize {
        // Place centres sit on a grid, so look only at the nearby ones.
        let guess_pr = ((row as f64 / grid.rows as f64) * self.rows as f64) as isize;
        let guess_pc = ((col as f64 / grid.columns as f64) * self.columns as f64) as isize;
        let mut best = (f64::MAX, 0usize);
        for dr in -1..=1 {
            for dc in -1..=1 {
                let (pr, pc) = (guess_pr + dr, guess_pc + dc);
                if pr < 0 || pc < 0 || pc as usize >= self.columns {
                    continue;
                }
                let p = pr as usize * self.columns + pc as usize;
                if let Some(&(plat, plon)) = self.centres.get(p) {
                    let d = (plat - lat).powi(2) + ((plon - lon) * 0.6).powi(2);
                    if d < best.0 {
                        best = (d, p);
                    }
                }
            }
        }
        best.1
    }
}

/// The small areas, each in its nearest place and named after it, and the
/// place each belongs to.
fn lay_out_areas(
    grid: &Grid,
    place_grid: &PlaceGrid,
    places: &[String],
    dice: &mut Dice,
) -> (Vec<SmallArea>, Vec<usize>) {
    let mut areas = Vec::with_capacity(grid.count);
    let mut area_place = Vec::with_capacity(grid.count);
    let mut per_place = vec![0usize; places.len()];
    for index in 0..grid.count {
        let (row, col) = grid.cell(index);
        let (lat, lon) = grid.position(row, col);
        let jitter_lat = (dice.unit() - 0.5) * AREA_STEP_LAT * 0.3;
        let jitter_lon = (dice.unit() - 0.5) * AREA_STEP_LON * 0.3;
        let place = place_grid.nearest(grid, (row, col), (lat, lon));
        per_place[place] += 1;
        let spread = PEOPLE_PER_AREA as usize / 4;
        areas.push(SmallArea {
            code: format!("D{:08}", index + 1),
            name: format!("{} {:03}", places[place], per_place[place]),
            place: places[place].clone(),
            population: (PEOPLE_PER_AREA as usize - spread + dice.below(2 * spread + 1)) as u32,
            latitude: lat + jitter_lat,
            longitude: lon + jitter_lon,
        });
        area_place.push(place);
    }
    (areas, area_place)
}

/// Which areas share a boundary, and how long it is in metres.
fn adjacency(grid: &Grid, dice: &mut Dice) -> Vec<(usize, usize, f64)> {
    let mut adjacency = Vec::new();
    for index in 0..grid.count {
        let (row, col) = grid.cell(index);
        // Right, and the two below (which two depends on the row's offset).
        let below_left = if row % 2 == 1 { col } else { col.wrapping_sub(1) };
        let candidates = [(row, col + 1), (row + 1, below_left), (row + 1, below_left.wrapping_add(1))];
        for (r, c) in candidates {
            if c < grid.columns && r < grid.rows {
                let other = r * grid.columns + c;
                if other < grid.count {
                    let shared = 180.0 + dice.unit() * 120.0;
                    adjacency.push((index, other, shared));
                }
            }
        }
    }
    adjacency
}

/// Three postcodes in each small area, in the form QK12 3AB. The area QK is one
/// no real UK postcode uses.
pub(super) fn build_postcodes(
    t: &Templates,
    places: &[String],
    areas: &[SmallArea],
    area_place: &[usize],
) -> Vec<Postcode> {
    let mut used_in_place = vec![0usize; places.len()];
    let letters = UNIT_LETTERS.len();
    let mut postcodes = Vec::with_capacity(areas.len() * POSTCODES_PER_AREA);
    for (area, &place) in areas.iter().zip(area_place) {
        for n in 0..POSTCODES_PER_AREA {
            let k = used_in_place[place];
            used_in_place[place] += 1;
            let sector = (k / (letters * letters)) % 10;
            let unit = k % (letters * letters);
            let outward = outward_code(&t.postcode_area, place);
            postcodes.push(Postcode {
                postcode: format!(
                    "{outward} {sector}{}{}",
                    UNIT_LETTERS[unit / letters] as char,
                    UNIT_LETTERS[unit % letters] as char
                ),
                latitude: area.latitude + (n as f64 - 1.0) * 0.0004,
                longitude: area.longitude + (n as f64 - 1.0) * 0.0006,
                small_area: area.code.clone(),
            });
        }
    }
    postcodes
}

/// The outward code of a place: QK1 to QK99, then QL1 and on for big boroughs
/// (26 letters of 99 districts each cover `MAX_PLACES`).
fn outward_code(area: &str, place: usize) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let first = area.chars().next().unwrap_or('Q');
    let start =
        area.as_bytes().get(1).copied().and_then(|b| LETTERS.iter().position(|&l| l == b)).unwrap_or(10);
    let second = LETTERS[(start + place / 99) % LETTERS.len()] as char;
    format!("{first}{second}{}", place % 99 + 1)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::NaiveDate;

    use super::*;
    use crate::demo::{DemoSize, generate};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn postcodes_cannot_be_real_and_are_unique() {
        let demo = generate(DemoSize::DEMO, today()).unwrap();
        let mut seen = HashSet::new();
        for p in &demo.postcodes {
            assert!(p.postcode.starts_with('Q'), "{}", p.postcode);
            assert!(seen.insert(p.postcode.clone()), "{} twice", p.postcode);
            let (outward, inward) = p.postcode.split_once(' ').unwrap();
            assert!((3..=4).contains(&outward.len()) && inward.len() == 3, "{}", p.postcode);
        }
        assert_eq!(demo.postcodes.len(), demo.small_areas.len() * POSTCODES_PER_AREA);
    }

    #[test]
    fn every_small_area_has_a_neighbour() {
        let demo = generate(DemoSize::DEMO, today()).unwrap();
        let mut has_neighbour = vec![false; demo.small_areas.len()];
        for &(a, b, _) in &demo.adjacency {
            assert_ne!(a, b);
            has_neighbour[a] = true;
            has_neighbour[b] = true;
        }
        assert!(has_neighbour.iter().all(|&h| h));
    }
}
