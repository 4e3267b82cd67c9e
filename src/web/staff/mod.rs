//! `GET /staff`: the staff home, with the review queue.

pub mod neighbourhoods;
pub mod services;

use actix_web::web;
use chrono::{Duration, Utc};
use maud::Markup;

use super::db;
use super::session::Staff;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;
use crate::store::service_lists;

/// How many listings due for review the staff home shows.
const QUEUE_LENGTH: i64 = 25;

pub async fn home(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    let days = state.config.review_after_days;
    let before = Utc::now().naive_utc() - Duration::days(i64::from(days));
    let (due, count) = db(&state, move |conn| {
        Ok((
            service_lists::due_for_review(conn, before, QUEUE_LENGTH)?,
            service_lists::count_due_for_review(conn, before)?,
        ))
    })
    .await?;
    Ok(pages::staff::home(&staff.frame, &staff.user, &due, count, days))
}
