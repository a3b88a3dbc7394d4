//! `outdated` and the selectors by tag history (`--tagged-before`, `--not-pulled-for`) against the
//! real registry.

use crate::common::seed::{Image, Kind};
use crate::common::{Sandbox, TestRegistry, stderr, stdout};

#[test]
fn outdated_compares_within_suffix_families_and_exits_11() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let seeder = registry.seeder();
    seeder.image(
        "app",
        Some("1.4-alpine"),
        &Image::new(Kind::Docker, "app 1.4-alpine"),
    );
    let url = registry.url();
    let host = url.trim_start_matches("http://");
    let out = sandbox
        .run(
            &url,
            &[
                "outdated",
                "app:1.9",
                "app:1.3-alpine",
                &format!("{host}/app:1.10"),
            ],
        )
        .code(11);
    assert_eq!(
        stdout(&out),
        "app:1.9 outdated 1.10\napp:1.3-alpine outdated 1.4-alpine\napp:1.10 up-to-date 1.10\n"
    );
    // Up to date, and what cannot be compared, exit 0 (unknown names warned about).
    let out = sandbox
        .run(
            &url,
            &[
                "outdated",
                "app:1.10",
                "app:latest",
                "app:9.9",
                "docker.io/library/nginx:1",
            ],
        )
        .success();
    assert_eq!(
        stdout(&out),
        "app:1.10 up-to-date 1.10\napp:latest not-a-version -\napp:9.9 unknown-tag -\n"
    );
    let err = stderr(&out);
    assert!(err.contains("app:9.9 is not in the registry"), "{err}");
    assert!(
        err.contains("skipped 1 image of other registries than "),
        "{err}"
    );

    // References from a compose file, as JSON.
    let compose = sandbox.cache_dir().join("compose.yml");
    std::fs::create_dir_all(sandbox.cache_dir()).unwrap();
    std::fs::write(
        &compose,
        format!(
            "services:\n  web:\n    image: \"{host}/app:1.2\"\n  db:\n    image: app:${{TAG}}\n  \
             pg:\n    image: postgres:16\n  cache:\n    image: redis:7-alpine\n"
        ),
    )
    .unwrap();
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "json",
                "outdated",
                "--from",
                compose.to_str().unwrap(),
            ],
        )
        .code(11);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows[0]["image"], "app:1.2");
    assert_eq!(rows[0]["status"], "outdated");
    assert_eq!(rows[0]["newest_tag"], "1.10");
    assert_ne!(rows[0]["digest"], rows[0]["newest_digest"]);
    assert!(stderr(&out).contains("not a plain image reference"));
    // Names without a registry host in a compose file are Docker Hub's: skipped with one note
    // naming them, never reported as unknown repositories of this registry.
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows:#}");
    let err = stderr(&out);
    assert!(
        err.contains("skipped 2 images of other registries than 127.0.0.1:")
            && err.contains("docker.io/postgres:16, docker.io/redis:7-alpine"),
        "{err}"
    );
    assert!(!err.contains("is not in the registry"), "{err}");

    let out = sandbox.run(&url, &["outdated", "App:1"]).code(2);
    assert!(stderr(&out).contains("invalid image reference"));
}

#[test]
fn tags_are_selected_by_when_they_were_first_seen_and_last_pulled() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let select = |extra: &[&str]| {
        let mut args = vec!["query-tags", "-r", "oci/app"];
        args.extend_from_slice(extra);
        let out = sandbox.run(&url, &args).success();
        stdout(&out)
    };
    // Every tag was first seen by this first read, so none is older than a date in the past.
    assert_eq!(select(&["--tagged-before", "2000-01-01"]), "");
    let all = select(&["--tagged-before", "2100-01-01T00:00:00Z"]);
    assert_eq!(all.lines().count(), 2, "{all}");
    // Never seen pulled: counted from when first seen, just now.
    assert_eq!(select(&["--not-pulled-for", "1d"]), "");
    let cache: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sandbox.default_cache(registry.port)).unwrap())
            .unwrap();
    assert!(
        cache["repositories"]["oci/app"]["tags"]["1.0"]["seen"].is_string(),
        "{cache}"
    );
    let out = sandbox
        .run(
            &url,
            &["query-tags", "-r", "oci/app", "--tagged-before", "soon"],
        )
        .code(2);
    assert!(stderr(&out).contains("invalid date \"soon\""));
}
