//! Fills an inventory from the registry: the catalog, then every repository's tags and every tag's
//! digest, all concurrently (the client bounds how many requests are in flight).

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use futures::future::try_join_all;
use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use indicatif::ProgressBar;
use jiff::Timestamp;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::inventory::{
    Details, Inventory, ManifestDetails, MediaType, Platform, Referrer, Repository, Stamp,
    TagEntry, UnknownRepository, carry_over_history, share_digests,
};
use crate::registry::{Client, ErrorCode, Listed, NativeApi, RegistryError};

/// Which repositories to read.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Everything in the catalog.
    All,
    /// Only these repositories (a run without a cache that names them); each must exist.
    Only(&'a [String]),
    /// These, as another listing named them (GitLab's API): like the catalog's, one the registry
    /// does not know is an emptied repository.
    Listed(&'a [String]),
}

/// The repositories to read: the catalog's (its refused names noted), or those given.
async fn names_of(
    client: &Client,
    scope: Scope<'_>,
    skipped: &mut Vec<String>,
) -> anyhow::Result<Vec<String>> {
    Ok(match scope {
        Scope::All => {
            let listed = client
                .catalog()
                .await
                .with_context(|| format!("listing the repositories of {}", client.address()))?;
            note_invalid(skipped, "repository names in the catalog", &listed);
            listed.names
        }
        Scope::Only(names) | Scope::Listed(names) => names.to_vec(),
    })
}

/// What a refresh read, and the names it refused to use.
#[derive(Debug)]
pub struct Refreshed {
    pub inventory: Inventory,
    /// One line per kind of refused name, for the user: names that break the distribution spec's
    /// grammar would leave `/v2/` or the cache's directory, or carry control characters.
    pub skipped: Vec<String>,
    /// One line per repository listing tags whose manifests answer 404.
    pub dangling: Vec<String>,
    /// With a previous inventory: how many tagged manifests there are, and how many of them it
    /// knew the details of.
    pub known: Option<(usize, usize)>,
}

/// Reads the registry into a new inventory. Manifest details of `previous` are carried over for
/// digests that are still tagged, since a manifest never changes for its digest (moved, not
/// copied: `previous` keeps the rest of its details), and so is each tag's history (when it was
/// first seen, last pulled) while it points to the same digest. Any failure fails the whole
/// refresh, so a caller never saves half a registry.
pub async fn refresh(
    client: &Client,
    scope: Scope<'_>,
    previous: Option<&mut Inventory>,
    progress: &ProgressBar,
) -> anyhow::Result<Refreshed> {
    refresh_with(client, (scope, None), previous, progress).await
}

/// `refresh`, reading tags through a registry's own API where it answers (`native`): each
/// repository's in pages, no request per tag (their names and digests validated as the
/// registry's would be).
pub async fn refresh_with(
    client: &Client,
    (scope, native): (Scope<'_>, Option<&NativeApi>),
    previous: Option<&mut Inventory>,
    progress: &ProgressBar,
) -> anyhow::Result<Refreshed> {
    let started = Timestamp::now();
    let registry = client.address();
    progress.set_message("reading the catalog");
    // The `/v2/` check and the catalog go together: at a distance they would be two round trips
    // one after the other. The check's failure is the one reported (it says why best: not a
    // registry, refused); a registry that asks for credentials challenges both, and each learns.
    let mut skipped = Vec::new();
    let (pinged, names) = tokio::join!(client.ping(), names_of(client, scope, &mut skipped));
    pinged.with_context(|| format!("checking the registry at {registry}"))?;
    let names = names?;
    progress.set_message(match names.len() {
        1 => "reading 1 repository".to_owned(),
        n => format!("reading {n} repositories"),
    });
    let referrers_api = ReferrersQuestion::ask(client, names.first());

    let native = match native {
        Some(api) if client.native_usable(api).await => Some(api.clone()),
        _ => None,
    };
    let mut tasks = read_all(client, names, (native, referrers_api), progress);
    let mut dangling = Vec::new();
    let mut inventory = Inventory::new(registry, started);
    let mut listed_details = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (name, repository) = joined.context("a refresh task failed")?;
        let Some(mut read) = repository? else {
            // Listed in the catalog (or by the source) but unknown to the tags endpoint: an
            // emptied repository; one asked for by name must exist.
            if !matches!(scope, Scope::All | Scope::Listed(_)) {
                bail!(UnknownRepository {
                    name,
                    registry: registry.to_string(),
                });
            }
            inventory.repositories.insert(name, Repository::default());
            continue;
        };
        if let Some(before) = previous.as_deref().and_then(|p| p.repositories.get(&name)) {
            share_digests(&mut read.repository, before);
        }
        note_invalid(&mut skipped, &format!("tags of {name}"), &read.refused);
        let emptied = read.repository.tags.is_empty();
        dangling.extend(dangling_note(&name, read.missing, emptied));
        inventory.repositories.insert(name, read.repository);
        listed_details.extend(read.details);
    }
    carry_over_history(&mut inventory, previous.as_deref(), started);
    let known = previous.map(|previous| {
        let known = known_details(&inventory, previous);
        carry_over_details(&mut inventory, &mut previous.manifests);
        known
    });
    // Details read before (from the manifest itself) stay; the registry's listing fills the rest.
    for (digest, details) in listed_details {
        inventory
            .manifests
            .entry(digest.into())
            .or_insert(Box::new(details));
    }
    skipped.sort();
    dangling.sort();
    Ok(Refreshed {
        inventory,
        skipped,
        dangling,
        known,
    })
}

/// A line about a repository's listed tags whose manifests answer 404, if any.
fn dangling_note(name: &str, missing: usize, emptied: bool) -> Option<String> {
    let all = if emptied {
        " (all of them: the repository counts as emptied)"
    } else {
        ""
    };
    let tags = match missing {
        1 => "1 tag in {name} points to a missing manifest".replace("{name}", name),
        n => format!("{n} tags in {name} point to missing manifests"),
    };
    (missing > 0).then(|| format!("{tags}{all}"))
}

/// A line about the names of `listed` that were refused, if any.
fn note_invalid(skipped: &mut Vec<String>, what: &str, listed: &Listed) {
    if listed.invalid.is_empty() {
        return;
    }
    let quoted: Vec<String> = listed.invalid.iter().map(|n| format!("\"{n}\"")).collect();
    skipped.push(format!(
        "skipped {} {what} that break the distribution spec's grammar: {}",
        listed.invalid.len(),
        quoted.join(", ")
    ));
}

/// How many tags may be under way at once across the repositories read together: each waiting
/// request holds about 2 KB of state, and every tag of every repository waiting at once took a cold
/// refresh of 100,000 tags to 335 MB (104 MB with a bound; a million would have held about 2 GB).
/// Four times the adaptive limit's highest ceiling, so the limit of requests in flight, not this,
/// is what holds them back.
const TAGS_UNDER_WAY: usize = 4096;

/// One repository's tags and their digests, and the tags it refused; `None` when the registry does
/// not know the repository. Its tags are read once `under_way` has room for them (for a repository
/// of more tags than it holds, once it is free, and then that many at a time).
async fn read_repository(
    client: &Client,
    name: &str,
    progress: &ProgressBar,
    under_way: &Semaphore,
) -> anyhow::Result<Option<Read>> {
    let Some(mut listed) = client.tags(name).await? else {
        return Ok(None);
    };
    let tags = std::mem::take(&mut listed.names);
    progress.inc_length(tags.len() as u64);
    let room = tags.len().clamp(1, TAGS_UNDER_WAY);
    // The semaphore is never closed: failing to acquire could only mean reading without waiting.
    let _room = under_way.acquire_many(room as u32).await.ok();
    // By index: a closure over borrowed tags trips the compiler's lifetimes inside a spawned task.
    let tags_ref = &tags;
    let resolved: Vec<_> = stream::iter(0..tags.len())
        .map(|i| async move {
            let tag = &tags_ref[i];
            let manifest = client.resolve(name, tag).await;
            progress.inc(1);
            manifest.with_context(|| format!("reading the digest of {name}:{tag}"))
        })
        .buffered(room)
        .try_collect()
        .await?;
    let mut missing = 0;
    // A listed tag whose manifest answers 404 is not there: it vanished meanwhile, or the
    // registry keeps listing tags of deleted manifests (go-containerregistry's does). Collected,
    // not inserted one by one: a tree built in one go has full nodes (see `inventory::packed`).
    let repository = Repository {
        tags: tags
            .into_iter()
            .zip(resolved)
            .filter_map(|(tag, manifest)| {
                let Some(manifest) = manifest else {
                    missing += 1;
                    return None;
                };
                let media_type = manifest.media_type.map(MediaType::from);
                Some((tag, TagEntry::new(manifest.digest, media_type)))
            })
            .collect(),
        ..Repository::default()
    };
    Ok(Some(Read {
        repository,
        refused: listed,
        missing,
        details: BTreeMap::new(),
    }))
}

/// One repository from its native listing: tags whose names or digests break the spec's grammar
/// are refused as the registry's own would be; pushes and pulls become the tags' history.
async fn natively(
    client: &Client,
    api: &NativeApi,
    name: &str,
    progress: &ProgressBar,
) -> anyhow::Result<Option<Read>> {
    let listed = match client.native_tags(api, name).await {
        Ok(listed) => listed,
        Err(err) if err.is_not_found(ErrorCode::NameUnknown) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let mut tags = Vec::with_capacity(listed.len());
    let mut refused = Listed::default();
    let mut details = BTreeMap::new();
    progress.inc_length(listed.len() as u64);
    for (tag, native) in listed {
        progress.inc(1);
        if !crate::names::is_tag(&tag) || !crate::names::is_digest(&native.digest) {
            refused.invalid.push(tag);
            continue;
        }
        // What the registry says of the image (its size, build time, platforms) spares reading
        // its manifest and config where no blob is needed; `from_gitlab` marks it as the
        // registry's API's word, the manifest unread.
        if native.size.is_some() {
            details
                .entry(native.digest.clone())
                .or_insert_with(|| ManifestDetails {
                    media_type: native.media_type.as_deref().map(MediaType::from),
                    size: native.size,
                    created: native.created.map(Stamp::from),
                    platforms: native.platforms.iter().map(Platform::from).collect(),
                    config_read: native.created.is_some(),
                    from_gitlab: true,
                    ..ManifestDetails::default()
                });
        }
        let mut entry = TagEntry::new(native.digest, native.media_type.map(MediaType::from));
        entry.set_seen(native.pushed);
        entry.set_pulled(native.pulled);
        tags.push((tag, entry));
    }
    let repository = Repository {
        tags: tags.into_iter().collect(),
        ..Repository::default()
    };
    Ok(Some(Read {
        repository,
        refused,
        missing: 0,
        details,
    }))
}

/// Every repository read concurrently (the client bounds the requests in flight): through the
/// registry's own listing where there is one, else its tag list and a HEAD per tag.
fn read_all(
    client: &Client,
    names: Vec<String>,
    (native, referrers_api): (Option<NativeApi>, ReferrersQuestion),
    progress: &ProgressBar,
) -> JoinSet<(String, anyhow::Result<Option<Read>>)> {
    let mut tasks = JoinSet::new();
    let under_way = std::sync::Arc::new(Semaphore::new(TAGS_UNDER_WAY));
    for name in names {
        let under_way = under_way.clone();
        let client = client.clone();
        let progress = progress.clone();
        let native = native.clone();
        let referrers_api = referrers_api.clone();
        tasks.spawn(async move {
            let read = async {
                let read = match native {
                    Some(api) => natively(&client, &api, &name, &progress).await,
                    None => read_repository(&client, &name, &progress, &under_way).await,
                };
                let Some(mut read) = read? else {
                    return Ok(None);
                };
                if referrers_api.answer().await {
                    read_referrers(&client, &name, &mut read.repository)
                        .await
                        .with_context(|| format!("listing the referrers in {name}"))?;
                }
                anyhow::Ok(Some(read))
            };
            let read = read.await;
            (
                name.clone(),
                read.with_context(|| format!("reading repository {name}")),
            )
        });
    }
    tasks
}

/// Whether the registry has the referrers API: asked once (a registry without it gets one request
/// about it), at the start of a refresh beside its tag lists, so the question costs no round trip
/// of its own (a quarter of a second at a 250 ms round trip).
#[derive(Clone)]
struct ReferrersQuestion {
    client: Client,
    /// The repository asked about.
    first: Option<String>,
    answer: std::sync::Arc<tokio::sync::OnceCell<bool>>,
}

impl ReferrersQuestion {
    fn ask(client: &Client, first: Option<&String>) -> Self {
        let question = Self {
            client: client.clone(),
            first: first.cloned(),
            answer: Default::default(),
        };
        let early = question.clone();
        tokio::spawn(async move { early.answer().await });
        question
    }

    async fn answer(&self) -> bool {
        let Some(first) = &self.first else {
            return false;
        };
        *self
            .answer
            .get_or_init(|| self.client.has_referrers_api(first))
            .await
    }
}

/// One repository as read: its tags, the names refused, how many listed tags had no manifest, and
/// the details a native listing gave.
struct Read {
    repository: Repository,
    refused: Listed,
    missing: usize,
    details: BTreeMap<String, ManifestDetails>,
}

/// How deep referrers of referrers are followed (an SBOM's signature is two levels down).
const REFERRER_DEPTH: usize = 4;

/// Asks the referrers API which manifests refer to each tagged one, and to those in turn.
async fn read_referrers(
    client: &Client,
    name: &str,
    repository: &mut Repository,
) -> Result<(), RegistryError> {
    let mut level: Vec<String> = repository
        .tags
        .values()
        .map(|t| t.digest.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for _ in 0..REFERRER_DEPTH {
        if level.is_empty() {
            break;
        }
        let answers = try_join_all(level.iter().map(|d| client.referrers(name, d))).await?;
        let mut next = Vec::new();
        for (subject, referrers) in level.iter().zip(answers) {
            for r in referrers {
                if repository.referrers.contains_key(&r.digest) {
                    continue;
                }
                next.push(r.digest.clone());
                repository.referrers.insert(
                    r.digest,
                    Referrer {
                        subject: subject.clone(),
                        media_type: r.media_type.map(MediaType::from),
                        artifact_type: r.artifact_type.map(MediaType::from),
                    },
                );
            }
        }
        level = next;
    }
    Ok(())
}

/// How many manifests `inventory`'s tags point to, and how many of them `previous` has details of.
fn known_details(inventory: &Inventory, previous: &Inventory) -> (usize, usize) {
    let tagged: rustc_hash::FxHashSet<&str> = inventory
        .repositories
        .values()
        .flat_map(|r| r.tags.values().map(|t| t.digest.as_str()))
        .collect();
    let known = tagged
        .iter()
        .filter(|d| previous.manifests.contains_key(**d))
        .count();
    (tagged.len(), known)
}

/// Moves the details of `previous` over for every digest still referenced: tagged ones, and the
/// children of kept indexes (transitively), which no tag names but `usage` and removal plans need.
fn carry_over_details(inventory: &mut Inventory, previous: &mut Details) {
    let referenced = inventory.repositories.values().flat_map(|r| {
        let tagged = r.tags.values().map(|t| t.digest.as_str());
        tagged
            .chain(r.referrers.keys().map(String::as_str))
            .chain(r.untagged.keys().map(String::as_str))
    });
    let mut kept = Details::default();
    // Children are few (an index's platforms): the only digests copied.
    let mut children: Vec<String> = Vec::new();
    let mut keep = |digest: &str, children: &mut Vec<String>| {
        if let Some((digest, details)) = previous.remove_entry(digest) {
            children.extend(
                details
                    .children()
                    .into_iter()
                    .flatten()
                    .map(|c| c.digest.clone()),
            );
            kept.insert(digest, details);
        }
    };
    for digest in referenced {
        keep(digest, &mut children);
    }
    while let Some(child) = children.pop() {
        keep(&child, &mut children);
    }
    inventory.manifests = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{ChildManifest, Digest};

    fn details(children: &[&str]) -> Box<ManifestDetails> {
        let children: Vec<ChildManifest> = children
            .iter()
            .map(|c| ChildManifest {
                digest: (*c).to_owned(),
                media_type: None,
                platform: None,
            })
            .collect();
        let mut details = ManifestDetails {
            size: Some(children.len() as u64),
            ..ManifestDetails::default()
        };
        details.set_children((!children.is_empty()).then_some(children));
        Box::new(details)
    }

    #[test]
    fn details_still_referenced_move_over_with_their_children_and_the_rest_stay() {
        let mut previous = Details::default();
        for (digest, children) in [
            ("tagged", &[][..]),
            ("index", &["child"][..]),
            ("child", &["grandchild"][..]),
            ("grandchild", &[][..]),
            ("untagged", &[][..]),
            ("gone", &[][..]),
        ] {
            previous.insert((*digest).into(), details(children));
        }
        let mut inventory = Inventory::new(&"http://127.0.0.1:5000", Timestamp::UNIX_EPOCH);
        let mut repository = Repository::default();
        for (tag, digest) in [("1", "tagged"), ("2", "index"), ("3", "unknown")] {
            repository
                .tags
                .insert(tag.into(), TagEntry::new(digest, None));
        }
        repository.mark_untagged("untagged", Timestamp::UNIX_EPOCH, None, vec![]);
        inventory.repositories.insert("app".into(), repository);
        let known = known_details(
            &inventory,
            &Inventory {
                manifests: previous.clone(),
                ..inventory.clone()
            },
        );
        assert_eq!(known, (3, 2));
        let all = previous.clone();
        carry_over_details(&mut inventory, &mut previous);
        let mut kept: Vec<&str> = inventory.manifests.keys().map(Digest::as_str).collect();
        kept.sort();
        assert_eq!(kept, ["child", "grandchild", "index", "tagged", "untagged"]);
        assert!(kept.iter().all(|d| inventory.manifests[*d] == all[*d]));
        let left: Vec<&Digest> = previous.keys().collect();
        assert_eq!(left, ["gone"]);
    }
}
