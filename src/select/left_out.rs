//! Why a tag query left a digest it names out of its selection: what a removal's report says it kept
//! back (an excluded tag, `--keep`, a tag that was not selected, another repository).

use std::collections::BTreeSet;

use serde::Serialize;

use super::reverse::{DigestIndex, selected_set, tag_candidates};
use super::selector::any_matches;
use super::{Selected, TagQuery};
use crate::inventory::Inventory;

/// A digest the query named that stays, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub repository: String,
    pub digest: String,
    /// Its tags the query named.
    pub tags: Vec<String>,
    pub why: String,
}

/// The digests some named tag points to that `rows` (the query's selection) does not delete.
pub fn left_out(inventory: &Inventory, query: &TagQuery, rows: &[Selected]) -> Vec<LeftOut> {
    let Ok(selected) = selected_set(inventory, &query.repositories) else {
        return Vec::new();
    };
    let index = DigestIndex::new(inventory);
    let (candidates, kept_tags) = tag_candidates(inventory, query, &selected);
    let chosen: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r.repository.as_str(), r.digest.as_str()))
        .collect();
    let mut out = Vec::new();
    for digest in candidates {
        let in_selection = index
            .repositories(digest)
            .iter()
            .filter(|(repo, _)| selected.contains(*repo));
        for (repo, tags) in in_selection {
            if chosen.contains(&(*repo, digest)) {
                continue;
            }
            let entries = &inventory.repositories[*repo].tags;
            let named: Vec<&str> = tags
                .iter()
                .copied()
                .filter(|t| query.is_candidate(inventory, t, &entries[*t]))
                .collect();
            if named.is_empty() {
                continue;
            }
            let why = if let Some(t) = tags.iter().find(|t| any_matches(&query.exclude, t)) {
                format!("its tag {t} is excluded")
            } else if let Some(t) = tags.iter().find(|t| kept_tags.contains(&(*repo, **t))) {
                format!("--keep keeps it ({t})")
            } else if let Some(t) = tags.iter().find(|t| !named.contains(t)) {
                format!("it also carries tag {t}, which was not selected")
            } else {
                let outside = index.outside(digest, &selected);
                if outside.is_empty() {
                    "the selection left it out".to_owned()
                } else {
                    format!("it is also tagged in {}", outside.join(", "))
                }
            };
            out.push(LeftOut {
                repository: (*repo).to_owned(),
                digest: digest.to_owned(),
                tags: named.iter().map(|t| (*t).to_owned()).collect(),
                why,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::select_tags;
    use crate::select::testing::*;

    #[test]
    fn each_left_out_digest_says_what_kept_it() {
        let inv = inventory(&[
            (
                "app",
                &[
                    ("1.0", "A"),
                    ("latest", "A"),
                    ("1.1", "B"),
                    ("1.2", "C"),
                    ("1.3", "D"),
                ],
            ),
            ("mirror", &[("old", "D")]),
        ]);
        let mut query = tag_query(&["app"], &["<2"], &["1.2"]);
        query.raise_intersecting_repo = false;
        let rows = select_tags(&inv, &query).unwrap();
        let why: Vec<(String, String)> = left_out(&inv, &query, &rows)
            .into_iter()
            .map(|l| (l.digest, l.why))
            .collect();
        assert_eq!(
            why,
            [
                (
                    "A".to_owned(),
                    "it also carries tag latest, which was not selected".to_owned()
                ),
                ("C".to_owned(), "its tag 1.2 is excluded".to_owned()),
                ("D".to_owned(), "it is also tagged in mirror".to_owned()),
            ]
        );
    }
}
