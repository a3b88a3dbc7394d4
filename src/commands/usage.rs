//! `usage [REPO...]`: what takes space. Per repository the tags, manifests, size (each image's config
//! and layers) and disk size (each blob once within the repository); and the registry's disk size
//! (each blob once across all repositories).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Context, inventory, read_details};
use crate::exit::ExitStatus;
use crate::inventory::Inventory;
use crate::output::{OutputFormat, Rows, human_bytes, short_digest};
use crate::refresh::Scope;
use crate::settings::{UsageSettings, UsageSort};
use crate::version::natural_cmp;

#[derive(Debug, Serialize, PartialEq, Eq)]
struct RepositoryUsage {
    name: String,
    tags: usize,
    manifests: usize,
    /// Sum over the repository's images of config and layer sizes.
    size: u64,
    /// Each blob (manifests, configs, layers) counted once within the repository.
    disk_size: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tag_sizes: Vec<TagSize>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
struct TagSize {
    tag: String,
    digest: String,
    size: Option<u64>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
struct Usage {
    repositories: Vec<RepositoryUsage>,
    /// Each blob counted once across every repository of the registry.
    registry_disk_size: u64,
    /// Manifests whose details the cache lacks: the figures leave them out.
    missing_details: usize,
}

pub async fn run(ctx: &Context, settings: &UsageSettings) -> anyhow::Result<ExitStatus> {
    let mut inventory = inventory(ctx, Scope::All).await?;
    inventory.check_repositories(&settings.repos)?;
    let wanted: Vec<String> = if settings.repos.is_empty() {
        inventory
            .tagged_repositories()
            .map(|(n, _)| n.clone())
            .collect()
    } else {
        settings.repos.clone()
    };
    read_details(ctx, &mut inventory, &wanted, false).await?;
    let usage = compute(&inventory, &wanted, settings.sort, settings.tags);
    ctx.printer.rows(&Repositories::new(&usage))?;
    if settings.tags && ctx.printer.format() != OutputFormat::Json {
        ctx.printer.rows(&TagSizes::new(&usage))?;
    }
    if usage.missing_details > 0 {
        ctx.printer.note(&format!(
            "the registry's disk size leaves out {} manifests whose details are not cached yet; \
             `regsweep usage` without repositories reads them all",
            usage.missing_details
        ));
    }
    Ok(ExitStatus::Success)
}

/// The blobs (digest -> size) of one manifest and, for an index, of its children. False when the
/// cache lacks the details of any of them.
fn blobs_of(inventory: &Inventory, digest: &str, into: &mut BTreeMap<String, u64>) -> bool {
    let mut complete = inventory.add_manifest_blobs(digest, into);
    let children = inventory
        .manifests
        .get(digest)
        .and_then(|d| d.children.as_ref());
    for child in children.into_iter().flatten() {
        complete &= blobs_of(inventory, &child.digest, into);
    }
    complete
}

fn compute(inventory: &Inventory, wanted: &[String], sort: UsageSort, with_tags: bool) -> Usage {
    let mut repositories = Vec::new();
    for name in wanted {
        let Some(repository) = inventory.repositories.get(name) else {
            continue;
        };
        let digests: BTreeSet<&str> = repository
            .tags
            .values()
            .map(|t| t.digest.as_str())
            .collect();
        let mut blobs = BTreeMap::new();
        let mut size = 0;
        for digest in &digests {
            blobs_of(inventory, digest, &mut blobs);
            size += inventory
                .manifests
                .get(*digest)
                .and_then(|d| d.size)
                .unwrap_or(0);
        }
        let mut tag_sizes: Vec<TagSize> = if with_tags {
            repository
                .tags
                .iter()
                .map(|(tag, entry)| TagSize {
                    tag: tag.clone(),
                    digest: entry.digest.clone(),
                    size: inventory.manifests.get(&entry.digest).and_then(|d| d.size),
                })
                .collect()
        } else {
            Vec::new()
        };
        tag_sizes.sort_by(|a, b| natural_cmp(&a.tag, &b.tag));
        repositories.push(RepositoryUsage {
            name: name.clone(),
            tags: repository.tags.len(),
            manifests: inventory.repository_manifests(name).len(),
            size,
            disk_size: blobs.values().sum(),
            tag_sizes,
        });
    }
    match sort {
        UsageSort::Size => {
            repositories.sort_by(|a, b| b.disk_size.cmp(&a.disk_size).then(a.name.cmp(&b.name)))
        }
        UsageSort::Name => repositories.sort_by(|a, b| a.name.cmp(&b.name)),
        UsageSort::Tags => {
            repositories.sort_by(|a, b| b.tags.cmp(&a.tags).then(a.name.cmp(&b.name)))
        }
    }
    let mut registry_blobs = BTreeMap::new();
    let mut missing = BTreeSet::new();
    for repository in inventory.repositories.values() {
        for entry in repository.tags.values() {
            if !blobs_of(inventory, &entry.digest, &mut registry_blobs) {
                missing.insert(entry.digest.as_str());
            }
        }
    }
    Usage {
        repositories,
        registry_disk_size: registry_blobs.values().sum(),
        missing_details: missing.len(),
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
                total: false,
            })
            .collect();
        lines.push(Line {
            name: "(registry)",
            tags: repos.iter().map(|r| r.tags).sum(),
            manifests: repos.iter().map(|r| r.manifests).sum(),
            size: repos.iter().map(|r| r.size).sum(),
            disk_size: usage.registry_disk_size,
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
        vec!["REPOSITORY", "TAGS", "MANIFESTS", "SIZE", "DISK SIZE"]
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
        ]
    }

    fn plain(&self, l: &Line) -> String {
        let width = self.width;
        format!(
            "{:width$}  {}  {}  {}  {}",
            l.name, l.tags, l.manifests, l.size, l.disk_size
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{BlobRef, ManifestDetails, Repository, TagEntry};
    use crate::registry::RegistryAddress;

    fn details(layers: &[(&str, u64)]) -> ManifestDetails {
        let blob = |(d, size): &(&str, u64)| BlobRef {
            digest: (*d).to_owned(),
            size: *size,
            media_type: None,
        };
        ManifestDetails {
            manifest_bytes: Some(10),
            config: Some(BlobRef {
                digest: "config".into(),
                size: 5,
                media_type: None,
            }),
            layers: layers.iter().map(blob).collect(),
            size: Some(5 + layers.iter().map(|(_, s)| s).sum::<u64>()),
            ..Default::default()
        }
    }

    #[test]
    fn shared_blobs_count_once_on_disk() {
        let registry = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let mut inv = Inventory::new(&registry, jiff::Timestamp::UNIX_EPOCH);
        let tag = |digest: &str| TagEntry {
            digest: digest.into(),
            media_type: None,
        };
        let mut a = Repository::default();
        a.tags.insert("1".into(), tag("M1"));
        a.tags.insert("2".into(), tag("M2"));
        a.tags.insert("latest".into(), tag("M2"));
        let mut b = Repository::default();
        b.tags.insert("1".into(), tag("M1"));
        inv.repositories.insert("a".into(), a);
        inv.repositories.insert("b".into(), b);
        // M1 and M2 share the config and layer "base" (1000 bytes).
        inv.manifests
            .insert("M1".into(), details(&[("base", 1000), ("l1", 100)]));
        inv.manifests
            .insert("M2".into(), details(&[("base", 1000), ("l2", 200)]));
        let usage = compute(&inv, &["a".into(), "b".into()], UsageSort::Name, true);
        let a = &usage.repositories[0];
        assert_eq!((a.tags, a.manifests), (3, 2));
        assert_eq!(a.size, 1105 + 1205);
        assert_eq!(a.disk_size, 10 + 10 + 5 + 1000 + 100 + 200);
        assert_eq!(a.tag_sizes.len(), 3);
        let b = &usage.repositories[1];
        assert_eq!(b.disk_size, 10 + 5 + 1000 + 100);
        assert_eq!(usage.registry_disk_size, a.disk_size);
        assert_eq!(usage.missing_details, 0);
    }
}
