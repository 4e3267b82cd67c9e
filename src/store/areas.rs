//! The area's geography: small areas with their population, neighbours and
//! H3 cells, and the postcodes in them.

use std::collections::HashSet;

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{small_area_adjacency, small_area_cells, small_areas};
use super::{Conn, StoreResult, neighbourhoods, per_backend, postcodes};
use crate::domain::ids::NeighbourhoodId;
use crate::geo::area_files::Geography;

/// Rows per INSERT statement: well under SQLite's limit on bound values.
const BATCH: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = small_areas)]
struct NewSmallArea<'a> {
    code: &'a str,
    name: &'a str,
    population: i32,
    latitude: f64,
    longitude: f64,
    place: Option<&'a str>,
    area_km2: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = small_area_adjacency)]
struct NewAdjacency<'a> {
    small_area: &'a str,
    neighbour: &'a str,
    shared_boundary_m: Option<f64>,
}

/// What replacing the geography changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// Small areas no longer in the input, now gone (with their place in any neighbourhood).
    pub removed: usize,
    pub cells: usize,
    pub postcodes: usize,
}

/// Makes `geography` the area's geography, in one transaction. Small areas
/// already known keep their neighbourhood (rebuild to change it); those not
/// in the input are removed; adjacency and cells are replaced whole; the
/// postcodes are added or updated; every location finds its small area again.
pub fn replace_geography(conn: &mut Conn, geography: &Geography) -> StoreResult<Replaced> {
    super::transaction(conn, |conn| {
        let codes: HashSet<&str> = geography.areas.iter().map(|a| a.code.as_str()).collect();
        let known: Vec<String> = small_areas::table.select(small_areas::code).load(conn)?;
        let gone: Vec<&String> = known.iter().filter(|c| !codes.contains(c.as_str())).collect();
        for chunk in gone.chunks(BATCH) {
            diesel::delete(small_areas::table.filter(small_areas::code.eq_any(chunk))).execute(conn)?;
        }
        let rows: Vec<NewSmallArea<'_>> = geography
            .areas
            .iter()
            .map(|a| NewSmallArea {
                code: &a.code,
                name: &a.code,
                population: i32::try_from(a.population).unwrap_or(i32::MAX),
                latitude: a.latitude,
                longitude: a.longitude,
                place: a.place.as_deref(),
                area_km2: Some(a.area_km2),
            })
            .collect();
        // One upsert a row. An input without place names (no postcodes
        // given this time) keeps the ones known.
        for row in &rows {
            let upsert = diesel::insert_into(small_areas::table)
                .values(row)
                .on_conflict(small_areas::code)
                .do_update();
            let figures = (
                small_areas::population.eq(excluded(small_areas::population)),
                small_areas::latitude.eq(excluded(small_areas::latitude)),
                small_areas::longitude.eq(excluded(small_areas::longitude)),
                small_areas::area_km2.eq(excluded(small_areas::area_km2)),
            );
            match row.place {
                Some(_) => per_backend!(conn, |c| upsert
                    .set((figures, small_areas::place.eq(excluded(small_areas::place))))
                    .execute(c))?,
                None => per_backend!(conn, |c| upsert.set(figures).execute(c))?,
            };
        }
        diesel::delete(small_area_adjacency::table).execute(conn)?;
        let code = |i: usize| geography.areas[i].code.as_str();
        let both_ways: Vec<NewAdjacency<'_>> = geography
            .adjacency
            .iter()
            .flat_map(|&(a, b, shared_boundary_m)| {
                [
                    NewAdjacency { small_area: code(a), neighbour: code(b), shared_boundary_m },
                    NewAdjacency { small_area: code(b), neighbour: code(a), shared_boundary_m },
                ]
            })
            .collect();
        for chunk in both_ways.chunks(BATCH) {
            per_backend!(conn, |c| diesel::insert_into(small_area_adjacency::table)
                .values(chunk)
                .execute(c))?;
        }
        diesel::delete(small_area_cells::table).execute(conn)?;
        let cells: Vec<_> = geography
            .cells
            .iter()
            .map(|&(cell, i)| {
                (
                    small_area_cells::cell.eq(super::cell_number(cell)),
                    small_area_cells::small_area.eq(code(i)),
                )
            })
            .collect();
        for chunk in cells.chunks(BATCH) {
            per_backend!(conn, |c| diesel::insert_into(small_area_cells::table).values(chunk).execute(c))?;
        }
        let postcodes = postcodes::import_postcodes(conn, &geography.postcodes)?;
        neighbourhoods::assign_locations(conn, None)?;
        // The cells changed, so the drawn outlines must be drawn again.
        neighbourhoods::shapes_changed(conn)?;
        Ok(Replaced { removed: gone.len(), cells: cells.len(), postcodes })
    })
}

/// Every small area with what the neighbourhood builder needs, by code.
#[derive(Queryable)]
pub struct SmallAreaRecord {
    pub code: String,
    pub population: i32,
    pub latitude: f64,
    pub longitude: f64,
    pub area_km2: Option<f64>,
    pub place: Option<String>,
    pub neighbourhood_id: Option<NeighbourhoodId>,
}

/// All small areas, ordered by code, and their neighbours as positions in that order.
pub fn graph(conn: &mut Conn) -> StoreResult<(Vec<SmallAreaRecord>, Vec<Vec<usize>>)> {
    let areas: Vec<SmallAreaRecord> = small_areas::table
        .order(small_areas::code)
        .select((
            small_areas::code,
            small_areas::population,
            small_areas::latitude,
            small_areas::longitude,
            small_areas::area_km2,
            small_areas::place,
            small_areas::neighbourhood_id,
        ))
        .load(conn)?;
    let position: std::collections::HashMap<&str, usize> =
        areas.iter().enumerate().map(|(i, a)| (a.code.as_str(), i)).collect();
    let pairs: Vec<(String, String)> = small_area_adjacency::table
        .select((small_area_adjacency::small_area, small_area_adjacency::neighbour))
        .order((small_area_adjacency::small_area, small_area_adjacency::neighbour))
        .load(conn)?;
    let mut adjacent = vec![Vec::new(); areas.len()];
    for (a, b) in &pairs {
        if let (Some(&a), Some(&b)) = (position.get(a.as_str()), position.get(b.as_str())) {
            adjacent[a].push(b);
        }
    }
    Ok((areas, adjacent))
}
