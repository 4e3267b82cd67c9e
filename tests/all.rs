//! Every integration test, in one binary (as crates.io's `src/tests/all.rs`):
//! the app is linked once rather than once per file, which keeps the build
//! quicker and the target folder a fraction of the size. Cargo finds no test
//! files by itself here (`autotests = false`), so a new file is added below;
//! the test at the end fails if one is forgotten.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests, a failure should stop the test loudly"
)]

mod common;

mod access;
mod approvals;
mod backups;
mod boundaries;
mod browser;
mod change_log;
mod cli;
mod confidential;
mod dashboard;
mod digests;
mod entry_points;
mod events;
mod feeds_out;
mod hardening;
mod import_feeds;
mod imports;
mod merging;
mod moderation;
mod neighbourhood_changes;
mod neighbourhoods;
mod neighbours;
mod network_search;
mod network_sources;
mod networks;
mod notices;
mod notifications;
mod openreferral;
mod operations;
mod pages;
mod places;
mod reminders;
mod review;
mod routes;
mod search;
mod search_index;
mod search_pages;
mod servers;
mod signposting;
mod signposting_mail;
mod spreadsheets;
mod staff_accounts;
mod staff_directory;
mod staff_imports;
mod staff_services;
mod suggestions;

#[test]
fn every_test_file_is_part_of_this_binary() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let root = std::fs::read_to_string(tests.join("all.rs")).unwrap();
    let mut forgotten = Vec::new();
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let is_rust = path.extension().is_some_and(|e| e == "rs");
        if is_rust && name != "all" && !root.contains(&format!("\nmod {name};\n")) {
            forgotten.push(name.to_owned());
        }
    }
    assert!(forgotten.is_empty(), "add `mod …;` to tests/all.rs for {forgotten:?}");
}
