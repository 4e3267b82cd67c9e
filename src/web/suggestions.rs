//! `/services/{id}/suggest` and `/needs/{slug}/suggest`: suggestions from
//! the public, for a connector to look at. Anyone may; the work is in
//! `app::listings::suggestions`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::connections::client_address;
use super::session::{CheckedForm, Visitor};
use super::{QueryPairs, page_with_status, see_other};
use crate::app::listings::suggestions;
use crate::domain::ids::ServiceId;
use crate::domain::proposals::SuggestionForm;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages::suggestions::{About, form};
use crate::state::AppState;

fn suggestion_form(posted: &CheckedForm) -> SuggestionForm {
    SuggestionForm {
        service_name: posted.get("service_name").into(),
        message: posted.get("message").into(),
        email: posted.get("email").into(),
        honeypot: posted.get("website").into(),
    }
}

fn address(req: &HttpRequest, state: &AppState) -> String {
    client_address(req, &state.config).map_or_else(|| String::from("unknown"), |a| a.to_string())
}

fn shown(
    visitor: &Visitor,
    about: &About<'_>,
    typed: &SuggestionForm,
    errors: &FieldErrors,
    sent: bool,
) -> HttpResponse {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page_with_status(status, form(&visitor.frame, about, typed, errors, sent))
}

pub async fn service_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ServiceId>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let name = suggestions::about(&state, *id).await?;
    let path = format!("/services/{id}");
    let about = About::Service { path: &path, name: &name };
    Ok(shown(&visitor, &about, &SuggestionForm::default(), &FieldErrors::default(), query.get("sent") == "1"))
}

pub async fn service_send(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<ServiceId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let typed = suggestion_form(&posted);
    match suggestions::suggest(&state, (Some(*id), None), &typed, &address(&req, &state)).await? {
        Ok(()) => Ok(see_other(&format!("/services/{id}/suggest?sent=1"))),
        Err(errors) => {
            let name = suggestions::about(&state, *id).await?;
            let path = format!("/services/{id}");
            Ok(shown(&visitor, &About::Service { path: &path, name: &name }, &typed, &errors, false))
        }
    }
}

pub async fn need_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let need = state.taxonomy.by_slug(&slug).cloned().ok_or(AppError::NotFound)?;
    let path = format!("/needs/{}", need.slug);
    let about = About::Need { path: &path, label: &need.label };
    Ok(shown(&visitor, &about, &SuggestionForm::default(), &FieldErrors::default(), query.get("sent") == "1"))
}

pub async fn need_send(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let need = state.taxonomy.by_slug(&slug).cloned().ok_or(AppError::NotFound)?;
    let typed = suggestion_form(&posted);
    let path = format!("/needs/{}", need.slug);
    match suggestions::suggest(&state, (None, Some(&need.label)), &typed, &address(&req, &state)).await? {
        Ok(()) => Ok(see_other(&format!("{path}/suggest?sent=1"))),
        Err(errors) => {
            Ok(shown(&visitor, &About::Need { path: &path, label: &need.label }, &typed, &errors, false))
        }
    }
}
