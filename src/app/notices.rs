//! Notices about a service: short posts from those who keep its listing, on
//! its page. A notice that says whether it is taking new people changes the
//! listing when its author may edit the listing; from anyone else the notice
//! waits in the connectors' queue as a suggestion, and is not shown.

use chrono::Utc;

use super::{db, listings::reindex};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{ProposalId, ServiceId};
use crate::domain::moderation::{NEW_MEMBER_POSTS, RATE_WINDOW};
use crate::domain::networks::{Member, NoticeForm, NoticeView};
use crate::domain::proposals::{NewProposal, ProposalKind};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, moderation, notices, proposals, services};

/// What came of a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posted {
    /// On the service's page (and its capacity on the listing).
    Shown,
    /// In the connectors' queue, as a suggestion.
    Suggested,
}

/// Posts a notice about `service` as `member` (who may be a member of
/// staff, `staff`): shown, or suggested; or the form's problems.
pub async fn post(
    state: &AppState,
    (member, staff): (&Member, Option<&StaffUser>),
    service: ServiceId,
    form: &NoticeForm,
) -> Result<Result<Posted, FieldErrors>, AppError> {
    // A running listing of this area only (another area's is changed there).
    super::listings::suggestions::about(state, service).await?;
    let (organisation, hoods) = db(state, move |conn| services::scope(conn, service)).await?;
    let (body, capacity) = match form.check() {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    let (author, now) = (member.id, Utc::now().naive_utc());
    let (suspended, recent) = db(state, move |conn| {
        Ok((
            moderation::suspended_everywhere(conn, author)?,
            notices::sent_since(conn, author, now - RATE_WINDOW)?,
        ))
    })
    .await?;
    let mut errors = FieldErrors::default();
    if let Some(why) = suspended {
        errors.add("body", format!("A moderator has stopped you posting ({why}). Your notice was not sent."));
    } else if recent >= NEW_MEMBER_POSTS {
        errors.add("body", "You have sent a lot of notices lately. Wait a few minutes, then send it again.");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let keeps_it = staff.is_some_and(|user| user.may_edit_listing(organisation, &hoods));
    if keeps_it {
        let reason = format!("A notice from {}", member.display_name);
        db(state, move |conn| {
            store::transaction(conn, |conn| {
                notices::insert(conn, service, author, (&body, capacity), now)?;
                if let Some(capacity) = capacity {
                    services::set_capacity(conn, service, capacity, &reason, now)?;
                }
                Ok(())
            })
        })
        .await?;
        reindex(state).await;
        return Ok(Ok(Posted::Shown));
    }
    let says = capacity.map(|c| format!(" It says: {}.", c.label())).unwrap_or_default();
    let suggestion = NewProposal {
        id: ProposalId::new(),
        kind: ProposalKind::Suggestion,
        record_id: Some(service.to_string()),
        form: None,
        message: Some(format!("A notice from {}, a network member: {body}{says}", member.display_name)),
        by: None,
        email: None,
        sender: None,
        at: now,
    };
    db(state, move |conn| proposals::insert(conn, &suggestion)).await?;
    Ok(Ok(Posted::Suggested))
}

/// The latest notices about a service.
pub async fn of_service(state: &AppState, service: ServiceId) -> Result<Vec<NoticeView>, AppError> {
    db(state, move |conn| notices::of_service(conn, service, 5)).await
}
