//! The one writer of the service: it reads the registry at start (when the cache is missing or stale)
//! and every interval, applies notifications as they come, saves each change to the cache the way
//! every other writer does (under the lock, atomically, merged with what other processes wrote), and
//! swaps in a new snapshot. Readers never wait for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use jiff::Timestamp;
use tokio::sync::mpsc;

use super::AppState;
use super::events::{Event, apply};
use super::snapshot::Snapshot;
use crate::cache::CacheFile;
use crate::details::ensure_details;
use crate::inventory::{Inventory, merge_details};
use crate::refresh::{Scope, refresh};
use crate::registry::{Client, RegistryAddress};

/// After a failed read of the registry, the next try comes this much later (or at the interval).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

pub struct Keeper {
    pub client: Client,
    pub cache: CacheFile,
    pub registry: RegistryAddress,
    /// Every how long to read the whole registry; `None`: only when there is no cache.
    pub interval: Option<Duration>,
}

impl Keeper {
    /// Runs until the inbox closes (the server stopped).
    pub async fn run(self, state: Arc<AppState>, mut inbox: mpsc::Receiver<Vec<Event>>) {
        let mut next_refresh = self.start(&state).await;
        loop {
            let wait = next_refresh.map(|at| at.saturating_duration_since(Instant::now()));
            let batch = tokio::select! {
                batch = inbox.recv() => match batch {
                    Some(batch) => batch,
                    None => return,
                },
                () = sleep_or_forever(wait) => {
                    next_refresh = self.refresh_now(&state).await;
                    continue;
                }
            };
            let mut events = batch;
            while let Ok(more) = inbox.try_recv() {
                events.extend(more);
            }
            if let Err(e) = self.apply_events(&state, &events).await {
                tracing::warn!("applying {} registry events: {e:#}", events.len());
            }
        }
    }

    /// The first snapshot: from the cache when it is fresh enough, else from the registry.
    async fn start(&self, state: &AppState) -> Option<Instant> {
        let cached = tokio::task::block_in_place(|| self.load_whole());
        match cached {
            Ok(Some(inventory)) if !self.is_stale(&inventory) => {
                let age = age_of(&inventory);
                tracing::info!(
                    tags = inventory.tag_count(),
                    "serving the cache of {} ({}s old)",
                    self.registry,
                    age.as_secs()
                );
                publish(state, inventory, None);
                self.interval
                    .map(|i| Instant::now() + i.saturating_sub(age))
            }
            Ok(_) => self.refresh_now(state).await,
            Err(e) => {
                tracing::warn!("reading the cache: {e:#}; reading the registry instead");
                self.refresh_now(state).await
            }
        }
    }

    fn is_stale(&self, inventory: &Inventory) -> bool {
        self.interval.is_some_and(|i| age_of(inventory) >= i)
    }

    fn load_whole(&self) -> anyhow::Result<Option<Inventory>> {
        let Some(mut inventory) = self.cache.load(&self.registry)? else {
            return Ok(None);
        };
        self.cache.load_all_details(&mut inventory)?;
        Ok(Some(inventory))
    }

    /// Reads the whole registry, details included, saves and publishes it; when the next read is due.
    async fn refresh_now(&self, state: &AppState) -> Option<Instant> {
        let started = Instant::now();
        match self.read_registry().await {
            Ok(inventory) => {
                let seconds = started.elapsed().as_secs_f64();
                state.metrics.refreshed(seconds);
                tracing::info!(
                    tags = inventory.tag_count(),
                    "read {} in {seconds:.1}s",
                    self.registry
                );
                publish(state, inventory, None);
                self.interval.map(|i| Instant::now() + i)
            }
            Err(e) => {
                tracing::warn!("reading {}: {e:#}", self.registry);
                let retry = self
                    .interval
                    .map_or(RETRY_AFTER_FAILURE, |i| i.min(RETRY_AFTER_FAILURE));
                Some(Instant::now() + retry)
            }
        }
    }

    async fn read_registry(&self) -> anyhow::Result<Inventory> {
        let previous = tokio::task::block_in_place(|| self.load_whole()).unwrap_or(None);
        let progress = ProgressBar::hidden();
        let refreshed = refresh(&self.client, Scope::All, previous.as_ref(), &progress).await?;
        for line in &refreshed.skipped {
            tracing::warn!("{line}");
        }
        let mut inventory = refreshed.inventory;
        let names: Vec<String> = inventory.repositories.keys().cloned().collect();
        let fetched = ensure_details(&self.client, &mut inventory, &names, true, &progress).await?;
        inventory.forget_gone(&fetched.gone);
        let written = tokio::task::block_in_place(|| {
            self.cache
                .save_refresh(&self.registry, previous.as_ref(), inventory)
        })?;
        Ok(written)
    }

    /// Applies a batch of events to the cache, reads the details of newly pushed manifests, and
    /// publishes the result.
    async fn apply_events(&self, state: &AppState, events: &[Event]) -> anyhow::Result<()> {
        let now = Timestamp::now();
        let mut outcome = None;
        let written = tokio::task::block_in_place(|| {
            self.cache.update(&self.registry, |current| {
                let mut inventory = current.unwrap_or_else(|| Inventory::new(&self.registry, now));
                let applied = apply(&mut inventory, events, now);
                let changed = applied.applied > 0;
                outcome = Some(applied);
                changed.then_some(inventory)
            })
        })?;
        let Some(applied) = outcome.filter(|a| a.applied > 0) else {
            return Ok(());
        };
        let Some(mut inventory) = written else {
            return Ok(());
        };
        state.metrics.events_applied(applied.applied);
        tracing::info!(
            events = events.len(),
            applied = applied.applied,
            "registry events applied"
        );
        let pushed: Vec<String> = applied.pushed_to.into_iter().collect();
        if !pushed.is_empty() {
            // The pushed manifests' sizes and created times: one GET each, not a refresh.
            match ensure_details(
                &self.client,
                &mut inventory,
                &pushed,
                true,
                &ProgressBar::hidden(),
            )
            .await
            {
                Ok(_) => {
                    let details = inventory.manifests.clone();
                    tokio::task::block_in_place(|| {
                        self.cache.update(&self.registry, |current| {
                            let mut current = current?;
                            merge_details(&mut current.manifests, &details);
                            Some(current)
                        })
                    })?;
                }
                Err(e) => tracing::warn!("reading the details of pushed manifests: {e:#}"),
            }
        }
        publish(state, inventory, Some(now));
        Ok(())
    }
}

fn age_of(inventory: &Inventory) -> Duration {
    let seconds = Timestamp::now().as_second() - inventory.refreshed_at.as_second();
    Duration::from_secs(seconds.max(0) as u64)
}

fn publish(state: &AppState, inventory: Inventory, event_at: Option<Timestamp>) {
    let snapshot = tokio::task::block_in_place(|| Snapshot::build(inventory, event_at));
    state.current.set(snapshot);
}

async fn sleep_or_forever(wait: Option<Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}
