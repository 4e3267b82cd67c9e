//! The neighbourhood networks: the list of networks, a network's page,
//! following one, starting a thread, a thread's page, replying and changing
//! one's post; place-based networks made by those who keep the directory;
//! and the activity the neighbourhood, service and organisation pages show.

use chrono::Utc;

use super::{db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{NeighbourhoodId, OrganisationId, PostId, ServiceId, ThreadId};
use crate::domain::moderation::{NotPosted, Posting, PostingRights};
use crate::domain::networks::{
    Member, NeedChoice, NetworkForm, NetworkPage, NetworkView, PostView, REPLIES_PER_PAGE, StoredPost,
    THREADS_PER_PAGE, ThreadForm, ThreadPage, ThreadSummary, check_reply, may_edit, pages_for,
};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{StoreError, moderation, networks, notifications, threads};

/// The events a network's page shows: the next few.
const NEXT_EVENTS: usize = 3;

/// Every network.
pub async fn list(state: &AppState) -> Result<Vec<NetworkView>, AppError> {
    db(state, networks::all).await
}

/// A network's page (from 1) of threads, its next few events, and whether
/// `viewer` follows it.
pub async fn network_page(
    state: &AppState,
    slug: String,
    page: usize,
    viewer: Option<&Member>,
) -> Result<NetworkPage, AppError> {
    let (viewer, now) = (viewer.map(|m| m.id), Utc::now().naive_utc());
    let mut shown = db(state, move |conn| {
        let network = networks::by_slug(conn, &slug)?;
        let pages = pages_for(network.threads, THREADS_PER_PAGE);
        let page = page.clamp(1, pages);
        let threads = threads::of_network(conn, network.id, page)?;
        let following = match viewer {
            Some(member) => networks::follows(conn, member, network.id)?,
            None => false,
        };
        let events = crate::store::events::next_in_network(conn, network.id, now, NEXT_EVENTS as i64)?;
        Ok(NetworkPage { network, threads, page, pages, following, events })
    })
    .await?;
    shown.events = super::events::soonest(std::mem::take(&mut shown.events), NEXT_EVENTS);
    Ok(shown)
}

/// `member` follows the network at `slug`, or stops following it.
pub async fn follow(state: &AppState, member: &Member, slug: String, follow: bool) -> Result<(), AppError> {
    let (id, now) = (member.id, Utc::now().naive_utc());
    db(state, move |conn| {
        let network = networks::by_slug(conn, &slug)?;
        if !follow {
            return networks::unfollow(conn, id, network.id);
        }
        // Following asks for the emails about it.
        notifications::emails_on(conn, id)?;
        networks::follow(conn, id, network.id, now)
    })
    .await
}

/// `member` follows a thread (and hears of its replies), or stops.
pub async fn follow_thread(
    state: &AppState,
    member: &Member,
    thread: ThreadId,
    follow: bool,
) -> Result<(), AppError> {
    let (id, now) = (member.id, Utc::now().naive_utc());
    db(state, move |conn| {
        threads::summary(conn, thread)?;
        if !follow {
            return notifications::unfollow_thread(conn, id, thread);
        }
        notifications::emails_on(conn, id)?;
        notifications::follow_thread(conn, id, thread, now)
    })
    .await
}

/// The network a new thread goes in, and the needs it may be tagged with.
pub async fn new_thread(state: &AppState, slug: String) -> Result<(NetworkView, Vec<NeedChoice>), AppError> {
    let network = db(state, move |conn| networks::by_slug(conn, &slug)).await?;
    Ok((network, need_choices(state)))
}

fn need_choices(state: &AppState) -> Vec<NeedChoice> {
    let mut needs: Vec<NeedChoice> = state
        .taxonomy
        .needs()
        .filter(|n| n.parent.is_some())
        .map(|n| NeedChoice { id: n.id, label: n.label.clone() })
        .collect();
    needs.sort_by(|a, b| a.label.cmp(&b.label));
    needs
}

/// Starts a thread in the network at `slug`: its id, or the form's problems.
pub async fn start_thread(
    state: &AppState,
    member: &Member,
    slug: String,
    form: &ThreadForm,
) -> Result<Result<ThreadId, FieldErrors>, AppError> {
    let allowed: Vec<_> = need_choices(state).into_iter().map(|n| n.id).collect();
    let thread = match form.check(&allowed) {
        Ok(thread) => thread,
        Err(errors) => return Ok(Err(errors)),
    };
    let (author, now) = (member.id, Utc::now().naive_utc());
    let (network, rights) = db(state, move |conn| {
        let network = networks::by_slug(conn, &slug)?.id;
        Ok((network, moderation::rights(conn, author, network, now)?))
    })
    .await?;
    let held = match may_post(&rights, &thread.body) {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let id = db(state, move |conn| threads::start(conn, network, author, (&thread, held), now)).await?;
    super::search::take_in_activity(state).await;
    Ok(Ok(id))
}

/// Whether a post may go up, held for a moderator or not; or, said at the
/// post's text (which is kept on the form), why not.
fn may_post(rights: &PostingRights, body: &str) -> Result<bool, FieldErrors> {
    let mut errors = FieldErrors::default();
    match rights.decide(body) {
        Ok(posting) => return Ok(posting == Posting::Held),
        Err(NotPosted::Suspended(why)) => errors.add(
            "body",
            format!("A moderator has stopped you posting in this network ({why}). Your post was not sent."),
        ),
        Err(NotPosted::TooMany(window)) => errors.add(
            "body",
            format!(
                "You have posted a lot in the last {} minutes. Wait a few minutes, then send it again.",
                window.num_minutes()
            ),
        ),
    }
    Err(errors)
}

/// A thread's page (from 1) of replies, as `viewer` sees it. A thread whose
/// opening post is held or hidden is there only for its author and its
/// moderators (`staff`, if they moderate it).
pub async fn thread_page(
    state: &AppState,
    id: ThreadId,
    page: usize,
    (viewer, staff): (Option<&Member>, Option<&StaffUser>),
) -> Result<ThreadPage, AppError> {
    let viewer = viewer.cloned();
    let staff = staff.cloned();
    let now = Utc::now().naive_utc();
    db(state, move |conn| {
        let summary = threads::summary(conn, id)?;
        let moderator = match &staff {
            Some(user) => user.moderates(moderation::neighbourhood_of_thread(conn, id)?),
            None => false,
        };
        let author = viewer.as_ref().is_some_and(|m| m.id == summary.author.id);
        if !summary.visible && !author && !moderator {
            return Err(StoreError::NotFound);
        }
        let pages = pages_for(summary.replies, REPLIES_PER_PAGE);
        let page = page.clamp(1, pages);
        let (opening, replies) = threads::posts_page(conn, id, page, viewer.as_ref().map(|m| m.id))?;
        let show = |post: StoredPost| -> PostView { post.view(viewer.as_ref(), now) };
        Ok(ThreadPage {
            opening: show(opening),
            replies: replies.into_iter().map(show).collect(),
            page,
            pages,
            named: threads::named(conn, id)?,
            needs: threads::needs_of(conn, id)?,
            may_reply: (viewer.is_some() || staff.is_some()) && !summary.locked,
            following: match &viewer {
                Some(member) => notifications::follows_thread(conn, member.id, id)?,
                None => false,
            },
            moderator,
            summary,
        })
    })
    .await
}

/// Replies to a thread: where the reply is shown (its page and anchor), or
/// the problems with it.
pub async fn reply(
    state: &AppState,
    member: &Member,
    thread: ThreadId,
    body: &str,
) -> Result<Result<String, FieldErrors>, AppError> {
    let body = match check_reply(body) {
        Ok(body) => body,
        Err(errors) => return Ok(Err(errors)),
    };
    let (author, now) = (member.id, Utc::now().naive_utc());
    let (summary, rights) = db(state, move |conn| {
        let summary = threads::summary(conn, thread)?;
        let network = threads::network_of(conn, thread)?;
        Ok((summary, moderation::rights(conn, author, network, now)?))
    })
    .await?;
    if !summary.visible && summary.author.id != author {
        return Err(AppError::Conflict(String::from(
            "A moderator has hidden this conversation, so it takes no replies. Your reply was not posted.",
        )));
    }
    if summary.locked {
        return Err(AppError::Conflict(String::from(
            "A moderator has locked this conversation, so it takes no more replies. Your reply was not posted.",
        )));
    }
    let held = match may_post(&rights, &body) {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let (post, replies) = db(state, move |conn| {
        let post = threads::reply(conn, thread, author, (&body, held), now)?;
        Ok((post, threads::summary(conn, thread)?.replies))
    })
    .await?;
    super::search::take_in_activity(state).await;
    Ok(Ok(post_address(thread, pages_for(replies, REPLIES_PER_PAGE), post)))
}

/// Where a post is shown: its thread's page, at the post.
fn post_address(thread: ThreadId, page: usize, post: PostId) -> String {
    match page {
        1 => format!("/threads/{thread}#post-{post}"),
        page => format!("/threads/{thread}?page={page}#post-{post}"),
    }
}

/// A post its author may change now, with its thread; anyone else, or
/// after the window, is refused.
pub async fn editable_post(
    state: &AppState,
    member: &Member,
    post: PostId,
) -> Result<(StoredPost, ThreadSummary), AppError> {
    let (found, thread) = db(state, move |conn| {
        let (found, thread) = threads::post(conn, post)?;
        Ok((found, threads::summary(conn, thread)?))
    })
    .await?;
    if found.author.id != member.id {
        return Err(AppError::Forbidden);
    }
    if found.hidden {
        return Err(AppError::Conflict(String::from(
            "A moderator has hidden this post, so it cannot be changed.",
        )));
    }
    if !may_edit(member.id, &found, Utc::now().naive_utc()) {
        return Err(AppError::Conflict(String::from(
            "A post can be changed for an hour after it is posted. Reply to the thread to add or correct something.",
        )));
    }
    Ok((found, thread))
}

/// Changes a post within its window: where it is shown, or the problems.
pub async fn edit_post(
    state: &AppState,
    member: &Member,
    post: PostId,
    body: &str,
) -> Result<Result<String, FieldErrors>, AppError> {
    let (found, thread) = editable_post(state, member, post).await?;
    let body = match check_reply(body) {
        Ok(body) => body,
        Err(errors) => return Ok(Err(errors)),
    };
    // A change is held as a post would be (a new member's links wait), and
    // a suspended member changes nothing; it is not counted as a new post.
    let (author, now, thread_id) = (member.id, Utc::now().naive_utc(), thread.id);
    let rights = db(state, move |conn| {
        let network = threads::network_of(conn, thread_id)?;
        moderation::rights(conn, author, network, now)
    })
    .await?;
    let held = match may_post(&PostingRights { recent_posts: 0, ..rights }, &body) {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let was_held = found.held;
    db(state, move |conn| {
        crate::store::transaction(conn, |conn| {
            // Held first: the change logs the post for the search index, last.
            if held && !was_held {
                moderation::hold(conn, post)?;
            }
            threads::edit(conn, post, &body, now)
        })
    })
    .await?;
    super::search::take_in_activity(state).await;
    Ok(Ok(format!("/threads/{}#post-{post}", thread.id)))
}

/// Makes a place-based network (those who keep the directory): its slug,
/// or the form's problems.
pub async fn create(
    state: &AppState,
    user: &StaffUser,
    form: &NetworkForm,
) -> Result<Result<String, FieldErrors>, AppError> {
    require(user.keeps_listings())?;
    let network = match form.check() {
        Ok(network) => network,
        Err(errors) => return Ok(Err(errors)),
    };
    let (by, now) = (user.id, Utc::now().naive_utc());
    Ok(Ok(db(state, move |conn| networks::create(conn, &network, by, now)).await?))
}

/// A neighbourhood's network and its latest threads, for its page.
pub async fn of_neighbourhood(
    state: &AppState,
    neighbourhood: NeighbourhoodId,
) -> Result<Option<(NetworkView, Vec<ThreadSummary>)>, AppError> {
    db(state, move |conn| {
        let Some(network) = networks::of_neighbourhood(conn, neighbourhood)? else { return Ok(None) };
        let mut latest = threads::of_network(conn, network.id, 1)?;
        latest.truncate(5);
        Ok(Some((network, latest)))
    })
    .await
}

/// The latest threads that name a service.
pub async fn naming_service(state: &AppState, service: ServiceId) -> Result<Vec<ThreadSummary>, AppError> {
    db(state, move |conn| threads::naming_service(conn, service, 5)).await
}

/// The latest threads that name an organisation.
pub async fn naming_organisation(
    state: &AppState,
    organisation: OrganisationId,
) -> Result<Vec<ThreadSummary>, AppError> {
    db(state, move |conn| threads::naming_organisation(conn, organisation, 5)).await
}

/// The networks a member follows.
pub async fn followed(state: &AppState, member: &Member) -> Result<Vec<NetworkView>, AppError> {
    let id = member.id;
    db(state, move |conn| networks::followed_by(conn, id)).await
}
