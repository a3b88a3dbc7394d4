//! How many requests may be in flight against the registry: pinned (`--concurrency N`), or found by
//! itself. The adaptive limit follows the gradient idea of Netflix's concurrency-limits: it compares
//! the recent round trip with the long-run one; while they stay close (no queue building up at the
//! registry) and the limit is what holds requests back, it grows per window of `limit` answers
//! (about one round trip): it doubles at first (quadruples while small), as TCP's slow start
//! does, until recent round trips stretch a little; then it grows by about √limit, and by one once
//! the registry has pushed back (as TCP probes after a loss), pausing a few windows one short of
//! the level that was refused before trying it again. When recent round trips stretch far
//! it shrinks in proportion (at most by half). Overload (429, 503 and other 5xx, timeouts, broken
//! connections) halves it, once for the requests sent before the cut (one burst, one signal) and
//! again for a request sent after it and refused all the same. It starts at `START` and never
//! exceeds its ceiling (`CEILING`, raised once the registry is known to carry many requests per
//! connection); stretching round trips alone never take it below `FLOOR`.
//!
//! Doubling matters at a distance: growing by √limit from 8 to 256 takes about 26 round trips,
//! 6.5 s at 250 ms, most of a 10,000-tag refresh; this slow start takes 4. And where the first
//! answer already took a far round trip (`FAR`), the limit starts at `FAR_START`: each window of
//! the slow start costs one such round trip there, nearly nothing nearby, so the window saved is
//! worth more than the overshoot a small registry would meet (which halves the limit as anywhere).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Where the adaptive limit starts: moderate, so a slow registry is not flooded at once.
pub const START: usize = 8;
/// A first answer that took this long (seconds) came from far away: the limit starts at
/// `FAR_START`.
const FAR: f64 = 0.05;
/// Where the adaptive limit starts once the first answer shows the registry is far: one window of
/// the slow start less (at 250 ms, a quarter of a second and 24 requests more in the first one).
const FAR_START: f64 = 32.0;
/// Below this the slow start quadruples rather than doubles: overshooting a small limit costs the
/// registry a few dozen requests at most, and at a distance every window saved is a round trip
/// (8 to 512 in four instead of six: 0.5 s of a 10,000-tag refresh at 250 ms).
const QUADRUPLE_BELOW: f64 = 64.0;
/// The most requests the adaptive limit puts in flight against one registry until it is raised:
/// at a 250 ms round trip, 512 in flight is about 2,000 requests a second. Over HTTP/1.1 each is a
/// connection of its own, and 512 stays well inside the usual limit of 1,024 open files.
pub const CEILING: usize = 512;
/// The lowest limit stretching round trips bring it to (overload may bring it lower).
const FLOOR: usize = 4;
/// Recent round trips may take this many times the long-run one before the limit shrinks.
const TOLERANCE: f64 = 2.0;
/// Doubling stops once recent round trips take this many times the long-run one.
const SLOW_START_TOLERANCE: f64 = 1.5;
/// Calm windows the limit stays one short of where the registry last refused before probing it.
const PLATEAU: usize = 4;

/// How the limit grows at the end of a window where it held requests back.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Growth {
    /// Nothing has stretched round trips yet: double.
    Doubling,
    /// Round trips stretched a little: about √limit.
    Probing,
    /// The registry pushed back: one.
    Careful,
}

/// How one request ended, as far as the limit is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// Answered (whatever the status, but for overload), in this time.
    Answered(Duration),
    /// The registry is overloaded or the way to it is: 429, 5xx, a timeout, a broken connection;
    /// with when the request was sent.
    Overload(Instant),
}

#[derive(Debug)]
struct State {
    limit: f64,
    in_flight: usize,
    /// The most requests in flight during the current window.
    peak: usize,
    /// Answers counted in the current window.
    answers: usize,
    long_rtt: Option<f64>,
    short_rtt: Option<f64>,
    last_cut: Option<Instant>,
    growth: Growth,
    /// The registry pushed back during the current window (even where that did not cut the
    /// limit again): the window's end then grows nothing.
    overloaded: bool,
    /// Places the semaphore holds beyond the limit: permits given back are kept until it is paid.
    debt: usize,
    /// How the limit moved, for `--verbose`: when it started and where, its highest and when it
    /// got there, how often overload cut it.
    started: Instant,
    start: usize,
    highest: (usize, Duration),
    cuts: usize,
    /// The most the adaptive limit may reach.
    ceiling: usize,
    /// The limit at which the registry last pushed back, and the calm windows spent just below it.
    refused_at: Option<f64>,
    below_refused: usize,
}

/// Requests in flight, bounded by a limit that is pinned or adapts. The places are a semaphore's
/// permits (first come, first served, one wakeup per freed place): the limit grows by adding
/// permits and shrinks by keeping permits back as they are returned.
#[derive(Debug)]
pub struct Limiter {
    state: Mutex<State>,
    places: Semaphore,
    pinned: bool,
}

/// A place among the requests in flight; given back on drop.
pub struct Permit<'a> {
    limiter: &'a Limiter,
    permit: Option<SemaphorePermit<'a>>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.limiter.state();
        state.in_flight = state.in_flight.saturating_sub(1);
        if let Some(permit) = self.permit.take()
            && state.debt > 0
        {
            state.debt -= 1;
            permit.forget();
        }
    }
}

impl Limiter {
    /// At most `n` requests in flight, always.
    pub fn pinned(n: usize) -> Self {
        Self::new(n.max(1) as f64, true)
    }

    /// A limit that finds the registry's capacity by itself.
    pub fn adaptive() -> Self {
        Self::new(START as f64, false)
    }

    fn new(limit: f64, pinned: bool) -> Self {
        Self {
            places: Semaphore::new(limit as usize),
            state: Mutex::new(State {
                limit,
                in_flight: 0,
                peak: 0,
                answers: 0,
                long_rtt: None,
                short_rtt: None,
                last_cut: None,
                growth: Growth::Doubling,
                overloaded: false,
                debt: 0,
                started: Instant::now(),
                start: limit as usize,
                highest: (limit as usize, Duration::ZERO),
                cuts: 0,
                ceiling: CEILING,
                refused_at: None,
                below_refused: 0,
            }),
            pinned,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The limit now.
    pub fn limit(&self) -> usize {
        self.state().limit as usize
    }

    /// How the adaptive limit moved so far, in words (`8 to 256 in 3.1 s, 240 now, cut twice`);
    /// `None` when pinned.
    pub fn story(&self) -> Option<String> {
        if self.pinned {
            return None;
        }
        let state = self.state();
        let (highest, at) = state.highest;
        let cuts = match state.cuts {
            0 => "never cut".to_owned(),
            1 => "cut once by overload".to_owned(),
            n => format!("cut {n} times by overload"),
        };
        let far = if state.start > START { " (far)" } else { "" };
        Some(format!(
            "{}{far} to {highest} in {:.1} s, {} now, {cuts}",
            state.start,
            at.as_secs_f64(),
            state.limit as usize
        ))
    }

    /// The most requests that may be in flight: what a stream of jobs should offer.
    pub fn ceiling(&self) -> usize {
        let state = self.state();
        if self.pinned {
            state.limit as usize
        } else {
            state.ceiling
        }
    }

    /// Lets the adaptive limit grow up to `ceiling` (never lowers it): for a registry that carries
    /// many requests over few connections. A pinned limit stays where it was pinned.
    pub fn raise_ceiling(&self, ceiling: usize) {
        let mut state = self.state();
        state.ceiling = state.ceiling.max(ceiling);
    }

    /// Waits for a place among the requests in flight.
    pub async fn acquire(&self) -> Permit<'_> {
        // The semaphore is never closed, so acquiring only fails if it were: then run unbounded.
        let permit = self.places.acquire().await.ok();
        let mut state = self.state();
        state.in_flight += 1;
        state.peak = state.peak.max(state.in_flight);
        Permit {
            limiter: self,
            permit,
        }
    }

    /// Moves the semaphore's places from the `before` limit to the `after` one.
    fn resize(&self, state: &mut State, before: usize, after: usize) {
        if after > before {
            let mut grow = after - before;
            let paid = grow.min(state.debt);
            state.debt -= paid;
            grow -= paid;
            self.places.add_permits(grow);
        } else if before > after {
            let mut shrink = before - after;
            // Free places go at once; places in use are kept back as they come back.
            while shrink > 0 {
                match self.places.try_acquire() {
                    Ok(permit) => {
                        permit.forget();
                        shrink -= 1;
                    }
                    Err(_) => break,
                }
            }
            state.debt += shrink;
        }
    }

    /// Learns from one request's end. A pinned limit learns nothing.
    pub fn record(&self, outcome: Outcome) {
        if self.pinned {
            return;
        }
        let mut state = self.state();
        let before = state.limit as usize;
        match outcome {
            Outcome::Overload(sent) => {
                Self::cut(&mut state, sent, Instant::now());
                state.overloaded = true;
            }
            Outcome::Answered(rtt) => Self::learn(&mut state, rtt.as_secs_f64()),
        }
        let after = state.limit as usize;
        if after > state.highest.0 {
            state.highest = (after, state.started.elapsed());
        }
        if after != before {
            self.resize(&mut state, before, after);
            drop(state);
            tracing::debug!(limit = after, "requests in flight allowed");
        }
    }

    /// Halves the limit for overload of a request `sent` then, once per cut: refusals of requests
    /// sent before the last cut are that cut's news (a burst at one limit is one signal, as a
    /// window's losses are to TCP); a request sent after it and refused says the halved limit is
    /// still too high, and halves it again, at once rather than a window later (where the registry
    /// answers refusals at once, a window at a limit far above its own would refuse hundreds).
    fn cut(state: &mut State, sent: Instant, now: Instant) {
        if state.last_cut.is_some_and(|cut| sent <= cut) {
            return;
        }
        state.last_cut = Some(now);
        state.cuts += 1;
        state.growth = Growth::Careful;
        state.refused_at = Some(state.limit);
        state.below_refused = 0;
        state.limit = (state.limit / 2.0).max(1.0);
        state.answers = 0;
        state.peak = state.in_flight;
    }

    /// After pushback the limit grows by one a window, but one step short of where the registry
    /// refused it waits `PLATEAU` calm windows before trying that level again: a registry that caps
    /// its clients is probed now and then, not every few windows (each probe costs refusals).
    fn careful_step(state: &mut State) -> f64 {
        let Some(refused_at) = state.refused_at else {
            return 1.0;
        };
        if state.limit >= refused_at {
            // The registry took the level it refused before: on at one a window.
            state.refused_at = None;
            return 1.0;
        }
        if state.limit + 1.0 < refused_at {
            return 1.0;
        }
        state.below_refused += 1;
        if state.below_refused < PLATEAU {
            return 0.0;
        }
        state.below_refused = 0;
        1.0
    }

    fn learn(state: &mut State, rtt: f64) {
        let rtt = rtt.max(1e-4);
        if state.long_rtt.is_none() && rtt >= FAR && state.limit < FAR_START && state.cuts == 0 {
            state.limit = FAR_START.min(state.ceiling as f64);
            state.start = state.limit as usize;
        }
        // The long run spans several windows however wide they are, so a queue building up within
        // one window shows as recent round trips stretching, not as a new normal.
        let span = (4.0 * state.limit).max(600.0);
        let long = state.long_rtt.map_or(rtt, |l| l + (rtt - l) / span);
        let short = state.short_rtt.map_or(rtt, |s| s + (rtt - s) / 10.0);
        // The long-run figure never lags far behind a registry that got faster.
        state.long_rtt = Some(if long > 2.0 * short { long * 0.9 } else { long });
        state.short_rtt = Some(short);
        state.answers += 1;
        if (state.answers as f64) < state.limit {
            return;
        }
        // A window's end: grow only when the limit held requests back.
        let gradient = (TOLERANCE * long / short).clamp(0.5, 1.0);
        if state.growth == Growth::Doubling && short > SLOW_START_TOLERANCE * long {
            state.growth = Growth::Probing;
        }
        let binding = state.peak as f64 >= state.limit.floor() - 1.0;
        let calm = !std::mem::take(&mut state.overloaded);
        let growth = match (binding && calm && gradient >= 1.0, state.growth) {
            (false, _) => 0.0,
            (true, Growth::Doubling) if state.limit < QUADRUPLE_BELOW => 3.0 * state.limit,
            (true, Growth::Doubling) => state.limit,
            (true, Growth::Probing) => state.limit.sqrt(),
            (true, Growth::Careful) => Self::careful_step(state),
        };
        // Stretching round trips alone never take the limit below `FLOOR`: a request the registry
        // holds (a slow tag list) must not keep every other one waiting. Overload may.
        let floor = (FLOOR as f64).min(state.limit);
        state.limit = (state.limit * gradient + growth).clamp(floor, state.ceiling as f64);
        state.answers = 0;
        state.peak = state.in_flight;
    }
}

#[cfg(test)]
mod tests;
