//! The command line's own tests: every parse error one line, dregutil's spellings.

use super::*;
use clap::CommandFactory;
use std::ffi::OsString;

fn norm(args: &[&str]) -> Vec<String> {
    normalize_args(args.iter().map(OsString::from))
        .into_iter()
        .map(|a| a.into_string().unwrap())
        .collect()
}

/// Hundreds of wrong command lines: every one gives a one-line message, at most one hint line.
#[test]
fn every_parse_error_is_one_line() {
    let prefixes: &[&[&str]] = &[
        &[],
        &["-reg", "h"],
        &["list-tag-names"],
        &["query-tags", "-r", "app"],
        &["remove-repos", "-r", "app"],
        &["cache"],
        &["journal"],
        &["restore"],
    ];
    let bad: &[&[&str]] = &[
        &["--formt", "json"],
        &["--format", "yaml"],
        &["--format"],
        &["--concurrency", "0"],
        &["--concurrency", "9999999999999999999999"],
        &["--concurrency", "x\ny"],
        &["--keep", "-1"],
        &["--keep", "1.5"],
        &["--log-level", "loud"],
        &["-t"],
        &["--yes", "--dry-run"],
        &["--password-stdin", "-p", "x"],
        &["--sort", "weird"],
        &["nonsense-command"],
        &["--\u{1b}[2J"],
        &["-Z"],
        &["--older-than"],
    ];
    let mut checked = 0;
    for prefix in prefixes {
        for tail in bad {
            let mut argv = vec!["regsweep"];
            argv.extend_from_slice(prefix);
            argv.extend_from_slice(tail);
            let Err(err) = Cli::try_parse_from(normalize_args(argv.iter().map(OsString::from)))
            else {
                continue;
            };
            if !err.use_stderr() {
                continue;
            }
            let (message, hint) = one_line_error(&err);
            assert!(
                !message.is_empty() && !message.contains('\n'),
                "{argv:?}: {message}"
            );
            assert!(hint.is_none_or(|h| !h.contains('\n')), "{argv:?}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} errors checked");
}

#[test]
fn suggestions_become_the_hint() {
    let err = Cli::try_parse_from(["regsweep", "--formt", "json", "list-repo-names"]).unwrap_err();
    let (message, hint) = one_line_error(&err);
    assert_eq!(message, "unexpected argument '--formt' found");
    assert!(hint.unwrap().contains("'--format'"));
    let err = Cli::try_parse_from(["regsweep", "query-tags"]).unwrap_err();
    let (message, hint) = one_line_error(&err);
    assert!(
        message.starts_with("the following required arguments were not provided: --repo"),
        "{message}"
    );
    assert!(hint.unwrap().starts_with("usage: regsweep query-tags"));
}

#[test]
fn clap_definitions_are_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn single_dash_long_options_are_rewritten() {
    assert_eq!(
        norm(&["regsweep", "-reg", "h:5000", "-cert", "c.pem", "-key=k.pem"]),
        [
            "regsweep",
            "--registry",
            "h:5000",
            "--client-cert",
            "c.pem",
            "--client-key=k.pem"
        ]
    );
}

#[test]
fn option_values_and_trailing_args_are_not_rewritten() {
    assert_eq!(
        norm(&["regsweep", "-p", "-key", "--user", "-reg", "x", "--", "-re"]),
        ["regsweep", "-p", "-key", "--user", "-reg", "x", "--", "-re"]
    );
}

#[test]
fn dregutil_global_options_parse() {
    let cli = Cli::try_parse_from(normalize_args(
        [
            "regsweep",
            "-reg",
            "r:5000",
            "-u",
            "me",
            "-p",
            "pw",
            "-c",
            "None",
            "-v",
            "None",
            "--refresh",
            "--count",
            "-l",
            "DEBUG",
            "--use-get-manifest",
            "--no-raise-intersecting-repo",
            "--digest-auth",
            "yes",
            "list-tag-names",
            "--reverse-sort",
            "--image-names",
            "app",
        ]
        .map(OsString::from),
    ))
    .unwrap();
    assert_eq!(cli.global.registry.as_deref(), Some("r:5000"));
    assert_eq!(cli.global.cache.as_deref(), Some("None"));
    assert_eq!(cli.global.log_level, Some(LogLevel::Debug));
    assert!(cli.global.refresh && cli.global.count && cli.global.use_get_manifest);
    let Command::ListTagNames(args) = cli.command else {
        panic!("wrong command")
    };
    assert_eq!(args.repo, ["app"]);
    assert!(args.reverse_sort && args.image_names);
}
