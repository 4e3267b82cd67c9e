//! HSDS 3.0 / ORUK 3.0 JSON read into our records: a page of services (with
//! `contents`), a list of services, one service, or a dump (an object with
//! `services`, and optionally `organizations`, `taxonomies`,
//! `taxonomy_terms`). Whatever this site publishes reads back as it was.
//!
//! ORUK v1 services are read too, rewritten first (see `oruk_v1`).
//!
//! A record that cannot be taken (no name, a status HSDS does not have, a
//! value of the wrong type) is rejected with its reason; the rest are read.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Number, Value};

use super::terms::NeedMatcher;
use super::{Batch, IncomingLocation, IncomingService, record_id};
use crate::domain::directory::{
    Capacity, CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
    VenueAccess,
};
use crate::domain::ids::{ContactId, LocationId, OrganisationId, ServiceId};
use crate::domain::listing::{Contact, Extras, Location, Organisation, Phone, Service};
use crate::domain::needs::Taxonomy;
use crate::domain::openreferral::hsds;
use crate::domain::openreferral::{Fact, facts_taxonomy_id, needs_taxonomy_id};
use crate::domain::schedule::{self, Frequency, Schedule};
use crate::domain::service_form::ServiceInput;

/// What reading needs to know besides the file.
pub struct Context<'a> {
    /// Where the records come from (a file's path, a feed's address): ids
    /// that are not UUIDs are made from it.
    pub source: &'a str,
    pub needs: &'a Taxonomy,
    pub matcher: &'a NeedMatcher,
    /// The area this directory covers: a service area of that name is the whole borough.
    pub area: &'a str,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("this is not JSON: {0}")]
    NotJson(String),
    #[error(
        "this JSON is not Open Referral: expected a page of services (an object with \"contents\"), \
         a list of services, one service, or an object with \"services\""
    )]
    Shape,
}

/// Reads a file or an answer.
pub fn read(bytes: &[u8], ctx: &Context) -> Result<Batch, ReadError> {
    // A whole directory as this site exports it is read straight into its
    // records; anything else (or a dump with a record that does not read)
    // record by record, so that each problem is named.
    if let Ok(dump) = serde_json::from_slice::<DumpIn>(bytes) {
        let mut batch = Batch::default();
        for (n, org) in dump.organizations.iter().enumerate() {
            add_organisation(&mut batch, org, ctx, &format!("organisation {}", n + 1));
        }
        for (n, service) in dump.services.iter().enumerate() {
            add_service(&mut batch, service, ctx, &format!("service {}", n + 1));
        }
        return Ok(batch);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ReadError::NotJson(e.to_string()))?;
    let (services, organisations) = match value {
        Value::Array(services) => (services, Vec::new()),
        Value::Object(mut object) => {
            let list = |object: &mut serde_json::Map<String, Value>, key: &str| match object.remove(key) {
                Some(Value::Array(items)) => Some(items),
                _ => None,
            };
            if let Some(contents) = list(&mut object, "contents") {
                (contents, Vec::new())
            } else if let Some(content) = list(&mut object, "content") {
                // An ORUK v1 page.
                (content, Vec::new())
            } else if let Some(services) = list(&mut object, "services") {
                (services, list(&mut object, "organizations").unwrap_or_default())
            } else if object.contains_key("id") && object.contains_key("name") {
                (vec![Value::Object(object)], Vec::new())
            } else {
                return Err(ReadError::Shape);
            }
        }
        _ => return Err(ReadError::Shape),
    };
    Ok(read_services(services, organisations, ctx))
}

/// The records of a dump (`export openreferral`'s file).
#[derive(serde::Deserialize)]
struct DumpIn {
    services: Vec<hsds::Service>,
    #[serde(default)]
    organizations: Vec<hsds::Organization>,
}

/// Whether a service is in ORUK v1's shape rather than HSDS 3.0's.
pub fn is_v1(service: &Value) -> bool {
    ["regular_schedules", "service_taxonomys", "eligibilitys", "holiday_schedules"]
        .iter()
        .any(|k| service.get(k).is_some())
        || service
            .get("service_at_locations")
            .and_then(|s| s.get(0))
            .is_some_and(|s| s["location"].get("physical_addresses").is_some())
}

/// Reads services (and organisations) given as JSON values, one by one.
pub fn read_services(services: Vec<Value>, organisations: Vec<Value>, ctx: &Context) -> Batch {
    let mut batch = Batch::default();
    for (n, value) in organisations.into_iter().enumerate() {
        match serde_json::from_value::<hsds::Organization>(value) {
            Ok(org) => add_organisation(&mut batch, &org, ctx, &format!("organisation {}", n + 1)),
            Err(e) => batch.reject(format!("organisation {}", n + 1), e.to_string()),
        }
    }
    for (n, value) in services.into_iter().enumerate() {
        let origin = format!("service {}", n + 1);
        let value = if is_v1(&value) { super::oruk_v1::service(&value) } else { value };
        match serde_json::from_value::<hsds::Service>(value) {
            Ok(service) => add_service(&mut batch, &service, ctx, &origin),
            Err(e) => batch.reject(origin, e.to_string()),
        }
    }
    batch
}

fn text(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

fn add_organisation(batch: &mut Batch, org: &hsds::Organization, ctx: &Context, origin: &str) {
    let id = OrganisationId(record_id(ctx.source, "organization", &org.id));
    if !batch.first("organisation", id.0) {
        return;
    }
    if org.name.trim().is_empty() {
        return batch.reject(origin, "the organisation has no name");
    }
    let identifier = |scheme: &str, words: &str| {
        org.organization_identifiers
            .iter()
            .find(|i| {
                i.identifier_scheme.as_deref() == Some(scheme)
                    || i.identifier_type.to_lowercase().contains(words)
            })
            .map(|i| i.identifier.trim().to_string())
    };
    batch.organisations.push(Organisation {
        id,
        name: org.name.trim().to_string(),
        description: org.description.trim().to_string(),
        kind: organisation_kind(org.legal_status.as_deref().unwrap_or("")),
        charity_number: identifier("GB-CHC", "charity"),
        company_number: identifier("GB-COH", "company"),
        website: text(&org.website),
        email: text(&org.email),
        phone: org.phones.first().map(|p| p.number.trim().to_string()),
    });
}

/// The kind of body a legal status names: our own labels, or words in it.
pub(super) fn organisation_kind(status: &str) -> OrganisationKind {
    let lower = status.to_lowercase();
    if let Some(kind) = OrganisationKind::ALL.iter().find(|k| k.label().to_lowercase() == lower) {
        return *kind;
    }
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["charit", "cio"]) {
        OrganisationKind::Charity
    } else if has(&["cic", "community interest"]) {
        OrganisationKind::Cic
    } else if has(&["church", "faith", "mosque", "temple", "synagogue", "gurdwara"]) {
        OrganisationKind::FaithGroup
    } else if has(&["council", "nhs", "public", "authority"]) {
        OrganisationKind::PublicBody
    } else if has(&["social enterprise"]) {
        OrganisationKind::SocialEnterprise
    } else {
        OrganisationKind::CommunityGroup
    }
}

fn add_service(batch: &mut Batch, s: &hsds::Service, ctx: &Context, origin: &str) {
    if s.id.trim().is_empty() {
        return batch.reject(origin, "the service has no id");
    }
    let id = ServiceId(record_id(ctx.source, "service", &s.id));
    let name = s.name.trim();
    if name.is_empty() {
        return batch.reject(origin, "the service has no name");
    }
    let origin = format!("{origin} ({})", s.id.trim());
    if !batch.first("service", id.0) {
        return batch.reject(origin, format!("the id \"{}\" is given to two services", s.id.trim()));
    }
    let Some(status) = status(&s.status) else {
        return batch.reject(
            origin,
            format!("status \"{}\" is not one of active, inactive, defunct, temporarily closed", s.status),
        );
    };
    if let Some(org) = &s.organization {
        add_organisation(batch, org, ctx, &origin);
    }
    let organisation = s.organization_id.as_deref().or(s.organization.as_ref().map(|o| o.id.as_str()));
    let Some(organisation) = organisation.filter(|o| !o.trim().is_empty()) else {
        return batch.reject(origin, "the service names no organisation");
    };
    let tags = Tags::of(batch, s, ctx);
    let (schedules, hours_text) = schedules_of(&s.schedules);
    let (area, area_radius_km, regions) = area_of(&s.service_areas, ctx.area);
    let mut delivery = tags.delivery.clone();
    let locations = venues_of(batch, s, ctx, &origin, &mut delivery);
    delivery.sort();
    let phones = phones_of(s);
    let (cost, cost_description) = cost_of(s);
    let details = ServiceInput {
        organisation: OrganisationId(record_id(ctx.source, "organization", organisation)),
        name: name.to_string(),
        description: text(&s.description).unwrap_or_default(),
        status,
        needs: tags.needs,
        referral_route: referral_of(s),
        eligibility: text(&s.eligibility_description),
        min_age: age(&s.minimum_age),
        max_age: age(&s.maximum_age),
        cost,
        cost_description,
        delivery,
        languages: language_names(&s.languages),
        area,
        area_radius_km,
        capacity: tags.capacity,
        email: text(&s.email),
        phone: phones.first().map(|p| p.number.clone()),
        website: text(&s.url),
    };
    let service = Service {
        id,
        details,
        locations,
        schedules,
        contacts: s.contacts.iter().map(|c| contact_of(c, &s.id, ctx)).collect(),
        capacity_said_on: None,
        last_verified_at: s.assured_date.as_deref().and_then(date).map(|d| d.and_time(NaiveTime::MIN)),
        last_verified_by: None,
        extras: Extras {
            hours_text,
            regions,
            phones: phones.into_iter().skip(1).collect(),
            keywords: tags.unmapped,
        },
    };
    let updated_at = s.last_modified.as_deref().and_then(instant);
    let organisation_ref = organisation.trim().to_string();
    batch.services.push(IncomingService { origin, service, organisation_ref, updated_at });
}

/// Its phone numbers, the main one first.
fn phones_of(s: &hsds::Service) -> Vec<Phone> {
    let given = s.phones.iter().filter(|p| !p.number.trim().is_empty());
    given.map(|p| Phone { number: p.number.trim().to_string(), description: text(&p.description) }).collect()
}

/// How to get it, as our own words for it say (HSDS's `application_process`),
/// else by contacting them.
fn referral_of(s: &hsds::Service) -> ReferralRoute {
    let said = s.application_process.as_deref().map(str::trim);
    ReferralRoute::ALL
        .iter()
        .copied()
        .find(|r| Some(r.label()) == said)
        .unwrap_or(ReferralRoute::SelfReferral)
}

fn status(text: &str) -> Option<ServiceStatus> {
    let wanted = text.trim().to_lowercase().replace('_', " ");
    ServiceStatus::ALL.iter().copied().find(|s| crate::domain::openreferral::publish::status(*s) == wanted)
}

/// An age in whole years, when it is one.
fn age(number: &Option<Number>) -> Option<i32> {
    number.as_ref().and_then(Number::as_f64).filter(|a| (0.0..=120.0).contains(a)).map(|a| a.floor() as i32)
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim().get(..10)?, "%Y-%m-%d").ok()
}

fn instant(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.naive_utc())
}

/// What it costs, never assumed free: the cost option's words (ours read
/// back), else an amount, else the fee in words.
fn cost_of(s: &hsds::Service) -> (CostKind, Option<String>) {
    let fees = text(&s.fees_description).or_else(|| text(&s.fees));
    let option = s.cost_options.first();
    let said = option.and_then(|o| text(&o.option));
    let described = option.and_then(|o| text(&o.amount_description)).or(fees.clone());
    if let Some(kind) = said.as_deref().and_then(|w| CostKind::ALL.iter().copied().find(|k| k.label() == w)) {
        // Our own words for free come back as no description.
        return (kind, described.filter(|d| d != kind.label()));
    }
    match option.and_then(|o| o.amount.as_ref()).and_then(Number::as_f64) {
        Some(amount) if amount > 0.0 => return (CostKind::Paid, described.or(Some(format!("£{amount:.2}")))),
        Some(_) => return (CostKind::Free, described.filter(|d| !d.eq_ignore_ascii_case("free"))),
        None => {}
    }
    match described {
        Some(words) if words.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| w == "free") => {
            let detail = (!words.eq_ignore_ascii_case("free")).then_some(words);
            (CostKind::Free, detail)
        }
        Some(words) => (CostKind::Paid, Some(words)),
        None => (CostKind::Unknown, None),
    }
}

/// Where it is offered: nowhere named (near its venues), a distance of them,
/// the borough, the country, or the regions it names.
fn area_of(areas: &[hsds::ServiceArea], borough: &str) -> (ServiceArea, Option<f64>, Vec<String>) {
    let names: Vec<String> =
        areas.iter().filter_map(|a| text(&a.name).or_else(|| text(&a.service_area))).collect();
    if let [only] = names.as_slice() {
        let radius = only
            .strip_prefix("Within ")
            .and_then(|rest| rest.strip_suffix(" km of its venues"))
            .and_then(|km| km.parse::<f64>().ok());
        if let Some(km) = radius {
            return (ServiceArea::Radius, Some(km), Vec::new());
        }
        if only.eq_ignore_ascii_case(borough) {
            return (ServiceArea::Borough, None, Vec::new());
        }
        if ["united kingdom", "uk", "england", "great britain", "national"]
            .contains(&only.to_lowercase().as_str())
        {
            return (ServiceArea::National, None, Vec::new());
        }
    }
    match names.is_empty() {
        true => (ServiceArea::Local, None, Vec::new()),
        false => (ServiceArea::Region, None, names),
    }
}

fn language_names(languages: &[hsds::Language]) -> Vec<String> {
    let mut names: Vec<String> = languages
        .iter()
        .filter_map(|l| text(&l.name).or_else(|| text(&l.code)))
        .filter(|n| n.len() <= 60)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The terms a service is tagged with: our needs and facts, other terms
/// landed on needs, and what lands nowhere.
#[derive(Default)]
struct Tags {
    needs: Vec<String>,
    delivery: Vec<DeliveryMode>,
    capacity: Option<Capacity>,
    unmapped: Vec<String>,
}

impl Tags {
    /// A service's tags; the terms that land on no need are counted in the batch.
    fn of(batch: &mut Batch, s: &hsds::Service, ctx: &Context) -> Tags {
        let mut tags = Tags::default();
        for term in s.attributes.iter().filter_map(|a| a.taxonomy_term.as_ref()) {
            tags.read(term, ctx);
        }
        for term in &tags.unmapped {
            *batch.unmapped.entry(term.clone()).or_default() += 1;
        }
        tags
    }

    fn read(&mut self, term: &hsds::TaxonomyTerm, ctx: &Context) {
        let taxonomy = term.taxonomy_id.as_deref();
        let ours = taxonomy == Some(needs_taxonomy_id().to_string().as_str());
        let code = term.code.as_deref().unwrap_or("");
        if taxonomy == Some(facts_taxonomy_id().to_string().as_str()) {
            match Fact::from_code(code) {
                Some(Fact::Delivery(mode)) if !self.delivery.contains(&mode) => self.delivery.push(mode),
                Some(Fact::Capacity(capacity)) => self.capacity = Some(capacity),
                _ => {}
            }
            return;
        }
        let slug = if ours && ctx.needs.is_need(code) {
            Some(code.to_string())
        } else {
            ctx.matcher.need_for(&term.name).map(str::to_string)
        };
        match slug {
            Some(slug) if !self.needs.contains(&slug) => self.needs.push(slug),
            Some(_) => {}
            None if !term.name.trim().is_empty() && !self.unmapped.contains(&term.name) => {
                self.unmapped.push(term.name.trim().to_string());
            }
            None => {}
        }
    }
}

/// The physical venues a service meets at and its contact (postal)
/// addresses, each added to the batch the first time it is named; a virtual
/// one says it is delivered online.
fn venues_of(
    batch: &mut Batch,
    s: &hsds::Service,
    ctx: &Context,
    origin: &str,
    delivery: &mut Vec<DeliveryMode>,
) -> Vec<LocationId> {
    let mut locations = Vec::new();
    for venue in s.service_at_locations.iter().filter_map(|at| at.location.as_ref()) {
        match venue.location_type.as_str() {
            "physical" | "postal" => match location_of(venue, ctx) {
                Ok(incoming) => {
                    if !locations.contains(&incoming.location.id) {
                        locations.push(incoming.location.id);
                    }
                    if batch.first("location", incoming.location.id.0) {
                        batch.locations.push(incoming);
                    }
                }
                // A contact address that cannot be read only placed it roughly.
                Err(_) if venue.location_type == "postal" => {}
                Err(reason) => batch.reject(format!("{origin}, venue {}", venue.id), reason),
            },
            "virtual" if !delivery.contains(&DeliveryMode::Online) => delivery.push(DeliveryMode::Online),
            _ => {}
        }
    }
    locations
}

/// A contact: a contact's id is the whole directory's, so one that is not a
/// UUID (or is missing) is made from its service's id as well.
fn contact_of(c: &hsds::Contact, service: &str, ctx: &Context) -> Contact {
    let key =
        if uuid::Uuid::try_parse(c.id.trim()).is_ok() { c.id.clone() } else { format!("{service}/{}", c.id) };
    Contact {
        id: ContactId(record_id(ctx.source, "contact", &key)),
        name: text(&c.name).unwrap_or_default(),
        title: text(&c.title),
        phone: c.phones.first().map(|p| p.number.trim().to_string()),
        email: text(&c.email),
        // Another directory published them: they are shown here as there.
        shown: true,
    }
}

fn location_of(venue: &hsds::Location, ctx: &Context) -> Result<IncomingLocation, String> {
    if venue.id.trim().is_empty() {
        return Err("the venue has no id".into());
    }
    let address = venue.addresses.iter().find(|a| a.address_type == "physical").or(venue.addresses.first());
    let Some(address) = address else { return Err("the venue has no address".into()) };
    let placed =
        venue.latitude.zip(venue.longitude).filter(|(lat, lon)| crate::geo::cells::on_globe(*lat, *lon));
    if placed.is_none() && address.postal_code.trim().is_empty() {
        return Err("the venue has neither coordinates nor a postcode".into());
    }
    let mut access = VenueAccess { public_transport: text(&venue.transportation), ..VenueAccess::default() };
    for said in
        venue.accessibility.iter().filter_map(|a| a.description.as_deref().or(a.accessibility.as_deref()))
    {
        let Some((what, answer)) = said.rsplit_once(": ") else { continue };
        let known = match answer.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        match what.trim() {
            "Step-free access" => access.step_free = known,
            "Accessible toilet" => access.accessible_toilet = known,
            "Hearing loop" => access.hearing_loop = known,
            "Parking" => access.parking = known,
            _ => {}
        }
    }
    let (latitude, longitude) = placed.unwrap_or((0.0, 0.0));
    let location = Location {
        id: LocationId(record_id(ctx.source, "location", &venue.id)),
        organisation: None,
        name: text(&venue.name).unwrap_or_else(|| address.address_1.trim().to_string()),
        address_1: address.address_1.trim().to_string(),
        address_2: text(&address.address_2),
        town: address.city.trim().to_string(),
        postcode: address.postal_code.trim().to_uppercase(),
        latitude,
        longitude,
        small_area: None,
        confidential: false,
        entry_point: venue.location_type != "postal"
            && venue.description.as_deref() == Some(Fact::EntryPoint.label().as_str()),
        postal: venue.location_type == "postal",
        access,
    };
    Ok(IncomingLocation { origin: format!("venue {}", venue.id), location, placed: placed.is_some() })
}

/// The schedules it holds, and any times given only in words.
fn schedules_of(all: &[hsds::Schedule]) -> (Vec<Schedule>, Option<String>) {
    let mut schedules = Vec::new();
    let mut words = Vec::new();
    for s in all {
        match (schedule_of(s), text(&s.description)) {
            (Some(schedule), _) => schedules.push(schedule),
            // Only words: read as schedules where they can be.
            (None, Some(said)) => match super::hours::read(&said) {
                Some(read) => schedules.extend(read),
                None => words.push(said),
            },
            (None, None) => {}
        }
    }
    (schedules, (!words.is_empty()).then(|| words.join("; ")))
}

/// A schedule, when it says enough to be one: a weekly or monthly pattern, a
/// single date, or "by appointment".
fn schedule_of(s: &hsds::Schedule) -> Option<Schedule> {
    // "10:00", "10:00:00" or "10:00:00+00:00".
    let time = |t: &Option<String>| {
        let t = t.as_deref()?.trim();
        let long = t.get(..8).and_then(|x| NaiveTime::parse_from_str(x, "%H:%M:%S").ok());
        long.or_else(|| t.get(..5).and_then(|x| NaiveTime::parse_from_str(x, "%H:%M").ok()))
    };
    let dates = |t: &Option<String>| t.as_deref().and_then(date);
    let by_appointment =
        s.attending_type.as_deref().is_some_and(|a| a.to_lowercase().contains("appointment"));
    let mut out = Schedule {
        interval: s
            .interval
            .as_ref()
            .and_then(Number::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1)
            .max(1),
        byday: schedule::parse_byday(s.byday.as_deref().unwrap_or("")).ok()?,
        bymonthday: schedule::parse_bymonthday(s.bymonthday.as_deref().unwrap_or("")).ok()?,
        dtstart: dates(&s.dtstart),
        valid_from: dates(&s.valid_from),
        valid_to: dates(&s.valid_to),
        opens_at: time(&s.opens_at),
        closes_at: time(&s.closes_at),
        by_appointment,
        closed_on: s.closed_dates.iter().filter_map(|d| date(d)).collect(),
        freq: None,
    };
    match s.freq.as_deref().map(str::to_uppercase).as_deref() {
        Some("WEEKLY") => out.freq = Some(Frequency::Weekly),
        Some("MONTHLY") => out.freq = Some(Frequency::Monthly),
        Some(_) => return None,
        // A single date: valid from and to the day it starts.
        None if out.dtstart.is_some() && out.valid_from == out.dtstart && out.valid_to == out.dtstart => {
            out.freq = Some(Frequency::Once);
            out.valid_from = None;
            out.valid_to = None;
        }
        None if by_appointment => {}
        None => return None,
    }
    if out.freq == Some(Frequency::Weekly) && out.byday.is_empty() && out.dtstart.is_none() {
        return None;
    }
    Some(out)
}
