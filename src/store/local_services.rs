//! What a neighbourhood's page shows of the directory: the public venues in
//! it, the running services based there, and those serving it from
//! elsewhere. A confidential venue (a refuge) plays no part in any of it.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::schema::{
    locations, needs, organisations, service_area_neighbourhoods, service_at_locations, service_needs,
    services,
};
use super::{Conn, StoreResult};
use crate::domain::ids::{LocationId, NeighbourhoodId, ServiceId};
use crate::domain::views::{LocalService, MapMarker, NeedLabel, NeighbourhoodView};
use crate::geo::cells::distance_m;

/// The venues in a neighbourhood where running services meet, with those
/// services. Confidential addresses (refuges) are never drawn.
pub fn markers(conn: &mut Conn, id: NeighbourhoodId) -> StoreResult<Vec<MapMarker>> {
    let rows: Vec<(LocationId, String, f64, f64, String)> = locations::table
        .inner_join(service_at_locations::table.inner_join(services::table))
        .filter(locations::neighbourhood_id.eq(id))
        .filter(locations::confidential.eq(false))
        .filter(locations::postal.eq(false))
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .select((locations::id, locations::name, locations::latitude, locations::longitude, services::name))
        .order((locations::name, locations::id, services::name))
        .load(conn)?;
    let mut markers: Vec<(LocationId, MapMarker)> = Vec::new();
    for (location, name, latitude, longitude, service) in rows {
        if markers.last().is_none_or(|(last, _)| *last != location) {
            markers.push((
                location,
                MapMarker { location_name: name, latitude, longitude, services: Vec::new() },
            ));
        }
        if let Some((_, marker)) = markers.last_mut() {
            marker.services.push(service);
        }
    }
    Ok(markers.into_iter().map(|(_, m)| m).collect())
}

/// Running services with a public venue in the neighbourhood, and those based
/// elsewhere that serve it: borough-wide and national services, services
/// that chose it among their neighbourhoods, and services whose radius from
/// one of their public venues reaches its centre. Both by name. A
/// confidential venue plays no part.
pub fn local_services(
    conn: &mut Conn,
    hood: &NeighbourhoodView,
) -> StoreResult<(Vec<LocalService>, Vec<LocalService>)> {
    let reach = service_reach(conn, std::slice::from_ref(hood))?.remove(&hood.id).unwrap_or_default();
    Ok((listed(conn, reach.based.into_iter().collect())?, listed(conn, reach.serving.into_iter().collect())?))
}

/// The running services with a public venue in `hood`, by id (for its feeds and digests).
pub fn based_in(conn: &mut Conn, hood: &NeighbourhoodView) -> StoreResult<Vec<ServiceId>> {
    let mut reach = service_reach(conn, std::slice::from_ref(hood))?;
    Ok(reach.remove(&hood.id).map(|r| r.based.into_iter().collect()).unwrap_or_default())
}

/// The running services that reach one neighbourhood, by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// With a public venue in it.
    pub based: HashSet<ServiceId>,
    /// Based elsewhere and serving it.
    pub serving: HashSet<ServiceId>,
}

/// For each of `hoods`, the ids of the running services based in it (a
/// public venue there) and of those serving it from elsewhere, as
/// `local_services` describes them; a few queries whatever the number of
/// neighbourhoods.
pub fn service_reach(
    conn: &mut Conn,
    hoods: &[NeighbourhoodView],
) -> StoreResult<HashMap<NeighbourhoodId, Reach>> {
    let ids: Vec<NeighbourhoodId> = hoods.iter().map(|h| h.id).collect();
    let mut reach: HashMap<NeighbourhoodId, Reach> = ids.iter().map(|&id| (id, Reach::default())).collect();
    // A confidential venue (a refuge) never says which neighbourhood it is in.
    let based: Vec<(Option<NeighbourhoodId>, ServiceId)> = service_at_locations::table
        .inner_join(locations::table)
        .filter(locations::neighbourhood_id.eq_any(&ids))
        .filter(locations::confidential.eq(false))
        .select((locations::neighbourhood_id, service_at_locations::service_id))
        .load(conn)?;
    for (hood, service) in based {
        if let Some(entry) = hood.and_then(|h| reach.get_mut(&h)) {
            entry.based.insert(service);
        }
    }
    let everywhere: Vec<ServiceId> = services::table
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .filter(services::area.eq_any(["borough", "national"]))
        .select(services::id)
        .load(conn)?;
    let chosen: Vec<(NeighbourhoodId, ServiceId)> = service_area_neighbourhoods::table
        .inner_join(services::table.on(services::id.eq(service_area_neighbourhoods::service_id)))
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .filter(service_area_neighbourhoods::neighbourhood_id.eq_any(&ids))
        .select((service_area_neighbourhoods::neighbourhood_id, service_area_neighbourhoods::service_id))
        .load(conn)?;
    // A radius is measured from public venues only: from a refuge's, the
    // neighbourhoods it reached would draw a circle around its address.
    let radius: Vec<(ServiceId, Option<f64>, f64, f64)> = services::table
        .inner_join(service_at_locations::table.inner_join(locations::table))
        .filter(services::status.eq("active"))
        .filter(services::archived_at.is_null())
        .filter(services::area.eq("radius"))
        .filter(locations::confidential.eq(false))
        .select((services::id, services::area_radius_km, locations::latitude, locations::longitude))
        .load(conn)?;
    for (hood, service) in chosen {
        if let Some(entry) = reach.get_mut(&hood) {
            entry.serving.insert(service);
        }
    }
    for hood in hoods {
        let Some(Reach { based, serving }) = reach.get_mut(&hood.id) else { continue };
        serving.extend(everywhere.iter().cloned());
        for (service, km, latitude, longitude) in &radius {
            if km.is_some_and(|km| {
                distance_m((*latitude, *longitude), (hood.latitude, hood.longitude)) <= km * 1000.0
            }) {
                serving.insert(*service);
            }
        }
        serving.retain(|s| !based.contains(s));
    }
    Ok(reach)
}

/// The running services among `ids`, with organisation and needs, by name.
fn listed(conn: &mut Conn, ids: Vec<ServiceId>) -> StoreResult<Vec<LocalService>> {
    let mut found = Vec::new();
    let mut needs_of: HashMap<ServiceId, Vec<NeedLabel>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(ServiceId, String, String)> = services::table
            .inner_join(organisations::table)
            .filter(services::id.eq_any(chunk))
            .filter(services::status.eq("active"))
            .filter(services::archived_at.is_null())
            .select((services::id, services::name, organisations::name))
            .load(conn)?;
        found.extend(rows);
        let labels: Vec<(ServiceId, String, String)> = service_needs::table
            .inner_join(needs::table)
            .filter(service_needs::service_id.eq_any(chunk))
            .select((service_needs::service_id, needs::slug, needs::label))
            .order((needs::position, needs::slug))
            .load(conn)?;
        for (service, slug, label) in labels {
            needs_of.entry(service).or_default().push(NeedLabel { slug, label });
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(found
        .into_iter()
        .map(|(id, name, organisation_name)| LocalService {
            id,
            needs: needs_of.remove(&id).unwrap_or_default(),
            name,
            organisation_name,
        })
        .collect())
}
