//! The service's configuration file (TOML, `--config FILE`): what a long-running service needs beyond
//! the command line. Command-line options override it; secrets come from files or the environment,
//! never from the command line (where `ps` shows them).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ldap::LdapConfig;

/// `regsweep serve --print-default-config`: every setting, commented.
pub const DEFAULT_CONFIG: &str = r#"# regsweep serve: configuration (TOML). Command-line options override these settings.

# Where to listen. An address other than loopback exposes the API: keep login on.
listen = "127.0.0.1:8080"

# The registry (or give --registry / REGISTRY).
# registry = "https://registry.example.com"

# How often to read the whole registry again ("0" never; notifications keep it fresh in between).
# At start the registry is read when the cache is missing or older than this.
refresh_interval = "1h"

# Serve without login. Only allowed on a loopback address; warned about at every start.
no_auth = false

# This service speaks plain HTTP; put a reverse proxy that ends TLS in front of it when it is
# reached from elsewhere. Its address here makes the browser login's cookie Secure when it says
# X-Forwarded-Proto: https.
trusted_proxies = []

# How long a token from POST /auth_token is valid.
token_lifetime = "1h"

# The secret tokens are signed with (at least 32 bytes), read from this file, or from the
# environment variable REGSWEEP_TOKEN_SECRET. Without either, a random secret is made at each
# start, and tokens end with the process.
# token_secret_file = "/etc/regsweep/token-secret"

# Login: users bind to LDAP with their own password.
# [ldap]
# url = "ldaps://ldap.example.com"       # or ldap://...:389 with starttls = true
# starttls = false
# timeout_seconds = 5
# Either the user's DN, {user} standing for the login name:
# user_dn = "uid={user},ou=people,dc=example,dc=org"
# or a search by a service account (its password from the file or REGSWEEP_LDAP_BIND_PASSWORD):
# [ldap.search]
# base = "ou=people,dc=example,dc=org"
# filter = "(uid={user})"
# bind_dn = "cn=regsweep,ou=services,dc=example,dc=org"
# bind_password_file = "/etc/regsweep/ldap-password"

# Registry notifications (POST /events). The registry must send this header with this secret
# (its notifications.endpoints[].headers); without a secret, events are refused unless no_auth.
[events]
header = "Authorization"
# The header's whole value, e.g. "Bearer 4c1f...", read from this file or REGSWEEP_EVENTS_SECRET.
# secret_file = "/etc/regsweep/events-secret"

# Where the service's state is: the registry's notifications (each acknowledged only once it is
# committed), the tags' history, the pulls. Without [store] it is embedded (the cache files and an
# SQLite file beside the journals). A PostgreSQL database lets several replicas share one state,
# and commands on other hosts read it with --store.
# [store]
# url = "postgres://regsweep@db.example.com/regsweep"
# The password, when not in the URL: the first line of this file, else PGPASSWORD.
# password_file = "/etc/regsweep/pg-password"

# A retention policy applied unattended (as `regsweep policy apply --yes`): the first run one
# interval after the start, then every interval; each run's report is logged.
# [schedule]
# policy = "/etc/regsweep/policy.toml"
# every = "24h"
# max_delete = 500
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub listen: Option<SocketAddr>,
    pub registry: Option<String>,
    pub refresh_interval: Option<String>,
    pub no_auth: Option<bool>,
    pub token_lifetime: Option<String>,
    pub token_secret_file: Option<PathBuf>,
    pub ldap: Option<LdapConfig>,
    #[serde(default)]
    pub events: EventsConfig,
    pub schedule: Option<ScheduleConfig>,
    #[serde(default)]
    pub store: StoreConfig,
    /// Reverse proxies (their addresses) whose `X-Forwarded-Proto: https` makes the login cookie
    /// `Secure`.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// `[store]`: a PostgreSQL store instead of the embedded one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    pub url: Option<String>,
    pub password_file: Option<PathBuf>,
}

/// `[schedule]`: a retention policy applied unattended, every so often.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// The policy file.
    pub policy: PathBuf,
    /// How often: "24h", "1w".
    pub every: String,
    /// Refuse a run that would delete more manifests than this.
    pub max_delete: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    #[serde(default = "default_events_header")]
    pub header: String,
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            header: default_events_header(),
            secret_file: None,
        }
    }
}

fn default_events_header() -> String {
    "Authorization".into()
}

/// A configuration that could not be read; the message names the file and the place.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigFileError(pub String);

impl ConfigFile {
    pub fn load(path: &Path) -> Result<Self, ConfigFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigFileError(format!("cannot read {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            let reason = e.message().to_owned();
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let place = line.map(|l| format!(" line {l}")).unwrap_or_default();
            ConfigFileError(format!(
                "invalid configuration {}{place}: {reason}",
                path.display()
            ))
        })
    }
}

/// A secret from a file (trimmed of its final newline) or else from an environment variable.
pub fn read_secret(file: Option<&Path>, variable: &str) -> Result<Option<String>, ConfigFileError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigFileError(format!("cannot read {}: {e}", path.display())))?;
        return Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()));
    }
    Ok(std::env::var(variable).ok().filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_is_valid_and_says_what_it_means() {
        let config: ConfigFile = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert_eq!(config.listen, Some("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(config.refresh_interval.as_deref(), Some("1h"));
        assert_eq!(config.events.header, "Authorization");
        // The commented LDAP section, uncommented, is valid too.
        let uncommented: String = DEFAULT_CONFIG
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|l| l.starts_with('[') || l.contains(" = "))
                    .unwrap_or(l)
            })
            .map(|l| l.split(" # ").next().unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let config: ConfigFile = toml::from_str(&uncommented).unwrap();
        let ldap = config.ldap.unwrap();
        assert!(ldap.user_dn.is_some() && ldap.search.is_some());
    }

    #[test]
    fn mistakes_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:8080\"\nrefresh = \"1h\"\n").unwrap();
        let err = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("refresh"), "{err}");
    }
}
