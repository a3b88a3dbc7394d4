//! `policy init|plan|apply`: a retention policy's plan for the whole registry, made from the cache,
//! shown and saved for review, and carried out by the one removal flow (`remove::Removal`): the same
//! confirmation, live re-check, journal, deletion and report as `remove-tags`.

mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use jiff::Timestamp;

use super::remove::{Removal, RemovalStop, Selection, lines, show_difference, stale};
use super::stored::{ask_stored, orphan_questions, untagged_questions};
use super::{Context, Want, inventory, with_details};
use crate::details::Need;
use crate::exit::{ExitStatus, UsageError};
use crate::inventory::Inventory;
use crate::policy::{Policy, Target};
use crate::select::{Plan, reclaimable_with_repositories};
use crate::settings::{Confirmation, PolicySettings};
use report::{PlanFile, Summary, explain, show_plan_report};

pub async fn run(ctx: &Context, settings: &PolicySettings) -> anyhow::Result<ExitStatus> {
    match settings {
        PolicySettings::Init { path, force } => init(ctx, path, *force),
        PolicySettings::Plan { path, explain, out } => {
            let policy = Policy::load(path)?;
            plan(ctx, &policy, explain.as_ref(), out.as_deref()).await
        }
        PolicySettings::Apply {
            path,
            plan_file,
            max_delete,
            confirmation,
        } => {
            let (status, _) =
                apply(ctx, path, plan_file.as_deref(), *max_delete, *confirmation).await?;
            Ok(status)
        }
    }
}

/// `policy apply`: the policy's plan (or a saved one, refused if the registry drifted from it),
/// carried out by the removal flow.
async fn apply(
    ctx: &Context,
    path: &Path,
    plan_file: Option<&Path>,
    max_delete: Option<usize>,
    confirmation: Confirmation,
) -> anyhow::Result<(ExitStatus, Summary)> {
    let (policy, now, saved) = match plan_file {
        Some(file) => {
            let saved = PlanFile::read(file, ctx.registry()?)?;
            let policy = Policy::from_text(&saved.policy_path, &saved.policy)?;
            (policy, saved.now, Some(saved.plan))
        }
        None => (Policy::load(path)?, Timestamp::now(), None),
    };
    let selection = PolicySelection { policy, now };
    let mut inventory = policy_inventory(ctx, &selection, true).await?;
    let evaluation = selection.policy.evaluate(&inventory, now)?;
    if let Some(saved) = saved
        && saved != evaluation.plan
    {
        show_difference(ctx, &lines(&saved), &lines(&evaluation.plan));
        return Err(RemovalStop::PlanFileDrift.into());
    }
    let summary = Summary::of(&evaluation);
    summary.note(ctx);
    // The reviewed plan is the gate here; a protection that protects nothing is still said aloud.
    for unmatched in selection.policy.unmatched(&inventory) {
        ctx.printer
            .warn(&format!("protects nothing: {}", unmatched.describe()));
    }
    let removal = Removal {
        selection: &selection,
        confirmation,
        max_delete,
        decisions: Some(report::kept_json(&evaluation)?),
        left_out: Vec::new(),
    };
    // The decisions name the inventory's strings; the removal changes the inventory.
    let plan = evaluation.into_plan();
    let status = removal.carry_out(ctx, &mut inventory, &plan).await?;
    Ok((status, summary))
}

/// One unattended `policy apply --yes` for `regsweep serve`'s `[schedule]`: the report goes to the
/// service's output, a summary line to its log.
pub async fn scheduled(
    ctx: &Context,
    path: PathBuf,
    max_delete: Option<usize>,
) -> anyhow::Result<String> {
    let yes = Confirmation {
        yes: true,
        dry_run: false,
        gc: false,
    };
    let (status, summary) = apply(ctx, &path, None, max_delete, yes).await?;
    Ok(format!(
        "{} tags deleted ({} manifests), {} kept, {} protected, {} held back; exit code {}",
        summary.delete,
        summary.manifests,
        summary.kept,
        summary.protected,
        summary.held,
        status as u8
    ))
}

/// Writes the commented example, never over an existing file unless asked.
fn init(ctx: &Context, path: &Path, force: bool) -> anyhow::Result<ExitStatus> {
    if path.exists() && !force {
        return Err(UsageError::with_hint(
            format!("{} exists; nothing was written", path.display()),
            "pass --force to replace it, or --policy FILE to write another file",
        )
        .into());
    }
    std::fs::write(path, crate::policy::EXAMPLE)
        .map_err(|e| UsageError::new(format!("cannot write {}: {e}", path.display())))?;
    ctx.printer.note(&format!(
        "wrote {}; edit it, then see its plan with `regsweep policy plan --policy {}`",
        path.display(),
        path.display()
    ));
    Ok(ExitStatus::Success)
}

/// `policy plan`: the whole registry's plan from the cache, or one tag's explanation.
async fn plan(
    ctx: &Context,
    policy: &Policy,
    explained: Option<&(Option<String>, String)>,
    out: Option<&Path>,
) -> anyhow::Result<ExitStatus> {
    let now = Timestamp::now();
    let selection = PolicySelection {
        policy: policy.clone(),
        now,
    };
    let started = Instant::now();
    let inventory = policy_inventory(ctx, &selection, false).await?;
    ctx.printer.phase("reading the cache", started);
    if let Some((repo, tag)) = explained {
        return explain(ctx, policy, &inventory, now, repo.as_deref(), tag);
    }
    let started = Instant::now();
    let evaluation = policy.evaluate(&inventory, now)?;
    ctx.printer.phase("evaluating the policy", started);
    // A policy reads the whole registry, so the blob walk serves both figures at once.
    let started = Instant::now();
    let freed = reclaimable_with_repositories(&inventory, &evaluation.plan);
    ctx.printer.phase("counting what it frees", started);
    let started = Instant::now();
    show_plan_report(ctx, policy, &inventory, &evaluation, &freed)?;
    ctx.printer.phase("writing the plan", started);
    if let Some(out) = out {
        PlanFile::new(ctx.registry()?, policy, &evaluation)?.write(out)?;
        ctx.printer.note(&format!(
            "plan saved to {}; `regsweep policy apply --plan-file {}` carries out exactly it",
            out.display(),
            out.display()
        ));
    }
    // The plan is one command's work and the process ends with it, which returns all of the memory
    // at once; freeing the inventory and the evaluation allocation by allocation took 1.3 s of a
    // million-tag plan. Neither holds a file, a lock or anything else that must be let go.
    std::mem::forget(evaluation);
    std::mem::forget(inventory);
    Ok(ExitStatus::Success)
}

/// The whole registry as the cache has it (read first when there is none), with the details the
/// rules need and the untagged manifests and attachments' images checked to be stored. A manifest
/// the registry no longer has stops an apply (the cache is stale) and is dropped from a plan.
async fn policy_inventory(
    ctx: &Context,
    selection: &PolicySelection,
    applying: bool,
) -> anyhow::Result<Inventory> {
    let mut inventory = inventory(ctx, Want::All).await?;
    let repos: Vec<String> = inventory.repositories.keys().cloned().collect();
    let created = selection.needs_created();
    let need = Need {
        created,
        blobs: true,
    };
    let gone = with_details(ctx, &mut inventory, &repos, need)
        .await
        .context("reading the details the policy's rules need")?;
    if !gone.is_empty() && applying {
        return Err(stale(ctx, selection, &inventory, gone.len()).await);
    }
    if !gone.is_empty() {
        // A plan is only shown: what is gone is simply not planned.
        inventory.forget_gone(&gone);
        ctx.printer.note(&format!(
            "{} the cache lists {} no longer in the registry (left out; --refresh re-reads \
             everything)",
            crate::output::plural_count(gone.len(), "manifest", "manifests"),
            if gone.len() == 1 { "is" } else { "are" }
        ));
    }
    let ask = selection.stored_questions(&inventory);
    ask_stored(ctx, &mut inventory, ask).await?;
    Ok(inventory)
}

/// A policy as what a removal deletes: planned again, from the same time, on the live registry.
struct PolicySelection {
    policy: Policy,
    /// The time ages are measured from: a saved plan's, so re-checking it later gives the same plan.
    now: Timestamp,
}

impl PolicySelection {
    fn repositories_of(&self, inventory: &Inventory, target: Target) -> Vec<String> {
        let rules: Vec<_> = self.policy.targets(target).collect();
        crate::policy::repositories_of(inventory, &rules)
    }
}

impl Selection for PolicySelection {
    fn command(&self) -> &'static str {
        "policy apply"
    }

    fn live_repositories(&self) -> Option<&[String]> {
        None
    }

    fn needs_created(&self) -> bool {
        self.policy.needs_created()
    }

    fn plan(&self, inventory: &Inventory) -> anyhow::Result<Plan> {
        Ok(self.policy.evaluate(inventory, self.now)?.plan)
    }

    fn stored_questions(&self, inventory: &Inventory) -> Vec<(String, String)> {
        let mut ask = untagged_questions(
            inventory,
            &self.repositories_of(inventory, Target::Untagged),
        );
        ask.extend(orphan_questions(
            inventory,
            &self.repositories_of(inventory, Target::OrphanedReferrers),
        ));
        ask.sort();
        ask.dedup();
        ask
    }
}
