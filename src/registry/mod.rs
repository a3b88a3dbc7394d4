//! The registry boundary: addresses, the HTTP client, manifest types and typed errors. It knows nothing
//! of the cache or the command line.

mod address;
mod auth;
mod client;
mod error;
pub mod manifest;
mod name;
mod retry;

pub use address::{RegistryAddress, no_registry};
pub use auth::Credential;
pub use client::{Client, ClientConfig, Deleted, Listed, TlsConfig};
pub use error::RegistryError;
pub use name::{is_repository_name, is_tag};
pub use retry::backoff;
