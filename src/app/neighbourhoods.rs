//! Neighbourhoods: the list and map of them all, one neighbourhood's page
//! (its map, the services based there and those serving it from elsewhere),
//! and an administrator renaming one or moving a small area between two
//! (`StaffUser::manages_neighbourhoods`).

use std::collections::BTreeMap;
use std::sync::Arc;

use h3o::CellIndex;

use super::{db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::NeighbourhoodId;
use crate::domain::text::{self, FieldErrors, thousands};
use crate::domain::views::{LocalService, MapPin, MapShape, NeighbourhoodView};
use crate::error::AppError;
use crate::geo::cells::{Ring, outline};
use crate::geo::neighbourhoods::Band;
use crate::state::{AppState, Outlines};
use crate::store::{StoreError, local_services, neighbourhoods};

/// The longest name a neighbourhood may have.
const NAME_LIMIT: usize = 80;
/// The band to check against when none has been built (it cannot happen
/// once neighbourhoods exist, but a page must not fail for it).
const DEFAULT_BAND: Band = Band { min: 4_000, max: 5_000 };

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

fn shape(hood: &NeighbourhoodView, polygons: Vec<Vec<Ring>>, current: bool) -> MapShape {
    MapShape {
        label: format!("{}: {} residents", hood.name, thousands(hood.population)),
        href: (!current).then(|| format!("/neighbourhoods/{}", hood.slug)),
        polygons,
        current,
    }
}

/// Every neighbourhood, the band they were built for, and their outlines.
pub async fn all(
    state: &AppState,
) -> Result<(Vec<NeighbourhoodView>, Option<Band>, Vec<MapShape>), AppError> {
    let (hoods, band) =
        db(state, |conn| Ok((neighbourhoods::all(conn)?, neighbourhoods::band(conn)?))).await?;
    let outlines = outlines(state).await?;
    let shapes =
        hoods.iter().map(|h| shape(h, outlines.get(&h.id).cloned().unwrap_or_default(), false)).collect();
    Ok((hoods, band, shapes))
}

/// Everything a neighbourhood's page shows.
pub struct NeighbourhoodPage {
    pub hood: NeighbourhoodView,
    pub band: Option<Band>,
    /// Its outline and those around it, and its public venues.
    pub shapes: Vec<MapShape>,
    pub pins: Vec<MapPin>,
    pub based_here: Vec<LocalService>,
    pub from_elsewhere: Vec<LocalService>,
    /// Its local entry points.
    pub places: Vec<crate::domain::views::PlaceCard>,
    /// Whether the viewer may rename it and move its small areas.
    pub may_edit: bool,
    /// Its network and the network's latest threads.
    pub network: Option<(crate::domain::networks::NetworkView, Vec<crate::domain::networks::ThreadSummary>)>,
    /// What is on in or for it.
    pub events: Vec<crate::domain::events::EventView>,
}

/// A neighbourhood's page.
pub async fn page(
    state: &AppState,
    user: Option<&StaffUser>,
    slug: String,
) -> Result<NeighbourhoodPage, AppError> {
    let (hood, band, hoods, markers, (based_here, from_elsewhere)) = db(state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        let services = local_services::local_services(conn, &hood)?;
        let markers = local_services::markers(conn, hood.id)?;
        Ok((hood, neighbourhoods::band(conn)?, neighbourhoods::all(conn)?, markers, services))
    })
    .await?;
    let outlines = outlines(state).await?;
    let shapes = shapes_around(&hood, &hoods, &outlines);
    let pins = markers
        .into_iter()
        .map(|m| MapPin {
            label: format!("{}: {}", m.location_name, m.services.join(", ")),
            latitude: m.latitude,
            longitude: m.longitude,
        })
        .collect();
    let may_edit = user.is_some_and(StaffUser::manages_neighbourhoods);
    let places = super::listings::places::in_neighbourhood(state, hood.id).await?;
    let network = super::networks::of_neighbourhood(state, hood.id).await?;
    let events = super::events::near_neighbourhood(state, hood.id, 5).await?;
    Ok(NeighbourhoodPage {
        hood,
        band,
        shapes,
        pins,
        based_here,
        from_elsewhere,
        places,
        may_edit,
        network,
        events,
    })
}

/// The neighbourhood's outline, last so it is drawn on top, and those of the
/// neighbourhoods near enough to give it context.
fn shapes_around(
    hood: &NeighbourhoodView,
    hoods: &[NeighbourhoodView],
    outlines: &Outlines,
) -> Vec<MapShape> {
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
    let mut shapes: Vec<MapShape> = hoods
        .iter()
        .filter(|h| h.id != hood.id)
        .filter_map(|h| outlines.get(&h.id).filter(|p| near(p)).map(|p| shape(h, p.clone(), false)))
        .collect();
    shapes.push(shape(hood, own, true));
    shapes
}

/// What the administrator's page for one neighbourhood shows.
pub struct EditPage {
    pub hood: NeighbourhoodView,
    pub band: Option<Band>,
    /// Its small areas: code, residents and place.
    pub small_areas: Vec<(String, i32, Option<String>)>,
    /// The neighbourhoods it shares a boundary with.
    pub adjacent: Vec<(NeighbourhoodId, String)>,
    /// What the last change did, in words.
    pub notice: Option<String>,
}

/// What the last change was, as the page's address says it.
#[derive(Default)]
pub struct LastChange<'a> {
    /// A small area moved, and the slug of the neighbourhood it joined.
    pub moved: Option<(&'a str, &'a str)>,
    pub renamed: bool,
}

/// The administrator's page for one neighbourhood, saying what the last
/// change did.
pub async fn edit_page(
    state: &AppState,
    user: &StaffUser,
    slug: String,
    last: LastChange<'_>,
) -> Result<EditPage, AppError> {
    require(user.manages_neighbourhoods())?;
    let notice = match last {
        LastChange { moved: Some((code, to)), .. } => moved_notice(state, code, to.to_string()).await,
        LastChange { renamed: true, .. } => Some(String::from("Renamed.")),
        _ => None,
    };
    db(state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        let small_areas = neighbourhoods::small_areas_of(conn, hood.id)?;
        let adjacent = neighbourhoods::adjacent(conn, hood.id)?;
        Ok(EditPage { band: neighbourhoods::band(conn)?, hood, small_areas, adjacent, notice })
    })
    .await
}

/// What the last move did, in words: where the small area went, and how
/// many live there now.
async fn moved_notice(state: &AppState, code: &str, to: String) -> Option<String> {
    let joined = db(state, move |conn| neighbourhoods::by_slug(conn, &to)).await.ok()?;
    let band = match &joined.outside_band {
        None => String::from("within the band"),
        Some(why) => format!("outside the band: {why}"),
    };
    Some(format!("Moved {code} to {}, which now has {} residents ({band}).", joined.name, joined.population))
}

/// Renames the neighbourhood `slug`; its new slug, or the name's problems.
pub async fn rename(
    state: &AppState,
    user: &StaffUser,
    slug: String,
    typed: &str,
) -> Result<Result<String, FieldErrors>, AppError> {
    require(user.manages_neighbourhoods())?;
    let mut errors = FieldErrors::default();
    let name = errors.take("name", text::required_line(typed, "the neighbourhood's name"));
    let name = name.map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
    if name.as_ref().is_some_and(|n| n.chars().count() > NAME_LIMIT) {
        errors.add("name", format!("The name must be {NAME_LIMIT} characters or fewer"));
    }
    let (Some(name), true) = (name, errors.is_empty()) else { return Ok(Err(errors)) };
    let new_slug = db(state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        neighbourhoods::rename(conn, hood.id, &name)
    })
    .await?;
    Ok(Ok(new_slug))
}

/// Moves small area `code` from neighbourhood `slug` to the neighbourhood
/// `to` names; the slug of the one it joined, or why it cannot move.
pub async fn move_small_area(
    state: &AppState,
    user: &StaffUser,
    slug: String,
    code: &str,
    to: &str,
) -> Result<Result<String, FieldErrors>, AppError> {
    require(user.manages_neighbourhoods())?;
    let mut errors = FieldErrors::default();
    if code.is_empty() {
        errors.add("small_area", "Choose the small area to move");
    }
    let to: Option<NeighbourhoodId> = to.parse().ok();
    if to.is_none() {
        errors.add("to", "Choose the neighbourhood it should join");
    }
    let (Some(to), true) = (to, errors.is_empty()) else { return Ok(Err(errors)) };
    let code = code.to_string();
    let outcome = db(state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        let band = neighbourhoods::band(conn)?.unwrap_or(DEFAULT_BAND);
        match neighbourhoods::move_small_area(conn, hood.id, &code, to, band) {
            Err(StoreError::NotFound) => Ok(Err(String::from("That neighbourhood no longer exists"))),
            other => other,
        }
    })
    .await?;
    Ok(match outcome {
        Ok((_, joined)) => Ok(joined.slug),
        Err(reason) => {
            errors.add("small_area", reason);
            Err(errors)
        }
    })
}
