//! A planted bug found by the linearizability checker: a primary–backup
//! register whose backup, after a failover, serves reads before it holds
//! every acknowledged write.
//!
//! `p@sim` is the primary, `b@sim` the backup; two clients on `c@sim` write
//! unique values and read, through `erpc:call(Node, store, F, A, 50)`. Each
//! client records its operations in a shared [`Recorder`]: a reply is `ok`,
//! a failed write is `info` (it may have been applied: an erpc timeout or a
//! `noconnection` abandons the reply, not the request), a failed read did
//! not happen. After its first failure a client fails over to the backup.
//! The primary crashes at a time drawn from the seed; a checker process waits
//! for both clients and checks the history against a register in one line.
//!
//! The bug ([`Replication::Lazy`]): the primary acknowledges a write at once
//! and ships its value to the backup a few milliseconds later. A crash in
//! that window loses acknowledged writes, and a client that fails over reads
//! an older value. The fix ([`Replication::Sync`]): replicate with an
//! `erpc:call` to the backup before applying and acknowledging.
//!
//! `cargo run --example primary_backup` explores the buggy variant, prints
//! the counterexample the checker found, then runs 2,000 schedules of the
//! fixed one.

use erpc_sim::erpc;
use erpc_sim::history::{Register, RegisterOp, Ret};
use erpc_sim::partition::Fault;
use erpc_sim::prelude::*;

/// How the primary replicates a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replication {
    /// Acknowledge first, replicate 5 ms later (the bug).
    Lazy,
    /// Replicate synchronously, then apply and acknowledge (the fix).
    Sync,
}

type Rec = Recorder<RegisterOp<i64>, Ret<i64>>;

const PRIMARY: &str = "p@sim";
const BACKUP: &str = "b@sim";
const CLIENTS: &str = "c@sim";
/// Operations per client.
const OPS: u64 = 8;

/// Asks the local `reg` process and waits for its `{Ref, Reply}`.
async fn ask(cx: &Cx, req: Vec<Term>) -> Result<Term, Exception> {
    let r = cx.make_ref_marked();
    let mut msg = req;
    msg.extend([Term::Pid(cx.self_pid()), Term::Ref(r)]);
    cx.send("reg", Term::tuple(msg)).await?;
    let reply = cx
        .receive_marked(
            move |m| matches!(m.as_tuple(), Some([Term::Ref(x), _]) if *x == r),
            Timeout::Infinity,
        )
        .await;
    Ok(reply
        .and_then(|t| t.as_tuple().map(|t| t[1].clone()))
        .unwrap_or(Term::nil()))
}

/// Module `store` on every node: the functions the clients and the primary
/// call with erpc; each asks the node's `reg` process.
fn store() -> Module {
    Module::new("store")
        .function("read", 0, |cx, _| async move {
            ask(&cx, vec![atom!("read")]).await
        })
        .function("write", 1, |cx, args| async move {
            let v = args.into_iter().next().unwrap_or(Term::nil());
            ask(&cx, vec![atom!("write"), v]).await
        })
        .function("replicate", 1, |cx, args| async move {
            let v = args.into_iter().next().unwrap_or(Term::nil());
            ask(&cx, vec![atom!("replicate"), v]).await
        })
}

/// The register on one node: `{read, From, Ref}`, `{write, V, From, Ref}`,
/// `{replicate, V, From, Ref}`; on the primary also the lazy `flush` timer.
async fn reg(cx: Cx, mode: Replication) -> Result<Term, Exception> {
    cx.register("reg", cx.self_pid()).await?;
    let primary = cx.node() == Atom::new(PRIMARY);
    let mut value = 0_i64;
    let mut flush_armed = false;
    loop {
        let m = cx.recv().await;
        if m.is_atom("flush") {
            flush_armed = false;
            erpc::cast(&cx, BACKUP, "store", "replicate", args![value]).await;
            continue;
        }
        match m.as_tuple() {
            Some([op, Term::Pid(from), r]) if op.is_atom("read") => {
                cx.send(*from, tuple![r.clone(), value]).await?;
            }
            Some([op, Term::Int(v), Term::Pid(from), r]) if op.is_atom("write") => {
                let reply = if primary && mode == Replication::Sync {
                    // Every write the primary shows is on the backup first.
                    match erpc::call(
                        &cx,
                        BACKUP,
                        "store",
                        "replicate",
                        args![*v],
                        Timeout::ms(20),
                    )
                    .await
                    {
                        Ok(_) => {
                            value = *v;
                            atom!("ok")
                        }
                        Err(_) => atom!("error"),
                    }
                } else {
                    value = *v;
                    if primary && !flush_armed {
                        // The bug: acknowledged now, on the backup only later.
                        flush_armed = true;
                        cx.send_after(5, cx.self_pid(), atom!("flush")).await?;
                    }
                    atom!("ok")
                };
                cx.send(*from, tuple![r.clone(), reply]).await?;
            }
            Some([op, Term::Int(v), Term::Pid(from), r]) if op.is_atom("replicate") => {
                value = *v;
                cx.send(*from, tuple![r.clone(), atom!("ok")]).await?;
            }
            _ => {}
        }
    }
}

/// One client: `OPS` operations, a few ms apart, each a write of a unique
/// value or a read, drawn from the seed; fails over to the backup after the
/// first failed call. Tells the checker when done.
async fn client(cx: Cx, id: u64, rec: Rec) -> Result<Term, Exception> {
    let mut server = PRIMARY;
    for i in 0..OPS {
        cx.sleep(Time::ms(1 + cx.random(8))).await;
        let write = cx.random(2) == 0;
        if write {
            let v = i64::try_from(100 * (id + 1) + i).unwrap_or(0);
            let op = rec.invoke(&cx, id, RegisterOp::Write(v))?;
            match erpc::call(&cx, server, "store", "write", args![v], Timeout::ms(50)).await {
                Ok(r) if r.is_atom("ok") => op.ok(&cx, Ret::Ok)?,
                _ => {
                    op.info(&cx)?;
                    server = BACKUP;
                }
            }
        } else {
            let op = rec.invoke(&cx, id, RegisterOp::Read)?;
            match erpc::call(&cx, server, "store", "read", args![], Timeout::ms(50)).await {
                Ok(Term::Int(v)) => op.ok(&cx, Ret::Value(v))?,
                Ok(other) => op.fail(&cx, Ret::Value(other.as_int().unwrap_or(-1)))?,
                Err(_) => {
                    op.fail(&cx, Ret::Empty)?;
                    server = BACKUP;
                }
            }
        }
    }
    cx.send(("checker", CLIENTS), atom!("done")).await?;
    Ok(atom!("done"))
}

/// Waits for both clients, then checks the whole history.
async fn checker(cx: Cx, rec: Rec) -> Result<Term, Exception> {
    cx.register("checker", cx.self_pid()).await?;
    for _ in 0..2 {
        cx.receive(|m| m.is_atom("done")).await;
    }
    check_linearizable(&cx, &Register::new(0), &rec)?;
    Ok(atom!("linearizable"))
}

/// The program: the register on the primary and the backup, two clients,
/// the checker, and (in most runs) a crash of the primary at a seeded time.
pub fn program(b: SimBuilder, mode: Replication) -> Sim {
    let mut sim = b
        .nodes([PRIMARY, BACKUP, CLIENTS])
        .module_everywhere(store())
        .boot(PRIMARY, move |cx| reg(cx, mode))
        .boot(BACKUP, move |cx| reg(cx, mode))
        .build()
        .expect("three valid nodes");
    let mut rng = erpc_sim::core::SimRng::new(sim.seed(), 77);
    if rng.chance(0.8) {
        sim.at(Time::us(rng.below(60_000)), Fault::crash(PRIMARY))
            .expect("the primary exists");
    }
    let rec = Rec::new();
    let r = rec.clone();
    sim.spawn(CLIENTS, move |cx| checker(cx, r))
        .expect("c@sim exists");
    for id in 0..2 {
        let r = rec.clone();
        sim.spawn(CLIENTS, move |cx| client(cx, id, r))
            .expect("c@sim exists");
    }
    sim
}

/// The buggy variant, as the explorer takes it.
pub fn lazy(b: SimBuilder) -> Sim {
    program(b, Replication::Lazy)
}

/// The fixed variant.
pub fn sync(b: SimBuilder) -> Sim {
    program(b, Replication::Sync)
}

#[allow(dead_code)] // the tests include this file for `lazy` and `sync`
fn main() {
    let found = Explorer::new("primary_backup").iterations(2_000).run(lazy);
    if found.failure.is_none() {
        println!("the lazy backup was not caught: {found}");
        std::process::exit(1);
    }
    let fixed = Explorer::new("primary_backup_sync")
        .iterations(2_000)
        .quiet(true)
        .run(sync);
    println!("fixed variant: {fixed}");
}
