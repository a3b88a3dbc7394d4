//! `query-repos -r REPO...` and `query-tags -r REPO... -t/-re ... [-x/-xre ...]`: what removal would
//! delete, answered from the cache; and the notes a removal's plan shares with them.

use super::stored::{check_stored, selection_inventory};
use super::{Context, read_details, reclaim_of};
use crate::exit::{ExitStatus, UsageError};
use crate::inventory::Inventory;
use crate::output::{Printer, Rows, human_bytes, media_type_label, short_digest};
use crate::select::{Plan, Query, Reclaim, Selected, Unmatched, plan, unmatched};
use crate::settings::QuerySettings;

pub async fn run(ctx: &Context, settings: &QuerySettings) -> anyhow::Result<ExitStatus> {
    // The selected repositories, and where their digests are tagged elsewhere (the reverse check).
    let (query, mut inventory) = selection_inventory(ctx, &settings.query).await?;
    let query = &query;
    // Ages need the images' created times: read what the cache lacks. The reclaimable figure alone
    // never sends the query to the registry, unless asked (--details).
    let created = query.retention().needs_created();
    if created || settings.details {
        read_details(ctx, &mut inventory, query.repositories(), created).await?;
    } else if let Some(file) = ctx.cache()? {
        file.load_details(&mut inventory, query.repositories())?;
    }
    check_stored(ctx, &mut inventory, query).await?;
    warn_unmatched(&ctx.printer, &unmatched_of(query, &inventory));
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
    match plan(&inventory, selection.rows, query.with_attachments()) {
        Ok(plan) => {
            note_plan_extras(&ctx.printer, &plan);
            note_reclaim(&ctx.printer, &reclaim_of(ctx, &mut inventory, &plan)?);
        }
        Err(unknown) => ctx.printer.note(&format!(
            "reclaimable space not estimated: {unknown} (--details reads them)"
        )),
    }
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
            if r.untag {
                "untag".to_owned()
            } else {
                media_type_label(r.media_type.as_deref()).to_owned()
            },
        ]
    }

    fn plain(&self, r: &Selected) -> String {
        let line = format!("{:width$}  {}", r.repository, r.digest, width = self.width);
        if r.untag {
            format!("{line}  untag {}", r.tags.join(","))
        } else {
            line
        }
    }
}

/// The selector values of a tag query that match no tag of its repositories.
pub fn unmatched_of(query: &Query, inventory: &Inventory) -> Vec<Unmatched> {
    match query {
        Query::Tags(query) => unmatched(inventory, query),
        _ => Vec::new(),
    }
}

pub fn warn_unmatched(printer: &Printer, unmatched: &[Unmatched]) {
    for u in unmatched {
        printer.warn(&u.describe());
    }
}

/// A removal that would run unattended (`--yes`) with an exclusion that matches nothing: refused,
/// since that exclusion protects nothing. One line, with what it may have meant as the hint.
pub fn refuse_unmatched_protection(unmatched: &[Unmatched]) -> Result<(), UsageError> {
    let mut protective = unmatched.iter().filter(|u| u.protective);
    let Some(first) = protective.next() else {
        return Ok(());
    };
    let more = match protective.count() {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    };
    let meant = first
        .hint
        .as_ref()
        .map_or(String::new(), |h| format!("{h}; "));
    Err(UsageError::with_hint(
        format!(
            "{} matches no tag in {}{more}, so it protects nothing; nothing was deleted",
            first.selector, first.scope
        ),
        format!("{meant}fix the value, or pass --allow-unmatched to delete without it"),
    ))
}

/// What removal would do besides deleting the selected manifests: their attachments, untags.
pub fn note_plan_extras(printer: &Printer, plan: &Plan) {
    if !plan.attachments.is_empty() {
        printer.note(&format!(
            "removal takes {} attachments (signatures, SBOMs, attestations) of the selected images \
             along (--keep-referrers leaves them)",
            plan.attachments.len()
        ));
    }
    for kept in &plan.tagged_attachments {
        printer.note(&format!(
            "{}@{} is an attachment with tags of its own ({}); removal keeps it",
            kept.repository,
            short_digest(&kept.digest),
            kept.tags.join(", ")
        ));
    }
    if !plan.untags.is_empty() {
        printer.note(&format!(
            "{} tags would be removed from manifests that stay (untag)",
            plan.untagged_tag_count()
        ));
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
            "; an estimate: the cache lacks the details of {} manifests (--details reads the \
             selected ones, `regsweep usage` all of them)",
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
