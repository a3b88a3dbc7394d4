//! Options every command takes (dregutil's spellings among them), and GitLab's.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::MAX_CONCURRENCY;

/// GitLab: repositories found through its API instead of the catalog (which GitLab refuses to
/// non-admin tokens). The token comes from GITLAB_TOKEN, --gitlab-token-stdin, or Docker's
/// configuration for the registry host.
#[derive(Debug, Args)]
pub struct GitlabArgs {
    /// GitLab's address; its registry's repositories are found through its REST API.
    ///
    /// Example: `--gitlab https://gitlab.example.com --project team/app`.
    #[arg(
        long,
        env = "GITLAB_URL",
        global = true,
        value_name = "URL",
        help_heading = "GitLab and Harbor",
        hide_short_help = true
    )]
    pub gitlab: Option<String>,

    /// A project whose registry repositories to work on; repeatable.
    ///
    /// GitLab: a path or a numeric id. Harbor: a project's name (without it, every project the
    /// credentials can see).
    ///
    /// Example: `--project team/app --project 42`, `--harbor https://harbor.example.com --project
    /// web`.
    #[arg(
        long,
        global = true,
        value_name = "PATH_OR_ID",
        help_heading = "GitLab and Harbor",
        hide_short_help = true
    )]
    pub project: Vec<String>,

    /// A group (path or numeric id) whose projects' registry repositories to work on, subgroups
    /// included; repeatable.
    ///
    /// Example: `--group team`.
    #[arg(
        long,
        global = true,
        value_name = "PATH_OR_ID",
        requires = "gitlab",
        help_heading = "GitLab and Harbor",
        hide_short_help = true
    )]
    pub group: Vec<String>,

    /// Read the GitLab token (personal, project, group or deploy token) from the first line of
    /// standard input.
    ///
    /// Example: `echo "$TOKEN" | regsweep --gitlab URL --project team/app --gitlab-token-stdin ...`.
    #[arg(
        long,
        global = true,
        requires = "gitlab",
        conflicts_with = "password_stdin",
        help_heading = "GitLab and Harbor",
        hide_short_help = true
    )]
    pub gitlab_token_stdin: bool,

    /// Harbor's address; its projects' repositories and artifacts are read through its API.
    ///
    /// Its API takes the registry's credentials (a user, or a robot account and its secret).
    /// Tags, digests, push and pull times come in pages instead of a request per tag.
    ///
    /// Example: `--harbor https://harbor.example.com --project web`.
    #[arg(
        long,
        env = "HARBOR_URL",
        global = true,
        value_name = "URL",
        conflicts_with = "gitlab",
        help_heading = "GitLab and Harbor",
        hide_short_help = true
    )]
    pub harbor: Option<String>,
}

/// Options shared by every command. As in dregutil they may be given before the command; regsweep also
/// accepts them after it.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The registry: host[:port] or a URL (-reg).
    ///
    /// `host[:port]` (https assumed), `http(s)://host[:port]`, or a name from the configuration
    /// file. Also spelled `-reg`.
    ///
    /// Example: `--registry registry.example.com:5000`, `-reg http://127.0.0.1:5000`.
    #[arg(
        long,
        env = "REGISTRY",
        global = true,
        value_name = "REGISTRY",
        help_heading = "Registry"
    )]
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
        value_name = "USER",
        help_heading = "Registry",
        hide_short_help = true
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
        value_name = "PASSWORD",
        help_heading = "Registry",
        hide_short_help = true
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
        hide_env_values = true,
        help_heading = "Registry",
        hide_short_help = true
    )]
    pub digest_auth: Option<String>,

    /// Read the password for --user from the first line of standard input.
    ///
    /// Example: `echo "$TOKEN" | regsweep -u ci-cleaner --password-stdin list-repo-names`.
    /// (Given with --password on the command line it is an error; over REGISTRY_PASSWORD it wins.)
    #[arg(long, global = true, help_heading = "Registry", hide_short_help = true)]
    pub password_stdin: bool,

    /// Where the service's state is: a PostgreSQL URL shared by the service's replicas and by
    /// commands on other hosts (pulls, tags' history, the inventory). Without it the state is
    /// embedded: the cache files and an SQLite file beside the journals. The password: in the URL,
    /// from --store-password-file, or PGPASSWORD.
    ///
    /// Example: `--store postgres://regsweep@db.example.com/regsweep`.
    #[arg(
        long,
        env = "REGSWEEP_STORE",
        global = true,
        value_name = "URL",
        help_heading = "Cache and store",
        hide_short_help = true
    )]
    pub store: Option<String>,

    /// A file holding the store's password (its first line).
    ///
    /// Example: `--store-password-file /etc/regsweep/pg-password`.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Cache and store",
        hide_short_help = true
    )]
    pub store_password_file: Option<PathBuf>,

    #[command(flatten)]
    pub gitlab: GitlabArgs,

    /// Client certificate (PEM); it may include the key. Also spelled `-cert`.
    ///
    /// Example: `-cert /etc/regsweep/client.pem`.
    #[arg(
        long,
        env = "REGISTRY_CLIENT_CERT",
        global = true,
        value_name = "FILE",
        help_heading = "TLS",
        hide_short_help = true
    )]
    pub client_cert: Option<PathBuf>,

    /// Key of the client certificate (PEM). Also spelled `-key`.
    ///
    /// Example: `-cert client.crt -key client.key`.
    #[arg(
        long,
        env = "REGISTRY_CLIENT_KEY",
        global = true,
        value_name = "FILE",
        help_heading = "TLS",
        hide_short_help = true
    )]
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
        value_name = "CA_BUNDLE|None",
        help_heading = "TLS",
        hide_short_help = true
    )]
    pub verify: Option<String>,

    /// Do not verify the registry's TLS certificate (same as `--verify None`); a warning says so.
    ///
    /// Example: `--insecure` for a test registry with a self-signed certificate.
    #[arg(long, global = true, help_heading = "TLS", hide_short_help = true)]
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
        value_name = "FILE|None",
        help_heading = "Cache and store",
        hide_short_help = true
    )]
    pub cache: Option<String>,

    /// Disable the cache: read the registry live and write nothing (same as `-c None`).
    ///
    /// Example: `regsweep --no-cache list-tag-names app`.
    #[arg(
        long,
        global = true,
        help_heading = "Cache and store",
        hide_short_help = true
    )]
    pub no_cache: bool,

    /// Reload everything from the registry and rewrite the cache.
    ///
    /// Example: `regsweep --refresh list-repo-names` after pushing images.
    #[arg(
        long,
        global = true,
        help_heading = "Cache and store",
        hide_short_help = true
    )]
    pub refresh: bool,

    /// Print the number of listed items after the list, under a dashed line (not with JSON, whose
    /// array has a length).
    ///
    /// Example: `regsweep --count list-tag-names app`.
    #[arg(long, global = true, help_heading = "Output", hide_short_help = true)]
    pub count: bool,

    /// Leave out digests other repositories tag.
    ///
    /// Leave out digests shared with unselected repositories instead of failing (exit code 7).
    ///
    /// Example: `--no-raise-intersecting-repo`.
    #[arg(
        long,
        global = true,
        help_heading = "Selection",
        hide_short_help = true
    )]
    pub no_raise_intersecting_repo: bool,

    /// Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where
    /// HEAD is refused or gives no digest.
    ///
    /// Example: `--use-get-manifest`, or `DOCKER_UTIL_GET_MANIFEST=1`.
    #[arg(
        long,
        env = "DOCKER_UTIL_GET_MANIFEST",
        global = true,
        value_parser = clap::builder::FalseyValueParser::new(),
        help_heading = "Registry", hide_short_help = true
    )]
    pub use_get_manifest: bool,

    /// Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted)
    /// [default: warning; info for `serve`, which logs one line per request].
    ///
    /// Example: `-l debug` to see every request and its status (never credentials).
    #[arg(
        short = 'l',
        long,
        value_enum,
        ignore_case = true,
        global = true,
        help_heading = "Output",
        hide_short_help = true
    )]
    pub log_level: Option<LogLevel>,

    /// How many requests may be in flight at once, 1 to 256. Without it regsweep finds the
    /// registry's limit by itself: it starts at 8, grows while answers stay quick and healthy, backs
    /// off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or
    /// 1,024 over HTTP/2 (up to eight connections of 128 streams).
    ///
    /// Example: `--concurrency 32` to pin it.
    #[arg(
        long,
        global = true,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_CONCURRENCY)),
        help_heading = "Registry", hide_short_help = true
    )]
    pub concurrency: Option<u16>,

    /// Output format: auto (a table on a terminal, dregutil's plain columns when piped), table,
    /// plain, json, or a template of the JSON fields, one line per row.
    ///
    /// Example: `--format json | jq '.[].digest'`, `--format '{{repository}}:{{tag}} {{digest}}'`.
    #[arg(long, default_value = "auto", global = true, value_parser = parse_format, value_name = "FORMAT", help_heading = "Output", hide_short_help = true)]
    pub format: Format,

    /// Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto
    /// (on a terminal, unless NO_COLOR is set), always or never.
    ///
    /// Example: `--color never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN", help_heading = "Output", hide_short_help = true)]
    pub color: ColorChoice,

    /// Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is
    /// dregutil's --verify.)
    ///
    /// Example: `--verbose remove-tags -r app -t '<1.4' --dry-run`.
    #[arg(long, global = true, help_heading = "Output", hide_short_help = true)]
    pub verbose: bool,

    /// Silence the progress bar and notes on stderr (warnings and errors are still shown).
    ///
    /// Example: `regsweep -q list-repo-names` in cron jobs.
    #[arg(
        short = 'q',
        long,
        global = true,
        help_heading = "Output",
        hide_short_help = true
    )]
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
