//! Steps 2 and 3 of an evaluation: from tags' fates to images' fates, `min_keep`, and the plan.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use super::decision::HeldUntagged;
use super::{Evaluation, Fate, TagFate, created, reference_text};
use crate::inventory::{Inventory, RepositoryName};
use crate::policy::{Policy, Target, repositories_of};
use crate::select::{OrphanQuery, Plan, Query, Selected, UntaggedQuery, plan};
use crate::version::{Version, natural_cmp};

type Fates<'a> = BTreeMap<&'a str, Vec<TagFate<'a>>>;

/// Digests that nothing may delete, each with why (the first protected or kept tag, or reference).
/// Hashed: a registry-wide plan looks up each of a million digests in it. The digests are the
/// inventory's and the policy's own, not copies.
type Protected<'a> = FxHashMap<&'a str, String>;

pub(in crate::policy) fn resolve<'a>(
    policy: &'a Policy,
    inventory: &'a Inventory,
    now: Timestamp,
    mut fates: Fates<'a>,
) -> anyhow::Result<Evaluation<'a>> {
    let mut protected = protected_digests(policy, inventory, &fates);
    loop {
        hold_shared(&mut fates, &protected);
        if !keep_minimum(policy, inventory, &mut fates, &mut protected) {
            break;
        }
    }
    let mut untagged = Vec::new();
    let mut held_untagged = Vec::new();
    for row in untagged_rows(policy, inventory, now)? {
        match protected.get(row.digest.as_str()) {
            Some(why) => held_untagged.push(HeldUntagged {
                reason: format!("untagged here, but {why}"),
                repository: row.repository.to_string(),
                digest: row.digest.to_string(),
            }),
            None => untagged.push(row),
        }
    }
    let plan = guarded_plan(policy, inventory, untagged, &protected, &mut fates)?;
    Ok(Evaluation {
        fates,
        held_untagged,
        plan,
        now,
    })
}

/// The digests protected or kept tags point to, the protected images' digests, and the children of
/// all of them (an index needs its children).
fn protected_digests<'a>(
    policy: &'a Policy,
    inventory: &'a Inventory,
    fates: &Fates<'a>,
) -> Protected<'a> {
    let mut protected = Protected::default();
    for (repo, tags) in fates {
        for f in tags.iter().filter(|f| f.fate <= Fate::Kept) {
            protected
                .entry(f.entry.digest.as_str())
                .or_insert_with(|| format!("{repo}:{} is {}", f.tag, f.fate.label()));
        }
    }
    for image in &policy.protect.images {
        if let Some(digest) = &image.digest {
            protected
                .entry(digest.as_str())
                .or_insert_with(|| format!("{} is protected", reference_text(image)));
        }
    }
    add_children(inventory, &mut protected);
    protected
}

fn add_children<'a>(inventory: &'a Inventory, protected: &mut Protected<'a>) {
    let mut parents: Vec<(&'a str, &str)> = protected
        .iter()
        .map(|(d, why)| (*d, why.as_str()))
        .collect();
    // In digest order, so a child of two protected indexes is explained the same way every run.
    parents.sort_unstable();
    let mut children: Vec<(&'a str, String)> = Vec::new();
    for (digest, why) in parents {
        for child in inventory.with_children(digest).skip(1) {
            if !protected.contains_key(child) {
                children.push((child, format!("an index it belongs to is kept ({why})")));
            }
        }
    }
    // The first parent (in digest order) explains a child two protected indexes share.
    for (child, why) in children {
        protected.entry(child).or_insert(why);
    }
}

/// Deleted tags whose image stays become held: the digest is protected, or another tag of it (in
/// any repository) is not deleted.
fn hold_shared<'a>(fates: &mut Fates<'a>, protected: &Protected) {
    // Digest -> the first tag (in repository order) that keeps it: the inventory's names.
    let mut staying: FxHashMap<&'a str, (&'a str, &'a str)> = FxHashMap::default();
    for (repo, tags) in fates.iter() {
        for f in tags.iter().filter(|f| f.fate != Fate::Delete) {
            staying.entry(&f.entry.digest).or_insert((repo, f.tag));
        }
    }
    for tags in fates.values_mut() {
        for f in tags.iter_mut().filter(|f| f.fate == Fate::Delete) {
            let why = if let Some(why) = protected.get(f.entry.digest.as_str()) {
                format!(
                    "{} (by rule {:?}), but its image stays: {why}",
                    f.reason,
                    rule_name(f)
                )
            } else if let Some((repo, tag)) = staying.get(f.entry.digest.as_str()) {
                format!(
                    "{} (by rule {:?}), but its image is also tagged {repo}:{tag}, which stays",
                    f.reason,
                    rule_name(f)
                )
            } else {
                continue;
            };
            f.fate = Fate::Held;
            f.reason = why.into();
        }
    }
}

fn rule_name<'a>(f: &TagFate<'a>) -> &'a str {
    f.rule.map_or("", |r| r.name.as_str())
}

/// `min_keep`: a repository that would keep fewer tagged images keeps its newest deleted ones
/// instead. Whether anything was rescued (then the shared check runs again).
fn keep_minimum<'a>(
    policy: &Policy,
    inventory: &'a Inventory,
    fates: &mut Fates<'a>,
    protected: &mut Protected<'a>,
) -> bool {
    if policy.min_keep == 0 {
        return false;
    }
    let mut rescued_any = false;
    for (repo, tags) in fates.iter_mut() {
        // digest -> (every tag of it deleted, its highest version)
        let mut images: BTreeMap<&str, (bool, Option<Version>)> = BTreeMap::new();
        for f in tags.iter() {
            let image = images.entry(&f.entry.digest).or_insert((true, None));
            image.0 &= f.fate == Fate::Delete;
            image.1 = image.1.take().max(Version::parse(f.tag));
        }
        let deleted: Vec<(&str, Option<Version>)> = images
            .iter()
            .filter(|(_, (all_deleted, _))| *all_deleted)
            .map(|(d, (_, version))| (*d, version.clone()))
            .collect();
        let remaining = images.len() - deleted.len();
        if remaining >= policy.min_keep || deleted.is_empty() {
            continue;
        }
        let mut ranked = deleted;
        ranked.sort_by(|(a, va), (b, vb)| {
            (created(inventory, b), vb).cmp(&(created(inventory, a), va))
        });
        let rescue: BTreeSet<String> = ranked
            .into_iter()
            .take(policy.min_keep - remaining)
            .map(|(d, _)| d.to_owned())
            .collect();
        for f in tags
            .iter_mut()
            .filter(|f| rescue.contains(f.entry.digest.as_str()))
        {
            f.fate = Fate::Kept;
            f.reason = format!(
                "min_keep = {}: the repository keeps its newest images ({} wanted it)",
                policy.min_keep,
                f.rule.map_or("a rule", |r| r.name.as_str())
            )
            .into();
            f.rule = None;
            protected
                .entry(f.entry.digest.as_str())
                .or_insert_with(|| format!("{repo}:{} is kept by min_keep", f.tag));
        }
        rescued_any = true;
    }
    if rescued_any {
        add_children(inventory, protected);
    }
    rescued_any
}

/// One row per repository and image whose every tag is deleted, with room for `more`.
fn tag_rows(fates: &Fates, more: usize) -> Vec<Selected> {
    // At most a row per deleted tag: sized once, not by doubling (room for a million rows, 96 MB,
    // where 700,000 were needed).
    let deleted = fates.values().flatten().filter(|f| f.fate == Fate::Delete);
    let mut rows = Vec::with_capacity(deleted.count() + more);
    for (repo, tags) in fates {
        let name = RepositoryName::from(*repo);
        let mut by_digest: BTreeMap<&str, Vec<&TagFate>> = BTreeMap::new();
        for f in tags.iter().filter(|f| f.fate == Fate::Delete) {
            by_digest.entry(&f.entry.digest).or_default().push(f);
        }
        for tags in by_digest.into_values() {
            let mut names: Vec<String> = tags.iter().map(|f| f.tag.to_owned()).collect();
            names.sort_by(|a, b| natural_cmp(a, b));
            rows.push(Selected {
                repository: name.clone(),
                digest: tags[0].entry.digest.clone(),
                media_type: tags[0].entry.media_type.clone(),
                tags: names,
                untag: false,
            });
        }
    }
    rows
}

/// What the untagged and orphaned-referrers rules select, by the selections those commands use.
fn untagged_rows(
    policy: &Policy,
    inventory: &Inventory,
    now: Timestamp,
) -> anyhow::Result<Vec<Selected>> {
    let mut rows: BTreeMap<(String, String), Selected> = BTreeMap::new();
    for rule in policy.targets(Target::Untagged) {
        let query = Query::Untagged(UntaggedQuery {
            repositories: repositories_of(inventory, &[rule]),
            untagged_before: rule.older_than.map(|d| now - d),
            keep_referrers: policy.keep_referrers,
        });
        for row in query.select(inventory)? {
            rows.entry((row.repository.to_string(), row.digest.to_string()))
                .or_insert(row);
        }
    }
    for rule in policy.targets(Target::OrphanedReferrers) {
        let query = Query::Orphans(OrphanQuery {
            repositories: repositories_of(inventory, &[rule]),
        });
        for row in query.select(inventory)? {
            rows.entry((row.repository.to_string(), row.digest.to_string()))
                .or_insert(row);
        }
    }
    Ok(rows.into_values().collect())
}

/// The plan of the deleted tags' rows and `untagged`'s; a row whose deletion would take a protected
/// manifest along (an index's child, an attachment) is dropped and its tags held, until none does.
/// Each round drops at least one row. The rows are made afresh from the fates each round rather
/// than kept and copied: at a million tags a copy was most of a second, and a round is rare.
fn guarded_plan(
    policy: &Policy,
    inventory: &Inventory,
    mut untagged: Vec<Selected>,
    protected: &Protected,
    fates: &mut Fates,
) -> anyhow::Result<Plan> {
    loop {
        let mut rows = tag_rows(fates, untagged.len());
        rows.extend(untagged.iter().cloned());
        let plan = plan(inventory, rows, !policy.keep_referrers)?;
        let offenders = offending_rows(&plan, protected);
        if offenders.is_empty() {
            return Ok(plan);
        }
        untagged
            .retain(|r| !offenders.contains_key(&(r.repository.to_string(), r.digest.to_string())));
        for ((repo, digest), why) in offenders {
            let Some(tags) = fates.get_mut(repo.as_str()) else {
                continue;
            };
            for f in tags
                .iter_mut()
                .filter(|f| f.entry.digest == digest && f.fate == Fate::Delete)
            {
                f.fate = Fate::Held;
                f.reason =
                    format!("{}, but deleting its image would delete {why}", f.reason).into();
            }
        }
    }
}

/// The rows whose deletion takes a protected manifest along: each deletion is traced, through its
/// parent index or its subject, to the planned manifest (a row) that causes it.
fn offending_rows(plan: &Plan, protected: &Protected) -> BTreeMap<(String, String), String> {
    let cause: FxHashMap<(&str, &str), &str> = plan
        .deletions()
        .filter_map(|d| Some(((d.repository, d.digest), d.parent.or(d.subject)?)))
        .collect();
    let mut offenders = BTreeMap::new();
    for d in plan.deletions() {
        let Some(why) = protected.get(d.digest) else {
            continue;
        };
        let mut at = (d.repository, d.digest);
        // Bounded: a cycle of causes (which a plan never has) cannot hold the walk.
        for _ in 0..=cause.len() {
            match cause.get(&at) {
                Some(up) => at = (d.repository, up),
                None => break,
            }
        }
        offenders.insert(
            (at.0.to_owned(), at.1.to_owned()),
            format!("{} ({why})", short(d.digest)),
        );
    }
    offenders
}

/// A digest's first 12 hex characters, as listings show it.
fn short(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.get(..12).unwrap_or(hex)
}
