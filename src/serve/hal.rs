//! The API's resources in HAL (`application/hal+json`): the collection (`/images`), an image
//! (`/images/{name}`), its tags (`/images/{name}/tags`) and a tag (`/images/{name}/tags/{tag}`), each
//! with `_links` (self, parent, children) when asked and `_embedded` children down to a depth. Names
//! and tags follow the distribution spec's grammar, which holds only characters a URL path keeps as
//! they are, so links are written without escaping.

use serde_json::{Map, Value, json};

use super::shape::Shape;
use super::snapshot::{RepositoryView, Snapshot, TagView};
use crate::select::newest_in;

fn link(href: String) -> Value {
    json!({ "href": href })
}

fn named_link(href: String, name: &str) -> Value {
    json!({ "href": href, "name": name })
}

fn with_hal(mut body: Map<String, Value>, links: Option<Value>, embedded: Option<Value>) -> Value {
    if let Some(links) = links {
        body.insert("_links".into(), links);
    }
    if let Some(embedded) = embedded {
        body.insert("_embedded".into(), embedded);
    }
    Value::Object(body)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `GET /images`: the registry's figures, and its images largest first.
pub fn images(snapshot: &Snapshot, shape: Shape) -> Value {
    let body = object(json!({
        "timestamp": snapshot.refreshed_at,
        "event_timestamp": snapshot.event_at,
        "repositories": snapshot.repositories.len(),
        "tags": snapshot.tags,
        "size": snapshot.size,
        "disk_size": snapshot.disk_size,
        "missing_details": snapshot.missing_details,
    }));
    let links = shape.links.then(|| {
        let children: Vec<Value> = snapshot
            .by_size
            .iter()
            .map(|name| named_link(format!("/images/{name}"), name))
            .collect();
        json!({ "self": link("/images".into()), "children": children })
    });
    let embedded = (shape.embed > 0).then(|| {
        let items: Vec<Value> = snapshot
            .by_size
            .iter()
            .map(|name| image(name, &snapshot.repositories[name], shape.below()))
            .collect();
        json!({ "images": items })
    });
    with_hal(body, links, embedded)
}

/// `GET /images/{name}`: an image's figures, its tags as children.
pub fn image(name: &str, repository: &RepositoryView, shape: Shape) -> Value {
    let body = object(json!({
        "name": name,
        "size": repository.size,
        "disk_size": repository.disk_size,
        "tags": repository.tags.len(),
    }));
    let links = shape.links.then(|| {
        let children: Vec<Value> = repository
            .tags
            .iter()
            .map(|(tag, _)| named_link(format!("/images/{name}/tags/{tag}"), tag))
            .collect();
        json!({
            "self": link(format!("/images/{name}")),
            "parent": link("/images".into()),
            "tags": link(format!("/images/{name}/tags")),
            "children": children,
        })
    });
    let embedded = (shape.embed > 0).then(|| json!({ "tags": tag_items(name, repository, shape) }));
    with_hal(body, links, embedded)
}

/// `GET /images/{name}/tags`: the tag names in version order.
pub fn tags(name: &str, repository: &RepositoryView, shape: Shape) -> Value {
    let names: Vec<&str> = repository.tags.iter().map(|(t, _)| t.as_str()).collect();
    let body = object(json!({ "name": name, "count": names.len(), "tags": names }));
    let links = shape.links.then(|| {
        let children: Vec<Value> = names
            .iter()
            .map(|tag| named_link(format!("/images/{name}/tags/{tag}"), tag))
            .collect();
        json!({
            "self": link(format!("/images/{name}/tags")),
            "parent": link(format!("/images/{name}")),
            "children": children,
        })
    });
    let embedded = (shape.embed > 0).then(|| json!({ "tags": tag_items(name, repository, shape) }));
    with_hal(body, links, embedded)
}

fn tag_items(name: &str, repository: &RepositoryView, shape: Shape) -> Vec<Value> {
    let shape = shape.below();
    repository
        .tags
        .iter()
        .map(|(tag, view)| tag_resource(name, tag, view, shape, None))
        .collect()
}

/// `GET /images/{name}/tags/{tag}`, with `newer` the newest version of its family.
pub fn tag(
    repository: &RepositoryView,
    name: &str,
    tag: &str,
    view: &TagView,
    shape: Shape,
) -> Value {
    let newer = shape.newer.then(|| {
        let answer = newest_in(&repository.repository, tag);
        json!({
            "status": answer.status,
            "digest_differs": answer.digest_differs(),
            "tag": answer.newest_tag,
            "digest": answer.newest_digest,
        })
    });
    tag_resource(name, tag, view, shape, newer)
}

fn tag_resource(
    name: &str,
    tag: &str,
    view: &TagView,
    shape: Shape,
    newer: Option<Value>,
) -> Value {
    let mut body = object(json!({
        "name": tag,
        "image": name,
        "digest": view.digest,
        "media_type": view.media_type,
        "size": view.size,
        "disk_size": view.disk_size,
        "created": view.created,
        "platforms": view.platforms,
        "first_seen": view.first_seen,
        "last_pulled": view.last_pulled,
        "attachments": view.attachments,
        "children": view.children,
    }));
    if let Some(newer) = newer {
        body.insert("newer".into(), newer);
    }
    let links = shape.links.then(|| {
        json!({
            "self": link(format!("/images/{name}/tags/{tag}")),
            "parent": link(format!("/images/{name}/tags")),
            "image": link(format!("/images/{name}")),
        })
    });
    with_hal(body, links, None)
}

/// `GET /images/{name}/tags/{tag}/history`: what the tag pointed to when, oldest first.
pub fn history(name: &str, tag: &str, periods: &[crate::store::Period]) -> Value {
    let base = format!("/images/{name}/tags/{tag}");
    json!({
        "name": name,
        "tag": tag,
        "periods": periods,
        "_links": {
            "self": link(format!("{base}/history")),
            "tag": link(base),
        },
    })
}
