//! Neighbourhoods: building them from the small areas (keeping what people
//! already rely on: ids, edited names, connectors' patches, services' chosen
//! areas), putting each location in its own, moving a small area by hand, and
//! what the pages and the report read.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;

use super::schema::{
    locations, meta, neighbourhoods, service_area_neighbourhoods, service_at_locations, small_area_adjacency,
    small_area_cells, small_areas, user_neighbourhoods,
};
use super::{Conn, StoreError, StoreResult, areas, cell_number, per_backend, stored_cell};
use crate::domain::ids::{LocationId, NeighbourhoodId, ServiceId, UserId};
use crate::domain::views::NeighbourhoodView;
use crate::geo::neighbourhood_names::{self, Unnamed};
use crate::geo::neighbourhoods::{self as builder, Band, Figures, SmallArea};

/// The meta key under which the band of the last build is kept, as "min-max".
const BAND: &str = "neighbourhood_band";
/// The meta key of a counter that goes up whenever any neighbourhood's shape changes.
const VERSION: &str = "neighbourhood_version";

/// A number that changes whenever any neighbourhood's shape does (a build, a
/// move), in this process or another: what drawn outlines are kept against.
pub fn version(conn: &mut Conn) -> StoreResult<i64> {
    let text: Option<String> = meta::table.find(VERSION).select(meta::value).first(conn).optional()?;
    Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
}

pub(super) fn shapes_changed(conn: &mut Conn) -> StoreResult<()> {
    let next = version(conn)? + 1;
    super::meta::set(conn, VERSION, &next.to_string())
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = neighbourhoods)]
struct NeighbourhoodRow {
    id: NeighbourhoodId,
    slug: String,
    name: String,
    name_edited: bool,
    population: i32,
    small_area_count: i32,
    area_km2: f64,
    latitude: f64,
    longitude: f64,
    compactness: f64,
    outside_band: Option<String>,
}

impl NeighbourhoodRow {
    fn view(self) -> StoreResult<NeighbourhoodView> {
        Ok(NeighbourhoodView {
            id: self.id,
            slug: self.slug,
            name: self.name,
            population: u32::try_from(self.population).unwrap_or(0),
            small_areas: u32::try_from(self.small_area_count).unwrap_or(0),
            area_km2: self.area_km2,
            latitude: self.latitude,
            longitude: self.longitude,
            compactness: self.compactness,
            outside_band: self.outside_band,
        })
    }

    /// A neighbourhood about to be saved: `id` when it carries on an old one.
    fn named(id: Option<NeighbourhoodId>, slug: String, name: String) -> Self {
        NeighbourhoodRow {
            id: id.unwrap_or_default(),
            slug,
            name,
            name_edited: false,
            population: 0,
            small_area_count: 0,
            area_km2: 0.0,
            latitude: 0.0,
            longitude: 0.0,
            compactness: 0.0,
            outside_band: None,
        }
    }

    fn set_figures(&mut self, figures: &Figures, count: usize, outside_band: Option<String>) {
        self.population = i32::try_from(figures.population).unwrap_or(i32::MAX);
        self.small_area_count = i32::try_from(count).unwrap_or(i32::MAX);
        self.area_km2 = figures.area_km2;
        self.latitude = figures.latitude;
        self.longitude = figures.longitude;
        self.compactness = figures.compactness;
        self.outside_band = outside_band;
    }
}

/// What a build did.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub neighbourhoods: Vec<NeighbourhoodView>,
    /// Neighbourhoods of the previous build that carry on, with their ids.
    pub kept: usize,
    /// Neighbourhoods of the previous build that are gone; their connectors
    /// and services moved to the new neighbourhood that took most of their people.
    pub removed: usize,
    /// Locations in no neighbourhood: outside the area.
    pub locations_outside: i64,
}

fn builder_areas(records: &[areas::SmallAreaRecord]) -> Vec<SmallArea> {
    records
        .iter()
        .map(|r| SmallArea {
            population: u32::try_from(r.population).unwrap_or(0),
            area_km2: r.area_km2.unwrap_or(0.0),
            latitude: r.latitude,
            longitude: r.longitude,
        })
        .collect()
}

/// Partitions the small areas into neighbourhoods within `band`, replacing
/// the previous build in one transaction (so a build that fails leaves it as
/// it was). A new neighbourhood that takes most of an old one's residents
/// keeps its id, and its name if an administrator chose it.
pub fn build(conn: &mut Conn, band: Band) -> StoreResult<Built> {
    super::transaction(conn, |conn| {
        let (records, adjacent) = areas::graph(conn)?;
        check_buildable(&records, band)?;
        let small = builder_areas(&records);
        let partition = builder::build(&small, &adjacent, band);
        let figures: Vec<Figures> =
            partition.regions.iter().map(|r| builder::figures(&small, &r.areas)).collect();
        let unnamed: Vec<Unnamed<'_>> = partition
            .regions
            .iter()
            .zip(&figures)
            .map(|(region, f)| Unnamed {
                places: region
                    .areas
                    .iter()
                    .map(|&a| (records[a].place.as_deref(), small[a].population))
                    .collect(),
                centre: (f.latitude, f.longitude),
            })
            .collect();
        let names = neighbourhood_names::names(&unnamed);
        let old: Vec<NeighbourhoodRow> =
            neighbourhoods::table.select(NeighbourhoodRow::as_select()).load(conn)?;
        let succession = Succession::of(&records, &small, &partition);

        // Old slugs step aside, so that new ones can take any free name.
        diesel::update(neighbourhoods::table)
            .set(neighbourhoods::slug.eq(neighbourhoods::id.concat("~")))
            .execute(conn)?;
        // Place-based networks share the neighbourhoods' slugs.
        let mut slugs = super::networks::place_slugs(conn)?;
        let mut ids = Vec::with_capacity(partition.regions.len());
        for (r, region) in partition.regions.iter().enumerate() {
            let previous = succession.carries_on[r].and_then(|id| old.iter().find(|row| row.id == id));
            let name = match previous {
                Some(row) if row.name_edited => row.name.clone(),
                _ => names[r].clone(),
            };
            let mut row =
                NeighbourhoodRow::named(succession.carries_on[r], free_slug(&name, &mut slugs), name);
            row.name_edited = previous.is_some_and(|row| row.name_edited);
            row.set_figures(&figures[r], region.areas.len(), region.outside_band.clone());
            let codes: Vec<&str> = region.areas.iter().map(|&a| records[a].code.as_str()).collect();
            save_region(conn, &row, previous.is_some(), &codes)?;
            ids.push(row.id);
        }
        assign_locations(conn, None)?;
        super::networks::keep_in_step(conn, chrono::Utc::now().naive_utc())?;
        let removed = retire(conn, &old, &succession, &ids)?;
        // Once more, now that the retired neighbourhoods' networks are handed on.
        super::networks::keep_in_step(conn, chrono::Utc::now().naive_utc())?;
        super::meta::set(conn, BAND, &format!("{}-{}", band.min, band.max))?;
        shapes_changed(conn)?;
        super::networks::changed_for_search(conn, None, chrono::Utc::now().naive_utc())?;
        Ok(Built {
            neighbourhoods: all(conn)?,
            kept: succession.taken.len(),
            removed,
            locations_outside: locations::table
                .filter(locations::neighbourhood_id.is_null())
                .count()
                .get_result(conn)?,
        })
    })
}

/// Refuses a build that could not make a single neighbourhood.
fn check_buildable(records: &[areas::SmallAreaRecord], band: Band) -> StoreResult<()> {
    if records.is_empty() {
        return Err(StoreError::Rollback(String::from(
            "there are no small areas to build from: run `doorstep area import` first",
        )));
    }
    let total: u64 = records.iter().map(|r| u64::try_from(r.population).unwrap_or(0)).sum();
    if total < u64::from(band.min) {
        return Err(StoreError::Rollback(format!(
            "the area has {total} residents, fewer than the band's minimum of {}: no neighbourhood could be inside it",
            band.min
        )));
    }
    Ok(())
}

/// Which old neighbourhood each new region carries on: the pairs sharing the
/// most residents first, each old and new used once.
struct Succession {
    /// (region, old neighbourhood) and the residents they share, most first.
    pairs: Vec<((usize, NeighbourhoodId), u64)>,
    /// For each region, the old neighbourhood it carries on.
    carries_on: Vec<Option<NeighbourhoodId>>,
    /// The old neighbourhoods that carry on.
    taken: HashSet<NeighbourhoodId>,
}

impl Succession {
    fn of(records: &[areas::SmallAreaRecord], small: &[SmallArea], partition: &builder::Partition) -> Self {
        let mut shared: BTreeMap<(usize, NeighbourhoodId), u64> = BTreeMap::new();
        for (a, record) in records.iter().enumerate() {
            if let Some(id) = record.neighbourhood_id {
                *shared.entry((partition.region_of[a], id)).or_default() += u64::from(small[a].population);
            }
        }
        let mut pairs: Vec<((usize, NeighbourhoodId), u64)> = shared.into_iter().collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut carries_on = vec![None; partition.regions.len()];
        let mut taken = HashSet::new();
        for &((region, id), _) in &pairs {
            if carries_on[region].is_none() && !taken.contains(&id) {
                carries_on[region] = Some(id);
                taken.insert(id);
            }
        }
        Succession { pairs, carries_on, taken }
    }
}

/// Saves one new neighbourhood (over the old one it carries on, if any) and
/// puts its small areas in it.
fn save_region(conn: &mut Conn, row: &NeighbourhoodRow, carried_on: bool, codes: &[&str]) -> StoreResult<()> {
    if carried_on {
        diesel::update(neighbourhoods::table.find(row.id)).set(row).execute(conn)?;
    } else {
        diesel::insert_into(neighbourhoods::table).values(row).execute(conn)?;
    }
    for chunk in codes.chunks(500) {
        diesel::update(small_areas::table.filter(small_areas::code.eq_any(chunk)))
            .set(small_areas::neighbourhood_id.eq(row.id))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the old neighbourhoods that did not carry on; each hands its
/// connectors and services' chosen areas to the new one with most of its
/// residents. Returns how many were removed.
fn retire(
    conn: &mut Conn,
    old: &[NeighbourhoodRow],
    succession: &Succession,
    ids: &[NeighbourhoodId],
) -> StoreResult<usize> {
    let mut removed = 0;
    for row in old.iter().filter(|row| !succession.taken.contains(&row.id)) {
        let heir =
            succession.pairs.iter().find(|((_, id), _)| *id == row.id).map(|((region, _), _)| ids[*region]);
        if let Some(heir) = heir {
            hand_on(conn, row.id, heir)?;
        }
        super::networks::hand_on(conn, row.id, heir)?;
        diesel::delete(neighbourhoods::table.find(row.id)).execute(conn)?;
        removed += 1;
    }
    Ok(removed)
}

/// Gives neighbourhood `heir` the connectors and the services' chosen areas
/// of neighbourhood `from` (those it already has stay as they are).
fn hand_on(conn: &mut Conn, from: NeighbourhoodId, heir: NeighbourhoodId) -> StoreResult<()> {
    let connectors: Vec<UserId> = user_neighbourhoods::table
        .filter(user_neighbourhoods::neighbourhood_id.eq(from))
        .select(user_neighbourhoods::user_id)
        .load(conn)?;
    for user in connectors {
        let insert = diesel::insert_into(user_neighbourhoods::table)
            .values((user_neighbourhoods::user_id.eq(user), user_neighbourhoods::neighbourhood_id.eq(heir)))
            .on_conflict_do_nothing();
        per_backend!(conn, |c| insert.execute(c))?;
    }
    let services: Vec<ServiceId> = service_area_neighbourhoods::table
        .filter(service_area_neighbourhoods::neighbourhood_id.eq(from))
        .select(service_area_neighbourhoods::service_id)
        .load(conn)?;
    for service in services {
        let insert = diesel::insert_into(service_area_neighbourhoods::table)
            .values((
                service_area_neighbourhoods::service_id.eq(service),
                service_area_neighbourhoods::neighbourhood_id.eq(heir),
            ))
            .on_conflict_do_nothing();
        per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// `name` as a slug no other neighbourhood in `taken` has.
fn free_slug(name: &str, taken: &mut HashSet<String>) -> String {
    let base = neighbourhood_names::slug(name);
    let mut slug = base.clone();
    let mut n = 1;
    while taken.contains(&slug) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    taken.insert(slug.clone());
    slug
}

/// Puts each location (or just `only`) in the small area and neighbourhood of
/// its H3 cell; a location in no small area's cell is outside the area, and
/// has no neighbourhood.
pub fn assign_locations(conn: &mut Conn, only: Option<LocationId>) -> StoreResult<()> {
    // Where a venue is: its small area and neighbourhood.
    type Placed = (Option<String>, Option<NeighbourhoodId>);
    type Venue = (LocationId, Option<i64>, Option<String>, Option<NeighbourhoodId>);
    let mut query = locations::table
        .select((locations::id, locations::h3_cell, locations::small_area_code, locations::neighbourhood_id))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(locations::id.eq(id));
    }
    let venues: Vec<Venue> = query.load(conn)?;
    let cells: Vec<i64> = venues.iter().filter_map(|v| v.1).collect();
    let mut places: HashMap<i64, Placed> = HashMap::new();
    for chunk in cells.chunks(500) {
        let found: Vec<(i64, String, Option<NeighbourhoodId>)> = small_area_cells::table
            .inner_join(small_areas::table)
            .filter(small_area_cells::cell.eq_any(chunk))
            .select((small_area_cells::cell, small_areas::code, small_areas::neighbourhood_id))
            .load(conn)?;
        places.extend(found.into_iter().map(|(cell, code, hood)| (cell, (Some(code), hood))));
    }
    // Only the venues whose place has changed are written.
    let mut moved = Vec::new();
    for (id, cell, small_area, hood) in venues {
        let placed = cell.and_then(|c| places.get(&c).cloned()).unwrap_or_default();
        if placed != (small_area, hood) {
            diesel::update(locations::table.find(id))
                .set((locations::small_area_code.eq(placed.0), locations::neighbourhood_id.eq(placed.1)))
                .execute(conn)?;
            moved.push(id);
        }
    }
    // Whether the services there are placed in some neighbourhood follows.
    match only {
        None => super::services::refresh_placed(conn, None),
        Some(_) => {
            let there: Vec<crate::domain::ids::ServiceId> = service_at_locations::table
                .filter(service_at_locations::location_id.eq_any(&moved))
                .select(service_at_locations::service_id)
                .load(conn)?;
            super::services::refresh_placed(conn, Some(&there))
        }
    }
}

/// The neighbourhood a point lies in (by its H3 cell, as venues are placed),
/// if it lies in one.
pub fn containing(conn: &mut Conn, latitude: f64, longitude: f64) -> StoreResult<Option<NeighbourhoodId>> {
    let Some(cell) = crate::geo::cells::cell_of(latitude, longitude) else { return Ok(None) };
    let found: Option<Option<NeighbourhoodId>> = small_area_cells::table
        .inner_join(small_areas::table)
        .filter(small_area_cells::cell.eq(cell_number(cell)))
        .select(small_areas::neighbourhood_id)
        .first(conn)
        .optional()?;
    Ok(found.flatten())
}

/// The band of the last build, if there has been one.
pub fn band(conn: &mut Conn) -> StoreResult<Option<Band>> {
    let text: Option<String> = meta::table.find(BAND).select(meta::value).first(conn).optional()?;
    Ok(text.and_then(|t| {
        let (min, max) = t.split_once('-')?;
        Band::new(min.parse().ok()?, max.parse().ok()?).ok()
    }))
}

/// Every neighbourhood, by name.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<NeighbourhoodView>> {
    let rows: Vec<NeighbourhoodRow> =
        neighbourhoods::table.select(NeighbourhoodRow::as_select()).order(neighbourhoods::name).load(conn)?;
    rows.into_iter().map(NeighbourhoodRow::view).collect()
}

/// Neighbourhoods' ids and names, by name: those of `ids`, or, with none
/// given, every one if there are no more than `most` (else none).
pub fn names(
    conn: &mut Conn,
    ids: Option<&[NeighbourhoodId]>,
    most: i64,
) -> StoreResult<Vec<(NeighbourhoodId, String)>> {
    let query =
        neighbourhoods::table.select((neighbourhoods::id, neighbourhoods::name)).order(neighbourhoods::name);
    match ids {
        Some(ids) => Ok(query.filter(neighbourhoods::id.eq_any(ids)).load(conn)?),
        None => {
            let all: Vec<(NeighbourhoodId, String)> = query.limit(most + 1).load(conn)?;
            Ok(if all.len() as i64 > most { Vec::new() } else { all })
        }
    }
}

pub fn by_id(conn: &mut Conn, id: NeighbourhoodId) -> StoreResult<NeighbourhoodView> {
    neighbourhoods::table.find(id).select(NeighbourhoodRow::as_select()).first(conn)?.view()
}

pub fn by_slug(conn: &mut Conn, slug: &str) -> StoreResult<NeighbourhoodView> {
    neighbourhoods::table
        .filter(neighbourhoods::slug.eq(slug))
        .select(NeighbourhoodRow::as_select())
        .first(conn)?
        .view()
}

/// Every small area's code and its neighbourhood's id, by code.
pub fn membership(conn: &mut Conn) -> StoreResult<Vec<(String, Option<NeighbourhoodId>)>> {
    Ok(small_areas::table
        .select((small_areas::code, small_areas::neighbourhood_id))
        .order(small_areas::code)
        .load(conn)?)
}

/// The small areas of a neighbourhood: code, residents and place, by code.
pub fn small_areas_of(
    conn: &mut Conn,
    id: NeighbourhoodId,
) -> StoreResult<Vec<(String, i32, Option<String>)>> {
    Ok(small_areas::table
        .filter(small_areas::neighbourhood_id.eq(id))
        .select((small_areas::code, small_areas::population, small_areas::place))
        .order(small_areas::code)
        .load(conn)?)
}

/// The neighbourhoods sharing a boundary with one: (id, name), by name.
pub fn adjacent(conn: &mut Conn, id: NeighbourhoodId) -> StoreResult<Vec<(NeighbourhoodId, String)>> {
    let inside = small_areas::table.filter(small_areas::neighbourhood_id.eq(id)).select(small_areas::code);
    let bordering: Vec<String> = small_area_adjacency::table
        .filter(small_area_adjacency::small_area.eq_any(inside))
        .select(small_area_adjacency::neighbour)
        .load(conn)?;
    Ok(neighbourhoods::table
        .inner_join(small_areas::table)
        .filter(small_areas::code.eq_any(bordering))
        .filter(neighbourhoods::id.ne(id))
        .select((neighbourhoods::id, neighbourhoods::name))
        .distinct()
        .order(neighbourhoods::name)
        .load(conn)?)
}

/// Venues in no neighbourhood: (name, postcode), by name (a contact address
/// outside the area is no surprise).
pub fn locations_outside(conn: &mut Conn) -> StoreResult<Vec<(String, String)>> {
    Ok(locations::table
        .filter(locations::neighbourhood_id.is_null())
        .filter(locations::postal.eq(false))
        .select((locations::name, locations::postcode))
        .order(locations::name)
        .load(conn)?)
}

/// The H3 cells of every neighbourhood (or of one), for drawing maps.
pub fn cells(
    conn: &mut Conn,
    only: Option<NeighbourhoodId>,
) -> StoreResult<Vec<(NeighbourhoodId, h3o::CellIndex)>> {
    let mut query = small_area_cells::table
        .inner_join(small_areas::table)
        .filter(small_areas::neighbourhood_id.is_not_null())
        .select((small_areas::neighbourhood_id.assume_not_null(), small_area_cells::cell))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(small_areas::neighbourhood_id.eq(id));
    }
    let rows: Vec<(NeighbourhoodId, i64)> = query.load(conn)?;
    rows.into_iter()
        .map(|(id, cell)| {
            let cell =
                stored_cell(cell).ok_or_else(|| StoreError::Corrupt(format!("{cell} is not an H3 cell")))?;
            Ok((id, cell))
        })
        .collect()
}

/// Renames a neighbourhood; its slug follows the name. The name then
/// survives rebuilds. Returns the new slug.
pub fn rename(conn: &mut Conn, id: NeighbourhoodId, name: &str) -> StoreResult<String> {
    super::transaction(conn, |conn| {
        let mut slugs: HashSet<String> = neighbourhoods::table
            .filter(neighbourhoods::id.ne(id))
            .select(neighbourhoods::slug)
            .load(conn)?
            .into_iter()
            .collect();
        slugs.extend(super::networks::place_slugs(conn)?);
        let slug = free_slug(name, &mut slugs);
        let changed = diesel::update(neighbourhoods::table.find(id))
            .set((
                neighbourhoods::name.eq(name),
                neighbourhoods::slug.eq(&slug),
                neighbourhoods::name_edited.eq(true),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let now = chrono::Utc::now().naive_utc();
        super::networks::keep_in_step(conn, now)?;
        super::networks::changed_for_search(conn, Some(&[id]), now)?;
        Ok(slug)
    })
}

/// Moves one of `from`'s small areas into a neighbouring neighbourhood and
/// works out both neighbourhoods' figures again. Refused, with the reason and
/// nothing changed, when the area is not `from`'s, when it does not touch the
/// neighbourhood it is to join, or when taking it would leave `from` empty or
/// in pieces.
pub fn move_small_area(
    conn: &mut Conn,
    from: NeighbourhoodId,
    code: &str,
    to: NeighbourhoodId,
    band: Band,
) -> StoreResult<Result<(NeighbourhoodView, NeighbourhoodView), String>> {
    super::transaction(conn, |conn| {
        let (records, adjacent) = areas::graph(conn)?;
        let Some(area) = records.iter().position(|r| r.code == code) else {
            return Ok(Err(format!("there is no small area {code}")));
        };
        let source: NeighbourhoodRow =
            neighbourhoods::table.find(from).select(NeighbourhoodRow::as_select()).first(conn)?;
        if records[area].neighbourhood_id != Some(from) {
            return Ok(Err(format!("{code} is not one of {}'s small areas", source.name)));
        }
        let target: NeighbourhoodRow =
            neighbourhoods::table.find(to).select(NeighbourhoodRow::as_select()).first(conn)?;
        if from == to {
            return Ok(Err(format!("{code} is already in {}", target.name)));
        }
        let in_hood = |id: NeighbourhoodId, a: usize| records[a].neighbourhood_id == Some(id);
        if !adjacent[area].iter().any(|&n| in_hood(to, n)) {
            return Ok(Err(format!(
                "{code} does not touch {}: a small area can only move to a neighbourhood it shares a boundary with",
                target.name
            )));
        }
        let rest: Vec<usize> = (0..records.len()).filter(|&a| a != area && in_hood(from, a)).collect();
        if rest.is_empty() {
            return Ok(Err(format!(
                "{code} is the whole of {}: moving it would leave that neighbourhood empty",
                source.name
            )));
        }
        if !builder::connected(&rest, &adjacent) {
            return Ok(Err(format!(
                "moving {code} would split {} in two: its other small areas would no longer all touch",
                source.name
            )));
        }
        diesel::update(small_areas::table.find(code))
            .set(small_areas::neighbourhood_id.eq(to))
            .execute(conn)?;
        let small = builder_areas(&records);
        let joined: Vec<usize> = (0..records.len()).filter(|&a| a == area || in_hood(to, a)).collect();
        let mut moved = Vec::new();
        for (mut row, members) in [(source, rest), (target, joined)] {
            let figures = builder::figures(&small, &members);
            let why = band.explain(figures.population);
            row.set_figures(&figures, members.len(), why);
            diesel::update(neighbourhoods::table.find(row.id)).set(&row).execute(conn)?;
            moved.push(row.view()?);
        }
        assign_locations(conn, None)?;
        shapes_changed(conn)?;
        let reshaped: Vec<NeighbourhoodId> = moved.iter().map(|hood| hood.id).collect();
        super::networks::changed_for_search(conn, Some(&reshaped), chrono::Utc::now().naive_utc())?;
        let target = moved.pop().ok_or(StoreError::NotFound)?;
        let source = moved.pop().ok_or(StoreError::NotFound)?;
        Ok(Ok((source, target)))
    })
}
