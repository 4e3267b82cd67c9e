//! `doorstep import` and `doorstep export`: listings in from Open Referral
//! files and out again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CliError;
use crate::app::imports::{self, Copies, Options};
use crate::app::openreferral::{dump, every_service, export, publisher_for};
use crate::config::Config;
use crate::domain::imports::hsds::{self, Context};
use crate::domain::imports::sheet;
use crate::domain::imports::spreadsheet::{self, Mapping};
use crate::domain::imports::terms::NeedMatcher;
use crate::domain::imports::{Merges, Report};
use crate::domain::needs::Taxonomy;
use crate::domain::openreferral::package;
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
        /// Write every reported duplicate into the record already here that it looks like.
        #[arg(long)]
        merge: bool,
    },
    /// A spreadsheet saved as CSV, one row per service, its columns found by
    /// their headers (see `import template`); or an HSDS 3.0 CSV package, as
    /// a folder or a zip of services.csv, organizations.csv, locations.csv…
    Csv {
        path: PathBuf,
        /// A column whose header is not one Doorstep knows: field="Header",
        /// like name="Group name". Given as often as needed.
        #[arg(long = "column")]
        columns: Vec<String>,
        /// A mapping file, as in seeds/trafford: columns by field, and what the whole list shares.
        #[arg(long)]
        mapping: Option<PathBuf>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        skip_rejected: bool,
        #[arg(long)]
        merge: bool,
    },
    /// Prints the spreadsheet template: every column Doorstep reads, with an example row.
    Template,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Everything published here, as one Open Referral UK 3.0 file.
    Openreferral {
        #[arg(long)]
        out: PathBuf,
    },
    /// The same as HSDS 3.0's CSV package: a folder of one file per kind of record.
    Csv {
        /// The folder, made if it is not there.
        #[arg(long)]
        out: PathBuf,
    },
    /// Every service as a row of the spreadsheet template's columns, for people
    /// to open (and for `import csv` to read back).
    Spreadsheet {
        #[arg(long)]
        out: PathBuf,
    },
}

/// The store, the needs taxonomy, the demo borough's name if the database
/// holds the demo, and the configuration with the seeded area's name and
/// region where it says none.
fn open(config: &Config) -> Result<(Store, Taxonomy, Option<String>, Config), CliError> {
    let store = state::open_store(config)?;
    let mut config = config.clone();
    state::area_from_store(&mut config, &store)?;
    let mut conn = store.conn()?;
    let needs = Taxonomy::new(store::needs::all(&mut conn)?);
    let demo = store::meta::get(&mut conn, store::meta::DEMO)?;
    drop(conn);
    Ok((store, needs, demo, config))
}

pub(super) fn import(config: &Config, command: ImportCommand) -> Result<(), CliError> {
    let (source, options) = match command {
        ImportCommand::Openreferral { source, dry_run, skip_rejected, merge } => {
            (source, Options { dry_run, skip_rejected, merge: merges(merge) })
        }
        ImportCommand::Csv { path, columns, mapping, dry_run, skip_rejected, merge } => {
            let options = Options { dry_run, skip_rejected, merge: merges(merge) };
            if path.is_dir() || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
                return import_package(config, &path, options);
            }
            return import_sheet(config, &path, &columns, mapping.as_deref(), options);
        }
        ImportCommand::Template => {
            print!("{}", spreadsheet::template());
            return Ok(());
        }
    };
    let (store, needs, demo, config) = open(config)?;
    let started = Instant::now();
    let matcher = NeedMatcher::built_in(&needs).map_err(|e| CliError::Usage(e.to_string()))?;
    let area = config.area_name_or(demo.as_deref());
    // A feed is named by its address without a trailing slash, a file by its full path.
    let key = if source.starts_with("http://") || source.starts_with("https://") {
        source.trim_end_matches('/').to_string()
    } else {
        source_key(std::path::Path::new(&source))
    };
    let context = Context { source: &key, needs: &needs, matcher: &matcher, area };
    let batch = if source.starts_with("http://") || source.starts_with("https://") {
        let fetcher =
            Fetcher::new(&config.public_url, Limits::default().private(config.fetch_private_addresses))
                .map_err(|e| CliError::Usage(e.to_string()))?;
        let bar = Progress::new();
        let mut copies = Copies::default();
        let batch =
            imports::read_feed(&fetcher, &source, &context, &mut copies, &mut |read, of| bar.pages(read, of));
        bar.done();
        batch.map_err(|e| CliError::Usage(e.to_string()))?
    } else {
        let bytes =
            std::fs::read(&source).map_err(|e| CliError::Usage(format!("could not read {source}: {e}")))?;
        hsds::read(&bytes, &context).map_err(|e| CliError::Usage(format!("{source}: {e}")))?
    };
    let name = source.as_str();
    let count = batch.services.len();
    let report = imports::import(&store, batch, name, &options, Utc::now().naive_utc())?;
    print!("{}", report.text());
    let seconds = started.elapsed().as_secs_f64();
    if report.written {
        println!(
            "{count} services read in {seconds:.1} s ({:.0} a second).",
            count as f64 / seconds.max(1e-9)
        );
    }
    finish(&report, options.dry_run, name)
}

/// `--merge`: every reported duplicate, or none.
fn merges(merge: bool) -> Merges {
    if merge { Merges::All } else { Merges::None }
}

fn import_sheet(
    config: &Config,
    path: &std::path::Path,
    columns: &[String],
    mapping: Option<&std::path::Path>,
    options: Options,
) -> Result<(), CliError> {
    let (store, needs, ..) = open(config)?;
    let usage = |e: String| CliError::Usage(e);
    let mut chosen = match mapping {
        Some(file) => {
            let text =
                std::fs::read_to_string(file).map_err(|e| usage(format!("{}: {e}", file.display())))?;
            Mapping::from_toml(&text, &needs).map_err(|e| usage(format!("{}: {e}", file.display())))?
        }
        None => Mapping::default(),
    };
    for column in columns {
        chosen.name_column(column).map_err(usage)?;
    }
    let dry_run = options.dry_run;
    let report = import_list(&store, &needs, path, &chosen, options)?;
    print!("{}", report.text());
    finish(&report, dry_run, &path.display().to_string())
}

/// Reads a spreadsheet as `mapping` says, and imports it.
pub(super) fn import_list(
    store: &Store,
    needs: &Taxonomy,
    path: &std::path::Path,
    mapping: &Mapping,
    options: Options,
) -> Result<Report, CliError> {
    import_list_from(store, needs, path, &source_key(path), mapping, options)
}

/// The same, naming the list `source`: ids the list does not give are made
/// from it, so the same list must always be named the same.
pub(super) fn import_list_from(
    store: &Store,
    needs: &Taxonomy,
    path: &std::path::Path,
    source: &str,
    mapping: &Mapping,
    options: Options,
) -> Result<Report, CliError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CliError::Usage(format!("could not read {name}: {e}")))?;
    let sheet = sheet::read(&bytes).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    let matcher = NeedMatcher::built_in(needs).map_err(|e| CliError::Usage(e.to_string()))?;
    let context = spreadsheet::Context { source, needs, matcher: &matcher };
    let batch =
        spreadsheet::read(&sheet, mapping, &context).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    Ok(imports::import(store, batch, &name, &options, Utc::now().naive_utc())?)
}

/// What names a file as a source, however its path was typed: its full path.
fn source_key(path: &std::path::Path) -> String {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

/// Says how it went; an import that wrote nothing (not a dry run) is a failure.
fn finish(report: &Report, dry_run: bool, source: &str) -> Result<(), CliError> {
    if report.written {
        println!("Imported from {source}.");
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
    let (store, needs, demo, config) = open(config)?;
    let feed = publisher_for(&config, &needs, demo.as_deref());
    let failed = |path: &std::path::Path, e: &dyn std::fmt::Display| {
        CliError::Usage(format!("could not write {}: {e}", path.display()))
    };
    match command {
        ExportCommand::Openreferral { out } => {
            let bytes = export(&store, &feed)?;
            std::fs::write(&out, &bytes).map_err(|e| failed(&out, &e))?;
            println!("Wrote {} ({} bytes).", out.display(), bytes.len());
        }
        ExportCommand::Csv { out } => {
            let tables = package::write(&dump(&store, &feed)?).map_err(|e| failed(&out, &e))?;
            std::fs::create_dir_all(&out).map_err(|e| failed(&out, &e))?;
            for ((file, rows), (_, columns)) in tables.iter().zip(package::TABLES) {
                let path = out.join(file);
                let mut writer = csv::Writer::from_path(&path).map_err(|e| failed(&path, &e))?;
                let written = std::iter::once(columns.iter().map(|c| c.to_string()).collect::<Vec<_>>())
                    .chain(rows.iter().cloned())
                    .try_for_each(|row| writer.write_record(row));
                written.and_then(|()| Ok(writer.flush()?)).map_err(|e| failed(&path, &e))?;
            }
            println!("Wrote the HSDS 3.0 CSV package in {} ({} files).", out.display(), tables.len());
        }
        ExportCommand::Spreadsheet { out } => {
            let records = every_service(&store)?;
            std::fs::write(&out, spreadsheet::write(&records, &needs)).map_err(|e| failed(&out, &e))?;
            println!("Wrote {} services to {}.", records.len(), out.display());
        }
    }
    Ok(())
}

/// The CSV files of an HSDS package: a folder of them, or a zip.
fn package_files(path: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    if !path.is_dir() {
        return imports::unzip(&std::fs::read(path).map_err(|e| e.to_string())?);
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|e| e.to_string())?;
    for entry in entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "csv")) {
        let bytes = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
        files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
    }
    Ok(files)
}

fn import_package(config: &Config, path: &std::path::Path, options: Options) -> Result<(), CliError> {
    let (store, needs, demo, config) = open(config)?;
    let name = path.display().to_string();
    let key = source_key(path);
    let files = package_files(path).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    let matcher = NeedMatcher::built_in(&needs).map_err(|e| CliError::Usage(e.to_string()))?;
    let area = config.area_name_or(demo.as_deref());
    let context = Context { source: &key, needs: &needs, matcher: &matcher, area };
    let batch =
        imports::read_package(files, &context).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    let report = imports::import(&store, batch, &name, &options, Utc::now().naive_utc())?;
    print!("{}", report.text());
    finish(&report, options.dry_run, &name)
}
