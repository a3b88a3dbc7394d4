//! The house rules, checked on the source: imports run one way (main -> commands -> serve ->
//! {settings, output, refresh, details, cache, journal, select, registry} -> {inventory, version, media_type, names}),
//! no file grows past 600 lines of code (tests aside), no function past 80 lines. DEVELOPERS.md
//! explains the rules; this test keeps them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may import (`crate::X`). `main` and `failure` (beside main, the top
/// floor) may import anything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("cli", &[]),
    (
        "commands",
        &[
            "settings",
            "output",
            "refresh",
            "details",
            "cache",
            "journal",
            "select",
            "registry",
            "serve",
            "policy",
            "inventory",
            "version",
            "media_type",
            "names",
            "files",
            "exit",
        ],
    ),
    ("policy", &["select", "inventory", "version", "names"]),
    (
        "serve",
        &[
            "output",
            "refresh",
            "details",
            "cache",
            "select",
            "registry",
            "inventory",
            "version",
            "media_type",
            "names",
        ],
    ),
    (
        "settings",
        &[
            "cli",
            "credentials",
            "output",
            "registry",
            "select",
            "version",
            "names",
            "exit",
        ],
    ),
    ("credentials", &["registry", "exit"]),
    ("refresh", &["registry", "inventory"]),
    ("details", &["registry", "inventory", "media_type", "names"]),
    ("cache", &["inventory", "files", "registry", "select"]),
    ("journal", &["files", "registry", "names"]),
    ("select", &["inventory", "version", "media_type"]),
    ("registry", &["media_type", "names"]),
    ("output", &["media_type"]),
    ("inventory", &["names"]),
    ("version", &[]),
    ("media_type", &[]),
    ("names", &[]),
    ("files", &[]),
    ("exit", &[]),
];

/// Imports allowed against the rules above, each with its reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "src/commands/generate.rs",
    "cli",
    "the maintainers' command writes completions and man pages from the clap definitions",
)];

const MAX_CODE_LINES: usize = 600;
const MAX_FUNCTION_LINES: usize = 80;

/// Functions longer than `MAX_FUNCTION_LINES` that read as one story, each with why.
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading src/").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every source file with its code (the part before its test module), test-only files left out.
fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    files
        .into_iter()
        .filter(|p| !p.ends_with("testing.rs"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("reading a source file");
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            let name = path.strip_prefix(root).unwrap().display().to_string();
            (name, code)
        })
        .collect()
}

/// The top-level module a file belongs to: `src/select/plan.rs` is in `select`.
fn module_of(file: &str) -> String {
    let rest = file.trim_start_matches("src/");
    let first = rest.split('/').next().unwrap_or(rest);
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules a file's code imports.
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

#[test]
fn imports_run_one_way() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (file, code) in sources() {
        let from = module_of(&file);
        if from == "main" || from == "failure" {
            continue;
        }
        let rules = allowed
            .get(from.as_str())
            .unwrap_or_else(|| panic!("{file}: module {from} has no rule; add it to ALLOWED"));
        for to in imports(&code) {
            let excepted = EXCEPTIONS.iter().any(|(f, t, _)| *f == file && *t == to);
            if to != from && !rules.contains(&to.as_str()) && !excepted {
                wrong.push(format!("{file} ({from}) imports crate::{to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the rules:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_rules_themselves_have_no_cycle() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    // Depth-first search for a path back to where it started.
    fn reaches(
        allowed: &BTreeMap<&str, &[&str]>,
        from: &str,
        target: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in allowed.get(from).copied().unwrap_or_default() {
            if *next == target {
                return true;
            }
            if seen.insert((*next).to_owned()) && reaches(allowed, next, target, seen) {
                return true;
            }
        }
        false
    }
    for module in allowed.keys() {
        assert!(
            !reaches(&allowed, module, module, &mut BTreeSet::new()),
            "{module} can reach itself"
        );
    }
}

#[test]
fn files_and_functions_stay_small() {
    let mut too_big = Vec::new();
    for (file, code) in sources() {
        let lines = code
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .count();
        if lines > MAX_CODE_LINES {
            too_big.push(format!("{file}: {lines} lines of code"));
        }
        for (name, length) in functions(&code) {
            let excused = LONG_FUNCTIONS
                .iter()
                .any(|(f, n, _)| *f == file && *n == name);
            if length > MAX_FUNCTION_LINES && !excused {
                too_big.push(format!("{file}: fn {name} has {length} lines"));
            }
        }
    }
    assert!(too_big.is_empty(), "too big:\n{}", too_big.join("\n"));
}

/// Each function of `code` (by the indentation of its `fn` line and of its closing brace) with its
/// length in lines.
fn functions(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let Some(at) = trimmed.find("fn ") else {
            continue;
        };
        let prefix = &trimmed[..at];
        let is_fn = prefix.split_whitespace().all(|w| {
            [
                "pub",
                "pub(crate)",
                "pub(super)",
                "async",
                "const",
                "unsafe",
            ]
            .contains(&w)
        });
        if !is_fn || trimmed.ends_with(';') {
            continue;
        }
        let name: String = trimmed[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            found.push((name, end + 2));
        }
    }
    found
}

/// One HTTP client per run: only the commands' context builds one (on the first request).
#[test]
fn only_the_context_builds_a_client() {
    let builders: Vec<String> = sources()
        .into_iter()
        .filter(|(_, code)| code.contains("Client::new("))
        .map(|(file, _)| file)
        .collect();
    assert_eq!(builders, ["src/commands/mod.rs"]);
}
