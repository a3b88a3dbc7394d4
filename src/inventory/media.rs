//! Names registries repeat, held once each: `MediaType` (a manifest's, config's or layer's media
//! type) and `Platform` (`os/architecture[/variant]`).

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashSet;

use super::text::str_like;

/// A media type as the inventory holds it: a shared copy of its name. A registry of a million tags
/// names a handful of media types five million times (each tag, manifest, config and layer); as a
/// string each, they were 400 MB of a million-tag plan and a good part of its loading time. It
/// reads, compares, prints and serializes as the plain string.
///
/// The copy is reached through one thin pointer (`Thin`), so a media type is 8 bytes where a
/// shared `str` would be 16: five million of them, 40 MB of a million-tag plan.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MediaType(Thin);

/// An image's platform, `os/architecture[/variant]`, shared as media types are: a million images
/// name a few platforms (as a string each, 32 MB and a million allocations of a million-tag read).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform(Thin);

/// A shared name behind a pointer of one word: the `Arc` holds a sized `Box<str>`, so the name's
/// length lives in the one allocation every holder shares rather than beside each pointer.
/// Compares, orders and hashes as its text.
type Thin = Arc<Box<str>>;

/// What a bounded table keeps: the shared copy, found by what it holds (a name's text, a list).
struct Entry<T: ?Sized>(Arc<Box<T>>);

impl<T: ?Sized + PartialEq> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        **self.0 == **other.0
    }
}

impl<T: ?Sized + Eq> Eq for Entry<T> {}

impl<T: ?Sized + Hash> Hash for Entry<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self.0).hash(state);
    }
}

impl<T: ?Sized> Borrow<T> for Entry<T> {
    fn borrow(&self) -> &T {
        &self.0
    }
}

/// How many values a table shares. They come from registries: a registry sending endless distinct
/// ones gets its own copies beyond this many rather than a table that grows without end.
pub(super) const MOST_SHARED: usize = 1024;

/// A bounded table of shared values (names here, platform lists in `platforms.rs`), each kept as
/// first seen, behind one thin pointer.
pub(super) struct Bounded<T: ?Sized> {
    entries: Option<FxHashSet<Entry<T>>>,
    most: usize,
}

impl<T: ?Sized> Bounded<T> {
    pub(super) const fn new(most: usize) -> Self {
        Self {
            entries: None,
            most,
        }
    }
}

impl<T: ?Sized + Hash + Eq> Bounded<T>
where
    for<'a> Box<T>: From<&'a T>,
{
    /// `value`, as the shared copy: the one kept before, or a new one (kept while there is room).
    pub(super) fn get(&mut self, value: &T) -> Arc<Box<T>> {
        let entries = self.entries.get_or_insert_with(FxHashSet::default);
        if let Some(known) = entries.get(value) {
            return Arc::clone(&known.0);
        }
        let value = Arc::new(Box::from(value));
        if entries.len() < self.most {
            entries.insert(Entry(Arc::clone(&value)));
        }
        value
    }
}

/// The names shared so far.
static SHARED: Mutex<Bounded<str>> = Mutex::new(Bounded::new(MOST_SHARED));

/// `name`, as the shared copy when there is one.
fn shared(name: &str) -> Thin {
    SHARED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
}

impl MediaType {
    pub fn new(name: &str) -> Self {
        Self(shared(name))
    }
}

impl Platform {
    pub fn new(name: &str) -> Self {
        Self(shared(name))
    }
}

str_like!(MediaType, "a media type");
str_like!(Platform, "a platform");

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
        let (p, q): (Platform, Platform) = ("linux/arm64/v8".into(), "linux/arm64/v8".into());
        assert!(Arc::ptr_eq(&p.0, &q.0));
        assert_eq!(p, "linux/arm64/v8");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#""linux/arm64/v8""#);
        assert_eq!(std::mem::size_of::<Option<MediaType>>(), 8);
        assert_eq!(std::mem::size_of::<Platform>(), 8);
    }

    #[test]
    fn endless_distinct_names_are_not_all_kept() {
        let mut names = Bounded::<str>::new(3);
        let first = names.get("a/1");
        for i in 2..10 {
            names.get(&format!("a/{i}"));
        }
        assert_eq!(names.entries.as_ref().unwrap().len(), 3);
        assert!(
            Arc::ptr_eq(&first, &names.get("a/1")),
            "the first ones stay shared"
        );
        assert!(!Arc::ptr_eq(&names.get("a/9"), &names.get("a/9")));
    }
}
