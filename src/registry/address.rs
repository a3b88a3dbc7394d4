//! Where a registry is: what the user wrote (`host`, `host:port`, `https://host`, `http://host:port`)
//! turned into a base URL, and the names derived from it.

use std::fmt;

use sha2::Digest as _;
use url::Url;

use super::error::ConfigError;

/// The longest file name stem: a cache file adds `.json` or `.details`, a lock `.lock`, and file
/// systems take 255 bytes.
const MAX_STEM: usize = 200;

/// A host name as DNS allows it (RFC 1035, 2.3.4): at most 253 characters, each dot-separated label
/// 1 to 63. Checked before the name reaches a file name or a request.
fn check_host_name(name: &str) -> Result<(), String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.len() > 253 {
        return Err(format!(
            "a host name has at most 253 characters, not {}",
            name.len()
        ));
    }
    match name
        .split('.')
        .find(|label| label.is_empty() || label.len() > 63)
    {
        Some("") => Err("a host name has no empty labels (`..`)".to_owned()),
        Some(label) => Err(format!(
            "each dot-separated part of a host name has at most 63 characters, not {}",
            label.len()
        )),
        None => Ok(()),
    }
}

/// A registry's base URL, without credentials, path, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryAddress {
    base: Url,
}

impl RegistryAddress {
    /// Parses `host[:port]` (https assumed, as dregutil did) or an `http://` / `https://` URL.
    pub fn parse(input: &str) -> Result<Self, ConfigError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(ConfigError::NoRegistry);
        }
        let lower = input.to_ascii_lowercase();
        let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
            input.to_owned()
        } else if input.contains("://") {
            return Err(ConfigError::UnsupportedScheme {
                input: input.to_owned(),
            });
        } else {
            format!("https://{input}")
        };
        let invalid = |why: &str| ConfigError::InvalidAddress {
            input: input.to_owned(),
            why: why.to_owned(),
        };
        let base = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
        if base.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        if let Some(url::Host::Domain(name)) = base.host() {
            check_host_name(name).map_err(|why| invalid(&why))?;
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(ConfigError::CredentialsInAddress);
        }
        if base.path() != "/" || base.query().is_some() || base.fragment().is_some() {
            return Err(invalid(
                "a registry address has no path; the API is always under /v2/",
            ));
        }
        Ok(Self { base })
    }

    /// `host[:port]`, as in image names (`REGISTRY/REPO:TAG`).
    pub fn host_port(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The URL of an API path such as `/v2/_catalog`.
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    /// A file name stem that identifies the registry: `registry.example.com:5000` gives
    /// `registry_example_com_5000`. Every character but ASCII letters, digits and `-` becomes `_`, so no
    /// registry name can produce a path separator or `..`. A long name (a host name may have 253
    /// characters; file names 255 bytes, with the cache's suffixes to fit) keeps its start and
    /// ends in a hash of the whole, so two long names never share a file.
    pub fn file_stem(&self) -> String {
        let stem: String = self
            .host_port()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if stem.len() <= MAX_STEM {
            return stem;
        }
        let hash = sha2::Sha256::digest(self.host_port().as_bytes());
        let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("{}-{hex}", &stem[..MAX_STEM - hex.len() - 1])
    }
}

impl fmt::Display for RegistryAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base.as_str().trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_valid_name_gets_a_short_unique_file_stem() {
        let long = |c: &str| format!("{}.example.com", vec![c.repeat(63); 3].join("."));
        let (a, b) = (
            RegistryAddress::parse(&long("a")).unwrap(),
            RegistryAddress::parse(&long("b")).unwrap(),
        );
        assert!(a.file_stem().len() <= MAX_STEM, "{}", a.file_stem());
        assert_ne!(a.file_stem(), b.file_stem());
        assert!(a.file_stem().starts_with("aaaa"));
    }

    #[test]
    fn host_alone_means_https() {
        let reg = RegistryAddress::parse("registry.example.com:5000").unwrap();
        assert_eq!(reg.to_string(), "https://registry.example.com:5000");
        assert_eq!(reg.host_port(), "registry.example.com:5000");
        assert_eq!(reg.file_stem(), "registry_example_com_5000");
    }

    #[test]
    fn explicit_schemes_are_kept() {
        assert_eq!(
            RegistryAddress::parse("http://127.0.0.1:5000/")
                .unwrap()
                .to_string(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            RegistryAddress::parse("HTTPS://Reg.Example.com")
                .unwrap()
                .host_port(),
            "reg.example.com"
        );
        assert_eq!(
            RegistryAddress::parse("https://reg.example.com:443")
                .unwrap()
                .host_port(),
            "reg.example.com"
        );
    }

    #[test]
    fn bad_addresses_are_usage_errors() {
        for bad in [
            "",
            "ftp://host",
            "http://",
            "https://user:pw@host",
            "host/v2/",
            "http://host:99999",
            &"a".repeat(300),
            &format!("{}.example.com", "b".repeat(64)),
            &format!("{}.com", "c.".repeat(130)),
        ] {
            assert!(RegistryAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn file_stem_never_leaves_the_directory() {
        let reg = RegistryAddress::parse("http://[::1]:5000").unwrap();
        assert_eq!(reg.file_stem(), "___1__5000");
        assert!(!reg.file_stem().contains(['/', '.']));
    }

    #[test]
    fn endpoint_joins_api_paths() {
        let reg = RegistryAddress::parse("http://127.0.0.1:5000").unwrap();
        assert_eq!(
            reg.endpoint("/v2/a/b/tags/list").as_str(),
            "http://127.0.0.1:5000/v2/a/b/tags/list"
        );
    }
}
