//! The built-in demo: Kingsmere, an invented borough, generated from the
//! templates in `seeds/demo.toml`. The generator is deterministic: the same size
//! and date always give the same borough, so tests and benchmarks can rely on
//! it. At its default size it is the demo a newcomer sees; given a larger size
//! it makes the data sets the benchmarks need (a million services, 180,000 small
//! areas).

pub mod contacts;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};
use serde::Deserialize;

use crate::domain::accounts::Role;
use crate::domain::directory::{
    Capacity, CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
    VenueAccess,
};
use crate::domain::ids::{ContactId, LocationId, OrganisationId, ServiceId, UserId};
use crate::domain::listing::{Contact, Location, Organisation, Service};
use crate::domain::schedule::{self, Frequency, Schedule};
use crate::domain::service_form::ServiceInput;
use crate::domain::views::{SearchPlace, SearchableService};

/// The templates, compiled into the binary.
const TEMPLATES: &str = include_str!("../../seeds/demo.toml");

/// People living in one small area, on average (Census output areas hold about 300).
const PEOPLE_PER_AREA: u32 = 310;
/// Small areas per place (neighbourhood-sized village or district).
const AREAS_PER_PLACE: usize = 37;
/// The most places a borough has; bigger boroughs have bigger places. Keeps
/// every place within one postcode district (see `outward_code`).
const MAX_PLACES: usize = 2_000;
/// Postcodes in each small area.
const POSTCODES_PER_AREA: usize = 3;
/// Letters allowed in the last two places of a postcode.
const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
/// Distance between neighbouring small areas' centres, in degrees.
const AREA_STEP_LAT: f64 = 0.0035;
const AREA_STEP_LON: f64 = 0.0058;

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

/// A small area (a Census output area in real data).
#[derive(Clone, Debug, PartialEq)]
pub struct SmallArea {
    pub code: String,
    pub name: String,
    /// The village or district it is part of, which names its neighbourhood.
    pub place: String,
    pub population: u32,
    pub latitude: f64,
    pub longitude: f64,
}

/// A postcode and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Postcode {
    pub postcode: String,
    pub latitude: f64,
    pub longitude: f64,
    pub small_area: String,
}

/// A demo staff account. Its password is chosen when the demo is seeded.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation: Option<OrganisationId>,
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

#[derive(Deserialize)]
struct Templates {
    borough: String,
    postcode_area: String,
    latitude: f64,
    longitude: f64,
    places: Vec<String>,
    streets: Vec<String>,
    saints: Vec<String>,
    first_names: Vec<String>,
    surnames: Vec<String>,
    venues: BTreeMap<String, VenueTemplate>,
    organisations: BTreeMap<String, OrganisationTemplate>,
    service: Vec<ServiceTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VenueTemplate {
    name: String,
    #[serde(default)]
    entry_point: bool,
    #[serde(default)]
    confidential: bool,
    step_free: Option<bool>,
    accessible_toilet: Option<bool>,
    hearing_loop: Option<bool>,
    parking: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganisationTemplate {
    name: String,
    kind: String,
    scope: String,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceTemplate {
    name: String,
    organisation: String,
    venue: Option<String>,
    needs: Vec<String>,
    description: String,
    referral: String,
    cost: String,
    cost_description: Option<String>,
    #[serde(default)]
    delivery: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    area: Option<String>,
    area_radius_km: Option<f64>,
    min_age: Option<i32>,
    max_age: Option<i32>,
    eligibility: Option<String>,
    capacity: Option<String>,
    schedules: Vec<ScheduleTemplate>,
    #[serde(default)]
    bank_holidays: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleTemplate {
    freq: Option<String>,
    interval: Option<u32>,
    byday: Option<String>,
    opens: Option<String>,
    closes: Option<String>,
    in_days: Option<u64>,
    #[serde(default)]
    by_appointment: bool,
    valid_months: Option<String>,
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
    let t: Templates = toml::from_str(TEMPLATES).map_err(|e| TemplateError(e.to_string()))?;
    check_templates(&t)?;
    let mut dice = Dice::new(0x4B49_4E47_534D_4552); // "KINGSMER"

    let places = place_names(&t.places, size.small_areas.div_ceil(AREAS_PER_PLACE).min(MAX_PLACES));
    let (small_areas, adjacency, area_place) = build_areas(&t, &places, size.small_areas, &mut dice);
    let postcodes = build_postcodes(&t, &places, &small_areas, &area_place);

    // One venue of each kind in every place, built when first used.
    let mut builder = Builder {
        t: &t,
        places: &places,
        areas_by_place: {
            let mut by_place = vec![Vec::new(); places.len()];
            for (area, &place) in area_place.iter().enumerate() {
                by_place[place].push(area);
            }
            by_place
        },
        postcodes: &postcodes,
        organisations: Vec::new(),
        organisation_index: HashMap::new(),
        locations: Vec::new(),
        location_index: HashMap::new(),
    };

    let (local, borough): (Vec<&ServiceTemplate>, Vec<&ServiceTemplate>) =
        t.service.iter().partition(|s| s.name.contains("{place}"));
    let connector = UserId::from_seed(USER_IDS + 2);
    let centre = places.len() / 2;
    let mut services = Vec::with_capacity(size.services);
    for i in 0..size.services {
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
        services.push(builder.service(template, i, place, round, today, connector, &mut dice)?);
    }

    let editor_org = services.first().map(|s| s.details.organisation);
    let users = demo_users(editor_org);
    let Builder { organisations, locations, .. } = builder;
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

fn check_templates(t: &Templates) -> Result<(), TemplateError> {
    for s in &t.service {
        if !t.organisations.contains_key(&s.organisation) {
            return Err(TemplateError(format!("'{}' names no organisation '{}'", s.name, s.organisation)));
        }
        if let Some(venue) = &s.venue
            && !t.venues.contains_key(venue)
        {
            return Err(TemplateError(format!("'{}' names no venue '{venue}'", s.name)));
        }
    }
    Ok(())
}

/// The place names: the written ones, then (for big boroughs) their quarters,
/// then numbered districts.
fn place_names(written: &[String], wanted: usize) -> Vec<String> {
    let mut names: Vec<String> = written.to_vec();
    let quarters = ["North", "South", "East", "West", "Central", "Upper", "Lower", "Green", "Park", "Moor"];
    let mut round = 0;
    while names.len() < wanted {
        for base in written {
            if names.len() >= wanted {
                break;
            }
            names.push(match quarters.get(round) {
                Some(q) => format!("{base} {q}"),
                None => format!("{base} {}", round - quarters.len() + 2),
            });
        }
        round += 1;
    }
    names
}

/// Lays the small areas out on an offset (hexagonal) grid, so each has up to six
/// neighbours as real output areas do, and gives each to its nearest place.
/// Small areas, their adjacency (index pairs with shared boundary in metres),
/// and the place each area belongs to.
type Areas = (Vec<SmallArea>, Vec<(usize, usize, f64)>, Vec<usize>);

fn build_areas(t: &Templates, places: &[String], count: usize, dice: &mut Dice) -> Areas {
    let columns = (count as f64).sqrt().ceil().max(1.0) as usize;
    let rows = count.div_ceil(columns);
    let cell = |index: usize| (index / columns, index % columns);
    let centre_row = rows as f64 / 2.0;
    let centre_col = columns as f64 / 2.0;
    let position = |row: usize, col: usize| {
        let shift = if row % 2 == 1 { 0.5 } else { 0.0 };
        (
            t.latitude + (row as f64 - centre_row) * AREA_STEP_LAT,
            t.longitude + (col as f64 + shift - centre_col) * AREA_STEP_LON,
        )
    };
    // Place centres on a coarse grid over the same ground.
    let place_columns = (places.len() as f64).sqrt().ceil().max(1.0) as usize;
    let place_rows = places.len().div_ceil(place_columns);
    let place_centres: Vec<(f64, f64)> = (0..places.len())
        .map(|p| {
            let (pr, pc) = (p / place_columns, p % place_columns);
            let row = (pr as f64 + 0.5) * rows as f64 / place_rows as f64;
            let col = (pc as f64 + 0.5) * columns as f64 / place_columns as f64;
            position(row as usize, col as usize)
        })
        .collect();

    let mut areas = Vec::with_capacity(count);
    let mut area_place = Vec::with_capacity(count);
    let mut per_place = vec![0usize; places.len()];
    for index in 0..count {
        let (row, col) = cell(index);
        let (lat, lon) = position(row, col);
        let jitter_lat = (dice.unit() - 0.5) * AREA_STEP_LAT * 0.3;
        let jitter_lon = (dice.unit() - 0.5) * AREA_STEP_LON * 0.3;
        // The nearest place centre; place centres sit on a grid, so look only at
        // the nearby ones.
        let guess_pr = ((row as f64 / rows as f64) * place_rows as f64) as isize;
        let guess_pc = ((col as f64 / columns as f64) * place_columns as f64) as isize;
        let mut best = (f64::MAX, 0usize);
        for dr in -1..=1 {
            for dc in -1..=1 {
                let (pr, pc) = (guess_pr + dr, guess_pc + dc);
                if pr < 0 || pc < 0 || pc as usize >= place_columns {
                    continue;
                }
                let p = pr as usize * place_columns + pc as usize;
                if let Some(&(plat, plon)) = place_centres.get(p) {
                    let d = (plat - lat).powi(2) + ((plon - lon) * 0.6).powi(2);
                    if d < best.0 {
                        best = (d, p);
                    }
                }
            }
        }
        let place = best.1;
        per_place[place] += 1;
        let spread = PEOPLE_PER_AREA as usize / 4;
        areas.push(SmallArea {
            code: format!("D{:08}", index + 1),
            name: format!("{} {:03}", places[place], per_place[place]),
            place: places[place].clone(),
            population: (PEOPLE_PER_AREA as usize - spread + dice.below(2 * spread + 1)) as u32,
            latitude: lat + jitter_lat,
            longitude: lon + jitter_lon,
        });
        area_place.push(place);
    }

    let mut adjacency = Vec::new();
    for index in 0..count {
        let (row, col) = cell(index);
        // Right, and the two below (which two depends on the row's offset).
        let below_left = if row % 2 == 1 { col } else { col.wrapping_sub(1) };
        let candidates = [(row, col + 1), (row + 1, below_left), (row + 1, below_left.wrapping_add(1))];
        for (r, c) in candidates {
            if c < columns && r < rows {
                let other = r * columns + c;
                if other < count {
                    let shared = 180.0 + dice.unit() * 120.0;
                    adjacency.push((index, other, shared));
                }
            }
        }
    }
    (areas, adjacency, area_place)
}

/// Three postcodes in each small area, in the form QK12 3AB. The area QK is one
/// no real UK postcode uses.
fn build_postcodes(
    t: &Templates,
    places: &[String],
    areas: &[SmallArea],
    area_place: &[usize],
) -> Vec<Postcode> {
    let mut used_in_place = vec![0usize; places.len()];
    let letters = UNIT_LETTERS.len();
    let mut postcodes = Vec::with_capacity(areas.len() * POSTCODES_PER_AREA);
    for (area, &place) in areas.iter().zip(area_place) {
        for n in 0..POSTCODES_PER_AREA {
            let k = used_in_place[place];
            used_in_place[place] += 1;
            let sector = (k / (letters * letters)) % 10;
            let unit = k % (letters * letters);
            let outward = outward_code(&t.postcode_area, place);
            postcodes.push(Postcode {
                postcode: format!(
                    "{outward} {sector}{}{}",
                    UNIT_LETTERS[unit / letters] as char,
                    UNIT_LETTERS[unit % letters] as char
                ),
                latitude: area.latitude + (n as f64 - 1.0) * 0.0004,
                longitude: area.longitude + (n as f64 - 1.0) * 0.0006,
                small_area: area.code.clone(),
            });
        }
    }
    postcodes
}

/// The outward code of a place: QK1 to QK99, then QL1 and on for big boroughs
/// (26 letters of 99 districts each cover `MAX_PLACES`).
fn outward_code(area: &str, place: usize) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let first = area.chars().next().unwrap_or('Q');
    let start =
        area.as_bytes().get(1).copied().and_then(|b| LETTERS.iter().position(|&l| l == b)).unwrap_or(10);
    let second = LETTERS[(start + place / 99) % LETTERS.len()] as char;
    format!("{first}{second}{}", place % 99 + 1)
}

fn demo_users(editor_org: Option<OrganisationId>) -> Vec<DemoUser> {
    let user = |n: u128, email: &str, name: &str, role: Role, organisation| DemoUser {
        id: UserId::from_seed(USER_IDS + n),
        email: email.into(),
        name: name.into(),
        role,
        organisation,
    };
    let mut users = vec![
        user(1, "admin@kingsmere.example.org", "Alex Morgan", Role::Administrator, None),
        user(2, "connector@kingsmere.example.org", "Sam Okafor", Role::Connector, None),
        user(3, "advisor@kingsmere.example.org", "Jo Lindqvist", Role::Advisor, None),
    ];
    if let Some(org) = editor_org {
        users.push(user(
            4,
            "editor@kingsmere.example.org",
            "Pat Reilly",
            Role::OrganisationEditor,
            Some(org),
        ));
    }
    users
}

struct Builder<'a> {
    t: &'a Templates,
    places: &'a [String],
    areas_by_place: Vec<Vec<usize>>,
    postcodes: &'a [Postcode],
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

    #[expect(clippy::too_many_arguments, reason = "one generated service draws on all of these")]
    fn service(
        &mut self,
        s: &ServiceTemplate,
        index: usize,
        place: usize,
        round: usize,
        today: NaiveDate,
        verifier: UserId,
        dice: &mut Dice,
    ) -> Result<Service, TemplateError> {
        let bad = |what: &str, value: &str| TemplateError(format!("'{}': '{value}' is not a {what}", s.name));
        let organisation = self.organisation(&s.organisation, place)?;
        let locations = match &s.venue {
            Some(venue) => vec![self.location(venue, place, dice)?],
            None => vec![],
        };
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
        let details = ServiceInput {
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
        };
        let schedules = s
            .schedules
            .iter()
            .map(|template| {
                schedule_of(template, s.bank_holidays, today)
                    .map_err(|e| TemplateError(format!("'{}': {e}", s.name)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Checked within the last nine months: about a third are overdue for
        // their six-monthly review.
        let checked_days_ago = dice.below(270) as u64;
        let last_verified_at = today
            .checked_sub_days(Days::new(checked_days_ago))
            .and_then(|d| d.and_hms_opt(10 + dice.below(7) as u32, dice.below(60) as u32, 0));
        let contact = Contact {
            id: ContactId::from_seed(CONTACT_IDS + index as u128),
            name: format!("{} {}", dice.pick(&self.t.first_names), dice.pick(&self.t.surnames)),
            title: Some(String::from("Coordinator")),
            phone: Some(drama_phone(index + 200)),
            email: None,
        };
        Ok(Service {
            id: ServiceId::from_seed(SERVICE_IDS + index as u128),
            details,
            locations,
            schedules,
            contacts: vec![contact],
            capacity_said_on: capacity.and(last_verified_at.map(|t| t.date())),
            last_verified_at,
            last_verified_by: Some(verifier),
        })
    }
}

/// A phone number from Ofcom's range for drama, so it can never ring anyone.
fn drama_phone(n: usize) -> String {
    format!("01632 960{:03}", n % 1000)
}

fn schedule_of(t: &ScheduleTemplate, bank_holidays: bool, today: NaiveDate) -> Result<Schedule, String> {
    let time = |text: &Option<String>| -> Result<Option<NaiveTime>, String> {
        text.as_deref()
            .map(|s| NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| format!("'{s}' is not a time")))
            .transpose()
    };
    let freq = match t.freq.as_deref() {
        None => None,
        Some("weekly") => Some(Frequency::Weekly),
        Some("monthly") => Some(Frequency::Monthly),
        Some("once") => Some(Frequency::Once),
        Some(other) => return Err(format!("'{other}' is not a frequency")),
    };
    let byday = schedule::parse_byday(t.byday.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
    let interval = t.interval.unwrap_or(1);
    let dtstart = match freq {
        Some(Frequency::Once) => today.checked_add_days(Days::new(t.in_days.unwrap_or(14))),
        // Fortnightly groups started on the most recent such day.
        Some(Frequency::Weekly) if interval > 1 => byday.first().map(|d| last_on_or_before(today, d.weekday)),
        _ => None,
    };
    let (valid_from, valid_to) = match t.valid_months.as_deref() {
        None => (None, None),
        Some(season) => season_around(season, today)?,
    };
    let closed_on = if bank_holidays { festive_closures(today) } else { vec![] };
    Ok(Schedule {
        freq,
        interval,
        byday,
        bymonthday: vec![],
        dtstart,
        valid_from,
        valid_to,
        opens_at: time(&t.opens)?,
        closes_at: time(&t.closes)?,
        by_appointment: t.by_appointment,
        closed_on,
    })
}

fn last_on_or_before(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + date.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    date.checked_sub_days(Days::new(u64::from(back))).unwrap_or(date)
}

/// The season a seasonal group runs in: the one under way on `today`, or the next.
fn season_around(season: &str, today: NaiveDate) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let date =
        |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| String::from("bad date"));
    let year = today.year();
    let (from, to) = match season {
        // 1 November to 31 March.
        "winter" if today.month() >= 4 => (date(year, 11, 1)?, date(year + 1, 3, 31)?),
        "winter" => (date(year - 1, 11, 1)?, date(year, 3, 31)?),
        // 1 April to 30 September.
        "summer" if today.month() >= 10 => (date(year + 1, 4, 1)?, date(year + 1, 9, 30)?),
        "summer" => (date(year, 4, 1)?, date(year, 9, 30)?),
        // An academic year: September to July.
        "term" if today.month() >= 8 => (date(year, 9, 1)?, date(year + 1, 7, 20)?),
        "term" => (date(year - 1, 9, 1)?, date(year, 7, 20)?),
        other => return Err(format!("'{other}' is not a season (winter, summer or term)")),
    };
    Ok((Some(from), Some(to)))
}

/// Christmas Day, Boxing Day and New Year's Day of the coming festive season.
fn festive_closures(today: NaiveDate) -> Vec<NaiveDate> {
    let year = if today.month() == 1 && today.day() <= 1 { today.year() - 1 } else { today.year() };
    [(year, 12, 25), (year, 12, 26), (year + 1, 1, 1)]
        .into_iter()
        .filter_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
        .collect()
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
                    id: s.id,
                    name: s.details.name.clone(),
                    description: s.details.description.clone(),
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
    fn postcodes_cannot_be_real_and_are_unique() {
        let demo = generate(DemoSize::DEMO, today()).unwrap();
        let mut seen = HashSet::new();
        for p in &demo.postcodes {
            assert!(p.postcode.starts_with('Q'), "{}", p.postcode);
            assert!(seen.insert(p.postcode.clone()), "{} twice", p.postcode);
            let (outward, inward) = p.postcode.split_once(' ').unwrap();
            assert!((3..=4).contains(&outward.len()) && inward.len() == 3, "{}", p.postcode);
        }
        assert_eq!(demo.postcodes.len(), demo.small_areas.len() * POSTCODES_PER_AREA);
    }

    #[test]
    fn every_small_area_has_a_neighbour() {
        let demo = generate(DemoSize::DEMO, today()).unwrap();
        let mut has_neighbour = vec![false; demo.small_areas.len()];
        for &(a, b, _) in &demo.adjacency {
            assert_ne!(a, b);
            has_neighbour[a] = true;
            has_neighbour[b] = true;
        }
        assert!(has_neighbour.iter().all(|&h| h));
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
