//! Retention policies against a real registry: a realistic policy over several repositories (versions,
//! variants, feature branches, ages, an image shared between repositories, a deployed image named
//! by Kubernetes YAML), `policy plan` then `policy apply`, the JSON report checked against what the
//! registry holds afterwards, a drifted `--plan-file` refused, `--max-delete`, and file mistakes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::seed::{Image, Kind, Pushed};
use crate::common::service::Service;
use crate::common::*;

const POLICY: &str = r#"version = 1
min_keep = 1

[protect]
tags = ["latest", "stable"]
references = ["deploy.yaml"]

[[rule]]
name = "feature branches"
repositories = ["**"]
tags_regex = ["^feature-"]
older_than = "30d"

[[rule]]
name = "releases"
repositories = ["web", "worker"]
tags = [">=0"]
keep_n = 1
keep_by = "version"
group_by = ["major.minor", "variant"]
"#;

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      \
                      containers:\n        - name: worker\n          image: \"127.0.0.1/worker:0.9.0\"\n";

fn image(label: &str, created: &str) -> Image {
    Image {
        created: Some(created.to_owned()),
        ..Image::new(Kind::Oci, label)
    }
}

/// web: 1.0.0 (also base:stable), 1.0.1-1.0.3, 1.1.0, 1.1.1, their -alpine builds, 2.0.0 (latest),
/// an old and a new feature branch; worker: 0.9.0 (deployed), 1.0.0, 1.0.1.
fn push_registry(registry: &TestRegistry) -> BTreeMap<String, Pushed> {
    let seeder = registry.seeder();
    let old = "2026-01-01T00:00:00Z";
    let now = jiff::Timestamp::now().to_string();
    let mut pushed = BTreeMap::new();
    let shared = image("shared 1.0.0", old);
    for (repo, tag, label, created) in [
        ("web", "1.0.1", "web 1.0.1", old),
        ("web", "1.0.2", "web 1.0.2", old),
        ("web", "1.0.3", "web 1.0.3", old),
        ("web", "1.1.0", "web 1.1.0", old),
        ("web", "1.1.1", "web 1.1.1", old),
        ("web", "1.1.0-alpine", "web 1.1.0a", old),
        ("web", "1.1.1-alpine", "web 1.1.1a", old),
        ("web", "2.0.0", "web 2.0.0", old),
        ("web", "feature-login", "login", old),
        ("web", "feature-new", "new", now.as_str()),
        ("worker", "0.9.0", "worker 0.9.0", old),
        ("worker", "1.0.0", "worker 1.0.0", old),
        ("worker", "1.0.1", "worker 1.0.1", old),
    ] {
        let p = seeder.image(repo, Some(tag), &image(label, created));
        pushed.insert(format!("{repo}:{tag}"), p);
    }
    pushed.insert(
        "web:1.0.0".into(),
        seeder.image("web", Some("1.0.0"), &shared),
    );
    pushed.insert(
        "base:stable".into(),
        seeder.image("base", Some("stable"), &shared),
    );
    pushed.insert("web:latest".into(), seeder.retag("web", "2.0.0", "latest"));
    pushed
}

fn fates(report: &Value) -> BTreeMap<String, String> {
    report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                format!(
                    "{}:{}",
                    d["repository"].as_str().unwrap(),
                    d["tag"].as_str().unwrap()
                ),
                d["fate"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_reviewed_plan_is_what_apply_deletes() {
    let registry = TestRegistry::start();
    let pushed = push_registry(&registry);
    let url = registry.url();
    let sandbox = Sandbox::new();
    let home = sandbox.home.path();
    std::fs::write(home.join("regsweep.toml"), POLICY).unwrap();
    std::fs::write(home.join("deploy.yaml"), DEPLOY).unwrap();

    let out = sandbox
        .run(
            &url,
            &["--format", "json", "policy", "plan", "--out", "plan.json"],
        )
        .success();
    let report = &json_documents(&stdout(&out))[0];
    let fates = fates(report);
    let expected = [
        ("web:1.0.0", "held"),
        ("web:1.0.1", "delete"),
        ("web:1.0.2", "delete"),
        ("web:1.0.3", "kept"),
        ("web:1.1.0", "delete"),
        ("web:1.1.1", "kept"),
        ("web:1.1.0-alpine", "delete"),
        ("web:1.1.1-alpine", "kept"),
        ("web:2.0.0", "kept"),
        ("web:latest", "protected"),
        ("web:feature-login", "delete"),
        ("base:stable", "protected"),
        ("worker:0.9.0", "protected"),
        ("worker:1.0.0", "delete"),
        ("worker:1.0.1", "kept"),
    ];
    for (tag, fate) in expected {
        assert_eq!(
            fates.get(tag).map(String::as_str),
            Some(fate),
            "{tag}: {report:#}"
        );
    }
    assert!(
        !fates.contains_key("web:feature-new"),
        "a new branch is untouched"
    );
    let held = report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["tag"] == "1.0.0")
        .unwrap();
    assert!(
        held["reason"].as_str().unwrap().contains("base:stable"),
        "{held}"
    );
    assert_eq!(report["summary"]["manifests"], 6);
    assert!(
        report["repositories"]["web"]["frees_bytes"]
            .as_u64()
            .unwrap()
            > 0
    );

    // --explain names the deciding rule and what every rule says.
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "plain",
                "policy",
                "plan",
                "--explain",
                "web:1.0.2",
            ],
        )
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("releases  14  DELETE: beyond keep_n"),
        "{text}"
    );
    assert!(
        text.contains("feature branches  8  does not select it: its tags do not match"),
        "{text}"
    );

    // --max-delete refuses a larger plan; nothing is deleted.
    let out = sandbox
        .run(
            &url,
            &[
                "policy",
                "apply",
                "--plan-file",
                "plan.json",
                "--max-delete",
                "3",
                "--yes",
            ],
        )
        .code(9);
    assert!(
        stderr(&out).contains("more than --max-delete 3"),
        "{}",
        stderr(&out)
    );
    // Refused first: no plan printed ahead of the refusal.
    assert_eq!(stdout(&out), "", "the plan was printed before refusing");
    assert!(manifest_exists(&url, "web", &pushed["web:1.0.1"].digest));

    // The registry drifts: a newer 1.0 release would make the plan delete 1.0.3 too.
    let newer = registry.seeder().image(
        "web",
        Some("1.0.4"),
        &image("web 1.0.4", "2026-01-02T00:00:00Z"),
    );
    let out = sandbox
        .run(
            &url,
            &[
                "--refresh",
                "policy",
                "apply",
                "--plan-file",
                "plan.json",
                "--yes",
            ],
        )
        .code(8);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("not what the plan file was made from"),
        "{err}"
    );
    assert!(
        err.contains(&pushed["web:1.0.3"].digest),
        "the difference is shown: {err}"
    );
    assert!(manifest_exists(&url, "web", &pushed["web:1.0.1"].digest));

    // A new plan, reviewed, applied: the report says what went and what stayed.
    sandbox
        .run(&url, &["policy", "plan", "--out", "plan.json"])
        .success();
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "json",
                "policy",
                "apply",
                "--plan-file",
                "plan.json",
                "--yes",
            ],
        )
        .success();
    let documents = json_documents(&stdout(&out));
    let final_report = documents.last().unwrap();
    let deleted: Vec<String> = final_report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "deleted")
        .map(|r| r["digest"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(deleted.len(), 7, "{final_report:#}");
    let kept: Vec<&str> = final_report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["tag"].as_str().unwrap())
        .collect();
    assert!(
        kept.contains(&"latest") && kept.contains(&"0.9.0"),
        "{kept:?}"
    );

    let after = live_tags(&sandbox, &url);
    assert_eq!(
        tag_names(&after, "web"),
        [
            "1.0.0",
            "1.0.4",
            "1.1.1",
            "1.1.1-alpine",
            "2.0.0",
            "feature-new",
            "latest"
        ]
    );
    assert_eq!(tag_names(&after, "worker"), ["0.9.0", "1.0.1"]);
    assert_eq!(tag_names(&after, "base"), ["stable"]);
    for digest in &deleted {
        assert!(!manifest_exists(&url, "web", digest) && !manifest_exists(&url, "worker", digest));
    }
    assert!(manifest_exists(&url, "web", &newer.digest));
    // The undo works as for every removal.
    sandbox.run(&url, &["restore"]).success();
    assert_eq!(
        tag_names(&live_tags(&sandbox, &url), "worker"),
        ["0.9.0", "1.0.0", "1.0.1"]
    );
}

#[test]
fn policy_mistakes_are_one_line_errors_naming_file_line_and_key() {
    let sandbox = Sandbox::new();
    let home = sandbox.home.path();
    let url = "http://127.0.0.1:9";
    for (text, expected) in [
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntag = [\"1.0\"]\n",
            "regsweep.toml:5: unknown field `tag`",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags_regex = [\"(\"]\n",
            "regsweep.toml:5: tags_regex",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\nkeep_by = \"version\"\ntags = [\"a\"]\n",
            "keep_by: only means something with keep_n",
        ),
    ] {
        std::fs::write(home.join("regsweep.toml"), text).unwrap();
        let out = sandbox.run(url, &["policy", "plan"]).code(2);
        let err = stderr(&out);
        assert_clean_error(&err);
        assert!(err.contains(expected), "{err}");
    }
    std::fs::write(
        home.join("regsweep.toml"),
        "version = 1\n[protect]\nreferences = [\"k8s.yaml\"]\n",
    )
    .unwrap();
    std::fs::write(
        home.join("k8s.yaml"),
        "containers:\n  - image: web:${TAG}\n",
    )
    .unwrap();
    let out = sandbox.run(url, &["policy", "plan"]).code(2);
    assert!(
        stderr(&out).contains("k8s.yaml:2: \"web:${TAG}\" is not a plain image reference"),
        "{}",
        stderr(&out)
    );

    // A policy file that is not there is named with the system's reason, and how to start one.
    let out = sandbox
        .run(url, &["policy", "plan", "--policy", "missing.toml"])
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("error: cannot read missing.toml: No such file or directory")
            && err.contains("hint: `regsweep policy init --policy missing.toml` writes an example"),
        "{err}"
    );

    // init writes the example, which reads, and never overwrites.
    std::fs::remove_file(home.join("regsweep.toml")).unwrap();
    sandbox.cmd().args(["policy", "init"]).assert().success();
    let out = sandbox.cmd().args(["policy", "init"]).assert().code(2);
    assert!(stderr(&out).contains("exists"), "{}", stderr(&out));
    let written = std::fs::read_to_string(home.join("regsweep.toml")).unwrap();
    assert!(written.contains("[[rule]]"));
}

#[test]
fn serve_applies_a_scheduled_policy_and_logs_the_report() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let old = seeder.image(
        "web",
        Some("feature-old"),
        &image("old branch", "2026-01-01T00:00:00Z"),
    );
    let release = seeder.image(
        "web",
        Some("1.0"),
        &image("release", "2026-01-01T00:00:00Z"),
    );
    let url = registry.url();
    let sandbox = Sandbox::new();
    let home = sandbox.home.path();
    let policy = home.join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[[rule]]\nname = \"branches\"\nrepositories = [\"**\"]\n\
         tags_regex = [\"^feature-\"]\nolder_than = \"30d\"\n",
    )
    .unwrap();
    let config = home.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "no_auth = true\n[schedule]\npolicy = {:?}\nevery = \"1s\"\nmax_delete = 10\n",
            policy.display().to_string()
        ),
    )
    .unwrap();
    let service = Service::start(&sandbox, &url, &["--config", config.to_str().unwrap()]);
    service.wait_until(
        std::time::Duration::from_secs(60),
        "the scheduled policy deleted the old branch",
        |_| !manifest_exists(&url, "web", &old.digest),
    );
    service.wait_until(
        std::time::Duration::from_secs(30),
        "the run's summary is logged",
        |s| s.log().contains("1 tags deleted (1 manifests)"),
    );
    assert!(manifest_exists(&url, "web", &release.digest));
    let log = service.log();
    assert!(log.contains("scheduled policy"), "{log}");
    assert!(!log.contains("failed"), "{log}");
    assert!(service.stop().success());
    // Its journal is the same undo as any removal's.
    assert_eq!(journals(&sandbox).len(), 1);

    // A policy with a mistake stops the start, not a run at night.
    std::fs::write(&policy, "version = 1\nbogus = 1\n").unwrap();
    let out = sandbox
        .run(
            &url,
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--config",
                config.to_str().unwrap(),
            ],
        )
        .code(2);
    assert!(
        stderr(&out).contains("policy.toml:2: unknown field `bogus`"),
        "{}",
        stderr(&out)
    );
}
