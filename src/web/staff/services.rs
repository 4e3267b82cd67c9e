//! `/staff/services/...`: adding, changing, checking a service, and its history.
//! Every change goes through the store with its change history in the same
//! transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{db, page_with_status, path_id, see_other};
use crate::domain::accounts::{Role, StaffUser};
use crate::domain::ids::{OrganisationId, ServiceId};
use crate::domain::needs::Need;
use crate::domain::service_form::ServiceForm;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::jobs::index_sync;
use crate::pages;
use crate::pages::staff::FormMode;
use crate::state::AppState;
use crate::store::changes::{self, RecordKind};
use crate::store::{needs, organisations, services};

/// Brings the search index up to date with a change just saved, so that it
/// shows in search by the time the page comes back. The save itself is already
/// safe: if this fails, the change stays queued and the background job
/// indexes it within a second.
async fn reindex(state: &AppState) {
    let (store, search) = (state.store.clone(), state.search.clone());
    let result = web::block(move || index_sync::sync(&store, &search, Utc::now().date_naive())).await;
    if let Ok(Err(error)) = result {
        tracing::warn!(%error, "a saved change was not indexed straight away; it stays queued");
    }
}

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

/// What the form offers: the taxonomy, and the organisations this person may
/// list services for.
async fn choices(
    state: &AppState,
    user: &StaffUser,
) -> Result<(Vec<Need>, Vec<(OrganisationId, String)>), AppError> {
    let only = (user.role == Role::OrganisationEditor).then_some(user.organisation).flatten();
    db(state, move |conn| {
        let mut organisations = organisations::choices(conn)?;
        if let Some(own) = only {
            organisations.retain(|(id, _)| *id == own);
        }
        Ok((needs::all(conn)?, organisations))
    })
    .await
}

/// Refuses anyone who may not edit the service, or 404 if there is none.
async fn editable(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    let (organisation, neighbourhoods) = db(state, move |conn| services::scope(conn, id)).await?;
    if user.may_edit_listing(organisation, &neighbourhoods) { Ok(()) } else { Err(AppError::Forbidden) }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    mode: FormMode<'_>,
    form: &ServiceForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (all_needs, organisations) = choices(state, &staff.user).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = pages::staff::service_form(&staff.frame, &mode, form, errors, &all_needs, &organisations);
    Ok(page_with_status(status, page))
}

/// Checks a posted service form: its fields, that its organisation exists,
/// and that this person may list services for it.
async fn check(
    state: &AppState,
    user: &StaffUser,
    form: &ServiceForm,
) -> Result<Result<crate::domain::service_form::ServiceInput, FieldErrors>, AppError> {
    let known = db(state, needs::leaf_slugs).await?;
    let input = match form.check(&known) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let organisation = input.organisation;
    if !db(state, move |conn| organisations::exists(conn, organisation)).await? {
        let mut errors = FieldErrors::default();
        errors.add("organisation", "Choose the organisation that runs the service");
        return Ok(Err(errors));
    }
    if !user.may_edit_listing(organisation, &[]) {
        return Err(AppError::Forbidden);
    }
    Ok(Ok(input))
}

pub async fn new(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    if !staff.user.edits_listings() {
        return Err(AppError::Forbidden);
    }
    let form = ServiceForm {
        organisation: staff.user.organisation.map(|o| o.to_string()).unwrap_or_default(),
        status: "active".into(),
        area: "local".into(),
        capacity: "unknown".into(),
        languages: "English".into(),
        ..ServiceForm::default()
    };
    form_page(&state, &staff, FormMode::New, &form, &FieldErrors::default()).await
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    if !staff.user.edits_listings() {
        return Err(AppError::Forbidden);
    }
    let form = service_form(&posted);
    let input = match check(&state, &staff.user, &form).await? {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &staff, FormMode::New, &form, &errors).await,
    };
    let (by, reason, now) = (staff.user.id, form.reason(), Utc::now().naive_utc());
    let id =
        db(&state, move |conn| services::create(conn, &input, by, reason.as_deref(), now)).await?;
    reindex(&state).await;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn edit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: ServiceId = path_id(&id)?;
    editable(&state, &staff.user, id).await?;
    let input = db(&state, move |conn| services::input(conn, id)).await?;
    let name = input.name.clone();
    form_page(&state, &staff, FormMode::Edit { id, name: &name }, &input.to_form(), &FieldErrors::default())
        .await
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let id: ServiceId = path_id(&id)?;
    editable(&state, &staff.user, id).await?;
    let form = service_form(&posted);
    let input = match check(&state, &staff.user, &form).await? {
        Ok(input) => input,
        Err(errors) => {
            let name = db(&state, move |conn| services::input(conn, id)).await?.name;
            return form_page(&state, &staff, FormMode::Edit { id, name: &name }, &form, &errors).await;
        }
    };
    let (by, reason, now) = (staff.user.id, form.reason(), Utc::now().naive_utc());
    db(&state, move |conn| services::update(conn, id, &input, by, reason.as_deref(), now)).await?;
    reindex(&state).await;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn verify(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    _posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let id: ServiceId = path_id(&id)?;
    editable(&state, &staff.user, id).await?;
    let (by, now) = (staff.user.id, Utc::now().naive_utc());
    db(&state, move |conn| services::verify(conn, id, by, now)).await?;
    reindex(&state).await;
    Ok(see_other(&format!("/services/{id}")))
}

pub async fn history(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<Markup, AppError> {
    let id: ServiceId = path_id(&id)?;
    editable(&state, &staff.user, id).await?;
    let (name, changes) = db(&state, move |conn| {
        let name = services::input(conn, id)?.name;
        Ok((name, changes::history(conn, RecordKind::Service, &id.to_string())?))
    })
    .await?;
    Ok(pages::staff::history(&staff.frame, id, &name, &changes))
}
