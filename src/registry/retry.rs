//! When a failed request is sent again, and after how long.
//!
//! Reads (GET, HEAD) are idempotent: a 5xx, a broken connection or a timeout is retried, at most
//! `MAX_RETRIES` times per request, with exponential backoff and jitter so that many requests failing
//! together do not come back together. A run also has a retry budget, `BUDGET_BASE` plus a tenth of
//! its requests, so a registry that fails everything is not hammered for minutes. Writes (DELETE, PUT)
//! are never sent again blindly: a lost answer may hide a request that was carried out, so the caller
//! checks first (removal HEADs the manifest; restore reads the tag). Only a 429, which says the request
//! was not carried out, is retried for every method, after the pause the registry asks for, and up
//! to `MAX_REFUSED_RETRIES` times: a registry pacing its clients refuses in bursts while the
//! adaptive limit finds its level, and one request refused four times in such a burst is no reason
//! to fail a refresh. The run's budget bounds them all the same.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Retries of one request.
pub const MAX_RETRIES: u32 = 3;
/// Retries of one request the registry refused with 429 (waiting up to 16 s in all, or longer if
/// the registry asks for it).
pub const MAX_REFUSED_RETRIES: u32 = 6;
/// Retries a run may spend whatever its size.
const BUDGET_BASE: u64 = 50;
/// The first backoff; it doubles with each retry, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The retry budget of one run, shared by every request of its client.
#[derive(Debug, Default)]
pub struct RetryBudget {
    requests: AtomicU64,
    retries: AtomicU64,
}

impl RetryBudget {
    /// Counts a request sent.
    pub fn sent(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes one retry from the budget; false when it is spent.
    pub fn take(&self) -> bool {
        let allowed = BUDGET_BASE + self.requests.load(Ordering::Relaxed) / 10;
        self.retries
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (used < allowed).then_some(used + 1)
            })
            .is_ok()
    }
}

/// How long to wait before retry number `retry` (1-based): a random time between half and all of
/// `FIRST_BACKOFF * 2^(retry-1)` (capped), and never less than what the registry asked for.
pub fn backoff(retry: u32, asked: Option<Duration>) -> Duration {
    let ceiling = FIRST_BACKOFF
        .saturating_mul(1 << retry.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let half = ceiling / 2;
    let jitter = half.mul_f64(random_fraction());
    (half + jitter).max(asked.unwrap_or_default().min(MAX_RETRY_AFTER))
}

/// A number in [0, 1) that differs between calls; good enough to spread retries, not for secrets.
fn random_fraction() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_honours_retry_after() {
        for retry in 1..=3 {
            let ceiling = FIRST_BACKOFF * (1 << (retry - 1));
            for _ in 0..50 {
                let wait = backoff(retry, None);
                assert!(wait >= ceiling / 2 && wait <= ceiling, "{wait:?}");
            }
        }
        assert!(backoff(30, None) <= MAX_BACKOFF);
        assert_eq!(
            backoff(1, Some(Duration::from_secs(5))),
            Duration::from_secs(5)
        );
        assert_eq!(backoff(1, Some(Duration::from_secs(3600))), MAX_RETRY_AFTER);
    }

    #[test]
    fn the_budget_grows_with_the_requests_and_runs_out() {
        let budget = RetryBudget::default();
        let taken = (0..1000).filter(|_| budget.take()).count();
        assert_eq!(taken as u64, BUDGET_BASE);
        for _ in 0..100 {
            budget.sent();
        }
        assert!(budget.take(), "100 requests buy 10 more retries");
    }
}
