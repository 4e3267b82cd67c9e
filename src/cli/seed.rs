//! `doorstep seed`: loading built-in data, which is the invented borough of Kingsmere.

use chrono::Utc;
use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::demo::seed::{self, Seeded};
use crate::demo::{self, DemoSize};
use crate::domain::accounts::{hash_password, random_token};
use crate::jobs::index_sync;
use crate::state::{self, AppState, StartError};

#[derive(Subcommand, Debug)]
pub enum SeedCommand {
    /// The invented borough of Kingsmere. Running it again changes nothing.
    Demo {
        /// How many services to generate (for benchmarks); the demo has 420.
        #[arg(long)]
        services: Option<usize>,
    },
}

/// Loads the data asked for into the database and the search index.
pub(super) fn run(config: Config, what: SeedCommand) -> Result<(), CliError> {
    match what {
        SeedCommand::Demo { services } => {
            let state = state::open(config)?;
            let size = services.map_or(DemoSize::DEMO, DemoSize::with_services);
            seed_demo(&state, size)?;
            Ok(())
        }
    }
}

/// Seeds the demo and prints its staff accounts, whose shared password is
/// made up now and shown only this once.
pub(super) fn seed_demo(state: &AppState, size: DemoSize) -> Result<(), CliError> {
    let today = Utc::now().date_naive();
    let demo = demo::generate(size, today).map_err(|e| CliError::Usage(e.to_string()))?;
    let password = format!("demo-{}", &random_token()[..16]);
    let hash = hash_password(&password).map_err(|e| CliError::Usage(e.to_string()))?;
    let now = Utc::now().naive_utc();
    let outcome = seed::seed_demo(&mut *state.store.conn()?, &demo, &hash, now)?;
    match outcome {
        Seeded::AlreadyThere => {
            println!("The {} demo is already in this database; nothing changed.", demo.borough)
        }
        Seeded::Written => {
            index_sync::rebuild(&state.store, &state.search, &state.taxonomy, today)
                .map_err(|e| CliError::Start(StartError::Sync(e)))?;
            println!(
                "Seeded the {} demo: {} residents in {} small areas, {} organisations, {} services, \
                 {} past contacts at the front door.",
                demo.borough,
                demo.population(),
                demo.small_areas.len(),
                demo.organisations.len(),
                demo.services.len(),
                demo.contacts.len()
            );
            println!("Demo staff accounts, all with the password {password} (shown only now):");
            for user in &demo.users {
                println!("  {:<36} {}", user.email, user.role.label());
            }
        }
    }
    Ok(())
}
