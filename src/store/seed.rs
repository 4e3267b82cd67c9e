//! Writes the built-in demo into the database, once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::areas::{self, NewAdjacency, NewPostcode, NewSmallArea};
use super::schema::{organisations, users};
use super::{Conn, StoreError, StoreResult, listings, meta};
use crate::demo::Demo;

/// What seeding did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The demo was written.
    Written,
    /// The demo was already there; nothing was changed.
    AlreadyThere,
}

/// Writes the demo in one transaction. Running it again changes nothing. A
/// database that already holds other listings is left alone with an error, so
/// that invented services never mix with real ones.
pub fn seed_demo(
    conn: &mut Conn,
    demo: &Demo,
    password_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<Seeded> {
    conn.transaction(|conn| {
        if meta::get(conn, meta::DEMO)?.is_some() {
            return Ok(Seeded::AlreadyThere);
        }
        let existing: i64 = organisations::table.count().get_result(conn)?;
        if existing > 0 {
            return Err(StoreError::Rollback(format!(
                "this database already holds {existing} organisations that are not the demo; \
                 the demo is only seeded into an empty database"
            )));
        }
        let small_areas: Vec<NewSmallArea<'_>> = demo
            .small_areas
            .iter()
            .map(|a| NewSmallArea {
                code: &a.code,
                name: &a.name,
                population: i32::try_from(a.population).unwrap_or(i32::MAX),
                latitude: a.latitude,
                longitude: a.longitude,
            })
            .collect();
        areas::insert_small_areas(conn, &small_areas)?;
        let adjacency: Vec<NewAdjacency<'_>> = demo
            .adjacency
            .iter()
            .map(|&(a, b, shared)| NewAdjacency {
                small_area: &demo.small_areas[a].code,
                neighbour: &demo.small_areas[b].code,
                shared_boundary_m: Some(shared),
            })
            .collect();
        areas::insert_adjacency(conn, &adjacency)?;
        let postcodes: Vec<NewPostcode<'_>> = demo
            .postcodes
            .iter()
            .map(|p| NewPostcode {
                postcode: &p.postcode,
                latitude: p.latitude,
                longitude: p.longitude,
                small_area_code: Some(&p.small_area),
                terminated: false,
            })
            .collect();
        areas::insert_postcodes(conn, &postcodes)?;
        for org in &demo.organisations {
            listings::insert_organisation(conn, org, now)?;
        }
        for user in &demo.users {
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(user.id.to_string()),
                    users::email.eq(&user.email),
                    users::name.eq(&user.name),
                    users::password_hash.eq(password_hash),
                    users::role.eq(user.role.code()),
                    users::organisation_id.eq(user.organisation.map(|o| o.to_string())),
                    users::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        for location in &demo.locations {
            listings::insert_location(conn, location, now)?;
        }
        let need_ids = listings::need_ids(conn)?;
        for service in &demo.services {
            listings::insert_service(conn, service, &need_ids, now)?;
        }
        meta::set(conn, meta::DEMO, &demo.borough)?;
        Ok(Seeded::Written)
    })
}
