//! Signposting records: each contact at the front door, the needs asked, its
//! shortlist, and the follow-ups citizens agreed to. No name, postcode or
//! email address is kept here, except a follow-up's address until it is sent.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{
    follow_ups, needs, neighbourhoods, service_needs, shortlist_items, signpost_contacts, signpost_needs,
};
use super::{Conn, StoreError, StoreResult, decode, outbox, per_backend, services, users::token_hash};
use crate::domain::ids::{NeighbourhoodId, ServiceId, SignpostContactId, UserId};
use crate::domain::schedule;
use crate::domain::signposting::{Channel, Outcome, Returning, ShortlistEntry, SignpostContact};
use crate::domain::views::ResultDetails;

/// A contact as it starts.
#[derive(Clone, Debug)]
pub struct NewSignpostContact {
    pub advisor: UserId,
    pub channel: Channel,
    pub returning: Returning,
    pub escalated: bool,
    pub started_at: NaiveDateTime,
}

/// Starts a contact.
pub fn start(conn: &mut Conn, new: &NewSignpostContact) -> StoreResult<SignpostContactId> {
    let id = SignpostContactId::new();
    diesel::insert_into(signpost_contacts::table)
        .values((
            signpost_contacts::id.eq(id),
            signpost_contacts::advisor_id.eq(new.advisor),
            signpost_contacts::started_at.eq(new.started_at),
            signpost_contacts::channel.eq(new.channel.code()),
            signpost_contacts::been_before.eq(new.returning.code()),
            signpost_contacts::escalated.eq(new.escalated),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A contact's row, as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = signpost_contacts)]
struct ContactRow {
    id: SignpostContactId,
    advisor_id: UserId,
    started_at: NaiveDateTime,
    channel: String,
    been_before: String,
    escalated: bool,
    neighbourhood_id: Option<NeighbourhoodId>,
    finished_at: Option<NaiveDateTime>,
}

fn read_contact(conn: &mut Conn, row: ContactRow) -> StoreResult<SignpostContact> {
    let ContactRow {
        id,
        advisor_id,
        started_at,
        channel,
        been_before,
        escalated,
        neighbourhood_id,
        finished_at,
    } = row;
    let neighbourhood = match neighbourhood_id {
        Some(hood) => {
            let name: String = neighbourhoods::table.find(hood).select(neighbourhoods::name).first(conn)?;
            Some((hood, name))
        }
        None => None,
    };
    let needs = signpost_needs::table
        .inner_join(needs::table)
        .filter(signpost_needs::contact_id.eq(id))
        .select((needs::slug, signpost_needs::unmet))
        .order((needs::position, needs::slug))
        .load(conn)?;
    let follow_up = follow_ups::table.find(id).count().get_result::<i64>(conn)? > 0;
    Ok(SignpostContact {
        id,
        advisor: advisor_id,
        started_at,
        channel: decode(&channel, Channel::from_code, "channel")?,
        returning: decode(&been_before, Returning::from_code, "answer")?,
        escalated,
        neighbourhood,
        finished_at,
        needs,
        follow_up,
    })
}

/// One contact, with its needs.
pub fn find(conn: &mut Conn, id: SignpostContactId) -> StoreResult<SignpostContact> {
    let row = signpost_contacts::table.find(id).select(ContactRow::as_select()).first(conn)?;
    read_contact(conn, row)
}

/// An advisor's latest contacts, newest first.
pub fn recent(conn: &mut Conn, advisor: UserId, limit: i64) -> StoreResult<Vec<SignpostContact>> {
    let rows = signpost_contacts::table
        .filter(signpost_contacts::advisor_id.eq(advisor))
        .order(signpost_contacts::started_at.desc())
        .limit(limit)
        .select(ContactRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|row| read_contact(conn, row)).collect()
}

/// Records what a search in the workspace asked: the neighbourhood the
/// citizen lives in (when known) and the needs, added to those asked before.
pub fn record_search(
    conn: &mut Conn,
    id: SignpostContactId,
    neighbourhood: Option<NeighbourhoodId>,
    need_slugs: &[String],
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        if let Some(hood) = neighbourhood {
            diesel::update(signpost_contacts::table.find(&id))
                .set(signpost_contacts::neighbourhood_id.eq(hood))
                .execute(conn)?;
        }
        let need_ids: Vec<String> =
            needs::table.filter(needs::slug.eq_any(need_slugs)).select(needs::id).load(conn)?;
        for need in need_ids {
            let insert = diesel::insert_into(signpost_needs::table)
                .values((
                    signpost_needs::contact_id.eq(id),
                    signpost_needs::need_id.eq(need),
                    signpost_needs::unmet.eq(true),
                ))
                .on_conflict_do_nothing();
            per_backend!(conn, |c| insert.execute(c))?;
        }
        recount_unmet(conn, id)
    })
}

/// A need is unmet while nothing on the shortlist meets it.
fn recount_unmet(conn: &mut Conn, contact: SignpostContactId) -> StoreResult<()> {
    // Read in two small steps, each by its key: as one statement with
    // subqueries, PostgreSQL's planner scanned every service's needs.
    let shortlisted: Vec<ServiceId> = shortlist_items::table
        .filter(shortlist_items::contact_id.eq(contact))
        .select(shortlist_items::service_id)
        .load(conn)?;
    let met: Vec<String> = service_needs::table
        .filter(service_needs::service_id.eq_any(&shortlisted))
        .select(service_needs::need_id)
        .load(conn)?;
    let asked = || signpost_needs::table.filter(signpost_needs::contact_id.eq(contact));
    diesel::update(asked().filter(signpost_needs::need_id.eq_any(&met)))
        .set(signpost_needs::unmet.eq(false))
        .execute(conn)?;
    diesel::update(asked().filter(signpost_needs::need_id.ne_all(&met)))
        .set(signpost_needs::unmet.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Marks the contact as escalated: the statutory route was shown.
pub fn escalate(conn: &mut Conn, id: SignpostContactId) -> StoreResult<()> {
    diesel::update(signpost_contacts::table.find(id))
        .set(signpost_contacts::escalated.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Ends the contact: its record stays, its shortlist can no longer change.
pub fn finish(conn: &mut Conn, id: SignpostContactId, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(signpost_contacts::table.find(id))
        .filter(signpost_contacts::finished_at.is_null())
        .set(signpost_contacts::finished_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Adds a service to the end of the shortlist; adding it again changes nothing.
pub fn add_to_shortlist(conn: &mut Conn, id: SignpostContactId, service: ServiceId) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let last: Option<i32> = shortlist_items::table
            .filter(shortlist_items::contact_id.eq(id))
            .select(diesel::dsl::max(shortlist_items::position))
            .first(conn)?;
        let insert = diesel::insert_into(shortlist_items::table)
            .values((
                shortlist_items::contact_id.eq(id),
                shortlist_items::service_id.eq(service),
                shortlist_items::position.eq(last.unwrap_or(0) + 1),
            ))
            .on_conflict_do_nothing();
        per_backend!(conn, |c| insert.execute(c))?;
        recount_unmet(conn, id)
    })
}

/// Takes a service off the shortlist.
pub fn remove_from_shortlist(conn: &mut Conn, id: SignpostContactId, service: ServiceId) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::delete(shortlist_items::table.find((id, service))).execute(conn)?;
        recount_unmet(conn, id)
    })
}

/// Moves a service one place up (towards the top) or down the shortlist.
pub fn move_on_shortlist(
    conn: &mut Conn,
    id: SignpostContactId,
    service: ServiceId,
    up: bool,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let mut order: Vec<ServiceId> = shortlist_items::table
            .filter(shortlist_items::contact_id.eq(id))
            .order(shortlist_items::position)
            .select(shortlist_items::service_id)
            .load(conn)?;
        let at = order.iter().position(|&s| s == service).ok_or(StoreError::NotFound)?;
        let to = if up { at.checked_sub(1) } else { Some(at + 1).filter(|&n| n < order.len()) };
        if let Some(to) = to {
            order.swap(at, to);
            for (n, service) in order.iter().enumerate() {
                diesel::update(shortlist_items::table.find((id, service)))
                    .set(shortlist_items::position.eq(n as i32 + 1))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// Sets the advisor's note on one shortlisted service.
pub fn note_on_shortlist(
    conn: &mut Conn,
    id: SignpostContactId,
    service: ServiceId,
    note: &str,
) -> StoreResult<()> {
    let changed = diesel::update(shortlist_items::table.find((id, service)))
        .set(shortlist_items::note.eq(note))
        .execute(conn)?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The services on the shortlist, in order, with what the citizen needs to
/// reach each one (when: the next session after `now`). Services no longer
/// running stay on it, marked.
pub fn shortlist(
    conn: &mut Conn,
    id: SignpostContactId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ShortlistEntry>> {
    let items: Vec<(ServiceId, String)> = shortlist_items::table
        .filter(shortlist_items::contact_id.eq(id))
        .order(shortlist_items::position)
        .select((shortlist_items::service_id, shortlist_items::note))
        .load(conn)?;
    let today = now.date_naive();
    let mut entries = Vec::new();
    for (service, note) in items {
        let view = services::view(conn, service)?;
        let when = schedule::next_session(&view.schedules, now)
            .map(|s| s.describe())
            .or_else(|| schedule::describe(&view.schedules, today).into_iter().next());
        let address = view.locations.iter().map(|l| &l.location).find(|l| l.is_public_venue()).map(|l| {
            [
                Some(l.name.as_str()),
                Some(l.address_1.as_str()),
                l.address_2.as_deref(),
                Some(l.town.as_str()),
                Some(l.postcode.as_str()),
            ]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
        });
        let details = view.details;
        entries.push(ShortlistEntry {
            id: view.id,
            summary: ResultDetails::summary_of(&details.description),
            running: details.status.is_running(),
            organisation: view.organisation_name,
            when,
            address,
            phone: details.phone,
            email: details.email,
            website: details.website,
            note,
            name: details.name,
        });
    }
    Ok(entries)
}

/// Keeps the citizen's address until the follow-up is due and sent.
/// Agreeing again (a second send) keeps the first date.
fn agree_follow_up(
    conn: &mut Conn,
    id: SignpostContactId,
    address: &str,
    due_at: NaiveDateTime,
) -> StoreResult<()> {
    let insert = diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::contact_id.eq(id),
            follow_ups::address.eq(address),
            follow_ups::due_at.eq(due_at),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

/// Puts the shortlist's email in the outbox under the send form's `key` and,
/// when the citizen agreed to a follow-up, keeps their address until
/// `follow_up_due`; one transaction. A key already used adds nothing.
pub fn queue_shortlist(
    conn: &mut Conn,
    key: &str,
    id: SignpostContactId,
    address: &str,
    message: &[u8],
    follow_up_due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> StoreResult<outbox::Queued> {
    super::transaction(conn, |conn| {
        let queued = outbox::queue(conn, key, Some(id), "shortlist", address, message, now)?;
        if let (outbox::Queued::New, Some(due)) = (&queued, follow_up_due) {
            agree_follow_up(conn, id, address, due)?;
        }
        Ok(queued)
    })
}

/// Follow-ups due by `now` and not yet sent: the contact and the address.
pub fn follow_ups_due(
    conn: &mut Conn,
    now: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<(SignpostContactId, String)>> {
    let rows: Vec<(SignpostContactId, Option<String>)> = follow_ups::table
        .filter(follow_ups::sent_at.is_null())
        .filter(follow_ups::due_at.le(now))
        .order(follow_ups::due_at)
        .limit(limit)
        .select((follow_ups::contact_id, follow_ups::address))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(contact, address)| Some((contact, address?))).collect())
}

/// Marks a follow-up not yet sent as sent (its email is in the outbox),
/// answerable with `token`, and deletes the address. False when it was
/// already marked.
pub fn follow_up_sent(
    conn: &mut Conn,
    contact: SignpostContactId,
    token: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let marked = diesel::update(follow_ups::table.find(contact))
        .filter(follow_ups::sent_at.is_null())
        .set((
            follow_ups::address.eq(None::<String>),
            follow_ups::token_hash.eq(token_hash(token)),
            follow_ups::sent_at.eq(now),
        ))
        .execute(conn)?;
    Ok(marked == 1)
}

/// Marks a follow-up sent and puts its email in the outbox, in one
/// transaction: either both happen or neither. Marking it is the claim:
/// when another worker (in this server or another) marked it first, nothing
/// is queued and this returns false.
pub fn queue_follow_up(
    conn: &mut Conn,
    contact: SignpostContactId,
    address: &str,
    token: &str,
    message: &[u8],
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        if !follow_up_sent(conn, contact, token, now)? {
            return Ok(false);
        }
        let key = format!("follow-up-{contact}");
        outbox::queue(conn, &key, Some(contact), "follow_up", address, message, now)?;
        Ok(true)
    })
}

/// The answer given so far to the follow-up `token` names, if it names one.
pub fn follow_up_answer(conn: &mut Conn, token: &str) -> StoreResult<Option<Option<Outcome>>> {
    let found: Option<Option<String>> = follow_ups::table
        .filter(follow_ups::token_hash.eq(token_hash(token)))
        .select(follow_ups::outcome)
        .first(conn)
        .optional()?;
    Ok(found.map(|outcome| outcome.and_then(|o| Outcome::from_code(&o))))
}

/// Records the citizen's answer (a later answer replaces an earlier one).
/// False when the token names no follow-up.
pub fn answer_follow_up(
    conn: &mut Conn,
    token: &str,
    outcome: Outcome,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let changed = diesel::update(follow_ups::table.filter(follow_ups::token_hash.eq(token_hash(token))))
        .set((follow_ups::outcome.eq(outcome.code()), follow_ups::answered_at.eq(now)))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Whether the service exists (running or not): only those can be shortlisted.
pub fn service_exists(conn: &mut Conn, service: ServiceId) -> StoreResult<bool> {
    use super::schema::services;
    Ok(services::table.find(service).count().get_result::<i64>(conn)? > 0)
}

/// A whole contact, already finished: what the demo's history and tests
/// record in one go.
#[derive(Clone, Debug)]
pub struct FinishedContact {
    pub contact: NewSignpostContact,
    pub neighbourhood: Option<NeighbourhoodId>,
    /// Need slugs.
    pub needs: Vec<String>,
    pub shortlisted: Vec<ServiceId>,
    /// A follow-up that was agreed and sent, with its answer if one came.
    pub follow_up: Option<Option<Outcome>>,
}

/// Records a finished contact in one transaction; needs with nothing on the
/// shortlist to meet them are unmet, as they would be in the workspace.
pub fn record_finished(conn: &mut Conn, finished: &FinishedContact) -> StoreResult<SignpostContactId> {
    super::transaction(conn, |conn| {
        let id = start(conn, &finished.contact)?;
        record_search(conn, id, finished.neighbourhood, &finished.needs)?;
        for service in &finished.shortlisted {
            add_to_shortlist(conn, id, *service)?;
        }
        let ended = finished.contact.started_at + chrono::Duration::minutes(10);
        finish(conn, id, ended)?;
        if let Some(outcome) = finished.follow_up {
            diesel::insert_into(follow_ups::table)
                .values((
                    follow_ups::contact_id.eq(id),
                    follow_ups::due_at.eq(ended),
                    follow_ups::sent_at.eq(ended),
                    follow_ups::outcome.eq(outcome.map(Outcome::code)),
                    follow_ups::answered_at.eq(outcome.map(|_| ended)),
                ))
                .execute(conn)?;
        }
        Ok(id)
    })
}
