//! `/staff/organisations/...`: adding, changing, archiving and restoring an
//! organisation, and its history. The work, and who may do it, is in
//! `app::listings::organisations`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{page_with_status, see_other};
use crate::app::listings::organisations as listings;
use crate::domain::ids::OrganisationId;
use crate::domain::organisation_form::OrganisationForm;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages::staff::organisations::FormMode;
use crate::pages::{self, staff::history};
use crate::state::AppState;

fn organisation_form(form: &CheckedForm) -> OrganisationForm {
    OrganisationForm {
        name: form.get("name").into(),
        description: form.get("description").into(),
        kind: form.get("kind").into(),
        charity_number: form.get("charity_number").into(),
        company_number: form.get("company_number").into(),
        website: form.get("website").into(),
        email: form.get("email").into(),
        phone: form.get("phone").into(),
        not_duplicate: form.get("not_duplicate") == "yes",
        reason: form.get("reason").into(),
    }
}

fn form_page(
    staff: &Staff,
    mode: &FormMode<'_>,
    form: &OrganisationForm,
    errors: &FieldErrors,
) -> HttpResponse {
    shown(staff, mode, form, (errors, &[]))
}

/// The form, with the organisations it looks like when that stopped it being saved.
fn shown(
    staff: &Staff,
    mode: &FormMode<'_>,
    form: &OrganisationForm,
    (errors, alike): (&FieldErrors, &[(OrganisationId, String)]),
) -> HttpResponse {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page_with_status(status, pages::staff::organisations::form(&staff.frame, mode, form, errors, alike))
}

pub async fn new(staff: Staff) -> Result<HttpResponse, AppError> {
    let form = listings::new_form(&staff.user)?;
    Ok(form_page(&staff, &FormMode::New, &form, &FieldErrors::default()))
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = organisation_form(&posted);
    match listings::create(&state, &staff.user, &form).await? {
        Ok(id) => Ok(see_other(&format!("/organisations/{id}"))),
        Err((errors, alike)) => Ok(shown(&staff, &FormMode::New, &form, (&errors, &alike))),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<OrganisationId>,
) -> Result<HttpResponse, AppError> {
    let (organisation, archived) = listings::for_editing(&state, &staff.user, *id).await?;
    let mode =
        FormMode::Edit { id: *id, name: &organisation.name, archived, archives: staff.user.keeps_listings() };
    Ok(form_page(&staff, &mode, &OrganisationForm::of(&organisation), &FieldErrors::default()))
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<OrganisationId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = organisation_form(&posted);
    match listings::update(&state, &staff.user, *id, &form).await? {
        Ok(saved) => Ok(super::after_saving(saved, |()| format!("/organisations/{id}"))),
        Err(errors) => {
            let (organisation, archived) = listings::for_editing(&state, &staff.user, *id).await?;
            let mode = FormMode::Edit {
                id: *id,
                name: &organisation.name,
                archived,
                archives: staff.user.keeps_listings(),
            };
            Ok(form_page(&staff, &mode, &form, &errors))
        }
    }
}

pub async fn archive(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<OrganisationId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::archive(&state, &staff.user, *id, true).await?;
    Ok(see_other(&format!("/staff/organisations/{id}/edit")))
}

pub async fn restore(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<OrganisationId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::archive(&state, &staff.user, *id, false).await?;
    Ok(see_other(&format!("/staff/organisations/{id}/edit")))
}

pub async fn merge(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<OrganisationId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let into = listings::merge(&state, &staff.user, *id, posted.get("into")).await?;
    Ok(see_other(&format!("/organisations/{into}")))
}

pub async fn history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<OrganisationId>,
) -> Result<Markup, AppError> {
    let (name, changes) = listings::history(&state, &staff.user, *id).await?;
    Ok(history::record(&staff.frame, (&format!("/organisations/{id}"), &name), &changes, &state.taxonomy))
}
