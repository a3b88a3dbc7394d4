//! `outdated IMAGE... [--from FILE]`: for each `repo:tag`, the newest version tag of its family in the
//! same repository (`select::newest`), and exit code 11 when any image is behind.

use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

use anyhow::Context as _;
use regex::Regex;
use serde::Serialize;

use super::{Context, Want, inventory};
use crate::exit::{ExitStatus, UsageError};
use crate::names::ImageReference;
use crate::output::{Rows, short_digest};
use crate::select::{Freshness, newest};
use crate::settings::OutdatedSettings;

/// References files may hold at most this many bytes (a compose file is kilobytes).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

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
        ctx.printer.note(&format!(
            "skipped {} references to other registries than {here}",
            others.len()
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

/// `image:` values of a YAML file (`.yml`, `.yaml`, or any file with such a line), otherwise one
/// reference per line. A YAML value that is not a plain reference (`${TAG}`) is skipped with a
/// warning; a bad line of a list is an error naming it.
fn read_references(path: &Path, ctx: &Context) -> anyhow::Result<Vec<ImageReference>> {
    let text = read_text(path)?;
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*(?:-\s*)?image:\s*["']?([^"'\s#]+)"#).expect("a valid pattern")
    });
    let yaml = path.extension().is_some_and(|e| e == "yml" || e == "yaml")
        || text.lines().any(|l| IMAGE.is_match(l));
    let mut references = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let value = if yaml {
            match IMAGE.captures(line) {
                Some(c) => c[1].to_owned(),
                None => continue,
            }
        } else {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            line.to_owned()
        };
        match ImageReference::parse(&value) {
            Some(reference) => references.push(reference),
            None if yaml => ctx.printer.warn(&format!(
                "{}:{}: skipped {value:?}, not a plain image reference",
                path.display(),
                number + 1
            )),
            None => {
                return Err(UsageError::with_hint(
                    format!(
                        "invalid image reference {value:?} on line {} of {}",
                        number + 1,
                        path.display()
                    ),
                    "write one REPO:TAG or HOST/REPO:TAG per line",
                )
                .into());
            }
        }
    }
    Ok(references)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    let reading = || format!("reading {}", path.display());
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut bytes)
            .with_context(reading)?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE_BYTES).read_to_end(&mut bytes))
            .map_err(|e| UsageError::new(format!("cannot read {}: {e}", path.display())))?;
    }
    String::from_utf8(bytes)
        .map_err(|_| UsageError::new(format!("{} is not UTF-8 text", path.display())).into())
}
