//! A scripted stand-in for what Docker's registry 2.8 lacks and 3.x (and GitLab's) have: DELETE by tag
//! and the OCI 1.1 referrers API. It is a proxy in front of a real 2.8 registry that answers those two
//! requests from the registry's own storage (removing a tag's directory is what 3.x's untag does;
//! referrers are the stored manifests whose `subject` names the digest) and forwards everything else.
//! Used only because no registry build with these APIs is installable here.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::TestRegistry;
use super::scripted::{Reply, Request, Scripted};

/// The proxy; `requests()` tells which of its own answers were used.
pub fn oci11_proxy(registry: &TestRegistry) -> Scripted {
    let root = registry.storage().join("docker/registry/v2");
    Scripted::proxy(&registry.url(), move |req| answer(&root, req))
}

fn answer(root: &Path, req: &Request) -> Option<Reply> {
    let path = req.target.split('?').next()?.strip_prefix("/v2/")?;
    if req.method == "DELETE"
        && let Some((repo, tag)) = path.split_once("/manifests/")
        && !tag.starts_with("sha256:")
    {
        let dir = root
            .join("repositories")
            .join(repo)
            .join("_manifests/tags")
            .join(tag);
        if !dir.exists() {
            return Some(Reply::json(
                404,
                r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            ));
        }
        fs::remove_dir_all(&dir).expect("removing a tag");
        return Some(Reply::new(202));
    }
    if req.method == "GET"
        && let Some((repo, digest)) = path.split_once("/referrers/")
    {
        let body = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": referrers(root, repo, digest),
        });
        return Some(
            Reply::json(200, &body.to_string())
                .header("Content-Type", "application/vnd.oci.image.index.v1+json"),
        );
    }
    None
}

/// The descriptors of the manifests of `repo` whose subject is `digest`.
fn referrers(root: &Path, repo: &str, digest: &str) -> Vec<serde_json::Value> {
    let revisions: PathBuf = root
        .join("repositories")
        .join(repo)
        .join("_manifests/revisions/sha256");
    let Ok(entries) = fs::read_dir(revisions) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        if !entry.path().join("link").exists() {
            continue;
        }
        let hex = entry.file_name().to_string_lossy().into_owned();
        let data = root
            .join("blobs/sha256")
            .join(&hex[..2])
            .join(&hex)
            .join("data");
        let Ok(bytes) = fs::read(data) else { continue };
        let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if manifest["subject"]["digest"] == digest {
            found.push(json!({
                "mediaType": manifest["mediaType"],
                "digest": format!("sha256:{hex}"),
                "size": bytes.len(),
                "artifactType": manifest["artifactType"],
            }));
        }
    }
    found
}
