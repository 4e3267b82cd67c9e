//! Local entry points as places: a community hub, library or centre where
//! people can walk in and get help with anything has a page of its own
//! (what happens there, and when it is open), is found by search near where
//! someone is or by its name, and is listed on its neighbourhood's page.
//! Only public ones: a confidential venue is never a place.

use std::collections::HashMap;

use chrono::Utc;

use super::super::db;
use crate::domain::ids::{LocationId, NeighbourhoodId, ServiceId};
use crate::domain::schedule::{self, Schedule};
use crate::domain::text::{self, Shape};
use crate::domain::views::{PlaceCard, PlaceView};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{locations, neighbourhoods, service_lists, services};

/// How far around a point searched places are found.
const NEAR_M: f64 = 2_000.0;
/// How many places a search shows.
const SHOWN: usize = 3;

/// A local entry point's page (404 for any other venue).
pub async fn page(state: &AppState, id: LocationId) -> Result<PlaceView, AppError> {
    let today = Utc::now().date_naive();
    db(state, move |conn| {
        let (venue, archived) = locations::one(conn, id)?;
        if !venue.location.entry_point || venue.location.confidential || archived.is_some() {
            return Err(crate::store::StoreError::NotFound);
        }
        let neighbourhood = match venue.neighbourhood {
            Some(hood) => {
                let hood = neighbourhoods::by_id(conn, hood)?;
                Some((hood.slug, hood.name))
            }
            None => None,
        };
        let running = service_lists::at_venue(conn, id)?;
        let ids: Vec<ServiceId> = running.iter().map(|s| s.id).collect();
        let mut times: HashMap<ServiceId, Vec<Schedule>> = HashMap::new();
        for service in services::listings(conn, &ids)? {
            times.insert(service.id, service.schedules);
        }
        let services = running
            .into_iter()
            .map(|s| {
                let when = schedule::describe(times.get(&s.id).map_or(&[][..], Vec::as_slice), today);
                (s, when)
            })
            .collect();
        Ok(PlaceView { hours: locations::hours(conn, id)?, venue: venue.location, neighbourhood, services })
    })
    .await
}

/// The places a search finds: those near the point searched around, and
/// those whose name holds the words typed.
pub async fn for_search(
    state: &AppState,
    point: Option<(f64, f64)>,
    words: &str,
) -> Result<Vec<PlaceCard>, AppError> {
    let words: Vec<String> =
        text::normalise(words, Shape::Line).to_lowercase().split_whitespace().map(str::to_string).collect();
    db(state, move |conn| {
        let mut found: Vec<PlaceCard> = match point {
            Some(point) => locations::entry_points_near(conn, point, NEAR_M, SHOWN)?
                .iter()
                .map(|(venue, away)| PlaceCard::of(venue, Some(*away)))
                .collect(),
            None => Vec::new(),
        };
        for venue in locations::entry_points_named(conn, &words, SHOWN as i64)? {
            if !found.iter().any(|p| p.id == venue.id) {
                found.push(PlaceCard::of(&venue, None));
            }
        }
        found.truncate(SHOWN * 2);
        Ok(found)
    })
    .await
}

/// The places in a neighbourhood, for its page.
pub async fn in_neighbourhood(state: &AppState, hood: NeighbourhoodId) -> Result<Vec<PlaceCard>, AppError> {
    db(state, move |conn| {
        Ok(locations::entry_points_in(conn, hood)?.iter().map(|venue| PlaceCard::of(venue, None)).collect())
    })
    .await
}
