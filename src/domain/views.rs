//! Read models: what the pages show, filled in by the store. Plain data, so
//! that pages never need to know where it came from.

use chrono::{NaiveDate, NaiveDateTime};

use super::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
use super::events::Occurrence;
use super::ids::{EventId, LocationId, NeighbourhoodId, ServiceId, ThreadId};
use super::listing::{Contact, Extras, Location, Organisation};
use super::schedule::Schedule;
use super::service_form::ServiceInput;
use crate::geo::cells::Ring;

/// A need as shown on a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedLabel {
    pub slug: String,
    pub label: String,
}

/// A venue as shown on a listing, with the neighbourhood it falls in.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationView {
    pub location: Location,
    pub neighbourhood: Option<NeighbourhoodId>,
}

/// Everything the service page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceView {
    pub id: ServiceId,
    pub details: ServiceInput,
    pub organisation_name: String,
    pub needs: Vec<NeedLabel>,
    pub locations: Vec<LocationView>,
    pub schedules: Vec<Schedule>,
    pub contacts: Vec<Contact>,
    pub extras: Extras,
    pub capacity_said_on: Option<NaiveDate>,
    pub last_verified_at: Option<NaiveDateTime>,
    pub last_verified_by: Option<String>,
    pub updated_at: NaiveDateTime,
    /// The neighbouring area whose feed lists it: it is changed there, not here.
    pub listed_by: Option<String>,
    /// When it was archived: off the public site until it is restored.
    pub archived_at: Option<NaiveDateTime>,
}

impl ServiceView {
    /// Its contact address, when that is all it has of a place: no venue.
    pub fn contact_address_only(&self) -> Option<&crate::domain::listing::Location> {
        let only = self.locations.iter().all(|p| p.location.postal);
        self.locations.first().map(|p| &p.location).filter(|_| only)
    }
}

/// A line in a list of services.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSummary {
    pub id: ServiceId,
    pub name: String,
    pub organisation_name: String,
    pub status: ServiceStatus,
    pub capacity: Option<Capacity>,
    pub last_verified_at: Option<NaiveDateTime>,
}

/// Everything the organisation page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct OrganisationView {
    pub organisation: Organisation,
    pub services: Vec<ServiceSummary>,
    /// When it was archived: off the public site until it is restored.
    pub archived_at: Option<NaiveDateTime>,
}

/// One changed field, as the history page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeView {
    pub changed_at: NaiveDateTime,
    pub by: Option<String>,
    /// The kind of record ("service", "organisation", "location"), its id
    /// and its name now (none once it is gone).
    pub kind: String,
    pub record_id: String,
    pub record_name: Option<String>,
    pub action: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

/// A venue a service's form offers.
#[derive(Clone, Debug, PartialEq)]
pub struct VenueChoice {
    pub id: LocationId,
    pub name: String,
    /// Its address on one line: "1 Church Lane, Sale, M33 7XX".
    pub address: String,
    pub confidential: bool,
    pub entry_point: bool,
}

impl VenueChoice {
    /// The venue as a service's history names it: a confidential one by no
    /// name, so that the history never says where a refuge is.
    pub fn history_name(&self) -> String {
        if self.confidential { String::from(CONFIDENTIAL_VENUE) } else { self.name.clone() }
    }
}

/// How a confidential venue is named in a service's history.
pub const CONFIDENTIAL_VENUE: &str = "A confidential venue";

/// A venue as search sees it: where it is, and whether it is step-free. Only
/// public venues: a confidential address never reaches the index.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchPlace {
    pub latitude: f64,
    pub longitude: f64,
    pub step_free: bool,
    /// A contact address, not a venue (see `Location::postal`).
    pub postal: bool,
}

/// Everything the search index holds about one running service.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchableService {
    pub id: ServiceId,
    pub name: String,
    pub description: String,
    pub organisation: String,
    /// Need slugs.
    pub needs: Vec<String>,
    /// Words another directory tagged it with that name none of our needs.
    pub keywords: Vec<String>,
    pub languages: Vec<String>,
    pub delivery: Vec<DeliveryMode>,
    pub cost: CostKind,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub area: ServiceArea,
    pub referral: ReferralRoute,
    pub capacity: Option<Capacity>,
    pub places: Vec<SearchPlace>,
    pub schedules: Vec<Schedule>,
    pub last_verified_at: Option<NaiveDateTime>,
    /// The neighbouring area whose feed lists it, when not this area's own.
    pub listed_by: Option<String>,
}

/// Everything the network activity index holds about one shown thread.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchableThread {
    pub id: ThreadId,
    pub title: String,
    /// Its opening post in plain words, cut short, for a result to show.
    pub excerpt: String,
    /// The plain words of every post shown in it, up to a limit.
    pub text: String,
    /// Need slugs: its tags.
    pub needs: Vec<String>,
    pub network_slug: String,
    pub network_name: String,
    /// The centre of its network's neighbourhood; none for a place-based
    /// network, which is for the whole area.
    pub point: Option<(f64, f64)>,
    pub last_posted_at: NaiveDateTime,
    pub replies: i64,
}

/// Everything the network activity index holds about one shown event.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchableEvent {
    pub id: EventId,
    pub title: String,
    /// Its description in plain words, cut short.
    pub excerpt: String,
    /// Its title, description, who it is for and the services it names.
    pub text: String,
    /// Need slugs: those of the services it names.
    pub needs: Vec<String>,
    pub network_slug: String,
    pub network_name: String,
    /// Where it is, as its page says (nothing that places it, at a venue
    /// made confidential since), and its point when it has one.
    pub place_name: String,
    pub point: Option<(f64, f64)>,
    /// The times it happens that have not yet ended, soonest first.
    pub occurrences: Vec<Occurrence>,
    pub free: bool,
}

/// A neighbourhood with its figures, as pages and the report show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NeighbourhoodView {
    pub id: NeighbourhoodId,
    pub slug: String,
    pub name: String,
    pub population: u32,
    pub small_areas: u32,
    pub area_km2: f64,
    pub latitude: f64,
    pub longitude: f64,
    /// 1 for a disc, nearer 0 the more stretched or ragged.
    pub compactness: f64,
    /// Why its population is outside the band; `None` when inside.
    pub outside_band: Option<String>,
}

/// A venue drawn on a neighbourhood map, with the names of the services that meet there.
#[derive(Clone, Debug, PartialEq)]
pub struct MapMarker {
    pub location_name: String,
    pub latitude: f64,
    pub longitude: f64,
    pub services: Vec<String>,
}

/// A service listed on a neighbourhood page, with its needs.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalService {
    pub id: ServiceId,
    pub name: String,
    pub organisation_name: String,
    pub needs: Vec<NeedLabel>,
}

/// What a results page says of a service besides what the search index holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultDetails {
    /// The first sentence of its description.
    pub summary: String,
    pub cost: CostKind,
    pub cost_description: Option<String>,
    pub eligibility: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
}

impl ResultDetails {
    /// The first sentence of `description`, at most about 160 characters.
    pub fn summary_of(description: &str) -> String {
        let first = description.split_inclusive(". ").next().unwrap_or(description).trim();
        if first.chars().count() <= 160 {
            return first.to_string();
        }
        let cut: String = first.chars().take(157).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
        format!("{cut}…")
    }
}

/// An outline on a map: a neighbourhood, linking to its page unless it is the
/// page's own (`current`).
#[derive(Clone, Debug, PartialEq)]
pub struct MapShape {
    pub label: String,
    pub href: Option<String>,
    /// Polygons of rings of (latitude, longitude).
    pub polygons: Vec<Vec<Ring>>,
    pub current: bool,
}

/// A point on a map: a venue, with what is there.
#[derive(Clone, Debug, PartialEq)]
pub struct MapPin {
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A staff account as the administrators' pages show it.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountView {
    pub user: super::accounts::StaffUser,
    /// When it was disabled: it cannot sign in.
    pub disabled_at: Option<NaiveDateTime>,
}

/// One of a person's sessions, as their account page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    /// What names it on the page (not enough to sign in with).
    pub handle: String,
    pub started: NaiveDateTime,
    pub ends: NaiveDateTime,
    /// The browser it began in, as it said.
    pub browser: Option<String>,
    /// The session this page was asked for in.
    pub current: bool,
}

/// A local entry point as a line in a list: its page, name, address and,
/// from a point searched around, how far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceCard {
    pub id: LocationId,
    pub name: String,
    pub address: String,
    pub distance_m: Option<u32>,
}

/// A local entry point's page: the place, when it is open, the
/// neighbourhood it is in (slug and name), and what happens there.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceView {
    pub venue: Location,
    pub hours: Vec<Schedule>,
    pub neighbourhood: Option<(String, String)>,
    /// The running services that meet there, with when each meets.
    pub services: Vec<(ServiceSummary, Vec<String>)>,
}

impl PlaceCard {
    /// A venue as a line, `distance_m` from where was searched.
    pub fn of(venue: &Location, distance_m: Option<u32>) -> Self {
        let address = [
            Some(venue.address_1.as_str()),
            venue.address_2.as_deref(),
            Some(venue.town.as_str()),
            Some(venue.postcode.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        PlaceCard { id: venue.id, name: venue.name.clone(), address, distance_m }
    }
}

/// A listing added or changed lately, for a neighbourhood's weekly feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingChange {
    pub id: ServiceId,
    pub name: String,
    pub organisation: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
