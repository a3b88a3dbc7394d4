//! The distribution spec's grammar for repository names, tags and digests. A leaf: registry answers,
//! cache files, journals and the command line are all checked against it before a name reaches a URL,
//! a path or a terminal.
//!
//! Repository names and tags as the distribution spec defines them. Names go into request paths and tags
//! into URLs, whether the user typed them, a registry listed them or a cache file holds them, so each is
//! checked first: `..` segments, `?` or `#` could otherwise turn it into another URL, and control
//! characters would reach a terminal.

use std::sync::LazyLock;

use regex::Regex;

/// `<name>` of the distribution spec: path components of lower-case letters and digits joined by `.`,
/// `_`, `__` or runs of `-`, separated by `/` (distribution-spec `spec.md`, "Pulling manifests").
static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$",
    )
    .expect("the repository name pattern is valid")
});

/// `<reference>` as a tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` (distribution-spec `spec.md`).
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$").expect("the tag pattern is valid")
});

/// Whether `name` is a valid repository name (at most 255 characters, as Docker's registry allows).
pub fn is_repository_name(name: &str) -> bool {
    name.len() <= 255 && NAME.is_match(name)
}

/// Whether `tag` is a valid tag.
pub fn is_tag(tag: &str) -> bool {
    TAG.is_match(tag)
}

/// Whether a string has the shape of a content digest, `algorithm:encoded` (OCI image-spec
/// `descriptor.md`); a header that fails this is ignored rather than trusted.
pub fn is_digest(value: &str) -> bool {
    let Some((algorithm, encoded)) = value.split_once(':') else {
        return false;
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b));
    let encoded_ok = !encoded.is_empty()
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b));
    let hex_of = |len: usize| {
        encoded.len() == len
            && encoded
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let registered_ok = match algorithm {
        "sha256" => hex_of(64),
        "sha512" => hex_of(128),
        _ => true,
    };
    value.len() <= 1024 && algorithm_ok && encoded_ok && registered_ok
}

/// An image reference as people write it: `[HOST[:PORT]/]REPO[:TAG][@DIGEST]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    /// The registry's host (and port), when the first component names one: it holds a `.` or a
    /// `:`, or is `localhost` (Docker's rule).
    pub host: Option<String>,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// `[HOST/]REPOSITORY[:TAG][@DIGEST]`, as written.
impl std::fmt::Display for ImageReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(host) = &self.host {
            write!(f, "{host}/")?;
        }
        write!(f, "{}", self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl ImageReference {
    /// Reads a reference; `None` when a part breaks the distribution spec's grammar.
    pub fn parse(text: &str) -> Option<Self> {
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_owned())),
            None => (text, None),
        };
        if digest.as_deref().is_some_and(|d| !is_digest(d)) {
            return None;
        }
        let (host, path) = match rest.split_once('/') {
            Some((first, path)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first.to_owned()), path)
            }
            _ => (None, rest),
        };
        // A tag follows the last `:` of the path (a host's port is already split off).
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repository, tag)) => (repository, Some(tag.to_owned())),
            None => (path, None),
        };
        let valid = is_repository_name(repository) && tag.as_deref().is_none_or(is_tag);
        valid.then(|| Self {
            host,
            repository: repository.to_owned(),
            tag,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_validated() {
        assert!(is_digest(&format!("sha256:{}", "0".repeat(64))));
        assert!(is_digest(&format!("sha512:{}", "ab".repeat(64))));
        assert!(!is_digest("sha512:abcdef"));
        assert!(
            is_digest("blake3:abcdef"),
            "other algorithms keep the general grammar"
        );
        for bad in [
            "",
            "sha256:",
            "sha256:xyz",
            ":abc",
            "sha256:ABC",
            "no-colon",
            "sha256:../../x",
        ] {
            assert!(!is_digest(bad), "{bad:?}");
        }
    }

    #[test]
    fn valid_names() {
        for name in [
            "app",
            "team-a/web",
            "a/b/c",
            "my_app",
            "my__app",
            "a--b",
            "v1.2",
            "0",
        ] {
            assert!(is_repository_name(name), "{name}");
        }
    }

    #[test]
    fn invalid_names() {
        for name in [
            "", "App", "../x", "a/../b", "a?b", "a//b", "/a", "a/", "-a", "a_", "a b", "a:1",
        ] {
            assert!(!is_repository_name(name), "{name}");
        }
        assert!(!is_repository_name(&"a".repeat(256)));
    }

    #[test]
    fn tags() {
        for tag in [
            "1.0",
            "latest",
            "v1.3.9-alpine",
            "_x",
            "A_b.c-d",
            &"a".repeat(128),
        ] {
            assert!(is_tag(tag), "{tag}");
        }
        for tag in [
            "",
            ".x",
            "-x",
            "a/b",
            "../x",
            "a b",
            "a\nb",
            "sha256:abc",
            "a?b",
            &"a".repeat(129),
        ] {
            assert!(!is_tag(tag), "{tag}");
        }
    }

    #[test]
    fn image_references_split_host_repository_tag_and_digest() {
        let r = ImageReference::parse("registry.example.com:5000/team/app:1.4-alpine").unwrap();
        assert_eq!(r.host.as_deref(), Some("registry.example.com:5000"));
        assert_eq!(
            (r.repository.as_str(), r.tag.as_deref()),
            ("team/app", Some("1.4-alpine"))
        );
        let r = ImageReference::parse("team/app").unwrap();
        assert_eq!((r.host, r.tag), (None, None));
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = ImageReference::parse(&format!("localhost/app:1@{digest}")).unwrap();
        assert_eq!(r.host.as_deref(), Some("localhost"));
        assert_eq!(r.digest.as_deref(), Some(digest.as_str()));
        for bad in ["App:1", "app:-x", "app@sha256:zz", "", "app:1:2"] {
            assert!(ImageReference::parse(bad).is_none(), "{bad}");
        }
    }
}
