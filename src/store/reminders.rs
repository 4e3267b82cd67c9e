//! Reminders sent to organisations whose listings fell due, how each listing
//! was answered, and the weekly summaries of connectors' queues.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{organisations, queue_summaries, reminder_services, reminders, services};
use super::users::token_hash;
use super::{Conn, StoreResult, decode, outbox, per_backend, proposals, services as service_store};
use crate::domain::directory::Capacity;
use crate::domain::ids::{OrganisationId, ProposalId, ServiceId, UserId};
use crate::domain::proposals::{NewProposal, ProposalKind};
use crate::domain::reminders::{ReminderAnswer, ReminderItem, ReminderView};
use crate::domain::schedule;

/// An organisation with listings due, and where to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub organisation: OrganisationId,
    pub name: String,
    pub email: String,
    pub services: Vec<(ServiceId, String)>,
}

/// The organisations with an email whose listings were not checked since
/// `due`, and that have had no reminder since `quiet_since`; at most `limit`.
pub fn due(
    conn: &mut Conn,
    due: NaiveDateTime,
    quiet_since: NaiveDateTime,
    limit: usize,
) -> StoreResult<Vec<Due>> {
    let reminded: Vec<OrganisationId> = reminders::table
        .filter(reminders::sent_at.ge(quiet_since))
        .select(reminders::organisation_id)
        .load(conn)?;
    let rows: Vec<(OrganisationId, String, Option<String>, ServiceId, String)> = services::table
        .inner_join(organisations::table)
        .filter(services::status.ne("defunct"))
        .filter(services::archived_at.is_null())
        .filter(services::listed_by.is_null())
        .filter(services::last_verified_at.is_null().or(services::last_verified_at.lt(due)))
        .filter(organisations::archived_at.is_null())
        .filter(organisations::email.is_not_null())
        .select((organisations::id, organisations::name, organisations::email, services::id, services::name))
        .order((organisations::id, services::name))
        .load(conn)?;
    let mut found: Vec<Due> = Vec::new();
    for (organisation, name, email, service, service_name) in rows {
        if reminded.contains(&organisation) {
            continue;
        }
        if let Some(last) = found.last_mut().filter(|last| last.organisation == organisation) {
            last.services.push((service, service_name));
        } else if found.len() == limit {
            break;
        } else {
            let email = email.unwrap_or_default();
            found.push(Due { organisation, name, email, services: vec![(service, service_name)] });
        }
    }
    Ok(found)
}

/// Sends a reminder: its message in the outbox under `key`, and the
/// reminder with its listings, in one transaction. `false` when the key was
/// queued before (another server sent it), and then nothing is kept.
pub fn send(
    conn: &mut Conn,
    due: &Due,
    token: &str,
    key: &str,
    message: &[u8],
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        if outbox::queue(conn, key, None, "reminder", &due.email, message, now)? != outbox::Queued::New {
            return Ok(false);
        }
        let hash = token_hash(token);
        diesel::insert_into(reminders::table)
            .values((
                reminders::token_hash.eq(&hash),
                reminders::organisation_id.eq(due.organisation),
                reminders::sent_at.eq(now),
                reminders::expires_at.eq(expires),
            ))
            .execute(conn)?;
        for (service, _) in &due.services {
            diesel::insert_into(reminder_services::table)
                .values((reminder_services::token_hash.eq(&hash), reminder_services::service_id.eq(service)))
                .execute(conn)?;
        }
        Ok(true)
    })
}

/// What a reminder's link finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Open(ReminderView),
    Expired,
    Unknown,
}

/// The reminder `token` names, with its listings and how each was answered.
pub fn page(
    conn: &mut Conn,
    token: &str,
    now: NaiveDateTime,
    today: chrono::NaiveDate,
) -> StoreResult<Found> {
    let hash = token_hash(token);
    let found: Option<(String, NaiveDateTime)> = reminders::table
        .inner_join(organisations::table.on(organisations::id.eq(reminders::organisation_id)))
        .filter(reminders::token_hash.eq(&hash))
        .select((organisations::name, reminders::expires_at))
        .first(conn)
        .optional()?;
    let Some((organisation, expires_at)) = found else { return Ok(Found::Unknown) };
    if expires_at <= now {
        return Ok(Found::Expired);
    }
    type Asked = (ServiceId, String, Option<String>, Option<String>, Option<NaiveDateTime>);
    let rows: Vec<Asked> = reminder_services::table
        .inner_join(services::table)
        .filter(reminder_services::token_hash.eq(&hash))
        .select((
            services::id,
            services::name,
            services::capacity,
            reminder_services::answer,
            reminder_services::answered_at,
        ))
        .order(services::name)
        .load(conn)?;
    let ids: Vec<ServiceId> = rows.iter().map(|r| r.0).collect();
    let mut times: HashMap<ServiceId, Vec<schedule::Schedule>> = HashMap::new();
    for (service, stored) in super::schedules::of_services(conn, &ids)? {
        times.entry(service).or_default().push(stored.schedule);
    }
    let services = rows
        .into_iter()
        .map(|(id, name, capacity, answer, at)| {
            Ok(ReminderItem {
                id,
                name,
                when: schedule::describe(times.get(&id).map_or(&[][..], Vec::as_slice), today),
                capacity: capacity
                    .as_deref()
                    .map(|c| decode(c, Capacity::from_code, "capacity"))
                    .transpose()?,
                answered: match (answer, at) {
                    (Some(answer), Some(at)) => {
                        Some((decode(&answer, ReminderAnswer::from_code, "answer")?, at))
                    }
                    _ => None,
                },
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Found::Open(ReminderView { organisation, expires_at, services }))
}

/// What answering a reminder's listing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    Done,
    /// Answered before, then.
    Already(ReminderAnswer, NaiveDateTime),
    /// The reminder does not ask about that listing (or has expired, or is unknown).
    NotAsked,
}

/// Answers one listing of a reminder, once, and does what the answer says
/// in the same transaction: checked today, its capacity set, or the change
/// described put in the approval queue.
pub fn answer(
    conn: &mut Conn,
    token: &str,
    service: ServiceId,
    answer: ReminderAnswer,
    change: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<Answered> {
    super::transaction(conn, |conn| {
        let hash = token_hash(token);
        let asked: Option<(Option<String>, Option<NaiveDateTime>)> = reminder_services::table
            .inner_join(reminders::table)
            .filter(reminder_services::token_hash.eq(&hash))
            .filter(reminder_services::service_id.eq(service))
            .filter(reminders::expires_at.gt(now))
            .select((reminder_services::answer, reminder_services::answered_at))
            .first(conn)
            .optional()?;
        match asked {
            None => return Ok(Answered::NotAsked),
            Some((Some(before), Some(at))) => {
                return Ok(Answered::Already(decode(&before, ReminderAnswer::from_code, "answer")?, at));
            }
            Some(_) => {}
        }
        let claimed = diesel::update(
            reminder_services::table
                .filter(reminder_services::token_hash.eq(&hash))
                .filter(reminder_services::service_id.eq(service))
                .filter(reminder_services::answered_at.is_null()),
        )
        .set((reminder_services::answer.eq(answer.code()), reminder_services::answered_at.eq(now)))
        .execute(conn)?;
        if claimed != 1 {
            return Ok(Answered::NotAsked);
        }
        let said = "Said by the organisation, answering a reminder";
        match (answer, answer.capacity()) {
            (_, Some(capacity)) => service_store::set_capacity(conn, service, capacity, said, now)?,
            (ReminderAnswer::Change, _) => {
                let new = NewProposal {
                    id: ProposalId::new(),
                    kind: ProposalKind::Suggestion,
                    record_id: Some(service.to_string()),
                    form: None,
                    message: change.map(str::to_string),
                    by: None,
                    email: None,
                    sender: None,
                    at: now,
                };
                proposals::insert(conn, &new)?;
            }
            _ => service_store::verify_as(conn, service, None, Some(said), now)?,
        }
        Ok(Answered::Done)
    })
}

/// Whether a connector's weekly summary is due (none since `since`), and
/// records it sent now when it is: `true` for the caller to send it.
pub fn summary_due(
    conn: &mut Conn,
    user: UserId,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        let last: Option<NaiveDateTime> =
            queue_summaries::table.find(user).select(queue_summaries::sent_at).first(conn).optional()?;
        if last.is_some_and(|at| at >= since) {
            return Ok(false);
        }
        per_backend!(conn, |c| diesel::insert_into(queue_summaries::table)
            .values((queue_summaries::user_id.eq(user), queue_summaries::sent_at.eq(now)))
            .on_conflict(queue_summaries::user_id)
            .do_update()
            .set(queue_summaries::sent_at.eq(now))
            .execute(c))?;
        Ok(true)
    })
}
