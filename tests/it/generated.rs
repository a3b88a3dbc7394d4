//! completions/ and man/ are generated from the clap definitions and checked in; this fails when they
//! no longer match what `regsweep generate` would write.

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = assert_cmd::Command::cargo_bin("regsweep")
        .unwrap()
        .env_clear()
        .args(["generate", "--check", "--out-dir", root])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_page_and_completion_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "completions/regsweep.bash",
        "completions/_regsweep",
        "completions/regsweep.fish",
        "man/regsweep.1",
        "man/regsweep-list-repo-names.1",
        "man/regsweep-list-tag-names.1",
        "man/regsweep-cache.1",
        "man/regsweep-query-repos.1",
        "man/regsweep-query-tags.1",
        "man/regsweep-remove-repos.1",
        "man/regsweep-remove-tags.1",
        "man/regsweep-restore.1",
        "man/regsweep-journal.1",
        "man/regsweep-usage.1",
    ] {
        assert!(root.join(file).is_file(), "{file} is missing");
    }
    assert!(
        !root.join("man/regsweep-generate.1").exists(),
        "the hidden command got a page"
    );
}
