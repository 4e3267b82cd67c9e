//! The subcommands. `doorstep` alone serves the built-in demo.
//!
//! This file holds the parser and the dispatch; each command group lives in
//! the file named after it, with its own subcommands and the work they do.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Config, LogFormat};
use crate::state::StartError;
use tracing_subscriber::EnvFilter;

mod area;
mod backup;
mod bench;
mod imports;
mod migrate;
mod neighbourhoods;
mod postcodes;
mod reindex;
mod seed;
mod serve;
mod stats;
mod user;

pub use area::AreaCommand;
pub use bench::BenchCommand;
pub use imports::{ExportCommand, ImportCommand};
pub use neighbourhoods::NeighbourhoodsCommand;
pub use postcodes::PostcodesCommand;
pub use seed::SeedCommand;
pub use user::UserCommand;

#[derive(Parser, Debug)]
#[command(
    name = "doorstep",
    version,
    about = "A community asset directory and neighbourhood network platform"
)]
pub struct Cli {
    /// A configuration file (TOML); see the README for its fields.
    #[arg(long, global = true, env = "DOORSTEP_CONFIG")]
    pub config: Option<PathBuf>,
    /// Keep the database, the index and the mail folder in this folder.
    #[arg(long, global = true, env = "DOORSTEP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web site (the default). Seeds the demo into an empty database.
    Serve {
        /// The address and port to listen on, like 127.0.0.1:8080.
        #[arg(long)]
        addr: Option<String>,
    },
    /// Create the database or bring its tables up to date.
    Migrate,
    /// Load built-in data.
    Seed {
        #[command(subcommand)]
        what: SeedCommand,
    },
    /// Postcode look-up data.
    Postcodes {
        #[command(subcommand)]
        action: PostcodesCommand,
    },
    /// The area's geography: small areas, adjacency, boundaries, postcodes.
    Area {
        #[command(subcommand)]
        action: AreaCommand,
    },
    /// Build, report and export the neighbourhoods.
    Neighbourhoods {
        #[command(subcommand)]
        action: NeighbourhoodsCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Listings in from other directories.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Listings out, for other directories.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Run a benchmark on generated data and print its figures.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Copy the database consistently, while the server serves (SQLite;
    /// for PostgreSQL, it says how to use pg_dump).
    Backup {
        /// The new file to write the copy to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a copy made by `backup` in place, in an empty data folder.
    Restore {
        /// The copy.
        file: PathBuf,
    },
    /// Print counts of what the database holds.
    Stats {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A command that could not be done, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Usage(String),
}

impl From<crate::store::StoreError> for CliError {
    fn from(error: crate::store::StoreError) -> Self {
        CliError::Start(StartError::Store(error))
    }
}

/// Logs to standard error, at the level `RUST_LOG` says (`info` by
/// default), as text or one JSON object a line.
fn start_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        LogFormat::Json => logs.json().flatten_event(true).with_current_span(false).try_init(),
    };
}

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let addr = match &cli.command {
        Some(Command::Serve { addr }) => addr.clone(),
        _ => None,
    };
    let data_dir = cli.data_dir.clone();
    // Flags win over the environment, which wins over the file.
    let env = |name: &str| match name {
        "DOORSTEP_ADDR" if addr.is_some() => addr.clone(),
        "DOORSTEP_DATA_DIR" if data_dir.is_some() => data_dir.as_ref().map(|d| d.display().to_string()),
        _ => std::env::var(name).ok(),
    };
    let config = Config::load(cli.config.as_deref(), env).map_err(StartError::from)?;
    start_logging(config.log_format);
    match cli.command.unwrap_or(Command::Serve { addr: None }) {
        Command::Serve { .. } => serve::run(config),
        Command::Migrate => migrate::run(&config),
        Command::Seed { what } => seed::run(config, what),
        Command::Postcodes { action } => postcodes::run(config, action),
        Command::Area { action } => area::run(&config, action),
        Command::Neighbourhoods { action } => neighbourhoods::run(&config, action),
        Command::User { action } => user::run(&config, action),
        Command::Bench { what } => bench::run(what),
        Command::Import { what } => imports::import(&config, what),
        Command::Export { what } => imports::export_to(&config, what),
        Command::Reindex => reindex::run(&config),
        Command::Stats { json } => stats::run(&config, json),
        Command::Backup { out } => backup::backup(&config, &out),
        Command::Restore { file } => backup::restore(&config, &file),
    }
}
