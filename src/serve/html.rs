//! The same resources as pages, for a browser (`Accept: text/html`): the registry's images largest
//! first, an image's tags newest version first, a page about one image, the login form and error
//! pages; every name a link. maud escapes everything it is given, so names and registry-sent values
//! cannot become markup. Sizes are the CLI's binary units (KiB, MiB), times are to the second.

use axum::http::StatusCode;
use jiff::Timestamp;
use maud::{DOCTYPE, Markup, html};

use super::snapshot::{RepositoryView, Snapshot, TagView};
use crate::output::{age, human_bytes};
use crate::select::{Freshness, Newest};

const STYLE: &str = "
:root { --ink: #1d1d1f; --muted: #6e6e73; --line: #e3e3e6; --soft: #f5f5f7; --accent: #0b63ce;
        --bad: #b3261e; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0; color: var(--ink);
       line-height: 1.45; }
header { background: var(--ink); color: #fff; padding: .7rem 1.5rem; display: flex; gap: 1.5rem;
         align-items: baseline; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 650; letter-spacing: .02em; }
main { margin: 1.5rem auto; max-width: 72rem; padding: 0 1.5rem; }
nav.crumbs { color: var(--muted); margin-bottom: .4rem; font-size: .95rem; }
a { color: var(--accent); }
h1 { margin: .2rem 0 1rem; font-size: 1.6rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 1.8rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .7rem; border-bottom: 1px solid var(--line);
         vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace; font-size: .88em;
       word-break: break-all; }
.summary { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0 1.5rem; }
.summary div { background: var(--soft); padding: .6rem 1rem; border-radius: .5rem; }
.summary strong { display: block; font-size: 1.15rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .45rem 1.5rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.muted { color: var(--muted); }
.note { background: var(--soft); border-left: 4px solid var(--accent); padding: .6rem 1rem;
        border-radius: .3rem; margin: 1rem 0; }
.error { border-left-color: var(--bad); }
form.login { max-width: 22rem; margin: 3rem auto; background: var(--soft); padding: 1.5rem 1.8rem;
             border-radius: .6rem; }
form.login label { display: block; margin: .9rem 0 .3rem; font-weight: 600; }
form.login input { width: 100%; padding: .5rem .6rem; border: 1px solid #c7c7cc; border-radius: .35rem;
                   font-size: 1rem; }
form.login button { margin-top: 1.3rem; width: 100%; padding: .6rem; border: 0; border-radius: .35rem;
                    background: var(--accent); color: #fff; font-size: 1rem; cursor: pointer; }
form.login .error { margin: .8rem 0 0; }
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
                header { a.brand href="/images" { "regsweep" } a href="/images" { "Images" } }
                main {
                    nav.crumbs { (crumbs) }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

fn short(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    &hex[..hex.len().min(12)]
}

fn size(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "unknown".to_owned(), human_bytes)
}

/// A time to the second, and how long ago.
fn when(time: Timestamp) -> Markup {
    html! {
        (time.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        " " span.muted { "(" (age(time)) " ago)" }
    }
}

/// The registry's images, largest disk size first.
pub fn images(snapshot: &Snapshot) -> Markup {
    let body = html! {
        div.summary {
            div { "Images" strong { (snapshot.repositories.len()) } }
            div { "Tags" strong { (snapshot.tags) } }
            div { "Disk size" strong { (human_bytes(snapshot.disk_size)) } }
            div { "Read from the registry" strong { (snapshot.refreshed_at.strftime("%Y-%m-%d %H:%M UTC").to_string()) } }
        }
        table {
            thead { tr { th { "Image" } th.n { "Tags" } th.n { "Size" } th.n { "Disk size" } } }
            tbody {
                @for name in snapshot.by_size.iter() {
                    @let repo = &snapshot.repositories[name];
                    tr {
                        td { a href={ "/images/" (name) } { (name) } }
                        td.n { (repo.tags.len()) }
                        td.n { (human_bytes(repo.size)) }
                        td.n { (human_bytes(repo.disk_size)) }
                    }
                }
            }
        }
    };
    page("Images", html! { "Registry" }, body)
}

/// One image and its tags, newest version first (as the CLI's `--reverse-sort`).
pub fn image(name: &str, repository: &RepositoryView) -> Markup {
    let body = html! {
        div.summary {
            div { "Tags" strong { (repository.tags.len()) } }
            div { "Size" strong { (human_bytes(repository.size)) } }
            div { "Disk size" strong { (human_bytes(repository.disk_size)) } }
        }
        table {
            thead { tr { th { "Tag" } th { "Digest" } th.n { "Size" } th { "Created" } th { "Platforms" } } }
            tbody {
                @for (tag, view) in repository.tags.iter().rev() {
                    tr {
                        td { a href={ "/images/" (name) "/tags/" (tag) } { (tag) } }
                        td { code { (short(&view.digest)) } }
                        td.n { (view.size.map(human_bytes).unwrap_or_default()) }
                        td { (view.created.map(|c| c.strftime("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()) }
                        td { (view.platforms.join(", ")) }
                    }
                }
            }
        }
    };
    page(
        name,
        html! { a href="/images" { "Images" } " / " (name) },
        body,
    )
}

/// A page about one image under its tag: what it is, when it came and was last used, whether a
/// newer version exists, its platforms (an index's manifests) and attachments.
pub fn tag(name: &str, tag: &str, view: &TagView, newest: &Newest) -> Markup {
    let newer = match (&newest.status, &newest.newest_tag) {
        (Freshness::Outdated, Some(newer)) => html! {
            div.note {
                "A newer version exists: "
                a href={ "/images/" (name) "/tags/" (newer) } { (name) ":" (newer) }
            }
        },
        (Freshness::UpToDate, _) => html! { p.muted { "The newest version of its family." } },
        _ => html! {},
    };
    let body = html! {
        (newer)
        dl.facts {
            dt { "Digest" } dd { code { (view.digest) } }
            dt { "Type" } dd { (crate::output::media_type_label(view.media_type.as_deref())) }
            dt { "Size" } dd { (size(view.size)) }
            dt { "Disk size" } dd { (size(view.disk_size)) span.muted { " (each blob once)" } }
            dt { "Created" } dd { @match view.created { Some(t) => (when(t)), None => span.muted { "unknown" } } }
            dt { "First seen" } dd { @match view.first_seen { Some(t) => (when(t)), None => span.muted { "unknown" } } }
            dt { "Last pulled" } dd { @match view.last_pulled { Some(t) => (when(t)), None => span.muted { "never seen pulled" } } }
            @if view.children.is_empty() && !view.platforms.is_empty() {
                dt { "Platform" } dd { (view.platforms.join(", ")) }
            }
            @if !view.attachments.is_empty() {
                dt { "Attachments" } dd { (view.attachments.join(", ")) }
            }
        }
        @if !view.children.is_empty() {
            h2 { "Platforms" }
            table {
                thead { tr { th { "Platform" } th { "Digest" } th.n { "Size" } } }
                tbody {
                    @for child in &view.children {
                        tr {
                            td { (child.platform.as_deref().unwrap_or("unknown")) }
                            td { code { (child.digest) } }
                            td.n { (size(child.size)) }
                        }
                    }
                }
            }
        }
        p.muted {
            a href={ "/images/" (name) "/tags/" (tag) "/history" } { "What this tag pointed to when" }
            " (JSON)"
        }
    };
    let crumbs = html! {
        a href="/images" { "Images" } " / " a href={ "/images/" (name) } { (name) } " / " (tag)
    };
    page(&format!("{name}:{tag}"), crumbs, body)
}

/// The login form; after a failed attempt, with what went wrong. `next` is where a login goes.
pub fn login(error: Option<&str>, next: &str, user: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Log in - regsweep" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header { span.brand { "regsweep" } }
                main {
                    form.login method="post" action="/login" {
                        h1 { "Log in" }
                        input type="hidden" name="next" value=(next);
                        label for="user" { "User" }
                        input #user name="user" autocomplete="username" value=(user) required autofocus[user.is_empty()];
                        label for="password" { "Password" }
                        input #password name="password" type="password" autocomplete="current-password" required autofocus[!user.is_empty()];
                        @if let Some(error) = error {
                            p.note.error role="alert" { (error) }
                        }
                        button { "Log in" }
                    }
                }
            }
        }
    }
}

/// An error as a page: what happened, and the way back.
pub fn error(status: StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = html! {
        div.note.error { (message) }
        p { a href="/images" { "Back to the images" } }
    };
    page(&format!("{} {title}", status.as_u16()), html! {}, body)
}
