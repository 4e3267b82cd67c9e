//! The directory's listings: a service's page, an organisation's, the needs
//! pages, the sitemap's list, and staff adding, changing and checking a
//! service with its change history. Who may edit a listing is
//! `StaffUser::may_edit_listing`; every change is indexed as soon as it is saved.

use std::collections::HashMap;

use chrono::{Duration, Utc};

use super::{blocking, db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{OrganisationId, ServiceId};
use crate::domain::needs::Need;
use crate::domain::search::SearchRequest;
use crate::domain::service_form::{ServiceForm, ServiceInput};
use crate::domain::text::FieldErrors;
use crate::domain::views::{
    ChangeView, LocationView, MapPin, MapShape, NeighbourhoodView, OrganisationView, ServiceSummary,
    ServiceView,
};
use crate::error::AppError;
use crate::jobs::index_sync;
use crate::state::AppState;
use crate::store::changes::{self, RecordKind};
use crate::store::{neighbourhoods, neighbours, organisations, service_lists, services};

/// How far "near here" reaches for other services for the same need.
const NEARBY_M: f64 = 3_000.0;
/// How many listings due for review the staff home shows.
const QUEUE_LENGTH: i64 = 25;

/// A service near another, for the same need: id, name, organisation, metres away.
pub type Nearby = (ServiceId, String, String, Option<u32>);

/// Everything a service's page shows, for the person looking.
pub struct ServicePage {
    pub view: ServiceView,
    /// Whether they may see confidential addresses, and edit the listing.
    pub sees_confidential: bool,
    pub edits: bool,
    /// Its public venues' map: the neighbourhood it is in, and the venues.
    pub map: Option<(MapShape, Vec<MapPin>)>,
    pub nearby: Vec<Nearby>,
}

/// A service's page. Only its public venues are drawn, and only they place it.
pub async fn service_page(
    state: &AppState,
    user: Option<&StaffUser>,
    id: ServiceId,
) -> Result<ServicePage, AppError> {
    let (view, scope) =
        db(state, move |conn| Ok((services::view(conn, id)?, services::scope(conn, id)?))).await?;
    let venues: Vec<_> = view.locations.iter().filter(|p| !p.location.confidential).collect();
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
                .map(|hit| (hit.id, hit.name, hit.organisation, hit.distance_m))
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(ServicePage {
        sees_confidential: user.is_some_and(StaffUser::may_see_confidential),
        edits: view.listed_by.is_none() && user.is_some_and(|u| u.may_edit_listing(scope.0, &scope.1)),
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

/// An organisation and its services.
pub async fn organisation(state: &AppState, id: OrganisationId) -> Result<OrganisationView, AppError> {
    db(state, move |conn| organisations::view(conn, id)).await
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
        Ok((service_lists::running_ids(conn)?, organisations::choices(conn)?, neighbourhoods::all(conn)?))
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

/// The staff home's review queue: the services checked longest ago (or
/// never), and how many are due.
pub async fn review_queue(state: &AppState) -> Result<(Vec<ServiceSummary>, i64), AppError> {
    let days = state.config.review_after_days;
    let before = Utc::now().naive_utc() - Duration::days(i64::from(days));
    db(state, move |conn| {
        Ok((
            service_lists::due_for_review(conn, before, QUEUE_LENGTH)?,
            service_lists::count_due_for_review(conn, before)?,
        ))
    })
    .await
}

/// What the service form offers: the organisations this person may list
/// services for.
pub async fn organisation_choices(
    state: &AppState,
    user: &StaffUser,
) -> Result<Vec<(OrganisationId, String)>, AppError> {
    let only = user.only_organisation();
    db(state, move |conn| {
        let mut organisations = organisations::choices(conn)?;
        if let Some(own) = only {
            organisations.retain(|(id, _)| *id == own);
        }
        Ok(organisations)
    })
    .await
}

/// Refuses anyone who may not edit the service (404 if there is none).
async fn editable(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    let (organisation, neighbourhoods) = db(state, move |conn| services::scope(conn, id)).await?;
    require(user.may_edit_listing(organisation, &neighbourhoods))
}

/// Refuses a change to a service another area lists (it is changed there),
/// and anyone who may not edit it.
async fn changeable(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    editable(state, user, id).await?;
    match db(state, move |conn| neighbours::listed_by(conn, &[id])).await?.remove(&id) {
        Some(area) => Err(AppError::Conflict(format!(
            "This service is listed by {area}, and is changed in {area}'s directory, not here."
        ))),
        None => Ok(()),
    }
}

/// The blank form for a new service, for someone who edits listings.
pub fn new_service_form(user: &StaffUser) -> Result<ServiceForm, AppError> {
    require(user.edits_listings())?;
    Ok(ServiceForm {
        organisation: user.organisation.map(|o| o.to_string()).unwrap_or_default(),
        status: "active".into(),
        area: "local".into(),
        capacity: "unknown".into(),
        languages: "English".into(),
        ..ServiceForm::default()
    })
}

/// A service's current values, for its edit form.
pub async fn service_for_editing(
    state: &AppState,
    user: &StaffUser,
    id: ServiceId,
) -> Result<ServiceInput, AppError> {
    changeable(state, user, id).await?;
    db(state, move |conn| services::input(conn, id)).await
}

/// Checks a posted service form: its fields, that its organisation exists,
/// and that this person may list services for it.
async fn check(
    state: &AppState,
    user: &StaffUser,
    form: &ServiceForm,
) -> Result<Result<ServiceInput, FieldErrors>, AppError> {
    let known: Vec<String> = state.taxonomy.needs().map(|n| n.slug.clone()).collect();
    let input = match form.check(&known) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let organisation = input.organisation;
    if !db(state, move |conn| organisations::exists(conn, organisation)).await? {
        let mut errors = FieldErrors::default();
        errors.add("organisation", "Choose the organisation that runs the service");
        return Ok(Err(errors));
    }
    require(user.may_edit_listing(organisation, &[]))?;
    Ok(Ok(input))
}

/// Adds a service from the form, with its history; or the form's problems.
pub async fn create_service(
    state: &AppState,
    user: &StaffUser,
    form: &ServiceForm,
) -> Result<Result<ServiceId, FieldErrors>, AppError> {
    require(user.edits_listings())?;
    let input = match check(state, user, form).await? {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, reason, now) = (user.id, form.reason(), Utc::now().naive_utc());
    let id = db(state, move |conn| services::create(conn, &input, by, reason.as_deref(), now)).await?;
    reindex(state).await;
    Ok(Ok(id))
}

/// Changes a service from the form, recording what changed; or the form's problems.
pub async fn update_service(
    state: &AppState,
    user: &StaffUser,
    id: ServiceId,
    form: &ServiceForm,
) -> Result<Result<(), FieldErrors>, AppError> {
    changeable(state, user, id).await?;
    let input = match check(state, user, form).await? {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, reason, now) = (user.id, form.reason(), Utc::now().naive_utc());
    db(state, move |conn| services::update(conn, id, &input, by, reason.as_deref(), now)).await?;
    reindex(state).await;
    Ok(Ok(()))
}

/// Marks a service as checked and still true today.
pub async fn verify_service(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| services::verify(conn, id, by, now)).await?;
    reindex(state).await;
    Ok(())
}

/// A service's name and its change history.
pub async fn history(
    state: &AppState,
    user: &StaffUser,
    id: ServiceId,
) -> Result<(String, Vec<ChangeView>), AppError> {
    editable(state, user, id).await?;
    db(state, move |conn| {
        let name = services::input(conn, id)?.name;
        Ok((name, changes::history(conn, RecordKind::Service, &id.to_string())?))
    })
    .await
}

/// Brings the search index up to date with a change just saved, so that it
/// shows in search by the time the page comes back. The save itself is already
/// safe: if this fails, the change stays queued and the background job
/// indexes it within a second.
async fn reindex(state: &AppState) {
    let (store, search, taxonomy) = (state.store.clone(), state.search.clone(), state.taxonomy.clone());
    let result =
        blocking(move || index_sync::sync(&store, &search, &taxonomy, Utc::now().date_naive())).await;
    if let Ok(Err(error)) = result {
        tracing::warn!(%error, "a saved change was not indexed straight away; it stays queued");
    }
}
