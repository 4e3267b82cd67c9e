//! `/follow-up/{token}`: the citizen's answer to "did you get the help you
//! needed?". A link in the email opens the page with the answer it names
//! chosen, and one button sends it: a GET never records anything, since mail
//! systems open links to check them. The page also changes an answer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::api::query_pairs;
use super::session::{CheckedForm, Visitor};
use super::{db, page_with_status, see_other};
use crate::domain::signposting::Outcome;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;
use crate::store::signposting;

fn read_answer(code: &str) -> Result<Outcome, AppError> {
    Outcome::from_code(code)
        .ok_or_else(|| AppError::BadRequest(String::from("Choose one of the answers on the page.")))
}

async fn record(state: &AppState, token: String, answer: Outcome) -> Result<(), AppError> {
    let found =
        db(state, move |conn| signposting::answer_follow_up(conn, &token, answer, Utc::now().naive_utc()))
            .await?;
    if found { Ok(()) } else { Err(AppError::NotFound) }
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let chosen = match query_pairs(&req).into_iter().find(|(k, _)| k == "answer") {
        Some((_, code)) => Some(read_answer(&code)?),
        None => None,
    };
    let answer = {
        let token = token.clone();
        db(&state, move |conn| signposting::follow_up_answer(conn, &token))
            .await?
            .ok_or(AppError::NotFound)?
    };
    Ok(page_with_status(StatusCode::OK, pages::follow_up::page(&visitor.frame, &token, answer, chosen)))
}

pub async fn answer(
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    record(&state, token.clone(), read_answer(form.get("answer"))?).await?;
    Ok(see_other(&format!("/follow-up/{token}")))
}
