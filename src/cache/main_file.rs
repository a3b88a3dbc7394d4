//! The cache's main file: one JSON document per registry, repositories -> tags -> {digest, media type},
//! the format users and scripts read. It is written so that each repository's value can be found by
//! its byte range (kept in the details file), and read back either whole or one repository at a time.
//! Format version 1 also held the manifest details; such a file is read whole and migrated.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};

use jiff::Timestamp;
use serde::Deserialize;

use super::read_at;
use super::store::Span;
use crate::inventory::{Capabilities, Inventory, ManifestDetails, Repository};

/// A main file as read whole.
#[derive(Deserialize)]
pub struct MainFile {
    pub schema: u32,
    pub registry: String,
    pub refreshed_at: Timestamp,
    #[serde(default)]
    pub generation: u64,
    #[serde(default)]
    pub events_seq: u64,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
    #[serde(deserialize_with = "crate::inventory::packed")]
    pub repositories: BTreeMap<String, Repository>,
    /// Version 1 only: the details, which version 2 keeps in the details file.
    #[serde(default)]
    pub manifests: BTreeMap<String, ManifestDetails>,
}

/// Counts what passes through, so each repository's place in the file is known.
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `inventory` (without its details) as a main file of `schema`; returns where each
/// repository's value sits.
pub fn write(
    out: impl Write,
    inventory: &Inventory,
    schema: u32,
) -> io::Result<BTreeMap<String, Span>> {
    let mut out = Counting {
        inner: out,
        written: 0,
    };
    write!(out, "{{\"schema\":{schema},\"registry\":")?;
    serde_json::to_writer(&mut out, &inventory.registry)?;
    write!(out, ",\"refreshed_at\":")?;
    serde_json::to_writer(&mut out, &inventory.refreshed_at)?;
    write!(out, ",\"generation\":{}", inventory.generation)?;
    if inventory.events_seq > 0 {
        write!(out, ",\"events_seq\":{}", inventory.events_seq)?;
    }
    if let Some(scope) = &inventory.scope {
        out.write_all(b",\"scope\":")?;
        serde_json::to_writer(&mut out, scope)?;
    }
    if !inventory.capabilities.is_unknown() {
        out.write_all(b",\"capabilities\":")?;
        serde_json::to_writer(&mut out, &inventory.capabilities)?;
    }
    out.write_all(b",\"repositories\":{")?;
    let mut spans = BTreeMap::new();
    for (i, (name, repository)) in inventory.repositories.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, name)?;
        out.write_all(b":")?;
        let offset = out.written;
        serde_json::to_writer(&mut out, repository)?;
        spans.insert(
            name.clone(),
            Span {
                offset,
                len: out.written - offset,
            },
        );
    }
    out.write_all(b"}}")?;
    out.flush()?;
    Ok(spans)
}

/// What a main file's head records besides the registry: its scope and the registry's capabilities.
#[derive(Debug, Default, Deserialize)]
pub struct Head {
    #[serde(default)]
    pub registry: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
}

/// The scope a main file records, read from its head (written before the repositories): a few
/// hundred bytes, not the file. `Err` when the head cannot be read as one.
pub fn read_scope(file: &File) -> Result<Option<String>, ()> {
    read_head(file).map(|h| h.scope)
}

/// The head of a main file (everything before the repositories).
pub fn read_head(file: &File) -> Result<Head, ()> {
    const HEAD: usize = 64 * 1024;
    let bytes = read_at(file, 0, HEAD).or_else(|_| {
        let len = file.metadata().map_err(|_| ())?.len() as usize;
        read_at(file, 0, len.min(HEAD)).map_err(|_| ())
    })?;
    let marker = b",\"repositories\":{";
    let end = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .ok_or(())?;
    let mut head = bytes[..end].to_vec();
    head.push(b'}');
    serde_json::from_slice::<Head>(&head).map_err(|_| ())
}

/// One repository's value, read from its place in the file and checked to be preceded by its name:
/// `None` when the file is not the one the place was taken from.
pub fn read_repository(file: &File, name: &str, span: Span) -> Option<Repository> {
    let key = serde_json::to_string(name).ok()? + ":";
    let start = span.offset.checked_sub(key.len() as u64)?;
    let bytes = read_at(file, start, key.len() + usize::try_from(span.len).ok()?).ok()?;
    let (head, value) = bytes.split_at(key.len());
    if head != key.as_bytes() {
        return None;
    }
    serde_json::from_slice(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::TagEntry;

    #[test]
    fn each_repository_can_be_read_alone() {
        let mut inv = Inventory::new(&"http://127.0.0.1:5000", Timestamp::UNIX_EPOCH);
        for name in ["app", "team-a/web", "z\"odd"] {
            let mut repo = Repository::default();
            repo.tags
                .insert("1.0".into(), TagEntry::new(format!("sha256:{name}"), None));
            inv.repositories.insert(name.into(), repo);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let spans = write(File::create(&path).unwrap(), &inv, 2).unwrap();
        let whole: MainFile = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(whole.repositories, inv.repositories);
        let file = File::open(&path).unwrap();
        for (name, span) in &spans {
            assert_eq!(
                read_repository(&file, name, *span).as_ref(),
                inv.repositories.get(name)
            );
        }
        // A place taken from another file is refused, not misread.
        let moved = Span {
            offset: spans["app"].offset + 1,
            len: spans["app"].len,
        };
        assert_eq!(read_repository(&file, "app", moved), None);
    }
}
