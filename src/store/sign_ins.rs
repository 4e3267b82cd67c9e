//! Failed sign-ins, kept where every server sees them: runs of failures by
//! what they are counted by (`domain::throttle::Counted`), stored under a
//! SHA-256 of it so that no email or network address is kept. What the runs
//! lead to is `domain::throttle`'s rule.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::sign_in_failures;
use super::users::token_hash;
use super::{Conn, StoreResult, per_backend};
use crate::domain::throttle::{Counted, Failed, Limits, Run};

/// `None` when a sign-in at `account` from `address` may go ahead as of
/// `now`; otherwise how long it must wait.
pub fn check(
    conn: &mut Conn,
    limits: &Limits,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> StoreResult<Option<Duration>> {
    let pair = run(conn, &Counted::Pair { account, address })?;
    let from = run(conn, &Counted::Address(address))?;
    Ok(limits.wait(pair, from, now))
}

/// Counts a failed sign-in at `account` from `address`, in one transaction;
/// says whether the account's owner is to be told, which happens once a run
/// (however many servers see the failures at once).
pub fn failed(
    conn: &mut Conn,
    limits: &Limits,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> StoreResult<Failed> {
    let quiet_since = now - chrono::Duration::from_std(limits.window).unwrap_or(chrono::Duration::MAX);
    let keys: Vec<String> =
        [Counted::Pair { account, address }, Counted::Address(address), Counted::Account(account)]
            .iter()
            .map(|counted| token_hash(&counted.key()))
            .collect();
    super::transaction(conn, |conn| {
        // A run ends after a quiet window: these keys' old runs go first
        // (the rest are the background job's, `forget_quiet`).
        diesel::delete(
            sign_in_failures::table
                .filter(sign_in_failures::key_hash.eq_any(&keys))
                .filter(sign_in_failures::last_failed_at.lt(quiet_since)),
        )
        .execute(conn)?;
        count(conn, &Counted::Pair { account, address }, now)?;
        count(conn, &Counted::Address(address), now)?;
        let account_key = token_hash(&Counted::Account(account).key());
        let account_failures = count(conn, &Counted::Account(account), now)?;
        let report_to_owner = limits.reports(account_failures)
            && diesel::update(sign_in_failures::table.find(&account_key))
                .filter(sign_in_failures::reported.eq(false))
                .set(sign_in_failures::reported.eq(true))
                .execute(conn)?
                == 1;
        Ok(Failed { report_to_owner, account_failures })
    })
}

/// Deletes every run that ended before `quiet_since`: a background job's
/// work, so that a burst of failures never waits on it. Returns how many.
pub fn forget_quiet(conn: &mut Conn, quiet_since: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::delete(sign_in_failures::table.filter(sign_in_failures::last_failed_at.lt(quiet_since)))
        .execute(conn)?)
}

/// Forgets the failures of `account` from `address`, once it signs in.
pub fn succeeded(conn: &mut Conn, account: &str, address: &str) -> StoreResult<()> {
    let key = token_hash(&Counted::Pair { account, address }.key());
    diesel::delete(sign_in_failures::table.find(key)).execute(conn)?;
    Ok(())
}

/// The run of failures of `counted`, if there is one.
fn run(conn: &mut Conn, counted: &Counted<'_>) -> StoreResult<Option<Run>> {
    let found: Option<(i32, NaiveDateTime)> = sign_in_failures::table
        .find(token_hash(&counted.key()))
        .select((sign_in_failures::failures, sign_in_failures::last_failed_at))
        .first(conn)
        .optional()?;
    Ok(found.map(|(count, last)| Run { count: u32::try_from(count).unwrap_or(0), last }))
}

/// Adds a failure to the run of `counted`, starting one if need be, in one
/// statement (so that failures counted at once by two servers both count).
/// Returns the run's length.
fn count(conn: &mut Conn, counted: &Counted<'_>, now: NaiveDateTime) -> StoreResult<u32> {
    let key = token_hash(&counted.key());
    let upsert = diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::key_hash.eq(&key),
            sign_in_failures::failures.eq(1),
            sign_in_failures::last_failed_at.eq(now),
            sign_in_failures::reported.eq(false),
        ))
        .on_conflict(sign_in_failures::key_hash)
        .do_update()
        .set((
            sign_in_failures::failures.eq(sign_in_failures::failures + 1),
            sign_in_failures::last_failed_at.eq(excluded(sign_in_failures::last_failed_at)),
        ));
    per_backend!(conn, |c| upsert.execute(c))?;
    let failures: i32 = sign_in_failures::table.find(&key).select(sign_in_failures::failures).first(conn)?;
    Ok(u32::try_from(failures).unwrap_or(0))
}
