//! A scripted stand-in for Pulp's container registry (pulp_container), whose deletes no registry
//! installable here shares: a proxy in front of the real Distribution registry that gives it
//! Pulp's semantics. A manifest DELETE by digest is answered 202 at once and carried out `delay`
//! later by a background task, as pulp_container dispatches `delete_container_image_manifest`
//! (`recursive_remove_content`: the manifest, its tags, an index's listed manifests that nothing
//! else tags, and their blobs); until then every read still shows them. DELETE by tag answers 400.
//! See also ../shared/REGISTRY-NOTES.md, "Deleting".

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::TestRegistry;
use super::scripted::{Reply, Request, Scripted};
use super::seed;

const UNKNOWN: &str = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;

/// The stand-in, and how many of its background deletes are still to run.
pub struct Pulp {
    pub proxy: Scripted,
    pending: Arc<AtomicUsize>,
    /// The digests its tasks removed, in order.
    pub removed: Arc<Mutex<Vec<String>>>,
}

impl Pulp {
    pub fn url(&self) -> String {
        self.proxy.url()
    }

    /// Waits (at most 30 s) until every background delete has run.
    pub fn settle(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while self.pending.load(Ordering::SeqCst) > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "Pulp's tasks never ran"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

pub fn pulp_proxy(registry: &TestRegistry, delay: Duration) -> Pulp {
    let upstream = registry.url();
    let pending = Arc::new(AtomicUsize::new(0));
    let removed: Arc<Mutex<Vec<String>>> = Arc::default();
    let (tasks, log) = (pending.clone(), removed.clone());
    let proxy = Scripted::proxy(&upstream.clone(), move |req: &Request| {
        if req.method != "DELETE" {
            return None;
        }
        let path = req.target.split('?').next()?.strip_prefix("/v2/")?;
        let (repo, reference) = path.split_once("/manifests/")?;
        if !reference.starts_with("sha256:") {
            return Some(Reply::json(
                400,
                r#"{"errors":[{"code":"UNSUPPORTED","message":"deleting a tag is not supported"}]}"#,
            ));
        }
        let Some(manifest) = get_manifest(&upstream, repo, reference) else {
            return Some(Reply::json(404, UNKNOWN));
        };
        tasks.fetch_add(1, Ordering::SeqCst);
        let (upstream, repo, digest) = (upstream.clone(), repo.to_owned(), reference.to_owned());
        let (tasks, log) = (tasks.clone(), log.clone());
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            remove_recursively(&upstream, &repo, &digest, &manifest, &log);
            tasks.fetch_sub(1, Ordering::SeqCst);
        });
        Some(Reply::new(202))
    });
    Pulp {
        proxy,
        pending,
        removed,
    }
}

/// The background task: each listed manifest that no tag of the repository points to, then the
/// manifest (and with it, in the Distribution registry behind, its tags). Pulp removes them in one
/// transaction; doing the children first keeps that true for whoever watches the manifest: once it
/// reads as gone, so are they (the other order let a client see the index gone and delete its
/// children itself, a race no real Pulp has).
fn remove_recursively(
    upstream: &str,
    repo: &str,
    digest: &str,
    manifest: &Value,
    log: &Mutex<Vec<String>>,
) {
    let client = reqwest::blocking::Client::new();
    let delete = |d: &str| {
        let status = client
            .delete(format!("{upstream}/v2/{repo}/manifests/{d}"))
            .send()
            .map(|r| r.status().as_u16());
        if matches!(status, Ok(202)) {
            log.lock().unwrap().push(d.to_owned());
        }
    };
    let children: Vec<String> = manifest["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["digest"].as_str().map(str::to_owned))
        .collect();
    let tagged = tagged_digests(upstream, repo);
    for child in children.iter().filter(|c| !tagged.contains(*c)) {
        delete(child);
    }
    delete(digest);
}

fn accept() -> String {
    [
        seed::OCI_INDEX,
        seed::OCI_MANIFEST,
        seed::DOCKER_LIST,
        seed::DOCKER_V2,
    ]
    .join(", ")
}

fn get_manifest(upstream: &str, repo: &str, reference: &str) -> Option<Value> {
    let response = reqwest::blocking::Client::new()
        .get(format!("{upstream}/v2/{repo}/manifests/{reference}"))
        .header("accept", accept())
        .send()
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    serde_json::from_slice(&response.bytes().ok()?).ok()
}

/// The digests the repository's tags point to now.
fn tagged_digests(upstream: &str, repo: &str) -> Vec<String> {
    let client = reqwest::blocking::Client::new();
    let list: Value = client
        .get(format!("{upstream}/v2/{repo}/tags/list"))
        .send()
        .and_then(|r| r.bytes())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    list["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str())
        .filter_map(|tag| {
            client
                .head(format!("{upstream}/v2/{repo}/manifests/{tag}"))
                .header("accept", accept())
                .send()
                .ok()?
                .headers()
                .get("docker-content-digest")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .collect()
}
