//! Deleting what a confirmed, re-checked plan holds, so that the undo is never lost and no image is
//! left broken:
//! - the journal (every manifest's exact bytes) is written and synced before the first DELETE;
//! - a DELETE whose answer is lost (a 5xx, a reset, a timeout) may still have been carried out, so it
//!   is never simply retried: the manifest is checked (HEAD; 404 means deleted), and deleted again
//!   only while it is still there. When even the check fails, the journal says `unknown`;
//! - the children of an index are deleted only once every planned index of their repository that
//!   references them is confirmed gone, so a failed index DELETE never leaves an index whose platform
//!   manifests are missing;
//! - a refusal (401, 403, 405) stops launching deletes, as every further one would meet it too;
//! - the first Ctrl-C lets the deletes in flight finish and says what it waits for; a second abandons
//!   them at once. A DELETE sent and not answered may still be carried out, so it is `unknown` until
//!   the registry is read back (briefly, before the report): gone is `deleted`, still there is
//!   `failed`, and what cannot be read stays `unknown` (restore checks every manifest).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use jiff::Timestamp;

use super::RemovalStop;
use super::attempt::{DELETE_ATTEMPTS, Outcome, delete_checked, tags_remain};
use super::interrupt::Interrupts;
use super::verify::{Observed, Settled, read_back_unknown, settle, surviving_tags};
use crate::commands::Context;
use crate::details::parse_children;
use crate::inventory::Capabilities;
use crate::journal::{self, Entry, Journal, Status};
use crate::media_type::is_index;
use crate::output::{Printer, short_digest};
use crate::registry::{Client, RegistryError, UntagMethod};
use crate::select::Plan;

/// The journal, written before anything is deleted, with a progress line: every planned manifest
/// is read (its exact bytes) first, which takes seconds on a distant registry. Ctrl-C meanwhile
/// stops the removal with nothing deleted.
pub async fn journal_first(
    ctx: &Context,
    (command, plan, untag): (&str, &Plan, Option<UntagMethod>),
    path: &Path,
    interrupts: &Interrupts,
) -> anyhow::Result<Journal> {
    let registry = ctx.registry()?.to_string();
    let progress = ctx.printer.progress("manifests");
    let written = write_journal(
        ctx.client()?,
        &registry,
        command,
        (plan, untag),
        path,
        &progress,
    );
    let journal = tokio::select! {
        journal = written => journal,
        () = interrupts.at_least(1) => Err(RemovalStop::InterruptedBefore.into()),
    };
    progress.finish_and_clear();
    journal
}

/// Reads every planned manifest's exact bytes and writes the journal, synced, before any delete.
async fn write_journal(
    client: &Client,
    registry: &str,
    command: &str,
    (plan, untag): (&Plan, Option<UntagMethod>),
    path: &Path,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Journal> {
    let mut wanted = Vec::new();
    let entry = |repo: &str, digest: &str, tags: &[String]| Entry {
        repository: repo.to_owned(),
        digest: digest.to_owned(),
        media_type: String::new(),
        tags: tags.to_vec(),
        parent: None,
        subject: None,
        untag: None,
        manifest: String::new(),
        status: Status::Pending,
        error: None,
    };
    for u in &plan.untags {
        wanted.push(Entry {
            untag: untag.or(Some(UntagMethod::Placeholder)),
            ..entry(&u.repository, &u.digest, &u.tags)
        });
    }
    for m in &plan.manifests {
        wanted.push(entry(&m.repository, &m.digest, &m.tags));
        for c in &m.children {
            wanted.push(Entry {
                parent: Some(m.digest.to_string()),
                ..entry(&m.repository, &c.digest, &[])
            });
        }
    }
    for a in &plan.attachments {
        wanted.push(Entry {
            subject: Some(a.subject.clone()),
            ..entry(&a.repository, &a.digest, &a.tags)
        });
    }
    progress.set_message("reading manifests for the journal");
    progress.set_length(wanted.len() as u64);
    let entries = futures::future::try_join_all(wanted.into_iter().map(|wanted| async move {
        let (repo, digest) = (&wanted.repository, &wanted.digest);
        // The client checks the bytes against the digest: a mismatch is a registry error.
        let manifest = client
            .manifest(repo, digest)
            .await
            .with_context(|| format!("reading {repo}@{digest} for the journal"))?;
        let Some(manifest) = manifest else {
            bail!(RemovalStop::PlanChanged);
        };
        let text = String::from_utf8(manifest.bytes.to_vec())
            .with_context(|| format!("{repo}@{digest} is not a JSON manifest"))?;
        progress.inc(1);
        anyhow::Ok(Entry {
            media_type: manifest.media_type.unwrap_or_default(),
            manifest: text,
            ..wanted
        })
    }))
    .await?;
    let journal = Journal {
        schema: journal::SCHEMA_VERSION,
        registry: registry.to_owned(),
        created_at: Timestamp::now(),
        command: command.to_owned(),
        deletes_later: false,
        entries,
    };
    journal::save(path, &journal)?;
    Ok(journal)
}

/// What the deleting phase ended with.
pub struct Deletion {
    /// A refusal that stopped the deletes, if any.
    pub fatal: Option<RegistryError>,
    /// Ctrl-C was pressed once: the deletes in flight were let finish.
    pub interrupted: bool,
    /// Ctrl-C was pressed twice: the deletes in flight were abandoned.
    pub aborted: bool,
}

/// Deletes every entry of the journal: planned manifests first, then the children of indexes that
/// are confirmed gone. Saves the journal after each phase and at the end, however it ends.
pub async fn delete_all(
    client: &Client,
    journal: &mut Journal,
    path: &Path,
    (concurrency, known, observed): (usize, Capabilities, &Observed),
    (ctx, interrupts): (&Context, &Interrupts),
) -> anyhow::Result<Deletion> {
    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    // The entries whose DELETE is under way.
    let in_flight = Arc::new(Mutex::new(BTreeSet::new()));
    let signals = tokio::spawn(on_first_ctrl_c(
        interrupts.subscribe(),
        [stop.clone(), interrupted.clone()],
        in_flight.clone(),
        ctx.printer.clone(),
    ));
    let progress = ctx.printer.progress("manifests");
    progress.set_message("deleting");
    progress.set_length(journal.entries.len() as u64);
    let mut fatal = None;
    let mut aborted = false;
    let started = std::time::Instant::now();
    // Untags and planned manifests first; then, phase by phase, children whose indexes and
    // attachments whose subjects are confirmed gone.
    let mut attempted = BTreeSet::new();
    loop {
        let jobs = ready(journal, &attempted);
        if jobs.is_empty() || stop.load(Ordering::SeqCst) {
            break;
        }
        attempted.extend(jobs.iter().copied());
        let phase = delete_phase(
            client,
            journal,
            jobs,
            (concurrency, known, observed),
            (&stop, &in_flight),
            &progress,
        );
        tokio::select! {
            refusal = phase => fatal = fatal.or(refusal),
            () = interrupts.at_least(2) => aborted = true,
        }
        journal::save(path, journal)?;
        if aborted {
            break;
        }
    }
    progress.finish_and_clear();
    signals.abort();
    let abandoned = std::mem::take(&mut *lock(&in_flight));
    for &i in &abandoned {
        let entry = &mut journal.entries[i];
        entry.status = Status::Unknown;
        entry.error = Some("its DELETE was sent and abandoned unanswered (Ctrl-C twice)".into());
    }
    read_back_unknown(client, journal, &ctx.printer).await;
    journal.deletes_later = known.deletes_later == Some(true) || observed.lingered();
    journal::save(path, journal)?;
    tracing::debug!(manifests = journal.entries.len(), elapsed = ?started.elapsed(), "deleting done");
    Ok(Deletion {
        fatal,
        interrupted: interrupted.load(Ordering::SeqCst),
        aborted,
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Deletes the entries `jobs` names, at most `concurrency` at a time, writing each outcome into the
/// journal as it comes. Returns the first refusal.
async fn delete_phase(
    client: &Client,
    journal: &mut Journal,
    jobs: Vec<usize>,
    (concurrency, known, observed): (usize, Capabilities, &Observed),
    (stop, in_flight): (&AtomicBool, &Mutex<BTreeSet<usize>>),
    progress: &indicatif::ProgressBar,
) -> Option<RegistryError> {
    let work: Vec<(usize, Entry)> = jobs
        .into_iter()
        .map(|i| (i, journal.entries[i].clone()))
        .collect();
    let mut results = futures::stream::iter(work)
        .map(|(i, entry)| async move {
            if stop.load(Ordering::SeqCst) {
                return (i, None);
            }
            lock(in_flight).insert(i);
            let outcome = match entry.untag {
                Some(method) => super::untag::untag_checked(client, &entry, method, stop).await,
                None => {
                    let outcome =
                        delete_checked(client, &entry.repository, &entry.digest, stop).await;
                    let waiting = |n: usize| waiting_message(progress, n);
                    verified(client, &entry, outcome, (known, observed, &waiting)).await
                }
            };
            if matches!(&outcome, Outcome::Failed(err) if err.refuses_all()) {
                stop.store(true, Ordering::SeqCst);
            }
            (i, Some(outcome))
        })
        .buffer_unordered(concurrency);
    let mut fatal = None;
    while let Some((i, outcome)) = results.next().await {
        // Answered: no longer in flight (in the same poll, so an abort never loses an answer).
        lock(in_flight).remove(&i);
        let entry = &mut journal.entries[i];
        match outcome {
            None => continue,
            Some(Outcome::Deleted) => entry.status = Status::Deleted,
            Some(Outcome::AlreadyGone) => entry.status = Status::AlreadyGone,
            Some(Outcome::Failed(err)) if err.refuses_all() => {
                entry.status = Status::Failed;
                entry.error = Some(err.to_string());
                fatal = fatal.or(Some(err));
            }
            Some(Outcome::Failed(err)) => {
                entry.status = Status::Failed;
                entry.error = Some(format!(
                    "still there after {DELETE_ATTEMPTS} attempts: {err}"
                ));
            }
            Some(Outcome::TagsRemain(tags)) => {
                entry.status = Status::Failed;
                entry.error = Some(tags_remain(&tags));
            }
            Some(Outcome::Lingering) => {
                entry.status = Status::Unknown;
                entry.error = Some(format!(
                    "the registry accepted the DELETE but still had the manifest {} later; it may \
                     yet carry it out (restore checks it)",
                    super::verify::settle_wait()
                ));
            }
            Some(Outcome::Unknown(err)) => {
                entry.status = Status::Unknown;
                entry.error = Some(format!(
                    "the registry's answer was lost ({err}) and checking failed; restore checks it"
                ));
            }
        }
        progress.inc(1);
    }
    fatal
}

/// The progress line while the registry carries out deletes it accepted for later.
fn waiting_message(progress: &indicatif::ProgressBar, settling: usize) {
    progress.set_message(match settling {
        0 => "deleting".to_owned(),
        n => format!(
            "deleting; waiting for the registry to carry out {}",
            crate::output::plural_count(n, "accepted delete", "accepted deletes")
        ),
    });
}

/// A deletion is done when the registry no longer has the manifest (waited for where it deletes
/// later) and the entry's tags no longer resolve to it (`verify`); a read that fails leaves the
/// outcome unknown.
async fn verified(
    client: &Client,
    entry: &Entry,
    outcome: Outcome,
    (known, observed, waiting): (Capabilities, &Observed, &(dyn Fn(usize) + Sync)),
) -> Outcome {
    if !matches!(outcome, Outcome::Deleted) {
        return outcome;
    }
    let at_once = match settle(client, entry, known, (observed, waiting)).await {
        Ok(Settled::AtOnce) => true,
        Ok(Settled::Later) => false,
        Ok(Settled::Lingering) => return Outcome::Lingering,
        Err(err) if err.refuses_all() => return Outcome::Failed(err),
        Err(err) => return Outcome::Unknown(err),
    };
    if entry.tags.is_empty() {
        return outcome;
    }
    match surviving_tags(client, entry, (known, at_once), observed).await {
        Ok(left) if left.is_empty() => outcome,
        Ok(left) => Outcome::TagsRemain(left),
        Err(err) if err.refuses_all() => Outcome::Failed(err),
        Err(err) => Outcome::Unknown(err),
    }
}

/// The entries not attempted yet whose turn it is: untags and planned manifests at once; a child
/// once every planned index of its repository that references it is confirmed gone; an attachment
/// once its subject is. One whose index or subject was not deleted is left pending, with why.
fn ready(journal: &mut Journal, attempted: &BTreeSet<usize>) -> Vec<usize> {
    // Each manifest the journal deletes, with its status (gone counts as deleted).
    let status: BTreeMap<(String, String), Status> = journal
        .entries
        .iter()
        .filter(|e| e.untag.is_none())
        .map(|e| {
            let gone = matches!(e.status, Status::Deleted | Status::AlreadyGone);
            let status = if gone { Status::Deleted } else { e.status };
            ((e.repository.clone(), e.digest.clone()), status)
        })
        .collect();
    let indexes: Vec<(String, String, BTreeSet<String>)> = journal
        .entries
        .iter()
        .filter(|e| e.untag.is_none() && is_index(&e.media_type))
        .map(|e| {
            let children = parse_children(e.manifest.as_bytes())
                .map(|c| c.into_iter().map(|c| c.digest).collect())
                .unwrap_or_default();
            (e.repository.clone(), e.digest.clone(), children)
        })
        .collect();
    let status_of = |repo: &str, digest: &str| status.get(&(repo.to_owned(), digest.to_owned()));
    let mut jobs = Vec::new();
    for (i, entry) in journal.entries.iter_mut().enumerate() {
        if attempted.contains(&i) || entry.status != Status::Pending {
            continue;
        }
        // (what must be gone first, its digest, its status)
        let blocker = if entry.parent.is_some() {
            indexes
                .iter()
                .filter(|(repo, digest, children)| {
                    *repo == entry.repository
                        && children.contains(&entry.digest)
                        && *digest != entry.digest
                })
                .map(|(repo, digest, _)| ("index", digest, status_of(repo, digest)))
                .find(|(.., status)| *status != Some(&Status::Deleted))
        } else if let Some(subject) = &entry.subject {
            Some(("subject", subject, status_of(&entry.repository, subject)))
                .filter(|(.., status)| status.is_some_and(|s| *s != Status::Deleted))
        } else {
            None
        };
        match blocker {
            None => jobs.push(i),
            Some((_, _, Some(Status::Pending))) => {}
            Some((what, digest, _)) => {
                entry.error = Some(format!(
                    "not attempted: its {what} {} was not deleted",
                    short_digest(digest)
                ));
            }
        }
    }
    jobs
}

/// The first Ctrl-C stops launching deletes (it sets both flags) and says what is awaited; the
/// second (seen by `delete_all`) abandons them.
async fn on_first_ctrl_c(
    mut presses: tokio::sync::watch::Receiver<u32>,
    flags: [Arc<AtomicBool>; 2],
    in_flight: Arc<Mutex<BTreeSet<usize>>>,
    printer: Printer,
) {
    if presses.wait_for(|n| *n >= 1).await.is_err() {
        return;
    }
    for flag in &flags {
        flag.store(true, Ordering::SeqCst);
    }
    let waiting = lock(&in_flight).len();
    printer.important(&format!(
        "stopping: waiting for {} in flight to be answered (up to 120 s each); press Ctrl-C again \
         to abort at once (what was sent is then read back, and `regsweep restore` checks every \
         manifest)",
        crate::output::plural_count(waiting, "delete", "deletes")
    ));
}
