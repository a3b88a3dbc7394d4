//! `config list` and `config show`: the configuration file's named registries, and every effective
//! setting with where it came from.

use serde::Serialize;

use super::Context;
use crate::cache::CacheFile;
use crate::exit::ExitStatus;
use crate::output::Rows;
use crate::settings::CacheChoice;

#[derive(Serialize)]
struct Named {
    name: String,
    url: String,
    user: Option<String>,
    concurrency: Option<u16>,
    verify: Option<String>,
}

struct NamedRows(Vec<Named>);

impl Rows for NamedRows {
    type Row = Named;

    fn rows(&self) -> &[Named] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["NAME", "URL", "USER", "CONCURRENCY", "CA"]
    }

    fn cells(&self, n: &Named) -> Vec<String> {
        vec![
            n.name.clone(),
            n.url.clone(),
            n.user.clone().unwrap_or_default(),
            n.concurrency.map(|c| c.to_string()).unwrap_or_default(),
            n.verify.clone().unwrap_or_default(),
        ]
    }

    fn plain(&self, n: &Named) -> String {
        format!("{}  {}", n.name, n.url)
    }
}

pub fn list(ctx: &Context) -> anyhow::Result<ExitStatus> {
    note_file(ctx);
    let rows = ctx
        .settings
        .named_registries
        .iter()
        .map(|(name, r)| Named {
            name: name.clone(),
            url: r.url.clone(),
            user: r.user.clone(),
            concurrency: r.concurrency,
            verify: r.verify.clone(),
        })
        .collect();
    ctx.printer.rows(&NamedRows(rows))?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct Effective {
    setting: &'static str,
    value: String,
    from: &'static str,
}

struct EffectiveRows(Vec<Effective>);

impl Rows for EffectiveRows {
    type Row = Effective;

    fn rows(&self) -> &[Effective] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["SETTING", "VALUE", "FROM"]
    }

    fn cells(&self, e: &Effective) -> Vec<String> {
        vec![e.setting.to_owned(), e.value.clone(), e.from.to_owned()]
    }

    fn plain(&self, e: &Effective) -> String {
        format!("{}: {} ({})", e.setting, e.value, e.from)
    }
}

pub fn show(ctx: &Context) -> anyhow::Result<ExitStatus> {
    note_file(ctx);
    let mut rows: Vec<Effective> = ctx
        .settings
        .origins
        .iter()
        .map(|o| Effective {
            setting: o.setting,
            value: o.value.clone(),
            from: o.source.label(),
        })
        .collect();
    rows.extend(directories(ctx));
    rows.sort_by_key(|e| e.setting);
    ctx.printer.rows(&EffectiveRows(rows))?;
    Ok(ExitStatus::Success)
}

/// Where this registry's cache and journals are (unless a setting above already says where the
/// cache is): what an operator looks for after a removal.
fn directories(ctx: &Context) -> Vec<Effective> {
    let mut rows = Vec::new();
    let has = |setting: &str| ctx.settings.origins.iter().any(|o| o.setting == setting);
    let registry = ctx.registry().ok();
    if !has("cache") {
        let (value, from) = match (&ctx.settings.cache, registry) {
            (CacheChoice::Disabled, _) => ("none (disabled)".to_owned(), "flag"),
            (CacheChoice::File(path), _) => (path.display().to_string(), "flag"),
            (CacheChoice::Default, Some(registry)) => (
                CacheFile::default_for(registry)
                    .map_or_else(|e| e.to_string(), |f| f.path().display().to_string()),
                "default",
            ),
            (CacheChoice::Default, None) => (
                dirs::cache_dir().map_or_else(
                    || "no cache directory".to_owned(),
                    |d| format!("{} (one file per registry)", d.join("regsweep").display()),
                ),
                "default",
            ),
        };
        rows.push(Effective {
            setting: "cache",
            value,
            from,
        });
    }
    let journals = match registry {
        Some(registry) => crate::journal::dir_for(registry),
        None => crate::journal::root(),
    };
    rows.push(Effective {
        setting: "journals",
        value: journals.map_or_else(|e| e.to_string(), |d| d.display().to_string()),
        from: "default",
    });
    rows
}

fn note_file(ctx: &Context) {
    match &ctx.settings.config_path {
        Some(path) => ctx
            .printer
            .note(&format!("configuration file: {}", path.display())),
        None => ctx.printer.note(
            "no configuration file ($XDG_CONFIG_HOME/regsweep/config.toml or REGSWEEP_CONFIG)",
        ),
    }
}
