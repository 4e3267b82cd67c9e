//! Events in the networks: adding one, the venues it may be at, and reading
//! what is on: in a network, near a neighbourhood, for a service; past
//! events stay, as a record.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    event_services, events, locations, needs, neighbourhoods, networks, organisations, service_needs,
    services,
};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::events::{EventView, NewEvent, Repeat, occurrences, schedule_of};
use crate::domain::ids::{
    EventId, LocationId, MemberId, NeighbourhoodId, NetworkId, OrganisationId, ServiceId,
};
use crate::domain::markdown;
use crate::domain::networks::NamedListing;
use crate::domain::views::SearchableEvent;

/// Where an event was placed: its venue (or none), the address and
/// postcode shown, the point on the map and the neighbourhood it is in.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub venue: Option<LocationId>,
    pub address: String,
    pub postcode: String,
    pub point: Option<(f64, f64)>,
    pub neighbourhood: Option<NeighbourhoodId>,
}

/// The venues an event may be at: public, not archived, and (for a
/// neighbourhood's network) in that neighbourhood; by name.
pub fn venues_offered(
    conn: &mut Conn,
    neighbourhood: Option<NeighbourhoodId>,
) -> StoreResult<Vec<(LocationId, String)>> {
    let mut query = locations::table
        .filter(locations::confidential.eq(false))
        .filter(locations::archived_at.is_null())
        .filter(locations::postal.eq(false))
        .select((locations::id, locations::name, locations::address_1))
        .order((locations::name, locations::address_1))
        .into_boxed();
    if let Some(hood) = neighbourhood {
        query = query.filter(locations::neighbourhood_id.eq(hood));
    }
    Ok(query
        .load::<(LocationId, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, street)| (id, format!("{name}, {street}")))
        .collect())
}

/// A venue as an event's place.
pub fn venue_place(conn: &mut Conn, venue: LocationId) -> StoreResult<Placed> {
    type Row = (String, String, String, f64, f64, Option<NeighbourhoodId>, bool);
    let (name, street, postcode, latitude, longitude, neighbourhood, confidential): Row = locations::table
        .find(venue)
        .select((
            locations::name,
            locations::address_1,
            locations::postcode,
            locations::latitude,
            locations::longitude,
            locations::neighbourhood_id,
            locations::confidential,
        ))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    // A confidential address is never an event's place.
    if confidential {
        return Err(StoreError::NotFound);
    }
    Ok(Placed {
        venue: Some(venue),
        address: format!("{name}, {street}"),
        postcode,
        point: Some((latitude, longitude)),
        neighbourhood,
    })
}

/// Keeps a new event, with the services it names (those listed).
pub fn insert(
    conn: &mut Conn,
    (network, author): (NetworkId, MemberId),
    event: &NewEvent,
    (first_starts_at, last_ends_at): (NaiveDateTime, NaiveDateTime),
    placed: &Placed,
    now: NaiveDateTime,
) -> StoreResult<EventId> {
    super::transaction(conn, |conn| {
        let id = EventId::new();
        diesel::insert_into(events::table)
            .values((
                events::id.eq(id),
                events::network_id.eq(network),
                events::author_id.eq(author),
                events::title.eq(&event.title),
                events::description.eq(&event.description),
                events::local_starts.eq(event.starts),
                events::local_ends.eq(event.ends),
                events::repeats.eq(event.repeat.map(|r| r.0.code())),
                events::repeat_until.eq(event.repeat.map(|r| r.1)),
                events::first_starts_at.eq(first_starts_at),
                events::last_ends_at.eq(last_ends_at),
                events::location_id.eq(placed.venue),
                events::address.eq(&placed.address),
                events::postcode.eq(&placed.postcode),
                events::latitude.eq(placed.point.map(|p| p.0)),
                events::longitude.eq(placed.point.map(|p| p.1)),
                events::neighbourhood_id.eq(placed.neighbourhood),
                events::free.eq(event.free),
                events::cost.eq(&event.cost),
                events::access.eq(&event.access),
                events::who_for.eq(&event.who_for),
                events::created_at.eq(now),
            ))
            .execute(conn)?;
        let listed: Vec<ServiceId> = services::table
            .filter(services::id.eq_any(&event.services))
            .filter(services::archived_at.is_null())
            .select(services::id)
            .load(conn)?;
        for service in listed {
            let insert = diesel::insert_into(event_services::table)
                .values((event_services::event_id.eq(id), event_services::service_id.eq(service)))
                .on_conflict_do_nothing();
            per_backend!(conn, |c| insert.execute(c))?;
        }
        super::activity_feed::log(conn, super::activity_feed::Subject::Event(id), now)?;
        Ok(id)
    })
}

type EventRow = (
    (EventId, String, String, MemberId, NaiveDateTime, NaiveDateTime, Option<String>, Option<NaiveDate>),
    (Option<LocationId>, String, String, Option<f64>, Option<f64>, Option<NeighbourhoodId>),
    (bool, Option<String>, Option<String>, Option<String>, Option<String>),
    (String, String),
);

/// The columns an event is read with, with its network's slug and name.
type Columns = (
    (
        events::id,
        events::title,
        events::description,
        events::author_id,
        events::local_starts,
        events::local_ends,
        events::repeats,
        events::repeat_until,
    ),
    (
        events::location_id,
        events::address,
        events::postcode,
        events::latitude,
        events::longitude,
        events::neighbourhood_id,
    ),
    (events::free, events::cost, events::access, events::who_for, events::link),
    (networks::slug, networks::name),
);

fn columns() -> Columns {
    (
        (
            events::id,
            events::title,
            events::description,
            events::author_id,
            events::local_starts,
            events::local_ends,
            events::repeats,
            events::repeat_until,
        ),
        (
            events::location_id,
            events::address,
            events::postcode,
            events::latitude,
            events::longitude,
            events::neighbourhood_id,
        ),
        (events::free, events::cost, events::access, events::who_for, events::link),
        (networks::slug, networks::name),
    )
}

/// The venues among `venues` that became confidential or were archived
/// after an event was added there: (confidential, archived).
fn venues_changed(conn: &mut Conn, venues: &[LocationId]) -> StoreResult<HashMap<LocationId, (bool, bool)>> {
    let mut changed = HashMap::new();
    for chunk in venues.chunks(500) {
        let rows: Vec<(LocationId, bool, Option<NaiveDateTime>)> = locations::table
            .filter(locations::id.eq_any(chunk))
            .filter(locations::confidential.eq(true).or(locations::archived_at.is_not_null()))
            .select((locations::id, locations::confidential, locations::archived_at))
            .load(conn)?;
        changed.extend(
            rows.into_iter().map(|(id, confidential, archived)| (id, (confidential, archived.is_some()))),
        );
    }
    Ok(changed)
}

/// The most repeating events a network's page considers for its next few.
const REPEATING: i64 = 500;

/// What an event at a confidential venue shows of where it is: nothing that
/// places it.
const PLACE_ON_REQUEST: &str = "The address is given when you get in touch";

fn views(conn: &mut Conn, rows: Vec<EventRow>, with_services: bool) -> StoreResult<Vec<EventView>> {
    let venues: Vec<LocationId> = rows.iter().filter_map(|r| r.1.0).collect();
    let changed = venues_changed(conn, &venues)?;
    let authors: Vec<MemberId> = rows.iter().map(|r| r.0.3).collect();
    let authors = super::threads::authors(conn, &authors)?;
    let hoods: HashMap<NeighbourhoodId, (String, String)> = neighbourhoods::table
        .select((neighbourhoods::id, neighbourhoods::slug, neighbourhoods::name))
        .load::<(NeighbourhoodId, String, String)>(conn)?
        .into_iter()
        .map(|(id, slug, name)| (id, (slug, name)))
        .collect();
    let mut all = Vec::with_capacity(rows.len());
    for (
        (id, title, description, author, starts, ends, repeats, until),
        place,
        (free, cost, access, who_for, link),
        network,
    ) in rows
    {
        let (mut venue, mut address, mut postcode, mut latitude, mut longitude, mut hood) = place;
        // A venue made confidential since shapes nothing; an archived one has no page.
        match venue.and_then(|v| changed.get(&v)) {
            Some((true, _)) => {
                (venue, address, postcode, latitude, longitude, hood) =
                    (None, String::from(PLACE_ON_REQUEST), String::new(), None, None, None);
            }
            Some((false, true)) => venue = None,
            _ => {}
        }
        let repeat = repeats.as_deref().and_then(Repeat::from_code).zip(until);
        let services = if with_services { services_of(conn, id)? } else { Vec::new() };
        all.push(EventView {
            id,
            title,
            description,
            network_slug: network.0,
            network_name: network.1,
            author: super::threads::author_of(&authors, author),
            schedule: schedule_of(starts, ends, repeat),
            repeat,
            place_name: address.clone(),
            venue,
            address,
            postcode,
            latitude,
            longitude,
            neighbourhood: hood
                .and_then(|h| hoods.get(&h).map(|(slug, name)| (h, slug.clone(), name.clone()))),
            free,
            cost,
            access,
            who_for,
            services,
            next: None,
            link,
        });
    }
    Ok(all)
}

fn services_of(conn: &mut Conn, event: EventId) -> StoreResult<Vec<NamedListing>> {
    Ok(event_services::table
        .inner_join(services::table.inner_join(organisations::table))
        .filter(event_services::event_id.eq(event))
        .filter(services::archived_at.is_null())
        .order(services::name)
        .select((services::id, services::name, organisations::name))
        .load::<(ServiceId, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, by)| NamedListing { path: format!("/services/{id}"), name, by: Some(by) })
        .collect())
}

/// One event, whole.
pub fn view(conn: &mut Conn, id: EventId) -> StoreResult<EventView> {
    let row: EventRow = events::table
        .inner_join(networks::table)
        .filter(events::id.eq(id))
        .filter(events::hidden_at.is_null())
        .select(columns())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok(views(conn, vec![row], true)?.remove(0))
}

/// What is on in `network` (not yet over at `now`), soonest first; or, with
/// `past`, what was, latest first. At most `most`.
pub fn in_network(
    conn: &mut Conn,
    network: NetworkId,
    now: NaiveDateTime,
    past: bool,
    most: i64,
) -> StoreResult<Vec<EventView>> {
    let query = events::table
        .inner_join(networks::table)
        .filter(events::network_id.eq(network))
        .filter(events::hidden_at.is_null())
        .select(columns())
        .limit(most);
    let rows: Vec<EventRow> = if past {
        query.filter(events::last_ends_at.le(now)).order(events::last_ends_at.desc()).load(conn)?
    } else {
        query.filter(events::last_ends_at.gt(now)).order(events::first_starts_at).load(conn)?
    };
    views(conn, rows, false)
}

/// The events of `network` that may be among its next `most`: the `most`
/// soonest that happen once, and every repeating one still to come (its
/// next time is worked out from its pattern, not its first). For a
/// network's page, which shows the next few.
pub fn next_in_network(
    conn: &mut Conn,
    network: NetworkId,
    now: NaiveDateTime,
    most: i64,
) -> StoreResult<Vec<EventView>> {
    let coming = || {
        events::table
            .inner_join(networks::table)
            .filter(events::network_id.eq(network))
            .filter(events::hidden_at.is_null())
            .filter(events::last_ends_at.gt(now))
            .order(events::first_starts_at)
            .select(columns())
    };
    let mut rows: Vec<EventRow> = coming().filter(events::repeats.is_null()).limit(most).load(conn)?;
    rows.extend(coming().filter(events::repeats.is_not_null()).limit(REPEATING).load::<EventRow>(conn)?);
    views(conn, rows, false)
}

/// What is on in or for `neighbourhood`: events placed there, and those of
/// its network wherever they are. At most `most`, soonest first.
pub fn near_neighbourhood(
    conn: &mut Conn,
    neighbourhood: NeighbourhoodId,
    now: NaiveDateTime,
    most: i64,
) -> StoreResult<Vec<EventView>> {
    // An event at a venue made confidential since is not placed in a neighbourhood.
    let hidden: Vec<LocationId> =
        locations::table.filter(locations::confidential.eq(true)).select(locations::id).load(conn)?;
    let placed_here = events::neighbourhood_id
        .eq(neighbourhood)
        .and(events::location_id.is_null().or(events::location_id.ne_all(hidden)));
    let rows: Vec<EventRow> = events::table
        .inner_join(networks::table)
        .filter(placed_here.or(networks::neighbourhood_id.eq(neighbourhood)))
        .filter(events::hidden_at.is_null())
        .filter(events::last_ends_at.gt(now))
        .order(events::first_starts_at)
        .limit(most)
        .select(columns())
        .load(conn)?;
    views(conn, rows, false)
}

/// What is on anywhere (not yet over at `now`), soonest first. At most `most`.
pub fn coming_up(conn: &mut Conn, now: NaiveDateTime, most: i64) -> StoreResult<Vec<EventView>> {
    let rows: Vec<EventRow> = events::table
        .inner_join(networks::table)
        .filter(events::hidden_at.is_null())
        .filter(events::last_ends_at.gt(now))
        .order(events::first_starts_at)
        .limit(most)
        .select(columns())
        .load(conn)?;
    views(conn, rows, false)
}

/// What is on that names `service`, soonest first.
pub fn for_service(
    conn: &mut Conn,
    service: ServiceId,
    now: NaiveDateTime,
    most: i64,
) -> StoreResult<Vec<EventView>> {
    naming(conn, &[service], now, most)
}

/// What is on that names any service `organisation` runs, soonest first.
pub fn for_organisation(
    conn: &mut Conn,
    organisation: OrganisationId,
    now: NaiveDateTime,
    most: i64,
) -> StoreResult<Vec<EventView>> {
    let runs: Vec<ServiceId> =
        services::table.filter(services::organisation_id.eq(organisation)).select(services::id).load(conn)?;
    naming(conn, &runs, now, most)
}

fn naming(
    conn: &mut Conn,
    named: &[ServiceId],
    now: NaiveDateTime,
    most: i64,
) -> StoreResult<Vec<EventView>> {
    let ids: Vec<EventId> = event_services::table
        .filter(event_services::service_id.eq_any(named))
        .select(event_services::event_id)
        .distinct()
        .load(conn)?;
    let rows: Vec<EventRow> = events::table
        .inner_join(networks::table)
        .filter(events::id.eq_any(ids))
        .filter(events::hidden_at.is_null())
        .filter(events::last_ends_at.gt(now))
        .order(events::first_starts_at)
        .limit(most)
        .select(columns())
        .load(conn)?;
    views(conn, rows, false)
}

/// The most times of a repeating event the search index keeps.
const SEARCHED_OCCURRENCES: usize = 60;

/// The events of `ids` that are shown and not over by `now`, ready for the
/// network activity index: where they are as their pages say, the times
/// still to come, and the needs of the services they name.
pub fn searchable(
    conn: &mut Conn,
    ids: &[EventId],
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Vec<SearchableEvent>> {
    let mut all = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<EventRow> = events::table
            .inner_join(networks::table)
            .filter(events::id.eq_any(chunk))
            .filter(events::hidden_at.is_null())
            .filter(events::last_ends_at.gt(now.naive_utc()))
            .select(columns())
            .load(conn)?;
        let mut needs_of: HashMap<EventId, Vec<String>> = HashMap::new();
        let named: Vec<(EventId, String)> = event_services::table
            .inner_join(services::table.inner_join(service_needs::table.inner_join(needs::table)))
            .filter(event_services::event_id.eq_any(chunk))
            .filter(services::archived_at.is_null())
            .select((event_services::event_id, needs::slug))
            .load(conn)?;
        for (event, slug) in named {
            needs_of.entry(event).or_default().push(slug);
        }
        for view in views(conn, rows, true)? {
            let mut text = format!("{}\n{}", view.title, markdown::plain(&view.description, 20_000));
            for extra in view.who_for.iter().chain(view.access.iter()) {
                text.push('\n');
                text.push_str(extra);
            }
            for service in &view.services {
                text.push('\n');
                text.push_str(&service.name);
            }
            let mut needs = needs_of.remove(&view.id).unwrap_or_default();
            needs.sort_unstable();
            needs.dedup();
            all.push(SearchableEvent {
                id: view.id,
                excerpt: markdown::plain(&view.description, 200),
                text,
                needs,
                occurrences: occurrences(&view.schedule, now, SEARCHED_OCCURRENCES),
                point: view.latitude.zip(view.longitude),
                title: view.title,
                network_slug: view.network_slug,
                network_name: view.network_name,
                place_name: view.place_name,
                free: view.free,
            });
        }
    }
    Ok(all)
}
