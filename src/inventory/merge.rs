//! Joining two views of one registry: a refresh's and what another writer saved meanwhile, manifest
//! details read at different times, and each tag's history carried from one refresh to the next.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::{Details, Inventory, ManifestDetails, Repository, Untagged};

/// What a refresh writes: `ours`, read from the registry, unless another writer changed the file since
/// the refresh read it (`base`). Then, per repository and tag, what the other writer changed wins: it
/// happened after the refresh started (a removal's deletions, a restore), while the refresh may have
/// read that repository before. Manifest details are facts about digests and are kept from both.
pub fn merge_refresh(
    base: Option<&Inventory>,
    current: &Inventory,
    mut ours: Inventory,
) -> Inventory {
    let empty = BTreeMap::new();
    let base_repos = base.map_or(&empty, |b| &b.repositories);
    let names: BTreeSet<&String> = base_repos
        .keys()
        .chain(current.repositories.keys())
        .chain(ours.repositories.keys())
        .collect();
    let mut merged = BTreeMap::new();
    for name in names {
        let (b, t, o) = (
            base_repos.get(name),
            current.repositories.get(name),
            ours.repositories.get(name),
        );
        let repository = if t == b {
            o.cloned()
        } else if t.is_none() && o.is_none() {
            None
        } else {
            Some(merge_tags(b, t, o))
        };
        if let Some(repository) = repository {
            merged.insert(name.clone(), repository);
        }
    }
    ours.repositories = merged;
    ours.events_seq = ours.events_seq.max(current.events_seq);
    merge_details(&mut ours.manifests, &current.manifests);
    ours
}

/// Adds `from`'s manifest details to `into`. Details never change for a digest, but a record gains
/// what is read later (the config's created time, an index's totals): of two records the more
/// complete one is kept.
pub fn merge_details(into: &mut Details, from: &Details) {
    for (digest, details) in from {
        match into.get(digest) {
            Some(have) if have.completeness() >= details.completeness() => {}
            _ => {
                into.insert(digest.clone(), details.clone());
            }
        }
    }
}

/// `merge_details` for details read for the purpose (the cache's whole details file): moved
/// rather than copied, so a million of them are never held twice.
pub fn take_details(into: &mut Details, mut from: Details) {
    if from.len() > into.len() {
        std::mem::swap(into, &mut from);
        // `into` now holds the read details: what was there before wins where it is more complete.
        for (digest, details) in from {
            match into.get(&digest) {
                Some(have) if have.completeness() > details.completeness() => {}
                _ => {
                    into.insert(digest, details);
                }
            }
        }
        return;
    }
    for (digest, details) in from {
        match into.get(&digest) {
            Some(have) if have.completeness() >= details.completeness() => {}
            _ => {
                into.insert(digest, details);
            }
        }
    }
}

impl ManifestDetails {
    /// How much of the record has been read: the manifest, its size, its config.
    fn completeness(&self) -> u8 {
        u8::from(self.manifest_bytes.is_some())
            + u8::from(self.size.is_some())
            + u8::from(self.config_read)
            + u8::from(self.created.is_some())
    }
}

/// One repository: each tag, referrer and untagged manifest as the other writer left it where it
/// changed it, else as we read it.
fn merge_tags(
    base: Option<&Repository>,
    theirs: Option<&Repository>,
    ours: Option<&Repository>,
) -> Repository {
    Repository {
        tags: merge_map(base, theirs, ours, |r| &r.tags),
        referrers: merge_map(base, theirs, ours, |r| &r.referrers),
        untagged: merge_map(base, theirs, ours, |r| &r.untagged),
    }
}

fn merge_map<V: Clone + PartialEq>(
    base: Option<&Repository>,
    theirs: Option<&Repository>,
    ours: Option<&Repository>,
    map: impl Fn(&Repository) -> &BTreeMap<String, V>,
) -> BTreeMap<String, V> {
    let empty = BTreeMap::new();
    let [b, t, o] = [base, theirs, ours].map(|r| r.map_or(&empty, &map));
    let keys: BTreeSet<&String> = b.keys().chain(t.keys()).chain(o.keys()).collect();
    let mut merged = BTreeMap::new();
    for key in keys {
        let value = if t.get(key) != b.get(key) {
            t.get(key)
        } else {
            o.get(key)
        };
        if let Some(value) = value {
            merged.insert(key.clone(), value.clone());
        }
    }
    merged
}

/// Points each tag of `read` that still names the digest it named in `before` at `before`'s copy of
/// it, so a refresh that finds little changed holds one copy of each digest, not one for the cache
/// read and one for the answers (at a million tags about 90 MB, the new copies freed as each
/// repository arrives and reused by the next).
pub fn share_digests(read: &mut Repository, before: &Repository) {
    for (tag, entry) in &mut read.tags {
        if let Some(old) = before.tags.get(tag)
            && old.digest == entry.digest
        {
            entry.digest = old.digest.clone();
        }
    }
}

/// Carries each tag's history (`seen`, `pulled`) over from `previous` where the tag still points to
/// the same digest; a tag that is new or moved was first seen at `now`. A manifest that tags pointed
/// to before and none does now becomes untagged (since `now`), unless an index or a referrer keeps
/// it; untagged manifests stay so until a tag points to them again.
pub fn carry_over_history(inventory: &mut Inventory, previous: Option<&Inventory>, now: Timestamp) {
    let details = &inventory.manifests;
    let children_of = |digest: &str| {
        let known = details
            .get(digest)
            .or_else(|| previous.and_then(|p| p.manifests.get(digest)));
        known.and_then(|m| m.children())
    };
    for (name, repository) in &mut inventory.repositories {
        let before = previous.and_then(|p| p.repositories.get(name));
        for (tag, entry) in &mut repository.tags {
            match before.and_then(|r| r.tags.get(tag)) {
                Some(old) if old.digest == entry.digest => {
                    entry.set_seen(old.seen().or(entry.seen()).or(Some(now)));
                    entry.set_pulled(old.pulled().max(entry.pulled()));
                }
                _ => entry.set_seen(entry.seen().or(Some(now))),
            }
        }
        let Some(before) = before else { continue };
        let mut untagged = before.untagged.clone();
        for (tag, old) in &before.tags {
            if repository
                .tags
                .get(tag)
                .is_some_and(|e| e.digest == old.digest)
            {
                continue;
            }
            let lost = untagged.entry(old.digest.to_string()).or_insert(Untagged {
                since: now,
                media_type: old.media_type.clone(),
                tags: Vec::new(),
            });
            if !lost.tags.contains(tag) {
                lost.tags.push(tag.clone());
            }
        }
        // Still (or again) reachable: tagged, an index's child, or a listed referrer.
        let reachable: BTreeSet<&str> = repository
            .tags
            .values()
            .map(|e| e.digest.as_str())
            .chain(repository.referrers.keys().map(String::as_str))
            .flat_map(|d| {
                let children = children_of(d).into_iter().flatten();
                std::iter::once(d).chain(children.map(|c| c.digest.as_str()))
            })
            .collect();
        untagged.retain(|digest, _| !reachable.contains(digest.as_str()));
        for (digest, entry) in untagged {
            repository.untagged.entry(digest).or_insert(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Digest, TagEntry};

    #[test]
    fn a_tag_naming_the_same_digest_shares_the_previous_copy() {
        let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let repository = |tags: &[(&str, char)]| Repository {
            tags: tags
                .iter()
                .map(|(t, c)| (t.to_string(), TagEntry::new(digest(*c), None)))
                .collect(),
            ..Repository::default()
        };
        let before = repository(&[("same", 'a'), ("moved", 'b')]);
        let mut read = repository(&[("same", 'a'), ("moved", 'c'), ("new", 'a')]);
        share_digests(&mut read, &before);
        let copy = |r: &Repository, t: &str| r.tags[t].digest.clone();
        assert!(Digest::same_copy(
            &copy(&read, "same"),
            &copy(&before, "same")
        ));
        assert_eq!(
            copy(&read, "moved").as_str(),
            digest('c'),
            "a moved tag keeps its new digest"
        );
        assert!(!Digest::same_copy(
            &copy(&read, "new"),
            &copy(&before, "same")
        ));
        assert_eq!(copy(&read, "new").as_str(), digest('a'));
    }
}
