//! `/events/...` and `/networks/{slug}/events...`: an event's page and its
//! calendar file, a network's events, and adding one. The work is in
//! `app::events`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Visitor};
use super::{page_with_status, see_other};
use crate::app::{events, members};
use crate::domain::events::EventForm;
use crate::domain::ids::EventId;
use crate::domain::moderation::Reported;
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::pages::map::Source;
use crate::state::AppState;

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<EventId>,
) -> Result<HttpResponse, AppError> {
    let event = events::page(&state, id.into_inner()).await?;
    let map = events::map(&state, &event).await?.map(|(shape, pin)| {
        let title = format!("Map of where {} is", event.title);
        pages::map::map(
            &title,
            std::slice::from_ref(&shape),
            std::slice::from_ref(&pin),
            Source::of(&visitor.frame),
        )
    });
    let moderator =
        crate::app::moderation::moderates_item(&state, visitor.user.as_ref(), Reported::Event(event.id))
            .await?;
    let page = pages::events::page(&visitor.frame, (&event, moderator), map, chrono::Utc::now());
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn calendar(state: web::Data<AppState>, id: web::Path<EventId>) -> Result<HttpResponse, AppError> {
    let (_, ics) = events::calendar(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"event.ics\""))
        .body(ics))
}

pub async fn of_network(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (network, upcoming, past) = events::of_network(&state, slug.into_inner()).await?;
    Ok(page_with_status(
        StatusCode::OK,
        pages::events::of_network(&visitor.frame, &network, &upcoming, &past),
    ))
}

pub async fn new(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    members::may_take_part(
        visitor.member.as_ref(),
        visitor.user.as_ref(),
        &format!("/networks/{slug}/events/new"),
    )?;
    let (network, venues) = events::form(&state, slug).await?;
    let form = EventForm { cost_kind: String::from("free"), ..EventForm::default() };
    let page = pages::events::new_event(&visitor.frame, &network, &venues, &form, &FieldErrors::default());
    Ok(page_with_status(StatusCode::OK, page))
}

fn event_form(posted: &CheckedForm) -> EventForm {
    EventForm {
        title: posted.get("title").into(),
        description: posted.get("description").into(),
        date: posted.get("date").into(),
        starts: posted.get("starts").into(),
        ends: posted.get("ends").into(),
        venue: posted.get("venue").into(),
        address: posted.get("address").into(),
        postcode: posted.get("postcode").into(),
        cost_kind: posted.get("cost_kind").into(),
        cost: posted.get("cost").into(),
        access: posted.get("access").into(),
        who_for: posted.get("who_for").into(),
        repeats: posted.get("repeats").into(),
        until: posted.get("until").into(),
    }
}

pub async fn add(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let member = members::acting(
        &state,
        visitor.member.clone(),
        visitor.user.as_ref(),
        &format!("/networks/{slug}/events/new"),
    )
    .await?;
    let form = event_form(&posted);
    match events::add(&state, &member, slug.clone(), &form).await? {
        Ok(id) => Ok(see_other(&format!("/events/{id}"))),
        Err(errors) => {
            let (network, venues) = events::form(&state, slug).await?;
            let page = pages::events::new_event(&visitor.frame, &network, &venues, &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}
