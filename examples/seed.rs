//! Pushes sample images into a registry, with the same code the integration tests use.
//!
//! ```text
//! cargo run --example seed -- http://127.0.0.1:5000                  # the sample repositories
//! cargo run --release --example seed -- http://127.0.0.1:5000 --bulk 100 100   # 100 repos x 100 tags
//! cargo run --release --example seed -- http://127.0.0.1:5000 --bulk 1 1000 --prefix del
//! cargo run --release --example seed -- --storage /srv/registry --bulk 10000 100 --prefix big
//! ```
//! `--storage DIR` writes the bulk images straight into a stopped registry's filesystem storage
//! (`rootdirectory`), laid out as Distribution's filesystem driver lays out what is pushed to it
//! (`registry/storage/paths.go`): the same blobs, manifests and tags a push makes, byte for byte,
//! a hundred times faster than pushing a million manifests one by one. The benchmark seeds its
//! million-tag registry this way, and checks the registry then serves every tag.
//! Only for registries you own: it pushes, and the sample deletes one manifest it pushed.

// The example uses a part of the tests' seeding code.
#[allow(dead_code)]
#[path = "../tests/it/common/dregutil.rs"]
mod dregutil;
#[allow(dead_code)]
#[path = "../tests/it/common/seed.rs"]
mod seed;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: seed REGISTRY_URL [--bulk REPOS TAGS [--threads N] [--prefix NAME]]\n       \
                 seed --storage DIR --bulk REPOS TAGS [--threads N] [--prefix NAME]";
    if args.first().is_some_and(|a| a == "--storage") {
        return storage::main(&args, usage);
    }
    let Some(url) = args.first().filter(|u| u.starts_with("http")) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let number = |flag: &str| -> Option<Option<usize>> {
        let i = args.iter().position(|a| a == flag)?;
        Some(args.get(i + 1).and_then(|n| n.parse().ok()))
    };
    let seeder = seed::Seeder::new(url);
    match number("--bulk") {
        None => {
            seed::sample(&seeder);
            eprintln!("seeded the sample repositories into {url}");
        }
        Some(Some(repos)) => {
            let bulk_at = args.iter().position(|a| a == "--bulk").unwrap_or_default();
            let Some(tags) = args.get(bulk_at + 2).and_then(|n| n.parse().ok()) else {
                eprintln!("{usage}");
                return ExitCode::from(2);
            };
            let threads = number("--threads").flatten().unwrap_or(16);
            let prefix = args
                .iter()
                .position(|a| a == "--prefix")
                .and_then(|i| args.get(i + 1))
                .map_or("bench", String::as_str);
            seeder.bulk(prefix, repos, tags, threads);
            eprintln!("seeded {repos} repositories x {tags} tags into {url}");
        }
        Some(None) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

/// The bulk images written into a registry's storage directory.
mod storage {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use super::seed::{
        BULK_CONFIG, BULK_LAYER, OCI_CONFIG, OCI_LAYER, bulk_manifest, bulk_repository, bulk_tag,
        described, parallel, sha256,
    };

    pub fn main(args: &[String], usage: &str) -> ExitCode {
        let value = |flag: &str| {
            let i = args.iter().position(|a| a == flag)?;
            args.get(i + 1).cloned()
        };
        let bulk = args.iter().position(|a| a == "--bulk");
        let number = |i: usize| bulk.and_then(|b| args.get(b + i)?.parse::<usize>().ok());
        let (Some(dir), Some(repos), Some(tags)) = (value("--storage"), number(1), number(2))
        else {
            eprintln!("{usage}");
            return ExitCode::from(2);
        };
        let threads = value("--threads").and_then(|n| n.parse().ok()).unwrap_or(8);
        let prefix = value("--prefix").unwrap_or_else(|| "bench".into());
        match write(Path::new(&dir), &prefix, repos, tags, threads) {
            Ok(()) => {
                eprintln!("wrote {repos} repositories x {tags} tags into {dir}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: writing into {dir}: {e}");
                ExitCode::FAILURE
            }
        }
    }

    /// `docker/registry/v2` under the storage root.
    fn v2(root: &Path) -> PathBuf {
        root.join("docker/registry/v2")
    }

    /// Where a blob's bytes go: `blobs/sha256/<first two hex digits>/<hex>/data`.
    fn blob_data(root: &Path, digest: &str) -> PathBuf {
        let hex = hex_of(digest);
        v2(root)
            .join("blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    fn hex_of(digest: &str) -> &str {
        digest.strip_prefix("sha256:").expect("a sha256 digest")
    }

    /// A link file: the digest it points to, as the registry writes it (no newline).
    fn link(path: PathBuf, digest: &str) -> std::io::Result<()> {
        file(path, digest.as_bytes())
    }

    fn file(path: PathBuf, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    }

    fn write(
        root: &Path,
        prefix: &str,
        repos: usize,
        tags: usize,
        threads: usize,
    ) -> std::io::Result<()> {
        let layer = described(BULK_LAYER, OCI_LAYER);
        let config = described(BULK_CONFIG, OCI_CONFIG);
        file(blob_data(root, &layer.digest), BULK_LAYER)?;
        file(blob_data(root, &config.digest), BULK_CONFIG)?;
        // The first failure stops what has not started.
        let failed = std::sync::Mutex::new(None);
        parallel(repos, threads, |r| {
            if failed.lock().unwrap().is_some() {
                return;
            }
            if let Err(e) = repository(root, prefix, r, tags, &config, &layer) {
                failed.lock().unwrap().get_or_insert(e);
            }
        });
        match failed.into_inner().unwrap() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// One repository as pushing it leaves it: its blobs linked into it, each manifest stored as a
    /// blob and linked as a revision, each tag's current link and index entry.
    fn repository(
        root: &Path,
        prefix: &str,
        r: usize,
        tags: usize,
        config: &super::seed::Pushed,
        layer: &super::seed::Pushed,
    ) -> std::io::Result<()> {
        let name = bulk_repository(prefix, r);
        let repo = v2(root).join("repositories").join(&name);
        for blob in [config, layer] {
            let at = repo
                .join("_layers/sha256")
                .join(hex_of(&blob.digest))
                .join("link");
            link(at, &blob.digest)?;
        }
        for t in 0..tags {
            let manifest = bulk_manifest(&name, t, config, layer);
            let digest = sha256(&manifest);
            let hex = hex_of(&digest);
            file(blob_data(root, &digest), &manifest)?;
            let manifests = repo.join("_manifests");
            link(
                manifests.join("revisions/sha256").join(hex).join("link"),
                &digest,
            )?;
            let tag = manifests.join("tags").join(bulk_tag(t));
            link(tag.join("current/link"), &digest)?;
            link(tag.join("index/sha256").join(hex).join("link"), &digest)?;
        }
        Ok(())
    }
}
