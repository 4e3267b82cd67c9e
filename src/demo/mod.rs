//! The built-in demo: Kingsmere, an invented borough, generated from the
//! templates in `seeds/demo.toml`. The generator is deterministic: the same size
//! and date always give the same borough, so tests and benchmarks can rely on
//! it. At its default size it is the demo a newcomer sees; given a larger size
//! it makes the data sets the benchmarks need (a million services, 180,000 small
//! areas).
//!
//! `areas` lays out the ground and its postcodes, `listings` the organisations,
//! venues and services (`schedules` their opening times), `users` the staff
//! accounts and `contacts` the history at the front door; `seed` writes it all
//! into a database through the store's functions.

mod areas;
pub mod contacts;
mod listings;
mod networks;
mod schedules;
pub mod seed;
mod templates;
mod users;

pub use areas::{Postcode, SmallArea};
pub use users::DemoUser;

use std::collections::HashMap;

use chrono::NaiveDate;

use self::areas::{AREA_STEP_LAT, AREA_STEP_LON, AREAS_PER_PLACE, MAX_PLACES};
use crate::domain::directory::ServiceStatus;
use crate::domain::ids::{LocationId, OrganisationId};
use crate::domain::listing::{Location, Organisation, Service};
use crate::domain::views::{SearchPlace, SearchableService};

/// How big a borough to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSize {
    pub services: usize,
    pub small_areas: usize,
}

impl DemoSize {
    /// The demo a newcomer sees: about 250,000 residents and 420 services.
    pub const DEMO: DemoSize = DemoSize { services: 420, small_areas: 812 };

    /// A size with `services` services, in a borough that grows with them up
    /// to the size of England and Wales (180,000 small areas).
    pub fn with_services(services: usize) -> DemoSize {
        DemoSize { services, small_areas: (services * 2).clamp(DemoSize::DEMO.small_areas, 180_000) }
    }
}

/// A whole generated borough.
#[derive(Clone, Debug)]
pub struct Demo {
    pub borough: String,
    pub small_areas: Vec<SmallArea>,
    /// Pairs of indexes into `small_areas` that share a boundary, with its length in metres.
    pub adjacency: Vec<(usize, usize, f64)>,
    pub postcodes: Vec<Postcode>,
    pub organisations: Vec<Organisation>,
    pub locations: Vec<Location>,
    pub services: Vec<Service>,
    pub users: Vec<DemoUser>,
    /// Twenty weeks of contacts at the front door, for the dashboard.
    pub contacts: Vec<contacts::DemoContact>,
}

impl Demo {
    /// The ground each small area covers, in square kilometres (they sit on a
    /// regular grid, so all are alike; `latitude` sets the width of a degree).
    pub fn small_area_km2(latitude: f64) -> f64 {
        const KM_PER_DEGREE: f64 = 111.32;
        AREA_STEP_LAT * KM_PER_DEGREE * AREA_STEP_LON * KM_PER_DEGREE * latitude.to_radians().cos()
    }

    /// How many people live in the borough.
    pub fn population(&self) -> u64 {
        self.small_areas.iter().map(|a| u64::from(a.population)).sum()
    }
}

/// Why the templates could not be expanded: a mistake in `seeds/demo.toml`.
#[derive(Debug, thiserror::Error)]
#[error("seeds/demo.toml: {0}")]
pub struct TemplateError(String);

/// A small, fast, deterministic random number generator (SplitMix64), so the
/// demo is the same on every machine and every run.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Dice(seed)
    }

    fn roll(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.roll() % n.max(1) as u64) as usize
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.roll() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Id namespaces, so every generated id is distinct and stable.
const ORGANISATION_IDS: u128 = 0xD005_0000_0000_0000_0000_0000_0000_0000;
const LOCATION_IDS: u128 = 0xD005_1000_0000_0000_0000_0000_0000_0000;
const SERVICE_IDS: u128 = 0xD005_2000_0000_0000_0000_0000_0000_0000;
const CONTACT_IDS: u128 = 0xD005_3000_0000_0000_0000_0000_0000_0000;
const USER_IDS: u128 = 0xD005_4000_0000_0000_0000_0000_0000_0000;

/// Generates the borough at `size`, as it stands on `today`.
pub fn generate(size: DemoSize, today: NaiveDate) -> Result<Demo, TemplateError> {
    let t = templates::load()?;
    let mut dice = Dice::new(0x4B49_4E47_534D_4552); // "KINGSMER"

    let places = areas::place_names(&t.places, size.small_areas.div_ceil(AREAS_PER_PLACE).min(MAX_PLACES));
    let (small_areas, adjacency, area_place) = areas::build_areas(&t, &places, size.small_areas, &mut dice);
    let postcodes = areas::build_postcodes(&t, &places, &small_areas, &area_place);
    let listings::Listings { organisations, locations, services } =
        listings::build(&t, &places, &area_place, &postcodes, size.services, today)?;

    let editor_org = services.first().map(|s| s.details.organisation);
    let users = users::demo_users(editor_org);
    // Follow-ups in the history went after the default 14 days.
    let contacts = contacts::history(&small_areas, &locations, &services, 14, today);
    Ok(Demo {
        borough: t.borough.clone(),
        small_areas,
        adjacency,
        postcodes,
        organisations,
        locations,
        services,
        users,
        contacts,
    })
}

impl Demo {
    /// The running services as the search index takes them, straight from the
    /// generator (for benchmarks that skip the database).
    pub fn searchable(&self) -> Vec<SearchableService> {
        let organisations: HashMap<OrganisationId, &str> =
            self.organisations.iter().map(|o| (o.id, o.name.as_str())).collect();
        let locations: HashMap<LocationId, &Location> = self.locations.iter().map(|l| (l.id, l)).collect();
        self.services
            .iter()
            .filter(|s| s.details.status == ServiceStatus::Active)
            .map(|s| {
                let venues: Vec<&Location> =
                    s.locations.iter().filter_map(|id| locations.get(id).copied()).collect();
                SearchableService {
                    listed_by: None,
                    id: s.id,
                    name: s.details.name.clone(),
                    description: s.details.description.clone(),
                    keywords: s.extras.keywords.clone(),
                    organisation: organisations
                        .get(&s.details.organisation)
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                    needs: s.details.needs.clone(),
                    languages: s.details.languages.clone(),
                    delivery: s.details.delivery.clone(),
                    cost: s.details.cost,
                    min_age: s.details.min_age,
                    max_age: s.details.max_age,
                    area: s.details.area,
                    referral: s.details.referral_route,
                    capacity: s.details.capacity,
                    places: venues
                        .iter()
                        .filter(|l| !l.confidential)
                        .map(|l| SearchPlace {
                            latitude: l.latitude,
                            longitude: l.longitude,
                            step_free: l.access.step_free == Some(true),
                            postal: l.postal,
                        })
                        .collect(),
                    schedules: s.schedules.clone(),
                    last_verified_at: s.last_verified_at,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::accounts::Role;
    use crate::domain::directory::{Capacity, DeliveryMode, ServiceArea};
    use crate::domain::schedule;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn the_demo_borough_is_as_the_issue_asks() {
        let demo = generate(DemoSize::DEMO, today()).unwrap();
        let people = demo.population();
        assert!((230_000..=270_000).contains(&people), "{people} residents");
        assert!(demo.organisations.len() >= 120, "{} organisations", demo.organisations.len());
        assert!(demo.services.len() >= 400);
        let needs = crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap();
        for need in needs.iter().filter(|n| n.parent.is_some()) {
            assert!(
                demo.services.iter().any(|s| s.details.needs.contains(&need.slug)),
                "no service for {}",
                need.slug
            );
        }
        for service in &demo.services {
            for slug in &service.details.needs {
                assert!(needs.iter().any(|n| &n.slug == slug), "unknown need {slug}");
            }
        }
        let only_phone = |s: &&Service| s.details.delivery == [DeliveryMode::Phone];
        assert!(demo.services.iter().any(|s| only_phone(&s)), "a phone-only service");
        assert!(demo.services.iter().any(|s| s.details.delivery.contains(&DeliveryMode::Online)));
        assert!(demo.services.iter().any(|s| s.details.area == ServiceArea::Borough));
        assert!(demo.locations.iter().any(|l| l.confidential), "a refuge");
        assert!(demo.services.iter().any(|s| s.details.capacity == Some(Capacity::WaitingList)));
        let overdue_before = today().and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::days(183);
        let overdue =
            demo.services.iter().filter(|s| s.last_verified_at.is_some_and(|t| t < overdue_before)).count();
        assert!(overdue > 20 && overdue < demo.services.len() / 2, "{overdue} overdue");
        assert!(demo.users.iter().any(|u| u.role == Role::OrganisationEditor));
    }

    #[test]
    fn groups_close_at_christmas_and_the_christmas_lunch_is_on_christmas_day() {
        let demo = generate(DemoSize::DEMO, today()).unwrap();
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let meeting: Vec<&str> = demo
            .services
            .iter()
            .filter(|s| s.schedules.iter().any(|sch| sch.runs_on(christmas)))
            .map(|s| s.details.name.as_str())
            .collect();
        assert!(meeting.iter().any(|n| n.ends_with("Christmas Day Lunch")), "{meeting:?}");
        for name in meeting {
            let open =
                ["Christmas Day Lunch", "Crisis Café", "Listening Line", "Night Shelter", "Abuse Helpline"];
            assert!(open.iter().any(|o| name.ends_with(o)), "{name} meets on Christmas Day");
        }
        // The Friday before is as usual; the lunch says its date.
        let friday = NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
        let walk = demo.services.iter().find(|s| s.details.name.ends_with("Wellbeing Walk")).unwrap();
        assert!(walk.schedules.iter().any(|sch| sch.runs_on(friday)));
        let lunch = demo.services.iter().find(|s| s.details.name.ends_with("Christmas Day Lunch")).unwrap();
        let next =
            schedule::next_sessions(&lunch.schedules, today().and_hms_opt(9, 0, 0).unwrap().and_utc(), 1);
        assert_eq!(next[0].describe(), "Friday 25 December, 12 noon to 4pm");
    }

    #[test]
    fn the_same_size_and_date_give_the_same_borough() {
        let a = generate(DemoSize::DEMO, today()).unwrap();
        let b = generate(DemoSize::DEMO, today()).unwrap();
        assert_eq!(a.services, b.services);
        assert_eq!(a.small_areas, b.small_areas);
        assert_eq!(a.organisations, b.organisations);
    }

    #[test]
    fn it_scales_to_benchmark_sizes() {
        let big = generate(DemoSize { services: 20_000, small_areas: 180_000 }, today()).unwrap();
        assert_eq!(big.services.len(), 20_000);
        assert_eq!(big.small_areas.len(), 180_000);
        let ids: HashSet<_> = big.services.iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), 20_000);
        let postcodes: HashSet<_> = big.postcodes.iter().map(|p| p.postcode.as_str()).collect();
        assert_eq!(postcodes.len(), big.postcodes.len(), "postcodes stay unique at scale");
    }
}
