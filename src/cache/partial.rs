//! Reading part of the cache: a few repositories, their details, a plan's blob reference counts, or
//! the overview the details file precomputed. Each falls back to reading the main file whole when the
//! details file does not describe it (none yet, damaged, or another writer's pair half-renamed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;

use jiff::Timestamp;

use super::store::{RepoRow, Store, Totals};
use super::{CacheError, CacheFile, main_file, modified_nanos};
use crate::inventory::{Capabilities, Elsewhere, Inventory};
use crate::registry::RegistryAddress;

/// What the details file says of the whole registry without reading the main file: every repository
/// with its counts, size and disk size, and the registry's totals.
#[derive(Debug, Clone)]
pub struct Overview {
    pub refreshed_at: Timestamp,
    pub repositories: Vec<RepoRow>,
    pub totals: Totals,
}

impl CacheFile {
    /// The details file, if it describes the main file as it is now and is `registry`'s.
    pub(super) fn matching_store(&self, registry: &RegistryAddress) -> Option<Store> {
        let meta = fs::metadata(&self.path).ok()?;
        let store = Store::open(&self.details_path()).ok()??.ok()?;
        let stamp = store.stamp;
        let matches = stamp.len == meta.len()
            && stamp.modified == modified_nanos(&meta)
            && store.registry == registry.to_string();
        matches.then_some(store)
    }

    /// The overview of the registry, when the details file describes the main file; `None`
    /// otherwise (no cache, or a cache to read whole).
    pub fn overview(&self, registry: &RegistryAddress) -> Result<Option<Overview>, CacheError> {
        let _lock = self.lock(false)?;
        let Some(store) = self.matching_store(registry) else {
            return Ok(None);
        };
        let repositories = match store.repositories() {
            Ok(repositories) => repositories,
            Err(e) => {
                self.read_past(e);
                return Ok(None);
            }
        };
        Ok(Some(Overview {
            refreshed_at: store.refreshed_at,
            repositories,
            totals: store.totals,
        }))
    }

    /// The details file is damaged: what it holds can be read from the registry again, so the
    /// run reads past it (and says so); the next write replaces it.
    fn read_past(&self, e: impl std::fmt::Display) {
        if let Some(notice) = &self.notice {
            notice(&format!(
                "the cache's details file {} is damaged ({e}); reading past it, it is rewritten on \
                 the next save",
                self.details_path().display()
            ));
        }
    }

    /// The details file whatever main file it describes (its records hold regardless), unless
    /// there is none or it is damaged.
    fn any_store(&self) -> Option<Store> {
        match Store::open(&self.details_path()) {
            Ok(Some(Ok(store))) => Some(store),
            Ok(Some(Err(e))) => {
                self.read_past(e);
                None
            }
            _ => None,
        }
    }

    /// The repositories `names` only, with what selection needs of the others (`Elsewhere`): each
    /// repository is read from its place in the main file. Without a details file that describes the
    /// main file, the whole cache (`load`). `None` when there is no cache.
    /// The scope the main file records (`Some(None)`: the whole registry); `None` without a
    /// readable file.
    pub fn recorded_scope(&self) -> Option<Option<String>> {
        let file = File::open(&self.path).ok()?;
        main_file::read_scope(&file).ok()
    }

    /// What the cache remembers the registry does, from the main file's head alone (nothing when
    /// the file is missing, unreadable or of another registry).
    pub fn capabilities(&self, registry: &RegistryAddress) -> Option<Capabilities> {
        let file = File::open(&self.path).ok()?;
        let head = main_file::read_head(&file).ok()?;
        (head.registry == registry.to_string()).then_some(head.capabilities)
    }

    pub fn load_part(
        &self,
        registry: &RegistryAddress,
        names: &[String],
    ) -> Result<Option<Inventory>, CacheError> {
        let lock = self.lock(false)?;
        let part = match (self.matching_store(registry), File::open(&self.path)) {
            (Some(store), Ok(main)) => self.read_part(&store, &main, names).unwrap_or_else(|e| {
                self.read_past(e);
                None
            }),
            (_, Err(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            _ => None,
        };
        drop(lock);
        match part {
            Some(inventory) => Ok(Some(inventory)),
            None => self.load(registry),
        }
    }

    fn read_part(
        &self,
        store: &Store,
        main: &File,
        names: &[String],
    ) -> Result<Option<Inventory>, super::store::Corrupt> {
        let rows = store.repositories()?;
        let mut inventory = Inventory::new(&store.registry, store.refreshed_at);
        inventory.generation = store.stamp.generation;
        let Ok(head) = main_file::read_head(main) else {
            return Ok(None);
        };
        inventory.scope = head.scope;
        inventory.capabilities = head.capabilities;
        for row in rows.iter().filter(|r| names.contains(&r.name)) {
            let Some(repository) = main_file::read_repository(main, &row.name, row.span) else {
                return Ok(None);
            };
            inventory.repositories.insert(row.name.clone(), repository);
        }
        let digests: BTreeSet<&str> = inventory
            .repositories
            .values()
            .flat_map(|r| r.tags.values().map(|t| t.digest.as_str()))
            .collect();
        let shared = store.holders(digests, &rows)?;
        inventory.elsewhere = Some(Elsewhere {
            repositories: rows
                .iter()
                .map(|r| (r.name.clone(), r.tags as usize))
                .collect(),
            shared,
            blob_refs: BTreeMap::new(),
            missing_details: store.totals.missing as usize,
        });
        Ok(Some(inventory))
    }

    /// Adds to `inventory` the details the cache holds of `repositories`' manifests, the children of
    /// their indexes included; what it lacks stays missing (and may be read from the registry).
    pub fn load_details(
        &self,
        inventory: &mut Inventory,
        repositories: &[String],
    ) -> Result<(), CacheError> {
        let Some(store) = self.any_store() else {
            return Ok(());
        };
        if let Err(e) = self.read_details(&store, inventory, repositories) {
            self.read_past(e);
        }
        Ok(())
    }

    fn read_details(
        &self,
        store: &Store,
        inventory: &mut Inventory,
        repositories: &[String],
    ) -> Result<(), super::store::Corrupt> {
        // Many digests: decoding every record beats a binary search for each.
        let wanted: usize = repositories
            .iter()
            .map(|r| inventory.repository_manifests(r).len())
            .sum();
        if wanted > 5_000 {
            let all = store.all_details(&inventory.tagged_digests())?;
            crate::inventory::take_details(&mut inventory.manifests, all);
            return Ok(());
        }
        // Children become known once their index's details are: two rounds.
        for _ in 0..2 {
            let wanted: Vec<String> = repositories
                .iter()
                .flat_map(|r| inventory.repository_manifests(r))
                .filter(|d| !inventory.manifests.contains_key(*d))
                .map(str::to_owned)
                .collect();
            if wanted.is_empty() {
                break;
            }
            let found = store.details(wanted.iter().map(String::as_str))?;
            inventory
                .manifests
                .extend(found.into_iter().map(|(d, m)| (d.into(), Box::new(m))));
        }
        Ok(())
    }

    /// For a partly loaded inventory whose loaded repositories were read again from the registry:
    /// where their digests that the inventory has not placed yet are tagged, as the cache knows it.
    pub fn load_holders(
        &self,
        registry: &RegistryAddress,
        inventory: &mut Inventory,
    ) -> Result<(), CacheError> {
        let Some(elsewhere) = inventory.elsewhere.as_ref() else {
            return Ok(());
        };
        let unplaced: BTreeSet<String> = inventory
            .repositories
            .values()
            .flat_map(|r| r.tags.values().map(|t| t.digest.to_string()))
            .filter(|d| !elsewhere.shared.contains_key(d))
            .collect();
        if unplaced.is_empty() {
            return Ok(());
        }
        let _lock = self.lock(false)?;
        let Some(store) = self.matching_store(registry) else {
            return Ok(());
        };
        let found = store
            .repositories()
            .and_then(|rows| store.holders(unplaced.iter().map(String::as_str), &rows));
        // Removal depends on this answer: a damaged file is an error here, not something to read past.
        let found = found.map_err(|e| CacheError::Corrupt {
            path: self.details_path(),
            detail: e.to_string(),
        })?;
        if let Some(elsewhere) = inventory.elsewhere.as_mut() {
            elsewhere.shared.extend(found);
        }
        Ok(())
    }

    /// Every manifest detail the cache holds, into `inventory`.
    pub fn load_all_details(&self, inventory: &mut Inventory) -> Result<(), CacheError> {
        let Some(store) = self.any_store() else {
            return Ok(());
        };
        match store.all_details(&inventory.tagged_digests()) {
            Ok(all) => crate::inventory::take_details(&mut inventory.manifests, all),
            Err(e) => self.read_past(e),
        }
        Ok(())
    }

    /// Loads into a partly loaded inventory the registry's reference counts of `blobs` (a plan's),
    /// for the reclaimable estimate. Nothing to do for a whole inventory, which counts for itself.
    pub fn load_blob_refs(
        &self,
        registry: &RegistryAddress,
        inventory: &mut Inventory,
        blobs: &BTreeSet<String>,
    ) -> Result<(), CacheError> {
        let Some(elsewhere) = inventory.elsewhere.as_mut() else {
            return Ok(());
        };
        let _lock = self.lock(false)?;
        let Some(store) = self.matching_store(registry) else {
            return Ok(());
        };
        match store.blob_refs(blobs.iter().map(String::as_str)) {
            Ok(refs) => elsewhere.blob_refs = refs,
            Err(e) => self.read_past(e),
        }
        elsewhere.missing_details = store.totals.missing as usize;
        Ok(())
    }
}
