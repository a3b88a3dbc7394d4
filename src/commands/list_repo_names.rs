//! `list-repo-names [PATTERN]`: the repositories holding at least one tag.

use serde::Serialize;

use super::{Context, Want, inventory, overview};
use crate::exit::ExitStatus;
use crate::output::Rows;
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
    // Names and tag counts: the cache's overview has them without reading every repository.
    let all: Vec<Row> = match overview(ctx)? {
        Some(overview) => overview
            .repositories
            .into_iter()
            .map(|r| Row {
                name: r.name,
                tags: r.tags as usize,
            })
            .collect(),
        None => inventory(ctx, Want::All)
            .await?
            .tagged_repositories()
            .map(|(name, repo)| Row {
                name: name.clone(),
                tags: repo.tags.len(),
            })
            .collect(),
    };
    let rows: Vec<Row> = all
        .into_iter()
        .filter(|r| r.tags > 0)
        .filter(|r| {
            settings
                .pattern
                .as_ref()
                .is_none_or(|re| re.is_match(&r.name))
        })
        .collect();
    let count = rows.len();
    ctx.printer.rows(&Repositories(rows))?;
    ctx.printer.count_footer("repositories", count)?;
    Ok(ExitStatus::Success)
}
