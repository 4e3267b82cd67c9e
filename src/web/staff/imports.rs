//! `/staff/imports`: an administrator sends a file or a feed to import,
//! matches a spreadsheet's columns, reads the check's report and imports
//! it; and follows neighbouring areas' feeds (`/staff/neighbours`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::super::session::{CheckedForm, CheckedUpload, Staff};
use super::super::{QueryPairs, page_with_status, see_other};
use crate::app::{imports, neighbours};
use crate::domain::ids::{ImportId, NeighbourFeedId};
use crate::domain::imports::spreadsheet::Field;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::pages::imports::{REFRESH_SECONDS, Typed};
use crate::state::AppState;

async fn index_page(
    state: &AppState,
    staff: &Staff,
    typed: Typed<'_>,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (latest, feeds) = imports::latest(state, &staff.user).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(page_with_status(status, pages::imports::index(&staff.frame, &latest, &feeds, typed, errors)))
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    index_page(&state, &staff, Typed::default(), &FieldErrors::default()).await
}

/// `POST /staff/imports`: a file or a feed's address, sent to be imported.
pub async fn send(
    state: web::Data<AppState>,
    staff: Staff,
    sent: CheckedUpload,
) -> Result<HttpResponse, AppError> {
    let feed = sent.form.get("feed").to_string();
    match imports::send(&state, &staff.user, feed.clone(), sent.file).await? {
        Ok(id) => Ok(see_other(&format!("/staff/imports/{id}"))),
        Err(errors) => index_page(&state, &staff, Typed { feed: &feed, ..Typed::default() }, &errors).await,
    }
}

/// `GET /staff/imports/template.csv`: the spreadsheet template.
pub async fn template(staff: Staff) -> Result<HttpResponse, AppError> {
    let csv = imports::template(&staff.user)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"doorstep-listings-template.csv\""))
        .body(csv))
}

/// `GET /staff/imports/{id}`: how far it has got; the page refreshes itself
/// while a step is in hand, unless asked not to (`?refresh=off`).
pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ImportId>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let (view, columns) = imports::request(&state, &staff.user, id.into_inner()).await?;
    let refreshing = view.state.in_hand() && query.get("refresh") != "off";
    let page =
        pages::imports::import(&staff.frame, &view, columns.as_ref(), refreshing, &FieldErrors::default());
    let mut answer = page_with_status(StatusCode::OK, page);
    if refreshing {
        answer.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("refresh"),
            actix_web::http::header::HeaderValue::from(REFRESH_SECONDS),
        );
    }
    Ok(answer)
}

/// `POST /staff/imports/{id}/check`: check it, with the columns chosen.
pub async fn check(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ImportId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let chosen = Field::ALL
        .iter()
        .map(|f| (*f, Some(posted.get(f.code())).filter(|h| !h.is_empty()).map(str::to_string)))
        .collect();
    match imports::check(&state, &staff.user, id, chosen).await? {
        Ok(()) => Ok(see_other(&format!("/staff/imports/{id}"))),
        Err(refused) => {
            let (view, columns) = (&refused.view, refused.columns.as_ref());
            let page = pages::imports::import(&staff.frame, view, columns, false, &refused.errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

/// `POST /staff/imports/{id}/run`: import it, as checked.
pub async fn run(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ImportId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let skip_rejected = posted.get("skip_rejected") == "yes";
    imports::run(&state, &staff.user, id, skip_rejected, posted.all("merge")).await?;
    Ok(see_other(&format!("/staff/imports/{id}")))
}

/// `POST /staff/neighbours`: follow another area's feed.
pub async fn follow(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (area, url) = (posted.get("area"), posted.get("url"));
    match neighbours::follow(&state, &staff.user, area, url).await? {
        Ok(_) => Ok(see_other("/staff/imports#neighbours")),
        Err(errors) => index_page(&state, &staff, Typed { area, url, ..Typed::default() }, &errors).await,
    }
}

/// `POST /staff/neighbours/{id}/read`: read a followed feed now.
pub async fn read_now(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<NeighbourFeedId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    neighbours::read_soon(&state, &staff.user, id.into_inner()).await?;
    Ok(see_other("/staff/imports#neighbours"))
}
