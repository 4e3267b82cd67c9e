//! The subcommands. `doorstep` alone serves the built-in demo.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::demo::seed::{self, Seeded};
use crate::demo::{self, DemoSize};
use crate::domain::accounts::{Role, hash_password, random_token};
use crate::domain::ids::OrganisationId;
use crate::domain::text;
use crate::geo::area_files::{self, Input, Problem};
use crate::geo::neighbourhoods::Band;
use crate::geo::onspd::{self, PostcodeFile};
use crate::jobs::index_sync;
use crate::state::{self, AppState, StartError};
use crate::store::users::{Created, NewUser};
use crate::store::{Store, StoreError, areas, listings, neighbourhoods, postcodes, stats, users};

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
    /// Rebuild the search index from the database.
    Reindex,
    /// Run a benchmark on generated data and print its figures.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Print counts of what the database holds.
    Stats {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SeedCommand {
    /// The invented borough of Kingsmere. Running it again changes nothing.
    Demo {
        /// How many services to generate (for benchmarks); the demo has 420.
        #[arg(long)]
        services: Option<usize>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Neighbourhood building on generated geographies: runtime, share in the band, compactness.
    Neighbourhoods {
        /// Numbers of small areas, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "1000,10000,180000")]
        areas: Vec<usize>,
        /// The fewest people a neighbourhood should have.
        #[arg(long, default_value_t = 4_000)]
        min: u32,
        /// The most people a neighbourhood should have.
        #[arg(long, default_value_t = 5_000)]
        max: u32,
        /// Where Trafford's census output-area files are (skipped when absent).
        #[arg(long, default_value = "../shared/data/population")]
        census: PathBuf,
    },
    /// The results page's time to answer on the demo, one request at a time.
    Pages {
        /// Requests timed for each kind of search.
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// Index build time, in-process query latency and HTTP throughput.
    Search {
        /// Numbers of services, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        services: Vec<usize>,
        /// Queries timed at each size.
        #[arg(long, default_value_t = 4000)]
        queries: usize,
        /// The HTTP load run's time limit, in seconds (0 skips it).
        #[arg(long, default_value_t = 10)]
        http_seconds: u64,
        /// The HTTP load run's request limit.
        #[arg(long, default_value_t = 100_000)]
        http_requests: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum PostcodesCommand {
    /// Import ONS postcode files (ONSPD, NSPL, `postcode,lat,lon`, or district
    /// centroids). Importing a file again changes nothing.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AreaCommand {
    /// Import small areas with population, their adjacency and optionally
    /// boundaries (GeoJSON) and postcodes. Replaces the area's geography;
    /// built neighbourhoods stay as they are until the next build.
    Import {
        /// Small areas: a wide CSV with code, population and centre (like
        /// trafford_oa21_population_centroids.csv), or a long census table
        /// (area_code,...,indicator,...,value) with --boundaries for centres.
        #[arg(long)]
        small_areas: PathBuf,
        /// Pairs of small areas sharing a boundary: area_a,area_b[,shared_boundary_m].
        #[arg(long)]
        adjacency: PathBuf,
        /// Small-area outlines (GeoJSON): exact cells for maps and locations.
        #[arg(long)]
        boundaries: Option<PathBuf>,
        /// A postcode file (ONSPD, NSPL or an extract); its ward names name the neighbourhoods.
        #[arg(long)]
        postcodes: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum NeighbourhoodsCommand {
    /// Partition the small areas into contiguous neighbourhoods within a
    /// population band. The previous build stays until this one succeeds.
    Build {
        /// The fewest people a neighbourhood should have.
        #[arg(long, default_value_t = 4_000)]
        min: u32,
        /// The most people a neighbourhood should have.
        #[arg(long, default_value_t = 5_000)]
        max: u32,
    },
    /// Each neighbourhood's population, small areas, compactness and band, with totals.
    Report {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// `small_area,neighbourhood` for every small area, with a header line.
    Export {
        /// As CSV (the only format).
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a staff account. The password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// administrator, connector, advisor or organisation_editor.
        #[arg(long)]
        role: String,
        /// The name shown to colleagues; by default the part of the email before the @.
        #[arg(long)]
        name: Option<String>,
        /// For an organisation editor: the id of their organisation.
        #[arg(long)]
        organisation: Option<String>,
        /// For a connector: the slug of a neighbourhood they look after (repeat for more).
        #[arg(long = "neighbourhood")]
        neighbourhoods: Vec<String>,
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
    match cli.command.unwrap_or(Command::Serve { addr: None }) {
        Command::Serve { .. } => serve(config),
        Command::Migrate => {
            let database = config.paths().database;
            state::open_store(&config)?;
            println!("The database at {} is up to date.", database.display());
            Ok(())
        }
        Command::Seed { what: SeedCommand::Demo { services } } => {
            let state = state::open(config)?;
            let size = services.map_or(DemoSize::DEMO, DemoSize::with_services);
            seed_demo(&state, size)?;
            Ok(())
        }
        Command::Postcodes { action: PostcodesCommand::Import { files } } => {
            let state = state::open(config)?;
            import_postcodes(&state, &files)
        }
        Command::Area { action: AreaCommand::Import { small_areas, adjacency, boundaries, postcodes } } => {
            let store = state::open_store(&config)?;
            import_area(
                &mut *store.conn()?,
                &small_areas,
                &adjacency,
                boundaries.as_deref(),
                postcodes.as_deref(),
            )
        }
        Command::Neighbourhoods { action } => {
            let store = state::open_store(&config)?;
            let mut conn = store.conn()?;
            match action {
                NeighbourhoodsCommand::Build { min, max } => build_neighbourhoods(&mut conn, min, max),
                NeighbourhoodsCommand::Report { json } => report_neighbourhoods(&mut conn, json),
                NeighbourhoodsCommand::Export { .. } => {
                    let rows = neighbourhoods::membership(&mut conn)?;
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    // A reader that stops early (`| head`) is not an error.
                    let _ = writeln!(out, "small_area,neighbourhood").and_then(|()| {
                        rows.iter().try_for_each(|(code, id)| {
                            writeln!(out, "{code},{}", id.as_deref().unwrap_or(""))
                        })
                    });
                    Ok(())
                }
            }
        }
        Command::User { action: UserCommand::Add { email, role, name, organisation, neighbourhoods } } => {
            let store = state::open_store(&config)?;
            add_user(&store, &email, &role, name, organisation, neighbourhoods)
        }
        Command::Bench { what: BenchCommand::Neighbourhoods { areas, min, max, census } } => {
            let band = Band::new(min, max).map_err(CliError::Usage)?;
            crate::bench::neighbourhoods::run(&areas, &census, band, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        Command::Bench { what: BenchCommand::Pages { requests } } => {
            crate::bench::pages::run(requests.max(1), &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        Command::Bench { what: BenchCommand::Search { services, queries, http_seconds, http_requests } } => {
            let plan = crate::bench::search::Plan {
                sizes: services,
                queries: queries.max(2_000),
                http_seconds,
                http_requests: if http_seconds == 0 { 0 } else { http_requests },
            };
            crate::bench::search::run(&plan, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        Command::Reindex => {
            let state = match state::open(config.clone()) {
                Ok(state) => state,
                Err(StartError::Search(error)) if error.is_busy() => {
                    // A server holds the index: it rebuilds when asked.
                    index_sync::request_rebuild(&state::open_store(&config)?)
                        .map_err(|e| CliError::Start(StartError::Sync(e)))?;
                    println!(
                        "A running server holds the index: it has been asked to rebuild it, and will within a few seconds."
                    );
                    return Ok(());
                }
                Err(error) => return Err(error.into()),
            };
            let started = Instant::now();
            let count = index_sync::rebuild(&state.store, &state.search, Utc::now().date_naive())
                .map_err(|e| CliError::Start(StartError::Sync(e)))?;
            println!("Indexed {count} running services in {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Stats { json } => {
            let store = state::open_store(&config)?;
            let counts = stats::collect(&mut *store.conn()?)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&counts).map_err(|e| CliError::Usage(e.to_string()))?;
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
    }
}

fn serve(config: Config) -> Result<(), CliError> {
    let addr = config.addr;
    let seed_on_empty = config.seed_demo;
    let mut state = state::open(config)?;
    if seed_on_empty && stats::collect(&mut *state.store.conn()?)?.organisations == 0 {
        seed_demo(&state, DemoSize::DEMO)?;
        state.demo = crate::store::meta::get(&mut *state.store.conn()?, crate::store::meta::DEMO)?;
    }
    index_sync::spawn(state.store.clone(), state.search.clone());
    crate::jobs::outbox::spawn(state.store.clone(), state.mailer.clone(), state.config.clone());
    crate::web::server::run(state, addr).map_err(|e| CliError::Start(StartError::Io(e.to_string())))
}

/// Seeds the demo and prints its staff accounts, whose shared password is
/// made up now and shown only this once.
fn seed_demo(state: &AppState, size: DemoSize) -> Result<(), CliError> {
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
            index_sync::rebuild(&state.store, &state.search, today)
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

/// Prints up to ten problems, and how many more there were.
fn print_problems(problems: &[Problem]) {
    for problem in problems.iter().take(10) {
        println!("  {problem}");
    }
    if problems.len() > 10 {
        println!("  and {} more.", problems.len() - 10);
    }
}

fn import_area(
    conn: &mut crate::store::Conn,
    small_areas: &Path,
    adjacency: &Path,
    boundaries: Option<&Path>,
    postcodes: Option<&Path>,
) -> Result<(), CliError> {
    let started = Instant::now();
    let open = |path: &Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| CliError::Usage(format!("{}: cannot read it: {e}", path.display())))
    };
    let fatal = |problem: Problem| CliError::Usage(format!("{problem}; nothing was imported"));
    let areas = area_files::read_small_areas(open(small_areas)?).map_err(fatal)?;
    let pairs = area_files::read_adjacency(open(adjacency)?).map_err(fatal)?;
    let outlines = match boundaries {
        Some(path) => Some(area_files::read_boundaries(open(path)?).map_err(fatal)?),
        None => None,
    };
    let (mut rows, mut left_out) = (Vec::new(), Vec::new());
    if let Some(path) = postcodes {
        let (contents, rejected) = onspd::read(open(path)?)
            .map_err(|e| CliError::Usage(format!("--postcodes: {e}; nothing was imported")))?;
        let PostcodeFile::Postcodes(read) = contents else {
            return Err(CliError::Usage(String::from(
                "--postcodes: this is a file of district centres, not of postcodes; nothing was imported",
            )));
        };
        rows = read;
        left_out = rejected
            .into_iter()
            .map(|r| Problem { input: Input::Postcodes, line: Some(r.line), message: r.reason })
            .collect();
    }
    let geography = area_files::assemble(areas, pairs, outlines, rows).map_err(|problems| {
        match problems.len() {
            1 => println!("The area was not imported: 1 problem to mend first."),
            n => println!("The area was not imported: {n} problems to mend first."),
        }
        print_problems(&problems);
        CliError::Usage(String::from("nothing was imported; the geography stays as it was"))
    })?;
    let replaced = areas::replace_geography(conn, &geography)?;
    let people: u64 = geography.areas.iter().map(|a| u64::from(a.population)).sum();
    println!(
        "Imported {} small areas ({people} residents), {} adjacent pairs, {} H3 cells and {} postcodes in {:.1} s.",
        geography.areas.len(),
        geography.adjacency.len(),
        replaced.cells,
        replaced.postcodes,
        started.elapsed().as_secs_f64()
    );
    if replaced.removed > 0 {
        println!("Removed {} small areas no longer in the file.", replaced.removed);
    }
    let rejected: Vec<Problem> = geography.rejected.into_iter().chain(left_out).collect();
    if !rejected.is_empty() {
        println!("Left out {}:", rejected.len());
        print_problems(&rejected);
    }
    println!("Run `doorstep neighbourhoods build` to build the neighbourhoods from it.");
    Ok(())
}

fn build_neighbourhoods(conn: &mut crate::store::Conn, min: u32, max: u32) -> Result<(), CliError> {
    let band = Band::new(min, max)
        .map_err(|e| CliError::Usage(format!("{e}; the neighbourhoods stay as they were")))?;
    let started = Instant::now();
    let built = neighbourhoods::build(conn, band).map_err(|e| match e {
        StoreError::Rollback(why) => CliError::Usage(format!("{why}; the neighbourhoods stay as they were")),
        other => CliError::from(other),
    })?;
    let count = built.neighbourhoods.len();
    let inside = built.neighbourhoods.iter().filter(|n| n.outside_band.is_none()).count();
    let small_areas: u32 = built.neighbourhoods.iter().map(|n| n.small_areas).sum();
    println!(
        "Built {count} neighbourhoods from {small_areas} small areas in {:.2} s: {inside} ({:.1}%) inside {min} to {max} people.",
        started.elapsed().as_secs_f64(),
        100.0 * inside as f64 / count.max(1) as f64
    );
    if built.kept > 0 || built.removed > 0 {
        println!(
            "{} carry on from the previous build with their ids; {} are gone (their connectors and services moved to the neighbourhood that took most of their residents).",
            built.kept, built.removed
        );
    }
    for n in built.neighbourhoods.iter().filter(|n| n.outside_band.is_some()) {
        println!("  {} is outside the band: {}", n.name, n.outside_band.as_deref().unwrap_or_default());
    }
    if built.locations_outside > 0 {
        println!(
            "{} locations lie outside every neighbourhood (see `doorstep neighbourhoods report`).",
            built.locations_outside
        );
    }
    Ok(())
}

fn report_neighbourhoods(conn: &mut crate::store::Conn, json: bool) -> Result<(), CliError> {
    let all = neighbourhoods::all(conn)?;
    let band = neighbourhoods::band(conn)?;
    let outside = neighbourhoods::locations_outside(conn)?;
    let inside = all.iter().filter(|n| n.outside_band.is_none()).count();
    let population: u64 = all.iter().map(|n| u64::from(n.population)).sum();
    let small_areas: u32 = all.iter().map(|n| n.small_areas).sum();
    if json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|n| {
                serde_json::json!({
                    "id": n.id, "slug": n.slug, "name": n.name, "population": n.population,
                    "small_areas": n.small_areas, "area_km2": n.area_km2,
                    "centre": {"lat": n.latitude, "lon": n.longitude},
                    "compactness": n.compactness, "in_band": n.outside_band.is_none(),
                    "outside_band_reason": n.outside_band,
                })
            })
            .collect();
        let report = serde_json::json!({
            "band": band.map(|b| serde_json::json!({"min": b.min, "max": b.max})),
            "neighbourhoods": rows,
            "totals": {
                "neighbourhoods": all.len(), "in_band": inside,
                "share_in_band": if all.is_empty() { 0.0 } else { inside as f64 / all.len() as f64 },
                "population": population, "small_areas": small_areas,
                "locations_outside": outside.iter().map(|(name, postcode)| serde_json::json!({"name": name, "postcode": postcode})).collect::<Vec<_>>(),
            },
        });
        let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    println!(
        "{:<36} {:>10} {:>6} {:>8} {:>11}  band",
        "neighbourhood", "population", "areas", "km²", "compactness"
    );
    for n in &all {
        let mark = n.outside_band.as_deref().map_or(String::from("inside"), |why| format!("OUTSIDE: {why}"));
        println!(
            "{:<36} {:>10} {:>6} {:>8.2} {:>11.2}  {mark}",
            n.name, n.population, n.small_areas, n.area_km2, n.compactness
        );
    }
    println!(
        "{} neighbourhoods, {inside} inside the band{}; {population} residents in {small_areas} small areas; {} locations outside every neighbourhood.",
        all.len(),
        band.map(|b| format!(" of {} to {}", b.min, b.max)).unwrap_or_default(),
        outside.len()
    );
    Ok(())
}

fn add_user(
    store: &Store,
    email: &str,
    role: &str,
    name: Option<String>,
    organisation: Option<String>,
    neighbourhoods: Vec<String>,
) -> Result<(), CliError> {
    let email = text::email(email)
        .map_err(CliError::Usage)?
        .ok_or_else(|| CliError::Usage(String::from("--email must not be empty")))?;
    let role = Role::from_code(&role.trim().to_ascii_lowercase().replace('-', "_")).ok_or_else(|| {
        CliError::Usage(format!(
            "'{role}' is not a role: use administrator, connector, advisor or organisation_editor"
        ))
    })?;
    let organisation = match (role, organisation) {
        (Role::OrganisationEditor, None) => {
            return Err(CliError::Usage(String::from("an organisation editor needs --organisation ID")));
        }
        (_, Some(text)) => {
            let id: OrganisationId = text
                .trim()
                .parse()
                .map_err(|_| CliError::Usage(format!("'{text}' is not an organisation id")))?;
            if !listings::organisation_exists(&mut *store.conn()?, id)? {
                return Err(CliError::Usage(format!("there is no organisation with the id {id}")));
            }
            Some(id)
        }
        (_, None) => None,
    };
    if !neighbourhoods.is_empty() && role != Role::Connector {
        return Err(CliError::Usage(String::from("only a connector looks after neighbourhoods")));
    }
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| CliError::Usage(format!("cannot read the password from standard input: {e}")))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let password_hash = hash_password(password).map_err(|e| CliError::Usage(e.to_string()))?;
    let name = match name {
        Some(name) => text::required_line(&name, "the person's name").map_err(CliError::Usage)?,
        None => email.split('@').next().unwrap_or(&email).to_string(),
    };
    let user = NewUser { email: email.clone(), name, password_hash, role, organisation, neighbourhoods };
    match users::create(&mut *store.conn()?, &user, Utc::now().naive_utc())? {
        Created::Added(id) => {
            println!("Added {email} as {} (id {id}).", role.label());
            Ok(())
        }
        Created::EmailTaken => Err(CliError::Usage(format!("there is already an account for {email}"))),
        Created::UnknownNeighbourhood(message) => Err(CliError::Usage(message)),
    }
}
