//! `journal list`: the journals removals wrote, newest last, with what each did.

use std::path::PathBuf;

use serde::Serialize;

use super::Context;
use crate::exit::ExitStatus;
use crate::journal::{self, Status};
use crate::output::{Column, Rows};

#[derive(Serialize)]
struct JournalRow {
    path: String,
    created_at: String,
    registry: String,
    command: String,
    manifests: usize,
    tags: usize,
    deleted: usize,
    pending: usize,
    failed: usize,
    unknown: usize,
}

struct Journals(Vec<JournalRow>);

impl Rows for Journals {
    type Row = JournalRow;

    fn rows(&self) -> &[JournalRow] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec![
            "TIME",
            "REGISTRY",
            "COMMAND",
            "MANIFESTS",
            "TAGS",
            "DELETED",
            "PENDING",
            "FAILED",
            "UNKNOWN",
            "FILE",
        ]
    }

    /// On a narrow terminal the registry goes first (usually the one asked about), then the
    /// rarer counts; the file shows its name.
    fn columns(&self) -> Vec<Column> {
        self.header()
            .into_iter()
            .map(|header| match header {
                "REGISTRY" => Column::of(header).dropped(0),
                "UNKNOWN" => Column::of(header).dropped(1),
                "PENDING" => Column::of(header).dropped(2),
                "COMMAND" => Column::of(header).dropped(3),
                _ => Column::of(header),
            })
            .collect()
    }

    fn cells(&self, r: &JournalRow) -> Vec<String> {
        vec![
            r.created_at.clone(),
            r.registry.clone(),
            r.command.clone(),
            r.manifests.to_string(),
            r.tags.to_string(),
            r.deleted.to_string(),
            r.pending.to_string(),
            r.failed.to_string(),
            r.unknown.to_string(),
            r.path.clone(),
        ]
    }

    fn plain(&self, r: &JournalRow) -> String {
        format!(
            "{}  {}  {}  {} manifests  {} tags  {} deleted  {} pending  {} failed  {} unknown",
            r.created_at,
            r.registry,
            r.path,
            r.manifests,
            r.tags,
            r.deleted,
            r.pending,
            r.failed,
            r.unknown
        )
    }
}

/// The journals of the registry (of every registry without `--registry`).
pub fn list(ctx: &Context) -> anyhow::Result<ExitStatus> {
    let dirs: Vec<PathBuf> = match ctx.registry() {
        Ok(registry) => vec![journal::dir_for(registry)?],
        Err(_) => {
            let root = journal::root()?;
            match std::fs::read_dir(&root) {
                Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
                Err(_) => Vec::new(),
            }
        }
    };
    let mut paths = Vec::new();
    for dir in dirs {
        paths.extend(journal::list(&dir)?);
    }
    // Each journal holds its manifests' bytes: many large ones take seconds to read.
    let progress = ctx.printer.progress("journals");
    progress.set_message("reading journals");
    progress.set_length(paths.len() as u64);
    let mut rows = Vec::new();
    for path in paths {
        progress.inc(1);
        let journal = journal::load(&path);
        let journal = journal.inspect_err(|_| progress.finish_and_clear())?;
        let count = |status| {
            journal
                .entries
                .iter()
                .filter(|e| e.status == status)
                .count()
        };
        rows.push(JournalRow {
            path: path.display().to_string(),
            created_at: crate::output::timestamp(journal.created_at),
            registry: journal.registry.clone(),
            command: journal.command.clone(),
            manifests: journal.entries.len(),
            tags: journal.entries.iter().map(|e| e.tags.len()).sum(),
            deleted: count(Status::Deleted),
            pending: count(Status::Pending),
            failed: count(Status::Failed),
            unknown: count(Status::Unknown),
        });
    }
    progress.finish_and_clear();
    ctx.printer.rows(&Journals(rows))?;
    Ok(ExitStatus::Success)
}
