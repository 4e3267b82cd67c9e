//! `GET /`: the home page.

use actix_web::web;
use maud::Markup;

use super::db;
use super::session::Visitor;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;
use crate::store::{listings, needs};

pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<Markup, AppError> {
    let (all_needs, counts) =
        db(&state, |conn| Ok((needs::all(conn)?, listings::running_services_per_need(conn)?))).await?;
    let borough = state.demo.as_deref().unwrap_or("your area");
    Ok(pages::home::page(&visitor.frame, &all_needs, &counts, borough))
}
