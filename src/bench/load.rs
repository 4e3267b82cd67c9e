//! `doorstep bench load`: the demo in a database of its own (a new one on
//! the PostgreSQL server given, or a SQLite file), served on loopback, and a
//! bounded mixed load from several clients over keep-alive connections:
//! searches, pages and an advisor's shortlist changes (writes). It runs
//! against one server, then (on PostgreSQL) against two over the same
//! database, and prints requests/s, p50/p99 and errors for each; then how
//! long an edit saved through one server takes to be found through every one.

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{percentile, read_response};
use crate::config::Config;
use crate::demo::{self, Demo, DemoSize, seed};
use crate::domain::ids::{ServiceId, SignpostContactId};
use crate::domain::search::SearchRequest;
use crate::jobs::{self, index_sync};
use crate::state::{self, AppState};
use crate::store::scratch::ScratchDatabase;

/// What to run.
pub struct Plan {
    /// A PostgreSQL server (`postgres://…`), or `None` for SQLite (one server only).
    pub database: Option<String>,
    /// How long each load runs.
    pub seconds: u64,
    /// Clients, each on its own keep-alive connection.
    pub clients: usize,
}

/// One server: its state, its background jobs, and its loopback port.
struct Instance {
    state: AppState,
    _jobs: jobs::runner::Running,
    server: crate::web::server::LoopbackServer,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

pub fn run(plan: &Plan, out: &mut impl Write) -> Result<(), Failure> {
    let folder = std::env::temp_dir().join(format!("doorstep-bench-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let scratch = plan.database.as_deref().map(ScratchDatabase::create).transpose()?;
    let url = scratch.as_ref().map(|s| s.url().to_string());
    let ran = load(plan, &folder, url, out);
    let _ = std::fs::remove_dir_all(&folder);
    ran
}

fn load(
    plan: &Plan,
    folder: &std::path::Path,
    url: Option<String>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let backend = if url.is_some() { "PostgreSQL" } else { "SQLite" };
    writeln!(
        out,
        "doorstep bench load: the demo on {backend}, {} clients, {} s a run",
        plan.clients, plan.seconds
    )?;
    let first = start(folder, "first", url.clone())?;
    let demo = seed_demo(&first.state)?;
    let work = Work::new(&first.state, &demo, plan.clients)?;
    report(out, "one server", &drive(&[first.server.addr], &work, plan))?;
    let Some(url) = url else {
        writeln!(out, "two servers: skipped (several servers share a PostgreSQL database: give --database)")?;
        return Ok(());
    };
    let second = start(folder, "second", Some(url))?;
    report(out, "two servers", &drive(&[first.server.addr, second.server.addr], &work, plan))?;
    edits_found_everywhere(&first, &second, &work.services, out)
}

/// Opens a server over the database, with a data folder of its own (for its
/// index), its background jobs running, served on a loopback port.
fn start(folder: &std::path::Path, name: &str, database: Option<String>) -> Result<Instance, Failure> {
    let mut config = Config {
        data_dir: Some(folder.join(name)),
        database_url: database,
        seed_demo: false,
        ..Config::default()
    };
    config.check()?;
    let state = state::open(config)?;
    let jobs = jobs::background(&state).start();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let server = crate::web::server::spawn_on_loopback(state.clone(), workers)?;
    Ok(Instance { state, _jobs: jobs, server })
}

fn seed_demo(state: &AppState) -> Result<Demo, Failure> {
    let today = Utc::now().date_naive();
    let demo = demo::generate(DemoSize::DEMO, today)?;
    seed::seed_demo(&mut *state.store.conn()?, &demo, "no sign-in", Utc::now().naive_utc())?;
    index_sync::rebuild(&state.store, &state.search, &state.taxonomy, today)?;
    Ok(demo)
}

/// What the clients ask for: the paths of searches and pages, and for each
/// client a signed-in advisor's contact to change the shortlist of.
struct Work {
    reads: Vec<String>,
    services: Vec<ServiceId>,
    advisors: Vec<(SignpostContactId, String, String)>,
}

impl Work {
    fn new(state: &AppState, demo: &Demo, clients: usize) -> Result<Work, Failure> {
        let postcode = demo.postcodes[demo.postcodes.len() / 2].postcode.replace(' ', "+");
        let services: Vec<ServiceId> = demo.services.iter().take(50).map(|s| s.id).collect();
        let mut reads = vec![
            format!("/search?q=lunch+club&postcode={postcode}"),
            format!("/search?need=loneliness&need=debt&postcode={postcode}"),
            format!("/api/search?q=support&postcode={postcode}&open=wed"),
            String::from("/api/search?need=carers-support&per_page=20"),
        ];
        reads.extend(services.iter().take(10).map(|id| format!("/services/{id}")));
        reads.push(String::from("/neighbourhoods"));
        let mut advisors = Vec::new();
        for _ in 0..clients {
            let (contact, session, raw) = super::pages::signed_in_advisor(state, demo)?;
            let (csrf_cookie, csrf_token) = crate::web::session::form_credentials(state, &raw);
            advisors.push((contact, format!("{session}; {csrf_cookie}"), csrf_token));
        }
        Ok(Work { reads, services, advisors })
    }
}

/// What a run came to.
struct Outcome {
    answered: usize,
    errors: usize,
    seconds: f64,
    /// Milliseconds, sorted.
    times: Vec<f64>,
    writes: usize,
}

/// Runs the clients against `servers` (client n on server n mod count) for
/// the plan's time: of every ten requests, seven searches or pages and one
/// write, the rest pages.
fn drive(servers: &[SocketAddr], work: &Work, plan: &Plan) -> Outcome {
    let work = Arc::new((work.reads.clone(), work.services.clone(), work.advisors.clone()));
    let deadline = Instant::now() + Duration::from_secs(plan.seconds);
    let started = Instant::now();
    let clients: Vec<_> = (0..plan.clients)
        .map(|n| {
            let (addr, work) = (servers[n % servers.len()], Arc::clone(&work));
            std::thread::spawn(move || client(addr, n, &work, deadline))
        })
        .collect();
    let mut outcome = Outcome { answered: 0, errors: 0, seconds: 0.0, times: Vec::new(), writes: 0 };
    for client in clients {
        let (times, errors, writes) = client.join().unwrap_or_default();
        outcome.answered += times.len();
        outcome.errors += errors;
        outcome.writes += writes;
        outcome.times.extend(times);
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome.times.sort_by(f64::total_cmp);
    outcome
}

type Shared = (Vec<String>, Vec<ServiceId>, Vec<(SignpostContactId, String, String)>);

/// One client's requests until the deadline: their times, the errors, and
/// how many were writes.
fn client(addr: SocketAddr, n: usize, work: &Shared, deadline: Instant) -> (Vec<f64>, usize, usize) {
    let (reads, services, advisors) = work;
    let (contact, cookie, token) = &advisors[n % advisors.len()];
    let (mut times, mut errors, mut writes) = (Vec::new(), 0, 0);
    let Ok(stream) = TcpStream::connect(addr) else { return (times, 1, 0) };
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else { return (times, 1, 0) };
    let mut reader = BufReader::new(stream);
    let mut step = n;
    while Instant::now() < deadline {
        step += 1;
        let started = Instant::now();
        let sent = if step.is_multiple_of(10) {
            writes += 1;
            let service = services[(step / 10) % services.len()];
            // Added, then taken off again the next time round.
            let (path, body) = if (step / 10 / services.len()).is_multiple_of(2) {
                (
                    format!("/signpost/contacts/{contact}/shortlist"),
                    format!("csrf_token={token}&service={service}"),
                )
            } else {
                (
                    format!("/signpost/contacts/{contact}/shortlist/{service}"),
                    format!("csrf_token={token}&action=remove"),
                )
            };
            write!(
                writer,
                "POST {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        } else {
            write!(writer, "GET {} HTTP/1.1\r\nHost: bench\r\n\r\n", reads[step % reads.len()])
        };
        match sent.and_then(|()| read_response(&mut reader)) {
            Ok((200 | 303, _)) => times.push(started.elapsed().as_secs_f64() * 1000.0),
            Ok(_) => errors += 1,
            Err(error) => {
                eprintln!(
                    "a client's connection to {addr} ended after {} requests: {error}",
                    times.len() + errors
                );
                return (times, errors + 1, writes);
            }
        }
    }
    (times, errors, writes)
}

fn report(out: &mut impl Write, name: &str, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(
        out,
        "{name}: {} answered in {:.1} s = {:.0} requests/s ({} writes); p50 {:.2} ms, p99 {:.2} ms; {} errors",
        outcome.answered,
        outcome.seconds,
        outcome.answered as f64 / outcome.seconds.max(0.001),
        outcome.writes,
        percentile(&outcome.times, 0.5),
        percentile(&outcome.times, 0.99),
        outcome.errors
    )
}

/// Renames services through the first server (saved and indexed there, as
/// the staff form does) and times until the second server's index finds
/// each new name.
fn edits_found_everywhere(
    first: &Instance,
    second: &Instance,
    services: &[ServiceId],
    out: &mut impl Write,
) -> Result<(), Failure> {
    let admin =
        crate::store::users::find_by_email(&mut *first.state.store.conn()?, "admin@kingsmere.example.org")?
            .ok_or("the demo has no administrator")?
            .0
            .id;
    let mut times = Vec::new();
    for (n, id) in services.iter().take(20).enumerate() {
        let name = format!("Renamed Benchmark Club {n}");
        let mut input = crate::store::services::input(&mut *first.state.store.conn()?, *id)?;
        input.name.clone_from(&name);
        // Running, so that it is in the index to be found.
        input.status = crate::domain::directory::ServiceStatus::Active;
        let started = Instant::now();
        crate::store::services::update(
            &mut *first.state.store.conn()?,
            *id,
            &input,
            admin,
            None,
            Utc::now().naive_utc(),
        )?;
        let today = Utc::now().date_naive();
        index_sync::sync(&first.state.store, &first.state.search, &first.state.taxonomy, today)?;
        let asked = SearchRequest { text: name.clone(), ..SearchRequest::default() };
        loop {
            let found = second.state.search.search(
                &asked,
                &second.state.taxonomy,
                second.state.area_name(),
                Utc::now(),
            )?;
            if found.results.iter().any(|hit| hit.id == *id && hit.name == name) {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err("an edit was not found through the second server within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    writeln!(
        out,
        "an edit through one server found through the other: p50 {:.0} ms, worst {:.0} ms ({} edits)",
        percentile(&times, 0.5),
        times.last().copied().unwrap_or(0.0),
        times.len()
    )?;
    Ok(())
}
