//! Keeps the search index in step with the database. Every change to a
//! service queues it in the same transaction; `sync` indexes the queue and
//! takes each service off once indexed, so a change that reached the database
//! but not the index (a crash between the two) is picked up next time, never
//! lost. `rebuild` starts the index again from the database.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::search::{SearchError, SearchIndex};
use crate::store::{Store, StoreError, search_feed};

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
pub fn rebuild(store: &Store, index: &SearchIndex, today: NaiveDate) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    let queued = search_feed::queued(&mut conn, i64::MAX)?;
    let services = search_feed::searchable(&mut conn, None)?;
    index.rebuild(&services, today)?;
    // Everything queued before the rebuild is in it now.
    search_feed::done(&mut conn, &queued)?;
    Ok(services.len())
}

/// Indexes every queued service. Returns how many were indexed.
pub fn sync(store: &Store, index: &SearchIndex, today: NaiveDate) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    let mut indexed = 0;
    loop {
        let queued = search_feed::queued(&mut conn, BATCH)?;
        if queued.is_empty() {
            return Ok(indexed);
        }
        let ids: Vec<_> = queued.iter().map(|(id, _)| *id).collect();
        let running = search_feed::searchable(&mut conn, Some(&ids))?;
        index.update(&ids, &running, today)?;
        search_feed::done(&mut conn, &queued)?;
        indexed += queued.len();
    }
}

/// Runs in the background while serving: every second, indexes anything
/// queued (a change saved by another instance, or one whose immediate sync
/// failed), and once a day rebuilds, because "open now" and "open on Saturday"
/// are worked out for the day the index was built.
pub fn spawn(store: Store, index: Arc<SearchIndex>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let today = Utc::now().date_naive();
            let result = if index.built_for() == Some(today) {
                sync(&store, &index, today).map(|_| ())
            } else {
                rebuild(&store, &index, today).map(|_| ())
            };
            if let Err(error) = result {
                tracing::warn!(%error, "the search index could not be brought up to date; trying again");
            }
        }
    });
}
