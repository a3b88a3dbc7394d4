//! Times for people: how old something is, in its largest whole unit.

use std::time::Duration;

use jiff::Timestamp;

/// How old something dated `then` is: `3 days`; a date in the future (a skewed build clock) says
/// so, `2 hours ahead`, rather than passing for new.
pub fn age(then: Timestamp) -> String {
    let seconds = Timestamp::now().as_second() - then.as_second();
    if seconds < 0 {
        format!("{} ahead", human_duration(-seconds))
    } else {
        human_duration(seconds)
    }
}

/// "3 days", "5 hours", "1 minute", "0 seconds": the largest whole unit.
pub fn human_duration(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3_600 => (s / 3_600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A duration for people: `5.8 s`, `120 ms`.
pub fn seconds(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.1} s", elapsed.as_secs_f64())
    }
}

/// A time for people and scripts alike: RFC 3339 in UTC to the second (`2026-12-05T04:20:49Z`);
/// the nanoseconds a registry or the clock gives are noise to a reader.
pub fn timestamp(time: jiff::Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
