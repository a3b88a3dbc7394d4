//! A selection as a removal plan, with multi-arch indexes in mind: deleting a tagged index also deletes
//! the child manifests it references, except a child that a kept tag or a kept index of the same
//! repository still references; and a selected manifest that a kept index references is held back,
//! never deleted on its own.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Selected, plural};
use crate::inventory::{ChildManifest, Inventory};
use crate::media_type::is_index;

/// A manifest the plan deletes; for an index, the children deleted after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedManifest {
    pub repository: String,
    pub digest: String,
    pub media_type: Option<String>,
    pub tags: Vec<String>,
    pub children: Vec<ChildManifest>,
}

/// A selected manifest that is kept because an index that stays references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBack {
    pub repository: String,
    pub digest: String,
    pub tags: Vec<String>,
    pub referenced_by: String,
}

/// What a removal deletes, in order: every planned manifest, then the children of planned indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub manifests: Vec<PlannedManifest>,
    pub held_back: Vec<HeldBack>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.manifests.is_empty()
    }

    /// Manifests deleted, children included.
    pub fn manifest_count(&self) -> usize {
        self.manifests.iter().map(|m| 1 + m.children.len()).sum()
    }

    pub fn tag_count(&self) -> usize {
        self.manifests.iter().map(|m| m.tags.len()).sum()
    }

    pub fn repositories(&self) -> BTreeSet<&str> {
        self.manifests
            .iter()
            .map(|m| m.repository.as_str())
            .collect()
    }

    /// Every manifest the plan deletes, in the order removal deletes them: each planned manifest, then
    /// (for an index) the children that go with it.
    pub fn deletions(&self) -> Vec<Deletion<'_>> {
        let mut out = Vec::with_capacity(self.manifest_count());
        for m in &self.manifests {
            out.push(Deletion {
                repository: &m.repository,
                digest: &m.digest,
                media_type: m.media_type.as_deref(),
                tags: &m.tags,
                parent: None,
                platform: None,
            });
            for c in &m.children {
                out.push(Deletion {
                    repository: &m.repository,
                    digest: &c.digest,
                    media_type: c.media_type.as_deref(),
                    tags: &[],
                    parent: Some(&m.digest),
                    platform: c.platform.as_deref(),
                });
            }
        }
        out
    }

    /// "3 manifests (4 tags) from 2 repositories"
    pub fn summary(&self) -> String {
        let (m, t, r) = (
            self.manifest_count(),
            self.tag_count(),
            self.repositories().len(),
        );
        format!(
            "{m} {} ({t} {}) from {r} {}",
            plural(m, "manifest", "manifests"),
            plural(t, "tag", "tags"),
            plural(r, "repository", "repositories")
        )
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the manifests referenced by index {digest} in {repository} are not known")]
pub struct UnknownIndex {
    pub repository: String,
    pub digest: String,
}

/// Turns selected rows into a removal plan (see the module header for the rules).
pub fn plan(inventory: &Inventory, selected: Vec<Selected>) -> Result<Plan, UnknownIndex> {
    let mut by_repo: BTreeMap<String, Vec<Selected>> = BTreeMap::new();
    for row in selected {
        by_repo.entry(row.repository.clone()).or_default().push(row);
    }
    let mut plan = Plan::default();
    for (repo, rows) in by_repo {
        plan_repository(inventory, &repo, rows, &mut plan)?;
    }
    Ok(plan)
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
            .and_then(|d| d.children.as_deref())
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

fn plan_repository(
    inventory: &Inventory,
    repo: &str,
    rows: Vec<Selected>,
    plan: &mut Plan,
) -> Result<(), UnknownIndex> {
    let graph = Graph::new(inventory, repo);
    let mut planned: BTreeSet<String> = rows.iter().map(|r| r.digest.clone()).collect();
    let kept = graph.kept(&mut planned)?;
    let mut listed_children = BTreeSet::new();
    for row in rows {
        if let Some(index) = kept.refs.get(row.digest.as_str()) {
            plan.held_back.push(HeldBack {
                repository: row.repository,
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
        plan(inv, rows).unwrap()
    }

    fn children(plan: &Plan) -> Vec<(String, Vec<String>)> {
        plan.manifests
            .iter()
            .map(|m| {
                (
                    m.digest.clone(),
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

    #[test]
    fn an_index_without_known_children_is_an_error() {
        let mut inv = with_indexes(inventory(&[("m", &[("1.0", "I1")])]), &[("I1", &["C1"])]);
        inv.manifests.clear();
        let rows = select_tags(&inv, &tag_query(&["m"], &["1.0"], &[])).unwrap();
        assert!(plan(&inv, rows).is_err());
    }
}
