//! `doorstep import` and `doorstep export`: listings in from Open Referral
//! files and out again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CliError;
use crate::app::imports::{self, Options};
use crate::app::openreferral::{export, publisher_for};
use crate::config::Config;
use crate::domain::imports::hsds::{self, Context};
use crate::domain::imports::terms::{self, NeedMatcher};
use crate::domain::needs::Taxonomy;
use crate::fetch::{Fetcher, Limits};
use crate::state;
use crate::store::{self, Store};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// An Open Referral feed (ORUK 3.0 / HSDS 3.0 or ORUK v1: its API's
    /// address, read page by page) or file (a page of services, a list of
    /// services, or a whole directory as `export openreferral` writes it).
    Openreferral {
        /// The feed's address (http:// or https://) or the file's path.
        source: String,
        /// Report what would be added, changed, left alone and rejected, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the records that can be taken even when some cannot.
        #[arg(long)]
        skip_rejected: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Everything published here, as one Open Referral UK 3.0 file.
    Openreferral {
        #[arg(long)]
        out: PathBuf,
    },
}

/// The store and the needs taxonomy, and the demo borough's name if the
/// database holds the demo.
fn open(config: &Config) -> Result<(Store, Taxonomy, Option<String>), CliError> {
    let store = state::open_store(config)?;
    let mut conn = store.conn()?;
    let needs = Taxonomy::new(store::needs::all(&mut conn)?);
    let demo = store::meta::get(&mut conn, store::meta::DEMO)?;
    drop(conn);
    Ok((store, needs, demo))
}

pub(super) fn import(config: &Config, command: ImportCommand) -> Result<(), CliError> {
    let ImportCommand::Openreferral { source, dry_run, skip_rejected } = command;
    let (store, needs, demo) = open(config)?;
    let started = Instant::now();
    let tables = terms::tables(terms::BUILT_IN).map_err(|e| CliError::Usage(e.to_string()))?;
    let matcher = NeedMatcher::new(&needs, &tables);
    let area = config.area_name.as_deref().or(demo.as_deref()).unwrap_or("the area");
    let context = Context { source: &source, needs: &needs, matcher: &matcher, area };
    let batch = if source.starts_with("http://") || source.starts_with("https://") {
        let fetcher = Fetcher::new(&config.public_url, Limits::default())
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let bar = Progress::new();
        let batch = imports::read_feed(&fetcher, &source, &context, &mut |read, of| bar.pages(read, of));
        bar.done();
        batch.map_err(|e| CliError::Usage(e.to_string()))?
    } else {
        let bytes =
            std::fs::read(&source).map_err(|e| CliError::Usage(format!("could not read {source}: {e}")))?;
        hsds::read(&bytes, &context).map_err(|e| CliError::Usage(format!("{source}: {e}")))?
    };
    let name = source.as_str();
    let count = batch.services.len();
    let report =
        imports::import(&store, batch, name, Options { dry_run, skip_rejected }, Utc::now().naive_utc())?;
    print!("{}", report.text());
    let seconds = started.elapsed().as_secs_f64();
    if report.written {
        println!(
            "Imported from {name} in {seconds:.1} s ({:.0} services a second).",
            count as f64 / seconds.max(1e-9)
        );
        Ok(())
    } else if dry_run {
        println!("A dry run: nothing was written.");
        Ok(())
    } else {
        Err(CliError::Usage(String::from(
            "Nothing was written: some records cannot be taken (see above). Correct them, or import \
             with --skip-rejected to write the rest.",
        )))
    }
}

/// A bar on standard error that shows itself once a feed takes more than a
/// second (and only on a terminal).
struct Progress {
    bar: ProgressBar,
    started: Instant,
}

impl Progress {
    fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} pages of the feed read, {elapsed}")
        {
            bar.set_style(style);
        }
        Progress { bar, started: Instant::now() }
    }

    fn pages(&self, read: u64, of: u64) {
        if self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_length(of);
        self.bar.set_position(read);
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

pub(super) fn export_to(config: &Config, command: ExportCommand) -> Result<(), CliError> {
    let ExportCommand::Openreferral { out } = command;
    let (store, needs, demo) = open(config)?;
    let bytes = export(&store, &publisher_for(config, &needs, demo.as_deref()))?;
    std::fs::write(&out, &bytes)
        .map_err(|e| CliError::Usage(format!("could not write {}: {e}", out.display())))?;
    println!("Wrote {} ({} bytes).", out.display(), bytes.len());
    Ok(())
}
