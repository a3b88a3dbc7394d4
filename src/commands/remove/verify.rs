//! A removal is done when the registry says so. After a manifest is deleted by digest, each of its
//! tags must no longer resolve to it: Docker's registry drops them, go-containerregistry's keeps
//! them (and keeps serving the manifest under them). A tag that survives is deleted by tag where
//! the registry does that (found out by doing it, never assumed; remembered per registry), and
//! otherwise the entry fails: never reported as success.
//!
//! A 202 can mean "later": Pulp answers it and removes the manifest, its tags and an index's
//! children seconds afterwards in a background task. So a deleted manifest is read back by digest
//! first, and while it is still there the registry is waited for (bounded, polling with backoff)
//! before its tags are judged. What the registry does is learned only from settled reads: a
//! manifest seen gone, never one still on its way out.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::inventory::Capabilities;
use crate::journal::{Entry, Journal, Status};
use crate::output::Printer;
use crate::registry::{Client, Deleted, RegistryError};

/// How long reading back the deletes whose answers never came may take before the report.
const READ_BACK_LIMIT: Duration = Duration::from_secs(5);
/// How long a manifest whose DELETE was accepted may stay before its deletion counts as unknown.
const SETTLE_WAIT: Duration = Duration::from_secs(120);
/// The first pause between reads while waiting; doubled up to `MAX_POLL`.
const FIRST_POLL: Duration = Duration::from_millis(100);
const MAX_POLL: Duration = Duration::from_secs(2);

/// What deleting taught about the registry, for the cache; how many accepted deletes the registry
/// has yet to carry out (for the progress line); and whether any was not carried out at once.
#[derive(Debug, Default)]
pub struct Observed(Mutex<Capabilities>, AtomicUsize, AtomicBool);

impl Observed {
    /// Whether some accepted delete was still to be carried out when first read back.
    pub fn lingered(&self) -> bool {
        self.2.load(Ordering::SeqCst)
    }

    pub fn capabilities(&self) -> Capabilities {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn note(&self, change: impl FnOnce(&mut Capabilities)) {
        change(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// How waiting for an accepted DELETE to be carried out ended.
pub enum Settled {
    /// Gone when first read back: the registry deletes at once.
    AtOnce,
    /// Gone after a while: the registry deletes later.
    Later,
    /// Still there when waiting ended (the time ran out, or the run was told to stop).
    Lingering,
}

/// Waits (bounded) until a manifest whose DELETE the registry accepted is gone by digest. A
/// registry known to delete at once is not read back here (its tags are, by the caller).
/// `waiting` hears how many accepted deletes are being waited for whenever that changes.
pub async fn settle(
    client: &Client,
    entry: &Entry,
    known: Capabilities,
    (observed, waiting): (&Observed, &(dyn Fn(usize) + Sync)),
) -> Result<Settled, RegistryError> {
    if known.deletes_later == Some(false) {
        return Ok(Settled::AtOnce);
    }
    let gone = || async {
        let found = client.resolve(&entry.repository, &entry.digest).await?;
        Ok::<_, RegistryError>(found.is_none())
    };
    if gone().await? {
        if known.deletes_later.is_none() {
            observed.note(|c| c.deletes_later = Some(false));
        }
        return Ok(Settled::AtOnce);
    }
    observed.2.store(true, Ordering::SeqCst);
    waiting(observed.1.fetch_add(1, Ordering::SeqCst) + 1);
    let started = Instant::now();
    let mut pause = FIRST_POLL;
    let settled = loop {
        if started.elapsed() > SETTLE_WAIT {
            break Ok(Settled::Lingering);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_POLL);
        match gone().await {
            Ok(true) => {
                observed.note(|c| c.deletes_later = Some(true));
                break Ok(Settled::Later);
            }
            Ok(false) => {}
            Err(err) => break Err(err),
        }
    };
    waiting(observed.1.fetch_sub(1, Ordering::SeqCst) - 1);
    settled
}

/// How long an accepted DELETE is waited for, in words.
pub fn settle_wait() -> String {
    format!("{} s", SETTLE_WAIT.as_secs())
}

/// The tags of a deleted entry that still resolve to its digest after the tag deletes the registry
/// allows; empty when the removal is complete. `known` is what the cache remembers. What the
/// registry does with tags is learned only where its delete was carried out at once (a registry
/// that deletes later may still be removing them).
pub async fn surviving_tags(
    client: &Client,
    entry: &Entry,
    (known, at_once): (Capabilities, bool),
    observed: &Observed,
) -> Result<Vec<String>, RegistryError> {
    let survivors = still_resolving(client, entry, &entry.tags).await?;
    if known.delete_drops_tags.is_none() && at_once {
        observed.note(|c| c.delete_drops_tags = Some(survivors.is_empty()));
    }
    if survivors.is_empty() || known.delete_by_tag == Some(false) {
        return Ok(survivors);
    }
    for tag in &survivors {
        match client.delete_tag(&entry.repository, tag).await {
            Ok(Deleted::Deleted | Deleted::AlreadyGone) => {}
            Err(err) if err.refuses_all() && !matches!(err, RegistryError::Unsupported { .. }) => {
                return Err(err);
            }
            Err(err) => {
                tracing::info!(tag, error = %err, "the registry refuses DELETE by tag");
                observed.note(|c| c.delete_by_tag = Some(false));
                return Ok(survivors);
            }
        }
    }
    let left = still_resolving(client, entry, &survivors).await?;
    observed.note(|c| c.delete_by_tag = Some(left.is_empty()));
    Ok(left)
}

/// Those of `tags` that still resolve to the entry's digest (a tag pushed anew to another image
/// since is not ours to delete).
pub async fn still_resolving(
    client: &Client,
    entry: &Entry,
    tags: &[String],
) -> Result<Vec<String>, RegistryError> {
    let answers = futures::future::try_join_all(
        tags.iter()
            .map(|tag| client.resolve(&entry.repository, tag)),
    )
    .await?;
    Ok(tags
        .iter()
        .zip(answers)
        .filter(|(_, found)| found.as_ref().is_some_and(|m| m.digest == entry.digest))
        .map(|(tag, _)| tag.clone())
        .collect())
}

/// Reads back every manifest whose deletion is `unknown` (its answer was lost, or it was abandoned):
/// gone, with none of its tags left, is `deleted`; still there is `failed`. Bounded in time: the
/// operator may have pressed Ctrl-C twice to leave at once, and what is not read stays `unknown`.
pub async fn read_back_unknown(client: &Client, journal: &mut Journal, printer: &Printer) {
    let unknown: Vec<usize> = (0..journal.entries.len())
        .filter(|&i| {
            let entry = &journal.entries[i];
            entry.status == Status::Unknown && entry.untag.is_none()
        })
        .collect();
    if unknown.is_empty() {
        return;
    }
    printer.note(&format!(
        "reading back {} whose DELETE went unanswered",
        crate::output::plural_count(unknown.len(), "manifest", "manifests")
    ));
    let entries = &journal.entries;
    let reads = futures::future::join_all(
        unknown
            .iter()
            .map(|&i| async move { (i, read_back(client, &entries[i]).await) }),
    );
    let Ok(answers) = tokio::time::timeout(READ_BACK_LIMIT, reads).await else {
        printer.warn(&format!(
            "the registry did not answer within {} s; those deletions stay unknown (restore \
             checks them)",
            READ_BACK_LIMIT.as_secs()
        ));
        return;
    };
    for (i, answer) in answers {
        let entry = &mut journal.entries[i];
        match answer {
            Ok(ReadBack::Gone) => {
                entry.status = Status::Deleted;
                entry.error = None;
            }
            Ok(ReadBack::StillThere) => {
                entry.status = Status::Failed;
                entry.error = Some(
                    "its DELETE went unanswered, and the manifest was still there when read back"
                        .into(),
                );
            }
            Ok(ReadBack::TagsRemain(tags)) => {
                entry.status = Status::Failed;
                entry.error = Some(super::attempt::tags_remain(&tags));
            }
            Err(err) => tracing::info!(digest = entry.digest, error = %err, "reading back failed"),
        }
    }
}

/// What the registry says of a manifest whose DELETE went unanswered.
enum ReadBack {
    Gone,
    StillThere,
    /// Gone by digest, but these tags still resolve to it.
    TagsRemain(Vec<String>),
}

async fn read_back(client: &Client, entry: &Entry) -> Result<ReadBack, RegistryError> {
    if client
        .resolve(&entry.repository, &entry.digest)
        .await?
        .is_some()
    {
        return Ok(ReadBack::StillThere);
    }
    let left = still_resolving(client, entry, &entry.tags).await?;
    Ok(if left.is_empty() {
        ReadBack::Gone
    } else {
        ReadBack::TagsRemain(left)
    })
}
