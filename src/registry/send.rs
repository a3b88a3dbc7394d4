//! Sending one request: the credentials the registry asked for, a place among the requests in flight,
//! the answer checked and its body read up to a limit, and the retries `retry` allows. Every request
//! of the client goes through `Client::send`.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use url::Url;

use super::auth::{Authenticator, Credential};
use super::connection::Client;
use super::error::{Checked, RegistryError, check_response};
use super::limit::Outcome;
use super::retry::{MAX_REFUSED_RETRIES, MAX_RETRIES, backoff};

pub(super) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The most of an answer that is read, by kind. Larger answers are refused without being read whole.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limit {
    bytes: usize,
    what: &'static str,
}

pub(super) const LIST_PAGE: Limit = Limit {
    bytes: 32 << 20,
    what: "a page of a listing",
};
/// A page of a registry's own API (GitLab's 1,000 tags, Harbor's 100 artifacts): a few hundred
/// kilobytes in practice.
pub(super) const NATIVE_PAGE: Limit = Limit {
    bytes: 4 << 20,
    what: "a page of a registry's own API",
};
pub(super) const MANIFEST: Limit = Limit {
    bytes: 8 << 20,
    what: "a manifest",
};
pub(super) const CONFIG: Limit = Limit {
    bytes: 16 << 20,
    what: "an image config",
};
pub(super) const SMALL: Limit = Limit {
    bytes: 1 << 20,
    what: "this answer",
};

/// What a request needs the registry to allow: the token scope to ask for, and how to name the
/// action when it is refused.
#[derive(Clone)]
pub(super) struct Access {
    scope: String,
    action: &'static str,
    repository: Option<String>,
    /// GitLab's API: its token goes as `PRIVATE-TOKEN` (never the registry's credentials), and a
    /// 401 or 403 is GitLab's refusal, not a registry challenge.
    gitlab: Option<Option<String>>,
    /// Harbor's API: the registry's credentials as HTTP Basic; a 401 or 403 is Harbor's refusal.
    harbor: bool,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("scope", &self.scope)
            .field("action", &self.action)
            .field("gitlab", &self.gitlab.is_some())
            .finish()
    }
}

impl Access {
    /// A call to GitLab's API with `token` (if any).
    pub(super) fn gitlab(token: Option<String>, action: &'static str) -> Self {
        Self {
            scope: String::new(),
            action,
            repository: None,
            gitlab: Some(token),
            harbor: false,
        }
    }

    /// A call to Harbor's API, with the registry's credentials.
    pub(super) fn harbor(action: &'static str) -> Self {
        Self {
            scope: String::new(),
            action,
            repository: None,
            gitlab: None,
            harbor: true,
        }
    }

    /// The `/v2/` check: no scope.
    pub(super) fn base() -> Self {
        Self {
            scope: String::new(),
            action: "access to the registry",
            repository: None,
            gitlab: None,
            harbor: false,
        }
    }

    pub(super) fn catalog() -> Self {
        Self {
            scope: "registry:catalog:*".into(),
            action: "listing the catalog",
            repository: None,
            gitlab: None,
            harbor: false,
        }
    }

    fn repository(repo: &str, actions: &str, action: &'static str) -> Self {
        Self {
            scope: format!("repository:{repo}:{actions}"),
            action,
            repository: Some(repo.to_owned()),
            gitlab: None,
            harbor: false,
        }
    }

    pub(super) fn pull(repo: &str) -> Self {
        Self::repository(repo, "pull", "pull")
    }

    pub(super) fn delete(repo: &str) -> Self {
        Self::repository(repo, "pull,delete", "delete")
    }

    pub(super) fn push(repo: &str) -> Self {
        Self::repository(repo, "pull,push", "push")
    }
}

/// A response whose body has been read while the request still held its place.
pub(super) struct Fetched {
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
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
    pub(super) async fn fetch(
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
    pub(super) async fn send(
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
            let refused = matches!(err, RegistryError::TooManyRequests { .. });
            let retryable = refused || (idempotent && err.is_transient());
            let most = if refused {
                MAX_REFUSED_RETRIES
            } else {
                MAX_RETRIES
            };
            if !retryable || retries >= most || !self.inner.budget.take() {
                return Err(err);
            }
            retries += 1;
            let wait = backoff(retries, asked);
            tracing::info!(%method, %url, error = %err, ?wait, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: the credentials the registry asked for, then a place among the requests in
    /// flight for the exchange, whose end (its time, or overload) the limit learns from.
    async fn attempt(&self, request: &Request<'_>, challenged: bool) -> Attempt {
        let (method, url, access) = (request.method, request.url, request.access);
        let authorization = if access.gitlab.is_some() {
            None
        } else if access.harbor {
            match self.inner.auth.basic(url) {
                Ok(authorization) => authorization,
                Err(err) => return Attempt::Failed(err, None),
            }
        } else {
            match self
                .inner
                .auth
                .header(self.inner.http.first(), method, url, &access.scope)
                .await
            {
                Ok(authorization) => authorization,
                Err(err) => return Attempt::Failed(err, None),
            }
        };
        let permit = self.inner.limiter.acquire().await;
        let started = std::time::Instant::now();
        let attempt = self.exchange(request, authorization, challenged).await;
        let outcome = match &attempt {
            Attempt::Failed(err, _) if is_overload(err) => Outcome::Overload(started),
            _ => Outcome::Answered(started.elapsed()),
        };
        self.inner.limiter.record(outcome);
        drop(permit);
        attempt
    }

    /// The request on the wire and its answer, read.
    async fn exchange(
        &self,
        request: &Request<'_>,
        authorization: Option<reqwest::header::HeaderValue>,
        challenged: bool,
    ) -> Attempt {
        let Request {
            method,
            url,
            access,
            ..
        } = request;
        let auth = &self.inner.auth;
        self.inner.budget.sent();
        let builder = match self.request_builder(request, authorization) {
            Ok(builder) => builder,
            Err(err) => return Attempt::Failed(err, None),
        };
        let started = std::time::Instant::now();
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => {
                let ms = started.elapsed().as_millis() as u64;
                tracing::debug!(%method, %url, error = %e, ms, "call failed");
                return Attempt::Failed(RegistryError::from_transport(url, &e), None);
            }
        };
        let status = response.status();
        self.tell_protocol_once(response.version());
        // Every call at debug level: method, URL (never a credential: those go in headers), status,
        // bytes read and how long it took.
        let call = |bytes: usize| {
            let ms = started.elapsed().as_millis() as u64;
            tracing::debug!(%method, %url, status = status.as_u16(), bytes, ms, "call");
        };
        if (access.gitlab.is_some() || access.harbor)
            && (status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN)
        {
            let body = read_body(url, response, SMALL).await.unwrap_or_default();
            call(body.len());
            let status = status.as_u16();
            let refusal = if access.harbor {
                super::error::harbor_refusal(url, status, &body, access.action)
            } else {
                super::error::gitlab_refusal(url, status, &body, access.action)
            };
            return Attempt::Failed(refusal, None);
        }
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
        let (attempt, bytes) = self.checked(request, response, refused_scope).await;
        call(bytes);
        attempt
    }

    /// The answer checked and its body read (up to the request's limit): how the attempt ends, and
    /// the bytes read.
    async fn checked(
        &self,
        request: &Request<'_>,
        response: reqwest::Response,
        refused_scope: bool,
    ) -> (Attempt, usize) {
        let (method, url) = (request.method, request.url);
        let status = response.status();
        let url_box = || Box::new(url.clone());
        match check_response(url, response).await {
            Checked::Ok(response) => {
                let headers = response.headers().clone();
                let read = if *method == Method::HEAD {
                    Ok(Bytes::new())
                } else {
                    read_body(url, response, request.limit).await
                };
                match read {
                    Ok(body) => {
                        let bytes = body.len();
                        (Attempt::Done(Fetched { headers, body }), bytes)
                    }
                    Err(err) => (Attempt::Failed(err, None), 0),
                }
            }
            Checked::Failed(err) => {
                let err = self.explain_refusal(err, request.access, refused_scope);
                (Attempt::Failed(err, None), 0)
            }
            Checked::RetryAfter(wait) if status == StatusCode::TOO_MANY_REQUESTS => (
                Attempt::Failed(
                    RegistryError::TooManyRequests { url: url_box() },
                    Some(wait),
                ),
                0,
            ),
            Checked::RetryAfter(wait) => {
                let err = RegistryError::Server {
                    url: url_box(),
                    status,
                    detail: Default::default(),
                };
                (Attempt::Failed(err, Some(wait)), 0)
            }
        }
    }

    /// The request as reqwest sends it: its accept header, credentials (the registry's, or GitLab's
    /// token as `PRIVATE-TOKEN`, marked sensitive) and body.
    fn request_builder(
        &self,
        request: &Request<'_>,
        authorization: Option<reqwest::header::HeaderValue>,
    ) -> Result<reqwest::RequestBuilder, RegistryError> {
        let (method, url) = (request.method, request.url);
        let in_flight = self.inner.limiter.limit();
        let http2 = self.inner.http2.load(std::sync::atomic::Ordering::Relaxed);
        let pool = self.inner.http.pick(http2, in_flight);
        let mut builder = pool.request(method.clone(), url.clone());
        if let Some(accept) = request.accept {
            builder = builder.header(ACCEPT, accept);
        }
        if let Some(authorization) = authorization {
            builder = builder.header(AUTHORIZATION, authorization);
        }
        if let Some(Some(token)) = &request.access.gitlab {
            let mut value = reqwest::header::HeaderValue::from_str(token).map_err(|_| {
                RegistryError::Malformed {
                    url: Box::new(url.clone()),
                    detail: "the GitLab token holds characters no header may carry".into(),
                }
            })?;
            value.set_sensitive(true);
            builder = builder.header("private-token", value);
        }
        if let Some((content_type, body)) = request.body {
            builder = builder
                .header(CONTENT_TYPE, content_type)
                .body(body.clone());
        }
        Ok(builder)
    }

    /// At debug level, once per run: which HTTP version the registry speaks and how wide we start.
    fn tell_protocol_once(&self, version: reqwest::Version) {
        if version == reqwest::Version::HTTP_2
            && !self
                .inner
                .http2
                .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.inner
                .limiter
                .raise_ceiling(super::lanes::HTTP2_CEILING);
        }
        let told = &self.inner.protocol_told;
        if told.swap(true, std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let limiter = &self.inner.limiter;
        let how = if version == reqwest::Version::HTTP_2 {
            format!(
                "requests as streams, one connection per {} in flight",
                super::lanes::STREAMS_PER_LANE
            )
        } else {
            format!("a pool of up to {} connections", limiter.ceiling())
        };
        tracing::debug!(
            ?version,
            how,
            limit = limiter.limit(),
            ceiling = limiter.ceiling(),
            "talking to the registry"
        );
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
                    registry: self.address().to_string(),
                }
            }
            other => other,
        }
    }
}

/// Whether a failure says the registry (or the way to it) is overloaded: the limit backs off.
fn is_overload(err: &RegistryError) -> bool {
    matches!(
        err,
        RegistryError::TooManyRequests { .. }
            | RegistryError::Server { .. }
            | RegistryError::Timeout { .. }
            | RegistryError::ConnectionLost { .. }
            | RegistryError::Unreachable { .. }
    )
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
