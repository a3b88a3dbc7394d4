//! The cache's companion file (`<cache>.details`): what makes a cache of a million tags answer a
//! question about one repository without reading the rest. Binary, little-endian, versioned, written
//! whole and renamed into place like the main file; readers fetch only the parts they need.
//!
//! ```text
//! header   magic, version, the main file it was written with (generation, length, mtime), the
//!          registry, counts, registry-wide usage figures, media types, and each section's place
//! repos    per repository, sorted by name: tag and manifest counts, size, disk size, and where its
//!          value sits in the main JSON (so one repository is parsed, not the file)
//! names    the repositories' names
//! holders  every tagged digest -> the repositories tagging it (the reverse check)
//! index    manifest key -> where its record is, sorted by key (binary search)
//! records  manifest details, one record per digest
//! blobs    blob key -> size and how many (repository, manifest) pairs reference it, sorted by key
//! ```
//!
//! A key is the first 16 bytes of the SHA-256 of the digest string. Records carry their digest and are
//! checked against it, so a collision could only make a record unusable, never wrong. Records (facts
//! about a digest) stay valid whatever happens to the main file; the tables about tags (repos, shared,
//! blobs, usage) are used only while the main file is exactly the one the store was written with.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io;
use std::path::Path;

use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

use super::read_at;
pub use super::record::Corrupt;
use super::record::{In, MediaTypes, corrupt, decode_record};
use crate::inventory::{Details, Digest, ManifestDetails, MediaType, SharedBlobs};
use rustc_hash::FxHashSet;

pub(super) const MAGIC: &[u8; 8] = b"RSWPDET\0";
/// Version 2 added each manifest's `subject` and artifact type; a version 1 file is not read, so the
/// details are read from the registry again once.
pub const VERSION: u32 = 2;
pub(super) const KEY: usize = 16;
const REPO_ROW: usize = 64;
const SHARED_ROW: usize = KEY + 8;
const INDEX_ROW: usize = KEY + 12;
const BLOB_ROW: usize = KEY + 12;
pub(super) const SECTIONS: usize = 7;

/// The main file a store was written with: its tables about tags hold only for that file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MainStamp {
    pub generation: u64,
    pub len: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified: u128,
}

/// Where a repository's value sits in the main JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub offset: u64,
    pub len: u64,
}

/// One repository as the store summarizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRow {
    pub name: String,
    pub tags: u32,
    pub manifests: u32,
    pub size: u64,
    pub disk_size: u64,
    pub attachments: u32,
    pub untagged: u32,
    pub untagged_disk_size: u64,
    pub span: Span,
}

/// Registry-wide figures computed when the store was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub tags: u64,
    pub digests: u64,
    pub details: u64,
    /// Manifests of the registry whose details the cache lacks.
    pub missing: u64,
    /// Each blob counted once across every repository.
    pub disk_size: u64,
}

/// What the writer computed from the whole inventory.
pub struct Summary<'a> {
    pub repos: Vec<RepoRow>,
    pub totals: Totals,
    /// Blob digest -> (size, how many (repository, manifest) pairs reference it).
    pub blobs: rustc_hash::FxHashMap<&'a str, (u64, u32)>,
}

/// The key of a digest in the sorted tables: for a sha256 digest its first 16 bytes (the digest is
/// already a uniform hash), for any other the first 16 bytes of the SHA-256 of its text.
pub fn key(digest: &str) -> [u8; KEY] {
    let nibble = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut key = [0; KEY];
    if let Some(hex) = digest.strip_prefix("sha256:").filter(|h| h.len() == 64) {
        let hex = hex.as_bytes();
        let mut ok = true;
        for (i, slot) in key.iter_mut().enumerate() {
            match (nibble(hex[2 * i]), nibble(hex[2 * i + 1])) {
                (Some(high), Some(low)) => *slot = (high << 4) | low,
                _ => ok = false,
            }
        }
        if ok {
            return key;
        }
    }
    let hash = Sha256::digest(digest.as_bytes());
    key.copy_from_slice(&hash[..KEY]);
    key
}

#[derive(Debug, Clone, Copy)]
struct Section {
    at: u64,
    len: u64,
}

/// A part of the records section read at once, for reading the records in file order.
#[derive(Default)]
struct Window {
    size: usize,
    at: u64,
    bytes: Vec<u8>,
}

impl Window {
    /// How much of the records section one read takes.
    const SIZE: usize = 8 << 20;

    /// The record at `at`, `len` bytes long, reading the next part of the section when the window
    /// does not hold it.
    fn get(&mut self, store: &Store, at: u64, len: usize) -> Result<&[u8], Corrupt> {
        let end = at.saturating_add(len as u64);
        if at < self.at || end > self.at + self.bytes.len() as u64 {
            let left = store.sections[5].len.saturating_sub(at);
            let size = (self.size.max(len) as u64).min(left) as usize;
            self.bytes = store.read(5, at, size)?;
            self.at = at;
        }
        let from = (at - self.at) as usize;
        self.bytes
            .get(from..from + len)
            .ok_or_else(|| corrupt("a record"))
    }
}

/// An open store: its header read, its sections read on demand.
pub struct Store {
    file: File,
    pub stamp: MainStamp,
    pub registry: String,
    pub refreshed_at: Timestamp,
    pub totals: Totals,
    types: MediaTypes,
    sections: [Section; SECTIONS],
}

impl Store {
    /// Opens the store at `path`; `None` when there is none.
    pub fn open(path: &Path) -> io::Result<Option<Result<Self, Corrupt>>> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let head = read_at(&file, 0, len.min(64 * 1024) as usize)?;
        Ok(Some(Self::parse_header(file, &head)))
    }

    fn parse_header(file: File, head: &[u8]) -> Result<Self, Corrupt> {
        let mut r = In::new(head);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(corrupt("not a regsweep details file"));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(Corrupt(format!(
                "details file version {version}, expected {VERSION}"
            )));
        }
        let stamp = MainStamp {
            generation: r.u64()?,
            len: r.u64()?,
            modified: (u128::from(r.u64()?) << 64) | u128::from(r.u64()?),
        };
        let registry = r.str()?;
        let refreshed_at = Timestamp::new(r.u64()? as i64, r.u32()? as i32)
            .map_err(|_| corrupt("the time of the refresh"))?;
        let totals = Totals {
            tags: r.u64()?,
            digests: r.u64()?,
            details: r.u64()?,
            missing: r.u64()?,
            disk_size: r.u64()?,
        };
        let types = (0..r.u8()?)
            .map(|_| r.str().map(MediaType::from))
            .collect::<Result<_, _>>()?;
        let mut sections = [Section { at: 0, len: 0 }; SECTIONS];
        for s in &mut sections {
            *s = Section {
                at: r.u64()?,
                len: r.u64()?,
            };
        }
        Ok(Self {
            file,
            stamp,
            registry,
            refreshed_at,
            totals,
            types: MediaTypes(types),
            sections,
        })
    }

    fn read(&self, section: usize, at: u64, len: usize) -> Result<Vec<u8>, Corrupt> {
        let s = self.sections[section];
        // Offsets come from the file: a damaged one is an error, never an overflow.
        let end = at.checked_add(len as u64);
        let start = s.at.checked_add(at);
        let (Some(end), Some(start)) = (end, start) else {
            return Err(corrupt("an offset beyond the file"));
        };
        if end > s.len {
            return Err(corrupt("a section is shorter than its table says"));
        }
        read_at(&self.file, start, len)
            .map_err(|e| Corrupt(format!("reading the details file: {e}")))
    }

    fn whole(&self, section: usize) -> Result<Vec<u8>, Corrupt> {
        self.read(section, 0, self.sections[section].len as usize)
    }

    /// Every repository with its summary, sorted by name.
    pub fn repositories(&self) -> Result<Vec<RepoRow>, Corrupt> {
        let table = self.whole(0)?;
        let names = self.whole(1)?;
        table
            .chunks_exact(REPO_ROW)
            .map(|row| {
                let mut r = In::new(row);
                let (at, len) = (r.u32()? as usize, r.u32()? as usize);
                let name = names
                    .get(at..at + len)
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .ok_or_else(|| corrupt("a repository name"))?;
                Ok(RepoRow {
                    name: name.to_owned(),
                    tags: r.u32()?,
                    manifests: r.u32()?,
                    size: r.u64()?,
                    disk_size: r.u64()?,
                    attachments: r.u32()?,
                    untagged: r.u32()?,
                    untagged_disk_size: r.u64()?,
                    span: Span {
                        offset: r.u64()?,
                        len: r.u64()?,
                    },
                })
            })
            .collect()
    }

    /// Every row of a sorted section of `row`-byte rows whose key is `key` (normally one; equal keys
    /// are possible only for digests made to collide), each as its bytes after the key.
    fn find(&self, section: usize, row: usize, key: &[u8; KEY]) -> Result<Vec<Vec<u8>>, Corrupt> {
        let count = self.sections[section].len / row as u64;
        let row_at = |i: u64| self.read(section, i * row as u64, row);
        // The first row whose key is not below `key`.
        let (mut lo, mut hi) = (0u64, count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if row_at(mid)?[..KEY] < key[..] {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut found = Vec::new();
        while lo < count {
            let bytes = row_at(lo)?;
            if bytes[..KEY] != key[..] {
                break;
            }
            found.push(bytes[KEY..].to_vec());
            lo += 1;
        }
        Ok(found)
    }

    /// For each of `digests` that is tagged: the repositories tagging it (by name). Rows of colliding
    /// keys are merged: more holders only makes the reverse check refuse more.
    pub fn holders<'a>(
        &self,
        digests: impl IntoIterator<Item = &'a str>,
        repos: &[RepoRow],
    ) -> Result<BTreeMap<String, Vec<String>>, Corrupt> {
        let mut found = BTreeMap::new();
        for digest in digests {
            let mut names = BTreeSet::new();
            for row in self.find(2, SHARED_ROW, &key(digest))? {
                let mut r = In::new(&row);
                let (at, count) = (u64::from(r.u32()?), r.u32()? as usize);
                let array = self.read(3, at * 4, count * 4)?;
                for c in array.chunks_exact(4) {
                    let i = u32::from_le_bytes(c.try_into().unwrap_or_default()) as usize;
                    let repo = repos.get(i).ok_or_else(|| corrupt("a shared digest"))?;
                    names.insert(repo.name.clone());
                }
            }
            if !names.is_empty() {
                found.insert(digest.to_owned(), names.into_iter().collect());
            }
        }
        Ok(found)
    }

    /// The details the store holds of `digests`.
    pub fn details<'a>(
        &self,
        digests: impl IntoIterator<Item = &'a str>,
    ) -> Result<BTreeMap<String, ManifestDetails>, Corrupt> {
        let mut found = BTreeMap::new();
        let mut blobs = SharedBlobs::default();
        for digest in digests {
            for row in self.find(4, INDEX_ROW, &key(digest))? {
                let mut r = In::new(&row);
                let (at, len) = (r.u64()?, r.u32()? as usize);
                let record = self.read(5, at, len)?;
                let (stored, details) = decode_record(&record, &self.types, &mut blobs)?;
                if stored == digest {
                    found.insert(stored.to_owned(), details);
                }
            }
        }
        Ok(found)
    }

    /// Every record of the store, read in file order a window at a time: the records of a million
    /// manifests are 580 MB, and holding them whole beside what they decode to was the peak of
    /// reading a cache (1.3 GB against 1.0 GB after).
    ///
    /// A manifest in `tagged` is keyed by that copy of its digest, so the tags and the details
    /// share one (a million-tag cache: 95 MB less). The tags' copy is the one kept: it lies beside
    /// the tags, which the walks over a million tags read in order; pointing the tags at copies
    /// made here left them scattered in digest order, and freeing the million copies left the
    /// allocator's free lists in pieces: a million-tag plan was 30-45% slower either way.
    pub fn all_details(&self, tagged: &FxHashSet<Digest>) -> Result<Details, Corrupt> {
        self.all_details_by(Window::SIZE, tagged)
    }

    /// `all_details`, reading `window` bytes at a time (or a whole record, when longer).
    fn all_details_by(
        &self,
        window: usize,
        tagged: &FxHashSet<Digest>,
    ) -> Result<Details, Corrupt> {
        let index = self.whole(4)?;
        let mut spans = index
            .chunks_exact(INDEX_ROW)
            .map(|row| {
                let mut r = In::new(&row[KEY..]);
                Ok((r.u64()?, r.u32()? as usize))
            })
            .collect::<Result<Vec<_>, Corrupt>>()?;
        drop(index);
        spans.sort_unstable();
        let mut found = Details::default();
        found.reserve(spans.len());
        let mut blobs = SharedBlobs::default();
        let mut window = Window {
            size: window,
            ..Window::default()
        };
        for (at, len) in spans {
            let bytes = window.get(self, at, len)?;
            let (digest, details) = decode_record(bytes, &self.types, &mut blobs)?;
            let digest = tagged.get(digest).cloned().unwrap_or_else(|| digest.into());
            found.insert(digest, Box::new(details));
        }
        Ok(found)
    }

    /// For each of `blobs` the store counts: how many (repository, manifest) pairs reference it. A
    /// blob whose key collides with another's gets no count: it is then never counted as freed.
    pub fn blob_refs<'a>(
        &self,
        blobs: impl IntoIterator<Item = &'a str>,
    ) -> Result<BTreeMap<String, u32>, Corrupt> {
        let mut found = BTreeMap::new();
        for blob in blobs {
            if let [row] = self.find(6, BLOB_ROW, &key(blob))?.as_slice() {
                let mut r = In::new(row);
                let _size = r.u64()?;
                found.insert(blob.to_owned(), r.u32()?);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::super::writer::encode;
    use super::*;
    use crate::inventory::Inventory;
    use crate::inventory::{BlobRef, ChildManifest, Repository, TagEntry};

    fn digest(n: u32) -> String {
        let hash = Sha256::digest(n.to_le_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    #[test]
    fn keys_of_sha256_digests_are_their_first_bytes() {
        let d = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(key(&d), [0xab; 16]);
        assert_ne!(key("sha512:abc"), key("sha512:abd"));
    }

    #[test]
    fn everything_written_reads_back() {
        let mut inv = Inventory::new(&"http://127.0.0.1:5000", Timestamp::UNIX_EPOCH);
        for r in 0..3u32 {
            let mut repo = Repository::default();
            for t in 0..20u32 {
                // Digest 5 is tagged in every repository.
                let d = if t == 5 {
                    digest(5)
                } else {
                    digest(100 * r + t)
                };
                repo.tags
                    .insert(format!("1.{t}"), TagEntry::new(d.clone(), None));
                let mut details = ManifestDetails {
                    media_type: Some("application/vnd.oci.image.manifest.v1+json".into()),
                    manifest_bytes: Some(300),
                    size: Some(1234),
                    config: Some(BlobRef {
                        digest: digest(9_000 + t).into(),
                        size: 5,
                        media_type: None,
                    }),
                    layers: Box::new([BlobRef {
                        digest: digest(7).into(),
                        size: 1000,
                        media_type: Some("l".into()),
                    }]),
                    created: Some(
                        Timestamp::from_second(1_700_000_000 + i64::from(t))
                            .unwrap()
                            .into(),
                    ),
                    platforms: vec!["linux/amd64".into()].into(),
                    config_read: true,
                    from_gitlab: t == 1,
                    ..ManifestDetails::default()
                };
                details.set_subject((t == 2).then(|| digest(9)));
                details.set_artifact_type((t == 2).then(|| "application/spdx+json".into()));
                details.set_children((t == 3).then(|| {
                    vec![ChildManifest {
                        digest: digest(8),
                        media_type: None,
                        platform: Some("linux/arm64".into()),
                    }]
                }));
                inv.manifests.insert(d.as_str().into(), Box::new(details));
            }
            inv.repositories.insert(format!("repo-{r}"), repo);
        }
        let repos: Vec<RepoRow> = inv
            .repositories
            .iter()
            .map(|(name, r)| RepoRow {
                name: name.clone(),
                tags: r.tags.len() as u32,
                manifests: 0,
                size: 1,
                disk_size: 2,
                attachments: 3,
                untagged: 4,
                untagged_disk_size: 5,
                span: Span {
                    offset: 10,
                    len: 20,
                },
            })
            .collect();
        let mut blobs = rustc_hash::FxHashMap::default();
        blobs.insert(digest(7).leak() as &str, (1000u64, 60u32));
        let summary = Summary {
            repos: repos.clone(),
            totals: Totals::default(),
            blobs,
        };
        let stamp = MainStamp {
            generation: 4,
            len: 99,
            modified: 12345,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.details");
        std::fs::write(&path, encode(&inv, stamp, &summary).concat()).unwrap();
        let store = Store::open(&path).unwrap().unwrap().unwrap();
        assert_eq!(store.stamp, stamp);
        assert_eq!(store.repositories().unwrap(), repos);
        let tagged = inv.tagged_digests();
        let all = store.all_details(&tagged).unwrap();
        assert_eq!(all, inv.manifests);
        // Tagged manifests are keyed by the tags' copies; others by copies of their own.
        for key in all.keys() {
            let tags = tagged.get(key.as_str());
            assert_eq!(
                tags.is_some_and(|t| Digest::same_copy(t, key)),
                tags.is_some()
            );
        }
        assert!(all.keys().any(|k| tagged.contains(k.as_str())));
        // Read a window at a time: records cross windows' ends, and are longer than some windows.
        for window in [1, 100, 333, 4096] {
            let none = FxHashSet::default();
            assert_eq!(
                store.all_details_by(window, &none).unwrap(),
                inv.manifests,
                "{window}"
            );
        }
        let one = store
            .details([digest(103).as_str(), "sha256:none"])
            .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[&digest(103)], *inv.manifests[digest(103).as_str()]);
        let holders = store
            .holders([digest(5).as_str(), digest(1).as_str()], &repos)
            .unwrap();
        assert_eq!(holders[&digest(5)], ["repo-0", "repo-1", "repo-2"]);
        assert_eq!(holders[&digest(1)], ["repo-0"]);
        assert_eq!(
            store.blob_refs([digest(7).as_str()]).unwrap()[&digest(7)],
            60
        );
        // Digests made to collide (the same first 16 bytes): each record is still found by its own.
        let twin =
            |last: char| format!("sha256:{}{}", "cd".repeat(16), last.to_string().repeat(32));
        let mut colliding = inv.clone();
        for last in ['1', '2'] {
            let details = ManifestDetails {
                size: Some(u64::from(last as u8)),
                ..Default::default()
            };
            colliding
                .manifests
                .insert(twin(last).into(), Box::new(details));
        }
        std::fs::write(&path, encode(&colliding, stamp, &summary).concat()).unwrap();
        let store = Store::open(&path).unwrap().unwrap().unwrap();
        let both = store
            .details([twin('1').as_str(), twin('2').as_str()])
            .unwrap();
        assert_eq!(both[&twin('1')].size, Some(u64::from(b'1')));
        assert_eq!(both[&twin('2')].size, Some(u64::from(b'2')));
        // A damaged file is an error, never a panic.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&path, &bytes).unwrap();
        let store = Store::open(&path).unwrap().unwrap().unwrap();
        assert!(store.all_details(&FxHashSet::default()).is_err());
        assert!(store.all_details_by(100, &FxHashSet::default()).is_err());
        // Offsets a damaged file names past the end of everything are errors, not overflows.
        assert!(store.read(5, u64::MAX - 1, 10).is_err());
        assert!(Window::default().get(&store, u64::MAX, 10).is_err());
    }
}
