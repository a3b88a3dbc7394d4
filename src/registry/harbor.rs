//! Harbor's REST API (v2.x, `/api/v2.0`, its `swagger.yaml`): which repositories a project holds
//! (Harbor, like GitLab, refuses `/v2/_catalog` to all but administrators), and each repository's
//! artifacts with their tags, digests, media types, push and pull times, in pages (`page`,
//! `page_size`, `Link: rel="next"`, `X-Total-Count`). Requests take the registry's own credentials
//! (a robot account or a user) as HTTP Basic, through the client's one send path.

use std::collections::BTreeMap;
use std::fmt;

use reqwest::header::HeaderMap;
use serde::Deserialize;
use url::Url;

use super::RegistryError;
use super::connection::Client;
use super::native::{MAX_PAGES, NativeTag, time};
use super::paging::{api_url, next_link_within};
use super::send::{Access, NATIVE_PAGE, SMALL};

/// Entries per page asked for (Harbor's maximum).
const PAGE_SIZE: &str = "100";

/// Where Harbor's API is.
#[derive(Clone)]
pub struct HarborApi {
    /// `https://harbor.example.com/api/v2.0/`.
    base: Url,
}

impl fmt::Debug for HarborApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HarborApi")
            .field("base", &self.base.as_str())
            .finish()
    }
}

impl HarborApi {
    /// `url` is Harbor's address (`https://harbor.example.com`).
    pub fn new(url: &Url) -> Self {
        let mut base = url.clone();
        let path = format!("{}/api/v2.0/", base.path().trim_end_matches('/'));
        base.set_path(&path);
        base.set_query(None);
        base.set_fragment(None);
        Self { base }
    }

    /// `scheme://host[:port]`: Harbor serves its registry at its own address.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.base.scheme(), self.host())
    }

    pub fn host(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// `segments` appended to the API's base, each percent-encoded; a page of `PAGE_SIZE`.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = api_url(&self.base, segments, query);
        url.query_pairs_mut()
            .append_pair("page", "1")
            .append_pair("page_size", PAGE_SIZE);
        url
    }

    /// The next page's URL from `Link: rel="next"`, which must stay within the API.
    fn next_page(&self, url: &Url, headers: &HeaderMap) -> Result<Option<Url>, RegistryError> {
        next_link_within(url, headers, (&self.base, self.base.path()))
    }
}

/// An artifact's tag (`swagger.yaml`'s `Tag`).
#[derive(Deserialize)]
struct Tag {
    name: String,
    #[serde(default)]
    push_time: Option<String>,
}

/// A platform as Harbor gives it, in an index's references.
#[derive(Deserialize, Default)]
struct Platform {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
}

impl Platform {
    /// `os/architecture[/variant]`.
    fn text(&self) -> Option<String> {
        let (os, arch) = (self.os.as_deref()?, self.architecture.as_deref()?);
        Some(match self.variant.as_deref().filter(|v| !v.is_empty()) {
            Some(variant) => format!("{os}/{arch}/{variant}"),
            None => format!("{os}/{arch}"),
        })
    }
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    platform: Option<Platform>,
}

/// One artifact of a repository (`swagger.yaml`'s `Artifact`, the fields regsweep reads).
#[derive(Deserialize)]
struct Artifact {
    digest: String,
    #[serde(default)]
    manifest_media_type: Option<String>,
    #[serde(default)]
    pull_time: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    /// An image's config: `created`, `os`, `architecture`, `variant`.
    #[serde(default)]
    extra_attrs: Option<serde_json::Map<String, serde_json::Value>>,
    /// An index's manifests, with their platforms.
    #[serde(default)]
    references: Option<Vec<Reference>>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

impl Artifact {
    /// Its tags, each with what Harbor says of the image.
    fn tagged(self) -> Vec<(String, NativeTag)> {
        let attrs = self.extra_attrs.unwrap_or_default();
        let attr = |key: &str| attrs.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let platforms: Vec<String> = match &self.references {
            Some(references) => references
                .iter()
                .filter_map(|r| r.platform.as_ref().and_then(Platform::text))
                .collect(),
            None => Platform {
                os: attr("os"),
                architecture: attr("architecture"),
                variant: attr("variant"),
            }
            .text()
            .into_iter()
            .collect(),
        };
        let (pulled, created) = (
            time(self.pull_time.as_deref()),
            time(attr("created").as_deref()),
        );
        self.tags
            .into_iter()
            .flatten()
            .map(|tag| {
                let native = NativeTag {
                    digest: self.digest.clone(),
                    media_type: self.manifest_media_type.clone(),
                    pushed: time(tag.push_time.as_deref()),
                    pulled,
                    size: self.size,
                    created,
                    platforms: platforms.clone(),
                };
                (tag.name, native)
            })
            .collect()
    }
}

impl Client {
    /// The names of the projects the credentials can see.
    pub async fn harbor_projects(&self, api: &HarborApi) -> Result<Vec<String>, RegistryError> {
        #[derive(Deserialize)]
        struct Raw {
            name: String,
        }
        let mut names = Vec::new();
        let access = Access::harbor("listing Harbor's projects");
        let next = |url: &Url, headers: &HeaderMap| api.next_page(url, headers);
        let first = api.url(&["projects"], &[]);
        self.paginate_capped(
            first,
            &access,
            |page: Vec<Raw>| names.extend(page.into_iter().map(|p| p.name)),
            (next, MAX_PAGES, NATIVE_PAGE),
        )
        .await?;
        Ok(names)
    }

    /// A project's repositories, by their full names (`project/repository`).
    pub async fn harbor_repositories(
        &self,
        api: &HarborApi,
        project: &str,
    ) -> Result<Vec<String>, RegistryError> {
        #[derive(Deserialize)]
        struct Raw {
            name: String,
        }
        let mut names = Vec::new();
        let access = Access::harbor("listing a Harbor project's repositories");
        let next = |url: &Url, headers: &HeaderMap| api.next_page(url, headers);
        let first = api.url(&["projects", project, "repositories"], &[]);
        self.paginate_capped(
            first,
            &access,
            |page: Vec<Raw>| names.extend(page.into_iter().map(|r| r.name)),
            (next, MAX_PAGES, NATIVE_PAGE),
        )
        .await?;
        Ok(names)
    }

    /// A repository's tags from its artifacts (`with_tag=true`): each tag's digest, media type,
    /// push time, and its image's last pull. `repository` is the full name (`project/a/b`); Harbor
    /// takes the part after the project with its slashes encoded twice (`a%252Fb`).
    pub async fn harbor_tags(
        &self,
        api: &HarborApi,
        repository: &str,
    ) -> Result<BTreeMap<String, NativeTag>, RegistryError> {
        let (project, rest) = repository.split_once('/').unwrap_or((repository, ""));
        let encoded = rest.replace('/', "%2F");
        let first = api.url(
            &["projects", project, "repositories", &encoded, "artifacts"],
            &[("with_tag", "true")],
        );
        let mut tags = BTreeMap::new();
        let access = Access::harbor("listing a Harbor repository's artifacts");
        let next = |url: &Url, headers: &HeaderMap| api.next_page(url, headers);
        self.paginate_capped(
            first,
            &access,
            |page: Vec<Artifact>| {
                for artifact in page {
                    tags.extend(artifact.tagged());
                }
            },
            (next, MAX_PAGES, NATIVE_PAGE),
        )
        .await?;
        Ok(tags)
    }

    /// Starts Harbor's garbage collection now (`POST /system/gc/schedule`, a manual schedule; an
    /// administrator's right).
    pub async fn harbor_start_gc(&self, api: &HarborApi) -> Result<(), RegistryError> {
        let url = api_url(&api.base, &["system", "gc", "schedule"], &[]);
        let body = bytes::Bytes::from_static(br#"{"schedule":{"type":"Manual"}}"#);
        let access = Access::harbor("starting Harbor's garbage collection");
        self.send(
            reqwest::Method::POST,
            url,
            None,
            Some(("application/json", &body)),
            &access,
            SMALL,
        )
        .await?;
        Ok(())
    }

    /// The newest garbage collection's id and status (`Pending`, `Running`, `Success`, `Error`,
    /// `Stopped`), if any.
    pub async fn harbor_gc_status(
        &self,
        api: &HarborApi,
    ) -> Result<Option<(u64, String)>, RegistryError> {
        #[derive(Deserialize)]
        struct Raw {
            id: u64,
            job_status: String,
        }
        let query = [
            ("page", "1"),
            ("page_size", "1"),
            ("sort", "-creation_time"),
        ];
        let url = api_url(&api.base, &["system", "gc"], &query);
        let access = Access::harbor("reading Harbor's garbage collection");
        let fetched = self
            .fetch(reqwest::Method::GET, url.clone(), None, &access, SMALL)
            .await?;
        let jobs: Vec<Raw> =
            serde_json::from_slice(&fetched.body).map_err(|e| RegistryError::Malformed {
                url: Box::new(url),
                detail: format!("not Harbor's list of garbage collections: {e}"),
            })?;
        Ok(jobs.into_iter().next().map(|j| (j.id, j.job_status)))
    }
}
