//! `/staff/networks/{slug}/sources` and `/staff/sources/{id}`: the feeds,
//! calendars and forums a network follows, following another, and each
//! one's status, read now or stopped. The work, and who may do it (those
//! who moderate the network), is in `app::sources`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{page_with_status, see_other};
use crate::app::sources;
use crate::domain::ids::SourceId;
use crate::domain::sources::SourceForm;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// `GET /staff/networks/{slug}/sources`.
pub async fn index(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
) -> Result<Markup, AppError> {
    let (network, followed) = sources::of_network(&state, &staff.user, slug.into_inner()).await?;
    let form = SourceForm::default();
    Ok(pages::staff::sources::index(&staff.frame, &network, &followed, &form, &FieldErrors::default()))
}

/// `POST /staff/networks/{slug}/sources`: follow one.
pub async fn follow(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let form = SourceForm {
        kind: posted.get("kind").into(),
        name: posted.get("name").into(),
        url: posted.get("url").into(),
    };
    match sources::follow(&state, &staff.user, slug.clone(), &form).await? {
        Ok(id) => Ok(see_other(&format!("/staff/sources/{id}"))),
        Err(errors) => {
            let (network, followed) = sources::of_network(&state, &staff.user, slug).await?;
            let page = pages::staff::sources::index(&staff.frame, &network, &followed, &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

/// `GET /staff/sources/{id}`: how it is read.
pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SourceId>,
) -> Result<Markup, AppError> {
    let source = sources::status(&state, &staff.user, id.into_inner()).await?;
    Ok(pages::staff::sources::status(&staff.frame, &source))
}

/// `POST /staff/sources/{id}/read`: read it at the next chance.
pub async fn read_now(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SourceId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    sources::read_soon(&state, &staff.user, id).await?;
    Ok(see_other(&format!("/staff/sources/{id}")))
}

/// `POST /staff/sources/{id}/stop`: follow it no more.
pub async fn stop(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SourceId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = sources::stop(&state, &staff.user, id.into_inner()).await?;
    Ok(see_other(&format!("/staff/networks/{slug}/sources")))
}
