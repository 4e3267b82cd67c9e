//! `doorstep`: parse the command line, start logging, dispatch.

use std::process::ExitCode;

use clap::Parser;
use doorstep::cli::{self, Cli};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("doorstep: {error}");
            ExitCode::FAILURE
        }
    }
}
