//! `/staff/neighbourhoods/{slug}`: an administrator renames a neighbourhood
//! or moves one of its small areas to a neighbouring neighbourhood.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::super::session::{CheckedForm, Staff};
use super::super::{db, page_with_status, see_other};
use crate::domain::accounts::Role;
use crate::domain::ids::NeighbourhoodId;
use crate::domain::text::{self, FieldErrors};
use crate::error::AppError;
use crate::geo::neighbourhoods::Band;
use crate::pages;
use crate::pages::staff::NeighbourhoodForm;
use crate::state::AppState;
use crate::store::neighbourhoods;

/// The longest name a neighbourhood may have.
const NAME_LIMIT: usize = 80;

/// The band to check against when none has been built (it cannot happen
/// once neighbourhoods exist, but a page must not fail for it).
const DEFAULT_BAND: Band = Band { min: 4_000, max: 5_000 };

fn administrator(staff: &Staff) -> Result<(), AppError> {
    if staff.user.role == Role::Administrator { Ok(()) } else { Err(AppError::Forbidden) }
}

/// What was typed, kept when the page is shown again.
#[derive(Default)]
struct Typed {
    name: Option<String>,
    small_area: String,
    to: String,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    slug: String,
    typed: Typed,
    errors: &FieldErrors,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (hood, band, small_areas, adjacent) = db(state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        let small_areas = neighbourhoods::small_areas_of(conn, hood.id)?;
        let adjacent = neighbourhoods::adjacent(conn, hood.id)?;
        Ok((hood, neighbourhoods::band(conn)?, small_areas, adjacent))
    })
    .await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let form = NeighbourhoodForm {
        hood: &hood,
        band,
        small_areas: &small_areas,
        adjacent: &adjacent,
        name: typed.name.as_deref().unwrap_or(&hood.name),
        small_area: &typed.small_area,
        to: &typed.to,
        notice,
    };
    Ok(page_with_status(status, pages::staff::neighbourhood_form(&staff.frame, &form, errors)))
}

#[derive(serde::Deserialize)]
pub struct Done {
    /// The small area just moved, and the slug of the neighbourhood it joined.
    moved: Option<String>,
    to: Option<String>,
    renamed: Option<String>,
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    administrator(&staff)?;
    let notice = match (&done.moved, &done.to, &done.renamed) {
        (Some(code), Some(to), _) => {
            let to = to.clone();
            let joined = db(&state, move |conn| neighbourhoods::by_slug(conn, &to)).await.ok();
            joined.map(|n| {
                let band = match &n.outside_band {
                    None => String::from("within the band"),
                    Some(why) => format!("outside the band: {why}"),
                };
                format!("Moved {code} to {}, which now has {} residents ({band}).", n.name, n.population)
            })
        }
        (_, _, Some(_)) => Some(String::from("Renamed.")),
        _ => None,
    };
    form_page(&state, &staff, slug.into_inner(), Typed::default(), &FieldErrors::default(), notice).await
}

pub async fn rename(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    administrator(&staff)?;
    let slug = slug.into_inner();
    let mut errors = FieldErrors::default();
    let name = errors.take("name", text::required_line(posted.get("name"), "the neighbourhood's name"));
    let name = name.map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
    if name.as_ref().is_some_and(|n| n.chars().count() > NAME_LIMIT) {
        errors.add("name", format!("The name must be {NAME_LIMIT} characters or fewer"));
    }
    let (Some(name), true) = (name, errors.is_empty()) else {
        let typed = Typed { name: Some(posted.get("name").to_string()), ..Typed::default() };
        return form_page(&state, &staff, slug, typed, &errors, None).await;
    };
    let new_slug = db(&state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        neighbourhoods::rename(conn, hood.id, &name)
    })
    .await?;
    Ok(see_other(&format!("/staff/neighbourhoods/{new_slug}?renamed=1")))
}

pub async fn move_small_area(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    administrator(&staff)?;
    let slug = slug.into_inner();
    let typed = Typed {
        name: None,
        small_area: posted.get("small_area").to_string(),
        to: posted.get("to").to_string(),
    };
    let mut errors = FieldErrors::default();
    if typed.small_area.is_empty() {
        errors.add("small_area", "Choose the small area to move");
    }
    let to: Option<NeighbourhoodId> = typed.to.parse().ok();
    if to.is_none() {
        errors.add("to", "Choose the neighbourhood it should join");
    }
    let (Some(to), true) = (to, errors.is_empty()) else {
        return form_page(&state, &staff, slug, typed, &errors, None).await;
    };
    let (code, from) = (typed.small_area.clone(), slug.clone());
    let outcome = db(&state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &from)?;
        let band = neighbourhoods::band(conn)?.unwrap_or(DEFAULT_BAND);
        match neighbourhoods::move_small_area(conn, hood.id, &code, to, band) {
            Err(crate::store::StoreError::NotFound) => {
                Ok(Err(String::from("That neighbourhood no longer exists")))
            }
            other => other,
        }
    })
    .await?;
    match outcome {
        Ok((_, joined)) => Ok(see_other(&format!(
            "/staff/neighbourhoods/{slug}?moved={}&to={}",
            typed.small_area, joined.slug
        ))),
        Err(reason) => {
            errors.add("small_area", reason);
            form_page(&state, &staff, slug, typed, &errors, None).await
        }
    }
}
