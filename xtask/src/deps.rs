//! `cargo xtask deps`: the libraries' dependency trees stay inside an allowlist.
//!
//! For each library crate this runs
//! `cargo tree -p <lib> -e normal,build --target all --prefix none --format {p}`
//! (runtime and build-script dependencies on every platform; dev-dependencies are
//! free) and fails if a crate outside [`WORKSPACE`], [`DIRECT`] and
//! [`TRANSITIVE`] appears. Adding a crate means adding it here, with whose
//! dependency it is, in the same change.

use std::collections::{BTreeMap, BTreeSet};

use crate::{cargo, output};

/// The library crates whose trees are checked (the facade and the five crates).
const LIBRARIES: &[&str] = &[
    "erpc-sim",
    "sim-core",
    "sim-erpc",
    "sim-rpc",
    "sim-partition",
    "sim-history",
    "sim-server",
];

/// The workspace's own crates.
const WORKSPACE: &[&str] = &[
    "erpc-sim",
    "sim-core",
    "sim-erpc",
    "sim-rpc",
    "sim-partition",
    "sim-history",
    "sim-server",
];

/// Direct runtime dependencies, as listed in `[workspace.dependencies]`.
const DIRECT: &[&str] = &[
    "slotmap",
    "indexmap",
    "smallvec",
    "rand_pcg",
    "rand_core",
    "serde",
    "serde_json",
    "thiserror",
];

/// Transitive dependencies of [`DIRECT`], each with whose dependency it is.
const TRANSITIVE: &[(&str, &str)] = &[
    (
        "serde_core",
        "serde, serde_json; indexmap with its `serde` feature",
    ),
    (
        "serde_derive",
        "serde with its `derive` feature (proc macro)",
    ),
    ("thiserror-impl", "thiserror (proc macro)"),
    ("proc-macro2", "serde_derive, thiserror-impl, quote, syn"),
    ("quote", "serde_derive, thiserror-impl, syn"),
    ("syn", "serde_derive, thiserror-impl"),
    ("unicode-ident", "proc-macro2, syn"),
    ("equivalent", "indexmap"),
    ("hashbrown", "indexmap"),
    ("itoa", "serde_json"),
    ("memchr", "serde_json"),
    ("zmij", "serde_json (float formatting)"),
    ("version_check", "slotmap (build script)"),
];

fn allowed(name: &str) -> bool {
    WORKSPACE.contains(&name)
        || DIRECT.contains(&name)
        || TRANSITIVE.iter().any(|(dep, _)| *dep == name)
}

/// Crate names in the normal and build dependency tree of `lib`, itself included.
fn tree(lib: &str) -> Result<BTreeSet<String>, String> {
    let mut cmd = cargo();
    cmd.args([
        "tree",
        "--quiet",
        "-p",
        lib,
        "-e",
        "normal,build",
        "--target",
        "all",
    ]);
    cmd.args(["--prefix", "none", "--format", "{p}"]);
    let text = output(&mut cmd)?;
    Ok(parse_tree(&text))
}

/// Takes the first word of each `name vX.Y.Z (...)` line; skips blank and `[...]` lines.
fn parse_tree(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('['))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn run() -> Result<(), String> {
    // offending crate -> the libraries that pull it in
    let mut offenders: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for lib in LIBRARIES {
        for name in tree(lib)? {
            if !allowed(&name) {
                offenders.entry(name.clone()).or_default().push(lib);
            }
            seen.insert(name);
        }
    }
    let unused: Vec<&str> = DIRECT
        .iter()
        .copied()
        .chain(TRANSITIVE.iter().map(|(dep, _)| *dep))
        .filter(|dep| !seen.contains(*dep))
        .collect();
    if !unused.is_empty() {
        println!("note: allowlisted but no longer used (consider removing): {unused:?}");
    }
    if offenders.is_empty() {
        println!("deps: {} crates, all on the allowlist", seen.len());
        return Ok(());
    }
    for (name, libs) in &offenders {
        eprintln!(
            "deps: `{name}` is not on the allowlist; pulled in by {} \
             (see `cargo tree -e normal,build -p {} -i {name}`)",
            libs.join(", "),
            libs[0],
        );
    }
    Err(format!(
        "{} crate(s) outside the allowlist in xtask/src/deps.rs",
        offenders.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cargo_tree_lines() {
        let text = "sim-core v0.1.0 (/w/crates/sim-core)\n\
                    serde v1.0.0 (*)\n\
                    serde_derive v1.0.0 (proc-macro)\n\n";
        let names: Vec<String> = parse_tree(text).into_iter().collect();
        assert_eq!(names, ["serde", "serde_derive", "sim-core"]);
    }

    #[test]
    fn allowlist_has_no_duplicates() {
        let mut all: Vec<&str> = DIRECT.to_vec();
        all.extend(TRANSITIVE.iter().map(|(dep, _)| *dep));
        all.extend(WORKSPACE);
        let unique: BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len());
        assert!(!allowed("tokio"));
    }
}
