//! Moderating the networks: members report posts; connectors (in the
//! networks of the neighbourhoods they look after, and the place-based
//! ones) and administrators (everywhere) approve held posts, hide and
//! restore posts, dismiss reports, lock threads, suspend members from a
//! network (administrators: from every network) and set whether a network
//! holds new members' first posts. Every action is logged with its reason.

use chrono::Utc;

use super::{db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{MemberId, NeighbourhoodId, NetworkId, PostId};
use crate::domain::moderation::{
    ItemAction, LogLine, ModerationItem, ReportForm, Reported, ReportedView, SuspensionView, reason,
};
use crate::domain::networks::{Member, StoredPost, ThreadSummary};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{StoreError, moderation, threads};

/// The networks a moderator may act in: every one for an administrator,
/// their neighbourhoods' and the place-based ones for a connector.
fn scope(user: &StaffUser) -> Option<Vec<NeighbourhoodId>> {
    (!user.manages_neighbourhoods()).then(|| user.neighbourhoods.clone())
}

/// A network a moderator may act in: (id, slug, name, whether it holds new
/// members' first posts).
pub type ModeratedNetwork = (NetworkId, String, String, bool);

/// The moderation page: what waits, the networks and their setting, and
/// the suspensions in force.
pub struct Queue {
    pub items: Vec<ModerationItem>,
    /// Events and notices with open reports.
    pub reported: Vec<ReportedView>,
    pub networks: Vec<ModeratedNetwork>,
    pub suspensions: Vec<SuspensionView>,
}

pub async fn queue(state: &AppState, user: &StaffUser) -> Result<Queue, AppError> {
    require(user.keeps_listings())?;
    let scope = scope(user);
    db(state, move |conn| {
        let networks = moderation::networks_moderated(conn, scope.as_deref())?;
        let ids: Vec<NetworkId> = networks.iter().map(|n| n.0).collect();
        Ok(Queue {
            items: moderation::queue(conn, &ids, None)?,
            reported: moderation::reported_items(conn, &ids)?,
            suspensions: moderation::suspensions_in(conn, &ids)?,
            networks,
        })
    })
    .await
}

/// How many posts wait for this moderator.
pub async fn waiting(state: &AppState, user: &StaffUser) -> Result<i64, AppError> {
    require(user.keeps_listings())?;
    let scope = scope(user);
    db(state, move |conn| {
        let ids: Vec<NetworkId> =
            moderation::networks_moderated(conn, scope.as_deref())?.into_iter().map(|n| n.0).collect();
        moderation::waiting(conn, &ids)
    })
    .await
}

/// The latest of the moderation log, in the moderator's networks.
pub async fn log(state: &AppState, user: &StaffUser) -> Result<Vec<LogLine>, AppError> {
    require(user.keeps_listings())?;
    let scope = scope(user);
    db(state, move |conn| {
        let ids: Vec<NetworkId> =
            moderation::networks_moderated(conn, scope.as_deref())?.into_iter().map(|n| n.0).collect();
        moderation::log_lines(conn, &ids, 200)
    })
    .await
}

/// One post for a moderator, whatever its state, if they moderate it.
pub async fn post(state: &AppState, user: &StaffUser, post: PostId) -> Result<ModerationItem, AppError> {
    let (neighbourhood, network) = db(state, move |conn| {
        let place = moderation::place_of(conn, post)?;
        Ok((place.neighbourhood, place.network))
    })
    .await?;
    require(user.moderates(neighbourhood))?;
    let item = db(state, move |conn| moderation::queue(conn, &[network], Some(post))).await?;
    item.into_iter().next().ok_or(AppError::NotFound)
}

/// What a moderator does to a post (or its thread, or its author).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Approve,
    Hide,
    Restore,
    Dismiss,
    Lock,
    Unlock,
    /// From the post's network.
    Suspend,
    /// From every network: administrators only.
    SuspendEverywhere,
}

impl Action {
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "approve" => Action::Approve,
            "hide" => Action::Hide,
            "restore" => Action::Restore,
            "dismiss" => Action::Dismiss,
            "lock" => Action::Lock,
            "unlock" => Action::Unlock,
            "suspend" => Action::Suspend,
            "suspend_everywhere" => Action::SuspendEverywhere,
            _ => return None,
        })
    }

    /// Whether the moderator must say why: anything that takes something away.
    fn needs_reason(self) -> bool {
        matches!(self, Action::Hide | Action::Lock | Action::Suspend | Action::SuspendEverywhere)
    }
}

/// Does `action` to `post`, with `why` (required for what takes something
/// away): or the problem with the reason.
pub async fn act(
    state: &AppState,
    user: &StaffUser,
    post: PostId,
    action: Action,
    why: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    let place = {
        let place = db(state, move |conn| moderation::place_of(conn, post)).await?;
        require(user.moderates(place.neighbourhood))?;
        place
    };
    if action == Action::SuspendEverywhere {
        require(user.manages_neighbourhoods())?;
    }
    if action == Action::Approve && !place.held {
        return Err(AppError::Conflict(String::from("This post is not waiting for approval.")));
    }
    let why = match (reason(why), action.needs_reason()) {
        (Ok(why), _) => why,
        (Err(errors), true) => return Ok(Err(errors)),
        (Err(_), false) => String::new(),
    };
    let (by, now) = (user.id, Utc::now().naive_utc());
    let (thread, network, author) = (place.thread, place.network, place.author);
    db(state, move |conn| match action {
        Action::Approve => moderation::approve(conn, post, by, &why, now),
        Action::Hide => moderation::hide(conn, post, by, &why, now),
        Action::Restore => moderation::restore(conn, post, by, &why, now),
        Action::Dismiss => moderation::dismiss(conn, post, by, &why, now),
        Action::Lock => moderation::lock(conn, thread, true, by, &why, now),
        Action::Unlock => moderation::lock(conn, thread, false, by, &why, now),
        Action::Suspend => moderation::suspend(conn, author, Some(network), by, &why, now),
        Action::SuspendEverywhere => moderation::suspend(conn, author, None, by, &why, now),
    })
    .await?;
    super::search::take_in_activity(state).await;
    Ok(Ok(()))
}

/// Whether this person moderates an event (its network) or a notice.
pub async fn moderates_item(
    state: &AppState,
    user: Option<&StaffUser>,
    item: Reported,
) -> Result<bool, AppError> {
    let Some(user) = user.cloned().filter(StaffUser::keeps_listings) else { return Ok(false) };
    let hood = db(state, move |conn| moderation::neighbourhood_of_item(conn, item)).await?;
    Ok(user.moderates(hood))
}

/// Hides an event or notice (with why), shows it again, or leaves it and
/// closes its reports; `None` when the form did not say which.
pub async fn act_on_item(
    state: &AppState,
    user: &StaffUser,
    item: Reported,
    action: Option<ItemAction>,
    why: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    require(user.keeps_listings())?;
    require(moderates_item(state, Some(user), item).await?)?;
    let action = action.ok_or_else(|| {
        AppError::BadRequest(format!(
            "Choose whether to hide the {0}, show it again or leave it.",
            item.noun()
        ))
    })?;
    let why = match (reason(why), action) {
        (Ok(why), _) => why,
        (Err(errors), ItemAction::Hide) => return Ok(Err(errors)),
        (Err(_), _) => String::new(),
    };
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| moderation::act_on_item(conn, item, action, by, &why, now)).await?;
    super::search::take_in_activity(state).await;
    Ok(Ok(()))
}

/// An event or notice a member may report (one shown).
pub async fn reportable_item(state: &AppState, item: Reported) -> Result<ReportedView, AppError> {
    let shown = db(state, move |conn| moderation::reported_view(conn, item)).await?;
    if shown.hidden { Err(AppError::NotFound) } else { Ok(shown) }
}

/// Reports an event or notice: kept for the moderators (once per member).
pub async fn report_item(
    state: &AppState,
    member: &Member,
    item: Reported,
    form: &ReportForm,
) -> Result<Result<ReportedView, FieldErrors>, AppError> {
    let shown = reportable_item(state, item).await?;
    let (reason, details) = match form.check() {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, now): (MemberId, _) = (member.id, Utc::now().naive_utc());
    db(state, move |conn| moderation::report_item(conn, item, by, (reason, &details), now)).await?;
    Ok(Ok(shown))
}

/// Lifts a suspension, with why.
pub async fn lift(
    state: &AppState,
    user: &StaffUser,
    id: String,
    why: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    let lookup = id.clone();
    let (_, network, neighbourhood) = db(state, move |conn| moderation::suspension(conn, &lookup)).await?;
    require(if network.is_some() { user.moderates(neighbourhood) } else { user.manages_neighbourhoods() })?;
    let why = match reason(why) {
        Ok(why) => why,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| moderation::lift(conn, &id, by, &why, now)).await?;
    Ok(Ok(()))
}

/// Sets whether the network at `slug` holds new members' first posts
/// (`None`: the form did not say).
pub async fn set_approval(
    state: &AppState,
    user: &StaffUser,
    slug: String,
    on: Option<bool>,
) -> Result<(), AppError> {
    require(user.keeps_listings())?;
    let network = db(state, move |conn| crate::store::networks::by_slug(conn, &slug)).await?;
    require(user.moderates(network.neighbourhood_id))?;
    let on = on
        .ok_or_else(|| AppError::BadRequest(String::from("Choose whether first posts wait for approval.")))?;
    let (by, now, id) = (user.id, Utc::now().naive_utc(), network.id);
    db(state, move |conn| moderation::set_approval(conn, id, on, by, now)).await
}

/// A post a member may report, with its thread.
pub async fn reportable(state: &AppState, post: PostId) -> Result<(StoredPost, ThreadSummary), AppError> {
    db(state, move |conn| {
        let (found, thread) = threads::post(conn, post)?;
        let summary = threads::summary(conn, thread)?;
        if found.hidden || found.held || !summary.visible {
            return Err(StoreError::NotFound);
        }
        Ok((found, summary))
    })
    .await
}

/// Reports a post: kept for the moderators (once per member and post).
pub async fn report(
    state: &AppState,
    member: &Member,
    post: PostId,
    form: &ReportForm,
) -> Result<Result<ThreadSummary, FieldErrors>, AppError> {
    let (_, thread) = reportable(state, post).await?;
    let (reason, details) = match form.check() {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, now): (MemberId, _) = (member.id, Utc::now().naive_utc());
    db(state, move |conn| moderation::report(conn, post, by, (reason, &details), now)).await?;
    Ok(Ok(thread))
}
