//! `GET /sign-in`, `POST /sign-in` and `POST /sign-out`.

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::connections::client_address;
use super::session::{
    CheckedForm, SESSION_COOKIE, Visitor, read_signed, removal_cookie, renewed_csrf_cookie, signed_cookie,
};
use super::{db, page_with_status, see_other};
use crate::domain::accounts::{decoy_hash, random_token, verify_password};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::jobs::outbox;
use crate::pages;
use crate::state::AppState;
use crate::store::users;

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

/// Where to go after signing in: only a path on this site, never elsewhere.
fn safe_next(next: &str) -> String {
    let next = next.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    if local && !next.chars().any(char::is_control) { next.to_string() } else { String::from("/staff") }
}

pub async fn show(visitor: Visitor, query: web::Query<SignInQuery>) -> HttpResponse {
    let next = safe_next(query.next.as_deref().unwrap_or(""));
    if visitor.user.is_some() {
        return see_other(&next);
    }
    page_with_status(StatusCode::OK, pages::sign_in::page(&visitor.frame, "", &next, &FieldErrors::default()))
}

pub async fn submit(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: CheckedForm,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let email = form.get("email").trim().to_string();
    let password = form.get("password").to_string();
    let next = safe_next(form.get("next"));
    let address =
        client_address(&req, &state.config).map_or_else(|| String::from("unknown"), |a| a.to_string());

    let mut errors = FieldErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        let page = pages::sign_in::page(&visitor.frame, &email, &next, &errors);
        return Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    if let Some(wait) = state.throttle.check(&email, &address, Instant::now()) {
        return Err(AppError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) });
    }

    let lookup = email.clone();
    let found = db(&state, move |conn| users::find_by_email(conn, &lookup)).await?;
    let account = found.as_ref().map(|(user, _)| user.email.clone());
    // Argon2 is slow on purpose: keep it off the async workers. An unknown
    // email is checked against a decoy so that it takes as long as a wrong password.
    let user = web::block(move || match found {
        Some((user, hash)) => verify_password(&password, &hash).then_some(user),
        None => {
            verify_password(&password, decoy_hash());
            None
        }
    })
    .await?;

    let Some(user) = user else {
        let failed = state.throttle.failed(&email, &address, Instant::now());
        if let (true, Some(owner)) = (failed.report_to_owner, account) {
            warn_owner(&state, owner, failed.account_failures).await;
        }
        let mut errors = FieldErrors::default();
        errors.add("email", "Enter a correct email address and password");
        let page = pages::sign_in::page(&visitor.frame, &email, &next, &errors);
        return Ok(page_with_status(StatusCode::UNAUTHORIZED, page));
    };
    state.throttle.succeeded(&email, &address);
    let token = random_token();
    let now = Utc::now().naive_utc();
    let expires = now + Duration::hours(i64::from(state.config.session_hours));
    let session_token = token.clone();
    db(&state, move |conn| users::start_session(conn, user.id, &session_token, now, expires)).await?;
    let mut response = see_other(&next);
    for cookie in [signed_cookie(&state, SESSION_COOKIE, token), renewed_csrf_cookie(&state)] {
        response.add_cookie(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
}

/// Puts a warning to the owner of an account in the outbox: someone has been
/// failing to sign in to it. What goes wrong is logged, never shown to the
/// person signing in (who may not be the owner).
async fn warn_owner(state: &AppState, owner: String, failures: u32) {
    let (store, config) = (state.store.clone(), state.config.clone());
    let queued = web::block(move || outbox::queue_sign_in_warning(&store, &config, &owner, failures)).await;
    let error = match queued {
        Ok(Ok(())) => return,
        Ok(Err(error)) => error.to_string(),
        Err(error) => error.to_string(),
    };
    tracing::warn!(%error, "the warning of failed sign-ins could not be queued");
}

pub async fn sign_out(
    state: web::Data<AppState>,
    _form: CheckedForm,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = read_signed(&req, &state.cookie_key, SESSION_COOKIE) {
        db(&state, move |conn| users::end_session(conn, &token)).await?;
    }
    let mut response = see_other("/");
    for cookie in [removal_cookie(SESSION_COOKIE), renewed_csrf_cookie(&state)] {
        response.add_cookie(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/staff/services/new"), "/staff/services/new");
        assert_eq!(safe_next("https://evil.example"), "/staff");
        assert_eq!(safe_next("//evil.example"), "/staff");
        assert_eq!(safe_next("/\\evil.example"), "/staff");
        assert_eq!(safe_next(""), "/staff");
    }
}
