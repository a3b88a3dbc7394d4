//! What a removal says at the end: per repository what was deleted, already gone, failed, unknown or
//! not attempted, and how the run ends (its exit code).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::bail;
use serde::Serialize;

use super::RemovalStop;
use super::delete::Deletion;
use crate::commands::Context;
use crate::exit::ExitStatus;
use crate::journal::{Entry, Journal, Status};
use crate::output::Rows;
use crate::registry::RegistryError;
use crate::select::{Plan, Reclaim};

#[derive(Default, Serialize)]
struct Counts {
    deleted: usize,
    /// Entries whose tags were removed and manifest kept.
    untagged: usize,
    already_gone: usize,
    failed: usize,
    unknown: usize,
    not_attempted: usize,
}

fn counts(journal: &Journal) -> BTreeMap<&str, Counts> {
    let mut by_repo: BTreeMap<&str, Counts> = BTreeMap::new();
    for entry in &journal.entries {
        let counts = by_repo.entry(&entry.repository).or_default();
        match entry.status {
            Status::Deleted if entry.untag.is_some() => counts.untagged += 1,
            Status::Deleted => counts.deleted += 1,
            Status::AlreadyGone => counts.already_gone += 1,
            Status::Failed => counts.failed += 1,
            Status::Unknown => counts.unknown += 1,
            Status::Pending => counts.not_attempted += 1,
        }
    }
    by_repo
}

/// What happened, per repository: a table in plain output too (a report for people); JSON is the
/// whole report, every manifest's outcome with the plan.
struct Report<'a> {
    by_repo: Vec<(&'a str, Counts)>,
    json: ReportDocument<'a>,
}

#[derive(Serialize)]
struct ReportDocument<'a> {
    plan: &'a Plan,
    reclaimable: &'a Reclaim,
    results: Vec<Entry>,
    repositories: BTreeMap<&'a str, Counts>,
    /// A policy's decisions: what it kept and protected, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    decisions: Option<&'a serde_json::Value>,
}

impl<'a> Rows for Report<'a> {
    type Row = (&'a str, Counts);

    fn rows(&self) -> &[(&'a str, Counts)] {
        &self.by_repo
    }

    fn header(&self) -> Vec<&'static str> {
        vec![
            "REPOSITORY",
            "DELETED",
            "UNTAGGED",
            "ALREADY GONE",
            "FAILED",
            "UNKNOWN",
            "NOT ATTEMPTED",
        ]
    }

    fn cells(&self, (repo, c): &(&'a str, Counts)) -> Vec<String> {
        vec![
            (*repo).to_owned(),
            c.deleted.to_string(),
            c.untagged.to_string(),
            c.already_gone.to_string(),
            c.failed.to_string(),
            c.unknown.to_string(),
            c.not_attempted.to_string(),
        ]
    }

    fn plain(&self, row: &(&'a str, Counts)) -> String {
        self.cells(row).join("  ")
    }

    fn plain_is_table(&self) -> bool {
        true
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.json)?;
        writeln!(out)
    }
}

pub fn report(
    ctx: &Context,
    journal: &Journal,
    (plan, decisions): (&Plan, Option<&serde_json::Value>),
    reclaim: &Reclaim,
) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    // The manifests' bytes stay in the journal; the report says what happened to each.
    let results = journal
        .entries
        .iter()
        .map(|e| Entry {
            manifest: String::new(),
            ..e.clone()
        })
        .collect();
    printer.rows(&Report {
        by_repo: counts(journal).into_iter().collect(),
        json: ReportDocument {
            plan,
            reclaimable: reclaim,
            results,
            repositories: counts(journal),
            decisions,
        },
    })?;
    let removed = count(journal, Status::Deleted);
    printer.count_footer("removed digests", removed)?;
    if removed > 0 {
        printer.note(
            "the registry frees the space only when its garbage collector runs; for Docker's \
             registry: `registry garbage-collect --delete-untagged CONFIG` (docker-registry on Debian)",
        );
    }
    Ok(())
}

fn count(journal: &Journal, status: Status) -> usize {
    journal
        .entries
        .iter()
        .filter(|e| e.status == status)
        .count()
}

/// How the run ends: an abort or an interruption (130), a refusal before anything was deleted (its
/// own code), a partial failure (10), or success.
pub fn finish(
    journal: &Journal,
    deletion: Deletion,
    journal_path: &Path,
) -> anyhow::Result<ExitStatus> {
    let deleted = count(journal, Status::Deleted);
    let pending = count(journal, Status::Pending);
    let journal_name = journal_path.display().to_string();
    if deletion.aborted {
        bail!(RemovalStop::Aborted {
            deleted,
            pending,
            journal: journal_name,
        });
    }
    if deletion.interrupted {
        bail!(RemovalStop::Interrupted {
            deleted,
            pending,
            journal: journal_name,
        });
    }
    if let Some(err) = deletion.fatal.filter(|_| deleted == 0) {
        let context = match &err {
            RegistryError::Unsupported { .. } => {
                "the registry has deletion disabled (nothing was deleted)".to_owned()
            }
            RegistryError::Denied {
                repository: Some(repo),
                ..
            } => format!(
                "the credentials lack the delete permission on {repo} (repository:{repo}:delete); \
                 nothing was deleted"
            ),
            _ => "nothing was deleted".to_owned(),
        };
        return Err(anyhow::Error::new(err).context(context));
    }
    let unfinished = journal.entries.len() - deleted - count(journal, Status::AlreadyGone);
    if unfinished > 0 {
        let first = journal
            .entries
            .iter()
            .find_map(|e| e.error.clone())
            .unwrap_or_else(|| "not attempted".to_owned());
        bail!(RemovalStop::Partial {
            failed: unfinished,
            total: journal.entries.len(),
            first,
        });
    }
    Ok(ExitStatus::Success)
}
