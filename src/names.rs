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
}
