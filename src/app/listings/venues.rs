//! Adding, changing, archiving and restoring a venue from the staff pages:
//! its postcode places it on the map (and so in a small area and a
//! neighbourhood); a confidential venue is seen only by those who may see
//! confidential addresses.

use chrono::Utc;

use super::super::{db, require};
use super::approvals::{self, Saved};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{LocationId, OrganisationId};
use crate::domain::proposals::ProposalKind;
use crate::domain::text::FieldErrors;
use crate::domain::venue_form::{VenueForm, VenueInput};
use crate::domain::views::{ChangeView, LocationView};
use crate::error::AppError;
use crate::geo::postcode::{Located, PlaceQuery};
use crate::state::AppState;
use crate::store::changes::{self, RecordKind};
use crate::store::{locations, neighbourhoods, organisations, postcodes};

/// A venue as its edit page shows it.
pub struct VenueEditing {
    pub venue: LocationView,
    /// When it is open.
    pub hours: Vec<crate::domain::schedule::Schedule>,
    pub archived: bool,
    /// The name of the neighbourhood it is placed in, if any.
    pub neighbourhood: Option<String>,
    /// How many services meet there.
    pub services: usize,
}

/// The organisations a venue may belong to, for this person: an
/// organisation editor's own; for the others, every organisation.
pub async fn organisation_choices(
    state: &AppState,
    user: &StaffUser,
) -> Result<Vec<(OrganisationId, String)>, AppError> {
    let only = user.only_organisation();
    db(state, move |conn| {
        let mut all = organisations::choices(conn)?;
        if let Some(own) = only {
            all.retain(|(id, _)| *id == own);
        }
        Ok(all)
    })
    .await
}

/// The blank form, with the organisation the link named (or the editor's own).
pub fn new_form(user: &StaffUser, organisation: Option<OrganisationId>) -> Result<VenueForm, AppError> {
    require(user.keeps_listings() || user.only_organisation().is_some())?;
    let organisation = user.only_organisation().or(organisation);
    Ok(VenueForm {
        organisation: organisation.map(|o| o.to_string()).unwrap_or_default(),
        ..VenueForm::default()
    })
}

/// A venue for someone who may change it. A confidential venue is not
/// there at all for someone who may not see it.
pub async fn for_editing(
    state: &AppState,
    user: &StaffUser,
    id: LocationId,
) -> Result<VenueEditing, AppError> {
    let (venue, hours, archived, neighbourhood, services) = db(state, move |conn| {
        let (venue, archived) = locations::one(conn, id)?;
        let hours = locations::hours(conn, id)?;
        let neighbourhood =
            venue.neighbourhood.map(|hood| neighbourhoods::by_id(conn, hood)).transpose()?.map(|n| n.name);
        Ok((venue, hours, archived, neighbourhood, locations::meeting_at(conn, id)?.len()))
    })
    .await?;
    if venue.location.confidential && !user.may_see_confidential() {
        return Err(AppError::NotFound);
    }
    require(user.may_edit_venue(venue.location.organisation, venue.neighbourhood))?;
    Ok(VenueEditing { venue, hours, archived: archived.is_some(), neighbourhood, services })
}

/// Checks the form, and places the venue by its postcode: a postcode this
/// area does not know, or one no longer in use, is refused.
pub(super) async fn check(
    state: &AppState,
    user: &StaffUser,
    form: &VenueForm,
) -> Result<Result<(VenueInput, (f64, f64)), FieldErrors>, AppError> {
    let mut input = match form.check() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Some(own) = user.only_organisation() {
        input.organisation = Some(own);
    }
    let mut errors = FieldErrors::default();
    if input.confidential && !user.may_see_confidential() {
        errors.add("confidential", "Ask a community connector to mark a venue's address as confidential");
    }
    if let Some(organisation) = input.organisation
        && !db(state, move |conn| organisations::exists(conn, organisation)).await?
    {
        errors.add("organisation", "Choose the organisation from the list");
    }
    let query = PlaceQuery::Postcode(input.postcode.clone());
    let point = match db(state, move |conn| postcodes::locate(conn, &query)).await? {
        Located::Postcode(place) => Some((place.latitude, place.longitude)),
        Located::Terminated { postcode, .. } => {
            errors.add(
                "postcode",
                format!("{postcode} is no longer in use: enter the postcode the venue has now"),
            );
            None
        }
        _ => {
            errors.add(
                "postcode",
                format!("We do not know the postcode {} in this area: check it, or ask an administrator to load the area's postcodes", input.postcode),
            );
            None
        }
    };
    if let Some((latitude, longitude)) = point {
        let hood = db(state, move |conn| {
            let id = neighbourhoods::containing(conn, latitude, longitude)?;
            id.map(|id| neighbourhoods::by_id(conn, id)).transpose()
        })
        .await?;
        if !user.may_edit_venue(input.organisation, hood.as_ref().map(|h| h.id)) {
            let name = hood.map_or_else(|| String::from("another neighbourhood"), |h| h.name);
            errors.add(
                "postcode",
                format!(
                    "{} is in {name}, which you do not look after: ask its community connector",
                    input.postcode
                ),
            );
        }
    }
    match point {
        Some(point) if errors.is_empty() => Ok(Ok((input, point))),
        _ => Ok(Err(errors)),
    }
}

/// Adds a venue from the form; from an organisation editor, it waits for
/// approval. Or the form's problems.
pub async fn create(
    state: &AppState,
    user: &StaffUser,
    form: &VenueForm,
) -> Result<Result<Saved<LocationId>, FieldErrors>, AppError> {
    require(user.keeps_listings() || user.only_organisation().is_some())?;
    let (input, point) = match check(state, user, form).await? {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    if !user.keeps_listings() {
        let waiting = approvals::propose(state, user, ProposalKind::NewVenue, None, form).await?;
        return Ok(Ok(Saved::Waiting(waiting)));
    }
    let venue = input.placed(LocationId::new(), point);
    let (by, reason, now, id) = (user.id, form.reason(), Utc::now().naive_utc(), venue.id);
    db(state, move |conn| locations::create(conn, (&venue, &input.hours), by, reason.as_deref(), now))
        .await?;
    Ok(Ok(Saved::Live(id)))
}

/// Changes a venue from the form, recording what changed; the services that
/// meet there are indexed again. From an organisation editor, it waits for
/// approval. Or the form's problems.
pub async fn update(
    state: &AppState,
    user: &StaffUser,
    id: LocationId,
    form: &VenueForm,
) -> Result<Result<Saved<()>, FieldErrors>, AppError> {
    for_editing(state, user, id).await?;
    let (input, point) = match check(state, user, form).await? {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    if !user.keeps_listings() {
        let waiting =
            approvals::propose(state, user, ProposalKind::Venue, Some(id.to_string()), form).await?;
        return Ok(Ok(Saved::Waiting(waiting)));
    }
    let venue = input.placed(id, point);
    let (by, reason, now) = (user.id, form.reason(), Utc::now().naive_utc());
    db(state, move |conn| locations::change(conn, (&venue, &input.hours), by, reason.as_deref(), now))
        .await?;
    super::reindex(state).await;
    Ok(Ok(Saved::Live(())))
}

/// Archives a venue (once no service meets there) or restores it.
pub async fn archive(
    state: &AppState,
    user: &StaffUser,
    id: LocationId,
    archived: bool,
) -> Result<(), AppError> {
    for_editing(state, user, id).await?;
    require(user.keeps_listings())?;
    let (by, now) = (user.id, Utc::now().naive_utc());
    match db(state, move |conn| locations::set_archived(conn, id, archived, by, now)).await? {
        Ok(true) => Ok(()),
        Ok(false) if archived => Err(AppError::Conflict(String::from("This venue is already archived."))),
        Ok(false) => Err(AppError::Conflict(String::from("This venue is not archived."))),
        Err(meeting) => Err(AppError::Conflict(format!(
            "{meeting} {} still {} here. Move {} to another venue, or archive {}, first.",
            if meeting == 1 { "service" } else { "services" },
            if meeting == 1 { "meets" } else { "meet" },
            if meeting == 1 { "it" } else { "them" },
            if meeting == 1 { "it" } else { "them" },
        ))),
    }
}

/// A venue's name and its change history.
pub async fn history(
    state: &AppState,
    user: &StaffUser,
    id: LocationId,
) -> Result<(String, Vec<ChangeView>), AppError> {
    let editing = for_editing(state, user, id).await?;
    let changes =
        db(state, move |conn| changes::history(conn, RecordKind::Location, &id.to_string())).await?;
    Ok((editing.venue.location.name, changes))
}
