//! `Platforms`: the platforms of an image or index, one shared copy per distinct list.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Platform;
use super::media::{Bounded, MOST_SHARED};

/// The platforms of a manifest: an image's one, an index's children's. A registry's images name a
/// handful of distinct lists (`[linux/amd64]`, `[linux/amd64, linux/arm64]`) a million times; as a
/// vector each, that was 24 bytes inline and a 32-byte allocation per manifest (56 MB of a
/// million-tag plan). A `Platforms` is one pointer to a shared copy (none when empty). Reads as a
/// slice of `Platform`s; compares, prints and serializes as the list.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Platforms(Option<List>);

/// A shared list behind one word, as `Thin` is for a name.
type List = Arc<Box<[Platform]>>;

/// The lists shared so far, bounded as the names are.
static SHARED: Mutex<Bounded<[Platform]>> = Mutex::new(Bounded::new(MOST_SHARED));

impl Platforms {
    pub fn new(list: Vec<Platform>) -> Self {
        if list.is_empty() {
            return Self(None);
        }
        let list = SHARED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&list);
        Self(Some(list))
    }

    /// Whether there are none (also for serde's `skip_serializing_if`).
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl Deref for Platforms {
    type Target = [Platform];
    fn deref(&self) -> &[Platform] {
        self.0.as_deref().map_or(&[], |list| list)
    }
}

impl From<Vec<Platform>> for Platforms {
    fn from(list: Vec<Platform>) -> Self {
        Self::new(list)
    }
}

impl FromIterator<Platform> for Platforms {
    fn from_iter<I: IntoIterator<Item = Platform>>(iter: I) -> Self {
        Self::new(iter.into_iter().collect())
    }
}

impl fmt::Debug for Platforms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Platforms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Platforms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Platform>::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_twice_is_one_copy_and_reads_back_the_same() {
        let both = || -> Platforms {
            ["linux/amd64", "linux/arm64"]
                .map(Platform::new)
                .into_iter()
                .collect()
        };
        let (a, b) = (both(), both());
        assert!(Arc::ptr_eq(a.0.as_ref().unwrap(), b.0.as_ref().unwrap()));
        assert_eq!(a.len(), 2);
        assert_eq!(a[1], "linux/arm64");
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(text, r#"["linux/amd64","linux/arm64"]"#);
        assert_eq!(serde_json::from_str::<Platforms>(&text).unwrap(), a);
        assert_eq!(format!("{a:?}"), r#"["linux/amd64", "linux/arm64"]"#);
        let none = Platforms::new(Vec::new());
        assert!(none.is_empty() && none == Platforms::default());
        assert_eq!(serde_json::to_string(&none).unwrap(), "[]");
        assert_ne!(a, Platforms::new(vec![Platform::new("linux/amd64")]));
        assert_eq!(std::mem::size_of::<Platforms>(), 8);
    }
}
