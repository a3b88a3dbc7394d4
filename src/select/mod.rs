//! Selection: which (repository, digest) pairs a query selects, with dregutil's reverse
//! digest-intersection check (no I/O).
//!
//! Deleting a manifest by digest removes every tag of that repository pointing to it, so a digest is
//! selected only when deleting it removes nothing the user did not select:
//! - a digest that is also tagged in a repository outside the selection is an error
//!   (`IntersectingRepository`), or is left out with `--no-raise-intersecting-repo`;
//! - for tag queries, by default every tag of the digest in every selected repository must itself be
//!   selected; otherwise the digest is left out, or with `--raise-intersecting-tag` it is an error;
//! - a digest any of whose tags in a selected repository matches an exclusion is left out, silently
//!   (nothing would be deleted, so there is nothing to warn about);
//! - a digest tagged in several selected repositories gives a row for each: removal deletes it in each.
//!
//! The rooms: `selector` (what -t/-x/-re/-xre mean), `retention` (ages and --keep), `plan` (a
//! selection as a removal plan, multi-arch indexes in mind), `reclaim` (what space a plan frees and
//! what each repository stores), `newer` (the newest version of a tag's family). All pure: no I/O
//! anywhere below `select/`.

mod left_out;
mod newer;
mod plan;
mod reclaim;
mod retention;
mod selector;
#[cfg(test)]
pub(crate) mod testing;
mod unmatched;
mod untagged;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use left_out::{LeftOut, left_out};
pub use newer::{Freshness, newest};
#[cfg(test)]
pub use plan::HeldBack;
pub use plan::{Deletion, Plan, plan};
pub use reclaim::{
    Reclaim, RepositoryUsage, TagSize, Usage, plan_blobs, reclaimable, reclaimable_by_repository,
    registry_figures, stored_blobs, usage,
};
pub use retention::{KeepBy, Retention, parse_age, undated};
pub use selector::{SelectorError, TagSelector};
pub use unmatched::{Unmatched, repositories_in_words, suggest, unmatched};
pub use untagged::{OrphanQuery, UntaggedQuery, orphan_subjects};

use crate::inventory::{Inventory, TagEntry, UnknownRepository, is_attachment_tag};
use crate::version::natural_cmp;
use retention::kept_digests;
use selector::any_matches;

/// `query-repos` / `remove-repos`: every digest of whole repositories.
#[derive(Debug, Clone)]
pub struct RepoQuery {
    pub repositories: Vec<String>,
    pub raise_intersecting_repo: bool,
    pub retention: Retention,
    /// Leave the signatures, SBOMs and attestations of removed images (`--keep-referrers`).
    pub keep_referrers: bool,
}

/// Whether tags are removed without their manifests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Untag {
    /// Delete manifests; a digest that also carries unselected tags is left out.
    #[default]
    Never,
    /// Remove the selected tags, never a manifest (`--untag-only`).
    Only,
    /// Delete manifests whose every tag is selected; where a digest also carries unselected tags,
    /// remove just the selected ones (`--untag-partial`).
    Partial,
}

/// `query-tags` / `remove-tags`: digests of the tags matching `include`, checked in reverse.
#[derive(Debug, Clone)]
pub struct TagQuery {
    pub repositories: Vec<String>,
    pub include: Vec<TagSelector>,
    pub exclude: Vec<TagSelector>,
    pub match_all_tags: bool,
    pub raise_intersecting_repo: bool,
    pub raise_intersecting_tag: bool,
    pub retention: Retention,
    pub keep_referrers: bool,
    pub untag: Untag,
}

impl TagQuery {
    /// Whether a tag is a candidate: it matches a selector (any tag when only retention options were
    /// given) and the age filters. A signature's or SBOM's tag never is: attachments go with their
    /// image (or, orphaned, with `--orphaned-referrers`).
    fn is_candidate(&self, inventory: &Inventory, tag: &str, entry: &TagEntry) -> bool {
        if is_attachment_tag(tag) {
            return false;
        }
        let named = if self.include.is_empty() {
            true
        } else {
            any_matches(&self.include, tag)
        };
        named && self.retention.matches(inventory, entry)
    }
}

/// What a query or remove command selects: whole repositories, or tags.
#[derive(Debug, Clone)]
pub enum Query {
    Repos(RepoQuery),
    Tags(TagQuery),
    /// Attachments whose image is gone (`--orphaned-referrers`).
    Orphans(OrphanQuery),
    /// Manifests that lost their tags (`query-untagged`, `remove-untagged`).
    Untagged(UntaggedQuery),
}

/// No age or rank filter: what orphan and untagged queries select by.
const NO_RETENTION: Retention = Retention {
    older_than: None,
    newer_than: None,
    keep: None,
    keep_by: KeepBy::Created,
    tagged_before: None,
    not_pulled_for: None,
    now: jiff::Timestamp::UNIX_EPOCH,
};

impl Query {
    pub fn repositories(&self) -> &[String] {
        match self {
            Self::Repos(q) => &q.repositories,
            Self::Tags(q) => &q.repositories,
            Self::Orphans(q) => &q.repositories,
            Self::Untagged(q) => &q.repositories,
        }
    }

    /// The repositories to select in, for a query that may name none (all of them).
    pub fn set_repositories(&mut self, names: Vec<String>) {
        match self {
            Self::Repos(q) => q.repositories = names,
            Self::Tags(q) => q.repositories = names,
            Self::Orphans(q) => q.repositories = names,
            Self::Untagged(q) => q.repositories = names,
        }
    }

    pub fn retention(&self) -> &Retention {
        match self {
            Self::Repos(q) => &q.retention,
            Self::Tags(q) => &q.retention,
            Self::Orphans(_) | Self::Untagged(_) => &NO_RETENTION,
        }
    }

    /// Whether a removal plan takes the removed images' attachments along.
    pub fn with_attachments(&self) -> bool {
        match self {
            Self::Repos(q) => !q.keep_referrers,
            Self::Tags(q) => !q.keep_referrers,
            Self::Orphans(_) => true,
            Self::Untagged(q) => !q.keep_referrers,
        }
    }

    pub fn select(&self, inventory: &Inventory) -> Result<Vec<Selected>, SelectError> {
        match self {
            Self::Repos(q) => select_repositories(inventory, q),
            Self::Tags(q) => select_tags(inventory, q),
            Self::Orphans(q) => untagged::select_orphans(inventory, q),
            Self::Untagged(q) => untagged::select_untagged(inventory, q),
        }
    }

    /// The selection as a removal plan.
    pub fn plan(&self, inventory: &Inventory) -> anyhow::Result<Plan> {
        Ok(plan(
            inventory,
            self.select(inventory)?,
            self.with_attachments(),
        )?)
    }

    /// How many untagged manifests it passed over for being untagged too recently.
    pub fn too_young(&self, inventory: &Inventory) -> usize {
        match self {
            Self::Untagged(q) => untagged::too_young(inventory, q),
            _ => 0,
        }
    }

    /// How many images its age filters passed over for lacking a created time.
    pub fn undated(&self, inventory: &Inventory) -> usize {
        let include = match self {
            Self::Tags(q) => &q.include,
            _ => &[][..],
        };
        undated(inventory, self.repositories(), include, self.retention())
    }
}

/// One manifest to delete: a digest in one repository, with every tag there that points to it; or,
/// with `untag`, the tags to remove from it while it stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selected {
    pub repository: String,
    pub digest: String,
    pub media_type: Option<String>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub untag: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error(transparent)]
    UnknownRepository(#[from] UnknownRepository),

    #[error(
        "digest {digest} is also tagged in {} outside the selection: {}{}",
        plural(repositories.len(), "repository", "repositories"),
        repositories.join(", "),
        more_digests(*more)
    )]
    IntersectingRepository {
        digest: String,
        repositories: Vec<String>,
        /// How many more digests conflict the same way.
        more: usize,
    },

    #[error(
        "digest {digest} in {repository} also carries {} that {} not selected: {}{}",
        plural(tags.len(), "tag", "tags"),
        if tags.len() == 1 { "was" } else { "were" },
        tags.join(", "),
        more_digests(*more)
    )]
    IntersectingTags {
        digest: String,
        repository: String,
        tags: Vec<String>,
        more: usize,
    },
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_owned()
    } else {
        many.to_owned()
    }
}

fn more_digests(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more digest)".to_owned(),
        n => format!(" (and {n} more digests)"),
    }
}

impl SelectError {
    fn with_more(mut self, n: usize) -> Self {
        match &mut self {
            Self::IntersectingRepository { more, .. } | Self::IntersectingTags { more, .. } => {
                *more = n;
            }
            Self::UnknownRepository(_) => {}
        }
        self
    }
}

/// Where each digest is tagged: digest -> repository -> tags (in natural order), for the loaded
/// repositories; and, for an inventory loaded in part, every repository tagging a shared digest.
struct DigestIndex<'a> {
    by_digest: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a str>>>,
    media_types: BTreeMap<&'a str, &'a str>,
    shared: Option<&'a BTreeMap<String, Vec<String>>>,
}

impl<'a> DigestIndex<'a> {
    fn new(inventory: &'a Inventory) -> Self {
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
                    media_types.insert(entry.digest.as_str(), media_type.as_str());
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

    fn repositories(&self, digest: &str) -> &BTreeMap<&'a str, Vec<&'a str>> {
        static EMPTY: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        self.by_digest.get(digest).unwrap_or(&EMPTY)
    }

    /// A row for each selected repository in which `digest` is tagged.
    fn rows(&self, digest: &str, selected: &BTreeSet<&str>) -> Vec<Selected> {
        self.repositories(digest)
            .iter()
            .filter(|(repo, _)| selected.contains(*repo))
            .map(|(repo, tags)| Selected {
                repository: (*repo).to_owned(),
                digest: digest.to_owned(),
                media_type: self.media_types.get(digest).map(|m| (*m).to_owned()),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                untag: false,
            })
            .collect()
    }

    /// Rows that untag, in each repository of `in_selection`, the tags of `digest` that `named`
    /// picks.
    fn untag_rows(
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
                    repository: (*repo).to_owned(),
                    digest: digest.to_owned(),
                    media_type: self.media_types.get(digest).map(|m| (*m).to_owned()),
                    tags,
                    untag: true,
                })
            })
            .collect()
    }

    /// Repositories tagging `digest` that are not in `selected`, loaded or not.
    fn outside(&self, digest: &str, selected: &BTreeSet<&str>) -> Vec<String> {
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

fn selected_set<'q>(
    inventory: &Inventory,
    repositories: &'q [String],
) -> Result<BTreeSet<&'q str>, SelectError> {
    inventory.check_repositories(repositories)?;
    Ok(repositories.iter().map(String::as_str).collect())
}

/// Collects rows and conflicts digest by digest; conflicts fail the query as a whole.
#[derive(Default)]
struct Outcome {
    rows: Vec<Selected>,
    conflicts: Vec<SelectError>,
}

impl Outcome {
    fn finish(mut self) -> Result<Vec<Selected>, SelectError> {
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
fn tag_candidates<'a>(
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

#[cfg(test)]
mod tests {
    use super::*;
    use testing::*;

    #[test]
    fn dregutil_independent_repo_selection() {
        let rows = select_repositories(&dregutil_data(), &repo_query(&["a"], true)).unwrap();
        assert_eq!(pairs(&rows), [pair("a", "A1"), pair("a", "A2")]);
        assert_eq!(rows[0].tags, ["1.1.0", "latest"]);
        assert_eq!(rows[1].tags, ["1.2.0", "extra", "testing"]);
    }

    #[test]
    fn dregutil_intersecting_repo_selection() {
        let inv = dregutil_data();
        let rows = select_repositories(&inv, &repo_query(&["b", "c"], true)).unwrap();
        // dregutil lists BC once; regsweep lists it in both repositories, where removal deletes it.
        assert_eq!(
            pairs(&rows),
            [pair("b", "BC"), pair("c", "BC"), pair("c", "C")]
        );
        assert!(
            select_repositories(&inv, &repo_query(&["b"], false))
                .unwrap()
                .is_empty()
        );
        let rows = select_repositories(&inv, &repo_query(&["c"], false)).unwrap();
        assert_eq!(pairs(&rows), [pair("c", "C")]);
        let err = select_repositories(&inv, &repo_query(&["b"], true)).unwrap_err();
        assert_eq!(
            err,
            SelectError::IntersectingRepository {
                digest: "BC".into(),
                repositories: repos(&["c"]),
                more: 0
            }
        );
        let err = select_repositories(&inv, &repo_query(&["c"], true)).unwrap_err();
        assert!(
            matches!(err, SelectError::IntersectingRepository { ref repositories, .. }
            if *repositories == repos(&["b"]))
        );
    }

    #[test]
    fn dregutil_independent_tag_selection() {
        let inv = dregutil_data();
        let q = tag_query(&["a"], &["<1.2.0", "latest"], &[]);
        assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("a", "A1")]);
        let q = tag_query(&["a"], &["re:.*"], &[]);
        assert_eq!(
            pairs(&select_tags(&inv, &q).unwrap()),
            [pair("a", "A1"), pair("a", "A2")]
        );
        let q = tag_query(&["c"], &[">=1.1.0", "testing"], &[]);
        assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("c", "C")]);
    }

    #[test]
    fn dregutil_intersecting_tag_selection() {
        let inv = dregutil_data();
        let q = tag_query(&["a"], &["<=1.2.0", "latest"], &[]);
        assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("a", "A1")]);
        let q = tag_query(&["b", "c"], &["re:.*"], &[]);
        assert_eq!(
            pairs(&select_tags(&inv, &q).unwrap()),
            [pair("b", "BC"), pair("c", "BC"), pair("c", "C")]
        );
        let q = tag_query(&["b", "c"], &["1.0.0", "latest"], &[]);
        assert_eq!(
            pairs(&select_tags(&inv, &q).unwrap()),
            [pair("b", "BC"), pair("c", "BC")]
        );
        let mut q = tag_query(&["c"], &["re:.*"], &[]);
        q.raise_intersecting_repo = false;
        assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("c", "C")]);
        let err = select_tags(&inv, &tag_query(&["b"], &["re:.*"], &[])).unwrap_err();
        assert!(
            matches!(err, SelectError::IntersectingRepository { ref digest, ref repositories, .. }
            if digest == "BC" && *repositories == repos(&["c"]))
        );
        let err = select_tags(&inv, &tag_query(&["c"], &["re:.*"], &[])).unwrap_err();
        assert!(
            matches!(err, SelectError::IntersectingRepository { ref repositories, .. }
            if *repositories == repos(&["b"]))
        );
        let mut q = tag_query(&["b", "c"], &["==1.0.0"], &[]);
        q.raise_intersecting_tag = true;
        let err = select_tags(&inv, &q).unwrap_err();
        assert_eq!(
            err,
            SelectError::IntersectingTags {
                digest: "BC".into(),
                repository: "b".into(),
                tags: repos(&["latest"]),
                more: 0
            }
        );
    }

    #[test]
    fn dregutil_tag_selection_with_exclusion() {
        let inv = dregutil_data();
        let q = tag_query(&["a"], &["re:.*"], &["latest"]);
        assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("a", "A2")]);
        let q = tag_query(&["b", "c"], &["re:.*"], &["testing"]);
        assert_eq!(
            pairs(&select_tags(&inv, &q).unwrap()),
            [pair("b", "BC"), pair("c", "BC")]
        );
    }

    #[test]
    fn no_match_all_tags_takes_unselected_tags_but_not_excluded_ones() {
        let inv = dregutil_data();
        let mut q = tag_query(&["a"], &["1.2.0"], &[]);
        assert!(select_tags(&inv, &q).unwrap().is_empty());
        q.match_all_tags = false;
        let rows = select_tags(&inv, &q).unwrap();
        assert_eq!(pairs(&rows), [pair("a", "A2")]);
        assert_eq!(rows[0].tags, ["1.2.0", "extra", "testing"]);
        q.exclude = selectors(&["re:ext"]);
        assert!(select_tags(&inv, &q).unwrap().is_empty());
    }

    #[test]
    fn exclusions_never_raise() {
        let inv = dregutil_data();
        let mut q = tag_query(&["b"], &["1.0.0"], &["latest"]);
        q.raise_intersecting_tag = true;
        assert!(
            select_tags(&inv, &q).unwrap().is_empty(),
            "BC is excluded by b:latest"
        );
    }

    #[test]
    fn a_selected_repository_without_matches_still_guards_its_tags() {
        // BC is tagged in b and c; only c's tags match. b's tags were not selected.
        let inv = dregutil_data();
        let q = tag_query(&["b", "c"], &["re:1\\.0"], &[]);
        assert!(select_tags(&inv, &q).unwrap().is_empty());
        let mut q = q;
        q.raise_intersecting_tag = true;
        let err = select_tags(&inv, &q).unwrap_err();
        assert!(
            matches!(err, SelectError::IntersectingTags { ref repository, .. } if repository == "b")
        );
    }

    #[test]
    fn every_conflict_is_counted() {
        let inv = inventory(&[
            ("x", &[("1", "D1"), ("2", "D2"), ("3", "D3")]),
            ("y", &[("1", "D1"), ("2", "D2"), ("3", "D3")]),
        ]);
        let err = select_repositories(&inv, &repo_query(&["x"], true)).unwrap_err();
        assert!(matches!(
            err,
            SelectError::IntersectingRepository { more: 2, .. }
        ));
        assert!(err.to_string().ends_with("(and 2 more digests)"), "{err}");
    }

    #[test]
    fn unknown_repositories_are_reported() {
        let err = select_tags(&dregutil_data(), &tag_query(&["a", "zz"], &["1"], &[])).unwrap_err();
        assert!(matches!(err, SelectError::UnknownRepository(ref unknown) if unknown.name == "zz"));
    }

    #[test]
    fn examples_from_the_issue() {
        let inv = inventory(&[(
            "app",
            &[
                ("1.3-alpine", "D1"),
                ("v1.3.9", "D2"),
                ("1.4", "D3"),
                ("1.4.0", "D3"),
                ("1.4-alpine", "D4"),
                ("1.4.0-rc1", "D5"),
                ("latest", "D6"),
                ("dev-abc", "D7"),
            ],
        )]);
        let tags = |include: &[&str], exclude: &[&str]| -> Vec<String> {
            select_tags(&inv, &tag_query(&["app"], include, exclude))
                .unwrap()
                .into_iter()
                .flat_map(|r| r.tags)
                .collect()
        };
        assert_eq!(tags(&["<1.4"], &[]), ["1.3-alpine", "v1.3.9"]);
        assert_eq!(tags(&["==1.4"], &[]), ["1.4", "1.4.0"]);
        assert_eq!(
            tags(&["re:1\\.4"], &[]),
            ["1.4", "1.4.0", "1.4-alpine", "1.4.0-rc1"]
        );
        assert_eq!(
            tags(&["re:1\\.4$"], &[]),
            Vec::<String>::new(),
            "1.4 shares D3 with 1.4.0"
        );
        assert_eq!(tags(&["re:1\\.4(\\.0)?$"], &[]), ["1.4", "1.4.0"]);
        assert_eq!(
            tags(&["re:alpine"], &[]),
            Vec::<String>::new(),
            "matched from the start"
        );
        assert_eq!(tags(&["re:.*alpine"], &[]), ["1.3-alpine", "1.4-alpine"]);
        assert_eq!(tags(&["1.4.*"], &["re:.*-"]), ["1.4", "1.4.0"]);
        assert_eq!(tags(&[">=1.3,<1.4"], &["v1.3.9"]), ["1.3-alpine"]);
        assert_eq!(tags(&["latest", "dev-abc"], &[]), ["dev-abc", "latest"]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const REPOS: [&str; 4] = ["a", "b", "c", "d"];
        const TAGS: [&str; 8] = [
            "1.0",
            "1.1",
            "1.2",
            "2.0",
            "latest",
            "dev",
            "v1.3",
            "1.4-alpine",
        ];
        const SELECTORS: [&str; 9] = [
            "<1.2",
            ">=1.1",
            "latest",
            "^1",
            "1.*",
            "re:d",
            "re:1\\.",
            "2.0",
            "re:.*-alpine$",
        ];

        fn arb_inventory() -> impl Strategy<Value = Inventory> {
            proptest::collection::vec(
                proptest::collection::btree_map(0..TAGS.len(), 0..5usize, 0..6),
                REPOS.len(),
            )
            .prop_map(|repos| {
                let data: Vec<(&str, Vec<(&str, String)>)> = repos
                    .iter()
                    .enumerate()
                    .map(|(r, tags)| {
                        let tags = tags
                            .iter()
                            .map(|(t, d)| (TAGS[*t], format!("D{d}")))
                            .collect();
                        (REPOS[r], tags)
                    })
                    .collect();
                let borrowed: Vec<(&str, Vec<(&str, &str)>)> = data
                    .iter()
                    .map(|(r, tags)| (*r, tags.iter().map(|(t, d)| (*t, d.as_str())).collect()))
                    .collect();
                let slices: Vec<(&str, &[(&str, &str)])> =
                    borrowed.iter().map(|(r, t)| (*r, t.as_slice())).collect();
                inventory(&slices)
            })
        }

        fn arb_subset(
            pool: &'static [&'static str],
            min: usize,
        ) -> impl Strategy<Value = Vec<&'static str>> {
            proptest::sample::subsequence(pool, min..=pool.len())
        }

        proptest! {
            /// With the default options, every selected digest carries only selected, unexcluded tags,
            /// in every repository where it is tagged, and is deleted in each of them.
            #[test]
            fn default_selection_never_takes_an_unselected_tag(
                inv in arb_inventory(),
                names in arb_subset(&REPOS, 1),
                include in arb_subset(&SELECTORS, 1),
                exclude in arb_subset(&SELECTORS, 0),
                raise_repo in any::<bool>(),
            ) {
                let mut query = tag_query(&names, &include, &exclude);
                query.raise_intersecting_repo = raise_repo;
                let Ok(rows) = select_tags(&inv, &query) else {
                    prop_assert!(raise_repo, "only the repository check may fail here");
                    return Ok(());
                };
                let index = DigestIndex::new(&inv);
                for row in &rows {
                    prop_assert!(names.contains(&row.repository.as_str()));
                    for (repo, tags) in index.repositories(&row.digest) {
                        prop_assert!(names.contains(repo), "{} also in {repo}", row.digest);
                        for tag in tags {
                            prop_assert!(any_matches(&query.include, tag), "{tag} not selected");
                            prop_assert!(!any_matches(&query.exclude, tag), "{tag} excluded");
                        }
                        prop_assert!(rows.iter().any(|r| r.repository == *repo && r.digest == row.digest));
                    }
                }
            }

            /// And nothing that passes every check is missed.
            #[test]
            fn default_selection_takes_every_safe_digest(
                inv in arb_inventory(),
                names in arb_subset(&REPOS, 1),
                include in arb_subset(&SELECTORS, 1),
                exclude in arb_subset(&SELECTORS, 0),
            ) {
                let mut query = tag_query(&names, &include, &exclude);
                query.raise_intersecting_repo = false;
                let rows = select_tags(&inv, &query).unwrap();
                let index = DigestIndex::new(&inv);
                for (digest, repos) in &index.by_digest {
                    let candidate = repos.iter().any(|(repo, tags)| {
                        names.contains(repo) && tags.iter().any(|t| any_matches(&query.include, t))
                    });
                    let safe = repos.iter().all(|(repo, tags)| {
                        names.contains(repo)
                            && tags.iter().all(|t| any_matches(&query.include, t) && !any_matches(&query.exclude, t))
                    });
                    let taken = rows.iter().any(|r| r.digest == *digest);
                    prop_assert_eq!(taken, candidate && safe, "{}", digest);
                }
            }

            /// Whole-repository selection takes exactly the digests held only by selected repositories.
            #[test]
            fn repository_selection_is_exact(inv in arb_inventory(), names in arb_subset(&REPOS, 1)) {
                let rows = select_repositories(&inv, &repo_query(&names, false)).unwrap();
                let index = DigestIndex::new(&inv);
                for (digest, repos) in &index.by_digest {
                    let in_selection = repos.keys().filter(|r| names.contains(r)).count();
                    let expected = if repos.keys().all(|r| names.contains(r)) { in_selection } else { 0 };
                    let taken = rows.iter().filter(|r| r.digest == *digest).count();
                    prop_assert_eq!(taken, expected, "{}", digest);
                }
            }
        }
    }
}
