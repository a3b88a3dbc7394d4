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

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    deleted: usize,
    /// Entries whose tags were removed and manifest kept.
    untagged: usize,
    already_gone: usize,
    failed: usize,
    /// Sent, and neither answered nor found out by reading the registry back.
    unknown: usize,
    not_attempted: usize,
}

impl Counts {
    fn add(&mut self, entry: &Entry) {
        match entry.status {
            Status::Deleted if entry.untag.is_some() => self.untagged += 1,
            Status::Deleted => self.deleted += 1,
            Status::AlreadyGone => self.already_gone += 1,
            Status::Failed => self.failed += 1,
            Status::Unknown => self.unknown += 1,
            Status::Pending => self.not_attempted += 1,
        }
    }

    fn of(journal: &Journal) -> Self {
        let mut counts = Self::default();
        journal.entries.iter().for_each(|e| counts.add(e));
        counts
    }

    fn values(&self) -> [(usize, &'static str); 6] {
        [
            (self.deleted, "deleted"),
            (self.untagged, "untagged"),
            (self.already_gone, "already gone"),
            (self.failed, "failed"),
            (self.unknown, "unknown"),
            (self.not_attempted, "not attempted"),
        ]
    }

    /// `126 deleted, 3 unknown, 271 not attempted`: what happened, leaving out what did not.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .values()
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{} {what}", crate::output::count(*n)))
            .collect();
        if parts.is_empty() {
            "nothing to do".to_owned()
        } else {
            parts.join(", ")
        }
    }

    fn total(&self) -> usize {
        self.values().iter().map(|(n, _)| n).sum()
    }
}

fn counts(journal: &Journal) -> BTreeMap<&str, Counts> {
    let mut by_repo: BTreeMap<&str, Counts> = BTreeMap::new();
    for entry in &journal.entries {
        by_repo.entry(&entry.repository).or_default().add(entry);
    }
    by_repo
}

/// What happened, per repository (with a total), then every manifest that did not go as planned:
/// a table on a terminal, lines in plain output (cron logs), and in JSON the whole report, every
/// manifest's outcome with the plan.
struct Report<'a> {
    by_repo: Vec<(&'a str, Counts)>,
    /// The entries that failed, are unknown or were not attempted, with why.
    unfinished: Vec<&'a Entry>,
    json: ReportDocument<'a>,
}

#[derive(Serialize)]
struct ReportDocument<'a> {
    plan: &'a Plan,
    reclaimable: &'a Reclaim,
    results: Vec<Outcome<'a>>,
    repositories: BTreeMap<&'a str, Counts>,
    total: Counts,
    /// A policy's decisions: what it kept and protected, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    decisions: Option<&'a serde_json::Value>,
    /// Selected manifests the plan kept, and why.
    kept_back: Vec<KeptBack>,
}

/// One journal entry's outcome: the entry without the manifest's bytes (the journal keeps those).
#[derive(Serialize)]
struct Outcome<'a> {
    repository: &'a str,
    digest: &'a str,
    media_type: &'a str,
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    untag: Option<crate::registry::UntagMethod>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl<'a> From<&'a Entry> for Outcome<'a> {
    fn from(e: &'a Entry) -> Self {
        Self {
            repository: &e.repository,
            digest: &e.digest,
            media_type: &e.media_type,
            tags: &e.tags,
            parent: e.parent.as_deref(),
            subject: e.subject.as_deref(),
            untag: e.untag,
            status: e.status,
            error: e.error.as_deref(),
        }
    }
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
        digest: h.digest.to_string(),
        tags: h.tags.clone(),
        why: format!(
            "kept index {} references it",
            short_digest(&h.referenced_by)
        ),
    });
    let attachments = plan.tagged_attachments.iter().map(|h| KeptBack {
        repository: h.repository.clone(),
        digest: h.digest.to_string(),
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
        let mut cells = vec![(*repo).to_owned()];
        cells.extend(c.values().iter().map(|(n, _)| n.to_string()));
        cells
    }

    fn plain(&self, (repo, c): &(&'a str, Counts)) -> String {
        format!("{repo}: {}", c.describe())
    }

    fn footer(&self) -> Vec<String> {
        let total = self.json.total;
        let mut lines = Vec::new();
        if self.by_repo.len() > 1 {
            lines.push(format!(
                "total: {} in {}: {}",
                crate::output::plural_count(total.total(), "manifest", "manifests"),
                crate::output::plural_count(self.by_repo.len(), "repository", "repositories"),
                total.describe()
            ));
        }
        for e in &self.unfinished {
            let status = match e.status {
                Status::Pending => "not attempted",
                Status::Unknown => "unknown",
                _ => "failed",
            };
            let tags = if e.tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.tags.join(", "))
            };
            let why = e.error.as_deref().unwrap_or("the run stopped before it");
            lines.push(format!(
                "{status}: {}@{}{tags}: {why}",
                e.repository,
                short_digest(&e.digest)
            ));
        }
        lines
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
    let kept = kept_back(plan, left_out);
    let unfinished = journal
        .entries
        .iter()
        .filter(|e| matches!(e.status, Status::Failed | Status::Unknown | Status::Pending))
        .collect();
    printer.rows(&Report {
        by_repo: counts(journal).into_iter().collect(),
        unfinished,
        json: ReportDocument {
            plan,
            reclaimable: reclaim,
            results: journal.entries.iter().map(Outcome::from).collect(),
            repositories: counts(journal),
            total: Counts::of(journal),
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
    let journal_name = journal_path.display().to_string();
    let tally = Counts::of(journal).describe();
    if deletion.aborted {
        bail!(RemovalStop::Aborted {
            tally,
            journal: journal_name,
        });
    }
    if deletion.interrupted {
        bail!(RemovalStop::Interrupted {
            tally,
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
                digest: digest('a').into(),
                tags: vec!["1.0-amd64".into()],
                referenced_by: digest('b'),
            }],
            tagged_attachments: vec![HeldBack {
                repository: "app".into(),
                digest: digest('c').into(),
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
        let failed = Entry {
            repository: "app".into(),
            digest: digest('f'),
            media_type: String::new(),
            tags: vec!["0.9".into()],
            parent: None,
            subject: None,
            untag: None,
            manifest: "{}".into(),
            status: Status::Failed,
            error: Some("still there after 3 attempts".into()),
        };
        let report = Report {
            by_repo: vec![("app", counts), ("web", Counts::default())],
            unfinished: vec![&failed],
            json: ReportDocument {
                plan: &plan,
                reclaimable: &Reclaim::default(),
                results: vec![Outcome::from(&failed)],
                repositories: BTreeMap::new(),
                total: counts,
                decisions: None,
                kept_back: kept,
            },
        };
        let rendered = |format| {
            let mut out = Vec::new();
            render(format, &report, None, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let table = rendered(OutputFormat::Table);
        assert!(table.contains("REPOSITORY"), "{table}");
        assert!(
            table
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == ["app", "3", "0", "0", "1", "0", "0"]),
            "{table}"
        );
        // Piped (cron logs): lines, no table, a total and each manifest that did not go.
        let plain = rendered(OutputFormat::Plain);
        assert_eq!(
            plain,
            "app: 3 deleted, 1 failed\nweb: nothing to do\n\
             total: 4 manifests in 2 repositories: 3 deleted, 1 failed\n\
             failed: app@ffffffffffff (0.9): still there after 3 attempts\n"
        );
        assert!(
            table.ends_with(&plain[plain.find("total:").unwrap()..]),
            "{table}"
        );
        let mut json = Vec::new();
        render(OutputFormat::Json, &report, None, &mut json).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["kept_back"][1]["tags"][0], "1.0-amd64");
        assert_eq!(json["results"][0]["status"], "failed");
        assert!(
            json["results"][0].get("manifest").is_none(),
            "the journal keeps the bytes; the report has no empty placeholder"
        );
        assert_eq!(
            json["kept_back"][2]["why"],
            "an attachment carrying tags of its own"
        );
    }
}
