//! GitLab's REST API, for what its registry will not say the Docker way: which repositories a project
//! or group has (GitLab refuses `/v2/_catalog` to non-admin tokens), where each lives (`location`),
//! and a tag's `created_at` and `total_size`. Requests go through the client's one send path (limits,
//! retries, body caps, the debug call log) with the token as `PRIVATE-TOKEN`, never the registry's
//! credentials. Shapes follow GitLab's `api/container_registry.md`, `api/groups.md` and the REST
//! API's pagination (`Link`, `X-Next-Page`) as documented for GitLab 16 and 17.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use url::Url;

use super::RegistryError;
use super::connection::Client;
use super::paging::{api_url, next_link_within};
use super::send::{Access, SMALL, header_str};

/// Pages of one GitLab listing read at most (100 entries each).
const MAX_PAGES: usize = 1_000;

/// Where GitLab's API is and the token it takes.
#[derive(Clone)]
pub struct GitlabApi {
    /// `https://gitlab.example.com/api/v4/`.
    base: Url,
    token: Option<String>,
}

impl fmt::Debug for GitlabApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitlabApi")
            .field("base", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

/// Where repositories are found: a project, or a group with its subgroups.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum GitlabScope {
    /// A numeric id or a path (`group/project`).
    Project(String),
    Group(String),
}

/// One registry repository as GitLab lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitlabRepository {
    pub id: u64,
    pub project_id: u64,
    /// `host[:port]/path`, as GitLab's registry serves it.
    pub location: String,
}

/// What GitLab knows of one tag beyond the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitlabTag {
    pub digest: Option<String>,
    pub created_at: Option<Timestamp>,
    pub total_size: Option<u64>,
}

impl GitlabApi {
    /// `url` is GitLab's address (`https://gitlab.example.com`, or with a path prefix).
    pub fn new(url: &Url, token: Option<String>) -> Self {
        let mut base = url.clone();
        let path = format!("{}/api/v4/", base.path().trim_end_matches('/'));
        base.set_path(&path);
        base.set_query(None);
        base.set_fragment(None);
        Self { base, token }
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub fn with_token(mut self, token: String) -> Self {
        self.token = Some(token);
        self
    }

    pub fn host(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    pub fn scheme(&self) -> &str {
        self.base.scheme()
    }

    /// `segments` appended to the API's base, each percent-encoded (a path's `/` becomes `%2F`).
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        api_url(&self.base, segments, query)
    }

    fn access(&self, action: &'static str) -> Access {
        Access::gitlab(self.token.clone(), action)
    }
}

impl Client {
    /// Every registry repository of a project, or of a group and all its subgroups, each once.
    pub async fn gitlab_repositories(
        &self,
        api: &GitlabApi,
        scope: &GitlabScope,
    ) -> Result<Vec<GitlabRepository>, RegistryError> {
        #[derive(Deserialize)]
        struct Raw {
            id: u64,
            project_id: u64,
            location: String,
        }
        #[derive(Deserialize)]
        struct Group {
            id: u64,
        }
        let lists: Vec<Url> = match scope {
            GitlabScope::Project(project) => {
                vec![api.url(&["projects", project, "registry", "repositories"], &[])]
            }
            GitlabScope::Group(group) => {
                let mut groups = vec![group.clone()];
                let first = api.url(&["groups", group, "descendant_groups"], &[]);
                let access = api.access("listing the subgroups of a group");
                self.gitlab_pages(api, first, &access, |page: Vec<Group>| {
                    groups.extend(page.into_iter().map(|g| g.id.to_string()));
                })
                .await?;
                groups
                    .iter()
                    .map(|g| api.url(&["groups", g, "registry", "repositories"], &[]))
                    .collect()
            }
        };
        let access = api.access("listing registry repositories");
        let mut found: BTreeMap<u64, GitlabRepository> = BTreeMap::new();
        for first in lists {
            self.gitlab_pages(api, first, &access, |page: Vec<Raw>| {
                for raw in page {
                    found.entry(raw.id).or_insert(GitlabRepository {
                        id: raw.id,
                        project_id: raw.project_id,
                        location: raw.location,
                    });
                }
            })
            .await?;
        }
        Ok(found.into_values().collect())
    }

    /// One tag's details; `None` when GitLab does not know the tag.
    pub async fn gitlab_tag(
        &self,
        api: &GitlabApi,
        repository: &GitlabRepository,
        tag: &str,
    ) -> Result<Option<GitlabTag>, RegistryError> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            digest: Option<String>,
            #[serde(default)]
            created_at: Option<String>,
            #[serde(default)]
            total_size: Option<u64>,
        }
        let project = repository.project_id.to_string();
        let id = repository.id.to_string();
        let url = api.url(
            &[
                "projects",
                &project,
                "registry",
                "repositories",
                &id,
                "tags",
                tag,
            ],
            &[],
        );
        let access = api.access("reading a tag's details");
        let fetched = match self
            .fetch(Method::GET, url.clone(), None, &access, SMALL)
            .await
        {
            Ok(fetched) => fetched,
            Err(RegistryError::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(err),
        };
        let raw: Raw =
            serde_json::from_slice(&fetched.body).map_err(|e| RegistryError::Malformed {
                url: Box::new(url),
                detail: format!("not a GitLab tag: {e}"),
            })?;
        Ok(Some(GitlabTag {
            digest: raw.digest,
            created_at: raw.created_at.and_then(|t| t.parse().ok()),
            total_size: raw.total_size,
        }))
    }

    /// Reads a GitLab listing page by page (`per_page=100`), following `Link: rel="next"` or, without
    /// one, `X-Next-Page`; a next page on another host or outside the API is refused.
    async fn gitlab_pages<T: serde::de::DeserializeOwned>(
        &self,
        api: &GitlabApi,
        first: Url,
        access: &Access,
        take: impl FnMut(T),
    ) -> Result<(), RegistryError> {
        let mut url = first;
        url.query_pairs_mut().append_pair("per_page", "100");
        let next = |url: &Url, headers: &HeaderMap| next_page(api, url, headers);
        self.paginate_by(url, access, take, (next, MAX_PAGES)).await
    }
}

/// The next page's URL: `Link: <...>; rel="next"` (checked to stay within the API), else the page
/// `X-Next-Page` names; `None` on the last page.
fn next_page(
    api: &GitlabApi,
    url: &Url,
    headers: &HeaderMap,
) -> Result<Option<Url>, RegistryError> {
    let malformed = |detail: String| RegistryError::Malformed {
        url: Box::new(url.clone()),
        detail,
    };
    if header_str(headers, "link").is_some() {
        return next_link_within(url, headers, (&api.base, api.base.path()));
    }
    match header_str(headers, "x-next-page").map(str::trim) {
        None | Some("") => Ok(None),
        Some(page) if page.bytes().all(|b| b.is_ascii_digit()) && page.len() < 10 => {
            let mut next = url.clone();
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != "page")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            next.query_pairs_mut()
                .clear()
                .extend_pairs(pairs)
                .append_pair("page", page);
            Ok(Some(next))
        }
        Some(page) => Err(malformed(format!("bad X-Next-Page {page:?}"))),
    }
}

/// `host[:port]` and path of a repository's `location`.
pub fn split_location(location: &str) -> Option<(&str, &str)> {
    location.split_once('/')
}
