//! `doorstep bench`: which benchmark to run on generated data; the `bench` room runs it.

use std::path::PathBuf;

use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::demo::DemoSize;
use crate::geo::neighbourhoods::Band;
use crate::state;

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
    /// The neighbourhood networks at size: a network's page, a long thread
    /// and a neighbourhood's page, and how soon a new post is in search.
    Networks {
        #[arg(long, default_value_t = 100_000)]
        threads: usize,
        #[arg(long, default_value_t = 1_000_000)]
        replies: usize,
        /// Requests timed for each page.
        #[arg(long, default_value_t = 500)]
        requests: usize,
        /// Replies posted and then looked for in search.
        #[arg(long, default_value_t = 20)]
        posts: usize,
    },
    /// A network following 200 sources of 50 items: reading and merging
    /// them, reading them again unchanged, and the network's page with them.
    Feeds {
        #[arg(long, default_value_t = 200)]
        sources: usize,
        #[arg(long, default_value_t = 50)]
        items: usize,
        /// Requests timed for each page.
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// The results page's time to answer on the demo, one request at a time.
    Pages {
        /// Requests timed for each kind of search.
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// The review queue's and a service's edit form's time to answer, at size.
    Listings {
        #[arg(long, default_value_t = 100_000)]
        services: usize,
        /// Requests timed for each page.
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// A mixed load (searches, pages, signposting writes) over HTTP against
    /// one server, then two over one PostgreSQL database.
    Load {
        /// A PostgreSQL server (postgres://user:password@host/database) to
        /// make a new database on for the run; without it, SQLite and one server.
        #[arg(long)]
        database: Option<String>,
        /// How long each run lasts, in seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Clients, each on its own keep-alive connection.
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
    /// The Open Referral API's pages of 50 full services, and importing one
    /// ORUK 3.0 file of every service into an empty database.
    Openreferral {
        #[arg(long, default_value_t = 100_000)]
        services: usize,
        #[arg(long, default_value_t = 200)]
        pages: usize,
        /// A PostgreSQL server to make the databases on (a SQLite file otherwise).
        #[arg(long)]
        database: Option<String>,
    },
    /// How well search ranks the right help: the judged scenarios of
    /// seeds/relevance.toml on the demo and on Trafford, each seeded anew.
    Relevance {
        /// Where the shared Trafford data is.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Scenarios (ids, or part of them) whose results are shown in
        /// full: each result's grade and why it matched, and where the
        /// judged answers missing from the first page are.
        #[arg(long)]
        show: Vec<String>,
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
        /// A PostgreSQL server to make a new database on: the services are
        /// written there and the index built from it, as a server would.
        #[arg(long)]
        database: Option<String>,
    },
    /// Doorstep's search over HTTP against PostgreSQL + PostGIS + full-text
    /// search on the same listings and queries, side by side.
    Compare {
        /// Numbers of listings, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        listings: Vec<usize>,
        /// Queries in the mix.
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// Measured passes on each side, with one client and with two.
        #[arg(long, default_value_t = 3)]
        passes: usize,
        /// A PostgreSQL server with PostGIS to use instead of starting a
        /// throwaway one from Debian's packages.
        #[arg(long)]
        peer: Option<String>,
    },
}

/// Runs the benchmark asked for and prints its figures to standard output.
pub(super) fn run(what: BenchCommand) -> Result<(), CliError> {
    match what {
        BenchCommand::Neighbourhoods { areas, min, max, census } => {
            let band = Band::new(min, max).map_err(CliError::Usage)?;
            crate::bench::neighbourhoods::run(&areas, &census, band, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Networks { threads, replies, requests, posts } => {
            let plan = crate::bench::networks::Plan {
                threads: threads.max(1),
                replies,
                requests: requests.max(1),
                posts: posts.max(1),
            };
            crate::bench::networks::run(&plan, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Feeds { sources, items, requests } => {
            let plan = crate::bench::feeds::Plan {
                sources: sources.max(1),
                items: items.max(1),
                requests: requests.max(1),
            };
            crate::bench::feeds::run(&plan, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Pages { requests } => crate::bench::pages::run(requests.max(1), &mut std::io::stdout())
            .map_err(|e| CliError::Usage(e.to_string())),
        BenchCommand::Listings { services, requests } => {
            crate::bench::listings::run(services.max(1), requests.max(1), &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Load { database, seconds, clients } => {
            let plan =
                crate::bench::load::Plan { database, seconds: seconds.max(1), clients: clients.max(1) };
            crate::bench::load::run(&plan, &mut std::io::stdout()).map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Openreferral { services, pages, database } => {
            let plan = crate::bench::openreferral::Plan { services: services.max(1), pages, database };
            crate::bench::openreferral::run(&plan, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Relevance { data, show } => {
            let folder =
                std::env::temp_dir().join(format!("doorstep-bench-relevance-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&folder);
            let judged = relevance(&folder, &data, &show);
            let _ = std::fs::remove_dir_all(&folder);
            judged
        }
        BenchCommand::Search { services, queries, http_seconds, http_requests, database } => {
            let plan = crate::bench::search::Plan {
                database,
                sizes: services,
                queries: queries.max(2_000),
                http_seconds,
                http_requests: if http_seconds == 0 { 0 } else { http_requests },
            };
            crate::bench::search::run(&plan, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        BenchCommand::Compare { listings, queries, passes, peer } => {
            let plan = crate::bench::compare::Plan {
                sizes: listings,
                queries: queries.max(3),
                passes: passes.max(1),
                peer,
            };
            crate::bench::compare::run(&plan, &mut std::io::stdout())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
    }
}

/// Seeds the demo and Trafford into new folders under `folder`, then runs
/// the judged scenarios against them.
fn relevance(folder: &std::path::Path, data: &std::path::Path, show: &[String]) -> Result<(), CliError> {
    use crate::bench::relevance;
    let scenarios = relevance::scenarios(relevance::SCENARIOS).map_err(CliError::Usage)?;
    let config =
        |name: &str| Config { data_dir: Some(folder.join(name)), seed_demo: false, ..Config::default() };
    // Each opened after it is seeded, as a server would be: its area named.
    super::seed::seed_demo(&state::open(config("demo"))?, DemoSize::DEMO)?;
    let demo = state::open(config("demo"))?;
    super::seed::seed_trafford(config("trafford"), data)?;
    let trafford = state::open(config("trafford"))?;
    relevance::run(&[("demo", &demo), ("trafford", &trafford)], &scenarios, show, &mut std::io::stdout())
        .map_err(|e| CliError::Usage(e.to_string()))
}
