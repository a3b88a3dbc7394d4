//! The embedded store: the inventory stays in the registry's cache files (which every command reads,
//! and which every writer updates under the cache's lock), and what the service adds lives in one
//! SQLite file (`<data dir>/regsweep/store/<registry>.sqlite`): the log of the registry's
//! notifications, the tags' history, the pulls. SQLite in WAL mode with `synchronous = FULL` syncs
//! every commit, so an acknowledged event survives a crash or a power cut; why SQLite rather than an
//! append-only file of our own is in DEVELOPERS.md ("The service's store").

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension as _, params_from_iter};

use super::commit::Committer;
use super::event::Event;
use super::sql::{self, Param, Statement, micros};
use super::{Claim, Logged, Period, Recorded, Store, StoreError, schema};
use crate::cache::CacheFile;
use crate::inventory::Inventory;
use crate::registry::RegistryAddress;

pub struct Embedded {
    db: Arc<Mutex<Connection>>,
    cache: CacheFile,
    registry: RegistryAddress,
    name: String,
    committer: Committer,
}

impl Embedded {
    /// Opens (creating it if need be) the store at `database` for `registry`, whose inventory is in
    /// `cache`.
    pub async fn open(
        database: &Path,
        cache: CacheFile,
        registry: &RegistryAddress,
    ) -> Result<Self, StoreError> {
        let name = format!("the embedded store {}", database.display());
        let path = database.to_owned();
        let (registry_name, label) = (registry.to_string(), name.clone());
        let db = blocking(name.clone(), move || connect(&path, &registry_name, &label)).await?;
        let db = Arc::new(Mutex::new(db));
        let committer = {
            let (db, name) = (db.clone(), name.clone());
            Committer::start(move |events| {
                let (db, name) = (db.clone(), name.clone());
                blocking(name.clone(), move || commit(&db, &name, &events))
            })
        };
        Ok(Self {
            db,
            cache,
            registry: registry.clone(),
            name,
            committer,
        })
    }

    /// The store's file for a registry: beside the journals, in the user's data directory (not in
    /// the cache directory, which tools may empty: this is history the registry cannot give back).
    pub fn default_path(registry: &RegistryAddress) -> Option<PathBuf> {
        Some(
            dirs::data_dir()?
                .join("regsweep")
                .join("store")
                .join(format!("{}.sqlite", registry.file_stem())),
        )
    }

    /// Runs `work` on the connection on a blocking thread.
    async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (db, name) = (self.db.clone(), self.name.clone());
        blocking(self.name.clone(), move || {
            let mut db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&mut db).map_err(|e| failed(&name, e))
        })
        .await
    }
}

fn failed(name: &str, e: rusqlite::Error) -> StoreError {
    StoreError::Failed {
        store: name.to_owned(),
        detail: e.to_string(),
    }
}

/// Runs blocking work off the async threads.
async fn blocking<T: Send + 'static>(
    name: String,
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Failed {
            store: name,
            detail: format!("a store task failed: {e}"),
        })?
}

/// Opens the file, makes every commit durable, applies the migrations it lacks, and checks it is
/// `registry`'s.
fn connect(path: &Path, registry: &str, name: &str) -> Result<Connection, StoreError> {
    let fail = |e: rusqlite::Error| failed(name, e);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Failed {
            store: name.to_owned(),
            detail: format!("cannot create {}: {e}", dir.display()),
        })?;
    }
    let mut db = Connection::open(path).map_err(fail)?;
    db.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
    db.pragma_update(None, "journal_mode", "WAL")
        .map_err(fail)?;
    db.pragma_update(None, "synchronous", "FULL")
        .map_err(fail)?;
    let tx = db.transaction().map_err(fail)?;
    tx.execute(schema::MIGRATIONS_TABLE, []).map_err(fail)?;
    let applied: Vec<(i64, String)> = {
        let mut q = tx.prepare(sql::APPLIED_MIGRATIONS).map_err(fail)?;
        q.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?
    };
    let pending =
        schema::pending(schema::SQLITE, &applied).map_err(|detail| StoreError::Refusing {
            store: name.to_owned(),
            detail,
        })?;
    for migration in pending {
        tx.execute_batch(migration.sql).map_err(fail)?;
        tx.execute(
            &to_sqlite(sql::RECORD_MIGRATION),
            rusqlite::params![
                migration.version,
                schema::checksum(migration.sql),
                micros(Timestamp::now())
            ],
        )
        .map_err(fail)?;
    }
    let owner: Option<String> = tx
        .query_row(&to_sqlite(sql::META), ["registry"], |row| row.get(0))
        .optional()
        .map_err(fail)?;
    if super::claims(name, owner, registry)? {
        tx.execute(&to_sqlite(sql::SET_META), ["registry", registry])
            .map_err(fail)?;
    }
    tx.commit().map_err(fail)?;
    Ok(db)
}

/// PostgreSQL's `$n` parameters as SQLite's `?n`.
fn to_sqlite(sql: &str) -> String {
    sql.replace('$', "?")
}

fn bind(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => rusqlite::types::Value::Text(s.clone()),
            Param::Int(n) => rusqlite::types::Value::Integer(*n),
        })
        .collect()
}

fn run(tx: &rusqlite::Transaction, statement: &Statement) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(&to_sqlite(statement.sql))?
        .execute(params_from_iter(bind(&statement.params)))
        .map(drop)
}

/// Logs a batch in one transaction: each event new by its key with what it adds to the history
/// and the pulls. Says of each whether it was new.
fn commit(db: &Mutex<Connection>, name: &str, events: &[Event]) -> Result<Vec<bool>, StoreError> {
    let fail = |e| failed(name, e);
    let mut db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let tx = db.transaction().map_err(fail)?;
    let now = Timestamp::now();
    let mut new = Vec::with_capacity(events.len());
    for event in events {
        let body = serde_json::to_string(event).unwrap_or_default();
        let seq: Option<i64> = tx
            .prepare_cached(&to_sqlite(sql::INSERT_EVENT))
            .map_err(fail)?
            .query_row(rusqlite::params![event.key(), micros(now), body], |r| {
                r.get(0)
            })
            .optional()
            .map_err(fail)?;
        new.push(seq.is_some());
    }
    let fresh = events.iter().zip(&new).filter(|(_, n)| **n).map(|(e, _)| e);
    for statement in sql::of_events(fresh, now) {
        run(&tx, &statement).map_err(fail)?;
    }
    tx.commit().map_err(fail)?;
    Ok(new)
}

impl Store for Embedded {
    fn describe(&self) -> &str {
        &self.name
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        self.with_db(|db| db.query_row("SELECT 1", [], |_| Ok(())))
            .boxed()
    }

    fn record(&self, events: Vec<Event>) -> BoxFuture<'_, Result<Recorded, StoreError>> {
        self.committer.record(events).boxed()
    }

    fn since(&self, seq: u64, limit: usize) -> BoxFuture<'_, Result<Vec<Logged>, StoreError>> {
        let name = self.name.clone();
        async move {
            let rows: Vec<(i64, i64, String)> = self
                .with_db(move |db| {
                    let mut q = db.prepare_cached(&to_sqlite(sql::SINCE))?;
                    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
                    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                    q.query_map([seq, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                        .collect()
                })
                .await?;
            logged(&name, rows)
        }
        .boxed()
    }

    fn load(&self) -> BoxFuture<'_, Result<Option<Inventory>, StoreError>> {
        async move {
            let loaded = tokio::task::block_in_place(|| {
                let Some(mut inventory) = self.cache.load(&self.registry)? else {
                    return Ok(None);
                };
                self.cache.load_all_details(&mut inventory)?;
                Ok(Some(inventory))
            })
            .map_err(|e: crate::cache::CacheError| StoreError::Failed {
                store: self.name.clone(),
                detail: e.to_string(),
            })?;
            let Some(mut inventory) = loaded else {
                return Ok(None);
            };
            // A cache that followed further than this log goes followed another one (the store's
            // file was deleted or moved): this log is read from its start.
            let last: i64 = self
                .with_db(|db| {
                    db.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
                })
                .await?;
            if inventory.events_seq > u64::try_from(last).unwrap_or(0) {
                tracing::warn!(
                    "the cache followed {} events, {} holds {last}: following it from its start",
                    inventory.events_seq,
                    self.name
                );
                inventory.events_seq = 0;
            }
            Ok(Some(inventory))
        }
        .boxed()
    }

    fn checkpoint<'a>(
        &'a self,
        view: &'a mut Inventory,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        async move {
            let mut unread = None;
            let mut merged = false;
            let written = tokio::task::block_in_place(|| {
                self.cache
                    .write_over(&self.registry, view, |current, ours| {
                        // Another writer wrote the cache since (a command's removal or refresh): its
                        // cache stays, with what the view read and the logged events it lacks.
                        let Some(mut current) = current else {
                            return Some(ours.clone());
                        };
                        merged = true;
                        crate::inventory::merge_details(&mut current.manifests, &ours.manifests);
                        let mut at = current.events_seq;
                        while at < ours.events_seq {
                            match read_log(&self.db, &self.name, at, ours.events_seq) {
                                Ok(events) if !events.is_empty() => {
                                    super::fold(&mut current, &events);
                                    at = current.events_seq;
                                }
                                Ok(_) => break,
                                Err(e) => {
                                    unread = Some(e);
                                    return None;
                                }
                            }
                        }
                        current.events_seq = current.events_seq.max(ours.events_seq);
                        Some(current)
                    })
            })
            .map_err(|e| StoreError::Failed {
                store: self.name.clone(),
                detail: e.to_string(),
            })?;
            match unread {
                Some(e) => Err(e),
                None if !written => Err(StoreError::Failed {
                    store: self.name.clone(),
                    detail: "the cache was not written".into(),
                }),
                None => Ok(merged),
            }
        }
        .boxed()
    }

    fn save<'a>(
        &'a self,
        view: Inventory,
        base: Option<&'a Inventory>,
    ) -> BoxFuture<'a, Result<Inventory, StoreError>> {
        async move {
            let saved =
                tokio::task::block_in_place(|| self.cache.save_refresh(&self.registry, base, view))
                    .map_err(|e| StoreError::Failed {
                        store: self.name.clone(),
                        detail: e.to_string(),
                    })?;
            let view = saved.clone();
            self.with_db(move |db| {
                let tx = db.transaction()?;
                let open: Vec<(String, String, String)> = {
                    let mut q = tx.prepare(sql::OPEN_PERIODS)?;
                    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                        .collect::<Result<_, _>>()?
                };
                for statement in sql::of_refresh(&open, &view) {
                    run(&tx, &statement)?;
                }
                tx.commit()
            })
            .await?;
            Ok(saved)
        }
        .boxed()
    }

    fn history<'a>(
        &'a self,
        repository: &'a str,
        tag: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Period>, StoreError>> {
        let (repository, tag) = (repository.to_owned(), tag.to_owned());
        self.with_db(move |db| {
            let mut q = db.prepare(&to_sqlite(sql::PERIODS_OF))?;
            let rows: Vec<sql::PeriodRow> = q
                .query_map([&repository, &tag], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut pulls = db.prepare(&to_sqlite(sql::PULLS_OF))?;
            rows.into_iter()
                .map(|row| {
                    let counted =
                        pulls.query_row([&repository, &row.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    Ok(sql::period(row, counted))
                })
                .collect()
        })
        .boxed()
    }

    fn claim<'a>(
        &'a self,
        job: &'a str,
        every: Duration,
    ) -> BoxFuture<'a, Result<Option<Claim>, StoreError>> {
        let job = job.to_owned();
        async move {
            let now = micros(Timestamp::now());
            let before = now - i64::try_from(every.as_micros()).unwrap_or(i64::MAX / 2);
            let claimed: Option<String> = self
                .with_db(move |db| {
                    db.query_row(
                        &to_sqlite(sql::CLAIM),
                        rusqlite::params![job, now, before],
                        |r| r.get(0),
                    )
                    .optional()
                })
                .await?;
            // One process serves an embedded store: the claim is the interval's, no lock to hold.
            Ok(claimed.map(|_| Claim(Box::new(()))))
        }
        .boxed()
    }
}

/// The logged events after `after` up to `upto` (at most a fold's batch), read on this thread.
fn read_log(
    db: &Mutex<Connection>,
    name: &str,
    after: u64,
    upto: u64,
) -> Result<Vec<Logged>, StoreError> {
    let rows: Vec<(i64, i64, String)> = {
        let db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let read = || -> Result<_, rusqlite::Error> {
            let mut q = db.prepare_cached(&to_sqlite(sql::SINCE))?;
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            q.query_map([after, super::FOLD_BATCH as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect()
        };
        read().map_err(|e| failed(name, e))?
    };
    let mut events = logged(name, rows)?;
    events.retain(|l| l.seq <= upto);
    Ok(events)
}

/// Log rows as events; a row that does not read back is the store's corruption.
pub(super) fn logged(name: &str, rows: Vec<(i64, i64, String)>) -> Result<Vec<Logged>, StoreError> {
    rows.into_iter()
        .map(|(seq, received, body)| {
            let event = serde_json::from_str(&body).map_err(|e| StoreError::Failed {
                store: name.to_owned(),
                detail: format!("logged event {seq} does not read back: {e}"),
            })?;
            Ok(Logged {
                seq: u64::try_from(seq).unwrap_or(0),
                received: sql::from_micros(received),
                event,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull(id: &str, at: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "id": id, "timestamp": at, "action": "pull",
            "target": {"mediaType": crate::media_type::OCI_MANIFEST,
                       "digest": format!("sha256:{}", "a".repeat(64)),
                       "repository": "app", "tag": "1.0"}
        }))
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn events_are_logged_once_and_counted_as_pulls() {
        let dir = tempfile::tempdir().unwrap();
        let registry = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        let cache = CacheFile::at(dir.path().join("cache.json"));
        let path = dir.path().join("store.sqlite");
        let store = Embedded::open(&path, cache.clone(), &registry)
            .await
            .unwrap();
        let first = vec![
            pull("1", "2026-12-01T10:00:00Z"),
            pull("2", "2026-12-01T11:00:00Z"),
        ];
        assert_eq!(store.record(first.clone()).await.unwrap().new, 2);
        let again = store.record(first).await.unwrap();
        assert_eq!((again.new, again.again), (0, 2), "a redelivered envelope");
        let logged = store.since(0, 100).await.unwrap();
        assert_eq!(logged.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2]);
        drop(store);
        // Another registry's store is refused, not taken over.
        let other = RegistryAddress::parse("http://127.0.0.1:6000").unwrap();
        let refused = Embedded::open(&path, cache, &other).await.err().unwrap();
        assert!(matches!(refused, StoreError::Refusing { .. }), "{refused}");
    }
}
