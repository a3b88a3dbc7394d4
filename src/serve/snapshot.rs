//! What the service answers from: one immutable view of the registry, built from the cache after each
//! refresh or batch of events and swapped in whole, so a response never mixes two states. Every figure
//! is computed here, once, with the same accounting as `regsweep usage` (`select::usage`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use jiff::Timestamp;

use super::shape::Shape;
use crate::inventory::attachments::kind_labels;
use crate::inventory::{Attachments, Inventory, is_attachment_tag};
use crate::select::{stored_blobs, usage};
use crate::version::natural_cmp;

/// The registry as of one refresh plus the events applied since.
#[derive(Debug)]
pub struct Snapshot {
    /// When the registry was last read whole.
    pub refreshed_at: Timestamp,
    /// When the last notification was applied, if any was since the refresh.
    pub event_at: Option<Timestamp>,
    pub repositories: BTreeMap<String, RepositoryView>,
    /// Repository names, largest disk size first (then by name).
    pub by_size: Vec<String>,
    pub tags: usize,
    pub size: u64,
    /// Each blob once across the registry.
    pub disk_size: u64,
    /// Manifests the figures leave out for lacking details.
    pub missing_details: usize,
    /// Tags and digests, for `?newer=true` (details dropped: the views hold what is shown).
    pub inventory: Inventory,
    /// Answers for the whole collection, encoded once per shape: at 100k tags `/images?embed=true`
    /// is tens of megabytes, and the snapshot never changes.
    rendered: Mutex<HashMap<Shape, Bytes>>,
}

#[derive(Debug)]
pub struct RepositoryView {
    /// Sum of each tagged image's config and layers.
    pub size: u64,
    /// Each blob once within the repository.
    pub disk_size: u64,
    /// Tags in version order (1.2 before 1.10).
    pub tags: Vec<(String, TagView)>,
}

impl RepositoryView {
    pub fn tag(&self, name: &str) -> Option<&TagView> {
        self.tags.iter().find(|(t, _)| t == name).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone)]
pub struct TagView {
    pub digest: String,
    pub media_type: Option<String>,
    pub size: Option<u64>,
    /// The image's blobs (manifest, children, configs, layers), each once.
    pub disk_size: Option<u64>,
    pub created: Option<Timestamp>,
    pub platforms: Vec<String>,
    pub first_seen: Option<Timestamp>,
    pub last_pulled: Option<Timestamp>,
    /// The kinds of the image's signatures, SBOMs and attestations.
    pub attachments: Vec<&'static str>,
}

impl Snapshot {
    /// Builds the view of `inventory`, which holds every detail the cache has.
    pub fn build(mut inventory: Inventory, event_at: Option<Timestamp>) -> Self {
        let names: Vec<String> = inventory
            .tagged_repositories()
            .map(|(n, _)| n.clone())
            .collect();
        let report = usage(&inventory, &names, false);
        let mut repositories = BTreeMap::new();
        let mut tags = 0;
        let mut size = 0;
        for figures in report.repositories {
            let repository = &inventory.repositories[&figures.name];
            let attachments = Attachments::of(&inventory, &figures.name);
            // A signature's or SBOM's tag is not an image: it shows under its image.
            let mut views: Vec<(String, TagView)> = repository
                .tags
                .iter()
                .filter(|(tag, _)| !is_attachment_tag(tag))
                .map(|(tag, entry)| {
                    let mut view = tag_view(&inventory, entry);
                    view.attachments = kind_labels(&attachments.closure(&entry.digest));
                    (tag.clone(), view)
                })
                .collect();
            views.sort_by(|a, b| natural_cmp(&a.0, &b.0));
            tags += views.len();
            size += figures.size;
            repositories.insert(
                figures.name,
                RepositoryView {
                    size: figures.size,
                    disk_size: figures.disk_size,
                    tags: views,
                },
            );
        }
        let mut by_size: Vec<String> = repositories.keys().cloned().collect();
        by_size.sort_by(|a, b| {
            let disk = |n: &String| repositories[n].disk_size;
            disk(b).cmp(&disk(a)).then_with(|| a.cmp(b))
        });
        inventory.manifests.clear();
        Self {
            refreshed_at: inventory.refreshed_at,
            event_at,
            repositories,
            by_size,
            tags,
            size,
            disk_size: report.registry_disk_size,
            missing_details: report.missing_details,
            inventory,
            rendered: Mutex::default(),
        }
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
        digest: entry.digest.clone(),
        media_type: entry
            .media_type
            .clone()
            .or_else(|| details.and_then(|d| d.media_type.clone())),
        size: details.and_then(|d| d.size),
        disk_size: (stored.missing == 0).then(|| stored.bytes()),
        created: details.and_then(|d| d.created),
        platforms: details.map(|d| d.platforms.clone()).unwrap_or_default(),
        first_seen: entry.seen,
        last_pulled: entry.pulled,
        attachments: Vec::new(),
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
