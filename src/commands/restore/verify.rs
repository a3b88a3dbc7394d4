//! Restore is done when the images pull: every manifest it put back or found still there is read
//! back by digest, each of its tags must point to it, and each child of an index must be there.
//! What is missing is put back again (children before indexes), a few rounds at most.
//!
//! On a registry that carries out deletes later (Pulp: 202, then a background task removes the
//! manifest, its tags and an index's children), a manifest restore found "still there" may be on
//! its way out. There the reading goes on until nothing has gone missing for `QUIET_FOR`, bounded
//! by `WATCH_LIMIT`; what never stays is reported as not restored.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::phases;
use super::put::{Outcome, Result as Restored, restore_entry};
use crate::details::parse_children;
use crate::journal::Entry;
use crate::media_type::is_index;
use crate::output::{Printer, plural_count, short_digest};
use crate::registry::{Client, RegistryError};

/// Rounds of putting back what went missing, at most.
const ROUNDS: usize = 4;
/// On a registry that deletes later: how long nothing may go missing before restore is done.
const QUIET_FOR: Duration = Duration::from_secs(10);
/// On a registry that deletes later: how long restore watches at most.
const WATCH_LIMIT: Duration = Duration::from_secs(90);
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Reads back what restore did until the images pull (or the rounds or the time run out), putting
/// back what is missing; what never resolves fails its entry. `outcomes[i]` is `wanted[i]`'s.
pub async fn until_the_images_pull(
    client: &Client,
    wanted: &[&Entry],
    outcomes: &mut [Outcome],
    (later, printer): (bool, &Printer),
) {
    if later {
        printer.note(&format!(
            "the registry carries out deletes later: watching the restored images until nothing \
             has gone missing for {} s (at most {} s)",
            QUIET_FOR.as_secs(),
            WATCH_LIMIT.as_secs()
        ));
    }
    let started = Instant::now();
    let mut quiet_since = Instant::now();
    let mut rounds = 0;
    loop {
        let missing = check_all(client, wanted, outcomes).await;
        if missing.is_empty() {
            let watched_enough =
                quiet_since.elapsed() >= QUIET_FOR || started.elapsed() >= WATCH_LIMIT;
            if !later || watched_enough {
                return;
            }
            tokio::time::sleep(WATCH_EVERY).await;
            continue;
        }
        rounds += 1;
        if rounds > ROUNDS || (later && started.elapsed() >= WATCH_LIMIT) {
            for (i, what) in missing {
                outcomes[i].failed(format!(
                    "put back, but {what} did not resolve afterwards (the registry removed it \
                     again, or never kept it)"
                ));
            }
            return;
        }
        printer.note(&format!(
            "{} missing after restore; putting {} back",
            plural_count(
                missing.len(),
                "manifest (or its tags) went",
                "manifests went"
            ),
            if missing.len() == 1 { "it" } else { "them" }
        ));
        quiet_since = Instant::now();
        let again: BTreeSet<usize> = missing.into_iter().map(|(i, _)| i).collect();
        for batch in phases(wanted, |i| again.contains(&i)) {
            let restored = batch
                .iter()
                .map(|&i| async move { (i, restore_entry(client, wanted[i]).await) });
            for (i, outcome) in futures::future::join_all(restored).await {
                merge(&mut outcomes[i], outcome);
            }
        }
    }
}

/// A second attempt's outcome over the first's: what was restored either time was restored.
fn merge(first: &mut Outcome, again: Outcome) {
    let mut tags = std::mem::take(&mut first.restored_tags);
    tags.extend(again.restored_tags);
    tags.sort();
    tags.dedup();
    *first = Outcome {
        result: match again.result {
            Restored::StillThere if first.result == Restored::Restored => Restored::Restored,
            result => result,
        },
        restored_tags: tags,
        ..again
    };
}

/// What is missing of each entry that did not fail: `(index, what)`.
async fn check_all(
    client: &Client,
    wanted: &[&Entry],
    outcomes: &[Outcome],
) -> Vec<(usize, String)> {
    let checks = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.result != Restored::Failed)
        .map(|(i, o)| async move { (i, missing(client, wanted[i], o).await) });
    futures::future::join_all(checks)
        .await
        .into_iter()
        .filter_map(|(i, missing)| match missing {
            Ok(parts) if parts.is_empty() => None,
            Ok(parts) => Some((i, parts.join(", "))),
            Err(err) => Some((i, format!("(it could not be read back: {err})"))),
        })
        .collect()
}

/// What of an entry does not resolve now: the manifest, a tag of it that restore did not leave
/// alone, a child of an index.
async fn missing(
    client: &Client,
    entry: &Entry,
    outcome: &Outcome,
) -> Result<Vec<String>, RegistryError> {
    let repo = &entry.repository;
    let mut parts = Vec::new();
    if client.resolve(repo, &entry.digest).await?.is_none() {
        parts.push(format!("{repo}@{}", short_digest(&entry.digest)));
    }
    let ours = entry
        .tags
        .iter()
        .filter(|t| !outcome.skipped_tags.contains(t));
    for tag in ours {
        let now = client.resolve(repo, tag).await?;
        if now.is_none_or(|m| m.digest != entry.digest) {
            parts.push(format!("{repo}:{tag}"));
        }
    }
    if is_index(&entry.media_type) {
        let children = parse_children(entry.manifest.as_bytes()).unwrap_or_default();
        for child in children {
            if client.resolve(repo, &child.digest).await?.is_none() {
                parts.push(format!("its child {}", short_digest(&child.digest)));
            }
        }
    }
    Ok(parts)
}
