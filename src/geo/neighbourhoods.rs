//! Building neighbourhoods: grouping census small areas into contiguous,
//! compact regions of a given population band (the max-p regions problem).
//!
//! Four passes, each deterministic (every choice is by position or by an
//! ordered comparison, never by hash order):
//!
//! 1. Grow. Start from the unassigned area with the fewest unassigned
//!    neighbours (the edge of what is left, so regions sweep inwards and do
//!    not strand pockets), and add the neighbouring area nearest the region's
//!    centre until it is a quarter of the way into the band, never passing
//!    its maximum.
//! 2. Absorb. A region that could not reach the minimum joins a neighbour
//!    with room for it whole, or else is shared out, area by area, among
//!    neighbours with room (only if every area finds a place).
//! 3. Borrow. A region still short takes areas, one at a time, from
//!    neighbours, never leaving a neighbour in pieces (see `borrow`).
//! 4. Tidy. An area on a boundary moves to the neighbouring region whose
//!    centre is clearly nearer, when both stay in the band and in one piece;
//!    a few rounds of this round off the stragglers growth leaves.
//!
//! Whatever is still outside the band afterwards is reported with the reason.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// One small area: its population, its area and its centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmallArea {
    pub population: u32,
    pub area_km2: f64,
    pub latitude: f64,
    pub longitude: f64,
}

/// The population a neighbourhood should have, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub min: u32,
    pub max: u32,
}

impl Band {
    /// A band as someone asked for it: at least one person, and a minimum no
    /// greater than the maximum.
    pub fn new(min: u32, max: u32) -> Result<Band, String> {
        if min == 0 {
            return Err(String::from("the minimum population must be at least 1"));
        }
        if min > max {
            return Err(format!("the minimum population ({min}) is greater than the maximum ({max})"));
        }
        Ok(Band { min, max })
    }

    pub fn contains(self, population: u32) -> bool {
        (self.min..=self.max).contains(&population)
    }

    /// Why `population` is outside the band, when it is.
    pub fn explain(self, population: u32) -> Option<String> {
        if population < self.min {
            Some(format!("{population} people, fewer than the band's minimum of {}", self.min))
        } else if population > self.max {
            Some(format!("{population} people, more than the band's maximum of {}", self.max))
        } else {
            None
        }
    }
}

/// A set of small areas' figures, as a neighbourhood shows them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figures {
    pub population: u32,
    pub area_km2: f64,
    /// The residents' centre: small areas' centres weighted by population.
    pub latitude: f64,
    pub longitude: f64,
    pub compactness: f64,
}

/// The figures of the small areas at positions `members`.
pub fn figures(areas: &[SmallArea], members: &[usize]) -> Figures {
    let population: u32 = members.iter().map(|&a| areas[a].population).sum();
    let weight = f64::from(population.max(1));
    let (latitude, longitude) = members.iter().fold((0.0, 0.0), |(la, lo), &a| {
        let share = f64::from(areas[a].population) / weight;
        (la + areas[a].latitude * share, lo + areas[a].longitude * share)
    });
    Figures {
        population,
        area_km2: members.iter().map(|&a| areas[a].area_km2).sum(),
        latitude,
        longitude,
        compactness: compactness(areas, members),
    }
}

/// One neighbourhood: its small areas (by position in the input, ascending).
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub areas: Vec<usize>,
    pub population: u32,
    /// Normalised moment of inertia: 1 for a disc, nearer 0 the more
    /// stretched or ragged the shape.
    pub compactness: f64,
    /// Why it is outside the band, when it is.
    pub outside_band: Option<String>,
}

/// Every small area in exactly one region.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub regions: Vec<Region>,
    /// For each small area, the position of its region in `regions`.
    pub region_of: Vec<usize>,
}

const UNASSIGNED: usize = usize::MAX;

/// Partitions `areas` (whose neighbours are `adjacent`, by position) into
/// contiguous regions within `band` wherever the geography allows.
pub fn build(areas: &[SmallArea], adjacent: &[Vec<usize>], band: Band) -> Partition {
    let mut work =
        Work { areas, adjacent, band, region_of: vec![UNASSIGNED; areas.len()], members: Vec::new() };
    work.grow();
    work.absorb();
    work.borrow();
    work.tidy();
    work.finish()
}

struct Work<'a> {
    areas: &'a [SmallArea],
    adjacent: &'a [Vec<usize>],
    band: Band,
    region_of: Vec<usize>,
    /// Each region's areas; emptied when a region is absorbed.
    members: Vec<Vec<usize>>,
}

impl Work<'_> {
    /// Where growth stops: a quarter of the way into the band, so that a
    /// region can later give an area to a neighbour and stay inside it.
    fn target(&self) -> u32 {
        self.band.min + (self.band.max - self.band.min) / 4
    }

    fn population(&self, region: usize) -> u32 {
        self.members[region].iter().map(|&a| self.areas[a].population).sum()
    }

    /// Population-weighted centre, in plane kilometres.
    fn centre(&self, members: &[usize]) -> (f64, f64) {
        let weight = |a: usize| f64::from(self.areas[a].population.max(1));
        let total: f64 = members.iter().map(|&a| weight(a)).sum();
        let (x, y) = members.iter().fold((0.0, 0.0), |(x, y), &a| {
            let (ax, ay) = plane(&self.areas[a]);
            (x + ax * weight(a), y + ay * weight(a))
        });
        (x / total, y / total)
    }

    fn grow(&mut self) {
        // Each area's count of unassigned neighbours.
        let mut open: Vec<usize> = self.adjacent.iter().map(Vec::len).collect();
        // Seeds by fewest unassigned neighbours, then position; an entry is
        // stale once its area is taken or its count has gone down.
        let mut seeds: BinaryHeap<Reverse<(usize, usize)>> =
            open.iter().enumerate().map(|(a, &count)| Reverse((count, a))).collect();
        while let Some(Reverse((count, seed))) = seeds.pop() {
            if self.region_of[seed] != UNASSIGNED || count != open[seed] {
                continue;
            }
            let region = self.members.len();
            self.members.push(Vec::new());
            let mut population = 0;
            let mut next = Some(seed);
            while let Some(area) = next {
                self.region_of[area] = region;
                self.members[region].push(area);
                population += self.areas[area].population;
                for &n in &self.adjacent[area] {
                    open[n] = open[n].saturating_sub(1);
                    if self.region_of[n] == UNASSIGNED {
                        seeds.push(Reverse((open[n], n)));
                    }
                }
                if population >= self.target() {
                    break;
                }
                let centre = self.centre(&self.members[region]);
                next = self.members[region]
                    .iter()
                    .flat_map(|&m| &self.adjacent[m])
                    .copied()
                    .filter(|&n| self.region_of[n] == UNASSIGNED)
                    .filter(|&n| population + self.areas[n].population <= self.band.max)
                    .min_by(|&a, &b| {
                        distance(centre, plane(&self.areas[a]))
                            .total_cmp(&distance(centre, plane(&self.areas[b])))
                            .then(a.cmp(&b))
                    });
            }
        }
    }

    /// The regions next to `region`, each once, in order.
    fn neighbours(&self, region: usize) -> Vec<usize> {
        let mut found: Vec<usize> = self.members[region]
            .iter()
            .flat_map(|&m| &self.adjacent[m])
            .map(|&n| self.region_of[n])
            .filter(|&r| r != region && r != UNASSIGNED)
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    fn short_regions(&self) -> Vec<usize> {
        let mut short: Vec<usize> = (0..self.members.len())
            .filter(|&r| !self.members[r].is_empty() && self.population(r) < self.band.min)
            .collect();
        short.sort_by_key(|&r| (self.population(r), r));
        short
    }

    fn absorb(&mut self) {
        for region in self.short_regions() {
            if self.members[region].is_empty() || self.population(region) >= self.band.min {
                continue;
            }
            let population = self.population(region);
            let centre = self.centre(&self.members[region]);
            let host = self
                .neighbours(region)
                .into_iter()
                .filter(|&n| self.population(n) + population <= self.band.max)
                .min_by(|&a, &b| {
                    distance(centre, self.centre(&self.members[a]))
                        .total_cmp(&distance(centre, self.centre(&self.members[b])))
                        .then(a.cmp(&b))
                });
            if let Some(host) = host {
                let moved = std::mem::take(&mut self.members[region]);
                for &a in &moved {
                    self.region_of[a] = host;
                }
                self.members[host].extend(moved);
            } else {
                self.share_out(region);
            }
        }
    }

    /// Gives each area of `region` to a neighbouring region with room,
    /// nearest first; puts everything back if some area finds no place.
    fn share_out(&mut self, region: usize) {
        let mut given: Vec<(usize, usize)> = Vec::new();
        while !self.members[region].is_empty() {
            let mut best: Option<(f64, usize, usize)> = None;
            for &area in &self.members[region] {
                for &n in &self.adjacent[area] {
                    let host = self.region_of[n];
                    if host == region
                        || host == UNASSIGNED
                        || self.population(host) + self.areas[area].population > self.band.max
                    {
                        continue;
                    }
                    let d = distance(plane(&self.areas[area]), self.centre(&self.members[host]));
                    if best.is_none_or(|(bd, ba, bh)| (d, area, host) < (bd, ba, bh)) {
                        best = Some((d, area, host));
                    }
                }
            }
            let Some((_, area, host)) = best else { break };
            self.members[region].retain(|&m| m != area);
            self.members[host].push(area);
            self.region_of[area] = host;
            given.push((area, host));
        }
        if !self.members[region].is_empty() {
            for (area, host) in given.into_iter().rev() {
                self.members[host].retain(|&m| m != area);
                self.members[region].push(area);
                self.region_of[area] = region;
            }
        }
    }

    /// Short regions take areas from neighbours: from ones that stay in the
    /// band, or else, when the area brings the taker into the band, from ones
    /// left larger than the taker was. The second kind moves the shortfall to
    /// the giver, which then borrows from its own neighbours, so a shortfall
    /// travels until it meets slack. Every move narrows the gap between two
    /// regions, so this ends.
    fn borrow(&mut self) {
        const PASSES: usize = 32;
        for _ in 0..PASSES {
            let mut moved = false;
            for region in self.short_regions() {
                while self.population(region) < self.band.min {
                    let Some(area) = self.best_offer(region) else { break };
                    let donor = self.region_of[area];
                    self.members[donor].retain(|&m| m != area);
                    self.members[region].push(area);
                    self.region_of[area] = region;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// The area a short `region` should take next, if any: from a giver that
    /// stays in the band before one that does not, nearest first, never
    /// leaving the giver in pieces.
    fn best_offer(&self, region: usize) -> Option<usize> {
        let centre = self.centre(&self.members[region]);
        let have = self.population(region);
        let mut offers: Vec<(bool, f64, usize)> = self.members[region]
            .iter()
            .flat_map(|&m| &self.adjacent[m])
            .copied()
            .filter_map(|n| {
                let donor = self.region_of[n];
                if donor == region || donor == UNASSIGNED {
                    return None;
                }
                let people = self.areas[n].population;
                let left = self.population(donor) - people;
                let fits = have + people <= self.band.max;
                let spares = left >= self.band.min;
                (fits && (spares || (have + people >= self.band.min && left > have)))
                    .then(|| (!spares, distance(centre, plane(&self.areas[n])), n))
            })
            .collect();
        offers.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        offers.dedup_by_key(|o| o.2);
        offers.into_iter().map(|(_, _, area)| area).find(|&a| self.stays_whole_without(a))
    }

    fn tidy(&mut self) {
        const ROUNDS: usize = 8;
        for _ in 0..ROUNDS {
            let mut moved = false;
            for area in 0..self.areas.len() {
                let from = self.region_of[area];
                if from == UNASSIGNED || self.members[from].len() < 2 {
                    continue;
                }
                let here = distance(plane(&self.areas[area]), self.centre(&self.members[from]));
                let people = self.areas[area].population;
                let mut best: Option<(f64, usize)> = None;
                for &n in &self.adjacent[area] {
                    let to = self.region_of[n];
                    if to == from || to == UNASSIGNED || best.is_some_and(|(_, b)| b == to) {
                        continue;
                    }
                    let there = distance(plane(&self.areas[area]), self.centre(&self.members[to]));
                    let in_band = self.population(from) - people >= self.band.min
                        && self.population(to) + people <= self.band.max;
                    if there < here * 0.8 && in_band && best.is_none_or(|(d, _)| there < d) {
                        best = Some((there, to));
                    }
                }
                if let Some((_, to)) = best
                    && self.stays_whole_without(area)
                {
                    self.members[from].retain(|&m| m != area);
                    self.members[to].push(area);
                    self.region_of[area] = to;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// Whether `area`'s region stays in one piece without it.
    fn stays_whole_without(&self, area: usize) -> bool {
        let region = self.region_of[area];
        let rest: Vec<usize> = self.members[region].iter().copied().filter(|&m| m != area).collect();
        let Some(&start) = rest.first() else { return false };
        let mut seen = vec![start];
        let mut queue = VecDeque::from([start]);
        while let Some(a) = queue.pop_front() {
            for &n in &self.adjacent[a] {
                if n != area && self.region_of[n] == region && !seen.contains(&n) {
                    seen.push(n);
                    queue.push_back(n);
                }
            }
        }
        seen.len() == rest.len()
    }

    fn finish(self) -> Partition {
        let mut regions = Vec::new();
        let mut renumber = vec![UNASSIGNED; self.members.len()];
        for (old, members) in self.members.iter().enumerate() {
            if members.is_empty() {
                continue;
            }
            let mut areas = members.clone();
            areas.sort_unstable();
            renumber[old] = regions.len();
            let population = areas.iter().map(|&a| self.areas[a].population).sum();
            let outside_band = self.why_outside(old, population);
            regions.push(Region {
                compactness: compactness(self.areas, &areas),
                areas,
                population,
                outside_band,
            });
        }
        let region_of = self.region_of.iter().map(|&r| renumber[r]).collect();
        Partition { regions, region_of }
    }

    fn why_outside(&self, region: usize, population: u32) -> Option<String> {
        if population > self.band.max {
            // Growth and moves never pass the maximum, so only one small area can.
            return Some(format!(
                "one small area alone has {population} people, more than {}",
                self.band.max
            ));
        }
        if population >= self.band.min {
            return None;
        }
        let neighbours = self.neighbours(region);
        Some(match neighbours.len() {
            0 => {
                format!("{population} people, and no neighbouring area to join (an island in the adjacency)")
            }
            1 => format!(
                "{population} people; its one neighbouring neighbourhood would pass {} by joining it, \
                 and cannot spare an area",
                self.band.max
            ),
            n => format!(
                "{population} people; each of its {n} neighbouring neighbourhoods would pass {} by joining it, \
                 and none can spare an area",
                self.band.max
            ),
        })
    }
}

impl Partition {
    /// Whether a region's areas are all reachable from one another without
    /// leaving it.
    pub fn is_contiguous(&self, region: usize, adjacent: &[Vec<usize>]) -> bool {
        self.regions.get(region).is_some_and(|r| connected(&r.areas, adjacent))
    }
}

/// Whether the small areas at `members` all reach one another without
/// leaving the set (false for none).
pub fn connected(members: &[usize], adjacent: &[Vec<usize>]) -> bool {
    let Some(&start) = members.first() else { return false };
    let set: std::collections::HashSet<usize> = members.iter().copied().collect();
    let mut seen = std::collections::HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(a) = queue.pop_front() {
        for &n in &adjacent[a] {
            if set.contains(&n) && seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    seen.len() == set.len()
}

/// A centre in kilometres on a plane (equirectangular, fine at this scale).
fn plane(area: &SmallArea) -> (f64, f64) {
    const KM_PER_DEGREE: f64 = 111.32;
    (area.longitude * KM_PER_DEGREE * area.latitude.to_radians().cos(), area.latitude * KM_PER_DEGREE)
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Normalised moment of inertia of a set of small areas, each taken as a
/// disc of its own area at its centre: A² / (2π I), which is 1 for a disc.
pub fn compactness(areas: &[SmallArea], members: &[usize]) -> f64 {
    let total: f64 = members.iter().map(|&a| areas[a].area_km2).sum();
    if members.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let (cx, cy) = members.iter().fold((0.0, 0.0), |(x, y), &a| {
        let (ax, ay) = plane(&areas[a]);
        (x + ax * areas[a].area_km2, y + ay * areas[a].area_km2)
    });
    let centre = (cx / total, cy / total);
    let inertia: f64 = members
        .iter()
        .map(|&a| {
            let own = areas[a].area_km2;
            own * distance(centre, plane(&areas[a])).powi(2) + own * own / (2.0 * std::f64::consts::PI)
        })
        .sum();
    (total * total / (2.0 * std::f64::consts::PI * inertia)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `width` × `height` grid of square areas 0.2 km across, each of
    /// `people`, joined to the areas left, right, above and below.
    fn grid(width: usize, height: usize, people: u32) -> (Vec<SmallArea>, Vec<Vec<usize>>) {
        let step = 0.2 / 111.32;
        let mut areas = Vec::new();
        let mut adjacent = Vec::new();
        for row in 0..height {
            for col in 0..width {
                areas.push(SmallArea {
                    population: people,
                    area_km2: 0.04,
                    latitude: row as f64 * step,
                    longitude: col as f64 * step,
                });
                let mut n = Vec::new();
                if col > 0 {
                    n.push(row * width + col - 1);
                }
                if col + 1 < width {
                    n.push(row * width + col + 1);
                }
                if row > 0 {
                    n.push((row - 1) * width + col);
                }
                if row + 1 < height {
                    n.push((row + 1) * width + col);
                }
                adjacent.push(n);
            }
        }
        (areas, adjacent)
    }

    const BAND: Band = Band { min: 4_000, max: 5_000 };

    #[test]
    fn a_grid_splits_into_whole_compact_regions_nearly_all_inside_the_band() {
        // 300 people an area makes the band 14 to 16 areas wide: a hard case,
        // where a few pockets may be left short and must say why.
        let (areas, adjacent) = grid(30, 30, 300);
        let partition = build(&areas, &adjacent, BAND);
        let mut counted = vec![0; areas.len()];
        let mut inside = 0;
        for (r, region) in partition.regions.iter().enumerate() {
            for &a in &region.areas {
                counted[a] += 1;
                assert_eq!(partition.region_of[a], r);
            }
            assert!(partition.is_contiguous(r, &adjacent), "region {r} is in pieces");
            let in_band = (BAND.min..=BAND.max).contains(&region.population);
            assert_eq!(region.outside_band.is_none(), in_band, "{region:?}");
            inside += usize::from(in_band);
            assert!(region.compactness > 0.4, "region {r} is a snake: {}", region.compactness);
        }
        assert!(counted.iter().all(|&c| c == 1), "every area in exactly one region");
        assert!(
            inside * 10 >= partition.regions.len() * 9,
            "{inside} of {} in the band",
            partition.regions.len()
        );
    }

    #[test]
    fn areas_of_mixed_sizes_all_land_inside_the_band() {
        let (mut areas, adjacent) = grid(30, 30, 0);
        for (n, area) in areas.iter_mut().enumerate() {
            area.population = 200 + (n as u32 * 7919) % 250;
        }
        let partition = build(&areas, &adjacent, BAND);
        let outside: Vec<&Region> = partition.regions.iter().filter(|r| r.outside_band.is_some()).collect();
        assert!(outside.is_empty(), "{outside:?}");
    }

    #[test]
    fn the_same_input_gives_the_same_neighbourhoods() {
        let (areas, adjacent) = grid(25, 17, 310);
        assert_eq!(build(&areas, &adjacent, BAND), build(&areas, &adjacent, BAND));
    }

    #[test]
    fn an_island_is_its_own_region_and_says_why() {
        let (mut areas, mut adjacent) = grid(10, 10, 300);
        areas.push(SmallArea { population: 250, area_km2: 0.04, latitude: 1.0, longitude: 1.0 });
        adjacent.push(Vec::new());
        let partition = build(&areas, &adjacent, BAND);
        let island = &partition.regions[partition.region_of[100]];
        assert_eq!(island.areas, vec![100]);
        assert!(island.outside_band.as_deref().is_some_and(|why| why.contains("island")), "{island:?}");
    }

    #[test]
    fn a_disc_is_perfectly_compact_and_a_line_is_not() {
        let (areas, _) = grid(40, 1, 300);
        let line: Vec<usize> = (0..40).collect();
        assert!(compactness(&areas, &line) < 0.2);
        assert!((compactness(&areas, &[3]) - 1.0).abs() < 1e-9);
        let (square, _) = grid(6, 6, 300);
        let all: Vec<usize> = (0..36).collect();
        assert!(compactness(&square, &all) > 0.9);
    }
}
