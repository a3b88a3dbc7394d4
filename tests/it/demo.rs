//! `scripts/demo`, the first thing a newcomer runs: with the build elsewhere (`CARGO_TARGET_DIR`),
//! and with `--keep`, which leaves the sample registry running and says how to use and stop it.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::common::{Sandbox, eventually, signal};

/// The directory cargo built this test into (`.../debug/deps/it-HASH` → `...`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

#[test]
fn the_demo_finds_its_build_under_cargo_target_dir_and_keep_leaves_a_registry_to_try() {
    // The build this test runs from, under another name: the demo must ask cargo where it is.
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("build");
    std::os::unix::fs::symlink(target_dir(), &link).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(format!("{root}/scripts/demo"))
        .arg("--keep")
        .env("CARGO_TARGET_DIR", &link)
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for shown in [
        "$ regsweep query-tags -r app -t '<1.4' 1.10",
        "$ regsweep remove-tags -r app -t '<1.4' -x v1.3.9 --yes",
        "$ regsweep restore",
        "$ regsweep policy plan",
    ] {
        assert!(stdout.contains(shown), "{shown} missing:\n{stdout}");
    }
    // The binaries it ran are the ones cargo built under CARGO_TARGET_DIR.
    let path_line = format!("export PATH=\"{}/debug:$PATH\"", link.display());
    assert!(stdout.contains(&path_line), "no {path_line}:\n{stdout}");
    // The lines to paste: where the registry is, and how to stop it.
    let export = stdout
        .lines()
        .find(|l| l.starts_with("export REGISTRY=http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no export line:\n{stdout}"));
    let url = export["export REGISTRY=".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let stop = stdout
        .lines()
        .find(|l| l.starts_with("kill "))
        .unwrap_or_else(|| panic!("no way to stop it:\n{stdout}"));
    let pid: u32 = stop["kill ".len()..]
        .split(';')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let data = stop.rsplit("rm -rf ").next().unwrap().trim().to_owned();
    assert!(data.starts_with("/tmp/") && !data.contains(' '), "{stop}");
    // The registry outlived the script, with the sample images.
    let sandbox = Sandbox::new();
    let listed = sandbox.run(&url, &["list-repo-names"]).success();
    let names = String::from_utf8_lossy(&listed.get_output().stdout).to_string();
    signal(pid, "TERM");
    let _ = std::fs::remove_dir_all(&data);
    assert!(names.lines().any(|l| l == "app"), "{names}");
    let gone = || std::net::TcpStream::connect(url.trim_start_matches("http://")).is_err();
    assert!(
        eventually(Duration::from_secs(10), gone),
        "the registry still answers after its kill line"
    );
}
