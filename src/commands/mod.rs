//! One module per subcommand, each exposing `run(ctx, settings) -> Result<ExitStatus>`, and what they
//! share: the `Context` (global settings, printer, the run's one HTTP client and its cache file), and
//! getting the registry's inventory and manifest details from the cache or the registry.

pub mod cache;
pub mod config;
pub mod generate;
pub mod history;
pub mod journal;
pub mod list_repo_names;
pub mod list_tag_names;
pub mod outdated;
pub mod policy;
pub mod query;
pub mod remove;
pub mod restore;
pub mod serve;
pub mod source;
mod stored;
pub mod usage;

use std::sync::{Arc, OnceLock};

use jiff::Timestamp;

use crate::cache::{CacheFile, Overview};
use crate::details::{Need, ensure_details, requests_needed};
use crate::exit::UsageError;
use crate::inventory::{Inventory, merge_details};
use crate::output::Printer;
pub use crate::output::{age, human_duration};
use crate::refresh::{Scope, refresh_with};
use crate::registry::{Client, ConfigError, RegistryAddress};
use crate::select::{Plan, Reclaim, plan_blobs, reclaimable};
use crate::settings::{CacheChoice, Settings};
use crate::store::{Embedded, Location, Store};

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
    /// With --gitlab and no --registry: the client GitLab's API was read with before the registry
    /// was known (the registry's client shares its connection pool), and the registry it named.
    api_client: OnceLock<Client>,
    discovered: OnceLock<RegistryAddress>,
    /// Where the inventory comes from besides the registry's API, chosen once per run.
    source: Box<dyn source::InventorySource>,
    /// The service's state, opened when first needed.
    store: tokio::sync::OnceCell<Arc<dyn Store>>,
}

impl Context {
    pub fn new(settings: Settings) -> Self {
        let printer = Printer::new(settings.format, settings.quiet, settings.count)
            .with_template(settings.template.clone())
            .with_color(settings.color)
            .with_verbose(settings.verbose);
        let source = source::choose(&settings);
        Self {
            settings,
            printer,
            client: OnceLock::new(),
            cache: OnceLock::new(),
            api_client: OnceLock::new(),
            discovered: OnceLock::new(),
            source,
            store: tokio::sync::OnceCell::new(),
        }
    }

    /// The service's state: the PostgreSQL store `--store` names, else the embedded one beside
    /// the registry's cache. Opened (and its schema brought up to date) once per run.
    pub async fn store(&self) -> anyhow::Result<Arc<dyn Store>> {
        let opened = self
            .store
            .get_or_try_init(|| async {
                let location = self.store_location()?;
                let store = crate::store::open(&location, self.registry()?).await?;
                anyhow::Ok(Arc::from(store))
            })
            .await?;
        Ok(opened.clone())
    }

    fn store_location(&self) -> anyhow::Result<Location> {
        if let Some(store) = &self.settings.store {
            return Ok(Location::Postgres {
                url: store.url.clone(),
                password: store.password()?,
            });
        }
        let cache = self.cache()?.ok_or_else(|| {
            UsageError::with_hint(
                "the embedded store keeps the inventory in the cache, which --no-cache turns off",
                "drop --no-cache, or give --store postgres://...",
            )
        })?;
        let database = Embedded::default_path(self.registry()?).ok_or_else(|| {
            UsageError::new("no data directory on this system for the embedded store")
        })?;
        Ok(Location::Embedded {
            database,
            cache: cache.clone(),
        })
    }

    /// Where the inventory comes from besides the registry's API.
    pub fn source(&self) -> &dyn source::InventorySource {
        self.source.as_ref()
    }

    /// The registry: given, or named by the source (GitLab's repositories name theirs).
    pub fn registry(&self) -> Result<&RegistryAddress, ConfigError> {
        match self.discovered.get() {
            Some(registry) => Ok(registry),
            None => self.settings.registry(),
        }
    }

    /// The run's HTTP client: one connection pool, one token cache, one in-flight bound.
    pub fn client(&self) -> anyhow::Result<&Client> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let config = self.settings.client_config_for(self.registry()?.clone())?;
        let client = match self.api_client.get() {
            Some(api) => api.rebind(config),
            None => Client::new(config)?,
        };
        Ok(self.client.get_or_init(|| client))
    }

    /// The client GitLab's API is read with: the run's, or, while the registry is not known yet, one
    /// bound to GitLab's host whose connection pool the registry's client will share.
    fn api_client(&self, api: &crate::registry::GitlabApi) -> anyhow::Result<&Client> {
        if self.registry().is_ok() {
            return self.client();
        }
        if let Some(client) = self.api_client.get() {
            return Ok(client);
        }
        let address = RegistryAddress::parse(&format!("{}://{}", api.scheme(), api.host()))?;
        let client = Client::new(self.settings.client_config_for(address)?)?;
        Ok(self.api_client.get_or_init(|| client))
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

/// The cached inventory (what `want` asks for), if any, without the names that break the spec's
/// grammar (each kind warned about).
fn load(file: &CacheFile, ctx: &Context, want: Want) -> anyhow::Result<Option<Inventory>> {
    let registry = ctx.registry()?;
    let loaded = match want {
        Want::All => file.load(registry)?,
        Want::Only(names) | Want::Selection(names) => file.load_part(registry, names)?,
    };
    let Some(mut inventory) = loaded else {
        return Ok(None);
    };
    for line in inventory.take_invalid() {
        ctx.printer.warn(&line);
    }
    Ok(Some(inventory))
}

/// What a command needs of the registry's inventory.
#[derive(Debug, Clone, Copy)]
pub enum Want<'a> {
    /// Every repository.
    All,
    /// These repositories; without a cache only these are read from the registry.
    Only(&'a [String]),
    /// These repositories and, for the reverse check, where their digests are tagged elsewhere:
    /// from the cache's tables, or without a cache by reading the whole registry.
    Selection(&'a [String]),
}

/// The registry's inventory: from the cache when there is one (noting when it is old; for some
/// repositories, only those are read from it), otherwise (or with `--refresh`) read from the
/// registry and saved.
pub async fn inventory(ctx: &Context, want: Want<'_>) -> anyhow::Result<Inventory> {
    if ctx.settings.store.is_some() {
        return from_store(ctx).await;
    }
    let run_scope = ctx.source().scope();
    let Some(file) = ctx.cache()? else {
        let listed: Option<Vec<String>>;
        let scope = match want {
            Want::Only(names) => {
                ctx.source().check_in_scope(ctx, names).await?;
                Scope::Only(names)
            }
            Want::All | Want::Selection(_) => {
                listed = ctx.source().names(ctx).await?;
                listed.as_deref().map_or(Scope::All, Scope::Listed)
            }
        };
        let mut inventory = read_registry(ctx, scope, None).await?;
        inventory.scope = run_scope;
        return Ok(inventory);
    };
    let registry = ctx.registry()?;
    if !ctx.settings.refresh {
        match load(file, ctx, want)? {
            Some(inventory) if inventory.scope == run_scope => {
                note_if_stale(&inventory, ctx);
                return Ok(inventory);
            }
            Some(inventory) => ctx.printer.note(&format!(
                "the cache holds {}, not {}; reading the registry again",
                describe_scope(inventory.scope.as_deref()),
                describe_scope(run_scope.as_deref())
            )),
            None => ctx.printer.note(&format!(
                "no cache for {registry} yet; reading the registry into {}",
                file.path().display()
            )),
        }
    }
    // With --refresh the old file may be unreadable; it only lends its manifest details, and is the
    // base against which changes other writers make meanwhile are merged.
    let mut previous = file.load(registry).ok().flatten();
    if let Some(previous) = previous.as_mut() {
        file.load_all_details(previous)?;
    }
    let listed = ctx.source().names(ctx).await?;
    let scope = listed.as_deref().map_or(Scope::All, Scope::Listed);
    let mut inventory = read_registry(ctx, scope, previous.as_mut()).await?;
    inventory.scope = run_scope;
    Ok(file.save_refresh(registry, previous.as_ref(), inventory)?)
}

/// With `--store URL`: the store's view (its saved inventory and the events logged since), the
/// one `regsweep serve` keeps; the cache and the registry are not read.
async fn from_store(ctx: &Context) -> anyhow::Result<Inventory> {
    let store = ctx.store().await?;
    let Some(view) = crate::store::current(store.as_ref()).await? else {
        return Err(UsageError::with_hint(
            format!("{} holds no inventory yet", store.describe()),
            "`regsweep serve` with this store reads the registry into it",
        )
        .into());
    };
    note_age(view.refreshed_at, store.describe(), ctx);
    Ok(view)
}

/// A cache's scope in words.
fn describe_scope(scope: Option<&str>) -> String {
    match scope {
        Some(scope) => format!("the repositories of {scope}"),
        None => "the whole registry".to_owned(),
    }
}

/// Reads the registry with a progress bar that is cleared however the refresh ends, so an error
/// message never lands after a half-drawn bar.
async fn read_registry(
    ctx: &Context,
    scope: Scope<'_>,
    previous: Option<&mut Inventory>,
) -> anyhow::Result<Inventory> {
    let client = ctx.client()?;
    // What an earlier run found out spares asking again.
    let known_capabilities = previous.as_ref().map(|p| p.capabilities);
    if let Some(known) = known_capabilities.and_then(|c| c.referrers_api) {
        client.assume_referrers_api(known);
    }
    let started = std::time::Instant::now();
    // The registry's own listing, in pages, where it has one: no request per tag then.
    let native = ctx.source().native_api();
    let progress = ctx.printer.progress("tags");
    let result = refresh_with(client, (scope, native.as_ref()), previous, &progress).await;
    progress.finish_and_clear();
    if let Some(story) = client.limit_story() {
        ctx.printer.verbose(&format!("requests in flight: {story}"));
    }
    let mut refreshed = result?;
    for line in &refreshed.dangling {
        ctx.printer.note(line);
    }
    let mut capabilities = known_capabilities.unwrap_or_default();
    capabilities.referrers_api = client.referrers_api_known().or(capabilities.referrers_api);
    capabilities.catalog_page_size = client
        .catalog_page_size()
        .or(capabilities.catalog_page_size);
    refreshed.inventory.capabilities = capabilities;
    let inventory = &refreshed.inventory;
    // What a refresh found that an earlier read did not know: only these need their details read.
    let new = match refreshed.known {
        Some((tagged, known)) => format!(
            " ({} new, the details of {} known)",
            crate::output::plural_count(tagged - known, "manifest", "manifests"),
            crate::output::count(known)
        ),
        None => String::new(),
    };
    ctx.printer.done(
        &format!(
            "read {} of {}{new}",
            crate::output::plural_count(inventory.tag_count(), "tag", "tags"),
            crate::output::plural_count(inventory.repositories.len(), "repository", "repositories")
        ),
        started,
    );
    ctx.printer.phase("refresh", started);
    for line in &refreshed.skipped {
        ctx.printer.warn(line);
    }
    Ok(refreshed.inventory)
}

/// The cache's overview of the registry (repositories with their counts and usage figures), when
/// the run may answer from the cache and the cache has one that matches its main file.
pub fn overview(ctx: &Context) -> anyhow::Result<Option<Overview>> {
    if ctx.settings.refresh || ctx.settings.store.is_some() {
        return Ok(None);
    }
    let Some(file) = ctx.cache()? else {
        return Ok(None);
    };
    // A cache of another scope (GitLab projects, or the whole registry) is not this run's overview.
    if file.recorded_scope() != Some(ctx.source().scope()) {
        return Ok(None);
    }
    let overview = file.overview(ctx.registry()?)?;
    if let Some(overview) = &overview {
        note_age(overview.refreshed_at, &ctx.registry()?.to_string(), ctx);
    }
    Ok(overview)
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
    need: Need,
) -> anyhow::Result<Vec<(String, String)>> {
    if let Some(file) = ctx.cache()? {
        file.load_details(inventory, repositories)?;
    }
    if !requests_needed(inventory, repositories, need) {
        return Ok(Vec::new());
    }
    let started = std::time::Instant::now();
    // The client first: building it may ask for a password, which no progress display may hide.
    let client = ctx.client()?;
    let progress = ctx.printer.progress("manifests");
    progress.set_message("reading details");
    let mut first = None;
    if need.created && ctx.source().fills_created() {
        // Manifests first (layers, children), then created times from GitLab's tag details; only
        // what GitLab does not know is read from configs.
        let manifests = Need {
            created: false,
            ..need
        };
        let read = ensure_details(client, inventory, repositories, manifests, &progress).await;
        first = Some(read.inspect_err(|_| progress.finish_and_clear())?);
        ctx.source()
            .fill_details(ctx, inventory, repositories)
            .await?;
    }
    let read = ensure_details(client, inventory, repositories, need, &progress).await;
    progress.finish_and_clear();
    let mut fetched = read?;
    let requests = fetched.requests + first.as_ref().map_or(0, |f| f.requests);
    ctx.printer.done(
        &format!(
            "read {}",
            crate::output::plural_count(requests, "manifest or config", "manifests and configs")
        ),
        started,
    );
    ctx.printer.phase("details", started);
    if let Some(first) = first {
        fetched.gone.extend(first.gone);
        fetched.forgotten.extend(first.forgotten);
    }
    if let Some(file) = ctx.cache()? {
        file.update(ctx.registry()?, |current| {
            let mut current = current?;
            merge_details(&mut current.manifests, &inventory.manifests);
            current.forget_gone(&fetched.forgotten);
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
    need: Need,
) -> anyhow::Result<()> {
    let gone = with_details(ctx, inventory, repositories, need).await?;
    if gone.is_empty() {
        return Ok(());
    }
    inventory.forget_gone(&gone);
    if let Some(file) = ctx.cache()? {
        file.update(ctx.registry()?, |current| {
            let mut current = current?;
            current.forget_gone(&gone);
            Some(current)
        })?;
    }
    ctx.printer.note(&format!(
        "the cache was out of date: {} it listed {} no longer in the registry, and {} tags were \
         dropped from it (--refresh re-reads everything)",
        crate::output::plural_count(gone.len(), "manifest", "manifests"),
        if gone.len() == 1 { "is" } else { "are" },
        if gone.len() == 1 { "its" } else { "their" }
    ));
    Ok(())
}

/// What a plan frees, as far as the cache knows: a partly loaded inventory first reads the
/// registry's reference counts of the plan's blobs.
pub fn reclaim_of(
    ctx: &Context,
    inventory: &mut Inventory,
    plan: &Plan,
) -> anyhow::Result<Reclaim> {
    if inventory.elsewhere.is_some()
        && let Some(file) = ctx.cache()?
    {
        let blobs = plan_blobs(inventory, plan);
        file.load_blob_refs(ctx.registry()?, inventory, &blobs)?;
    }
    Ok(reclaimable(inventory, plan))
}

fn note_if_stale(inventory: &Inventory, ctx: &Context) {
    note_age(inventory.refreshed_at, &inventory.registry, ctx);
}

fn note_age(refreshed_at: Timestamp, registry: &str, ctx: &Context) {
    let age = age_seconds(refreshed_at);
    if age > STALE_AFTER_SECONDS {
        ctx.printer.note(&format!(
            "the cache of {registry} is {} old; run with --refresh to reload it",
            human_duration(age)
        ));
    }
}

/// Seconds since `then` (zero for a time in the future).
pub fn age_seconds(then: Timestamp) -> i64 {
    (Timestamp::now().as_second() - then.as_second()).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_in_the_future_is_not_new() {
        let later = Timestamp::now() + jiff::SignedDuration::from_mins(150);
        assert_eq!(age(later), "2 hours ahead");
        let earlier = Timestamp::now() - jiff::SignedDuration::from_hours(49);
        assert_eq!(age(earlier), "2 days");
    }

    #[test]
    fn durations_use_the_largest_unit() {
        assert_eq!(human_duration(0), "0 seconds");
        assert_eq!(human_duration(61), "1 minute");
        assert_eq!(human_duration(7_200), "2 hours");
        assert_eq!(human_duration(3 * 86_400 + 5), "3 days");
    }
}
