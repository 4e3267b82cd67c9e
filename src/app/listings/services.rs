//! Adding, changing, checking, archiving and restoring a service from the
//! staff pages, with its venues, times, contacts and phones, and its change
//! history. Who may is `StaffUser::may_edit_listing`; a listing another area
//! publishes is changed there, not here.

use chrono::Utc;

use super::super::{db, require};
use super::approvals::{self, Saved};
use super::reindex;
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{LocationId, OrganisationId, ServiceId};
use crate::domain::proposals::ProposalKind;
use crate::domain::service_form::{Offered, ServiceEdit, ServiceForm};
use crate::domain::text::{self, FieldErrors};
use crate::domain::views::{ChangeView, VenueChoice};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::changes::{self, RecordKind};
use crate::store::{locations, neighbourhoods, neighbours, organisations, services};

/// What the service form offers: the organisations this person may list
/// services for, the venues (the organisation's, those it meets at now,
/// those ticked and those found by the words typed to find one) and the
/// neighbourhoods.
pub struct FormChoices {
    pub organisations: Vec<(OrganisationId, String)>,
    pub venues: Vec<VenueChoice>,
    pub neighbourhoods: Vec<(crate::domain::ids::NeighbourhoodId, String)>,
}

/// The choices for `form`: its organisation and those found by the words
/// typed to find one (an organisation editor's own only); the venues ticked,
/// found, of its organisation, and those it meets at now (`linked`); and the
/// neighbourhoods, when it serves chosen ones. Confidential venues are
/// offered only to those who may see them; archived organisations to none.
pub async fn choices(
    state: &AppState,
    user: &StaffUser,
    form: &ServiceForm,
    linked: Vec<LocationId>,
) -> Result<FormChoices, AppError> {
    let only = user.only_organisation();
    let organisation = form.organisation.trim().parse::<OrganisationId>().ok();
    let typed = |text: &str| text::normalise(text, text::Shape::Line).to_lowercase();
    let words: Vec<String> =
        typed(&form.organisation_search).split_whitespace().map(str::to_string).collect();
    let ticked: Vec<LocationId> = form.parts.venues.iter().filter_map(|v| v.trim().parse().ok()).collect();
    let search = typed(&form.parts.venue_search);
    let sees_confidential = user.may_see_confidential();
    let serves_chosen = form.area == "neighbourhoods" || !form.parts.neighbourhoods.is_empty();
    db(state, move |conn| {
        let organisations = match only {
            Some(own) => organisations::open(conn, &[own], &[])?,
            None => organisations::open(conn, &organisation.into_iter().collect::<Vec<_>>(), &words)?,
        };
        let mut venues = locations::offered(conn, organisation, (&linked, &ticked), &search)?;
        venues.retain(|v| sees_confidential || !v.confidential);
        let neighbourhoods = if serves_chosen {
            neighbourhoods::all(conn)?.into_iter().map(|n| (n.id, n.name)).collect()
        } else {
            Vec::new()
        };
        Ok(FormChoices { organisations, venues, neighbourhoods })
    })
    .await
}

/// Refuses anyone who may not edit the service (404 if there is none).
async fn editable(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    let (organisation, neighbourhoods) = db(state, move |conn| services::scope(conn, id)).await?;
    require(user.may_edit_listing(organisation, &neighbourhoods))
}

/// Refuses a change to a service another area lists (it is changed there),
/// and anyone who may not edit it.
pub(super) async fn changeable(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    editable(state, user, id).await?;
    match db(state, move |conn| neighbours::listed_by(conn, &[id])).await?.remove(&id) {
        Some(area) => Err(AppError::Conflict(format!(
            "This service is listed by {area}, and is changed in {area}'s directory, not here."
        ))),
        None => Ok(()),
    }
}

/// The blank form for a new service, for someone who edits listings, with
/// the organisation chosen when they may list for one only, or when the
/// link that led here named one.
pub fn new_form(user: &StaffUser, organisation: Option<OrganisationId>) -> Result<ServiceForm, AppError> {
    require(user.edits_listings())?;
    let organisation = user.only_organisation().or(organisation);
    Ok(ServiceForm {
        organisation: organisation.map(|o| o.to_string()).unwrap_or_default(),
        status: "active".into(),
        area: "local".into(),
        capacity: "unknown".into(),
        languages: "English".into(),
        ..ServiceForm::default()
    })
}

/// A service as its form shows it now, for someone who may change it.
/// Confidential venues are left off the form of someone who may not see
/// them (and kept when they save).
pub async fn for_editing(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<ServiceEdit, AppError> {
    changeable(state, user, id).await?;
    let mut edit = db(state, move |conn| services::edit(conn, id)).await?;
    if !user.may_see_confidential() {
        let hidden = confidential_venues(state, &edit).await?;
        edit.parts.venues.retain(|(venue, _)| !hidden.contains(venue));
    }
    Ok(edit)
}

/// Which of the service's venues are confidential.
async fn confidential_venues(state: &AppState, edit: &ServiceEdit) -> Result<Vec<LocationId>, AppError> {
    let ids: Vec<LocationId> = edit.parts.venues.iter().map(|(id, _)| *id).collect();
    let venues = db(state, move |conn| locations::many(conn, &ids)).await?;
    Ok(venues.into_iter().filter(|v| v.confidential).map(|v| v.id).collect())
}

/// Checks a posted service form: its fields and lists against what it may
/// choose from, that its organisation exists, and that this person may list
/// services for it.
async fn check(
    state: &AppState,
    user: &StaffUser,
    form: &ServiceForm,
    now: Option<&ServiceEdit>,
) -> Result<Result<ServiceEdit, FieldErrors>, AppError> {
    let linked = now.map(|e| e.parts.venues.iter().map(|(id, _)| *id).collect()).unwrap_or_default();
    let choices = choices(state, user, form, linked).await?;
    let offered = Offered {
        needs: state.taxonomy.needs().map(|n| n.slug.clone()).collect(),
        venues: choices.venues.iter().map(|v| (v.id, v.history_name())).collect(),
        neighbourhoods: choices.neighbourhoods.clone(),
        contacts: now.map(|e| e.parts.contacts.iter().map(|c| c.id).collect()).unwrap_or_default(),
    };
    let edit = match form.check(&offered) {
        Ok(edit) => edit,
        Err(errors) => return Ok(Err(errors)),
    };
    // An organisation that is offered (not archived), or the one it has now.
    let organisation = edit.details.organisation;
    let current = now.map(|e| e.details.organisation);
    if !choices.organisations.iter().any(|(id, _)| *id == organisation) && Some(organisation) != current {
        let mut errors = FieldErrors::default();
        errors.add("organisation", "Choose the organisation that runs the service");
        return Ok(Err(errors));
    }
    // A connector lists services at venues in the neighbourhoods they look after.
    let venues: Vec<LocationId> = edit.parts.venues.iter().map(|(id, _)| *id).collect();
    let placed = db(state, move |conn| locations::many_with_neighbourhoods(conn, &venues)).await?;
    let hoods: Vec<_> = placed.iter().filter_map(|(_, hood)| *hood).collect();
    if !user.looks_after(&hoods) && user.keeps_listings() {
        let mut errors = FieldErrors::default();
        errors.add(
            "venues",
            "Choose venues in the neighbourhoods you look after, or ask their community connector",
        );
        return Ok(Err(errors));
    }
    require(user.may_edit_listing(organisation, &hoods))?;
    Ok(Ok(edit))
}

/// Checks a posted form for a new service (`id` none) or a change to one,
/// from `user`'s side: the service as it would be saved. The confidential
/// venues of someone who may not see them stay as they are.
pub(super) async fn prepare(
    state: &AppState,
    user: &StaffUser,
    id: Option<ServiceId>,
    form: &ServiceForm,
) -> Result<Result<ServiceEdit, FieldErrors>, AppError> {
    let Some(id) = id else {
        require(user.edits_listings())?;
        return check(state, user, form, None).await;
    };
    changeable(state, user, id).await?;
    let now_kept = db(state, move |conn| services::edit(conn, id)).await?;
    let mut edit = match check(state, user, form, Some(&now_kept)).await? {
        Ok(edit) => edit,
        Err(errors) => return Ok(Err(errors)),
    };
    if !user.may_see_confidential() {
        let hidden = confidential_venues(state, &now_kept).await?;
        edit.parts.venues.extend(now_kept.parts.venues.iter().filter(|(v, _)| hidden.contains(v)).cloned());
    }
    Ok(Ok(edit))
}

/// The listings a service looks like: much the same name, meeting within
/// 150 m of one of its venues (itself left out).
pub async fn looks_like(
    state: &AppState,
    edit: &ServiceEdit,
    except: Option<ServiceId>,
) -> Result<Vec<(ServiceId, String)>, AppError> {
    let name = edit.details.name.clone();
    let venues: Vec<LocationId> = edit.parts.venues.iter().map(|(id, _)| *id).collect();
    db(state, move |conn| services::alike(conn, &name, &venues, except)).await
}

/// Why a form was not saved: its problems, and the listings it looks like
/// when that is one of them.
pub type NotSaved = (FieldErrors, Vec<(ServiceId, String)>);

/// Adds a service from the form, with its history; from an organisation
/// editor, it waits for approval. Or the form's problems, among them that
/// it looks like a listing already here (unless the form says it is not).
pub async fn create(
    state: &AppState,
    user: &StaffUser,
    form: &ServiceForm,
) -> Result<Result<Saved<ServiceId>, NotSaved>, AppError> {
    let edit = match prepare(state, user, None, form).await? {
        Ok(edit) => edit,
        Err(errors) => return Ok(Err((errors, Vec::new()))),
    };
    if !form.not_duplicate {
        let alike = looks_like(state, &edit, None).await?;
        if !alike.is_empty() {
            let mut errors = FieldErrors::default();
            let names: Vec<String> =
                alike.iter().map(|(_, name)| format!("\u{201c}{name}\u{201d}")).collect();
            errors.add(
                "not_duplicate",
                format!(
                    "It looks like {} already listed within 150 m: check it is not the same, then tick the box to add it",
                    names.join(" and ")
                ),
            );
            return Ok(Err((errors, alike)));
        }
    }
    if !user.keeps_listings() {
        let waiting = approvals::propose(state, user, ProposalKind::NewService, None, form).await?;
        return Ok(Ok(Saved::Waiting(waiting)));
    }
    let (by, reason, now) = (user.id, form.reason(), Utc::now().naive_utc());
    let id = db(state, move |conn| services::create_listing(conn, &edit, by, reason.as_deref(), now)).await?;
    reindex(state).await;
    Ok(Ok(Saved::Live(id)))
}

/// Changes a service from the form, recording what changed; from an
/// organisation editor, it waits for approval. Or the form's problems.
pub async fn update(
    state: &AppState,
    user: &StaffUser,
    id: ServiceId,
    form: &ServiceForm,
) -> Result<Result<Saved<()>, FieldErrors>, AppError> {
    let edit = match prepare(state, user, Some(id), form).await? {
        Ok(edit) => edit,
        Err(errors) => return Ok(Err(errors)),
    };
    if !user.keeps_listings() {
        let waiting =
            approvals::propose(state, user, ProposalKind::Service, Some(id.to_string()), form).await?;
        return Ok(Ok(Saved::Waiting(waiting)));
    }
    let (by, reason, now) = (user.id, form.reason(), Utc::now().naive_utc());
    db(state, move |conn| services::update_listing(conn, id, &edit, by, reason.as_deref(), now)).await?;
    reindex(state).await;
    Ok(Ok(Saved::Live(())))
}

/// Marks a service as checked and still true today.
pub async fn verify(state: &AppState, user: &StaffUser, id: ServiceId) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| services::verify(conn, id, by, now)).await?;
    reindex(state).await;
    Ok(())
}

/// Takes a service off the public site, search and the open data, or puts it
/// back: kept with its history either way. Those who keep the directory
/// may; doing it twice is refused.
pub async fn archive(
    state: &AppState,
    user: &StaffUser,
    id: ServiceId,
    archived: bool,
) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    require(user.keeps_listings())?;
    if !archived && let Some(into) = db(state, move |conn| services::merged_into(conn, id)).await? {
        return Err(AppError::Conflict(format!(
            "This listing was merged into another (/services/{into}), and is not restored: change that one instead."
        )));
    }
    let (by, now) = (user.id, Utc::now().naive_utc());
    let done = db(state, move |conn| services::set_archived(conn, id, archived, by, now)).await?;
    if !done {
        return Err(AppError::Conflict(String::from(if archived {
            "This service is already archived."
        } else {
            "This service is not archived."
        })));
    }
    reindex(state).await;
    Ok(())
}

/// Merges a service into another (`into`: its page's address, or its id):
/// shortlists and proposals that named it name the other, and its address
/// leads there. Those who keep the directory may, when they may change both.
pub async fn merge(
    state: &AppState,
    user: &StaffUser,
    from: ServiceId,
    into: &str,
) -> Result<ServiceId, AppError> {
    require(user.keeps_listings())?;
    let into: ServiceId = super::named_record(into, "/services/…")?;
    if into == from {
        return Err(AppError::Conflict(String::from(
            "A listing cannot be merged with itself: choose the one it repeats.",
        )));
    }
    changeable(state, user, from).await?;
    changeable(state, user, into).await?;
    let target = db(state, move |conn| services::view(conn, into)).await?;
    if target.archived_at.is_some() {
        return Err(AppError::Conflict(String::from(
            "That listing is archived: merge into one that is running.",
        )));
    }
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| services::merge(conn, from, into, by, now)).await?;
    reindex(state).await;
    Ok(into)
}

/// A service's name and its change history.
pub async fn history(
    state: &AppState,
    user: &StaffUser,
    id: ServiceId,
) -> Result<(String, Vec<ChangeView>), AppError> {
    editable(state, user, id).await?;
    db(state, move |conn| {
        let name = services::input(conn, id)?.name;
        Ok((name, changes::history(conn, RecordKind::Service, &id.to_string())?))
    })
    .await
}
