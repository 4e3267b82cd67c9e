//! `/services/{id}/notices…`: posting a notice about a service. The work,
//! and whether it is shown or suggested, is in `app::notices`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Visitor};
use super::{page_with_status, see_other};
use crate::app::listings::suggestions;
use crate::app::members;
use crate::app::notices::{self, Posted};
use crate::domain::ids::ServiceId;
use crate::domain::networks::NoticeForm;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn new(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ServiceId>,
) -> Result<HttpResponse, AppError> {
    let service = id.into_inner();
    members::may_take_part(
        visitor.member.as_ref(),
        visitor.user.as_ref(),
        &format!("/services/{service}/notices/new"),
    )?;
    let name = suggestions::about(&state, service).await?;
    let page = pages::notices::form(
        &visitor.frame,
        (service, &name),
        &NoticeForm::default(),
        &FieldErrors::default(),
    );
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn post(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ServiceId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let service = id.into_inner();
    let member = members::acting(
        &state,
        visitor.member.clone(),
        visitor.user.as_ref(),
        &format!("/services/{service}/notices/new"),
    )
    .await?;
    let form = NoticeForm { body: posted.get("body").into(), capacity: posted.get("capacity").into() };
    match notices::post(&state, (&member, visitor.user.as_ref()), service, &form).await? {
        Ok(Posted::Shown) => Ok(see_other(&format!("/services/{service}#notices-title"))),
        Ok(Posted::Suggested) => {
            let name = suggestions::about(&state, service).await?;
            Ok(page_with_status(StatusCode::OK, pages::notices::suggested(&visitor.frame, service, &name)))
        }
        Err(errors) => {
            let name = suggestions::about(&state, service).await?;
            let page = pages::notices::form(&visitor.frame, (service, &name), &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}
