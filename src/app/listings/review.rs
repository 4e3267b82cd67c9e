//! The review queue: the listings each person keeps that are due to be
//! checked, most overdue first, narrowed as they ask; several marked checked
//! at once; and how fresh each neighbourhood's listings are.

use chrono::{Duration, NaiveDateTime, Utc};

use super::super::{db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{NeighbourhoodId, ServiceId};
use crate::domain::review::{Freshness, PER_PAGE, ReviewFilter, ReviewScope};
use crate::domain::views::ServiceSummary;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{neighbourhoods, service_lists, services};

/// One page of a person's queue, as the page shows it.
pub struct ReviewPage {
    pub listings: Vec<ServiceSummary>,
    /// How many listings the filter finds in all.
    pub total: i64,
    pub filter: ReviewFilter,
    /// The neighbourhoods the queue may be narrowed to.
    pub neighbourhoods: Vec<(NeighbourhoodId, String)>,
    pub review_after_days: u32,
}

/// The most neighbourhoods the queue's filter offers.
const MOST_TO_CHOOSE: i64 = 300;

/// When a listing checked before it falls due, and a year ago.
fn due_and_year(state: &AppState) -> (NaiveDateTime, NaiveDateTime) {
    let now = Utc::now().naive_utc();
    (now - Duration::days(i64::from(state.config.review_after_days)), now - Duration::days(365))
}

/// A page of this person's queue; advisors have none.
pub async fn queue(state: &AppState, user: &StaffUser, filter: ReviewFilter) -> Result<ReviewPage, AppError> {
    let scope = user.review_scope().ok_or(AppError::Forbidden)?;
    let dates = due_and_year(state);
    let offset = i64::from(filter.page.saturating_sub(1) * PER_PAGE);
    let asked = filter.clone();
    let (total, listings, neighbourhoods) = db(state, move |conn| {
        let (total, listings) =
            service_lists::review_queue(conn, &scope, &asked, dates, (offset, i64::from(PER_PAGE)))?;
        let hoods = match &scope {
            // A list of a very large area's neighbourhoods would be too long to use.
            ReviewScope::Everything => neighbourhoods::names(conn, None, MOST_TO_CHOOSE)?,
            ReviewScope::Neighbourhoods(theirs) => neighbourhoods::names(conn, Some(theirs), MOST_TO_CHOOSE)?,
            ReviewScope::Organisation(_) => Vec::new(),
        };
        Ok((total, listings, hoods))
    })
    .await?;
    Ok(ReviewPage {
        listings,
        total,
        filter,
        neighbourhoods,
        review_after_days: state.config.review_after_days,
    })
}

/// Marks each of `ids` as checked today, as far as this person may: returns
/// how many were. One they may not check is refused before any is marked.
pub async fn check_many(state: &AppState, user: &StaffUser, ids: Vec<ServiceId>) -> Result<usize, AppError> {
    require(user.review_scope().is_some())?;
    let ids: Vec<ServiceId> = ids.into_iter().take(PER_PAGE as usize).collect();
    for &id in &ids {
        super::services::changeable(state, user, id).await?;
    }
    let (by, now) = (user.id, Utc::now().naive_utc());
    let count = ids.len();
    db(state, move |conn| {
        for id in ids {
            services::verify(conn, id, by, now)?;
        }
        Ok(())
    })
    .await?;
    super::reindex(state).await;
    Ok(count)
}

/// How fresh each neighbourhood's listings are (the share checked within
/// the review interval); for a connector, their own neighbourhoods.
pub async fn freshness(state: &AppState, user: &StaffUser) -> Result<Vec<Freshness>, AppError> {
    let since = due_and_year(state).0;
    let mut all = db(state, move |conn| service_lists::freshness(conn, since)).await?;
    if let Some(ReviewScope::Neighbourhoods(theirs)) = user.review_scope() {
        all.retain(|f| theirs.contains(&f.neighbourhood));
    }
    Ok(all)
}
