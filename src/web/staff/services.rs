//! `/staff/services/...`: adding, changing, checking, archiving and
//! restoring a service, and its history. The work, and who may do it, is in
//! `app::listings::services`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{QueryPairs, page_with_status, see_other};
use crate::app::listings::services as listings;
use crate::domain::ids::{OrganisationId, ServiceId};
use crate::domain::schedule_form::MOST_ROWS;
use crate::domain::service_form::{ContactForm, PartsForm, PhoneForm, ServiceForm};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages::staff::services::{FormMode, Offered};
use crate::pages::{self, staff::history};
use crate::state::AppState;

/// Reads the service form's fields from a posted form. Rows beyond the
/// most a service keeps are not read (the check says so).
fn service_form(form: &CheckedForm) -> ServiceForm {
    let times = super::times_rows(form);
    let contacts = (0..form.rows("contacts", MOST_ROWS + 1))
        .map(|n| {
            let f = |field: &str| format!("contacts-{n}-{field}");
            ContactForm {
                id: form.get(&f("id")).into(),
                name: form.get(&f("name")).into(),
                title: form.get(&f("title")).into(),
                phone: form.get(&f("phone")).into(),
                email: form.get(&f("email")).into(),
                shown: form.get(&f("shown")) == "yes",
            }
        })
        .collect();
    let phones = (0..form.rows("phones", MOST_ROWS + 1))
        .map(|n| PhoneForm {
            number: form.get(&format!("phones-{n}-number")).into(),
            description: form.get(&format!("phones-{n}-description")).into(),
        })
        .collect();
    ServiceForm {
        organisation: form.get("organisation").into(),
        organisation_search: form.get("organisation_search").into(),
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
        not_duplicate: form.get("not_duplicate") == "yes",
        parts: PartsForm {
            venues: form.all("venues"),
            venue_search: form.get("venue_search").into(),
            times,
            contacts,
            phones,
            neighbourhoods: form.all("neighbourhoods"),
        },
        reason: form.get("reason").into(),
    }
}

/// The form, with what it offers, its blank rows and `more` (the list whose
/// "add another" was pressed) readied; 422 with its problems.
async fn form_page(
    state: &AppState,
    staff: &Staff,
    mode: FormMode<'_>,
    mut form: ServiceForm,
    (errors, looks_like): (&FieldErrors, &[(ServiceId, String)]),
    more: &str,
) -> Result<HttpResponse, AppError> {
    let linked = match mode {
        FormMode::Edit { id, .. } => listings::for_editing(state, &staff.user, id)
            .await?
            .parts
            .venues
            .iter()
            .map(|(v, _)| *v)
            .collect(),
        FormMode::New => Vec::new(),
    };
    let choices = listings::choices(state, &staff.user, &form, linked).await?;
    form.parts.ready_to_show(more);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let offered = Offered {
        needs: &state.taxonomy,
        organisations: &choices.organisations,
        venues: &choices.venues,
        neighbourhoods: &choices.neighbourhoods,
        looks_like,
    };
    let page = pages::staff::services::form(&staff.frame, &mode, &form, errors, &offered);
    Ok(page_with_status(status, page))
}

pub async fn new(
    state: web::Data<AppState>,
    staff: Staff,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let organisation = query.get("organisation").parse::<OrganisationId>().ok();
    let form = listings::new_form(&staff.user, organisation)?;
    form_page(&state, &staff, FormMode::New, form, (&FieldErrors::default(), &[]), "").await
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = service_form(&posted);
    let step = posted.get("step");
    if !step.is_empty() {
        // "Add another", "Show the venues", "Read the times back": the form
        // again, nothing saved.
        listings::new_form(&staff.user, None)?;
        return form_page(&state, &staff, FormMode::New, form, (&FieldErrors::default(), &[]), step).await;
    }
    match listings::create(&state, &staff.user, &form).await? {
        Ok(saved) => Ok(super::after_saving(saved, |id| format!("/services/{id}"))),
        Err((errors, alike)) => form_page(&state, &staff, FormMode::New, form, (&errors, &alike), "").await,
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
) -> Result<HttpResponse, AppError> {
    let edit = listings::for_editing(&state, &staff.user, *id).await?;
    let mode = FormMode::Edit { id: *id, name: &edit.details.name };
    form_page(&state, &staff, mode, edit.to_form(), (&FieldErrors::default(), &[]), "").await
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = service_form(&posted);
    let step = posted.get("step");
    let name = listings::for_editing(&state, &staff.user, *id).await?.details.name;
    let mode = FormMode::Edit { id: *id, name: &name };
    if !step.is_empty() {
        return form_page(&state, &staff, mode, form, (&FieldErrors::default(), &[]), step).await;
    }
    match listings::update(&state, &staff.user, *id, &form).await? {
        Ok(saved) => Ok(super::after_saving(saved, |()| format!("/services/{id}"))),
        Err(errors) => form_page(&state, &staff, mode, form, (&errors, &[]), "").await,
    }
}

pub async fn verify(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::verify(&state, &staff.user, *id).await?;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn archive(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::archive(&state, &staff.user, *id, true).await?;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn restore(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    listings::archive(&state, &staff.user, *id, false).await?;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn merge(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let into = listings::merge(&state, &staff.user, *id, posted.get("into")).await?;
    Ok(see_other(&format!("/services/{into}")))
}

pub async fn history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ServiceId>,
) -> Result<Markup, AppError> {
    let (name, changes) = listings::history(&state, &staff.user, *id).await?;
    Ok(history::record(&staff.frame, (&format!("/services/{id}"), &name), &changes, &state.taxonomy))
}
