//! `GET /places/{id}`: a local entry point's page. The work is in
//! `app::listings::places`.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use crate::app::listings::places;
use crate::domain::ids::LocationId;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<LocationId>,
) -> Result<Markup, AppError> {
    let place = places::page(&state, *id).await?;
    Ok(pages::places::page(&visitor.frame, &place, chrono::Utc::now().date_naive()))
}
