//! `/staff/venues/...`: adding, changing, archiving and restoring a venue,
//! and its history. The work, and who may do it, is in
//! `app::listings::venues`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{QueryPairs, page_with_status, see_other};
use crate::app::listings::venues as listings;
use crate::domain::ids::{LocationId, OrganisationId};
use crate::domain::text::FieldErrors;
use crate::domain::venue_form::VenueForm;
use crate::error::AppError;
use crate::pages::staff::venues::FormMode;
use crate::pages::{self, staff::history};
use crate::state::AppState;

fn venue_form(form: &CheckedForm) -> VenueForm {
    VenueForm {
        organisation: form.get("organisation").into(),
        name: form.get("name").into(),
        address_1: form.get("address_1").into(),
        address_2: form.get("address_2").into(),
        town: form.get("town").into(),
        postcode: form.get("postcode").into(),
        step_free: form.get("step_free").into(),
        accessible_toilet: form.get("accessible_toilet").into(),
        hearing_loop: form.get("hearing_loop").into(),
        parking: form.get("parking").into(),
        public_transport: form.get("public_transport").into(),
        confidential: form.get("confidential") == "yes",
        entry_point: form.get("entry_point") == "yes",
        times: super::times_rows(form),
        reason: form.get("reason").into(),
    }
}

/// The form, its rows of times readied (`more`: the list whose "add
/// another" was pressed); 422 with its problems.
async fn form_page(
    state: &AppState,
    staff: &Staff,
    mode: &FormMode<'_>,
    mut form: VenueForm,
    errors: &FieldErrors,
    more: &str,
) -> Result<HttpResponse, AppError> {
    form.ready_to_show(more);
    let organisations = listings::organisation_choices(state, &staff.user).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let sees = staff.user.may_see_confidential();
    Ok(page_with_status(
        status,
        pages::staff::venues::form(&staff.frame, mode, &form, errors, &organisations, sees),
    ))
}

pub async fn new(
    state: web::Data<AppState>,
    staff: Staff,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let form = listings::new_form(&staff.user, query.get("organisation").parse::<OrganisationId>().ok())?;
    form_page(&state, &staff, &FormMode::New, form, &FieldErrors::default(), "").await
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = venue_form(&posted);
    let step = posted.get("step");
    if !step.is_empty() {
        // "Add another time": the form again, nothing saved.
        listings::new_form(&staff.user, None)?;
        return form_page(&state, &staff, &FormMode::New, form, &FieldErrors::default(), step).await;
    }
    match listings::create(&state, &staff.user, &form).await? {
        Ok(saved) => Ok(super::after_saving(saved, |id| format!("/staff/venues/{id}/edit"))),
        Err(errors) => form_page(&state, &staff, &FormMode::New, form, &errors, "").await,
    }
}

/// The edit page of a venue, with `form` as typed.
async fn edit_page(
    state: &AppState,
    staff: &Staff,
    id: LocationId,
    (form, more): (Option<VenueForm>, &str),
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let editing = listings::for_editing(state, &staff.user, id).await?;
    let mode = FormMode::Edit {
        id,
        name: &editing.venue.location.name,
        archived: editing.archived,
        archives: staff.user.keeps_listings(),
        neighbourhood: editing.neighbourhood.as_deref(),
        services: editing.services,
    };
    let form = form.unwrap_or_else(|| VenueForm::of(&editing.venue.location, &editing.hours));
    form_page(state, staff, &mode, form, errors, more).await
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<LocationId>,
) -> Result<HttpResponse, AppError> {
    edit_page(&state, &staff, *id, (None, ""), &FieldErrors::default()).await
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<LocationId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = venue_form(&posted);
    let step = posted.get("step");
    if !step.is_empty() {
        return edit_page(&state, &staff, *id, (Some(form), step), &FieldErrors::default()).await;
    }
    match listings::update(&state, &staff.user, *id, &form).await? {
        Ok(saved) => Ok(super::after_saving(saved, |()| format!("/staff/venues/{id}/edit"))),
        Err(errors) => edit_page(&state, &staff, *id, (Some(form), ""), &errors).await,
    }
}

pub async fn archive(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<LocationId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::archive(&state, &staff.user, *id, true).await?;
    Ok(see_other(&format!("/staff/venues/{id}/edit")))
}

pub async fn restore(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<LocationId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::archive(&state, &staff.user, *id, false).await?;
    Ok(see_other(&format!("/staff/venues/{id}/edit")))
}

pub async fn history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<LocationId>,
) -> Result<Markup, AppError> {
    let (name, changes) = listings::history(&state, &staff.user, *id).await?;
    Ok(history::record(&staff.frame, (&format!("/staff/venues/{id}/edit"), &name), &changes, &state.taxonomy))
}
