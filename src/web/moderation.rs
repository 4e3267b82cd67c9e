//! `/staff/moderation/...`: the moderation queue, one post and what is done
//! to it, an event or notice hidden or its reports closed, lifting a
//! suspension, a network's setting and the log; and `/posts/{id}/report`,
//! `/events/{id}/report` and `/notices/{id}/report`, a member reporting one. The work, and who may
//! do it, is in `app::moderation`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Staff, Visitor};
use super::{page_with_status, see_other};
use crate::app::members;
use crate::app::moderation::{self, Action};
use crate::domain::ids::{EventId, NoticeId, PostId};
use crate::domain::moderation::{ItemAction, ReportForm, Reported};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

pub async fn queue(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let queue = moderation::queue(&state, &staff.user).await?;
    let waiting = (queue.items.as_slice(), queue.reported.as_slice());
    let page = pages::moderation::queue(&staff.frame, waiting, &queue.networks, &queue.suspensions);
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn log(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    let lines = moderation::log(&state, &staff.user).await?;
    Ok(page_with_status(StatusCode::OK, pages::moderation::log(&staff.frame, &lines)))
}

pub async fn post(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let item = moderation::post(&state, &staff.user, id.into_inner()).await?;
    let everywhere = staff.user.manages_neighbourhoods();
    let page = pages::moderation::post(&staff.frame, &item, everywhere, ("", "", &FieldErrors::default()));
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn act(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<PostId>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let post = id.into_inner();
    let (code, why) = (form.get("action"), form.get("reason"));
    let Some(action) = Action::from_code(code) else {
        let item = moderation::post(&state, &staff.user, post).await?;
        let mut errors = FieldErrors::default();
        errors.add("action", "Choose what to do");
        let everywhere = staff.user.manages_neighbourhoods();
        let page = pages::moderation::post(&staff.frame, &item, everywhere, (code, why, &errors));
        return Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    match moderation::act(&state, &staff.user, post, action, why).await? {
        Ok(()) => Ok(see_other(&format!("/staff/moderation/posts/{post}"))),
        Err(errors) => {
            let item = moderation::post(&state, &staff.user, post).await?;
            let everywhere = staff.user.manages_neighbourhoods();
            let page = pages::moderation::post(&staff.frame, &item, everywhere, (code, why, &errors));
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

pub async fn lift(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    match moderation::lift(&state, &staff.user, id.into_inner(), form.get("reason")).await? {
        Ok(()) => Ok(see_other("/staff/moderation")),
        Err(errors) => Err(AppError::BadRequest(
            errors.get("reason").unwrap_or("Say why the suspension is lifted.").to_string(),
        )),
    }
}

pub async fn settings(
    state: web::Data<AppState>,
    staff: Staff,
    slug: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let on = match form.get("approve") {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    moderation::set_approval(&state, &staff.user, slug.into_inner(), on).await?;
    Ok(see_other("/staff/moderation"))
}

pub async fn report_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let post = id.into_inner();
    members::may_take_part(visitor.member.as_ref(), visitor.user.as_ref(), &format!("/posts/{post}/report"))?;
    let found = moderation::reportable(&state, post).await?;
    let page = pages::moderation::report(
        &visitor.frame,
        (&found.0, &found.1),
        post,
        &ReportForm::default(),
        &FieldErrors::default(),
    );
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn report(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PostId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let post = id.into_inner();
    let member = members::acting(
        &state,
        visitor.member.clone(),
        visitor.user.as_ref(),
        &format!("/posts/{post}/report"),
    )
    .await?;
    let form = ReportForm { reason: posted.get("reason").into(), details: posted.get("details").into() };
    match moderation::report(&state, &member, post, &form).await? {
        Ok(thread) => {
            Ok(page_with_status(StatusCode::OK, pages::moderation::reported(&visitor.frame, &thread)))
        }
        Err(errors) => {
            let found = moderation::reportable(&state, post).await?;
            let page = pages::moderation::report(&visitor.frame, (&found.0, &found.1), post, &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

/// `POST /staff/moderation/events/{id}`: hides an event (with why), shows
/// it again, or leaves it and closes its reports.
pub async fn event(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<EventId>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    act_on_item(&state, &staff, Reported::Event(id.into_inner()), &form).await
}

/// `POST /staff/moderation/notices/{id}`: the same for a notice.
pub async fn notice(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<NoticeId>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    act_on_item(&state, &staff, Reported::Notice(id.into_inner()), &form).await
}

async fn act_on_item(
    state: &AppState,
    staff: &Staff,
    item: Reported,
    form: &CheckedForm,
) -> Result<HttpResponse, AppError> {
    let action = ItemAction::from_code(form.get("action"));
    match moderation::act_on_item(state, &staff.user, item, action, form.get("reason")).await? {
        Ok(()) => Ok(see_other("/staff/moderation/log")),
        Err(errors) => {
            Err(AppError::BadRequest(errors.get("reason").unwrap_or("Say why it is hidden.").to_string()))
        }
    }
}

/// `GET /events/{id}/report`.
pub async fn report_event_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<EventId>,
) -> Result<HttpResponse, AppError> {
    report_item_form(&state, &visitor, Reported::Event(id.into_inner())).await
}

/// `POST /events/{id}/report`.
pub async fn report_event(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<EventId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    report_item(&state, &visitor, Reported::Event(id.into_inner()), &posted).await
}

/// `GET /notices/{id}/report`.
pub async fn report_notice_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<NoticeId>,
) -> Result<HttpResponse, AppError> {
    report_item_form(&state, &visitor, Reported::Notice(id.into_inner())).await
}

/// `POST /notices/{id}/report`.
pub async fn report_notice(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<NoticeId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    report_item(&state, &visitor, Reported::Notice(id.into_inner()), &posted).await
}

async fn report_item_form(
    state: &AppState,
    visitor: &Visitor,
    item: Reported,
) -> Result<HttpResponse, AppError> {
    members::may_take_part(visitor.member.as_ref(), visitor.user.as_ref(), &item.report_path())?;
    let shown = moderation::reportable_item(state, item).await?;
    let page = pages::moderation::report_item(
        &visitor.frame,
        &shown,
        &ReportForm::default(),
        &FieldErrors::default(),
    );
    Ok(page_with_status(StatusCode::OK, page))
}

async fn report_item(
    state: &AppState,
    visitor: &Visitor,
    item: Reported,
    posted: &CheckedForm,
) -> Result<HttpResponse, AppError> {
    let member =
        members::acting(state, visitor.member.clone(), visitor.user.as_ref(), &item.report_path()).await?;
    let form = ReportForm { reason: posted.get("reason").into(), details: posted.get("details").into() };
    match moderation::report_item(state, &member, item, &form).await? {
        Ok(shown) => Ok(page_with_status(
            StatusCode::OK,
            pages::moderation::reported_item_sent(&visitor.frame, &shown),
        )),
        Err(errors) => {
            let shown = moderation::reportable_item(state, item).await?;
            let page = pages::moderation::report_item(&visitor.frame, &shown, &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}
