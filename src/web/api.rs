//! `GET /api/search`: the project's own JSON search API, and
//! `GET /api/openapi.json`, its description. Every parameter is checked; a bad
//! one gets a 400 with `{"error": "...", "field": "..."}` (errors under `/api`
//! are drawn as JSON, and every answer allows any origin: see `web::routes`).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::QueryPairs;
use crate::app;
use crate::domain::needs::Need;
use crate::domain::search::{Group, Hit, Place, SearchRequest};
use crate::error::AppError;
use crate::state::AppState;

/// The OpenAPI document, kept beside this file.
const OPENAPI: &str = include_str!("openapi.json");

pub async fn search(state: web::Data<AppState>, query: QueryPairs) -> Result<HttpResponse, AppError> {
    let request = SearchRequest::from_query(&query.0, &state.taxonomy).map_err(AppError::Invalid)?;
    let (page, per_page) = (request.page, request.per_page);
    let answer = app::search::search(&state, request).await?;
    let results = &answer.results;
    Ok(HttpResponse::Ok().json(SearchOut {
        total: results.total,
        close: results.close,
        urgent: results.urgent,
        understood: &results.understood,
        page,
        per_page,
        place: answer.place.as_ref().map(PlaceOut::from),
        results: results.results.iter().map(HitOut::from).collect(),
        groups: results.groups.iter().map(GroupOut::from).collect(),
        unmet: &results.unmet,
        facets: FacetsOut {
            needs: Counts(&results.facets.needs),
            delivery: Counts(&results.facets.delivery),
            free: results.facets.free,
        },
    }))
}

/// The resolved place, as the response shows it.
#[derive(Serialize)]
struct PlaceOut<'a> {
    label: &'a str,
    latitude: f64,
    longitude: f64,
    /// Said when the place is not quite what was asked for (a district's
    /// centre for an unknown postcode, a postcode no longer in use).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl<'a> From<&'a Place> for PlaceOut<'a> {
    fn from(p: &'a Place) -> Self {
        PlaceOut {
            label: &p.label,
            latitude: p.latitude,
            longitude: p.longitude,
            message: p.message.as_deref(),
        }
    }
}

/// One result, as the response shows it.
#[derive(Serialize)]
struct HitOut<'a> {
    id: String,
    name: &'a str,
    organisation: &'a str,
    url: &'a str,
    distance_m: Option<u32>,
    reach: Option<&'a str>,
    needs: &'a [String],
    referral: &'a str,
    capacity: Option<&'a str>,
    why: &'a [String],
    next_session: Option<&'a str>,
    /// The neighbouring area whose directory lists it, when not this area's own.
    listed_by: Option<&'a str>,
    score: f32,
}

impl<'a> From<&'a Hit> for HitOut<'a> {
    fn from(hit: &'a Hit) -> Self {
        HitOut {
            id: hit.id.to_string(),
            name: &hit.name,
            organisation: &hit.organisation,
            url: &hit.url,
            distance_m: hit.distance_m,
            reach: hit.reach.as_deref(),
            needs: &hit.needs,
            referral: hit.referral,
            capacity: hit.capacity,
            why: &hit.why,
            next_session: hit.next_session.as_deref(),
            listed_by: hit.listed_by.as_deref(),
            score: hit.score,
        }
    }
}

/// One need's group, as the response shows it.
#[derive(Serialize)]
struct GroupOut<'a> {
    need: &'a str,
    label: &'a str,
    total: u64,
    results: Vec<HitOut<'a>>,
}

impl<'a> From<&'a Group> for GroupOut<'a> {
    fn from(group: &'a Group) -> Self {
        GroupOut {
            need: &group.need,
            label: &group.label,
            total: group.total,
            results: group.results.iter().map(HitOut::from).collect(),
        }
    }
}

/// The response of `GET /api/search`, as `openapi.json` describes it.
#[derive(Serialize)]
struct SearchOut<'a> {
    total: u64,
    close: u64,
    urgent: bool,
    understood: &'a [String],
    page: usize,
    per_page: usize,
    place: Option<PlaceOut<'a>>,
    results: Vec<HitOut<'a>>,
    groups: Vec<GroupOut<'a>>,
    unmet: &'a [String],
    facets: FacetsOut<'a>,
}

#[derive(Serialize)]
struct FacetsOut<'a> {
    needs: Counts<'a>,
    delivery: Counts<'a>,
    free: u64,
}

/// Counts as an object of name to count, in the order they were counted.
struct Counts<'a>(&'a [(String, u64)]);

impl Serialize for Counts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, count)| (name, count)))
    }
}

pub async fn openapi(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let body = document(&state.taxonomy).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// The OpenAPI document, with this site's needs as the values `need` takes,
/// so that the document says exactly what `SearchRequest::from_query` accepts.
pub fn document(needs: &[Need]) -> Result<String, serde_json::Error> {
    let mut document: serde_json::Value = serde_json::from_str(OPENAPI)?;
    let slugs: Vec<serde_json::Value> = needs.iter().map(|n| n.slug.clone().into()).collect();
    let parameters =
        document.pointer_mut("/paths/~1api~1search/get/parameters").and_then(|p| p.as_array_mut());
    for parameter in parameters.into_iter().flatten() {
        if parameter["name"] == "need" {
            parameter["schema"]["items"]["enum"] = serde_json::Value::Array(slugs.clone());
        }
    }
    serde_json::to_string_pretty(&document)
}
