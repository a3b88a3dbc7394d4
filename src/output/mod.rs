//! Output: data to stdout (table, plain columns or JSON), messages and progress to stderr.
//!
//! Colour only where it helps reading and only when wanted (`--color`, `NO_COLOR`, a terminal):
//! table rows by what they mean (`Tone`) and the warning label; plain, JSON and template output
//! never. Nothing here panics on a write: a reader that went away (`regsweep ... | head`, a closed
//! stderr) is remembered (`Printer::closed`), so a removal that has not begun can refuse to begin,
//! and one that has begun finishes without anyone to read its report.
//! Every line and table cell, and every message, passes `escape`: names, platforms and error messages
//! come from registries and files, and must not drive the terminal or split a line.

use std::io::{self, IsTerminal as _, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use comfy_table::Table;
use indicatif::{ProgressBar, ProgressDrawTarget};

use progress::{lock_active, progress_style};
use serde::Serialize;

pub mod escape;
mod progress;
pub mod table;
pub mod template;
pub mod time;

pub use escape::escape;
pub use table::Column;
pub use template::{Template, TemplateError};
pub use time::{age, human_duration, seconds, timestamp};

/// How listings are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Plain,
    Json,
    /// `--format '{{field}} ...'`: the printer holds the template.
    Template,
}

/// A listing, as `--format` shows it: a table on a terminal, plain lines for scripts (dregutil's
/// columns where dregutil had the command), or JSON. Every command's output is one of these, so the
/// three forms are chosen in one place (`render`).
pub trait Rows {
    type Row: Serialize;
    fn rows(&self) -> &[Self::Row];
    /// The table's header, one name per cell.
    fn header(&self) -> Vec<&'static str>;
    /// The table's columns: how each gives way on a narrow terminal (`table`). By default as
    /// their headers say: digests shorten, paths become file names, sizes and times stay whole,
    /// names are cut; no column is left out.
    fn columns(&self) -> Vec<Column> {
        self.header().into_iter().map(Column::of).collect()
    }
    fn cells(&self, row: &Self::Row) -> Vec<String>;
    /// One plain line.
    fn plain(&self, row: &Self::Row) -> String;
    /// Lines after the rows, in tables and plain output (a report's totals and exceptions); JSON
    /// carries them in its document.
    fn footer(&self) -> Vec<String> {
        Vec::new()
    }
    /// JSON: the rows as an array, unless a listing has a document of its own.
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self.rows())?;
        writeln!(out)
    }
    /// What a row means, for colour in a table on a terminal.
    fn tone(&self, _row: &Self::Row) -> Tone {
        Tone::Plain
    }
}

/// What a row means to the reader: coloured in tables when colour is on (red goes, yellow changes,
/// green stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Delete,
    Change,
    Keep,
}

impl Tone {
    /// The row's ANSI colour (SGR foreground code).
    fn ansi(self) -> Option<u8> {
        match self {
            Self::Plain => None,
            Self::Delete => Some(31),
            Self::Change => Some(33),
            Self::Keep => Some(32),
        }
    }
}

/// Whether to colour: `--color always|never`, or (auto) on a terminal unless `NO_COLOR` is set or
/// the terminal is dumb.
pub fn use_color(choice: Option<bool>, terminal: bool) -> bool {
    choice.unwrap_or_else(|| {
        terminal
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::env::var("TERM").map_or(true, |t| t != "dumb")
    })
}

/// Writes a listing in `format`; tables fit `width` columns when it is known. Every line and cell is
/// escaped (JSON escapes on its own).
#[cfg(test)]
pub fn render<R: Rows>(
    format: OutputFormat,
    rows: &R,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_styled(format, rows, (width, false), out)
}

/// `render`, with each table row coloured by its tone when `color` is on.
pub fn render_styled<R: Rows>(
    format: OutputFormat,
    rows: &R,
    (width, color): (Option<u16>, bool),
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => rows.write_json(out),
        // The printer renders templates (`render_template`); here a template falls back to plain.
        OutputFormat::Plain | OutputFormat::Template => {
            for row in rows.rows() {
                writeln!(out, "{}", escape(&rows.plain(row)))?;
            }
            write_footer(rows, out)
        }
        // A header over nothing says nothing: the command says what was not found.
        OutputFormat::Table if rows.rows().is_empty() => write_footer(rows, out),
        OutputFormat::Table => {
            let cells = rows
                .rows()
                .iter()
                .map(|row| {
                    rows.cells(row)
                        .iter()
                        .map(|c| escape(c).into_owned())
                        .collect()
                })
                .collect();
            let tones: Vec<Tone> = rows.rows().iter().map(|row| rows.tone(row)).collect();
            let paint = |row: usize, cell: &str| match tones[row].ansi().filter(|_| color) {
                Some(code) => format!("\x1b[{code}m{cell}\x1b[0m"),
                None => cell.to_owned(),
            };
            // A terminal that reports no usable width (some pseudo-terminals say 0) gets the
            // table as wide as it is.
            let width = width.map(usize::from).filter(|w| *w >= 40);
            let text = table::layout(&rows.columns(), cells, width, &paint);
            writeln!(out, "{text}")?;
            write_footer(rows, out)
        }
    }
}

fn write_footer<R: Rows>(rows: &R, out: &mut dyn Write) -> io::Result<()> {
    for line in rows.footer() {
        writeln!(out, "{}", escape(&line))?;
    }
    Ok(())
}

/// Each row through a `--format` template, one line per row. A field the rows do not have is an
/// error (as an `io::Error` carrying the `TemplateError`, which the caller reports as a usage error).
pub fn render_template<R: Rows>(
    template: &Template,
    rows: &R,
    out: &mut dyn Write,
) -> io::Result<()> {
    let values = rows
        .rows()
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(io::Error::other)?;
    for line in template.render_rows(&values).map_err(io::Error::other)? {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Which of the standard streams a write found closed.
#[derive(Debug, Default)]
struct Closed {
    stdout: AtomicBool,
    stderr: AtomicBool,
}

/// Writes `text` to stderr, never panicking; false when the write failed (the reader went away).
pub fn to_stderr(text: std::fmt::Arguments) -> bool {
    let mut err = io::stderr().lock();
    err.write_fmt(text).and_then(|()| err.flush()).is_ok()
}

#[derive(Debug, Clone)]
pub struct Printer {
    format: OutputFormat,
    quiet: bool,
    count: bool,
    template: Option<std::sync::Arc<Template>>,
    /// Colour on stdout (tables) and on stderr (warnings).
    color: (bool, bool),
    /// `--verbose`: each phase's time.
    verbose: bool,
    /// Streams found closed, shared by the printer's clones.
    closed: Arc<Closed>,
    /// The progress line last started, which messages are written around.
    active: Arc<std::sync::Mutex<Option<ProgressBar>>>,
}

impl Printer {
    pub fn new(format: OutputFormat, quiet: bool, count: bool) -> Self {
        Self {
            format,
            quiet,
            count,
            template: None,
            color: (false, false),
            verbose: false,
            closed: Arc::default(),
            active: Arc::default(),
        }
    }

    /// The standard stream a write found closed, if any: nobody is reading what the run says.
    pub fn closed(&self) -> Option<&'static str> {
        if self.closed.stdout.load(Ordering::SeqCst) {
            Some("standard output")
        } else if self.closed.stderr.load(Ordering::SeqCst) {
            Some("standard error")
        } else {
            None
        }
    }

    /// A line (or, without a line break, a prompt) on stderr; a failed write is remembered. A
    /// progress line being drawn is cleared first and drawn again below, so the message stands on
    /// its own line.
    fn to_stderr(&self, text: std::fmt::Arguments) {
        let bar = lock_active(&self.active)
            .clone()
            .filter(|b| !b.is_finished() && !b.is_hidden());
        let written = match bar {
            Some(bar) => bar.suspend(|| to_stderr(text)),
            None => to_stderr(text),
        };
        if !written {
            self.closed.stderr.store(true, Ordering::SeqCst);
        }
    }

    /// A closed stdout is remembered and is not an error: nobody is reading, and whatever the run
    /// was doing goes on (a removal under way finishes). Other errors (a template's) stay errors.
    fn stdout_result(&self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.stdout.store(true, Ordering::SeqCst);
                Ok(())
            }
            other => other,
        }
    }

    /// `--verbose`: say how long each phase took.
    pub fn with_verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// A step's one-line summary when it is done ("read 10,000 tags of 100 repositories in 5.8 s");
    /// a note, so `-q` silences it.
    pub fn done(&self, what: &str, started: std::time::Instant) {
        self.note(&format!("{what} in {}", seconds(started.elapsed())));
    }

    /// With `--verbose`, a measurement of the run (`timing: requests in flight: ...`).
    pub fn verbose(&self, text: &str) {
        if self.verbose {
            self.to_stderr(format_args!("timing: {}\n", escape(text)));
        }
    }

    /// With `--verbose`, how long a phase took.
    pub fn phase(&self, phase: &str, started: std::time::Instant) {
        if self.verbose {
            self.to_stderr(format_args!(
                "timing: {}: {}\n",
                escape(phase),
                seconds(started.elapsed())
            ));
        }
    }

    /// `--color`: `Some(true)` always, `Some(false)` never, `None` where each stream is a terminal.
    pub fn with_color(mut self, choice: Option<bool>) -> Self {
        self.color = (
            use_color(choice, io::stdout().is_terminal()),
            use_color(choice, io::stderr().is_terminal()),
        );
        self
    }

    /// With `--format TEMPLATE`: listings go through it.
    pub fn with_template(mut self, template: Option<Template>) -> Self {
        if let Some(template) = template {
            self.format = OutputFormat::Template;
            self.template = Some(std::sync::Arc::new(template));
        }
        self
    }

    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Something the user may want to know (a stale cache, a refresh); silenced by `-q`.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            self.to_stderr(format_args!("note: {}\n", escape(message)));
        }
    }

    /// A line the user must see even with `-q`: a plan's summary, why a removal stopped.
    pub fn important(&self, message: &str) {
        self.to_stderr(format_args!("{}\n", escape(message)));
    }

    /// A question on stderr, without a line break, answered on stdin.
    pub fn prompt(&self, question: &str) {
        self.to_stderr(format_args!("{}", escape(question)));
    }

    /// Something the user must know; shown even with `-q`. Its label is yellow when colour is on.
    pub fn warn(&self, message: &str) {
        let label = if self.color.1 {
            "\x1b[33mwarning:\x1b[0m"
        } else {
            "warning:"
        };
        self.to_stderr(format_args!("{label} {}\n", escape(message)));
    }

    /// A progress bar counting `unit` on stderr, drawn only when stderr is a terminal and `-q` was
    /// not given.
    pub fn progress(&self, unit: &str) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        // A phase given up (Ctrl-C drops its future) takes its line with it: what is said next
        // starts a line of its own.
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
            .with_finish(indicatif::ProgressFinish::AndClear);
        bar.set_style(progress_style(unit));
        bar.enable_steady_tick(Duration::from_millis(120));
        *lock_active(&self.active) = Some(bar.clone());
        bar
    }

    /// Lines as they are (escaped), one per line.
    fn lines<I, S>(&self, lines: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = io::BufWriter::new(io::stdout().lock());
        let written = lines
            .into_iter()
            .try_for_each(|line| writeln!(out, "{}", escape(line.as_ref())))
            .and_then(|()| out.flush());
        self.stdout_result(written)
    }

    /// Text on stdout as it is (a file's contents the user asked for).
    pub fn text(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        self.stdout_result(written)
    }

    /// A listing on stdout, in the chosen format, tables sized to the terminal.
    pub fn rows<R: Rows>(&self, rows: &R) -> io::Result<()> {
        let width = terminal_width();
        let mut out = io::BufWriter::new(io::stdout().lock());
        let written = match &self.template {
            Some(template) => render_template(template, rows, &mut out),
            None => render_styled(self.format, rows, (width, self.color.0), &mut out),
        };
        self.stdout_result(written.and_then(|()| out.flush()))
    }

    /// dregutil's `--count` footer: a dashed line, then `Number of <what>: N`. JSON output carries its
    /// own length, so it gets no footer.
    pub fn count_footer(&self, what: &str, n: usize) -> io::Result<()> {
        if !self.count || matches!(self.format, OutputFormat::Json | OutputFormat::Template) {
            return Ok(());
        }
        let status = format!("Number of {what}: {n}");
        self.lines([&"-".repeat(status.len()), &status])
    }
}

/// The width tables fit: the terminal's, or `COLUMNS` when stdout is not one (`watch`, a pager,
/// `--format table | less`).
fn terminal_width() -> Option<u16> {
    Table::new().width().or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
    })
}

/// Counts for people: `10,000`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun: `1 repository`, `10,000 repositories`.
pub fn plural_count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// Sizes for people: `1.2 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

/// The first 12 hex characters of a digest, as `docker images` shows them.
pub fn short_digest(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.chars().take(12).collect()
}

/// A short human name for a manifest media type.
pub fn media_type_label(media_type: Option<&str>) -> &str {
    use crate::media_type::*;
    match media_type {
        Some(OCI_INDEX) => "OCI index",
        Some(OCI_MANIFEST) => "OCI manifest",
        Some(DOCKER_LIST) => "Docker manifest list",
        Some(DOCKER_V2) => "Docker v2",
        Some(DOCKER_V1 | DOCKER_V1_SIGNED) => "Docker v1",
        Some(other) => other,
        None => "-",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Pair {
        name: String,
        n: usize,
    }

    struct Pairs(Vec<Pair>);

    impl Rows for Pairs {
        type Row = Pair;
        fn rows(&self) -> &[Pair] {
            &self.0
        }
        fn header(&self) -> Vec<&'static str> {
            vec!["NAME", "N"]
        }
        fn cells(&self, row: &Pair) -> Vec<String> {
            vec![row.name.clone(), row.n.to_string()]
        }
        fn plain(&self, row: &Pair) -> String {
            format!("{}  {}", row.name, row.n)
        }
        fn tone(&self, row: &Pair) -> Tone {
            if row.n == 0 { Tone::Delete } else { Tone::Keep }
        }
    }

    #[test]
    fn colour_only_in_tables_and_only_when_on() {
        let rows = Pairs(vec![
            Pair {
                name: "gone".into(),
                n: 0,
            },
            Pair {
                name: "stays".into(),
                n: 1,
            },
        ]);
        let styled = |format, color| {
            let mut out = Vec::new();
            render_styled(format, &rows, (Some(80), color), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let table = styled(OutputFormat::Table, true);
        let red = table.lines().find(|l| l.contains("gone")).unwrap();
        assert!(
            red.contains("\x1b[38;5;9m") || red.contains("\x1b[31m"),
            "{red:?}"
        );
        let green = table.lines().find(|l| l.contains("stays")).unwrap();
        assert!(
            green.contains("\x1b[38;5;10m") || green.contains("\x1b[32m"),
            "{green:?}"
        );
        assert!(!styled(OutputFormat::Table, false).contains('\x1b'));
        assert!(
            !styled(OutputFormat::Plain, true).contains('\x1b'),
            "plain output is for scripts"
        );
        assert!(!styled(OutputFormat::Json, true).contains('\x1b'));
        assert!(
            use_color(Some(true), false),
            "--color always, even when piped"
        );
        assert!(
            !use_color(Some(false), true),
            "--color never, even on a terminal"
        );
        assert!(!use_color(None, false), "auto: not when piped");
    }

    fn rendered(format: OutputFormat, rows: &Pairs) -> String {
        let mut out = Vec::new();
        render(format, rows, None, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_listing_three_forms() {
        let rows = Pairs(vec![
            Pair {
                name: "app".into(),
                n: 2,
            },
            Pair {
                name: "evil\u{1b}[2J\nx".into(),
                n: 1,
            },
        ]);
        assert_eq!(
            rendered(OutputFormat::Plain, &rows),
            "app  2\nevil\\x1b[2J\\nx  1\n"
        );
        let table = rendered(OutputFormat::Table, &rows);
        assert!(
            table.contains("NAME") && table.contains(r"evil\x1b[2J\nx"),
            "{table}"
        );
        assert!(!table.contains('\u{1b}'));
        let json: serde_json::Value =
            serde_json::from_str(&rendered(OutputFormat::Json, &rows)).unwrap();
        assert_eq!(
            json[1]["name"], "evil\u{1b}[2J\nx",
            "JSON keeps the exact value"
        );
    }

    #[test]
    fn short_digest_drops_the_algorithm() {
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_digest("abc"), "abc");
    }
}
