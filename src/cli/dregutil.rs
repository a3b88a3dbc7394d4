//! What the command line takes from dregutil that clap cannot express: single-dash long options
//! (`-reg`), and clap's errors as one line with a hint.

use std::ffi::OsString;

use clap::CommandFactory;

use super::Cli;

/// dregutil's (argparse's) single-dash long options and the clap spelling each stands for.
const SINGLE_DASH_LONG: &[(&str, &str)] = &[
    ("-reg", "--registry"),
    ("-re", "--regex"),
    ("-xre", "--exclude-regex"),
    ("-cert", "--client-cert"),
    ("-key", "--client-key"),
];

/// Rewrites dregutil's single-dash long options (`-reg host`, `-reg=host`) to their `--` spelling, which
/// clap cannot express. The value following an option that takes one is passed through untouched, so a
/// password such as `-key` is never rewritten; nothing after `--` is touched either.
pub fn normalize_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let takes_value = single_value_options();
    let mut out = Vec::new();
    let mut args = args.into_iter();
    if let Some(program) = args.next() {
        out.push(program);
    }
    let mut value_next = false;
    let mut verbatim = false;
    for arg in args {
        if verbatim || value_next {
            value_next = false;
            out.push(arg);
            continue;
        }
        let Some(text) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            verbatim = true;
            out.push(arg);
            continue;
        }
        let (name, inline_value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        let name = SINGLE_DASH_LONG
            .iter()
            .find(|(short, _)| *short == name)
            .map_or(name, |(_, long)| *long);
        value_next = inline_value.is_none() && takes_value.iter().any(|o| o == name);
        out.push(match inline_value {
            Some(value) => format!("{name}={value}").into(),
            None => name.into(),
        });
    }
    out
}

/// A clap error as regsweep prints every usage error: one line of message and, where clap has a
/// suggestion ("a similar argument exists"), the possible values or the usage, one line of hint. Clap's
/// own rendering spans several lines and paragraphs; scripts and people read one line.
pub fn one_line_error(err: &clap::Error) -> (String, Option<String>) {
    use clap::error::{ContextKind, ErrorKind};
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return (
            "no command given".to_owned(),
            Some("`regsweep --help` lists the commands".to_owned()),
        );
    }
    if err.kind() == ErrorKind::InvalidSubcommand
        && let Some(typed) = context_string(err, ContextKind::InvalidSubcommand)
    {
        let usage = err
            .get(ContextKind::Usage)
            .map(ToString::to_string)
            .unwrap_or_default();
        return unknown_command(
            &typed,
            &command_names(&usage),
            &context_strings(err, ContextKind::SuggestedSubcommand),
        );
    }
    let rendered = err.render().to_string();
    let mut message = Vec::new();
    let mut hints = Vec::new();
    let mut usage = None;
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("error: ") {
            message.push(rest.to_owned());
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            hints.push(tip.to_owned());
        } else if let Some(values) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            hints.push(values.to_owned());
        } else if let Some(rest) = line.strip_prefix("Usage: ") {
            usage = Some(format!("usage: {rest}"));
        } else if !line.starts_with("For more information") {
            message.push(line.to_owned());
        }
    }
    let message = message.join(" ");
    let hint = if hints.is_empty() {
        usage
    } else {
        Some(hints.join("; "))
    };
    (message, hint)
}

/// A command that does not exist: an abbreviation of several is ambiguous (regsweep never guesses
/// which command was meant: a removal must be named in full), an abbreviation of one or a typo gets
/// the likeliest commands, best first (clap lists its suggestions worst first).
fn unknown_command(
    typed: &str,
    names: &[String],
    suggested: &[String],
) -> (String, Option<String>) {
    let starting: Vec<&String> = names.iter().filter(|n| n.starts_with(typed)).collect();
    if starting.len() > 1 {
        return (
            format!(
                "'{typed}' is ambiguous: it begins {}",
                word_list(&starting, "and")
            ),
            Some("name the whole command; `regsweep --help` lists them".to_owned()),
        );
    }
    let mut likely: Vec<&String> = starting;
    for name in suggested.iter().rev() {
        if !likely.contains(&name) {
            likely.push(name);
        }
    }
    likely.truncate(3);
    let hint = if likely.is_empty() {
        "`regsweep --help` lists the commands".to_owned()
    } else {
        let quoted: Vec<String> = likely.iter().map(|n| format!("'{n}'")).collect();
        format!("did you mean {}?", word_list(&quoted, "or"))
    };
    (format!("unrecognized command '{typed}'"), Some(hint))
}

/// `a`, `a or b`, `a, b or c` (the command line imports nothing of the rest of regsweep).
fn word_list(items: &[impl AsRef<str>], conjunction: &str) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// The commands of the command whose usage clap printed (`Usage: regsweep cache <COMMAND>`: those
/// of `cache`).
fn command_names(usage: &str) -> Vec<String> {
    let mut cmd = Cli::command();
    let path = usage
        .split_whitespace()
        .skip_while(|w| *w != "regsweep")
        .skip(1)
        .take_while(|w| !w.starts_with(['[', '<', '-']));
    for name in path {
        match cmd.find_subcommand(name) {
            Some(sub) => cmd = sub.clone(),
            None => break,
        }
    }
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name().to_owned())
        .collect()
}

fn context_string(err: &clap::Error, kind: clap::error::ContextKind) -> Option<String> {
    match err.get(kind)? {
        clap::error::ContextValue::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn context_strings(err: &clap::Error, kind: clap::error::ContextKind) -> Vec<String> {
    match err.get(kind) {
        Some(clap::error::ContextValue::Strings(v)) => v.clone(),
        Some(clap::error::ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// `--long` and `-s` spellings of every option that takes exactly one value, read off the clap
/// definitions so the list cannot drift from them.
fn single_value_options() -> Vec<String> {
    fn collect(cmd: &clap::Command, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let single = arg.get_num_args().is_some_and(|n| n.max_values() == 1);
            if arg.is_positional() || !arg.get_action().takes_values() || !single {
                continue;
            }
            out.extend(arg.get_long().map(|l| format!("--{l}")));
            out.extend(arg.get_short().map(|s| format!("-{s}")));
        }
        for sub in cmd.get_subcommands() {
            collect(sub, out);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, &mut out);
    out
}
