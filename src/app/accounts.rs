//! Staff accounts: who a session belongs to, signing in (with the throttle
//! and the warning to an account's owner) and signing out; administrators
//! inviting colleagues, changing, disabling and resetting accounts; and
//! everyone changing their password and ending their sessions.

use chrono::{Duration, Utc};

use super::{blocking, db, require};
use crate::domain::accounts::{
    AccountForm, AccountInput, LinkPurpose, StaffUser, choose_password, decoy_hash, random_token,
    verify_password,
};
use crate::domain::ids::{NeighbourhoodId, OrganisationId, UserId};
use crate::domain::text::FieldErrors;
use crate::domain::views::{AccountView, SessionView};
use crate::error::AppError;
use crate::jobs::outbox;
use crate::mail::messages;
use crate::state::AppState;
use crate::store::users::LinkState;
use crate::store::{self, neighbourhoods, organisations, sign_ins, users};

/// The member of staff whose unexpired session `token` names.
pub async fn session_user(state: &AppState, token: String) -> Result<Option<StaffUser>, AppError> {
    let now = Utc::now().naive_utc();
    db(state, move |conn| users::session_user(conn, &token, now)).await
}

/// What signing in came to.
pub enum SignedIn {
    /// A new session, known by this token.
    Session(String),
    /// The email or the password was left out.
    Incomplete(FieldErrors),
    /// The email and password do not match an account.
    Refused(FieldErrors),
}

/// Signs in with `email` and `password` from `address`: a session, or what
/// to tell the person. Too many failures from one address or for one account wait
/// longer each time (`TooManyRequests`), and the account's owner is warned.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: String,
    (address, browser): (&str, Option<String>),
) -> Result<SignedIn, AppError> {
    let mut errors = FieldErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return Ok(SignedIn::Incomplete(errors));
    }
    let (limits, who, from) = (state.throttle, email.to_string(), address.to_string());
    let now = Utc::now().naive_utc();
    let wait = db(state, move |conn| sign_ins::check(conn, &limits, &who, &from, now)).await?;
    if let Some(wait) = wait {
        return Err(AppError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) });
    }
    let lookup = email.to_string();
    let found = db(state, move |conn| users::find_by_email(conn, &lookup)).await?;
    let account = found.as_ref().map(|(user, _)| user.email.clone());
    // Argon2 is slow on purpose: keep it off the async workers. An unknown
    // email is checked against a decoy so that it takes as long as a wrong password.
    let user = blocking(move || match found {
        Some((user, hash)) => verify_password(&password, &hash).then_some(user),
        None => {
            verify_password(&password, decoy_hash());
            None
        }
    })
    .await?;
    let Some(user) = user else {
        let (who, from) = (email.to_string(), address.to_string());
        let now = Utc::now().naive_utc();
        let failed = db(state, move |conn| sign_ins::failed(conn, &limits, &who, &from, now)).await?;
        if let (true, Some(owner)) = (failed.report_to_owner, account) {
            warn_owner(state, owner, failed.account_failures).await;
        }
        // The same answer for an unknown email and a wrong password.
        errors.add("email", "Enter a correct email address and password");
        return Ok(SignedIn::Refused(errors));
    };
    let (who, from) = (email.to_string(), address.to_string());
    db(state, move |conn| sign_ins::succeeded(conn, &who, &from)).await?;
    let token = random_token();
    let now = Utc::now().naive_utc();
    let expires = now + Duration::hours(i64::from(state.config.session_hours));
    let session_token = token.clone();
    db(state, move |conn| {
        users::start_session(conn, user.id, &session_token, browser.as_deref(), now, expires)
    })
    .await?;
    Ok(SignedIn::Session(token))
}

/// Puts a warning to the owner of an account in the outbox: someone has been
/// failing to sign in to it. What goes wrong is logged, never shown to the
/// person signing in (who may not be the owner).
async fn warn_owner(state: &AppState, owner: String, failures: u32) {
    let (store, config) = (state.store.clone(), state.config.clone());
    let queued = blocking(move || outbox::queue_sign_in_warning(&store, &config, &owner, failures)).await;
    let error = match queued {
        Ok(Ok(())) => return,
        Ok(Err(error)) => error.to_string(),
        Err(error) => error.to_string(),
    };
    tracing::warn!(%error, "the warning of failed sign-ins could not be queued");
}

/// Ends the session `token` names.
pub async fn sign_out(state: &AppState, token: String) -> Result<(), AppError> {
    db(state, move |conn| users::end_session(conn, &token)).await
}

// ---- Staff accounts on the web ----

/// Every account, for an administrator.
pub async fn accounts(state: &AppState, user: &StaffUser) -> Result<Vec<AccountView>, AppError> {
    require(user.manages_accounts())?;
    db(state, users::all).await
}

/// What an account's form offers: the organisations and the neighbourhoods.
pub async fn account_choices(
    state: &AppState,
    user: &StaffUser,
) -> Result<(Vec<(OrganisationId, String)>, Vec<(NeighbourhoodId, String)>), AppError> {
    require(user.manages_accounts())?;
    db(state, |conn| {
        let hoods = neighbourhoods::all(conn)?.into_iter().map(|n| (n.id, n.name)).collect();
        Ok((organisations::choices(conn)?, hoods))
    })
    .await
}

async fn check_account(
    state: &AppState,
    user: &StaffUser,
    form: &AccountForm,
) -> Result<Result<AccountInput, FieldErrors>, AppError> {
    let (organisations, hoods) = account_choices(state, user).await?;
    let ids: Vec<NeighbourhoodId> = hoods.iter().map(|(id, _)| *id).collect();
    let mut account = match form.check(&ids) {
        Ok(account) => account,
        Err(errors) => return Ok(Err(errors)),
    };
    if account.organisation.is_some_and(|o| !organisations.iter().any(|(id, _)| *id == o)) {
        let mut errors = FieldErrors::default();
        errors.add("organisation", "Choose the organisation from the list");
        return Ok(Err(errors));
    }
    account.email = account.email.to_lowercase();
    Ok(Ok(account))
}

fn taken() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("email", "There is already an account for this email address");
    errors
}

/// Invites a colleague: their account, and an email (through the outbox)
/// with a one-time link to choose a password. Or the form's problems.
pub async fn invite(
    state: &AppState,
    user: &StaffUser,
    form: &AccountForm,
) -> Result<Result<UserId, FieldErrors>, AppError> {
    let account = match check_account(state, user, form).await? {
        Ok(account) => account,
        Err(errors) => return Ok(Err(errors)),
    };
    let (id, token, by, now) = (UserId::new(), random_token(), user.id, Utc::now().naive_utc());
    let purpose = LinkPurpose::Invitation;
    let link = format!("{}/password/{token}", state.config.public_url);
    let message = messages::invitation(
        &state.config.mail_from,
        &account.email,
        (&account.name, &user.name),
        &link,
        purpose.lasts_hours() / 24,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let to = account.email.clone();
    let made = db(state, move |conn| {
        store::transaction(conn, |conn| {
            if !users::invite(conn, id, &account, &token, by, now)? {
                return Ok(false);
            }
            store::outbox::queue(conn, &format!("invitation-{id}"), None, "invitation", &to, &message, now)?;
            Ok(true)
        })
    })
    .await?;
    Ok(if made { Ok(id) } else { Err(taken()) })
}

/// An account, for an administrator to change.
pub async fn account(state: &AppState, user: &StaffUser, id: UserId) -> Result<AccountView, AppError> {
    require(user.manages_accounts())?;
    db(state, move |conn| users::account(conn, id)).await
}

/// Changes an account's name, email, role, organisation and neighbourhoods.
pub async fn change_account(
    state: &AppState,
    user: &StaffUser,
    id: UserId,
    form: &AccountForm,
) -> Result<Result<(), FieldErrors>, AppError> {
    account(state, user, id).await?;
    let account = match check_account(state, user, form).await? {
        Ok(account) => account,
        Err(errors) => return Ok(Err(errors)),
    };
    if id == user.id && account.role != user.role {
        let mut errors = FieldErrors::default();
        errors.add("role", "You cannot change your own role: ask another administrator");
        return Ok(Err(errors));
    }
    let (by, now) = (user.id, Utc::now().naive_utc());
    let changed = db(state, move |conn| users::change_account(conn, id, &account, by, now)).await?;
    Ok(if changed { Ok(()) } else { Err(taken()) })
}

/// Disables an account (its sessions end at once) or enables it again.
pub async fn disable(state: &AppState, user: &StaffUser, id: UserId, disabled: bool) -> Result<(), AppError> {
    account(state, user, id).await?;
    if id == user.id {
        return Err(AppError::Conflict(String::from(
            "You cannot disable your own account: ask another administrator.",
        )));
    }
    let (by, now) = (user.id, Utc::now().naive_utc());
    if !db(state, move |conn| users::set_disabled(conn, id, disabled, by, now)).await? {
        return Err(AppError::Conflict(String::from(if disabled {
            "This account is already disabled."
        } else {
            "This account is not disabled."
        })));
    }
    Ok(())
}

/// Sends an account's owner a one-time link to choose a new password.
pub async fn send_reset(state: &AppState, user: &StaffUser, id: UserId) -> Result<(), AppError> {
    let view = account(state, user, id).await?;
    if view.disabled_at.is_some() {
        return Err(AppError::Conflict(String::from("This account is disabled: enable it first.")));
    }
    let (token, now, purpose) = (random_token(), Utc::now().naive_utc(), LinkPurpose::Reset);
    let link = format!("{}/password/{token}", state.config.public_url);
    let message = messages::password_reset(
        &state.config.mail_from,
        &view.user.email,
        &view.user.name,
        &link,
        purpose.lasts_hours(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let to = view.user.email.clone();
    let key = format!("reset-{}", &users::token_hash(&token)[..16]);
    db(state, move |conn| {
        store::transaction(conn, |conn| {
            users::password_link(conn, id, &token, purpose, now)?;
            store::outbox::queue(conn, &key, None, "password_reset", &to, &message, now)?;
            Ok(())
        })
    })
    .await
}

/// Whom a one-time password link is for, while it may be used: a used or
/// expired link is gone (410); one never made is not found.
pub async fn password_link(state: &AppState, token: String) -> Result<(String, LinkPurpose), AppError> {
    let now = Utc::now().naive_utc();
    match db(state, move |conn| users::link_state(conn, &token, now)).await? {
        LinkState::Usable { name, purpose } => Ok((name, purpose)),
        LinkState::Used => Err(AppError::Gone(String::from(
            "This link has been used already. Sign in with the password you chose, or ask an administrator to send a new link.",
        ))),
        LinkState::Expired => Err(AppError::Gone(String::from(
            "This link has expired. Ask an administrator to send a new one.",
        ))),
        LinkState::Unknown => Err(AppError::NotFound),
    }
}

/// Sets the password a one-time link is for, once; or the problems.
pub async fn use_password_link(
    state: &AppState,
    token: String,
    password: String,
    again: String,
) -> Result<Result<(), FieldErrors>, AppError> {
    password_link(state, token.clone()).await?;
    let hash = match blocking(move || choose_password(&password, &again)).await? {
        Ok(hash) => hash,
        Err(errors) => return Ok(Err(errors)),
    };
    let now = Utc::now().naive_utc();
    match db(state, move |conn| users::use_link(conn, &token, &hash, now)).await? {
        Some(_) => Ok(Ok(())),
        None => Err(AppError::Gone(String::from("This link has been used already."))),
    }
}

/// Changes one's own password, after the current one; every other session
/// of the account ends. Or the problems.
pub async fn change_password(
    state: &AppState,
    user: &StaffUser,
    session: String,
    (current, password, again): (String, String, String),
) -> Result<Result<(), FieldErrors>, AppError> {
    let id = user.id;
    let stored = db(state, move |conn| users::password_hash(conn, id)).await?;
    let checked = blocking(move || {
        if !verify_password(&current, &stored) {
            let mut errors = FieldErrors::default();
            errors.add("current", "Enter your current password correctly");
            return Err(errors);
        }
        choose_password(&password, &again)
    })
    .await?;
    let hash = match checked {
        Ok(hash) => hash,
        Err(errors) => return Ok(Err(errors)),
    };
    db(state, move |conn| users::set_password(conn, id, &hash, &session)).await?;
    Ok(Ok(()))
}

/// One's own sessions, the one this is asked in marked.
pub async fn sessions(
    state: &AppState,
    user: &StaffUser,
    session: &str,
) -> Result<Vec<SessionView>, AppError> {
    let (id, now) = (user.id, Utc::now().naive_utc());
    let current = users::token_hash(session);
    let mut all = db(state, move |conn| users::sessions_of(conn, id, now)).await?;
    for s in &mut all {
        s.current = current.starts_with(&s.handle);
    }
    Ok(all)
}

/// Ends one of one's own sessions (404 if there is no such session).
pub async fn end_session(state: &AppState, user: &StaffUser, handle: String) -> Result<(), AppError> {
    let id = user.id;
    if db(state, move |conn| users::end_session_by_handle(conn, id, &handle)).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
