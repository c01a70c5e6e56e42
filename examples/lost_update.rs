//! A planted bug: a lost update under defer-then-heal.
//!
//! A shopping cart's item count is replicated on a@sim and b@sim. A client on
//! each node adds items with a read-modify-write against its *local* replica:
//! `get` returns `{Count, Version}`, `put(Count + 1, Version)` succeeds only if
//! the version is still current (optimistic concurrency, correct on one node).
//! An accepted put bumps the replica's version, is acknowledged, and is sent
//! to the peer as `{sync, Node, Count, Version}`; a replica adopts a sync only
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

/// Items each client adds.
const ADDS: i64 = 3;

fn peer_of(node: &str) -> &'static str {
    if node == "a@sim" {
        "b@sim"
    } else {
        "a@sim"
    }
}

/// One replica: `{get, From, Ref}`, `{put, Count, Version, From, Ref}` from
/// local clients, `{sync, Node, Count, Version}` from the peer replica.
async fn replica(cx: Cx) -> Result<Term, Exception> {
    cx.register("cart", cx.self_pid()).await?;
    let peer = peer_of(cx.node().as_str());
    let (mut count, mut version) = (0_i64, 0_i64);
    loop {
        let m = cx.recv().await;
        match m.as_tuple() {
            Some([op, Term::Pid(from), r]) if op.is_atom("get") => {
                cx.send(*from, tuple![r.clone(), count, version]).await?;
            }
            Some([op, Term::Int(c), Term::Int(seen), Term::Pid(from), r]) if op.is_atom("put") => {
                if *seen != version {
                    cx.send(*from, tuple![r.clone(), atom!("conflict")]).await?;
                    continue;
                }
                count = *c;
                // The bug: a per-replica counter, blind to the peer's writes
                // that have not arrived yet.
                version += 1;
                cx.send(*from, tuple![r.clone(), atom!("ok")]).await?;
                // Replicate asynchronously, fire and forget.
                cx.send(
                    ("cart", peer),
                    tuple![atom!("sync"), Term::Atom(cx.node()), count, version],
                )
                .await?;
            }
            // Last writer wins, by version: a sync with the same or a lower
            // version, a concurrent write included, is silently dropped.
            Some([op, _origin, Term::Int(c), Term::Int(v)])
                if op.is_atom("sync") && *v > version =>
            {
                count = *c;
                version = *v;
            }
            _ => {}
        }
    }
}

/// Asks the replica on `node` and waits for the reply tagged with a fresh ref.
async fn ask(cx: &Cx, node: &str, req: &str, body: Vec<Term>) -> Result<Term, Exception> {
    let r = cx.make_ref_marked();
    let mut msg = vec![atom!(req)];
    msg.extend(body);
    msg.extend([Term::Pid(cx.self_pid()), Term::Ref(r)]);
    cx.send(("cart", node), Term::tuple(msg)).await?;
    let reply = cx
        .receive_marked(
            move |m| matches!(m.as_tuple(), Some([Term::Ref(x), ..]) if *x == r),
            Timeout::Infinity,
        )
        .await
        .unwrap_or(Term::nil());
    Ok(reply)
}

/// `{Count, Version}` of the replica on `node`.
async fn get(cx: &Cx, node: &str) -> Result<(i64, i64), Exception> {
    let reply = ask(cx, node, "get", vec![]).await?;
    match reply.as_tuple() {
        Some([_, Term::Int(c), Term::Int(v)]) => Ok((*c, *v)),
        _ => Err(Exception::error(tuple![atom!("badreply"), reply.clone()])),
    }
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
            let r = ask(
                &cx,
                node,
                "put",
                vec![Term::Int(count + 1), Term::Int(version)],
            )
            .await?;
            if r.as_tuple().is_some_and(|t| t[1].is_atom("ok")) {
                acked += 1;
                break;
            }
        }
        cx.sleep(gap).await;
    }
    cx.send(
        ("checker", "a@sim"),
        tuple![atom!("acked"), Term::Atom(cx.node()), acked],
    )
    .await?;
    Ok(Term::Int(acked))
}

/// Waits for both clients, lets replication settle, then reads both replicas:
/// every acknowledged addition must be in the count, on both.
async fn checker(cx: Cx) -> Result<Term, Exception> {
    cx.register("checker", cx.self_pid()).await?;
    let mut acked = 0;
    for _ in 0..2 {
        let m = cx
            .receive(|m| matches!(m.as_tuple(), Some([t, _, _]) if t.is_atom("acked")))
            .await;
        acked += m.as_tuple().and_then(|t| t[2].as_int()).unwrap_or(0);
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
