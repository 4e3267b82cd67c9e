//! `doorstep postcodes`: importing ONS postcode files for postcode look-ups.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::geo::onspd::{self, PostcodeFile};
use crate::state::{self, AppState};
use crate::store::postcodes;

#[derive(Subcommand, Debug)]
pub enum PostcodesCommand {
    /// Import ONS postcode files (ONSPD, NSPL, `postcode,lat,lon`, or district
    /// centroids). Importing a file again changes nothing.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Imports the postcode files named, one after another.
pub(super) fn run(config: Config, action: PostcodesCommand) -> Result<(), CliError> {
    match action {
        PostcodesCommand::Import { files } => {
            let state = state::open(config)?;
            import_postcodes(&state, &files)
        }
    }
}

/// Imports each file in its own transaction, saying what it held and what
/// was left out.
fn import_postcodes(state: &AppState, files: &[PathBuf]) -> Result<(), CliError> {
    let mut conn = state.store.conn()?;
    for file in files {
        let started = Instant::now();
        let named = |message: String| CliError::Usage(format!("{}: {message}", file.display()));
        let handle = File::open(file).map_err(|e| named(format!("cannot read it: {e}")))?;
        let (contents, rejected) = onspd::read(BufReader::new(handle)).map_err(|e| named(e.to_string()))?;
        let (count, what) = match contents {
            PostcodeFile::Postcodes(rows) => (postcodes::import_postcodes(&mut conn, &rows)?, "postcodes"),
            PostcodeFile::Districts(rows) => {
                (postcodes::import_districts(&mut conn, &rows)?, "district centres")
            }
        };
        let left_out = match rejected.len() {
            1 => String::from("1 row left out"),
            n => format!("{n} rows left out"),
        };
        println!(
            "{}: {count} {what} imported in {:.1} s; {left_out}.",
            file.display(),
            started.elapsed().as_secs_f64()
        );
        for row in rejected.iter().take(5) {
            println!("  line {}: {}", row.line, row.reason);
        }
        if rejected.len() > 5 {
            println!("  and {} more.", rejected.len() - 5);
        }
    }
    Ok(())
}
