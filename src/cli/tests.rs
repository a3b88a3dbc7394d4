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
    command_for(80).debug_assert();
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

/// Every command's `-h` fits one screen at 80 columns: its own options and examples; the rest is in
/// `--help`.
#[test]
fn every_short_help_fits_a_screen() {
    fn walk(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
        out.push((path.clone(), cmd.clone()));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut all = Vec::new();
    let mut root = command_for(80);
    root.build();
    walk(&root, "regsweep".to_owned(), &mut all);
    for (path, mut cmd) in all {
        let help = cmd.render_help().to_string();
        let lines = help.lines().count();
        assert!(lines <= 50, "`{path} -h` has {lines} lines:\n{help}");
    }
}

fn parse_laid_out(args: &[&str]) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches as _;
    let matches = command_for(100).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

fn long_help(path: &[&str]) -> String {
    let mut cmd = command_for(100);
    cmd.build();
    for name in path {
        cmd = cmd.find_subcommand(name).unwrap().clone();
    }
    cmd.render_long_help().to_string()
}

/// A command's help offers the options every command takes only where it uses them; those it
/// ignores still parse (dregutil's scripts give them before any command), and its own options
/// come first.
#[test]
fn a_command_offers_only_the_options_it_uses() {
    let serve = long_help(&["serve"]);
    for ignored in ["--count", "--format", "--no-raise-intersecting-repo"] {
        assert!(!serve.contains(ignored), "serve offers {ignored}");
    }
    let journal = long_help(&["journal", "list"]);
    for ignored in ["--concurrency", "--client-cert", "--refresh", "--store"] {
        assert!(!journal.contains(ignored), "journal list offers {ignored}");
    }
    let list = long_help(&["list-tag-names"]);
    for used in [
        "--count",
        "--concurrency",
        "--client-cert",
        "--refresh",
        "--format",
    ] {
        assert!(list.contains(used), "list-tag-names lacks {used}");
    }
    assert!(!list.contains("--no-raise-intersecting-repo"));
    let remove = long_help(&["remove-tags"]);
    let at = |s: &str| remove.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(at("--yes") < at("--registry") && at("--dry-run") < at("--concurrency"));
    assert!(at("--no-raise-intersecting-repo") < at("Registry:"));
    let cli = parse_laid_out(&[
        "regsweep",
        "--count",
        "--format",
        "json",
        "serve",
        "--no-auth",
    ])
    .unwrap();
    assert!(cli.global.count && matches!(cli.command, Command::Serve(_)));
    let cli = parse_laid_out(&["regsweep", "journal", "list", "--concurrency", "3"]).unwrap();
    assert_eq!(cli.global.concurrency, Some(3));
}

#[test]
fn an_unknown_command_names_the_likeliest_and_an_abbreviation_of_several_is_ambiguous() {
    let error = |args: &[&str]| one_line_error(&parse_laid_out(args).unwrap_err());
    let (message, hint) = error(&["regsweep", "remove"]);
    assert_eq!(
        message,
        "'remove' is ambiguous: it begins remove-repos, remove-tags and remove-untagged"
    );
    assert!(hint.unwrap().starts_with("name the whole command"));
    let (message, hint) = error(&["regsweep", "query-tag", "-r", "app"]);
    assert_eq!(message, "unrecognized command 'query-tag'");
    assert!(hint.unwrap().starts_with("did you mean 'query-tags'"));
    let (_, hint) = error(&["regsweep", "cache", "c"]);
    assert_eq!(hint.unwrap(), "did you mean 'clear'?");
}
