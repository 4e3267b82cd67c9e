//! Proposals waiting for approval, and how each was decided. A proposal is
//! decided once: deciding claims it in the same transaction as the change it
//! applies, so two connectors accepting at once change the listing once.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{locations, organisations, proposals, services, users};
use super::{Conn, StoreResult, decode};
use crate::domain::ids::{ProposalId, UserId};
use crate::domain::proposals::{NewProposal, Proposal, ProposalKind, ProposalState};

#[derive(Queryable, Selectable)]
#[diesel(table_name = proposals)]
struct ProposalRow {
    id: ProposalId,
    kind: String,
    record_id: Option<String>,
    form: Option<String>,
    message: Option<String>,
    proposed_by: Option<UserId>,
    email: Option<String>,
    proposed_at: NaiveDateTime,
    state: String,
    decided_by: Option<UserId>,
    decided_at: Option<NaiveDateTime>,
    outcome: Option<String>,
}

/// Keeps a new proposal, waiting.
pub fn insert(conn: &mut Conn, new: &NewProposal) -> StoreResult<()> {
    diesel::insert_into(proposals::table)
        .values((
            proposals::id.eq(new.id),
            proposals::kind.eq(new.kind.code()),
            proposals::record_id.eq(&new.record_id),
            proposals::form.eq(&new.form),
            proposals::message.eq(&new.message),
            proposals::proposed_by.eq(new.by),
            proposals::email.eq(&new.email),
            proposals::sender_hash.eq(&new.sender),
            proposals::proposed_at.eq(new.at),
            proposals::state.eq(ProposalState::Waiting.code()),
        ))
        .execute(conn)?;
    Ok(())
}

/// One proposal.
pub fn one(conn: &mut Conn, id: ProposalId) -> StoreResult<Proposal> {
    let row: ProposalRow = proposals::table.find(id).select(ProposalRow::as_select()).first(conn)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// Every proposal waiting, oldest first.
pub fn waiting(conn: &mut Conn) -> StoreResult<Vec<Proposal>> {
    let rows = proposals::table
        .filter(proposals::state.eq(ProposalState::Waiting.code()))
        .order((proposals::proposed_at, proposals::id))
        .select(ProposalRow::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// The last `limit` proposals decided, newest first.
pub fn decided(conn: &mut Conn, limit: i64) -> StoreResult<Vec<Proposal>> {
    let rows = proposals::table
        .filter(proposals::state.ne(ProposalState::Waiting.code()))
        .order(proposals::decided_at.desc())
        .limit(limit)
        .select(ProposalRow::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// What one person proposed, newest first.
pub fn by_person(conn: &mut Conn, user: UserId, limit: i64) -> StoreResult<Vec<Proposal>> {
    let rows = proposals::table
        .filter(proposals::proposed_by.eq(user))
        .order(proposals::proposed_at.desc())
        .limit(limit)
        .select(ProposalRow::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// Accepts a waiting proposal and applies it (`apply`, which returns the
/// id of a record it made), in one transaction. `false` when it was
/// already decided, and then nothing is applied.
pub fn accept(
    conn: &mut Conn,
    id: ProposalId,
    by: UserId,
    outcome: Option<&str>,
    now: NaiveDateTime,
    apply: impl Fn(&mut Conn) -> StoreResult<Option<String>>,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        if !claim(conn, id, ProposalState::Accepted, by, outcome, now)? {
            return Ok(false);
        }
        if let Some(made) = apply(conn)? {
            diesel::update(proposals::table.find(id)).set(proposals::record_id.eq(made)).execute(conn)?;
        }
        Ok(true)
    })
}

/// Forgets where suggestions sent before `before` came from: it was kept
/// only to limit how many one address sends in an hour.
pub fn forget_senders_before(conn: &mut Conn, before: NaiveDateTime) -> StoreResult<()> {
    diesel::update(
        proposals::table
            .filter(proposals::sender_hash.is_not_null())
            .filter(proposals::proposed_at.lt(before)),
    )
    .set(proposals::sender_hash.eq(None::<String>))
    .execute(conn)?;
    Ok(())
}

/// How many suggestions came from `sender` since `since`.
pub fn sent_since(conn: &mut Conn, sender: &str, since: NaiveDateTime) -> StoreResult<i64> {
    Ok(proposals::table
        .filter(proposals::sender_hash.eq(sender))
        .filter(proposals::proposed_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Puts the answer to a suggestion in the outbox, and forgets the address
/// it goes to: it was kept only for this.
pub fn answer(
    conn: &mut Conn,
    id: ProposalId,
    to: &str,
    message: &[u8],
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        super::outbox::queue(conn, &format!("suggestion-{id}"), None, "suggestion", to, message, now)?;
        diesel::update(proposals::table.find(id)).set(proposals::email.eq(None::<String>)).execute(conn)?;
        Ok(())
    })
}

/// After record `from` was merged into `into`: suggestions about it are about
/// `into`; changes proposed to it, which would overwrite `into`, are
/// rejected, saying so.
pub fn merged(conn: &mut Conn, from: &str, into: &str, by: UserId, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(
        proposals::table
            .filter(proposals::record_id.eq(from))
            .filter(proposals::kind.eq(ProposalKind::Suggestion.code())),
    )
    .set(proposals::record_id.eq(into))
    .execute(conn)?;
    diesel::update(
        proposals::table
            .filter(proposals::record_id.eq(from))
            .filter(proposals::state.eq(ProposalState::Waiting.code())),
    )
    .set((
        proposals::state.eq(ProposalState::Rejected.code()),
        proposals::decided_by.eq(by),
        proposals::decided_at.eq(now),
        proposals::outcome.eq("The listing was merged into another: propose the change to that one"),
    ))
    .execute(conn)?;
    Ok(())
}

/// Rejects a waiting proposal, saying why. `false` when it was already decided.
pub fn reject(
    conn: &mut Conn,
    id: ProposalId,
    by: UserId,
    why: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    claim(conn, id, ProposalState::Rejected, by, Some(why), now)
}

/// Decides a proposal if it is still waiting.
fn claim(
    conn: &mut Conn,
    id: ProposalId,
    state: ProposalState,
    by: UserId,
    outcome: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let claimed =
        diesel::update(proposals::table.find(id).filter(proposals::state.eq(ProposalState::Waiting.code())))
            .set((
                proposals::state.eq(state.code()),
                proposals::decided_by.eq(by),
                proposals::decided_at.eq(now),
                proposals::outcome.eq(outcome),
            ))
            .execute(conn)?;
    Ok(claimed == 1)
}

/// The rows as views, with the names of the people and records they name.
fn views(conn: &mut Conn, rows: Vec<ProposalRow>) -> StoreResult<Vec<Proposal>> {
    let people: Vec<UserId> = rows.iter().flat_map(|r| [r.proposed_by, r.decided_by]).flatten().collect();
    let names: HashMap<UserId, String> = users::table
        .filter(users::id.eq_any(&people))
        .select((users::id, users::name))
        .load(conn)?
        .into_iter()
        .collect();
    let records: Vec<String> = rows.iter().filter_map(|r| r.record_id.clone()).collect();
    let mut record_names: HashMap<String, String> = HashMap::new();
    record_names.extend(
        services::table
            .filter(services::id.eq_any(&records))
            .select((services::id, services::name))
            .load::<(String, String)>(conn)?,
    );
    record_names.extend(
        organisations::table
            .filter(organisations::id.eq_any(&records))
            .select((organisations::id, organisations::name))
            .load::<(String, String)>(conn)?,
    );
    record_names.extend(
        locations::table
            .filter(locations::id.eq_any(&records))
            .select((locations::id, locations::name))
            .load::<(String, String)>(conn)?,
    );
    rows.into_iter()
        .map(|r| {
            Ok(Proposal {
                id: r.id,
                kind: decode(&r.kind, ProposalKind::from_code, "kind of proposal")?,
                record_name: r.record_id.as_ref().and_then(|id| record_names.get(id).cloned()),
                record_id: r.record_id,
                form: r.form,
                message: r.message,
                proposed_by: r.proposed_by.map(|id| (id, names.get(&id).cloned().unwrap_or_default())),
                email: r.email,
                proposed_at: r.proposed_at,
                state: decode(&r.state, ProposalState::from_code, "state of proposal")?,
                decided_by: r.decided_by.and_then(|id| names.get(&id).cloned()),
                decided_at: r.decided_at,
                outcome: r.outcome,
            })
        })
        .collect()
}
