//! A removal is done when the registry says so. After a manifest is deleted by digest, each of its
//! tags must no longer resolve to it: Docker's registry drops them, go-containerregistry's keeps
//! them (and keeps serving the manifest under them). A tag that survives is deleted by tag where
//! the registry does that (found out by doing it, never assumed; remembered per registry), and
//! otherwise the entry fails: never reported as success.

use std::sync::Mutex;

use crate::inventory::Capabilities;
use crate::journal::Entry;
use crate::registry::{Client, Deleted, RegistryError};

/// What deleting taught about the registry, for the cache.
#[derive(Debug, Default)]
pub struct Observed(Mutex<Capabilities>);

impl Observed {
    pub fn capabilities(&self) -> Capabilities {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn note(&self, change: impl FnOnce(&mut Capabilities)) {
        change(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// The tags of a deleted entry that still resolve to its digest after the tag deletes the registry
/// allows; empty when the removal is complete. `known` is what the cache remembers.
pub async fn surviving_tags(
    client: &Client,
    entry: &Entry,
    known: Capabilities,
    observed: &Observed,
) -> Result<Vec<String>, RegistryError> {
    let survivors = still_resolving(client, entry, &entry.tags).await?;
    if known.delete_drops_tags.is_none() {
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
async fn still_resolving(
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
