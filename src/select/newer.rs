//! Whether a newer version of a tagged image exists in its repository (`regsweep outdated`, the
//! service's `?newer=true`). Versions are compared within a suffix family, as updaters do: `1.4-alpine`
//! is compared with the other `-alpine` tags only, `1.4` with plain versions only, so a suggestion
//! never moves an image to another variant or from a release to a pre-release.

use serde::Serialize;

use crate::inventory::{Inventory, Repository};
use crate::version::{Version, natural_cmp};

/// How a tag stands against the newest version of its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// No version of its family is newer (or the newer one is the same image).
    UpToDate,
    /// A newer version of its family exists, and it is another image.
    Outdated,
    /// The tag is not a version (`latest`, `main`): there is nothing to compare.
    NotAVersion,
    /// The repository has no such tag.
    UnknownTag,
    /// The registry has no such repository.
    UnknownRepository,
}

/// The answer for one `repository:tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Newest {
    pub status: Freshness,
    /// The tag's digest, when the tag exists.
    pub digest: Option<String>,
    /// The newest version of the tag's family, and its digest (the tag itself when it is newest).
    pub newest_tag: Option<String>,
    pub newest_digest: Option<String>,
}

impl Newest {
    fn only(status: Freshness, digest: Option<String>) -> Self {
        Self {
            status,
            digest,
            newest_tag: None,
            newest_digest: None,
        }
    }

    /// Whether the newest version is another image than the tag's.
    pub fn digest_differs(&self) -> bool {
        self.newest_digest.is_some() && self.newest_digest != self.digest
    }
}

/// The newest version in `tag`'s family in `repository`, and whether `tag` is behind it.
pub fn newest(inventory: &Inventory, repository: &str, tag: &str) -> Newest {
    match inventory.repositories.get(repository) {
        Some(repo) => newest_in(repo, tag),
        None => Newest::only(Freshness::UnknownRepository, None),
    }
}

/// `newest` within one repository.
pub fn newest_in(repo: &Repository, tag: &str) -> Newest {
    let Some(entry) = repo.tags.get(tag) else {
        return Newest::only(Freshness::UnknownTag, None);
    };
    let digest = Some(entry.digest.to_string());
    let Some(version) = Version::parse(tag) else {
        return Newest::only(Freshness::NotAVersion, digest);
    };
    let family = version.suffix().map(str::to_owned);
    let newest = repo
        .tags
        .iter()
        .filter_map(|(name, entry)| Some((Version::parse(name)?, name, entry)))
        .filter(|(v, _, _)| v.suffix() == family.as_deref())
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_cmp(a.1, b.1)));
    let Some((newest_version, newest_tag, newest_entry)) = newest else {
        return Newest::only(Freshness::UpToDate, digest);
    };
    let behind = newest_version > version && newest_entry.digest != entry.digest;
    Newest {
        status: if behind {
            Freshness::Outdated
        } else {
            Freshness::UpToDate
        },
        digest,
        newest_tag: Some(newest_tag.clone()),
        newest_digest: Some(newest_entry.digest.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::testing::inventory;

    fn app() -> Inventory {
        inventory(&[(
            "app",
            &[
                ("1.4", "D14"),
                ("1.4.0", "D14"),
                ("1.10", "D110"),
                ("1.9", "D19"),
                ("2.0-rc1", "D2RC"),
                ("1.4-alpine", "A14"),
                ("1.5-alpine", "A15"),
                ("1.5", "D15"),
                ("latest", "D110"),
            ],
        )])
    }

    #[test]
    fn versions_compare_within_their_suffix_family() {
        let inv = app();
        let n = newest(&inv, "app", "1.4");
        assert_eq!(n.status, Freshness::Outdated);
        assert_eq!(n.newest_tag.as_deref(), Some("1.10"), "1.10 > 1.9: numbers");
        assert!(n.digest_differs());
        let n = newest(&inv, "app", "1.4-alpine");
        assert_eq!(n.status, Freshness::Outdated);
        assert_eq!(n.newest_tag.as_deref(), Some("1.5-alpine"));
        let n = newest(&inv, "app", "1.10");
        assert_eq!(n.status, Freshness::UpToDate, "2.0-rc1 is another family");
        assert!(!n.digest_differs());
        assert_eq!(newest(&inv, "app", "2.0-rc1").status, Freshness::UpToDate);
    }

    #[test]
    fn what_cannot_be_compared_says_why() {
        let inv = app();
        assert_eq!(newest(&inv, "app", "latest").status, Freshness::NotAVersion);
        assert_eq!(newest(&inv, "app", "9.9").status, Freshness::UnknownTag);
        assert_eq!(
            newest(&inv, "nope", "1.0").status,
            Freshness::UnknownRepository
        );
        // A newer version that is the same image is not behind.
        let same = inventory(&[("app", &[("1.4", "D"), ("1.4.1", "D")])]);
        assert_eq!(newest(&same, "app", "1.4").status, Freshness::UpToDate);
    }
}
