//! The policy file as written (TOML), and its reading into rules: every key known, every pattern
//! compiled, every contradiction found, each error naming the file, the line and the key.

use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::{Action, AgeBy, GroupKey, Policy, Protect, RepoPattern, Rule, Target};
use crate::select::{KeepBy, TagSelector, parse_age};

/// The one format version this regsweep reads.
pub const FORMAT_VERSION: u32 = 1;

/// A mistake in a policy file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    pub file: PathBuf,
    /// 1-based; 0 when the mistake has no place in the file (it could not be read): the message
    /// then names the file itself.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.message),
            line => write!(f, "{}:{line}: {}", self.file.display(), self.message),
        }
    }
}

impl PolicyError {
    /// What helps, for a policy (a TOML file; the same reading serves lists of images and saved
    /// plans, which get none): for one that could not be read, how to start one; for a mistake in
    /// one, where every key is described.
    pub fn hint(&self) -> Option<String> {
        if self.file.extension().is_none_or(|e| e != "toml") {
            return None;
        }
        Some(match self.line {
            0 => format!(
                "`regsweep policy init --policy {}` writes an example to start from",
                self.file.display()
            ),
            _ => "`regsweep policy --help` describes every key; `regsweep policy init` writes an \
                  example"
                .to_owned(),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: Spanned<u32>,
    #[serde(default)]
    min_keep: Option<Spanned<usize>>,
    #[serde(default)]
    keep_referrers: bool,
    #[serde(default)]
    protect: RawProtect,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProtect {
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    #[serde(default)]
    tags_regex: Vec<Spanned<String>>,
    #[serde(default)]
    images: Vec<Spanned<String>>,
    #[serde(default)]
    references: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    #[serde(default)]
    action: Option<Spanned<String>>,
    #[serde(default)]
    repositories: Vec<Spanned<String>>,
    #[serde(default)]
    repositories_regex: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    #[serde(default)]
    tags_regex: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_regex: Vec<Spanned<String>>,
    #[serde(default)]
    older_than: Option<Spanned<String>>,
    #[serde(default)]
    newer_than: Option<Spanned<String>>,
    #[serde(default)]
    age_by: Option<Spanned<String>>,
    #[serde(default)]
    not_pulled_for: Option<Spanned<String>>,
    #[serde(default)]
    keep_n: Option<Spanned<usize>>,
    #[serde(default)]
    keep_by: Option<Spanned<String>>,
    #[serde(default)]
    group_by: Vec<Spanned<String>>,
    #[serde(default)]
    group_by_regex: Option<Spanned<String>>,
    #[serde(default)]
    untagged: Option<Spanned<bool>>,
    #[serde(default)]
    orphaned_referrers: Option<Spanned<bool>>,
}

/// Reads a policy from its text; `path` names it in errors and anchors relative reference files.
pub fn parse(path: &Path, text: &str) -> Result<Policy, PolicyError> {
    let at = Locator { path, text };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| at.line(&s));
        at.error_at(line, e.message().trim().replace('\n', " "))
    })?;
    if *raw.version.get_ref() != FORMAT_VERSION {
        return Err(at.error(
            raw.version.span(),
            format!(
                "version {} is not one this regsweep reads (it reads version {FORMAT_VERSION})",
                raw.version.get_ref()
            ),
        ));
    }
    let protect = protect(&at, raw.protect)?;
    let mut rules: Vec<Rule> = Vec::with_capacity(raw.rule.len());
    for spanned in raw.rule {
        let line = at.line(&spanned.span());
        let rule = rule(&at, spanned.into_inner(), line)?;
        if let Some(first) = rules.iter().find(|r| r.name == rule.name) {
            return Err(at.error_at(
                line,
                format!(
                    "name: a second rule named {:?} (the first is on line {})",
                    rule.name, first.line
                ),
            ));
        }
        rules.push(rule);
    }
    Ok(Policy {
        path: path.to_owned(),
        text: text.to_owned(),
        min_keep: raw.min_keep.map_or(0, Spanned::into_inner),
        keep_referrers: raw.keep_referrers,
        protect,
        rules,
    })
}

/// Turns byte offsets into line numbers for errors.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn error(&self, span: Range<usize>, message: String) -> PolicyError {
        self.error_at(self.line(&span), message)
    }

    fn error_at(&self, line: usize, message: String) -> PolicyError {
        PolicyError {
            file: self.path.to_owned(),
            line,
            message,
        }
    }
}

fn protect(at: &Locator, raw: RawProtect) -> Result<Protect, PolicyError> {
    let mut tags = selectors(at, "protect.tags", &raw.tags)?;
    tags.extend(regexes(at, "protect.tags_regex", &raw.tags_regex)?);
    let mut images = Vec::new();
    for image in &raw.images {
        let reference = crate::names::ImageReference::parse(image.get_ref()).ok_or_else(|| {
            at.error(
                image.span(),
                format!(
                    "protect.images: {:?} is not an image reference (REPO:TAG, HOST/REPO:TAG or \
                     REPO@DIGEST)",
                    image.get_ref()
                ),
            )
        })?;
        images.push(reference);
    }
    let base = at.path.parent().unwrap_or(Path::new("."));
    let references = raw
        .references
        .iter()
        .map(|r| (base.join(r.get_ref()), at.line(&r.span())))
        .collect();
    Ok(Protect {
        tags,
        images,
        reference_files: references,
    })
}

fn selectors(
    at: &Locator,
    key: &str,
    values: &[Spanned<String>],
) -> Result<Vec<TagSelector>, PolicyError> {
    values
        .iter()
        .map(|v| {
            TagSelector::parse(v.get_ref())
                .map_err(|e| at.error(v.span(), format!("{key}: {e}")))
                .and_then(|s| match &s {
                    TagSelector::Exact(tag) if !crate::names::is_tag(tag) => Err(at.error(
                        v.span(),
                        format!("{key}: {tag:?} is not a tag name (use {key}_regex for patterns)"),
                    )),
                    _ => Ok(s),
                })
        })
        .collect()
}

fn regexes(
    at: &Locator,
    key: &str,
    values: &[Spanned<String>],
) -> Result<Vec<TagSelector>, PolicyError> {
    values
        .iter()
        .map(|v| {
            TagSelector::regex(v.get_ref()).map_err(|e| at.error(v.span(), format!("{key}: {e}")))
        })
        .collect()
}

fn age(
    at: &Locator,
    key: &str,
    value: &Option<Spanned<String>>,
) -> Result<Option<SignedDuration>, PolicyError> {
    value
        .as_ref()
        .map(|v| {
            parse_age(v.get_ref()).ok_or_else(|| {
                at.error(
                    v.span(),
                    format!(
                        "{key}: {:?} is not an age (write a number and a unit: 30d, 12h, 2w)",
                        v.get_ref()
                    ),
                )
            })
        })
        .transpose()
}

/// One of a few words, or an error listing them.
fn word<T: Clone>(
    at: &Locator,
    key: &str,
    value: &Spanned<String>,
    words: &[(&str, T)],
) -> Result<T, PolicyError> {
    words
        .iter()
        .find(|(w, _)| *w == value.get_ref())
        .map(|(_, t)| t.clone())
        .ok_or_else(|| {
            let known: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
            at.error(
                value.span(),
                format!(
                    "{key}: {:?} is not one of {}",
                    value.get_ref(),
                    known.join(", ")
                ),
            )
        })
}

fn repositories(at: &Locator, raw: &RawRule, line: usize) -> Result<RepoPattern, PolicyError> {
    let mut patterns = Vec::new();
    for glob in &raw.repositories {
        let regex = glob_regex(glob.get_ref()).ok_or_else(|| {
            at.error(
                glob.span(),
                format!(
                    "repositories: {:?} is not a repository pattern (names, / and the wildcards * \
                     and **)",
                    glob.get_ref()
                ),
            )
        })?;
        patterns.push((glob.get_ref().clone(), regex));
    }
    for pattern in &raw.repositories_regex {
        let regex = Regex::new(&format!("^(?:{})$", pattern.get_ref())).map_err(|e| {
            let reason = e.to_string();
            let reason = reason.lines().last().unwrap_or_default().trim().to_owned();
            at.error(
                pattern.span(),
                format!("repositories_regex: {:?}: {reason}", pattern.get_ref()),
            )
        })?;
        patterns.push((format!("re:{}", pattern.get_ref()), regex));
    }
    if patterns.is_empty() {
        return Err(at.error_at(
            line,
            "repositories: a rule names the repositories it applies to; write [\"**\"] for all"
                .to_owned(),
        ));
    }
    Ok(RepoPattern(patterns))
}

/// A glob as an anchored regex: `*` within one path component, `**` across components, `?` one
/// character; everything else literal. `None` for characters no repository name holds.
pub(super) fn glob_regex(glob: &str) -> Option<Regex> {
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/*?".contains(c);
    if glob.is_empty() || !glob.chars().all(valid) {
        return None;
    }
    let mut out = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                // `team/**` matches everything under team/, and `**/web` web at any depth.
                if chars.peek() == Some(&'/') {
                    chars.next();
                    out.push_str("(?:.*/)?");
                } else {
                    out.push_str(".*");
                }
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out.push('$');
    Regex::new(&out).ok()
}

fn groups(at: &Locator, raw: &RawRule) -> Result<Vec<GroupKey>, PolicyError> {
    let words = [
        ("major", GroupKey::Major),
        ("major.minor", GroupKey::MajorMinor),
        ("variant", GroupKey::Variant),
    ];
    let mut keys = Vec::new();
    for value in &raw.group_by {
        let key = word(at, "group_by", value, &words)?;
        if keys.contains(&key) {
            return Err(at.error(
                value.span(),
                format!("group_by: {:?} twice", value.get_ref()),
            ));
        }
        keys.push(key);
    }
    if let Some(pattern) = &raw.group_by_regex {
        let regex = Regex::new(pattern.get_ref()).map_err(|e| {
            let reason = e.to_string();
            let reason = reason.lines().last().unwrap_or_default().trim().to_owned();
            at.error(pattern.span(), format!("group_by_regex: {reason}"))
        })?;
        keys.push(GroupKey::Regex(regex));
    }
    Ok(keys)
}

fn rule(at: &Locator, raw: RawRule, line: usize) -> Result<Rule, PolicyError> {
    let name = raw.name.get_ref().trim().to_owned();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(at.error(
            raw.name.span(),
            "name: a rule needs a printable name".into(),
        ));
    }
    let label = name.clone();
    let here =
        |key: &str, message: String| at.error_at(line, format!("rule {label:?}: {key}: {message}"));
    let action = match &raw.action {
        Some(a) => word(
            at,
            "action",
            a,
            &[("delete", Action::Delete), ("keep", Action::Keep)],
        )?,
        None => Action::Delete,
    };
    let target = target(&raw).map_err(|m| here("untagged", m))?;
    let (include, exclude) = tag_selectors(at, &raw)?;
    let older_than = age(at, "older_than", &raw.older_than)?;
    let newer_than = age(at, "newer_than", &raw.newer_than)?;
    if let (Some(older), Some(newer)) = (older_than, newer_than)
        && older >= newer
    {
        return Err(here(
            "newer_than",
            "older_than is not below newer_than, so the rule selects nothing".into(),
        ));
    }
    let age_by = match &raw.age_by {
        Some(a) => word(
            at,
            "age_by",
            a,
            &[("created", AgeBy::Created), ("tagged", AgeBy::Tagged)],
        )?,
        None => AgeBy::Created,
    };
    let keep_by = match &raw.keep_by {
        Some(k) => word(
            at,
            "keep_by",
            k,
            &[("created", KeepBy::Created), ("version", KeepBy::Version)],
        )?,
        None => KeepBy::Created,
    };
    let group_by = groups(at, &raw)?;
    let keep_n = raw.keep_n.as_ref().map(|k| *k.get_ref());
    let rule = Rule {
        line,
        action,
        target,
        repositories: repositories(at, &raw, line)?,
        include,
        exclude,
        older_than,
        newer_than,
        age_by,
        not_pulled_for: age(at, "not_pulled_for", &raw.not_pulled_for)?,
        keep_n,
        keep_by,
        group_by,
        name,
    };
    check_contradictions(&raw, &rule).map_err(|(key, message)| here(key, message))?;
    Ok(rule)
}

/// What the rule selects among: tags, untagged manifests, or orphaned referrers.
fn target(raw: &RawRule) -> Result<Target, String> {
    let untagged = raw.untagged.as_ref().is_some_and(|u| *u.get_ref());
    let orphans = raw
        .orphaned_referrers
        .as_ref()
        .is_some_and(|u| *u.get_ref());
    match (untagged, orphans) {
        (true, true) => {
            Err("a rule selects untagged manifests or orphaned referrers, not both".into())
        }
        (true, false) => Ok(Target::Untagged),
        (false, true) => Ok(Target::OrphanedReferrers),
        (false, false) => Ok(Target::Tags),
    }
}

/// `tags`/`tags_regex` and `exclude`/`exclude_regex`; the same tag selected and excluded is an
/// error.
fn tag_selectors(
    at: &Locator,
    raw: &RawRule,
) -> Result<(Vec<TagSelector>, Vec<TagSelector>), PolicyError> {
    let mut include = selectors(at, "tags", &raw.tags)?;
    include.extend(regexes(at, "tags_regex", &raw.tags_regex)?);
    let mut exclude = selectors(at, "exclude", &raw.exclude)?;
    exclude.extend(regexes(at, "exclude_regex", &raw.exclude_regex)?);
    let both = raw
        .tags
        .iter()
        .find(|t| raw.exclude.iter().any(|x| x.get_ref() == t.get_ref()));
    if let Some(both) = both {
        return Err(at.error(
            both.span(),
            format!("tags: {:?} is both selected and excluded", both.get_ref()),
        ));
    }
    Ok((include, exclude))
}

/// Combinations that cannot mean what was written.
fn check_contradictions(raw: &RawRule, rule: &Rule) -> Result<(), (&'static str, String)> {
    if rule.keep_n.is_none() {
        for (key, given) in [
            ("keep_by", raw.keep_by.is_some()),
            ("group_by", !raw.group_by.is_empty()),
            ("group_by_regex", raw.group_by_regex.is_some()),
        ] {
            if given {
                return Err((key, "only means something with keep_n".into()));
            }
        }
    }
    if raw.age_by.is_some() && rule.older_than.is_none() && rule.newer_than.is_none() {
        return Err((
            "age_by",
            "only means something with older_than or newer_than".into(),
        ));
    }
    if rule.target != Target::Tags {
        let key = if rule.target == Target::Untagged {
            "untagged"
        } else {
            "orphaned_referrers"
        };
        if rule.action == Action::Keep {
            return Err((
                key,
                "a keep rule keeps tags; untagged manifests and orphans have none".into(),
            ));
        }
        let tag_keys = [
            ("tags", !raw.tags.is_empty() || !raw.tags_regex.is_empty()),
            (
                "exclude",
                !raw.exclude.is_empty() || !raw.exclude_regex.is_empty(),
            ),
            ("keep_n", rule.keep_n.is_some()),
            ("not_pulled_for", rule.not_pulled_for.is_some()),
            ("newer_than", rule.newer_than.is_some()),
            ("age_by", raw.age_by.is_some()),
        ];
        if let Some((other, _)) = tag_keys.iter().find(|(_, given)| *given) {
            return Err((
                other,
                format!("selects tags, which a rule with {key} = true has none of"),
            ));
        }
        if rule.target == Target::OrphanedReferrers && rule.older_than.is_some() {
            return Err((
                "older_than",
                "orphaned referrers have no age regsweep knows".into(),
            ));
        }
        return Ok(());
    }
    if rule.keep_n == Some(0) && rule.action == Action::Keep {
        return Err((
            "keep_n",
            "a keep rule keeping 0 images keeps nothing".into(),
        ));
    }
    let conditions = !rule.include.is_empty()
        || rule.older_than.is_some()
        || rule.newer_than.is_some()
        || rule.not_pulled_for.is_some()
        || rule.keep_n.is_some();
    if rule.action == Action::Delete && !conditions {
        return Err((
            "tags",
            "a delete rule without tags, an age, not_pulled_for or keep_n would delete every tag; \
             write tags_regex = [\".*\"] if that is meant"
                .into(),
        ));
    }
    Ok(())
}
