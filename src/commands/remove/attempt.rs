//! One manifest's DELETE, never sent again blindly: when its answer is lost (a 5xx, a reset, a
//! timeout) the manifest is checked (HEAD; 404 means deleted) and deleted again only while it is
//! still there. What an attempt can end with, in the journal's words, is here too; the deleting
//! phase (`delete`), untagging (`untag`) and verification (`verify`) all use it.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::registry::{Client, Deleted, RegistryError, backoff};

/// DELETEs of one manifest at most (each after checking it is still there).
pub const DELETE_ATTEMPTS: u32 = 3;

/// How one manifest's deletion (or one entry's untagging) ended.
pub enum Outcome {
    Deleted,
    /// Gone before our first DELETE reached it.
    AlreadyGone,
    /// Still there (or refused): certainly not deleted.
    Failed(RegistryError),
    /// The DELETE's answer was lost and checking failed too.
    Unknown(RegistryError),
    /// The manifest is gone by digest, but these tags still resolve to it.
    TagsRemain(Vec<String>),
    /// The registry accepted the DELETE but still had the manifest when waiting for it ended.
    Lingering,
}

/// Deletes one manifest, checking after every DELETE whose outcome is unknown.
pub async fn delete_checked(
    client: &Client,
    repo: &str,
    digest: &str,
    stop: &AtomicBool,
) -> Outcome {
    let mut last = None;
    for attempt in 0..DELETE_ATTEMPTS {
        if attempt > 0 {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(backoff(attempt, None)).await;
        }
        let err = match client.delete_manifest(repo, digest).await {
            Ok(Deleted::Deleted) => return Outcome::Deleted,
            Ok(Deleted::AlreadyGone) if attempt == 0 => return Outcome::AlreadyGone,
            // An earlier DELETE was carried out after all; its answer was lost.
            Ok(Deleted::AlreadyGone) => return Outcome::Deleted,
            Err(err) if err.refuses_all() => return Outcome::Failed(err),
            Err(err) => err,
        };
        tracing::info!(repo, digest, error = %err, "DELETE failed; checking the manifest");
        match client.resolve(repo, digest).await {
            Ok(None) => return Outcome::Deleted,
            Ok(Some(_)) => last = Some(err),
            Err(check) => {
                tracing::info!(repo, digest, error = %check, "checking failed");
                return Outcome::Unknown(err);
            }
        }
    }
    match last {
        Some(err) => Outcome::Failed(err),
        None => Outcome::Unknown(RegistryError::Malformed {
            url: Box::new(client.address().endpoint("/v2/")),
            detail: "no DELETE was sent".into(),
        }),
    }
}

/// Why an entry whose manifest is gone by digest failed: its tags survive.
pub fn tags_remain(tags: &[String]) -> String {
    format!(
        "deleted by digest, but {} still {} to it: the registry keeps tags when a manifest is \
         deleted and does not delete them by tag",
        tags.join(", "),
        if tags.len() == 1 {
            "resolves"
        } else {
            "resolve"
        }
    )
}
