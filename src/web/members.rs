//! `/members/...`: joining the networks, signing in by an emailed link or a
//! password, the link itself (GET shows a button, POST uses it), signing
//! out, and a member's own account. The work is in `app::members`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::connections::client_address;
use super::session::{
    CheckedForm, MEMBER_COOKIE, Visitor, read_signed, removal_cookie, renewed_csrf_cookie, signed_cookie,
};
use super::sign_in::local_path;
use super::{QueryPairs, page_with_status, see_other};
use crate::app::members;
use crate::domain::networks::{JoinForm, LinkPurpose, Member};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// Where a member goes after signing in, when nowhere was asked for.
const HOME: &str = "/networks";

fn next_of(value: &str) -> String {
    local_path(value, HOME)
}

/// Whose account page this is: a member's (`Ok(Some)`), or a member of
/// staff's, whose name and password are kept on their staff account page
/// (`Ok(None)`: they are sent there). Anyone else is sent to sign in.
fn own_account(visitor: &Visitor) -> Result<Option<Member>, AppError> {
    match (&visitor.user, &visitor.member) {
        (Some(_), _) => Ok(None),
        (None, Some(member)) => Ok(Some(member.clone())),
        (None, None) => Err(AppError::MemberSignInRequired { next: String::from("/members/account") }),
    }
}

/// Where a member of staff's account is kept.
const STAFF_ACCOUNT: &str = "/staff/account";

/// A redirect that starts a member's session (and a new CSRF secret with it).
fn with_session(state: &AppState, to: &str, token: String) -> Result<HttpResponse, AppError> {
    let mut response = see_other(to);
    for cookie in [signed_cookie(state, MEMBER_COOKIE, token), renewed_csrf_cookie(state)] {
        response.add_cookie(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
}

pub async fn join_form(visitor: Visitor, query: QueryPairs) -> HttpResponse {
    let next = next_of(query.get("next"));
    if visitor.member.is_some() {
        return see_other(&next);
    }
    page_with_status(
        StatusCode::OK,
        pages::members::join(&visitor.frame, &JoinForm::default(), &next, &FieldErrors::default()),
    )
}

pub async fn join(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let next = next_of(form.get("next"));
    let joining = JoinForm { email: form.get("email").into(), display_name: form.get("display_name").into() };
    match members::join(&state, &joining).await? {
        Ok(()) => Ok(page_with_status(
            StatusCode::OK,
            pages::members::check_email(&visitor.frame, joining.email.trim()),
        )),
        Err(errors) => Ok(page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::members::join(&visitor.frame, &joining, &next, &errors),
        )),
    }
}

pub async fn sign_in_form(visitor: Visitor, query: QueryPairs) -> HttpResponse {
    let next = next_of(query.get("next"));
    if visitor.member.is_some() {
        return see_other(&next);
    }
    page_with_status(
        StatusCode::OK,
        pages::members::sign_in(&visitor.frame, "", &next, &FieldErrors::default()),
    )
}

pub async fn sign_in(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: CheckedForm,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (email, password) = (form.get("email").trim().to_string(), form.get("password").to_string());
    let next = next_of(form.get("next"));
    let shown_again = |errors: &FieldErrors| {
        page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::members::sign_in(&visitor.frame, &email, &next, errors),
        )
    };
    if password.is_empty() {
        return match members::ask_for_link(&state, &email).await? {
            Ok(()) => {
                Ok(page_with_status(StatusCode::OK, pages::members::check_email(&visitor.frame, &email)))
            }
            Err(errors) => Ok(shown_again(&errors)),
        };
    }
    let address =
        client_address(&req, &state.config).map_or_else(|| String::from("unknown"), |a| a.to_string());
    match members::sign_in_with_password(&state, &email, password, &address).await? {
        Ok(token) => with_session(&state, &next, token),
        Err(errors) => Ok(shown_again(&errors)),
    }
}

pub async fn link(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (purpose, name) = members::link(&state, token.clone()).await?;
    let page = pages::members::link(&visitor.frame, &token, purpose == LinkPurpose::Confirm, &name);
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn use_link(
    state: web::Data<AppState>,
    _form: CheckedForm,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let session = members::use_link(&state, token.into_inner()).await?;
    with_session(&state, "/members/account?notice=welcome", session)
}

pub async fn sign_out(
    state: web::Data<AppState>,
    _form: CheckedForm,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = read_signed(&req, &state.cookie_key, MEMBER_COOKIE) {
        members::sign_out(&state, token).await?;
    }
    let mut response = see_other("/");
    for cookie in [removal_cookie(MEMBER_COOKIE), renewed_csrf_cookie(&state)] {
        response.add_cookie(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
}

fn notice(code: &str) -> Option<&'static str> {
    match code {
        "welcome" => {
            Some("You are signed in. Follow your neighbourhood's network to hear what is happening.")
        }
        "saved" => Some("Your changes are saved."),
        "digest" => Some("Your choice of digest is saved."),
        _ => None,
    }
}

pub async fn account(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let Some(member) = own_account(&visitor)? else { return Ok(see_other(STAFF_ACCOUNT)) };
    let following = crate::app::networks::followed(&state, &member).await?;
    let digest = crate::app::digests::choice(&state, &member).await?;
    let page = pages::members::account(
        &visitor.frame,
        &member,
        (&member.display_name, &FieldErrors::default()),
        (&following, digest),
        notice(query.get("notice")),
    );
    Ok(page_with_status(StatusCode::OK, page))
}

/// `POST /members/account/digest`: how often a digest comes, or none.
pub async fn choose_digest(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let Some(member) = own_account(&visitor)? else { return Ok(see_other(STAFF_ACCOUNT)) };
    crate::app::digests::choose(&state, &member, form.get("digest")).await?;
    Ok(see_other("/members/account?notice=digest"))
}

pub async fn change_account(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: CheckedForm,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let Some(member) = own_account(&visitor)? else { return Ok(see_other(STAFF_ACCOUNT)) };
    let session = read_signed(&req, &state.cookie_key, MEMBER_COOKIE).unwrap_or_default();
    let name = form.get("display_name").to_string();
    let asked = (
        name.clone(),
        form.get("password").to_string(),
        form.get("again").to_string(),
        form.get("remove_password") == "yes",
    );
    match members::change_account(&state, &member, session, asked).await? {
        Ok(()) => Ok(see_other("/members/account?notice=saved")),
        Err(errors) => {
            let following = crate::app::networks::followed(&state, &member).await?;
            let digest = crate::app::digests::choice(&state, &member).await?;
            let page = pages::members::account(
                &visitor.frame,
                &member,
                (&name, &errors),
                (&following, digest),
                None,
            );
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let Some(member) = own_account(&visitor)? else { return Ok(see_other(STAFF_ACCOUNT)) };
    members::delete(&state, &member, form.get("remove_posts") == "yes").await?;
    let mut response = see_other("/networks");
    for cookie in [removal_cookie(MEMBER_COOKIE), renewed_csrf_cookie(&state)] {
        response.add_cookie(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
}
