//! The directory's listings: a service's page, an organisation's, the needs
//! pages, the sitemap's list and the review queue; staff adding, changing,
//! checking and archiving services (`services`), organisations
//! (`organisations`) and venues (`venues`), each with its change history.
//! Who may edit a listing is `StaffUser::may_edit_listing`; every change is
//! indexed as soon as it is saved.

use std::collections::HashMap;

use chrono::Utc;

pub mod approvals;
pub mod organisations;
pub mod places;
pub mod reminders;
pub mod review;
pub mod services;
pub mod suggestions;
pub mod venues;

use super::{blocking, db};
use crate::domain::accounts::{Role, StaffUser};
use crate::domain::ids::{OrganisationId, ServiceId, UserId};
use crate::domain::needs::Need;
use crate::domain::search::SearchRequest;
use crate::domain::views::{
    ChangeView, LocationView, MapPin, MapShape, NeighbourhoodView, OrganisationView, ServiceSummary,
    ServiceView,
};
use crate::error::AppError;
use crate::jobs::index_sync;
use crate::state::AppState;
use crate::store::{self, neighbourhoods, service_lists};

/// How far "near here" reaches for other services for the same need.
const NEARBY_M: f64 = 3_000.0;

/// A service near another, for the same need: id, name, organisation, and
/// how far away, as search says it ("300 m away", "Contact address 1 km away").
pub type Nearby = (ServiceId, String, String, Option<String>);

/// Everything a service's page shows, for the person looking.
pub struct ServicePage {
    pub view: ServiceView,
    /// Whether they may see confidential addresses, and edit the listing.
    pub sees_confidential: bool,
    pub edits: bool,
    /// Whether they may archive and restore it.
    pub archives: bool,
    /// Its public venues' map: the neighbourhood it is in, and the venues.
    pub map: Option<(MapShape, Vec<MapPin>)>,
    pub nearby: Vec<Nearby>,
    /// For those who may archive it: the listings it looks like, to merge.
    pub looks_like: Vec<(ServiceId, String)>,
}

/// A service's page. Only its public venues are drawn, and only they place it.
pub async fn service_page(
    state: &AppState,
    user: Option<&StaffUser>,
    id: ServiceId,
) -> Result<ServicePage, AppError> {
    if let Some(into) = db(state, move |conn| store::services::merged_into(conn, id)).await? {
        return Err(AppError::Moved(format!("/services/{into}")));
    }
    let (view, scope) =
        db(state, move |conn| Ok((store::services::view(conn, id)?, store::services::scope(conn, id)?)))
            .await?;
    let venues: Vec<_> = view.locations.iter().filter(|p| p.location.is_public_venue()).collect();
    let map = if venues.is_empty() { None } else { Some(venue_map(state, &venues).await?) };
    let nearby = match (view.needs.first(), venues.first()) {
        (Some(need), Some(venue)) => {
            let request = SearchRequest {
                needs: vec![need.slug.clone()],
                point: Some((venue.location.latitude, venue.location.longitude)),
                radius_m: Some(NEARBY_M),
                per_page: 6,
                ..SearchRequest::default()
            };
            let found = super::search::search(state, request).await?.results;
            found
                .results
                .into_iter()
                .filter(|hit| hit.id != id && hit.distance_m.is_some())
                .take(5)
                .map(|hit| (hit.id, hit.name, hit.organisation, hit.reach))
                .collect()
        }
        _ => Vec::new(),
    };
    let edits = view.listed_by.is_none() && user.is_some_and(|u| u.may_edit_listing(scope.0, &scope.1));
    // An archived listing is there only for those who may restore it.
    if view.archived_at.is_some() && !edits {
        return Err(AppError::NotFound);
    }
    let archives = edits && user.is_some_and(StaffUser::keeps_listings);
    let looks_like = if archives && view.archived_at.is_none() {
        let name = view.details.name.clone();
        let venues: Vec<_> = view.locations.iter().map(|p| p.location.id).collect();
        db(state, move |conn| store::services::alike(conn, &name, &venues, Some(id))).await?
    } else {
        Vec::new()
    };
    Ok(ServicePage {
        sees_confidential: user.is_some_and(StaffUser::may_see_confidential),
        archives,
        edits,
        looks_like,
        view,
        map,
        nearby,
    })
}

/// A map of a service's public venues, in the outline of the first
/// neighbourhood one of them lies in.
async fn venue_map(state: &AppState, venues: &[&LocationView]) -> Result<(MapShape, Vec<MapPin>), AppError> {
    let polygons = match venues.iter().find_map(|p| p.neighbourhood) {
        Some(hood) => super::neighbourhoods::outlines(state).await?.get(&hood).cloned().unwrap_or_default(),
        None => Vec::new(),
    };
    let shape =
        MapShape { label: String::from("The neighbourhood it is in"), href: None, polygons, current: true };
    let pins = venues
        .iter()
        .map(|p| MapPin {
            label: format!("{}: {}", p.location.name, p.location.postcode),
            latitude: p.location.latitude,
            longitude: p.location.longitude,
        })
        .collect();
    Ok((shape, pins))
}

/// An organisation and its services, and whether this person may change
/// it. An archived organisation is there only for those who may.
pub async fn organisation(
    state: &AppState,
    user: Option<&StaffUser>,
    id: OrganisationId,
) -> Result<(OrganisationView, bool), AppError> {
    if let Some(into) = db(state, move |conn| store::organisations::merged_into(conn, id)).await? {
        return Err(AppError::Moved(format!("/organisations/{into}")));
    }
    let view = db(state, move |conn| store::organisations::view(conn, id)).await?;
    let edits = user.is_some_and(|u| u.may_edit_organisation(id));
    if view.archived_at.is_some() && !edits {
        return Err(AppError::NotFound);
    }
    Ok((view, edits))
}

/// A need and the running services listed under it.
pub async fn need(state: &AppState, slug: &str) -> Result<(Need, Vec<ServiceSummary>), AppError> {
    let need = state.taxonomy.by_slug(slug).cloned().ok_or(AppError::NotFound)?;
    let slug = need.slug.clone();
    let services = db(state, move |conn| service_lists::for_need(conn, &slug, 500)).await?;
    Ok((need, services))
}

/// How many running services each need has, by slug.
pub async fn counts_per_need(state: &AppState) -> Result<HashMap<String, i64>, AppError> {
    db(state, service_lists::running_per_need).await
}

/// Every public page's path, for the sitemap.
pub async fn public_paths(state: &AppState) -> Result<Vec<String>, AppError> {
    let (services, organisations, hoods): (Vec<ServiceId>, _, Vec<NeighbourhoodView>) = db(state, |conn| {
        Ok((
            service_lists::running_ids(conn)?,
            store::organisations::choices(conn)?,
            neighbourhoods::all(conn)?,
        ))
    })
    .await?;
    let mut paths: Vec<String> =
        ["/", "/needs", "/neighbourhoods", "/accessibility"].iter().map(|p| p.to_string()).collect();
    paths.extend(state.taxonomy.needs().map(|n| format!("/needs/{}", n.slug)));
    paths.extend(hoods.iter().map(|n| format!("/neighbourhoods/{}", n.slug)));
    paths.extend(organisations.iter().map(|(id, _)| format!("/organisations/{id}")));
    paths.extend(services.iter().map(|id| format!("/services/{id}")));
    Ok(paths)
}

/// What one person changed, newest first, with their name: for themselves,
/// or for an administrator.
pub async fn history_of_person(
    state: &AppState,
    user: &StaffUser,
    person: UserId,
) -> Result<(String, Vec<ChangeView>), AppError> {
    super::require(person == user.id || user.role == Role::Administrator)?;
    db(state, move |conn| {
        let name = store::users::name_of(conn, person)?;
        Ok((name, store::changes::by_person(conn, person)?))
    })
    .await
}

/// The record a merge form names: its page's address (like
/// `/services/…`), or its id.
fn named_record<T: std::str::FromStr>(text: &str, example: &str) -> Result<T, AppError> {
    text.trim().trim_end_matches('/').rsplit('/').next().and_then(|id| id.parse().ok()).ok_or_else(|| {
        AppError::BadRequest(format!("Give the address of the one it repeats, like {example}"))
    })
}

/// Brings the search index up to date with a change just saved, so that it
/// shows in search by the time the page comes back. The save itself is already
/// safe: if this fails, the change stays queued and the background job
/// indexes it within a second.
pub(crate) async fn reindex(state: &AppState) {
    let (store, search, taxonomy) = (state.store.clone(), state.search.clone(), state.taxonomy.clone());
    let result =
        blocking(move || index_sync::sync(&store, &search, &taxonomy, Utc::now().date_naive())).await;
    if let Ok(Err(error)) = result {
        tracing::warn!(%error, "a saved change was not indexed straight away; it stays queued");
    }
    // A venue made confidential changes what its events say of where they are.
    super::search::take_in_activity(state).await;
}
