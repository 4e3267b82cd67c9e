//! `doorstep`: parse the command line, start logging, dispatch.

use std::process::ExitCode;

use clap::Parser;
use doorstep::cli::{self, Cli};

/// mimalloc rather than the system allocator: a search allocates and frees
/// many small buffers on several threads, where glibc's allocator spent a
/// fifth of the server's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("doorstep: {error}");
            ExitCode::FAILURE
        }
    }
}
