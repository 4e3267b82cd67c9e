//! Keeps the search index in step with the database. Every change to a
//! service is logged, numbered, in the same transaction; `sync` indexes the
//! log from the last change the index took in (kept in the index's own
//! commits), so a change that reached the database but not the index (a
//! crash between the two) is picked up next time, never lost, and every
//! server over one database sees every change. `rebuild` starts the index
//! again from the database.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::needs::Taxonomy;
use crate::search::{SearchError, SearchIndex};
use crate::store::{Store, StoreError, meta, search_feed};

/// Changes taken from the log at a time.
const BATCH: i64 = 500;
/// Services read from the store at a time when rebuilding.
const PAGE: i64 = 5_000;
/// An index this many changes behind is rebuilt rather than brought up to
/// date change by change.
const TOO_FAR_BEHIND: i64 = 50_000;
/// An index not heard from for this long no longer holds back the log's
/// pruning; if it comes back to find its place gone, it rebuilds.
const FOLLOWER_GONE_AFTER_MINUTES: i64 = 10;

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
    let started = std::time::Instant::now();
    let mut conn = store.conn()?;
    // The last change is read first: the services read after take in at
    // least every change up to it, and any later change is indexed again
    // by the next sync, which does no harm.
    let up_to = search_feed::log_bounds(&mut conn)?.map_or(0, |(_, last)| last);
    let mut rebuilding = index.start_rebuild(taxonomy, today)?;
    let count = std::thread::scope(|scope| {
        // The next page is read while one is indexed; should indexing
        // fail, the reading stops at its next page.
        let (send, pages) = std::sync::mpsc::sync_channel(1);
        let reading = scope.spawn(move || -> Result<(), SyncError> {
            let mut after = None;
            loop {
                let page = search_feed::searchable_page(&mut conn, after, PAGE)?;
                let Some(last) = page.last() else { return Ok(()) };
                after = Some(last.id);
                if send.send(page).is_err() {
                    return Ok(());
                }
            }
        });
        let mut count = 0;
        for page in pages {
            count += page.len();
            rebuilding.add(&page)?;
        }
        reading.join().map_err(|_| SearchError::Io(String::from("reading the directory failed")))??;
        Ok::<usize, SyncError>(count)
    })?;
    rebuilding.finish(up_to)?;
    tracing::info!(services = count, seconds = started.elapsed().as_secs_f64(), "rebuilt the search index");
    Ok(count)
}

/// Indexes every change logged since the index's last, rebuilding instead
/// when the index was never built or has fallen too far behind (its place
/// in the log pruned, or more changes to take in than a rebuild costs).
/// Returns how many changes were taken in.
pub fn sync(
    store: &Store,
    index: &SearchIndex,
    taxonomy: &Taxonomy,
    today: NaiveDate,
) -> Result<usize, SyncError> {
    let mut conn = store.conn()?;
    let bounds = search_feed::log_bounds(&mut conn)?;
    let behind = match (index.indexed_up_to(), bounds) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(at), Some((first, last))) => first > at + 1 || last - at > TOO_FAR_BEHIND,
    };
    if behind {
        drop(conn);
        let before = index.indexed_up_to().unwrap_or(0);
        rebuild(store, index, taxonomy, today)?;
        return Ok(usize::try_from(index.indexed_up_to().unwrap_or(0) - before).unwrap_or(0));
    }
    let mut taken = 0;
    loop {
        let at = index.indexed_up_to().unwrap_or(0);
        let changes = search_feed::changes_after(&mut conn, at, BATCH)?;
        let Some(last) = changes.last().map(|c| c.number) else { return Ok(taken) };
        // Pruned past this index's place meanwhile (by servers that did not
        // yet know of it): what was between is gone, so rebuild.
        if changes[0].number > at + 1
            && search_feed::log_bounds(&mut conn)?.is_some_and(|(first, _)| first > at + 1)
        {
            drop(conn);
            rebuild(store, index, taxonomy, today)?;
            return Ok(taken);
        }
        let mut ids: Vec<_> = changes.iter().map(|c| c.service).collect();
        ids.sort_unstable();
        ids.dedup();
        let running = search_feed::searchable(&mut conn, &ids)?;
        index.update(&ids, &running, taxonomy, last)?;
        taken += changes.len();
    }
}

/// How far the index `index` lags the log: changes not yet taken in, and
/// when the oldest of them was made.
pub fn lag(store: &Store, index: &SearchIndex) -> Result<(i64, Option<NaiveDateTime>), SyncError> {
    let at = index.indexed_up_to().unwrap_or(0);
    let mut conn = store.conn()?;
    let last = search_feed::log_bounds(&mut conn)?.map_or(0, |(_, last)| last);
    let oldest = search_feed::changes_after(&mut conn, at, 1)?.first().map(|c| c.at);
    Ok(((last - at).max(0), oldest))
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

/// How often a server says how far its index has got when it has not moved.
const REPORT_EVERY_SECONDS: i64 = 30;

/// This server's index, following the store's change log: the background
/// job's state from one step to the next.
pub struct Follower {
    /// Its name in the log's list of followers: new each time a server starts.
    name: String,
    /// How many rebuilds had been asked for when it last rebuilt.
    rebuilds_seen: u64,
    /// The position it last reported, and when.
    reported: Option<(i64, NaiveDateTime)>,
}

impl Follower {
    pub fn new(store: &Store) -> Follower {
        Follower {
            name: uuid::Uuid::new_v4().to_string(),
            rebuilds_seen: rebuild_requests(store).unwrap_or(0),
            reported: None,
        }
    }

    /// How many rebuilds had been asked for when this follower last rebuilt.
    pub fn rebuilds_seen(&self) -> u64 {
        self.rebuilds_seen
    }

    /// One step as of `now`: a rebuild when the day has changed or one was
    /// asked for, otherwise the log since the index's last change; then a
    /// merge if the index has split into many segments. When its place has
    /// moved (or now and then), it says where it has got to and prunes what
    /// every live server's index has passed.
    pub fn step(
        &mut self,
        store: &Store,
        index: &SearchIndex,
        taxonomy: &Taxonomy,
        now: NaiveDateTime,
    ) -> Result<(), SyncError> {
        let today = now.date();
        let asked = rebuild_requests(store)?;
        let stale = index.built_for() != Some(today) || index.built_with() != Some(taxonomy.fingerprint());
        if stale || asked != self.rebuilds_seen {
            rebuild(store, index, taxonomy, today)?;
            self.rebuilds_seen = asked;
        } else {
            sync(store, index, taxonomy, today)?;
        }
        index.compact(MOST_SEGMENTS)?;
        let at = index.indexed_up_to().unwrap_or(0);
        let due = match self.reported {
            Some((reported, when)) => {
                reported != at || now - when >= chrono::Duration::seconds(REPORT_EVERY_SECONDS)
            }
            None => true,
        };
        if due {
            let mut conn = store.conn()?;
            search_feed::followed(&mut conn, &self.name, at, now)?;
            search_feed::prune(&mut conn, now - chrono::Duration::minutes(FOLLOWER_GONE_AFTER_MINUTES))?;
            self.reported = Some((at, now));
        }
        Ok(())
    }
}
