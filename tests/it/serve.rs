//! `regsweep serve` against the real registry: the HAL API and its sizes (compared with `usage`), the
//! HTML pages, login through a real slapd and the tokens that guard every endpoint, and the
//! registry's own notifications keeping the answers current without a refresh.

use std::time::Duration;

use serde_json::Value;

use crate::common::ldap::{BASE, READER_DN, READER_PASSWORD, TestLdap};
use crate::common::seed::{Image, Kind};
use crate::common::service::Service;
use crate::common::{RegistryOptions, Sandbox, TestRegistry, free_port, stdout};

fn json(response: reqwest::blocking::Response) -> Value {
    let status = response.status();
    let text = response.text().unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_api_serves_the_registry_as_usage_sees_it() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let service = Service::start(&sandbox, &registry.url(), &["--no-auth"]);
    assert!(service.log().contains("without login"), "{}", service.log());

    let images = service.get("/images").send().unwrap();
    assert_eq!(
        images.headers()["content-type"],
        "application/hal+json",
        "HAL"
    );
    let images = json(images);
    // Sizes exactly as `usage` reports them, from the cache the service wrote.
    let usage = sandbox
        .run(&registry.url(), &["--format", "json", "usage"])
        .success();
    let usage: Value = serde_json::from_str(&stdout(&usage)).unwrap();
    assert_eq!(images["disk_size"], usage["registry_disk_size"]);
    assert_eq!(
        images["repositories"].as_u64().unwrap() as usize,
        usage["repositories"].as_array().unwrap().len()
    );
    let app_usage = usage["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "app")
        .unwrap();
    let app = json(service.get("/images/app?links=true").send().unwrap());
    assert_eq!(app["size"], app_usage["size"]);
    assert_eq!(app["disk_size"], app_usage["disk_size"]);
    assert_eq!(app["tags"], app_usage["tags"]);
    assert_eq!(app["_links"]["parent"]["href"], "/images");
    let children: Vec<&str> = app["_links"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        [
            "1.2",
            "1.3-alpine",
            "v1.3.9",
            "1.9",
            "1.10",
            "dev-abc",
            "latest"
        ]
    );

    // Names with slashes, a multi-arch index's tag with its platforms.
    let tag = json(service.get("/images/oci/multi/tags/2.0").send().unwrap());
    assert_eq!(tag["media_type"], "application/vnd.oci.image.index.v1+json");
    assert_eq!(tag["platforms"].as_array().unwrap().len(), 2, "{tag}");
    assert!(tag["size"].as_u64().unwrap() > 0 && tag["disk_size"].as_u64().unwrap() > 0);
    assert!(tag["first_seen"].is_string(), "{tag}");
    let newer = json(
        service
            .get("/images/app/tags/1.9?newer=true")
            .send()
            .unwrap(),
    );
    assert_eq!(newer["newer"]["status"], "outdated");
    assert_eq!(newer["newer"]["tag"], "1.10");

    // The whole hierarchy in one answer, and a depth limit.
    let all = json(service.get("/images?embed=true").send().unwrap());
    let embedded = all["_embedded"]["images"].as_array().unwrap();
    assert_eq!(
        embedded.len(),
        images["repositories"].as_u64().unwrap() as usize
    );
    let tags: usize = embedded
        .iter()
        .map(|i| i["_embedded"]["tags"].as_array().unwrap().len())
        .sum();
    assert_eq!(tags as u64, images["tags"].as_u64().unwrap());
    let sizes: Vec<u64> = embedded
        .iter()
        .map(|i| i["disk_size"].as_u64().unwrap())
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {sizes:?}"
    );
    let shallow = json(service.get("/images?embed=1").send().unwrap());
    assert!(shallow["_embedded"]["images"][0].get("_embedded").is_none());
    let tags = json(service.get("/images/app/tags").send().unwrap());
    assert_eq!(tags["count"], 7);

    // Errors: JSON bodies, the right statuses.
    for (path, status) in [
        ("/images/nope", 404),
        ("/images/app/tags/9.9", 404),
        ("/images?embed=lots", 400),
        ("/images?frobnicate=1", 400),
        ("/images/%2e%2e/%2e%2e/etc/passwd", 404),
        ("/nothing-here", 404),
    ] {
        let response = service.get(path).send().unwrap();
        assert_eq!(response.status(), status, "{path}");
        let body: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        assert!(body["error"]["message"].is_string(), "{path}: {body}");
    }

    // Browsers get pages, with links.
    let page = service
        .get("/images")
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = page.text().unwrap();
    assert!(
        page.contains("<a href=\"/images/oci/multi\">oci/multi</a>"),
        "{page}"
    );

    let metrics = service.get("/metrics").send().unwrap().text().unwrap();
    assert!(metrics.contains("regsweep_tags "), "{metrics}");
    assert!(
        metrics.contains("regsweep_http_requests_total{status=\"404\"}"),
        "{metrics}"
    );
    let log = service.log();
    assert!(
        log.contains("GET /images/app 200"),
        "one line per request: {log}"
    );
    assert!(service.stop().success(), "SIGTERM stops it cleanly");
}

#[test]
fn no_auth_is_refused_off_loopback_and_bad_configurations_are_named() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .cmd()
        .args([
            "--registry",
            "http://127.0.0.1:9",
            "serve",
            "--no-auth",
            "--listen",
            "0.0.0.0:0",
        ])
        .assert()
        .code(2);
    assert!(crate::common::stderr(&out).contains("loopback"));
    let out = sandbox
        .cmd()
        .args(["--registry", "http://127.0.0.1:9", "serve"])
        .assert()
        .code(2);
    assert!(crate::common::stderr(&out).contains("[ldap]"));
    let default = sandbox
        .cmd()
        .args(["serve", "--print-default-config"])
        .assert()
        .success();
    let config = sandbox.cache_dir().join("serve.toml");
    std::fs::create_dir_all(sandbox.cache_dir()).unwrap();
    std::fs::write(
        &config,
        stdout(&default).replace("refresh_interval", "refresh_every"),
    )
    .unwrap();
    let out = sandbox
        .cmd()
        .args(["--registry", "http://127.0.0.1:9", "serve", "--config"])
        .arg(&config)
        .assert()
        .code(2);
    let err = crate::common::stderr(&out);
    assert!(
        err.contains("refresh_every") && err.contains("line"),
        "{err}"
    );
}

/// A configuration for the LDAP tests: search-then-bind or a DN template, a fixed token secret.
fn ldap_config(sandbox: &Sandbox, ldap: &TestLdap, search: bool) -> std::path::PathBuf {
    let dir = sandbox.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("secret"),
        "0123456789abcdef0123456789abcdef-test\n",
    )
    .unwrap();
    std::fs::write(dir.join("reader"), READER_PASSWORD).unwrap();
    let how = if search {
        format!(
            "[ldap.search]\nbase = \"ou=people,{BASE}\"\nbind_dn = \"{READER_DN}\"\n\
             bind_password_file = \"{}\"\n",
            dir.join("reader").display()
        )
    } else {
        format!("user_dn = \"uid={{user}},ou=people,{BASE}\"\n")
    };
    let config = dir.join(format!("serve-{search}.toml"));
    std::fs::write(
        &config,
        format!(
            "token_secret_file = \"{}\"\ntoken_lifetime = \"1h\"\n[ldap]\nurl = \"{}\"\n{how}",
            dir.join("secret").display(),
            ldap.url()
        ),
    )
    .unwrap();
    config
}

#[test]
fn logins_go_through_ldap_and_tokens_guard_every_endpoint() {
    let registry = TestRegistry::with_sample();
    let ldap = TestLdap::start();
    let sandbox = Sandbox::new();
    for search in [true, false] {
        let config = ldap_config(&sandbox, &ldap, search);
        let config = config.to_str().unwrap();
        let service = Service::start(&sandbox, &registry.url(), &["--config", config]);

        let refused = service.get("/images").send().unwrap();
        assert_eq!(refused.status(), 401);
        assert!(
            refused.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(
            service.get("/health").send().unwrap().status(),
            200,
            "no login"
        );
        let wrong = service
            .post("/auth_token")
            .basic_auth("alice", Some("nope"))
            .send()
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let empty = service
            .post("/auth_token")
            .basic_auth("alice", Some(""))
            .send()
            .unwrap();
        assert_eq!(
            empty.status(),
            401,
            "an empty password is no anonymous bind"
        );
        let answer = json(
            service
                .post("/auth_token")
                .basic_auth("alice", Some("alice-pw"))
                .send()
                .unwrap(),
        );
        let token = answer["token"].as_str().unwrap().to_owned();
        assert_eq!(answer["expires_in"], 3600);
        let ok = service
            .get("/images/app")
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(ok.status(), 200);
        let metrics = service.get("/metrics").bearer_auth(&token).send().unwrap();
        assert_eq!(metrics.status(), 200);
        let mut tampered = token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        for bad in [tampered.as_str(), "not-a-token"] {
            let response = service.get("/images/app").bearer_auth(bad).send().unwrap();
            assert_eq!(response.status(), 401, "{bad}");
            assert!(response.headers().contains_key("www-authenticate"));
        }
        // A browser without a token is sent to the login form.
        let page = service
            .get("/images")
            .header("accept", "text/html")
            .send()
            .unwrap();
        assert_eq!(page.status(), 303);
        assert!(
            !service.log().contains(&token),
            "tokens never reach the log"
        );
        assert!(!service.log().contains("alice-pw"));
        service.stop();
    }

    // Failed logins are limited per address.
    let config = ldap_config(&sandbox, &ldap, false);
    let service = Service::start(
        &sandbox,
        &registry.url(),
        &["--config", config.to_str().unwrap()],
    );
    let statuses: Vec<u16> = (0..7)
        .map(|_| {
            let r = service
                .post("/auth_token")
                .basic_auth("bob", Some("guess"))
                .send()
                .unwrap();
            r.status().as_u16()
        })
        .collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
    let blocked = service
        .post("/auth_token")
        .basic_auth("bob", Some("b0b-pw"))
        .send()
        .unwrap();
    assert_eq!(blocked.status(), 429, "even the right password waits");
    assert!(blocked.headers().contains_key("retry-after"));
}

#[test]
fn logins_work_over_ldaps_and_starttls() {
    let registry = TestRegistry::with_sample();
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = crate::common::tls::test_pki(pki_dir.path());
    let ldap = TestLdap::start_with(Some(&pki));
    let sandbox = Sandbox::new();
    let dir = sandbox.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let ldaps = format!("url = \"ldaps://127.0.0.1:{}\"", ldap.tls_port.unwrap());
    let starttls = format!("url = \"{}\"\nstarttls = true", ldap.url());
    for (name, connection) in [("ldaps", ldaps), ("starttls", starttls)] {
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!("[ldap]\n{connection}\nuser_dn = \"uid={{user}},ou=people,{BASE}\"\n"),
        )
        .unwrap();
        // The LDAP server's certificate is checked against the roots SSL_CERT_FILE names.
        let ca = pki.ca.to_str().unwrap();
        let service = Service::start_with_env(
            &sandbox,
            &registry.url(),
            &["--config", config.to_str().unwrap()],
            &[("SSL_CERT_FILE", ca)],
        );
        let login = service
            .post("/auth_token")
            .basic_auth("alice", Some("alice-pw"))
            .send()
            .unwrap();
        assert_eq!(login.status(), 200, "{name}: {}", service.log());
        let wrong = service
            .post("/auth_token")
            .basic_auth("alice", Some("x"))
            .send()
            .unwrap();
        assert_eq!(wrong.status(), 401, "{name}");
        drop(service);
        // Without the CA the server is not trusted, and the login cannot be checked.
        let untrusting = Service::start(
            &sandbox,
            &registry.url(),
            &["--config", config.to_str().unwrap()],
        );
        let refused = untrusting
            .post("/auth_token")
            .basic_auth("alice", Some("alice-pw"))
            .send()
            .unwrap();
        assert_eq!(
            refused.status(),
            503,
            "{name}: an untrusted server is no login"
        );
    }
}

#[test]
fn registry_notifications_change_the_answers_without_a_refresh() {
    let secret = "Bearer events-secret-for-the-test";
    let port = free_port();
    let registry = TestRegistry::start_with(&RegistryOptions {
        notify: Some((format!("http://127.0.0.1:{port}/events"), secret.to_owned())),
        ..RegistryOptions::default()
    });
    let seeder = registry.seeder();
    seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    let sandbox = Sandbox::new();
    let dir = sandbox.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("events"), secret).unwrap();
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[events]\nsecret_file = \"{}\"\n",
            dir.join("events").display()
        ),
    )
    .unwrap();
    let listen = format!("127.0.0.1:{port}");
    let service = Service::start(
        &sandbox,
        &registry.url(),
        &[
            "--no-auth",
            "--refresh-interval",
            "0",
            "--listen",
            &listen,
            "--config",
            config.to_str().unwrap(),
        ],
    );
    let tags = |s: &Service| -> Vec<String> {
        match s.get("/images/app/tags").send() {
            Ok(r) if r.status() == 200 => serde_json::from_str::<Value>(&r.text().unwrap())
                .unwrap()["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
                .collect(),
            _ => Vec::new(),
        }
    };
    assert_eq!(tags(&service), ["1.0"]);

    // A push: the new tag appears, with its details read for it alone.
    let pushed = seeder.image("app", Some("1.1"), &Image::new(Kind::Oci, "app 1.1"));
    let took = service.wait_until(Duration::from_secs(20), "the pushed tag", |s| {
        tags(s) == ["1.0", "1.1"]
    });
    eprintln!("a push reached the API in {took:?}");
    let tag = json(service.get("/images/app/tags/1.1").send().unwrap());
    assert_eq!(tag["digest"], pushed.digest.as_str());
    assert!(tag["size"].as_u64().is_some_and(|s| s > 0), "{tag}");
    assert!(tag["last_pulled"].is_null());

    // A pull is recorded on the tag.
    let pulled = reqwest::blocking::Client::new()
        .get(format!("{}/v2/app/manifests/1.1", registry.url()))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .unwrap();
    assert!(pulled.status().is_success());
    service.wait_until(Duration::from_secs(20), "the pull", |s| {
        json(s.get("/images/app/tags/1.1").send().unwrap())["last_pulled"].is_string()
    });

    // A delete removes the tag.
    seeder.delete("app", &pushed.digest);
    service.wait_until(Duration::from_secs(20), "the deleted tag gone", |s| {
        tags(s) == ["1.0"]
    });
    let images = json(service.get("/images").send().unwrap());
    assert!(images["event_timestamp"].is_string(), "{images}");

    // The cache is written back as every writer writes it (every 2 s at most, when the view
    // gained anything): the commands see the change.
    let listed = || {
        let out = sandbox
            .run(&registry.url(), &["list-tag-names", "app"])
            .success();
        stdout(&out)
    };
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while listed() != "app  1.0\n" && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(listed(), "app  1.0\n");

    // Events without the secret are refused.
    let forged = service
        .post("/events")
        .header("authorization", "Bearer wrong")
        .body(r#"{"events":[]}"#)
        .send()
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert!(!service.log().contains("events-secret-for-the-test"));
}
