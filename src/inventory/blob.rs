//! `BlobDigest`: a config's or layer's digest as manifest details hold it, one copy per blob for
//! details read together.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The digest of a blob a manifest references. Images share layers (a base image's are in every
/// image built on it), so the details of a registry name the same layer digests over and over:
/// the details file's reading looks layers up in one `SharedBlobs`, so each is held once (at a
/// million synthetic manifests sharing two of their three layers, 2 million strings fewer; a
/// config is its image's own and is not looked up). Reads, compares, prints and serializes as the
/// plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobDigest(Arc<str>);

/// The blob digests read so far by one reading of details; dropped with it.
#[derive(Default)]
pub struct SharedBlobs(FxHashSet<Arc<str>>);

impl SharedBlobs {
    /// `digest`, as the copy read before if there was one.
    pub fn get(&mut self, digest: &str) -> BlobDigest {
        if let Some(known) = self.0.get(digest) {
            return BlobDigest(Arc::clone(known));
        }
        let digest: Arc<str> = Arc::from(digest);
        self.0.insert(Arc::clone(&digest));
        BlobDigest(digest)
    }
}

impl Deref for BlobDigest {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for BlobDigest {
    fn from(digest: &str) -> Self {
        Self(Arc::from(digest))
    }
}

impl From<String> for BlobDigest {
    fn from(digest: String) -> Self {
        Self(Arc::from(digest))
    }
}

impl PartialEq<str> for BlobDigest {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for BlobDigest {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for BlobDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BlobDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_read_twice_is_one_copy_and_reads_back_the_same() {
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let mut shared = SharedBlobs::default();
        let (a, b) = (shared.get(digest), shared.get(&String::from(digest)));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, *digest);
        assert!(!Arc::ptr_eq(&a.0, &SharedBlobs::default().get(digest).0));
        let read: BlobDigest = serde_json::from_str(&format!("{digest:?}")).unwrap();
        assert_eq!(read, a);
        assert_eq!(serde_json::to_string(&a).unwrap(), format!("{digest:?}"));
        assert_eq!(format!("{a} {a:?}"), format!("{digest} {digest:?}"));
    }
}
