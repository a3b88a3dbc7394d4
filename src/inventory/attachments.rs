//! Attachments: the signatures, SBOMs and attestations that refer to an image of the same
//! repository, however they were stored:
//! - cosign's tags `sha256-<hex>.sig`, `.att`, `.sbom`, named after the image's digest;
//! - the referrers tag schema (OCI distribution-spec 1.1): the tag `sha256-<hex>` points to an index
//!   whose manifests are the image's referrers;
//! - manifests whose `subject` names the image, as the referrers API lists them
//!   (`Repository::referrers`) or as their own details say.
//!
//! An attachment belongs with its image: listings show it under the image, removal takes it along,
//! and one whose image is gone is an orphan. Pure: the walk reads the inventory only.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Inventory;
use super::MediaType;
use crate::names::is_digest;

/// The suffixes cosign gives its tags.
const COSIGN_SUFFIXES: [(&str, Kind); 3] = [
    (".sig", Kind::Signature),
    (".att", Kind::Attestation),
    (".sbom", Kind::Sbom),
];

/// What an attachment is, as far as its tag or artifact type tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The referrers tag schema's index of an image's referrers.
    ReferrersIndex,
    Signature,
    Attestation,
    Sbom,
    /// Any other artifact that names the image as its subject.
    Artifact,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Self::ReferrersIndex => "referrers index",
            Self::Signature => "signature",
            Self::Attestation => "attestation",
            Self::Sbom => "sbom",
            Self::Artifact => "artifact",
        }
    }

    /// The kind an OCI 1.1 artifact type names (cosign, notation, syft, in-toto spellings).
    fn of_artifact_type(artifact_type: Option<&str>) -> Self {
        let Some(t) = artifact_type.map(str::to_ascii_lowercase) else {
            return Self::Artifact;
        };
        if t.contains("sbom") || t.contains("spdx") || t.contains("cyclonedx") {
            Self::Sbom
        } else if t.contains("in-toto") || t.contains("attestation") || t.contains(".att") {
            Self::Attestation
        } else if t.contains("sig") || t.contains("notary") {
            Self::Signature
        } else {
            Self::Artifact
        }
    }
}

/// The digest a tag names when it follows cosign's scheme or the referrers tag schema
/// (`sha256-<hex>`, optionally `.sig`, `.att` or `.sbom`), with the kind the suffix says.
pub fn tag_subject(tag: &str) -> Option<(String, Option<Kind>)> {
    let (stem, kind) = COSIGN_SUFFIXES
        .iter()
        .find_map(|(suffix, kind)| tag.strip_suffix(suffix).map(|s| (s, Some(*kind))))
        .unwrap_or((tag, None));
    let (algorithm, hex) = stem.split_once('-')?;
    let digest = format!("{algorithm}:{hex}");
    (algorithm == "sha256" && hex.len() == 64 && is_digest(&digest)).then_some((digest, kind))
}

/// Whether a tag names an attachment rather than an image.
pub fn is_attachment_tag(tag: &str) -> bool {
    tag_subject(tag).is_some()
}

/// The kinds of some attachments (an image's closure), each once, as labels: what a listing shows
/// beside the image.
pub fn kind_labels(attached: &[&Attachment]) -> Vec<&'static str> {
    let mut kinds: Vec<Kind> = attached.iter().map(|a| a.kind).collect();
    kinds.sort();
    kinds.dedup();
    kinds.into_iter().map(Kind::label).collect()
}

/// One manifest attached to an image of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub digest: String,
    /// The image (or attachment: a signature of an SBOM) it refers to.
    pub subject: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// Its attachment tags (`sha256-<hex>.sig`); none for a referrer listed by the API.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Ordinary tags it also carries: someone tagged it as an image of its own, so it is not removed
    /// with its subject.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub own_tags: Vec<String>,
}

/// Every attachment of one repository, by digest and by subject.
#[derive(Debug, Clone, Default)]
pub struct Attachments {
    by_digest: BTreeMap<String, Attachment>,
    by_subject: BTreeMap<String, Vec<String>>,
}

impl Attachments {
    /// The attachments of `repo`, from its tags, its referrers and the details the inventory holds.
    pub fn of(inventory: &Inventory, repo: &str) -> Self {
        let mut found = Self::default();
        let Some(repository) = inventory.repositories.get(repo) else {
            return found;
        };
        let details = |digest: &str| inventory.manifests.get(digest);
        for (tag, entry) in &repository.tags {
            let Some((subject, suffix_kind)) = tag_subject(tag) else {
                continue;
            };
            let children = details(&entry.digest).and_then(|d| d.children());
            let kind = match (suffix_kind, children) {
                (Some(kind), _) => kind,
                (None, Some(_)) => Kind::ReferrersIndex,
                (None, None) => Kind::Artifact,
            };
            found.add(&entry.digest, &subject, kind, entry.media_type.as_deref());
            found.tag(&entry.digest, tag);
            if kind == Kind::ReferrersIndex {
                for child in children.into_iter().flatten() {
                    let kind = Kind::of_artifact_type(
                        details(&child.digest).and_then(|d| d.artifact_type().map(|t| &**t)),
                    );
                    found.add(&child.digest, &subject, kind, child.media_type.as_deref());
                }
            }
        }
        for (digest, referrer) in &repository.referrers {
            let kind = Kind::of_artifact_type(referrer.artifact_type.as_deref());
            found.add(
                digest,
                &referrer.subject,
                kind,
                referrer.media_type.as_deref(),
            );
        }
        // Manifests that name their subject themselves, tagged or not.
        let stored = repository
            .tags
            .values()
            .map(|e| e.digest.as_str())
            .chain(repository.untagged.keys().map(String::as_str));
        for digest in stored {
            if let Some(d) = details(digest)
                && let Some(subject) = d.subject()
            {
                let kind = Kind::of_artifact_type(d.artifact_type().map(|t| &**t));
                found.add(digest, subject, kind, d.media_type.as_deref());
            }
        }
        for (tag, entry) in &repository.tags {
            if !is_attachment_tag(tag)
                && let Some(a) = found.by_digest.get_mut(entry.digest.as_str())
            {
                a.own_tags.push(tag.clone());
            }
        }
        found
    }

    fn add(&mut self, digest: &str, subject: &str, kind: Kind, media_type: Option<&str>) {
        if digest == subject || self.by_digest.contains_key(digest) {
            return;
        }
        self.by_digest.insert(
            digest.to_owned(),
            Attachment {
                digest: digest.to_owned(),
                subject: subject.to_owned(),
                kind,
                media_type: media_type.map(MediaType::from),
                tags: Vec::new(),
                own_tags: Vec::new(),
            },
        );
        self.by_subject
            .entry(subject.to_owned())
            .or_default()
            .push(digest.to_owned());
    }

    fn tag(&mut self, digest: &str, tag: &str) {
        if let Some(a) = self.by_digest.get_mut(digest) {
            a.tags.push(tag.to_owned());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }

    pub fn get(&self, digest: &str) -> Option<&Attachment> {
        self.by_digest.get(digest)
    }

    pub fn all(&self) -> impl Iterator<Item = &Attachment> {
        self.by_digest.values()
    }

    /// The attachments of `subject`, theirs in turn (a signature of an SBOM), each once, those
    /// nearer the subject first; a referrers index before the referrers it lists.
    pub fn closure(&self, subject: &str) -> Vec<&Attachment> {
        let mut out: Vec<&Attachment> = Vec::new();
        let mut seen = BTreeSet::from([subject.to_owned()]);
        let mut level = vec![subject.to_owned()];
        while !level.is_empty() {
            let mut next = Vec::new();
            let mut found: Vec<&Attachment> = level
                .iter()
                .flat_map(|s| self.by_subject.get(s).into_iter().flatten())
                .filter(|d| seen.insert((*d).clone()))
                .filter_map(|d| self.by_digest.get(d))
                .collect();
            found.sort_by_key(|a| (a.kind, a.digest.clone()));
            for a in found {
                next.push(a.digest.clone());
                out.push(a);
            }
            level = next;
        }
        out
    }

    /// Attachments whose subject `exists` does not know: orphans (their image was deleted).
    pub fn orphans(&self, exists: impl Fn(&str) -> bool) -> Vec<&Attachment> {
        self.by_digest
            .values()
            .filter(|a| !self.by_digest.contains_key(&a.subject) && !exists(&a.subject))
            .collect()
    }

    /// The subjects these attachments name.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        self.by_subject.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{ChildManifest, ManifestDetails, Referrer, Repository, TagEntry};
    use jiff::Timestamp;

    fn digest(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    fn tag_of(d: &str, suffix: &str) -> String {
        format!("{}{suffix}", d.replace(':', "-"))
    }

    #[test]
    fn cosign_and_fallback_tags_name_their_subject() {
        let d = digest('a');
        assert_eq!(
            tag_subject(&tag_of(&d, ".sig")),
            Some((d.clone(), Some(Kind::Signature)))
        );
        assert_eq!(tag_subject(&tag_of(&d, "")), Some((d.clone(), None)));
        for not in ["latest", "sha256-abc.sig", "sha512-aa", &tag_of(&d, ".zip")] {
            assert_eq!(tag_subject(not), None, "{not}");
        }
    }

    #[test]
    fn tags_referrers_and_subjects_give_one_closure_per_image() {
        let (image, sig, sbom, sbom_sig, fallback, listed) = (
            digest('1'),
            digest('2'),
            digest('3'),
            digest('4'),
            digest('5'),
            digest('6'),
        );
        let mut inv = Inventory::new(&"http://127.0.0.1:5000", Timestamp::UNIX_EPOCH);
        let mut repo = Repository::default();
        let entry = |d: &str| TagEntry::new(d.to_owned(), None);
        repo.tags.insert("1.0".into(), entry(&image));
        repo.tags.insert(tag_of(&image, ".sig"), entry(&sig));
        repo.tags.insert(tag_of(&image, ""), entry(&fallback));
        repo.referrers.insert(
            sbom.clone(),
            Referrer {
                subject: image.clone(),
                media_type: None,
                artifact_type: Some("application/spdx+json".into()),
            },
        );
        repo.untagged.insert(
            sbom_sig.clone(),
            crate::inventory::Untagged {
                since: Timestamp::UNIX_EPOCH,
                media_type: None,
                tags: vec![],
            },
        );
        inv.repositories.insert("app".into(), repo);
        inv.manifests.insert(
            fallback.as_str().into(),
            Box::new(
                ManifestDetails::default().with_children(vec![ChildManifest {
                    digest: listed.clone(),
                    media_type: None,
                    platform: None,
                }]),
            ),
        );
        inv.manifests.insert(
            sbom_sig.as_str().into(),
            Box::new(
                ManifestDetails::default()
                    .with_subject(sbom.clone())
                    .with_artifact_type("application/vnd.dev.cosign.artifact.sig.v1+json"),
            ),
        );
        let found = Attachments::of(&inv, "app");
        let closure: Vec<(&str, Kind)> = found
            .closure(&image)
            .iter()
            .map(|a| (a.digest.as_str(), a.kind))
            .collect();
        assert_eq!(
            closure,
            [
                (fallback.as_str(), Kind::ReferrersIndex),
                (sig.as_str(), Kind::Signature),
                (sbom.as_str(), Kind::Sbom),
                (listed.as_str(), Kind::Artifact),
                (sbom_sig.as_str(), Kind::Signature),
            ]
        );
        assert!(found.orphans(|d| d == image).is_empty());
        assert_eq!(
            found.orphans(|_| false).len(),
            4,
            "all but the SBOM's signature"
        );
    }
}
