//! `GET /services/{id}`: a service's page.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use crate::app::listings;
use crate::domain::ids::ServiceId;
use crate::error::AppError;
use crate::pages;
use crate::pages::map::Source;
use crate::pages::services::{Around, Viewer};
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ServiceId>,
) -> Result<Markup, AppError> {
    let page = listings::service_page(&state, visitor.user.as_ref(), *id).await?;
    let map = page.map.as_ref().map(|(shape, pins)| {
        let title = format!("Map of where {} meets", page.view.details.name);
        pages::map::map(&title, std::slice::from_ref(shape), pins, Source::of(&visitor.frame))
    });
    let viewer =
        Viewer { sees_confidential: page.sees_confidential, edits: page.edits, archives: page.archives };
    let conversations = crate::app::networks::naming_service(&state, *id).await?;
    let events = crate::app::events::for_service(&state, *id).await?;
    let notices = crate::app::notices::of_service(&state, *id).await?;
    let around = Around {
        map,
        nearby: &page.nearby,
        looks_like: &page.looks_like,
        conversations: &conversations,
        events: &events,
        notices: &notices,
    };
    Ok(pages::services::page(&visitor.frame, &page.view, viewer, chrono::Utc::now(), &around))
}
