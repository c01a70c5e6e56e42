//! The workloads of the performance issue, run by `cargo xtask bench`.
//!
//! With `--bench` in the arguments (as `cargo bench` passes) the full sizes run;
//! otherwise (as `cargo test --all-targets` runs it) a smoke-sized pass checks
//! that every workload still works.

// Benchmarks measure wall-clock time by design; simulations never see it.
#![allow(clippy::disallowed_methods)]

mod alloc;
mod core_loads;
mod erpc_loads;
mod table;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    // Other arguments select workloads by name (`w1`, `w6`); none runs all.
    let picks: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let on = |w: &str| picks.is_empty() || picks.iter().any(|p| p.eq_ignore_ascii_case(w));
    let k = |full_size: u64, smoke: u64| if full { full_size } else { smoke };
    let mut t = table::Table::default();
    println!("{:<34} {:>14} {:<14} note", "workload", "figure", "unit");
    if on("w1") {
        core_loads::w1(&mut t, k(1_000_000, 2_000));
    }
    if on("w2") {
        core_loads::w2(&mut t, k(1_000_000, 2_000));
    }
    if on("w3") {
        core_loads::w3(&mut t, k(10_000, 100) as usize, k(1_000_000, 2_000) as i64);
    }
    if on("w4") {
        erpc_loads::w4(&mut t, k(200_000, 500));
    }
    if on("w5") {
        erpc_loads::w5(&mut t, k(200_000, 500));
    }
    if on("w7") {
        erpc_loads::w7(&mut t, k(200_000, 500), k(100_000, 1_000) as usize);
    }
    if on("w8") {
        erpc_loads::w8(&mut t, k(20_000, 50));
    }
    if on("w6") {
        core_loads::w6(&mut t, k(1_000_000, 2_000) as usize);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    if full && std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("workloads.json"), t.json());
        println!("wrote {}", dir.join("workloads.json").display());
    }
}
