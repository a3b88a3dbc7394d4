//! The read side of the API: `/images` and everything under it, as HAL+JSON or, when a browser asks
//! for HTML, as pages; `/health`; `/metrics`. Every handler takes the current snapshot once and answers
//! from it alone.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::hal;
use super::html;
use super::shape::{self, Shape};
use super::snapshot::Snapshot;
use super::{AppState, error_response};

const HAL: &str = "application/hal+json";

/// What a path under `/images/` names. Repository names may hold slashes, tags may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    Image(&'a str),
    Tags(&'a str),
    Tag(&'a str, &'a str),
    /// What a tag pointed to when (the tag may be gone now).
    History(&'a str, &'a str),
}

/// Reads `path` (after `/images/`) against the snapshot's repositories. `x/tags` is the tags of `x`
/// when `x` is a repository, otherwise the repository `x/tags` (the same for `x/tags/t`).
pub fn resolve<'a>(snapshot: &Snapshot, path: &'a str) -> Option<Resource<'a>> {
    let known = |name: &str| snapshot.repositories.contains_key(name);
    if let Some(tag_path) = path.strip_suffix("/history")
        && let Some((rest, tag)) = tag_path.rsplit_once('/')
        && let Some(name) = rest.strip_suffix("/tags")
        && known(name)
        && crate::names::is_tag(tag)
    {
        return Some(Resource::History(name, tag));
    }
    if let Some(name) = path.strip_suffix("/tags")
        && known(name)
    {
        return Some(Resource::Tags(name));
    }
    if let Some((rest, tag)) = path.rsplit_once('/')
        && let Some(name) = rest.strip_suffix("/tags")
        && known(name)
    {
        return Some(Resource::Tag(name, tag));
    }
    known(path).then_some(Resource::Image(path))
}

/// Whether the client prefers HTML (a browser) to JSON.
fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("text/html")
}

// The error is the answer itself, made once per refused request; boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn snapshot_or_503(state: &AppState) -> Result<Arc<Snapshot>, Response> {
    state.current.get().ok_or_else(|| {
        let mut response = error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "the first read of the registry is still running; try again shortly",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        response
    })
}

fn page(markup: maud::Markup) -> Response {
    axum::response::Html(markup.into_string()).into_response()
}

fn hal_response(value: serde_json::Value) -> Response {
    match serde_json::to_vec(&value) {
        Ok(bytes) => ([(header::CONTENT_TYPE, HAL)], bytes).into_response(),
        Err(_) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not encode the answer",
        ),
    }
}

pub async fn collection(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let shape = match shape::parse_query(query.as_deref()) {
        Ok(shape) => shape,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, &message),
    };
    let snapshot = match snapshot_or_503(&state) {
        Ok(s) => s,
        Err(response) => return response,
    };
    if wants_html(&headers) {
        return page(html::images(&snapshot));
    }
    let bytes = snapshot.rendered(shape, || {
        serde_json::to_vec(&hal::images(&snapshot, shape))
            .unwrap_or_default()
            .into()
    });
    ([(header::CONTENT_TYPE, HAL)], bytes).into_response()
}

pub async fn member(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(path): axum::extract::Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let shape: Shape = match shape::parse_query(query.as_deref()) {
        Ok(shape) => shape,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, &message),
    };
    let snapshot = match snapshot_or_503(&state) {
        Ok(s) => s,
        Err(response) => return response,
    };
    let path = path.trim_end_matches('/');
    let Some(resource) = resolve(&snapshot, path) else {
        return error_response(StatusCode::NOT_FOUND, "no such image in the registry");
    };
    let html = wants_html(&headers);
    match resource {
        // An image's page lists its tags: it serves both.
        Resource::Image(name) | Resource::Tags(name) => {
            let repository = &snapshot.repositories[name];
            if html {
                return page(html::image(name, repository));
            }
            hal_response(match resource {
                Resource::Tags(_) => hal::tags(name, repository, shape),
                _ => hal::image(name, repository, shape),
            })
        }
        Resource::History(name, tag) => match state.store.history(name, tag).await {
            Ok(periods) => hal_response(hal::history(name, tag, &periods)),
            Err(err) => error_response(StatusCode::SERVICE_UNAVAILABLE, &err.to_string()),
        },
        Resource::Tag(name, tag) => {
            let Some(view) = snapshot.repositories[name].tag(tag) else {
                return error_response(StatusCode::NOT_FOUND, "no such tag in this image");
            };
            let repository = &snapshot.repositories[name];
            if html {
                let newest = crate::select::newest_in(&repository.repository, tag);
                return page(html::tag(name, tag, view, &newest));
            }
            hal_response(hal::tag(repository, name, tag, view, shape))
        }
    }
}

/// `GET /health`: whether the service has a snapshot to answer from. No login needed.
pub async fn health(State(state): State<Arc<AppState>>) -> Response {
    let store = state.store.describe().to_owned();
    let reachable = tokio::time::timeout(std::time::Duration::from_secs(3), state.store.ping())
        .await
        .map_err(|_| "no answer within 3 s".to_owned())
        .and_then(|pinged| pinged.map_err(|e| e.to_string()));
    let ready = state.current.get();
    let (status, body) = match (&ready, reachable) {
        (_, Err(detail)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "store unavailable", "store": store, "detail": detail }),
        ),
        (Some(s), Ok(())) => (
            StatusCode::OK,
            serde_json::json!({ "status": "ok", "store": store, "refreshed_at": s.refreshed_at }),
        ),
        (None, Ok(())) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "starting", "store": store }),
        ),
    };
    (status, axum::Json(body)).into_response()
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state.metrics.render(state.current.get().as_deref());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::testing::inventory;

    #[test]
    fn paths_resolve_against_known_repositories() {
        let inv = inventory(&[("app", &[("1", "D")]), ("team/tags", &[("2", "E")])]);
        let snapshot = Snapshot::build(&inv, None);
        assert_eq!(resolve(&snapshot, "app"), Some(Resource::Image("app")));
        assert_eq!(resolve(&snapshot, "app/tags"), Some(Resource::Tags("app")));
        assert_eq!(
            resolve(&snapshot, "app/tags/1"),
            Some(Resource::Tag("app", "1"))
        );
        assert_eq!(
            resolve(&snapshot, "team/tags"),
            Some(Resource::Image("team/tags")),
            "team is no repository"
        );
        assert_eq!(
            resolve(&snapshot, "team/tags/tags/2"),
            Some(Resource::Tag("team/tags", "2"))
        );
        assert_eq!(resolve(&snapshot, "nope"), None);
        assert_eq!(resolve(&snapshot, "app/x"), None);
    }
}
