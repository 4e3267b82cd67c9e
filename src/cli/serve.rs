//! `doorstep serve`, the default: the web site, seeding the demo into an empty database on first start.

use super::CliError;
use super::seed::seed_demo;
use crate::config::Config;
use crate::demo::DemoSize;
use crate::state::{self, StartError};
use crate::store::stats;

/// Serves the web site with its background jobs until it is stopped.
pub(super) fn run(config: Config) -> Result<(), CliError> {
    let addr = config.addr;
    let seed_on_empty = config.seed_demo;
    let mut state = state::open(config)?;
    if seed_on_empty && stats::collect(&mut *state.store.conn()?)?.organisations == 0 {
        seed_demo(&state, DemoSize::DEMO)?;
        state.demo = crate::store::meta::get(&mut *state.store.conn()?, crate::store::meta::DEMO)?;
    }
    // What results show is read into memory now, not by the first search.
    state.search.snapshot().read_records();
    // On SIGTERM (or Ctrl-C) the server stops taking connections and lets
    // the requests in hand finish; then the jobs stop, each finishing the
    // step in hand; then the index takes in whatever those requests changed,
    // so that it is committed up to date before the process ends.
    let jobs = crate::jobs::background(&state).start();
    let served = crate::web::server::run(state.clone(), addr);
    jobs.stop();
    let today = chrono::Utc::now().date_naive();
    let indexed = crate::jobs::index_sync::sync(&state.store, &state.search, &state.taxonomy, today)
        .and_then(|_| {
            let now = chrono::Utc::now();
            crate::jobs::activity_sync::sync(
                &state.store,
                &state.activity,
                &state.search,
                &state.taxonomy,
                now,
            )
        });
    served.map_err(|e| CliError::Start(StartError::Io(e.to_string())))?;
    indexed.map_err(StartError::from)?;
    tracing::info!("stopped: every request answered, the jobs ended and the index up to date");
    Ok(())
}
