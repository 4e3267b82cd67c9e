//! What the Open Referral API reads: services and services-at-locations
//! narrowed by its filters, a page at a time, and whole listings read for a
//! page at once (a few queries per page, not per service).
//!
//! A confidential venue is never read here: it is not listed, is not placed
//! on any distance, and does not decide whether a service covers a postcode.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{
    locations, needs, neighbourhoods, schedules, service_area_neighbourhoods, service_at_locations,
    service_delivery, service_needs, services,
};
use super::{Conn, MultiBackend, StoreResult, contacts, lower, organisations, schedules as stored_schedules};
use super::{contains, locations as venues, sql_count};
use crate::domain::directory::ServiceArea;
use crate::domain::ids::{NeighbourhoodId, ServiceAtLocationId, ServiceId};
use crate::domain::openreferral::Fact;
use crate::domain::openreferral::query::{Paging, ServiceFilter, TaxonomyChoice, Term};
use crate::domain::openreferral::{PublicPlace, ServiceRecord};
use crate::domain::schedule::day_code;
use crate::geo::cells::distance_m;

/// The point a postcode filter is about, with the neighbourhood it is in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    pub neighbourhood: Option<NeighbourhoodId>,
}

/// Where a postcode is, for a filter: its point and neighbourhood.
pub fn near(conn: &mut Conn, latitude: f64, longitude: f64) -> StoreResult<Near> {
    Ok(Near {
        latitude,
        longitude,
        neighbourhood: super::neighbourhoods::containing(conn, latitude, longitude)?,
    })
}

/// Whether a service covers a postcode's point: what `covering` needs to
/// know beyond each service's own row, read first.
#[derive(Clone)]
struct Coverage {
    /// Services offered within a distance of a public venue that reaches the point.
    reached: Vec<ServiceId>,
    /// The neighbourhood the point is in; none when it is outside the borough.
    neighbourhood: Option<NeighbourhoodId>,
}

/// What the filter needs read before the query that uses it: a subquery
/// cannot name a table the query it is in already joins.
struct Lookups {
    coverage: Option<Coverage>,
    /// The services at public local entry points, when the filter asks for them.
    at_entry_points: Vec<ServiceId>,
    /// Whether any service here is another area's (most directories follow
    /// no feed, and their lists then need no filter for it).
    others_listed: bool,
}

fn lookups(conn: &mut Conn, f: &ServiceFilter, near: Option<Near>) -> StoreResult<Lookups> {
    let coverage = match (near, f.proximity_m) {
        (Some(near), None) => {
            Some(Coverage { reached: reaching(conn, near)?, neighbourhood: near.neighbourhood })
        }
        _ => None,
    };
    let at_entry_points = if f.term == Some(Term::Fact(Fact::EntryPoint)) {
        service_at_locations::table
            .inner_join(locations::table)
            .filter(locations::entry_point.eq(true))
            .filter(locations::confidential.eq(false))
            .select(service_at_locations::service_id)
            .distinct()
            .load(conn)?
    } else {
        Vec::new()
    };
    let others_listed = services::table
        .filter(services::listed_by.is_not_null())
        .select(services::id)
        .first::<ServiceId>(conn)
        .optional()?
        .is_some();
    Ok(Lookups { coverage, at_entry_points, others_listed })
}

/// Narrows a boxed query that includes `services` by every filter but the
/// distance. A macro, since the services list and the services-at-locations
/// list are queries of different shapes, and a subquery cannot be boxed on
/// a connection to either backend.
macro_rules! narrowed {
    ($query:expr, $f:expr, $lookups:expr) => {{
        let f: &ServiceFilter = $f;
        let mut query = $query.filter(services::archived_at.is_null());
        // Another area's listings are that area's to publish.
        if $lookups.others_listed {
            query = query.filter(services::listed_by.is_null());
        }
        for word in &f.words {
            let pattern = contains(word);
            query = query.filter(
                lower(services::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(services::description).like(pattern).escape('\\')),
            );
        }
        match f.term {
            Some(Term::Need(term)) => {
                let term_or_narrower =
                    needs::table.filter(needs::id.eq(term).or(needs::parent_id.eq(term))).select(needs::id);
                let tagged = service_needs::table
                    .filter(service_needs::need_id.eq_any(term_or_narrower))
                    .select(service_needs::service_id);
                query = query.filter(services::id.eq_any(tagged));
            }
            Some(Term::Fact(Fact::Delivery(mode))) => {
                let delivered = service_delivery::table
                    .filter(service_delivery::mode.eq(mode.code()))
                    .select(service_delivery::service_id);
                query = query.filter(services::id.eq_any(delivered));
            }
            Some(Term::Fact(Fact::Capacity(capacity))) => {
                query = query.filter(services::capacity.eq(capacity.code()))
            }
            Some(Term::Fact(Fact::EntryPoint)) => {
                query = query.filter(services::id.eq_any($lookups.at_entry_points.clone()));
            }
            // Nothing here is tagged with a term not published here.
            Some(Term::Unknown) => query = query.filter(services::id.is_null()),
            None => {}
        }
        match f.taxonomy {
            Some(TaxonomyChoice::Needs) => {
                query =
                    query.filter(services::id.eq_any(service_needs::table.select(service_needs::service_id)))
            }
            Some(TaxonomyChoice::Facts) => {
                let delivered = service_delivery::table.select(service_delivery::service_id);
                query = query.filter(services::id.eq_any(delivered).or(services::capacity.is_not_null()));
            }
            Some(TaxonomyChoice::Other) => query = query.filter(services::id.is_null()),
            None => {}
        }
        if let Some(organisation) = f.organisation {
            query = query.filter(services::organisation_id.eq(organisation));
        }
        if let Some(after) = f.modified_after {
            query = query.filter(services::updated_at.ge(after));
        }
        if let Some(age) = f.minimum_age {
            query = query.filter(services::min_age.ge(age));
        }
        if let Some(age) = f.maximum_age {
            query = query.filter(services::max_age.le(age));
        }
        if f.day.is_some() || f.start_time.is_some() || f.end_time.is_some() {
            // One schedule must meet on the day, from the start, until the end.
            // `byday` holds iCalendar codes, like "MO,WE" or "1TU".
            let day =
                f.day.map_or(String::from("%"), |d| format!("%{}%", day_code(d)[..2].to_ascii_uppercase()));
            let on_day = schedules::table.filter(schedules::byday.like(day));
            query = match (f.start_time, f.end_time) {
                (Some(start), Some(end)) => query.filter(
                    services::id.eq_any(
                        on_day
                            .filter(schedules::opens_at.ge(start))
                            .filter(schedules::closes_at.le(end))
                            .select(schedules::service_id),
                    ),
                ),
                (Some(start), None) => query.filter(
                    services::id
                        .eq_any(on_day.filter(schedules::opens_at.ge(start)).select(schedules::service_id)),
                ),
                (None, Some(end)) => query.filter(
                    services::id
                        .eq_any(on_day.filter(schedules::closes_at.le(end)).select(schedules::service_id)),
                ),
                (None, None) => query.filter(services::id.eq_any(on_day.select(schedules::service_id))),
            };
        }
        if let Some(coverage) = $lookups.coverage.clone() {
            query = covering!(query, coverage);
        }
        query
    }};
}

/// Narrows to the services whose area covers the point: the whole country;
/// the borough or their venues' surroundings, when the point is in the area;
/// chosen neighbourhoods that hold it (or none chosen yet); or a distance
/// from one of their public venues that reaches it.
macro_rules! covering {
    ($query:expr, $coverage:expr) => {{
        let Coverage { reached, neighbourhood } = $coverage;
        let national_or_reached =
            services::area.eq(ServiceArea::National.code()).or(services::id.eq_any(reached));
        match neighbourhood {
            None => $query.filter(national_or_reached),
            Some(hood) => {
                let chosen = service_area_neighbourhoods::table
                    .filter(service_area_neighbourhoods::neighbourhood_id.eq(hood))
                    .select(service_area_neighbourhoods::service_id);
                // A service that has chosen no neighbourhoods yet says nothing of its area.
                let choosing =
                    service_area_neighbourhoods::table.select(service_area_neighbourhoods::service_id);
                $query.filter(
                    national_or_reached
                        .or(services::area.eq_any([ServiceArea::Borough.code(), ServiceArea::Local.code()]))
                        .or(services::area
                            .eq(ServiceArea::Neighbourhoods.code())
                            .and(services::id.eq_any(chosen).or(services::id.ne_all(choosing)))),
                )
            }
        }
    }};
}

/// The services offered within a distance of their venues that reach `near`.
fn reaching(conn: &mut Conn, near: Near) -> StoreResult<Vec<ServiceId>> {
    let rows: Vec<(ServiceId, Option<f64>, f64, f64)> = services::table
        .inner_join(service_at_locations::table.inner_join(locations::table))
        .filter(services::area.eq(ServiceArea::Radius.code()))
        .filter(locations::confidential.eq(false))
        .select((services::id, services::area_radius_km, locations::latitude, locations::longitude))
        .load(conn)?;
    let mut ids: Vec<ServiceId> = rows
        .into_iter()
        .filter(|(_, km, lat, lon)| {
            km.is_some_and(|km| distance_m((near.latitude, near.longitude), (*lat, *lon)) <= km * 1000.0)
        })
        .map(|(id, ..)| id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// A page of services, in the order of their ids, and how many in all. With
/// a distance, those with a public venue within it of `near`, nearest first.
pub fn services_page(
    conn: &mut Conn,
    f: &ServiceFilter,
    near: Option<Near>,
    paging: Paging,
) -> StoreResult<(u64, Vec<ServiceId>)> {
    if let (Some(near), Some(metres)) = (near, f.proximity_m) {
        let mut seen = std::collections::HashSet::new();
        let nearest: Vec<ServiceId> = within(conn, f, near, metres)?
            .into_iter()
            .map(|(_, service, _)| service)
            .filter(|s| seen.insert(*s))
            .collect();
        return Ok(page_of(nearest, paging));
    }
    let lookups = lookups(conn, f, near)?;
    let filtered = || narrowed!(services::table.into_boxed::<MultiBackend>(), f, lookups);
    let total: i64 = filtered().count().get_result(conn)?;
    let ids = filtered()
        .select(services::id)
        .order(services::id)
        .offset(sql_count(paging.offset()))
        .limit(sql_count(paging.per_page))
        .load(conn)?;
    Ok((u64::try_from(total).unwrap_or(0), ids))
}

/// A page of services at their public venues, in the order of their ids,
/// and how many in all. With a distance, those within it, nearest first.
pub fn places_page(
    conn: &mut Conn,
    f: &ServiceFilter,
    near: Option<Near>,
    paging: Paging,
) -> StoreResult<(u64, Vec<ServiceAtLocationId>)> {
    if let (Some(near), Some(metres)) = (near, f.proximity_m) {
        let nearest = within(conn, f, near, metres)?.into_iter().map(|(link, ..)| link).collect();
        return Ok(page_of(nearest, paging));
    }
    let lookups = lookups(conn, f, near)?;
    let places = || {
        let query = service_at_locations::table
            .inner_join(services::table)
            .inner_join(locations::table)
            .filter(locations::confidential.eq(false))
            .into_boxed::<MultiBackend>();
        narrowed!(query, f, lookups)
    };
    let total: i64 = places().count().get_result(conn)?;
    let ids = places()
        .select(service_at_locations::id)
        .order(service_at_locations::id)
        .offset(sql_count(paging.offset()))
        .limit(sql_count(paging.per_page))
        .load(conn)?;
    Ok((u64::try_from(total).unwrap_or(0), ids))
}

/// Every service at a public venue within `metres` of `near` that passes the
/// filter, nearest first. The box around the circle is asked of the
/// database; the circle itself is measured here.
fn within(
    conn: &mut Conn,
    f: &ServiceFilter,
    near: Near,
    metres: u32,
) -> StoreResult<Vec<(ServiceAtLocationId, ServiceId, f64)>> {
    let lat_span = f64::from(metres) / 111_000.0;
    let lon_span = lat_span / near.latitude.to_radians().cos().max(0.01);
    let query = service_at_locations::table
        .inner_join(services::table)
        .inner_join(locations::table)
        .filter(locations::confidential.eq(false))
        .filter(locations::latitude.between(near.latitude - lat_span, near.latitude + lat_span))
        .filter(locations::longitude.between(near.longitude - lon_span, near.longitude + lon_span))
        .into_boxed::<MultiBackend>();
    // The distance is measured below; no coverage test besides.
    let lookups = lookups(conn, f, None)?;
    let rows: Vec<(ServiceAtLocationId, ServiceId, f64, f64)> = narrowed!(query, f, lookups)
        .select((
            service_at_locations::id,
            service_at_locations::service_id,
            locations::latitude,
            locations::longitude,
        ))
        .load(conn)?;
    let mut found: Vec<(ServiceAtLocationId, ServiceId, f64)> = rows
        .into_iter()
        .map(|(link, service, lat, lon)| {
            (link, service, distance_m((near.latitude, near.longitude), (lat, lon)))
        })
        .filter(|(.., d)| *d <= f64::from(metres))
        .collect();
    found.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    Ok(found)
}

fn page_of<T>(all: Vec<T>, paging: Paging) -> (u64, Vec<T>) {
    (all.len() as u64, paging.window(all))
}

/// Every service's id, in order.
pub fn service_ids(conn: &mut Conn) -> StoreResult<Vec<ServiceId>> {
    Ok(services::table
        .filter(services::listed_by.is_null())
        .filter(services::archived_at.is_null())
        .select(services::id)
        .order(services::id)
        .load(conn)?)
}

/// Whole listings, in the order of `ids` (an id with no service is left out).
/// Another area's listings are left out: they are that area's to publish;
/// and so are archived ones.
pub fn records(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<Vec<ServiceRecord>> {
    let listed: Vec<ServiceId> = services::table
        .filter(services::id.eq_any(ids))
        .filter(services::listed_by.is_not_null().or(services::archived_at.is_not_null()))
        .select(services::id)
        .load(conn)?;
    let own: Vec<ServiceId> = ids.iter().copied().filter(|id| !listed.contains(id)).collect();
    let ids = own.as_slice();
    let services = super::services::many(conn, ids)?;
    let organisation_ids: Vec<_> = services.iter().map(|(_, input, _)| input.organisation).collect();
    let organisations: HashMap<_, _> =
        organisations::many(conn, &organisation_ids)?.into_iter().map(|o| (o.id, o)).collect();
    let mut places: HashMap<ServiceId, Vec<PublicPlace>> = HashMap::new();
    for (link, service, venue) in venues::of_services(conn, ids, false)? {
        places
            .entry(service)
            .or_default()
            .push(PublicPlace { service_at_location: link, location: venue.location });
    }
    let mut schedules: HashMap<ServiceId, Vec<_>> = HashMap::new();
    for (service, schedule) in stored_schedules::of_services(conn, ids)? {
        schedules.entry(service).or_default().push(schedule);
    }
    let mut contacts: HashMap<ServiceId, Vec<_>> = HashMap::new();
    for (service, contact) in contacts::of_services(conn, ids)? {
        contacts.entry(service).or_default().push(contact);
    }
    let mut extras = super::services::extras_of(conn, ids)?;
    let mut hoods: HashMap<ServiceId, Vec<String>> = HashMap::new();
    let chosen: Vec<(ServiceId, String)> = service_area_neighbourhoods::table
        .inner_join(neighbourhoods::table)
        .filter(service_area_neighbourhoods::service_id.eq_any(ids))
        .select((service_area_neighbourhoods::service_id, neighbourhoods::name))
        .order(neighbourhoods::name)
        .load(conn)?;
    for (service, name) in chosen {
        hoods.entry(service).or_default().push(name);
    }
    services
        .into_iter()
        .map(|(id, details, kept)| {
            let organisation = organisations.get(&details.organisation).cloned().ok_or_else(|| {
                super::StoreError::Corrupt(format!("service {id} names an organisation that is not there"))
            })?;
            Ok(ServiceRecord {
                id,
                organisation,
                places: places.remove(&id).unwrap_or_default(),
                schedules: schedules.remove(&id).unwrap_or_default(),
                contacts: contacts.remove(&id).unwrap_or_default(),
                extras: extras.remove(&id).unwrap_or_default(),
                neighbourhoods: hoods.remove(&id).unwrap_or_default(),
                last_verified_at: kept.last_verified_at,
                capacity_said_on: kept.capacity_said_on,
                updated_at: kept.updated_at,
                details,
            })
        })
        .collect()
}

/// Services at public venues, each with its whole listing, in the order of
/// `ids` (an id that is not there, or is at a confidential venue, is left out).
pub fn place_records(
    conn: &mut Conn,
    ids: &[ServiceAtLocationId],
) -> StoreResult<Vec<(ServiceRecord, PublicPlace)>> {
    let links: Vec<(ServiceAtLocationId, ServiceId)> = service_at_locations::table
        .filter(service_at_locations::id.eq_any(ids))
        .select((service_at_locations::id, service_at_locations::service_id))
        .load(conn)?;
    let mut service_ids: Vec<ServiceId> = links.iter().map(|(_, s)| *s).collect();
    service_ids.sort();
    service_ids.dedup();
    let records: HashMap<ServiceId, ServiceRecord> =
        records(conn, &service_ids)?.into_iter().map(|r| (r.id, r)).collect();
    let service_of: HashMap<_, _> = links.into_iter().collect();
    Ok(ids
        .iter()
        .filter_map(|link| {
            let record = records.get(service_of.get(link)?)?;
            let place = record.places.iter().find(|p| p.service_at_location == *link)?;
            Some((record.clone(), place.clone()))
        })
        .collect())
}
