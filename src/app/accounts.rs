//! Staff accounts: who a session belongs to, signing in (with the throttle
//! and the warning to an account's owner) and signing out.

use chrono::{Duration, Utc};

use super::{blocking, db};
use crate::domain::accounts::{StaffUser, decoy_hash, random_token, verify_password};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::jobs::outbox;
use crate::state::AppState;
use crate::store::{sign_ins, users};

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
    address: &str,
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
    db(state, move |conn| users::start_session(conn, user.id, &session_token, now, expires)).await?;
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
