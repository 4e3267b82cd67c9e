//! `/reminders/{token}`: an organisation answering a reminder without
//! signing in. GET only shows the page (mail systems open links to check
//! them); each answer's button POSTs, and is taken once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Visitor};
use super::{QueryPairs, page_with_status, see_other};
use crate::app::listings::reminders;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let view = reminders::show(&state, token.clone()).await?;
    let notice = (query.get("done") == "1").then_some("Thank you: your answer is saved.");
    let page =
        pages::reminders::page(&visitor.frame, &token, &view, &FieldErrors::default(), ("", ""), notice);
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn answer(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let service = posted.get("service").to_string();
    let change = posted.get(&format!("change-{service}")).to_string();
    match reminders::answer(&state, token.clone(), &service, posted.get("answer"), &change).await? {
        Ok(()) => Ok(see_other(&format!("/reminders/{token}?done=1"))),
        Err(errors) => {
            let view = reminders::show(&state, token.clone()).await?;
            let page =
                pages::reminders::page(&visitor.frame, &token, &view, &errors, (&service, &change), None);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}
