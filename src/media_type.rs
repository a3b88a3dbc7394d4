//! Manifest media types: the names registries give manifests, and which of them are indexes; and
//! `MediaType`, the one shared copy of each name the inventory holds. A leaf: it imports nothing of
//! regsweep, and the registry client, selection and output all use it.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

/// A media type as the inventory holds it: a shared copy of its name. A registry of a million tags
/// names a handful of media types five million times (each tag, manifest, config and layer); as a
/// string each, they were 400 MB of a million-tag plan and a good part of its loading time.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MediaType(Arc<str>);

/// The names shared so far: the manifest types from the start, then each name as first seen. Bounded: names come from registries, and a registry sending endless
/// distinct ones gets its own copies beyond this many rather than a table that grows without end.
static SHARED: Mutex<Option<FxHashSet<Arc<str>>>> = Mutex::new(None);
const MOST_SHARED: usize = 1024;

impl MediaType {
    pub fn new(name: &str) -> Self {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        // The manifest types are always among them, whatever else came first.
        let shared =
            shared.get_or_insert_with(|| MANIFEST_TYPES.into_iter().map(Arc::from).collect());
        if let Some(known) = shared.get(name) {
            return Self(Arc::clone(known));
        }
        let name: Arc<str> = Arc::from(name);
        if shared.len() < MOST_SHARED {
            shared.insert(Arc::clone(&name));
        }
        Self(name)
    }
}

impl Deref for MediaType {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for MediaType {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for MediaType {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for MediaType {
    fn from(name: String) -> Self {
        Self::new(&name)
    }
}

impl From<&String> for MediaType {
    fn from(name: &String) -> Self {
        Self::new(name)
    }
}

impl PartialEq<str> for MediaType {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for MediaType {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for MediaType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MediaType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = MediaType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a media type")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<MediaType, E> {
                Ok(MediaType::new(name))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_read_twice_is_one_copy_and_reads_back_the_same() {
        let a = MediaType::new(OCI_MANIFEST);
        let b: MediaType = serde_json::from_str(&format!("{OCI_MANIFEST:?}")).unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(b, OCI_MANIFEST);
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            format!("{OCI_MANIFEST:?}")
        );
        assert_eq!(format!("{b}"), OCI_MANIFEST);
    }

    #[test]
    fn endless_distinct_names_are_not_all_kept() {
        for i in 0..MOST_SHARED + 10 {
            MediaType::new(&format!("application/x-test-{i}"));
        }
        let shared = SHARED.lock().unwrap();
        assert!(shared.as_ref().unwrap().len() <= MOST_SHARED);
    }

    #[test]
    fn accept_all_lists_every_manifest_type() {
        assert_eq!(ACCEPT_ALL.split(", ").collect::<Vec<_>>(), MANIFEST_TYPES);
    }
}
