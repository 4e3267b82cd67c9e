//! Suggestions from the public: a change to a service ("Suggest a change" on
//! its page) or a service we do not list ("Tell us about a service" on a
//! need's page). No account; an optional address to hear back; a field
//! people never see to turn robots away, and a limit per network address.
//! Each waits in the approval queue for a connector.

use chrono::{Duration, Utc};

use super::super::db;
use crate::domain::accounts::hex;
use crate::domain::ids::{ProposalId, ServiceId};
use crate::domain::proposals::{NewProposal, ProposalKind, SuggestionForm};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{proposals, services, users};

/// The most suggestions one network address may send in an hour.
const PER_HOUR: i64 = 5;

/// The name of the service a suggestion is about, for its page: a running
/// listing of this area (404 otherwise).
pub async fn about(state: &AppState, id: ServiceId) -> Result<String, AppError> {
    let view = db(state, move |conn| services::view(conn, id)).await?;
    if view.archived_at.is_some() || view.listed_by.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(view.details.name)
}

/// Keeps a suggestion (about a service, or of a new one told of from the
/// page of the need `need` names) from `address`; or the form's problems.
/// A robot's is thanked and dropped.
pub async fn suggest(
    state: &AppState,
    (about, need): (Option<ServiceId>, Option<&str>),
    form: &SuggestionForm,
    address: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    if let Some(id) = about {
        self::about(state, id).await?;
    }
    let suggestion = match form.check(about.is_none()) {
        Ok(suggestion) => suggestion,
        Err(errors) => return Ok(Err(errors)),
    };
    if form.from_a_robot() {
        tracing::info!("a suggestion filled in the field people never see, and was dropped");
        return Ok(Ok(()));
    }
    // Keyed by the server's secret, so that the hash cannot be turned back
    // into an address by trying them all; forgotten once the hour is over.
    let sender = users::token_hash(&format!("suggestion:{}:{address}", hex(&state.cookie_key)));
    let now = Utc::now().naive_utc();
    let new = NewProposal {
        id: ProposalId::new(),
        kind: ProposalKind::Suggestion,
        record_id: about.map(|id| id.to_string()),
        form: None,
        message: Some(match need {
            Some(need) => format!("{}\n\n(Told of from the page of {need}.)", suggestion.message),
            None => suggestion.message,
        }),
        by: None,
        email: suggestion.email,
        sender: Some(sender.clone()),
        at: now,
    };
    let kept = db(state, move |conn| {
        proposals::forget_senders_before(conn, now - Duration::hours(1))?;
        if proposals::sent_since(conn, &sender, now - Duration::hours(1))? >= PER_HOUR {
            return Ok(false);
        }
        proposals::insert(conn, &new)?;
        Ok(true)
    })
    .await?;
    if !kept {
        return Err(AppError::TooManyRequests { retry_after_secs: 3_600 });
    }
    Ok(Ok(()))
}
