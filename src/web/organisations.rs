//! `GET /organisations/{id}`: an organisation and its services.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use crate::app::listings;
use crate::domain::ids::OrganisationId;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<OrganisationId>,
) -> Result<Markup, AppError> {
    let (view, edits) = listings::organisation(&state, visitor.user.as_ref(), *id).await?;
    let conversations = crate::app::networks::naming_organisation(&state, *id).await?;
    let events = crate::app::events::for_organisation(&state, *id).await?;
    Ok(pages::organisations::page(&visitor.frame, &view, edits, (&events, &conversations)))
}
