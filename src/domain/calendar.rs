//! Events as iCalendar (RFC 5545), for "add to calendar": one `VEVENT` for
//! each time an event happens, each with its own start and end as UTC
//! instants, so that a repeating event keeps its Europe/London wall-clock
//! time either side of the clock changes in any calendar. Written by the
//! maintained `icalendar` crate (which `fetch::calendars` reads calendars with).

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use super::events::{EventView, occurrences};

/// The most times a repeating event is written out: a year of weeks.
const MOST: usize = 60;

/// `event` as an iCalendar file: every time it happens from its first.
pub fn event(event: &EventView, public_url: &str, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&event.title);
    push_times(&mut calendar, event, public_url, DateTime::<Utc>::UNIX_EPOCH, now);
    calendar.done().to_string()
}

/// The events a network, a neighbourhood, a service or the area has coming
/// up, as one calendar named `name` to subscribe to: each time each one
/// happens from `now`.
pub fn events(name: &str, events: &[EventView], public_url: &str, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for event in events {
        push_times(&mut calendar, event, public_url, now, now);
    }
    calendar.done().to_string()
}

/// Each time `event` happens that has not ended by `after`, as a `VEVENT`.
fn push_times(
    calendar: &mut Calendar,
    event: &EventView,
    public_url: &str,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let page = format!("{public_url}/events/{}", event.id);
    let location = match event.postcode.as_str() {
        "" => event.address.clone(),
        postcode => format!("{}, {postcode}", event.address),
    };
    for occurrence in occurrences(&event.schedule, after, MOST) {
        let uid = format!("{}-{}@doorstep", event.id, occurrence.starts.format("%Y%m%dT%H%M%SZ"));
        calendar.push(
            Event::new()
                .uid(&uid)
                .timestamp(now)
                .summary(&event.title)
                .description(&format!("{}\n\n{page}", event.description))
                .location(&location)
                .url(&page)
                .starts(occurrence.starts)
                .ends(occurrence.ends)
                .done(),
        );
    }
}
