//! A removal plan as the user reviews it: each manifest to delete with the children of an index and
//! the attachments (signatures, SBOMs, attestations) of an image under it, and each tag to remove
//! from a manifest that stays, with how.

use std::collections::BTreeMap;

use super::{Context, age_seconds, human_duration};
use crate::inventory::Inventory;
use crate::output::{OutputFormat, Rows, Tone, media_type_label, short_digest};
use crate::registry::UntagMethod;
use crate::select::{Deletion, Plan};
use crate::version::natural_cmp;

/// Shows the plan: data on stdout (a table, plain lines, or for JSON the plan itself on a dry run;
/// otherwise it comes whole in the final report), its summary and the cache's age on stderr.
pub(super) fn show_plan(
    ctx: &Context,
    plan: &Plan,
    inventory: &Inventory,
    dry_run: bool,
    untag: Option<UntagMethod>,
) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    printer.note(&format!(
        "plan for {}, from the cache read {} ago (--refresh re-reads everything first)",
        inventory.registry,
        human_duration(age_seconds(inventory.refreshed_at))
    ));
    if dry_run || printer.format() != OutputFormat::Json {
        printer.rows(&PlanListing {
            plan,
            rows: rows(plan),
            untag,
        })?;
    }
    for held in &plan.held_back {
        printer.warn(&format!(
            "keeping {}@{} ({}): the kept index {} references it",
            held.repository,
            short_digest(&held.digest),
            held.tags.join(", "),
            short_digest(&held.referenced_by)
        ));
    }
    for kept in &plan.tagged_attachments {
        printer.warn(&format!(
            "keeping {}@{}, an attachment of {}: it carries tags of its own ({})",
            kept.repository,
            short_digest(&kept.digest),
            short_digest(&kept.referenced_by),
            kept.tags.join(", ")
        ));
    }
    if !plan.is_empty() {
        printer.important(&plan.summary());
    }
    Ok(())
}

/// One line of the listing.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Row<'a> {
    Delete(Deletion<'a>),
    Untag {
        repository: &'a str,
        digest: &'a str,
        tags: &'a [String],
    },
}

/// The plan's lines: untags, then each manifest followed by its children and by the attachments of
/// either (found through their subjects).
fn rows(plan: &Plan) -> Vec<Row<'_>> {
    let mut out: Vec<Row> = plan
        .untags
        .iter()
        .map(|u| Row::Untag {
            repository: &u.repository,
            digest: &u.digest,
            tags: &u.tags,
        })
        .collect();
    let deletions = in_version_order(plan.deletions().collect());
    let mut attached: BTreeMap<(&str, &str), Vec<Deletion>> = BTreeMap::new();
    for d in deletions.iter().filter(|d| d.subject.is_some()) {
        let subject = d.subject.unwrap_or_default();
        attached
            .entry((d.repository, subject))
            .or_default()
            .push(*d);
    }
    fn with_attachments<'a>(
        d: Deletion<'a>,
        attached: &mut BTreeMap<(&'a str, &'a str), Vec<Deletion<'a>>>,
        out: &mut Vec<Row<'a>>,
    ) {
        out.push(Row::Delete(d));
        for a in attached
            .remove(&(d.repository, d.digest))
            .unwrap_or_default()
        {
            with_attachments(a, attached, out);
        }
    }
    for d in deletions.iter().filter(|d| d.subject.is_none()) {
        with_attachments(*d, &mut attached, &mut out);
    }
    // Attachments whose subject the plan does not delete (orphans): on their own.
    let rest: Vec<Deletion> = attached.into_values().flatten().collect();
    out.extend(rest.into_iter().map(Row::Delete));
    out
}

/// Manifests by repository and then by their tags' versions (1.2 before 1.10, untagged last), as
/// `policy plan` and `list-tag-names` order them, each index followed by its children.
fn in_version_order(deletions: Vec<Deletion<'_>>) -> Vec<Deletion<'_>> {
    let mut groups: Vec<Vec<Deletion>> = Vec::new();
    for d in deletions {
        match groups.last_mut() {
            Some(group) if d.parent.is_some_and(|p| p == group[0].digest) => group.push(d),
            _ => groups.push(vec![d]),
        }
    }
    groups.sort_by(|a, b| {
        let (a, b) = (a[0], b[0]);
        a.repository.cmp(b.repository).then_with(|| {
            match (lowest_tag(a.tags), lowest_tag(b.tags)) {
                (Some(x), Some(y)) => natural_cmp(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.digest.cmp(b.digest),
            }
        })
    });
    groups.into_iter().flatten().collect()
}

fn lowest_tag(tags: &[String]) -> Option<&String> {
    tags.iter().min_by(|x, y| natural_cmp(x, y))
}

/// A plan as a listing.
struct PlanListing<'a> {
    plan: &'a Plan,
    rows: Vec<Row<'a>>,
    untag: Option<UntagMethod>,
}

impl<'a> Rows for PlanListing<'a> {
    type Row = Row<'a>;

    fn rows(&self) -> &[Row<'a>] {
        &self.rows
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAGS", "DIGEST", "TYPE"]
    }

    fn cells(&self, row: &Row) -> Vec<String> {
        let d = match row {
            Row::Untag {
                repository,
                digest,
                tags,
            } => {
                let how = match self.untag {
                    Some(UntagMethod::DeleteByTag) => "untag (DELETE by tag)",
                    Some(UntagMethod::Placeholder) => "untag (via a throwaway manifest)",
                    None => "untag (method found out when run)",
                };
                return vec![
                    (*repository).to_owned(),
                    tags.join(", "),
                    short_digest(digest),
                    how.to_owned(),
                ];
            }
            Row::Delete(d) => d,
        };
        let (repository, tags) = match (d.parent, d.kind) {
            (Some(_), _) => (
                String::new(),
                format!("└ {}", d.platform.unwrap_or("child")),
            ),
            (None, Some(kind)) if d.tags.is_empty() || !self.is_orphan(d) => {
                (String::new(), format!("└ {}", kind.label()))
            }
            _ => (d.repository.to_owned(), d.tags.join(", ")),
        };
        vec![
            repository,
            tags,
            short_digest(d.digest),
            media_type_label(d.media_type).to_owned(),
        ]
    }

    fn tone(&self, row: &Row) -> Tone {
        match row {
            Row::Delete(_) => Tone::Delete,
            Row::Untag { .. } => Tone::Change,
        }
    }

    fn plain(&self, row: &Row) -> String {
        match row {
            Row::Delete(d) => format!("{}  {}", d.repository, d.digest),
            Row::Untag {
                repository,
                digest,
                tags,
            } => format!("{repository}  {digest}  untag {}", tags.join(",")),
        }
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self.plan)?;
        writeln!(out)
    }
}

impl PlanListing<'_> {
    /// An attachment whose subject the plan does not delete.
    fn is_orphan(&self, d: &Deletion) -> bool {
        let subject = d.subject.unwrap_or_default();
        !self
            .plan
            .deletions()
            .any(|other| other.repository == d.repository && other.digest == subject)
    }
}

/// How the plan made from the registry as it is now differs from the one shown.
pub fn show_difference(ctx: &Context, old: &[String], new: &[String]) {
    let printer = &ctx.printer;
    printer.important("the plan made from the registry as it is now differs:");
    for line in old.iter().filter(|l| !new.contains(l)) {
        printer.important(&format!("  - {line}"));
    }
    for line in new.iter().filter(|l| !old.contains(l)) {
        printer.important(&format!("  + {line}"));
    }
    if old == new {
        printer.important("  (the same manifests, but what is held back changed)");
    }
}

/// Where the plan's inventory came from a registry's own API (`scope`) and the registry names
/// another digest for a tag, says so: the registry's answer is the one used.
pub(super) fn contradicted(ctx: &Context, cached: &Inventory, live: &Inventory) {
    let Some(source) = cached.scope.as_deref() else {
        return;
    };
    for (name, repository) in &live.repositories {
        let Some(before) = cached.repositories.get(name) else {
            continue;
        };
        for (tag, entry) in &repository.tags {
            if let Some(old) = before
                .tags
                .get(tag)
                .filter(|old| old.digest != entry.digest)
            {
                ctx.printer.warn(&format!(
                    "the registry says {name}:{tag} is {}, not {} as {source} said; the \
                     registry's answer is used",
                    entry.digest, old.digest
                ));
            }
        }
    }
}
