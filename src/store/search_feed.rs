//! What the search index is fed: running services with everything search
//! needs, loaded in bulk, and the numbered log of changes that every
//! server's index follows.
//!
//! Every change to a service appends its id to the log in the same
//! transaction. Each server's index keeps, in its own commits, the number of
//! the last change it has taken in, reads on from there, and says here how
//! far it has got (`search_followers`); entries every live server has passed
//! are pruned. On PostgreSQL, where transactions commit in any order, a
//! change is logged under a lock held to the end of its transaction, so that
//! numbers become visible in order and a server that has read up to change
//! 12 can never later find an 11. Log a change last in its transaction,
//! after the rows it changed, so the lock is held only briefly and never
//! waits on a row another writer holds.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schedules::{ScheduleRow, schedule_of};
use super::schema::{
    locations, needs, organisations, schedules, search_changes, search_followers, service_at_locations,
    service_delivery, service_keywords, service_languages, service_needs, services,
};
use super::{Conn, StoreResult, decode, per_backend};
use crate::domain::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea};
use crate::domain::ids::ServiceId;
use crate::domain::views::{SearchPlace, SearchableService};

/// How many ids go in one `IN (...)` list.
const CHUNK: usize = 500;

/// Logs a change to a service, for every server's index. Call inside the
/// transaction that changes it, after its other writes.
pub fn log_change(conn: &mut Conn, id: ServiceId, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        if let Conn::Postgres(pg) = conn {
            // Held to the end of the outermost transaction: see the module's comment.
            pg.batch_execute("LOCK TABLE search_changes IN SHARE ROW EXCLUSIVE MODE")?;
        }
        diesel::insert_into(search_changes::table)
            .values((search_changes::service_id.eq(id), search_changes::changed_at.eq(now)))
            .execute(conn)?;
        Ok(())
    })
}

/// A change in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub number: i64,
    pub service: ServiceId,
    pub at: NaiveDateTime,
}

/// The changes after number `after`, oldest first, at most `limit`.
pub fn changes_after(conn: &mut Conn, after: i64, limit: i64) -> StoreResult<Vec<Change>> {
    let rows: Vec<(i64, ServiceId, NaiveDateTime)> = search_changes::table
        .filter(search_changes::id.gt(after))
        .order(search_changes::id)
        .limit(limit)
        .select((search_changes::id, search_changes::service_id, search_changes::changed_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(number, service, at)| Change { number, service, at }).collect())
}

/// The first and last numbers in the log, when it holds any.
pub fn log_bounds(conn: &mut Conn) -> StoreResult<Option<(i64, i64)>> {
    let (first, last): (Option<i64>, Option<i64>) = search_changes::table
        .select((diesel::dsl::min(search_changes::id), diesel::dsl::max(search_changes::id)))
        .first(conn)?;
    Ok(first.zip(last))
}

/// Says that the index `name` has taken in the log up to `change`.
pub fn followed(conn: &mut Conn, name: &str, change: i64, now: NaiveDateTime) -> StoreResult<()> {
    let upsert = diesel::insert_into(search_followers::table)
        .values((
            search_followers::name.eq(name),
            search_followers::last_change.eq(change),
            search_followers::seen_at.eq(now),
        ))
        .on_conflict(search_followers::name)
        .do_update()
        .set((
            search_followers::last_change.eq(excluded(search_followers::last_change)),
            search_followers::seen_at.eq(excluded(search_followers::seen_at)),
        ));
    per_backend!(conn, |c| upsert.execute(c))?;
    Ok(())
}

/// Prunes the log: forgets indexes not heard from since `alive_since`, then
/// deletes the entries every remaining index has taken in, keeping the
/// newest of those (so the log, once started, always shows where it has got
/// to). Returns how many entries went.
pub fn prune(conn: &mut Conn, alive_since: NaiveDateTime) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        diesel::delete(search_followers::table.filter(search_followers::seen_at.lt(alive_since)))
            .execute(conn)?;
        let slowest: Option<i64> =
            search_followers::table.select(diesel::dsl::min(search_followers::last_change)).first(conn)?;
        let Some(slowest) = slowest else { return Ok(0) };
        Ok(diesel::delete(search_changes::table.filter(search_changes::id.lt(slowest))).execute(conn)?)
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

/// The running services among `ids`, ready to index, in the order of their
/// ids.
pub fn searchable(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<Vec<SearchableService>> {
    let mut rows = Vec::new();
    let mut extras = Extras::default();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(running(conn, Among::Ids(chunk), None)?);
        extras.load(conn, Among::Ids(chunk))?;
    }
    let mut services = assemble(conn, rows, extras)?;
    services.sort_by_key(|s| s.id);
    Ok(services)
}

/// A page of every running service, ready to index: at most `limit` of
/// those after `after` (from the first when `None`) in the database's order
/// of their ids. The next page follows the last of this one. Each table is
/// read once a page, by a range of ids, so that indexing a million services
/// holds one page in memory at a time.
pub fn searchable_page(
    conn: &mut Conn,
    after: Option<ServiceId>,
    limit: i64,
) -> StoreResult<Vec<SearchableService>> {
    let rows = running(conn, Among::After(after), Some(limit))?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else { return Ok(Vec::new()) };
    let mut extras = Extras::default();
    extras.load(conn, Among::Between(first.id, last.id))?;
    assemble(conn, rows, extras)
}

/// Which services to read.
#[derive(Clone, Copy)]
enum Among<'a> {
    Ids(&'a [ServiceId]),
    /// Those after this id (all when `None`), in order.
    After(Option<ServiceId>),
    /// From the first id to the last, both included.
    Between(ServiceId, ServiceId),
}

/// The running services among `among`, at most `limit`.
fn running(conn: &mut Conn, among: Among, limit: Option<i64>) -> StoreResult<Vec<Row>> {
    let mut query = services::table
        .inner_join(organisations::table)
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
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
    query = match among {
        Among::Ids(ids) => query.filter(services::id.eq_any(ids)),
        Among::After(None) => query.order(services::id),
        Among::After(Some(after)) => query.filter(services::id.gt(after)).order(services::id),
        Among::Between(first, last) => query.filter(services::id.between(first, last)),
    };
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    Ok(query.load(conn)?)
}

/// The services of `rows`, in their order, with their extras and the
/// neighbouring area whose feed lists each.
fn assemble(conn: &mut Conn, rows: Vec<Row>, extras: Extras) -> StoreResult<Vec<SearchableService>> {
    let mut services = rows.into_iter().map(service_of).collect::<StoreResult<Vec<_>>>()?;
    let at: HashMap<ServiceId, usize> = services.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    extras.attach(&mut services, &at)?;
    let ids: Vec<ServiceId> = services.iter().map(|s| s.id).collect();
    for (id, area) in super::neighbours::listed_by(conn, &ids)? {
        if let Some(&i) = at.get(&id) {
            services[i].listed_by = Some(area);
        }
    }
    Ok(services)
}

fn service_of(row: Row) -> StoreResult<SearchableService> {
    Ok(SearchableService {
        id: row.id,
        name: row.name,
        description: row.description,
        organisation: row.organisation,
        needs: Vec::new(),
        keywords: Vec::new(),
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
        listed_by: None,
    })
}

/// What search needs of a service beyond its row, read table by table.
#[derive(Default)]
struct Extras {
    needs: Vec<(ServiceId, String)>,
    keywords: Vec<(ServiceId, String)>,
    languages: Vec<(ServiceId, String)>,
    delivery: Vec<(ServiceId, String)>,
    places: Vec<(ServiceId, f64, f64, bool, Option<bool>, bool)>,
    schedules: Vec<ScheduleRow>,
}

impl Extras {
    /// Reads the extras of the services among `among`.
    fn load(&mut self, conn: &mut Conn, among: Among) -> StoreResult<()> {
        macro_rules! load {
            ($query:expr, $column:expr) => {
                match among {
                    Among::Ids(ids) => $query.filter($column.eq_any(ids)).load(conn)?,
                    Among::After(None) => $query.load(conn)?,
                    Among::After(Some(after)) => $query.filter($column.gt(after)).load(conn)?,
                    Among::Between(first, last) => $query.filter($column.between(first, last)).load(conn)?,
                }
            };
        }
        let q =
            service_needs::table.inner_join(needs::table).select((service_needs::service_id, needs::slug));
        self.needs.extend::<Vec<(ServiceId, String)>>(load!(q, service_needs::service_id));
        let q = service_keywords::table.select((service_keywords::service_id, service_keywords::keyword));
        self.keywords.extend::<Vec<(ServiceId, String)>>(load!(q, service_keywords::service_id));
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
            locations::postal,
        ));
        self.places.extend::<Vec<(ServiceId, f64, f64, bool, Option<bool>, bool)>>(load!(
            q,
            service_at_locations::service_id
        ));
        let q = schedules::table.select(ScheduleRow::as_select());
        self.schedules.extend::<Vec<ScheduleRow>>(load!(q, schedules::service_id));
        Ok(())
    }

    /// Gives each service its extras (`at` finds a service's place in
    /// `services`).
    fn attach(self, services: &mut [SearchableService], at: &HashMap<ServiceId, usize>) -> StoreResult<()> {
        for (id, slug) in self.needs {
            if let Some(s) = at.get(&id).map(|&i| &mut services[i]) {
                s.needs.push(slug);
            }
        }
        for (id, keyword) in self.keywords {
            if let Some(s) = at.get(&id).map(|&i| &mut services[i]) {
                s.keywords.push(keyword);
            }
        }
        for (id, language) in self.languages {
            if let Some(s) = at.get(&id).map(|&i| &mut services[i]) {
                s.languages.push(language);
            }
        }
        for (id, mode) in self.delivery {
            if let Some(s) = at.get(&id).map(|&i| &mut services[i]) {
                s.delivery.push(decode(&mode, DeliveryMode::from_code, "delivery mode")?);
            }
        }
        for (id, latitude, longitude, confidential, step_free, postal) in self.places {
            if let Some(s) = at.get(&id).map(|&i| &mut services[i]) {
                // A confidential venue is never placed: its address must not leak through distances.
                if !confidential {
                    s.places.push(SearchPlace {
                        latitude,
                        longitude,
                        step_free: step_free == Some(true),
                        postal,
                    });
                }
            }
        }
        for row in &self.schedules {
            if let Some(s) = at.get(&row.service_id).map(|&i| &mut services[i]) {
                s.schedules.push(schedule_of(row)?);
            }
        }
        Ok(())
    }
}
