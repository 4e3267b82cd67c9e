//! A listing as Open Referral writes it. The same records make the API's
//! answers and the export, so what other systems read and what a file
//! carries cannot drift apart.
//!
//! Our model maps onto HSDS 3.0 closely. Where HSDS has no field, a fact is a
//! term of the published "listing facts" taxonomy (see `Fact`); an address's
//! `state_province`, which ORUK requires, is the area's county or region.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Number;

use super::hsds::{
    Accessibility, Address, ApiDetails, Attribute, Contact, CostOption, Language, Location, Organization,
    OrganizationIdentifier, Phone, Schedule, Service, ServiceArea, ServiceAtLocation, Taxonomy, TaxonomyTerm,
};
use super::{Fact, OPENAPI_URL, PROFILE, PublicPlace, ServiceRecord, StoredSchedule, VERSION, derived_id};
use super::{facts_taxonomy_id, needs_taxonomy_id};
use crate::domain::directory::{CostKind, ServiceArea as Area, ServiceStatus};
use crate::domain::listing::{self, Organisation};
use crate::domain::needs::{Need, Taxonomy as Needs};
use crate::domain::schedule;

/// Everything the records say about where they come from.
pub struct Publisher<'a> {
    pub needs: &'a Needs,
    /// The site's address, without a trailing slash, for links to its pages.
    pub site: &'a str,
    /// The area the directory covers, like "Trafford".
    pub area: &'a str,
    /// The county or region its addresses are in, like "Greater Manchester".
    pub region: &'a str,
}

/// How much of a service to write: a list's one-to-one fields, or everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    List,
    Full,
}

/// Whether a service is written for "nobody has said" rather than a value.
fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The instant HSDS's `last_modified` wants: UTC, to the second.
pub fn instant(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The status as HSDS writes it.
pub fn status(status: ServiceStatus) -> &'static str {
    match status {
        ServiceStatus::Active => "active",
        ServiceStatus::TemporarilyClosed => "temporarily closed",
        ServiceStatus::Inactive => "inactive",
        ServiceStatus::Defunct => "defunct",
    }
}

impl Publisher<'_> {
    pub fn api_details(&self) -> ApiDetails {
        ApiDetails { version: VERSION.into(), profile: PROFILE.into(), openapi_url: OPENAPI_URL.into() }
    }

    /// The taxonomies published here: our needs, and the listing facts.
    pub fn taxonomies(&self) -> Vec<Taxonomy> {
        vec![
            Taxonomy {
                id: needs_taxonomy_id().to_string(),
                name: "Doorstep needs".into(),
                description: "What a person needs help with, in plain English, in two levels.".into(),
                uri: Some(format!("{}/needs", self.site)),
                version: None,
            },
            Taxonomy {
                id: facts_taxonomy_id().to_string(),
                name: "Doorstep listing facts".into(),
                description: "Facts about a listing that HSDS has no field for: how a service is delivered, \
                              whether it is taking new people, and which places are local entry points."
                    .into(),
                uri: None,
                version: None,
            },
        ]
    }

    /// Every term of both taxonomies: needs' groups and needs in the
    /// taxonomy's order, then facts.
    pub fn terms(&self) -> Vec<TaxonomyTerm> {
        let mut terms: Vec<TaxonomyTerm> = self.needs.iter().map(|n| self.need_term(n)).collect();
        terms.extend(Fact::all().into_iter().map(fact_term));
        terms
    }

    pub fn need_term(&self, need: &Need) -> TaxonomyTerm {
        TaxonomyTerm {
            id: need.id.to_string(),
            code: Some(need.slug.clone()),
            name: need.label.clone(),
            description: need.description.clone(),
            parent_id: need.parent.map(|p| p.to_string()),
            taxonomy: Some("Doorstep needs".into()),
            taxonomy_id: Some(needs_taxonomy_id().to_string()),
            term_uri: Some(format!("{}/needs/{}", self.site, need.slug)),
            term: Some(need.label.clone()),
        }
    }

    fn tag(&self, link_type: &str, link_id: &str, term: TaxonomyTerm) -> Attribute {
        Attribute {
            id: derived_id(&format!("attribute:{link_id}:{}", term.id)).to_string(),
            link_id: Some(link_id.to_string()),
            link_type: Some(link_type.to_string()),
            link_entity: Some(link_type.to_string()),
            taxonomy_term_id: Some(term.id.clone()),
            value: None,
            taxonomy_term: Some(term),
        }
    }

    /// An organisation. A list shows its own fields; `full` adds its
    /// identifiers and phone.
    pub fn organisation(&self, org: &Organisation, full: bool) -> Organization {
        let id = org.id.to_string();
        let mut out = Organization {
            id: id.clone(),
            name: org.name.clone(),
            description: text(&org.description).unwrap_or_else(|| org.name.clone()),
            email: org.email.clone(),
            website: org.website.clone(),
            uri: Some(format!("{}/organisations/{id}", self.site)),
            legal_status: Some(org.kind.label().to_string()),
            ..Organization::default()
        };
        if full {
            let identifiers = [
                ("GB-CHC", "Charity number", &org.charity_number),
                ("GB-COH", "Company number", &org.company_number),
            ];
            out.organization_identifiers = identifiers
                .into_iter()
                .filter_map(|(scheme, kind, number)| {
                    number.as_ref().map(|number| OrganizationIdentifier {
                        id: derived_id(&format!("identifier:{id}:{scheme}")).to_string(),
                        organization_id: Some(id.clone()),
                        identifier_scheme: Some(scheme.into()),
                        identifier_type: kind.into(),
                        identifier: number.clone(),
                    })
                })
                .collect();
            out.phones =
                org.phone.iter().map(|number| phone(&format!("organisation:{id}"), number)).collect();
        }
        out
    }

    /// A service: at `Depth::List` its own fields and its organisation, at
    /// `Depth::Full` everything nested in it.
    pub fn service(&self, record: &ServiceRecord, depth: Depth) -> Service {
        let d = &record.details;
        let id = record.id.to_string();
        let fees = match d.cost {
            CostKind::Free | CostKind::Donation => {
                Some(d.cost_description.clone().unwrap_or_else(|| d.cost.label().into()))
            }
            CostKind::Paid => d.cost_description.clone(),
            CostKind::Unknown => None,
        };
        let mut out = Service {
            id: id.clone(),
            organization_id: Some(d.organisation.to_string()),
            name: d.name.clone(),
            description: text(&d.description),
            url: d.website.clone(),
            email: d.email.clone(),
            status: status(d.status).into(),
            fees_description: fees.clone(),
            fees,
            eligibility_description: d.eligibility.clone(),
            application_process: Some(d.referral_route.label().to_string()),
            minimum_age: d.min_age.map(Number::from),
            maximum_age: d.max_age.map(Number::from),
            assured_date: record.last_verified_at.map(|at| date(at.date())),
            last_modified: Some(instant(record.updated_at)),
            organization: Some(Box::new(self.organisation(&record.organisation, false))),
            ..Service::default()
        };
        if depth == Depth::List {
            return out;
        }
        let owner = format!("service:{id}");
        out.phones = d.phone.iter().map(|number| phone(&owner, number)).collect();
        out.phones.extend(
            record
                .extras
                .phones
                .iter()
                .map(|p| Phone { description: p.description.clone(), ..phone(&owner, &p.number) }),
        );
        out.schedules = record.schedules.iter().map(|s| schedule_of(&id, s)).collect();
        // Opening times in words that could not be read: a schedule that only says them.
        out.schedules.extend(record.extras.hours_text.iter().map(|words| Schedule {
            id: derived_id(&format!("hours:{id}")).to_string(),
            service_id: Some(id.clone()),
            description: Some(words.clone()),
            ..Schedule::default()
        }));
        out.service_areas = self.areas(record);
        out.service_at_locations = record
            .places
            .iter()
            .filter(|p| !p.location.confidential)
            .map(|p| self.at_location(&id, p))
            .collect();
        out.languages = d
            .languages
            .iter()
            .map(|name| Language {
                id: derived_id(&format!("language:{id}:{name}")).to_string(),
                service_id: Some(id.clone()),
                name: Some(name.clone()),
                code: None,
            })
            .collect();
        out.cost_options = self.cost(record).into_iter().collect();
        // Only those who agreed to be named are published.
        out.contacts = record.contacts.iter().filter(|c| c.shown).map(|c| contact(&id, c)).collect();
        let needs = d.needs.iter().filter_map(|slug| self.needs.by_slug(slug)).map(|n| self.need_term(n));
        let mut facts: Vec<Fact> = d.delivery.iter().map(|&m| Fact::Delivery(m)).collect();
        facts.extend(d.capacity.map(Fact::Capacity));
        let keywords = record.extras.keywords.iter().map(|word| keyword_term(word));
        out.attributes = needs
            .chain(facts.into_iter().map(fact_term))
            .chain(keywords)
            .map(|t| self.tag("service", &id, t))
            .collect();
        out
    }

    /// What it costs, unless nobody has said.
    fn cost(&self, record: &ServiceRecord) -> Option<CostOption> {
        let d = &record.details;
        if d.cost == CostKind::Unknown {
            return None;
        }
        let free = matches!(d.cost, CostKind::Free | CostKind::Donation);
        Some(CostOption {
            id: derived_id(&format!("cost:{}", record.id)).to_string(),
            service_id: Some(record.id.to_string()),
            option: Some(d.cost.label().to_string()),
            currency: free.then(|| "GBP".to_string()),
            amount: free.then(|| Number::from(0)),
            amount_description: d.cost_description.clone(),
        })
    }

    /// Where a service is offered, as named areas. A service offered near its
    /// venues has none: its venues say where.
    fn areas(&self, record: &ServiceRecord) -> Vec<ServiceArea> {
        let d = &record.details;
        let names: Vec<String> = match d.area {
            Area::Local => vec![],
            Area::Radius => {
                d.area_radius_km.map(|km| vec![format!("Within {km} km of its venues")]).unwrap_or_default()
            }
            Area::Neighbourhoods => record.neighbourhoods.clone(),
            Area::Borough => vec![self.area.to_string()],
            Area::Region => record.extras.regions.clone(),
            Area::National => vec!["United Kingdom".to_string()],
        };
        names
            .into_iter()
            .map(|name| ServiceArea {
                id: derived_id(&format!("area:{}:{name}", record.id)).to_string(),
                service_id: Some(record.id.to_string()),
                service_area: Some(name.clone()),
                name: Some(name),
                ..ServiceArea::default()
            })
            .collect()
    }

    /// A service at one of its venues: `service_id` names the service it is of.
    pub fn at_location(&self, service_id: &str, place: &PublicPlace) -> ServiceAtLocation {
        ServiceAtLocation {
            id: place.service_at_location.to_string(),
            service_id: Some(service_id.to_string()),
            location_id: Some(place.location.id.to_string()),
            location: Some(self.location(&place.location)),
            ..ServiceAtLocation::default()
        }
    }

    /// A service at a venue, as the `/service_at_locations` endpoints answer:
    /// with the service (its list fields) as well as the venue. `detail`
    /// adds the service's name and status at the top (see `hsds::ServiceAtLocation`).
    pub fn service_at_location(
        &self,
        record: &ServiceRecord,
        place: &PublicPlace,
        detail: bool,
    ) -> ServiceAtLocation {
        let mut out = self.at_location(&record.id.to_string(), place);
        out.service = Some(Box::new(self.service(record, Depth::List)));
        if detail {
            out.name = Some(record.details.name.clone());
            out.status = Some(status(record.details.status).into());
        }
        out
    }

    fn location(&self, venue: &listing::Location) -> Location {
        let id = venue.id.to_string();
        // A contact address is where to write, not a place to go.
        let kind = if venue.postal { "postal" } else { "physical" };
        let access = &venue.access;
        let facts = [
            ("Step-free access", access.step_free),
            ("Accessible toilet", access.accessible_toilet),
            ("Hearing loop", access.hearing_loop),
            ("Parking", access.parking),
        ];
        Location {
            id: id.clone(),
            location_type: kind.into(),
            name: Some(venue.name.clone()),
            description: venue.entry_point.then(|| Fact::EntryPoint.label()),
            latitude: Some(venue.latitude),
            longitude: Some(venue.longitude),
            transportation: access.public_transport.clone(),
            addresses: vec![Address {
                id: derived_id(&format!("address:{id}")).to_string(),
                location_id: Some(id.clone()),
                address_1: venue.address_1.clone(),
                address_2: venue.address_2.clone(),
                city: venue.town.clone(),
                state_province: self.region.to_string(),
                postal_code: venue.postcode.clone(),
                country: "GB".into(),
                address_type: kind.into(),
            }],
            accessibility: facts
                .into_iter()
                .filter_map(|(what, known)| {
                    known.map(|yes| {
                        let said = format!("{what}: {}", if yes { "yes" } else { "no" });
                        Accessibility {
                            id: derived_id(&format!("accessibility:{id}:{what}")).to_string(),
                            location_id: Some(id.clone()),
                            description: Some(said.clone()),
                            details: None,
                            accessibility: Some(said),
                        }
                    })
                })
                .collect(),
        }
    }
}

fn fact_term(fact: Fact) -> TaxonomyTerm {
    TaxonomyTerm {
        id: fact.id().to_string(),
        code: Some(fact.code()),
        name: fact.label(),
        description: fact.description().into(),
        parent_id: None,
        taxonomy: Some("Doorstep listing facts".into()),
        taxonomy_id: Some(facts_taxonomy_id().to_string()),
        term_uri: None,
        term: Some(fact.label()),
    }
}

/// A word from another directory's taxonomy that maps to none of our needs,
/// kept with the service: a term of no taxonomy published here.
fn keyword_term(word: &str) -> TaxonomyTerm {
    TaxonomyTerm {
        id: derived_id(&format!("keyword:{}", word.to_lowercase())).to_string(),
        name: word.to_string(),
        description: "A term from another directory's taxonomy.".into(),
        ..TaxonomyTerm::default()
    }
}

fn phone(owner: &str, number: &str) -> Phone {
    Phone {
        id: derived_id(&format!("phone:{owner}:{number}")).to_string(),
        number: number.into(),
        description: None,
    }
}

fn contact(service_id: &str, c: &listing::Contact) -> Contact {
    let id = c.id.to_string();
    Contact {
        id: id.clone(),
        service_id: Some(service_id.to_string()),
        name: text(&c.name),
        title: c.title.clone(),
        email: c.email.clone(),
        phones: c.phone.iter().map(|number| phone(&format!("contact:{id}"), number)).collect(),
    }
}

fn schedule_of(service_id: &str, stored: &StoredSchedule) -> Schedule {
    let s = &stored.schedule;
    let list = |items: Vec<String>| (!items.is_empty()).then(|| items.join(","));
    let (freq, dtstart) = match s.freq {
        // HSDS has no one-off frequency: a single date is valid from and to itself.
        Some(schedule::Frequency::Once) => (None, s.dtstart),
        Some(freq) => (Some(freq.code().to_string()), s.dtstart),
        None => (None, None),
    };
    let once = s.freq == Some(schedule::Frequency::Once);
    Schedule {
        id: stored.id.to_string(),
        service_id: Some(service_id.to_string()),
        valid_from: s.valid_from.or(dtstart.filter(|_| once)).map(date),
        valid_to: s.valid_to.or(dtstart.filter(|_| once)).map(date),
        dtstart: dtstart.map(date),
        interval: freq.as_ref().map(|_| Number::from(s.interval.max(1))),
        freq,
        byday: list(s.byday.iter().map(ToString::to_string).collect()),
        bymonthday: list(s.bymonthday.iter().map(ToString::to_string).collect()),
        description: schedule::describe(std::slice::from_ref(s), NaiveDate::MIN).into_iter().next(),
        opens_at: s.opens_at.map(|t| t.format("%H:%M").to_string()),
        closes_at: s.closes_at.map(|t| t.format("%H:%M").to_string()),
        attending_type: s.by_appointment.then(|| "By appointment".to_string()),
        notes: stored.notes.clone(),
        closed_dates: s.closed_on.iter().map(|&d| date(d)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, Weekday};

    use super::*;
    use crate::domain::ids::ScheduleId;
    use crate::domain::schedule::Schedule as Pattern;

    fn hours(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn a_schedule_is_written_as_hsds_rules_and_in_words() {
        let mut pattern = Pattern::weekly(&[Weekday::Tue, Weekday::Thu], hours(10), hours(12));
        pattern.closed_on = vec![NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()];
        let stored = StoredSchedule { id: ScheduleId::from_seed(1), schedule: pattern, notes: None };
        let out = schedule_of("s", &stored);
        assert_eq!(out.freq.as_deref(), Some("WEEKLY"));
        assert_eq!(out.byday.as_deref(), Some("TU,TH"));
        assert_eq!((out.opens_at.as_deref(), out.closes_at.as_deref()), (Some("10:00"), Some("12:00")));
        assert_eq!(out.closed_dates, ["2026-12-24"]);
        assert!(out.description.unwrap().starts_with("Every Tuesday and Thursday"));
        assert_eq!(out.bymonthday, None, "an empty list is left out");
    }

    #[test]
    fn a_one_off_date_is_valid_from_and_to_itself() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let pattern =
            Pattern { freq: Some(schedule::Frequency::Once), dtstart: Some(day), ..Pattern::default() };
        let out = schedule_of(
            "s",
            &StoredSchedule { id: ScheduleId::from_seed(2), schedule: pattern, notes: None },
        );
        assert_eq!(out.freq, None);
        assert_eq!(
            (out.valid_from.as_deref(), out.valid_to.as_deref()),
            (Some("2026-12-25"), Some("2026-12-25"))
        );
    }

    #[test]
    fn derived_ids_are_the_same_every_time() {
        assert_eq!(derived_id("address:x"), derived_id("address:x"));
        assert_ne!(derived_id("address:x"), derived_id("address:y"));
        assert_eq!(Fact::from_code("delivery:phone").map(Fact::code).as_deref(), Some("delivery:phone"));
    }
}
