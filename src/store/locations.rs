//! Venues: where services happen, each placed in its H3 cell, small area and
//! neighbourhood.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{self, Action, RecordKind};
use super::schema::{locations, service_at_locations, services};
use super::{Conn, StoreError, StoreResult, per_backend, search_feed};
use crate::domain::directory::VenueAccess;
use crate::domain::ids::{
    LocationId, NeighbourhoodId, OrganisationId, ServiceAtLocationId, ServiceId, UserId,
};
use crate::domain::listing::Location;
use crate::domain::schedule::Schedule;
use crate::domain::service_form::changed_fields;
use crate::domain::venue_form::history_fields;
use crate::domain::views::{LocationView, VenueChoice};
use crate::geo::cells;

/// A new location: its row, plus the H3 cell of its point. A field left
/// `None` is written as NULL (no column it names has another default), so
/// that many rows can go in one statement on SQLite too.
#[derive(Insertable)]
#[diesel(table_name = locations, treat_none_as_default_value = false)]
struct NewLocation {
    #[diesel(embed)]
    row: LocationRow,
    h3_cell: Option<i64>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = locations, treat_none_as_default_value = false)]
struct LocationRow {
    id: LocationId,
    organisation_id: Option<OrganisationId>,
    name: String,
    address_1: String,
    address_2: Option<String>,
    town: String,
    postcode: String,
    latitude: f64,
    longitude: f64,
    small_area_code: Option<String>,
    neighbourhood_id: Option<NeighbourhoodId>,
    confidential: bool,
    entry_point: bool,
    postal: bool,
    step_free: Option<bool>,
    accessible_toilet: Option<bool>,
    hearing_loop: Option<bool>,
    parking: Option<bool>,
    public_transport: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Adds a venue, in the small area and neighbourhood of its cell.
pub fn insert(conn: &mut Conn, location: &Location, now: NaiveDateTime) -> StoreResult<()> {
    let row = LocationRow {
        id: location.id,
        organisation_id: location.organisation,
        name: location.name.clone(),
        address_1: location.address_1.clone(),
        address_2: location.address_2.clone(),
        town: location.town.clone(),
        postcode: location.postcode.clone(),
        latitude: location.latitude,
        longitude: location.longitude,
        small_area_code: location.small_area.clone(),
        neighbourhood_id: None,
        confidential: location.confidential,
        entry_point: location.entry_point,
        postal: location.postal,
        step_free: location.access.step_free,
        accessible_toilet: location.access.accessible_toilet,
        hearing_loop: location.access.hearing_loop,
        parking: location.access.parking,
        public_transport: location.access.public_transport.clone(),
        created_at: now,
        updated_at: now,
    };
    let h3_cell = cells::cell_of(location.latitude, location.longitude).map(super::cell_number);
    diesel::insert_into(locations::table).values(NewLocation { row, h3_cell }).execute(conn)?;
    super::neighbourhoods::assign_locations(conn, Some(location.id))
}

/// Changes a venue to `location`'s values. Its cell, small area and
/// neighbourhood follow where it is; a confidential venue stays confidential.
pub(super) fn update(conn: &mut Conn, location: &Location, now: NaiveDateTime) -> StoreResult<()> {
    let a = &location.access;
    diesel::update(locations::table.find(location.id))
        .set((
            locations::name.eq(&location.name),
            locations::address_1.eq(&location.address_1),
            locations::address_2.eq(&location.address_2),
            locations::town.eq(&location.town),
            locations::postcode.eq(&location.postcode),
            locations::latitude.eq(location.latitude),
            locations::longitude.eq(location.longitude),
            locations::h3_cell
                .eq(cells::cell_of(location.latitude, location.longitude).map(super::cell_number)),
            locations::entry_point.eq(location.entry_point),
            locations::postal.eq(location.postal),
            locations::step_free.eq(a.step_free),
            locations::accessible_toilet.eq(a.accessible_toilet),
            locations::hearing_loop.eq(a.hearing_loop),
            locations::parking.eq(a.parking),
            locations::public_transport.eq(&a.public_transport),
            locations::updated_at.eq(now),
        ))
        .execute(conn)?;
    super::neighbourhoods::assign_locations(conn, Some(location.id))
}

/// Adds a venue typed by a member of staff, with every field in the change
/// history, in one transaction.
pub fn create(
    conn: &mut Conn,
    (venue, hours): (&Location, &[Schedule]),
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        insert(conn, venue, now)?;
        set_hours(conn, venue.id, hours)?;
        let fields = changed_fields(&[], &history_fields(venue, hours));
        changes::record(
            conn,
            RecordKind::Location,
            &venue.id.to_string(),
            Action::Create,
            &fields,
            Some(by),
            reason,
            now,
        )
    })
}

/// Changes a venue typed by a member of staff, recording each changed field.
/// Its cell, small area and neighbourhood follow its point, and every service
/// meeting there is indexed again. Returns how many fields changed.
pub fn change(
    conn: &mut Conn,
    (venue, hours): (&Location, &[Schedule]),
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        let before = one(conn, venue.id)?.0.location;
        let hours_before = self::hours(conn, venue.id)?;
        let fields = changed_fields(&history_fields(&before, &hours_before), &history_fields(venue, hours));
        if fields.is_empty() {
            return Ok(0);
        }
        update(conn, venue, now)?;
        set_hours(conn, venue.id, hours)?;
        diesel::update(locations::table.find(venue.id))
            .set((
                locations::organisation_id.eq(venue.organisation),
                locations::confidential.eq(venue.confidential),
            ))
            .execute(conn)?;
        changes::record(
            conn,
            RecordKind::Location,
            &venue.id.to_string(),
            Action::Update,
            &fields,
            Some(by),
            reason,
            now,
        )?;
        for service in meeting_at(conn, venue.id)? {
            search_feed::log_change(conn, service, now)?;
        }
        // An event there says nothing of where it is once the venue is confidential.
        super::activity_feed::log(conn, super::activity_feed::Subject::Venue(venue.id), now)?;
        Ok(fields.len())
    })
}

/// A venue's opening times.
pub fn hours(conn: &mut Conn, id: LocationId) -> StoreResult<Vec<Schedule>> {
    let kept: String = locations::table.find(id).select(locations::opening_hours).first(conn)?;
    serde_json::from_str(&kept).map_err(|e| StoreError::Corrupt(format!("a venue's opening times: {e}")))
}

fn set_hours(conn: &mut Conn, id: LocationId, hours: &[Schedule]) -> StoreResult<()> {
    let kept = serde_json::to_string(hours).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::update(locations::table.find(id)).set(locations::opening_hours.eq(kept)).execute(conn)?;
    Ok(())
}

/// The public local entry points (not archived) in a neighbourhood, by name.
pub fn entry_points_in(conn: &mut Conn, hood: NeighbourhoodId) -> StoreResult<Vec<Location>> {
    let rows: Vec<LocationRow> = entry_points()
        .filter(locations::neighbourhood_id.eq(hood))
        .order(locations::name)
        .select(LocationRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| view(row).location).collect())
}

/// The public local entry points within `metres` of a point, nearest first,
/// at most `limit`, each with how far it is; the box around the circle is
/// asked of the database and the circle measured here.
pub fn entry_points_near(
    conn: &mut Conn,
    (latitude, longitude): (f64, f64),
    metres: f64,
    limit: usize,
) -> StoreResult<Vec<(Location, u32)>> {
    let lat_span = metres / 111_000.0;
    let lon_span = lat_span / latitude.to_radians().cos().max(0.01);
    let rows: Vec<LocationRow> = entry_points()
        .filter(locations::latitude.between(latitude - lat_span, latitude + lat_span))
        .filter(locations::longitude.between(longitude - lon_span, longitude + lon_span))
        .select(LocationRow::as_select())
        .load(conn)?;
    let mut near: Vec<(Location, u32)> = rows
        .into_iter()
        .map(|row| view(row).location)
        .map(|l| {
            let away = crate::geo::cells::distance_m((latitude, longitude), (l.latitude, l.longitude));
            (l, away.round() as u32)
        })
        .filter(|(_, away)| f64::from(*away) <= metres)
        .collect();
    near.sort_by_key(|(_, away)| *away);
    near.truncate(limit);
    Ok(near)
}

/// The public local entry points whose name holds every word, by name, at most `limit`.
pub fn entry_points_named(conn: &mut Conn, words: &[String], limit: i64) -> StoreResult<Vec<Location>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = entry_points().into_boxed();
    for word in words {
        query = query.filter(super::lower(locations::name).like(super::contains(word)).escape('\\'));
    }
    let rows: Vec<LocationRow> =
        query.order(locations::name).limit(limit).select(LocationRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|row| view(row).location).collect())
}

#[diesel::dsl::auto_type]
fn entry_points() -> _ {
    let yes: bool = true;
    let no: bool = false;
    locations::table
        .filter(locations::entry_point.eq(yes))
        .filter(locations::confidential.eq(no))
        .filter(locations::postal.eq(no))
        .filter(locations::archived_at.is_null())
}

/// One venue with its neighbourhood, and when it was archived (if it was).
pub fn one(conn: &mut Conn, id: LocationId) -> StoreResult<(LocationView, Option<NaiveDateTime>)> {
    let (row, archived): (LocationRow, Option<NaiveDateTime>) =
        locations::table.find(id).select((LocationRow::as_select(), locations::archived_at)).first(conn)?;
    Ok((view(row), archived))
}

/// The services that meet at a venue.
pub fn meeting_at(conn: &mut Conn, id: LocationId) -> StoreResult<Vec<ServiceId>> {
    Ok(service_at_locations::table
        .filter(service_at_locations::location_id.eq(id))
        .select(service_at_locations::service_id)
        .load(conn)?)
}

/// Archives a venue (or restores it), recorded in its history. `Ok(false)`
/// when it already was; a venue where services not archived still meet is
/// not archived, and their number is the error.
pub fn set_archived(
    conn: &mut Conn,
    id: LocationId,
    archived: bool,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<Result<bool, i64>> {
    super::transaction(conn, |conn| {
        let was = one(conn, id)?.1;
        if was.is_some() == archived {
            return Ok(Ok(false));
        }
        if archived {
            let meeting: i64 = service_at_locations::table
                .inner_join(services::table)
                .filter(service_at_locations::location_id.eq(id))
                .filter(services::archived_at.is_null())
                .count()
                .get_result(conn)?;
            if meeting > 0 {
                return Ok(Err(meeting));
            }
        }
        diesel::update(locations::table.find(id))
            .set(locations::archived_at.eq(archived.then_some(now)))
            .execute(conn)?;
        let action = if archived { Action::Archive } else { Action::Restore };
        let field = [("archived", Some((!archived).to_string()), Some(archived.to_string()))];
        changes::record(conn, RecordKind::Location, &id.to_string(), action, &field, Some(by), None, now)?;
        Ok(Ok(true))
    })
}

/// The venues a service's form offers: those of `organisation`, those it
/// meets at now (`linked`, archived or not), those `ticked` on the form, and
/// up to `FOUND_AT_MOST` whose name or postcode holds `search`; by name.
pub fn offered(
    conn: &mut Conn,
    organisation: Option<OrganisationId>,
    (linked, ticked): (&[LocationId], &[LocationId]),
    search: &str,
) -> StoreResult<Vec<VenueChoice>> {
    let mut rows: Vec<LocationRow> = locations::table
        .filter(
            locations::id
                .eq_any(linked)
                .or(locations::id.eq_any(ticked).and(locations::archived_at.is_null())),
        )
        .select(LocationRow::as_select())
        .load(conn)?;
    if let Some(organisation) = organisation {
        rows.extend(
            locations::table
                .filter(locations::archived_at.is_null())
                .filter(locations::organisation_id.eq(organisation))
                .select(LocationRow::as_select())
                .order((locations::name, locations::id))
                .limit(OWN_AT_MOST)
                .load::<LocationRow>(conn)?,
        );
    }
    let search = search.trim().to_lowercase();
    if !search.is_empty() {
        let pattern = super::contains(&search);
        rows.extend(
            locations::table
                .filter(locations::archived_at.is_null())
                .filter(
                    super::lower(locations::name).like(pattern.clone()).escape('\\').or(super::lower(
                        locations::postcode,
                    )
                    .like(pattern)
                    .escape('\\')),
                )
                .select(LocationRow::as_select())
                .order(locations::name)
                .limit(FOUND_AT_MOST)
                .load::<LocationRow>(conn)?,
        );
    }
    let mut venues: Vec<VenueChoice> = rows
        .into_iter()
        .map(|row| {
            let v = view(row).location;
            let address = v.address_line();
            VenueChoice {
                id: v.id,
                name: v.name,
                address,
                confidential: v.confidential,
                entry_point: v.entry_point,
            }
        })
        .collect();
    venues.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.to_string().cmp(&b.id.to_string())));
    venues.dedup_by_key(|v| v.id);
    Ok(venues)
}

/// The most of an organisation's own venues a service's form offers.
const OWN_AT_MOST: i64 = 100;
/// The most venues a search on the service's form finds.
pub const FOUND_AT_MOST: i64 = 20;

/// The neighbourhoods venues are in, by id (an id with none is left out).
pub fn many_with_neighbourhoods(
    conn: &mut Conn,
    ids: &[LocationId],
) -> StoreResult<Vec<(LocationId, Option<NeighbourhoodId>)>> {
    Ok(locations::table
        .filter(locations::id.eq_any(ids))
        .select((locations::id, locations::neighbourhood_id))
        .load(conn)?)
}

/// Venues by id (an id with none is left out).
pub fn many(conn: &mut Conn, ids: &[LocationId]) -> StoreResult<Vec<Location>> {
    let rows: Vec<LocationRow> =
        locations::table.filter(locations::id.eq_any(ids)).select(LocationRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|row| view(row).location).collect())
}

/// Moves a venue to another point: its cell, small area and neighbourhood
/// follow, the move is recorded, and every service meeting there is queued
/// for the search index, all in one transaction.
pub fn move_to(
    conn: &mut Conn,
    id: LocationId,
    (latitude, longitude): (f64, f64),
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let (old_latitude, old_longitude): (f64, f64) =
            locations::table.find(id).select((locations::latitude, locations::longitude)).first(conn)?;
        let h3_cell = cells::cell_of(latitude, longitude).map(super::cell_number);
        diesel::update(locations::table.find(id))
            .set((
                locations::latitude.eq(latitude),
                locations::longitude.eq(longitude),
                locations::h3_cell.eq(h3_cell),
                locations::updated_at.eq(now),
            ))
            .execute(conn)?;
        super::neighbourhoods::assign_locations(conn, Some(id))?;
        let fields = [
            ("latitude", Some(old_latitude.to_string()), Some(latitude.to_string())),
            ("longitude", Some(old_longitude.to_string()), Some(longitude.to_string())),
        ];
        changes::record(
            conn,
            RecordKind::Location,
            &id.to_string(),
            Action::Update,
            &fields,
            Some(by),
            None,
            now,
        )?;
        let meeting_here: Vec<ServiceId> = service_at_locations::table
            .filter(service_at_locations::location_id.eq(id))
            .select(service_at_locations::service_id)
            .load(conn)?;
        for service in meeting_here {
            search_feed::log_change(conn, service, now)?;
        }
        Ok(())
    })
}

/// How many venues `fill_missing_cells` places at a time: each batch is one
/// read and one write of up to this many rows (22 values each, within both
/// backends' limits on a statement's values).
const CELL_BATCH: i64 = 1_000;

/// Gives every location without an H3 cell its cell (rows saved before cells
/// were kept), a batch at a time in id order. Returns how many were filled.
pub fn fill_missing_cells(conn: &mut Conn) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        let mut filled = 0;
        let mut after: Option<LocationId> = None;
        loop {
            let mut missing = locations::table
                .filter(locations::h3_cell.is_null())
                .order(locations::id)
                .limit(CELL_BATCH)
                .select(LocationRow::as_select())
                .into_boxed();
            if let Some(after) = after {
                missing = missing.filter(locations::id.gt(after));
            }
            let rows: Vec<LocationRow> = missing.load(conn)?;
            // A point with no cell (not on the globe) stays without one: the
            // next batch starts after it.
            let Some(last) = rows.last().map(|row| row.id) else { break };
            after = Some(last);
            let placed: Vec<NewLocation> = rows
                .into_iter()
                .filter_map(|row| {
                    let cell = cells::cell_of(row.latitude, row.longitude)?;
                    Some(NewLocation { row, h3_cell: Some(super::cell_number(cell)) })
                })
                .collect();
            if placed.is_empty() {
                continue;
            }
            filled += placed.len();
            let upsert = diesel::insert_into(locations::table)
                .values(&placed)
                .on_conflict(locations::id)
                .do_update()
                .set(locations::h3_cell.eq(diesel::upsert::excluded(locations::h3_cell)));
            per_backend!(conn, |c| upsert.execute(c))?;
        }
        Ok(filled)
    })
}

/// The venues where a service meets, by name.
pub(super) fn of_service(conn: &mut Conn, service: ServiceId) -> StoreResult<Vec<LocationView>> {
    Ok(of_services(conn, &[service], true)?.into_iter().map(|(_, _, venue)| venue).collect())
}

/// The venues of several services, each with the link between the two, by
/// name within each service; confidential ones only when `confidential` says.
pub(super) fn of_services(
    conn: &mut Conn,
    services: &[ServiceId],
    confidential: bool,
) -> StoreResult<Vec<(ServiceAtLocationId, ServiceId, LocationView)>> {
    let mut query = service_at_locations::table
        .inner_join(locations::table)
        .filter(service_at_locations::service_id.eq_any(services))
        .into_boxed();
    if !confidential {
        query = query.filter(locations::confidential.eq(false));
    }
    let rows: Vec<(ServiceAtLocationId, ServiceId, LocationRow)> = query
        .select((service_at_locations::id, service_at_locations::service_id, LocationRow::as_select()))
        .order((service_at_locations::service_id, locations::name, locations::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|(link, service, row)| (link, service, view(row))).collect())
}

fn view(row: LocationRow) -> LocationView {
    LocationView {
        neighbourhood: row.neighbourhood_id,
        location: Location {
            id: row.id,
            organisation: row.organisation_id,
            name: row.name,
            address_1: row.address_1,
            address_2: row.address_2,
            town: row.town,
            postcode: row.postcode,
            latitude: row.latitude,
            longitude: row.longitude,
            small_area: row.small_area_code,
            confidential: row.confidential,
            entry_point: row.entry_point,
            postal: row.postal,
            access: VenueAccess {
                step_free: row.step_free,
                accessible_toilet: row.accessible_toilet,
                hearing_loop: row.hearing_loop,
                parking: row.parking,
                public_transport: row.public_transport,
            },
        },
    }
}
