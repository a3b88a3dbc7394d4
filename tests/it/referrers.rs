//! Signatures, SBOMs and attestations with their image; untag without deleting; untagged manifests.
//! Against the real registry (Docker's 2.8: no referrers API, no DELETE by tag, so the tag schema and
//! the throwaway-manifest untag), and the same scenarios through `oci11_proxy`, a scripted stand-in
//! for a registry that has both.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::oci11::oci11_proxy;
use crate::common::seed::{Image, Kind, Pushed};
use crate::common::*;

const SIG: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
const SBOM: &str = "application/spdx+json";

fn cosign_tag(subject: &Pushed, suffix: &str) -> String {
    format!("{}{suffix}", subject.digest.replace(':', "-"))
}

/// app:1.0 (A) with a cosign signature tag, an SBOM listed by the referrers tag schema, and that
/// SBOM's own signature; app:2.0 (B) with a cosign signature; app:multi, an index whose amd64 child
/// is signed.
struct Signed {
    a: Pushed,
    b: Pushed,
    sbom: Pushed,
    sbom_sig: Pushed,
    a_sig: Pushed,
    b_sig: Pushed,
    child: Pushed,
    child_sig: Pushed,
}

fn push_signed(registry: &TestRegistry) -> Signed {
    let seeder = registry.seeder();
    let a = seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "a"));
    let b = seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "b"));
    let a_sig = seeder.artifact("app", Some(&cosign_tag(&a, ".sig")), &a, SIG, b"sig of a");
    let b_sig = seeder.artifact("app", Some(&cosign_tag(&b, ".sig")), &b, SIG, b"sig of b");
    let sbom = seeder.artifact("app", None, &a, SBOM, b"sbom of a");
    let sbom_sig = seeder.artifact("app", None, &sbom, SIG, b"sig of the sbom");
    seeder.referrers_index("app", &a, &[(&sbom, SBOM)]);
    seeder.referrers_index("app", &sbom, &[(&sbom_sig, SIG)]);
    let (_, children) = seeder.index(
        "app",
        "multi",
        Kind::Oci,
        &[
            Image::new(Kind::Oci, "amd64"),
            Image::new(Kind::Oci, "arm64").platform("linux", "arm64"),
        ],
    );
    let child = children[0].clone();
    let child_sig = seeder.artifact("app", Some(&cosign_tag(&child, ".sig")), &child, SIG, b"c");
    Signed {
        a,
        b,
        sbom,
        sbom_sig,
        a_sig,
        b_sig,
        child,
        child_sig,
    }
}

fn json(out: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn signatures_and_sboms_are_shown_under_their_image_and_go_and_come_back_with_it() {
    let registry = TestRegistry::start();
    let s = push_signed(&registry);
    let url = registry.url();
    let sandbox = Sandbox::new();

    // Listings: attachment tags are not images; --all-tags shows them.
    let out = sandbox.run(&url, &["list-tag-names", "app"]).success();
    assert_eq!(stdout(&out), "app  1.0\napp  2.0\napp  multi\n");
    let out = sandbox
        .run(&url, &["list-tag-names", "app", "--all-tags"])
        .success();
    assert!(
        stdout(&out).contains(&cosign_tag(&s.a, ".sig")),
        "{}",
        stdout(&out)
    );
    let out = sandbox
        .run(
            &url,
            &["--format", "json", "list-tag-names", "app", "--long"],
        )
        .success();
    let rows = json(&out);
    let one = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tag"] == "1.0")
        .unwrap();
    assert_eq!(
        one["attachments"],
        serde_json::json!(["referrers index", "signature", "sbom"]),
        "{one}"
    );
    let out = sandbox
        .run(&url, &["--format", "json", "usage", "app"])
        .success();
    let usage = json(&out);
    assert_eq!(usage["repositories"][0]["tags"], 3, "{usage}");
    assert_eq!(usage["repositories"][0]["attachments"], 7, "{usage}");

    // Removing 1.0 takes its signature, SBOM, the SBOM's signature and both referrers indexes.
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "table",
                "remove-tags",
                "-r",
                "app",
                "-t",
                "1.0",
                "--dry-run",
            ],
        )
        .success();
    assert_stderr_has(
        &out,
        "6 manifests (4 tags) from 1 repository, 5 of them attachments",
    );
    assert!(stdout(&out).contains("└ sbom"), "{}", stdout(&out));
    sandbox
        .run(&url, &["remove-tags", "-r", "app", "-t", "1.0", "--yes"])
        .success();
    for gone in [&s.a, &s.a_sig, &s.sbom, &s.sbom_sig] {
        assert!(
            !manifest_exists(&url, "app", &gone.digest),
            "{}",
            gone.digest
        );
    }
    let tags = live_tags(&sandbox, &url);
    let expected: Vec<String> = {
        let mut t = vec![
            "2.0".to_owned(),
            cosign_tag(&s.b, ".sig"),
            "multi".to_owned(),
            cosign_tag(&s.child, ".sig"),
        ];
        t.sort();
        t
    };
    assert_eq!(
        tag_names(&tags, "app"),
        expected,
        "a kept image keeps its attachments"
    );
    assert!(manifest_exists(&url, "app", &s.b_sig.digest));

    // Restore puts the image back first, then its attachments, tags and all.
    sandbox.run(&url, &["restore"]).success();
    for back in [&s.a, &s.a_sig, &s.sbom, &s.sbom_sig] {
        assert!(
            manifest_exists(&url, "app", &back.digest),
            "{}",
            back.digest
        );
    }
    let tags = live_tags(&sandbox, &url);
    assert_eq!(tags["app"][&cosign_tag(&s.a, ".sig")], s.a_sig.digest);
    assert_eq!(tags["app"][&cosign_tag(&s.sbom, "")].len(), 71);

    // An index takes the signatures of its children along.
    let out = sandbox
        .run(
            &url,
            &[
                "--format",
                "json",
                "remove-tags",
                "-r",
                "app",
                "-t",
                "multi",
                "--dry-run",
            ],
        )
        .success();
    let plan = json(&out);
    assert_eq!(
        plan["attachments"][0]["digest"], s.child_sig.digest,
        "{plan}"
    );
    assert_eq!(plan["attachments"][0]["subject"], s.child.digest);

    // --keep-referrers leaves them; then they are orphans, and --orphaned-referrers removes them.
    sandbox
        .run(
            &url,
            &[
                "remove-tags",
                "-r",
                "app",
                "-t",
                "multi",
                "--keep-referrers",
                "--yes",
            ],
        )
        .success();
    assert!(!manifest_exists(&url, "app", &s.child.digest));
    assert!(manifest_exists(&url, "app", &s.child_sig.digest));
    let out = sandbox
        .run(&url, &["query-repos", "-r", "app", "--orphaned-referrers"])
        .success();
    let cache = std::fs::read_to_string(sandbox.default_cache(registry.port)).unwrap();
    assert_eq!(
        stdout(&out),
        format!("app  {}\n", s.child_sig.digest),
        "{cache}"
    );
    sandbox
        .run(
            &url,
            &["remove-repos", "-r", "app", "--orphaned-referrers", "--yes"],
        )
        .success();
    assert!(!manifest_exists(&url, "app", &s.child_sig.digest));
    assert!(
        manifest_exists(&url, "app", &s.a_sig.digest),
        "not an orphan"
    );
    let out = sandbox
        .run(
            &url,
            &[
                "query-repos",
                "-r",
                "app",
                "--orphaned-referrers",
                "--older-than",
                "1d",
            ],
        )
        .failure();
    assert_clean_error(&stderr(&out));
}

/// The tags of `repo` and where they point, read live.
fn tags_of(sandbox: &Sandbox, url: &str, repo: &str) -> BTreeMap<String, String> {
    live_tags(sandbox, url).remove(repo).unwrap_or_default()
}

fn untag_round_trip(url: &str, method: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    let before = tags_of(&sandbox, url, "app");
    let out = sandbox
        .run(
            url,
            &[
                "remove-tags",
                "-r",
                "app",
                "-t",
                "1.0",
                "--untag-only",
                "--yes",
            ],
        )
        .success();
    assert_stderr_has(
        &out,
        "1 tag untagged in 1 repository; no manifest is deleted",
    );
    let after = tags_of(&sandbox, url, "app");
    let mut expected = before.clone();
    expected.remove("1.0");
    assert_eq!(after, expected, "only 1.0 went");
    assert!(
        manifest_exists(url, "app", &before["1.0"]),
        "the image stays"
    );
    let journal: Value =
        serde_json::from_slice(&std::fs::read(&journals(&sandbox)[0]).unwrap()).unwrap();
    assert_eq!(journal["entries"][0]["untag"], method);
    sandbox.run(url, &["restore"]).success();
    assert_eq!(
        tags_of(&sandbox, url, "app"),
        before,
        "restore re-points the tag"
    );
    sandbox
}

fn push_shared_tags(registry: &TestRegistry) {
    let seeder = registry.seeder();
    seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "shared"));
    seeder.retag("app", "1.0", "stable");
    seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "other"));
}

#[test]
fn untag_on_distribution_2_8_moves_the_tag_onto_a_throwaway_manifest() {
    let registry = TestRegistry::start();
    push_shared_tags(&registry);
    let url = registry.url();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(
            &url,
            &[
                "remove-tags",
                "-r",
                "app",
                "-t",
                "1.0",
                "--untag-only",
                "--dry-run",
            ],
        )
        .success();
    assert!(stdout(&out).contains("untag"), "{}", stdout(&out));
    untag_round_trip(&url, "placeholder");
    // No throwaway manifest or probe tag is left behind.
    let tags = tags_of(&sandbox, &url, "app");
    assert!(
        tags.keys().all(|t| !t.starts_with("regsweep-probe")),
        "{tags:?}"
    );

    // --untag-partial: a digest whose every tag is selected is deleted; a shared one only untagged.
    let seeder = registry.seeder();
    let pr1 = seeder.image("app", Some("pr-1"), &Image::new(Kind::Oci, "pr1"));
    seeder.retag("app", "pr-1", "keep");
    let pr2 = seeder.image("app", Some("pr-2"), &Image::new(Kind::Oci, "pr2"));
    sandbox
        .run(
            &url,
            &[
                "--refresh",
                "remove-tags",
                "-r",
                "app",
                "--regex",
                "pr-.*",
                "--untag-partial",
                "--yes",
            ],
        )
        .success();
    let tags = tags_of(&sandbox, &url, "app");
    assert_eq!(tags.get("keep"), Some(&pr1.digest));
    assert!(
        !tags.contains_key("pr-1") && !tags.contains_key("pr-2"),
        "{tags:?}"
    );
    assert!(manifest_exists(&url, "app", &pr1.digest));
    assert!(!manifest_exists(&url, "app", &pr2.digest));
}

#[test]
fn with_delete_by_tag_and_the_referrers_api_both_are_used() {
    let registry = TestRegistry::start();
    push_shared_tags(&registry);
    let proxy = oci11_proxy(&registry);
    untag_round_trip(&proxy.url(), "delete_by_tag");
    let deletes_by_tag = proxy
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.target.contains("/manifests/1.0"))
        .count();
    assert_eq!(
        deletes_by_tag, 1,
        "one DELETE of the tag, no throwaway manifest"
    );

    // An SBOM pushed by digest alone is found only through the referrers API, and goes with its
    // image.
    let seeder = registry.seeder();
    let image = seeder.image("api", Some("1.0"), &Image::new(Kind::Oci, "api"));
    let sbom = seeder.artifact("api", None, &image, SBOM, b"sbom");
    let url = proxy.url();
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(
            &url,
            &["--format", "json", "list-tag-names", "api", "--long"],
        )
        .success();
    assert_eq!(json(&out)[0]["attachments"], serde_json::json!(["sbom"]));
    sandbox
        .run(&url, &["remove-tags", "-r", "api", "-t", "1.0", "--yes"])
        .success();
    assert!(!manifest_exists(&registry.url(), "api", &sbom.digest));
    sandbox.run(&url, &["restore"]).success();
    assert!(manifest_exists(&registry.url(), "api", &sbom.digest));
}

#[test]
fn an_overwritten_tag_leaves_an_untagged_manifest_that_remove_untagged_deletes() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let old = seeder.image("app", Some("latest"), &Image::new(Kind::Oci, "old"));
    let gone = seeder.image("app", Some("nightly"), &Image::new(Kind::Oci, "gone"));
    seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "kept"));
    let url = registry.url();
    let sandbox = Sandbox::new();
    sandbox.run(&url, &["list-tag-names"]).success();
    let new = seeder.image("app", Some("latest"), &Image::new(Kind::Oci, "new"));
    seeder.image(
        "app",
        Some("nightly"),
        &Image::new(Kind::Oci, "new nightly"),
    );
    sandbox
        .run(&url, &["--refresh", "list-tag-names"])
        .success();
    // Someone else deletes the old nightly meanwhile: it is forgotten, with a note.
    seeder.delete("app", &gone.digest);

    let out = sandbox.run(&url, &["query-untagged"]).success();
    assert_eq!(stdout(&out), format!("app  {}\n", old.digest));
    assert_stderr_has(&out, "no longer stored");
    let out = sandbox
        .run(&url, &["--format", "json", "usage", "app"])
        .success();
    let usage = json(&out);
    assert_eq!(usage["repositories"][0]["untagged"], 1, "{usage}");
    assert!(
        usage["repositories"][0]["untagged_disk_size"]
            .as_u64()
            .unwrap()
            > 0
    );
    let out = sandbox
        .run(&url, &["remove-untagged", "--older-than", "1d", "--yes"])
        .success();
    assert_stderr_has(&out, "nothing to delete");
    // A dry run says why: the one candidate is too young.
    let out = sandbox
        .run(
            &url,
            &["remove-untagged", "--older-than", "1d", "--dry-run"],
        )
        .success();
    assert_stderr_has(
        &out,
        "1 untagged manifest left out: it lost its tags more recently than --older-than",
    );
    sandbox
        .run(&url, &["remove-untagged", "-r", "app", "--yes"])
        .success();
    assert!(!manifest_exists(&url, "app", &old.digest));
    assert_eq!(tags_of(&sandbox, &url, "app")["latest"], new.digest);
    let out = sandbox.run(&url, &["query-untagged"]).success();
    assert_eq!(stdout(&out), "");
    // Restore brings it back by digest, untagged again.
    sandbox.run(&url, &["restore"]).success();
    assert!(manifest_exists(&url, "app", &old.digest));
    let out = sandbox
        .run(&url, &["query-untagged", "-r", "app"])
        .success();
    assert_eq!(stdout(&out), format!("app  {}\n", old.digest));
}

#[test]
fn the_service_lists_attachments_under_their_image() {
    let registry = TestRegistry::start();
    let s = push_signed(&registry);
    let sandbox = Sandbox::new();
    let service = crate::common::service::Service::start(&sandbox, &registry.url(), &["--no-auth"]);
    let tags: Value = serde_json::from_str(
        &service
            .get("/images/app/tags?embed=true")
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let text = tags.to_string();
    assert!(!text.contains(&cosign_tag(&s.a, ".sig")), "{text}");
    let one = service.get("/images/app/tags/1.0").send().unwrap();
    let one: Value = serde_json::from_str(&one.text().unwrap()).unwrap();
    assert_eq!(
        one["attachments"],
        serde_json::json!(["referrers index", "signature", "sbom"]),
        "{one}"
    );
}
