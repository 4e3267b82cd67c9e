//! `/networks/...`, `/threads/...` and `/posts/...`: the networks, following
//! one, starting a thread, a thread's page, replying and changing a post;
//! and `/staff/networks/...`, making a place-based network. The work, and
//! who may do it, is in `app::networks`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Staff, Visitor};
use super::{QueryPairs, page_with_status, see_other};
use crate::app::{members, networks};
use crate::domain::ids::{PostId, ThreadId};
use crate::domain::networks::{Member, NetworkForm, ThreadForm};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::state::AppState;

/// The page asked for (from 1); anything else is the first.
fn page_of(query: &QueryPairs) -> usize {
    query.get("page").parse().unwrap_or(1).max(1)
}

/// Who takes part: the member, or a member of staff; anyone else is sent
/// to sign in or join, and back to `next`.
async fn acting(state: &AppState, visitor: &Visitor, next: &str) -> Result<Member, AppError> {
    members::acting(state, visitor.member.clone(), visitor.user.as_ref(), next).await
}

pub async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let all = networks::list(&state).await?;
    let may_create = visitor.user.as_ref().is_some_and(|u| u.keeps_listings());
    Ok(page_with_status(StatusCode::OK, pages::networks::list(&visitor.frame, &all, may_create)))
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let shown =
        networks::network_page(&state, slug.into_inner(), page_of(&query), visitor.member.as_ref()).await?;
    let signed_in = visitor.member.is_some() || visitor.user.is_some();
    Ok(page_with_status(StatusCode::OK, pages::networks::network(&visitor.frame, &shown, signed_in)))
}

async fn set_following(
    state: &AppState,
    visitor: &Visitor,
    slug: String,
    follow: bool,
) -> Result<HttpResponse, AppError> {
    let here = format!("/networks/{slug}");
    let member = acting(state, visitor, &here).await?;
    networks::follow(state, &member, slug, follow).await?;
    Ok(see_other(&here))
}

pub async fn follow(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    set_following(&state, &visitor, slug.into_inner(), true).await
}

pub async fn unfollow(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    set_following(&state, &visitor, slug.into_inner(), false).await
}

pub async fn new_thread(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let here = format!("/networks/{slug}/threads/new");
    members::may_take_part(visitor.member.as_ref(), visitor.user.as_ref(), &here)?;
    let (network, needs) = networks::new_thread(&state, slug.into_inner()).await?;
    let about = query.get("about");
    let form = ThreadForm { about: (!about.is_empty()).then(|| about.to_string()), ..ThreadForm::default() };
    let page = pages::networks::new_thread(&visitor.frame, &network, &needs, &form, &FieldErrors::default());
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn start_thread(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let member = acting(&state, &visitor, &format!("/networks/{slug}/threads/new")).await?;
    let about = posted.get("about");
    let form = ThreadForm {
        title: posted.get("title").into(),
        body: posted.get("body").into(),
        needs: posted.all("needs"),
        about: (!about.is_empty()).then(|| about.to_string()),
    };
    match networks::start_thread(&state, &member, slug.clone(), &form).await? {
        Ok(thread) => Ok(see_other(&format!("/threads/{thread}"))),
        Err(errors) => {
            let (network, needs) = networks::new_thread(&state, slug).await?;
            let page = pages::networks::new_thread(&visitor.frame, &network, &needs, &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

pub async fn thread(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ThreadId>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    // A member of staff who has not taken part yet is no member: they may
    // still reply (and become one when they do).
    let who = (visitor.member.as_ref(), visitor.user.as_ref());
    let shown = networks::thread_page(&state, id.into_inner(), page_of(&query), who).await?;
    Ok(page_with_status(
        StatusCode::OK,
        pages::networks::thread(&visitor.frame, &shown, "", &FieldErrors::default()),
    ))
}

pub async fn reply(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ThreadId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let thread = id.into_inner();
    let member = acting(&state, &visitor, &format!("/threads/{thread}")).await?;
    let body = posted.get("body");
    match networks::reply(&state, &member, thread, body).await? {
        Ok(shown_at) => Ok(see_other(&shown_at)),
        Err(errors) => {
            let who = (Some(&member), visitor.user.as_ref());
            let shown = networks::thread_page(&state, thread, usize::MAX, who).await?;
            let page = pages::networks::thread(&visitor.frame, &shown, body, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

pub async fn edit_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let post = id.into_inner();
    let Some(member) = visitor.member.clone() else {
        // Only a post's author may change it: a member of staff who has not
        // taken part has none.
        members::may_take_part(None, visitor.user.as_ref(), &format!("/posts/{post}/edit"))?;
        return Err(AppError::Forbidden);
    };
    let (found, thread) = networks::editable_post(&state, &member, post).await?;
    let page =
        pages::networks::edit_post(&visitor.frame, &thread, post, &found.body, &FieldErrors::default());
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn save_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<PostId>,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let post = id.into_inner();
    let member = acting(&state, &visitor, &format!("/posts/{post}/edit")).await?;
    let body = posted.get("body");
    match networks::edit_post(&state, &member, post, body).await? {
        Ok(shown_at) => Ok(see_other(&shown_at)),
        Err(errors) => {
            let (_, thread) = networks::editable_post(&state, &member, post).await?;
            let page = pages::networks::edit_post(&visitor.frame, &thread, post, body, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

pub async fn new_network(staff: Staff) -> Result<HttpResponse, AppError> {
    crate::app::require(staff.user.keeps_listings())?;
    let page = pages::networks::new_network(&staff.frame, &NetworkForm::default(), &FieldErrors::default());
    Ok(page_with_status(StatusCode::OK, page))
}

pub async fn create_network(
    state: web::Data<AppState>,
    staff: Staff,
    posted: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let form = NetworkForm { name: posted.get("name").into(), about: posted.get("about").into() };
    match networks::create(&state, &staff.user, &form).await? {
        Ok(slug) => Ok(see_other(&format!("/networks/{slug}"))),
        Err(errors) => {
            let page = pages::networks::new_network(&staff.frame, &form, &errors);
            Ok(page_with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}

async fn set_thread_following(
    state: &AppState,
    visitor: &Visitor,
    thread: ThreadId,
    follow: bool,
) -> Result<HttpResponse, AppError> {
    let here = format!("/threads/{thread}");
    let member = acting(state, visitor, &here).await?;
    networks::follow_thread(state, &member, thread, follow).await?;
    Ok(see_other(&here))
}

pub async fn follow_thread(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ThreadId>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    set_thread_following(&state, &visitor, id.into_inner(), true).await
}

pub async fn unfollow_thread(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ThreadId>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    set_thread_following(&state, &visitor, id.into_inner(), false).await
}

/// `GET /unsubscribe/{token}`: what the link does, and its button (opening
/// it changes nothing).
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    crate::app::notifications::unsubscribing(&state, &token)?;
    Ok(page_with_status(StatusCode::OK, pages::networks::unsubscribe(&visitor.frame, &token, None)))
}

/// `POST /unsubscribe/{token}`: stops the emails. The signed token is the
/// proof, so a mail program may send it without a page's form (RFC 8058's
/// `List-Unsubscribe=One-Click`): nothing else is read from the body.
pub async fn unsubscribe(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let was_on = crate::app::notifications::unsubscribe(&state, &token).await?;
    Ok(page_with_status(StatusCode::OK, pages::networks::unsubscribe(&visitor.frame, &token, Some(was_on))))
}
