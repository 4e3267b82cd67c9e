//! The dashboard's figures, worked out from the contacts of a period: demand
//! and unmet need by neighbourhood and by need, per 10,000 residents a year,
//! week by week, the gaps, and the follow-up answers.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};

use super::ids::NeighbourhoodId;
use super::signposting::{Outcome, days_in, per_10000_a_year};
use super::spreadsheet::Spreadsheet;
use super::text::FieldErrors;

/// One contact, as the dashboard counts it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactFacts {
    pub day: NaiveDate,
    pub neighbourhood: Option<NeighbourhoodId>,
    /// The needs asked, by slug, each with whether it was left unmet.
    pub needs: Vec<(String, bool)>,
    pub escalated: bool,
    pub returning: bool,
    /// Whether a follow-up was agreed, whether it went, and its answer.
    pub follow_up: Option<(bool, Option<Outcome>)>,
}

/// A neighbourhood as the dashboard needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub id: NeighbourhoodId,
    pub name: String,
    pub population: u32,
}

/// What the figures are worked out from.
pub struct Inputs<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub contacts: &'a [ContactFacts],
    pub neighbourhoods: &'a [Place],
    /// Each need's slug and label, in the taxonomy's order.
    pub needs: &'a [(String, String)],
    /// The needs each neighbourhood has a local or covering service for.
    pub covered: &'a HashMap<NeighbourhoodId, HashSet<String>>,
}

/// One line of a breakdown: counts, and rates per 10,000 residents a year.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The neighbourhood's id, the need's slug, or "" for "not known".
    pub key: String,
    pub label: String,
    pub population: u64,
    pub contacts: u64,
    pub asked: u64,
    pub unmet: u64,
    pub contacts_rate: Option<f64>,
    pub asked_rate: Option<f64>,
    pub unmet_rate: Option<f64>,
}

/// One week's counts; the week starts on a Monday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Week {
    pub starts: NaiveDate,
    pub contacts: u64,
    pub asked: u64,
    pub unmet: u64,
}

/// A need asked in a neighbourhood that has no local or covering service for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub neighbourhood: String,
    pub need: String,
    pub asked: u64,
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    /// The whole area: every neighbourhood together.
    pub total: Line,
    pub escalated: u64,
    pub returning: u64,
    pub by_neighbourhood: Vec<Line>,
    pub by_need: Vec<Line>,
    pub weeks: Vec<Week>,
    pub gaps: Vec<Gap>,
    /// Follow-ups agreed, sent, and each answer's count.
    pub follow_ups_agreed: u64,
    pub follow_ups_sent: u64,
    pub outcomes: Vec<(Outcome, u64)>,
}

#[derive(Default)]
struct Tally {
    contacts: u64,
    asked: u64,
    unmet: u64,
}

impl Tally {
    fn line(&self, key: String, label: String, population: u64, days: i64) -> Line {
        Line {
            key,
            label,
            population,
            contacts: self.contacts,
            asked: self.asked,
            unmet: self.unmet,
            contacts_rate: per_10000_a_year(self.contacts, population, days),
            asked_rate: per_10000_a_year(self.asked, population, days),
            unmet_rate: per_10000_a_year(self.unmet, population, days),
        }
    }
}

/// The Monday that starts `day`'s week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Works out the figures for the contacts of `from` to `to` (both included);
/// contacts outside the period are left out.
pub fn figures(inputs: &Inputs<'_>) -> Figures {
    let days = days_in(inputs.from, inputs.to);
    let counts = Counts::of(inputs);
    let population: u64 = inputs.neighbourhoods.iter().map(|n| u64::from(n.population)).sum();
    Figures {
        from: inputs.from,
        to: inputs.to,
        days,
        total: counts.total.line(String::from("all"), String::from("Whole area"), population, days),
        escalated: counts.escalated,
        returning: counts.returning,
        by_neighbourhood: neighbourhood_lines(inputs, counts.by_hood, days),
        by_need: need_lines(inputs, &counts.by_need, population, days),
        weeks: counts.weeks.into_values().collect(),
        gaps: gaps(inputs, counts.uncovered),
        follow_ups_agreed: counts.agreed,
        follow_ups_sent: counts.sent,
        outcomes: Outcome::ALL.iter().map(|o| (*o, counts.outcomes.get(o).copied().unwrap_or(0))).collect(),
    }
}

/// What the contacts of the period add up to.
#[derive(Default)]
struct Counts<'a> {
    total: Tally,
    by_hood: HashMap<Option<NeighbourhoodId>, Tally>,
    by_need: HashMap<&'a str, Tally>,
    weeks: BTreeMap<NaiveDate, Week>,
    /// Needs asked in a neighbourhood with no service for them, by the
    /// neighbourhood's id and the need's slug.
    uncovered: BTreeMap<(String, String), u64>,
    escalated: u64,
    returning: u64,
    agreed: u64,
    sent: u64,
    outcomes: HashMap<Outcome, u64>,
}

impl<'a> Counts<'a> {
    /// Counts the contacts of the period, with a week for every week it
    /// touches, even one without contacts.
    fn of(inputs: &Inputs<'a>) -> Counts<'a> {
        let mut counts = Counts::default();
        let mut start = week_start(inputs.from);
        while start <= inputs.to {
            counts.weeks.insert(start, Week { starts: start, contacts: 0, asked: 0, unmet: 0 });
            start += Duration::days(7);
        }
        let contacts: &'a [ContactFacts] = inputs.contacts;
        for contact in contacts.iter().filter(|c| c.day >= inputs.from && c.day <= inputs.to) {
            counts.add(contact, inputs.covered);
        }
        counts
    }

    fn add(&mut self, contact: &'a ContactFacts, covered: &HashMap<NeighbourhoodId, HashSet<String>>) {
        let asked = contact.needs.len() as u64;
        let unmet = contact.needs.iter().filter(|(_, unmet)| *unmet).count() as u64;
        for tally in [&mut self.total, self.by_hood.entry(contact.neighbourhood).or_default()] {
            tally.contacts += 1;
            tally.asked += asked;
            tally.unmet += unmet;
        }
        if let Some(week) = self.weeks.get_mut(&week_start(contact.day)) {
            week.contacts += 1;
            week.asked += asked;
            week.unmet += unmet;
        }
        for (slug, unmet) in &contact.needs {
            let tally = self.by_need.entry(slug.as_str()).or_default();
            tally.contacts += 1;
            tally.asked += 1;
            tally.unmet += u64::from(*unmet);
            if let Some(hood) = contact.neighbourhood
                && !covered.get(&hood).is_some_and(|needs| needs.contains(slug))
            {
                *self.uncovered.entry((hood.to_string(), slug.clone())).or_default() += 1;
            }
        }
        self.escalated += u64::from(contact.escalated);
        self.returning += u64::from(contact.returning);
        if let Some((went, answer)) = contact.follow_up {
            self.agreed += 1;
            self.sent += u64::from(went);
            if let Some(answer) = answer {
                *self.outcomes.entry(answer).or_default() += 1;
            }
        }
    }
}

/// A line for each neighbourhood, then one for contacts whose neighbourhood
/// is not known, if any.
fn neighbourhood_lines(
    inputs: &Inputs<'_>,
    mut by_hood: HashMap<Option<NeighbourhoodId>, Tally>,
    days: i64,
) -> Vec<Line> {
    let mut lines: Vec<Line> = inputs
        .neighbourhoods
        .iter()
        .map(|hood| {
            by_hood.remove(&Some(hood.id)).unwrap_or_default().line(
                hood.id.to_string(),
                hood.name.clone(),
                u64::from(hood.population),
                days,
            )
        })
        .collect();
    // Highest demand for its size first.
    lines.sort_by(|a, b| {
        b.asked_rate
            .unwrap_or(0.0)
            .total_cmp(&a.asked_rate.unwrap_or(0.0))
            .then_with(|| a.label.cmp(&b.label))
    });
    if let Some(unknown) = by_hood.remove(&None) {
        lines.push(unknown.line(String::new(), String::from("Not known"), 0, days));
    }
    lines
}

/// A line for each need asked, most asked first; the population is the whole area's.
fn need_lines(inputs: &Inputs<'_>, by_need: &HashMap<&str, Tally>, population: u64, days: i64) -> Vec<Line> {
    let mut lines: Vec<Line> = inputs
        .needs
        .iter()
        .filter_map(|(slug, label)| {
            by_need.get(slug.as_str()).map(|t| t.line(slug.clone(), label.clone(), population, days))
        })
        .collect();
    lines.sort_by(|a, b| b.asked.cmp(&a.asked).then_with(|| a.label.cmp(&b.label)));
    lines
}

/// The gaps, by the names of their neighbourhoods and needs, most asked first.
fn gaps(inputs: &Inputs<'_>, uncovered: BTreeMap<(String, String), u64>) -> Vec<Gap> {
    let label_of = |slug: &str| {
        inputs.needs.iter().find(|(s, _)| s == slug).map_or_else(|| slug.to_string(), |(_, l)| l.clone())
    };
    let hood_name = |id: &str| {
        inputs
            .neighbourhoods
            .iter()
            .find(|n| n.id.to_string() == id)
            .map_or_else(String::new, |n| n.name.clone())
    };
    let mut gaps: Vec<Gap> = uncovered
        .into_iter()
        .map(|((hood, slug), asked)| Gap { neighbourhood: hood_name(&hood), need: label_of(&slug), asked })
        .collect();
    gaps.sort_by(|a, b| {
        b.asked.cmp(&a.asked).then_with(|| (&a.neighbourhood, &a.need).cmp(&(&b.neighbourhood, &b.need)))
    });
    gaps
}

/// A rate as the table and the CSV show it: one decimal place, or "" when
/// there is no population to divide by.
pub fn rate(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v:.1}"))
}

impl Figures {
    /// The same figures as the page, as CSV: one row per line of each
    /// breakdown (whole area, neighbourhood, need, week, gap, follow-up
    /// answer), safe to open in a spreadsheet.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let mut out = Spreadsheet::new();
        out.row([
            "breakdown",
            "key",
            "label",
            "population",
            "contacts",
            "needs_asked",
            "needs_unmet",
            "contacts_per_10000_a_year",
            "asked_per_10000_a_year",
            "unmet_per_10000_a_year",
        ])?;
        let mut line = |breakdown: &str, l: &Line| {
            out.row([
                breakdown,
                &l.key,
                &l.label,
                &l.population.to_string(),
                &l.contacts.to_string(),
                &l.asked.to_string(),
                &l.unmet.to_string(),
                &rate(l.contacts_rate),
                &rate(l.asked_rate),
                &rate(l.unmet_rate),
            ])
        };
        line("whole_area", &self.total)?;
        for l in &self.by_neighbourhood {
            line("neighbourhood", l)?;
        }
        for l in &self.by_need {
            line("need", l)?;
        }
        for week in &self.weeks {
            let (contacts, asked, unmet) =
                (week.contacts.to_string(), week.asked.to_string(), week.unmet.to_string());
            let starts = week.starts.to_string();
            out.row(["week", &starts, &starts, "", &contacts, &asked, &unmet, "", "", ""])?;
        }
        for gap in &self.gaps {
            let label = format!("{}: {}", gap.neighbourhood, gap.need);
            out.row(["gap", "", &label, "", "", &gap.asked.to_string(), "", "", "", ""])?;
        }
        for (outcome, count) in &self.outcomes {
            out.row([
                "follow_up",
                outcome.code(),
                outcome.label(),
                "",
                &count.to_string(),
                "",
                "",
                "",
                "",
                "",
            ])?;
        }
        out.finish()
    }
}

/// The longest period that can be asked for.
const LONGEST_DAYS: i64 = 3 * 366;

/// The period as typed, kept when the page is shown again.
#[derive(Clone, Debug, Default)]
pub struct Period {
    pub from: String,
    pub to: String,
}

impl Period {
    /// The period a query string asks for, checked, as of `today`: the first
    /// and last days, or the problems. The default is the 13 weeks up to today.
    pub fn read(
        pairs: &[(String, String)],
        today: NaiveDate,
    ) -> (Period, Result<(NaiveDate, NaiveDate), FieldErrors>) {
        let asked = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
        let default_from = week_start(today) - Duration::weeks(12);
        let period = Period {
            from: asked("from").filter(|v| !v.is_empty()).unwrap_or_else(|| default_from.to_string()),
            to: asked("to").filter(|v| !v.is_empty()).unwrap_or_else(|| today.to_string()),
        };
        let checked = period.check();
        (period, checked)
    }

    fn check(&self) -> Result<(NaiveDate, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let (from, to) = (date(&self.from), date(&self.to));
        if from.is_none() {
            errors.add("from", "Enter the first day as a date, like 2026-01-05");
        }
        if to.is_none() {
            errors.add("to", "Enter the last day as a date, like 2026-03-29");
        }
        let (Some(from), Some(to)) = (from, to) else { return Err(errors) };
        if from > to {
            errors.add("to", "The last day must be on or after the first day");
        } else if (to - from).num_days() >= LONGEST_DAYS {
            errors.add("from", "Choose a period of three years or less");
        }
        if errors.is_empty() { Ok((from, to)) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_cover_the_period() {
        // 2 March 2026 is a Monday.
        assert_eq!(week_start(day(8)), day(2));
        assert_eq!(week_start(day(9)), day(9));
        let figures = figures(&Inputs {
            from: day(4),
            to: day(17),
            contacts: &[],
            neighbourhoods: &[],
            needs: &[],
            covered: &HashMap::new(),
        });
        let starts: Vec<_> = figures.weeks.iter().map(|w| w.starts).collect();
        assert_eq!(starts, vec![day(2), day(9), day(16)]);
        assert_eq!(figures.days, 14);
    }
}
