//! `/follow-up/{token}`: the citizen's answer to "did you get the help you
//! needed?". A link in the email opens the page with the answer it names
//! chosen, and one button sends it: a GET never records anything, since mail
//! systems open links to check them. The page also changes an answer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Visitor};
use super::{QueryPairs, page_with_status, see_other};
use crate::app::signposting;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// `GET`: the question, with the answer the link named chosen.
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let chosen = query.0.iter().find(|(k, _)| k == "answer").map(|(_, code)| code.as_str());
    let (answer, chosen) = signposting::follow_up(&state, token.clone(), chosen).await?;
    Ok(page_with_status(StatusCode::OK, pages::follow_up::page(&visitor.frame, &token, answer, chosen)))
}

/// `POST`: the answer, recorded.
pub async fn answer(
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    signposting::answer_follow_up(&state, token.clone(), form.get("answer")).await?;
    Ok(see_other(&format!("/follow-up/{token}")))
}
