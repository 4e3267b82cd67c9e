//! `doorstep bench search`: builds an index of generated services spread over
//! a city, times mixed queries in process, and (at the first size) runs a
//! bounded load over HTTP on loopback. With `--database`, the services are
//! first written to a new database on that PostgreSQL server and the index
//! is built from it, as a server over PostgreSQL builds it, and that server
//! is what the load runs against.
//!
//! Query mix, in equal shares: words within a radius; needs within a radius;
//! words, needs, a radius and a day of the week; needs alone.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};

use super::{peak_memory_mb, percentile, read_response, resident_memory_mb};
use crate::config::Config;
use crate::demo::{self, DemoSize, Dice};
use crate::domain::needs::{self, Taxonomy};
use crate::domain::schedule;
use crate::domain::search::{Open, SearchRequest as SearchQuery};
use crate::search::SearchIndex;
use crate::state::AppState;
use crate::store::Store;
use crate::store::scratch::ScratchDatabase;

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// A PostgreSQL server to make a database on, or `None` to index the
    /// generated services directly.
    pub database: Option<String>,
    pub sizes: Vec<usize>,
    pub queries: usize,
    /// The HTTP load run stops after this long or `http_requests`, whichever comes first.
    pub http_seconds: u64,
    pub http_requests: usize,
}

pub(super) const WORDS: &[&str] = &[
    "lunch club",
    "befriending",
    "dementia",
    "food bank",
    "walking",
    "carers",
    "debt advice",
    "coffee morning",
    "exercise",
    "lonely",
    "bereavement",
    "benefits form",
    "digital",
    "english class",
    "men's shed",
    "yoga",
    "no one to talk to",
    "memory cafe",
    "youth club",
    "warm space",
];

fn mixed_queries(
    count: usize,
    points: &[(f64, f64)],
    need_slugs: &[String],
    dice: &mut Dice,
) -> Vec<SearchQuery> {
    (0..count)
        .map(|n| {
            let point = *dice.pick(points);
            let need = dice.pick(need_slugs).clone();
            let words = dice.pick(WORDS).to_string();
            let base = SearchQuery { per_page: 10, ..SearchQuery::default() };
            match n % 4 {
                0 => SearchQuery { text: words, point: Some(point), radius_m: Some(3_000.0), ..base },
                1 => {
                    let mut needs = vec![need];
                    if dice.below(2) == 0 {
                        needs.push(dice.pick(need_slugs).clone());
                        needs.dedup();
                    }
                    SearchQuery { needs, point: Some(point), radius_m: Some(5_000.0), ..base }
                }
                2 => SearchQuery {
                    text: words,
                    needs: vec![need],
                    point: Some(point),
                    radius_m: Some(5_000.0),
                    open: Some(Open::On(*dice.pick(&schedule::WEEK))),
                    ..base
                },
                _ => SearchQuery { needs: vec![need], ..base },
            }
        })
        .collect()
}

/// The same query as a URL of the JSON API.
pub(super) fn as_url(q: &SearchQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    let enc = |t: &str| form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
    if !q.text.is_empty() {
        parts.push(format!("q={}", enc(&q.text)));
    }
    parts.extend(q.needs.iter().map(|n| format!("need={n}")));
    if let Some((lat, lon)) = q.point {
        parts.push(format!("lat={lat:.5}&lon={lon:.5}"));
    }
    if let Some(r) = q.radius_m {
        parts.push(format!("radius_km={}", r / 1_000.0));
    }
    if let Some(Open::On(day)) = q.open {
        parts.push(format!("open={}", schedule::day_code(day)));
    }
    parts.push(format!("per_page={}", q.per_page));
    format!("/api/search?{}", parts.join("&"))
}

/// Runs the plan, printing as it goes.
pub fn run(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let today = Utc::now().date_naive();
    let taxonomy =
        Taxonomy::new(needs::parse(needs::BUILT_IN).map_err(|e| std::io::Error::other(e.to_string()))?);
    let leaf_slugs: Vec<String> = taxonomy.needs().map(|n| n.slug.clone()).collect();
    writeln!(
        out,
        "doorstep bench search: {} CPU cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    )?;
    for (round, &size) in plan.sizes.iter().enumerate() {
        writeln!(out, "\n== {size} services")?;
        let folder = std::env::temp_dir().join(format!("doorstep-bench-{}-{size}", std::process::id()));
        let (state, points, _database) = match &plan.database {
            None => build_index(size, today, &taxonomy, &folder, out)?,
            Some(server) => build_from_database(size, today, server, &folder, out)?,
        };
        let mut dice = Dice::new(0x5EA2C4 + size as u64);
        let queries = mixed_queries(plan.queries, &points, &leaf_slugs, &mut dice);
        let (p50, p99) = time_queries(&state.search, &state.taxonomy, &queries, out)?;
        writeln!(out, "peak memory so far: {:.0} MB", peak_memory_mb().unwrap_or(0.0))?;
        report_budget(size, p50, p99, out)?;
        if round == 0 && plan.http_requests > 0 {
            let urls: Vec<String> = queries.iter().map(as_url).collect();
            let rate = http_load(state, &urls, plan)?;
            writeln!(
                out,
                "budget: over 5,000 requests/s over HTTP: {}",
                if rate > 5_000.0 { "met" } else { "NOT met" }
            )?;
        } else {
            drop(state);
        }
        let _ = std::fs::remove_dir_all(&folder);
    }
    Ok(())
}

/// A server's state to search and serve, the postcodes the queries are
/// centred on, and the scratch database it reads (dropped after the run).
type Built = (AppState, Vec<(f64, f64)>, Option<ScratchDatabase>);

/// Generates the demo at `size` services and indexes them in `folder`,
/// beside an empty SQLite store for the server.
fn build_index(
    size: usize,
    today: NaiveDate,
    taxonomy: &Taxonomy,
    folder: &Path,
    out: &mut impl Write,
) -> std::io::Result<Built> {
    let started = Instant::now();
    let demo = demo::generate(DemoSize::with_services(size), today)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let services = demo.searchable();
    writeln!(
        out,
        "generated {} running services in {:.1} s",
        services.len(),
        started.elapsed().as_secs_f64()
    )?;

    let (state, build) = serve_services(&services, taxonomy, today, folder)?;
    writeln!(out, "index build: {build:.1} s ({} segment(s))", state.search.segments())?;
    drop(services);
    let points: Vec<(f64, f64)> = demo.postcodes.iter().map(|p| (p.latitude, p.longitude)).collect();
    Ok((state, points, None))
}

/// Indexes `services` as of `today` in a new index in `folder` and opens a
/// server's state over it, beside an empty SQLite store; gives the state
/// and the seconds the index took to build.
pub(super) fn serve_services(
    services: &[crate::domain::views::SearchableService],
    taxonomy: &Taxonomy,
    today: NaiveDate,
    folder: &Path,
) -> std::io::Result<(AppState, f64)> {
    let _ = std::fs::remove_dir_all(folder);
    let (index, _) = SearchIndex::open(&folder.join("index")).map_err(std::io::Error::other)?;
    let started = Instant::now();
    index.rebuild(services, taxonomy, today, 0).map_err(std::io::Error::other)?;
    let build = started.elapsed().as_secs_f64();
    let mut config = Config { data_dir: Some(folder.to_path_buf()), seed_demo: false, ..Config::default() };
    config.check().map_err(std::io::Error::other)?;
    let store = Store::open(&folder.join("bench.sqlite").to_string_lossy()).map_err(std::io::Error::other)?;
    let mailer = crate::mail::Mailer::Memory(Default::default());
    let (activity, _) =
        crate::search::activity::ActivityIndex::open(&folder.join(crate::state::ACTIVITY_FOLDER))
            .map_err(std::io::Error::other)?;
    let state = AppState::new(store, (index, activity), taxonomy.clone(), config, vec![7; 64], None, mailer);
    Ok((state, build))
}

/// Generates the demo at `size` services, writes it to a new database on the
/// PostgreSQL server `server`, and opens a server's state over it, which
/// builds the index from the database.
fn build_from_database(
    size: usize,
    today: NaiveDate,
    server: &str,
    folder: &Path,
    out: &mut impl Write,
) -> std::io::Result<Built> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let demo = demo::generate(DemoSize::with_services(size), today).map_err(|e| other(&e))?;
    let database = ScratchDatabase::create(server).map_err(|e| other(&e))?;
    let _ = std::fs::remove_dir_all(folder);
    let mut config = Config {
        data_dir: Some(folder.to_path_buf()),
        database_url: Some(database.url().to_string()),
        seed_demo: false,
        ..Config::default()
    };
    config.check().map_err(|e| other(&e))?;
    let started = Instant::now();
    {
        let store = crate::state::open_store(&config).map_err(|e| other(&e))?;
        let mut conn = store.conn().map_err(|e| other(&e))?;
        demo::seed::seed_demo(&mut conn, &demo, "no sign-in", Utc::now().naive_utc())
            .map_err(|e| other(&e))?;
    }
    writeln!(
        out,
        "wrote {} services to PostgreSQL in {:.1} s",
        demo.services.len(),
        started.elapsed().as_secs_f64()
    )?;
    let points: Vec<(f64, f64)> = demo.postcodes.iter().map(|p| (p.latitude, p.longitude)).collect();
    drop(demo);
    let started = Instant::now();
    let state = crate::state::open(config).map_err(|e| other(&e))?;
    writeln!(
        out,
        "index built from the database in {:.1} s ({} segment(s))",
        started.elapsed().as_secs_f64(),
        state.search.segments()
    )?;
    Ok((state, points, Some(database)))
}

/// Times each query in process after a warm-up, printing the spread overall
/// and by kind; gives the 50th and 99th percentiles in milliseconds.
fn time_queries(
    index: &SearchIndex,
    taxonomy: &Taxonomy,
    queries: &[SearchQuery],
    out: &mut impl Write,
) -> std::io::Result<(f64, f64)> {
    let now = Utc::now();
    for q in queries.iter().take(200) {
        index.search(q, taxonomy, "the area", now).map_err(std::io::Error::other)?;
    }
    let mut by_kind: [Vec<f64>; 4] = Default::default();
    let mut found_by_kind = [0u64; 4];
    let mut all = Vec::with_capacity(queries.len());
    let mut found = 0u64;
    for (n, q) in queries.iter().enumerate() {
        let started = Instant::now();
        let results = index.search(q, taxonomy, "the area", now).map_err(std::io::Error::other)?;
        let ms = started.elapsed().as_secs_f64() * 1_000.0;
        found += results.total;
        found_by_kind[n % 4] += results.total;
        all.push(ms);
        by_kind[n % 4].push(ms);
    }
    all.sort_by(f64::total_cmp);
    let (p50, p95, p99) = (percentile(&all, 0.5), percentile(&all, 0.95), percentile(&all, 0.99));
    writeln!(
        out,
        "in-process search, {} mixed queries: p50 {p50:.3} ms, p95 {p95:.3} ms, p99 {p99:.3} ms (mean {:.0} matches)",
        all.len(),
        found as f64 / all.len().max(1) as f64
    )?;
    for (kind, name) in
        ["words + radius", "needs + radius", "words + needs + radius + day", "needs only"].iter().enumerate()
    {
        let mut times = by_kind[kind].clone();
        times.sort_by(f64::total_cmp);
        writeln!(
            out,
            "  {name:<30} p50 {:.3} ms, p99 {:.3} ms (mean {:.0} matches)",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            found_by_kind[kind] as f64 / times.len().max(1) as f64
        )?;
    }
    Ok((p50, p99))
}

/// Whether the in-process times met their budget, which is looser past
/// 100,000 services.
fn report_budget(size: usize, p50: f64, p99: f64, out: &mut impl Write) -> std::io::Result<()> {
    let (p50_budget, p99_budget) = if size <= 100_000 { (1.0, 5.0) } else { (5.0, f64::INFINITY) };
    writeln!(
        out,
        "budget: p50 under {p50_budget} ms{}: {}",
        if p99_budget.is_finite() { format!(", p99 under {p99_budget} ms") } else { String::new() },
        if p50 < p50_budget && p99 < p99_budget { "met" } else { "NOT met" }
    )
}

/// Concurrent keep-alive connections in the HTTP load run.
const CONNECTIONS: usize = 8;

/// Serves the index over HTTP on loopback and loads it from `CONNECTIONS`
/// client threads with keep-alive connections. Bounded in requests and time.
fn http_load(state: AppState, urls: &[String], plan: &Plan) -> std::io::Result<f64> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let server = crate::web::server::spawn_on_loopback(state, workers)?;
    let addr = server.addr;
    let urls = Arc::new(urls.to_vec());
    let sent = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(plan.http_seconds);
    let started = Instant::now();
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|client| {
            let (urls, sent, limit) = (urls.clone(), sent.clone(), plan.http_requests);
            std::thread::spawn(move || -> std::io::Result<usize> {
                let mut stream = TcpStream::connect(addr)?;
                stream.set_nodelay(true)?;
                let mut reader = BufReader::new(stream.try_clone()?);
                let mut ok = 0;
                let mut n = client;
                while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < limit {
                    let url = &urls[n % urls.len()];
                    n += 7;
                    write!(stream, "GET {url} HTTP/1.1\r\nHost: bench\r\n\r\n")?;
                    if read_response(&mut reader)?.0 == 200 {
                        ok += 1;
                    }
                }
                Ok(ok)
            })
        })
        .collect();
    let mut ok = 0;
    for client in clients {
        ok += client.join().map_err(|_| std::io::Error::other("a load client failed"))??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rate = ok as f64 / seconds;
    println!(
        "HTTP load on loopback, {workers} server workers, {CONNECTIONS} connections: {ok} answered 200 in {seconds:.1} s = {rate:.0} requests/s"
    );
    println!(
        "resident memory while serving: {:.0} MB (budget: under 500 MB)",
        resident_memory_mb().unwrap_or(0.0)
    );
    Ok(rate)
}
