//! Manifest media types: the names registries give manifests, and which of them are indexes. A leaf:
//! it imports nothing, and the registry client, selection and output all use it.

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_V1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const DOCKER_V1: &str = "application/vnd.docker.distribution.manifest.v1+json";

/// Every manifest type, sent on every manifest HEAD and GET. Docker's registry answers a request that
/// does not accept a manifest list with the linux/amd64 child (and its digest), and one that does not
/// accept OCI types with 404 for OCI content (distribution `registry/handlers/manifests.go`), so a
/// partial list would resolve multi-arch tags to the wrong digest.
pub const ACCEPT_ALL: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.v1+prettyjws, \
     application/vnd.docker.distribution.manifest.v1+json";

/// Every manifest type, one by one (`ACCEPT_ALL` is them joined).
pub const MANIFEST_TYPES: [&str; 6] = [
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_LIST,
    DOCKER_V2,
    DOCKER_V1_SIGNED,
    DOCKER_V1,
];

/// Whether a media type is a multi-platform index (OCI image index or Docker manifest list).
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_LIST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_all_lists_every_manifest_type() {
        assert_eq!(ACCEPT_ALL.split(", ").collect::<Vec<_>>(), MANIFEST_TYPES);
    }
}
