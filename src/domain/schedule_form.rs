//! When a service runs, as a person types it on the service form: one row of
//! plain controls per pattern ("every Tuesday 10am to 12 noon", "first and
//! third Tuesday", "every two weeks from a date", "on 24 December", "by
//! appointment"), checked and turned into `Schedule`s, and back again.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::schedule::{self, DayRule, Frequency, Schedule};
use super::text::FieldErrors;

/// The patterns a row offers: code and label, in the order they are offered.
pub const PATTERNS: [(&str, &str); 5] = [
    ("weekly", "Weekly, or every few weeks, on given days"),
    ("monthly", "On given weeks of the month, such as the first and third Tuesday, or the last Friday"),
    ("monthday", "On given dates of the month, such as the 1st and 15th"),
    ("once", "On one date"),
    ("appointment", "By appointment only, with no set times"),
];

/// Which weeks of the month a monthly row offers, as stored ordinals and
/// labels. There is no "fifth": most months have none, so "last" says it.
pub const WEEKS: [(i8, &str); 5] = [(1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (-1, "Last")];

/// The most rows of times one service keeps.
pub const MOST_ROWS: usize = 10;

/// One row of times as typed: every answer kept as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesForm {
    /// One of `PATTERNS`' codes; empty for a row left blank.
    pub pattern: String,
    /// Day codes, "mon" to "sun".
    pub days: Vec<String>,
    /// Weekly: every how many weeks ("1" or empty for every week).
    pub every: String,
    /// Monthly: the weeks, as `WEEKS`' numbers ("1", "-1").
    pub weeks: Vec<String>,
    /// Dates of the month: "1, 15" or "last".
    pub month_days: String,
    /// The one date; or, for every few weeks, a date it runs on.
    pub date: String,
    pub opens: String,
    pub closes: String,
    /// Sessions are booked first.
    pub booking: bool,
    pub valid_from: String,
    pub valid_to: String,
    /// Dates it does not run, separated by commas.
    pub closed_on: String,
}

impl TimesForm {
    /// Whether nothing was typed or chosen in the row.
    pub fn is_blank(&self) -> bool {
        self.pattern.trim().is_empty()
    }

    /// Checks the row, naming its fields `{prefix}-{field}` in `errors`.
    /// `None` for a blank row or one with a problem.
    pub fn check(&self, prefix: &str, errors: &mut FieldErrors) -> Option<Schedule> {
        if self.is_blank() {
            return None;
        }
        let field = |name: &str| format!("{prefix}-{name}");
        let before = errors.0.len();
        let pattern = self.pattern.trim();
        let days = errors.take(field("days"), days(&self.days)).unwrap_or_default();
        let opens = errors.take(field("opens"), optional_time(&self.opens, "opening"));
        let closes = errors.take(field("closes"), optional_time(&self.closes, "closing"));
        let valid_from = errors.take(field("valid_from"), optional_date(&self.valid_from, "the first date"));
        let valid_to = errors.take(field("valid_to"), optional_date(&self.valid_to, "the last date"));
        let closed_on = errors.take(field("closed_on"), dates(&self.closed_on)).unwrap_or_default();
        let date = errors.take(field("date"), optional_date(&self.date, "the date"));
        let (opens, closes) = (opens.flatten(), closes.flatten());
        match (opens, closes) {
            (Some(o), Some(c)) if c <= o => {
                errors.add(field("closes"), "The closing time must be after the opening time");
            }
            (Some(_), None) => {
                errors.add(field("closes"), "Enter the time it finishes, as well as when it starts")
            }
            (None, Some(_)) => {
                errors.add(field("opens"), "Enter the time it starts, as well as when it finishes")
            }
            (None, None) if pattern != "appointment" => {
                errors.add(field("opens"), "Enter the time it starts and finishes");
            }
            _ => {}
        }
        if let (Some(Some(from)), Some(Some(to))) = (valid_from, valid_to)
            && to < from
        {
            errors.add(field("valid_to"), "The last date must be on or after the first date");
        }
        let date = date.flatten();
        let mut schedule = Schedule {
            interval: 1,
            opens_at: opens,
            closes_at: closes,
            by_appointment: self.booking,
            valid_from: valid_from.flatten(),
            valid_to: valid_to.flatten(),
            closed_on,
            ..Schedule::default()
        };
        match pattern {
            "weekly" => {
                let every = errors.take(field("every"), every(&self.every)).unwrap_or(1);
                if days.is_empty() {
                    errors.add(field("days"), "Choose the days it runs");
                }
                if every > 1 && date.is_none() {
                    errors.add(field("date"), "Enter a date it runs on, so the weeks can be counted from it");
                }
                if let Some(start) = date
                    && !days.is_empty()
                    && !days.contains(&start.weekday())
                {
                    errors.add(field("date"), "The date it runs on must be one of the days chosen");
                }
                schedule.freq = Some(Frequency::Weekly);
                schedule.interval = every;
                schedule.byday = days.iter().map(|&weekday| DayRule { ordinal: None, weekday }).collect();
                schedule.dtstart = date.filter(|_| every > 1);
            }
            "monthly" => {
                let weeks = errors.take(field("weeks"), weeks(&self.weeks)).unwrap_or_default();
                if days.is_empty() {
                    errors.add(field("days"), "Choose the day of the week it runs");
                }
                schedule.freq = Some(Frequency::Monthly);
                schedule.byday = weeks
                    .iter()
                    .flat_map(|&ordinal| {
                        days.iter().map(move |&weekday| DayRule { ordinal: Some(ordinal), weekday })
                    })
                    .collect();
            }
            "monthday" => {
                schedule.freq = Some(Frequency::Monthly);
                schedule.bymonthday =
                    errors.take(field("month_days"), month_days(&self.month_days)).unwrap_or_default();
            }
            "once" => {
                if date.is_none() && errors.get(&field("date")).is_none() {
                    errors.add(field("date"), "Enter the date it happens");
                }
                schedule.freq = Some(Frequency::Once);
                schedule.dtstart = date;
            }
            "appointment" => {
                schedule.by_appointment = true;
            }
            _ => errors.add(field("pattern"), "Choose how often it runs"),
        }
        (errors.0.len() == before).then_some(schedule)
    }

    /// The row that shows `schedule` on the form. A monthly pattern whose
    /// weekdays fall on different weeks ("first Tuesday and third Wednesday")
    /// takes a row for each set of weeks; it means the same when saved.
    pub fn rows_of(schedule: &Schedule) -> Vec<TimesForm> {
        let time = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let base = TimesForm {
            opens: time(schedule.opens_at),
            closes: time(schedule.closes_at),
            booking: schedule.by_appointment,
            valid_from: date(schedule.valid_from),
            valid_to: date(schedule.valid_to),
            closed_on: schedule.closed_on.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            ..TimesForm::default()
        };
        let day_codes =
            |rules: &[&DayRule]| rules.iter().map(|r| schedule::day_code(r.weekday).to_string()).collect();
        match schedule.freq {
            None => vec![TimesForm { pattern: "appointment".into(), booking: false, ..base }],
            Some(Frequency::Once) => {
                vec![TimesForm { pattern: "once".into(), date: date(schedule.dtstart), ..base }]
            }
            Some(Frequency::Weekly) => {
                let mut days: Vec<String> = day_codes(&schedule.byday.iter().collect::<Vec<_>>());
                if days.is_empty() {
                    days.extend(schedule.dtstart.map(|d| schedule::day_code(d.weekday()).to_string()));
                }
                let every = schedule.interval.max(1);
                vec![TimesForm {
                    pattern: "weekly".into(),
                    days,
                    every: every.to_string(),
                    date: if every > 1 { date(schedule.dtstart) } else { String::new() },
                    ..base
                }]
            }
            Some(Frequency::Monthly) => {
                let mut rows = Vec::new();
                if !schedule.bymonthday.is_empty() {
                    let month_days: Vec<String> = schedule
                        .bymonthday
                        .iter()
                        .map(|&d| if d == -1 { "last".to_string() } else { d.to_string() })
                        .collect();
                    rows.push(TimesForm {
                        pattern: "monthday".into(),
                        month_days: month_days.join(", "),
                        ..base.clone()
                    });
                }
                // Weekdays grouped by the weeks they fall on.
                let mut groups: Vec<(Vec<i8>, Vec<&DayRule>)> = Vec::new();
                for weekday in schedule::WEEK {
                    let rules: Vec<&DayRule> =
                        schedule.byday.iter().filter(|r| r.weekday == weekday).collect();
                    if rules.is_empty() {
                        continue;
                    }
                    let mut ordinals: Vec<i8> = rules.iter().filter_map(|r| r.ordinal).collect();
                    ordinals.sort_by_key(|&n| if n < 0 { 10 - n } else { n });
                    match groups.iter_mut().find(|(o, _)| *o == ordinals) {
                        Some((_, all)) => all.push(rules[0]),
                        None => groups.push((ordinals, vec![rules[0]])),
                    }
                }
                for (ordinals, rules) in groups {
                    rows.push(TimesForm {
                        pattern: "monthly".into(),
                        days: day_codes(&rules),
                        weeks: ordinals.iter().map(ToString::to_string).collect(),
                        ..base.clone()
                    });
                }
                if rows.is_empty() {
                    rows.push(TimesForm { pattern: "monthday".into(), ..base });
                }
                rows
            }
        }
    }
}

/// Checks every row of times: the schedules, or the rows' problems added to
/// `errors`. Rows are named `times-0`, `times-1`…
pub fn check_rows(rows: &[TimesForm], errors: &mut FieldErrors) -> Vec<Schedule> {
    if rows.len() > MOST_ROWS {
        errors.add("times-0-pattern", format!("A service can have at most {MOST_ROWS} rows of times"));
        return Vec::new();
    }
    rows.iter().enumerate().filter_map(|(n, row)| row.check(&format!("times-{n}"), errors)).collect()
}

/// Ends a list of rows with `blanks` blank rows to fill in (no more than
/// `MOST_ROWS` rows in all): the blank rows already at its end first go.
pub fn end_with_blanks<T: Default + PartialEq>(rows: &mut Vec<T>, blanks: usize) {
    while rows.last().is_some_and(|row| *row == T::default()) {
        rows.pop();
    }
    let room = MOST_ROWS.saturating_sub(rows.len());
    rows.extend((0..blanks.min(room)).map(|_| T::default()));
}

/// The rows that show `schedules` on the form.
pub fn rows_of(schedules: &[Schedule]) -> Vec<TimesForm> {
    schedules.iter().flat_map(TimesForm::rows_of).collect()
}

fn days(codes: &[String]) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let day =
            schedule::day_from_code(code).ok_or_else(|| format!("'{code}' is not a day of the week"))?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    days.sort_by_key(Weekday::num_days_from_monday);
    Ok(days)
}

fn weeks(chosen: &[String]) -> Result<Vec<i8>, String> {
    let mut weeks = Vec::new();
    for value in chosen.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match value.parse::<i8>() {
            Ok(5) => {
                return Err(String::from(
                    "Not every month has a fifth week: choose the first to fourth, or the last",
                ));
            }
            Ok(n) if WEEKS.iter().any(|(w, _)| *w == n) => {
                if !weeks.contains(&n) {
                    weeks.push(n);
                }
            }
            _ => return Err(format!("'{value}' is not a week of the month")),
        }
    }
    if weeks.is_empty() {
        return Err(String::from("Choose which weeks of the month it runs"));
    }
    Ok(weeks)
}

fn every(value: &str) -> Result<u32, String> {
    match value.trim() {
        "" => Ok(1),
        text => match text.parse::<u32>() {
            Ok(n @ 1..=8) => Ok(n),
            _ => Err(String::from("Enter how many weeks apart, from 1 (every week) to 8")),
        },
    }
}

fn month_days(value: &str) -> Result<Vec<i8>, String> {
    let mut days = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let digits = part.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let day = if part.eq_ignore_ascii_case("last") {
            -1
        } else {
            match digits.parse::<i8>() {
                Ok(n @ 1..=28) => n,
                Ok(29..=31) => {
                    return Err(format!(
                        "Not every month has a {part}: choose a date up to the 28th, or \"last\""
                    ));
                }
                _ => {
                    return Err(format!(
                        "'{part}' is not a date of the month: enter numbers such as 1, 15, or \"last\""
                    ));
                }
            }
        };
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.is_empty() {
        return Err(String::from("Enter the dates of the month it runs, such as 1, 15"));
    }
    Ok(days)
}

/// A time such as "10:00", "14:30", "10am" or "2.30pm".
pub fn parse_time(value: &str) -> Option<NaiveTime> {
    let text = value.trim().to_ascii_lowercase().replace(' ', "");
    // "12 noon", "noon" and "midday", as people write them.
    if matches!(text.as_str(), "noon" | "12noon" | "midday" | "12midday") {
        return NaiveTime::from_hms_opt(12, 0, 0);
    }
    let (text, offset) = match (text.strip_suffix("am"), text.strip_suffix("pm")) {
        (Some(t), _) => (t.to_string(), Some(0)),
        (_, Some(t)) => (t.to_string(), Some(12)),
        _ => (text, None),
    };
    let (hours, minutes) = match text.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        Some(_) => return None,
        None => (text.parse::<u32>().ok()?, 0),
    };
    let hours = match offset {
        Some(add) if (1..=12).contains(&hours) => hours % 12 + add,
        Some(_) => return None,
        None => hours,
    };
    NaiveTime::from_hms_opt(hours, minutes, 0)
}

fn optional_time(value: &str, what: &str) -> Result<Option<NaiveTime>, String> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    parse_time(value)
        .map(Some)
        .ok_or_else(|| format!("Enter the {what} time as hours and minutes, such as 10:00 or 14:30"))
}

/// A date such as "2027-03-05" (what a date field sends) or "5/3/2027".
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let text = value.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
}

fn optional_date(value: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    parse_date(value).map(Some).ok_or_else(|| format!("Enter {what} as a real date, such as 2027-03-05"))
}

fn dates(value: &str) -> Result<Vec<NaiveDate>, String> {
    let mut all = Vec::new();
    for part in value.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let date = parse_date(part).ok_or_else(|| {
            format!("'{part}' is not a date: enter dates such as 2026-12-25, separated by commas")
        })?;
        if !all.contains(&date) {
            all.push(date);
        }
    }
    all.sort();
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pattern: &str) -> TimesForm {
        TimesForm {
            pattern: pattern.into(),
            opens: "10:00".into(),
            closes: "12:00".into(),
            ..TimesForm::default()
        }
    }

    fn checked(row: &TimesForm) -> Result<Schedule, FieldErrors> {
        let mut errors = FieldErrors::default();
        let schedule = row.check("times-0", &mut errors);
        schedule.filter(|_| errors.is_empty()).ok_or(errors)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn each_pattern_reads_back_in_plain_english() {
        let tuesday = TimesForm { days: vec!["tue".into()], ..row("weekly") };
        let first_and_third = TimesForm { weeks: vec!["1".into(), "3".into()], ..tuesday.clone() };
        let cases = [
            (tuesday.clone(), "Every Tuesday, 10am to 12 noon"),
            (
                TimesForm { every: "2".into(), date: "2027-01-05".into(), ..tuesday.clone() },
                "Every other Tuesday, 10am to 12 noon",
            ),
            (
                TimesForm { pattern: "monthly".into(), ..first_and_third },
                "First and third Tuesday of the month, 10am to 12 noon",
            ),
            (
                TimesForm { days: vec!["fri".into()], weeks: vec!["-1".into()], ..row("monthly") },
                "Last Friday of the month, 10am to 12 noon",
            ),
            (
                TimesForm { month_days: "1, 15th".into(), ..row("monthday") },
                "On the 1st and 15th of the month, 10am to 12 noon",
            ),
            (
                TimesForm { date: "2026-12-25".into(), ..row("once") },
                "On Friday 25 December 2026, 10am to 12 noon",
            ),
            (
                TimesForm { opens: String::new(), closes: String::new(), ..row("appointment") },
                "By appointment",
            ),
            (
                TimesForm {
                    valid_from: "2027-01-01".into(),
                    valid_to: "2027-03-31".into(),
                    closed_on: "2027-02-16".into(),
                    booking: true,
                    ..tuesday
                },
                "Every Tuesday, 10am to 12 noon, by appointment, from Friday 1 January 2027 to Wednesday 31 March 2027 (not on Tuesday 16 February 2027)",
            ),
        ];
        for (form, said) in cases {
            let schedule = checked(&form).unwrap_or_else(|e| panic!("{form:?}: {e:?}"));
            assert_eq!(schedule::describe(std::slice::from_ref(&schedule), today()), vec![said.to_string()]);
            // And the form shows it again as it was.
            let again = TimesForm::rows_of(&schedule);
            assert_eq!(again.len(), 1);
            assert_eq!(checked(&again[0]).as_ref(), Ok(&schedule), "{form:?} reads back the same");
        }
    }

    #[test]
    fn times_in_everyday_forms_are_read() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(parse_time("10am"), t(10, 0));
        assert_eq!(parse_time("2.30pm"), t(14, 30));
        assert_eq!(parse_time("12pm"), t(12, 0));
        assert_eq!(parse_time("12am"), t(0, 0));
        assert_eq!(parse_time("14:30"), t(14, 30));
        assert_eq!(parse_time("12 noon"), t(12, 0));
        assert_eq!(parse_time("Midday"), t(12, 0));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("13pm"), None);
        assert_eq!(parse_date("5/3/2027"), NaiveDate::from_ymd_opt(2027, 3, 5));
    }

    #[test]
    fn a_row_that_cannot_be_kept_names_its_field() {
        let problem = |form: TimesForm, field: &str| {
            let errors = checked(&form).expect_err("refused");
            assert!(errors.get(field).is_some(), "{form:?} should name {field}: {errors:?}");
        };
        let tuesday = TimesForm { days: vec!["tue".into()], ..row("weekly") };
        problem(TimesForm { closes: "09:00".into(), ..tuesday.clone() }, "times-0-closes");
        problem(
            TimesForm { valid_from: "2027-03-01".into(), valid_to: "2027-02-01".into(), ..tuesday.clone() },
            "times-0-valid_to",
        );
        problem(
            TimesForm { pattern: "monthly".into(), weeks: vec!["5".into()], ..tuesday.clone() },
            "times-0-weeks",
        );
        problem(TimesForm { every: "2".into(), ..tuesday.clone() }, "times-0-date");
        problem(
            TimesForm { every: "2".into(), date: "2027-01-06".into(), ..tuesday.clone() },
            "times-0-date",
        );
        problem(TimesForm { days: vec![], ..tuesday.clone() }, "times-0-days");
        problem(TimesForm { month_days: "31".into(), ..row("monthday") }, "times-0-month_days");
        problem(TimesForm { date: "30/02/2027".into(), ..row("once") }, "times-0-date");
        problem(TimesForm { closed_on: "Christmas".into(), ..tuesday.clone() }, "times-0-closed_on");
        problem(TimesForm { opens: String::new(), closes: String::new(), ..tuesday }, "times-0-opens");
        problem(row("fortnightly-ish"), "times-0-pattern");
    }

    #[test]
    fn weekdays_on_different_weeks_take_a_row_each() {
        let schedule = Schedule {
            freq: Some(Frequency::Monthly),
            interval: 1,
            byday: schedule::parse_byday("1TU,3WE").unwrap(),
            ..Schedule::default()
        };
        let rows = TimesForm::rows_of(&schedule);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].days.clone(), rows[0].weeks.clone()),
            (vec!["tue".to_string()], vec!["1".to_string()])
        );
        assert_eq!(
            (rows[1].days.clone(), rows[1].weeks.clone()),
            (vec!["wed".to_string()], vec!["3".to_string()])
        );
        let mut errors = FieldErrors::default();
        let rows = [rows, vec![TimesForm::default()]].concat();
        let back = check_rows(
            &rows
                .into_iter()
                .map(|r| TimesForm { opens: "10:00".into(), closes: "11:00".into(), ..r })
                .collect::<Vec<_>>(),
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back.len(), 2, "the blank row is left out");
    }
}
