//! `list-tag-names [REPO...]`: repository and tag pairs, tags in version-aware natural order; with
//! `--long` also each image's size, age and platforms.

use std::cmp::Reverse;

use jiff::Timestamp;
use serde::Serialize;

use super::{Context, age_seconds, human_duration, inventory, read_details};
use crate::cache::{Inventory, TagEntry};
use crate::cli::TagSort;
use crate::exit::{ExitStatus, UsageError};
use crate::output::{human_bytes, media_type_label, short_digest};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Timestamp>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    platforms: Vec<String>,
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
    let mut inventory = inventory(settings, ctx, scope).await?;
    check_repositories(&inventory, &listing.repos)?;
    let needs_details = listing.long || matches!(listing.sort, TagSort::Size | TagSort::Created);
    if needs_details {
        let repos = listed_repositories(&inventory, &listing.repos);
        let created = listing.long || listing.sort == TagSort::Created;
        read_details(settings, ctx, &mut inventory, &repos, created).await?;
    }
    let host = settings.registry()?.host_port();
    let rows = rows(&inventory, listing, &host);
    print(ctx, listing, &rows)?;
    ctx.printer.count_footer("tags", rows.len())?;
    Ok(ExitStatus::Success)
}

fn check_repositories(inventory: &Inventory, repos: &[String]) -> Result<(), UsageError> {
    match repos
        .iter()
        .find(|r| !inventory.repositories.contains_key(*r))
    {
        Some(missing) => Err(UsageError::with_hint(
            format!("repository {missing} not found in {}", inventory.registry),
            "`regsweep list-repo-names` lists the repositories; add --refresh if it was pushed \
             after the cache was filled",
        )),
        None => Ok(()),
    }
}

fn listed_repositories(inventory: &Inventory, repos: &[String]) -> Vec<String> {
    if repos.is_empty() {
        inventory
            .tagged_repositories()
            .map(|(n, _)| n.clone())
            .collect()
    } else {
        repos.to_vec()
    }
}

/// The rows to print: repositories in name order, each one's tags by version (or name); or, sorted
/// by size or created time, all tags at once. `--reverse-sort` reverses the order.
fn rows<'a>(inventory: &'a Inventory, listing: &TagListing, host: &str) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for (repository, repo) in &inventory.repositories {
        if !listing.repos.is_empty() && !listing.repos.contains(repository) {
            continue;
        }
        let mut tags: Vec<(&'a String, &'a TagEntry)> = repo.tags.iter().collect();
        match listing.sort {
            TagSort::Name => tags.sort_by_key(|(tag, _)| *tag),
            _ => tags.sort_by(|(a, _), (b, _)| natural_cmp(a, b)),
        }
        rows.extend(tags.into_iter().map(|(tag, entry)| {
            let details = inventory.manifests.get(&entry.digest);
            Row {
                repository,
                tag,
                image: format!("{host}/{repository}:{tag}"),
                digest: &entry.digest,
                media_type: entry.media_type.as_deref(),
                size: details.and_then(|d| d.size),
                created: details.and_then(|d| d.created),
                platforms: details.map(|d| d.platforms.clone()).unwrap_or_default(),
            }
        }));
    }
    match listing.sort {
        TagSort::Size => rows.sort_by_key(|r| Reverse(r.size)),
        TagSort::Created => rows.sort_by_key(|r| Reverse(r.created)),
        TagSort::Name | TagSort::Version => {}
    }
    if listing.reverse_sort {
        match listing.sort {
            TagSort::Size | TagSort::Created => rows.reverse(),
            // Repositories stay in name order; each one's tags are reversed.
            TagSort::Name | TagSort::Version => {
                rows.chunk_by_mut(|a, b| a.repository == b.repository)
                    .for_each(<[Row]>::reverse);
            }
        }
    }
    rows
}

fn print(ctx: &Context, listing: &TagListing, rows: &[Row]) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    let dash = || "-".to_owned();
    let created = |r: &Row| {
        r.created
            .map_or_else(dash, |c| c.strftime("%Y-%m-%d %H:%M").to_string())
    };
    let age = |r: &Row| {
        r.created
            .map_or_else(dash, |c| human_duration(age_seconds(c)))
    };
    let platforms = |r: &Row| {
        if r.platforms.is_empty() {
            dash()
        } else {
            r.platforms.join(",")
        }
    };
    match printer.format() {
        OutputFormat::Json => printer.json(rows)?,
        OutputFormat::Plain if listing.image_names && !listing.long => {
            printer.lines(rows.iter().map(|r| r.image.as_str()))?;
        }
        OutputFormat::Plain => {
            // dregutil's columns: the repository padded to the longest name, two spaces, the tag;
            // --long adds digest, size in bytes, created time and platforms.
            let width = rows.iter().map(|r| r.repository.len()).max().unwrap_or(0);
            let tag_width = rows.iter().map(|r| r.tag.len()).max().unwrap_or(0);
            printer.lines(rows.iter().map(|r| {
                let first = if listing.image_names {
                    r.image.clone()
                } else {
                    format!("{:width$}  {}", r.repository, r.tag)
                };
                if !listing.long {
                    return first;
                }
                let first = if listing.image_names {
                    first
                } else {
                    format!("{:width$}  {:tag_width$}", r.repository, r.tag)
                };
                format!(
                    "{first}  {}  {}  {}  {}",
                    r.digest,
                    r.size.map_or_else(dash, |s| s.to_string()),
                    r.created.map_or_else(dash, |c| c.to_string()),
                    platforms(r)
                )
            }))?;
        }
        OutputFormat::Table => {
            let mut header: Vec<&str> = if listing.image_names {
                vec!["IMAGE"]
            } else {
                vec!["REPOSITORY", "TAG"]
            };
            header.push("DIGEST");
            if listing.long {
                header.extend(["SIZE", "CREATED", "AGE", "PLATFORMS"]);
            } else {
                header.push("TYPE");
            }
            let table_rows = rows
                .iter()
                .map(|r| {
                    let mut cells = if listing.image_names {
                        vec![r.image.clone()]
                    } else {
                        vec![r.repository.to_owned(), r.tag.to_owned()]
                    };
                    cells.push(short_digest(r.digest));
                    if listing.long {
                        cells.push(r.size.map_or_else(dash, human_bytes));
                        cells.push(created(r));
                        cells.push(age(r));
                        cells.push(platforms(r));
                    } else {
                        cells.push(media_type_label(r.media_type).to_owned());
                    }
                    cells
                })
                .collect();
            printer.table(&header, table_rows)?;
        }
    }
    Ok(())
}
