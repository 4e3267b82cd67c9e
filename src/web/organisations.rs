//! `GET /organisations/{id}`: an organisation and its services; and
//! `POST /organisations/{id}/speak`, a network member asking to speak for it.

use actix_web::web;
use maud::Markup;

use super::session::{CheckedForm, Visitor};
use crate::app::{listings, members};
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

pub async fn speak(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<OrganisationId>,
    _form: CheckedForm,
) -> Result<Markup, AppError> {
    let back = format!("/organisations/{id}");
    let member = members::acting(&state, visitor.member.clone(), visitor.user.as_ref(), &back).await?;
    let (name, before) = members::ask_to_speak(&state, &member, *id).await?;
    Ok(pages::organisations::asked_to_speak(&visitor.frame, (*id, &name), before))
}
