//! The benchmark's GitLab registry: a loopback server in front of a real Distribution registry that
//! also speaks GitLab's container registry API for listing tags ("GitLab Container Registry HTTP
//! API V1", gitlab-org/container-registry `docs/spec/gitlab/api.md`): `/v2/` names GitLab's
//! registry (`Gitlab-Container-Registry-Version`), `/gitlab/v1/` passes the compliance check, and
//! `/gitlab/v1/repositories/<path>/tags/list/` lists tags sorted by name, `n` (at most 1,000) a
//! page after `last`, with `Link: rel="next"`. Everything else is forwarded to the registry. What
//! the registry holds is read once at start (catalog, tag lists, a HEAD per tag), as GitLab's
//! metadata database would hold it. It prints the port it listens on, then serves until killed.
//!
//! ```text
//! cargo run --release --example gitlab_standin -- 127.0.0.1:5000
//! ```
//! It listens on 127.0.0.1 only, and forwards only to the loopback address it is given.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt as _};
use serde_json::{Value, json};

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// A manifest's digest and media type.
type Found = (String, String);

/// repository -> tag -> what it points to.
type Holdings = BTreeMap<String, BTreeMap<String, Found>>;

struct Standin {
    upstream: String,
    http: reqwest::Client,
    held: Holdings,
}

async fn json_of(http: &reqwest::Client, url: String) -> Value {
    match http.get(url).send().await {
        Ok(r) => r
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

async fn read(http: &reqwest::Client, upstream: &str) -> Holdings {
    let catalog = json_of(http, format!("{upstream}/v2/_catalog?n=10000")).await;
    let repos: Vec<String> = catalog["repositories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    let mut pairs = Vec::new();
    for repo in &repos {
        let tags = json_of(http, format!("{upstream}/v2/{repo}/tags/list")).await;
        for tag in tags["tags"].as_array().into_iter().flatten() {
            if let Some(tag) = tag.as_str() {
                pairs.push((repo.clone(), tag.to_owned()));
            }
        }
    }
    let heads: Vec<(String, String, Option<Found>)> = stream::iter(pairs)
        .map(|(repo, tag)| async move {
            let url = format!("{upstream}/v2/{repo}/manifests/{tag}");
            let answer = http.head(url).header("accept", ACCEPT).send().await.ok();
            let found = answer.filter(|a| a.status().is_success()).map(|a| {
                let header = |name: &str| {
                    a.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                (header("docker-content-digest"), header("content-type"))
            });
            (repo, tag, found)
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let mut held = Holdings::new();
    for (repo, tag, found) in heads {
        if let Some(found) = found {
            held.entry(repo).or_default().insert(tag, found);
        }
    }
    held
}

fn tags_page(standin: &Standin, repo: &str, query: &str) -> Response {
    let Some(tags) = standin.held.get(repo) else {
        return (
            StatusCode::NOT_FOUND,
            "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}",
        )
            .into_response();
    };
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let n = params
        .get("n")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let last = params.get("last").cloned().unwrap_or_default();
    let page: Vec<(&String, &(String, String))> =
        tags.iter().filter(|(t, _)| **t > last).take(n).collect();
    let body: Vec<Value> = page
        .iter()
        .map(|(tag, (digest, media_type))| {
            json!({
                "name": tag, "digest": digest, "media_type": media_type,
                "size_bytes": 0, "created_at": "2026-01-01T00:00:00.000+00:00",
            })
        })
        .collect();
    let mut response = axum::Json(Value::Array(body)).into_response();
    if let Some((tag, _)) = page.last().filter(|(t, _)| tags.keys().any(|k| k > *t)) {
        let link =
            format!("</gitlab/v1/repositories/{repo}/tags/list/?n={n}&last={tag}>; rel=\"next\"");
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert("link", value);
        }
    }
    response
}

async fn forward(standin: &Standin, request: Request) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut outgoing = standin.http.request(
        request.method().clone(),
        format!("{}{target}", standin.upstream),
    );
    for name in ["accept", "content-type", "authorization"] {
        if let Some(value) = request.headers().get(name) {
            outgoing = outgoing.header(name, value.clone());
        }
    }
    let body = axum::body::to_bytes(request.into_body(), 64 << 20)
        .await
        .unwrap_or_default();
    match outgoing.body(body).send().await {
        Ok(answer) => {
            let mut response = Response::builder().status(answer.status().as_u16());
            for (name, value) in answer.headers() {
                if name != "transfer-encoding" && name != "connection" {
                    response = response.header(name, value);
                }
            }
            let bytes = answer.bytes().await.unwrap_or_default();
            response
                .body(Body::from(bytes))
                .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn handle(State(standin): State<Arc<Standin>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    if path == "/v2/" {
        let mut response = axum::Json(json!({})).into_response();
        response.headers_mut().insert(
            "gitlab-container-registry-version",
            HeaderValue::from_static("v4.9.0-gitlab"),
        );
        return response;
    }
    if path == "/gitlab/v1/" {
        return StatusCode::OK.into_response();
    }
    if let Some(repo) = path
        .strip_prefix("/gitlab/v1/repositories/")
        .and_then(|p| p.strip_suffix("/tags/list/"))
    {
        return tags_page(&standin, repo, &query);
    }
    forward(&standin, request).await
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(upstream) = std::env::args().nth(1) else {
        eprintln!("usage: gitlab_standin UPSTREAM_HOST:PORT");
        return ExitCode::from(2);
    };
    if !upstream.starts_with("127.") && !upstream.starts_with("[::1]") {
        eprintln!("gitlab_standin forwards to loopback addresses only");
        return ExitCode::from(2);
    }
    let upstream = format!("http://{upstream}");
    let http = reqwest::Client::new();
    let held = read(&http, &upstream).await;
    let standin = Arc::new(Standin {
        upstream,
        http,
        held,
    });
    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
        eprintln!("cannot listen");
        return ExitCode::from(1);
    };
    let Ok(local) = listener.local_addr() else {
        return ExitCode::from(1);
    };
    println!("{}", local.port());
    let app = axum::Router::new().fallback(handle).with_state(standin);
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serving: {e}");
            ExitCode::from(1)
        }
    }
}
