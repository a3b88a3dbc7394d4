//! Writes a synthetic cache for the benchmark: REPOS repositories x TAGS tags, every tag its own image
//! manifest with full details (manifest size, config, two layers of which one is shared by the whole
//! repository and one by the whole registry, created time, platform), every tenth repository holding
//! a two-platform index, and a few digests tagged in two repositories. It is written in the cache's
//! first format (schema 1, the one JSON file), which regsweep migrates on first use, so the generator
//! needs nothing of regsweep's code and the migration is exercised too.
//!
//! ```text
//! cargo run --release --example synthetic_cache -- http://127.0.0.1:5000 1000 100 cache.json
//! ```

use std::io::Write as _;
use std::process::ExitCode;

use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

fn digest(seed: &str) -> String {
    let hex: String = Sha256::digest(seed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn image_details(seed: &str, repo_layer: &str, base_layer: &str, created: &str) -> Value {
    json!({
        "media_type": OCI_MANIFEST,
        "manifest_bytes": 1100,
        "size": 1_500 + 30_000_000 + 4_000_000,
        "config": {"digest": digest(&format!("{seed} config")), "size": 1500,
                   "media_type": "application/vnd.oci.image.config.v1+json"},
        "layers": [
            {"digest": base_layer, "size": 30_000_000, "media_type": "application/vnd.oci.image.layer.v1.tar+gzip"},
            {"digest": repo_layer, "size": 4_000_000, "media_type": "application/vnd.oci.image.layer.v1.tar+gzip"},
            {"digest": digest(&format!("{seed} own layer")), "size": 250_000, "media_type": "application/vnd.oci.image.layer.v1.tar+gzip"}
        ],
        "created": created,
        "platforms": ["linux/amd64"],
        "config_read": true
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [registry, repos, tags, path] = args.as_slice() else {
        eprintln!("usage: synthetic_cache REGISTRY_URL REPOS TAGS FILE");
        return ExitCode::from(2);
    };
    let (Ok(repos), Ok(tags)) = (repos.parse::<usize>(), tags.parse::<usize>()) else {
        eprintln!("REPOS and TAGS are numbers");
        return ExitCode::from(2);
    };
    let base_layer = digest("the registry's base layer");
    let mut repositories = Map::new();
    let mut manifests = Map::new();
    for r in 0..repos {
        let repo = format!("team-{:02}/service-{r:04}", r % 37);
        let repo_layer = digest(&format!("{repo} layer"));
        let mut repo_tags = Map::new();
        for t in 0..tags {
            let tag = format!("1.{}.{}", t / 10, t % 10);
            // One image in a hundred is tagged in two neighbouring repositories (a promoted image).
            let seed = if t % 100 == 7 {
                format!("shared-{}-{t}", r / 2)
            } else {
                format!("{repo}:{tag}")
            };
            let d = digest(&seed);
            let day = 1 + (t * 3 + r) % 27;
            let created = format!("2026-{:02}-{day:02}T12:00:00Z", 1 + t % 11);
            manifests.insert(
                d.clone(),
                image_details(&seed, &repo_layer, &base_layer, &created),
            );
            repo_tags.insert(tag, json!({"digest": d, "media_type": OCI_MANIFEST}));
        }
        if r % 10 == 0 {
            let children: Vec<String> = ["amd64", "arm64"]
                .iter()
                .map(|arch| digest(&format!("{repo} multi {arch}")))
                .collect();
            for child in &children {
                manifests.insert(
                    child.clone(),
                    image_details(child, &repo_layer, &base_layer, "2026-05-01T00:00:00Z"),
                );
            }
            let index = digest(&format!("{repo} multi"));
            manifests.insert(index.clone(), json!({
                "media_type": OCI_INDEX, "manifest_bytes": 700, "size": 2 * 34_251_500,
                "children": [
                    {"digest": children[0], "media_type": OCI_MANIFEST, "platform": "linux/amd64"},
                    {"digest": children[1], "media_type": OCI_MANIFEST, "platform": "linux/arm64"}
                ],
                "created": "2026-05-01T00:00:00Z", "platforms": ["linux/amd64", "linux/arm64"], "config_read": true
            }));
            repo_tags.insert(
                "multi".into(),
                json!({"digest": index, "media_type": OCI_INDEX}),
            );
        }
        repositories.insert(repo.clone(), json!({"tags": repo_tags}));
    }
    let cache = json!({
        "schema": 1,
        "registry": registry.trim_end_matches('/'),
        "refreshed_at": "2026-11-25T00:00:00Z",
        "repositories": repositories,
        "manifests": manifests,
    });
    let file = match std::fs::File::create(path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::BufWriter::new(file);
    if serde_json::to_writer(&mut out, &cache).is_err() || out.flush().is_err() {
        eprintln!("cannot write {path}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
