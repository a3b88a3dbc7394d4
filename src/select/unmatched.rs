//! Selectors that match nothing. A `-t` that selects nothing is usually a typo; an `-x` that
//! matches nothing protects nothing, and a removal then deletes what the operator meant to keep
//! (`-x 1.3.9` where the tag is `v1.3.9`). Each such value is named with what it may have meant:
//! the tags whose version equals it (and the `==` selector that matches them), else the tags
//! spelled most like it, else for a version the range of versions there is.

use serde::Serialize;

use super::TagQuery;
use super::selector::TagSelector;
use crate::inventory::Inventory;
use crate::version::{Version, natural_cmp};

/// How alike two spellings must be (Jaro-Winkler) to be offered as "did you mean".
const ALIKE: f64 = 0.8;
/// Suggestions per value, at most.
const SUGGESTIONS: usize = 3;

/// A selector value that matches no tag where it was looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// As the user would write it: `-x 1.3.9`, `-re 'feature-'`.
    pub selector: String,
    /// An exclusion (`-x`, `-xre`, a keep or protect pattern): protection that protects nothing.
    pub protective: bool,
    /// What it names: `tag`, or `repository` for a rule's repository patterns.
    pub names: &'static str,
    /// Where it was looked for: repositories, or a rule's scope.
    pub scope: String,
    /// What it may have meant, in words (`did you mean v1.3.9? (-x '==1.3.9' matches it)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Unmatched {
    /// One line: `-x 1.3.9 matches no tag in app; did you mean v1.3.9? ...`.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "{} matches no {} in {}",
            self.selector, self.names, self.scope
        );
        if let Some(hint) = &self.hint {
            line.push_str("; ");
            line.push_str(hint);
        }
        line
    }
}

/// The `-t`/`-re`/`-x`/`-xre` values of a tag query that match no tag of its repositories.
pub fn unmatched(inventory: &Inventory, query: &TagQuery) -> Vec<Unmatched> {
    let tags: Vec<&str> = query
        .repositories
        .iter()
        .filter_map(|repo| inventory.repositories.get(repo))
        .flat_map(|r| r.tags.keys().map(String::as_str))
        .collect();
    let scope = repositories_in_words(&query.repositories);
    let options = [(&query.include, false), (&query.exclude, true)];
    options
        .into_iter()
        .flat_map(|(selectors, protective)| selectors.iter().map(move |s| (s, protective)))
        .filter_map(|(selector, protective)| {
            let option = option_of(selector, protective);
            let hint = suggest(selector, &tags, option)?;
            Some(Unmatched {
                selector: format!("{option} {}", quoted(&selector_text(selector))),
                protective,
                names: "tag",
                scope: scope.clone(),
                hint,
            })
        })
        .collect()
}

/// `app`, `app, worker`, or `12 repositories`.
pub fn repositories_in_words(repositories: &[String]) -> String {
    match repositories.len() {
        0 => "no repository".to_owned(),
        1..=3 => repositories.join(", "),
        n => format!("the {n} selected repositories"),
    }
}

fn option_of(selector: &TagSelector, exclude: bool) -> &'static str {
    match (selector, exclude) {
        (TagSelector::Regex { .. }, false) => "-re",
        (TagSelector::Regex { .. }, true) => "-xre",
        (_, false) => "-t",
        (_, true) => "-x",
    }
}

/// The value as given, without `regex ` in front.
fn selector_text(selector: &TagSelector) -> String {
    match selector {
        TagSelector::Regex { pattern, .. } => pattern.clone(),
        other => other.to_string(),
    }
}

/// A value quoted for a shell where it needs to be (`'<1.4'`).
fn quoted(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-:/@+".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// `None` when `selector` matches one of `tags`; otherwise what it may have meant, if anything.
/// `option` is how the user passes it, for the `==` form.
pub fn suggest(selector: &TagSelector, tags: &[&str], option: &str) -> Option<Option<String>> {
    if tags.iter().any(|t| selector.matches(t)) {
        return None;
    }
    Some(match selector {
        TagSelector::Exact(value) => match Version::parse(value) {
            Some(version) => version_equal(value, &version, tags, option)
                .or_else(|| nearest_versions(&version, tags)),
            None => alike(value, tags),
        },
        TagSelector::Version(_) => version_range(tags),
        TagSelector::Regex { pattern, .. } => alike(pattern, tags),
    })
}

/// Tags whose version equals the value's (`v1.3.9` for `1.3.9`, `2.0` for `2.00`).
fn version_equal(value: &str, wanted: &Version, tags: &[&str], option: &str) -> Option<String> {
    let mut equal: Vec<&str> = tags
        .iter()
        .copied()
        .filter(|t| Version::parse(t).is_some_and(|v| v.cmp(wanted).is_eq()))
        .collect();
    if equal.is_empty() {
        return None;
    }
    equal.sort_by(|a, b| natural_cmp(a, b));
    equal.dedup();
    let form = quoted(&format!("=={value}"));
    Some(format!(
        "did you mean {}? ({option} {form} matches {})",
        or_list(&equal),
        if equal.len() == 1 { "it" } else { "them" }
    ))
}

/// Tags spelled like the value, most alike first.
fn alike(value: &str, tags: &[&str]) -> Option<String> {
    let mut scored: Vec<(f64, &str)> = tags
        .iter()
        .map(|t| (strsim::jaro_winkler(value, t), *t))
        .filter(|(score, _)| *score >= ALIKE)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| natural_cmp(a.1, b.1)));
    let mut names: Vec<&str> = scored.into_iter().map(|(_, t)| t).collect();
    names.dedup();
    names.truncate(SUGGESTIONS);
    (!names.is_empty()).then(|| format!("did you mean {}?", or_list(&names)))
}

/// The versions next to the value's below and above it (`v1.3.9 and 1.9` for `v1.4`).
fn nearest_versions(wanted: &Version, tags: &[&str]) -> Option<String> {
    let versions: Vec<(Version, &str)> = tags
        .iter()
        .filter_map(|t| Some((Version::parse(t)?, *t)))
        .collect();
    let below = versions.iter().filter(|(v, _)| v < wanted).max();
    let above = versions.iter().filter(|(v, _)| v > wanted).min();
    match (below, above) {
        (Some((_, low)), Some((_, high))) => {
            Some(format!("the nearest versions there are {low} and {high}"))
        }
        (Some((_, near)), None) => Some(format!("the highest version there is {near}")),
        (None, Some((_, near))) => Some(format!("the lowest version there is {near}")),
        (None, None) => Some("no tag there is a version".to_owned()),
    }
}

/// The lowest and highest versions among the tags.
fn version_range(tags: &[&str]) -> Option<String> {
    let mut versions: Vec<(Version, &str)> = tags
        .iter()
        .filter_map(|t| Some((Version::parse(t)?, *t)))
        .collect();
    versions.sort();
    match (versions.first(), versions.last()) {
        (Some((_, low)), Some((_, high))) if low == high => {
            Some(format!("the only version there is {low}"))
        }
        (Some((_, low)), Some((_, high))) => {
            Some(format!("versions there run from {low} to {high}"))
        }
        _ => Some("no tag there is a version".to_owned()),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(value: &str, tags: &[&str]) -> Option<Option<String>> {
        let selector = match value.strip_prefix("re:") {
            Some(pattern) => TagSelector::regex(pattern).unwrap(),
            None => TagSelector::parse(value).unwrap(),
        };
        suggest(&selector, tags, "-x")
    }

    const TAGS: [&str; 7] = [
        "1.2",
        "1.10",
        "1.9",
        "v1.3.9",
        "1.3-alpine",
        "dev-abc",
        "latest",
    ];

    #[test]
    fn a_value_that_matches_is_not_named() {
        assert_eq!(hint("v1.3.9", &TAGS), None);
        assert_eq!(hint("<1.4", &TAGS), None);
        assert_eq!(hint("re:dev-", &TAGS), None);
    }

    #[test]
    fn the_version_equal_tag_and_its_selector_come_first() {
        assert_eq!(
            hint("1.3.9", &TAGS),
            Some(Some(
                "did you mean v1.3.9? (-x '==1.3.9' matches it)".into()
            ))
        );
        assert_eq!(
            hint("1.2.0", &TAGS),
            Some(Some("did you mean 1.2? (-x '==1.2.0' matches it)".into()))
        );
    }

    #[test]
    fn otherwise_the_tags_spelled_alike_or_the_versions_there() {
        assert_eq!(
            hint("lastest", &TAGS),
            Some(Some("did you mean latest?".into()))
        );
        assert_eq!(
            hint("2.00", &TAGS),
            Some(Some("the highest version there is 1.10".into()))
        );
        assert_eq!(
            hint("v1.4", &TAGS),
            Some(Some("the nearest versions there are v1.3.9 and 1.9".into()))
        );
        assert_eq!(
            hint("<1.0", &TAGS),
            Some(Some("versions there run from 1.2 to 1.10".into()))
        );
        assert_eq!(hint("re:feature-", &TAGS), Some(None));
        assert_eq!(hint("nosuchtag", &["latest"]), Some(None));
        assert_eq!(
            hint(">=2", &["latest"]),
            Some(Some("no tag there is a version".into()))
        );
    }

    #[test]
    fn values_are_quoted_for_the_shell_where_needed() {
        assert_eq!(quoted("1.3.9"), "1.3.9");
        assert_eq!(quoted("<1.4"), "'<1.4'");
        assert_eq!(quoted(".*-keep$"), "'.*-keep$'");
    }
}
