//! `GET /services/{id}`: a service's page.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use super::{db, path_id};
use crate::domain::ids::ServiceId;
use crate::domain::listing::Location;
use crate::error::AppError;
use crate::pages;
use crate::pages::map::{Marker, Shape, Source};
use crate::pages::services::{Around, Viewer};
use crate::search::query::SearchQuery;
use crate::state::AppState;
use crate::store::services;

/// How far "near here" reaches for other services for the same need.
const NEARBY_M: f64 = 3_000.0;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<Markup, AppError> {
    let id: ServiceId = path_id(&id)?;
    let (view, scope) =
        db(&state, move |conn| Ok((services::view(conn, id)?, services::scope(conn, id)?)))
            .await?;
    let viewer = match &visitor.user {
        Some(user) => Viewer {
            sees_confidential: user.may_see_confidential(),
            edits: user.may_edit_listing(scope.0, &scope.1),
        },
        None => Viewer::default(),
    };
    // Only public venues are drawn, and only they place the service.
    let venues: Vec<&Location> =
        view.locations.iter().map(|p| &p.location).filter(|l| !l.confidential).collect();
    let hood = view.locations.iter().filter(|p| !p.location.confidential).find_map(|p| p.neighbourhood);
    let outline = match hood {
        Some(hood) => super::neighbourhoods::outlines(&state).await?.get(&hood).cloned().unwrap_or_default(),
        None => Vec::new(),
    };
    let map = (!venues.is_empty()).then(|| {
        let shapes = vec![Shape {
            label: String::from("The neighbourhood it is in"),
            href: None,
            polygons: outline,
            current: true,
        }];
        let markers: Vec<Marker> = venues
            .iter()
            .map(|l| Marker {
                label: format!("{}: {}", l.name, l.postcode),
                latitude: l.latitude,
                longitude: l.longitude,
            })
            .collect();
        let source = if visitor.frame.demo.is_some() { Source::Demo } else { Source::Census };
        pages::map::map(&format!("Map of where {} meets", view.details.name), &shapes, &markers, source)
    });
    let nearby = match (view.needs.first(), venues.first()) {
        (Some(need), Some(venue)) => {
            let query = SearchQuery {
                needs: vec![need.slug.clone()],
                point: Some((venue.latitude, venue.longitude)),
                radius_m: Some(NEARBY_M),
                per_page: 6,
                ..SearchQuery::default()
            };
            let found = state
                .search
                .search(&query, chrono::Utc::now())
                .map_err(|e| AppError::Internal(e.to_string()))?;
            found
                .results
                .into_iter()
                .filter(|hit| hit.id != id.to_string() && hit.distance_m.is_some())
                .take(5)
                .map(|hit| (hit.id, hit.name, hit.organisation, hit.distance_m))
                .collect()
        }
        _ => Vec::new(),
    };
    let around = Around { map, nearby: &nearby };
    Ok(pages::services::page(&visitor.frame, &view, viewer, chrono::Utc::now(), &around))
}
