//! `doorstep bench pages`: the demo served on loopback, and the results page
//! asked for one request at a time, as a citizen would, for several kinds of
//! search; then an advisor's workspace and the dashboard. Prints the time
//! from request to the last byte (server time plus a loopback hop) at p50 and
//! p95, and each page's size.

use std::io::{BufReader, Write};
use std::net::TcpStream;

use chrono::Utc;

use super::percentile;
use crate::config::Config;
use crate::demo::{self, DemoSize, seed};
use crate::jobs::index_sync;
use crate::state;

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
    index_sync::rebuild(&app.store, &app.search, &app.taxonomy, today).map_err(|e| other(e.to_string()))?;
    let postcode = demo.postcodes[demo.postcodes.len() / 2].postcode.replace(' ', "+");
    let (contact, cookie, _) = signed_in_advisor(&app, &demo).map_err(|e| other(e.to_string()))?;
    let server = crate::web::server::spawn_on_loopback(app, 1)?;
    let addr = server.addr;

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
    let mut time = |name: &str, url: &str, cookie: &str| -> std::io::Result<Vec<f64>> {
        let connection = (&mut writer, &mut reader);
        let (times, size) = super::time_gets(connection, |_| url.to_string(), cookie, (WARM_UP, requests))?;
        writeln!(
            out,
            "{name}: p50 {:.2} ms, p95 {:.2} ms; {size} bytes of HTML",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        )?;
        Ok(times)
    };
    let mut all = Vec::new();
    for (name, url) in &kinds {
        all.extend(time(name, url, "")?);
    }
    let words = "my+husband+has+dementia+and+I+can%27t+cope";
    let workspace = format!("/signpost/contacts/{contact}?postcode={postcode}&words={words}&need=debt");
    time("signposting workspace: three needs, grouped, from words", &workspace, &cookie)?;
    time("dashboard: the demo's last 13 weeks", "/dashboard", &cookie)?;
    all.sort_by(f64::total_cmp);
    let p50 = percentile(&all, 0.5);
    writeln!(out, "results page, all kinds: p50 {p50:.2} ms, p95 {:.2} ms", percentile(&all, 0.95))?;
    writeln!(out, "budget: results page p50 under 5 ms: {}", if p50 < 5.0 { "met" } else { "NOT met" })
}

/// A contact started by the demo's advisor, the cookie of a session for
/// them (made directly: nobody types a password in a benchmark), and the
/// session's token.
pub(super) fn signed_in_advisor(
    app: &crate::state::AppState,
    demo: &crate::demo::Demo,
) -> Result<(crate::domain::ids::SignpostContactId, String, String), crate::store::StoreError> {
    use crate::store::{signposting, users};
    let advisor = demo.users.iter().find(|u| u.role == crate::domain::accounts::Role::Advisor).map(|u| u.id);
    let advisor = advisor.ok_or(crate::store::StoreError::NotFound)?;
    let now = Utc::now().naive_utc();
    let token = crate::domain::accounts::random_token();
    let mut conn = app.store.conn()?;
    users::start_session(&mut conn, advisor, &token, None, now, now + chrono::Duration::hours(1))?;
    let contact = signposting::start(
        &mut conn,
        &signposting::NewSignpostContact {
            advisor,
            channel: crate::domain::signposting::Channel::Phone,
            returning: crate::domain::signposting::Returning::NotKnown,
            escalated: false,
            started_at: now,
        },
    )?;
    let cookie = crate::web::session::signed_cookie(app, crate::web::session::SESSION_COOKIE, token.clone());
    Ok((contact, format!("{}={}", cookie.name(), cookie.value()), token))
}
