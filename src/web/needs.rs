//! `GET /needs`: every need, with how many services meet it; and
//! `GET /needs/{slug}`: a need, its services and related needs.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use crate::app::listings;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<Markup, AppError> {
    let (need, services) = listings::need(&state, &slug).await?;
    Ok(pages::needs::page(&visitor.frame, &need, &services, &state.taxonomy))
}

pub async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<Markup, AppError> {
    let counts = listings::counts_per_need(&state).await?;
    Ok(pages::needs::index(&visitor.frame, &state.taxonomy, &counts))
}
