//! `cargo xtask bench [--instructions] [NAME...]`: runs the benches under `benches/`, one
//! target at a time.
//!
//! Each `benches/<name>.rs` is a `harness = false` target of the facade package
//! and is run as `cargo bench -p erpc-sim --bench <name>`, its output passed
//! through. By convention a bench prints one table row per workload on stdout
//! and writes the same rows as JSON under `target/bench/`; this task lists the
//! JSON files it finds afterwards. Under `cargo test --all-targets` a bench is
//! run without the `--bench` argument and should then do one small smoke
//! iteration only.
//!
//! The `workloads` bench also gets instruction counts: after its run, this task
//! runs it under callgrind ([`workloads`](mod@workloads)) and writes
//! `target/bench/workloads.json`. `--instructions` does only that part.

mod workloads;

use std::fs;
use std::path::PathBuf;

use crate::{cargo, exec, project_root};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let instructions_only = args.iter().any(|a| a == "--instructions");
    if let Some(flag) = args
        .iter()
        .find(|a| a.starts_with('-') && *a != "--instructions")
    {
        return Err(format!("unknown option `{flag}` (have: --instructions)"));
    }
    let names: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    let json_dir = target_dir().join("bench");
    if instructions_only {
        if names.iter().any(|n| n != "workloads") {
            return Err("--instructions counts the `workloads` bench only".to_owned());
        }
        let path = workloads::write(&json_dir, true)?;
        println!("bench: wrote {}", path.display());
        return Ok(());
    }
    let names = names.as_slice();
    let benches = bench_targets();
    if let Some(unknown) = names.iter().find(|n| !benches.contains(n)) {
        return Err(format!(
            "no bench `{unknown}` (have: {})",
            benches.join(", ")
        ));
    }
    let selected: Vec<&String> = benches
        .iter()
        .filter(|b| names.is_empty() || names.contains(b))
        .collect();
    if selected.is_empty() {
        println!("bench: no benches under benches/");
        return Ok(());
    }
    for bench in &selected {
        println!("==> bench {bench}");
        exec(cargo().args(["bench", "-p", "erpc-sim", "--bench", bench.as_str()]))?;
        if bench.as_str() == "workloads" {
            println!("==> bench workloads: instruction counts");
            workloads::write(&json_dir, false)?;
        }
    }
    let mut json: Vec<PathBuf> = fs::read_dir(&json_dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    json.retain(|p| p.extension().is_some_and(|e| e == "json"));
    json.sort();
    for path in json {
        println!("bench: JSON rows in {}", path.display());
    }
    Ok(())
}

/// The bench targets: stems of `benches/*.rs` and folders `benches/<name>/main.rs`,
/// sorted (a folder without `main.rs`, such as `benches/common/`, holds shared code).
fn bench_targets() -> Vec<String> {
    let Ok(entries) = fs::read_dir(project_root().join("benches")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            (p.is_file() && p.extension().is_some_and(|e| e == "rs"))
                || (p.is_dir() && p.join("main.rs").is_file())
        })
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    names
}

/// `$CARGO_TARGET_DIR`, or `target/` in the project root.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
}
