//! `/staff/speakers`: members who ask to speak for an organisation, and
//! those who do; its editor or a connector agrees, refuses or ends it. The
//! work, and who may do it, is in `app::members`.

use actix_web::{HttpResponse, web};
use maud::Markup;

use super::super::see_other;
use super::super::session::{CheckedForm, Staff};
use crate::app::members;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<Markup, AppError> {
    let listed = members::speakers(&state, &staff.user).await?;
    Ok(pages::staff::speakers::index(&staff.frame, &listed))
}

/// `POST /staff/speakers/{id}`: agree, refuse or end.
pub async fn decide(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    members::decide_speaker(&state, &staff.user, id.into_inner(), form.get("action")).await?;
    Ok(see_other("/staff/speakers"))
}
