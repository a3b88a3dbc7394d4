//! Where credentials come from, in order: `--user` with `--password`, `--password-stdin` or a prompt;
//! then Docker's configuration (`credHelpers` for the registry, then `credsStore`, then `auths`);
//! then none (anonymous).
//!
//! The docker_credential crate decodes `auths` entries and runs `docker-credential-NAME get`; what it
//! lacks is written here: Docker's order (a configured store comes before `auths`, whose entries are
//! then mere markers), and `credHelpers` keys matched with or without a scheme.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;

use docker_credential::{CredentialRetrievalError, DockerCredential};
use serde_json::{Value, json};

use crate::exit::UsageError;
use crate::registry::{Credential, RegistryAddress};

/// What the command line and environment said about credentials.
#[derive(Debug, Clone, Default)]
pub struct CredentialSource {
    pub user: Option<String>,
    pub password: Option<String>,
    pub password_stdin: bool,
    /// The registry as the user wrote it: dregutil looked it up verbatim in `auths`.
    pub registry_as_given: Option<String>,
    /// A GitLab token (GITLAB_TOKEN, --gitlab-token-stdin): GitLab's token server takes it as the
    /// password, with --user's name or any other.
    pub gitlab_token: Option<String>,
}

/// The user name sent with a GitLab token when --user gives none: GitLab checks personal, project
/// and group access tokens whatever the name (a deploy token needs its own name, given by --user).
pub const GITLAB_TOKEN_USER: &str = "regsweep";

/// The credential to use for `registry`, if any.
pub fn resolve(
    source: &CredentialSource,
    registry: &RegistryAddress,
) -> Result<Option<Credential>, UsageError> {
    if let Some(token) = source
        .gitlab_token
        .as_ref()
        .filter(|_| source.password.is_none())
    {
        let user = source.user.as_deref().unwrap_or(GITLAB_TOKEN_USER);
        return Ok(Some(Credential::Password {
            user: user.to_owned(),
            password: token.clone(),
        }));
    }
    if let Some(user) = &source.user {
        let password = match &source.password {
            Some(password) => password.clone(),
            None if source.password_stdin => read_password_line()?,
            None if std::io::stdin().is_terminal() => {
                rpassword::prompt_password(format!("Password for {user} at {registry}: "))
                    .map_err(|e| UsageError::new(format!("cannot read the password: {e}")))?
            }
            None => {
                return Err(UsageError::with_hint(
                    format!("--user {user} given without a password, and no terminal to ask on"),
                    "pass --password-stdin, --password or set REGISTRY_PASSWORD",
                ));
            }
        };
        return Ok(Some(Credential::Password {
            user: user.clone(),
            password,
        }));
    }
    if source.password.is_some() || source.password_stdin {
        return Err(UsageError::with_hint(
            "a password was given without --user",
            "pass --user or set REGISTRY_USER",
        ));
    }
    let Some(path) = docker_config_path() else {
        return Ok(None);
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let config: Value = serde_json::from_str(&text).map_err(|e| {
        UsageError::with_hint(
            format!(
                "cannot read the docker configuration {}: {e}",
                path.display()
            ),
            "fix the file, or pass --user and --password",
        )
    })?;
    let mut servers = vec![registry.host_port()];
    servers.extend(source.registry_as_given.clone());
    for server in &servers {
        if let Some(credential) = from_docker_config(&config, server, &path)? {
            return Ok(Some(credential));
        }
    }
    Ok(None)
}

/// Whether resolving the credential asks for a password on the terminal (`--user` alone, at a
/// terminal): the caller asks before anything else is drawn there.
pub fn asks_on_terminal(source: &CredentialSource) -> bool {
    source.user.is_some()
        && source.password.is_none()
        && !source.password_stdin
        && source.gitlab_token.is_none()
        && std::io::stdin().is_terminal()
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn docker_config_path() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".docker")))?;
    Some(dir.join("config.json"))
}

/// The first line of standard input, without its line ending.
fn read_password_line() -> Result<String, UsageError> {
    read_secret_line("--password-stdin", "password")
}

/// The first line of standard input, for `option`; empty is an error.
pub fn read_secret_line(option: &str, what: &str) -> Result<String, UsageError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| UsageError::new(format!("cannot read the {what} from stdin: {e}")))?;
    let secret = line.trim_end_matches(['\n', '\r']).to_owned();
    if secret.is_empty() {
        return Err(UsageError::new(format!("{option} read an empty {what}")));
    }
    Ok(secret)
}

/// `host[:port]` of a config key written as a host or as a URL (`https://host:port/v1/`).
fn key_host(key: &str) -> String {
    let lower = key.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    rest.split('/').next().unwrap_or(rest).to_owned()
}

/// Docker's order for one server name: its credential helper, the credential store, `auths`.
fn from_docker_config(
    config: &Value,
    server: &str,
    path: &std::path::Path,
) -> Result<Option<Credential>, UsageError> {
    let wanted = key_host(server);
    let helper = config["credHelpers"].as_object().and_then(|helpers| {
        helpers
            .iter()
            .find(|(key, _)| key_host(key) == wanted)
            .and_then(|(_, helper)| helper.as_str())
    });
    if let Some(helper) = helper {
        let config = json!({"credHelpers": {server: helper}});
        return ask(config, server, path, Some(helper), true);
    }
    if let Some(store) = config["credsStore"].as_str().filter(|s| !s.is_empty()) {
        let config = json!({"credsStore": store});
        if let Some(credential) = ask(config, server, path, Some(store), false)? {
            return Ok(Some(credential));
        }
    }
    match config.get("auths") {
        Some(auths) => ask(json!({"auths": auths}), server, path, None, true),
        None => Ok(None),
    }
}

/// Asks the docker_credential crate with a configuration reduced to one source. A store that has
/// nothing for this server is not an error (`required` false); a configured helper that fails is.
fn ask(
    config: Value,
    server: &str,
    path: &std::path::Path,
    helper: Option<&str>,
    required: bool,
) -> Result<Option<Credential>, UsageError> {
    let text = config.to_string();
    match docker_credential::get_credential_from_reader(text.as_bytes(), server) {
        Ok(DockerCredential::UsernamePassword(user, password)) => {
            Ok(Some(Credential::Password { user, password }))
        }
        Ok(DockerCredential::IdentityToken(token)) => Ok(Some(Credential::IdentityToken(token))),
        Err(CredentialRetrievalError::NoCredentialConfigured) => Ok(None),
        Err(CredentialRetrievalError::HelperFailure { stdout, stderr, .. })
            if !required || format!("{stdout}{stderr}").contains("not found") =>
        {
            Ok(None)
        }
        Err(CredentialRetrievalError::HelperCommunicationError) if !required => Ok(None),
        Err(err) => {
            // The helper's own output is not repeated: it may echo what it was given.
            let what = match (helper, err) {
                (
                    Some(helper),
                    CredentialRetrievalError::HelperFailure { .. }
                    | CredentialRetrievalError::HelperCommunicationError
                    | CredentialRetrievalError::MalformedHelperResponse,
                ) => format!("the credential helper docker-credential-{helper} failed"),
                (_, other) => other.to_string(),
            };
            Err(UsageError::with_hint(
                format!(
                    "cannot get credentials for {server} from the docker configuration {}: {what}",
                    path.display()
                ),
                "run `docker login` again, fix the configuration, or pass --user and --password",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_match_with_or_without_scheme() {
        assert_eq!(
            key_host("https://Registry.Example.com:5000/v1/"),
            "registry.example.com:5000"
        );
        assert_eq!(
            key_host("registry.example.com:5000"),
            "registry.example.com:5000"
        );
        assert_eq!(key_host("http://127.0.0.1:5000"), "127.0.0.1:5000");
    }

    #[test]
    fn auths_entries_of_every_kind() {
        let path = std::path::Path::new("config.json");
        let config = json!({"auths": {
            "https://a.example:5000": {"auth": "dXNlcjpwYXNz"},
            "b.example": {"username": "bob", "password": "secret"},
            "c.example": {"identitytoken": "tok"},
        }});
        let password = |user: &str, password: &str| {
            Some(Credential::Password {
                user: user.into(),
                password: password.into(),
            })
        };
        assert_eq!(
            from_docker_config(&config, "a.example:5000", path).unwrap(),
            password("user", "pass")
        );
        assert_eq!(
            from_docker_config(&config, "b.example", path).unwrap(),
            password("bob", "secret")
        );
        assert_eq!(
            from_docker_config(&config, "c.example", path).unwrap(),
            Some(Credential::IdentityToken("tok".into()))
        );
        assert_eq!(
            from_docker_config(&config, "d.example", path).unwrap(),
            None
        );
    }
}
