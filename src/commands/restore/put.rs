//! Putting one journal entry back: its manifest by its exact bytes, and each tag that no longer
//! points anywhere (or still points to one of regsweep's throwaway manifests after an interrupted
//! untag). A tag someone has pointed elsewhere since is left alone.

use anyhow::{Context as _, bail};
use bytes::Bytes;
use serde::Serialize;

use crate::journal::Entry;
use crate::registry::{Client, RegistryError, backoff};

/// PUTs of one manifest or tag at most, each after checking the last one was not carried out.
const PUT_ATTEMPTS: u32 = 3;

/// What restore did with one journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Result {
    /// Put back (the manifest, or some of its tags).
    Restored,
    /// The manifest and its tags were in the registry: nothing to do.
    StillThere,
    Failed,
}

/// What happened to one journal entry.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub repository: String,
    pub digest: String,
    pub result: Result,
    pub restored_tags: Vec<String>,
    /// Tags that point elsewhere now and were left alone.
    pub skipped_tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Outcome {
    pub fn failed(&mut self, why: String) {
        self.result = Result::Failed;
        self.error = Some(why);
    }
}

pub async fn restore_entry(client: &Client, entry: &Entry) -> Outcome {
    let mut outcome = Outcome {
        repository: entry.repository.clone(),
        digest: entry.digest.clone(),
        result: Result::Restored,
        restored_tags: Vec::new(),
        skipped_tags: Vec::new(),
        error: None,
    };
    if let Err(err) = restore_into(client, entry, &mut outcome).await {
        outcome.failed(explain(&err));
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
        outcome.result = Result::StillThere;
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
