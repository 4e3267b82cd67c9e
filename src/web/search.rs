//! `GET /search`: the results page, with the same parameters as
//! `/api/search`. A parameter that cannot be used is answered on the same
//! page, the field marked and the text kept.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::Visitor;
use super::{QueryPairs, page_with_status, see_other};
use crate::app;
use crate::domain::search::Asked;
use crate::error::AppError;
use crate::pages;
use crate::pages::search::Results;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let asked = Asked::from_pairs(&query.0);
    // Nothing asked (what or where): back to the question.
    if asked.is_empty() {
        return Ok(see_other("/"));
    }
    let example = app::search::example_postcode(&state).await.ok().flatten();
    let answered = app::search::results_page(&state, &query.0, asked.print).await;
    let mut results = Results {
        asked: &asked,
        needs: &state.taxonomy,
        place: None,
        total: 0,
        per_page: 1,
        hits: &[],
        groups: &[],
        unmet: &[],
        details: &Default::default(),
        problem: None,
        places: &[],
        close: 0,
        understood: &[],
        urgent: None,
        example_postcode: example.as_deref(),
        activity: None,
    };
    let app::search::ResultsPage { answer, details, activity } = match answered {
        Ok(answered) => answered,
        Err(error) => {
            let Some(problem) = error.field() else { return Err(error) };
            results.problem = Some(problem);
            // A search that could not be answered still puts urgent help first.
            results.urgent = app::search::urgent_in(&asked.q).then_some(&state.config.urgent);
            let page = pages::search::results(&visitor.frame, &results);
            return Ok(page_with_status(StatusCode::BAD_REQUEST, page));
        }
    };
    let point = answer.place.as_ref().map(|p| (p.latitude, p.longitude));
    let places = app::listings::places::for_search(&state, point, &asked.q).await?;
    let results = Results {
        places: &places,
        // A point comes from "Use my location": say so, not its coordinates.
        place: answer.place.map(|p| {
            if asked.postcode.trim().is_empty() {
                (String::from("your location"), None)
            } else {
                (p.label, p.message)
            }
        }),
        total: answer.results.total,
        close: answer.results.close,
        urgent: answer.results.urgent.then_some(&state.config.urgent),
        understood: &answer.results.understood,
        per_page: answer.per_page,
        hits: &answer.results.results,
        groups: &answer.results.groups,
        unmet: &answer.results.unmet,
        details: &details,
        activity: Some(&activity),
        ..results
    };
    Ok(page_with_status(StatusCode::OK, pages::search::results(&visitor.frame, &results)))
}
