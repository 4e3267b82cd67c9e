//! `/signpost`: the advisor's workspace for one contact at the front door.
//! The safeguarding question first; then where the citizen lives and what
//! they need, answered with support grouped by need; a shortlist kept with the
//! contact; and the shortlist sent by email, printed or read out.
//!
//! Every action is a plain form that comes back to the same place, so the
//! workspace works without JavaScript. The citizen's postcode lives only in
//! the page's address; the contact keeps the neighbourhood it names.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::api::query_pairs;
use super::session::{CheckedForm, Staff};
use super::{db, page_with_status, path_id, see_other};
use crate::domain::accounts::{Role, random_token};
use crate::domain::ids::{NeighbourhoodId, ServiceId, SignpostContactId};
use crate::domain::signposting::{Channel, Returning, SignpostContact};
use crate::domain::text::{self, FieldErrors};
use crate::error::AppError;
use crate::geo::postcode::{self, Located};
use crate::jobs::outbox::{self as outbox_job, Sent, ShortlistEmail};
use crate::pages;
use crate::pages::signpost::{Found, SendForm, ShortlistPage, Workspace, WorkspaceAsked};
use crate::search::query::SearchQuery;
use crate::state::AppState;
use crate::store::{neighbourhoods, outbox, postcodes, signposting};

/// The services shown for each need.
const PER_NEED: usize = 5;

/// Advisors, connectors and administrators signpost; organisation editors do not.
pub fn signposter(staff: &Staff) -> Result<(), AppError> {
    if staff.user.signposts() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The contact named in the path, if it is this person's (or they administer).
async fn own_contact(state: &AppState, staff: &Staff, id: &str) -> Result<SignpostContact, AppError> {
    signposter(staff)?;
    let id: SignpostContactId = path_id(id)?;
    let contact = db(state, move |conn| signposting::find(conn, id)).await?;
    if contact.advisor == staff.user.id || staff.user.role == Role::Administrator {
        Ok(contact)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A finished contact's shortlist can no longer change.
fn still_open(contact: &SignpostContact) -> Result<(), AppError> {
    match contact.finished_at {
        None => Ok(()),
        Some(_) => Err(AppError::BadRequest(String::from(
            "This contact is finished, so its shortlist can no longer change. Start a new contact.",
        ))),
    }
}

fn contact_path(contact: &SignpostContact) -> String {
    format!("/signpost/contacts/{}", contact.id)
}

/// `GET /signpost`: start a contact, or go back to a recent one.
pub async fn start(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    signposter(&staff)?;
    start_page(&state, &staff, &FieldErrors::default(), StatusCode::OK).await
}

async fn start_page(
    state: &AppState,
    staff: &Staff,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let advisor = staff.user.id;
    let recent = db(state, move |conn| signposting::recent(conn, advisor, 20)).await?;
    Ok(page_with_status(status, pages::signpost::start(&staff.frame, &recent, &state.search.needs, errors)))
}

/// `POST /signpost/contacts`: the safeguarding question answered, the contact begins.
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    signposter(&staff)?;
    let mut errors = FieldErrors::default();
    let escalated = match form.get("risk") {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("risk", "Say whether anyone is at immediate risk of harm");
            None
        }
    };
    let channel = Channel::from_code(form.get("channel"));
    if channel.is_none() {
        errors.add("channel", "Choose how the citizen got in touch");
    }
    let returning = Returning::from_code(form.get("returning")).unwrap_or(Returning::NotKnown);
    let (Some(escalated), Some(channel)) = (escalated, channel) else {
        return start_page(&state, &staff, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let new = signposting::NewSignpostContact {
        advisor: staff.user.id,
        channel,
        returning,
        escalated,
        started_at: Utc::now().naive_utc(),
    };
    let id = db(&state, move |conn| signposting::start(conn, &new)).await?;
    Ok(see_other(&format!("/signpost/contacts/{id}")))
}

/// `GET /signpost/contacts/{id}`: the workspace, with the search its address asks for.
pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    let asked = WorkspaceAsked::from_pairs(&query_pairs(&req));
    let mut errors = FieldErrors::default();
    let mut found = None;
    if !asked.is_empty() {
        found = find_support(&state, &asked, &mut errors).await?;
    }
    // What was searched is what the citizen asked for: recorded with the contact.
    let searched = found
        .as_ref()
        .filter(|_| contact.finished_at.is_none())
        .map(|found| (found.neighbourhood, found.needs.clone()));
    let id = contact.id;
    let (contact, shortlist, hoods) = db(&state, move |conn| {
        if let Some((hood, needs)) = searched {
            signposting::record_search(conn, id, hood, &needs)?;
        }
        Ok((
            signposting::find(conn, id)?,
            signposting::shortlist(conn, id, Utc::now())?,
            neighbourhoods::all(conn)?,
        ))
    })
    .await?;
    let workspace = Workspace {
        contact: &contact,
        asked: &asked,
        needs: &state.search.needs,
        neighbourhoods: &hoods,
        found: found.as_ref(),
        shortlist: &shortlist,
        safeguarding: (&state.config.safeguarding_team, state.config.safeguarding_phone.as_deref()),
        errors: &errors,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok(page_with_status(status, pages::signpost::workspace(&staff.frame, &workspace)))
}

/// Reads the workspace's search, finds the place, and runs one search that
/// groups its results by need. Problems with what was typed go into `errors`.
async fn find_support(
    state: &AppState,
    asked: &WorkspaceAsked,
    errors: &mut FieldErrors,
) -> Result<Option<Found>, AppError> {
    let taxonomy = &state.search.needs;
    let mut query = SearchQuery { per_page: 1, ..SearchQuery::default() };
    let mut needs: Vec<String> = Vec::new();
    for slug in &asked.needs {
        if !taxonomy.iter().any(|n| &n.slug == slug && n.parent.is_some()) {
            errors.add("need", "Choose needs from the list");
        } else if !needs.contains(slug) {
            needs.push(slug.clone());
        }
    }
    let suggested: Vec<String> =
        state.search.needs_named_in(&asked.words).into_iter().filter(|s| !needs.contains(s)).collect();
    if !asked.words.trim().is_empty() && suggested.is_empty() && needs.is_empty() {
        errors.add("words", "No need was recognised in these words: tick the needs below instead");
    }
    needs.extend(suggested.iter().cloned());
    if needs.is_empty() && errors.is_empty() {
        errors.add("need", "Tick at least one need, or type what the citizen said");
    }
    if let Some(age) = errors.take("age", asked.age()) {
        query.age = age;
    }
    if let Some(language) = errors.take("language", asked.language()) {
        query.language = language;
    }
    if let Some(days) = errors.take("day", asked.days()) {
        query.days = days;
    }
    query.free = asked.free;
    query.step_free = asked.step_free;
    if asked.phone_only {
        query.delivery = Some(crate::domain::directory::DeliveryMode::Phone);
    }
    // Where: the postcode (kept only in the page's address) or the neighbourhood chosen.
    let mut place = None;
    let mut neighbourhood: Option<NeighbourhoodId> = None;
    if !asked.postcode.trim().is_empty() {
        match postcode::parse(&asked.postcode) {
            Err(error) => errors.add("postcode", error.to_string()),
            Ok(parsed) => {
                let (located, hood) = db(state, move |conn| {
                    let located = postcodes::locate(conn, &parsed)?;
                    let hood = match &located {
                        Located::Postcode(p) | Located::Terminated { place: p, .. } => {
                            neighbourhoods::containing(conn, p.latitude, p.longitude)?
                        }
                        _ => None,
                    };
                    Ok((located, hood))
                })
                .await?;
                match located.place() {
                    Some(found) => {
                        place = Some((found.label.clone(), located.message()));
                        query.point = Some((found.latitude, found.longitude));
                        neighbourhood = hood;
                    }
                    None => errors.add("postcode", located.message().unwrap_or_default()),
                }
            }
        }
    } else if !asked.neighbourhood.is_empty() {
        let slug = asked.neighbourhood.clone();
        match db(state, move |conn| neighbourhoods::by_slug(conn, &slug)).await {
            Ok(hood) => {
                place = Some((hood.name.clone(), None));
                query.point = Some((hood.latitude, hood.longitude));
                neighbourhood = Some(hood.id);
            }
            Err(AppError::NotFound) => errors.add("neighbourhood", "Choose a neighbourhood from the list"),
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Ok(None);
    }
    query.needs = needs.clone();
    let results = state.search.search(&query, Utc::now()).map_err(|e| AppError::Internal(e.to_string()))?;
    let groups = results
        .groups
        .into_iter()
        .map(|mut group| {
            group.results.truncate(PER_NEED);
            group
        })
        .collect();
    Ok(Some(Found { needs, suggested, place, neighbourhood, groups, unmet: results.unmet }))
}

/// `POST /signpost/contacts/{id}/shortlist`: adds a service, then back to
/// the same search and the same need.
pub async fn add(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    still_open(&contact)?;
    let service: ServiceId = form
        .get("service")
        .parse()
        .map_err(|_| AppError::BadRequest(String::from("That is not a service that can be shortlisted.")))?;
    let id = contact.id;
    let exists = db(&state, move |conn| {
        if signposting::service_exists(conn, service)? {
            signposting::add_to_shortlist(conn, id, service)?;
            return Ok(true);
        }
        Ok(false)
    })
    .await?;
    if !exists {
        return Err(AppError::BadRequest(String::from("That service is not in the directory.")));
    }
    Ok(see_other(&back_to(&contact, form.get("back"), form.get("at"))))
}

/// The workspace with the search it came from (a query string) and the place
/// on the page (a need's slug). Both are checked, so the answer can only
/// ever point back into the workspace.
fn back_to(contact: &SignpostContact, query: &str, at: &str) -> String {
    let mut path = contact_path(contact);
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
fn shortlist_path(contact: &SignpostContact, notice: &str) -> String {
    format!("{}/shortlist?notice={notice}", contact_path(contact))
}

/// `POST /signpost/contacts/{id}/shortlist/{service}`: moves a service up or
/// down, removes it, or saves its note.
pub async fn change(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let (contact_id, service) = path.into_inner();
    let contact = own_contact(&state, &staff, &contact_id).await?;
    still_open(&contact)?;
    let service: ServiceId = path_id(&service)?;
    let id = contact.id;
    let notice = match form.get("action") {
        "up" | "down" => {
            let up = form.get("action") == "up";
            db(&state, move |conn| signposting::move_on_shortlist(conn, id, service, up)).await?;
            "moved"
        }
        "remove" => {
            db(&state, move |conn| signposting::remove_from_shortlist(conn, id, service)).await?;
            "removed"
        }
        "note" => {
            let note = text::optional_text(form.get("note"), "The note", 500)
                .map_err(AppError::BadRequest)?
                .unwrap_or_default();
            db(&state, move |conn| signposting::note_on_shortlist(conn, id, service, &note)).await?;
            "noted"
        }
        _ => {
            return Err(AppError::BadRequest(String::from(
                "Choose move up, move down, remove or save note.",
            )));
        }
    };
    Ok(see_other(&format!("{}#shortlist", shortlist_path(&contact, notice))))
}

/// `GET /signpost/contacts/{id}/shortlist`: the shortlist, and the three ways to send it.
pub async fn shortlist(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    let notice =
        query_pairs(&req).into_iter().find(|(k, _)| k == "notice").map(|(_, v)| v).unwrap_or_default();
    let form = SendForm { key: random_token(), ..SendForm::default() };
    shortlist_page(&state, &staff, &contact, &form, &notice, &FieldErrors::default()).await
}

async fn shortlist_page(
    state: &AppState,
    staff: &Staff,
    contact: &SignpostContact,
    form: &SendForm,
    notice: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let id = contact.id;
    let (entries, sent) = db(state, move |conn| {
        Ok((signposting::shortlist(conn, id, Utc::now())?, outbox::sent_for(conn, id)?))
    })
    .await?;
    let page = ShortlistPage {
        contact,
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
/// The form's key makes a second submit find the first email rather than
/// send another; a mail server that is down leaves the email queued.
pub async fn email(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    let typed = SendForm {
        key: form.get("key").to_string(),
        email: form.get("email").trim().to_string(),
        follow_up: form.get("follow_up") == "yes",
    };
    if typed.key.len() != 64 || !typed.key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::BadRequest(String::from("Send the form from the shortlist page.")));
    }
    let mut errors = FieldErrors::default();
    let address = match text::email(&typed.email) {
        Ok(Some(address)) => Some(address),
        Ok(None) => {
            errors.add("email", "Enter the citizen's email address");
            None
        }
        Err(message) => {
            errors.add("email", message);
            None
        }
    };
    let id = contact.id;
    let entries = db(&state, move |conn| signposting::shortlist(conn, id, Utc::now())).await?;
    if entries.is_empty() {
        errors.add("email", "Add at least one service to the shortlist before sending it");
    }
    let Some(address) = address.filter(|_| errors.is_empty()) else {
        return shortlist_page(&state, &staff, &contact, &typed, "", &errors).await;
    };
    let (store, mailer, config) = (state.store.clone(), state.mailer.clone(), state.config.clone());
    let (key, follow_up) = (typed.key.clone(), typed.follow_up);
    let sent = web::block(move || {
        let email = ShortlistEmail { contact: id, key: &key, to: &address, follow_up, entries: &entries };
        outbox_job::send_shortlist(&store, &mailer, &config, &email)
    })
    .await?;
    let notice = match sent {
        Ok(Sent::Delivered) => "sent",
        Ok(Sent::Queued(_)) => "queued",
        Ok(Sent::AlreadyDelivered) => "already-sent",
        Ok(Sent::AlreadyQueued) => "already-queued",
        Ok(Sent::Refused(why)) => {
            errors.add("email", format!("The mail server refused this address, so nothing was sent: {why}"));
            // A corrected address is a new email, with a new key.
            let form = SendForm { key: random_token(), ..typed };
            return shortlist_page(&state, &staff, &contact, &form, "", &errors).await;
        }
        Err(outbox_job::SendError::Mail(error)) => {
            errors.add("email", format!("This address cannot be used: {error}"));
            return shortlist_page(&state, &staff, &contact, &typed, "", &errors).await;
        }
        Err(outbox_job::SendError::Store(error)) => return Err(error.into()),
    };
    Ok(see_other(&shortlist_path(&contact, notice)))
}

/// `GET /signpost/contacts/{id}/print`: the shortlist on one page, in large
/// type, with nothing else.
pub async fn print(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    let id = contact.id;
    let entries = db(&state, move |conn| signposting::shortlist(conn, id, Utc::now())).await?;
    Ok(page_with_status(StatusCode::OK, pages::signpost::print(&entries, &state.config.public_url)))
}

/// `POST /signpost/contacts/{id}/risk`: immediate risk came to light during
/// the contact; the statutory route is shown and the contact is escalated.
pub async fn escalate(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    let id = contact.id;
    db(&state, move |conn| signposting::escalate(conn, id)).await?;
    Ok(see_other(&format!("{}#safeguarding", contact_path(&contact))))
}

/// `POST /signpost/contacts/{id}/finish`: the contact is over.
pub async fn finish(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    _form: CheckedForm,
) -> Result<HttpResponse, AppError> {
    let contact = own_contact(&state, &staff, &path).await?;
    let id = contact.id;
    db(&state, move |conn| signposting::finish(conn, id, Utc::now().naive_utc())).await?;
    Ok(see_other("/signpost"))
}
