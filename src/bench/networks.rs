//! `doorstep bench networks`: the demo with its neighbourhood networks grown
//! to a large area's worth of talk (100,000 threads and 1,000,000 replies by
//! default, written through the same store functions as any post, one of
//! them a thread of 500 replies), served on loopback. Prints the time to
//! answer a network's page, the long thread page by page, and a
//! neighbourhood's page with its activity, one request at a time (p50 and
//! p95, budget p50 under 10 ms each); then how long a reply posted over HTTP
//! takes to be found by search (budget under 1 s).

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Instant;

use chrono::{Duration, NaiveDateTime, Utc};

use super::{percentile, read_response, read_response_body};
use crate::config::Config;
use crate::demo::{self, DemoSize, seed};
use crate::domain::ids::{MemberId, NetworkId, ThreadId};
use crate::domain::networks::NewThread;
use crate::domain::text;
use crate::jobs::{activity_sync, index_sync};
use crate::state::{self, AppState};
use crate::store::{StoreError, members, networks, threads};

/// What to make and how much to time.
pub struct Plan {
    pub threads: usize,
    pub replies: usize,
    /// Requests timed for each page.
    pub requests: usize,
    /// Replies posted, each then looked for in search.
    pub posts: usize,
}

/// Requests made before timing starts, for each page.
const WARM_UP: usize = 50;
/// Replies in the one long thread.
const LONG_THREAD: usize = 500;
/// Members who write the bench's posts.
const WRITERS: usize = 400;
/// Posts written in one transaction.
const PER_TRANSACTION: usize = 5_000;
/// The budgets of DESIGN.md section 12 and the issue.
const PAGE_BUDGET_MS: f64 = 10.0;
const SEARCH_BUDGET_MS: f64 = 1_000.0;

/// Words the generated posts are made of: what neighbours talk about.
const WORDS: &[&str] = &[
    "lunch",
    "club",
    "coffee",
    "morning",
    "park",
    "litter",
    "bus",
    "library",
    "choir",
    "walk",
    "garden",
    "allotment",
    "carers",
    "dementia",
    "cafe",
    "repair",
    "bike",
    "football",
    "youth",
    "knitting",
    "bingo",
    "tea",
    "church",
    "hall",
    "community",
    "centre",
    "volunteers",
    "food",
    "bank",
    "pantry",
    "warm",
    "space",
    "energy",
    "bills",
    "advice",
    "benefits",
    "housing",
    "landlord",
    "damp",
    "neighbours",
    "lonely",
    "friends",
    "group",
    "meeting",
    "saturday",
    "sunday",
    "monday",
    "evening",
    "school",
    "holidays",
    "children",
    "parents",
    "toddlers",
    "swimming",
    "pool",
    "gym",
    "yoga",
    "chair",
    "exercise",
    "falls",
    "mobility",
    "scooter",
    "transport",
    "lift",
    "shopping",
    "pharmacy",
    "doctor",
    "surgery",
    "nurse",
    "hospital",
    "appointment",
    "digital",
    "computer",
    "phone",
    "internet",
    "scam",
    "safety",
    "police",
    "streetlight",
    "pothole",
    "bins",
    "recycling",
    "festival",
    "market",
    "craft",
    "art",
    "music",
    "singing",
    "history",
    "reading",
    "books",
];

/// A small deterministic generator (a linear congruential one): the same
/// area every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below.max(1)
    }

    fn words(&mut self, count: usize) -> String {
        (0..count).map(|_| WORDS[self.next(WORDS.len())]).collect::<Vec<_>>().join(" ")
    }
}

/// Seeds the demo in a temporary folder, grows its networks, serves it, and times it.
pub fn run(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let folder = std::env::temp_dir().join(format!("doorstep-bench-networks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let timed = time_networks(&folder, plan, out);
    let _ = std::fs::remove_dir_all(&folder);
    timed
}

fn other(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}

/// The generated talk: the thread with 500 replies, the network with the
/// most threads (its slug and neighbourhood's slug), and a member to post as.
struct Grown {
    long_thread: ThreadId,
    busiest: (String, String),
    poster: MemberId,
}

fn time_networks(folder: &std::path::Path, plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let mut config = Config { data_dir: Some(folder.to_path_buf()), seed_demo: false, ..Config::default() };
    config.check().map_err(other)?;
    let app = state::open(config).map_err(other)?;
    let today = Utc::now().date_naive();
    let demo = demo::generate(DemoSize::DEMO, today).map_err(other)?;
    seed::seed_demo(&mut *app.store.conn().map_err(other)?, &demo, "no sign-in", Utc::now().naive_utc())
        .map_err(other)?;
    index_sync::rebuild(&app.store, &app.search, &app.taxonomy, today).map_err(other)?;
    writeln!(
        out,
        "doorstep bench networks: the demo's networks grown to {} threads and {} replies",
        plan.threads, plan.replies
    )?;
    let started = Instant::now();
    let grown = grow(&app, plan).map_err(other)?;
    crate::store::refresh_statistics(&mut *app.store.conn().map_err(other)?).map_err(other)?;
    let written = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(folder.join("doorstep.sqlite")).map(|m| m.len()).unwrap_or(0);
    writeln!(
        out,
        "written through the store in {written:.0} s ({:.0} posts/s); the database is {:.0} MB",
        (plan.threads + plan.replies) as f64 / written,
        size as f64 / 1e6
    )?;
    let started = Instant::now();
    let indexed = activity_sync::rebuild(&app.store, &app.activity, &app.search, &app.taxonomy, Utc::now())
        .map_err(other)?;
    writeln!(
        out,
        "the network activity index rebuilt in {:.1} s ({indexed} threads and events)",
        started.elapsed().as_secs_f64()
    )?;
    let (cookie, csrf) = member_session(&app, grown.poster).map_err(other)?;
    let server = crate::web::server::spawn_on_loopback(app, 1)?;
    let stream = TcpStream::connect(server.addr)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);

    let (network, hood) = &grown.busiest;
    let pages = (plan.replies.min(LONG_THREAD)).div_ceil(crate::domain::networks::REPLIES_PER_PAGE).max(1);
    // The long thread is asked for page by page, the others as they are.
    let kinds = [
        ("a network's page (its busiest)", format!("/networks/{network}")),
        ("a thread of 500 replies, page by page", format!("/threads/{}?page=", grown.long_thread)),
        ("a neighbourhood's page with its activity", format!("/neighbourhoods/{hood}")),
    ];
    let mut met = true;
    for (name, path) in &kinds {
        let url =
            |n: usize| if path.ends_with('=') { format!("{path}{}", n % pages + 1) } else { path.clone() };
        let (times, size) = super::time_gets((&mut writer, &mut reader), url, "", (WARM_UP, plan.requests))?;
        let p50 = percentile(&times, 0.5);
        met &= p50 < PAGE_BUDGET_MS;
        writeln!(out, "{name}: p50 {p50:.2} ms, p95 {:.2} ms; {size} bytes", percentile(&times, 0.95))?;
    }
    writeln!(out, "budget: each page p50 under 10 ms: {}", if met { "met" } else { "NOT met" })?;

    // A reply posted as a member, then searched for until it is found.
    let mut found_in = Vec::with_capacity(plan.posts);
    for n in 0..plan.posts {
        let word = format!("benchmarker{n}word");
        let body = format!("csrf_token={csrf}&body=Anyone+for+{word}+on+Friday");
        let path = format!("/threads/{}/replies", grown.long_thread);
        let started = Instant::now();
        write!(
            writer,
            "POST {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        let (status, _) = read_response(&mut reader)?;
        if status != 303 {
            return Err(other(format!("the reply answered {status}")));
        }
        // The results page's "from the neighbourhood network" links the thread.
        let link = format!("href=\"/threads/{}\"", grown.long_thread);
        loop {
            write!(writer, "GET /search?q={word} HTTP/1.1\r\nHost: bench\r\n\r\n")?;
            let (status, page) = read_response_body(&mut reader)?;
            if status == 200 && String::from_utf8_lossy(&page).contains(&link) {
                break;
            }
            if started.elapsed().as_secs() > 10 {
                return Err(other(format!("a reply with {word} was not found in 10 s")));
            }
        }
        found_in.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    found_in.sort_by(f64::total_cmp);
    let slowest = found_in.last().copied().unwrap_or(0.0);
    writeln!(
        out,
        "a new reply found by search (posted over HTTP, then searched for until found), {} replies: \
         p50 {:.1} ms, slowest {slowest:.1} ms",
        plan.posts,
        percentile(&found_in, 0.5)
    )?;
    writeln!(
        out,
        "budget: a new post in search under 1 s: {}",
        if slowest < SEARCH_BUDGET_MS { "met" } else { "NOT met" }
    )
}

/// Writes the threads and replies, spread over the neighbourhoods'
/// networks, through the store as members' posts are, many to a transaction.
fn grow(app: &AppState, plan: &Plan) -> Result<Grown, StoreError> {
    let mut conn = app.store.conn()?;
    let now = Utc::now().naive_utc();
    let mut dice = Dice(18);
    let writers: Vec<MemberId> = (0..WRITERS)
        .map(|n| {
            let id = members::add_confirmed(
                &mut conn,
                &format!("writer{n}@bench.example.org"),
                &format!("Writer {n}"),
                now,
            )?;
            members::trust(&mut conn, id, now)?;
            Ok(id)
        })
        .collect::<Result<_, StoreError>>()?;
    let hoods: Vec<(NetworkId, String)> = networks::all(&mut conn)?
        .into_iter()
        .filter(|n| n.neighbourhood.is_some())
        .map(|n| (n.id, n.slug))
        .collect();
    if hoods.is_empty() || plan.threads == 0 {
        return Err(StoreError::NotFound);
    }
    // The long thread's replies first, then the rest spread evenly.
    let long = plan.replies.min(LONG_THREAD);
    let rest = plan.replies - long;
    let per_thread = rest / plan.threads.saturating_sub(1).max(1);
    let mut left_over = rest - per_thread * plan.threads.saturating_sub(1);
    // Each thread's time, oldest first, over the last year; replies follow it.
    let minutes = 365 * 24 * 60 / plan.threads.max(1) as i64;
    let mut long_thread = None;
    let mut counts = vec![0usize; hoods.len()];
    for first in (0..plan.threads).step_by((PER_TRANSACTION / (per_thread + 1)).max(1)) {
        let last = (first + (PER_TRANSACTION / (per_thread + 1)).max(1)).min(plan.threads);
        crate::store::transaction(&mut conn, |conn| {
            for n in first..last {
                let hood = (n * 7) % hoods.len();
                counts[hood] += 1;
                let started: NaiveDateTime =
                    now - Duration::minutes(minutes * (plan.threads - n) as i64 + 600);
                let author = writers[dice.next(writers.len())];
                let new = NewThread {
                    title: format!("{} {}", text::capitalised(&dice.words(1)), dice.words(4)),
                    body: format!(
                        "{}. {}.",
                        text::capitalised(&dice.words(12)),
                        text::capitalised(&dice.words(10))
                    ),
                    needs: Vec::new(),
                    services: Vec::new(),
                    organisations: Vec::new(),
                };
                let id = threads::start(conn, hoods[hood].0, author, (&new, false), started)?;
                let replies = if n == 0 {
                    long_thread = Some(id);
                    long
                } else if left_over > 0 {
                    left_over -= 1;
                    per_thread + 1
                } else {
                    per_thread
                };
                // A conversation between its author and two others.
                let others = [writers[dice.next(writers.len())], writers[dice.next(writers.len())]];
                for r in 0..replies {
                    let by = if r % 3 == 2 { author } else { others[r % 2] };
                    let count = 8 + dice.next(12);
                    let body = format!("{}.", text::capitalised(&dice.words(count)));
                    let at = started + Duration::seconds(r as i64 + 1);
                    threads::reply(conn, id, by, (&body, false), at)?;
                }
            }
            Ok(())
        })?;
    }
    // The log of changes for the index is rebuilt past at once: keep only its end.
    crate::store::activity_feed::prune(&mut conn, now + Duration::days(1))?;
    let busiest = counts.iter().enumerate().max_by_key(|(_, c)| **c).map_or(0, |(i, _)| i);
    let network = networks::by_slug(&mut conn, &hoods[busiest].1)?;
    let hood_slug = match network.neighbourhood_id {
        Some(hood) => crate::store::neighbourhoods::by_id(&mut conn, hood)?.slug,
        None => return Err(StoreError::NotFound),
    };
    Ok(Grown {
        long_thread: long_thread.ok_or(StoreError::NotFound)?,
        busiest: (network.slug, hood_slug),
        poster: writers[0],
    })
}

/// A member's session cookie and a form token for it, made directly:
/// nobody follows an emailed link in a benchmark.
fn member_session(app: &AppState, member: MemberId) -> Result<(String, String), StoreError> {
    use crate::web::session::{MEMBER_COOKIE, form_credentials, signed_cookie};
    let token = crate::domain::accounts::random_token();
    let now = Utc::now().naive_utc();
    members::start_session(&mut *app.store.conn()?, member, &token, now, now + Duration::hours(2))?;
    let session = signed_cookie(app, MEMBER_COOKIE, token.clone());
    let (csrf_cookie, csrf) = form_credentials(app, &format!("|member:{token}"));
    Ok((format!("{}={}; {csrf_cookie}", session.name(), session.value()), csrf))
}
