//! Help text that wraps cleanly at any width. The long texts are written wrapped in the source; here
//! each prose paragraph becomes one line (clap wraps it to the terminal), and indented entries
//! (a key and its description, a numbered step, an example command) are wrapped to the width with
//! their description's column kept (a hanging indent; a long command continues after ` \`).

use clap::CommandFactory as _;

use super::Cli;

/// The widest help is laid out for; clap's own default.
const MAX_WIDTH: usize = 100;

/// The command line with every long text laid out for the terminal: what `main` parses with.
pub fn command() -> clap::Command {
    let width = comfy_table::Table::new()
        .width()
        .map_or(MAX_WIDTH, |w| usize::from(w).clamp(40, MAX_WIDTH));
    command_for(width)
}

/// The command line laid out for `width` columns (man pages use a fixed one).
pub fn command_for(width: usize) -> clap::Command {
    reflowed(super::offered::offered(Cli::command()), width)
}

fn reflowed(mut cmd: clap::Command, width: usize) -> clap::Command {
    cmd = cmd.term_width(width);
    if let Some(text) = cmd.get_long_about().map(ToString::to_string) {
        cmd = cmd.long_about(reflow(&text, width));
    }
    if let Some(text) = cmd.get_after_help().map(ToString::to_string) {
        cmd = cmd.after_help(reflow(&text, width));
    }
    if let Some(text) = cmd.get_after_long_help().map(ToString::to_string) {
        cmd = cmd.after_long_help(reflow(&text, width));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| reflowed(sub, width));
    }
    cmd
}

/// Prose paragraphs joined into one line each; indented entries wrapped to `width` with a hanging
/// indent; blank lines and headings (`Examples:`) kept.
pub fn reflow(text: &str, width: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with(' ') {
            // An indented entry and its continuation lines (indented deeper).
            let hang = hanging_column(line);
            let mut words: Vec<&str> = line[hang..].split_whitespace().collect();
            i += 1;
            while i < lines.len() && indent(lines[i]) >= hang.max(3) && hang > indent(line) {
                words.extend(lines[i].split_whitespace());
                i += 1;
            }
            out.extend(wrap_entry(&line[..hang], &words, width));
            continue;
        }
        let mut paragraph = line.to_owned();
        i += 1;
        let prose = |l: &str| !l.is_empty() && !l.ends_with(':');
        while prose(&paragraph)
            && i < lines.len()
            && !lines[i].is_empty()
            && !lines[i].starts_with(' ')
        {
            paragraph.push(' ');
            paragraph.push_str(lines[i]);
            i += 1;
        }
        out.push(paragraph);
    }
    out.join("\n")
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Where an indented entry's description starts: after a list marker (`1. `, `- `), after a key
/// and two or more spaces, or (an example command) at its first character.
fn hanging_column(line: &str) -> usize {
    let start = indent(line);
    let body = &line[start..];
    let marker = body.split_once(' ').filter(|(m, _)| {
        *m == "-"
            || (m.ends_with('.')
                && m[..m.len() - 1].bytes().all(|b| b.is_ascii_digit())
                && m.len() > 1)
    });
    if let Some((m, _)) = marker {
        return start + m.len() + 1;
    }
    match body.find("  ") {
        Some(gap) => {
            let after = &body[gap..];
            start + gap + (after.len() - after.trim_start().len())
        }
        None => start,
    }
}

/// One entry as lines of at most `width`: the prefix (indent, key or marker), then the words, each
/// further line indented to the prefix's width. A command (no key) continues after ` \`.
fn wrap_entry(prefix: &str, words: &[&str], width: usize) -> Vec<String> {
    let command = prefix.trim().is_empty();
    let hang = if command {
        prefix.len() + 4
    } else {
        prefix.len()
    };
    let room = |first: bool| {
        width
            .saturating_sub(if first { prefix.len() } else { hang })
            .max(20)
    };
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in words {
        let limit = room(lines.is_empty()) - if command { 2 } else { 0 };
        if !current.is_empty() && current.len() + 1 + word.len() > limit {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    let last = lines.len() - 1;
    lines
        .into_iter()
        .enumerate()
        .map(|(n, text)| {
            let lead = if n == 0 {
                prefix.to_owned()
            } else {
                " ".repeat(hang)
            };
            let tail = if command && n < last { " \\" } else { "" };
            format!("{lead}{text}{tail}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_joins_and_entries_hang() {
        let text =
            "One line\nwrapped by hand.\n\nExamples:\n  regsweep a\n  regsweep b\nLast\nparagraph.";
        assert_eq!(
            reflow(text, 80),
            "One line wrapped by hand.\n\nExamples:\n  regsweep a\n  regsweep b\nLast paragraph."
        );
        let table = "  key = 1     what the key means, which takes\n               two lines here\n  1. a step\n     that goes on";
        assert_eq!(
            reflow(table, 40),
            "  key = 1     what the key means, which\n              takes two lines here\n  1. a step that goes on"
        );
        let long = format!("  regsweep {}", "word ".repeat(20));
        let wrapped = reflow(&long, 40);
        assert!(wrapped.lines().all(|l| l.len() <= 40), "{wrapped}");
        assert!(
            wrapped.lines().next().unwrap().ends_with(" \\"),
            "{wrapped}"
        );
    }

    /// Every command's long help, at 80 and 160 columns: no line longer than the width, no
    /// paragraph broken raggedly (a short line whose sentence goes on in the next), and an examples
    /// section.
    #[test]
    fn help_wraps_cleanly_and_ends_with_examples() {
        fn walk(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
            out.push(cmd.clone());
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, out);
            }
        }
        for width in [80, 160] {
            let mut all = Vec::new();
            let mut root = command_for(width);
            root.build();
            walk(&root, &mut all);
            for cmd in &all {
                let help = cmd.clone().render_long_help().to_string();
                let lines: Vec<&str> = help.lines().collect();
                for pair in lines.windows(2) {
                    let (this, next) = (pair[0].trim_end(), pair[1]);
                    assert!(
                        this.chars().count() <= width,
                        "{}: too long at {width}: {this:?}",
                        cmd.get_name()
                    );
                    // A line broken short whose sentence goes on at the left margin.
                    let ragged = !this.is_empty()
                        && this.chars().count() < width.min(100) / 2
                        && !this.ends_with([':', '.', ';', ','])
                        && next.starts_with(|c: char| c.is_ascii_lowercase());
                    assert!(
                        !ragged,
                        "{}: ragged at {width}: {this:?} / {next:?}",
                        cmd.get_name()
                    );
                }
                // Only example commands continue after a backslash.
                for line in lines.iter().filter(|l| l.ends_with(" \\")) {
                    assert!(line.contains("regsweep"), "{}: {line:?}", cmd.get_name());
                }
                if !cmd.is_hide_set() && cmd.get_subcommands().next().is_none() {
                    assert!(
                        help.contains("Example"),
                        "{} has no examples",
                        cmd.get_name()
                    );
                }
            }
        }
    }
}
