//! Signposting at the front door: starting a contact, the workspace's search
//! (support grouped by need), the shortlist, sending it, and the citizen's
//! answer to the follow-up. Advisors, connectors and administrators signpost
//! (`StaffUser::signposts`); a contact is its advisor's (or an administrator's).

use chrono::Utc;

use super::{blocking, db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::directory::DeliveryMode;
use crate::domain::ids::{NeighbourhoodId, ServiceId, SignpostContactId};
use crate::domain::search::{ACTIVITY_RADIUS_M, ActivityAsk, MAX_NEEDS_ASKED, SearchRequest};
use crate::domain::signposting::{
    Channel, Found, Outcome, Returning, SendForm, SentMail, ShortlistEntry, SignpostContact, WorkspaceAsked,
};
use crate::domain::text::{self, FieldErrors};
use crate::domain::views::NeighbourhoodView;
use crate::error::AppError;
use crate::geo::postcode::{self, Located};
use crate::jobs::outbox::{self as outbox_job, Sent, ShortlistEmail};
use crate::state::AppState;
use crate::store::{neighbourhoods, outbox, postcodes, signposting};

/// The services shown for each need.
const PER_NEED: usize = 5;
/// The events coming up near the citizen that the workspace shows.
const EVENTS_SHOWN: usize = 5;

/// Advisors, connectors and administrators signpost; organisation editors do not.
pub fn may_signpost(user: &StaffUser) -> Result<(), AppError> {
    require(user.signposts())
}

/// The contact `id`, if it is this person's (or they administer).
pub async fn contact(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
) -> Result<SignpostContact, AppError> {
    may_signpost(user)?;
    let contact = db(state, move |conn| signposting::find(conn, id)).await?;
    require(user.may_open_contact(contact.advisor))?;
    Ok(contact)
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

/// The advisor's latest contacts, to go back to.
pub async fn recent(state: &AppState, user: &StaffUser) -> Result<Vec<SignpostContact>, AppError> {
    may_signpost(user)?;
    let advisor = user.id;
    db(state, move |conn| signposting::recent(conn, advisor, 20)).await
}

/// The start form's answers, as sent.
pub struct Starting<'a> {
    pub risk: &'a str,
    pub channel: &'a str,
    pub returning: &'a str,
}

/// Starts a contact once the safeguarding question is answered; otherwise
/// the problems, to show on the start page again.
pub async fn start(
    state: &AppState,
    user: &StaffUser,
    answers: Starting<'_>,
) -> Result<Result<SignpostContactId, FieldErrors>, AppError> {
    may_signpost(user)?;
    let mut errors = FieldErrors::default();
    let escalated = match answers.risk {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("risk", "Say whether anyone is at immediate risk of harm");
            None
        }
    };
    let channel = Channel::from_code(answers.channel);
    if channel.is_none() {
        errors.add("channel", "Choose how the citizen got in touch");
    }
    let returning = Returning::from_code(answers.returning).unwrap_or(Returning::NotKnown);
    let (Some(escalated), Some(channel)) = (escalated, channel) else { return Ok(Err(errors)) };
    let new = signposting::NewSignpostContact {
        advisor: user.id,
        channel,
        returning,
        escalated,
        started_at: Utc::now().naive_utc(),
    };
    Ok(Ok(db(state, move |conn| signposting::start(conn, &new)).await?))
}

/// Everything the workspace shows.
pub struct Workspace {
    pub contact: SignpostContact,
    pub neighbourhoods: Vec<NeighbourhoodView>,
    pub found: Option<Found>,
    pub shortlist: Vec<ShortlistEntry>,
    pub errors: FieldErrors,
}

/// The workspace of contact `id` with the search `asked` (if any) run; what
/// was searched is recorded with the contact, as what the citizen asked for.
pub async fn workspace(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
    asked: &WorkspaceAsked,
) -> Result<Workspace, AppError> {
    let contact = contact(state, user, id).await?;
    let mut errors = FieldErrors::default();
    let found = if asked.is_empty() { None } else { find_support(state, asked, &mut errors).await? };
    let searched = found
        .as_ref()
        .filter(|_| contact.finished_at.is_none())
        .map(|found| (found.neighbourhood, found.needs.clone()));
    let (contact, shortlist, neighbourhoods) = db(state, move |conn| {
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
    Ok(Workspace { contact, neighbourhoods, found, shortlist, errors })
}

/// The needs to search: those ticked (checked against the taxonomy), then
/// those the citizen's words name.
fn needs_asked(
    state: &AppState,
    asked: &WorkspaceAsked,
    errors: &mut FieldErrors,
) -> (Vec<String>, Vec<String>) {
    let mut needs: Vec<String> = Vec::new();
    for slug in &asked.needs {
        if !state.taxonomy.is_need(slug) {
            errors.add("need", "Choose needs from the list");
        } else if !needs.contains(slug) {
            needs.push(slug.clone());
        }
    }
    let suggested: Vec<String> = super::search::needs_named_in(state, &asked.words)
        .into_iter()
        .filter(|s| !needs.contains(s))
        .collect();
    if !asked.words.trim().is_empty() && suggested.is_empty() && needs.is_empty() {
        errors.add("words", "No need was recognised in these words: tick the needs below instead");
    }
    needs.extend(suggested.iter().cloned());
    if needs.len() > MAX_NEEDS_ASKED {
        errors.add("need", format!("Choose at most {MAX_NEEDS_ASKED} needs"));
    }
    if needs.is_empty() && errors.is_empty() {
        errors.add("need", "Tick at least one need, or type what the citizen said");
    }
    (needs, suggested)
}

/// Where the citizen is: the postcode (kept only in the page's address) or
/// the neighbourhood chosen. Its label and message, point and neighbourhood.
type Whereabouts = (Option<(String, Option<String>)>, Option<(f64, f64)>, Option<NeighbourhoodId>);

async fn whereabouts(
    state: &AppState,
    asked: &WorkspaceAsked,
    errors: &mut FieldErrors,
) -> Result<Whereabouts, AppError> {
    if !asked.postcode.trim().is_empty() {
        let parsed = match postcode::parse(&asked.postcode) {
            Ok(parsed) => parsed,
            Err(error) => {
                errors.add("postcode", error.to_string());
                return Ok((None, None, None));
            }
        };
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
        return Ok(match located.place() {
            Some(found) => (
                Some((found.label.clone(), located.message())),
                Some((found.latitude, found.longitude)),
                hood,
            ),
            None => {
                errors.add("postcode", located.message().unwrap_or_default());
                (None, None, None)
            }
        });
    }
    if asked.neighbourhood.is_empty() {
        return Ok((None, None, None));
    }
    let slug = asked.neighbourhood.clone();
    match db(state, move |conn| neighbourhoods::by_slug(conn, &slug)).await {
        Ok(hood) => {
            Ok((Some((hood.name.clone(), None)), Some((hood.latitude, hood.longitude)), Some(hood.id)))
        }
        Err(AppError::NotFound) => {
            errors.add("neighbourhood", "Choose a neighbourhood from the list");
            Ok((None, None, None))
        }
        Err(other) => Err(other),
    }
}

/// Reads the workspace's search, finds the place, and runs one search that
/// groups its results by need. Problems with what was typed go into `errors`.
async fn find_support(
    state: &AppState,
    asked: &WorkspaceAsked,
    errors: &mut FieldErrors,
) -> Result<Option<Found>, AppError> {
    let (needs, suggested) = needs_asked(state, asked, errors);
    let mut request = SearchRequest { per_page: 1, ..SearchRequest::default() };
    if let Some(age) = errors.take("age", asked.age()) {
        request.age = age;
    }
    if let Some(language) = errors.take("language", asked.language()) {
        request.language = language;
    }
    if let Some(days) = errors.take("day", asked.days()) {
        request.days = days;
    }
    request.free = asked.free;
    request.step_free = asked.step_free;
    request.delivery = asked.phone_only.then_some(DeliveryMode::Phone);
    let (place, point, neighbourhood) = whereabouts(state, asked, errors).await?;
    if !errors.is_empty() {
        return Ok(None);
    }
    request.point = point;
    request.needs = needs.clone();
    let results = super::search::search(state, request).await?.results;
    let events = super::search::network_activity(
        state,
        &ActivityAsk {
            needs: needs.clone(),
            near: point.map(|p| (p, ACTIVITY_RADIUS_M)),
            events_only: true,
            most: EVENTS_SHOWN,
            ..ActivityAsk::default()
        },
    );
    let groups = results
        .groups
        .into_iter()
        .map(|mut group| {
            group.results.truncate(PER_NEED);
            group
        })
        .collect();
    Ok(Some(Found { needs, suggested, place, neighbourhood, groups, unmet: results.unmet, events }))
}

/// Adds `service` (as the form sent it) to the end of the shortlist.
pub async fn add_to_shortlist(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
    service: &str,
) -> Result<SignpostContact, AppError> {
    let contact = contact(state, user, id).await?;
    still_open(&contact)?;
    let service: ServiceId = service
        .parse()
        .map_err(|_| AppError::BadRequest(String::from("That is not a service that can be shortlisted.")))?;
    let exists = db(state, move |conn| {
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
    Ok(contact)
}

/// Moves a shortlisted service up or down, removes it, or saves its note
/// (`action` as the form sent it). Says what happened, for the page to tell.
pub async fn change_shortlist(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
    service: ServiceId,
    action: &str,
    note: &str,
) -> Result<&'static str, AppError> {
    still_open(&contact(state, user, id).await?)?;
    Ok(match action {
        "up" | "down" => {
            let up = action == "up";
            db(state, move |conn| signposting::move_on_shortlist(conn, id, service, up)).await?;
            "moved"
        }
        "remove" => {
            db(state, move |conn| signposting::remove_from_shortlist(conn, id, service)).await?;
            "removed"
        }
        "note" => {
            let note =
                text::optional_text(note, "The note", 500).map_err(AppError::BadRequest)?.unwrap_or_default();
            db(state, move |conn| signposting::note_on_shortlist(conn, id, service, &note)).await?;
            "noted"
        }
        _ => {
            return Err(AppError::BadRequest(String::from(
                "Choose move up, move down, remove or save note.",
            )));
        }
    })
}

/// A contact's shortlist, in order, as it is printed or read out.
pub async fn shortlist_entries(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
) -> Result<Vec<ShortlistEntry>, AppError> {
    contact(state, user, id).await?;
    db(state, move |conn| signposting::shortlist(conn, id, Utc::now())).await
}

/// A contact's shortlist and the emails sent from it.
pub async fn shortlist(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
) -> Result<(SignpostContact, Vec<ShortlistEntry>, Vec<SentMail>), AppError> {
    let contact = contact(state, user, id).await?;
    let (entries, sent) = db(state, move |conn| {
        Ok((signposting::shortlist(conn, id, Utc::now())?, outbox::sent_for(conn, id)?))
    })
    .await?;
    Ok((contact, entries, sent))
}

/// What sending the shortlist by email came to.
pub enum Emailed {
    /// Done, or already done: what to tell the advisor (sent, queued,
    /// already-sent, already-queued).
    Done(&'static str),
    /// Not sent: the form to show again, with its problems.
    Refused(SendForm, FieldErrors),
}

/// Sends the shortlist to the citizen. The form's key makes a second submit
/// find the first email rather than send another; a mail server that is down
/// leaves the email queued.
pub async fn email_shortlist(
    state: &AppState,
    user: &StaffUser,
    id: SignpostContactId,
    typed: SendForm,
) -> Result<Emailed, AppError> {
    contact(state, user, id).await?;
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
    let entries = db(state, move |conn| signposting::shortlist(conn, id, Utc::now())).await?;
    if entries.is_empty() {
        errors.add("email", "Add at least one service to the shortlist before sending it");
    }
    let Some(address) = address.filter(|_| errors.is_empty()) else {
        return Ok(Emailed::Refused(typed, errors));
    };
    let (store, mailer, config) = (state.store.clone(), state.mailer.clone(), state.config.clone());
    let (key, follow_up) = (typed.key.clone(), typed.follow_up);
    let sent = blocking(move || {
        let email = ShortlistEmail { contact: id, key: &key, to: &address, follow_up, entries: &entries };
        outbox_job::send_shortlist(&store, &mailer, &config, &email)
    })
    .await?;
    Ok(match sent {
        Ok(Sent::Delivered) => Emailed::Done("sent"),
        Ok(Sent::Queued(_)) => Emailed::Done("queued"),
        Ok(Sent::AlreadyDelivered) => Emailed::Done("already-sent"),
        Ok(Sent::AlreadyQueued) => Emailed::Done("already-queued"),
        Ok(Sent::Refused(why)) => {
            errors.add("email", format!("The mail server refused this address, so nothing was sent: {why}"));
            // A corrected address is a new email, with a new key.
            let form = SendForm { key: crate::domain::accounts::random_token(), ..typed };
            Emailed::Refused(form, errors)
        }
        Err(outbox_job::SendError::Mail(error)) => {
            errors.add("email", format!("This address cannot be used: {error}"));
            Emailed::Refused(typed, errors)
        }
        Err(outbox_job::SendError::Store(error)) => return Err(error.into()),
    })
}

/// Immediate risk came to light during the contact: it is escalated.
pub async fn escalate(state: &AppState, user: &StaffUser, id: SignpostContactId) -> Result<(), AppError> {
    contact(state, user, id).await?;
    db(state, move |conn| signposting::escalate(conn, id)).await
}

/// The contact is over: its record stays, its shortlist can no longer change.
pub async fn finish(state: &AppState, user: &StaffUser, id: SignpostContactId) -> Result<(), AppError> {
    contact(state, user, id).await?;
    db(state, move |conn| signposting::finish(conn, id, Utc::now().naive_utc())).await
}

/// An answer to the follow-up, as the link or the form sent it.
fn read_answer(code: &str) -> Result<Outcome, AppError> {
    Outcome::from_code(code)
        .ok_or_else(|| AppError::BadRequest(String::from("Choose one of the answers on the page.")))
}

/// The follow-up `token` names: the answer given so far (none yet is
/// `None`), and the one the link chose (`chosen`, as the link wrote it), to
/// show chosen. Nothing is recorded: mail systems open links to check them.
/// A token that names no follow-up is not found.
pub async fn follow_up(
    state: &AppState,
    token: String,
    chosen: Option<&str>,
) -> Result<(Option<Outcome>, Option<Outcome>), AppError> {
    let chosen = chosen.map(read_answer).transpose()?;
    let given = db(state, move |conn| signposting::follow_up_answer(conn, &token))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((given, chosen))
}

/// Records the citizen's answer (as the form sent it) to the follow-up `token` names.
pub async fn answer_follow_up(state: &AppState, token: String, answer: &str) -> Result<(), AppError> {
    let answer = read_answer(answer)?;
    let found =
        db(state, move |conn| signposting::answer_follow_up(conn, &token, answer, Utc::now().naive_utc()))
            .await?;
    if found { Ok(()) } else { Err(AppError::NotFound) }
}
