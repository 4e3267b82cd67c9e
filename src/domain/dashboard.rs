//! The dashboard's figures, worked out from the contacts of a period: demand
//! and unmet need by neighbourhood and by need, per 10,000 residents a year,
//! week by week, the gaps, and the follow-up answers.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};

use super::ids::NeighbourhoodId;
use super::signposting::{Outcome, days_in, per_10000_a_year};
use super::spreadsheet::Spreadsheet;

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
    let contacts: Vec<&ContactFacts> =
        inputs.contacts.iter().filter(|c| c.day >= inputs.from && c.day <= inputs.to).collect();
    let mut total = Tally::default();
    let mut by_hood: HashMap<Option<NeighbourhoodId>, Tally> = HashMap::new();
    let mut by_need: HashMap<&str, Tally> = HashMap::new();
    let mut weeks: BTreeMap<NaiveDate, Week> = BTreeMap::new();
    let mut asked_where: BTreeMap<(String, String), u64> = BTreeMap::new();
    let (mut escalated, mut returning, mut agreed, mut sent) = (0, 0, 0, 0);
    let mut outcomes: HashMap<Outcome, u64> = HashMap::new();
    let mut start = week_start(inputs.from);
    while start <= inputs.to {
        weeks.insert(start, Week { starts: start, contacts: 0, asked: 0, unmet: 0 });
        start += Duration::days(7);
    }
    for contact in &contacts {
        let asked = contact.needs.len() as u64;
        let unmet = contact.needs.iter().filter(|(_, unmet)| *unmet).count() as u64;
        for tally in [&mut total, by_hood.entry(contact.neighbourhood).or_default()] {
            tally.contacts += 1;
            tally.asked += asked;
            tally.unmet += unmet;
        }
        if let Some(week) = weeks.get_mut(&week_start(contact.day)) {
            week.contacts += 1;
            week.asked += asked;
            week.unmet += unmet;
        }
        for (slug, unmet) in &contact.needs {
            let tally = by_need.entry(slug.as_str()).or_default();
            tally.contacts += 1;
            tally.asked += 1;
            tally.unmet += u64::from(*unmet);
            if let Some(hood) = contact.neighbourhood
                && !inputs.covered.get(&hood).is_some_and(|needs| needs.contains(slug))
            {
                *asked_where.entry((hood.to_string(), slug.clone())).or_default() += 1;
            }
        }
        escalated += u64::from(contact.escalated);
        returning += u64::from(contact.returning);
        if let Some((went, answer)) = contact.follow_up {
            agreed += 1;
            sent += u64::from(went);
            if let Some(answer) = answer {
                *outcomes.entry(answer).or_default() += 1;
            }
        }
    }
    let population: u64 = inputs.neighbourhoods.iter().map(|n| u64::from(n.population)).sum();
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
    let label_of = |slug: &str| {
        inputs.needs.iter().find(|(s, _)| s == slug).map_or_else(|| slug.to_string(), |(_, l)| l.clone())
    };
    let mut need_lines: Vec<Line> = inputs
        .needs
        .iter()
        .filter_map(|(slug, label)| {
            by_need.get(slug.as_str()).map(|t| t.line(slug.clone(), label.clone(), population, days))
        })
        .collect();
    need_lines.sort_by(|a, b| b.asked.cmp(&a.asked).then_with(|| a.label.cmp(&b.label)));
    let hood_name = |id: &str| {
        inputs
            .neighbourhoods
            .iter()
            .find(|n| n.id.to_string() == id)
            .map_or_else(String::new, |n| n.name.clone())
    };
    let mut gaps: Vec<Gap> = asked_where
        .into_iter()
        .map(|((hood, slug), asked)| Gap { neighbourhood: hood_name(&hood), need: label_of(&slug), asked })
        .collect();
    gaps.sort_by(|a, b| {
        b.asked.cmp(&a.asked).then_with(|| (&a.neighbourhood, &a.need).cmp(&(&b.neighbourhood, &b.need)))
    });
    Figures {
        from: inputs.from,
        to: inputs.to,
        days,
        total: total.line(String::from("all"), String::from("Whole area"), population, days),
        escalated,
        returning,
        by_neighbourhood: lines,
        by_need: need_lines,
        weeks: weeks.into_values().collect(),
        gaps,
        follow_ups_agreed: agreed,
        follow_ups_sent: sent,
        outcomes: Outcome::ALL.iter().map(|o| (*o, outcomes.get(o).copied().unwrap_or(0))).collect(),
    }
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
