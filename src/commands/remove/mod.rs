//! `remove-repos` and `remove-tags`: one flow that never deletes what the user did not select.
//!
//! 1. Plan from the cache and show it. A cache that lists manifests the registry no longer has is
//!    drift already: the selected repositories are re-read and nothing is deleted.
//! 2. Ask (or need `--yes`).
//! 3. Re-read the selected repositories live and plan again; any difference stops everything.
//! 4. Write the journal (exact manifest bytes), synced to disk.
//! 5. Delete, indexes before their children, each lost answer checked (see `delete`).
//! 6. Report, update the journal and the cache.
//!
//! Ctrl-C at the prompt, during the re-check or while the journal is written stops with nothing
//! deleted. During deletion it lets in-flight deletes finish, writes the journal and the cache, and
//! exits 130; a second Ctrl-C abandons them at once, and what they did is read back before the
//! report. A reader that goes away (stdout or stderr closed) before deleting begins stops the run
//! with nothing deleted; after, the deletes finish and the journal and cache are written.

mod attempt;
mod delete;
mod interrupt;
mod listing;
mod report;
mod untag;
mod verify;

use interrupt::Interrupts;
pub use listing::show_difference;
use listing::show_plan;

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, bail};
use indicatif::ProgressBar;
use jiff::Timestamp;

use super::query::{
    note_left_out, note_reclaim, passed_over, refuse_unmatched_protection, unmatched_of,
    warn_unmatched,
};
use super::stored::{ask_stored, check_stored, selection_inventory, stored_questions};
use super::{Context, age_seconds, human_duration, reclaim_of, with_details};
use crate::details::{Need, ensure_details};
use crate::exit::ExitStatus;
use crate::inventory::{Capabilities, Inventory, MediaType, Untagged, merge_details};
use crate::journal::{self, Journal, Status};
use crate::output::short_digest;
use crate::refresh::{Scope, refresh};
use crate::registry::UntagMethod;
use crate::select::{LeftOut, Plan, Query, Reclaim, left_out, plan};
use crate::settings::{Confirmation, RemoveSettings};

/// What a removal deletes: a command line's query or a policy. The flow below (show, confirm,
/// re-check live, journal, delete, report) is the same for both.
pub trait Selection: Sync {
    /// The command's name, for the journal.
    fn command(&self) -> &'static str;
    /// The repositories re-read live before deleting; `None`: the whole registry.
    fn live_repositories(&self) -> Option<&[String]>;
    /// Whether planning needs the images' created times.
    fn needs_created(&self) -> bool;
    /// The selection as a removal plan.
    fn plan(&self, inventory: &Inventory) -> anyhow::Result<Plan>;
    /// What to ask the registry is stored before planning (untagged manifests, images of
    /// attachments).
    fn stored_questions(&self, inventory: &Inventory) -> Vec<(String, String)>;
    /// What its filters passed over, as notes (images without a created time, untagged manifests
    /// too young).
    fn passed_over(&self, _inventory: &Inventory) -> Vec<String> {
        Vec::new()
    }
    /// What it would delete, as lines to compare, even when no plan can be made.
    fn plan_lines(&self, inventory: &Inventory) -> Vec<String> {
        match self.plan(inventory) {
            Ok(plan) => lines(&plan),
            Err(err) => vec![format!("(no plan: {err:#})")],
        }
    }
}

impl Selection for Query {
    fn command(&self) -> &'static str {
        match self {
            Query::Repos(_) => "remove-repos",
            Query::Tags(_) => "remove-tags",
            Query::Orphans(_) => "remove-orphaned-referrers",
            Query::Untagged(_) => "remove-untagged",
        }
    }

    fn live_repositories(&self) -> Option<&[String]> {
        Some(self.repositories())
    }

    fn needs_created(&self) -> bool {
        self.retention().needs_created()
    }

    fn plan(&self, inventory: &Inventory) -> anyhow::Result<Plan> {
        Query::plan(self, inventory)
    }

    fn stored_questions(&self, inventory: &Inventory) -> Vec<(String, String)> {
        stored_questions(inventory, self)
    }

    fn passed_over(&self, inventory: &Inventory) -> Vec<String> {
        passed_over(self, inventory)
    }

    /// From the selection alone when no plan can be made of it (an index whose children the stale
    /// cache lacks).
    fn plan_lines(&self, inventory: &Inventory) -> Vec<String> {
        match self.select(inventory) {
            Ok(rows) => match plan(inventory, rows.clone(), self.with_attachments()) {
                Ok(plan) => lines(&plan),
                Err(_) => rows
                    .iter()
                    .map(|r| format!("{}@{} ({})", r.repository, r.digest, r.tags.join(", ")))
                    .collect(),
            },
            Err(err) => vec![format!("(no selection: {err})")],
        }
    }
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
    #[error(
        "the plan deletes {planned} manifests, more than --max-delete {max}; nothing was deleted"
    )]
    TooLarge { planned: usize, max: usize },
    #[error("the registry is not what the plan file was made from; nothing was deleted")]
    PlanFileDrift,
    #[error("{failed} of {total} deletions failed: {first}")]
    Partial {
        failed: usize,
        total: usize,
        first: String,
    },
    #[error("interrupted: {tally}; the journal is {journal}")]
    Interrupted { tally: String, journal: String },
    #[error("aborted: {tally}; the journal is {journal}")]
    Aborted { tally: String, journal: String },
    #[error("interrupted before deleting began; nothing was deleted")]
    InterruptedBefore,
    #[error(
        "{stream} was closed before deleting began, so nobody could follow the removal; nothing \
         was deleted"
    )]
    NobodyListening { stream: &'static str },
}

/// Stops before the first DELETE when nobody reads what the run says any more.
fn ensure_listening(ctx: &Context) -> Result<(), RemovalStop> {
    match ctx.printer.closed() {
        Some(stream) => Err(RemovalStop::NobodyListening { stream }),
        None => Ok(()),
    }
}

pub async fn run(ctx: &Context, settings: &RemoveSettings) -> anyhow::Result<ExitStatus> {
    let RemoveSettings {
        query: selection,
        confirmation,
        allow_unmatched,
    } = settings;
    let (selection, mut inventory) = selection_inventory(ctx, selection).await?;
    let unmatched = unmatched_of(&selection, &inventory);
    if confirmation.yes && !confirmation.dry_run && !allow_unmatched {
        refuse_unmatched_protection(&unmatched)?;
    }
    warn_unmatched(&ctx.printer, &unmatched);
    let created = selection.retention().needs_created();
    let need = Need {
        created,
        blobs: true,
    };
    let gone = with_details(ctx, &mut inventory, selection.repositories(), need).await?;
    check_stored(ctx, &mut inventory, &selection).await?;
    if !gone.is_empty() {
        return Err(stale(ctx, &selection, &inventory, gone.len()).await);
    }
    // Selected once: the plan is made of the rows, and a tag query's report says what they left out.
    let rows = selection.select(&inventory)?;
    let left_out = match &selection {
        Query::Tags(query) => left_out(&inventory, query, &rows),
        _ => Vec::new(),
    };
    let plan = plan(&inventory, rows, selection.with_attachments())?;
    let removal = Removal {
        selection: &selection,
        confirmation: *confirmation,
        max_delete: None,
        decisions: None,
        left_out,
    };
    removal.carry_out(ctx, &mut inventory, &plan).await
}

/// The cache lists manifests the registry no longer has: whatever it plans is out of date. The
/// selection is re-read, the difference shown, and the removal stops.
pub async fn stale(
    ctx: &Context,
    selection: &dyn Selection,
    cached: &Inventory,
    gone: usize,
) -> anyhow::Error {
    let recheck = Recheck { selection, ctx };
    recheck.stale(cached, gone).await
}

/// A plan on its way: shown, agreed to, re-checked, carried out.
pub struct Removal<'a> {
    pub selection: &'a dyn Selection,
    pub confirmation: Confirmation,
    /// Refuse a plan deleting more manifests than this (`policy apply --max-delete`).
    pub max_delete: Option<usize>,
    /// What else the final JSON report holds (a policy's kept and protected tags).
    pub decisions: Option<serde_json::Value>,
    /// Digests the selection named but left out, and why (the report's kept-back list).
    pub left_out: Vec<LeftOut>,
}

impl Removal<'_> {
    /// Shows the plan, then (unless a dry run) confirms, re-checks live, journals and deletes.
    pub async fn carry_out(
        &self,
        ctx: &Context,
        inventory: &mut Inventory,
        plan: &Plan,
    ) -> anyhow::Result<ExitStatus> {
        let confirmation = self.confirmation;
        if confirmation.gc && !ctx.source().collects_garbage() {
            return ctx
                .source()
                .collect_garbage(ctx)
                .await
                .map(|()| ExitStatus::Success);
        }
        // A plan over the limit is refused before anything is shown or asked: its count says it.
        if let Some(max) = self.max_delete
            && plan.manifest_count() > max
        {
            bail!(RemovalStop::TooLarge {
                planned: plan.manifest_count(),
                max,
            });
        }
        let reclaim = reclaim_of(ctx, inventory, plan)?;
        // How tags are removed is found out before the plan is shown, never on a dry run (it writes).
        // What the cache remembers the registry does spares a probe (a throwaway push).
        let known = inventory.capabilities;
        let untag = match (plan.untags.first(), known.delete_by_tag) {
            (Some(_), Some(true)) if !confirmation.dry_run => Some(UntagMethod::DeleteByTag),
            (Some(_), Some(false)) if !confirmation.dry_run => Some(UntagMethod::Placeholder),
            (Some(first), None) if !confirmation.dry_run => {
                Some(untag_method(ctx, &first.repository).await?)
            }
            _ => None,
        };
        show_plan(ctx, plan, inventory, confirmation.dry_run, untag)?;
        note_left_out(&ctx.printer, &self.left_out);
        for note in self.selection.passed_over(inventory) {
            ctx.printer.note(&note);
        }
        if plan.is_empty() {
            ctx.printer.note("nothing to delete");
            return Ok(ExitStatus::Success);
        }
        note_reclaim(&ctx.printer, &reclaim);
        if confirmation.dry_run {
            ctx.printer.note("dry run: nothing was deleted");
            return Ok(ExitStatus::Success);
        }
        ensure_listening(ctx)?;
        let interrupts = Interrupts::watch();
        let recheck = Recheck {
            selection: self.selection,
            ctx,
        };
        let before_deleting = async {
            if !confirmation.yes {
                confirm(ctx, plan).await?;
            }
            recheck.unchanged(inventory, plan).await
        };
        tokio::select! {
            checked = before_deleting => checked?,
            () = interrupts.at_least(1) => bail!(RemovalStop::InterruptedBefore),
        }
        let how = (plan, untag, known);
        execute(ctx, self, how, &reclaim, &interrupts).await
    }
}

/// Whether the registry removes just a tag on DELETE by tag, found out on throwaway manifests.
async fn untag_method(ctx: &Context, repo: &str) -> anyhow::Result<UntagMethod> {
    let supported = ctx
        .client()?
        .probe_delete_by_tag(repo)
        .await
        .with_context(|| format!("finding out how {repo} removes a tag (a throwaway manifest)"))?;
    Ok(if supported {
        UntagMethod::DeleteByTag
    } else {
        UntagMethod::Placeholder
    })
}

/// Journals and deletes a confirmed, re-checked plan, then updates the cache and reports.
async fn execute(
    ctx: &Context,
    removal: &Removal<'_>,
    (plan, untag, known): (&Plan, Option<UntagMethod>, Capabilities),
    reclaim: &Reclaim,
    interrupts: &Interrupts,
) -> anyhow::Result<ExitStatus> {
    let registry = ctx.registry()?;
    let client = ctx.client()?;
    let journal_path = journal::new_path(registry, Timestamp::now())?;
    let started = std::time::Instant::now();
    let command = removal.selection.command();
    let mut journal =
        delete::journal_first(ctx, (command, plan, untag), &journal_path, interrupts).await?;
    // The last moment to stop with nothing deleted: a journal of nothing done is no undo.
    if let Err(stop) = ensure_listening(ctx).and_then(|()| match interrupts.pressed() {
        0 => Ok(()),
        _ => Err(RemovalStop::InterruptedBefore),
    }) {
        let _ = std::fs::remove_file(&journal_path);
        bail!(stop);
    }
    ctx.printer
        .note(&format!("journal written to {}", journal_path.display()));
    ctx.printer.phase("journal", started);
    let started = std::time::Instant::now();
    let observed = verify::Observed::default();
    let deletion = delete::delete_all(
        client,
        &mut journal,
        &journal_path,
        (client.max_in_flight(), known, &observed),
        (ctx, interrupts),
    )
    .await?;
    let done = journal
        .entries
        .iter()
        .filter(|e| matches!(e.status, Status::Deleted | Status::AlreadyGone))
        .count();
    ctx.printer.done(
        &format!(
            "removed {} of {}",
            crate::output::count(done),
            crate::output::plural_count(journal.entries.len(), "manifest", "manifests")
        ),
        started,
    );
    ctx.printer.phase("deletes", started);
    if let Some(cache) = ctx.cache()? {
        cache.update(registry, |current| {
            let mut current = current?;
            apply_to_cache(&mut current, &journal, Timestamp::now());
            current.capabilities.learn(observed.capabilities());
            if let Some(method) = untag {
                current.capabilities.delete_by_tag = Some(method == UntagMethod::DeleteByTag);
            }
            Some(current)
        })?;
    }
    let extra = (removal.decisions.as_ref(), &removal.left_out[..]);
    report::report(ctx, &journal, (plan, extra.0, extra.1), reclaim)?;
    if ctx.printer.closed() == Some("standard output") {
        ctx.printer.warn(&format!(
            "standard output was closed, so the report went unread; the journal {} holds every \
             manifest's outcome (`regsweep journal list`)",
            journal_path.display()
        ));
    }
    let finished = report::finish(&journal, deletion, &journal_path);
    if removal.confirmation.gc && done > 0 {
        ctx.source().collect_garbage(ctx).await?;
    }
    finished
}

/// Re-reading the selected repositories before deleting.
struct Recheck<'a> {
    selection: &'a dyn Selection,
    ctx: &'a Context,
}

impl Recheck<'_> {
    /// The cache lists manifests the registry no longer has: whatever it plans is out of date. The
    /// selection is re-read, the difference shown, and the removal stops.
    async fn stale(&self, cached: &Inventory, gone: usize) -> anyhow::Error {
        self.ctx.printer.important(&format!(
            "the cache is out of date: {gone} of the manifests it lists in the selection are no \
             longer in the registry"
        ));
        let before = self.selection.plan_lines(cached);
        match self.live(cached).await {
            Ok(live) => {
                show_difference(self.ctx, &before, &self.selection.plan_lines(&live));
                RemovalStop::PlanChanged.into()
            }
            Err(err) => err,
        }
    }

    /// Plans again from the selected repositories as they are now; any difference stops the removal.
    async fn unchanged(&self, cached: &Inventory, plan: &Plan) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let live = self.live(cached).await?;
        self.ctx.printer.done(
            &format!(
                "re-read {} to check the plan",
                crate::output::plural_count(
                    self.selection
                        .live_repositories()
                        .map_or(live.repositories.len(), <[String]>::len),
                    "repository",
                    "repositories"
                )
            ),
            started,
        );
        self.ctx.printer.phase("re-check", started);
        match self.selection.plan(&live) {
            Ok(replanned) if replanned == *plan => Ok(()),
            Ok(replanned) => {
                show_difference(self.ctx, &lines(plan), &lines(&replanned));
                bail!(RemovalStop::PlanChanged)
            }
            Err(err) => {
                self.ctx
                    .printer
                    .important(&format!("the selection no longer holds: {err:#}"));
                bail!(RemovalStop::PlanChanged)
            }
        }
    }

    /// The inventory with the selected repositories as the registry holds them now (and their
    /// details), the others as cached. The cache takes the re-read repositories, under its lock.
    async fn live(&self, cached: &Inventory) -> anyhow::Result<Inventory> {
        let ctx = self.ctx;
        let client = ctx.client()?;
        let scope = self.selection.live_repositories();
        // The whole registry: the catalog's, or the source's projects' and groups'. Always read
        // through the registry's own API (never a native listing): the registry has the last word.
        let listed = match scope {
            None => ctx.source().names(ctx).await?,
            Some(_) => None,
        };
        let whole = listed.as_deref().map_or(Scope::All, Scope::Listed);
        let progress = ctx.printer.progress("tags");
        progress.set_prefix("re-checking the plan: ");
        progress.set_message("reading the registry");
        let mut live = cached.clone();
        let fresh = refresh(
            client,
            scope.map_or(whole, Scope::Only),
            Some(&mut live),
            &progress,
        )
        .await;
        progress.finish_and_clear();
        let fresh = fresh.context("re-reading the selected repositories before deleting")?;
        for line in &fresh.skipped {
            self.ctx.printer.warn(line);
        }
        listing::contradicted(ctx, cached, &fresh.inventory);
        // The details the refresh carried over (moved out of `live`) go back.
        live.manifests.extend(fresh.inventory.manifests);
        if scope.is_none() {
            live.repositories.clear();
        }
        live.repositories.extend(fresh.inventory.repositories);
        // Where digests new to the selected repositories are tagged elsewhere, as the cache knows.
        if let Some(cache) = ctx.cache()? {
            cache.load_holders(ctx.registry()?, &mut live)?;
        }
        let repos: Vec<String> = match scope {
            Some(repos) => repos.to_vec(),
            None => live.repositories.keys().cloned().collect(),
        };
        let created = self.selection.needs_created();
        let hidden = ProgressBar::hidden();
        let need = Need {
            created,
            blobs: true,
        };
        let fetched = ensure_details(client, &mut live, &repos, need, &hidden).await?;
        // A manifest gone between listing and reading: its tags are gone too.
        live.forget_gone(&fetched.gone);
        let ask = self.selection.stored_questions(&live);
        ask_stored(ctx, &mut live, ask).await?;
        if let Some(cache) = ctx.cache()? {
            cache.update(ctx.registry()?, |current| {
                let mut current = current?;
                if scope.is_none() {
                    current
                        .repositories
                        .retain(|name, _| live.repositories.contains_key(name));
                }
                for repo in &repos {
                    if let Some(repository) = live.repositories.get(repo) {
                        current
                            .repositories
                            .insert(repo.clone(), repository.clone());
                    }
                }
                merge_details(&mut current.manifests, &live.manifests);
                Some(current)
            })?;
        }
        Ok(live)
    }
}

/// Asks on the terminal; anything but y/yes declines. The answer is read on a thread of its own, so
/// a Ctrl-C at the prompt is seen (and the process never waits for that thread to end).
async fn confirm(ctx: &Context, plan: &Plan) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!(RemovalStop::NoTerminal);
    }
    ctx.printer
        .prompt(&format!("Delete {}? [y/N] ", plan.summary()));
    ensure_listening(ctx)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let read = std::io::stdin().lock().read_line(&mut answer);
        let _ = tx.send(read.map(|_| answer));
    });
    let answer = rx.await.ok().and_then(Result::ok).unwrap_or_default();
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => bail!(RemovalStop::Declined),
    }
}

/// A plan as lines to compare: `repo@digest (tags)`, each child of an index under it.
pub fn lines(plan: &Plan) -> Vec<String> {
    plan.deletions()
        .map(|d| match d.parent {
            None => format!("{}@{} ({})", d.repository, d.digest, d.tags.join(", ")),
            Some(parent) => format!(
                "{}@{} (child of {})",
                d.repository,
                d.digest,
                short_digest(parent)
            ),
        })
        .collect()
}

/// What the removal changed, into the cache: a deleted manifest is forgotten (its tags, and it as a
/// referrer or untagged manifest); an untagged one loses its tags and, with none left, is remembered
/// as untagged.
fn apply_to_cache(inventory: &mut Inventory, journal: &Journal, now: Timestamp) {
    for entry in &journal.entries {
        let gone = matches!(entry.status, Status::Deleted | Status::AlreadyGone);
        let Some(repository) = inventory
            .repositories
            .get_mut(&entry.repository)
            .filter(|_| gone)
        else {
            continue;
        };
        if entry.untag.is_none() {
            repository.forget(&entry.digest);
            continue;
        }
        repository
            .tags
            .retain(|tag, t| !(t.digest == entry.digest && entry.tags.contains(tag)));
        if !repository.is_tagged(&entry.digest) {
            repository.untagged.insert(
                entry.digest.clone(),
                Untagged {
                    since: now,
                    media_type: Some(MediaType::from(&entry.media_type)),
                    tags: entry.tags.clone(),
                },
            );
        }
    }
}
