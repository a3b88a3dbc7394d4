//! Writing the details file (`store`'s format): every section computed from the whole inventory,
//! handed to the cache in parts that it writes one after the other and renames into place.

use std::collections::BTreeMap;

use super::record::{MediaTypes, Out, encode_record};
use super::store::{KEY, MAGIC, MainStamp, RepoRow, SECTIONS, Summary, VERSION, key};
use crate::inventory::{Inventory, MediaType};

/// The store's bytes for `inventory`, written with the main file `stamp` and `summary`: the file
/// in parts, in order.
pub fn encode(inventory: &Inventory, stamp: MainStamp, summary: &Summary) -> Vec<Vec<u8>> {
    let mut types: Vec<MediaType> = Vec::new();
    let mut note = |m: &Option<MediaType>| {
        if let Some(m) = m
            && !types.contains(m)
            && types.len() < 255
        {
            types.push(m.clone());
        }
    };
    for d in inventory.manifests.values() {
        note(&d.media_type);
        d.config
            .iter()
            .chain(&d.layers)
            .for_each(|b| note(&b.media_type));
        d.children()
            .into_iter()
            .flatten()
            .for_each(|c| note(&c.media_type));
    }
    let types = MediaTypes(types);
    let repo_index: BTreeMap<&str, u32> = summary
        .repos
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i as u32))
        .collect();
    let mut sections: Vec<Vec<u8>> =
        vec![repos_section(&summary.repos), names_section(&summary.repos)];
    let (shared, shared_repos) = shared_sections(inventory, &repo_index);
    sections.push(shared);
    sections.push(shared_repos);
    let (index, records) = detail_sections(inventory, &types);
    sections.push(index);
    sections.push(records);
    sections.push(blobs_section(&summary.blobs));
    let mut head = Out::default();
    head.0.extend_from_slice(MAGIC);
    head.u32(VERSION);
    head.u64(stamp.generation);
    head.u64(stamp.len);
    head.u64((stamp.modified >> 64) as u64);
    head.u64(stamp.modified as u64);
    head.str(&inventory.registry);
    head.u64(inventory.refreshed_at.as_second() as u64);
    head.u32(inventory.refreshed_at.subsec_nanosecond() as u32);
    let t = summary.totals;
    for v in [t.tags, t.digests, t.details, t.missing, t.disk_size] {
        head.u64(v);
    }
    head.u8(types.0.len() as u8);
    for m in &types.0 {
        head.str(m);
    }
    let head_len = head.0.len() + SECTIONS * 16;
    let mut offset = head_len as u64;
    for s in &sections {
        head.u64(offset);
        head.u64(s.len() as u64);
        offset += s.len() as u64;
    }
    // In parts, written one after the other: joined they were a second copy of the file.
    let mut parts = vec![head.0];
    parts.extend(sections);
    parts
}

fn repos_section(repos: &[RepoRow]) -> Vec<u8> {
    let mut out = Out::default();
    let mut name_at = 0u32;
    for r in repos {
        out.u32(name_at);
        out.u32(r.name.len() as u32);
        name_at += r.name.len() as u32;
        out.u32(r.tags);
        out.u32(r.manifests);
        out.u64(r.size);
        out.u64(r.disk_size);
        out.u32(r.attachments);
        out.u32(r.untagged);
        out.u64(r.untagged_disk_size);
        out.u64(r.span.offset);
        out.u64(r.span.len);
    }
    out.0
}

fn names_section(repos: &[RepoRow]) -> Vec<u8> {
    repos.iter().flat_map(|r| r.name.bytes()).collect()
}

/// Every tagged digest, with the repositories tagging it (by their place in `repos`). From one
/// sorted list of (digest, repository) pairs: a hash map of a million digests, each with a vector
/// of its own, was the largest thing a cold refresh held (200 MB at a million tags).
fn shared_sections(inventory: &Inventory, repos: &BTreeMap<&str, u32>) -> (Vec<u8>, Vec<u8>) {
    let mut pairs: Vec<([u8; KEY], &str, u32)> = Vec::with_capacity(inventory.tag_count());
    for (name, repository) in &inventory.repositories {
        let Some(&index) = repos.get(name.as_str()) else {
            continue;
        };
        let tagged = repository.tags.values().map(|e| e.digest.as_str());
        pairs.extend(tagged.map(|d| (key(d), d, index)));
    }
    // Stable, by digest: each digest's holders stay in the repositories' order, a repository's
    // repeats side by side.
    pairs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    pairs.dedup();
    let (mut table, mut array) = (Out::default(), Out::default());
    let mut at = 0u32;
    for holders in pairs.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        table.0.extend_from_slice(&holders[0].0);
        table.u32(at);
        table.u32(holders.len() as u32);
        at += holders.len() as u32;
        holders.iter().for_each(|h| array.u32(h.2));
    }
    (table.0, array.0)
}

fn detail_sections(inventory: &Inventory, types: &MediaTypes) -> (Vec<u8>, Vec<u8>) {
    let mut rows: Vec<([u8; KEY], u64, u32)> = Vec::with_capacity(inventory.manifests.len());
    let mut records = Out::default();
    for (digest, details) in &inventory.manifests {
        let start = records.0.len();
        encode_record(&mut records, digest, details, types);
        let len = (records.0.len() - start) as u32;
        rows.push((key(digest), start as u64, len));
    }
    rows.sort_unstable_by_key(|(k, _, _)| *k);
    let mut index = Out::default();
    for (k, at, len) in rows {
        index.0.extend_from_slice(&k);
        index.u64(at);
        index.u32(len);
    }
    (index.0, records.0)
}

fn blobs_section(blobs: &rustc_hash::FxHashMap<&str, (u64, u32)>) -> Vec<u8> {
    let mut rows: Vec<([u8; KEY], u64, u32)> = blobs
        .iter()
        .map(|(d, (size, refs))| (key(d), *size, *refs))
        .collect();
    rows.sort_unstable_by_key(|(k, _, _)| *k);
    let mut out = Out::default();
    for (k, size, refs) in rows {
        out.0.extend_from_slice(&k);
        out.u64(size);
        out.u32(refs);
    }
    out.0
}
