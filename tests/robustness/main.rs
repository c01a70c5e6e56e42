//! Robustness: misuse probes against the public API. Each probe is a bad input or
//! an abuse (deep terms, huge timer counts, unknown nodes, bad seed ranges, …) and
//! holds when the library answers with a clear error or the documented outcome:
//! never a hang, a simulator panic or an abort.
//!
//! A custom runner (`harness = false`) so it can end with the line
//! `robustness: N/M probes hold`. Pass a substring to run only matching probes.

mod explorer;
mod faults;
mod runtime;
mod terms;

/// One probe: a name (the rule it pins) and the check, `Err` saying what broke.
pub type Probe = (&'static str, fn() -> Result<(), String>);

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let all: Vec<Probe> = [
        terms::probes(),
        runtime::probes(),
        explorer::probes(),
        faults::probes(),
    ]
    .concat();
    let mut failed = Vec::new();
    let mut total = 0usize;
    for (name, probe) in &all {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        total += 1;
        match std::panic::catch_unwind(probe) {
            Ok(Ok(())) => println!("probe {name} ... ok"),
            Ok(Err(why)) => {
                println!("probe {name} ... FAILED: {why}");
                failed.push(*name);
            }
            Err(_) => {
                println!("probe {name} ... FAILED (panicked)");
                failed.push(*name);
            }
        }
    }
    let held = total - failed.len();
    println!();
    println!("robustness: {held}/{total} probes hold");
    println!(
        "test result: {}. {held} passed; {} failed; 0 ignored",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len()
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}
