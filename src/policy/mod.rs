//! Retention policies as a file: rules per repository, protection that always wins, and the whole
//! registry's removal plan made from them.
//!
//! - `file`: the TOML file read into rules, every mistake named by file, line and key.
//! - `references`: image references read from lists and Kubernetes/compose YAML (also `outdated`'s).
//! - `evaluate`: each tag's fate and the rule that decided it, the digests protection keeps, and the
//!   plan, made by `select::plan` like every other removal's.
//! - `example.toml`: the commented example `regsweep policy init` writes (and a test reads).
//!
//! Reading files is this room's only I/O; evaluating is pure, so the property tests can run it over
//! random inventories.

mod evaluate;
mod file;
mod references;
mod unmatched;

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use regex::Regex;

pub use evaluate::{Decided, Decision, Evaluation, Fate, Verdict};
pub use file::PolicyError;
pub use references::{DOCKER_HUB, read_references, read_text};

use crate::names::ImageReference;
use crate::select::{KeepBy, TagSelector};

/// The commented example policy `regsweep policy init` writes.
pub const EXAMPLE: &str = include_str!("example.toml");

/// A policy read from its file, with the image references of its reference files.
#[derive(Debug, Clone)]
pub struct Policy {
    pub path: PathBuf,
    /// The file's text, as read: a plan file carries it so that what was reviewed is what runs.
    pub text: String,
    /// Each repository keeps at least this many tagged images, whatever the rules say.
    pub min_keep: usize,
    /// Leave deleted images' signatures, SBOMs and attestations.
    pub keep_referrers: bool,
    pub protect: Protect,
    /// In file order; the first rule deciding a tag is the one named for it.
    pub rules: Vec<Rule>,
}

/// What no rule may delete.
#[derive(Debug, Clone, Default)]
pub struct Protect {
    /// Tags protected in every repository.
    pub tags: Vec<TagSelector>,
    /// `protect.images`, and what the reference files named (after `load`).
    pub images: Vec<ImageReference>,
    /// Files of references (a list, Kubernetes or compose YAML), with the policy line naming each.
    pub reference_files: Vec<(PathBuf, usize)>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    /// Where the rule starts in the file.
    pub line: usize,
    pub action: Action,
    pub target: Target,
    pub repositories: RepoPattern,
    pub include: Vec<TagSelector>,
    pub exclude: Vec<TagSelector>,
    pub older_than: Option<SignedDuration>,
    pub newer_than: Option<SignedDuration>,
    pub age_by: AgeBy,
    pub not_pulled_for: Option<SignedDuration>,
    pub keep_n: Option<usize>,
    pub keep_by: KeepBy,
    pub group_by: Vec<GroupKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Delete,
    Keep,
}

/// What a rule selects among.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Tags,
    /// Manifests regsweep saw lose their tags.
    Untagged,
    /// Signatures, SBOMs and attestations whose image is gone.
    OrphanedReferrers,
}

/// What an age is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBy {
    /// The image's created time.
    Created,
    /// When regsweep first saw the tag point to its digest.
    Tagged,
}

/// What images are ranked within, for `keep_n`.
#[derive(Debug, Clone)]
pub enum GroupKey {
    Major,
    MajorMinor,
    /// What follows the version numbers (`-alpine`).
    Variant,
    /// The captures of a pattern (the whole match when it has no groups).
    Regex(Regex),
}

impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Regex(a), Self::Regex(b)) => a.as_str() == b.as_str(),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

/// Repository globs and patterns, as written (a regex prefixed `re:`) and compiled.
#[derive(Debug, Clone)]
pub struct RepoPattern(pub Vec<(String, Regex)>);

impl RepoPattern {
    pub fn matches(&self, repository: &str) -> bool {
        self.0.iter().any(|(_, regex)| regex.is_match(repository))
    }
}

impl fmt::Display for RepoPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let written: Vec<&str> = self.0.iter().map(|(text, _)| text.as_str()).collect();
        f.write_str(&written.join(", "))
    }
}

/// The repositories of `inventory` any of `rules` applies to.
pub fn repositories_of(inventory: &crate::inventory::Inventory, rules: &[&Rule]) -> Vec<String> {
    inventory
        .repositories
        .keys()
        .filter(|repo| rules.iter().any(|r| r.repositories.matches(repo)))
        .cloned()
        .collect()
}

impl Policy {
    /// Reads a policy file and the reference files it names. A YAML value that is not a plain
    /// reference is an error here: protection that silently skips a deployed image is no protection.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = read_text(path)?;
        let mut policy = file::parse(path, &text)?;
        policy.read_references()?;
        Ok(policy)
    }

    /// A policy from text already read (a plan file's copy), its reference files read afresh.
    pub fn from_text(path: &Path, text: &str) -> Result<Self, PolicyError> {
        let mut policy = file::parse(path, text)?;
        policy.read_references()?;
        Ok(policy)
    }

    fn read_references(&mut self) -> Result<(), PolicyError> {
        for (file, line) in &self.protect.reference_files {
            let references = read_references(file).map_err(|e| PolicyError {
                file: self.path.clone(),
                line: *line,
                message: format!("protect.references: {e}"),
            })?;
            if let Some((value, at)) = references.skipped.first() {
                return Err(PolicyError {
                    file: file.clone(),
                    line: *at,
                    message: format!(
                        "{value:?} is not a plain image reference, so it cannot be protected; \
                         render templates first or list the deployed images in a plain file"
                    ),
                });
            }
            self.protect
                .images
                .extend(references.found.into_iter().map(|(r, _)| r));
        }
        Ok(())
    }

    /// Whether any rule ranks or filters by the images' created times (which need their details).
    pub fn needs_created(&self) -> bool {
        self.min_keep > 0
            || self.rules.iter().any(|r| {
                (r.age_by == AgeBy::Created && (r.older_than.is_some() || r.newer_than.is_some()))
                    || (r.keep_n.is_some() && r.keep_by == KeepBy::Created)
            })
    }

    /// Whether any rule selects among untagged manifests or orphaned referrers.
    pub fn targets(&self, target: Target) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.target == target)
    }
}

#[cfg(test)]
mod tests;
