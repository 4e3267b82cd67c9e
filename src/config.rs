//! The configuration: one optional TOML file, then `DOORSTEP_*` environment
//! variables, then command-line flags, each overriding the one before. Read
//! once at start, checked, and held in the app state; nothing reads it from a
//! global.
//!
//! Every field, its variable and its default:
//!
//! | field | environment | default |
//! |---|---|---|
//! | `addr` | `DOORSTEP_ADDR` | `127.0.0.1:8080` |
//! | `data_dir` | `DOORSTEP_DATA_DIR` | none: the database and mail in `data/`, the index in `index/` |
//! | `database_url` | `DOORSTEP_DATABASE_URL` | none: the SQLite file `doorstep.sqlite` in the data folder; or `postgres://user:password@host/database` |
//! | `database_pool_size` | `DOORSTEP_DATABASE_POOL_SIZE` | `8`: connections each server keeps to the database |
//! | `database_wait_seconds` | `DOORSTEP_DATABASE_WAIT_SECONDS` | `5`: how long a request waits for a connection before the answer is 503 with `Retry-After` |
//! | `public_url` | `DOORSTEP_PUBLIC_URL` | `http://` + `addr` |
//! | `secret_key` | `DOORSTEP_SECRET_KEY` | read from, or made in, `secret.key` beside the database |
//! | `seed_demo` | `DOORSTEP_SEED_DEMO` | `true`: `serve` seeds the demo into an empty database |
//! | `session_hours` | `DOORSTEP_SESSION_HOURS` | `12` |
//! | `review_after_days` | `DOORSTEP_REVIEW_AFTER_DAYS` | `182` |
//! | `sign_in_failures_before_delay` | `DOORSTEP_SIGN_IN_FAILURES_BEFORE_DELAY` | `3`: then each attempt at that account from that address waits 1 s, 2 s, 4 s … up to 15 minutes |
//! | `sign_in_failures_per_account` | `DOORSTEP_SIGN_IN_FAILURES_PER_ACCOUNT` | `5`: the account's owner is emailed |
//! | `sign_in_failures_per_address` | `DOORSTEP_SIGN_IN_FAILURES_PER_ADDRESS` | `20`: then attempts from that address wait, a minute at most |
//! | `sign_in_window_minutes` | `DOORSTEP_SIGN_IN_WINDOW_MINUTES` | `15`: failures are forgotten after this long without another |
//! | `trusted_proxies` | `DOORSTEP_TRUSTED_PROXIES` | none: addresses or ranges (`10.0.0.0/8`) of proxies whose `X-Forwarded-For` is believed |
//! | `metrics_from` | `DOORSTEP_METRICS_FROM` | `127.0.0.0/8, ::1`: addresses or ranges that may read `/metrics` (anyone else gets 404) |
//! | `request_timeout_seconds` | `DOORSTEP_REQUEST_TIMEOUT_SECONDS` | `30`: how long a request's body may take to arrive before the answer is 408 |
//! | `connections_per_address` | `DOORSTEP_CONNECTIONS_PER_ADDRESS` | `128`: open connections from one address (a trusted proxy excepted) |
//! | `request_body_kb` | `DOORSTEP_REQUEST_BODY_KB` | `256`: the largest request body; larger is 413 |
//! | `upload_mb` | `DOORSTEP_UPLOAD_MB` | `50`: the largest file sent to the imports page; larger is 413 |
//! | `form_fields` | `DOORSTEP_FORM_FIELDS` | `400`: the most fields a form may send; more is 400 |
//! | `query_string_bytes` | `DOORSTEP_QUERY_STRING_BYTES` | `16384`: the longest query string; longer is 414 |
//! | `handler_timeout_seconds` | `DOORSTEP_HANDLER_TIMEOUT_SECONDS` | `30`: how long a request may take once it has arrived before the answer is 503 |
//! | `log_format` | `DOORSTEP_LOG_FORMAT` | `text`: one line per request; `json` for one JSON object per line |
//! | `mail_url` | `DOORSTEP_MAIL_URL` | none: each email is written as an `.eml` file to the mail folder |
//! | `mail_from` | `DOORSTEP_MAIL_FROM` | `Doorstep <doorstep@localhost>` |
//! | `mail_retry_seconds` | `DOORSTEP_MAIL_RETRY_SECONDS` | `60`: the first wait before an email is tried again, doubling up to an hour |
//! | `follow_up_days` | `DOORSTEP_FOLLOW_UP_DAYS` | `14` |
//! | `safeguarding_team` | `DOORSTEP_SAFEGUARDING_TEAM` | `the council's adult safeguarding team` |
//! | `safeguarding_phone` | `DOORSTEP_SAFEGUARDING_PHONE` | none: the workspace asks an administrator to set it |
//! | `urgent_emergency` | `DOORSTEP_URGENT_EMERGENCY` | `999`: the urgent-help box's number for danger now |
//! | `urgent_listening` | `DOORSTEP_URGENT_LISTENING` | `116 123`: its number to talk to someone day or night (Samaritans) |
//! | `urgent_mental_health` | `DOORSTEP_URGENT_MENTAL_HEALTH` | `111, option 2`: its number for urgent mental health help (NHS) |
//! | `fetch_private_addresses` | `DOORSTEP_FETCH_PRIVATE_ADDRESSES` | `false`: whether feeds, calendars and imports may be read from private, loopback and link-local addresses (a source on the server's own network; the tests) |
//! | `feed_timeout_seconds` | `DOORSTEP_FEED_TIMEOUT_SECONDS` | `20`: how long a network's feed, calendar or forum may take to answer, body and all |
//! | `area_name` | `DOORSTEP_AREA_NAME` | none: as the seeded area says (`Trafford`, the demo's borough), or "the area"; the area the directory covers |
//! | `region` | `DOORSTEP_REGION` | none: as the seeded area says (`Greater Manchester`), or `England`; the county or region its addresses are in (Open Referral's `state_province`) |
//!
//! `mail_url` is an SMTP address: `smtp://user:password@host:587?tls=required`
//! (STARTTLS), `smtps://user:password@host:465` (TLS from the start), or
//! `smtp://host:25` (no TLS, for a relay on the same machine).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod address_range;
pub use address_range::AddressRange;

/// Where the running server keeps its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub database: PathBuf,
    pub index: PathBuf,
    pub mail: PathBuf,
    pub secret_key: PathBuf,
}

/// How each request is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// A line of text.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// The whole configuration, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The address and port `serve` listens on.
    pub addr: SocketAddr,
    /// The folder that holds the database, the index and the mail folder, so
    /// that several instances can run side by side.
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL database (`postgres://…`) shared by several servers, or
    /// `None` for the SQLite file in the data folder.
    pub database_url: Option<String>,
    /// Connections each server keeps to the database.
    pub database_pool_size: u32,
    /// How long a request waits for a free connection before it is told
    /// the database is busy (503, with `Retry-After`).
    pub database_wait_seconds: u32,
    /// The address people reach the site at, used in links sent by email.
    pub public_url: String,
    /// At least 64 bytes, as hex, used to sign cookies. Keep it secret and the
    /// same across restarts, or everyone is signed out.
    pub secret_key: Option<String>,
    /// Whether `serve` seeds the built-in demo into an empty database.
    pub seed_demo: bool,
    /// How long a staff sign-in lasts.
    pub session_hours: u32,
    /// How long a listing may go unchecked before it is due for review.
    pub review_after_days: u32,
    /// Failed sign-ins at one account from one address before each further
    /// attempt from there must wait, longer each time.
    pub sign_in_failures_before_delay: u32,
    /// Failed sign-ins at one account, from anywhere, after which its owner is emailed.
    pub sign_in_failures_per_account: u32,
    /// Failed sign-ins from one address, at any account, before its attempts wait.
    pub sign_in_failures_per_address: u32,
    /// How long failed sign-ins are remembered after the last one.
    pub sign_in_window_minutes: u32,
    /// Proxies in front of the server: only from these is `X-Forwarded-For` believed.
    pub trusted_proxies: Vec<AddressRange>,
    /// Who may read `/metrics`: these addresses and ranges.
    pub metrics_from: Vec<AddressRange>,
    /// How long a request's body may take to arrive before the answer is 408.
    pub request_timeout_seconds: u32,
    /// How many connections one address may hold open at once.
    pub connections_per_address: u32,
    /// The largest request body, in KiB.
    pub request_body_kb: u32,
    /// The largest file sent to the imports page, in MiB.
    pub upload_mb: u32,
    /// The most fields one form may send.
    pub form_fields: u32,
    /// The longest query string, in bytes.
    pub query_string_bytes: u32,
    /// How long a request may be handled before the answer is 503.
    pub handler_timeout_seconds: u32,
    /// How requests are logged: a line of text each, or a JSON object each.
    pub log_format: LogFormat,
    /// The SMTP server email goes through; `None` writes `.eml` files instead.
    pub mail_url: Option<String>,
    /// Who email comes from.
    pub mail_from: String,
    /// The first wait before an email the mail server did not take is tried again.
    pub mail_retry_seconds: u32,
    /// How long after a contact the follow-up email goes, where agreed.
    pub follow_up_days: u32,
    /// The statutory route for adults at risk, as the workspace names it.
    pub safeguarding_team: String,
    /// Its phone number.
    pub safeguarding_phone: Option<String>,
    /// The numbers the urgent-help box gives when the words typed say
    /// someone may be in danger now.
    pub urgent: UrgentHelp,
    /// Whether feeds, calendars and imports may be read from private,
    /// loopback and link-local addresses. Off, an address typed by a person
    /// cannot reach the machines beside the server.
    pub fetch_private_addresses: bool,
    /// How long a network's source may take to answer, body and all.
    pub feed_timeout_seconds: u32,
    /// The area the directory covers, like "Trafford".
    pub area_name: Option<String>,
    /// The county or region its addresses are in, like "Greater Manchester".
    pub region: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: None,
            database_url: None,
            database_pool_size: 8,
            database_wait_seconds: 5,
            public_url: String::new(),
            secret_key: None,
            seed_demo: true,
            session_hours: 12,
            review_after_days: 182,
            sign_in_failures_before_delay: 3,
            sign_in_failures_per_account: 5,
            sign_in_failures_per_address: 20,
            sign_in_window_minutes: 15,
            trusted_proxies: Vec::new(),
            metrics_from: vec![AddressRange::loopback_v4(), AddressRange::loopback_v6()],
            request_timeout_seconds: 30,
            connections_per_address: 128,
            request_body_kb: 256,
            upload_mb: 50,
            form_fields: 400,
            query_string_bytes: 16_384,
            handler_timeout_seconds: 30,
            log_format: LogFormat::Text,
            mail_url: None,
            mail_from: String::from("Doorstep <doorstep@localhost>"),
            mail_retry_seconds: 60,
            follow_up_days: 14,
            safeguarding_team: String::from("the council's adult safeguarding team"),
            safeguarding_phone: None,
            urgent: UrgentHelp::default(),
            fetch_private_addresses: false,
            feed_timeout_seconds: 20,
            area_name: None,
            region: None,
        }
    }
}

/// The urgent-help box's numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrgentHelp {
    /// For danger now: 999.
    pub emergency: String,
    /// To talk to someone, day or night: Samaritans, 116 123.
    pub listening: String,
    /// For urgent mental health help: NHS 111, option 2.
    pub mental_health: String,
}

impl Default for UrgentHelp {
    fn default() -> Self {
        UrgentHelp {
            emergency: String::from("999"),
            listening: String::from("116 123"),
            mental_health: String::from("111, option 2"),
        }
    }
}

/// The file's shape: every field optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_pool_size: Option<u32>,
    database_wait_seconds: Option<u32>,
    public_url: Option<String>,
    secret_key: Option<String>,
    seed_demo: Option<bool>,
    session_hours: Option<u32>,
    review_after_days: Option<u32>,
    sign_in_failures_before_delay: Option<u32>,
    sign_in_failures_per_account: Option<u32>,
    sign_in_failures_per_address: Option<u32>,
    sign_in_window_minutes: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    metrics_from: Option<Vec<String>>,
    request_timeout_seconds: Option<u32>,
    connections_per_address: Option<u32>,
    request_body_kb: Option<u32>,
    upload_mb: Option<u32>,
    form_fields: Option<u32>,
    query_string_bytes: Option<u32>,
    handler_timeout_seconds: Option<u32>,
    log_format: Option<String>,
    mail_url: Option<String>,
    mail_from: Option<String>,
    mail_retry_seconds: Option<u32>,
    follow_up_days: Option<u32>,
    safeguarding_team: Option<String>,
    safeguarding_phone: Option<String>,
    urgent_emergency: Option<String>,
    urgent_listening: Option<String>,
    urgent_mental_health: Option<String>,
    fetch_private_addresses: Option<bool>,
    feed_timeout_seconds: Option<u32>,
    area_name: Option<String>,
    region: Option<String>,
}

/// A configuration that cannot be used, with what to do about it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

/// What the area is called when it has no name of its own.
pub const UNNAMED_AREA: &str = "the area";

impl Config {
    /// The area's name: as configured, else the demo borough's (`demo`,
    /// when the database holds the demo), else `UNNAMED_AREA`.
    pub fn area_name_or<'a>(&'a self, demo: Option<&'a str>) -> &'a str {
        self.area_name.as_deref().or(demo).unwrap_or(UNNAMED_AREA)
    }

    /// Reads the file (if given), then the environment, and checks the result.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut from_file = read_file(file)?;
        let mut config = Config::default();
        config.read_server(&mut from_file, &env)?;
        config.read_limits(&from_file, &env)?;
        config.trusted_proxies =
            ranges(&env, "DOORSTEP_TRUSTED_PROXIES", from_file.trusted_proxies.take())?.unwrap_or_default();
        if let Some(allowed) = ranges(&env, "DOORSTEP_METRICS_FROM", from_file.metrics_from.take())? {
            config.metrics_from = allowed;
        }
        config.read_mail(&mut from_file, &env)?;
        if let Some(team) = pick(&env, "DOORSTEP_SAFEGUARDING_TEAM", from_file.safeguarding_team) {
            config.safeguarding_team = team;
        }
        config.safeguarding_phone = pick(&env, "DOORSTEP_SAFEGUARDING_PHONE", from_file.safeguarding_phone)
            .filter(|p| !p.trim().is_empty());
        let number = |value: Option<String>| value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(n) = number(pick(&env, "DOORSTEP_URGENT_EMERGENCY", from_file.urgent_emergency)) {
            config.urgent.emergency = n;
        }
        if let Some(n) = number(pick(&env, "DOORSTEP_URGENT_LISTENING", from_file.urgent_listening)) {
            config.urgent.listening = n;
        }
        if let Some(n) = number(pick(&env, "DOORSTEP_URGENT_MENTAL_HEALTH", from_file.urgent_mental_health)) {
            config.urgent.mental_health = n;
        }
        if let Some(flag) = env("DOORSTEP_FETCH_PRIVATE_ADDRESSES") {
            config.fetch_private_addresses = parse_bool("DOORSTEP_FETCH_PRIVATE_ADDRESSES", &flag)?;
        } else if let Some(flag) = from_file.fetch_private_addresses {
            config.fetch_private_addresses = flag;
        }
        if let Some(seconds) =
            pick(&env, "DOORSTEP_FEED_TIMEOUT_SECONDS", from_file.feed_timeout_seconds.map(|s| s.to_string()))
        {
            config.feed_timeout_seconds =
                seconds.trim().parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    ConfigError(format!(
                        "DOORSTEP_FEED_TIMEOUT_SECONDS must be a number of seconds, not '{seconds}'"
                    ))
                })?;
        }
        config.area_name = pick(&env, "DOORSTEP_AREA_NAME", from_file.area_name)
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty());
        config.region = pick(&env, "DOORSTEP_REGION", from_file.region)
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        config.check()?;
        Ok(config)
    }

    /// Where the server listens and keeps its files, the address people
    /// reach it at, its secret key and whether it seeds the demo.
    fn read_server(
        &mut self,
        file: &mut ConfigFile,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(addr) = pick(env, "DOORSTEP_ADDR", file.addr.take()) {
            self.addr = parse_addr(&addr)?;
        }
        self.data_dir = env("DOORSTEP_DATA_DIR").map(PathBuf::from).or(file.data_dir.take());
        self.database_url =
            pick(env, "DOORSTEP_DATABASE_URL", file.database_url.take()).filter(|u| !u.trim().is_empty());
        self.public_url = pick(env, "DOORSTEP_PUBLIC_URL", file.public_url.take()).unwrap_or_default();
        self.secret_key = pick(env, "DOORSTEP_SECRET_KEY", file.secret_key.take());
        if let Some(flag) = env("DOORSTEP_SEED_DEMO") {
            self.seed_demo = parse_bool("DOORSTEP_SEED_DEMO", &flag)?;
        } else if let Some(flag) = file.seed_demo {
            self.seed_demo = flag;
        }
        Ok(())
    }

    /// The lengths of sessions and reviews, and the limits on sign-ins,
    /// requests and connections.
    fn read_limits(
        &mut self,
        file: &ConfigFile,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        self.session_hours = number(env, "DOORSTEP_SESSION_HOURS", file.session_hours, self.session_hours)?;
        self.review_after_days =
            number(env, "DOORSTEP_REVIEW_AFTER_DAYS", file.review_after_days, self.review_after_days)?;
        self.sign_in_failures_before_delay = number(
            env,
            "DOORSTEP_SIGN_IN_FAILURES_BEFORE_DELAY",
            file.sign_in_failures_before_delay,
            self.sign_in_failures_before_delay,
        )?;
        self.sign_in_failures_per_account = number(
            env,
            "DOORSTEP_SIGN_IN_FAILURES_PER_ACCOUNT",
            file.sign_in_failures_per_account,
            self.sign_in_failures_per_account,
        )?;
        self.sign_in_failures_per_address = number(
            env,
            "DOORSTEP_SIGN_IN_FAILURES_PER_ADDRESS",
            file.sign_in_failures_per_address,
            self.sign_in_failures_per_address,
        )?;
        self.sign_in_window_minutes = number(
            env,
            "DOORSTEP_SIGN_IN_WINDOW_MINUTES",
            file.sign_in_window_minutes,
            self.sign_in_window_minutes,
        )?;
        self.request_timeout_seconds = number(
            env,
            "DOORSTEP_REQUEST_TIMEOUT_SECONDS",
            file.request_timeout_seconds,
            self.request_timeout_seconds,
        )?;
        self.connections_per_address = number(
            env,
            "DOORSTEP_CONNECTIONS_PER_ADDRESS",
            file.connections_per_address,
            self.connections_per_address,
        )?;
        self.read_request_limits(file, env)
    }

    /// The database pool, the limits on each request, and how requests are logged.
    fn read_request_limits(
        &mut self,
        file: &ConfigFile,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let limits = [
            ("DOORSTEP_DATABASE_POOL_SIZE", file.database_pool_size, &mut self.database_pool_size),
            ("DOORSTEP_DATABASE_WAIT_SECONDS", file.database_wait_seconds, &mut self.database_wait_seconds),
            ("DOORSTEP_REQUEST_BODY_KB", file.request_body_kb, &mut self.request_body_kb),
            ("DOORSTEP_UPLOAD_MB", file.upload_mb, &mut self.upload_mb),
            ("DOORSTEP_FORM_FIELDS", file.form_fields, &mut self.form_fields),
            ("DOORSTEP_QUERY_STRING_BYTES", file.query_string_bytes, &mut self.query_string_bytes),
            (
                "DOORSTEP_HANDLER_TIMEOUT_SECONDS",
                file.handler_timeout_seconds,
                &mut self.handler_timeout_seconds,
            ),
        ];
        for (name, from_file, value) in limits {
            *value = number(env, name, from_file, *value)?;
        }
        if let Some(format) = pick(env, "DOORSTEP_LOG_FORMAT", file.log_format.clone()) {
            self.log_format = match format.trim() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => return Err(ConfigError(format!("log_format must be text or json, not '{other}'"))),
            };
        }
        Ok(())
    }

    /// How email is retried and when follow-ups go, the mail server and
    /// who email comes from.
    fn read_mail(
        &mut self,
        file: &mut ConfigFile,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        self.mail_retry_seconds =
            number(env, "DOORSTEP_MAIL_RETRY_SECONDS", file.mail_retry_seconds, self.mail_retry_seconds)?;
        self.follow_up_days =
            number(env, "DOORSTEP_FOLLOW_UP_DAYS", file.follow_up_days, self.follow_up_days)?;
        self.mail_url = pick(env, "DOORSTEP_MAIL_URL", file.mail_url.take()).filter(|u| !u.trim().is_empty());
        if let Some(from) = pick(env, "DOORSTEP_MAIL_FROM", file.mail_from.take()) {
            self.mail_from = from;
        }
        Ok(())
    }

    /// Checks the values make sense together, and fills in `public_url`.
    pub fn check(&mut self) -> Result<(), ConfigError> {
        if self.public_url.is_empty() {
            self.public_url = format!("http://{}", self.addr);
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError(format!(
                "public_url must start with http:// or https://, not '{}'",
                self.public_url
            )));
        }
        self.public_url = self.public_url.trim_end_matches('/').to_string();
        if let Some(key) = &self.secret_key {
            secret_key_bytes(key)?;
        }
        let positive = [
            ("session_hours", self.session_hours),
            ("review_after_days", self.review_after_days),
            ("sign_in_failures_before_delay", self.sign_in_failures_before_delay),
            ("sign_in_failures_per_account", self.sign_in_failures_per_account),
            ("sign_in_failures_per_address", self.sign_in_failures_per_address),
            ("sign_in_window_minutes", self.sign_in_window_minutes),
            ("mail_retry_seconds", self.mail_retry_seconds),
            ("request_timeout_seconds", self.request_timeout_seconds),
            ("connections_per_address", self.connections_per_address),
            ("database_pool_size", self.database_pool_size),
            ("database_wait_seconds", self.database_wait_seconds),
            ("request_body_kb", self.request_body_kb),
            ("upload_mb", self.upload_mb),
            ("form_fields", self.form_fields),
            ("query_string_bytes", self.query_string_bytes),
            ("handler_timeout_seconds", self.handler_timeout_seconds),
            ("follow_up_days", self.follow_up_days),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(ConfigError(format!("{name} must be at least 1")));
            }
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(ConfigError(String::from(
                "database_url must be a PostgreSQL address starting postgres://, like \
                 postgres://doorstep:password@localhost/doorstep; leave it unset for the SQLite file \
                 in the data folder",
            )));
        }
        if let Some(url) = &self.mail_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError(format!(
                "mail_url must be an SMTP address starting smtp:// or smtps://, not '{url}'"
            )));
        }
        if !self.mail_from.contains('@') {
            return Err(ConfigError(format!(
                "mail_from must be an email address, like Doorstep <doorstep@example.org>, not '{}'",
                self.mail_from
            )));
        }
        Ok(())
    }

    /// Where the database, index, mail and secret key live.
    pub fn paths(&self) -> Paths {
        match &self.data_dir {
            Some(dir) => Paths {
                database: dir.join("doorstep.sqlite"),
                index: dir.join("index"),
                mail: dir.join("mail"),
                secret_key: dir.join("secret.key"),
            },
            None => Paths {
                database: PathBuf::from("data/doorstep.sqlite"),
                index: PathBuf::from("index"),
                mail: PathBuf::from("data/mail"),
                secret_key: PathBuf::from("data/secret.key"),
            },
        }
    }

    /// The database: `database_url` when set, else the SQLite file in the
    /// data folder.
    pub fn database(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self.paths().database.to_string_lossy().into_owned(),
        }
    }

    /// Whether people reach the site over HTTPS: cookies are then Secure,
    /// and browsers are told never to use plain HTTP (HSTS).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Whether `address` is one of the proxies in front of the server.
    pub fn is_trusted_proxy(&self, address: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|range| range.contains(address))
    }

    /// Whether `address` may read `/metrics`.
    pub fn may_read_metrics(&self, address: IpAddr) -> bool {
        self.metrics_from.iter().any(|range| range.contains(address))
    }
}

/// The file's fields, or none when there is no file.
fn read_file(file: Option<&Path>) -> Result<ConfigFile, ConfigError> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
            toml::from_str::<ConfigFile>(&text)
                .map_err(|e| ConfigError(format!("{} is not valid: {e}", path.display())))
        }
        None => Ok(ConfigFile::default()),
    }
}

/// A list of addresses and ranges from the environment (comma separated),
/// else from the file; `None` when neither gives one.
fn ranges(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    file_value: Option<Vec<String>>,
) -> Result<Option<Vec<AddressRange>>, ConfigError> {
    let list = match env(name) {
        Some(list) => list.split(',').map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect(),
        None => match file_value {
            Some(list) => list,
            None => return Ok(None),
        },
    };
    list.iter().map(|p| p.parse()).collect::<Result<_, _>>().map(Some)
}

/// The environment's value for `name`, else the file's.
fn pick(env: &impl Fn(&str) -> Option<String>, name: &str, file_value: Option<String>) -> Option<String> {
    env(name).or(file_value)
}

/// A whole number from the environment, else from the file, else `default`.
fn number(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    file_value: Option<u32>,
    default: u32,
) -> Result<u32, ConfigError> {
    match env(name) {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name} must be a whole number, not '{text}'"))),
        None => Ok(file_value.unwrap_or(default)),
    }
}

fn parse_addr(text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| {
        ConfigError(format!("the address '{text}' is not an IP address and port, like 127.0.0.1:8080"))
    })
}

fn parse_bool(name: &str, text: &str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError(format!("{name} must be true or false, not '{text}'"))),
    }
}

/// Reads a secret key written as hex; it must hold at least 64 bytes.
pub fn secret_key_bytes(hex: &str) -> Result<Vec<u8>, ConfigError> {
    let hex = hex.trim();
    let bad =
        || ConfigError(String::from("secret_key must be at least 128 hexadecimal characters (64 bytes)"));
    if hex.len() < 128 || !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()).ok_or_else(bad))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_serve_the_demo_locally() {
        let config = Config::load(None, env(&[])).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert!(config.seed_demo);
        assert_eq!(config.paths().database, PathBuf::from("data/doorstep.sqlite"));
        assert_eq!(config.paths().index, PathBuf::from("index"));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doorstep.toml");
        std::fs::write(&file, "addr = \"0.0.0.0:9000\"\nsession_hours = 8\nseed_demo = false\n").unwrap();
        let config = Config::load(
            Some(&file),
            env(&[("DOORSTEP_SESSION_HOURS", "4"), ("DOORSTEP_DATA_DIR", "/srv/a")]),
        )
        .unwrap();
        assert_eq!(config.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(config.session_hours, 4);
        assert!(!config.seed_demo);
        assert_eq!(config.paths().database, PathBuf::from("/srv/a/doorstep.sqlite"));
        assert_eq!(config.paths().index, PathBuf::from("/srv/a/index"));
    }

    #[test]
    fn bad_values_are_explained() {
        let message = |vars: &[(&str, &str)]| Config::load(None, env(vars)).unwrap_err().0;
        assert!(message(&[("DOORSTEP_ADDR", "localhost")]).contains("127.0.0.1:8080"));
        assert!(message(&[("DOORSTEP_SESSION_HOURS", "twelve")]).contains("whole number"));
        assert!(message(&[("DOORSTEP_SESSION_HOURS", "0")]).contains("at least 1"));
        assert!(message(&[("DOORSTEP_SECRET_KEY", "abc")]).contains("128"));
        assert!(message(&[("DOORSTEP_PUBLIC_URL", "ftp://x")]).contains("http"));
        assert!(message(&[("DOORSTEP_SEED_DEMO", "maybe")]).contains("true or false"));
        assert!(message(&[("DOORSTEP_MAIL_URL", "mail.example.org")]).contains("smtp://"));
        assert!(message(&[("DOORSTEP_MAIL_FROM", "nobody")]).contains("email address"));
        assert!(message(&[("DOORSTEP_FOLLOW_UP_DAYS", "0")]).contains("at least 1"));
        assert!(message(&[("DOORSTEP_TRUSTED_PROXIES", "10.0.0.0/33")]).contains("10.0.0.0/8"));
        assert!(message(&[("DOORSTEP_TRUSTED_PROXIES", "proxy.internal")]).contains("not an address"));
        assert!(message(&[("DOORSTEP_REQUEST_TIMEOUT_SECONDS", "0")]).contains("at least 1"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doorstep.toml");
        std::fs::write(&file, "colour = \"blue\"\n").unwrap();
        assert!(Config::load(Some(&file), env(&[])).unwrap_err().0.contains("colour"));
    }

    #[test]
    fn trusted_proxies_are_addresses_and_ranges() {
        let config =
            Config::load(None, env(&[("DOORSTEP_TRUSTED_PROXIES", "192.0.2.10, 10.0.0.0/8,fd00::/8")]))
                .unwrap();
        let trusted = |a: &str| config.is_trusted_proxy(a.parse().unwrap());
        assert!(trusted("192.0.2.10"));
        assert!(!trusted("192.0.2.11"));
        assert!(trusted("10.200.3.4"));
        assert!(trusted("::ffff:10.1.1.1"), "IPv4 written as IPv6");
        assert!(!trusted("11.0.0.1"));
        assert!(trusted("fd12::1"));
        assert!(!trusted("fe80::1"));
        assert!(Config::load(None, env(&[])).unwrap().trusted_proxies.is_empty());
    }
}
