//! When a service runs, the way real groups say it: weekly on given days,
//! several sessions a day, "first and third Tuesday", "last Friday of the
//! month", every two weeks from a date, one-off dates, valid from and to,
//! "by appointment", closed on given dates.
//!
//! Stored the Open Referral (HSDS 3.0) way: `freq`, `interval`, `byday` with
//! ordinals (`1TU,3TU`, `-1FR`), `bymonthday`, `dtstart`, `valid_from`/`valid_to`
//! and `opens_at`/`closes_at`. Times are wall-clock times in Europe/London, so a
//! group that meets at 10am meets at 10am either side of the clock changes.

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
    Utc, Weekday,
};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ids::{ScheduleId, ServiceId};

/// How far ahead `next_session` looks: a year and a month covers an annual event
/// announced well in advance.
const LOOK_AHEAD_DAYS: u64 = 400;

/// How far ahead "is it open on a Saturday" looks: a quarter covers every
/// monthly pattern, including "fifth Saturday".
const WEEKDAY_WINDOW_DAYS: u64 = 91;

/// The days of the week, Monday first: each with the code forms and the API
/// use, its iCalendar code and its name. The one table of days.
const DAYS: [(Weekday, &str, &str, &str); 7] = [
    (Weekday::Mon, "mon", "MO", "Monday"),
    (Weekday::Tue, "tue", "TU", "Tuesday"),
    (Weekday::Wed, "wed", "WE", "Wednesday"),
    (Weekday::Thu, "thu", "TH", "Thursday"),
    (Weekday::Fri, "fri", "FR", "Friday"),
    (Weekday::Sat, "sat", "SA", "Saturday"),
    (Weekday::Sun, "sun", "SU", "Sunday"),
];

/// The days of the week, Monday first.
pub const WEEK: [Weekday; 7] = [DAYS[0].0, DAYS[1].0, DAYS[2].0, DAYS[3].0, DAYS[4].0, DAYS[5].0, DAYS[6].0];

fn day(weekday: Weekday) -> (Weekday, &'static str, &'static str, &'static str) {
    DAYS[weekday.num_days_from_monday() as usize]
}

/// The code a day is written in by forms, the API and the index, like "mon".
pub fn day_code(weekday: Weekday) -> &'static str {
    day(weekday).1
}

/// The day a form or the API's code names ("mon" to "sun").
pub fn day_from_code(code: &str) -> Option<Weekday> {
    DAYS.iter().find(|(_, c, ..)| *c == code).map(|&(weekday, ..)| weekday)
}

/// How often a pattern repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    Monthly,
    /// A single date, given by `dtstart`.
    Once,
}

impl Frequency {
    /// The code stored in the database (HSDS uses the iCalendar words).
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Once => "ONCE",
        }
    }

    /// The value for a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.to_ascii_uppercase().as_str() {
            "WEEKLY" => Some(Frequency::Weekly),
            "MONTHLY" => Some(Frequency::Monthly),
            "ONCE" => Some(Frequency::Once),
            _ => None,
        }
    }
}

/// One entry of `byday`: a weekday, optionally with its place in the month
/// (`1TU` is the first Tuesday, `-1FR` the last Friday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayRule {
    pub ordinal: Option<i8>,
    pub weekday: Weekday,
}

/// Why a stored schedule could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "'{0}' is not a day of the week (use MO, TU, WE, TH, FR, SA or SU, optionally with a number such as 1TU or -1FR)"
    )]
    BadDay(String),
    #[error("'{0}' is not a day of the month (use 1 to 31, or -1 for the last day)")]
    BadMonthDay(String),
}

impl DayRule {
    /// Reads one `byday` entry such as `MO`, `1TU` or `-1FR`.
    pub fn parse(text: &str) -> Result<Self, ScheduleError> {
        let text = text.trim();
        let bad = || ScheduleError::BadDay(text.to_string());
        if text.len() < 2 || !text.is_char_boundary(text.len() - 2) {
            return Err(bad());
        }
        let (number, day) = text.split_at(text.len() - 2);
        let upper = day.to_ascii_uppercase();
        let Some(&(weekday, ..)) = DAYS.iter().find(|(_, _, ical, _)| *ical == upper) else {
            return Err(bad());
        };
        let ordinal = match number.trim_start_matches('+') {
            "" => None,
            n => match n.parse::<i8>() {
                Ok(n @ (1..=5 | -5..=-1)) => Some(n),
                _ => return Err(bad()),
            },
        };
        Ok(DayRule { ordinal, weekday })
    }

    /// Whether `date` is this day (and, with an ordinal, this week of its month).
    pub fn matches(&self, date: NaiveDate) -> bool {
        if date.weekday() != self.weekday {
            return false;
        }
        match self.ordinal {
            None => true,
            Some(n) if n > 0 => (date.day0() / 7 + 1) as i8 == n,
            Some(n) => ((days_in_month(date) - date.day()) / 7 + 1) as i8 == -n,
        }
    }
}

impl fmt::Display for DayRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.ordinal {
            write!(f, "{n}")?;
        }
        f.write_str(day(self.weekday).2)
    }
}

/// Reads a comma-separated `byday` list such as `MO,WE` or `1TU,3TU`.
pub fn parse_byday(text: &str) -> Result<Vec<DayRule>, ScheduleError> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(DayRule::parse).collect()
}

/// Writes a `byday` list back in its stored form.
pub fn format_byday(days: &[DayRule]) -> String {
    days.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// Reads a comma-separated `bymonthday` list such as `1,15` or `-1`.
pub fn parse_bymonthday(text: &str) -> Result<Vec<i8>, ScheduleError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<i8>() {
            Ok(n @ (1..=31 | -31..=-1)) => Ok(n),
            _ => Err(ScheduleError::BadMonthDay(s.to_string())),
        })
        .collect()
}

/// One pattern of sessions. A service has any number of them: "Tuesday 10am to
/// 12 noon" and "Tuesday 2pm to 4pm" are two schedules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// `None` when there is no fixed pattern (by appointment only).
    pub freq: Option<Frequency>,
    /// Every `interval` weeks or months, counted from `dtstart`.
    pub interval: u32,
    pub byday: Vec<DayRule>,
    pub bymonthday: Vec<i8>,
    /// The first date of the pattern; for a one-off, the date itself.
    pub dtstart: Option<NaiveDate>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// Wall-clock times in Europe/London. A closing time at or before the opening
    /// time means the session runs past midnight.
    pub opens_at: Option<NaiveTime>,
    pub closes_at: Option<NaiveTime>,
    /// Sessions need booking first.
    pub by_appointment: bool,
    /// Dates the pattern would fall on but the group does not meet (bank holidays).
    pub closed_on: Vec<NaiveDate>,
}

/// One session, with its start and end as instants in Europe/London.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub starts: DateTime<Tz>,
    pub ends: DateTime<Tz>,
}

impl Session {
    /// "Tuesday 3 March, 10am to 12 noon".
    pub fn describe(&self) -> String {
        format!(
            "{}, {} to {}",
            self.starts.format("%A %-d %B"),
            clock(self.starts.time()),
            clock(self.ends.time())
        )
    }
}

impl Schedule {
    /// The schedule's id within `service`, made from what it says: the same
    /// pattern of the same service always has the same id, so an export read
    /// back in (or a feed read twice) names it as before.
    pub fn id_within(&self, service: ServiceId) -> ScheduleId {
        let dates = |d: &[NaiveDate]| d.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        let said = format!(
            "doorstep:schedule:{service}:{:?}:{}:{}:{:?}:{:?}:{:?}:{:?}:{:?}:{:?}:{}:{}",
            self.freq.map(Frequency::code),
            self.interval.max(1),
            format_byday(&self.byday),
            self.bymonthday,
            self.dtstart,
            self.valid_from,
            self.valid_to,
            self.opens_at,
            self.closes_at,
            self.by_appointment,
            dates(&self.closed_on),
        );
        ScheduleId(uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, said.as_bytes()))
    }

    /// A weekly schedule on the given days and times; the building block of
    /// most listings and of tests.
    pub fn weekly(days: &[Weekday], opens: NaiveTime, closes: NaiveTime) -> Self {
        Schedule {
            freq: Some(Frequency::Weekly),
            interval: 1,
            byday: days.iter().map(|&weekday| DayRule { ordinal: None, weekday }).collect(),
            opens_at: Some(opens),
            closes_at: Some(closes),
            ..Schedule::default()
        }
    }

    /// Whether the pattern falls on `date` (its local date in Europe/London).
    pub fn runs_on(&self, date: NaiveDate) -> bool {
        if self.closed_on.contains(&date)
            || self.valid_from.is_some_and(|from| date < from)
            || self.valid_to.is_some_and(|to| date > to)
            || self.dtstart.is_some_and(|start| date < start)
        {
            return false;
        }
        let interval = self.interval.max(1);
        match self.freq {
            None => false,
            Some(Frequency::Once) => self.dtstart == Some(date),
            Some(Frequency::Weekly) => {
                let on_day = if self.byday.is_empty() {
                    self.dtstart.is_some_and(|start| start.weekday() == date.weekday())
                } else {
                    self.byday.iter().any(|rule| rule.weekday == date.weekday())
                };
                on_day
                    && match self.dtstart {
                        Some(start) if interval > 1 => {
                            let weeks = (week_start(date) - week_start(start)).num_days() / 7;
                            weeks % i64::from(interval) == 0
                        }
                        _ => true,
                    }
            }
            Some(Frequency::Monthly) => {
                let on_day = self.byday.iter().any(|rule| rule.matches(date))
                    || self.bymonthday.iter().any(|&d| month_day_matches(d, date))
                    || (self.byday.is_empty()
                        && self.bymonthday.is_empty()
                        && self.dtstart.is_some_and(|start| start.day() == date.day()));
                on_day
                    && match self.dtstart {
                        Some(start) if interval > 1 => {
                            let months = (date.year() - start.year()) * 12 + date.month() as i32
                                - start.month() as i32;
                            months % interval as i32 == 0
                        }
                        _ => true,
                    }
            }
        }
    }

    /// The session held on `date`, if there is one and its times are known.
    pub fn session_on(&self, date: NaiveDate) -> Option<Session> {
        // "Every other Saturday" with no date to count from: which Saturdays
        // is not known, so no session is named.
        if !self.runs_on(date) || (self.interval > 1 && self.dtstart.is_none()) {
            return None;
        }
        let opens = self.opens_at?;
        let closes = self.closes_at?;
        let end_date = if closes <= opens { date.succ_opt()? } else { date };
        Some(Session { starts: london(date.and_time(opens)), ends: london(end_date.and_time(closes)) })
    }
}

/// Whether any of the schedules has a session under way at `instant`.
pub fn is_open_at(schedules: &[Schedule], instant: DateTime<Utc>) -> bool {
    let today = instant.with_timezone(&London).date_naive();
    // A session that started yesterday evening may still be running.
    let yesterday = today.pred_opt().unwrap_or(today);
    schedules.iter().any(|schedule| {
        [yesterday, today]
            .into_iter()
            .any(|date| schedule.session_on(date).is_some_and(|s| s.starts <= instant && instant < s.ends))
    })
}

/// Whether the service meets on `weekday` at some point in the coming quarter,
/// counting from `today`: "is it open on a Saturday?".
pub fn runs_on_weekday(schedules: &[Schedule], weekday: Weekday, today: NaiveDate) -> bool {
    let offset = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let Some(first) = today.checked_add_days(Days::new(u64::from(offset))) else {
        return false;
    };
    (0..WEEKDAY_WINDOW_DAYS / 7 + 1)
        .filter_map(|week| first.checked_add_days(Days::new(week * 7)))
        .any(|date| schedules.iter().any(|s| s.runs_on(date)))
}

/// Whether one of the schedules meets every `weekday` (weekly, or on every
/// such day of the month), not only some of them ("first Tuesday of the
/// month", "every other Tuesday").
pub fn every_week_on(schedules: &[Schedule], weekday: Weekday) -> bool {
    schedules.iter().any(|s| match s.freq {
        Some(Frequency::Weekly) if s.interval <= 1 => {
            s.byday.iter().any(|rule| rule.weekday == weekday)
                || (s.byday.is_empty() && s.dtstart.is_some_and(|d| d.weekday() == weekday))
        }
        Some(Frequency::Monthly) if s.interval <= 1 => {
            s.byday.iter().any(|rule| rule.weekday == weekday && rule.ordinal.is_none())
        }
        _ => false,
    })
}

/// The session under way at `after`, or else the next one to start.
pub fn next_session(schedules: &[Schedule], after: DateTime<Utc>) -> Option<Session> {
    // Only patterns with times have sessions ("by appointment" has none).
    if !schedules.iter().any(|s| s.freq.is_some() && s.opens_at.is_some() && s.closes_at.is_some()) {
        return None;
    }
    let today = after.with_timezone(&London).date_naive();
    let first = today.pred_opt()?;
    (0..=LOOK_AHEAD_DAYS).filter_map(|n| first.checked_add_days(Days::new(n))).find_map(|date| {
        schedules
            .iter()
            .filter_map(|s| s.session_on(date))
            .filter(|s| s.ends > after)
            .min_by_key(|s| s.starts)
    })
}

/// Up to `count` sessions from `after` on: the one under way, then the next ones.
pub fn next_sessions(schedules: &[Schedule], after: DateTime<Utc>, count: usize) -> Vec<Session> {
    let mut sessions: Vec<Session> = Vec::with_capacity(count);
    let mut from = after;
    while sessions.len() < count {
        let Some(session) = next_session(schedules, from) else { break };
        from = session.ends.with_timezone(&Utc);
        sessions.push(session);
    }
    sessions
}

/// The schedules in one plain-English line each, such as "First and third
/// Tuesday of the month, 10am to 12 noon". Schedules with the same pattern and
/// different times are said together ("Every Tuesday, 10am to 12 noon and 2pm
/// to 4pm"). Closures before `today` are left out.
pub fn describe(schedules: &[Schedule], today: NaiveDate) -> Vec<String> {
    let mut patterns: Vec<(&Schedule, Vec<(NaiveTime, NaiveTime)>)> = Vec::new();
    for schedule in schedules {
        let times = schedule.opens_at.zip(schedule.closes_at);
        match patterns.iter_mut().find(|(seen, _)| same_pattern(seen, schedule)) {
            Some((_, all_times)) => all_times.extend(times),
            None => patterns.push((schedule, times.into_iter().collect())),
        }
    }
    patterns
        .into_iter()
        .map(|(schedule, mut times)| {
            times.sort();
            describe_one(schedule, &times, today)
        })
        .collect()
}

fn same_pattern(a: &Schedule, b: &Schedule) -> bool {
    a.freq == b.freq
        && a.interval.max(1) == b.interval.max(1)
        && a.byday == b.byday
        && a.bymonthday == b.bymonthday
        && a.dtstart == b.dtstart
        && a.valid_from == b.valid_from
        && a.valid_to == b.valid_to
        && a.by_appointment == b.by_appointment
        && a.closed_on == b.closed_on
}

fn describe_one(s: &Schedule, times: &[(NaiveTime, NaiveTime)], today: NaiveDate) -> String {
    let interval = s.interval.max(1);
    let mut line = match s.freq {
        None => String::from("By appointment"),
        Some(Frequency::Once) => match s.dtstart {
            Some(date) => format!("On {}", long_date(date)),
            None => String::from("On one date to be announced"),
        },
        Some(Frequency::Weekly) => {
            let mut days: Vec<Weekday> = s.byday.iter().map(|r| r.weekday).collect();
            if days.is_empty() {
                days.extend(s.dtstart.map(|d| d.weekday()));
            }
            weekly_phrase(&days, interval)
        }
        Some(Frequency::Monthly) => monthly_phrase(s, interval),
    };
    if !times.is_empty() {
        let spans: Vec<String> =
            times.iter().map(|(opens, closes)| format!("{} to {}", clock(*opens), clock(*closes))).collect();
        line.push_str(", ");
        line.push_str(&join_words(&spans));
    }
    if s.by_appointment && s.freq.is_some() {
        line.push_str(", by appointment");
    }
    match (s.valid_from, s.valid_to) {
        (Some(from), Some(to)) => line.push_str(&format!(", from {} to {}", long_date(from), long_date(to))),
        (Some(from), None) if from > today => line.push_str(&format!(", starting {}", long_date(from))),
        (None, Some(to)) => line.push_str(&format!(", until {}", long_date(to))),
        _ => {}
    }
    let closures: Vec<String> = s.closed_on.iter().filter(|&&d| d >= today).map(|&d| long_date(d)).collect();
    if !closures.is_empty() {
        line.push_str(&format!(" (not on {})", join_words(&closures)));
    }
    line
}

fn weekly_phrase(days: &[Weekday], interval: u32) -> String {
    let mut days = days.to_vec();
    days.sort_by_key(|d| d.num_days_from_monday());
    days.dedup();
    let names: Vec<String> = days.iter().map(|d| day_name(*d).to_string()).collect();
    if interval == 1 {
        if days.len() == 7 {
            return String::from("Every day");
        }
        let consecutive =
            days.windows(2).all(|w| w[1].num_days_from_monday() == w[0].num_days_from_monday() + 1);
        if days.len() >= 3 && consecutive {
            return format!("{} to {}", names[0], names[names.len() - 1]);
        }
        return format!("Every {}", join_words(&names));
    }
    if interval == 2 {
        return format!("Every other {}", join_words(&names));
    }
    format!("Every {interval} weeks on {}", join_words(&names))
}

fn monthly_phrase(s: &Schedule, interval: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    // Group the ordinals by weekday: "first and third Tuesday".
    let mut by_weekday: Vec<(Weekday, Vec<i8>)> = Vec::new();
    for rule in &s.byday {
        let ordinal = rule.ordinal.unwrap_or(0);
        match by_weekday.iter_mut().find(|(day, _)| *day == rule.weekday) {
            Some((_, ordinals)) => ordinals.push(ordinal),
            None => by_weekday.push((rule.weekday, vec![ordinal])),
        }
    }
    for (weekday, ordinals) in by_weekday {
        if ordinals.contains(&0) {
            parts.push(format!("every {}", day_name(weekday)));
        } else {
            let words: Vec<String> = ordinals.iter().map(|&n| ordinal_word(n).to_string()).collect();
            parts.push(format!("{} {}", join_words(&words), day_name(weekday)));
        }
    }
    if !s.bymonthday.is_empty() {
        let days: Vec<String> = s
            .bymonthday
            .iter()
            .map(|&d| if d == -1 { "last day".to_string() } else { ordinal_number(d) })
            .collect();
        parts.push(format!("the {}", join_words(&days)));
    }
    if parts.is_empty()
        && let Some(start) = s.dtstart
    {
        parts.push(format!("the {}", ordinal_number(start.day() as i8)));
    }
    let period = match interval {
        1 => "of the month".to_string(),
        2 => "of every other month".to_string(),
        n => format!("of every {n} months"),
    };
    let phrase = format!("{} {period}", join_words(&parts));
    let phrase = if phrase.starts_with("the ") { format!("On {phrase}") } else { phrase };
    super::text::capitalised(&phrase)
}

/// "10am", "1:30pm", "12 noon", "midnight".
pub fn clock(time: NaiveTime) -> String {
    let (hour, minute) = (time.hour(), time.minute());
    match (hour, minute) {
        (0, 0) => return String::from("midnight"),
        (12, 0) => return String::from("12 noon"),
        _ => {}
    }
    let suffix = if hour < 12 { "am" } else { "pm" };
    let hour12 = match hour % 12 {
        0 => 12,
        h => h,
    };
    if minute == 0 { format!("{hour12}{suffix}") } else { format!("{hour12}:{minute:02}{suffix}") }
}

/// "Saturday 5 December 2026".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// A day's name, like "Monday".
pub fn day_name(weekday: Weekday) -> &'static str {
    day(weekday).3
}

fn ordinal_word(n: i8) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        -1 => "last",
        -2 => "second to last",
        _ => "some",
    }
}

fn ordinal_number(n: i8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "a", "a and b", "a, b and c".
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn days_in_month(date: NaiveDate) -> u32 {
    let first = date.with_day(1).unwrap_or(date);
    first.checked_add_months(Months::new(1)).and_then(|next| next.pred_opt()).map_or(31, |last| last.day())
}

fn month_day_matches(day: i8, date: NaiveDate) -> bool {
    if day > 0 {
        date.day() == day as u32
    } else {
        date.day() as i64 == i64::from(days_in_month(date)) + i64::from(day) + 1
    }
}

fn week_start(date: NaiveDate) -> NaiveDate {
    date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// A wall-clock time in Europe/London as an instant. In the autumn hour that
/// happens twice the first is meant; a time in the spring hour that does not
/// exist is moved an hour later, as a clock on the wall would be.
fn london(local: NaiveDateTime) -> DateTime<Tz> {
    match London.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
        LocalResult::None => {
            let later = local + chrono::Duration::hours(1);
            match London.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
                LocalResult::None => London.from_utc_datetime(&local),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&date(y, mo, d).and_time(time(h, mi)))
    }

    fn monthly(byday: &str, opens: NaiveTime, closes: NaiveTime) -> Schedule {
        Schedule {
            freq: Some(Frequency::Monthly),
            interval: 1,
            byday: parse_byday(byday).unwrap_or_default(),
            opens_at: Some(opens),
            closes_at: Some(closes),
            ..Schedule::default()
        }
    }

    #[test]
    fn weekly_on_given_days() {
        let s = Schedule::weekly(&[Weekday::Mon, Weekday::Wed], time(10, 0), time(12, 0));
        // Monday 2 November 2026 and Wednesday 4 November.
        assert!(s.runs_on(date(2026, 11, 2)));
        assert!(!s.runs_on(date(2026, 11, 3)));
        assert!(s.runs_on(date(2026, 11, 4)));
        // 10:30 GMT on a Monday in November is 10:30 in London.
        assert!(is_open_at(std::slice::from_ref(&s), utc(2026, 11, 2, 10, 30)));
        assert!(!is_open_at(std::slice::from_ref(&s), utc(2026, 11, 2, 12, 0)));
        assert!(!is_open_at(std::slice::from_ref(&s), utc(2026, 11, 2, 9, 59)));
        assert_eq!(describe(&[s], date(2026, 11, 1)), ["Every Monday and Wednesday, 10am to 12 noon"]);
    }

    #[test]
    fn several_sessions_a_day_are_said_together() {
        let morning = Schedule::weekly(&[Weekday::Tue], time(10, 0), time(12, 0));
        let afternoon = Schedule::weekly(&[Weekday::Tue], time(14, 0), time(16, 0));
        let both = [morning, afternoon];
        assert_eq!(describe(&both, date(2026, 11, 1)), ["Every Tuesday, 10am to 12 noon and 2pm to 4pm"]);
        // Between the sessions it is closed; the next one is the afternoon.
        let lunchtime = utc(2026, 11, 3, 12, 30);
        assert!(!is_open_at(&both, lunchtime));
        let next = next_session(&both, lunchtime);
        assert_eq!(next.map(|s| s.starts.time()), Some(time(14, 0)));
        assert!(is_open_at(&both, utc(2026, 11, 3, 15, 0)));
    }

    #[test]
    fn weekdays_in_a_row_read_as_a_range() {
        let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        let s = Schedule::weekly(&days, time(9, 0), time(17, 0));
        assert_eq!(describe(&[s], date(2026, 11, 1)), ["Monday to Friday, 9am to 5pm"]);
    }

    #[test]
    fn first_and_third_tuesday() {
        let s = monthly("1TU,3TU", time(10, 0), time(12, 0));
        // December 2026: Tuesdays are the 1st, 8th, 15th, 22nd and 29th.
        assert!(s.runs_on(date(2026, 12, 1)));
        assert!(!s.runs_on(date(2026, 12, 8)));
        assert!(s.runs_on(date(2026, 12, 15)));
        assert!(!s.runs_on(date(2026, 12, 22)));
        assert!(!s.runs_on(date(2026, 12, 29)));
        assert_eq!(
            describe(&[s], date(2026, 11, 1)),
            ["First and third Tuesday of the month, 10am to 12 noon"]
        );
    }

    #[test]
    fn last_friday_of_the_month() {
        let s = monthly("-1FR", time(19, 0), time(21, 0));
        // November 2026 has Fridays on the 6th, 13th, 20th and 27th.
        assert!(s.runs_on(date(2026, 11, 27)));
        assert!(!s.runs_on(date(2026, 11, 20)));
        // January 2027 has five Fridays; the last is the 29th.
        assert!(s.runs_on(date(2027, 1, 29)));
        assert!(!s.runs_on(date(2027, 1, 22)));
        assert_eq!(
            describe(std::slice::from_ref(&s), date(2026, 11, 1)),
            ["Last Friday of the month, 7pm to 9pm"]
        );
        let next = next_session(&[s], utc(2026, 11, 28, 12, 0));
        assert_eq!(next.map(|s| s.starts.date_naive()), Some(date(2026, 12, 25)));
    }

    #[test]
    fn every_two_weeks_from_a_date() {
        let s = Schedule {
            freq: Some(Frequency::Weekly),
            interval: 2,
            byday: parse_byday("TH").unwrap_or_default(),
            dtstart: Some(date(2026, 11, 5)),
            opens_at: Some(time(13, 30)),
            closes_at: Some(time(15, 30)),
            ..Schedule::default()
        };
        assert!(s.runs_on(date(2026, 11, 5)));
        assert!(!s.runs_on(date(2026, 11, 12)));
        assert!(s.runs_on(date(2026, 11, 19)));
        assert!(!s.runs_on(date(2026, 10, 22)), "nothing before the start date");
        assert_eq!(
            describe(std::slice::from_ref(&s), date(2026, 11, 1)),
            ["Every other Thursday, 1:30pm to 3:30pm"]
        );
        let next = next_session(&[s], utc(2026, 11, 6, 9, 0));
        assert_eq!(next.map(|s| s.starts.date_naive()), Some(date(2026, 11, 19)));
    }

    #[test]
    fn one_off_dates() {
        let s = Schedule {
            freq: Some(Frequency::Once),
            dtstart: Some(date(2026, 12, 5)),
            opens_at: Some(time(10, 0)),
            closes_at: Some(time(13, 0)),
            ..Schedule::default()
        };
        assert!(s.runs_on(date(2026, 12, 5)));
        assert!(!s.runs_on(date(2026, 12, 12)));
        assert_eq!(
            describe(std::slice::from_ref(&s), date(2026, 11, 1)),
            ["On Saturday 5 December 2026, 10am to 1pm"]
        );
        assert!(
            next_session(std::slice::from_ref(&s), utc(2026, 12, 6, 0, 0)).is_none(),
            "it has been and gone"
        );
        assert!(runs_on_weekday(std::slice::from_ref(&s), Weekday::Sat, date(2026, 11, 22)));
        assert!(!runs_on_weekday(&[s], Weekday::Sun, date(2026, 11, 22)));
    }

    #[test]
    fn every_week_is_told_from_some_weeks() {
        let weekly = Schedule::weekly(&[Weekday::Tue], time(10, 0), time(12, 0));
        let tea_dance = monthly("1TU,3TU", time(14, 0), time(16, 0));
        let fortnightly = Schedule { interval: 2, dtstart: Some(date(2026, 11, 3)), ..weekly.clone() };
        assert!(every_week_on(std::slice::from_ref(&weekly), Weekday::Tue));
        assert!(!every_week_on(std::slice::from_ref(&weekly), Weekday::Wed));
        assert!(
            !every_week_on(std::slice::from_ref(&tea_dance), Weekday::Tue),
            "the first and third Tuesday"
        );
        assert!(!every_week_on(&[fortnightly], Weekday::Tue), "every other Tuesday");
        assert!(every_week_on(&[tea_dance, weekly], Weekday::Tue), "one pattern is every week");
    }

    #[test]
    fn valid_from_and_to() {
        let mut s = Schedule::weekly(&[Weekday::Sat], time(10, 0), time(12, 0));
        s.valid_from = Some(date(2027, 4, 1));
        s.valid_to = Some(date(2027, 9, 30));
        assert!(!s.runs_on(date(2026, 11, 28)));
        assert!(s.runs_on(date(2027, 4, 3)));
        assert!(!s.runs_on(date(2027, 10, 2)));
        assert_eq!(
            describe(std::slice::from_ref(&s), date(2026, 11, 1)),
            ["Every Saturday, 10am to 12 noon, from Thursday 1 April 2027 to Thursday 30 September 2027"]
        );
        // Open on Saturdays? Not this winter.
        assert!(!runs_on_weekday(std::slice::from_ref(&s), Weekday::Sat, date(2026, 11, 22)));
        let next = next_session(&[s], utc(2026, 11, 22, 12, 0));
        assert_eq!(next.map(|s| s.starts.date_naive()), Some(date(2027, 4, 3)));
    }

    #[test]
    fn by_appointment() {
        let s = Schedule { by_appointment: true, ..Schedule::default() };
        assert_eq!(describe(std::slice::from_ref(&s), date(2026, 11, 1)), ["By appointment"]);
        assert!(!is_open_at(std::slice::from_ref(&s), utc(2026, 11, 2, 10, 0)));
        assert!(next_session(&[s], utc(2026, 11, 2, 10, 0)).is_none());
    }

    #[test]
    fn closed_on_given_dates() {
        let mut s = Schedule::weekly(&[Weekday::Fri], time(10, 0), time(12, 0));
        s.closed_on = vec![date(2026, 12, 25), date(2027, 1, 1)];
        assert!(!s.runs_on(date(2026, 12, 25)));
        assert!(s.runs_on(date(2026, 12, 18)));
        // Christmas Day and New Year's Day are skipped: next after the 18th is the 8th.
        let next = next_session(std::slice::from_ref(&s), utc(2026, 12, 18, 13, 0));
        assert_eq!(next.map(|s| s.starts.date_naive()), Some(date(2027, 1, 8)));
        assert_eq!(
            describe(&[s], date(2026, 11, 1)),
            ["Every Friday, 10am to 12 noon (not on Friday 25 December 2026 and Friday 1 January 2027)"]
        );
    }

    #[test]
    fn the_march_clock_change_keeps_wall_clock_times() {
        // Sunday 29 March 2026: clocks go forward at 1am GMT.
        let s = Schedule::weekly(&[Weekday::Sun], time(9, 0), time(10, 0));
        // The week before (GMT), 9:30 local is 9:30 UTC.
        assert!(is_open_at(std::slice::from_ref(&s), utc(2026, 3, 22, 9, 30)));
        assert!(!is_open_at(std::slice::from_ref(&s), utc(2026, 3, 22, 8, 30)));
        // On the day (BST), 9:30 local is 8:30 UTC.
        assert!(is_open_at(std::slice::from_ref(&s), utc(2026, 3, 29, 8, 30)));
        assert!(!is_open_at(std::slice::from_ref(&s), utc(2026, 3, 29, 9, 30)));
        let next = next_session(&[s], utc(2026, 3, 28, 12, 0));
        assert_eq!(next.map(|n| n.starts.with_timezone(&Utc)), Some(utc(2026, 3, 29, 8, 0)));
    }

    #[test]
    fn the_october_clock_change_keeps_wall_clock_times() {
        // Sunday 25 October 2026: clocks go back at 2am BST.
        let s = Schedule::weekly(&[Weekday::Sun], time(9, 0), time(10, 0));
        assert!(is_open_at(std::slice::from_ref(&s), utc(2026, 10, 18, 8, 30)), "BST the week before");
        assert!(is_open_at(std::slice::from_ref(&s), utc(2026, 10, 25, 9, 30)), "GMT on the day");
        assert!(!is_open_at(&[s], utc(2026, 10, 25, 8, 30)));
    }

    #[test]
    fn an_overnight_session_runs_past_midnight() {
        // A night shelter open 8pm to 8am across the October change: 13 hours.
        let s = Schedule::weekly(&[Weekday::Sat], time(20, 0), time(8, 0));
        let night = s.session_on(date(2026, 10, 24));
        assert_eq!(night.map(|n| (n.ends - n.starts).num_hours()), Some(13));
        assert!(
            is_open_at(std::slice::from_ref(&s), utc(2026, 10, 25, 7, 30)),
            "still open at 7:30am GMT on Sunday"
        );
        assert!(!is_open_at(&[s], utc(2026, 10, 25, 8, 30)));
    }

    #[test]
    fn a_session_in_the_missing_spring_hour_moves_an_hour_later() {
        let s = Schedule::weekly(&[Weekday::Sun], time(1, 30), time(3, 0));
        let night = s.session_on(date(2026, 3, 29));
        assert_eq!(night.map(|n| n.starts.with_timezone(&Utc)), Some(utc(2026, 3, 29, 1, 30)));
    }

    #[test]
    fn monthly_on_days_of_the_month() {
        let s = Schedule {
            freq: Some(Frequency::Monthly),
            interval: 1,
            bymonthday: parse_bymonthday("1,15").unwrap_or_default(),
            opens_at: Some(time(18, 0)),
            closes_at: Some(time(20, 0)),
            ..Schedule::default()
        };
        assert!(s.runs_on(date(2026, 12, 15)));
        assert!(!s.runs_on(date(2026, 12, 16)));
        assert_eq!(describe(&[s], date(2026, 11, 1)), ["On the 1st and 15th of the month, 6pm to 8pm"]);
        let last = Schedule { bymonthday: vec![-1], ..Schedule::default() };
        assert!(month_day_matches(-1, date(2027, 2, 28)));
        assert!(!month_day_matches(-1, date(2028, 2, 28)), "2028 is a leap year");
        assert!(last.freq.is_none());
    }

    #[test]
    fn open_on_a_weekday_looks_ahead() {
        let s = monthly("1SA", time(10, 0), time(12, 0));
        assert!(runs_on_weekday(std::slice::from_ref(&s), Weekday::Sat, date(2026, 11, 22)));
        assert!(!runs_on_weekday(&[s], Weekday::Sun, date(2026, 11, 22)));
    }

    #[test]
    fn bad_stored_days_are_reported() {
        assert_eq!(parse_byday("MO,XX"), Err(ScheduleError::BadDay("XX".into())));
        assert_eq!(parse_byday("9TU"), Err(ScheduleError::BadDay("9TU".into())));
        assert!(parse_byday("é").is_err());
        assert_eq!(parse_byday("1TU, -1FR").map(|d| format_byday(&d)), Ok("1TU,-1FR".into()));
        assert!(parse_bymonthday("32").is_err());
    }

    #[test]
    fn clock_times_read_naturally() {
        assert_eq!(clock(time(0, 0)), "midnight");
        assert_eq!(clock(time(12, 0)), "12 noon");
        assert_eq!(clock(time(12, 30)), "12:30pm");
        assert_eq!(clock(time(9, 5)), "9:05am");
        assert_eq!(clock(time(19, 0)), "7pm");
    }

    #[test]
    fn the_next_sessions_follow_one_another() {
        let tuesdays = Schedule::weekly(&[Weekday::Tue], time(10, 0), time(12, 0));
        let after = London.with_ymd_and_hms(2026, 3, 3, 11, 0, 0).unwrap().with_timezone(&Utc);
        let sessions = next_sessions(&[tuesdays], after, 3);
        let days: Vec<String> = sessions.iter().map(Session::describe).collect();
        assert_eq!(
            days,
            [
                "Tuesday 3 March, 10am to 12 noon",
                "Tuesday 10 March, 10am to 12 noon",
                "Tuesday 17 March, 10am to 12 noon"
            ]
        );
        assert!(next_sessions(&[], after, 3).is_empty());
    }
}
