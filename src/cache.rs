//! The versioned per-registry JSON cache: where it lives, loading it, and saving it atomically under a
//! file lock.
//!
//! The file holds what the registry held at `refreshed_at`: repositories -> tags -> {digest, media
//! type}, and a digest-keyed map of manifest details (a manifest never changes for its digest, so those
//! are kept until the digest disappears). It never holds a credential.
//!
//! Several regsweep processes may share one file. Every writer reads, changes and writes it under the
//! exclusive lock (`update`), so no writer's change is lost to another's; a refresh, which reads the
//! registry for a while before it writes, merges with what others wrote meanwhile (`merge_refresh`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::files::{create_private_dir, write_atomically};
use crate::registry::manifest::is_digest;
use crate::registry::{RegistryAddress, is_repository_name, is_tag};

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
    /// Counts the writes of the file, so a writer can tell whether another wrote since it read.
    #[serde(default)]
    pub generation: u64,
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
            generation: 0,
            repositories: BTreeMap::new(),
            manifests: BTreeMap::new(),
        }
    }

    /// Drops repositories, tags and digests that break the distribution spec's grammar (a cache file
    /// is a file anyone may have edited), and returns a line about each kind dropped.
    pub fn take_invalid(&mut self) -> Vec<String> {
        let mut dropped = Vec::new();
        let bad_repos: Vec<String> = self
            .repositories
            .keys()
            .filter(|name| !is_repository_name(name))
            .cloned()
            .collect();
        for name in &bad_repos {
            self.repositories.remove(name);
        }
        if !bad_repos.is_empty() {
            dropped.push(format!(
                "skipped repository names in the cache that break the distribution spec's grammar: {}",
                quoted(&bad_repos)
            ));
        }
        for (name, repository) in &mut self.repositories {
            let bad: Vec<String> = repository
                .tags
                .iter()
                .filter(|(tag, entry)| !is_tag(tag) || !is_digest(&entry.digest))
                .map(|(tag, _)| tag.clone())
                .collect();
            for tag in &bad {
                repository.tags.remove(tag);
            }
            if !bad.is_empty() {
                dropped.push(format!(
                    "skipped tags of {name} in the cache with an invalid name or digest: {}",
                    quoted(&bad)
                ));
            }
        }
        self.manifests.retain(|digest, _| is_digest(digest));
        for details in self.manifests.values_mut() {
            if let Some(children) = &details.children
                && !children.iter().all(|c| is_digest(&c.digest))
            {
                details.children = None;
                details.manifest_bytes = None;
            }
        }
        dropped
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

fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

/// What a refresh writes: `ours`, read from the registry, unless another writer changed the file since
/// the refresh read it (`base`). Then, per repository and tag, what the other writer changed wins: it
/// happened after the refresh started (a removal's deletions, a restore), while the refresh may have
/// read that repository before. Manifest details are facts about digests and are kept from both.
pub fn merge_refresh(
    base: Option<&Inventory>,
    current: &Inventory,
    mut ours: Inventory,
) -> Inventory {
    let empty = BTreeMap::new();
    let base_repos = base.map_or(&empty, |b| &b.repositories);
    let names: BTreeSet<&String> = base_repos
        .keys()
        .chain(current.repositories.keys())
        .chain(ours.repositories.keys())
        .collect();
    let mut merged = BTreeMap::new();
    for name in names {
        let (b, t, o) = (
            base_repos.get(name),
            current.repositories.get(name),
            ours.repositories.get(name),
        );
        let repository = if t == b {
            o.cloned()
        } else if t.is_none() && o.is_none() {
            None
        } else {
            Some(merge_tags(b, t, o))
        };
        if let Some(repository) = repository {
            merged.insert(name.clone(), repository);
        }
    }
    ours.repositories = merged;
    merge_details(&mut ours.manifests, &current.manifests);
    ours
}

/// Adds `from`'s manifest details to `into`. Details never change for a digest, but a record gains
/// what is read later (the config's created time, an index's totals): of two records the more
/// complete one is kept.
pub fn merge_details(
    into: &mut BTreeMap<String, ManifestDetails>,
    from: &BTreeMap<String, ManifestDetails>,
) {
    for (digest, details) in from {
        match into.get(digest) {
            Some(have) if have.completeness() >= details.completeness() => {}
            _ => {
                into.insert(digest.clone(), details.clone());
            }
        }
    }
}

impl ManifestDetails {
    /// How much of the record has been read: the manifest, its size, its config.
    fn completeness(&self) -> u8 {
        u8::from(self.manifest_bytes.is_some())
            + u8::from(self.size.is_some())
            + u8::from(self.config_read)
            + u8::from(self.created.is_some())
    }
}

/// One repository's tags: each as the other writer left it where it changed it, else as we read it.
fn merge_tags(
    base: Option<&Repository>,
    theirs: Option<&Repository>,
    ours: Option<&Repository>,
) -> Repository {
    let tags = |r: Option<&Repository>| r.map(|r| r.tags.clone()).unwrap_or_default();
    let (b, t, o) = (tags(base), tags(theirs), tags(ours));
    let names: BTreeSet<&String> = b.keys().chain(t.keys()).chain(o.keys()).collect();
    let mut merged = Repository::default();
    for name in names {
        let entry = if t.get(name) != b.get(name) {
            t.get(name)
        } else {
            o.get(name)
        };
        if let Some(entry) = entry {
            merged.tags.insert(name.clone(), entry.clone());
        }
    }
    merged
}

/// Called with a message when waiting for the lock takes a while.
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

/// How long a lock is waited for silently.
const QUIET_WAIT: Duration = Duration::from_secs(1);

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

/// Who holds the lock, as far as the lock file tells: the PID its last exclusive holder wrote, if
/// that process is still alive.
fn holder_message(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let pid = text.trim().parse::<u32>().ok().filter(|pid| is_alive(*pid));
    match pid {
        Some(pid) => format!("waiting for the cache lock held by another regsweep (PID {pid})"),
        None => "waiting for the cache lock held by another regsweep".to_owned(),
    }
}

#[cfg(target_os = "linux")]
fn is_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn is_alive(_pid: u32) -> bool {
    true
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
#[derive(Clone)]
pub struct CacheFile {
    path: PathBuf,
    notice: Option<Notice>,
}

impl std::fmt::Debug for CacheFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheFile")
            .field("path", &self.path)
            .finish()
    }
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
        Self { path, notice: None }
    }

    /// Says `notice` when the lock is held by another process for more than a moment.
    pub fn with_notice(mut self, notice: Notice) -> Self {
        self.notice = Some(notice);
        self
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
            .read(true)
            .write(true)
            .open(self.lock_path())
            .map_err(self.io_error("lock"))
    }

    /// Takes the lock, shared or exclusive. Another process holding it is waited for; after a moment
    /// the notice says so, with the holder's PID when the lock file names a live one.
    fn lock(&self, exclusive: bool) -> Result<File, CacheError> {
        let mut file = self.lock_file()?;
        let try_lock = |f: &File| {
            if exclusive {
                f.try_lock()
            } else {
                f.try_lock_shared()
            }
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            match try_lock(&file) {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(self.io_error("lock")(e)),
            }
            if !told && started.elapsed() >= QUIET_WAIT {
                told = true;
                if let Some(notice) = &self.notice {
                    notice(&holder_message(&mut file));
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        if exclusive {
            // The holder's PID, for whoever waits next. Best effort: the lock works without it.
            let _ = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| writeln!(file, "{}", std::process::id()));
        }
        Ok(file)
    }

    /// The cached inventory of `registry`, or `None` when there is no cache file yet.
    pub fn load(&self, registry: &RegistryAddress) -> Result<Option<Inventory>, CacheError> {
        if !self.path.exists() {
            return Ok(None);
        }
        let lock = self.lock(false)?;
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("read")(e)),
        };
        drop(lock);
        self.check(registry, &bytes).map(Some)
    }

    /// Parses a cache file's bytes and checks they are `registry`'s.
    fn check(&self, registry: &RegistryAddress, bytes: &[u8]) -> Result<Inventory, CacheError> {
        let inventory = self.parse(bytes)?;
        let expected = registry.to_string();
        if inventory.registry != expected {
            return Err(CacheError::OtherRegistry {
                path: self.path.clone(),
                found: inventory.registry,
                expected,
            });
        }
        Ok(inventory)
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

    /// Reads the file, lets `change` turn it into what to write (or `None` to leave it), and writes
    /// that, all under the exclusive lock, so no other writer's change is lost in between. `change`
    /// gets `None` when there is no file, or one that cannot be read as `registry`'s. The write is
    /// atomic (see `files::write_atomically`). Returns what was written.
    pub fn update(
        &self,
        registry: &RegistryAddress,
        change: impl FnOnce(Option<Inventory>) -> Option<Inventory>,
    ) -> Result<Option<Inventory>, CacheError> {
        let lock = self.lock(true)?;
        let current = match fs::read(&self.path) {
            Ok(bytes) => self.check(registry, &bytes).ok(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(self.io_error("read")(e)),
        };
        let generation = current.as_ref().map_or(0, |c| c.generation);
        let Some(mut inventory) = change(current) else {
            return Ok(None);
        };
        inventory.generation = generation + 1;
        write_atomically(&self.path, |out| {
            serde_json::to_writer(out, &inventory).map_err(io::Error::from)
        })
        .map_err(self.io_error("write"))?;
        drop(lock);
        Ok(Some(inventory))
    }

    /// Writes a refresh's inventory, merged with whatever other writers changed since `base`, the
    /// file as the refresh found it (see `merge_refresh`).
    pub fn save_refresh(
        &self,
        registry: &RegistryAddress,
        base: Option<&Inventory>,
        ours: Inventory,
    ) -> Result<Inventory, CacheError> {
        let base_generation = base.map_or(0, |b| b.generation);
        let written = self.update(registry, |current| {
            Some(match current {
                Some(current) if current.generation != base_generation => {
                    merge_refresh(base, &current, ours)
                }
                _ => ours,
            })
        })?;
        written.ok_or_else(|| self.io_error("write")(io::Error::other("nothing was written")))
    }

    /// Replaces the file with `inventory` whatever it holds (tests and a cache of its own).
    #[cfg(test)]
    pub fn save(&self, inventory: &Inventory) -> Result<(), CacheError> {
        let registry = RegistryAddress::parse(&inventory.registry).expect("a registry");
        self.update(&registry, |_| Some(inventory.clone()))
            .map(drop)
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
        let loaded = file.load(&reg).unwrap().unwrap();
        assert_eq!(loaded.generation, 1, "each write counts");
        assert_eq!(
            loaded,
            Inventory {
                generation: 1,
                ..sample(&reg)
            }
        );
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

    fn with_tags(registry: &RegistryAddress, repos: &[(&str, &[(&str, &str)])]) -> Inventory {
        let mut inv = Inventory::new(registry, Timestamp::UNIX_EPOCH);
        for (name, tags) in repos {
            let mut repo = Repository::default();
            for (tag, digest) in *tags {
                repo.tags.insert(
                    (*tag).into(),
                    TagEntry {
                        digest: (*digest).into(),
                        media_type: None,
                    },
                );
            }
            inv.repositories.insert((*name).into(), repo);
        }
        inv
    }

    #[test]
    fn a_refresh_keeps_what_other_writers_changed_while_it_ran() {
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let base = with_tags(
            &reg,
            &[("app", &[("1", "A"), ("2", "B")]), ("old", &[("1", "O")])],
        );
        // Meanwhile a removal deleted app:1 and a restore brought back old:2.
        let current = with_tags(
            &reg,
            &[("app", &[("2", "B")]), ("old", &[("1", "O"), ("2", "P")])],
        );
        // The refresh read app before the removal, saw a push of app:3, and found `new`.
        let ours = with_tags(
            &reg,
            &[
                ("app", &[("1", "A"), ("2", "B"), ("3", "C")]),
                ("old", &[("1", "O")]),
                ("new", &[("1", "N")]),
            ],
        );
        let merged = merge_refresh(Some(&base), &current, ours);
        let tags = |repo: &str| -> Vec<&str> {
            merged.repositories[repo]
                .tags
                .keys()
                .map(String::as_str)
                .collect()
        };
        assert_eq!(tags("app"), ["2", "3"]);
        assert_eq!(tags("old"), ["1", "2"]);
        assert_eq!(tags("new"), ["1"]);
    }

    #[test]
    fn writers_under_the_lock_never_lose_each_others_changes() {
        let dir = tempfile::tempdir().unwrap();
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let file = CacheFile::at(dir.path().join("c.json"));
        file.save(&with_tags(&reg, &[])).unwrap();
        std::thread::scope(|scope| {
            for t in 0..8 {
                let file = file.clone();
                let reg = reg.clone();
                scope.spawn(move || {
                    for i in 0..10 {
                        file.update(&reg, |current| {
                            let mut current = current?;
                            current
                                .repositories
                                .insert(format!("r{t}-{i}"), Repository::default());
                            Some(current)
                        })
                        .unwrap();
                    }
                });
            }
        });
        let loaded = file.load(&reg).unwrap().unwrap();
        assert_eq!(loaded.repositories.len(), 80);
        assert_eq!(loaded.generation, 81);
    }

    #[test]
    fn names_that_break_the_grammar_are_dropped_with_a_line_each() {
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let good = format!("sha256:{}", "a".repeat(64));
        let mut inv = with_tags(
            &reg,
            &[
                (
                    "app",
                    &[("1.0", &good), ("bad\ntag", &good), ("2.0", "sha256:../x")],
                ),
                ("../etc", &[("1", &good)]),
            ],
        );
        let lines = inv.take_invalid();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].contains("\"../etc\""), "{lines:?}");
        assert_eq!(inv.repositories.len(), 1);
        assert_eq!(inv.repositories["app"].tags.len(), 1);
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
