//! Background work, idempotent so that running it twice does no harm, run by
//! one small runner (`runner`): keeping the search index in step with the
//! store, and sending queued email and follow-ups.

pub mod index_sync;
pub mod outbox;
pub mod runner;

use std::time::Duration;

use chrono::Utc;

use crate::state::AppState;
use runner::Runner;

/// The jobs a server runs while serving, each once a second:
///
/// - `index`: a change saved by another instance, or one whose immediate
///   sync failed, is indexed; the index is rebuilt once a day (because "open
///   now" and "open on Saturday" are worked out for the day it was built),
///   when `doorstep reindex` asks, and when it was built for another taxonomy
///   than the one the server loaded at start.
/// - `outbox`: follow-ups that are due are queued, and every message due for
///   a try is sent.
pub fn background(state: &AppState) -> Runner {
    let (store, index, taxonomy) = (state.store.clone(), state.search.clone(), state.taxonomy.clone());
    let mut seen = index_sync::rebuild_requests(&store).unwrap_or(0);
    // This server's index, as the change log's pruning knows it.
    let name = uuid::Uuid::new_v4().to_string();
    let (mail_store, mailer, config) = (state.store.clone(), state.mailer.clone(), state.config.clone());
    Runner::new()
        .add("index", Duration::from_secs(1), move || {
            index_sync::follow(&store, &index, &taxonomy, &name, Utc::now().naive_utc(), &mut seen)
        })
        .add("outbox", Duration::from_secs(1), move || {
            outbox::run_once(&mail_store, &mailer, &config, Utc::now().naive_utc()).map(|_| ())
        })
}
