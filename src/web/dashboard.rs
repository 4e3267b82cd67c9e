//! `GET /dashboard` and `GET /dashboard.csv`: what the front door learns from
//! its contacts, over a chosen period (the last 13 weeks unless asked).

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};

use super::api::query_pairs;
use super::session::Staff;
use super::signpost::signposter;
use super::{db, page_with_status};
use crate::domain::dashboard::{self, Figures, Inputs, week_start};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::pages::dashboard::Period;
use crate::state::AppState;
use crate::store::dashboard as figures_store;

/// The longest period that can be asked for.
const LONGEST_DAYS: i64 = 3 * 366;

/// The period asked for, checked; the default is the 13 weeks up to today.
fn read_period(req: &HttpRequest, errors: &mut FieldErrors) -> (Period, Option<(NaiveDate, NaiveDate)>) {
    let today = Utc::now().date_naive();
    let pairs = query_pairs(req);
    let asked = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let default_from = week_start(today) - Duration::weeks(12);
    let period = Period {
        from: asked("from").filter(|v| !v.is_empty()).unwrap_or_else(|| default_from.to_string()),
        to: asked("to").filter(|v| !v.is_empty()).unwrap_or_else(|| today.to_string()),
    };
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let from = date(&period.from);
    let to = date(&period.to);
    if from.is_none() {
        errors.add("from", "Enter the first day as a date, like 2026-01-05");
    }
    if to.is_none() {
        errors.add("to", "Enter the last day as a date, like 2026-03-29");
    }
    let (Some(from), Some(to)) = (from, to) else { return (period, None) };
    if from > to {
        errors.add("to", "The last day must be on or after the first day");
        return (period, None);
    }
    if (to - from).num_days() >= LONGEST_DAYS {
        errors.add("from", "Choose a period of three years or less");
        return (period, None);
    }
    (period, Some((from, to)))
}

async fn figures(state: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Figures, AppError> {
    let needs: Vec<(String, String)> = state
        .search
        .needs
        .iter()
        .filter(|n| n.parent.is_some())
        .map(|n| (n.slug.clone(), n.label.clone()))
        .collect();
    db(state, move |conn| {
        let contacts = figures_store::facts(conn, from, to)?;
        let places = figures_store::places(conn)?;
        let asked_in: HashSet<_> = contacts.iter().filter_map(|c| c.neighbourhood).collect();
        let covered = figures_store::covered(conn, &asked_in)?;
        Ok(dashboard::figures(&Inputs {
            from,
            to,
            contacts: &contacts,
            neighbourhoods: &places,
            needs: &needs,
            covered: &covered,
        }))
    })
    .await
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    signposter(&staff)?;
    let mut errors = FieldErrors::default();
    let (period, dates) = read_period(&req, &mut errors);
    let Some((from, to)) = dates else {
        let page = pages::dashboard::page(&staff.frame, &period, None, &errors);
        return Ok(page_with_status(StatusCode::BAD_REQUEST, page));
    };
    let figures = figures(&state, from, to).await?;
    Ok(page_with_status(
        StatusCode::OK,
        pages::dashboard::page(&staff.frame, &period, Some(&figures), &errors),
    ))
}

pub async fn csv(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    signposter(&staff)?;
    let mut errors = FieldErrors::default();
    let (_, dates) = read_period(&req, &mut errors);
    let Some((from, to)) = dates else {
        let problems: Vec<&str> = errors.0.iter().map(|(_, message)| message.as_str()).collect();
        return Err(AppError::BadRequest(problems.join(". ")));
    };
    let figures = figures(&state, from, to).await?;
    let body = figures.to_csv().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"doorstep-dashboard-{from}-to-{to}.csv\""),
        ))
        .body(body))
}
