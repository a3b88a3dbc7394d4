//! `query-repos -r REPO...`: what removing whole repositories would delete.

use super::{Context, inventory};
use crate::exit::ExitStatus;
use crate::output::selection::print_selection;
use crate::refresh::Scope;
use crate::select::{RepoQuery, select_repositories};
use crate::settings::Settings;

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    query: &RepoQuery,
) -> anyhow::Result<ExitStatus> {
    // The reverse check needs every repository, so the whole registry is read even without a cache.
    let inventory = inventory(settings, ctx, Scope::All).await?;
    let rows = select_repositories(&inventory, query)?;
    print_selection(&ctx.printer, &rows, &query.repositories)?;
    Ok(ExitStatus::Success)
}
