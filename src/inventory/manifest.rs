//! `ManifestDetails`: what is known of one manifest, with what few manifests have kept out of line.

use jiff::Timestamp;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::{BlobRef, ChildManifest, MediaType, Platforms, Stamp};

/// What is known of a manifest beyond its digest: fetched once, kept while the digest is tagged (a
/// manifest never changes for its digest). Every field is optional so older files stay readable.
///
/// An index's children and an artifact's subject and type are read through `children()`,
/// `subject()` and `artifact_type()`: few manifests have any of them, so they live in a box of
/// their own that the rest do without (56 of 208 bytes, 48 MB of a million-tag plan's details).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(from = "Plain")]
pub struct ManifestDetails {
    pub media_type: Option<MediaType>,
    /// Bytes of the manifest itself; set once the manifest has been read. A `u32`: no manifest is
    /// read past 8 MiB (`registry/send.rs`), and four bytes fewer in a million details made their
    /// allocations a size class smaller (16 MB).
    pub manifest_bytes: Option<u32>,
    /// The image's size: config and layers (for an index, the sum over its children).
    pub size: Option<u64>,
    /// For an image manifest: its config blob.
    pub config: Option<BlobRef>,
    /// For an image manifest: its layers.
    pub layers: Box<[BlobRef]>,
    /// When the image was built, from its config (for an index: the newest child's). Read
    /// through `created()`: a `Stamp` is 8 bytes smaller than an `Option<Timestamp>`.
    pub created: Option<Stamp>,
    /// `os/architecture[/variant]`, from the config (for an index: its children's).
    pub platforms: Platforms,
    /// Whether the config was read, or found not to be an image config (Helm charts, signatures,
    /// `{}`), which have no created time or platform.
    pub config_read: bool,
    /// The created time (and, when the manifest gave none, the size) came from GitLab's API or a
    /// registry's own listing (Harbor's artifacts, GitLab's registry API) rather than the image
    /// config; without `manifest_bytes`, the manifest itself was not read.
    pub from_gitlab: bool,
    /// None when the manifest has none of them. Public so that details can be built with
    /// `..ManifestDetails::default()`; read and set through the methods.
    pub rare: Option<Box<Rare>>,
}

/// What few manifests have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rare {
    children: Option<Vec<ChildManifest>>,
    subject: Option<String>,
    artifact_type: Option<MediaType>,
}

impl ManifestDetails {
    /// When the image was built.
    pub fn created(&self) -> Option<Timestamp> {
        self.created.map(Stamp::get)
    }

    pub fn set_created(&mut self, created: Option<Timestamp>) {
        self.created = created.map(Stamp::from);
    }

    /// For an index (OCI image index, Docker manifest list): the manifests it references.
    pub fn children(&self) -> Option<&Vec<ChildManifest>> {
        self.rare.as_ref()?.children.as_ref()
    }

    /// The manifest this one refers to (OCI 1.1 `subject`): it is a signature, SBOM or
    /// attestation of that image.
    pub fn subject(&self) -> Option<&str> {
        self.rare.as_ref()?.subject.as_deref()
    }

    /// OCI 1.1 `artifactType` (or, without it, the config's media type for an artifact).
    pub fn artifact_type(&self) -> Option<&MediaType> {
        self.rare.as_ref()?.artifact_type.as_ref()
    }

    pub fn set_children(&mut self, children: Option<Vec<ChildManifest>>) {
        self.change_rare(|rare| rare.children = children);
    }

    pub fn set_subject(&mut self, subject: Option<String>) {
        self.change_rare(|rare| rare.subject = subject);
    }

    pub fn set_artifact_type(&mut self, artifact_type: Option<MediaType>) {
        self.change_rare(|rare| rare.artifact_type = artifact_type);
    }

    /// These details with `children`, for building them in one expression (tests).
    #[cfg(test)]
    pub fn with_children(mut self, children: Vec<ChildManifest>) -> Self {
        self.set_children(Some(children));
        self
    }

    #[cfg(test)]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.set_subject(Some(subject.into()));
        self
    }

    #[cfg(test)]
    pub fn with_artifact_type(mut self, artifact_type: impl Into<MediaType>) -> Self {
        self.set_artifact_type(Some(artifact_type.into()));
        self
    }

    /// Changes the rare fields, keeping a box only while one of them is set: setting nothing on
    /// details without any (how a million records are read) allocates nothing.
    fn change_rare(&mut self, change: impl FnOnce(&mut Rare)) {
        match &mut self.rare {
            Some(rare) => {
                change(rare);
                if **rare == Rare::default() {
                    self.rare = None;
                }
            }
            None => {
                let mut rare = Rare::default();
                change(&mut rare);
                if rare != Rare::default() {
                    self.rare = Some(Box::new(rare));
                }
            }
        }
    }
}

/// The fields as files and answers spell them, in this order.
impl Serialize for ManifestDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ManifestDetails", 12)?;
        field(&mut s, "media_type", &self.media_type, Option::is_none)?;
        field(
            &mut s,
            "manifest_bytes",
            &self.manifest_bytes,
            Option::is_none,
        )?;
        field(&mut s, "size", &self.size, Option::is_none)?;
        field(&mut s, "children", &self.children(), Option::is_none)?;
        field(&mut s, "config", &self.config, Option::is_none)?;
        field(&mut s, "layers", &self.layers, |l| l.is_empty())?;
        field(&mut s, "created", &self.created, Option::is_none)?;
        field(&mut s, "platforms", &self.platforms, Platforms::is_empty)?;
        field(&mut s, "config_read", &self.config_read, |b| !b)?;
        field(&mut s, "subject", &self.subject(), Option::is_none)?;
        field(
            &mut s,
            "artifact_type",
            &self.artifact_type(),
            Option::is_none,
        )?;
        field(&mut s, "from_gitlab", &self.from_gitlab, |b| !b)?;
        s.end()
    }
}

/// Writes a field, or skips it when `absent` says it holds nothing.
fn field<S: SerializeStruct, T: Serialize>(
    s: &mut S,
    name: &'static str,
    value: &T,
    absent: impl Fn(&T) -> bool,
) -> Result<(), S::Error> {
    if absent(value) {
        s.skip_field(name)
    } else {
        s.serialize_field(name, value)
    }
}

/// The details as read from a file or an answer.
#[derive(Deserialize)]
struct Plain {
    #[serde(default)]
    media_type: Option<MediaType>,
    #[serde(default)]
    manifest_bytes: Option<u32>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    children: Option<Vec<ChildManifest>>,
    #[serde(default)]
    config: Option<BlobRef>,
    #[serde(default)]
    layers: Vec<BlobRef>,
    #[serde(default)]
    created: Option<Stamp>,
    #[serde(default)]
    platforms: Platforms,
    #[serde(default)]
    config_read: bool,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    artifact_type: Option<MediaType>,
    #[serde(default)]
    from_gitlab: bool,
}

impl From<Plain> for ManifestDetails {
    fn from(plain: Plain) -> Self {
        let mut details = Self {
            media_type: plain.media_type,
            manifest_bytes: plain.manifest_bytes,
            size: plain.size,
            config: plain.config,
            layers: plain.layers.into(),
            created: plain.created,
            platforms: plain.platforms,
            config_read: plain.config_read,
            from_gitlab: plain.from_gitlab,
            rare: None,
        };
        details.change_rare(|rare| {
            *rare = Rare {
                children: plain.children,
                subject: plain.subject,
                artifact_type: plain.artifact_type,
            }
        });
        details
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_fields_are_boxed_only_when_set_and_read_and_written_as_before() {
        let plain = ManifestDetails {
            manifest_bytes: Some(12),
            config_read: true,
            ..ManifestDetails::default()
        };
        assert!(plain.rare.is_none());
        let text = serde_json::to_string(&plain).unwrap();
        assert_eq!(text, r#"{"manifest_bytes":12,"config_read":true}"#);
        assert_eq!(
            serde_json::from_str::<ManifestDetails>(&text).unwrap(),
            plain
        );
        assert!(
            serde_json::from_str::<ManifestDetails>("{}")
                .unwrap()
                .rare
                .is_none()
        );

        let child = ChildManifest {
            digest: "sha256:c".into(),
            media_type: None,
            platform: Some("linux/amd64".into()),
        };
        let signature = plain
            .clone()
            .with_children(vec![child.clone()])
            .with_subject("sha256:s")
            .with_artifact_type("application/spdx+json");
        let text = serde_json::to_string(&signature).unwrap();
        assert_eq!(
            text,
            r#"{"manifest_bytes":12,"children":[{"digest":"sha256:c","platform":"linux/amd64"}],"config_read":true,"subject":"sha256:s","artifact_type":"application/spdx+json"}"#
        );
        let read: ManifestDetails = serde_json::from_str(&text).unwrap();
        assert_eq!(read, signature);
        assert_eq!(read.children(), Some(&vec![child]));
        assert_eq!(read.subject(), Some("sha256:s"));
        assert_eq!(
            read.artifact_type().map(|t| &**t),
            Some("application/spdx+json")
        );

        let mut cleared = read;
        cleared.set_children(None);
        cleared.set_subject(None);
        assert!(cleared.rare.is_some(), "the artifact type is still set");
        cleared.set_artifact_type(None);
        assert!(cleared.rare.is_none());
        assert_eq!(cleared, plain);
        // 120 bytes and the allocator's 8: a 128-byte size class (once 160).
        assert!(std::mem::size_of::<ManifestDetails>() <= 120);
    }
}
