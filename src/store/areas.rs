//! The area's geography: small areas with their population and neighbours,
//! and postcodes.

use std::collections::HashSet;

use diesel::prelude::*;

use super::schema::{postcodes, small_area_adjacency, small_areas};
use super::{Conn, StoreResult};

/// Rows per INSERT statement: well under SQLite's limit on bound values.
const BATCH: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = small_areas)]
pub struct NewSmallArea<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub population: i32,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Insertable)]
#[diesel(table_name = small_area_adjacency)]
pub struct NewAdjacency<'a> {
    pub small_area: &'a str,
    pub neighbour: &'a str,
    pub shared_boundary_m: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = postcodes)]
pub struct NewPostcode<'a> {
    pub postcode: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    pub small_area_code: Option<&'a str>,
    pub terminated: bool,
}

pub fn insert_small_areas(conn: &mut Conn, rows: &[NewSmallArea<'_>]) -> StoreResult<()> {
    for chunk in rows.chunks(BATCH) {
        diesel::insert_into(small_areas::table).values(chunk).execute(conn)?;
    }
    Ok(())
}

/// Adds each adjacency both ways round, so either area finds the other. A pair
/// given twice (in either order) is kept once.
pub fn insert_adjacency(conn: &mut Conn, rows: &[NewAdjacency<'_>]) -> StoreResult<()> {
    let mut seen = HashSet::new();
    let both_ways: Vec<NewAdjacency<'_>> = rows
        .iter()
        .flat_map(|r| {
            [
                NewAdjacency {
                    small_area: r.small_area,
                    neighbour: r.neighbour,
                    shared_boundary_m: r.shared_boundary_m,
                },
                NewAdjacency {
                    small_area: r.neighbour,
                    neighbour: r.small_area,
                    shared_boundary_m: r.shared_boundary_m,
                },
            ]
        })
        .filter(|r| seen.insert((r.small_area, r.neighbour)))
        .collect();
    for chunk in both_ways.chunks(BATCH) {
        diesel::insert_into(small_area_adjacency::table).values(chunk).execute(conn)?;
    }
    Ok(())
}

pub fn insert_postcodes(conn: &mut Conn, rows: &[NewPostcode<'_>]) -> StoreResult<()> {
    for chunk in rows.chunks(BATCH) {
        diesel::insert_into(postcodes::table).values(chunk).execute(conn)?;
    }
    Ok(())
}
