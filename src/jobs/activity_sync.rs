//! Keeps the network activity index (threads and events, for "from the
//! neighbourhood network" in search) in step with the store, as
//! `index_sync` does the services' index: every change is logged, numbered,
//! in the transaction that makes it (`store::activity_feed`); `sync` takes in
//! the log from the index's last change, and rebuilds when the index is new
//! or its place in the log has been pruned.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::index_sync::{self, SyncError};
use crate::domain::needs::Taxonomy;
use crate::search::SearchIndex;
use crate::search::activity::{ActivityIndex, Edit};
use crate::store::{Conn, Store, activity_feed, events, threads};

/// Changes taken from the log at a time.
const BATCH: i64 = 500;
/// Threads or events read from the store at a time in a rebuild.
const CHUNK: usize = 2_000;
/// The log keeps this long a history; an index further behind rebuilds.
const KEPT_FOR_MINUTES: i64 = 60;
/// How often a server prunes the log.
const PRUNE_EVERY_SECONDS: i64 = 60;

/// What reads the needs a text names, for documents to be found by them.
struct Reader<'a> {
    search: &'a SearchIndex,
    taxonomy: &'a Taxonomy,
}

impl Reader<'_> {
    /// Adds the threads and events of `thread_ids` and `event_ids` that are shown.
    fn add(
        &self,
        conn: &mut Conn,
        edit: &mut Edit<'_>,
        (thread_ids, event_ids): (&[crate::domain::ids::ThreadId], &[crate::domain::ids::EventId]),
        now: DateTime<Utc>,
    ) -> Result<usize, SyncError> {
        let mut added = 0;
        for thread in threads::searchable(conn, thread_ids)? {
            let named =
                self.search.needs_named_in(&format!("{}\n{}", thread.title, thread.excerpt), self.taxonomy);
            edit.add_thread(&thread, &named)?;
            added += 1;
        }
        for event in events::searchable(conn, event_ids, now)? {
            let named = self.search.needs_named_in(&event.text, self.taxonomy);
            edit.add_event(&event, &named)?;
            added += 1;
        }
        Ok(added)
    }
}

/// Rebuilds the whole index from the store as of `now`. Returns how many
/// threads and events it holds.
pub fn rebuild(
    store: &Store,
    activity: &ActivityIndex,
    search: &SearchIndex,
    taxonomy: &Taxonomy,
    now: DateTime<Utc>,
) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    // Read first: what is read after takes in at least every change up to it.
    let up_to = activity_feed::bounds(&mut conn)?.map_or(0, |(_, last)| last);
    let (thread_ids, event_ids) = activity_feed::everything(&mut conn)?;
    let reader = Reader { search, taxonomy };
    let mut edit = activity.edit(true)?;
    let mut held = 0;
    for chunk in thread_ids.chunks(CHUNK) {
        held += reader.add(&mut conn, &mut edit, (chunk, &[]), now)?;
    }
    for chunk in event_ids.chunks(CHUNK) {
        held += reader.add(&mut conn, &mut edit, (&[], chunk), now)?;
    }
    edit.commit(up_to)?;
    Ok(held)
}

/// Takes in every change logged since the index's last, rebuilding instead
/// when it was never built or its place in the log is gone. Returns how
/// many changes were taken in.
pub fn sync(
    store: &Store,
    activity: &ActivityIndex,
    search: &SearchIndex,
    taxonomy: &Taxonomy,
    now: DateTime<Utc>,
) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    let reader = Reader { search, taxonomy };
    let mut taken = 0;
    loop {
        let Some(at) = activity.indexed_up_to() else {
            drop(conn);
            rebuild(store, activity, search, taxonomy, now)?;
            return Ok(taken);
        };
        // Its place pruned from the log, or a log that never reached it (a
        // database restored under this index): start again.
        let lost = match activity_feed::bounds(&mut conn)? {
            Some((first, last)) => first > at + 1 || last < at,
            None => at > 0,
        };
        if lost {
            drop(conn);
            rebuild(store, activity, search, taxonomy, now)?;
            return Ok(taken);
        }
        let Some(changed) = activity_feed::changed_after(&mut conn, at, BATCH)? else { return Ok(taken) };
        let mut edit = activity.edit(false)?;
        edit.remove_threads(&changed.threads);
        edit.remove_events(&changed.events);
        reader.add(&mut conn, &mut edit, (&changed.threads, &changed.events), now)?;
        edit.commit(changed.last)?;
        taken += usize::try_from(changed.last - at).unwrap_or(0);
    }
}

/// This server's activity index, following the log: the background job's
/// state from one step to the next.
pub struct Follower {
    pruned_at: Option<NaiveDateTime>,
    /// The day it was last built: it is built again each day, dropping the
    /// events that are over and taking in what changed in the services
    /// events name (their needs).
    built_on: NaiveDate,
    /// How many rebuilds had been asked for (`doorstep reindex`) when it last built.
    rebuilds_seen: u64,
}

impl Follower {
    /// The follower of an index built (or brought up to date) at start, `today`.
    pub fn new(store: &Store, today: NaiveDate) -> Follower {
        Follower {
            pruned_at: None,
            built_on: today,
            rebuilds_seen: index_sync::rebuild_requests(store).unwrap_or(0),
        }
    }

    /// One step as of `now`: a rebuild when the day has changed or one was
    /// asked for, otherwise the log taken in; and now and then the log pruned.
    pub fn step(
        &mut self,
        store: &Store,
        activity: &ActivityIndex,
        search: &SearchIndex,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<(), SyncError> {
        let asked = index_sync::rebuild_requests(store)?;
        if now.date_naive() != self.built_on || asked != self.rebuilds_seen {
            rebuild(store, activity, search, taxonomy, now)?;
            (self.built_on, self.rebuilds_seen) = (now.date_naive(), asked);
        } else {
            sync(store, activity, search, taxonomy, now)?;
        }
        let now = now.naive_utc();
        if self.pruned_at.is_none_or(|at| now - at >= chrono::Duration::seconds(PRUNE_EVERY_SECONDS)) {
            activity_feed::prune(&mut *store.conn()?, now - chrono::Duration::minutes(KEPT_FOR_MINUTES))?;
            self.pruned_at = Some(now);
        }
        Ok(())
    }
}
