//! Tag selectors: an exact tag, a version comparison (`-t`/`-x`), or a regular expression matched from
//! the start of the tag (`-re`/`-xre`), as dregutil had them.

use std::fmt;

use regex::Regex;

use crate::version::VersionReq;

/// One value of `-t`/`-x` (an exact tag or a version requirement) or of `-re`/`-xre`.
#[derive(Debug, Clone)]
pub enum TagSelector {
    Exact(String),
    Version(VersionReq),
    /// Matched from the start of the tag, like Python's `re.match` in dregutil.
    Regex {
        pattern: String,
        regex: Regex,
    },
}

/// A selector that could not be read; the message quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

impl TagSelector {
    /// A `-t`/`-x` value: a version requirement when it starts with an operator (or holds `*` or
    /// `,`), an exact tag name otherwise.
    pub fn parse(value: &str) -> Result<Self, SelectorError> {
        if VersionReq::is_requirement(value) {
            value
                .parse()
                .map(Self::Version)
                .map_err(|e| SelectorError(e.to_string()))
        } else if value.is_empty() {
            Err(SelectorError("an empty tag selector".into()))
        } else {
            Ok(Self::Exact(value.to_owned()))
        }
    }

    /// A `-re`/`-xre` value, anchored at the start of the tag (write `$` to anchor the end).
    pub fn regex(pattern: &str) -> Result<Self, SelectorError> {
        Regex::new(&format!("^(?:{pattern})"))
            .map(|regex| Self::Regex {
                pattern: pattern.to_owned(),
                regex,
            })
            .map_err(|e| {
                let reason = e.to_string();
                let reason = reason.lines().last().unwrap_or_default().trim();
                let reason = reason.trim_start_matches("error: ");
                SelectorError(format!("invalid regular expression {pattern:?}: {reason}"))
            })
    }

    pub fn matches(&self, tag: &str) -> bool {
        match self {
            Self::Exact(exact) => exact == tag,
            Self::Version(req) => req.matches(tag),
            Self::Regex { regex, .. } => regex.is_match(tag),
        }
    }
}

impl fmt::Display for TagSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(tag) => f.write_str(tag),
            Self::Version(req) => req.fmt(f),
            Self::Regex { pattern, .. } => write!(f, "regex {pattern}"),
        }
    }
}

pub(super) fn any_matches(selectors: &[TagSelector], tag: &str) -> bool {
    selectors.iter().any(|s| s.matches(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_or_quote_the_bad_value() {
        assert!(matches!(
            TagSelector::parse("latest").unwrap(),
            TagSelector::Exact(_)
        ));
        assert!(matches!(
            TagSelector::parse("<1.4").unwrap(),
            TagSelector::Version(_)
        ));
        let err = TagSelector::parse("<abc").unwrap_err();
        assert!(err.0.contains("\"<abc\""), "{err}");
        let err = TagSelector::regex("1.(4").unwrap_err();
        assert!(
            err.0.starts_with("invalid regular expression \"1.(4\""),
            "{err}"
        );
        assert!(TagSelector::parse("").is_err());
    }
}
