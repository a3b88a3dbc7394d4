//! Image references read from files: a list (one per line), or the `image:` values of Kubernetes and
//! compose YAML. `outdated --from` and a policy's `protect.references` read them alike.
//!
//! No YAML parser is used: both formats name images in `image:` scalars, which a line pattern reads
//! (block style, quoted or not, `- image:` list items); a value that is not a plain reference
//! (`${TAG}`, a template) is reported with its line so the caller decides what that means.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use super::PolicyError;
use crate::names::ImageReference;

/// Where docker pulls an image whose name has no registry host.
pub const DOCKER_HUB: &str = "docker.io";

/// References files may hold at most this many bytes (a compose file is kilobytes).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a file names: references with their line, and the YAML values that are no plain reference.
#[derive(Debug, Default)]
pub struct References {
    pub found: Vec<(ImageReference, usize)>,
    pub skipped: Vec<(String, usize)>,
    /// Read as compose or Kubernetes YAML, where a name without a registry host (`postgres:16`)
    /// is Docker Hub's, as docker and the kubelet pull it. (A policy's protection still counts such
    /// a name as this registry's: protecting too much is the safe mistake.)
    pub yaml: bool,
}

/// `image:` values of a YAML file (`.yml`, `.yaml`, or any file with such a line), otherwise one
/// reference per line (`#` starts a comment). A bad line of a list is an error naming it. `-` reads
/// standard input.
pub fn read_references(path: &Path) -> Result<References, PolicyError> {
    let text = read_text(path)?;
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*(?:-\s*)?image:\s*["']?([^"'\s#]+)"#).expect("a valid pattern")
    });
    let yaml = path.extension().is_some_and(|e| e == "yml" || e == "yaml")
        || text.lines().any(|l| IMAGE.is_match(l));
    let mut references = References {
        yaml,
        ..References::default()
    };
    for (number, line) in text.lines().enumerate() {
        let line_number = number + 1;
        let value = if yaml {
            match IMAGE.captures(line) {
                Some(c) => c[1].to_owned(),
                None => continue,
            }
        } else {
            let line = line.split(" #").next().unwrap_or_default().trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            line.to_owned()
        };
        match ImageReference::parse(&value) {
            Some(reference) => references.found.push((reference, line_number)),
            None if yaml => references.skipped.push((value, line_number)),
            None => {
                return Err(PolicyError {
                    file: path.to_owned(),
                    line: line_number,
                    message: format!(
                        "invalid image reference {value:?} (write one REPO:TAG, HOST/REPO:TAG or \
                         REPO@DIGEST per line)"
                    ),
                });
            }
        }
    }
    Ok(references)
}

/// A file's text (at most `MAX_FILE_BYTES`), UTF-8; `-` is standard input.
pub fn read_text(path: &Path) -> Result<String, PolicyError> {
    let error = |message: String| PolicyError {
        file: PathBuf::from(path),
        line: 0,
        message,
    };
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES).read_to_end(&mut bytes))
    };
    read.map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| error(format!("{} is not UTF-8 text", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Result<References, PolicyError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        read_references(&path)
    }

    #[test]
    fn kubernetes_and_compose_yaml_name_their_images() {
        let found = read(
            "deploy.yaml",
            "spec:\n  containers:\n    - name: web\n      image: \"registry.example.com/team/web:1.4\"\n\
             \x20   - image: app@sha256:0000000000000000000000000000000000000000000000000000000000000000\n\
             services:\n  db:\n    image: db:${TAG}\n",
        )
        .unwrap();
        let names: Vec<String> = found
            .found
            .iter()
            .map(|(r, _)| format!("{}:{:?}", r.repository, r.tag))
            .collect();
        assert_eq!(names, ["team/web:Some(\"1.4\")", "app:None"]);
        assert_eq!(found.skipped, [("db:${TAG}".to_owned(), 8)]);
    }

    #[test]
    fn a_list_holds_one_reference_per_line_and_names_a_bad_one() {
        let found = read("list.txt", "# deployed\napp:1.0  # prod\n\nworker:2\n").unwrap();
        assert_eq!(found.found.len(), 2);
        let err = read("list.txt", "app:1.0\nnot a ref\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("invalid image reference"), "{err}");
    }
}
