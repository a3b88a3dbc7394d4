//! Arguments and environment turned into plain, validated settings: the global options here, each
//! command's own in `commands.rs`. Commands never see clap types.

mod commands;
pub mod config;
mod remote;
mod selection;

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;

pub use commands::{
    Action, ListRepoNamesSettings, ListTagNamesSettings, OutdatedSettings, PolicySettings,
    RestoreSettings, ServeSettings, TagSort, UsageSettings, UsageSort, parse_interval,
};
pub use remote::{GitlabSettings, HarborSettings, StoreSettings, store_settings};
use remote::{gitlab_settings, gitlab_token, harbor_settings, is_off, tls_settings};
pub use selection::{Confirmation, QuerySettings, RemoveSettings, parse_age};

use crate::cli::{Cli, ColorChoice, Format, GlobalArgs, LogLevel};
use crate::credentials::CredentialSource;
use crate::exit::UsageError;
use crate::output::{OutputFormat, Template, TemplateError};
use crate::registry::{ClientConfig, ConfigError, RegistryAddress, TlsConfig};
use config::ConfigFile;
pub use config::{Given, NamedRegistry, Origin, Source};

/// Where the cache lives, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheChoice {
    /// The per-registry file in the user's cache directory.
    Default,
    File(PathBuf),
    Disabled,
}

#[derive(Debug)]
pub struct Settings {
    registry: Option<RegistryAddress>,
    pub cache: CacheChoice,
    pub refresh: bool,
    pub count: bool,
    pub format: OutputFormat,
    /// `--format '{{field}} ...'`.
    pub template: Option<Template>,
    /// `--color`: `Some(true)` always, `Some(false)` never, `None` auto.
    pub color: Option<bool>,
    /// `--verbose`: per-phase timings.
    pub verbose: bool,
    pub quiet: bool,
    pub log_level: LogLevel,
    /// Requests in flight, pinned; `None` lets the client find the registry's limit.
    pub concurrency: Option<usize>,
    pub use_get_manifest: bool,
    /// Where credentials come from; they are resolved (a helper run, a password asked for) only
    /// when the registry first asks for them.
    credential_source: CredentialSource,
    prefer_digest: bool,
    pub tls: TlsConfig,
    /// Things worth telling the user before anything runs (e.g. verification disabled).
    pub warnings: Vec<String>,
    /// `--gitlab`: repositories come from GitLab's API.
    pub gitlab: Option<GitlabSettings>,
    /// `--harbor`: repositories and tags come from Harbor's API.
    pub harbor: Option<HarborSettings>,
    /// `--store URL`: the service's state in PostgreSQL; `None`: embedded.
    pub store: Option<StoreSettings>,
    /// The effective settings and where each came from (`regsweep config show`).
    pub origins: Vec<Origin>,
    pub config_path: Option<PathBuf>,
    pub named_registries: Vec<(String, NamedRegistry)>,
}

/// `--color`: `Some(true)` always, `Some(false)` never, `None` where the stream is a terminal.
fn color_choice(choice: ColorChoice) -> Option<bool> {
    match choice {
        ColorChoice::Auto => None,
        ColorChoice::Always => Some(true),
        ColorChoice::Never => Some(false),
    }
}

/// `--cache FILE`, `-c None`, `--no-cache`.
fn cache_choice(cache: Option<String>, no_cache: bool) -> CacheChoice {
    match cache {
        _ if no_cache => CacheChoice::Disabled,
        None => CacheChoice::Default,
        Some(value) if is_off(&value) => CacheChoice::Disabled,
        Some(path) => CacheChoice::File(PathBuf::from(path)),
    }
}

/// A password needs a user to go with.
fn check_credentials(source: &CredentialSource) -> Result<(), UsageError> {
    if source.user.is_none() && (source.password.is_some() || source.password_stdin) {
        return Err(UsageError::with_hint(
            "a password was given without --user",
            "pass --user or set REGISTRY_USER",
        ));
    }
    Ok(())
}

/// `--format`: a table on a terminal and plain columns otherwise (auto), or as given; a template
/// is read here, so a mistake in it is a usage error before anything runs.
fn output_format(format: Format) -> Result<(OutputFormat, Option<Template>), UsageError> {
    Ok(match format {
        Format::Auto if std::io::stdout().is_terminal() => (OutputFormat::Table, None),
        Format::Auto | Format::Plain => (OutputFormat::Plain, None),
        Format::Table => (OutputFormat::Table, None),
        Format::Json => (OutputFormat::Json, None),
        Format::Template(text) => {
            let template: Template = text.parse().map_err(|e: TemplateError| {
                UsageError::with_hint(
                    e.to_string(),
                    "write fields as {{field}}: the keys of the command's --format json objects",
                )
            })?;
            (OutputFormat::Template, Some(template))
        }
    })
}

/// Turns the parsed command line into the global settings and the command's action: the command
/// line and environment first (`given` says which gave what), then the configuration file, then
/// built-in defaults.
pub fn resolve(cli: Cli, given: &Given) -> anyhow::Result<(Settings, Action)> {
    let Cli {
        mut global,
        command,
    } = cli;
    // A service logs its requests at info level unless told otherwise.
    let default_level = match command {
        crate::cli::Command::Serve(_) => LogLevel::Info,
        _ => LogLevel::Warning,
    };
    let action = Action::resolve(command, !global.no_raise_intersecting_repo)?;
    // The environment never conflicts with a flag: --password-stdin wins over REGISTRY_PASSWORD;
    // only the two flags together are a mistake.
    if global.password_stdin {
        match given.of("password") {
            Source::Flag => {
                return Err(UsageError::with_hint(
                    "--password and --password-stdin both give the password",
                    "pass one of them",
                )
                .into());
            }
            _ => global.password = None,
        }
    }
    let file = ConfigFile::load()?;
    let mut origins = match &file {
        Some(file) => file.apply(&mut global, given)?,
        None => Vec::new(),
    };
    config::other_origins(&global, given, &mut origins);
    let mut settings = Settings::resolve(global, default_level)?;
    settings.origins = origins;
    if let Some(file) = file {
        settings.config_path = Some(file.path);
        settings.named_registries = file.registries.into_iter().collect();
    }
    Ok((settings, action))
}

/// Which global options the command line or the environment gave (clap's value sources).
pub fn given(matches: &clap::ArgMatches) -> Given {
    use clap::parser::ValueSource;
    let mut given = BTreeMap::new();
    for id in [
        "registry",
        "user",
        "password",
        "concurrency",
        "format",
        "cache",
        "verify",
        "store",
    ] {
        let mut at = Some(matches);
        while let Some(m) = at {
            match m.try_contains_id(id).ok().and_then(|_| m.value_source(id)) {
                Some(ValueSource::CommandLine) => {
                    given.insert(id, Source::Flag);
                    break;
                }
                Some(ValueSource::EnvVariable) => {
                    given.insert(id, Source::Environment);
                    break;
                }
                _ => at = m.subcommand().map(|(_, sub)| sub),
            }
        }
    }
    Given(given)
}

impl Settings {
    /// Validates the global options. Every field is destructured, so a new option is a compile error
    /// here until it is handled. `default_level` is the command's log level without `--log-level`.
    pub fn resolve(args: GlobalArgs, default_level: LogLevel) -> anyhow::Result<Self> {
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
            color,
            verbose,
            store,
            store_password_file,
            gitlab,
        } = args;
        let store = store_settings(store, store_password_file)?;
        let harbor = harbor_settings(&gitlab)?;
        let gitlab_token = gitlab_token(&gitlab)?;
        let gitlab = gitlab_settings(gitlab, gitlab_token.clone())?;

        let registry_as_given = registry.filter(|r| !r.trim().is_empty());
        let registry = registry_as_given
            .as_deref()
            .map(RegistryAddress::parse)
            .transpose()?;

        let cache = cache_choice(cache, no_cache);
        let (tls, warnings) = tls_settings(verify, insecure, client_cert, client_key)?;

        let prefer_digest = digest_auth.as_deref().is_some_and(|v| !is_off(v));
        let credential_source = CredentialSource {
            user,
            password,
            password_stdin,
            registry_as_given,
            gitlab_token,
        };
        check_credentials(&credential_source)?;

        let (format, template) = output_format(format)?;

        Ok(Self {
            registry,
            cache,
            refresh,
            count,
            format,
            template,
            color: color_choice(color),
            verbose,
            quiet,
            log_level: log_level.unwrap_or(default_level),
            concurrency: concurrency.map(usize::from),
            use_get_manifest,
            credential_source,
            prefer_digest,
            tls,
            warnings,
            gitlab,
            harbor,
            store,
            origins: Vec::new(),
            config_path: None,
            named_registries: Vec::new(),
        })
    }

    /// The registry to work on; a usage error naming both ways to give one when there is none.
    pub fn registry(&self) -> Result<&RegistryAddress, ConfigError> {
        self.registry.as_ref().ok_or(ConfigError::NoRegistry)
    }

    /// The registry from elsewhere (a service's configuration file) when none was given.
    pub fn or_registry(mut self, registry: RegistryAddress) -> Self {
        self.registry.get_or_insert(registry);
        self
    }

    /// How to reach the registry. Nothing is resolved yet: the client asks for the credential when
    /// the registry first challenges it, so a run that sends no request never runs a credential
    /// helper or asks for a password. `registry` is the one given, or the one GitLab's API named.
    pub fn client_config_for(&self, registry: RegistryAddress) -> Result<ClientConfig, UsageError> {
        let source = self.credential_source.clone();
        let credentials: crate::registry::CredentialProvider =
            if crate::credentials::asks_on_terminal(&source) {
                // The password prompt comes now, before any progress display starts: a bar
                // redrawn over the prompt would erase it, and the run would look hung.
                let credential = crate::credentials::resolve(&source, &registry)?;
                Arc::new(move || Ok(credential.clone()))
            } else {
                let for_client = registry.clone();
                Arc::new(move || {
                    crate::credentials::resolve(&source, &for_client).map_err(Into::into)
                })
            };
        Ok(ClientConfig {
            address: registry,
            concurrency: self.concurrency,
            use_get_manifest: self.use_get_manifest,
            credentials,
            prefer_digest: self.prefer_digest,
            tls: self.tls.clone(),
        })
    }

    /// The password Docker's configuration (or a credential helper) holds for `registry`: a GitLab
    /// token stored by `docker login` serves GitLab's API too.
    pub fn stored_password(
        &self,
        registry: &RegistryAddress,
    ) -> Result<Option<String>, UsageError> {
        let source = CredentialSource {
            gitlab_token: None,
            ..self.credential_source.clone()
        };
        Ok(match crate::credentials::resolve(&source, registry)? {
            Some(crate::registry::Credential::Password { password, .. }) => Some(password),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn resolve(args: &[&str]) -> anyhow::Result<Settings> {
        let mut argv = vec!["regsweep"];
        argv.extend_from_slice(args);
        argv.push("list-repo-names");
        Settings::resolve(Cli::try_parse_from(argv).unwrap().global, LogLevel::Warning)
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
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "").unwrap();
        let s = resolve(&["--verify", ca.to_str().unwrap()]).unwrap();
        assert_eq!(s.tls.extra_ca, Some(ca));
        assert!(!s.tls.insecure);
        assert!(resolve(&["--verify", "/etc/regsweep-no-such-ca.pem"]).is_err());
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
        assert!(matches!(s.registry(), Err(ConfigError::NoRegistry)));
    }
}
