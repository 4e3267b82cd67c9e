//! Organisations, services, locations, schedules and contacts: the directory's
//! rows, the read models the pages show, and every write, each with its change
//! history in the same transaction.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use super::changes::{self, Action, RecordKind};
use super::schema::{
    contacts, locations, needs, organisations, schedules, service_at_locations, service_delivery,
    service_languages, service_needs, services, users,
};
use super::search_feed;
use super::{Conn, StoreError, StoreResult, decode, parse_id};
use crate::domain::directory::{
    Capacity, CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
    VenueAccess,
};
use crate::domain::ids::{
    ContactId, LocationId, NeighbourhoodId, OrganisationId, ScheduleId, ServiceAtLocationId, ServiceId,
    UserId,
};
use crate::domain::listing::{Contact, Location, Organisation, Service};
use crate::domain::schedule::{self, Frequency, Schedule};
use crate::domain::service_form::{ServiceInput, changed_fields};
use crate::domain::views::{
    LocationView, NeedLabel, OrganisationView, ResultDetails, ServiceSummary, ServiceView,
};
use crate::geo::cells;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: String,
    name: String,
    description: String,
    kind: String,
    charity_number: Option<String>,
    company_number: Option<String>,
    website: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A service as stored: the fields the form sets, plus its checking record.
#[derive(Queryable, Selectable)]
#[diesel(table_name = services)]
struct ServiceRow {
    id: String,
    #[diesel(embed)]
    fields: ServiceChanges,
    capacity_said_on: Option<NaiveDate>,
    last_verified_at: Option<NaiveDateTime>,
    last_verified_by: Option<String>,
}

/// A new service: what the form sets, plus when it was made and checked.
#[derive(Insertable)]
#[diesel(table_name = services)]
struct NewService {
    id: String,
    #[diesel(embed)]
    details: ServiceChanges,
    capacity_said_on: Option<NaiveDate>,
    last_verified_at: Option<NaiveDateTime>,
    last_verified_by: Option<String>,
    created_at: NaiveDateTime,
}

/// The columns of a service that the service form sets.
#[derive(AsChangeset, Insertable, Queryable, Selectable)]
#[diesel(table_name = services, treat_none_as_null = true)]
struct ServiceChanges {
    organisation_id: String,
    name: String,
    description: String,
    status: String,
    referral_route: String,
    eligibility: Option<String>,
    min_age: Option<i32>,
    max_age: Option<i32>,
    cost: String,
    cost_description: Option<String>,
    area: String,
    area_radius_km: Option<f64>,
    capacity: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    updated_at: NaiveDateTime,
}

impl ServiceChanges {
    fn from_input(input: &ServiceInput, now: NaiveDateTime) -> Self {
        ServiceChanges {
            organisation_id: input.organisation.to_string(),
            name: input.name.clone(),
            description: input.description.clone(),
            status: input.status.code().into(),
            referral_route: input.referral_route.code().into(),
            eligibility: input.eligibility.clone(),
            min_age: input.min_age,
            max_age: input.max_age,
            cost: input.cost.code().into(),
            cost_description: input.cost_description.clone(),
            area: input.area.code().into(),
            area_radius_km: input.area_radius_km,
            capacity: input.capacity.map(|c| c.code().into()),
            email: input.email.clone(),
            phone: input.phone.clone(),
            website: input.website.clone(),
            updated_at: now,
        }
    }
}

/// A new location: its row, plus the H3 cell of its point.
#[derive(Insertable)]
#[diesel(table_name = locations)]
struct NewLocation {
    #[diesel(embed)]
    row: LocationRow,
    h3_cell: Option<i64>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
struct LocationRow {
    id: String,
    organisation_id: Option<String>,
    name: String,
    address_1: String,
    address_2: Option<String>,
    town: String,
    postcode: String,
    latitude: f64,
    longitude: f64,
    small_area_code: Option<String>,
    neighbourhood_id: Option<String>,
    confidential: bool,
    entry_point: bool,
    step_free: Option<bool>,
    accessible_toilet: Option<bool>,
    hearing_loop: Option<bool>,
    parking: Option<bool>,
    public_transport: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = schedules)]
pub(super) struct ScheduleRow {
    id: String,
    pub(super) service_id: String,
    location_id: Option<String>,
    freq: Option<String>,
    interval: i32,
    byday: String,
    bymonthday: String,
    dtstart: Option<NaiveDate>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    opens_at: Option<NaiveTime>,
    closes_at: Option<NaiveTime>,
    by_appointment: bool,
    closed_on: String,
    notes: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = contacts)]
struct ContactRow {
    id: String,
    service_id: Option<String>,
    organisation_id: Option<String>,
    name: String,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

// ---- Writing whole listings (the demo, imports) ----

/// Adds an organisation.
pub fn insert_organisation(conn: &mut Conn, org: &Organisation, now: NaiveDateTime) -> StoreResult<()> {
    diesel::insert_into(organisations::table)
        .values(OrganisationRow {
            id: org.id.to_string(),
            name: org.name.clone(),
            description: org.description.clone(),
            kind: org.kind.code().into(),
            charity_number: org.charity_number.clone(),
            company_number: org.company_number.clone(),
            website: org.website.clone(),
            email: org.email.clone(),
            phone: org.phone.clone(),
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(())
}

/// Adds a venue, in the small area and neighbourhood of its cell.
pub fn insert_location(conn: &mut Conn, location: &Location, now: NaiveDateTime) -> StoreResult<()> {
    let row = LocationRow {
        id: location.id.to_string(),
        organisation_id: location.organisation.map(|o| o.to_string()),
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
    super::neighbourhoods::assign_locations(conn, Some(&location.id.to_string()))
}

/// Moves a venue to another point: its cell, small area and neighbourhood
/// follow, the move is recorded, and every service meeting there is queued
/// for the search index, all in one transaction.
pub fn move_location(
    conn: &mut Conn,
    id: LocationId,
    (latitude, longitude): (f64, f64),
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<()> {
    conn.transaction(|conn| {
        let key = id.to_string();
        let (old_latitude, old_longitude): (f64, f64) =
            locations::table.find(&key).select((locations::latitude, locations::longitude)).first(conn)?;
        let h3_cell = cells::cell_of(latitude, longitude).map(super::cell_number);
        diesel::update(locations::table.find(&key))
            .set((
                locations::latitude.eq(latitude),
                locations::longitude.eq(longitude),
                locations::h3_cell.eq(h3_cell),
                locations::updated_at.eq(now),
            ))
            .execute(conn)?;
        super::neighbourhoods::assign_locations(conn, Some(&key))?;
        let fields = [
            ("latitude", Some(old_latitude.to_string()), Some(latitude.to_string())),
            ("longitude", Some(old_longitude.to_string()), Some(longitude.to_string())),
        ];
        changes::record(conn, RecordKind::Location, &key, Action::Update, &fields, Some(by), None, now)?;
        let meeting_here: Vec<String> = service_at_locations::table
            .filter(service_at_locations::location_id.eq(&key))
            .select(service_at_locations::service_id)
            .load(conn)?;
        for service in meeting_here {
            search_feed::queue(conn, parse_id(&service)?, now)?;
        }
        Ok(())
    })
}

/// Gives every location without an H3 cell its cell (rows saved before cells
/// were kept). Returns how many were filled.
pub fn fill_missing_cells(conn: &mut Conn) -> StoreResult<usize> {
    conn.transaction(|conn| {
        let missing: Vec<(String, f64, f64)> = locations::table
            .filter(locations::h3_cell.is_null())
            .select((locations::id, locations::latitude, locations::longitude))
            .load(conn)?;
        let mut filled = 0;
        for (id, latitude, longitude) in missing {
            if let Some(cell) = cells::cell_of(latitude, longitude) {
                diesel::update(locations::table.find(id))
                    .set(locations::h3_cell.eq(super::cell_number(cell)))
                    .execute(conn)?;
                filled += 1;
            }
        }
        Ok(filled)
    })
}

/// Adds a whole service: its row, needs, languages, delivery, venues, schedules
/// and contacts. `need_ids` maps need slugs to their stored ids.
pub fn insert_service(
    conn: &mut Conn,
    service: &Service,
    need_ids: &HashMap<String, String>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let d = &service.details;
    diesel::insert_into(services::table)
        .values(NewService {
            id: service.id.to_string(),
            details: ServiceChanges::from_input(d, now),
            capacity_said_on: service.capacity_said_on,
            last_verified_at: service.last_verified_at,
            last_verified_by: service.last_verified_by.map(|u| u.to_string()),
            created_at: now,
        })
        .execute(conn)?;
    replace_service_lists(conn, service.id, d, need_ids)?;
    for location in &service.locations {
        diesel::insert_into(service_at_locations::table)
            .values((
                service_at_locations::id.eq(ServiceAtLocationId::new().to_string()),
                service_at_locations::service_id.eq(service.id.to_string()),
                service_at_locations::location_id.eq(location.to_string()),
            ))
            .execute(conn)?;
    }
    for s in &service.schedules {
        diesel::insert_into(schedules::table).values(schedule_row(service.id, s)).execute(conn)?;
    }
    for c in &service.contacts {
        diesel::insert_into(contacts::table)
            .values(ContactRow {
                id: c.id.to_string(),
                service_id: Some(service.id.to_string()),
                organisation_id: None,
                name: c.name.clone(),
                title: c.title.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// How many organisations the directory holds.
pub fn count_organisations(conn: &mut Conn) -> StoreResult<i64> {
    Ok(organisations::table.count().get_result(conn)?)
}

/// The ids of every need, by slug.
pub fn need_ids(conn: &mut Conn) -> StoreResult<HashMap<String, String>> {
    let pairs: Vec<(String, String)> = needs::table.select((needs::slug, needs::id)).load(conn)?;
    Ok(pairs.into_iter().collect())
}

fn replace_service_lists(
    conn: &mut Conn,
    service: ServiceId,
    d: &ServiceInput,
    need_ids: &HashMap<String, String>,
) -> StoreResult<()> {
    let sid = service.to_string();
    diesel::delete(service_needs::table.filter(service_needs::service_id.eq(&sid))).execute(conn)?;
    diesel::delete(service_languages::table.filter(service_languages::service_id.eq(&sid))).execute(conn)?;
    diesel::delete(service_delivery::table.filter(service_delivery::service_id.eq(&sid))).execute(conn)?;
    for slug in &d.needs {
        let need = need_ids
            .get(slug)
            .ok_or_else(|| StoreError::Corrupt(format!("no need with the slug '{slug}'")))?;
        diesel::insert_into(service_needs::table)
            .values((service_needs::service_id.eq(&sid), service_needs::need_id.eq(need)))
            .execute(conn)?;
    }
    for language in &d.languages {
        diesel::insert_into(service_languages::table)
            .values((service_languages::service_id.eq(&sid), service_languages::language.eq(language)))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    for mode in &d.delivery {
        diesel::insert_into(service_delivery::table)
            .values((service_delivery::service_id.eq(&sid), service_delivery::mode.eq(mode.code())))
            .execute(conn)?;
    }
    Ok(())
}

fn schedule_row(service: ServiceId, s: &Schedule) -> ScheduleRow {
    ScheduleRow {
        id: ScheduleId::new().to_string(),
        service_id: service.to_string(),
        location_id: None,
        freq: s.freq.map(|f| f.code().to_string()),
        interval: i32::try_from(s.interval.max(1)).unwrap_or(1),
        byday: schedule::format_byday(&s.byday),
        bymonthday: s.bymonthday.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        dtstart: s.dtstart,
        valid_from: s.valid_from,
        valid_to: s.valid_to,
        opens_at: s.opens_at,
        closes_at: s.closes_at,
        by_appointment: s.by_appointment,
        closed_on: s.closed_on.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        notes: None,
    }
}

// ---- Staff edits, with their history ----

/// Adds a service typed by a member of staff, recording every field it was
/// given in the change history, in one transaction.
pub fn create_service(
    conn: &mut Conn,
    input: &ServiceInput,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<ServiceId> {
    conn.transaction(|conn| {
        let id = ServiceId::new();
        let need_ids = need_ids(conn)?;
        let service = Service {
            id,
            details: input.clone(),
            locations: vec![],
            schedules: vec![],
            contacts: vec![],
            capacity_said_on: input.capacity.map(|_| now.date()),
            last_verified_at: Some(now),
            last_verified_by: Some(by),
        };
        insert_service(conn, &service, &need_ids, now)?;
        let fields = changed_fields(&[], &input.history_fields());
        service_changed(conn, id, Action::Create, &fields, by, reason, now)?;
        Ok(id)
    })
}

/// Changes a service, recording each changed field's old and new value in the
/// same transaction. Returns how many fields changed (none is not an error).
pub fn update_service(
    conn: &mut Conn,
    id: ServiceId,
    input: &ServiceInput,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    conn.transaction(|conn| {
        let before = service_input(conn, id)?;
        let fields = changed_fields(&before.history_fields(), &input.history_fields());
        if fields.is_empty() {
            return Ok(0);
        }
        diesel::update(services::table.find(id.to_string()))
            .set(ServiceChanges::from_input(input, now))
            .execute(conn)?;
        if before.capacity != input.capacity {
            diesel::update(services::table.find(id.to_string()))
                .set(services::capacity_said_on.eq(input.capacity.map(|_| now.date())))
                .execute(conn)?;
        }
        let need_ids = need_ids(conn)?;
        replace_service_lists(conn, id, input, &need_ids)?;
        service_changed(conn, id, Action::Update, &fields, by, reason, now)?;
        Ok(fields.len())
    })
}

/// Marks a service as checked and still true today.
pub fn verify_service(conn: &mut Conn, id: ServiceId, by: UserId, now: NaiveDateTime) -> StoreResult<()> {
    conn.transaction(|conn| {
        let before: Option<NaiveDateTime> =
            services::table.find(id.to_string()).select(services::last_verified_at).first(conn)?;
        diesel::update(services::table.find(id.to_string()))
            .set((services::last_verified_at.eq(now), services::last_verified_by.eq(by.to_string())))
            .execute(conn)?;
        let field = [(
            "last_verified_at",
            before.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
            Some(now.format("%Y-%m-%d %H:%M").to_string()),
        )];
        service_changed(conn, id, Action::Verify, &field, by, None, now)
    })
}

/// What every change to a service must do in its transaction: record the
/// changed fields in the history, and queue the service for the search index.
fn service_changed(
    conn: &mut Conn,
    id: ServiceId,
    action: Action,
    fields: &[(&str, Option<String>, Option<String>)],
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    changes::record(conn, RecordKind::Service, &id.to_string(), action, fields, Some(by), reason, now)?;
    search_feed::queue(conn, id, now)
}

// ---- Reading ----

fn service_row(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceRow> {
    Ok(services::table.find(id.to_string()).select(ServiceRow::as_select()).first(conn)?)
}

/// The service's current values, as the form edits them.
pub fn service_input(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceInput> {
    let row = service_row(conn, id)?;
    details_of(conn, &row)
}

fn details_of(conn: &mut Conn, row: &ServiceRow) -> StoreResult<ServiceInput> {
    let needs = need_labels(conn, &row.id)?.into_iter().map(|n| n.slug).collect();
    let languages: Vec<String> = service_languages::table
        .filter(service_languages::service_id.eq(&row.id))
        .select(service_languages::language)
        .order(service_languages::language)
        .load(conn)?;
    let delivery_codes: Vec<String> = service_delivery::table
        .filter(service_delivery::service_id.eq(&row.id))
        .select(service_delivery::mode)
        .load(conn)?;
    let mut delivery = delivery_codes
        .iter()
        .map(|c| decode(c, DeliveryMode::from_code, "delivery mode"))
        .collect::<StoreResult<Vec<_>>>()?;
    delivery.sort();
    Ok(ServiceInput {
        organisation: parse_id(&row.fields.organisation_id)?,
        name: row.fields.name.clone(),
        description: row.fields.description.clone(),
        status: decode(&row.fields.status, ServiceStatus::from_code, "status")?,
        needs,
        referral_route: decode(&row.fields.referral_route, ReferralRoute::from_code, "referral route")?,
        eligibility: row.fields.eligibility.clone(),
        min_age: row.fields.min_age,
        max_age: row.fields.max_age,
        cost: decode(&row.fields.cost, CostKind::from_code, "cost")?,
        cost_description: row.fields.cost_description.clone(),
        delivery,
        languages,
        area: decode(&row.fields.area, ServiceArea::from_code, "service area")?,
        area_radius_km: row.fields.area_radius_km,
        capacity: row
            .fields
            .capacity
            .as_deref()
            .map(|c| decode(c, Capacity::from_code, "capacity"))
            .transpose()?,
        email: row.fields.email.clone(),
        phone: row.fields.phone.clone(),
        website: row.fields.website.clone(),
    })
}

fn need_labels(conn: &mut Conn, service: &str) -> StoreResult<Vec<NeedLabel>> {
    let rows: Vec<(String, String)> = service_needs::table
        .inner_join(needs::table)
        .filter(service_needs::service_id.eq(service))
        .select((needs::slug, needs::label))
        .order((needs::parent_id, needs::position))
        .load(conn)?;
    Ok(rows.into_iter().map(|(slug, label)| NeedLabel { slug, label }).collect())
}

/// Everything the service page shows.
pub fn service_view(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceView> {
    let row = service_row(conn, id)?;
    let details = details_of(conn, &row)?;
    let organisation_name: String =
        organisations::table.find(&row.fields.organisation_id).select(organisations::name).first(conn)?;
    let needs = need_labels(conn, &row.id)?;
    let location_rows: Vec<LocationRow> = service_at_locations::table
        .inner_join(locations::table)
        .filter(service_at_locations::service_id.eq(&row.id))
        .select(LocationRow::as_select())
        .order(locations::name)
        .load(conn)?;
    let locations = location_rows.into_iter().map(location_view).collect::<StoreResult<_>>()?;
    let schedule_rows: Vec<ScheduleRow> = schedules::table
        .filter(schedules::service_id.eq(&row.id))
        .select(ScheduleRow::as_select())
        .order((schedules::opens_at, schedules::id))
        .load(conn)?;
    let schedules = schedule_rows.iter().map(schedule_of).collect::<StoreResult<_>>()?;
    let contact_rows: Vec<ContactRow> = contacts::table
        .filter(contacts::service_id.eq(&row.id))
        .select(ContactRow::as_select())
        .order(contacts::name)
        .load(conn)?;
    let contacts = contact_rows
        .into_iter()
        .map(|c| {
            Ok(Contact {
                id: parse_id::<ContactId>(&c.id)?,
                name: c.name,
                title: c.title,
                phone: c.phone,
                email: c.email,
            })
        })
        .collect::<StoreResult<_>>()?;
    let last_verified_by = match &row.last_verified_by {
        Some(user) => users::table.find(user).select(users::name).first(conn).optional()?,
        None => None,
    };
    Ok(ServiceView {
        id,
        details,
        organisation_name,
        needs,
        locations,
        schedules,
        contacts,
        capacity_said_on: row.capacity_said_on,
        last_verified_at: row.last_verified_at,
        last_verified_by,
        updated_at: row.fields.updated_at,
    })
}

fn location_view(row: LocationRow) -> StoreResult<LocationView> {
    Ok(LocationView {
        neighbourhood: row.neighbourhood_id.as_deref().map(parse_id).transpose()?,
        location: Location {
            id: parse_id::<LocationId>(&row.id)?,
            organisation: row.organisation_id.as_deref().map(parse_id).transpose()?,
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
            access: VenueAccess {
                step_free: row.step_free,
                accessible_toilet: row.accessible_toilet,
                hearing_loop: row.hearing_loop,
                parking: row.parking,
                public_transport: row.public_transport,
            },
        },
    })
}

pub(super) fn schedule_of(row: &ScheduleRow) -> StoreResult<Schedule> {
    let corrupt = |e: schedule::ScheduleError| StoreError::Corrupt(e.to_string());
    let closed_on = row
        .closed_on
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim().parse::<NaiveDate>().map_err(|_| StoreError::Corrupt(format!("'{s}' is not a date")))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Schedule {
        freq: row.freq.as_deref().map(|f| decode(f, Frequency::from_code, "frequency")).transpose()?,
        interval: u32::try_from(row.interval).unwrap_or(1),
        byday: schedule::parse_byday(&row.byday).map_err(corrupt)?,
        bymonthday: schedule::parse_bymonthday(&row.bymonthday).map_err(corrupt)?,
        dtstart: row.dtstart,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        by_appointment: row.by_appointment,
        closed_on,
    })
}

/// Who runs the service, and the neighbourhoods its venues are in: what decides
/// who may edit it.
pub fn service_scope(conn: &mut Conn, id: ServiceId) -> StoreResult<(OrganisationId, Vec<NeighbourhoodId>)> {
    let organisation: String =
        services::table.find(id.to_string()).select(services::organisation_id).first(conn)?;
    let hoods: Vec<Option<String>> = service_at_locations::table
        .inner_join(locations::table)
        .filter(service_at_locations::service_id.eq(id.to_string()))
        .select(locations::neighbourhood_id)
        .distinct()
        .load(conn)?;
    let neighbourhoods =
        hoods.into_iter().flatten().map(|h| parse_id::<NeighbourhoodId>(&h)).collect::<StoreResult<_>>()?;
    Ok((parse_id(&organisation)?, neighbourhoods))
}

fn organisation_of(row: OrganisationRow) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: parse_id(&row.id)?,
        kind: decode(&row.kind, OrganisationKind::from_code, "kind of organisation")?,
        name: row.name,
        description: row.description,
        charity_number: row.charity_number,
        company_number: row.company_number,
        website: row.website,
        email: row.email,
        phone: row.phone,
    })
}

/// Everything the organisation page shows.
pub fn organisation_view(conn: &mut Conn, id: OrganisationId) -> StoreResult<OrganisationView> {
    let row: OrganisationRow =
        organisations::table.find(id.to_string()).select(OrganisationRow::as_select()).first(conn)?;
    let organisation = organisation_of(row)?;
    let services = summaries(
        conn,
        summary_query().filter(services::organisation_id.eq(id.to_string())).order(services::name),
        500,
    )?;
    Ok(OrganisationView { organisation, services })
}

type SummaryQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<services::table, organisations::table>,
    diesel::sqlite::Sqlite,
>;

/// Services joined to their organisations, ready to filter and order.
fn summary_query<'a>() -> SummaryQuery<'a> {
    services::table.inner_join(organisations::table).into_boxed()
}

/// A line of a service list, as read.
#[derive(Queryable)]
struct SummaryRow {
    id: String,
    name: String,
    organisation_name: String,
    status: String,
    capacity: Option<String>,
    last_verified_at: Option<NaiveDateTime>,
}

fn summaries(conn: &mut Conn, query: SummaryQuery<'_>, limit: i64) -> StoreResult<Vec<ServiceSummary>> {
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
                id: parse_id(&row.id)?,
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

/// Services not checked since `before` (or never), oldest first: the review queue.
pub fn due_for_review(
    conn: &mut Conn,
    before: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<ServiceSummary>> {
    let query = summary_query()
        .filter(services::status.ne("defunct"))
        .filter(services::last_verified_at.is_null().or(services::last_verified_at.lt(before)))
        .order((services::last_verified_at.asc(), services::name));
    summaries(conn, query, limit)
}

/// How many services are due for review.
pub fn count_due_for_review(conn: &mut Conn, before: NaiveDateTime) -> StoreResult<i64> {
    Ok(services::table
        .filter(services::status.ne("defunct"))
        .filter(services::last_verified_at.is_null().or(services::last_verified_at.lt(before)))
        .count()
        .get_result(conn)?)
}

/// Running services listed under a need, by name.
pub fn services_for_need(conn: &mut Conn, slug: &str, limit: i64) -> StoreResult<Vec<ServiceSummary>> {
    let need = super::needs::id_of(conn, slug)?;
    let ids = service_needs::table
        .filter(service_needs::need_id.eq(need.to_string()))
        .select(service_needs::service_id);
    let query = summary_query()
        .filter(services::id.eq_any(ids))
        .filter(services::status.eq("active"))
        .order(services::name);
    summaries(conn, query, limit)
}

/// How many running services each need has, by slug.
pub fn running_services_per_need(conn: &mut Conn) -> StoreResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = service_needs::table
        .inner_join(needs::table)
        .inner_join(services::table)
        .filter(services::status.eq("active"))
        .group_by(needs::slug)
        .select((needs::slug, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Every organisation's id and name, by name: the choices of the service form.
pub fn organisation_choices(conn: &mut Conn) -> StoreResult<Vec<(OrganisationId, String)>> {
    let rows: Vec<(String, String)> = organisations::table
        .select((organisations::id, organisations::name))
        .order(organisations::name)
        .load(conn)?;
    rows.into_iter().map(|(i, name)| Ok((parse_id(&i)?, name))).collect()
}

/// Whether an organisation exists.
pub fn organisation_exists(conn: &mut Conn, id: OrganisationId) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(organisations::table.find(id.to_string()))).get_result(conn)?)
}

/// A results line's details, as read.
#[derive(Queryable)]
struct DetailsRow {
    id: String,
    description: String,
    cost: String,
    cost_description: Option<String>,
    eligibility: Option<String>,
    min_age: Option<i32>,
    max_age: Option<i32>,
}

/// The details a results page shows for each of `ids` (those that exist).
pub fn result_details(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<HashMap<ServiceId, ResultDetails>> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<DetailsRow> = services::table
        .filter(services::id.eq_any(&keys))
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
    let modes: Vec<(String, String)> = service_delivery::table
        .filter(service_delivery::service_id.eq_any(&keys))
        .select((service_delivery::service_id, service_delivery::mode))
        .load(conn)?;
    let mut details = HashMap::new();
    for row in rows {
        let delivery = modes
            .iter()
            .filter(|(service, _)| *service == row.id)
            .map(|(_, mode)| decode(mode, DeliveryMode::from_code, "delivery"))
            .collect::<StoreResult<Vec<_>>>()?;
        details.insert(
            parse_id(&row.id)?,
            ResultDetails {
                summary: ResultDetails::summary_of(&row.description),
                cost: decode(&row.cost, CostKind::from_code, "cost")?,
                cost_description: row.cost_description,
                eligibility: row.eligibility,
                min_age: row.min_age,
                max_age: row.max_age,
                delivery,
            },
        );
    }
    Ok(details)
}

/// The ids of every running service, by name.
pub fn running_service_ids(conn: &mut Conn) -> StoreResult<Vec<ServiceId>> {
    let ids: Vec<String> = services::table
        .filter(services::status.eq("active"))
        .order(services::name)
        .select(services::id)
        .load(conn)?;
    ids.iter().map(|id| parse_id(id)).collect()
}
