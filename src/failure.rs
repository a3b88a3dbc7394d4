//! What each error means for the user: its exit code and the hint printed under it. Beside `main`, the
//! top floor: it may know every error type of every room, and it is the one place that names
//! command-line flags for errors raised below `commands/` (the registry client, the cache, selection),
//! which know nothing of the command line. Nothing imports this module but `main`.

use crate::cache::CacheError;
use crate::commands::remove::RemovalStop;
use crate::commands::restore::RestoreIncomplete;
use crate::commands::source::GarbageCollection;
use crate::exit::{Advice, ExitStatus, NotAgreed, UsageError};
use crate::inventory::UnknownRepository;
use crate::journal::JournalError;
use crate::policy::PolicyError;
use crate::registry::{ConfigError, ErrorCode, RegistryError};
use crate::select::SelectError;
use crate::serve::config::ConfigFileError;
use crate::store::StoreError;

/// The exit status for an error: the first typed error found in its chain decides.
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    for cause in err.chain() {
        if let Some(err) = cause.downcast_ref::<RegistryError>() {
            return err.exit_status();
        }
        if cause.is::<CacheError>() || cause.is::<JournalError>() {
            return ExitStatus::Cache;
        }
        if let Some(stop) = cause.downcast_ref::<RemovalStop>() {
            return stop.exit_status();
        }
        if cause.is::<RestoreIncomplete>() {
            return ExitStatus::PartialFailure;
        }
        if cause.is::<GarbageCollection>() {
            return ExitStatus::Registry;
        }
        if cause.is::<NotAgreed>() {
            return ExitStatus::NotConfirmed;
        }
        if let Some(err) = cause.downcast_ref::<StoreError>() {
            return match err {
                StoreError::BadLocation(_) => ExitStatus::Usage,
                StoreError::Refused { .. } => ExitStatus::Auth,
                StoreError::Unavailable { .. } => ExitStatus::Network,
                StoreError::Refusing { .. } | StoreError::Failed { .. } => ExitStatus::Cache,
            };
        }
        if let Some(err) = cause.downcast_ref::<SelectError>() {
            return match err {
                SelectError::UnknownRepository(_) => ExitStatus::Usage,
                _ => ExitStatus::Intersection,
            };
        }
        if is_template_error(cause) {
            return ExitStatus::Usage;
        }
        if cause.is::<UsageError>()
            || cause.is::<ConfigError>()
            || cause.is::<UnknownRepository>()
            || cause.is::<ConfigFileError>()
            || cause.is::<PolicyError>()
        {
            return ExitStatus::Usage;
        }
    }
    ExitStatus::Internal
}

/// What to do about a store's error.
fn store_hint(err: &StoreError) -> Option<String> {
    Some(match err {
        StoreError::BadLocation(_) => {
            "write postgres://USER@HOST[:PORT]/DATABASE (the password from \
             --store-password-file or PGPASSWORD)"
                .to_owned()
        }
        StoreError::Refused { .. } => "check the store's user and password (in the URL, \
             --store-password-file, or PGPASSWORD)"
            .to_owned(),
        StoreError::Unavailable { .. } => {
            "is PostgreSQL running, and reachable from here? `regsweep serve` answers \
             notifications 503 meanwhile, so the registry sends them again"
                .to_owned()
        }
        StoreError::Refusing { .. } => "give this registry a store of its own (another database), \
             or use the regsweep that wrote it"
            .to_owned(),
        StoreError::Failed { .. } => return None,
    })
}

/// What GitLab's registry would not allow, with what GitLab needs for it (the context of a refusal
/// in a `--gitlab` run).
/// A `--format` template naming a field the output lacks, reported through the output's `io::Error`.
fn is_template_error(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause
        .downcast_ref::<std::io::Error>()
        .and_then(|e| e.get_ref())
        .is_some_and(|inner| inner.is::<crate::output::TemplateError>())
}

/// The hint to print under an error, if any part of its chain has one.
pub fn hint_of(err: &anyhow::Error) -> Option<String> {
    // A context is found by downcasting the error itself, not its chain's links.
    if let Some(Advice(advice)) = err.downcast_ref::<Advice>() {
        return Some(advice.clone());
    }
    err.chain().find_map(|cause| {
        if let Some(err) = cause.downcast_ref::<RegistryError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<CacheError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<SelectError>() {
            Some(err.hint())
        } else if let Some(stop) = cause.downcast_ref::<RemovalStop>() {
            stop.hint()
        } else if let Some(err) = cause.downcast_ref::<JournalError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<ConfigError>() {
            err.hint()
        } else if cause.is::<UnknownRepository>() {
            Some(UNKNOWN_REPOSITORY.to_owned())
        } else if let Some(err) = cause.downcast_ref::<PolicyError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<UsageError>() {
            err.hint.clone()
        } else if let Some(err) = cause.downcast_ref::<NotAgreed>() {
            err.hint.clone()
        } else if let Some(err) = cause.downcast_ref::<StoreError>() {
            store_hint(err)
        } else {
            None
        }
    })
}

/// The hint for a repository that is not there, wherever it was found missing.
const UNKNOWN_REPOSITORY: &str = "`regsweep list-repo-names` lists the repositories; add --refresh if \
                                  it was pushed after the cache was filled";

impl RegistryError {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Unreachable { .. }
            | Self::Tls { .. }
            | Self::Timeout { .. }
            | Self::ConnectionLost { .. } => ExitStatus::Network,
            Self::Unauthorized { .. }
            | Self::Forbidden { .. }
            | Self::RefusedByRule { .. }
            | Self::AuthFailed { .. }
            | Self::Denied { .. }
            | Self::GitlabRefused { .. }
            | Self::HarborRefused { .. } => ExitStatus::Auth,
            // Where the credentials come from failed: the user's setup, like any usage error.
            Self::Credentials { .. } => ExitStatus::Usage,
            Self::TokenServer { detail, .. } if detail.starts_with("cannot reach") => {
                ExitStatus::Network
            }
            _ => ExitStatus::Registry,
        }
    }

    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            // The credentials' own error (no terminal to ask on, a failing helper) has the hint.
            Self::Credentials { source } => {
                return source
                    .downcast_ref::<UsageError>()
                    .and_then(|e| e.hint.clone());
            }
            Self::Unreachable { url, detail } => unreachable_hint(url, detail),
            Self::Tls { .. } => "pass the registry's CA with --verify CA_BUNDLE, a client certificate \
                                 with --client-cert if it asks for one, or use http:// if it serves \
                                 plain HTTP"
                .to_owned(),
            Self::Unauthorized { .. } => {
                "pass credentials with --user and --password (or REGISTRY_USER and REGISTRY_PASSWORD)"
                    .to_owned()
            }
            Self::RefusedByRule { .. } => "a rule of the registry protects this image (in \
                 Harbor: an immutable-tag or retention rule of its project); change the rule, or \
                 leave the image out with -x"
                .to_owned(),
            Self::Forbidden { .. } => "the credentials are valid but lack this permission; deleting \
                                       needs the delete permission on the repository (push on Quay)"
                .to_owned(),
            Self::Unsupported { .. } => "if this was a delete: the registry has deletion disabled; \
                                         enable it with `storage: delete: enabled: true` in its \
                                         config or REGISTRY_STORAGE_DELETE_ENABLED=true (pull-through \
                                         caches and Docker Hub never allow it)"
                .to_owned(),
            Self::NotFound { url, .. } if url.path() == "/v2/" => {
                "nothing serves the registry API (/v2/) at this address; is it a Docker/OCI registry?"
                    .to_owned()
            }
            Self::NotFound { detail, .. } if detail.code == Some(ErrorCode::NameUnknown) => {
                "the repository does not exist; `regsweep list-repo-names` lists them".to_owned()
            }
            Self::TooManyRequests { .. } => "lower --concurrency or try again later".to_owned(),
            // Under TLS 1.3 a server refusing the client's certificate closes the connection after
            // the handshake: the first request breaks off.
            Self::ConnectionLost { url, .. } if url.scheme() == "https" && url.path() == "/v2/" => {
                "if the registry requires a client certificate, pass --client-cert; otherwise check \
                 the network and any proxy in front of the registry"
                    .to_owned()
            }
            Self::ConnectionLost { .. } | Self::Timeout { .. } => "reads are retried a few times, \
                 so this kept happening: check the network and any proxy in front of the registry, \
                 try again later, or lower --concurrency"
                .to_owned(),
            Self::TooLarge { .. } | Self::TooManyPages { .. } => "no registry should answer this; \
                 check that the address is a registry and not something else behind it"
                .to_owned(),
            Self::DigestMismatch { .. } => "the registry, or something between it and regsweep, \
                 serves altered content; nothing is deleted on its account until this is explained"
                .to_owned(),
            Self::AuthFailed { who: Some(_), .. } => "check the user and password (or run `docker login` \
                 again if they come from the docker configuration)"
                .to_owned(),
            Self::AuthFailed { who: None, .. } => "pass credentials with --user and --password, or \
                 `docker login` to the registry"
                .to_owned(),
            Self::Denied { .. } => "log in as someone with this permission (--user, or `docker \
                 login`), or ask the registry's administrator for it"
                .to_owned(),
            Self::GitlabRefused { status, scopes, .. } => gitlab_hint(*status, scopes.as_deref()),
            Self::HarborRefused { status: 401, .. } => {
                "Harbor takes the registry's credentials (-u and a password, or `docker login`): \
                 a user, or a robot account (robot$NAME) and its secret"
                    .to_owned()
            }
            Self::HarborRefused { .. } => {
                "in Harbor, give the user or robot account the project's permission to list \
                 repositories and artifacts (and to delete them, for a removal)"
                    .to_owned()
            }
            _ => return None,
        };
        Some(hint)
    }
}

/// What to do about a registry that could not be reached.
fn unreachable_hint(url: &url::Url, detail: &str) -> String {
    let plain = &url[url::Position::BeforeHost..url::Position::AfterPort];
    if url.scheme() != "https" {
        "check the address and that the registry is running".to_owned()
    } else if !detail.to_ascii_lowercase().contains("refused") {
        // A TLS server that wants a client certificate may just close the connection.
        format!(
            "check the address and that the registry is running; if it requires a client \
             certificate, pass --client-cert; for a registry without TLS write http://{plain}"
        )
    } else {
        format!(
            "check the address and that the registry is running; for a registry without TLS \
             write http://{plain}"
        )
    }
}

/// What to do about a token GitLab's API refused.
fn gitlab_hint(status: u16, scopes: Option<&[String]>) -> String {
    match (status, scopes) {
        (401, _) => "GitLab does not know the token: check GITLAB_TOKEN (or \
                     --gitlab-token-stdin); it may be mistyped, expired or revoked"
            .to_owned(),
        (_, Some(scopes)) => format!(
            "create a token with the {} scope (User or project settings > Access tokens)",
            scopes.join(" or ")
        ),
        _ => "the token's user needs at least the Reporter role in the project or group, or a \
              token with the read_api scope"
            .to_owned(),
    }
}

impl ConfigError {
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Self::NoRegistry => {
                "pass --registry HOST[:PORT] (also -reg), or set the environment variable REGISTRY"
            }
            Self::UnsupportedScheme { .. } => {
                "write host[:port] for https, or http://host:port for plain HTTP"
            }
            Self::InvalidAddress { .. } => {
                "write host[:port], https://host[:port] or http://host:port"
            }
            Self::CredentialsInAddress => {
                "pass them with --user and --password (or REGISTRY_USER and REGISTRY_PASSWORD)"
            }
            Self::InvalidClientCert { .. } => {
                "give a PEM file holding the certificate and its key, or the key with --client-key"
            }
            Self::Unreadable { .. } | Self::InvalidCa { .. } | Self::Http(_) => return None,
        };
        Some(hint.to_owned())
    }
}

impl CacheError {
    pub fn hint(&self) -> Option<String> {
        Some(
            match self {
                Self::NoCacheDir => {
                    "set XDG_CACHE_HOME or HOME, pass --cache FILE, or disable the \
                                     cache with --no-cache"
                }
                Self::Io { .. } => {
                    "pass another --cache FILE, or disable the cache with --no-cache"
                }
                Self::Corrupt { .. } | Self::UnknownVersion { .. } => {
                    "run the command again with --refresh to rebuild it from the registry"
                }
                Self::OtherRegistry { .. } => {
                    "pass another --cache FILE, or --refresh to overwrite this one"
                }
            }
            .to_owned(),
        )
    }
}

impl JournalError {
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoDataDir => Some("set XDG_DATA_HOME or HOME".to_owned()),
            Self::NoneYet { .. } => {
                Some("journals are written by remove-tags and remove-repos".to_owned())
            }
            _ => None,
        }
    }
}

impl SelectError {
    pub fn hint(&self) -> String {
        match self {
            Self::UnknownRepository(_) => UNKNOWN_REPOSITORY.to_owned(),
            Self::IntersectingRepository { .. } => "deleting it would remove those repositories' tags \
                 too: add them with -r, or pass --no-raise-intersecting-repo to leave such digests out"
                .to_owned(),
            Self::IntersectingTags { .. } => "deleting it would remove those tags too: select them as \
                 well, or leave out --raise-intersecting-tag to skip such digests"
                .to_owned(),
        }
    }
}

impl RemovalStop {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Declined | Self::NoTerminal | Self::NobodyListening { .. } => {
                ExitStatus::NotConfirmed
            }
            Self::PlanChanged | Self::PlanFileDrift => ExitStatus::PlanChanged,
            Self::TooLarge { .. } => ExitStatus::NotConfirmed,
            Self::Partial { .. } => ExitStatus::PartialFailure,
            Self::Interrupted { .. } | Self::Aborted { .. } | Self::InterruptedBefore => {
                ExitStatus::Interrupted
            }
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Declined | Self::InterruptedBefore => return None,
            Self::NobodyListening { .. } => {
                "a removal's plan and report need a reader; to keep only part of its output, \
                 write it to a file first (`> plan.txt`), or use --format json"
                    .into()
            }
            Self::NoTerminal => {
                "pass --yes (-y) to delete without asking, or --dry-run to only see the plan".into()
            }
            Self::PlanChanged => {
                "the cache was updated; run the command again to see the new plan".into()
            }
            Self::PlanFileDrift => {
                "make and review a new plan: `regsweep policy plan --out FILE`".into()
            }
            Self::TooLarge { .. } => {
                "check the policy's patterns with `regsweep policy plan`; raise --max-delete if the \
                 plan is meant"
                    .into()
            }
            Self::Partial { .. } | Self::Interrupted { .. } | Self::Aborted { .. } => {
                "`regsweep restore` puts back every manifest of the newest journal that is no \
                 longer in the registry"
                    .into()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_class_has_its_code() {
        let url = Box::new(url::Url::parse("http://127.0.0.1:1/v2/x/tags/list").unwrap());
        let not_found = RegistryError::NotFound {
            url: url.clone(),
            detail: Default::default(),
        };
        let lost = RegistryError::ConnectionLost {
            url,
            detail: "reset".into(),
        };
        let unknown = UnknownRepository {
            name: "x".into(),
            registry: "r".into(),
        };
        let cases: Vec<(anyhow::Error, ExitStatus)> = vec![
            (not_found.into(), ExitStatus::Registry),
            (lost.into(), ExitStatus::Network),
            (ConfigError::NoRegistry.into(), ExitStatus::Usage),
            (unknown.clone().into(), ExitStatus::Usage),
            (SelectError::from(unknown).into(), ExitStatus::Usage),
            (RemovalStop::PlanChanged.into(), ExitStatus::PlanChanged),
            (anyhow::anyhow!("something else"), ExitStatus::Internal),
        ];
        for (err, status) in cases {
            assert_eq!(status_of(&err), status, "{err}");
        }
    }

    #[test]
    fn hints_name_the_flags() {
        let err = anyhow::Error::new(ConfigError::NoRegistry).context("reading");
        assert!(hint_of(&err).unwrap().contains("--registry"));
        let err: anyhow::Error = UnknownRepository {
            name: "x".into(),
            registry: "r".into(),
        }
        .into();
        assert!(hint_of(&err).unwrap().contains("list-repo-names"));
    }
}
