//! Approval: new listings and changes from organisation editors wait as
//! proposals for a connector or an administrator, who sees the listing as it
//! is beside it as proposed, and accepts it (it is applied, with the history:
//! the proposer made the change, the reason says who approved it) or
//! rejects it saying why. Connectors' and administrators' own changes go
//! live, so never come here.

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::super::{db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{LocationId, OrganisationId, ProposalId, ServiceId};
use crate::domain::organisation_form::{self, OrganisationForm};
use crate::domain::proposals::{NewProposal, Proposal, ProposalKind, ProposalPage, ProposalState};
use crate::domain::service_form::{ServiceForm, changed_fields};
use crate::domain::text::{self, FieldErrors};
use crate::domain::venue_form::{self, VenueForm};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, locations, organisations, proposals, services, users};

/// What saving a form did: the change went live, or it waits for approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved<T> {
    Live(T),
    Waiting(ProposalId),
}

/// How many decided proposals the queue shows.
const RECENTLY_DECIDED: i64 = 20;

/// Keeps `form` as `user`'s proposal of `kind` (about `record`, if it is a change).
pub(super) async fn propose<F: Serialize>(
    state: &AppState,
    user: &StaffUser,
    kind: ProposalKind,
    record: Option<String>,
    form: &F,
) -> Result<ProposalId, AppError> {
    let form = serde_json::to_string(form).map_err(|e| AppError::Internal(e.to_string()))?;
    let new = NewProposal {
        id: ProposalId::new(),
        kind,
        record_id: record,
        form: Some(form),
        message: None,
        by: Some(user.id),
        email: None,
        sender: None,
        at: Utc::now().naive_utc(),
    };
    let id = new.id;
    db(state, move |conn| proposals::insert(conn, &new)).await?;
    Ok(id)
}

/// The approval queue: the waiting proposals this person may decide, oldest
/// first, and the last few decided.
pub async fn queue(state: &AppState, user: &StaffUser) -> Result<(Vec<Proposal>, Vec<Proposal>), AppError> {
    require(user.keeps_listings())?;
    let (waiting, decided) =
        db(state, |conn| Ok((proposals::waiting(conn)?, proposals::decided(conn, RECENTLY_DECIDED)?)))
            .await?;
    let mut theirs = Vec::new();
    for proposal in waiting {
        if may_decide(state, user, &proposal).await? {
            theirs.push(proposal);
        }
    }
    let mut kept = Vec::new();
    for proposal in decided {
        if keeps(state, user, &proposal).await? {
            kept.push(proposal);
        }
    }
    Ok((theirs, kept))
}

/// What someone proposed, newest first: for their staff home.
pub async fn mine(state: &AppState, user: &StaffUser) -> Result<Vec<Proposal>, AppError> {
    let id = user.id;
    db(state, move |conn| proposals::by_person(conn, id, RECENTLY_DECIDED)).await
}

/// A proposal beside the listing as it is, for someone who may decide it or
/// its proposer.
pub async fn show(state: &AppState, user: &StaffUser, id: ProposalId) -> Result<ProposalPage, AppError> {
    let proposal = db(state, move |conn| proposals::one(conn, id)).await?;
    let own = proposal.proposed_by.as_ref().is_some_and(|(by, _)| *by == user.id);
    let keeper = keeps(state, user, &proposal).await?;
    require(own || keeper)?;
    let decides = keeper && proposal.state == ProposalState::Waiting;
    // Once decided, there is nothing to compare: the page says how it was decided.
    let checked = if proposal.state == ProposalState::Waiting {
        prepared_now(state, &proposal).await?
    } else {
        Err(FieldErrors::default())
    };
    let (kind, compared, reason, problems, looks_like) = match checked {
        Ok(prepared) => {
            let looks_like = match &prepared {
                Prepared::NewService(edit, _) => super::services::looks_like(state, edit, None).await?,
                _ => Vec::new(),
            };
            let compared = prepared.compared(state).await?;
            (prepared.kind(), compared, prepared.reason(), FieldErrors::default(), looks_like)
        }
        Err(problems) => (record_kind(proposal.kind), Vec::new(), None, problems, Vec::new()),
    };
    Ok(ProposalPage { proposal, kind, compared, reason, problems, decides, looks_like })
}

/// Accepts a proposal: it is applied now, as its proposer may make it. A
/// proposal decided meanwhile is refused (409); one that can no longer be
/// applied as it was proposed is refused with its problems.
pub async fn accept(state: &AppState, user: &StaffUser, id: ProposalId, note: &str) -> Result<(), AppError> {
    let proposal = db(state, move |conn| proposals::one(conn, id)).await?;
    require(keeps(state, user, &proposal).await?)?;
    if proposal.state != ProposalState::Waiting {
        return Err(already_decided());
    }
    let note = text::optional_text(note, "the note", 500).map_err(AppError::BadRequest)?;
    let note_said = note.clone();
    let prepared = match prepared_now(state, &proposal).await? {
        Ok(prepared) => prepared,
        Err(problems) => {
            let said: Vec<&str> = problems.0.iter().map(|(_, m)| m.as_str()).collect();
            return Err(AppError::Conflict(format!(
                "This can no longer be made as it was proposed: {}. Reject it saying so, or make the change yourself.",
                said.join("; ")
            )));
        }
    };
    let proposer =
        proposal.proposed_by.clone().map(|(_, name)| name).unwrap_or_else(|| String::from("the public"));
    let why = match prepared.reason() {
        Some(reason) => format!("{reason} (proposed by {proposer}, approved by {})", user.name),
        None => format!("Proposed by {proposer}, approved by {}", user.name),
    };
    let by = proposal.proposed_by.as_ref().map_or(user.id, |(by, _)| *by);
    let (decider, now) = (user.id, Utc::now().naive_utc());
    let accepted = db(state, move |conn| {
        proposals::accept(conn, id, decider, note.as_deref(), now, |conn| prepared.apply(conn, by, &why, now))
    })
    .await?;
    if !accepted {
        return Err(already_decided());
    }
    answer(state, &proposal, true, note_said.as_deref()).await?;
    super::reindex(state).await;
    Ok(())
}

/// Tells someone who gave an address what became of their suggestion, and
/// forgets the address.
async fn answer(
    state: &AppState,
    proposal: &Proposal,
    acted_on: bool,
    note: Option<&str>,
) -> Result<(), AppError> {
    let Some(to) = proposal.email.clone() else { return Ok(()) };
    let message = crate::mail::messages::suggestion_answered(
        &state.config.mail_from,
        &to,
        proposal.record_name.as_deref(),
        acted_on,
        note,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (id, now) = (proposal.id, Utc::now().naive_utc());
    db(state, move |conn| proposals::answer(conn, id, &to, &message, now)).await
}

/// Rejects a proposal, saying why (the reason is required); or the problem.
pub async fn reject(
    state: &AppState,
    user: &StaffUser,
    id: ProposalId,
    why: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    let proposal = db(state, move |conn| proposals::one(conn, id)).await?;
    require(keeps(state, user, &proposal).await?)?;
    if proposal.state != ProposalState::Waiting {
        return Err(already_decided());
    }
    let mut errors = FieldErrors::default();
    let why = errors.take(
        "why",
        text::optional_text(why, "why", 1_000).and_then(|w| {
            w.ok_or_else(|| String::from("Say why it is rejected: the person who proposed it is told"))
        }),
    );
    let Some(why) = why else { return Ok(Err(errors)) };
    let (by, now, said) = (user.id, Utc::now().naive_utc(), why.clone());
    if !db(state, move |conn| proposals::reject(conn, id, by, &said, now)).await? {
        return Err(already_decided());
    }
    answer(state, &proposal, false, Some(&why)).await?;
    Ok(Ok(()))
}

fn already_decided() -> AppError {
    AppError::Conflict(String::from("This proposal has already been decided by someone else."))
}

/// Whether this person may decide a proposal: one still waiting that they
/// keep (`keeps`).
async fn may_decide(state: &AppState, user: &StaffUser, proposal: &Proposal) -> Result<bool, AppError> {
    Ok(proposal.state == ProposalState::Waiting && keeps(state, user, proposal).await?)
}

/// Whether a proposal is about listings this person keeps: for an
/// administrator any; for a connector those about listings they may change.
async fn keeps(state: &AppState, user: &StaffUser, proposal: &Proposal) -> Result<bool, AppError> {
    if !user.keeps_listings() {
        return Ok(false);
    }
    let record = proposal.record_id.clone().unwrap_or_default();
    Ok(match proposal.kind {
        ProposalKind::Service | ProposalKind::Suggestion => match record.parse::<ServiceId>() {
            Ok(id) => {
                let (organisation, hoods) = db(state, move |conn| services::scope(conn, id)).await?;
                user.may_edit_listing(organisation, &hoods)
            }
            Err(_) => true,
        },
        ProposalKind::NewService => {
            let form: ServiceForm = read(proposal)?;
            let venues: Vec<LocationId> = form.parts.venues.iter().filter_map(|v| v.parse().ok()).collect();
            let hoods = db(state, move |conn| {
                Ok(locations::many_with_neighbourhoods(conn, &venues)?
                    .into_iter()
                    .filter_map(|(_, h)| h)
                    .collect::<Vec<_>>())
            })
            .await?;
            user.looks_after(&hoods)
        }
        ProposalKind::Venue => match record.parse::<LocationId>() {
            Ok(id) => {
                let (venue, _) = db(state, move |conn| locations::one(conn, id)).await?;
                user.may_edit_venue(venue.location.organisation, venue.neighbourhood)
            }
            Err(_) => false,
        },
        ProposalKind::NewVenue => {
            let form: VenueForm = read(proposal)?;
            let hood = match crate::geo::postcode::parse_full(&form.postcode) {
                Some(postcode) => {
                    db(state, move |conn| {
                        let query = crate::geo::postcode::PlaceQuery::Postcode(postcode);
                        match crate::store::postcodes::locate(conn, &query)?.place() {
                            Some(place) => crate::store::neighbourhoods::containing(
                                conn,
                                place.latitude,
                                place.longitude,
                            ),
                            None => Ok(None),
                        }
                    })
                    .await?
                }
                None => None,
            };
            user.may_edit_venue(None, hood)
        }
        ProposalKind::Organisation => true,
    })
}

/// A proposal's form.
fn read<F: DeserializeOwned>(proposal: &Proposal) -> Result<F, AppError> {
    let form = proposal
        .form
        .as_deref()
        .ok_or_else(|| AppError::Internal(String::from("a proposal with no form")))?;
    serde_json::from_str(form)
        .map_err(|e| AppError::Internal(format!("a proposal's form could not be read: {e}")))
}

/// The kind of record a proposal is about, as the history names it.
fn record_kind(kind: ProposalKind) -> &'static str {
    match kind {
        ProposalKind::NewService | ProposalKind::Service | ProposalKind::Suggestion => "service",
        ProposalKind::Organisation => "organisation",
        ProposalKind::NewVenue | ProposalKind::Venue => "location",
    }
}

/// A proposal checked against the directory as it is now, from its
/// proposer's side, ready to compare and to apply.
enum Prepared {
    NewService(Box<crate::domain::service_form::ServiceEdit>, ServiceForm),
    Service(ServiceId, Box<crate::domain::service_form::ServiceEdit>, ServiceForm),
    Organisation(crate::domain::listing::Organisation, OrganisationForm),
    Venue(
        Option<LocationId>,
        Box<crate::domain::venue_form::VenueInput>,
        crate::domain::listing::Location,
        VenueForm,
    ),
    Suggestion,
}

/// A proposal checked as it would be made now, as `prepared` does; when its
/// proposer may no longer make it (their role changed, the record is gone,
/// a venue became confidential), that is one of its problems.
async fn prepared_now(
    state: &AppState,
    proposal: &Proposal,
) -> Result<Result<Prepared, FieldErrors>, AppError> {
    match prepared(state, proposal).await {
        Err(AppError::Forbidden | AppError::NotFound) => {
            let mut problems = FieldErrors::default();
            problems.add(
                "",
                "the person who proposed it may no longer make this change, or what it changes is gone",
            );
            Ok(Err(problems))
        }
        other => other,
    }
}

async fn prepared(state: &AppState, proposal: &Proposal) -> Result<Result<Prepared, FieldErrors>, AppError> {
    if proposal.kind == ProposalKind::Suggestion {
        return Ok(Ok(Prepared::Suggestion));
    }
    let proposer = match proposal.proposed_by.as_ref() {
        Some((id, _)) => {
            let id = *id;
            db(state, move |conn| users::one(conn, id)).await?
        }
        None => return Err(AppError::Internal(String::from("a proposed form with no proposer"))),
    };
    let record = proposal.record_id.clone().unwrap_or_default();
    let bad_record =
        || AppError::Internal(format!("a proposal about '{record}', which is not a record's id"));
    Ok(match proposal.kind {
        ProposalKind::NewService | ProposalKind::Service => {
            let form: ServiceForm = read(proposal)?;
            let id = match proposal.kind {
                ProposalKind::Service => Some(record.parse::<ServiceId>().map_err(|_| bad_record())?),
                _ => None,
            };
            super::services::prepare(state, &proposer, id, &form).await?.map(|edit| match id {
                Some(id) => Prepared::Service(id, Box::new(edit), form),
                None => Prepared::NewService(Box::new(edit), form),
            })
        }
        ProposalKind::Organisation => {
            let form: OrganisationForm = read(proposal)?;
            let id = record.parse::<OrganisationId>().map_err(|_| bad_record())?;
            super::organisations::prepare(state, &proposer, id, &form)
                .await?
                .map(|org| Prepared::Organisation(org, form))
        }
        ProposalKind::NewVenue | ProposalKind::Venue => {
            let form: VenueForm = read(proposal)?;
            let id = match proposal.kind {
                ProposalKind::Venue => Some(record.parse::<LocationId>().map_err(|_| bad_record())?),
                _ => None,
            };
            // A venue made confidential since is no longer theirs to change.
            if let Some(id) = id {
                super::venues::for_editing(state, &proposer, id).await?;
            }
            super::venues::check(state, &proposer, &form).await?.map(|(input, point)| {
                let venue = input.placed(id.unwrap_or_else(LocationId::new), point);
                Prepared::Venue(id, Box::new(input), venue, form)
            })
        }
        ProposalKind::Suggestion => Ok(Prepared::Suggestion),
    })
}

impl Prepared {
    fn kind(&self) -> &'static str {
        match self {
            Prepared::NewService(..) | Prepared::Service(..) | Prepared::Suggestion => "service",
            Prepared::Organisation(..) => "organisation",
            Prepared::Venue(..) => "location",
        }
    }

    fn reason(&self) -> Option<String> {
        match self {
            Prepared::NewService(_, form) | Prepared::Service(_, _, form) => form.reason(),
            Prepared::Organisation(_, form) => form.reason(),
            Prepared::Venue(_, _, _, form) => form.reason(),
            Prepared::Suggestion => None,
        }
    }

    /// The fields that would change, as they are and as proposed.
    async fn compared(
        &self,
        state: &AppState,
    ) -> Result<Vec<(&'static str, Option<String>, Option<String>)>, AppError> {
        Ok(match self {
            Prepared::NewService(edit, _) => changed_fields(&[], &edit.history_fields()),
            Prepared::Service(id, edit, _) => {
                let id = *id;
                let now = db(state, move |conn| services::edit(conn, id)).await?;
                changed_fields(&now.history_fields(), &edit.history_fields())
            }
            Prepared::Organisation(org, _) => {
                let id = org.id;
                let (now, _) = db(state, move |conn| organisations::one(conn, id)).await?;
                changed_fields(
                    &organisation_form::history_fields(&now),
                    &organisation_form::history_fields(org),
                )
            }
            Prepared::Venue(None, input, venue, _) => {
                changed_fields(&[], &venue_form::history_fields(venue, &input.hours))
            }
            Prepared::Venue(Some(id), input, venue, _) => {
                let id = *id;
                let (now, hours) =
                    db(state, move |conn| Ok((locations::one(conn, id)?.0, locations::hours(conn, id)?)))
                        .await?;
                changed_fields(
                    &venue_form::history_fields(&now.location, &hours),
                    &venue_form::history_fields(venue, &input.hours),
                )
            }
            Prepared::Suggestion => Vec::new(),
        })
    }

    /// Makes the change as `by` made it, giving `why`; the id of a record made.
    fn apply(
        &self,
        conn: &mut store::Conn,
        by: crate::domain::ids::UserId,
        why: &str,
        now: chrono::NaiveDateTime,
    ) -> store::StoreResult<Option<String>> {
        Ok(match self {
            Prepared::NewService(edit, _) => {
                Some(services::create_listing(conn, edit, by, Some(why), now)?.to_string())
            }
            Prepared::Service(id, edit, _) => {
                services::update_listing(conn, *id, edit, by, Some(why), now)?;
                None
            }
            Prepared::Organisation(org, _) => {
                organisations::change(conn, org, by, Some(why), now)?;
                None
            }
            Prepared::Venue(None, input, venue, _) => {
                locations::create(conn, (venue, &input.hours), by, Some(why), now)?;
                Some(venue.id.to_string())
            }
            Prepared::Venue(Some(_), input, venue, _) => {
                locations::change(conn, (venue, &input.hours), by, Some(why), now)?;
                None
            }
            Prepared::Suggestion => None,
        })
    }
}
