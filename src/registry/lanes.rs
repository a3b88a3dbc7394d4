//! The run's HTTP connections, built once. One reqwest client is one connection pool: over
//! HTTP/1.1 it opens a connection per request in flight, but over HTTP/2 it sends every request as
//! a stream of one connection per host, and servers cap the streams a connection carries at once
//! (Go's net/http, which Distribution and GitLab's registry use: 250; nginx, in front of Harbor and
//! many others: 128). Past that cap requests queue inside the connection, however high the limit of
//! requests in flight goes — at a 250 ms round trip that is 1,000 requests a second at most.
//!
//! So when the registry answers over HTTP/2 and the limit exceeds what one connection carries,
//! requests are spread over a few lanes: pools built from the same settings (the same TLS setup,
//! certificates and identity, read from their files once), each holding its own connection. Lanes
//! beyond the first are built when first needed. hyper's pool keeps one HTTP/2 connection per host
//! and no well-kept crate spreads streams over several, hence this module.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::error::ConfigError;

/// Streams one lane is given at most: nginx's default cap, below Go's.
pub(super) const STREAMS_PER_LANE: usize = 128;
/// The most lanes.
const LANES: usize = 8;
/// How high the adaptive limit may go over HTTP/2: eight connections of 128 streams. At a 250 ms
/// round trip that is about 4,000 requests a second, what Distribution serves on loopback; a few
/// connections cost the registry nothing like the thousand HTTP/1.1 would need.
pub(super) const HTTP2_CEILING: usize = LANES * STREAMS_PER_LANE;

/// What every lane is built from: the settings of the one pool, kept in memory.
#[derive(Clone)]
pub(super) struct Template {
    pub(super) roots: Vec<reqwest::Certificate>,
    pub(super) identity: Option<reqwest::Identity>,
    pub(super) insecure: bool,
    /// Idle connections a pool keeps per host.
    pub(super) idle: usize,
}

impl Template {
    pub(super) fn build(&self) -> Result<reqwest::Client, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("regsweep/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(self.idle);
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        for cert in &self.roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.clone());
        }
        builder
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))
    }
}

/// The connection pools of a run: the first, and up to seven more for HTTP/2 at a high limit.
pub(super) struct Lanes {
    template: Template,
    first: reqwest::Client,
    /// `None` inside when building a lane failed: its requests then take the first.
    more: [OnceLock<Option<reqwest::Client>>; LANES - 1],
    next: AtomicUsize,
}

impl Lanes {
    pub(super) fn new(template: Template) -> Result<Self, ConfigError> {
        Ok(Self {
            first: template.build()?,
            template,
            more: Default::default(),
            next: AtomicUsize::new(0),
        })
    }

    /// The pool a request goes through: the first, unless the registry speaks HTTP/2 and
    /// `in_flight` requests need more than one connection's streams; then the lanes take turns.
    pub(super) fn pick(&self, http2: bool, in_flight: usize) -> &reqwest::Client {
        let wanted = if http2 {
            in_flight.div_ceil(STREAMS_PER_LANE).clamp(1, LANES)
        } else {
            1
        };
        if wanted == 1 {
            return &self.first;
        }
        match self.next.fetch_add(1, Ordering::Relaxed) % wanted {
            0 => &self.first,
            lane => self.more[lane - 1]
                .get_or_init(|| self.template.build().ok())
                .as_ref()
                .unwrap_or(&self.first),
        }
    }

    /// The first pool: for requests that need no lane of their own (a token server's).
    pub(super) fn first(&self) -> &reqwest::Client {
        &self.first
    }

    /// How many lanes have been opened so far.
    pub(super) fn opened(&self) -> usize {
        1 + self.more.iter().filter(|lane| lane.get().is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes() -> Lanes {
        Lanes::new(Template {
            roots: Vec::new(),
            identity: None,
            insecure: false,
            idle: 8,
        })
        .unwrap()
    }

    #[test]
    fn one_pool_over_http1_whatever_the_limit() {
        let lanes = lanes();
        for _ in 0..20 {
            assert!(std::ptr::eq(lanes.pick(false, 512), &lanes.first));
        }
        assert_eq!(lanes.opened(), 1);
    }

    #[test]
    fn http2_opens_a_lane_per_connections_worth_of_streams() {
        let lanes = lanes();
        for _ in 0..20 {
            lanes.pick(true, STREAMS_PER_LANE);
        }
        assert_eq!(lanes.opened(), 1, "one connection carries its streams");
        let picked: Vec<*const reqwest::Client> = (0..6)
            .map(|_| lanes.pick(true, 3 * STREAMS_PER_LANE) as *const _)
            .collect();
        assert_eq!(lanes.opened(), 3);
        assert_eq!(picked[0], picked[3], "the lanes take turns");
        assert!(picked[0] != picked[1] && picked[1] != picked[2] && picked[0] != picked[2]);
        for _ in 0..3 * LANES {
            lanes.pick(true, 10_000);
        }
        assert_eq!(lanes.opened(), LANES, "never more than {LANES}");
    }
}
