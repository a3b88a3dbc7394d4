//! `usage [REPO...]`: what takes space. Per repository the tags, manifests, size (each image's config
//! and layers) and disk size (each blob once within the repository); and the registry's disk size
//! (each blob once across all repositories).

use serde::Serialize;

use super::{Context, Want, inventory, overview, read_details};
use crate::cache::Overview;
use crate::details::Need;
use crate::exit::ExitStatus;
use crate::output::{OutputFormat, Rows, human_bytes, short_digest};
use crate::select::{RepositoryUsage, TagSize, Usage, usage};
use crate::settings::{UsageSettings, UsageSort};

pub async fn run(ctx: &Context, settings: &UsageSettings) -> anyhow::Result<ExitStatus> {
    let mut usage = match overview(ctx)?.filter(|o| o.totals.missing == 0 && !settings.tags) {
        // The cache computed these figures when it was written, from every detail.
        Some(overview) => from_overview(overview, &settings.repos, &ctx.registry()?.to_string())?,
        None => compute(ctx, settings).await?,
    };
    sort(&mut usage.repositories, settings.sort);
    ctx.printer.rows(&Repositories::new(&usage))?;
    if settings.tags && ctx.printer.format() != OutputFormat::Json {
        ctx.printer.rows(&TagSizes::new(&usage))?;
    }
    let untagged: usize = usage.repositories.iter().map(|r| r.untagged).sum();
    if untagged > 0 {
        ctx.printer.note(&format!(
            "untagged: bytes held only by {} that lost {} tags, as far as regsweep saw that \
             (a plain registry cannot list the rest); `regsweep query-untagged` lists them",
            crate::output::plural_count(untagged, "manifest", "manifests"),
            if untagged == 1 { "its" } else { "their" }
        ));
    }
    if usage.missing_details > 0 {
        ctx.printer.note(&format!(
            "the registry's disk size leaves out {} whose details are not cached yet; \
             `regsweep usage` without repositories reads them all",
            crate::output::plural_count(usage.missing_details, "manifest", "manifests")
        ));
    }
    Ok(ExitStatus::Success)
}

/// The report from the cache's precomputed figures.
fn from_overview(overview: Overview, repos: &[String], registry: &str) -> anyhow::Result<Usage> {
    if let Some(missing) = repos
        .iter()
        .find(|r| !overview.repositories.iter().any(|row| row.name == **r))
    {
        return Err(crate::inventory::UnknownRepository {
            name: missing.clone(),
            registry: registry.to_owned(),
        }
        .into());
    }
    let repositories = overview
        .repositories
        .into_iter()
        .filter(|r| {
            if repos.is_empty() {
                r.tags > 0
            } else {
                repos.contains(&r.name)
            }
        })
        .map(|r| RepositoryUsage {
            name: r.name,
            tags: r.tags as usize,
            manifests: r.manifests as usize,
            size: r.size,
            disk_size: r.disk_size,
            attachments: r.attachments as usize,
            untagged: r.untagged as usize,
            untagged_disk_size: r.untagged_disk_size,
            tag_sizes: Vec::new(),
        })
        .collect();
    Ok(Usage {
        repositories,
        registry_disk_size: overview.totals.disk_size,
        missing_details: 0,
    })
}

/// The report computed from the inventory, after reading the details the cache lacks.
async fn compute(ctx: &Context, settings: &UsageSettings) -> anyhow::Result<Usage> {
    let mut inventory = inventory(ctx, Want::All).await?;
    inventory.check_repositories(&settings.repos)?;
    let wanted: Vec<String> = if settings.repos.is_empty() {
        inventory
            .tagged_repositories()
            .map(|(n, _)| n.clone())
            .collect()
    } else {
        settings.repos.clone()
    };
    // Disk sizes count blobs: every manifest is read.
    let need = Need {
        created: false,
        blobs: true,
    };
    read_details(ctx, &mut inventory, &wanted, need).await?;
    if wanted.len() < inventory.repositories.len()
        && let Some(file) = ctx.cache()?
    {
        // The registry's disk size counts every repository's blobs, as far as the cache knows them.
        file.load_all_details(&mut inventory)?;
    }
    Ok(usage(&inventory, &wanted, settings.tags))
}

fn sort(repositories: &mut [RepositoryUsage], by: UsageSort) {
    match by {
        UsageSort::Size => {
            repositories.sort_by(|a, b| b.disk_size.cmp(&a.disk_size).then(a.name.cmp(&b.name)))
        }
        UsageSort::Name => repositories.sort_by(|a, b| a.name.cmp(&b.name)),
        UsageSort::Tags => {
            repositories.sort_by(|a, b| b.tags.cmp(&a.tags).then(a.name.cmp(&b.name)))
        }
    }
}

/// A line of the repository listing: a repository, or the registry's total.
#[derive(Serialize)]
struct Line<'a> {
    name: &'a str,
    tags: usize,
    manifests: usize,
    size: u64,
    disk_size: u64,
    untagged_disk_size: u64,
    total: bool,
}

/// A repository per line, then the registry's (each blob once); exact bytes when piped. JSON is the
/// whole report, tag sizes included.
struct Repositories<'a> {
    usage: &'a Usage,
    lines: Vec<Line<'a>>,
    width: usize,
}

impl<'a> Repositories<'a> {
    fn new(usage: &'a Usage) -> Self {
        let repos = &usage.repositories;
        let mut lines: Vec<Line> = repos
            .iter()
            .map(|r| Line {
                name: &r.name,
                tags: r.tags,
                manifests: r.manifests,
                size: r.size,
                disk_size: r.disk_size,
                untagged_disk_size: r.untagged_disk_size,
                total: false,
            })
            .collect();
        lines.push(Line {
            name: "(registry)",
            tags: repos.iter().map(|r| r.tags).sum(),
            manifests: repos.iter().map(|r| r.manifests).sum(),
            size: repos.iter().map(|r| r.size).sum(),
            disk_size: usage.registry_disk_size,
            untagged_disk_size: repos.iter().map(|r| r.untagged_disk_size).sum(),
            total: true,
        });
        let width = repos
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(0)
            .max(10);
        Self {
            usage,
            lines,
            width,
        }
    }
}

impl<'a> Rows for Repositories<'a> {
    type Row = Line<'a>;

    fn rows(&self) -> &[Line<'a>] {
        &self.lines
    }

    fn header(&self) -> Vec<&'static str> {
        vec![
            "REPOSITORY",
            "TAGS",
            "MANIFESTS",
            "SIZE",
            "DISK SIZE",
            "UNTAGGED (KNOWN)",
        ]
    }

    fn cells(&self, l: &Line) -> Vec<String> {
        let name = if l.total {
            "(registry, each blob once)"
        } else {
            l.name
        };
        vec![
            name.to_owned(),
            l.tags.to_string(),
            l.manifests.to_string(),
            human_bytes(l.size),
            human_bytes(l.disk_size),
            human_bytes(l.untagged_disk_size),
        ]
    }

    fn plain(&self, l: &Line) -> String {
        let width = self.width;
        format!(
            "{:width$}  {}  {}  {}  {}  {}",
            l.name, l.tags, l.manifests, l.size, l.disk_size, l.untagged_disk_size
        )
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self.usage)?;
        writeln!(out)
    }
}

#[derive(Serialize)]
struct TagLine<'a> {
    repository: &'a str,
    size: &'a TagSize,
}

/// `--tags`: every tag with its image's size.
struct TagSizes<'a>(Vec<TagLine<'a>>);

impl<'a> TagSizes<'a> {
    fn new(usage: &'a Usage) -> Self {
        Self(
            usage
                .repositories
                .iter()
                .flat_map(|r| {
                    r.tag_sizes.iter().map(|size| TagLine {
                        repository: &r.name,
                        size,
                    })
                })
                .collect(),
        )
    }
}

impl<'a> Rows for TagSizes<'a> {
    type Row = TagLine<'a>;

    fn rows(&self) -> &[TagLine<'a>] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAG", "DIGEST", "SIZE"]
    }

    fn cells(&self, t: &TagLine) -> Vec<String> {
        vec![
            t.repository.to_owned(),
            t.size.tag.clone(),
            short_digest(&t.size.digest),
            t.size.size.map_or_else(|| "-".to_owned(), human_bytes),
        ]
    }

    fn plain(&self, t: &TagLine) -> String {
        let size = t
            .size
            .size
            .map_or_else(|| "-".to_owned(), |s| s.to_string());
        format!("{}:{}  {}  {size}", t.repository, t.size.tag, t.size.digest)
    }
}
