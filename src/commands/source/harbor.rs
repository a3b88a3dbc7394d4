//! Harbor: the run's repositories are its projects' (`--project`, or every project the credentials
//! can see), listed through Harbor's API since Harbor refuses `/v2/_catalog` to non-administrators;
//! their tags come from the artifacts' listing in pages, with each image's push and pull times, so
//! `--not-pulled-for` and a policy's `not_pulled_for` need no service watching the registry.
//! Deleting and restoring go through the registry's own API, as for every registry.

use anyhow::Context as _;
use futures::future::LocalBoxFuture;
use tokio::sync::OnceCell;

use super::{GarbageCollection, InventorySource};
use crate::commands::Context;
use crate::exit::UsageError;
use crate::names::is_repository_name;
use crate::registry::{NativeApi, RegistryAddress};
use crate::settings::HarborSettings;

/// How long `--gc` waits for Harbor's garbage collection.
const GC_WAIT: std::time::Duration = std::time::Duration::from_secs(3600);

/// Harbor's projects and their repositories, read once per run.
pub struct Harbor {
    settings: HarborSettings,
    repositories: OnceCell<Vec<String>>,
}

impl Harbor {
    pub fn new(settings: HarborSettings) -> Self {
        Self {
            settings,
            repositories: OnceCell::new(),
        }
    }

    /// The repositories of the run's projects, by their registry names (`project/repository`);
    /// names that break the distribution spec's grammar are left out with a warning.
    async fn repositories(&self, ctx: &Context) -> anyhow::Result<&Vec<String>> {
        self.repositories
            .get_or_try_init(|| async {
                let client = ctx.client()?;
                let api = &self.settings.api;
                let projects = match self.settings.projects.as_slice() {
                    [] => client
                        .harbor_projects(api)
                        .await
                        .context("listing Harbor's projects")?,
                    named => named.to_vec(),
                };
                let mut names = Vec::new();
                for project in &projects {
                    let listed = client
                        .harbor_repositories(api, project)
                        .await
                        .with_context(|| {
                            format!("listing the repositories of project {project}")
                        })?;
                    names.extend(listed);
                }
                let (mut valid, invalid): (Vec<String>, Vec<String>) =
                    names.into_iter().partition(|n| is_repository_name(n));
                if !invalid.is_empty() {
                    ctx.printer.warn(&format!(
                        "skipped {} repository names Harbor listed that break the distribution \
                         spec's grammar: {}",
                        invalid.len(),
                        invalid
                            .iter()
                            .map(|n| format!("{n:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                valid.sort();
                valid.dedup();
                Ok::<_, anyhow::Error>(valid)
            })
            .await
    }
}

impl InventorySource for Harbor {
    fn scope(&self) -> Option<String> {
        Some(self.settings.scope_text())
    }

    /// Harbor serves its registry at its own address.
    fn discover<'a>(&'a self, ctx: &'a Context) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let registry = RegistryAddress::parse(&self.settings.api.origin())?;
            let _ = ctx.discovered.set(registry);
            Ok(())
        })
    }

    fn names<'a>(
        &'a self,
        ctx: &'a Context,
    ) -> LocalBoxFuture<'a, anyhow::Result<Option<Vec<String>>>> {
        Box::pin(async move { Ok(Some(self.repositories(ctx).await?.clone())) })
    }

    fn check_in_scope<'a>(
        &'a self,
        ctx: &'a Context,
        names: &'a [String],
    ) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let known = self.repositories(ctx).await?;
            if let Some(outside) = names.iter().find(|n| !known.contains(n)) {
                return Err(UsageError::with_hint(
                    format!(
                        "repository {outside} is not in {}",
                        self.settings.scope_text()
                    ),
                    "`regsweep list-repo-names` lists the repositories of the given projects",
                )
                .into());
            }
            Ok(())
        })
    }

    /// A refusal to delete or to read gets Harbor's advice: which permission the account needs.
    fn advise(&self, err: anyhow::Error) -> anyhow::Error {
        super::advised(err, |action| match action {
            "delete" => {
                "in Harbor, the account needs the project's permission to delete artifacts: a \
                 robot account with Delete Artifact, or a user with the Maintainer role"
            }
            "push" => {
                "restoring pushes: in Harbor, the account needs the project's Push Artifact \
                 permission (a robot account), or the Developer role"
            }
            _ => "in Harbor, the account needs the project's Pull Artifact permission",
        })
    }

    fn collects_garbage(&self) -> bool {
        true
    }

    /// Starts Harbor's garbage collection and waits for it (at most an hour), with a progress
    /// line; a collection that ends in error is an error.
    fn collect_garbage<'a>(&'a self, ctx: &'a Context) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let client = ctx.client()?;
            let api = &self.settings.api;
            let before = client.harbor_gc_status(api).await?.map(|(id, _)| id);
            client
                .harbor_start_gc(api)
                .await
                .context("starting Harbor's garbage collection")?;
            let started = std::time::Instant::now();
            let progress = ctx.printer.progress("");
            progress.set_message("Harbor's garbage collection");
            let mut pause = std::time::Duration::from_millis(200);
            let status = loop {
                if started.elapsed() > GC_WAIT {
                    break None;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(5));
                match client.harbor_gc_status(api).await? {
                    Some((id, status)) if Some(id) != before => {
                        progress.set_message(format!("Harbor's garbage collection: {status}"));
                        if !matches!(status.as_str(), "Pending" | "Running" | "Scheduled") {
                            break Some(status);
                        }
                    }
                    _ => {}
                }
            };
            progress.finish_and_clear();
            match status.as_deref() {
                Some("Success") => {
                    ctx.printer.done(
                        "Harbor's garbage collection freed the deleted images' space",
                        started,
                    );
                    Ok(())
                }
                Some(other) => Err(GarbageCollection(format!(
                    "Harbor's garbage collection ended {other}; the deleted images' space may not \
                     be freed yet (Harbor's Administration > Clean Up shows its log)"
                ))
                .into()),
                None => Err(GarbageCollection(format!(
                    "Harbor's garbage collection was still running after {} minutes; it goes on \
                     in Harbor (Administration > Clean Up)",
                    GC_WAIT.as_secs() / 60
                ))
                .into()),
            }
        })
    }

    /// Harbor's artifacts, 100 a page.
    fn native_api(&self) -> Option<NativeApi> {
        Some(NativeApi::Harbor(self.settings.api.clone()))
    }
}
