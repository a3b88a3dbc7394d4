//! HTTPS registries: https is assumed without a scheme, certificates are verified, `--verify CA` trusts
//! a private CA, `--verify None` / `--insecure` turn verification off with a warning.

use crate::common::tls::test_pki;
use crate::common::{
    RegistryOptions, Sandbox, TestRegistry, assert_stderr_has, assert_stdout_has, stderr,
};

fn tls_registry(dir: &std::path::Path) -> (TestRegistry, std::path::PathBuf) {
    let pki = test_pki(dir);
    let registry = TestRegistry::start_with(&RegistryOptions {
        tls: Some((pki.cert.clone(), pki.key.clone())),
        ..RegistryOptions::default()
    });
    (registry, pki.ca)
}

#[test]
fn an_untrusted_certificate_is_a_tls_error_with_a_hint() {
    let sandbox = Sandbox::new();
    let (registry, _) = tls_registry(sandbox.home.path());
    let out = sandbox.run(&registry.url(), &["list-repo-names"]).code(3);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "TLS connection to https://127.0.0.1:{}/v2/ failed",
            registry.port
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: pass the registry's CA with --verify"),
        "{err}"
    );
}

#[test]
fn a_private_ca_is_trusted_with_verify() {
    let sandbox = Sandbox::new();
    let (registry, ca) = tls_registry(sandbox.home.path());
    let ca = ca.to_str().unwrap();
    // Without a scheme, https is assumed.
    let host = format!("127.0.0.1:{}", registry.port);
    let out = sandbox
        .run(&host, &["-v", ca, "--count", "list-repo-names"])
        .success();
    assert_stdout_has(&out, "Number of repositories: 0");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));

    sandbox
        .cmd()
        .env("REQUESTS_CA_BUNDLE", ca)
        .args(["-reg", &host, "--refresh", "list-repo-names"])
        .assert()
        .success();
}

#[test]
fn verification_can_be_turned_off_with_a_warning() {
    let sandbox = Sandbox::new();
    let (registry, _) = tls_registry(sandbox.home.path());
    for off in [&["--verify", "None"][..], &["--insecure"]] {
        let mut args = off.to_vec();
        args.extend(["-c", "None", "list-repo-names"]);
        let out = sandbox.run(&registry.url(), &args).success();
        assert_stderr_has(&out, "warning: TLS certificate verification is disabled");
    }
}

#[test]
fn unreadable_or_invalid_ca_bundles_are_usage_errors() {
    let sandbox = Sandbox::new();
    let (registry, _) = tls_registry(sandbox.home.path());
    let out = sandbox
        .run(
            &registry.url(),
            &["-v", "/nonexistent/ca.pem", "list-repo-names"],
        )
        .code(2);
    assert_stderr_has(
        &out,
        "the CA bundle \"/nonexistent/ca.pem\" (--verify) does not exist",
    );
    let junk = sandbox.home.path().join("junk.pem");
    std::fs::write(
        &junk,
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let out = sandbox
        .run(
            &registry.url(),
            &["-v", junk.to_str().unwrap(), "list-repo-names"],
        )
        .code(2);
    assert_stderr_has(&out, "invalid CA bundle");
}

#[test]
fn client_certificates_are_presented() {
    let sandbox = Sandbox::new();
    let pki = test_pki(sandbox.home.path());
    let registry = TestRegistry::start_with(&RegistryOptions {
        tls: Some((pki.cert.clone(), pki.key.clone())),
        client_ca: Some(pki.ca.clone()),
        ..RegistryOptions::default()
    });
    let ca = pki.ca.to_str().unwrap();
    let (cert, key) = (
        pki.client_cert.to_str().unwrap(),
        pki.client_key.to_str().unwrap(),
    );

    // Under TLS 1.3 the refusal arrives as an alert or as a closed connection, depending on timing.
    let out = sandbox
        .live(&registry.url(), &["-v", ca, "list-repo-names"])
        .code(3);
    let err = stderr(&out);
    assert!(err.contains(&format!("{}/v2/", registry.url())), "{err}");
    assert!(err.contains("--client-cert"), "{err}");

    // dregutil's spellings, key apart ...
    sandbox
        .live(
            &registry.url(),
            &["-v", ca, "-cert", cert, "-key", key, "list-repo-names"],
        )
        .success();
    // ... or in the certificate file, and from the environment.
    let both = sandbox.home.path().join("both.pem");
    let pem = std::fs::read_to_string(cert).unwrap() + &std::fs::read_to_string(key).unwrap();
    std::fs::write(&both, pem).unwrap();
    sandbox
        .cmd()
        .env("REGISTRY_CLIENT_CERT", &both)
        .args([
            "-reg",
            &registry.url(),
            "-v",
            ca,
            "-c",
            "None",
            "list-repo-names",
        ])
        .assert()
        .success();

    let out = sandbox
        .run(
            &registry.url(),
            &["-v", ca, "--client-cert", ca, "list-repo-names"],
        )
        .code(2);
    assert_stderr_has(&out, "invalid client certificate");
}

#[test]
fn over_http2_the_adaptive_limit_may_go_twice_as_high() {
    // Distribution serves HTTP/2 over TLS: one connection carries many requests, so the adaptive
    // limit's ceiling rises from 512 (a connection per request over HTTP/1.1) to 1,024, spread over
    // up to eight connections of 128 streams.
    let sandbox = Sandbox::new();
    // The debug line the client writes once it knows the registry's protocol.
    let protocol_line = |registry: &str, args: &[&str]| {
        let out = sandbox
            .live(
                registry,
                &[args, &["-l", "debug", "list-repo-names"]].concat(),
            )
            .success();
        let err = stderr(&out);
        err.lines()
            .find(|l| l.contains("talking to the registry"))
            .unwrap_or_else(|| panic!("no protocol line:\n{err}"))
            .to_owned()
    };
    let (registry, ca) = tls_registry(sandbox.home.path());
    let host = format!("127.0.0.1:{}", registry.port);
    let line = protocol_line(&host, &["-v", ca.to_str().unwrap()]);
    assert!(
        line.contains("version=HTTP/2.0") && line.contains("ceiling=1024"),
        "{line}"
    );

    let plain = TestRegistry::start();
    let line = protocol_line(&plain.url(), &[]);
    assert!(
        line.contains("version=HTTP/1.1") && line.contains("ceiling=512"),
        "{line}"
    );
}
