//! The statements both engines run, written once (PostgreSQL's `$n` parameters; the embedded engine
//! turns them into SQLite's `?n`), and what an event or a refresh adds to the tags' history and the
//! pulls: computed here, run by the engine inside the transaction that logs the event or saves the
//! refresh.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Period;
use super::event::{Action, Event, ManifestEvent};
use crate::inventory::{Inventory, is_attachment_tag};

/// A statement's parameter, in the two types the schema uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    Int(i64),
}

/// A statement to run with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Param>,
}

/// Logs an event unless one with its key is logged already; returns its `seq` when it is new.
pub const INSERT_EVENT: &str = "INSERT INTO events (key, received_us, body) VALUES ($1, $2, $3) \
     ON CONFLICT (key) DO NOTHING RETURNING seq";
pub const SINCE: &str =
    "SELECT seq, received_us, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2";
pub const OPEN_PERIODS: &str =
    "SELECT repository, tag, digest FROM tag_history WHERE until_us IS NULL";
pub const PERIODS_OF: &str = "SELECT digest, since_us, until_us, began, ended FROM tag_history \
     WHERE repository = $1 AND tag = $2 ORDER BY since_us, until_us";
pub const PULLS_OF: &str = "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT), MAX(last_us) FROM \
     pulls WHERE repository = $1 AND digest = $2";
/// Marks `job` as run now unless it ran after `$3`; returns a row when this caller may run it.
pub const CLAIM: &str = "INSERT INTO jobs (name, last_us) VALUES ($1, $2) ON CONFLICT (name) DO \
     UPDATE SET last_us = EXCLUDED.last_us WHERE jobs.last_us <= $3 RETURNING name";
pub const META: &str = "SELECT value FROM meta WHERE key = $1";
pub const SET_META: &str = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO \
     UPDATE SET value = EXCLUDED.value";
pub const APPLIED_MIGRATIONS: &str = "SELECT version, checksum FROM migrations ORDER BY version";
pub const RECORD_MIGRATION: &str =
    "INSERT INTO migrations (version, checksum, applied_us) VALUES ($1, $2, $3)";

const CLOSE_MOVED: &str = "UPDATE tag_history SET until_us = $4, ended = $5 WHERE repository = \
     $1 AND tag = $2 AND until_us IS NULL AND digest <> $3";
const OPEN: &str = "INSERT INTO tag_history (repository, tag, digest, since_us, began) SELECT \
     CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT), CAST($5 AS TEXT) \
     WHERE NOT EXISTS (SELECT 1 FROM tag_history WHERE repository = $1 AND tag = $2 AND digest = \
     $3 AND until_us IS NULL)";
const CLOSE_TAG: &str = "UPDATE tag_history SET until_us = $4, ended = $5 WHERE repository = $1 \
     AND tag = $2 AND digest = $3 AND until_us IS NULL";
const CLOSE_DIGEST: &str = "UPDATE tag_history SET until_us = $3, ended = $4 WHERE repository = \
     $1 AND digest = $2 AND until_us IS NULL";
const PULL: &str = "INSERT INTO pulls (repository, digest, day, count, last_us) VALUES ($1, $2, \
     $3, $5, $4) ON CONFLICT (repository, digest, day) DO UPDATE SET count = pulls.count + \
     EXCLUDED.count, last_us = CASE WHEN EXCLUDED.last_us > pulls.last_us THEN EXCLUDED.last_us \
     ELSE pulls.last_us END";

/// Microseconds since the epoch: how the schema keeps times.
pub fn micros(time: Timestamp) -> i64 {
    time.as_microsecond()
}

pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn text(s: &str) -> Param {
    Param::Text(s.to_owned())
}

/// What newly logged events add, in order: a pushed tag's new period (closing the one it ends), a
/// deleted tag's or manifest's periods closed, and the pulls counted (one statement per manifest
/// and day, however many pulls). Events that are no manifest's add nothing.
pub fn of_events<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    now: Timestamp,
) -> Vec<Statement> {
    let mut out = Vec::new();
    // (repository, digest, day) -> (pulls, last)
    let mut pulls: BTreeMap<(&str, &str, String), (i64, i64)> = BTreeMap::new();
    for event in events {
        let Some(ManifestEvent {
            action,
            repository,
            digest,
            tag,
        }) = event.manifest()
        else {
            continue;
        };
        let at = micros(event.at(now));
        if action == Action::Pull {
            let day = event.at(now).strftime("%Y-%m-%d").to_string();
            let counted = pulls.entry((repository, digest, day)).or_insert((0, at));
            counted.0 += 1;
            counted.1 = counted.1.max(at);
            continue;
        }
        out.extend(period_changes(action, (repository, tag, digest), at));
    }
    out.extend(
        pulls
            .into_iter()
            .map(|((repo, digest, day), (n, last))| Statement {
                sql: PULL,
                params: vec![
                    text(repo),
                    text(digest),
                    Param::Text(day),
                    Param::Int(last),
                    Param::Int(n),
                ],
            }),
    );
    out
}

/// The history statements of one push or delete.
fn period_changes(
    action: Action,
    (repository, tag, digest): (&str, Option<&str>, &str),
    at: i64,
) -> Vec<Statement> {
    let (repo, digest) = (text(repository), text(digest));
    match (action, tag) {
        (Action::Push, Some(tag)) => {
            let tag = text(tag);
            let why = text("push");
            vec![
                Statement {
                    sql: CLOSE_MOVED,
                    params: vec![
                        repo.clone(),
                        tag.clone(),
                        digest.clone(),
                        Param::Int(at),
                        why.clone(),
                    ],
                },
                Statement {
                    sql: OPEN,
                    params: vec![repo, tag, digest, Param::Int(at), why],
                },
            ]
        }
        (Action::Delete, Some(tag)) => vec![Statement {
            sql: CLOSE_TAG,
            params: vec![repo, text(tag), digest, Param::Int(at), text("delete")],
        }],
        (Action::Delete, None) => vec![Statement {
            sql: CLOSE_DIGEST,
            params: vec![repo, digest, Param::Int(at), text("delete")],
        }],
        (Action::Push, None) | (Action::Pull, _) => Vec::new(),
    }
}

/// What a refresh shows: a tag on another digest than its open period's begins a new period, a tag
/// gone ends its period, a tag new to the history begins one (since it was first seen).
/// `open`: the open periods, (repository, tag, digest).
pub fn of_refresh(open: &[(String, String, String)], view: &Inventory) -> Vec<Statement> {
    let at = micros(view.refreshed_at);
    let why = || text("refresh");
    let mut was: BTreeMap<(&str, &str), &str> = open
        .iter()
        .map(|(r, t, d)| ((r.as_str(), t.as_str()), d.as_str()))
        .collect();
    let mut out = Vec::new();
    for (repo, repository) in &view.repositories {
        for (tag, entry) in repository
            .tags
            .iter()
            .filter(|(t, _)| !is_attachment_tag(t))
        {
            let before = was.remove(&(repo.as_str(), tag.as_str()));
            if before == Some(entry.digest.as_str()) {
                continue;
            }
            let (repo, tag, digest) = (text(repo), text(tag), text(&entry.digest));
            if before.is_some() {
                out.push(Statement {
                    sql: CLOSE_MOVED,
                    params: vec![
                        repo.clone(),
                        tag.clone(),
                        digest.clone(),
                        Param::Int(at),
                        why(),
                    ],
                });
            }
            let since = entry.seen().map_or(at, micros).min(at);
            out.push(Statement {
                sql: OPEN,
                params: vec![repo, tag, digest, Param::Int(since), why()],
            });
        }
    }
    for ((repo, tag), digest) in was {
        out.push(Statement {
            sql: CLOSE_TAG,
            params: vec![text(repo), text(tag), text(digest), Param::Int(at), why()],
        });
    }
    out
}

/// A history row as the engines read it: digest, since, until, began, ended.
pub type PeriodRow = (String, i64, Option<i64>, String, Option<String>);

/// A period from its row, with the pulls of its manifest (total, last).
pub fn period(row: PeriodRow, (pulls, last): (i64, Option<i64>)) -> Period {
    let (digest, since, until, began, ended) = row;
    Period {
        digest,
        since: from_micros(since),
        until: until.map(from_micros),
        began,
        ended,
        pulls: u64::try_from(pulls).unwrap_or(0),
        last_pulled: last.map(from_micros),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::testing::inventory;

    #[test]
    fn a_refresh_opens_moves_and_closes_periods() {
        let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let view = inventory(&[("app", &[("1.0", &d('a')), ("latest", &d('b'))])]);
        let open = vec![
            ("app".to_owned(), "latest".to_owned(), d('a')),
            ("app".to_owned(), "1.0".to_owned(), d('a')),
            ("app".to_owned(), "gone".to_owned(), d('c')),
        ];
        let sql: Vec<&str> = of_refresh(&open, &view).iter().map(|s| s.sql).collect();
        // 1.0 unchanged; latest moved (close, open); gone closed.
        assert_eq!(sql, [CLOSE_MOVED, OPEN, CLOSE_TAG]);
        assert!(of_refresh(&[], &view).iter().all(|s| s.sql == OPEN));
    }
}
