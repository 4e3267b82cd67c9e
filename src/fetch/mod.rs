//! The only room that names reqwest: reading other servers' feeds. Every
//! request has a deadline for the whole answer (a feed that trickles bytes
//! is cut off), a limit on its size after decompression (a 100 MB feed or a
//! compressed bomb stops at the limit), at most five redirects, gzip, a
//! User-Agent naming Doorstep, and a few tries with a growing wait when the
//! server is down or busy. A conditional request (ETag, Last-Modified) that
//! finds nothing changed says so.

use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

/// How patient and how generous a fetcher is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest a whole answer may take, body included.
    pub timeout: Duration,
    /// The most bytes an answer may hold, once decompressed.
    pub max_bytes: u64,
    /// How many times a request is tried when the server is down or busy.
    pub tries: u32,
    /// The wait before the second try; it doubles after each.
    pub first_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_bytes: 50 * 1024 * 1024,
            tries: 3,
            first_wait: Duration::from_millis(500),
        }
    }
}

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("{0} is not a web address Doorstep can read (it must start http:// or https://)")]
    BadAddress(String),
    #[error("could not reach {0}: {1}")]
    Unreachable(String, String),
    #[error("{0} took longer than {1} seconds to answer")]
    TimedOut(String, u64),
    #[error("{0} redirected more than five times")]
    Redirects(String),
    #[error("{0} answered {1}")]
    Status(String, u16),
    #[error("{0} sent more than {1} MB")]
    TooLarge(String, u64),
}

/// An answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The server said the copy asked about is still current (304).
    pub not_modified: bool,
}

/// What a conditional request says the client already has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Held {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// `typed` when it is a web address a fetcher can read: http or https, with a host.
pub fn web_address(typed: &str) -> Result<String, FetchError> {
    match reqwest::Url::parse(typed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(typed.to_string()),
        _ => Err(FetchError::BadAddress(typed.to_string())),
    }
}

/// Reads feeds.
pub struct Fetcher {
    client: Client,
    limits: Limits,
}

impl Fetcher {
    /// A fetcher that names `site` (this directory's address) in its User-Agent.
    pub fn new(site: &str, limits: Limits) -> Result<Fetcher, FetchError> {
        let client = Client::builder()
            .user_agent(format!("Doorstep/{} (community directory; {site})", env!("CARGO_PKG_VERSION")))
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .gzip(true)
            .build()
            .map_err(|e| FetchError::Unreachable(String::from("the network"), e.to_string()))?;
        Ok(Fetcher { client, limits })
    }

    /// GETs `url`, trying again while the server is down or busy.
    pub fn get(&self, url: &str, held: &Held) -> Result<Fetched, FetchError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(FetchError::BadAddress(url.to_string()));
        }
        let mut wait = self.limits.first_wait;
        let mut tries = 1;
        loop {
            match self.get_once(url, held) {
                Err(error) if tries < self.limits.tries && passing(&error) => {
                    tracing::warn!(url, %error, "a feed did not answer; trying again");
                    std::thread::sleep(wait);
                    wait *= 2;
                    tries += 1;
                }
                answer => return answer,
            }
        }
    }

    fn get_once(&self, url: &str, held: &Held) -> Result<Fetched, FetchError> {
        let started = std::time::Instant::now();
        let mut request = self.client.get(url).header(reqwest::header::ACCEPT, "application/json");
        if let Some(etag) = &held.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &held.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let response = request.send().map_err(|e| self.failure(url, &e))?;
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched { body: Vec::new(), etag, last_modified, not_modified: true });
        }
        if !status.is_success() {
            return Err(FetchError::Status(url.to_string(), status.as_u16()));
        }
        let too_large = || FetchError::TooLarge(url.to_string(), self.limits.max_bytes / (1024 * 1024));
        if response.content_length().is_some_and(|n| n > self.limits.max_bytes) {
            return Err(too_large());
        }
        // Read a piece at a time against the deadline: each read may be
        // quick while the whole body trickles in for ever.
        let mut body = Vec::new();
        let mut piece = vec![0; 64 * 1024];
        let mut reader = response.take(self.limits.max_bytes + 1);
        loop {
            if started.elapsed() > self.limits.timeout {
                return Err(FetchError::TimedOut(url.to_string(), self.limits.timeout.as_secs()));
            }
            match reader.read(&mut piece) {
                Ok(0) => break,
                Ok(n) => body.extend_from_slice(&piece[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.failure_reading(url, &e)),
            }
        }
        if body.len() as u64 > self.limits.max_bytes {
            return Err(too_large());
        }
        Ok(Fetched { body, etag, last_modified, not_modified: false })
    }

    fn failure(&self, url: &str, error: &reqwest::Error) -> FetchError {
        if error.is_timeout() {
            FetchError::TimedOut(url.to_string(), self.limits.timeout.as_secs())
        } else if error.is_redirect() {
            FetchError::Redirects(url.to_string())
        } else {
            FetchError::Unreachable(url.to_string(), error.to_string())
        }
    }

    fn failure_reading(&self, url: &str, error: &std::io::Error) -> FetchError {
        let timed_out = error.kind() == std::io::ErrorKind::TimedOut
            || error
                .get_ref()
                .and_then(|e| e.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_timeout);
        if timed_out {
            FetchError::TimedOut(url.to_string(), self.limits.timeout.as_secs())
        } else {
            FetchError::Unreachable(url.to_string(), error.to_string())
        }
    }
}

/// Whether trying again may help: the server was down, busy or slow.
fn passing(error: &FetchError) -> bool {
    match error {
        FetchError::Unreachable(..) | FetchError::TimedOut(..) => true,
        FetchError::Status(_, status) => *status == 429 || *status >= 500,
        _ => false,
    }
}
