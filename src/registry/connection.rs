//! The client itself: its connection pools (`lanes`) with their TLS setup, the run's credentials,
//! the bound on requests in flight and the retry budget, built once per run (`new`) or bound to
//! another registry on the same pools (`rebind`). What a request goes through is `send`'s; the
//! registry API's calls are `client`'s, GitLab's `gitlab`'s, the referrers API's `referrers`'.

use std::path::PathBuf;
use std::sync::Arc;

use super::address::RegistryAddress;
use super::auth::{Authenticator, CredentialProvider};
use super::error::ConfigError;
use super::lanes::{Lanes, Template};
use super::limit::Limiter;
use super::retry::RetryBudget;

/// The referrers API's state before anyone asked (see `referrers`).
pub(super) const REFERRERS_UNKNOWN: u8 = 0;

/// How to verify the registry and present ourselves to it.
#[derive(Debug, Clone, Default)]
pub struct TlsConfig {
    /// Extra trusted CA certificates (PEM bundle).
    pub extra_ca: Option<PathBuf>,
    /// Skip certificate verification entirely.
    pub insecure: bool,
    /// Client certificate (PEM), possibly holding the key too.
    pub client_cert: Option<PathBuf>,
    /// Key of the client certificate, when it is in a file of its own.
    pub client_key: Option<PathBuf>,
}

#[derive(Clone)]
pub struct ClientConfig {
    pub address: RegistryAddress,
    /// Requests in flight: pinned, or (None) found by the limiter.
    pub concurrency: Option<usize>,
    pub use_get_manifest: bool,
    /// Asked for the credential when the registry first challenges a request.
    pub credentials: CredentialProvider,
    /// Answer a Digest challenge rather than Basic when the registry offers both.
    pub prefer_digest: bool,
    pub tls: TlsConfig,
}

/// A registry client. Cheap to clone: clones share the connection pool and the in-flight bound.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) http: Arc<Lanes>,
    /// Whether the registry answered over HTTP/2 (then a high limit spreads over lanes).
    pub(super) http2: std::sync::atomic::AtomicBool,
    pub(super) address: RegistryAddress,
    pub(super) limiter: Limiter,
    /// Whether the protocol in use was logged yet.
    pub(super) protocol_told: std::sync::atomic::AtomicBool,
    pub(super) use_get_manifest: bool,
    pub(super) auth: Authenticator,
    pub(super) budget: RetryBudget,
    /// Whether the registry has the referrers API (see `referrers`).
    pub(super) referrers_api: std::sync::atomic::AtomicU8,
    /// Repositories per catalog page, when the registry paged the catalog (0: not seen).
    pub(super) catalog_page: std::sync::atomic::AtomicUsize,
    /// Whether the registry's `/v2/` answer named GitLab's container registry
    /// (`Gitlab-Container-Registry-Version`).
    pub(super) gitlab_registry: std::sync::atomic::AtomicBool,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        let http = http_client(&config)?;
        Ok(Self::on(Arc::new(http), config))
    }

    /// A client for another registry on this one's connection pool and TLS setup, with its own
    /// credentials, limits and retry budget: the run keeps one HTTP client even when GitLab's API
    /// (read first) names the registry.
    pub fn rebind(&self, config: ClientConfig) -> Self {
        Self::on(self.inner.http.clone(), config)
    }

    fn on(http: Arc<Lanes>, config: ClientConfig) -> Self {
        let registry = config.address.to_string();
        Self {
            inner: Arc::new(Inner {
                http,
                address: config.address,
                limiter: match config.concurrency {
                    Some(n) => Limiter::pinned(n),
                    None => Limiter::adaptive(),
                },
                protocol_told: std::sync::atomic::AtomicBool::new(false),
                http2: std::sync::atomic::AtomicBool::new(false),
                use_get_manifest: config.use_get_manifest,
                auth: Authenticator::new(registry, config.credentials, config.prefer_digest),
                budget: RetryBudget::default(),
                referrers_api: std::sync::atomic::AtomicU8::new(REFERRERS_UNKNOWN),
                catalog_page: std::sync::atomic::AtomicUsize::new(0),
                gitlab_registry: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// How the adaptive limit of requests in flight moved (`None` with `--concurrency`), and over
    /// how many connections when the registry speaks HTTP/2.
    pub fn limit_story(&self) -> Option<String> {
        let story = self.inner.limiter.story()?;
        if !self.inner.http2.load(std::sync::atomic::Ordering::Relaxed) {
            return Some(story);
        }
        Some(match self.inner.http.opened() {
            1 => format!("{story}, over 1 HTTP/2 connection"),
            n => format!("{story}, over {n} HTTP/2 connections"),
        })
    }

    /// The most requests this client may ever have in flight: how wide a stream of jobs should be.
    pub fn max_in_flight(&self) -> usize {
        self.inner.limiter.ceiling()
    }

    /// How many repositories a catalog page held, when this run saw the registry page it.
    pub fn catalog_page_size(&self) -> Option<usize> {
        let n = self
            .inner
            .catalog_page
            .load(std::sync::atomic::Ordering::Relaxed);
        (n > 0).then_some(n)
    }

    pub fn address(&self) -> &RegistryAddress {
        &self.inner.address
    }
}

/// The connection pools and TLS setup every request of the run goes through, the files behind
/// them read once.
fn http_client(config: &ClientConfig) -> Result<Lanes, ConfigError> {
    let tls = &config.tls;
    let mut roots = Vec::new();
    if let Some(path) = &tls.extra_ca {
        let pem = read_file(path, "CA bundle")?;
        roots =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ConfigError::InvalidCa {
                path: path.clone(),
                detail: e.to_string(),
            })?;
    }
    let mut identity = None;
    if let Some(cert_path) = &tls.client_cert {
        let mut pem = read_file(cert_path, "client certificate")?;
        if let Some(key_path) = &tls.client_key {
            pem.push(b'\n');
            pem.extend(read_file(key_path, "client key")?);
        }
        identity = Some(reqwest::Identity::from_pem(&pem).map_err(|e| {
            ConfigError::InvalidClientCert {
                path: cert_path.clone(),
                detail: e.to_string(),
            }
        })?);
    }
    Lanes::new(Template {
        roots,
        identity,
        insecure: tls.insecure,
        idle: config.concurrency.unwrap_or(super::limit::CEILING),
    })
}

fn read_file(path: &PathBuf, what: &'static str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|source| ConfigError::Unreadable {
        what,
        path: path.clone(),
        source,
    })
}
