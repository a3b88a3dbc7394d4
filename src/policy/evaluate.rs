//! Each tag's fate under a policy, first tag by tag, then image by image.
//!
//! 1. Tag by tag, per repository: protection (`protect.tags`, the protected images) first; then the
//!    rules in file order. A keep rule, or a delete rule's `keep_n`, keeps; a delete rule deletes what
//!    it selects. Protected beats kept beats deleted, whatever the order of the rules; among rules of
//!    equal weight the first one is named.
//! 2. Image by image (`outcome`): a digest that any protected or kept tag points to, in any repository
//!    (or that such an index references), is never deleted; a digest is deleted only when every tag
//!    of it, in every repository, is deleted; `min_keep` rescues the newest images of a repository
//!    that would otherwise keep fewer. The tags this holds back are `held`, with the reason.
//! 3. The plan: `select::plan`, as for every removal, and a last check that nothing it deletes with
//!    an index or an image (children, attachments) is protected.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use super::{Action, AgeBy, GroupKey, Policy, Rule, Target};
use crate::inventory::{Inventory, TagEntry, is_attachment_tag};
use crate::names::ImageReference;
use crate::select::KeepBy;
use crate::version::Version;

mod decision;
pub(super) mod outcome;

pub use decision::{Decided, Decision, Evaluation};

/// What happens to a tag, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Named by `protect`, or pointing to a protected image.
    Protected,
    /// Kept by a keep rule, a delete rule's `keep_n`, or `min_keep`.
    Kept,
    /// A rule selected it, but its image stays (another tag of it stays, or protection).
    Held,
    /// Deleted with its image.
    Delete,
    /// No rule selects it.
    Untouched,
}

impl Fate {
    pub fn label(self) -> &'static str {
        match self {
            Self::Protected => "protected",
            Self::Kept => "kept",
            Self::Held => "held",
            Self::Delete => "delete",
            Self::Untouched => "untouched",
        }
    }
}

/// What one rule says of one tag (`policy plan --explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The rule selects it: a delete rule deletes it, a keep rule keeps it.
    Selects(Arc<str>),
    /// A delete rule's `keep_n` keeps it: its image is among the newest of its group.
    Ranked { rank: usize, group: String },
    /// The rule does not apply to it, and why.
    Misses(String),
}

impl Policy {
    /// The policy's decisions and removal plan for `inventory`, ages measured from `now`.
    pub fn evaluate<'a>(
        &'a self,
        inventory: &'a Inventory,
        now: Timestamp,
    ) -> anyhow::Result<Evaluation<'a>> {
        let mut fates = BTreeMap::new();
        for (repo, repository) in &inventory.repositories {
            let tags: Vec<(&String, &TagEntry)> = repository
                .tags
                .iter()
                .filter(|(tag, _)| !is_attachment_tag(tag))
                .collect();
            fates.insert(repo.as_str(), self.tag_fates(inventory, now, repo, &tags));
        }
        outcome::resolve(self, inventory, now, fates)
    }

    /// What each rule applying to `repo` says of `tag`, in file order (`--explain`).
    pub fn explain(
        &self,
        inventory: &Inventory,
        now: Timestamp,
        repo: &str,
        tag: &str,
    ) -> Vec<(&Rule, Verdict)> {
        let Some(repository) = inventory.repositories.get(repo) else {
            return Vec::new();
        };
        let tags: Vec<(&String, &TagEntry)> = repository
            .tags
            .iter()
            .filter(|(t, _)| !is_attachment_tag(t))
            .collect();
        let Some(at) = tags.iter().position(|(t, _)| *t == tag) else {
            return Vec::new();
        };
        self.rules
            .iter()
            .filter(|r| r.target == Target::Tags)
            .map(|rule| {
                let verdict = if rule.repositories.matches(repo) {
                    verdicts(rule, inventory, now, &tags).swap_remove(at)
                } else {
                    Verdict::Misses(format!("repositories {} do not match", rule.repositories))
                };
                (rule, verdict)
            })
            .collect()
    }

    /// Step 1 for one repository: each tag's fate from protection and the rules.
    fn tag_fates<'a>(
        &'a self,
        inventory: &Inventory,
        now: Timestamp,
        repo: &str,
        tags: &[(&'a String, &'a TagEntry)],
    ) -> Vec<TagFate<'a>> {
        let none: Arc<str> = Arc::from("");
        let mut fates: Vec<TagFate> = tags
            .iter()
            .map(
                |(tag, entry)| match self.protection(repo, tag, &entry.digest) {
                    Some(reason) => TagFate::new(tag, entry, Fate::Protected, None, reason.into()),
                    None => TagFate::new(tag, entry, Fate::Untouched, None, Arc::clone(&none)),
                },
            )
            .collect();
        for rule in self.rules.iter().filter(|r| r.target == Target::Tags) {
            if !rule.repositories.matches(repo) {
                continue;
            }
            for (fate, verdict) in fates.iter_mut().zip(verdicts(rule, inventory, now, tags)) {
                let (new, reason) = match (rule.action, verdict) {
                    (_, Verdict::Misses(_)) => continue,
                    (Action::Keep, Verdict::Selects(why)) => (Fate::Kept, why),
                    (Action::Delete, Verdict::Selects(why)) => (Fate::Delete, why),
                    (_, Verdict::Ranked { rank, group }) => {
                        (Fate::Kept, ranked(rule, rank, &group).into())
                    }
                };
                if new < fate.fate {
                    fate.fate = new;
                    fate.rule = Some(rule);
                    fate.reason = reason;
                }
            }
        }
        fates
    }

    /// Why `repo:tag` (pointing to `digest`) is protected, if it is.
    fn protection(&self, repo: &str, tag: &str, digest: &str) -> Option<String> {
        if let Some(selector) = self.protect.tags.iter().find(|s| s.matches(tag)) {
            return Some(format!("protect.tags: {selector}"));
        }
        self.protect
            .images
            .iter()
            .find(|image| names_image(image, repo, tag, digest))
            .map(|image| format!("protected image {}", reference_text(image)))
    }
}

/// Whether a protected reference names `repo:tag` (a reference without tag or digest means
/// `latest`) or its digest. Hosts are not compared: one registry answers to many names, and
/// protecting too much never deletes anything.
fn names_image(image: &ImageReference, repo: &str, tag: &str, digest: &str) -> bool {
    if let Some(d) = &image.digest {
        return d == digest;
    }
    image.repository == repo && image.tag.as_deref().unwrap_or("latest") == tag
}

pub(super) fn reference_text(image: &ImageReference) -> String {
    let mut text = image.repository.clone();
    if let Some(tag) = &image.tag {
        text = format!("{text}:{tag}");
    }
    if let Some(digest) = &image.digest {
        text = format!("{text}@{digest}");
    }
    text
}

fn ranked(rule: &Rule, rank: usize, group: &str) -> String {
    let within = if group.is_empty() {
        String::new()
    } else {
        format!(" in group {group}")
    };
    let by = match rule.keep_by {
        KeepBy::Created => "newest",
        KeepBy::Version => "by version",
    };
    format!(
        "keep_n = {}: the {} {by}{within}",
        rule.keep_n.unwrap_or(0),
        ordinal(rank)
    )
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A tag's fate while it is being decided.
#[derive(Debug, Clone)]
pub(super) struct TagFate<'a> {
    /// The inventory's `String` by reference: 8 bytes where a `&str` is 16, a million times.
    pub tag: &'a String,
    pub entry: &'a TagEntry,
    pub fate: Fate,
    pub rule: Option<&'a Rule>,
    /// Shared where many tags have the same reason (a rule's own, such as "beyond keep_n").
    pub reason: Arc<str>,
}

impl<'a> TagFate<'a> {
    fn new(
        tag: &'a String,
        entry: &'a TagEntry,
        fate: Fate,
        rule: Option<&'a Rule>,
        reason: Arc<str>,
    ) -> Self {
        Self {
            tag,
            entry,
            fate,
            rule,
            reason,
        }
    }
}

/// What `rule` says of each of `tags` (one repository's), in order.
fn verdicts(
    rule: &Rule,
    inventory: &Inventory,
    now: Timestamp,
    tags: &[(&String, &TagEntry)],
) -> Vec<Verdict> {
    let mut out: Vec<Option<Verdict>> = tags
        .iter()
        .map(|(tag, _)| named(rule, tag).err().map(Verdict::Misses))
        .collect();
    // A delete rule's keep_n ranks every named tag, whatever its age (GitLab's keep_n); a keep
    // rule's ranks those its ages select.
    let rank_first = rule.action == Action::Delete;
    // One copy of the rule's reason for every tag it selects.
    let why: Arc<str> = selected_why(rule).into();
    if !rank_first {
        for (i, (_, entry)) in tags.iter().enumerate() {
            if out[i].is_none()
                && let Err(why) = aged(rule, inventory, now, entry)
            {
                out[i] = Some(Verdict::Misses(why));
            }
        }
    }
    if let Some(keep) = rule.keep_n {
        rank(rule, inventory, tags, keep, &mut out);
    }
    tags.iter()
        .zip(out)
        .map(|((_, entry), verdict)| match verdict {
            Some(Verdict::Ranked { rank, group }) if rule.action == Action::Keep => {
                Verdict::Selects(ranked(rule, rank, &group).into())
            }
            Some(verdict) => verdict,
            None if rank_first => match aged(rule, inventory, now, entry) {
                Ok(()) => Verdict::Selects(Arc::clone(&why)),
                Err(why_not) => Verdict::Misses(why_not),
            },
            None => Verdict::Selects(Arc::clone(&why)),
        })
        .collect()
}

/// Whether the rule's tag selectors pick `tag`; if not, why.
fn named(rule: &Rule, tag: &str) -> Result<(), String> {
    if !rule.include.is_empty() && !rule.include.iter().any(|s| s.matches(tag)) {
        return Err("its tags do not match".to_owned());
    }
    match rule.exclude.iter().find(|s| s.matches(tag)) {
        Some(selector) => Err(format!("excluded by {selector}")),
        None => Ok(()),
    }
}

fn selected_why(rule: &Rule) -> String {
    let mut parts = Vec::new();
    if let Some(d) = rule.older_than {
        parts.push(format!("older than {}", days(d)));
    }
    if let Some(d) = rule.newer_than {
        parts.push(format!("newer than {}", days(d)));
    }
    if let Some(d) = rule.not_pulled_for {
        parts.push(format!("not pulled for {}", days(d)));
    }
    if rule.keep_n.is_some() && rule.action == Action::Delete {
        parts.push("beyond keep_n".to_owned());
    }
    if parts.is_empty() {
        "its tags match".to_owned()
    } else {
        parts.join(", ")
    }
}

fn days(d: jiff::SignedDuration) -> String {
    let hours = d.as_secs() / 3600;
    if hours % 24 == 0 {
        format!("{}d", hours / 24)
    } else {
        format!("{hours}h")
    }
}

/// Whether a tag passes the rule's ages, or why not. What is unknown never passes.
fn aged(
    rule: &Rule,
    inventory: &Inventory,
    now: Timestamp,
    entry: &TagEntry,
) -> Result<(), String> {
    if rule.older_than.is_some() || rule.newer_than.is_some() {
        let (since, what) = match rule.age_by {
            AgeBy::Created => (created(inventory, &entry.digest), "created time"),
            AgeBy::Tagged => (entry.seen(), "time it was first seen tagged"),
        };
        let Some(since) = since else {
            return Err(format!("its {what} is not known"));
        };
        let age = now.duration_since(since);
        if rule.older_than.is_some_and(|d| age <= d) {
            return Err(format!(
                "{} old, not older than {}",
                days_of(age),
                days(rule.older_than.unwrap_or_default())
            ));
        }
        if rule.newer_than.is_some_and(|d| age >= d) {
            return Err(format!(
                "{} old, not newer than {}",
                days_of(age),
                days(rule.newer_than.unwrap_or_default())
            ));
        }
    }
    if let Some(d) = rule.not_pulled_for {
        let Some(last) = entry.pulled().or(entry.seen()) else {
            return Err("regsweep has not seen it pulled or tagged".to_owned());
        };
        if now.duration_since(last) <= d {
            return Err(format!("pulled (or tagged) within {}", days(d)));
        }
    }
    Ok(())
}

fn days_of(age: jiff::SignedDuration) -> String {
    format!("{}d", age.as_secs().max(0) / 86_400)
}

pub(super) fn created(inventory: &Inventory, digest: &str) -> Option<Timestamp> {
    inventory.manifests.get(digest).and_then(|d| d.created())
}

/// `keep_n`: within each group, the images of the named tags (those still without a verdict) ranked
/// newest first; the tags of the first `keep` images get `Ranked`. An image that cannot be ranked
/// (no created time, or no version under `keep_by = "version"`) gets a miss: unknown never deletes.
fn rank(
    rule: &Rule,
    inventory: &Inventory,
    tags: &[(&String, &TagEntry)],
    keep: usize,
    out: &mut [Option<Verdict>],
) {
    // group -> digest -> (its ranking key, the tags' indexes)
    type Key = (Option<Timestamp>, Option<Version>);
    let mut groups: BTreeMap<String, BTreeMap<&str, (Key, Vec<usize>)>> = BTreeMap::new();
    for (i, (tag, entry)) in tags.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let key: Key = match rule.keep_by {
            KeepBy::Created => match created(inventory, &entry.digest) {
                Some(t) => (Some(t), None),
                None => {
                    out[i] = Some(Verdict::Misses(
                        "no created time, so keep_n cannot rank it".into(),
                    ));
                    continue;
                }
            },
            KeepBy::Version => match Version::parse(tag) {
                Some(v) => (None, Some(v)),
                None => {
                    out[i] = Some(Verdict::Misses(
                        "not a version, so keep_n cannot rank it".into(),
                    ));
                    continue;
                }
            },
        };
        let slot = groups
            .entry(group_of(&rule.group_by, tag))
            .or_default()
            .entry(entry.digest.as_str())
            .or_insert_with(|| (key.clone(), Vec::new()));
        slot.0 = slot.0.clone().max(key);
        slot.1.push(i);
    }
    for (group, images) in groups {
        let mut ranked: Vec<(Key, &str, Vec<usize>)> = images
            .into_iter()
            .map(|(digest, (key, indexes))| (key, digest, indexes))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        for (rank, (_, _, indexes)) in ranked.into_iter().take(keep).enumerate() {
            for i in indexes {
                out[i] = Some(Verdict::Ranked {
                    rank: rank + 1,
                    group: group.clone(),
                });
            }
        }
    }
}

/// The group a tag is ranked in: its `group_by` keys, joined by spaces; "" without `group_by`.
fn group_of(keys: &[GroupKey], tag: &str) -> String {
    let version = Version::parse(tag);
    let parts: Vec<String> =
        keys.iter()
            .map(|key| match key {
                GroupKey::Major => version
                    .as_ref()
                    .and_then(|v| v.component(0))
                    .map_or("(no version)".into(), |m| format!("{m}.x")),
                GroupKey::MajorMinor => version.as_ref().and_then(|v| v.component(0)).map_or(
                    "(no version)".into(),
                    |m| {
                        format!(
                            "{m}.{}",
                            version.as_ref().and_then(|v| v.component(1)).unwrap_or(0)
                        )
                    },
                ),
                GroupKey::Variant => version.as_ref().map_or("(no version)".into(), |v| {
                    v.suffix().unwrap_or("(plain)").to_owned()
                }),
                GroupKey::Regex(regex) => match regex.captures(tag) {
                    Some(c) if c.len() > 1 => c
                        .iter()
                        .skip(1)
                        .map(|m| m.map_or("", |m| m.as_str()))
                        .collect::<Vec<_>>()
                        .join("/"),
                    Some(c) => c[0].to_owned(),
                    None => "(no match)".into(),
                },
            })
            .collect();
    parts.join(" ")
}
