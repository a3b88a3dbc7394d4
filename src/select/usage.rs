//! What each repository and the whole registry store (`regsweep usage`, the service's figures, and
//! what the cache precomputes when it writes), counted with the same blob accounting as a plan's
//! reclaimable space (`reclaim`).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::reclaim::{each_blob, stored_blobs};
use super::untagged::unneeded_untagged;
use crate::inventory::{Attachments, Inventory, is_attachment_tag};
use crate::version::natural_cmp;

/// What the cache precomputes when it writes, in one walk over the registry: `usage` of every
/// repository, and how many (repository, manifest) pairs reference each blob, with its size, so that
/// a plan's reclaimable space needs only the plan's own manifests.
pub struct Figures<'a> {
    pub usage: Usage,
    pub refs: FxHashMap<&'a str, (u64, u32)>,
}

pub fn registry_figures(inventory: &Inventory) -> Figures<'_> {
    let mut refs: FxHashMap<&str, (u64, u32)> = FxHashMap::default();
    let mut missing: FxHashSet<&str> = FxHashSet::default();
    let mut repositories = Vec::with_capacity(inventory.repositories.len());
    for name in inventory.repositories.keys() {
        let manifests = inventory.repository_manifests(name);
        let mut blobs: FxHashMap<&str, u64> = FxHashMap::default();
        for digest in &manifests {
            let known = each_blob(inventory, digest, |blob, size| {
                blobs.insert(blob, size);
                refs.entry(blob).or_insert((size, 0)).1 += 1;
            });
            if !known {
                missing.insert(digest);
            }
        }
        repositories.push(repository_usage(
            inventory,
            name,
            manifests.len(),
            blobs.values().sum(),
        ));
    }
    let usage = Usage {
        repositories,
        registry_disk_size: refs.values().map(|(size, _)| size).sum(),
        missing_details: missing.len(),
    };
    Figures { usage, refs }
}

/// Each blob once across the registry, kept up to date one repository at a time: what the service
/// recounts when a notification changes a repository, instead of walking the whole registry. It
/// always equals what `usage` reports for the registry (`registry_disk_size`, `missing_details`).
#[derive(Debug, Default)]
pub struct BlobTally {
    repositories: FxHashMap<String, Held>,
    /// Each blob's size and how many repositories hold it.
    blobs: FxHashMap<Box<str>, (u64, u32)>,
    /// Manifests without details, and how many repositories hold each.
    missing: FxHashMap<Box<str>, u32>,
    bytes: u64,
}

#[derive(Debug, Default)]
struct Held {
    blobs: Vec<Box<str>>,
    missing: Vec<Box<str>>,
    bytes: u64,
}

impl BlobTally {
    pub fn of(inventory: &Inventory) -> Self {
        let mut tally = Self::default();
        for name in inventory.repositories.keys() {
            tally.recount(inventory, name);
        }
        tally
    }

    /// Counts repository `name` as `inventory` holds it now (nothing, when it holds no such
    /// repository any more).
    pub fn recount(&mut self, inventory: &Inventory, name: &str) {
        if let Some(old) = self.repositories.remove(name) {
            for blob in old.blobs {
                if let Some((size, holders)) = self.blobs.get_mut(&blob) {
                    *holders -= 1;
                    if *holders == 0 {
                        self.bytes -= *size;
                        self.blobs.remove(&blob);
                    }
                }
            }
            for digest in old.missing {
                if let Some(holders) = self.missing.get_mut(&digest) {
                    *holders -= 1;
                    if *holders == 0 {
                        self.missing.remove(&digest);
                    }
                }
            }
        }
        if !inventory.repositories.contains_key(name) {
            return;
        }
        let mut blobs: FxHashMap<&str, u64> = FxHashMap::default();
        let mut held = Held::default();
        for digest in inventory.repository_manifests(name) {
            if !each_blob(inventory, digest, |blob, size| {
                blobs.insert(blob, size);
            }) {
                *self.missing.entry(digest.into()).or_default() += 1;
                held.missing.push(digest.into());
            }
        }
        for (blob, size) in blobs {
            held.bytes += size;
            let (known, holders) = self.blobs.entry(blob.into()).or_insert((size, 0));
            if *holders == 0 {
                self.bytes += *known;
            }
            *holders += 1;
            held.blobs.push(blob.into());
        }
        self.repositories.insert(name.to_owned(), held);
    }

    /// Each blob once across the registry.
    pub fn disk_size(&self) -> u64 {
        self.bytes
    }

    /// Manifests whose details are unknown, each once.
    pub fn missing_details(&self) -> usize {
        self.missing.len()
    }

    /// `name`'s figures as `usage` reports them.
    pub fn repository(&self, inventory: &Inventory, name: &str) -> RepositoryUsage {
        let held = self.repositories.get(name);
        repository_usage(
            inventory,
            name,
            inventory.repository_manifests(name).len(),
            held.map_or(0, |h| h.bytes),
        )
    }
}

/// One repository's figures, the same from either walk: its images' tags (a signature's tag is not an
/// image), their size with their attachments', and the untagged manifests nothing needs, with the
/// bytes only they hold.
fn repository_usage(
    inventory: &Inventory,
    name: &str,
    manifests: usize,
    disk_size: u64,
) -> RepositoryUsage {
    let repository = &inventory.repositories[name];
    let attachments = Attachments::of(inventory, name);
    let images: BTreeSet<&str> = repository
        .tags
        .iter()
        .filter(|(tag, _)| !is_attachment_tag(tag))
        .map(|(_, t)| t.digest.as_str())
        .collect();
    let mut counted: BTreeSet<&str> = images.clone();
    for image in &images {
        counted.extend(attachments.closure(image).iter().map(|a| a.digest.as_str()));
    }
    let lost = unneeded_untagged(inventory, name);
    let mut lost_manifests: BTreeSet<&str> = BTreeSet::new();
    for (digest, _) in &lost {
        lost_manifests.extend(inventory.with_children(digest));
        for a in attachments.closure(digest) {
            lost_manifests.extend(inventory.with_children(&a.digest));
        }
    }
    let rest = inventory.repository_manifests(name);
    let kept = stored_blobs(inventory, rest.difference(&lost_manifests).copied());
    let freed = stored_blobs(inventory, lost_manifests.iter().copied());
    RepositoryUsage {
        name: name.to_owned(),
        tags: repository
            .tags
            .keys()
            .filter(|t| !is_attachment_tag(t))
            .count(),
        manifests,
        size: size_once(inventory, &counted),
        disk_size,
        attachments: attachments.all().count(),
        untagged: lost.len(),
        untagged_disk_size: freed
            .blobs
            .iter()
            .filter(|(blob, _)| !kept.blobs.contains_key(*blob))
            .map(|(_, size)| size)
            .sum(),
        tag_sizes: Vec::new(),
    }
}

/// The size of what `digests` stand for, each image once. An index stands for its children (its own
/// size is theirs summed), so a platform image that also has a tag of its own, or an SBOM both
/// attached to its image and listed in a referrers-tag index, counts once. An index whose
/// children's sizes are not all known counts with its own.
fn size_once(inventory: &Inventory, digests: &BTreeSet<&str>) -> u64 {
    let size_of = |digest: &str| inventory.manifests.get(digest).and_then(|d| d.size);
    let mut images = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = digests.iter().copied().collect();
    while let Some(digest) = todo.pop() {
        if !seen.insert(digest) {
            continue;
        }
        let children = inventory
            .manifests
            .get(digest)
            .and_then(|d| d.children())
            .filter(|children| children.iter().all(|c| size_of(&c.digest).is_some()));
        match children {
            Some(children) => todo.extend(children.iter().map(|c| c.digest.as_str())),
            None => {
                images.insert(digest);
            }
        }
    }
    images.iter().filter_map(|d| size_of(d)).sum()
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RepositoryUsage {
    pub name: String,
    /// Tags of images (not those of signatures and SBOMs).
    pub tags: usize,
    pub manifests: usize,
    /// Sum over the repository's images of config and layer sizes, with their attachments', each
    /// image once (a platform image inside an index and tagged on its own is one image).
    pub size: u64,
    /// Each blob (manifests, configs, layers) counted once within the repository.
    pub disk_size: u64,
    /// Signatures, SBOMs and attestations.
    pub attachments: usize,
    /// Untagged manifests regsweep knows of that nothing needs (`query-untagged`).
    pub untagged: usize,
    /// Bytes only those untagged manifests hold in the repository: the part regsweep knows of.
    pub untagged_disk_size: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag_sizes: Vec<TagSize>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct TagSize {
    pub tag: String,
    pub digest: String,
    pub size: Option<u64>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Usage {
    pub repositories: Vec<RepositoryUsage>,
    /// Each blob counted once across every repository of the registry.
    pub registry_disk_size: u64,
    /// Manifests whose details the cache lacks: the figures leave them out.
    pub missing_details: usize,
}

/// What each of `repositories` stores, and the registry as a whole (each blob once across every
/// repository), as `regsweep usage` reports it.
pub fn usage(inventory: &Inventory, repositories: &[String], with_tags: bool) -> Usage {
    let mut out = Vec::new();
    for name in repositories {
        let Some(repository) = inventory.repositories.get(name) else {
            continue;
        };
        let size_of = |digest: &str| inventory.manifests.get(digest).and_then(|d| d.size);
        let manifests = inventory.repository_manifests(name);
        let mut tag_sizes: Vec<TagSize> = repository
            .tags
            .iter()
            .filter(|(tag, _)| with_tags && !is_attachment_tag(tag))
            .map(|(tag, entry)| TagSize {
                tag: tag.clone(),
                digest: entry.digest.to_string(),
                size: size_of(&entry.digest),
            })
            .collect();
        tag_sizes.sort_by(|a, b| natural_cmp(&a.tag, &b.tag));
        let (count, disk_size) = (manifests.len(), stored_blobs(inventory, manifests).bytes());
        out.push(RepositoryUsage {
            tag_sizes,
            ..repository_usage(inventory, name, count, disk_size)
        });
    }
    let registry = stored_blobs(
        inventory,
        inventory
            .repositories
            .keys()
            .flat_map(|repo| inventory.repository_manifests(repo)),
    );
    Usage {
        repositories: out,
        registry_disk_size: registry.bytes(),
        missing_details: registry.missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{BlobRef, ManifestDetails, Repository, TagEntry};
    use crate::registry::RegistryAddress;
    use crate::select::testing::*;

    #[test]
    fn an_image_counts_once_however_many_ways_it_is_reached() {
        // I is an index of C1 and C2; C1 is also tagged on its own. R is a referrers index listing
        // the SBOM S, which is also attached to C2 directly.
        let mut inv = inventory(&[("multi", &[("1.0", "I"), ("1.0-amd64", "C1")])]);
        let image = |size| ManifestDetails {
            size: Some(size),
            ..Default::default()
        };
        let index = |children: &[&str], size| ManifestDetails {
            size: Some(size),
            ..ManifestDetails::default().with_children(
                children
                    .iter()
                    .map(|c| crate::inventory::ChildManifest {
                        digest: (*c).into(),
                        media_type: None,
                        platform: None,
                    })
                    .collect(),
            )
        };
        inv.manifests
            .insert("I".into(), Box::new(index(&["C1", "C2"], 300)));
        inv.manifests.insert("C1".into(), Box::new(image(100)));
        inv.manifests.insert("C2".into(), Box::new(image(200)));
        inv.manifests
            .insert("R".into(), Box::new(index(&["S"], 40)));
        inv.manifests.insert("S".into(), Box::new(image(40)));
        let counted =
            |inv: &Inventory, digests: &[&str]| size_once(inv, &digests.iter().copied().collect());
        assert_eq!(counted(&inv, &["I", "C1"]), 300, "not 400");
        assert_eq!(
            counted(&inv, &["C2", "R", "S"]),
            240,
            "the SBOM once, not 280"
        );
        // An index whose children are unknown counts with its own size.
        inv.manifests.remove("C2");
        assert_eq!(counted(&inv, &["I"]), 300);
        let names = vec!["multi".to_owned()];
        inv.manifests.insert("C2".into(), Box::new(image(200)));
        assert_eq!(usage(&inv, &names, false).repositories[0].size, 300);
    }

    #[test]
    fn one_walk_gives_what_usage_gives() {
        let blob = |d: &str, size| BlobRef {
            digest: d.into(),
            size,
            media_type: None,
        };
        let mut inv = inventory(&[("a", &[("1", "M1"), ("2", "M2")]), ("b", &[("1", "M1")])]);
        for digest in ["M1", "M2"] {
            inv.manifests.insert(
                digest.into(),
                Box::new(ManifestDetails {
                    manifest_bytes: Some(10),
                    size: Some(105),
                    config: Some(blob(&format!("C{digest}"), 5)),
                    layers: Box::new([blob("S", 100)]),
                    ..Default::default()
                }),
            );
        }
        let names: Vec<String> = inv.repositories.keys().cloned().collect();
        let figures = registry_figures(&inv);
        assert_eq!(figures.usage, usage(&inv, &names, false));
        assert_eq!(
            figures.refs["S"],
            (100, 3),
            "a:1, a:2 and b:1 reference the layer"
        );
        assert_eq!(figures.refs["M1"], (10, 2));
    }

    fn details(layers: &[(&str, u64)]) -> ManifestDetails {
        let blob = |(d, size): &(&str, u64)| BlobRef {
            digest: (*d).into(),
            size: *size,
            media_type: None,
        };
        ManifestDetails {
            manifest_bytes: Some(10),
            config: Some(BlobRef {
                digest: "config".into(),
                size: 5,
                media_type: None,
            }),
            layers: layers.iter().map(blob).collect(),
            size: Some(5 + layers.iter().map(|(_, s)| s).sum::<u64>()),
            ..Default::default()
        }
    }

    #[test]
    fn shared_blobs_count_once_on_disk() {
        let registry = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let mut inv = Inventory::new(&registry, jiff::Timestamp::UNIX_EPOCH);
        let tag = |digest: &str| TagEntry::new(digest, None);
        let mut a = Repository::default();
        a.tags.insert("1".into(), tag("M1"));
        a.tags.insert("2".into(), tag("M2"));
        a.tags.insert("latest".into(), tag("M2"));
        let mut b = Repository::default();
        b.tags.insert("1".into(), tag("M1"));
        inv.repositories.insert("a".into(), a);
        inv.repositories.insert("b".into(), b);
        // M1 and M2 share the config and layer "base" (1000 bytes).
        inv.manifests.insert(
            "M1".into(),
            Box::new(details(&[("base", 1000), ("l1", 100)])),
        );
        inv.manifests.insert(
            "M2".into(),
            Box::new(details(&[("base", 1000), ("l2", 200)])),
        );
        let usage = usage(&inv, &["a".into(), "b".into()], true);
        let a = &usage.repositories[0];
        assert_eq!((a.tags, a.manifests), (3, 2));
        assert_eq!(a.size, 1105 + 1205);
        assert_eq!(a.disk_size, 10 + 10 + 5 + 1000 + 100 + 200);
        assert_eq!(a.tag_sizes.len(), 3);
        let b = &usage.repositories[1];
        assert_eq!(b.disk_size, 10 + 5 + 1000 + 100);
        assert_eq!(usage.registry_disk_size, a.disk_size);
        assert_eq!(usage.missing_details, 0);
    }
}
