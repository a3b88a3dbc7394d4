//! `list-tag-names [REPO...]`: repository and tag pairs, tags in version-aware natural order.

use serde::Serialize;

use super::{Context, inventory};
use crate::cache::{Inventory, TagEntry};
use crate::exit::{ExitStatus, UsageError};
use crate::output::{media_type_label, short_digest};
use crate::refresh::Scope;
use crate::settings::{CacheChoice, OutputFormat, Settings, TagListing};
use crate::version::natural_cmp;

#[derive(Serialize)]
struct Row<'a> {
    repository: &'a str,
    tag: &'a str,
    image: String,
    digest: &'a str,
    media_type: Option<&'a str>,
}

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    listing: &TagListing,
) -> anyhow::Result<ExitStatus> {
    // Without a cache only the named repositories are read; with one, the cache stays complete.
    let scope = match (&settings.cache, listing.repos.is_empty()) {
        (CacheChoice::Disabled, false) => Scope::Only(&listing.repos),
        _ => Scope::All,
    };
    let inventory = inventory(settings, ctx, scope).await?;
    let host = settings.registry()?.host_port();
    let rows = rows(&inventory, listing, &host)?;

    let printer = &ctx.printer;
    match printer.format() {
        OutputFormat::Plain if listing.image_names => {
            printer.lines(rows.iter().map(|r| r.image.as_str()))?;
        }
        OutputFormat::Plain => {
            // dregutil's columns: the repository padded to the longest name, two spaces, the tag.
            let width = rows.iter().map(|r| r.repository.len()).max().unwrap_or(0);
            printer.lines(
                rows.iter()
                    .map(|r| format!("{:width$}  {}", r.repository, r.tag)),
            )?;
        }
        OutputFormat::Table => {
            let header: &[&str] = if listing.image_names {
                &["IMAGE", "DIGEST", "TYPE"]
            } else {
                &["REPOSITORY", "TAG", "DIGEST", "TYPE"]
            };
            let table_rows = rows
                .iter()
                .map(|r| {
                    let mut cells = if listing.image_names {
                        vec![r.image.clone()]
                    } else {
                        vec![r.repository.to_owned(), r.tag.to_owned()]
                    };
                    cells.push(short_digest(r.digest));
                    cells.push(media_type_label(r.media_type).to_owned());
                    cells
                })
                .collect();
            printer.table(header, table_rows)?;
        }
        OutputFormat::Json => printer.json(&rows)?,
    }
    printer.count_footer("tags", rows.len())?;
    Ok(ExitStatus::Success)
}

/// The rows to print: repositories in name order, each one's tags in natural order (reversed with
/// `--reverse-sort`). A named repository the registry does not have is a usage error.
fn rows<'a>(
    inventory: &'a Inventory,
    listing: &TagListing,
    host: &str,
) -> Result<Vec<Row<'a>>, UsageError> {
    let mut selected: Vec<(&'a String, Vec<(&'a String, &'a TagEntry)>)> = Vec::new();
    for (name, repo) in &inventory.repositories {
        if listing.repos.is_empty() || listing.repos.contains(name) {
            selected.push((name, repo.tags.iter().collect()));
        }
    }
    if let Some(missing) = listing
        .repos
        .iter()
        .find(|r| !inventory.repositories.contains_key(*r))
    {
        return Err(UsageError::with_hint(
            format!("repository {missing} not found in {}", inventory.registry),
            "`regsweep list-repo-names` lists the repositories; add --refresh if it was pushed \
             after the cache was filled",
        ));
    }
    let mut rows = Vec::new();
    for (repository, mut tags) in selected {
        tags.sort_by(|(a, _), (b, _)| natural_cmp(a, b));
        if listing.reverse_sort {
            tags.reverse();
        }
        rows.extend(tags.into_iter().map(|(tag, entry)| Row {
            repository,
            tag,
            image: format!("{host}/{repository}:{tag}"),
            digest: &entry.digest,
            media_type: entry.media_type.as_deref(),
        }));
    }
    Ok(rows)
}
