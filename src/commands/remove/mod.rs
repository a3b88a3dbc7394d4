//! `remove-repos` and `remove-tags`: one flow that never deletes what the user did not select.
//!
//! 1. Plan from the cache and show it.
//! 2. Ask (or need `--yes`).
//! 3. Re-read the selected repositories live and plan again; any difference stops everything.
//! 4. Write the journal (exact manifest bytes), synced to disk.
//! 5. Delete, indexes before their children, concurrently.
//! 6. Report, update the journal and the cache.
//!
//! Ctrl-C during deletion lets in-flight deletes finish, writes the journal and the cache, and exits
//! 130.

use std::collections::BTreeMap;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use indicatif::ProgressBar;
use jiff::Timestamp;
use serde::Serialize;

use super::{Context, age_seconds, cache_file, human_duration, inventory, with_details};
use crate::cache::Inventory;
use crate::details::ensure_details;
use crate::exit::ExitStatus;
use crate::journal::{self, Entry, Journal, Status};
use crate::output::selection::{note_reclaim, note_undated};
use crate::output::{media_type_label, short_digest};
use crate::refresh::{Scope, refresh};
use crate::registry::{Client, Deleted, RegistryError};
use crate::select::{Plan, Query, Reclaim, plan, reclaimable};
use crate::settings::{OutputFormat, Settings};

/// The command's name, for the journal.
fn command_name(query: &Query) -> &'static str {
    match query {
        Query::Repos(_) => "remove-repos",
        Query::Tags(_) => "remove-tags",
    }
}

/// The selection as a removal plan.
fn plan_of(query: &Query, inventory: &Inventory) -> anyhow::Result<Plan> {
    Ok(plan(inventory, query.select(inventory)?)?)
}

/// How the user agreed to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmation {
    pub yes: bool,
    pub dry_run: bool,
}

/// Why a removal stopped without doing (all) its work; each has its exit code.
#[derive(Debug, thiserror::Error)]
pub enum RemovalStop {
    #[error("not confirmed; nothing was deleted")]
    Declined,
    #[error("standard input is not a terminal, so there is no one to confirm; nothing was deleted")]
    NoTerminal,
    #[error("the registry changed since the plan was made; nothing was deleted")]
    PlanChanged,
    #[error("{failed} of {total} deletions failed: {first}")]
    Partial {
        failed: usize,
        total: usize,
        first: String,
    },
    #[error("interrupted: {deleted} deleted, {pending} not attempted; the journal is {journal}")]
    Interrupted {
        deleted: usize,
        pending: usize,
        journal: String,
    },
}

impl RemovalStop {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Declined | Self::NoTerminal => ExitStatus::NotConfirmed,
            Self::PlanChanged => ExitStatus::PlanChanged,
            Self::Partial { .. } => ExitStatus::PartialFailure,
            Self::Interrupted { .. } => ExitStatus::Interrupted,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Declined => return None,
            Self::NoTerminal => {
                "pass --yes (-y) to delete without asking, or --dry-run to only see the plan".into()
            }
            Self::PlanChanged => {
                "the cache was updated; run the command again to see the new plan".into()
            }
            Self::Partial { .. } | Self::Interrupted { .. } => {
                "`regsweep restore` puts back what was deleted, from the newest journal".into()
            }
        })
    }
}

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    selection: &Query,
    confirmation: Confirmation,
) -> anyhow::Result<ExitStatus> {
    let registry = settings.registry()?.clone();
    let client = Client::new(settings.client_config()?)?;
    let cache = cache_file(settings)?;
    let mut inventory = inventory(settings, ctx, Scope::All).await?;
    let created = selection.retention().needs_created();
    with_details(settings, &mut inventory, selection.repositories(), created).await?;
    let plan = plan_of(selection, &inventory)?;
    let reclaim = reclaimable(&inventory, &plan);
    show_plan(ctx, &plan, &inventory, confirmation.dry_run)?;
    note_undated(&ctx.printer, selection.undated(&inventory));
    if plan.is_empty() {
        ctx.printer.note("nothing to delete");
        return Ok(ExitStatus::Success);
    }
    note_reclaim(&ctx.printer, &reclaim);
    if confirmation.dry_run {
        ctx.printer.note("dry run: nothing was deleted");
        return Ok(ExitStatus::Success);
    }
    if !confirmation.yes {
        confirm(&plan)?;
    }

    // Re-check live: the selected repositories as they are now, the others from the cache.
    let fresh = refresh(
        &client,
        Scope::Only(selection.repositories()),
        None,
        &ProgressBar::hidden(),
    )
    .await
    .context("re-reading the selected repositories before deleting")?;
    let mut live = inventory.clone();
    live.repositories.extend(fresh.repositories);
    ensure_details(&client, &mut live, selection.repositories(), created).await?;
    let replanned = plan_of(selection, &live);
    if let Some(cache) = &cache {
        cache.save(&live)?;
    }
    match replanned {
        Ok(replanned) if replanned == plan => {}
        Ok(replanned) => {
            show_difference(&plan, &replanned);
            bail!(RemovalStop::PlanChanged);
        }
        Err(err) => {
            eprintln!("the selection no longer holds: {err:#}");
            bail!(RemovalStop::PlanChanged);
        }
    }

    let journal_path = journal::new_path(&registry, Timestamp::now())?;
    let mut journal = write_journal(
        &client,
        &registry.to_string(),
        selection,
        &plan,
        &journal_path,
    )
    .await?;
    ctx.printer
        .note(&format!("journal written to {}", journal_path.display()));

    let interrupted = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let signal = {
        let (interrupted, stop) = (interrupted.clone(), stop.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::SeqCst);
                stop.store(true, Ordering::SeqCst);
            }
        })
    };
    let fatal = delete_all(&client, &mut journal, settings.concurrency, &stop, ctx).await;
    signal.abort();

    journal::save(&journal_path, &journal)?;
    apply_to_cache(&mut live, &journal);
    if let Some(cache) = &cache {
        cache.save(&live)?;
    }
    report(ctx, &journal, &plan, &reclaim)?;
    finish(
        &journal,
        fatal,
        interrupted.load(Ordering::SeqCst),
        &journal_path,
    )
}

/// Shows the plan: data on stdout (a table, plain `REPO  DIGEST` lines, or nothing yet for JSON, which
/// comes whole at the end), its summary and the cache's age on stderr.
fn show_plan(
    ctx: &Context,
    plan: &Plan,
    inventory: &Inventory,
    dry_run: bool,
) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    printer.note(&format!(
        "plan for {}, from the cache read {} ago (--refresh re-reads everything first)",
        inventory.registry,
        human_duration(age_seconds(inventory.refreshed_at))
    ));
    match printer.format() {
        OutputFormat::Plain => printer.lines(plan.manifests.iter().flat_map(|m| {
            std::iter::once(format!("{}  {}", m.repository, m.digest)).chain(
                m.children
                    .iter()
                    .map(move |c| format!("{}  {}", m.repository, c.digest)),
            )
        }))?,
        OutputFormat::Table => {
            let mut rows = Vec::new();
            for m in &plan.manifests {
                rows.push(vec![
                    m.repository.clone(),
                    m.tags.join(", "),
                    short_digest(&m.digest),
                    media_type_label(m.media_type.as_deref()).to_owned(),
                ]);
                for c in &m.children {
                    rows.push(vec![
                        String::new(),
                        format!("└ {}", c.platform.as_deref().unwrap_or("child")),
                        short_digest(&c.digest),
                        media_type_label(c.media_type.as_deref()).to_owned(),
                    ]);
                }
            }
            printer.table(&["REPOSITORY", "TAGS", "DIGEST", "TYPE"], rows)?;
        }
        OutputFormat::Json if dry_run => printer.json(plan)?,
        OutputFormat::Json => {}
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
    if !plan.is_empty() {
        eprintln!("{}", plan.summary());
    }
    Ok(())
}

/// Asks on the terminal; anything but y/yes declines.
fn confirm(plan: &Plan) -> Result<(), RemovalStop> {
    if !std::io::stdin().is_terminal() {
        return Err(RemovalStop::NoTerminal);
    }
    eprint!("Delete {}? [y/N] ", plan.summary());
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Err(RemovalStop::Declined);
    }
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(RemovalStop::Declined),
    }
}

fn show_difference(before: &Plan, after: &Plan) {
    let lines = |plan: &Plan| -> Vec<String> {
        plan.manifests
            .iter()
            .map(|m| format!("{}@{} ({})", m.repository, m.digest, m.tags.join(", ")))
            .collect()
    };
    let (old, new) = (lines(before), lines(after));
    eprintln!("the plan made from the registry as it is now differs:");
    for line in old.iter().filter(|l| !new.contains(l)) {
        eprintln!("  - {line}");
    }
    for line in new.iter().filter(|l| !old.contains(l)) {
        eprintln!("  + {line}");
    }
    if old == new {
        eprintln!(
            "  (the same manifests, but the children of an index or what is held back changed)"
        );
    }
}

/// Reads every planned manifest's exact bytes and writes the journal, synced, before any delete.
async fn write_journal(
    client: &Client,
    registry: &str,
    selection: &Query,
    plan: &Plan,
    path: &std::path::Path,
) -> anyhow::Result<Journal> {
    let mut wanted = Vec::new();
    for m in &plan.manifests {
        wanted.push((
            m.repository.as_str(),
            m.digest.as_str(),
            m.tags.clone(),
            None,
        ));
        for c in &m.children {
            wanted.push((
                m.repository.as_str(),
                c.digest.as_str(),
                Vec::new(),
                Some(m.digest.clone()),
            ));
        }
    }
    let entries = futures::future::try_join_all(wanted.into_iter().map(
        |(repo, digest, tags, parent)| async move {
            let manifest = client
                .manifest(repo, digest)
                .await
                .with_context(|| format!("reading {repo}@{digest} for the journal"))?;
            let Some(manifest) = manifest else {
                bail!(RemovalStop::PlanChanged);
            };
            if manifest.digest != digest {
                bail!(
                    "the registry served {} for {repo}@{digest}",
                    manifest.digest
                );
            }
            let text = String::from_utf8(manifest.bytes.to_vec())
                .with_context(|| format!("{repo}@{digest} is not a JSON manifest"))?;
            anyhow::Ok(Entry {
                repository: repo.to_owned(),
                digest: digest.to_owned(),
                media_type: manifest.media_type.unwrap_or_default(),
                tags,
                parent,
                manifest: text,
                status: Status::Pending,
                error: None,
            })
        },
    ))
    .await?;
    let journal = Journal {
        schema: journal::SCHEMA_VERSION,
        registry: registry.to_owned(),
        created_at: Timestamp::now(),
        command: command_name(selection).to_owned(),
        entries,
    };
    journal::save(path, &journal)?;
    Ok(journal)
}

/// Deletes every pending entry: manifests first, then the children of indexes, each phase
/// concurrently. Stops launching deletes once `stop` is set (Ctrl-C, or a refusal that every further
/// delete would meet too). Returns that refusal, if any.
async fn delete_all(
    client: &Client,
    journal: &mut Journal,
    concurrency: usize,
    stop: &AtomicBool,
    ctx: &Context,
) -> Option<RegistryError> {
    let progress = ctx.printer.progress();
    progress.set_length(journal.entries.len() as u64);
    progress.set_message("deleting");
    let mut fatal = None;
    for children in [false, true] {
        let jobs: Vec<usize> = (0..journal.entries.len())
            .filter(|i| journal.entries[*i].parent.is_some() == children)
            .collect();
        let entries = &journal.entries;
        let progress = &progress;
        let results: Vec<(usize, Option<Result<Deleted, RegistryError>>)> =
            futures::stream::iter(jobs)
                .map(|i| async move {
                    if stop.load(Ordering::SeqCst) {
                        return (i, None);
                    }
                    let entry = &entries[i];
                    let result = client
                        .delete_manifest(&entry.repository, &entry.digest)
                        .await;
                    if matches!(
                        result,
                        Err(RegistryError::Unsupported { .. }
                            | RegistryError::Unauthorized { .. }
                            | RegistryError::Forbidden { .. }
                            | RegistryError::AuthFailed { .. }
                            | RegistryError::Denied { .. })
                    ) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    progress.inc(1);
                    (i, Some(result))
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
        for (i, result) in results {
            let entry = &mut journal.entries[i];
            match result {
                None => {}
                Some(Ok(Deleted::Deleted)) => entry.status = Status::Deleted,
                Some(Ok(Deleted::AlreadyGone)) => entry.status = Status::AlreadyGone,
                Some(Err(err)) => {
                    entry.status = Status::Failed;
                    entry.error = Some(err.to_string());
                    if stop.load(Ordering::SeqCst) && fatal.is_none() {
                        fatal = Some(err);
                    }
                }
            }
        }
    }
    progress.finish_and_clear();
    fatal
}

/// Removes from the cache the tags of every manifest that is gone now.
fn apply_to_cache(inventory: &mut Inventory, journal: &Journal) {
    for entry in &journal.entries {
        let gone = matches!(entry.status, Status::Deleted | Status::AlreadyGone);
        if let Some(repository) = inventory
            .repositories
            .get_mut(&entry.repository)
            .filter(|_| gone)
        {
            repository.tags.retain(|_, t| t.digest != entry.digest);
        }
    }
}

#[derive(Default, Serialize)]
struct Counts {
    deleted: usize,
    already_gone: usize,
    failed: usize,
    not_attempted: usize,
}

fn counts(journal: &Journal) -> BTreeMap<&str, Counts> {
    let mut by_repo: BTreeMap<&str, Counts> = BTreeMap::new();
    for entry in &journal.entries {
        let counts = by_repo.entry(&entry.repository).or_default();
        match entry.status {
            Status::Deleted => counts.deleted += 1,
            Status::AlreadyGone => counts.already_gone += 1,
            Status::Failed => counts.failed += 1,
            Status::Pending => counts.not_attempted += 1,
        }
    }
    by_repo
}

fn report(ctx: &Context, journal: &Journal, plan: &Plan, reclaim: &Reclaim) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    let by_repo = counts(journal);
    match printer.format() {
        OutputFormat::Json => {
            #[derive(Serialize)]
            struct Report<'a> {
                plan: &'a Plan,
                reclaimable: &'a Reclaim,
                results: &'a [Entry],
                repositories: &'a BTreeMap<&'a str, Counts>,
            }
            // The manifests' bytes stay in the journal; the report says what happened to each.
            let results: Vec<Entry> = journal
                .entries
                .iter()
                .map(|e| Entry {
                    manifest: String::new(),
                    ..e.clone()
                })
                .collect();
            printer.json(&Report {
                plan,
                reclaimable: reclaim,
                results: &results,
                repositories: &by_repo,
            })?;
        }
        _ => printer.table(
            &[
                "REPOSITORY",
                "DELETED",
                "ALREADY GONE",
                "FAILED",
                "NOT ATTEMPTED",
            ],
            by_repo
                .iter()
                .map(|(repo, c)| {
                    vec![
                        (*repo).to_owned(),
                        c.deleted.to_string(),
                        c.already_gone.to_string(),
                        c.failed.to_string(),
                        c.not_attempted.to_string(),
                    ]
                })
                .collect(),
        )?,
    }
    let removed = journal
        .entries
        .iter()
        .filter(|e| e.status == Status::Deleted)
        .count();
    printer.count_footer("removed digests", removed)?;
    if removed > 0 {
        printer.note(
            "the registry frees the space only when its garbage collector runs; for Docker's \
             registry: `registry garbage-collect --delete-untagged CONFIG` (docker-registry on Debian)",
        );
    }
    Ok(())
}

fn finish(
    journal: &Journal,
    fatal: Option<RegistryError>,
    interrupted: bool,
    journal_path: &std::path::Path,
) -> anyhow::Result<ExitStatus> {
    let count = |status| {
        journal
            .entries
            .iter()
            .filter(|e| e.status == status)
            .count()
    };
    let (deleted, failed, pending) = (
        count(Status::Deleted),
        count(Status::Failed),
        count(Status::Pending),
    );
    if interrupted {
        bail!(RemovalStop::Interrupted {
            deleted,
            pending,
            journal: journal_path.display().to_string(),
        });
    }
    if let Some(err) = fatal.filter(|_| deleted == 0) {
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
    if failed + pending > 0 {
        let first = journal
            .entries
            .iter()
            .find_map(|e| e.error.clone())
            .unwrap_or_else(|| "not attempted".to_owned());
        bail!(RemovalStop::Partial {
            failed: failed + pending,
            total: journal.entries.len(),
            first,
        });
    }
    Ok(ExitStatus::Success)
}
