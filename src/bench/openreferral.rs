//! `doorstep bench openreferral`: the Open Referral API and import at size.
//! Generates the demo at N services into a new database (a SQLite file, or
//! with `--database` a new database on that PostgreSQL server), then times
//! pages of 50 full services from the server on loopback, one request at a
//! time on a keep-alive connection (the whole app: routing, the store, JSON,
//! the ETag, and the hop), exports everything as one ORUK 3.0 file, and times
//! reading and importing that file into an empty database.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Instant;

use chrono::Utc;

use super::{peak_memory_mb, percentile, read_response};
use crate::app::imports::{self, Options};
use crate::app::openreferral::{export, publisher};
use crate::config::Config;
use crate::demo::{self, DemoSize, Dice};
use crate::domain::imports::hsds::{self, Context};
use crate::domain::imports::terms::NeedMatcher;
use crate::store::scratch::ScratchDatabase;

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub services: usize,
    pub pages: usize,
    /// A PostgreSQL server to make the databases on.
    pub database: Option<String>,
}

/// A configuration over a new database in `folder`: a SQLite file there, or
/// a new database on the PostgreSQL server.
fn config_in(folder: &Path, server: Option<&str>) -> std::io::Result<(Config, Option<ScratchDatabase>)> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let scratch = server.map(ScratchDatabase::create).transpose().map_err(|e| other(&e))?;
    let mut config = Config {
        data_dir: Some(folder.to_path_buf()),
        database_url: scratch.as_ref().map(|d| d.url().to_string()),
        seed_demo: false,
        ..Config::default()
    };
    config.check().map_err(|e| other(&e))?;
    Ok((config, scratch))
}

pub fn run(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let folder = std::env::temp_dir().join(format!("doorstep-bench-openreferral-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let today = Utc::now().date_naive();
    let (config, _source) = config_in(&folder.join("source"), plan.database.as_deref())?;
    let demo = demo::generate(DemoSize::with_services(plan.services), today).map_err(|e| other(&e))?;
    let started = Instant::now();
    {
        let store = crate::state::open_store(&config).map_err(|e| other(&e))?;
        let mut conn = store.conn().map_err(|e| other(&e))?;
        demo::seed::seed_demo(&mut conn, &demo, "no sign-in", Utc::now().naive_utc())
            .map_err(|e| other(&e))?;
    }
    let borough = demo.borough.clone();
    writeln!(out, "wrote {} services in {:.1} s", demo.services.len(), started.elapsed().as_secs_f64())?;
    drop(demo);
    let state = crate::state::open(config).map_err(|e| other(&e))?;

    // Pages of 50 full services, through the whole server on loopback.
    let total_pages = plan.services.div_ceil(50).max(1);
    let mut dice = Dice::new(7);
    let urls: Vec<String> = (0..plan.pages.max(20))
        .map(|_| format!("/openreferral/services?full=true&per_page=50&page={}", dice.below(total_pages) + 1))
        .collect();
    let server = crate::web::server::spawn_on_loopback(state.clone(), 1)?;
    let stream = TcpStream::connect(server.addr)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut timings = Vec::with_capacity(urls.len());
    for (n, url) in urls.iter().enumerate() {
        let started = Instant::now();
        write!(writer, "GET {url} HTTP/1.1\r\nHost: bench\r\n\r\n")?;
        let (status, length) = read_response(&mut reader)?;
        if status != 200 || length < 1000 {
            return Err(other(&format!("{url} answered {status} with {length} bytes")));
        }
        // The first few warm the caches.
        if n >= 10 {
            timings.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    drop(server);
    timings.sort_by(f64::total_cmp);
    writeln!(
        out,
        "a page of 50 full services (/openreferral/services?full=true&per_page=50): p50 {:.1} ms, p99 {:.1} ms over {} pages (budget: p50 under 20 ms at 100,000)",
        percentile(&timings, 0.5),
        percentile(&timings, 0.99),
        timings.len()
    )?;

    // The whole directory as one file, read into an empty database.
    let started = Instant::now();
    let file = export(&state.store, &publisher(&state)).map_err(|e| other(&e))?;
    writeln!(
        out,
        "export: {:.1} MB in {:.1} s",
        file.len() as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    )?;
    drop(state);
    let (empty, _copy) = config_in(&folder.join("copy"), plan.database.as_deref())?;
    let store = crate::state::open_store(&empty).map_err(|e| other(&e))?;
    let mut conn = store.conn().map_err(|e| other(&e))?;
    let needs =
        crate::domain::needs::Taxonomy::new(crate::store::needs::all(&mut conn).map_err(|e| other(&e))?);
    drop(conn);
    let matcher = NeedMatcher::built_in(&needs).map_err(|e| other(&e))?;
    let started = Instant::now();
    let context = Context { source: "bench", needs: &needs, matcher: &matcher, area: &borough };
    let batch = hsds::read(&file, &context).map_err(|e| other(&e))?;
    let read = started.elapsed().as_secs_f64();
    let count = batch.services.len();
    let report = imports::import(&store, batch, "bench", &Options::default(), Utc::now().naive_utc())
        .map_err(|e| other(&e))?;
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "import of {count} services from one ORUK 3.0 file: {seconds:.1} s ({read:.1} s reading), {:.0} services a second (goal: over 2,000); {} written",
        count as f64 / seconds,
        if report.written { "all" } else { "nothing" }
    )?;
    if let Some(peak) = peak_memory_mb() {
        writeln!(out, "peak memory: {peak:.0} MB")?;
    }
    let _ = std::fs::remove_dir_all(&folder);
    Ok(())
}
