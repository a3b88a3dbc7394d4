//! Manifest details kept in the cache's digest-keyed map. A manifest never changes for its digest, so
//! each is fetched at most once and kept for as long as the digest is tagged.

use std::collections::BTreeMap;

use anyhow::Context as _;
use futures::future::try_join_all;
use oci_spec::image::ImageIndex;

use crate::cache::{ChildManifest, Inventory};
use crate::registry::manifest::is_index;
use crate::registry::{Client, RegistryError};

/// Makes sure every index tagged in `repositories` has its children recorded, fetching the ones not
/// known yet. Returns how many were fetched (so the caller knows whether to save the cache).
pub async fn ensure_index_children(
    client: &Client,
    inventory: &mut Inventory,
    repositories: &[String],
) -> anyhow::Result<usize> {
    // digest -> a repository it can be read from
    let mut missing: BTreeMap<&str, &str> = BTreeMap::new();
    for repo in repositories {
        let Some(repository) = inventory.repositories.get(repo) else {
            continue;
        };
        for entry in repository.tags.values() {
            let known = inventory
                .manifests
                .get(&entry.digest)
                .is_some_and(|d| d.children.is_some());
            if entry.media_type.as_deref().is_some_and(is_index) && !known {
                missing.entry(&entry.digest).or_insert(repo);
            }
        }
    }
    let fetched = try_join_all(missing.iter().map(|(digest, repo)| async move {
        let children = index_children(client, repo, digest)
            .await
            .with_context(|| format!("reading the index {repo}@{digest}"))?;
        anyhow::Ok((digest.to_string(), children))
    }))
    .await?;
    let count = fetched.len();
    for (digest, children) in fetched {
        let details = inventory.manifests.entry(digest).or_default();
        details.children = Some(children);
    }
    Ok(count)
}

/// The manifests an index references, read from the registry.
async fn index_children(
    client: &Client,
    repo: &str,
    digest: &str,
) -> Result<Vec<ChildManifest>, RegistryError> {
    let url_hint = || {
        client
            .address()
            .endpoint(&format!("/v2/{repo}/manifests/{digest}"))
    };
    let Some(manifest) = client.manifest(repo, digest).await? else {
        return Err(RegistryError::NotFound {
            url: Box::new(url_hint()),
            detail: Default::default(),
        });
    };
    parse_children(&manifest.bytes).map_err(|detail| RegistryError::Malformed {
        url: Box::new(url_hint()),
        detail,
    })
}

/// The children of an OCI image index or Docker manifest list (they share the shape).
pub fn parse_children(bytes: &[u8]) -> Result<Vec<ChildManifest>, String> {
    let index = ImageIndex::from_reader(bytes).map_err(|e| format!("not an image index: {e}"))?;
    Ok(index
        .manifests()
        .iter()
        .map(|d| ChildManifest {
            digest: d.digest().to_string(),
            media_type: Some(d.media_type().to_string()),
            platform: d.platform().as_ref().map(|p| {
                let mut platform = format!("{}/{}", p.os(), p.architecture());
                if let Some(variant) = p.variant() {
                    platform.push('/');
                    platform.push_str(variant);
                }
                platform
            }),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_manifest_lists_and_oci_indexes_parse() {
        let list = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
            {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":7,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","size":9}]}"#;
        let children = parse_children(list).unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].platform.as_deref(), Some("linux/arm/v7"));
        assert_eq!(
            children[0].media_type.as_deref(),
            Some("application/vnd.docker.distribution.manifest.v2+json")
        );
        assert_eq!(children[1].platform, None);
        assert!(children[1].digest.ends_with("bbbb"));
        assert!(parse_children(b"{}").is_err());
    }
}
