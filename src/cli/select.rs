//! What the query and remove commands select, and how a removal is agreed to.

use clap::{Args, ValueEnum};

use super::MAX_KEEP;

pub(super) const TAG_SELECTION_HELP: &str = "\
Selectors (-t, -x): a plain value is an exact tag. A value starting with an operator is a version
comparison: <V, <=V, >V, >=V, ==V; also ^1.2 (>=1.2,<2), ~1.2 (>=1.2,<1.3), 1.4.* (>=1.4,<1.5), * (any
version), and comma-joined conjunctions such as '>=1.2,<2'. Quote them in the shell.

Versions: a tag is a version when it is an optional v, numbers separated by dots, and an optional
suffix (2.0, v1.3.9, 1.3-alpine, 1.0.0-rc1). Numbers compare first, missing ones counting as 0
(1.4 == 1.4.0); with equal numbers a tag without a suffix comes first, so '<1.4' selects 1.3-alpine and
v1.3.9 but not 1.4-alpine or 1.4.0-rc1, and '==1.4' matches 1.4 and 1.4.0 only. Tags that are not
versions (latest, dev-abc) never match a comparison.

Regular expressions (-re, -xre) match from the start of the tag, as dregutil's did; write $ to anchor
the end ('1\\.4$'). They use Rust's regex syntax (no look-around or back-references).

The reverse check: deleting a digest removes every tag pointing to it, so a digest is selected only if
  - it is not tagged in a repository outside -r (otherwise exit code 7, or left out with
    --no-raise-intersecting-repo),
  - every tag pointing to it in the selected repositories is selected (otherwise it is left out, or
    exit code 7 with --raise-intersecting-tag; --no-match-all-tags drops this rule),
  - none of those tags matches -x or -xre (otherwise it is left out).
A digest tagged in several selected repositories is listed, and removed, in each.

--format template fields: repository, digest, media_type, tags.

Examples:
  regsweep -reg registry.example.com query-tags -r app -t '<1.4'
  regsweep -reg registry.example.com query-tags -r app worker -t '>=1.2,<2' latest -x v1.3.9
  regsweep -reg registry.example.com query-tags -r app -re 'feature-' -xre '.*-keep$' --count";

/// `-r REPO...`, as dregutil's query and remove commands take it.
#[derive(Debug, Args)]
pub struct RepoSelectionArgs {
    /// Repositories to select.
    ///
    /// One or more; `-r` may also be repeated.
    ///
    /// Example: `-r app worker`.
    #[arg(short = 'r', long = "repo", required = true, num_args = 1.., value_name = "REPO")]
    pub repo: Vec<String>,

    #[command(flatten)]
    pub retention: RetentionArgs,

    #[command(flatten)]
    pub referrers: ReferrerArgs,
}

/// What a removal does with signatures, SBOMs and attestations.
#[derive(Debug, Args)]
#[command(next_help_heading = "Referrers")]
pub struct ReferrerArgs {
    /// Leave removed images' signatures and SBOMs.
    ///
    /// Leave the signatures, SBOMs and attestations of removed images in the registry; by default
    /// they go with their image (after it).
    ///
    /// Example: `remove-tags -r app -t '<1.4' --keep-referrers`.
    #[arg(long, conflicts_with = "orphaned_referrers")]
    pub keep_referrers: bool,

    /// Select signatures and SBOMs of gone images.
    ///
    /// Select instead the signatures, SBOMs and attestations whose image is no longer stored
    /// (cosign's `sha256-<hex>.sig` tags, OCI 1.1 referrers); takes no tag selectors or ages.
    ///
    /// Example: `remove-repos -r app --orphaned-referrers`.
    #[arg(long)]
    pub orphaned_referrers: bool,
}

/// `query-untagged` / `remove-untagged`.
#[derive(Debug, Args)]
pub struct UntaggedArgs {
    /// Repositories to look in (default: all).
    ///
    /// Example: `-r app worker`.
    #[arg(short = 'r', long = "repo", num_args = 1.., value_name = "REPO")]
    pub repo: Vec<String>,

    /// Only manifests untagged longer ago than AGE.
    ///
    /// Only manifests regsweep saw lose their last tag longer ago than this: a grace period for
    /// deployments that pinned the old digest.
    ///
    /// Example: `--older-than 14d`.
    #[arg(long, value_name = "AGE")]
    pub older_than: Option<String>,

    /// Leave removed manifests' signatures and SBOMs.
    #[arg(long)]
    pub keep_referrers: bool,
}

#[derive(Debug, Args)]
pub struct QueryUntaggedArgs {
    #[command(flatten)]
    pub untagged: UntaggedArgs,
    #[command(flatten)]
    pub details: QueryDetailsArgs,
}

#[derive(Debug, Args)]
pub struct RemoveUntaggedArgs {
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub untagged: UntaggedArgs,
}

/// Selection by age and rank, combined with the other selectors as a conjunction.
#[derive(Debug, Args)]
#[command(next_help_heading = "Age and rank")]
pub struct RetentionArgs {
    /// Only images built longer ago than AGE.
    ///
    /// By the image's created time; images without one never match.
    ///
    /// Example: `--older-than 90d` (also `12h`, `2w`, `1w 3d`).
    #[arg(long, value_name = "AGE")]
    pub older_than: Option<String>,

    /// Only images built more recently than AGE.
    ///
    /// Example: `--newer-than 2w`.
    #[arg(long, value_name = "AGE")]
    pub newer_than: Option<String>,

    /// Keep the N newest of them in each repository.
    ///
    /// In each repository keep the N newest of the selected images; their tags are never removed.
    ///
    /// Example: `--older-than 90d --keep 5`.
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_KEEP))
    )]
    pub keep: Option<u32>,

    /// What "newest" means for --keep: created, version.
    ///
    /// The created time, or the highest version tag.
    ///
    /// Example: `--keep 3 --keep-by version`.
    #[arg(
        long,
        value_enum,
        default_value_t = KeepBy::Created,
        requires = "keep",
        hide_possible_values = true
    )]
    pub keep_by: KeepBy,

    /// Only tags first seen on their image before DATE.
    ///
    /// Only tags that regsweep first saw pointing to their image before this date (UTC): the age of
    /// a promotion rather than of a build. Tags regsweep has no record of never match.
    ///
    /// Example: `--tagged-before 2026-01-31`.
    #[arg(long, value_name = "DATE")]
    pub tagged_before: Option<String>,

    /// Only tags whose image was not pulled for AGE.
    ///
    /// Only tags whose image no pull was seen for this long. Pulls are known from the registry's
    /// notifications to `regsweep serve`; an image never seen pulled counts from when its tag was
    /// first seen, so nothing matches until regsweep has watched for that long.
    ///
    /// Example: `--not-pulled-for 30d`.
    #[arg(long, value_name = "AGE")]
    pub not_pulled_for: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepBy {
    Created,
    Version,
}

/// The selection options of dregutil's `query-tags` and `remove-tags`.
#[derive(Debug, Args)]
pub struct TagSelectionArgs {
    /// Repositories to select tags in.
    ///
    /// One or more; `-r` may also be repeated.
    ///
    /// Example: `-r app worker`.
    #[arg(short = 'r', long = "repo", required = true, num_args = 1.., value_name = "REPO")]
    pub repo: Vec<String>,

    /// Tags to select: names or version selectors.
    ///
    /// Exact tag names, or version selectors (see below).
    ///
    /// Example: `-t '<1.4' latest`.
    #[arg(short = 't', long, num_args = 0.., value_name = "SELECTOR")]
    pub tags: Vec<String>,

    /// Regular expressions selecting tags (-re).
    ///
    /// Matched from the start of the tag. Also spelled `-re`.
    ///
    /// Example: `-re 'feature-.*' 'pr-[0-9]+$'`.
    #[arg(long, num_args = 0.., value_name = "REGEX")]
    pub regex: Vec<String>,

    /// Leave out digests with a tag matching these.
    ///
    /// Leave out digests that carry a tag matching these exact names or version selectors.
    ///
    /// Example: `-x latest stable '>=2'`.
    #[arg(short = 'x', long, num_args = 0.., value_name = "SELECTOR")]
    pub exclude: Vec<String>,

    /// Leave out digests with a tag matching (-xre).
    ///
    /// Leave out digests that carry a tag matching these regular expressions. Also spelled `-xre`.
    ///
    /// Example: `-xre '.*-keep$'`.
    #[arg(long, num_args = 0.., value_name = "REGEX")]
    pub exclude_regex: Vec<String>,

    /// Take a digest's unselected tags with it.
    ///
    /// Select a digest even when other tags point to it that were not selected; they go with it.
    ///
    /// Example: `-t 1.0 --no-match-all-tags` also takes `stable` if it points to 1.0's digest.
    #[arg(long)]
    pub no_match_all_tags: bool,

    /// Exit 7 where unselected tags hold a digest.
    ///
    /// Fail (exit code 7) instead of leaving out a digest that unselected tags point to.
    ///
    /// Example: `--raise-intersecting-tag` to learn which tags would hold a digest back.
    #[arg(long)]
    pub raise_intersecting_tag: bool,

    /// Remove the tags, leave their manifests.
    ///
    /// Remove the selected tags and leave their manifests (and the manifests' other tags): by
    /// DELETE of the tag where the registry supports it, else by moving the tag onto a throwaway
    /// manifest that is then deleted.
    ///
    /// Example: `remove-tags -r app -t latest-rc --untag-only`.
    #[arg(long, conflicts_with = "untag_partial")]
    pub untag_only: bool,

    /// Untag where a digest has unselected tags.
    ///
    /// Where a selected digest also carries tags that are not selected, remove just the selected
    /// tags instead of leaving the digest out; digests whose every tag is selected are deleted.
    ///
    /// Example: `remove-tags -r app -re 'pr-.*' --untag-partial`.
    #[arg(long)]
    pub untag_partial: bool,

    #[command(flatten)]
    pub retention: RetentionArgs,

    #[command(flatten)]
    pub referrers: ReferrerArgs,
}

pub(super) const UNTAGGED_HELP: &str = "\
A plain Distribution registry cannot list untagged manifests. regsweep remembers the digests its
tags pointed to before (each refresh, and `regsweep serve`'s push notifications) and asks the
registry (HEAD) which are still stored. Never selected: a manifest tagged again, a child of a tagged
index, a signature or SBOM of a stored image. Their own signatures and SBOMs go with them.

Examples:
  regsweep -reg registry.example.com query-untagged
  regsweep -reg registry.example.com remove-untagged -r app --older-than 14d --dry-run";

pub(super) const REMOVAL_HELP: &str = "\
Removal never deletes what was not selected:
  1. the plan (what query-repos / query-tags would show, with the children of multi-arch indexes) is
     shown with a summary: N manifests (M tags) from K repositories;
  2. on a terminal it asks; anything but y deletes nothing. Without a terminal it needs --yes;
  3. the selected repositories are read again from the registry and the plan made again; if anything
     changed, nothing is deleted (exit code 8) and the cache is updated;
  4. every manifest's exact bytes go to a journal, synced to disk before the first DELETE;
  5. manifests are deleted concurrently (indexes before their children); 405 stops (deletion is
     disabled in the registry), as do 401 and 403;
  6. a report per repository, and the cache updated. Space comes back only after the registry's
     garbage collection. `regsweep restore` undoes a removal until then.
A DELETE whose answer is lost is checked (HEAD) before it is sent again; the children of an index
are deleted only once the index is gone; a registry that deletes later (202, then a background task)
is waited for. Ctrl-C before deleting begins deletes nothing; while deleting it lets in-flight
deletes finish, writes the journal and exits 130; a second Ctrl-C abandons them, and what they did
is read back before the report. An exclusion (-x, -xre) that matches no tag stops a --yes run
unless --allow-unmatched.

Examples:
  regsweep -reg registry.example.com remove-tags -r app -t '<1.4' --dry-run
  regsweep -reg registry.example.com remove-tags -r app -t '<1.4' -x v1.3.9
  regsweep -reg registry.example.com remove-repos -r old-app --yes";

/// How the user agrees to a removal plan.
#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// Delete without asking.
    ///
    /// Needed when standard input is not a terminal.
    ///
    /// Example: `remove-tags -r app -t '<1.4' --yes` in a cron job.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Show the plan, delete nothing.
    ///
    /// Example: `remove-repos -r old-app --dry-run`.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,

    /// Then run Harbor's garbage collection.
    ///
    /// Space comes back only when the registry's garbage collection removes the deleted images'
    /// blobs. With --harbor, start Harbor's (an administrator's right) once the deletes are done,
    /// and wait for it; other registries collect on their host (`registry garbage-collect`).
    ///
    /// Example: `--harbor https://harbor.example.com remove-tags -r web/app -t '<1.4' --yes --gc`.
    #[arg(long, conflicts_with = "dry_run")]
    pub gc: bool,
}

/// Whether a query reads what the cache lacks for an exact reclaimable figure.
#[derive(Debug, Args)]
pub struct QueryDetailsArgs {
    /// Read missing sizes, for an exact total.
    ///
    /// Read the selected images' details (sizes, layers) from the registry first when the cache
    /// lacks them, so the reclaimable space is exact. Without it a query answers from the cache alone
    /// and says when its figure is an estimate.
    ///
    /// Example: `query-tags -r app -t '<1.4' --details`.
    #[arg(long)]
    pub details: bool,
}

#[derive(Debug, Args)]
pub struct QueryReposArgs {
    #[command(flatten)]
    pub selection: RepoSelectionArgs,
    #[command(flatten)]
    pub details: QueryDetailsArgs,
}

#[derive(Debug, Args)]
pub struct QueryTagsArgs {
    #[command(flatten)]
    pub selection: TagSelectionArgs,
    #[command(flatten)]
    pub details: QueryDetailsArgs,
}

#[derive(Debug, Args)]
pub struct RemoveReposArgs {
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub selection: RepoSelectionArgs,
}

#[derive(Debug, Args)]
pub struct RemoveTagsArgs {
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    /// Delete even when an -x/-xre matches no tag.
    ///
    /// Without it, --yes refuses a run where an -x/-xre value matches no tag: an
    /// exclusion that matches nothing protects nothing, and is usually a typo (`-x 1.3.9` where
    /// the tag is `v1.3.9`).
    ///
    /// Example: `-x old-release --yes --allow-unmatched` when that tag may already be gone.
    #[arg(long)]
    pub allow_unmatched: bool,
    #[command(flatten)]
    pub selection: TagSelectionArgs,
}
