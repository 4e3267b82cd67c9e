//! `/staff/users/...`: administrators inviting colleagues and changing,
//! disabling and resetting accounts; and `/staff/account`: everyone's own
//! password and sessions. The work is in `app::accounts`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, SESSION_COOKIE, Staff, read_signed};
use super::super::{QueryPairs, page_with_status, see_other};
use crate::app::accounts;
use crate::domain::accounts::AccountForm;
use crate::domain::ids::UserId;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages::staff::users::{self as pages, FormMode};
use crate::state::AppState;

fn account_form(posted: &CheckedForm) -> AccountForm {
    AccountForm {
        name: posted.get("name").into(),
        email: posted.get("email").into(),
        role: posted.get("role").into(),
        organisation: posted.get("organisation").into(),
        neighbourhoods: posted.all("neighbourhoods"),
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    mode: &FormMode<'_>,
    form: &AccountForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (organisations, hoods) = accounts::account_choices(state, &staff.user).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(page_with_status(status, pages::form(&staff.frame, mode, form, errors, (&organisations, &hoods))))
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    let all = accounts::accounts(&state, &staff.user).await?;
    Ok(pages::index(&staff.frame, &all))
}

pub async fn new(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let form = AccountForm { role: String::from("advisor"), ..AccountForm::default() };
    form_page(&state, &staff, &FormMode::New, &form, &FieldErrors::default()).await
}

pub async fn invite(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = account_form(&posted);
    match accounts::invite(&state, &staff.user, &form).await? {
        Ok(id) => Ok(see_other(&format!("/staff/users/{id}/edit?done=invited"))),
        Err(errors) => form_page(&state, &staff, &FormMode::New, &form, &errors).await,
    }
}

/// What the last action on an account did, as its page says.
fn notice(done: &str) -> Option<&'static str> {
    match done {
        "invited" => Some("The invitation is on its way."),
        "saved" => Some("The account is saved."),
        "disabled" => Some("The account is disabled: they have been signed out everywhere."),
        "enabled" => Some("The account is enabled again."),
        "reset" => Some("A link to choose a new password is on its way."),
        _ => None,
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<UserId>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let account = accounts::account(&state, &staff.user, *id).await?;
    let u = &account.user;
    let form = AccountForm {
        name: u.name.clone(),
        email: u.email.clone(),
        role: u.role.code().into(),
        organisation: u.organisation.map(|o| o.to_string()).unwrap_or_default(),
        neighbourhoods: u.neighbourhoods.iter().map(ToString::to_string).collect(),
    };
    let mode = FormMode::Edit { account: &account, notice: notice(query.get("done")) };
    form_page(&state, &staff, &mode, &form, &FieldErrors::default()).await
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<UserId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = account_form(&posted);
    match accounts::change_account(&state, &staff.user, *id, &form).await? {
        Ok(()) => Ok(see_other(&format!("/staff/users/{id}/edit?done=saved"))),
        Err(errors) => {
            let account = accounts::account(&state, &staff.user, *id).await?;
            form_page(&state, &staff, &FormMode::Edit { account: &account, notice: None }, &form, &errors)
                .await
        }
    }
}

pub async fn disable(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<UserId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    accounts::disable(&state, &staff.user, *id, true).await?;
    Ok(see_other(&format!("/staff/users/{id}/edit?done=disabled")))
}

pub async fn enable(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<UserId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    accounts::disable(&state, &staff.user, *id, false).await?;
    Ok(see_other(&format!("/staff/users/{id}/edit?done=enabled")))
}

pub async fn reset(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<UserId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    accounts::send_reset(&state, &staff.user, *id).await?;
    Ok(see_other(&format!("/staff/users/{id}/edit?done=reset")))
}

/// The session this request was made in.
fn session_of(req: &HttpRequest, state: &AppState) -> String {
    read_signed(req, &state.cookie_key, SESSION_COOKIE).unwrap_or_default()
}

async fn account_page(
    state: &AppState,
    staff: &Staff,
    req: &HttpRequest,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let sessions = accounts::sessions(state, &staff.user, &session_of(req, state)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(page_with_status(status, pages::account(&staff.frame, staff.user.id, &sessions, errors, notice)))
}

pub async fn own(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let notice = match query.get("done") {
        "password" => Some("Your password is changed. You have been signed out everywhere else."),
        "ended" => Some("That session has ended."),
        _ => None,
    };
    account_page(&state, &staff, &req, &FieldErrors::default(), notice).await
}

pub async fn change_password(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let typed = (
        posted.get("current").to_string(),
        posted.get("password").to_string(),
        posted.get("again").to_string(),
    );
    match accounts::change_password(&state, &staff.user, session_of(&req, &state), typed).await? {
        Ok(()) => Ok(see_other("/staff/account?done=password")),
        Err(errors) => account_page(&state, &staff, &req, &errors, None).await,
    }
}

pub async fn end_session(
    state: web::Data<AppState>,
    staff: Staff,
    handle: web::Path<String>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    accounts::end_session(&state, &staff.user, handle.into_inner()).await?;
    Ok(see_other("/staff/account?done=ended"))
}
