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

/// Adds an organisation from the form; or the form's problems, among them
/// that one here has the same charity or company number (unless the form
/// says it is a different organisation), with those it looks like.
pub async fn create(
    state: &AppState,
    user: &StaffUser,
    form: &OrganisationForm,
) -> Result<Result<OrganisationId, (FieldErrors, Vec<(OrganisationId, String)>)>, AppError> {
    require(user.keeps_listings())?;
    let organisation = match form.check(OrganisationId::new()) {
        Ok(organisation) => organisation,
        Err(errors) => return Ok(Err((errors, Vec::new()))),
    };
    if !form.not_duplicate {
        let (charity, company) = (organisation.charity_number.clone(), organisation.company_number.clone());
        let alike =
            db(state, move |conn| organisations::alike(conn, (charity.as_deref(), company.as_deref()), None))
                .await?;
        if !alike.is_empty() {
            let mut errors = FieldErrors::default();
            errors.add(
                "not_duplicate",
                "An organisation here has the same charity or company number: check it is not the same, then tick the box to add it",
            );
            return Ok(Err((errors, alike)));
        }
    }
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
    if !archived && let Some(into) = db(state, move |conn| organisations::merged_into(conn, id)).await? {
        return Err(AppError::Conflict(format!(
            "This organisation was merged into another (/organisations/{into}), and is not restored."
        )));
    }
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

/// Merges an organisation into another (`into`: its page's address, or its
/// id): its services, venues and editors move there, and its address leads
/// there. Those who keep the directory may.
pub async fn merge(
    state: &AppState,
    user: &StaffUser,
    from: OrganisationId,
    into: &str,
) -> Result<OrganisationId, AppError> {
    require(user.keeps_listings())?;
    let into: OrganisationId = super::named_record(into, "/organisations/…")?;
    if into == from {
        return Err(AppError::Conflict(String::from(
            "An organisation cannot be merged with itself: choose the one it repeats.",
        )));
    }
    let (_, archived) = db(state, move |conn| organisations::one(conn, into)).await?;
    if archived.is_some() {
        return Err(AppError::Conflict(String::from(
            "That organisation is archived: merge into one that is not.",
        )));
    }
    db(state, move |conn| organisations::one(conn, from)).await?;
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| organisations::merge(conn, from, into, by, now)).await?;
    super::reindex(state).await;
    Ok(into)
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
