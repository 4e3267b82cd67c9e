//! The query string of the Open Referral list endpoints, read and checked:
//! every filter ORUK 3.0's OpenAPI document lists, plus HSDS 3.0's
//! `organization_id` and `modified_after`. Filters combine with AND, as HSDS
//! requires. A value that cannot be used is a problem naming its parameter.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::{Fact, facts_taxonomy_id, needs_taxonomy_id};
use crate::domain::ids::{NeedId, OrganisationId};
use crate::domain::needs::Taxonomy;
use crate::domain::schedule::WEEK;
use crate::domain::text::FieldProblem;
use crate::geo::postcode::{self, PlaceQuery};

/// The most items one page may hold.
pub const MAX_PER_PAGE: u64 = 200;
/// A page holds this many items unless asked otherwise.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The widest `proximity`, in metres.
pub const MAX_PROXIMITY_M: u32 = 100_000;
/// Words of `search` past this many are not used.
const MAX_WORDS: usize = 10;

/// Which page of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    /// How many items come before this page.
    pub fn offset(self) -> u64 {
        (self.page - 1) * self.per_page
    }

    /// This page's items of `all`.
    pub fn window<T>(self, all: Vec<T>) -> Vec<T> {
        let start = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(self.per_page).unwrap_or(usize::MAX);
        all.into_iter().skip(start).take(take).collect()
    }
}

/// What a list of services (or of services at locations) is narrowed to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceFilter {
    /// Every word must appear in the service's name or description.
    pub words: Vec<String>,
    /// Tagged with this term (a need also by a narrower one).
    pub term: Option<Term>,
    /// Tagged with any term of this taxonomy.
    pub taxonomy: Option<TaxonomyChoice>,
    pub organisation: Option<OrganisationId>,
    pub modified_after: Option<NaiveDateTime>,
    /// The service's own minimum age is at least this.
    pub minimum_age: Option<i32>,
    /// The service's own maximum age is at most this.
    pub maximum_age: Option<i32>,
    /// A schedule meets on this day, opening at or after `start_time` and
    /// closing at or before `end_time` (all three of one schedule).
    pub day: Option<Weekday>,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    /// Near, or covering, a postcode.
    pub postcode: Option<PlaceQuery>,
    pub proximity_m: Option<u32>,
}

/// A term a filter names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    Need(NeedId),
    Fact(Fact),
    /// A term not published here: nothing is tagged with it.
    Unknown,
}

/// A taxonomy a filter names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxonomyChoice {
    Needs,
    Facts,
    /// A taxonomy not published here: nothing is tagged with its terms.
    Other,
}

/// A list request: its filter and its page.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    pub filter: ServiceFilter,
    pub paging: Paging,
    /// HSDS 3.0's `full`: each service with everything nested in it.
    pub full: bool,
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field, message: message.into() }
}

/// Reads `page` and `per_page`.
pub fn paging(pairs: &[(String, String)]) -> Result<Paging, FieldProblem> {
    let mut paging = Paging { page: 1, per_page: DEFAULT_PER_PAGE };
    for (key, value) in pairs {
        match key.as_str() {
            "page" => {
                paging.page = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|&p| (1..=1_000_000).contains(&p))
                    .ok_or_else(|| problem("page", "page must be a whole number from 1"))?;
            }
            "per_page" => {
                paging.per_page =
                    value.trim().parse().ok().filter(|&p| (1..=MAX_PER_PAGE).contains(&p)).ok_or_else(
                        || {
                            problem(
                                "per_page",
                                format!("per_page must be a whole number from 1 to {MAX_PER_PAGE}"),
                            )
                        },
                    )?;
            }
            _ => {}
        }
    }
    Ok(paging)
}

/// The words of `search`, in lower case, at most `MAX_WORDS`.
pub fn words(pairs: &[(String, String)]) -> Vec<String> {
    let text = pairs.iter().find(|(k, _)| k == "search").map_or("", |(_, v)| v.as_str());
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(MAX_WORDS)
        .collect()
}

impl ListQuery {
    /// Reads the query string of `/services` or `/service_at_locations`;
    /// `needs` says which terms are ours.
    pub fn read(pairs: &[(String, String)], needs: &Taxonomy) -> Result<ListQuery, FieldProblem> {
        let mut f = ServiceFilter { words: words(pairs), ..ServiceFilter::default() };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "taxonomy_term_id" => {
                    let id: uuid::Uuid =
                        value.parse().map_err(|_| problem("taxonomy_term_id", not_an_id()))?;
                    f.term = Some(if let Some(need) = needs.iter().find(|n| n.id.0 == id) {
                        Term::Need(need.id)
                    } else if let Some(fact) = Fact::all().into_iter().find(|f| f.id() == id) {
                        Term::Fact(fact)
                    } else {
                        Term::Unknown
                    });
                }
                "taxonomy_id" => {
                    let id: uuid::Uuid = value.parse().map_err(|_| problem("taxonomy_id", not_an_id()))?;
                    f.taxonomy = Some(if id == needs_taxonomy_id() {
                        TaxonomyChoice::Needs
                    } else if id == facts_taxonomy_id() {
                        TaxonomyChoice::Facts
                    } else {
                        TaxonomyChoice::Other
                    });
                }
                "organization_id" => {
                    f.organisation =
                        Some(value.parse().map_err(|_| problem("organization_id", not_an_id()))?);
                }
                "modified_after" => f.modified_after = Some(instant(value)?),
                "minimum_age" => f.minimum_age = Some(age("minimum_age", value)?),
                "maximum_age" => f.maximum_age = Some(age("maximum_age", value)?),
                "day" => f.day = Some(day(value)?),
                "start_time" => f.start_time = Some(time("start_time", value)?),
                "end_time" => f.end_time = Some(time("end_time", value)?),
                "postcode" => {
                    f.postcode =
                        Some(postcode::parse(value).map_err(|e| problem("postcode", e.to_string()))?);
                }
                "proximity" => {
                    let metres =
                        value.parse::<f64>().ok().filter(|m| *m > 0.0 && *m <= f64::from(MAX_PROXIMITY_M));
                    let metres = metres.ok_or_else(|| {
                        problem(
                            "proximity",
                            format!("proximity is a distance in metres, from 1 to {MAX_PROXIMITY_M}"),
                        )
                    })?;
                    f.proximity_m = Some(metres.ceil() as u32);
                }
                _ => {}
            }
        }
        if f.proximity_m.is_some() && f.postcode.is_none() {
            return Err(problem(
                "proximity",
                "give a postcode with proximity: it is a distance from the postcode",
            ));
        }
        let full = pairs.iter().any(|(k, v)| k == "full" && matches!(v.trim(), "true" | "1"));
        Ok(ListQuery { filter: f, paging: paging(pairs)?, full })
    }
}

fn not_an_id() -> &'static str {
    "ids are UUIDs, written as 36 lower-case hexadecimal digits and hyphens"
}

/// A date-time (RFC 3339, like 2026-03-01T09:00:00Z) or a date, as UTC.
fn instant(value: &str) -> Result<NaiveDateTime, FieldProblem> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.naive_utc());
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S") {
        return Ok(at);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN)).map_err(|_| {
        problem(
            "modified_after",
            "modified_after is a date-time like 2026-03-01T09:00:00Z, or a date like 2026-03-01",
        )
    })
}

fn age(field: &'static str, value: &str) -> Result<i32, FieldProblem> {
    let years = value.parse::<f64>().ok().filter(|a| (0.0..=120.0).contains(a));
    years
        .map(|a| a.floor() as i32)
        .ok_or_else(|| problem(field, format!("{field} is an age in years, from 0 to 120")))
}

/// A day as HSDS writes it (`MO`) or by name (`Monday`, `mon`).
fn day(value: &str) -> Result<Weekday, FieldProblem> {
    let lower = value.to_lowercase();
    let named = WEEK.iter().copied().find(|w| {
        let name = crate::domain::schedule::day_name(*w).to_lowercase();
        lower == name || lower == name[..3] || lower == name[..2]
    });
    named.ok_or_else(|| problem("day", "day is a day of the week, like MO or Monday"))
}

/// A time of day, like 09:30 or 09:30:00.
fn time(field: &'static str, value: &str) -> Result<NaiveTime, FieldProblem> {
    NaiveTime::parse_from_str(value, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(value, "%H:%M"))
        .map_err(|_| problem(field, format!("{field} is a time of day like 09:30")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes()).into_owned().collect()
    }

    fn read(query: &str) -> Result<ListQuery, FieldProblem> {
        ListQuery::read(&pairs(query), &Taxonomy::default())
    }

    #[test]
    fn every_filter_is_read() {
        let q = read(
            "search=Lunch+club&minimum_age=18&maximum_age=99.5&day=TU&start_time=09:00&end_time=13:30:00\
             &modified_after=2026-03-01&postcode=m33+7xx&proximity=1500&page=2&per_page=20",
        )
        .unwrap();
        let f = &q.filter;
        assert_eq!(f.words, ["lunch", "club"]);
        assert_eq!((f.minimum_age, f.maximum_age), (Some(18), Some(99)));
        assert_eq!(f.day, Some(Weekday::Tue));
        assert_eq!(f.start_time, NaiveTime::from_hms_opt(9, 0, 0));
        assert_eq!(f.end_time, NaiveTime::from_hms_opt(13, 30, 0));
        assert_eq!(f.modified_after.map(|t| t.to_string()).as_deref(), Some("2026-03-01 00:00:00"));
        assert_eq!(f.proximity_m, Some(1500));
        assert_eq!(q.paging, Paging { page: 2, per_page: 20 });
        assert_eq!(q.paging.offset(), 20);
    }

    #[test]
    fn days_are_read_in_every_usual_form() {
        for day in ["MO", "mo", "Mon", "monday", "MONDAY"] {
            assert_eq!(read(&format!("day={day}")).unwrap().filter.day, Some(Weekday::Mon), "{day}");
        }
    }

    #[test]
    fn a_value_that_cannot_be_used_names_its_parameter() {
        for (query, field) in [
            ("page=0", "page"),
            ("per_page=5000", "per_page"),
            ("taxonomy_term_id=food", "taxonomy_term_id"),
            ("organization_id=12", "organization_id"),
            ("modified_after=yesterday", "modified_after"),
            ("minimum_age=-1", "minimum_age"),
            ("day=Funday", "day"),
            ("start_time=9am", "start_time"),
            ("postcode=nowhere", "postcode"),
            ("postcode=M33&proximity=far", "proximity"),
            ("proximity=500", "proximity"),
        ] {
            assert_eq!(read(query).err().map(|p| p.field), Some(field), "{query}");
        }
    }

    #[test]
    fn terms_and_taxonomies_are_known_by_their_ids() {
        let facts = read(&format!("taxonomy_id={}", facts_taxonomy_id())).unwrap();
        assert_eq!(facts.filter.taxonomy, Some(TaxonomyChoice::Facts));
        let other = read("taxonomy_id=11111111-1111-1111-1111-111111111111").unwrap();
        assert_eq!(other.filter.taxonomy, Some(TaxonomyChoice::Other));
        let phone = Fact::Delivery(crate::domain::directory::DeliveryMode::Phone);
        assert_eq!(
            read(&format!("taxonomy_term_id={}", phone.id())).unwrap().filter.term,
            Some(Term::Fact(phone))
        );
        let unknown = read("taxonomy_term_id=11111111-1111-1111-1111-111111111111").unwrap();
        assert_eq!(unknown.filter.term, Some(Term::Unknown));
    }
}
