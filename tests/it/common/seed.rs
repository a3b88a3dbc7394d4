//! Pushes synthetic images to a registry over the Distribution HTTP API: blobs, Docker schema 2 and
//! OCI image manifests, Docker manifest lists and OCI indexes. Shared by the integration tests, the
//! demo (`cargo run --example seed`) and the benchmark.
//!
//! This is test support: a registry that refuses a push is a broken test set-up, so failures panic
//! with the request and the registry's answer.

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::blocking::Client;
use serde_json::json;
use sha2::{Digest as _, Sha256};

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// Which family of media types an image or index uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Docker,
    Oci,
}

/// Something pushed: its digest, media type and size, as a descriptor needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub digest: String,
    pub media_type: String,
    pub size: u64,
}

/// What `image_parts` pushed.
#[derive(Debug, Clone)]
pub struct ImageParts {
    pub manifest: Pushed,
    pub config: Pushed,
    pub layers: Vec<Pushed>,
}

impl ImageParts {
    /// config + layers, as registries and `docker` count an image's size.
    pub fn size(&self) -> u64 {
        self.config.size + self.layers.iter().map(|l| l.size).sum::<u64>()
    }
}

/// An image to push: its layers' contents, and what its config says.
#[derive(Debug, Clone)]
pub struct Image {
    pub kind: Kind,
    pub layers: Vec<Vec<u8>>,
    pub os: String,
    pub architecture: String,
    pub created: Option<String>,
    /// Makes otherwise identical images distinct (it goes into the config).
    pub label: String,
}

impl Image {
    pub fn new(kind: Kind, label: &str) -> Self {
        Self {
            kind,
            layers: vec![format!("layer of {label}").into_bytes()],
            os: "linux".into(),
            architecture: "amd64".into(),
            created: Some("2026-01-01T00:00:00Z".into()),
            label: label.into(),
        }
    }

    pub fn platform(mut self, os: &str, architecture: &str) -> Self {
        self.os = os.into();
        self.architecture = architecture.into();
        self
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

pub struct Seeder {
    base: String,
    http: Client,
}

impl Seeder {
    /// A seeder for the registry at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: Client::builder()
                .pool_max_idle_per_host(64)
                .build()
                .expect("building the seeding HTTP client"),
        }
    }

    /// Uploads a blob into a repository (POST, then PUT with the digest), unless it is already there.
    pub fn blob(&self, repo: &str, bytes: &[u8], media_type: &str) -> Pushed {
        let pushed = described(bytes, media_type);
        let digest = pushed.digest.clone();
        let head = self
            .http
            .head(format!("{}/v2/{repo}/blobs/{digest}", self.base))
            .send()
            .expect("HEAD blob");
        if head.status().is_success() {
            return pushed;
        }
        let start = self
            .http
            .post(format!("{}/v2/{repo}/blobs/uploads/", self.base))
            .send()
            .expect("starting a blob upload");
        assert_eq!(
            start.status().as_u16(),
            202,
            "starting a blob upload in {repo}"
        );
        let location = start
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .expect("upload Location header")
            .to_owned();
        let mut url = if location.starts_with("http") {
            location
        } else {
            format!("{}{location}", self.base)
        };
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&format!("digest={digest}"));
        let put = self
            .http
            .put(url)
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .expect("finishing a blob upload");
        assert_eq!(
            put.status().as_u16(),
            201,
            "uploading blob {digest} to {repo}"
        );
        pushed
    }

    /// PUTs a manifest under a tag or its digest; returns what was pushed.
    pub fn manifest(&self, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) -> Pushed {
        let response = self
            .http
            .put(format!("{}/v2/{repo}/manifests/{reference}", self.base))
            .header("content-type", media_type)
            .body(bytes.to_vec())
            .send()
            .expect("PUT manifest");
        let status = response.status();
        let body = response.text().unwrap_or_default();
        assert_eq!(status.as_u16(), 201, "PUT {repo}:{reference}: {body}");
        Pushed {
            digest: sha256(bytes),
            media_type: media_type.into(),
            size: bytes.len() as u64,
        }
    }

    /// Pushes an image's blobs and its manifest, tagged `tag` (or by digest only when `tag` is None).
    pub fn image(&self, repo: &str, tag: Option<&str>, image: &Image) -> Pushed {
        self.image_parts(repo, tag, image).manifest
    }

    /// `image`, returning the config and layers too (for tests of sizes).
    pub fn image_parts(&self, repo: &str, tag: Option<&str>, image: &Image) -> ImageParts {
        let (manifest_type, config_type, layer_type) = match image.kind {
            Kind::Docker => (DOCKER_V2, DOCKER_CONFIG, DOCKER_LAYER),
            Kind::Oci => (OCI_MANIFEST, OCI_CONFIG, OCI_LAYER),
        };
        let layers: Vec<Pushed> = image
            .layers
            .iter()
            .map(|layer| self.blob(repo, layer, layer_type))
            .collect();
        let mut config = json!({
            "architecture": image.architecture,
            "os": image.os,
            "config": {"Labels": {"org.example.seed": image.label}},
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| &l.digest).collect::<Vec<_>>()},
        });
        if let Some(created) = &image.created {
            config["created"] = json!(created);
        }
        let config = self.blob(repo, config.to_string().as_bytes(), config_type);
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": descriptor(&config),
            "layers": layers.iter().map(descriptor).collect::<Vec<_>>(),
        });
        let bytes = manifest.to_string().into_bytes();
        let digest = sha256(&bytes);
        ImageParts {
            manifest: self.manifest(repo, tag.unwrap_or(&digest), manifest_type, &bytes),
            config,
            layers,
        }
    }

    /// An OCI artifact that is not an image, shaped like a Helm chart: a Helm config and one chart
    /// layer. It has no created time and no platform.
    pub fn helm_chart(&self, repo: &str, tag: &str, chart: &[u8]) -> ImageParts {
        let config = self.blob(
            repo,
            br#"{"name":"chart","version":"1.0.0","apiVersion":"v2"}"#,
            "application/vnd.cncf.helm.config.v1+json",
        );
        let layer = self.blob(
            repo,
            chart,
            "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
        );
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": descriptor(&config),
            "layers": [descriptor(&layer)],
        });
        ImageParts {
            manifest: self.manifest(repo, tag, OCI_MANIFEST, manifest.to_string().as_bytes()),
            config,
            layers: vec![layer],
        }
    }

    /// Pushes each platform image by digest, then an index (Docker manifest list or OCI index) over
    /// them tagged `tag`.
    pub fn index(
        &self,
        repo: &str,
        tag: &str,
        kind: Kind,
        images: &[Image],
    ) -> (Pushed, Vec<Pushed>) {
        let children: Vec<Pushed> = images.iter().map(|i| self.image(repo, None, i)).collect();
        let media_type = match kind {
            Kind::Docker => DOCKER_LIST,
            Kind::Oci => OCI_INDEX,
        };
        let manifests: Vec<_> = children
            .iter()
            .zip(images)
            .map(|(child, image)| {
                let mut d = descriptor(child);
                d["platform"] = json!({"os": image.os, "architecture": image.architecture});
                d
            })
            .collect();
        let index = json!({"schemaVersion": 2, "mediaType": media_type, "manifests": manifests});
        let pushed = self.manifest(repo, tag, media_type, index.to_string().as_bytes());
        (pushed, children)
    }

    /// Points another tag at an existing manifest (by re-putting its bytes).
    pub fn retag(&self, repo: &str, from: &str, to: &str) -> Pushed {
        let response = self
            .http
            .get(format!("{}/v2/{repo}/manifests/{from}", self.base))
            .header(
                "accept",
                [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_V2].join(", "),
            )
            .send()
            .expect("GET manifest");
        assert!(response.status().is_success(), "GET {repo}:{from}");
        let media_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .expect("manifest content type")
            .to_owned();
        let bytes = response.bytes().expect("manifest body");
        self.manifest(repo, to, &media_type, &bytes)
    }

    /// An OCI 1.1 artifact referring to `subject` (a signature, an SBOM) with one layer of `content`,
    /// pushed under `reference` (a tag, or by digest when None).
    pub fn artifact(
        &self,
        repo: &str,
        reference: Option<&str>,
        subject: &Pushed,
        artifact_type: &str,
        content: &[u8],
    ) -> Pushed {
        let empty = self.blob(repo, b"{}", "application/vnd.oci.empty.v1+json");
        let layer = self.blob(repo, content, "application/octet-stream");
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": descriptor(&empty),
            "layers": [descriptor(&layer)],
            "subject": descriptor(subject),
        });
        let bytes = manifest.to_string().into_bytes();
        let digest = sha256(&bytes);
        self.manifest(repo, reference.unwrap_or(&digest), OCI_MANIFEST, &bytes)
    }

    /// The referrers tag schema's index of `subject`'s referrers, tagged `sha256-<hex>`.
    pub fn referrers_index(&self, repo: &str, subject: &Pushed, referrers: &[(&Pushed, &str)]) {
        let manifests: Vec<_> = referrers
            .iter()
            .map(|(p, artifact_type)| {
                let mut d = descriptor(p);
                d["artifactType"] = json!(artifact_type);
                d
            })
            .collect();
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        let tag = subject.digest.replace(':', "-");
        self.manifest(repo, &tag, OCI_INDEX, index.to_string().as_bytes());
    }

    /// Deletes a manifest by digest (and with it every tag of this repository pointing to it).
    pub fn delete(&self, repo: &str, digest: &str) {
        let response = self
            .http
            .delete(format!("{}/v2/{repo}/manifests/{digest}", self.base))
            .send()
            .expect("DELETE manifest");
        assert_eq!(response.status().as_u16(), 202, "DELETE {repo}@{digest}");
    }

    /// `repos` repositories of `tags` tags each (`bench-NNN:1.0.N`), every tag its own OCI manifest,
    /// pushed from `threads` threads. Blobs are uploaded once and mounted into the other repositories.
    pub fn bulk(&self, prefix: &str, repos: usize, tags: usize, threads: usize) {
        let first = bulk_repository(prefix, 0);
        let layer = self.blob(&first, BULK_LAYER, OCI_LAYER);
        let config = self.blob(&first, BULK_CONFIG, OCI_CONFIG);
        // Every repository needs the blobs before any of its manifests can be pushed.
        parallel(repos, threads, |r| {
            if r > 0 {
                let repo = bulk_repository(prefix, r);
                self.mount(&repo, &first, &layer);
                self.mount(&repo, &first, &config);
            }
        });
        parallel(repos * tags, threads, |job| {
            let repo = bulk_repository(prefix, job / tags);
            let t = job % tags;
            let manifest = bulk_manifest(&repo, t, &config, &layer);
            self.manifest(&repo, &bulk_tag(t), OCI_MANIFEST, &manifest);
        });
    }

    /// Cross-repository blob mount (`POST ...?mount=DIGEST&from=REPO`).
    fn mount(&self, repo: &str, from: &str, blob: &Pushed) {
        let response = self
            .http
            .post(format!(
                "{}/v2/{repo}/blobs/uploads/?mount={}&from={from}",
                self.base, blob.digest
            ))
            .send()
            .expect("mounting a blob");
        assert_eq!(
            response.status().as_u16(),
            201,
            "mounting {} into {repo}",
            blob.digest
        );
    }
}

/// Runs `job(0..count)` on `threads` threads.
pub fn parallel(count: usize, threads: usize, job: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    job(i);
                }
            });
        }
    });
}

fn descriptor(p: &Pushed) -> serde_json::Value {
    json!({"mediaType": p.media_type, "digest": p.digest, "size": p.size})
}

/// The layer every bulk image shares.
pub const BULK_LAYER: &[u8] = b"shared bulk layer";
/// The config every bulk image shares.
pub const BULK_CONFIG: &[u8] =
    br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;

/// The name of bulk repository `r`.
pub fn bulk_repository(prefix: &str, r: usize) -> String {
    format!("{prefix}-{r:03}")
}

/// The tag of a bulk repository's image `t`.
pub fn bulk_tag(t: usize) -> String {
    format!("1.0.{t}")
}

/// A blob as it would be pushed: its digest and size.
pub fn described(bytes: &[u8], media_type: &str) -> Pushed {
    Pushed {
        digest: sha256(bytes),
        media_type: media_type.into(),
        size: bytes.len() as u64,
    }
}

/// Bulk image `t` of `repo`: its own manifest (an annotation tells it apart) over the shared blobs.
pub fn bulk_manifest(repo: &str, t: usize, config: &Pushed, layer: &Pushed) -> Vec<u8> {
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": descriptor(config),
        "layers": [descriptor(layer)],
        "annotations": {"org.example.seq": format!("{repo}/{t}")},
    });
    manifest.to_string().into_bytes()
}

/// The sample registry of the demo and of several tests:
/// - `app`: version tags in an order that plain sorting gets wrong, `latest` sharing `1.10`'s digest;
/// - `multi` (Docker manifest list) and `oci/multi` (OCI index), two platforms each;
/// - `oci/app`: OCI image manifests;
/// - `team-a/web` and `team-a/worker`;
/// - `emptied`: pushed, then its only manifest deleted, so it is in the catalog without tags.
pub fn sample(seeder: &Seeder) {
    for tag in ["1.2", "1.10", "1.9", "v1.3.9", "1.3-alpine", "dev-abc"] {
        seeder.image(
            "app",
            Some(tag),
            &Image::new(Kind::Docker, &format!("app {tag}")),
        );
    }
    seeder.retag("app", "1.10", "latest");
    let platforms = |kind, label: &str| {
        vec![
            Image::new(kind, &format!("{label} amd64")),
            Image::new(kind, &format!("{label} arm64")).platform("linux", "arm64"),
        ]
    };
    seeder.index(
        "multi",
        "1.0",
        Kind::Docker,
        &platforms(Kind::Docker, "multi 1.0"),
    );
    seeder.index(
        "oci/multi",
        "2.0",
        Kind::Oci,
        &platforms(Kind::Oci, "oci/multi 2.0"),
    );
    for tag in ["1.0", "1.1"] {
        seeder.image(
            "oci/app",
            Some(tag),
            &Image::new(Kind::Oci, &format!("oci/app {tag}")),
        );
    }
    for repo in ["team-a/web", "team-a/worker"] {
        seeder.image(
            repo,
            Some("1.0"),
            &Image::new(Kind::Oci, &format!("{repo} 1.0")),
        );
    }
    let gone = seeder.image("emptied", Some("1.0"), &Image::new(Kind::Docker, "emptied"));
    seeder.delete("emptied", &gone.digest);
}

/// dregutil's own test data (its test/data.py) as real images: repositories `a`, `b`, `c`, where `b`
/// and `c` share the digest `BC`. Returns the digests by their dregutil names: A1, A2, BC, C.
pub fn dregutil_abc(seeder: &Seeder) -> std::collections::BTreeMap<&'static str, String> {
    let image = |label: &str| Image::new(Kind::Docker, &format!("dregutil {label}"));
    let mut digests = std::collections::BTreeMap::new();
    for (repo, tags) in super::dregutil::LAYOUT {
        for (tag, name) in tags {
            let pushed = seeder.image(repo, Some(tag), &image(name));
            let previous = digests.insert(*name, pushed.digest.clone());
            assert!(
                previous.is_none_or(|d| d == pushed.digest),
                "{name} is not reproducible"
            );
        }
    }
    digests
}
