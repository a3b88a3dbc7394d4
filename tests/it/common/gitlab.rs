//! A stand-in for GitLab's REST API (GitLab itself cannot run here): a scripted loopback server
//! answering the container registry and group endpoints in the shapes GitLab 16/17's documentation
//! gives (`api/container_registry.md`, `api/groups.md`, REST pagination by `Link` and
//! `X-Next-Page`, `{"message": "401 Unauthorized"}` and `insufficient_scope` bodies). Its
//! repositories' `location`s point at the real test registry.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::scripted::{Reply, Request, Scripted};

/// A token with the `api` scope.
pub const FULL_TOKEN: &str = "glpat-full-0123456789";
/// A token with only `read_registry`: the API refuses it for want of `read_api` or `api`.
pub const REGISTRY_ONLY_TOKEN: &str = "glpat-registry-only";

/// One registry repository of the stand-in.
#[derive(Debug, Clone)]
pub struct Repo {
    pub id: u64,
    pub project_id: u64,
    pub project: &'static str,
    pub path: &'static str,
}

/// One tag's details, as `.../tags/:tag_name` answers.
#[derive(Debug, Clone)]
pub struct TagDetails {
    pub digest: String,
    pub created_at: &'static str,
    pub total_size: u64,
}

pub struct FakeGitlab {
    pub server: Scripted,
}

impl FakeGitlab {
    /// `registry` is `host:port` of the real registry; `groups` maps a group path to its projects
    /// and subgroup ids (a subgroup's id maps to its projects); `tags` are the details GitLab knows,
    /// by (repository id, tag).
    pub fn start(
        registry: &str,
        repos: Vec<Repo>,
        groups: BTreeMap<String, (Vec<&'static str>, Vec<u64>)>,
        tags: BTreeMap<(u64, String), TagDetails>,
    ) -> Self {
        let registry = registry.to_owned();
        let server = Scripted::start(move |req| answer(req, &registry, &repos, &groups, &tags));
        Self { server }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }
}

fn answer(
    req: &Request,
    registry: &str,
    repos: &[Repo],
    groups: &BTreeMap<String, (Vec<&'static str>, Vec<u64>)>,
    tags: &BTreeMap<(u64, String), TagDetails>,
) -> Reply {
    match req.header("private-token") {
        Some(FULL_TOKEN) => {}
        Some(REGISTRY_ONLY_TOKEN) => {
            return Reply::json(
                403,
                r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}"#,
            );
        }
        _ => return Reply::json(401, r#"{"message":"401 Unauthorized"}"#),
    }
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let page: usize = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1);
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_encoding_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let location = |r: &Repo| format!("{registry}/{}", r.path);
    let listing = |r: &Repo| {
        json!({ "id": r.id, "name": r.path.rsplit('/').next().unwrap(), "path": r.path,
                "project_id": r.project_id, "location": location(r),
                "created_at": "2025-01-01T00:00:00.000Z", "cleanup_policy_started_at": null })
    };
    match segments.as_slice() {
        // A project's repositories: one per page, pages told by X-Next-Page.
        ["api", "v4", "projects", project, "registry", "repositories"] => {
            let mine: Vec<Value> = repos
                .iter()
                .filter(|r| r.project == *project || r.project_id.to_string() == *project)
                .map(listing)
                .collect();
            let Some(item) = mine.get(page - 1) else {
                return Reply::json(200, "[]").header("X-Next-Page", "");
            };
            let next = if page < mine.len() {
                (page + 1).to_string()
            } else {
                String::new()
            };
            Reply::json(200, &json!([item]).to_string())
                .header("X-Next-Page", &next)
                .header("X-Page", &page.to_string())
                .header("X-Total", &mine.len().to_string())
        }
        // A group's subgroups: two pages by Link, the second empty.
        ["api", "v4", "groups", group, "descendant_groups"] => {
            let Some((_, subgroups)) = groups.get(*group) else {
                return Reply::json(404, r#"{"message":"404 Group Not Found"}"#);
            };
            if page == 1 {
                let items: Vec<Value> = subgroups.iter().map(|id| json!({ "id": id })).collect();
                let next = format!(
                    "<http://{}{path}?page=2&per_page=100>; rel=\"next\"",
                    req.header("host").unwrap_or_default()
                );
                Reply::json(200, &json!(items).to_string()).header("Link", &next)
            } else {
                Reply::json(200, "[]")
            }
        }
        ["api", "v4", "groups", group, "registry", "repositories"] => {
            let projects: Vec<&str> = groups
                .get(*group)
                .map(|(projects, _)| projects.clone())
                .unwrap_or_default();
            let mine: Vec<Value> = repos
                .iter()
                .filter(|r| projects.contains(&r.project))
                .map(listing)
                .collect();
            Reply::json(200, &json!(mine).to_string())
        }
        [
            "api",
            "v4",
            "projects",
            project_id,
            "registry",
            "repositories",
            id,
            "tags",
            tag,
        ] => {
            let repo = repos
                .iter()
                .find(|r| r.id.to_string() == *id && r.project_id.to_string() == *project_id);
            let details = repo.and_then(|r| tags.get(&(r.id, (*tag).to_owned())));
            match (repo, details) {
                (Some(repo), Some(d)) => Reply::json(
                    200,
                    &json!({ "name": tag, "path": format!("{}:{tag}", repo.path),
                             "location": format!("{}:{tag}", location(repo)),
                             "revision": "0".repeat(64), "short_revision": "000000000",
                             "digest": d.digest, "created_at": d.created_at,
                             "total_size": d.total_size })
                    .to_string(),
                ),
                _ => Reply::json(404, r#"{"message":"404 Tag Not Found"}"#),
            }
        }
        _ => Reply::json(404, r#"{"error":"404 Not Found"}"#),
    }
}

/// `%2F` and friends back to characters (GitLab takes paths URL-encoded in one segment).
fn percent_encoding_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={segment}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
