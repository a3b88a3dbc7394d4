//! The registry boundary: addresses, the HTTP client, manifest types and typed errors. It knows nothing
//! of the cache or the command line.

mod address;
mod auth;
mod client;
mod connection;
mod error;
mod gitlab;
mod harbor;
mod lanes;
mod limit;
mod manifest;
mod native;
mod paging;
mod referrers;
mod retry;
mod send;

pub use address::RegistryAddress;
pub use auth::{Credential, CredentialProvider};
pub use client::{Deleted, Listed};
pub use connection::{Client, ClientConfig, TlsConfig};
pub use error::{ConfigError, ErrorCode, RegistryError};
pub use gitlab::{GitlabApi, GitlabRepository, GitlabScope, GitlabTag, split_location};
pub use harbor::HarborApi;
pub use native::NativeApi;
pub use referrers::UntagMethod;
pub use retry::backoff;
