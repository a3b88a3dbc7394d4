//! Tags as a registry's own API lists them in pages, beside the Distribution API's one request per
//! tag: GitLab's container registry API (`/gitlab/v1/`, "GitLab Container Registry HTTP API V1",
//! `docs/spec/gitlab/api.md` in gitlab-org/container-registry), served by GitLab's registry with its
//! metadata database. It takes the registry's own tokens (the same `/jwt/auth` as `/v2/`).
//! Harbor's artifacts are in `harbor.rs`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use reqwest::Method;
use serde::Deserialize;

use super::RegistryError;
use super::connection::Client;
use super::send::{Access, NATIVE_PAGE};

/// Pages of one native listing read at most.
pub(super) const MAX_PAGES: usize = 10_000;

/// A registry's own API that lists tags in pages.
#[derive(Debug, Clone)]
pub enum NativeApi {
    /// GitLab's container registry API, where the registry answers `/gitlab/v1/`.
    GitlabV1,
    /// Harbor's artifacts.
    Harbor(super::HarborApi),
}

/// One tag as a native API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeTag {
    pub digest: String,
    pub media_type: Option<String>,
    /// When the tag was pushed (its first seen time, where regsweep has none).
    pub pushed: Option<Timestamp>,
    /// When its image was last pulled, as the registry counted it.
    pub pulled: Option<Timestamp>,
    /// The image's size as the registry counts it, when it says.
    pub size: Option<u64>,
    /// When the image was built (its config's created time), when the registry says.
    pub created: Option<Timestamp>,
    /// `os/architecture[/variant]`, when the registry says.
    pub platforms: Vec<String>,
}

/// A time a native API gave, `None` when it is missing, unreadable, or the zero time some APIs
/// send for "never" (`0001-01-01T00:00:00Z`).
pub(super) fn time(value: Option<&str>) -> Option<Timestamp> {
    let time: Timestamp = value?.parse().ok()?;
    (time.as_second() > 0).then_some(time)
}

impl Client {
    /// Whether the registry speaks GitLab's registry API: its `/v2/` answer (the ping every
    /// refresh starts with) named GitLab's container registry, and `GET /gitlab/v1/` answers 200
    /// (the spec's compliance check; a registry without the metadata database answers 404). Other
    /// registries are never asked.
    pub async fn speaks_gitlab_v1(&self) -> bool {
        if !self
            .inner
            .gitlab_registry
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return false;
        }
        let url = self.inner.address.endpoint("/gitlab/v1/");
        self.fetch(Method::GET, url, None, &Access::base(), super::send::SMALL)
            .await
            .is_ok()
    }

    /// Whether `api` can be used here: GitLab's only where the registry passes its compliance
    /// check (asked once per refresh).
    pub async fn native_usable(&self, api: &NativeApi) -> bool {
        match api {
            NativeApi::GitlabV1 => self.speaks_gitlab_v1().await,
            NativeApi::Harbor(_) => true,
        }
    }

    /// A repository's tags through `api`.
    pub async fn native_tags(
        &self,
        api: &NativeApi,
        repo: &str,
    ) -> Result<BTreeMap<String, NativeTag>, RegistryError> {
        match api {
            NativeApi::GitlabV1 => self.gitlab_v1_tags(repo).await,
            NativeApi::Harbor(harbor) => self.harbor_tags(harbor, repo).await,
        }
    }

    /// A repository's tags through `GET /gitlab/v1/repositories/<path>/tags/list/`, 1,000 a page,
    /// following `Link: rel="next"` (which must stay on the registry, under `/gitlab/v1/`).
    pub async fn gitlab_v1_tags(
        &self,
        repo: &str,
    ) -> Result<BTreeMap<String, NativeTag>, RegistryError> {
        #[derive(Deserialize)]
        struct Raw {
            name: String,
            digest: String,
            #[serde(default)]
            media_type: Option<String>,
            #[serde(default)]
            created_at: Option<String>,
            #[serde(default)]
            size_bytes: Option<u64>,
        }
        let mut first = self
            .inner
            .address
            .endpoint(&format!("/gitlab/v1/repositories/{repo}/tags/list/"));
        first.query_pairs_mut().append_pair("n", "1000");
        let mut tags = BTreeMap::new();
        let next = |url: &url::Url, headers: &reqwest::header::HeaderMap| {
            self.next_link_under(url, headers, "/gitlab/v1/")
        };
        self.paginate_capped(
            first,
            &Access::pull(repo),
            |page: Vec<Raw>| {
                for raw in page {
                    tags.insert(
                        raw.name,
                        NativeTag {
                            digest: raw.digest,
                            media_type: raw.media_type,
                            pushed: time(raw.created_at.as_deref()),
                            pulled: None,
                            size: raw.size_bytes,
                            // The tag's creation, not the image's build: configs say that.
                            created: None,
                            platforms: Vec::new(),
                        },
                    );
                }
            },
            (next, MAX_PAGES, NATIVE_PAGE),
        )
        .await?;
        Ok(tags)
    }
}
