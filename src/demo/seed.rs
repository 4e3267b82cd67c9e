//! Writes the built-in demo into the database, once, through the same store
//! functions as any other geography, listings and accounts.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::Demo;
use crate::domain::accounts::Role;
use crate::domain::ids::NeighbourhoodId;
use crate::geo::area_files::{self, AdjacencyRow, FileRows, Geography, SmallAreaRow};
use crate::geo::neighbourhoods::Band;
use crate::geo::onspd::PostcodeRow;
use crate::geo::postcode;
use crate::store::signposting::{self, FinishedContact, NewSignpostContact};
use crate::store::users::{self, NewUser};
use crate::store::{
    self, Conn, StoreError, StoreResult, areas, locations, meta, neighbourhoods, organisations, services,
};

/// The demo's neighbourhoods hold 4,000 to 5,000 people, as DESIGN.md asks.
const DEMO_BAND: Band = Band { min: 4_000, max: 5_000 };

/// What seeding did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The demo was written.
    Written,
    /// The demo was already there; nothing was changed.
    AlreadyThere,
}

/// How many neighbourhoods the demo's connector looks after.
const CONNECTOR_NEIGHBOURHOODS: usize = 3;

/// Writes the demo in one transaction. Running it again changes nothing. A
/// database that already holds other listings is left alone with an error, so
/// that invented services never mix with real ones.
pub fn seed_demo(
    conn: &mut Conn,
    demo: &Demo,
    password_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<Seeded> {
    store::transaction(conn, |conn| {
        if meta::get(conn, meta::DEMO)?.is_some() {
            return Ok(Seeded::AlreadyThere);
        }
        let existing = organisations::count(conn)?;
        if existing > 0 {
            return Err(StoreError::Rollback(format!(
                "this database already holds {existing} organisations that are not the demo; \
                 the demo is only seeded into an empty database"
            )));
        }
        areas::replace_geography(conn, &demo_geography(demo)?)?;
        for org in &demo.organisations {
            organisations::insert(conn, org, now)?;
        }
        for user in &demo.users {
            let account = NewUser {
                email: user.email.clone(),
                name: user.name.clone(),
                password_hash: password_hash.to_string(),
                role: user.role,
                organisation: user.organisation,
                neighbourhoods: vec![],
            };
            users::insert_with_id(conn, user.id, &account, now)?;
        }
        for location in &demo.locations {
            locations::insert(conn, location, now)?;
        }
        let need_ids = services::need_ids(conn)?;
        for service in &demo.services {
            services::insert(conn, service, &need_ids, now)?;
        }
        neighbourhoods::build(conn, DEMO_BAND)?;
        // The connector looks after the first few neighbourhoods.
        let looked_after: Vec<_> =
            neighbourhoods::all(conn)?.into_iter().take(CONNECTOR_NEIGHBOURHOODS).map(|n| n.id).collect();
        for connector in demo.users.iter().filter(|u| u.role == Role::Connector) {
            users::set_neighbourhoods(conn, connector.id, &looked_after)?;
        }
        seed_contacts(conn, demo)?;
        super::networks::seed(conn, demo, now)?;
        meta::set(conn, meta::DEMO, &demo.borough)?;
        Ok(Seeded::Written)
    })
    .and_then(|seeded| {
        // Outside the transaction: PostgreSQL analyses only what is committed.
        store::refresh_statistics(conn)?;
        Ok(seeded)
    })
}

/// The demo's history at the front door, each contact in the neighbourhood
/// its small area ended up in, recorded by the demo's advisor.
fn seed_contacts(conn: &mut Conn, demo: &Demo) -> StoreResult<()> {
    let Some(advisor) = demo.users.iter().find(|u| u.role == Role::Advisor) else { return Ok(()) };
    let hood_of: HashMap<String, Option<NeighbourhoodId>> =
        neighbourhoods::membership(conn)?.into_iter().collect();
    for contact in &demo.contacts {
        let neighbourhood = hood_of.get(&contact.small_area).copied().flatten();
        signposting::record_finished(
            conn,
            &FinishedContact {
                contact: NewSignpostContact {
                    advisor: advisor.id,
                    channel: contact.channel,
                    returning: contact.returning,
                    escalated: contact.escalated,
                    started_at: contact.started_at,
                },
                neighbourhood,
                needs: contact.needs.clone(),
                shortlisted: contact.shortlisted.clone(),
                follow_up: contact.follow_up,
            },
        )?;
    }
    Ok(())
}

/// The demo's geography, checked and given cells the way an imported area's
/// is (its small areas have no outlines, so cells go to the nearest centre).
fn demo_geography(demo: &Demo) -> StoreResult<Geography> {
    let small_areas = demo
        .small_areas
        .iter()
        .enumerate()
        .map(|(i, a)| SmallAreaRow {
            code: a.code.clone(),
            population: a.population,
            centre: Some((a.latitude, a.longitude)),
            area_km2: Some(Demo::small_area_km2(a.latitude)),
            place: Some(a.place.clone()),
            line: i as u64 + 2,
        })
        .collect();
    let adjacency = demo
        .adjacency
        .iter()
        .enumerate()
        .map(|(i, &(a, b, shared))| AdjacencyRow {
            a: demo.small_areas[a].code.clone(),
            b: demo.small_areas[b].code.clone(),
            shared_m: Some(shared),
            line: i as u64 + 2,
        })
        .collect();
    let postcodes = demo
        .postcodes
        .iter()
        .filter_map(|p| {
            Some(PostcodeRow {
                postcode: postcode::parse_full(&p.postcode)?,
                latitude: p.latitude,
                longitude: p.longitude,
                small_area: Some(p.small_area.clone()),
                place: None,
                terminated: false,
            })
        })
        .collect();
    area_files::assemble(
        FileRows { rows: small_areas, problems: vec![] },
        FileRows { rows: adjacency, problems: vec![] },
        None,
        postcodes,
    )
    .map_err(|problems| {
        let first = problems.first().map(ToString::to_string).unwrap_or_default();
        StoreError::Rollback(format!(
            "the demo's geography has {} problems, the first: {first}",
            problems.len()
        ))
    })
}
