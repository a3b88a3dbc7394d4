//! The user's configuration file (`$XDG_CONFIG_HOME/regsweep/config.toml`, or `REGSWEEP_CONFIG`):
//! named registries and defaults, below the command line and the environment, above built-in
//! defaults. Never a password: credentials stay with Docker's configuration and credential helpers.
//!
//! ```toml
//! [defaults]
//! registry = "prod"          # used when neither --registry nor REGISTRY names one
//! format = "table"
//! cache_dir = "/var/cache/regsweep"
//! concurrency = 16
//!
//! [registries.prod]
//! url = "https://registry.example.com"
//! user = "ci"
//! concurrency = 32
//! verify = "/etc/ssl/certs/internal-ca.pem"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{Format, GlobalArgs, MAX_CONCURRENCY};
use crate::exit::UsageError;

/// Where a setting's value came from, for `regsweep config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    File,
    Default,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Self::Flag => "flag",
            Self::Environment => "environment",
            Self::File => "config file",
            Self::Default => "default",
        }
    }
}

/// How the command line gave each global option (clap's value sources), by option id.
#[derive(Debug, Clone, Default)]
pub struct Given(pub BTreeMap<&'static str, Source>);

impl Given {
    pub fn of(&self, id: &str) -> Source {
        self.0.get(id).copied().unwrap_or(Source::Default)
    }
}

/// One effective setting: its name, value and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub setting: &'static str,
    pub value: String,
    pub source: Source,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub registries: BTreeMap<String, NamedRegistry>,
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub registry: Option<String>,
    pub format: Option<String>,
    pub cache_dir: Option<PathBuf>,
    pub concurrency: Option<u16>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedRegistry {
    pub url: String,
    pub user: Option<String>,
    pub concurrency: Option<u16>,
    /// A CA bundle to trust for this registry.
    pub verify: Option<String>,
    /// The service's store for this registry (a PostgreSQL URL), and its password's file.
    pub store: Option<String>,
    pub store_password_file: Option<PathBuf>,
}

impl ConfigFile {
    /// The file `REGSWEEP_CONFIG` names, else `$XDG_CONFIG_HOME/regsweep/config.toml`; none when
    /// there is no such file (a named file that is missing is an error).
    pub fn load() -> Result<Option<Self>, UsageError> {
        let (path, named) = match std::env::var_os("REGSWEEP_CONFIG").filter(|p| !p.is_empty()) {
            Some(path) => (PathBuf::from(path), true),
            None => match dirs::config_dir() {
                Some(dir) => (dir.join("regsweep").join("config.toml"), false),
                None => return Ok(None),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(None),
            Err(e) => {
                return Err(UsageError::new(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        Self::parse(&path, &text).map(Some)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Self, UsageError> {
        let mut file: Self = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            let message = e.message().trim().replace('\n', " ");
            let hint = if message.contains("`password`") {
                "passwords never go in this file: use `docker login` or a credential helper"
            } else {
                "see `regsweep config --help` for the keys"
            };
            UsageError::with_hint(format!("{}:{line}: {message}", path.display()), hint)
        })?;
        file.path = path.to_owned();
        for (name, registry) in &file.registries {
            let bad = |what: &str| {
                UsageError::new(format!("{}: [registries.{name}] {what}", path.display()))
            };
            if registry
                .concurrency
                .is_some_and(|c| c == 0 || c > MAX_CONCURRENCY)
            {
                return Err(bad("concurrency must be 1 to 256"));
            }
            if registry.url.trim().is_empty() {
                return Err(bad("url is empty"));
            }
        }
        if file
            .defaults
            .concurrency
            .is_some_and(|c| c == 0 || c > MAX_CONCURRENCY)
        {
            return Err(UsageError::new(format!(
                "{}: [defaults] concurrency must be 1 to 256",
                path.display()
            )));
        }
        Ok(file)
    }

    /// Fills what the command line and environment left open from the file, and says where each
    /// effective setting came from. A registry given (or defaulted) by a name of the file is that
    /// registry's address, user, concurrency and CA.
    pub fn apply(&self, args: &mut GlobalArgs, given: &Given) -> Result<Vec<Origin>, UsageError> {
        let mut origins = Vec::new();
        let (registry_source, name) = match &args.registry {
            Some(value) => (given.of("registry"), Some(value.clone())),
            None => (Source::File, self.defaults.registry.clone()),
        };
        let named = name
            .as_ref()
            .and_then(|n| self.registries.get(n).map(|r| (n.clone(), r)));
        if let (Some(name), None) = (&self.defaults.registry, &args.registry)
            && named.is_none()
        {
            // An address (`registry.example.com:5000`, `http://127.0.0.1:5000`) is used as
            // given; a bare word names a registry of the file, and one it lacks is a mistake.
            if !name.contains(['.', ':', '/']) {
                return Err(UsageError::with_hint(
                    format!(
                        "{}: [defaults] registry = {name:?} names no [registries.{name}]",
                        self.path.display()
                    ),
                    "name one of the file's [registries.NAME], or give an address such as \
                     registry.example.com:5000",
                ));
            }
            args.registry = Some(name.clone());
        }
        if let Some((name, registry)) = &named {
            apply_named(name, registry, args, (registry_source, given), &mut origins);
        } else if let Some(url) = &args.registry {
            origins.push(origin("registry", url.clone(), registry_source));
        }
        fill(
            &mut args.concurrency,
            self.defaults.concurrency,
            "concurrency",
            given,
            &mut origins,
        );
        if given.of("format") == Source::Default
            && let Some(format) = &self.defaults.format
        {
            args.format = crate::cli::parse_format(format).map_err(|e| {
                UsageError::new(format!("{}: [defaults] format: {e}", self.path.display()))
            })?;
            origins.push(origin("format", format.clone(), Source::File));
        }
        if args.cache.is_none()
            && !args.no_cache
            && let (Some(dir), Some(registry)) = (&self.defaults.cache_dir, &args.registry)
        {
            let stem = crate::registry::RegistryAddress::parse(registry)
                .map(|r| r.file_stem())
                .unwrap_or_else(|_| "registry".to_owned());
            let path = dir.join(format!("{stem}.json"));
            args.cache = Some(path.display().to_string());
            origins.push(origin("cache", path.display().to_string(), Source::File));
        }
        Ok(origins)
    }
}

fn origin(setting: &'static str, value: String, source: Source) -> Origin {
    Origin {
        setting,
        value,
        source,
    }
}

/// A setting the command line left open takes the file's value.
/// A named registry's settings (`[registries.NAME]`), under what the command line and environment
/// gave.
fn apply_named(
    name: &str,
    registry: &NamedRegistry,
    args: &mut GlobalArgs,
    (registry_source, given): (Source, &Given),
    origins: &mut Vec<Origin>,
) {
    args.registry = Some(registry.url.clone());
    origins.push(origin(
        "registry",
        format!("{} ({name})", registry.url),
        registry_source,
    ));
    fill(
        &mut args.user,
        registry.user.clone(),
        "user",
        given,
        origins,
    );
    fill(
        &mut args.verify,
        registry.verify.clone(),
        "verify",
        given,
        origins,
    );
    fill(
        &mut args.concurrency,
        registry.concurrency,
        "concurrency",
        given,
        origins,
    );
    if args.store.is_none() {
        args.store = registry.store.clone();
    }
    if let Some(store) = &args.store {
        origins.push(origin("store", masked_url(store), given.of("store")));
    }
    if args.store_password_file.is_none() {
        args.store_password_file = registry.store_password_file.clone();
    }
}

/// A URL with its password (if any) replaced, for what is shown.
pub fn masked_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn fill<T: Clone + std::fmt::Display>(
    slot: &mut Option<T>,
    from_file: Option<T>,
    setting: &'static str,
    given: &Given,
    origins: &mut Vec<Origin>,
) {
    if origins.iter().any(|o| o.setting == setting) {
        return;
    }
    match (&*slot, from_file) {
        (Some(value), _) => origins.push(origin(setting, value.to_string(), given.of(setting))),
        (None, Some(value)) => {
            origins.push(origin(setting, value.to_string(), Source::File));
            *slot = Some(value);
        }
        (None, None) => {}
    }
}

/// The effective settings the file does not touch, with their sources, for `config show`.
pub fn other_origins(args: &GlobalArgs, given: &Given, origins: &mut Vec<Origin>) {
    let mut add = |setting: &'static str, value: Option<String>, id: &str| {
        if origins.iter().any(|o| o.setting == setting) {
            return;
        }
        if let Some(value) = value {
            origins.push(origin(setting, value, given.of(id)));
        }
    };
    add("registry", args.registry.clone(), "registry");
    add("user", args.user.clone(), "user");
    add(
        "concurrency",
        args.concurrency.map(|c| c.to_string()),
        "concurrency",
    );
    add("verify", args.verify.clone(), "verify");
    add("cache", args.cache.clone(), "cache");
    let format = match &args.format {
        Format::Auto => "auto".to_owned(),
        Format::Table => "table".to_owned(),
        Format::Plain => "plain".to_owned(),
        Format::Json => "json".to_owned(),
        Format::Template(t) => t.clone(),
    };
    add("format", Some(format), "format");
}
