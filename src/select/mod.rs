//! Selection: which (repository, digest) pairs a query selects, with dregutil's reverse
//! digest-intersection check (no I/O).
//!
//! Deleting a manifest by digest removes every tag of that repository pointing to it, so a digest is
//! selected only when deleting it removes nothing the user did not select:
//! - a digest that is also tagged in a repository outside the selection is an error
//!   (`IntersectingRepository`), or is left out with `--no-raise-intersecting-repo`;
//! - for tag queries, by default every tag of the digest in every selected repository must itself be
//!   selected; otherwise the digest is left out, or with `--raise-intersecting-tag` it is an error;
//! - a digest any of whose tags in a selected repository matches an exclusion is left out (an
//!   exclusion that matches no tag at all is named by `unmatched`);
//! - a digest tagged in several selected repositories gives a row for each: removal deletes it in each.
//!
//! The rooms: `reverse` (the check itself), `selector` (what -t/-x/-re/-xre mean), `unmatched`
//! (values that match no tag), `left_out` (why a named digest was not selected), `untagged`
//! (untagged manifests and orphaned attachments), `retention` (ages and --keep), `plan` (a
//! selection as a removal plan, multi-arch indexes in mind), `reclaim` (what space a plan frees and
//! what each repository stores; its walks split across cores by `split`), `newer` (the newest
//! version of a tag's family). All pure: no I/O anywhere below `select/`.

mod left_out;
mod newer;
mod plan;
mod reclaim;
mod retention;
mod reverse;
mod selector;
mod split;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod unmatched;
mod untagged;
mod usage;

use serde::Serialize;

pub use left_out::{LeftOut, left_out};
pub use newer::{Freshness, Newest, newest, newest_in};
#[cfg(test)]
pub use plan::HeldBack;
pub use plan::{Deletion, Plan, plan};
pub use reclaim::{Reclaim, plan_blobs, reclaimable, reclaimable_with_repositories, stored_blobs};
pub use retention::{KeepBy, Retention, parse_age, undated};
pub use reverse::{select_repositories, select_tags};
pub use selector::{SelectorError, TagSelector};
pub use unmatched::{Unmatched, repositories_in_words, suggest, unmatched};
pub use untagged::{OrphanQuery, UntaggedQuery, orphan_subjects};
pub use usage::{BlobTally, RepositoryUsage, TagSize, Usage, registry_figures, usage};

use crate::inventory::{
    Digest, Inventory, MediaType, RepositoryName, TagEntry, UnknownRepository, is_attachment_tag,
};
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selected {
    pub repository: RepositoryName,
    pub digest: Digest,
    pub media_type: Option<MediaType>,
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
