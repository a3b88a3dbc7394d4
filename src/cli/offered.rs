//! Which of the options every command takes a command's help offers, and what its short help holds.
//!
//! dregutil took its options before any command, and its users' scripts still do, so every one of
//! them is accepted everywhere (clap's global arguments). A command's help shows only those it
//! uses: `serve` has no `--count`, `journal` no `--concurrency`. Its `-h` shows its own options and
//! its examples; `--help` adds the options every command takes, under headings, and the details.

use clap::{Arg, Command};

/// What a global option is for; the log level, `--verbose`, `--quiet` and `--color` serve every
/// command and have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// `--registry`.
    Registry,
    /// How requests reach the registry: credentials, TLS, concurrency, GET for digests.
    Requests,
    /// The cache: `-c`, `--no-cache`, `--refresh`.
    Cache,
    /// The service's store: `--store`, `--store-password-file`.
    Store,
    /// Repositories found through GitLab's or Harbor's API.
    Gitlab,
    /// dregutil's `--count` footer under lists.
    Count,
    /// `--no-raise-intersecting-repo`, a selection rule of the query and remove commands.
    Intersecting,
    /// `--format`.
    Format,
}

fn use_of(id: &str) -> Option<Use> {
    Some(match id {
        "registry" => Use::Registry,
        "user" | "password" | "digest_auth" | "password_stdin" | "client_cert" | "client_key"
        | "verify" | "insecure" | "use_get_manifest" | "concurrency" => Use::Requests,
        "cache" | "no_cache" | "refresh" => Use::Cache,
        "store" | "store_password_file" => Use::Store,
        "gitlab" | "project" | "group" | "gitlab_token_stdin" | "harbor" => Use::Gitlab,
        "count" => Use::Count,
        "no_raise_intersecting_repo" => Use::Intersecting,
        "format" => Use::Format,
        _ => return None,
    })
}

/// The global options each command uses.
fn uses(command: &str) -> &'static [Use] {
    use Use::*;
    match command {
        "list-repo-names" | "list-tag-names" | "query-untagged" | "remove-untagged" => {
            &[Registry, Requests, Cache, Store, Gitlab, Count, Format]
        }
        "query-repos" | "query-tags" | "remove-repos" | "remove-tags" => &[
            Registry,
            Requests,
            Cache,
            Store,
            Gitlab,
            Count,
            Intersecting,
            Format,
        ],
        "usage" | "outdated" | "policy" | "config" => {
            &[Registry, Requests, Cache, Store, Gitlab, Format]
        }
        "restore" => &[Registry, Requests, Cache, Format],
        "serve" => &[Registry, Requests, Cache, Store, Gitlab],
        "history" => &[Registry, Store, Format],
        "journal" => &[Registry, Format],
        "cache" => &[Registry, Cache, Format],
        _ => &[],
    }
}

/// The command line with each command offering the global options it uses: the others get a
/// hidden copy in that command (clap then propagates nothing over it), so they still parse.
pub fn offered(mut cmd: Command) -> Command {
    let (short, long) = (short_after_help(&cmd), long_after_help(&cmd));
    cmd = cmd.after_help(short).after_long_help(long);
    let globals: Vec<Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let uses = uses(&name);
        cmd = cmd.mut_subcommand(&name, |mut sub| {
            for arg in &globals {
                match use_of(arg.get_id().as_str()) {
                    Some(u) if !uses.contains(&u) => sub = sub.arg(arg.clone().hide(true)),
                    // A selection rule reads best among the command's own options.
                    Some(Use::Intersecting) => {
                        sub = sub.arg(arg.clone().help_heading(None).hide_short_help(false));
                    }
                    _ => {}
                }
            }
            let (short, long) = (short_after_help(&sub), long_after_help(&sub));
            sub.after_help(short).after_long_help(long)
        });
    }
    cmd
}

/// `-h`'s epilogue: the examples, and where the rest is.
fn short_after_help(cmd: &Command) -> String {
    let text = cmd
        .get_after_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let examples = text.find("Example").map_or("", |at| text[at..].trim_end());
    let more =
        "Options every command takes (registry, TLS, cache, output) and the details: --help.";
    if examples.is_empty() {
        more.to_owned()
    } else {
        format!("{examples}\n\n{more}")
    }
}

/// `--help`'s epilogue: the whole text.
fn long_after_help(cmd: &Command) -> String {
    cmd.get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(ToString::to_string)
        .unwrap_or_default()
}
