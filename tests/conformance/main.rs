//! Conformance: every scenario of `otp25.jsonl` (outcomes recorded on real
//! Erlang/OTP 25 nodes) reproduced in the simulator, one test per scenario id.
//!
//! A custom runner (`harness = false`) so it can end with the line
//! `conformance: N/M scenarios match`, M counting every scenario in the file.
//! A scenario that is implemented must match exactly; one not yet implemented is
//! listed as pending. Pass a substring to run only matching ids.

// Scenario tables are `Vec<(&str, fn() -> Observed)>`, spelled out in each
// group module so each reads on its own.
#![allow(clippy::type_complexity)]

mod allowed;
mod harness;
mod scenarios;

use harness::Observed;

type Scenario = fn() -> Observed;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let records = harness::records();
    let table: Vec<(&'static str, Scenario)> = scenarios::all();
    for (id, _) in &table {
        assert!(
            records.iter().any(|r| r.id == *id),
            "scenario {id} is not in otp25.jsonl"
        );
    }
    let (mut passed, mut failed, mut pending) = (0usize, Vec::new(), Vec::new());
    let (mut reached, mut unreached, mut other) = (0usize, Vec::new(), Vec::new());
    for rec in &records {
        if filter.as_deref().is_some_and(|f| !rec.id.contains(f)) {
            continue;
        }
        let Some((_, f)) = table.iter().find(|(id, _)| *id == rec.id) else {
            pending.push(rec.id.clone());
            continue;
        };
        let got = std::panic::catch_unwind(f);
        let seen = harness::take_seen();
        let recorded = Observed {
            observed: rec.observed.clone(),
            mailbox_after: rec.mailbox_after.clone(),
        };
        if got.is_ok() {
            if seen.contains(&recorded) {
                reached += 1;
            } else {
                unreached.push(rec.id.clone());
            }
            for o in seen.iter().filter(|o| **o != recorded) {
                match allowed::other_outcome(&rec.id, o) {
                    Some(_) => {}
                    None => other.push(format!(
                        "{}: {}  mailbox {}",
                        rec.id, o.observed, o.mailbox_after
                    )),
                }
            }
        }
        match got {
            Ok(o) if o.observed == rec.observed && o.mailbox_after == rec.mailbox_after => {
                println!("test {} ... ok", rec.id);
                passed += 1;
            }
            Ok(o) => {
                println!("test {} ... FAILED", rec.id);
                failed.push(format!(
                    "{} ({}):\n  expected {}  mailbox {}\n  got      {}  mailbox {}",
                    rec.id, rec.group, rec.observed, rec.mailbox_after, o.observed, o.mailbox_after
                ));
            }
            Err(_) => {
                println!("test {} ... FAILED (panicked)", rec.id);
                failed.push(format!("{} ({}): panicked", rec.id, rec.group));
            }
        }
    }
    if !failed.is_empty() {
        println!("\nfailures:");
        for f in &failed {
            println!("{f}");
        }
    }
    if !pending.is_empty() {
        println!("\npending (not yet reproduced): {}", pending.join(" "));
    }
    if !unreached.is_empty() {
        println!(
            "\nrecorded outcome not reached by the default strategy over {} seeds: {}",
            harness::REACH_SEEDS.end - harness::REACH_SEEDS.start,
            unreached.join(" ")
        );
    }
    if !other.is_empty() {
        println!("\noutcomes of the default strategy not explained by a race:");
        for o in &other {
            println!("  {o}");
        }
    }
    println!();
    println!(
        "conformance: default strategy reaches the recorded outcome in {reached}/{} scenarios ({} other outcomes unexplained)",
        records.len(),
        other.len()
    );
    println!("conformance: {passed}/{} scenarios match", records.len());
    println!(
        "test result: {}. {passed} passed; {} failed; {} ignored",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        pending.len()
    );
    if !failed.is_empty() || !unreached.is_empty() || !other.is_empty() {
        std::process::exit(1);
    }
}
