//! The service's state, and what the commands read of it: the registry's notifications as a
//! durable log (each event once, by its id), each tag's history (what it pointed to when), pulls per
//! manifest and day, and the inventory the commands use. Two engines behind one small trait:
//!
//! - `embedded` (the default, no server): the cache files every command already reads hold the
//!   inventory; beside them an SQLite file holds what the service adds (the log, the history, the
//!   pulls), in WAL mode with every commit synced to disk;
//! - `postgres`: all of it in one PostgreSQL database, for several replicas of the service and for
//!   commands on other hosts (`--store URL`).
//!
//! An event is acknowledged only once it is committed (`record`), so a crash right after the answer
//! loses nothing; concurrent envelopes share one commit (`commit`). Each engine's schema is versioned
//! (`schema`) and applied when the store is opened; a store written by a newer build, one whose
//! applied migrations differ from this build's, or one of another registry is refused, never
//! touched.
//!
//! A reader's view is the saved inventory (`load`) plus the events logged after it (`since`), folded
//! in (`fold`, with `event::apply`: the one place that says what an event changes). The service
//! folds in memory and writes its view back now and then (`checkpoint`); the log, not the view, is
//! what makes an acknowledgement a promise.

mod commit;
mod embedded;
pub mod event;
mod postgres;
mod schema;
mod sql;

use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use serde::Serialize;

pub use embedded::Embedded;
pub use event::{Envelope, Event};
pub use postgres::Postgres;

use crate::cache::CacheFile;
use crate::inventory::Inventory;
use crate::registry::RegistryAddress;

/// The store's side of every question: the two engines answer the same ones.
pub trait Store: Send + Sync {
    /// Which store, in words safe to print (a password never appears).
    fn describe(&self) -> &str;

    /// Whether the store answers now.
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Commits `events` (each only once: one already logged, by `Event::key`, is passed over) with
    /// what they add to the tags' history and the pulls. Returns once committed.
    fn record(&self, events: Vec<Event>) -> BoxFuture<'_, Result<Recorded, StoreError>>;

    /// The events logged after `seq`, oldest first, at most `limit` of them.
    fn since(&self, seq: u64, limit: usize) -> BoxFuture<'_, Result<Vec<Logged>, StoreError>>;

    /// The inventory as last saved, whole (details included), its `events_seq` the last event
    /// it includes; `None` before the first save.
    fn load(&self) -> BoxFuture<'_, Result<Option<Inventory>, StoreError>>;

    /// Writes what a view gained since it was last loaded, saved or checkpointed (events folded in
    /// with `fold`, details read for pushed manifests), so a restart and the commands start from
    /// it. Embedded: the cache files, written over when no other writer wrote them since, else the
    /// cache as it is now with the view's details and the log's events it lacks (and the view
    /// becomes that). PostgreSQL: the repositories and details that changed, by one replica at a
    /// time. Never needed for durability: the log holds every acknowledged event. Returns whether
    /// the view took in another writer's changes.
    fn checkpoint<'a>(&'a self, view: &'a mut Inventory)
    -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Saves a whole view read from the registry (`base`: the view the read started from, against
    /// which other writers' changes are kept), and what it shows of the tags' history. Returns what
    /// was saved.
    fn save<'a>(
        &'a self,
        view: Inventory,
        base: Option<&'a Inventory>,
    ) -> BoxFuture<'a, Result<Inventory, StoreError>>;

    /// What `repository:tag` pointed to when, with each manifest's pulls.
    fn history<'a>(
        &'a self,
        repository: &'a str,
        tag: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Period>, StoreError>>;

    /// Whether this process may run `job` now: it holds the job's lock (one runner at a time
    /// across every process on the store) and no process ran it within `every`. The lock is held
    /// until the `Claim` is dropped.
    fn claim<'a>(
        &'a self,
        job: &'a str,
        every: Duration,
    ) -> BoxFuture<'a, Result<Option<Claim>, StoreError>>;
}

/// A job's lock, held until dropped.
pub struct Claim(#[allow(dead_code)] Box<dyn Send + Sync>);

/// What `record` committed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Events logged now.
    pub new: usize,
    /// Events logged before (a redelivered envelope): passed over.
    pub again: usize,
}

/// An event as the log holds it: its place in the log, and when it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub seq: u64,
    pub received: Timestamp,
    pub event: Event,
}

/// One period of a tag's history: from when to when it pointed to a digest, how the period began
/// and ended, and the pulls of that manifest in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub digest: String,
    pub since: Timestamp,
    /// `None`: it still does.
    pub until: Option<Timestamp>,
    /// `push` (a notification) or `refresh` (first seen when regsweep read the registry).
    pub began: String,
    /// `push` (moved by a push), `delete`, or `refresh` (gone when regsweep read the registry).
    pub ended: Option<String>,
    pub pulls: u64,
    pub last_pulled: Option<Timestamp>,
}

/// Which store to open.
#[derive(Clone)]
pub enum Location {
    /// The SQLite file `database` for what the service adds; the inventory in the cache `cache`.
    Embedded { database: PathBuf, cache: CacheFile },
    /// A PostgreSQL database; the password, when not in the URL, from `password`.
    Postgres {
        url: String,
        password: Option<String>,
    },
}

/// Opens a store of `registry`: applies the schema's migrations a new store lacks, and refuses a
/// store of another registry or of a schema this build does not know.
pub async fn open(
    location: &Location,
    registry: &RegistryAddress,
) -> Result<Box<dyn Store>, StoreError> {
    Ok(match location {
        Location::Embedded { database, cache } => {
            Box::new(Embedded::open(database, cache.clone(), registry).await?)
        }
        Location::Postgres { url, password } => {
            Box::new(Postgres::open(url, password.as_deref(), &registry.to_string()).await?)
        }
    })
}

/// The most specific message of an error's chain.
/// Whose store this is, by the registry its metadata names: another registry's is refused, never
/// written over; `Ok(true)` when none is named yet and this registry is to claim it.
fn claims(store: &str, owner: Option<String>, registry: &str) -> Result<bool, StoreError> {
    match owner {
        Some(owner) if owner != registry => Err(StoreError::Refusing {
            store: store.to_owned(),
            detail: format!("it is the store of {owner}, not of {registry}"),
        }),
        Some(_) => Ok(false),
        None => Ok(true),
    }
}

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        last = cause.to_string();
        source = cause.source();
    }
    last
}

/// Folds logged events into a view, in memory: those it does not hold yet (after its
/// `events_seq`) are applied, and its `events_seq` becomes the last one's.
pub fn fold(view: &mut Inventory, events: &[Logged]) {
    let Some(last) = events.last().map(|l| l.seq) else {
        return;
    };
    let fresh: Vec<Event> = events
        .iter()
        .filter(|l| l.seq > view.events_seq)
        .map(|l| l.event.clone())
        .collect();
    event::apply(view, &fresh, Timestamp::now());
    view.events_seq = view.events_seq.max(last);
}

/// Folds every event after a saved view into it, in memory: what a command on another host sees.
pub async fn current(store: &dyn Store) -> Result<Option<Inventory>, StoreError> {
    let Some(mut view) = store.load().await? else {
        return Ok(None);
    };
    loop {
        let events = store.since(view.events_seq, FOLD_BATCH).await?;
        if events.is_empty() {
            return Ok(Some(view));
        }
        fold(&mut view, &events);
    }
}

/// Events read from the log at a time.
pub const FOLD_BATCH: usize = 10_000;

/// What went wrong with a store; each says which store (never its password).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The address cannot be a store's.
    #[error("{0}")]
    BadLocation(String),
    /// The store refused the credentials.
    #[error("{store}: {detail}")]
    Refused { store: String, detail: String },
    /// The store cannot be reached now (down, restarting, the network).
    #[error("{store} is unavailable: {detail}")]
    Unavailable { store: String, detail: String },
    /// The store is not one this build may use: another registry's, a newer schema, a migration
    /// that differs from this build's.
    #[error("{store}: {detail}; it was not touched")]
    Refusing { store: String, detail: String },
    /// Reading or writing went wrong otherwise.
    #[error("{store}: {detail}")]
    Failed { store: String, detail: String },
}
