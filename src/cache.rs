//! The versioned per-registry JSON cache: where it lives, loading it, and saving it atomically under a
//! file lock.
//!
//! The file holds what the registry held at `refreshed_at`: repositories -> tags -> {digest, media
//! type}, and a digest-keyed map of manifest details (a manifest never changes for its digest, so those
//! are kept until the digest disappears). It never holds a credential.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::files::{create_private_dir, write_atomically};
use crate::registry::RegistryAddress;

/// The cache format version this build reads and writes. Bump it when the format changes in a way an
/// older reader would misread.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything regsweep knows about one registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema: u32,
    /// The registry's base URL, so a file can't be mixed up with another registry's.
    pub registry: String,
    pub refreshed_at: Timestamp,
    /// Every repository of the catalog; an emptied one has no tags.
    pub repositories: BTreeMap<String, Repository>,
    /// Manifest details by digest.
    #[serde(default)]
    pub manifests: BTreeMap<String, ManifestDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub tags: BTreeMap<String, TagEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagEntry {
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// What is known of a manifest beyond its digest: fetched once, kept while the digest is tagged (a
/// manifest never changes for its digest). Every field is optional so older files stay readable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManifestDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Bytes of the manifest itself; set once the manifest has been read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_bytes: Option<u64>,
    /// The image's size: config and layers (for an index, the sum over its children).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// For an index (OCI image index, Docker manifest list): the manifests it references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<ChildManifest>>,
    /// For an image manifest: its config blob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<BlobRef>,
    /// For an image manifest: its layers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<BlobRef>,
    /// When the image was built, from its config (for an index: the newest child's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// `os/architecture[/variant]`, from the config (for an index: its children's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// Whether the config was read, or found not to be an image config (Helm charts, signatures,
    /// `{}`), which have no created time or platform.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub config_read: bool,
}

/// A blob a manifest references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A manifest an index references, with the platform it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildManifest {
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `os/architecture[/variant]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

impl Inventory {
    pub fn new(registry: &RegistryAddress, refreshed_at: Timestamp) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            registry: registry.to_string(),
            refreshed_at,
            repositories: BTreeMap::new(),
            manifests: BTreeMap::new(),
        }
    }

    /// Repositories holding at least one tag, in name order.
    pub fn tagged_repositories(&self) -> impl Iterator<Item = (&String, &Repository)> {
        self.repositories.iter().filter(|(_, r)| !r.tags.is_empty())
    }

    /// Every manifest of a repository: the tagged ones and the children of its known indexes.
    pub fn repository_manifests(&self, repo: &str) -> BTreeSet<&str> {
        let mut digests = BTreeSet::new();
        for entry in self
            .repositories
            .get(repo)
            .into_iter()
            .flat_map(|r| r.tags.values())
        {
            digests.insert(entry.digest.as_str());
            let children = self
                .manifests
                .get(&entry.digest)
                .and_then(|d| d.children.as_ref());
            digests.extend(children.into_iter().flatten().map(|c| c.digest.as_str()));
        }
        digests
    }

    /// Adds the blobs one manifest stores (digest -> size): the manifest itself, its config and its
    /// layers. False when the cache lacks its details.
    pub fn add_manifest_blobs(&self, digest: &str, into: &mut BTreeMap<String, u64>) -> bool {
        let Some(details) = self
            .manifests
            .get(digest)
            .filter(|d| d.manifest_bytes.is_some())
        else {
            return false;
        };
        into.insert(digest.to_owned(), details.manifest_bytes.unwrap_or(0));
        for blob in details.config.iter().chain(&details.layers) {
            into.insert(blob.digest.clone(), blob.size);
        }
        true
    }

    pub fn tag_count(&self) -> usize {
        self.repositories.values().map(|r| r.tags.len()).sum()
    }

    pub fn digest_count(&self) -> usize {
        let mut digests: Vec<&str> = self
            .repositories
            .values()
            .flat_map(|r| r.tags.values().map(|t| t.digest.as_str()))
            .collect();
        digests.sort_unstable();
        digests.dedup();
        digests.len()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("no cache directory on this system")]
    NoCacheDir,

    #[error("cannot {action} cache file {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },

    #[error("cache file {} is corrupt: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },

    #[error(
        "cache file {} has format version {found}; this regsweep reads version {SCHEMA_VERSION}",
        path.display()
    )]
    UnknownVersion { path: PathBuf, found: u64 },

    #[error("cache file {} belongs to registry {found}, not {expected}", path.display())]
    OtherRegistry {
        path: PathBuf,
        found: String,
        expected: String,
    },
}

impl CacheError {
    pub fn hint(&self) -> Option<String> {
        Some(
            match self {
                Self::NoCacheDir => {
                    "set XDG_CACHE_HOME or HOME, pass --cache FILE, or disable the \
                                     cache with --no-cache"
                }
                Self::Io { .. } => {
                    "pass another --cache FILE, or disable the cache with --no-cache"
                }
                Self::Corrupt { .. } | Self::UnknownVersion { .. } => {
                    "run the command again with --refresh to rebuild it from the registry"
                }
                Self::OtherRegistry { .. } => {
                    "pass another --cache FILE, or --refresh to overwrite this one"
                }
            }
            .to_owned(),
        )
    }
}

/// One registry's cache file, and the lock file beside it that serializes readers and writers.
#[derive(Debug, Clone)]
pub struct CacheFile {
    path: PathBuf,
}

impl CacheFile {
    /// `<user cache dir>/regsweep/<registry file stem>.json`.
    pub fn default_for(registry: &RegistryAddress) -> Result<Self, CacheError> {
        let dir = dirs::cache_dir().ok_or(CacheError::NoCacheDir)?;
        Ok(Self::at(
            dir.join("regsweep")
                .join(format!("{}.json", registry.file_stem())),
        ))
    }

    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_owned();
        name.push(".lock");
        self.path.with_file_name(name)
    }

    fn io_error(&self, action: &'static str) -> impl FnOnce(io::Error) -> CacheError + '_ {
        move |source| CacheError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }

    /// Opens (creating) the lock file; the caller takes a shared or exclusive lock on it.
    fn lock_file(&self) -> Result<File, CacheError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(self.io_error("create the directory of"))?;
        }
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.lock_path())
            .map_err(self.io_error("lock"))
    }

    /// The cached inventory of `registry`, or `None` when there is no cache file yet.
    pub fn load(&self, registry: &RegistryAddress) -> Result<Option<Inventory>, CacheError> {
        if !self.path.exists() {
            return Ok(None);
        }
        let lock = self.lock_file()?;
        lock.lock_shared().map_err(self.io_error("lock"))?;
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("read")(e)),
        };
        drop(lock);
        let inventory = self.parse(&bytes)?;
        let expected = registry.to_string();
        if inventory.registry != expected {
            return Err(CacheError::OtherRegistry {
                path: self.path.clone(),
                found: inventory.registry,
                expected,
            });
        }
        Ok(Some(inventory))
    }

    fn parse(&self, bytes: &[u8]) -> Result<Inventory, CacheError> {
        let corrupt = |e: serde_json::Error| CacheError::Corrupt {
            path: self.path.clone(),
            detail: e.to_string(),
        };
        #[derive(Deserialize)]
        struct VersionProbe {
            schema: u64,
        }
        let probe: VersionProbe = serde_json::from_slice(bytes).map_err(corrupt)?;
        if probe.schema != u64::from(SCHEMA_VERSION) {
            return Err(CacheError::UnknownVersion {
                path: self.path.clone(),
                found: probe.schema,
            });
        }
        serde_json::from_slice(bytes).map_err(corrupt)
    }

    /// Replaces the cache file with `inventory`, atomically (see `files::write_atomically`) and under
    /// an exclusive lock.
    pub fn save(&self, inventory: &Inventory) -> Result<(), CacheError> {
        let lock = self.lock_file()?;
        lock.lock().map_err(self.io_error("lock"))?;
        write_atomically(&self.path, |out| {
            serde_json::to_writer(out, inventory).map_err(io::Error::from)
        })
        .map_err(self.io_error("write"))?;
        drop(lock);
        Ok(())
    }

    /// Deletes the cache file (and its lock file). Returns whether there was a cache to delete.
    pub fn clear(&self) -> Result<bool, CacheError> {
        let existed = match fs::remove_file(&self.path) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(self.io_error("delete")(e)),
        };
        let _ = fs::remove_file(self.lock_path());
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(registry: &RegistryAddress) -> Inventory {
        let mut inv = Inventory::new(registry, Timestamp::UNIX_EPOCH);
        let mut repo = Repository::default();
        repo.tags.insert(
            "1.0".into(),
            TagEntry {
                digest: "sha256:aa".into(),
                media_type: Some("application/vnd.oci.image.manifest.v1+json".into()),
            },
        );
        inv.repositories.insert("app".into(), repo);
        inv.repositories
            .insert("empty".into(), Repository::default());
        inv
    }

    #[test]
    fn save_then_load_round_trips_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let file = CacheFile::at(dir.path().join("sub/c.json"));
        assert_eq!(file.load(&reg).unwrap(), None);
        file.save(&sample(&reg)).unwrap();
        assert_eq!(file.load(&reg).unwrap(), Some(sample(&reg)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let inv = sample(&reg);
        assert_eq!(inv.tagged_repositories().count(), 1);
        assert_eq!((inv.tag_count(), inv.digest_count()), (1, 1));
    }

    #[test]
    fn corrupt_unknown_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let file = CacheFile::at(dir.path().join("c.json"));
        fs::write(file.path(), "{not json").unwrap();
        assert!(matches!(file.load(&reg), Err(CacheError::Corrupt { .. })));
        fs::write(file.path(), r#"{"schema": 99}"#).unwrap();
        assert!(matches!(
            file.load(&reg),
            Err(CacheError::UnknownVersion { found: 99, .. })
        ));
        let other = RegistryAddress::parse("http://127.0.0.1:6000").unwrap();
        file.save(&sample(&other)).unwrap();
        assert!(matches!(
            file.load(&reg),
            Err(CacheError::OtherRegistry { .. })
        ));
        assert!(file.clear().unwrap());
        assert!(!file.clear().unwrap());
    }
}
