//! `query-repos -r REPO...` and `query-tags -r REPO... -t/-re ... [-x/-xre ...]`: what removal would
//! delete, answered from the cache.

use super::{Context, inventory, read_details};
use crate::exit::ExitStatus;
use crate::output::selection::{note_reclaim, note_undated, print_selection};
use crate::refresh::Scope;
use crate::select::{Query, plan, reclaimable};
use crate::settings::Settings;

pub async fn run(settings: &Settings, ctx: &Context, query: &Query) -> anyhow::Result<ExitStatus> {
    // The reverse check needs every repository, so the whole registry is read even without a cache.
    let mut inventory = inventory(settings, ctx, Scope::All).await?;
    // Details of the selected repositories: for ages, multi-arch children and reclaimable space.
    let created = query.retention().needs_created();
    read_details(settings, ctx, &mut inventory, query.repositories(), created).await?;
    let rows = query.select(&inventory)?;
    print_selection(&ctx.printer, &rows, query.repositories())?;
    note_undated(&ctx.printer, query.undated(&inventory));
    note_reclaim(
        &ctx.printer,
        &reclaimable(&inventory, &plan(&inventory, rows)?),
    );
    Ok(ExitStatus::Success)
}
