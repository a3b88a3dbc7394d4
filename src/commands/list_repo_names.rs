//! `list-repo-names [PATTERN]`: the repositories holding at least one tag.

use regex::Regex;
use serde::Serialize;

use super::{Context, inventory};
use crate::exit::{ExitStatus, UsageError};
use crate::refresh::Scope;
use crate::settings::{OutputFormat, Settings};

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    tags: usize,
}

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    pattern: Option<&str>,
) -> anyhow::Result<ExitStatus> {
    let filter = pattern.map(compile_filter).transpose()?;
    let inventory = inventory(settings, ctx, Scope::All).await?;
    let rows: Vec<Row> = inventory
        .tagged_repositories()
        .filter(|(name, _)| filter.as_ref().is_none_or(|re| re.is_match(name)))
        .map(|(name, repo)| Row {
            name,
            tags: repo.tags.len(),
        })
        .collect();
    let printer = &ctx.printer;
    match printer.format() {
        OutputFormat::Plain => printer.lines(rows.iter().map(|r| r.name))?,
        OutputFormat::Table => printer.table(
            &["REPOSITORY", "TAGS"],
            rows.iter()
                .map(|r| vec![r.name.to_owned(), r.tags.to_string()])
                .collect(),
        )?,
        OutputFormat::Json => printer.json(&rows)?,
    }
    printer.count_footer("repositories", rows.len())?;
    Ok(ExitStatus::Success)
}

fn compile_filter(pattern: &str) -> Result<Regex, UsageError> {
    Regex::new(pattern).map_err(|e| {
        UsageError::with_hint(
            format!(
                "invalid repository pattern {pattern:?}: {}",
                reason(&e.to_string())
            ),
            "PATTERN is a regular expression searched anywhere in the name, e.g. '^team-a/'",
        )
    })
}

/// regex errors span several lines (the pattern, a caret, the reason); the reason is on the last.
fn reason(message: &str) -> &str {
    message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(message)
        .trim()
        .trim_start_matches("error: ")
}
