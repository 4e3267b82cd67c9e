//! A small HTTP server on a loopback port that answers each path as a test
//! says: JSON, a redirect, an error, a body that trickles in, or gzip. For
//! the tests of reading feeds from other servers, which must meet each of
//! these as they would on the internet.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What the server says to a request.
pub enum Reply {
    /// A status and a body, as JSON.
    Json(u16, String),
    /// Any content type.
    Body(u16, &'static str, Vec<u8>),
    /// A 302 to another path.
    Redirect(String),
    /// A JSON body sent a few bytes at a time, with `Duration` between them.
    Trickle(String, Duration),
    /// Bytes already gzipped, sent with `Content-Encoding: gzip`.
    Gzipped(Vec<u8>),
    /// JSON with an ETag (the first string): 304 when the request names it in `If-None-Match`.
    Tagged(String, String),
}

/// The server: it stops when dropped (its thread ends with the test binary).
pub struct FeedServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
    not_modified: Arc<AtomicUsize>,
}

impl FeedServer {
    /// Starts a server answering each request's path (with its query) by `answer`.
    pub fn start(answer: impl Fn(&str) -> Reply + Send + Sync + 'static) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let requests = Arc::new(AtomicUsize::new(0));
        let not_modified = Arc::new(AtomicUsize::new(0));
        let (counted, unchanged) = (requests.clone(), not_modified.clone());
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let (answer, unchanged) = (answer.clone(), unchanged.clone());
                std::thread::spawn(move || serve(stream, answer.as_ref(), &unchanged));
            }
        });
        FeedServer { url, requests, not_modified }
    }

    /// How many requests it answered 304 Not Modified.
    pub fn not_modified(&self) -> usize {
        self.not_modified.load(Ordering::SeqCst)
    }

    /// How many connections it has had.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(mut stream: TcpStream, answer: &dyn Fn(&str) -> Reply, not_modified: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().expect("a stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The headers, to the blank line.
    let mut line = String::new();
    let mut if_none_match = None;
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_string());
        }
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let head = |status: u16, kind: &str, length: usize, extra: &str| {
        format!(
            "HTTP/1.1 {status} Answer\r\nContent-Type: {kind}\r\nContent-Length: {length}\r\nConnection: close\r\n{extra}\r\n"
        )
    };
    let _ = match answer(&path) {
        Reply::Json(status, body) => stream
            .write_all(head(status, "application/json", body.len(), "").as_bytes())
            .and_then(|()| stream.write_all(body.as_bytes())),
        Reply::Body(status, kind, body) => stream
            .write_all(head(status, kind, body.len(), "").as_bytes())
            .and_then(|()| stream.write_all(&body)),
        Reply::Redirect(to) => {
            stream.write_all(head(302, "text/plain", 0, &format!("Location: {to}\r\n")).as_bytes())
        }
        Reply::Tagged(etag, _) if if_none_match.as_deref() == Some(etag.as_str()) => {
            not_modified.fetch_add(1, Ordering::SeqCst);
            stream.write_all(head(304, "application/json", 0, &format!("ETag: {etag}\r\n")).as_bytes())
        }
        Reply::Tagged(etag, body) => stream
            .write_all(head(200, "application/json", body.len(), &format!("ETag: {etag}\r\n")).as_bytes())
            .and_then(|()| stream.write_all(body.as_bytes())),
        Reply::Gzipped(bytes) => stream
            .write_all(head(200, "application/json", bytes.len(), "Content-Encoding: gzip\r\n").as_bytes())
            .and_then(|()| stream.write_all(&bytes)),
        Reply::Trickle(body, pause) => {
            let sent = stream.write_all(head(200, "application/json", body.len(), "").as_bytes());
            for chunk in body.as_bytes().chunks(4) {
                std::thread::sleep(pause);
                if stream.write_all(chunk).and_then(|()| stream.flush()).is_err() {
                    break;
                }
            }
            sent
        }
    };
}
