//! The versioned per-registry JSON cache: where it lives, loading it, and saving it atomically under a
//! file lock.
//!
//! The file holds what the registry held at `refreshed_at`: repositories -> tags -> {digest, media
//! type}, and a digest-keyed map of manifest details (a manifest never changes for its digest, so those
//! are kept until the digest disappears). It never holds a credential.
//!
//! Several regsweep processes may share one file. Every writer reads, changes and writes it under the
//! exclusive lock (`update`), so no writer's change is lost to another's; a refresh, which reads the
//! registry for a while before it writes, merges with what others wrote meanwhile
//! (`inventory::merge_refresh`). The data model itself is `inventory.rs`'s.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::files::{create_private_dir, write_atomically};
use crate::inventory::{Inventory, SCHEMA_VERSION, merge_refresh};
use crate::registry::RegistryAddress;

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
    use crate::inventory::{Repository, TagEntry};
    use jiff::Timestamp;

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
