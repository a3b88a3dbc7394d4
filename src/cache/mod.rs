//! The versioned per-registry cache: where it lives, loading it (whole, or a few repositories), and
//! saving it atomically under a file lock.
//!
//! Two files hold what the registry held at `refreshed_at`: the main file (`main_file.rs`), JSON,
//! repositories -> tags -> {digest, media type}; and the details file beside it (`store.rs`), binary:
//! manifest details by digest (a manifest never changes for its digest, so those are kept until the
//! digest disappears), and what a query of one repository needs of the others (where each repository
//! sits in the main file, digests shared between repositories, usage figures, blob reference counts),
//! computed when the pair is written. Neither holds a credential.
//!
//! Several regsweep processes may share one file. Every writer reads, changes and writes it under the
//! exclusive lock (`update`), so no writer's change is lost to another's; a refresh, which reads the
//! registry for a while before it writes, merges with what others wrote meanwhile
//! (`inventory::merge_refresh`). The data model itself is `inventory.rs`'s.

mod lock;
mod main_file;
mod partial;
mod record;
mod store;
mod writer;

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

pub use partial::Overview;
pub use store::RepoRow;

use crate::files::{stage, write_atomically};
use crate::inventory::{Inventory, SCHEMA_VERSION, merge_refresh, take_details};
use crate::registry::RegistryAddress;
use main_file::MainFile;
use store::{MainStamp, Span, Store, Summary, Totals};

/// Called with a message when waiting for the lock takes a while.
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

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

    /// The details file beside the main file.
    pub fn details_path(&self) -> PathBuf {
        self.beside("details")
    }

    fn lock_path(&self) -> PathBuf {
        self.beside("lock")
    }

    fn beside(&self, extension: &str) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_owned();
        name.push(".");
        name.push(extension);
        self.path.with_file_name(name)
    }

    fn io_error(&self, action: &'static str) -> impl FnOnce(io::Error) -> CacheError + '_ {
        move |source| CacheError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }

    /// The cache of `registry`, every repository's tags, without details (`load_details` adds those
    /// that are needed), or `None` when there is no cache yet. A version 1 file is migrated first.
    pub fn load(&self, registry: &RegistryAddress) -> Result<Option<Inventory>, CacheError> {
        let lock = self.lock(false)?;
        let Some(main) = self.read_main(registry)? else {
            return Ok(None);
        };
        drop(lock);
        if main.schema == 1 {
            self.update(registry, |current| current)?;
            return self.load(registry);
        }
        Ok(Some(inventory_of(main)))
    }

    /// The main file, read whole and checked (held lock: the caller's).
    fn read_main(&self, registry: &RegistryAddress) -> Result<Option<MainFile>, CacheError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("read")(e)),
        };
        self.check(registry, &bytes).map(Some)
    }

    /// Parses a main file's bytes and checks they are `registry`'s.
    fn check(&self, registry: &RegistryAddress, bytes: &[u8]) -> Result<MainFile, CacheError> {
        let corrupt = |e: serde_json::Error| CacheError::Corrupt {
            path: self.path.clone(),
            detail: e.to_string(),
        };
        #[derive(Deserialize)]
        struct VersionProbe {
            schema: u64,
        }
        let probe: VersionProbe = serde_json::from_slice(bytes).map_err(corrupt)?;
        if probe.schema != 1 && probe.schema != u64::from(SCHEMA_VERSION) {
            return Err(CacheError::UnknownVersion {
                path: self.path.clone(),
                found: probe.schema,
            });
        }
        let main: MainFile = serde_json::from_slice(bytes).map_err(corrupt)?;
        let expected = registry.to_string();
        if main.registry != expected {
            return Err(CacheError::OtherRegistry {
                path: self.path.clone(),
                found: main.registry,
                expected,
            });
        }
        Ok(main)
    }

    /// Everything, details included, for a writer (held lock: the caller's, exclusive).
    fn read_everything(&self, registry: &RegistryAddress) -> Option<Inventory> {
        let main = self.read_main(registry).ok()??;
        let schema_one = main.schema == 1;
        let mut inventory = inventory_of(main);
        if !schema_one {
            // Details are facts about digests: whatever the details file was written with, they
            // hold. A damaged file only means reading them from the registry again.
            if let Ok(Some(Ok(store))) = Store::open(&self.details_path())
                && let Ok(details) = store.all_details(&inventory.tagged_digests())
            {
                take_details(&mut inventory.manifests, details);
            }
        }
        Some(inventory)
    }

    /// Reads the cache, lets `change` turn it into what to write (or `None` to leave it), and writes
    /// that, all under the exclusive lock, so no other writer's change is lost in between. `change`
    /// gets `None` when there is no cache, or one that cannot be read as `registry`'s. Returns what
    /// was written.
    pub fn update(
        &self,
        registry: &RegistryAddress,
        change: impl FnOnce(Option<Inventory>) -> Option<Inventory>,
    ) -> Result<Option<Inventory>, CacheError> {
        let lock = self.lock(true)?;
        let current = self.read_everything(registry);
        let generation = current.as_ref().map_or(0, |c| c.generation);
        let Some(mut inventory) = change(current) else {
            return Ok(None);
        };
        inventory.generation = generation + 1;
        inventory.schema = SCHEMA_VERSION;
        inventory.elsewhere = None;
        self.write_pair(&inventory)?;
        drop(lock);
        Ok(Some(inventory))
    }

    /// Writes `ours` over the cache when the cache is still the one `ours` was read or written as
    /// (its generation: no other writer since), which spares reading it; else, as `update` does,
    /// hands the cache as it is now to `otherwise` and writes what that returns (`None`: nothing),
    /// which `ours` becomes. Returns whether anything was written.
    pub fn write_over(
        &self,
        registry: &RegistryAddress,
        ours: &mut Inventory,
        otherwise: impl FnOnce(Option<Inventory>, &mut Inventory) -> Option<Inventory>,
    ) -> Result<bool, CacheError> {
        let lock = self.lock(true)?;
        let unchanged = ours.generation > 0
            && self
                .matching_store(registry)
                .is_some_and(|s| s.stamp.generation == ours.generation);
        let generation = if unchanged {
            ours.generation
        } else {
            let current = self.read_everything(registry);
            let generation = current.as_ref().map_or(0, |c| c.generation);
            let Some(merged) = otherwise(current, ours) else {
                return Ok(false);
            };
            *ours = merged;
            generation
        };
        ours.generation = generation + 1;
        ours.schema = SCHEMA_VERSION;
        ours.elsewhere = None;
        self.write_pair(ours)?;
        drop(lock);
        Ok(true)
    }

    /// Writes the main file and the details file that describes it: the main file staged first (the
    /// details file records its length and time), the details file put in place, then the main file.
    /// A reader between the two renames finds a details file that does not describe the main file
    /// and reads the main file whole.
    fn write_pair(&self, inventory: &Inventory) -> Result<(), CacheError> {
        let started = std::time::Instant::now();
        let mut spans = BTreeMap::new();
        let staged = stage(&self.path, |out| {
            spans = main_file::write(out, inventory, SCHEMA_VERSION)?;
            Ok(())
        })
        .map_err(self.io_error("write"))?;
        let main_written = started.elapsed();
        let meta = staged.metadata().map_err(self.io_error("write"))?;
        let stamp = MainStamp {
            generation: inventory.generation,
            len: meta.len(),
            modified: modified_nanos(&meta),
        };
        let summary = summarize(inventory, spans);
        let summarized = started.elapsed();
        let parts = writer::encode(inventory, stamp, &summary);
        let encoded = started.elapsed();
        write_atomically(&self.details_path(), |out| {
            parts.iter().try_for_each(|part| out.write_all(part))
        })
        .map_err(self.io_error("write"))?;
        staged.commit().map_err(self.io_error("write"))?;
        tracing::debug!(
            tags = inventory.tag_count(),
            details = inventory.manifests.len(),
            ?main_written,
            ?summarized,
            ?encoded,
            elapsed = ?started.elapsed(),
            "cache written"
        );
        Ok(())
    }

    /// Writes a refresh's inventory, merged with whatever other writers changed since `base`, the
    /// cache as the refresh found it (see `merge_refresh`).
    pub fn save_refresh(
        &self,
        registry: &RegistryAddress,
        base: Option<&Inventory>,
        mut ours: Inventory,
    ) -> Result<Inventory, CacheError> {
        let base_generation = base.map_or(0, |b| b.generation);
        // The cache is read again, under the lock, only when another writer wrote since `base`
        // was read: read whole it is a third inventory beside `base` and ours (at a million tags,
        // 1.4 GB for a --refresh with nothing changed).
        ours.generation = base_generation;
        self.write_over(registry, &mut ours, |current, ours| {
            let ours = std::mem::replace(ours, Inventory::new(&ours.registry, ours.refreshed_at));
            Some(match current {
                Some(current) if current.generation != base_generation => {
                    merge_refresh(base, &current, ours)
                }
                _ => ours,
            })
        })?;
        Ok(ours)
    }

    /// Replaces the cache with `inventory` whatever it holds (tests).
    #[cfg(test)]
    pub fn save(&self, inventory: &Inventory) -> Result<(), CacheError> {
        let registry = RegistryAddress::parse(&inventory.registry).expect("a registry");
        self.update(&registry, |_| Some(inventory.clone()))
            .map(drop)
    }

    /// Deletes the cache (main file, details file, lock file). Returns whether there was a cache.
    pub fn clear(&self) -> Result<bool, CacheError> {
        let existed = match fs::remove_file(&self.path) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(self.io_error("delete")(e)),
        };
        let _ = fs::remove_file(self.details_path());
        let _ = fs::remove_file(self.lock_path());
        Ok(existed)
    }
}

/// An inventory from a main file (and, for version 1, its details).
fn inventory_of(main: MainFile) -> Inventory {
    let MainFile {
        schema,
        registry,
        refreshed_at,
        generation,
        events_seq,
        scope,
        capabilities,
        repositories,
        manifests,
    } = main;
    let mut inventory = Inventory::new(&registry, refreshed_at);
    inventory.schema = schema;
    inventory.generation = generation;
    inventory.events_seq = events_seq;
    inventory.scope = scope;
    inventory.capabilities = capabilities;
    inventory.repositories = repositories;
    inventory.manifests = manifests
        .into_iter()
        .map(|(d, m)| (d.into(), Box::new(m)))
        .collect();
    inventory
}

/// What the details file precomputes from the whole inventory: per repository its counts, size, disk
/// size and place in the main file; the registry's totals; every blob's reference count.
fn summarize(inventory: &Inventory, spans: BTreeMap<String, Span>) -> Summary<'_> {
    let figures = crate::select::registry_figures(inventory);
    let usage = figures.usage;
    let repos = usage
        .repositories
        .into_iter()
        .map(|u| RepoRow {
            span: spans.get(&u.name).copied().unwrap_or_default(),
            name: u.name,
            tags: u.tags as u32,
            manifests: u.manifests as u32,
            size: u.size,
            disk_size: u.disk_size,
            attachments: u.attachments as u32,
            untagged: u.untagged as u32,
            untagged_disk_size: u.untagged_disk_size,
        })
        .collect();
    Summary {
        repos,
        totals: Totals {
            tags: inventory.tag_count() as u64,
            digests: inventory.digest_count() as u64,
            details: inventory.manifests.len() as u64,
            missing: usage.missing_details as u64,
            disk_size: usage.registry_disk_size,
        },
        blobs: figures.refs,
    }
}

/// `len` bytes of `file` at `at`, without moving a shared position (readers may share the file).
#[cfg(unix)]
fn read_at(file: &fs::File, at: u64, len: usize) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;
    let mut buf = vec![0; len];
    file.read_exact_at(&mut buf, at)?;
    Ok(buf)
}

#[cfg(not(unix))]
fn read_at(file: &fs::File, at: u64, len: usize) -> io::Result<Vec<u8>> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut file = file.try_clone()?;
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0; len];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

/// A file's modification time in nanoseconds since the epoch (0 when the system cannot tell).
fn modified_nanos(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Repository, TagEntry};
    use jiff::Timestamp;

    fn sample(registry: &RegistryAddress) -> Inventory {
        let mut inv = Inventory::new(registry, Timestamp::UNIX_EPOCH);
        let mut repo = Repository::default();
        repo.tags.insert(
            "1.0".into(),
            TagEntry::new(
                "sha256:aa",
                Some("application/vnd.oci.image.manifest.v1+json".into()),
            ),
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

    fn empty(registry: &RegistryAddress) -> Inventory {
        Inventory::new(registry, Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn writers_under_the_lock_never_lose_each_others_changes() {
        let dir = tempfile::tempdir().unwrap();
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let file = CacheFile::at(dir.path().join("c.json"));
        file.save(&empty(&reg)).unwrap();
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
