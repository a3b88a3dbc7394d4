//! `usage [REPO...]`: what takes space. Per repository the tags, manifests, size (each image's config
//! and layers) and disk size (each blob once within the repository); and the registry's disk size
//! (each blob once across all repositories).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Context, inventory, read_details};
use crate::cache::Inventory;
use crate::cli::UsageSort;
use crate::exit::{ExitStatus, UsageError};
use crate::output::human_bytes;
use crate::refresh::Scope;
use crate::settings::{OutputFormat, Settings};
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

pub async fn run(
    settings: &Settings,
    ctx: &Context,
    repos: &[String],
    sort: UsageSort,
    with_tags: bool,
) -> anyhow::Result<ExitStatus> {
    let mut inventory = inventory(settings, ctx, Scope::All).await?;
    if let Some(missing) = repos
        .iter()
        .find(|r| !inventory.repositories.contains_key(*r))
    {
        return Err(UsageError::new(format!(
            "repository {missing} not found in {}",
            inventory.registry
        ))
        .into());
    }
    let all: Vec<String> = inventory
        .tagged_repositories()
        .map(|(n, _)| n.clone())
        .collect();
    let wanted = if repos.is_empty() {
        all
    } else {
        repos.to_vec()
    };
    read_details(settings, ctx, &mut inventory, &wanted, false).await?;
    let usage = compute(&inventory, &wanted, sort, with_tags);
    print(ctx, &usage, with_tags)?;
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

fn print(ctx: &Context, usage: &Usage, with_tags: bool) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    let totals = (
        usage.repositories.iter().map(|r| r.tags).sum::<usize>(),
        usage
            .repositories
            .iter()
            .map(|r| r.manifests)
            .sum::<usize>(),
        usage.repositories.iter().map(|r| r.size).sum::<u64>(),
    );
    match printer.format() {
        OutputFormat::Json => printer.json(usage)?,
        OutputFormat::Plain => {
            // Exact bytes, a repository per line, then the registry's line.
            let width = usage
                .repositories
                .iter()
                .map(|r| r.name.len())
                .max()
                .unwrap_or(0)
                .max(10);
            let mut lines: Vec<String> = usage
                .repositories
                .iter()
                .map(|r| {
                    format!(
                        "{:width$}  {}  {}  {}  {}",
                        r.name, r.tags, r.manifests, r.size, r.disk_size
                    )
                })
                .collect();
            lines.push(format!(
                "{:width$}  {}  {}  {}  {}",
                "(registry)", totals.0, totals.1, totals.2, usage.registry_disk_size
            ));
            if with_tags {
                for r in &usage.repositories {
                    lines.extend(r.tag_sizes.iter().map(|t| {
                        let size = t.size.map_or_else(|| "-".to_owned(), |s| s.to_string());
                        format!("{}:{}  {}  {size}", r.name, t.tag, t.digest)
                    }));
                }
            }
            printer.lines(lines)?;
        }
        OutputFormat::Table => {
            let mut rows: Vec<Vec<String>> = usage
                .repositories
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.tags.to_string(),
                        r.manifests.to_string(),
                        human_bytes(r.size),
                        human_bytes(r.disk_size),
                    ]
                })
                .collect();
            rows.push(vec![
                "(registry, each blob once)".to_owned(),
                totals.0.to_string(),
                totals.1.to_string(),
                human_bytes(totals.2),
                human_bytes(usage.registry_disk_size),
            ]);
            printer.table(
                &["REPOSITORY", "TAGS", "MANIFESTS", "SIZE", "DISK SIZE"],
                rows,
            )?;
            if with_tags {
                let rows = usage
                    .repositories
                    .iter()
                    .flat_map(|r| {
                        r.tag_sizes.iter().map(|t| {
                            vec![
                                r.name.clone(),
                                t.tag.clone(),
                                crate::output::short_digest(&t.digest),
                                t.size.map_or_else(|| "-".to_owned(), human_bytes),
                            ]
                        })
                    })
                    .collect();
                printer.table(&["REPOSITORY", "TAG", "DIGEST", "SIZE"], rows)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{BlobRef, ManifestDetails, Repository, TagEntry};
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
