//! The data model: what regsweep knows of one registry (repositories -> tags -> digests, and manifest
//! details by digest), with the pure walks over it; `merge` joins two views of it. No I/O: the cache
//! file (`cache.rs`) stores it, refresh fills it, selection reads it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::names::{is_digest, is_repository_name, is_tag};

pub mod attachments;
mod blob;
mod manifest;
mod media;
mod merge;
mod packed;
mod platforms;
mod shared;
mod stamp;
mod text;

pub use attachments::{Attachments, is_attachment_tag};
pub use blob::SharedBlobs;
pub use manifest::ManifestDetails;
pub use media::{MediaType, Platform};
pub use merge::{carry_over_history, merge_details, merge_refresh, share_digests, take_details};
pub use packed::packed;
pub use platforms::Platforms;
pub use shared::{Digest, RepositoryName};
pub use stamp::Stamp;

/// The cache format version this build reads and writes. Bump it when the format changes in a way an
/// older reader would misread. Version 2 moved manifest details out of the main file into the
/// details file beside it; version 1 files are migrated when first read.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything regsweep knows about one registry, or about some of its repositories (`elsewhere` then
/// says what lies outside them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema: u32,
    /// The registry's base URL, so a file can't be mixed up with another registry's.
    pub registry: String,
    pub refreshed_at: Timestamp,
    /// Counts the writes of the file, so a writer can tell whether another wrote since it read.
    #[serde(default)]
    pub generation: u64,
    /// The last of the store's logged registry events this view includes (0: none): a reader
    /// applies the later ones to it.
    #[serde(default)]
    pub events_seq: u64,
    /// What part of the registry this is, when not all of it: the GitLab projects and groups it was
    /// discovered through. A run with another scope never takes it for its own view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// What the registry was found to support, so later runs choose the right method at once.
    #[serde(default, skip_serializing_if = "Capabilities::is_unknown")]
    pub capabilities: Capabilities,
    /// Every repository of the catalog; an emptied one has no tags.
    #[serde(deserialize_with = "packed::packed")]
    pub repositories: BTreeMap<String, Repository>,
    /// Manifest details by digest: all of them, or those loaded for the work at hand. A hash map:
    /// at a million manifests the plan, the blob walks and the details checks look digests up
    /// millions of times, and a tree of a million long keys cost 1 µs a lookup. Written sorted.
    #[serde(default, serialize_with = "sorted")]
    pub manifests: Details,
    /// Set when only some repositories were loaded: what the rest of the registry holds, as far as
    /// selection and the reclaimable estimate need it.
    #[serde(skip)]
    pub elsewhere: Option<Elsewhere>,
}

/// Manifest details by digest, each in a box of its own: a hash table is a power of two of slots,
/// and at a million manifests two million slots of whole details (over 250 bytes each) were 550 MB,
/// most of them empty; a slot of a digest and a box is 24 bytes.
pub type Details = rustc_hash::FxHashMap<Digest, Box<ManifestDetails>>;

/// A map written in key order, so a file or an answer reads the same from run to run.
fn sorted<S: serde::Serializer, K: Ord + Serialize, V: Serialize>(
    map: &rustc_hash::FxHashMap<K, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let ordered: BTreeMap<&K, &V> = map.iter().collect();
    ordered.serialize(serializer)
}

/// What a partly loaded inventory knows of the repositories it did not load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Elsewhere {
    /// Every repository of the registry, with its number of tags.
    pub repositories: BTreeMap<String, usize>,
    /// For the loaded repositories' digests: every repository tagging each, as the cache knows it.
    pub shared: BTreeMap<String, Vec<String>>,
    /// How many (repository, manifest) pairs of the whole registry reference each blob, for the blobs
    /// loaded so far (a plan's).
    pub blob_refs: BTreeMap<String, u32>,
    /// Manifests of the whole registry whose details the cache lacks.
    pub missing_details: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    #[serde(deserialize_with = "packed::packed")]
    pub tags: BTreeMap<String, TagEntry>,
    /// Manifests that refer to another of this repository (OCI 1.1 `subject`: signatures, SBOMs,
    /// attestations) as the registry's referrers API listed them, by digest. Referrers found through
    /// tags (cosign's `sha256-<hex>.sig`, the referrers tag schema's index) are read off the tags.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "packed::packed"
    )]
    pub referrers: BTreeMap<String, Referrer>,
    /// Manifests that tags pointed to before and no longer do (or that were pushed without a tag),
    /// by digest: the part of the registry's untagged manifests regsweep knows of. Whether each is
    /// still stored is asked of the registry before anything is done with it.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "packed::packed"
    )]
    pub untagged: BTreeMap<String, Untagged>,
}

impl Repository {
    /// Forgets a manifest that is gone: its tags, and it as a referrer or untagged manifest.
    pub fn forget(&mut self, digest: &str) {
        self.tags.retain(|_, t| t.digest != digest);
        self.referrers.remove(digest);
        self.untagged.remove(digest);
    }

    /// Whether a tag points to `digest`.
    pub fn is_tagged(&self, digest: &str) -> bool {
        self.tags.values().any(|t| t.digest == digest)
    }

    /// Remembers `digest` as untagged since `since`, unless a tag points to it or it is remembered
    /// already; whether it was added.
    pub fn mark_untagged(
        &mut self,
        digest: &str,
        since: Timestamp,
        media_type: Option<MediaType>,
        tags: Vec<String>,
    ) -> bool {
        if self.is_tagged(digest) || self.untagged.contains_key(digest) {
            return false;
        }
        let entry = Untagged {
            since,
            media_type,
            tags,
        };
        self.untagged.insert(digest.to_owned(), entry);
        true
    }
}

/// A manifest the referrers API listed for a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<MediaType>,
}

/// A manifest that lost its last tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Untagged {
    /// When regsweep first saw it without a tag.
    pub since: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// The tags that pointed to it last, as far as regsweep saw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagEntry {
    pub digest: Digest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// When regsweep first saw this tag point to this digest (a refresh, or a push notification):
    /// the age of a promotion, which `--tagged-before` selects by. Read through `seen()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seen: Option<Stamp>,
    /// The last pull of this manifest in this repository that a registry notification reported
    /// (`regsweep serve`), which `--not-pulled-for` selects by. Read through `pulled()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pulled: Option<Stamp>,
}

impl TagEntry {
    pub fn new(digest: impl Into<Digest>, media_type: Option<MediaType>) -> Self {
        Self {
            digest: digest.into(),
            media_type,
            seen: None,
            pulled: None,
        }
    }

    pub fn seen(&self) -> Option<Timestamp> {
        self.seen.map(Stamp::get)
    }

    pub fn pulled(&self) -> Option<Timestamp> {
        self.pulled.map(Stamp::get)
    }

    pub fn set_seen(&mut self, seen: Option<Timestamp>) {
        self.seen = seen.map(Stamp::from);
    }

    pub fn set_pulled(&mut self, pulled: Option<Timestamp>) {
        self.pulled = pulled.map(Stamp::from);
    }
}

/// What a registry was found to do; `None` until a run finds out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Whether deleting a manifest by digest also drops the tags pointing to it (Docker's registry
    /// does; go-containerregistry's keeps them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_drops_tags: Option<bool>,
    /// Whether `DELETE /v2/NAME/manifests/TAG` removes a tag (Docker's registry 3.x, GitLab's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_by_tag: Option<bool>,
    /// Whether the OCI 1.1 referrers API answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrers_api: Option<bool>,
    /// How many repositories a catalog page held when the registry paged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_page_size: Option<usize>,
    /// Whether the registry carries out an accepted DELETE later rather than at once (Pulp answers
    /// 202 and removes the manifest in a background task): learned from a manifest seen gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletes_later: Option<bool>,
}

impl Capabilities {
    pub fn is_unknown(&self) -> bool {
        *self == Self::default()
    }

    /// `other`'s findings over these (a finding is never forgotten for lack of a new one).
    pub fn learn(&mut self, other: Capabilities) {
        self.delete_drops_tags = other.delete_drops_tags.or(self.delete_drops_tags);
        self.delete_by_tag = other.delete_by_tag.or(self.delete_by_tag);
        self.referrers_api = other.referrers_api.or(self.referrers_api);
        self.catalog_page_size = other.catalog_page_size.or(self.catalog_page_size);
        self.deletes_later = other.deletes_later.or(self.deletes_later);
    }
}

/// A blob a manifest references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    pub digest: Digest,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
}

/// A manifest an index references, with the platform it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildManifest {
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// `os/architecture[/variant]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

impl Inventory {
    pub fn new(registry: &impl fmt::Display, refreshed_at: Timestamp) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            registry: registry.to_string(),
            refreshed_at,
            generation: 0,
            events_seq: 0,
            scope: None,
            capabilities: Capabilities::default(),
            repositories: BTreeMap::new(),
            manifests: Details::default(),
            elsewhere: None,
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
            if let Some(children) = details.children()
                && !children.iter().all(|c| is_digest(&c.digest))
            {
                details.set_children(None);
                details.manifest_bytes = None;
            }
        }
        dropped
    }

    /// Repositories holding at least one tag, in name order.
    pub fn tagged_repositories(&self) -> impl Iterator<Item = (&String, &Repository)> {
        self.repositories.iter().filter(|(_, r)| !r.tags.is_empty())
    }

    /// The digests the tags name, for reading details keyed by the same copies (`Digest`): one set
    /// entry per manifest, sharing the tags' copies.
    pub fn tagged_digests(&self) -> rustc_hash::FxHashSet<Digest> {
        let tags = self.repositories.values().map(|r| r.tags.len()).sum();
        let mut digests = rustc_hash::FxHashSet::default();
        digests.reserve(tags);
        let all = self.repositories.values().flat_map(|r| r.tags.values());
        digests.extend(all.map(|t| t.digest.clone()));
        digests
    }

    /// Every manifest of a repository regsweep knows of: the tagged ones, the referrers the API
    /// listed, the untagged ones, and the children of their known indexes.
    pub fn repository_manifests(&self, repo: &str) -> BTreeSet<&str> {
        self.each_repository_manifest(repo).collect()
    }

    /// The manifests of `repository_manifests`, in no order and some more than once (an image
    /// several tags share): for a walk that needs neither order nor uniqueness, as counting blobs
    /// into a set. At a million tags, sorting each repository's digests was a second of a plan.
    pub fn each_repository_manifest<'a>(
        &'a self,
        repo: &str,
    ) -> impl Iterator<Item = &'a str> + use<'a> {
        self.repositories
            .get(repo)
            .into_iter()
            .flat_map(|repository| {
                repository
                    .tags
                    .values()
                    .map(|entry| entry.digest.as_str())
                    .chain(repository.referrers.keys().map(String::as_str))
                    .chain(repository.untagged.keys().map(String::as_str))
            })
            .flat_map(|digest| self.with_children(digest))
    }

    /// A manifest's digest and, for a known index, its children's.
    pub fn with_children<'a>(&'a self, digest: &'a str) -> impl Iterator<Item = &'a str> {
        let children = self.manifests.get(digest).and_then(|d| d.children());
        std::iter::once(digest).chain(children.into_iter().flatten().map(|c| c.digest.as_str()))
    }

    /// Drops what points to manifests the registry no longer has: (repository, digest) pairs.
    pub fn forget_gone(&mut self, gone: &[(String, String)]) {
        for (repo, digest) in gone {
            if let Some(repository) = self.repositories.get_mut(repo) {
                repository.forget(digest);
            }
        }
    }

    /// Fails with the first of `names` the inventory does not hold.
    pub fn check_repositories(&self, names: &[String]) -> Result<(), UnknownRepository> {
        let known = |name: &String| match &self.elsewhere {
            Some(elsewhere) => elsewhere.repositories.contains_key(name),
            None => self.repositories.contains_key(name),
        };
        match names.iter().find(|n| !known(n)) {
            Some(name) => Err(UnknownRepository {
                name: name.clone(),
                registry: self.registry.clone(),
            }),
            None => Ok(()),
        }
    }

    pub fn tag_count(&self) -> usize {
        self.repositories.values().map(|r| r.tags.len()).sum()
    }

    pub fn digest_count(&self) -> usize {
        let digests: rustc_hash::FxHashSet<&str> = self
            .repositories
            .values()
            .flat_map(|r| r.tags.values().map(|t| t.digest.as_str()))
            .collect();
        digests.len()
    }
}

fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

/// A repository the user named that the registry (or the cache of it) does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("repository {name} not found in {registry}")]
pub struct UnknownRepository {
    pub name: String,
    pub registry: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_tags(registry: &str, repos: &[(&str, &[(&str, &str)])]) -> Inventory {
        let mut inv = Inventory::new(&registry, Timestamp::UNIX_EPOCH);
        for (name, tags) in repos {
            let mut repo = Repository::default();
            for (tag, digest) in *tags {
                repo.tags
                    .insert((*tag).into(), TagEntry::new(*digest, None));
            }
            inv.repositories.insert((*name).into(), repo);
        }
        inv
    }

    #[test]
    fn a_refresh_keeps_what_other_writers_changed_while_it_ran() {
        let reg = "http://127.0.0.1:5000";
        let base = with_tags(
            reg,
            &[("app", &[("1", "A"), ("2", "B")]), ("old", &[("1", "O")])],
        );
        // Meanwhile a removal deleted app:1 and a restore brought back old:2.
        let current = with_tags(
            reg,
            &[("app", &[("2", "B")]), ("old", &[("1", "O"), ("2", "P")])],
        );
        // The refresh read app before the removal, saw a push of app:3, and found `new`.
        let ours = with_tags(
            reg,
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
    fn names_that_break_the_grammar_are_dropped_with_a_line_each() {
        let reg = "http://127.0.0.1:5000";
        let good = format!("sha256:{}", "a".repeat(64));
        let mut inv = with_tags(
            reg,
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
}
