//! The change history: who changed which field of which record, when, from
//! what to what, and why. Rows are only ever added; the database's triggers
//! refuse any update or delete.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use std::collections::HashMap;

use super::schema::{changes, locations, organisations, services, users};
use super::{Conn, StoreResult, per_backend};
use crate::domain::ids::UserId;
use crate::domain::views::ChangeView;

/// The kind of record a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Service,
    Organisation,
    Location,
    /// A staff account.
    User,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Service => "service",
            RecordKind::Organisation => "organisation",
            RecordKind::Location => "location",
            RecordKind::User => "user",
        }
    }
}

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Verify,
    Archive,
    Restore,
    /// Merged into another record (or another merged into it).
    Merge,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Verify => "verify",
            Action::Archive => "archive",
            Action::Restore => "restore",
            Action::Merge => "merge",
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
    kind: String,
    record_id: String,
    action: String,
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
    reason: Option<String>,
}

/// The most rows a history page shows.
const MOST: i64 = 500;

/// The history of one record, newest first.
pub fn history(conn: &mut Conn, kind: RecordKind, record_id: &str) -> StoreResult<Vec<ChangeView>> {
    let rows: Vec<ChangeRow> = with_names()
        .filter(changes::record_kind.eq(kind.code()))
        .filter(changes::record_id.eq(record_id))
        .order(changes::id.desc())
        .limit(MOST)
        .load(conn)?;
    readable(conn, rows)
}

/// What one person changed, newest first, with the name of each record.
pub fn by_person(conn: &mut Conn, user: UserId) -> StoreResult<Vec<ChangeView>> {
    let rows: Vec<ChangeRow> =
        with_names().filter(changes::user_id.eq(user)).order(changes::id.desc()).limit(MOST).load(conn)?;
    readable(conn, rows)
}

#[diesel::dsl::auto_type(no_type_alias)]
fn with_names() -> _ {
    changes::table.left_join(users::table.on(changes::user_id.eq(users::id.nullable()))).select((
        changes::changed_at,
        users::name.nullable(),
        changes::record_kind,
        changes::record_id,
        changes::action,
        changes::field,
        changes::old_value,
        changes::new_value,
        changes::reason,
    ))
}

/// The rows as views: each with its record's name, and a service's
/// organisation said by its name rather than its id.
fn readable(conn: &mut Conn, rows: Vec<ChangeRow>) -> StoreResult<Vec<ChangeView>> {
    let ids = |kind: &str| -> Vec<String> {
        let mut ids: Vec<String> =
            rows.iter().filter(|r| r.kind == kind).map(|r| r.record_id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut organisation_ids = ids("organisation");
    organisation_ids.extend(
        rows.iter()
            .filter(|r| r.field == "organisation")
            .flat_map(|r| [r.old_value.clone(), r.new_value.clone()])
            .flatten(),
    );
    let mut names: HashMap<(&str, String), String> = HashMap::new();
    let named: Vec<(String, String)> = services::table
        .filter(services::id.eq_any(ids("service")))
        .select((services::id, services::name))
        .load(conn)?;
    names.extend(named.into_iter().map(|(id, name)| (("service", id), name)));
    let named: Vec<(String, String)> = organisations::table
        .filter(organisations::id.eq_any(&organisation_ids))
        .select((organisations::id, organisations::name))
        .load(conn)?;
    names.extend(named.into_iter().map(|(id, name)| (("organisation", id), name)));
    let named: Vec<(String, String)> = locations::table
        .filter(locations::id.eq_any(ids("location")))
        .select((locations::id, locations::name))
        .load(conn)?;
    names.extend(named.into_iter().map(|(id, name)| (("location", id), name)));
    let named: Vec<(String, String)> =
        users::table.filter(users::id.eq_any(ids("user"))).select((users::id, users::name)).load(conn)?;
    names.extend(named.into_iter().map(|(id, name)| (("user", id), name)));
    let organisation = |value: Option<String>| {
        // A staff account's organisation is recorded by its name already.
        value.map(|id| names.get(&("organisation", id.clone())).cloned().unwrap_or(id))
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let is_organisation = r.field == "organisation";
            let (old_value, new_value) = if is_organisation {
                (organisation(r.old_value), organisation(r.new_value))
            } else {
                (r.old_value, r.new_value)
            };
            ChangeView {
                record_name: names.get(&(kind_code(&r.kind), r.record_id.clone())).cloned(),
                changed_at: r.changed_at,
                by: r.by,
                kind: r.kind,
                record_id: r.record_id,
                action: r.action,
                field: r.field,
                old_value,
                new_value,
                reason: r.reason,
            }
        })
        .collect())
}

/// The stored code of a kind, as a `'static` key.
fn kind_code(kind: &str) -> &'static str {
    [RecordKind::Service, RecordKind::Organisation, RecordKind::Location, RecordKind::User]
        .into_iter()
        .map(RecordKind::code)
        .find(|code| *code == kind)
        .unwrap_or("")
}
