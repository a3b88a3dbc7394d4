//! Where a run's inventory comes from besides the registry's own API: one source, chosen once per
//! run from the settings (`Context::source`). The catalog (`/v2/_catalog`, then one HEAD per tag)
//! is the default. GitLab's and Harbor's APIs name the repositories of projects and groups (their
//! registries refuse the catalog to most tokens) and say in pages what the Distribution API says one
//! tag at a time: each tag's digest and media type, when it was pushed, when it was last pulled.
//! Selection, planning, the live re-check, the journal, deleting and restoring stay the registry's
//! own API calls whatever the source: where a native answer and the registry disagree, the
//! registry wins.
//!
//! A new registry API is a module here implementing `InventorySource`, and one arm in `choose`.

use futures::future::LocalBoxFuture;

use super::Context;
use crate::exit::{Advice, UsageError};
use crate::inventory::Inventory;
use crate::registry::{NativeApi, RegistryError};
use crate::settings::Settings;

pub mod gitlab;
pub mod harbor;

/// What a registry's own API adds to the Distribution API's view.
pub trait InventorySource {
    /// The scope a cache made by this run records: `None` for the whole registry (the catalog).
    fn scope(&self) -> Option<String> {
        None
    }

    /// With no `--registry`: name the registry from what the source lists (GitLab does).
    fn discover<'a>(&'a self, _ctx: &'a Context) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// The run's repositories; `None`: the catalog's.
    fn names<'a>(
        &'a self,
        _ctx: &'a Context,
    ) -> LocalBoxFuture<'a, anyhow::Result<Option<Vec<String>>>> {
        Box::pin(async { Ok(None) })
    }

    /// Names the run asked for that the source's scope does not hold are an error.
    fn check_in_scope<'a>(
        &'a self,
        _ctx: &'a Context,
        _names: &'a [String],
    ) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// The registry's own API that lists tags in pages, if any: GitLab's wherever the registry
    /// answers its compliance check (asked once per refresh), so a GitLab registry read through
    /// its catalog by an administrator gains it too.
    fn native_api(&self) -> Option<NativeApi> {
        Some(NativeApi::GitlabV1)
    }

    /// Whether `fill_details` gives images' created times (so configs need not be read for them).
    fn fills_created(&self) -> bool {
        false
    }

    /// Fills details of `repositories` the inventory lacks from the source's API; how many.
    fn fill_details<'a>(
        &'a self,
        _ctx: &'a Context,
        _inventory: &'a mut Inventory,
        _repositories: &'a [String],
    ) -> LocalBoxFuture<'a, anyhow::Result<usize>> {
        Box::pin(async { Ok(0) })
    }

    /// Whether `--gc` can start the registry's garbage collection.
    fn collects_garbage(&self) -> bool {
        false
    }

    /// `--gc`: starts the registry's garbage collection and waits for it to end.
    fn collect_garbage<'a>(&'a self, _ctx: &'a Context) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async {
            Err(UsageError::with_hint(
                "--gc starts Harbor's garbage collection; this registry collects on its host",
                "run `registry garbage-collect CONFIG` where the registry runs (Distribution), \
                 or give --harbor URL",
            )
            .into())
        })
    }

    /// An error of the run, with the source's advice where it has some (which token scope or role
    /// a refusal needs).
    fn advise(&self, err: anyhow::Error) -> anyhow::Error {
        err
    }
}

/// `err` with a source's advice for the refusal it holds (the registry denied an action: `delete`,
/// `push`, or reading), as its hint; unchanged when nothing was denied.
fn advised(err: anyhow::Error, advice: impl Fn(&str) -> &'static str) -> anyhow::Error {
    let denied = err
        .chain()
        .find_map(|cause| match cause.downcast_ref::<RegistryError>() {
            Some(RegistryError::Denied { action, .. }) => Some(*action),
            _ => None,
        });
    match denied {
        Some(action) => err.context(Advice(advice(action).to_owned())),
        None => err,
    }
}

/// A registry's garbage collection that did not end well (a registry error, exit code 5): the
/// deletes stand, the space may not be freed yet.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GarbageCollection(pub String);

/// The Distribution API alone: the catalog, then each repository's tags.
pub struct Catalog;

impl InventorySource for Catalog {}

/// The source the settings ask for.
pub fn choose(settings: &Settings) -> Box<dyn InventorySource> {
    if let Some(gitlab) = &settings.gitlab {
        return Box::new(gitlab::Gitlab::new(gitlab.clone()));
    }
    if let Some(harbor) = &settings.harbor {
        return Box::new(harbor::Harbor::new(harbor.clone()));
    }
    Box::new(Catalog)
}
