//! Events in the networks: what a member types (a title, a description,
//! when in Europe/London time, where, what it costs, access and who it is
//! for, and how it repeats), the checks on it, and when it happens. A
//! repeating event is a pattern of the schedule model (`domain::schedule`),
//! so "every other Tuesday" means here what it means on a listing.

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::ids::{EventId, LocationId, ServiceId};
use super::schedule::{DayRule, Frequency, Schedule};
use super::schedule_form::{parse_date, parse_time};
use super::text::{self, FieldErrors};

/// How an event repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    Weekly,
    Fortnightly,
    /// On the same week of the month ("the second Tuesday").
    Monthly,
}

impl Repeat {
    pub const ALL: [Repeat; 3] = [Repeat::Weekly, Repeat::Fortnightly, Repeat::Monthly];

    pub fn code(self) -> &'static str {
        match self {
            Repeat::Weekly => "weekly",
            Repeat::Fortnightly => "fortnightly",
            Repeat::Monthly => "monthly",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Repeat::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Repeat::Weekly => "Every week",
            Repeat::Fortnightly => "Every two weeks",
            Repeat::Monthly => "Every month, on the same week of the month",
        }
    }
}

/// The longest a repeating event is set to run: a year.
const LONGEST_RUN_DAYS: u64 = 366;

/// An event's form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventForm {
    pub title: String,
    pub description: String,
    pub date: String,
    pub starts: String,
    pub ends: String,
    /// A venue's id from the list, or "address" for an address typed.
    pub venue: String,
    pub address: String,
    pub postcode: String,
    /// "free" or "paid".
    pub cost_kind: String,
    pub cost: String,
    pub access: String,
    pub who_for: String,
    /// One of `Repeat`'s codes, or empty for once.
    pub repeats: String,
    pub until: String,
}

/// Where an event is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventPlace {
    Venue(LocationId),
    /// An address and postcode, to be placed by the postcode.
    Address {
        address: String,
        postcode: String,
    },
}

/// A checked event, before it is placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub title: String,
    pub description: String,
    /// Wall-clock times in Europe/London, of the first time it happens.
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub repeat: Option<(Repeat, NaiveDate)>,
    pub place: EventPlace,
    pub free: bool,
    pub cost: Option<String>,
    pub access: Option<String>,
    pub who_for: Option<String>,
    pub services: Vec<ServiceId>,
}

/// An instant in Europe/London, or why the wall-clock time does not name one.
fn in_london(local: NaiveDateTime, field: &str, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
    match London.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        // The hour the clocks go back happens twice: the first is meant.
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            errors.add(
                field,
                format!(
                    "{} does not happen on {}: the clocks go forward an hour that night. Choose a time from 2am",
                    super::schedule::clock(local.time()),
                    super::schedule::long_date(local.date())
                ),
            );
            None
        }
    }
}

impl EventForm {
    /// Checks the form; `venues` are those that may be chosen.
    pub fn check(&self, venues: &[LocationId], today: NaiveDate) -> Result<NewEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.take("title", text::required_line(&self.title, "a title"));
        let description =
            match text::optional_text(&self.description, "the description", super::networks::MAX_POST) {
                Ok(Some(d)) => Some(d),
                Ok(None) => {
                    errors.add("description", "Say what the event is");
                    None
                }
                Err(message) => {
                    errors.add("description", message);
                    None
                }
            };
        let date = parse_date(&self.date);
        if date.is_none() {
            errors.add("date", "Enter the date, like 5/3/2027");
        }
        let starts = parse_time(&self.starts);
        if starts.is_none() {
            errors.add("starts", "Enter the time it starts, like 10am or 14:30");
        }
        let ends = parse_time(&self.ends);
        if ends.is_none() {
            errors.add("ends", "Enter the time it ends, like 12 noon or 16:00");
        }
        if let (Some(start), Some(end)) = (starts, ends)
            && end <= start
        {
            errors.add("ends", "The event must end after it starts");
        }
        if date.is_some_and(|d| d < today) {
            errors.add("date", "The date has passed: events are added before they happen");
        }
        let repeat = self.repeat(date, &mut errors);
        let place = self.place(venues, &mut errors);
        let free = match self.cost_kind.as_str() {
            "free" => Some(true),
            "paid" => Some(false),
            _ => {
                errors.add("cost_kind", "Say whether it is free");
                None
            }
        };
        let cost = errors.take("cost", text::optional_text(&self.cost, "the cost", 200));
        if free == Some(false) && cost.as_ref().is_some_and(Option::is_none) {
            errors.add("cost", "Say what it costs");
        }
        let access = errors.take("access", text::optional_text(&self.access, "the access", 500));
        let who_for = errors.take("who_for", text::optional_text(&self.who_for, "who it is for", 500));
        let (Some(date), Some(start), Some(end)) = (date, starts, ends) else { return Err(errors) };
        let (local_start, local_end) = (date.and_time(start), date.and_time(end));
        in_london(local_start, "starts", &mut errors);
        in_london(local_end, "ends", &mut errors);
        match (title, description, place, free, cost, access, who_for) {
            (
                Some(title),
                Some(description),
                Some(place),
                Some(free),
                Some(cost),
                Some(access),
                Some(who_for),
            ) if errors.is_empty() => {
                let services = super::networks::services_named(&description);
                Ok(NewEvent {
                    title,
                    description,
                    starts: local_start,
                    ends: local_end,
                    repeat,
                    place,
                    free,
                    cost: if free { None } else { cost },
                    access,
                    who_for,
                    services,
                })
            }
            _ => Err(errors),
        }
    }

    fn repeat(&self, date: Option<NaiveDate>, errors: &mut FieldErrors) -> Option<(Repeat, NaiveDate)> {
        if self.repeats.is_empty() {
            return None;
        }
        let Some(repeat) = Repeat::from_code(&self.repeats) else {
            errors.add("repeats", "Choose how often it happens from the list");
            return None;
        };
        let Some(until) = parse_date(&self.until) else {
            errors.add("until", "Enter the last date it happens, like 30/6/2027");
            return None;
        };
        let date = date?;
        if until < date {
            errors.add("until", "The last date must be on or after the first");
            return None;
        }
        if until > date.checked_add_days(Days::new(LONGEST_RUN_DAYS)).unwrap_or(date) {
            errors.add("until", "Set it to run for a year at most: add it again to run for longer");
            return None;
        }
        Some((repeat, until))
    }

    fn place(&self, venues: &[LocationId], errors: &mut FieldErrors) -> Option<EventPlace> {
        if self.venue == "address" || (self.venue.is_empty() && !self.postcode.trim().is_empty()) {
            let address = errors.take("address", text::required_line(&self.address, "the address"));
            let postcode = self.postcode.trim().to_uppercase();
            if postcode.is_empty() {
                errors.add("postcode", "Enter the postcode, to put the event on the map");
                return None;
            }
            return address.map(|address| EventPlace::Address { address, postcode });
        }
        match self.venue.parse::<LocationId>() {
            Ok(venue) if venues.contains(&venue) => Some(EventPlace::Venue(venue)),
            _ if self.venue.is_empty() => {
                errors.add("venue", "Choose where it is, or give an address");
                None
            }
            _ => {
                errors.add("venue", "Choose a venue from the list, or give an address");
                None
            }
        }
    }
}

impl NewEvent {
    /// Its pattern as a schedule, for when it happens.
    pub fn schedule(&self) -> Schedule {
        schedule_of(self.starts, self.ends, self.repeat)
    }
}

/// An event's times as a pattern of the schedule model.
pub fn schedule_of(
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    repeat: Option<(Repeat, NaiveDate)>,
) -> Schedule {
    let date = starts.date();
    let weekday = date.weekday();
    let (freq, interval, byday) = match repeat.map(|r| r.0) {
        None => (Frequency::Once, 1, Vec::new()),
        Some(Repeat::Weekly) => (Frequency::Weekly, 1, vec![DayRule { ordinal: None, weekday }]),
        Some(Repeat::Fortnightly) => (Frequency::Weekly, 2, vec![DayRule { ordinal: None, weekday }]),
        Some(Repeat::Monthly) => {
            let week = i8::try_from((date.day() - 1) / 7 + 1).unwrap_or(1);
            (Frequency::Monthly, 1, vec![DayRule { ordinal: Some(week), weekday }])
        }
    };
    Schedule {
        freq: Some(freq),
        interval,
        byday,
        dtstart: Some(date),
        valid_to: Some(repeat.map_or(date, |r| r.1)),
        opens_at: Some(starts.time()),
        closes_at: Some(ends.time()),
        ..Schedule::default()
    }
}

/// One time an event happens, as instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

/// The times `schedule` happens that have not ended by `after`, at most `most`.
pub fn occurrences(schedule: &Schedule, after: DateTime<Utc>, most: usize) -> Vec<Occurrence> {
    let (Some(first), Some(last)) = (schedule.dtstart, schedule.valid_to) else { return Vec::new() };
    let from = after.with_timezone(&London).date_naive().pred_opt().unwrap_or(first).max(first);
    from.iter_days()
        .take_while(|date| *date <= last)
        .filter_map(|date| schedule.session_on(date))
        .map(|s| Occurrence { starts: s.starts.with_timezone(&Utc), ends: s.ends.with_timezone(&Utc) })
        .filter(|o| o.ends > after)
        .take(most)
        .collect()
}

/// Every time `schedule` happens: its first start and its last end.
pub fn span(schedule: &Schedule) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = schedule.dtstart?;
    let last = schedule.valid_to?;
    let mut all = first.iter_days().take_while(|d| *d <= last).filter_map(|d| schedule.session_on(d));
    let opening = all.next()?;
    let closing = all.last().unwrap_or(opening);
    Some((opening.starts.with_timezone(&Utc), closing.ends.with_timezone(&Utc)))
}

/// An event as its page and lists show it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventView {
    pub id: EventId,
    pub title: String,
    pub description: String,
    pub network_slug: String,
    pub network_name: String,
    pub author: super::networks::Author,
    pub schedule: Schedule,
    pub repeat: Option<(Repeat, NaiveDate)>,
    /// The venue's name (with its page) or the address typed, and the postcode.
    pub place_name: String,
    pub venue: Option<LocationId>,
    pub address: String,
    pub postcode: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The neighbourhood it is in: its id, slug and name.
    pub neighbourhood: Option<(super::ids::NeighbourhoodId, String, String)>,
    pub free: bool,
    pub cost: Option<String>,
    pub access: Option<String>,
    pub who_for: Option<String>,
    pub services: Vec<super::networks::NamedListing>,
    /// When it next happens (or last happened, once it is over).
    pub next: Option<Occurrence>,
    /// Where it can be read at its source, for an event read from a calendar.
    pub link: Option<String>,
}

/// A time in Europe/London, as events show it: "Thursday 5 March 2027, 10am".
pub fn when(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&London);
    format!("{}, {}", local.format("%A %-d %B %Y"), super::schedule::clock(local.time()))
}

/// An occurrence in words: "Thursday 5 March 2027, 10am to 12 noon".
pub fn describe(occurrence: &Occurrence) -> String {
    let ends = occurrence.ends.with_timezone(&London);
    format!("{} to {}", when(occurrence.starts), super::schedule::clock(ends.time()))
}

/// The wall-clock time a form shows for a time of day.
pub fn form_time(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EventForm {
        EventForm {
            title: String::from("Coffee morning"),
            description: String::from("Cake and a chat"),
            date: String::from("5/3/2027"),
            starts: String::from("10am"),
            ends: String::from("12 noon"),
            venue: String::from("address"),
            address: String::from("St Mary's Hall, Church Lane"),
            postcode: String::from("m33 7xx"),
            cost_kind: String::from("free"),
            ..EventForm::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
    }

    #[test]
    fn an_event_at_an_address_checks_out() {
        let event = form().check(&[], today()).unwrap();
        assert_eq!(
            event.place,
            EventPlace::Address {
                address: String::from("St Mary's Hall, Church Lane"),
                postcode: String::from("M33 7XX")
            }
        );
        assert_eq!(event.starts.time(), NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    }

    #[test]
    fn an_event_that_ends_before_it_starts_is_refused() {
        let errors = EventForm { ends: String::from("9am"), ..form() }.check(&[], today()).unwrap_err();
        assert_eq!(errors.get("ends"), Some("The event must end after it starts"));
    }

    #[test]
    fn a_time_the_spring_clock_change_skips_is_refused_and_the_autumn_one_is_the_first() {
        let errors = EventForm {
            date: String::from("28/3/2027"),
            starts: String::from("1:30am"),
            ends: String::from("3am"),
            ..form()
        }
        .check(&[], today())
        .unwrap_err();
        assert!(errors.get("starts").is_some_and(|m| m.contains("clocks go forward")), "{errors:?}");
        let autumn = EventForm {
            date: String::from("31/10/2027"),
            starts: String::from("1:30am"),
            ends: String::from("3am"),
            ..form()
        }
        .check(&[], today())
        .unwrap();
        let (first, _) = span(&autumn.schedule()).unwrap();
        assert_eq!(first.format("%H:%M").to_string(), "00:30", "1:30am BST, the first of the two");
    }

    #[test]
    fn a_venue_must_be_one_offered() {
        let offered = LocationId::new();
        let chosen = EventForm { venue: offered.to_string(), ..form() };
        assert_eq!(chosen.check(&[offered], today()).unwrap().place, EventPlace::Venue(offered));
        let unknown = EventForm { venue: LocationId::new().to_string(), ..form() };
        assert!(unknown.check(&[offered], today()).unwrap_err().get("venue").is_some());
    }

    #[test]
    fn a_repeating_event_happens_on_its_days_in_london_time_across_the_clock_change() {
        let event = EventForm {
            date: String::from("16/3/2027"),
            repeats: String::from("weekly"),
            until: String::from("6/4/2027"),
            ..form()
        }
        .check(&[], today())
        .unwrap();
        let after = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let times: Vec<String> = occurrences(&event.schedule(), after, 10)
            .iter()
            .map(|o| o.starts.format("%d %H:%M").to_string())
            .collect();
        assert_eq!(
            times,
            ["16 10:00", "23 10:00", "30 09:00", "06 09:00"],
            "10am each Tuesday, an hour earlier in UTC once summer time starts"
        );
        let monthly = EventForm {
            date: String::from("9/3/2027"),
            repeats: String::from("monthly"),
            until: String::from("30/6/2027"),
            ..form()
        }
        .check(&[], today())
        .unwrap();
        let days: Vec<u32> =
            occurrences(&monthly.schedule(), after, 10).iter().map(|o| o.starts.day()).collect();
        assert_eq!(days, [9, 13, 11, 8], "the second Tuesday of each month");
    }

    #[test]
    fn a_paid_event_says_what_it_costs_and_a_run_is_a_year_at_most() {
        let errors = EventForm { cost_kind: String::from("paid"), ..form() }.check(&[], today()).unwrap_err();
        assert!(errors.get("cost").is_some());
        let long = EventForm { repeats: String::from("weekly"), until: String::from("5/3/2029"), ..form() };
        assert!(long.check(&[], today()).unwrap_err().get("until").is_some());
    }
}
