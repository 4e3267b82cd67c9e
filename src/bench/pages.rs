//! `doorstep bench pages`: the demo served on loopback, and the results page
//! asked for one request at a time, as a citizen would, for several kinds of
//! search; prints the time from request to the last byte (server time plus a
//! loopback hop) at p50 and p95, and each page's size.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Instant;

use chrono::Utc;

use super::{percentile, read_response, wait_until_listening};
use crate::config::Config;
use crate::demo::{self, DemoSize};
use crate::jobs::index_sync;
use crate::state;
use crate::store::seed;

/// Requests made before timing starts, for each kind of search.
const WARM_UP: usize = 50;

/// Seeds the demo in a temporary folder, serves it, and times `requests`
/// requests of each kind.
pub fn run(requests: usize, out: &mut impl Write) -> std::io::Result<()> {
    let folder = std::env::temp_dir().join(format!("doorstep-bench-pages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let timed = time_pages(&folder, requests, out);
    let _ = std::fs::remove_dir_all(&folder);
    timed
}

fn time_pages(folder: &std::path::Path, requests: usize, out: &mut impl Write) -> std::io::Result<()> {
    let other = |e: String| std::io::Error::other(e);
    let mut config = Config { data_dir: Some(folder.to_path_buf()), seed_demo: false, ..Config::default() };
    config.check().map_err(|e| other(e.to_string()))?;
    let app = state::open(config).map_err(|e| other(e.to_string()))?;
    let today = Utc::now().date_naive();
    let demo = demo::generate(DemoSize::DEMO, today).map_err(|e| other(e.to_string()))?;
    let mut conn = app.store.conn().map_err(|e| other(e.to_string()))?;
    // Nobody signs in during the benchmark: the accounts need no real password.
    seed::seed_demo(&mut conn, &demo, "no sign-in", Utc::now().naive_utc())
        .map_err(|e| other(e.to_string()))?;
    drop(conn);
    index_sync::rebuild(&app.store, &app.search, today).map_err(|e| other(e.to_string()))?;
    let postcode = demo.postcodes[demo.postcodes.len() / 2].postcode.replace(' ', "+");
    let addr = crate::web::server::spawn_on_loopback(app, 1)?;
    wait_until_listening(addr)?;

    let kinds = [
        ("words near a postcode", format!("/search?q=lunch+club&postcode={postcode}")),
        ("a need near a postcode", format!("/search?need=loneliness&postcode={postcode}")),
        ("two needs, grouped", format!("/search?need=loneliness&need=debt&postcode={postcode}")),
        (
            "filters: free, on a Wednesday",
            format!("/search?q=support&postcode={postcode}&free=true&open=wed"),
        ),
        ("nothing found", String::from("/search?q=zzqqxxv")),
    ];
    writeln!(
        out,
        "doorstep bench pages: the demo's results page, one request at a time over loopback, {requests} each"
    )?;
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut all = Vec::new();
    for (name, url) in &kinds {
        let mut times = Vec::with_capacity(requests);
        let mut size = 0;
        for n in 0..WARM_UP + requests {
            let started = Instant::now();
            write!(writer, "GET {url} HTTP/1.1\r\nHost: bench\r\n\r\n")?;
            let (status, length) = read_response(&mut reader)?;
            if status != 200 {
                return Err(other(format!("{url} answered {status}")));
            }
            if n >= WARM_UP {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            size = length;
        }
        times.sort_by(f64::total_cmp);
        writeln!(
            out,
            "{name}: p50 {:.2} ms, p95 {:.2} ms; {size} bytes of HTML",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        )?;
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    let p50 = percentile(&all, 0.5);
    writeln!(out, "all kinds: p50 {p50:.2} ms, p95 {:.2} ms", percentile(&all, 0.95))?;
    writeln!(out, "budget: results page p50 under 5 ms: {}", if p50 < 5.0 { "met" } else { "NOT met" })
}
