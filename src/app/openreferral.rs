//! The Open Referral UK 3.0 API's use cases: the directory as other systems
//! read it. Everything is public (the standard asks for no key), and nothing
//! confidential is read: the store leaves refuges out before anything else.

use chrono::NaiveDateTime;

use super::db;
use crate::config::Config;
use crate::domain::ids::{NeedId, OrganisationId, ServiceAtLocationId, ServiceId};
use crate::domain::needs::Taxonomy as Needs;
use crate::domain::openreferral::ServiceRecord;
use crate::domain::openreferral::hsds::{
    Dump, Organization, Page, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm,
};
use crate::domain::openreferral::publish::{Depth, Publisher};
use crate::domain::openreferral::query::{ListQuery, Paging};
use crate::domain::text::FieldProblem;
use crate::error::AppError;
use crate::geo::postcode::{Located, PlaceQuery};
use crate::state::AppState;
use crate::store::{self, Conn, Store, StoreResult};

/// An answer, with when what it shows last changed (for `Last-Modified`).
/// Only one service's answer says: a page changes when a service leaves it
/// or an organisation is edited, which no one time records (its ETag does).
pub struct Answer<T> {
    pub body: T,
    pub last_modified: Option<NaiveDateTime>,
}

impl<T> Answer<T> {
    fn new(body: T, last_modified: Option<NaiveDateTime>) -> Self {
        Answer { body, last_modified }
    }
}

/// What the records say about where they come from, from the configuration.
pub fn publisher(state: &AppState) -> Publisher<'_> {
    publisher_for(&state.config, &state.taxonomy, state.demo.as_deref())
}

/// The same, for a command with no server's state: `demo` is the demo
/// borough's name when the database holds the demo.
pub fn publisher_for<'a>(config: &'a Config, needs: &'a Needs, demo: Option<&'a str>) -> Publisher<'a> {
    Publisher {
        needs,
        site: &config.public_url,
        area: config.area_name_or(demo),
        region: config.region.as_deref().unwrap_or("England"),
    }
}

/// Everything published here: every service in full, every organisation
/// with its identifiers, and both taxonomies with their terms, each list in
/// the order of its ids, so that the same directory is always the same dump.
pub fn dump(store: &Store, feed: &Publisher) -> StoreResult<Dump> {
    let (_, organisations) = store::organisations::page(&mut *store.conn()?, &[], 0, u64::MAX)?;
    Ok(Dump {
        services: every_service(store)?.iter().map(|r| feed.service(r, Depth::Full)).collect(),
        organizations: organisations.iter().map(|o| feed.organisation(o, true)).collect(),
        taxonomies: feed.taxonomies(),
        taxonomy_terms: feed.terms(),
    })
}

/// Every service's whole listing, in the order of their ids, read 500 at a time.
pub fn every_service(store: &Store) -> StoreResult<Vec<ServiceRecord>> {
    let mut conn = store.conn()?;
    let ids = store::openreferral::service_ids(&mut conn)?;
    let mut all = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        all.extend(store::openreferral::records(&mut conn, chunk)?);
    }
    Ok(all)
}

/// The dump as one JSON file, as `doorstep export openreferral` writes it.
pub fn export(store: &Store, feed: &Publisher) -> StoreResult<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(&dump(store, feed)?)
        .map_err(|e| store::StoreError::Corrupt(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Where a postcode filter points (none without one), or why it cannot be used.
fn located(
    conn: &mut Conn,
    postcode: Option<&PlaceQuery>,
) -> StoreResult<Result<Option<store::openreferral::Near>, FieldProblem>> {
    let Some(postcode) = postcode else { return Ok(Ok(None)) };
    let found = store::postcodes::locate(conn, postcode)?;
    let Some(place) = found.place() else {
        let typed = match &found {
            Located::Unknown(typed) => typed.clone(),
            _ => String::new(),
        };
        return Ok(Err(FieldProblem {
            field: "postcode",
            message: format!("the postcode \"{typed}\" is not known here"),
        }));
    };
    Ok(Ok(Some(store::openreferral::near(conn, place.latitude, place.longitude)?)))
}

/// `GET /services`: a page of services, each with its own fields and its
/// organisation, or (`full=true`) with everything nested in it.
pub async fn services(state: &AppState, query: ListQuery) -> Result<Answer<Page<Service>>, AppError> {
    let paging = query.paging;
    let depth = if query.full { Depth::Full } else { Depth::List };
    let (total, records) = db(state, move |conn| {
        let near = match located(conn, query.filter.postcode.as_ref())? {
            Ok(near) => near,
            Err(problem) => return Ok(Err(problem)),
        };
        let (total, ids) = store::openreferral::services_page(conn, &query.filter, near, paging)?;
        Ok(Ok((total, store::openreferral::records(conn, &ids)?)))
    })
    .await?
    .map_err(AppError::Invalid)?;
    let feed = publisher(state);
    let contents = records.iter().map(|r| feed.service(r, depth)).collect();
    Ok(Answer::new(Page::new(contents, total, paging.page, paging.per_page), None))
}

/// `GET /services/{id}`: one service with everything nested in it.
pub async fn service(state: &AppState, id: ServiceId) -> Result<Answer<Service>, AppError> {
    let records = db(state, move |conn| store::openreferral::records(conn, &[id])).await?;
    let record = records.first().ok_or(AppError::NotFound)?;
    Ok(Answer::new(publisher(state).service(record, Depth::Full), Some(record.updated_at)))
}

/// `GET /service_at_locations`: a page of services at their public venues.
pub async fn places(state: &AppState, query: ListQuery) -> Result<Answer<Page<ServiceAtLocation>>, AppError> {
    let paging = query.paging;
    let (total, found) = db(state, move |conn| {
        let near = match located(conn, query.filter.postcode.as_ref())? {
            Ok(near) => near,
            Err(problem) => return Ok(Err(problem)),
        };
        let (total, ids) = store::openreferral::places_page(conn, &query.filter, near, paging)?;
        Ok(Ok((total, store::openreferral::place_records(conn, &ids)?)))
    })
    .await?
    .map_err(AppError::Invalid)?;
    let feed = publisher(state);
    let contents =
        found.iter().map(|(record, place)| feed.service_at_location(record, place, false)).collect();
    Ok(Answer::new(Page::new(contents, total, paging.page, paging.per_page), None))
}

/// `GET /service_at_locations/{id}`: a service at one public venue.
pub async fn place(state: &AppState, id: ServiceAtLocationId) -> Result<Answer<ServiceAtLocation>, AppError> {
    let found = db(state, move |conn| store::openreferral::place_records(conn, &[id])).await?;
    let (record, place) = found.first().ok_or(AppError::NotFound)?;
    Ok(Answer::new(publisher(state).service_at_location(record, place, true), Some(record.updated_at)))
}

/// `GET /organizations`: a page of organisations.
pub async fn organisations(
    state: &AppState,
    words: Vec<String>,
    paging: Paging,
) -> Result<Answer<Page<Organization>>, AppError> {
    let (total, found) =
        db(state, move |conn| store::organisations::page(conn, &words, paging.offset(), paging.per_page))
            .await?;
    let feed = publisher(state);
    let contents = found.iter().map(|o| feed.organisation(o, false)).collect();
    Ok(Answer::new(Page::new(contents, total, paging.page, paging.per_page), None))
}

/// `GET /organizations/{id}`: an organisation with its identifiers and the
/// services it runs, each in full.
pub async fn organisation(state: &AppState, id: OrganisationId) -> Result<Answer<Organization>, AppError> {
    let (organisation, records) = db(state, move |conn| {
        // One that runs only other areas' listings is theirs to publish.
        if store::organisations::theirs_only(conn)?.contains(&id) {
            return Err(store::StoreError::NotFound);
        }
        let (organisation, services) = store::organisations::with_services(conn, id)?;
        Ok((organisation, store::openreferral::records(conn, &services)?))
    })
    .await?;
    let feed = publisher(state);
    let mut out = feed.organisation(&organisation, true);
    out.services = records.iter().map(|r| feed.service(r, Depth::Full)).collect();
    Ok(Answer::new(out, None))
}

fn page_of<T>(all: Vec<T>, paging: Paging) -> Page<T> {
    let total = all.len() as u64;
    Page::new(paging.window(all), total, paging.page, paging.per_page)
}

/// `GET /taxonomies`.
pub fn taxonomies(state: &AppState, paging: Paging) -> Page<Taxonomy> {
    page_of(publisher(state).taxonomies(), paging)
}

/// `GET /taxonomies/{id}`.
pub fn taxonomy(state: &AppState, id: uuid::Uuid) -> Result<Taxonomy, AppError> {
    let all = publisher(state).taxonomies();
    all.into_iter().find(|t| t.id == id.to_string()).ok_or(AppError::NotFound)
}

/// Which terms `GET /taxonomy_terms` lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TermFilter {
    pub taxonomy: Option<uuid::Uuid>,
    pub parent: Option<NeedId>,
    pub top_only: bool,
}

/// `GET /taxonomy_terms`: both taxonomies' terms, needs first.
pub fn terms(state: &AppState, filter: TermFilter, paging: Paging) -> Page<TaxonomyTerm> {
    let taxonomy = filter.taxonomy.map(|t| t.to_string());
    let parent = filter.parent.map(|p| p.to_string());
    let chosen: Vec<TaxonomyTerm> = publisher(state)
        .terms()
        .into_iter()
        .filter(|t| taxonomy.is_none() || t.taxonomy_id == taxonomy)
        .filter(|t| parent.is_none() || t.parent_id == parent)
        .filter(|t| !filter.top_only || t.parent_id.is_none())
        .collect();
    page_of(chosen, paging)
}

/// `GET /taxonomy_terms/{id}`.
pub fn term(state: &AppState, id: uuid::Uuid) -> Result<TaxonomyTerm, AppError> {
    let wanted = id.to_string();
    publisher(state).terms().into_iter().find(|t| t.id == wanted).ok_or(AppError::NotFound)
}
