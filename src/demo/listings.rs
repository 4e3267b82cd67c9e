//! The demo's listings: organisations, venues and services made from the
//! templates. Borough-wide services sit in the borough's centre; local ones
//! are spread over the places, and each organisation or venue is made once,
//! when a service first needs it.

use std::collections::HashMap;

use chrono::{Days, NaiveDate, NaiveDateTime};

use super::areas::{POSTCODES_PER_AREA, Postcode};
use super::schedules::schedules_of;
use super::templates::{ServiceTemplate, Templates};
use super::{CONTACT_IDS, Dice, LOCATION_IDS, ORGANISATION_IDS, SERVICE_IDS, TemplateError, users};
use crate::domain::directory::{
    Capacity, CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
    VenueAccess,
};
use crate::domain::ids::{ContactId, LocationId, OrganisationId, ServiceId, UserId};
use crate::domain::listing::{Contact, Extras, Location, Organisation, Service};
use crate::domain::service_form::ServiceInput;

/// What the templates made: organisations and venues in the order first
/// needed, and the services.
pub(super) struct Listings {
    pub(super) organisations: Vec<Organisation>,
    pub(super) locations: Vec<Location>,
    pub(super) services: Vec<Service>,
}

/// Makes `count` services: each borough-wide template once, then the local
/// templates over and over, spread over the places, until there are enough.
pub(super) fn build(
    t: &Templates,
    places: &[String],
    area_place: &[usize],
    postcodes: &[Postcode],
    count: usize,
    today: NaiveDate,
) -> Result<Listings, TemplateError> {
    // One venue of each kind in every place, built when first used.
    let mut builder = Builder {
        t,
        places,
        areas_by_place: {
            let mut by_place = vec![Vec::new(); places.len()];
            for (area, &place) in area_place.iter().enumerate() {
                by_place[place].push(area);
            }
            by_place
        },
        postcodes,
        today,
        verifier: users::connector(),
        organisations: Vec::new(),
        organisation_index: HashMap::new(),
        locations: Vec::new(),
        location_index: HashMap::new(),
    };

    let (local, borough): (Vec<&ServiceTemplate>, Vec<&ServiceTemplate>) =
        t.service.iter().partition(|s| s.name.contains("{place}"));
    let centre = places.len() / 2;
    let mut services = Vec::with_capacity(count);
    for i in 0..count {
        let (template, place, round) = if i < borough.len() {
            (borough[i], centre, 0)
        } else {
            let k = i - borough.len();
            let n = local.len().max(1);
            let rank = k / n;
            let template = k % n;
            // Spread each template over the places before repeating it.
            let place = (rank + template * 5) % places.len();
            (local[template], place, rank / places.len())
        };
        let mut dice = Dice::new(0xD1CE ^ (i as u64).wrapping_mul(0x9E37_79B9));
        services.push(builder.service(template, i, place, round, &mut dice)?);
    }
    let Builder { organisations, locations, .. } = builder;
    Ok(Listings { organisations, locations, services })
}

struct Builder<'a> {
    t: &'a Templates,
    places: &'a [String],
    areas_by_place: Vec<Vec<usize>>,
    postcodes: &'a [Postcode],
    /// The day the demo is made, which its schedules and checks count from.
    today: NaiveDate,
    /// Who last checked every service.
    verifier: UserId,
    organisations: Vec<Organisation>,
    organisation_index: HashMap<(String, usize), OrganisationId>,
    locations: Vec<Location>,
    location_index: HashMap<(String, usize), LocationId>,
}

impl Builder<'_> {
    fn fill(&self, text: &str, place: usize) -> String {
        let saint = &self.t.saints[place % self.t.saints.len()];
        let street = &self.t.streets[place % self.t.streets.len()];
        text.replace("{place}", &self.places[place])
            .replace("{borough}", &self.t.borough)
            .replace("{saint}", saint)
            .replace("{street}", street)
    }

    fn organisation(&mut self, key: &str, place: usize) -> Result<OrganisationId, TemplateError> {
        let template =
            self.t.organisations.get(key).ok_or_else(|| TemplateError(format!("no organisation '{key}'")))?;
        let place = if template.scope == "borough" { usize::MAX } else { place };
        if let Some(id) = self.organisation_index.get(&(key.to_string(), place)) {
            return Ok(*id);
        }
        let n = self.organisations.len();
        let id = OrganisationId::from_seed(ORGANISATION_IDS + n as u128);
        let at = if place == usize::MAX { self.places.len() / 2 } else { place };
        let kind = OrganisationKind::from_code(&template.kind)
            .ok_or_else(|| TemplateError(format!("'{}' is not a kind of organisation", template.kind)))?;
        let slug: String = self
            .fill(&template.name, at)
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        self.organisations.push(Organisation {
            id,
            name: self.fill(&template.name, at),
            description: self.fill(&template.description, at),
            kind,
            charity_number: matches!(kind, OrganisationKind::Charity)
                .then(|| format!("9{:06}", 100_000 + n * 37)),
            company_number: matches!(kind, OrganisationKind::Cic | OrganisationKind::SocialEnterprise)
                .then(|| format!("QK{:06}", 10_000 + n * 13)),
            website: Some(format!("https://{slug}.example.org")),
            email: Some(format!("hello@{slug}.example.org")),
            phone: Some(drama_phone(n)),
        });
        self.organisation_index.insert((key.to_string(), place), id);
        Ok(id)
    }

    fn location(&mut self, key: &str, place: usize, dice: &mut Dice) -> Result<LocationId, TemplateError> {
        if let Some(id) = self.location_index.get(&(key.to_string(), place)) {
            return Ok(*id);
        }
        let template = self.t.venues.get(key).ok_or_else(|| TemplateError(format!("no venue '{key}'")))?;
        // A small area of this place, chosen by the dice; its first postcode.
        let in_place = &self.areas_by_place[place];
        let area = if in_place.is_empty() { 0 } else { in_place[dice.below(in_place.len())] };
        let postcode = &self.postcodes[area * POSTCODES_PER_AREA];
        let n = self.locations.len();
        let id = LocationId::from_seed(LOCATION_IDS + n as u128);
        self.locations.push(Location {
            id,
            organisation: None,
            name: self.fill(&template.name, place),
            address_1: format!("{} {}", 1 + dice.below(120), dice.pick(&self.t.streets)),
            address_2: Some(self.places[place].clone()),
            town: self.t.borough.clone(),
            postcode: postcode.postcode.clone(),
            latitude: postcode.latitude,
            longitude: postcode.longitude,
            small_area: Some(postcode.small_area.clone()),
            confidential: template.confidential,
            entry_point: template.entry_point,
            postal: false,
            access: VenueAccess {
                step_free: template.step_free,
                accessible_toilet: template.accessible_toilet,
                hearing_loop: template.hearing_loop,
                parking: template.parking,
                public_transport: (!template.confidential).then(|| {
                    format!("Buses {} and {} stop outside", 10 + dice.below(80), 100 + dice.below(80))
                }),
            },
        });
        self.location_index.insert((key.to_string(), place), id);
        Ok(id)
    }

    /// The `index`th service, from template `s`, in `place`; a template
    /// used again in the same place (`round` above 0) gets a number.
    fn service(
        &mut self,
        s: &ServiceTemplate,
        index: usize,
        place: usize,
        round: usize,
        dice: &mut Dice,
    ) -> Result<Service, TemplateError> {
        // The dice are rolled in this order (venue, details, check, contact),
        // so that the same dice give the same service.
        let organisation = self.organisation(&s.organisation, place)?;
        let locations = match &s.venue {
            Some(venue) => vec![self.location(venue, place, dice)?],
            None => vec![],
        };
        let details = self.details(s, organisation, index, place, round, dice)?;
        let schedules = schedules_of(s, self.today)?;
        let last_verified_at = last_checked(self.today, dice);
        let contact = self.contact(index, dice);
        let capacity_said_on = details.capacity.and(last_verified_at.map(|t| t.date()));
        Ok(Service {
            id: ServiceId::from_seed(SERVICE_IDS + index as u128),
            details,
            locations,
            schedules,
            contacts: vec![contact],
            capacity_said_on,
            last_verified_at,
            last_verified_by: Some(self.verifier),
            extras: Extras::default(),
        })
    }

    /// What the service's form holds: its name, terms, status and capacity.
    fn details(
        &self,
        s: &ServiceTemplate,
        organisation: OrganisationId,
        index: usize,
        place: usize,
        round: usize,
        dice: &mut Dice,
    ) -> Result<ServiceInput, TemplateError> {
        let bad = |what: &str, value: &str| TemplateError(format!("'{}': '{value}' is not a {what}", s.name));
        let mut name = self.fill(&s.name, place);
        if round > 0 {
            name = format!("{name} {}", round + 1);
        }
        let mut delivery = s
            .delivery
            .iter()
            .map(|d| DeliveryMode::from_code(d).ok_or_else(|| bad("delivery mode", d)))
            .collect::<Result<Vec<_>, _>>()?;
        if delivery.is_empty() {
            delivery.push(DeliveryMode::InPerson);
        }
        delivery.sort();
        let area = match &s.area {
            Some(code) => ServiceArea::from_code(code).ok_or_else(|| bad("service area", code))?,
            None => ServiceArea::Local,
        };
        // Most listings run; a few have paused or stopped, as in any real directory.
        let status = match dice.below(100) {
            0..=2 => ServiceStatus::TemporarilyClosed,
            3..=4 => ServiceStatus::Inactive,
            _ => ServiceStatus::Active,
        };
        let capacity = match &s.capacity {
            Some(code) => Some(Capacity::from_code(code).ok_or_else(|| bad("capacity", code))?),
            None => match dice.below(100) {
                0..=69 => Some(Capacity::Taking),
                70..=84 => Some(Capacity::WaitingList),
                85..=89 => Some(Capacity::Full),
                _ => None,
            },
        };
        let mut languages =
            if s.languages.is_empty() { vec!["English".to_string()] } else { s.languages.clone() };
        languages.sort();
        Ok(ServiceInput {
            organisation,
            name,
            description: self.fill(&s.description, place),
            status,
            needs: s.needs.clone(),
            referral_route: ReferralRoute::from_code(&s.referral)
                .ok_or_else(|| bad("referral route", &s.referral))?,
            eligibility: s.eligibility.as_ref().map(|e| self.fill(e, place)),
            min_age: s.min_age,
            max_age: s.max_age,
            cost: CostKind::from_code(&s.cost).ok_or_else(|| bad("cost", &s.cost))?,
            cost_description: s.cost_description.clone(),
            delivery,
            languages,
            area,
            area_radius_km: s.area_radius_km,
            capacity,
            email: Some(format!("service{index}@kingsmere.example.org")),
            phone: Some(drama_phone(index + 500)),
            website: None,
        })
    }

    /// The service's coordinator.
    fn contact(&self, index: usize, dice: &mut Dice) -> Contact {
        Contact {
            id: ContactId::from_seed(CONTACT_IDS + index as u128),
            name: format!("{} {}", dice.pick(&self.t.first_names), dice.pick(&self.t.surnames)),
            title: Some(String::from("Coordinator")),
            phone: Some(drama_phone(index + 200)),
            email: None,
            shown: true,
        }
    }
}

/// When a service was last checked: within the last nine months, so about a
/// third are overdue for their six-monthly review.
fn last_checked(today: NaiveDate, dice: &mut Dice) -> Option<NaiveDateTime> {
    let checked_days_ago = dice.below(270) as u64;
    today
        .checked_sub_days(Days::new(checked_days_ago))
        .and_then(|d| d.and_hms_opt(10 + dice.below(7) as u32, dice.below(60) as u32, 0))
}

/// A phone number from Ofcom's range for drama, so it can never ring anyone.
fn drama_phone(n: usize) -> String {
    format!("01632 960{:03}", n % 1000)
}
