//! What lost its tags or its image: untagged manifests (`query-untagged`, `remove-untagged`) and
//! orphaned attachments (`--orphaned-referrers`). Both are selected from what the inventory knows;
//! the command asks the registry first which of them are still stored (no I/O here).

use std::collections::BTreeSet;

use jiff::Timestamp;

use super::reverse::{Outcome, selected_set};
use super::{SelectError, Selected};
use crate::inventory::{Attachments, Inventory, Untagged};

/// `query-untagged` / `remove-untagged`.
#[derive(Debug, Clone)]
pub struct UntaggedQuery {
    pub repositories: Vec<String>,
    /// Only manifests regsweep saw without a tag before this (`--older-than`).
    pub untagged_before: Option<Timestamp>,
    pub keep_referrers: bool,
}

/// `--orphaned-referrers`.
#[derive(Debug, Clone)]
pub struct OrphanQuery {
    pub repositories: Vec<String>,
}

/// Every manifest of `repo` a tag keeps: the tagged ones and, transitively, their indexes' children.
fn tag_reachable<'a>(inventory: &'a Inventory, repo: &str) -> BTreeSet<&'a str> {
    let mut reachable = BTreeSet::new();
    let mut todo: Vec<&str> = inventory
        .repositories
        .get(repo)
        .into_iter()
        .flat_map(|r| r.tags.values().map(|t| t.digest.as_str()))
        .collect();
    while let Some(digest) = todo.pop() {
        if reachable.insert(digest) {
            todo.extend(inventory.with_children(digest).skip(1));
        }
    }
    reachable
}

/// The untagged manifests of `repo` that nothing needs: not tagged again, not a child of a tagged
/// index, not an attachment.
pub(super) fn unneeded_untagged<'a>(
    inventory: &'a Inventory,
    repo: &str,
) -> Vec<(&'a String, &'a Untagged)> {
    let Some(repository) = inventory.repositories.get(repo) else {
        return Vec::new();
    };
    let reachable = tag_reachable(inventory, repo);
    let attachments = Attachments::of(inventory, repo);
    repository
        .untagged
        .iter()
        .filter(|(d, _)| !reachable.contains(d.as_str()) && attachments.get(d).is_none())
        .collect()
}

/// Untagged manifests of the repositories, stored since before the cutoff, that nothing needs: not
/// tagged again, not a child of a tagged index, not an attachment (a referrer is untagged by nature;
/// an orphaned one is `--orphaned-referrers`' to select).
pub(super) fn select_untagged(
    inventory: &Inventory,
    query: &UntaggedQuery,
) -> Result<Vec<Selected>, SelectError> {
    let selected = selected_set(inventory, &query.repositories)?;
    let mut outcome = Outcome::default();
    for repo in selected {
        for (digest, untagged) in unneeded_untagged(inventory, repo) {
            if query.untagged_before.is_some_and(|t| untagged.since >= t) {
                continue;
            }
            outcome.rows.push(Selected {
                repository: repo.into(),
                digest: digest.as_str().into(),
                media_type: untagged.media_type.clone(),
                tags: Vec::new(),
                untag: false,
            });
        }
    }
    outcome.finish()
}

/// How many untagged manifests nothing needs were passed over for losing their tags after the
/// cutoff (`--older-than`): too young to go.
pub fn too_young(inventory: &Inventory, query: &UntaggedQuery) -> usize {
    let Some(cutoff) = query.untagged_before else {
        return 0;
    };
    query
        .repositories
        .iter()
        .flat_map(|repo| unneeded_untagged(inventory, repo))
        .filter(|(_, untagged)| untagged.since >= cutoff)
        .count()
}

/// Attachments whose subject the repository no longer holds, each with its attachment tags. One
/// that also carries a tag of its own is left: someone uses it as an image.
pub(super) fn select_orphans(
    inventory: &Inventory,
    query: &OrphanQuery,
) -> Result<Vec<Selected>, SelectError> {
    let selected = selected_set(inventory, &query.repositories)?;
    let mut outcome = Outcome::default();
    for repo in selected {
        let known = inventory.repository_manifests(repo);
        let attachments = Attachments::of(inventory, repo);
        for orphan in attachments.orphans(|subject| known.contains(subject)) {
            if !orphan.own_tags.is_empty() {
                continue;
            }
            outcome.rows.push(Selected {
                repository: repo.into(),
                digest: orphan.digest.as_str().into(),
                media_type: orphan.media_type.clone(),
                tags: orphan.tags.clone(),
                untag: false,
            });
        }
    }
    outcome.finish()
}

/// The subjects of `repo`'s attachments that no tag keeps: whether each is still stored (an untagged
/// image keeps its signatures) is for the command to ask the registry before orphans are selected.
pub fn orphan_subjects(inventory: &Inventory, repo: &str) -> Vec<String> {
    let reachable = tag_reachable(inventory, repo);
    let attachments = Attachments::of(inventory, repo);
    attachments
        .subjects()
        .filter(|s| !reachable.contains(s) && attachments.get(s).is_none())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::testing::*;

    fn untagged(inv: &mut Inventory, repo: &str, digest: &str, since: i64) {
        inv.repositories.get_mut(repo).unwrap().untagged.insert(
            digest.into(),
            Untagged {
                since: Timestamp::from_second(since).unwrap(),
                media_type: None,
                tags: vec!["old".into()],
            },
        );
    }

    #[test]
    fn untagged_manifests_a_tag_or_an_index_needs_are_never_selected() {
        let mut inv = with_indexes(
            inventory(&[("m", &[("1.0", "I1"), ("2.0", "X")])]),
            &[("I1", &["C1"])],
        );
        for (digest, since) in [("U1", 100), ("U2", 200), ("C1", 100), ("X", 100)] {
            untagged(&mut inv, "m", digest, since);
        }
        let query = |before: Option<i64>| UntaggedQuery {
            repositories: repos(&["m"]),
            untagged_before: before.map(|s| Timestamp::from_second(s).unwrap()),
            keep_referrers: false,
        };
        let rows = select_untagged(&inv, &query(None)).unwrap();
        assert_eq!(pairs(&rows), [pair("m", "U1"), pair("m", "U2")]);
        let rows = select_untagged(&inv, &query(Some(150))).unwrap();
        assert_eq!(pairs(&rows), [pair("m", "U1")]);
    }
}
