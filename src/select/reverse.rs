//! The reverse digest check: where each digest is tagged, and which (repository, digest) pairs
//! a repository or tag query may select without deleting a tag it did not select (see the room's
//! header for the rules).

use std::collections::{BTreeMap, BTreeSet};

use super::retention::kept_digests;
use super::selector::any_matches;
use super::{RepoQuery, SelectError, Selected, TagQuery, Untag};
use crate::inventory::{Inventory, MediaType};
use crate::version::natural_cmp;

/// Where each digest is tagged: digest -> repository -> tags (in natural order), for the loaded
/// repositories; and, for an inventory loaded in part, every repository tagging a shared digest.
pub(super) struct DigestIndex<'a> {
    pub(super) by_digest: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a str>>>,
    media_types: BTreeMap<&'a str, &'a MediaType>,
    shared: Option<&'a BTreeMap<String, Vec<String>>>,
}

impl<'a> DigestIndex<'a> {
    pub(super) fn new(inventory: &'a Inventory) -> Self {
        let mut by_digest: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
        let mut media_types = BTreeMap::new();
        for (repo, repository) in &inventory.repositories {
            for (tag, entry) in &repository.tags {
                by_digest
                    .entry(&entry.digest)
                    .or_default()
                    .entry(repo)
                    .or_default()
                    .push(tag);
                if let Some(media_type) = &entry.media_type {
                    media_types.insert(entry.digest.as_str(), media_type);
                }
            }
        }
        for repos in by_digest.values_mut() {
            for tags in repos.values_mut() {
                tags.sort_by(|a, b| natural_cmp(a, b));
            }
        }
        Self {
            by_digest,
            media_types,
            shared: inventory.elsewhere.as_ref().map(|e| &e.shared),
        }
    }

    pub(super) fn repositories(&self, digest: &str) -> &BTreeMap<&'a str, Vec<&'a str>> {
        static EMPTY: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        self.by_digest.get(digest).unwrap_or(&EMPTY)
    }

    /// A row for each selected repository in which `digest` is tagged.
    pub(super) fn rows(&self, digest: &str, selected: &BTreeSet<&str>) -> Vec<Selected> {
        self.repositories(digest)
            .iter()
            .filter(|(repo, _)| selected.contains(*repo))
            .map(|(repo, tags)| Selected {
                repository: (*repo).into(),
                digest: digest.into(),
                media_type: self.media_types.get(digest).map(|m| (*m).clone()),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                untag: false,
            })
            .collect()
    }

    /// Rows that untag, in each repository of `in_selection`, the tags of `digest` that `named`
    /// picks.
    pub(super) fn untag_rows(
        &self,
        digest: &str,
        in_selection: &[(&str, &Vec<&str>)],
        named: impl Fn(&str, &str) -> bool,
    ) -> Vec<Selected> {
        in_selection
            .iter()
            .filter_map(|(repo, tags)| {
                let tags: Vec<String> = tags
                    .iter()
                    .filter(|t| named(repo, t))
                    .map(|t| (*t).to_owned())
                    .collect();
                (!tags.is_empty()).then(|| Selected {
                    repository: (*repo).into(),
                    digest: digest.into(),
                    media_type: self.media_types.get(digest).map(|m| (*m).clone()),
                    tags,
                    untag: true,
                })
            })
            .collect()
    }

    /// Repositories tagging `digest` that are not in `selected`, loaded or not.
    pub(super) fn outside(&self, digest: &str, selected: &BTreeSet<&str>) -> Vec<String> {
        let loaded = self.repositories(digest).keys().copied();
        let elsewhere = self
            .shared
            .and_then(|s| s.get(digest))
            .into_iter()
            .flatten()
            .map(String::as_str);
        let all: BTreeSet<&str> = loaded.chain(elsewhere).collect();
        all.into_iter()
            .filter(|repo| !selected.contains(repo))
            .map(str::to_owned)
            .collect()
    }
}

pub(super) fn selected_set<'q>(
    inventory: &Inventory,
    repositories: &'q [String],
) -> Result<BTreeSet<&'q str>, SelectError> {
    inventory.check_repositories(repositories)?;
    Ok(repositories.iter().map(String::as_str).collect())
}

/// Collects rows and conflicts digest by digest; conflicts fail the query as a whole.
#[derive(Default)]
pub(super) struct Outcome {
    pub(super) rows: Vec<Selected>,
    conflicts: Vec<SelectError>,
}

impl Outcome {
    pub(super) fn finish(mut self) -> Result<Vec<Selected>, SelectError> {
        let more = self.conflicts.len().saturating_sub(1);
        if let Some(first) = self.conflicts.into_iter().next() {
            return Err(first.with_more(more));
        }
        self.rows.sort_by(|a, b| {
            a.repository.cmp(&b.repository).then_with(|| {
                let first = |s: &Selected| s.tags.first().cloned().unwrap_or_default();
                natural_cmp(&first(a), &first(b)).then_with(|| a.digest.cmp(&b.digest))
            })
        });
        Ok(self.rows)
    }
}

/// Every digest tagged in the selected repositories, checked against the other repositories.
pub fn select_repositories(
    inventory: &Inventory,
    query: &RepoQuery,
) -> Result<Vec<Selected>, SelectError> {
    let selected = selected_set(inventory, &query.repositories)?;
    let index = DigestIndex::new(inventory);
    let retention = &query.retention;
    let mut candidates = BTreeSet::new();
    let mut kept = BTreeSet::new();
    for repo in &selected {
        let mut in_repo: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (tag, entry) in &inventory.repositories[*repo].tags {
            if retention.matches(inventory, entry) {
                in_repo.entry(&entry.digest).or_default().push(tag);
            }
        }
        kept.extend(kept_digests(inventory, retention, &in_repo));
        candidates.extend(in_repo.into_keys());
    }
    let mut outcome = Outcome::default();
    for digest in candidates.difference(&kept).copied() {
        let outside = index.outside(digest, &selected);
        if outside.is_empty() {
            outcome.rows.extend(index.rows(digest, &selected));
        } else if query.raise_intersecting_repo {
            outcome.conflicts.push(SelectError::IntersectingRepository {
                digest: digest.to_owned(),
                repositories: outside,
                more: 0,
            });
        }
    }
    outcome.finish()
}

/// The digests of the candidate tags of the selected repositories, and the tags `--keep` keeps: they
/// act as exclusions in their repository (a digest they point to stays).
pub(super) fn tag_candidates<'a>(
    inventory: &'a Inventory,
    query: &TagQuery,
    selected: &BTreeSet<&'a str>,
) -> (BTreeSet<&'a str>, BTreeSet<(&'a str, &'a str)>) {
    let mut candidates = BTreeSet::new();
    let mut kept_tags = BTreeSet::new();
    for repo in selected {
        let mut in_repo: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (tag, entry) in &inventory.repositories[*repo].tags {
            if query.is_candidate(inventory, tag, entry) {
                in_repo.entry(&entry.digest).or_default().push(tag);
            }
        }
        for digest in kept_digests(inventory, &query.retention, &in_repo) {
            kept_tags.extend(in_repo[digest].iter().map(|tag| (*repo, *tag)));
        }
        candidates.extend(in_repo.into_keys());
    }
    (candidates, kept_tags)
}

/// The digests of the tags matching `include` in the selected repositories, checked in reverse
/// against exclusions, other repositories and (by default) the digests' other tags.
pub fn select_tags(inventory: &Inventory, query: &TagQuery) -> Result<Vec<Selected>, SelectError> {
    let selected = selected_set(inventory, &query.repositories)?;
    let index = DigestIndex::new(inventory);
    let (candidates, kept_tags) = tag_candidates(inventory, query, &selected);
    let is_selected = |repo: &str, tag: &str| {
        let entry = &inventory.repositories[repo].tags[tag];
        query.is_candidate(inventory, tag, entry) && !kept_tags.contains(&(repo, tag))
    };
    let mut outcome = Outcome::default();
    for digest in candidates {
        let in_selection: Vec<(&str, &Vec<&str>)> = index
            .repositories(digest)
            .iter()
            .filter(|(repo, _)| selected.contains(*repo))
            .map(|(repo, tags)| (*repo, tags))
            .collect();
        if query.untag == Untag::Only {
            // Untagging removes nothing but the tags named: no reverse check is needed.
            let named =
                |repo: &str, tag: &str| is_selected(repo, tag) && !any_matches(&query.exclude, tag);
            outcome
                .rows
                .extend(index.untag_rows(digest, &in_selection, named));
            continue;
        }
        let excluded = in_selection.iter().any(|(repo, tags)| {
            tags.iter()
                .any(|t| any_matches(&query.exclude, t) || kept_tags.contains(&(*repo, *t)))
        });
        if excluded {
            continue;
        }
        let outside = index.outside(digest, &selected);
        if !outside.is_empty() {
            if query.raise_intersecting_repo {
                outcome.conflicts.push(SelectError::IntersectingRepository {
                    digest: digest.to_owned(),
                    repositories: outside,
                    more: 0,
                });
            }
            continue;
        }
        let unselected = in_selection.iter().find_map(|(repo, tags)| {
            let unselected: Vec<String> = tags
                .iter()
                .filter(|t| !is_selected(repo, t))
                .map(|t| (*t).to_owned())
                .collect();
            (!unselected.is_empty()).then_some((*repo, unselected))
        });
        if let Some((repo, tags)) = unselected.filter(|_| query.match_all_tags) {
            if query.untag == Untag::Partial {
                let rows = index.untag_rows(digest, &in_selection, is_selected);
                outcome.rows.extend(rows);
            } else if query.raise_intersecting_tag {
                outcome.conflicts.push(SelectError::IntersectingTags {
                    digest: digest.to_owned(),
                    repository: repo.to_owned(),
                    tags,
                    more: 0,
                });
            }
            continue;
        }
        outcome.rows.extend(index.rows(digest, &selected));
    }
    outcome.finish()
}
