//! `GET /staff`: the staff home, with the review queue.

pub mod imports;
pub mod neighbourhoods;
pub mod services;

use actix_web::web;
use maud::Markup;

use super::session::Staff;
use crate::app::listings;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn home(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    let (due, count) = listings::review_queue(&state).await?;
    Ok(pages::staff::home(&staff.frame, &staff.user, &due, count, state.config.review_after_days))
}
