//! What users see when a registry fails or misbehaves: one line with the URL, a hint where one helps,
//! the documented exit code, and never a panic. Answers a real registry cannot be made to give come from
//! a scripted loopback server; registry quirks (Nexus) too.

use crate::common::scripted::{Reply, Scripted};
use crate::common::seed::{OCI_MANIFEST, sha256};
use crate::common::{Sandbox, assert_clean_error, stderr, stdout};

/// A registry with one repository `app` holding the tags of `tags_json` (each an OCI manifest).
fn registry(tags_json: &'static str) -> Scripted {
    Scripted::start(
        move |req| match (req.method.as_str(), req.target.as_str()) {
            ("GET", "/v2/") => Reply::json(200, "{}"),
            ("GET", "/v2/_catalog") => Reply::json(200, r#"{"repositories":["app"]}"#),
            ("GET", "/v2/app/tags/list") => Reply::json(200, tags_json),
            ("HEAD", t) if t.starts_with("/v2/app/manifests/") => Reply::new(200)
                .header("Content-Type", OCI_MANIFEST)
                .header("Docker-Content-Digest", &sha256(t.as_bytes())),
            _ => Reply::json(404, r#"{"errors":[{"code":"NOT_FOUND"}]}"#),
        },
    )
}

#[test]
fn not_a_registry() {
    let server = Scripted::start(|_| {
        Reply::new(404)
            .header("Content-Type", "text/html")
            .body("<h1>nope</h1>")
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains(&format!("{}/v2/: not found (404)", server.url())),
        "{err}"
    );
    assert!(
        err.contains("hint: nothing serves the registry API"),
        "{err}"
    );
}

#[test]
fn authentication_and_permission_failures_exit_4() {
    for (status, text) in [
        (401, "authentication required (401)"),
        (403, "not allowed: access to the registry was refused"),
    ] {
        let server = Scripted::start(move |_| {
            Reply::json(
                status,
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            )
            .header("WWW-Authenticate", r#"Basic realm="test""#)
        });
        let out = Sandbox::new()
            .run(&server.url(), &["list-repo-names"])
            .code(4);
        let err = stderr(&out);
        assert_clean_error(&err);
        assert!(err.contains(text), "{err}");
        assert!(
            err.contains("UNAUTHORIZED: authentication required"),
            "{err}"
        );
        assert!(err.contains("hint: "), "{err}");
    }
}

#[test]
fn server_errors_and_malformed_answers_exit_5() {
    let cases: [(Reply, &str); 3] = [
        (
            Reply::json(
                500,
                r#"{"errors":[{"code":"UNKNOWN","message":"storage backend down"}]}"#,
            ),
            "registry server error (500 Internal Server Error): UNKNOWN: storage backend down",
        ),
        (
            Reply::json(200, r#"{"repositories": 12"#),
            "malformed answer: not the expected JSON",
        ),
        (Reply::json(418, "{}"), "unexpected answer (418"),
    ];
    for (reply, text) in cases {
        let server = Scripted::start(move |req| match req.target.as_str() {
            "/v2/" => Reply::json(200, "{}"),
            _ => reply.clone(),
        });
        let sandbox = Sandbox::new();
        let out = sandbox.run(&server.url(), &["list-repo-names"]).code(5);
        let err = stderr(&out);
        assert_clean_error(&err);
        assert!(
            err.contains(&format!("{}/v2/_catalog", server.url())),
            "{err}"
        );
        assert!(err.contains(text), "{err}");
        assert!(
            !sandbox.default_cache(server.port).exists(),
            "half a registry was cached"
        );
    }
}

#[test]
fn too_many_requests_is_retried_after_the_pause_asked_for() {
    let server = {
        let refused = std::sync::atomic::AtomicUsize::new(0);
        Scripted::start(move |req| match req.target.as_str() {
            "/v2/_catalog" if refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 => {
                Reply::json(429, r#"{"errors":[{"code":"TOOMANYREQUESTS"}]}"#)
                    .header("Retry-After", "0")
            }
            "/v2/_catalog" => Reply::json(200, r#"{"repositories":["app"]}"#),
            "/v2/app/tags/list" => Reply::json(200, r#"{"name":"app","tags":["1.0"]}"#),
            t if t.starts_with("/v2/app/manifests/") => {
                Reply::new(200).header("Docker-Content-Digest", &sha256(b"m"))
            }
            _ => Reply::json(200, "{}"),
        })
    };
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .success();
    assert_eq!(stdout(&out), "app\n");
    let catalog_requests = server
        .requests()
        .iter()
        .filter(|r| r.target == "/v2/_catalog")
        .count();
    assert_eq!(catalog_requests, 3);
}

#[test]
fn persistent_429_gives_up_with_a_hint() {
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        _ => Reply::json(429, "{}").header("Retry-After", "0"),
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("too many requests (429)") && err.contains("--concurrency"),
        "{err}"
    );
}

#[test]
fn pagination_follows_relative_links_and_refuses_other_hosts() {
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        "/v2/_catalog" => Reply::json(200, r#"{"repositories":["a"]}"#)
            .header("Link", r#"</v2/_catalog?last=a&n=1>; rel="next""#),
        "/v2/_catalog?last=a&n=1" => Reply::json(200, r#"{"repositories":["b"]}"#).header(
            "Link",
            r#"<http://127.0.0.2:1/v2/_catalog?last=b>; rel="next""#,
        ),
        _ => Reply::json(404, "{}"),
    });
    let out = Sandbox::new()
        .run(&server.url(), &["list-repo-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("refusing to follow a pagination link to another host: http://127.0.0.2:1/"),
        "{err}"
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.target.contains("last=b"))
    );
}

#[test]
fn tag_pages_are_all_read() {
    let server = Scripted::start(|req| match req.target.as_str() {
        "/v2/" => Reply::json(200, "{}"),
        "/v2/_catalog" => Reply::json(200, r#"{"repositories":["app"]}"#),
        "/v2/app/tags/list" => Reply::json(200, r#"{"name":"app","tags":["1.0","1.1"]}"#)
            .header("Link", r#"</v2/app/tags/list?last=1.1&n=2>; rel="next""#),
        "/v2/app/tags/list?last=1.1&n=2" => Reply::json(200, r#"{"name":"app","tags":["1.2"]}"#),
        t if t.starts_with("/v2/app/manifests/") => {
            Reply::new(200).header("Docker-Content-Digest", &sha256(t.as_bytes()))
        }
        _ => Reply::json(404, "{}"),
    });
    let out = Sandbox::new()
        .live(&server.url(), &["list-tag-names"])
        .success();
    assert_eq!(stdout(&out), "app  1.0\napp  1.1\napp  1.2\n");
}

#[test]
fn nexus_quirks_head_404_and_null_tags() {
    // Nexus answers 404 to HEAD on manifests and has listed null entries among tags; the manifest
    // carries no Docker-Content-Digest, so its digest is the sha256 of the body.
    let manifest = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}"#;
    let server = Scripted::start(
        move |req| match (req.method.as_str(), req.target.as_str()) {
            (_, "/v2/") => Reply::json(200, "{}"),
            (_, "/v2/_catalog") => Reply::json(200, r#"{"repositories":["app","gone",null]}"#),
            (_, "/v2/app/tags/list") => Reply::json(200, r#"{"name":"app","tags":["1.0",null]}"#),
            (_, "/v2/gone/tags/list") => {
                Reply::json(404, r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#)
            }
            ("HEAD", _) => Reply::new(404),
            ("GET", "/v2/app/manifests/1.0") => Reply::new(200)
                .header("Content-Type", "application/json")
                .body(manifest),
            _ => Reply::json(404, "{}"),
        },
    );
    let out = Sandbox::new()
        .live(&server.url(), &["--format", "json", "list-tag-names"])
        .success();
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["repository"], "app");
    assert_eq!(rows[0]["digest"], sha256(manifest.as_bytes()));
    assert_eq!(rows[0]["media_type"], OCI_MANIFEST);
    let gets = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.target.contains("/manifests/"))
        .count();
    assert_eq!(gets, 1);
}

#[test]
fn every_manifest_request_accepts_every_manifest_type() {
    let server = registry(r#"{"name":"app","tags":["1.0","2.0"]}"#);
    Sandbox::new()
        .live(&server.url(), &["list-tag-names"])
        .success();
    let manifest_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.target.contains("/manifests/"))
        .collect();
    assert_eq!(manifest_requests.len(), 2);
    for request in manifest_requests {
        assert_eq!(request.method, "HEAD");
        let accept = request.header("accept").unwrap_or_default();
        for media_type in [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            "application/vnd.docker.distribution.manifest.v1+json",
        ] {
            assert!(
                accept.contains(media_type),
                "{media_type} missing from {accept}"
            );
        }
    }
}

#[test]
fn requests_in_flight_never_exceed_the_concurrency() {
    // 60 tags, each HEAD held for 50 ms: with --concurrency 4 no more than 4 may overlap.
    let in_flight = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tags: Vec<String> = (0..60).map(|i| format!("\"1.{i}\"")).collect();
    let tags_json = format!(r#"{{"name":"app","tags":[{}]}}"#, tags.join(","));
    let server = {
        let (in_flight, peak) = (in_flight.clone(), peak.clone());
        Scripted::start(move |req| match req.target.as_str() {
            "/v2/" => Reply::json(200, "{}"),
            "/v2/_catalog" => Reply::json(200, r#"{"repositories":["app"]}"#),
            "/v2/app/tags/list" => Reply::json(200, &tags_json),
            t => {
                use std::sync::atomic::Ordering::SeqCst;
                let now = in_flight.fetch_add(1, SeqCst) + 1;
                peak.fetch_max(now, SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(50));
                in_flight.fetch_sub(1, SeqCst);
                Reply::new(200).header("Docker-Content-Digest", &sha256(t.as_bytes()))
            }
        })
    };
    let out = Sandbox::new()
        .live(
            &server.url(),
            &["--concurrency", "4", "--count", "list-tag-names"],
        )
        .success();
    assert!(stdout(&out).ends_with("Number of tags: 60\n"));
    let peak = peak.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=4).contains(&peak), "peak of {peak} requests in flight");
}

/// Without --concurrency the limit adapts: against a registry that refuses (429) whenever more than
/// six requests are in flight, it backs off and settles below the registry's limit.
#[test]
fn the_adaptive_limit_backs_off_on_too_many_requests() {
    backs_off_on_too_many_requests(std::time::Duration::ZERO);
}

/// The same registry far away (its listings answer after 60 ms, a far first round trip): the limit
/// starts higher there, so the first window floods it harder, and it must still settle.
#[test]
fn the_adaptive_limit_backs_off_from_a_far_start() {
    backs_off_on_too_many_requests(std::time::Duration::from_millis(60));
}

/// `reply`, sent `far` later.
fn far_away(far: std::time::Duration, reply: Reply) -> Reply {
    std::thread::sleep(far);
    reply
}

fn backs_off_on_too_many_requests(far: std::time::Duration) {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::{Arc, Mutex};
    const SERVER_LIMIT: usize = 6;
    let in_flight = Arc::new(AtomicUsize::new(0));
    // For each HEAD, in arrival order: how many were in flight, and whether it was refused.
    let log = Arc::new(Mutex::new(Vec::<(usize, bool)>::new()));
    let tags: Vec<String> = (0..300).map(|i| format!("\"1.{i}\"")).collect();
    let tags_json = format!(r#"{{"name":"app","tags":[{}]}}"#, tags.join(","));
    let server = {
        let (in_flight, log) = (in_flight.clone(), log.clone());
        Scripted::start(move |req| match req.target.as_str() {
            "/v2/" => far_away(far, Reply::json(200, "{}")),
            "/v2/_catalog" => far_away(far, Reply::json(200, r#"{"repositories":["app"]}"#)),
            "/v2/app/tags/list" => far_away(far, Reply::json(200, &tags_json)),
            t => {
                let now = in_flight.fetch_add(1, SeqCst) + 1;
                let refused = now > SERVER_LIMIT;
                log.lock().unwrap().push((now, refused));
                let reply = if refused {
                    Reply::json(429, r#"{"errors":[{"code":"TOOMANYREQUESTS"}]}"#)
                        .header("Retry-After", "0")
                } else {
                    std::thread::sleep(std::time::Duration::from_millis(15));
                    Reply::new(200).header("Docker-Content-Digest", &sha256(t.as_bytes()))
                };
                in_flight.fetch_sub(1, SeqCst);
                reply
            }
        })
    };
    let out = Sandbox::new()
        .live(&server.url(), &["--verbose", "--count", "list-tag-names"])
        .success();
    assert!(stdout(&out).ends_with("Number of tags: 300\n"));
    // (Near, a first answer slowed past 50 ms by a busy machine may start it far too: not asserted.)
    if !far.is_zero() {
        let story = stderr(&out);
        assert!(
            story.contains("requests in flight: 32 (far) to "),
            "{story}"
        );
    }
    let log = log.lock().unwrap();
    let refused = log.iter().filter(|(_, r)| *r).count();
    assert!(
        refused > 0,
        "it never reached the registry's limit: started too low to test"
    );
    // Once it has learned, it stays at or below the registry's limit nearly always.
    let late = &log[log.len() / 2..];
    let late_refused = late.iter().filter(|(_, r)| *r).count();
    assert!(
        late_refused * 100 <= late.len() * 10,
        "{late_refused} of the last {} requests refused ({refused} in all)",
        late.len()
    );
    let peak = late.iter().map(|(n, _)| *n).max().unwrap_or(0);
    assert!(
        peak <= SERVER_LIMIT + 2,
        "peak of {peak} in flight after learning"
    );
}

#[test]
fn an_answer_that_is_not_valid_http_is_the_registrys_fault() {
    // A control character in a header value: HTTP forbids it (RFC 9110, 5.5), so the client's
    // parser refuses the answer. The registry spoke bad HTTP; the network was fine.
    let server = Scripted::start(|_| Reply::json(200, "{}").header("X-Broken", "a\u{1}b"));
    let out = Sandbox::new()
        .live(&server.url(), &["list-repo-names"])
        .code(5);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("malformed answer: the answer was not valid HTTP"),
        "{err}"
    );
    assert!(!err.contains("check the network"), "{err}");
}

#[test]
fn a_host_name_that_cannot_be_one_is_a_usage_error_before_any_file() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .cmd()
        .args(["-reg", &"a".repeat(300), "cache", "info"])
        .assert()
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("a host name has at most 253 characters, not 300"),
        "{err}"
    );
    let label = format!("{}.example.com", "b".repeat(64));
    let out = sandbox
        .cmd()
        .args(["-reg", &label, "cache", "info"])
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("at most 63 characters, not 64"),
        "{}",
        stderr(&out)
    );
    assert!(!sandbox.cache_dir().exists(), "a file was touched");

    // A long but valid name still gets its cache file, with a name the file system takes.
    let long = format!("{}.example.com", vec!["c".repeat(63); 3].join("."));
    let out = sandbox
        .cmd()
        .args(["-reg", &long, "--format", "json", "cache", "info"])
        .assert()
        .success();
    let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let path = std::path::PathBuf::from(info["path"].as_str().unwrap());
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(name.len() <= 255 && name.starts_with("ccc"), "{name}");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{}").expect("the file system takes the name");
}
