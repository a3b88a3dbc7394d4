//! Blob accounting: what a plan frees once the registry's garbage collector runs. The one count
//! of blobs (`stored_blobs`) serves `usage` too.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

use serde::Serialize;

use super::Plan;
use crate::inventory::Inventory;

/// What a plan frees once the registry's garbage collector has run, as far as the cache knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reclaim {
    /// Bytes of blobs (layers, configs) and manifests that only planned manifests reference.
    pub bytes: u64,
    /// Manifests, planned or staying, whose details are not in the cache: `bytes` is then an
    /// estimate.
    pub missing_details: usize,
}

/// What a set of manifests stores, each blob once: every manifest itself, its config and its layers
/// (digest -> size); and how many of the manifests the cache has no details of, so the figures built
/// on it are estimates. Keys borrow from the inventory: a registry of a million tags is counted
/// without copying a digest.
#[derive(Debug, Default)]
pub struct Stored<'a> {
    pub blobs: FxHashMap<&'a str, u64>,
    pub missing: usize,
}

impl Stored<'_> {
    pub fn bytes(&self) -> u64 {
        self.blobs.values().sum()
    }
}

/// Calls `each` with every blob one manifest stores (itself, its config, its layers); false when the
/// cache lacks its details.
pub(super) fn each_blob<'a>(
    inventory: &'a Inventory,
    digest: &str,
    mut each: impl FnMut(&'a str, u64),
) -> bool {
    let Some((digest, details)) = inventory.manifests.get_key_value(digest) else {
        return false;
    };
    let Some(bytes) = details.manifest_bytes else {
        return false;
    };
    each(digest, bytes);
    for blob in details.config.iter().chain(&details.layers) {
        each(&blob.digest, blob.size);
    }
    true
}

/// Whether the cache knows what a manifest stores (`each_blob` can count it).
fn has_details(inventory: &Inventory, digest: &str) -> bool {
    inventory
        .manifests
        .get(digest)
        .is_some_and(|details| details.manifest_bytes.is_some())
}

/// The one blob accounting: plans and `usage` both count through it.
pub fn stored_blobs<'a, 'd>(
    inventory: &'a Inventory,
    manifests: impl IntoIterator<Item = &'d str>,
) -> Stored<'a> {
    let mut stored = Stored::default();
    let digests: FxHashSet<&str> = manifests.into_iter().collect();
    for digest in digests {
        let blobs = &mut stored.blobs;
        if !each_blob(inventory, digest, |blob, size| {
            blobs.insert(blob, size);
        }) {
            stored.missing += 1;
        }
    }
    stored
}

/// The blobs referenced only by planned manifests (in their repositories) and by no manifest that
/// stays, in any repository. A manifest is itself a blob; it goes when no repository keeps it.
///
/// An inventory loaded in part counts with the registry's reference counts instead: a blob goes when
/// the planned pairs referencing it are all the pairs that do.
pub fn reclaimable(inventory: &Inventory, plan: &Plan) -> Reclaim {
    if let Some(elsewhere) = &inventory.elsewhere {
        return reclaimable_by_refs(
            inventory,
            plan,
            &elsewhere.blob_refs,
            elsewhere.missing_details,
        );
    }
    let planned = planned_pairs(plan);
    let kept = staying_blobs(inventory, &planned);
    whole_plan(inventory, &planned, &kept)
}

/// What a plan frees (`reclaimable`) and what each repository's part of it frees: the bytes of
/// blobs only planned manifests store, counted in every repository whose deletions store them (a
/// blob two repositories' deletions share counts in both; this needs the whole inventory, as a
/// policy has it). One walk of what stays serves both: at a million tags it is much of the cost.
pub fn reclaimable_with_repositories(
    inventory: &Inventory,
    plan: &Plan,
) -> (Reclaim, BTreeMap<String, u64>) {
    let planned = planned_pairs(plan);
    let kept = staying_blobs(inventory, &planned);
    let (freed, by_repo) = by_repository(inventory, &planned, &kept);
    if inventory.elsewhere.is_some() {
        // The whole plan counts with the registry's reference counts there.
        return (reclaimable(inventory, plan), by_repo);
    }
    // A planned manifest without details, counted once however many repositories delete it.
    let digests: FxHashSet<&str> = planned.iter().map(|(_, d)| *d).collect();
    let missing = digests
        .into_iter()
        .filter(|d| !has_details(inventory, d))
        .count();
    let whole = Reclaim {
        bytes: freed.values().sum(),
        missing_details: missing + kept.missing,
    };
    (whole, by_repo)
}

/// The (repository, digest) pairs a plan deletes.
fn planned_pairs(plan: &Plan) -> FxHashSet<(&str, &str)> {
    plan.deletions()
        .into_iter()
        .map(|d| (d.repository, d.digest))
        .collect()
}

fn whole_plan(inventory: &Inventory, planned: &FxHashSet<(&str, &str)>, kept: &Stored) -> Reclaim {
    let freed = stored_blobs(inventory, planned.iter().map(|(_, d)| *d));
    Reclaim {
        bytes: only_freed(&freed, kept),
        missing_details: freed.missing + kept.missing,
    }
}

/// The bytes of the blobs `freed` stores and no staying manifest does.
fn only_freed(freed: &Stored, kept: &Stored) -> u64 {
    freed
        .blobs
        .iter()
        .filter(|(digest, _)| !kept.blobs.contains_key(*digest))
        .map(|(_, size)| size)
        .sum()
}

/// The blobs every manifest a plan leaves stores, in every repository.
fn staying_blobs<'a>(inventory: &'a Inventory, planned: &FxHashSet<(&str, &str)>) -> Stored<'a> {
    let staying = inventory.repositories.keys().flat_map(|repo| {
        inventory
            .each_repository_manifest(repo)
            .filter(|digest| !planned.contains(&(repo.as_str(), *digest)))
    });
    stored_blobs(inventory, staying)
}

/// What each repository's deletions free, and every blob freed (their union: no blob counted
/// twice) with its size.
fn by_repository<'a>(
    inventory: &'a Inventory,
    planned: &FxHashSet<(&str, &str)>,
    kept: &Stored,
) -> (FxHashMap<&'a str, u64>, BTreeMap<String, u64>) {
    let mut by_repo: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (repo, digest) in planned {
        by_repo.entry(repo).or_default().push(digest);
    }
    let mut every = FxHashMap::default();
    let mut frees = BTreeMap::new();
    for (repo, digests) in by_repo {
        let freed = stored_blobs(inventory, digests);
        let mut bytes = 0;
        for (blob, size) in freed.blobs {
            if !kept.blobs.contains_key(blob) {
                bytes += size;
                every.insert(blob, size);
            }
        }
        frees.insert(repo.to_owned(), bytes);
    }
    (every, frees)
}

fn reclaimable_by_refs(
    inventory: &Inventory,
    plan: &Plan,
    refs: &BTreeMap<String, u32>,
    missing_elsewhere: usize,
) -> Reclaim {
    let mut planned_refs: FxHashMap<&str, (u64, u32)> = FxHashMap::default();
    let mut missing = 0;
    let pairs: BTreeSet<(&str, &str)> = plan
        .deletions()
        .into_iter()
        .map(|d| (d.repository, d.digest))
        .collect();
    for (_, digest) in &pairs {
        let stored = stored_blobs(inventory, [*digest]);
        missing += stored.missing;
        for (blob, size) in stored.blobs {
            planned_refs.entry(blob).or_insert((size, 0)).1 += 1;
        }
    }
    let bytes = planned_refs
        .iter()
        .filter(|(blob, (_, n))| refs.get(**blob) == Some(n))
        .map(|(_, (size, _))| size)
        .sum();
    Reclaim {
        bytes,
        missing_details: missing + missing_elsewhere,
    }
}

/// The blobs a plan's manifests store: those whose reference counts its reclaimable space needs.
pub fn plan_blobs(inventory: &Inventory, plan: &Plan) -> BTreeSet<String> {
    let digests: Vec<&str> = plan.deletions().into_iter().map(|d| d.digest).collect();
    let stored = stored_blobs(inventory, digests);
    stored.blobs.into_keys().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::registry_figures;
    use crate::select::testing::*;
    use crate::select::{plan, select_tags};

    #[test]
    fn reclaimable_counts_blobs_no_staying_manifest_references() {
        let blob = |d: &str, size| crate::inventory::BlobRef {
            digest: d.into(),
            size,
            media_type: None,
        };
        let mut inv = inventory(&[("a", &[("1", "M1"), ("2", "M2")]), ("b", &[("1", "M1")])]);
        for (digest, layers) in [
            ("M1", vec![blob("L1", 1000), blob("S", 50)]),
            ("M2", vec![blob("L2", 2000), blob("S", 50)]),
        ] {
            inv.manifests.insert(
                digest.into(),
                crate::inventory::ManifestDetails {
                    manifest_bytes: Some(10),
                    config: Some(blob(&format!("C{digest}"), 5)),
                    layers,
                    ..Default::default()
                },
            );
        }
        let rows = select_tags(&inv, &tag_query(&["a"], &["2"], &[])).unwrap();
        let reclaim = reclaimable(&inv, &plan(&inv, rows, true).unwrap());
        // M2's manifest, config and L2 go; the shared layer S stays with M1.
        assert_eq!(
            reclaim,
            Reclaim {
                bytes: 10 + 5 + 2000,
                missing_details: 0
            }
        );
        inv.manifests.remove("M1");
        let rows = select_tags(&inv, &tag_query(&["a"], &["2"], &[])).unwrap();
        let reclaim = reclaimable(&inv, &plan(&inv, rows, true).unwrap());
        assert_eq!(reclaim.missing_details, 1, "M1 stays but is unknown");
    }

    use crate::inventory::{BlobRef, Elsewhere, ManifestDetails};

    /// The same inventory as the cache loads it in part: only `repos`, with the rest summarized.
    fn partly(inv: &Inventory, repos: &[&str], blobs: &BTreeSet<String>) -> Inventory {
        let mut part = inv.clone();
        part.repositories
            .retain(|name, _| repos.contains(&name.as_str()));
        let refs = registry_figures(inv).refs;
        let mut shared: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, repository) in &inv.repositories {
            for entry in repository.tags.values() {
                let all = shared.entry(entry.digest.clone()).or_default();
                if !all.contains(name) {
                    all.push(name.clone());
                }
            }
        }
        shared.retain(|_, r| r.len() > 1);
        part.elsewhere = Some(Elsewhere {
            repositories: inv
                .repositories
                .iter()
                .map(|(n, r)| (n.clone(), r.tags.len()))
                .collect(),
            shared,
            blob_refs: blobs
                .iter()
                .filter_map(|b| refs.get(b.as_str()).map(|(_, n)| (b.clone(), *n)))
                .collect(),
            missing_details: 0,
        });
        part
    }

    proptest::proptest! {
        /// Counting with the registry's reference counts gives what counting every blob gives.
        #[test]
        fn reference_counts_agree_with_counting_everything(
            shared_layer in 0u64..3,
            picks in proptest::collection::vec(0usize..4, 1..4),
        ) {
            let blob = |d: &str, size| BlobRef { digest: d.into(), size, media_type: None };
            let mut inv = inventory(&[
                ("a", &[("1", "M1"), ("2", "M2"), ("3", "M3")]),
                ("b", &[("1", "M1"), ("9", "M9")]),
            ]);
            for (i, digest) in ["M1", "M2", "M3", "M9"].iter().enumerate() {
                let layers = vec![blob(&format!("L{i}"), 100 * (i as u64 + 1)), blob(&format!("S{}", i as u64 % (shared_layer + 1)), 7)];
                inv.manifests.insert((*digest).into(), ManifestDetails {
                    manifest_bytes: Some(10), config: Some(blob(&format!("C{digest}"), 5)), layers, ..Default::default()
                });
            }
            let tags: Vec<&str> = picks.iter().map(|p| ["1", "2", "3", "9"][*p]).collect();
            let rows = crate::select::select_tags(&inv, &{
                let mut q = tag_query(&["a"], &tags, &[]);
                q.raise_intersecting_repo = false;
                q
            }).unwrap();
            let plan = crate::select::plan(&inv, rows, true).unwrap();
            let full = reclaimable(&inv, &plan);
            let part = partly(&inv, &["a"], &plan_blobs(&inv, &plan));
            proptest::prop_assert_eq!(reclaimable(&part, &plan), full);
        }
    }
}
