//! `GET /services/{id}`: a service's page.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use super::{db, path_id};
use crate::domain::ids::ServiceId;
use crate::error::AppError;
use crate::pages;
use crate::pages::services::Viewer;
use crate::state::AppState;
use crate::store::listings;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<Markup, AppError> {
    let id: ServiceId = path_id(&id)?;
    let (view, scope) =
        db(&state, move |conn| Ok((listings::service_view(conn, id)?, listings::service_scope(conn, id)?)))
            .await?;
    let viewer = match &visitor.user {
        Some(user) => Viewer {
            sees_confidential: user.may_see_confidential(),
            edits: user.may_edit_listing(scope.0, &scope.1),
        },
        None => Viewer::default(),
    };
    Ok(pages::services::page(&visitor.frame, &view, viewer, chrono::Utc::now()))
}
