//! `/password/{token}`: choosing a password through a one-time link from an
//! invitation or a reset. GET only shows the form (mail systems open links
//! to check them); its button POSTs.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::page_with_status;
use super::session::{CheckedForm, Visitor};
use crate::app::accounts;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let about = accounts::password_link(&state, token.clone()).await?;
    let page =
        pages::password::page(&visitor.frame, &token, (&about.0, about.1), &FieldErrors::default(), false);
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn choose(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let about = accounts::password_link(&state, token.clone()).await?;
    let (password, again) = (posted.get("password").to_string(), posted.get("again").to_string());
    match accounts::use_password_link(&state, token.clone(), password, again).await? {
        Ok(()) => Ok(page_with_status(
            StatusCode::OK,
            pages::password::page(&visitor.frame, &token, (&about.0, about.1), &FieldErrors::default(), true),
        )),
        Err(errors) => Ok(page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::password::page(&visitor.frame, &token, (&about.0, about.1), &errors, false),
        )),
    }
}
