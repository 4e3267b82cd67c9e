//! `doorstep bench feeds`: one network of the demo follows 200 sources of
//! 50 items each (RSS and Atom feeds of posts, and calendars of weekly
//! events), served by a small HTTP server on loopback in this process.
//! Prints the time to read and merge them all, the time to read them again
//! when nothing changed (each a 304), and how long the network's page takes
//! with them, one request at a time (budget p50 under 10 ms).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};

use super::percentile;
use crate::app::sources::read_due;
use crate::config::Config;
use crate::demo::{self, DemoSize, seed};
use crate::domain::ids::SourceId;
use crate::domain::sources::{NewSource, SourceKind};
use crate::jobs::{activity_sync, index_sync};
use crate::state;
use crate::store::{networks, sources, users};

/// What to make and how much to time.
pub struct Plan {
    pub sources: usize,
    pub items: usize,
    /// Requests timed for the network's page.
    pub requests: usize,
}

/// Requests made before timing starts.
const WARM_UP: usize = 50;
/// The budget of DESIGN.md section 12 and the issue.
const PAGE_BUDGET_MS: f64 = 10.0;

fn other(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}

pub fn run(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let folder = std::env::temp_dir().join(format!("doorstep-bench-feeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let timed = time_feeds(&folder, plan, out);
    let _ = std::fs::remove_dir_all(&folder);
    timed
}

/// Source `n`'s body: every fourth a calendar of weekly events, the others
/// RSS or Atom feeds of posts, `items` each.
fn body(n: usize, items: usize) -> (&'static str, String) {
    let now = Utc::now();
    match n % 4 {
        0 => {
            let events: String = (0..items)
                .map(|i| {
                    let starts = (now + Duration::hours(3 + (i as i64) * 7)).format("%Y%m%dT%H0000Z");
                    format!(
                        "BEGIN:VEVENT\r\nUID:event-{n}-{i}@bench\r\nSUMMARY:Coffee morning {n}-{i}\r\n\
                         DESCRIPTION:Tea\\, coffee and a chat for all.\r\nLOCATION:Church hall {n}\r\n\
                         DTSTART:{starts}\r\nDURATION:PT2H\r\nEND:VEVENT\r\n"
                    )
                })
                .collect();
            (
                "text/calendar",
                format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\n{events}END:VCALENDAR\r\n"),
            )
        }
        1 => {
            let entries: String = (0..items)
                .map(|i| {
                    let at = (now - Duration::hours(i as i64 * 5)).to_rfc3339();
                    format!(
                        "<entry><title>Residents' news {n}-{i}</title><id>urn:bench:{n}:{i}</id>\
                         <link href=\"https://residents{n}.example/{i}\"/><updated>{at}</updated>\
                         <content type=\"html\">&lt;p&gt;Litter pick, bus times and the park: news {i}.&lt;/p&gt;</content></entry>"
                    )
                })
                .collect();
            let feed = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
                 <title>Residents {n}</title><id>urn:bench:{n}</id><updated>{}</updated>{entries}</feed>",
                now.to_rfc3339()
            );
            ("application/atom+xml", feed)
        }
        _ => {
            let items: String = (0..items)
                .map(|i| {
                    let at = (now - Duration::hours(i as i64 * 5)).to_rfc2822();
                    format!(
                        "<item><title>Parish news {n}-{i}</title><link>https://parish{n}.example/{i}</link>\
                         <guid>parish-{n}-{i}</guid><pubDate>{at}</pubDate>\
                         <description><![CDATA[<p>Food bank, choir and <strong>soup</strong> on Friday: {i}.</p>]]></description></item>"
                    )
                })
                .collect();
            (
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Parish {n}</title>{items}</channel></rss>"
                ),
            )
        }
    }
}

/// Serves each source's body at `/sources/{n}` on a loopback port, with an
/// ETag: a request that names it is answered 304. Its address.
fn serve(bodies: Vec<(&'static str, String)>) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let bodies = Arc::new(bodies);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let bodies = bodies.clone();
            std::thread::spawn(move || answer(stream, &bodies));
        }
    });
    Ok(url)
}

fn answer(mut stream: TcpStream, bodies: &[(&'static str, String)]) {
    let Ok(reading) = stream.try_clone() else { return };
    let mut reader = BufReader::new(reading);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut asked_tag = false;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_or(true, |n| n <= 2) {
            break;
        }
        asked_tag |= line.to_ascii_lowercase().starts_with("if-none-match: \"v1\"");
    }
    let found =
        path.strip_prefix("/sources/").and_then(|n| n.parse::<usize>().ok()).and_then(|n| bodies.get(n));
    let head = match (found, asked_tag) {
        (Some(_), true) => {
            String::from("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n")
        }
        (Some((kind, body)), false) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        (None, _) => String::from("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
    let _ = stream.write_all(head.as_bytes());
}

fn time_feeds(folder: &std::path::Path, plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    let mut config = Config {
        data_dir: Some(folder.to_path_buf()),
        seed_demo: false,
        // The bench's sources are served on loopback.
        fetch_private_addresses: true,
        ..Config::default()
    };
    config.check().map_err(other)?;
    let app = state::open(config).map_err(other)?;
    let today = Utc::now().date_naive();
    let demo = demo::generate(DemoSize::DEMO, today).map_err(other)?;
    let now = Utc::now().naive_utc();
    seed::seed_demo(&mut *app.store.conn().map_err(other)?, &demo, "no sign-in", now).map_err(other)?;
    index_sync::rebuild(&app.store, &app.search, &app.taxonomy, today).map_err(other)?;
    let url = serve((0..plan.sources).map(|n| body(n, plan.items)).collect())?;
    let (slug, network, ids) = {
        let mut conn = app.store.conn().map_err(other)?;
        let network =
            networks::all(&mut conn).map_err(other)?.into_iter().find(|n| n.neighbourhood.is_some());
        let network = network.ok_or_else(|| other("the demo has no neighbourhood network"))?;
        let admin = users::find_by_email(&mut conn, "admin@kingsmere.example.org").map_err(other)?;
        let admin = admin.ok_or_else(|| other("the demo has no administrator"))?.0.id;
        let mut ids = Vec::with_capacity(plan.sources);
        for n in 0..plan.sources {
            let kind = if n % 4 == 0 { SourceKind::Calendar } else { SourceKind::Feed };
            let new = NewSource { kind, name: format!("Source {n}"), url: format!("{url}/sources/{n}") };
            let id = SourceId::new();
            sources::follow(&mut conn, (id, network.id), &new, admin, now).map_err(other)?;
            ids.push(id);
        }
        (network.slug, network.id, ids)
    };
    writeln!(
        out,
        "doorstep bench feeds: one network follows {} sources of {} items each ({} items; a quarter of them calendars), served on loopback",
        plan.sources,
        plan.items,
        plan.sources * plan.items
    )?;

    let read_all = |label: &str, out: &mut dyn Write| -> std::io::Result<()> {
        let mut each = Vec::with_capacity(plan.sources);
        let started = Instant::now();
        loop {
            let one = Instant::now();
            if !read_due(&app.store, &app.config, Utc::now().naive_utc()).map_err(other)? {
                break;
            }
            each.push(one.elapsed().as_secs_f64() * 1000.0);
        }
        let total = started.elapsed().as_secs_f64();
        each.sort_by(f64::total_cmp);
        writeln!(
            out,
            "{label}: {} sources in {total:.2} s ({:.0} items/s); each p50 {:.1} ms, p95 {:.1} ms",
            each.len(),
            (plan.sources * plan.items) as f64 / total,
            percentile(&each, 0.5),
            percentile(&each, 0.95)
        )
    };
    read_all("read and merged", out)?;
    let failing = sources::of_network(&mut *app.store.conn().map_err(other)?, network)
        .map_err(other)?
        .into_iter()
        .filter(|s| s.failing())
        .count();
    if failing > 0 {
        return Err(other(format!("{failing} sources could not be read")));
    }
    {
        let mut conn = app.store.conn().map_err(other)?;
        let now = Utc::now().naive_utc();
        for id in &ids {
            sources::read_soon(&mut conn, *id, now).map_err(other)?;
        }
    }
    read_all("read again, nothing changed (304 each)", out)?;
    let started = Instant::now();
    let indexed = activity_sync::rebuild(&app.store, &app.activity, &app.search, &app.taxonomy, Utc::now())
        .map_err(other)?;
    writeln!(
        out,
        "the network activity index rebuilt in {:.2} s ({indexed} threads and events)",
        started.elapsed().as_secs_f64()
    )?;

    let server = crate::web::server::spawn_on_loopback(app, 1)?;
    let stream = TcpStream::connect(server.addr)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut met = true;
    for (name, path) in [
        ("the network's page", format!("/networks/{slug}")),
        ("its events", format!("/networks/{slug}/events")),
    ] {
        let (times, size) =
            super::time_gets((&mut writer, &mut reader), |_| path.clone(), "", (WARM_UP, plan.requests))?;
        let p50 = percentile(&times, 0.5);
        met &= p50 < PAGE_BUDGET_MS;
        writeln!(
            out,
            "{name} with them: p50 {p50:.2} ms, p95 {:.2} ms; {size} bytes",
            percentile(&times, 0.95)
        )?;
    }
    writeln!(out, "budget: the network's pages p50 under 10 ms: {}", if met { "met" } else { "NOT met" })
}
