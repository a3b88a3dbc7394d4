//! Selection's tests: dregutil's own scenarios and the reverse check's rules.

use super::reverse::DigestIndex;
use super::*;
use testing::*;

#[test]
fn dregutil_independent_repo_selection() {
    let rows = select_repositories(&dregutil_data(), &repo_query(&["a"], true)).unwrap();
    assert_eq!(pairs(&rows), [pair("a", "A1"), pair("a", "A2")]);
    assert_eq!(rows[0].tags, ["1.1.0", "latest"]);
    assert_eq!(rows[1].tags, ["1.2.0", "extra", "testing"]);
}

#[test]
fn dregutil_intersecting_repo_selection() {
    let inv = dregutil_data();
    let rows = select_repositories(&inv, &repo_query(&["b", "c"], true)).unwrap();
    // dregutil lists BC once; regsweep lists it in both repositories, where removal deletes it.
    assert_eq!(
        pairs(&rows),
        [pair("b", "BC"), pair("c", "BC"), pair("c", "C")]
    );
    assert!(
        select_repositories(&inv, &repo_query(&["b"], false))
            .unwrap()
            .is_empty()
    );
    let rows = select_repositories(&inv, &repo_query(&["c"], false)).unwrap();
    assert_eq!(pairs(&rows), [pair("c", "C")]);
    let err = select_repositories(&inv, &repo_query(&["b"], true)).unwrap_err();
    assert_eq!(
        err,
        SelectError::IntersectingRepository {
            digest: "BC".into(),
            repositories: repos(&["c"]),
            more: 0
        }
    );
    let err = select_repositories(&inv, &repo_query(&["c"], true)).unwrap_err();
    assert!(
        matches!(err, SelectError::IntersectingRepository { ref repositories, .. }
        if *repositories == repos(&["b"]))
    );
}

#[test]
fn dregutil_independent_tag_selection() {
    let inv = dregutil_data();
    let q = tag_query(&["a"], &["<1.2.0", "latest"], &[]);
    assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("a", "A1")]);
    let q = tag_query(&["a"], &["re:.*"], &[]);
    assert_eq!(
        pairs(&select_tags(&inv, &q).unwrap()),
        [pair("a", "A1"), pair("a", "A2")]
    );
    let q = tag_query(&["c"], &[">=1.1.0", "testing"], &[]);
    assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("c", "C")]);
}

#[test]
fn dregutil_intersecting_tag_selection() {
    let inv = dregutil_data();
    let q = tag_query(&["a"], &["<=1.2.0", "latest"], &[]);
    assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("a", "A1")]);
    let q = tag_query(&["b", "c"], &["re:.*"], &[]);
    assert_eq!(
        pairs(&select_tags(&inv, &q).unwrap()),
        [pair("b", "BC"), pair("c", "BC"), pair("c", "C")]
    );
    let q = tag_query(&["b", "c"], &["1.0.0", "latest"], &[]);
    assert_eq!(
        pairs(&select_tags(&inv, &q).unwrap()),
        [pair("b", "BC"), pair("c", "BC")]
    );
    let mut q = tag_query(&["c"], &["re:.*"], &[]);
    q.raise_intersecting_repo = false;
    assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("c", "C")]);
    let err = select_tags(&inv, &tag_query(&["b"], &["re:.*"], &[])).unwrap_err();
    assert!(
        matches!(err, SelectError::IntersectingRepository { ref digest, ref repositories, .. }
        if digest == "BC" && *repositories == repos(&["c"]))
    );
    let err = select_tags(&inv, &tag_query(&["c"], &["re:.*"], &[])).unwrap_err();
    assert!(
        matches!(err, SelectError::IntersectingRepository { ref repositories, .. }
        if *repositories == repos(&["b"]))
    );
    let mut q = tag_query(&["b", "c"], &["==1.0.0"], &[]);
    q.raise_intersecting_tag = true;
    let err = select_tags(&inv, &q).unwrap_err();
    assert_eq!(
        err,
        SelectError::IntersectingTags {
            digest: "BC".into(),
            repository: "b".into(),
            tags: repos(&["latest"]),
            more: 0
        }
    );
}

#[test]
fn dregutil_tag_selection_with_exclusion() {
    let inv = dregutil_data();
    let q = tag_query(&["a"], &["re:.*"], &["latest"]);
    assert_eq!(pairs(&select_tags(&inv, &q).unwrap()), [pair("a", "A2")]);
    let q = tag_query(&["b", "c"], &["re:.*"], &["testing"]);
    assert_eq!(
        pairs(&select_tags(&inv, &q).unwrap()),
        [pair("b", "BC"), pair("c", "BC")]
    );
}

#[test]
fn no_match_all_tags_takes_unselected_tags_but_not_excluded_ones() {
    let inv = dregutil_data();
    let mut q = tag_query(&["a"], &["1.2.0"], &[]);
    assert!(select_tags(&inv, &q).unwrap().is_empty());
    q.match_all_tags = false;
    let rows = select_tags(&inv, &q).unwrap();
    assert_eq!(pairs(&rows), [pair("a", "A2")]);
    assert_eq!(rows[0].tags, ["1.2.0", "extra", "testing"]);
    q.exclude = selectors(&["re:ext"]);
    assert!(select_tags(&inv, &q).unwrap().is_empty());
}

#[test]
fn exclusions_never_raise() {
    let inv = dregutil_data();
    let mut q = tag_query(&["b"], &["1.0.0"], &["latest"]);
    q.raise_intersecting_tag = true;
    assert!(
        select_tags(&inv, &q).unwrap().is_empty(),
        "BC is excluded by b:latest"
    );
}

#[test]
fn a_selected_repository_without_matches_still_guards_its_tags() {
    // BC is tagged in b and c; only c's tags match. b's tags were not selected.
    let inv = dregutil_data();
    let q = tag_query(&["b", "c"], &["re:1\\.0"], &[]);
    assert!(select_tags(&inv, &q).unwrap().is_empty());
    let mut q = q;
    q.raise_intersecting_tag = true;
    let err = select_tags(&inv, &q).unwrap_err();
    assert!(
        matches!(err, SelectError::IntersectingTags { ref repository, .. } if repository == "b")
    );
}

#[test]
fn every_conflict_is_counted() {
    let inv = inventory(&[
        ("x", &[("1", "D1"), ("2", "D2"), ("3", "D3")]),
        ("y", &[("1", "D1"), ("2", "D2"), ("3", "D3")]),
    ]);
    let err = select_repositories(&inv, &repo_query(&["x"], true)).unwrap_err();
    assert!(matches!(
        err,
        SelectError::IntersectingRepository { more: 2, .. }
    ));
    assert!(err.to_string().ends_with("(and 2 more digests)"), "{err}");
}

#[test]
fn unknown_repositories_are_reported() {
    let err = select_tags(&dregutil_data(), &tag_query(&["a", "zz"], &["1"], &[])).unwrap_err();
    assert!(matches!(err, SelectError::UnknownRepository(ref unknown) if unknown.name == "zz"));
}

#[test]
fn examples_from_the_issue() {
    let inv = inventory(&[(
        "app",
        &[
            ("1.3-alpine", "D1"),
            ("v1.3.9", "D2"),
            ("1.4", "D3"),
            ("1.4.0", "D3"),
            ("1.4-alpine", "D4"),
            ("1.4.0-rc1", "D5"),
            ("latest", "D6"),
            ("dev-abc", "D7"),
        ],
    )]);
    let tags = |include: &[&str], exclude: &[&str]| -> Vec<String> {
        select_tags(&inv, &tag_query(&["app"], include, exclude))
            .unwrap()
            .into_iter()
            .flat_map(|r| r.tags)
            .collect()
    };
    assert_eq!(tags(&["<1.4"], &[]), ["1.3-alpine", "v1.3.9"]);
    assert_eq!(tags(&["==1.4"], &[]), ["1.4", "1.4.0"]);
    assert_eq!(
        tags(&["re:1\\.4"], &[]),
        ["1.4", "1.4.0", "1.4-alpine", "1.4.0-rc1"]
    );
    assert_eq!(
        tags(&["re:1\\.4$"], &[]),
        Vec::<String>::new(),
        "1.4 shares D3 with 1.4.0"
    );
    assert_eq!(tags(&["re:1\\.4(\\.0)?$"], &[]), ["1.4", "1.4.0"]);
    assert_eq!(
        tags(&["re:alpine"], &[]),
        Vec::<String>::new(),
        "matched from the start"
    );
    assert_eq!(tags(&["re:.*alpine"], &[]), ["1.3-alpine", "1.4-alpine"]);
    assert_eq!(tags(&["1.4.*"], &["re:.*-"]), ["1.4", "1.4.0"]);
    assert_eq!(tags(&[">=1.3,<1.4"], &["v1.3.9"]), ["1.3-alpine"]);
    assert_eq!(tags(&["latest", "dev-abc"], &[]), ["dev-abc", "latest"]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const REPOS: [&str; 4] = ["a", "b", "c", "d"];
    const TAGS: [&str; 8] = [
        "1.0",
        "1.1",
        "1.2",
        "2.0",
        "latest",
        "dev",
        "v1.3",
        "1.4-alpine",
    ];
    const SELECTORS: [&str; 9] = [
        "<1.2",
        ">=1.1",
        "latest",
        "^1",
        "1.*",
        "re:d",
        "re:1\\.",
        "2.0",
        "re:.*-alpine$",
    ];

    fn arb_inventory() -> impl Strategy<Value = Inventory> {
        proptest::collection::vec(
            proptest::collection::btree_map(0..TAGS.len(), 0..5usize, 0..6),
            REPOS.len(),
        )
        .prop_map(|repos| {
            let data: Vec<(&str, Vec<(&str, String)>)> = repos
                .iter()
                .enumerate()
                .map(|(r, tags)| {
                    let tags = tags
                        .iter()
                        .map(|(t, d)| (TAGS[*t], format!("D{d}")))
                        .collect();
                    (REPOS[r], tags)
                })
                .collect();
            let borrowed: Vec<(&str, Vec<(&str, &str)>)> = data
                .iter()
                .map(|(r, tags)| (*r, tags.iter().map(|(t, d)| (*t, d.as_str())).collect()))
                .collect();
            let slices: Vec<(&str, &[(&str, &str)])> =
                borrowed.iter().map(|(r, t)| (*r, t.as_slice())).collect();
            inventory(&slices)
        })
    }

    fn arb_subset(
        pool: &'static [&'static str],
        min: usize,
    ) -> impl Strategy<Value = Vec<&'static str>> {
        proptest::sample::subsequence(pool, min..=pool.len())
    }

    proptest! {
        /// With the default options, every selected digest carries only selected, unexcluded tags,
        /// in every repository where it is tagged, and is deleted in each of them.
        #[test]
        fn default_selection_never_takes_an_unselected_tag(
            inv in arb_inventory(),
            names in arb_subset(&REPOS, 1),
            include in arb_subset(&SELECTORS, 1),
            exclude in arb_subset(&SELECTORS, 0),
            raise_repo in any::<bool>(),
        ) {
            let mut query = tag_query(&names, &include, &exclude);
            query.raise_intersecting_repo = raise_repo;
            let Ok(rows) = select_tags(&inv, &query) else {
                prop_assert!(raise_repo, "only the repository check may fail here");
                return Ok(());
            };
            let index = DigestIndex::new(&inv);
            for row in &rows {
                prop_assert!(names.contains(&row.repository.as_str()));
                for (repo, tags) in index.repositories(&row.digest) {
                    prop_assert!(names.contains(repo), "{} also in {repo}", row.digest);
                    for tag in tags {
                        prop_assert!(any_matches(&query.include, tag), "{tag} not selected");
                        prop_assert!(!any_matches(&query.exclude, tag), "{tag} excluded");
                    }
                    prop_assert!(rows.iter().any(|r| r.repository == *repo && r.digest == row.digest));
                }
            }
        }

        /// And nothing that passes every check is missed.
        #[test]
        fn default_selection_takes_every_safe_digest(
            inv in arb_inventory(),
            names in arb_subset(&REPOS, 1),
            include in arb_subset(&SELECTORS, 1),
            exclude in arb_subset(&SELECTORS, 0),
        ) {
            let mut query = tag_query(&names, &include, &exclude);
            query.raise_intersecting_repo = false;
            let rows = select_tags(&inv, &query).unwrap();
            let index = DigestIndex::new(&inv);
            for (digest, repos) in &index.by_digest {
                let candidate = repos.iter().any(|(repo, tags)| {
                    names.contains(repo) && tags.iter().any(|t| any_matches(&query.include, t))
                });
                let safe = repos.iter().all(|(repo, tags)| {
                    names.contains(repo)
                        && tags.iter().all(|t| any_matches(&query.include, t) && !any_matches(&query.exclude, t))
                });
                let taken = rows.iter().any(|r| r.digest == *digest);
                prop_assert_eq!(taken, candidate && safe, "{}", digest);
            }
        }

        /// Whole-repository selection takes exactly the digests held only by selected repositories.
        #[test]
        fn repository_selection_is_exact(inv in arb_inventory(), names in arb_subset(&REPOS, 1)) {
            let rows = select_repositories(&inv, &repo_query(&names, false)).unwrap();
            let index = DigestIndex::new(&inv);
            for (digest, repos) in &index.by_digest {
                let in_selection = repos.keys().filter(|r| names.contains(r)).count();
                let expected = if repos.keys().all(|r| names.contains(r)) { in_selection } else { 0 };
                let taken = rows.iter().filter(|r| r.digest == *digest).count();
                prop_assert_eq!(taken, expected, "{}", digest);
            }
        }
    }
}
