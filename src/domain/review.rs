//! The review queue: the listings a member of staff keeps that are due to be
//! checked, most overdue first, with what it may be narrowed to.

use serde::{Deserialize, Serialize};

use super::accounts::{Role, StaffUser};
use super::directory::choice;
use super::ids::{NeighbourhoodId, OrganisationId};

choice! {
    /// How overdue a listing is.
    Overdue {
        Due = "due", "Due for review";
        Year = "year", "Not checked in over a year";
        Never = "never", "Never checked";
    }
}

/// Whose listings a person's queue holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewScope {
    /// An administrator's: every listing.
    Everything,
    /// A connector's: those with a venue in these neighbourhoods, and those
    /// with no venue in any neighbourhood (by phone, online, borough-wide).
    Neighbourhoods(Vec<NeighbourhoodId>),
    /// An organisation editor's: their organisation's.
    Organisation(OrganisationId),
}

impl StaffUser {
    /// Whose listings this person reviews; advisors review none.
    pub fn review_scope(&self) -> Option<ReviewScope> {
        match self.role {
            Role::Administrator => Some(ReviewScope::Everything),
            Role::Connector => Some(ReviewScope::Neighbourhoods(self.neighbourhoods.clone())),
            Role::OrganisationEditor => self.organisation.map(ReviewScope::Organisation),
            Role::Advisor => None,
        }
    }
}

/// What the queue is narrowed to, as the page's query asks. A value that
/// is not understood narrows nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    pub neighbourhood: Option<NeighbourhoodId>,
    /// A need's slug.
    pub need: Option<String>,
    /// Words in the organisation's name.
    pub organisation: String,
    pub overdue: Option<Overdue>,
    /// From 1.
    pub page: u32,
}

/// Listings on one page of the queue.
pub const PER_PAGE: u32 = 50;

/// The most listings a queue counts exactly; beyond, it says "more than".
pub const COUNTED_AT_MOST: i64 = 1_000;

impl ReviewFilter {
    /// Reads the filter from a query string's values (`get` gives "" when absent).
    pub fn from_query(get: impl Fn(&str) -> String) -> Self {
        ReviewFilter {
            neighbourhood: get("neighbourhood").trim().parse().ok(),
            need: Some(get("need").trim().to_string()).filter(|n| !n.is_empty()),
            organisation: super::text::normalise(&get("organisation"), super::text::Shape::Line)
                .chars()
                .take(100)
                .collect(),
            overdue: Overdue::from_code(get("overdue").trim()),
            page: get("page").trim().parse::<u32>().ok().filter(|p| (1..=10_000).contains(p)).unwrap_or(1),
        }
    }

    /// How overdue the listings shown are: due, unless narrowed further.
    pub fn overdue(&self) -> Overdue {
        self.overdue.unwrap_or(Overdue::Due)
    }

    /// The query string that asks for this filter on page `page`.
    pub fn query(&self, page: u32) -> String {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        if let Some(hood) = self.neighbourhood {
            pairs.append_pair("neighbourhood", &hood.to_string());
        }
        if let Some(need) = &self.need {
            pairs.append_pair("need", need);
        }
        if !self.organisation.is_empty() {
            pairs.append_pair("organisation", &self.organisation);
        }
        pairs.append_pair("overdue", self.overdue().code());
        pairs.append_pair("page", &page.to_string());
        pairs.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_reads_back_from_its_query_and_ignores_nonsense() {
        let hood = NeighbourhoodId::new();
        let asked = format!("neighbourhood={hood}&need=food&organisation=Age+Well&overdue=year&page=3");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(asked.as_bytes()).into_owned().collect();
        let get =
            |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let filter = ReviewFilter::from_query(get);
        assert_eq!(filter.neighbourhood, Some(hood));
        assert_eq!(filter.overdue(), Overdue::Year);
        assert_eq!(filter.query(3), asked);
        let nonsense =
            ReviewFilter::from_query(|name| if name == "page" { "-4".into() } else { "<script>".into() });
        assert_eq!((nonsense.neighbourhood, nonsense.overdue(), nonsense.page), (None, Overdue::Due, 1));
    }

    #[test]
    fn advisors_review_nothing() {
        let user = |role| StaffUser {
            id: super::super::ids::UserId::new(),
            email: String::new(),
            name: String::new(),
            role,
            organisation: None,
            neighbourhoods: vec![],
        };
        assert_eq!(user(Role::Advisor).review_scope(), None);
        assert_eq!(user(Role::Administrator).review_scope(), Some(ReviewScope::Everything));
        assert_eq!(user(Role::OrganisationEditor).review_scope(), None, "an editor with no organisation");
    }
}

/// How fresh one neighbourhood's listings are: how many of its running
/// listings (at a public venue there) were checked since the interval began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freshness {
    pub neighbourhood: NeighbourhoodId,
    pub name: String,
    pub slug: String,
    pub listings: u32,
    pub checked: u32,
}

impl Freshness {
    /// The share checked, as a whole percentage (none when there are no listings).
    pub fn percent(&self) -> Option<u32> {
        (self.listings > 0)
            .then(|| (f64::from(self.checked) * 100.0 / f64::from(self.listings)).round() as u32)
    }
}
