//! Staff accounts and their sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::changes::{Action, RecordKind};
use super::schema::{neighbourhoods, organisations, password_links, sessions, user_neighbourhoods, users};
use super::{Conn, StoreError, StoreResult, decode, per_backend};
use crate::domain::accounts::{AccountInput, LinkPurpose, Role, StaffUser, hex};
use crate::domain::ids::{NeighbourhoodId, OrganisationId, UserId};
use crate::domain::service_form::changed_fields;
use crate::domain::views::{AccountView, SessionView};

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

/// The account with this email (any case) and its password hash; a
/// disabled account is not found.
pub fn find_by_email(conn: &mut Conn, email: &str) -> StoreResult<Option<(StaffUser, String)>> {
    let row: Option<UserRow> = users::table
        .filter(super::lower(users::email).eq(email.trim().to_lowercase()))
        .filter(users::disabled_at.is_null())
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
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Starts a session for `user`, known by `token` (kept only as its hash),
/// in the browser `user_agent` names.
pub fn start_session(
    conn: &mut Conn,
    user: UserId,
    token: &str,
    user_agent: Option<&str>,
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
            sessions::user_agent.eq(user_agent),
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
        .filter(users::disabled_at.is_null())
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

// ---- Accounts kept on the web ----

/// Every account, by name, for the administrators' list.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<AccountView>> {
    let rows: Vec<(UserRow, Option<NaiveDateTime>)> = users::table
        .select((UserRow::as_select(), users::disabled_at))
        .order((users::name, users::email))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, disabled_at)| Ok(AccountView { user: staff_user(conn, row)?, disabled_at }))
        .collect()
}

/// One account, and when it was disabled (if it was).
pub fn account(conn: &mut Conn, id: UserId) -> StoreResult<AccountView> {
    let (row, disabled_at): (UserRow, Option<NaiveDateTime>) =
        users::table.find(id).select((UserRow::as_select(), users::disabled_at)).first(conn)?;
    Ok(AccountView { user: staff_user(conn, row)?, disabled_at })
}

/// Whether an account (enabled or not) has this email, in any case.
pub fn email_taken(conn: &mut Conn, email: &str, other_than: Option<UserId>) -> StoreResult<bool> {
    let mut query =
        users::table.filter(super::lower(users::email).eq(email.trim().to_lowercase())).into_boxed();
    if let Some(id) = other_than {
        query = query.filter(users::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// Makes an invited colleague's account, with no password yet, and the
/// one-time link that lets them choose one; recorded in the history.
/// `false` when the email already has an account.
pub fn invite(
    conn: &mut Conn,
    id: UserId,
    account: &AccountInput,
    token: &str,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        if email_taken(conn, &account.email, None)? {
            return Ok(false);
        }
        diesel::insert_into(users::table)
            .values((
                users::id.eq(id),
                users::email.eq(&account.email),
                users::name.eq(&account.name),
                // No password matches an empty hash: one is chosen through the link.
                users::password_hash.eq(""),
                users::role.eq(account.role.code()),
                users::organisation_id.eq(account.organisation),
                users::created_at.eq(now),
            ))
            .execute(conn)?;
        set_neighbourhoods(conn, id, &account.neighbourhoods)?;
        password_link(conn, id, token, LinkPurpose::Invitation, now)?;
        let fields = changed_fields(&[], &account_fields(conn, account)?);
        super::changes::record(
            conn,
            RecordKind::User,
            &id.to_string(),
            Action::Create,
            &fields,
            Some(by),
            None,
            now,
        )?;
        Ok(true)
    })
}

/// Changes an account's name, email, role, organisation and neighbourhoods,
/// recording what changed. A change of role ends its sessions, so that what
/// it may do changes at once. `false` when the email belongs to another account.
pub fn change_account(
    conn: &mut Conn,
    id: UserId,
    account: &AccountInput,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        if email_taken(conn, &account.email, Some(id))? {
            return Ok(false);
        }
        let before = self::account(conn, id)?.user;
        let was = AccountInput {
            name: before.name.clone(),
            email: before.email.clone(),
            role: before.role,
            organisation: before.organisation,
            neighbourhoods: before.neighbourhoods.clone(),
        };
        let fields = changed_fields(&account_fields(conn, &was)?, &account_fields(conn, account)?);
        if fields.is_empty() {
            return Ok(true);
        }
        diesel::update(users::table.find(id))
            .set((
                users::name.eq(&account.name),
                users::email.eq(&account.email),
                users::role.eq(account.role.code()),
                users::organisation_id.eq(account.organisation),
            ))
            .execute(conn)?;
        set_neighbourhoods(conn, id, &account.neighbourhoods)?;
        if before.role != account.role {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
        }
        super::changes::record(
            conn,
            RecordKind::User,
            &id.to_string(),
            Action::Update,
            &fields,
            Some(by),
            None,
            now,
        )?;
        Ok(true)
    })
}

/// An account's fields as text, for the history: the organisation and the
/// neighbourhoods by name.
fn account_fields(conn: &mut Conn, account: &AccountInput) -> StoreResult<Vec<(&'static str, String)>> {
    let organisation = match account.organisation {
        Some(id) => {
            organisations::table.find(id).select(organisations::name).first::<String>(conn).optional()?
        }
        None => None,
    };
    let hoods: Vec<String> = neighbourhoods::table
        .filter(neighbourhoods::id.eq_any(&account.neighbourhoods))
        .select(neighbourhoods::name)
        .order(neighbourhoods::name)
        .load(conn)?;
    Ok(vec![
        ("name", account.name.clone()),
        ("email", account.email.clone()),
        ("role", account.role.label().to_string()),
        ("organisation", organisation.unwrap_or_default()),
        ("neighbourhoods", hoods.join("; ")),
    ])
}

/// Disables an account (ending its sessions at once) or enables it again,
/// recorded in the history. `false` when it already was.
pub fn set_disabled(
    conn: &mut Conn,
    id: UserId,
    disabled: bool,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        let was = account(conn, id)?.disabled_at;
        if was.is_some() == disabled {
            return Ok(false);
        }
        diesel::update(users::table.find(id))
            .set(users::disabled_at.eq(disabled.then_some(now)))
            .execute(conn)?;
        if disabled {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
            diesel::update(
                password_links::table
                    .filter(password_links::user_id.eq(id))
                    .filter(password_links::used_at.is_null()),
            )
            .set(password_links::used_at.eq(now))
            .execute(conn)?;
        }
        let field = [("disabled", Some((!disabled).to_string()), Some(disabled.to_string()))];
        super::changes::record(
            conn,
            RecordKind::User,
            &id.to_string(),
            Action::Update,
            &field,
            Some(by),
            None,
            now,
        )?;
        Ok(true)
    })
}

/// Keeps a one-time link for `user` to choose a password, known by `token`.
pub fn password_link(
    conn: &mut Conn,
    user: UserId,
    token: &str,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(password_links::table)
        .values((
            password_links::token_hash.eq(token_hash(token)),
            password_links::user_id.eq(user),
            password_links::purpose.eq(purpose.code()),
            password_links::created_at.eq(now),
            password_links::expires_at.eq(now + chrono::Duration::hours(purpose.lasts_hours())),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a password link is, as far as it can still be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// It may be used: for this account's name, and why.
    Usable {
        name: String,
        purpose: LinkPurpose,
    },
    Used,
    Expired,
    /// No such link (or a forged one).
    Unknown,
}

/// Where the link `token` names has got to.
pub fn link_state(conn: &mut Conn, token: &str, now: NaiveDateTime) -> StoreResult<LinkState> {
    // Whose, why, until when, used when, and the account disabled when.
    type Link = (String, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);
    let found: Option<Link> = password_links::table
        .inner_join(users::table)
        .filter(password_links::token_hash.eq(token_hash(token)))
        .select((
            users::name,
            password_links::purpose,
            password_links::expires_at,
            password_links::used_at,
            users::disabled_at,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        None | Some((_, _, _, _, Some(_))) => LinkState::Unknown,
        Some((_, _, _, Some(_), _)) => LinkState::Used,
        Some((_, _, expires, None, _)) if expires <= now => LinkState::Expired,
        Some((name, purpose, _, None, None)) => LinkState::Usable {
            name,
            purpose: decode(&purpose, LinkPurpose::from_code, "purpose of a link")?,
        },
    })
}

/// Uses the link `token` names to set its account's password, once: every
/// session of the account ends. The account's email when it was used now;
/// `None` when it could not be (used, expired or unknown).
pub fn use_link(
    conn: &mut Conn,
    token: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<Option<String>> {
    super::transaction(conn, |conn| {
        let hash = token_hash(token);
        let user: Option<UserId> = password_links::table
            .find(&hash)
            .filter(password_links::used_at.is_null())
            .filter(password_links::expires_at.gt(now))
            .select(password_links::user_id)
            .first(conn)
            .optional()?;
        let Some(user) = user else { return Ok(None) };
        let claimed =
            diesel::update(password_links::table.find(&hash).filter(password_links::used_at.is_null()))
                .set(password_links::used_at.eq(now))
                .execute(conn)?;
        if claimed != 1 {
            return Ok(None);
        }
        diesel::update(users::table.find(user)).set(users::password_hash.eq(password_hash)).execute(conn)?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user))).execute(conn)?;
        Ok(Some(users::table.find(user).select(users::email).first(conn)?))
    })
}

/// An account's password hash.
pub fn password_hash(conn: &mut Conn, id: UserId) -> StoreResult<String> {
    Ok(users::table.find(id).select(users::password_hash).first(conn)?)
}

/// Sets an account's password, ending its other sessions (all but `keep`).
pub fn set_password(conn: &mut Conn, id: UserId, hash: &str, keep: &str) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn)?;
        diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(id))
                .filter(sessions::token_hash.ne(token_hash(keep))),
        )
        .execute(conn)?;
        Ok(())
    })
}

/// An account's sessions not yet expired, newest first: when each began,
/// when it ends, its browser, and a handle to end it by (the start of its
/// hash, which cannot be used to sign in).
pub fn sessions_of(conn: &mut Conn, id: UserId, now: NaiveDateTime) -> StoreResult<Vec<SessionView>> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime, Option<String>)> = sessions::table
        .filter(sessions::user_id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .order(sessions::created_at.desc())
        .select((sessions::token_hash, sessions::created_at, sessions::expires_at, sessions::user_agent))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(hash, started, ends, browser)| SessionView {
            handle: hash[..SESSION_HANDLE].to_string(),
            started,
            ends,
            browser,
            current: false,
        })
        .collect())
}

/// How much of a session's hash names it on the page.
pub const SESSION_HANDLE: usize = 16;

/// Ends the session of account `id` whose hash begins with `handle`.
/// `false` when it has none.
pub fn end_session_by_handle(conn: &mut Conn, id: UserId, handle: &str) -> StoreResult<bool> {
    let hashes: Vec<String> =
        sessions::table.filter(sessions::user_id.eq(id)).select(sessions::token_hash).load(conn)?;
    let Some(hash) = hashes.into_iter().find(|h| handle.len() == SESSION_HANDLE && h.starts_with(handle))
    else {
        return Ok(false);
    };
    diesel::delete(sessions::table.find(hash)).execute(conn)?;
    Ok(true)
}
