//! The per-registry cache against a real registry: where it goes, what it holds (and never holds),
//! refreshing, corruption, staleness, `-c None`, failure part-way, and concurrent runs.

use std::fs;

use crate::common::seed::{Image, Kind};
use crate::common::{Sandbox, TestRegistry, assert_clean_error, assert_stderr_has, stderr, stdout};
use serde_json::Value;

#[test]
fn first_run_fills_the_default_cache_and_later_runs_read_it() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let path = sandbox.default_cache(registry.port);
    let first = sandbox
        .run(&registry.url(), &["list-tag-names", "app"])
        .success();
    assert!(path.is_file(), "no cache at {}", path.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let cache: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(cache["schema"], 2);
    let mut details = path.clone().into_os_string();
    details.push(".details");
    assert!(
        std::path::Path::new(&details).is_file(),
        "no details file beside the cache"
    );
    assert_eq!(cache["registry"], registry.url());
    assert!(cache["refreshed_at"].is_string());
    assert!(
        cache["repositories"]["app"]["tags"]["1.10"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(
        cache["repositories"]["emptied"]["tags"],
        serde_json::json!({})
    );
    assert!(
        cache.get("manifests").is_none(),
        "details live in the details file since format version 2"
    );

    // A tag pushed after the cache was filled is not seen until --refresh.
    registry
        .seeder()
        .image("app", Some("2.0"), &Image::new(Kind::Docker, "app 2.0"));
    let second = sandbox
        .run(&registry.url(), &["list-tag-names", "app"])
        .success();
    assert_eq!(stdout(&first), stdout(&second));
    let refreshed = sandbox
        .run(&registry.url(), &["--refresh", "list-tag-names", "app"])
        .success();
    assert!(
        stdout(&refreshed).contains("app  2.0\n"),
        "{}",
        stdout(&refreshed)
    );
    let again = sandbox
        .run(&registry.url(), &["list-tag-names", "app"])
        .success();
    assert_eq!(stdout(&refreshed), stdout(&again));
}

#[test]
fn cache_none_reads_live_and_writes_nothing() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    for off in [&["-c", "None"][..], &["--cache", "false"], &["--no-cache"]] {
        let mut args = off.to_vec();
        args.push("list-repo-names");
        let out = sandbox.run(&registry.url(), &args).success();
        assert!(stdout(&out).starts_with("app\n"));
    }
    registry
        .seeder()
        .image("late", Some("1.0"), &Image::new(Kind::Oci, "late"));
    let out = sandbox
        .run(&registry.url(), &["-c", "NONE", "list-repo-names", "late"])
        .success();
    assert_eq!(stdout(&out), "late\n");
    let files: Vec<_> = walk(sandbox.home.path());
    assert!(files.is_empty(), "-c None wrote {files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn corrupt_cache_is_a_clear_error_until_refreshed() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let path = sandbox.home.path().join("c.json");
    for garbage in ["{\"schema\": 1, \"repositories\": [", "", "{\"schema\": 7}"] {
        fs::write(&path, garbage).unwrap();
        let out = sandbox
            .run(
                &registry.url(),
                &["-c", path.to_str().unwrap(), "list-repo-names"],
            )
            .code(6);
        let err = stderr(&out);
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("--refresh"), "{err}");
        assert_clean_error(&err);
    }
    sandbox
        .run(
            &registry.url(),
            &["-c", path.to_str().unwrap(), "--refresh", "list-repo-names"],
        )
        .success();
    sandbox
        .run(
            &registry.url(),
            &["-c", path.to_str().unwrap(), "list-repo-names"],
        )
        .success();
}

#[test]
fn a_cache_of_another_registry_is_refused() {
    let registry = TestRegistry::with_sample();
    let other = TestRegistry::start();
    let sandbox = Sandbox::new();
    sandbox
        .run(&registry.url(), &["-c", "shared.json", "list-repo-names"])
        .success();
    let out = sandbox
        .run(&other.url(), &["-c", "shared.json", "list-repo-names"])
        .code(6);
    assert_stderr_has(&out, "belongs to registry");
}

#[test]
fn a_failed_refresh_leaves_the_previous_cache() {
    let registry = TestRegistry::with_sample();
    let url = registry.url();
    let sandbox = Sandbox::new();
    sandbox.run(&url, &["list-repo-names"]).success();
    let path = sandbox.default_cache(registry.port);
    let before = fs::read(&path).unwrap();
    drop(registry);
    sandbox.run(&url, &["--refresh", "list-repo-names"]).code(3);
    assert_eq!(fs::read(&path).unwrap(), before, "the cache changed");
    // The old cache still answers.
    let out = sandbox.run(&url, &["list-repo-names"]).success();
    assert!(stdout(&out).starts_with("app\n"));
}

#[test]
fn an_old_cache_gets_a_note_with_its_age() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    sandbox.run(&registry.url(), &["list-repo-names"]).success();
    let path = sandbox.default_cache(registry.port);
    let mut cache: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    cache["refreshed_at"] = "2026-01-01T00:00:00Z".into();
    fs::write(&path, cache.to_string()).unwrap();
    let out = sandbox.run(&registry.url(), &["list-repo-names"]).success();
    let err = stderr(&out);
    assert!(
        err.contains("days old") && err.contains("--refresh"),
        "{err}"
    );
    let quiet = sandbox
        .run(&registry.url(), &["-q", "list-repo-names"])
        .success();
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn concurrent_runs_share_one_cache_file() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let path = sandbox.home.path().join("shared.json");
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = sandbox.std_cmd();
            cmd.args(["-reg", &registry.url(), "-c", path.to_str().unwrap()])
                .args(["--refresh", "list-tag-names"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.stdout, outputs[0].stdout);
    }
    let cache: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(cache["repositories"].as_object().unwrap().len(), 7);
    let leftovers: Vec<_> = walk(sandbox.home.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn cache_info_and_clear() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let path = sandbox.default_cache(registry.port);
    let out = sandbox.run(&registry.url(), &["cache", "info"]).success();
    assert!(stdout(&out).contains("no cache yet"), "{}", stdout(&out));

    sandbox.run(&registry.url(), &["list-repo-names"]).success();
    let out = sandbox
        .run(&registry.url(), &["--format", "json", "cache", "info"])
        .success();
    let info: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["path"], path.display().to_string());
    assert_eq!(info["repositories"], 7);
    assert_eq!(info["tagged_repositories"], 6);
    assert_eq!(info["tags"], 13);
    let out = sandbox.run(&registry.url(), &["cache", "info"]).success();
    assert!(stdout(&out).contains("tags: 13"), "{}", stdout(&out));

    // The first-seen times of the refresh are history the registry cannot give back: asked first.
    let out = sandbox.run(&registry.url(), &["cache", "clear"]).code(9);
    let err = stderr(&out);
    assert!(
        err.contains(
            "the cache holds what the registry cannot tell again: when 13 tags were first seen"
        ) && err.contains("nothing was cleared")
            && err.contains("hint: pass --yes"),
        "{err}"
    );
    assert!(path.exists());
    for (answer, cleared) in [("n", false), ("y", true)] {
        let mut cmd = sandbox.std_cmd();
        cmd.args(["-reg", &registry.url(), "cache", "clear"]);
        let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
        session.exp_string("Clear it anyway? [y/N]").unwrap();
        session.send_line(answer).unwrap();
        session.exp_eof().unwrap();
        assert_eq!(path.exists(), !cleared, "answered {answer}");
    }
    sandbox.run(&registry.url(), &["list-repo-names"]).success();
    sandbox
        .run(&registry.url(), &["cache", "clear", "--yes"])
        .success();
    assert!(!path.exists());
    let out = sandbox.live(&registry.url(), &["cache", "info"]).code(2);
    assert_stderr_has(&out, "cache is disabled");
}

#[test]
fn credentials_never_reach_the_cache_or_output() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(
            &registry.url(),
            &[
                "-u",
                "someone",
                "-p",
                "s3cret-pw",
                "-l",
                "debug",
                "list-tag-names",
            ],
        )
        .success();
    assert!(!stdout(&out).contains("s3cret-pw"));
    assert!(!stderr(&out).contains("s3cret-pw"));
    let cache = fs::read_to_string(sandbox.default_cache(registry.port)).unwrap();
    assert!(!cache.contains("s3cret-pw") && !cache.contains("someone"));
}

fn details_path(cache: &std::path::Path) -> std::path::PathBuf {
    let mut path = cache.as_os_str().to_owned();
    path.push(".details");
    path.into()
}

/// A cache of format version 1 (one JSON file, details inside) is migrated on first use: its details
/// are kept, so nothing is read again.
#[test]
fn a_format_one_cache_is_migrated_with_its_details() {
    let registry = TestRegistry::with_sample();
    let proxy = crate::common::scripted::Scripted::proxy(&registry.url(), |_| None);
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let tags = crate::common::live_tags(&sandbox, &registry.url());
    let digest = tags["oci/app"]["1.0"].clone();
    let repositories: serde_json::Map<String, Value> = tags
        .iter()
        .map(|(repo, tags)| {
            let tags: serde_json::Map<String, Value> = tags
                .iter()
                .map(|(tag, d)| (tag.clone(), serde_json::json!({"digest": d})))
                .collect();
            (repo.clone(), serde_json::json!({"tags": tags}))
        })
        .collect();
    let old = serde_json::json!({
        "schema": 1,
        "registry": url,
        "refreshed_at": jiff::Timestamp::now().to_string(),
        "repositories": repositories,
        "manifests": {digest.clone(): {
            "media_type": "application/vnd.oci.image.manifest.v1+json",
            "manifest_bytes": 400, "size": 4242, "created": "2026-01-01T00:00:00Z",
            "platforms": ["linux/amd64"], "config_read": true,
            "config": {"digest": format!("sha256:{}", "c".repeat(64)), "size": 42}
        }}
    });
    let path = sandbox.default_cache(proxy.port);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, old.to_string()).unwrap();
    let out = sandbox
        .run(
            &url,
            &["--format", "json", "list-tag-names", "oci/app", "--long"],
        )
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let one = rows.iter().find(|r| r["tag"] == "1.0").unwrap();
    assert_eq!(one["size"], 4242, "the migrated details were used");
    assert!(
        !proxy.requests().iter().any(|r| r.target.ends_with(&digest)),
        "a migrated detail was read again"
    );
    let migrated: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(migrated["schema"], 2);
    assert!(migrated.get("manifests").is_none());
    assert!(details_path(&path).is_file());
}

/// The cache is a file people may edit or damage: an edited main file is read whole (its
/// repositories' places in the details file no longer hold), a damaged details file is read past.
#[test]
fn an_edited_or_damaged_cache_is_never_misread() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox.run(&url, &["usage"]).success();
    let path = sandbox.default_cache(registry.port);
    // Someone removes app:1.2 from the main file by hand.
    let mut cache: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    cache["repositories"]["app"]["tags"]
        .as_object_mut()
        .unwrap()
        .remove("1.2");
    fs::write(&path, cache.to_string()).unwrap();
    let out = sandbox
        .run(&url, &["--format", "plain", "list-tag-names", "app"])
        .success();
    assert!(!stdout(&out).contains("app  1.2\n"), "{}", stdout(&out));
    assert!(stdout(&out).contains("app  1.9\n"), "{}", stdout(&out));
    // The details file cut in half: read past, the details read again, nothing misread.
    let details = details_path(&path);
    let bytes = fs::read(&details).unwrap();
    fs::write(&details, &bytes[..bytes.len() / 2]).unwrap();
    let out = sandbox
        .run(
            &url,
            &["--format", "json", "list-tag-names", "app", "--long"],
        )
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        rows.iter().all(|r| r["size"].as_u64().is_some()),
        "{rows:?}"
    );
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
}

/// Queries answer from the cache alone: with the registry gone, they still answer, and say when a
/// figure is an estimate and how to make it exact.
#[test]
fn queries_answer_from_the_cache_with_the_registry_gone() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    drop(registry);
    let out = sandbox
        .run(&url, &["query-tags", "-r", "app", "-t", "<1.10"])
        .success();
    assert!(stdout(&out).contains("app"), "{}", stdout(&out));
    assert_stderr_has(&out, "an estimate");
    assert_stderr_has(&out, "--details");
    sandbox
        .run(&url, &["query-repos", "-r", "team-a/web"])
        .success();
    sandbox.run(&url, &["list-tag-names", "app"]).success();
    // What the cache cannot answer needs the registry, and says so.
    let out = sandbox
        .run(
            &url,
            &["query-tags", "-r", "app", "-t", "<1.10", "--details"],
        )
        .code(3);
    assert_clean_error(&stderr(&out));
}
