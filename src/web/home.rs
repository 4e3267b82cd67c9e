//! `GET /`: the home page.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<Markup, AppError> {
    // An example is a nicety: without one, the hint says what a postcode is.
    let example = crate::app::search::example_postcode(&state).await.ok().flatten();
    Ok(pages::home::page(&visitor.frame, &state.taxonomy, state.area_name(), example.as_deref()))
}
