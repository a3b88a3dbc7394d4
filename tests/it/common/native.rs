//! Stand-ins for registries' own APIs, which cannot run here: a scripted loopback proxy in front of
//! the real Distribution registry (everything under `/v2/` is the real registry's answer) that also
//! answers
//! - GitLab's container registry API, in the shapes of "GitLab Container Registry HTTP API V1"
//!   (gitlab-org/container-registry `docs/spec/gitlab/api.md`): `GET /gitlab/v1/` (the compliance
//!   check), `GET /gitlab/v1/repositories/<path>/tags/list/` (tags sorted by name with `name`,
//!   `digest`, `media_type`, `size_bytes`, `created_at`, marker pagination by `last` and `n` with
//!   `Link: rel="next"`);
//! - Harbor's v2.0 REST API, in the shapes of its `api/v2.0/swagger.yaml`: `/api/v2.0/projects`,
//!   `/projects/{project_name}/repositories`, `/projects/{project_name}/repositories/
//!   {repository_name}/artifacts?with_tag=true` (the repository's name after the project, slashes
//!   encoded twice), `page`/`page_size` pagination with `Link: rel="next"` and `X-Total-Count`,
//!   HTTP Basic for users and robot accounts, `{"errors": [{"code", "message"}]}` refusals.
//!
//! The native answers are computed from what the real registry holds at the time of the request,
//! so they agree with it unless a test makes them lie (`lies`). Pages are small (two tags, one
//! project, one repository, one artifact) so every listing takes several pages.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};

use super::scripted::{Reply, Request, Scripted};

/// Harbor's robot account that may read and delete.
pub const ROBOT: (&str, &str) = ("robot$cleaner", "s3cret-robot-token");
/// A robot account that may read but not delete (Harbor answers its DELETE 403).
pub const READ_ONLY_ROBOT: (&str, &str) = ("robot$reader", "r3ader-token");

/// What the stand-in says beyond the registry: lies about digests, pull times, refusals.
#[derive(Default)]
pub struct Script {
    /// (repository, tag) -> the digest the native API claims instead of the registry's.
    pub lies: BTreeMap<(String, String), String>,
    /// digest -> Harbor's `pull_time`.
    pub pulled: BTreeMap<String, String>,
    /// A Harbor page whose next link leaves the API for another host.
    pub foreign_next: bool,
    /// Artifacts answered with a wrong type in a field.
    pub malformed: bool,
    /// Artifact pages of 10 MB (valid JSON, padded).
    pub huge: bool,
    /// When a garbage collection was started (`POST /system/gc/schedule`); it runs for 300 ms.
    pub gc_started: Option<std::time::Instant>,
    /// Digests an immutable-tag rule protects: Harbor answers their DELETE 412.
    pub immutable: BTreeSet<String>,
}

pub struct NativeRegistry {
    pub server: Scripted,
    pub script: Arc<Mutex<Script>>,
}

impl NativeRegistry {
    /// GitLab's registry API in front of `upstream` (`http://127.0.0.1:PORT`).
    pub fn gitlab(upstream: &str) -> Self {
        Self::start(upstream, Api::Gitlab)
    }

    /// Harbor's API in front of `upstream`; its registry asks for Basic credentials.
    pub fn harbor(upstream: &str) -> Self {
        Self::start(upstream, Api::Harbor)
    }

    fn start(upstream: &str, api: Api) -> Self {
        let script = Arc::new(Mutex::new(Script::default()));
        let (kept, upstream_owned) = (script.clone(), upstream.trim_end_matches('/').to_owned());
        let server = Scripted::proxy(upstream, move |req| {
            let mut script = kept.lock().unwrap();
            answer(api, &upstream_owned, req, &mut script)
        });
        Self { server, script }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// `host:port`.
    pub fn host(&self) -> String {
        self.url().trim_start_matches("http://").to_owned()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Gitlab,
    Harbor,
}

/// What the real registry holds: repository -> tag -> (digest, media type).
type Holdings = BTreeMap<String, BTreeMap<String, (String, String)>>;

fn holdings(upstream: &str) -> Holdings {
    let http = reqwest::blocking::Client::new();
    let catalog: Value = http
        .get(format!("{upstream}/v2/_catalog?n=1000"))
        .send()
        .and_then(|r| r.text())
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let mut held = Holdings::new();
    for repo in catalog["repositories"].as_array().into_iter().flatten() {
        let repo = repo.as_str().unwrap_or_default().to_owned();
        let tags: Value = http
            .get(format!("{upstream}/v2/{repo}/tags/list"))
            .send()
            .and_then(|r| r.text())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        for tag in tags["tags"].as_array().into_iter().flatten() {
            let tag = tag.as_str().unwrap_or_default();
            let head = http
                .head(format!("{upstream}/v2/{repo}/manifests/{tag}"))
                .header(
                    "accept",
                    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
                     application/vnd.docker.distribution.manifest.list.v2+json, \
                     application/vnd.docker.distribution.manifest.v2+json",
                )
                .send();
            let Ok(head) = head else { continue };
            let header = |name: &str| {
                head.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            if head.status().is_success() {
                held.entry(repo.clone()).or_default().insert(
                    tag.to_owned(),
                    (header("docker-content-digest"), header("content-type")),
                );
            }
        }
    }
    held
}

fn answer(api: Api, upstream: &str, req: &Request, script: &mut Script) -> Option<Reply> {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let query: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    match api {
        Api::Gitlab => gitlab(upstream, path, &query, script),
        Api::Harbor => harbor(upstream, req, path, &query, script),
    }
}

fn gitlab(
    upstream: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    script: &Script,
) -> Option<Reply> {
    if path == "/gitlab/v1/" {
        return Some(Reply::new(200));
    }
    // GitLab's registry names itself on every answer; the ping is what regsweep reads it from.
    if path == "/v2/" {
        return Some(
            Reply::json(200, "{}").header("Gitlab-Container-Registry-Version", "v4.9.0-gitlab"),
        );
    }
    let repo = path
        .strip_prefix("/gitlab/v1/repositories/")?
        .strip_suffix("/tags/list/")?;
    let held = holdings(upstream);
    let Some(tags) = held.get(repo) else {
        return Some(Reply::json(
            404,
            r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#,
        ));
    };
    // The spec allows up to 1,000 a page; this stand-in gives 2, so every listing pages.
    let n = query
        .get("n")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(100)
        .min(2);
    let last = query.get("last").cloned().unwrap_or_default();
    let page: Vec<(&String, &(String, String))> =
        tags.iter().filter(|(t, _)| **t > last).take(n).collect();
    let body: Vec<Value> = page
        .iter()
        .map(|(tag, (digest, media_type))| {
            let digest = script
                .lies
                .get(&(repo.to_owned(), (*tag).clone()))
                .unwrap_or(digest);
            json!({
                "name": tag, "digest": digest, "media_type": media_type,
                "size_bytes": 1234, "created_at": "2026-03-01T10:00:00.000+00:00",
            })
        })
        .collect();
    let mut reply = Reply::json(200, &Value::Array(body).to_string());
    let more = page
        .last()
        .is_some_and(|(t, _)| tags.keys().any(|k| k > *t));
    if let (true, Some((t, _))) = (more, page.last()) {
        let host = if script.foreign_next {
            "http://elsewhere.example"
        } else {
            ""
        };
        reply = reply.header(
            "Link",
            &format!(
                "<{host}/gitlab/v1/repositories/{repo}/tags/list/?n={n}&last={t}>; rel=\"next\""
            ),
        );
    }
    Some(reply)
}

/// The Basic credentials of a request, if any.
fn basic(req: &Request) -> Option<(String, String)> {
    let value = req.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn harbor_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({ "errors": [{ "code": code, "message": message }] }).to_string(),
    )
}

fn harbor(
    upstream: &str,
    req: &Request,
    path: &str,
    query: &BTreeMap<String, String>,
    script: &mut Script,
) -> Option<Reply> {
    let who = basic(req);
    let known = who.as_ref().is_some_and(|(u, p)| {
        (u.as_str(), p.as_str()) == ROBOT || (u.as_str(), p.as_str()) == READ_ONLY_ROBOT
    });
    // Harbor's registry challenges for Basic (its token service is left out of this stand-in).
    if path.starts_with("/v2/") {
        if !known {
            return Some(
                harbor_error(401, "UNAUTHORIZED", "unauthorized")
                    .header("WWW-Authenticate", "Basic realm=\"harbor\""),
            );
        }
        let reader = who.as_ref().is_some_and(|(u, _)| u == READ_ONLY_ROBOT.0);
        if req.method == "DELETE" && script.immutable.iter().any(|d| path.ends_with(d.as_str())) {
            return Some(harbor_error(
                412,
                "PRECONDITION",
                "the operation is prohibited by the immutable tag rule: tags matching 2.* in \
                 project web",
            ));
        }
        if req.method == "DELETE" && reader {
            return Some(harbor_error(
                403,
                "DENIED",
                "robot$reader has no permission to delete artifacts of this project",
            ));
        }
        return None;
    }
    let rest = path.strip_prefix("/api/v2.0/")?;
    if !known {
        return Some(harbor_error(401, "UNAUTHORIZED", "unauthorized"));
    }
    if rest == "system/gc/schedule" && req.method == "POST" {
        script.gc_started = Some(std::time::Instant::now());
        return Some(Reply::new(201));
    }
    if rest == "system/gc" {
        let jobs = match script.gc_started {
            None => json!([{ "id": 1, "job_status": "Success" }]),
            Some(t) if t.elapsed() < std::time::Duration::from_millis(300) => {
                json!([{ "id": 2, "job_status": "Running" }])
            }
            Some(_) => json!([{ "id": 2, "job_status": "Success" }]),
        };
        return Some(Reply::json(200, &jobs.to_string()));
    }
    let held = holdings(upstream);
    let page = query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let projects: BTreeSet<String> = held
        .keys()
        .filter_map(|r| r.split_once('/').map(|(p, _)| p.to_owned()))
        .collect();
    let paged = |items: Vec<Value>, base: &str| -> Reply {
        let total = items.len();
        let body = items.get(page - 1).cloned().into_iter().collect::<Vec<_>>();
        let mut reply = Reply::json(200, &Value::Array(body).to_string())
            .header("X-Total-Count", &total.to_string());
        if page < total {
            let host = if script.foreign_next {
                "http://elsewhere.example"
            } else {
                ""
            };
            reply = reply.header(
                "Link",
                &format!("<{host}{base}?page={}&page_size=1>; rel=\"next\"", page + 1),
            );
        }
        reply
    };
    if rest == "projects" {
        let items = projects.iter().map(|p| json!({ "name": p })).collect();
        return Some(paged(items, "/api/v2.0/projects"));
    }
    let (project, rest) = rest.strip_prefix("projects/")?.split_once('/')?;
    if rest == "repositories" {
        let items = held
            .keys()
            .filter(|r| r.starts_with(&format!("{project}/")))
            .map(|r| json!({ "name": r }))
            .collect();
        return Some(paged(
            items,
            &format!("/api/v2.0/projects/{project}/repositories"),
        ));
    }
    let encoded = rest
        .strip_prefix("repositories/")?
        .strip_suffix("/artifacts")?;
    if script.huge {
        return Some(Reply::json(200, &format!("[{}]", " ".repeat(10 << 20))));
    }
    // The repository's name after the project arrives with its slashes encoded twice.
    let name = encoded.replace("%252F", "/").replace("%2F", "/");
    let repo = format!("{project}/{name}");
    let tags = held.get(&repo).cloned().unwrap_or_default();
    let mut artifacts: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for (tag, (digest, media_type)) in &tags {
        let digest = script
            .lies
            .get(&(repo.clone(), tag.clone()))
            .unwrap_or(digest);
        let entry = artifacts
            .entry(digest.clone())
            .or_insert_with(|| (media_type.clone(), Vec::new()));
        entry.1.push(tag.clone());
    }
    let items = artifacts
        .iter()
        .map(|(digest, (media_type, tags))| {
            let pulled = script
                .pulled
                .get(digest)
                .cloned()
                .unwrap_or_else(|| "0001-01-01T00:00:00.000Z".to_owned());
            let tags: Vec<Value> = tags
                .iter()
                .map(|t| json!({ "name": t, "push_time": "2026-03-01T10:00:00.000Z" }))
                .collect();
            if script.malformed {
                json!({ "digest": 42, "tags": "not a list" })
            } else {
                json!({
                    "digest": digest, "manifest_media_type": media_type, "size": 1234,
                    "push_time": "2026-03-01T10:00:00.000Z", "pull_time": pulled, "tags": tags,
                    "extra_attrs": {
                        "created": "2026-02-01T08:00:00Z", "os": "linux", "architecture": "arm64",
                    },
                })
            }
        })
        .collect();
    Some(paged(
        items,
        &format!("/api/v2.0/projects/{project}/repositories/{encoded}/artifacts"),
    ))
}
