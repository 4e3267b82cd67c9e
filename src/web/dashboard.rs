//! `GET /dashboard` and `GET /dashboard.csv`: what the front door learns from
//! its contacts, over a chosen period (the last 13 weeks unless asked).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::Staff;
use super::{QueryPairs, page_with_status};
use crate::app::dashboard;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let (period, found) = dashboard::dashboard(&state, &staff.user, &query.0).await?;
    let freshness = crate::app::listings::review::freshness(&state, &staff.user).await?;
    Ok(match found {
        Ok((_, _, figures)) => {
            let fresh = (freshness.as_slice(), state.config.review_after_days);
            page_with_status(
                StatusCode::OK,
                pages::dashboard::page(&staff.frame, &period, Some((&figures, fresh)), &Default::default()),
            )
        }
        Err(errors) => page_with_status(
            StatusCode::BAD_REQUEST,
            pages::dashboard::page(&staff.frame, &period, None, &errors),
        ),
    })
}

pub async fn csv(
    state: web::Data<AppState>,
    staff: Staff,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let (from, to, figures) = match dashboard::dashboard(&state, &staff.user, &query.0).await?.1 {
        Ok(found) => found,
        Err(errors) => {
            let problems: Vec<&str> = errors.0.iter().map(|(_, message)| message.as_str()).collect();
            return Err(AppError::BadRequest(problems.join(". ")));
        }
    };
    let body = figures.to_csv().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"doorstep-dashboard-{from}-to-{to}.csv\""),
        ))
        .body(body))
}
