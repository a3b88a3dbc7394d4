//! `regsweep serve`: the registry's contents and sizes as an authenticated REST/HAL API, kept fresh by
//! periodic reads and by the registry's own notifications.
//!
//! The rooms: `config` (the TOML file), `snapshot` (the immutable view requests answer from),
//! `hal` and `html` (the resources as JSON and as pages), `api` (the read handlers), `auth` and
//! `ldap` (login and tokens), `keeper` (the one writer: it follows the store's log, refreshes,
//! swaps the snapshot), `metrics`. The registry's notifications are logged in the store
//! (`store::event` says what they change) and acknowledged only once committed. Selection, the
//! store and the registry client are the ones the commands use.

mod api;
mod auth;
pub mod config;
mod hal;
mod html;
mod keeper;
pub mod ldap;
mod metrics;
mod shape;
mod snapshot;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Notify;
use tower_http::compression::CompressionLayer;

pub use keeper::Keeper;
use metrics::Metrics;
use snapshot::Current;

/// The largest notification envelope accepted.
const MAX_EVENTS_BODY: usize = 8 * 1024 * 1024;

/// How the service runs, resolved from the command line and the configuration file.
pub struct Options {
    pub listen: SocketAddr,
    /// `None`: serve without login (only on loopback).
    pub login: Option<Login>,
    /// The header and value the registry's notifications must carry; `None` with login on refuses
    /// notifications, without login accepts them.
    pub events_secret: Option<(HeaderName, String)>,
    /// Reverse proxies whose `X-Forwarded-Proto` is believed (TLS ends there).
    pub trusted_proxies: Vec<IpAddr>,
}

pub struct Login {
    pub secret: Vec<u8>,
    pub lifetime: Duration,
    pub ldap: ldap::LdapConfig,
}

/// What every handler shares.
pub struct AppState {
    current: Current,
    auth: Option<auth::Auth>,
    metrics: Metrics,
    events_secret: Option<(HeaderName, String)>,
    /// Where the service's state is; notifications are logged there.
    store: Arc<dyn crate::store::Store>,
    /// Wakes the keeper when this service has logged an envelope.
    wake: Notify,
    trusted_proxies: Vec<IpAddr>,
}

impl AppState {
    /// Whether the browser's request came over HTTPS: this service speaks plain HTTP, so only
    /// through a trusted reverse proxy that says so in `X-Forwarded-Proto`.
    fn came_over_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.trusted_proxies.contains(&peer)
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

/// The address to listen on cannot be had (in use, not ours, not allowed).
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {address}: {source}")]
pub struct ListenError {
    pub address: SocketAddr,
    pub source: std::io::Error,
}

/// A JSON error body, `{"error": {"status", "message"}}`.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "status": status.as_u16(), "message": message } });
    (status, axum::Json(body)).into_response()
}

/// A job run every so often beside serving (a retention policy), given by the command that starts
/// the service; it returns a one-line summary for the log.
pub struct Scheduled<'a> {
    pub name: String,
    pub every: Duration,
    pub run: Box<dyn Fn() -> futures::future::LocalBoxFuture<'a, anyhow::Result<String>> + 'a>,
}

impl Scheduled<'_> {
    /// Runs the job one interval after the start and then every interval, one run at a time, until
    /// `stopping` says the service stops; a failed run is logged and the next one comes on time. A
    /// run under way when the service stops is finished first: a removal is never cut off half-way.
    /// Where several replicas share a store, the one that claims the interval runs it.
    async fn run_until(
        &self,
        store: &dyn crate::store::Store,
        mut stopping: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.every) => {}
                _ = stopping.wait_for(|stop| *stop) => return,
            }
            let job = format!("schedule {}", self.name);
            let _claim = match store.claim(&job, self.every.mul_f64(0.9)).await {
                Ok(Some(claim)) => claim,
                Ok(None) => {
                    tracing::info!(
                        "scheduled {}: another replica ran it this interval",
                        self.name
                    );
                    continue;
                }
                Err(err) => {
                    tracing::error!("scheduled {}: cannot claim the run: {err}", self.name);
                    continue;
                }
            };
            tracing::info!("scheduled {}: starting", self.name);
            match (self.run)().await {
                Ok(summary) => tracing::info!("scheduled {}: {summary}", self.name),
                Err(err) => tracing::error!("scheduled {} failed: {err:#}", self.name),
            }
            if *stopping.borrow() {
                return;
            }
        }
    }
}

/// Serves until SIGTERM or Ctrl-C; the keeper reads and writes the registry's cache meanwhile.
pub async fn run(
    options: Options,
    keeper: Keeper,
    scheduled: Option<Scheduled<'_>>,
) -> anyhow::Result<()> {
    let no_auth = options.login.is_none();
    let state = Arc::new(AppState {
        current: Current::default(),
        auth: options
            .login
            .map(|l| auth::Auth::new(&l.secret, l.lifetime, l.ldap)),
        metrics: Metrics::default(),
        events_secret: options.events_secret,
        store: keeper.store.clone(),
        wake: Notify::new(),
        trusted_proxies: options.trusted_proxies,
    });
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| ListenError {
            address: options.listen,
            source,
        })?;
    let address = listener.local_addr()?;
    // On stderr whatever the log level: scripts and tests read the port from it.
    crate::output::to_stderr(format_args!(
        "regsweep: serving {} on http://{address}\n",
        keeper.registry
    ));
    tracing::info!("state in {}", keeper.store.describe());
    if no_auth {
        tracing::warn!(
            "serving without login (--no-auth): anyone who can reach {address} can read"
        );
    }
    let keeper_task = tokio::spawn(keeper.run(state.clone()));
    let app = router(state.clone());
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal());
    // The schedule runs in this task, beside serving; when serving ends (a signal), the schedule
    // starts no new run and a run under way is waited for.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let serve_then_stop = async {
        let served = serving.await;
        let _ = stop.send(true);
        served
    };
    let schedule = async {
        if let Some(job) = &scheduled {
            job.run_until(state.store.as_ref(), stopping).await;
        }
    };
    let (served, ()) = tokio::join!(serve_then_stop, schedule);
    served.context("serving")?;
    keeper_task.abort();
    tracing::info!("stopped");
    Ok(())
}

fn router(state: Arc<AppState>) -> Router {
    let protected = Router::new()
        .route("/images", get(api::collection))
        .route("/images/", get(api::collection))
        .route("/images/{*path}", get(api::member))
        .route("/metrics", get(api::metrics))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .merge(protected)
        .route("/health", get(api::health))
        .route("/auth_token", post(auth::token))
        .route("/login", get(auth::login_page).post(auth::login_form))
        .route("/events", post(receive_events))
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/images") }),
        )
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "no such resource") })
        .layer(middleware::from_fn(negotiate))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .with_state(state)
}

/// Answers depend on `Accept` (pages for a browser, JSON for the API), so every one says so in
/// `Vary`, and an error a browser asked for is a page rather than raw JSON.
async fn negotiate(request: Request, next: Next) -> Response {
    let html = request
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let mut response = next.run(request).await;
    response.headers_mut().append(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("Accept"),
    );
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if !(html
        && json
        && (response.status().is_client_error() || response.status().is_server_error()))
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error bodies are this service's own, a few hundred bytes.
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "something went wrong".to_owned());
    let page = html::error(parts.status, &message).into_string();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(parts, axum::body::Body::from(page))
}

/// One line per request at info level: method, path (never the query), status, time.
async fn log_request(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.request(status);
    tracing::info!(
        "{method} {} {status} {:.1}ms",
        crate::output::escape(&path),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// `POST /events`: a notification envelope from the registry, answered 200 only once its events are
/// committed to the store (the registry sends it again on anything else).
async fn receive_events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match (&state.events_secret, &state.auth) {
        (Some((name, secret)), _) => {
            let given = headers.get(name).map(|v| v.as_bytes()).unwrap_or_default();
            if !constant_time_eq(given, secret.as_bytes()) {
                return error_response(StatusCode::UNAUTHORIZED, "wrong or missing events secret");
            }
        }
        (None, Some(_)) => {
            return error_response(
                StatusCode::FORBIDDEN,
                "notifications are off: configure [events] secret_file (or REGSWEEP_EVENTS_SECRET)",
            );
        }
        (None, None) => {}
    }
    if body.len() > MAX_EVENTS_BODY {
        return error_response(StatusCode::PAYLOAD_TOO_LARGE, "envelope too large");
    }
    let envelope: crate::store::Envelope = match serde_json::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                &format!("not an event envelope: {e}"),
            );
        }
    };
    if envelope.events.len() > crate::store::event::MAX_EVENTS {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too many events in one envelope",
        );
    }
    match state.store.record(envelope.events).await {
        Ok(recorded) => {
            if recorded.new > 0 {
                state.wake.notify_one();
            }
            StatusCode::OK.into_response()
        }
        Err(err) => {
            tracing::warn!("logging registry events: {err}");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store cannot take events now; send them again later",
            )
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
