//! A planted bug: a lost update under defer-then-heal.
//!
//! A shopping cart's item count is replicated on a@sim and b@sim. A client on
//! each node adds items with a read-modify-write against its *local* replica:
//! `get` returns `{Count, Version}`, `put(Count + 1, Version)` succeeds only if
//! the version is still current (optimistic concurrency, correct on one node).
//! An accepted put bumps the replica's version, is acknowledged, and is sent
//! to the peer as a cast `Sync { count, version }`; a replica adopts a sync only
//! when its version is higher than its own (last writer wins).
//!
//! The bug: versions are per-replica counters, so version 3 on a@sim and
//! version 3 on b@sim can stand for different histories. While a defer partition
//! holds the syncs, each client reads a count that lacks the other side's
//! additions and bumps it. At heal the held syncs arrive in order; each replica
//! drops any sync whose version is not above its own, and adopts the others
//! wholesale, so either way the additions made on one side during the partition
//! are overwritten and gone from both replicas, although their clients were told
//! `ok`. The partition's start and length come from the seed: most runs have
//! none, or one where only one side writes, which is harmless.
//!
//! `cargo run --example lost_update` explores and finds it.

use erpc_sim::partition::{Fault, Mode};
use erpc_sim::prelude::*;
use serde::{Deserialize, Serialize};

/// Items each client adds.
const ADDS: i64 = 3;

/// What a client asks its replica: `get` answers `{Count, Version}`,
/// `{put, #{count => C, version => V}}` answers `ok` or `conflict`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Cart {
    Get,
    Put { count: i64, version: i64 },
}

/// What a replica casts to its peer after an accepted put.
#[derive(Serialize, Deserialize)]
struct Sync {
    count: i64,
    version: i64,
}

/// What a client tells the checker: `{acked, Node, N}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Report {
    Acked(String, i64),
}

fn peer_of(node: &str) -> &'static str {
    if node == "a@sim" {
        "b@sim"
    } else {
        "a@sim"
    }
}

/// One replica: a server answering `Cart` calls from local clients and taking
/// `Sync` casts from the peer replica.
async fn replica(cx: Cx) -> Result<Term, Exception> {
    cx.register("cart", cx.self_pid()).await?;
    let peer = peer_of(cx.node().as_str());
    let (mut count, mut version) = (0_i64, 0_i64);
    loop {
        match server::next(&cx).await {
            Request::Call { req, from } => match from_term(&req)? {
                Cart::Get => server::reply(&cx, &from, to_term(&(count, version))?).await,
                Cart::Put {
                    count: c,
                    version: seen,
                } => {
                    if seen != version {
                        server::reply(&cx, &from, atom!("conflict")).await;
                        continue;
                    }
                    count = c;
                    // The bug: a per-replica counter, blind to the peer's writes
                    // that have not arrived yet.
                    version += 1;
                    server::reply(&cx, &from, atom!("ok")).await;
                    // Replicate asynchronously, fire and forget.
                    server::cast(&cx, ("cart", peer), to_term(&Sync { count, version })?).await;
                }
            },
            // Last writer wins, by version: a sync with the same or a lower
            // version, a concurrent write included, is silently dropped.
            Request::Cast(m) => {
                let sync: Sync = from_term(&m)?;
                if sync.version > version {
                    count = sync.count;
                    version = sync.version;
                }
            }
            Request::Info(_) => {}
        }
    }
}

/// `{Count, Version}` of the replica on `node`.
async fn get(cx: &Cx, node: &str) -> Result<(i64, i64), Exception> {
    server::call_as(cx, ("cart", node), &Cart::Get, Timeout::Infinity).await
}

/// A client: `ADDS` additions to the local replica, `gap` apart, each a
/// read-modify-write retried on conflict. Reports what was acknowledged.
async fn client(cx: Cx, first: Time, gap: Time) -> Result<Term, Exception> {
    let node = cx.node().as_str();
    let mut acked = 0_i64;
    cx.sleep(first).await;
    for _ in 0..ADDS {
        loop {
            let (count, version) = get(&cx, node).await?;
            let put = Cart::Put {
                count: count + 1,
                version,
            };
            let r = server::call(&cx, ("cart", node), to_term(&put)?, Timeout::Infinity).await?;
            if r.is_atom("ok") {
                acked += 1;
                break;
            }
        }
        cx.sleep(gap).await;
    }
    let report = Report::Acked(node.to_string(), acked);
    cx.send(("checker", "a@sim"), to_term(&report)?).await?;
    Ok(Term::Int(acked))
}

/// Waits for both clients, lets replication settle, then reads both replicas:
/// every acknowledged addition must be in the count, on both.
async fn checker(cx: Cx) -> Result<Term, Exception> {
    cx.register("checker", cx.self_pid()).await?;
    let mut acked = 0;
    for _ in 0..2 {
        let Report::Acked(_, n) = server::recv_as(&cx).await;
        acked += n;
    }
    cx.sleep(Time::ms(100)).await;
    let (a, _) = get(&cx, "a@sim").await?;
    let (b, _) = get(&cx, "b@sim").await?;
    cx.check(
        a == acked && b == acked,
        format!(
            "{acked} additions acknowledged, but the replicas hold {a} (a@sim) and {b} (b@sim)"
        ),
    )?;
    Ok(Term::Int(acked))
}

/// The program: a replica on each node, a client on each, the checker on a,
/// and a defer partition between a and b whose start and length come from the
/// seed (most runs have none).
pub fn program(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim"])
        .boot_everywhere(replica)
        .build()
        .expect("two valid nodes");
    let mut rng = erpc_sim::core::SimRng::new(sim.seed(), 4_242);
    if rng.chance(0.3) {
        let start = Time::us(rng.below(1_000_000));
        let length = Time::us(5_000 + rng.below(40_000));
        sim.at(start, Fault::partition([["a@sim"], ["b@sim"]], Mode::Defer))
            .unwrap();
        sim.at(start + length, Fault::heal()).unwrap();
    }
    sim.spawn("a@sim", checker).expect("a@sim exists");
    sim.spawn("a@sim", |cx| client(cx, Time::ms(20), Time::ms(40)))
        .expect("a@sim exists");
    sim.spawn("b@sim", |cx| client(cx, Time::ms(40), Time::ms(40)))
        .expect("b@sim exists");
    sim
}

#[allow(dead_code)] // the bug tests include this file for `program`
fn main() {
    // The explorer prints the failure report (seed, shrunk schedule, replay
    // file, picture) itself.
    let result = Explorer::new("lost_update").iterations(5_000).run(program);
    if result.failure.is_none() {
        println!("{result}");
    }
}
