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
use crate::output::{Rows, short_digest};
use crate::registry::RegistryError;
use crate::select::{LeftOut, Plan, Reclaim};

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
    /// Selected manifests the plan kept, and why.
    kept_back: Vec<KeptBack>,
}

/// A manifest the selection named that stays, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptBack {
    pub repository: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub why: String,
}

/// What the plan kept back: digests the selection named but left out (a tag not selected, an
/// exclusion, --keep, another repository), manifests a kept index references, and attachments with
/// tags of their own.
pub fn kept_back(plan: &Plan, left_out: &[LeftOut]) -> Vec<KeptBack> {
    let left = left_out.iter().map(|l| KeptBack {
        repository: l.repository.clone(),
        digest: l.digest.clone(),
        tags: l.tags.clone(),
        why: l.why.clone(),
    });
    let held = plan.held_back.iter().map(|h| KeptBack {
        repository: h.repository.clone(),
        digest: h.digest.clone(),
        tags: h.tags.clone(),
        why: format!(
            "kept index {} references it",
            short_digest(&h.referenced_by)
        ),
    });
    let attachments = plan.tagged_attachments.iter().map(|h| KeptBack {
        repository: h.repository.clone(),
        digest: h.digest.clone(),
        tags: h.tags.clone(),
        why: "an attachment carrying tags of its own".to_owned(),
    });
    left.chain(held).chain(attachments).collect()
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
    (plan, decisions, left_out): (&Plan, Option<&serde_json::Value>, &[LeftOut]),
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
    let kept = kept_back(plan, left_out);
    printer.rows(&Report {
        by_repo: counts(journal).into_iter().collect(),
        json: ReportDocument {
            plan,
            reclaimable: reclaim,
            results,
            repositories: counts(journal),
            decisions,
            kept_back: kept.clone(),
        },
    })?;
    if printer.format() != crate::output::OutputFormat::Json {
        for k in &kept {
            printer.important(&format!(
                "kept back: {}@{} ({}): {}",
                k.repository,
                short_digest(&k.digest),
                k.tags.join(", "),
                k.why
            ));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{OutputFormat, render};
    use crate::select::HeldBack;

    #[test]
    fn the_report_says_what_was_kept_back_and_why() {
        let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let plan = Plan {
            held_back: vec![HeldBack {
                repository: "app".into(),
                digest: digest('a'),
                tags: vec!["1.0-amd64".into()],
                referenced_by: digest('b'),
            }],
            tagged_attachments: vec![HeldBack {
                repository: "app".into(),
                digest: digest('c'),
                tags: vec!["sig-keep".into()],
                referenced_by: digest('d'),
            }],
            ..Plan::default()
        };
        let left = [LeftOut {
            repository: "app".into(),
            digest: digest('e'),
            tags: vec!["1.0".into()],
            why: "it also carries tag latest, which was not selected".into(),
        }];
        let kept = kept_back(&plan, &left);
        assert_eq!(kept.len(), 3);
        assert_eq!(
            kept[0].why,
            "it also carries tag latest, which was not selected"
        );
        assert_eq!(kept[1].why, "kept index bbbbbbbbbbbb references it");
        assert_eq!(kept[2].why, "an attachment carrying tags of its own");

        let counts = Counts {
            deleted: 3,
            failed: 1,
            ..Counts::default()
        };
        let report = Report {
            by_repo: vec![("app", counts)],
            json: ReportDocument {
                plan: &plan,
                reclaimable: &Reclaim::default(),
                results: Vec::new(),
                repositories: BTreeMap::new(),
                decisions: None,
                kept_back: kept,
            },
        };
        let mut table = Vec::new();
        render(OutputFormat::Plain, &report, None, &mut table).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(table.contains("REPOSITORY"), "{table}");
        assert!(
            table
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == ["app", "3", "0", "0", "1", "0", "0"]),
            "{table}"
        );
        let mut json = Vec::new();
        render(OutputFormat::Json, &report, None, &mut json).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["kept_back"][1]["tags"][0], "1.0-amd64");
        assert_eq!(
            json["kept_back"][2]["why"],
            "an attachment carrying tags of its own"
        );
    }
}
