//! `restore [JOURNAL] [-r REPO...]`: undoing a removal from its journal.
//!
//! Every manifest of the journal that is no longer in the registry is PUT back with its exact bytes,
//! whatever its status says (a DELETE whose answer was lost may have been carried out; a run killed
//! half-way left its entries pending), children before indexes, and its tags re-pointed. A tag that
//! now points elsewhere (someone pushed since) is left alone. A PUT whose answer is lost is checked
//! before it is sent again. This works until the registry's garbage collector removes the blobs; then
//! the registry refuses the manifest and the report says so.

use anyhow::{Context as _, bail};
use bytes::Bytes;
use jiff::Timestamp;
use serde::Serialize;

use super::Context;
use crate::exit::{ExitStatus, UsageError};
use crate::inventory::{Inventory, Referrer, TagEntry, Untagged};
use crate::journal::{self, Entry, Journal};
use crate::media_type::is_index;
use crate::output::{Rows, short_digest};
use crate::registry::{Client, RegistryError, backoff};
use crate::settings::RestoreSettings;

/// PUTs of one manifest or tag at most, each after checking the last one was not carried out.
const PUT_ATTEMPTS: u32 = 3;

/// What happened to one journal entry.
#[derive(Debug, Serialize)]
struct Outcome {
    repository: String,
    digest: String,
    restored_tags: Vec<String>,
    /// Tags that point elsewhere now and were left alone.
    skipped_tags: Vec<String>,
    /// The manifest (and its tags) was still in the registry: nothing to do.
    already_there: bool,
    error: Option<String>,
}

pub async fn run(ctx: &Context, settings: &RestoreSettings) -> anyhow::Result<ExitStatus> {
    let registry = ctx.registry()?.clone();
    let repos = &settings.repos;
    let path = match &settings.journal {
        Some(path) => path.clone(),
        None => journal::newest(&registry)?,
    };
    let journal = journal::load(&path)?;
    if journal.registry != registry.to_string() {
        bail!(UsageError::with_hint(
            format!(
                "journal {} is of registry {}, not {registry}",
                path.display(),
                journal.registry
            ),
            format!("pass --registry {}", journal.registry),
        ));
    }
    let client = ctx.client()?;
    // Every entry, whatever its status: each is checked against the registry.
    let mut wanted: Vec<&Entry> = journal
        .entries
        .iter()
        .filter(|e| repos.is_empty() || repos.contains(&e.repository))
        .collect();
    // Children (and plain images) before the indexes that reference them; images before their
    // attachments (signatures, SBOMs), and those in the same order.
    let phase = |e: &Entry| (e.subject.is_some(), is_index(&e.media_type));
    wanted.sort_by_key(|e| phase(e));
    ctx.printer.note(&format!(
        "restoring {} manifests from {}",
        wanted.len(),
        path.display()
    ));
    let started = std::time::Instant::now();
    let progress = ctx.printer.progress("manifests");
    progress.set_message("restoring");
    progress.set_length(wanted.len() as u64);
    let mut outcomes = Vec::new();
    for now in [(false, false), (false, true), (true, false), (true, true)] {
        let batch = wanted.iter().filter(|e| phase(e) == now);
        let restored = batch.map(|entry| async {
            let outcome = restore_entry(client, entry).await;
            progress.inc(1);
            outcome
        });
        outcomes.extend(futures::future::join_all(restored).await);
    }
    progress.finish_and_clear();
    ctx.printer.done(
        &format!(
            "restored {} manifests",
            crate::output::count(outcomes.len())
        ),
        started,
    );
    ctx.printer.phase("restore", started);
    update_cache(ctx, &outcomes, &journal)?;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    let total = outcomes.len();
    ctx.printer.rows(&Outcomes(outcomes))?;
    if failed > 0 {
        bail!(RestoreIncomplete { failed, total });
    }
    Ok(ExitStatus::Success)
}

/// Some manifests could not be put back (exit code: partial failure).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} manifests could not be restored (listed above)")]
pub struct RestoreIncomplete {
    pub failed: usize,
    pub total: usize,
}

async fn restore_entry(client: &Client, entry: &Entry) -> Outcome {
    let mut outcome = Outcome {
        repository: entry.repository.clone(),
        digest: entry.digest.clone(),
        restored_tags: Vec::new(),
        skipped_tags: Vec::new(),
        already_there: false,
        error: None,
    };
    if let Err(err) = restore_into(client, entry, &mut outcome).await {
        outcome.error = Some(explain(&err));
    }
    outcome
}

async fn restore_into(client: &Client, entry: &Entry, outcome: &mut Outcome) -> anyhow::Result<()> {
    let repo = &entry.repository;
    let present = client
        .resolve(repo, &entry.digest)
        .await
        .with_context(|| format!("checking {repo}@{}", entry.digest))?
        .is_some();
    let mut missing_tags = Vec::new();
    for tag in &entry.tags {
        let now = client
            .resolve(repo, tag)
            .await
            .with_context(|| format!("reading {repo}:{tag}"))?;
        match now {
            Some(current) if current.digest == entry.digest => {}
            // An untag interrupted half-way left the tag on one of regsweep's throwaway manifests.
            Some(current)
                if entry.untag.is_some() && client.is_placeholder(repo, &current.digest).await =>
            {
                missing_tags.push(tag.clone());
            }
            Some(_) => outcome.skipped_tags.push(tag.clone()),
            None => missing_tags.push(tag.clone()),
        }
    }
    if present && missing_tags.is_empty() {
        outcome.already_there = true;
        return Ok(());
    }
    for tag in missing_tags {
        put_checked(client, entry, &tag).await?;
        outcome.restored_tags.push(tag);
    }
    if !present && outcome.restored_tags.is_empty() {
        // Untagged (an index's child) or every tag points elsewhere now: back by digest.
        put_checked(client, entry, &entry.digest).await?;
    }
    Ok(())
}

/// PUTs the entry's bytes under `reference` (a tag or its digest). A PUT whose answer is lost is not
/// sent again blindly: the reference is read first, and only PUT again if it does not point to the
/// entry's digest.
async fn put_checked(client: &Client, entry: &Entry, reference: &str) -> anyhow::Result<()> {
    let bytes = Bytes::from(entry.manifest.clone().into_bytes());
    let repo = &entry.repository;
    let mut attempt = 0;
    loop {
        let err = match client
            .put_manifest(repo, reference, &entry.media_type, &bytes)
            .await
        {
            Ok(digest) if digest == entry.digest => return Ok(()),
            Ok(digest) => bail!("the registry stored it as {digest}, not {}", entry.digest),
            Err(err) if err.refuses_all() || !err.is_transient() => return Err(err.into()),
            Err(err) => err,
        };
        let now = client.resolve(repo, reference).await?;
        if now.is_some_and(|m| m.digest == entry.digest) {
            return Ok(());
        }
        attempt += 1;
        if attempt >= PUT_ATTEMPTS {
            return Err(err.into());
        }
        tokio::time::sleep(backoff(attempt, None)).await;
    }
}

/// A failed PUT in words a user can act on: a blob the manifest needs is gone once garbage
/// collection has run (the registry answers MANIFEST_BLOB_UNKNOWN).
fn explain(err: &anyhow::Error) -> String {
    let blob_gone = err.chain().any(|cause| {
        cause
            .downcast_ref::<RegistryError>()
            .is_some_and(RegistryError::is_blob_unknown)
    });
    if blob_gone {
        "cannot be restored: a blob it needs is gone (the registry's garbage collection ran)"
            .to_owned()
    } else {
        format!("{err:#}")
    }
}

/// Puts the restored tags back into the cache, if there is one.
fn update_cache(ctx: &Context, outcomes: &[Outcome], journal: &Journal) -> anyhow::Result<()> {
    let Some(file) = ctx.cache()? else {
        return Ok(());
    };
    file.update(ctx.registry()?, |current| {
        let mut inventory = current?;
        add_restored(&mut inventory, outcomes, journal);
        Some(inventory)
    })?;
    Ok(())
}

fn add_restored(inventory: &mut Inventory, outcomes: &[Outcome], journal: &Journal) {
    for outcome in outcomes
        .iter()
        .filter(|o| o.error.is_none() && !o.already_there)
    {
        let Some(entry) = journal
            .entries
            .iter()
            .find(|e| e.repository == outcome.repository && e.digest == outcome.digest)
        else {
            continue;
        };
        let media_type = Some(entry.media_type.clone());
        let repository = inventory
            .repositories
            .entry(outcome.repository.clone())
            .or_default();
        for tag in &outcome.restored_tags {
            repository.tags.insert(
                tag.clone(),
                TagEntry::new(outcome.digest.clone(), media_type.clone()),
            );
        }
        if !outcome.restored_tags.is_empty() || entry.parent.is_some() {
            repository.untagged.remove(&entry.digest);
        } else if let Some(subject) = &entry.subject {
            // Back by digest: a referrer of its image again.
            repository.referrers.insert(
                entry.digest.clone(),
                Referrer {
                    subject: subject.clone(),
                    media_type,
                    artifact_type: None,
                },
            );
        } else {
            repository.untagged.insert(
                entry.digest.clone(),
                Untagged {
                    since: Timestamp::now(),
                    media_type,
                    tags: entry.tags.clone(),
                },
            );
        }
    }
}

/// What happened to each manifest; a table in plain output too (it is a report for people).
struct Outcomes(Vec<Outcome>);

impl Rows for Outcomes {
    type Row = Outcome;

    fn rows(&self) -> &[Outcome] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAGS", "DIGEST", "RESULT"]
    }

    fn cells(&self, o: &Outcome) -> Vec<String> {
        vec![
            o.repository.clone(),
            o.restored_tags.join(", "),
            short_digest(&o.digest),
            o.result(),
        ]
    }

    fn plain(&self, o: &Outcome) -> String {
        self.cells(o).join("  ")
    }

    fn plain_is_table(&self) -> bool {
        true
    }
}

impl Outcome {
    fn result(&self) -> String {
        match (&self.error, self.skipped_tags.is_empty()) {
            (Some(err), _) => err.clone(),
            (None, true) if self.already_there => "still there".to_owned(),
            (None, true) => "restored".to_owned(),
            (None, false) => format!(
                "restored; left alone (they point elsewhere now): {}",
                self.skipped_tags.join(", ")
            ),
        }
    }
}
