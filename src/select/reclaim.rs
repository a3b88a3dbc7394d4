//! Blob accounting: what a plan frees once the registry's garbage collector runs. The one count
//! of blobs (`stored_blobs`) serves `usage` too.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

use serde::Serialize;

use super::Plan;
use super::split::in_parts;
use crate::inventory::{Digest, Inventory};

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
    each_stored(inventory, digest, |blob, size| each(blob.as_str(), size))
}

/// `each_blob`, each blob as the inventory's copy of its digest: a table of those is half the size
/// of one of strings.
fn each_stored<'a>(
    inventory: &'a Inventory,
    digest: &str,
    mut each: impl FnMut(&'a Digest, u64),
) -> bool {
    let Some((digest, details)) = inventory.manifests.get_key_value(digest) else {
        return false;
    };
    let Some(bytes) = details.manifest_bytes else {
        return false;
    };
    each(digest, u64::from(bytes));
    for blob in details.config.iter().chain(&details.layers) {
        each(&blob.digest, blob.size);
    }
    true
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
    counted(inventory, &Planned::of(plan)).0
}

/// What a plan frees counted on the whole inventory, and the planned blobs that something staying
/// stores too (the table of every planned blob is let go before the caller goes on).
fn counted<'a>(
    inventory: &'a Inventory,
    planned: &Planned,
) -> (Reclaim, FxHashMap<&'a Digest, u64>) {
    let freed = planned.blobs(inventory);
    let (struck, staying_missing) = staying_among(inventory, planned, &freed.digests);
    let kept: u64 = struck.values().sum();
    let whole = Reclaim {
        bytes: freed.bytes - kept,
        missing_details: freed.unknown + staying_missing,
    };
    (whole, struck)
}

/// What a plan frees (`reclaimable`) and what each repository's part of it frees: the bytes of
/// blobs only planned manifests store, counted in every repository whose deletions store them (a
/// blob two repositories' deletions share counts in both; this needs the whole inventory, as a
/// policy has it). One walk of what stays serves both: at a million tags it is much of the cost.
/// Each repository's blobs are gathered again for its figure rather than kept from the first
/// gathering: kept, they were 64 MB beside the 100 MB of the whole plan's.
pub fn reclaimable_with_repositories(
    inventory: &Inventory,
    plan: &Plan,
) -> (Reclaim, BTreeMap<String, u64>) {
    let planned = Planned::of(plan);
    let (whole, struck) = counted(inventory, &planned);
    let frees = in_parts(&planned.0, |part| {
        let mut seen = FxHashSet::default();
        part.iter()
            .map(|(repo, digests)| {
                seen.clear();
                let mut bytes = 0;
                for digest in digests {
                    each_stored(inventory, digest, |blob, size| {
                        if !struck.contains_key(blob) && seen.insert(blob) {
                            bytes += size;
                        }
                    });
                }
                ((*repo).to_owned(), bytes)
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    if inventory.elsewhere.is_some() {
        // The whole plan counts with the registry's reference counts there.
        return (reclaimable(inventory, plan), frees);
    }
    (whole, frees)
}

/// The manifests a plan deletes, by repository (in name order), each repository's digests sorted
/// and each once: what the walk of what stays asks "planned here?" of.
struct Planned<'a>(Vec<(&'a str, Vec<&'a str>)>);

impl<'a> Planned<'a> {
    fn of(plan: &'a Plan) -> Self {
        let mut by_repo: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for m in &plan.manifests {
            let digests = by_repo.entry(&m.repository).or_default();
            digests.push(&m.digest);
            digests.extend(m.children.iter().map(|c| c.digest.as_str()));
        }
        for a in &plan.attachments {
            by_repo.entry(&a.repository).or_default().push(&a.digest);
        }
        for digests in by_repo.values_mut() {
            digests.sort_unstable();
            digests.dedup();
        }
        Self(by_repo.into_iter().collect())
    }

    /// The digests planned in `repo`, sorted.
    fn digests_in(&self, repo: &str) -> &[&'a str] {
        match self.0.binary_search_by(|(r, _)| (*r).cmp(repo)) {
            Ok(at) => &self.0[at].1,
            Err(_) => &[],
        }
    }

    /// Every blob the planned manifests store, each once, with their bytes; and how many planned
    /// manifests (each once, however many repositories delete it) the cache has no details of.
    /// The table is sized at once from each repository's own count of its blobs (at a million
    /// tags, 2.8 million): grown by doubling it took 114 MB and 0.5 s more, and a count of every
    /// manifest's blobs would size it for a base image's layers once per image. It holds the
    /// inventory's digests by reference, 8 bytes a slot: as (string, size) pairs it was 24, the
    /// 100 MB peak of a million-tag plan.
    fn blobs<'i>(&self, inventory: &'i Inventory) -> PlannedBlobs<'i> {
        let digests = || {
            self.0
                .iter()
                .flat_map(|(_, digests)| digests.iter().copied())
        };
        let most: usize = in_parts(&self.0, |part| {
            let mut seen = FxHashSet::default();
            part.iter()
                .map(|(_, digests)| {
                    seen.clear();
                    for digest in digests {
                        each_stored(inventory, digest, |blob, _| {
                            seen.insert(blob);
                        });
                    }
                    seen.len()
                })
                .sum::<usize>()
        })
        .into_iter()
        .sum();
        let mut freed = PlannedBlobs::default();
        freed.digests.reserve(most);
        let mut unknown: FxHashSet<&str> = FxHashSet::default();
        for digest in digests() {
            if !each_stored(inventory, digest, |blob, size| {
                if freed.digests.insert(blob) {
                    freed.bytes += size;
                }
            }) {
                unknown.insert(digest);
            }
        }
        freed.unknown = unknown.len();
        freed
    }
}

/// What `Planned::blobs` finds.
#[derive(Default)]
struct PlannedBlobs<'i> {
    digests: FxHashSet<&'i Digest>,
    /// The bytes of them all.
    bytes: u64,
    /// Planned manifests the cache has no details of.
    unknown: usize,
}

/// The blobs of `planned` that a manifest the plan leaves stores too, in any repository, with
/// their sizes, and how many staying manifests the cache has no details of. What stays is most of
/// a registry: asking each of its blobs whether it is among the plan's, rather than gathering all
/// of them first, is what keeps a million-tag count quick and small.
fn staying_among<'a>(
    inventory: &Inventory,
    planned: &Planned,
    freed: &FxHashSet<&'a Digest>,
) -> (FxHashMap<&'a Digest, u64>, usize) {
    let repos: Vec<&str> = inventory.repositories.keys().map(String::as_str).collect();
    let parts = in_parts(&repos, |part| {
        let mut struck = FxHashMap::default();
        let mut missing: FxHashSet<&str> = FxHashSet::default();
        for repo in part {
            let here = planned.digests_in(repo);
            let staying = inventory
                .each_repository_manifest(repo)
                .filter(|digest| here.binary_search(digest).is_err());
            for digest in staying {
                if !each_stored(inventory, digest, |blob, size| {
                    if let Some(blob) = freed.get(blob) {
                        struck.insert(*blob, size);
                    }
                }) {
                    missing.insert(digest);
                }
            }
        }
        (struck, missing)
    });
    let mut struck = FxHashMap::default();
    let mut missing = FxHashSet::default();
    for (s, m) in parts {
        struck.extend(s);
        missing.extend(m);
    }
    (struck, missing.len())
}

fn reclaimable_by_refs(
    inventory: &Inventory,
    plan: &Plan,
    refs: &BTreeMap<String, u32>,
    missing_elsewhere: usize,
) -> Reclaim {
    let mut planned_refs: FxHashMap<&str, (u64, u32)> = FxHashMap::default();
    let mut missing = 0;
    let pairs: BTreeSet<(&str, &str)> =
        plan.deletions().map(|d| (d.repository, d.digest)).collect();
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
    let digests: Vec<&str> = plan.deletions().map(|d| d.digest).collect();
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
                Box::new(crate::inventory::ManifestDetails {
                    manifest_bytes: Some(10),
                    config: Some(blob(&format!("C{digest}"), 5)),
                    layers: layers.into(),
                    ..Default::default()
                }),
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
                let all = shared.entry(entry.digest.to_string()).or_default();
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

    /// What a plan frees counted the plain way: every blob of every staying manifest gathered first.
    fn frees_counted_plainly(inv: &Inventory, plan: &Plan) -> (u64, BTreeMap<String, u64>) {
        let planned: FxHashSet<(&str, &str)> =
            plan.deletions().map(|d| (d.repository, d.digest)).collect();
        let mut kept = FxHashSet::default();
        for repo in inv.repositories.keys() {
            for digest in inv.each_repository_manifest(repo) {
                if !planned.contains(&(repo.as_str(), digest)) {
                    each_blob(inv, digest, |blob, _| {
                        kept.insert(blob);
                    });
                }
            }
        }
        let mut every = FxHashMap::default();
        let mut by_repo: BTreeMap<String, u64> = BTreeMap::new();
        let repos: BTreeSet<&str> = planned.iter().map(|(r, _)| *r).collect();
        for repo in repos {
            let digests = planned.iter().filter(|(r, _)| *r == repo).map(|(_, d)| *d);
            let blobs = stored_blobs(inv, digests).blobs;
            let freed = blobs.into_iter().filter(|(b, _)| !kept.contains(b));
            let mut bytes = 0;
            for (blob, size) in freed {
                bytes += size;
                every.insert(blob, size);
            }
            by_repo.insert(repo.to_owned(), bytes);
        }
        (every.values().sum(), by_repo)
    }

    /// `repos` repositories of ten tags: a layer shared by all, one by each repository, one by each
    /// image; every seventh image also tagged in the next repository.
    fn shared_layers(repos: usize) -> Inventory {
        let blob = |d: String, size| BlobRef {
            digest: d.into(),
            size,
            media_type: None,
        };
        let mut inv = inventory(&[]);
        for r in 0..repos {
            let repository = inv.repositories.entry(format!("r{r:04}")).or_default();
            for t in 0..10 {
                let digest = format!("M{r}-{t}");
                repository.tags.insert(
                    format!("1.{t}"),
                    crate::inventory::TagEntry::new(digest.clone(), None),
                );
                let layers = vec![
                    blob("base".into(), 1000),
                    blob(format!("L{r}"), 100),
                    blob(format!("O{r}-{t}"), 10),
                ];
                inv.manifests.insert(
                    digest.into(),
                    Box::new(ManifestDetails {
                        manifest_bytes: Some(1),
                        layers: layers.into(),
                        ..Default::default()
                    }),
                );
            }
            if r % 7 == 0 && r + 1 < repos {
                let next = inv
                    .repositories
                    .entry(format!("r{:04}", r + 1))
                    .or_default();
                next.tags.insert(
                    "shared".into(),
                    crate::inventory::TagEntry::new(format!("M{r}-9"), None),
                );
            }
        }
        inv
    }

    #[test]
    fn split_across_cores_the_count_is_the_plain_one() {
        // Enough repositories for the walks to run in parts.
        let inv = shared_layers(600);
        let mut q = tag_query(&[], &["<1.6"], &[]);
        q.repositories = inv.repositories.keys().cloned().collect();
        q.raise_intersecting_repo = false;
        let plan = plan(&inv, select_tags(&inv, &q).unwrap(), true).unwrap();
        let (whole, by_repo) = reclaimable_with_repositories(&inv, &plan);
        let (bytes, plain_by_repo) = frees_counted_plainly(&inv, &plan);
        assert!(bytes > 0);
        assert_eq!(whole.bytes, bytes);
        assert_eq!(by_repo, plain_by_repo);
        assert_eq!(reclaimable(&inv, &plan).bytes, bytes);
    }

    proptest::proptest! {
        /// However the plan falls, both counts agree with counting every staying blob first.
        #[test]
        fn frees_agree_with_the_plain_count(
            repos in 1usize..6,
            picks in proptest::collection::vec(0usize..10, 1..8),
            all_repos in proptest::bool::ANY,
        ) {
            let inv = shared_layers(repos);
            let tags: Vec<String> = picks.iter().map(|p| format!("1.{p}")).collect();
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            let names: Vec<String> = inv.repositories.keys().cloned().collect();
            let names: Vec<&str> = names.iter().map(String::as_str).take(if all_repos { 9 } else { 1 }).collect();
            let mut q = tag_query(&names, &tags, &[]);
            q.raise_intersecting_repo = false;
            q.match_all_tags = false;
            let plan = plan(&inv, select_tags(&inv, &q).unwrap(), true).unwrap();
            let (whole, by_repo) = reclaimable_with_repositories(&inv, &plan);
            let (bytes, plain_by_repo) = frees_counted_plainly(&inv, &plan);
            proptest::prop_assert_eq!(whole.bytes, bytes);
            proptest::prop_assert_eq!(by_repo, plain_by_repo);
            proptest::prop_assert_eq!(reclaimable(&inv, &plan).bytes, bytes);
        }

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
                inv.manifests.insert((*digest).into(), Box::new(ManifestDetails {
                    manifest_bytes: Some(10), config: Some(blob(&format!("C{digest}"), 5)), layers: layers.into(), ..Default::default()
                }));
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
