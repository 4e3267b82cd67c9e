//! Imports asked for on the staff page: the file sent, the step asked for,
//! and how it went. A step is claimed by one server at a time (a time in
//! the row, `claimed_until`, that a server that dies lets run out), so any
//! number of servers may run the `imports` job.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{imports, users};
use super::{Conn, StoreError, StoreResult};
use crate::domain::ids::{ImportId, UserId};
use crate::domain::imports::Report;
use crate::domain::imports::request::{ImportKind, ImportState, ImportView, columns_of_text};

/// How long a step is left to the server that claimed it before another may
/// take it over: longer than any import runs.
const CLAIM: Duration = Duration::minutes(30);

/// The imports listed on the page: the latest ones.
const LISTED: i64 = 20;

/// An import as sent.
pub struct NewImport<'a> {
    pub id: ImportId,
    pub source: &'a str,
    pub kind: ImportKind,
    pub upload: Option<&'a [u8]>,
    pub state: ImportState,
    pub by: UserId,
    pub at: NaiveDateTime,
}

pub fn insert(conn: &mut Conn, new: &NewImport) -> StoreResult<()> {
    diesel::insert_into(imports::table)
        .values((
            imports::id.eq(new.id),
            imports::source.eq(new.source),
            imports::kind.eq(new.kind.code()),
            imports::upload.eq(new.upload),
            imports::state.eq(new.state.code()),
            imports::requested_by.eq(new.by),
            imports::requested_at.eq(new.at),
        ))
        .execute(conn)?;
    Ok(())
}

type Row = (
    ImportId,
    String,
    String,
    String,
    String,
    bool,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

macro_rules! view_columns {
    () => {
        (
            imports::id,
            imports::source,
            imports::kind,
            imports::state,
            imports::chosen_columns,
            imports::skip_rejected,
            imports::merge,
            imports::progress,
            imports::report,
            imports::error,
            users::name,
            imports::requested_at,
            imports::finished_at,
        )
    };
}

fn view_of(row: Row) -> StoreResult<ImportView> {
    let (id, source, kind, state, columns, skip_rejected, merge, progress, report, error, by, at, finished) =
        row;
    let corrupt = |what: &str| StoreError::Corrupt(format!("import {id}: {what}"));
    Ok(ImportView {
        id,
        source,
        kind: ImportKind::from_code(&kind).ok_or_else(|| corrupt("kind"))?,
        state: ImportState::from_code(&state).ok_or_else(|| corrupt("state"))?,
        columns: columns_of_text(&columns),
        skip_rejected,
        merge: merge
            .lines()
            .filter_map(|line| {
                let (incoming, existing) = line.split_once(' ')?;
                Some((Uuid::try_parse(incoming).ok()?, Uuid::try_parse(existing).ok()?))
            })
            .collect(),
        progress,
        report: report
            .map(|r| serde_json::from_str::<Report>(&r))
            .transpose()
            .map_err(|_| corrupt("report"))?,
        error,
        requested_by: by,
        requested_at: at,
        finished_at: finished,
    })
}

/// One import, as its page shows it.
pub fn get(conn: &mut Conn, id: ImportId) -> StoreResult<ImportView> {
    let row: Row = imports::table
        .inner_join(users::table)
        .filter(imports::id.eq(id))
        .select(view_columns!())
        .first(conn)?;
    view_of(row)
}

/// The latest imports, newest first.
pub fn latest(conn: &mut Conn) -> StoreResult<Vec<ImportView>> {
    let rows: Vec<Row> = imports::table
        .inner_join(users::table)
        .order(imports::requested_at.desc())
        .limit(LISTED)
        .select(view_columns!())
        .load(conn)?;
    rows.into_iter().map(view_of).collect()
}

/// The file an import was sent.
pub fn upload(conn: &mut Conn, id: ImportId) -> StoreResult<Option<Vec<u8>>> {
    Ok(imports::table.find(id).select(imports::upload).first(conn)?)
}

/// Asks for a check with the columns chosen (for a spreadsheet), if the
/// import may be checked now. False when it may not (it is in hand).
pub fn ask_check(conn: &mut Conn, id: ImportId, columns: &str) -> StoreResult<bool> {
    let may: Vec<&str> =
        [ImportState::Columns, ImportState::Checked, ImportState::NotWritten, ImportState::Failed]
            .iter()
            .map(|s| s.code())
            .collect();
    let asked = diesel::update(imports::table.find(id))
        .filter(imports::state.eq_any(may))
        .set((
            imports::state.eq(ImportState::Check.code()),
            imports::chosen_columns.eq(columns),
            imports::progress.eq(""),
            imports::report.eq(None::<String>),
            imports::finished_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(asked == 1)
}

/// Asks for it to be imported, once checked. False when it may not be now.
pub fn ask_import(
    conn: &mut Conn,
    id: ImportId,
    skip_rejected: bool,
    merge: &[(Uuid, Uuid)],
) -> StoreResult<bool> {
    let may = [ImportState::Checked.code(), ImportState::NotWritten.code()];
    let merge: String = merge.iter().map(|(incoming, existing)| format!("{incoming} {existing}\n")).collect();
    let asked = diesel::update(imports::table.find(id))
        .filter(imports::state.eq_any(may))
        .set((
            imports::state.eq(ImportState::Import.code()),
            imports::skip_rejected.eq(skip_rejected),
            imports::merge.eq(merge),
            imports::progress.eq(""),
        ))
        .execute(conn)?;
    Ok(asked == 1)
}

/// Claims the oldest step waiting (or left by a server that died), and
/// returns it in its running state; none when nothing waits.
pub fn claim_next(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<Option<ImportView>> {
    let waiting = [ImportState::Check.code(), ImportState::Import.code()];
    let running = [ImportState::Checking.code(), ImportState::Importing.code()];
    let candidates: Vec<(ImportId, String)> = imports::table
        .filter(
            imports::state
                .eq_any(waiting)
                .or(imports::state.eq_any(running).and(imports::claimed_until.lt(now))),
        )
        .order(imports::requested_at)
        .limit(5)
        .select((imports::id, imports::state))
        .load(conn)?;
    for (id, state) in candidates {
        let Some(seen) = ImportState::from_code(&state) else { continue };
        let to = seen.running().unwrap_or(seen);
        // Taken only if no other server took it since it was read.
        let taken = diesel::update(imports::table.find(id))
            .filter(imports::state.eq(seen.code()))
            .filter(imports::claimed_until.is_null().or(imports::claimed_until.lt(now)))
            .set((imports::state.eq(to.code()), imports::claimed_until.eq(now + CLAIM)))
            .execute(conn)?;
        if taken == 1 {
            return get(conn, id).map(Some);
        }
    }
    Ok(None)
}

/// Says how far the step in hand has got, and keeps the claim on it.
pub fn progress(conn: &mut Conn, id: ImportId, said: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(imports::table.find(id))
        .set((imports::progress.eq(said), imports::claimed_until.eq(now + CLAIM)))
        .execute(conn)?;
    Ok(())
}

/// Keeps what a feed held when it was checked, so that importing it writes
/// what the check reported.
pub fn keep_upload(conn: &mut Conn, id: ImportId, bytes: &[u8]) -> StoreResult<()> {
    diesel::update(imports::table.find(id)).set(imports::upload.eq(Some(bytes))).execute(conn)?;
    Ok(())
}

/// How a step ended: its new state and report, or why it could not be read
/// (only while it is still running: a step taken up by another server is
/// that server's to finish).
pub fn finish(
    conn: &mut Conn,
    id: ImportId,
    state: ImportState,
    report: Option<&Report>,
    error: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let report =
        report.map(serde_json::to_string).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let running = [ImportState::Checking.code(), ImportState::Importing.code()];
    diesel::update(imports::table.find(id))
        .filter(imports::state.eq_any(running))
        .set((
            imports::state.eq(state.code()),
            imports::report.eq(report),
            imports::error.eq(error),
            imports::progress.eq(""),
            imports::claimed_until.eq(None::<NaiveDateTime>),
            imports::finished_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}
