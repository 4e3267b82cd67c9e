//! Moderating the networks: who may post where (suspensions, trust, the
//! rate of posting), reports, hiding, restoring and approving posts, locking
//! threads, suspending members, each network's setting, and the log that
//! keeps every moderator's action with its reason.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::activity_feed::Subject;
use super::schema::{
    events, item_reports, members, moderation_log, networks, notices, posts, reports, services, suspensions,
    threads, users,
};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::ids::{
    EventId, MemberId, NeighbourhoodId, NetworkId, NoticeId, PostId, ServiceId, ThreadId, UserId,
};
use crate::domain::markdown;
use crate::domain::moderation::{
    ItemAction, LogLine, ModerationItem, PostingRights, RATE_WINDOW, ReportReason, ReportView, Reported,
    ReportedView, SuspensionView,
};
use crate::domain::networks::Author;

/// What `member` may do in `network` at `now`.
pub fn rights(
    conn: &mut Conn,
    member: MemberId,
    network: NetworkId,
    now: NaiveDateTime,
) -> StoreResult<PostingRights> {
    let suspended: Option<String> = suspensions::table
        .filter(suspensions::member_id.eq(member))
        .filter(suspensions::lifted_at.is_null())
        .filter(suspensions::network_id.is_null().or(suspensions::network_id.eq(network)))
        .select(suspensions::reason)
        .first(conn)
        .optional()?;
    let trusted: Option<NaiveDateTime> =
        members::table.find(member).select(members::trusted_at).first(conn)?;
    let approve_first_posts: bool =
        networks::table.find(network).select(networks::approve_first_posts).first(conn)?;
    let recent_posts: i64 = posts::table
        .filter(posts::author_id.eq(member))
        .filter(posts::posted_at.gt(now - RATE_WINDOW))
        .count()
        .get_result(conn)?;
    Ok(PostingRights { suspended, trusted: trusted.is_some(), approve_first_posts, recent_posts })
}

/// Why `member` may not post anywhere, if they were suspended from every network.
pub fn suspended_everywhere(conn: &mut Conn, member: MemberId) -> StoreResult<Option<String>> {
    Ok(suspensions::table
        .filter(suspensions::member_id.eq(member))
        .filter(suspensions::lifted_at.is_null())
        .filter(suspensions::network_id.is_null())
        .select(suspensions::reason)
        .first(conn)
        .optional()?)
}

/// Where a post is: its thread, its number, its network and that network's
/// neighbourhood (for who may moderate it), and whether it is held or hidden.
pub struct PostPlace {
    pub thread: ThreadId,
    pub number: i32,
    pub network: NetworkId,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub author: MemberId,
    pub held: bool,
    pub hidden: bool,
}

pub fn place_of(conn: &mut Conn, post: PostId) -> StoreResult<PostPlace> {
    type Row = (ThreadId, i32, NetworkId, Option<NeighbourhoodId>, MemberId, bool, Option<NaiveDateTime>);
    let row: Row = posts::table
        .inner_join(threads::table.inner_join(networks::table))
        .filter(posts::id.eq(post))
        .select((
            posts::thread_id,
            posts::number,
            threads::network_id,
            networks::neighbourhood_id,
            posts::author_id,
            posts::held,
            posts::hidden_at,
        ))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok(PostPlace {
        thread: row.0,
        number: row.1,
        network: row.2,
        neighbourhood: row.3,
        author: row.4,
        held: row.5,
        hidden: row.6.is_some(),
    })
}

/// The neighbourhood of a thread's network (for who may moderate it).
pub fn neighbourhood_of_thread(conn: &mut Conn, thread: ThreadId) -> StoreResult<Option<NeighbourhoodId>> {
    threads::table
        .inner_join(networks::table)
        .filter(threads::id.eq(thread))
        .select(networks::neighbourhood_id)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Writes a line of the moderation log.
pub struct Logged<'a> {
    pub by: UserId,
    pub action: &'a str,
    pub network: Option<NetworkId>,
    pub thread: Option<ThreadId>,
    pub post: Option<PostId>,
    pub member: Option<MemberId>,
    pub reason: &'a str,
    /// The event or notice it is about.
    pub item: Option<Reported>,
}

impl<'a> Logged<'a> {
    /// A line about a post: its network, its thread and its author.
    fn about_post(by: UserId, action: &'a str, post: PostId, place: &PostPlace, reason: &'a str) -> Self {
        Logged {
            by,
            action,
            network: Some(place.network),
            thread: Some(place.thread),
            post: Some(post),
            member: Some(place.author),
            reason,
            item: None,
        }
    }
}

fn log(conn: &mut Conn, line: &Logged<'_>, now: NaiveDateTime) -> StoreResult<()> {
    diesel::insert_into(moderation_log::table)
        .values((
            moderation_log::id.eq(uuid::Uuid::new_v4().to_string()),
            moderation_log::acted_at.eq(now),
            moderation_log::moderator.eq(line.by),
            moderation_log::action.eq(line.action),
            moderation_log::network_id.eq(line.network),
            moderation_log::thread_id.eq(line.thread),
            moderation_log::post_id.eq(line.post),
            moderation_log::member_id.eq(line.member),
            moderation_log::reason.eq(line.reason),
            moderation_log::event_id.eq(line.item.and_then(|item| item.ids().0)),
            moderation_log::notice_id.eq(line.item.and_then(|item| item.ids().1)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether a post is one readers see.
fn shown(held: bool, hidden: bool) -> bool {
    !held && !hidden
}

/// Sets a post's held and hidden state, keeping its thread's `visible`
/// (for an opening post) or reply count (for a reply) in step.
fn set_state(
    conn: &mut Conn,
    post: PostId,
    place: &PostPlace,
    held: bool,
    hidden_at: Option<NaiveDateTime>,
) -> StoreResult<()> {
    diesel::update(posts::table.find(post))
        .set((posts::held.eq(held), posts::hidden_at.eq(hidden_at)))
        .execute(conn)?;
    let (was, is) = (shown(place.held, place.hidden), shown(held, hidden_at.is_some()));
    if place.number == 0 {
        diesel::update(threads::table.find(place.thread)).set(threads::visible.eq(is)).execute(conn)?;
    } else if was != is {
        let change = if is { 1 } else { -1 };
        diesel::update(threads::table.find(place.thread))
            .set(threads::replies.eq(threads::replies + change))
            .execute(conn)?;
    }
    Ok(())
}

/// Holds a post for a moderator's approval (a change that a new member's
/// post would wait for). The change to it, made after in the same
/// transaction, logs it for the search index.
pub fn hold(conn: &mut Conn, post: PostId) -> StoreResult<()> {
    let place = place_of(conn, post)?;
    let hidden_at: Option<NaiveDateTime> = posts::table.find(post).select(posts::hidden_at).first(conn)?;
    set_state(conn, post, &place, true, hidden_at)
}

/// Hides a post (its open reports are dealt with by it).
pub fn hide(conn: &mut Conn, post: PostId, by: UserId, reason: &str, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let place = place_of(conn, post)?;
        set_state(conn, post, &place, place.held, Some(now))?;
        resolve_reports(conn, post, by, now)?;
        log(conn, &Logged::about_post(by, "hide", post, &place, reason), now)?;
        super::activity_feed::log(conn, Subject::Thread(place.thread), now)
    })
}

/// Shows a hidden post again.
pub fn restore(
    conn: &mut Conn,
    post: PostId,
    by: UserId,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let place = place_of(conn, post)?;
        set_state(conn, post, &place, place.held, None)?;
        log(conn, &Logged::about_post(by, "restore", post, &place, reason), now)?;
        super::activity_feed::log(conn, Subject::Thread(place.thread), now)
    })
}

/// Approves a held post, and trusts its author from now on.
pub fn approve(
    conn: &mut Conn,
    post: PostId,
    by: UserId,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let place = place_of(conn, post)?;
        let hidden_at: Option<NaiveDateTime> =
            posts::table.find(post).select(posts::hidden_at).first(conn)?;
        set_state(conn, post, &place, false, hidden_at)?;
        super::members::trust(conn, place.author, now)?;
        if place.held && !place.hidden {
            super::notifications::post_shown(conn, post, now)?;
        }
        if place.number > 0 && place.held {
            diesel::update(threads::table.find(place.thread).filter(threads::last_posted_at.lt(now)))
                .set(threads::last_posted_at.eq(now))
                .execute(conn)?;
        }
        log(conn, &Logged::about_post(by, "approve", post, &place, reason), now)?;
        super::activity_feed::log(conn, Subject::Thread(place.thread), now)
    })
}

/// Where an event or notice is, for who may moderate it: an event's
/// network's neighbourhood (none for a place-based network's); a notice, as
/// a suggestion is, is for every connector (none).
pub fn neighbourhood_of_item(conn: &mut Conn, item: Reported) -> StoreResult<Option<NeighbourhoodId>> {
    match item {
        Reported::Event(event) => neighbourhood_of_event(conn, event),
        Reported::Notice(notice) => {
            let found: i64 = notices::table.filter(notices::id.eq(notice)).count().get_result(conn)?;
            if found == 0 { Err(StoreError::NotFound) } else { Ok(None) }
        }
    }
}

/// An event or notice as the report form and the queue show it.
pub fn reported_view(conn: &mut Conn, item: Reported) -> StoreResult<ReportedView> {
    let (title, text, author, posted_at, hidden, page) = match item {
        Reported::Event(id) => {
            let (title, description, author, at, hidden): (
                String,
                String,
                MemberId,
                NaiveDateTime,
                Option<NaiveDateTime>,
            ) = events::table
                .find(id)
                .select((
                    events::title,
                    events::description,
                    events::author_id,
                    events::created_at,
                    events::hidden_at,
                ))
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            (title, markdown::plain(&description, 400), author, at, hidden, format!("/events/{id}"))
        }
        Reported::Notice(id) => {
            let (body, author, at, hidden, service, name): (
                String,
                MemberId,
                NaiveDateTime,
                Option<NaiveDateTime>,
                ServiceId,
                String,
            ) = notices::table
                .inner_join(services::table)
                .filter(notices::id.eq(id))
                .select((
                    notices::body,
                    notices::author_id,
                    notices::posted_at,
                    notices::hidden_at,
                    services::id,
                    services::name,
                ))
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            (format!("A notice about {name}"), body, author, at, hidden, format!("/services/{service}"))
        }
    };
    let authors = super::threads::authors(conn, &[author])?;
    Ok(ReportedView {
        item,
        title,
        text,
        author: super::threads::author_of(&authors, author),
        posted_at,
        page,
        hidden: hidden.is_some(),
        reports: Vec::new(),
    })
}

/// Keeps a member's report of an event or notice (once: a second report of
/// the same one by the same member is the first).
pub fn report_item(
    conn: &mut Conn,
    item: Reported,
    by: MemberId,
    (reason, details): (ReportReason, &str),
    now: NaiveDateTime,
) -> StoreResult<()> {
    let (event, notice) = item.ids();
    let insert = diesel::insert_into(item_reports::table)
        .values((
            item_reports::id.eq(uuid::Uuid::new_v4().to_string()),
            item_reports::event_id.eq(event),
            item_reports::notice_id.eq(notice),
            item_reports::reported_by.eq(by),
            item_reports::reason.eq(reason.code()),
            item_reports::details.eq(details),
            item_reports::reported_at.eq(now),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

/// The events (of `networks_in`) and notices with open reports, the longest
/// waiting first, each with its reports.
pub fn reported_items(conn: &mut Conn, networks_in: &[NetworkId]) -> StoreResult<Vec<ReportedView>> {
    type Row = (
        String,
        Option<EventId>,
        Option<NoticeId>,
        String,
        String,
        NaiveDateTime,
        String,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = item_reports::table
        .inner_join(members::table)
        .filter(item_reports::resolved_at.is_null())
        .order(item_reports::reported_at)
        .select((
            item_reports::id,
            item_reports::event_id,
            item_reports::notice_id,
            item_reports::reason,
            item_reports::details,
            item_reports::reported_at,
            members::display_name,
            members::deleted_at,
        ))
        .load(conn)?;
    let event_ids: Vec<EventId> = rows.iter().filter_map(|r| r.1).collect();
    let in_scope: Vec<EventId> = events::table
        .filter(events::id.eq_any(&event_ids))
        .filter(events::network_id.eq_any(networks_in))
        .select(events::id)
        .load(conn)?;
    let mut items: Vec<ReportedView> = Vec::new();
    for (id, event, notice, reason, details, at, by, deleted) in rows {
        let item = match (event, notice) {
            (Some(event), _) if in_scope.contains(&event) => Reported::Event(event),
            (None, Some(notice)) => Reported::Notice(notice),
            _ => continue,
        };
        let reason = ReportReason::from_code(&reason).map_or(reason, |r| r.label().to_string());
        let by = if deleted.is_some() { String::from(Author::FORMER) } else { by };
        let report = ReportView { id, reason, details, by, at };
        match items.iter_mut().find(|i| i.item == item) {
            Some(shown) => shown.reports.push(report),
            None => {
                let mut shown = reported_view(conn, item)?;
                shown.reports.push(report);
                items.push(shown);
            }
        }
    }
    Ok(items)
}

/// Hides an event or notice, shows it again, or leaves it and closes its
/// reports; with why, in the log.
pub fn act_on_item(
    conn: &mut Conn,
    item: Reported,
    action: ItemAction,
    by: UserId,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let hidden_at = (action == ItemAction::Hide).then_some(now);
    super::transaction(conn, |conn| {
        let (network, author) = match item {
            Reported::Event(event) => {
                let (network, author): (NetworkId, MemberId) =
                    events::table.find(event).select((events::network_id, events::author_id)).first(conn)?;
                if action != ItemAction::Dismiss {
                    diesel::update(events::table.find(event))
                        .set(events::hidden_at.eq(hidden_at))
                        .execute(conn)?;
                }
                (Some(network), author)
            }
            Reported::Notice(notice) => {
                let author: MemberId = notices::table.find(notice).select(notices::author_id).first(conn)?;
                if action != ItemAction::Dismiss {
                    diesel::update(notices::table.find(notice))
                        .set(notices::hidden_at.eq(hidden_at))
                        .execute(conn)?;
                }
                (None, author)
            }
        };
        // Its open reports are dealt with, whatever was done.
        let open = item_reports::table.filter(item_reports::resolved_at.is_null());
        let closed = (item_reports::resolved_at.eq(now), item_reports::resolved_by.eq(by));
        match item.ids() {
            (Some(event), _) => {
                diesel::update(open.filter(item_reports::event_id.eq(event))).set(closed).execute(conn)?
            }
            (_, notice) => {
                diesel::update(open.filter(item_reports::notice_id.eq(notice))).set(closed).execute(conn)?
            }
        };
        let line = Logged {
            by,
            action: action.code(),
            network,
            thread: None,
            post: None,
            member: Some(author),
            reason,
            item: Some(item),
        };
        log(conn, &line, now)?;
        if let Reported::Event(event) = item {
            super::activity_feed::log(conn, Subject::Event(event), now)?;
        }
        Ok(())
    })
}

/// The neighbourhood of an event's network (for who may moderate it).
pub fn neighbourhood_of_event(conn: &mut Conn, event: EventId) -> StoreResult<Option<NeighbourhoodId>> {
    events::table
        .inner_join(networks::table)
        .filter(events::id.eq(event))
        .select(networks::neighbourhood_id)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Locks a thread (no more replies), or unlocks it.
pub fn lock(
    conn: &mut Conn,
    thread: ThreadId,
    locked: bool,
    by: UserId,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let network: NetworkId = threads::table.find(thread).select(threads::network_id).first(conn)?;
        diesel::update(threads::table.find(thread))
            .set(threads::locked_at.eq(locked.then_some(now)))
            .execute(conn)?;
        let action = if locked { "lock" } else { "unlock" };
        let line = Logged {
            by,
            action,
            network: Some(network),
            thread: Some(thread),
            post: None,
            member: None,
            reason,
            item: None,
        };
        log(conn, &line, now)
    })
}

/// Keeps a report of a post by a member (once: a second report of the same
/// post by the same member is the first).
pub fn report(
    conn: &mut Conn,
    post: PostId,
    by: MemberId,
    (reason, details): (ReportReason, &str),
    now: NaiveDateTime,
) -> StoreResult<()> {
    let insert = diesel::insert_into(reports::table)
        .values((
            reports::id.eq(uuid::Uuid::new_v4().to_string()),
            reports::post_id.eq(post),
            reports::reported_by.eq(by),
            reports::reason.eq(reason.code()),
            reports::details.eq(details),
            reports::reported_at.eq(now),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

fn resolve_reports(conn: &mut Conn, post: PostId, by: UserId, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(reports::table.filter(reports::post_id.eq(post)).filter(reports::resolved_at.is_null()))
        .set((reports::resolved_at.eq(now), reports::resolved_by.eq(by)))
        .execute(conn)?;
    Ok(())
}

/// Leaves a post as it is and closes its reports.
pub fn dismiss(
    conn: &mut Conn,
    post: PostId,
    by: UserId,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let place = place_of(conn, post)?;
        resolve_reports(conn, post, by, now)?;
        log(conn, &Logged::about_post(by, "dismiss", post, &place, reason), now)
    })
}

/// Suspends a member from one network, or everywhere.
pub fn suspend(
    conn: &mut Conn,
    member: MemberId,
    network: Option<NetworkId>,
    by: UserId,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::insert_into(suspensions::table)
            .values((
                suspensions::id.eq(uuid::Uuid::new_v4().to_string()),
                suspensions::member_id.eq(member),
                suspensions::network_id.eq(network),
                suspensions::reason.eq(reason),
                suspensions::suspended_by.eq(by),
                suspensions::suspended_at.eq(now),
            ))
            .execute(conn)?;
        let line = Logged {
            by,
            action: "suspend",
            network,
            thread: None,
            post: None,
            member: Some(member),
            reason,
            item: None,
        };
        log(conn, &line, now)
    })
}

/// A suspension's member and network, while it is in force.
pub fn suspension(
    conn: &mut Conn,
    id: &str,
) -> StoreResult<(MemberId, Option<NetworkId>, Option<NeighbourhoodId>)> {
    let (member, network): (MemberId, Option<NetworkId>) = suspensions::table
        .find(id)
        .filter(suspensions::lifted_at.is_null())
        .select((suspensions::member_id, suspensions::network_id))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let neighbourhood = match network {
        Some(network) => networks::table.find(network).select(networks::neighbourhood_id).first(conn)?,
        None => None,
    };
    Ok((member, network, neighbourhood))
}

/// Lifts a suspension.
pub fn lift(conn: &mut Conn, id: &str, by: UserId, reason: &str, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let (member, network, _) = suspension(conn, id)?;
        diesel::update(suspensions::table.find(id))
            .set((suspensions::lifted_at.eq(now), suspensions::lifted_by.eq(by)))
            .execute(conn)?;
        let line = Logged {
            by,
            action: "lift",
            network,
            thread: None,
            post: None,
            member: Some(member),
            reason,
            item: None,
        };
        log(conn, &line, now)
    })
}

/// Sets whether a network holds new members' first posts.
pub fn set_approval(
    conn: &mut Conn,
    network: NetworkId,
    on: bool,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::update(networks::table.find(network))
            .set(networks::approve_first_posts.eq(on))
            .execute(conn)?;
        let reason = if on {
            "New members' first posts wait for approval"
        } else {
            "New members' posts go straight up"
        };
        let line = Logged {
            by,
            action: "settings",
            network: Some(network),
            thread: None,
            post: None,
            member: None,
            reason,
            item: None,
        };
        log(conn, &line, now)
    })
}

/// The networks a moderator looks after: every one, or those of `only`
/// neighbourhoods and the place-based ones.
pub fn networks_moderated(
    conn: &mut Conn,
    only: Option<&[NeighbourhoodId]>,
) -> StoreResult<Vec<(NetworkId, String, String, bool)>> {
    let all: Vec<(NetworkId, String, String, bool, Option<NeighbourhoodId>)> = networks::table
        .order(networks::name)
        .select((
            networks::id,
            networks::slug,
            networks::name,
            networks::approve_first_posts,
            networks::neighbourhood_id,
        ))
        .load(conn)?;
    Ok(all
        .into_iter()
        .filter(|n| match (only, n.4) {
            (None, _) | (Some(_), None) => true,
            (Some(theirs), Some(hood)) => theirs.contains(&hood),
        })
        .map(|(id, slug, name, approve, _)| (id, slug, name, approve))
        .collect())
}

/// The posts waiting for a moderator in `networks`: held ones, and those
/// with open reports, oldest first; or one post, whatever its state.
pub fn queue(
    conn: &mut Conn,
    networks_in: &[NetworkId],
    only: Option<PostId>,
) -> StoreResult<Vec<ModerationItem>> {
    let reported: Vec<PostId> = reports::table
        .filter(reports::resolved_at.is_null())
        .select(reports::post_id)
        .distinct()
        .load(conn)?;
    type Row = (
        PostId,
        ThreadId,
        String,
        Option<NaiveDateTime>,
        String,
        String,
        MemberId,
        (String, bool),
        NaiveDateTime,
        i32,
        bool,
        Option<NaiveDateTime>,
    );
    let mut query = posts::table
        .inner_join(threads::table.inner_join(networks::table))
        .filter(threads::network_id.eq_any(networks_in))
        .select((
            posts::id,
            posts::thread_id,
            threads::title,
            threads::locked_at,
            networks::slug,
            networks::name,
            posts::author_id,
            (posts::body, posts::html),
            posts::posted_at,
            posts::number,
            posts::held,
            posts::hidden_at,
        ))
        .order(posts::posted_at)
        .into_boxed();
    query = match only {
        Some(post) => query.filter(posts::id.eq(post)),
        None => query.filter(posts::held.eq(true).or(posts::id.eq_any(reported))),
    };
    let rows: Vec<Row> = query.limit(200).load(conn)?;
    let post_ids: Vec<PostId> = rows.iter().map(|r| r.0).collect();
    let mut reports_of: HashMap<PostId, Vec<ReportView>> = HashMap::new();
    // Each report: its id, post, reason, details, time, and its reporter's name and leaving.
    type ReportRow = (String, PostId, String, String, NaiveDateTime, String, Option<NaiveDateTime>);
    let found: Vec<ReportRow> = reports::table
        .inner_join(members::table)
        .filter(reports::post_id.eq_any(&post_ids))
        .filter(reports::resolved_at.is_null())
        .order(reports::reported_at)
        .select((
            reports::id,
            reports::post_id,
            reports::reason,
            reports::details,
            reports::reported_at,
            members::display_name,
            members::deleted_at,
        ))
        .load(conn)?;
    for (id, post, reason, details, at, by, deleted) in found {
        let reason = ReportReason::from_code(&reason).map_or(reason, |r| r.label().to_string());
        let by = if deleted.is_some() { String::from(Author::FORMER) } else { by };
        reports_of.entry(post).or_default().push(ReportView { id, reason, details, by, at });
    }
    let author_ids: Vec<MemberId> = rows.iter().map(|r| r.6).collect();
    let authors = super::threads::authors(conn, &author_ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                post,
                thread,
                title,
                locked,
                slug,
                name,
                author,
                (body, html),
                posted_at,
                number,
                held,
                hidden,
            )| {
                ModerationItem {
                    post,
                    thread,
                    thread_title: title,
                    thread_locked: locked.is_some(),
                    network_slug: slug,
                    network_name: name,
                    author: super::threads::author_of(&authors, author),
                    body: markdown::render_post(&body, html),
                    posted_at,
                    opening: number == 0,
                    held,
                    hidden: hidden.is_some(),
                    reports: reports_of.remove(&post).unwrap_or_default(),
                }
            },
        )
        .collect())
}

/// How many posts in `networks_in` wait for a moderator (held, or
/// reported), with the reported events there and notices.
pub fn waiting(conn: &mut Conn, networks_in: &[NetworkId]) -> StoreResult<i64> {
    let reported: Vec<PostId> = reports::table
        .filter(reports::resolved_at.is_null())
        .select(reports::post_id)
        .distinct()
        .load(conn)?;
    let posts: i64 = posts::table
        .inner_join(threads::table)
        .filter(threads::network_id.eq_any(networks_in))
        .filter(posts::held.eq(true).or(posts::id.eq_any(reported)))
        .count()
        .get_result(conn)?;
    let open: Vec<(Option<EventId>, Option<NoticeId>)> = item_reports::table
        .filter(item_reports::resolved_at.is_null())
        .select((item_reports::event_id, item_reports::notice_id))
        .distinct()
        .load(conn)?;
    let events: Vec<EventId> = open.iter().filter_map(|r| r.0).collect();
    let events_here: i64 = events::table
        .filter(events::id.eq_any(&events))
        .filter(events::network_id.eq_any(networks_in))
        .count()
        .get_result(conn)?;
    let notices = i64::try_from(open.iter().filter(|r| r.1.is_some()).count()).unwrap_or(i64::MAX);
    Ok(posts + events_here + notices)
}

/// The suspensions in force in `networks_in`, and those everywhere.
pub fn suspensions_in(conn: &mut Conn, networks_in: &[NetworkId]) -> StoreResult<Vec<SuspensionView>> {
    type Row =
        (String, MemberId, Option<NetworkId>, String, NaiveDateTime, String, String, Option<NaiveDateTime>);
    let rows: Vec<Row> = suspensions::table
        .inner_join(members::table)
        .inner_join(users::table.on(users::id.eq(suspensions::suspended_by)))
        .filter(suspensions::lifted_at.is_null())
        .filter(suspensions::network_id.is_null().or(suspensions::network_id.eq_any(networks_in)))
        .order(suspensions::suspended_at.desc())
        .select((
            suspensions::id,
            suspensions::member_id,
            suspensions::network_id,
            suspensions::reason,
            suspensions::suspended_at,
            users::name,
            members::display_name,
            members::deleted_at,
        ))
        .load(conn)?;
    let names: HashMap<NetworkId, String> = networks::table
        .select((networks::id, networks::name))
        .load::<(NetworkId, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, member, network, reason, at, by, name, deleted)| SuspensionView {
            id,
            member,
            member_name: if deleted.is_some() { String::from(Author::FORMER) } else { name },
            network: network.and_then(|n| names.get(&n).cloned()),
            reason,
            by,
            at,
        })
        .collect())
}

/// The latest `most` lines of the log for `networks_in` (and actions
/// everywhere), newest first.
pub fn log_lines(conn: &mut Conn, networks_in: &[NetworkId], most: i64) -> StoreResult<Vec<LogLine>> {
    type Row = (
        NaiveDateTime,
        String,
        String,
        Option<NetworkId>,
        Option<ThreadId>,
        Option<PostId>,
        Option<MemberId>,
        String,
        (Option<EventId>, Option<NoticeId>),
    );
    let rows: Vec<Row> = moderation_log::table
        .inner_join(users::table)
        .filter(moderation_log::network_id.is_null().or(moderation_log::network_id.eq_any(networks_in)))
        .order(moderation_log::acted_at.desc())
        .limit(most)
        .select((
            moderation_log::acted_at,
            users::name,
            moderation_log::action,
            moderation_log::network_id,
            moderation_log::thread_id,
            moderation_log::post_id,
            moderation_log::member_id,
            moderation_log::reason,
            (moderation_log::event_id, moderation_log::notice_id),
        ))
        .load(conn)?;
    let notice_ids: Vec<NoticeId> = rows.iter().filter_map(|r| r.8.1).collect();
    let services_of: HashMap<NoticeId, ServiceId> = notices::table
        .filter(notices::id.eq_any(&notice_ids))
        .select((notices::id, notices::service_id))
        .load::<(NoticeId, ServiceId)>(conn)?
        .into_iter()
        .collect();
    let names: HashMap<NetworkId, String> = networks::table
        .select((networks::id, networks::name))
        .load::<(NetworkId, String)>(conn)?
        .into_iter()
        .collect();
    let member_ids: Vec<MemberId> = rows.iter().filter_map(|r| r.6).collect();
    let authors = super::threads::authors(conn, &member_ids)?;
    Ok(rows
        .into_iter()
        .map(|(at, moderator, action, network, thread, post, member, reason, (event, notice))| {
            let network_name =
                network.and_then(|n| names.get(&n).cloned()).unwrap_or_else(|| String::from("every network"));
            let who = member.map(|m| super::threads::author_of(&authors, m).name);
            let who = who.unwrap_or_else(|| String::from(Author::FORMER));
            let what = match (post, event, notice, member) {
                (Some(_), ..) => format!("a post by {who} in {network_name}"),
                (_, Some(_), ..) => format!("an event by {who} in {network_name}"),
                (_, _, Some(_), _) => format!("a notice by {who}"),
                (.., Some(_)) => format!("{who}, in {network_name}"),
                _ => format!("a conversation in {network_name}"),
            };
            let link = post
                .map(|p| format!("/staff/moderation/posts/{p}"))
                .or_else(|| event.map(|e| format!("/events/{e}")))
                .or_else(|| notice.and_then(|n| services_of.get(&n)).map(|s| format!("/services/{s}")))
                .or_else(|| thread.map(|t| format!("/threads/{t}")));
            LogLine { at, moderator, action, what, link, reason }
        })
        .collect())
}
