//! Groups `rpc_call`, `rpc_block_call`, `rpc_multicall`, `rpc_cast`,
//! `rpc_bcast`, `rpc_async`, `rpc_server`, `rpc_parallel`: the legacy `rpc`
//! API, scenario by scenario, each the scenario's `erlang_code` in Rust. (The
//! `rpc` scenarios of the fault groups, `df02` and `df14`, are in `dist.rs`.)
//!
//! Every node runs `rex` (the harness builds with `erpc_sim::builder()`). Where the
//! Erlang code applies `erlang:apply(F, [])` with a fun, the Rust closure forms
//! (`rpc::multicall_fun`) are that call. Where it passes what Rust's types rule
//! out (a string node name, args that are no list, a bad timeout or key), the
//! `_term` entry points take it as a term.
//!
//! The oracle's temporary node `T` runs only inside the scenarios that start
//! it with `oracle:tmp_node/1`; in the simulator it is always up, so it is
//! stopped first where a scenario reads `[node() | nodes()]` ([`without_t`]).

use super::erpc::flush;
use crate::harness::{elem, fun_error, kill9, nsort, run, t, tagged, Observed};
use erpc_sim::prelude::*;

type R = Result<Term, Exception>;

pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    vec![
        ("rp01_call_ok", rp01),
        ("rp02_call_throw_is_value", rp02),
        ("rp03_call_throw_exit_tuple", rp03),
        ("rp05_call_error", rp05),
        ("rp06_call_signal", rp06),
        ("rp07_call_undef", rp07),
        ("rp09_call_node_halts", rp09),
        ("rp10_call_timeout", rp10),
        ("rp11_call_returns_exit_tuple", rp11),
        ("rp13_call_local_in_caller", rp13),
        ("rp14_call_improper_args", rp14),
        ("rp15_call_timeout_zero", rp15),
        ("rp16_block_call_ok_in_rex", rp16),
        ("rp17_block_call_outcomes", rp17),
        ("rp18_block_call_never_started", rp18),
        ("rp20_block_call_serializes_rex", rp20),
        ("rp21_block_call_bad_args", rp21),
        ("rp22_block_call_node_halts", rp22),
        ("rp23_cast", rp23),
        ("rp24_abcast3", rp24),
        ("rp25_abcast2", rp25),
        ("rp26_sbcast3", rp26),
        ("rp28_async_call_yield", rp28),
        ("rp29_yield_outcomes", rp29),
        ("rp30_nb_yield", rp30),
        ("rp32_nb_yield_timeout_keeps_key", rp32),
        ("rp33_async_badarg", rp33),
        ("rp34_multicall_order", rp34),
        ("rp35_multicall_down_and_timeout", rp35),
        ("rp36_multicall_mixed_outcomes", rp36),
        ("rp38_multicall3_all_nodes", rp38),
        ("rp39_multicall4_timeout_form", rp39),
        ("rp40_multicall_badarg", rp40),
        ("rp42_multicall_empty", rp42),
        ("rp43_eval_everywhere4", rp43),
        ("rp44_eval_everywhere3", rp44),
        ("rp45_multi_server_call3", rp45),
        ("rp46_multi_server_call2", rp46),
        ("rp47_server_call", rp47),
        ("rp48_pmap", rp48),
        ("rp49_pmap_failure", rp49),
        ("rp50_parallel_eval", rp50),
        ("rp51_multicall_local_timeout", rp51),
    ]
}

const INF: Timeout = Timeout::Infinity;

// ---- rpc_call ------------------------------------------------------------------

fn rp01() -> Observed {
    run(|e| async move {
        Ok(t(
            rpc::call(&e.cx, e.n1, "erlang", "node", args![], INF).await
        ))
    })
}

fn rp02() -> Observed {
    run(|e| async move {
        Ok(t(rpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "throw",
            args![atom!("oops")],
            INF,
        )
        .await))
    })
}

fn rp03() -> Observed {
    run(|e| async move {
        let r = rpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "throw_exit_tuple",
            args![atom!("r")],
            INF,
        );
        Ok(t(r.await))
    })
}

fn rp05() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        Ok(list![
            t(rpc::call(cx, n1, "erlang", "error", args![atom!("oops")], INF).await),
            t(rpc::call(cx, n1, "erlang", "/", args![1, 0], INF).await),
        ])
    })
}

fn rp06() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        let signal = |reason: &'static str| {
            rpc::call(
                cx,
                n1,
                "oracle_fns",
                "exit_self_signal",
                args![atom!(reason)],
                INF,
            )
        };
        Ok(list![t(signal("oops").await), t(signal("kill").await)])
    })
}

fn rp07() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        Ok(list![
            t(rpc::call(cx, n1, "oracle_fns", "no_such_fun", args![1], INF).await),
            t(rpc::call(cx, n1, "no_such_module", "f", args![], INF).await),
        ])
    })
}

fn rp09() -> Observed {
    run(|e| async move {
        let r = t(rpc::call(&e.cx, e.t, "erlang", "halt", args![], INF).await);
        kill9(&e.cx, e.t).await?;
        Ok(r)
    })
}

fn rp10() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        let args = args![600, atom!("rp10"), atom!("late")];
        let r = t(rpc::call(cx, n1, "oracle_fns", "sleep_mark", args, Timeout::ms(100)).await);
        let late = flush(cx, 1200).await;
        let mark = erpc::call(cx, n1, "oracle_fns", "get_mark", args![atom!("rp10")], INF).await?;
        Ok(tuple![
            r,
            tuple![atom!("mailbox_after_1200ms"), late],
            tuple![atom!("side_effect"), mark],
        ])
    })
}

fn rp11() -> Observed {
    run(|e| async move {
        let r = rpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "return_exit_tuple",
            args![atom!("x")],
            INF,
        );
        Ok(t(r.await))
    })
}

fn rp13() -> Observed {
    run(|e| async move {
        let (cx, n0) = (&e.cx, e.n0);
        let me = Term::Pid(cx.self_pid());
        let is_me = |r: R| t(r.map(|p| Term::from(p == me)));
        Ok(list![
            is_me(rpc::call(cx, n0, "erlang", "self", args![], INF).await),
            is_me(rpc::call(cx, n0, "erlang", "self", args![], Timeout::ms(5000)).await),
        ])
    })
}

fn rp14() -> Observed {
    run(|e| async move {
        let improper = Term::improper_list([atom!("oops")], atom!("invalid"));
        let (n1, m, f) = (Term::Atom(e.n1), atom!("erlang"), atom!("error"));
        Ok(t(rpc::call_term(
            &e.cx,
            &n1,
            &m,
            &f,
            &improper,
            &atom!("infinity"),
        )
        .await))
    })
}

fn rp15() -> Observed {
    run(|e| async move {
        Ok(t(rpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "node",
            args![],
            Timeout::ms(0),
        )
        .await))
    })
}

// ---- rpc_block_call --------------------------------------------------------------

fn rp16() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        let node = t(rpc::block_call(cx, n1, "erlang", "node", args![], INF).await);
        let inside = rpc::block_call(cx, n1, "erlang", "self", args![], INF).await;
        let rex = rpc::call(cx, n1, "erlang", "whereis", args![atom!("rex")], INF).await?;
        Ok(list![node, t(inside.map(|p| Term::from(p == rex)))])
    })
}

fn rp17() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        let bc =
            |m: &'static str, f: &'static str, a: Vec<Term>| rpc::block_call(cx, n1, m, f, a, INF);
        Ok(list![
            t(bc("erlang", "throw", args![atom!("oops")]).await),
            t(bc("oracle_fns", "throw_exit_tuple", args![atom!("r")]).await),
            t(bc("erlang", "exit", args![atom!("oops")]).await),
            t(bc("erlang", "error", args![atom!("oops")]).await),
            t(bc("oracle_fns", "return_exit_tuple", args![atom!("x")]).await),
            t(bc("oracle_fns", "no_such_fun", args![]).await),
        ])
    })
}

fn rp18() -> Observed {
    run(|e| async move {
        let (cx, nx) = (&e.cx, e.nx);
        Ok(list![
            t(rpc::block_call(cx, nx, "erlang", "node", args![], INF).await),
            t(rpc::block_call(cx, nx, "erlang", "node", args![], Timeout::ms(1000)).await),
        ])
    })
}

fn rp20() -> Observed {
    run(|e| async move {
        let (cx, n2) = (&e.cx, e.n2);
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            let long = rpc::block_call(&c, n2, "timer", "sleep", args![800], INF).await?;
            c.send(me, tuple![atom!("long_done"), long]).await?;
            Ok(atom!("ok"))
        })
        .await?;
        cx.sleep(Time::ms(100)).await;
        let r1 = t(rpc::block_call(cx, n2, "erlang", "node", args![], Timeout::ms(200)).await);
        let r2 = t(rpc::call(cx, n2, "erlang", "node", args![], Timeout::ms(200)).await);
        let long = cx
            .receive_timeout(|m| tagged(m, "long_done"), Timeout::ms(3000))
            .await
            .map_or(atom!("none"), |m| elem(&m, 1));
        let r3 = t(rpc::block_call(cx, n2, "erlang", "node", args![], Timeout::ms(1000)).await);
        Ok(list![r1, r2, tuple![atom!("long"), long], r3])
    })
}

fn rp21() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let n1 = Term::Atom(e.n1);
        let (m, f, none, inf) = (atom!("erlang"), atom!("node"), list![], atom!("infinity"));
        let bc = |n: Term, a: Term, tmo: Term| {
            let (m, f) = (m.clone(), f.clone());
            async move { t(rpc::block_call_term(cx, &n, &m, &f, &a, &tmo).await) }
        };
        Ok(list![
            bc(n1.clone(), none.clone(), Term::Int(-1)).await,
            bc(n1.clone(), none.clone(), Term::Int(4_294_967_296)).await,
            bc(Term::string("n1"), none.clone(), inf.clone()).await,
            bc(n1.clone(), atom!("notalist"), inf.clone()).await,
        ])
    })
}

fn rp22() -> Observed {
    run(|e| async move {
        let r = t(rpc::block_call(&e.cx, e.t, "erlang", "halt", args![], INF).await);
        kill9(&e.cx, e.t).await?;
        Ok(r)
    })
}

// ---- rpc_cast --------------------------------------------------------------------

fn rp23() -> Observed {
    run(|e| async move {
        let (cx, n1, nx) = (&e.cx, e.n1, e.nx);
        let me = Term::Pid(cx.self_pid());
        let (m, f) = (atom!("erlang"), atom!("node"));
        let r = list![
            t(Ok(rpc::cast(
                cx,
                n1,
                "oracle_fns",
                "send_node",
                args![me.clone(), atom!("rc")]
            )
            .await)),
            t(Ok(rpc::cast(
                cx,
                nx,
                "oracle_fns",
                "send_node",
                args![me, atom!("rc")]
            )
            .await)),
            t(rpc::cast_term(cx, &Term::string("n1"), &m, &f, &list![]).await),
            t(rpc::cast_term(cx, &Term::Atom(n1), &m, &f, &atom!("notalist")).await),
        ];
        Ok(tuple![r, flush(cx, 500).await])
    })
}

// ---- rpc_bcast -------------------------------------------------------------------

fn fwd(cx: &Cx, tag: &str) -> Term {
    tuple![atom!("fwd"), cx.self_pid(), Term::atom(tag)]
}

fn rp24() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let nodes = [e.n1, e.n3, e.nx, e.n2];
        let r = t(Ok(
            rpc::abcast(cx, &nodes, "oracle_reg", fwd(cx, "ab3")).await
        ));
        Ok(tuple![r, nsort(flush(cx, 500).await)])
    })
}

fn rp25() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        without_t(cx, e.t).await?;
        let r = t(Ok(rpc::abcast_all(cx, "oracle_reg", fwd(cx, "ab2")).await));
        Ok(tuple![r, nsort(flush(cx, 500).await)])
    })
}

fn rp26() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let nodes = [e.n1, e.n3, e.nx, e.n2];
        let r = t(Ok(
            rpc::sbcast(cx, &nodes, "oracle_reg", fwd(cx, "sb3")).await
        ));
        Ok(tuple![r, nsort(flush(cx, 500).await)])
    })
}

fn rp43() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let args = args![cx.self_pid(), atom!("ev4")];
        let nodes = [e.n1, e.nx, e.n2];
        let r = t(Ok(rpc::eval_everywhere(
            cx,
            &nodes,
            "oracle_fns",
            "send_node",
            args,
        )
        .await));
        Ok(tuple![r, nsort(flush(cx, 500).await)])
    })
}

fn rp44() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        without_t(cx, e.t).await?;
        let args = args![cx.self_pid(), atom!("ev3")];
        let r = t(Ok(rpc::eval_everywhere_all(
            cx,
            "oracle_fns",
            "send_node",
            args,
        )
        .await));
        Ok(tuple![r, nsort(flush(cx, 500).await)])
    })
}

// ---- rpc_async -------------------------------------------------------------------

fn rp28() -> Observed {
    run(|e| async move {
        let k = rpc::async_call(&e.cx, e.n1, "erlang", "node", args![]).await;
        Ok(t(rpc::yield_result(&e.cx, k).await))
    })
}

fn rp29() -> Observed {
    run(|e| async move {
        let (cx, n1) = (&e.cx, e.n1);
        let x = || args![atom!("x")];
        let keys = [
            rpc::async_call(cx, n1, "erlang", "throw", x()).await,
            rpc::async_call(cx, n1, "erlang", "exit", x()).await,
            rpc::async_call(cx, n1, "erlang", "error", x()).await,
            rpc::async_call(cx, n1, "oracle_fns", "return_exit_tuple", x()).await,
            rpc::async_call(cx, n1, "oracle_fns", "exit_self_signal", x()).await,
            rpc::async_call(cx, e.nx, "erlang", "node", args![]).await,
        ];
        let mut out = Vec::new();
        for k in keys {
            out.push(t(rpc::yield_result(cx, k).await));
        }
        Ok(Term::List(out))
    })
}

fn rp30() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let k = rpc::async_call(cx, e.n1, "oracle_fns", "sleep_ret", args![400, atom!("v")]).await;
        Ok(list![
            t(rpc::nb_yield(cx, k, Timeout::ms(0)).await),
            t(rpc::nb_yield(cx, k, Timeout::ms(50)).await),
            t(rpc::nb_yield(cx, k, INF).await),
        ])
    })
}

fn rp32() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let k = rpc::async_call(cx, e.n1, "oracle_fns", "sleep_ret", args![300, atom!("v")]).await;
        Ok(list![
            t(rpc::nb_yield(cx, k, Timeout::ms(10)).await),
            t(rpc::yield_result(cx, k).await),
        ])
    })
}

fn rp33() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let k = rpc::async_call(cx, e.n1, "erlang", "node", args![]).await;
        let (m, f) = (atom!("erlang"), atom!("node"));
        let bad_node = rpc::async_call_term(cx, &Term::string("n1"), &m, &f, &list![]).await;
        let r = list![
            t(bad_node.map(|k| k.to_term())),
            t(rpc::nb_yield_term(cx, &k.to_term(), &Term::Int(-1)).await),
            t(rpc::yield_term(cx, &atom!("not_a_key")).await),
        ];
        let _ = rpc::yield_result(cx, k).await;
        Ok(r)
    })
}

// ---- rpc_multicall ---------------------------------------------------------------

fn rp34() -> Observed {
    run(|e| async move {
        let nodes = [e.n3, e.n1, e.n2];
        Ok(t(rpc::multicall(
            &e.cx,
            &nodes,
            "erlang",
            "node",
            args![],
            INF,
        )
        .await))
    })
}

fn rp35() -> Observed {
    run(|e| async move {
        let (cx, n2) = (&e.cx, e.n2);
        let f = move |c: Cx| async move {
            if c.node() == n2 {
                c.sleep(Time::ms(1000)).await;
                return Ok(atom!("slow"));
            }
            Ok(Term::Atom(c.node()))
        };
        let nodes = [n2, e.n1, e.nx, e.n3];
        let r = t(rpc::multicall_fun(cx, &nodes, f, Timeout::ms(300)).await);
        Ok(tuple![
            r,
            tuple![atom!("mailbox_after_1200ms"), flush(cx, 1200).await]
        ])
    })
}

fn rp36() -> Observed {
    run(|e| async move {
        let (n0, n1, n2, n3) = (e.n0, e.n1, e.n2, e.n3);
        let f = move |c: Cx| async move {
            match c.node() {
                x if x == n0 => Ok(tuple![atom!("EXIT"), atom!("returned")]),
                x if x == n1 => Err(Exception::throw(atom!("n1_thrown"))),
                x if x == n2 => Err(Exception::exit(atom!("n2_exit"))),
                x if x == n3 => Err(fun_error(atom!("n3_error"))),
                _ => Err(fun_error(atom!("case_clause"))),
            }
        };
        Ok(t(rpc::multicall_fun(&e.cx, &[n0, n1, n2, n3], f, INF).await))
    })
}

/// `{ResL, Bad} = rpc:multicall(...)`, printed as `{nsort(ResL), Bad}`.
fn sorted_res(r: Term) -> Term {
    match r.as_tuple() {
        Some([res, bad]) => tuple![nsort(res.clone()), bad.clone()],
        _ => r,
    }
}

fn rp38() -> Observed {
    run(|e| async move {
        without_t(&e.cx, e.t).await?;
        let r = rpc::multicall_all(&e.cx, "erlang", "node", args![], INF).await?;
        Ok(sorted_res(r))
    })
}

fn rp39() -> Observed {
    run(|e| async move {
        without_t(&e.cx, e.t).await?;
        let r = rpc::multicall_all(&e.cx, "erlang", "node", args![], Timeout::ms(5000)).await?;
        Ok(sorted_res(r))
    })
}

fn rp40() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let n1 = Term::Atom(e.n1);
        let (m, f, none, inf) = (atom!("erlang"), atom!("node"), list![], atom!("infinity"));
        let mc = |nodes: Term, a: Term, tmo: Term| {
            let (m, f) = (m.clone(), f.clone());
            async move { t(rpc::multicall_term(cx, &nodes, &m, &f, &a, &tmo).await) }
        };
        Ok(list![
            mc(
                list![n1.clone(), Term::binary(b"x")],
                none.clone(),
                inf.clone()
            )
            .await,
            mc(list![n1.clone()], none.clone(), Term::Int(4_294_967_296)).await,
            mc(list![n1.clone()], atom!("notalist"), inf.clone()).await,
        ])
    })
}

fn rp42() -> Observed {
    run(|e| async move {
        let none: [Atom; 0] = [];
        Ok(t(rpc::multicall(
            &e.cx,
            &none,
            "erlang",
            "node",
            args![],
            INF,
        )
        .await))
    })
}

fn rp51() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let nodes = [e.n0, e.n1];
        let r =
            t(rpc::multicall(cx, &nodes, "timer", "sleep", args![1000], Timeout::ms(200)).await);
        Ok(tuple![
            r,
            tuple![atom!("mailbox_after_1200ms"), flush(cx, 1200).await]
        ])
    })
}

// ---- rpc_server ------------------------------------------------------------------

fn ping(n: i64) -> Term {
    tuple![atom!("ping"), n]
}

fn rp45() -> Observed {
    run(|e| async move {
        let nodes = [e.n1, e.n3, e.nx, e.n2];
        Ok(t(Ok(rpc::multi_server_call(
            &e.cx,
            &nodes,
            "oracle_reg",
            ping(1),
        )
        .await)))
    })
}

fn rp46() -> Observed {
    run(|e| async move {
        without_t(&e.cx, e.t).await?;
        let r = rpc::multi_server_call_all(&e.cx, "oracle_reg", ping(2)).await;
        Ok(match r.as_tuple() {
            Some([rep, bad]) => tuple![nsort(rep.clone()), nsort(bad.clone())],
            _ => r,
        })
    })
}

fn rp47() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let sc = |n: Atom| rpc::server_call(cx, n, "oracle_reg", atom!("oracle_reg"), ping(3));
        Ok(list![
            t(Ok(sc(e.n1).await)),
            t(Ok(sc(e.n3).await)),
            t(Ok(sc(e.nx).await)),
        ])
    })
}

// ---- rpc_parallel ----------------------------------------------------------------

fn rp48() -> Observed {
    run(|e| async move {
        without_t(&e.cx, e.t).await?;
        let list = args![1, 2, 3, 4, 5];
        Ok(t(rpc::pmap(&e.cx, "erlang", "-", args![10], list).await))
    })
}

fn rp49() -> Observed {
    run(|e| async move {
        without_t(&e.cx, e.t).await?;
        let list = args![atom!("a"), 1, atom!("b")];
        Ok(t(
            rpc::pmap(&e.cx, "erlang", "atom_to_list", args![], list).await
        ))
    })
}

fn rp50() -> Observed {
    run(|e| async move {
        without_t(&e.cx, e.t).await?;
        let erlang = Atom::new("erlang");
        let call = |f: &str, a: Vec<Term>| (erlang, Atom::new(f), a);
        Ok(t(rpc::parallel_eval(
            &e.cx,
            vec![
                call("+", args![1, 2]),
                call("atom_to_list", args![atom!("x")]),
                call("throw", args![atom!("t")]),
                call("error", args![atom!("e")]),
                call("exit", args![atom!("x")]),
            ],
        )
        .await))
    })
}

// ---- the oracle's helpers --------------------------------------------------------

/// Stops `T` and waits until it has left `nodes()`: in the oracle it runs
/// only inside the scenarios that start it.
async fn without_t(cx: &Cx, tn: Atom) -> Result<(), Exception> {
    cx.monitor_node(tn, true).await;
    kill9(cx, tn).await?;
    let down = tuple![atom!("nodedown"), tn];
    cx.receive(move |m| *m == down).await;
    Ok(())
}
