//! The registry API's calls: the catalog and tag lists (every page, capped), tag -> digest
//! resolution, manifests checked against their digest, blobs, DELETE and PUT; names from the
//! registry checked before they are used. The client they run on is `connection`'s, each request
//! goes through `send`.

use std::collections::HashSet;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::connection::Client;
use super::error::{ErrorCode, RegistryError};
use super::manifest::{digest_like, media_type_of, sha256_digest};
use super::send::{Access, CONFIG, LIST_PAGE, Limit, MANIFEST, SMALL, header_str};
use crate::media_type::{ACCEPT_ALL, DOCKER_V1_SIGNED};
use crate::names::{is_digest, is_repository_name, is_tag};

/// Pages read of one listing (catalog or tag list) at most: a million repositories at Docker's 100 a
/// page, ten million tags at registry 3.x's 1,000.
pub const MAX_PAGES: usize = 10_000;

/// A manifest a tag points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRef {
    pub digest: String,
    pub media_type: Option<String>,
}

/// A manifest as the registry serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub digest: String,
    pub media_type: Option<String>,
    pub bytes: Bytes,
}

/// Names a registry listed: the valid ones, and those refused (they would not fit in a URL, or would
/// leave `/v2/`), for the caller to warn about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub names: Vec<String>,
    pub invalid: Vec<String>,
}

impl Listed {
    fn sorted(mut names: Vec<String>, valid: impl Fn(&str) -> bool) -> Self {
        names.sort();
        names.dedup();
        let (names, invalid) = names.into_iter().partition(|n| valid(n));
        Self { names, invalid }
    }
}

/// What a DELETE found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    AlreadyGone,
}

impl Client {
    /// `GET /v2/`: is this a registry, and may we talk to it?
    pub async fn ping(&self) -> Result<(), RegistryError> {
        let answer = self
            .fetch(
                Method::GET,
                self.inner.address.endpoint("/v2/"),
                None,
                &Access::base(),
                SMALL,
            )
            .await?;
        if answer
            .headers
            .contains_key("gitlab-container-registry-version")
        {
            self.inner
                .gitlab_registry
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// Every repository in the catalog, across all pages; names that break the distribution spec's
    /// grammar are set apart.
    pub async fn catalog(&self) -> Result<Listed, RegistryError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            repositories: Option<Vec<Option<String>>>,
        }
        let mut names = Vec::new();
        let mut pages = Vec::new();
        let first = self.inner.address.endpoint("/v2/_catalog");
        self.paginate(first, &Access::catalog(), |page: Page| {
            let before = names.len();
            names.extend(page.repositories.into_iter().flatten().flatten());
            pages.push(names.len() - before);
        })
        .await?;
        if pages.len() > 1 {
            self.inner
                .catalog_page
                .store(pages[0], std::sync::atomic::Ordering::Relaxed);
        }
        Ok(Listed::sorted(names, is_repository_name))
    }

    /// Every tag of a repository, across all pages. `None` when the registry does not know the
    /// repository (Docker's registry 3.x answers so for an emptied one that is still in the catalog).
    /// `"tags": null` and null entries (Nexus) count as no tags; tags that are not valid tags
    /// (Artifactory lists digests) are set apart.
    pub async fn tags(&self, repo: &str) -> Result<Option<Listed>, RegistryError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            tags: Option<Vec<Option<String>>>,
        }
        let mut tags = Vec::new();
        let first = self
            .inner
            .address
            .endpoint(&format!("/v2/{repo}/tags/list"));
        match self
            .paginate(first, &Access::pull(repo), |page: Page| {
                tags.extend(page.tags.into_iter().flatten().flatten());
            })
            .await
        {
            Ok(()) => {}
            Err(err) if err.is_not_found(ErrorCode::NameUnknown) => return Ok(None),
            Err(err) => return Err(err),
        }
        Ok(Some(Listed::sorted(tags, is_tag)))
    }

    /// The manifest a tag (or digest) points to; `None` when the registry does not know it.
    ///
    /// HEAD with every manifest type accepted, reading `Docker-Content-Digest`; when HEAD is refused
    /// (Nexus answers 404) or carries no digest, GET the manifest and hash it.
    pub async fn resolve(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<Option<ManifestRef>, RegistryError> {
        let url = self.manifest_url(repo, reference);
        if !self.inner.use_get_manifest {
            match self
                .fetch(
                    Method::HEAD,
                    url.clone(),
                    Some(ACCEPT_ALL),
                    &Access::pull(repo),
                    SMALL,
                )
                .await
            {
                Ok(head) => {
                    if let Some(digest) = header_digest(&head.headers) {
                        let content_type = header_str(&head.headers, CONTENT_TYPE.as_str());
                        return Ok(Some(ManifestRef {
                            digest,
                            media_type: media_type_of(content_type, None),
                        }));
                    }
                }
                Err(RegistryError::NotFound { .. } | RegistryError::Unsupported { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        let manifest = self.manifest(repo, reference).await?;
        Ok(manifest.map(|m| ManifestRef {
            digest: m.digest,
            media_type: m.media_type,
        }))
    }

    /// A manifest's exact bytes, media type and digest; `None` when the registry does not know it.
    /// The bytes are checked against the digest asked for (or, by tag, the one the registry names):
    /// `Docker-Content-Digest` alone is never trusted over the body.
    pub async fn manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<Option<Manifest>, RegistryError> {
        let url = self.manifest_url(repo, reference);
        let got = match self
            .fetch(
                Method::GET,
                url.clone(),
                Some(ACCEPT_ALL),
                &Access::pull(repo),
                MANIFEST,
            )
            .await
        {
            Ok(got) => got,
            Err(err) if err.is_unknown_manifest() => return Ok(None),
            Err(err) => return Err(err),
        };
        let content_type = header_str(&got.headers, CONTENT_TYPE.as_str());
        let media_type = media_type_of(content_type, Some(&got.body));
        let digest = verified_digest(
            &url,
            reference,
            header_digest(&got.headers),
            &got.body,
            media_type.as_deref(),
        )?;
        Ok(Some(Manifest {
            media_type,
            digest,
            bytes: got.body,
        }))
    }

    /// A blob's bytes (configs are small); `None` when the registry does not have it. Blob GETs are
    /// often redirected to storage on another host; the redirect never carries our credentials.
    pub async fn blob(&self, repo: &str, digest: &str) -> Result<Option<Bytes>, RegistryError> {
        let url = self
            .inner
            .address
            .endpoint(&format!("/v2/{repo}/blobs/{digest}"));
        match self
            .fetch(Method::GET, url.clone(), None, &Access::pull(repo), CONFIG)
            .await
        {
            Ok(got) => match digest_like(digest, &got.body) {
                Some(actual) if actual != digest => Err(RegistryError::DigestMismatch {
                    url: Box::new(url),
                    expected: digest.to_owned(),
                    actual,
                }),
                _ => Ok(Some(got.body)),
            },
            Err(err) if err.is_not_found(ErrorCode::BlobUnknown) || err.is_unknown_manifest() => {
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// `DELETE /v2/REPO/manifests/DIGEST`: removes the manifest and every tag of this repository
    /// pointing to it. 202 is done; 404 means it was already gone.
    pub async fn delete_manifest(
        &self,
        repo: &str,
        digest: &str,
    ) -> Result<Deleted, RegistryError> {
        self.delete_reference(repo, digest).await
    }

    /// `DELETE /v2/REPO/manifests/REFERENCE` (a digest, or a tag where that removes just the tag).
    pub(super) async fn delete_reference(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<Deleted, RegistryError> {
        let url = self.manifest_url(repo, reference);
        match self
            .fetch(Method::DELETE, url, None, &Access::delete(repo), SMALL)
            .await
        {
            Ok(_) => Ok(Deleted::Deleted),
            Err(err) if err.is_unknown_manifest() => Ok(Deleted::AlreadyGone),
            Err(err) => Err(err),
        }
    }

    /// `PUT /v2/REPO/manifests/REFERENCE` with the exact bytes; returns the digest the registry gave.
    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &Bytes,
    ) -> Result<String, RegistryError> {
        let url = self.manifest_url(repo, reference);
        let put = self
            .send(
                Method::PUT,
                url,
                None,
                Some((media_type, bytes)),
                &Access::push(repo),
                SMALL,
            )
            .await?;
        Ok(header_digest(&put.headers).unwrap_or_else(|| sha256_digest(bytes)))
    }

    fn manifest_url(&self, repo: &str, reference: &str) -> Url {
        self.inner
            .address
            .endpoint(&format!("/v2/{repo}/manifests/{reference}"))
    }

    /// Follows `Link: <...>; rel="next"` from `first` until it is absent, handing each page to `take`;
    /// at most `MAX_PAGES` pages.
    pub(super) async fn paginate<T: DeserializeOwned>(
        &self,
        first: Url,
        access: &Access,
        take: impl FnMut(T),
    ) -> Result<(), RegistryError> {
        let next = |url: &Url, headers: &HeaderMap| self.next_link(url, headers);
        self.paginate_by(first, access, take, (next, MAX_PAGES))
            .await
    }

    /// Reads a listing page by page, `next` finding each page's successor, at most `max` pages and
    /// never the same page twice.
    pub(super) async fn paginate_by<T: DeserializeOwned>(
        &self,
        first: Url,
        access: &Access,
        take: impl FnMut(T),
        (next_of, max): (
            impl Fn(&Url, &HeaderMap) -> Result<Option<Url>, RegistryError>,
            usize,
        ),
    ) -> Result<(), RegistryError> {
        self.paginate_capped(first, access, take, (next_of, max, LIST_PAGE))
            .await
    }

    /// `paginate_by` with each page capped at `cap`.
    pub(super) async fn paginate_capped<T: DeserializeOwned>(
        &self,
        first: Url,
        access: &Access,
        mut take: impl FnMut(T),
        (next_of, max, cap): (
            impl Fn(&Url, &HeaderMap) -> Result<Option<Url>, RegistryError>,
            usize,
            Limit,
        ),
    ) -> Result<(), RegistryError> {
        let mut seen = HashSet::new();
        let mut next = Some(first);
        while let Some(url) = next {
            if seen.len() >= max {
                return Err(RegistryError::TooManyPages {
                    url: Box::new(url),
                    limit: max,
                });
            }
            if !seen.insert(url.clone()) {
                return Err(RegistryError::Malformed {
                    url: Box::new(url),
                    detail: "pagination links loop back to a page already read".into(),
                });
            }
            let page = self
                .fetch(Method::GET, url.clone(), None, access, cap)
                .await?;
            let parsed =
                serde_json::from_slice(&page.body).map_err(|e| RegistryError::Malformed {
                    url: Box::new(url.clone()),
                    detail: format!("not the expected JSON: {e}"),
                })?;
            take(parsed);
            next = next_of(&url, &page.headers)?;
        }
        Ok(())
    }

    /// The `rel="next"` link of a page, resolved against the page's URL; a link to another host (or
    /// scheme or port), or outside `/v2/`, is refused so pagination can never send us elsewhere.
    fn next_link(&self, url: &Url, headers: &HeaderMap) -> Result<Option<Url>, RegistryError> {
        self.next_link_under(url, headers, "/v2/")
    }

    /// `next_link` for an API of the registry under another path (`/gitlab/v1/`).
    pub(super) fn next_link_under(
        &self,
        url: &Url,
        headers: &HeaderMap,
        prefix: &str,
    ) -> Result<Option<Url>, RegistryError> {
        super::paging::next_link_within(url, headers, (self.inner.address.base(), prefix))
    }
}

/// The digest of a manifest's bytes, checked: by digest, the bytes must have that digest; by tag, the
/// digest the registry names for them. A signed schema 1 manifest's digest covers its payload
/// without the signatures, so the registry's header is taken for it (it cannot be recomputed without
/// parsing the JWS); a digest algorithm regsweep cannot compute is taken as given.
fn verified_digest(
    url: &Url,
    reference: &str,
    header: Option<String>,
    body: &[u8],
    media_type: Option<&str>,
) -> Result<String, RegistryError> {
    let expected = if is_digest(reference) {
        Some(reference.to_owned())
    } else {
        header
    };
    let Some(expected) = expected else {
        return Ok(sha256_digest(body));
    };
    if media_type == Some(DOCKER_V1_SIGNED) {
        return Ok(expected);
    }
    match digest_like(&expected, body) {
        Some(actual) if actual != expected => Err(RegistryError::DigestMismatch {
            url: Box::new(url.clone()),
            expected,
            actual,
        }),
        _ => Ok(expected),
    }
}

fn header_digest(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "docker-content-digest")
        .map(str::trim)
        .filter(|d| is_digest(d))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::super::address::RegistryAddress;
    use super::super::connection::{ClientConfig, TlsConfig};
    use super::*;
    use reqwest::header::{HeaderValue, LINK};

    fn client() -> Client {
        Client::new(ClientConfig {
            address: RegistryAddress::parse("http://127.0.0.1:5000").unwrap(),
            concurrency: Some(4),
            use_get_manifest: false,
            credentials: super::super::auth::fixed(None),
            prefer_digest: false,
            tls: TlsConfig::default(),
        })
        .unwrap()
    }

    fn next(link: Option<&str>) -> Result<Option<Url>, RegistryError> {
        let page = Url::parse("http://127.0.0.1:5000/v2/_catalog?n=100").unwrap();
        let mut headers = HeaderMap::new();
        if let Some(link) = link {
            headers.insert(LINK, HeaderValue::from_str(link).unwrap());
        }
        client().next_link(&page, &headers)
    }

    #[test]
    fn relative_next_links_resolve_against_the_page() {
        let url = next(Some(r#"</v2/_catalog?last=b&n=100>; rel="next""#)).unwrap();
        assert_eq!(
            url.unwrap().as_str(),
            "http://127.0.0.1:5000/v2/_catalog?last=b&n=100"
        );
        // Quay's opaque tokens and absolute links on the same host are followed as given.
        let url = next(Some(
            r#"<http://127.0.0.1:5000/v2/_catalog?next_page=gAAAAB>; rel="next""#,
        ));
        assert!(url.unwrap().unwrap().as_str().ends_with("next_page=gAAAAB"));
    }

    #[test]
    fn no_next_link_ends_pagination() {
        assert_eq!(next(None).unwrap(), None);
        assert_eq!(
            next(Some(r#"</v2/_catalog?last=a>; rel="prev""#)).unwrap(),
            None
        );
    }

    #[test]
    fn links_to_other_hosts_are_refused() {
        for foreign in [
            r#"<http://127.0.0.2:5000/v2/_catalog?last=b>; rel="next""#,
            r#"<https://127.0.0.1:5000/v2/_catalog?last=b>; rel="next""#,
            r#"<http://127.0.0.1:6000/v2/_catalog?last=b>; rel="next""#,
            r#"<//evil.example/v2/_catalog>; rel="next""#,
        ] {
            assert!(
                matches!(next(Some(foreign)), Err(RegistryError::ForeignLink { .. })),
                "{foreign}"
            );
        }
    }

    #[test]
    fn links_outside_the_api_are_refused() {
        for outside in [
            r#"</etc/tags/list>; rel="next""#,
            r#"</x>; rel="next""#,
            r#"<../../x>; rel="next""#,
        ] {
            assert!(
                matches!(
                    next(Some(outside)),
                    Err(RegistryError::ForeignLink { .. } | RegistryError::Malformed { .. })
                ),
                "{outside}: {:?}",
                next(Some(outside))
            );
        }
    }

    #[test]
    fn manifest_bytes_must_match_their_digest() {
        let url = Url::parse("http://127.0.0.1:5000/v2/a/manifests/x").unwrap();
        let body = b"{}";
        let right = sha256_digest(body);
        let wrong = sha256_digest(b"other");
        assert_eq!(
            verified_digest(&url, &right, None, body, None).unwrap(),
            right
        );
        assert_eq!(
            verified_digest(&url, "1.0", Some(right.clone()), body, None).unwrap(),
            right
        );
        assert_eq!(
            verified_digest(&url, "1.0", None, body, None).unwrap(),
            right
        );
        for (reference, header) in [(wrong.as_str(), None), ("1.0", Some(wrong.clone()))] {
            let err = verified_digest(&url, reference, header, body, None).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(&right) && text.contains(&wrong), "{text}");
        }
        // Signed schema 1: the registry's digest is taken.
        assert_eq!(
            verified_digest(
                &url,
                "1.0",
                Some(wrong.clone()),
                body,
                Some(DOCKER_V1_SIGNED)
            )
            .unwrap(),
            wrong
        );
    }

    #[test]
    fn listed_names_that_break_the_grammar_are_set_apart() {
        let listed = Listed::sorted(
            vec!["b".into(), "../etc".into(), "a".into(), "a".into()],
            is_repository_name,
        );
        assert_eq!(listed.names, ["a", "b"]);
        assert_eq!(listed.invalid, ["../etc"]);
    }

    #[test]
    fn garbage_link_headers_are_malformed_answers() {
        assert!(matches!(
            next(Some("not a link header")),
            Err(RegistryError::Malformed { .. })
        ));
    }
}
