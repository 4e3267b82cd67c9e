//! Keeps the network activity index (threads and events, for "from the
//! neighbourhood network" in search) in step with the store, as
//! `index_sync` does the services' index: every change is logged, numbered,
//! in the transaction that makes it (`store::activity_feed`); `sync` takes in
//! the log from the index's last change, and rebuilds when the index is new
//! or its place in the log has been pruned.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::index_sync::SyncError;
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
        if activity_feed::bounds(&mut conn)?.is_some_and(|(first, _)| first > at + 1) {
            drop(conn);
            rebuild(store, activity, search, taxonomy, now)?;
            return Ok(taken);
        }
        let Some((last, thread_ids, event_ids)) = activity_feed::changed_after(&mut conn, at, BATCH)? else {
            return Ok(taken);
        };
        let mut edit = activity.edit(false)?;
        edit.remove_threads(&thread_ids);
        edit.remove_events(&event_ids);
        reader.add(&mut conn, &mut edit, (&thread_ids, &event_ids), now)?;
        edit.commit(last)?;
        taken += usize::try_from(last - at).unwrap_or(0);
    }
}

/// This server's activity index, following the log: the background job's
/// state from one step to the next.
#[derive(Default)]
pub struct Follower {
    pruned_at: Option<NaiveDateTime>,
}

impl Follower {
    /// One step as of `now`: the log taken in, and now and then pruned.
    pub fn step(
        &mut self,
        store: &Store,
        activity: &ActivityIndex,
        search: &SearchIndex,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<(), SyncError> {
        sync(store, activity, search, taxonomy, now)?;
        let now = now.naive_utc();
        if self.pruned_at.is_none_or(|at| now - at >= chrono::Duration::seconds(PRUNE_EVERY_SECONDS)) {
            activity_feed::prune(&mut *store.conn()?, now - chrono::Duration::minutes(KEPT_FOR_MINUTES))?;
            self.pruned_at = Some(now);
        }
        Ok(())
    }
}
