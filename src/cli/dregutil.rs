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
    use clap::error::ErrorKind;
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return (
            "no command given".to_owned(),
            Some("`regsweep --help` lists the commands".to_owned()),
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
