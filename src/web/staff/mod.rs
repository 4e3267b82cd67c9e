//! `GET /staff`: the staff home, with the review queue; and what one person
//! changed. The forms are in a file each.

pub mod imports;
pub mod neighbourhoods;
pub mod organisations;
pub mod services;
pub mod venues;

use actix_web::web;
use maud::Markup;

use super::session::Staff;
use crate::app::listings;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// `GET /staff/users/{id}/history`: what one person changed.
pub async fn person_history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<crate::domain::ids::UserId>,
) -> Result<Markup, AppError> {
    let (name, changes) = listings::history_of_person(&state, &staff.user, *id).await?;
    Ok(pages::staff::history::person(&staff.frame, &name, &changes, &state.taxonomy))
}

pub async fn home(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    let (due, count) = listings::review_queue(&state).await?;
    Ok(pages::staff::home(&staff.frame, &staff.user, &due, count, state.config.review_after_days))
}
