//! GitLab users first-class: repositories found through GitLab's API (a scripted stand-in, since
//! GitLab cannot run here; see `common/gitlab.rs`) and read, selected and removed through the real
//! Distribution registry behind the test token server, which takes the GitLab token as GitLab's
//! `/jwt/auth` does.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::gitlab::{FULL_TOKEN, FakeGitlab, REGISTRY_ONLY_TOKEN, Repo, TagDetails};
use crate::common::seed::{Image, Kind, Pushed};
use crate::common::token::TokenServer;
use crate::common::*;

/// The deploy token's user: pull only.
const DEPLOY_USER: &str = "deployer";
const DEPLOY_TOKEN: &str = "gldt-deploy-token";

struct Setup {
    registry: TestRegistry,
    tokens: TokenServer,
    gitlab: FakeGitlab,
    pushed: BTreeMap<&'static str, Pushed>,
}

/// team/app (1.0, 1.1, 2.0) and team/app/worker (1.0) in project team/app; team/sub/lib (0.1) in
/// project team/sub/lib of subgroup 20 of group team; other/thing outside every scope. GitLab knows
/// team/app:1.0's details (created 2025-01-01, unlike its config's 2026-01-01).
fn setup(sandbox: &Sandbox) -> Setup {
    let mut registry = TestRegistry::start();
    let seeder = registry.seeder();
    let mut pushed = BTreeMap::new();
    for (name, repo, tag) in [
        ("app:1.0", "team/app", "1.0"),
        ("app:1.1", "team/app", "1.1"),
        ("app:2.0", "team/app", "2.0"),
        ("worker:1.0", "team/app/worker", "1.0"),
        ("lib:0.1", "team/sub/lib", "0.1"),
        ("thing:1", "other/thing", "1"),
    ] {
        pushed.insert(
            name,
            seeder.image(repo, Some(tag), &Image::new(Kind::Oci, name)),
        );
    }
    let tokens = TokenServer::start(
        sandbox.home.path(),
        &[("regsweep", FULL_TOKEN), (DEPLOY_USER, DEPLOY_TOKEN)],
        &[],
        |user, kind, _name| match (user, kind) {
            (Some("regsweep"), "repository") => {
                vec!["pull".into(), "push".into(), "delete".into()]
            }
            (Some(DEPLOY_USER), "repository") => vec!["pull".into()],
            (Some("regsweep"), "registry") => vec!["*".into()],
            _ => Vec::new(),
        },
    );
    registry.reconfigure(&RegistryOptions {
        token: Some(tokens.auth()),
        ..RegistryOptions::default()
    });
    let host = registry.url().trim_start_matches("http://").to_owned();
    let repos = vec![
        Repo {
            id: 1,
            project_id: 10,
            project: "team/app",
            path: "team/app",
        },
        Repo {
            id: 2,
            project_id: 10,
            project: "team/app",
            path: "team/app/worker",
        },
        Repo {
            id: 3,
            project_id: 30,
            project: "team/sub/lib",
            path: "team/sub/lib",
        },
        Repo {
            id: 4,
            project_id: 40,
            project: "other/thing",
            path: "other/thing",
        },
    ];
    let groups = BTreeMap::from([
        ("team".to_owned(), (vec!["team/app"], vec![20])),
        ("20".to_owned(), (vec!["team/sub/lib"], vec![])),
    ]);
    let tags = BTreeMap::from([(
        (1, "1.0".to_owned()),
        TagDetails {
            digest: pushed["app:1.0"].digest.clone(),
            created_at: "2025-01-01T00:00:00.000Z",
            total_size: 4242,
        },
    )]);
    let gitlab = FakeGitlab::start(&host, repos, groups, tags);
    Setup {
        registry,
        tokens,
        gitlab,
        pushed,
    }
}

/// `regsweep --gitlab URL ARGS` with GITLAB_TOKEN set (no --registry: GitLab names it).
fn gitlab_run(
    sandbox: &Sandbox,
    gitlab: &str,
    token: &str,
    args: &[&str],
) -> assert_cmd::assert::Assert {
    sandbox
        .cmd()
        .env("GITLAB_TOKEN", token)
        .args(["--gitlab", gitlab])
        .args(args)
        .assert()
}

fn rows(out: &assert_cmd::assert::Assert) -> Vec<Value> {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn a_project_and_a_group_are_found_through_gitlab_and_read_through_the_registry() {
    let sandbox = Sandbox::new();
    let s = setup(&sandbox);
    let gitlab = s.gitlab.url();

    let out = gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[
            "--project",
            "team/app",
            "--format",
            "json",
            "list-tag-names",
        ],
    )
    .success();
    let names: Vec<String> = rows(&out)
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["repository"].as_str().unwrap(),
                r["tag"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "team/app:1.0",
            "team/app:1.1",
            "team/app:2.0",
            "team/app/worker:1.0"
        ]
    );
    assert!(
        stderr(&out).contains(&format!("the registry is {}", s.registry.url())),
        "{}",
        stderr(&out)
    );
    // GitLab got the token as PRIVATE-TOKEN, paged by X-Next-Page; it never saw it in a URL.
    let requests = s.gitlab.server.requests();
    assert!(
        requests.iter().any(|r| r.target.contains("page=2")),
        "{requests:?}"
    );
    assert!(requests.iter().all(|r| !r.target.contains(FULL_TOKEN)));
    assert!(
        s.tokens
            .server
            .requests()
            .iter()
            .any(|r| r.header("authorization").is_some())
    );

    // A group reaches its subgroups' projects (Link pagination); the project-scoped cache is not
    // taken for the group's view.
    let out = gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &["--group", "team", "--format", "json", "list-repo-names"],
    )
    .success();
    let repos: Vec<String> = rows(&out)
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        repos,
        ["team/app", "team/app/worker", "team/sub/lib"],
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("the cache holds the repositories of gitlab"),
        "{}",
        stderr(&out)
    );
    assert!(
        s.gitlab
            .server
            .requests()
            .iter()
            .any(|r| r.target.contains("descendant_groups") && r.target.contains("page=2"))
    );

    let login = ["-u", "regsweep", "-p", FULL_TOKEN];
    let out = sandbox
        .run(
            &s.registry.url(),
            &[&login[..], &["--format", "plain", "cache", "info"]].concat(),
        )
        .success();
    assert!(
        stdout(&out).contains("scope: gitlab 127.0.0.1"),
        "{}",
        stdout(&out)
    );

    // Nor is a GitLab-scoped cache the whole registry: a plain run re-reads through the catalog.
    let out = sandbox
        .run(
            &s.registry.url(),
            &[&login[..], &["list-repo-names"]].concat(),
        )
        .success();
    assert!(stdout(&out).contains("other/thing"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("not the whole registry"),
        "{}",
        stderr(&out)
    );

    // The token `docker login` stored for the registry serves GitLab's API too.
    let host = s.registry.url().trim_start_matches("http://").to_owned();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("regsweep:{FULL_TOKEN}"));
    let docker = Sandbox::new();
    docker.docker_config(&serde_json::json!({ "auths": { host: { "auth": auth } } }));
    let out = docker
        .cmd()
        .args([
            "--gitlab",
            &gitlab,
            "--project",
            "team/app",
            "--registry",
            &s.registry.url(),
        ])
        .args(["-c", "None", "list-tag-names", "team/app/worker"])
        .assert()
        .success();
    assert!(stdout(&out).contains("team/app/worker"), "{}", stdout(&out));

    // A repository outside the scope is named as such.
    let out = gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[
            "--project",
            "team/app",
            "-c",
            "None",
            "list-tag-names",
            "other/thing",
        ],
    )
    .code(2);
    assert!(
        stderr(&out).contains("repository other/thing is not in gitlab"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn gitlab_tag_details_stand_in_for_configs_and_removal_is_the_usual_one() {
    let sandbox = Sandbox::new();
    let s = setup(&sandbox);
    let gitlab = s.gitlab.url();
    let project = ["--project", "team/app"];

    // GitLab says 1.0 was built in 2025 (its config says 2026-01-01): only GitLab's date is older
    // than 400 days.
    let out = gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[
            &project[..],
            &[
                "--format",
                "json",
                "query-tags",
                "-r",
                "team/app",
                "--older-than",
                "400d",
            ],
        ]
        .concat(),
    )
    .success();
    let selected: Vec<String> = rows(&out)
        .iter()
        .flat_map(|r| {
            r["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(selected, ["1.0"], "{}", stdout(&out));
    let out = gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[&project[..], &["--format", "json", "cache", "info"]].concat(),
    )
    .success();
    let info: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["created_from_gitlab"], 1, "{info:#}");
    assert!(
        info["created_from_configs"].as_u64().unwrap() >= 2,
        "the others from their configs: {info:#}"
    );

    // A deploy token that may only pull: the deletion is refused and nothing is deleted.
    let out = sandbox
        .cmd()
        .env("GITLAB_TOKEN", FULL_TOKEN)
        .args([
            "--gitlab",
            &gitlab,
            "--project",
            "team/app",
            "-u",
            DEPLOY_USER,
            "-p",
            DEPLOY_TOKEN,
        ])
        .args(["remove-tags", "-r", "team/app", "-t", "1.1", "--yes"])
        .assert()
        .code(4);
    assert_clean_error(&stderr(&out));
    assert!(
        stderr(&out).contains("not allowed: delete"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: GitLab grants delete only to"),
        "{}",
        stderr(&out)
    );
    assert!(manifest_exists_with(
        &s,
        "team/app",
        &s.pushed["app:1.1"].digest
    ));

    // The project's token deletes, with the usual plan, journal and restore.
    gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[
            &project[..],
            &["remove-tags", "-r", "team/app", "-t", "1.1", "--yes"],
        ]
        .concat(),
    )
    .success();
    assert!(!manifest_exists_with(
        &s,
        "team/app",
        &s.pushed["app:1.1"].digest
    ));
    gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[&project[..], &["restore"]].concat(),
    )
    .success();
    assert!(manifest_exists_with(
        &s,
        "team/app",
        &s.pushed["app:1.1"].digest
    ));

    // A policy over the project's repositories: planned and re-checked through GitLab's listing,
    // never the catalog GitLab refuses.
    std::fs::write(
        sandbox.home.path().join("regsweep.toml"),
        r#"version = 1
[[rule]]
name = "twos"
repositories = ["team/**"]
tags_regex = ["^2\\."]
"#,
    )
    .unwrap();
    let apply = [&project[..], &["policy", "apply", "--yes"]].concat();
    gitlab_run(&sandbox, &gitlab, FULL_TOKEN, &apply).success();
    assert!(!manifest_exists_with(
        &s,
        "team/app",
        &s.pushed["app:2.0"].digest
    ));
    assert!(manifest_exists_with(
        &s,
        "team/app",
        &s.pushed["app:1.0"].digest
    ));
    assert_eq!(
        s.tokens.requests_for("registry:catalog:*"),
        0,
        "a GitLab run never asks for the catalog"
    );
}

#[test]
fn tokens_gitlab_refuses_are_named_with_what_they_lack_and_debug_logs_every_call() {
    let sandbox = Sandbox::new();
    let s = setup(&sandbox);
    let gitlab = s.gitlab.url();

    let out = gitlab_run(
        &sandbox,
        &gitlab,
        REGISTRY_ONLY_TOKEN,
        &["--project", "team/app", "list-tag-names"],
    )
    .code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("the token lacks the scope api or read_api"),
        "{err}"
    );
    assert!(
        err.contains("hint: create a token with the api or read_api scope"),
        "{err}"
    );
    assert!(!err.contains(REGISTRY_ONLY_TOKEN));

    let out = gitlab_run(
        &sandbox,
        &gitlab,
        "glpat-revoked",
        &["--project", "team/app", "list-tag-names"],
    )
    .code(4);
    assert!(
        stderr(&out).contains("GitLab refused listing registry repositories (401"),
        "{}",
        stderr(&out)
    );

    // The token from standard input, with no GITLAB_TOKEN at all.
    let out = sandbox
        .cmd()
        .args([
            "--gitlab",
            &gitlab,
            "--project",
            "team/app",
            "--gitlab-token-stdin",
        ])
        .args(["-c", "None", "list-tag-names", "team/app/worker"])
        .write_stdin(format!("{FULL_TOKEN}\n"))
        .assert()
        .success();
    assert!(stdout(&out).contains("team/app/worker"), "{}", stdout(&out));

    // --log-level debug: every call, GitLab's and the registry's and the token server's, with its
    // status, bytes and time; never the token.
    let out = gitlab_run(
        &sandbox,
        &gitlab,
        FULL_TOKEN,
        &[
            "--project",
            "team/app",
            "-c",
            "None",
            "--log-level",
            "debug",
            "list-tag-names",
        ],
    )
    .success();
    let log = stderr(&out);
    let calls: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" call") && l.contains("ms="))
        .collect();
    assert!(
        calls
            .iter()
            .any(|l| l.contains("/api/v4/projects/team%2Fapp/registry/repositories")),
        "{log}"
    );
    assert!(
        calls
            .iter()
            .any(|l| l.contains("/v2/team/app/tags/list") && l.contains("status=200")),
        "{log}"
    );
    assert!(
        calls
            .iter()
            .any(|l| l.contains("token call") && l.contains("bytes=")),
        "{log}"
    );
    assert!(!log.contains(FULL_TOKEN), "{log}");
}

/// Whether the registry has a manifest, asked with the full token (the registry wants a login).
fn manifest_exists_with(s: &Setup, repo: &str, digest: &str) -> bool {
    let sandbox = Sandbox::new();
    let out = sandbox
        .cmd()
        .args([
            "--registry",
            &s.registry.url(),
            "-u",
            "regsweep",
            "-p",
            FULL_TOKEN,
            "-c",
            "None",
            "--format",
            "json",
            "list-tag-names",
            repo,
        ])
        .assert()
        .success();
    stdout(&out).contains(digest)
}

#[test]
fn repositories_on_another_registry_are_named_where_they_live() {
    let sandbox = Sandbox::new();
    let s = setup(&sandbox);
    // GitLab's locations name 127.0.0.1:PORT; the run's registry is the same server as localhost.
    let here = s.registry.url().replace("127.0.0.1", "localhost");
    let there = s.registry.url().trim_start_matches("http://").to_owned();
    let out = gitlab_run(
        &sandbox,
        &s.gitlab.url(),
        FULL_TOKEN,
        &["-reg", &here, "--project", "team/app", "list-repo-names"],
    )
    .success();
    assert_stderr_has(
        &out,
        &format!(
            "warning: 2 repositories GitLab lists are on other registries than {}, so they are \
             left out: {there}/team/app and {there}/team/app/worker",
            here.trim_start_matches("http://")
        ),
    );
    assert_eq!(stdout(&out), "");
}
