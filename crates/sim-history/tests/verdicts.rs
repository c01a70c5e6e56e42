//! The reference verdicts: every history of Porcupine's public test data (82
//! Jepsen etcd logs, 6 key-value histories) gets the verdict Porcupine's own
//! test suite asserts for it (`tests/data/*/VERDICTS.txt`).
//!
//! A custom runner: one line per file, then `linearizability: N/88 verdicts
//! match`; exits 1 on any mismatch.

// The runner reports how long each check took; wall-clock time never reaches
// a simulation here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use sim_history::{jepsen, CasRegister, Checker, KvMap, Verdict};

fn verdicts(dir: &Path) -> Vec<(PathBuf, String)> {
    let text = std::fs::read_to_string(dir.join("VERDICTS.txt"))
        .expect("VERDICTS.txt is part of the test data");
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(file, v)| (dir.join(file), v.trim().to_owned()))
        .collect()
}

fn check_file(group: &str, path: &Path) -> Result<Verdict, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    // The verdict only: narrowing a violation is timed elsewhere.
    let checker = Checker::new().explain(false);
    match group {
        "etcd" => Ok(checker.check(
            &CasRegister::new(None),
            &jepsen::parse_etcd(&text).map_err(|e| e.to_string())?,
        )),
        _ => Ok(checker.check(
            &KvMap::new(),
            &jepsen::parse_kv(&text).map_err(|e| e.to_string())?,
        )),
    }
}

fn main() -> ExitCode {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let (mut total, mut matched) = (0, 0);
    for group in ["etcd", "kv"] {
        for (path, expected) in verdicts(&data.join(group)) {
            total += 1;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let start = Instant::now();
            let got = check_file(group, &path);
            let ms = start.elapsed().as_secs_f64() * 1e3;
            let word = match &got {
                Ok(v) => v.word().to_owned(),
                Err(e) => format!("error: {e}"),
            };
            let ok = word == expected;
            matched += usize::from(ok);
            println!(
                "{group}/{name} {word} (expected {expected}) {ms:.1} ms{}",
                if ok { "" } else { "  MISMATCH" }
            );
        }
    }
    println!("linearizability: {matched}/{total} verdicts match");
    if matched == total && total == 88 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
