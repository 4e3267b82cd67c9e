//! `GET /sign-in`, `POST /sign-in` and `POST /sign-out`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::connections::client_address;
use super::session::{
    CheckedForm, SESSION_COOKIE, Visitor, read_signed, removal_cookie, renewed_csrf_cookie, signed_cookie,
};
use super::{page_with_status, see_other};
use crate::app::accounts::{self, SignedIn};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// Where to go after signing in: only a path on this site, never elsewhere.
fn safe_next(next: &str) -> String {
    local_path(next, "/staff")
}

/// `next` if it is a path on this site, or `otherwise`: a form never sends
/// anyone to another site.
pub fn local_path(next: &str, otherwise: &str) -> String {
    let next = next.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    if local && !next.chars().any(char::is_control) { next.to_string() } else { otherwise.to_string() }
}

/// Where to go afterwards: one `next`; a query that cannot be read is 400.
#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
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

    let browser = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|agent| agent.chars().take(200).collect::<String>());
    let token = match accounts::sign_in(&state, &email, password, (&address, browser)).await? {
        SignedIn::Session(token) => token,
        SignedIn::Incomplete(errors) => {
            let page = pages::sign_in::page(&visitor.frame, &email, &next, &errors);
            return Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
        SignedIn::Refused(errors) => {
            let page = pages::sign_in::page(&visitor.frame, &email, &next, &errors);
            return Ok(page_with_status(StatusCode::UNAUTHORIZED, page));
        }
    };
    let mut response = see_other(&next);
    for cookie in [signed_cookie(&state, SESSION_COOKIE, token), renewed_csrf_cookie(&state)] {
        response.add_cookie(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
}

pub async fn sign_out(
    state: web::Data<AppState>,
    _form: CheckedForm,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = read_signed(&req, &state.cookie_key, SESSION_COOKIE) {
        accounts::sign_out(&state, token).await?;
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
