//! The only room that names reqwest: reading other servers' feeds. Every
//! request has a deadline for the whole answer (a feed that trickles bytes
//! is cut off), a limit on its size after decompression (a 100 MB feed or a
//! compressed bomb stops at the limit), at most five redirects, gzip, a
//! User-Agent naming Doorstep, and a few tries with a growing wait when the
//! server is down or busy. A conditional request (ETag, Last-Modified) that
//! finds nothing changed says so. No request goes to a private, loopback or
//! link-local address (named, found by a name, or redirected to) unless the
//! limits allow it: a feed's address is typed by a person, and must not be a
//! way into the machines beside the server.

pub mod calendars;
pub mod discourse;
pub mod feeds;

use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
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
    /// Whether private, loopback and link-local addresses may be read (for
    /// tests, and a feed on the same network as the server).
    pub private_addresses: bool,
}

impl Limits {
    /// These limits, allowing private addresses or not.
    pub fn private(self, allowed: bool) -> Limits {
        Limits { private_addresses: allowed, ..self }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_bytes: 50 * 1024 * 1024,
            tries: 3,
            first_wait: Duration::from_millis(500),
            private_addresses: false,
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
    #[error("{0} is on a private network, which Doorstep does not read")]
    Private(String),
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
            .redirect(redirects(limits.private_addresses))
            .dns_resolver(Arc::new(PublicOnly { private_allowed: limits.private_addresses }))
            // A proxy would look names up itself, out of the resolver's sight.
            .no_proxy()
            .gzip(true)
            .build()
            .map_err(|e| FetchError::Unreachable(String::from("the network"), e.to_string()))?;
        Ok(Fetcher { client, limits })
    }

    /// GETs `url` as JSON, trying again while the server is down or busy.
    pub fn get(&self, url: &str, held: &Held) -> Result<Fetched, FetchError> {
        self.get_accepting(url, held, "application/json")
    }

    /// GETs `url`, saying the server may answer in the types `accept` lists.
    pub fn get_accepting(&self, url: &str, held: &Held, accept: &str) -> Result<Fetched, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::BadAddress(url.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::BadAddress(url.to_string()));
        }
        if !self.limits.private_addresses && names_private(&parsed) {
            return Err(FetchError::Private(url.to_string()));
        }
        let mut wait = self.limits.first_wait;
        let mut tries = 1;
        loop {
            match self.get_once(url, held, accept) {
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

    fn get_once(&self, url: &str, held: &Held, accept: &str) -> Result<Fetched, FetchError> {
        let started = std::time::Instant::now();
        let mut request = self.client.get(url).header(reqwest::header::ACCEPT, accept);
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
        if caused_by_private_address(error) {
            FetchError::Private(url.to_string())
        } else if error.is_timeout() {
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

/// Found only private addresses for a name (or was redirected to one).
#[derive(Debug, thiserror::Error)]
#[error("{0} is on a private network")]
struct PrivateAddress(String);

fn caused_by_private_address(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<PrivateAddress>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// Looks names up as the system does, keeping only public addresses (all of
/// them when private ones are allowed). Checking the addresses a name was
/// found at, rather than the name, means a name that points inside cannot
/// slip through, nor one that changes its answer between a check and a request.
struct PublicOnly {
    private_allowed: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let private_allowed = self.private_allowed;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let looked_up = tokio::task::spawn_blocking(move || {
                let found: Vec<SocketAddr> = (host.as_str(), 0).to_socket_addrs()?.collect();
                Ok::<_, std::io::Error>((host, found))
            });
            let (host, found) = looked_up.await??;
            let usable: Vec<SocketAddr> =
                found.into_iter().filter(|a| private_allowed || is_public(a.ip())).collect();
            if usable.is_empty() {
                return Err(Box::new(PrivateAddress(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

/// At most five redirects, none to an address written as a private one.
fn redirects(private_allowed: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else if !private_allowed && names_private(attempt.url()) {
            let to = attempt.url().to_string();
            attempt.error(PrivateAddress(to))
        } else {
            attempt.follow()
        }
    })
}

/// Whether the web address `url` names a private, loopback or link-local
/// host by its address, or as `localhost` (a name that points inside is
/// found out when it is looked up).
pub fn names_private_address(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|url| names_private(&url))
}

fn names_private(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else { return true };
    match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => !is_public(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Whether `ip` is an address on the internet, not on this machine or a
/// private, shared, link-local, multicast or reserved network.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT), and reserved.
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let embedded = |high: u16, low: u16| {
                let [a, b] = high.to_be_bytes();
                let [c, d] = low.to_be_bytes();
                is_public(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)))
            };
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            match segments {
                // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) carry an IPv4 address at the end.
                [0, 0, 0, 0, 0, 0, high, low] if high != 0 => return embedded(high, low),
                [0x64, 0xff9b, 0, 0, 0, 0, high, low] => return embedded(high, low),
                // 6to4 (2002::/16) carries one after its prefix.
                [0x2002, high, low, ..] => return embedded(high, low),
                _ => {}
            }
            let first = segments[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7), link-local (fe80::/10) and site-local (fec0::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_on_the_internet_are_public() {
        for private in
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"]
        {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for private in [
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in
            ["81.2.69.160", "8.8.8.8", "2a00:1450:4009:80b::200e", "::ffff:81.2.69.160", "64:ff9b::808:808"]
        {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_private_host_is_refused_before_any_request() {
        let fetcher = Fetcher::new("http://test.example", Limits::default()).unwrap();
        for url in
            ["http://127.0.0.1:9/feed", "http://localhost:9/feed", "http://[::1]:9/", "http://10.0.0.8/"]
        {
            assert_eq!(
                fetcher.get(url, &Held::default()),
                Err(FetchError::Private(url.to_string())),
                "{url}"
            );
        }
    }
}
