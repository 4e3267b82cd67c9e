//! What `GET /metrics` reports, in Prometheus's text format: requests by
//! route and status with their latency, search time, background job runs and
//! failures, and, read as it is asked for, how far the index lags the
//! store's change log, how many emails wait in the outbox and how busy the
//! database pool is. The only file that names `prometheus_client`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route's pattern, like `/services/{id}`, so that ids do not make
    /// a series each; `unmatched` for paths no route answers.
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
}

/// Figures read from the store and the pool when `/metrics` is asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Readings {
    /// Changes in the log the index has not yet taken in.
    pub index_lag_changes: i64,
    /// How long ago the oldest of them was made (0 when there are none).
    pub index_lag_seconds: f64,
    /// Emails in the outbox not yet delivered or given up.
    pub outbox_waiting: i64,
    /// Connections the pool holds open, and how many of those are idle.
    pub pool_open: u32,
    pub pool_idle: u32,
    /// The most connections the pool may open.
    pub pool_size: u32,
}

/// The counters and histograms, shared by every worker and job.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    search: Histogram,
    job_runs: Family<JobLabels, Counter>,
    job_failures: Family<JobLabels, Counter>,
    index_lag_changes: Gauge,
    index_lag_seconds: Gauge<f64, AtomicU64>,
    outbox_waiting: Gauge,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_size: Gauge,
}

/// Half a millisecond to about sixteen seconds, doubling.
fn seconds_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("doorstep");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(seconds_buckets as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route",
            latency.clone(),
        );
        let search = seconds_buckets();
        registry.register(
            "search_duration_seconds",
            "Time the index takes to answer a search",
            search.clone(),
        );
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register("job_runs", "Steps taken by each background job", job_runs.clone());
        let job_failures = Family::<JobLabels, Counter>::default();
        registry.register("job_failures", "Steps of each background job that failed", job_failures.clone());
        let index_lag_changes = Gauge::default();
        registry.register(
            "index_lag_changes",
            "Changes in the store's log that this server's index has not taken in",
            index_lag_changes.clone(),
        );
        let index_lag_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "index_lag_seconds",
            "How long ago the oldest change not yet indexed was made",
            index_lag_seconds.clone(),
        );
        let outbox_waiting = Gauge::default();
        registry.register("outbox_waiting", "Emails not yet delivered or given up", outbox_waiting.clone());
        let pool_open = Gauge::default();
        registry.register("database_connections_open", "Connections the pool holds open", pool_open.clone());
        let pool_idle = Gauge::default();
        registry.register("database_connections_idle", "Open connections not in use", pool_idle.clone());
        let pool_size = Gauge::default();
        registry.register(
            "database_connections_max",
            "The most connections the pool may open",
            pool_size.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            search,
            job_runs,
            job_failures,
            index_lag_changes,
            index_lag_seconds,
            outbox_waiting,
            pool_open,
            pool_idle,
            pool_size,
        }
    }
}

impl Metrics {
    /// Counts an answered request and how long it took.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let (route, method) = (route.to_string(), method.to_string());
        self.requests.get_or_create(&RequestLabels { route: route.clone(), method, status }).inc();
        self.latency.get_or_create(&RouteLabels { route }).observe(seconds);
    }

    /// Counts a search the index answered, and how long it took.
    pub fn search(&self, seconds: f64) {
        self.search.observe(seconds);
    }

    /// Counts a step of the background job `job`, and whether it failed.
    pub fn job_step(&self, job: &str, failed: bool) {
        let labels = JobLabels { job: job.to_string() };
        self.job_runs.get_or_create(&labels).inc();
        if failed {
            self.job_failures.get_or_create(&labels).inc();
        }
    }

    /// Everything, as Prometheus reads it, with `readings` as of now.
    pub fn render(&self, readings: Readings) -> String {
        self.index_lag_changes.set(readings.index_lag_changes);
        self.index_lag_seconds.set(readings.index_lag_seconds);
        self.outbox_waiting.set(readings.outbox_waiting);
        self.pool_open.set(i64::from(readings.pool_open));
        self.pool_idle.set(i64::from(readings.pool_idle));
        self.pool_size.set(i64::from(readings.pool_size));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_their_latency() {
        let metrics = Metrics::default();
        metrics.request("/services/{id}", "GET", 200, 0.002);
        metrics.request("/services/{id}", "GET", 200, 0.003);
        metrics.request("/services/{id}", "GET", 404, 0.001);
        metrics.job_step("outbox", true);
        let text = metrics.render(Readings { outbox_waiting: 3, pool_size: 8, ..Readings::default() });
        assert!(
            text.contains(
                r#"doorstep_http_requests_total{route="/services/{id}",method="GET",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"doorstep_http_request_duration_seconds_count{route="/services/{id}"} 3"#),
            "{text}"
        );
        assert!(text.contains(r#"doorstep_job_failures_total{job="outbox"} 1"#), "{text}");
        assert!(text.contains("doorstep_outbox_waiting 3"), "{text}");
        assert!(text.contains("doorstep_database_connections_max 8"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
