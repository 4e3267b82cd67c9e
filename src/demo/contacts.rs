//! The demo's history at the front door: about twenty weeks of contacts, so
//! that the dashboard shows something real on first run. Weekday office
//! hours, needs weighted as front doors see them, support shortlisted from
//! the citizen's own place when there is some, follow-ups and their answers.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use super::{Dice, SmallArea};
use crate::domain::ids::ServiceId;
use crate::domain::listing::{Location, Service};
use crate::domain::signposting::{Channel, Outcome, Returning};

/// A past contact, placed by the small area the citizen lives in.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoContact {
    pub started_at: NaiveDateTime,
    pub small_area: String,
    pub channel: Channel,
    pub returning: Returning,
    pub escalated: bool,
    /// Need slugs.
    pub needs: Vec<String>,
    pub shortlisted: Vec<ServiceId>,
    /// A follow-up agreed and sent, with its answer if one came.
    pub follow_up: Option<Option<Outcome>>,
}

/// How many weeks of history.
const WEEKS: i64 = 20;
/// Contacts a year per 10,000 residents: a busy front door.
const PER_10000_A_YEAR: f64 = 160.0;
/// The most contacts generated, whatever the borough's size.
const MOST: usize = 5_000;

/// Needs as a front door hears them, with how often (out of their total).
const NEEDS: &[(&str, u32)] = &[
    ("loneliness", 18),
    ("carers-support", 12),
    ("memory-and-dementia", 9),
    ("debt", 9),
    ("mental-wellbeing", 9),
    ("benefits", 7),
    ("mobility-and-falls", 6),
    ("food", 5),
    ("energy-and-warmth", 5),
    ("help-at-home", 5),
    ("respite", 4),
    ("bereavement", 4),
    ("digital-skills", 3),
    ("housing", 3),
    ("sight-loss", 2),
    ("hearing-loss", 2),
    ("advocacy", 2),
    ("safety-and-scams", 2),
    // Met only in the town centre: callers from elsewhere are the gaps
    // the dashboard shows.
    ("veterans", 2),
    ("lgbtq", 1),
];

fn weighted_need(dice: &mut Dice) -> &'static str {
    let total: u32 = NEEDS.iter().map(|(_, w)| w).sum();
    let mut roll = dice.below(total as usize) as u32;
    for (slug, weight) in NEEDS {
        if roll < *weight {
            return slug;
        }
        roll -= weight;
    }
    NEEDS[0].0
}

/// Twenty weeks of contacts up to the day before `today`, with residents
/// drawn in proportion to each small area's population.
pub fn history(
    small_areas: &[SmallArea],
    locations: &[Location],
    services: &[Service],
    follow_up_days: i64,
    today: NaiveDate,
) -> Vec<DemoContact> {
    let population: u64 = small_areas.iter().map(|a| u64::from(a.population)).sum();
    if population == 0 {
        return Vec::new();
    }
    let count =
        ((population as f64 / 10_000.0 * PER_10000_A_YEAR * WEEKS as f64 * 7.0 / 365.0) as usize).min(MOST);
    let mut dice = Dice::new(0xF00D_D00A);
    let by_need = support_by_need(small_areas, locations, services);
    // Each resident counts once: pick a person, then their area.
    let cumulative: Vec<u64> = small_areas
        .iter()
        .scan(0u64, |sum, a| {
            *sum += u64::from(a.population);
            Some(*sum)
        })
        .collect();
    let first_day = today - Duration::weeks(WEEKS);
    let days = (today - first_day).num_days().max(1) as usize;
    let mut contacts = Vec::with_capacity(count);
    // The dice are rolled in this order, so that the same dice give the same history.
    while contacts.len() < count {
        let day = first_day + Duration::days(dice.below(days) as i64);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let person = (dice.unit() * population as f64) as u64;
        let area = &small_areas[cumulative.partition_point(|&c| c <= person).min(small_areas.len() - 1)];
        let minutes = 9 * 60 + dice.below(8 * 60) as i64;
        let started_at = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
        let needs = needs_asked(&mut dice);
        let shortlisted = shortlist(&needs, &area.place, &by_need, &mut dice);
        let old_enough = (today - day).num_days() > follow_up_days;
        let follow_up =
            (old_enough && !shortlisted.is_empty() && dice.unit() < 0.3).then(|| follow_up_answer(&mut dice));
        let channel = which_channel(&mut dice);
        let returning = whether_returning(&mut dice);
        let escalated = dice.unit() < 0.04;
        contacts.push(DemoContact {
            started_at,
            small_area: area.code.clone(),
            channel,
            returning,
            escalated,
            needs,
            shortlisted,
            follow_up,
        });
    }
    contacts.sort_by_key(|c| c.started_at);
    contacts
}

/// Services by need slug, each with the places it meets in.
type SupportByNeed<'a> = HashMap<&'static str, Vec<(ServiceId, Vec<&'a str>)>>;

/// The running services for each need a front door hears, with the places
/// they meet in (none for a service that meets nowhere, or only online).
fn support_by_need<'a>(
    small_areas: &'a [SmallArea],
    locations: &[Location],
    services: &[Service],
) -> SupportByNeed<'a> {
    let place_of_area: HashMap<&str, &str> =
        small_areas.iter().map(|a| (a.code.as_str(), a.place.as_str())).collect();
    let place_of_location: HashMap<_, &str> = locations
        .iter()
        .filter_map(|l| Some((l.id, *place_of_area.get(l.small_area.as_deref()?)?)))
        .collect();
    let mut by_need: SupportByNeed<'a> = HashMap::new();
    for service in services.iter().filter(|s| s.details.status.is_running()) {
        let places: Vec<&str> =
            service.locations.iter().filter_map(|l| place_of_location.get(l).copied()).collect();
        for need in &service.details.needs {
            if let Some((slug, _)) = NEEDS.iter().find(|(slug, _)| slug == need) {
                by_need.entry(*slug).or_default().push((service.id, places.clone()));
            }
        }
    }
    by_need
}

/// One to three needs, none twice.
fn needs_asked(dice: &mut Dice) -> Vec<String> {
    let mut needs: Vec<String> = Vec::new();
    let wanted = 1 + usize::from(dice.unit() < 0.45) + usize::from(dice.unit() < 0.15);
    while needs.len() < wanted {
        let need = weighted_need(dice).to_string();
        if !needs.contains(&need) {
            needs.push(need);
        }
    }
    needs
}

/// What was shortlisted for `needs`, for a caller living in `place`.
fn shortlist(needs: &[String], place: &str, by_need: &SupportByNeed<'_>, dice: &mut Dice) -> Vec<ServiceId> {
    let mut shortlisted = Vec::new();
    for need in needs {
        // Most needs find something; some are left unmet, more often
        // where nothing meets in the caller's own place.
        let candidates = by_need.get(need.as_str()).map_or(&[][..], Vec::as_slice);
        let local: Vec<ServiceId> =
            candidates.iter().filter(|(_, places)| places.contains(&place)).map(|(id, _)| *id).collect();
        let chosen = if !local.is_empty() && dice.unit() < 0.85 {
            Some(*dice.pick(&local))
        } else if !candidates.is_empty() && dice.unit() < 0.5 {
            Some(dice.pick(candidates).0)
        } else {
            None
        };
        if let Some(id) = chosen.filter(|id| !shortlisted.contains(id)) {
            shortlisted.push(id);
        }
    }
    shortlisted
}

/// The answer to a follow-up, if one came.
fn follow_up_answer(dice: &mut Dice) -> Option<Outcome> {
    match dice.unit() {
        r if r < 0.5 => Some(Outcome::GotHelp),
        r if r < 0.7 => Some(Outcome::CouldNotGetThrough),
        r if r < 0.8 => Some(Outcome::NotRight),
        _ => None,
    }
}

/// How the contact came in: mostly by phone.
fn which_channel(dice: &mut Dice) -> Channel {
    match dice.unit() {
        r if r < 0.7 => Channel::Phone,
        r if r < 0.85 => Channel::FaceToFace,
        _ => Channel::Online,
    }
}

/// Whether the caller had been in touch before.
fn whether_returning(dice: &mut Dice) -> Returning {
    match dice.unit() {
        r if r < 0.25 => Returning::Yes,
        r if r < 0.85 => Returning::No,
        _ => Returning::NotKnown,
    }
}
