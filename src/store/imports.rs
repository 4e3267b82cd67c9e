//! Writing an import: what is stored of the records a batch names, to
//! compare with, and the plan written in one transaction (all of it or
//! none), each change in the history with the import named as its reason,
//! each changed service in the log the search index follows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::changes::{self, Action, RecordKind};
use super::schema::{contacts as contact_rows, locations as venue_rows, schedules as schedule_rows};
use super::schema::{merged_records, service_at_locations, services as service_rows};
use super::services::{ServiceChanges, changed, need_ids, replace_lists, write_extras};
use super::{Conn, StoreResult, contacts, locations, organisations, per_backend, schedules, services};
use crate::domain::ids::{
    LocationId, NeedId, NeighbourFeedId, OrganisationId, ServiceAtLocationId, ServiceId,
};
use crate::domain::imports::plan::{Known, Stored};
use crate::domain::imports::{Batch, Duplicate, IncomingService, Plan, Write};
use crate::domain::service_form::changed_fields;

/// Reads what is stored of the records `batch` names, and of the
/// organisations its services name.
pub fn stored(conn: &mut Conn, batch: &Batch) -> StoreResult<Stored> {
    let mut organisation_ids: Vec<OrganisationId> = batch.organisations.iter().map(|o| o.id).collect();
    organisation_ids.extend(batch.services.iter().map(|s| s.service.details.organisation));
    let location_ids: Vec<LocationId> = batch.locations.iter().map(|l| l.location.id).collect();
    let service_ids: Vec<ServiceId> = batch.services.iter().map(|s| s.service.id).collect();
    let mut found = Stored::default();
    // A few thousand at a time: a query may only carry so many values.
    for ids in organisation_ids.chunks(5_000) {
        found.organisations.extend(organisations::many(conn, ids)?.into_iter().map(|o| (o.id, o)));
    }
    for ids in location_ids.chunks(5_000) {
        found.locations.extend(locations::many(conn, ids)?.into_iter().map(|l| (l.id, l)));
    }
    for ids in service_ids.chunks(5_000) {
        found.services.extend(services::listings(conn, ids)?.into_iter().map(|s| (s.id, s)));
    }
    // No source knows of a confidential venue: it is left out of the
    // comparison, and an import keeps it (see `change_service`).
    let confidential: HashSet<LocationId> = venue_rows::table
        .filter(venue_rows::confidential.eq(true))
        .select(venue_rows::id)
        .load::<LocationId>(conn)?
        .into_iter()
        .collect();
    for service in found.services.values_mut() {
        service.locations.retain(|l| !confidential.contains(l));
    }
    Ok(found)
}

/// How a plan is written.
#[derive(Clone, Copy, Debug)]
pub struct Writing<'a> {
    /// The import, as the change history names it.
    pub reason: &'a str,
    /// Reported duplicates it was asked to merge: later imports write them into the same records.
    pub merged: &'a [Duplicate],
    /// For another area's feed: the feed, and every service it holds now.
    /// Its services are marked as listed by it, and those it no longer
    /// holds are withdrawn here.
    pub feed: Option<(NeighbourFeedId, &'a [ServiceId])>,
}

/// Writes the plan in one transaction.
pub fn write(conn: &mut Conn, plan: &Plan, how: Writing, now: NaiveDateTime) -> StoreResult<()> {
    let reason = how.reason;
    super::transaction(conn, |conn| {
        let needs = need_ids(conn)?;
        for write in &plan.organisations {
            let (org, action, fields) = parts(write);
            match write {
                Write::Add(_) => organisations::insert(conn, org, now)?,
                Write::Change(..) => organisations::update(conn, org, now)?,
            }
            record(conn, RecordKind::Organisation, &org.id.to_string(), action, fields, reason, now)?;
        }
        for write in &plan.locations {
            let (venue, action, fields) = parts(write);
            match write {
                Write::Add(_) => locations::insert(conn, venue, now)?,
                Write::Change(..) => {
                    locations::update(conn, venue, now)?;
                    let meeting_there: Vec<ServiceId> = service_at_locations::table
                        .filter(service_at_locations::location_id.eq(venue.id))
                        .select(service_at_locations::service_id)
                        .load(conn)?;
                    for service in meeting_there {
                        super::search_feed::log_change(conn, service, now)?;
                    }
                }
            }
            record(conn, RecordKind::Location, &venue.id.to_string(), action, fields, reason, now)?;
        }
        for write in &plan.services {
            match write {
                Write::Add(incoming) => add_service(conn, incoming, &needs, reason, now)?,
                Write::Change(incoming, _) => change_service(conn, incoming, &needs, reason, now)?,
            }
        }
        for merged in how.merged {
            remember_merge(
                conn,
                &merged.incoming.to_string(),
                &merged.existing.to_string(),
                &merged.kind,
                now,
            )?;
        }
        if let Some((feed, holds)) = how.feed {
            listed_by(conn, feed, holds, reason, now)?;
        }
        Ok(())
    })
}

/// Remembers that record `from` (of `kind`) was merged into `into`: an
/// import naming it again writes `into`, and its page leads there.
pub(super) fn remember_merge(
    conn: &mut Conn,
    from: &str,
    into: &str,
    kind: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let row = (
        merged_records::source_id.eq(from),
        merged_records::into_id.eq(into),
        merged_records::kind.eq(kind),
        merged_records::merged_at.eq(now),
    );
    per_backend!(conn, |c| diesel::insert_into(merged_records::table)
        .values(row)
        .on_conflict(merged_records::source_id)
        .do_update()
        .set(row)
        .execute(c))?;
    Ok(())
}

/// Every record merged into another, by the id it came with.
pub fn merged_records(conn: &mut Conn) -> StoreResult<HashMap<Uuid, Uuid>> {
    let rows: Vec<(String, String)> =
        merged_records::table.select((merged_records::source_id, merged_records::into_id)).load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(from, into)| Some((Uuid::try_parse(&from).ok()?, Uuid::try_parse(&into).ok()?)))
        .collect())
}

/// Marks the services `feed` holds as listed by it, and withdraws the ones
/// it listed before and holds no longer (they may come back).
fn listed_by(
    conn: &mut Conn,
    feed: NeighbourFeedId,
    holds: &[ServiceId],
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    for ids in holds.chunks(5_000) {
        diesel::update(service_rows::table.filter(service_rows::id.eq_any(ids)))
            .set(service_rows::listed_by.eq(Some(feed)))
            .execute(conn)?;
    }
    let holds: HashSet<&ServiceId> = holds.iter().collect();
    let listed: Vec<ServiceId> = service_rows::table
        .filter(service_rows::listed_by.eq(Some(feed)))
        .filter(service_rows::status.eq("active"))
        .select(service_rows::id)
        .load(conn)?;
    for gone in listed.into_iter().filter(|id| !holds.contains(id)) {
        diesel::update(service_rows::table.find(gone))
            .set((service_rows::status.eq("inactive"), service_rows::updated_at.eq(now)))
            .execute(conn)?;
        let said = [("status", Some(String::from("active")), Some(String::from("no longer in the feed")))];
        changed(conn, gone, Action::Update, &said, None, Some(reason), now)?;
    }
    Ok(())
}

/// A write's record, and how the history says it: made, or changed in the fields named.
fn parts<T>(write: &Write<T>) -> (&T, Action, &[String]) {
    match write {
        Write::Add(record) => (record, Action::Create, &[]),
        Write::Change(record, fields) => (record, Action::Update, fields),
    }
}

/// A change to an organisation or venue in the history: the fields named, or
/// for a new record its being made.
fn record(
    conn: &mut Conn,
    kind: RecordKind,
    id: &str,
    action: Action,
    fields: &[String],
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let said: Vec<(&str, Option<String>, Option<String>)> = if fields.is_empty() {
        vec![("record", None, Some(String::from("imported")))]
    } else {
        fields.iter().map(|f| (f.as_str(), None, Some(String::from("imported")))).collect()
    };
    changes::record(conn, kind, id, action, &said, None, Some(reason), now)
}

fn add_service(
    conn: &mut Conn,
    incoming: &IncomingService,
    needs: &HashMap<String, NeedId>,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let service = &incoming.service;
    services::insert(conn, service, needs, now)?;
    let updated_at = incoming.updated_at.unwrap_or(now);
    diesel::update(service_rows::table.find(service.id))
        .set(service_rows::updated_at.eq(updated_at))
        .execute(conn)?;
    // One line in the history says where it came from: the import's source holds the rest.
    let created = [("record", None, Some(format!("imported: {}", service.details.name)))];
    changed(conn, service.id, Action::Create, &created, None, Some(reason), now)
}

/// Changes a service to what came in. Its links to confidential venues stay:
/// no source knows of them.
fn change_service(
    conn: &mut Conn,
    incoming: &IncomingService,
    needs: &HashMap<String, NeedId>,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let service = &incoming.service;
    let id = service.id;
    let before = services::input(conn, id)?;
    // The source's own time, but never before the last change here: what
    // has changed must look newer to a client that asks what has.
    let stored: NaiveDateTime = service_rows::table.find(id).select(service_rows::updated_at).first(conn)?;
    let updated_at = incoming.updated_at.unwrap_or(now).max(stored + chrono::Duration::seconds(1));
    diesel::update(service_rows::table.find(id))
        .set((
            ServiceChanges::from_input(&service.details, updated_at),
            service_rows::last_verified_at.eq(service.last_verified_at),
            service_rows::capacity_said_on.eq(service.capacity_said_on),
        ))
        .execute(conn)?;
    replace_lists(conn, id, &service.details, needs)?;
    let confidential: HashSet<LocationId> = service_at_locations::table
        .inner_join(venue_rows::table)
        .filter(service_at_locations::service_id.eq(id))
        .filter(venue_rows::confidential.eq(true))
        .select(venue_rows::id)
        .load::<LocationId>(conn)?
        .into_iter()
        .collect();
    diesel::delete(
        service_at_locations::table.filter(service_at_locations::service_id.eq(id)).filter(
            service_at_locations::location_id.ne_all(confidential.iter().copied().collect::<Vec<_>>()),
        ),
    )
    .execute(conn)?;
    for &location in service.locations.iter().filter(|l| !confidential.contains(l)) {
        diesel::insert_into(service_at_locations::table)
            .values((
                service_at_locations::id.eq(ServiceAtLocationId::of(id, location)),
                service_at_locations::service_id.eq(id),
                service_at_locations::location_id.eq(location),
            ))
            .execute(conn)?;
    }
    services::refresh_placed(conn, Some(&[id]))?;
    diesel::delete(schedule_rows::table.filter(schedule_rows::service_id.eq(id))).execute(conn)?;
    schedules::insert(conn, id, &service.schedules)?;
    diesel::delete(contact_rows::table.filter(contact_rows::service_id.eq(id))).execute(conn)?;
    contacts::insert(conn, id, &service.contacts)?;
    write_extras(conn, id, &service.extras)?;
    let mut fields = changed_fields(&before.history_fields(), &service.details.history_fields());
    if fields.is_empty() {
        // Only what the form does not hold changed (venues, schedules…).
        fields.push(("listing", None, Some(String::from("imported"))));
    }
    changed(conn, id, Action::Update, &fields, None, Some(reason), now)
}

/// Organisations here with a charity or company number.
pub fn known_organisations(conn: &mut Conn) -> StoreResult<HashMap<OrganisationId, Known>> {
    use super::schema::organisations as o;
    let rows: Vec<(OrganisationId, String, Option<String>, Option<String>)> = o::table
        .filter(o::charity_number.is_not_null().or(o::company_number.is_not_null()))
        .select((o::id, o::name, o::charity_number, o::company_number))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, charity, company)| {
            (id, Known { name, numbers: charity.into_iter().chain(company).collect(), places: vec![] })
        })
        .collect())
}

/// Services here with where they meet (public venues only).
pub fn known_services(conn: &mut Conn) -> StoreResult<HashMap<ServiceId, Known>> {
    use super::schema::{locations as l, service_at_locations as at, services as s};
    let rows: Vec<(ServiceId, String, f64, f64)> = s::table
        .inner_join(at::table.inner_join(l::table))
        .filter(l::confidential.eq(false))
        .select((s::id, s::name, l::latitude, l::longitude))
        .load(conn)?;
    let mut known: HashMap<ServiceId, Known> = HashMap::new();
    for (id, name, latitude, longitude) in rows {
        known
            .entry(id)
            .or_insert_with(|| Known { name, numbers: vec![], places: vec![] })
            .places
            .push((latitude, longitude));
    }
    Ok(known)
}
