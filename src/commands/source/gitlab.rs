//! GitLab: which repositories the run works on (its projects' and groups' registry repositories, from
//! GitLab's API, instead of the catalog GitLab refuses), which registry holds them (their
//! `location`), and images' created times and sizes from GitLab's tag details instead of their
//! configs. Everything else goes through the registry's own API, as for every registry.

use std::collections::BTreeMap;

use anyhow::Context as _;
use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use tokio::sync::OnceCell;

use futures::future::LocalBoxFuture;

use super::InventorySource;
use crate::commands::Context;
use crate::exit::UsageError;
use crate::inventory::Inventory;
use crate::names::is_repository_name;
use crate::registry::{GitlabApi, GitlabRepository, GitlabScope, RegistryAddress, split_location};
use crate::settings::GitlabSettings;

/// Repositories from GitLab's REST API: what GitLab said this run, read once.
pub struct Gitlab {
    settings: GitlabSettings,
    repositories: OnceCell<BTreeMap<String, GitlabRepository>>,
    /// The API with its token, once the token's source is settled (a given token, or the registry
    /// known so Docker's configuration can be asked): a credential helper runs once per run.
    api: std::sync::OnceLock<GitlabApi>,
}

impl Gitlab {
    pub fn new(settings: GitlabSettings) -> Self {
        Self {
            settings,
            repositories: OnceCell::new(),
            api: std::sync::OnceLock::new(),
        }
    }

    /// GitLab's API with its token: GITLAB_TOKEN or --gitlab-token-stdin, else what Docker's
    /// configuration holds for the registry (a token stored by `docker login`), else none (public
    /// projects).
    fn api(&self, ctx: &Context) -> anyhow::Result<GitlabApi> {
        if let Some(api) = self.api.get() {
            return Ok(api.clone());
        }
        let settings = &self.settings;
        let api = settings.api.clone();
        if api.has_token() {
            return Ok(self.api.get_or_init(|| api).clone());
        }
        // Before the registry is known (it is being discovered) there is no entry to look up yet.
        let Ok(registry) = ctx.registry() else {
            return Ok(api);
        };
        let api = match ctx.settings.stored_password(registry)? {
            Some(token) => api.with_token(token),
            None => api,
        };
        Ok(self.api.get_or_init(|| api).clone())
    }

    /// The names of the run's GitLab repositories: what a GitLab run reads instead of the catalog.
    pub async fn names(&self, ctx: &Context) -> anyhow::Result<Vec<String>> {
        Ok(self.repositories(ctx).await?.keys().cloned().collect())
    }

    /// With --gitlab and no --registry: the registry is the one GitLab's repositories name.
    pub async fn discover_registry(&self, ctx: &Context) -> anyhow::Result<()> {
        self.repositories(ctx).await?;
        if ctx.registry().is_err() {
            return Err(UsageError::with_hint(
                "GitLab lists no registry repositories in the given projects and groups, so it names \
                 no registry",
                "check --project and --group, or give --registry",
            )
            .into());
        }
        Ok(())
    }

    /// The registry repositories of the run's projects and groups, by repository name: each listed
    /// once, those on another registry or with a name that breaks the spec's grammar left out (warned).
    pub async fn repositories(
        &self,
        ctx: &Context,
    ) -> anyhow::Result<&BTreeMap<String, GitlabRepository>> {
        self.repositories
            .get_or_try_init(|| async {
                let settings = &self.settings;
                let api = self.api(ctx)?;
                let client = ctx.api_client(&api)?;
                let mut listed = Vec::new();
                for scope in &settings.scopes {
                    let (kind, name) = match scope {
                        GitlabScope::Project(p) => ("project", p),
                        GitlabScope::Group(g) => ("group", g),
                    };
                    let found =
                        client
                            .gitlab_repositories(&api, scope)
                            .await
                            .with_context(|| {
                                format!("listing the registry repositories of {kind} {name}")
                            })?;
                    listed.extend(found);
                }
                if ctx.registry().is_err()
                    && let Some((host, _)) =
                        listed.first().and_then(|r| split_location(&r.location))
                {
                    let registry = RegistryAddress::parse(&format!("{}://{host}", api.scheme()))?;
                    ctx.printer.note(&format!(
                        "the registry is {registry}, as GitLab names it (--registry overrides)"
                    ));
                    let _ = ctx.discovered.set(registry);
                }
                Ok::<_, anyhow::Error>(by_name(ctx, listed))
            })
            .await
    }
}

/// Repository names from their locations, on the run's registry only.
fn by_name(ctx: &Context, listed: Vec<GitlabRepository>) -> BTreeMap<String, GitlabRepository> {
    let here = ctx.registry().map(RegistryAddress::host_port).ok();
    let mut elsewhere = Vec::new();
    let mut invalid = Vec::new();
    let mut named = BTreeMap::new();
    for repository in listed {
        match split_location(&repository.location) {
            Some((host, _)) if Some(host) != here.as_deref() => {
                elsewhere.push(repository.location.clone());
            }
            Some((_, path)) if is_repository_name(path) => {
                named.insert(path.to_owned(), repository);
            }
            _ => invalid.push(format!("{:?}", repository.location)),
        }
    }
    if !elsewhere.is_empty() {
        ctx.printer
            .warn(&elsewhere_warning(&elsewhere, &here.unwrap_or_default()));
    }
    if !invalid.is_empty() {
        ctx.printer.warn(&format!(
            "skipped {} repository locations that are no registry repository: {}",
            invalid.len(),
            invalid.join(", ")
        ));
    }
    named
}

/// Which repositories were left out for living on another registry, and where: up to a few by
/// their location (`other.example.com/team/app`), then a count.
fn elsewhere_warning(locations: &[String], here: &str) -> String {
    const NAMED: usize = 3;
    let mut shown: Vec<String> = locations.iter().take(NAMED).cloned().collect();
    if locations.len() > NAMED {
        shown.push(format!("{} more", locations.len() - NAMED));
    }
    let list = match shown.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => shown.join(""),
    };
    match locations.len() {
        1 => format!(
            "1 repository GitLab lists is on another registry than {here}, so it is left out: \
             {list}"
        ),
        n => format!(
            "{n} repositories GitLab lists are on other registries than {here}, so they are left \
             out: {list}"
        ),
    }
}

impl Gitlab {
    /// Names the run asked for that its GitLab projects and groups do not hold are an error: the
    /// repository is outside the scope (or does not exist).
    pub async fn check_in_scope(&self, ctx: &Context, names: &[String]) -> anyhow::Result<()> {
        let known = self.repositories(ctx).await?;
        if let Some(outside) = names.iter().find(|n| !known.contains_key(*n)) {
            return Err(UsageError::with_hint(
                format!(
                    "repository {outside} is not in {}",
                    self.settings.scope_text()
                ),
                "`regsweep list-repo-names` lists the repositories of the given projects and groups",
            )
            .into());
        }
        Ok(())
    }

    /// Fills the created time (and, where the manifest gave none, the size) of the images of
    /// `repositories` that lack one from GitLab's tag details, one request per image rather than its
    /// config; returns how many were filled. What GitLab does not know is left for the config.
    pub async fn fill_details(
        &self,
        ctx: &Context,
        inventory: &mut Inventory,
        repositories: &[String],
    ) -> anyhow::Result<usize> {
        let known = self.repositories(ctx).await?;
        let mut wanted: BTreeMap<String, (GitlabRepository, String)> = BTreeMap::new();
        for repo in repositories {
            let (Some(gitlab), Some(repository)) =
                (known.get(repo), inventory.repositories.get(repo))
            else {
                continue;
            };
            for (tag, entry) in &repository.tags {
                let lacking = inventory
                    .manifests
                    .get(&entry.digest)
                    .is_none_or(|d| d.created.is_none() && !d.config_read);
                if lacking {
                    wanted
                        .entry(entry.digest.to_string())
                        .or_insert_with(|| (gitlab.clone(), tag.clone()));
                }
            }
        }
        if wanted.is_empty() {
            return Ok(0);
        }
        let api = self.api(ctx)?;
        let client = ctx.client()?;
        let answers: Vec<(String, Option<crate::registry::GitlabTag>)> = stream::iter(wanted)
            .map(|(digest, (repository, tag))| {
                let api = &api;
                async move {
                    let answer = client.gitlab_tag(api, &repository, &tag).await?;
                    Ok::<_, anyhow::Error>((digest, answer))
                }
            })
            .buffer_unordered(client.max_in_flight())
            .try_collect()
            .await
            .context("reading tags' details from GitLab's API")?;
        let mut filled = 0;
        for (digest, answer) in answers {
            let Some(tag) = answer else { continue };
            // GitLab's answer is about the tag now; it is used only if it names the same image.
            if tag.digest.as_deref().is_some_and(|d| d != digest) || tag.created_at.is_none() {
                continue;
            }
            let details = inventory.manifests.entry(digest.into()).or_default();
            details.set_created(tag.created_at);
            if details.size.is_none() {
                details.size = tag.total_size;
            }
            // Its config need not be read for a created time; platforms stay unknown.
            details.config_read = true;
            details.from_gitlab = true;
            filled += 1;
        }
        Ok(filled)
    }
}

impl InventorySource for Gitlab {
    fn scope(&self) -> Option<String> {
        Some(self.settings.scope_text())
    }

    fn discover<'a>(&'a self, ctx: &'a Context) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.discover_registry(ctx))
    }

    fn names<'a>(
        &'a self,
        ctx: &'a Context,
    ) -> LocalBoxFuture<'a, anyhow::Result<Option<Vec<String>>>> {
        Box::pin(async move { Ok(Some(Gitlab::names(self, ctx).await?)) })
    }

    fn check_in_scope<'a>(
        &'a self,
        ctx: &'a Context,
        names: &'a [String],
    ) -> LocalBoxFuture<'a, anyhow::Result<()>> {
        Box::pin(Gitlab::check_in_scope(self, ctx, names))
    }

    fn fills_created(&self) -> bool {
        true
    }

    fn fill_details<'a>(
        &'a self,
        ctx: &'a Context,
        inventory: &'a mut Inventory,
        repositories: &'a [String],
    ) -> LocalBoxFuture<'a, anyhow::Result<usize>> {
        Box::pin(Gitlab::fill_details(self, ctx, inventory, repositories))
    }

    /// A registry refusal to delete or push gets GitLab's advice: which token and role its
    /// `/jwt/auth` grants that action to.
    fn advise(&self, err: anyhow::Error) -> anyhow::Error {
        super::advised(err, |action| match action {
            "delete" => {
                "GitLab grants delete only to a user allowed to delete the project's images, \
                 through a token with the api or write_registry scope; deploy tokens and \
                 CI_JOB_TOKEN cannot delete"
            }
            "push" => {
                "restoring pushes: GitLab grants push to a token with the write_registry or api \
                 scope of a user with at least the Developer role"
            }
            _ => {
                "GitLab grants pull to a token with the read_registry (or api) scope of a user \
                 with at least the Reporter role"
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::elsewhere_warning;

    #[test]
    fn repositories_on_another_registry_are_named() {
        let at = |n: usize| {
            (0..n)
                .map(|i| format!("other.example.com/team/app{i}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            elsewhere_warning(&at(1), "registry.example.com"),
            "1 repository GitLab lists is on another registry than registry.example.com, so it is \
             left out: other.example.com/team/app0"
        );
        assert_eq!(
            elsewhere_warning(&at(2), "r"),
            "2 repositories GitLab lists are on other registries than r, so they are left out: \
             other.example.com/team/app0 and other.example.com/team/app1"
        );
        assert!(elsewhere_warning(&at(5), "r").ends_with(
            "other.example.com/team/app0, other.example.com/team/app1, \
                 other.example.com/team/app2 and 2 more"
        ));
    }
}
