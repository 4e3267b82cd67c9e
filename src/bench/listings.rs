//! `doorstep bench listings`: the pages connectors keep listings with, at
//! size. Generates the demo at N services into a new SQLite file, serves it
//! on loopback, and asks one request at a time, as a connector would: their
//! review queue (as it opens, and narrowed), an administrator's whole queue,
//! and a service's edit form with its venues, times and contacts. Prints
//! the time from request to the last byte at p50 and p95, and each page's size.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Instant;

use chrono::Utc;

use super::{percentile, read_response};
use crate::config::Config;
use crate::demo::{self, DemoSize};
use crate::domain::accounts::Role;
use crate::jobs::index_sync;

/// Requests made before timing starts, for each page.
const WARM_UP: usize = 20;

pub fn run(services: usize, requests: usize, out: &mut impl Write) -> std::io::Result<()> {
    let folder = std::env::temp_dir().join(format!("doorstep-bench-listings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let timed = time_pages(&folder, services, requests, out);
    let _ = std::fs::remove_dir_all(&folder);
    timed
}

fn time_pages(
    folder: &std::path::Path,
    services: usize,
    requests: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let mut config = Config { data_dir: Some(folder.to_path_buf()), seed_demo: false, ..Config::default() };
    config.check().map_err(|e| other(&e))?;
    let app = crate::state::open(config).map_err(|e| other(&e))?;
    let today = Utc::now().date_naive();
    let demo = demo::generate(DemoSize::with_services(services), today).map_err(|e| other(&e))?;
    let started = Instant::now();
    let mut conn = app.store.conn().map_err(|e| other(&e))?;
    demo::seed::seed_demo(&mut conn, &demo, "no sign-in", Utc::now().naive_utc()).map_err(|e| other(&e))?;
    index_sync::rebuild(&app.store, &app.search, &app.taxonomy, today).map_err(|e| other(&e))?;
    writeln!(
        out,
        "doorstep bench listings: {services} services, seeded and indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    )?;
    // Sessions made directly: nobody types a password in a benchmark.
    let now = Utc::now().naive_utc();
    let mut session = |role: Role| -> std::io::Result<String> {
        let user =
            demo.users.iter().find(|u| u.role == role).ok_or_else(|| other(&"no such demo account"))?;
        let token = crate::domain::accounts::random_token();
        crate::store::users::start_session(
            &mut conn,
            user.id,
            &token,
            None,
            now,
            now + chrono::Duration::hours(1),
        )
        .map_err(|e| other(&e))?;
        let cookie = crate::web::session::signed_cookie(&app, crate::web::session::SESSION_COOKIE, token);
        Ok(format!("{}={}", cookie.name(), cookie.value()))
    };
    let (connector, admin) = (session(Role::Connector)?, session(Role::Administrator)?);
    // A service with venues, times and contacts, for its form.
    let edited = demo
        .services
        .iter()
        .find(|s| !s.locations.is_empty() && !s.schedules.is_empty() && !s.contacts.is_empty())
        .ok_or_else(|| other(&"the demo has a service with venues, times and contacts"))?
        .id;
    drop(conn);
    let server = crate::web::server::spawn_on_loopback(app, 1)?;
    let stream = TcpStream::connect(server.addr)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writeln!(out, "one request at a time over loopback, {requests} each:")?;
    let mut worst: f64 = 0.0;
    for (name, url, cookie) in [
        ("a connector's review queue", String::from("/staff/review"), &connector),
        (
            "narrowed: a need, over a year",
            String::from("/staff/review?need=loneliness&overdue=year"),
            &connector,
        ),
        ("an administrator's whole queue", String::from("/staff/review"), &admin),
        ("a service's edit form", format!("/staff/services/{edited}/edit"), &admin),
    ] {
        let mut times = Vec::with_capacity(requests);
        let mut size = 0;
        for n in 0..WARM_UP + requests {
            let started = Instant::now();
            write!(writer, "GET {url} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\r\n")?;
            let (status, length) = read_response(&mut reader)?;
            if status != 200 {
                return Err(other(&format!("{url} answered {status}")));
            }
            if n >= WARM_UP {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            size = length;
        }
        times.sort_by(f64::total_cmp);
        let p50 = percentile(&times, 0.5);
        worst = worst.max(p50);
        writeln!(out, "{name}: p50 {p50:.2} ms, p95 {:.2} ms; {size} bytes", percentile(&times, 0.95))?;
    }
    writeln!(
        out,
        "budget: the review queue and an edit form p50 under 10 ms: {}",
        if worst < 10.0 { "met" } else { "NOT met" }
    )
}
