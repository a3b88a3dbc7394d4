//! Authentication against real registries: htpasswd (bcrypt) behind TLS, token authentication with a
//! token server that signs real JWTs the registry validates, Docker's configuration (auths, helpers,
//! credsStore, identity tokens), the password prompt, and secrets kept out of output, logs, cache and
//! journal and away from other hosts.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;

use crate::common::scripted::{Reply, Scripted};
use crate::common::seed;
use crate::common::tls::test_pki;
use crate::common::token::TokenServer;
use crate::common::{
    RegistryOptions, Sandbox, TestRegistry, assert_clean_error, assert_stderr_has,
    assert_stdout_has, stderr, stdout,
};
use base64::Engine as _;
use serde_json::json;

const PASSWORD: &str = "s3cret-Pa55";

/// A TLS registry with htpasswd authentication (user alice), seeded with the sample repositories.
/// Returns it with the CA to trust.
fn htpasswd_registry(sandbox: &Sandbox) -> (TestRegistry, String) {
    let mut registry = TestRegistry::with_sample();
    let pki = test_pki(sandbox.home.path());
    let htpasswd = sandbox.home.path().join("htpasswd");
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    fs::write(&htpasswd, format!("alice:{hash}\n")).unwrap();
    registry.reconfigure(&RegistryOptions {
        tls: Some((pki.cert.clone(), pki.key.clone())),
        htpasswd: Some(htpasswd),
        ..RegistryOptions::default()
    });
    (registry, pki.ca.display().to_string())
}

/// A credential helper on the sandbox's PATH answering for every server with alice's credentials.
fn install_helper(sandbox: &Sandbox, name: &str, secret: &str) {
    let bin = sandbox.bin_dir();
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join(format!("docker-credential-{name}"));
    fs::write(
        &script,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\necho \"$server\" >> \"$HOME/helper-calls\"\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"{secret}\"}}' \"$server\"\n"
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn basic_auth_behind_tls() {
    let sandbox = Sandbox::new();
    let (registry, ca) = htpasswd_registry(&sandbox);
    let url = registry.url();

    let out = sandbox.live(&url, &["-v", &ca, "list-repo-names"]).code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("authentication required (401)") && err.contains("--user"),
        "{err}"
    );

    let out = sandbox
        .live(
            &url,
            &["-v", &ca, "-u", "alice", "-p", "wrong", "list-repo-names"],
        )
        .code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains(&format!("authentication failed for alice at {url}")),
        "{err}"
    );

    let out = sandbox
        .run(
            &url,
            &[
                "-v",
                &ca,
                "-u",
                "alice",
                "-p",
                PASSWORD,
                "-l",
                "debug",
                "list-tag-names",
            ],
        )
        .success();
    assert!(stdout(&out).contains("1.10"), "{}", stdout(&out));
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}"));
    for text in [
        stdout(&out),
        stderr(&out),
        fs::read_to_string(sandbox.default_cache(registry.port)).unwrap(),
    ] {
        assert!(
            !text.contains(PASSWORD) && !text.contains(&encoded),
            "a secret leaked: {text}"
        );
    }

    // --password-stdin, and the dregutil environment variables.
    sandbox
        .cmd()
        .args([
            "-reg",
            &url,
            "-v",
            &ca,
            "-u",
            "alice",
            "--password-stdin",
            "-c",
            "None",
            "list-repo-names",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    sandbox
        .cmd()
        .env("REGISTRY", &url)
        .env("REGISTRY_USER", "alice")
        .env("REGISTRY_PASSWORD", PASSWORD)
        .env("SSL_CERT_FILE", &ca)
        .args(["-c", "None", "list-repo-names"])
        .assert()
        .success();
}

#[test]
fn docker_configuration_auths_helpers_and_store() {
    let sandbox = Sandbox::new();
    let (registry, ca) = htpasswd_registry(&sandbox);
    let url = registry.url();
    let host = format!("127.0.0.1:{}", registry.port);
    let list = || sandbox.live(&url, &["-v", &ca, "list-repo-names"]);
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}"));

    // auths, keyed with a scheme, as `docker login https://...` writes it.
    sandbox.docker_config(&json!({"auths": {format!("https://{host}"): {"auth": auth}}}));
    list().success();
    sandbox.docker_config(
        &json!({"auths": {host.clone(): {"username": "alice", "password": PASSWORD}}}),
    );
    list().success();
    sandbox.docker_config(
        &json!({"auths": {host.clone(): {"username": "alice", "password": "nope"}}}),
    );
    assert!(stderr(&list().code(4)).contains("authentication failed for alice"));

    // A helper for this registry, and the store, both come before auths.
    install_helper(&sandbox, "regtest", PASSWORD);
    sandbox.docker_config(&json!({
        "credHelpers": {host.clone(): "regtest"},
        "auths": {host.clone(): {"username": "alice", "password": "nope"}},
    }));
    list().success();
    sandbox.docker_config(&json!({
        "credsStore": "regtest",
        "auths": {host.clone(): {}},
    }));
    list().success();
    let calls = fs::read_to_string(sandbox.home.path().join("helper-calls")).unwrap();
    assert!(calls.lines().all(|l| l == host), "{calls}");

    // A helper that fails is an error naming it, not a silent anonymous run.
    install_helper(&sandbox, "broken", PASSWORD);
    fs::write(
        sandbox.bin_dir().join("docker-credential-broken"),
        "#!/bin/sh\necho 'helper exploded' >&2\nexit 3\n",
    )
    .unwrap();
    sandbox.docker_config(&json!({"credHelpers": {host.clone(): "broken"}}));
    let err = stderr(&list().code(2));
    assert!(
        err.contains("the credential helper docker-credential-broken failed"),
        "{err}"
    );

    // --user wins over the configuration.
    sandbox
        .live(
            &url,
            &["-v", &ca, "-u", "alice", "-p", PASSWORD, "list-repo-names"],
        )
        .success();
}

#[test]
fn the_password_is_asked_for_on_a_terminal() {
    let sandbox = Sandbox::new();
    let (registry, ca) = htpasswd_registry(&sandbox);
    let mut cmd = sandbox.std_cmd();
    // The refresh into an empty cache draws a progress bar: not over the prompt.
    cmd.args([
        "-reg",
        &registry.url(),
        "-v",
        &ca,
        "-u",
        "alice",
        "list-tag-names",
    ]);
    cmd.env("TERM", "xterm-256color");
    let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    session
        .exp_string(&format!("Password for alice at {}:", registry.url()))
        .unwrap();
    // Nothing is drawn over the prompt while it waits (a progress bar redrawn every 120 ms would
    // erase it).
    std::thread::sleep(std::time::Duration::from_millis(800));
    let mut drawn = String::new();
    while let Some(c) = session.try_read() {
        drawn.push(c);
    }
    assert_eq!(drawn.trim(), "", "drawn over the password prompt");
    session.send_line(PASSWORD).unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("app"), "{rest}");
    assert!(!rest.contains(PASSWORD), "the password was echoed");

    // Without a terminal there is no one to ask.
    let out = sandbox
        .live(
            &registry.url(),
            &["-v", &ca, "-u", "alice", "list-repo-names"],
        )
        .code(2);
    assert_stderr_has(&out, "--password-stdin");
}

/// A registry with token authentication: alice may list the catalog, pull everything and delete in
/// `a` only; anonymous users get nothing.
fn token_registry(sandbox: &Sandbox) -> (TestRegistry, TokenServer) {
    let mut registry = TestRegistry::start();
    seed::dregutil_abc(&registry.seeder());
    let tokens = TokenServer::start(
        sandbox.home.path(),
        &[("alice", PASSWORD)],
        &[("identity-tok-1", "alice")],
        |user, kind, name| match (user, kind) {
            (Some("alice"), "registry") => vec!["*".into()],
            (Some("alice"), "repository") if name == "a" => vec!["pull".into(), "delete".into()],
            (Some("alice"), "repository") => vec!["pull".into()],
            _ => Vec::new(),
        },
    );
    registry.reconfigure(&RegistryOptions {
        token: Some(tokens.auth()),
        ..RegistryOptions::default()
    });
    (registry, tokens)
}

#[test]
fn token_authentication_with_one_token_per_scope() {
    let sandbox = Sandbox::new();
    let (registry, tokens) = token_registry(&sandbox);
    let url = registry.url();
    let out = sandbox
        .run(
            &url,
            &[
                "-u",
                "alice",
                "-p",
                PASSWORD,
                "--format",
                "json",
                "list-tag-names",
            ],
        )
        .success();
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 11);
    // 11 tags in 3 repositories, read concurrently: still one token per scope.
    assert_eq!(tokens.requests_for("registry:catalog:*"), 1);
    for repo in ["a", "b", "c"] {
        assert_eq!(
            tokens.requests_for(&format!("repository:{repo}:pull")),
            1,
            "{repo}"
        );
    }

    let out = sandbox.live(&url, &["list-repo-names"]).code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("not allowed: listing the catalog was refused"),
        "{err}"
    );

    let out = sandbox
        .live(&url, &["-u", "alice", "-p", "wrong", "list-repo-names"])
        .code(4);
    assert_stderr_has(&out, &format!("authentication failed for alice at {url}"));
}

#[test]
fn a_token_without_delete_deletes_nothing_and_says_so() {
    let sandbox = Sandbox::new();
    let (registry, _tokens) = token_registry(&sandbox);
    let url = registry.url();
    let creds = ["-u", "alice", "-p", PASSWORD];
    let mut args = creds.to_vec();
    // One at a time, so the first refusal (in b) stops the rest deterministically.
    args.extend([
        "--concurrency",
        "1",
        "remove-tags",
        "-r",
        "b",
        "c",
        "-t",
        "1.0.0",
        "latest",
        "--yes",
    ]);
    let out = sandbox.run(&url, &args).code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("not allowed: delete on repository b was refused"),
        "{err}"
    );
    let mut args = creds.to_vec();
    args.extend(["-c", "None", "list-tag-names", "b"]);
    assert_eq!(
        stdout(&sandbox.run(&url, &args).success()),
        "b  1.0.0\nb  latest\n"
    );

    // Where delete is granted, the registry itself accepts the token.
    let mut args = creds.to_vec();
    args.extend(["remove-tags", "-r", "a", "-t", "<1.2.0", "latest", "--yes"]);
    sandbox.run(&url, &args).success();
    let journal = fs::read_dir(sandbox.home.path().join("data/regsweep/journal"))
        .unwrap()
        .flatten()
        .flat_map(|d| fs::read_dir(d.path()).unwrap().flatten())
        .map(|f| fs::read_to_string(f.path()).unwrap())
        .collect::<String>();
    assert!(
        !journal.contains(PASSWORD) && !journal.contains("eyJ"),
        "a secret reached the journal"
    );
}

#[test]
fn identity_tokens_from_the_docker_configuration() {
    let sandbox = Sandbox::new();
    let (registry, tokens) = token_registry(&sandbox);
    let host = format!("127.0.0.1:{}", registry.port);
    sandbox.docker_config(&json!({"auths": {host: {"identitytoken": "identity-tok-1"}}}));
    let out = sandbox
        .live(&registry.url(), &["list-repo-names"])
        .success();
    assert_eq!(stdout(&out), "a\nb\nc\n");
    assert!(tokens.server.requests().iter().all(|r| r.method == "POST"));
    sandbox.docker_config(
        &json!({"auths": {format!("127.0.0.1:{}", registry.port): {"identitytoken": "revoked"}}}),
    );
    let out = sandbox.live(&registry.url(), &["list-repo-names"]).code(4);
    assert_stderr_has(&out, "authentication failed for the identity token");
}

#[test]
fn token_server_unreachable_or_answering_garbage() {
    let sandbox = Sandbox::new();
    let mut registry = TestRegistry::start();
    let garbage = Scripted::start(|_| {
        Reply::new(200)
            .header("Content-Type", "text/html")
            .body("<html>login</html>")
    });
    for (realm, code, text) in [
        (
            format!("http://127.0.0.1:{}/token", crate::common::free_port()),
            3,
            "cannot reach it",
        ),
        (
            format!("{}/token", garbage.url()),
            5,
            "answered something that is not a token",
        ),
    ] {
        registry.reconfigure(&RegistryOptions {
            token: Some(crate::common::TokenAuth {
                realm: realm.clone(),
                service: "s".into(),
                issuer: "i".into(),
                rootcertbundle: test_pki(sandbox.home.path()).ca,
            }),
            ..RegistryOptions::default()
        });
        let out = sandbox
            .live(
                &registry.url(),
                &["-u", "alice", "-p", PASSWORD, "list-repo-names"],
            )
            .code(code);
        let err = stderr(&out);
        assert_clean_error(&err);
        assert!(
            err.contains(&format!("token server {realm}")) && err.contains(text),
            "{err}"
        );
    }
}

#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    // The manifest lives on a second server (127.0.0.2, another host to HTTP): a redirect to it must
    // not carry the registry's credentials.
    let other = Scripted::start_at("127.0.0.2", |_| {
        Reply::new(200)
            .header("Content-Type", seed::OCI_MANIFEST)
            .header("Docker-Content-Digest", &seed::sha256(b"m"))
    });
    let other_url = other.url();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}"))
    );
    let registry = Scripted::start(move |req| {
        if req.header("authorization") != Some(expected.as_str()) {
            return Reply::json(401, r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#)
                .header("WWW-Authenticate", r#"Basic realm="test""#);
        }
        match req.target.as_str() {
            "/v2/" => Reply::json(200, "{}"),
            "/v2/_catalog" => Reply::json(200, r#"{"repositories":["app"]}"#),
            "/v2/app/tags/list" => Reply::json(200, r#"{"name":"app","tags":["1.0"]}"#),
            t => Reply::new(307).header("Location", &format!("{other_url}{t}")),
        }
    });
    let sandbox = Sandbox::new();
    let out = sandbox
        .live(
            &registry.url(),
            &[
                "-u",
                "alice",
                "-p",
                PASSWORD,
                "--format",
                "json",
                "list-tag-names",
            ],
        )
        .success();
    assert_stdout_has(&out, &seed::sha256(b"m"));
    let seen = other.requests();
    assert!(!seen.is_empty(), "the redirect was not followed");
    for request in seen {
        assert_eq!(
            request.header("authorization"),
            None,
            "credentials went to another host"
        );
    }
}

#[test]
fn an_expired_token_is_renewed() {
    let sandbox = Sandbox::new();
    let mut registry = TestRegistry::start();
    seed::dregutil_abc(&registry.seeder());
    // Tokens say they last 6 s; regsweep renews them 5 s early, so each is good for about a second.
    let tokens = TokenServer::start_with_lifetime(
        sandbox.home.path(),
        &[("alice", PASSWORD)],
        &[],
        6,
        |user, _, _| {
            if user.is_some() {
                vec!["*".into()]
            } else {
                Vec::new()
            }
        },
    );
    registry.reconfigure(&RegistryOptions {
        token: Some(tokens.auth()),
        ..RegistryOptions::default()
    });
    // a's tag list takes 1.5 s: the token fetched for it has expired when a's tags are resolved.
    let proxy = Scripted::proxy(&registry.url(), |req| {
        if req.target.starts_with("/v2/a/tags/list") {
            std::thread::sleep(std::time::Duration::from_millis(1500));
        }
        None
    });
    let out = sandbox
        .live(
            &proxy.url(),
            &["-u", "alice", "-p", PASSWORD, "list-tag-names", "a"],
        )
        .success();
    assert_eq!(stdout(&out).lines().count(), 5);
    assert_eq!(
        tokens.requests_for("repository:a:pull"),
        2,
        "the expired token was not renewed"
    );
}

/// A registry that asks for HTTP Digest authentication (RFC 2617, MD5, qop=auth) and checks every
/// answer itself.
fn digest_registry() -> Scripted {
    const REALM: &str = "regsweep-digest";
    const NONCE: &str = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    let md5 = |text: String| {
        use md5::Digest as _;
        md5::Md5::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    Scripted::start(move |req| {
        let valid = req
            .header("authorization")
            .and_then(|h| h.strip_prefix("Digest "))
            .is_some_and(|params| {
                let get = |name: &str| {
                    params.split(", ").find_map(|p| {
                        let (k, v) = p.split_once('=')?;
                        (k.trim() == name).then(|| v.trim_matches('"').to_owned())
                    })
                };
                let (Some(user), Some(uri), Some(nc), Some(cnonce), Some(response)) = (
                    get("username"),
                    get("uri"),
                    get("nc"),
                    get("cnonce"),
                    get("response"),
                ) else {
                    return false;
                };
                let ha1 = md5(format!("{user}:{REALM}:{PASSWORD}"));
                let ha2 = md5(format!("{}:{uri}", req.method));
                let expected = md5(format!("{ha1}:{NONCE}:{nc}:{cnonce}:auth:{ha2}"));
                user == "alice" && uri == req.target && response == expected
            });
        if !valid {
            return Reply::json(401, r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#).header(
                "WWW-Authenticate",
                &format!(r#"Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5"#),
            );
        }
        match req.target.as_str() {
            "/v2/" => Reply::json(200, "{}"),
            "/v2/_catalog" => Reply::json(200, r#"{"repositories":["app"]}"#),
            "/v2/app/tags/list" => Reply::json(200, r#"{"name":"app","tags":["1.0","2.0"]}"#),
            t => Reply::new(200)
                .header("Content-Type", seed::OCI_MANIFEST)
                .header("Docker-Content-Digest", &seed::sha256(t.as_bytes())),
        }
    })
}

#[test]
fn digest_authentication_as_dregutil_offered() {
    let registry = digest_registry();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let out = sandbox
        .live(
            &url,
            &[
                "-u",
                "alice",
                "-p",
                PASSWORD,
                "--digest-auth",
                "yes",
                "list-tag-names",
            ],
        )
        .success();
    assert_eq!(stdout(&out), "app  1.0\napp  2.0\n");
    sandbox
        .cmd()
        .env("REGISTRY_USE_DIGEST_AUTH", "true")
        .args([
            "-reg",
            &url,
            "-u",
            "alice",
            "-p",
            PASSWORD,
            "-c",
            "None",
            "list-repo-names",
        ])
        .assert()
        .success();
    let out = sandbox
        .live(
            &url,
            &[
                "-u",
                "alice",
                "-p",
                "wrong",
                "--digest-auth",
                "yes",
                "list-repo-names",
            ],
        )
        .code(4);
    assert_stderr_has(&out, "authentication failed for alice");
    // Every request after the challenge carried a valid answer, never the password itself.
    for request in registry.requests() {
        let header = request.header("authorization").unwrap_or_default();
        assert!(
            !header.contains(PASSWORD) && !header.starts_with("Basic"),
            "{header}"
        );
    }
}

/// A run the cache can answer sends nothing, so it resolves no credentials: a credential helper
/// that fails loudly is never run, and `--user` without a password needs no terminal.
#[test]
fn a_cache_only_run_never_resolves_credentials() {
    let sandbox = Sandbox::new();
    let (registry, ca) = htpasswd_registry(&sandbox);
    let url = registry.url();
    let with_password = ["-v", &ca, "-u", "alice", "-p", PASSWORD];
    sandbox
        .run(&url, &[&with_password[..], &["usage"]].concat())
        .success();
    sandbox
        .run(
            &url,
            &[&with_password[..], &["list-tag-names", "--long"]].concat(),
        )
        .success();
    // From now on credentials come from a helper that fails loudly and leaves a mark when run.
    let bin = sandbox.bin_dir();
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("docker-credential-loud");
    fs::write(
        &script,
        "#!/bin/sh\ntouch \"$HOME/loud-was-called\"\necho 'loud helper called' >&2\nexit 1\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let host = url.trim_start_matches("https://");
    sandbox.docker_config(&json!({"credHelpers": {host: "loud"}}));
    let mark = sandbox.home.path().join("loud-was-called");
    for args in [
        &["list-repo-names"][..],
        &["list-tag-names", "--long"],
        &["usage"],
        &["query-tags", "-r", "app", "-t", "<1.10"],
        &["query-repos", "-r", "team-a/web"],
        &["remove-tags", "-r", "app", "-t", "<1.10", "--dry-run"],
    ] {
        let out = sandbox.run(&url, &[&["-v", &ca][..], args].concat());
        let err = stderr(&out);
        out.success();
        assert!(!mark.exists(), "{args:?} ran the credential helper: {err}");
    }
    // --user without a password and without a terminal: nothing to ask, nothing asked.
    sandbox
        .run(
            &url,
            &[
                "-v",
                &ca,
                "-u",
                "alice",
                "query-tags",
                "-r",
                "app",
                "-t",
                "<1.10",
            ],
        )
        .success();
    // The control: a run that must talk to the registry does run the helper, and says it failed.
    let out = sandbox
        .run(&url, &["-v", &ca, "--refresh", "list-repo-names"])
        .code(2);
    assert_clean_error(&stderr(&out));
    assert_stderr_has(&out, "docker-credential-loud failed");
    assert!(mark.exists());
}
