//! How a selection is shown: dregutil's `REPO  DIGEST` lines when piped, a table on a terminal, JSON.

use std::io;

use super::{Printer, human_bytes, media_type_label, short_digest};
use crate::select::{Reclaim, Selected};
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

/// What a plan frees after garbage collection, and how sure that figure is.
pub fn note_reclaim(printer: &Printer, reclaim: &Reclaim) {
    let mut line = format!(
        "reclaimable after the registry's garbage collection: {} ({} bytes)",
        human_bytes(reclaim.bytes),
        reclaim.bytes
    );
    if reclaim.missing_details > 0 {
        line.push_str(&format!(
            "; an estimate: the cache lacks the details of {} manifests elsewhere in the registry \
             (`regsweep usage` reads them all)",
            reclaim.missing_details
        ));
    }
    printer.note(&line);
}

/// How many images an age filter passed over for lacking a created time.
pub fn note_undated(printer: &Printer, undated: usize) {
    if undated > 0 {
        printer.note(&format!(
            "{undated} images have no created time and never match an age filter (left out)"
        ));
    }
}
