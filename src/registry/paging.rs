//! The URLs of the APIs the client pages through (the registry's, GitLab's, Harbor's): building
//! one from an API's base, and following a listing's next page the same way for all.

use reqwest::header::{HeaderMap, LINK};
use url::Url;

use super::RegistryError;
use super::send::header_str;

/// A page's `Link: <...>; rel="next"`, resolved against the page's URL, which must stay on `base`'s
/// scheme, host and port and under `prefix`: pagination can never send a request (or credentials)
/// elsewhere. `None` on the last page. Every paged API (the registry's, GitLab's, Harbor's) reads its
/// next page here.
pub(super) fn next_link_within(
    url: &Url,
    headers: &HeaderMap,
    (base, prefix): (&Url, &str),
) -> Result<Option<Url>, RegistryError> {
    let Some(value) = header_str(headers, LINK.as_str()) else {
        return Ok(None);
    };
    let malformed = |detail: String| RegistryError::Malformed {
        url: Box::new(url.clone()),
        detail,
    };
    let links = parse_link_header::parse_with_rel(value)
        .map_err(|e| malformed(format!("bad Link header {value:?}: {e}")))?;
    let Some(link) = links.get("next") else {
        return Ok(None);
    };
    let next = url
        .join(&link.raw_uri)
        .map_err(|e| malformed(format!("bad next link {:?}: {e}", link.raw_uri)))?;
    if next.scheme() != base.scheme()
        || next.host_str() != base.host_str()
        || next.port_or_known_default() != base.port_or_known_default()
        || !next.path().starts_with(prefix)
    {
        return Err(RegistryError::ForeignLink {
            url: Box::new(url.clone()),
            link: next.to_string(),
        });
    }
    Ok(Some(next))
}

/// `base` (an API's root, ending in `/`) with `segments` appended, each percent-encoded (a
/// repository path's `/` becomes `%2F`), and `query`.
pub(super) fn api_url(base: &Url, segments: &[&str], query: &[(&str, &str)]) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        .expect("an http(s) base")
        .pop_if_empty()
        .extend(segments);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    url
}
