//! One module per subcommand, each exposing `run(settings, ctx, ...) -> Result<ExitStatus>`, and what
//! they share: getting the registry's inventory from the cache or the registry.

pub mod cache;
pub mod generate;
pub mod list_repo_names;
pub mod list_tag_names;
pub mod query;
pub mod remove;
pub mod restore;
pub mod usage;

use std::sync::Arc;

use jiff::Timestamp;

use crate::cache::{CacheFile, Inventory, merge_details};
use crate::details::ensure_details;
use crate::output::Printer;
use crate::refresh::{Scope, refresh};
use crate::registry::{Client, RegistryAddress};
use crate::settings::{CacheChoice, Settings};

/// A cache older than this gets a note saying so.
const STALE_AFTER_SECONDS: i64 = 24 * 60 * 60;

/// What every command gets besides its settings.
pub struct Context {
    pub printer: Printer,
}

/// The cache file the settings point to, if the cache is enabled. Waiting for its lock is noted.
pub fn cache_file(settings: &Settings, ctx: &Context) -> anyhow::Result<Option<CacheFile>> {
    let file = match &settings.cache {
        CacheChoice::Disabled => return Ok(None),
        CacheChoice::File(path) => CacheFile::at(path.clone()),
        CacheChoice::Default => CacheFile::default_for(settings.registry()?)?,
    };
    let printer = ctx.printer.clone();
    Ok(Some(file.with_notice(Arc::new(move |m| printer.note(m)))))
}

/// The cached inventory, if any, without the names that break the spec's grammar (each kind warned
/// about).
fn load(
    file: &CacheFile,
    registry: &RegistryAddress,
    ctx: &Context,
) -> anyhow::Result<Option<Inventory>> {
    let Some(mut inventory) = file.load(registry)? else {
        return Ok(None);
    };
    for line in inventory.take_invalid() {
        ctx.printer.warn(&line);
    }
    Ok(Some(inventory))
}

/// The registry's inventory: from the cache when there is one (noting when it is old), otherwise (or
/// with `--refresh`) read from the registry and saved. Without a cache, `scope` limits what is read.
pub async fn inventory(
    settings: &Settings,
    ctx: &Context,
    scope: Scope<'_>,
) -> anyhow::Result<Inventory> {
    let registry = settings.registry()?;
    let Some(file) = cache_file(settings, ctx)? else {
        return read_registry(settings, ctx, scope, None).await;
    };
    if !settings.refresh {
        if let Some(inventory) = load(&file, registry, ctx)? {
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
    let inventory = read_registry(settings, ctx, Scope::All, previous.as_ref()).await?;
    Ok(file.save_refresh(registry, previous.as_ref(), inventory)?)
}

/// Reads the registry with a progress bar that is cleared however the refresh ends, so an error
/// message never lands after a half-drawn bar.
async fn read_registry(
    settings: &Settings,
    ctx: &Context,
    scope: Scope<'_>,
    previous: Option<&Inventory>,
) -> anyhow::Result<Inventory> {
    let client = Client::new(settings.client_config()?)?;
    let progress = ctx.printer.progress("tags");
    let result = refresh(&client, scope, previous, &progress).await;
    progress.finish_and_clear();
    let refreshed = result?;
    for line in &refreshed.skipped {
        ctx.printer.warn(line);
    }
    Ok(refreshed.inventory)
}

/// Fills in the manifest details of `repositories` that the inventory lacks (with `created`, also the
/// images' created times), and saves them to the cache when anything was fetched. On a warm cache this
/// makes no request at all.
///
/// Returns the (repository, digest) pairs the cache lists but the registry no longer has; what that
/// means (a note, or drift that stops a removal) is the caller's to say.
pub async fn with_details(
    settings: &Settings,
    ctx: &Context,
    inventory: &mut Inventory,
    repositories: &[String],
    created: bool,
) -> anyhow::Result<Vec<(String, String)>> {
    let client = Client::new(settings.client_config()?)?;
    let fetched = ensure_details(&client, inventory, repositories, created).await?;
    if fetched.requests == 0 {
        return Ok(fetched.gone);
    }
    if let Some(file) = cache_file(settings, ctx)? {
        let registry = settings.registry()?;
        file.update(registry, |current| {
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
    settings: &Settings,
    ctx: &Context,
    inventory: &mut Inventory,
    repositories: &[String],
    created: bool,
) -> anyhow::Result<()> {
    let gone = with_details(settings, ctx, inventory, repositories, created).await?;
    if gone.is_empty() {
        return Ok(());
    }
    forget_gone(inventory, &gone);
    if let Some(file) = cache_file(settings, ctx)? {
        file.update(settings.registry()?, |current| {
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
