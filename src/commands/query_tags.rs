//! `query-tags -r REPO... -t/-re ... [-x/-xre ...]`: what removing tags would delete.

use super::{Context, inventory, with_details};
use crate::exit::ExitStatus;
use crate::output::selection::{note_reclaim, note_undated, print_selection};
use crate::refresh::Scope;
use crate::select::{TagQuery, plan, reclaimable, select_tags, undated};
use crate::settings::Settings;

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    query: &TagQuery,
) -> anyhow::Result<ExitStatus> {
    // The reverse check needs every repository, so the whole registry is read even without a cache.
    let mut inventory = inventory(settings, ctx, Scope::All).await?;
    // Details of the selected repositories: for ages, multi-arch children and reclaimable space.
    let created = query.retention.needs_created();
    with_details(settings, &mut inventory, &query.repositories, created).await?;
    let rows = select_tags(&inventory, query)?;
    print_selection(&ctx.printer, &rows, &query.repositories)?;
    note_undated(
        &ctx.printer,
        undated(
            &inventory,
            &query.repositories,
            &query.include,
            &query.retention,
        ),
    );
    note_reclaim(
        &ctx.printer,
        &reclaimable(&inventory, &plan(&inventory, rows)?),
    );
    Ok(ExitStatus::Success)
}
