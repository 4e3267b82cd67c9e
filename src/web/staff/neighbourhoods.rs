//! `/staff/neighbourhoods/{slug}`: an administrator renames a neighbourhood
//! or moves one of its small areas to a neighbouring neighbourhood.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::super::session::{CheckedForm, Staff};
use super::super::{QueryPairs, page_with_status, see_other};
use crate::app::neighbourhoods::{self, LastChange};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::pages::staff::NeighbourhoodForm;
use crate::state::AppState;

/// What was typed, kept when the page is shown again.
#[derive(Default)]
struct Typed<'a> {
    name: Option<&'a str>,
    small_area: &'a str,
    to: &'a str,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    slug: String,
    typed: Typed<'_>,
    errors: &FieldErrors,
    last: LastChange<'_>,
) -> Result<HttpResponse, AppError> {
    let page = neighbourhoods::edit_page(state, &staff.user, slug, last).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let form = NeighbourhoodForm {
        hood: &page.hood,
        band: page.band,
        small_areas: &page.small_areas,
        adjacent: &page.adjacent,
        name: typed.name.unwrap_or(&page.hood.name),
        small_area: typed.small_area,
        to: typed.to,
        notice: page.notice,
    };
    Ok(page_with_status(status, pages::staff::neighbourhood_form(&staff.frame, &form, errors)))
}

/// `GET`: the page, saying what the last change did (`moved` and `to`, or `renamed`).
pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    done: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let (code, to) = (done.get("moved"), done.get("to"));
    let last = LastChange {
        moved: (!code.is_empty() && !to.is_empty()).then_some((code, to)),
        renamed: !done.get("renamed").is_empty(),
    };
    form_page(&state, &staff, slug.into_inner(), Typed::default(), &FieldErrors::default(), last).await
}

pub async fn rename(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    match neighbourhoods::rename(&state, &staff.user, slug.clone(), posted.get("name")).await? {
        Ok(new_slug) => Ok(see_other(&format!("/staff/neighbourhoods/{new_slug}?renamed=1"))),
        Err(errors) => {
            let typed = Typed { name: Some(posted.get("name")), ..Typed::default() };
            form_page(&state, &staff, slug, typed, &errors, LastChange::default()).await
        }
    }
}

pub async fn move_small_area(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let typed = Typed { name: None, small_area: posted.get("small_area"), to: posted.get("to") };
    match neighbourhoods::move_small_area(&state, &staff.user, slug.clone(), typed.small_area, typed.to)
        .await?
    {
        Ok(joined) => {
            Ok(see_other(&format!("/staff/neighbourhoods/{slug}?moved={}&to={joined}", typed.small_area)))
        }
        Err(errors) => form_page(&state, &staff, slug, typed, &errors, LastChange::default()).await,
    }
}
