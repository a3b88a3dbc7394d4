//! The command line: clap types only, plus the rewriting of dregutil's single-dash long options.
//!
//! Nothing outside `settings.rs` reads these structs; commands see plain settings.

use clap::{Parser, Subcommand};

mod admin;
mod dregutil;
mod global;
mod help;
mod listing;
mod offered;
mod policy;
mod select;
#[cfg(test)]
mod tests;

use admin::CONFIG_HELP;
pub use admin::{
    CacheAction, CacheArgs, ConfigAction, ConfigArgs, GenerateArgs, HistoryArgs, JournalAction,
    JournalArgs, RestoreArgs, ServeArgs,
};
pub use dregutil::{normalize_args, one_line_error};
pub use global::{ColorChoice, Format, GitlabArgs, GlobalArgs, LogLevel, parse_format};
pub use help::{command, command_for};
pub use listing::{
    ListRepoNamesArgs, ListTagNamesArgs, OutdatedArgs, TagSort, UsageArgs, UsageSort,
};
pub use policy::{PolicyAction, PolicyArgs};
pub use select::{
    ConfirmArgs, KeepBy, QueryReposArgs, QueryTagsArgs, QueryUntaggedArgs, ReferrerArgs,
    RemoveReposArgs, RemoveTagsArgs, RemoveUntaggedArgs, RepoSelectionArgs, RetentionArgs,
    TagSelectionArgs, UntaggedArgs,
};
use select::{REMOVAL_HELP, TAG_SELECTION_HELP, UNTAGGED_HELP};

/// The most requests `--concurrency` may put in flight against one registry.
pub const MAX_CONCURRENCY: u16 = 256;

/// The largest `--keep`.
pub const MAX_KEEP: u32 = 1_000_000;

const ABOUT: &str = "List, select and safely remove images in a Docker/OCI registry";

const LONG_ABOUT: &str = "\
List, select and safely remove images in a Docker/OCI registry.

regsweep talks to any registry that speaks the Distribution HTTP API v2 (Docker's registry, Harbor,
GitLab, Nexus, Quay, zot, ...). It keeps a per-registry cache of repositories, tags and digests so that
queries answer instantly; the cache is filled on first use and reloaded with --refresh.

It accepts the whole command line of dregutil 1.0.3 (docker-registry-util), including its single-dash
long options -reg, -re, -xre, -cert and -key.";

const EXAMPLES: &str = "\
Examples:
  regsweep --registry registry.example.com list-repo-names
  regsweep -reg http://127.0.0.1:5000 list-tag-names app --reverse-sort
  REGISTRY=registry.example.com:5000 regsweep --refresh list-tag-names --image-names
  regsweep -reg registry.example.com cache info";

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    unexpected internal error
  2    usage error: bad option, argument, selector, regular expression or policy file
  3    network error: registry or token server unreachable, TLS failure, timeout, a broken connection
  4    authentication failed, or an action was not allowed (401, 403, a token without the scope)
  5    registry error: unknown repository or manifest, unsupported operation, server error, malformed
       answer, an answer over its size limit, content that does not match its digest
  6    local file error: corrupt or unreadable cache file (or one of another registry), or journal
  7    selection refused: a selected digest is shared with an unselected repository (or, with
       --raise-intersecting-tag, with unselected tags)
  8    removal stopped: the registry changed since the plan was made (nothing deleted)
  9    not confirmed: a removal declined, without a terminal and --yes, over --max-delete, or
       whose output was closed before deleting began; `cache clear` of history, declined
  10   partial failure: some deletions (or restores) failed or have an unknown outcome; the rest
       were done
  11   outdated: a newer version of at least one image exists (`outdated`)
  130  interrupted by Ctrl-C: before deleting began (nothing deleted), or while deleting (twice:
       abandoned at once and read back); the journal records what was done";

/// regsweep: list, select and safely remove images in a Docker/OCI registry.
#[derive(Debug, Parser)]
#[command(
    name = "regsweep",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    after_long_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"),
    infer_long_args = true,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the repositories that hold a tag.
    ///
    /// List the repositories that hold at least one tag, sorted by name.
    #[command(after_help = "\
--format template fields: name, tags.

Examples:
  regsweep -reg registry.example.com list-repo-names
  regsweep -reg registry.example.com list-repo-names '^team-a/' --count")]
    ListRepoNames(ListRepoNamesArgs),

    /// List repositories and their tags.
    ///
    /// List repositories and their tags, tags in version order (1.2 before 1.10).
    #[command(after_help = "\
--format template fields: repository, tag, image, digest, media_type, size, created, platforms, attachments.

Examples:
  regsweep -reg registry.example.com list-tag-names
  regsweep -reg registry.example.com list-tag-names app worker --reverse-sort
  regsweep -reg registry.example.com list-tag-names app --image-names")]
    ListTagNames(ListTagNamesArgs),

    /// Show what takes space, per repository.
    ///
    /// Show what takes space: per repository the tags, manifests, size and disk size, and the
    /// registry's disk size.
    #[command(after_help = "\
Size is the sum of each image's config and layers; disk size counts each blob once within the
repository, and the registry's disk size once across all repositories. Details are read once per
digest and cached, so a second run makes no requests.

--format template fields: name, tags, manifests, size, disk_size, attachments, untagged, untagged_disk_size.

Examples:
  regsweep -reg registry.example.com usage
  regsweep -reg registry.example.com usage app --tags --format json")]
    Usage(UsageArgs),

    /// Show what removing repositories would delete.
    ///
    /// Show what removing whole repositories would delete: every digest they tag.
    #[command(after_help = "\
A digest also tagged in a repository outside the selection is an error (exit code 7), since deleting
it would remove that repository's tags too; --no-raise-intersecting-repo leaves such digests out.

--format template fields: repository, digest, media_type, tags.

Examples:
  regsweep -reg registry.example.com query-repos -r old-app
  regsweep -reg registry.example.com query-repos -r team-a/web team-a/worker --format json")]
    QueryRepos(QueryReposArgs),

    /// Show what removing tags would delete.
    ///
    /// Show what removing tags would delete: the digests of the selected tags, checked in reverse.
    #[command(after_help = TAG_SELECTION_HELP)]
    QueryTags(QueryTagsArgs),

    /// Delete whole repositories' manifests.
    ///
    /// Delete whole repositories' manifests: plan, confirm, re-check live, journal, delete.
    #[command(after_help = REMOVAL_HELP)]
    RemoveRepos(RemoveReposArgs),

    /// Delete the selected tags' manifests.
    ///
    /// Delete the selected tags' manifests: plan, confirm, re-check live, journal, delete.
    #[command(after_help = REMOVAL_HELP)]
    RemoveTags(RemoveTagsArgs),

    /// Show manifests that lost their tags.
    ///
    /// Show manifests that lost their tags (overwritten or untagged) and that nothing needs, as far
    /// as regsweep saw them lose their tags; each is checked to be still stored.
    #[command(after_help = UNTAGGED_HELP)]
    QueryUntagged(QueryUntaggedArgs),

    /// Delete manifests that lost their tags.
    ///
    /// Delete manifests that lost their tags: plan, confirm, re-check live, journal, delete.
    #[command(after_help = UNTAGGED_HELP)]
    RemoveUntagged(RemoveUntaggedArgs),

    /// Put back what a removal deleted.
    ///
    /// Put back what a removal deleted, from its journal (the newest one by default).
    #[command(after_help = "\
Every manifest of the journal that is no longer in the registry, whatever its recorded status, is
uploaded again with its exact bytes (children before indexes) and its tags re-pointed; a tag that
points to another manifest now is left alone. This works until the registry's
garbage collection removes the blobs; manifests that can no longer be restored are listed with why.

Examples:
  regsweep -reg registry.example.com restore
  regsweep -reg registry.example.com restore -r app
  regsweep restore ~/.local/share/regsweep/journal/REGISTRY/TIME.json")]
    Restore(RestoreArgs),

    /// Say whether newer versions of images exist.
    ///
    /// Say whether newer versions of images exist: for each REPO:TAG, the newest version tag of its
    /// family in the same repository.
    #[command(after_help = "\
Versions are compared within a suffix family: 1.4-alpine with the other -alpine tags, 1.4 with
plain versions only (2.0-rc1 is another family). A tag whose newest version is the same image is up
to date. Exit code 11 when anything is outdated, 0 otherwise; unknown repositories and tags are
listed and warned about. References naming another registry are skipped.

--format template fields: image, repository, tag, status, digest, newest_tag, newest_digest.

Examples:
  regsweep -reg registry.example.com outdated app:1.4 app:1.4-alpine
  regsweep -reg registry.example.com outdated --from docker-compose.yml --format json")]
    Outdated(OutdatedArgs),

    /// What a tag pointed to when.
    ///
    /// What a tag pointed to when: each digest with the time it began and ended, how (a push, a
    /// delete, a refresh), and its pulls. Recorded by `regsweep serve` from the registry's
    /// notifications and its reads of the registry; no registry answers it.
    #[command(after_help = "\
The history is the service's store's: the embedded one on this host, or the PostgreSQL store --store
names (shared by the service's replicas and other hosts).

--format template fields: digest, since, until, began, ended, pulls, last_pulled.

Examples:
  regsweep -reg registry.example.com history app:latest
  regsweep -reg registry.example.com --store postgres://regsweep@db/regsweep history app:1.4")]
    History(HistoryArgs),

    /// Run as a service: a REST API and web pages.
    ///
    /// Run as a service: the registry's images, tags and sizes as an authenticated REST/HAL API,
    /// kept fresh by periodic reads and the registry's notifications.
    #[command(after_help = "\
Endpoints: GET /images, /images/{name}, /images/{name}/tags, /images/{name}/tags/{tag} (?links=true,
?embed=true or ?embed=N, on a tag ?newer=true), GET /health, GET /metrics, POST /auth_token (HTTP
Basic, checked against LDAP; answers a token to send as Authorization: Bearer), POST /events (the
registry's notifications). Browsers get HTML pages and a login form.

Examples:
  regsweep serve --print-default-config > /etc/regsweep/serve.toml
  regsweep -reg https://registry.example.com serve --config /etc/regsweep/serve.toml
  regsweep -reg http://127.0.0.1:5000 serve --no-auth --refresh-interval 10m")]
    Serve(ServeArgs),

    /// Plan and apply retention policies from a file.
    ///
    /// Retention policies as a file: plan the whole registry's cleanup, review it, apply exactly it.
    #[command(after_help = policy::POLICY_HELP)]
    Policy(PolicyArgs),

    /// List the journals removals wrote.
    Journal(JournalArgs),

    /// Show or clear the cache of the registry.
    Cache(CacheArgs),

    /// Show the configuration and effective settings.
    ///
    /// Show the configuration file's named registries and the effective settings.
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),

    /// Write the shell completions and man pages (for maintainers).
    #[command(hide = true)]
    Generate(GenerateArgs),
}
