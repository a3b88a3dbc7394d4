//! What people see: `--format` templates against a real registry, and the configuration file's
//! named registries and defaults, each source of a setting (flag, environment, file, default) in
//! turn.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::*;

#[test]
fn templates_print_one_line_per_row_and_name_unknown_fields() {
    let registry = TestRegistry::with_sample();
    let url = registry.url();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "{{repository}}:{{tag}} {{digest}}",
                "list-tag-names",
                "app",
            ],
        )
        .success();
    let json = sandbox
        .run(&url, &["--format", "json", "list-tag-names", "app"])
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&json)).unwrap();
    let expected: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "app:{} {}",
                r["tag"].as_str().unwrap(),
                r["digest"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), expected);

    let out = sandbox
        .run(&url, &["--format", "{{repo}}", "list-tag-names", "app"])
        .code(2);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("no field \"repo\"") && err.contains("repository"),
        "{err}"
    );
    let out = sandbox
        .run(&url, &["--format", "{{repository", "list-repo-names"])
        .code(2);
    assert!(stderr(&out).contains("never closed"), "{}", stderr(&out));
    let out = sandbox
        .run(&url, &["--format", "yaml", "list-repo-names"])
        .code(2);
    assert!(stderr(&out).contains("not a format"), "{}", stderr(&out));
}

/// `config show --format json` as setting -> (value, from).
fn effective(
    sandbox: &Sandbox,
    env: &[(&str, &str)],
    args: &[&str],
) -> BTreeMap<String, (String, String)> {
    let out = sandbox
        .cmd()
        .envs(env.iter().copied())
        .args(args)
        .args(["--format", "json", "config", "show"])
        .assert()
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["setting"].as_str().unwrap().to_owned(),
                (
                    r["value"].as_str().unwrap().to_owned(),
                    r["from"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn settings_come_from_flags_then_environment_then_the_file_then_defaults() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join("config").join("regsweep");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[defaults]\nregistry = \"local\"\nformat = \"plain\"\nconcurrency = 8\n\n\
             [registries.local]\nurl = \"{}\"\nuser = \"ci\"\n",
            registry.url()
        ),
    )
    .unwrap();

    // The file: the default registry by name, its user, the defaults' concurrency.
    let from_file = effective(&sandbox, &[], &[]);
    assert_eq!(
        from_file["registry"],
        (format!("{} (local)", registry.url()), "config file".into())
    );
    assert_eq!(from_file["user"], ("ci".into(), "config file".into()));
    assert_eq!(from_file["concurrency"], ("8".into(), "config file".into()));
    // The environment beats the file.
    let from_env = effective(&sandbox, &[("REGISTRY_USER", "bob")], &[]);
    assert_eq!(from_env["user"], ("bob".into(), "environment".into()));
    // A flag beats the environment.
    let from_flag = effective(
        &sandbox,
        &[("REGISTRY_USER", "bob")],
        &["-u", "carol", "--concurrency", "3"],
    );
    assert_eq!(from_flag["user"], ("carol".into(), "flag".into()));
    assert_eq!(from_flag["concurrency"], ("3".into(), "flag".into()));
    // Without a file, defaults.
    let bare = Sandbox::new();
    let defaults = effective(&bare, &[], &["-reg", &registry.url()]);
    assert_eq!(defaults["format"].1, "flag", "--format json was given");
    assert!(!defaults.contains_key("user"));
    assert_eq!(defaults["registry"], (registry.url(), "flag".into()));

    // A named registry works as -reg NAME, and the file's format applies.
    let out = sandbox
        .cmd()
        .args(["-reg", "local", "list-repo-names"])
        .assert()
        .success();
    assert!(stdout(&out).lines().any(|l| l == "app"), "{}", stdout(&out));

    // A password in the file is refused, naming the line.
    std::fs::write(
        dir.join("config.toml"),
        "[registries.x]\nurl = \"a\"\npassword = \"s\"\n",
    )
    .unwrap();
    let out = sandbox.cmd().args(["config", "list"]).assert().code(2);
    let err = stderr(&out);
    assert!(
        err.contains("config.toml:3: unknown field `password`"),
        "{err}"
    );
    assert!(
        err.contains("hint: passwords never go in this file"),
        "{err}"
    );
}
