//! Login and tokens: `POST /auth_token` with HTTP Basic credentials checked against LDAP returns a
//! signed JWT (HS256, `iss` regsweep, `exp`); every protected request carries it as
//! `Authorization: Bearer`. A browser logs in through `/login`'s form instead and gets the same token
//! as an HttpOnly cookie, accepted for reading (GET, HEAD) only. Failed logins are limited per
//! client address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::ldap::LdapConfig;
use super::{AppState, error_response};

const ISSUER: &str = "regsweep";
const COOKIE: &str = "regsweep_token";
/// Failed logins allowed per client address within `FAILURE_WINDOW`.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; older entries are dropped first.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    iat: i64,
    exp: i64,
}

/// What checking logins and tokens needs.
pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
    ldap: LdapConfig,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl Auth {
    pub fn new(secret: &[u8], lifetime: Duration, ldap: LdapConfig) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            lifetime,
            ldap,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn issue(&self, user: &str) -> Result<String, jsonwebtoken::errors::Error> {
        let now = jiff::Timestamp::now().as_second();
        let claims = Claims {
            sub: user.to_owned(),
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now + self.lifetime.as_secs() as i64,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    fn verify(&self, token: &str) -> bool {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).is_ok()
    }

    /// How long `client` must wait before trying again, when it failed too often lately.
    fn blocked_for(&self, client: IpAddr) -> Option<Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let times = failures.get_mut(&client)?;
        times.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
        (times.len() >= MAX_FAILURES).then(|| FAILURE_WINDOW - now.duration_since(times[0]))
    }

    fn failed(&self, client: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, times| {
                times
                    .iter()
                    .any(|t| now.duration_since(*t) < FAILURE_WINDOW)
            });
        }
        if failures.len() < MAX_TRACKED || failures.contains_key(&client) {
            failures.entry(client).or_default().push(now);
        }
    }

    /// Checks `user`'s password, counting failures against `client`; the token on success.
    async fn log_in(&self, client: IpAddr, user: &str, password: &str) -> Result<String, Refusal> {
        if let Some(wait) = self.blocked_for(client) {
            return Err(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: "too many failed logins from this address; wait and try again",
                retry_after: Some(wait.as_secs().max(1)),
            });
        }
        match self.ldap.check(user, password).await {
            Ok(true) => self.issue(user).map_err(|_| Refusal {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "could not sign a token",
                retry_after: None,
            }),
            Ok(false) => {
                self.failed(client);
                tracing::info!(%client, "login refused");
                Err(Refusal {
                    status: StatusCode::UNAUTHORIZED,
                    message: "wrong user name or password",
                    retry_after: None,
                })
            }
            Err(e) => {
                tracing::warn!("{e}");
                Err(Refusal {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    message: "the login server cannot be reached; try again later",
                    retry_after: None,
                })
            }
        }
    }
}

/// Why a login was refused: the API answers it as JSON (a 401 with the Basic challenge), the form
/// shows it on the form again.
struct Refusal {
    status: StatusCode,
    message: &'static str,
    retry_after: Option<u64>,
}

impl Refusal {
    fn api_response(&self) -> Response {
        let mut response = if self.status == StatusCode::UNAUTHORIZED {
            challenge(self.status, self.message, "Basic")
        } else {
            error_response(self.status, self.message)
        };
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// 401 (or 403) with the `WWW-Authenticate` header a client needs.
fn challenge(status: StatusCode, message: &str, scheme: &str) -> Response {
    let mut response = error_response(status, message);
    let value = match scheme {
        "Basic" => r#"Basic realm="regsweep""#,
        _ => r#"Bearer realm="regsweep", error="invalid_token""#,
    };
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
    response
}

/// `user:password` of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `POST /auth_token`: Basic credentials in, `{"token", "expires_in", "token_type"}` out.
pub async fn token(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let Some(auth) = &state.auth else {
        return error_response(
            StatusCode::NOT_FOUND,
            "this service runs without login (--no-auth)",
        );
    };
    let Some((user, password)) = basic_credentials(&headers) else {
        return challenge(
            StatusCode::UNAUTHORIZED,
            "send HTTP Basic credentials",
            "Basic",
        );
    };
    match auth.log_in(client.ip(), &user, &password).await {
        Ok(token) => axum::Json(serde_json::json!({
            "token": token,
            "token_type": "Bearer",
            "expires_in": auth.lifetime.as_secs(),
        }))
        .into_response(),
        Err(refusal) => refusal.api_response(),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct NextPage {
    #[serde(default)]
    next: String,
}

/// Where a login may go on to: a path of this service (never another site: `//host`, `/\\host` or
/// a scheme would make the form an open redirect); the images otherwise.
fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains(['\\', '\r', '\n'])
        && !next.starts_with("/login");
    if local { next } else { "/images" }
}

fn login_page_response(
    status: StatusCode,
    error: Option<&str>,
    next: &str,
    user: &str,
) -> Response {
    let page = super::html::login(error, local_path(next), user);
    (status, Html(page.into_string())).into_response()
}

/// `GET /login`: a form for browsers; `?next=` is the page to go on to.
pub async fn login_page(axum::extract::Query(query): axum::extract::Query<NextPage>) -> Response {
    login_page_response(StatusCode::OK, None, &query.next, "")
}

/// `POST /login`: the form's credentials; the token as an HttpOnly cookie (`Secure` when the
/// browser came over HTTPS), then the page asked for. A refused login shows the form again with
/// why, answered 401 without a `WWW-Authenticate` challenge (which would raise the browser's own
/// login dialog over the form).
pub async fn login_form(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let next = local_path(&form.next);
    let Some(auth) = &state.auth else {
        return Redirect::to(next).into_response();
    };
    match auth.log_in(client.ip(), &form.user, &form.password).await {
        Ok(token) => {
            let secure = if state.came_over_https(client.ip(), &headers) {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
                auth.lifetime.as_secs()
            );
            let mut response = Redirect::to(next).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(refusal) => {
            let mut response =
                login_page_response(refusal.status, Some(refusal.message), next, &form.user);
            if let Some(seconds) = refusal.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// Lets a request through with a valid token; otherwise 401 with `WWW-Authenticate: Bearer`, or
/// for a browser the way to the login form.
pub async fn require_token(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(auth) = &state.auth else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let token = bearer(headers).or_else(|| cookie_token(headers).filter(|_| reading));
    if token.is_some_and(|t| auth.verify(t)) {
        return next.run(request).await;
    }
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if browser && reading && bearer(headers).is_none() {
        let asked = request
            .uri()
            .path_and_query()
            .map_or("/images", |p| p.as_str());
        let next: String = url::form_urlencoded::byte_serialize(asked.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let message = if token.is_some() {
        "the token is invalid or expired; get a new one from POST /auth_token"
    } else {
        "log in first: POST /auth_token with HTTP Basic credentials, then send the token as \
         Authorization: Bearer"
    };
    challenge(StatusCode::UNAUTHORIZED, message, "Bearer")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(lifetime: Duration) -> Auth {
        let ldap: LdapConfig = toml::from_str("url = \"ldap://127.0.0.1:1\"").unwrap();
        Auth::new(b"0123456789abcdef0123456789abcdef", lifetime, ldap)
    }

    #[test]
    fn tokens_verify_only_when_signed_here_and_unexpired() {
        let a = auth(Duration::from_secs(60));
        let token = a.issue("alice").unwrap();
        assert!(a.verify(&token));
        let other = Auth::new(
            b"another secret, as long as it is",
            Duration::from_secs(60),
            a.ldap.clone(),
        );
        assert!(!other.verify(&token), "signed with another secret");
        let mut tampered = token.clone();
        tampered.insert(token.len() / 2, 'x');
        assert!(!a.verify(&tampered));
        let expired = auth(Duration::ZERO).issue("alice").unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(!a.verify(&expired));
    }

    #[test]
    fn failures_block_an_address_for_a_while() {
        let a = auth(Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(a.blocked_for(ip).is_none());
            a.failed(ip);
        }
        assert!(a.blocked_for(ip).is_some());
        assert!(a.blocked_for("::1".parse().unwrap()).is_none());
    }

    #[test]
    fn basic_credentials_are_read_and_garbage_is_not() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic YWxpY2U6czNjcjN0OjE="),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("alice".into(), "s3cr3t:1".into()))
        );
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert_eq!(basic_credentials(&headers), None);
    }
}
