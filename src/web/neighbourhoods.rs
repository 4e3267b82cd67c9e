//! `GET /neighbourhoods` and `GET /neighbourhoods/{slug}`: the neighbourhoods
//! on a map and in a list, and one neighbourhood's page.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::web;
use h3o::CellIndex;
use maud::Markup;

use super::db;
use super::session::Visitor;
use crate::domain::accounts::Role;
use crate::domain::ids::NeighbourhoodId;
use crate::domain::views::NeighbourhoodView;
use crate::error::AppError;
use crate::geo::cells::{Ring, outline};
use crate::pages;
use crate::pages::map::{Marker, Shape, Source};
use crate::pages::neighbourhoods::{Shown, thousands};
use crate::state::{AppState, Outlines};
use crate::store::neighbourhoods;

fn source(visitor: &Visitor) -> Source {
    if visitor.frame.demo.is_some() { Source::Demo } else { Source::Census }
}

/// Every neighbourhood's outline, drawn from its cells once for each version
/// of the neighbourhoods and kept until they change.
pub async fn outlines(state: &AppState) -> Result<Arc<Outlines>, AppError> {
    let version = db(state, neighbourhoods::version).await?;
    if let Ok(kept) = state.outlines.lock()
        && let Some((drawn, outlines)) = kept.as_ref()
        && *drawn == version
    {
        return Ok(outlines.clone());
    }
    let drawn = db(state, |conn| {
        let mut grouped: BTreeMap<NeighbourhoodId, Vec<CellIndex>> = BTreeMap::new();
        for (id, cell) in neighbourhoods::cells(conn, None)? {
            grouped.entry(id).or_default().push(cell);
        }
        Ok(grouped.into_iter().map(|(id, cells)| (id, outline(&cells))).collect::<Outlines>())
    })
    .await?;
    let drawn = Arc::new(drawn);
    if let Ok(mut kept) = state.outlines.lock() {
        *kept = Some((version, drawn.clone()));
    }
    Ok(drawn)
}

fn shape(hood: &NeighbourhoodView, polygons: Vec<Vec<Ring>>, current: bool) -> Shape {
    Shape {
        label: format!("{}: {} residents", hood.name, thousands(hood.population)),
        href: (!current).then(|| format!("/neighbourhoods/{}", hood.slug)),
        polygons,
        current,
    }
}

pub async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<Markup, AppError> {
    let (hoods, band) =
        db(&state, |conn| Ok((neighbourhoods::all(conn)?, neighbourhoods::band(conn)?))).await?;
    let outlines = outlines(&state).await?;
    let shapes: Vec<Shape> =
        hoods.iter().map(|h| shape(h, outlines.get(&h.id).cloned().unwrap_or_default(), false)).collect();
    let map =
        pages::map::map("Map of every neighbourhood; each links to its page", &shapes, &[], source(&visitor));
    Ok(pages::neighbourhoods::index(&visitor.frame, &hoods, band, map))
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<Markup, AppError> {
    let slug = slug.into_inner();
    let (hood, band, hoods, markers, (based_here, from_elsewhere)) = db(&state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        let services = neighbourhoods::local_services(conn, &hood)?;
        let markers = neighbourhoods::markers(conn, hood.id)?;
        Ok((hood, neighbourhoods::band(conn)?, neighbourhoods::all(conn)?, markers, services))
    })
    .await?;
    let outlines = outlines(&state).await?;
    // The neighbourhood itself, and those around it for context.
    let own = outlines.get(&hood.id).cloned().unwrap_or_default();
    let (south, north, west, east) = own
        .iter()
        .flatten()
        .flatten()
        .fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |(s, n, w, e), &(lat, lon)| {
            (s.min(lat), n.max(lat), w.min(lon), e.max(lon))
        });
    let near = |polygons: &Vec<Vec<Ring>>| {
        let margin = 0.3 * (north - south).max(east - west);
        polygons.iter().flatten().flatten().any(|&(lat, lon)| {
            (south - margin..=north + margin).contains(&lat) && (west - margin..=east + margin).contains(&lon)
        })
    };
    let mut shapes: Vec<Shape> = hoods
        .iter()
        .filter(|h| h.id != hood.id)
        .filter_map(|h| outlines.get(&h.id).filter(|p| near(p)).map(|p| shape(h, p.clone(), false)))
        .collect();
    shapes.push(shape(&hood, own, true));
    let markers: Vec<Marker> = markers
        .into_iter()
        .map(|m| Marker {
            label: format!("{}: {}", m.location_name, m.services.join(", ")),
            latitude: m.latitude,
            longitude: m.longitude,
        })
        .collect();
    let title = format!("Map of {}, with the venues of the services based there", hood.name);
    let map = pages::map::map(&title, &shapes, &markers, source(&visitor));
    let may_edit = visitor.user.as_ref().is_some_and(|u| u.role == Role::Administrator);
    Ok(pages::neighbourhoods::show(
        &visitor.frame,
        &Shown { hood: &hood, band, map, based_here: &based_here, from_elsewhere: &from_elsewhere, may_edit },
    ))
}
