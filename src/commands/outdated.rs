//! `outdated IMAGE... [--from FILE]`: for each `repo:tag`, the newest version tag of its family in the
//! same repository (`select::newest`), and exit code 11 when any image is behind.

use std::path::Path;

use serde::Serialize;

use super::{Context, Want, inventory};
use crate::exit::ExitStatus;
use crate::names::ImageReference;
use crate::output::{Rows, short_digest};
use crate::policy::DOCKER_HUB;
use crate::select::{Freshness, newest};
use crate::settings::OutdatedSettings;

#[derive(Serialize)]
struct Row {
    image: String,
    repository: String,
    tag: String,
    status: Freshness,
    digest: Option<String>,
    newest_tag: Option<String>,
    newest_digest: Option<String>,
}

struct Report(Vec<Row>);

impl Rows for Report {
    type Row = Row;

    fn rows(&self) -> &[Row] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["IMAGE", "STATUS", "NEWEST", "DIGEST", "NEWEST DIGEST"]
    }

    fn cells(&self, row: &Row) -> Vec<String> {
        let digest = |d: &Option<String>| d.as_deref().map(short_digest).unwrap_or_default();
        vec![
            row.image.clone(),
            status_word(row.status).to_owned(),
            row.newest_tag.clone().unwrap_or_default(),
            digest(&row.digest),
            digest(&row.newest_digest),
        ]
    }

    /// `IMAGE STATUS NEWEST`, for scripts.
    fn plain(&self, row: &Row) -> String {
        let newest = row.newest_tag.as_deref().unwrap_or("-");
        format!("{} {} {newest}", row.image, status_word(row.status))
    }
}

fn status_word(status: Freshness) -> &'static str {
    match status {
        Freshness::UpToDate => "up-to-date",
        Freshness::Outdated => "outdated",
        Freshness::NotAVersion => "not-a-version",
        Freshness::UnknownTag => "unknown-tag",
        Freshness::UnknownRepository => "unknown-repository",
    }
}

pub async fn run(ctx: &Context, settings: &OutdatedSettings) -> anyhow::Result<ExitStatus> {
    let mut references = settings.images.clone();
    for path in &settings.from {
        references.extend(read_references(path, ctx)?);
    }
    let here = ctx.registry()?.host_port();
    let (ours, others): (Vec<_>, Vec<_>) = references
        .into_iter()
        .partition(|r| r.host.as_deref().is_none_or(|h| h == here));
    if !others.is_empty() {
        let mut named: Vec<String> = others.iter().map(ToString::to_string).collect();
        named.sort();
        named.dedup();
        let shown = named.len().min(3);
        let more = match named.len() - shown {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        ctx.printer.note(&format!(
            "skipped {} of other registries than {here}: {}{more}",
            crate::output::plural_count(named.len(), "image", "images"),
            named[..shown].join(", ")
        ));
    }
    let mut repositories: Vec<String> = ours.iter().map(|r| r.repository.clone()).collect();
    repositories.sort();
    repositories.dedup();
    let inventory = inventory(ctx, Want::Only(&repositories)).await?;
    let rows: Vec<Row> = ours
        .iter()
        .map(|reference| {
            let tag = reference.tag.clone().unwrap_or_else(|| "latest".to_owned());
            let answer = newest(&inventory, &reference.repository, &tag);
            Row {
                image: format!("{}:{tag}", reference.repository),
                repository: reference.repository.clone(),
                tag,
                status: answer.status,
                digest: answer.digest,
                newest_tag: answer.newest_tag,
                newest_digest: answer.newest_digest,
            }
        })
        .collect();
    for row in &rows {
        if matches!(
            row.status,
            Freshness::UnknownTag | Freshness::UnknownRepository
        ) {
            ctx.printer.warn(&format!(
                "{} is not in the registry ({})",
                row.image,
                status_word(row.status)
            ));
        }
    }
    let outdated = rows.iter().any(|r| r.status == Freshness::Outdated);
    ctx.printer.rows(&Report(rows))?;
    Ok(if outdated {
        ExitStatus::Outdated
    } else {
        ExitStatus::Success
    })
}

/// The references a file names; YAML values that are no plain reference are skipped with a warning.
fn read_references(path: &Path, ctx: &Context) -> anyhow::Result<Vec<ImageReference>> {
    let references = crate::policy::read_references(path)?;
    for (value, line) in &references.skipped {
        ctx.printer.warn(&format!(
            "{}:{line}: skipped {value:?}, not a plain image reference",
            path.display()
        ));
    }
    let yaml = references.yaml;
    Ok(references
        .found
        .into_iter()
        .map(|(mut reference, _)| {
            if yaml && reference.host.is_none() {
                reference.host = Some(DOCKER_HUB.to_owned());
            }
            reference
        })
        .collect())
}
