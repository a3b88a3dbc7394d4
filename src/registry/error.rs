//! The typed errors of the registry boundary, and the one check every response passes through.
//!
//! Registries report failures as an OCI error envelope, `{"errors":[{"code":..,"message":..}]}`
//! (distribution-spec `spec.md`, "Error Codes"); the first entry's code and message are kept.

use std::fmt;
use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::Deserialize;
use url::Url;

use crate::exit::ExitStatus;

/// The first entry of an OCI error envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: Option<String>,
    pub message: Option<String>,
}

impl ErrorDetail {
    fn parse(body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            errors: Vec<Entry>,
        }
        #[derive(Deserialize)]
        struct Entry {
            code: Option<String>,
            message: Option<String>,
        }
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .and_then(|e| e.errors.into_iter().next())
            .map(|e| Self {
                code: e.code.map(|c| clip(c, 64)),
                message: e.message.map(|m| clip(m, 400)),
            })
            .unwrap_or_default()
    }
}

/// At most `max` characters of a registry's text, so an error stays one readable line.
fn clip(mut text: String, max: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}"),
            (Some(code), None) => write!(f, ": {code}"),
            (None, Some(message)) => write!(f, ": {message}"),
            (None, None) => Ok(()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
/// The URL is boxed to keep `Result<_, RegistryError>` small on the success path.
pub enum RegistryError {
    #[error("cannot connect to {url}: {detail}")]
    Unreachable { url: Box<Url>, detail: String },

    #[error("TLS connection to {url} failed: {detail}")]
    Tls { url: Box<Url>, detail: String },

    #[error("request to {url} timed out")]
    Timeout { url: Box<Url> },

    /// The connection broke before the answer was complete: reset, closed, or a body cut short.
    #[error("{url}: the connection broke off before the answer was complete: {detail}")]
    ConnectionLost { url: Box<Url>, detail: String },

    #[error("{url}: authentication required (401){detail}")]
    Unauthorized { url: Box<Url>, detail: ErrorDetail },

    #[error("{url}: access denied (403){detail}")]
    Forbidden { url: Box<Url>, detail: ErrorDetail },

    #[error(
        "authentication failed for {} at {registry}",
        who.as_deref().unwrap_or("anonymous access")
    )]
    AuthFailed {
        who: Option<String>,
        registry: String,
    },

    #[error(
        "not allowed: {action}{} was refused ({url}){detail}",
        repository.as_deref().map(|r| format!(" on repository {r}")).unwrap_or_default()
    )]
    Denied {
        url: Box<Url>,
        action: &'static str,
        repository: Option<String>,
        detail: ErrorDetail,
    },

    #[error("token server {realm}: {detail}")]
    TokenServer { realm: Box<Url>, detail: String },

    #[error("{url}: not found (404){detail}")]
    NotFound { url: Box<Url>, detail: ErrorDetail },

    #[error("{url}: operation not supported by this registry (405){detail}")]
    Unsupported { url: Box<Url>, detail: ErrorDetail },

    #[error("{url}: too many requests (429), still refused after retrying")]
    TooManyRequests { url: Box<Url> },

    #[error("{url}: registry server error ({status}){detail}")]
    Server {
        url: Box<Url>,
        status: StatusCode,
        detail: ErrorDetail,
    },

    #[error("{url}: unexpected answer ({status}){detail}")]
    Unexpected {
        url: Box<Url>,
        status: StatusCode,
        detail: ErrorDetail,
    },

    #[error("{url}: malformed answer: {detail}")]
    Malformed { url: Box<Url>, detail: String },

    #[error("{url}: refusing to follow a pagination link to another host: {link}")]
    ForeignLink { url: Box<Url>, link: String },

    #[error("{url}: the answer is larger than {} MiB, the limit for {what}", limit >> 20)]
    TooLarge {
        url: Box<Url>,
        limit: usize,
        what: &'static str,
    },

    #[error("{url}: the listing goes on for more than {limit} pages; stopped reading")]
    TooManyPages { url: Box<Url>, limit: usize },

    /// The bytes the registry served are not those of the digest they were asked for or said to have.
    #[error("{url}: the bytes served have digest {actual}, which does not match {expected}")]
    DigestMismatch {
        url: Box<Url>,
        expected: String,
        actual: String,
    },
}

impl RegistryError {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Unreachable { .. }
            | Self::Tls { .. }
            | Self::Timeout { .. }
            | Self::ConnectionLost { .. } => ExitStatus::Network,
            Self::Unauthorized { .. }
            | Self::Forbidden { .. }
            | Self::AuthFailed { .. }
            | Self::Denied { .. } => ExitStatus::Auth,
            Self::TokenServer { detail, .. } if detail.starts_with("cannot reach") => {
                ExitStatus::Network
            }
            _ => ExitStatus::Registry,
        }
    }

    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            // A TLS server that wants a client certificate may just close the connection.
            Self::Unreachable { url, detail }
                if url.scheme() == "https" && !detail.to_ascii_lowercase().contains("refused") =>
            {
                format!(
                "check the address and that the registry is running; if it requires a client \
                 certificate, pass --client-cert; for a registry without TLS write http://{}",
                    &url[url::Position::BeforeHost..url::Position::AfterPort]
                )
            }
            Self::Unreachable { url, .. } if url.scheme() == "https" => format!(
                "check the address and that the registry is running; for a registry without TLS \
                 write http://{}",
                &url[url::Position::BeforeHost..url::Position::AfterPort]
            ),
            Self::Unreachable { .. } => {
                "check the address and that the registry is running".to_owned()
            }
            Self::Tls { .. } => "pass the registry's CA with --verify CA_BUNDLE, a client certificate \
                                 with --client-cert if it asks for one, or use http:// if it serves \
                                 plain HTTP"
                .to_owned(),
            Self::Unauthorized { .. } => {
                "pass credentials with --user and --password (or REGISTRY_USER and REGISTRY_PASSWORD)"
                    .to_owned()
            }
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
            Self::NotFound { detail, .. } if detail.code.as_deref() == Some("NAME_UNKNOWN") => {
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
            _ => return None,
        };
        Some(hint)
    }

    /// Whether this is a 404 with the given OCI error code (or with no envelope at all).
    pub fn is_not_found(&self, code: &str) -> bool {
        matches!(self, Self::NotFound { detail, .. }
            if detail.code.as_deref().is_none_or(|c| c == code))
    }

    /// Whether this is a 404 saying the manifest (or its whole repository) is not there.
    pub fn is_unknown_manifest(&self) -> bool {
        self.is_not_found("MANIFEST_UNKNOWN") || self.is_not_found("NAME_UNKNOWN")
    }

    /// Whether the registry refused the request outright, so it was certainly not carried out and
    /// every further request like it would be refused too: 401, 403, 405.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Unsupported { .. }
                | Self::Unauthorized { .. }
                | Self::Forbidden { .. }
                | Self::AuthFailed { .. }
                | Self::Denied { .. }
        )
    }

    /// Whether a read that failed this way may succeed when sent again: a server error, a broken or
    /// refused connection, a timeout. Not a refusal, a 404 or a malformed answer.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Server { .. }
                | Self::ConnectionLost { .. }
                | Self::Timeout { .. }
                | Self::Unreachable { .. }
        )
    }

    /// Turns a transport failure into the error a user can act on: a failure to connect, a TLS
    /// failure, a timeout, or a connection that broke off (reset, closed early, body cut short).
    pub fn from_transport(url: &Url, err: &reqwest::Error) -> Self {
        let url = Box::new(url.clone());
        if err.is_timeout() {
            return Self::Timeout { url };
        }
        let detail = innermost_message(err);
        let lower = detail.to_ascii_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            Self::Tls { url, detail }
        } else if err.is_connect() {
            Self::Unreachable { url, detail }
        } else {
            Self::ConnectionLost { url, detail }
        }
    }
}

/// The most specific message in an error's source chain ("Connection refused (os error 111)"), rather
/// than reqwest's generic "error sending request".
pub(super) fn innermost_message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        last = cause.to_string();
        source = cause.source();
    }
    last
}

/// How much of an error answer is read for its envelope.
const ERROR_BODY_LIMIT: usize = 1 << 20;

/// What a response's status means for the client: use it, retry it, or fail with a typed error.
pub enum Checked {
    Ok(Response),
    RetryAfter(Duration),
    Failed(RegistryError),
}

/// The one check every response passes through. Error bodies are read here (they are small) so the
/// envelope's code and message reach the user.
pub async fn check_response(url: &Url, response: Response) -> Checked {
    let status = response.status();
    if status.is_success() {
        return Checked::Ok(response);
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        return Checked::RetryAfter(retry_after(&response).unwrap_or(Duration::from_secs(1)));
    }
    // An error body is small; a huge one is cut to its first megabyte rather than read whole.
    let mut response = response;
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > ERROR_BODY_LIMIT {
            break;
        }
    }
    let detail = ErrorDetail::parse(&body);
    let url = Box::new(url.clone());
    Checked::Failed(match status {
        StatusCode::UNAUTHORIZED => RegistryError::Unauthorized { url, detail },
        StatusCode::FORBIDDEN => RegistryError::Forbidden { url, detail },
        StatusCode::NOT_FOUND => RegistryError::NotFound { url, detail },
        StatusCode::METHOD_NOT_ALLOWED => RegistryError::Unsupported { url, detail },
        s if s.is_server_error() => RegistryError::Server {
            url,
            status: s,
            detail,
        },
        s => RegistryError::Unexpected {
            url,
            status: s,
            detail,
        },
    })
}

/// `Retry-After` in seconds (the HTTP-date form is rare on registries and treated as absent).
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?;
    let seconds: u64 = value.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds.min(60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_first_entry_is_kept() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}},{"code":"OTHER"}]}"#;
        let detail = ErrorDetail::parse(body);
        assert_eq!(detail.code.as_deref(), Some("NAME_UNKNOWN"));
        assert_eq!(
            detail.to_string(),
            ": NAME_UNKNOWN: repository name not known to registry"
        );
    }

    #[test]
    fn garbage_bodies_give_no_detail() {
        for body in [
            &b""[..],
            b"<html>502</html>",
            br#"{"errors":[]}"#,
            br#"{"errors":null}"#,
        ] {
            assert_eq!(ErrorDetail::parse(body), ErrorDetail::default());
        }
    }

    #[test]
    fn not_found_codes_are_told_apart() {
        let url = Box::new(Url::parse("http://127.0.0.1:1/v2/x/tags/list").unwrap());
        let err = RegistryError::NotFound {
            url,
            detail: ErrorDetail {
                code: Some("NAME_UNKNOWN".into()),
                message: None,
            },
        };
        assert!(err.is_not_found("NAME_UNKNOWN"));
        assert!(!err.is_not_found("MANIFEST_UNKNOWN"));
        assert_eq!(err.exit_status(), ExitStatus::Registry);
    }
}
