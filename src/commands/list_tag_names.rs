//! `list-tag-names [REPO...]`: repository and tag pairs, tags in version-aware natural order; with
//! `--long` also each image's size, age and platforms.

use std::cmp::Reverse;

use jiff::Timestamp;
use serde::Serialize;

use super::{Context, Want, age, inventory, read_details};
use crate::details::Need;
use crate::exit::ExitStatus;
use crate::inventory::attachments::kind_labels;
use crate::inventory::{Attachments, Inventory, TagEntry, is_attachment_tag};
use crate::output::{Column, Rows, human_bytes, media_type_label, short_digest};
use crate::settings::{ListTagNamesSettings, TagSort};
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
    /// The image's signatures, SBOMs and attestations (and theirs), by kind; their sizes are in
    /// `size`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<&'static str>,
}

pub async fn run(ctx: &Context, listing: &ListTagNamesSettings) -> anyhow::Result<ExitStatus> {
    let want = if listing.repos.is_empty() {
        Want::All
    } else {
        Want::Only(&listing.repos)
    };
    let mut inventory = inventory(ctx, want).await?;
    inventory.check_repositories(&listing.repos)?;
    if listing.needs_details() {
        let repos = listed_repositories(&inventory, &listing.repos);
        let created = listing.long || listing.sort == TagSort::Created;
        // Sizes, ages and platforms: what a registry's own API listed is enough.
        let need = Need {
            created,
            blobs: false,
        };
        read_details(ctx, &mut inventory, &repos, need).await?;
    }
    let host = ctx.registry()?.host_port();
    let tags = Tags::new(rows(&inventory, listing, &host), listing);
    let count = tags.rows.len();
    ctx.printer.rows(&tags)?;
    ctx.printer.count_footer("tags", count)?;
    Ok(ExitStatus::Success)
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
fn rows<'a>(inventory: &'a Inventory, listing: &ListTagNamesSettings, host: &str) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for (repository, repo) in &inventory.repositories {
        if !listing.repos.is_empty() && !listing.repos.contains(repository) {
            continue;
        }
        let attachments = Attachments::of(inventory, repository);
        let mut tags: Vec<(&'a String, &'a TagEntry)> = repo
            .tags
            .iter()
            .filter(|(tag, _)| listing.all_tags || !is_attachment_tag(tag))
            .collect();
        match listing.sort {
            TagSort::Name => tags.sort_by_key(|(tag, _)| *tag),
            _ => tags.sort_by(|(a, _), (b, _)| natural_cmp(a, b)),
        }
        rows.extend(tags.into_iter().map(|(tag, entry)| {
            let details = inventory.manifests.get(&entry.digest);
            let attached = attachments.closure(&entry.digest);
            let size_of = |digest: &str| inventory.manifests.get(digest).and_then(|d| d.size);
            let attached_size: u64 = attached.iter().filter_map(|a| size_of(&a.digest)).sum();
            Row {
                repository,
                tag,
                image: format!("{host}/{repository}:{tag}"),
                digest: &entry.digest,
                media_type: entry.media_type.as_deref(),
                size: details.and_then(|d| d.size).map(|s| s + attached_size),
                created: details.and_then(|d| d.created()),
                platforms: details
                    .map(|d| d.platforms.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                attachments: kind_labels(&attached),
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

/// The listing: dregutil's `REPO  TAG` columns when piped (the repository padded to the longest
/// name; `--image-names` gives `REGISTRY/REPO:TAG`), with digest, size, created time and platforms
/// under `--long`.
struct Tags<'a> {
    rows: Vec<Row<'a>>,
    long: bool,
    image_names: bool,
    repo_width: usize,
    tag_width: usize,
}

impl<'a> Tags<'a> {
    fn new(rows: Vec<Row<'a>>, listing: &ListTagNamesSettings) -> Self {
        let repo_width = rows.iter().map(|r| r.repository.len()).max().unwrap_or(0);
        let tag_width = rows.iter().map(|r| r.tag.len()).max().unwrap_or(0);
        Self {
            rows,
            long: listing.long,
            image_names: listing.image_names,
            repo_width,
            tag_width,
        }
    }
}

fn dash() -> String {
    "-".to_owned()
}

fn platforms(row: &Row) -> String {
    if row.platforms.is_empty() {
        dash()
    } else {
        row.platforms.join(",")
    }
}

fn attached(row: &Row) -> String {
    if row.attachments.is_empty() {
        dash()
    } else {
        row.attachments.join(", ")
    }
}

impl<'a> Rows for Tags<'a> {
    type Row = Row<'a>;

    fn rows(&self) -> &[Row<'a>] {
        &self.rows
    }

    fn header(&self) -> Vec<&'static str> {
        let mut header = if self.image_names {
            vec!["IMAGE"]
        } else {
            vec!["REPOSITORY", "TAG"]
        };
        header.push("DIGEST");
        if self.long {
            header.extend(["SIZE", "CREATED", "AGE", "PLATFORMS", "ATTACHED"]);
        } else {
            header.push("TYPE");
        }
        header
    }

    /// On a narrow terminal the full date goes first (AGE says it), then attachments, platforms
    /// and the manifest type.
    fn columns(&self) -> Vec<Column> {
        self.header()
            .into_iter()
            .map(|header| match header {
                "CREATED" => Column::of(header).dropped(0),
                "ATTACHED" => Column::of(header).dropped(1),
                "PLATFORMS" => Column::of(header).dropped(2),
                "TYPE" => Column::of(header).dropped(3),
                _ => Column::of(header),
            })
            .collect()
    }

    fn cells(&self, r: &Row) -> Vec<String> {
        let mut cells = if self.image_names {
            vec![r.image.clone()]
        } else {
            vec![r.repository.to_owned(), r.tag.to_owned()]
        };
        cells.push(short_digest(r.digest));
        if self.long {
            cells.push(r.size.map_or_else(dash, human_bytes));
            cells.push(
                r.created
                    .map_or_else(dash, |c| c.strftime("%Y-%m-%d %H:%M").to_string()),
            );
            cells.push(r.created.map_or_else(dash, age));
            cells.push(platforms(r));
            cells.push(attached(r));
        } else {
            cells.push(media_type_label(r.media_type).to_owned());
        }
        cells
    }

    fn plain(&self, r: &Row) -> String {
        let (width, tag_width) = (self.repo_width, self.tag_width);
        if !self.long {
            return if self.image_names {
                r.image.clone()
            } else {
                format!("{:width$}  {}", r.repository, r.tag)
            };
        }
        let first = if self.image_names {
            r.image.clone()
        } else {
            format!("{:width$}  {:tag_width$}", r.repository, r.tag)
        };
        format!(
            "{first}  {}  {}  {}  {}  {}",
            r.digest,
            r.size.map_or_else(dash, |s| s.to_string()),
            r.created.map_or_else(dash, crate::output::timestamp),
            platforms(r),
            attached(r).replace(", ", ",")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{OutputFormat, render};

    fn row<'a>(repository: &'a str, tag: &'a str) -> Row<'a> {
        Row {
            repository,
            tag,
            image: format!("reg:5000/{repository}:{tag}"),
            digest: "sha256:0123456789abcdef",
            media_type: None,
            size: Some(1234),
            created: None,
            platforms: vec!["linux/amd64".into()],
            attachments: vec!["signature"],
        }
    }

    fn plain(listing: &ListTagNamesSettings) -> String {
        let tags = Tags::new(
            vec![row("app", "1.2"), row("team-a/web", "10.0.1")],
            listing,
        );
        let mut out = Vec::new();
        render(OutputFormat::Plain, &tags, None, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn dregutil_columns_pad_the_repository_to_the_longest_name() {
        let mut listing = ListTagNamesSettings {
            repos: Vec::new(),
            all_tags: false,
            reverse_sort: false,
            image_names: false,
            long: false,
            sort: TagSort::Version,
        };
        assert_eq!(plain(&listing), "app         1.2\nteam-a/web  10.0.1\n");
        listing.image_names = true;
        assert_eq!(
            plain(&listing),
            "reg:5000/app:1.2\nreg:5000/team-a/web:10.0.1\n"
        );
        listing.image_names = false;
        listing.long = true;
        assert_eq!(
            plain(&listing).lines().next().unwrap(),
            "app         1.2     sha256:0123456789abcdef  1234  -  linux/amd64  signature"
        );
    }
}
