//! Checks recorded histories for linearizability from the command line:
//!
//! ```text
//! cargo run --release --example lincheck -- etcd FILE...   # Jepsen etcd logs (CAS register)
//! cargo run --release --example lincheck -- kv FILE...     # EDN key-value histories
//! ```
//!
//! Prints `FILE true|false|unknown` per file; with `-v` before the files, a
//! violation's failing prefix and conflicting operations as well. Exits 2 on
//! bad arguments or an unreadable file.

use std::process::ExitCode;

use erpc_sim::history::{jepsen, CasRegister, Checker, KvMap, Verdict};

fn check(kind: &str, text: &str, explain: bool) -> Result<Verdict, String> {
    let checker = Checker::new().explain(explain);
    match kind {
        "etcd" => {
            let h = jepsen::parse_etcd(text).map_err(|e| e.to_string())?;
            Ok(checker.check(&CasRegister::new(None), &h))
        }
        "kv" => {
            let h = jepsen::parse_kv(text).map_err(|e| e.to_string())?;
            Ok(checker.check(&KvMap::new(), &h))
        }
        other => Err(format!("unknown history kind {other:?} (etcd or kv)")),
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    args.retain(|a| a != "-v");
    let Some((kind, files)) = args.split_first() else {
        eprintln!("usage: lincheck [-v] <etcd|kv> FILE...");
        return ExitCode::from(2);
    };
    let mut status = ExitCode::SUCCESS;
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {e}");
                status = ExitCode::from(2);
                continue;
            }
        };
        match check(kind, &text, verbose) {
            Ok(verdict) => {
                println!("{file} {}", verdict.word());
                if verbose {
                    if let Verdict::Violation(v) = &verdict {
                        println!("{v}");
                    }
                }
            }
            Err(e) => {
                eprintln!("{file}: {e}");
                status = ExitCode::from(2);
            }
        }
    }
    status
}
