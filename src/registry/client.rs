//! The HTTP client: one shared connection pool, a bound on requests in flight, retries (see `retry`),
//! pagination with a page cap, answers read up to a size limit, manifests checked against their digest,
//! names from the registry checked before they are used, and tag -> digest resolution.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LINK};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use url::Url;

use super::address::RegistryAddress;
use super::auth::{Authenticator, Credential, CredentialProvider};
use super::error::{Checked, ConfigError, ErrorCode, RegistryError, check_response};
use super::manifest::{digest_like, media_type_of, sha256_digest};
use super::retry::{MAX_RETRIES, RetryBudget, backoff};
use crate::media_type::{ACCEPT_ALL, DOCKER_V1_SIGNED};
use crate::names::{is_digest, is_repository_name, is_tag};

/// Pages read of one listing (catalog or tag list) at most: a million repositories at Docker's 100 a
/// page, ten million tags at registry 3.x's 1,000.
pub const MAX_PAGES: usize = 10_000;

/// The most of an answer that is read, by kind. Larger answers are refused without being read whole.
#[derive(Debug, Clone, Copy)]
struct Limit {
    bytes: usize,
    what: &'static str,
}

const LIST_PAGE: Limit = Limit {
    bytes: 32 << 20,
    what: "a page of a listing",
};
const MANIFEST: Limit = Limit {
    bytes: 8 << 20,
    what: "a manifest",
};
const CONFIG: Limit = Limit {
    bytes: 16 << 20,
    what: "an image config",
};
const SMALL: Limit = Limit {
    bytes: 1 << 20,
    what: "this answer",
};

/// What a request needs the registry to allow: the token scope to ask for, and how to name the
/// action when it is refused.
#[derive(Debug, Clone)]
struct Access {
    scope: String,
    action: &'static str,
    repository: Option<String>,
}

impl Access {
    /// The `/v2/` check: no scope.
    fn base() -> Self {
        Self {
            scope: String::new(),
            action: "access to the registry",
            repository: None,
        }
    }

    fn catalog() -> Self {
        Self {
            scope: "registry:catalog:*".into(),
            action: "listing the catalog",
            repository: None,
        }
    }

    fn repository(repo: &str, actions: &str, action: &'static str) -> Self {
        Self {
            scope: format!("repository:{repo}:{actions}"),
            action,
            repository: Some(repo.to_owned()),
        }
    }

    fn pull(repo: &str) -> Self {
        Self::repository(repo, "pull", "pull")
    }

    fn delete(repo: &str) -> Self {
        Self::repository(repo, "pull,delete", "delete")
    }

    fn push(repo: &str) -> Self {
        Self::repository(repo, "pull,push", "push")
    }
}

/// How to verify the registry and present ourselves to it.
#[derive(Debug, Clone, Default)]
pub struct TlsConfig {
    /// Extra trusted CA certificates (PEM bundle).
    pub extra_ca: Option<PathBuf>,
    /// Skip certificate verification entirely.
    pub insecure: bool,
    /// Client certificate (PEM), possibly holding the key too.
    pub client_cert: Option<PathBuf>,
    /// Key of the client certificate, when it is in a file of its own.
    pub client_key: Option<PathBuf>,
}

#[derive(Clone)]
pub struct ClientConfig {
    pub address: RegistryAddress,
    pub concurrency: usize,
    pub use_get_manifest: bool,
    /// Asked for the credential when the registry first challenges a request.
    pub credentials: CredentialProvider,
    /// Answer a Digest challenge rather than Basic when the registry offers both.
    pub prefer_digest: bool,
    pub tls: TlsConfig,
}

/// A manifest a tag points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRef {
    pub digest: String,
    pub media_type: Option<String>,
}

/// A manifest as the registry serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub digest: String,
    pub media_type: Option<String>,
    pub bytes: Bytes,
}

/// Names a registry listed: the valid ones, and those refused (they would not fit in a URL, or would
/// leave `/v2/`), for the caller to warn about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub names: Vec<String>,
    pub invalid: Vec<String>,
}

impl Listed {
    fn sorted(mut names: Vec<String>, valid: impl Fn(&str) -> bool) -> Self {
        names.sort();
        names.dedup();
        let (names, invalid) = names.into_iter().partition(|n| valid(n));
        Self { names, invalid }
    }
}

/// What a DELETE found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    AlreadyGone,
}

/// A registry client. Cheap to clone: clones share the connection pool and the in-flight bound.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    address: RegistryAddress,
    permits: Semaphore,
    use_get_manifest: bool,
    auth: Authenticator,
    budget: RetryBudget,
}

/// A response whose body has been read while the request still held its place.
struct Fetched {
    headers: HeaderMap,
    body: Bytes,
}

/// How one attempt at a request ended.
enum Attempt {
    Done(Fetched),
    /// The registry's 401 challenge was learned: send again with credentials.
    Challenged,
    /// Failed; with the pause the registry asked for (429, 503), if any.
    Failed(RegistryError, Option<Duration>),
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("regsweep/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(config.concurrency);
        let tls = &config.tls;
        if tls.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = &tls.extra_ca {
            let pem = read_file(path, "CA bundle")?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                ConfigError::InvalidCa {
                    path: path.clone(),
                    detail: e.to_string(),
                }
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(cert_path) = &tls.client_cert {
            let mut pem = read_file(cert_path, "client certificate")?;
            if let Some(key_path) = &tls.client_key {
                pem.push(b'\n');
                pem.extend(read_file(key_path, "client key")?);
            }
            let identity =
                reqwest::Identity::from_pem(&pem).map_err(|e| ConfigError::InvalidClientCert {
                    path: cert_path.clone(),
                    detail: e.to_string(),
                })?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        let registry = config.address.to_string();
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                address: config.address,
                permits: Semaphore::new(config.concurrency),
                use_get_manifest: config.use_get_manifest,
                auth: Authenticator::new(registry, config.credentials, config.prefer_digest),
                budget: RetryBudget::default(),
            }),
        })
    }

    pub fn address(&self) -> &RegistryAddress {
        &self.inner.address
    }

    /// `GET /v2/`: is this a registry, and may we talk to it?
    pub async fn ping(&self) -> Result<(), RegistryError> {
        self.fetch(
            Method::GET,
            self.inner.address.endpoint("/v2/"),
            None,
            &Access::base(),
            SMALL,
        )
        .await
        .map(drop)
    }

    /// Every repository in the catalog, across all pages; names that break the distribution spec's
    /// grammar are set apart.
    pub async fn catalog(&self) -> Result<Listed, RegistryError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            repositories: Option<Vec<Option<String>>>,
        }
        let mut names = Vec::new();
        let first = self.inner.address.endpoint("/v2/_catalog");
        self.paginate(first, &Access::catalog(), |page: Page| {
            names.extend(page.repositories.into_iter().flatten().flatten());
        })
        .await?;
        Ok(Listed::sorted(names, is_repository_name))
    }

    /// Every tag of a repository, across all pages. `None` when the registry does not know the
    /// repository (Docker's registry 3.x answers so for an emptied one that is still in the catalog).
    /// `"tags": null` and null entries (Nexus) count as no tags; tags that are not valid tags
    /// (Artifactory lists digests) are set apart.
    pub async fn tags(&self, repo: &str) -> Result<Option<Listed>, RegistryError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            tags: Option<Vec<Option<String>>>,
        }
        let mut tags = Vec::new();
        let first = self
            .inner
            .address
            .endpoint(&format!("/v2/{repo}/tags/list"));
        match self
            .paginate(first, &Access::pull(repo), |page: Page| {
                tags.extend(page.tags.into_iter().flatten().flatten());
            })
            .await
        {
            Ok(()) => {}
            Err(err) if err.is_not_found(ErrorCode::NameUnknown) => return Ok(None),
            Err(err) => return Err(err),
        }
        Ok(Some(Listed::sorted(tags, is_tag)))
    }

    /// The manifest a tag (or digest) points to; `None` when the registry does not know it.
    ///
    /// HEAD with every manifest type accepted, reading `Docker-Content-Digest`; when HEAD is refused
    /// (Nexus answers 404) or carries no digest, GET the manifest and hash it.
    pub async fn resolve(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<Option<ManifestRef>, RegistryError> {
        let url = self.manifest_url(repo, reference);
        if !self.inner.use_get_manifest {
            match self
                .fetch(
                    Method::HEAD,
                    url.clone(),
                    Some(ACCEPT_ALL),
                    &Access::pull(repo),
                    SMALL,
                )
                .await
            {
                Ok(head) => {
                    if let Some(digest) = header_digest(&head.headers) {
                        let content_type = header_str(&head.headers, CONTENT_TYPE.as_str());
                        return Ok(Some(ManifestRef {
                            digest,
                            media_type: media_type_of(content_type, None),
                        }));
                    }
                }
                Err(RegistryError::NotFound { .. } | RegistryError::Unsupported { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        let manifest = self.manifest(repo, reference).await?;
        Ok(manifest.map(|m| ManifestRef {
            digest: m.digest,
            media_type: m.media_type,
        }))
    }

    /// A manifest's exact bytes, media type and digest; `None` when the registry does not know it.
    /// The bytes are checked against the digest asked for (or, by tag, the one the registry names):
    /// `Docker-Content-Digest` alone is never trusted over the body.
    pub async fn manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<Option<Manifest>, RegistryError> {
        let url = self.manifest_url(repo, reference);
        let got = match self
            .fetch(
                Method::GET,
                url.clone(),
                Some(ACCEPT_ALL),
                &Access::pull(repo),
                MANIFEST,
            )
            .await
        {
            Ok(got) => got,
            Err(err) if err.is_unknown_manifest() => return Ok(None),
            Err(err) => return Err(err),
        };
        let content_type = header_str(&got.headers, CONTENT_TYPE.as_str());
        let media_type = media_type_of(content_type, Some(&got.body));
        let digest = verified_digest(
            &url,
            reference,
            header_digest(&got.headers),
            &got.body,
            media_type.as_deref(),
        )?;
        Ok(Some(Manifest {
            media_type,
            digest,
            bytes: got.body,
        }))
    }

    /// A blob's bytes (configs are small); `None` when the registry does not have it. Blob GETs are
    /// often redirected to storage on another host; the redirect never carries our credentials.
    pub async fn blob(&self, repo: &str, digest: &str) -> Result<Option<Bytes>, RegistryError> {
        let url = self
            .inner
            .address
            .endpoint(&format!("/v2/{repo}/blobs/{digest}"));
        match self
            .fetch(Method::GET, url.clone(), None, &Access::pull(repo), CONFIG)
            .await
        {
            Ok(got) => match digest_like(digest, &got.body) {
                Some(actual) if actual != digest => Err(RegistryError::DigestMismatch {
                    url: Box::new(url),
                    expected: digest.to_owned(),
                    actual,
                }),
                _ => Ok(Some(got.body)),
            },
            Err(err) if err.is_not_found(ErrorCode::BlobUnknown) || err.is_unknown_manifest() => {
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// `DELETE /v2/REPO/manifests/DIGEST`: removes the manifest and every tag of this repository
    /// pointing to it. 202 is done; 404 means it was already gone.
    pub async fn delete_manifest(
        &self,
        repo: &str,
        digest: &str,
    ) -> Result<Deleted, RegistryError> {
        let url = self.manifest_url(repo, digest);
        match self
            .fetch(Method::DELETE, url, None, &Access::delete(repo), SMALL)
            .await
        {
            Ok(_) => Ok(Deleted::Deleted),
            Err(err) if err.is_unknown_manifest() => Ok(Deleted::AlreadyGone),
            Err(err) => Err(err),
        }
    }

    /// `PUT /v2/REPO/manifests/REFERENCE` with the exact bytes; returns the digest the registry gave.
    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &Bytes,
    ) -> Result<String, RegistryError> {
        let url = self.manifest_url(repo, reference);
        let put = self
            .send(
                Method::PUT,
                url,
                None,
                Some((media_type, bytes)),
                &Access::push(repo),
                SMALL,
            )
            .await?;
        Ok(header_digest(&put.headers).unwrap_or_else(|| sha256_digest(bytes)))
    }

    fn manifest_url(&self, repo: &str, reference: &str) -> Url {
        self.inner
            .address
            .endpoint(&format!("/v2/{repo}/manifests/{reference}"))
    }

    /// Follows `Link: <...>; rel="next"` from `first` until it is absent, handing each page to `take`;
    /// at most `MAX_PAGES` pages.
    async fn paginate<T: DeserializeOwned>(
        &self,
        first: Url,
        access: &Access,
        mut take: impl FnMut(T),
    ) -> Result<(), RegistryError> {
        let mut seen = HashSet::new();
        let mut next = Some(first);
        while let Some(url) = next {
            if seen.len() >= MAX_PAGES {
                return Err(RegistryError::TooManyPages {
                    url: Box::new(url),
                    limit: MAX_PAGES,
                });
            }
            if !seen.insert(url.clone()) {
                return Err(RegistryError::Malformed {
                    url: Box::new(url),
                    detail: "pagination links loop back to a page already read".into(),
                });
            }
            let page = self
                .fetch(Method::GET, url.clone(), None, access, LIST_PAGE)
                .await?;
            let parsed =
                serde_json::from_slice(&page.body).map_err(|e| RegistryError::Malformed {
                    url: Box::new(url.clone()),
                    detail: format!("not the expected JSON: {e}"),
                })?;
            take(parsed);
            next = self.next_link(&url, &page.headers)?;
        }
        Ok(())
    }

    /// The `rel="next"` link of a page, resolved against the page's URL; a link to another host (or
    /// scheme or port), or outside `/v2/`, is refused so pagination can never send us elsewhere.
    fn next_link(&self, url: &Url, headers: &HeaderMap) -> Result<Option<Url>, RegistryError> {
        let Some(value) = header_str(headers, LINK.as_str()) else {
            return Ok(None);
        };
        let malformed = |detail: String| RegistryError::Malformed {
            url: Box::new(url.clone()),
            detail,
        };
        let links = parse_link_header::parse_with_rel(value)
            .map_err(|e| malformed(format!("bad Link header {value:?}: {e}")))?;
        let Some(link) = links.get("next") else {
            return Ok(None);
        };
        let next = url
            .join(&link.raw_uri)
            .map_err(|e| malformed(format!("bad next link {:?}: {e}", link.raw_uri)))?;
        let base = self.inner.address.base();
        if next.scheme() != base.scheme()
            || next.host_str() != base.host_str()
            || next.port_or_known_default() != base.port_or_known_default()
            || !next.path().starts_with("/v2/")
        {
            return Err(RegistryError::ForeignLink {
                url: Box::new(url.clone()),
                link: next.to_string(),
            });
        }
        Ok(Some(next))
    }

    async fn fetch(
        &self,
        method: Method,
        url: Url,
        accept: Option<&str>,
        access: &Access,
        limit: Limit,
    ) -> Result<Fetched, RegistryError> {
        self.send(method, url, accept, None, access, limit).await
    }

    /// Sends a request until it succeeds, fails for good, or may not be retried (see `retry`). Every
    /// attempt holds one of the in-flight places while it is sent and its body read.
    async fn send(
        &self,
        method: Method,
        url: Url,
        accept: Option<&str>,
        body: Option<(&str, &Bytes)>,
        access: &Access,
        limit: Limit,
    ) -> Result<Fetched, RegistryError> {
        let idempotent = method == Method::GET || method == Method::HEAD;
        let mut retries = 0;
        let mut challenged = false;
        loop {
            let request = Request {
                method: &method,
                url: &url,
                accept,
                body,
                access,
                limit,
            };
            let (err, asked) = match self.attempt(&request, challenged).await {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Challenged => {
                    challenged = true;
                    continue;
                }
                Attempt::Failed(err, asked) => (err, asked),
            };
            let retryable = matches!(err, RegistryError::TooManyRequests { .. })
                || (idempotent && err.is_transient());
            if !retryable || retries >= MAX_RETRIES || !self.inner.budget.take() {
                return Err(err);
            }
            retries += 1;
            let wait = backoff(retries, asked);
            tracing::info!(%method, %url, error = %err, ?wait, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: the credentials the registry asked for, the request, its checked answer and its
    /// body, read up to the request's limit.
    async fn attempt(&self, request: &Request<'_>, challenged: bool) -> Attempt {
        let Request {
            method,
            url,
            accept,
            body,
            access,
            limit,
        } = request;
        let auth = &self.inner.auth;
        let authorization = match auth
            .header(&self.inner.http, method, url, &access.scope)
            .await
        {
            Ok(authorization) => authorization,
            Err(err) => return Attempt::Failed(err, None),
        };
        let _permit = self.inner.permits.acquire().await;
        self.inner.budget.sent();
        let mut builder = self.inner.http.request((*method).clone(), (*url).clone());
        if let Some(accept) = accept {
            builder = builder.header(ACCEPT, *accept);
        }
        if let Some(authorization) = authorization {
            builder = builder.header(AUTHORIZATION, authorization);
        }
        if let Some((content_type, body)) = body {
            builder = builder
                .header(CONTENT_TYPE, *content_type)
                .body((*body).clone());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(RegistryError::from_transport(url, &e), None),
        };
        let status = response.status();
        tracing::debug!(%method, %url, status = status.as_u16(), "registry answered");
        if status == StatusCode::UNAUTHORIZED && !challenged {
            match auth.learn(response.headers(), &access.scope) {
                Ok(true) => return Attempt::Challenged,
                Ok(false) => {}
                Err(err) => return Attempt::Failed(err, None),
            }
        }
        let refused_scope = status == StatusCode::UNAUTHORIZED
            && auth.uses_tokens()
            && Authenticator::is_insufficient_scope(response.headers());
        let url_box = || Box::new((*url).clone());
        match check_response(url, response).await {
            Checked::Ok(response) => {
                let headers = response.headers().clone();
                let read = if *method == Method::HEAD {
                    Ok(Bytes::new())
                } else {
                    read_body(url, response, *limit).await
                };
                match read {
                    Ok(body) => Attempt::Done(Fetched { headers, body }),
                    Err(err) => Attempt::Failed(err, None),
                }
            }
            Checked::Failed(err) => {
                Attempt::Failed(self.explain_refusal(err, access, refused_scope), None)
            }
            Checked::RetryAfter(wait) if status == StatusCode::TOO_MANY_REQUESTS => {
                Attempt::Failed(
                    RegistryError::TooManyRequests { url: url_box() },
                    Some(wait),
                )
            }
            Checked::RetryAfter(wait) => Attempt::Failed(
                RegistryError::Server {
                    url: url_box(),
                    status,
                    detail: Default::default(),
                },
                Some(wait),
            ),
        }
    }

    /// A 401 or 403 in words: credentials that were refused, or an action that was not allowed.
    fn explain_refusal(
        &self,
        err: RegistryError,
        access: &Access,
        refused_scope: bool,
    ) -> RegistryError {
        let credential = self.inner.auth.resolved();
        let denied = |url: Box<Url>, detail| RegistryError::Denied {
            url,
            action: access.action,
            repository: access.repository.clone(),
            detail,
        };
        match err {
            RegistryError::Forbidden { url, detail } => denied(url, detail),
            RegistryError::Unauthorized { url, detail } if refused_scope => denied(url, detail),
            RegistryError::Unauthorized { .. } if credential.is_some() => {
                RegistryError::AuthFailed {
                    who: credential.map(Credential::who),
                    registry: self.inner.address.to_string(),
                }
            }
            other => other,
        }
    }
}

/// What one request sends and how much of its answer it reads.
struct Request<'a> {
    method: &'a Method,
    url: &'a Url,
    accept: Option<&'a str>,
    body: Option<(&'a str, &'a Bytes)>,
    access: &'a Access,
    limit: Limit,
}

/// Reads a body, refusing one larger than `limit` as soon as that is known: from `Content-Length`
/// before reading, or while reading, so a huge answer never sits in memory whole.
async fn read_body(
    url: &Url,
    mut response: reqwest::Response,
    limit: Limit,
) -> Result<Bytes, RegistryError> {
    let too_large = || RegistryError::TooLarge {
        url: Box::new(url.clone()),
        limit: limit.bytes,
        what: limit.what,
    };
    if response
        .content_length()
        .is_some_and(|len| len > limit.bytes as u64)
    {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| RegistryError::from_transport(url, &e))?
    {
        if body.len() + chunk.len() > limit.bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The digest of a manifest's bytes, checked: by digest, the bytes must have that digest; by tag, the
/// digest the registry names for them. A signed schema 1 manifest's digest covers its payload
/// without the signatures, so the registry's header is taken for it (it cannot be recomputed without
/// parsing the JWS); a digest algorithm regsweep cannot compute is taken as given.
fn verified_digest(
    url: &Url,
    reference: &str,
    header: Option<String>,
    body: &[u8],
    media_type: Option<&str>,
) -> Result<String, RegistryError> {
    let expected = if is_digest(reference) {
        Some(reference.to_owned())
    } else {
        header
    };
    let Some(expected) = expected else {
        return Ok(sha256_digest(body));
    };
    if media_type == Some(DOCKER_V1_SIGNED) {
        return Ok(expected);
    }
    match digest_like(&expected, body) {
        Some(actual) if actual != expected => Err(RegistryError::DigestMismatch {
            url: Box::new(url.clone()),
            expected,
            actual,
        }),
        _ => Ok(expected),
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn header_digest(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "docker-content-digest")
        .map(str::trim)
        .filter(|d| is_digest(d))
        .map(str::to_owned)
}

fn read_file(path: &PathBuf, what: &'static str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|source| ConfigError::Unreadable {
        what,
        path: path.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn client() -> Client {
        Client::new(ClientConfig {
            address: RegistryAddress::parse("http://127.0.0.1:5000").unwrap(),
            concurrency: 4,
            use_get_manifest: false,
            credentials: super::super::auth::fixed(None),
            prefer_digest: false,
            tls: TlsConfig::default(),
        })
        .unwrap()
    }

    fn next(link: Option<&str>) -> Result<Option<Url>, RegistryError> {
        let page = Url::parse("http://127.0.0.1:5000/v2/_catalog?n=100").unwrap();
        let mut headers = HeaderMap::new();
        if let Some(link) = link {
            headers.insert(LINK, HeaderValue::from_str(link).unwrap());
        }
        client().next_link(&page, &headers)
    }

    #[test]
    fn relative_next_links_resolve_against_the_page() {
        let url = next(Some(r#"</v2/_catalog?last=b&n=100>; rel="next""#)).unwrap();
        assert_eq!(
            url.unwrap().as_str(),
            "http://127.0.0.1:5000/v2/_catalog?last=b&n=100"
        );
        // Quay's opaque tokens and absolute links on the same host are followed as given.
        let url = next(Some(
            r#"<http://127.0.0.1:5000/v2/_catalog?next_page=gAAAAB>; rel="next""#,
        ));
        assert!(url.unwrap().unwrap().as_str().ends_with("next_page=gAAAAB"));
    }

    #[test]
    fn no_next_link_ends_pagination() {
        assert_eq!(next(None).unwrap(), None);
        assert_eq!(
            next(Some(r#"</v2/_catalog?last=a>; rel="prev""#)).unwrap(),
            None
        );
    }

    #[test]
    fn links_to_other_hosts_are_refused() {
        for foreign in [
            r#"<http://127.0.0.2:5000/v2/_catalog?last=b>; rel="next""#,
            r#"<https://127.0.0.1:5000/v2/_catalog?last=b>; rel="next""#,
            r#"<http://127.0.0.1:6000/v2/_catalog?last=b>; rel="next""#,
            r#"<//evil.example/v2/_catalog>; rel="next""#,
        ] {
            assert!(
                matches!(next(Some(foreign)), Err(RegistryError::ForeignLink { .. })),
                "{foreign}"
            );
        }
    }

    #[test]
    fn links_outside_the_api_are_refused() {
        for outside in [
            r#"</etc/tags/list>; rel="next""#,
            r#"</x>; rel="next""#,
            r#"<../../x>; rel="next""#,
        ] {
            assert!(
                matches!(
                    next(Some(outside)),
                    Err(RegistryError::ForeignLink { .. } | RegistryError::Malformed { .. })
                ),
                "{outside}: {:?}",
                next(Some(outside))
            );
        }
    }

    #[test]
    fn manifest_bytes_must_match_their_digest() {
        let url = Url::parse("http://127.0.0.1:5000/v2/a/manifests/x").unwrap();
        let body = b"{}";
        let right = sha256_digest(body);
        let wrong = sha256_digest(b"other");
        assert_eq!(
            verified_digest(&url, &right, None, body, None).unwrap(),
            right
        );
        assert_eq!(
            verified_digest(&url, "1.0", Some(right.clone()), body, None).unwrap(),
            right
        );
        assert_eq!(
            verified_digest(&url, "1.0", None, body, None).unwrap(),
            right
        );
        for (reference, header) in [(wrong.as_str(), None), ("1.0", Some(wrong.clone()))] {
            let err = verified_digest(&url, reference, header, body, None).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(&right) && text.contains(&wrong), "{text}");
        }
        // Signed schema 1: the registry's digest is taken.
        assert_eq!(
            verified_digest(
                &url,
                "1.0",
                Some(wrong.clone()),
                body,
                Some(DOCKER_V1_SIGNED)
            )
            .unwrap(),
            wrong
        );
    }

    #[test]
    fn listed_names_that_break_the_grammar_are_set_apart() {
        let listed = Listed::sorted(
            vec!["b".into(), "../etc".into(), "a".into(), "a".into()],
            is_repository_name,
        );
        assert_eq!(listed.names, ["a", "b"]);
        assert_eq!(listed.invalid, ["../etc"]);
    }

    #[test]
    fn garbage_link_headers_are_malformed_answers() {
        assert!(matches!(
            next(Some("not a link header")),
            Err(RegistryError::Malformed { .. })
        ));
    }
}
