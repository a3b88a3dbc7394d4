//! Ordered maps built in one go. A `BTreeMap` filled one insert at a time in key order (how
//! serde reads one, and how a registry lists tags) splits every full node in two and leaves its
//! nodes a little over half full; built from all its entries at once it fills them. At a million
//! tags that is 190 bytes of nodes a tag against 110 (measured with heaptrack: 16,000 leaf nodes
//! for 100,000 tags one by one).

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// Reads a map as serde would, keeping the last value of a repeated key as it does, into a tree
/// built in one go.
pub fn packed<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    deserializer.deserialize_map(Entries(PhantomData))
}

struct Entries<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for Entries<K, V>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    type Value = BTreeMap<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Capped: the size a file claims is not trusted with an allocation.
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        // `collect` sorts (stably) and keeps the last of equal keys, as repeated inserts would.
        Ok(entries.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "packed")]
        map: BTreeMap<String, u32>,
    }

    #[test]
    fn reads_as_serde_does_with_the_last_of_a_repeated_key() {
        let text = r#"{"map": {"b": 1, "a": 2, "b": 3, "c": 4}}"#;
        let packed = serde_json::from_str::<Holder>(text).unwrap().map;
        let plain: BTreeMap<String, u32> =
            serde_json::from_str(r#"{"b": 1, "a": 2, "b": 3, "c": 4}"#).unwrap();
        assert_eq!(packed, plain);
        assert_eq!(packed["b"], 3);
        assert!(serde_json::from_str::<Holder>(r#"{"map": [1]}"#).is_err());
    }
}
