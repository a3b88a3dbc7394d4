//! Ctrl-C during a removal, counted from the moment the operator is asked (or, with `--yes`, from
//! the live re-check) to the end. One watcher for the whole removal, so no press falls between two
//! phases: before the first DELETE any press stops the run with nothing deleted; during the
//! deletes the first lets those in flight finish and the second abandons them (`delete`).

use tokio::sync::watch;

/// The presses of Ctrl-C seen so far.
pub struct Interrupts {
    presses: watch::Receiver<u32>,
    watcher: tokio::task::JoinHandle<()>,
}

impl Interrupts {
    /// Starts counting. From here on Ctrl-C no longer ends the process by itself: every phase
    /// that follows asks `pressed` or waits with `at_least`.
    pub fn watch() -> Self {
        let (count, presses) = watch::channel(0);
        // The handler is in place when this returns (not when the task first runs), so a press
        // right after cannot end the process.
        let signals = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        let watcher = tokio::spawn(async move {
            let Ok(mut signals) = signals else {
                return;
            };
            while signals.recv().await.is_some() {
                count.send_modify(|n| *n += 1);
            }
        });
        Self { presses, watcher }
    }

    /// How many times Ctrl-C was pressed.
    pub fn pressed(&self) -> u32 {
        *self.presses.borrow()
    }

    /// The count, for a task of its own.
    pub fn subscribe(&self) -> watch::Receiver<u32> {
        self.presses.clone()
    }

    /// Waits until Ctrl-C was pressed at least `n` times.
    pub async fn at_least(&self, n: u32) {
        let mut presses = self.presses.clone();
        if presses.wait_for(|pressed| *pressed >= n).await.is_err() {
            // The watcher ended (signals unavailable): no press will come.
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}
