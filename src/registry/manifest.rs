//! Content digests and a manifest's media type as a registry answers it.

use sha2::{Digest as _, Sha256, Sha512};

use crate::media_type::{DOCKER_V1, OCI_INDEX, OCI_MANIFEST};

/// `sha256:<hex>` of some bytes, the digest a registry gives content.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in hash {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The digest of `bytes` with the algorithm `like` uses (`sha256:...` or `sha512:...`); `None` for an
/// algorithm regsweep cannot compute, whose content then cannot be checked.
pub fn digest_like(like: &str, bytes: &[u8]) -> Option<String> {
    match like.split_once(':').map(|(algorithm, _)| algorithm) {
        Some("sha256") => Some(sha256_digest(bytes)),
        Some("sha512") => {
            let hash = Sha512::digest(bytes);
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            Some(format!("sha512:{hex}"))
        }
        _ => None,
    }
}

/// The media type of a manifest: the `Content-Type` the registry sent, unless that is missing or
/// generic, in which case the body's `mediaType` (or `schemaVersion: 1`) tells.
pub fn media_type_of(content_type: Option<&str>, body: Option<&[u8]>) -> Option<String> {
    let declared = content_type
        .map(|ct| ct.split(';').next().unwrap_or(ct).trim())
        .filter(|ct| !ct.is_empty() && !is_generic(ct));
    if let Some(ct) = declared {
        return Some(ct.to_owned());
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        #[serde(rename = "schemaVersion")]
        schema_version: Option<u32>,
        manifests: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = serde_json::from_slice(body?).ok()?;
    match (probe.media_type, probe.schema_version, probe.manifests) {
        (Some(mt), _, _) => Some(mt),
        (None, Some(1), _) => Some(DOCKER_V1.to_owned()),
        (None, Some(2), Some(_)) => Some(OCI_INDEX.to_owned()),
        (None, Some(2), None) => Some(OCI_MANIFEST.to_owned()),
        _ => None,
    }
}

fn is_generic(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/json" | "text/plain" | "application/octet-stream"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media_type::DOCKER_V2;
    use crate::names::is_digest;

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn digests_of_either_algorithm() {
        let d = sha256_digest(b"x");
        assert_eq!(digest_like(&d, b"x"), Some(d));
        let d512 = digest_like("sha512:", b"x").unwrap();
        assert!(is_digest(&d512) && d512.len() == 7 + 128);
        assert_eq!(digest_like("blake3:abc", b"x"), None);
    }

    #[test]
    fn media_type_prefers_specific_content_type() {
        assert_eq!(
            media_type_of(
                Some("application/vnd.oci.image.index.v1+json; charset=utf-8"),
                None
            )
            .as_deref(),
            Some(OCI_INDEX)
        );
        assert_eq!(
            media_type_of(
                Some("application/json"),
                Some(br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}"#)
            )
            .as_deref(),
            Some(DOCKER_V2)
        );
        assert_eq!(
            media_type_of(None, Some(br#"{"schemaVersion":2,"manifests":[]}"#)).as_deref(),
            Some(OCI_INDEX)
        );
        assert_eq!(media_type_of(None, Some(b"not json")), None);
    }
}
