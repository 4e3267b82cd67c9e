//! `GET /staff`: the staff home, with the review queue; and what one person
//! changed. The forms are in a file each.

pub mod approvals;
pub mod imports;
pub mod neighbourhoods;
pub mod organisations;
pub mod services;
pub mod sources;
pub mod speakers;
pub mod users;
pub mod venues;

use actix_web::{HttpResponse, web};
use maud::Markup;

use super::session::{CheckedForm, Staff};
use super::{QueryPairs, see_other};
use crate::app::listings::approvals::{self as proposals, Saved};
use crate::app::listings::{self, review};
use crate::domain::ids::ServiceId;
use crate::domain::review::ReviewFilter;
use crate::domain::schedule_form::{MOST_ROWS, TimesForm};
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// `GET /staff/users/{id}/history`: what one person changed.
pub async fn person_history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<crate::domain::ids::UserId>,
) -> Result<Markup, AppError> {
    let (name, changes) = listings::history_of_person(&state, &staff.user, *id).await?;
    Ok(pages::staff::history::person(&staff.frame, &name, &changes, &state.taxonomy))
}

pub async fn home(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    if staff.user.review_scope().is_none() {
        return Ok(pages::staff::home(&staff.frame, &staff.user, None));
    }
    let mut queue = review::queue(&state, &staff.user, ReviewFilter::default()).await?;
    queue.listings.truncate(HOME_QUEUE);
    let freshness = review::freshness(&state, &staff.user).await?;
    let waiting_approval = match staff.user.keeps_listings() {
        true => Some(proposals::queue(&state, &staff.user).await?.0.len()),
        false => None,
    };
    let waiting_moderation = match staff.user.keeps_listings() {
        true => Some(crate::app::moderation::waiting(&state, &staff.user).await?),
        false => None,
    };
    let proposed = proposals::mine(&state, &staff.user).await?;
    let shown = pages::staff::Review {
        waiting_approval,
        waiting_moderation,
        proposed: &proposed,
        due: &queue.listings,
        due_count: queue.total,
        freshness: &freshness,
        review_after_days: queue.review_after_days,
    };
    Ok(pages::staff::home(&staff.frame, &staff.user, Some(&shown)))
}

/// The rows of times a form sent (`times-0-pattern`…), each as typed. Rows
/// beyond the most a form keeps are not read (its check says so).
pub(super) fn times_rows(form: &CheckedForm) -> Vec<TimesForm> {
    (0..form.rows("times", MOST_ROWS + 1))
        .map(|n| {
            let f = |field: &str| format!("times-{n}-{field}");
            TimesForm {
                pattern: form.get(&f("pattern")).into(),
                days: form.all(&f("days")),
                every: form.get(&f("every")).into(),
                weeks: form.all(&f("weeks")),
                month_days: form.get(&f("month_days")).into(),
                date: form.get(&f("date")).into(),
                opens: form.get(&f("opens")).into(),
                closes: form.get(&f("closes")).into(),
                booking: form.get(&f("booking")) == "yes",
                valid_from: form.get(&f("valid_from")).into(),
                valid_to: form.get(&f("valid_to")).into(),
                closed_on: form.get(&f("closed_on")).into(),
            }
        })
        .collect()
}

/// Where a saved form goes: to what it saved, or, when it waits for
/// approval, to the proposal's page.
pub(super) fn after_saving<T>(saved: Saved<T>, live: impl FnOnce(T) -> String) -> HttpResponse {
    match saved {
        Saved::Live(made) => see_other(&live(made)),
        Saved::Waiting(proposal) => see_other(&format!("/staff/approvals/{proposal}")),
    }
}

/// How many listings due for review the staff home shows.
const HOME_QUEUE: usize = 10;

/// `GET /staff/review`: the review queue, narrowed as the query asks.
pub async fn review_queue(
    state: web::Data<AppState>,
    staff: Staff,
    query: QueryPairs,
) -> Result<Markup, AppError> {
    let filter = ReviewFilter::from_query(|name| query.get(name).to_string());
    let queue = review::queue(&state, &staff.user, filter).await?;
    let shown = pages::staff::review::Queue {
        listings: &queue.listings,
        total: queue.total,
        filter: &queue.filter,
        neighbourhoods: &queue.neighbourhoods,
        review_after_days: queue.review_after_days,
        checked: query.get("checked").parse().ok(),
        today: chrono::Utc::now().date_naive(),
    };
    Ok(pages::staff::review::page(&staff.frame, &shown, &state.taxonomy))
}

/// `POST /staff/review`: marks the ticked listings as checked today, and
/// comes back to the same page of the queue.
pub async fn review_checked(
    state: web::Data<AppState>,
    staff: Staff,
    query: QueryPairs,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let ids: Vec<ServiceId> = posted
        .all("services")
        .iter()
        .map(|id| id.parse().map_err(|_| AppError::BadRequest(String::from("Tick listings from the queue."))))
        .collect::<Result<_, _>>()?;
    let checked = review::check_many(&state, &staff.user, ids).await?;
    let filter = ReviewFilter::from_query(|name| query.get(name).to_string());
    Ok(see_other(&format!("/staff/review?{}&checked={checked}", filter.query(filter.page))))
}
