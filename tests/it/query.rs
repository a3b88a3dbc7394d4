//! query-repos and query-tags against a real registry holding dregutil's test data (a, b, c sharing
//! digests), in every output format, with dregutil's spellings.

use std::collections::BTreeMap;

use crate::common::seed::{self, DOCKER_LIST, DOCKER_V2, Image, Kind};
use crate::common::{Sandbox, TestRegistry, assert_clean_error, assert_stderr_has, stderr, stdout};
use serde_json::Value;

struct Fixture {
    registry: TestRegistry,
    digests: BTreeMap<&'static str, String>,
    sandbox: Sandbox,
}

impl Fixture {
    fn new() -> Self {
        let registry = TestRegistry::start();
        let digests = seed::dregutil_abc(&registry.seeder());
        Self {
            registry,
            digests,
            sandbox: Sandbox::new(),
        }
    }

    fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.sandbox.run(&self.registry.url(), args)
    }

    /// `REPO  DIGEST` lines, the repository padded to `width`, digests by dregutil name.
    fn lines(&self, width: usize, rows: &[(&str, &str)]) -> String {
        rows.iter()
            .map(|(repo, name)| format!("{repo:width$}  {}\n", self.digests[name]))
            .collect()
    }
}

#[test]
fn query_repos_lists_every_digest_and_refuses_shared_ones() {
    let f = Fixture::new();
    let out = f.run(&["query-repos", "-r", "a"]).success();
    assert_eq!(stdout(&out), f.lines(1, &[("a", "A1"), ("a", "A2")]));

    // BC is tagged in both b and c: it is listed, and would be removed, in each.
    let out = f.run(&["query-repos", "-r", "b", "c"]).success();
    assert_eq!(
        stdout(&out),
        f.lines(1, &[("b", "BC"), ("c", "BC"), ("c", "C")])
    );

    let out = f.run(&["query-repos", "-r", "b"]).code(7);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains(&format!(
            "digest {} is also tagged in repository outside the selection: c",
            f.digests["BC"]
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: ") && err.contains("--no-raise-intersecting-repo"),
        "{err}"
    );

    let out = f
        .run(&["--no-raise-intersecting-repo", "query-repos", "-r", "c"])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("c", "C")]));
    let out = f
        .run(&[
            "query-repos",
            "-r",
            "b",
            "--no-raise-intersecting-repo",
            "--count",
        ])
        .success();
    assert_eq!(
        stdout(&out),
        "-----------------------------\nNumber of selected digests: 0\n"
    );
}

#[test]
fn query_tags_applies_the_reverse_check() {
    let f = Fixture::new();
    let out = f
        .run(&["query-tags", "-r", "a", "-t", "<1.2.0", "latest"])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("a", "A1")]));
    // A2 is tagged 1.2.0, testing and extra: selecting 1.2.0 alone must not take it.
    let out = f
        .run(&["query-tags", "-r", "a", "-t", "<=1.2.0", "latest"])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("a", "A1")]));
    let out = f
        .run(&["query-tags", "-r", "c", "-t", ">=1.1.0", "testing"])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("c", "C")]));
    let out = f
        .run(&[
            "--count",
            "query-tags",
            "-r",
            "b",
            "c",
            "-t",
            "1.0.0",
            "latest",
        ])
        .success();
    assert_eq!(
        stdout(&out),
        f.lines(1, &[("b", "BC"), ("c", "BC")])
            + "-----------------------------\nNumber of selected digests: 2\n"
    );

    let out = f
        .run(&[
            "query-tags",
            "-r",
            "b",
            "c",
            "-t",
            "==1.0.0",
            "--raise-intersecting-tag",
        ])
        .code(7);
    let err = stderr(&out);
    assert_clean_error(&err);
    assert!(
        err.contains("also carries tag that was not selected: latest"),
        "{err}"
    );

    let out = f.run(&["query-tags", "-r", "b", "-re", ".*"]).code(7);
    assert_stderr_has(&out, "outside the selection: c");
}

#[test]
fn exclusions_and_regular_expressions_in_dregutil_spelling() {
    let f = Fixture::new();
    let out = f
        .run(&["query-tags", "-r", "a", "-re", ".*", "-x", "latest"])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("a", "A2")]));
    let out = f
        .run(&["query-tags", "-r", "b", "c", "-re", ".*", "-xre", "test"])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("b", "BC"), ("c", "BC")]));
    // Matched from the start: "atest" finds nothing, ".*atest" finds latest (whose digests carry
    // other tags, so nothing is taken without --no-match-all-tags).
    let out = f.run(&["query-tags", "-r", "a", "-re", "atest"]).success();
    assert_eq!(stdout(&out), "");
    let out = f
        .run(&[
            "query-tags",
            "-r",
            "a",
            "-re",
            ".*atest",
            "--no-match-all-tags",
        ])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("a", "A1")]));
    // --no-match-all-tags takes the digest with its other tags, but never an excluded one.
    let out = f
        .run(&[
            "query-tags",
            "-r",
            "a",
            "-t",
            "1.2.0",
            "--no-match-all-tags",
        ])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("a", "A2")]));
    let out = f
        .run(&[
            "query-tags",
            "-r",
            "a",
            "-t",
            "1.2.0",
            "--no-match-all-tags",
            "-xre",
            "ext",
        ])
        .success();
    assert_eq!(stdout(&out), "");
}

#[test]
fn json_and_table_formats() {
    let f = Fixture::new();
    let out = f
        .run(&[
            "--format",
            "json",
            "query-tags",
            "-r",
            "b",
            "c",
            "-t",
            "1.0.0",
            "latest",
        ])
        .success();
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let expected = |repo: &str| serde_json::json!({"repository": repo, "digest": f.digests["BC"], "media_type": DOCKER_V2, "tags": ["1.0.0", "latest"]});
    assert_eq!(rows, serde_json::json!([expected("b"), expected("c")]));

    let out = f
        .run(&["--format", "table", "query-repos", "-r", "a"])
        .success();
    let text = stdout(&out);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["REPOSITORY", "TAGS", "DIGEST", "TYPE"]);
    assert!(
        text.contains("1.1.0, latest") && text.contains("1.2.0, extra, testing"),
        "{text}"
    );
    assert!(
        text.contains(&f.digests["A1"][7..19]) && text.contains("Docker v2"),
        "{text}"
    );

    // The other command in the other formats.
    let out = f
        .run(&["--format", "json", "query-repos", "-r", "b", "c"])
        .success();
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let found: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["repository"].as_str().unwrap(),
                r["digest"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("b", f.digests["BC"].as_str()),
            ("c", f.digests["BC"].as_str()),
            ("c", f.digests["C"].as_str())
        ]
    );
    assert_eq!(rows[2]["tags"], serde_json::json!(["1.1.0", "testing"]));
    let out = f
        .run(&[
            "--format",
            "table",
            "--count",
            "query-tags",
            "-r",
            "c",
            "-t",
            ">=1.1.0",
            "testing",
        ])
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("1.1.0, testing") && text.contains(&f.digests["C"][7..19]),
        "{text}"
    );
    assert!(text.ends_with("Number of selected digests: 1\n"), "{text}");
    let out = f
        .run(&[
            "--format",
            "plain",
            "query-tags",
            "-r",
            "c",
            "-t",
            ">=1.1.0",
            "testing",
        ])
        .success();
    assert_eq!(stdout(&out), f.lines(1, &[("c", "C")]));
}

#[test]
fn usage_errors_quote_what_was_wrong() {
    let f = Fixture::new();
    for (args, text) in [
        (
            &["query-tags", "-r", "a"][..],
            "query-tags needs tags to select",
        ),
        (
            &["query-tags", "-r", "a", "-t"],
            "query-tags needs tags to select",
        ),
        (
            &["query-tags", "-r", "a", "-re", "1.(4"],
            "invalid regular expression \"1.(4\"",
        ),
        (
            &["query-tags", "-r", "a", "-t", "<abc"],
            "invalid version selector \"<abc\"",
        ),
        (
            &["query-tags", "-r", "a", "-t", "1.0", "-x", ">=1,"],
            "invalid version selector \">=1,\"",
        ),
        (
            &["query-tags", "-r", "nope", "-t", "1.0"],
            "repository nope not found",
        ),
        (
            &["query-repos", "-r", "Bad/Name"],
            "invalid repository name \"Bad/Name\"",
        ),
    ] {
        let out = f.run(args).code(2);
        let err = stderr(&out);
        assert_clean_error(&err);
        assert!(err.contains(text), "{args:?}: {err}");
    }
    // clap's own usage errors use the same exit code.
    f.run(&["query-repos"]).code(2);
}

#[test]
fn multi_arch_tags_select_the_index_and_cache_none_reads_everything() {
    let registry = TestRegistry::start();
    let seeder = registry.seeder();
    let images = [
        Image::new(Kind::Docker, "amd"),
        Image::new(Kind::Docker, "arm").platform("linux", "arm64"),
    ];
    let (index, _) = seeder.index("multi", "1.0", Kind::Docker, &images);
    seeder.retag("multi", "1.0", "stable");
    seeder.retag("multi", "1.0", "shared-elsewhere");
    seeder.index("other", "1.0", Kind::Docker, &images);
    let sandbox = Sandbox::new();
    let out = sandbox
        .live(
            &registry.url(),
            &["--format", "json", "query-tags", "-r", "multi", "-re", ".*"],
        )
        .code(7);
    assert_stderr_has(&out, "outside the selection: other");
    let out = sandbox
        .live(
            &registry.url(),
            &[
                "--format",
                "json",
                "query-tags",
                "-r",
                "multi",
                "other",
                "-re",
                ".*",
            ],
        )
        .success();
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    for row in rows.as_array().unwrap() {
        assert_eq!(row["digest"], index.digest);
        assert_eq!(row["media_type"], DOCKER_LIST);
    }
    assert_eq!(
        rows[0]["tags"],
        serde_json::json!(["1.0", "shared-elsewhere", "stable"])
    );
    assert!(!sandbox.default_cache(registry.port).exists());
}
