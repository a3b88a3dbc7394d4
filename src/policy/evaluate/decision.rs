//! A policy's answer as its report reads it: the evaluation, each tag's decision, and the compact
//! handles a million-row listing holds.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::{Fate, TagFate};
use crate::select::Plan;

/// One tag's fate, the rule that decided it and why: a view of the evaluation, whose names are the
/// inventory's and the policy's own (a million decisions each with four copied strings were
/// 150 MB; held as a list of their own beside the tags' fates, 120 MB more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decision<'a> {
    pub repository: &'a str,
    pub tag: &'a str,
    pub digest: &'a str,
    pub fate: Fate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'a str>,
    pub reason: &'a str,
}

/// A decision as the evaluation holds it, for listing many: 24 bytes where its `Decision` is 88.
#[derive(Debug, Clone, Copy)]
pub struct Decided<'e> {
    repository: &'e str,
    of: Of<'e>,
}

#[derive(Debug, Clone, Copy)]
enum Of<'e> {
    Tag(&'e TagFate<'e>),
    Untagged(&'e HeldUntagged),
}

impl<'e> Decided<'e> {
    pub fn decision(self) -> Decision<'e> {
        match self.of {
            Of::Tag(f) => Decision {
                repository: self.repository,
                tag: f.tag,
                digest: &f.entry.digest,
                fate: f.fate,
                rule: f.rule.map(|r| r.name.as_str()),
                reason: &f.reason,
            },
            Of::Untagged(h) => Decision {
                repository: self.repository,
                tag: "",
                digest: &h.digest,
                fate: Fate::Held,
                rule: None,
                reason: &h.reason,
            },
        }
    }
}

/// An untagged manifest or orphaned referrer a rule selected that protection keeps.
#[derive(Debug, Clone)]
pub(super) struct HeldUntagged {
    pub repository: String,
    pub digest: String,
    pub reason: String,
}

/// A policy's whole answer for a registry.
#[derive(Debug, Clone)]
pub struct Evaluation<'a> {
    /// Every tag of every repository (signatures' and SBOMs' tags aside), by repository and tag.
    pub(super) fates: BTreeMap<&'a str, Vec<TagFate<'a>>>,
    pub(super) held_untagged: Vec<HeldUntagged>,
    pub plan: Plan,
    /// The time ages were measured from.
    pub now: Timestamp,
}

impl Evaluation<'_> {
    /// Every tag's decision, by repository and tag.
    pub fn decisions(&self) -> impl Iterator<Item = Decision<'_>> {
        self.tags_decided().map(Decided::decision)
    }

    /// How many decisions there are: every tag's, and the held untagged manifests'.
    pub fn decided_count(&self) -> usize {
        self.fates.values().map(Vec::len).sum::<usize>() + self.held_untagged.len()
    }

    /// Untagged manifests and orphaned referrers a rule selected that protection keeps.
    pub fn held_untagged(&self) -> impl Iterator<Item = Decision<'_>> {
        self.untagged_decided().map(Decided::decision)
    }

    /// Every decision, tags' then held untagged manifests', as compact handles.
    pub fn decided(&self) -> impl Iterator<Item = Decided<'_>> {
        self.tags_decided().chain(self.untagged_decided())
    }

    fn tags_decided(&self) -> impl Iterator<Item = Decided<'_>> {
        self.fates.iter().flat_map(|(repo, tags)| {
            tags.iter().map(move |f| Decided {
                repository: repo,
                of: Of::Tag(f),
            })
        })
    }

    fn untagged_decided(&self) -> impl Iterator<Item = Decided<'_>> {
        self.held_untagged.iter().map(|h| Decided {
            repository: &h.repository,
            of: Of::Untagged(h),
        })
    }

    /// The plan alone, without the decisions (which borrow the inventory).
    pub fn into_plan(self) -> Plan {
        self.plan
    }
}
