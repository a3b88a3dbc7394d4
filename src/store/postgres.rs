//! The PostgreSQL store: the log of notifications, the tags' history, the pulls and the inventory
//! itself in one database, so several replicas of the service (and commands on other hosts, with
//! `--store URL`) share one state.
//!
//! - Logging is serialized across replicas (`pg_advisory_xact_lock`), so the log's order is the
//!   order of commits and a reader following it by `seq` never skips an event.
//! - The saved inventory (`saved`) is the last refresh or checkpoint with the `seq` of the last
//!   event it includes; every replica folds the later events in memory, and one at a time writes a
//!   checkpoint of what changed.
//! - A job's claim (a refresh, a scheduled policy) holds a session advisory lock on a connection of
//!   its own until dropped: one runner at a time across replicas.
//!
//! Connections are made when needed and made again when PostgreSQL went away; until it is back,
//! every call fails as `Unavailable` (and notifications are answered 503, so the registry retries).

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use jiff::Timestamp;
use sha2::{Digest as _, Sha256};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls};

use super::commit::Committer;
use super::event::Event;
use super::sql::{self, Param, Statement, micros};
use super::{Claim, Logged, Period, Recorded, Store, StoreError, schema};
use crate::inventory::Inventory;

mod saved;

/// A checkpoint written by one replica spares the others theirs for this long.
const CHECKPOINT_CLAIM: Duration = Duration::from_millis(1_800);
/// The advisory lock that serializes logging.
const LOG_LOCK: i64 = 0x7265_6773_7765_6570; // "regsweep"

pub struct Postgres {
    config: Config,
    name: String,
    /// The connection reads share (made again when it closed).
    shared: Mutex<Option<std::sync::Arc<Client>>>,
    committer: Committer,
    /// What this replica last read or wrote of the saved inventory.
    written: Mutex<saved::Written>,
}

impl Postgres {
    /// Connects, applies the migrations the database lacks and checks it is `registry`'s.
    pub async fn open(
        url: &str,
        password: Option<&str>,
        registry: &str,
    ) -> Result<Self, StoreError> {
        let (config, name) = parse(url, password)?;
        let mut client = connect(&config, &name).await?;
        migrate(&mut client, &name, registry).await?;
        let committer = {
            let (config, name) = (config.clone(), name.clone());
            let connection = std::sync::Arc::new(tokio::sync::Mutex::new(Some(client)));
            Committer::start(move |events| {
                let (config, name, connection) = (config.clone(), name.clone(), connection.clone());
                async move {
                    let mut slot = connection.lock().await;
                    if slot.as_ref().is_none_or(Client::is_closed) {
                        *slot = Some(connect(&config, &name).await?);
                    }
                    let client = slot.as_mut().expect("connected just now");
                    let result = commit(client, &name, &events).await;
                    if result.is_err() && client.is_closed() {
                        *slot = None;
                    }
                    result
                }
            })
        };
        Ok(Self {
            config,
            name,
            shared: Mutex::new(None),
            committer,
            written: Mutex::default(),
        })
    }

    /// The shared connection, made (again) when there is none or it closed.
    async fn client(&self) -> Result<std::sync::Arc<Client>, StoreError> {
        let current = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(client) = current.filter(|c| !c.is_closed()) {
            return Ok(client);
        }
        let client = std::sync::Arc::new(connect(&self.config, &self.name).await?);
        *self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(client.clone());
        Ok(client)
    }

    fn error(&self) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        move |e| classify(&self.name, &e)
    }
}

const INSERT_EVENTS: &str = "INSERT INTO events (key, received_us, body) SELECT key, received, \
     body FROM UNNEST($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS e(key, received, \
     body, n) ORDER BY n ON CONFLICT (key) DO NOTHING RETURNING key";

/// The URL read (a password from `password` when the URL has none), and the store named without it.
fn parse(url: &str, password: Option<&str>) -> Result<(Config, String), StoreError> {
    let mut config: Config = url.parse().map_err(|e| {
        StoreError::BadLocation(format!("{} is not a PostgreSQL URL: {e}", masked(url)))
    })?;
    if config.get_password().is_none()
        && let Some(password) = password
    {
        config.password(password);
    }
    config.connect_timeout(Duration::from_secs(5));
    config.application_name("regsweep");
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(host) => host.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let name = format!(
        "the PostgreSQL store postgresql://{}@{}:{port}/{}",
        config.get_user().unwrap_or("?"),
        hosts.join(","),
        config.get_dbname().unwrap_or("?")
    );
    Ok((config, name))
}

/// A URL with its password (if any) replaced, for messages.
fn masked(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "the store URL".to_owned(),
    }
}

async fn connect(config: &Config, name: &str) -> Result<Client, StoreError> {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| classify(name, &e))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("the store's connection ended: {e}");
        }
    });
    Ok(client)
}

/// A PostgreSQL error as the store's: refused credentials, unreachable, or anything else.
fn classify(name: &str, e: &tokio_postgres::Error) -> StoreError {
    let store = name.to_owned();
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let detail = db.message().to_owned();
        return match code {
            // invalid_authorization_specification, invalid_password
            "28000" | "28P01" => StoreError::Refused { store, detail },
            // cannot_connect_now, admin_shutdown, crash_shutdown
            "57P03" | "57P01" | "57P02" => StoreError::Unavailable { store, detail },
            _ => StoreError::Failed { store, detail },
        };
    }
    StoreError::Unavailable {
        store,
        detail: super::innermost(e),
    }
}

async fn migrate(client: &mut Client, name: &str, registry: &str) -> Result<(), StoreError> {
    let error = |e: tokio_postgres::Error| classify(name, &e);
    let tx = client.transaction().await.map_err(error)?;
    // Two replicas starting at once migrate one after the other.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(LOG_LOCK + 1)])
        .await
        .map_err(error)?;
    tx.batch_execute(schema::MIGRATIONS_TABLE)
        .await
        .map_err(error)?;
    let applied: Vec<(i64, String)> = tx
        .query(sql::APPLIED_MIGRATIONS, &[])
        .await
        .map_err(error)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let pending =
        schema::pending(schema::POSTGRES, &applied).map_err(|detail| StoreError::Refusing {
            store: name.to_owned(),
            detail,
        })?;
    for migration in pending {
        tx.batch_execute(migration.sql).await.map_err(error)?;
        let sum = schema::checksum(migration.sql);
        tx.execute(
            sql::RECORD_MIGRATION,
            &[&migration.version, &sum, &micros(Timestamp::now())],
        )
        .await
        .map_err(error)?;
    }
    let owner: Option<String> = tx
        .query_opt(sql::META, &[&"registry"])
        .await
        .map_err(error)?
        .map(|r| r.get(0));
    if super::claims(name, owner, registry)? {
        tx.execute(sql::SET_META, &[&"registry", &registry])
            .await
            .map_err(error)?;
    }
    tx.commit().await.map_err(error)
}

fn bind(params: &[Param]) -> Vec<Box<dyn ToSql + Sync + Send>> {
    params
        .iter()
        .map(|p| -> Box<dyn ToSql + Sync + Send> {
            match p {
                Param::Text(s) => Box::new(s.clone()),
                Param::Int(n) => Box::new(*n),
            }
        })
        .collect()
}

/// Runs statements in order, pipelined on the one connection (PostgreSQL runs them in the order
/// they were sent).
async fn run_all(
    tx: &tokio_postgres::Transaction<'_>,
    statements: &[Statement],
) -> Result<(), tokio_postgres::Error> {
    let bound: Vec<Vec<Box<dyn ToSql + Sync + Send>>> =
        statements.iter().map(|s| bind(&s.params)).collect();
    let runs = statements.iter().zip(&bound).map(|(statement, params)| {
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        async move { tx.execute(statement.sql, &refs).await }
    });
    futures::future::try_join_all(runs).await.map(drop)
}

/// Logs a batch in one transaction, after every other replica's (the log's order is the order of
/// commits); says of each event whether it was new.
async fn commit(
    client: &mut Client,
    name: &str,
    events: &[Event],
) -> Result<Vec<bool>, StoreError> {
    let error = |e: tokio_postgres::Error| classify(name, &e);
    let tx = client.transaction().await.map_err(error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOG_LOCK])
        .await
        .map_err(error)?;
    let now = micros(Timestamp::now());
    let keys: Vec<String> = events.iter().map(Event::key).collect();
    let received = vec![now; events.len()];
    let bodies: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap_or_default())
        .collect();
    let inserted: BTreeSet<String> = tx
        .query(INSERT_EVENTS, &[&keys, &received, &bodies])
        .await
        .map_err(error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    // The first of equal keys in the batch is the new one.
    let mut seen = BTreeSet::new();
    let new: Vec<bool> = keys
        .iter()
        .map(|k| inserted.contains(k) && seen.insert(k.clone()))
        .collect();
    let fresh = events.iter().zip(&new).filter(|(_, n)| **n).map(|(e, _)| e);
    let statements = sql::of_events(fresh, Timestamp::now());
    run_all(&tx, &statements).await.map_err(error)?;
    tx.commit().await.map_err(error)?;
    Ok(new)
}

/// A key for an advisory lock, from a job's name.
fn lock_key(job: &str) -> i64 {
    let hash = Sha256::digest(job.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash[..8]);
    i64::from_le_bytes(bytes)
}

impl Store for Postgres {
    fn describe(&self) -> &str {
        &self.name
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        async move {
            let client = self.client().await?;
            client
                .simple_query("SELECT 1")
                .await
                .map(drop)
                .map_err(self.error())
        }
        .boxed()
    }

    fn record(&self, events: Vec<Event>) -> BoxFuture<'_, Result<Recorded, StoreError>> {
        self.committer.record(events).boxed()
    }

    fn since(&self, seq: u64, limit: usize) -> BoxFuture<'_, Result<Vec<Logged>, StoreError>> {
        async move {
            let client = self.client().await?;
            let (seq, limit) = (
                i64::try_from(seq).unwrap_or(i64::MAX),
                i64::try_from(limit).unwrap_or(i64::MAX),
            );
            let rows = client
                .query(sql::SINCE, &[&seq, &limit])
                .await
                .map_err(self.error())?;
            let rows = rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            super::embedded::logged(&self.name, rows)
        }
        .boxed()
    }

    fn load(&self) -> BoxFuture<'_, Result<Option<Inventory>, StoreError>> {
        self.load_inner().boxed()
    }

    fn checkpoint<'a>(
        &'a self,
        view: &'a mut Inventory,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        async move {
            if let Some(_claim) = self.claim("checkpoint", CHECKPOINT_CLAIM).await? {
                self.write_view(view, false).await?;
            }
            Ok(false)
        }
        .boxed()
    }

    fn save<'a>(
        &'a self,
        view: Inventory,
        _base: Option<&'a Inventory>,
    ) -> BoxFuture<'a, Result<Inventory, StoreError>> {
        // Only the service writes the inventory here (commands read it, and their deletions come
        // back as the registry's notifications): no other writer's change to keep.
        async move {
            self.write_view(&view, true).await?;
            Ok(view)
        }
        .boxed()
    }

    fn history<'a>(
        &'a self,
        repository: &'a str,
        tag: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Period>, StoreError>> {
        async move {
            let client = self.client().await?;
            let error = self.error();
            let rows = client
                .query(sql::PERIODS_OF, &[&repository, &tag])
                .await
                .map_err(&error)?;
            let mut periods = Vec::with_capacity(rows.len());
            for row in rows {
                let period: sql::PeriodRow =
                    (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
                let pulls = client
                    .query_one(sql::PULLS_OF, &[&repository, &period.0])
                    .await
                    .map_err(&error)?;
                periods.push(sql::period(period, (pulls.get(0), pulls.get(1))));
            }
            Ok(periods)
        }
        .boxed()
    }

    fn claim<'a>(
        &'a self,
        job: &'a str,
        every: Duration,
    ) -> BoxFuture<'a, Result<Option<Claim>, StoreError>> {
        async move {
            let error = self.error();
            let client = connect(&self.config, &self.name).await?;
            let locked: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&lock_key(job)])
                .await
                .map_err(&error)?
                .get(0);
            if !locked {
                return Ok(None);
            }
            let now = micros(Timestamp::now());
            let before = now - i64::try_from(every.as_micros()).unwrap_or(i64::MAX / 2);
            let claimed = client
                .query_opt(sql::CLAIM, &[&job, &now, &before])
                .await
                .map_err(&error)?
                .is_some();
            // The lock lives as long as this connection: dropping the claim ends both.
            Ok(claimed.then(|| Claim(Box::new(client))))
        }
        .boxed()
    }
}
