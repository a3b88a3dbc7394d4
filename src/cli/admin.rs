//! The commands around the main job: restore, journal, config, cache, serve and the
//! maintainers' generate.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The tag, as REPOSITORY:TAG.
    ///
    /// Example: `app:latest`, `team/web:1.4`.
    #[arg(value_name = "REPOSITORY:TAG")]
    pub tag: String,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The journal to restore from [default: the newest].
    ///
    /// The newest journal of the registry when not given.
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
    /// List the journals of the registry.
    ///
    /// List the journals of the registry (of every registry when none is given), with their time and
    /// counts.
    #[command(after_help = "Example:\n  regsweep -reg registry.example.com journal list")]
    List,
}

/// The configuration file, for `regsweep config --help`.
pub(super) const CONFIG_HELP: &str = "\
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
    /// Show the effective settings and their origin.
    ///
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
    /// Delete the registry's cache file.
    ///
    /// The next command reloads from the registry. What the
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (TOML); these options override it.
    ///
    /// Example: `--config /etc/regsweep/serve.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print a commented default configuration.
    ///
    /// Print it and exit; every other option is ignored.
    #[arg(long)]
    pub print_default_config: bool,

    /// Address to listen on [default: 127.0.0.1:8080].
    ///
    /// Another address than loopback is the
    /// user's explicit choice; port 0 picks a free port (printed at start).
    ///
    /// Example: `--listen 0.0.0.0:8080`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,

    /// How often to read the whole registry [default: 1h].
    ///
    /// `0` never (notifications keep it fresh). At start the registry is read when the cache is
    /// missing or older than this.
    ///
    /// Example: `--refresh-interval 6h`.
    #[arg(long, value_name = "AGE")]
    pub refresh_interval: Option<String>,

    /// Serve without login (loopback only).
    ///
    /// Allowed only on a loopback address, and warned about at every start.
    #[arg(long)]
    pub no_auth: bool,
}
