//! `restore [JOURNAL] [-r REPO...]`: undoing a removal from its journal.
//!
//! Every manifest of the journal that is no longer in the registry is PUT back with its exact bytes,
//! whatever its status says (a DELETE whose answer was lost may have been carried out; a run killed
//! half-way left its entries pending), children before indexes, and its tags re-pointed. A tag that
//! now points elsewhere (someone pushed since) is left alone. A PUT whose answer is lost is checked
//! before it is sent again (`put`). This works until the registry's garbage collector removes the
//! blobs; then the registry refuses the manifest and the report says so.
//!
//! Restore is done when the images pull, not when the PUTs are answered: everything it put back or
//! found still there is read back, with every child of an index (`verify`). On a registry that
//! carries out deletes later (Pulp), a manifest found still there may be on its way out: restore
//! watches until the registry is quiet and puts back what went meanwhile.

mod put;
mod report;
mod verify;

use anyhow::bail;
use jiff::Timestamp;

use super::Context;
use crate::exit::{ExitStatus, UsageError};
use crate::inventory::{Inventory, MediaType, Referrer, TagEntry, Untagged};
use crate::journal::{self, Entry, Journal};
use crate::media_type::is_index;
use crate::settings::RestoreSettings;
use put::{Outcome, Result as Restored, restore_entry};

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
    // Every entry, whatever its status: each is checked against the registry. Children (and plain
    // images) before the indexes that reference them; images before their attachments
    // (signatures, SBOMs), and those in the same order.
    let mut wanted: Vec<&Entry> = journal
        .entries
        .iter()
        .filter(|e| repos.is_empty() || repos.contains(&e.repository))
        .collect();
    wanted.sort_by_key(|e| phase(e));
    ctx.printer.note(&format!(
        "restoring {} from {}",
        crate::output::plural_count(wanted.len(), "manifest", "manifests"),
        path.display()
    ));
    let started = std::time::Instant::now();
    let progress = ctx.printer.progress("manifests");
    progress.set_message("restoring");
    progress.set_length(wanted.len() as u64);
    let mut outcomes = Vec::with_capacity(wanted.len());
    // `wanted` is sorted by phase, so the batches keep its order: `outcomes[i]` is `wanted[i]`'s.
    for batch in phases(&wanted, |_| true) {
        let (wanted, progress) = (&wanted, &progress);
        let restored = batch.iter().map(|&i| async move {
            let outcome = restore_entry(client, wanted[i]).await;
            progress.inc(1);
            outcome
        });
        outcomes.extend(futures::future::join_all(restored).await);
    }
    progress.finish_and_clear();
    let later = journal.deletes_later || cached_deletes_later(ctx)?;
    verify::until_the_images_pull(client, &wanted, &mut outcomes, (later, &ctx.printer)).await;
    let tally = report::Tally::of(&outcomes);
    ctx.printer
        .done(&format!("restore: {}", tally.describe()), started);
    ctx.printer.phase("restore", started);
    update_cache(ctx, &outcomes, &journal)?;
    ctx.printer.rows(&report::Report::new(outcomes))?;
    if tally.failed > 0 {
        bail!(RestoreIncomplete {
            failed: tally.failed,
            total: tally.total(),
        });
    }
    Ok(ExitStatus::Success)
}

/// Which batch an entry is restored in: plain images and children, then indexes, then attachments
/// of either.
fn phase(e: &Entry) -> (bool, bool) {
    (e.subject.is_some(), is_index(&e.media_type))
}

/// The indexes of the entries `keep` accepts, in batches by phase (each batch can go at once).
fn phases(wanted: &[&Entry], keep: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    [(false, false), (false, true), (true, false), (true, true)]
        .into_iter()
        .map(|now| {
            (0..wanted.len())
                .filter(|&i| phase(wanted[i]) == now && keep(i))
                .collect::<Vec<_>>()
        })
        .filter(|batch| !batch.is_empty())
        .collect()
}

/// Whether the cache remembers this registry carrying out deletes later.
fn cached_deletes_later(ctx: &Context) -> anyhow::Result<bool> {
    let Some(file) = ctx.cache()? else {
        return Ok(false);
    };
    Ok(file
        .capabilities(ctx.registry()?)
        .is_some_and(|c| c.deletes_later == Some(true)))
}

/// Some manifests could not be put back (exit code: partial failure).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} manifests could not be restored (listed above)")]
pub struct RestoreIncomplete {
    pub failed: usize,
    pub total: usize,
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
    for outcome in outcomes.iter().filter(|o| o.result == Restored::Restored) {
        let Some(entry) = journal
            .entries
            .iter()
            .find(|e| e.repository == outcome.repository && e.digest == outcome.digest)
        else {
            continue;
        };
        let media_type = Some(MediaType::from(&entry.media_type));
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
