//! When the generated services meet: each template's schedules made real
//! around the day the demo is made (the season under way or next, fortnightly
//! groups started on a recent day, the coming festive closures).

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use super::TemplateError;
use super::templates::{ScheduleTemplate, ServiceTemplate};
use crate::domain::schedule::{self, Frequency, Schedule};

/// Every schedule of the service `s`, as it stands on `today`.
pub(super) fn schedules_of(s: &ServiceTemplate, today: NaiveDate) -> Result<Vec<Schedule>, TemplateError> {
    s.schedules
        .iter()
        .map(|template| {
            schedule_of(template, s.open_on_holidays, today)
                .map_err(|e| TemplateError(format!("'{}': {e}", s.name)))
        })
        .collect::<Result<Vec<_>, _>>()
}

fn schedule_of(t: &ScheduleTemplate, open_on_holidays: bool, today: NaiveDate) -> Result<Schedule, String> {
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
        Some(Frequency::Once) => match &t.on {
            Some(day) => Some(next_on(day, today)?),
            None => today.checked_add_days(Days::new(t.in_days.unwrap_or(14))),
        },
        // Fortnightly groups started on the most recent such day.
        Some(Frequency::Weekly) if interval > 1 => byday.first().map(|d| last_on_or_before(today, d.weekday)),
        _ => None,
    };
    let (valid_from, valid_to) = match t.valid_months.as_deref() {
        None => (None, None),
        Some(season) => season_around(season, today)?,
    };
    // A one-off is held on its date, whatever day that is.
    let closed_on =
        if open_on_holidays || freq == Some(Frequency::Once) { vec![] } else { festive_closures(today) };
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

/// The first date on or after `today` that is `day` ("12-25") of its year.
fn next_on(day: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let bad = || format!("'{day}' is not a day of the year (like 12-25)");
    let (month, date) = day.split_once('-').ok_or_else(bad)?;
    let (month, date): (u32, u32) = (month.parse().map_err(|_| bad())?, date.parse().map_err(|_| bad())?);
    [today.year(), today.year() + 1]
        .into_iter()
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, date))
        .find(|&d| d >= today)
        .ok_or_else(bad)
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
