//! The details file's encoding: little-endian numbers, length-prefixed strings, and one record per
//! manifest's details (media types by their place in the file's list). Every read is checked: a
//! damaged file is an error, never a panic.

use jiff::Timestamp;

use crate::inventory::{
    BlobRef, ChildManifest, ManifestDetails, MediaType, Platform, SharedBlobs, Stamp,
};

const NONE: u64 = u64::MAX;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Corrupt(pub String);

pub(super) fn corrupt(what: &str) -> Corrupt {
    Corrupt(format!("the details file is damaged: {what}"))
}

/// Little-endian writing into a growing buffer.
#[derive(Default)]
pub(super) struct Out(pub(super) Vec<u8>);

impl Out {
    pub(super) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub(super) fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(super) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(super) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(super) fn str(&mut self, s: &str) {
        let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
        self.u16(len);
        self.0.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
    }
}

/// Little-endian reading, every read checked.
pub(super) struct In<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> In<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| corrupt("a field runs past its end"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    pub(super) fn u8(&mut self) -> Result<u8, Corrupt> {
        Ok(self.take(1)?[0])
    }
    pub(super) fn u16(&mut self) -> Result<u16, Corrupt> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().unwrap_or_default(),
        ))
    }
    pub(super) fn u32(&mut self) -> Result<u32, Corrupt> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    pub(super) fn u64(&mut self) -> Result<u64, Corrupt> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }
    pub(super) fn str(&mut self) -> Result<String, Corrupt> {
        self.text().map(str::to_owned)
    }
    /// `str`, borrowed from the record.
    pub(super) fn text(&mut self) -> Result<&'a str, Corrupt> {
        let len = usize::from(self.u16()?);
        std::str::from_utf8(self.take(len)?).map_err(|_| corrupt("a name is not UTF-8"))
    }
}

/// Media types are few: records name them by their place in the header's list.
pub(super) struct MediaTypes(pub(super) Vec<MediaType>);

impl MediaTypes {
    pub(super) fn index(&self, media_type: Option<&str>) -> u8 {
        media_type
            .and_then(|m| self.0.iter().position(|t| t == m))
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or(u8::MAX)
    }
    pub(super) fn name(&self, index: u8) -> Option<MediaType> {
        self.0.get(usize::from(index)).cloned()
    }
}

fn opt_u64(v: Option<u64>) -> u64 {
    v.unwrap_or(NONE)
}

fn from_opt(v: u64) -> Option<u64> {
    (v != NONE).then_some(v)
}

pub(super) fn encode_record(out: &mut Out, digest: &str, d: &ManifestDetails, types: &MediaTypes) {
    out.str(digest);
    out.u8(types.index(d.media_type.as_deref()));
    out.u64(opt_u64(d.manifest_bytes.map(u64::from)));
    out.u64(opt_u64(d.size));
    let flags = u8::from(d.config_read)
        | (u8::from(d.children().is_some()) << 1)
        | (u8::from(d.config.is_some()) << 2)
        | (u8::from(d.created.is_some()) << 3)
        | (u8::from(d.subject().is_some()) << 4)
        | (u8::from(d.artifact_type().is_some()) << 5)
        | (u8::from(d.from_gitlab) << 6);
    out.u8(flags);
    if let Some(created) = d.created() {
        out.u64(created.as_second() as u64);
        out.u32(created.subsec_nanosecond() as u32);
    }
    let blob = |out: &mut Out, b: &BlobRef| {
        out.str(&b.digest);
        out.u64(b.size);
        out.u8(types.index(b.media_type.as_deref()));
    };
    if let Some(config) = &d.config {
        blob(out, config);
    }
    out.u16(u16::try_from(d.layers.len()).unwrap_or(u16::MAX));
    for layer in d.layers.iter().take(usize::from(u16::MAX)) {
        blob(out, layer);
    }
    if let Some(children) = d.children() {
        out.u16(u16::try_from(children.len()).unwrap_or(u16::MAX));
        for c in children.iter().take(usize::from(u16::MAX)) {
            out.str(&c.digest);
            out.u8(types.index(c.media_type.as_deref()));
            out.str(c.platform.as_deref().unwrap_or(""));
        }
    }
    out.u8(u8::try_from(d.platforms.len()).unwrap_or(u8::MAX));
    for platform in d.platforms.iter().take(usize::from(u8::MAX)) {
        out.str(platform);
    }
    if let Some(subject) = d.subject() {
        out.str(subject);
    }
    if let Some(artifact_type) = d.artifact_type() {
        out.str(artifact_type);
    }
}

/// One record: the manifest's digest and details, its blobs' digests shared through `blobs`.
pub(super) fn decode_record<'a>(
    bytes: &'a [u8],
    types: &MediaTypes,
    blobs: &mut SharedBlobs,
) -> Result<(&'a str, ManifestDetails), Corrupt> {
    let mut r = In::new(bytes);
    let digest = r.text()?;
    let media_type = types.name(r.u8()?);
    let manifest_bytes = from_opt(r.u64()?)
        .map(u32::try_from)
        .transpose()
        .map_err(|_| corrupt("a manifest's size"))?;
    let size = from_opt(r.u64()?);
    let flags = r.u8()?;
    let created = if flags & 8 != 0 {
        let seconds = r.u64()? as i64;
        let nanos = r.u32()? as i32;
        Some(Timestamp::new(seconds, nanos).map_err(|_| corrupt("a created time"))?)
    } else {
        None
    };
    // Layers are shared between images; a config is its image's own, so looking it up in the
    // shared table would only cost time (a second and a half at a million images).
    let config = if flags & 4 != 0 {
        Some(decode_blob(&mut r, types, None)?)
    } else {
        None
    };
    // Sized from the counts the record gives: a collected `Result` starts at room for four, and a
    // million images' one platform each took 96 bytes instead of 24.
    let n = r.u16()?;
    let mut layers = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        layers.push(decode_blob(&mut r, types, Some(&mut *blobs))?);
    }
    let children = if flags & 2 != 0 {
        Some(decode_children(&mut r, types)?)
    } else {
        None
    };
    let n = r.u8()?;
    let mut platforms = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        platforms.push(Platform::new(r.text()?));
    }
    let subject = (flags & 16 != 0).then(|| r.str()).transpose()?;
    let artifact_type = (flags & 32 != 0).then(|| r.str()).transpose()?;
    let artifact_type = artifact_type.map(MediaType::from);
    let mut details = ManifestDetails {
        media_type,
        manifest_bytes,
        size,
        config,
        layers: layers.into(),
        created: created.map(Stamp::from),
        platforms: platforms.into(),
        config_read: flags & 1 != 0,
        from_gitlab: flags & 64 != 0,
        ..ManifestDetails::default()
    };
    details.set_children(children);
    details.set_subject(subject);
    details.set_artifact_type(artifact_type);
    Ok((digest, details))
}

/// A config or layer, its digest looked up in `shared` when given.
fn decode_blob(
    r: &mut In,
    types: &MediaTypes,
    shared: Option<&mut SharedBlobs>,
) -> Result<BlobRef, Corrupt> {
    let digest = r.text()?;
    Ok(BlobRef {
        digest: match shared {
            Some(shared) => shared.get(digest),
            None => digest.into(),
        },
        size: r.u64()?,
        media_type: types.name(r.u8()?),
    })
}

/// An index's children.
fn decode_children(r: &mut In, types: &MediaTypes) -> Result<Vec<ChildManifest>, Corrupt> {
    let n = r.u16()?;
    let mut children = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        let digest = r.str()?;
        let media_type = types.name(r.u8()?);
        let platform = Some(r.str()?).filter(|p| !p.is_empty());
        children.push(ChildManifest {
            digest,
            media_type,
            platform,
        });
    }
    Ok(children)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_a_manifest_size_past_u32_is_damage() {
        let types = MediaTypes(vec![MediaType::new(
            "application/vnd.oci.image.manifest.v1+json",
        )]);
        let details = ManifestDetails {
            media_type: Some(types.0[0].clone()),
            manifest_bytes: Some(u32::MAX),
            size: Some(10),
            ..ManifestDetails::default()
        };
        let mut out = Out::default();
        encode_record(&mut out, "sha256:a", &details, &types);
        let mut blobs = SharedBlobs::default();
        let (digest, read) = decode_record(&out.0, &types, &mut blobs).unwrap();
        assert_eq!((digest, &read), ("sha256:a", &details));
        // The manifest's size follows the digest (2 + 8 bytes) and the media type (1 byte).
        let mut damaged = out.0.clone();
        damaged[11..19].copy_from_slice(&(u64::from(u32::MAX) + 1).to_le_bytes());
        let error = decode_record(&damaged, &types, &mut blobs).unwrap_err();
        assert!(error.to_string().contains("a manifest's size"), "{error}");
    }
}
