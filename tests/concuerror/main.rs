//! Concuerror's test programs as Rust: each case is one program of
//! Concuerror's own test suite (parapluu/Concuerror at
//! 0cbd2fc2acd7e1e01dc92c41c303f7f37b13dcca), translated against this
//! project's API, with the numbers Concuerror reports for it (as
//! `/work/shared/dpor/concuerror-cases.txt` lists them, from the result
//! files under `tests/suites/*/results/`).
//!
//! For each case the runner explores every interleaving with Concuerror's
//! notion of an error on ([`ExitPolicy::AnyProcess`]: any abnormal exit, any
//! process left blocked), counts the interleavings that end in an error and
//! collects their outcomes, and prints
//! `concuerror <program>/<entry>: errors E/E', explored X/X'` (ours, then
//! Concuerror's). A case matches when the verdict is the same (errors found
//! or not) and every erroneous outcome the result file lists is reached;
//! with [`REQUIRE_COUNTS`] it must also explore no more interleavings than
//! Concuerror, or than the bound its [`Beyond`] gives with the reason. The run ends with `concuerror: N/M cases match`.
//!
//! A custom runner (`harness = false`); pass a substring to run only the
//! cases whose `program/entry` contains it.

mod basic_1;
mod basic_2;
mod basic_3;
mod dpor;

use erpc_sim::core::{RunError, TraceEvent};
use erpc_sim::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a case must also explore no more interleavings than Concuerror
/// (or than its [`Beyond`] bound, where the case explains the difference).
const REQUIRE_COUNTS: bool = true;

/// Schedules explored per case at most; a case that reaches it is "capped".
const CAP: u64 = 5_000;

/// How long a runnable process may be left waiting while time passes: long
/// enough that every receive timeout of these programs can fire while others
/// still run, as in Concuerror, which ignores time.
const WINDOW: Time = Time::secs(60);

/// The one node every program runs on (Concuerror's programs are local).
pub const NODE: &str = "a@sim";

/// One Concuerror program.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its path in parapluu/Concuerror.
    pub program: &'static str,
    /// Its entry function.
    pub entry: &'static str,
    /// Erroneous interleavings Concuerror reports
    /// (`/work/shared/dpor/concuerror-cases.txt`).
    pub errors_expected: u64,
    /// Interleavings Concuerror explores (same file).
    pub explored_expected: u64,
    /// The erroneous outcomes its result file lists, as [`describe`] writes
    /// them (errors sorted, joined by `; `).
    pub listed: &'static [&'static str],
    /// Builds the program: one node, the entry function as the one
    /// foreground process.
    pub build: fn(SimBuilder) -> Sim,
    /// Where this project explores more interleavings than Concuerror: at
    /// most how many, and why (a difference in the model or the algorithm).
    pub beyond: Option<Beyond>,
}

/// More interleavings than Concuerror's, explained.
#[derive(Clone, Debug)]
pub struct Beyond {
    /// Interleavings explored at most ([`CAP`]: the case may stop there).
    pub explored: u64,
    /// Why this is more than Concuerror's count.
    pub why: &'static str,
}

/// What the exploration of one case saw.
#[derive(Debug, Default)]
pub struct Observed {
    /// Interleavings explored.
    pub interleavings: u64,
    /// Interleavings that ended in an error.
    pub errors: u64,
    /// The distinct erroneous outcomes.
    pub error_outcomes: BTreeSet<String>,
    /// Whether every interleaving was explored (not capped).
    pub complete: bool,
    /// Runs cut short with every enabled event asleep (not interleavings).
    pub blocked: u64,
}

/// A simulation of [`NODE`] running `entry` as the program's first process.
pub fn single<F, Fut>(b: SimBuilder, entry: F) -> Sim
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = b.nodes([NODE]).build().expect("one node");
    sim.spawn(NODE, entry).expect("the entry process");
    sim
}

/// Whether `CONCUERROR_DPOR=source` asks for source-DPOR with sleep sets
/// instead of the explorer's default, optimal DPOR (to compare the two).
fn source_dpor() -> bool {
    std::env::var("CONCUERROR_DPOR").is_ok_and(|v| v == "source")
}

/// Every interleaving of the program up to equivalence (the explorer's
/// exhaustive DPOR), going on after failures, at most [`CAP`]
/// interleavings. This is the one place that knows how exploration is done.
fn explore_all(build: fn(SimBuilder) -> Sim) -> Observed {
    let mut seen = Observed::default();
    // `CONCUERROR_TRACE=1` prints each interleaving's events.
    let show = std::env::var_os("CONCUERROR_TRACE").is_some();
    let r = Explorer::new("concuerror")
        .quiet(true)
        .write_files(false)
        .keep_going(true)
        .optimal_dpor(!source_dpor())
        .max_interleavings(CAP)
        .exhaustive_each(
            |b| build(configure(b)),
            |report| {
                if show {
                    println!("  -- {}", describe(report));
                    for rec in &report.trace {
                        println!("     {:?}", rec.event);
                    }
                }
                if !report.outcome.is_ok() {
                    seen.error_outcomes.insert(describe(report));
                }
            },
        );
    seen.interleavings = r.interleavings;
    seen.errors = r.failing;
    seen.complete = r.complete;
    seen.blocked = r.blocked;
    seen
}

/// Every interleaving of the program, plain depth-first through the public
/// API: one fresh simulation per schedule, going on after failures, at most
/// [`CAP`] schedules. Kept to compare the reduction against.
#[allow(dead_code)]
fn explore_dfs(build: fn(SimBuilder) -> Sim) -> Observed {
    let dfs = Dfs::new(10_000);
    let mut prefix = Vec::new();
    let mut seen = Observed::default();
    loop {
        let run = dfs.restart(prefix);
        let report = build(configure(Sim::builder().strategy(run.clone()))).run();
        seen.interleavings += 1;
        if !report.outcome.is_ok() {
            seen.errors += 1;
            seen.error_outcomes.insert(describe(&report));
        }
        match run.next_prefix() {
            Some(p) if seen.interleavings < CAP => prefix = p,
            Some(_) => return seen,
            None => {
                seen.complete = true;
                return seen;
            }
        }
    }
}

/// What every case runs with: instant local signals, Concuerror's errors, receive timeouts that
/// race the other processes, the trace (for process names) and a step
/// budget in the spirit of Concuerror's depth bound.
fn configure(b: SimBuilder) -> SimBuilder {
    // Concuerror's `instant_delivery` (true by default, and in every case
    // here but `fun_fail`, where it changes nothing: one process): a signal
    // to a process of the same node takes effect when sent.
    b.local_signals(LocalSignals::Instant)
        .exit_policy(ExitPolicy::AnyProcess)
        .run_window(WINDOW)
        .trace(TraceMode::Full)
        .max_steps(5_000)
}

/// Concuerror's names for the processes of a run: the first process is
/// `P`, the `k`th process spawned by `X` is `X.k`; a node's own servers are
/// named `system`.
fn names(report: &RunReport) -> BTreeMap<Pid, String> {
    let mut names = BTreeMap::new();
    let mut children: BTreeMap<Pid, usize> = BTreeMap::new();
    let first = report.results.first().map(|(p, _)| *p);
    for rec in &report.trace {
        let TraceEvent::Spawn { pid, parent, .. } = &rec.event else {
            continue;
        };
        let name = match parent.and_then(|p| names.get(&p).cloned().map(|n| (p, n))) {
            Some((p, parent_name)) => {
                let k = children.entry(p).or_insert(0);
                *k += 1;
                format!("{parent_name}.{k}")
            }
            None if Some(*pid) == first => "P".to_string(),
            None => "system".to_string(),
        };
        names.insert(*pid, name);
    }
    names
}

/// An exit reason as Concuerror's result files show it, without the
/// stacktrace (ours are empty, theirs name source lines): `{R, Stack}` for
/// an error or a throw is `R`.
fn reason_text(reason: &Term, names: &BTreeMap<Pid, String>) -> String {
    let r = match reason {
        Term::Tuple(t) if t.len() == 2 && matches!(t[1], Term::List(_)) => &t[0],
        other => other,
    };
    let mut s = r.to_string();
    for (pid, name) in names {
        s = s.replace(&pid.to_string(), name);
    }
    s
}

/// One erroneous interleaving's outcome: each error as `X exits R` or
/// `X blocked`, sorted, joined by `; `; any other failure by its kind.
fn describe(report: &RunReport) -> String {
    let names = names(report);
    let name = |p: &Pid| names.get(p).cloned().unwrap_or_else(|| p.to_string());
    let Outcome::Errors { errors } = &report.outcome else {
        return report.outcome.kind().to_string();
    };
    let mut parts: Vec<String> = errors
        .iter()
        .map(|e| match e {
            RunError::Exited { pid, reason } => {
                format!("{} exits {}", name(pid), reason_text(reason, &names))
            }
            RunError::Blocked(b) => format!("{} blocked", name(&b.pid)),
            other => other.to_string(),
        })
        .collect();
    parts.sort();
    parts.join("; ")
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let cases: Vec<Case> = [
        basic_1::cases(),
        basic_2::cases(),
        basic_3::cases(),
        dpor::cases(),
    ]
    .concat();
    let mut total = 0usize;
    let mut matched = 0usize;
    let mut explained = 0usize;
    let mut blocked = 0u64;
    let mut mismatches = Vec::new();
    for case in &cases {
        let id = format!("{}/{}", short(case.program), case.entry);
        if filter.as_deref().is_some_and(|f| !id.contains(f)) {
            continue;
        }
        total += 1;
        let seen = explore_all(case.build);
        let capped = if seen.complete { "" } else { " (capped)" };
        let asleep = match seen.blocked {
            0 => String::new(),
            n => format!(" ({n} sleep-set blocked runs)"),
        };
        blocked += seen.blocked;
        println!(
            "concuerror {id}: errors {}/{}, explored {}/{}{capped}{asleep}",
            seen.errors, case.errors_expected, seen.interleavings, case.explored_expected
        );
        let mut problems = Vec::new();
        if (seen.errors > 0) != (case.errors_expected > 0) {
            problems.push("verdict differs".to_string());
        }
        for want in case.listed {
            if !seen.error_outcomes.contains(*want) {
                problems.push(format!("outcome not reached: {want}"));
            }
        }
        let bound = case
            .beyond
            .as_ref()
            .map_or(case.explored_expected, |b| b.explored);
        // A bound at the cap lets the case stop there.
        let complete = seen.complete || bound >= CAP;
        let counts_ok = complete && seen.interleavings <= bound;
        if let Some(b) = &case.beyond {
            println!("    at most {}: {}", b.explored, b.why);
        }
        // A match is Concuerror's own test: the same verdict and no more
        // interleavings than it explored. A case over that count but within
        // the bound its `Beyond` explains is counted apart.
        let strict = complete && seen.interleavings <= case.explored_expected;
        if problems.is_empty() && strict {
            matched += 1;
        } else if problems.is_empty() && counts_ok {
            explained += 1;
        }
        if !problems.is_empty() {
            for o in &seen.error_outcomes {
                println!("    reached: {o}");
            }
            for p in &problems {
                println!("    {p}");
            }
            mismatches.push(id);
        } else if REQUIRE_COUNTS && !counts_ok {
            println!("    explored more than {bound}");
            mismatches.push(id);
        }
    }
    println!();
    if explained > 0 {
        println!(
            "concuerror: {explained} case(s) explore more interleavings than Concuerror, \
             each within the bound its comment explains"
        );
    }
    println!("concuerror: {blocked} sleep-set blocked runs in all");
    println!("concuerror: {matched}/{total} cases match");
    if !mismatches.is_empty() {
        println!("mismatches: {}", mismatches.join(", "));
        std::process::exit(1);
    }
}

/// `tests/suites/basic_tests/src/exit.erl` as `exit`.
fn short(program: &str) -> &str {
    let file = program.rsplit('/').next().unwrap_or(program);
    file.strip_suffix(".erl").unwrap_or(file)
}
