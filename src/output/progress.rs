//! The progress line: what a long phase shows on a terminal's stderr.

use indicatif::{ProgressBar, ProgressStyle};

use super::count;

pub(super) fn lock_active(
    active: &std::sync::Mutex<Option<ProgressBar>>,
) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
    active
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A progress line: the phase, then, once its total is known, a bar, the count done of the total,
/// the rate rounded (`153/s`) and the time so far. Before the total is known, no bar (a bar at
/// `0/0` reads as done).
pub(super) fn progress_style(unit: &str) -> ProgressStyle {
    let unit = unit.to_owned();
    ProgressStyle::with_template("{spinner} {prefix}{msg}{progress}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key(
            "progress",
            move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let elapsed = match state.elapsed().as_secs() {
                    s if s < 60 => format!("{s} s"),
                    s => format!("{}m {:02}s", s / 60, s % 60),
                };
                let total = state.len().unwrap_or(0);
                if total == 0 {
                    let _ = write!(w, " ({elapsed})");
                    return;
                }
                let done = state.pos().min(total);
                let filled = usize::try_from(done * 30 / total).unwrap_or(30);
                let bar = match filled {
                    30 => "=".repeat(30),
                    n => format!("{}>{}", "=".repeat(n), " ".repeat(29 - n)),
                };
                let rate = state.per_sec();
                let rate = if rate.is_finite() && rate >= 1.0 {
                    format!("{}/s, ", count(rate.round() as usize))
                } else {
                    String::new()
                };
                let _ = write!(
                    w,
                    " [{bar}] {}/{} {unit} ({rate}{elapsed})",
                    count(usize::try_from(done).unwrap_or(usize::MAX)),
                    count(usize::try_from(total).unwrap_or(usize::MAX)),
                );
            },
        )
}
