//! Lists of services: the review queue and how fresh each neighbourhood's
//! listings are, a need's page, the sitemap, and the details a results page
//! shows beside each result.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;

use super::schema::{
    locations, needs, neighbourhoods, organisations, service_at_locations, service_needs, services,
};
use super::{Conn, StoreResult, contains, decode, lower};
use crate::domain::directory::{Capacity, CostKind, ServiceStatus};
use crate::domain::ids::{NeedId, NeighbourhoodId, ServiceId};
use crate::domain::review::{COUNTED_AT_MOST, Freshness, Overdue, ReviewFilter, ReviewScope};
use crate::domain::views::{ResultDetails, ServiceSummary};

pub(super) type SummaryQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<services::table, organisations::table>,
    super::MultiBackend,
>;

/// Services joined to their organisations, ready to filter and order.
pub(super) fn summary_query<'a>() -> SummaryQuery<'a> {
    services::table.inner_join(organisations::table).into_boxed()
}

/// A line of a service list, as read.
#[derive(Queryable)]
struct SummaryRow {
    id: ServiceId,
    name: String,
    organisation_name: String,
    status: String,
    capacity: Option<String>,
    last_verified_at: Option<NaiveDateTime>,
}

pub(super) fn summaries(
    conn: &mut Conn,
    query: SummaryQuery<'_>,
    limit: i64,
) -> StoreResult<Vec<ServiceSummary>> {
    let rows: Vec<SummaryRow> = query
        .select((
            services::id,
            services::name,
            organisations::name,
            services::status,
            services::capacity,
            services::last_verified_at,
        ))
        .limit(limit)
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            Ok(ServiceSummary {
                id: row.id,
                name: row.name,
                organisation_name: row.organisation_name,
                status: decode(&row.status, ServiceStatus::from_code, "status")?,
                capacity: row
                    .capacity
                    .as_deref()
                    .map(|c| decode(c, Capacity::from_code, "capacity"))
                    .transpose()?,
                last_verified_at: row.last_verified_at,
            })
        })
        .collect()
}

/// One page of a review queue: the listings in `scope` that `filter`
/// narrows to, most overdue first (never checked, then the longest ago),
/// and how many there are in all, up to `COUNTED_AT_MOST` + 1. `due` is
/// when a listing checked before falls due; `year` a year ago.
pub fn review_queue(
    conn: &mut Conn,
    scope: &ReviewScope,
    filter: &ReviewFilter,
    (due, year): (NaiveDateTime, NaiveDateTime),
    (offset, limit): (i64, i64),
) -> StoreResult<(i64, Vec<ServiceSummary>)> {
    let words: Vec<String> =
        filter.organisation.to_lowercase().split_whitespace().map(str::to_string).collect();
    // The queue is read in two parts, each a range of one index: listings
    // never checked, then those checked before `cutoff`. (One condition
    // saying both is not a range, and a sparse filter then reads every row.)
    let cutoff = match filter.overdue() {
        Overdue::Due => Some(due),
        Overdue::Year => Some(year),
        Overdue::Never => None,
    };
    // A need nobody has heard of narrows the queue to nothing.
    let need = match &filter.need {
        Some(slug) => match needs::table
            .filter(needs::slug.eq(slug))
            .select(needs::id)
            .first::<NeedId>(conn)
            .optional()?
        {
            Some(need) => Some(need),
            None => return Ok((0, Vec::new())),
        },
        None => None,
    };
    let queue = |checked_before: Option<NaiveDateTime>, need_first: bool| {
        // Another area's listings are checked there; archived ones are not shown.
        let mut query = summary_query()
            .filter(services::status.ne("defunct"))
            .filter(services::archived_at.is_null())
            .filter(services::listed_by.is_null());
        query = match checked_before {
            Some(cutoff) => query.filter(services::last_verified_at.lt(cutoff)),
            None => query.filter(services::last_verified_at.is_null()),
        };
        match scope {
            ReviewScope::Everything => {}
            ReviewScope::Organisation(organisation) => {
                query = query.filter(services::organisation_id.eq(*organisation))
            }
            ReviewScope::Neighbourhoods(hoods) => {
                let in_theirs = service_at_locations::table
                    .inner_join(locations::table)
                    .filter(locations::neighbourhood_id.eq_any(hoods.clone()))
                    .select(service_at_locations::service_id);
                // `placed` says whether a service has a venue in some neighbourhood.
                query = query.filter(services::id.eq_any(in_theirs).or(services::placed.eq(false)));
            }
        }
        if let Some(hood) = filter.neighbourhood {
            let there = service_at_locations::table
                .inner_join(locations::table)
                .filter(locations::neighbourhood_id.eq(hood))
                .select(service_at_locations::service_id);
            query = query.filter(services::id.eq_any(there));
        }
        if let Some(need) = need {
            let meeting = service_needs::table.filter(service_needs::need_id.eq(need));
            query = if need_first {
                query.filter(services::id.eq_any(meeting.select(service_needs::service_id)))
            } else {
                query.filter(exists(meeting.filter(service_needs::service_id.eq(services::id))))
            };
        }
        for word in &words {
            query = query.filter(lower(organisations::name).like(contains(word)).escape('\\'));
        }
        query
    };
    // SQLite reads an `IN (subquery)` first whatever its size, so how a need
    // narrows each part is chosen here: from the need's own listings when
    // they are fewer than the part's, else asked of each listing the part
    // reads. (A connector's or an organisation's listings are fewer still.)
    let met: Option<i64> = match (need, scope) {
        (Some(need), ReviewScope::Everything) => {
            Some(service_needs::table.filter(service_needs::need_id.eq(need)).count().get_result(conn)?)
        }
        _ => None,
    };
    let need_first = |conn: &mut Conn, part: Option<NaiveDateTime>| -> StoreResult<bool> {
        let Some(met) = met else { return Ok(false) };
        let in_part = match part {
            Some(cutoff) => services::table.filter(services::last_verified_at.lt(cutoff)).into_boxed(),
            None => services::table.filter(services::last_verified_at.is_null()).into_boxed(),
        };
        // Up to one more than the need's, to know whether there are more.
        let read =
            in_part.select(services::last_verified_at).limit(met + 1).load::<Option<NaiveDateTime>>(conn)?;
        Ok(i64::try_from(read.len()).unwrap_or(i64::MAX) > met)
    };
    let never_first = need_first(conn, None)?;
    let checked_first = match cutoff {
        Some(cutoff) => need_first(conn, Some(cutoff))?,
        None => false,
    };
    // Counted up to one more than the most it says exactly: counting every
    // listing due in a large area would cost more than the page.
    let most = COUNTED_AT_MOST + 1;
    let count = |conn: &mut Conn, query: SummaryQuery<'_>, up_to: i64| -> StoreResult<i64> {
        let ids = query.select(services::id).limit(up_to).load::<ServiceId>(conn)?;
        Ok(i64::try_from(ids.len()).unwrap_or(i64::MAX))
    };
    let never = count(conn, queue(None, never_first), most)?;
    let total = match cutoff {
        Some(cutoff) if never < most => {
            never + count(conn, queue(Some(cutoff), checked_first), most - never)?
        }
        _ => never,
    };
    // Never checked first, then the longest ago: the same on either database.
    let mut page = summaries(conn, queue(None, never_first).order(services::id).offset(offset), limit)?;
    let read = i64::try_from(page.len()).unwrap_or(limit);
    if let (Some(cutoff), true) = (cutoff, read < limit) {
        // How many were never checked: exact from the count under its cap,
        // else ended by this page, else (past that part's end) counted.
        let never_all = if never < most {
            never
        } else if read > 0 {
            offset + read
        } else {
            queue(None, never_first).count().get_result::<i64>(conn)?
        };
        let checked = queue(Some(cutoff), checked_first)
            .order((services::last_verified_at.asc(), services::id))
            .offset((offset - never_all).max(0));
        page.extend(summaries(conn, checked, limit - read)?);
    }
    Ok((total, page))
}

/// How fresh each neighbourhood's listings are: its running listings at a
/// public venue there, and how many were checked since `since`. A
/// confidential venue counts nowhere.
pub fn freshness(conn: &mut Conn, since: NaiveDateTime) -> StoreResult<Vec<Freshness>> {
    let rows: Vec<(NeighbourhoodId, ServiceId, Option<NaiveDateTime>)> = services::table
        .inner_join(service_at_locations::table.inner_join(locations::table))
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .filter(services::listed_by.is_null())
        .filter(locations::confidential.eq(false))
        .filter(locations::neighbourhood_id.is_not_null())
        .select((locations::neighbourhood_id.assume_not_null(), services::id, services::last_verified_at))
        .distinct()
        .load(conn)?;
    let mut counts: HashMap<NeighbourhoodId, (u32, u32)> = HashMap::new();
    for (hood, _, checked) in rows {
        let entry = counts.entry(hood).or_default();
        entry.0 += 1;
        entry.1 += u32::from(checked.is_some_and(|at| at >= since));
    }
    let hoods: Vec<(NeighbourhoodId, String, String)> = neighbourhoods::table
        .select((neighbourhoods::id, neighbourhoods::name, neighbourhoods::slug))
        .order(neighbourhoods::name)
        .load(conn)?;
    Ok(hoods
        .into_iter()
        .map(|(neighbourhood, name, slug)| {
            let (listings, checked) = counts.get(&neighbourhood).copied().unwrap_or_default();
            Freshness { neighbourhood, name, slug, listings, checked }
        })
        .collect())
}

/// Running services listed under a need, by name.
pub fn for_need(conn: &mut Conn, slug: &str, limit: i64) -> StoreResult<Vec<ServiceSummary>> {
    let need = super::needs::id_of(conn, slug)?;
    let ids = service_needs::table.filter(service_needs::need_id.eq(need)).select(service_needs::service_id);
    let query = summary_query()
        .filter(services::id.eq_any(ids))
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .order(services::name);
    summaries(conn, query, limit)
}

/// The running services that meet at a venue, by name.
pub fn at_venue(conn: &mut Conn, venue: crate::domain::ids::LocationId) -> StoreResult<Vec<ServiceSummary>> {
    let there = service_at_locations::table
        .filter(service_at_locations::location_id.eq(venue))
        .select(service_at_locations::service_id);
    let query = summary_query()
        .filter(services::id.eq_any(there))
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .order(services::name);
    summaries(conn, query, 500)
}

/// How many running services each need has, by slug.
pub fn running_per_need(conn: &mut Conn) -> StoreResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = service_needs::table
        .inner_join(needs::table)
        .inner_join(services::table)
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .group_by(needs::slug)
        .select((needs::slug, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// A results line's details, as read.
#[derive(Queryable)]
struct DetailsRow {
    id: ServiceId,
    description: String,
    cost: String,
    cost_description: Option<String>,
    eligibility: Option<String>,
    min_age: Option<i32>,
    max_age: Option<i32>,
}

/// The details a results page shows for each of `ids` (those that exist).
pub fn result_details(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<HashMap<ServiceId, ResultDetails>> {
    let rows: Vec<DetailsRow> = services::table
        .filter(services::id.eq_any(ids))
        .select((
            services::id,
            services::description,
            services::cost,
            services::cost_description,
            services::eligibility,
            services::min_age,
            services::max_age,
        ))
        .load(conn)?;
    let mut details = HashMap::new();
    for row in rows {
        details.insert(
            row.id,
            ResultDetails {
                summary: ResultDetails::summary_of(&row.description),
                cost: decode(&row.cost, CostKind::from_code, "cost")?,
                cost_description: row.cost_description,
                eligibility: row.eligibility,
                min_age: row.min_age,
                max_age: row.max_age,
            },
        );
    }
    Ok(details)
}

/// The ids of every running service, by name.
pub fn running_ids(conn: &mut Conn) -> StoreResult<Vec<ServiceId>> {
    Ok(services::table
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .order(services::name)
        .select(services::id)
        .load(conn)?)
}
