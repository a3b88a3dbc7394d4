//! The options of each command, in plain form: one struct per command, each resolved from its clap
//! arguments in one place (as uv's `XSettings::resolve`), every field destructured so that a new option
//! is a compile error until it is handled. Commands see these, never clap's types.

use std::path::PathBuf;

use regex::Regex;

use super::selection::{
    Confirmation, QuerySettings, RemoveSettings, parse_age, repo_query, repository_names,
    tag_query, untagged_query,
};
use crate::cli::{
    self, CacheAction, JournalAction, ListRepoNamesArgs, ListTagNamesArgs, OutdatedArgs,
    RestoreArgs, ServeArgs, UsageArgs,
};
use crate::exit::UsageError;
use crate::names::{ImageReference, is_repository_name, is_tag};

/// What to do, with the command's own settings.
#[derive(Debug, Clone)]
pub enum Action {
    ListRepoNames(ListRepoNamesSettings),
    ListTagNames(ListTagNamesSettings),
    Usage(UsageSettings),
    Query(QuerySettings),
    Remove(RemoveSettings),
    Restore(RestoreSettings),
    Outdated(OutdatedSettings),
    /// `history REPOSITORY:TAG`.
    History {
        repository: String,
        tag: String,
    },
    Serve(ServeSettings),
    Policy(PolicySettings),
    JournalList,
    ConfigList,
    ConfigShow,
    CacheInfo,
    CacheClear {
        yes: bool,
    },
    Generate {
        out_dir: PathBuf,
        check: bool,
    },
}

impl Action {
    /// Whether the action works on a registry (and so needs to know which one).
    pub fn reaches_registry(&self) -> bool {
        !matches!(
            self,
            Self::Generate { .. } | Self::JournalList | Self::Policy(PolicySettings::Init { .. })
        )
    }
}

/// `policy init|plan|apply`.
#[derive(Debug, Clone)]
pub enum PolicySettings {
    Init {
        path: PathBuf,
        force: bool,
    },
    Plan {
        path: PathBuf,
        /// `(repository, tag)`; no repository: the tag in every repository.
        explain: Option<(Option<String>, String)>,
        out: Option<PathBuf>,
    },
    Apply {
        path: PathBuf,
        plan_file: Option<PathBuf>,
        max_delete: Option<usize>,
        confirmation: Confirmation,
    },
}

impl PolicySettings {
    fn resolve(action: cli::PolicyAction) -> Result<Self, UsageError> {
        Ok(match action {
            cli::PolicyAction::Init { file, force } => Self::Init {
                path: file.policy,
                force,
            },
            cli::PolicyAction::Plan { file, explain, out } => Self::Plan {
                path: file.policy,
                explain: explain.as_deref().map(explained_tag).transpose()?,
                out,
            },
            cli::PolicyAction::Apply {
                file,
                plan_file,
                max_delete,
                confirm,
            } => Self::Apply {
                path: file.policy,
                plan_file,
                max_delete,
                confirmation: Confirmation::resolve(confirm),
            },
        })
    }
}

/// `--explain REPO:TAG` or `--explain TAG`, each part checked against the spec's grammar.
fn explained_tag(value: &str) -> Result<(Option<String>, String), UsageError> {
    let (repo, tag) = match value.rsplit_once(':') {
        Some((repo, tag)) => (Some(repo.to_owned()), tag.to_owned()),
        None => (None, value.to_owned()),
    };
    let bad_repo = repo.as_deref().is_some_and(|r| !is_repository_name(r));
    if bad_repo || !is_tag(&tag) {
        return Err(UsageError::with_hint(
            format!("invalid --explain {value:?}"),
            "name one tag: REPO:TAG, or TAG to explain it in every repository",
        ));
    }
    Ok((repo, tag))
}

/// `list-repo-names [PATTERN]`.
#[derive(Debug, Clone)]
pub struct ListRepoNamesSettings {
    pub pattern: Option<Regex>,
}

impl ListRepoNamesSettings {
    pub fn resolve(args: ListRepoNamesArgs) -> Result<Self, UsageError> {
        let ListRepoNamesArgs { pattern } = args;
        Ok(Self {
            pattern: pattern.as_deref().map(compile_pattern).transpose()?,
        })
    }
}

/// How `list-tag-names` orders its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSort {
    Name,
    Version,
    Size,
    Created,
}

/// `list-tag-names [REPO...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListTagNamesSettings {
    /// Repositories to list; empty means all.
    pub repos: Vec<String>,
    /// List attachment tags (`sha256-<hex>.sig`) too.
    pub all_tags: bool,
    pub reverse_sort: bool,
    pub image_names: bool,
    pub long: bool,
    pub sort: TagSort,
}

impl ListTagNamesSettings {
    pub fn resolve(args: ListTagNamesArgs) -> Result<Self, UsageError> {
        let ListTagNamesArgs {
            repo,
            all_tags,
            reverse_sort,
            image_names,
            long,
            sort,
        } = args;
        Ok(Self {
            repos: repository_names(repo)?,
            all_tags,
            reverse_sort,
            image_names,
            long,
            sort: match sort {
                cli::TagSort::Name => TagSort::Name,
                cli::TagSort::Version => TagSort::Version,
                cli::TagSort::Size => TagSort::Size,
                cli::TagSort::Created => TagSort::Created,
            },
        })
    }

    /// Whether the listing shows or sorts by what only manifest details tell.
    pub fn needs_details(&self) -> bool {
        self.long || matches!(self.sort, TagSort::Size | TagSort::Created)
    }
}

/// How `usage` orders its repositories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageSort {
    Size,
    Name,
    Tags,
}

/// `usage [REPO...]`.
#[derive(Debug, Clone)]
pub struct UsageSettings {
    /// Repositories to report on; empty means all.
    pub repos: Vec<String>,
    pub sort: UsageSort,
    pub tags: bool,
}

impl UsageSettings {
    pub fn resolve(args: UsageArgs) -> Result<Self, UsageError> {
        let UsageArgs { repo, sort, tags } = args;
        Ok(Self {
            repos: repository_names(repo)?,
            sort: match sort {
                cli::UsageSort::Size => UsageSort::Size,
                cli::UsageSort::Name => UsageSort::Name,
                cli::UsageSort::Tags => UsageSort::Tags,
            },
            tags,
        })
    }
}

/// `restore [JOURNAL] [-r REPO...]`.
#[derive(Debug, Clone)]
pub struct RestoreSettings {
    pub journal: Option<PathBuf>,
    /// Only these repositories; empty means all.
    pub repos: Vec<String>,
}

impl RestoreSettings {
    pub fn resolve(args: RestoreArgs) -> Result<Self, UsageError> {
        let RestoreArgs { journal, repo } = args;
        Ok(Self {
            journal,
            repos: repository_names(repo)?,
        })
    }
}

/// `outdated IMAGE... [--from FILE]`.
#[derive(Debug, Clone)]
pub struct OutdatedSettings {
    pub images: Vec<ImageReference>,
    /// Files to read more references from (`-`: standard input); read by the command.
    pub from: Vec<PathBuf>,
}

impl OutdatedSettings {
    pub fn resolve(args: OutdatedArgs) -> Result<Self, UsageError> {
        let OutdatedArgs { images, from } = args;
        let images = images
            .iter()
            .map(|text| {
                ImageReference::parse(text).ok_or_else(|| {
                    UsageError::with_hint(
                        format!("invalid image reference {text:?}"),
                        "write REPO:TAG or HOST/REPO:TAG, e.g. team-a/web:1.4",
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { images, from })
    }
}

/// `serve`: what the command line says; the configuration file fills in the rest.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub config: Option<PathBuf>,
    pub listen: Option<std::net::SocketAddr>,
    /// `Some(None)`: `0`, never read the registry again.
    pub refresh_interval: Option<Option<std::time::Duration>>,
    pub no_auth: bool,
}

impl ServeSettings {
    pub fn resolve(args: ServeArgs) -> Result<Self, UsageError> {
        let ServeArgs {
            config,
            // Handled before anything is resolved (`main`).
            print_default_config: _,
            listen,
            refresh_interval,
            no_auth,
        } = args;
        Ok(Self {
            config,
            listen,
            refresh_interval: refresh_interval
                .as_deref()
                .map(parse_interval)
                .transpose()?,
            no_auth,
        })
    }
}

/// An interval such as `1h` or `30m`; `0` for never.
pub fn parse_interval(text: &str) -> Result<Option<std::time::Duration>, UsageError> {
    if text.trim() == "0" {
        return Ok(None);
    }
    let age = parse_age(text)?;
    Ok(Some(age.unsigned_abs()))
}

impl Action {
    /// The action a command asks for. `raise_intersecting_repo` is dregutil's global option that
    /// belongs to the selections.
    pub fn resolve(
        command: cli::Command,
        raise_intersecting_repo: bool,
    ) -> Result<Self, UsageError> {
        use cli::Command;
        let raise = raise_intersecting_repo;
        Ok(match command {
            Command::QueryRepos(args) => Self::Query(QuerySettings {
                query: repo_query(args.selection, raise)?,
                details: args.details.details,
            }),
            Command::QueryTags(args) => Self::Query(QuerySettings {
                query: tag_query("query-tags", args.selection, raise)?,
                details: args.details.details,
            }),
            Command::QueryUntagged(args) => Self::Query(QuerySettings {
                query: untagged_query(args.untagged)?,
                details: args.details.details,
            }),
            Command::RemoveRepos(args) => Self::Remove(RemoveSettings {
                query: repo_query(args.selection, raise)?,
                confirmation: Confirmation::resolve(args.confirm),
                allow_unmatched: false,
            }),
            Command::RemoveTags(args) => Self::Remove(RemoveSettings {
                query: tag_query("remove-tags", args.selection, raise)?,
                confirmation: Confirmation::resolve(args.confirm),
                allow_unmatched: args.allow_unmatched,
            }),
            Command::RemoveUntagged(args) => Self::Remove(RemoveSettings {
                query: untagged_query(args.untagged)?,
                confirmation: Confirmation::resolve(args.confirm),
                allow_unmatched: false,
            }),
            Command::Restore(args) => Self::Restore(RestoreSettings::resolve(args)?),
            Command::Outdated(args) => Self::Outdated(OutdatedSettings::resolve(args)?),
            Command::History(args) => {
                let (repository, tag) = history_tag(&args.tag)?;
                Self::History { repository, tag }
            }
            Command::Serve(args) => Self::Serve(ServeSettings::resolve(args)?),
            Command::Policy(args) => Self::Policy(PolicySettings::resolve(args.action)?),
            Command::Journal(args) => match args.action {
                JournalAction::List => Self::JournalList,
            },
            Command::ListRepoNames(args) => {
                Self::ListRepoNames(ListRepoNamesSettings::resolve(args)?)
            }
            Command::ListTagNames(args) => Self::ListTagNames(ListTagNamesSettings::resolve(args)?),
            Command::Usage(args) => Self::Usage(UsageSettings::resolve(args)?),
            Command::Config(args) => match args.action {
                cli::ConfigAction::List => Self::ConfigList,
                cli::ConfigAction::Show => Self::ConfigShow,
            },
            Command::Cache(args) => match args.action {
                CacheAction::Info => Self::CacheInfo,
                CacheAction::Clear { yes } => Self::CacheClear { yes },
            },
            Command::Generate(args) => Self::Generate {
                out_dir: args.out_dir,
                check: args.check,
            },
        })
    }
}

/// `REPOSITORY:TAG`, each part checked against the distribution spec's grammar.
fn history_tag(value: &str) -> Result<(String, String), UsageError> {
    let (repository, tag) = value.rsplit_once(':').unwrap_or((value, ""));
    if !crate::names::is_repository_name(repository) || !crate::names::is_tag(tag) {
        return Err(UsageError::with_hint(
            format!("{value:?} is not REPOSITORY:TAG"),
            "e.g. `regsweep history app:latest`",
        ));
    }
    Ok((repository.to_owned(), tag.to_owned()))
}

/// `list-repo-names`'s PATTERN, searched anywhere in a name.
fn compile_pattern(pattern: &str) -> Result<Regex, UsageError> {
    Regex::new(pattern).map_err(|e| {
        UsageError::with_hint(
            format!(
                "invalid repository pattern {pattern:?}: {}",
                regex_reason(&e.to_string())
            ),
            "PATTERN is a regular expression searched anywhere in the name, e.g. '^team-a/'",
        )
    })
}

/// regex errors span several lines (the pattern, a caret, the reason); the reason is on the last.
pub fn regex_reason(message: &str) -> &str {
    message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(message)
        .trim()
        .trim_start_matches("error: ")
}
