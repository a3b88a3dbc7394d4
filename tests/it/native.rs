//! Registry-native APIs: GitLab's container registry API and Harbor's, played by scripted loopback
//! stand-ins (`common/native.rs`, in the shapes of GitLab's `docs/spec/gitlab/api.md` and Harbor's
//! `api/v2.0/swagger.yaml`) in front of the real Distribution registry, since neither server runs
//! here. Shown: every page read, no request per tag where the native API answers, the same
//! answers as the Distribution path, a native digest the registry contradicts never deleted,
//! Harbor's pull times driving `--not-pulled-for`, refusals as exit code 4, foreign next pages and
//! malformed answers as registry errors, and the robot's secret nowhere in what regsweep writes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::gitlab::{FULL_TOKEN, FakeGitlab, Repo};
use crate::common::native::{NativeRegistry, READ_ONLY_ROBOT, ROBOT};
use crate::common::seed::{Image, Kind, Pushed};
use crate::common::{Sandbox, TestRegistry, assert_clean_error, manifest_exists, stderr, stdout};

fn push(registry: &TestRegistry, images: &[(&str, &str)]) -> BTreeMap<String, Pushed> {
    let seeder = registry.seeder();
    images
        .iter()
        .map(|(repo, tag)| {
            let name = format!("{repo}:{tag}");
            let pushed = seeder.image(repo, Some(tag), &Image::new(Kind::Oci, &name));
            (name, pushed)
        })
        .collect()
}

/// `repository:tag digest` lines of a JSON tag listing.
fn tag_lines(out: &assert_cmd::assert::Assert) -> Vec<String> {
    let rows: Vec<Value> = serde_json::from_str(&stdout(out)).unwrap();
    rows.iter()
        .map(|r| {
            format!(
                "{}:{} {}",
                r["repository"].as_str().unwrap(),
                r["tag"].as_str().unwrap(),
                r["digest"].as_str().unwrap()
            )
        })
        .collect()
}

/// Requests for a manifest by tag (the Distribution path's one request per tag).
fn per_tag_requests(native: &NativeRegistry) -> usize {
    native
        .requests()
        .iter()
        .filter(|r| r.target.contains("/manifests/") && !r.target.contains("/manifests/sha256:"))
        .count()
}

#[test]
fn gitlab_tags_come_in_pages_from_its_registry_api_and_the_registry_has_the_last_word() {
    let registry = TestRegistry::start();
    let pushed = push(
        &registry,
        &[
            ("team/app", "1.0"),
            ("team/app", "1.1"),
            ("team/app", "2.0"),
        ],
    );
    let native = NativeRegistry::gitlab(&registry.url());
    let repos = vec![Repo {
        id: 1,
        project_id: 10,
        project: "team/app",
        path: "team/app",
    }];
    let gitlab = FakeGitlab::start(&native.host(), repos, BTreeMap::new(), BTreeMap::new());
    let run = |sandbox: &Sandbox, args: &[&str]| {
        sandbox
            .cmd()
            .env("GITLAB_TOKEN", FULL_TOKEN)
            .args(["--gitlab", &gitlab.url(), "--project", "team/app"])
            .args(args)
            .assert()
    };
    let sandbox = Sandbox::new();
    let out = run(&sandbox, &["--format", "json", "list-tag-names"]).success();
    let listed = tag_lines(&out);
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.contains(&format!("team/app:1.0 {}", pushed["team/app:1.0"].digest)));
    // Pages of two: the first, then the one after `last=1.1`; no request per tag.
    let pages: Vec<String> = native
        .requests()
        .iter()
        .filter(|r| r.target.contains("/gitlab/v1/repositories/"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].contains("last=1.1"), "{pages:?}");
    assert_eq!(per_tag_requests(&native), 0);

    // The Distribution path (a registry without /gitlab/v1/) gives the same answer.
    let plain = FakeGitlab::start(
        registry.url().trim_start_matches("http://"),
        vec![Repo {
            id: 1,
            project_id: 10,
            project: "team/app",
            path: "team/app",
        }],
        BTreeMap::new(),
        BTreeMap::new(),
    );
    let other = Sandbox::new();
    let out = other
        .cmd()
        .env("GITLAB_TOKEN", FULL_TOKEN)
        .args(["--gitlab", &plain.url(), "--project", "team/app"])
        .args(["--format", "json", "list-tag-names"])
        .assert()
        .success();
    let through_registry: Vec<String> = tag_lines(&out)
        .into_iter()
        .map(|l| l.replace(&native.host(), "REGISTRY"))
        .collect();
    assert_eq!(through_registry, listed);

    // A next page on another host is refused: a registry error, nothing read from there.
    native.script.lock().unwrap().foreign_next = true;
    let out = run(&Sandbox::new(), &["list-tag-names"]).code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("elsewhere.example"), "{err}");
    native.script.lock().unwrap().foreign_next = false;

    // GitLab's API names a digest for 1.0 the registry does not: the live re-check reads the
    // registry, the plan differs, nothing is deleted.
    native.script.lock().unwrap().lies.insert(
        ("team/app".into(), "1.0".into()),
        format!("sha256:{}", "ab".repeat(32)),
    );
    let lied = Sandbox::new();
    let out = run(
        &lied,
        &["remove-tags", "-r", "team/app", "-t", "1.0", "--yes"],
    )
    .code(8);
    let err = stderr(&out);
    assert!(err.contains("nothing was deleted"), "{err}");
    assert!(
        err.contains(&format!(
            "the registry says team/app:1.0 is {}, not sha256:abab",
            pushed["team/app:1.0"].digest
        )) && err.contains("the registry's answer is used"),
        "{err}"
    );
    assert!(manifest_exists(
        &registry.url(),
        "team/app",
        &pushed["team/app:1.0"].digest
    ));
}

/// `regsweep --harbor URL -u ROBOT -p SECRET ARGS` (no --registry: Harbor serves its own).
fn harbor_run(
    sandbox: &Sandbox,
    harbor: &str,
    (user, secret): (&str, &str),
    args: &[&str],
) -> assert_cmd::assert::Assert {
    sandbox
        .cmd()
        .env("REGISTRY_PASSWORD", secret)
        .args(["--harbor", harbor, "-u", user])
        .args(args)
        .assert()
}

#[test]
fn harbor_lists_projects_repositories_and_artifacts_in_pages_with_pull_times() {
    let registry = TestRegistry::start();
    let pushed = push(
        &registry,
        &[
            ("web/app", "1.0"),
            ("web/app", "1.1"),
            ("web/app", "2.0"),
            ("web/tools/cli", "1.0"),
            ("ops/db", "5.0"),
        ],
    );
    let native = NativeRegistry::harbor(&registry.url());
    let harbor = native.url();
    // web/app:1.0's image was pulled yesterday; the others never (Harbor's zero time).
    let yesterday = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    native
        .script
        .lock()
        .unwrap()
        .pulled
        .insert(pushed["web/app:1.0"].digest.clone(), yesterday.to_string());
    let sandbox = Sandbox::new();
    let out = harbor_run(
        &sandbox,
        &harbor,
        ROBOT,
        &["-l", "debug", "--format", "json", "list-tag-names"],
    )
    .success();
    // Every call is in the debug log; the robot's secret never is.
    let log = stderr(&out);
    assert!(log.contains("/api/v2.0/projects"), "{log}");
    assert!(!log.contains(ROBOT.1), "the secret in the debug log");
    let listed = tag_lines(&out);
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert!(listed.contains(&format!(
        "web/tools/cli:1.0 {}",
        pushed["web/tools/cli:1.0"].digest
    )));
    // Every page: two projects, web's two repositories, web/app's three artifacts, one at a time.
    let requests = native.requests();
    let count = |part: &str| {
        requests
            .iter()
            .filter(|r| r.target.starts_with(part) && r.target.contains("page="))
            .count()
    };
    assert_eq!(count("/api/v2.0/projects?"), 2);
    assert_eq!(count("/api/v2.0/projects/web/repositories?"), 2);
    assert_eq!(
        count("/api/v2.0/projects/web/repositories/app/artifacts"),
        3
    );
    assert_eq!(
        count("/api/v2.0/projects/web/repositories/tools%252Fcli/artifacts"),
        1
    );
    assert_eq!(per_tag_requests(&native), 0);

    // Sizes, build times and platforms come from the artifacts: no manifest or config is read.
    let out = harbor_run(
        &sandbox,
        &harbor,
        ROBOT,
        &["--format", "json", "list-tag-names", "--long", "web/app"],
    )
    .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row["size"], 1234, "{row}");
        assert_eq!(row["created"], "2026-02-01T08:00:00Z", "{row}");
        assert_eq!(
            row["platforms"],
            serde_json::json!(["linux/arm64"]),
            "{row}"
        );
    }
    let reads = native
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET" && (r.target.contains("/manifests/") || r.target.contains("/blobs/"))
        })
        .count();
    assert_eq!(reads, 0, "manifests or configs read");

    // Harbor's pull times drive --not-pulled-for with no service running: 1.0 was pulled
    // yesterday; 1.1 and 2.0 never, and were pushed months ago.
    let out = harbor_run(
        &sandbox,
        &harbor,
        ROBOT,
        &[
            "--format",
            "json",
            "query-tags",
            "-r",
            "web/app",
            "-t",
            "*",
            "--not-pulled-for",
            "30d",
        ],
    )
    .success();
    let selected: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let tags: Vec<String> = selected
        .iter()
        .flat_map(|r| r["tags"].as_array().unwrap().clone())
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tags, ["1.1", "2.0"], "{selected:?}");

    // A robot account that may not delete: exit 4 naming the refusal, nothing deleted.
    let reader = Sandbox::new();
    let out = harbor_run(
        &reader,
        &harbor,
        READ_ONLY_ROBOT,
        &["remove-tags", "-r", "web/app", "-t", "1.1", "--yes"],
    )
    .code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("delete") && err.contains("robot$reader"),
        "{err}"
    );
    assert!(err.contains("hint: in Harbor, the account needs"), "{err}");

    // An immutable-tag rule refuses the delete: exit 4 naming the rule, nothing deleted.
    native
        .script
        .lock()
        .unwrap()
        .immutable
        .insert(pushed["web/app:2.0"].digest.clone());
    let out = harbor_run(
        &sandbox,
        &harbor,
        ROBOT,
        &["remove-tags", "-r", "web/app", "-t", "2.0", "--yes"],
    )
    .code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("refused by a rule of the registry (412)")
            && err.contains("immutable tag rule: tags matching 2.*"),
        "{err}"
    );
    assert!(manifest_exists(
        &registry.url(),
        "web/app",
        &pushed["web/app:2.0"].digest
    ));
    assert!(manifest_exists(
        &registry.url(),
        "web/app",
        &pushed["web/app:1.1"].digest
    ));

    // --gc: Harbor's garbage collection after the deletes, waited for.
    let out = harbor_run(
        &sandbox,
        &harbor,
        ROBOT,
        &["remove-tags", "-r", "web/app", "-t", "1.1", "--yes", "--gc"],
    )
    .success();
    assert!(
        stderr(&out).contains("Harbor's garbage collection freed"),
        "{}",
        stderr(&out)
    );
    assert!(!manifest_exists(
        &registry.url(),
        "web/app",
        &pushed["web/app:1.1"].digest
    ));
    assert!(
        native
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.target == "/api/v2.0/system/gc/schedule")
    );

    // The robot's secret is in nothing regsweep wrote.
    for dir in [sandbox.home.path(), reader.home.path()] {
        for entry in walk(dir) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(ROBOT.1),
                "{} holds the secret",
                entry.display()
            );
            assert!(!text.contains(READ_ONLY_ROBOT.1), "{}", entry.display());
        }
    }
    assert!(!stdout(&out).contains(READ_ONLY_ROBOT.1) && !err.contains(READ_ONLY_ROBOT.1));
}

#[test]
fn harbor_answers_that_leave_it_or_break_its_shapes_are_registry_errors() {
    let registry = TestRegistry::start();
    push(&registry, &[("web/app", "1.0"), ("ops/db", "5.0")]);
    let native = NativeRegistry::harbor(&registry.url());
    let harbor = native.url();
    let list = ["list-tag-names"];

    native.script.lock().unwrap().foreign_next = true;
    let out = harbor_run(&Sandbox::new(), &harbor, ROBOT, &list).code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("elsewhere.example"), "{err}");

    {
        let mut script = native.script.lock().unwrap();
        script.foreign_next = false;
        script.malformed = true;
    }
    let out = harbor_run(&Sandbox::new(), &harbor, ROBOT, &list).code(5);
    assert_clean_error(&stderr(&out));

    {
        let mut script = native.script.lock().unwrap();
        script.malformed = false;
        script.huge = true;
    }
    let out = harbor_run(&Sandbox::new(), &harbor, ROBOT, &list).code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("a page of a registry's own API"), "{err}");

    // Unknown credentials: Harbor's 401, exit 4 with what Harbor takes.
    native.script.lock().unwrap().huge = false;
    let out = harbor_run(&Sandbox::new(), &harbor, ("robot$nobody", "x"), &list).code(4);
    assert_clean_error(&stderr(&out));

    // --gc on a registry regsweep cannot collect is refused before anything is deleted.
    let sandbox = Sandbox::new();
    let before = crate::common::live_tags(&sandbox, &registry.url());
    let out = sandbox
        .run(
            &registry.url(),
            &["remove-tags", "-r", "web/app", "-t", "1.0", "--yes", "--gc"],
        )
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("--gc starts Harbor's garbage collection"),
        "{err}"
    );
    assert_eq!(crate::common::live_tags(&sandbox, &registry.url()), before);
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
