//! `GET /needs`: every need, with how many services meet it; and
//! `GET /needs/{slug}`: a need, its services and related needs.

use actix_web::web;
use maud::Markup;

use super::db;
use super::session::Visitor;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;
use crate::store::{StoreError, needs, service_lists};

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<Markup, AppError> {
    let slug = slug.into_inner();
    let (need, services) = db(&state, move |conn| {
        let need = needs::all(conn)?.into_iter().find(|n| n.slug == slug).ok_or(StoreError::NotFound)?;
        let services = service_lists::for_need(conn, &need.slug, 500)?;
        Ok((need, services))
    })
    .await?;
    let all = &state.search.needs;
    Ok(pages::needs::page(&visitor.frame, &need, &services, all))
}

pub async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<Markup, AppError> {
    let counts = db(&state, service_lists::running_per_need).await?;
    Ok(pages::needs::index(&visitor.frame, &state.search.needs, &counts))
}
