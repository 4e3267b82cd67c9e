//! `GET /search`: the results page, with the same parameters as
//! `/api/search`. A parameter that cannot be used is answered on the same
//! page, the field marked and the text kept.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::api::{self, ApiError};
use super::session::Visitor;
use super::{db, page_with_status, see_other};
use crate::domain::ids::ServiceId;
use crate::error::AppError;
use crate::pages;
use crate::pages::search::{Asked, FieldProblem, Results};
use crate::state::AppState;
use crate::store::service_lists;

/// A printable list holds this many results.
const PRINTED: usize = 100;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let pairs = api::query_pairs(&req);
    let asked = Asked::from_pairs(&pairs);
    // Nothing asked (what or where): back to the question.
    if asked.is_empty() {
        return Ok(see_other("/"));
    }
    let needs = &state.search.needs;
    let refused = |error: &ApiError| {
        let problem = FieldProblem { field: error.field(), message: error.message() };
        let results = Results {
            asked: &asked,
            needs,
            place: None,
            total: 0,
            per_page: 1,
            hits: &[],
            groups: &[],
            unmet: &[],
            details: &Default::default(),
            problem: Some(problem),
        };
        page_with_status(StatusCode::BAD_REQUEST, pages::search::results(&visitor.frame, &results))
    };
    let (mut query, postcode) = match api::read_query(&tidy(&pairs), needs) {
        Ok(read) => read,
        Err(error) => return Ok(refused(&error)),
    };
    if asked.print {
        (query.page, query.per_page) = (1, PRINTED);
    }
    let place = match api::resolve_place(&state, &mut query, postcode).await {
        Ok(place) => place,
        Err(error) if error.status().is_client_error() => return Ok(refused(&error)),
        Err(_) => return Err(AppError::Unavailable),
    };
    let found = state.search.search(&query, Utc::now()).map_err(|e| AppError::Internal(e.to_string()))?;
    let ids: Vec<ServiceId> = found
        .results
        .iter()
        .chain(found.groups.iter().flat_map(|g| g.results.iter()))
        .filter_map(|hit| hit.id.parse().ok())
        .collect();
    let details = db(&state, move |conn| service_lists::result_details(conn, &ids)).await?;
    let results = Results {
        asked: &asked,
        needs,
        // A point comes from "Use my location": say so, not its coordinates.
        place: place.map(|p| {
            if asked.postcode.trim().is_empty() {
                (String::from("your location"), None)
            } else {
                (p.label, p.message)
            }
        }),
        total: found.total,
        per_page: query.per_page,
        hits: &found.results,
        groups: &found.groups,
        unmet: &found.unmet,
        details: &details,
        problem: None,
    };
    Ok(page_with_status(StatusCode::OK, pages::search::results(&visitor.frame, &results)))
}

/// What the page's form sends, as `/api/search` takes it: the form leaves
/// fields empty and ticks boxes with any of the usual words, people type days
/// in capitals and postcodes with spaces around them; the API takes exact
/// values only. A word that is neither yes nor no is passed on, for the API
/// to name the field it is in.
fn tidy(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(key, value)| {
            let value = if key == "q" { value.clone() } else { value.trim().to_string() };
            let value = match key.as_str() {
                "free" | "step_free" | "taking_new" => match value.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => String::from("true"),
                    "0" | "false" | "no" | "off" => return None,
                    _ => value,
                },
                "open" => value.to_ascii_lowercase(),
                _ => value,
            };
            (!value.is_empty()).then(|| (key.clone(), value))
        })
        .collect()
}
