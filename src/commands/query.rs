//! `query-repos -r REPO...` and `query-tags -r REPO... -t/-re ... [-x/-xre ...]`: what removal would
//! delete, answered from the cache; and the notes a removal's plan shares with them.

use super::{Context, inventory, read_details};
use crate::exit::ExitStatus;
use crate::output::{Printer, Rows, human_bytes, media_type_label, short_digest};
use crate::refresh::Scope;
use crate::select::{Query, Reclaim, Selected, plan, reclaimable};

pub async fn run(ctx: &Context, query: &Query) -> anyhow::Result<ExitStatus> {
    // The reverse check needs every repository, so the whole registry is read even without a cache.
    let mut inventory = inventory(ctx, Scope::All).await?;
    // Details of the selected repositories: for ages, multi-arch children and reclaimable space.
    let created = query.retention().needs_created();
    read_details(ctx, &mut inventory, query.repositories(), created).await?;
    let rows = query.select(&inventory)?;
    let count = rows.len();
    let width = query
        .repositories()
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0);
    let selection = Selection { rows, width };
    ctx.printer.rows(&selection)?;
    ctx.printer.count_footer("selected digests", count)?;
    note_undated(&ctx.printer, query.undated(&inventory));
    note_reclaim(
        &ctx.printer,
        &reclaimable(&inventory, &plan(&inventory, selection.rows)?),
    );
    Ok(ExitStatus::Success)
}

/// One row per (repository, digest). Plain lines pad the repository to the longest *requested* name,
/// exactly as dregutil did, so scripts that cut columns keep working.
struct Selection {
    rows: Vec<Selected>,
    width: usize,
}

impl Rows for Selection {
    type Row = Selected;

    fn rows(&self) -> &[Selected] {
        &self.rows
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAGS", "DIGEST", "TYPE"]
    }

    fn cells(&self, r: &Selected) -> Vec<String> {
        vec![
            r.repository.clone(),
            r.tags.join(", "),
            short_digest(&r.digest),
            media_type_label(r.media_type.as_deref()).to_owned(),
        ]
    }

    fn plain(&self, r: &Selected) -> String {
        format!("{:width$}  {}", r.repository, r.digest, width = self.width)
    }
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
