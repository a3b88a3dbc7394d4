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

    // The removal report says what it kept back and why, as JSON for a CI job to archive.
    let args = [
        "--format",
        "json",
        "remove-tags",
        "-r",
        "app",
        "-t",
        "1.9",
        "1.10",
        "--yes",
    ];
    let out = sandbox.run(&url, &args).success();
    let report = json_documents(&stdout(&out)).pop().unwrap();
    assert_eq!(report["kept_back"][0]["tags"][0], "1.10", "{report:#}");
    assert_eq!(
        report["kept_back"][0]["why"],
        "it also carries tag latest, which was not selected"
    );
    assert_eq!(report["repositories"]["app"]["deleted"], 1, "{report:#}");
    let tags = tag_names(&live_tags(&sandbox, &url), "app");
    assert!(
        !tags.contains(&"1.9".to_owned()) && tags.contains(&"1.10".to_owned()),
        "{tags:?}"
    );
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

    // Where the cache and the journals are is part of the effective settings.
    assert!(
        from_file["cache"].0.ends_with(".json") && from_file["cache"].1 == "default",
        "{from_file:?}"
    );
    assert!(from_file["journals"].0.contains("journal"), "{from_file:?}");

    // [defaults] registry may be an address rather than a name; a bare word naming no registry
    // of the file is a mistake with a hint.
    std::fs::write(
        dir.join("config.toml"),
        format!("[defaults]\nregistry = \"{}\"\n", registry.url()),
    )
    .unwrap();
    let out = sandbox.cmd().arg("list-repo-names").assert().success();
    assert!(stdout(&out).lines().any(|l| l == "app"), "{}", stdout(&out));
    std::fs::write(dir.join("config.toml"), "[defaults]\nregistry = \"prdo\"\n").unwrap();
    let out = sandbox.cmd().arg("list-repo-names").assert().code(2);
    let err = stderr(&out);
    assert!(
        err.contains("registry = \"prdo\" names no [registries.prdo]")
            && err.contains("hint: name one of the file's [registries.NAME], or give an address"),
        "{err}"
    );

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

/// Strips ANSI colour sequences, to measure what the terminal shows. rexpect hands the bytes over
/// one char per byte; they are decoded as the UTF-8 they are first.
fn visible(text: &str) -> String {
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The lines of the table the terminal shows: from its header (starting with `header`) to the
/// first line that is not a row (notes are prose the terminal wraps, progress bars redraw in
/// place).
fn table_lines(out: &str, header: &str) -> Vec<String> {
    let shown = visible(out);
    let lines: Vec<&str> = shown
        .split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .collect();
    let Some(start) = lines.iter().position(|l| l.starts_with(header)) else {
        return Vec::new();
    };
    lines[start..]
        .iter()
        .take_while(|l| {
            !l.starts_with("note:") && !l.starts_with("warning:") && !l.ends_with("[y/N] ")
        })
        .map(|l| (*l).to_owned())
        .collect()
}

/// The widest table line the terminal shows.
fn widest_line(out: &str) -> (usize, String) {
    let widest = table_lines(out, "REPOSITORY")
        .into_iter()
        .filter(|l| !l.contains("[=") && !l.contains("[ "))
        .max_by_key(|l| l.chars().count())
        .unwrap_or_default();
    (widest.chars().count(), widest)
}

/// `regsweep ARGS` in a pseudo-terminal of `columns` columns: everything it wrote, and its exit code.
fn in_terminal(
    sandbox: &Sandbox,
    columns: u16,
    env: &[(&str, &str)],
    args: &[&str],
    answer: Option<&str>,
) -> (String, i32) {
    let bin = assert_cmd::cargo::cargo_bin!("regsweep");
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut cmd = sandbox.std_cmd();
    cmd.envs(env.iter().copied());
    let script = format!(
        "stty cols {columns} rows 50; exec '{}' {}",
        bin.display(),
        quoted.join(" ")
    );
    let mut cmd = {
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c").arg(script);
        sh.env_clear();
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                sh.env(k, v);
            }
        }
        sh.current_dir(sandbox.home.path());
        sh
    };
    cmd.env("TERM", "xterm-256color");
    let mut session = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    let mut output = String::new();
    if let Some(answer) = answer {
        output.push_str(&session.exp_string("[y/N]").unwrap());
        session.send_line(answer).unwrap();
    }
    output.push_str(&session.exp_eof().unwrap());
    let code = match session.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    };
    (output, code)
}

#[test]
fn a_terminal_gets_fitting_tables_colour_progress_summaries_and_a_prompt() {
    let registry = TestRegistry::with_sample();
    let url = registry.url();
    let fractional_rate = regex::Regex::new(r"\d\.\d+/s").unwrap();
    for columns in [80u16, 120] {
        let sandbox = Sandbox::new();
        // A refresh summarises itself; the table fits the terminal.
        let (out, code) = in_terminal(
            &sandbox,
            columns,
            &[],
            &["-reg", &url, "list-tag-names", "--long"],
            None,
        );
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("note: read ")
                && out.contains(" tags of ")
                && out.contains(" repositories in "),
            "{out}"
        );
        let (widest, line) = widest_line(&out);
        assert!(
            widest <= usize::from(columns),
            "{columns} columns, a line of {widest}: {line:?}"
        );
        let shown = visible(&out);
        assert!(
            shown.contains(" tags (") && shown.contains("/s, "),
            "a progress bar with counts and a rate: {shown}"
        );
        // The bar starts empty, never full at 0/0, and its rate is a whole number.
        assert!(
            !shown.contains(" 0/0 ") && !fractional_rate.is_match(&shown),
            "{shown}"
        );
        assert!(
            shown.contains("REPOSITORY "),
            "headers never break: {shown}"
        );
        // No value is split over two lines: each tag's short digest, size and age stand whole
        // on its row, which ends without padding.
        let json = sandbox
            .run(&url, &["--format", "json", "list-tag-names", "--long"])
            .success();
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&json)).unwrap();
        let table = table_lines(&out, "REPOSITORY");
        assert_eq!(table.len(), rows.len() + 2, "one line a tag: {table:#?}");
        for (line, row) in table[2..].iter().zip(&rows) {
            let hex = &row["digest"].as_str().unwrap()["sha256:".len()..];
            assert!(line.contains(&hex[..12]), "{columns}: {line:?}");
            assert!(!line.ends_with(' '), "{line:?}");
            let size = row["size"].as_u64().unwrap();
            let shown_size = line
                .split("  ")
                .map(str::trim)
                .find(|c| c.ends_with('B'))
                .unwrap_or_else(|| panic!("{columns}: no size in {line:?}"));
            assert!(
                shown_size.starts_with(|c: char| c.is_ascii_digit()) && size > 0,
                "{line:?}"
            );
        }

        // The plan's deletions are red; the prompt asks; no means nothing.
        let plan = ["-reg", &url, "remove-tags", "-r", "app", "-t", "<1.9"];
        let (out, code) = in_terminal(&sandbox, columns, &[], &plan, Some("n"));
        assert_eq!(code, 9, "{out}");
        assert!(
            out.contains("\u{1b}[38;5;9m") || out.contains("\u{1b}[31m"),
            "red deletions: {out:?}"
        );
        let (widest, line) = widest_line(&out);
        assert!(
            widest <= usize::from(columns),
            "{columns} columns, a line of {widest}: {line:?}"
        );

        // NO_COLOR, and --color never, turn colour off; --verbose says how long phases took.
        let (out, _) = in_terminal(&sandbox, columns, &[("NO_COLOR", "1")], &plan, Some("n"));
        assert!(
            !out.contains("\u{1b}[38;5;9m") && !out.contains("\u{1b}[31m"),
            "{out:?}"
        );
        let never = [
            "-reg",
            &url,
            "--color",
            "never",
            "--verbose",
            "--refresh",
            "list-tag-names",
        ];
        let (out, code) = in_terminal(&sandbox, columns, &[], &never, None);
        assert_eq!(code, 0);
        assert!(out.contains("timing: refresh: "), "{out}");
        // How the adaptive limit of requests in flight moved (from 8, or from 32 where a busy
        // machine held the first answer past 50 ms).
        assert!(
            out.contains("timing: requests in flight: 8 to ")
                || out.contains("timing: requests in flight: 32 (far) to "),
            "{out}"
        );
        // -q keeps the summaries out.
        let (out, _) = in_terminal(
            &sandbox,
            columns,
            &[],
            &["-reg", &url, "-q", "--refresh", "list-repo-names"],
            None,
        );
        assert!(!out.contains("note:"), "{out}");
    }
}
