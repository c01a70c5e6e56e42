//! Linearizability checker speed on Porcupine's reference histories (the
//! files of `crates/sim-history/tests/data`): checker time only (parsing
//! excluded), best of several rounds per file, summed per group, and the
//! slowest file of each group.
//!
//! `cargo bench --bench lincheck` runs 5 rounds and writes
//! `target/bench/lincheck.json`; without `--bench` in the arguments (as
//! `cargo test --all-targets` runs it) one round of the small groups checks
//! that the bench works.

// Benchmarks measure wall-clock time by design; simulations never see it.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use erpc_sim::history::{jepsen, CasRegister, Checker, KvMap, Verdict};

struct Group {
    name: &'static str,
    total_ms: f64,
    slowest: (String, f64),
    files: usize,
}

/// Best-of-`rounds` checker time of one file, in ms, and its verdict.
fn time_file(kind: &str, text: &str, rounds: usize) -> (f64, Verdict) {
    let checker = Checker::new().explain(false);
    let mut best = f64::INFINITY;
    let mut verdict = Verdict::Unknown(String::new());
    match kind {
        "etcd" => {
            let h = jepsen::parse_etcd(text).expect("reference etcd log parses");
            for _ in 0..rounds {
                let t = Instant::now();
                verdict = checker.check(&CasRegister::new(None), &h);
                best = best.min(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        _ => {
            let h = jepsen::parse_kv(text).expect("reference kv history parses");
            for _ in 0..rounds {
                let t = Instant::now();
                verdict = checker.check(&KvMap::new(), &h);
                best = best.min(t.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    (best, verdict)
}

fn group(name: &'static str, dir: &Path, prefix: &str, rounds: usize) -> Group {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("test data directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    files.sort();
    let kind = if name == "etcd" { "etcd" } else { "kv" };
    let mut g = Group {
        name,
        total_ms: 0.0,
        slowest: (String::new(), 0.0),
        files: files.len(),
    };
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable test data");
        let (ms, verdict) = time_file(kind, &text, rounds);
        assert!(
            !matches!(verdict, Verdict::Unknown(_)),
            "{}: {verdict}",
            path.display()
        );
        g.total_ms += ms;
        if ms > g.slowest.1 {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            g.slowest = (file, ms);
        }
    }
    g
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/sim-history/tests/data");
    let rounds = if full { 5 } else { 1 };
    let mut groups = vec![
        group("etcd", &data.join("etcd"), "etcd_", rounds),
        group("kv c01", &data.join("kv"), "c01-", rounds),
        group("kv c10", &data.join("kv"), "c10-", rounds),
    ];
    if full {
        groups.push(group("kv c50", &data.join("kv"), "c50-", rounds));
    }
    println!(
        "{:<8} {:>6} {:>12}  slowest file",
        "group", "files", "total ms"
    );
    for g in &groups {
        println!(
            "{:<8} {:>6} {:>12.2}  {} ({:.2} ms)",
            g.name, g.files, g.total_ms, g.slowest.0, g.slowest.1
        );
    }
    if full {
        let mut out = String::from("[\n");
        for (i, g) in groups.iter().enumerate() {
            let comma = if i + 1 < groups.len() { "," } else { "" };
            let _ = writeln!(
                out,
                "  {{\"group\": \"{}\", \"files\": {}, \"total_ms\": {:.3}, \"slowest\": \"{}\", \"slowest_ms\": {:.3}}}{comma}",
                g.name, g.files, g.total_ms, g.slowest.0, g.slowest.1
            );
        }
        out.push_str("]\n");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
        match std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("lincheck.json"), out))
        {
            Ok(()) => println!("wrote {}", dir.join("lincheck.json").display()),
            Err(e) => eprintln!("cannot write {}: {e}", dir.display()),
        }
    }
}
