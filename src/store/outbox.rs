//! The outbox: every email is written here before it is delivered, so that
//! nothing is lost when the mail server is down. Each message is named by
//! the key its form carried (a second submit of the same form finds it), is
//! claimed before each try (so two workers, in one server or several, never
//! deliver it twice), and is emptied of its recipient and content once the
//! mail server has taken it, or once it is given up.
//!
//! A claim is a time in the row: `next_attempt_at` moved on by `CLAIM`, so
//! a worker that dies mid-try lets go of its claim when that runs out.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::outbox;
use super::{Conn, StoreResult};
use crate::domain::ids::SignpostContactId;
use crate::domain::signposting::SentMail;

/// How long a claimed message is left alone by other workers: longer than
/// the few tries a worker claims at once can take with a slow mail server.
const CLAIM: Duration = Duration::minutes(10);

/// A message waiting to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: String,
    pub recipient: String,
    pub message: Vec<u8>,
    /// Tries so far, this one included.
    pub attempts: i32,
    pub queued_at: NaiveDateTime,
}

/// What became of a message put in the outbox. Anything but `New` means the
/// same key was queued before and nothing was added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Queued {
    /// New: deliver it.
    New,
    AlreadyDelivered,
    AlreadyWaiting,
    /// Given up before, for the reason given.
    AlreadyGivenUp(String),
}

/// Puts a message in the outbox under `key`, due now.
pub fn queue(
    conn: &mut Conn,
    key: &str,
    contact: Option<SignpostContactId>,
    kind: &str,
    recipient: &str,
    message: &[u8],
    now: NaiveDateTime,
) -> StoreResult<Queued> {
    let existing: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>, Option<String>)> = outbox::table
        .find(key)
        .select((outbox::delivered_at, outbox::gave_up_at, outbox::last_error))
        .first(conn)
        .optional()?;
    match existing {
        Some((Some(_), _, _)) => return Ok(Queued::AlreadyDelivered),
        Some((None, Some(_), why)) => return Ok(Queued::AlreadyGivenUp(why.unwrap_or_default())),
        Some((None, None, _)) => return Ok(Queued::AlreadyWaiting),
        None => {}
    }
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(key),
            outbox::contact_id.eq(contact),
            outbox::kind.eq(kind),
            outbox::recipient.eq(recipient),
            outbox::message.eq(message),
            outbox::queued_at.eq(now),
            outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Queued::New)
}

/// Claims one message for a try, if it is waiting and due: no other worker
/// will try it until the claim runs out or the try is recorded.
pub fn claim(conn: &mut Conn, key: &str, now: NaiveDateTime) -> StoreResult<Option<OutboxMail>> {
    Ok(claim_keys(conn, &[key.to_string()], now)?.pop())
}

/// Claims up to `limit` messages due for a try by `now`, oldest first. On
/// PostgreSQL, rows another server is claiming at this moment are skipped
/// (`FOR UPDATE SKIP LOCKED`), so servers share the work without waiting
/// on each other; SQLite has one writer at a time, and the claim's
/// conditions are checked again as it is written either way.
pub fn claim_due(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> StoreResult<Vec<OutboxMail>> {
    super::transaction(conn, |conn| {
        let waiting = outbox::table
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::gave_up_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .order(outbox::queued_at)
            .limit(limit)
            .select(outbox::id);
        let keys: Vec<String> = match conn {
            Conn::Postgres(pg) => waiting.for_update().skip_locked().load(pg)?,
            Conn::Sqlite(sqlite) => waiting.load(sqlite)?,
        };
        claim_keys(conn, &keys, now)
    })
}

/// Claims those of `keys` still waiting and due, in one transaction.
fn claim_keys(conn: &mut Conn, keys: &[String], now: NaiveDateTime) -> StoreResult<Vec<OutboxMail>> {
    super::transaction(conn, |conn| {
        let mut claimed = Vec::new();
        for key in keys {
            let taken = diesel::update(outbox::table.find(key))
                .filter(outbox::delivered_at.is_null())
                .filter(outbox::gave_up_at.is_null())
                .filter(outbox::next_attempt_at.le(now))
                .set((outbox::next_attempt_at.eq(now + CLAIM), outbox::attempts.eq(outbox::attempts + 1)))
                .execute(conn)?;
            if taken == 0 {
                continue;
            }
            let (id, recipient, message, attempts, queued_at) = outbox::table
                .find(key)
                .select((outbox::id, outbox::recipient, outbox::message, outbox::attempts, outbox::queued_at))
                .first(conn)?;
            claimed.push(OutboxMail { id, recipient, message, attempts, queued_at });
        }
        Ok(claimed)
    })
}

/// How many messages wait to go (due now or later).
pub fn waiting(conn: &mut Conn) -> StoreResult<i64> {
    Ok(outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::gave_up_at.is_null())
        .count()
        .get_result(conn)?)
}

/// The mail server took the message: forget who it was for and what it said.
pub fn delivered(conn: &mut Conn, key: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(outbox::table.find(key))
        .set((
            outbox::delivered_at.eq(now),
            outbox::recipient.eq(""),
            outbox::message.eq(Vec::<u8>::new()),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// No more tries: say why, and forget who it was for and what it said.
pub fn give_up(conn: &mut Conn, key: &str, error: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(outbox::table.find(key))
        .set((
            outbox::gave_up_at.eq(now),
            outbox::last_error.eq(error),
            outbox::recipient.eq(""),
            outbox::message.eq(Vec::<u8>::new()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The try failed: keep the message, say why, and try again at `next`.
pub fn failed(conn: &mut Conn, key: &str, error: &str, next: NaiveDateTime) -> StoreResult<()> {
    diesel::update(outbox::table.find(key))
        .set((outbox::last_error.eq(error), outbox::next_attempt_at.eq(next)))
        .execute(conn)?;
    Ok(())
}

/// The emails sent for a contact, oldest first.
pub fn sent_for(conn: &mut Conn, contact: SignpostContactId) -> StoreResult<Vec<SentMail>> {
    type Row = (String, NaiveDateTime, Option<NaiveDateTime>, i32, Option<String>, Option<NaiveDateTime>);
    let rows: Vec<Row> = outbox::table
        .filter(outbox::contact_id.eq(contact))
        .order(outbox::queued_at)
        .select((
            outbox::kind,
            outbox::queued_at,
            outbox::delivered_at,
            outbox::attempts,
            outbox::last_error,
            outbox::gave_up_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, queued_at, delivered_at, attempts, last_error, gave_up_at)| SentMail {
            kind,
            queued_at,
            delivered_at,
            attempts,
            last_error,
            gave_up_at,
        })
        .collect())
}
