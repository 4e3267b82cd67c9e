//! `doorstep reindex`: rebuilding the search index from the database.

use std::time::Instant;

use chrono::Utc;

use super::CliError;
use crate::config::Config;
use crate::jobs::{activity_sync, index_sync};
use crate::state::{self, StartError};

/// Rebuilds the index here, or asks the running server that holds it to.
pub(super) fn run(config: &Config) -> Result<(), CliError> {
    let state = match state::open_to_rebuild(config.clone()) {
        Ok(state) => state,
        Err(StartError::Search(error)) if error.is_busy() => {
            // A server holds the index: it rebuilds when asked.
            index_sync::request_rebuild(&state::open_store(config)?)
                .map_err(|e| CliError::Start(StartError::Sync(e)))?;
            println!(
                "A running server holds the index: it has been asked to rebuild it, and will within a few seconds."
            );
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let started = Instant::now();
    let count = index_sync::rebuild(&state.store, &state.search, &state.taxonomy, Utc::now().date_naive())
        .map_err(|e| CliError::Start(StartError::Sync(e)))?;
    println!("Indexed {count} running services in {:.1} s.", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let count =
        activity_sync::rebuild(&state.store, &state.activity, &state.search, &state.taxonomy, Utc::now())
            .map_err(|e| CliError::Start(StartError::Sync(e)))?;
    println!(
        "Indexed {count} threads and events of the neighbourhood networks in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
