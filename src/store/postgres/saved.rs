//! The inventory as PostgreSQL keeps it: one row per repository and one per manifest's details,
//! each a JSON body as the cache holds it, and the `seq` of the last event it includes. A refresh
//! writes it whole; a checkpoint writes only the rows whose bodies changed since this replica last
//! read or wrote them (at 100k tags, a few repositories rather than the whole registry).

use std::collections::HashMap;
use std::hash::{BuildHasher as _, RandomState};

use jiff::Timestamp;
use tokio_postgres::IsolationLevel;

use super::{Postgres, connect, run_all};
use crate::inventory::{Inventory, ManifestDetails, Repository};
use crate::store::StoreError;
use crate::store::sql;

/// What this replica last read or wrote of the saved inventory: a hash of each row's body.
#[derive(Default)]
pub struct Written {
    hasher: RandomState,
    repositories: HashMap<String, u64>,
    manifests: HashMap<String, u64>,
}

impl Written {
    fn hash(&self, body: &str) -> u64 {
        self.hasher.hash_one(body)
    }
}

/// Rows to write: names and bodies, side by side as `UNNEST` takes them.
#[derive(Default)]
struct Rows {
    keys: Vec<String>,
    bodies: Vec<String>,
    hashes: Vec<u64>,
}

impl Rows {
    /// The rows of `items` whose bodies differ from `known` (all of them when `whole`).
    fn changed<'a, T: serde::Serialize + 'a>(
        items: impl Iterator<Item = (&'a str, &'a T)>,
        known: &HashMap<String, u64>,
        written: &Written,
        whole: bool,
    ) -> Self {
        let mut rows = Self::default();
        for (key, item) in items {
            let body = serde_json::to_string(item).unwrap_or_default();
            let hash = written.hash(&body);
            if whole || known.get(key) != Some(&hash) {
                rows.keys.push(key.to_owned());
                rows.bodies.push(body);
                rows.hashes.push(hash);
            }
        }
        rows
    }
}

/// Manifests in digest order: two replicas upserting the same rows lock them in the same order,
/// so neither waits on the other in a cycle.
fn sorted(
    manifests: &crate::inventory::Details,
) -> impl Iterator<Item = (&str, &crate::inventory::ManifestDetails)> {
    let mut rows: Vec<_> = manifests.iter().map(|(d, m)| (d.as_str(), &**m)).collect();
    rows.sort_unstable_by_key(|(digest, _)| *digest);
    rows.into_iter()
}

impl Postgres {
    /// The saved inventory, read in one snapshot of the database (a checkpoint committing meanwhile
    /// is wholly in or wholly out).
    pub(super) async fn load_inner(&self) -> Result<Option<Inventory>, StoreError> {
        let error = self.error();
        let mut client = connect(&self.config, &self.name).await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(&error)?;
        let mut meta = HashMap::new();
        for row in tx
            .query("SELECT key, value FROM meta", &[])
            .await
            .map_err(&error)?
        {
            meta.insert(row.get::<_, String>(0), row.get::<_, String>(1));
        }
        let (Some(registry), Some(refreshed)) = (meta.get("registry"), meta.get("refreshed_at"))
        else {
            return Ok(None);
        };
        let refreshed_at: Timestamp = refreshed.parse().unwrap_or(Timestamp::UNIX_EPOCH);
        let mut view = Inventory::new(registry, refreshed_at);
        view.events_seq = meta
            .get("events_seq")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        view.scope = meta.get("scope").filter(|s| !s.is_empty()).cloned();
        if let Some(capabilities) = meta.get("capabilities") {
            view.capabilities = serde_json::from_str(capabilities).unwrap_or_default();
        }
        let corrupt = |what: &str, e: serde_json::Error| StoreError::Failed {
            store: self.name.clone(),
            detail: format!("{what} does not read back: {e}"),
        };
        let mut written = Written::default();
        for row in tx
            .query("SELECT name, body FROM repositories", &[])
            .await
            .map_err(&error)?
        {
            let (name, body): (String, String) = (row.get(0), row.get(1));
            let repository: Repository =
                serde_json::from_str(&body).map_err(|e| corrupt(&name, e))?;
            written
                .repositories
                .insert(name.clone(), written.hash(&body));
            view.repositories.insert(name, repository);
        }
        for row in tx
            .query("SELECT digest, body FROM manifests", &[])
            .await
            .map_err(&error)?
        {
            let (digest, body): (String, String) = (row.get(0), row.get(1));
            let details: ManifestDetails =
                serde_json::from_str(&body).map_err(|e| corrupt(&digest, e))?;
            written
                .manifests
                .insert(digest.clone(), written.hash(&body));
            view.manifests.insert(digest.into(), Box::new(details));
        }
        tx.commit().await.map_err(&error)?;
        *self.written() = written;
        Ok(Some(view))
    }

    /// Saves `view` in one transaction: whole (`whole`: a refresh, with what it shows of the tags'
    /// history), or only what changed since this replica last read or wrote it (a checkpoint).
    pub(super) async fn write_view(&self, view: &Inventory, whole: bool) -> Result<(), StoreError> {
        let (repositories, manifests) = {
            let written = self.written();
            (
                Rows::changed(
                    view.repositories.iter().map(|(name, r)| (name.as_str(), r)),
                    &written.repositories,
                    &written,
                    whole,
                ),
                Rows::changed(sorted(&view.manifests), &written.manifests, &written, whole),
            )
        };
        let error = self.error();
        let mut client = connect(&self.config, &self.name).await?;
        let tx = client.transaction().await.map_err(&error)?;
        tx.execute(
            UPSERT_REPOSITORIES,
            &[&repositories.keys, &repositories.bodies],
        )
        .await
        .map_err(&error)?;
        let names: Vec<&str> = view.repositories.keys().map(String::as_str).collect();
        tx.execute(
            "DELETE FROM repositories WHERE NOT (name = ANY($1::text[]))",
            &[&names],
        )
        .await
        .map_err(&error)?;
        tx.execute(UPSERT_MANIFESTS, &[&manifests.keys, &manifests.bodies])
            .await
            .map_err(&error)?;
        let meta = [
            ("refreshed_at", view.refreshed_at.to_string()),
            ("events_seq", view.events_seq.to_string()),
            ("scope", view.scope.clone().unwrap_or_default()),
            (
                "capabilities",
                serde_json::to_string(&view.capabilities).unwrap_or_default(),
            ),
        ];
        for (key, value) in &meta {
            tx.execute(sql::SET_META, &[key, value])
                .await
                .map_err(&error)?;
        }
        if whole {
            let open: Vec<(String, String, String)> = tx
                .query(sql::OPEN_PERIODS, &[])
                .await
                .map_err(&error)?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            run_all(&tx, &sql::of_refresh(&open, view))
                .await
                .map_err(&error)?;
        }
        tx.commit().await.map_err(&error)?;
        let mut written = self.written();
        if whole {
            written.repositories.clear();
            written.manifests.clear();
        }
        written
            .repositories
            .retain(|name, _| view.repositories.contains_key(name));
        written
            .repositories
            .extend(repositories.keys.into_iter().zip(repositories.hashes));
        written
            .manifests
            .extend(manifests.keys.into_iter().zip(manifests.hashes));
        Ok(())
    }

    fn written(&self) -> std::sync::MutexGuard<'_, Written> {
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

const UPSERT_REPOSITORIES: &str = "INSERT INTO repositories (name, body) SELECT * FROM \
     UNNEST($1::text[], $2::text[]) ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body WHERE \
     repositories.body IS DISTINCT FROM EXCLUDED.body";
const UPSERT_MANIFESTS: &str = "INSERT INTO manifests (digest, body) SELECT * FROM \
     UNNEST($1::text[], $2::text[]) ON CONFLICT (digest) DO UPDATE SET body = EXCLUDED.body WHERE \
     manifests.body IS DISTINCT FROM EXCLUDED.body";
