//! `GET /organisations/{id}`: an organisation and its services.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use super::{db, path_id};
use crate::domain::ids::OrganisationId;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;
use crate::store::organisations;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<Markup, AppError> {
    let id: OrganisationId = path_id(&id)?;
    let view = db(&state, move |conn| organisations::view(conn, id)).await?;
    Ok(pages::organisations::page(&visitor.frame, &view))
}
