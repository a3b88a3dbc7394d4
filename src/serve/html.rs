//! The same resources as pages, for a browser (`Accept: text/html`): the registry's images largest
//! first, an image's tags, a tag's attributes; every name a link. maud escapes everything it is given,
//! so names and registry-sent values cannot become markup.

use bytesize::ByteSize;
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

use super::snapshot::{RepositoryView, Snapshot};

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem;
       color: #1d1d1f; }
nav { margin-bottom: 1rem; color: #666; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e3e3; }
th { background: #f5f5f7; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; }
.summary { display: flex; gap: 2rem; margin: 1rem 0 1.5rem; }
.summary div { background: #f5f5f7; padding: .6rem 1rem; border-radius: .4rem; }
";

fn page(title: &str, crumbs: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - regsweep" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                nav { a href="/images" { "Images" } (crumbs) }
                h1 { (title) }
                (body)
            }
        }
    }
}

fn bytes(n: u64) -> String {
    ByteSize(n).display().si().to_string()
}

fn short(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    &hex[..hex.len().min(12)]
}

/// The registry's images, largest disk size first.
pub fn images(snapshot: &Snapshot) -> Markup {
    let body = html! {
        div.summary {
            div { "Images: " strong { (snapshot.repositories.len()) } }
            div { "Tags: " strong { (snapshot.tags) } }
            div { "Disk size: " strong { (bytes(snapshot.disk_size)) } }
            div { "Read: " strong { (snapshot.refreshed_at.strftime("%Y-%m-%d %H:%M UTC")) } }
        }
        table {
            thead { tr { th { "Image" } th.n { "Tags" } th.n { "Size" } th.n { "Disk size" } } }
            tbody {
                @for name in snapshot.by_size.iter() {
                    @let repo = &snapshot.repositories[name];
                    tr {
                        td { a href={ "/images/" (name) } { (name) } }
                        td.n { (repo.tags.len()) }
                        td.n { (bytes(repo.size)) }
                        td.n { (bytes(repo.disk_size)) }
                    }
                }
            }
        }
    };
    page("Images", html! {}, body)
}

/// One image and its tags in version order.
pub fn image(name: &str, repository: &RepositoryView) -> Markup {
    let body = html! {
        div.summary {
            div { "Tags: " strong { (repository.tags.len()) } }
            div { "Size: " strong { (bytes(repository.size)) } }
            div { "Disk size: " strong { (bytes(repository.disk_size)) } }
        }
        table {
            thead { tr { th { "Tag" } th { "Digest" } th.n { "Size" } th { "Created" } th { "Platforms" } } }
            tbody {
                @for (tag, view) in &repository.tags {
                    tr {
                        td { a href={ "/images/" (name) "/tags/" (tag) } { (tag) } }
                        td { code { (short(&view.digest)) } }
                        td.n { (view.size.map(bytes).unwrap_or_default()) }
                        td { (view.created.map(|c| c.strftime("%Y-%m-%d").to_string()).unwrap_or_default()) }
                        td { (view.platforms.join(", ")) }
                    }
                }
            }
        }
    };
    page(name, html! { " / " (name) }, body)
}

/// One tag: its attributes as the API gives them.
pub fn tag(name: &str, tag: &str, resource: &Value) -> Markup {
    let rows: Vec<(String, String)> = resource
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, v)| {
            let text = match (k.as_str(), v) {
                ("size" | "disk_size", Value::Number(n)) => {
                    n.as_u64().map(bytes).unwrap_or_else(|| n.to_string())
                }
                ("last_pulled", Value::Null) => "never seen".to_owned(),
                (_, Value::String(s)) => s.clone(),
                (_, Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                (_, Value::Null) => String::new(),
                (_, other) => other.to_string(),
            };
            (k.replace('_', " "), text)
        })
        .collect();
    let body = html! {
        table {
            tbody {
                @for (key, value) in &rows {
                    tr { th { (key) } td { code { (value) } } }
                }
            }
        }
    };
    let crumbs = html! { " / " a href={ "/images/" (name) } { (name) } " / " (tag) };
    page(&format!("{name}:{tag}"), crumbs, body)
}
