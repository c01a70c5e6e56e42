//! The workloads `w1`..`w8`, run by `cargo xtask bench`.
//!
//! Arguments:
//! - `--bench` (as `cargo bench` passes): the full sizes, the table on stdout,
//!   the rows in `target/bench/workloads-table.json` and the figures `xtask`
//!   reads in `target/bench/workload-figures.tsv`;
//! - workload ids (`w1`, `w6`): only those; none runs all;
//! - `--size N` with exactly one id: that workload once at size `N` and
//!   nothing else, its figures as tab-separated lines on stdout. `xtask`
//!   runs this under callgrind at two sizes and takes the difference, so the
//!   set-up cancels; with `w3`, `--ring P` sets the ring's processes (10,000
//!   unless given), to compare the time per hop at 10^4 and 10^6 processes;
//! - none of these (as `cargo test --all-targets` runs it): a smoke-sized pass
//!   that checks every workload still works.

// Benchmarks measure wall-clock time by design; simulations never see it.
#![allow(clippy::disallowed_methods)]

mod alloc;
mod core_loads;
mod erpc_loads;
mod table;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Every workload id.
const IDS: [&str; 8] = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--bench");
    let mut size: Option<u64> = None;
    let mut ring = core_loads::RING;
    let mut picks: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--size=") {
            size = Some(v.parse().unwrap_or(0));
        } else if a == "--size" {
            size = Some(it.next().and_then(|v| v.parse().ok()).unwrap_or(0));
        } else if a == "--ring" {
            ring = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            if ring < 2 {
                eprintln!("workloads: `--ring` takes a whole number of processes, 2 or more");
                return ExitCode::from(2);
            }
        } else if !a.starts_with('-') {
            picks.push(a.to_ascii_lowercase());
        }
    }
    if let Some(unknown) = picks.iter().find(|p| !IDS.contains(&p.as_str())) {
        eprintln!(
            "workloads: no workload `{unknown}` (have: {})",
            IDS.join(", ")
        );
        return ExitCode::from(2);
    }
    if let Some(n) = size {
        let [id] = picks.as_slice() else {
            eprintln!("workloads: `--size N` runs exactly one workload id");
            return ExitCode::from(2);
        };
        if n == 0 {
            eprintln!("workloads: `--size` takes a positive whole number");
            return ExitCode::from(2);
        }
        let mut t = table::Table::quiet();
        single(&mut t, id, n, ring);
        print!("{}", t.tsv());
        return ExitCode::SUCCESS;
    }
    let on = |w: &str| picks.is_empty() || picks.iter().any(|p| p == w);
    let k = |full_size: u64, smoke: u64| if full { full_size } else { smoke };
    let mut t = table::Table::default();
    println!("{:<34} {:>14} {:<14} note", "workload", "figure", "unit");
    if on("w1") {
        core_loads::w1(&mut t, k(1_000_000, 2_000));
        core_loads::w1_schedule(&mut t, k(10_000_000, 2_000));
    }
    if on("w2") {
        core_loads::w2(&mut t, k(1_000_000, 2_000));
    }
    if on("w3") {
        let ring = if full { core_loads::RING } else { 100 };
        core_loads::w3(&mut t, ring, k(1_000_000, 2_000) as i64);
    }
    if on("w4") {
        erpc_loads::w4(&mut t, k(200_000, 500));
    }
    if on("w5") {
        erpc_loads::w5(&mut t, k(200_000, 500));
    }
    if on("w7") {
        let queued = if full { erpc_loads::W7_QUEUED } else { 1_000 };
        erpc_loads::w7(&mut t, k(200_000, 500), queued);
    }
    if on("w8") {
        erpc_loads::w8(&mut t, k(20_000, 50));
    }
    // Last, so the bytes it counts are not the other workloads' leftovers.
    if on("w6") {
        core_loads::w6(&mut t, k(1_000_000, 2_000) as usize);
    }
    // Where `xtask` looks for the figures: `$CARGO_TARGET_DIR/bench`, else
    // `target/bench` in the project.
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench");
    if full && std::fs::create_dir_all(&dir).is_ok() {
        let table = dir.join("workloads-table.json");
        let figures = dir.join("workload-figures.tsv");
        if std::fs::write(&table, t.json()).is_err() || std::fs::write(&figures, t.tsv()).is_err() {
            eprintln!("workloads: cannot write under {}", dir.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {} and {}", table.display(), figures.display());
    }
    ExitCode::SUCCESS
}

/// One workload at size `n` for the instruction count: only the part whose
/// cost grows with `n` (W7 queues its million unrelated messages at every
/// size, so they cancel; W8 explores on one thread).
fn single(t: &mut table::Table, id: &str, n: u64, ring: usize) {
    match id {
        "w1" => core_loads::w1(t, n),
        "w2" => core_loads::w2(t, n),
        "w3" => core_loads::w3(t, ring, n as i64),
        "w4" => erpc_loads::w4_call(t, n),
        "w5" => erpc_loads::w5_call(t, n),
        "w6" => core_loads::w6(t, n as usize),
        "w7" => erpc_loads::w7_full(t, n, erpc_loads::W7_QUEUED),
        _ => erpc_loads::w8_threads(t, n, 1),
    }
}
