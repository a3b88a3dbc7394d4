//! A selection as a removal plan, with multi-arch indexes in mind: deleting a tagged index also deletes
//! the child manifests it references, except a child that a kept tag or a kept index of the same
//! repository still references; and a selected manifest that a kept index references is held back,
//! never deleted on its own. Every deleted manifest takes its attachments (signatures, SBOMs,
//! attestations, and theirs in turn) along unless asked not to; an attachment that carries a tag of
//! its own stays. Untag rows become tags removed from manifests that stay.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Selected, plural};
use crate::inventory::attachments::Kind;
use crate::inventory::{Attachments, ChildManifest, Digest, Inventory, MediaType, RepositoryName};
use crate::media_type::is_index;

/// A manifest the plan deletes; for an index, the children deleted after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedManifest {
    pub repository: RepositoryName,
    pub digest: Digest,
    pub media_type: Option<MediaType>,
    pub tags: Vec<String>,
    pub children: Vec<ChildManifest>,
}

/// A selected manifest that is kept because an index that stays references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBack {
    pub repository: String,
    pub digest: Digest,
    pub tags: Vec<String>,
    pub referenced_by: String,
}

/// An attachment deleted with its subject (after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAttachment {
    pub repository: String,
    pub digest: String,
    pub media_type: Option<MediaType>,
    /// Its attachment tags (`sha256-<hex>.sig`), deleted with it.
    pub tags: Vec<String>,
    pub subject: String,
    pub kind: Kind,
}

/// Tags removed from a manifest that stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedUntag {
    pub repository: String,
    pub digest: Digest,
    pub media_type: Option<MediaType>,
    pub tags: Vec<String>,
}

/// What a removal does, in order: untag, delete every planned manifest, then the children of planned
/// indexes, then the attachments of what was deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub manifests: Vec<PlannedManifest>,
    pub held_back: Vec<HeldBack>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<PlannedAttachment>,
    /// Attachments of deleted manifests left because they carry tags of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tagged_attachments: Vec<HeldBack>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untags: Vec<PlannedUntag>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.manifests.is_empty() && self.untags.is_empty()
    }

    /// Manifests deleted: children and attachments included.
    pub fn manifest_count(&self) -> usize {
        self.manifests
            .iter()
            .map(|m| 1 + m.children.len())
            .sum::<usize>()
            + self.attachments.len()
    }

    /// Tags that go: with their manifests, or untagged.
    pub fn tag_count(&self) -> usize {
        self.manifests.iter().map(|m| m.tags.len()).sum::<usize>()
            + self.attachments.iter().map(|a| a.tags.len()).sum::<usize>()
            + self.untagged_tag_count()
    }

    pub fn untagged_tag_count(&self) -> usize {
        self.untags.iter().map(|u| u.tags.len()).sum()
    }

    pub fn repositories(&self) -> BTreeSet<&str> {
        let deleted = self.manifests.iter().map(|m| m.repository.as_str());
        deleted
            .chain(self.untags.iter().map(|u| u.repository.as_str()))
            .collect()
    }

    /// Every manifest the plan deletes, in the order removal deletes them: each planned manifest, then
    /// (for an index) the children that go with it; then the attachments. Made as they are asked
    /// for: at a million tags a list of them all was 84 MB.
    pub fn deletions(&self) -> impl Iterator<Item = Deletion<'_>> {
        let planned = self.manifests.iter().flat_map(|m| {
            let itself = Deletion {
                repository: &m.repository,
                digest: &m.digest,
                media_type: m.media_type.as_deref(),
                tags: &m.tags,
                parent: None,
                platform: None,
                subject: None,
                kind: None,
            };
            let children = m.children.iter().map(|c| Deletion {
                repository: &m.repository,
                digest: &c.digest,
                media_type: c.media_type.as_deref(),
                tags: &[],
                parent: Some(&m.digest),
                platform: c.platform.as_deref(),
                subject: None,
                kind: None,
            });
            std::iter::once(itself).chain(children)
        });
        let attachments = self.attachments.iter().map(|a| Deletion {
            repository: &a.repository,
            digest: &a.digest,
            media_type: a.media_type.as_deref(),
            tags: &a.tags,
            parent: None,
            platform: None,
            subject: Some(&a.subject),
            kind: Some(a.kind),
        });
        planned.chain(attachments)
    }

    /// "3 manifests (4 tags) from 2 repositories, 1 of them a signature; 2 tags untagged"
    pub fn summary(&self) -> String {
        let (m, r) = (self.manifest_count(), self.repositories().len());
        let t = self.tag_count() - self.untagged_tag_count();
        let mut line = if m > 0 {
            format!(
                "{m} {} ({t} {}) from {r} {}",
                plural(m, "manifest", "manifests"),
                plural(t, "tag", "tags"),
                plural(r, "repository", "repositories")
            )
        } else {
            let u = self.untagged_tag_count();
            return format!(
                "{u} {} untagged in {r} {}; no manifest is deleted",
                plural(u, "tag", "tags"),
                plural(r, "repository", "repositories")
            );
        };
        let a = self.attachments.len();
        if a > 0 {
            let what = plural(a, "an attachment", "attachments");
            line.push_str(&format!(
                ", {a} of them {what} (signatures, SBOMs, attestations) of the deleted images"
            ));
        }
        let u = self.untagged_tag_count();
        if u > 0 {
            line.push_str(&format!(
                "; {u} {} untagged (their manifests stay)",
                plural(u, "tag", "tags")
            ));
        }
        line
    }
}

/// One manifest a plan deletes: a planned manifest with its tags, or a child of a planned index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deletion<'a> {
    pub repository: &'a str,
    pub digest: &'a str,
    pub media_type: Option<&'a str>,
    pub tags: &'a [String],
    /// For a child: the index it goes with.
    pub parent: Option<&'a str>,
    /// For a child: its platform, as the index names it.
    pub platform: Option<&'a str>,
    /// For an attachment: the manifest it refers to, and what it is.
    pub subject: Option<&'a str>,
    pub kind: Option<Kind>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the manifests referenced by index {digest} in {repository} are not known")]
pub struct UnknownIndex {
    pub repository: String,
    pub digest: String,
}

/// Turns selected rows into a removal plan (see the module header for the rules); with
/// `attachments`, every deleted manifest takes its attachments along.
pub fn plan(
    inventory: &Inventory,
    mut selected: Vec<Selected>,
    attachments: bool,
) -> Result<Plan, UnknownIndex> {
    let untags = selected
        .extract_if(.., |row| row.untag)
        .map(|row| PlannedUntag {
            repository: row.repository.to_string(),
            digest: row.digest,
            media_type: row.media_type,
            tags: row.tags,
        })
        .collect();
    let mut plan = Plan {
        untags,
        ..Plan::default()
    };
    // Each repository's rows as one run, in place: rows come grouped by repository, which a stable
    // sort finds in one pass. (Regrouping them into a map of vectors, grown by doubling, held a
    // second copy of a million-tag plan's rows: 123 MB.)
    selected.sort_by(|a, b| a.repository.cmp(&b.repository));
    // A row plans one manifest (and an index's children): room for them at once rather than by
    // doubling (at 700,000 planned manifests, 117 MB grown against 80 MB).
    plan.manifests.reserve(selected.len());
    for rows in selected.chunk_by_mut(|a, b| a.repository == b.repository) {
        let first = plan.manifests.len();
        let repo = rows[0].repository.clone();
        plan_repository(inventory, &repo, rows, &mut plan)?;
        if attachments {
            add_attachments(inventory, &repo, first, &mut plan);
        }
    }
    Ok(plan)
}

/// Adds the attachments of the manifests planned for `repo` (from `plan.manifests[first..]`, children
/// included), nearest first; each once, and none that the plan deletes anyway.
fn add_attachments(inventory: &Inventory, repo: &str, first: usize, plan: &mut Plan) {
    let found = Attachments::of(inventory, repo);
    if found.is_empty() {
        return;
    }
    let planned = &plan.manifests[first..];
    let mut taken: BTreeSet<String> = planned
        .iter()
        .flat_map(|m| {
            std::iter::once(m.digest.as_str()).chain(m.children.iter().map(|c| c.digest.as_str()))
        })
        .map(str::to_owned)
        .collect();
    let subjects: Vec<String> = taken.iter().cloned().collect();
    for subject in subjects {
        for a in found.closure(&subject) {
            if !taken.insert(a.digest.clone()) {
                continue;
            }
            if !a.own_tags.is_empty() {
                plan.tagged_attachments.push(HeldBack {
                    repository: repo.to_owned(),
                    digest: a.digest.as_str().into(),
                    tags: a.own_tags.clone(),
                    referenced_by: a.subject.clone(),
                });
                continue;
            }
            plan.attachments.push(PlannedAttachment {
                repository: repo.to_owned(),
                digest: a.digest.clone(),
                media_type: a.media_type.clone(),
                tags: a.tags.clone(),
                subject: a.subject.clone(),
                kind: a.kind,
            });
        }
    }
}

/// What stays of a repository: its tagged manifests outside the plan, and each child a staying index
/// references (-> that index).
struct Kept<'a> {
    digests: BTreeSet<&'a str>,
    refs: BTreeMap<&'a str, &'a str>,
}

/// One repository's manifests as a graph: what its tags point to, and what its indexes reference.
struct Graph<'a> {
    inventory: &'a Inventory,
    repo: &'a str,
    /// Tagged digests with their media types.
    tagged: BTreeMap<&'a str, Option<&'a str>>,
}

impl<'a> Graph<'a> {
    fn new(inventory: &'a Inventory, repo: &'a str) -> Self {
        let tagged = inventory
            .repositories
            .get(repo)
            .map(|r| {
                r.tags
                    .values()
                    .map(|e| (e.digest.as_str(), e.media_type.as_deref()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            inventory,
            repo,
            tagged,
        }
    }

    /// The children of a manifest: none unless it is an index, whose children the cache must know.
    fn children_of(
        &self,
        digest: &str,
        media_type: Option<&str>,
    ) -> Result<&'a [ChildManifest], UnknownIndex> {
        if !media_type.is_some_and(is_index) {
            return Ok(&[]);
        }
        self.inventory
            .manifests
            .get(digest)
            .and_then(|d| d.children().map(Vec::as_slice))
            .ok_or_else(|| UnknownIndex {
                repository: self.repo.to_owned(),
                digest: digest.to_owned(),
            })
    }

    /// What stays. Holding a planned manifest back keeps it, and so its own children: `planned`
    /// shrinks until nothing more is held back.
    fn kept(&self, planned: &mut BTreeSet<String>) -> Result<Kept<'a>, UnknownIndex> {
        loop {
            let kept: BTreeSet<&str> = self
                .tagged
                .keys()
                .copied()
                .filter(|d| !planned.contains(*d))
                .collect();
            let mut kept_refs: BTreeMap<&str, &str> = BTreeMap::new();
            for digest in &kept {
                for child in self.children_of(digest, self.tagged[digest])? {
                    kept_refs.entry(child.digest.as_str()).or_insert(digest);
                }
            }
            let held: Vec<String> = planned
                .iter()
                .filter(|d| kept_refs.contains_key(d.as_str()))
                .cloned()
                .collect();
            if held.is_empty() {
                return Ok(Kept {
                    digests: kept,
                    refs: kept_refs,
                });
            }
            for digest in held {
                planned.remove(&digest);
            }
        }
    }
}

/// Plans one repository's rows, moving each row's strings into the plan (`rows` is left empty).
fn plan_repository(
    inventory: &Inventory,
    repo: &str,
    rows: &mut [Selected],
    plan: &mut Plan,
) -> Result<(), UnknownIndex> {
    let graph = Graph::new(inventory, repo);
    let mut planned: BTreeSet<String> = rows.iter().map(|r| r.digest.to_string()).collect();
    let kept = graph.kept(&mut planned)?;
    let mut listed_children = BTreeSet::new();
    for row in rows {
        let row = std::mem::take(row);
        if let Some(index) = kept.refs.get(row.digest.as_str()) {
            plan.held_back.push(HeldBack {
                repository: row.repository.to_string(),
                digest: row.digest,
                tags: row.tags,
                referenced_by: (*index).to_owned(),
            });
            continue;
        }
        let children = graph
            .children_of(&row.digest, row.media_type.as_deref())?
            .iter()
            .filter(|c| {
                let d = c.digest.as_str();
                !kept.digests.contains(d) && !kept.refs.contains_key(d) && !planned.contains(d)
            })
            .filter(|c| listed_children.insert(c.digest.clone()))
            .cloned()
            .collect();
        plan.manifests.push(PlannedManifest {
            repository: row.repository,
            digest: row.digest,
            media_type: row.media_type,
            tags: row.tags,
            children,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::select_tags;
    use crate::select::testing::*;

    fn planned(inv: &Inventory, include: &[&str]) -> Plan {
        let rows = select_tags(inv, &tag_query(&["m"], include, &[])).unwrap();
        plan(inv, rows, true).unwrap()
    }

    fn children(plan: &Plan) -> Vec<(String, Vec<String>)> {
        plan.manifests
            .iter()
            .map(|m| {
                (
                    m.digest.to_string(),
                    m.children.iter().map(|c| c.digest.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn an_index_takes_its_children_except_those_a_kept_index_or_tag_references() {
        // I1 (1.0) and I2 (2.0) share child C2; C4 is tagged on its own as "amd64".
        let inv = with_indexes(
            inventory(&[("m", &[("1.0", "I1"), ("2.0", "I2"), ("amd64", "C4")])]),
            &[("I1", &["C1", "C2", "C4"]), ("I2", &["C2", "C3"])],
        );
        let plan1 = planned(&inv, &["1.0"]);
        assert_eq!(children(&plan1), [("I1".to_owned(), vec!["C1".to_owned()])]);
        assert_eq!(plan1.summary(), "2 manifests (1 tag) from 1 repository");
        let both = planned(&inv, &["1.0", "2.0"]);
        assert_eq!(
            children(&both),
            [
                ("I1".to_owned(), vec!["C1".to_owned(), "C2".to_owned()]),
                ("I2".to_owned(), vec!["C3".to_owned()])
            ]
        );
        assert!(both.held_back.is_empty());
    }

    #[test]
    fn a_child_is_never_deleted_on_its_own_while_a_kept_index_references_it() {
        let inv = with_indexes(
            inventory(&[("m", &[("1.0", "I1"), ("amd64", "C1"), ("old", "X")])]),
            &[("I1", &["C1", "C2"])],
        );
        let plan = planned(&inv, &["amd64", "old"]);
        assert_eq!(children(&plan), [("X".to_owned(), vec![])]);
        assert_eq!(plan.held_back.len(), 1);
        assert_eq!(plan.held_back[0].digest, "C1");
        assert_eq!(plan.held_back[0].referenced_by, "I1");
        // Deleting the index with it is fine: C1 goes as a tagged manifest, C2 as a child.
        let plan = planned(&inv, &["amd64", "1.0"]);
        assert!(plan.held_back.is_empty());
        assert_eq!(plan.manifest_count(), 3);
    }

    #[test]
    fn holding_back_an_index_keeps_its_children_too() {
        // J (outer, kept) references I2; I2 is selected but held back, so C2 must stay as well.
        let inv = with_indexes(
            inventory(&[("m", &[("keep", "J"), ("sel", "I2"), ("c2", "C2")])]),
            &[("J", &["I2"]), ("I2", &["C2"])],
        );
        let plan = planned(&inv, &["sel", "c2"]);
        assert!(plan.is_empty(), "{plan:?}");
        assert_eq!(plan.held_back.len(), 2);
    }

    /// `m` with images A (1.0) and B (2.0, also `stable`), each with a cosign signature, and A's
    /// signature signed in turn (listed by the referrers API).
    fn signed() -> (Inventory, [String; 5]) {
        let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let (a, b, sig_a, sig_b, sig_sig) = (d('a'), d('b'), d('1'), d('2'), d('3'));
        let tag = |x: &str| format!("{}.sig", x.replace(':', "-"));
        let mut inv = inventory(&[(
            "m",
            &[
                ("1.0", a.as_str()),
                ("2.0", b.as_str()),
                ("stable", b.as_str()),
                (tag(&a).as_str(), sig_a.as_str()),
                (tag(&b).as_str(), sig_b.as_str()),
            ],
        )]);
        inv.repositories.get_mut("m").unwrap().referrers.insert(
            sig_sig.clone(),
            crate::inventory::Referrer {
                subject: sig_a.clone(),
                media_type: None,
                artifact_type: None,
            },
        );
        (inv, [a, b, sig_a, sig_b, sig_sig])
    }

    #[test]
    fn attachments_go_with_their_image_and_a_kept_image_keeps_its_own() {
        let (inv, [a, _, sig_a, _, sig_sig]) = signed();
        let everything = select_tags(&inv, &tag_query(&["m"], &["re:.*"], &[])).unwrap();
        assert_eq!(
            everything.len(),
            2,
            "signature tags are not candidates: {everything:?}"
        );
        let one = planned(&inv, &["1.0"]);
        let attached: Vec<(&str, &str)> = one
            .attachments
            .iter()
            .map(|a| (a.digest.as_str(), a.subject.as_str()))
            .collect();
        assert_eq!(
            attached,
            [
                (sig_a.as_str(), a.as_str()),
                (sig_sig.as_str(), sig_a.as_str())
            ]
        );
        assert_eq!(one.manifest_count(), 3);
        let rows = select_tags(&inv, &tag_query(&["m"], &["1.0"], &[])).unwrap();
        assert!(
            plan(&inv, rows, false).unwrap().attachments.is_empty(),
            "--keep-referrers"
        );
    }

    #[test]
    fn untag_rows_remove_tags_and_delete_nothing() {
        let (inv, [_, b, ..]) = signed();
        let mut query = tag_query(&["m"], &["2.0"], &[]);
        assert!(
            select_tags(&inv, &query).unwrap().is_empty(),
            "stable holds B back"
        );
        query.untag = crate::select::Untag::Partial;
        let plan = plan(&inv, select_tags(&inv, &query).unwrap(), true).unwrap();
        assert!(plan.manifests.is_empty() && plan.attachments.is_empty());
        assert_eq!(plan.untags.len(), 1);
        assert_eq!(
            (
                plan.untags[0].digest.as_str(),
                plan.untags[0].tags.as_slice()
            ),
            (b.as_str(), &["2.0".to_owned()][..])
        );
        assert_eq!(
            plan.summary(),
            "1 tag untagged in 1 repository; no manifest is deleted"
        );
        query.untag = crate::select::Untag::Only;
        query.include = selectors(&["re:.*"]);
        let rows = select_tags(&inv, &query).unwrap();
        assert!(rows.iter().all(|r| r.untag));
        assert_eq!(rows.iter().map(|r| r.tags.len()).sum::<usize>(), 3);
    }

    #[test]
    fn an_index_without_known_children_is_an_error() {
        let mut inv = with_indexes(inventory(&[("m", &[("1.0", "I1")])]), &[("I1", &["C1"])]);
        inv.manifests.clear();
        let rows = select_tags(&inv, &tag_query(&["m"], &["1.0"], &[])).unwrap();
        assert!(plan(&inv, rows, true).is_err());
    }
}
