//! The list commands against a real registry: ordering, formats, multi-arch and OCI digests, emptied
//! repositories, pagination past the registry's first page, and dregutil's spellings.

use crate::common::seed::{DOCKER_LIST, DOCKER_V2, Image, Kind, OCI_INDEX, OCI_MANIFEST};
use crate::common::{
    Sandbox, TestRegistry, assert_clean_error, assert_stderr_has, assert_stdout_has, stderr, stdout,
};
use serde_json::Value;

#[test]
fn list_repo_names_lists_tagged_repositories_sorted() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let out = sandbox.run(&registry.url(), &["list-repo-names"]).success();
    assert_eq!(
        stdout(&out),
        "app\nmulti\noci/app\noci/multi\nteam-a/web\nteam-a/worker\n",
        "the emptied repository must not be listed"
    );

    let out = sandbox
        .run(&registry.url(), &["--count", "list-repo-names", "^team-a/"])
        .success();
    assert_eq!(
        stdout(&out),
        "team-a/web\nteam-a/worker\n-------------------------\nNumber of repositories: 2\n"
    );
}

#[test]
fn list_tag_names_sorts_versions_naturally_in_dregutil_columns() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&registry.url(), &["list-tag-names", "app", "oci/app"])
        .success();
    assert_eq!(
        stdout(&out),
        "app      1.2\napp      1.3-alpine\napp      v1.3.9\napp      1.9\napp      1.10\n\
         app      dev-abc\napp      latest\noci/app  1.0\noci/app  1.1\n"
    );

    let out = sandbox
        .run(
            &registry.url(),
            &["list-tag-names", "--reverse-sort", "app"],
        )
        .success();
    let text = stdout(&out);
    let tags: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "latest",
            "dev-abc",
            "1.10",
            "1.9",
            "v1.3.9",
            "1.3-alpine",
            "1.2"
        ]
    );

    let out = sandbox
        .run(
            &registry.url(),
            &["--count", "list-tag-names", "--image-names", "multi"],
        )
        .success();
    assert_eq!(
        stdout(&out),
        format!(
            "127.0.0.1:{}/multi:1.0\n-----------------\nNumber of tags: 1\n",
            registry.port
        )
    );
}

#[test]
fn multi_arch_and_oci_tags_resolve_to_the_pushed_digests() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let two = |kind| {
        vec![
            Image::new(kind, "amd"),
            Image::new(kind, "arm").platform("linux", "arm64"),
        ]
    };
    let (list, _) = seeder.index("multi", "1.0", Kind::Docker, &two(Kind::Docker));
    let (index, _) = seeder.index("oci/multi", "2.0", Kind::Oci, &two(Kind::Oci));
    let oci = seeder.image("oci/app", Some("1.0"), &Image::new(Kind::Oci, "oci"));
    let docker = seeder.image("app", Some("1.0"), &Image::new(Kind::Docker, "docker"));

    for get in [false, true] {
        let sandbox = Sandbox::new();
        let mut args = vec!["--format", "json"];
        if get {
            args.push("--use-get-manifest");
        }
        args.push("list-tag-names");
        let out = sandbox.run(&registry.url(), &args).success();
        let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
        let found = |repo: &str| {
            let row = rows.iter().find(|r| r["repository"] == repo).unwrap();
            (
                row["digest"].as_str().unwrap().to_owned(),
                row["media_type"].as_str().unwrap().to_owned(),
            )
        };
        assert_eq!(
            found("multi"),
            (list.digest.clone(), DOCKER_LIST.to_owned()),
            "GET: {get}"
        );
        assert_eq!(
            found("oci/multi"),
            (index.digest.clone(), OCI_INDEX.to_owned()),
            "GET: {get}"
        );
        assert_eq!(
            found("oci/app"),
            (oci.digest.clone(), OCI_MANIFEST.to_owned()),
            "GET: {get}"
        );
        assert_eq!(
            found("app"),
            (docker.digest.clone(), DOCKER_V2.to_owned()),
            "GET: {get}"
        );
        let app = rows.iter().find(|r| r["repository"] == "app").unwrap();
        assert_eq!(app["image"], format!("127.0.0.1:{}/app:1.0", registry.port));
    }
}

#[test]
fn a_thousand_repositories_are_all_listed() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("many", 1000, 1, 16);
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&registry.url(), &["--count", "list-repo-names"])
        .success();
    let text = stdout(&out);
    let names: Vec<&str> = text.lines().take(1000).collect();
    assert_eq!(names.first(), Some(&"many-000"));
    assert_eq!(names.last(), Some(&"many-999"));
    assert!(text.ends_with("Number of repositories: 1000\n"), "{text}");
}

#[test]
fn table_and_json_formats() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&registry.url(), &["--format", "table", "list-repo-names"])
        .success();
    let text = stdout(&out);
    assert!(
        text.lines().next().unwrap().contains("REPOSITORY"),
        "{text}"
    );
    // Names left, numbers right, no trailing padding.
    assert!(
        text.lines()
            .any(|l| l.starts_with("app ") && l.ends_with(" 7")),
        "{text}"
    );
    assert!(text.lines().all(|l| !l.ends_with(' ')), "{text:?}");

    let out = sandbox
        .run(
            &registry.url(),
            &["--format", "table", "list-tag-names", "multi"],
        )
        .success();
    assert_stdout_has(&out, "Docker manifest list");

    let out = sandbox
        .run(
            &registry.url(),
            &["--format", "json", "--count", "list-repo-names"],
        )
        .success();
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6);
    assert_eq!(rows[0], serde_json::json!({"name": "app", "tags": 7}));
}

#[test]
fn dregutil_spellings_and_environment_work() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let out = sandbox
        .cmd()
        .args([
            "-reg",
            &registry.url(),
            "-c",
            "None",
            "-l",
            "INFO",
            "list-repo-names",
        ])
        .assert()
        .success();
    assert!(stdout(&out).starts_with("app\n"));

    let out = sandbox
        .cmd()
        .env("REGISTRY", registry.url())
        .env("DOCKER_UTIL_CACHEFILE", "dregutil_cache.json")
        .env("DOCKER_UTIL_GET_MANIFEST", "1")
        .args(["list-tag-names", "multi"])
        .assert()
        .success();
    assert_eq!(stdout(&out), "multi  1.0\n");
    assert!(sandbox.home.path().join("dregutil_cache.json").is_file());
}

#[test]
fn no_registry_is_a_usage_error_naming_both_ways() {
    let sandbox = Sandbox::new();
    let out = sandbox.cmd().arg("list-repo-names").assert().code(2);
    let err = stderr(&out);
    assert!(err.contains("no registry given"), "{err}");
    assert!(
        err.contains("--registry") && err.contains("REGISTRY"),
        "{err}"
    );
}

#[test]
fn unreachable_registry_is_a_network_error_with_a_hint() {
    let port = crate::common::free_port();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&format!("http://127.0.0.1:{port}"), &["list-repo-names"])
        .code(3);
    let err = stderr(&out);
    assert!(
        err.contains("\nregsweep: error: checking the registry"),
        "{err}"
    );
    assert!(
        err.contains(&format!("cannot connect to http://127.0.0.1:{port}/v2/")),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert_clean_error(&err);
    assert!(
        !sandbox.default_cache(port).exists(),
        "a failed refresh wrote a cache"
    );
}

#[test]
fn unknown_repository_and_bad_pattern_are_usage_errors() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&registry.url(), &["list-tag-names", "nope"])
        .code(2);
    assert_stderr_has(&out, "repository nope not found");
    let out = sandbox
        .live(&registry.url(), &["list-tag-names", "nope"])
        .code(2);
    assert_stderr_has(&out, "repository nope not found");

    for bad in ["../_catalog", "App", "a?n=1"] {
        let out = sandbox
            .live(&registry.url(), &["list-tag-names", bad])
            .code(2);
        assert_stderr_has(&out, "invalid repository name");
    }

    let out = sandbox
        .run(&registry.url(), &["list-repo-names", "team-(a"])
        .code(2);
    assert_stderr_has(&out, "invalid repository pattern \"team-(a\"");
}

#[test]
fn bad_registry_address_is_a_usage_error() {
    let sandbox = Sandbox::new();
    for bad in ["ftp://host", "https://user:secret@host", "host/v2/"] {
        let out = sandbox.run(bad, &["list-repo-names"]).code(2);
        assert_stderr_has(&out, "regsweep: error:");
        assert!(!stderr(&out).contains("secret@"), "{}", stderr(&out));
    }
}

#[test]
fn a_repository_larger_than_the_tags_under_way_is_read_whole() {
    // A refresh lets at most 4,096 tags be under way at once across repositories: a repository of
    // more waits until that room is free and is then read 4,096 at a time, beside the small ones.
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    seeder.bulk("huge", 1, 4_200, 8);
    seeder.bulk("small", 3, 5, 3);
    // A bound the read could never get room under would hang: a minute is ten times enough.
    let out = Sandbox::new()
        .cmd()
        .args(["--registry", &registry.url(), "-c", "None"])
        .args(["list-tag-names", "--format", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
    let listed: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let in_repo = |prefix: &str| {
        listed
            .iter()
            .filter(|t| t["repository"].as_str().unwrap_or("").starts_with(prefix))
            .count()
    };
    assert_eq!((in_repo("huge-000"), in_repo("small-")), (4_200, 15));
}
