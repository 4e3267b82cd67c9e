//! `doorstep backup` while the server takes a stream of writes, and
//! `doorstep restore` of that copy into an empty data folder: the copy is
//! whole, holds every write acknowledged before it began, and serves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::server::{Client, Served, an_organisation, club, pairs};
use crate::common::{PASSWORD, TestData, doorstep, text};

const ADMIN: &str = "admin@kingsmere.example.org";

#[test]
fn a_backup_taken_during_a_stream_of_writes_restores_whole() {
    let data = TestData::with_demo();
    if data.database_url().is_some() {
        // PostgreSQL is copied with its own tools: the commands say how.
        let said = doorstep(&data, &["backup", "--out", "/tmp/never-written.dump"], "");
        assert!(!said.status.success(), "no copy was made, so it does not say it was");
        assert!(text(&said).contains("pg_dump --format=custom"), "{}", text(&said));
        assert!(text(&said).contains("installed here") || text(&said).contains("not on the PATH"));
        let said = doorstep(&data, &["restore", "/tmp/never-written.dump"], "");
        assert!(!said.status.success() && text(&said).contains("pg_restore"), "{}", text(&said));
        return;
    }
    let served = Served::start(&data, data.path(), &[]);
    let organisation = an_organisation(&data);
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop, url) = (Arc::clone(&acknowledged), Arc::clone(&stop), served.url.clone());
        std::thread::spawn(move || {
            let mut editor = Client::new(&url);
            editor.sign_in(ADMIN, PASSWORD);
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let name = format!("Stream Club {n}");
                let answer = editor.submit(
                    "/staff/services/new",
                    "/staff/services",
                    &pairs(&club(&organisation, &name)),
                );
                assert_eq!(answer.status, 303, "{}", answer.body);
                acknowledged.lock().unwrap().push((answer.location, name));
            }
        })
    };
    // However slow the machine, writes are going on when the copy begins.
    let writes_going_on = |count: usize| {
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while acknowledged.lock().unwrap().len() < count && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    writes_going_on(3);
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("copy.sqlite");
    let before = acknowledged.lock().unwrap().clone();
    let made = doorstep(&data, &["backup", "--out", copy.to_str().unwrap()], "");
    let after = acknowledged.lock().unwrap().len();
    writes_going_on(after + 2);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(made.status.success(), "{}", text(&made));
    assert!(before.len() >= 3, "writes were going on: {}", before.len());
    let again = doorstep(&data, &["backup", "--out", copy.to_str().unwrap()], "");
    assert!(!again.status.success() && text(&again).contains("already exists"), "never overwritten");

    // Into an empty folder, and only there.
    let restored = TestData::new();
    let put = doorstep(&restored, &["restore", copy.to_str().unwrap()], "");
    assert!(put.status.success(), "{}", text(&put));
    let twice = doorstep(&restored, &["restore", copy.to_str().unwrap()], "");
    assert!(!twice.status.success() && text(&twice).contains("empty data folder"), "{}", text(&twice));
    let not_a_copy = copies.path().join("notes.txt");
    std::fs::write(&not_a_copy, "not a database").unwrap();
    let elsewhere = TestData::new();
    let refused = doorstep(&elsewhere, &["restore", not_a_copy.to_str().unwrap()], "");
    assert!(
        !refused.status.success() && text(&refused).contains("not a SQLite database"),
        "{}",
        text(&refused)
    );

    // It serves, with everything acknowledged before the copy began.
    drop(served);
    let served = Served::start(&restored, restored.path(), &[]);
    let mut reader = Client::new(&served.url);
    for (path, name) in &before {
        let page = reader.get(path);
        assert_eq!(page.status, 200, "{name} is in the copy");
        let query = form_urlencoded::Serializer::new(String::new()).append_pair("q", name).finish();
        assert!(reader.get(&format!("/api/search?{query}")).body.contains(name.as_str()), "{name} is found");
    }
    let in_copy =
        acknowledged.lock().unwrap().iter().filter(|(path, _)| reader.get(path).status == 200).count();
    assert!(
        in_copy >= before.len() && in_copy <= after + 1,
        "{} before, {in_copy} in the copy, {after} after",
        before.len()
    );
    eprintln!(
        "{} writes acknowledged before the backup began, {in_copy} in the copy, {after} by its end",
        before.len()
    );
}
