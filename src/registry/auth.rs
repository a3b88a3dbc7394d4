//! Who we are to the registry. Authentication follows the registry's `WWW-Authenticate` challenges:
//! Basic and Digest (RFC 7617, RFC 7616, via the http-auth crate) and the Bearer token flow of the
//! distribution spec (`docs/spec/auth/token.md`): on a 401 the realm is asked for a token for the scope
//! at hand, with basic credentials or an identity token (`grant_type=refresh_token`, `oauth.md`).
//!
//! Tokens are cached per scope and shared: concurrent requests for one scope wait for a single fetch.
//! A rejected token is renewed once. Credentials and tokens never appear in `Debug` output or logs.
//!
//! The credential itself is resolved only when the registry first challenges a request: a run that
//! sends nothing, or talks to an open registry, never runs a credential helper or asks for a
//! password.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use url::Url;

use super::error::{RegistryError, SourceError, innermost_message};

/// A token lives this long when the token server does not say (distribution `token.md`).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// A token is renewed this long before it expires, so it does not expire in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5);

/// Resolves the credential for the registry: called at most once, when it is first needed.
pub type CredentialProvider = Arc<
    dyn Fn() -> Result<Option<Credential>, Box<dyn std::error::Error + Send + Sync>> + Send + Sync,
>;

/// A provider of a credential known in advance.
#[cfg(test)]
pub fn fixed(credential: Option<Credential>) -> CredentialProvider {
    Arc::new(move || Ok(credential.clone()))
}

/// Credentials for a registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Password {
        user: String,
        password: String,
    },
    /// A docker config `identitytoken`, exchanged at the token realm for access tokens.
    IdentityToken(String),
}

impl Credential {
    /// Who, for messages: the user name, or a description of the token.
    pub fn who(&self) -> String {
        match self {
            Self::Password { user, .. } => user.clone(),
            Self::IdentityToken(_) => "the identity token of the docker configuration".to_owned(),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Password { user, .. } => f
                .debug_struct("Password")
                .field("user", user)
                .field("password", &"<redacted>")
                .finish(),
            Self::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// What the registry asked for.
#[derive(Debug, Clone)]
enum Scheme {
    Basic,
    Digest,
    Bearer { realm: Url, service: Option<String> },
}

struct Token {
    value: String,
    expires: Instant,
}

/// The state of authentication with one registry, shared by all requests.
pub struct Authenticator {
    /// The registry, for messages.
    registry: String,
    provider: CredentialProvider,
    credential: OnceLock<Result<Option<Credential>, SourceError>>,
    prefer_digest: bool,
    scheme: Mutex<Option<Scheme>>,
    digest: Mutex<Option<http_auth::PasswordClient>>,
    tokens: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Token>>>>>,
}

impl Authenticator {
    pub fn new(registry: String, provider: CredentialProvider, prefer_digest: bool) -> Self {
        Self {
            registry,
            provider,
            credential: OnceLock::new(),
            prefer_digest,
            scheme: Mutex::new(None),
            digest: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// The credential, resolved on the first call (which may run a helper or prompt, so it runs
    /// where blocking is allowed); concurrent callers wait for that one resolution.
    fn credential(&self) -> Result<Option<&Credential>, RegistryError> {
        let resolved = self.credential.get_or_init(|| {
            let resolve = || (self.provider)().map_err(SourceError::from);
            match tokio::runtime::Handle::try_current() {
                Ok(handle)
                    if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread =>
                {
                    tokio::task::block_in_place(resolve)
                }
                _ => resolve(),
            }
        });
        match resolved {
            Ok(credential) => Ok(credential.as_ref()),
            Err(source) => Err(RegistryError::Credentials {
                source: source.clone(),
            }),
        }
    }

    /// The credential if it was resolved already (for messages), never resolving it.
    pub fn resolved(&self) -> Option<&Credential> {
        self.credential
            .get()
            .and_then(|r| r.as_ref().ok())
            .and_then(Option::as_ref)
    }

    fn scheme(&self) -> Option<Scheme> {
        self.scheme.lock().ok().and_then(|s| s.clone())
    }

    /// The `Authorization` header for a request, once the registry has said what it wants; fetches a
    /// token for `scope` first when it wants Bearer tokens.
    /// The credential as HTTP Basic, whatever the registry's own scheme: what Harbor's API takes.
    pub fn basic(&self, url: &Url) -> Result<Option<HeaderValue>, RegistryError> {
        let Some(Credential::Password { user, password }) = self.credential()? else {
            return Ok(None);
        };
        let pair = format!("{user}:{password}");
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        );
        let mut value = HeaderValue::from_str(&value).map_err(|_| RegistryError::Malformed {
            url: Box::new(url.clone()),
            detail: "the credentials hold characters no header may carry".into(),
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    pub async fn header(
        &self,
        http: &reqwest::Client,
        method: &Method,
        url: &Url,
        scope: &str,
    ) -> Result<Option<HeaderValue>, RegistryError> {
        let value = match self.scheme() {
            None => return Ok(None),
            Some(Scheme::Bearer { realm, service }) => {
                let token = self.token(http, &realm, service.as_deref(), scope).await?;
                format!("Bearer {token}")
            }
            Some(Scheme::Basic) => match self.credential()? {
                Some(Credential::Password { user, password }) => {
                    let pair = format!("{user}:{password}");
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    )
                }
                _ => return Ok(None),
            },
            Some(Scheme::Digest) => {
                let (Some(Credential::Password { user, password }), Ok(mut digest)) =
                    (self.credential()?, self.digest.lock())
                else {
                    return Ok(None);
                };
                let Some(client) = digest.as_mut() else {
                    return Ok(None);
                };
                let uri = &url[url::Position::BeforePath..];
                client
                    .respond(&http_auth::PasswordParams {
                        username: user,
                        password,
                        uri,
                        method: method.as_str(),
                        body: Some(&[]),
                    })
                    .map_err(|detail| RegistryError::Malformed {
                        url: Box::new(url.clone()),
                        detail: format!("cannot answer its Digest challenge: {detail}"),
                    })?
            }
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| RegistryError::Malformed {
            url: Box::new(url.clone()),
            detail: "credentials that cannot be sent in a header".into(),
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// Learns from a 401 what the registry wants. Returns whether the request is worth sending again:
    /// there is a scheme we can answer, and (for tokens) the rejected token was dropped.
    pub fn learn(&self, headers: &HeaderMap, rejected_scope: &str) -> Result<bool, RegistryError> {
        let challenges: Vec<&str> = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let joined = challenges.join(", ");
        let Ok(parsed) = http_auth::parse_challenges(&joined) else {
            return Ok(false);
        };
        let find = |name: &str| parsed.iter().find(|c| c.scheme.eq_ignore_ascii_case(name));
        let param = |c: &http_auth::ChallengeRef<'_>, name: &str| {
            c.params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_unescaped())
        };
        if parsed.is_empty() {
            return Ok(false);
        }
        let has_password = matches!(self.credential()?, Some(Credential::Password { .. }));
        let scheme = if let Some(bearer) = find("bearer") {
            let Some(realm) = param(bearer, "realm").and_then(|r| Url::parse(&r).ok()) else {
                return Ok(false);
            };
            let service = param(bearer, "service");
            if let Some(scope) = param(bearer, "scope") {
                // The registry names the scope it wants: remember it for the scope we asked for.
                self.alias(rejected_scope, &scope);
            }
            self.forget_token(rejected_scope);
            Scheme::Bearer { realm, service }
        } else if let (Some(digest), true) = (find("digest"), has_password) {
            let use_digest = self.prefer_digest || find("basic").is_none();
            match http_auth::PasswordClient::try_from(digest) {
                Ok(client) if use_digest => {
                    if let Ok(mut slot) = self.digest.lock() {
                        *slot = Some(client);
                    }
                    Scheme::Digest
                }
                _ => Scheme::Basic,
            }
        } else if find("basic").is_some() && has_password {
            Scheme::Basic
        } else {
            return Ok(false);
        };
        if let Ok(mut slot) = self.scheme.lock() {
            *slot = Some(scheme);
        }
        Ok(true)
    }

    /// The token slot of a scope; `alias` may point two scope names at one slot.
    fn slot(&self, scope: &str) -> Arc<tokio::sync::Mutex<Option<Token>>> {
        let mut tokens = match self.tokens.lock() {
            Ok(tokens) => tokens,
            Err(poisoned) => poisoned.into_inner(),
        };
        tokens.entry(scope.to_owned()).or_default().clone()
    }

    fn alias(&self, ours: &str, theirs: &str) {
        if ours == theirs {
            return;
        }
        let slot = self.slot(theirs);
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(ours.to_owned(), slot);
        }
    }

    fn forget_token(&self, scope: &str) {
        if let Ok(mut slot) = self.slot(scope).try_lock() {
            *slot = None;
        }
    }

    /// A valid token for `scope`: the cached one, or one fetched from the realm. Concurrent callers for
    /// the same scope wait on the slot's lock, so the realm is asked once.
    async fn token(
        &self,
        http: &reqwest::Client,
        realm: &Url,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, RegistryError> {
        let slot = self.slot(scope);
        let mut slot = slot.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| t.expires > Instant::now()) {
            return Ok(token.value.clone());
        }
        let token = self.fetch_token(http, realm, service, scope).await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    async fn fetch_token(
        &self,
        http: &reqwest::Client,
        realm: &Url,
        service: Option<&str>,
        scope: &str,
    ) -> Result<Token, RegistryError> {
        let token_error = |detail: String| RegistryError::TokenServer {
            realm: Box::new(realm.clone()),
            detail,
        };
        let credential = self.credential()?;
        let method = match credential {
            Some(Credential::IdentityToken(_)) => "POST",
            _ => "GET",
        };
        let request = token_request(http, credential, realm, service, scope);
        let started = std::time::Instant::now();
        let response = request
            .send()
            .await
            .map_err(|e| token_error(format!("cannot reach it: {}", innermost_message(&e))))?;
        let status = response.status();
        // The realm's query names the service and scope, never a credential (those go in headers
        // or a POST body).
        let call = |bytes: usize| {
            tracing::debug!(
                method,
                url = %realm,
                scope,
                status = status.as_u16(),
                bytes,
                ms = started.elapsed().as_millis() as u64,
                "token call"
            );
        };
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            call(0);
            return Err(RegistryError::AuthFailed {
                who: self.resolved().map(Credential::who),
                registry: self.registry.clone(),
            });
        }
        if !status.is_success() {
            return Err(token_error(format!("it answered {status}")));
        }
        #[derive(Deserialize)]
        struct Answer {
            token: Option<String>,
            access_token: Option<String>,
            expires_in: Option<u64>,
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| token_error(format!("its answer broke off: {}", innermost_message(&e))))?;
        call(body.len());
        let answer: Answer = serde_json::from_slice(&body)
            .map_err(|_| token_error("it answered something that is not a token".into()))?;
        let value = answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| token_error("its answer holds no token".into()))?;
        let lifetime = answer
            .expires_in
            .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
        tracing::debug!(%realm, scope, ?lifetime, "token received");
        Ok(Token {
            value,
            expires: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN),
        })
    }

    /// Whether the last challenge said the token lacked the scope (a refusal, not bad credentials).
    pub fn is_insufficient_scope(headers: &HeaderMap) -> bool {
        headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("insufficient_scope"))
    }

    /// Whether the registry uses tokens (then a 401 after a retry is a refusal of the scope).
    pub fn uses_tokens(&self) -> bool {
        matches!(self.scheme(), Some(Scheme::Bearer { .. }))
    }
}

/// The request for a token: an identity token is exchanged by POST (`grant_type=refresh_token`, the
/// distribution spec's `oauth.md`), a password goes as Basic credentials on a GET, and anonymous
/// access asks with neither.
fn token_request(
    http: &reqwest::Client,
    credential: Option<&Credential>,
    realm: &Url,
    service: Option<&str>,
    scope: &str,
) -> reqwest::RequestBuilder {
    match credential {
        Some(Credential::IdentityToken(refresh_token)) => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "refresh_token")
                .append_pair("refresh_token", refresh_token)
                .append_pair("client_id", "regsweep");
            if let Some(service) = service {
                form.append_pair("service", service);
            }
            if !scope.is_empty() {
                form.append_pair("scope", scope);
            }
            http.post(realm.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.finish())
        }
        credential => {
            let mut url = realm.clone();
            {
                let mut query = url.query_pairs_mut();
                if let Some(service) = service {
                    query.append_pair("service", service);
                }
                if !scope.is_empty() {
                    query.append_pair("scope", scope);
                }
            }
            let request = http.get(url);
            match credential {
                Some(Credential::Password { user, password }) => {
                    request.basic_auth(user, Some(password))
                }
                _ => request,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn password() -> Option<Credential> {
        Some(Credential::Password {
            user: "me".into(),
            password: "pw".into(),
        })
    }

    #[test]
    fn bearer_challenges_are_learned_with_their_realm_and_service() {
        let auth = Authenticator::new(String::new(), fixed(None), false);
        assert!(auth.learn(
            &challenge(r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull""#),
            "repository:app:pull"
        ).unwrap());
        let Some(Scheme::Bearer { realm, service }) = auth.scheme() else {
            panic!("not bearer")
        };
        assert_eq!(realm.as_str(), "https://auth.example/token");
        assert_eq!(service.as_deref(), Some("registry.example"));
        assert!(auth.uses_tokens());
    }

    #[test]
    fn basic_needs_a_password() {
        assert!(
            !Authenticator::new(String::new(), fixed(None), false)
                .learn(&challenge(r#"Basic realm="r""#), "")
                .unwrap()
        );
        let auth = Authenticator::new(String::new(), fixed(password()), false);
        assert!(auth.learn(&challenge(r#"Basic realm="r""#), "").unwrap());
        assert!(matches!(auth.scheme(), Some(Scheme::Basic)));
    }

    #[test]
    fn digest_is_used_when_offered_alone_or_preferred() {
        let digest = r#"Digest realm="r", nonce="abc", qop="auth", algorithm=MD5"#;
        let auth = Authenticator::new(String::new(), fixed(password()), false);
        assert!(auth.learn(&challenge(digest), "").unwrap());
        assert!(matches!(auth.scheme(), Some(Scheme::Digest)));
        let both = format!(r#"{digest}, Basic realm="r""#);
        let auth = Authenticator::new(String::new(), fixed(password()), false);
        assert!(auth.learn(&challenge(&both), "").unwrap());
        assert!(matches!(auth.scheme(), Some(Scheme::Basic)));
        let auth = Authenticator::new(String::new(), fixed(password()), true);
        assert!(auth.learn(&challenge(&both), "").unwrap());
        assert!(matches!(auth.scheme(), Some(Scheme::Digest)));
    }

    #[test]
    fn garbage_challenges_are_not_retried() {
        let auth = Authenticator::new(String::new(), fixed(password()), false);
        assert!(!auth.learn(&challenge("Negotiate"), "").unwrap());
        assert!(!auth.learn(&HeaderMap::new(), "").unwrap());
        assert!(
            !auth.learn(&challenge(r#"Bearer service="x""#), "").unwrap(),
            "no realm"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let text = format!(
            "{:?} {:?}",
            password().unwrap(),
            Credential::IdentityToken("tok-123".into())
        );
        assert!(
            !text.contains("pw\"") && !text.contains("tok-123"),
            "{text}"
        );
    }
}
