//! `/staff/services/...`: adding, changing, checking a service, and its
//! history. The work, and who may do it, is in `app::listings`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{page_with_status, see_other};
use crate::app::listings;
use crate::domain::ids::ServiceId;
use crate::domain::service_form::ServiceForm;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::pages::staff::FormMode;
use crate::state::AppState;

/// Reads the service form's fields from a posted form.
fn service_form(form: &CheckedForm) -> ServiceForm {
    ServiceForm {
        organisation: form.get("organisation").into(),
        name: form.get("name").into(),
        description: form.get("description").into(),
        status: form.get("status").into(),
        needs: form.all("needs"),
        referral_route: form.get("referral_route").into(),
        eligibility: form.get("eligibility").into(),
        min_age: form.get("min_age").into(),
        max_age: form.get("max_age").into(),
        cost: form.get("cost").into(),
        cost_description: form.get("cost_description").into(),
        delivery: form.all("delivery"),
        languages: form.get("languages").into(),
        area: form.get("area").into(),
        area_radius_km: form.get("area_radius_km").into(),
        capacity: form.get("capacity").into(),
        email: form.get("email").into(),
        phone: form.get("phone").into(),
        website: form.get("website").into(),
        reason: form.get("reason").into(),
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    mode: FormMode<'_>,
    form: &ServiceForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let organisations = listings::organisation_choices(state, &staff.user).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = pages::staff::service_form(&staff.frame, &mode, form, errors, &state.taxonomy, &organisations);
    Ok(page_with_status(status, page))
}

pub async fn new(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let form = listings::new_service_form(&staff.user)?;
    form_page(&state, &staff, FormMode::New, &form, &FieldErrors::default()).await
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = service_form(&posted);
    match listings::create_service(&state, &staff.user, &form).await? {
        Ok(id) => Ok(see_other(&format!("/services/{id}"))),
        Err(errors) => form_page(&state, &staff, FormMode::New, &form, &errors).await,
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
) -> Result<HttpResponse, AppError> {
    let input = listings::service_for_editing(&state, &staff.user, *id).await?;
    let mode = FormMode::Edit { id: *id, name: &input.name };
    form_page(&state, &staff, mode, &input.to_form(), &FieldErrors::default()).await
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = service_form(&posted);
    match listings::update_service(&state, &staff.user, *id, &form).await? {
        Ok(()) => Ok(see_other(&format!("/services/{id}"))),
        Err(errors) => {
            let name = listings::service_for_editing(&state, &staff.user, *id).await?.name;
            form_page(&state, &staff, FormMode::Edit { id: *id, name: &name }, &form, &errors).await
        }
    }
}

pub async fn verify(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::verify_service(&state, &staff.user, *id).await?;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
) -> Result<Markup, AppError> {
    let (name, changes) = listings::history(&state, &staff.user, *id).await?;
    Ok(pages::staff::history(&staff.frame, *id, &name, &changes))
}
