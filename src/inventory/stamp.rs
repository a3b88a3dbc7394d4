//! `Stamp`: a point in time as a million tags hold it.

use std::fmt;
use std::num::NonZeroU32;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `Timestamp` in 16 bytes with a value to spare for "none": jiff's `Timestamp` has none, so an
/// `Option` of one is 24 bytes, and every tag holds two (first seen, last pulled): 16 MB of a
/// million-tag inventory. The sub-second part is kept offset by a second so it is never zero.
/// Serializes as the `Timestamp` it is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    second: i64,
    /// The timestamp's sub-second nanoseconds (-999,999,999 to 999,999,999) plus 1,000,000,000.
    nanos: NonZeroU32,
}

const OFFSET: i32 = 1_000_000_000;

impl Stamp {
    pub fn get(self) -> Timestamp {
        let nanos = i32::try_from(self.nanos.get()).unwrap_or(OFFSET) - OFFSET;
        // Made from a valid timestamp, so valid again; the epoch only if that ever failed.
        Timestamp::new(self.second, nanos).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

impl From<Timestamp> for Stamp {
    fn from(t: Timestamp) -> Self {
        let nanos = u32::try_from(t.subsec_nanosecond() + OFFSET).unwrap_or(1);
        Self {
            second: t.as_second(),
            nanos: NonZeroU32::new(nanos).unwrap_or(NonZeroU32::MIN),
        }
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Timestamp::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_its_timestamp_to_the_nanosecond_in_16_bytes_with_none() {
        for text in [
            "2026-12-05T21:53:07.123456789Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
            "1900-02-03T04:05:06.000000001Z",
            "9000-12-31T23:59:59.999999999Z",
            "-001000-03-01T12:00:00.25Z",
        ] {
            let t: Timestamp = text.parse().unwrap();
            let stamp = Stamp::from(t);
            assert_eq!(stamp.get(), t, "{text}");
            let json = serde_json::to_string(&stamp).unwrap();
            assert_eq!(json, serde_json::to_string(&t).unwrap());
            assert_eq!(serde_json::from_str::<Stamp>(&json).unwrap(), stamp);
        }
        assert_eq!(std::mem::size_of::<Option<Stamp>>(), 16);
    }
}
