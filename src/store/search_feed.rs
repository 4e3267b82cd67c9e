//! What the search index is fed: running services with everything search
//! needs, loaded in bulk, and the outbox of services changed since they were
//! last indexed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schedules::{ScheduleRow, schedule_of};
use super::schema::{
    index_queue, locations, needs, organisations, schedules, service_at_locations, service_delivery,
    service_languages, service_needs, services,
};
use super::{Conn, StoreResult, decode};
use crate::domain::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea};
use crate::domain::ids::ServiceId;
use crate::domain::views::{SearchPlace, SearchableService};

/// How many ids go in one `IN (...)` list.
const CHUNK: usize = 500;

/// Queues a service for indexing. Call inside the transaction that changes it.
pub fn queue(conn: &mut Conn, id: ServiceId, now: NaiveDateTime) -> StoreResult<()> {
    diesel::replace_into(index_queue::table)
        .values((index_queue::service_id.eq(id), index_queue::queued_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The services waiting to be indexed, oldest first, with when each was queued.
pub fn queued(conn: &mut Conn, limit: i64) -> StoreResult<Vec<(ServiceId, NaiveDateTime)>> {
    Ok(index_queue::table
        .select((index_queue::service_id, index_queue::queued_at))
        .order(index_queue::queued_at)
        .limit(limit)
        .load(conn)?)
}

/// Takes indexed services off the queue, unless they were queued again since.
pub fn done(conn: &mut Conn, indexed: &[(ServiceId, NaiveDateTime)]) -> StoreResult<()> {
    conn.transaction(|conn| {
        for (id, at) in indexed {
            diesel::delete(
                index_queue::table
                    .filter(index_queue::service_id.eq(id))
                    .filter(index_queue::queued_at.eq(at)),
            )
            .execute(conn)?;
        }
        Ok(())
    })
}

#[derive(Queryable)]
struct Row {
    id: ServiceId,
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
    // For a full load, read each table once; for a few services, only theirs.
    let chunks: Vec<Option<&[ServiceId]>> = match only {
        None => vec![None],
        Some(ids) => ids.chunks(CHUNK).map(Some).collect(),
    };
    let mut by_service = HashMap::new();
    let mut extras = Extras::default();
    for chunk in chunks {
        for row in running(conn, chunk)? {
            let service = service_of(row)?;
            by_service.insert(service.id, service);
        }
        extras.load(conn, chunk)?;
    }
    extras.attach(&mut by_service)?;
    let mut services: Vec<SearchableService> = by_service.into_values().collect();
    services.sort_by_key(|s| s.id);
    Ok(services)
}

/// The running services among `ids` (all of them when `None`).
fn running(conn: &mut Conn, ids: Option<&[ServiceId]>) -> StoreResult<Vec<Row>> {
    let mut query = services::table
        .inner_join(organisations::table)
        .filter(services::status.eq("active"))
        .select((
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
        ))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(services::id.eq_any(ids));
    }
    Ok(query.load(conn)?)
}

fn service_of(row: Row) -> StoreResult<SearchableService> {
    Ok(SearchableService {
        id: row.id,
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
    })
}

/// What search needs of a service beyond its row, read table by table.
#[derive(Default)]
struct Extras {
    needs: Vec<(ServiceId, String)>,
    languages: Vec<(ServiceId, String)>,
    delivery: Vec<(ServiceId, String)>,
    places: Vec<(ServiceId, f64, f64, bool, Option<bool>)>,
    schedules: Vec<ScheduleRow>,
}

impl Extras {
    /// Reads the extras of the services among `ids` (all when `None`).
    fn load(&mut self, conn: &mut Conn, ids: Option<&[ServiceId]>) -> StoreResult<()> {
        macro_rules! load {
            ($query:expr, $column:expr) => {
                match ids {
                    None => $query.load(conn)?,
                    Some(ids) => $query.filter($column.eq_any(ids)).load(conn)?,
                }
            };
        }
        let q =
            service_needs::table.inner_join(needs::table).select((service_needs::service_id, needs::slug));
        self.needs.extend::<Vec<(ServiceId, String)>>(load!(q, service_needs::service_id));
        let q = service_languages::table.select((service_languages::service_id, service_languages::language));
        self.languages.extend::<Vec<(ServiceId, String)>>(load!(q, service_languages::service_id));
        let q = service_delivery::table.select((service_delivery::service_id, service_delivery::mode));
        self.delivery.extend::<Vec<(ServiceId, String)>>(load!(q, service_delivery::service_id));
        let q = service_at_locations::table.inner_join(locations::table).select((
            service_at_locations::service_id,
            locations::latitude,
            locations::longitude,
            locations::confidential,
            locations::step_free,
        ));
        self.places.extend::<Vec<(ServiceId, f64, f64, bool, Option<bool>)>>(load!(
            q,
            service_at_locations::service_id
        ));
        let q = schedules::table.select(ScheduleRow::as_select());
        self.schedules.extend::<Vec<ScheduleRow>>(load!(q, schedules::service_id));
        Ok(())
    }

    /// Gives each service its extras.
    fn attach(self, by_service: &mut HashMap<ServiceId, SearchableService>) -> StoreResult<()> {
        for (id, slug) in self.needs {
            if let Some(s) = by_service.get_mut(&id) {
                s.needs.push(slug);
            }
        }
        for (id, language) in self.languages {
            if let Some(s) = by_service.get_mut(&id) {
                s.languages.push(language);
            }
        }
        for (id, mode) in self.delivery {
            if let Some(s) = by_service.get_mut(&id) {
                s.delivery.push(decode(&mode, DeliveryMode::from_code, "delivery mode")?);
            }
        }
        for (id, latitude, longitude, confidential, step_free) in self.places {
            if let Some(s) = by_service.get_mut(&id) {
                // A confidential venue is never placed: its address must not leak through distances.
                if !confidential {
                    s.places.push(SearchPlace { latitude, longitude, step_free: step_free == Some(true) });
                }
            }
        }
        for row in &self.schedules {
            if let Some(s) = by_service.get_mut(&row.service_id) {
                s.schedules.push(schedule_of(row)?);
            }
        }
        Ok(())
    }
}
