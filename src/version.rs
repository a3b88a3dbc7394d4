//! Tag versions, their order and comparison selectors; and the natural order of listings (no I/O).
//!
//! **Versions.** A tag is a version when it is an optional `v`/`V`, numeric components separated by
//! dots, and an optional suffix: `2.0`, `v1.3.9`, `1.3-alpine`, `1.0.0-rc1`. Versions compare by their
//! numbers first, missing components counting as 0 (`1.4 == 1.4.0`); with equal numbers a version
//! without a suffix comes before one with a suffix (`1.4 < 1.4-alpine`, `1.4 < 1.4.0-rc1`), and
//! suffixes compare in natural order. Tags that are not versions (`latest`, `dev-abc`) never match a
//! comparison.
//!
//! **Selectors.** `<V`, `<=V`, `>V`, `>=V`, `==V` (also `=V`); semver-style `^1.2` (>=1.2, <2),
//! `~1.2` (>=1.2, <1.3), wildcards `1.4.*` (>=1.4, <1.5) and `*` (any version); and conjunctions of
//! these joined by commas, `>=1.2,<2`.
//!
//! **Listings** use a natural order instead, which also places words: tags are compared as runs of digits and runs of other characters: digit runs by numeric value
//! (`1.2` < `1.10`), other runs as text, and a digit run before a text run, so version tags come before
//! words (`1.0` < `latest`). A leading `v`/`V` before a digit is ignored, so `v1.3.9` sorts next to
//! `1.3.9` and `1.3.x`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

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

/// A tag read as a version: its numeric components and what follows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    numbers: Vec<u64>,
    suffix: Option<String>,
}

impl Version {
    /// Reads a tag as a version; `None` when it is not one (or a component overflows 64 bits).
    pub fn parse(tag: &str) -> Option<Self> {
        let rest = tag
            .strip_prefix(['v', 'V'])
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(tag);
        let mut numbers = Vec::new();
        let mut rest = rest;
        loop {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                break;
            }
            numbers.push(rest[..digits].parse().ok()?);
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(after) if after.starts_with(|c: char| c.is_ascii_digit()) => rest = after,
                _ => break,
            }
        }
        if numbers.is_empty() {
            return None;
        }
        let suffix = (!rest.is_empty()).then(|| rest.to_owned());
        Some(Self { numbers, suffix })
    }

    /// What follows the numbers (`-alpine` of `1.4-alpine`), if anything: the tag's family.
    pub fn suffix(&self) -> Option<&str> {
        self.suffix.as_deref()
    }

    /// The `i`th number (0: major, 1: minor, 2: patch), when the tag has it.
    pub fn component(&self, i: usize) -> Option<u64> {
        self.numbers.get(i).copied()
    }

    fn from_numbers(numbers: Vec<u64>) -> Self {
        Self {
            numbers,
            suffix: None,
        }
    }

    fn number(&self, i: usize) -> u64 {
        self.numbers.get(i).copied().unwrap_or(0)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.numbers.len().max(other.numbers.len());
        (0..len)
            .map(|i| self.number(i).cmp(&other.number(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then_with(|| match (&self.suffix, &other.suffix) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => natural_cmp(a, b),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One clause of a version requirement: `op version`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bound {
    op: Op,
    version: Version,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Equal,
}

impl Bound {
    fn matches(&self, version: &Version) -> bool {
        let order = version.cmp(&self.version);
        match self.op {
            Op::Less => order.is_lt(),
            Op::LessEq => order.is_le(),
            Op::Greater => order.is_gt(),
            Op::GreaterEq => order.is_ge(),
            Op::Equal => order.is_eq(),
        }
    }
}

/// A version requirement: a conjunction of bounds, all of which a tag must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq {
    text: String,
    bounds: Vec<Bound>,
}

/// Why a selector is not a valid version requirement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version selector {selector:?}: {reason}")]
pub struct VersionReqError {
    pub selector: String,
    pub reason: String,
}

impl VersionReq {
    /// Whether a selector is meant as a version requirement rather than an exact tag: it starts with
    /// an operator, or holds a `*` or `,`, neither of which a tag can contain.
    pub fn is_requirement(selector: &str) -> bool {
        let s = selector.trim_start();
        s.starts_with(['<', '>', '=', '^', '~']) || s.contains(['*', ','])
    }

    /// Whether a tag is a version meeting every bound.
    pub fn matches(&self, tag: &str) -> bool {
        Version::parse(tag).is_some_and(|v| self.bounds.iter().all(|b| b.matches(&v)))
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for VersionReq {
    type Err = VersionReqError;

    fn from_str(selector: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| VersionReqError {
            selector: selector.to_owned(),
            reason,
        };
        let mut bounds = Vec::new();
        for clause in selector.split(',').map(str::trim) {
            if clause.is_empty() {
                return Err(error("an empty clause between commas".into()));
            }
            bounds.extend(parse_clause(clause).map_err(error)?);
        }
        Ok(Self {
            text: selector.to_owned(),
            bounds,
        })
    }
}

/// One comma-separated clause as bounds: comparisons are read here (any number of components, any
/// suffix); caret, tilde and wildcard clauses are parsed by the semver crate and turned into ranges.
fn parse_clause(clause: &str) -> Result<Vec<Bound>, String> {
    const OPS: [(&str, Op); 6] = [
        ("<=", Op::LessEq),
        (">=", Op::GreaterEq),
        ("==", Op::Equal),
        ("<", Op::Less),
        (">", Op::Greater),
        ("=", Op::Equal),
    ];
    if let Some((op_text, op)) = OPS.iter().find(|(text, _)| clause.starts_with(text)) {
        let version_text = clause[op_text.len()..].trim();
        if version_text.contains('*') {
            return Err(format!(
                "write a wildcard without an operator, e.g. {}",
                version_text
            ));
        }
        let version = Version::parse(version_text)
            .ok_or_else(|| format!("{version_text:?} after {op_text} is not a version"))?;
        return Ok(vec![Bound { op: *op, version }]);
    }
    if clause == "*" {
        return Ok(Vec::new());
    }
    if !clause.starts_with(['^', '~']) && !clause.contains('*') {
        return Err(format!(
            "{clause:?} has no operator (<, <=, >, >=, ==, ^, ~ or a * wildcard)"
        ));
    }
    let comparator = semver::Comparator::parse(clause).map_err(|e| e.to_string())?;
    Ok(semver_range(&comparator))
}

/// The range `[lower, upper)` a caret, tilde or wildcard comparator stands for.
fn semver_range(c: &semver::Comparator) -> Vec<Bound> {
    let mut given = vec![c.major];
    given.extend(c.minor);
    given.extend(c.patch);
    let upper = match (c.op, c.minor, c.patch) {
        (semver::Op::Caret, _, _) if c.major > 0 => vec![c.major + 1],
        (semver::Op::Caret, Some(minor), _) if minor > 0 => vec![0, minor + 1],
        (semver::Op::Caret, Some(_), Some(patch)) => vec![0, 0, patch + 1],
        (semver::Op::Caret, Some(_), None) => vec![0, 1],
        (semver::Op::Caret, None, _) => vec![1],
        (semver::Op::Tilde | semver::Op::Wildcard, Some(minor), _) => vec![c.major, minor + 1],
        (_, _, _) => vec![c.major + 1],
    };
    let mut lower = Version::from_numbers(given);
    if !c.pre.is_empty() {
        lower.suffix = Some(format!("-{}", c.pre));
    }
    vec![
        Bound {
            op: Op::GreaterEq,
            version: lower,
        },
        Bound {
            op: Op::Less,
            version: Version::from_numbers(upper),
        },
    ]
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

    fn req(selector: &str) -> VersionReq {
        selector.parse().unwrap()
    }

    fn selected(selector: &str, tags: &[&str]) -> Vec<String> {
        let req = req(selector);
        tags.iter()
            .filter(|t| req.matches(t))
            .map(|t| t.to_string())
            .collect()
    }

    const TAGS: &[&str] = &[
        "1.3-alpine",
        "v1.3.9",
        "1.4",
        "1.4.0",
        "1.4-alpine",
        "1.4.0-rc1",
        "1.4.1",
        "1.10",
        "2.0",
        "2.0.0-rc1",
        "latest",
        "dev-abc",
        "0.2.5",
        "0.0.3",
    ];

    #[test]
    fn versions_parse_leniently() {
        let v = Version::parse("v1.3.9").unwrap();
        assert_eq!((v.numbers.as_slice(), v.suffix), (&[1, 3, 9][..], None));
        let v = Version::parse("1.0.0-rc1").unwrap();
        assert_eq!(
            (v.numbers.as_slice(), v.suffix.as_deref()),
            (&[1, 0, 0][..], Some("-rc1"))
        );
        assert_eq!(
            Version::parse("1.3.x").unwrap().suffix.as_deref(),
            Some(".x")
        );
        for not_version in [
            "latest",
            "dev-abc",
            "v",
            "vx1",
            "",
            ".1",
            "99999999999999999999999",
        ] {
            assert_eq!(Version::parse(not_version), None, "{not_version}");
        }
    }

    #[test]
    fn missing_components_are_zero_and_suffixes_sort_after() {
        let v = |t| Version::parse(t).unwrap();
        assert_eq!(v("1.4").cmp(&v("1.4.0")), Ordering::Equal);
        assert!(v("1.4") < v("1.4-alpine"));
        assert!(v("1.4") < v("1.4.0-rc1"));
        assert!(v("1.3-alpine") < v("1.4"));
        assert!(v("1.9") < v("1.10"));
        assert!(v("1.0.0-rc1") < v("1.0.0-rc2"));
    }

    #[test]
    fn comparisons_from_the_issue() {
        assert_eq!(
            selected("<1.4", TAGS),
            ["1.3-alpine", "v1.3.9", "0.2.5", "0.0.3"]
        );
        assert_eq!(selected("==1.4", TAGS), ["1.4", "1.4.0"]);
        assert_eq!(selected("=1.4", TAGS), ["1.4", "1.4.0"]);
        assert_eq!(
            selected(">=2.0", TAGS),
            ["2.0", "2.0.0-rc1"],
            "a suffix sorts after the bare version"
        );
        assert_eq!(
            selected("<=1.4", TAGS),
            ["1.3-alpine", "v1.3.9", "1.4", "1.4.0", "0.2.5", "0.0.3"]
        );
        assert_eq!(
            selected(">1.4", TAGS),
            [
                "1.4-alpine",
                "1.4.0-rc1",
                "1.4.1",
                "1.10",
                "2.0",
                "2.0.0-rc1"
            ]
        );
    }

    #[test]
    fn semver_style_requirements() {
        assert_eq!(
            selected(">=1.2,<2", TAGS),
            [
                "1.3-alpine",
                "v1.3.9",
                "1.4",
                "1.4.0",
                "1.4-alpine",
                "1.4.0-rc1",
                "1.4.1",
                "1.10"
            ]
        );
        assert_eq!(selected(">=1.4, <1.5", TAGS), selected("1.4.*", TAGS));
        assert_eq!(
            selected("1.4.*", TAGS),
            ["1.4", "1.4.0", "1.4-alpine", "1.4.0-rc1", "1.4.1"]
        );
        assert_eq!(selected("^1.2", TAGS), selected(">=1.2,<2", TAGS));
        assert_eq!(selected("~1.4", TAGS), selected("1.4.*", TAGS));
        assert_eq!(selected("~1", TAGS), selected(">=1,<2", TAGS));
        assert_eq!(selected("^0.2", TAGS), ["0.2.5"]);
        assert_eq!(selected("^0.0.3", TAGS), ["0.0.3"]);
        assert_eq!(
            selected("*", TAGS).len(),
            TAGS.len() - 2,
            "every version, no words"
        );
        assert_eq!(selected("2.*", TAGS), ["2.0", "2.0.0-rc1"]);
    }

    #[test]
    fn words_never_match_a_comparison() {
        for selector in ["<1.4", ">0", "*", "^1", ">=0,<999"] {
            assert!(!req(selector).matches("latest"), "{selector}");
            assert!(!req(selector).matches("dev-abc"), "{selector}");
        }
    }

    #[test]
    fn bad_requirements_are_errors_quoting_the_selector() {
        for bad in [
            "<", "<abc", ">=1.2,", ",<2", ">=1.2,2", "^x", "~", "==1.4.*", "1.*.3", "<=latest",
        ] {
            let err = bad.parse::<VersionReq>().unwrap_err();
            assert!(
                err.to_string().contains(&format!("{bad:?}")),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn requirements_are_told_from_tags() {
        for req in ["<1.4", ">=2", "==1", "^1", "~1", "1.4.*", "*", ">=1,<2"] {
            assert!(VersionReq::is_requirement(req), "{req}");
        }
        for tag in ["1.4", "latest", "v1.3.9", "1.3-alpine"] {
            assert!(!VersionReq::is_requirement(tag), "{tag}");
        }
    }
}
