//! `query-repos -r REPO...` and `query-tags -r REPO... -t/-re ... [-x/-xre ...]`: what removal would
//! delete, answered from the cache; and the notes a removal's plan shares with them.

use super::stored::{check_stored, selection_inventory};
use super::{Context, read_details, reclaim_of};
use crate::details::Need;
use crate::exit::{ExitStatus, UsageError};
use crate::inventory::Inventory;
use crate::output::{Printer, Rows, human_bytes, media_type_label, plural_count, short_digest};
use crate::select::{
    LeftOut, Plan, Query, Reclaim, Selected, Unmatched, left_out, plan, unmatched,
};
use crate::settings::QuerySettings;

pub async fn run(ctx: &Context, settings: &QuerySettings) -> anyhow::Result<ExitStatus> {
    // The selected repositories, and where their digests are tagged elsewhere (the reverse check).
    let (query, mut inventory) = selection_inventory(ctx, &settings.query).await?;
    let query = &query;
    // Ages need the images' created times: read what the cache lacks. The reclaimable figure alone
    // never sends the query to the registry, unless asked (--details).
    let created = query.retention().needs_created();
    if created || settings.details {
        // Ages alone need no blobs; --details asks for the exact reclaimable space.
        let need = Need {
            created,
            blobs: settings.details,
        };
        read_details(ctx, &mut inventory, query.repositories(), need).await?;
    } else if let Some(file) = ctx.cache()? {
        file.load_details(&mut inventory, query.repositories())?;
    }
    check_stored(ctx, &mut inventory, query).await?;
    warn_unmatched(&ctx.printer, &unmatched_of(query, &inventory));
    let rows = query.select(&inventory)?;
    let count = rows.len();
    if let Query::Tags(tags) = query {
        note_left_out(&ctx.printer, &left_out(&inventory, tags, &rows));
    }
    if rows.is_empty() {
        ctx.printer.note("nothing selected");
    }
    let width = query
        .repositories()
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0);
    let selection = Selection { rows, width };
    ctx.printer.rows(&selection)?;
    ctx.printer.count_footer("selected digests", count)?;
    for note in passed_over(query, &inventory) {
        ctx.printer.note(&note);
    }
    if count == 0 {
        return Ok(ExitStatus::Success);
    }
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
            r.repository.to_string(),
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
            "removal takes {} (signatures, SBOMs, attestations) of the selected images along \
             (--keep-referrers leaves them)",
            plural_count(plan.attachments.len(), "attachment", "attachments")
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
            "{} would be removed from manifests that stay (untag)",
            plural_count(plan.untagged_tag_count(), "tag", "tags")
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
            "; an estimate: the cache lacks the details of {} (--details reads the selected \
             ones, `regsweep usage` all of them)",
            plural_count(reclaim.missing_details, "manifest", "manifests")
        ));
    }
    printer.note(&line);
}

/// What a query's filters passed over, as notes: images without a created time (an age filter
/// never matches them), untagged manifests that lost their tags too recently.
pub fn passed_over(query: &Query, inventory: &Inventory) -> Vec<String> {
    let mut notes = Vec::new();
    let undated = query.undated(inventory);
    if undated > 0 {
        notes.push(format!(
            "{} no created time and never {} an age filter (left out)",
            plural_count(undated, "image has", "images have"),
            if undated == 1 { "matches" } else { "match" }
        ));
    }
    let young = query.too_young(inventory);
    if young > 0 {
        notes.push(format!(
            "{} left out: {} lost {} tags more recently than --older-than",
            plural_count(young, "untagged manifest", "untagged manifests"),
            if young == 1 { "it" } else { "they" },
            if young == 1 { "its" } else { "their" }
        ));
    }
    notes
}

/// Digests a tag query named but left out, and why (the plan's and the query's notes).
pub fn note_left_out(printer: &Printer, left_out: &[LeftOut]) {
    for left in left_out {
        printer.note(&format!(
            "left out {}@{} ({}): {}",
            left.repository,
            short_digest(&left.digest),
            left.tags.join(", "),
            left.why
        ));
    }
}
