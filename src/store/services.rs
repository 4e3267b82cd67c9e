//! Services: the unit that is searched and signposted. Every write records its
//! changed fields in the history and queues the service for the search index,
//! in the same transaction.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::changes::{self, Action, RecordKind};
use super::schema::{
    locations, merged_records, needs, neighbourhoods, organisations, reminder_services,
    service_area_neighbourhoods, service_at_locations, service_delivery, service_keywords, service_languages,
    service_needs, service_phones, services, shortlist_items, users,
};
use super::{
    Conn, StoreError, StoreResult, contacts, decode, locations as venues, per_backend, schedules, search_feed,
};
use crate::domain::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
use crate::domain::ids::{
    LocationId, NeedId, NeighbourhoodId, OrganisationId, ServiceAtLocationId, ServiceId, UserId,
};
use crate::domain::listing::{Extras, Phone, Service};
use crate::domain::service_form::{ServiceEdit, ServiceInput, ServiceParts, changed_fields};
use crate::domain::views::{CONFIDENTIAL_VENUE, NeedLabel, ServiceView};

/// A service as stored: the fields the form sets, plus its checking record.
#[derive(Queryable, Selectable)]
#[diesel(table_name = services)]
struct ServiceRow {
    id: ServiceId,
    #[diesel(embed)]
    fields: ServiceChanges,
    capacity_said_on: Option<NaiveDate>,
    last_verified_at: Option<NaiveDateTime>,
    last_verified_by: Option<UserId>,
    archived_at: Option<NaiveDateTime>,
}

/// A new service: what the form sets, plus when it was made and checked.
#[derive(Insertable)]
#[diesel(table_name = services)]
struct NewService {
    id: ServiceId,
    #[diesel(embed)]
    details: ServiceChanges,
    capacity_said_on: Option<NaiveDate>,
    last_verified_at: Option<NaiveDateTime>,
    last_verified_by: Option<UserId>,
    created_at: NaiveDateTime,
}

/// The columns of a service that the service form sets.
#[derive(AsChangeset, Insertable, Queryable, Selectable)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub(super) struct ServiceChanges {
    organisation_id: OrganisationId,
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
    pub(super) fn from_input(input: &ServiceInput, now: NaiveDateTime) -> Self {
        ServiceChanges {
            organisation_id: input.organisation,
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

// ---- Writing whole listings (the demo, imports) ----

/// Adds a whole service: its row, needs, languages, delivery, venues, schedules
/// and contacts. `need_ids` maps need slugs to their stored ids.
pub fn insert(
    conn: &mut Conn,
    service: &Service,
    need_ids: &HashMap<String, NeedId>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let d = &service.details;
    diesel::insert_into(services::table)
        .values(NewService {
            id: service.id,
            details: ServiceChanges::from_input(d, now),
            capacity_said_on: service.capacity_said_on,
            last_verified_at: service.last_verified_at,
            last_verified_by: service.last_verified_by,
            created_at: now,
        })
        .execute(conn)?;
    replace_lists(conn, service.id, d, need_ids)?;
    write_extras(conn, service.id, &service.extras)?;
    for &location in &service.locations {
        diesel::insert_into(service_at_locations::table)
            .values((
                service_at_locations::id.eq(ServiceAtLocationId::of(service.id, location)),
                service_at_locations::service_id.eq(service.id),
                service_at_locations::location_id.eq(location),
            ))
            .execute(conn)?;
    }
    schedules::insert(conn, service.id, &service.schedules)?;
    contacts::insert(conn, service.id, &service.contacts)?;
    refresh_placed(conn, Some(&[service.id]))
}

/// Replaces what a listing from elsewhere carries besides the form's fields.
pub(super) fn write_extras(conn: &mut Conn, service: ServiceId, extras: &Extras) -> StoreResult<()> {
    let regions = (!extras.regions.is_empty()).then(|| extras.regions.join("; "));
    diesel::update(services::table.find(service))
        .set((services::hours_text.eq(&extras.hours_text), services::area_regions.eq(regions)))
        .execute(conn)?;
    replace_phones(conn, service, &extras.phones)?;
    diesel::delete(service_keywords::table.filter(service_keywords::service_id.eq(service))).execute(conn)?;
    for keyword in &extras.keywords {
        per_backend!(conn, |c| diesel::insert_into(service_keywords::table)
            .values((service_keywords::service_id.eq(service), service_keywords::keyword.eq(keyword)))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Replaces a service's phone numbers after its main one.
fn replace_phones(conn: &mut Conn, service: ServiceId, phones: &[Phone]) -> StoreResult<()> {
    diesel::delete(service_phones::table.filter(service_phones::service_id.eq(service))).execute(conn)?;
    for (position, phone) in (0..).zip(phones) {
        diesel::insert_into(service_phones::table)
            .values((
                service_phones::service_id.eq(service),
                service_phones::position.eq(position),
                service_phones::number.eq(&phone.number),
                service_phones::description.eq(&phone.description),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What several listings carry besides the form's fields.
pub(super) fn extras_of(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<HashMap<ServiceId, Extras>> {
    let mut all: HashMap<ServiceId, Extras> = HashMap::new();
    let columns: Vec<(ServiceId, Option<String>, Option<String>)> = services::table
        .filter(services::id.eq_any(ids))
        .filter(services::hours_text.is_not_null().or(services::area_regions.is_not_null()))
        .select((services::id, services::hours_text, services::area_regions))
        .load(conn)?;
    for (id, hours_text, regions) in columns {
        let extras = all.entry(id).or_default();
        extras.hours_text = hours_text;
        extras.regions = regions.iter().flat_map(|r| r.split("; ")).map(str::to_string).collect();
    }
    let phones: Vec<(ServiceId, String, Option<String>)> = service_phones::table
        .filter(service_phones::service_id.eq_any(ids))
        .select((service_phones::service_id, service_phones::number, service_phones::description))
        .order((service_phones::service_id, service_phones::position))
        .load(conn)?;
    for (id, number, description) in phones {
        all.entry(id).or_default().phones.push(Phone { number, description });
    }
    let keywords: Vec<(ServiceId, String)> = service_keywords::table
        .filter(service_keywords::service_id.eq_any(ids))
        .select((service_keywords::service_id, service_keywords::keyword))
        .order((service_keywords::service_id, service_keywords::keyword))
        .load(conn)?;
    for (id, keyword) in keywords {
        all.entry(id).or_default().keywords.push(keyword);
    }
    Ok(all)
}

/// Whole listings as stored, in the order of `ids` (an id with no service is
/// left out): every venue, confidential ones too.
pub fn listings(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<Vec<Service>> {
    let found = many(conn, ids)?;
    let mut venues: HashMap<ServiceId, Vec<LocationId>> = HashMap::new();
    let links: Vec<(ServiceId, LocationId)> = service_at_locations::table
        .filter(service_at_locations::service_id.eq_any(ids))
        .select((service_at_locations::service_id, service_at_locations::location_id))
        .load(conn)?;
    for (service, location) in links {
        venues.entry(service).or_default().push(location);
    }
    let mut all_schedules: HashMap<ServiceId, Vec<_>> = HashMap::new();
    for (service, stored) in schedules::of_services(conn, ids)? {
        all_schedules.entry(service).or_default().push(stored.schedule);
    }
    let mut all_contacts: HashMap<ServiceId, Vec<_>> = HashMap::new();
    for (service, contact) in contacts::of_services(conn, ids)? {
        all_contacts.entry(service).or_default().push(contact);
    }
    let mut extras = extras_of(conn, ids)?;
    Ok(found
        .into_iter()
        .map(|(id, details, kept)| Service {
            id,
            details,
            locations: venues.remove(&id).unwrap_or_default(),
            schedules: all_schedules.remove(&id).unwrap_or_default(),
            contacts: all_contacts.remove(&id).unwrap_or_default(),
            capacity_said_on: kept.capacity_said_on,
            last_verified_at: kept.last_verified_at,
            last_verified_by: None,
            extras: extras.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// The ids of every need, by slug.
pub fn need_ids(conn: &mut Conn) -> StoreResult<HashMap<String, NeedId>> {
    let pairs: Vec<(String, NeedId)> = needs::table.select((needs::slug, needs::id)).load(conn)?;
    Ok(pairs.into_iter().collect())
}

pub(super) fn replace_lists(
    conn: &mut Conn,
    service: ServiceId,
    d: &ServiceInput,
    need_ids: &HashMap<String, NeedId>,
) -> StoreResult<()> {
    diesel::delete(service_needs::table.filter(service_needs::service_id.eq(service))).execute(conn)?;
    diesel::delete(service_languages::table.filter(service_languages::service_id.eq(service)))
        .execute(conn)?;
    diesel::delete(service_delivery::table.filter(service_delivery::service_id.eq(service))).execute(conn)?;
    for slug in &d.needs {
        let need = need_ids
            .get(slug)
            .ok_or_else(|| StoreError::Corrupt(format!("no need with the slug '{slug}'")))?;
        diesel::insert_into(service_needs::table)
            .values((service_needs::service_id.eq(service), service_needs::need_id.eq(need)))
            .execute(conn)?;
    }
    for language in &d.languages {
        per_backend!(conn, |c| diesel::insert_into(service_languages::table)
            .values((service_languages::service_id.eq(service), service_languages::language.eq(language)))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    for mode in &d.delivery {
        diesel::insert_into(service_delivery::table)
            .values((service_delivery::service_id.eq(service), service_delivery::mode.eq(mode.code())))
            .execute(conn)?;
    }
    Ok(())
}

// ---- Staff edits, with their history ----

/// Adds a service typed by a member of staff, recording every field it was
/// given in the change history, in one transaction.
pub fn create(
    conn: &mut Conn,
    input: &ServiceInput,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<ServiceId> {
    let edit = ServiceEdit { details: input.clone(), parts: ServiceParts::default() };
    create_listing(conn, &edit, by, reason, now)
}

/// Adds a service with its venues, times, contacts, phones and chosen
/// neighbourhoods, recording every field in the history, in one transaction.
pub fn create_listing(
    conn: &mut Conn,
    edit: &ServiceEdit,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<ServiceId> {
    super::transaction(conn, |conn| {
        let id = ServiceId::new();
        let need_ids = need_ids(conn)?;
        let input = &edit.details;
        let service = Service {
            id,
            details: input.clone(),
            locations: vec![],
            schedules: vec![],
            contacts: vec![],
            capacity_said_on: input.capacity.map(|_| now.date()),
            last_verified_at: Some(now),
            last_verified_by: Some(by),
            extras: Extras::default(),
        };
        insert(conn, &service, &need_ids, now)?;
        write_parts(conn, id, &edit.parts)?;
        let fields = changed_fields(&[], &edit.history_fields());
        changed(conn, id, Action::Create, &fields, Some(by), reason, now)?;
        Ok(id)
    })
}

/// Changes the form's fields of a service, leaving its venues, times and
/// contacts as they are. Returns how many fields changed.
pub fn update(
    conn: &mut Conn,
    id: ServiceId,
    input: &ServiceInput,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        let before = edit(conn, id)?;
        let after = ServiceEdit { details: input.clone(), parts: before.parts.clone() };
        write_edit(conn, id, &before, &after, by, reason, now)
    })
}

/// Changes a service and its venues, times, contacts, phones and chosen
/// neighbourhoods, recording each changed field's old and new value in the
/// same transaction. Returns how many fields changed (none is not an error).
pub fn update_listing(
    conn: &mut Conn,
    id: ServiceId,
    after: &ServiceEdit,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        let before = edit(conn, id)?;
        write_edit(conn, id, &before, after, by, reason, now)
    })
}

fn write_edit(
    conn: &mut Conn,
    id: ServiceId,
    before: &ServiceEdit,
    after: &ServiceEdit,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    let fields = changed_fields(&before.history_fields(), &after.history_fields());
    if fields.is_empty() {
        return Ok(0);
    }
    let input = &after.details;
    diesel::update(services::table.find(id)).set(ServiceChanges::from_input(input, now)).execute(conn)?;
    if before.details.capacity != input.capacity {
        diesel::update(services::table.find(id))
            .set(services::capacity_said_on.eq(input.capacity.map(|_| now.date())))
            .execute(conn)?;
    }
    let need_ids = need_ids(conn)?;
    replace_lists(conn, id, input, &need_ids)?;
    if before.parts != after.parts {
        write_parts(conn, id, &after.parts)?;
    }
    changed(conn, id, Action::Update, &fields, Some(by), reason, now)?;
    Ok(fields.len())
}

/// Replaces a service's venues, times, contacts, phones and chosen
/// neighbourhoods. A venue it stays at keeps its link (and the link's id).
fn write_parts(conn: &mut Conn, id: ServiceId, parts: &ServiceParts) -> StoreResult<()> {
    let venues: Vec<LocationId> = parts.venues.iter().map(|(venue, _)| *venue).collect();
    diesel::delete(
        service_at_locations::table
            .filter(service_at_locations::service_id.eq(id))
            .filter(service_at_locations::location_id.ne_all(&venues)),
    )
    .execute(conn)?;
    for &venue in &venues {
        per_backend!(conn, |c| diesel::insert_into(service_at_locations::table)
            .values((
                service_at_locations::id.eq(ServiceAtLocationId::of(id, venue)),
                service_at_locations::service_id.eq(id),
                service_at_locations::location_id.eq(venue),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    refresh_placed(conn, Some(&[id]))?;
    schedules::replace(conn, id, &parts.schedules)?;
    contacts::replace(conn, id, &parts.contacts)?;
    replace_phones(conn, id, &parts.phones)?;
    diesel::delete(service_area_neighbourhoods::table.filter(service_area_neighbourhoods::service_id.eq(id)))
        .execute(conn)?;
    for (hood, _) in &parts.neighbourhoods {
        diesel::insert_into(service_area_neighbourhoods::table)
            .values((
                service_area_neighbourhoods::service_id.eq(id),
                service_area_neighbourhoods::neighbourhood_id.eq(hood),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks a service as checked and still true today.
pub fn verify(conn: &mut Conn, id: ServiceId, by: UserId, now: NaiveDateTime) -> StoreResult<()> {
    verify_as(conn, id, Some(by), None, now)
}

/// The running listings among `among` added or changed since `since`, by
/// when they last changed: for a neighbourhood's weekly feed.
pub fn new_and_changed(
    conn: &mut Conn,
    among: &[ServiceId],
    since: NaiveDateTime,
) -> StoreResult<Vec<crate::domain::views::ListingChange>> {
    let mut found = Vec::new();
    for chunk in among.chunks(5_000) {
        let rows: Vec<(ServiceId, String, String, NaiveDateTime, NaiveDateTime)> = services::table
            .inner_join(organisations::table)
            .filter(services::id.eq_any(chunk))
            .filter(services::status.eq("active"))
            .filter(services::archived_at.is_null())
            .filter(services::updated_at.ge(since).or(services::created_at.ge(since)))
            .select((
                services::id,
                services::name,
                organisations::name,
                services::created_at,
                services::updated_at,
            ))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(id, name, organisation, created_at, updated_at)| {
            crate::domain::views::ListingChange { id, name, organisation, created_at, updated_at }
        }));
    }
    found.sort_by(|a, b| (b.updated_at, &a.name).cmp(&(a.updated_at, &b.name)));
    Ok(found)
}

/// Marks a service as checked and still true today, by a member of staff or
/// (`by` none) by its organisation answering a reminder, giving `reason`.
pub fn verify_as(
    conn: &mut Conn,
    id: ServiceId,
    by: Option<UserId>,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let before: Option<NaiveDateTime> =
            services::table.find(id).select(services::last_verified_at).first(conn)?;
        diesel::update(services::table.find(id))
            .set((services::last_verified_at.eq(now), services::last_verified_by.eq(by)))
            .execute(conn)?;
        let field = [(
            "last_verified_at",
            before.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
            Some(now.format("%Y-%m-%d %H:%M").to_string()),
        )];
        changed(conn, id, Action::Verify, &field, by, reason, now)
    })
}

/// Sets whether a service is taking new people, as its organisation said
/// answering a reminder (so checked today too), giving `reason`.
pub fn set_capacity(
    conn: &mut Conn,
    id: ServiceId,
    capacity: Capacity,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let before: Option<String> = services::table.find(id).select(services::capacity).first(conn)?;
        diesel::update(services::table.find(id))
            .set((
                services::capacity.eq(capacity.code()),
                services::capacity_said_on.eq(now.date()),
                services::updated_at.eq(now),
            ))
            .execute(conn)?;
        if before.as_deref() != Some(capacity.code()) {
            let field = [("capacity", before, Some(capacity.code().to_string()))];
            changed(conn, id, Action::Update, &field, None, Some(reason), now)?;
        }
        verify_as(conn, id, None, Some(reason), now)
    })
}

/// Archives a service (or restores it): taken off the public site, search
/// and the open data, kept with its history. Recorded, and queued for the
/// index. `false` when it already was.
pub fn set_archived(
    conn: &mut Conn,
    id: ServiceId,
    archived: bool,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        let was: Option<NaiveDateTime> =
            services::table.find(id).select(services::archived_at).first(conn)?;
        if was.is_some() == archived {
            return Ok(false);
        }
        diesel::update(services::table.find(id))
            .set(services::archived_at.eq(archived.then_some(now)))
            .execute(conn)?;
        let action = if archived { Action::Archive } else { Action::Restore };
        let field = [("archived", Some((!archived).to_string()), Some(archived.to_string()))];
        changed(conn, id, action, &field, Some(by), None, now)?;
        Ok(true)
    })
}

/// Merges service `from` into `into`: the people's shortlists that named
/// `from` name `into` (once), proposals and reminders about it are about
/// `into`, it is archived, and its address leads to `into` from now on
/// (`merged_into`). Both keep their histories, each with a line saying so.
pub fn merge(
    conn: &mut Conn,
    from: ServiceId,
    into: ServiceId,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let names: Vec<(ServiceId, String)> = services::table
            .filter(services::id.eq_any([from, into]))
            .select((services::id, services::name))
            .load(conn)?;
        let name = |id: ServiceId| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone());
        let (Some(from_name), Some(into_name)) = (name(from), name(into)) else {
            return Err(StoreError::NotFound);
        };
        // A shortlist that holds both keeps `into`'s line.
        let both: Vec<crate::domain::ids::SignpostContactId> = shortlist_items::table
            .filter(shortlist_items::service_id.eq(into))
            .select(shortlist_items::contact_id)
            .load(conn)?;
        diesel::delete(
            shortlist_items::table
                .filter(shortlist_items::service_id.eq(from))
                .filter(shortlist_items::contact_id.eq_any(both)),
        )
        .execute(conn)?;
        diesel::update(shortlist_items::table.filter(shortlist_items::service_id.eq(from)))
            .set(shortlist_items::service_id.eq(into))
            .execute(conn)?;
        super::proposals::merged(conn, &from.to_string(), &into.to_string(), by, now)?;
        diesel::delete(reminder_services::table.filter(reminder_services::service_id.eq(from)))
            .execute(conn)?;
        super::imports::remember_merge(conn, &from.to_string(), &into.to_string(), "service", now)?;
        diesel::update(services::table.find(from)).set(services::archived_at.eq(now)).execute(conn)?;
        changed(conn, from, Action::Merge, &[("merged_into", None, Some(into_name))], Some(by), None, now)?;
        changed(conn, into, Action::Merge, &[("merged_from", None, Some(from_name))], Some(by), None, now)
    })
}

/// The service a merged one was merged into, if it was.
pub fn merged_into(conn: &mut Conn, id: ServiceId) -> StoreResult<Option<ServiceId>> {
    let into: Option<String> = merged_records::table
        .find(id.to_string())
        .filter(merged_records::kind.eq("service"))
        .select(merged_records::into_id)
        .first(conn)
        .optional()?;
    Ok(into.and_then(|i| i.parse().ok()))
}

/// The services with much the same name as `name` that meet within 150 m of
/// any of `venues` (leaving out `except`, and archived ones), by name.
pub fn alike(
    conn: &mut Conn,
    name: &str,
    venues: &[LocationId],
    except: Option<ServiceId>,
) -> StoreResult<Vec<(ServiceId, String)>> {
    use crate::domain::imports::plan::{SAME_PLACE_M, similar};
    // Only public venues: a refuge's place never shapes what anyone is told.
    let points: Vec<(f64, f64)> = locations::table
        .filter(locations::id.eq_any(venues))
        .filter(locations::confidential.eq(false))
        .select((locations::latitude, locations::longitude))
        .load(conn)?;
    let mut found: Vec<(ServiceId, String)> = Vec::new();
    for (latitude, longitude) in points {
        let span = SAME_PLACE_M / 111_000.0;
        let lon_span = span / latitude.to_radians().cos().max(0.01);
        let near: Vec<(ServiceId, String, f64, f64)> = service_at_locations::table
            .inner_join(locations::table)
            .inner_join(services::table)
            .filter(locations::latitude.between(latitude - span, latitude + span))
            .filter(locations::longitude.between(longitude - lon_span, longitude + lon_span))
            .filter(services::archived_at.is_null())
            .filter(locations::confidential.eq(false))
            .select((services::id, services::name, locations::latitude, locations::longitude))
            .load(conn)?;
        for (id, other, lat, lon) in near {
            let close = crate::geo::cells::distance_m((latitude, longitude), (lat, lon)) <= SAME_PLACE_M;
            if close && Some(id) != except && similar(name, &other) && !found.iter().any(|(f, _)| *f == id) {
                found.push((id, other));
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

/// Marks whether each service (of `only`, or every one) has a venue in some
/// neighbourhood: a connector's review queue reads it for the services
/// placed in none. Called wherever a service's venues, or where they are,
/// change.
pub(super) fn refresh_placed(conn: &mut Conn, only: Option<&[ServiceId]>) -> StoreResult<()> {
    let in_some = || {
        service_at_locations::table
            .inner_join(locations::table)
            .filter(locations::neighbourhood_id.is_not_null())
            .select(service_at_locations::service_id)
    };
    match only {
        Some(ids) => {
            for chunk in ids.chunks(500) {
                // Read for these services only, then written: a subquery over
                // every link here would be read again for each service saved.
                let placed: Vec<ServiceId> =
                    in_some().filter(service_at_locations::service_id.eq_any(chunk)).distinct().load(conn)?;
                diesel::update(
                    services::table.filter(services::id.eq_any(chunk)).filter(services::id.ne_all(&placed)),
                )
                .set(services::placed.eq(false))
                .execute(conn)?;
                diesel::update(services::table.filter(services::id.eq_any(&placed)))
                    .set(services::placed.eq(true))
                    .execute(conn)?;
            }
        }
        None => {
            diesel::update(services::table.filter(services::id.ne_all(in_some())))
                .set(services::placed.eq(false))
                .execute(conn)?;
            diesel::update(services::table.filter(services::id.eq_any(in_some())))
                .set(services::placed.eq(true))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// What every change to a service must do in its transaction: record the
/// changed fields in the history, and queue the service for the search index.
pub(super) fn changed(
    conn: &mut Conn,
    id: ServiceId,
    action: Action,
    fields: &[(&str, Option<String>, Option<String>)],
    by: Option<UserId>,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    changes::record(conn, RecordKind::Service, &id.to_string(), action, fields, by, reason, now)?;
    search_feed::log_change(conn, id, now)
}

// ---- Reading ----

fn row(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceRow> {
    Ok(services::table.find(id).select(ServiceRow::as_select()).first(conn)?)
}

/// The service's current values, as the form edits them.
pub fn input(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceInput> {
    let row = row(conn, id)?;
    details_of(conn, &row)
}

/// The service as its form edits it, with its venues (confidential ones
/// too), times, contacts, phones and chosen neighbourhoods.
pub fn edit(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceEdit> {
    let details = input(conn, id)?;
    let venues: Vec<(LocationId, String, bool)> = service_at_locations::table
        .inner_join(locations::table)
        .filter(service_at_locations::service_id.eq(id))
        .select((locations::id, locations::name, locations::confidential))
        .order((locations::name, locations::id))
        .load(conn)?;
    // The history never names a confidential venue.
    let venues = venues
        .into_iter()
        .map(|(id, name, confidential)| {
            (id, if confidential { String::from(CONFIDENTIAL_VENUE) } else { name })
        })
        .collect();
    let neighbourhoods: Vec<(NeighbourhoodId, String)> = service_area_neighbourhoods::table
        .inner_join(neighbourhoods::table)
        .filter(service_area_neighbourhoods::service_id.eq(id))
        .select((neighbourhoods::id, neighbourhoods::name))
        .order(neighbourhoods::name)
        .load(conn)?;
    let parts = ServiceParts {
        venues,
        schedules: schedules::of_service(conn, id)?,
        contacts: contacts::of_service(conn, id)?,
        phones: extras_of(conn, &[id])?.remove(&id).map(|e| e.phones).unwrap_or_default(),
        neighbourhoods,
    };
    Ok(ServiceEdit { details, parts })
}

fn details_of(conn: &mut Conn, row: &ServiceRow) -> StoreResult<ServiceInput> {
    let mut lists = Lists::of(conn, &[row.id])?;
    input_of(row, &mut lists)
}

/// A service's needs, languages and delivery, read for several at once.
#[derive(Default)]
struct Lists {
    needs: HashMap<ServiceId, Vec<String>>,
    languages: HashMap<ServiceId, Vec<String>>,
    delivery: HashMap<ServiceId, Vec<String>>,
}

impl Lists {
    fn of(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<Lists> {
        let mut lists = Lists::default();
        let needs: Vec<(ServiceId, String)> = service_needs::table
            .inner_join(needs::table)
            .filter(service_needs::service_id.eq_any(ids))
            .select((service_needs::service_id, needs::slug))
            .order((needs::parent_id, needs::position))
            .load(conn)?;
        let languages: Vec<(ServiceId, String)> = service_languages::table
            .filter(service_languages::service_id.eq_any(ids))
            .select((service_languages::service_id, service_languages::language))
            .order(service_languages::language)
            .load(conn)?;
        let delivery: Vec<(ServiceId, String)> = service_delivery::table
            .filter(service_delivery::service_id.eq_any(ids))
            .select((service_delivery::service_id, service_delivery::mode))
            .load(conn)?;
        for (into, pairs) in
            [(&mut lists.needs, needs), (&mut lists.languages, languages), (&mut lists.delivery, delivery)]
        {
            for (id, value) in pairs {
                into.entry(id).or_default().push(value);
            }
        }
        Ok(lists)
    }
}

fn input_of(row: &ServiceRow, lists: &mut Lists) -> StoreResult<ServiceInput> {
    let needs = lists.needs.remove(&row.id).unwrap_or_default();
    let languages = lists.languages.remove(&row.id).unwrap_or_default();
    let mut delivery = lists
        .delivery
        .remove(&row.id)
        .unwrap_or_default()
        .iter()
        .map(|c| decode(c, DeliveryMode::from_code, "delivery mode"))
        .collect::<StoreResult<Vec<_>>>()?;
    delivery.sort();
    let f = &row.fields;
    Ok(ServiceInput {
        organisation: f.organisation_id,
        name: f.name.clone(),
        description: f.description.clone(),
        status: decode(&f.status, ServiceStatus::from_code, "status")?,
        needs,
        referral_route: decode(&f.referral_route, ReferralRoute::from_code, "referral route")?,
        eligibility: f.eligibility.clone(),
        min_age: f.min_age,
        max_age: f.max_age,
        cost: decode(&f.cost, CostKind::from_code, "cost")?,
        cost_description: f.cost_description.clone(),
        delivery,
        languages,
        area: decode(&f.area, ServiceArea::from_code, "service area")?,
        area_radius_km: f.area_radius_km,
        capacity: f.capacity.as_deref().map(|c| decode(c, Capacity::from_code, "capacity")).transpose()?,
        email: f.email.clone(),
        phone: f.phone.clone(),
        website: f.website.clone(),
    })
}

/// What the store keeps about a service besides what the form sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Kept {
    pub capacity_said_on: Option<NaiveDate>,
    pub last_verified_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// Several services' values, as the form edits them, in the order of `ids`
/// (an id with no service is left out).
pub(super) fn many(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<Vec<(ServiceId, ServiceInput, Kept)>> {
    let rows: Vec<ServiceRow> =
        services::table.filter(services::id.eq_any(ids)).select(ServiceRow::as_select()).load(conn)?;
    let mut lists = Lists::of(conn, ids)?;
    let mut by_id: HashMap<ServiceId, ServiceRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    ids.iter()
        .filter_map(|id| by_id.remove(id))
        .map(|row| {
            let kept = Kept {
                capacity_said_on: row.capacity_said_on,
                last_verified_at: row.last_verified_at,
                updated_at: row.fields.updated_at,
            };
            Ok((row.id, input_of(&row, &mut lists)?, kept))
        })
        .collect()
}

fn need_labels(conn: &mut Conn, service: ServiceId) -> StoreResult<Vec<NeedLabel>> {
    let rows: Vec<(String, String)> = service_needs::table
        .inner_join(needs::table)
        .filter(service_needs::service_id.eq(service))
        .select((needs::slug, needs::label))
        .order((needs::parent_id, needs::position))
        .load(conn)?;
    Ok(rows.into_iter().map(|(slug, label)| NeedLabel { slug, label }).collect())
}

/// Everything the service page shows.
pub fn view(conn: &mut Conn, id: ServiceId) -> StoreResult<ServiceView> {
    let row = row(conn, id)?;
    let details = details_of(conn, &row)?;
    let organisation_name: String =
        organisations::table.find(row.fields.organisation_id).select(organisations::name).first(conn)?;
    let last_verified_by = match row.last_verified_by {
        Some(user) => users::table.find(user).select(users::name).first(conn).optional()?,
        None => None,
    };
    Ok(ServiceView {
        id,
        details,
        organisation_name,
        needs: need_labels(conn, id)?,
        locations: venues::of_service(conn, id)?,
        schedules: schedules::of_service(conn, id)?,
        contacts: contacts::of_service(conn, id)?,
        extras: extras_of(conn, &[id])?.remove(&id).unwrap_or_default(),
        capacity_said_on: row.capacity_said_on,
        last_verified_at: row.last_verified_at,
        last_verified_by,
        updated_at: row.fields.updated_at,
        listed_by: super::neighbours::listed_by(conn, &[id])?.remove(&id),
        archived_at: row.archived_at,
    })
}

/// Who runs the service, and the neighbourhoods its venues are in: what decides
/// who may edit it.
pub fn scope(conn: &mut Conn, id: ServiceId) -> StoreResult<(OrganisationId, Vec<NeighbourhoodId>)> {
    let organisation = services::table.find(id).select(services::organisation_id).first(conn)?;
    let hoods: Vec<Option<NeighbourhoodId>> = service_at_locations::table
        .inner_join(locations::table)
        .filter(service_at_locations::service_id.eq(id))
        .select(locations::neighbourhood_id)
        .distinct()
        .load(conn)?;
    Ok((organisation, hoods.into_iter().flatten().collect()))
}
