//! The change history: who changed which field of which record, when, from
//! what to what, and why. Rows are only ever added; the database's triggers
//! refuse any update or delete.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{changes, users};
use super::{Conn, StoreResult, per_backend};
use crate::domain::ids::UserId;
use crate::domain::views::ChangeView;

/// The kind of record a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Service,
    Organisation,
    Location,
}

impl RecordKind {
    fn code(self) -> &'static str {
        match self {
            RecordKind::Service => "service",
            RecordKind::Organisation => "organisation",
            RecordKind::Location => "location",
        }
    }
}

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Verify,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Verify => "verify",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = changes)]
struct NewChange<'a> {
    changed_at: NaiveDateTime,
    user_id: Option<UserId>,
    record_kind: &'a str,
    /// Any kind of record's id, as written: the history is kept for every kind.
    record_id: &'a str,
    action: &'a str,
    field: &'a str,
    old_value: Option<&'a str>,
    new_value: Option<&'a str>,
    reason: Option<&'a str>,
}

/// Records changed fields (field, old, new). Call inside the transaction that
/// makes the change.
#[expect(clippy::too_many_arguments, reason = "one row of history has this many facts")]
pub fn record(
    conn: &mut Conn,
    kind: RecordKind,
    record_id: &str,
    action: Action,
    fields: &[(&str, Option<String>, Option<String>)],
    by: Option<UserId>,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let rows: Vec<NewChange<'_>> = fields
        .iter()
        .map(|(field, old, new)| NewChange {
            changed_at: at,
            user_id: by,
            record_kind: kind.code(),
            record_id,
            action: action.code(),
            field,
            old_value: old.as_deref(),
            new_value: new.as_deref(),
            reason,
        })
        .collect();
    per_backend!(conn, |c| diesel::insert_into(changes::table).values(&rows).execute(c))?;
    Ok(())
}

/// One row of history, joined to the name of who made it.
#[derive(Queryable)]
struct ChangeRow {
    changed_at: NaiveDateTime,
    by: Option<String>,
    action: String,
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
    reason: Option<String>,
}

/// The history of one record, newest first.
pub fn history(conn: &mut Conn, kind: RecordKind, record_id: &str) -> StoreResult<Vec<ChangeView>> {
    let rows: Vec<ChangeRow> = changes::table
        .left_join(users::table.on(changes::user_id.eq(users::id.nullable())))
        .filter(changes::record_kind.eq(kind.code()))
        .filter(changes::record_id.eq(record_id))
        .order(changes::id.desc())
        .select((
            changes::changed_at,
            users::name.nullable(),
            changes::action,
            changes::field,
            changes::old_value,
            changes::new_value,
            changes::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ChangeView {
            changed_at: r.changed_at,
            by: r.by,
            action: r.action,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
            reason: r.reason,
        })
        .collect())
}
