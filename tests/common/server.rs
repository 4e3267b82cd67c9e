//! `doorstep serve` as a real process on a loopback port, for the tests of
//! what only a whole process shows: several servers over one database, a
//! SIGTERM's drain, a SIGKILL's crash. With a client that keeps cookies and
//! reads the CSRF token from forms, as a browser would.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use doorstep::store::{Store, organisations};

use super::TestData;

/// A server process. It is killed when dropped, if it is still running.
pub struct Served {
    pub child: Child,
    pub url: String,
    /// Where it logs (its standard error).
    pub log: std::path::PathBuf,
}

impl Served {
    /// Starts `doorstep serve` over `data`'s database, keeping its index and
    /// mail in `folder` (several servers share a database, each with its own
    /// index), and waits until `/readyz` says it is ready.
    pub fn start(data: &TestData, folder: &Path, env: &[(&str, &str)]) -> Served {
        let port = TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("an address").port();
        let mut command = data.command_in(folder);
        command
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DOORSTEP_SEED_DEMO", "false")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(folder.join("server.log")).expect("a log file"));
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("doorstep serve starts");
        let served =
            Served { child, url: format!("http://127.0.0.1:{port}"), log: folder.join("server.log") };
        let started = Instant::now();
        loop {
            let ready = Client::new(&served.url).get("/readyz");
            if ready.status == 200 {
                return served;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not become ready: {} {}\n{}",
                ready.status,
                ready.body,
                served.logged()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What it has logged so far.
    pub fn logged(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends the process a signal, by name (TERM, KILL), through the shell.
    pub fn signal(&self, name: &str) {
        let sent = std::process::Command::new("sh")
            .args(["-c", &format!("kill -{name} {}", self.child.id())])
            .status()
            .expect("sh runs");
        assert!(sent.success(), "kill -{name} worked");
    }

    /// Waits up to `limit` for the process to end.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("the process can be asked") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer, read in full.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

/// A client that keeps cookies, as a browser does.
pub struct Client {
    base: String,
    http: reqwest::blocking::Client,
    cookies: BTreeMap<String, String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client");
        Client { base: base.to_string(), http, cookies: BTreeMap::new() }
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request)
    }

    /// Posts `fields` to `action` with the CSRF token of the form on `page`
    /// (status 0 when the server does not answer).
    pub fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let form = self.get(page);
        if form.status == 0 {
            return form;
        }
        let token = csrf_token(&form.body);
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
        let request = self
            .http
            .post(format!("{}{action}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request)
    }

    pub fn sign_in(&mut self, email: &str, password: &str) {
        let answer = self.submit("/sign-in", "/sign-in", &[("email", email), ("password", password)]);
        assert_eq!(answer.status, 303, "signed in as {email}: {}", answer.body);
    }

    /// The cookies to send, as one header.
    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }

    fn send(&mut self, request: reqwest::blocking::RequestBuilder) -> Answer {
        let request =
            if self.cookies.is_empty() { request } else { request.header("Cookie", self.cookie_header()) };
        let Ok(response) = request.send() else {
            return Answer { status: 0, location: String::new(), body: String::new() };
        };
        for cookie in response.headers().get_all("set-cookie") {
            let pair = cookie.to_str().unwrap_or_default().split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status().as_u16();
        let location =
            response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        Answer { status, location, body: response.text().unwrap_or_default() }
    }
}

/// The CSRF token in a page's form.
pub fn csrf_token(page: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).map(|i| i + marker.len()).expect("the page has a form with a CSRF token");
    page[start..].split('"').next().unwrap_or_default().to_string()
}

/// The first organisation's id, read from the database.
pub fn an_organisation(data: &TestData) -> String {
    let store = open_store(data);
    let choices = organisations::choices(&mut store.conn().unwrap()).unwrap();
    choices[0].0.to_string()
}

pub fn open_store(data: &TestData) -> Store {
    match data.database_url() {
        Some(url) => Store::open(&url).unwrap(),
        None => Store::open(&data.path().join("doorstep.sqlite").to_string_lossy()).unwrap(),
    }
}

/// A new service's form, named `name`.
pub fn club(organisation: &str, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("organisation", organisation.to_string()),
        ("name", name.to_string()),
        ("description", "A hot meal and good company.".into()),
        ("status", "active".into()),
        ("needs", "loneliness".into()),
        ("referral_route", "drop_in".into()),
        ("cost", "free".into()),
        ("delivery", "in_person".into()),
        ("area", "borough".into()),
        ("reason", "Told us in person".into()),
    ]
}

pub fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
