//! OCI distribution-spec 1.1's referrers API, and removing one tag without its manifest.
//!
//! Untagging never guesses what a registry does with `DELETE /v2/REPO/manifests/TAG`: Docker's
//! registry 3.x and GitLab's remove just the tag, 2.8 and Quay refuse it, and a registry that took it
//! as "delete the manifest this tag points to" would take the image's other tags along. So support is
//! found out on a throwaway manifest with two throwaway tags (delete one by tag; the other and the
//! manifest must still be there), which is then deleted. Where it is missing, a tag is moved onto a
//! throwaway manifest of its own, which is then deleted by digest (regclient's `TagDelete`).

use std::sync::atomic::Ordering;

use bytes::Bytes;
use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::LOCATION;
use serde::Deserialize;

use super::client::Deleted;
use super::connection::Client;
use super::error::RegistryError;
use super::manifest::sha256_digest;
use super::send::{Access, SMALL};
use crate::media_type::OCI_MANIFEST;
use crate::names::is_digest;

/// OCI 1.1's empty descriptor: the blob `{}`, config and only layer of a throwaway manifest.
const EMPTY_BLOB: &[u8] = b"{}";
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";

/// The artifact type of regsweep's throwaway manifests, so anyone who meets one knows what it is.
const PLACEHOLDER_TYPE: &str = "application/vnd.regsweep.untag.placeholder.v1";

/// Whether the registry's referrers API is known to exist: not asked yet
/// (`connection::REFERRERS_UNKNOWN`), yes, no.
const SUPPORTED: u8 = 1;
const MISSING: u8 = 2;

/// A referrer as the referrers API describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerDescriptor {
    pub digest: String,
    pub media_type: Option<String>,
    pub artifact_type: Option<String>,
}

/// How a tag is removed without its manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UntagMethod {
    /// `DELETE /v2/REPO/manifests/TAG`, where the registry removes just the tag.
    DeleteByTag,
    /// The tag moved onto a throwaway manifest, which is then deleted by digest.
    Placeholder,
}

impl Client {
    /// Whether the registry has the referrers API, asked once per client: the referrers of a digest
    /// nothing has must be an (empty) OCI index. A registry without the API answers 404
    /// (distribution-spec, "Listing Referrers": one with it never does), others anything at all; all
    /// of that means no API, and then the referrers tag schema is all there is.
    /// What `has_referrers_api` found (or was told), if anything yet.
    pub fn referrers_api_known(&self) -> Option<bool> {
        match self.inner.referrers_api.load(Ordering::Relaxed) {
            SUPPORTED => Some(true),
            MISSING => Some(false),
            _ => None,
        }
    }

    /// What an earlier run found: no request needed to find out again.
    pub fn assume_referrers_api(&self, supported: bool) {
        let state = if supported { SUPPORTED } else { MISSING };
        self.inner.referrers_api.store(state, Ordering::Relaxed);
    }

    pub async fn has_referrers_api(&self, repo: &str) -> bool {
        match self.inner.referrers_api.load(Ordering::Relaxed) {
            SUPPORTED => return true,
            MISSING => return false,
            _ => {}
        }
        let nothing = format!("sha256:{}", "0".repeat(64));
        let supported = match self.referrers(repo, &nothing).await {
            Ok(_) => true,
            Err(err) => {
                tracing::info!(error = %err, "no referrers API; using the referrers tag schema");
                false
            }
        };
        let state = if supported { SUPPORTED } else { MISSING };
        self.inner.referrers_api.store(state, Ordering::Relaxed);
        supported
    }

    /// The referrers the referrers API lists for `digest`, every page (for a registry
    /// `has_referrers_api` found has it).
    pub async fn referrers(
        &self,
        repo: &str,
        digest: &str,
    ) -> Result<Vec<ReferrerDescriptor>, RegistryError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Descriptor {
            digest: String,
            media_type: Option<String>,
            artifact_type: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Index {
            schema_version: u32,
            #[serde(default)]
            manifests: Vec<Descriptor>,
        }
        let first = self
            .address()
            .endpoint(&format!("/v2/{repo}/referrers/{digest}"));
        let mut found = Vec::new();
        let mut version = 2;
        self.paginate(first, &Access::pull(repo), |page: Index| {
            version = version.min(page.schema_version);
            found.extend(page.manifests.into_iter().filter(|d| is_digest(&d.digest)));
        })
        .await?;
        if version != 2 {
            return Err(RegistryError::Malformed {
                url: Box::new(
                    self.address()
                        .endpoint(&format!("/v2/{repo}/referrers/{digest}")),
                ),
                detail: format!("a referrers index of schema version {version}"),
            });
        }
        Ok(found
            .into_iter()
            .map(|d| ReferrerDescriptor {
                digest: d.digest,
                media_type: d.media_type,
                artifact_type: d.artifact_type,
            })
            .collect())
    }

    /// `DELETE /v2/REPO/manifests/TAG`: only for a registry `probe_delete_by_tag` found removes just
    /// the tag. 404 means the tag was already gone.
    pub async fn delete_tag(&self, repo: &str, tag: &str) -> Result<Deleted, RegistryError> {
        self.delete_reference(repo, tag).await
    }

    /// Whether `DELETE /v2/REPO/manifests/TAG` removes just that tag: tried on a throwaway manifest
    /// with two throwaway tags, which is deleted afterwards, whatever the answer.
    pub async fn probe_delete_by_tag(&self, repo: &str) -> Result<bool, RegistryError> {
        let nonce = nonce();
        let (first, second) = (
            format!("regsweep-probe-{nonce}-a"),
            format!("regsweep-probe-{nonce}-b"),
        );
        let placeholder = self.push_placeholder(repo, &first, "probe").await?;
        let outcome = async {
            self.put_manifest(repo, &second, OCI_MANIFEST, &placeholder.1)
                .await?;
            match self.delete_tag(repo, &first).await {
                Ok(_) => {}
                Err(err)
                    if err.refuses_all() && !matches!(err, RegistryError::Unsupported { .. }) =>
                {
                    return Err(err);
                }
                Err(err) => {
                    tracing::info!(repo, error = %err, "the registry refuses DELETE by tag");
                    return Ok(false);
                }
            }
            let first_gone = self.resolve(repo, &first).await?.is_none();
            let second_kept = self
                .resolve(repo, &second)
                .await?
                .is_some_and(|m| m.digest == placeholder.0);
            let manifest_kept = self.resolve(repo, &placeholder.0).await?.is_some();
            Ok(first_gone && second_kept && manifest_kept)
        }
        .await;
        let cleanup = self.delete_manifest(repo, &placeholder.0).await;
        let supported = outcome?;
        cleanup?;
        tracing::info!(repo, supported, "probed DELETE by tag");
        Ok(supported)
    }

    /// Pushes a throwaway manifest (unique, so no two share a digest) under `reference`, with the
    /// empty blob it needs; returns its digest and bytes.
    pub async fn push_placeholder(
        &self,
        repo: &str,
        reference: &str,
        purpose: &str,
    ) -> Result<(String, Bytes), RegistryError> {
        self.ensure_empty_blob(repo).await?;
        let empty = serde_json::json!({
            "mediaType": EMPTY_MEDIA_TYPE, "digest": EMPTY_DIGEST, "size": EMPTY_BLOB.len(),
        });
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": PLACEHOLDER_TYPE,
            "config": empty,
            "layers": [empty],
            "annotations": {
                "org.opencontainers.image.created": Timestamp::now().to_string(),
                "dev.regsweep.purpose": purpose,
                "dev.regsweep.nonce": nonce(),
            },
        });
        let bytes = Bytes::from(manifest.to_string());
        let digest = self
            .put_manifest(repo, reference, OCI_MANIFEST, &bytes)
            .await?;
        if digest != sha256_digest(&bytes) {
            return Err(RegistryError::DigestMismatch {
                url: Box::new(
                    self.address()
                        .endpoint(&format!("/v2/{repo}/manifests/{reference}")),
                ),
                expected: sha256_digest(&bytes),
                actual: digest,
            });
        }
        Ok((digest, bytes))
    }

    /// Whether the manifest is one of regsweep's throwaway manifests (a tag an interrupted untag
    /// left on one is still to be removed, or put back).
    pub async fn is_placeholder(&self, repo: &str, digest: &str) -> bool {
        let Ok(Some(manifest)) = self.manifest(repo, digest).await else {
            return false;
        };
        serde_json::from_slice::<serde_json::Value>(&manifest.bytes)
            .is_ok_and(|m| m["artifactType"] == PLACEHOLDER_TYPE)
    }

    /// Uploads the empty blob `{}` to `repo` unless it is there (one POST, one PUT).
    async fn ensure_empty_blob(&self, repo: &str) -> Result<(), RegistryError> {
        let blob = self
            .address()
            .endpoint(&format!("/v2/{repo}/blobs/{EMPTY_DIGEST}"));
        match self
            .fetch(Method::HEAD, blob, None, &Access::pull(repo), SMALL)
            .await
        {
            Ok(_) => return Ok(()),
            Err(RegistryError::NotFound { .. }) => {}
            Err(err) => return Err(err),
        }
        let start = self
            .address()
            .endpoint(&format!("/v2/{repo}/blobs/uploads/"));
        let started = self
            .send(
                Method::POST,
                start.clone(),
                None,
                Some(("application/octet-stream", &Bytes::new())),
                &Access::push(repo),
                SMALL,
            )
            .await?;
        let location = started
            .headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RegistryError::Malformed {
                url: Box::new(start.clone()),
                detail: "an upload was started without a Location".into(),
            })?;
        let mut upload = self.same_registry(&start, location)?;
        upload.query_pairs_mut().append_pair("digest", EMPTY_DIGEST);
        self.send(
            Method::PUT,
            upload,
            None,
            Some(("application/octet-stream", &Bytes::from_static(EMPTY_BLOB))),
            &Access::push(repo),
            SMALL,
        )
        .await?;
        Ok(())
    }

    /// A URL the registry named, resolved against `base` and refused unless it is on the registry.
    fn same_registry(&self, base: &url::Url, link: &str) -> Result<url::Url, RegistryError> {
        let url = base.join(link).map_err(|e| RegistryError::Malformed {
            url: Box::new(base.clone()),
            detail: format!("bad location {link:?}: {e}"),
        })?;
        let ours = self.address().base();
        if url.scheme() != ours.scheme()
            || url.host_str() != ours.host_str()
            || url.port_or_known_default() != ours.port_or_known_default()
        {
            return Err(RegistryError::Malformed {
                url: Box::new(base.clone()),
                detail: format!("refusing an upload location on another host: {url}"),
            });
        }
        Ok(url)
    }
}

/// 16 random hex digits: throwaway tags and manifests never collide with anyone's.
fn nonce() -> String {
    let mut bytes = [0u8; 8];
    // Without randomness the time still makes a collision unlikely.
    if getrandom::fill(&mut bytes).is_err() {
        bytes = Timestamp::now().as_nanosecond().to_le_bytes()[..8]
            .try_into()
            .unwrap_or_default();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
