//! Counts of what the database holds, for `doorstep stats`.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::{
    changes, locations, needs, neighbourhoods, organisations, postcode_districts, postcodes, schedules,
    services, small_areas, users,
};
use super::{Conn, StoreResult};

/// What the database holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub organisations: i64,
    pub services: i64,
    pub locations: i64,
    pub schedules: i64,
    pub needs: i64,
    pub postcodes: i64,
    pub postcode_districts: i64,
    pub small_areas: i64,
    pub population: i64,
    pub neighbourhoods: i64,
    pub users: i64,
    pub changes: i64,
}

pub fn collect(conn: &mut Conn) -> StoreResult<Stats> {
    let population: Option<i64> =
        small_areas::table.select(diesel::dsl::sum(small_areas::population)).first(conn)?;
    Ok(Stats {
        organisations: organisations::table.count().get_result(conn)?,
        services: services::table.count().get_result(conn)?,
        locations: locations::table.count().get_result(conn)?,
        schedules: schedules::table.count().get_result(conn)?,
        needs: needs::table.count().get_result(conn)?,
        postcodes: postcodes::table.count().get_result(conn)?,
        postcode_districts: postcode_districts::table.count().get_result(conn)?,
        small_areas: small_areas::table.count().get_result(conn)?,
        population: population.unwrap_or(0),
        neighbourhoods: neighbourhoods::table.count().get_result(conn)?,
        users: users::table.count().get_result(conn)?,
        changes: changes::table.count().get_result(conn)?,
    })
}
