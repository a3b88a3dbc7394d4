//! Selection by age and by rank: `--older-than`, `--newer-than`, `--keep N` (`--keep-by`), and how
//! many images an age filter passes over for lacking a created time.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};

use super::selector::{TagSelector, any_matches};
use crate::inventory::{Inventory, TagEntry};
use crate::version::Version;

/// Selection by age and by rank: `--older-than`, `--newer-than`, `--keep N` (`--keep-by`). An image
/// without a created time never matches an age filter.
#[derive(Debug, Clone)]
pub struct Retention {
    pub older_than: Option<SignedDuration>,
    pub newer_than: Option<SignedDuration>,
    /// Keep the N newest candidates of each repository.
    pub keep: Option<usize>,
    pub keep_by: KeepBy,
    /// Only tags first seen pointing to their digest before this (`--tagged-before`).
    pub tagged_before: Option<Timestamp>,
    /// Only tags whose manifest was last pulled (or, never seen pulled, first seen) longer ago than
    /// this (`--not-pulled-for`).
    pub not_pulled_for: Option<SignedDuration>,
    /// The time ages are measured from.
    pub now: Timestamp,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeepBy {
    /// The image's created time.
    #[default]
    Created,
    /// The highest version among the image's tags.
    Version,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            older_than: None,
            newer_than: None,
            keep: None,
            keep_by: KeepBy::default(),
            tagged_before: None,
            not_pulled_for: None,
            now: Timestamp::UNIX_EPOCH,
        }
    }
}

impl Retention {
    /// Whether it filters by the images' created times.
    pub fn filters_by_age(&self) -> bool {
        self.older_than.is_some() || self.newer_than.is_some()
    }

    /// Whether it selects by anything but tag names.
    pub fn selects(&self) -> bool {
        self.filters_by_age()
            || self.keep.is_some()
            || self.tagged_before.is_some()
            || self.not_pulled_for.is_some()
    }

    /// Whether selecting needs the images' created times.
    pub fn needs_created(&self) -> bool {
        self.filters_by_age() || (self.keep.is_some() && self.keep_by == KeepBy::Created)
    }

    /// Whether a tag passes the age filters: the image's created time, when the tag was first seen,
    /// when its manifest was last pulled. What is unknown never matches, so an unknown never selects
    /// an image for removal.
    pub(super) fn matches(&self, inventory: &Inventory, entry: &TagEntry) -> bool {
        self.created_matches(created_of(inventory, &entry.digest)) && self.history_matches(entry)
    }

    fn created_matches(&self, created: Option<Timestamp>) -> bool {
        if !self.filters_by_age() {
            return true;
        }
        let Some(created) = created else {
            return false;
        };
        let age = self.now.duration_since(created);
        self.older_than.is_none_or(|d| age > d) && self.newer_than.is_none_or(|d| age < d)
    }

    /// `--tagged-before` and `--not-pulled-for`. A manifest never seen pulled counts as pulled when
    /// its tag was first seen: regsweep cannot know of pulls before it watched.
    fn history_matches(&self, entry: &TagEntry) -> bool {
        let tagged = self
            .tagged_before
            .is_none_or(|before| entry.seen().is_some_and(|seen| seen < before));
        let unpulled = self.not_pulled_for.is_none_or(|d| {
            entry
                .pulled()
                .or(entry.seen())
                .is_some_and(|last| self.now.duration_since(last) > d)
        });
        tagged && unpulled
    }
}

/// An age such as `30d`, `12h`, `2w`, `1w 3d` (days and weeks counting 24 hours); `None` unless it is
/// one and positive. The command line and policy files read ages alike.
pub fn parse_age(text: &str) -> Option<SignedDuration> {
    let span: jiff::Span = text.trim().parse().ok()?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .ok()?;
    (duration.is_positive()).then_some(duration)
}

pub(super) fn created_of(inventory: &Inventory, digest: &str) -> Option<Timestamp> {
    inventory.manifests.get(digest).and_then(|d| d.created())
}

/// The digests of one repository to keep under `--keep N`: the N newest of `candidates` (digest ->
/// its candidate tags), by created time or by highest version.
pub(super) fn kept_digests<'a>(
    inventory: &Inventory,
    retention: &Retention,
    candidates: &BTreeMap<&'a str, Vec<&'a str>>,
) -> BTreeSet<&'a str> {
    let Some(keep) = retention.keep else {
        return BTreeSet::new();
    };
    let mut ranked: Vec<&str> = candidates.keys().copied().collect();
    match retention.keep_by {
        KeepBy::Created => ranked.sort_by_key(|d| std::cmp::Reverse(created_of(inventory, d))),
        KeepBy::Version => ranked.sort_by_key(|d| {
            std::cmp::Reverse(candidates[d].iter().filter_map(|t| Version::parse(t)).max())
        }),
    }
    ranked.into_iter().take(keep).collect()
}

/// How many images an age filter passed over for lacking a created time: distinct (repository,
/// digest) pairs in `repositories` whose tags match `include` (every tag when it is empty).
pub fn undated(
    inventory: &Inventory,
    repositories: &[String],
    include: &[TagSelector],
    retention: &Retention,
) -> usize {
    if !retention.filters_by_age() {
        return 0;
    }
    let mut undated = BTreeSet::new();
    for repo in repositories {
        let Some(repository) = inventory.repositories.get(repo) else {
            continue;
        };
        for (tag, entry) in &repository.tags {
            let named = include.is_empty() || any_matches(include, tag);
            if named && created_of(inventory, &entry.digest).is_none() {
                undated.insert((repo.as_str(), entry.digest.as_str()));
            }
        }
    }
    undated.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::select_tags;
    use crate::select::testing::*;
    use crate::select::{TagQuery, select_repositories};

    /// `app` with tags 1.0 .. 1.4 built 10, 20, 30, 40 and 50 days before `now`, one undated tag,
    /// and `latest` sharing 1.4's digest.
    fn dated() -> (Inventory, Timestamp) {
        let mut inv = inventory(&[(
            "app",
            &[
                ("1.0", "D0"),
                ("1.1", "D1"),
                ("1.2", "D2"),
                ("1.3", "D3"),
                ("1.4", "D4"),
                ("latest", "D4"),
                ("nodate", "DX"),
            ],
        )]);
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        for (i, digest) in ["D4", "D3", "D2", "D1", "D0"].iter().enumerate() {
            inv.manifests.insert(
                (*digest).into(),
                Box::new(crate::inventory::ManifestDetails {
                    created: Some(
                        (now - SignedDuration::from_hours(24 * 10 * (i as i64 + 1))).into(),
                    ),
                    manifest_bytes: Some(100),
                    ..Default::default()
                }),
            );
        }
        (inv, now)
    }

    fn retained(
        inv: &Inventory,
        now: Timestamp,
        include: &[&str],
        retention: Retention,
    ) -> Vec<String> {
        let mut q = tag_query(&["app"], include, &[]);
        q.retention = Retention { now, ..retention };
        select_tags(inv, &q)
            .unwrap()
            .into_iter()
            .flat_map(|r| r.tags)
            .collect()
    }

    #[test]
    fn age_filters_select_by_created_time() {
        let (inv, now) = dated();
        let days = |n: i64| Some(SignedDuration::from_hours(24 * n));
        let older = Retention {
            older_than: days(25),
            ..Default::default()
        };
        assert_eq!(
            retained(&inv, now, &[], older.clone()),
            ["1.0", "1.1", "1.2"]
        );
        assert_eq!(
            retained(&inv, now, &["<1.2"], older),
            ["1.0", "1.1"],
            "a conjunction"
        );
        let newer = Retention {
            newer_than: days(25),
            ..Default::default()
        };
        assert_eq!(retained(&inv, now, &[], newer), ["1.3", "1.4", "latest"]);
        let q = TagQuery {
            retention: Retention {
                older_than: days(1),
                now,
                ..Default::default()
            },
            ..tag_query(&["app"], &[], &[])
        };
        assert_eq!(undated(&inv, &q.repositories, &q.include, &q.retention), 1);
    }

    #[test]
    fn history_filters_select_by_first_seen_and_last_pull() {
        let (mut inv, now) = dated();
        let days_ago = |n: i64| Some(now - SignedDuration::from_hours(24 * n));
        let tags = &mut inv.repositories.get_mut("app").unwrap().tags;
        tags.get_mut("1.0").unwrap().set_seen(days_ago(40));
        tags.get_mut("1.1").unwrap().set_seen(days_ago(40));
        tags.get_mut("1.1").unwrap().set_pulled(days_ago(2));
        tags.get_mut("1.2").unwrap().set_seen(days_ago(5));
        // 1.3, 1.4, latest and nodate: never seen (an older cache) and so never selected.
        let tagged = Retention {
            tagged_before: days_ago(30),
            ..Default::default()
        };
        assert_eq!(retained(&inv, now, &[], tagged), ["1.0", "1.1"]);
        let unpulled = Retention {
            not_pulled_for: Some(SignedDuration::from_hours(24 * 30)),
            ..Default::default()
        };
        assert_eq!(
            retained(&inv, now, &[], unpulled),
            ["1.0"],
            "1.1 was pulled 2 days ago, 1.2 was first seen 5 days ago"
        );
    }

    #[test]
    fn keep_spares_the_newest_candidates() {
        let (inv, now) = dated();
        let keep = |n, by| Retention {
            keep: Some(n),
            keep_by: by,
            ..Default::default()
        };
        // Candidates: everything dated and undated; the 2 newest images (1.4/latest and 1.3) stay.
        assert_eq!(
            retained(&inv, now, &["re:.*"], keep(2, KeepBy::Created)),
            ["1.0", "1.1", "1.2", "nodate"]
        );
        assert_eq!(
            retained(&inv, now, &["re:1"], keep(1, KeepBy::Version)),
            ["1.0", "1.1", "1.2", "1.3"]
        );
        // Older than 25 days, keeping the newest 1 of those: 1.2 stays.
        let both = Retention {
            older_than: Some(SignedDuration::from_hours(24 * 25)),
            keep: Some(1),
            ..Default::default()
        };
        assert_eq!(retained(&inv, now, &[], both), ["1.0", "1.1"]);
    }

    #[test]
    fn repository_queries_filter_digests_by_age_and_keep() {
        let (inv, now) = dated();
        let mut q = repo_query(&["app"], true);
        q.retention = Retention {
            keep: Some(3),
            now,
            ..Default::default()
        };
        let digests: Vec<String> = select_repositories(&inv, &q)
            .unwrap()
            .into_iter()
            .map(|r| r.digest.to_string())
            .collect();
        assert_eq!(digests, ["D0", "D1", "DX"]);
    }
}
