//! What removal writes before it deletes, and what `restore` reads: the exact bytes of every manifest
//! to be deleted, with its media type, repository and tags, in
//! `<user data dir>/regsweep/journal/<registry>/<time>.json`.
//!
//! The journal is written (and synced) before the first DELETE, and rewritten with each manifest's
//! outcome afterwards. It never holds a credential.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::files::write_atomically;
use crate::names::{is_digest, is_repository_name, is_tag};
use crate::registry::{RegistryAddress, UntagMethod};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub schema: u32,
    pub registry: String,
    pub created_at: Timestamp,
    /// The command that wrote it (`remove-tags`, `remove-repos`).
    pub command: String,
    /// The registry accepted deletes it carried out later (or had not carried out when the run
    /// ended): `restore` then watches what it restores until the registry is quiet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deletes_later: bool,
    pub entries: Vec<Entry>,
}

/// One manifest removal meant to delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub repository: String,
    pub digest: String,
    pub media_type: String,
    /// The tags that pointed to it (none for an index's child).
    pub tags: Vec<String>,
    /// For a child deleted with its index: the index's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// For an attachment (signature, SBOM, attestation) deleted with its image: the image's digest.
    /// It is deleted after its subject and restored after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Set when only `tags` were removed and the manifest stayed, with how. `Deleted` then means
    /// the tags are gone; `restore` points them back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untag: Option<UntagMethod>,
    /// The manifest's exact bytes (manifests are JSON, so UTF-8).
    pub manifest: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not deleted (yet): the run stopped or was interrupted before it.
    Pending,
    Deleted,
    /// Someone else deleted it first.
    AlreadyGone,
    /// Still there after the DELETE, or refused.
    Failed,
    /// The DELETE's answer was lost and checking whether it was carried out failed too.
    Unknown,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no data directory on this system")]
    NoDataDir,
    #[error("cannot {action} journal {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("journal {} is not a regsweep journal: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("no journal for {registry} in {}", dir.display())]
    NoneYet { registry: String, dir: PathBuf },
}

/// `<user data dir>/regsweep/journal`.
pub fn root() -> Result<PathBuf, JournalError> {
    Ok(dirs::data_dir()
        .ok_or(JournalError::NoDataDir)?
        .join("regsweep")
        .join("journal"))
}

/// The directory of one registry's journals.
pub fn dir_for(registry: &RegistryAddress) -> Result<PathBuf, JournalError> {
    Ok(root()?.join(registry.file_stem()))
}

/// A new journal's path: the time to the millisecond and the process id, so names sort by time and
/// two runs never share one.
pub fn new_path(registry: &RegistryAddress, now: Timestamp) -> Result<PathBuf, JournalError> {
    let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
    Ok(dir_for(registry)?.join(format!("{stamp}-{}.json", std::process::id())))
}

pub fn save(path: &Path, journal: &Journal) -> Result<(), JournalError> {
    write_atomically(path, |out| {
        serde_json::to_writer_pretty(out, journal).map_err(io::Error::from)
    })
    .map_err(|source| JournalError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}

pub fn load(path: &Path) -> Result<Journal, JournalError> {
    let bytes = fs::read(path).map_err(|source| JournalError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| JournalError::Corrupt {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    let corrupt = |detail: String| JournalError::Corrupt {
        path: path.to_owned(),
        detail,
    };
    if journal.schema != SCHEMA_VERSION {
        return Err(corrupt(format!(
            "format version {}, expected {SCHEMA_VERSION}",
            journal.schema
        )));
    }
    // Its names and digests go into URLs: a journal edited to hold anything else is refused whole.
    for entry in &journal.entries {
        if !is_repository_name(&entry.repository) {
            return Err(corrupt(format!(
                "invalid repository name {:?}",
                entry.repository
            )));
        }
        let bad_digest = std::iter::once(&entry.digest)
            .chain(&entry.parent)
            .chain(&entry.subject)
            .find(|d| !is_digest(d));
        if let Some(digest) = bad_digest {
            return Err(corrupt(format!("invalid digest {digest:?}")));
        }
        if let Some(tag) = entry.tags.iter().find(|t| !is_tag(t)) {
            return Err(corrupt(format!("invalid tag {tag:?}")));
        }
    }
    Ok(journal)
}

/// Every journal file under `dir`, oldest first.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, JournalError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(JournalError::Io {
                action: "list",
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// The newest journal of a registry.
pub fn newest(registry: &RegistryAddress) -> Result<PathBuf, JournalError> {
    let dir = dir_for(registry)?;
    list(&dir)?.pop().ok_or_else(|| JournalError::NoneYet {
        registry: registry.to_string(),
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_and_list() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal {
            schema: SCHEMA_VERSION,
            registry: "http://127.0.0.1:5000".into(),
            created_at: Timestamp::UNIX_EPOCH,
            command: "remove-tags".into(),
            deletes_later: false,
            entries: vec![Entry {
                repository: "app".into(),
                digest: format!("sha256:{}", "a".repeat(64)),
                media_type: "application/vnd.oci.image.manifest.v1+json".into(),
                tags: vec!["1.0".into()],
                parent: None,
                subject: None,
                untag: None,
                manifest: "{\"schemaVersion\": 2}\n".into(),
                status: Status::Deleted,
                error: None,
            }],
        };
        let first = dir.path().join("20260101T000000.000Z-1.json");
        let second = dir.path().join("20260102T000000.000Z-1.json");
        save(&second, &journal).unwrap();
        save(&first, &journal).unwrap();
        assert_eq!(load(&second).unwrap(), journal);
        assert_eq!(list(dir.path()).unwrap(), [first.clone(), second]);
        assert!(list(&dir.path().join("none")).unwrap().is_empty());
        fs::write(dir.path().join("bad.json"), "[]").unwrap();
        assert!(matches!(
            load(&dir.path().join("bad.json")),
            Err(JournalError::Corrupt { .. })
        ));
        for (field, value) in [("repository", "../etc"), ("digest", "sha256:../x")] {
            let mut edited = serde_json::to_value(&journal).unwrap();
            edited["entries"][0][field] = value.into();
            fs::write(&first, edited.to_string()).unwrap();
            assert!(
                matches!(load(&first), Err(JournalError::Corrupt { .. })),
                "{field}"
            );
        }
    }

    #[test]
    fn paths_sort_by_time() {
        let registry = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let a = new_path(&registry, Timestamp::from_second(1_000).unwrap()).unwrap();
        let b = new_path(&registry, Timestamp::from_second(2_000).unwrap()).unwrap();
        assert!(a < b);
        assert!(a.parent().unwrap().ends_with("journal/127_0_0_1_5000"));
    }
}
