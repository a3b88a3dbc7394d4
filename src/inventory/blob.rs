//! `SharedBlobs`: the blob digests manifest details name, one copy per blob for details read
//! together.

use rustc_hash::FxHashSet;

use super::Digest;

/// The blob digests read so far by one reading of details; dropped with it. Images share layers (a
/// base image's are in every image built on it), so the details of a registry name the same layer
/// digests over and over: the details file's reading looks layers up here, so each is held once (at
/// a million synthetic manifests sharing two of their three layers, 2 million strings fewer; a
/// config is its image's own and is not looked up).
#[derive(Default)]
pub struct SharedBlobs(FxHashSet<Digest>);

impl SharedBlobs {
    /// `digest`, as the copy read before if there was one.
    pub fn get(&mut self, digest: &str) -> Digest {
        if let Some(known) = self.0.get(digest) {
            return known.clone();
        }
        let digest = Digest::from(digest);
        self.0.insert(digest.clone());
        digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_read_twice_is_one_copy() {
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let mut shared = SharedBlobs::default();
        let (a, b) = (shared.get(digest), shared.get(&String::from(digest)));
        assert!(Digest::same_copy(&a, &b));
        assert_eq!(a, *digest);
        assert!(!Digest::same_copy(&a, &SharedBlobs::default().get(digest)));
    }
}
