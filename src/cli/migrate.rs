//! `doorstep migrate`: creating the database or bringing its tables up to date.

use super::CliError;
use crate::config::Config;
use crate::state;

/// Opens the database, which creates it or brings it up to date, and says where it is.
pub(super) fn run(config: &Config) -> Result<(), CliError> {
    let store = state::open_store(config)?;
    println!("The database at {} is up to date.", store.database().shown());
    Ok(())
}
