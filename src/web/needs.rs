//! `GET /needs/{slug}`: a need and its services.

use actix_web::web;
use maud::Markup;

use super::db;
use super::session::Visitor;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;
use crate::store::{StoreError, listings, needs};

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<Markup, AppError> {
    let slug = slug.into_inner();
    let (need, services) = db(&state, move |conn| {
        let need = needs::all(conn)?.into_iter().find(|n| n.slug == slug).ok_or(StoreError::NotFound)?;
        let services = listings::services_for_need(conn, &need.slug, 500)?;
        Ok((need, services))
    })
    .await?;
    Ok(pages::needs::page(&visitor.frame, &need, &services))
}
