//! A search: what someone asked, as they typed it (`Asked`, which forms show
//! again), the checked request (`SearchRequest`, the one type `/search`,
//! `/api/search` and the signposting workspace search with), and what a
//! search finds (`SearchResults`), as pages and the API show it.

use chrono::Weekday;

use super::directory::{DeliveryMode, ReferralRoute};
use super::ids::ServiceId;
use super::needs::Taxonomy;
use super::schedule;
use super::text::{self, FieldProblem};
use crate::geo::cells;

/// The deepest a search ranks: pages past it are empty.
pub const MAX_RESULTS: usize = 1_000;
/// The most needs one search may ask for: each is a group of results.
pub const MAX_NEEDS_ASKED: usize = 64;
/// The longest search text read.
const MAX_TEXT: usize = 1_000;
/// The widest radius, in kilometres.
const MAX_RADIUS_KM: f64 = 200.0;

/// When the service must be open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    Now,
    On(Weekday),
}

/// A search, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    pub text: String,
    pub needs: Vec<String>,
    /// A postcode to find, as typed: its place becomes `point`.
    pub postcode: Option<String>,
    /// Where the person is: (latitude, longitude).
    pub point: Option<(f64, f64)>,
    /// Only services within this many metres (or serving everywhere), when the person chose it.
    pub radius_m: Option<f64>,
    pub open: Option<Open>,
    /// Only services that meet on at least one of these days (the days
    /// someone can attend), then those whose times are not listed; any day
    /// when empty.
    pub days: Vec<Weekday>,
    pub free: bool,
    pub age: Option<u32>,
    pub language: Option<String>,
    pub delivery: Option<DeliveryMode>,
    pub step_free: bool,
    /// Only services reached by one of these routes (any, when empty).
    pub referral: Vec<ReferralRoute>,
    /// Only services that last said they are taking new people.
    pub taking_new: bool,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            text: String::new(),
            needs: Vec::new(),
            postcode: None,
            point: None,
            radius_m: None,
            open: None,
            days: Vec::new(),
            free: false,
            age: None,
            language: None,
            delivery: None,
            step_free: false,
            referral: Vec::new(),
            taking_new: false,
            page: 1,
            per_page: 20,
        }
    }
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field, message: message.into() }
}

fn flag(field: &'static str, value: &str) -> Result<bool, FieldProblem> {
    match value {
        "false" => Ok(false),
        "true" => Ok(true),
        _ => Err(problem(field, format!("{field} must be true or false"))),
    }
}

fn number<T: std::str::FromStr>(field: &'static str, value: &str, what: &str) -> Result<T, FieldProblem> {
    value.parse().map_err(|_| problem(field, format!("{field} must be {what}")))
}

/// The oldest age a search takes.
const MAX_AGE: u32 = 120;

/// An age in whole years, 0 to `MAX_AGE`.
pub fn age(text: &str) -> Option<u32> {
    text.parse().ok().filter(|&age| age <= MAX_AGE)
}

/// A language's name, as typed (trimmed), if it could be one.
pub fn language(text: &str) -> Option<String> {
    let text = text.trim();
    (1..=60).contains(&text.chars().count()).then(|| text.to_string())
}

impl SearchRequest {
    /// Reads and checks a query string, exactly as `/api/search` documents
    /// it: a value that cannot be used is a problem naming its field.
    pub fn from_query(pairs: &[(String, String)], taxonomy: &Taxonomy) -> Result<Self, FieldProblem> {
        // Counted as given, repeats too, as the API's document says.
        if pairs.iter().filter(|(key, _)| key == "need").count() > MAX_NEEDS_ASKED {
            return Err(problem("need", format!("ask for at most {MAX_NEEDS_ASKED} needs at once")));
        }
        let mut q = SearchRequest::default();
        let (mut lat, mut lon) = (None, None);
        for (key, value) in pairs {
            match key.as_str() {
                "lat" => lat = Some(number::<f64>("lat", value, "a latitude, like 53.42")?),
                "lon" => lon = Some(number::<f64>("lon", value, "a longitude, like -2.32")?),
                _ => q.read(key, value, taxonomy)?,
            }
        }
        // Only the first MAX_RESULTS results are ranked: a page past them is
        // empty, and a page number that could never hold one is refused.
        if !(1..=MAX_RESULTS).contains(&q.page) {
            return Err(problem("page", "page must be a whole number from 1 to 1000"));
        }
        if !(1..=100).contains(&q.per_page) {
            return Err(problem("per_page", "per_page must be a whole number from 1 to 100"));
        }
        match (lat, lon) {
            (Some(lat), Some(lon)) if cells::on_globe(lat, lon) => q.point = Some((lat, lon)),
            (Some(_), Some(_)) => {
                return Err(problem("lat", "lat must be between -90 and 90, and lon between -180 and 180"));
            }
            (Some(_), None) => return Err(problem("lon", "give lon with lat")),
            (None, Some(_)) => return Err(problem("lat", "give lat with lon")),
            (None, None) => {}
        }
        // A distance from nowhere limits nothing.
        if q.point.is_none() && q.postcode.is_none() {
            q.radius_m = None;
        }
        Ok(q)
    }

    /// Reads the results page's form: the same as `from_query`, after
    /// tidying what a form sends (see `tidy`).
    pub fn from_form(pairs: &[(String, String)], taxonomy: &Taxonomy) -> Result<Self, FieldProblem> {
        Self::from_query(&tidy(pairs), taxonomy)
    }

    /// Reads one parameter other than the point's.
    fn read(&mut self, key: &str, value: &str, taxonomy: &Taxonomy) -> Result<(), FieldProblem> {
        match key {
            "q" => {
                if value.chars().count() > MAX_TEXT {
                    return Err(problem("q", format!("q must be {MAX_TEXT} characters or fewer")));
                }
                self.text = text::normalise(value, text::Shape::Line);
            }
            "need" => {
                if taxonomy.by_slug(value).is_none() {
                    return Err(problem(
                        "need",
                        "need must be a need's slug from the taxonomy, like loneliness",
                    ));
                }
                if !self.needs.iter().any(|n| n == value) {
                    self.needs.push(value.to_string());
                }
            }
            "postcode" if !value.trim().is_empty() => self.postcode = Some(value.to_string()),
            "radius_km" => self.radius_m = Some(radius_m(value)?),
            "open" => self.open = Some(open(value)?),
            "free" => self.free = flag("free", value)?,
            "step_free" => self.step_free = flag("step_free", value)?,
            "age" => {
                let years: u32 = number("age", value, "a whole number of years")?;
                if years > MAX_AGE {
                    return Err(problem("age", format!("age must be between 0 and {MAX_AGE}")));
                }
                self.age = Some(years);
            }
            "language" if !value.trim().is_empty() => {
                self.language = Some(language(value).ok_or_else(|| {
                    problem("language", "language must be the name of a language, like Urdu")
                })?);
            }
            "delivery" => {
                self.delivery = Some(DeliveryMode::from_code(value).ok_or_else(|| {
                    problem("delivery", "delivery must be one of in_person, phone, online, home_visit")
                })?);
            }
            "referral" => {
                let route = ReferralRoute::from_code(value).ok_or_else(|| {
                    problem("referral", "referral must be one of drop_in, self, professional")
                })?;
                if !self.referral.contains(&route) {
                    self.referral.push(route);
                }
            }
            "taking_new" => self.taking_new = flag("taking_new", value)?,
            "page" => self.page = number("page", value, "a whole number from 1 to 1000")?,
            "per_page" => self.per_page = number("per_page", value, "a whole number from 1 to 100")?,
            _ => {}
        }
        Ok(())
    }
}

/// A radius in kilometres, as metres.
fn radius_m(value: &str) -> Result<f64, FieldProblem> {
    let km: f64 = number("radius_km", value, "a number of kilometres")?;
    if !(km.is_finite() && km > 0.0 && km <= MAX_RADIUS_KM) {
        return Err(problem(
            "radius_km",
            format!("radius_km must be more than 0 and at most {MAX_RADIUS_KM}"),
        ));
    }
    Ok(km * 1_000.0)
}

/// Now, or a day's code.
fn open(value: &str) -> Result<Open, FieldProblem> {
    match (value, schedule::day_from_code(value)) {
        ("now", _) => Ok(Open::Now),
        (_, Some(day)) => Ok(Open::On(day)),
        _ => Err(problem("open", "open must be now, or a day: mon, tue, wed, thu, fri, sat or sun")),
    }
}

/// What the results page's form sends, as `/api/search` takes it: the form
/// leaves fields empty and ticks boxes with any of the usual words, people
/// type days in capitals and postcodes with spaces around them; the API takes
/// exact values only. A word that is neither yes nor no is passed on, for the
/// check to name the field it is in.
fn tidy(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(key, value)| {
            let value = if key == "q" { value.clone() } else { value.trim().to_string() };
            let value = match key.as_str() {
                "free" | "step_free" | "taking_new" => match value.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => String::from("true"),
                    "0" | "false" | "no" | "off" => return None,
                    _ => value,
                },
                "open" => value.to_ascii_lowercase(),
                _ => value,
            };
            (!value.is_empty()).then(|| (key.clone(), value))
        })
        .collect()
}

/// What the person asked for, as they typed it: the results page's form
/// shows it again, and its links keep it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Asked {
    pub q: String,
    pub postcode: String,
    /// A point instead of a postcode ("Use my location").
    pub lat: String,
    pub lon: String,
    pub needs: Vec<String>,
    pub radius_km: String,
    pub open: String,
    pub free: bool,
    pub age: String,
    pub language: String,
    pub delivery: String,
    pub step_free: bool,
    pub page: usize,
    pub print: bool,
}

impl Asked {
    pub fn from_pairs(pairs: &[(String, String)]) -> Asked {
        let mut asked = Asked { page: 1, ..Asked::default() };
        for (key, value) in pairs {
            let on = || !matches!(value.trim(), "" | "0" | "false" | "no" | "off");
            match key.as_str() {
                "q" => asked.q = value.clone(),
                "postcode" => asked.postcode = value.clone(),
                "lat" => asked.lat = value.clone(),
                "lon" => asked.lon = value.clone(),
                "need" => asked.needs.push(value.clone()),
                "radius_km" => asked.radius_km = value.clone(),
                "open" => asked.open = value.clone(),
                "free" => asked.free = on(),
                "age" => asked.age = value.clone(),
                "language" => asked.language = value.clone(),
                "delivery" => asked.delivery = value.clone(),
                "step_free" => asked.step_free = on(),
                "page" => asked.page = value.trim().parse().unwrap_or(1),
                "print" => asked.print = on(),
                _ => {}
            }
        }
        asked
    }

    /// Whether anything was asked at all.
    pub fn is_empty(&self) -> bool {
        self.q.trim().is_empty()
            && self.postcode.trim().is_empty()
            && self.lat.is_empty()
            && self.needs.is_empty()
    }

    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        !self.open.is_empty()
            || self.free
            || !self.age.is_empty()
            || !self.language.is_empty()
            || !self.delivery.is_empty()
            || self.step_free
            || !self.radius_km.is_empty()
    }

    /// This search's address, on another page, or without its filters, or printable.
    pub fn url(&self, page: usize, filters: bool, print: bool) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut put = |key: &str, value: &str| {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        };
        put("q", &self.q);
        for need in &self.needs {
            put("need", need);
        }
        put("postcode", &self.postcode);
        put("lat", &self.lat);
        put("lon", &self.lon);
        if filters {
            put("radius_km", &self.radius_km);
            put("open", &self.open);
            put("free", if self.free { "true" } else { "" });
            put("age", &self.age);
            put("language", &self.language);
            put("delivery", &self.delivery);
            put("step_free", if self.step_free { "true" } else { "" });
        }
        if page > 1 {
            put("page", &page.to_string());
        }
        if print {
            put("print", "1");
        }
        format!("/search?{}", query.finish())
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: ServiceId,
    pub name: String,
    pub organisation: String,
    pub url: String,
    /// Metres to the nearest venue (or, for one with no venue, to its
    /// contact address); `None` for services that serve the whole area
    /// (wherever their venue is), come to you, work by phone or online, or
    /// whose venue is confidential.
    pub distance_m: Option<u32>,
    /// How far away it is, or how it reaches people when it has no
    /// distance ("Serves all of Trafford", "By phone, wherever you are");
    /// nothing for a local service when no place was given.
    pub reach: Option<String>,
    pub needs: Vec<String>,
    /// How to get to use it: `drop_in`, `self` or `professional`.
    pub referral: &'static str,
    /// Whether it is taking new people (`taking`, `waiting_list`, `full`), when it has said.
    pub capacity: Option<&'static str>,
    pub why: Vec<String>,
    /// When it next meets, in words.
    pub next_session: Option<String>,
    /// The neighbouring area whose feed lists it, when not this area's own.
    pub listed_by: Option<String>,
    pub score: f32,
}

/// The results for one of the needs asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub need: String,
    pub label: String,
    pub total: u64,
    pub results: Vec<Hit>,
}

/// How many of the matches fall in each category.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facets {
    pub needs: Vec<(String, u64)>,
    pub delivery: Vec<(String, u64)>,
    pub free: u64,
}

/// The answer to a search.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    /// How many of them match everything asked (every word that says what
    /// is wanted, in their words, with one typo, or as a need a person gave
    /// them, not one only read from their words); the rest mention only
    /// some of it.
    pub close: u64,
    /// Times and ages read from the words ("\u{201c}tonight\u{201d} as
    /// Thursday evening"), which the results were narrowed by.
    pub understood: Vec<String>,
    /// Whether the words say someone may be in danger now: the urgent-help
    /// box comes first.
    pub urgent: bool,
    pub results: Vec<Hit>,
    pub groups: Vec<Group>,
    /// Needs asked for with nothing found.
    pub unmet: Vec<String>,
    pub facets: Facets,
}

impl SearchResults {
    /// Every result, in the list and in the groups (a service may be in both).
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.results.iter().chain(self.groups.iter().flat_map(|g| g.results.iter()))
    }
}

/// A distance as people say it, the same wherever it is shown: "Under
/// 100 m away", "700 m away" (to the nearest hundred metres), "1.2 km away".
pub fn away(metres: u32) -> String {
    match metres {
        0..100 => String::from("Under 100 m away"),
        100..950 => format!("{} m away", (metres + 50) / 100 * 100),
        _ => format!("{:.1} km away", f64::from(metres) / 1000.0),
    }
}

/// Where a search was from, as found.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Said when the place is not quite what was asked for (a district's
    /// centre for an unknown postcode, a postcode no longer in use).
    pub message: Option<String>,
}

/// What the network activity index is asked: threads and events whose words
/// or needs match, near a place (place-based networks' threads are for
/// everywhere), at most `most` of each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityAsk {
    pub words: String,
    /// Need slugs: only what carries one of them, when any.
    pub needs: Vec<String>,
    /// Within this many metres of this point, when given.
    pub near: Option<((f64, f64), f64)>,
    /// Events only (the advisor's workspace): an event is support too.
    pub events_only: bool,
    pub most: usize,
}

/// How far to look for activity near a place when the search gave no radius:
/// a neighbourhood and those around it.
pub const ACTIVITY_RADIUS_M: f64 = 3_000.0;

/// A thread found: what a result shows.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundThread {
    pub id: super::ids::ThreadId,
    pub title: String,
    pub excerpt: String,
    pub network_slug: String,
    pub network_name: String,
    pub last_posted_at: chrono::NaiveDateTime,
    pub replies: i64,
}

/// An event found: what a result shows, with its next time.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundEvent {
    pub id: super::ids::EventId,
    pub title: String,
    pub excerpt: String,
    pub network_slug: String,
    pub network_name: String,
    pub place_name: String,
    pub next: super::events::Occurrence,
    pub free: bool,
    /// Metres from the place searched, when it has a point and one was given.
    pub distance_m: Option<u32>,
}

/// What the neighbourhood networks say that matches a search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FoundActivity {
    pub threads: Vec<FoundThread>,
    pub events: Vec<FoundEvent>,
}

impl FoundActivity {
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty() && self.events.is_empty()
    }
}
