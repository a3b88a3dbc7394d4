//! The command line: clap types only, plus the rewriting of dregutil's single-dash long options.
//!
//! Nothing outside `settings.rs` reads these structs; commands see plain settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod dregutil;
mod help;
mod policy;

pub use dregutil::{normalize_args, one_line_error};
pub use help::{command, command_for};
pub use policy::{PolicyAction, PolicyArgs};

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

/// GitLab: repositories found through its API instead of the catalog (which GitLab refuses to
/// non-admin tokens). The token comes from GITLAB_TOKEN, --gitlab-token-stdin, or Docker's
/// configuration for the registry host.
#[derive(Debug, Args)]
pub struct GitlabArgs {
    /// GitLab's address; its registry's repositories are found through its REST API.
    ///
    /// Example: `--gitlab https://gitlab.example.com --project team/app`.
    #[arg(long, env = "GITLAB_URL", global = true, value_name = "URL")]
    pub gitlab: Option<String>,

    /// A project (path or numeric id) whose registry repositories to work on; repeatable.
    ///
    /// Example: `--project team/app --project 42`.
    #[arg(long, global = true, value_name = "PATH_OR_ID", requires = "gitlab")]
    pub project: Vec<String>,

    /// A group (path or numeric id) whose projects' registry repositories to work on, subgroups
    /// included; repeatable.
    ///
    /// Example: `--group team`.
    #[arg(long, global = true, value_name = "PATH_OR_ID", requires = "gitlab")]
    pub group: Vec<String>,

    /// Read the GitLab token (personal, project, group or deploy token) from the first line of
    /// standard input.
    ///
    /// Example: `echo "$TOKEN" | regsweep --gitlab URL --project team/app --gitlab-token-stdin ...`.
    #[arg(
        long,
        global = true,
        requires = "gitlab",
        conflicts_with = "password_stdin"
    )]
    pub gitlab_token_stdin: bool,
}

/// Options shared by every command. As in dregutil they may be given before the command; regsweep also
/// accepts them after it.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Registry: `host[:port]` (https assumed) or `http(s)://host[:port]`. Also spelled `-reg`.
    ///
    /// Example: `--registry registry.example.com:5000`, `-reg http://127.0.0.1:5000`.
    #[arg(long, env = "REGISTRY", global = true, value_name = "REGISTRY")]
    pub registry: Option<String>,

    /// User to log in as (Basic, Digest or token authentication, as the registry asks). Without
    /// --user, Docker's configuration is used (credential helpers, credsStore, auths).
    ///
    /// Example: `-u ci-cleaner -p "$TOKEN"`; without a password regsweep asks on the terminal.
    #[arg(
        short = 'u',
        long,
        env = "REGISTRY_USER",
        global = true,
        value_name = "USER"
    )]
    pub user: Option<String>,

    /// Password for --user. Prefer the environment variable to keep it out of the process list.
    ///
    /// Example: `REGISTRY_PASSWORD="$TOKEN" regsweep -u ci-cleaner ...`.
    #[arg(
        short = 'p',
        long,
        env = "REGISTRY_PASSWORD",
        global = true,
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub password: Option<String>,

    /// Answer an HTTP Digest challenge rather than Basic when the registry offers both.
    ///
    /// As in dregutil it takes a value. Example: `--digest-auth yes`.
    #[arg(
        long,
        env = "REGISTRY_USE_DIGEST_AUTH",
        global = true,
        value_name = "BOOL",
        hide_env_values = true
    )]
    pub digest_auth: Option<String>,

    /// Read the password for --user from the first line of standard input.
    ///
    /// Example: `echo "$TOKEN" | regsweep -u ci-cleaner --password-stdin list-repo-names`.
    /// (Given with --password on the command line it is an error; over REGISTRY_PASSWORD it wins.)
    #[arg(long, global = true)]
    pub password_stdin: bool,

    #[command(flatten)]
    pub gitlab: GitlabArgs,

    /// Client certificate (PEM); it may include the key. Also spelled `-cert`.
    ///
    /// Example: `-cert /etc/regsweep/client.pem`.
    #[arg(long, env = "REGISTRY_CLIENT_CERT", global = true, value_name = "FILE")]
    pub client_cert: Option<PathBuf>,

    /// Key of the client certificate (PEM). Also spelled `-key`.
    ///
    /// Example: `-cert client.crt -key client.key`.
    #[arg(long, env = "REGISTRY_CLIENT_KEY", global = true, value_name = "FILE")]
    pub client_key: Option<PathBuf>,

    /// Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is
    /// also read.
    ///
    /// Example: `-v /etc/ssl/private-ca.pem`.
    #[arg(
        short = 'v',
        long,
        env = "REQUESTS_CA_BUNDLE",
        global = true,
        value_name = "CA_BUNDLE|None"
    )]
    pub verify: Option<String>,

    /// Do not verify the registry's TLS certificate (same as `--verify None`); a warning says so.
    ///
    /// Example: `--insecure` for a test registry with a self-signed certificate.
    #[arg(long, global = true)]
    pub insecure: bool,

    /// Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`)
    /// disables the cache.
    ///
    /// Example: `-c ./registry_cache.json`, `-c None`.
    #[arg(
        short = 'c',
        long,
        env = "DOCKER_UTIL_CACHEFILE",
        global = true,
        value_name = "FILE|None"
    )]
    pub cache: Option<String>,

    /// Disable the cache: read the registry live and write nothing (same as `-c None`).
    ///
    /// Example: `regsweep --no-cache list-tag-names app`.
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Reload everything from the registry and rewrite the cache.
    ///
    /// Example: `regsweep --refresh list-repo-names` after pushing images.
    #[arg(long, global = true)]
    pub refresh: bool,

    /// Print the number of listed items after the list, under a dashed line (not with JSON, whose
    /// array has a length).
    ///
    /// Example: `regsweep --count list-tag-names app`.
    #[arg(long, global = true)]
    pub count: bool,

    /// Leave out digests shared with unselected repositories instead of failing (for the query and
    /// remove commands of later releases; accepted everywhere for dregutil's scripts).
    ///
    /// Example: `--no-raise-intersecting-repo`.
    #[arg(long, global = true)]
    pub no_raise_intersecting_repo: bool,

    /// Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where
    /// HEAD is refused or gives no digest.
    ///
    /// Example: `--use-get-manifest`, or `DOCKER_UTIL_GET_MANIFEST=1`.
    #[arg(
        long,
        env = "DOCKER_UTIL_GET_MANIFEST",
        global = true,
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub use_get_manifest: bool,

    /// Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted)
    /// [default: warning; info for `serve`, which logs one line per request].
    ///
    /// Example: `-l debug` to see every request and its status (never credentials).
    #[arg(short = 'l', long, value_enum, ignore_case = true, global = true)]
    pub log_level: Option<LogLevel>,

    /// How many requests may be in flight at once, 1 to 256. Without it regsweep finds the
    /// registry's limit by itself: it starts at 8, grows while answers stay quick and healthy, backs
    /// off on 429, 5xx, timeouts and broken connections, and never exceeds 64.
    ///
    /// Example: `--concurrency 32` to pin it.
    #[arg(
        long,
        global = true,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_CONCURRENCY))
    )]
    pub concurrency: Option<u16>,

    /// Output format: auto (a table on a terminal, dregutil's plain columns when piped), table,
    /// plain, json, or a template of the JSON fields, one line per row.
    ///
    /// Example: `--format json | jq '.[].digest'`, `--format '{{repository}}:{{tag}} {{digest}}'`.
    #[arg(long, default_value = "auto", global = true, value_parser = parse_format, value_name = "FORMAT")]
    pub format: Format,

    /// Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto
    /// (on a terminal, unless NO_COLOR is set), always or never.
    ///
    /// Example: `--color never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is
    /// dregutil's --verify.)
    ///
    /// Example: `--verbose remove-tags -r app -t '<1.4' --dry-run`.
    #[arg(long, global = true)]
    pub verbose: bool,

    /// Silence the progress bar and notes on stderr (warnings and errors are still shown).
    ///
    /// Example: `regsweep -q list-repo-names` in cron jobs.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Debug,
    Info,
    #[value(alias = "warn")]
    Warning,
    #[value(alias = "critical", alias = "fatal")]
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// `table` when stdout is a terminal, `plain` otherwise.
    Auto,
    Table,
    Plain,
    Json,
    /// `{{field}}` placeholders: read (and checked) by the settings.
    Template(String),
}

/// `--format`: one of the four words, or a template (anything holding `{{`).
pub fn parse_format(value: &str) -> Result<Format, String> {
    match value.to_ascii_lowercase().as_str() {
        "auto" => Ok(Format::Auto),
        "table" => Ok(Format::Table),
        "plain" => Ok(Format::Plain),
        "json" => Ok(Format::Json),
        _ if value.contains("{{") => Ok(Format::Template(value.to_owned())),
        _ => Err(
            "not a format: use auto, table, plain, json, or a template such as \
                  '{{repository}}:{{tag}}'"
                .to_owned(),
        ),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the repositories that hold at least one tag, sorted by name.
    #[command(after_help = "\
--format template fields: name, tags.

Examples:
  regsweep -reg registry.example.com list-repo-names
  regsweep -reg registry.example.com list-repo-names '^team-a/' --count")]
    ListRepoNames(ListRepoNamesArgs),

    /// List repositories and their tags, tags in version order (1.2 before 1.10).
    #[command(after_help = "\
--format template fields: repository, tag, image, digest, media_type, size, created, platforms, attachments.

Examples:
  regsweep -reg registry.example.com list-tag-names
  regsweep -reg registry.example.com list-tag-names app worker --reverse-sort
  regsweep -reg registry.example.com list-tag-names app --image-names")]
    ListTagNames(ListTagNamesArgs),

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

    /// Show what removing whole repositories would delete: every digest they tag.
    #[command(after_help = "\
A digest also tagged in a repository outside the selection is an error (exit code 7), since deleting
it would remove that repository's tags too; --no-raise-intersecting-repo leaves such digests out.

--format template fields: repository, digest, media_type, tags.

Examples:
  regsweep -reg registry.example.com query-repos -r old-app
  regsweep -reg registry.example.com query-repos -r team-a/web team-a/worker --format json")]
    QueryRepos(QueryReposArgs),

    /// Show what removing tags would delete: the digests of the selected tags, checked in reverse.
    #[command(after_help = TAG_SELECTION_HELP)]
    QueryTags(QueryTagsArgs),

    /// Delete whole repositories' manifests: plan, confirm, re-check live, journal, delete.
    #[command(after_help = REMOVAL_HELP)]
    RemoveRepos(RemoveReposArgs),

    /// Delete the selected tags' manifests: plan, confirm, re-check live, journal, delete.
    #[command(after_help = REMOVAL_HELP)]
    RemoveTags(RemoveTagsArgs),

    /// Show manifests that lost their tags (overwritten or untagged) and that nothing needs, as far
    /// as regsweep saw them lose their tags; each is checked to be still stored.
    #[command(after_help = UNTAGGED_HELP)]
    QueryUntagged(QueryUntaggedArgs),

    /// Delete manifests that lost their tags: plan, confirm, re-check live, journal, delete.
    #[command(after_help = UNTAGGED_HELP)]
    RemoveUntagged(RemoveUntaggedArgs),

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

    /// Retention policies as a file: plan the whole registry's cleanup, review it, apply exactly it.
    #[command(after_help = policy::POLICY_HELP)]
    Policy(PolicyArgs),

    /// List the journals removals wrote.
    Journal(JournalArgs),

    /// Show or clear the cache of the registry.
    Cache(CacheArgs),

    /// Show the configuration file's named registries and the effective settings.
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),

    /// Write the shell completions and man pages (for maintainers).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct ListRepoNamesArgs {
    /// Only list repositories whose name matches this regular expression (searched anywhere in the
    /// name; anchor with `^` and `$`).
    ///
    /// Example: `'^team-a/'`.
    #[arg(value_name = "PATTERN")]
    pub pattern: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListTagNamesArgs {
    /// Repositories to list; all of them when none is given.
    ///
    /// Example: `app worker`.
    #[arg(value_name = "REPO")]
    pub repo: Vec<String>,

    /// Also list the tags of signatures, SBOMs and attestations (`sha256-<hex>.sig`, `.att`,
    /// `.sbom`, and the referrers tag schema's `sha256-<hex>`), which are otherwise shown only as
    /// counts beside their image with --long.
    ///
    /// Example: `list-tag-names app --all-tags`.
    #[arg(long)]
    pub all_tags: bool,

    /// List each repository's tags newest version first.
    ///
    /// Example: `list-tag-names app --reverse-sort | head`.
    #[arg(long)]
    pub reverse_sort: bool,

    /// Print full image names, `REGISTRY/REPO:TAG`.
    ///
    /// Example: `list-tag-names app --image-names` prints `registry.example.com/app:1.0`.
    #[arg(long)]
    pub image_names: bool,

    /// Also show each image's digest, size, created time, age and platforms (read once per digest
    /// and cached).
    ///
    /// Example: `list-tag-names app --long`.
    #[arg(long)]
    pub long: bool,

    /// Order of the tags: by version within each repository (the default), by name, or across all
    /// repositories by size (largest first) or created time (newest first).
    ///
    /// Example: `list-tag-names --long --sort size | head`.
    #[arg(long, value_enum, default_value_t = TagSort::Version)]
    pub sort: TagSort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TagSort {
    Name,
    Version,
    Size,
    Created,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Repositories to report on; all of them when none is given.
    ///
    /// Example: `usage app worker`.
    #[arg(value_name = "REPO")]
    pub repo: Vec<String>,

    /// Order of the repositories: by size (largest first), name, or number of tags.
    ///
    /// Example: `usage --sort tags`.
    #[arg(long, value_enum, default_value_t = UsageSort::Size)]
    pub sort: UsageSort,

    /// Also list every tag with its image size.
    ///
    /// Example: `usage app --tags`.
    #[arg(long)]
    pub tags: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (TOML); these options override it.
    ///
    /// Example: `--config /etc/regsweep/serve.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print a commented default configuration and exit (every other option is ignored).
    #[arg(long)]
    pub print_default_config: bool,

    /// Address to listen on [default: 127.0.0.1:8080]. Another address than loopback is the
    /// user's explicit choice; port 0 picks a free port (printed at start).
    ///
    /// Example: `--listen 0.0.0.0:8080`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,

    /// How often to read the whole registry again [default: 1h]; `0` never (notifications keep
    /// it fresh). At start the registry is read when the cache is missing or older than this.
    ///
    /// Example: `--refresh-interval 6h`.
    #[arg(long, value_name = "AGE")]
    pub refresh_interval: Option<String>,

    /// Serve without login; allowed only on a loopback address, and warned about at every start.
    #[arg(long)]
    pub no_auth: bool,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Image references, `REPO:TAG` or `HOST/REPO:TAG`.
    ///
    /// Example: `app:1.4 registry.example.com/web:2.1-alpine`.
    #[arg(value_name = "IMAGE", required_unless_present = "from")]
    pub images: Vec<String>,

    /// Also read references from a file (`-` for standard input): one per line, or the `image:`
    /// values of a Docker Compose or Kubernetes YAML file. Lines starting with `#` are skipped.
    ///
    /// Example: `--from docker-compose.yml`.
    #[arg(long, value_name = "FILE")]
    pub from: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageSort {
    Size,
    Name,
    Tags,
}

const TAG_SELECTION_HELP: &str = "\
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
    /// Repositories to select (one or more; `-r` may also be repeated).
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
pub struct ReferrerArgs {
    /// Leave the signatures, SBOMs and attestations of removed images in the registry; by default
    /// they go with their image (after it).
    ///
    /// Example: `remove-tags -r app -t '<1.4' --keep-referrers`.
    #[arg(long, conflicts_with = "orphaned_referrers")]
    pub keep_referrers: bool,

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
    /// Repositories to look in; all of them when none is given.
    ///
    /// Example: `-r app worker`.
    #[arg(short = 'r', long = "repo", num_args = 1.., value_name = "REPO")]
    pub repo: Vec<String>,

    /// Only manifests regsweep saw lose their last tag longer ago than this: a grace period for
    /// deployments that pinned the old digest.
    ///
    /// Example: `--older-than 14d`.
    #[arg(long, value_name = "AGE")]
    pub older_than: Option<String>,

    /// Leave the signatures, SBOMs and attestations of removed manifests.
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
    pub untagged: UntaggedArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// Selection by age and rank, combined with the other selectors as a conjunction.
#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Only images built longer ago than this (by the image's created time; images without one never
    /// match).
    ///
    /// Example: `--older-than 90d` (also `12h`, `2w`, `1w 3d`).
    #[arg(long, value_name = "AGE")]
    pub older_than: Option<String>,

    /// Only images built more recently than this.
    ///
    /// Example: `--newer-than 2w`.
    #[arg(long, value_name = "AGE")]
    pub newer_than: Option<String>,

    /// In each repository keep the N newest of the selected images; their tags are never removed.
    ///
    /// Example: `--older-than 90d --keep 5`.
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_KEEP))
    )]
    pub keep: Option<u32>,

    /// What "newest" means for --keep: the created time, or the highest version tag.
    ///
    /// Example: `--keep 3 --keep-by version`.
    #[arg(long, value_enum, default_value_t = KeepBy::Created, requires = "keep")]
    pub keep_by: KeepBy,

    /// Only tags that regsweep first saw pointing to their image before this date (UTC): the age of
    /// a promotion rather than of a build. Tags regsweep has no record of never match.
    ///
    /// Example: `--tagged-before 2026-01-31`.
    #[arg(long, value_name = "DATE")]
    pub tagged_before: Option<String>,

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
    /// Repositories to select tags in (one or more).
    ///
    /// Example: `-r app worker`.
    #[arg(short = 'r', long = "repo", required = true, num_args = 1.., value_name = "REPO")]
    pub repo: Vec<String>,

    /// Tags to select: exact names or version selectors (see below).
    ///
    /// Example: `-t '<1.4' latest`.
    #[arg(short = 't', long, num_args = 0.., value_name = "SELECTOR")]
    pub tags: Vec<String>,

    /// Regular expressions selecting tags, matched from the start of the tag. Also spelled `-re`.
    ///
    /// Example: `-re 'feature-.*' 'pr-[0-9]+$'`.
    #[arg(long, num_args = 0.., value_name = "REGEX")]
    pub regex: Vec<String>,

    /// Leave out digests that carry a tag matching these exact names or version selectors.
    ///
    /// Example: `-x latest stable '>=2'`.
    #[arg(short = 'x', long, num_args = 0.., value_name = "SELECTOR")]
    pub exclude: Vec<String>,

    /// Leave out digests that carry a tag matching these regular expressions. Also spelled `-xre`.
    ///
    /// Example: `-xre '.*-keep$'`.
    #[arg(long, num_args = 0.., value_name = "REGEX")]
    pub exclude_regex: Vec<String>,

    /// Select a digest even when other tags point to it that were not selected; they go with it.
    ///
    /// Example: `-t 1.0 --no-match-all-tags` also takes `stable` if it points to 1.0's digest.
    #[arg(long)]
    pub no_match_all_tags: bool,

    /// Fail (exit code 7) instead of leaving out a digest that unselected tags point to.
    ///
    /// Example: `--raise-intersecting-tag` to learn which tags would hold a digest back.
    #[arg(long)]
    pub raise_intersecting_tag: bool,

    /// Remove the selected tags and leave their manifests (and the manifests' other tags): by
    /// DELETE of the tag where the registry supports it, else by moving the tag onto a throwaway
    /// manifest that is then deleted.
    ///
    /// Example: `remove-tags -r app -t latest-rc --untag-only`.
    #[arg(long, conflicts_with = "untag_partial")]
    pub untag_only: bool,

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

const UNTAGGED_HELP: &str = "\
A plain Distribution registry cannot list untagged manifests. regsweep remembers the digests its
tags pointed to before (each refresh, and `regsweep serve`'s push notifications) and asks the
registry (HEAD) which are still stored. Never selected: a manifest tagged again, a child of a tagged
index, a signature or SBOM of a stored image. Their own signatures and SBOMs go with them.

Examples:
  regsweep -reg registry.example.com query-untagged
  regsweep -reg registry.example.com remove-untagged -r app --older-than 14d --dry-run";

const REMOVAL_HELP: &str = "\
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
    /// Delete without asking (needed when standard input is not a terminal).
    ///
    /// Example: `remove-tags -r app -t '<1.4' --yes` in a cron job.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Show the plan and delete nothing.
    ///
    /// Example: `remove-repos -r old-app --dry-run`.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

/// Whether a query reads what the cache lacks for an exact reclaimable figure.
#[derive(Debug, Args)]
pub struct QueryDetailsArgs {
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
    pub selection: RepoSelectionArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct RemoveTagsArgs {
    #[command(flatten)]
    pub selection: TagSelectionArgs,
    /// Delete even when an -x/-xre value matches no tag. Without it, --yes refuses such a run: an
    /// exclusion that matches nothing protects nothing, and is usually a typo (`-x 1.3.9` where
    /// the tag is `v1.3.9`).
    ///
    /// Example: `-x old-release --yes --allow-unmatched` when that tag may already be gone.
    #[arg(long)]
    pub allow_unmatched: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The journal to restore from; the newest one of the registry when not given.
    ///
    /// Example: `restore ~/.local/share/regsweep/journal/REGISTRY/TIME.json`.
    #[arg(value_name = "JOURNAL")]
    pub journal: Option<PathBuf>,

    /// Only restore these repositories.
    ///
    /// Example: `-r app worker`.
    #[arg(short = 'r', long = "repo", num_args = 1.., value_name = "REPO")]
    pub repo: Vec<String>,
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub action: JournalAction,
}

#[derive(Debug, Subcommand)]
pub enum JournalAction {
    /// List the journals of the registry (of every registry when none is given), with their time and
    /// counts.
    #[command(after_help = "Example:\n  regsweep -reg registry.example.com journal list")]
    List,
}

/// The configuration file, for `regsweep config --help`.
const CONFIG_HELP: &str = "\
The file is $XDG_CONFIG_HOME/regsweep/config.toml (~/.config/regsweep/config.toml), or the one
REGSWEEP_CONFIG names. Flags win over the environment, the environment over the file, the file over
built-in defaults. Never a password: credentials stay with `docker login` and credential helpers.

  [defaults]
  registry = \"prod\"             used when neither --registry nor REGISTRY names one
  format = \"table\"              auto, table, plain, json, or a template
  cache_dir = \"/var/cache/rs\"   where caches go (one file per registry)
  concurrency = 16

  [registries.prod]             `-reg prod` picks it
  url = \"https://registry.example.com\"
  user = \"ci\"                   the password comes from docker's configuration or a helper
  concurrency = 32
  verify = \"/etc/ssl/certs/internal-ca.pem\"

Examples:
  regsweep config list
  regsweep -reg prod config show
  regsweep -reg prod list-repo-names";

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// List the named registries of the configuration file.
    #[command(after_help = "Example:\n  regsweep config list")]
    List,
    /// Show the effective settings and where each came from (flag, environment, config file,
    /// default).
    #[command(
        after_help = "--format template fields: setting, value, from.\n\nExamples:\n  regsweep config show\n  regsweep -reg prod config show"
    )]
    Show,
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub action: CacheAction,
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Show where the registry's cache is, how old it is and what it holds.
    #[command(after_help = "Example:\n  regsweep -reg registry.example.com cache info")]
    Info,
    /// Delete the registry's cache file; the next command reloads from the registry. What the
    /// registry cannot tell again (when tags were first seen, the untagged manifests regsweep
    /// remembers, pull times from the service) goes with it: the command says so and asks first.
    #[command(after_help = "Example:\n  regsweep -reg registry.example.com cache clear --yes")]
    Clear {
        /// Clear without asking, even when the cache holds history the registry cannot give back.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory holding `completions/` and `man/`.
    ///
    /// Example: `cargo run -- generate --out-dir .`.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out_dir: PathBuf,

    /// Do not write: fail when the files on disk differ from what would be generated.
    ///
    /// Example: `regsweep generate --check`.
    #[arg(long)]
    pub check: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::ffi::OsString;

    fn norm(args: &[&str]) -> Vec<String> {
        normalize_args(args.iter().map(OsString::from))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    /// Hundreds of wrong command lines: every one gives a one-line message, at most one hint line.
    #[test]
    fn every_parse_error_is_one_line() {
        let prefixes: &[&[&str]] = &[
            &[],
            &["-reg", "h"],
            &["list-tag-names"],
            &["query-tags", "-r", "app"],
            &["remove-repos", "-r", "app"],
            &["cache"],
            &["journal"],
            &["restore"],
        ];
        let bad: &[&[&str]] = &[
            &["--formt", "json"],
            &["--format", "yaml"],
            &["--format"],
            &["--concurrency", "0"],
            &["--concurrency", "9999999999999999999999"],
            &["--concurrency", "x\ny"],
            &["--keep", "-1"],
            &["--keep", "1.5"],
            &["--log-level", "loud"],
            &["-t"],
            &["--yes", "--dry-run"],
            &["--password-stdin", "-p", "x"],
            &["--sort", "weird"],
            &["nonsense-command"],
            &["--\u{1b}[2J"],
            &["-Z"],
            &["--older-than"],
        ];
        let mut checked = 0;
        for prefix in prefixes {
            for tail in bad {
                let mut argv = vec!["regsweep"];
                argv.extend_from_slice(prefix);
                argv.extend_from_slice(tail);
                let Err(err) = Cli::try_parse_from(normalize_args(argv.iter().map(OsString::from)))
                else {
                    continue;
                };
                if !err.use_stderr() {
                    continue;
                }
                let (message, hint) = one_line_error(&err);
                assert!(
                    !message.is_empty() && !message.contains('\n'),
                    "{argv:?}: {message}"
                );
                assert!(hint.is_none_or(|h| !h.contains('\n')), "{argv:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} errors checked");
    }

    #[test]
    fn suggestions_become_the_hint() {
        let err =
            Cli::try_parse_from(["regsweep", "--formt", "json", "list-repo-names"]).unwrap_err();
        let (message, hint) = one_line_error(&err);
        assert_eq!(message, "unexpected argument '--formt' found");
        assert!(hint.unwrap().contains("'--format'"));
        let err = Cli::try_parse_from(["regsweep", "query-tags"]).unwrap_err();
        let (message, hint) = one_line_error(&err);
        assert!(
            message.starts_with("the following required arguments were not provided: --repo"),
            "{message}"
        );
        assert!(hint.unwrap().starts_with("usage: regsweep query-tags"));
    }

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn single_dash_long_options_are_rewritten() {
        assert_eq!(
            norm(&["regsweep", "-reg", "h:5000", "-cert", "c.pem", "-key=k.pem"]),
            [
                "regsweep",
                "--registry",
                "h:5000",
                "--client-cert",
                "c.pem",
                "--client-key=k.pem"
            ]
        );
    }

    #[test]
    fn option_values_and_trailing_args_are_not_rewritten() {
        assert_eq!(
            norm(&["regsweep", "-p", "-key", "--user", "-reg", "x", "--", "-re"]),
            ["regsweep", "-p", "-key", "--user", "-reg", "x", "--", "-re"]
        );
    }

    #[test]
    fn dregutil_global_options_parse() {
        let cli = Cli::try_parse_from(normalize_args(
            [
                "regsweep",
                "-reg",
                "r:5000",
                "-u",
                "me",
                "-p",
                "pw",
                "-c",
                "None",
                "-v",
                "None",
                "--refresh",
                "--count",
                "-l",
                "DEBUG",
                "--use-get-manifest",
                "--no-raise-intersecting-repo",
                "--digest-auth",
                "yes",
                "list-tag-names",
                "--reverse-sort",
                "--image-names",
                "app",
            ]
            .map(OsString::from),
        ))
        .unwrap();
        assert_eq!(cli.global.registry.as_deref(), Some("r:5000"));
        assert_eq!(cli.global.cache.as_deref(), Some("None"));
        assert_eq!(cli.global.log_level, Some(LogLevel::Debug));
        assert!(cli.global.refresh && cli.global.count && cli.global.use_get_manifest);
        let Command::ListTagNames(args) = cli.command else {
            panic!("wrong command")
        };
        assert_eq!(args.repo, ["app"]);
        assert!(args.reverse_sort && args.image_names);
    }
}
