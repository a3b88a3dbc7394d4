//! One module per subcommand, each exposing `run(ctx, settings) -> Result<ExitStatus>`, and what they
//! share: the `Context` (global settings, printer, the run's one HTTP client and its cache file), and
//! getting the registry's inventory and manifest details from the cache or the registry.

pub mod cache;
pub mod generate;
pub mod journal;
pub mod list_repo_names;
pub mod list_tag_names;
pub mod query;
pub mod remove;
pub mod restore;
pub mod usage;

use std::sync::{Arc, OnceLock};

use jiff::Timestamp;

use crate::cache::CacheFile;
use crate::details::{ensure_details, requests_needed};
use crate::inventory::{Inventory, merge_details};
use crate::output::Printer;
use crate::refresh::{Scope, refresh};
use crate::registry::{Client, ConfigError, RegistryAddress};
use crate::settings::{CacheChoice, Settings};

/// A cache older than this gets a note saying so.
const STALE_AFTER_SECONDS: i64 = 24 * 60 * 60;

/// What every command gets besides its own settings. The HTTP client is built once, when the first
/// request needs it, so a run answered from the cache builds none (and resolves no credentials); the
/// cache file is found once too.
pub struct Context {
    pub settings: Settings,
    pub printer: Printer,
    client: OnceLock<Client>,
    cache: OnceLock<Option<CacheFile>>,
}

impl Context {
    pub fn new(settings: Settings) -> Self {
        let printer = Printer::new(settings.format, settings.quiet, settings.count);
        Self {
            settings,
            printer,
            client: OnceLock::new(),
            cache: OnceLock::new(),
        }
    }

    pub fn registry(&self) -> Result<&RegistryAddress, ConfigError> {
        self.settings.registry()
    }

    /// The run's HTTP client: one connection pool, one token cache, one in-flight bound.
    pub fn client(&self) -> anyhow::Result<&Client> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = Client::new(self.settings.client_config()?)?;
        Ok(self.client.get_or_init(|| client))
    }

    /// The cache file the settings point to, if the cache is enabled. Waiting for its lock is noted.
    pub fn cache(&self) -> anyhow::Result<Option<&CacheFile>> {
        if let Some(file) = self.cache.get() {
            return Ok(file.as_ref());
        }
        let file = match &self.settings.cache {
            CacheChoice::Disabled => None,
            CacheChoice::File(path) => Some(CacheFile::at(path.clone())),
            CacheChoice::Default => Some(CacheFile::default_for(self.registry()?)?),
        };
        let printer = self.printer.clone();
        let file = file.map(|f| f.with_notice(Arc::new(move |m| printer.note(m))));
        Ok(self.cache.get_or_init(|| file).as_ref())
    }
}

/// The cached inventory, if any, without the names that break the spec's grammar (each kind warned
/// about).
fn load(file: &CacheFile, ctx: &Context) -> anyhow::Result<Option<Inventory>> {
    let Some(mut inventory) = file.load(ctx.registry()?)? else {
        return Ok(None);
    };
    for line in inventory.take_invalid() {
        ctx.printer.warn(&line);
    }
    Ok(Some(inventory))
}

/// The registry's inventory: from the cache when there is one (noting when it is old), otherwise (or
/// with `--refresh`) read from the registry and saved. Without a cache, `scope` limits what is read.
pub async fn inventory(ctx: &Context, scope: Scope<'_>) -> anyhow::Result<Inventory> {
    let Some(file) = ctx.cache()? else {
        return read_registry(ctx, scope, None).await;
    };
    let registry = ctx.registry()?;
    if !ctx.settings.refresh {
        if let Some(inventory) = load(file, ctx)? {
            note_if_stale(&inventory, ctx);
            return Ok(inventory);
        }
        ctx.printer.note(&format!(
            "no cache for {registry} yet; reading the registry into {}",
            file.path().display()
        ));
    }
    // With --refresh the old file may be unreadable; it only lends its manifest details, and is the
    // base against which changes other writers make meanwhile are merged.
    let previous = file.load(registry).ok().flatten();
    let inventory = read_registry(ctx, Scope::All, previous.as_ref()).await?;
    Ok(file.save_refresh(registry, previous.as_ref(), inventory)?)
}

/// Reads the registry with a progress bar that is cleared however the refresh ends, so an error
/// message never lands after a half-drawn bar.
async fn read_registry(
    ctx: &Context,
    scope: Scope<'_>,
    previous: Option<&Inventory>,
) -> anyhow::Result<Inventory> {
    let client = ctx.client()?;
    let progress = ctx.printer.progress("tags");
    let result = refresh(client, scope, previous, &progress).await;
    progress.finish_and_clear();
    let refreshed = result?;
    for line in &refreshed.skipped {
        ctx.printer.warn(line);
    }
    Ok(refreshed.inventory)
}

/// Fills in the manifest details of `repositories` that the inventory lacks (with `created`, also the
/// images' created times), and saves them to the cache when anything was fetched. On a warm cache this
/// sends no request, and builds no client.
///
/// Returns the (repository, digest) pairs the cache lists but the registry no longer has; what that
/// means (a note, or drift that stops a removal) is the caller's to say.
pub async fn with_details(
    ctx: &Context,
    inventory: &mut Inventory,
    repositories: &[String],
    created: bool,
) -> anyhow::Result<Vec<(String, String)>> {
    if !requests_needed(inventory, repositories, created) {
        return Ok(Vec::new());
    }
    let fetched = ensure_details(ctx.client()?, inventory, repositories, created).await?;
    if let Some(file) = ctx.cache()? {
        file.update(ctx.registry()?, |current| {
            let mut current = current?;
            merge_details(&mut current.manifests, &inventory.manifests);
            Some(current)
        })?;
    }
    Ok(fetched.gone)
}

/// `with_details` for commands that only read: manifests the registry no longer has have their tags
/// dropped, from the inventory and the cache, with a note that the cache was out of date.
pub async fn read_details(
    ctx: &Context,
    inventory: &mut Inventory,
    repositories: &[String],
    created: bool,
) -> anyhow::Result<()> {
    let gone = with_details(ctx, inventory, repositories, created).await?;
    if gone.is_empty() {
        return Ok(());
    }
    forget_gone(inventory, &gone);
    if let Some(file) = ctx.cache()? {
        file.update(ctx.registry()?, |current| {
            let mut current = current?;
            forget_gone(&mut current, &gone);
            Some(current)
        })?;
    }
    ctx.printer.note(&format!(
        "the cache was out of date: {} manifests it listed are no longer in the registry, and their \
         tags were dropped from it (--refresh re-reads everything)",
        gone.len()
    ));
    Ok(())
}

/// Drops the tags that point to manifests the registry no longer has.
pub fn forget_gone(inventory: &mut Inventory, gone: &[(String, String)]) {
    for (repo, digest) in gone {
        if let Some(repository) = inventory.repositories.get_mut(repo) {
            repository.tags.retain(|_, t| &t.digest != digest);
        }
    }
}

fn note_if_stale(inventory: &Inventory, ctx: &Context) {
    let age = age_seconds(inventory.refreshed_at);
    if age > STALE_AFTER_SECONDS {
        ctx.printer.note(&format!(
            "the cache of {} is {} old; run with --refresh to reload it",
            inventory.registry,
            human_duration(age)
        ));
    }
}

/// Seconds since `then` (zero for a time in the future).
pub fn age_seconds(then: Timestamp) -> i64 {
    (Timestamp::now().as_second() - then.as_second()).max(0)
}

/// "3 days", "5 hours", "1 minute", "0 seconds": the largest whole unit.
pub fn human_duration(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3_600 => (s / 3_600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_unit() {
        assert_eq!(human_duration(0), "0 seconds");
        assert_eq!(human_duration(61), "1 minute");
        assert_eq!(human_duration(7_200), "2 hours");
        assert_eq!(human_duration(3 * 86_400 + 5), "3 days");
    }
}
