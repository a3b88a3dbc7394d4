//! A registry that carries out deletes later (Pulp: 202, then a background task), played by the
//! stand-in of `common/pulp.rs` in front of the real Distribution registry. A removal waits for the
//! registry to settle before it judges what happened, learns nothing from an unsettled read, and a
//! restore is done only when the images pull.

use std::time::Duration;

use serde_json::Value;

use crate::common::pulp::pulp_proxy;
use crate::common::seed::{Image, Kind};
use crate::common::{
    Sandbox, TestRegistry, drain, eventually, exit_code, journal_statuses, live_tags,
    manifest_exists, signal, stderr, stdout,
};

fn platforms(label: &str) -> [Image; 2] {
    [
        Image::new(Kind::Oci, &format!("{label} amd64")),
        Image::new(Kind::Oci, &format!("{label} arm64")).platform("linux", "arm64"),
    ]
}

#[test]
fn a_removal_waits_for_a_registry_that_deletes_later_and_learns_nothing_wrong() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let (index, children) = seeder.index("multi", "1.0", Kind::Oci, &platforms("multi"));
    seeder.image("app", Some("1.0"), &Image::new(Kind::Oci, "app 1.0"));
    seeder.image("app", Some("2.0"), &Image::new(Kind::Oci, "app 2.0"));
    let pulp = pulp_proxy(&registry, Duration::from_millis(1500));
    let sandbox = Sandbox::new();
    let url = pulp.url();

    let out = sandbox
        .run(&url, &["remove-tags", "-r", "multi", "-t", "1.0", "--yes"])
        .success();
    // The index's DELETE was accepted and carried out later; its children went with it.
    assert!(
        stdout(&out).contains("multi: 1 deleted, 2 already gone"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        journal_statuses(&sandbox),
        ["deleted", "already_gone", "already_gone"]
    );
    pulp.settle();
    for digest in std::iter::once(&index.digest).chain(children.iter().map(|c| &c.digest)) {
        assert!(
            !manifest_exists(&registry.url(), "multi", digest),
            "{digest}"
        );
    }
    // What was learned is what settled reads showed: deletes come later; nothing about tags.
    let out = sandbox
        .run(&url, &["--format", "json", "cache", "info"])
        .success();
    let info: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["capabilities"]["deletes_later"], true, "{info:#}");
    assert!(
        info["capabilities"].get("delete_drops_tags").is_none()
            && info["capabilities"].get("delete_by_tag").is_none(),
        "{info:#}"
    );

    // So the next removal does not fail at once on a wrong description of the registry.
    sandbox
        .run(&url, &["remove-tags", "-r", "app", "-t", "1.0", "--yes"])
        .success();
    pulp.settle();
    assert_eq!(
        live_tags(&sandbox, &registry.url())["app"]
            .keys()
            .collect::<Vec<_>>(),
        ["2.0"]
    );
}

#[test]
fn a_multi_arch_restore_is_done_when_the_image_pulls() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let (index, children) = seeder.index("multi", "1.0", Kind::Oci, &platforms("multi"));
    let pulp = pulp_proxy(&registry, Duration::from_secs(3));
    let sandbox = Sandbox::new();
    let url = pulp.url();
    sandbox.run(&url, &["list-repo-names"]).success();

    // The operator leaves a removal while Pulp has yet to carry out the index's DELETE.
    let mut child = sandbox.spawn(&[
        "-reg",
        &url,
        "remove-tags",
        "-r",
        "multi",
        "-t",
        "1.0",
        "--yes",
    ]);
    let deleting = || pulp.proxy.requests().iter().any(|r| r.method == "DELETE");
    assert!(
        eventually(Duration::from_secs(20), deleting),
        "no DELETE reached the registry"
    );
    std::thread::sleep(Duration::from_millis(300));
    let err = drain(child.stderr.take().unwrap());
    for _ in 0..2 {
        signal(child.id(), "INT");
        std::thread::sleep(Duration::from_millis(200));
    }
    let code = exit_code(&mut child, Duration::from_secs(20));
    assert_eq!(code, Some(130), "{}", err.join().unwrap());

    // Restore finds everything still there, then Pulp's task removes it: restore watches, puts it
    // back, and ends when the image pulls.
    let out = sandbox.run(&url, &["restore"]).success();
    assert!(
        stderr(&out).contains("the registry carries out deletes later"),
        "{}",
        stderr(&out)
    );
    pulp.settle();
    assert!(
        !pulp.removed.lock().unwrap().is_empty(),
        "the background task never ran: the test proves nothing"
    );
    assert!(manifest_exists(&registry.url(), "multi", &index.digest));
    for c in &children {
        assert!(
            manifest_exists(&registry.url(), "multi", &c.digest),
            "{}",
            c.digest
        );
    }
    assert_eq!(
        live_tags(&sandbox, &registry.url())["multi"]["1.0"],
        index.digest
    );
    assert!(
        stdout(&out).contains("multi: 3 restored, 0 still there, 0 failed"),
        "{}",
        stdout(&out)
    );
}
