//! A hostile network and a hostile registry: DELETEs whose answers are lost, indexes that fail to
//! delete, a cache that went stale behind regsweep's back, refreshes racing removals, Ctrl-C twice,
//! resets and truncated bodies, lying digests, endless pagination, names that try to leave `/v2/`,
//! terminal escapes, absurd numbers and a held cache lock.
//!
//! The faults come from a proxy in front of a real registry (`Scripted::fault_proxy`), which can let
//! the registry carry out a request and then lose or spoil its answer; answers no real registry gives
//! (endless pages, hostile names) come from a scripted loopback server. Every loop is bounded in count
//! and time, and everything runs on 127.0.0.1.

use std::io::Read as _;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::scripted::{Fault, Reply, Scripted};
use crate::common::seed::{self, Image, Kind, sha256};
use crate::common::{
    Sandbox, TestRegistry, assert_clean_error, assert_drift, assert_stderr_has, eventually,
    journal_statuses, journals, live_tags, manifest_exists, stderr, stdout,
};
use serde_json::Value;

/// A `regsweep` process running in the background, its stderr collected as it comes.
struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    fn spawn(sandbox: &Sandbox, args: &[&str]) -> Self {
        let mut child = sandbox
            .std_cmd()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting regsweep");
        let mut pipe = child.stderr.take().expect("stderr pipe");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Self { child, stderr }
    }

    /// `remove-repos -r REPO --yes` at concurrency 2, through `url`.
    fn removal(sandbox: &Sandbox, url: &str, repo: &str) -> Self {
        let args = [
            "-reg",
            url,
            "--concurrency",
            "2",
            "remove-repos",
            "-r",
            repo,
            "--yes",
        ];
        Self::spawn(sandbox, &args)
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stderr contains `text`, at most `limit`.
    fn wait_for(&self, text: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.stderr().contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Waits for the exit, at most `limit`; kills the process and fails the test past it.
    fn wait(mut self, limit: Duration) -> (Option<i32>, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread drain the pipe.
                std::thread::sleep(Duration::from_millis(50));
                return (status.code(), self.stderr());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "regsweep did not exit within {limit:?}; stderr so far:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, name: &str) {
        crate::common::signal(self.child.id(), name);
    }
}

// 1. A DELETE the registry carried out but whose answer was lost.
#[test]
fn a_delete_whose_answer_was_lost_is_checked_and_restore_brings_it_back() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("lost", 1, 6, 2);
    let deletes = Arc::new(AtomicUsize::new(0));
    let proxy = {
        let deletes = deletes.clone();
        // The registry deletes; the client gets a 502 (a proxy timing out) or a reset instead.
        Scripted::fault_proxy(
            &registry.url(),
            |_| None,
            move |req, reply| {
                if req.method != "DELETE" {
                    return reply;
                }
                match deletes.fetch_add(1, Ordering::SeqCst) % 2 {
                    0 => Reply::json(502, "<html>bad gateway</html>"),
                    _ => Reply::reset(),
                }
            },
        )
    };
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let before = live_tags(&sandbox, &url);
    let out = sandbox
        .run(&url, &["remove-repos", "-r", "lost-000", "--yes"])
        .success();
    assert!(
        !live_tags(&sandbox, &url).contains_key("lost-000"),
        "{}",
        stderr(&out)
    );
    // Each lost answer was checked (the manifest is gone): deleted, not failed.
    assert_eq!(journal_statuses(&sandbox), vec!["deleted"; 6]);

    sandbox.run(&url, &["restore"]).success();
    assert_eq!(live_tags(&sandbox, &url), before);

    // An older journal that says "failed" for manifests that are gone: restore brings them back too.
    sandbox
        .run(&url, &["remove-repos", "-r", "lost-000", "--yes"])
        .success();
    let path = journals(&sandbox).pop().unwrap();
    let mut journal: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for entry in journal["entries"].as_array_mut().unwrap() {
        entry["status"] = "failed".into();
    }
    std::fs::write(&path, journal.to_string()).unwrap();
    let out = sandbox.run(&url, &["restore"]).success();
    assert_eq!(live_tags(&sandbox, &url), before, "{}", stderr(&out));
}

// 2. An index whose DELETE fails keeps its children.
#[test]
fn an_index_whose_delete_fails_keeps_its_children() {
    for fault in [Reply::json(500, "{}"), Reply::reset()] {
        let registry = TestRegistry::start();
        let seeder = registry.seeder();
        let (index, children) = seeder.index(
            "multi",
            "1.0",
            Kind::Docker,
            &[
                Image::new(Kind::Docker, "multi amd64"),
                Image::new(Kind::Docker, "multi arm64").platform("linux", "arm64"),
            ],
        );
        seeder.retag("multi", "1.0", "latest");
        let index_digest = index.digest.clone();
        let proxy = Scripted::proxy(&registry.url(), move |req| {
            (req.method == "DELETE" && req.target.ends_with(&index_digest)).then(|| fault.clone())
        });
        let sandbox = Sandbox::new();
        let url = proxy.url();
        let out = sandbox
            .run(&url, &["remove-repos", "-r", "multi", "--yes"])
            .code(10);
        let err = stderr(&out);
        assert_clean_error(&err);
        let tags = live_tags(&sandbox, &registry.url());
        assert_eq!(tags["multi"]["1.0"], index.digest, "{err}");
        assert_eq!(tags["multi"]["latest"], index.digest);
        for child in &children {
            assert!(
                manifest_exists(&registry.url(), "multi", &child.digest),
                "a child of the index that stays was deleted: {err}"
            );
        }
        let deleted_children = proxy
            .requests()
            .iter()
            .filter(|r| r.method == "DELETE" && !r.target.ends_with(&index.digest))
            .count();
        assert_eq!(deleted_children, 0, "children were sent a DELETE");
        assert_eq!(journal_statuses(&sandbox), ["failed", "pending", "pending"]);
    }
}

// 3. A cache without details goes stale behind regsweep's back.
#[test]
fn a_manifest_deleted_behind_the_caches_back_is_drift() {
    let registry = TestRegistry::start();
    let digests = seed::dregutil_abc(&registry.seeder());
    let sandbox = Sandbox::new();
    let url = registry.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    registry.seeder().delete("a", &digests["A1"]);
    let out = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "a", "-t", "1.1.0", "latest", "--yes"],
        )
        .code(8);
    let err = stderr(&out);
    assert_drift(&err, &format!("- a@{} (1.1.0, latest)", digests["A1"]));
    assert!(err.contains("hint: the cache was updated"), "{err}");
    // The cache was updated: the next run plans from what the registry holds.
    let out = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "a", "-t", "1.1.0", "latest", "--yes"],
        )
        .success();
    assert_stderr_has(&out, "nothing to delete");
    let out = sandbox.run(&url, &["list-tag-names", "a"]).success();
    assert!(!stdout(&out).contains("1.1.0"), "{}", stdout(&out));
}

// 4. A refresh racing a removal must not undo the removal's cache update.
#[test]
fn a_refresh_racing_a_removal_keeps_the_removals_update() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    seeder.bulk("race", 1, 20, 4);
    seeder.image("zz", Some("1.0"), &Image::new(Kind::Oci, "zz"));
    // While armed, the first tag list of `zz` waits for the gate: a refresh is held half-way, after it
    // has read `race-000`, and saves only once the gate opens.
    let armed = Arc::new(AtomicBool::new(false));
    let gate = Arc::new(AtomicBool::new(false));
    let held = Arc::new(AtomicBool::new(false));
    let proxy = {
        let (armed, gate, held) = (armed.clone(), gate.clone(), held.clone());
        Scripted::proxy(&registry.url(), move |req| {
            if req.target.starts_with("/v2/zz/tags/list") && armed.swap(false, Ordering::SeqCst) {
                held.store(true, Ordering::SeqCst);
                crate::common::hold_until(&gate, Duration::from_secs(30));
            }
            None
        })
    };
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    let heads_of_race = || {
        proxy
            .requests()
            .iter()
            .filter(|r| r.method == "HEAD" && r.target.starts_with("/v2/race-000/"))
            .count()
    };
    let heads_before = heads_of_race();
    armed.store(true, Ordering::SeqCst);
    let refresh = Running::spawn(&sandbox, &["-reg", &url, "--refresh", "list-repo-names"]);
    let reached = eventually(Duration::from_secs(20), || {
        held.load(Ordering::SeqCst) && heads_of_race() >= heads_before + 20
    });
    assert!(
        reached,
        "the refresh did not reach the gate (held: {}, HEADs of race-000: {} then {}); its \
         stderr: {}; the requests since: {:?}",
        held.load(Ordering::SeqCst),
        heads_before,
        heads_of_race(),
        refresh.stderr(),
        proxy
            .requests()
            .iter()
            .skip(heads_before)
            .map(|r| format!("{} {}", r.method, r.target))
            .collect::<Vec<_>>()
    );
    sandbox
        .run(&url, &["remove-repos", "-r", "race-000", "--yes"])
        .success();
    gate.store(true, Ordering::SeqCst);
    let (code, err) = refresh.wait(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{err}");
    let cache: Value =
        serde_json::from_slice(&std::fs::read(sandbox.default_cache(proxy.port)).unwrap()).unwrap();
    let race = &cache["repositories"]["race-000"]["tags"];
    assert!(
        race.as_object().is_none_or(|t| t.is_empty()),
        "the refresh put the deleted tags back: {race}"
    );
    assert!(cache["repositories"]["zz"]["tags"]["1.0"].is_object());
}

// 5. Ctrl-C while a DELETE hangs: the first says what it waits for, the second aborts at once.
#[test]
fn a_second_ctrl_c_aborts_at_once_and_restore_checks_what_was_in_flight() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("hang", 1, 4, 2);
    let release = Arc::new(AtomicBool::new(false));
    let proxy = {
        let release = release.clone();
        Scripted::proxy(&registry.url(), move |req| {
            if req.method != "DELETE" {
                return None;
            }
            // Hangs (bounded) until the test ends; then refuses, so nothing is deleted late.
            crate::common::hold_until(&release, Duration::from_secs(60));
            Some(Reply::json(503, "{}"))
        })
    };
    let sandbox = Sandbox::new();
    let url = proxy.url();
    let before = live_tags(&sandbox, &url);
    let run = Running::removal(&sandbox, &url, "hang-000");
    assert!(eventually(Duration::from_secs(20), || proxy
        .requests()
        .iter()
        .any(|r| r.method == "DELETE")));
    run.signal("INT");
    assert!(
        run.wait_for("waiting for", Duration::from_secs(5)),
        "the first Ctrl-C said nothing: {}",
        run.stderr()
    );
    assert!(run.stderr().contains("Ctrl-C again"), "{}", run.stderr());
    std::thread::sleep(Duration::from_millis(300));
    run.signal("INT");
    let started = Instant::now();
    let (code, err) = run.wait(Duration::from_secs(10));
    assert_eq!(code, Some(130), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the second Ctrl-C took {:?}",
        started.elapsed()
    );
    // The two DELETEs in flight were abandoned and read back: still there, so failed, not
    // "not attempted"; the report says so.
    assert!(err.contains("aborted: 2 failed, 2 not attempted"), "{err}");
    release.store(true, Ordering::SeqCst);
    let statuses = journal_statuses(&sandbox);
    assert_eq!(statuses, ["failed", "failed", "pending", "pending"]);
    let journal: Value =
        serde_json::from_slice(&std::fs::read(journals(&sandbox).last().unwrap()).unwrap())
            .unwrap();
    assert!(
        journal["entries"][0]["error"]
            .as_str()
            .unwrap()
            .contains("its DELETE went unanswered, and the manifest was still there"),
        "{journal:#}"
    );
    sandbox.run(&url, &["restore"]).success();
    assert_eq!(live_tags(&sandbox, &url), before);
}

// 5 and 8. A manifest whose bytes do not match its digest: a registry error naming both digests.
#[test]
fn a_manifest_body_that_does_not_match_its_digest_is_refused() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let kept = seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "one"));
    seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "two"));
    let kept_bytes = reqwest::blocking::Client::new()
        .get(format!(
            "{}/v2/app/manifests/{}",
            registry.url(),
            kept.digest
        ))
        .header("accept", seed::OCI_MANIFEST)
        .send()
        .unwrap()
        .bytes()
        .unwrap()
        .to_vec();
    // Every manifest GET answers 1.0's bytes, the digest header still naming what was asked for.
    let proxy = Scripted::fault_proxy(
        &registry.url(),
        |_| None,
        move |req, mut reply| {
            if req.method == "GET" && req.target.contains("/manifests/") {
                reply.body = kept_bytes.clone();
            }
            reply
        },
    );
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox.run(&url, &["list-repo-names"]).success();
    let out = sandbox
        .run(&url, &["remove-tags", "-r", "app", "-t", "2.0", "--yes"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("does not match"), "{err}");
    assert!(err.contains(&kept.digest), "{err}");
    assert_eq!(live_tags(&sandbox, &registry.url())["app"].len(), 2);

    let out = sandbox
        .live(&url, &["--use-get-manifest", "list-tag-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("does not match"), "{err}");
}

// 6. GET and HEAD are retried on 5xx, resets and truncated bodies; DELETE never blindly.
#[test]
fn reads_are_retried_through_server_errors_resets_and_truncated_bodies() {
    let registry = TestRegistry::with_sample();
    let seen = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let proxy = {
        let seen = seen.clone();
        // The first attempt of every distinct read fails, each in one of four ways.
        Scripted::fault_proxy(
            &registry.url(),
            |_| None,
            move |req, reply| {
                if req.method == "DELETE"
                    || !seen
                        .lock()
                        .unwrap()
                        .insert(format!("{} {}", req.method, req.target))
                {
                    return reply;
                }
                match sha256(req.target.as_bytes()).as_bytes()[8] % 4 {
                    0 => Reply::json(500, "{}"),
                    1 => Reply::json(502, "<html>bad gateway</html>"),
                    2 => Reply::reset(),
                    _ if req.method == "GET" && reply.body.len() > 1 => {
                        let cut = reply.body.len() / 2;
                        reply.fault(Fault::Truncate(cut))
                    }
                    _ => Reply::reset(),
                }
            },
        )
    };
    let sandbox = Sandbox::new();
    let expected = live_tags(&sandbox, &registry.url());
    let out = sandbox
        .live(
            &proxy.url(),
            &["--format", "json", "list-tag-names", "--long"],
        )
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        rows.len(),
        expected.values().map(|t| t.len()).sum::<usize>()
    );
    assert!(
        rows.iter().all(|r| r["size"].as_u64().is_some()),
        "{rows:?}"
    );

    // A read that keeps failing gives up after a few attempts, with the last error.
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        _ => Reply::json(500, r#"{"errors":[{"code":"UNKNOWN","message":"down"}]}"#),
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(5);
    assert_clean_error(&stderr(&out));
    let attempts = server
        .requests()
        .iter()
        .filter(|r| r.target == "/v2/_catalog")
        .count();
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
}

#[test]
fn a_delete_is_retried_only_after_checking_the_manifest_is_still_there() {
    let registry = TestRegistry::start();
    registry.seeder().bulk("once", 1, 3, 2);
    let failed = Arc::new(Mutex::new(std::collections::HashSet::new()));
    // The first DELETE of each manifest fails before reaching the registry.
    let proxy = {
        let failed = failed.clone();
        Scripted::proxy(&registry.url(), move |req| {
            (req.method == "DELETE" && failed.lock().unwrap().insert(req.target.clone()))
                .then(|| Reply::json(500, "{}"))
        })
    };
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox
        .run(&url, &["remove-repos", "-r", "once-000", "--yes"])
        .success();
    assert!(!live_tags(&sandbox, &registry.url()).contains_key("once-000"));
    let requests = proxy.requests();
    for (i, req) in requests.iter().enumerate() {
        let earlier_deletes = requests[..i]
            .iter()
            .filter(|r| r.method == "DELETE" && r.target == req.target)
            .count();
        if req.method == "DELETE" && earlier_deletes > 0 {
            let checked = requests[..i]
                .iter()
                .rev()
                .take_while(|r| !(r.method == "DELETE" && r.target == req.target))
                .any(|r| r.method != "DELETE" && r.target == req.target);
            assert!(checked, "DELETE {} was retried without a check", req.target);
        }
    }
    assert_eq!(
        requests.iter().filter(|r| r.method == "DELETE").count(),
        6,
        "each of the 3 manifests: one failed DELETE, one after the check"
    );
}

// 7. A reset mid-response is a network error.
#[test]
fn a_reset_mid_response_is_a_network_error() {
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        _ => Reply::json(200, r#"{"repositories":["a","b","c","d","e","f"]}"#)
            .fault(Fault::Truncate(10)),
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(3);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(!err.contains("malformed"), "{err}");
    assert!(err.contains("/v2/_catalog"), "{err}");
}

// 9. Endless pagination and huge answers are capped.
#[test]
fn endless_pagination_and_huge_answers_are_capped() {
    let server = Scripted::start(|req| {
        if req.target == "/v2/" {
            return Reply::json(200, "{}");
        }
        let n: u64 = req
            .target
            .split("last=")
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Reply::json(200, &format!(r#"{{"repositories":["r{n}"]}}"#)).header(
            "Link",
            &format!(r#"</v2/_catalog?last={}>; rel="next""#, n + 1),
        )
    });
    let started = Instant::now();
    let out = Sandbox::new()
        .cmd()
        .args(["-reg", &server.url(), "-c", "None", "list-repo-names"])
        .timeout(Duration::from_secs(120))
        .assert()
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("pages"), "{err}");
    let pages = server.requests().len() - 1;
    assert!(pages <= 10_001, "{pages} pages read");
    assert!(started.elapsed() < Duration::from_secs(120));

    // 40 MiB of catalog: refused past the limit, without reading it all into memory.
    let huge = format!(r#"{{"repositories":["{}"]}}"#, "a".repeat(40 * 1024 * 1024));
    let server = Scripted::start(move |req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        _ => Reply::json(200, &huge),
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("MiB"), "{err}");
}

// 10 and 11. Names that try to leave /v2/ are skipped; control characters never reach a terminal.
#[test]
fn hostile_names_are_skipped_and_shown_escaped() {
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        "/v2/_catalog" => Reply::json(
            200,
            r#"{"repositories":["app","../etc","a/../../x","evil\u001b]0;pwned\u0007"]}"#,
        ),
        "/v2/app/tags/list" => Reply::json(
            200,
            r#"{"name":"app","tags":["1.0","../../../x","bad\u001b[2Jtag","two\nlines"]}"#,
        ),
        t if t.starts_with("/v2/app/manifests/") => Reply::new(200)
            .header("Content-Type", seed::OCI_MANIFEST)
            .header("Docker-Content-Digest", &sha256(t.as_bytes())),
        _ => Reply::json(404, r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#),
    });
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&server.url(), &["--format", "plain", "list-tag-names"])
        .success();
    assert_eq!(stdout(&out), "app  1.0\n");
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("../etc") && err.contains(r"\x1b"), "{err}");
    assert!(err.contains(r"two\nlines"), "{err}");
    for req in server.requests() {
        assert!(
            req.target.starts_with("/v2/") && !req.target.contains(".."),
            "requested {}",
            req.target
        );
    }
    // A cache file edited by hand is read with the same care.
    let path = sandbox.default_cache(server.port);
    let mut cache: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    cache["repositories"]["../../etc"] =
        serde_json::json!({"tags": {"x": {"digest": sha256(b"x")}}});
    cache["repositories"]["app"]["tags"]["1.0"]["digest"] = "sha256:../../x".into();
    std::fs::write(&path, cache.to_string()).unwrap();
    let out = sandbox
        .run(&server.url(), &["remove-repos", "-r", "app", "--yes"])
        .success();
    let err = stderr(&out);
    assert!(
        err.contains("../../etc") && err.contains("nothing to delete"),
        "{err}"
    );
    for req in server.requests() {
        assert!(!req.target.contains(".."), "requested {}", req.target);
    }
}

#[test]
fn terminal_escapes_from_the_registry_are_shown_escaped_and_json_stays_exact() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let mut image = Image::new(Kind::Oci, "escapes");
    image.architecture = "amd64\u{1b}]0;pwned\u{7}\u{1b}[2J\nfake line".into();
    seeder.image("app", Some("1.0"), &image);
    let sandbox = Sandbox::new();
    for format in ["plain", "table"] {
        let out = sandbox
            .run(
                &registry.url(),
                &["--format", format, "list-tag-names", "--long"],
            )
            .success();
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains(r"\x1b]0;pwned\x07"), "{text}");
        assert_eq!(text.lines().filter(|l| l.contains("fake line")).count(), 1);
        assert!(!text.lines().any(|l| l.starts_with("fake line")), "{text}");
    }
    let out = sandbox
        .run(
            &registry.url(),
            &["--format", "json", "list-tag-names", "--long"],
        )
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        rows[0]["platforms"][0],
        format!("linux/{}", image.architecture)
    );

    // An error message from the registry: escaped too.
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        _ => Reply::json(
            400,
            r#"{"errors":[{"code":"DENIED","message":"\u001b]0;pwned\u0007\u001b[2Jgone\nregsweep: error: fake"}]}"#,
        ),
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains(r"\x1b[2Jgone\nregsweep"), "{err}");
}

// 12 and 13. Numbers are bounded; every usage error is one line with its hint.
#[test]
fn absurd_numbers_and_bad_arguments_are_one_line_usage_errors() {
    let sandbox = Sandbox::new();
    let cases: &[&[&str]] = &[
        &["--concurrency", "2305843009213693952", "list-repo-names"],
        &["--concurrency", "0", "list-repo-names"],
        &["--concurrency", "-3", "list-repo-names"],
        &[
            "query-repos",
            "-r",
            "app",
            "--keep",
            "99999999999999999999999",
        ],
        &["query-repos", "-r", "app", "--keep", "-1"],
        &["--formt", "json", "list-repo-names"],
        &["list-repo-nmes"],
        &["query-tags"],
        &["query-tags", "-r", "app", "-t", "<1.\n4"],
        &["remove-tags", "-r", "app", "-t", "1", "--yes", "--dry-run"],
        &["--format", "yaml", "list-repo-names"],
        &["--log-level", "loud", "list-repo-names"],
        &[],
    ];
    for args in cases {
        let out = sandbox
            .cmd()
            .args(["-reg", "http://127.0.0.1:9"])
            .args(*args)
            .assert()
            .code(2);
        let err = stderr(&out);
        assert_clean_error(&err);
        let lines: Vec<&str> = err.lines().collect();
        assert!(
            lines.len() <= 2
                && lines[0].starts_with("regsweep: error: ")
                && lines.get(1).is_none_or(|l| l.starts_with("hint: ")),
            "{args:?}:\n{err}"
        );
    }
    let out = sandbox
        .cmd()
        .args(["--formt", "json", "list-repo-names"])
        .assert()
        .code(2);
    assert!(stderr(&out).contains("hint: ") && stderr(&out).contains("--format"));
    // Help and version still print in full.
    let out = sandbox.cmd().arg("--help").assert().success();
    assert!(stdout(&out).contains("Usage:"));
}

// 14. Waiting for the cache lock says so.
#[test]
fn waiting_for_the_cache_lock_says_who_holds_it() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    sandbox.run(&registry.url(), &["list-repo-names"]).success();
    let mut lock_path = sandbox.default_cache(registry.port).into_os_string();
    lock_path.push(".lock");
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(&lock_path, format!("{}\n", std::process::id())).unwrap();
    let run = Running::spawn(&sandbox, &["-reg", &registry.url(), "list-repo-names"]);
    let said = run.wait_for(
        &format!(
            "waiting for the cache lock held by another regsweep (PID {})",
            std::process::id()
        ),
        Duration::from_secs(10),
    );
    lock.unlock().unwrap();
    let (code, err) = run.wait(Duration::from_secs(20));
    assert!(said, "{err}");
    assert_eq!(code, Some(0), "{err}");
}

/// Rounds of the random fault loops: a few in every test run, more on demand
/// (`REGSWEEP_FAULT_ROUNDS=50 cargo test --test faults -- --nocapture` prints the table).
fn rounds(default: u64) -> u64 {
    std::env::var("REGSWEEP_FAULT_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
        .clamp(1, 200)
}

/// Faults the proxy injects at random, by class, and how many of each.
#[derive(Default)]
struct Injected(Mutex<std::collections::BTreeMap<&'static str, usize>>);

impl Injected {
    fn count(&self, class: &'static str) {
        *self.0.lock().unwrap().entry(class).or_default() += 1;
    }
}

/// A proxy that, while `on` is set, spoils one request in five of `repo`: before it reaches the
/// registry (500, reset, stall) or after the registry carried it out (502, reset, body cut short).
fn random_fault_proxy(
    upstream: &str,
    repo: &str,
    seed: u64,
    on: Arc<AtomicBool>,
    injected: Arc<Injected>,
) -> Scripted {
    let prefix = format!("/v2/{repo}/");
    let rng = Arc::new(Mutex::new(crate::common::Rng::new(seed)));
    let (before_rng, before_on, before_count) = (rng.clone(), on.clone(), injected.clone());
    let before_prefix = prefix.clone();
    Scripted::fault_proxy(
        upstream,
        move |req| {
            if !before_on.load(Ordering::SeqCst) || !req.target.starts_with(&before_prefix) {
                return None;
            }
            let mut rng = before_rng.lock().unwrap();
            if !rng.chance(10) {
                return None;
            }
            let (class, reply) = match rng.below(3) {
                0 => ("500 before the registry", Reply::json(500, "{}")),
                1 => ("reset before the registry", Reply::reset()),
                _ => ("503 before the registry", Reply::json(503, "{}")),
            };
            before_count.count(class);
            Some(reply)
        },
        move |req, reply| {
            if !on.load(Ordering::SeqCst) || !req.target.starts_with(&prefix) {
                return reply;
            }
            let mut rng = rng.lock().unwrap();
            if !rng.chance(10) {
                return reply;
            }
            let delete = req.method == "DELETE";
            let (class, spoiled) = match rng.below(3) {
                0 if delete => ("DELETE done, 502 answered", Reply::json(502, "{}")),
                1 if delete => ("DELETE done, connection reset", Reply::reset()),
                _ if delete => (
                    "DELETE done, answer stalled 1 s",
                    reply.fault(Fault::Stall(Duration::from_secs(1))),
                ),
                0 => ("read done, 502 answered", Reply::json(502, "{}")),
                1 => ("read done, connection reset", Reply::reset()),
                _ if req.method == "GET" && reply.body.len() > 1 => {
                    let cut = reply.body.len() / 2;
                    (
                        "read done, body cut short",
                        reply.fault(Fault::Truncate(cut)),
                    )
                }
                _ => ("read done, connection reset", Reply::reset()),
            };
            injected.count(class);
            spoiled
        },
    )
}

/// Every tag of `repo` that points to an index must have all the index's children: an image that
/// can no longer be pulled is the one outcome removal must never leave.
fn assert_no_broken_index(url: &str, repo: &str, indexes: &[(String, Vec<String>)]) {
    for (index, children) in indexes {
        if manifest_exists(url, repo, index) {
            for child in children {
                assert!(
                    manifest_exists(url, repo, child),
                    "{repo}: index {index} stays but its child {child} is gone"
                );
            }
        }
    }
}

#[test]
fn removal_under_random_faults_never_loses_the_undo_or_breaks_an_image() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    seeder.image(
        "bystander",
        Some("1.0"),
        &Image::new(Kind::Oci, "bystander"),
    );
    let injected = Arc::new(Injected::default());
    let (mut behaved, mut exits) = (0, std::collections::BTreeMap::new());
    let total = rounds(3);
    for round in 0..total {
        let repo = format!("round-{round}");
        for tag in ["1.0", "1.1", "1.2"] {
            seeder.image(
                &repo,
                Some(tag),
                &Image::new(Kind::Docker, &format!("{repo} {tag}")),
            );
        }
        seeder.retag(&repo, "1.2", "latest");
        let (index, children) = seeder.index(
            &repo,
            "2.0",
            Kind::Oci,
            &[
                Image::new(Kind::Oci, &format!("{repo} amd64")),
                Image::new(Kind::Oci, &format!("{repo} arm64")).platform("linux", "arm64"),
            ],
        );
        let indexes = vec![(
            index.digest,
            children.into_iter().map(|c| c.digest).collect(),
        )];
        let on = Arc::new(AtomicBool::new(false));
        let seed = 0x5EED + round;
        let proxy = random_fault_proxy(&registry.url(), &repo, seed, on.clone(), injected.clone());
        let sandbox = Sandbox::new();
        let url = proxy.url();
        let before = live_tags(&sandbox, &registry.url());

        on.store(true, Ordering::SeqCst);
        let out = sandbox
            .cmd()
            .args([
                "-reg",
                &url,
                "--concurrency",
                "4",
                "remove-repos",
                "-r",
                &repo,
                "--yes",
            ])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        let code = out.status.code();
        *exits.entry(code).or_insert(0) += 1;
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(code, Some(0 | 3 | 5 | 8 | 10)),
            "seed {seed}: exit {code:?}\n{err}"
        );
        assert!(!err.contains("panicked"), "seed {seed}: {err}");
        let after = live_tags(&sandbox, &registry.url());
        for (name, tags) in &before {
            if *name != repo {
                assert_eq!(after.get(name), Some(tags), "seed {seed}: {name} changed");
            }
        }
        assert_no_broken_index(&registry.url(), &repo, &indexes);

        // Restore under the same faults may fail; a second one without them must bring all back.
        let _ = sandbox
            .cmd()
            .args(["-reg", &url, "restore"])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        assert_no_broken_index(&registry.url(), &repo, &indexes);
        on.store(false, Ordering::SeqCst);
        if !journals(&sandbox).is_empty() {
            let out = sandbox.run(&url, &["restore"]);
            let err = stderr(&out);
            out.success();
            assert!(!err.contains("panicked"), "{err}");
        }
        assert_eq!(
            live_tags(&sandbox, &registry.url()),
            before,
            "seed {seed}: the undo lost something"
        );
        behaved += 1;
    }
    eprintln!("random faults during removal and restore: {behaved} of {total} rounds behaved");
    eprintln!("exit codes of the removals: {exits:?}");
    for (class, n) in injected.0.lock().unwrap().iter() {
        eprintln!("  {n:4}  {class}");
    }
}

#[test]
fn a_removal_killed_at_any_moment_leaves_a_journal_restore_can_use() {
    let registry = TestRegistry::start();
    let mut rng = crate::common::Rng::new(0xC0FFEE);
    let total = rounds(3);
    let mut deleted_before_kill = Vec::new();
    for round in 0..total {
        registry.seeder().bulk(&format!("kill-{round}"), 1, 12, 4);
        let repo_name = format!("kill-{round}-000");
        let proxy = Scripted::slow_delete_proxy(&registry.url(), Duration::from_millis(150));
        let sandbox = Sandbox::new();
        let url = proxy.url();
        let before = live_tags(&sandbox, &url);
        let run = Running::removal(&sandbox, &url, &repo_name);
        // One round in four dies early (planning, re-check, journal); the others during the deletes.
        if rng.chance(25) {
            std::thread::sleep(Duration::from_millis(rng.below(400)));
        } else {
            assert!(eventually(Duration::from_secs(20), || proxy
                .requests()
                .iter()
                .any(|r| r.method == "DELETE")));
            std::thread::sleep(Duration::from_millis(rng.below(700)));
        }
        run.signal("KILL");
        let (code, _) = run.wait(Duration::from_secs(10));
        // DELETEs the proxy still holds reach the registry after the kill, as a request already on
        // the wire can complete after its client died: restore acts on what the registry holds
        // once they have landed.
        std::thread::sleep(Duration::from_millis(400));
        assert_ne!(
            code,
            Some(0),
            "{repo_name}: finished before the kill; make the proxy slower"
        );
        let deletes = proxy
            .requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count();
        deleted_before_kill.push(deletes);
        if !journals(&sandbox).is_empty() {
            sandbox.run(&url, &["restore"]).success();
        }
        assert_eq!(
            live_tags(&sandbox, &url),
            before,
            "round {round}: the undo lost something"
        );
    }
    eprintln!(
        "kill -9 during removal: {total} rounds, DELETEs sent before each kill: {deleted_before_kill:?}"
    );
}
