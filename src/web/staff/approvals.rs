//! `/staff/approvals/...`: the approval queue, a proposal beside the listing
//! as it is, and accepting or rejecting it. The work, and who may do it, is
//! in `app::listings::approvals`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::session::{CheckedForm, Staff};
use super::super::{page_with_status, see_other};
use crate::app::listings::approvals;
use crate::domain::ids::ProposalId;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    let (waiting, decided) = approvals::queue(&state, &staff.user).await?;
    Ok(pages::staff::approvals::index(&staff.frame, &waiting, &decided))
}

/// A proposal's page, with the rejection's reason as typed and its problem.
async fn page(
    state: &AppState,
    staff: &Staff,
    id: ProposalId,
    why: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let shown = approvals::show(state, &staff.user, id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(page_with_status(
        status,
        pages::staff::approvals::show(&staff.frame, &shown, &state.taxonomy, why, errors),
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ProposalId>,
) -> Result<HttpResponse, AppError> {
    page(&state, &staff, *id, "", &FieldErrors::default()).await
}

pub async fn accept(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ProposalId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    approvals::accept(&state, &staff.user, *id, posted.get("note")).await?;
    Ok(see_other(&format!("/staff/approvals/{id}")))
}

pub async fn reject(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<ProposalId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    match approvals::reject(&state, &staff.user, *id, posted.get("why")).await? {
        Ok(()) => Ok(see_other(&format!("/staff/approvals/{id}"))),
        Err(errors) => page(&state, &staff, *id, posted.get("why"), &errors).await,
    }
}
