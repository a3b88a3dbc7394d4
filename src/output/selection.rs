//! How a selection is shown: dregutil's `REPO  DIGEST` lines when piped, a table on a terminal, JSON.

use std::io;

use super::{Printer, media_type_label, short_digest};
use crate::select::Selected;
use crate::settings::OutputFormat;

/// Prints one row per (repository, digest). Plain lines pad the repository to the longest *requested*
/// name, exactly as dregutil did, so scripts that cut columns keep working.
pub fn print_selection(
    printer: &Printer,
    rows: &[Selected],
    requested: &[String],
) -> io::Result<()> {
    match printer.format() {
        OutputFormat::Plain => {
            let width = requested.iter().map(String::len).max().unwrap_or(0);
            printer.lines(
                rows.iter()
                    .map(|r| format!("{:width$}  {}", r.repository, r.digest)),
            )?;
        }
        OutputFormat::Table => printer.table(
            &["REPOSITORY", "TAGS", "DIGEST", "TYPE"],
            rows.iter()
                .map(|r| {
                    vec![
                        r.repository.clone(),
                        r.tags.join(", "),
                        short_digest(&r.digest),
                        media_type_label(r.media_type.as_deref()).to_owned(),
                    ]
                })
                .collect(),
        )?,
        OutputFormat::Json => printer.json(rows)?,
    }
    printer.count_footer("selected digests", rows.len())
}
