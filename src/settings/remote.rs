//! Where regsweep reaches out to: the registry's TLS (--verify, --insecure, client
//! certificates), GitLab's API and its token, and the service's store (--store).

use std::path::PathBuf;

use super::config;
use crate::cli::GitlabArgs;
use crate::exit::UsageError;
use crate::registry::{GitlabApi, GitlabScope, HarborApi, TlsConfig};

/// `--store URL`: a PostgreSQL store, and where its password is when not in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub url: String,
    pub password_file: Option<PathBuf>,
}

impl StoreSettings {
    /// The password: the URL's, else the file's first line, else PGPASSWORD (as libpq does).
    pub fn password(&self) -> Result<Option<String>, UsageError> {
        if let Some(file) = &self.password_file {
            let text = std::fs::read_to_string(file).map_err(|e| {
                UsageError::new(format!(
                    "cannot read the store's password file {}: {e}",
                    file.display()
                ))
            })?;
            return Ok(text.lines().next().map(str::to_owned));
        }
        Ok(std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()))
    }
}

/// `--store`: a PostgreSQL URL, checked for its scheme here (the rest when it is opened).
pub fn store_settings(
    url: Option<String>,
    password_file: Option<PathBuf>,
) -> Result<Option<StoreSettings>, UsageError> {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(UsageError::with_hint(
            format!(
                "--store takes a PostgreSQL URL, not {:?}",
                config::masked_url(&url)
            ),
            "write postgres://USER@HOST[:PORT]/DATABASE; without --store the state is embedded",
        ));
    }
    Ok(Some(StoreSettings { url, password_file }))
}

/// `--gitlab URL` with its projects and groups.
#[derive(Debug, Clone)]
pub struct GitlabSettings {
    pub api: GitlabApi,
    /// Projects and groups, sorted: the scope the cache records.
    pub scopes: Vec<GitlabScope>,
}

impl GitlabSettings {
    /// The scope as the cache records it: GitLab's address, the projects and the groups.
    pub fn scope_text(&self) -> String {
        let names: Vec<String> = self
            .scopes
            .iter()
            .map(|s| match s {
                GitlabScope::Project(p) => format!("project {p}"),
                GitlabScope::Group(g) => format!("group {g}"),
            })
            .collect();
        format!("gitlab {}: {}", self.api.host(), names.join(", "))
    }
}

/// The GitLab token: from standard input with --gitlab-token-stdin, else GITLAB_TOKEN (only read
/// with --gitlab, so a stray variable never reaches another registry).
pub(super) fn gitlab_token(args: &GitlabArgs) -> Result<Option<String>, UsageError> {
    Ok(match args {
        GitlabArgs {
            gitlab_token_stdin: true,
            ..
        } => Some(crate::credentials::read_secret_line(
            "--gitlab-token-stdin",
            "GitLab token",
        )?),
        GitlabArgs {
            gitlab: Some(_), ..
        } => std::env::var("GITLAB_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()),
        _ => None,
    })
}

/// `--gitlab`, `--project`, `--group`: GitLab's address (https unless written otherwise) and at
/// least one project or group, each a path or an id.
pub(super) fn gitlab_settings(
    args: GitlabArgs,
    token: Option<String>,
) -> Result<Option<GitlabSettings>, UsageError> {
    let GitlabArgs {
        gitlab,
        project,
        group,
        gitlab_token_stdin: _,
        harbor: _,
    } = args;
    let Some(text) = gitlab.filter(|g| !g.trim().is_empty()) else {
        return Ok(None);
    };
    let url = api_url(&text, "--gitlab").ok_or_else(|| {
        UsageError::with_hint(
            format!("invalid --gitlab {text:?}"),
            "give GitLab's address, e.g. https://gitlab.example.com (the token goes in \
             GITLAB_TOKEN, never in the address)",
        )
    })?;
    let valid = |v: &String| {
        !v.is_empty()
            && v.len() <= 255
            && v.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            })
    };
    if let Some(bad) = project.iter().chain(&group).find(|v| !valid(v)) {
        return Err(UsageError::with_hint(
            format!("invalid project or group {bad:?}"),
            "a path such as team/app, or a numeric id",
        ));
    }
    let mut scopes: Vec<GitlabScope> = project
        .into_iter()
        .map(GitlabScope::Project)
        .chain(group.into_iter().map(GitlabScope::Group))
        .collect();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(UsageError::with_hint(
            "--gitlab needs a --project or --group to find repositories in",
            "GitLab lists registry repositories per project or group, e.g. --project team/app",
        ));
    }
    Ok(Some(GitlabSettings {
        api: GitlabApi::new(&url, token),
        scopes,
    }))
}

/// An API's address as given (`host`, or a URL), https assumed; never one with credentials in it.
fn api_url(text: &str, _flag: &str) -> Option<url::Url> {
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    url::Url::parse(&with_scheme)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .filter(|u| u.username().is_empty() && u.password().is_none())
}

/// `--harbor`: Harbor's API, and the projects to read (every project the credentials see when
/// none is named).
#[derive(Debug, Clone)]
pub struct HarborSettings {
    pub api: HarborApi,
    /// Sorted: the scope the cache records.
    pub projects: Vec<String>,
}

impl HarborSettings {
    /// The scope as the cache records it.
    pub fn scope_text(&self) -> String {
        match self.projects.as_slice() {
            [] => format!("harbor {}: every project", self.api.host()),
            projects => format!(
                "harbor {}: project {}",
                self.api.host(),
                projects.join(", project ")
            ),
        }
    }
}

/// `--harbor URL [--project NAME]...`; `--project` and `--group` without `--gitlab` or `--harbor`
/// are mistakes, and Harbor has no groups.
pub(super) fn harbor_settings(args: &GitlabArgs) -> Result<Option<HarborSettings>, UsageError> {
    let harbor = args.harbor.as_deref().filter(|h| !h.trim().is_empty());
    let gitlab = args.gitlab.as_deref().is_some_and(|g| !g.trim().is_empty());
    let Some(text) = harbor else {
        if !gitlab && !args.project.is_empty() {
            return Err(UsageError::with_hint(
                "--project names a GitLab or Harbor project",
                "give --gitlab URL or --harbor URL with it",
            ));
        }
        return Ok(None);
    };
    if !args.group.is_empty() {
        return Err(UsageError::with_hint(
            "Harbor has no groups",
            "name Harbor's projects with --project",
        ));
    }
    let url = api_url(text, "--harbor").ok_or_else(|| {
        UsageError::with_hint(
            format!("invalid --harbor {text:?}"),
            "give Harbor's address, e.g. https://harbor.example.com (credentials go in -u and \
             the password, never in the address)",
        )
    })?;
    // Harbor's project names: lowercase letters, digits, `._-`, 1 to 255 characters.
    if let Some(bad) = args.project.iter().find(|p| {
        p.is_empty()
            || p.len() > 255
            || !p
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    }) {
        return Err(UsageError::with_hint(
            format!("invalid Harbor project {bad:?}"),
            "a project's name, such as web (lowercase letters, digits, . _ -)",
        ));
    }
    let mut projects = args.project.clone();
    projects.sort();
    projects.dedup();
    Ok(Some(HarborSettings {
        api: HarborApi::new(&url),
        projects,
    }))
}

/// `--verify`, `--insecure`, `--client-cert`, `--client-key`: how to check the registry and present
/// ourselves to it, with a warning when nothing is checked.
pub(super) fn tls_settings(
    verify: Option<String>,
    insecure: bool,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
) -> Result<(TlsConfig, Vec<String>), UsageError> {
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
        Some(path) => tls.extra_ca = Some(ca_bundle(&path)?),
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
    Ok((tls, warnings))
}

/// A `--verify` (or REQUESTS_CA_BUNDLE, SSL_CERT_FILE) path, which must exist: checked here, not
/// when the first request needs it, since a run the cache answers sends none and would take a typo
/// (`list-tag-names -v app`, where `-v` is dregutil's `--verify`) for a CA bundle in silence.
fn ca_bundle(path: &str) -> Result<PathBuf, UsageError> {
    let bundle = PathBuf::from(path);
    if bundle.exists() {
        return Ok(bundle);
    }
    let message = format!("the CA bundle {path:?} (--verify) does not exist");
    let looks_like_a_file = path.contains('/')
        || [".pem", ".crt", ".cer", ".ca"]
            .iter()
            .any(|ext| path.to_ascii_lowercase().ends_with(ext));
    Err(
        if !looks_like_a_file && crate::names::is_repository_name(path) {
            UsageError::with_hint(
                message,
                format!(
                    "-v is --verify (a CA bundle file, or None), as in dregutil; if {path} is a \
                 repository, name it without -v"
                ),
            )
        } else {
            UsageError::with_hint(
                message,
                "give the path of a PEM file of trusted certificates, or None to skip verification",
            )
        },
    )
}

/// dregutil's notion of "off": empty, `false`, `0`, `no`, `none` (any case).
pub(super) fn is_off(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    matches!(value.as_str(), "" | "false" | "0" | "no" | "none" | "off")
}

pub(super) fn is_on(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    matches!(value.as_str(), "true" | "1" | "yes" | "on")
}
