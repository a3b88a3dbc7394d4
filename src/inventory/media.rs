//! `MediaType`: a media type as the inventory holds it, one shared copy of each name.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A media type as the inventory holds it: a shared copy of its name. A registry of a million tags
/// names a handful of media types five million times (each tag, manifest, config and layer); as a
/// string each, they were 400 MB of a million-tag plan and a good part of its loading time. It
/// reads, compares, prints and serializes as the plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MediaType(Arc<str>);

/// The names shared so far, each as first seen.
static SHARED: Mutex<Names> = Mutex::new(Names {
    names: None,
    most: MOST_SHARED,
});

/// How many names are shared. Names come from registries: a registry sending endless distinct ones
/// gets its own copies beyond this many rather than a table that grows without end.
const MOST_SHARED: usize = 1024;

/// A bounded table of shared names.
struct Names {
    names: Option<FxHashSet<Arc<str>>>,
    most: usize,
}

impl Names {
    fn get(&mut self, name: &str) -> Arc<str> {
        let names = self.names.get_or_insert_with(FxHashSet::default);
        if let Some(known) = names.get(name) {
            return Arc::clone(known);
        }
        let name: Arc<str> = Arc::from(name);
        if names.len() < self.most {
            names.insert(Arc::clone(&name));
        }
        name
    }
}

impl MediaType {
    pub fn new(name: &str) -> Self {
        Self(
            SHARED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(name),
        )
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
        let name = "application/vnd.oci.image.manifest.v1+json";
        let a = MediaType::new(name);
        let b: MediaType = serde_json::from_str(&format!("{name:?}")).unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(b, name);
        assert_eq!(serde_json::to_string(&b).unwrap(), format!("{name:?}"));
        assert_eq!(format!("{b} {b:?}"), format!("{name} {name:?}"));
    }

    #[test]
    fn endless_distinct_names_are_not_all_kept() {
        let mut names = Names {
            names: None,
            most: 3,
        };
        let first = names.get("a/1");
        for i in 2..10 {
            names.get(&format!("a/{i}"));
        }
        assert_eq!(names.names.as_ref().unwrap().len(), 3);
        assert!(
            Arc::ptr_eq(&first, &names.get("a/1")),
            "the first ones stay shared"
        );
        assert!(!Arc::ptr_eq(&names.get("a/9"), &names.get("a/9")));
    }
}
