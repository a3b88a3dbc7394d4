//! Tag ordering: a version-aware natural order for listings (no I/O).
//!
//! Tags are compared as runs of digits and runs of other characters: digit runs by numeric value
//! (`1.2` < `1.10`), other runs as text, and a digit run before a text run, so version tags come before
//! words (`1.0` < `latest`). A leading `v`/`V` before a digit is ignored, so `v1.3.9` sorts next to
//! `1.3.9` and `1.3.x`.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq)]
enum Chunk<'a> {
    /// Digits without leading zeros (empty for zero), compared by length, then text.
    Number(&'a str),
    Text(&'a str),
}

impl Ord for Chunk<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Chunk::Number(a), Chunk::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Chunk::Number(_), Chunk::Text(_)) => Ordering::Less,
            (Chunk::Text(_), Chunk::Number(_)) => Ordering::Greater,
            (Chunk::Text(a), Chunk::Text(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Chunk<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn chunks(tag: &str) -> impl Iterator<Item = Chunk<'_>> {
    let bytes = tag.as_bytes();
    let start = match bytes {
        [b'v' | b'V', d, ..] if d.is_ascii_digit() => 1,
        _ => 0,
    };
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let begin = pos;
        let digits = bytes[pos].is_ascii_digit();
        while pos < bytes.len() && bytes[pos].is_ascii_digit() == digits {
            pos += 1;
        }
        let run = &tag[begin..pos];
        Some(if digits {
            Chunk::Number(run.trim_start_matches('0'))
        } else {
            Chunk::Text(run)
        })
    })
}

/// Compares two tags in version-aware natural order; ties (`v1.0` and `1.0`, `01` and `1`) are broken
/// by the plain text so the order is total and stable.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    chunks(a).cmp(chunks(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(tags: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = tags.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(sorted(&["1.10", "1.2", "1.9"]), ["1.2", "1.9", "1.10"]);
        assert_eq!(sorted(&["10", "9", "010"]), ["9", "010", "10"]);
    }

    #[test]
    fn v_prefix_sorts_with_its_version() {
        assert_eq!(
            sorted(&["1.4", "v1.3.9", "1.3.x", "1.3.10", "1.3"]),
            ["1.3", "v1.3.9", "1.3.10", "1.3.x", "1.4"]
        );
    }

    #[test]
    fn numbers_before_words() {
        assert_eq!(
            sorted(&["latest", "dev-abc", "2.0", "1.0-alpine", "1.0"]),
            ["1.0", "1.0-alpine", "2.0", "dev-abc", "latest"]
        );
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        assert_eq!(
            sorted(&["99999999999999999999999999999999999", "2"]),
            ["2", "99999999999999999999999999999999999"]
        );
    }

    #[test]
    fn order_is_total() {
        assert_eq!(natural_cmp("v1.0", "1.0"), "v1.0".cmp("1.0"));
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
    }
}
