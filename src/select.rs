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
//! A selection becomes a removal plan with multi-arch indexes in mind: deleting a tagged index also
//! deletes the child manifests it references, except a child that a kept tag or a kept index of the
//! same repository still references; and a selected manifest that a kept index references is held back,
//! never deleted on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use serde::Serialize;

use crate::inventory::{ChildManifest, Inventory, UnknownRepository};
use crate::media_type::is_index;
use crate::version::{Version, VersionReq, natural_cmp};

/// One value of `-t`/`-x` (an exact tag or a version requirement) or of `-re`/`-xre`.
#[derive(Debug, Clone)]
pub enum TagSelector {
    Exact(String),
    Version(VersionReq),
    /// Matched from the start of the tag, like Python's `re.match` in dregutil.
    Regex {
        pattern: String,
        regex: Regex,
    },
}

/// A selector that could not be read; the message quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

impl TagSelector {
    /// A `-t`/`-x` value: a version requirement when it starts with an operator (or holds `*` or
    /// `,`), an exact tag name otherwise.
    pub fn parse(value: &str) -> Result<Self, SelectorError> {
        if VersionReq::is_requirement(value) {
            value
                .parse()
                .map(Self::Version)
                .map_err(|e| SelectorError(e.to_string()))
        } else if value.is_empty() {
            Err(SelectorError("an empty tag selector".into()))
        } else {
            Ok(Self::Exact(value.to_owned()))
        }
    }

    /// A `-re`/`-xre` value, anchored at the start of the tag (write `$` to anchor the end).
    pub fn regex(pattern: &str) -> Result<Self, SelectorError> {
        Regex::new(&format!("^(?:{pattern})"))
            .map(|regex| Self::Regex {
                pattern: pattern.to_owned(),
                regex,
            })
            .map_err(|e| {
                let reason = e.to_string();
                let reason = reason.lines().last().unwrap_or_default().trim();
                let reason = reason.trim_start_matches("error: ");
                SelectorError(format!("invalid regular expression {pattern:?}: {reason}"))
            })
    }

    pub fn matches(&self, tag: &str) -> bool {
        match self {
            Self::Exact(exact) => exact == tag,
            Self::Version(req) => req.matches(tag),
            Self::Regex { regex, .. } => regex.is_match(tag),
        }
    }
}

impl fmt::Display for TagSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(tag) => f.write_str(tag),
            Self::Version(req) => req.fmt(f),
            Self::Regex { pattern, .. } => write!(f, "regex {pattern}"),
        }
    }
}

fn any_matches(selectors: &[TagSelector], tag: &str) -> bool {
    selectors.iter().any(|s| s.matches(tag))
}

/// Selection by age and by rank: `--older-than`, `--newer-than`, `--keep N` (`--keep-by`). An image
/// without a created time never matches an age filter.
#[derive(Debug, Clone)]
pub struct Retention {
    pub older_than: Option<SignedDuration>,
    pub newer_than: Option<SignedDuration>,
    /// Keep the N newest candidates of each repository.
    pub keep: Option<usize>,
    pub keep_by: KeepBy,
    /// The time ages are measured from.
    pub now: Timestamp,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeepBy {
    /// The image's created time.
    #[default]
    Created,
    /// The highest version among the image's tags.
    Version,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            older_than: None,
            newer_than: None,
            keep: None,
            keep_by: KeepBy::default(),
            now: Timestamp::UNIX_EPOCH,
        }
    }
}

impl Retention {
    pub fn filters_by_age(&self) -> bool {
        self.older_than.is_some() || self.newer_than.is_some()
    }

    /// Whether selecting needs the images' created times.
    pub fn needs_created(&self) -> bool {
        self.filters_by_age() || (self.keep.is_some() && self.keep_by == KeepBy::Created)
    }

    fn age_matches(&self, created: Option<Timestamp>) -> bool {
        if !self.filters_by_age() {
            return true;
        }
        let Some(created) = created else {
            return false;
        };
        let age = self.now.duration_since(created);
        self.older_than.is_none_or(|d| age > d) && self.newer_than.is_none_or(|d| age < d)
    }
}

fn created_of(inventory: &Inventory, digest: &str) -> Option<Timestamp> {
    inventory.manifests.get(digest).and_then(|d| d.created)
}

/// The digests of one repository to keep under `--keep N`: the N newest of `candidates` (digest ->
/// its candidate tags), by created time or by highest version.
fn kept_digests<'a>(
    inventory: &Inventory,
    retention: &Retention,
    candidates: &BTreeMap<&'a str, Vec<&'a str>>,
) -> BTreeSet<&'a str> {
    let Some(keep) = retention.keep else {
        return BTreeSet::new();
    };
    let mut ranked: Vec<&str> = candidates.keys().copied().collect();
    match retention.keep_by {
        KeepBy::Created => ranked.sort_by_key(|d| std::cmp::Reverse(created_of(inventory, d))),
        KeepBy::Version => ranked.sort_by_key(|d| {
            std::cmp::Reverse(candidates[d].iter().filter_map(|t| Version::parse(t)).max())
        }),
    }
    ranked.into_iter().take(keep).collect()
}

/// `query-repos` / `remove-repos`: every digest of whole repositories.
#[derive(Debug, Clone)]
pub struct RepoQuery {
    pub repositories: Vec<String>,
    pub raise_intersecting_repo: bool,
    pub retention: Retention,
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
}

impl TagQuery {
    /// Whether a tag is a candidate: it matches a selector (any tag when only retention options were
    /// given) and the age filters.
    fn is_candidate(&self, inventory: &Inventory, tag: &str, digest: &str) -> bool {
        let named = if self.include.is_empty() {
            true
        } else {
            any_matches(&self.include, tag)
        };
        named && self.retention.age_matches(created_of(inventory, digest))
    }
}

/// What a query or remove command selects: whole repositories, or tags.
#[derive(Debug, Clone)]
pub enum Query {
    Repos(RepoQuery),
    Tags(TagQuery),
}

impl Query {
    pub fn repositories(&self) -> &[String] {
        match self {
            Self::Repos(q) => &q.repositories,
            Self::Tags(q) => &q.repositories,
        }
    }

    pub fn retention(&self) -> &Retention {
        match self {
            Self::Repos(q) => &q.retention,
            Self::Tags(q) => &q.retention,
        }
    }

    pub fn select(&self, inventory: &Inventory) -> Result<Vec<Selected>, SelectError> {
        match self {
            Self::Repos(q) => select_repositories(inventory, q),
            Self::Tags(q) => select_tags(inventory, q),
        }
    }

    /// How many images its age filters passed over for lacking a created time.
    pub fn undated(&self, inventory: &Inventory) -> usize {
        let include = match self {
            Self::Repos(_) => &[][..],
            Self::Tags(q) => &q.include,
        };
        undated(inventory, self.repositories(), include, self.retention())
    }
}

/// One manifest to delete: a digest in one repository, with every tag there that points to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selected {
    pub repository: String,
    pub digest: String,
    pub media_type: Option<String>,
    pub tags: Vec<String>,
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

fn plural(n: usize, one: &str, many: &str) -> String {
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

/// Where each digest is tagged: digest -> repository -> tags (in natural order).
struct DigestIndex<'a> {
    by_digest: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a str>>>,
    media_types: BTreeMap<&'a str, &'a str>,
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
            })
            .collect()
    }

    /// Repositories holding `digest` that are not in `selected`.
    fn outside(&self, digest: &str, selected: &BTreeSet<&str>) -> Vec<String> {
        self.repositories(digest)
            .keys()
            .filter(|repo| !selected.contains(*repo))
            .map(|repo| (*repo).to_owned())
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
            if retention.age_matches(created_of(inventory, &entry.digest)) {
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

/// The digests of the tags matching `include` in the selected repositories, checked in reverse
/// against exclusions, other repositories and (by default) the digests' other tags.
pub fn select_tags(inventory: &Inventory, query: &TagQuery) -> Result<Vec<Selected>, SelectError> {
    let selected = selected_set(inventory, &query.repositories)?;
    let index = DigestIndex::new(inventory);
    let mut candidates = BTreeSet::new();
    // Tags kept by --keep act as exclusions in their repository: a digest they point to stays.
    let mut kept_tags: BTreeSet<(&str, &str)> = BTreeSet::new();
    for repo in &selected {
        let mut in_repo: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (tag, entry) in &inventory.repositories[*repo].tags {
            if query.is_candidate(inventory, tag, &entry.digest) {
                in_repo.entry(&entry.digest).or_default().push(tag);
            }
        }
        for digest in kept_digests(inventory, &query.retention, &in_repo) {
            kept_tags.extend(in_repo[digest].iter().map(|tag| (*repo, *tag)));
        }
        candidates.extend(in_repo.into_keys());
    }
    let is_selected = |repo: &str, tag: &str| {
        let digest = &inventory.repositories[repo].tags[tag].digest;
        query.is_candidate(inventory, tag, digest) && !kept_tags.contains(&(repo, tag))
    };
    let mut outcome = Outcome::default();
    'digests: for digest in candidates {
        let in_selection: Vec<(&str, &Vec<&str>)> = index
            .repositories(digest)
            .iter()
            .filter(|(repo, _)| selected.contains(*repo))
            .map(|(repo, tags)| (*repo, tags))
            .collect();
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
        if query.match_all_tags {
            for (repo, tags) in &in_selection {
                let unselected: Vec<String> = tags
                    .iter()
                    .filter(|t| !is_selected(repo, t))
                    .map(|t| (*t).to_owned())
                    .collect();
                if unselected.is_empty() {
                    continue;
                }
                if query.raise_intersecting_tag {
                    outcome.conflicts.push(SelectError::IntersectingTags {
                        digest: digest.to_owned(),
                        repository: (*repo).to_owned(),
                        tags: unselected,
                        more: 0,
                    });
                }
                continue 'digests;
            }
        }
        outcome.rows.extend(index.rows(digest, &selected));
    }
    outcome.finish()
}

/// A manifest the plan deletes; for an index, the children deleted after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedManifest {
    pub repository: String,
    pub digest: String,
    pub media_type: Option<String>,
    pub tags: Vec<String>,
    pub children: Vec<ChildManifest>,
}

/// A selected manifest that is kept because an index that stays references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBack {
    pub repository: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub referenced_by: String,
}

/// What a removal deletes, in order: every planned manifest, then the children of planned indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub manifests: Vec<PlannedManifest>,
    pub held_back: Vec<HeldBack>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.manifests.is_empty()
    }

    /// Manifests deleted, children included.
    pub fn manifest_count(&self) -> usize {
        self.manifests.iter().map(|m| 1 + m.children.len()).sum()
    }

    pub fn tag_count(&self) -> usize {
        self.manifests.iter().map(|m| m.tags.len()).sum()
    }

    pub fn repositories(&self) -> BTreeSet<&str> {
        self.manifests
            .iter()
            .map(|m| m.repository.as_str())
            .collect()
    }

    /// Every manifest the plan deletes, in the order removal deletes them: each planned manifest, then
    /// (for an index) the children that go with it.
    pub fn deletions(&self) -> Vec<Deletion<'_>> {
        let mut out = Vec::with_capacity(self.manifest_count());
        for m in &self.manifests {
            out.push(Deletion {
                repository: &m.repository,
                digest: &m.digest,
                media_type: m.media_type.as_deref(),
                tags: &m.tags,
                parent: None,
                platform: None,
            });
            for c in &m.children {
                out.push(Deletion {
                    repository: &m.repository,
                    digest: &c.digest,
                    media_type: c.media_type.as_deref(),
                    tags: &[],
                    parent: Some(&m.digest),
                    platform: c.platform.as_deref(),
                });
            }
        }
        out
    }

    /// "3 manifests (4 tags) from 2 repositories"
    pub fn summary(&self) -> String {
        let (m, t, r) = (
            self.manifest_count(),
            self.tag_count(),
            self.repositories().len(),
        );
        format!(
            "{m} {} ({t} {}) from {r} {}",
            plural(m, "manifest", "manifests"),
            plural(t, "tag", "tags"),
            plural(r, "repository", "repositories")
        )
    }
}

/// One manifest a plan deletes: a planned manifest with its tags, or a child of a planned index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deletion<'a> {
    pub repository: &'a str,
    pub digest: &'a str,
    pub media_type: Option<&'a str>,
    pub tags: &'a [String],
    /// For a child: the index it goes with.
    pub parent: Option<&'a str>,
    /// For a child: its platform, as the index names it.
    pub platform: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the manifests referenced by index {digest} in {repository} are not known")]
pub struct UnknownIndex {
    pub repository: String,
    pub digest: String,
}

/// Turns selected rows into a removal plan (see the module header for the rules).
pub fn plan(inventory: &Inventory, selected: Vec<Selected>) -> Result<Plan, UnknownIndex> {
    let mut by_repo: BTreeMap<String, Vec<Selected>> = BTreeMap::new();
    for row in selected {
        by_repo.entry(row.repository.clone()).or_default().push(row);
    }
    let mut plan = Plan::default();
    for (repo, rows) in by_repo {
        plan_repository(inventory, &repo, rows, &mut plan)?;
    }
    Ok(plan)
}

fn plan_repository(
    inventory: &Inventory,
    repo: &str,
    rows: Vec<Selected>,
    plan: &mut Plan,
) -> Result<(), UnknownIndex> {
    let children_of =
        |digest: &str, media_type: Option<&str>| -> Result<&[ChildManifest], UnknownIndex> {
            if !media_type.is_some_and(is_index) {
                return Ok(&[]);
            }
            inventory
                .manifests
                .get(digest)
                .and_then(|d| d.children.as_deref())
                .ok_or_else(|| UnknownIndex {
                    repository: repo.to_owned(),
                    digest: digest.to_owned(),
                })
        };
    let tagged: BTreeMap<&str, Option<&str>> = inventory
        .repositories
        .get(repo)
        .map(|r| {
            r.tags
                .values()
                .map(|e| (e.digest.as_str(), e.media_type.as_deref()))
                .collect()
        })
        .unwrap_or_default();
    let mut planned: BTreeSet<String> = rows.iter().map(|r| r.digest.clone()).collect();
    // Holding a manifest back keeps it, and so its own children: repeat until nothing changes.
    let (kept, kept_refs) = loop {
        let kept: BTreeSet<&str> = tagged
            .keys()
            .copied()
            .filter(|d| !planned.contains(*d))
            .collect();
        let mut kept_refs: BTreeMap<&str, &str> = BTreeMap::new();
        for digest in &kept {
            for child in children_of(digest, tagged[digest])? {
                kept_refs.entry(child.digest.as_str()).or_insert(digest);
            }
        }
        let held: Vec<String> = planned
            .iter()
            .filter(|d| kept_refs.contains_key(d.as_str()))
            .cloned()
            .collect();
        if held.is_empty() {
            break (kept, kept_refs);
        }
        for digest in held {
            planned.remove(&digest);
        }
    };
    let mut listed_children = BTreeSet::new();
    for row in rows {
        if let Some(index) = kept_refs.get(row.digest.as_str()) {
            plan.held_back.push(HeldBack {
                repository: row.repository,
                digest: row.digest,
                tags: row.tags,
                referenced_by: (*index).to_owned(),
            });
            continue;
        }
        let children = children_of(&row.digest, row.media_type.as_deref())?
            .iter()
            .filter(|c| {
                let d = c.digest.as_str();
                !kept.contains(d) && !kept_refs.contains_key(d) && !planned.contains(d)
            })
            .filter(|c| listed_children.insert(c.digest.clone()))
            .cloned()
            .collect();
        plan.manifests.push(PlannedManifest {
            repository: row.repository,
            digest: row.digest,
            media_type: row.media_type,
            tags: row.tags,
            children,
        });
    }
    Ok(())
}

/// How many images an age filter passed over for lacking a created time: distinct (repository,
/// digest) pairs in `repositories` whose tags match `include` (every tag when it is empty).
pub fn undated(
    inventory: &Inventory,
    repositories: &[String],
    include: &[TagSelector],
    retention: &Retention,
) -> usize {
    if !retention.filters_by_age() {
        return 0;
    }
    let mut undated = BTreeSet::new();
    for repo in repositories {
        let Some(repository) = inventory.repositories.get(repo) else {
            continue;
        };
        for (tag, entry) in &repository.tags {
            let named = include.is_empty() || any_matches(include, tag);
            if named && created_of(inventory, &entry.digest).is_none() {
                undated.insert((repo.as_str(), entry.digest.as_str()));
            }
        }
    }
    undated.len()
}

/// What a plan frees once the registry's garbage collector has run, as far as the cache knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reclaim {
    /// Bytes of blobs (layers, configs) and manifests that only planned manifests reference.
    pub bytes: u64,
    /// Manifests, planned or staying, whose details are not in the cache: `bytes` is then an
    /// estimate.
    pub missing_details: usize,
}

/// The blobs referenced only by planned manifests (in their repositories) and by no manifest that
/// stays, in any repository. A manifest is itself a blob; it goes when no repository keeps it.
pub fn reclaimable(inventory: &Inventory, plan: &Plan) -> Reclaim {
    let planned: BTreeSet<(&str, &str)> = plan
        .manifests
        .iter()
        .flat_map(|m| {
            std::iter::once((m.repository.as_str(), m.digest.as_str())).chain(
                m.children
                    .iter()
                    .map(move |c| (m.repository.as_str(), c.digest.as_str())),
            )
        })
        .collect();
    let staying: BTreeSet<(&str, &str)> = inventory
        .repositories
        .keys()
        .flat_map(|repo| {
            inventory
                .repository_manifests(repo)
                .into_iter()
                .map(move |digest| (repo.as_str(), digest))
        })
        .filter(|pair| !planned.contains(pair))
        .collect();
    let mut missing = 0;
    let mut blobs = |pairs: &BTreeSet<(&str, &str)>| -> BTreeMap<String, u64> {
        let digests: BTreeSet<&str> = pairs.iter().map(|(_, d)| *d).collect();
        let mut blobs = BTreeMap::new();
        for digest in digests {
            if !inventory.add_manifest_blobs(digest, &mut blobs) {
                missing += 1;
            }
        }
        blobs
    };
    let freed = blobs(&planned);
    let kept = blobs(&staying);
    let bytes = freed
        .iter()
        .filter(|(digest, _)| !kept.contains_key(*digest))
        .map(|(_, size)| size)
        .sum();
    Reclaim {
        bytes,
        missing_details: missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Repository, TagEntry};
    use crate::registry::RegistryAddress;

    /// An inventory from `(repository, [(tag, digest)])`.
    fn inventory(data: &[(&str, &[(&str, &str)])]) -> Inventory {
        let registry = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let mut inv = Inventory::new(&registry, jiff::Timestamp::UNIX_EPOCH);
        for (repo, tags) in data {
            let mut repository = Repository::default();
            for (tag, digest) in *tags {
                repository.tags.insert(
                    (*tag).to_owned(),
                    TagEntry {
                        digest: (*digest).to_owned(),
                        media_type: None,
                    },
                );
            }
            inv.repositories.insert((*repo).to_owned(), repository);
        }
        inv
    }

    /// dregutil's own test data (test/data.py): repositories a, b, c sharing digests.
    fn dregutil_data() -> Inventory {
        inventory(&[
            (
                "a",
                &[
                    ("1.1.0", "A1"),
                    ("1.2.0", "A2"),
                    ("latest", "A1"),
                    ("testing", "A2"),
                    ("extra", "A2"),
                ],
            ),
            ("b", &[("1.0.0", "BC"), ("latest", "BC")]),
            (
                "c",
                &[
                    ("1.0.0", "BC"),
                    ("1.1.0", "C"),
                    ("latest", "BC"),
                    ("testing", "C"),
                ],
            ),
        ])
    }

    fn repos(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn selectors(values: &[&str]) -> Vec<TagSelector> {
        values
            .iter()
            .map(|v| match v.strip_prefix("re:") {
                Some(re) => TagSelector::regex(re).unwrap(),
                None => TagSelector::parse(v).unwrap(),
            })
            .collect()
    }

    fn tag_query(names: &[&str], include: &[&str], exclude: &[&str]) -> TagQuery {
        TagQuery {
            repositories: repos(names),
            include: selectors(include),
            exclude: selectors(exclude),
            match_all_tags: true,
            raise_intersecting_repo: true,
            raise_intersecting_tag: false,
            retention: Retention::default(),
        }
    }

    fn pairs(rows: &[Selected]) -> Vec<(String, String)> {
        rows.iter()
            .map(|r| (r.repository.clone(), r.digest.clone()))
            .collect()
    }

    fn pair(repo: &str, digest: &str) -> (String, String) {
        (repo.to_owned(), digest.to_owned())
    }

    fn repo_query(names: &[&str], raise: bool) -> RepoQuery {
        RepoQuery {
            repositories: repos(names),
            raise_intersecting_repo: raise,
            retention: Retention::default(),
        }
    }

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

    #[test]
    fn selectors_parse_or_quote_the_bad_value() {
        assert!(matches!(
            TagSelector::parse("latest").unwrap(),
            TagSelector::Exact(_)
        ));
        assert!(matches!(
            TagSelector::parse("<1.4").unwrap(),
            TagSelector::Version(_)
        ));
        let err = TagSelector::parse("<abc").unwrap_err();
        assert!(err.0.contains("\"<abc\""), "{err}");
        let err = TagSelector::regex("1.(4").unwrap_err();
        assert!(
            err.0.starts_with("invalid regular expression \"1.(4\""),
            "{err}"
        );
        assert!(TagSelector::parse("").is_err());
    }

    /// An inventory where `index` digests have the given children.
    fn with_indexes(mut inv: Inventory, indexes: &[(&str, &[&str])]) -> Inventory {
        for (index, children) in indexes {
            for repo in inv.repositories.values_mut() {
                for entry in repo.tags.values_mut() {
                    if entry.digest == *index {
                        entry.media_type = Some(crate::media_type::OCI_INDEX.to_owned());
                    }
                }
            }
            inv.manifests.insert(
                (*index).to_owned(),
                crate::inventory::ManifestDetails {
                    children: Some(
                        children
                            .iter()
                            .map(|c| ChildManifest {
                                digest: (*c).to_owned(),
                                media_type: None,
                                platform: Some("linux/amd64".into()),
                            })
                            .collect(),
                    ),
                    ..Default::default()
                },
            );
        }
        inv
    }

    fn planned(inv: &Inventory, include: &[&str]) -> Plan {
        let rows = select_tags(inv, &tag_query(&["m"], include, &[])).unwrap();
        plan(inv, rows).unwrap()
    }

    fn children(plan: &Plan) -> Vec<(String, Vec<String>)> {
        plan.manifests
            .iter()
            .map(|m| {
                (
                    m.digest.clone(),
                    m.children.iter().map(|c| c.digest.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn an_index_takes_its_children_except_those_a_kept_index_or_tag_references() {
        // I1 (1.0) and I2 (2.0) share child C2; C4 is tagged on its own as "amd64".
        let inv = with_indexes(
            inventory(&[("m", &[("1.0", "I1"), ("2.0", "I2"), ("amd64", "C4")])]),
            &[("I1", &["C1", "C2", "C4"]), ("I2", &["C2", "C3"])],
        );
        let plan1 = planned(&inv, &["1.0"]);
        assert_eq!(children(&plan1), [("I1".to_owned(), vec!["C1".to_owned()])]);
        assert_eq!(plan1.summary(), "2 manifests (1 tag) from 1 repository");
        let both = planned(&inv, &["1.0", "2.0"]);
        assert_eq!(
            children(&both),
            [
                ("I1".to_owned(), vec!["C1".to_owned(), "C2".to_owned()]),
                ("I2".to_owned(), vec!["C3".to_owned()])
            ]
        );
        assert!(both.held_back.is_empty());
    }

    #[test]
    fn a_child_is_never_deleted_on_its_own_while_a_kept_index_references_it() {
        let inv = with_indexes(
            inventory(&[("m", &[("1.0", "I1"), ("amd64", "C1"), ("old", "X")])]),
            &[("I1", &["C1", "C2"])],
        );
        let plan = planned(&inv, &["amd64", "old"]);
        assert_eq!(children(&plan), [("X".to_owned(), vec![])]);
        assert_eq!(plan.held_back.len(), 1);
        assert_eq!(plan.held_back[0].digest, "C1");
        assert_eq!(plan.held_back[0].referenced_by, "I1");
        // Deleting the index with it is fine: C1 goes as a tagged manifest, C2 as a child.
        let plan = planned(&inv, &["amd64", "1.0"]);
        assert!(plan.held_back.is_empty());
        assert_eq!(plan.manifest_count(), 3);
    }

    #[test]
    fn holding_back_an_index_keeps_its_children_too() {
        // J (outer, kept) references I2; I2 is selected but held back, so C2 must stay as well.
        let inv = with_indexes(
            inventory(&[("m", &[("keep", "J"), ("sel", "I2"), ("c2", "C2")])]),
            &[("J", &["I2"]), ("I2", &["C2"])],
        );
        let plan = planned(&inv, &["sel", "c2"]);
        assert!(plan.is_empty(), "{plan:?}");
        assert_eq!(plan.held_back.len(), 2);
    }

    #[test]
    fn an_index_without_known_children_is_an_error() {
        let mut inv = with_indexes(inventory(&[("m", &[("1.0", "I1")])]), &[("I1", &["C1"])]);
        inv.manifests.clear();
        let rows = select_tags(&inv, &tag_query(&["m"], &["1.0"], &[])).unwrap();
        assert!(plan(&inv, rows).is_err());
    }

    /// `app` with tags 1.0 .. 1.4 built 10, 20, 30, 40 and 50 days before `now`, one undated tag,
    /// and `latest` sharing 1.4's digest.
    fn dated() -> (Inventory, Timestamp) {
        let mut inv = inventory(&[(
            "app",
            &[
                ("1.0", "D0"),
                ("1.1", "D1"),
                ("1.2", "D2"),
                ("1.3", "D3"),
                ("1.4", "D4"),
                ("latest", "D4"),
                ("nodate", "DX"),
            ],
        )]);
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        for (i, digest) in ["D4", "D3", "D2", "D1", "D0"].iter().enumerate() {
            inv.manifests.insert(
                (*digest).to_owned(),
                crate::inventory::ManifestDetails {
                    created: Some(now - SignedDuration::from_hours(24 * 10 * (i as i64 + 1))),
                    manifest_bytes: Some(100),
                    ..Default::default()
                },
            );
        }
        (inv, now)
    }

    fn retained(
        inv: &Inventory,
        now: Timestamp,
        include: &[&str],
        retention: Retention,
    ) -> Vec<String> {
        let mut q = tag_query(&["app"], include, &[]);
        q.retention = Retention { now, ..retention };
        select_tags(inv, &q)
            .unwrap()
            .into_iter()
            .flat_map(|r| r.tags)
            .collect()
    }

    #[test]
    fn age_filters_select_by_created_time() {
        let (inv, now) = dated();
        let days = |n: i64| Some(SignedDuration::from_hours(24 * n));
        let older = Retention {
            older_than: days(25),
            ..Default::default()
        };
        assert_eq!(
            retained(&inv, now, &[], older.clone()),
            ["1.0", "1.1", "1.2"]
        );
        assert_eq!(
            retained(&inv, now, &["<1.2"], older),
            ["1.0", "1.1"],
            "a conjunction"
        );
        let newer = Retention {
            newer_than: days(25),
            ..Default::default()
        };
        assert_eq!(retained(&inv, now, &[], newer), ["1.3", "1.4", "latest"]);
        let q = TagQuery {
            retention: Retention {
                older_than: days(1),
                now,
                ..Default::default()
            },
            ..tag_query(&["app"], &[], &[])
        };
        assert_eq!(undated(&inv, &q.repositories, &q.include, &q.retention), 1);
    }

    #[test]
    fn keep_spares_the_newest_candidates() {
        let (inv, now) = dated();
        let keep = |n, by| Retention {
            keep: Some(n),
            keep_by: by,
            ..Default::default()
        };
        // Candidates: everything dated and undated; the 2 newest images (1.4/latest and 1.3) stay.
        assert_eq!(
            retained(&inv, now, &["re:.*"], keep(2, KeepBy::Created)),
            ["1.0", "1.1", "1.2", "nodate"]
        );
        assert_eq!(
            retained(&inv, now, &["re:1"], keep(1, KeepBy::Version)),
            ["1.0", "1.1", "1.2", "1.3"]
        );
        // Older than 25 days, keeping the newest 1 of those: 1.2 stays.
        let both = Retention {
            older_than: Some(SignedDuration::from_hours(24 * 25)),
            keep: Some(1),
            ..Default::default()
        };
        assert_eq!(retained(&inv, now, &[], both), ["1.0", "1.1"]);
    }

    #[test]
    fn repository_queries_filter_digests_by_age_and_keep() {
        let (inv, now) = dated();
        let mut q = repo_query(&["app"], true);
        q.retention = Retention {
            keep: Some(3),
            now,
            ..Default::default()
        };
        let digests: Vec<String> = select_repositories(&inv, &q)
            .unwrap()
            .into_iter()
            .map(|r| r.digest)
            .collect();
        assert_eq!(digests, ["D0", "D1", "DX"]);
    }

    #[test]
    fn reclaimable_counts_blobs_no_staying_manifest_references() {
        let blob = |d: &str, size| crate::inventory::BlobRef {
            digest: d.into(),
            size,
            media_type: None,
        };
        let mut inv = inventory(&[("a", &[("1", "M1"), ("2", "M2")]), ("b", &[("1", "M1")])]);
        for (digest, layers) in [
            ("M1", vec![blob("L1", 1000), blob("S", 50)]),
            ("M2", vec![blob("L2", 2000), blob("S", 50)]),
        ] {
            inv.manifests.insert(
                digest.into(),
                crate::inventory::ManifestDetails {
                    manifest_bytes: Some(10),
                    config: Some(blob(&format!("C{digest}"), 5)),
                    layers,
                    ..Default::default()
                },
            );
        }
        let rows = select_tags(&inv, &tag_query(&["a"], &["2"], &[])).unwrap();
        let reclaim = reclaimable(&inv, &plan(&inv, rows).unwrap());
        // M2's manifest, config and L2 go; the shared layer S stays with M1.
        assert_eq!(
            reclaim,
            Reclaim {
                bytes: 10 + 5 + 2000,
                missing_details: 0
            }
        );
        inv.manifests.remove("M1");
        let rows = select_tags(&inv, &tag_query(&["a"], &["2"], &[])).unwrap();
        let reclaim = reclaimable(&inv, &plan(&inv, rows).unwrap());
        assert_eq!(reclaim.missing_details, 1, "M1 stays but is unknown");
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
