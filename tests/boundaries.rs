//! Keeps the rooms honest: diesel is named only in `store/`, actix only in
//! `web/` and `error.rs`, tantivy only in `search/`, lettre only in `mail/`,
//! reqwest only in `fetch/`,
//! the store never names the demo, and no template marks text as safe HTML.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn offenders(word: &str, allowed: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    rust_files(&src)
        .into_iter()
        .filter(|path| {
            let relative = path.strip_prefix(&src).unwrap_or(path).to_string_lossy().replace('\\', "/");
            !allowed.iter().any(|a| relative.starts_with(a))
        })
        .filter(|path| {
            fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .any(|line| line.contains(word))
        })
        .map(|path| path.display().to_string())
        .collect()
}

#[test]
fn diesel_is_named_only_in_the_store() {
    assert_eq!(offenders("diesel", &["store/"]), Vec::<String>::new());
}

#[test]
fn actix_is_named_only_in_the_web_room_and_the_error_type() {
    assert_eq!(offenders("actix", &["web/", "error.rs"]), Vec::<String>::new());
}

#[test]
fn tantivy_is_named_only_in_the_search_room() {
    assert_eq!(offenders("tantivy", &["search/"]), Vec::<String>::new());
}

#[test]
fn prometheus_is_named_only_in_the_metrics_file() {
    assert_eq!(offenders("prometheus_client", &["metrics.rs"]), Vec::<String>::new());
}

#[test]
fn lettre_is_named_only_in_the_mail_room() {
    assert_eq!(offenders("lettre", &["mail/"]), Vec::<String>::new());
}

#[test]
fn the_markdown_reader_and_the_sanitiser_are_named_only_beside_each_other() {
    assert_eq!(offenders("pulldown_cmark", &["domain/markdown.rs"]), Vec::<String>::new());
    assert_eq!(offenders("ammonia", &["domain/markdown.rs"]), Vec::<String>::new());
}

#[test]
fn calendars_and_feeds_are_named_only_where_they_are_written_and_read() {
    // Calendars are written for "add to calendar" in the domain, and read from
    // the calendars a network follows in the fetch room.
    assert_eq!(offenders("icalendar", &["domain/calendar.rs", "fetch/calendars.rs"]), Vec::<String>::new());
    assert_eq!(offenders("rrule", &["fetch/calendars.rs"]), Vec::<String>::new());
    assert_eq!(offenders("feed_rs", &["fetch/feeds.rs"]), Vec::<String>::new());
}

#[test]
fn reqwest_is_named_only_in_the_fetch_room() {
    assert_eq!(offenders("reqwest", &["fetch/"]), Vec::<String>::new());
}

/// The files of a room (a folder or file under `src/`) that name any of `words`.
fn naming(room: &str, words: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let in_room = |path: &Path| {
        let relative = path.strip_prefix(&src).unwrap_or(path).to_string_lossy().replace('\\', "/");
        relative.starts_with(room)
    };
    rust_files(&src)
        .into_iter()
        .filter(|path| in_room(path))
        .filter_map(|path| {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| format!("{l}\n"))
                .collect();
            let code = with_groups_spelled_out(&code);
            let named: Vec<&str> = words.iter().copied().filter(|word| code.contains(word)).collect();
            (!named.is_empty()).then(|| format!("{} names {}", path.display(), named.join(", ")))
        })
        .collect()
}

/// `use crate::{store, search::X}` written out as `crate::store`,
/// `crate::search::X`, so that a grouped import is caught like any other.
fn with_groups_spelled_out(code: &str) -> String {
    let mut out = String::from(code);
    let mut rest = code;
    while let Some(start) = rest.find("crate::{") {
        let inner = &rest[start + "crate::{".len()..];
        let end = inner.find('}').unwrap_or(inner.len());
        for item in inner[..end].split(',') {
            out.push_str(&format!("\ncrate::{}", item.trim()));
        }
        rest = &inner[end..];
    }
    out
}

#[test]
fn grouped_imports_are_read_item_by_item() {
    let spelled = with_groups_spelled_out("use crate::{app, store::users};");
    assert!(spelled.contains("crate::store::users") && spelled.contains("crate::app"), "{spelled}");
}

#[test]
fn the_store_never_names_the_demo() {
    // The demo is written through the store's functions, as any data is.
    assert_eq!(naming("store/", &["demo::"]), Vec::<String>::new());
}

#[test]
fn pages_take_domain_views_only() {
    let rooms_below = ["crate::store", "crate::search", "crate::app", "crate::jobs", "diesel", "actix"];
    assert_eq!(naming("pages/", &rooms_below), Vec::<String>::new());
}

#[test]
fn the_domain_names_no_room_above_it() {
    let above = [
        "crate::store",
        "crate::search",
        "crate::app",
        "crate::jobs",
        "crate::web",
        "crate::pages",
        "crate::mail",
        "diesel",
        "actix",
        "tantivy",
    ];
    assert_eq!(naming("domain/", &above), Vec::<String>::new());
}

#[test]
fn only_the_use_cases_jobs_and_commands_call_the_store_and_the_index() {
    // Besides `app`, `jobs` and `cli`: `state.rs` opens them, `error.rs`
    // turns the store's errors into the one error type, the demo is written
    // through the store, and the benchmarks build an index of their own.
    let allowed = ["app/", "jobs/", "cli/", "state.rs", "error.rs", "demo/", "bench/", "store/", "search/"];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rooms: Vec<String> = fs::read_dir(&src)
        .unwrap()
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() { format!("{name}/") } else { name }
        })
        .filter(|room| !allowed.contains(&room.as_str()))
        .collect();
    assert!(rooms.contains(&String::from("web/")) && rooms.contains(&String::from("pages/")), "{rooms:?}");
    let callers: Vec<String> =
        rooms.iter().flat_map(|room| naming(room, &["crate::store", "crate::search"])).collect();
    assert_eq!(callers, Vec::<String>::new());
}

#[test]
fn no_template_trusts_text_as_html() {
    // JSON-LD is the one exception: it escapes its JSON for a script element itself.
    assert_eq!(offenders("PreEscaped", &["pages/json_ld.rs", "pages/post_html.rs"]), Vec::<String>::new());
}

#[test]
fn state_changing_handlers_take_checked_forms() {
    // A bare form extractor would skip the CSRF check.
    assert_eq!(offenders("web::Form<", &[]), Vec::<String>::new());
    assert_eq!(offenders("web::Json<", &[]), Vec::<String>::new());
}
