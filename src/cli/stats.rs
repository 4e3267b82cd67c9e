//! `doorstep stats`: counts of what the database holds.

use super::CliError;
use crate::config::Config;
use crate::state;
use crate::store::stats;

/// Prints the counts, one a line or as JSON.
pub(super) fn run(config: &Config, json: bool) -> Result<(), CliError> {
    let store = state::open_store(config)?;
    let counts = stats::collect(&mut *store.conn()?)?;
    if json {
        let text = serde_json::to_string_pretty(&counts).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
    } else {
        let value = serde_json::to_value(&counts).map_err(|e| CliError::Usage(e.to_string()))?;
        if let Some(map) = value.as_object() {
            for (name, count) in map {
                println!("{name:>16}  {count}");
            }
        }
    }
    Ok(())
}
