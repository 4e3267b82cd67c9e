//! `/openreferral/`: the Open Referral UK 3.0 API, for other systems to read
//! the directory. Anyone may (no key, any origin); errors are JSON. Every
//! answer carries an `ETag` (a hash of its body) and, where it shows
//! listings, `Last-Modified`; a client that sends either back is answered
//! 304 when nothing changed.

use actix_web::http::header::{
    self, CacheControl, CacheDirective, ETag, EntityTag, HttpDate, IfModifiedSince, IfNoneMatch, LastModified,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::{NaiveDateTime, SubsecRound};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::QueryPairs;
use crate::app::openreferral::{self as feed, Answer, TermFilter};
use crate::domain::ids::{NeedId, OrganisationId, ServiceAtLocationId, ServiceId};
use crate::domain::openreferral::query::{ListQuery, paging, words};
use crate::domain::text::FieldProblem;
use crate::error::AppError;
use crate::state::AppState;

/// `GET /openreferral/`: which standard and profile this API follows.
pub async fn root(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    answer(&req, &feed::publisher(&state).api_details(), None)
}

pub async fn services(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let query = ListQuery::read(&query.0, &state.taxonomy).map_err(AppError::Invalid)?;
    Ok(answered(&req, feed::services(&state, query).await?))
}

pub async fn service(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<ServiceId>,
) -> Result<HttpResponse, AppError> {
    Ok(answered(&req, feed::service(&state, *id).await?))
}

pub async fn places(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let query = ListQuery::read(&query.0, &state.taxonomy).map_err(AppError::Invalid)?;
    Ok(answered(&req, feed::places(&state, query).await?))
}

pub async fn place(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<ServiceAtLocationId>,
) -> Result<HttpResponse, AppError> {
    Ok(answered(&req, feed::place(&state, *id).await?))
}

pub async fn organisations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let paging = paging(&query.0).map_err(AppError::Invalid)?;
    Ok(answered(&req, feed::organisations(&state, words(&query.0), paging).await?))
}

pub async fn organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
) -> Result<HttpResponse, AppError> {
    Ok(answered(&req, feed::organisation(&state, *id).await?))
}

pub async fn taxonomies(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let paging = paging(&query.0).map_err(AppError::Invalid)?;
    Ok(answer(&req, &feed::taxonomies(&state, paging), None))
}

pub async fn taxonomy(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(answer(&req, &feed::taxonomy(&state, id)?, None))
}

pub async fn terms(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let paging = paging(&query.0).map_err(AppError::Invalid)?;
    let id = |field: &'static str| -> Result<Option<uuid::Uuid>, AppError> {
        let value = query.get(field).trim();
        if value.is_empty() {
            return Ok(None);
        }
        value.parse().map(Some).map_err(|_| {
            AppError::Invalid(FieldProblem {
                field,
                message: format!("{field} is a UUID, like {}", uuid::Uuid::nil()),
            })
        })
    };
    let filter = TermFilter {
        taxonomy: id("taxonomy_id")?,
        parent: id("parent_id")?.map(NeedId),
        top_only: matches!(query.get("top_only"), "true" | "1"),
    };
    Ok(answer(&req, &feed::terms(&state, filter, paging), None))
}

pub async fn term(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(answer(&req, &feed::term(&state, id)?, None))
}

fn answered<T: Serialize>(req: &HttpRequest, answer: Answer<T>) -> HttpResponse {
    self::answer(req, &answer.body, answer.last_modified)
}

/// The JSON answer, or 304 when the client already has it.
fn answer<T: Serialize>(req: &HttpRequest, body: &T, last_modified: Option<NaiveDateTime>) -> HttpResponse {
    let bytes = match serde_json::to_vec(body) {
        Ok(bytes) => bytes,
        Err(e) => return actix_web::ResponseError::error_response(&AppError::Internal(e.to_string())),
    };
    let digest = Sha256::digest(&bytes);
    let tag = EntityTag::new_strong(digest[..16].iter().map(|b| format!("{b:02x}")).collect());
    // HTTP dates are to the second.
    let modified =
        last_modified.map(|at| HttpDate::from(std::time::SystemTime::from(at.and_utc().trunc_subsecs(0))));
    let unchanged = unchanged(req, &tag, modified);
    let mut response = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header(ETag(tag))
        // Anyone may keep a copy, but must ask again (with the tag) before using it.
        .insert_header(CacheControl(vec![CacheDirective::Public, CacheDirective::NoCache]));
    if let Some(modified) = modified {
        response.insert_header(LastModified(modified));
    }
    if unchanged {
        return response.finish();
    }
    response.content_type(header::ContentType::json()).body(bytes)
}

/// Whether the client's copy is current: its tag matches (`If-None-Match`
/// wins when sent), or nothing changed since the date it has.
fn unchanged(req: &HttpRequest, tag: &EntityTag, modified: Option<HttpDate>) -> bool {
    if let Some(matching) = req.get_header::<IfNoneMatch>() {
        return match matching {
            IfNoneMatch::Any => true,
            IfNoneMatch::Items(tags) => tags.iter().any(|t| t.weak_eq(tag)),
        };
    }
    match (req.get_header::<IfModifiedSince>(), modified) {
        (Some(IfModifiedSince(since)), Some(modified)) => {
            std::time::SystemTime::from(modified) <= std::time::SystemTime::from(since)
        }
        _ => false,
    }
}
