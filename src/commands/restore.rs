//! `restore [JOURNAL] [-r REPO...]` and `journal list`: undoing a removal from its journal.
//!
//! Every manifest of the journal that is no longer in the registry is PUT back with its exact bytes,
//! whatever its status says (a DELETE whose answer was lost may have been carried out; a run killed
//! half-way left its entries pending), children before indexes, and its tags re-pointed. A tag that
//! now points elsewhere (someone pushed since) is left alone. A PUT whose answer is lost is checked
//! before it is sent again. This works until the registry's garbage collector removes the blobs; then
//! the registry refuses the manifest and the report says so.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use serde::Serialize;

use super::{Context, cache_file};
use crate::cache::TagEntry;
use crate::exit::{ExitStatus, UsageError};
use crate::journal::{self, Entry, Journal, Status};
use crate::output::short_digest;
use crate::registry::manifest::is_index;
use crate::registry::{Client, RegistryAddress, RegistryError, backoff};

/// PUTs of one manifest or tag at most, each after checking the last one was not carried out.
const PUT_ATTEMPTS: u32 = 3;
use crate::settings::{OutputFormat, Settings};

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

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    path: Option<&Path>,
    repos: &[String],
) -> anyhow::Result<ExitStatus> {
    let registry = settings.registry()?.clone();
    let path = match path {
        Some(path) => path.to_owned(),
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
    let client = Client::new(settings.client_config()?)?;
    // Every entry, whatever its status: each is checked against the registry.
    let mut wanted: Vec<&Entry> = journal
        .entries
        .iter()
        .filter(|e| repos.is_empty() || repos.contains(&e.repository))
        .collect();
    // Children (and plain images) before the indexes that reference them.
    wanted.sort_by_key(|e| is_index(&e.media_type));
    ctx.printer.note(&format!(
        "restoring {} manifests from {}",
        wanted.len(),
        path.display()
    ));
    let mut outcomes = Vec::new();
    for phase in [false, true] {
        let batch = wanted.iter().filter(|e| is_index(&e.media_type) == phase);
        outcomes.extend(
            futures::future::join_all(batch.map(|entry| restore_entry(&client, entry))).await,
        );
    }
    update_cache(settings, ctx, &registry, &outcomes, &journal)?;
    report(ctx, &outcomes)?;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    if failed > 0 {
        bail!(RestoreIncomplete {
            failed,
            total: outcomes.len()
        });
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
            Err(err) if err.is_refusal() || !err.is_transient() => return Err(err.into()),
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
        matches!(cause.downcast_ref::<RegistryError>(),
            Some(RegistryError::Unexpected { detail, .. } | RegistryError::NotFound { detail, .. })
                if detail.code.as_deref() == Some("MANIFEST_BLOB_UNKNOWN")
                    || detail.code.as_deref() == Some("BLOB_UNKNOWN"))
    });
    if blob_gone {
        "cannot be restored: a blob it needs is gone (the registry's garbage collection ran)"
            .to_owned()
    } else {
        format!("{err:#}")
    }
}

/// Puts the restored tags back into the cache, if there is one.
fn update_cache(
    settings: &Settings,
    ctx: &Context,
    registry: &RegistryAddress,
    outcomes: &[Outcome],
    journal: &Journal,
) -> anyhow::Result<()> {
    let Some(file) = cache_file(settings, ctx)? else {
        return Ok(());
    };
    file.update(registry, |current| {
        let mut inventory = current?;
        add_restored(&mut inventory, outcomes, journal);
        Some(inventory)
    })?;
    Ok(())
}

fn add_restored(inventory: &mut crate::cache::Inventory, outcomes: &[Outcome], journal: &Journal) {
    for outcome in outcomes {
        let media_type = journal
            .entries
            .iter()
            .find(|e| e.digest == outcome.digest)
            .map(|e| e.media_type.clone());
        let repository = inventory
            .repositories
            .entry(outcome.repository.clone())
            .or_default();
        for tag in &outcome.restored_tags {
            repository.tags.insert(
                tag.clone(),
                TagEntry {
                    digest: outcome.digest.clone(),
                    media_type: media_type.clone(),
                },
            );
        }
    }
}

fn report(ctx: &Context, outcomes: &[Outcome]) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    if printer.format() == OutputFormat::Json {
        printer.json(outcomes)?;
        return Ok(());
    }
    let rows = outcomes
        .iter()
        .map(|o| {
            let result = match (&o.error, o.skipped_tags.is_empty()) {
                (Some(err), _) => err.clone(),
                (None, true) if o.already_there => "still there".to_owned(),
                (None, true) => "restored".to_owned(),
                (None, false) => format!(
                    "restored; left alone (they point elsewhere now): {}",
                    o.skipped_tags.join(", ")
                ),
            };
            vec![
                o.repository.clone(),
                o.restored_tags.join(", "),
                short_digest(&o.digest),
                result,
            ]
        })
        .collect();
    printer.table(&["REPOSITORY", "TAGS", "DIGEST", "RESULT"], rows)?;
    Ok(())
}

#[derive(Serialize)]
struct JournalRow {
    path: String,
    created_at: String,
    registry: String,
    command: String,
    manifests: usize,
    tags: usize,
    deleted: usize,
    pending: usize,
    failed: usize,
}

/// `journal list`: the journals of the registry (of every registry without `--registry`).
pub fn list(settings: &Settings, ctx: &Context) -> anyhow::Result<ExitStatus> {
    let dirs: Vec<PathBuf> = match settings.registry() {
        Ok(registry) => vec![journal::dir_for(registry)?],
        Err(_) => {
            let root = journal::root()?;
            match std::fs::read_dir(&root) {
                Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
                Err(_) => Vec::new(),
            }
        }
    };
    let mut rows = Vec::new();
    for dir in dirs {
        for path in journal::list(&dir)? {
            let journal = journal::load(&path)?;
            let count = |status| {
                journal
                    .entries
                    .iter()
                    .filter(|e| e.status == status)
                    .count()
            };
            rows.push(JournalRow {
                path: path.display().to_string(),
                created_at: journal.created_at.to_string(),
                registry: journal.registry.clone(),
                command: journal.command.clone(),
                manifests: journal.entries.len(),
                tags: journal.entries.iter().map(|e| e.tags.len()).sum(),
                deleted: count(Status::Deleted),
                pending: count(Status::Pending),
                failed: count(Status::Failed),
            });
        }
    }
    let printer = &ctx.printer;
    match printer.format() {
        OutputFormat::Json => printer.json(&rows)?,
        OutputFormat::Plain => printer.lines(rows.iter().map(|r| {
            format!(
                "{}  {}  {}  {} manifests  {} tags  {} deleted  {} pending  {} failed",
                r.created_at,
                r.registry,
                r.path,
                r.manifests,
                r.tags,
                r.deleted,
                r.pending,
                r.failed
            )
        }))?,
        OutputFormat::Table => printer.table(
            &[
                "TIME",
                "REGISTRY",
                "COMMAND",
                "MANIFESTS",
                "TAGS",
                "DELETED",
                "PENDING",
                "FAILED",
                "FILE",
            ],
            rows.iter()
                .map(|r| {
                    vec![
                        r.created_at.clone(),
                        r.registry.clone(),
                        r.command.clone(),
                        r.manifests.to_string(),
                        r.tags.to_string(),
                        r.deleted.to_string(),
                        r.pending.to_string(),
                        r.failed.to_string(),
                        r.path.clone(),
                    ]
                })
                .collect(),
        )?,
    }
    Ok(ExitStatus::Success)
}
