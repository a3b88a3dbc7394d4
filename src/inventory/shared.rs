//! Text the inventory holds once for every place that names it: `Digest` (a manifest's or blob's
//! digest) and `RepositoryName` (a plan's rows' repository).

use std::borrow::Borrow;
use std::sync::Arc;

use super::text::str_like;

/// A manifest's or blob's digest (`sha256:<hex>`). A registry of a million tags names each
/// manifest at least three times over: its tags, its details' key, the plan's row. As a `String`
/// each, that was 95 bytes a time; a `Digest` is a pointer to a copy they share (the details
/// file's reading keys a tagged manifest by its tags' copy; a plan's rows clone it). Reads,
/// compares, orders, hashes, prints and serializes as the plain string, so a map keyed by it is
/// found by `&str`.
///
/// An `Arc<str>`, not the one-word `Arc<Box<str>>` media types use: digests are read all over a
/// million-entry heap, and the second hop to the text made a million-tag plan 45% slower (9.8 s
/// against 14.2 s) for 24 MB.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(Arc<str>);

/// A repository's name as a plan's rows hold it: one copy for all the rows of a repository (at a
/// million tags, 700,000 rows named their repository with a `String` each: 28 MB). Reads,
/// compares and serializes as the plain string.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepositoryName(Arc<str>);

/// What shared text does besides reading as a string (`str_like!`): it is found by `&str` in a map
/// keyed by it, compares with a `String` either way, and tells whether two are one copy.
macro_rules! shared_text {
    ($name:ident, $expecting:literal) => {
        impl $name {
            pub fn new(text: &str) -> Self {
                Self(Arc::from(text))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether both are the same copy (not merely equal).
            #[cfg(test)]
            pub fn same_copy(a: &Self, b: &Self) -> bool {
                Arc::ptr_eq(&a.0, &b.0)
            }
        }

        str_like!($name, $expecting);

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> Self {
                text.as_str().to_owned()
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }
    };
}

shared_text!(Digest, "a digest");
shared_text!(RepositoryName, "a repository name");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_compares_and_serializes_as_its_text_in_one_word() {
        let text = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let d: Digest = serde_json::from_str(&format!("{text:?}")).unwrap();
        assert_eq!(d, text);
        assert_eq!(text, d);
        assert_eq!(d.as_str(), text);
        assert_eq!(serde_json::to_string(&d).unwrap(), format!("{text:?}"));
        assert_eq!(format!("{d} {d:?}"), format!("{text} {text:?}"));
        let mut map = rustc_hash::FxHashMap::default();
        map.insert(d.clone(), 1);
        assert_eq!(map.get(text), Some(&1));
        let (a, b) = (Digest::from("sha256:a"), Digest::from("sha256:b"));
        assert!(a < b);
        assert!(Digest::same_copy(&d, &d.clone()));
        assert!(!Digest::same_copy(&d, &Digest::from(text)));
        assert_eq!(std::mem::size_of::<Digest>(), 16);
    }
}
