//! Repository names as the distribution spec defines them. A name typed by the user goes into request
//! paths, so it is checked first: `..` segments or a `?` could otherwise turn it into another URL.

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

/// Whether `name` is a valid repository name (at most 255 characters, as Docker's registry allows).
pub fn is_repository_name(name: &str) -> bool {
    name.len() <= 255 && NAME.is_match(name)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
