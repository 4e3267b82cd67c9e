//! `doorstep bench compare`: Doorstep's `/api/search` over keep-alive HTTP
//! against PostgreSQL + PostGIS + full-text search (`postgis`) on the same
//! listings and the same queries, side by side.
//!
//! The listings are the demo generator's, placed in a city 30 km square
//! whose listings gather in towns, each at one venue, in 40 categories (the
//! needs the generator uses most). The 200 queries, in equal shares: words
//! within 2 km; words and a category within 2 km; a category within 2 km;
//! 30% of each also "open on Saturday" (or with no times listed); the best
//! 20 of each. After one warm-up pass on each side, the measured passes
//! alternate between the two, with one client and then with two.

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use chrono::{NaiveDate, Utc};

use super::postgis::{self, Asked, Listing, Peer};
use super::search::{WORDS, as_url, serve_services};
use super::{peak_memory_mb, percentile, read_response_body};
use crate::demo::{self, DemoSize, Dice};
use crate::domain::directory::{DeliveryMode, ServiceArea};
use crate::domain::needs::{self, Taxonomy};
use crate::domain::schedule;
use crate::domain::search::{Open, SearchRequest};
use crate::domain::views::{SearchPlace, SearchableService};

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub sizes: Vec<usize>,
    pub queries: usize,
    /// Measured passes on each side, with each number of clients.
    pub passes: usize,
    /// A PostgreSQL server with PostGIS to use instead of starting one.
    pub peer: Option<String>,
}

/// The city's side, in kilometres.
const CITY_KM: f64 = 30.0;
/// Its centre.
const CENTRE: (f64, f64) = (53.42, -2.33);
const KM_PER_DEGREE: f64 = 111.32;
/// How many towns its listings gather in, and the share that gather.
const TOWNS: usize = 16;
const IN_TOWNS: f64 = 0.85;
/// How many categories the listings are in.
const CATEGORIES: usize = 40;
const RADIUS_M: f64 = 2_000.0;
const TOP: usize = 20;

/// Where listings and the people asking are: towns of different sizes
/// scattered over the square, and a sprinkling between them.
struct City {
    /// Each town's centre in kilometres from the square's corner, its
    /// spread, and its share of what gathers in towns (cumulative).
    towns: Vec<((f64, f64), f64, f64)>,
}

impl City {
    fn new(dice: &mut Dice) -> City {
        let weights: Vec<f64> = (0..TOWNS).map(|k| 1.0 / (k as f64 + 1.0).powf(0.8)).collect();
        let total: f64 = weights.iter().sum();
        let mut cumulative = 0.0;
        let towns = weights
            .iter()
            .map(|w| {
                cumulative += w / total;
                let centre = (3.0 + dice.unit() * (CITY_KM - 6.0), 3.0 + dice.unit() * (CITY_KM - 6.0));
                (centre, 0.6 + 1.8 * (w / weights[0]).sqrt(), cumulative)
            })
            .collect();
        City { towns }
    }

    /// A place in the city, drawn as listings and people are spread.
    fn place(&self, dice: &mut Dice) -> (f64, f64) {
        let (x, y) = if dice.unit() < IN_TOWNS {
            let pick = dice.unit();
            let &((cx, cy), spread, _) =
                self.towns.iter().find(|t| pick <= t.2).unwrap_or(&self.towns[TOWNS - 1]);
            // Box and Muller's normal deviates.
            let (u, v) = (dice.unit().max(1e-12), dice.unit());
            let r = (-2.0 * u.ln()).sqrt() * spread;
            let angle = std::f64::consts::TAU * v;
            (cx + r * angle.cos(), cy + r * angle.sin())
        } else {
            (dice.unit() * CITY_KM, dice.unit() * CITY_KM)
        };
        let (x, y) = (x.clamp(0.0, CITY_KM), y.clamp(0.0, CITY_KM));
        let lat = CENTRE.0 + (y - CITY_KM / 2.0) / KM_PER_DEGREE;
        let lon = CENTRE.1 + (x - CITY_KM / 2.0) / (KM_PER_DEGREE * CENTRE.0.to_radians().cos());
        (lat, lon)
    }
}

/// The generator's running services, each moved to one venue in the city,
/// local, in person, checked today, in the `CATEGORIES` needs it uses most
/// (a service in none of them is given one); the same as the peer's rows;
/// and the categories.
fn city_listings(
    size: usize,
    today: NaiveDate,
    taxonomy: &Taxonomy,
    city: &City,
    dice: &mut Dice,
) -> std::io::Result<(Vec<SearchableService>, Vec<Listing>, Vec<String>)> {
    let demo = demo::generate(DemoSize::with_services(size), today)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut services = demo.searchable();
    drop(demo);
    let mut used: HashMap<&str, usize> = HashMap::new();
    for need in services.iter().flat_map(|s| &s.needs) {
        *used.entry(need).or_default() += 1;
    }
    let mut by_use: Vec<(&str, usize)> = used.into_iter().collect();
    by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let categories: Vec<String> = by_use.iter().take(CATEGORIES).map(|(slug, _)| slug.to_string()).collect();
    let checked = today.and_hms_opt(9, 0, 0);
    let mut listings = Vec::with_capacity(services.len());
    for s in &mut services {
        s.needs.retain(|n| categories.contains(n));
        if s.needs.is_empty() {
            s.needs.push(dice.pick(&categories).clone());
        }
        let (latitude, longitude) = city.place(dice);
        s.places = vec![SearchPlace { latitude, longitude, step_free: false, postal: false }];
        s.area = ServiceArea::Local;
        s.delivery = vec![DeliveryMode::InPerson];
        s.last_verified_at = checked;
        s.listed_by = None;
        let mut days: Vec<String> = schedule::WEEK
            .iter()
            .filter(|&&day| schedule::runs_on_weekday(&s.schedules, day, today))
            .map(|&day| schedule::day_code(day).to_string())
            .collect();
        if s.schedules.is_empty() {
            days.push(String::from("untimed"));
        }
        let labels: Vec<&str> = s.needs.iter().map(|n| taxonomy.label_of(n)).collect();
        listings.push(Listing {
            id: s.id.to_string(),
            name: s.name.clone(),
            organisation: s.organisation.clone(),
            text: format!("{} {}", s.description, labels.join(" ")),
            categories: s.needs.clone(),
            days,
            latitude,
            longitude,
        });
    }
    Ok((services, listings, categories))
}

/// The queries, deterministic: words; words and a category; a category;
/// each within 2 km of where people are, 30% also on Saturday.
fn city_queries(count: usize, city: &City, categories: &[String], dice: &mut Dice) -> Vec<Asked> {
    (0..count)
        .map(|n| {
            let words = (n % 3 != 2).then(|| dice.pick(WORDS).to_string());
            let category = (n % 3 != 0).then(|| dice.pick(categories).clone());
            Asked {
                words,
                category,
                saturday: dice.below(10) < 3,
                point: city.place(dice),
                radius_m: RADIUS_M,
                limit: TOP as i64,
            }
        })
        .collect()
}

/// The kinds of query, by their place in the mix.
const KINDS: [&str; 3] = ["words within 2 km", "words + category within 2 km", "category within 2 km"];

/// The same query as Doorstep's search request.
fn request_of(asked: &Asked) -> SearchRequest {
    SearchRequest {
        text: asked.words.clone().unwrap_or_default(),
        needs: asked.category.iter().cloned().collect(),
        point: Some(asked.point),
        radius_m: Some(asked.radius_m),
        open: asked.saturday.then_some(Open::On(chrono::Weekday::Sat)),
        per_page: TOP,
        ..SearchRequest::default()
    }
}

/// Times the queries in Doorstep's process, without HTTP, after a warm-up,
/// and prints how their times spread, in all and by kind.
fn in_process(state: &crate::state::AppState, asked: &[Asked], out: &mut impl Write) -> std::io::Result<()> {
    let requests: Vec<SearchRequest> = asked.iter().map(request_of).collect();
    let now = Utc::now();
    let mut times = Times::default();
    for round in 0..4 {
        for (n, request) in requests.iter().enumerate() {
            let started = Instant::now();
            state.search.search(request, &state.taxonomy, "the city", now).map_err(std::io::Error::other)?;
            if round > 0 {
                times.add(&[(n, started.elapsed().as_secs_f64() * 1_000.0, Vec::new())]);
            }
        }
    }
    let (p50, p90, p99) = times.spread();
    writeln!(out, "Doorstep in process, without HTTP: median {p50:.3} ms, p90 {p90:.3} ms, p99 {p99:.3} ms")?;
    for (kind, name) in KINDS.iter().enumerate() {
        writeln!(out, "  median, {name:<28} {:.3} ms", times.median_of(kind))?;
    }
    Ok(())
}

/// One side of the comparison, asked one query at a time on one connection.
trait Side {
    /// Asks `n`'s query; gives its answer as it came.
    fn ask(&mut self, n: usize) -> std::io::Result<Answer>;

    /// Readies the connection for a pass.
    fn ready(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An answer as it came: Doorstep's JSON, read once the timing has
/// stopped, or the peer's rows.
enum Answer {
    Json(Vec<u8>),
    Ids(Vec<String>),
}

impl Answer {
    /// The ids of its results, best first.
    fn ids(self) -> std::io::Result<Vec<String>> {
        match self {
            Answer::Ids(ids) => Ok(ids),
            Answer::Json(body) => {
                let answer: serde_json::Value =
                    serde_json::from_slice(&body).map_err(std::io::Error::other)?;
                let results = answer["results"].as_array().map(Vec::as_slice).unwrap_or_default();
                Ok(results.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect())
            }
        }
    }
}

/// A keep-alive connection to Doorstep's server.
struct Doorstep<'a> {
    addr: SocketAddr,
    urls: &'a [String],
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl<'a> Doorstep<'a> {
    fn connect(addr: SocketAddr, urls: &'a [String]) -> std::io::Result<Doorstep<'a>> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        let reader = BufReader::new(stream.try_clone()?);
        Ok(Doorstep { addr, urls, stream, reader })
    }
}

impl Side for Doorstep<'_> {
    fn ask(&mut self, n: usize) -> std::io::Result<Answer> {
        let url = &self.urls[n];
        // One write, so the request goes in one packet.
        self.stream.write_all(format!("GET {url} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes())?;
        let (status, body) = read_response_body(&mut self.reader)?;
        if status != 200 {
            return Err(std::io::Error::other(format!("{url} answered {status}")));
        }
        Ok(Answer::Json(body))
    }

    /// A new connection: the server closes one left idle for five seconds
    /// (as while the peer takes its turn), as a browser's would be.
    fn ready(&mut self) -> std::io::Result<()> {
        *self = Doorstep::connect(self.addr, self.urls)?;
        Ok(())
    }
}

/// A connection to the peer with its statements prepared.
struct PostGis<'a> {
    asked: &'a [Asked],
    peer: Peer,
}

impl Side for PostGis<'_> {
    fn ask(&mut self, n: usize) -> std::io::Result<Answer> {
        self.peer.ask(&self.asked[n]).map(Answer::Ids)
    }
}

/// One pass of one client over every query from `start` on (wrapping), each
/// timed in milliseconds from asking to the whole answer; with the results
/// of each, by query, when `read` says to read them (after the timing).
fn pass(
    side: &mut dyn Side,
    count: usize,
    start: usize,
    read: bool,
) -> std::io::Result<Vec<(usize, f64, Vec<String>)>> {
    let mut timed = Vec::with_capacity(count);
    for k in 0..count {
        let n = (start + k) % count;
        let started = Instant::now();
        let answer = side.ask(n)?;
        let ms = started.elapsed().as_secs_f64() * 1_000.0;
        timed.push((n, ms, if read { answer.ids()? } else { Vec::new() }));
    }
    Ok(timed)
}

/// How the two sides' times spread, by side.
#[derive(Default)]
struct Times {
    all: Vec<f64>,
    by_kind: [Vec<f64>; 3],
}

impl Times {
    fn add(&mut self, timed: &[(usize, f64, Vec<String>)]) {
        for (n, ms, _) in timed {
            self.all.push(*ms);
            self.by_kind[n % 3].push(*ms);
        }
    }

    fn spread(&mut self) -> (f64, f64, f64) {
        self.all.sort_by(f64::total_cmp);
        (percentile(&self.all, 0.5), percentile(&self.all, 0.9), percentile(&self.all, 0.99))
    }

    fn median_of(&mut self, kind: usize) -> f64 {
        self.by_kind[kind].sort_by(f64::total_cmp);
        percentile(&self.by_kind[kind], 0.5)
    }
}

/// The load average over the last minute, five and fifteen (Linux).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| String::from("unknown"))
}

/// The size of everything under `dir`, in bytes.
fn size_of(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => size_of(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// A folder removed when dropped, whatever went wrong.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the plan, printing as it goes.
pub fn run(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let today = Utc::now().date_naive();
    let taxonomy =
        Taxonomy::new(needs::parse(needs::BUILT_IN).map_err(|e| std::io::Error::other(e.to_string()))?);
    writeln!(
        out,
        "doorstep bench compare: {} CPU cores, load average {} when it began",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
    )?;
    let cluster = match &plan.peer {
        Some(_) => None,
        None => Some(postgis::Cluster::start()?),
    };
    let peer_url = plan.peer.clone().or_else(|| cluster.as_ref().map(|c| c.url.clone())).unwrap_or_default();
    for &size in &plan.sizes {
        writeln!(out, "\n== {size} listings")?;
        let mut dice = Dice::new(0x0C04_DA2E + size as u64);
        let city = City::new(&mut dice);
        let started = Instant::now();
        let (services, listings, categories) = city_listings(size, today, &taxonomy, &city, &mut dice)?;
        writeln!(
            out,
            "generated {} listings in {} categories in {:.1} s",
            listings.len(),
            categories.len(),
            started.elapsed().as_secs_f64()
        )?;
        let asked = city_queries(plan.queries, &city, &categories, &mut dice);

        let folder =
            Scratch(std::env::temp_dir().join(format!("doorstep-compare-{}-{size}", std::process::id())));
        let folder = &folder.0;
        let (state, build) = serve_services(&services, &taxonomy, today, folder)?;
        drop(services);
        writeln!(
            out,
            "Doorstep: index built in {build:.1} s, {:.0} MB on disk",
            size_of(&folder.join("index")) as f64 / 1e6
        )?;
        in_process(&state, &asked, out)?;
        let started = Instant::now();
        let bytes = postgis::load(&peer_url, &listings)?;
        writeln!(
            out,
            "PostGIS: loaded and indexed in {:.1} s, database {:.0} MB",
            started.elapsed().as_secs_f64(),
            bytes as f64 / 1e6
        )?;
        drop(listings);
        writeln!(out, "peak memory so far: {:.0} MB", peak_memory_mb().unwrap_or(0.0))?;

        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let server = crate::web::server::spawn_on_loopback(state, workers)?;
        let urls: Vec<String> = asked.iter().map(|a| as_url(&request_of(a))).collect();
        compare(plan, &asked, &urls, server.addr, &peer_url, out)?;
        drop(server);
        if plan.peer.is_some() {
            postgis::drop_table(&peer_url)?;
        }
    }
    drop(cluster);
    Ok(())
}

/// Warms both sides up, then alternates measured passes between them, with
/// one client and with two, and prints the figures.
fn compare(
    plan: &Plan,
    asked: &[Asked],
    urls: &[String],
    addr: SocketAddr,
    peer_url: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let count = asked.len();
    let mut doorstep = Doorstep::connect(addr, urls)?;
    let mut peer = PostGis { asked, peer: Peer::connect(peer_url)? };
    writeln!(out, "load average {} before the passes", load_average())?;
    pass(&mut doorstep, count, 0, false)?;
    pass(&mut peer, count, 0, false)?;

    let (mut ours, mut theirs) = (Times::default(), Times::default());
    let mut answers: HashMap<usize, (Vec<String>, Vec<String>)> = HashMap::new();
    for p in 0..plan.passes {
        // Each side goes first in turn.
        let sides: [&mut dyn Side; 2] = [&mut doorstep, &mut peer];
        let order = if p % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut runs: [Vec<(usize, f64, Vec<String>)>; 2] = Default::default();
        let [a, b] = sides;
        for which in order {
            let side = if which == 0 { &mut *a } else { &mut *b };
            side.ready()?;
            runs[which] = pass(side, count, 0, true)?;
        }
        ours.add(&runs[0]);
        theirs.add(&runs[1]);
        for (mine, other) in runs[0].iter().zip(&runs[1]) {
            answers.insert(mine.0, (mine.2.clone(), other.2.clone()));
        }
    }
    let (d, g) = (ours.spread(), theirs.spread());
    writeln!(out, "one client, {} passes of {count} queries on each side:", plan.passes)?;
    writeln!(out, "  {:<34} {:>9} {:>9} {:>9}", "", "median", "p90", "p99")?;
    writeln!(out, "  {:<34} {:>6.2} ms {:>6.2} ms {:>6.2} ms", "Doorstep /api/search (HTTP)", d.0, d.1, d.2)?;
    writeln!(out, "  {:<34} {:>6.2} ms {:>6.2} ms {:>6.2} ms", "PostgreSQL + PostGIS", g.0, g.1, g.2)?;
    writeln!(out, "  {:<34} {:>8.1}x {:>8.1}x {:>8.1}x", "ratio", g.0 / d.0, g.1 / d.1, g.2 / d.2)?;
    for (kind, name) in KINDS.iter().enumerate() {
        let (a, b) = (ours.median_of(kind), theirs.median_of(kind));
        writeln!(out, "  median, {name:<28} {a:.2} ms against {b:.2} ms ({:.1}x)", b / a)?;
    }

    // Two clients at once, each connected (and its statements prepared)
    // before the clock starts, their answers not read.
    let two = |which: usize| -> std::io::Result<f64> {
        let mut sides: Vec<Box<dyn Side + Send>> = Vec::new();
        for _ in 0..2 {
            sides.push(if which == 0 {
                Box::new(Doorstep::connect(addr, urls)?)
            } else {
                Box::new(PostGis { asked, peer: Peer::connect(peer_url)? })
            });
        }
        let started = Instant::now();
        let answered = std::thread::scope(|scope| {
            let clients: Vec<_> = sides
                .into_iter()
                .enumerate()
                .map(|(client, mut side)| {
                    scope.spawn(move || -> std::io::Result<usize> {
                        Ok(pass(side.as_mut(), count, client * count / 2, false)?.len())
                    })
                })
                .collect();
            clients
                .into_iter()
                .map(|c| c.join().unwrap_or_else(|_| Err(std::io::Error::other("a client failed"))))
                .sum::<std::io::Result<usize>>()
        })?;
        Ok(answered as f64 / started.elapsed().as_secs_f64())
    };
    let (mut ours_rate, mut theirs_rate) = (Vec::new(), Vec::new());
    for p in 0..plan.passes {
        for which in if p % 2 == 0 { [0, 1] } else { [1, 0] } {
            let rate = two(which)?;
            if which == 0 { ours_rate.push(rate) } else { theirs_rate.push(rate) }
        }
    }
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    let (a, b) = (mean(&ours_rate), mean(&theirs_rate));
    writeln!(out, "two clients: Doorstep {a:.0} queries/s, PostGIS {b:.0} queries/s ({:.1}x)", a / b)?;

    // Where the two answer the same question: a category within the radius.
    let mut overlap = 0.0;
    let (mut same, mut compared, mut found) = (0, 0, 0);
    for (n, (mine, other)) in &answers {
        if n % 3 != 2 {
            continue;
        }
        compared += 1;
        found += mine.len() + other.len();
        let shared = mine.iter().filter(|id| other.contains(id)).count();
        overlap += match mine.len().max(other.len()) {
            0 => 1.0,
            most => shared as f64 / most as f64,
        };
        same += usize::from(mine == other);
    }
    writeln!(
        out,
        "top {TOP} agreement on a category within 2 km ({compared} queries, {:.1} results each on average): \
         {:.1}% of results shared; {same} in the same order",
        found as f64 / (2 * compared.max(1)) as f64,
        100.0 * overlap / f64::from(compared.max(1))
    )?;
    writeln!(out, "load average {} after the passes", load_average())?;
    Ok(())
}
