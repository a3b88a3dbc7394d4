//! Arguments and environment turned into plain, validated settings. Commands never see clap types.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use crate::cli::{
    CacheAction, Cli, Command, ConfirmArgs, Format, GlobalArgs, JournalAction, KeepBy as CliKeepBy,
    LogLevel, RepoSelectionArgs, RetentionArgs, TagSelectionArgs, TagSort, UsageSort,
};
use crate::commands::remove::Confirmation;
use crate::credentials::CredentialSource;
use crate::exit::UsageError;
use crate::registry::{
    ClientConfig, Credential, RegistryAddress, TlsConfig, is_repository_name, is_tag, no_registry,
};
use crate::select::{KeepBy, Query, RepoQuery, Retention, TagQuery, TagSelector};

/// Where the cache lives, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheChoice {
    /// The per-registry file in the user's cache directory.
    Default,
    File(PathBuf),
    Disabled,
}

/// How listings are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Plain,
    Json,
}

#[derive(Debug)]
pub struct Settings {
    registry: Option<RegistryAddress>,
    pub cache: CacheChoice,
    pub refresh: bool,
    pub count: bool,
    pub format: OutputFormat,
    pub quiet: bool,
    pub log_level: LogLevel,
    pub concurrency: usize,
    pub use_get_manifest: bool,
    credential_source: CredentialSource,
    /// Resolved on first use (it may prompt), then kept for every client of the run.
    credential: std::sync::OnceLock<Option<Credential>>,
    prefer_digest: bool,
    pub tls: TlsConfig,
    /// Things worth telling the user before anything runs (e.g. verification disabled).
    pub warnings: Vec<String>,
}

/// What to do, with the command's own options in plain form.
#[derive(Debug, Clone)]
pub enum Action {
    ListRepoNames {
        pattern: Option<String>,
    },
    ListTagNames(TagListing),
    Usage {
        repos: Vec<String>,
        sort: UsageSort,
        tags: bool,
    },
    Query(Query),
    Remove(Query, Confirmation),
    Restore {
        journal: Option<PathBuf>,
        repos: Vec<String>,
    },
    JournalList,
    CacheInfo,
    CacheClear,
    Generate {
        out_dir: PathBuf,
        check: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagListing {
    /// Repositories to list; empty means all.
    pub repos: Vec<String>,
    pub reverse_sort: bool,
    pub image_names: bool,
    pub long: bool,
    pub sort: TagSort,
}

/// Turns the parsed command line into settings and an action.
pub fn resolve(cli: Cli) -> Result<(Settings, Action), UsageError> {
    let Cli { global, command } = cli;
    let raise_intersecting_repo = !global.no_raise_intersecting_repo;
    let action = match command {
        Command::QueryRepos(args) => {
            Action::Query(Query::Repos(repo_query(args, raise_intersecting_repo)?))
        }
        Command::QueryTags(args) => Action::Query(Query::Tags(tag_query(
            "query-tags",
            args,
            raise_intersecting_repo,
        )?)),
        Command::RemoveRepos(args) => Action::Remove(
            Query::Repos(repo_query(args.selection, raise_intersecting_repo)?),
            confirmation(args.confirm),
        ),
        Command::RemoveTags(args) => Action::Remove(
            Query::Tags(tag_query(
                "remove-tags",
                args.selection,
                raise_intersecting_repo,
            )?),
            confirmation(args.confirm),
        ),
        Command::Restore(args) => Action::Restore {
            journal: args.journal,
            repos: repository_names(args.repo)?,
        },
        Command::Journal(args) => match args.action {
            JournalAction::List => Action::JournalList,
        },
        Command::ListRepoNames(args) => Action::ListRepoNames {
            pattern: args.pattern,
        },
        Command::ListTagNames(args) => Action::ListTagNames(TagListing {
            repos: repository_names(args.repo)?,
            reverse_sort: args.reverse_sort,
            image_names: args.image_names,
            long: args.long,
            sort: args.sort,
        }),
        Command::Usage(args) => Action::Usage {
            repos: repository_names(args.repo)?,
            sort: args.sort,
            tags: args.tags,
        },
        Command::Cache(args) => match args.action {
            CacheAction::Info => Action::CacheInfo,
            CacheAction::Clear => Action::CacheClear,
        },
        Command::Generate(args) => Action::Generate {
            out_dir: args.out_dir,
            check: args.check,
        },
    };
    Ok((Settings::resolve(global)?, action))
}

fn confirmation(args: ConfirmArgs) -> Confirmation {
    Confirmation {
        yes: args.yes,
        dry_run: args.dry_run,
    }
}

fn repo_query(
    args: RepoSelectionArgs,
    raise_intersecting_repo: bool,
) -> Result<RepoQuery, UsageError> {
    Ok(RepoQuery {
        repositories: repository_names(args.repo)?,
        raise_intersecting_repo,
        retention: retention(args.retention)?,
    })
}

/// The tag selection of `query-tags` / `remove-tags`, every selector read (and any bad one reported)
/// before the registry is touched.
fn tag_query(
    command: &str,
    args: TagSelectionArgs,
    raise_intersecting_repo: bool,
) -> Result<TagQuery, UsageError> {
    let TagSelectionArgs {
        repo,
        tags,
        regex,
        exclude,
        exclude_regex,
        no_match_all_tags,
        raise_intersecting_tag,
        retention: retention_args,
    } = args;
    let retention = retention(retention_args)?;
    let by_retention = retention.filters_by_age() || retention.keep.is_some();
    if tags.is_empty() && regex.is_empty() && !by_retention {
        return Err(UsageError::with_hint(
            format!("{command} needs tags to select"),
            "give -t/--tags (names or version selectors), -re/--regex, or --older-than / --keep, \
             e.g. -t '<1.4'",
        ));
    }
    let usage = |e: crate::select::SelectorError| {
        UsageError::with_hint(
            e.0,
            "see `regsweep query-tags --help` for selectors and regular expressions",
        )
    };
    let parse = |values: &[String]| -> Result<Vec<TagSelector>, UsageError> {
        values
            .iter()
            .map(|v| {
                check_selector(v)?;
                TagSelector::parse(v).map_err(usage)
            })
            .collect()
    };
    let regexes = |values: &[String]| -> Result<Vec<TagSelector>, UsageError> {
        values
            .iter()
            .map(|v| TagSelector::regex(v).map_err(usage))
            .collect()
    };
    let mut include = parse(&tags)?;
    include.extend(regexes(&regex)?);
    let mut excluded = parse(&exclude)?;
    excluded.extend(regexes(&exclude_regex)?);
    Ok(TagQuery {
        repositories: repository_names(repo)?,
        include,
        exclude: excluded,
        match_all_tags: !no_match_all_tags,
        raise_intersecting_repo,
        raise_intersecting_tag,
        retention,
    })
}

/// A `-t`/`-x` value must be printable, and an exact one a tag that could exist: anything else
/// matches nothing, which is never what was meant.
fn check_selector(value: &str) -> Result<(), UsageError> {
    if value.chars().any(char::is_control) {
        return Err(UsageError::with_hint(
            format!("invalid selector {value:?}: it holds a control character"),
            "a selector is a tag name or a version comparison such as '<1.4'",
        ));
    }
    let exact = !crate::version::VersionReq::is_requirement(value);
    if exact && !value.is_empty() && !is_tag(value) {
        return Err(UsageError::with_hint(
            format!("invalid tag {value:?}"),
            "tags are letters, digits, _ . and -, up to 128 characters, not starting with . or -; \
             use -re for patterns",
        ));
    }
    Ok(())
}

/// `--older-than`, `--newer-than`, `--keep`, `--keep-by`, measured from now.
fn retention(args: RetentionArgs) -> Result<Retention, UsageError> {
    let RetentionArgs {
        older_than,
        newer_than,
        keep,
        keep_by,
    } = args;
    Ok(Retention {
        older_than: older_than.as_deref().map(parse_age).transpose()?,
        newer_than: newer_than.as_deref().map(parse_age).transpose()?,
        keep: keep.map(|k| k as usize),
        keep_by: match keep_by {
            CliKeepBy::Created => KeepBy::Created,
            CliKeepBy::Version => KeepBy::Version,
        },
        now: jiff::Timestamp::now(),
    })
}

/// An age such as `30d`, `12h`, `2w`, `1w 3d` (days and weeks counting 24 hours).
fn parse_age(text: &str) -> Result<jiff::SignedDuration, UsageError> {
    let invalid = || {
        UsageError::with_hint(
            format!("invalid age {text:?}"),
            "write a number and a unit: 30d, 12h, 2w, 90m",
        )
    };
    let span: jiff::Span = text.trim().parse().map_err(|_| invalid())?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| invalid())?;
    if duration.is_negative() || duration.is_zero() {
        return Err(invalid());
    }
    Ok(duration)
}

/// Repository names given by the user, each checked against the distribution spec's grammar.
fn repository_names(names: Vec<String>) -> Result<Vec<String>, UsageError> {
    if let Some(bad) = names.iter().find(|n| !is_repository_name(n)) {
        return Err(UsageError::with_hint(
            format!("invalid repository name {bad:?}"),
            "repository names are lower-case letters, digits and . _ - separated by /, e.g. team-a/web",
        ));
    }
    Ok(names)
}

/// dregutil's notion of "off": empty, `false`, `0`, `no`, `none` (any case).
fn is_off(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    matches!(value.as_str(), "" | "false" | "0" | "no" | "none" | "off")
}

fn is_on(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    matches!(value.as_str(), "true" | "1" | "yes" | "on")
}

impl Settings {
    /// Validates the global options. Every field is destructured, so a new option is a compile error
    /// here until it is handled.
    pub fn resolve(args: GlobalArgs) -> Result<Self, UsageError> {
        let GlobalArgs {
            registry,
            user,
            password,
            password_stdin,
            digest_auth,
            client_cert,
            client_key,
            verify,
            insecure,
            cache,
            no_cache,
            refresh,
            count,
            // Read by `resolve`: it belongs to the query and remove actions.
            no_raise_intersecting_repo: _,
            use_get_manifest,
            log_level,
            concurrency,
            format,
            quiet,
        } = args;

        let registry_as_given = registry.filter(|r| !r.trim().is_empty());
        let registry = registry_as_given
            .as_deref()
            .map(RegistryAddress::parse)
            .transpose()?;

        let cache = match cache {
            _ if no_cache => CacheChoice::Disabled,
            None => CacheChoice::Default,
            Some(value) if is_off(&value) => CacheChoice::Disabled,
            Some(path) => CacheChoice::File(PathBuf::from(path)),
        };

        let prefer_digest = digest_auth.as_deref().is_some_and(|v| !is_off(v));
        if user.is_none() && (password.is_some() || password_stdin) {
            return Err(UsageError::with_hint(
                "a password was given without --user",
                "pass --user or set REGISTRY_USER",
            ));
        }
        let credential_source = CredentialSource {
            user,
            password,
            password_stdin,
            registry_as_given,
        };

        let mut warnings = Vec::new();
        let mut tls = TlsConfig {
            insecure,
            client_cert,
            client_key,
            ..TlsConfig::default()
        };
        // requests (and so dregutil) read REQUESTS_CA_BUNDLE; OpenSSL-based tools read SSL_CERT_FILE.
        let verify = verify.or_else(|| {
            std::env::var("SSL_CERT_FILE")
                .ok()
                .filter(|v| !v.is_empty())
        });
        match verify {
            Some(value) if is_off(&value) => tls.insecure = true,
            Some(value) if is_on(&value) => {}
            Some(path) => tls.extra_ca = Some(PathBuf::from(path)),
            None => {}
        }
        if tls.insecure {
            warnings.push(
                "TLS certificate verification is disabled; the registry's identity is not checked"
                    .to_owned(),
            );
        }
        if tls.client_key.is_some() && tls.client_cert.is_none() {
            return Err(UsageError::with_hint(
                "--client-key given without --client-cert",
                "pass the certificate with --client-cert (also -cert)",
            ));
        }

        let format = match format {
            Format::Auto if std::io::stdout().is_terminal() => OutputFormat::Table,
            Format::Auto | Format::Plain => OutputFormat::Plain,
            Format::Table => OutputFormat::Table,
            Format::Json => OutputFormat::Json,
        };

        Ok(Self {
            registry,
            cache,
            refresh,
            count,
            format,
            quiet,
            log_level,
            concurrency: usize::from(concurrency),
            use_get_manifest,
            credential_source,
            credential: std::sync::OnceLock::new(),
            prefer_digest,
            tls,
            warnings,
        })
    }

    /// The registry to work on; a usage error naming both ways to give one when there is none.
    pub fn registry(&self) -> Result<&RegistryAddress, UsageError> {
        self.registry.as_ref().ok_or_else(no_registry)
    }

    /// How to reach the registry: the credential is resolved (and a password asked for) once.
    pub fn client_config(&self) -> Result<ClientConfig, UsageError> {
        let registry = self.registry()?;
        let credential = match self.credential.get() {
            Some(credential) => credential.clone(),
            None => {
                let credential = crate::credentials::resolve(&self.credential_source, registry)?;
                self.credential.get_or_init(|| credential).clone()
            }
        };
        Ok(ClientConfig {
            address: registry.clone(),
            concurrency: self.concurrency,
            use_get_manifest: self.use_get_manifest,
            credential,
            prefer_digest: self.prefer_digest,
            tls: self.tls.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn resolve(args: &[&str]) -> Result<Settings, UsageError> {
        let mut argv = vec!["regsweep"];
        argv.extend_from_slice(args);
        argv.push("list-repo-names");
        Settings::resolve(Cli::try_parse_from(argv).unwrap().global)
    }

    #[test]
    fn cache_none_spellings_disable_the_cache() {
        for off in ["None", "none", "false", "0", "NO"] {
            assert_eq!(resolve(&["-c", off]).unwrap().cache, CacheChoice::Disabled);
        }
        assert_eq!(
            resolve(&["--no-cache"]).unwrap().cache,
            CacheChoice::Disabled
        );
        assert_eq!(
            resolve(&["-c", "x.json"]).unwrap().cache,
            CacheChoice::File("x.json".into())
        );
    }

    #[test]
    fn verify_none_disables_verification_with_a_warning() {
        let s = resolve(&["-v", "None"]).unwrap();
        assert!(s.tls.insecure);
        assert_eq!(s.warnings.len(), 1);
        let s = resolve(&["--verify", "/etc/ca.pem"]).unwrap();
        assert_eq!(s.tls.extra_ca, Some(PathBuf::from("/etc/ca.pem")));
        assert!(!s.tls.insecure);
    }

    #[test]
    fn a_password_without_a_user_is_a_usage_error() {
        assert!(resolve(&["-p", "pw"]).is_err());
        assert!(resolve(&["--password-stdin"]).is_err());
        assert!(resolve(&["-u", "me", "-p", "pw"]).is_ok());
        assert!(
            resolve(&["-u", "me"]).is_ok(),
            "the password is asked for later"
        );
    }

    #[test]
    fn missing_registry_names_both_ways() {
        let s = resolve(&[]).unwrap();
        let err = s.registry().unwrap_err();
        assert!(err.hint.unwrap().contains("REGISTRY"));
    }
}
