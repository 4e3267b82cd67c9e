//! Adding, changing, archiving and restoring an organisation from the staff
//! pages, with its change history. Connectors and administrators keep every
//! organisation; an organisation editor changes their own.

use chrono::Utc;

use super::super::{db, require};
use super::approvals::{self, Saved};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::OrganisationId;
use crate::domain::listing::Organisation;
use crate::domain::organisation_form::OrganisationForm;
use crate::domain::proposals::ProposalKind;
use crate::domain::text::FieldErrors;
use crate::domain::views::ChangeView;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::changes::{self, RecordKind};
use crate::store::organisations;

/// The blank form, for someone who may add organisations.
pub fn new_form(user: &StaffUser) -> Result<OrganisationForm, AppError> {
    require(user.keeps_listings())?;
    Ok(OrganisationForm { kind: "charity".into(), ..OrganisationForm::default() })
}

/// An organisation as its form shows it now, for someone who may change it,
/// and whether it is archived.
pub async fn for_editing(
    state: &AppState,
    user: &StaffUser,
    id: OrganisationId,
) -> Result<(Organisation, bool), AppError> {
    let (organisation, archived) = db(state, move |conn| organisations::one(conn, id)).await?;
    require(user.may_edit_organisation(id))?;
    Ok((organisation, archived.is_some()))
}

/// Adds an organisation from the form; or the form's problems.
pub async fn create(
    state: &AppState,
    user: &StaffUser,
    form: &OrganisationForm,
) -> Result<Result<OrganisationId, FieldErrors>, AppError> {
    require(user.keeps_listings())?;
    let organisation = match form.check(OrganisationId::new()) {
        Ok(organisation) => organisation,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, reason, now, id) = (user.id, form.reason(), Utc::now().naive_utc(), organisation.id);
    db(state, move |conn| organisations::create(conn, &organisation, by, reason.as_deref(), now)).await?;
    Ok(Ok(id))
}

/// Checks a posted change to an organisation from `user`'s side: the
/// organisation as it would be saved.
pub(super) async fn prepare(
    state: &AppState,
    user: &StaffUser,
    id: OrganisationId,
    form: &OrganisationForm,
) -> Result<Result<Organisation, FieldErrors>, AppError> {
    for_editing(state, user, id).await?;
    Ok(form.check(id))
}

/// Changes an organisation from the form, recording what changed; from its
/// own editor, it waits for approval. Or the form's problems.
pub async fn update(
    state: &AppState,
    user: &StaffUser,
    id: OrganisationId,
    form: &OrganisationForm,
) -> Result<Result<Saved<()>, FieldErrors>, AppError> {
    let organisation = match prepare(state, user, id, form).await? {
        Ok(organisation) => organisation,
        Err(errors) => return Ok(Err(errors)),
    };
    if !user.keeps_listings() {
        let waiting =
            approvals::propose(state, user, ProposalKind::Organisation, Some(id.to_string()), form).await?;
        return Ok(Ok(Saved::Waiting(waiting)));
    }
    let (by, reason, now) = (user.id, form.reason(), Utc::now().naive_utc());
    db(state, move |conn| organisations::change(conn, &organisation, by, reason.as_deref(), now)).await?;
    super::reindex(state).await;
    Ok(Ok(Saved::Live(())))
}

/// Archives an organisation (once its services are archived) or restores it.
pub async fn archive(
    state: &AppState,
    user: &StaffUser,
    id: OrganisationId,
    archived: bool,
) -> Result<(), AppError> {
    db(state, move |conn| organisations::one(conn, id)).await?;
    require(user.keeps_listings())?;
    let (by, now) = (user.id, Utc::now().naive_utc());
    match db(state, move |conn| organisations::set_archived(conn, id, archived, by, now)).await? {
        Ok(true) => Ok(()),
        Ok(false) if archived => {
            Err(AppError::Conflict(String::from("This organisation is already archived.")))
        }
        Ok(false) => Err(AppError::Conflict(String::from("This organisation is not archived."))),
        Err(running) => Err(AppError::Conflict(format!(
            "This organisation still runs {running} {} that {} not archived. Archive {} first.",
            if running == 1 { "service" } else { "services" },
            if running == 1 { "is" } else { "are" },
            if running == 1 { "it" } else { "them" },
        ))),
    }
}

/// An organisation's name and its change history.
pub async fn history(
    state: &AppState,
    user: &StaffUser,
    id: OrganisationId,
) -> Result<(String, Vec<ChangeView>), AppError> {
    let (organisation, _) = for_editing(state, user, id).await?;
    let changes =
        db(state, move |conn| changes::history(conn, RecordKind::Organisation, &id.to_string())).await?;
    Ok((organisation.name, changes))
}
