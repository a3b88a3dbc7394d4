//! The Distribution registry's notifications (`application/vnd.docker.distribution.events.v1+json`,
//! distribution `docs/notifications.md`): the store's log, and what each changes in the inventory: a
//! push moves a tag, a delete removes a manifest's tags (or one tag), a pull records when a manifest
//! was last pulled. Only manifest events count: blob pushes and pulls, mounts and anything unknown
//! are passed over. Everything in an envelope is untrusted: names are checked against the spec's
//! grammar first.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::inventory::{Inventory, MediaType, TagEntry, Untagged};
use crate::media_type;
use crate::names::{is_digest, is_repository_name, is_tag};

/// Envelopes may carry at most this many events (the registry sends a handful at a time).
pub const MAX_EVENTS: usize = 10_000;

/// The action of the event regsweep logs itself when it has read the whole registry and saved it:
/// the other replicas load what it saved. No registry sends it; `apply` passes it over.
pub const REFRESHED: &str = "regsweep.refreshed";

/// The event that says the registry was read and saved just now.
pub fn refreshed_event() -> Event {
    let now = Timestamp::now();
    let mut nonce = [0u8; 8];
    let _ = getrandom::fill(&mut nonce);
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    Event {
        id: Some(format!("regsweep-refresh-{}-{nonce}", now.as_microsecond())),
        timestamp: Some(now),
        action: REFRESHED.to_owned(),
        target: Target::default(),
        request: RequestInfo::default(),
    }
}

/// The repositories events push a tag to (whose manifests' details may be missing).
pub fn pushed_to(events: &[Event]) -> Vec<String> {
    let names: BTreeSet<&str> = events
        .iter()
        .filter_map(Event::manifest)
        .filter(|m| m.action == Action::Push && m.tag.is_some())
        .map(|m| m.repository)
        .collect();
    names.into_iter().map(str::to_owned).collect()
}

#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The registry's id of the event: a redelivered envelope carries the same ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub target: Target,
    #[serde(default)]
    pub request: RequestInfo,
}

/// Who made the request an event reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub useragent: Option<String>,
}

impl Event {
    /// What tells this event from every other: the registry's id, or (for a sender that gives
    /// none) a hash of everything it says, so the same event delivered twice counts once.
    pub fn key(&self) -> String {
        match self.id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => format!("id:{}", id.chars().take(200).collect::<String>()),
            None => {
                let text = serde_json::to_string(self).unwrap_or_default();
                let hash = Sha256::digest(text.as_bytes());
                let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
                format!("sha256:{hex}")
            }
        }
    }

    /// The manifest event this is, with its names checked, or `None` for what does not count
    /// (blob events, bad names, unknown actions).
    pub fn manifest(&self) -> Option<ManifestEvent<'_>> {
        let target = &self.target;
        let (repo, digest) = (target.repository.as_deref()?, target.digest.as_deref()?);
        let tag = target.tag.as_deref().filter(|t| !t.is_empty());
        let valid = is_repository_name(repo) && is_digest(digest) && tag.is_none_or(is_tag);
        if !valid || !is_manifest(target.media_type.as_deref()) {
            return None;
        }
        let action = match self.action.as_str() {
            "push" => Action::Push,
            "delete" => Action::Delete,
            "pull" if !self.is_ours() => Action::Pull,
            _ => return None,
        };
        Some(ManifestEvent {
            action,
            repository: repo,
            digest,
            tag,
        })
    }

    /// When it happened: the registry's time, or `now` for a missing or future one.
    pub fn at(&self, now: Timestamp) -> Timestamp {
        self.timestamp.filter(|t| *t <= now).unwrap_or(now)
    }

    /// Whether regsweep itself made the request: its reads (HEADs while refreshing, GETs for
    /// details) are pulls to the registry, but not use of the image.
    fn is_ours(&self) -> bool {
        self.request
            .useragent
            .as_deref()
            .is_some_and(|agent| agent.starts_with("regsweep/"))
    }
}

/// What a manifest event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Push,
    Delete,
    Pull,
}

/// A manifest event that counts, its names checked.
#[derive(Debug, Clone, Copy)]
pub struct ManifestEvent<'a> {
    pub action: Action,
    pub repository: &'a str,
    pub digest: &'a str,
    pub tag: Option<&'a str>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    #[serde(default)]
    pub media_type: Option<MediaType>,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
}

/// What applying a batch changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Events that changed the inventory.
    pub applied: usize,
    /// Repositories with a tag moved onto a digest (whose details may be missing).
    pub pushed_to: BTreeSet<String>,
}

fn is_manifest(media_type: Option<&str>) -> bool {
    // A delete names no media type; a manifest event names one of the manifest types.
    media_type.is_none_or(|m| media_type::MANIFEST_TYPES.contains(&m))
}

/// Applies `events` in order; `now` stands in for a missing or future timestamp.
pub fn apply(inventory: &mut Inventory, events: &[Event], now: Timestamp) -> Applied {
    let mut applied = Applied::default();
    for event in events {
        let Some(manifest) = event.manifest() else {
            continue;
        };
        let ManifestEvent {
            action,
            repository: repo,
            digest,
            tag,
        } = manifest;
        let at = event.at(now);
        let changed = match action {
            Action::Push => push(
                inventory,
                repo,
                tag,
                digest,
                &event.target,
                at,
                &mut applied,
            ),
            Action::Delete => delete(inventory, repo, tag, digest),
            Action::Pull => pull(inventory, repo, tag, digest, at),
        };
        applied.applied += usize::from(changed);
    }
    applied
}

fn push(
    inventory: &mut Inventory,
    repo: &str,
    tag: Option<&str>,
    digest: &str,
    target: &Target,
    at: Timestamp,
    applied: &mut Applied,
) -> bool {
    let repository = inventory.repositories.entry(repo.to_owned()).or_default();
    // A push by digest alone (an index's children, a referrer, an image pushed untagged) tags
    // nothing: remembered as untagged until a tag or index is seen to need it.
    let Some(tag) = tag else {
        return repository.mark_untagged(digest, at, target.media_type.clone(), Vec::new());
    };
    if repository.tags.get(tag).is_some_and(|t| t.digest == digest) {
        return false;
    }
    let mut entry = TagEntry::new(digest.to_owned(), target.media_type.clone());
    entry.set_seen(Some(at));
    let moved_from = repository.tags.insert(tag.to_owned(), entry);
    repository.untagged.remove(digest);
    // An overwritten tag: its old manifest is untagged now, unless another tag keeps it.
    if let Some(old) = moved_from
        && !repository.is_tagged(&old.digest)
    {
        repository.untagged.insert(
            old.digest.to_string(),
            Untagged {
                since: at,
                media_type: old.media_type,
                tags: vec![tag.to_owned()],
            },
        );
    }
    applied.pushed_to.insert(repo.to_owned());
    true
}

fn delete(inventory: &mut Inventory, repo: &str, tag: Option<&str>, digest: &str) -> bool {
    let Some(repository) = inventory.repositories.get_mut(repo) else {
        return false;
    };
    let before = repository.tags.len();
    match tag {
        // Deleting a tag (registry 3.x) removes that tag only; the manifest stays, maybe untagged.
        Some(tag) => {
            repository
                .tags
                .retain(|t, e| t != tag || e.digest != digest);
            if repository.tags.len() != before {
                repository.mark_untagged(digest, Timestamp::now(), None, vec![tag.to_owned()]);
            }
        }
        // Deleting a manifest removes every tag of the repository pointing to it.
        None => {
            let known = repository.untagged.contains_key(digest)
                || repository.referrers.contains_key(digest);
            repository.forget(digest);
            return known || repository.tags.len() != before;
        }
    }
    repository.tags.len() != before
}

fn pull(
    inventory: &mut Inventory,
    repo: &str,
    tag: Option<&str>,
    digest: &str,
    at: Timestamp,
) -> bool {
    let Some(repository) = inventory.repositories.get_mut(repo) else {
        return false;
    };
    let mut changed = false;
    for (name, entry) in &mut repository.tags {
        let named = tag.is_none_or(|t| t == name);
        if named && entry.digest == digest && entry.pulled().is_none_or(|p| p < at) {
            entry.set_pulled(Some(at));
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::testing::inventory;

    fn event(action: &str, repo: &str, tag: Option<&str>, digest: &str, at: &str) -> Event {
        Event {
            id: None,
            timestamp: Some(at.parse().unwrap()),
            action: action.into(),
            target: Target {
                media_type: Some(media_type::OCI_MANIFEST.into()),
                digest: Some(digest.into()),
                repository: Some(repo.into()),
                tag: tag.map(Into::into),
            },
            request: RequestInfo::default(),
        }
    }

    #[test]
    fn overwritten_tags_and_untagged_pushes_leave_untagged_manifests() {
        let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let mut inv = inventory(&[("app", &[("latest", &d('a')), ("1.0", &d('b'))])]);
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let applied = apply(
            &mut inv,
            &[
                event(
                    "push",
                    "app",
                    Some("latest"),
                    &d('c'),
                    "2026-11-25T10:00:00Z",
                ),
                event("push", "app", None, &d('e'), "2026-11-25T10:00:01Z"),
                event("push", "app", Some("1.0"), &d('a'), "2026-11-25T10:00:02Z"),
            ],
            now,
        );
        assert_eq!(applied.applied, 3);
        let untagged: Vec<(&String, &Vec<String>)> = inv.repositories["app"]
            .untagged
            .iter()
            .map(|(digest, u)| (digest, &u.tags))
            .collect();
        // a was overwritten, then tagged 1.0 again: not untagged; b lost 1.0; e came untagged.
        assert_eq!(
            untagged,
            [(&d('b'), &vec!["1.0".to_owned()]), (&d('e'), &vec![])]
        );
        apply(
            &mut inv,
            &[event(
                "delete",
                "app",
                None,
                &d('e'),
                "2026-11-25T11:00:00Z",
            )],
            now,
        );
        assert!(!inv.repositories["app"].untagged.contains_key(&d('e')));
    }

    #[test]
    fn pushes_deletes_and_pulls_change_tags() {
        let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let mut inv = inventory(&[("app", &[("1.0", &d('a')), ("stable", &d('a'))])]);
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let events_after = [
            event("push", "app", Some("1.1"), &d('b'), "2026-11-25T10:00:00Z"),
            event("push", "new", Some("x"), &d('c'), "2026-11-25T10:00:01Z"),
            event("pull", "app", Some("1.1"), &d('b'), "2026-11-25T11:00:00Z"),
            event("delete", "app", None, &d('a'), "2026-11-25T11:30:00Z"),
            event("push", "app", Some("../x"), &d('b'), "2026-11-25T11:30:00Z"),
            event("pull", "app", Some("1.1"), &d('b'), "2099-01-01T00:00:00Z"),
        ];
        let mut ours = event("pull", "app", Some("1.0"), &d('a'), "2026-11-25T09:00:00Z");
        ours.request.useragent = Some("regsweep/0.1.0".into());
        let mut events = vec![ours];
        events.extend(events_after);
        let applied = apply(&mut inv, &events, now);
        assert_eq!(
            applied.applied, 5,
            "the bad tag and regsweep's own pull are passed over"
        );
        let app = &inv.repositories["app"].tags;
        assert_eq!(app.keys().collect::<Vec<_>>(), ["1.1"]);
        assert_eq!(
            app["1.1"].seen(),
            Some("2026-11-25T10:00:00Z".parse().unwrap())
        );
        assert_eq!(
            app["1.1"].pulled(),
            Some(now),
            "a future time counts as now"
        );
        assert_eq!(inv.repositories["new"].tags["x"].digest, d('c'));
        assert_eq!(
            applied.pushed_to.into_iter().collect::<Vec<_>>(),
            ["app", "new"]
        );
    }

    #[test]
    fn blob_events_are_passed_over() {
        let mut inv = inventory(&[]);
        let mut blob = event(
            "push",
            "app",
            None,
            &format!("sha256:{}", "e".repeat(64)),
            "2026-01-01T00:00:00Z",
        );
        blob.target.media_type = Some("application/octet-stream".into());
        blob.target.tag = Some("1".into());
        assert_eq!(apply(&mut inv, &[blob], Timestamp::now()).applied, 0);
        assert!(inv.repositories.is_empty());
    }
}
