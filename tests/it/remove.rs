//! remove-repos, remove-tags, restore and journal list against a real registry: dregutil's scenarios,
//! shared digests, drift, deletion disabled, confirmation (no terminal, a pseudo-terminal, --dry-run),
//! multi-arch indexes, the journal, restore, and Ctrl-C half-way.

use std::time::{Duration, Instant};

use crate::common::scripted::{Reply, Scripted};
use crate::common::seed::{self, Image, Kind};
use crate::common::{
    RegistryOptions, Sandbox, TestRegistry, assert_clean_error, assert_drift, assert_stderr_has,
    assert_stdout_has, journals, live_tags, manifest_exists, stderr, stdout, tag_names,
};
use serde_json::Value;

#[test]
fn dregutil_scenarios_delete_exactly_the_selection() {
    let registry = TestRegistry::start();
    let digests = seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);

    let out = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "a", "-t", "<1.2.0", "latest", "--yes"],
        )
        .success();
    assert_stdout_has(&out, &format!("a  {}", digests["A1"]));
    assert_stderr_has(&out, "1 manifest (2 tags) from 1 repository");
    assert!(stderr(&out).contains("garbage-collect"), "{}", stderr(&out));
    let after = live_tags(&sandbox, &url);
    assert_eq!(tag_names(&after, "a"), ["1.2.0", "extra", "testing"]);
    assert_eq!(after["b"], before["b"]);
    assert_eq!(after["c"], before["c"]);
    assert!(!manifest_exists(&url, "a", &digests["A1"]));

    // b alone shares BC with c: refused, nothing deleted.
    let out = sandbox
        .run(&url, &["remove-repos", "-r", "b", "--yes"])
        .code(7);
    assert_clean_error(&stderr(&out));
    assert_eq!(live_tags(&sandbox, &url), after);
}

#[test]
fn a_digest_shared_by_two_selected_repositories_goes_from_both() {
    let registry = TestRegistry::start();
    let digests = seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    let out = sandbox
        .run(&url, &["--count", "remove-repos", "-r", "b", "c", "-y"])
        .success();
    assert_stdout_has(&out, "Number of removed digests: 3");
    let after = live_tags(&sandbox, &url);
    assert!(
        !after.contains_key("b") && !after.contains_key("c"),
        "{after:?}"
    );
    assert_eq!(tag_names(&after, "a").len(), 5);
    for repo in ["b", "c"] {
        assert!(
            !manifest_exists(&url, repo, &digests["BC"]),
            "BC left in {repo}"
        );
    }
    // The cache followed: a query from it no longer sees b or c.
    let out = sandbox.run(&url, &["list-repo-names"]).success();
    assert_eq!(stdout(&out), "a\n");
}

#[test]
fn drift_between_the_cache_and_the_registry_deletes_nothing() {
    let registry = TestRegistry::start();
    let digests = seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    // Another client tags A1 again after the cache was filled: deleting A1 would now take "hotfix".
    registry.seeder().retag("a", "1.1.0", "hotfix");
    let before = live_tags(&sandbox, &url);
    let out = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "a", "-t", "<1.2.0", "latest", "--yes"],
        )
        .code(8);
    assert_drift(
        &stderr(&out),
        &format!("- a@{} (1.1.0, latest)", digests["A1"]),
    );
    assert_eq!(live_tags(&sandbox, &url), before, "something was deleted");
    assert!(journals(&sandbox).is_empty(), "no journal before a delete");
    // The cache was updated: the next plan is made from what the registry holds now.
    let out = sandbox
        .run(
            &url,
            &[
                "remove-tags",
                "-r",
                "a",
                "-t",
                "<1.2.0",
                "latest",
                "--dry-run",
            ],
        )
        .success();
    assert_stderr_has(&out, "nothing to delete");
}

#[test]
fn deletion_disabled_is_explained_and_touches_nothing() {
    let registry = TestRegistry::start_with(&RegistryOptions {
        delete_enabled: false,
        ..RegistryOptions::default()
    });
    seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);
    let out = sandbox
        .run(&url, &["remove-repos", "-r", "a", "--yes"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("the registry has deletion disabled (nothing was deleted)"),
        "{err}"
    );
    assert!(
        err.contains("(405)") && err.contains("REGISTRY_STORAGE_DELETE_ENABLED=true"),
        "{err}"
    );
    assert_eq!(live_tags(&sandbox, &url), before);
}

#[test]
fn without_a_terminal_or_yes_nothing_is_deleted_and_dry_run_only_shows() {
    let registry = TestRegistry::start();
    let digests = seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);
    let out = sandbox.run(&url, &["remove-repos", "-r", "a"]).code(9);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("standard input is not a terminal") && err.contains("--yes"),
        "{err}"
    );

    let out = sandbox
        .run(
            &url,
            &["--format", "json", "remove-repos", "-r", "a", "--dry-run"],
        )
        .success();
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let planned: Vec<&str> = plan["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap())
        .collect();
    assert_eq!(planned, [digests["A1"].as_str(), digests["A2"].as_str()]);
    assert!(stderr(&out).contains("dry run: nothing was deleted"));
    assert_eq!(live_tags(&sandbox, &url), before);
    assert!(journals(&sandbox).is_empty());
}

#[test]
fn the_prompt_in_a_terminal_deletes_only_on_yes() {
    let registry = TestRegistry::start();
    seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);
    for (answer, code) in [("n", 9), ("", 9), ("yes please", 9), ("y", 0)] {
        let mut cmd = sandbox.std_cmd();
        cmd.args([
            "-reg",
            &url,
            "remove-tags",
            "-r",
            "a",
            "-t",
            "<1.2.0",
            "latest",
        ]);
        let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
        session
            .exp_string("Delete 1 manifest (2 tags) from 1 repository? [y/N]")
            .unwrap();
        session.send_line(answer).unwrap();
        session.exp_eof().unwrap();
        let status = session.process().wait().unwrap();
        assert!(
            matches!(status, rexpect::process::WaitStatus::Exited(_, c) if c == code),
            "{answer:?}: {status:?}"
        );
        if code != 0 {
            assert_eq!(
                live_tags(&sandbox, &url),
                before,
                "{answer:?} deleted something"
            );
        }
    }
    assert_eq!(
        tag_names(&live_tags(&sandbox, &url), "a"),
        ["1.2.0", "extra", "testing"]
    );
}

#[test]
fn multi_arch_children_go_with_their_index_unless_a_kept_index_needs_them() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let url = registry.url();
    let amd = Image::new(Kind::Oci, "amd");
    let arm = Image::new(Kind::Oci, "arm").platform("linux", "arm64");
    let arm_v7 = Image::new(Kind::Oci, "arm v7").platform("linux", "arm");
    // 1.0 = [amd, arm], 2.0 = [arm, armv7]: arm is shared with the kept 2.0.
    let (old, old_children) = seeder.index("multi", "1.0", Kind::Oci, &[amd, arm.clone()]);
    let (new, new_children) = seeder.index("multi", "2.0", Kind::Oci, &[arm, arm_v7]);
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "table",
                "remove-tags",
                "-r",
                "multi",
                "-t",
                "1.0",
                "--dry-run",
            ],
        )
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("└ linux/amd64") && !text.contains("└ linux/arm64"),
        "{text}"
    );
    assert_stderr_has(&out, "2 manifests (1 tag) from 1 repository");

    sandbox
        .run(&url, &["remove-tags", "-r", "multi", "-t", "1.0", "--yes"])
        .success();
    assert!(!manifest_exists(&url, "multi", &old.digest));
    assert!(
        !manifest_exists(&url, "multi", &old_children[0].digest),
        "amd child left"
    );
    assert!(
        manifest_exists(&url, "multi", &old_children[1].digest),
        "shared child deleted"
    );
    assert!(manifest_exists(&url, "multi", &new.digest));
    for child in &new_children {
        assert!(manifest_exists(&url, "multi", &child.digest));
    }

    // A child tagged on its own is never deleted while a kept index references it.
    seeder.retag("multi", &new_children[0].digest, "arm-only");
    let out = sandbox
        .run(
            &url,
            &[
                "--refresh",
                "remove-tags",
                "-r",
                "multi",
                "-t",
                "arm-only",
                "--yes",
            ],
        )
        .success();
    assert!(stderr(&out).contains("the kept index"), "{}", stderr(&out));
    assert_stderr_has(&out, "nothing to delete");
    assert!(manifest_exists(&url, "multi", &new_children[0].digest));
}

#[test]
fn restore_brings_back_the_same_digests_and_journal_list_shows_it() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);
    sandbox
        .run(
            &url,
            &[
                "remove-tags",
                "-r",
                "app",
                "multi",
                "oci/multi",
                "-re",
                ".*",
                "--yes",
            ],
        )
        .success();
    let removed = live_tags(&sandbox, &url);
    assert!(
        !removed.contains_key("app") && !removed.contains_key("multi"),
        "{removed:?}"
    );

    let out = sandbox
        .run(&url, &["--format", "json", "journal", "list"])
        .success();
    let list: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["command"], "remove-tags");
    assert_eq!(list[0]["tags"], 9);
    assert_eq!(list[0]["deleted"], list[0]["manifests"]);

    // Someone pushes a new app:latest meanwhile: restore leaves that tag alone.
    let newer = registry.seeder().image(
        "app",
        Some("latest"),
        &Image::new(Kind::Docker, "newer latest"),
    );
    let out = sandbox.run(&url, &["restore"]).success();
    assert!(stdout(&out).contains("left alone"), "{}", stdout(&out));
    let mut expected = before.clone();
    expected
        .get_mut("app")
        .unwrap()
        .insert("latest".into(), newer.digest.clone());
    assert_eq!(live_tags(&sandbox, &url), expected);
    // The cache follows the restore.
    let out = sandbox.run(&url, &["list-tag-names", "multi"]).success();
    assert_eq!(stdout(&out), "multi  1.0\n");
    let journal: Value =
        serde_json::from_slice(&std::fs::read(&journals(&sandbox)[0]).unwrap()).unwrap();
    assert!(!journal.to_string().contains("password"));
}

#[test]
fn restore_limited_to_repositories_and_errors() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let out = sandbox.run(&url, &["restore"]).code(6);
    assert!(stderr(&out).contains("no journal for"), "{}", stderr(&out));
    sandbox
        .run(
            &url,
            &["remove-repos", "-r", "team-a/web", "team-a/worker", "--yes"],
        )
        .success();
    sandbox
        .run(&url, &["restore", "-r", "team-a/web"])
        .success();
    let tags = live_tags(&sandbox, &url);
    assert!(
        tags.contains_key("team-a/web") && !tags.contains_key("team-a/worker"),
        "{tags:?}"
    );
    let other = TestRegistry::start();
    let journal = journals(&sandbox)[0].clone();
    let out = sandbox
        .run(&other.url(), &["restore", journal.to_str().unwrap()])
        .code(2);
    assert!(stderr(&out).contains("is of registry"), "{}", stderr(&out));
}

#[test]
fn ctrl_c_half_way_leaves_a_journal_that_restore_accepts() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("many", 1, 30, 4);
    let proxy = Scripted::slow_delete_proxy(&registry.url(), Duration::from_millis(150));
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let before = live_tags(&sandbox, &url);
    assert_eq!(before["many-000"].len(), 30);

    let mut cmd = sandbox.std_cmd();
    cmd.args([
        "-reg",
        &url,
        "--concurrency",
        "2",
        "remove-tags",
        "-r",
        "many-000",
        "-re",
        ".*",
        "--yes",
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !proxy.requests().iter().any(|r| r.method == "DELETE") {
        assert!(Instant::now() < deadline, "no DELETE reached the registry");
        std::thread::sleep(Duration::from_millis(20));
    }
    crate::common::signal(child.id(), "INT");
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted:") && err.contains("not attempted"),
        "{err}"
    );

    let journal: Value =
        serde_json::from_slice(&std::fs::read(&journals(&sandbox)[0]).unwrap()).unwrap();
    let statuses: Vec<&str> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"deleted") && statuses.contains(&"pending"),
        "{statuses:?}"
    );
    assert!(
        live_tags(&sandbox, &url)
            .get("many-000")
            .is_none_or(|t| t.len() < 30)
    );

    sandbox.run(&url, &["restore"]).success();
    assert_eq!(live_tags(&sandbox, &url), before);
}

#[test]
fn after_garbage_collection_restore_says_what_cannot_come_back() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox
        .run(
            &url,
            &["remove-tags", "-r", "oci/app", "-t", "1.0", "--yes"],
        )
        .success();
    registry.garbage_collect();
    let out = sandbox
        .run(&url, &["--format", "plain", "restore"])
        .code(10);
    let text = stdout(&out);
    assert!(
        text.contains(
            "cannot be restored: a blob it needs is gone (the registry's garbage collection ran)"
        ),
        "{text}"
    );
    assert_stderr_has(&out, "1 of 1 manifests could not be restored");
}

#[test]
fn a_refused_delete_stops_the_rest_and_names_the_missing_permission() {
    let registry = TestRegistry::start();
    seed::dregutil_abc(&registry.seeder());
    let proxy = Scripted::proxy(&registry.url(), |req| {
        (req.method == "DELETE").then(|| {
            Reply::json(
                403,
                r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
            )
        })
    });
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let before = live_tags(&sandbox, &url);
    let out = sandbox
        .run(
            &url,
            &["--concurrency", "1", "remove-repos", "-r", "a", "--yes"],
        )
        .code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("the credentials lack the delete permission on a (repository:a:delete); nothing was deleted"),
        "{err}"
    );
    assert!(
        err.contains("DENIED: requested access to the resource is denied"),
        "{err}"
    );
    let deletes = proxy
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 1, "deleting went on after a 403");
    assert_eq!(live_tags(&sandbox, &url), before);
    // The journal records that nothing was deleted.
    let journal: Value =
        serde_json::from_slice(&std::fs::read(&journals(&sandbox)[0]).unwrap()).unwrap();
    let statuses: Vec<&str> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "pending"]);
}

/// The live re-check reads only the selected repositories; where a digest new to them is tagged
/// elsewhere still comes from the cache, so the reverse check holds.
#[test]
fn the_re_check_knows_where_a_new_digest_is_tagged_elsewhere() {
    let registry = TestRegistry::start();
    let digests = seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    // After the cache was read, someone pushes b's image into a too (the same bytes, so BC).
    let pushed = registry.seeder().image(
        "a",
        Some("from-b"),
        &Image::new(Kind::Docker, "dregutil BC"),
    );
    assert_eq!(pushed.digest, digests["BC"]);
    let before = live_tags(&sandbox, &url);
    let out = sandbox
        .run(&url, &["remove-repos", "-r", "a", "--yes"])
        .code(8);
    let err = stderr(&out);
    assert!(
        err.contains("the selection no longer holds") && err.contains(&digests["BC"]),
        "{err}"
    );
    assert!(err.contains("outside the selection: b, c"), "{err}");
    assert_eq!(live_tags(&sandbox, &url), before, "something was deleted");
}

/// A removal's plan lists its manifests by repository and version, as `policy plan` and
/// `list-tag-names` do (it was ordered by digest), in tables and in dregutil's plain lines.
#[test]
fn a_plan_is_listed_in_version_order() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let listed = sandbox
        .run(&url, &["--format", "json", "list-tag-names", "app"])
        .success();
    let tags: Vec<Value> = serde_json::from_str(&stdout(&listed)).unwrap();
    let tag_of = |digest: &str| {
        tags.iter()
            .find(|t| t["digest"] == digest)
            .map(|t| t["tag"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let out = sandbox
        .run(&url, &["remove-tags", "-r", "app", "-t", "<2", "--dry-run"])
        .success();
    let order: Vec<String> = stdout(&out)
        .lines()
        .map(|l| tag_of(l.split_whitespace().nth(1).unwrap()))
        .collect();
    assert_eq!(order, ["1.2", "1.3-alpine", "v1.3.9", "1.9"]);
}
