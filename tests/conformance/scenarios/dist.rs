//! Groups `dist_fault`, `partition_drop`, `partition_defer`, `node_restart`:
//! erpc and rpc across a cut connection, a frozen peer, a node killed and restarted.
//!
//! One function per scenario id, each the scenario's `erlang_code` in Rust.
//! What the oracle did to its nodes from the outside becomes a fault schedule
//! installed before the run ([`run_with_faults`]), as the conformance README
//! maps it:
//! - `erlang:disconnect_node/1` is a process-side BIF: [`Cx::disconnect_node`];
//! - a peer frozen for less than the tick timeout (`erts_debug` block, a short
//!   SIGSTOP) is a [`Mode::Defer`] partition isolating it, healed at the thaw;
//! - a freeze longer than the tick timeout (`net_ticktime` 4 s in the oracle)
//!   is a [`Mode::Drop`] partition with `net_ticktime(4 s)`, healed at SIGCONT;
//! - `oracle:kill9/1` is the node halting (a crash); `oracle:tmp_node/2` after
//!   a kill is a scheduled [`Fault::restart`], and the scenario waits until the
//!   node is back in `nodes()`, as `tmp_node` waits until it is connected.
//!
//! The node `T` of these scenarios is always running in the simulator, so
//! `oracle:tmp_node('T')` at the start of a scenario has nothing to do. The
//! `erts_debug` calls that freeze `T` are replaced by the fault schedule.
//! Wall-clock windows are computed from virtual time with the same bounds.

use crate::harness::{elem, flush, kill9, run, run_with_faults, t, Observed, T};
use erpc_sim::prelude::*;

type R = Result<Term, Exception>;

pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    vec![
        ("df01_disconnect_mid_erpc_call", df01),
        ("df02_disconnect_mid_rpc_call", df02),
        ("df03_disconnect_raw_message", df03),
        ("df05_monitor_and_link_on_disconnect", df05),
        ("df06_reconnect_after_disconnect", df06),
        ("df10_defer_blocked_node_timeout", df10),
        ("df11_defer_blocked_node_infinity", df11),
        ("df12_drop_frozen_past_ticktime", df12),
        ("df13_node_restart_same_name", df13),
        ("df14_rpc_call_to_frozen_node_timeout", df14),
    ]
}

// ---- dist_fault ----------------------------------------------------------------

fn df01() -> Observed {
    run(|e| async move {
        let (cx, n1) = (e.cx, e.n1);
        cx.spawn(move |c| async move {
            c.sleep(Time::ms(200)).await;
            c.disconnect_node(n1).await;
            Ok(atom!("ok"))
        })
        .await?;
        let r = t(erpc::call(
            &cx,
            n1,
            "oracle_fns",
            "sleep_mark",
            args![600, atom!("df01"), atom!("v")],
            Timeout::Infinity,
        )
        .await
        .map_err(Exception::from));
        cx.sleep(Time::ms(800)).await;
        let mark = t(erpc::call(
            &cx,
            n1,
            "oracle_fns",
            "get_mark",
            args![atom!("df01")],
            Timeout::Infinity,
        )
        .await
        .map_err(Exception::from));
        Ok(tuple![
            r,
            tuple![atom!("side_effect_after_reconnect"), mark],
            tuple![atom!("mailbox"), flush(&cx, 0).await],
        ])
    })
}

fn df02() -> Observed {
    run(|e| async move {
        let (cx, n1) = (e.cx, e.n1);
        cx.spawn(move |c| async move {
            c.sleep(Time::ms(200)).await;
            c.disconnect_node(n1).await;
            Ok(atom!("ok"))
        })
        .await?;
        let r = t(rpc::call(&cx, n1, "timer", "sleep", args![600], Timeout::Infinity).await);
        Ok(tuple![
            r,
            tuple![atom!("mailbox_after_800ms"), flush(&cx, 800).await]
        ])
    })
}

fn df03() -> Observed {
    run(|e| async move {
        let (cx, n1) = (e.cx, e.n1);
        let _ = erpc::send_request(&cx, n1, "timer", "sleep", args![600]).await;
        cx.sleep(Time::ms(200)).await;
        true_match(cx.disconnect_node(n1).await)?;
        Ok(flush(&cx, 1000).await)
    })
}

fn df05() -> Observed {
    run(|e| async move {
        let (cx, n1) = (e.cx, e.n1);
        cx.trap_exit(true);
        let p = remote_sleeper(&cx, n1).await?;
        let q = remote_sleeper(&cx, n1).await?;
        let r = cx.monitor(p).await;
        let rq = cx.monitor(q).await;
        cx.link(p).await?;
        true_match(cx.disconnect_node(n1).await)?;
        let down = down_reason(&cx, r, p).await;
        let down_q = down_reason(&cx, rq, q).await;
        let exit = cx
            .receive_timeout(
                move |m| matches!(m.as_tuple(), Some([tag, from, _]) if tag.is_atom("EXIT") && *from == Term::Pid(p)),
                Timeout::ms(3000),
            )
            .await
            .map_or(atom!("none"), |m| tuple![atom!("EXIT"), elem(&m, 2)]);
        cx.sleep(Time::ms(100)).await;
        let alive_p = erpc::call(
            &cx,
            n1,
            "erlang",
            "is_process_alive",
            args![p],
            Timeout::Infinity,
        )
        .await?;
        let alive_q = erpc::call(
            &cx,
            n1,
            "erlang",
            "is_process_alive",
            args![q],
            Timeout::Infinity,
        )
        .await?;
        // `erpc:call(N1, erlang, exit, [Q, kill])`: the simulator's `erlang`
        // module has `exit/1` only, so the same BIF is applied through a fun.
        erpc::call_fun(
            &cx,
            n1,
            move |c| async move {
                c.exit(q, atom!("kill")).await;
                Ok(atom!("true"))
            },
            Timeout::Infinity,
        )
        .await?;
        Ok(tuple![
            tuple![atom!("linked_and_monitored"), down, exit],
            tuple![atom!("monitored_only"), down_q],
            tuple![
                atom!("remote_alive_after"),
                tuple![atom!("linked"), alive_p],
                tuple![atom!("monitored_only"), alive_q],
            ],
        ])
    })
}

fn df06() -> Observed {
    run(|e| async move {
        let (cx, n1, nx) = (e.cx, e.n1, e.nx);
        let d1 = cx.disconnect_node(n1).await;
        let in1 = cx.nodes().contains(&n1);
        let c = t(
            erpc::call(&cx, n1, "erlang", "node", args![], Timeout::Infinity)
                .await
                .map_err(Exception::from),
        );
        let in2 = cx.nodes().contains(&n1);
        let d2 = cx.disconnect_node(nx).await;
        Ok(list![
            d1,
            in1,
            c,
            in2,
            tuple![atom!("disconnect_unknown"), d2]
        ])
    })
}

// ---- partition_defer -----------------------------------------------------------

/// `T` frozen (`erts_debug` block) for 1500 ms from the start.
fn freeze_t_1500(sim: &mut Sim) {
    sim.at(Time::ZERO, Fault::isolate(T, Mode::Defer)).unwrap();
    sim.at(Time::ms(1500), Fault::heal()).unwrap();
}

fn df10() -> Observed {
    run_with_faults(freeze_t_1500, |e| async move {
        let (cx, tn) = (e.cx, e.t);
        cx.sleep(Time::ms(100)).await;
        let t0 = cx.now();
        let me = cx.self_pid();
        let r = t(erpc::call(
            &cx,
            tn,
            "erlang",
            "send",
            args![me, atom!("applied_after_thaw")],
            Timeout::ms(300),
        )
        .await
        .map_err(Exception::from));
        let elapsed = (cx.now() - t0).as_ms();
        let late = cx
            .receive_timeout(|m| m.is_atom("applied_after_thaw"), Timeout::ms(4000))
            .await
            .map_or(atom!("not_arrived"), |_| atom!("arrived"));
        let stray = flush(&cx, 300).await;
        kill9(&cx, tn).await?;
        Ok(tuple![
            r,
            tuple![atom!("timed_out_near_300ms"), (300..700).contains(&elapsed)],
            tuple![atom!("side_effect_message"), late],
            tuple![atom!("stray"), stray],
        ])
    })
}

/// `T` frozen (`erts_debug` block) for 1000 ms from the start.
fn freeze_t_1000(sim: &mut Sim) {
    sim.at(Time::ZERO, Fault::isolate(T, Mode::Defer)).unwrap();
    sim.at(Time::ms(1000), Fault::heal()).unwrap();
}

fn df11() -> Observed {
    run_with_faults(freeze_t_1000, |e| async move {
        let (cx, tn) = (e.cx, e.t);
        cx.sleep(Time::ms(100)).await;
        let t0 = cx.now();
        let r = t(
            erpc::call(&cx, tn, "erlang", "node", args![], Timeout::Infinity)
                .await
                .map_err(Exception::from),
        );
        let elapsed = (cx.now() - t0).as_ms();
        kill9(&cx, tn).await?;
        Ok(tuple![r, tuple![atom!("waited_for_thaw"), elapsed >= 700]])
    })
}

/// `T` frozen (`erts_debug` block) for 1200 ms from the start.
fn freeze_t_1200(sim: &mut Sim) {
    sim.at(Time::ZERO, Fault::isolate(T, Mode::Defer)).unwrap();
    sim.at(Time::ms(1200), Fault::heal()).unwrap();
}

fn df14() -> Observed {
    run_with_faults(freeze_t_1200, |e| async move {
        let (cx, tn) = (e.cx, e.t);
        cx.sleep(Time::ms(100)).await;
        let r = t(rpc::call(&cx, tn, "erlang", "node", args![], Timeout::ms(300)).await);
        let stray = flush(&cx, 1500).await;
        kill9(&cx, tn).await?;
        Ok(tuple![r, tuple![atom!("stray"), stray]])
    })
}

// ---- partition_drop ------------------------------------------------------------

/// `T` SIGSTOPped 200 ms in and SIGCONTed 9 s later; the oracle's
/// `net_ticktime` is 4 s, so the connection is declared down while it is
/// frozen.
fn freeze_t_past_ticktime(sim: &mut Sim) {
    sim.at(
        Time::ms(200),
        Fault::isolate(T, Mode::Drop).net_ticktime(Time::secs(4)),
    )
    .unwrap();
    sim.at(Time::ms(9200), Fault::heal()).unwrap();
}

fn df12() -> Observed {
    run_with_faults(freeze_t_past_ticktime, |e| async move {
        let (cx, tn) = (e.cx, e.t);
        let t0 = cx.now();
        let r = t(erpc::call(
            &cx,
            tn,
            "oracle_fns",
            "sleep_mark",
            args![1000, atom!("df12"), atom!("v")],
            Timeout::Infinity,
        )
        .await
        .map_err(Exception::from));
        let elapsed = (cx.now() - t0).as_ms();
        cx.sleep(Time::ms(9200u64.saturating_sub(elapsed) + 2500))
            .await;
        let mark = t(erpc::call(
            &cx,
            tn,
            "oracle_fns",
            "get_mark",
            args![atom!("df12")],
            Timeout::ms(5000),
        )
        .await
        .map_err(Exception::from));
        let stray = flush(&cx, 0).await;
        kill9(&cx, tn).await?;
        Ok(tuple![
            r,
            tuple![
                atom!("detected_3_to_8s_after_call_start"),
                (3000..8000).contains(&elapsed)
            ],
            tuple![atom!("side_effect_after_resume"), mark],
            tuple![atom!("stray"), stray],
        ])
    })
}

// ---- node_restart --------------------------------------------------------------

/// `oracle:tmp_node("trestart", 'T')` a second time: `T` comes back (a new
/// incarnation) at 1 s, well after the scenario killed it.
fn restart_t(sim: &mut Sim) {
    sim.at(Time::secs(1), Fault::restart(T)).unwrap();
}

fn df13() -> Observed {
    run_with_faults(restart_t, |e| async move {
        let (cx, tn) = (e.cx, e.t);
        let old = remote_sleeper(&cx, tn).await?;
        kill9(&cx, tn).await?;
        wait_nodedown(&cx, tn, 5000).await?;
        let during = t(
            erpc::call(&cx, tn, "erlang", "node", args![], Timeout::Infinity)
                .await
                .map_err(Exception::from),
        );
        tmp_node(&cx, tn).await?;
        let after = t(
            erpc::call(&cx, tn, "erlang", "node", args![], Timeout::Infinity)
                .await
                .map_err(Exception::from),
        );
        let r = cx.monitor(old).await;
        let down = down_reason(&cx, r, old).await;
        kill9(&cx, tn).await?;
        Ok(list![
            tuple![atom!("while_down"), during],
            tuple![atom!("after_restart"), after],
            tuple![atom!("monitor_old_pid"), down],
        ])
    })
}

// ---- the oracle's helpers ------------------------------------------------------

/// `erpc:call(Node, erlang, spawn, [timer, sleep, [infinity]])`: a process on
/// `node` that sleeps forever, spawned by the erpc applier (so linked to
/// nobody). The simulator's `erlang` module has no `spawn/3`; the applier runs
/// the same BIF through a fun.
async fn remote_sleeper(cx: &Cx, node: Atom) -> Result<Pid, Exception> {
    let p = erpc::call_fun(
        cx,
        node,
        |c| async move {
            let (p, _) = c
                .spawn_apply(
                    "timer",
                    "sleep",
                    args![atom!("infinity")],
                    SpawnOpts::default(),
                )
                .await?;
            Ok(Term::Pid(p))
        },
        Timeout::Infinity,
    )
    .await?;
    match p {
        Term::Pid(p) => Ok(p),
        other => Err(Exception::error(tuple![atom!("badmatch"), other])),
    }
}

/// `true = Expr`.
fn true_match(b: bool) -> Result<(), Exception> {
    if b {
        Ok(())
    } else {
        Err(Exception::error(tuple![atom!("badmatch"), false]))
    }
}

/// `receive {'DOWN', Ref, process, Pid, R} -> {'DOWN', R} after 3000 -> none end`.
async fn down_reason(cx: &Cx, r: Ref, p: Pid) -> Term {
    cx.receive_timeout(
        move |m| {
            matches!(m.as_tuple(), Some([tag, mr, _, mp, _])
                if tag.is_atom("DOWN") && *mr == Term::Ref(r) && *mp == Term::Pid(p))
        },
        Timeout::ms(3000),
    )
    .await
    .map_or(atom!("none"), |m| tuple![atom!("DOWN"), elem(&m, 4)])
}

/// `ok = oracle:wait_nodedown(Node, Ms)`.
async fn wait_nodedown(cx: &Cx, node: Atom, ms: u64) -> Result<(), Exception> {
    cx.monitor_node(node, true).await;
    let nodedown = tuple![atom!("nodedown"), node];
    let got = cx
        .receive_timeout(move |m| *m == nodedown, Timeout::ms(ms))
        .await;
    cx.monitor_node(node, false).await;
    match got {
        Some(_) => Ok(()),
        None => Err(Exception::error(tuple![
            atom!("badmatch"),
            atom!("timeout")
        ])),
    }
}

/// `oracle:tmp_node/2` for a node the fault schedule restarts: returns once the
/// node is connected again (in `nodes()`), within 10 s.
async fn tmp_node(cx: &Cx, node: Atom) -> R {
    for _ in 0..1000 {
        if cx.nodes().contains(&node) {
            return Ok(Term::Atom(node));
        }
        cx.sleep(Time::ms(10)).await;
    }
    Err(Exception::error(tuple![atom!("tmp_node_timeout"), node]))
}
