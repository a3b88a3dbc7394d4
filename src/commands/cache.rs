//! `cache info` and `cache clear`.

use serde::Serialize;

use std::io::{BufRead as _, IsTerminal as _};

use super::{Context, age_seconds, human_duration};
use crate::exit::{ExitStatus, NotAgreed, UsageError};
use crate::inventory::Inventory;
use crate::output::{Rows, plural_count};

#[derive(Serialize)]
struct Info {
    path: String,
    exists: bool,
    registry: Option<String>,
    refreshed_at: Option<String>,
    age_seconds: Option<i64>,
    repositories: Option<usize>,
    tagged_repositories: Option<usize>,
    tags: Option<usize>,
    digests: Option<usize>,
    manifest_details: Option<usize>,
    /// GitLab's projects and groups the cache holds the repositories of; none: the whole registry.
    scope: Option<String>,
    /// What the registry was found to support.
    capabilities: Option<crate::inventory::Capabilities>,
    /// Where images' created times came from: GitLab's API, image configs.
    created_from_gitlab: Option<usize>,
    created_from_configs: Option<usize>,
    file_bytes: Option<u64>,
}

/// `key: value` lines (a two-column table on a terminal); JSON is the `Info` document.
struct InfoLines {
    info: Info,
    pairs: Vec<(&'static str, String)>,
}

impl Rows for InfoLines {
    type Row = (&'static str, String);

    fn rows(&self) -> &[(&'static str, String)] {
        &self.pairs
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["", ""]
    }

    fn cells(&self, (key, value): &(&'static str, String)) -> Vec<String> {
        vec![(*key).to_owned(), value.clone()]
    }

    fn plain(&self, (key, value): &(&'static str, String)) -> String {
        format!("{key}: {value}")
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.info)?;
        writeln!(out)
    }
}

fn cache_disabled() -> UsageError {
    UsageError::with_hint(
        "the cache is disabled (-c None or --no-cache)",
        "drop that option, or name a file with --cache FILE",
    )
}

pub fn info(ctx: &Context) -> anyhow::Result<ExitStatus> {
    let file = ctx.cache()?.ok_or_else(cache_disabled)?;
    let mut inventory = file.load(ctx.registry()?)?;
    if let Some(inventory) = inventory.as_mut() {
        file.load_all_details(inventory)?;
    }
    let created = |gitlab: bool| {
        inventory.as_ref().map(|i| {
            i.manifests
                .values()
                .filter(|d| d.created.is_some() && d.from_gitlab == gitlab)
                .count()
        })
    };
    let info = Info {
        path: file.path().display().to_string(),
        exists: inventory.is_some(),
        registry: inventory.as_ref().map(|i| i.registry.clone()),
        refreshed_at: inventory
            .as_ref()
            .map(|i| crate::output::timestamp(i.refreshed_at)),
        age_seconds: inventory.as_ref().map(|i| age_seconds(i.refreshed_at)),
        repositories: inventory.as_ref().map(|i| i.repositories.len()),
        tagged_repositories: inventory.as_ref().map(|i| i.tagged_repositories().count()),
        tags: inventory.as_ref().map(|i| i.tag_count()),
        digests: inventory.as_ref().map(|i| i.digest_count()),
        manifest_details: inventory.as_ref().map(|i| i.manifests.len()),
        scope: inventory.as_ref().and_then(|i| i.scope.clone()),
        capabilities: inventory.as_ref().map(|i| i.capabilities),
        created_from_gitlab: created(true),
        created_from_configs: created(false),
        file_bytes: std::fs::metadata(file.path()).ok().map(|m| m.len()),
    };
    let pairs = info_lines(&info);
    ctx.printer.rows(&InfoLines { info, pairs })?;
    Ok(ExitStatus::Success)
}

/// Where the cache's facts came from, by the scope it was read with.
fn sources_text(scope: Option<&str>) -> String {
    match scope {
        Some(s) if s.starts_with("harbor ") => "repositories, tags, digests, push and pull times \
             from Harbor's API; details from the registry (digests re-checked there before any \
             delete)"
            .to_owned(),
        Some(s) if s.starts_with("gitlab ") => "repositories from GitLab's API; tags and digests \
             from its registry (in pages through /gitlab/v1/ where it answers); created times \
             from GitLab's API or configs"
            .to_owned(),
        _ => {
            "the registry's catalog, tag lists and manifests; pulls from regsweep serve".to_owned()
        }
    }
}

/// `cache info` as `key: value` lines.
fn info_lines(info: &Info) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("path", info.path.clone())];
    if let (Some(registry), Some(refreshed), Some(age)) =
        (&info.registry, &info.refreshed_at, info.age_seconds)
    {
        let show = |n: Option<usize>| n.unwrap_or_default().to_string();
        pairs.extend([
            ("registry", registry.clone()),
            (
                "refreshed",
                format!("{refreshed} ({} ago)", human_duration(age)),
            ),
            (
                "repositories",
                format!(
                    "{} ({} with tags)",
                    show(info.repositories),
                    show(info.tagged_repositories)
                ),
            ),
            ("tags", show(info.tags)),
            ("digests", show(info.digests)),
            ("manifest details", show(info.manifest_details)),
            (
                "created times",
                format!(
                    "{} from image configs, {} from the registry's API (GitLab's, Harbor's; with their sizes)",
                    show(info.created_from_configs),
                    show(info.created_from_gitlab)
                ),
            ),
            ("facts from", sources_text(info.scope.as_deref())),
            (
                "registry does",
                capabilities_text(info.capabilities.unwrap_or_default()),
            ),
            (
                "scope",
                info.scope
                    .clone()
                    .unwrap_or_else(|| "the whole registry".to_owned()),
            ),
            (
                "size",
                format!("{} bytes", info.file_bytes.unwrap_or_default()),
            ),
        ]);
    } else {
        pairs.push((
            "state",
            "no cache yet; the next command fills it".to_owned(),
        ));
    }
    pairs
}

/// What the registry was found to do, in words; `not yet known` for what no run found out.
fn capabilities_text(c: crate::inventory::Capabilities) -> String {
    let yes_no = |known: Option<bool>| match known {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not yet known",
    };
    format!(
        "delete by digest drops tags: {}; delete by tag: {}; deletes carried out later: {}; \
         referrers API: {}; catalog page: {}",
        yes_no(c.delete_drops_tags),
        yes_no(c.delete_by_tag),
        yes_no(c.deletes_later),
        yes_no(c.referrers_api),
        c.catalog_page_size
            .map_or("not yet known".to_owned(), |n| format!("{n} repositories"))
    )
}

pub fn clear(ctx: &Context, yes: bool) -> anyhow::Result<ExitStatus> {
    let file = ctx.cache()?.ok_or_else(cache_disabled)?;
    // A cache that cannot be read holds nothing to lose.
    let history = file
        .load(ctx.registry()?)
        .ok()
        .flatten()
        .map(|inventory| History::of(&inventory))
        .filter(|h| !h.is_empty());
    if let Some(history) = history
        && !yes
    {
        agree_to_lose(ctx, &history)?;
    }
    if file.clear()? {
        ctx.printer
            .note(&format!("removed the cache {}", file.path().display()));
    } else {
        ctx.printer
            .note(&format!("there was no cache at {}", file.path().display()));
    }
    Ok(ExitStatus::Success)
}

/// What a cache knows that the registry cannot tell again.
struct History {
    /// Tags with the time regsweep first saw them point to their digest.
    first_seen: usize,
    /// Untagged manifests regsweep remembers.
    untagged: usize,
    /// Tags with a pull time from the service's notifications.
    pulls: usize,
}

impl History {
    fn of(inventory: &Inventory) -> Self {
        let tags = || {
            inventory
                .repositories
                .values()
                .flat_map(|r| r.tags.values())
        };
        Self {
            first_seen: tags().filter(|t| t.seen().is_some()).count(),
            untagged: inventory
                .repositories
                .values()
                .map(|r| r.untagged.len())
                .sum(),
            pulls: tags().filter(|t| t.pulled().is_some()).count(),
        }
    }

    fn is_empty(&self) -> bool {
        self.first_seen + self.untagged + self.pulls == 0
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.first_seen > 0 {
            parts.push(format!(
                "when {} first seen (--tagged-before, age_by = \"tagged\")",
                plural_count(self.first_seen, "tag was", "tags were")
            ));
        }
        if self.untagged > 0 {
            parts.push(format!(
                "{} it remembers (query-untagged)",
                plural_count(self.untagged, "untagged manifest", "untagged manifests")
            ));
        }
        if self.pulls > 0 {
            parts.push(format!(
                "the last pulls of {} (--not-pulled-for)",
                plural_count(self.pulls, "tag", "tags")
            ));
        }
        parts.join("; ")
    }
}

/// Says what clearing loses and asks; without a terminal, `--yes` is needed.
fn agree_to_lose(ctx: &Context, history: &History) -> Result<(), NotAgreed> {
    let loses = format!(
        "the cache holds what the registry cannot tell again: {}",
        history.describe()
    );
    if !std::io::stdin().is_terminal() {
        return Err(NotAgreed {
            message: format!("{loses}; nothing was cleared"),
            hint: Some("pass --yes to clear it anyway".to_owned()),
        });
    }
    ctx.printer.important(&loses);
    ctx.printer.prompt("Clear it anyway? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(NotAgreed {
            message: "not confirmed; nothing was cleared".to_owned(),
            hint: None,
        }),
    }
}
