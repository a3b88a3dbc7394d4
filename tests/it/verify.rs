//! A removal is done when the registry says so: after deleting, every removed tag must no longer
//! resolve. Against the real 2.8 registry (deleting by digest drops tags), and through `ggcr_proxy`, a
//! scripted stand-in for go-containerregistry's registry (tags survive a digest DELETE), with and
//! without DELETE by tag. Also: listed tags whose manifests are missing.

use crate::common::ggcr::ggcr_proxy;
use crate::common::seed::{Image, Kind, Pushed};
use crate::common::*;

struct Pushed3 {
    a: Pushed,
    b: Pushed,
    index: Pushed,
    children: Vec<Pushed>,
}

/// app:1.0 (a), app:1.2.3 (b), app:2.0; multi:1.0 and multi:latest, an index of two platforms.
fn push(registry: &TestRegistry) -> Pushed3 {
    let seeder = registry.seeder();
    let a = seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "a"));
    let b = seeder.image("app", Some("1.2.3"), &Image::new(Kind::Oci, "b"));
    seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "c"));
    let (index, children) = seeder.index(
        "multi",
        "1.0",
        Kind::Oci,
        &[
            Image::new(Kind::Oci, "amd64"),
            Image::new(Kind::Oci, "arm64").platform("linux", "arm64"),
        ],
    );
    seeder.retag("multi", "1.0", "latest");
    Pushed3 {
        a,
        b,
        index,
        children,
    }
}

fn cache_info(sandbox: &Sandbox, url: &str) -> String {
    stdout(
        &sandbox
            .run(url, &["--format", "plain", "cache", "info"])
            .success(),
    )
}

#[test]
fn tags_that_survive_a_digest_delete_are_deleted_by_tag_and_the_finding_is_remembered() {
    let registry = TestRegistry::start();
    let p = push(&registry);
    let proxy = ggcr_proxy(&registry, true);
    let url = proxy.url();
    let sandbox = Sandbox::new();

    sandbox
        .run(
            &url,
            &["remove-tags", "-r", "app", "-t", "1.0", "1.2.3", "--yes"],
        )
        .success();
    for tag in ["1.0", "1.2.3"] {
        assert!(
            !manifest_exists(&url, "app", tag),
            "app:{tag} still resolves"
        );
    }
    assert!(
        !manifest_exists(&url, "app", &p.a.digest) && !manifest_exists(&url, "app", &p.b.digest)
    );
    assert_eq!(tag_names(&live_tags(&sandbox, &url), "app"), ["2.0"]);
    let info = cache_info(&sandbox, &url);
    assert!(
        info.contains("delete by digest drops tags: no; delete by tag: yes"),
        "{info}"
    );

    // The multi-arch image goes whole: its tags first no longer resolve, then its children go.
    sandbox
        .run(&url, &["remove-repos", "-r", "multi", "--yes"])
        .success();
    for tag in ["1.0", "latest"] {
        assert!(
            !manifest_exists(&url, "multi", tag),
            "multi:{tag} still resolves"
        );
    }
    for child in &p.children {
        assert!(!manifest_exists(&url, "multi", &child.digest));
    }
    assert!(!manifest_exists(&url, "multi", &p.index.digest));
}

#[test]
fn without_delete_by_tag_surviving_tags_fail_the_removal_and_keep_an_index_whole() {
    let registry = TestRegistry::start();
    let p = push(&registry);
    let proxy = ggcr_proxy(&registry, false);
    let url = proxy.url();
    let sandbox = Sandbox::new();

    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "json",
                "remove-tags",
                "-r",
                "multi",
                "-t",
                "1.0",
                "latest",
                "--yes",
            ],
        )
        .code(10);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(err.contains("still resolve"), "{err}");
    let report = json_documents(&stdout(&out)).pop().unwrap();
    let index_entry = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["digest"] == p.index.digest.as_str())
        .unwrap();
    assert_eq!(index_entry["status"], "failed", "{report:#}");
    // The tags still resolve, so the platform manifests were not deleted: the image still pulls.
    assert!(manifest_exists(&url, "multi", "1.0"));
    for child in &p.children {
        assert!(
            manifest_exists(&url, "multi", &child.digest),
            "a child of a still-tagged index was deleted"
        );
    }
    let info = cache_info(&sandbox, &url);
    assert!(
        info.contains("delete by digest drops tags: no; delete by tag: no"),
        "{info}"
    );

    // A plain image: the same failure, never a success.
    let out = sandbox
        .run(&url, &["remove-tags", "-r", "app", "-t", "1.0", "--yes"])
        .code(10);
    assert!(stderr(&out).contains("failed"), "{}", stderr(&out));
    assert!(manifest_exists(&url, "app", "1.0"));
}

#[test]
fn docker_registry_drops_tags_and_listed_tags_of_missing_manifests_are_left_out() {
    let registry = TestRegistry::start();
    let p = push(&registry);
    let url = registry.url();
    let sandbox = Sandbox::new();
    sandbox
        .run(&url, &["remove-tags", "-r", "app", "-t", "1.0", "--yes"])
        .success();
    assert!(!manifest_exists(&url, "app", "1.0"));
    let info = cache_info(&sandbox, &url);
    assert!(info.contains("delete by digest drops tags: yes"), "{info}");
    assert!(info.contains("referrers API: no"), "{info}");

    // dapp's tags stay listed while their manifests are gone from storage (what
    // go-containerregistry's registry shows after deletes).
    let seeder = registry.seeder();
    let one = seeder.image("dapp", Some("1"), &Image::new(Kind::Oci, "d1"));
    let two = seeder.image("dapp", Some("2"), &Image::new(Kind::Oci, "d2"));
    let revisions = registry
        .storage()
        .join("docker/registry/v2/repositories/dapp/_manifests/revisions/sha256");
    let drop_revision = |p: &Pushed| {
        let hex = p.digest.trim_start_matches("sha256:");
        std::fs::remove_dir_all(revisions.join(hex)).unwrap();
    };
    drop_revision(&one);
    let out = sandbox
        .run(&url, &["--refresh", "list-tag-names", "dapp"])
        .success();
    assert!(
        stderr(&out).contains("note: 1 tag in dapp points to a missing manifest"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), ["dapp  2"]);
    drop_revision(&two);
    let out = sandbox
        .run(&url, &["--refresh", "list-repo-names"])
        .success();
    assert!(
        stderr(&out).contains("2 tags in dapp point to missing manifests (all of them"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stdout(&out).lines().any(|l| l == "dapp"),
        "an emptied repository is not listed"
    );
    assert!(stdout(&out).lines().any(|l| l == "app"));
    let _ = p.b;
}
