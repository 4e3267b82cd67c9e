//! Sources a network follows: which, when each is read next (claimed by one
//! server at a time), how the last reading went, and what was read, kept as
//! threads and events by the member who stands for the source. Merging a
//! reading adds what is new, changes what changed, and takes away what the
//! source no longer has; an item two sources share is one thread or event,
//! taken away only when neither has it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::activity_feed::{self, Subject};
use super::events::Placed;
use super::schema::{
    events, members, network_sources as sources, networks, posts, source_items as items, threads,
};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::ids::{EventId, MemberId, NetworkId, PostId, SourceId, ThreadId, UserId};
use crate::domain::sources::{
    FetchedEvent, FetchedPost, NewSource, SourceKind, SourceView, comparable, next_read,
};

/// What an event from a calendar says of its cost: calendars do not say.
const NOT_SAID: &str = "Not said: ask the organisers";

/// How long a reading is left to the server that claimed it.
const CLAIM: chrono::Duration = chrono::Duration::minutes(30);

/// A source claimed for reading, with what a conditional request needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub source: SourceView,
    pub member: MemberId,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

type Row = (
    (SourceId, NetworkId, String, String, String, String),
    (NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>, Option<String>, i32, i32),
);

macro_rules! source_columns {
    () => {
        (
            (sources::id, sources::network_id, networks::slug, networks::name, sources::kind, sources::name),
            (
                sources::added_at,
                sources::next_read_at,
                sources::last_read_at,
                sources::last_good_at,
                sources::last_error,
                sources::failures,
                sources::items,
            ),
        )
    };
}

fn view_of(row: Row, url: String) -> SourceView {
    let ((id, network, network_slug, network_name, kind, name), status) = row;
    let (added_at, next_read_at, last_read_at, last_good_at, last_error, failures, items) = status;
    SourceView {
        id,
        network,
        network_slug,
        network_name,
        kind: SourceKind::from_code(&kind).unwrap_or(SourceKind::Feed),
        name,
        url,
        added_at,
        last_read_at,
        last_good_at,
        last_error,
        failures,
        next_read_at,
        items,
    }
}

/// Follows a source in `network`, to be read at once, with a member to stand
/// for it. False when the network follows that address already.
pub fn follow(
    conn: &mut Conn,
    (id, network): (SourceId, NetworkId),
    source: &NewSource,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        let known: i64 = sources::table
            .filter(sources::network_id.eq(network))
            .filter(sources::url.eq(&source.url))
            .count()
            .get_result(conn)?;
        if known > 0 {
            return Ok(false);
        }
        // No address: nobody can sign in as a source.
        let member = MemberId::new();
        diesel::insert_into(members::table)
            .values((
                members::id.eq(member),
                members::display_name.eq(&source.name),
                members::joined_at.eq(now),
                members::confirmed_at.eq(now),
                members::trusted_at.eq(now),
            ))
            .execute(conn)?;
        diesel::insert_into(sources::table)
            .values((
                sources::id.eq(id),
                sources::network_id.eq(network),
                sources::kind.eq(source.kind.code()),
                sources::name.eq(&source.name),
                sources::url.eq(&source.url),
                sources::member_id.eq(member),
                sources::added_by.eq(by),
                sources::added_at.eq(now),
                sources::next_read_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// The sources `network` follows, by name.
pub fn of_network(conn: &mut Conn, network: NetworkId) -> StoreResult<Vec<SourceView>> {
    let rows: Vec<(Row, String)> = sources::table
        .inner_join(networks::table)
        .filter(sources::network_id.eq(network))
        .order((sources::name, sources::url))
        .select((source_columns!(), sources::url))
        .load(conn)?;
    Ok(rows.into_iter().map(|(row, url)| view_of(row, url)).collect())
}

pub fn get(conn: &mut Conn, id: SourceId) -> StoreResult<SourceView> {
    let (row, url): (Row, String) = sources::table
        .inner_join(networks::table)
        .filter(sources::id.eq(id))
        .select((source_columns!(), sources::url))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok(view_of(row, url))
}

/// Asks for a source to be read at the next chance.
pub fn read_soon(conn: &mut Conn, id: SourceId, now: NaiveDateTime) -> StoreResult<()> {
    let asked = diesel::update(sources::table.find(id)).set(sources::next_read_at.eq(now)).execute(conn)?;
    if asked == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Claims a source that is due to be read; none when none is.
pub fn claim_due(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<Option<Claimed>> {
    let free = sources::claimed_until.is_null().or(sources::claimed_until.lt(now));
    let due: Vec<SourceId> = sources::table
        .filter(sources::next_read_at.le(now))
        .filter(free)
        .order(sources::next_read_at)
        .limit(5)
        .select(sources::id)
        .load(conn)?;
    for id in due {
        let taken = diesel::update(sources::table.find(id))
            .filter(sources::next_read_at.le(now))
            .filter(sources::claimed_until.is_null().or(sources::claimed_until.lt(now)))
            .set(sources::claimed_until.eq(now + CLAIM))
            .execute(conn)?;
        if taken == 1 {
            let (member, etag, last_modified): (MemberId, Option<String>, Option<String>) = sources::table
                .find(id)
                .select((sources::member_id, sources::etag, sources::last_modified))
                .first(conn)?;
            return Ok(Some(Claimed { source: get(conn, id)?, member, etag, last_modified }));
        }
    }
    Ok(None)
}

/// A reading that failed: what was read before stays, the reason is kept
/// to be shown, and the source waits longer for each failure in a row.
pub fn read_badly(conn: &mut Conn, id: SourceId, error: &str, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let failures: i32 = sources::table.find(id).select(sources::failures).first(conn)?;
        let failures = failures.saturating_add(1);
        diesel::update(sources::table.find(id))
            .set((
                sources::last_read_at.eq(Some(now)),
                sources::last_error.eq(Some(error)),
                sources::failures.eq(failures),
                sources::next_read_at.eq(next_read(now, failures)),
                sources::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A reading that went well: the validators for the next one, how many
/// items it holds, and the next reading in an hour.
fn read_well(
    conn: &mut Conn,
    id: SourceId,
    validators: Option<(Option<String>, Option<String>)>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let held: i64 = items::table.filter(items::source_id.eq(id)).count().get_result(conn)?;
    diesel::update(sources::table.find(id))
        .set((
            sources::last_read_at.eq(Some(now)),
            sources::last_good_at.eq(Some(now)),
            sources::last_error.eq(None::<String>),
            sources::failures.eq(0),
            sources::items.eq(i32::try_from(held).unwrap_or(i32::MAX)),
            sources::next_read_at.eq(next_read(now, 0)),
            sources::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if let Some((etag, last_modified)) = validators {
        diesel::update(sources::table.find(id))
            .set((sources::etag.eq(etag), sources::last_modified.eq(last_modified)))
            .execute(conn)?;
    }
    Ok(())
}

/// The server said nothing changed since the last reading.
pub fn unchanged(conn: &mut Conn, id: SourceId, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| read_well(conn, id, None, now))
}

/// Each item of `source`'s fingerprint when last read, by its key.
pub fn fingerprints(conn: &mut Conn, source: SourceId) -> StoreResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = items::table
        .filter(items::source_id.eq(source))
        .select((items::item_key, items::fingerprint))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

type Known = HashMap<String, (Option<ThreadId>, Option<EventId>, String)>;

fn known(conn: &mut Conn, source: SourceId) -> StoreResult<Known> {
    let rows: Vec<(String, Option<ThreadId>, Option<EventId>, String)> = items::table
        .filter(items::source_id.eq(source))
        .select((items::item_key, items::thread_id, items::event_id, items::fingerprint))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(key, thread, event, fingerprint)| (key, (thread, event, fingerprint)))
        .collect())
}

fn naive(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.naive_utc()
}

/// What a reading of posts says of those it no longer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent<'a> {
    /// A feed holds only its latest posts: one older than all it holds now
    /// has fallen off its end, and stays; a newer one was taken away. A
    /// reading with no posts at all is more likely broken than emptied, and
    /// takes nothing away.
    FeedWindow,
    /// Only these were found taken away (a forum lists its busiest topics:
    /// one missing from the list may be on its next page).
    Gone(&'a HashSet<String>),
}

/// Takes in a reading of posts: new ones become threads, changed ones are
/// changed, and those the source no longer has (as `absent` tells) are taken away.
pub fn merge_posts(
    conn: &mut Conn,
    claimed: &Claimed,
    (posts, absent): (&[FetchedPost], Absent<'_>),
    validators: (Option<String>, Option<String>),
    now: NaiveDateTime,
) -> StoreResult<()> {
    let (source, network, member) = (claimed.source.id, claimed.source.network, claimed.member);
    super::transaction(conn, |conn| {
        let mut known = known(conn, source)?;
        let mut changed = Vec::new();
        for post in posts {
            let version = &post.version;
            match known.remove(&post.key) {
                Some((Some(thread), _, old)) => {
                    if old != *version {
                        change_thread(conn, thread, post)?;
                        set_fingerprint(conn, source, &post.key, version)?;
                        changed.push(thread);
                    }
                }
                _ => {
                    let thread = match same_link(conn, (network, source), post.link.as_deref())? {
                        Some(thread) => thread,
                        None => {
                            let thread = add_thread(conn, network, member, post)?;
                            changed.push(thread);
                            thread
                        }
                    };
                    keep_item(conn, source, &post.key, (Some(thread), None), version)?;
                }
            }
        }
        let oldest = posts.iter().map(|p| naive(p.published)).min();
        for (key, (thread, _, _)) in known {
            let Some(thread) = thread else { continue };
            let taken_away = match absent {
                Absent::Gone(gone) => gone.contains(&key),
                Absent::FeedWindow => match oldest {
                    None => false,
                    Some(oldest) => {
                        let started: NaiveDateTime =
                            threads::table.find(thread).select(threads::started_at).first(conn)?;
                        started >= oldest
                    }
                },
            };
            if !taken_away {
                continue;
            }
            forget_item(conn, source, &key)?;
            if let_go_thread(conn, thread)? {
                changed.push(thread);
            }
        }
        read_well(conn, source, Some(validators.clone()), now)?;
        for thread in &changed {
            activity_feed::log(conn, Subject::Thread(*thread), now)?;
        }
        Ok(())
    })
}

/// Takes in a reading of a calendar: new times become events, changed ones
/// are changed, and future ones the calendar no longer has are taken away
/// (a time that is over has simply passed). `placed` says where each is.
pub fn merge_events(
    conn: &mut Conn,
    claimed: &Claimed,
    found: &[(FetchedEvent, Placed)],
    validators: (Option<String>, Option<String>),
    now: NaiveDateTime,
) -> StoreResult<()> {
    let (source, network, member) = (claimed.source.id, claimed.source.network, claimed.member);
    super::transaction(conn, |conn| {
        let mut known = known(conn, source)?;
        let mut changed = Vec::new();
        for (event, placed) in found {
            let version = &event.version;
            match known.remove(&event.key) {
                Some((_, Some(id), old)) => {
                    if old != *version {
                        write_event(conn, Some(id), (network, member), event, placed, now)?;
                        set_fingerprint(conn, source, &event.key, version)?;
                        changed.push(id);
                    }
                }
                _ => {
                    let id = match same_event(conn, network, event)? {
                        Some(id) => id,
                        None => {
                            let id = write_event(conn, None, (network, member), event, placed, now)?;
                            changed.push(id);
                            id
                        }
                    };
                    keep_item(conn, source, &event.key, (None, Some(id)), version)?;
                }
            }
        }
        // A calendar with nothing in it at all is more likely broken than emptied.
        for (key, (_, event, _)) in known.into_iter().filter(|_| !found.is_empty()) {
            forget_item(conn, source, &key)?;
            let Some(event) = event else { continue };
            let ends: Option<NaiveDateTime> =
                events::table.find(event).select(events::last_ends_at).first(conn).optional()?;
            if ends.is_some_and(|ends| ends > now) && let_go_event(conn, event, now)? {
                changed.push(event);
            }
        }
        read_well(conn, source, Some(validators.clone()), now)?;
        for event in &changed {
            activity_feed::log(conn, Subject::Event(*event), now)?;
        }
        Ok(())
    })
}

fn keep_item(
    conn: &mut Conn,
    source: SourceId,
    key: &str,
    (thread, event): (Option<ThreadId>, Option<EventId>),
    fingerprint: &str,
) -> StoreResult<()> {
    let insert = diesel::insert_into(items::table)
        .values((
            items::source_id.eq(source),
            items::item_key.eq(key),
            items::thread_id.eq(thread),
            items::event_id.eq(event),
            items::fingerprint.eq(fingerprint),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

fn set_fingerprint(conn: &mut Conn, source: SourceId, key: &str, fingerprint: &str) -> StoreResult<()> {
    diesel::update(items::table.find((source, key))).set(items::fingerprint.eq(fingerprint)).execute(conn)?;
    Ok(())
}

fn forget_item(conn: &mut Conn, source: SourceId, key: &str) -> StoreResult<()> {
    diesel::delete(items::table.find((source, key))).execute(conn)?;
    Ok(())
}

/// Hides `thread` once no source holds it any more. True when it was hidden.
fn let_go_thread(conn: &mut Conn, thread: ThreadId) -> StoreResult<bool> {
    let holders: i64 = items::table.filter(items::thread_id.eq(thread)).count().get_result(conn)?;
    if holders > 0 {
        return Ok(false);
    }
    diesel::update(threads::table.find(thread)).set(threads::visible.eq(false)).execute(conn)?;
    Ok(true)
}

/// Hides `event` once no source holds it any more (keeping the time of a
/// moderator's hide). True when it was hidden.
fn let_go_event(conn: &mut Conn, event: EventId, now: NaiveDateTime) -> StoreResult<bool> {
    let holders: i64 = items::table.filter(items::event_id.eq(event)).count().get_result(conn)?;
    if holders > 0 {
        return Ok(false);
    }
    diesel::update(events::table.find(event))
        .filter(events::hidden_at.is_null())
        .set(events::hidden_at.eq(Some(now)))
        .execute(conn)?;
    Ok(true)
}

/// A thread in `network` that another source brought with the same link.
fn same_link(
    conn: &mut Conn,
    (network, source): (NetworkId, SourceId),
    link: Option<&str>,
) -> StoreResult<Option<ThreadId>> {
    let Some(link) = link else { return Ok(None) };
    // Not this source's own: a source whose posts all link to one page
    // is not folded into one thread.
    Ok(threads::table
        .inner_join(items::table.on(items::thread_id.eq(threads::id.nullable())))
        .filter(threads::network_id.eq(network))
        .filter(threads::link.eq(link))
        .filter(threads::visible.eq(true))
        .filter(items::source_id.ne(source))
        .select(threads::id)
        .first(conn)
        .optional()?)
}

/// An event in `network` from a source, at the same time and place with
/// the same title.
fn same_event(conn: &mut Conn, network: NetworkId, event: &FetchedEvent) -> StoreResult<Option<EventId>> {
    let candidates: Vec<(EventId, String, String)> = events::table
        .inner_join(items::table.on(items::event_id.eq(events::id.nullable())))
        .filter(events::network_id.eq(network))
        .filter(events::first_starts_at.eq(naive(event.starts)))
        .filter(events::hidden_at.is_null())
        .select((events::id, events::title, events::address))
        .load(conn)?;
    let (title, place) = (comparable(&event.title), comparable(&event.location));
    Ok(candidates
        .into_iter()
        .find(|(_, t, a)| comparable(t) == title && comparable(a) == place)
        .map(|(id, _, _)| id))
}

fn add_thread(
    conn: &mut Conn,
    network: NetworkId,
    member: MemberId,
    post: &FetchedPost,
) -> StoreResult<ThreadId> {
    let id = ThreadId::new();
    let published = naive(post.published);
    diesel::insert_into(threads::table)
        .values((
            threads::id.eq(id),
            threads::network_id.eq(network),
            threads::title.eq(&post.title),
            threads::author_id.eq(member),
            threads::started_at.eq(published),
            threads::last_posted_at.eq(published),
            threads::visible.eq(true),
            threads::link.eq(&post.link),
        ))
        .execute(conn)?;
    diesel::insert_into(posts::table)
        .values((
            posts::id.eq(PostId::new()),
            posts::thread_id.eq(id),
            posts::number.eq(0),
            posts::author_id.eq(member),
            posts::body.eq(&post.html),
            posts::posted_at.eq(published),
            posts::held.eq(false),
            posts::html.eq(true),
        ))
        .execute(conn)?;
    Ok(id)
}

fn change_thread(conn: &mut Conn, thread: ThreadId, post: &FetchedPost) -> StoreResult<()> {
    diesel::update(threads::table.find(thread))
        .set((threads::title.eq(&post.title), threads::link.eq(&post.link)))
        .execute(conn)?;
    diesel::update(posts::table.filter(posts::thread_id.eq(thread)).filter(posts::number.eq(0)))
        .set((posts::body.eq(&post.html), posts::edited_at.eq(Some(naive(post.updated)))))
        .execute(conn)?;
    Ok(())
}

/// Adds an event read from a calendar (`id` none), or changes one.
fn write_event(
    conn: &mut Conn,
    id: Option<EventId>,
    (network, member): (NetworkId, MemberId),
    event: &FetchedEvent,
    placed: &Placed,
    now: NaiveDateTime,
) -> StoreResult<EventId> {
    let london = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::London).naive_local();
    let fields = (
        events::title.eq(&event.title),
        events::description.eq(&event.description),
        events::local_starts.eq(london(event.starts)),
        events::local_ends.eq(london(event.ends)),
        events::first_starts_at.eq(naive(event.starts)),
        events::last_ends_at.eq(naive(event.ends)),
        events::address.eq(&placed.address),
        events::postcode.eq(&placed.postcode),
        events::latitude.eq(placed.point.map(|p| p.0)),
        events::longitude.eq(placed.point.map(|p| p.1)),
        events::neighbourhood_id.eq(placed.neighbourhood),
        events::link.eq(&event.link),
    );
    if let Some(id) = id {
        diesel::update(events::table.find(id)).set(fields).execute(conn)?;
        return Ok(id);
    }
    let id = EventId::new();
    diesel::insert_into(events::table)
        .values((
            events::id.eq(id),
            events::network_id.eq(network),
            events::author_id.eq(member),
            fields,
            // A calendar does not say what an event costs.
            events::free.eq(false),
            events::cost.eq(Some(NOT_SAID)),
            events::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Stops following a source: what it brought that no other source has is
/// taken away, and it is read no more.
pub fn stop(conn: &mut Conn, id: SourceId, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let held: Vec<(Option<ThreadId>, Option<EventId>)> = items::table
            .filter(items::source_id.eq(id))
            .select((items::thread_id, items::event_id))
            .load(conn)?;
        diesel::delete(items::table.filter(items::source_id.eq(id))).execute(conn)?;
        let gone = diesel::delete(sources::table.find(id)).execute(conn)?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        let mut changed = Vec::new();
        for (thread, event) in held {
            if let Some(thread) = thread
                && let_go_thread(conn, thread)?
            {
                changed.push(Subject::Thread(thread));
            }
            if let Some(event) = event
                && let_go_event(conn, event, now)?
            {
                changed.push(Subject::Event(event));
            }
        }
        for subject in changed {
            activity_feed::log(conn, subject, now)?;
        }
        Ok(())
    })
}
