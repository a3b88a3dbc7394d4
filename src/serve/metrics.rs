//! `GET /metrics` in Prometheus' text format (prometheus-client): the registry's figures from the
//! current snapshot, the last refresh's duration and age, events applied, requests by status.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::snapshot::Snapshot;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: u16,
}

pub struct Metrics {
    registry: Registry,
    repositories: Gauge,
    tags: Gauge,
    size: Gauge,
    disk_size: Gauge,
    refresh_seconds: Gauge<f64, AtomicU64>,
    refresh_age: Gauge,
    events: Counter,
    requests: Family<StatusLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("regsweep");
        let metrics = Self {
            repositories: Gauge::default(),
            tags: Gauge::default(),
            size: Gauge::default(),
            disk_size: Gauge::default(),
            refresh_seconds: Gauge::default(),
            refresh_age: Gauge::default(),
            events: Counter::default(),
            requests: Family::default(),
            registry: Registry::default(),
        };
        let m = &metrics;
        registry.register(
            "repositories",
            "Repositories holding tags",
            m.repositories.clone(),
        );
        registry.register("tags", "Tags", m.tags.clone());
        registry.register("size_bytes", "Sum of the images' sizes", m.size.clone());
        registry.register(
            "disk_size_bytes",
            "Bytes stored, each blob once",
            m.disk_size.clone(),
        );
        registry.register(
            "refresh_duration_seconds",
            "How long the last full read of the registry took",
            m.refresh_seconds.clone(),
        );
        registry.register(
            "refresh_age_seconds",
            "Seconds since the last full read of the registry",
            m.refresh_age.clone(),
        );
        registry.register(
            "events_applied",
            "Registry notifications applied",
            m.events.clone(),
        );
        registry.register(
            "http_requests",
            "Requests answered, by status",
            m.requests.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }
}

impl Metrics {
    pub fn request(&self, status: u16) {
        self.requests.get_or_create(&StatusLabel { status }).inc();
    }

    pub fn events_applied(&self, n: usize) {
        self.events.inc_by(n as u64);
    }

    pub fn refreshed(&self, seconds: f64) {
        self.refresh_seconds.set(seconds);
    }

    /// The text, with the figures of `snapshot` (none before the first read).
    pub fn render(&self, snapshot: Option<&Snapshot>) -> String {
        if let Some(s) = snapshot {
            let gauge = |g: &Gauge, v: u64| g.set(i64::try_from(v).unwrap_or(i64::MAX));
            gauge(&self.repositories, s.repositories.len() as u64);
            gauge(&self.tags, s.tags as u64);
            gauge(&self.size, s.size);
            gauge(&self.disk_size, s.disk_size);
            let age = jiff::Timestamp::now().as_second() - s.refreshed_at.as_second();
            self.refresh_age.set(age.max(0));
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}
