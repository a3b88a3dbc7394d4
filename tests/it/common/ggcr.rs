//! A scripted stand-in for registries whose deletes behave unlike Docker's 2.8 (no such registry is
//! installable here): a proxy in front of the real registry that gives it go-containerregistry's
//! semantics (`crane registry serve`): a manifest deleted by digest is gone by digest, but its tags
//! keep resolving to it and keep being listed; DELETE by tag removes the tag (the tag's directory in
//! the registry's storage, as 3.x's untag does). With `delete_by_tag: false` it refuses DELETE by tag
//! as 2.8 does, so a removal there cannot finish.

use std::collections::BTreeSet;
use std::fs;
use std::sync::{Arc, Mutex};

use super::TestRegistry;
use super::scripted::{Reply, Request, Scripted};

const UNKNOWN: &str = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;

pub fn ggcr_proxy(registry: &TestRegistry, delete_by_tag: bool) -> Scripted {
    let root = registry.storage().join("docker/registry/v2/repositories");
    let deleted: Arc<Mutex<BTreeSet<(String, String)>>> = Arc::default();
    Scripted::proxy(&registry.url(), move |req: &Request| {
        let path = req.target.split('?').next()?.strip_prefix("/v2/")?;
        let (repo, reference) = path.split_once("/manifests/")?;
        let key = (repo.to_owned(), reference.to_owned());
        let by_digest = reference.starts_with("sha256:");
        let mut deleted = deleted.lock().unwrap();
        match req.method.as_str() {
            "DELETE" if by_digest => Some(if deleted.insert(key) {
                Reply::new(202)
            } else {
                Reply::json(404, UNKNOWN)
            }),
            "DELETE" if !delete_by_tag => Some(Reply::json(
                405,
                r#"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#,
            )),
            "DELETE" => {
                let dir = root.join(repo).join("_manifests/tags").join(reference);
                if !dir.exists() {
                    return Some(Reply::json(404, UNKNOWN));
                }
                fs::remove_dir_all(&dir).expect("removing a tag");
                Some(Reply::new(202))
            }
            "GET" | "HEAD" if by_digest && deleted.contains(&key) => {
                Some(Reply::json(404, UNKNOWN))
            }
            _ => None,
        }
    })
}
