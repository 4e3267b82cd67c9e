//! What the search index is fed: running services with everything search
//! needs, loaded in bulk, and the outbox of services changed since they were
//! last indexed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::listings::{ScheduleRow, schedule_of};
use super::schema::{
    index_queue, locations, needs, organisations, schedules, service_at_locations, service_delivery,
    service_languages, service_needs, services,
};
use super::{Conn, StoreResult, decode, parse_id};
use crate::domain::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea};
use crate::domain::ids::ServiceId;
use crate::domain::views::{SearchPlace, SearchableService};

/// How many ids go in one `IN (...)` list.
const CHUNK: usize = 500;

/// Queues a service for indexing. Call inside the transaction that changes it.
pub fn queue(conn: &mut Conn, id: ServiceId, now: NaiveDateTime) -> StoreResult<()> {
    diesel::replace_into(index_queue::table)
        .values((index_queue::service_id.eq(id.to_string()), index_queue::queued_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The services waiting to be indexed, oldest first, with when each was queued.
pub fn queued(conn: &mut Conn, limit: i64) -> StoreResult<Vec<(ServiceId, NaiveDateTime)>> {
    let rows: Vec<(String, NaiveDateTime)> = index_queue::table
        .select((index_queue::service_id, index_queue::queued_at))
        .order(index_queue::queued_at)
        .limit(limit)
        .load(conn)?;
    rows.into_iter().map(|(id, at)| Ok((parse_id(&id)?, at))).collect()
}

/// Takes indexed services off the queue, unless they were queued again since.
pub fn done(conn: &mut Conn, indexed: &[(ServiceId, NaiveDateTime)]) -> StoreResult<()> {
    conn.transaction(|conn| {
        for (id, at) in indexed {
            diesel::delete(
                index_queue::table
                    .filter(index_queue::service_id.eq(id.to_string()))
                    .filter(index_queue::queued_at.eq(at)),
            )
            .execute(conn)?;
        }
        Ok(())
    })
}

#[derive(Queryable)]
struct Row {
    id: String,
    name: String,
    description: String,
    organisation: String,
    min_age: Option<i32>,
    max_age: Option<i32>,
    cost: String,
    area: String,
    referral_route: String,
    capacity: Option<String>,
    last_verified_at: Option<NaiveDateTime>,
}

/// Every running service, or those of `only` that are running, ready to index.
pub fn searchable(conn: &mut Conn, only: Option<&[ServiceId]>) -> StoreResult<Vec<SearchableService>> {
    let ids: Option<Vec<String>> = only.map(|ids| ids.iter().map(ToString::to_string).collect());
    let mut rows: Vec<Row> = Vec::new();
    let select = (
        services::id,
        services::name,
        services::description,
        organisations::name,
        services::min_age,
        services::max_age,
        services::cost,
        services::area,
        services::referral_route,
        services::capacity,
        services::last_verified_at,
    );
    match &ids {
        None => {
            rows = services::table
                .inner_join(organisations::table)
                .filter(services::status.eq("active"))
                .select(select)
                .load(conn)?
        }
        Some(ids) => {
            for chunk in ids.chunks(CHUNK) {
                rows.extend(
                    services::table
                        .inner_join(organisations::table)
                        .filter(services::status.eq("active"))
                        .filter(services::id.eq_any(chunk))
                        .select(select)
                        .load::<Row>(conn)?,
                );
            }
        }
    }
    let wanted: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut need_rows: Vec<(String, String)> = Vec::new();
    let mut languages: Vec<(String, String)> = Vec::new();
    let mut delivery: Vec<(String, String)> = Vec::new();
    let mut places: Vec<(String, f64, f64, bool, Option<bool>)> = Vec::new();
    let mut schedule_rows: Vec<ScheduleRow> = Vec::new();
    // For a full load, read each table once; for a few services, only theirs.
    let chunks: Vec<Option<&[String]>> = match only {
        None => vec![None],
        Some(_) => wanted.chunks(CHUNK).map(Some).collect(),
    };
    for chunk in chunks {
        macro_rules! load {
            ($query:expr, $column:expr) => {
                match chunk {
                    None => $query.load(conn)?,
                    Some(ids) => $query.filter($column.eq_any(ids)).load(conn)?,
                }
            };
        }
        let q =
            service_needs::table.inner_join(needs::table).select((service_needs::service_id, needs::slug));
        need_rows.extend::<Vec<(String, String)>>(load!(q, service_needs::service_id));
        let q = service_languages::table.select((service_languages::service_id, service_languages::language));
        languages.extend::<Vec<(String, String)>>(load!(q, service_languages::service_id));
        let q = service_delivery::table.select((service_delivery::service_id, service_delivery::mode));
        delivery.extend::<Vec<(String, String)>>(load!(q, service_delivery::service_id));
        let q = service_at_locations::table.inner_join(locations::table).select((
            service_at_locations::service_id,
            locations::latitude,
            locations::longitude,
            locations::confidential,
            locations::step_free,
        ));
        places.extend::<Vec<(String, f64, f64, bool, Option<bool>)>>(load!(
            q,
            service_at_locations::service_id
        ));
        let q = schedules::table.select(ScheduleRow::as_select());
        schedule_rows.extend::<Vec<ScheduleRow>>(load!(q, schedules::service_id));
    }
    let mut by_service: HashMap<String, SearchableService> = HashMap::with_capacity(rows.len());
    for row in rows {
        let service = SearchableService {
            id: parse_id(&row.id)?,
            name: row.name,
            description: row.description,
            organisation: row.organisation,
            needs: Vec::new(),
            languages: Vec::new(),
            delivery: Vec::new(),
            cost: decode(&row.cost, CostKind::from_code, "cost")?,
            min_age: row.min_age,
            max_age: row.max_age,
            area: decode(&row.area, ServiceArea::from_code, "service area")?,
            referral: decode(&row.referral_route, ReferralRoute::from_code, "referral route")?,
            capacity: row
                .capacity
                .as_deref()
                .map(|code| decode(code, Capacity::from_code, "capacity"))
                .transpose()?,
            places: Vec::new(),
            schedules: Vec::new(),
            last_verified_at: row.last_verified_at,
        };
        by_service.insert(row.id, service);
    }
    for (id, slug) in need_rows {
        if let Some(s) = by_service.get_mut(&id) {
            s.needs.push(slug);
        }
    }
    for (id, language) in languages {
        if let Some(s) = by_service.get_mut(&id) {
            s.languages.push(language);
        }
    }
    for (id, mode) in delivery {
        if let Some(s) = by_service.get_mut(&id) {
            s.delivery.push(decode(&mode, DeliveryMode::from_code, "delivery mode")?);
        }
    }
    for (id, latitude, longitude, confidential, step_free) in places {
        if let Some(s) = by_service.get_mut(&id) {
            // A confidential venue is never placed: its address must not leak through distances.
            if !confidential {
                s.places.push(SearchPlace { latitude, longitude, step_free: step_free == Some(true) });
            }
        }
    }
    for row in &schedule_rows {
        if let Some(s) = by_service.get_mut(&row.service_id) {
            s.schedules.push(schedule_of(row)?);
        }
    }
    // In id order, so the index (and how ties rank) is the same on every build.
    let mut services: Vec<SearchableService> = by_service.into_values().collect();
    services.sort_by_key(|s| s.id);
    Ok(services)
}
