//! Searching: the citizen's results page, the search API and a service's
//! neighbours all search through here, with one request type.

use std::collections::HashMap;

use chrono::Utc;

use super::db;
use crate::domain::ids::ServiceId;
use crate::domain::search::{
    ACTIVITY_RADIUS_M, ActivityAsk, FoundActivity, Place, SearchRequest, SearchResults,
};
use crate::domain::text::FieldProblem;
use crate::domain::views::ResultDetails;
use crate::error::AppError;
use crate::geo::postcode;
use crate::jobs::activity_sync;
use crate::state::AppState;
use crate::store::{postcodes, service_lists};

/// A printable list holds this many results.
const PRINTED: usize = 100;

/// A search answered: where from, how many a page holds, and what was found.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub place: Option<Place>,
    pub per_page: usize,
    pub results: SearchResults,
}

/// Finds the place a request names and puts it in the request: its point,
/// or the postcode's. A postcode that cannot be found, however it is
/// written, is `NoSuch` (404).
pub async fn locate(state: &AppState, request: &mut SearchRequest) -> Result<Option<Place>, AppError> {
    let mut place = request.point.map(|(latitude, longitude)| Place {
        label: format!("{latitude:.5}, {longitude:.5}"),
        latitude,
        longitude,
        message: None,
    });
    if let Some(text) = request.postcode.clone() {
        let not_found = |message: String| AppError::NoSuch(FieldProblem { field: "postcode", message });
        let parsed = postcode::parse(&text).map_err(|e| not_found(e.to_string()))?;
        let located = db(state, move |conn| postcodes::locate(conn, &parsed)).await?;
        let message = located.message();
        let Some(found) = located.place() else {
            return Err(not_found(message.unwrap_or_default()));
        };
        request.point = Some((found.latitude, found.longitude));
        place = Some(Place {
            label: found.label.clone(),
            latitude: found.latitude,
            longitude: found.longitude,
            message,
        });
    }
    Ok(place)
}

/// Runs a search: its place found, then the index asked. Searching is a
/// millisecond of CPU, not a wait, so it runs here rather than on the
/// blocking pool.
pub async fn search(state: &AppState, mut request: SearchRequest) -> Result<Answer, AppError> {
    let place = locate(state, &mut request).await?;
    let per_page = request.per_page;
    let started = std::time::Instant::now();
    let results =
        state.search.search(&request, &state.taxonomy, state.area_name(), Utc::now()).map_err(|error| {
            // Logged here: a busy answer is not logged at the boundary.
            tracing::error!(%error, "search failed");
            AppError::Unavailable
        })?;
    state.metrics.search(started.elapsed().as_secs_f64());
    Ok(Answer { place, per_page, results })
}

/// A results page: the services found, what the page says of each beyond
/// what the index holds, and (on the first page) what the neighbourhood
/// networks say that matches.
pub struct ResultsPage {
    pub answer: Answer,
    pub details: HashMap<ServiceId, ResultDetails>,
    pub activity: FoundActivity,
}

/// How many events and how many conversations a results page shows.
const ACTIVITY_SHOWN: usize = 3;

/// The results page's search, from what its form sent. A printable list is
/// the first `PRINTED` results on one page, without the networks' activity.
pub async fn results_page(
    state: &AppState,
    form: &[(String, String)],
    printable: bool,
) -> Result<ResultsPage, AppError> {
    let mut request = SearchRequest::from_form(form, &state.taxonomy).map_err(AppError::Invalid)?;
    if printable {
        (request.page, request.per_page) = (1, PRINTED);
    }
    let mut ask = ActivityAsk {
        words: request.text.clone(),
        needs: request.needs.clone(),
        most: if request.page <= 1 && !printable { ACTIVITY_SHOWN } else { 0 },
        ..ActivityAsk::default()
    };
    let radius = request.radius_m.unwrap_or(ACTIVITY_RADIUS_M);
    let answer = search(state, request).await?;
    ask.near = answer.place.as_ref().map(|p| ((p.latitude, p.longitude), radius));
    let activity = network_activity(state, &ask);
    let ids: Vec<ServiceId> = answer.results.hits().map(|hit| hit.id).collect();
    let details = db(state, move |conn| service_lists::result_details(conn, &ids)).await?;
    Ok(ResultsPage { answer, details, activity })
}

/// Brings the network activity index up to date with a change just saved,
/// so that it shows in search by the time the page comes back. The change
/// is already safe in the store's log: if this fails, the background job
/// takes it in within a second.
pub(crate) async fn take_in_activity(state: &AppState) {
    let (store, activity) = (state.store.clone(), state.activity.clone());
    let (search, taxonomy) = (state.search.clone(), state.taxonomy.clone());
    let result =
        super::blocking(move || activity_sync::sync(&store, &activity, &search, &taxonomy, Utc::now())).await;
    if let Ok(Err(error)) = result {
        tracing::warn!(%error, "a network post was not indexed straight away; it stays in the log");
    }
}

/// What the neighbourhood networks say that matches `ask`, from their own
/// index. It comes beside the services: when it cannot be read the page
/// shows the services without it, and the failure is logged.
pub fn network_activity(state: &AppState, ask: &ActivityAsk) -> FoundActivity {
    state.activity.search(ask, Utc::now()).unwrap_or_else(|error| {
        tracing::error!(%error, "searching the networks' activity failed");
        FoundActivity::default()
    })
}

/// A postcode of this area, for the question's hint to show what one looks
/// like; none before any postcodes are loaded.
pub async fn example_postcode(state: &AppState) -> Result<Option<String>, AppError> {
    db(state, postcodes::example).await
}

/// The needs (slugs) whose words or everyday phrases appear in `words`.
pub fn needs_named_in(state: &AppState, words: &str) -> Vec<String> {
    state.search.needs_named_in(words, &state.taxonomy)
}

/// Whether `words` say that someone may be in danger now: the urgent-help
/// box then comes first.
pub fn urgent_in(words: &str) -> bool {
    crate::search::urgent_in(words)
}
