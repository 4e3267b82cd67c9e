//! iCalendar feeds (RFC 5545), read by the maintained `icalendar` crate's
//! parser, with repeating events expanded by the `rrule` crate: each time an
//! event happens in the coming weeks is one event here, with its own start
//! and end as instants. Exceptions are honoured: a date taken out (`EXDATE`)
//! is not shown, a time moved or changed (`RECURRENCE-ID`) is shown as it
//! now is, a cancelled one not at all. A calendar in a time zone Doorstep
//! does not know, or with a rule that repeats without end in any sense that
//! matters (every minute, or never at all), is refused with the reason.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property, read_components, unfold};

use crate::domain::sources::{CALENDAR_WEEKS, FetchedEvent, MOST_OCCURRENCES};
use crate::domain::text::{Shape, normalise};

/// The types a calendar is asked for in.
pub const ACCEPT: &str = "text/calendar, */*;q=0.5";

/// Where a time with no zone of its own is taken to be.
const HOME: Tz = chrono_tz::Europe::London;

/// The events in `body` that end after `now` and start within
/// `CALENDAR_WEEKS` of it, soonest first.
pub fn read(body: &[u8], now: DateTime<Utc>) -> Result<Vec<FetchedEvent>, String> {
    let text =
        std::str::from_utf8(body).map_err(|_| String::from("it is not a calendar (it is not text)"))?;
    let text = unfold(text);
    let components = read_components(&text).map_err(|e| {
        let first_line = e.lines().find(|l| !l.trim().is_empty() && l.trim() != "error:").unwrap_or("");
        format!("it is not an iCalendar file ({})", first_line.trim().chars().take(120).collect::<String>())
    })?;
    let calendar = components
        .iter()
        .find(|c| c.name.as_str() == "VCALENDAR")
        .ok_or_else(|| String::from("it is not an iCalendar file (it has no VCALENDAR)"))?;
    let default_zone = match property(calendar, "X-WR-TIMEZONE") {
        Some(name) => zone(name.val.as_str())?,
        None => HOME,
    };
    let window = (now, now + Duration::weeks(CALENDAR_WEEKS));
    let vevents: Vec<&Component> =
        calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").collect();

    // Times moved or changed, by their event and the time they replace.
    let mut changed: HashMap<(String, DateTime<Utc>), &Component> = HashMap::new();
    for event in &vevents {
        if let Some(replaces) = property(event, "RECURRENCE-ID") {
            let (instant, _) = when(replaces, default_zone)?;
            changed.insert((uid(event), instant), event);
        }
    }
    let mut found = Vec::new();
    for event in vevents.iter().filter(|e| property(e, "RECURRENCE-ID").is_none()) {
        let uid = uid(event);
        let starts = occurrences(event, default_zone, window)?;
        for start in starts {
            let key = format!("{uid}@{}", start.format("%Y%m%dT%H%M%SZ"));
            match changed.remove(&(uid.clone(), start)) {
                Some(instead) => found.extend(one(instead, default_zone, &key, None, window)?),
                None => found.extend(one(event, default_zone, &key, Some(start), window)?),
            }
        }
    }
    // A time moved from outside the window into it.
    for ((uid, replaced), event) in changed {
        let key = format!("{uid}@{}", replaced.format("%Y%m%dT%H%M%SZ"));
        found.extend(one(event, default_zone, &key, None, window)?);
    }
    found.sort_by(|a, b| (a.starts, &a.key).cmp(&(b.starts, &b.key)));
    // An event written twice (the same UID and time) is one.
    let mut seen = HashSet::new();
    found.retain(|event| seen.insert(event.key.clone()));
    Ok(found)
}

fn property<'a>(component: &'a Component, name: &str) -> Option<&'a Property<'a>> {
    component.properties.iter().find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'a>(property: &'a Property, name: &str) -> Option<&'a str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(name))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str())
}

fn text(component: &Component, name: &str) -> String {
    property(component, name)
        .map(|p| normalise(p.val.clone().unescape_text().as_str(), Shape::Lines))
        .unwrap_or_default()
}

fn uid(event: &Component) -> String {
    match property(event, "UID") {
        Some(uid) => normalise(uid.val.as_str(), Shape::Line),
        // No UID: its title and first start name it well enough.
        None => format!(
            "{}-{}",
            text(event, "SUMMARY"),
            property(event, "DTSTART").map(|p| p.val.as_str()).unwrap_or("")
        ),
    }
}

/// A time zone named by a calendar: IANA's names, the names Windows and
/// Outlook give the zones, and names that end in an IANA one (as some
/// calendars write them, `/mozilla.org/20050126_1/Europe/London`).
pub fn zone(name: &str) -> Result<Tz, String> {
    let name = name.trim().trim_matches('"');
    let windows = match name {
        "GMT Standard Time" | "Greenwich Standard Time" => Some(HOME),
        "UTC" | "Coordinated Universal Time" => Some(chrono_tz::UTC),
        "W. Europe Standard Time" => Some(chrono_tz::Europe::Berlin),
        "Romance Standard Time" => Some(chrono_tz::Europe::Paris),
        "Central Europe Standard Time" => Some(chrono_tz::Europe::Budapest),
        "GMT Standard Time (Ireland)" => Some(chrono_tz::Europe::Dublin),
        "Eastern Standard Time" => Some(chrono_tz::America::New_York),
        _ => None,
    };
    if let Some(zone) = windows {
        return Ok(zone);
    }
    let mut rest = name;
    loop {
        if let Ok(zone) = rest.parse::<Tz>() {
            return Ok(zone);
        }
        match rest.split_once('/') {
            Some((_, after)) if !after.is_empty() => rest = after,
            _ => return Err(format!("it uses a time zone Doorstep does not know ({name})")),
        }
    }
}

/// A DATE or DATE-TIME property as an instant, and whether it was a date.
fn when(property: &Property, default_zone: Tz) -> Result<(DateTime<Utc>, bool), String> {
    let value = property.val.as_str().trim();
    let bad = || format!("it has a time that is not one ({}:{value})", property.name.as_str());
    if value.len() == 8 || param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) {
        let date = NaiveDate::parse_from_str(value.get(..8).ok_or_else(bad)?, "%Y%m%d").map_err(|_| bad())?;
        let midnight = local_instant(date.and_hms_opt(0, 0, 0).ok_or_else(bad)?, default_zone);
        return Ok((midnight, true));
    }
    if let Some(utc) = value.strip_suffix('Z') {
        let time = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok((Utc.from_utc_datetime(&time), false));
    }
    let time = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    let zone = match param(property, "TZID") {
        Some(name) => zone(name)?,
        None => default_zone,
    };
    Ok((local_instant(time, zone), false))
}

/// A wall-clock time in `zone` as an instant: in the hour the clocks skip,
/// the time an hour later; in the hour they repeat, the first.
fn local_instant(time: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    zone.from_local_datetime(&time)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(time + Duration::hours(1))).earliest())
        .map_or_else(|| Utc.from_utc_datetime(&time), |t| t.with_timezone(&Utc))
}

/// How long an event lasts: to its DTEND, for its DURATION, or an hour
/// (a day for an all-day event).
fn length(
    event: &Component,
    starts: DateTime<Utc>,
    all_day: bool,
    default_zone: Tz,
) -> Result<Duration, String> {
    if let Some(end) = property(event, "DTEND") {
        let (ends, _) = when(end, default_zone)?;
        let length = (ends - starts).max(Duration::zero());
        if length > Duration::days(366) {
            return Err(format!("the event \"{}\" lasts more than a year", text(event, "SUMMARY")));
        }
        return Ok(length);
    }
    if let Some(duration) = property(event, "DURATION") {
        return iso_duration(duration.val.as_str())
            .ok_or_else(|| format!("it has a length that is not one (DURATION:{})", duration.val.as_str()));
    }
    Ok(if all_day { Duration::days(1) } else { Duration::hours(1) })
}

/// An RFC 5545 duration: `PT1H30M`, `P1D`, `P2W`; none when it is not one
/// or is longer than a year (no community event lasts longer).
fn iso_duration(value: &str) -> Option<Duration> {
    let value = value.trim().strip_prefix('+').unwrap_or(value.trim());
    let rest = value.strip_prefix('P')?;
    let (mut total, mut number, mut in_time) = (Duration::zero(), String::new(), false);
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' => in_time = true,
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                let part = match (unit, in_time) {
                    ('W', false) => Duration::try_weeks(n),
                    ('D', false) => Duration::try_days(n),
                    ('H', true) => Duration::try_hours(n),
                    ('M', true) => Duration::try_minutes(n),
                    ('S', true) => Duration::try_seconds(n),
                    _ => None,
                }?;
                total = total.checked_add(&part)?;
            }
        }
    }
    (number.is_empty() && total <= Duration::days(366)).then_some(total)
}

/// The starts of `event`'s times that may fall in `window`: its own start,
/// or every time its rule, RDATEs and EXDATEs give.
fn occurrences(
    event: &Component,
    default_zone: Tz,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<DateTime<Utc>>, String> {
    let title = text(event, "SUMMARY");
    let start = property(event, "DTSTART").ok_or_else(|| format!("the event \"{title}\" has no start"))?;
    let (first, all_day) = when(start, default_zone)?;
    let lasts = length(event, first, all_day, default_zone)?;
    let from =
        window.0.checked_sub_signed(lasts).ok_or_else(|| format!("the event \"{title}\" lasts too long"))?;
    let mut starts = vec![first];
    if let Some(rule) = property(event, "RRULE") {
        // The rule is read against the start's own zone, so that a weekly
        // 10am stays at 10am across the clock changes.
        let zone_name = match (start.val.as_str().ends_with('Z'), param(start, "TZID")) {
            (true, _) => String::from("UTC"),
            (false, Some(name)) => zone(name)?.name().to_string(),
            (false, None) => default_zone.name().to_string(),
        };
        let zone = zone(&zone_name)?;
        let local_start = first.with_timezone(&zone).naive_local().format("%Y%m%dT%H%M%S");
        let rule_text = until_in_utc(rule.val.as_str(), zone);
        let set: rrule::RRuleSet = format!("DTSTART;TZID={zone_name}:{local_start}\nRRULE:{rule_text}")
            .parse()
            .map_err(|e| format!("the event \"{title}\" repeats by a rule that cannot be read ({e})"))?;
        let in_zone = |t: DateTime<Utc>| t.with_timezone(&rrule::Tz::Tz(chrono_tz::UTC));
        let found = set
            .after(in_zone(from))
            .before(in_zone(window.1))
            .all(u16::try_from(MOST_OCCURRENCES + 1).unwrap_or(u16::MAX));
        if found.dates.len() > MOST_OCCURRENCES {
            return Err(format!(
                "the event \"{title}\" happens more than {MOST_OCCURRENCES} times in {CALENDAR_WEEKS} weeks ({})",
                rule.val.as_str()
            ));
        }
        if found.limited && found.dates.len() < MOST_OCCURRENCES {
            return Err(format!(
                "the event \"{title}\" repeats by a rule that never ends and never gives a time ({})",
                rule.val.as_str()
            ));
        }
        starts = found.dates.into_iter().map(|d| d.with_timezone(&Utc)).collect();
    }
    for extra in event.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("RDATE")) {
        for value in extra.val.as_str().split(',') {
            let one = Property { val: value.into(), ..extra.clone() };
            starts.push(when(&one, default_zone)?.0);
        }
    }
    let mut taken_out = HashSet::new();
    for out in event.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("EXDATE")) {
        for value in out.val.as_str().split(',') {
            let one = Property { val: value.into(), ..out.clone() };
            taken_out.insert(when(&one, default_zone)?.0);
        }
    }
    starts.retain(|s| !taken_out.contains(s) && *s >= from && *s < window.1);
    starts.sort();
    starts.dedup();
    Ok(starts)
}

/// A rule with its `UNTIL` as a UTC time, as the rule reader needs: a date
/// is the end of that day in `zone`, and a time without a zone is `zone`'s
/// (RFC 5545 writes both; only UTC reads unambiguously).
fn until_in_utc(rule: &str, zone: Tz) -> String {
    rule.split(';')
        .map(|part| {
            let Some((name, value)) = part.split_once('=').filter(|(n, _)| n.eq_ignore_ascii_case("UNTIL"))
            else {
                return part.to_string();
            };
            let local = match value.len() {
                8 => NaiveDate::parse_from_str(value, "%Y%m%d").ok().and_then(|d| d.and_hms_opt(23, 59, 59)),
                15 => NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok(),
                _ => None,
            };
            match local {
                Some(time) => format!("{name}={}", local_instant(time, zone).format("%Y%m%dT%H%M%SZ")),
                None => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// One time `event` happens, starting at `start` (or its own start, for a
/// time moved), when it is in the window and not cancelled.
fn one(
    event: &Component,
    default_zone: Tz,
    key: &str,
    start: Option<DateTime<Utc>>,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Option<FetchedEvent>, String> {
    if property(event, "STATUS").is_some_and(|s| s.val.as_str().eq_ignore_ascii_case("CANCELLED")) {
        return Ok(None);
    }
    let title = text(event, "SUMMARY");
    let own = property(event, "DTSTART").ok_or_else(|| format!("the event \"{title}\" has no start"))?;
    let (own_start, all_day) = when(own, default_zone)?;
    let starts = start.unwrap_or(own_start);
    let ends = starts
        .checked_add_signed(length(event, own_start, all_day, default_zone)?)
        .ok_or_else(|| format!("the event \"{title}\" ends at a time that is not one"))?;
    if ends <= window.0 || starts >= window.1 || title.is_empty() {
        return Ok(None);
    }
    let link = property(event, "URL")
        .map(|p| p.val.as_str().trim().to_string())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let mut found = FetchedEvent {
        key: key.to_string(),
        title: normalise(&title, Shape::Line),
        description: text(event, "DESCRIPTION"),
        link,
        starts,
        ends,
        location: normalise(&text(event, "LOCATION"), Shape::Line),
        version: String::new(),
    };
    found.version = found.fingerprint();
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-04T12:00:00Z".parse().unwrap()
    }

    fn calendar(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn a_weekly_event_is_each_time_in_the_coming_weeks_less_its_exceptions() {
        let ics = calendar(
            "BEGIN:VEVENT\r\nUID:coffee@church\r\nSUMMARY:Coffee morning\r\nLOCATION:St Mary's Hall\\, Sale M33 7XX\r\n\
             DTSTART;TZID=Europe/London:20261104T100000\r\nDTEND;TZID=Europe/London:20261104T120000\r\n\
             RRULE:FREQ=WEEKLY;BYDAY=WE\r\nEXDATE;TZID=Europe/London:20261223T100000\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:coffee@church\r\nRECURRENCE-ID;TZID=Europe/London:20261216T100000\r\n\
             SUMMARY:Coffee morning (carols)\r\nDTSTART;TZID=Europe/London:20261216T140000\r\n\
             DTEND;TZID=Europe/London:20261216T160000\r\nEND:VEVENT\r\n",
        );
        let events = read(ics.as_bytes(), now()).unwrap();
        let times: Vec<String> = events.iter().map(|e| e.starts.format("%m-%d %H:%M").to_string()).collect();
        // Eight weeks of Wednesdays from 9 December, less the 23rd, with the 16th moved to 2pm.
        assert_eq!(
            times,
            [
                "12-09 10:00",
                "12-16 14:00",
                "12-30 10:00",
                "01-06 10:00",
                "01-13 10:00",
                "01-20 10:00",
                "01-27 10:00"
            ]
        );
        assert_eq!(events[1].title, "Coffee morning (carols)");
        assert_eq!(events[0].location, "St Mary's Hall, Sale M33 7XX");
        assert_eq!(events[0].ends - events[0].starts, Duration::hours(2));
        // The moved time keeps the key of the time it replaces.
        assert_eq!(events[1].key, "coffee@church@20261216T100000Z");
    }

    #[test]
    fn a_weekly_time_stays_at_its_wall_clock_time_across_the_clock_change() {
        let ics = calendar(
            "BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Walk\r\nDTSTART;TZID=Europe/London:20270322T100000\r\n\
             DURATION:PT1H30M\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n",
        );
        let events = read(ics.as_bytes(), "2027-03-20T00:00:00Z".parse().unwrap()).unwrap();
        let times: Vec<String> = events.iter().map(|e| e.starts.format("%m-%d %H:%M").to_string()).collect();
        assert_eq!(times, ["03-22 10:00", "03-29 09:00", "04-05 09:00"]);
        assert_eq!(events[0].ends - events[0].starts, Duration::minutes(90));
    }

    #[test]
    fn cancelled_past_and_far_off_events_are_left_out() {
        let ics = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Cancelled\r\nSTATUS:CANCELLED\r\nDTSTART:20261210T100000Z\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Over\r\nDTSTART:20261110T100000Z\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Next year\r\nDTSTART:20270910T100000Z\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Fair\r\nURL:https://fair.example/\r\nDTSTART;VALUE=DATE:20261212\r\nEND:VEVENT\r\n",
        );
        let events = read(ics.as_bytes(), now()).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].title, "Fair");
        assert_eq!(events[0].link.as_deref(), Some("https://fair.example/"));
        assert_eq!(events[0].ends - events[0].starts, Duration::days(1));
    }

    #[test]
    fn a_rule_that_runs_away_and_an_unknown_zone_are_refused() {
        let every_second = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Spam\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
        );
        let error = read(every_second.as_bytes(), now()).unwrap_err();
        assert!(error.contains("happens more than 120 times"), "{error}");
        let never = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Never\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n",
        );
        // A rule that never gives a time is given up on, not followed for ever.
        assert_eq!(read(never.as_bytes(), now()), Ok(Vec::new()));
        let mars = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Far\r\nDTSTART;TZID=Mars/Olympus_Mons:20261210T100000\r\nEND:VEVENT\r\n",
        );
        let error = read(mars.as_bytes(), now()).unwrap_err();
        assert_eq!(error, "it uses a time zone Doorstep does not know (Mars/Olympus_Mons)");
    }

    #[test]
    fn an_until_as_a_date_or_a_local_time_is_read_as_the_calendar_means_it() {
        let ics = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Walk\r\nDTSTART;TZID=Europe/London:20261207T100000\r\n\
             RRULE:FREQ=WEEKLY;UNTIL=20261221\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Talk\r\nDTSTART:20261208T180000\r\n\
             RRULE:FREQ=WEEKLY;UNTIL=20261215T180000\r\nEND:VEVENT\r\n",
        );
        let events = read(ics.as_bytes(), now()).unwrap();
        let walks = events.iter().filter(|e| e.title == "Walk").count();
        let talks = events.iter().filter(|e| e.title == "Talk").count();
        assert_eq!((walks, talks), (3, 2), "{events:?}");
    }

    #[test]
    fn lengths_and_dates_that_are_not_ones_are_refused_and_nothing_panics() {
        for bad in [
            "DTSTART:20261210T100000Z\r\nDURATION:P9999999999999W",
            "DTSTART:20261210T100000Z\r\nDURATION:P100000000D",
            "DTSTART:20261210T100000Z\r\nDTEND:99991231T100000Z",
            "DTSTART;VALUE=DATE:2026121\u{e9}",
        ] {
            let ics = calendar(&format!("BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Odd\r\n{bad}\r\nEND:VEVENT\r\n"));
            assert!(read(ics.as_bytes(), now()).is_err(), "{bad}");
        }
        let twice = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Fair\r\nDTSTART:20261210T100000Z\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Fair\r\nDTSTART:20261210T100000Z\r\nEND:VEVENT\r\n",
        );
        assert_eq!(read(twice.as_bytes(), now()).unwrap().len(), 1, "an event written twice is one");
    }

    #[test]
    fn zones_are_known_by_their_windows_and_prefixed_names_too() {
        assert_eq!(zone("GMT Standard Time"), Ok(HOME));
        assert_eq!(zone("/mozilla.org/20050126_1/Europe/London"), Ok(HOME));
        assert_eq!(zone("Europe/Paris"), Ok(chrono_tz::Europe::Paris));
    }

    #[test]
    fn a_web_page_is_not_a_calendar() {
        let error = read(b"<html><body>Events</body></html>", now()).unwrap_err();
        assert!(error.starts_with("it is not an iCalendar file"), "{error}");
        assert!(
            iso_duration("PT1H30M") == Some(Duration::minutes(90))
                && iso_duration("P1W") == Some(Duration::weeks(1))
        );
        assert_eq!(iso_duration("1H"), None);
    }
}
