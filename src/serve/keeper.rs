//! The one writer of a service: it follows the store's log (woken when this service logs an
//! envelope, and every `FOLLOW_EVERY` for what other replicas logged), folds new events into its
//! view, reads the details of pushed manifests, reads the whole registry every interval (one
//! replica at a time, claimed through the store), and swaps in a new snapshot. Readers never wait
//! for it. A refresh is logged as an event of its own, so the other replicas load what it saved.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use jiff::Timestamp;

use super::AppState;
use super::snapshot::{Builder, Changed};
use crate::details::{Need, ensure_details};
use crate::inventory::Inventory;
use crate::media_type::is_index;
use crate::refresh::{Scope, refresh};
use crate::registry::{Client, RegistryAddress};
use crate::store::event::{REFRESHED, refreshed_event};
use crate::store::{FOLD_BATCH, Logged, Store, StoreError};

/// After a failed read of the registry or the store, the next try comes this much later (or at the
/// interval).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);
/// How often the log is read for what other replicas logged.
const FOLLOW_EVERY: Duration = Duration::from_millis(200);
/// A store that cannot be read at start is asked again this often.
const START_RETRY: Duration = Duration::from_secs(2);
/// While the view is behind the log, the API's snapshot is rebuilt at most this often (at 100k
/// tags a rebuild costs about as much as folding 10,000 events); once caught up, at once.
const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// One pass over the log stops after this long (and goes on at the next), so a checkpoint or a
/// refresh gets its turn under a stream of notifications.
const FOLLOW_AT_MOST: Duration = Duration::from_secs(5);
/// Once caught up, snapshots are this far apart at least: a stream of notifications is shown in
/// batches, not rebuilt for each.
const PUBLISH_APART: Duration = Duration::from_millis(25);
/// The view is written back to the store at most this often when it gained anything, and never
/// more often than ten times as long as the last write took (at 100k tags the embedded engine
/// rewrites the cache pair, ~0.8 s: about every 8 s, a tenth of a core).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// The view the keeper folds into, what of it the store does not hold yet, and what of it the
/// API's snapshot does not show yet.
struct Kept {
    view: Inventory,
    /// Events folded or details read since the last write to the store.
    unsaved: bool,
    checkpointed: Instant,
    checkpoint_every: Duration,
    /// What changed since the last snapshot, and when the last notification was applied.
    changed: Changed,
    event_at: Option<Timestamp>,
    builder: Builder,
    published: Instant,
}

impl Kept {
    fn new(view: Inventory) -> Self {
        Self {
            view,
            unsaved: false,
            checkpointed: Instant::now(),
            checkpoint_every: CHECKPOINT_EVERY,
            changed: Changed::All,
            event_at: None,
            builder: Builder::default(),
            published: Instant::now(),
        }
    }

    /// The view replaced whole (read from the registry, loaded from the store).
    fn replace(&mut self, view: Inventory) {
        self.view = view;
        self.changed = Changed::All;
        self.event_at = None;
    }

    /// Swaps in a snapshot of the view, built again only where it changed.
    fn publish(&mut self, state: &AppState) {
        let changed = std::mem::replace(&mut self.changed, Changed::nothing());
        let started = Instant::now();
        let snapshot =
            tokio::task::block_in_place(|| self.builder.build(&self.view, &changed, self.event_at));
        tracing::debug!(took = ?started.elapsed(), "snapshot");
        state.current.set(snapshot);
        self.published = Instant::now();
    }
}

pub struct Keeper {
    pub client: Client,
    pub store: Arc<dyn Store>,
    pub registry: RegistryAddress,
    /// Every how long to read the whole registry; `None`: only when the store has nothing.
    pub interval: Option<Duration>,
}

impl Keeper {
    /// Runs until the service stops (the task is dropped).
    pub async fn run(self, state: Arc<AppState>) {
        let (view, mut next_refresh) = self.start(&state).await;
        let mut kept = Kept::new(view);
        kept.publish(&state);
        loop {
            tokio::select! {
                () = state.wake.notified() => {}
                () = tokio::time::sleep(FOLLOW_EVERY) => {}
            }
            tokio::time::sleep(PUBLISH_APART.saturating_sub(kept.published.elapsed())).await;
            if next_refresh.is_some_and(|at| at <= Instant::now()) {
                let (read, next) = self.refresh_now(&state, &kept.view).await;
                next_refresh = next;
                if let Some(view) = read {
                    kept.replace(view);
                    kept.publish(&state);
                }
            }
            if let Err(e) = self.follow(&state, &mut kept).await {
                tracing::warn!("following {}: {e}", self.store.describe());
            }
            self.checkpoint(&state, &mut kept).await;
        }
    }

    /// Writes the view back to the store when it gained anything and the last write is long
    /// enough ago.
    async fn checkpoint(&self, state: &AppState, kept: &mut Kept) {
        if !kept.unsaved || kept.checkpointed.elapsed() < kept.checkpoint_every {
            return;
        }
        let started = Instant::now();
        match self.store.checkpoint(&mut kept.view).await {
            Ok(merged) => {
                kept.unsaved = false;
                if merged {
                    kept.changed = Changed::All;
                    kept.publish(state);
                }
            }
            Err(e) => tracing::warn!("writing the view to {}: {e}", self.store.describe()),
        }
        let took = started.elapsed();
        tracing::debug!(?took, seq = kept.view.events_seq, "checkpoint");
        kept.checkpointed = Instant::now();
        kept.checkpoint_every = CHECKPOINT_EVERY.max(took * 10);
    }

    /// The first view: the store's when it is fresh enough, else the registry's.
    async fn start(&self, state: &AppState) -> (Inventory, Option<Instant>) {
        loop {
            match self.store.load().await {
                Ok(Some(view)) if !self.is_stale(&view) => {
                    let age = age_of(&view);
                    tracing::info!(
                        tags = view.tag_count(),
                        "serving {} from {} ({}s old)",
                        self.registry,
                        self.store.describe(),
                        age.as_secs()
                    );
                    let next = self
                        .interval
                        .map(|i| Instant::now() + i.saturating_sub(age));
                    return (view, next);
                }
                Ok(stale) => {
                    let base = stale
                        .unwrap_or_else(|| Inventory::new(&self.registry, Timestamp::UNIX_EPOCH));
                    if let (Some(view), next) = self.refresh_now(state, &base).await {
                        return (view, next);
                    }
                }
                Err(e) => tracing::warn!("reading {}: {e}", self.store.describe()),
            }
            tokio::time::sleep(START_RETRY).await;
        }
    }

    fn is_stale(&self, view: &Inventory) -> bool {
        self.interval.is_some_and(|i| age_of(view) >= i)
    }

    /// Folds what the log holds after the view into it, reads the details of pushed manifests,
    /// and publishes (at once when caught up, every `PUBLISH_EVERY` while behind). Where the log
    /// says a replica read the registry, its saved view replaces this one, brought up to that
    /// point of the log.
    async fn follow(&self, state: &AppState, kept: &mut Kept) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut published = started;
        let mut unpublished = false;
        let result = loop {
            let events = match self.store.since(kept.view.events_seq, FOLD_BATCH).await {
                Ok(events) if events.is_empty() => break Ok(()),
                Ok(events) => events,
                Err(e) => break Err(e),
            };
            let marker = events.iter().find(|l| l.event.action == REFRESHED);
            let folded = match marker.map(|l| l.seq) {
                Some(at) => match self.store.load().await {
                    Ok(Some(saved)) => {
                        kept.replace(saved);
                        self.catch_up(state, &mut kept.view, at).await
                    }
                    Ok(None) => self.fold(state, &mut kept.view, &events).await,
                    Err(e) => Err(e),
                },
                None => self.fold(state, &mut kept.view, &events).await,
            };
            match folded {
                Ok(changed) => kept.changed.add(changed),
                Err(e) => break Err(e),
            }
            kept.event_at = Some(Timestamp::now());
            tracing::debug!(
                events = events.len(),
                seq = kept.view.events_seq,
                "followed the log"
            );
            kept.unsaved = true;
            unpublished = true;
            let behind = events.len() == FOLD_BATCH;
            if !behind || published.elapsed() >= PUBLISH_EVERY {
                kept.publish(state);
                published = Instant::now();
                unpublished = false;
            }
            // Caught up, or long enough at it that a checkpoint or a refresh may be due.
            if !behind || started.elapsed() >= FOLLOW_AT_MOST {
                break Ok(());
            }
        };
        if unpublished {
            kept.publish(state);
        }
        result
    }

    /// A saved view brought up to the log's `at` (all of it changed).
    async fn catch_up(
        &self,
        state: &AppState,
        view: &mut Inventory,
        at: u64,
    ) -> Result<Changed, StoreError> {
        while view.events_seq < at {
            let events = self.store.since(view.events_seq, FOLD_BATCH).await?;
            let upto: Vec<Logged> = events.into_iter().filter(|l| l.seq <= at).collect();
            if upto.is_empty() {
                break;
            }
            self.fold(state, view, &upto).await?;
        }
        view.events_seq = view.events_seq.max(at);
        Ok(Changed::All)
    }

    /// Folds `events` into the view and reads the details of pushed manifests; returns the
    /// repositories that changed (those the events name, and any other holding a manifest whose
    /// details were read just now).
    async fn fold(
        &self,
        state: &AppState,
        view: &mut Inventory,
        events: &[Logged],
    ) -> Result<Changed, StoreError> {
        let plain: Vec<_> = events.iter().map(|l| l.event.clone()).collect();
        let pushed = crate::store::event::pushed_to(&plain);
        let mut changed: BTreeSet<String> = plain
            .iter()
            .filter_map(|e| e.manifest().map(|m| m.repository.to_owned()))
            .collect();
        crate::store::fold(view, events);
        state.metrics.events_applied(events.len());
        if !pushed.is_empty() {
            // The pushed manifests' sizes and created times: one GET each, not a refresh; kept in
            // the view, and written with the next checkpoint.
            let started = Instant::now();
            let hidden = ProgressBar::hidden();
            match ensure_details(&self.client, view, &pushed, Need::ALL, &hidden).await {
                Ok(fetched) if fetched.requests > 0 => changed.extend(holders(view, &pushed)),
                Ok(_) => {}
                Err(e) => tracing::warn!("reading the details of pushed manifests: {e:#}"),
            }
            tracing::debug!(took = ?started.elapsed(), "details of pushed manifests");
        }
        Ok(Changed::Repositories(changed))
    }

    /// Reads the whole registry, details included, when this replica may (no other did within
    /// the interval), saves it and logs that it did: the registry as read (`None` when it was not),
    /// and when the next read is due.
    async fn refresh_now(
        &self,
        state: &AppState,
        view: &Inventory,
    ) -> (Option<Inventory>, Option<Instant>) {
        let every = self.interval.unwrap_or(Duration::ZERO);
        // A little under the interval, so a replica on time is not turned away by one just ahead.
        let claim = self.store.claim("refresh", every.mul_f64(0.9)).await;
        let next = |after: Duration| Some(Instant::now() + after);
        let _claim = match claim {
            Ok(Some(claim)) => claim,
            Ok(None) => {
                tracing::debug!("another replica read the registry within the interval");
                return (None, self.interval.and_then(next));
            }
            Err(e) => {
                tracing::warn!("claiming the refresh in {}: {e}", self.store.describe());
                return (None, next(RETRY_AFTER_FAILURE));
            }
        };
        let started = Instant::now();
        match self.read_registry(view.clone()).await {
            Ok(saved) => {
                let seconds = started.elapsed().as_secs_f64();
                state.metrics.refreshed(seconds);
                tracing::info!(
                    tags = saved.tag_count(),
                    "read {} in {seconds:.1}s",
                    self.registry
                );
                if let Err(e) = self.store.record(vec![refreshed_event()]).await {
                    tracing::warn!("logging the refresh in {}: {e}", self.store.describe());
                }
                (Some(saved), self.interval.and_then(next))
            }
            Err(e) => {
                tracing::warn!("reading {}: {e:#}", self.registry);
                let retry = self
                    .interval
                    .map_or(RETRY_AFTER_FAILURE, |i| i.min(RETRY_AFTER_FAILURE));
                (None, next(retry))
            }
        }
    }

    /// The registry as it is now, with the view's history carried over, saved; it includes the
    /// events the view did, and the ones logged meanwhile are folded in afterwards.
    async fn read_registry(&self, view: Inventory) -> anyhow::Result<Inventory> {
        let mut previous = (view.refreshed_at > Timestamp::UNIX_EPOCH).then_some(view);
        let hidden = ProgressBar::hidden();
        let refreshed = refresh(&self.client, Scope::All, previous.as_mut(), &hidden).await?;
        for line in &refreshed.skipped {
            tracing::warn!("{line}");
        }
        let mut fresh = refreshed.inventory;
        if let Some(previous) = &previous {
            fresh.capabilities = previous.capabilities;
            fresh.events_seq = previous.events_seq;
        }
        let names: Vec<String> = fresh.repositories.keys().cloned().collect();
        let fetched = ensure_details(&self.client, &mut fresh, &names, Need::ALL, &hidden).await?;
        fresh.forget_gone(&fetched.gone);
        Ok(self.store.save(fresh, previous.as_ref()).await?)
    }
}

/// The repositories holding any manifest of `repositories` (a manifest pushed to one may be tagged
/// in others, whose figures change when its details arrive): each manifest's digest is looked up
/// in that small set, and only an index's (or one of unknown type) children besides.
fn holders(view: &Inventory, repositories: &[String]) -> Vec<String> {
    let digests: BTreeSet<&str> = repositories
        .iter()
        .flat_map(|r| view.repository_manifests(r))
        .collect();
    let held = |digest: &str, media_type: Option<&str>| {
        digests.contains(digest)
            || (media_type.is_none_or(is_index)
                && view.with_children(digest).any(|d| digests.contains(d)))
    };
    view.repositories
        .iter()
        .filter(|(_, r)| {
            r.tags
                .values()
                .any(|t| held(&t.digest, t.media_type.as_deref()))
                || r.referrers
                    .iter()
                    .any(|(d, x)| held(d, x.media_type.as_deref()))
                || r.untagged
                    .iter()
                    .any(|(d, x)| held(d, x.media_type.as_deref()))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

fn age_of(inventory: &Inventory) -> Duration {
    let seconds = Timestamp::now().as_second() - inventory.refreshed_at.as_second();
    Duration::from_secs(seconds.max(0) as u64)
}
