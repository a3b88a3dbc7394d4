//! Output: data to stdout (table, plain columns or JSON), messages and progress to stderr.
//!
//! Nothing uses colour, so output reads the same with or without `NO_COLOR`. Writes to stdout go through
//! `io::Result` so a closed pipe (`regsweep ... | head`) ends the run quietly instead of panicking.
//! Every line and table cell, and every message, passes `escape`: names, platforms and error messages
//! come from registries and files, and must not drive the terminal or split a line.

use std::io::{self, IsTerminal as _, Write as _};
use std::time::Duration;

use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::settings::OutputFormat;

pub mod escape;
pub mod selection;

pub use escape::escape;

/// Columns separated by space, the header underlined: quiet enough to read a few hundred rows.
const TABLE_STYLE: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));

#[derive(Debug, Clone)]
pub struct Printer {
    format: OutputFormat,
    quiet: bool,
    count: bool,
}

impl Printer {
    pub fn new(format: OutputFormat, quiet: bool, count: bool) -> Self {
        Self {
            format,
            quiet,
            count,
        }
    }

    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Something the user may want to know (a stale cache, a refresh); silenced by `-q`.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("note: {}", escape(message));
        }
    }

    /// A line the user must see even with `-q`: a plan's summary, why a removal stopped.
    pub fn important(&self, message: &str) {
        eprintln!("{}", escape(message));
    }

    /// A question on stderr, without a line break, answered on stdin.
    pub fn prompt(&self, question: &str) {
        eprint!("{}", escape(question));
        let _ = io::stderr().flush();
    }

    /// Something the user must know; shown even with `-q`.
    pub fn warn(&self, message: &str) {
        eprintln!("warning: {}", escape(message));
    }

    /// A progress bar counting `unit` on stderr, drawn only when stderr is a terminal and `-q` was
    /// not given.
    pub fn progress(&self, unit: &str) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(&format!(
            "{{spinner}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// Lines as they are, one per line.
    pub fn lines<I, S>(&self, lines: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = io::BufWriter::new(io::stdout().lock());
        for line in lines {
            writeln!(out, "{}", escape(line.as_ref()))?;
        }
        out.flush()
    }

    /// A table with a header row, sized to the terminal.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        let mut table = Table::new();
        // A terminal that reports no usable width (some pseudo-terminals say 0) must not squeeze
        // every cell into a column of its own.
        let arrangement = match table.width() {
            Some(width) if width >= 40 => ContentArrangement::Dynamic,
            _ => ContentArrangement::Disabled,
        };
        table
            .load_style(TABLE_STYLE)
            .set_content_arrangement(arrangement)
            .set_header(header.to_vec());
        for row in rows {
            table.add_row(row.iter().map(|cell| escape(cell).into_owned()));
        }
        let mut out = io::stdout().lock();
        writeln!(out, "{table}")?;
        out.flush()
    }

    /// Pretty JSON from a serializable value.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        out.flush()
    }

    /// dregutil's `--count` footer: a dashed line, then `Number of <what>: N`. JSON output carries its
    /// own length, so it gets no footer.
    pub fn count_footer(&self, what: &str, n: usize) -> io::Result<()> {
        if !self.count || self.format == OutputFormat::Json {
            return Ok(());
        }
        let status = format!("Number of {what}: {n}");
        self.lines([&"-".repeat(status.len()), &status])
    }
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
    use crate::registry::manifest::*;
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

    #[test]
    fn short_digest_drops_the_algorithm() {
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_digest("abc"), "abc");
    }
}
