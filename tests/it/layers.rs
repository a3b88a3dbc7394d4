//! The house rules, checked on the source: imports run one way (main -> commands -> serve ->
//! {settings, output, refresh, details, cache, journal, select, registry} -> {inventory, version, media_type, names}),
//! no file grows past 600 lines (doc comments and tests included: a reader meets them all), no
//! function past 80 lines, and no file imports in a circle, even inside a room. DEVELOPERS.md
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
            "store",
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
            "store",
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
    (
        "store",
        &["cache", "inventory", "media_type", "names", "registry"],
    ),
    ("credentials", &["registry", "exit"]),
    ("refresh", &["registry", "inventory", "names"]),
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

const MAX_FILE_LINES: usize = 600;
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
        .filter(|p| !p.ends_with("testing.rs") && !p.ends_with("tests.rs"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("reading a source file");
            let code = match text.find("#[cfg(test)]\nmod tests {") {
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, code) in sources() {
        // A file as a reader meets it: its code, its doc comments and its tests.
        let whole = std::fs::read_to_string(root.join(&file)).expect("reading a source file");
        let lines = whole.lines().count();
        if lines > MAX_FILE_LINES {
            too_big.push(format!("{file}: {lines} lines"));
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
        // A declaration without a body (a trait's) ends in `;` before any `{`.
        let declared = lines[i..]
            .iter()
            .map(|l| l.trim_end())
            .find(|l| l.ends_with(';') || l.contains('{'))
            .is_some_and(|l| l.ends_with(';') && !l.contains('{'));
        if !is_fn || declared {
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

/// A file's module path: `src/commands/remove/delete.rs` is `commands::remove::delete`,
/// `src/commands/remove/mod.rs` is `commands::remove`, `src/main.rs` the crate root.
fn module_path(file: &str) -> Vec<String> {
    let rest = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = rest.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "main") {
        parts.pop();
    }
    parts
}

/// The module paths a file's code names: `crate::a::b`, `super::x` (as often as written),
/// `self::x`, and its own child modules (`mod x;` then `x::`). Each is cut to the longest prefix that
/// is a file of the crate.
fn file_references(file: &str, code: &str, files: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let here = module_path(file);
    // The module `super` names: the one above this file's (for `x.rs` its directory's module, for
    // `dir/mod.rs` the one above `dir`).
    let parent = here[..here.len().saturating_sub(1)].to_vec();
    let children: Vec<String> = code
        .lines()
        .filter_map(|l| {
            let l = l
                .trim()
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect();
    let words = |at: usize| -> Vec<String> {
        code[at..]
            .split("::")
            .take(4)
            .map(|w| {
                w.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|w| !w.is_empty())
            .collect()
    };
    let mut found = BTreeSet::new();
    let mut add = |mut path: Vec<String>| {
        while !path.is_empty() && !files.contains(&path) {
            path.pop();
        }
        if !path.is_empty() && path != here {
            found.insert(path);
        }
    };
    let starts_word = |at: usize| {
        at == 0 || !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
    };
    for (at, _) in code.match_indices("crate::") {
        add(words(at)[1..].to_vec());
    }
    for (at, _) in code
        .match_indices("super::")
        .filter(|(at, _)| starts_word(*at))
    {
        let mut rest = words(at);
        let mut base = parent.clone();
        rest.remove(0);
        while rest.first().is_some_and(|w| w == "super") {
            rest.remove(0);
            base.pop();
        }
        base.extend(rest);
        add(base);
    }
    for child in &children {
        for (at, _) in code
            .match_indices(&format!("{child}::"))
            .filter(|(at, _)| starts_word(*at))
        {
            let mut path = here.clone();
            path.extend(words(at));
            add(path);
        }
    }
    found
}

/// No import circles, even inside a room: among the files of the crate, who uses whom has no
/// cycle. A file may use what the rooms around it define in their `mod.rs` (a room's front door:
/// the types its files share); every other use runs one way.
#[test]
fn no_file_imports_in_a_circle() {
    let sources = sources();
    let files: BTreeSet<Vec<String>> = sources.iter().map(|(f, _)| module_path(f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (file, code) in &sources {
        let from = module_path(file);
        for to in file_references(file, code, &files) {
            let front_door = from.starts_with(&to);
            if !front_door {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    let mut circles = Vec::new();
    for start in edges.keys() {
        // A path back to `start`, by depth-first search.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> = path.iter().map(|p| p.join("::")).collect();
                    circles.push(names.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    circles.sort();
    circles.dedup();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}
