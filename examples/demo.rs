//! The bug hunt: a replicated counter that double-counts under a partition.
//!
//! Three nodes. `b@sim` is the primary of a small key-value store, `c@sim`
//! its backup: `kv:incr(Key)` applied on the primary bumps the counter and
//! replicates the new value to the backup with `erpc:cast`. A client on
//! `a@sim` counts three visits with `erpc:call(b, kv, incr, [visits], 20)`,
//! and, like much real code, retries when the call times out or the
//! connection drops.
//!
//! The bug: an erpc timeout abandons the *reply*, not the *request*. When a
//! partition holds or cuts the traffic while an increment is in flight, the
//! primary may still apply it, and the retry applies it again. The check at
//! the end (counter == visits counted) fails only when a partition overlaps a
//! call in a particular way, which is exactly what exploration is for.
//!
//! `cargo run --release --example demo` explores seeds in parallel, finds the
//! bug, shrinks the schedule, writes a replay file, a JSON Lines trace and a
//! sequence diagram under `target/erpc-sim/`, replays the file to show it
//! reproduces, and prints where everything is.

use erpc_sim::erpc::{self, ErpcError};
use erpc_sim::partition::{Fault, Mode};
use erpc_sim::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the store's server is asked: `{incr, Key}`, `{set, Key, V}`, `{get, Key}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Op {
    Incr(Term),
    Set(Term, i64),
    Get(Term),
}

/// The store's server on each node: answers each `Op` with the key's value.
async fn kv_server(cx: Cx) -> Result<Term, Exception> {
    cx.register("kv", cx.self_pid()).await?;
    // Named in the sequence diagram.
    cx.label("kv", None);
    let data: BTreeMap<Term, i64> = BTreeMap::new();
    server::serve(&cx, data, |_cx, mut data, req| async move {
        let Request::Call { req, .. } = req else {
            return Ok((data, None));
        };
        let value = match from_term(&req)? {
            Op::Incr(key) => {
                let v = data.entry(key).or_insert(0);
                *v += 1;
                *v
            }
            // A replicated write from the primary.
            Op::Set(key, v) => {
                data.insert(key, v);
                v
            }
            Op::Get(key) => data.get(&key).copied().unwrap_or(0),
        };
        Ok((data, Some(Term::Int(value))))
    })
    .await
}

/// Asks the local `kv` server.
async fn ask(cx: &Cx, op: Op) -> Result<Term, Exception> {
    server::call(cx, "kv", to_term(&op)?, Timeout::Infinity).await
}

/// Module `kv`, loaded on every node.
fn kv_module() -> Module {
    Module::new("kv")
        .function("incr", 1, |cx, args| async move {
            let key = args.into_iter().next().unwrap_or(Term::nil());
            let v = ask(&cx, Op::Incr(key.clone())).await?;
            // Replicate to the backup, fire and forget.
            erpc::cast(&cx, "c@sim", "kv", "set", args![key, v.clone()]).await;
            Ok(v)
        })
        .function("set", 2, |cx, args| async move {
            let (key, v) = (args[0].clone(), args[1].as_int().unwrap_or(0));
            ask(&cx, Op::Set(key, v)).await
        })
        .function("get", 1, |cx, args| async move {
            let key = args.into_iter().next().unwrap_or(Term::nil());
            ask(&cx, Op::Get(key)).await
        })
}

/// The client: three visits, each retried on timeout or connection loss.
async fn client(cx: Cx) -> Result<Term, Exception> {
    cx.label("client", None);
    let mut counted = 0;
    for _ in 0..3 {
        // Visits arrive over time.
        cx.sleep(Time::ms(100)).await;
        for _attempt in 0..50 {
            let r = erpc::call(
                &cx,
                "b@sim",
                "kv",
                "incr",
                args![atom!("visits")],
                Timeout::ms(20),
            )
            .await;
            match r {
                Ok(_) => {
                    counted += 1;
                    break;
                }
                // The bug: retrying a non-idempotent call that may have run.
                Err(e)
                    if matches!(
                        e.erpc_error(),
                        Some(ErpcError::Timeout | ErpcError::Noconnection)
                    ) =>
                {
                    cx.sleep(Time::ms(5)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    // Let everything settle, then read the primary's counter.
    cx.sleep(Time::ms(500)).await;
    let stored = erpc::call(
        &cx,
        "b@sim",
        "kv",
        "get",
        args![atom!("visits")],
        Timeout::ms(1_000),
    )
    .await?;
    cx.check(
        stored == Term::Int(counted),
        format!("counted {counted} visits but the store says {stored}"),
    )?;
    Ok(stored)
}

/// The program explored: the store, the client, and a partition whose mode,
/// start and length are drawn from the seed (most runs have none).
pub fn program(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim", "c@sim"])
        .module_everywhere(kv_module())
        .boot_everywhere(kv_server)
        .build()
        .expect("three valid nodes");
    let mut rng = erpc_sim::core::SimRng::new(sim.seed(), 1_000);
    if rng.chance(0.3) {
        let start = Time::us(rng.below(1_000_000));
        let length = Time::us(5_000 + rng.below(60_000));
        let mode = if rng.chance(0.5) {
            Mode::Defer
        } else {
            Mode::Drop
        };
        sim.at(
            start,
            Fault::partition((["a@sim"], ["b@sim", "c@sim"]), mode),
        )
        .unwrap();
        sim.at(start + length, Fault::heal()).unwrap();
    }
    sim.spawn("a@sim", client).expect("a@sim exists");
    sim
}

#[allow(dead_code)] // the bug tests include this file for `program`
fn main() {
    println!("erpc-sim demo: hunting a double increment in a replicated counter");
    println!(
        "  nodes a@sim (client), b@sim (primary), c@sim (backup); partitions drawn from the seed\n"
    );
    let explorer = Explorer::new("demo").iterations(10_000).quiet(true);
    let result = explorer.run(program);
    let Some(failure) = &result.failure else {
        println!(
            "no failure in {} schedules ({:.0} schedules/s)",
            result.runs,
            result.schedules_per_sec()
        );
        std::process::exit(1);
    };
    println!(
        "explored {} schedules on {} threads ({:.0} schedules/s)\n",
        result.runs,
        result.threads,
        result.schedules_per_sec()
    );
    print!("{result}");
    if let Some(path) = &failure.replay_path {
        match explorer.replay_file(path, program) {
            Ok(again) => println!(
                "\nreplayed {}: {} (digest {:016x}, {})",
                path.display(),
                again.outcome,
                again.digest,
                if again.digest == failure.report.digest && again.divergence.is_none() {
                    "identical to the failing run"
                } else {
                    "DIFFERENT from the failing run"
                }
            ),
            Err(e) => println!("\ncould not replay: {e}"),
        }
    }
    println!("\nopen the picture in a browser to see the failing schedule as a sequence diagram.");
}
