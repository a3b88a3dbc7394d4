//! Untagged manifests and the images of orphaned attachments are what regsweep remembers, not what
//! the registry lists: before either is selected, the registry is asked (HEAD, concurrently) which
//! are still stored. What is gone is forgotten, in the run and in the cache; an image that is stored
//! without a tag is remembered as untagged, so its signatures are not orphans.

use futures::future::try_join_all;
use jiff::Timestamp;

use super::{Context, Want, inventory};
use crate::inventory::{Inventory, MediaType};
use crate::select::{Query, orphan_subjects};

/// The inventory a query selects from, and the query with its repositories: an untagged query that
/// names none looks in every repository where regsweep remembers untagged manifests.
pub async fn selection_inventory(
    ctx: &Context,
    query: &Query,
) -> anyhow::Result<(Query, Inventory)> {
    let mut query = query.clone();
    if !query.repositories().is_empty() {
        let inventory = inventory(ctx, Want::Selection(query.repositories())).await?;
        return Ok((query, inventory));
    }
    let inventory = inventory(ctx, Want::All).await?;
    let with_untagged = inventory
        .repositories
        .iter()
        .filter(|(_, r)| !r.untagged.is_empty())
        .map(|(name, _)| name.clone())
        .collect();
    query.set_repositories(with_untagged);
    Ok((query, inventory))
}

/// Asks the registry which of the manifests an untagged or orphan query depends on are stored, and
/// updates the inventory (and the cache) with the answers. Other queries need nothing.
pub async fn check_stored(
    ctx: &Context,
    inventory: &mut Inventory,
    query: &Query,
) -> anyhow::Result<()> {
    let ask = stored_questions(inventory, query);
    ask_stored(ctx, inventory, ask).await
}

/// The (repository, digest) pairs whose being stored a query's selection depends on: remembered
/// untagged manifests, and the images of attachments (an image gone leaves orphans).
pub fn stored_questions(inventory: &Inventory, query: &Query) -> Vec<(String, String)> {
    match query {
        Query::Untagged(q) => untagged_questions(inventory, &q.repositories),
        Query::Orphans(q) => orphan_questions(inventory, &q.repositories),
        Query::Repos(_) | Query::Tags(_) => Vec::new(),
    }
}

pub fn untagged_questions(inventory: &Inventory, repositories: &[String]) -> Vec<(String, String)> {
    repositories
        .iter()
        .filter_map(|repo| Some((repo, inventory.repositories.get(repo)?)))
        .flat_map(|(repo, r)| r.untagged.keys().map(|d| (repo.clone(), d.clone())))
        .collect()
}

pub fn orphan_questions(inventory: &Inventory, repositories: &[String]) -> Vec<(String, String)> {
    repositories
        .iter()
        .flat_map(|repo| {
            let subjects = orphan_subjects(inventory, repo);
            subjects.into_iter().map(|d| (repo.clone(), d))
        })
        .collect()
}

/// Asks the registry (HEAD, concurrently) whether each pair is stored; forgets what is gone and
/// remembers what is stored without a tag, in the run and in the cache.
pub async fn ask_stored(
    ctx: &Context,
    inventory: &mut Inventory,
    ask: Vec<(String, String)>,
) -> anyhow::Result<()> {
    if ask.is_empty() {
        return Ok(());
    }
    let client = ctx.client()?;
    let answers = try_join_all(
        ask.iter()
            .map(|(repo, digest)| client.resolve(repo, digest)),
    )
    .await?;
    let now = Timestamp::now();
    let mut stored = Vec::new();
    let mut gone = Vec::new();
    for ((repo, digest), answer) in ask.into_iter().zip(answers) {
        match answer {
            Some(found) => stored.push((repo, digest, found.media_type.map(MediaType::from))),
            None => gone.push((repo, digest)),
        }
    }
    let apply = |inventory: &mut Inventory| {
        for (repo, digest) in &gone {
            if let Some(r) = inventory.repositories.get_mut(repo) {
                r.untagged.remove(digest);
            }
        }
        for (repo, digest, media_type) in &stored {
            if let Some(r) = inventory.repositories.get_mut(repo) {
                r.mark_untagged(digest, now, media_type.clone(), Vec::new());
            }
        }
    };
    apply(inventory);
    if let Some(file) = ctx.cache()? {
        file.update(ctx.registry()?, |current| {
            let mut current = current?;
            apply(&mut current);
            Some(current)
        })?;
    }
    if !gone.is_empty() {
        ctx.printer.note(&format!(
            "{} regsweep remembered without a tag {} no longer stored (forgotten)",
            crate::output::plural_count(gone.len(), "manifest", "manifests"),
            if gone.len() == 1 { "is" } else { "are" }
        ));
    }
    Ok(())
}
