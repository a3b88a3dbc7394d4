//! Fixtures for the selection tests: small inventories written as data, and the queries over them.

#[path = "../../tests/it/common/dregutil.rs"]
mod dregutil;

use super::*;
use crate::inventory::{ChildManifest, Repository, TagEntry};
use crate::registry::RegistryAddress;

/// An inventory from `(repository, [(tag, digest)])`.
pub fn inventory(data: &[(&str, &[(&str, &str)])]) -> Inventory {
    let registry = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
    let mut inv = Inventory::new(&registry, jiff::Timestamp::UNIX_EPOCH);
    for (repo, tags) in data {
        let mut repository = Repository::default();
        for (tag, digest) in *tags {
            repository
                .tags
                .insert((*tag).to_owned(), TagEntry::new((*digest).to_owned(), None));
        }
        inv.repositories.insert((*repo).to_owned(), repository);
    }
    inv
}

/// dregutil's own test data (its test/data.py): repositories a, b, c sharing digests; the one
/// definition the integration tests push as real images too.
pub fn dregutil_data() -> Inventory {
    inventory(&dregutil::LAYOUT)
}

pub fn repos(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

pub fn selectors(values: &[&str]) -> Vec<TagSelector> {
    values
        .iter()
        .map(|v| match v.strip_prefix("re:") {
            Some(re) => TagSelector::regex(re).unwrap(),
            None => TagSelector::parse(v).unwrap(),
        })
        .collect()
}

pub fn tag_query(names: &[&str], include: &[&str], exclude: &[&str]) -> TagQuery {
    TagQuery {
        repositories: repos(names),
        include: selectors(include),
        exclude: selectors(exclude),
        match_all_tags: true,
        raise_intersecting_repo: true,
        raise_intersecting_tag: false,
        retention: Retention::default(),
        keep_referrers: false,
        untag: Untag::Never,
    }
}

pub fn pairs(rows: &[Selected]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (r.repository.to_string(), r.digest.to_string()))
        .collect()
}

pub fn pair(repo: &str, digest: &str) -> (String, String) {
    (repo.to_owned(), digest.to_owned())
}

pub fn repo_query(names: &[&str], raise: bool) -> RepoQuery {
    RepoQuery {
        repositories: repos(names),
        raise_intersecting_repo: raise,
        retention: Retention::default(),
        keep_referrers: false,
    }
}

/// An inventory where `index` digests have the given children.
pub fn with_indexes(mut inv: Inventory, indexes: &[(&str, &[&str])]) -> Inventory {
    for (index, children) in indexes {
        for repo in inv.repositories.values_mut() {
            for entry in repo.tags.values_mut() {
                if entry.digest == *index {
                    entry.media_type = Some(crate::media_type::OCI_INDEX.into());
                }
            }
        }
        inv.manifests.insert(
            (*index).into(),
            Box::new(crate::inventory::ManifestDetails {
                ..crate::inventory::ManifestDetails::default().with_children(
                    children
                        .iter()
                        .map(|c| ChildManifest {
                            digest: (*c).to_owned(),
                            media_type: None,
                            platform: Some("linux/amd64".into()),
                        })
                        .collect(),
                )
            }),
        );
    }
    inv
}
