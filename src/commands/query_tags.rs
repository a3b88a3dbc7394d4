//! `query-tags -r REPO... -t/-re ... [-x/-xre ...]`: what removing tags would delete.

use super::{Context, inventory};
use crate::exit::ExitStatus;
use crate::output::selection::print_selection;
use crate::refresh::Scope;
use crate::select::{TagQuery, select_tags};
use crate::settings::Settings;

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    query: &TagQuery,
) -> anyhow::Result<ExitStatus> {
    // The reverse check needs every repository, so the whole registry is read even without a cache.
    let inventory = inventory(settings, ctx, Scope::All).await?;
    let rows = select_tags(&inventory, query)?;
    print_selection(&ctx.printer, &rows, &query.repositories)?;
    Ok(ExitStatus::Success)
}
