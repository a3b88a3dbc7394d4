//! The typed errors of the registry boundary, and the one check every response passes through.
//!
//! Registries report failures as an OCI error envelope, `{"errors":[{"code":..,"message":..}]}`
//! (distribution-spec `spec.md`, "Error Codes"); the first entry's code and message are kept.
//!
//! These errors say what happened, in the registry's terms. Which exit code each gives and what to
//! do about it (hints that name command-line flags) is `failure.rs`'s business, not the client's.

use std::fmt;
use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::Deserialize;
use url::Url;

/// An error from wherever credentials come from (the command line, Docker's configuration, a
/// helper), kept whole so that every request meeting it can report it.
pub type SourceError = std::sync::Arc<dyn std::error::Error + Send + Sync>;

/// An OCI error code (distribution-spec `spec.md`, "Error Codes"), or any other a registry sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    #[serde(rename = "TOOMANYREQUESTS")]
    TooManyRequests,
    PaginationNumberInvalid,
    #[serde(untagged)]
    Other(String),
}

impl ErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            Self::BlobUnknown => "BLOB_UNKNOWN",
            Self::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            Self::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            Self::DigestInvalid => "DIGEST_INVALID",
            Self::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            Self::ManifestInvalid => "MANIFEST_INVALID",
            Self::ManifestUnknown => "MANIFEST_UNKNOWN",
            Self::NameInvalid => "NAME_INVALID",
            Self::NameUnknown => "NAME_UNKNOWN",
            Self::SizeInvalid => "SIZE_INVALID",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::Denied => "DENIED",
            Self::Unsupported => "UNSUPPORTED",
            Self::TooManyRequests => "TOOMANYREQUESTS",
            Self::PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
            Self::Other(code) => code,
        }
    }
}

/// The first entry of an OCI error envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: Option<ErrorCode>,
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
        let code = |c: String| {
            let c = clip(c, 64);
            serde_json::from_value(serde_json::Value::String(c.clone()))
                .unwrap_or(ErrorCode::Other(c))
        };
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .and_then(|e| e.errors.into_iter().next())
            .map(|e| Self {
                code: e.code.map(code),
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
        match (self.code.as_ref().map(ErrorCode::as_str), &self.message) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}"),
            (Some(code), None) => write!(f, ": {code}"),
            (None, Some(message)) => write!(f, ": {message}"),
            (None, None) => Ok(()),
        }
    }
}

/// What keeps a client from being set up: the registry's address or the files it was given.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no registry given")]
    NoRegistry,
    #[error("unsupported registry URL scheme in {input:?}")]
    UnsupportedScheme { input: String },
    #[error("invalid registry {input:?}: {why}")]
    InvalidAddress { input: String, why: String },
    /// The address is not repeated: it holds a secret.
    #[error("invalid registry address: credentials do not belong in it")]
    CredentialsInAddress,
    #[error("cannot read {what} {}: {source}", path.display())]
    Unreadable {
        what: &'static str,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("invalid CA bundle {}: {detail}", path.display())]
    InvalidCa {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error("invalid client certificate {}: {detail}", path.display())]
    InvalidClientCert {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
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

    /// The registry's own rules refuse this (412): Harbor's immutable-tag and retention rules.
    #[error("{url}: refused by a rule of the registry (412){detail}")]
    RefusedByRule { url: Box<Url>, detail: ErrorDetail },

    /// GitLab's API would not take the token: 401 (unknown, expired, revoked) or 403 (a scope or a
    /// permission missing; `scopes` when GitLab named the ones the call needs).
    #[error(
        "GitLab refused {action} ({status}, {url}){}{}",
        scopes.as_ref().map(|s| format!(": the token lacks the scope {}", s.join(" or "))).unwrap_or_default(),
        if message.is_empty() || scopes.is_some() { String::new() } else { format!(": {message}") }
    )]
    GitlabRefused {
        url: Box<Url>,
        status: u16,
        action: &'static str,
        scopes: Option<Vec<String>>,
        message: String,
    },

    /// Harbor's API refused the registry's credentials: 401 (unknown user or robot, wrong
    /// secret) or 403 (the project's permission missing).
    #[error("Harbor refused {action} ({status}, {url}){}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    HarborRefused {
        url: Box<Url>,
        status: u16,
        action: &'static str,
        message: String,
    },

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

    /// Where the credentials come from failed (a helper, no terminal to ask for a password).
    #[error("cannot get credentials for the registry")]
    Credentials {
        #[source]
        source: SourceError,
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
    /// Whether the registry refused the request outright, so it was certainly not carried out and
    /// every further request like it would be refused too: 401, 403, 405.
    pub fn refuses_all(&self) -> bool {
        matches!(
            self,
            Self::Unsupported { .. }
                | Self::Unauthorized { .. }
                | Self::Forbidden { .. }
                | Self::RefusedByRule { .. }
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

    /// Whether this is a 404 with the given OCI error code (or with no envelope at all).
    pub fn is_not_found(&self, code: ErrorCode) -> bool {
        matches!(self, Self::NotFound { detail, .. }
            if detail.code.as_ref().is_none_or(|c| *c == code))
    }

    /// Whether this is a 404 saying the manifest (or its whole repository) is not there.
    pub fn is_unknown_manifest(&self) -> bool {
        self.is_not_found(ErrorCode::ManifestUnknown) || self.is_not_found(ErrorCode::NameUnknown)
    }

    /// Whether the registry refused a manifest because a blob it references is gone (after garbage
    /// collection): MANIFEST_BLOB_UNKNOWN or BLOB_UNKNOWN, whatever the status.
    pub fn is_blob_unknown(&self) -> bool {
        let detail = match self {
            Self::NotFound { detail, .. }
            | Self::Unexpected { detail, .. }
            | Self::Server { detail, .. } => detail,
            _ => return false,
        };
        matches!(
            detail.code,
            Some(ErrorCode::ManifestBlobUnknown | ErrorCode::BlobUnknown)
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
        if spoke_bad_http(err) {
            // The registry answered, but not in HTTP (a control character in a header, a garbled
            // status line): its fault, not the network's.
            return Self::Malformed {
                url,
                detail: format!("the answer was not valid HTTP ({detail})"),
            };
        }
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

/// Whether a transport error is the HTTP parser refusing what the server sent.
fn spoke_bad_http(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(current) = cause {
        if current
            .downcast_ref::<hyper::Error>()
            .is_some_and(|e| e.is_parse() || e.is_parse_status() || e.is_parse_too_large())
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// GitLab's answer to a token it will not take, in words naming what is missing: an
/// `insufficient_scope` body names the scopes the call needs.
pub(super) fn gitlab_refusal(
    url: &Url,
    status: u16,
    body: &[u8],
    action: &'static str,
) -> RegistryError {
    #[derive(Deserialize, Default)]
    struct Body {
        #[serde(default)]
        error: Option<String>,
        #[serde(default)]
        scope: Option<String>,
        #[serde(default)]
        message: Option<serde_json::Value>,
    }
    let body: Body = serde_json::from_slice(body).unwrap_or_default();
    let scopes = body
        .scope
        .filter(|_| body.error.as_deref() == Some("insufficient_scope"))
        .map(|s| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>());
    let message = body
        .message
        .map(|m| match m {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .or(body.error)
        .unwrap_or_default();
    RegistryError::GitlabRefused {
        url: Box::new(url.clone()),
        status,
        action,
        scopes,
        message: message
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect(),
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
        StatusCode::PRECONDITION_FAILED => RegistryError::RefusedByRule { url, detail },
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

/// Harbor's refusal, with the message of its error body (`{"errors": [{"code", "message"}]}`),
/// cleaned of control characters and cut short.
pub(super) fn harbor_refusal(
    url: &Url,
    status: u16,
    body: &[u8],
    action: &'static str,
) -> RegistryError {
    #[derive(Deserialize, Default)]
    struct Body {
        #[serde(default)]
        errors: Vec<Entry>,
    }
    #[derive(Deserialize, Default)]
    struct Entry {
        #[serde(default)]
        message: String,
    }
    let body: Body = serde_json::from_slice(body).unwrap_or_default();
    let message = body
        .errors
        .into_iter()
        .map(|e| e.message)
        .collect::<Vec<_>>()
        .join("; ");
    RegistryError::HarborRefused {
        url: Box::new(url.clone()),
        status,
        action,
        message: message
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_first_entry_is_kept() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}},{"code":"OTHER"}]}"#;
        let detail = ErrorDetail::parse(body);
        assert_eq!(detail.code, Some(ErrorCode::NameUnknown));
        let other = ErrorDetail::parse(br#"{"errors":[{"code":"QUOTA_EXCEEDED"}]}"#);
        assert_eq!(other.code, Some(ErrorCode::Other("QUOTA_EXCEEDED".into())));
        assert_eq!(other.to_string(), ": QUOTA_EXCEEDED");
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
                code: Some(ErrorCode::NameUnknown),
                message: None,
            },
        };
        assert!(err.is_not_found(ErrorCode::NameUnknown));
        assert!(!err.is_not_found(ErrorCode::ManifestUnknown));
        assert!(err.is_unknown_manifest() && !err.is_blob_unknown());
    }
}
