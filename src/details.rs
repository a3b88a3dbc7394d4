//! Manifest details kept in the cache's digest-keyed map: sizes, layers, index children, created
//! times and platforms. A manifest never changes for its digest, so each is fetched at most once and
//! kept for as long as the digest is tagged; a run on a warm cache makes no detail requests at all.

use std::collections::BTreeMap;

use anyhow::Context as _;
use futures::future::try_join_all;
use indicatif::ProgressBar;
use jiff::Timestamp;
use oci_spec::image::{ImageIndex, ImageManifest};

use crate::inventory::{BlobRef, ChildManifest, Inventory, ManifestDetails, MediaType, Platform};
use crate::media_type::is_index;
use crate::names::is_digest;
use crate::registry::{Client, RegistryError};

/// Config media types that are image configs, with a created time and a platform.
const IMAGE_CONFIGS: [&str; 2] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];

/// What a caller needs of each manifest's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The image's created time (from its config, or a registry's own API).
    pub created: bool,
    /// Its blobs (layers, config, children): disk sizes, and what a removal frees. Without it, the
    /// size and created time a registry's own API listed (Harbor's artifacts, GitLab's registry
    /// API) are enough, and no manifest is read for them.
    pub blobs: bool,
}

impl Need {
    /// Everything: what removals, policies, usage and the service need.
    pub const ALL: Need = Need {
        created: true,
        blobs: true,
    };
}

/// What `ensure_details` did.
#[derive(Debug, Default)]
pub struct Fetched {
    /// (repository, digest) of tagged manifests the cache lists but the registry no longer has: the
    /// cache went stale behind regsweep's back.
    pub gone: Vec<(String, String)>,
    /// (repository, digest) of untagged manifests and referrers the registry no longer has (garbage
    /// collected, deleted): forgotten in the inventory already, nothing to warn about.
    pub forgotten: Vec<(String, String)>,
    /// Manifests and configs read.
    pub requests: usize,
}

/// Makes sure every manifest tagged in `repositories` (and every child of an index there) has its
/// details, and with `created` also its config's created time and platform. A manifest the registry
/// no longer has is reported, not an error: the caller decides what a stale cache means for it.
pub async fn ensure_details(
    client: &Client,
    inventory: &mut Inventory,
    repositories: &[String],
    need: Need,
    progress: &ProgressBar,
) -> anyhow::Result<Fetched> {
    let mut requests = 0;
    let mut gone = Vec::new();
    // Manifests first (tagged ones, then the children of indexes), then configs.
    for _ in 0..2 {
        let mut missing = missing_manifests(inventory, repositories, need);
        missing.retain(|digest, repo| !gone.contains(&(repo.clone(), digest.clone())));
        requests += missing.len();
        progress.inc_length(missing.len() as u64);
        let fetched = try_join_all(missing.iter().map(|(digest, repo)| async move {
            let details = read_manifest(client, repo, digest)
                .await
                .with_context(|| format!("reading the manifest {repo}@{digest}"))?;
            progress.inc(1);
            anyhow::Ok((repo.clone(), digest.clone(), details))
        }))
        .await?;
        for (repo, digest, details) in fetched {
            match details {
                Some(details) => {
                    inventory.manifests.insert(digest.into(), Box::new(details));
                }
                None => gone.push((repo, digest)),
            }
        }
    }
    if need.created {
        let missing = missing_configs(inventory, repositories);
        requests += missing.len();
        progress.inc_length(missing.len() as u64);
        let fetched = try_join_all(missing.iter().map(|(digest, repo, config)| async move {
            let bytes = client
                .blob(repo, config)
                .await
                .with_context(|| format!("reading the config of {repo}@{digest}"))?;
            progress.inc(1);
            anyhow::Ok((digest.clone(), bytes))
        }))
        .await?;
        for (digest, bytes) in fetched {
            if let Some(details) = inventory.manifests.get_mut(digest.as_str()) {
                details.config_read = true;
                if let Some((created, platform)) = bytes.as_deref().map(read_config) {
                    details.set_created(created);
                    details.platforms = platform.into_iter().map(Platform::from).collect();
                }
            }
        }
        // Configs that are not image configs have nothing to read.
        for digest in manifests_by_repo(inventory, repositories).into_keys() {
            let details = inventory.manifests.get_mut(digest.as_str());
            if let Some(details) = details.filter(|d| d.manifest_bytes.is_some()) {
                details.config_read |= !is_image_manifest_with_config(details);
            }
        }
    }
    // Indexes only change when something new about them or their children was read.
    if requests > 0 {
        aggregate_indexes(inventory);
    }
    // Untagged manifests and referrers come and go; only a tagged one gone is drift.
    let (forgotten, gone): (Vec<_>, Vec<_>) = gone.into_iter().partition(|(repo, digest)| {
        inventory.repositories.get(repo).is_some_and(|r| {
            !r.is_tagged(digest)
                && (r.untagged.contains_key(digest) || r.referrers.contains_key(digest))
        })
    });
    inventory.forget_gone(&forgotten);
    Ok(Fetched {
        gone,
        forgotten,
        requests,
    })
}

/// Whether `ensure_details` would send any request: a manifest of the repositories lacks its details,
/// or (with `created`) an image its config. A warm cache needs none, and then no client is built.
///
/// Stops at the first manifest that lacks something and allocates little: on a warm cache of a
/// million tags this is the common answer ("none"), and it used to build the two lists below whole.
pub fn requests_needed(inventory: &Inventory, repositories: &[String], need: Need) -> bool {
    repositories.iter().any(|repo| {
        inventory.each_repository_manifest(repo).any(|digest| {
            match inventory.manifests.get(digest) {
                None => true,
                Some(details) => {
                    lacks_manifest(details, need) || (need.created && lacks_config(details))
                }
            }
        })
    })
}

/// Whether a manifest's own details are still to be read. Without `need.blobs`, details a
/// registry's own API listed (a size, and the created time when it is needed; the manifest unread)
/// count as known.
fn lacks_manifest(details: &ManifestDetails, need: Need) -> bool {
    let listed = details.from_gitlab
        && details.size.is_some()
        && (!need.created || details.created.is_some());
    details.manifest_bytes.is_none() && (need.blobs || !listed)
}

/// Whether an image manifest's config is still to be read.
fn lacks_config(details: &ManifestDetails) -> bool {
    !details.config_read && is_image_manifest_with_config(details)
}

/// Every manifest of the repositories (tagged ones and children of known indexes), each with the first
/// repository it can be read from.
fn manifests_by_repo(inventory: &Inventory, repositories: &[String]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for repo in repositories {
        for digest in inventory.repository_manifests(repo) {
            found
                .entry(digest.to_owned())
                .or_insert_with(|| repo.clone());
        }
    }
    found
}

/// Manifests without details (`lacks_manifest`), each with a repository to read it from.
fn missing_manifests(
    inventory: &Inventory,
    repositories: &[String],
    need: Need,
) -> BTreeMap<String, String> {
    let mut missing = manifests_by_repo(inventory, repositories);
    missing.retain(|digest, _| {
        inventory
            .manifests
            .get(digest.as_str())
            .is_none_or(|d| lacks_manifest(d, need))
    });
    missing
}

fn is_image_manifest_with_config(details: &ManifestDetails) -> bool {
    details
        .config
        .as_ref()
        .and_then(|c| c.media_type.as_deref())
        .is_some_and(|m| IMAGE_CONFIGS.contains(&m))
}

/// Image manifests whose config has not been read: (manifest digest, repository, config digest).
fn missing_configs(
    inventory: &Inventory,
    repositories: &[String],
) -> Vec<(String, String, String)> {
    manifests_by_repo(inventory, repositories)
        .into_iter()
        .filter_map(|(digest, repo)| {
            let details = inventory.manifests.get(digest.as_str())?;
            if !lacks_config(details) {
                return None;
            }
            let config = details.config.as_ref()?.digest.to_string();
            Some((digest, repo, config))
        })
        .collect()
}

/// A manifest's details; `None` when the registry no longer has it.
async fn read_manifest(
    client: &Client,
    repo: &str,
    digest: &str,
) -> Result<Option<ManifestDetails>, RegistryError> {
    Ok(client
        .manifest(repo, digest)
        .await?
        .map(|manifest| parse_manifest(manifest.media_type.as_deref(), &manifest.bytes)))
}

/// What a manifest says about itself. Unreadable manifests (schema 1, odd artifacts) simply have no
/// size.
pub fn parse_manifest(media_type: Option<&str>, bytes: &[u8]) -> ManifestDetails {
    let mut details = ManifestDetails {
        media_type: media_type.map(MediaType::from),
        manifest_bytes: u32::try_from(bytes.len()).ok(),
        ..ManifestDetails::default()
    };
    read_referrer_fields(bytes, &mut details);
    if media_type.is_some_and(is_index) {
        details.set_children(parse_children(bytes).ok());
        return details;
    }
    let Ok(manifest) = ImageManifest::from_reader(bytes) else {
        details.config_read = true;
        return details;
    };
    // Blob digests go into URLs: a manifest naming an invalid one is treated as unreadable.
    let digests_ok = std::iter::once(manifest.config())
        .chain(manifest.layers())
        .all(|d| is_digest(d.digest().as_ref()));
    if !digests_ok {
        details.config_read = true;
        return details;
    }
    let blob = |d: &oci_spec::image::Descriptor| BlobRef {
        digest: d.digest().to_string().into(),
        size: d.size(),
        media_type: Some(MediaType::from(d.media_type().to_string())),
    };
    details.config = Some(blob(manifest.config()));
    if details.subject().is_some() && details.artifact_type().is_none() {
        // Before `artifactType`, an artifact said what it is with its config's media type.
        details.set_artifact_type(Some(MediaType::from(
            manifest.config().media_type().to_string(),
        )));
    }
    details.layers = manifest.layers().iter().map(blob).collect();
    details.size =
        Some(details.layers.iter().map(|l| l.size).sum::<u64>() + manifest.config().size());
    details
}

/// A manifest's OCI 1.1 `subject` (a valid digest only: it goes into URLs) and `artifactType`.
fn read_referrer_fields(bytes: &[u8], details: &mut ManifestDetails) {
    #[derive(serde::Deserialize)]
    struct Subject {
        digest: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Fields {
        subject: Option<Subject>,
        artifact_type: Option<String>,
    }
    if let Ok(fields) = serde_json::from_slice::<Fields>(bytes) {
        details.set_subject(fields.subject.map(|s| s.digest).filter(|d| is_digest(d)));
        details.set_artifact_type(
            fields
                .artifact_type
                .filter(|t| t.len() <= 255)
                .map(MediaType::from),
        );
    }
}

/// The children of an OCI image index or Docker manifest list (they share the shape).
pub fn parse_children(bytes: &[u8]) -> Result<Vec<ChildManifest>, String> {
    let index = ImageIndex::from_reader(bytes).map_err(|e| format!("not an image index: {e}"))?;
    if let Some(bad) = index
        .manifests()
        .iter()
        .find(|d| !is_digest(d.digest().as_ref()))
    {
        return Err(format!(
            "an invalid child digest {:?}",
            bad.digest().to_string()
        ));
    }
    Ok(index
        .manifests()
        .iter()
        .map(|d| ChildManifest {
            digest: d.digest().to_string(),
            media_type: Some(MediaType::from(d.media_type().to_string())),
            platform: d.platform().as_ref().map(|p| {
                platform_name(
                    &p.os().to_string(),
                    &p.architecture().to_string(),
                    p.variant().as_deref(),
                )
            }),
        })
        .collect())
}

fn platform_name(os: &str, architecture: &str, variant: Option<&str>) -> String {
    match variant {
        Some(variant) => format!("{os}/{architecture}/{variant}"),
        None => format!("{os}/{architecture}"),
    }
}

/// The created time and platform of an image config.
fn read_config(bytes: &[u8]) -> (Option<Timestamp>, Option<String>) {
    #[derive(serde::Deserialize)]
    struct Config {
        created: Option<String>,
        os: Option<String>,
        architecture: Option<String>,
        variant: Option<String>,
    }
    let Ok(config) = serde_json::from_slice::<Config>(bytes) else {
        return (None, None);
    };
    let created = config.created.and_then(|c| c.parse::<Timestamp>().ok());
    let platform = match (config.os, config.architecture) {
        (Some(os), Some(arch)) => Some(platform_name(&os, &arch, config.variant.as_deref())),
        _ => None,
    };
    (created, platform)
}

/// An index's size is the sum over its children, its created time the newest child's, its platforms
/// theirs.
fn aggregate_indexes(inventory: &mut Inventory) {
    let indexes: Vec<(String, Vec<ChildManifest>)> = inventory
        .manifests
        .iter()
        .filter_map(|(digest, d)| d.children().cloned().map(|c| (digest.to_string(), c)))
        .collect();
    for (digest, children) in indexes {
        let known: Vec<&ManifestDetails> = children
            .iter()
            .filter_map(|c| inventory.manifests.get(c.digest.as_str()).map(|d| &**d))
            .collect();
        let complete = known.len() == children.len();
        let size = complete
            .then(|| known.iter().map(|d| d.size).sum::<Option<u64>>())
            .flatten();
        let created = known.iter().filter_map(|d| d.created()).max();
        let config_read = complete && known.iter().all(|d| d.config_read);
        let mut platforms: Vec<Platform> = children
            .iter()
            .filter_map(|c| c.platform.as_deref().map(Platform::new))
            .collect();
        platforms.dedup();
        if let Some(details) = inventory.manifests.get_mut(digest.as_str()) {
            details.size = size;
            details.set_created(created);
            details.platforms = platforms.into();
            details.config_read = config_read;
        }
    }
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
        assert_eq!(children[1].platform, None);
        assert!(parse_children(b"{}").is_err());
    }

    #[test]
    fn image_manifests_give_size_config_and_layers() {
        let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","size":100},
            "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd","size":2000}]}"#;
        let details = parse_manifest(Some("application/vnd.oci.image.manifest.v1+json"), manifest);
        assert_eq!(details.size, Some(2100));
        assert_eq!(details.layers.len(), 1);
        assert_eq!(details.manifest_bytes, Some(manifest.len() as u32));
        assert!(
            !is_image_manifest_with_config(&details),
            "a Helm chart has no image config"
        );
        let schema1 = parse_manifest(
            Some("application/vnd.docker.distribution.manifest.v1+json"),
            b"{}",
        );
        assert_eq!(schema1.size, None);
        assert!(schema1.config_read);
    }

    #[test]
    fn referrers_name_their_subject_and_artifact_type() {
        let subject = format!("sha256:{}", "e".repeat(64));
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:{c}","size":2}},
            "layers":[],"subject":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{subject}","size":9}}}}"#,
            c = "c".repeat(64)
        );
        let details = parse_manifest(
            Some("application/vnd.oci.image.manifest.v1+json"),
            manifest.as_bytes(),
        );
        assert_eq!(details.subject(), Some(subject.as_str()));
        assert_eq!(
            details.artifact_type().map(|t| &**t),
            Some("application/vnd.dev.cosign.simplesigning.v1+json")
        );
        let bad = manifest.replace(&subject, "sha256:../../x");
        let details = parse_manifest(None, bad.as_bytes());
        assert_eq!(
            details.subject(),
            None,
            "an invalid subject digest is dropped"
        );
    }

    #[test]
    fn configs_give_created_and_platform() {
        let (created, platform) = read_config(
            br#"{"created":"2026-01-02T03:04:05.123Z","os":"linux","architecture":"arm64","variant":"v8"}"#,
        );
        assert_eq!(created.unwrap().to_string(), "2026-01-02T03:04:05.123Z");
        assert_eq!(platform.as_deref(), Some("linux/arm64/v8"));
        assert_eq!(read_config(b"{}"), (None, None));
        assert_eq!(read_config(b"not json"), (None, None));
    }
}
