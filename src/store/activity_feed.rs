//! What the second index (the neighbourhood networks' threads and events,
//! "from the neighbourhood network" in search) is fed, and the numbered log
//! of changes that every server's copy of it follows, as `search_feed` is
//! for services: a change is logged last in the transaction that makes it,
//! under the same PostgreSQL lock, so numbers become visible in order.
//!
//! The log is pruned by age rather than by its followers: an index that
//! finds its place pruned rebuilds, which for this index takes seconds.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::schema::{activity_changes, events, threads};
use super::{Conn, StoreResult};
use crate::domain::ids::{EventId, LocationId, NetworkId, ThreadId};

/// What changed: a thread (its title, a post in it, its state), an event,
/// a network (renamed, or handed on to another neighbourhood: everything in
/// it), or a venue (events there may no longer say where they are).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Thread(ThreadId),
    Event(EventId),
    Network(NetworkId),
    Venue(LocationId),
}

impl Subject {
    fn write(self) -> String {
        match self {
            Subject::Thread(id) => format!("thread:{id}"),
            Subject::Event(id) => format!("event:{id}"),
            Subject::Network(id) => format!("network:{id}"),
            Subject::Venue(id) => format!("venue:{id}"),
        }
    }

    fn read(text: &str) -> Option<Subject> {
        let (kind, id) = text.split_once(':')?;
        match kind {
            "thread" => id.parse().ok().map(Subject::Thread),
            "event" => id.parse().ok().map(Subject::Event),
            "network" => id.parse().ok().map(Subject::Network),
            "venue" => id.parse().ok().map(Subject::Venue),
            _ => None,
        }
    }
}

/// Logs a change, for every server's index. Call inside the transaction
/// that makes it, after its other writes.
pub fn log(conn: &mut Conn, subject: Subject, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        if let Conn::Postgres(pg) = conn {
            // Held to the end of the outermost transaction (see `search_feed`).
            pg.batch_execute("LOCK TABLE activity_changes IN SHARE ROW EXCLUSIVE MODE")?;
        }
        diesel::insert_into(activity_changes::table)
            .values((activity_changes::subject.eq(subject.write()), activity_changes::changed_at.eq(now)))
            .execute(conn)?;
        Ok(())
    })
}

/// The first and last numbers in the log, when it holds any.
pub fn bounds(conn: &mut Conn) -> StoreResult<Option<(i64, i64)>> {
    let (first, last): (Option<i64>, Option<i64>) = activity_changes::table
        .select((diesel::dsl::min(activity_changes::id), diesel::dsl::max(activity_changes::id)))
        .first(conn)?;
    Ok(first.zip(last))
}

/// What some changes in the log touch.
pub struct Changed {
    /// The number of the last change read.
    pub last: i64,
    pub threads: Vec<ThreadId>,
    pub events: Vec<EventId>,
}

/// The threads and events the changes after number `after` touch (at most
/// `limit` changes); none when there are no such changes.
pub fn changed_after(conn: &mut Conn, after: i64, limit: i64) -> StoreResult<Option<Changed>> {
    let rows: Vec<(i64, String)> = activity_changes::table
        .filter(activity_changes::id.gt(after))
        .order(activity_changes::id)
        .limit(limit)
        .select((activity_changes::id, activity_changes::subject))
        .load(conn)?;
    let Some(last) = rows.last().map(|r| r.0) else { return Ok(None) };
    let (mut thread_ids, mut event_ids) = (Vec::new(), Vec::new());
    let (mut network_ids, mut venue_ids) = (Vec::new(), Vec::new());
    for subject in rows.iter().filter_map(|(_, text)| Subject::read(text)) {
        match subject {
            Subject::Thread(id) => thread_ids.push(id),
            Subject::Event(id) => event_ids.push(id),
            Subject::Network(id) => network_ids.push(id),
            Subject::Venue(id) => venue_ids.push(id),
        }
    }
    if !network_ids.is_empty() {
        thread_ids.extend(
            threads::table
                .filter(threads::network_id.eq_any(&network_ids))
                .select(threads::id)
                .load::<ThreadId>(conn)?,
        );
        event_ids.extend(
            events::table
                .filter(events::network_id.eq_any(&network_ids))
                .select(events::id)
                .load::<EventId>(conn)?,
        );
    }
    if !venue_ids.is_empty() {
        event_ids.extend(
            events::table
                .filter(events::location_id.eq_any(&venue_ids))
                .select(events::id)
                .load::<EventId>(conn)?,
        );
    }
    thread_ids.sort_unstable();
    thread_ids.dedup();
    event_ids.sort_unstable();
    event_ids.dedup();
    Ok(Some(Changed { last, threads: thread_ids, events: event_ids }))
}

/// Every thread and every event, shown or not (the index leaves out what
/// is not shown when it reads them).
pub fn everything(conn: &mut Conn) -> StoreResult<(Vec<ThreadId>, Vec<EventId>)> {
    let thread_ids = threads::table.order(threads::id).select(threads::id).load(conn)?;
    let event_ids = events::table.order(events::id).select(events::id).load(conn)?;
    Ok((thread_ids, event_ids))
}

/// Deletes the log's entries made before `before`, keeping the newest (so
/// the log, once started, always shows where it has got to). Returns how
/// many went.
pub fn prune(conn: &mut Conn, before: NaiveDateTime) -> StoreResult<usize> {
    let Some((_, last)) = bounds(conn)? else { return Ok(0) };
    Ok(diesel::delete(
        activity_changes::table
            .filter(activity_changes::changed_at.lt(before))
            .filter(activity_changes::id.lt(last)),
    )
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_reads_back_as_written() {
        for subject in [
            Subject::Thread(ThreadId::new()),
            Subject::Event(EventId::new()),
            Subject::Network(NetworkId::new()),
            Subject::Venue(LocationId::new()),
        ] {
            assert_eq!(Subject::read(&subject.write()), Some(subject));
        }
        assert_eq!(Subject::read("service:1"), None);
        assert_eq!(Subject::read("thread:not-an-id"), None);
    }
}
