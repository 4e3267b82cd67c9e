//! `/signpost`: the advisor's workspace for one contact at the front door.
//! The safeguarding question first; then where the citizen lives and what
//! they need, answered with support grouped by need; a shortlist kept with the
//! contact; and the shortlist sent by email, printed or read out. The work is
//! done in `app::signposting`.
//!
//! Every action is a plain form that comes back to the same place, so the
//! workspace works without JavaScript. The citizen's postcode lives only in
//! the page's address; the contact keeps the neighbourhood it names.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::session::{CheckedForm, Staff};
use super::{QueryPairs, page_with_status, see_other};
use crate::app::signposting::{self, Emailed, Starting};
use crate::domain::accounts::random_token;
use crate::domain::ids::{ServiceId, SignpostContactId};
use crate::domain::signposting::{SendForm, SignpostContact, WorkspaceAsked};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::pages;
use crate::pages::signpost::{ShortlistPage, Workspace};
use crate::state::AppState;

fn contact_path(id: SignpostContactId) -> String {
    format!("/signpost/contacts/{id}")
}

/// `GET /signpost`: start a contact, or go back to a recent one.
pub async fn start(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    start_page(&state, &staff, &FieldErrors::default(), StatusCode::OK).await
}

async fn start_page(
    state: &AppState,
    staff: &Staff,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let recent = signposting::recent(state, &staff.user).await?;
    Ok(page_with_status(status, pages::signpost::start(&staff.frame, &recent, &state.taxonomy, errors)))
}

/// `POST /signpost/contacts`: the safeguarding question answered, the contact begins.
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let answers =
        Starting { risk: form.get("risk"), channel: form.get("channel"), returning: form.get("returning") };
    match signposting::start(&state, &staff.user, answers).await? {
        Ok(id) => Ok(see_other(&contact_path(id))),
        Err(errors) => start_page(&state, &staff, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// `GET /signpost/contacts/{id}`: the workspace, with the search its address asks for.
pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let asked = WorkspaceAsked::from_pairs(&query.0);
    let w = signposting::workspace(&state, &staff.user, *id, &asked).await?;
    let workspace = Workspace {
        contact: &w.contact,
        asked: &asked,
        needs: &state.taxonomy,
        neighbourhoods: &w.neighbourhoods,
        found: w.found.as_ref(),
        shortlist: &w.shortlist,
        safeguarding: (&state.config.safeguarding_team, state.config.safeguarding_phone.as_deref()),
        urgent: crate::app::search::urgent_in(&asked.words).then_some(&state.config.urgent),
        errors: &w.errors,
    };
    let status = if w.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok(page_with_status(status, pages::signpost::workspace(&staff.frame, &workspace)))
}

/// `POST /signpost/contacts/{id}/shortlist`: adds a service, then back to
/// the same search and the same need.
pub async fn add(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let contact = signposting::add_to_shortlist(&state, &staff.user, *id, form.get("service")).await?;
    Ok(see_other(&back_to(&contact, form.get("back"), form.get("at"))))
}

/// The workspace with the search it came from (a query string) and the place
/// on the page (a need's slug). Both are checked, so the answer can only
/// ever point back into the workspace.
fn back_to(contact: &SignpostContact, query: &str, at: &str) -> String {
    let mut path = contact_path(contact.id);
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.as_bytes()).into_owned().take(200).collect();
    if !pairs.is_empty() {
        path.push('?');
        path.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish());
    }
    if crate::domain::needs::is_slug(at) {
        path.push_str(&format!("#need-{at}"));
    }
    path
}

/// The shortlist page's address, with a notice to show.
fn shortlist_path(id: SignpostContactId, notice: &str) -> String {
    format!("{}/shortlist?notice={notice}", contact_path(id))
}

/// `POST /signpost/contacts/{id}/shortlist/{service}`: moves a service up or
/// down, removes it, or saves its note.
pub async fn change(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(SignpostContactId, ServiceId)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (id, service) = path.into_inner();
    let notice =
        signposting::change_shortlist(&state, &staff.user, id, service, form.get("action"), form.get("note"))
            .await?;
    Ok(see_other(&format!("{}#shortlist", shortlist_path(id, notice))))
}

/// `GET /signpost/contacts/{id}/shortlist`: the shortlist, and the three ways to send it.
pub async fn shortlist(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
    query: QueryPairs,
) -> Result<HttpResponse, AppError> {
    let form = SendForm { key: random_token(), ..SendForm::default() };
    shortlist_page(&state, &staff, *id, &form, query.get("notice"), &FieldErrors::default()).await
}

async fn shortlist_page(
    state: &AppState,
    staff: &Staff,
    id: SignpostContactId,
    form: &SendForm,
    notice: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (contact, entries, sent) = signposting::shortlist(state, &staff.user, id).await?;
    let page = ShortlistPage {
        contact: &contact,
        entries: &entries,
        sent: &sent,
        form,
        notice,
        public_url: &state.config.public_url,
        follow_up_days: state.config.follow_up_days,
        errors,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(page_with_status(status, pages::signpost::shortlist(&staff.frame, &page)))
}

/// `POST /signpost/contacts/{id}/email`: sends the shortlist to the citizen.
pub async fn email(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let typed = SendForm {
        key: form.get("key").to_string(),
        email: form.get("email").trim().to_string(),
        follow_up: form.get("follow_up") == "yes",
    };
    match signposting::email_shortlist(&state, &staff.user, *id, typed).await? {
        Emailed::Done(notice) => Ok(see_other(&shortlist_path(*id, notice))),
        Emailed::Refused(form, errors) => shortlist_page(&state, &staff, *id, &form, "", &errors).await,
    }
}

/// `GET /signpost/contacts/{id}/print`: the shortlist on one page, in large
/// type, with nothing else.
pub async fn print(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
) -> Result<HttpResponse, AppError> {
    let entries = signposting::shortlist_entries(&state, &staff.user, *id).await?;
    Ok(page_with_status(StatusCode::OK, pages::signpost::print(&entries, &state.config.public_url)))
}

/// `POST /signpost/contacts/{id}/risk`: immediate risk came to light during
/// the contact; the statutory route is shown and the contact is escalated.
pub async fn escalate(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    signposting::escalate(&state, &staff.user, *id).await?;
    Ok(see_other(&format!("{}#safeguarding", contact_path(*id))))
}

/// `POST /signpost/contacts/{id}/finish`: the contact is over.
pub async fn finish(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<SignpostContactId>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    signposting::finish(&state, &staff.user, *id).await?;
    Ok(see_other("/signpost"))
}
