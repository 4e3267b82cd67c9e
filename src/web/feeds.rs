//! Feeds out: `/feed.atom` and `/calendar.ics` for the whole area, and the
//! same under a network, a neighbourhood and a service; a neighbourhood's
//! weekly `listings.atom`. Anyone may read them. The work is in `app::feeds`.

use actix_web::{HttpResponse, web};

use crate::app::feeds::{self, Scope};
use crate::domain::ids::ServiceId;
use crate::error::AppError;
use crate::state::AppState;

fn atom(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(body)
}

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type("text/calendar; charset=utf-8").body(body)
}

pub async fn area_atom(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Ok(atom(feeds::atom(&state, Scope::Area).await?))
}

pub async fn area_calendar(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Ok(ics(feeds::calendar(&state, Scope::Area).await?))
}

pub async fn network_atom(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(atom(feeds::atom(&state, Scope::Network(slug.into_inner())).await?))
}

pub async fn network_calendar(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(ics(feeds::calendar(&state, Scope::Network(slug.into_inner())).await?))
}

pub async fn neighbourhood_atom(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(atom(feeds::atom(&state, Scope::Neighbourhood(slug.into_inner())).await?))
}

pub async fn neighbourhood_calendar(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(ics(feeds::calendar(&state, Scope::Neighbourhood(slug.into_inner())).await?))
}

/// `GET /neighbourhoods/{slug}/listings.atom`: each week's new and changed listings.
pub async fn neighbourhood_listings(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(atom(feeds::listings(&state, slug.into_inner()).await?))
}

pub async fn service_atom(
    state: web::Data<AppState>,
    id: web::Path<ServiceId>,
) -> Result<HttpResponse, AppError> {
    Ok(atom(feeds::atom(&state, Scope::Service(id.into_inner())).await?))
}

pub async fn service_calendar(
    state: web::Data<AppState>,
    id: web::Path<ServiceId>,
) -> Result<HttpResponse, AppError> {
    Ok(ics(feeds::calendar(&state, Scope::Service(id.into_inner())).await?))
}
