use std::collections::BTreeSet;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;
use crate::inventory::Inventory;
use crate::select::testing::{inventory, with_indexes};

fn parse(text: &str) -> Result<Policy, PolicyError> {
    file::parse(Path::new("regsweep.toml"), text)
}

fn now() -> Timestamp {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

/// Gives digest `D<n>` a created time `n` days... as listed: (digest, days ago).
fn dated(mut inv: Inventory, ages: &[(&str, i64)]) -> Inventory {
    for (digest, days) in ages {
        let details = inv.manifests.entry((*digest).into()).or_default();
        details.set_created(Some(now() - SignedDuration::from_hours(24 * days)));
    }
    inv
}

fn fates(evaluation: &Evaluation, repo: &str) -> Vec<(String, Fate)> {
    evaluation
        .decisions()
        .filter(|d| d.repository == repo)
        .map(|d| (d.tag.to_string(), d.fate))
        .collect()
}

fn deleted(evaluation: &Evaluation) -> BTreeSet<(String, String)> {
    evaluation
        .plan
        .deletions()
        .map(|d| (d.repository.to_owned(), d.digest.to_owned()))
        .collect()
}

#[test]
fn the_example_reads() {
    let policy = parse(EXAMPLE).unwrap();
    assert_eq!(policy.rules.len(), 4);
    assert_eq!(policy.min_keep, 2);
}

#[test]
fn the_readme_policy_reads() {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## Retention policies").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let text = &section[start..start + section[start..].find("```").unwrap()];
    let policy = parse(text).unwrap();
    assert_eq!(policy.rules.len(), 4);
    assert_eq!(policy.protect.reference_files.len(), 2);
}

#[test]
fn mistakes_name_the_line_and_the_key() {
    let cases = [
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags = [\"a\"]\nkeep = 3\n",
            6,
            "unknown field `keep`",
        ),
        ("version = 2\n", 1, "version 2"),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags_regex = [\"(\"]\n",
            5,
            "tags_regex",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"A*\"]\ntags = [\"a\"]\n",
            4,
            "repositories",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\n",
            2,
            "would delete every tag",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags = [\"a\"]\nkeep_by = \"version\"\n",
            2,
            "keep_by: only means something with keep_n",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\nolder_than = \"30d\"\nnewer_than = \"7d\"\n",
            2,
            "selects nothing",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\nuntagged = true\ntags = [\"a\"]\n",
            2,
            "tags: selects tags",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags = [\"a\"]\nexclude = [\"a\"]\n",
            5,
            "both selected and excluded",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags = [\"a\"]\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\ntags = [\"b\"]\n",
            6,
            "a second rule named",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\nolder_than = \"soon\"\n",
            5,
            "older_than",
        ),
        (
            "version = 1\n[[rule]]\nname = \"x\"\nrepositories = [\"**\"]\nkeep_n = 2\ngroup_by = [\"colour\"]\n",
            6,
            "group_by",
        ),
        (
            "version = 1\n[protect]\nimages = [\"Not A Ref\"]\n",
            3,
            "protect.images",
        ),
    ];
    for (text, line, needle) in cases {
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, line, "{text}\n{err}");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("regsweep.toml:{line}: ")),
            "{message}"
        );
        assert!(message.contains(needle), "{message} lacks {needle:?}");
        assert!(!message.contains('\n'), "one line: {message}");
    }
}

#[test]
fn globs_stay_within_components_unless_doubled() {
    let glob = |g: &str| file::glob_regex(g).unwrap();
    assert!(glob("team/*").is_match("team/web"));
    assert!(!glob("team/*").is_match("team/web/api"));
    assert!(glob("team/**").is_match("team/web/api"));
    assert!(!glob("team/**").is_match("team"));
    assert!(glob("**/web").is_match("web"));
    assert!(glob("**/web").is_match("a/b/web"));
    assert!(glob("app?").is_match("app2"));
    assert!(!glob("app").is_match("app2"));
    assert!(file::glob_regex("App").is_none());
}

#[test]
fn keep_n_keeps_the_newest_of_each_line_and_variant() {
    let inv = inventory(&[(
        "app",
        &[
            ("1.0", "A"),
            ("1.1", "B"),
            ("1.2", "C"),
            ("1.1-alpine", "D"),
            ("1.2-alpine", "E"),
            ("2.0", "F"),
            ("2.1", "G"),
            ("nightly", "H"),
        ],
    )]);
    let policy = parse(
        "version = 1\n[[rule]]\nname = \"releases\"\nrepositories = [\"app\"]\ntags = [\">=0\"]\n\
         keep_n = 1\nkeep_by = \"version\"\ngroup_by = [\"major\", \"variant\"]\n",
    )
    .unwrap();
    let evaluation = policy.evaluate(&inv, now()).unwrap();
    let kept: Vec<String> = fates(&evaluation, "app")
        .into_iter()
        .filter(|(_, f)| *f == Fate::Kept)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(kept, ["1.2", "1.2-alpine", "2.1"]);
    let gone: Vec<String> = fates(&evaluation, "app")
        .into_iter()
        .filter(|(_, f)| *f == Fate::Delete)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(gone, ["1.0", "1.1", "1.1-alpine", "2.0"]);
    let explained = policy.explain(&inv, now(), "app", "1.2-alpine");
    assert_eq!(
        explained[0].1,
        Verdict::Ranked {
            rank: 1,
            group: "1.x -alpine".into()
        }
    );
}

#[test]
fn delete_keep_n_ranks_before_ages_and_unknown_ages_never_delete() {
    let inv = dated(
        inventory(&[(
            "app",
            &[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"), ("u", "U")],
        )]),
        &[("A", 100), ("B", 90), ("C", 80), ("D", 5)],
    );
    let policy = parse(
        "version = 1\n[[rule]]\nname = \"old\"\nrepositories = [\"**\"]\nkeep_n = 2\nolder_than = \"30d\"\n",
    )
    .unwrap();
    let evaluation = policy.evaluate(&inv, now()).unwrap();
    assert_eq!(
        fates(&evaluation, "app"),
        [
            ("a".into(), Fate::Delete),
            ("b".into(), Fate::Delete),
            ("c".into(), Fate::Kept),
            ("d".into(), Fate::Kept),
            ("u".into(), Fate::Untouched),
        ]
    );
}

#[test]
fn protection_and_keep_rules_win_in_every_repository() {
    let inv = inventory(&[
        (
            "app",
            &[("1.0", "A"), ("1.1", "B"), ("latest", "B"), ("2.0", "C")],
        ),
        ("mirror", &[("1.0", "A"), ("old", "C")]),
    ]);
    let policy = parse(
        "version = 1\n[protect]\ntags = [\"latest\"]\nimages = [\"mirror:old\"]\n\
         [[rule]]\nname = \"all old\"\nrepositories = [\"**\"]\ntags_regex = [\".*\"]\n\
         [[rule]]\nname = \"keep 1.0\"\naction = \"keep\"\nrepositories = [\"app\"]\ntags = [\"1.0\"]\n",
    )
    .unwrap();
    let evaluation = policy.evaluate(&inv, now()).unwrap();
    assert_eq!(
        fates(&evaluation, "app"),
        [
            ("1.0".into(), Fate::Kept),
            ("1.1".into(), Fate::Held),
            ("2.0".into(), Fate::Held),
            ("latest".into(), Fate::Protected),
        ]
    );
    assert_eq!(
        fates(&evaluation, "mirror"),
        [("1.0".into(), Fate::Held), ("old".into(), Fate::Protected)]
    );
    assert!(evaluation.plan.is_empty(), "{:?}", evaluation.plan);
}

#[test]
fn min_keep_rescues_the_newest_and_children_of_kept_indexes_stay() {
    let inv = dated(
        inventory(&[
            ("app", &[("a", "A"), ("b", "B"), ("c", "C")]),
            ("base", &[("x", "X")]),
        ]),
        &[("A", 30), ("B", 20), ("C", 10)],
    );
    let policy = parse(
        "version = 1\nmin_keep = 2\n[[rule]]\nname = \"all\"\nrepositories = [\"**\"]\ntags_regex = [\".*\"]\n",
    )
    .unwrap();
    let evaluation = policy.evaluate(&inv, now()).unwrap();
    assert_eq!(
        fates(&evaluation, "app"),
        [
            ("a".into(), Fate::Delete),
            ("b".into(), Fate::Kept),
            ("c".into(), Fate::Kept),
        ]
    );
    assert_eq!(fates(&evaluation, "base"), [("x".into(), Fate::Kept)]);

    // An index kept in one repository keeps its child in another, where a rule selects it.
    let inv = with_indexes(
        inventory(&[("app", &[("multi", "I")]), ("parts", &[("amd64", "P")])]),
        &[("I", &["P"])],
    );
    let policy = parse(
        "version = 1\n[protect]\ntags = [\"multi\"]\n[[rule]]\nname = \"parts\"\nrepositories = [\"parts\"]\ntags = [\"amd64\"]\n",
    )
    .unwrap();
    let evaluation = policy.evaluate(&inv, now()).unwrap();
    assert_eq!(fates(&evaluation, "parts"), [("amd64".into(), Fate::Held)]);
    assert!(evaluation.plan.is_empty());
}

#[test]
fn untagged_rules_spare_digests_protected_elsewhere() {
    let mut inv = inventory(&[("app", &[("1.0", "A")]), ("other", &[("keep", "K")])]);
    for digest in ["K", "Z"] {
        inv.repositories.get_mut("app").unwrap().untagged.insert(
            digest.into(),
            crate::inventory::Untagged {
                since: now() - SignedDuration::from_hours(24 * 30),
                media_type: None,
                tags: vec![],
            },
        );
    }
    let policy = parse(
        "version = 1\n[protect]\ntags = [\"keep\"]\n[[rule]]\nname = \"untagged\"\nrepositories = [\"**\"]\nuntagged = true\nolder_than = \"7d\"\n",
    )
    .unwrap();
    let evaluation = policy.evaluate(&inv, now()).unwrap();
    assert_eq!(
        deleted(&evaluation),
        [("app".to_owned(), "Z".to_owned())].into_iter().collect()
    );
    let held: Vec<Decision> = evaluation.held_untagged().collect();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].digest, held[0].fate, held[0].tag),
        ("K", Fate::Held, "")
    );
}

const TAGS: [&str; 10] = [
    "1.0",
    "1.1",
    "1.2",
    "2.0",
    "2.1-alpine",
    "latest",
    "feature-x",
    "feature-y",
    "stable",
    "v3",
];

/// A random registry: up to 4 repositories of up to 8 tags over 8 digests (so digests are shared
/// within and across repositories), some dated, some seen, one an index of two others.
fn arbitrary_inventory() -> impl Strategy<Value = Inventory> {
    let repo = proptest::collection::vec((0..TAGS.len(), 0u8..8), 1..8);
    let repos = proptest::collection::vec(repo, 1..4);
    let ages = proptest::collection::vec(proptest::option::of(0i64..120), 8);
    (repos, ages, any::<bool>()).prop_map(|(repos, ages, index)| {
        let names: Vec<String> = (0..repos.len()).map(|i| format!("r{i}")).collect();
        let data: Vec<(String, Vec<(&str, String)>)> = repos
            .iter()
            .zip(&names)
            .map(|(tags, name)| {
                let tags = tags
                    .iter()
                    .map(|(t, d)| (TAGS[*t], format!("D{d}")))
                    .collect();
                (name.clone(), tags)
            })
            .collect();
        let borrowed: Vec<(&str, Vec<(&str, &str)>)> = data
            .iter()
            .map(|(n, tags)| {
                (
                    n.as_str(),
                    tags.iter().map(|(t, d)| (*t, d.as_str())).collect(),
                )
            })
            .collect();
        let slices: Vec<(&str, &[(&str, &str)])> =
            borrowed.iter().map(|(n, t)| (*n, t.as_slice())).collect();
        let mut inv = inventory(&slices);
        if index {
            inv = with_indexes(inv, &[("D0", &["D1", "D2"])]);
        }
        for (i, age) in ages.iter().enumerate() {
            if let Some(days) = age {
                let details = inv.manifests.entry(format!("D{i}").into()).or_default();
                details.set_created(Some(now() - SignedDuration::from_hours(24 * days)));
            }
        }
        for repository in inv.repositories.values_mut() {
            for entry in repository.tags.values_mut() {
                entry.set_seen(Some(now() - SignedDuration::from_hours(24 * 40)));
            }
        }
        inv
    })
}

/// A random policy, written as TOML (so the reader is exercised too).
fn arbitrary_policy() -> impl Strategy<Value = String> {
    let repositories =
        prop::sample::select(vec!["[\"**\"]", "[\"r0\"]", "[\"r*\"]", "[\"r1\", \"r2\"]"]);
    let tags = prop::sample::select(vec![
        "tags = [\"1.0\"]",
        "tags = [\"<2\"]",
        "tags = [\">=0\"]",
        "tags_regex = [\"^feature-\"]",
        "tags_regex = [\".*\"]",
        "tags_regex = [\".*\"]\nexclude = [\"latest\"]",
    ]);
    let extra = prop::sample::select(vec![
        "",
        "older_than = \"30d\"",
        "keep_n = 1",
        "keep_n = 2\nkeep_by = \"version\"\ngroup_by = [\"major\"]",
        "keep_n = 1\ngroup_by = [\"variant\"]\nolder_than = \"10d\"",
        "not_pulled_for = \"20d\"",
    ]);
    let action = prop::sample::select(vec!["delete", "delete", "keep"]);
    let rule = (repositories, tags, extra, action);
    let protect = prop::sample::select(vec![
        "",
        "tags = [\"latest\"]",
        "tags = [\"stable\", \"v3\"]\nimages = [\"r0:1.1\"]",
        "tags_regex = [\"^2\"]",
    ]);
    (proptest::collection::vec(rule, 1..4), protect, 0usize..3).prop_map(|(rules, protect, min_keep)| {
        let mut text = format!("version = 1\nmin_keep = {min_keep}\n[protect]\n{protect}\n");
        for (i, (repositories, tags, extra, action)) in rules.into_iter().enumerate() {
            text.push_str(&format!(
                "[[rule]]\nname = \"r{i}\"\naction = \"{action}\"\nrepositories = {repositories}\n{tags}\n{extra}\n"
            ));
        }
        text
    })
}

proptest! {
    /// Whatever the rules: no digest a protected or kept tag points to (or such an index's child, or
    /// a protected image) is deleted anywhere; every deleted tagged image had all its tags deleted;
    /// and each repository keeps min_keep images where it has them.
    #[test]
    fn protected_and_kept_digests_are_never_planned(inv in arbitrary_inventory(), text in arbitrary_policy()) {
        let policy = match parse(&text) {
            Ok(policy) => policy,
            // Keep rules with keep_n ranking nothing, and such: contradictions are errors, not plans.
            Err(_) => return Ok(()),
        };
        let evaluation = policy.evaluate(&inv, now()).unwrap();
        let mut safe: BTreeSet<String> = BTreeSet::new();
        for d in evaluation.decisions().filter(|d| d.fate <= Fate::Kept) {
            safe.extend(inv.with_children(d.digest).map(str::to_owned));
        }
        for (repo, repository) in &inv.repositories {
            for (tag, entry) in &repository.tags {
                if policy.protect.tags.iter().any(|s| s.matches(tag))
                    || policy.protect.images.iter().any(|i| i.repository == *repo && i.tag.as_deref() == Some(tag.as_str()))
                {
                    safe.extend(inv.with_children(&entry.digest).map(str::to_owned));
                }
            }
        }
        let deletions = deleted(&evaluation);
        for (repo, digest) in &deletions {
            prop_assert!(!safe.contains(digest), "{repo}@{digest} is protected or kept\n{text}");
            if let Some(repository) = inv.repositories.get(repo) {
                for (tag, entry) in repository.tags.iter().filter(|(_, e)| e.digest == *digest) {
                    let decision = evaluation.decisions().find(|d| d.repository == *repo && d.tag == *tag).unwrap();
                    prop_assert_eq!(decision.fate, Fate::Delete, "{}:{} of {} is deleted", repo, tag, entry.digest);
                }
            }
        }
        for (repo, repository) in &inv.repositories {
            let images: BTreeSet<&str> = repository.tags.values().map(|e| e.digest.as_str()).collect();
            let remaining = images.iter().filter(|d| !deletions.contains(&(repo.clone(), (**d).to_owned()))).count();
            prop_assert!(remaining >= policy.min_keep.min(images.len()), "{repo} keeps {remaining}\n{text}");
        }
    }
}
