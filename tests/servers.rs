//! Whole `doorstep serve` processes: two servers over one PostgreSQL
//! database (an edit through one is found through the other; an email goes
//! once), a SIGTERM that lets the request in hand finish, and a SIGKILL in
//! the middle of a stream of writes that loses none of those acknowledged.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::server::{Client, Served, an_organisation, club, csrf_token, open_store, pairs};
use crate::common::smtp::SmtpServer;
use crate::common::{PASSWORD, TestData, postgres_or_skip};
use doorstep::store::outbox;

const ADMIN: &str = "admin@kingsmere.example.org";

/// Whether a search for `words` through `client` finds a service named `name`.
fn found(client: &mut Client, words: &str, name: &str) -> bool {
    let query = form_urlencoded::Serializer::new(String::new()).append_pair("q", words).finish();
    let answer = client.get(&format!("/api/search?{query}"));
    answer.status == 200 && answer.body.contains(&format!("\"name\":\"{name}\""))
}

/// Searches through `client` until `done` holds, for at most ten seconds;
/// returns how long it took.
fn until(client: &mut Client, done: impl Fn(&mut Client) -> bool) -> Duration {
    let started = Instant::now();
    while !done(client) {
        assert!(started.elapsed() < Duration::from_secs(10), "not seen within ten seconds");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

#[test]
fn an_edit_through_one_server_is_found_through_the_other_within_a_second() {
    let Some(_) = postgres_or_skip("two servers over one database") else { return };
    let data = TestData::with_demo();
    let second_folder = tempfile::tempdir().unwrap();
    let first = Served::start(&data, data.path(), &[]);
    let second = Served::start(&data, second_folder.path(), &[]);
    let organisation = an_organisation(&data);

    let mut editor = Client::new(&first.url);
    editor.sign_in(ADMIN, PASSWORD);
    let made = editor.submit(
        "/staff/services/new",
        "/staff/services",
        &pairs(&club(&organisation, "Yak Shaving Society")),
    );
    assert_eq!(made.status, 303, "{}", made.body);
    let mut reader = Client::new(&second.url);
    let took = until(&mut reader, |c| found(c, "yak shaving", "Yak Shaving Society"));
    eprintln!("a new service was found through the other server after {took:?}");
    assert!(took <= Duration::from_secs(1), "found through the other server after {took:?}");

    let edited = editor.submit(
        &format!("{}/edit", made.location.replace("/services/", "/staff/services/")),
        &made.location.replace("/services/", "/staff/services/"),
        &pairs(&club(&organisation, "Llama Grooming Circle")),
    );
    assert_eq!(edited.status, 303, "{}", edited.body);
    let took = until(&mut reader, |c| {
        found(c, "llama grooming", "Llama Grooming Circle") && !found(c, "yak shaving", "Yak Shaving Society")
    });
    eprintln!("an edit was found through the other server after {took:?}");
    assert!(took <= Duration::from_secs(1), "the edit was found through the other server after {took:?}");
}

#[test]
fn with_two_servers_running_every_email_goes_once() {
    let Some(_) = postgres_or_skip("two servers sending one outbox") else { return };
    let data = TestData::with_demo();
    let second_folder = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start();
    let mail = [("DOORSTEP_MAIL_URL", smtp.url()), ("DOORSTEP_MAIL_RETRY_SECONDS", String::from("1"))];
    let env: Vec<(&str, &str)> = mail.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _first = Served::start(&data, data.path(), &env);
    let _second = Served::start(&data, second_folder.path(), &env);

    // Many messages at once, and follow-ups already due, while both run.
    let store = open_store(&data);
    let mut conn = store.conn().unwrap();
    let now = chrono::Utc::now().naive_utc();
    let advisor = doorstep::store::users::find_by_email(&mut conn, "advisor@kingsmere.example.org")
        .unwrap()
        .unwrap()
        .0
        .id;
    doorstep::store::transaction(&mut conn, |conn| {
        for n in 0..60 {
            let to = format!("citizen{n}@example.org");
            outbox::queue(conn, &format!("key-{n}"), None, "shortlist", &to, b"Subject: a\r\n\r\nb", now)?;
        }
        for n in 0..20 {
            let contact = doorstep::store::signposting::start(
                conn,
                &doorstep::store::signposting::NewSignpostContact {
                    advisor,
                    channel: doorstep::domain::signposting::Channel::Phone,
                    returning: doorstep::domain::signposting::Returning::NotKnown,
                    escalated: false,
                    started_at: now,
                },
            )?;
            let to = format!("followed{n}@example.org");
            let due = now - chrono::Duration::days(1);
            doorstep::store::signposting::queue_shortlist(
                conn,
                &format!("shortlist-{n}"),
                contact,
                &to,
                b"Subject: a\r\n\r\nb",
                Some(due),
                now,
            )?;
        }
        Ok(())
    })
    .unwrap();
    drop(conn);

    // 60 messages, and for each of 20 contacts a shortlist and a follow-up.
    let received = smtp.wait_for(100, Duration::from_secs(60));
    assert_eq!(received.len(), 100, "every email arrived");
    std::thread::sleep(Duration::from_secs(3));
    let received = smtp.received();
    let follow_up = |r: &crate::common::smtp::Received| r.data.contains("Did you get the help you needed?");
    let mut sent: Vec<(String, bool)> = received.iter().map(|r| (r.to.join(","), follow_up(r))).collect();
    sent.sort();
    let all = sent.len();
    sent.dedup();
    assert_eq!((all, sent.len()), (100, 100), "no email was sent twice");
    assert_eq!(sent.iter().filter(|(_, follow_up)| *follow_up).count(), 20, "one follow-up each");
    // Each follow-up's link answers: the token it carries is the one kept.
    let mut conn = store.conn().unwrap();
    for message in received.iter().filter(|r| follow_up(r)) {
        let text = message.data.replace("=\r\n", "").replace("=3D", "=");
        let start = text.find("/follow-up/").expect("a link");
        let token: String = text[start + "/follow-up/".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let answer = doorstep::store::signposting::follow_up_answer(&mut conn, &token).unwrap();
        assert_eq!(answer, Some(None), "the link in the follow-up to {:?} works", message.to);
    }
}

/// Sends a form through a raw connection in two halves, calling `between`
/// after the first; returns the answer's status line.
fn post_in_two_halves(url: &str, path: &str, cookies: &str, body: &str, between: impl FnOnce()) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookies}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (first, second) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    between();
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(second.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn sigterm_lets_the_request_in_hand_finish_then_stops_with_the_index_committed() {
    let data = TestData::with_demo();
    let mut served = Served::start(&data, data.path(), &[("DOORSTEP_LOG_FORMAT", "json")]);
    let organisation = an_organisation(&data);
    let mut editor = Client::new(&served.url);
    editor.sign_in(ADMIN, PASSWORD);
    let made = editor.submit(
        "/staff/services/new",
        "/staff/services",
        &pairs(&club(&organisation, "Quiet Knitters")),
    );
    assert_eq!(made.status, 303, "{}", made.body);
    let staff_path = made.location.replace("/services/", "/staff/services/");
    let token = csrf_token(&editor.get(&format!("{staff_path}/edit")).body);
    let mut fields = vec![("csrf_token", token)];
    fields.extend(club(&organisation, "Loud Knitters"));
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();

    // SIGTERM arrives while the form is half sent.
    let status = post_in_two_halves(&served.url, &staff_path, &editor.cookie_header(), &body, || {
        served.signal("TERM");
    });
    assert_eq!(status, "HTTP/1.1 303 See Other", "the request in hand was answered");
    let exit = served.wait_for_exit(Duration::from_secs(30)).expect("the server stopped");
    assert!(exit.success(), "stopped cleanly: {exit:?}\n{}", served.logged());
    assert!(TcpStream::connect(served.url.trim_start_matches("http://")).is_err(), "no longer listening");

    // Its log: one JSON line per request, with its id, and the clean stop.
    let log = served.logged();
    let answered: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["message"] == "answered")
        .collect();
    assert!(answered.iter().any(|l| l["route"] == "/staff/services/{id}" && l["status"] == 303), "{log}");
    assert!(answered.iter().all(|l| l["request_id"].as_str().is_some_and(|id| id.len() == 32)), "{log}");
    assert!(log.contains("stopped: every request answered"), "{log}");

    // The index was committed with the change: a server started again finds
    // it at once, before any background step has run.
    let again = Served::start(&data, data.path(), &[]);
    let mut reader = Client::new(&again.url);
    assert!(found(&mut reader, "loud knitters", "Loud Knitters"));
    assert!(!found(&mut reader, "quiet knitters", "Quiet Knitters"));
}

#[test]
fn sigkill_in_a_stream_of_writes_loses_none_that_were_acknowledged() {
    let data = TestData::with_demo();
    let served = Served::start(&data, data.path(), &[]);
    let organisation = an_organisation(&data);
    let mut editor = Client::new(&served.url);
    editor.sign_in(ADMIN, PASSWORD);
    let pid = served.child.id();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let _ = std::process::Command::new("sh").args(["-c", &format!("kill -KILL {pid}")]).status();
    });
    let mut acknowledged = Vec::new();
    for n in 0.. {
        let name = format!("Crash Test Club {n}");
        let answer =
            editor.submit("/staff/services/new", "/staff/services", &pairs(&club(&organisation, &name)));
        if answer.status != 303 {
            break;
        }
        acknowledged.push((answer.location, name));
    }
    killer.join().unwrap();
    drop(served);
    assert!(acknowledged.len() >= 3, "some writes were acknowledged before the kill: {}", acknowledged.len());

    let again = Served::start(&data, data.path(), &[]);
    let mut reader = Client::new(&again.url);
    for (path, name) in &acknowledged {
        let page = reader.get(path);
        assert_eq!(page.status, 200, "{name} is in the database");
        assert!(page.body.contains(name.as_str()));
        assert!(found(&mut reader, name, name), "{name} is found by search");
    }
    eprintln!("{} writes acknowledged before the kill, all kept", acknowledged.len());
}
