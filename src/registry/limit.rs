//! How many requests may be in flight against the registry: pinned (`--concurrency N`), or found by
//! itself. The adaptive limit follows the gradient idea of Netflix's concurrency-limits: it compares
//! the recent round trip with the long-run one; while they stay close (no queue building up at the
//! registry) and the limit is what holds requests back, it grows per window of `limit` answers
//! (about one round trip): it doubles at first (quadruples while small), as TCP's slow start
//! does, until recent round trips stretch a little; then it grows by about √limit, and by one once
//! the registry has pushed back (as TCP probes after a loss), pausing a few windows one short of
//! the level that was refused before trying it again. When recent round trips stretch far
//! it shrinks in proportion (at most by half). Overload (429, 503 and other 5xx, timeouts, broken
//! connections) halves it, at most once per window. It starts at `START` and never exceeds its
//! ceiling (`CEILING`, raised once the registry is known to carry many requests per connection);
//! stretching round trips alone never take it below `FLOOR`.
//!
//! Doubling matters at a distance: growing by √limit from 8 to 256 takes about 26 round trips,
//! 6.5 s at 250 ms, most of a 10,000-tag refresh; this slow start takes 4.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Where the adaptive limit starts: moderate, so a slow registry is not flooded at once.
pub const START: usize = 8;
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
    /// The registry is overloaded or the way to it is: 429, 5xx, a timeout, a broken connection.
    Overload,
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
    /// How the limit moved, for `--verbose`: when it started, its highest and when it got there,
    /// how often overload cut it.
    started: Instant,
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
        Some(format!(
            "{START} to {highest} in {:.1} s, {} now, {cuts}",
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
            Outcome::Overload => {
                Self::cut(&mut state, Instant::now());
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

    /// Halves the limit, at most once per window (a burst of refusals is one signal).
    fn cut(state: &mut State, now: Instant) {
        let window = Duration::from_secs_f64(state.long_rtt.unwrap_or(0.1).max(0.1));
        if state
            .last_cut
            .is_some_and(|t| now.duration_since(t) < window)
        {
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
mod tests {
    use super::*;

    #[test]
    fn the_story_says_how_high_the_limit_went_and_how_often_it_was_cut() {
        let limiter = Limiter::adaptive();
        for _ in 0..400 {
            let permit = limiter.places.try_acquire().ok();
            limiter.state().peak = limiter.limit();
            limiter.record(Outcome::Answered(Duration::from_millis(100)));
            drop(permit);
        }
        let grown = limiter.limit();
        assert!(grown > START, "{grown}");
        limiter.record(Outcome::Overload);
        let story = limiter.story().unwrap();
        assert!(
            story.starts_with(&format!("{START} to {grown} in "))
                && story.ends_with(&format!("{} now, cut once by overload", grown / 2)),
            "{story}"
        );
        assert_eq!(Limiter::pinned(4).story(), None);
    }

    fn answer_window(state: &mut State, rtt_ms: f64, busy: bool) {
        for _ in 0..(state.limit as usize).max(1) {
            if busy {
                state.peak = state.limit as usize;
            }
            Limiter::learn(state, rtt_ms / 1000.0);
        }
    }

    fn fresh() -> State {
        Limiter::adaptive()
            .state
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
    }

    #[test]
    fn grows_to_the_ceiling_while_round_trips_stay_flat() {
        let mut state = fresh();
        let mut windows = 0;
        while (state.limit as usize) < CEILING {
            answer_window(&mut state, 100.0, true);
            windows += 1;
            assert!(windows < 40, "stuck at {}", state.limit);
        }
        assert_eq!(state.limit as usize, CEILING);
        // 8, 32, 128, 256, 512: four windows (four round trips), not the ~40 of growing by √limit.
        assert_eq!(windows, 4);
        answer_window(&mut state, 100.0, true);
        assert_eq!(state.limit as usize, CEILING, "never past the ceiling");
    }

    #[test]
    fn a_raised_ceiling_lets_the_limit_grow_on() {
        let limiter = Limiter::adaptive();
        limiter.raise_ceiling(4 * CEILING);
        limiter.raise_ceiling(CEILING);
        assert_eq!(limiter.ceiling(), 4 * CEILING, "raising never lowers it");
        let mut state = limiter.state.into_inner().unwrap();
        for _ in 0..10 {
            answer_window(&mut state, 100.0, true);
        }
        assert_eq!(state.limit as usize, 4 * CEILING);
        let pinned = Limiter::pinned(7);
        pinned.raise_ceiling(4 * CEILING);
        assert_eq!(pinned.ceiling(), 7, "a pinned limit stays pinned");
    }

    #[test]
    fn stops_doubling_once_round_trips_stretch() {
        let mut state = fresh();
        answer_window(&mut state, 10.0, true);
        assert_eq!(state.limit as usize, 4 * START, "quadruples while small");
        // Round trips stretch 1.8x: past the slow start's tolerance, within the shrinking one.
        for _ in 0..3 {
            answer_window(&mut state, 18.0, true);
        }
        assert_eq!(state.growth, Growth::Probing);
        let before = state.limit;
        answer_window(&mut state, 18.0, true);
        assert!(
            state.limit < 2.0 * before && state.limit > before,
            "{before} became {}",
            state.limit
        );
    }

    #[test]
    fn does_not_grow_when_the_limit_holds_nothing_back() {
        let mut state = fresh();
        for _ in 0..10 {
            answer_window(&mut state, 20.0, false);
        }
        assert_eq!(state.limit as usize, START);
    }

    #[test]
    fn shrinks_when_a_queue_builds_up() {
        let mut state = fresh();
        for _ in 0..20 {
            answer_window(&mut state, 5.0, true);
        }
        let grown = state.limit;
        // The registry queues: round trips grow tenfold.
        for _ in 0..5 {
            answer_window(&mut state, 50.0, true);
        }
        assert!(state.limit < grown, "{} not below {grown}", state.limit);
    }

    #[test]
    fn stretching_round_trips_alone_leave_room_for_a_few_requests() {
        let mut state = fresh();
        for rtt in [1.0, 10.0, 100.0, 1000.0, 10_000.0, 100_000.0] {
            answer_window(&mut state, rtt, true);
        }
        assert_eq!(
            state.limit as usize, FLOOR,
            "a held request would starve the rest"
        );
        // Overload still goes lower.
        Limiter::cut(&mut state, Instant::now());
        assert_eq!(state.limit as usize, FLOOR / 2);
        answer_window(&mut state, 1_000_000.0, true);
        assert_eq!(
            state.limit as usize,
            FLOOR / 2,
            "the floor does not raise a cut limit"
        );
    }

    #[test]
    fn after_pushing_back_it_probes_by_one() {
        let mut state = fresh();
        state.limit = 20.0;
        Limiter::cut(&mut state, Instant::now());
        answer_window(&mut state, 10.0, true);
        assert_eq!(state.limit, 11.0);
    }

    #[test]
    fn a_window_with_refusals_grows_nothing_even_when_the_cut_was_spent() {
        let limiter = Limiter::adaptive();
        {
            let mut state = limiter.state();
            state.limit = 32.0;
            state.last_cut = Some(Instant::now());
        }
        // A refusal inside the window of the last cut: no second cut...
        limiter.record(Outcome::Overload);
        assert_eq!(limiter.limit(), 32);
        // ...and the window, though its other answers came back quick and the limit bound, grows
        // nothing: doubling on would flood a registry already refusing.
        for _ in 0..32 {
            limiter.state().peak = 32;
            limiter.record(Outcome::Answered(Duration::from_millis(10)));
        }
        assert_eq!(limiter.limit(), 32);
        for _ in 0..32 {
            limiter.state().peak = 32;
            limiter.record(Outcome::Answered(Duration::from_millis(10)));
        }
        assert!(limiter.limit() > 32, "a calm window grows again");
    }

    #[test]
    fn after_pushback_the_refused_level_is_probed_only_now_and_then() {
        let mut state = fresh();
        state.limit = 7.0;
        Limiter::cut(&mut state, Instant::now());
        assert_eq!(state.limit, 3.5);
        // One a window up to one short of 7, then calm windows there before trying 7 again; once
        // the registry takes it, one a window again.
        let mut seen = Vec::new();
        for _ in 0..14 {
            answer_window(&mut state, 100.0, true);
            seen.push(state.limit);
        }
        let waiting = seen.iter().filter(|l| **l == 6.5).count();
        assert!(waiting > PLATEAU, "{seen:?}");
        let past: Vec<f64> = seen.into_iter().filter(|l| *l > 7.0).collect();
        assert_eq!(past[..3], [7.5, 8.5, 9.5]);
    }

    #[test]
    fn overload_halves_once_per_window() {
        let mut state = fresh();
        state.limit = 40.0;
        let now = Instant::now();
        Limiter::cut(&mut state, now);
        Limiter::cut(&mut state, now + Duration::from_millis(10));
        assert_eq!(state.limit, 20.0, "a burst of refusals is one signal");
        Limiter::cut(&mut state, now + Duration::from_secs(1));
        assert_eq!(state.limit, 10.0);
        for _ in 0..10 {
            Limiter::cut(&mut state, now + Duration::from_secs(100));
            state.last_cut = None;
        }
        assert_eq!(state.limit, 1.0, "never below one");
    }

    #[tokio::test]
    async fn the_places_follow_the_limit() {
        let limiter = Limiter::adaptive();
        let held: Vec<Permit> =
            futures::future::join_all((0..START).map(|_| limiter.acquire())).await;
        // Overload while every place is in use: the limit halves, and returned places are kept.
        limiter.record(Outcome::Overload);
        assert_eq!(limiter.limit(), START / 2);
        drop(held);
        let held: Vec<Permit> =
            futures::future::join_all((0..START / 2).map(|_| limiter.acquire())).await;
        let more = tokio::time::timeout(Duration::from_millis(50), limiter.acquire()).await;
        assert!(more.is_err(), "a place beyond the halved limit");
        drop(held);
    }

    #[tokio::test]
    async fn a_pinned_limit_never_moves() {
        let limiter = Limiter::pinned(3);
        limiter.record(Outcome::Overload);
        limiter.record(Outcome::Answered(Duration::from_millis(1)));
        assert_eq!((limiter.limit(), limiter.ceiling()), (3, 3));
        let held: Vec<Permit> = futures::future::join_all((0..3).map(|_| limiter.acquire())).await;
        let fourth = tokio::time::timeout(Duration::from_millis(50), limiter.acquire()).await;
        assert!(fourth.is_err(), "a fourth request got a place");
        drop(held);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), limiter.acquire())
                .await
                .is_ok()
        );
    }
}
