//! The service's store, both engines: an acknowledged event survives `kill -9` of the service; a
//! redelivered envelope counts once; PostgreSQL going away answers 503 (and the registry's retries
//! land once it is back); replicas on one PostgreSQL agree and run a scheduled job once per
//! interval; commands on another host read the service's state with `--store`; a store of another
//! registry or of an unknown schema is refused (exit 6); a bad URL or password is one line, the
//! password never shown. The real Distribution registry, the real PostgreSQL (a throwaway cluster).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::postgres::{PASSWORD, TestPostgres};
use crate::common::seed::{Image, Kind};
use crate::common::service::Service;
use crate::common::{
    RegistryOptions, Sandbox, TestRegistry, assert_clean_error, free_port, stderr, stdout,
};

/// An envelope of pulls of `repo:tag` (`digest`), one per (id, time), as the registry sends it.
fn pulls(repo: &str, tag: &str, digest: &str, events: &[(&str, String)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .map(|(id, at)| {
            json!({
                "id": id, "timestamp": at, "action": "pull",
                "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "digest": digest, "repository": repo, "tag": tag},
                "request": {"useragent": "docker/27.0"}
            })
        })
        .collect();
    json!({ "events": events }).to_string()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `days` days ago plus `minute` minutes, RFC 3339.
fn ago(days: i64, minute: i64) -> String {
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days)
        + jiff::SignedDuration::from_mins(minute);
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The store options of a run: `--store URL` for PostgreSQL (its password from PGPASSWORD).
fn store_args(pg: Option<&TestPostgres>) -> Vec<String> {
    pg.map(|pg| vec!["--store".to_owned(), pg.url()])
        .unwrap_or_default()
}

fn env(pg: Option<&TestPostgres>) -> Vec<(&'static str, &'static str)> {
    if pg.is_some() {
        vec![("PGPASSWORD", PASSWORD)]
    } else {
        Vec::new()
    }
}

fn serve(sandbox: &Sandbox, registry: &str, pg: Option<&TestPostgres>, more: &[&str]) -> Service {
    let store = store_args(pg);
    let mut args: Vec<&str> = store.iter().map(String::as_str).collect();
    args.extend(["--no-auth", "--refresh-interval", "0"]);
    args.extend(more);
    Service::start_with_env(sandbox, registry, &args, &env(pg))
}

/// `regsweep --registry URL [--store ...] ARGS` with the store's password in the environment.
fn regsweep(
    sandbox: &Sandbox,
    registry: &str,
    pg: Option<&TestPostgres>,
    args: &[&str],
) -> assert_cmd::assert::Assert {
    sandbox
        .cmd()
        .envs(env(pg))
        .args(["--registry", registry])
        .args(store_args(pg))
        .args(args)
        .assert()
}

fn history(sandbox: &Sandbox, registry: &str, pg: Option<&TestPostgres>) -> Value {
    let out = regsweep(
        sandbox,
        registry,
        pg,
        &["--format", "json", "history", "app:1.0"],
    )
    .success();
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn acknowledged_pulls_survive_kill_9_and_count_once(pg: Option<&TestPostgres>) {
    let registry = TestRegistry::start();
    let pushed = registry
        .seeder()
        .image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    let sandbox = Sandbox::new();
    let url = registry.url();
    let times: Vec<String> = (0..12).map(|i| ago(10, i)).collect();
    for (i, at) in times.iter().enumerate() {
        let service = serve(&sandbox, &url, pg, &[]);
        let id = format!("pull-{i}");
        let answer = service
            .post("/events")
            .header(
                "content-type",
                "application/vnd.docker.distribution.events.v1+json",
            )
            .body(pulls("app", "1.0", &pushed.digest, &[(&id, at.clone())]))
            .send()
            .unwrap();
        assert_eq!(answer.status(), 200, "envelope {i}");
        drop(service); // SIGKILL, right after the answer
    }
    let service = serve(&sandbox, &url, pg, &[]);
    // The registry sends an envelope again when it saw no answer: it counts once.
    let again = pulls(
        "app",
        "1.0",
        &pushed.digest,
        &[("pull-11", times[11].clone())],
    );
    for _ in 0..2 {
        let answer = service.post("/events").body(again.clone()).send().unwrap();
        assert_eq!(answer.status(), 200);
    }
    let periods = history(&sandbox, &url, pg);
    assert_eq!(periods[0]["pulls"], 12, "{periods:#}");
    assert_eq!(periods[0]["digest"], pushed.digest.as_str());
    let last: jiff::Timestamp = times[11].parse().unwrap();
    service.wait_until(Duration::from_secs(10), "the last pull in the API", |s| {
        let tag: Value = s
            .get("/images/app/tags/1.0")
            .send()
            .unwrap()
            .text()
            .map(|t| parse(&t))
            .unwrap();
        tag["last_pulled"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            == Some(last)
    });
    let api: Value = service
        .get("/images/app/tags/1.0/history")
        .send()
        .unwrap()
        .text()
        .map(|t| parse(&t))
        .unwrap();
    assert_eq!(api["periods"], periods);
}

#[test]
fn embedded_acknowledged_pulls_survive_kill_9_and_count_once() {
    acknowledged_pulls_survive_kill_9_and_count_once(None);
}

#[test]
fn postgres_acknowledged_pulls_survive_kill_9_and_count_once() {
    let pg = TestPostgres::start();
    acknowledged_pulls_survive_kill_9_and_count_once(Some(&pg));
}

#[test]
fn postgres_away_answers_503_and_the_registrys_retries_land_when_it_is_back() {
    let pg = TestPostgres::start();
    let port = free_port();
    let registry = TestRegistry::start_with(&RegistryOptions {
        notify: Some((format!("http://127.0.0.1:{port}/events"), "Bearer x".into())),
        ..RegistryOptions::default()
    });
    let pushed = registry
        .seeder()
        .image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    let sandbox = Sandbox::new();
    let listen = format!("127.0.0.1:{port}");
    let service = serve(&sandbox, &registry.url(), Some(&pg), &["--listen", &listen]);
    pg.stop();
    service.wait_until(Duration::from_secs(20), "/health 503", |s| {
        s.get("/health").send().is_ok_and(|r| r.status() == 503)
    });
    let refused = service
        .post("/events")
        .body(pulls(
            "app",
            "1.0",
            &pushed.digest,
            &[("direct", ago(1, 0))],
        ))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 503);
    // A pull while the store is away: the registry's notification is refused, and retried.
    let pulled = reqwest::blocking::Client::new()
        .get(format!("{}/v2/app/manifests/1.0", registry.url()))
        .header("accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .unwrap();
    assert!(pulled.status().is_success());
    std::thread::sleep(Duration::from_secs(1));
    pg.restart();
    service.wait_until(Duration::from_secs(30), "/health 200", |s| {
        s.get("/health").send().is_ok_and(|r| r.status() == 200)
    });
    service.wait_until(Duration::from_secs(30), "the retried pull", |s| {
        let tag: Value = s
            .get("/images/app/tags/1.0")
            .send()
            .unwrap()
            .text()
            .map(|t| parse(&t))
            .unwrap();
        tag["last_pulled"].is_string()
    });
    assert!(history(&sandbox, &registry.url(), Some(&pg))[0]["pulls"].as_u64() >= Some(1));
}

#[test]
fn replicas_on_one_postgres_agree_and_share_a_schedule() {
    let pg = TestPostgres::start();
    let registry = TestRegistry::start();
    let pushed = registry
        .seeder()
        .image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    let sandbox = Sandbox::new();
    let policy = sandbox.home.path().join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[[rule]]\nname = \"old\"\nrepositories = [\"none/*\"]\ntags = [\"x\"]\n",
    )
    .unwrap();
    let config = sandbox.home.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[schedule]\npolicy = \"{}\"\nevery = \"2s\"\n",
            policy.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let url = registry.url();
    let replicas = [
        serve(&sandbox, &url, Some(&pg), &["--config", config]),
        serve(&sandbox, &url, Some(&pg), &["--config", config]),
    ];
    let started = Instant::now();
    // Envelopes alternately to each: a push of a new tag and a pull.
    for i in 0..10 {
        let push = json!({"events": [{
            "id": format!("push-{i}"), "timestamp": ago(0, 0), "action": "push",
            "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": pushed.digest, "repository": "app", "tag": format!("t{i}")}
        }]});
        let replica = &replicas[i % 2];
        for body in [
            push.to_string(),
            pulls(
                "app",
                "1.0",
                &pushed.digest,
                &[(&format!("pull-{i}"), ago(2, i as i64))],
            ),
        ] {
            let answer = replica.post("/events").body(body).send().unwrap();
            assert_eq!(answer.status(), 200);
        }
    }
    let view = |s: &Service| -> (Vec<String>, Value) {
        let tags: Value = s
            .get("/images/app/tags")
            .send()
            .unwrap()
            .text()
            .map(|t| parse(&t))
            .unwrap();
        let tag: Value = s
            .get("/images/app/tags/1.0")
            .send()
            .unwrap()
            .text()
            .map(|t| parse(&t))
            .unwrap();
        let names = tags["tags"]
            .as_array()
            .map(|t| t.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        (names, tag["last_pulled"].clone())
    };
    let took = replicas[0].wait_until(Duration::from_secs(10), "both replicas agree", |a| {
        let (names, pulled) = view(a);
        names.len() == 11 && view(&replicas[1]) == (names, pulled)
    });
    eprintln!("the replicas agreed {took:?} after the last acknowledgement");
    // The schedule ran once per interval in all, whichever replica claimed it.
    std::thread::sleep(Duration::from_secs(7).saturating_sub(started.elapsed()));
    let runs: usize = replicas
        .iter()
        .map(|r| r.log().matches(": starting").count())
        .sum();
    let intervals = started.elapsed().as_secs() / 2;
    assert!(
        runs >= 1 && runs as u64 <= intervals + 1,
        "{runs} runs in {intervals} intervals:\n{}\n{}",
        replicas[0].log(),
        replicas[1].log()
    );
    assert!(
        replicas
            .iter()
            .any(|r| r.log().contains("another replica ran it")),
        "no replica stood aside"
    );
}

#[test]
fn commands_on_another_host_read_the_services_pulls() {
    let pg = TestPostgres::start();
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let one = seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "app 2.0"));
    let url = registry.url();
    let service_host = Sandbox::new();
    // That host has a cache of the registry: the new store starts from it.
    service_host.run(&url, &["list-tag-names"]).success();
    let service = serve(&service_host, &url, Some(&pg), &[]);
    assert!(
        service
            .log()
            .contains("is new: it starts from this host's cache"),
        "{}",
        service.log()
    );
    let answer = service
        .post("/events")
        .body(pulls(
            "app",
            "1.0",
            &one.digest,
            &[("old-pull", ago(10, 0))],
        ))
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    // Another host: its own (empty) cache; with --store it sees the pull of ten days ago.
    let cron_host = Sandbox::new();
    let query = [
        "query-tags",
        "-r",
        "app",
        "-t",
        "*",
        "--not-pulled-for",
        "5d",
    ];
    let out = regsweep(&cron_host, &url, Some(&pg), &query).success();
    assert_eq!(stdout(&out), format!("app  {}\n", one.digest));
    let out = regsweep(&cron_host, &url, Some(&pg), &["list-tag-names"]).success();
    assert_eq!(stdout(&out), "app  1.0\napp  2.0\n");
    let out = regsweep(&cron_host, &url, Some(&pg), &["--format", "json", "usage"]).success();
    let usage: Value = parse(&stdout(&out));
    assert_eq!(usage["repositories"][0]["tags"], 2, "{usage:#}");
    let policy = cron_host.home.path().join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[[rule]]\nname = \"unused\"\nrepositories = [\"**\"]\ntags = [\"*\"]\n\
         not_pulled_for = \"5d\"\n",
    )
    .unwrap();
    let out = regsweep(
        &cron_host,
        &url,
        Some(&pg),
        &[
            "--format",
            "json",
            "policy",
            "plan",
            "--policy",
            policy.to_str().unwrap(),
        ],
    )
    .success();
    let plan: Value = parse(&stdout(&out));
    assert_eq!(
        plan["repositories"]["app"]["delete"],
        json!(["1.0"]),
        "{plan:#}"
    );
    // Without the store that host knows no pull: 1.0 was first seen just now, so it stays.
    let out = regsweep(&cron_host, &url, None, &query).success();
    assert_eq!(stdout(&out), "");
    drop(service);
}

#[test]
fn stores_of_another_registry_or_schema_are_refused_and_credentials_never_shown() {
    let pg = TestPostgres::start();
    let registry = TestRegistry::start();
    registry
        .seeder()
        .image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    let sandbox = Sandbox::new();
    let service = serve(&sandbox, &registry.url(), Some(&pg), &[]);
    drop(service);
    // The same database for another registry: refused, untouched.
    let other = TestRegistry::start();
    let out = regsweep(&sandbox, &other.url(), Some(&pg), &["list-repo-names"]).code(6);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains(&format!("it is the store of {}", registry.url()))
            && err.contains("it was not touched"),
        "{err}"
    );
    // A schema a newer regsweep wrote: refused.
    pg.psql("INSERT INTO migrations VALUES (99, 'abc', 0)");
    let out = regsweep(
        &sandbox,
        &registry.url(),
        Some(&pg),
        &["history", "app:1.0"],
    )
    .code(6);
    assert!(stderr(&out).contains("migration 99"), "{}", stderr(&out));
    pg.psql("DELETE FROM migrations WHERE version = 99");

    // A wrong password: one line naming the store, no password anywhere.
    let wrong = format!(
        "postgres://regsweep:not-the-password@127.0.0.1:{}/postgres",
        pg.port
    );
    let out = sandbox
        .cmd()
        .args([
            "--registry",
            &registry.url(),
            "--store",
            &wrong,
            "list-repo-names",
        ])
        .assert()
        .code(4);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("the PostgreSQL store postgresql://regsweep@127.0.0.1"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-password") && !err.contains(PASSWORD),
        "{err}"
    );
    // Not a URL of PostgreSQL: a usage error, the password masked.
    let out = sandbox
        .cmd()
        .args([
            "--registry",
            &registry.url(),
            "--store",
            "mysql://u:secret@db/x",
            "history",
            "a:b",
        ])
        .assert()
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("--store takes a PostgreSQL URL") && !err.contains("secret"),
        "{err}"
    );
    let out = sandbox
        .cmd()
        .args([
            "--registry",
            &registry.url(),
            "--store",
            "postgres://u:secret@db:notaport/x",
            "history",
            "a:b",
        ])
        .assert()
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(!err.contains("secret"), "{err}");
    // The right password from a file works.
    let file = sandbox.home.path().join("pg-password");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    let out = sandbox
        .cmd()
        .args(["--registry", &registry.url(), "--store", &pg.url()])
        .args([
            "--store-password-file",
            file.to_str().unwrap(),
            "list-repo-names",
        ])
        .assert()
        .success();
    assert_eq!(stdout(&out), "app\n");
}

/// The embedded service folds notifications in memory and writes its view back to the cache now
/// and then: a command's change to the cache meanwhile (a removal) stays, the pulls logged since
/// are applied to the cache as that command left it, and the service's view takes the removal in.
/// A store file deleted under a kept cache is followed from its start, not skipped.
#[test]
fn the_embedded_service_writes_back_without_losing_a_commands_change() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let one = seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    let two = seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "app 2.0"));
    let sandbox = Sandbox::new();
    let url = registry.url();
    let service = serve(&sandbox, &url, None, &[]);
    let post = |body: String| {
        let answer = service.post("/events").body(body).send().unwrap();
        assert_eq!(answer.status(), 200);
    };
    post(pulls("app", "1.0", &one.digest, &[("p1", ago(10, 0))]));
    post(pulls("app", "2.0", &two.digest, &[("p2", ago(10, 0))]));
    let not_pulled = [
        "query-tags",
        "-r",
        "app",
        "-t",
        "*",
        "--not-pulled-for",
        "5d",
    ];
    let on_this_host = |args: &[&str]| stdout(&regsweep(&sandbox, &url, None, args).success());
    let eventually = |what: &str, args: &[&str], expected: &str| {
        let until = std::time::Instant::now() + Duration::from_secs(15);
        let mut seen = on_this_host(args);
        while seen != expected && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(200));
            seen = on_this_host(args);
        }
        assert_eq!(seen, expected, "{what}");
    };
    eventually(
        "both pulls written back to the cache",
        &not_pulled,
        &format!("app  {}\napp  {}\n", one.digest, two.digest),
    );

    // A command on this host removes 2.0 (the registry sends no notification here), then 1.0 is
    // pulled: the cache keeps the removal and gets the pull; the API drops 2.0 too.
    regsweep(
        &sandbox,
        &url,
        None,
        &["remove-tags", "-r", "app", "-t", "2.0", "--yes"],
    )
    .success();
    post(pulls("app", "1.0", &one.digest, &[("p3", ago(2, 0))]));
    eventually("the pull on the command's cache", &not_pulled, "");
    eventually("the removal kept", &["list-tag-names", "app"], "app  1.0\n");
    service.wait_until(Duration::from_secs(15), "the removal in the API", |s| {
        let tags: Value = parse(&s.get("/images/app/tags").send().unwrap().text().unwrap());
        tags["tags"] == json!(["1.0"])
    });
    drop(service);

    // The store's file goes; the cache stays: the new log's first events are not taken as read.
    let stores = sandbox.home.path().join("data/regsweep/store");
    let removed = std::fs::read_dir(&stores)
        .unwrap()
        .map(|f| std::fs::remove_file(f.unwrap().path()).unwrap())
        .count();
    assert!(removed > 0, "no store file in {}", stores.display());
    let service = serve(&sandbox, &url, None, &[]);
    let last = ago(1, 0);
    let answer = service
        .post("/events")
        .body(pulls("app", "1.0", &one.digest, &[("p4", last.clone())]))
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    let last: jiff::Timestamp = last.parse().unwrap();
    service.wait_until(
        Duration::from_secs(15),
        "the new log's pull in the API",
        |s| {
            let tag: Value = parse(
                &s.get("/images/app/tags/1.0")
                    .send()
                    .unwrap()
                    .text()
                    .unwrap(),
            );
            tag["last_pulled"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                == Some(last)
        },
    );
    assert!(
        service.log().contains("following it from its start"),
        "{}",
        service.log()
    );
}
