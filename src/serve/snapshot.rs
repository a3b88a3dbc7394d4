//! What the service answers from: one immutable view of the registry, swapped in whole after each
//! refresh or batch of events, so a response never mixes two states. Every figure is computed here,
//! once, with the same accounting as `regsweep usage` (`select::usage`). The `Builder` rebuilds only
//! the repositories that changed (a notification touches one), and keeps the registry's blob count
//! up to date one repository at a time (`BlobTally`): at 100k tags a full build takes about a
//! second, a notification's a few milliseconds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use jiff::Timestamp;

use super::shape::Shape;
use crate::inventory::attachments::kind_labels;
use crate::inventory::{Attachments, Inventory, MediaType, Repository, is_attachment_tag};
use crate::select::{BlobTally, stored_blobs};
use crate::version::natural_cmp;

/// The registry as of one refresh plus the events applied since.
#[derive(Debug)]
pub struct Snapshot {
    /// When the registry was last read whole.
    pub refreshed_at: Timestamp,
    /// When the last notification was applied, if any was since the refresh.
    pub event_at: Option<Timestamp>,
    pub repositories: BTreeMap<String, Arc<RepositoryView>>,
    /// Repository names, largest disk size first (then by name).
    pub by_size: Arc<Vec<String>>,
    pub tags: usize,
    pub size: u64,
    /// Each blob once across the registry.
    pub disk_size: u64,
    /// Manifests the figures leave out for lacking details.
    pub missing_details: usize,
    /// Answers for the whole collection, encoded once per shape: at 100k tags `/images?embed=true`
    /// is tens of megabytes, and the snapshot never changes.
    rendered: Mutex<HashMap<Shape, Bytes>>,
}

#[derive(Debug, PartialEq)]
pub struct RepositoryView {
    /// Sum of each tagged image's config and layers.
    pub size: u64,
    /// Each blob once within the repository.
    pub disk_size: u64,
    /// Tags in version order (1.2 before 1.10).
    pub tags: Vec<(String, TagView)>,
    /// Its tags and digests, for `?newer=true`.
    pub repository: Repository,
}

impl RepositoryView {
    pub fn tag(&self, name: &str) -> Option<&TagView> {
        self.tags.iter().find(|(t, _)| t == name).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagView {
    pub digest: String,
    pub media_type: Option<MediaType>,
    pub size: Option<u64>,
    /// The image's blobs (manifest, children, configs, layers), each once.
    pub disk_size: Option<u64>,
    pub created: Option<Timestamp>,
    pub platforms: Vec<String>,
    pub first_seen: Option<Timestamp>,
    pub last_pulled: Option<Timestamp>,
    /// The kinds of the image's signatures, SBOMs and attestations.
    pub attachments: Vec<&'static str>,
    /// An index's manifests: one per platform.
    pub children: Vec<ChildView>,
}

/// A manifest an index references.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChildView {
    pub digest: String,
    pub platform: Option<String>,
    pub size: Option<u64>,
}

/// What changed in the inventory since the last snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Anything (a refresh, a view loaded): everything is built again.
    All,
    /// These repositories (the rest is as it was).
    Repositories(BTreeSet<String>),
}

impl Changed {
    pub fn nothing() -> Self {
        Self::Repositories(BTreeSet::new())
    }

    pub fn add(&mut self, other: Self) {
        match (&mut *self, other) {
            (Self::All, _) => {}
            (_, Self::All) => *self = Self::All,
            (Self::Repositories(mine), Self::Repositories(theirs)) => mine.extend(theirs),
        }
    }
}

/// Builds snapshots, each time again only for what changed since the last.
#[derive(Debug, Default)]
pub struct Builder {
    tally: BlobTally,
    views: BTreeMap<String, Arc<RepositoryView>>,
    /// The order by size, sorted again only when a repository came, went or changed size.
    by_size: Arc<Vec<String>>,
}

impl Builder {
    /// The snapshot of `inventory` (which holds every detail the cache has), `changed` since the
    /// last one this builder built.
    pub fn build(
        &mut self,
        inventory: &Inventory,
        changed: &Changed,
        event_at: Option<Timestamp>,
    ) -> Snapshot {
        match changed {
            Changed::All => {
                self.tally = BlobTally::of(inventory);
                self.views.clear();
            }
            Changed::Repositories(names) => {
                for name in names {
                    self.tally.recount(inventory, name);
                }
            }
        }
        let mut resized = matches!(changed, Changed::All);
        if let Changed::Repositories(names) = changed {
            for name in names {
                let before = self.views.remove(name).map(|v| v.disk_size);
                let tagged = inventory
                    .repositories
                    .get(name)
                    .is_some_and(|r| !r.tags.is_empty());
                if tagged {
                    let view = repository_view(inventory, name, &self.tally);
                    resized |= before != Some(view.disk_size);
                    self.views.insert(name.clone(), Arc::new(view));
                } else {
                    resized |= before.is_some();
                }
            }
        }
        if matches!(changed, Changed::All) {
            for (name, _) in inventory.tagged_repositories() {
                let view = repository_view(inventory, name, &self.tally);
                self.views.insert(name.clone(), Arc::new(view));
            }
        }
        if resized {
            let mut sizes: Vec<(u64, &String)> =
                self.views.iter().map(|(n, v)| (v.disk_size, n)).collect();
            sizes.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            self.by_size = Arc::new(sizes.into_iter().map(|(_, n)| n.clone()).collect());
        }
        let repositories = self.views.clone();
        let by_size = self.by_size.clone();
        Snapshot {
            refreshed_at: inventory.refreshed_at,
            event_at,
            tags: repositories.values().map(|r| r.tags.len()).sum(),
            size: repositories.values().map(|r| r.size).sum(),
            disk_size: self.tally.disk_size(),
            missing_details: self.tally.missing_details(),
            repositories,
            by_size,
            rendered: Mutex::default(),
        }
    }
}

fn repository_view(inventory: &Inventory, name: &str, tally: &BlobTally) -> RepositoryView {
    let figures = tally.repository(inventory, name);
    let repository = &inventory.repositories[name];
    let attachments = Attachments::of(inventory, name);
    // A signature's or SBOM's tag is not an image: it shows under its image.
    let mut tags: Vec<(String, TagView)> = repository
        .tags
        .iter()
        .filter(|(tag, _)| !is_attachment_tag(tag))
        .map(|(tag, entry)| {
            let mut view = tag_view(inventory, entry);
            view.attachments = kind_labels(&attachments.closure(&entry.digest));
            (tag.clone(), view)
        })
        .collect();
    tags.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    RepositoryView {
        size: figures.size,
        disk_size: figures.disk_size,
        tags,
        repository: Repository {
            tags: repository.tags.clone(),
            ..Repository::default()
        },
    }
}

impl Snapshot {
    /// The snapshot of `inventory`, built whole.
    #[cfg(test)]
    pub fn build(inventory: &Inventory, event_at: Option<Timestamp>) -> Self {
        Builder::default().build(inventory, &Changed::All, event_at)
    }

    /// The answer for `shape`, encoded by `encode` the first time it is asked for.
    pub fn rendered(&self, shape: Shape, encode: impl FnOnce() -> Bytes) -> Bytes {
        if let Some(bytes) = self.lock_rendered().get(&shape) {
            return bytes.clone();
        }
        // Encoded outside the lock: two first requests may both encode; either answer is right.
        let bytes = encode();
        self.lock_rendered().insert(shape, bytes.clone());
        bytes
    }

    fn lock_rendered(&self) -> std::sync::MutexGuard<'_, HashMap<Shape, Bytes>> {
        self.rendered.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn tag_view(inventory: &Inventory, entry: &crate::inventory::TagEntry) -> TagView {
    let details = inventory.manifests.get(&entry.digest);
    let stored = stored_blobs(inventory, inventory.with_children(&entry.digest));
    TagView {
        digest: entry.digest.to_string(),
        media_type: entry
            .media_type
            .clone()
            .or_else(|| details.and_then(|d| d.media_type.clone())),
        size: details.and_then(|d| d.size),
        disk_size: (stored.missing == 0).then(|| stored.bytes()),
        created: details.and_then(|d| d.created()),
        platforms: details
            .map(|d| d.platforms.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        first_seen: entry.seen(),
        last_pulled: entry.pulled(),
        attachments: Vec::new(),
        children: details
            .and_then(|d| d.children())
            .into_iter()
            .flatten()
            .map(|child| ChildView {
                digest: child.digest.clone(),
                platform: child.platform.clone(),
                size: inventory
                    .manifests
                    .get(child.digest.as_str())
                    .and_then(|d| d.size),
            })
            .collect(),
    }
}

/// The current snapshot, shared by every request; replaced whole by the keeper.
#[derive(Debug, Default)]
pub struct Current(RwLock<Option<Arc<Snapshot>>>);

impl Current {
    /// The snapshot as of now; a reader keeps it as long as it needs, whatever replaces it.
    pub fn get(&self) -> Option<Arc<Snapshot>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, snapshot: Snapshot) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(snapshot));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{BlobRef, ManifestDetails, TagEntry};
    use crate::select::testing::inventory;

    fn image(layers: &[(&str, u64)]) -> ManifestDetails {
        ManifestDetails {
            manifest_bytes: Some(500),
            size: Some(layers.iter().map(|(_, s)| s).sum::<u64>() + 100),
            config: Some(BlobRef {
                digest: format!("config-{}", layers[0].0).into(),
                size: 100,
                media_type: None,
            }),
            layers: layers
                .iter()
                .map(|(d, s)| BlobRef {
                    digest: (*d).into(),
                    size: *s,
                    media_type: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn same(a: &Snapshot, b: &Snapshot) {
        assert_eq!(a.repositories, b.repositories);
        assert_eq!(a.by_size, b.by_size);
        assert_eq!(
            (a.tags, a.size, a.disk_size, a.missing_details),
            (b.tags, b.size, b.disk_size, b.missing_details)
        );
    }

    /// Built again only where notifications changed it, the snapshot is the one built whole:
    /// a pull, a push of an image sharing a layer with another repository's, a repository
    /// emptied, one whose image lacks details.
    #[test]
    fn a_snapshot_built_again_where_it_changed_equals_one_built_whole() {
        let mut inv = inventory(&[
            ("a", &[("1.0", "A1"), ("1.1", "A2")]),
            ("b", &[("1.0", "B1"), ("shared", "A1")]),
            ("c", &[("1.0", "C1")]),
        ]);
        for (digest, layers) in [
            ("A1", &[("L0", 1000), ("L1", 10)][..]),
            ("A2", &[("L0", 1000), ("L2", 20)]),
            ("B1", &[("L3", 30)]),
            ("C1", &[("L0", 1000), ("L4", 40)]),
        ] {
            inv.manifests.insert(digest.into(), Box::new(image(layers)));
        }
        let mut builder = Builder::default();
        same(
            &builder.build(&inv, &Changed::All, None),
            &Snapshot::build(&inv, None),
        );
        let changed =
            |names: &[&str]| Changed::Repositories(names.iter().map(|n| (*n).to_owned()).collect());

        let pulled = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        inv.repositories
            .get_mut("a")
            .unwrap()
            .tags
            .get_mut("1.0")
            .unwrap()
            .set_pulled(Some(pulled));
        let once = builder.build(&inv, &changed(&["a"]), None);
        same(&once, &Snapshot::build(&inv, None));
        assert_eq!(
            once.repositories["a"].tag("1.0").unwrap().last_pulled,
            Some(pulled)
        );

        inv.manifests
            .insert("B2".into(), Box::new(image(&[("L1", 10), ("L5", 50)])));
        let tags = &mut inv.repositories.get_mut("b").unwrap().tags;
        tags.insert("2.0".into(), TagEntry::new("B2", None));
        tags.insert("nodetails".into(), TagEntry::new("X9", None));
        let twice = builder.build(&inv, &changed(&["b"]), None);
        same(&twice, &Snapshot::build(&inv, None));
        assert_eq!(twice.missing_details, 1);
        assert!(twice.disk_size > once.disk_size, "L5 and B2 are new blobs");

        inv.repositories.get_mut("c").unwrap().tags.clear();
        let thrice = builder.build(&inv, &changed(&["c"]), None);
        same(&thrice, &Snapshot::build(&inv, None));
        assert!(!thrice.repositories.contains_key("c"));
        assert!(thrice.disk_size < twice.disk_size, "L4 and C1 went with c");
    }
}
