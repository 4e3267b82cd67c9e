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
    // The jobs stop, each finishing the step in hand, once the server has.
    let jobs = crate::jobs::background(&state).start();
    let served = crate::web::server::run(state, addr);
    jobs.stop();
    served.map_err(|e| CliError::Start(StartError::Io(e.to_string())))
}
