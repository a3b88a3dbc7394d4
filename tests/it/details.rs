//! Image details against a real registry: sizes with layers shared between tags and repositories,
//! an index with two platforms, a Helm-style artifact, created dates for the age filters and --keep,
//! reclaimable space, and a warm second run that makes no requests at all.

use crate::common::scripted::Scripted;
use crate::common::seed::{Image, ImageParts, Kind, Seeder};
use crate::common::{Sandbox, TestRegistry, assert_stderr_has, stderr, stdout};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

fn days_ago(days: i64) -> String {
    (Timestamp::now() - SignedDuration::from_hours(24 * days)).to_string()
}

fn image(label: &str, layers: &[&[u8]], age_days: Option<i64>) -> Image {
    let mut image = Image::new(Kind::Oci, label);
    image.layers = layers.iter().map(|l| l.to_vec()).collect();
    image.created = age_days.map(days_ago);
    image
}

struct Fixture {
    registry: TestRegistry,
    t1: ImageParts,
    t2: ImageParts,
    index: crate::common::seed::Pushed,
    chart: ImageParts,
}

/// `shared1`: t1 = [A, B], t2 = [A, C] (A shared between tags); `shared2`: t1 again (shared between
/// repositories); `multi`: an index of two platforms; `charts`: a Helm-style artifact; `aged`: images
/// built 100, 50 and 10 days ago.
fn fixture() -> Fixture {
    let registry = TestRegistry::start();
    let seeder: Seeder = registry.seeder();
    let (a, b, c) = (vec![b'a'; 1000], vec![b'b'; 2000], vec![b'c'; 3000]);
    let one = image("one", &[&a, &b], Some(5));
    let t1 = seeder.image_parts("shared1", Some("t1"), &one);
    let t2 = seeder.image_parts("shared1", Some("t2"), &image("two", &[&a, &c], Some(6)));
    let again = seeder.image_parts("shared2", Some("t1"), &one);
    assert_eq!(
        again.manifest.digest, t1.manifest.digest,
        "the same image in two repositories"
    );
    let (index, _) = seeder.index(
        "multi",
        "1.0",
        Kind::Oci,
        &[
            image("amd", &[&vec![b'x'; 400]], Some(3)),
            image("arm", &[&vec![b'y'; 600]], Some(2)).platform("linux", "arm64"),
        ],
    );
    let chart = seeder.helm_chart("charts", "0.1.0", &vec![b'h'; 700]);
    for (tag, age) in [("1.0", 100), ("1.1", 50), ("1.2", 10)] {
        seeder.image(
            "aged",
            Some(tag),
            &image(&format!("aged {tag}"), &[tag.as_bytes()], Some(age)),
        );
    }
    Fixture {
        registry,
        t1,
        t2,
        index,
        chart,
    }
}

fn json(out: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_str(&stdout(out)).unwrap()
}

#[test]
fn long_listing_shows_sizes_ages_and_platforms() {
    let f = fixture();
    let sandbox = Sandbox::new();
    let url = f.registry.url();
    let out = sandbox
        .run(&url, &["--format", "json", "list-tag-names", "--long"])
        .success();
    let rows = json(&out);
    let row = |repo: &str, tag: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["repository"] == repo && r["tag"] == tag)
            .unwrap()
            .clone()
    };
    assert_eq!(row("shared1", "t1")["size"], f.t1.size());
    assert_eq!(
        row("shared1", "t1")["platforms"],
        serde_json::json!(["linux/amd64"])
    );
    let created: Timestamp = row("shared1", "t1")["created"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let age = Timestamp::now().duration_since(created);
    assert!(
        age > SignedDuration::from_hours(24 * 5 - 1)
            && age < SignedDuration::from_hours(24 * 5 + 1)
    );
    let multi = row("multi", "1.0");
    assert_eq!(multi["digest"], f.index.digest);
    assert_eq!(
        multi["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    assert!(multi["size"].as_u64().unwrap() > 1000, "{multi}");
    let chart = row("charts", "0.1.0");
    assert_eq!(chart["size"], f.chart.size());
    assert!(
        chart.get("created").is_none() && chart.get("platforms").is_none(),
        "{chart}"
    );

    let out = sandbox
        .run(
            &url,
            &["--format", "plain", "list-tag-names", "--sort", "size"],
        )
        .success();
    let first = stdout(&out).lines().next().unwrap().to_owned();
    assert!(
        first.starts_with("shared1") && first.ends_with("t2"),
        "{first}"
    );
    let out = sandbox
        .run(
            &url,
            &["--format", "table", "list-tag-names", "aged", "--long"],
        )
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("100 days") && text.contains("linux/amd64") && text.contains(" B "),
        "{text}"
    );
}

#[test]
fn usage_counts_shared_blobs_once_on_disk() {
    let f = fixture();
    let sandbox = Sandbox::new();
    let url = f.registry.url();
    let out = sandbox
        .run(
            &url,
            &["--format", "json", "usage", "--sort", "name", "--tags"],
        )
        .success();
    let usage = json(&out);
    let repo = |name: &str| {
        usage["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    let shared1 = repo("shared1");
    assert_eq!(shared1["tags"], 2);
    assert_eq!(shared1["size"], f.t1.size() + f.t2.size());
    let disk = f.t1.manifest.size
        + f.t2.manifest.size
        + f.t1.config.size
        + f.t2.config.size
        + 1000
        + 2000
        + 3000;
    assert_eq!(shared1["disk_size"], disk, "layer A counted once");
    assert_eq!(
        repo("shared2")["disk_size"],
        f.t1.manifest.size + f.t1.config.size + 3000
    );
    assert_eq!(shared1["tag_sizes"].as_array().unwrap().len(), 2);
    let total: u64 = usage["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["disk_size"].as_u64().unwrap())
        .sum();
    let registry_disk = usage["registry_disk_size"].as_u64().unwrap();
    let shared2_disk = repo("shared2")["disk_size"].as_u64().unwrap();
    assert_eq!(
        registry_disk,
        total - shared2_disk,
        "shared2 holds only blobs shared1 has"
    );
    assert_eq!(usage["missing_details"], 0);

    let out = sandbox.run(&url, &["--format", "table", "usage"]).success();
    let text = stdout(&out);
    assert!(
        text.lines().nth(2).unwrap().contains("shared1"),
        "largest first: {text}"
    );
    assert!(text.contains("(registry, each blob once)"), "{text}");
}

#[test]
fn age_filters_keep_and_reclaimable_space() {
    let f = fixture();
    let sandbox = Sandbox::new();
    let url = f.registry.url();
    let tags = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--format", "json", "query-tags"];
        all.extend_from_slice(args);
        let rows = json(&sandbox.run(&url, &all).success());
        let mut tags: Vec<String> = rows
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                r["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
            })
            .collect();
        tags.sort();
        tags
    };
    assert_eq!(tags(&["-r", "aged", "--older-than", "30d"]), ["1.0", "1.1"]);
    assert_eq!(tags(&["-r", "aged", "--newer-than", "2w"]), ["1.2"]);
    assert_eq!(
        tags(&["-r", "aged", "--older-than", "30d", "--keep", "1"]),
        ["1.0"]
    );
    assert_eq!(tags(&["-r", "aged", "-re", ".*", "--keep", "2"]), ["1.0"]);
    assert_eq!(
        tags(&["-r", "aged", "--keep", "1", "--keep-by", "version"]),
        ["1.0", "1.1"]
    );
    assert_eq!(
        tags(&["-r", "aged", "-t", "<1.1", "--older-than", "1d"]),
        ["1.0"],
        "a conjunction"
    );

    // The chart has no created time: it never matches an age filter, and the plan says so.
    let out = sandbox
        .run(&url, &["query-tags", "-r", "charts", "--older-than", "1d"])
        .success();
    assert_eq!(stdout(&out), "");
    assert_stderr_has(&out, "1 image has no created time");

    // Deleting t2 frees its manifest, config and layer C; layer A stays with t1.
    let out = sandbox
        .run(
            &url,
            &["remove-tags", "-r", "shared1", "-t", "t2", "--dry-run"],
        )
        .success();
    let freed = f.t2.manifest.size + f.t2.config.size + 3000;
    assert!(
        stderr(&out).contains(&format!("({freed} bytes)")),
        "expected {freed}: {}",
        stderr(&out)
    );

    let out = sandbox
        .run(&url, &["query-tags", "-r", "aged", "--older-than", "soon"])
        .code(2);
    assert_stderr_has(&out, "invalid age \"soon\"");
}

#[test]
fn a_warm_cache_makes_no_detail_requests() {
    let f = fixture();
    let proxy = Scripted::proxy(&f.registry.url(), |_| None);
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox.run(&url, &["usage"]).success();
    sandbox.run(&url, &["list-tag-names", "--long"]).success();
    let cold = proxy.requests().len();
    let configs = proxy
        .requests()
        .iter()
        .filter(|r| r.target.contains("/blobs/"))
        .count();
    assert!(configs > 0, "created times come from the config blobs");
    assert!(
        !proxy
            .requests()
            .iter()
            .any(|r| r.target.contains("/charts/blobs/")),
        "the Helm config is not an image config and is not fetched"
    );
    for args in [
        &["usage"][..],
        &["list-tag-names", "--long"],
        &["query-tags", "-r", "aged", "--older-than", "30d"],
    ] {
        sandbox.run(&url, args).success();
    }
    assert_eq!(
        proxy.requests().len(),
        cold,
        "the warm runs asked the registry"
    );
}

#[test]
fn a_refresh_keeps_the_details_of_index_children() {
    let registry = TestRegistry::with_sample();
    let proxy = Scripted::proxy(&registry.url(), |_| None);
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox.run(&url, &["usage"]).success();
    sandbox
        .run(&url, &["--refresh", "list-repo-names"])
        .success();
    let before = proxy.requests().len();
    sandbox.run(&url, &["usage"]).success();
    let asked: Vec<String> = proxy.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert!(
        asked.is_empty(),
        "details read again after --refresh: {asked:?}"
    );
}

/// `--refresh` re-reads tag lists and digests, but an image whose details the cache knows is not
/// read again; the summary says how many manifests were new.
#[test]
fn a_refresh_reuses_the_details_it_knows_and_says_what_was_new() {
    let registry = TestRegistry::with_sample();
    let proxy = Scripted::proxy(&registry.url(), |_| None);
    let sandbox = Sandbox::new();
    let url = proxy.url();
    sandbox.run(&url, &["list-tag-names", "--long"]).success();
    let before = proxy.requests().len();
    let out = sandbox
        .run(&url, &["--refresh", "list-tag-names", "--long"])
        .success();
    let err = stderr(&out);
    assert!(err.contains("(0 manifests new, the details of "), "{err}");
    let reads = proxy.requests()[before..]
        .iter()
        .filter(|r| {
            r.method == "GET" && (r.target.contains("/manifests/") || r.target.contains("/blobs/"))
        })
        .count();
    assert_eq!(reads, 0, "details read again");
    // A new image is counted as new.
    registry
        .seeder()
        .image("app", Some("9.9"), &Image::new(Kind::Oci, "app 9.9"));
    let out = sandbox
        .run(&url, &["--refresh", "list-repo-names"])
        .success();
    assert!(
        stderr(&out).contains("(1 manifest new, the details of "),
        "{}",
        stderr(&out)
    );
}
