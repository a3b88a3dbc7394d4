//! Group commit: the envelopes that arrive while a commit is under way are committed together in the
//! next one, and each sender is answered when the commit that holds its events is done. One synced
//! commit then serves many envelopes, so a store on a disk that syncs in milliseconds still accepts
//! thousands of events a second, and no envelope is answered before its events are on disk.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use super::event::Event;
use super::{Recorded, StoreError};

/// Events committed in one transaction at most (a batch closes when it would grow past this).
const MAX_BATCH: usize = 5_000;
/// Envelopes waiting for a commit at most; past this, `record` waits for room.
const QUEUE: usize = 4_096;

struct Request {
    events: Vec<Event>,
    reply: oneshot::Sender<Result<Recorded, StoreError>>,
}

/// The way into the committing task; cheap to clone.
#[derive(Clone)]
pub struct Committer {
    queue: mpsc::Sender<Request>,
}

impl Committer {
    /// Starts the task that commits with `commit`, which logs a batch of events in one transaction
    /// and says of each whether it was new (`false`: logged before).
    pub fn start<F, Fut>(commit: F) -> Self
    where
        F: Fn(Vec<Event>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<bool>, StoreError>> + Send,
    {
        let (queue, mut requests) = mpsc::channel::<Request>(QUEUE);
        tokio::spawn(async move {
            while let Some(first) = requests.recv().await {
                let mut batch = vec![first];
                let mut size = batch[0].events.len();
                while size < MAX_BATCH {
                    match requests.try_recv() {
                        Ok(next) => {
                            size += next.events.len();
                            batch.push(next);
                        }
                        Err(_) => break,
                    }
                }
                let counts: Vec<usize> = batch.iter().map(|r| r.events.len()).collect();
                let (events, replies): (Vec<Vec<Event>>, Vec<_>) =
                    batch.into_iter().map(|r| (r.events, r.reply)).unzip();
                let result = commit(events.into_iter().flatten().collect()).await;
                answer(result, &counts, replies);
            }
        });
        Self { queue }
    }

    /// Commits `events` (with whatever else is waiting) and returns once they are committed.
    pub async fn record(&self, events: Vec<Event>) -> Result<Recorded, StoreError> {
        if events.is_empty() {
            return Ok(Recorded::default());
        }
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Failed {
            store: "the store".into(),
            detail: "its committing task stopped".into(),
        };
        self.queue
            .send(Request { events, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Tells each sender what became of its events.
fn answer(
    result: Result<Vec<bool>, StoreError>,
    counts: &[usize],
    replies: Vec<oneshot::Sender<Result<Recorded, StoreError>>>,
) {
    match result {
        Ok(new) => {
            let mut at = 0;
            for (count, reply) in counts.iter().zip(replies) {
                let mine = &new[at..(at + count).min(new.len())];
                at += count;
                let fresh = mine.iter().filter(|n| **n).count();
                let _ = reply.send(Ok(Recorded {
                    new: fresh,
                    again: count - fresh,
                }));
            }
        }
        Err(err) => {
            for reply in replies {
                let _ = reply.send(Err(err.clone()));
            }
        }
    }
}
