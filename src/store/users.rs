//! Staff accounts and their sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::{neighbourhoods, sessions, user_neighbourhoods, users};
use super::{Conn, StoreError, StoreResult, decode, per_backend};
use crate::domain::accounts::{Role, StaffUser, hex};
use crate::domain::ids::{NeighbourhoodId, OrganisationId, UserId};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: UserId,
    email: String,
    name: String,
    password_hash: String,
    role: String,
    organisation_id: Option<OrganisationId>,
    created_at: NaiveDateTime,
}

/// A new account, with its password already hashed.
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub organisation: Option<OrganisationId>,
    /// Slugs of the neighbourhoods a connector looks after.
    pub neighbourhoods: Vec<String>,
}

/// What adding an account did.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    Added(UserId),
    EmailTaken,
    UnknownNeighbourhood(String),
}

/// Adds an account and its neighbourhoods in one transaction.
pub fn create(conn: &mut Conn, user: &NewUser, now: NaiveDateTime) -> StoreResult<Created> {
    super::transaction(conn, |conn| {
        let id = UserId::new();
        let row = new_row(id, user, now);
        let inserted = per_backend!(conn, |c| diesel::insert_into(users::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(c))?;
        if inserted == 0 {
            return Ok(Created::EmailTaken);
        }
        look_after(conn, id, &user.neighbourhoods)?;
        Ok(Created::Added(id))
    })
    .or_else(|error| match error {
        StoreError::Rollback(message) => Ok(Created::UnknownNeighbourhood(message)),
        other => Err(other),
    })
}

/// Adds an account under an id chosen beforehand (the demo's, which its
/// listings name), with its neighbourhoods, in one transaction. Unlike
/// `create`, an email or id already taken is an error.
pub fn insert_with_id(conn: &mut Conn, id: UserId, user: &NewUser, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::insert_into(users::table).values(new_row(id, user, now)).execute(conn)?;
        look_after(conn, id, &user.neighbourhoods)
    })
}

fn new_row(id: UserId, user: &NewUser, now: NaiveDateTime) -> UserRow {
    UserRow {
        id,
        email: user.email.trim().to_string(),
        name: user.name.clone(),
        password_hash: user.password_hash.clone(),
        role: user.role.code().into(),
        organisation_id: user.organisation,
        created_at: now,
    }
}

/// Sets the neighbourhoods account `id` looks after.
pub fn set_neighbourhoods(conn: &mut Conn, id: UserId, hoods: &[NeighbourhoodId]) -> StoreResult<()> {
    diesel::delete(user_neighbourhoods::table.filter(user_neighbourhoods::user_id.eq(id))).execute(conn)?;
    for hood in hoods {
        diesel::insert_into(user_neighbourhoods::table)
            .values((user_neighbourhoods::user_id.eq(id), user_neighbourhoods::neighbourhood_id.eq(hood)))
            .execute(conn)?;
    }
    Ok(())
}

/// Gives account `id` the neighbourhoods with these slugs to look after; a
/// slug that names none is a `Rollback`, so that nothing is half-made.
fn look_after(conn: &mut Conn, id: UserId, slugs: &[String]) -> StoreResult<()> {
    for slug in slugs {
        let neighbourhood: Option<NeighbourhoodId> = neighbourhoods::table
            .filter(neighbourhoods::slug.eq(slug))
            .select(neighbourhoods::id)
            .first(conn)
            .optional()?;
        let Some(neighbourhood) = neighbourhood else {
            return Err(StoreError::Rollback(format!("there is no neighbourhood '{slug}'")));
        };
        diesel::insert_into(user_neighbourhoods::table)
            .values((
                user_neighbourhoods::user_id.eq(id),
                user_neighbourhoods::neighbourhood_id.eq(neighbourhood),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The account with this email (any case) and its password hash.
pub fn find_by_email(conn: &mut Conn, email: &str) -> StoreResult<Option<(StaffUser, String)>> {
    let row: Option<UserRow> = users::table
        .filter(super::lower(users::email).eq(email.trim().to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(row) => {
            let hash = row.password_hash.clone();
            Ok(Some((staff_user(conn, row)?, hash)))
        }
        None => Ok(None),
    }
}

/// The account with this id.
pub fn one(conn: &mut Conn, id: UserId) -> StoreResult<StaffUser> {
    let row: UserRow = users::table.find(id).select(UserRow::as_select()).first(conn)?;
    staff_user(conn, row)
}

fn staff_user(conn: &mut Conn, row: UserRow) -> StoreResult<StaffUser> {
    let neighbourhoods = user_neighbourhoods::table
        .filter(user_neighbourhoods::user_id.eq(row.id))
        .select(user_neighbourhoods::neighbourhood_id)
        .load(conn)?;
    Ok(StaffUser {
        id: row.id,
        email: row.email,
        name: row.name,
        role: decode(&row.role, Role::from_code, "role")?,
        organisation: row.organisation_id,
        neighbourhoods,
    })
}

/// A user's name.
pub fn name_of(conn: &mut Conn, id: UserId) -> StoreResult<String> {
    Ok(users::table.find(id).select(users::name).first(conn)?)
}

/// How many accounts there are.
pub fn count(conn: &mut Conn) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// How a token is kept: its SHA-256, so that a copy of the database cannot be used to sign in or answer.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Starts a session for `user`, known by `token` (kept only as its hash).
pub fn start_session(
    conn: &mut Conn,
    user: UserId,
    token: &str,
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> StoreResult<()> {
    // Expired sessions are tidied away whenever anyone signs in.
    diesel::delete(sessions::table.filter(sessions::expires_at.lt(now))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(token)),
            sessions::user_id.eq(user),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires),
        ))
        .execute(conn)?;
    Ok(())
}

/// The member of staff whose unexpired session `token` names.
pub fn session_user(conn: &mut Conn, token: &str, now: NaiveDateTime) -> StoreResult<Option<StaffUser>> {
    let row: Option<UserRow> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash(token)))
        .filter(sessions::expires_at.gt(now))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| staff_user(conn, row)).transpose()
}

/// Ends the session `token` names.
pub fn end_session(conn: &mut Conn, token: &str) -> StoreResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token)))).execute(conn)?;
    Ok(())
}
