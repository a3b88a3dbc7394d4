//! The adaptive limit's tests: its growth, its cuts, and the places that follow it.

use super::*;

#[test]
fn the_story_says_how_high_the_limit_went_and_how_often_it_was_cut() {
    let limiter = Limiter::adaptive();
    for _ in 0..400 {
        let permit = limiter.places.try_acquire().ok();
        limiter.state().peak = limiter.limit();
        limiter.record(Outcome::Answered(Duration::from_millis(10)));
        drop(permit);
    }
    let grown = limiter.limit();
    assert!(grown > START, "{grown}");
    limiter.record(Outcome::Overload(Instant::now()));
    let story = limiter.story().unwrap();
    assert!(
        story.starts_with(&format!("{START} to {grown} in "))
            && story.ends_with(&format!("{} now, cut once by overload", grown / 2)),
        "{story}"
    );
    assert_eq!(Limiter::pinned(4).story(), None);

    let far = Limiter::adaptive();
    far.record(Outcome::Answered(Duration::from_millis(250)));
    let story = far.story().unwrap();
    assert!(story.starts_with("32 (far) to 32 in "), "{story}");
}

#[test]
fn a_far_first_answer_starts_the_limit_higher() {
    let mut near = fresh();
    answer_window(&mut near, 10.0, true);
    assert_eq!(
        near.limit as usize,
        4 * START,
        "near: one window, quadrupled"
    );

    let mut far = fresh();
    Limiter::learn(&mut far, 0.25);
    assert_eq!(far.limit, FAR_START);
    let mut windows = 0;
    while (far.limit as usize) < CEILING {
        answer_window(&mut far, 250.0, true);
        windows += 1;
    }
    // 32, 128, 256, 512: one window fewer than from 8.
    assert_eq!(windows, 3);

    // Only the first answer tells: a round trip that stretches later is no reason to jump.
    let mut later = fresh();
    answer_window(&mut later, 10.0, false);
    Limiter::learn(&mut later, 0.25);
    assert_eq!(later.limit as usize, START);
    // Nor does it move a pinned limit.
    let pinned = Limiter::pinned(2);
    pinned.record(Outcome::Answered(Duration::from_millis(250)));
    assert_eq!(pinned.limit(), 2);
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
        answer_window(&mut state, 20.0, true);
        windows += 1;
        assert!(windows < 40, "stuck at {}", state.limit);
    }
    assert_eq!(state.limit as usize, CEILING);
    // 8, 32, 128, 256, 512: four windows (four round trips), not the ~40 of growing by √limit.
    assert_eq!(windows, 4);
    answer_window(&mut state, 20.0, true);
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
    Limiter::cut(&mut state, Instant::now(), Instant::now());
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
    Limiter::cut(&mut state, Instant::now(), Instant::now());
    answer_window(&mut state, 10.0, true);
    assert_eq!(state.limit, 11.0);
}

#[test]
fn a_window_with_refusals_grows_nothing_even_when_the_cut_was_spent() {
    let limiter = Limiter::adaptive();
    let sent = Instant::now();
    {
        let mut state = limiter.state();
        state.limit = 32.0;
        state.last_cut = Some(Instant::now());
    }
    // A refusal of a request sent before the last cut: no second cut...
    limiter.record(Outcome::Overload(sent));
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
    Limiter::cut(&mut state, Instant::now(), Instant::now());
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
fn overload_halves_once_per_cut() {
    let mut state = fresh();
    state.limit = 40.0;
    let sent = Instant::now();
    let at = |ms: u64| sent + Duration::from_millis(ms);
    Limiter::cut(&mut state, sent, at(250));
    // Requests sent at the old limit, refused a moment or a round trip later: the same signal.
    Limiter::cut(&mut state, at(1), at(251));
    Limiter::cut(&mut state, at(250), at(500));
    assert_eq!(state.limit, 20.0, "a burst of refusals is one signal");
    // One sent after the cut and refused: 20 is still too many.
    Limiter::cut(&mut state, at(251), at(252));
    assert_eq!(state.limit, 10.0);
    for ms in 300..310 {
        Limiter::cut(&mut state, at(ms), at(ms));
    }
    assert_eq!(state.limit, 1.0, "never below one");
}

#[tokio::test]
async fn the_places_follow_the_limit() {
    let limiter = Limiter::adaptive();
    let held: Vec<Permit> = futures::future::join_all((0..START).map(|_| limiter.acquire())).await;
    // Overload while every place is in use: the limit halves, and returned places are kept.
    limiter.record(Outcome::Overload(Instant::now()));
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
    limiter.record(Outcome::Overload(Instant::now()));
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
