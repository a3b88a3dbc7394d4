//! `list-repo-names [PATTERN]`: the repositories holding at least one tag.

use serde::Serialize;

use super::{Context, inventory};
use crate::exit::ExitStatus;
use crate::output::Rows;
use crate::refresh::Scope;
use crate::settings::ListRepoNamesSettings;

#[derive(Serialize)]
struct Row {
    name: String,
    tags: usize,
}

/// Names alone when piped (dregutil's output), with their tag counts in a table.
struct Repositories(Vec<Row>);

impl Rows for Repositories {
    type Row = Row;

    fn rows(&self) -> &[Row] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAGS"]
    }

    fn cells(&self, row: &Row) -> Vec<String> {
        vec![row.name.clone(), row.tags.to_string()]
    }

    fn plain(&self, row: &Row) -> String {
        row.name.clone()
    }
}

pub async fn run(ctx: &Context, settings: &ListRepoNamesSettings) -> anyhow::Result<ExitStatus> {
    let inventory = inventory(ctx, Scope::All).await?;
    let rows: Vec<Row> = inventory
        .tagged_repositories()
        .filter(|(name, _)| settings.pattern.as_ref().is_none_or(|re| re.is_match(name)))
        .map(|(name, repo)| Row {
            name: name.clone(),
            tags: repo.tags.len(),
        })
        .collect();
    let count = rows.len();
    ctx.printer.rows(&Repositories(rows))?;
    ctx.printer.count_footer("repositories", count)?;
    Ok(ExitStatus::Success)
}
