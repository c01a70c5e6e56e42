//! `cargo xtask tidy`: source rules that review should not have to catch.
//!
//! The rules (each failure prints `path:line: rule`):
//! 1. every `.rs` file under `crates/` and `src/` starts with a `//!` line;
//! 2. no [`BANNED`] API in library code (`crates/*/src/`, `src/`): no `HashMap`,
//!    `HashSet`, `RandomState`, `Instant::now`, `SystemTime::now`, `thread_rng`;
//!    no thread creation (`thread::spawn`, `thread::scope`, `thread::Builder`)
//!    outside exploration (a file named `explore.rs`, or anything under
//!    `crates/sim-core/src/explore/`). Exempt: comment lines, the top-level
//!    `#[cfg(test)] mod … { … }` block of a file and files named `tests.rs`,
//!    and any line carrying `// tidy: allow <reason>` (the reason is required);
//! 3. crates depend only downward ([`LAYERS`]): sim-core on no other sim crate,
//!    sim-erpc not on sim-rpc or sim-partition, sim-partition not on sim-erpc or
//!    sim-rpc, sim-rpc not on sim-partition, sim-history and sim-server on
//!    sim-core only, and none on the facade;
//! 4. `CHANGELOG.md` has an `## [Unreleased]` section;
//! 5. the top-level docs ([`REQUIRED_FILES`]) exist;
//! 6. inside every crate the modules import each other one way: no cycle among the
//!    children of any module ([`modgraph`]), so `cx` may use `world`
//!    but never the reverse.
//!
//! `#[test] fn tidy()` runs the whole pass, so `cargo test --workspace` (the CI test step)
//! enforces it; a plain `cargo test` in the root package builds only the facade.

use std::fs;
use std::path::{Path, PathBuf};

use crate::{modgraph, project_root};

/// Banned substrings in library code, each with the reason.
const BANNED: &[(&str, &str)] = &[
    (
        "HashMap",
        "iteration order is random per process: use IndexMap or BTreeMap",
    ),
    (
        "HashSet",
        "iteration order is random per process: use IndexSet or BTreeSet",
    ),
    ("RandomState", "OS-seeded hashing: use a fixed hasher"),
    (
        "Instant::now",
        "reads the wall clock: use the simulation's virtual time",
    ),
    (
        "SystemTime::now",
        "reads the wall clock: use the simulation's virtual time",
    ),
    (
        "thread_rng",
        "OS-seeded randomness: draw from the simulation's SimRng",
    ),
];

/// Thread creation, allowed only where exploration runs independent simulations.
const THREADS: &[&str] = &["thread::spawn", "thread::scope", "thread::Builder"];

/// Per crate manifest, the workspace crates it must not depend on (in any table).
const LAYERS: &[(&str, &[&str])] = &[
    (
        "crates/sim-core/Cargo.toml",
        &[
            "sim-erpc",
            "sim-rpc",
            "sim-partition",
            "sim-history",
            "sim-server",
            "erpc-sim",
        ],
    ),
    (
        "crates/sim-erpc/Cargo.toml",
        &["sim-rpc", "sim-partition", "erpc-sim"],
    ),
    ("crates/sim-rpc/Cargo.toml", &["sim-partition", "erpc-sim"]),
    (
        "crates/sim-partition/Cargo.toml",
        &["sim-erpc", "sim-rpc", "erpc-sim"],
    ),
    (
        "crates/sim-history/Cargo.toml",
        &[
            "sim-erpc",
            "sim-rpc",
            "sim-partition",
            "sim-server",
            "erpc-sim",
        ],
    ),
    (
        "crates/sim-server/Cargo.toml",
        &[
            "sim-erpc",
            "sim-rpc",
            "sim-partition",
            "sim-history",
            "erpc-sim",
        ],
    ),
];

/// Files that must exist at the workspace root.
const REQUIRED_FILES: &[&str] = &[
    "README.md",
    "ARCHITECTURE.md",
    "CHANGELOG.md",
    "docs/semantics.md",
];

const ALLOW_MARKER: &str = "// tidy: allow";

/// Runs every rule and prints each violation.
pub(crate) fn run() -> Result<(), String> {
    let problems = check(&project_root());
    for problem in &problems {
        eprintln!("{problem}");
    }
    if problems.is_empty() {
        println!("tidy: ok");
        Ok(())
    } else {
        Err(format!("{} problem(s)", problems.len()))
    }
}

/// All violations under `root`, as `path:line: message` lines, in path order.
fn check(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for dir in ["crates", "src"] {
        for file in rust_files(&root.join(dir)) {
            let rel = relative(root, &file);
            match fs::read_to_string(&file) {
                Ok(text) => check_source(&rel, &text, &mut problems),
                Err(e) => problems.push(format!("{rel}: unreadable: {e}")),
            }
        }
    }
    for (manifest, forbidden) in LAYERS {
        match fs::read_to_string(root.join(manifest)) {
            Ok(text) => check_layers(manifest, &text, forbidden, &mut problems),
            Err(e) => problems.push(format!("{manifest}: unreadable: {e}")),
        }
    }
    for file in REQUIRED_FILES {
        if !root.join(file).is_file() {
            problems.push(format!("{file}: missing"));
        }
    }
    for src in crate_sources(root) {
        let rel = relative(root, &src);
        match modgraph::cycles_in(&src) {
            Ok(cycles) => problems.extend(
                cycles
                    .into_iter()
                    .map(|c| format!("{rel}: module cycle in {c}; keep the data flow one way")),
            ),
            Err(e) => problems.push(format!("{rel}: {e}")),
        }
    }
    if let Ok(text) = fs::read_to_string(root.join("CHANGELOG.md")) {
        if !text.lines().any(|l| l.trim_end() == "## [Unreleased]") {
            problems.push("CHANGELOG.md: no `## [Unreleased]` section".to_owned());
        }
    }
    problems
}

/// The `src/` directory of every crate under `crates/` and of the facade, sorted.
fn crate_sources(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("crates"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.push(root.join("src"));
    dirs
}

/// Every `.rs` file below `dir`, sorted, skipping `target` directories.
pub(crate) fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `path` relative to `root`, with `/` separators.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// Rules 1 and 2 for one file; `rel` is its path from the workspace root.
fn check_source(rel: &str, text: &str, problems: &mut Vec<String>) {
    if !text.starts_with("//!") {
        problems.push(format!("{rel}:1: file must start with a `//!` doc comment"));
    }
    let library = rel.starts_with("src/") || is_crate_src(rel);
    if !library || rel.ends_with("/tests.rs") {
        return;
    }
    let threads_allowed =
        rel.ends_with("/explore.rs") || rel.starts_with("crates/sim-core/src/explore/");
    let mut test_module = TestModule::Outside;
    for (i, line) in text.lines().enumerate() {
        if test_module.step(line) {
            continue;
        }
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        if let Some(pos) = line.find(ALLOW_MARKER) {
            let reason = line[pos + ALLOW_MARKER.len()..]
                .trim_start_matches([':', '(', '-', ' '])
                .trim_end_matches([')', ' ']);
            if reason.is_empty() {
                problems.push(format!("{rel}:{}: `{ALLOW_MARKER}` needs a reason", i + 1));
            }
            continue;
        }
        for (pattern, reason) in BANNED {
            if line.contains(pattern) {
                problems.push(format!("{rel}:{}: `{pattern}`: {reason}", i + 1));
            }
        }
        if !threads_allowed {
            for pattern in THREADS {
                if line.contains(pattern) {
                    problems.push(format!(
                        "{rel}:{}: `{pattern}`: a simulation is single-threaded; \
                         threads belong to exploration (explore.rs)",
                        i + 1
                    ));
                }
            }
        }
    }
}

/// `crates/<name>/src/...`
fn is_crate_src(rel: &str) -> bool {
    let mut parts = rel.split('/');
    parts.next() == Some("crates") && parts.next().is_some() && parts.next() == Some("src")
}

/// Tracks the top-level `#[cfg(test)] mod name {` … `}` block of a rustfmt-formatted
/// file: it opens at column 0 and its closing brace is the next line that is exactly `}`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TestModule {
    Outside,
    /// Saw `#[cfg(test)]` at column 0; more attributes may follow.
    Attribute,
    Inside,
}

impl TestModule {
    /// Advances over `line`; true if the line belongs to a test module.
    fn step(&mut self, line: &str) -> bool {
        match *self {
            TestModule::Outside => {
                if line.starts_with("#[cfg(test)]") {
                    *self = TestModule::Attribute;
                }
                false
            }
            TestModule::Attribute => {
                let is_module = (line.starts_with("mod ") || line.starts_with("pub(crate) mod "))
                    && line.trim_end().ends_with('{');
                *self = if is_module {
                    TestModule::Inside
                } else if line.starts_with("#[") {
                    TestModule::Attribute
                } else {
                    TestModule::Outside
                };
                *self == TestModule::Inside
            }
            TestModule::Inside => {
                if line.trim_end() == "}" {
                    *self = TestModule::Outside;
                }
                true
            }
        }
    }
}

/// Rule 3 for one manifest: no `forbidden` crate in any dependency table.
fn check_layers(manifest: &str, text: &str, forbidden: &[&str], problems: &mut Vec<String>) {
    let mut section = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            section = header.trim_end_matches(']').trim().to_owned();
            // `[dependencies.sim-erpc]` names the crate in the header.
            if let Some((table, name)) = section.rsplit_once('.') {
                if table.ends_with("dependencies") {
                    flag(manifest, i, name.trim_matches('"'), forbidden, problems);
                }
            }
            continue;
        }
        if !section.ends_with("dependencies") {
            continue;
        }
        let key = line
            .split(['=', '.'])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        flag(manifest, i, key, forbidden, problems);
        // `alias = { package = "sim-erpc", ... }`
        if let Some(rest) = line.split("package").nth(1) {
            let renamed = rest
                .trim_start_matches([' ', '='])
                .split('"')
                .nth(1)
                .unwrap_or("");
            if renamed != key {
                flag(manifest, i, renamed, forbidden, problems);
            }
        }
    }
}

fn flag(manifest: &str, i: usize, name: &str, forbidden: &[&str], problems: &mut Vec<String>) {
    if forbidden.contains(&name) {
        problems.push(format!(
            "{manifest}:{}: depends on `{name}`; crates depend only downward \
             (see ARCHITECTURE.md, Code Map)",
            i + 1
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole tidy pass over the real tree: `cargo test --workspace` fails on a violation.
    #[test]
    fn tidy() {
        let problems = check(&project_root());
        assert!(
            problems.is_empty(),
            "tidy found {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    fn source_problems(rel: &str, text: &str) -> Vec<String> {
        let mut problems = Vec::new();
        check_source(rel, text, &mut problems);
        problems
    }

    #[test]
    fn requires_a_doc_header() {
        assert_eq!(source_problems("crates/a/tests/t.rs", "//! ok\n").len(), 0);
        assert_eq!(source_problems("crates/a/tests/t.rs", "use x;\n").len(), 1);
    }

    #[test]
    fn bans_apis_outside_tests_comments_and_allowed_lines() {
        let text = "//! m\n\
                    use std::collections::HashMap;\n\
                    // a HashMap in a comment is fine\n\
                    let t = Instant::now(); // tidy: allow measuring the host, not the sim\n\
                    let u = Instant::now(); // tidy: allow\n\
                    std::thread::spawn(f);\n\
                    #[cfg(test)]\n\
                    mod tests {\n    \
                        fn f() { std::thread::spawn(g); let _: HashSet<u8>; }\n\
                    }\n\
                    fn after() { thread_rng(); }\n";
        let problems = source_problems("crates/sim-core/src/a.rs", text);
        let lines: Vec<&str> = problems
            .iter()
            .map(|p| p.split(": ").next().unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "crates/sim-core/src/a.rs:2",
                "crates/sim-core/src/a.rs:5",
                "crates/sim-core/src/a.rs:6",
                "crates/sim-core/src/a.rs:11"
            ],
            "{problems:#?}"
        );
        assert!(
            source_problems("crates/sim-core/src/explore.rs", "//! m\nthread::scope(f);")
                .is_empty()
        );
        assert!(source_problems("crates/sim-core/tests/t.rs", "//! m\nHashMap").is_empty());
    }

    #[test]
    fn layering_reads_every_dependency_form() {
        let manifest = "[package]\nname = \"sim-core\"\n\
                        [dependencies]\nslotmap.workspace = true\nsim-erpc.workspace = true\n\
                        [dev-dependencies]\nrpc = { package = \"sim-rpc\", path = \"../x\" }\n\
                        [target.'cfg(unix)'.dependencies.sim-partition]\npath = \"../p\"\n";
        let mut problems = Vec::new();
        check_layers(
            "m",
            manifest,
            &["sim-erpc", "sim-rpc", "sim-partition"],
            &mut problems,
        );
        assert_eq!(problems.len(), 3, "{problems:#?}");
    }
}
