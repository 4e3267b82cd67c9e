//! What the dashboard reads: the contacts of a period as facts to count, the
//! neighbourhoods with their populations, and which needs each neighbourhood
//! has a local or covering service for.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::schema::{follow_ups, needs, service_needs, services, signpost_contacts, signpost_needs};
use super::{Conn, StoreResult, decode, neighbourhoods};
use crate::domain::dashboard::{ContactFacts, Place};
use crate::domain::ids::{NeighbourhoodId, ServiceId, SignpostContactId};
use crate::domain::signposting::Outcome;

/// The contacts started from `from` to `to` (both included).
pub fn facts(conn: &mut Conn, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<ContactFacts>> {
    let (start, end) = (
        from.and_hms_opt(0, 0, 0).unwrap_or_default(),
        (to + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default(),
    );
    let rows: Vec<(SignpostContactId, chrono::NaiveDateTime, Option<NeighbourhoodId>, bool, String)> =
        signpost_contacts::table
            .filter(signpost_contacts::started_at.ge(start))
            .filter(signpost_contacts::started_at.lt(end))
            .select((
                signpost_contacts::id,
                signpost_contacts::started_at,
                signpost_contacts::neighbourhood_id,
                signpost_contacts::escalated,
                signpost_contacts::been_before,
            ))
            .load(conn)?;
    let mut asked: HashMap<SignpostContactId, Vec<(String, bool)>> = HashMap::new();
    let need_rows: Vec<(SignpostContactId, String, bool)> = signpost_needs::table
        .inner_join(signpost_contacts::table)
        .inner_join(needs::table)
        .filter(signpost_contacts::started_at.ge(start))
        .filter(signpost_contacts::started_at.lt(end))
        .select((signpost_needs::contact_id, needs::slug, signpost_needs::unmet))
        .load(conn)?;
    for (contact, slug, unmet) in need_rows {
        asked.entry(contact).or_default().push((slug, unmet));
    }
    let mut follow: HashMap<SignpostContactId, (bool, Option<Outcome>)> = HashMap::new();
    let follow_rows: Vec<(SignpostContactId, Option<chrono::NaiveDateTime>, Option<String>)> =
        follow_ups::table
            .inner_join(signpost_contacts::table)
            .filter(signpost_contacts::started_at.ge(start))
            .filter(signpost_contacts::started_at.lt(end))
            .select((follow_ups::contact_id, follow_ups::sent_at, follow_ups::outcome))
            .load(conn)?;
    for (contact, sent_at, outcome) in follow_rows {
        let outcome = outcome.map(|o| decode(&o, Outcome::from_code, "follow-up answer")).transpose()?;
        follow.insert(contact, (sent_at.is_some(), outcome));
    }
    rows.into_iter()
        .map(|(id, started_at, hood, escalated, returning)| {
            Ok(ContactFacts {
                day: started_at.date(),
                neighbourhood: hood,
                needs: asked.remove(&id).unwrap_or_default(),
                escalated,
                returning: returning == "yes",
                follow_up: follow.remove(&id),
            })
        })
        .collect()
}

/// Every neighbourhood, with its population.
pub fn places(conn: &mut Conn) -> StoreResult<Vec<Place>> {
    Ok(neighbourhoods::all(conn)?
        .into_iter()
        .map(|hood| Place { id: hood.id, name: hood.name, population: hood.population })
        .collect())
}

/// For each of `ids`, the needs (slugs) met by a running service based in
/// it or serving it from elsewhere (see `local_services::local_services`).
pub fn covered(
    conn: &mut Conn,
    ids: &HashSet<NeighbourhoodId>,
) -> StoreResult<HashMap<NeighbourhoodId, HashSet<String>>> {
    let hoods: Vec<_> = neighbourhoods::all(conn)?.into_iter().filter(|h| ids.contains(&h.id)).collect();
    let reach = super::local_services::service_reach(conn, &hoods)?;
    let mut needs_of: HashMap<ServiceId, Vec<String>> = HashMap::new();
    let rows: Vec<(ServiceId, String)> = service_needs::table
        .inner_join(needs::table)
        .inner_join(services::table)
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .select((service_needs::service_id, needs::slug))
        .load(conn)?;
    for (service, slug) in rows {
        needs_of.entry(service).or_default().push(slug);
    }
    Ok(reach
        .into_iter()
        .map(|(hood, reach)| {
            let services = reach.based.iter().chain(&reach.serving);
            (hood, services.flat_map(|s| needs_of.get(s).into_iter().flatten().cloned()).collect())
        })
        .collect())
}
