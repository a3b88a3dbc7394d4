//! Removing tags and leaving their manifest, checked like a delete: before each tag goes, it must
//! still point to the journal's digest (a tag someone moved since the re-check is left alone); an
//! answer that is lost is checked (the tag read again) before anything is sent again.
//!
//! By tag (`DELETE /v2/REPO/manifests/TAG`, where the probe found the registry removes just the tag),
//! or the portable way: the tag is moved onto a throwaway manifest of its own, which is then deleted
//! by digest, taking only that tag with it.

use std::sync::atomic::{AtomicBool, Ordering};

use super::attempt::{Outcome, delete_checked};
use crate::journal::Entry;
use crate::registry::{Client, Deleted, RegistryError, UntagMethod, backoff};

/// Attempts at one step at most.
const ATTEMPTS: u32 = 3;

/// Removes every tag of the entry; `Deleted` when all are gone.
pub(super) async fn untag_checked(
    client: &Client,
    entry: &Entry,
    method: UntagMethod,
    stop: &AtomicBool,
) -> Outcome {
    let mut removed = 0;
    for tag in &entry.tags {
        if stop.load(Ordering::SeqCst) && removed > 0 {
            break;
        }
        match untag_one(client, entry, tag, method).await {
            Ok(()) => removed += 1,
            Err(outcome) => return outcome,
        }
    }
    if removed == entry.tags.len() {
        Outcome::Deleted
    } else {
        Outcome::Unknown(RegistryError::Malformed {
            url: Box::new(client.address().endpoint("/v2/")),
            detail: format!(
                "interrupted after {removed} of {} tags; restore checks them",
                entry.tags.len()
            ),
        })
    }
}

/// Where a tag points now: `None` when it is gone.
async fn points_to(client: &Client, repo: &str, tag: &str) -> Result<Option<String>, Outcome> {
    match client.resolve(repo, tag).await {
        Ok(found) => Ok(found.map(|m| m.digest)),
        Err(err) => Err(Outcome::Unknown(err)),
    }
}

/// A tag moved by someone else since the plan was checked: left alone.
fn moved(client: &Client, repo: &str, tag: &str, to: &str) -> Outcome {
    Outcome::Failed(RegistryError::Malformed {
        url: Box::new(
            client
                .address()
                .endpoint(&format!("/v2/{repo}/manifests/{tag}")),
        ),
        detail: format!("the tag {tag} now points to {to}; left alone"),
    })
}

async fn untag_one(
    client: &Client,
    entry: &Entry,
    tag: &str,
    method: UntagMethod,
) -> Result<(), Outcome> {
    let repo = &entry.repository;
    match points_to(client, repo, tag).await? {
        None => return Ok(()),
        Some(digest) if digest != entry.digest => return Err(moved(client, repo, tag, &digest)),
        Some(_) => {}
    }
    match method {
        UntagMethod::DeleteByTag => delete_by_tag(client, entry, tag).await,
        UntagMethod::Placeholder => via_placeholder(client, entry, tag).await,
    }
}

async fn delete_by_tag(client: &Client, entry: &Entry, tag: &str) -> Result<(), Outcome> {
    let repo = &entry.repository;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(backoff(attempt, None)).await;
        }
        let err = match client.delete_tag(repo, tag).await {
            Ok(Deleted::Deleted | Deleted::AlreadyGone) => return Ok(()),
            Err(err) if err.refuses_all() => return Err(Outcome::Failed(err)),
            Err(err) => err,
        };
        tracing::info!(repo, tag, error = %err, "DELETE of a tag failed; checking the tag");
        match points_to(client, repo, tag).await? {
            None => return Ok(()),
            Some(digest) if digest == entry.digest => {
                if attempt + 1 == ATTEMPTS {
                    return Err(Outcome::Failed(err));
                }
            }
            Some(digest) => return Err(moved(client, repo, tag, &digest)),
        }
    }
    unreachable_outcome(client)
}

/// Moves the tag onto a throwaway manifest, then deletes that manifest by digest.
async fn via_placeholder(client: &Client, entry: &Entry, tag: &str) -> Result<(), Outcome> {
    let repo = &entry.repository;
    let mut placeholder = None;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(backoff(attempt, None)).await;
        }
        let err = match client.push_placeholder(repo, tag, "untag").await {
            Ok((digest, _)) => {
                placeholder = Some(digest);
                break;
            }
            Err(err) if err.refuses_all() || !err.is_transient() => {
                return Err(Outcome::Failed(err));
            }
            Err(err) => err,
        };
        // The PUT's answer was lost: did the tag move onto a placeholder of ours?
        match points_to(client, repo, tag).await? {
            None => return Ok(()),
            Some(digest) if digest == entry.digest => {
                if attempt + 1 == ATTEMPTS {
                    return Err(Outcome::Failed(err));
                }
            }
            Some(digest) if client.is_placeholder(repo, &digest).await => {
                placeholder = Some(digest);
                break;
            }
            Some(digest) => return Err(moved(client, repo, tag, &digest)),
        }
    }
    let Some(placeholder) = placeholder else {
        return unreachable_outcome(client);
    };
    let stop = AtomicBool::new(false);
    match delete_checked(client, repo, &placeholder, &stop).await {
        Outcome::Deleted | Outcome::AlreadyGone => Ok(()),
        // The tag points to a throwaway manifest now; the journal (and restore) put it back.
        other => Err(other),
    }
}

fn unreachable_outcome(client: &Client) -> Result<(), Outcome> {
    Err(Outcome::Unknown(RegistryError::Malformed {
        url: Box::new(client.address().endpoint("/v2/")),
        detail: "no attempt was made".into(),
    }))
}
