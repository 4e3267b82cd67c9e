//! Keeps the search index in step with the database. Every change to a
//! service queues it in the same transaction; `sync` indexes the queue and
//! takes each service off once indexed, so a change that reached the database
//! but not the index (a crash between the two) is picked up next time, never
//! lost. `rebuild` starts the index again from the database.

use chrono::NaiveDate;

use crate::domain::needs::Taxonomy;
use crate::search::{SearchError, SearchIndex};
use crate::store::{Store, StoreError, meta, search_feed};

/// Services taken off the queue at a time.
const BATCH: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Rebuilds the whole index from the database, as of `today`. Returns how
/// many services it holds.
pub fn rebuild(
    store: &Store,
    index: &SearchIndex,
    taxonomy: &Taxonomy,
    today: NaiveDate,
) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    let queued = search_feed::queued(&mut conn, i64::MAX)?;
    let services = search_feed::searchable(&mut conn, None)?;
    index.rebuild(&services, taxonomy, today)?;
    // Everything queued before the rebuild is in it now.
    search_feed::done(&mut conn, &queued)?;
    Ok(services.len())
}

/// Indexes every queued service. Returns how many were indexed.
pub fn sync(
    store: &Store,
    index: &SearchIndex,
    taxonomy: &Taxonomy,
    today: NaiveDate,
) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    let mut indexed = 0;
    loop {
        let queued = search_feed::queued(&mut conn, BATCH)?;
        if queued.is_empty() {
            return Ok(indexed);
        }
        let ids: Vec<_> = queued.iter().map(|(id, _)| *id).collect();
        let running = search_feed::searchable(&mut conn, Some(&ids))?;
        index.update(&ids, &running, taxonomy, today)?;
        search_feed::done(&mut conn, &queued)?;
        indexed += queued.len();
    }
}

/// How many rebuilds have been asked for, ever (`request_rebuild`).
pub fn rebuild_requests(store: &Store) -> Result<u64, SyncError> {
    let text = meta::get(&mut *store.conn()?, meta::REBUILD_REQUESTS)?;
    Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
}

/// Asks every running server to rebuild its index: `doorstep reindex` while
/// a server holds the index. Each server notices within a second.
pub fn request_rebuild(store: &Store) -> Result<(), SyncError> {
    let next = rebuild_requests(store)? + 1;
    meta::set(&mut *store.conn()?, meta::REBUILD_REQUESTS, &next.to_string())?;
    Ok(())
}

/// The most segments edits may split the index into before they are merged.
const MOST_SEGMENTS: usize = 8;

/// One round of the background work as of `today`: a rebuild when the day
/// has changed or one was asked for since `seen` (then `seen` is brought up
/// to date), otherwise whatever is queued; then a merge if the index has
/// split into many segments.
pub fn follow(
    store: &Store,
    index: &SearchIndex,
    taxonomy: &Taxonomy,
    today: NaiveDate,
    seen: &mut u64,
) -> Result<(), SyncError> {
    let asked = rebuild_requests(store)?;
    let stale = index.built_for() != Some(today) || index.built_with() != Some(taxonomy.fingerprint());
    if stale || asked != *seen {
        rebuild(store, index, taxonomy, today)?;
        *seen = asked;
    } else {
        sync(store, index, taxonomy, today)?;
    }
    index.compact(MOST_SEGMENTS)?;
    Ok(())
}
