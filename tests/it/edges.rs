//! The main job at its edges, as an operator meets them in a maintenance window: a reader that goes
//! away (stdout or stderr closed before, during and after the deletes), Ctrl-C at the prompt, during
//! the re-check and twice with deletes in flight. Each run's exit code must be a documented one, and
//! the journal, the cache and the report must agree with what the registry did.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::common::scripted::Scripted;
use crate::common::seed::{Image, Kind};
use crate::common::{
    Sandbox, TestRegistry, assert_clean_error, assert_stderr_has, assert_stdout_has, drain,
    eventually, exit_code, hold_until, journal_statuses, journals, live_tags, signal, stderr,
    stdout, tag_names,
};

/// Every tag as the cache holds it (no request to the registry): repository -> tags.
fn cached_tags(sandbox: &Sandbox, url: &str) -> Vec<(String, String)> {
    let out = sandbox
        .run(url, &["--format", "json", "list-tag-names", "--all-tags"])
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let mut tags: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["repository"].as_str().unwrap().to_owned(),
                r["tag"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    tags.sort();
    tags
}

fn live_pairs(sandbox: &Sandbox, url: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = live_tags(sandbox, url)
        .into_iter()
        .flat_map(|(repo, tags)| tags.into_keys().map(move |t| (repo.clone(), t)))
        .collect();
    pairs.sort();
    pairs
}

/// A pipe nobody reads: its reading end is closed before regsweep starts.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn a_reader_gone_before_deleting_begins_means_nothing_is_deleted() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("gone", 1, 40, 4);
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);
    let args = ["-reg", &url, "remove-repos", "-r", "gone-000", "--yes"];

    // stdout closed (`--yes | head -1` with a plan longer than the pipe holds).
    let output = sandbox
        .std_cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(9), "{err}");
    assert!(
        err.contains("standard output was closed before deleting began")
            && err.contains("nothing was deleted"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // stderr closed: nothing to say it on, so the exit code says it.
    let output = sandbox
        .std_cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(9));
    assert_eq!(live_tags(&sandbox, &url), before, "something was deleted");
    assert!(journals(&sandbox).is_empty(), "a journal of nothing done");
}

#[test]
fn a_reader_gone_during_the_deletes_lets_them_finish_and_the_records_agree() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("late", 2, 12, 4);
    let proxy = Scripted::slow_delete_proxy(&registry.url(), Duration::from_millis(100));
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let remove = |repo: &str| {
        let args = [
            "-reg",
            &url,
            "--concurrency",
            "2",
            "remove-repos",
            "-r",
            repo,
            "--yes",
        ];
        sandbox.spawn(&args)
    };

    // stderr goes away once the deletes have begun (`2>&1 >out | head`).
    let mut child = remove("late-000");
    let err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(err).lines() {
            let line = line.unwrap_or_default();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("journal written to") {
                break;
            }
        }
        seen // the pipe's reading end closes here
    });
    let report = drain(child.stdout.take().unwrap());
    let code = exit_code(&mut child, Duration::from_secs(60));
    let seen = reader.join().unwrap();
    let report = report.join().unwrap();
    assert_eq!(code, Some(0), "stderr until it closed:\n{seen}");
    assert!(report.contains("late-000: 12 deleted"), "{report}");

    // stdout goes away after the plan was read, before the report is written.
    let mut child = remove("late-001");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("late-001  sha256:"), "{first}");
    drop(out);
    let err = drain(child.stderr.take().unwrap());
    let code = exit_code(&mut child, Duration::from_secs(60));
    let err = err.join().unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("standard output was closed, so the report went unread"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // Both finished: the registry, the journals and the cache agree.
    assert!(live_tags(&sandbox, &url).is_empty());
    assert_eq!(journal_statuses(&sandbox), vec!["deleted"; 12]);
    for journal in journals(&sandbox) {
        let text = std::fs::read_to_string(journal).unwrap();
        assert!(!text.contains("\"pending\""), "{text}");
    }
    assert!(cached_tags(&sandbox, &url).is_empty());
}

/// A proxy in front of `registry` that lets it carry out each DELETE but holds the answer back
/// (at most 30 s) until `release` is set.
fn holding_deletes(registry: &TestRegistry, release: &Arc<AtomicBool>) -> Scripted {
    let release = release.clone();
    Scripted::fault_proxy(
        &registry.url(),
        |_| None,
        move |req, reply| {
            if req.method == "DELETE" {
                hold_until(&release, Duration::from_secs(30));
            }
            reply
        },
    )
}

#[test]
fn ctrl_c_twice_with_deletes_carried_out_but_unanswered_reports_what_the_registry_did() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("inflight", 1, 6, 3);
    let release = Arc::new(AtomicBool::new(false));
    let proxy = holding_deletes(&registry, &release);
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let before = live_pairs(&sandbox, &url);
    let mut child = sandbox.spawn(&[
        "-reg",
        &url,
        "--concurrency",
        "2",
        "--format",
        "json",
        "remove-repos",
        "-r",
        "inflight-000",
        "--yes",
    ]);
    let deletes = || {
        let requests = proxy.requests();
        requests.iter().filter(|r| r.method == "DELETE").count()
    };
    assert!(
        eventually(Duration::from_secs(20), || deletes() >= 2),
        "no DELETE reached the registry"
    );
    std::thread::sleep(Duration::from_millis(200));
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    for _ in 0..2 {
        signal(child.id(), "INT");
        std::thread::sleep(Duration::from_millis(300));
    }
    let code = exit_code(&mut child, Duration::from_secs(20));
    let output = (code, out.join().unwrap(), err.join().unwrap());
    release.store(true, Ordering::SeqCst);
    let (code, out, err) = output;
    assert_eq!(code, Some(130), "{err}");
    // The two in flight were carried out: read back, they count as deleted, not "not attempted".
    assert!(err.contains("aborted: 2 deleted, 4 not attempted"), "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["total"]["deleted"], 2, "{report:#}");
    assert_eq!(report["total"]["not_attempted"], 4, "{report:#}");
    assert_eq!(
        journal_statuses(&sandbox),
        [
            "deleted", "deleted", "pending", "pending", "pending", "pending"
        ]
    );
    assert_eq!(live_pairs(&sandbox, &url).len(), before.len() - 2);

    // restore counts what it restored and what was still there.
    let out = sandbox.run(&url, &["restore"]).success();
    assert!(
        stderr(&out).contains("restore: restored 2 manifests, 4 still there, 0 failed"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("inflight-000: 2 restored, 4 still there, 0 failed"),
        "{}",
        stdout(&out)
    );
    assert_eq!(live_pairs(&sandbox, &url), before);
    // Restoring again finds everything there and says so, not "restored 6".
    let out = sandbox.run(&url, &["restore"]).success();
    assert!(
        stderr(&out).contains("restore: restored 0 manifests, 6 still there, 0 failed"),
        "{}",
        stderr(&out)
    );
}

/// In a terminal, the first Ctrl-C during the deletes says what it waits for on a line of its
/// own: not glued to the progress line, and not drawn over by its next tick.
#[test]
fn ctrl_c_during_the_deletes_in_a_terminal_says_so_on_a_line_of_its_own() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("held", 1, 4, 3);
    let release = Arc::new(AtomicBool::new(false));
    let proxy = holding_deletes(&registry, &release);
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    let mut cmd = sandbox.std_cmd();
    cmd.args([
        "-reg",
        &url,
        "--concurrency",
        "2",
        "remove-repos",
        "-r",
        "held-000",
        "--yes",
    ])
    .env("TERM", "xterm-256color");
    let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    let deletes = || {
        let requests = proxy.requests();
        requests.iter().filter(|r| r.method == "DELETE").count()
    };
    assert!(
        eventually(Duration::from_secs(20), || deletes() >= 2),
        "no DELETE reached the registry"
    );
    // Let the progress line tick, then interrupt.
    std::thread::sleep(Duration::from_millis(400));
    session.send_control('c').unwrap();
    let drawn = session.exp_string("stopping: waiting for").unwrap();
    let drawn = drawn.trim_end_matches(' ');
    assert!(
        drawn.ends_with(['\n', '\r'])
            || drawn.ends_with("\u{1b}[2K")
            || drawn.ends_with("\u{1b}[1G"),
        "glued to the progress line: {drawn:?}"
    );
    // The message's line ends before anything is drawn again.
    let rest = session
        .exp_string("regsweep restore` checks every manifest)")
        .unwrap();
    assert!(!rest.contains('\r'), "drawn over: {rest:?}");
    release.store(true, Ordering::SeqCst);
    session.exp_eof().unwrap();
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 130)),
        "{status:?}"
    );
}

#[test]
fn ctrl_c_before_deleting_begins_says_nothing_was_deleted() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    for tag in ["1.0", "1.1"] {
        seeder.image("app", Some(tag), &Image::new(Kind::Oci, tag));
    }
    // Once `slow` is set, listing tags takes 3 s: the live re-check is under way for a while.
    let slow = Arc::new(AtomicBool::new(false));
    let proxy = {
        let slow = slow.clone();
        Scripted::proxy(&registry.url(), move |req| {
            if slow.load(Ordering::SeqCst) && req.target.contains("/tags/list") {
                std::thread::sleep(Duration::from_secs(3));
            }
            None
        })
    };
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let before = live_tags(&sandbox, &url);
    sandbox.run(&url, &["list-repo-names"]).success();

    // At the prompt, in a terminal.
    let mut cmd = sandbox.std_cmd();
    cmd.args([
        "-reg",
        &url,
        "remove-tags",
        "-r",
        "app",
        "-t",
        "1.0",
        "--refresh",
    ])
    .env("TERM", "xterm-256color");
    let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    session.exp_string("[y/N] ").unwrap();
    // The refresh's and the details' progress displays are gone: nothing is drawn over the prompt.
    std::thread::sleep(Duration::from_millis(500));
    let mut drawn = String::new();
    while let Some(c) = session.try_read() {
        drawn.push(c);
    }
    assert_eq!(drawn, "", "drawn over the prompt");
    session.send_control('c').unwrap();
    let said = session.exp_eof().unwrap();
    assert!(
        said.contains("interrupted before deleting began; nothing was deleted"),
        "{said}"
    );
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 130)),
        "{status:?}"
    );

    // During the live re-check, in a terminal: the re-check shows itself, and the message after
    // Ctrl-C starts a line of its own, not glued to (or drawn over by) the progress line.
    slow.store(true, Ordering::SeqCst);
    let mut cmd = sandbox.std_cmd();
    cmd.args(["-reg", &url, "remove-tags", "-r", "app", "-t", "1.0"])
        .env("TERM", "xterm-256color");
    let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    session.exp_string("[y/N] ").unwrap();
    session.send_line("y").unwrap();
    session.exp_string("re-checking the plan").unwrap();
    session.send_control('c').unwrap();
    let said = session.exp_eof().unwrap();
    let at = said
        .find("regsweep: ")
        .unwrap_or_else(|| panic!("no error line: {said:?}"));
    let drawn = said[..at].trim_end_matches(' ');
    assert!(
        drawn.is_empty() || drawn.ends_with(['\n', '\r']) || drawn.ends_with("\u{1b}[2K"),
        "glued to what was drawn before: {said:?}"
    );
    assert!(
        said[at..].contains("interrupted before deleting began; nothing was deleted"),
        "{said:?}"
    );
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 130)),
        "{status:?}"
    );

    // During the live re-check, with --yes.
    let listed_before = proxy.requests().len();
    let mut child = sandbox.spawn(&[
        "-reg",
        &url,
        "remove-tags",
        "-r",
        "app",
        "-t",
        "1.0",
        "--yes",
    ]);
    let rechecking = || {
        proxy.requests()[listed_before..]
            .iter()
            .any(|r| r.target.contains("/tags/list"))
    };
    assert!(
        eventually(Duration::from_secs(20), rechecking),
        "the re-check never began"
    );
    let err = drain(child.stderr.take().unwrap());
    signal(child.id(), "INT");
    let code = exit_code(&mut child, Duration::from_secs(20));
    let err = err.join().unwrap();
    assert_eq!(code, Some(130), "{err}");
    assert!(
        err.contains("interrupted before deleting began; nothing was deleted"),
        "{err}"
    );
    slow.store(false, Ordering::SeqCst);
    assert_eq!(live_tags(&sandbox, &url), before);
    assert!(journals(&sandbox).is_empty());
}

#[test]
fn an_exclusion_that_matches_nothing_is_named_and_stops_an_unattended_removal() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let before = live_tags(&sandbox, &url);

    let out = sandbox
        .run(
            &url,
            &["query-tags", "-r", "app", "-t", "<1.4", "-x", "1.3.9"],
        )
        .success();
    assert_stderr_has(
        &out,
        "warning: -x 1.3.9 matches no tag in app; did you mean v1.3.9? (-x '==1.3.9' matches it)",
    );
    let out = sandbox
        .run(
            &url,
            &[
                "query-tags",
                "-r",
                "app",
                "-t",
                "nosuchtag",
                "v1.4",
                "-x",
                "2.00",
            ],
        )
        .success();
    assert_stderr_has(&out, "warning: -t nosuchtag matches no tag in app\n");
    assert_stderr_has(
        &out,
        "warning: -t v1.4 matches no tag in app; the nearest versions there are v1.3.9 and 1.9",
    );
    assert_stderr_has(
        &out,
        "warning: -x 2.00 matches no tag in app; the highest version there is 1.10",
    );

    // A dry run and an interactive plan warn; an unattended removal refuses, in one line.
    let remove = ["remove-tags", "-r", "app", "-t", "<1.4", "-x", "1.3.9"];
    let out = sandbox
        .run(&url, &[&remove[..], &["--dry-run"]].concat())
        .success();
    assert_stderr_has(&out, "warning: -x 1.3.9 matches no tag in app");
    let out = sandbox
        .run(&url, &[&remove[..], &["--yes"]].concat())
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.starts_with(
            "regsweep: error: -x 1.3.9 matches no tag in app, so it protects nothing; nothing was \
             deleted\nhint: did you mean v1.3.9? (-x '==1.3.9' matches it); fix the value, or \
             pass --allow-unmatched"
        ),
        "{err}"
    );
    assert_eq!(live_tags(&sandbox, &url), before, "something was deleted");
    assert!(journals(&sandbox).is_empty());

    // README's example as written now keeps v1.3.9, without a warning.
    let out = sandbox
        .run(
            &url,
            &[
                "remove-tags",
                "-r",
                "app",
                "-t",
                "<1.4",
                "-x",
                "v1.3.9",
                "--yes",
            ],
        )
        .success();
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let tags = tag_names(&live_tags(&sandbox, &url), "app");
    assert!(tags.contains(&"v1.3.9".to_owned()), "{tags:?}");
    assert!(!tags.contains(&"1.2".to_owned()), "{tags:?}");

    // --allow-unmatched: the operator says the exclusion may match nothing.
    sandbox
        .run(
            &url,
            &[&remove[..], &["--yes", "--allow-unmatched"]].concat(),
        )
        .success();
    let tags = tag_names(&live_tags(&sandbox, &url), "app");
    assert!(!tags.contains(&"v1.3.9".to_owned()), "{tags:?}");
}

#[test]
fn a_policy_protection_that_matches_nothing_is_shown_and_warned_about() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let policy = sandbox.home.path().join("regsweep.toml");
    std::fs::write(
        &policy,
        r#"version = 1
[protect]
tags = ["lastest"]
tags_regex = ["^release-"]
[[rule]]
name = "old-app"
action = "delete"
repositories = ["app"]
tags = ["<1.4"]
exclude = ["1.3.9"]

[[rule]]
name = "keep-web"
action = "keep"
repositories = ["web/*"]
tags = ["*"]
"#,
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let out = sandbox
        .run(
            &url,
            &["--format", "json", "policy", "plan", "--policy", policy],
        )
        .success();
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let unmatched: Vec<String> = report["unmatched_protections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} in {}",
                u["selector"].as_str().unwrap(),
                u["scope"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        unmatched,
        [
            "protect.tags \"lastest\" in the registry",
            "protect.tags_regex \"^release-\" in the registry",
            "rule \"old-app\" (line 5): exclude \"1.3.9\" in app",
            "rule \"keep-web\" (line 12): repositories web/* in the registry",
        ]
    );
    let out = sandbox
        .run(
            &url,
            &["--format", "plain", "policy", "plan", "--policy", policy],
        )
        .success();
    assert_stdout_has(
        &out,
        "protects nothing: rule \"old-app\" (line 5): exclude \"1.3.9\" matches no tag in app; did \
         you mean v1.3.9?",
    );
    let out = sandbox
        .run(&url, &["policy", "apply", "--policy", policy, "--dry-run"])
        .success();
    assert_stderr_has(
        &out,
        "warning: protects nothing: protect.tags \"lastest\" matches no tag in the registry; did \
         you mean latest?",
    );
}

#[test]
fn a_query_says_why_it_left_a_named_tag_out_and_when_nothing_is_selected() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    // 1.10 is also `latest`: the query leaves it out and says so, as the removal's plan does.
    let query = ["query-tags", "-r", "app", "-t", "1.10"];
    let out = sandbox
        .run(&url, &[&["--format", "table"][..], &query].concat())
        .success();
    assert_stderr_has(
        &out,
        "(1.10): it also carries tag latest, which was not selected",
    );
    assert_stderr_has(&out, "note: nothing selected");
    assert_eq!(stdout(&out), "", "an empty table's header");
    let out = sandbox
        .run(&url, &[&query[..], &["--count"]].concat())
        .success();
    assert_stdout_has(&out, "Number of selected digests: 0");
    let plan = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "app", "-t", "1.10", "--dry-run"],
        )
        .success();
    let left_out = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("note: left out"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(left_out(&stderr(&out)), left_out(&stderr(&plan)));
}

#[test]
fn input_that_is_not_what_it_seems_is_named() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox.run(&url, &["list-repo-names"]).success();

    // `-v` is dregutil's --verify: `-v app` is a CA bundle that does not exist, even when the
    // cache could answer without a request.
    let out = sandbox.run(&url, &["list-tag-names", "-v", "app"]).code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("the CA bundle \"app\" (--verify) does not exist")
            && err.contains("if app is a repository, name it without -v"),
        "{err}"
    );
    assert_eq!(stdout(&out), "");
    let out = sandbox
        .run(
            &url,
            &[
                "--verify",
                "/etc/regsweep-no-such-ca.pem",
                "list-repo-names",
            ],
        )
        .code(2);
    assert_stderr_has(
        &out,
        "\"/etc/regsweep-no-such-ca.pem\" (--verify) does not exist",
    );

    // Values from the environment never conflict with a flag.
    let out = sandbox
        .cmd()
        .env("REGISTRY", &url)
        .env("REGISTRY_USER", "alice")
        .env("REQUESTS_CA_BUNDLE", "/etc/regsweep-no-such-ca.pem")
        .args(["serve", "--print-default-config"])
        .assert()
        .success();
    assert_stdout_has(&out, "# regsweep serve: configuration");
    let out = sandbox
        .cmd()
        .env("REGISTRY_PASSWORD", "from-the-environment")
        .args([
            "-reg",
            &url,
            "-u",
            "alice",
            "--password-stdin",
            "list-repo-names",
        ])
        .write_stdin("typed\n")
        .assert()
        .success();
    assert_stdout_has(&out, "app");
    // The two flags together are the conflict, and it is named.
    let out = sandbox
        .run(
            &url,
            &[
                "-u",
                "alice",
                "-p",
                "x",
                "--password-stdin",
                "list-repo-names",
            ],
        )
        .code(2);
    assert_stderr_has(
        &out,
        "--password and --password-stdin both give the password",
    );
}

#[test]
fn reports_fit_a_pipe_and_json_is_whole() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let removal = [
        "remove-tags",
        "-r",
        "app",
        "multi",
        "-t",
        "1.2",
        "1.0",
        "--yes",
    ];
    // Piped with --format auto (cron): lines, no table rules, a total at the end.
    let out = sandbox.run(&url, &removal).success();
    let text = stdout(&out);
    assert!(!text.contains('─'), "a table in a pipe:\n{text}");
    assert!(
        text.ends_with(
            "app: 1 deleted\nmulti: 3 deleted\ntotal: 4 manifests in 2 repositories: 4 deleted\n"
        ),
        "{text}"
    );
    let out = sandbox.run(&url, &["restore"]).success();
    let text = stdout(&out);
    assert!(!text.contains('─'), "a table in a pipe:\n{text}");
    assert_eq!(
        text,
        "app: 1 restored, 0 still there, 0 failed\nmulti: 3 restored, 0 still there, 0 failed\n\
         total: 4 manifests in 2 repositories: 4 restored, 0 still there, 0 failed\n"
    );
    // JSON: every manifest's outcome, no emptied placeholders.
    let out = sandbox
        .run(&url, &[&["--format", "json"][..], &removal].concat())
        .success();
    let documents = crate::common::json_documents(&stdout(&out));
    let report = documents.last().unwrap();
    assert_eq!(report["total"]["deleted"], 4, "{report:#}");
    for result in report["results"].as_array().unwrap() {
        assert!(result.get("manifest").is_none(), "{result:#}");
        assert_eq!(result["status"], "deleted");
    }
    let out = sandbox
        .run(&url, &["--format", "json", "restore"])
        .success();
    let restored: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(restored["total"]["restored"], 4, "{restored:#}");
    // Times to the second.
    let out = sandbox
        .run(&url, &["--format", "json", "journal", "list"])
        .success();
    let list: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let time = list[0]["created_at"].as_str().unwrap();
    assert!(
        time.len() == "2026-12-05T04:20:49Z".len() && time.ends_with('Z'),
        "{time}"
    );
    // "1 repository", not "1 repositories".
    let out = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "app", "-t", "1.2", "--dry-run"],
        )
        .success();
    assert_stderr_has(&out, "1 manifest (1 tag) from 1 repository");
    assert!(!stderr(&out).contains("1 repositories"), "{}", stderr(&out));
}

#[test]
fn usage_counts_every_image_once() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let platforms = [
        Image::new(Kind::Oci, "multi amd64"),
        Image::new(Kind::Oci, "multi arm64").platform("linux", "arm64"),
    ];
    let (_, children) = seeder.index("multi", "1.0", Kind::Oci, &platforms);
    // One platform image also has a tag of its own.
    seeder.retag("multi", &children[0].digest, "1.0-amd64");
    let images: u64 = platforms
        .iter()
        .map(|p| seeder.image_parts("multi", None, p).size())
        .sum();

    let app = seeder.image_parts("app", Some("1.0"), &Image::new(Kind::Oci, "app"));
    let content = b"an SBOM of app 1.0";
    let sbom = seeder.artifact("app", None, &app.manifest, "application/spdx+json", content);
    // Without a referrers API the SBOM is listed in the referrers tag schema's index too.
    seeder.referrers_index("app", &app.manifest, &[(&sbom, "application/spdx+json")]);
    let sbom_size = 2 + content.len() as u64; // its `{}` config and its one layer

    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&registry.url(), &["--format", "json", "usage"])
        .success();
    let usage: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let size = |name: &str| {
        usage["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["size"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(size("multi"), images, "{usage:#}");
    assert_eq!(size("app"), app.size() + sbom_size, "{usage:#}");
}
