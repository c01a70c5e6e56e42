//! Groups `erpc_call`, `erpc_call_local`, `erpc_async`, `erpc_coll`,
//! `erpc_multi`, `erpc_cast`, `erpc_wire`: the OTP 25 `erpc` API, scenario by
//! scenario, each reproducing the Erlang code recorded in `otp25.jsonl`.

pub(crate) use crate::harness::flush;
use crate::harness::{fun_error, nsort, run, Observed};
use erpc_sim::core::FrameArgs;
use erpc_sim::erpc::{CollectionError, Fun, PollResult, ReceiveResult, RequestId};
use erpc_sim::prelude::*;

pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    vec![
        ("ec01_call4_mfa_ok", ec01),
        ("ec02_call2_fun_ok", ec02),
        ("ec03_call3_fun_timeout_ok", ec03),
        ("ec05_external_fun", ec05),
        ("ec06_throw", ec06),
        ("ec07_exit", ec07),
        ("ec09_error", ec09),
        ("ec10_error_badarith", ec10),
        ("ec11_error_nested_first_frame", ec11),
        ("ec13_error_stack_shape_fun", ec13),
        ("ec14_signal", ec14),
        ("ec15_signal_kill", ec15),
        ("ec17_undef_function", ec17),
        ("ec18_undef_module", ec18),
        ("ec19_badarg_node_not_atom", ec19),
        ("ec21_badarg_module_not_atom", ec21),
        ("ec22_badarg_timeout_negative", ec22),
        ("ec23_badarg_timeout_too_big", ec23),
        ("ec25_timeout_max_ok", ec25),
        ("ec26_abs_too_far", ec26),
        ("ec27_abs_past", ec27),
        ("ec29_abs_not_integer", ec29),
        ("ec30_improper_args", ec30),
        ("ec31_fun_wrong_arity", ec31),
        ("ec33_noconnection_plain_atom", ec33),
        ("ec34_noconnection_nonode", ec34),
        ("ec35_node_halts_during_call", ec35),
        ("ec37_timeout_abandons", ec37),
        ("ec38_timeout_zero", ec38),
        ("ec39_self_infinity_runs_in_caller", ec39),
        ("ec40_self_timeout_spawns", ec40),
        ("ec42_self_signal_timeout", ec42),
        ("ec43_self_signal_infinity_kills_caller", ec43),
        ("ec44_self_timeout", ec44),
        ("ec45_returns_exit_tuple", ec45),
        ("ec47_group_leader_is_callers", ec47),
        ("ec48_monitored_not_linked", ec48),
        ("ea01_send_request4_receive_response1", ea01),
        ("ea02_send_request2_receive_response2", ea02),
        ("ea03_receive_response_timeout_abandons", ea03),
        ("ea05_wait_timeout_keeps_request", ea05),
        ("ea06_wait_response_exceptions", ea06),
        ("ea07_receive_response_exceptions", ea07),
        ("ea09_check_response_exception", ea09),
        ("ea10_badarg_request_ids", ea10),
        ("ea11_send_request_badarg", ea11),
        ("ea13_outstanding_any_order", ea13),
        ("ea14_send_request_never_started", ea14),
        ("ea15_raw_return", ea15),
        ("ea16_raw_exceptions", ea16),
        ("ea17_raw_never_started", ea17),
        ("ea19_abandoned_id_infinity_blocks", ea19),
        ("ea20_self_timeout_zero", ea20),
        ("co01_reqids_new_empty", co01),
        ("co02_reqids_add_size_to_list", co02),
        ("co03_reqids_add_duplicate", co03),
        ("co05_receive_response_arrival_order", co05),
        ("co06_receive_response_delete_false", co06),
        ("co07_empty_collection", co07),
        ("co09_wait_collection_timeout_keeps", co09),
        ("co10_collection_error_outcomes", co10),
        ("co11_check_response_collection", co11),
        ("co13_wait_response_collection_success", co13),
        ("co14_collection_badarg", co14),
        ("co15_collection_noconnection", co15),
        ("mc01_multicall_order", mc01),
        ("mc02_multicall_local_ghost_duplicates", mc02),
        ("mc03_multicall_mixed_outcomes", mc03),
        ("mc05_multicall_fun_forms", mc05),
        ("mc06_multicall_badarg", mc06),
        ("mc07_multicall_local_in_caller", mc07),
        ("mc09_multicall_all_timeout", mc09),
        ("mc10_multicall_empty", mc10),
        ("mc11_multicall_node_halts", mc11),
        ("mc13_multicast_ok", mc13),
        ("mc14_multicast_fun", mc14),
        ("mc15_multicast_badarg", mc15),
        ("ca01_cast4_ok", ca01),
        ("ca02_cast2_fun_ok", ca02),
        ("ca03_cast_never_started", ca03),
        ("ca05_cast_remote_error_silent", ca05),
        ("ca06_cast2_wrong_arity_not_checked", ca06),
    ]
}

// ---- helpers: the oracle's `?T`, `oracle:flush/1`, `oracle:nsort/1` -------

type Outcome = Result<Term, erpc::Exception>;

/// `?T(Expr)` for an erpc outcome: `{ok, V}` or `{Class, Reason}`.
pub(crate) fn t(r: Outcome) -> Term {
    match r {
        Ok(v) => tuple![atom!("ok"), v],
        Err(e) => e.to_term(),
    }
}

/// `?T(Expr)` for a collection operation.
fn tc(r: Result<Term, CollectionError>) -> Term {
    match r {
        Ok(v) => tuple![atom!("ok"), v],
        Err(e) => e.to_term(),
    }
}

/// `wait_response/2` and `check_response/2` print `{response, V}` or
/// `no_response`.
fn response(r: Result<Option<Term>, erpc::Exception>) -> Outcome {
    r.map(|v| match v {
        Some(v) => tuple![atom!("response"), v],
        None => atom!("no_response"),
    })
}

/// `?T` of `call/2`-style results that return `ok`.
fn ok_unit(r: Result<(), erpc::Exception>) -> Term {
    t(r.map(|()| atom!("ok")))
}

/// A multicall's result list: one `{ok, V}` or `{Class, Reason}` per node.
fn slots(r: Result<Vec<Outcome>, erpc::Exception>) -> Outcome {
    r.map(|v| Term::List(v.into_iter().map(t).collect()))
}

/// The corpus's normalisation of request ids (`'<reqid>'`) and collections
/// (`{'<reqid_collection>', SortedLabels}`, the empty one staying `#{}`),
/// applied before the harness's own.
fn norm(t: &Term) -> Term {
    if RequestId::from_term(t).is_ok() {
        return atom!("<reqid>");
    }
    match t {
        Term::Map(m) if !m.is_empty() => match erpc::RequestIdCollection::from_term(t) {
            Ok(c) => {
                let mut labels = c.labels();
                labels.sort();
                tuple![atom!("<reqid_collection>"), Term::List(labels)]
            }
            Err(_) => Term::map(m.iter().map(|(k, v)| (norm(k), norm(v)))),
        },
        Term::Tuple(items) => Term::Tuple(items.iter().map(norm).collect()),
        Term::List(items) => Term::List(items.iter().map(norm).collect()),
        other => other.clone(),
    }
}

fn n(cx: &Cx) -> Term {
    Term::Atom(cx.node())
}

// ---- erpc_call ------------------------------------------------------------

fn ec01() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "node",
            args![],
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec02() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call_fun(
            &e.cx,
            e.n1,
            |c| async move { Ok(n(&c)) },
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec03() -> Observed {
    run(|e| async move {
        let f = |c: Cx| async move { Ok(tuple![n(&c), 42]) };
        Ok(t(erpc::call_fun(&e.cx, e.n1, f, Timeout::ms(5000)).await))
    })
}

fn ec05() -> Observed {
    run(|e| async move {
        // `fun oracle_fns:node_name/0`: an external fun applies the MFA.
        let f = |c: Cx| async move {
            c.apply(Atom::new("oracle_fns"), Atom::new("node_name"), vec![])
                .await
        };
        Ok(t(erpc::call_fun(&e.cx, e.n1, f, Timeout::Infinity).await))
    })
}

fn ec06() -> Observed {
    run(|e| async move {
        let a = args![atom!("oops")];
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "throw",
            a,
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec07() -> Observed {
    run(|e| async move {
        let a = args![atom!("oops")];
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "exit",
            a,
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec09() -> Observed {
    run(|e| async move {
        let a = args![atom!("oops")];
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "error",
            a,
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec10() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "erlang",
            "/",
            args![1, 0],
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec11() -> Observed {
    run(|e| async move {
        let a = args![atom!("boom")];
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "deep_error",
            a,
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec13() -> Observed {
    run(|e| async move {
        let f = |c: Cx| async move {
            let a = args![atom!("boom")];
            c.apply(Atom::new("oracle_fns"), Atom::new("deep_error"), a)
                .await
        };
        let r = erpc::call_fun(&e.cx, e.n1, f, Timeout::Infinity).await;
        Ok(match r {
            Err(erpc::Exception::Error(erpc::Error::Exception { reason, stack })) => {
                let frames = stack.iter().map(|fr| {
                    let a = match &fr.args {
                        FrameArgs::Args(a) => tuple![atom!("args"), Term::List(a.clone())],
                        FrameArgs::Arity(n) => Term::from(*n),
                    };
                    tuple![fr.module, fr.function, a]
                });
                tuple![reason, Term::List(frames.collect())]
            }
            other => tuple![atom!("unexpected"), t(other)],
        })
    })
}

fn ec14() -> Observed {
    run(|e| async move {
        let a = args![atom!("oops")];
        let r = erpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "exit_self_signal",
            a,
            Timeout::Infinity,
        );
        Ok(t(r.await))
    })
}

fn ec15() -> Observed {
    run(|e| async move {
        let a = args![atom!("kill")];
        let r = erpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "exit_self_signal",
            a,
            Timeout::Infinity,
        );
        Ok(t(r.await))
    })
}

fn ec17() -> Observed {
    run(|e| async move {
        let r = erpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "no_such_fun",
            args![1],
            Timeout::Infinity,
        );
        Ok(t(r.await))
    })
}

fn ec18() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
            &e.cx,
            e.n1,
            "no_such_module",
            "f",
            args![],
            Timeout::Infinity,
        )
        .await))
    })
}

/// `erpc:call(N, M, F, A)` with terms: what Rust's types rule out.
async fn call4(cx: &Cx, node: Term, m: Term, f: Term, a: Term) -> Term {
    t(erpc::call_term(cx, &node, &m, &f, &a, &atom!("infinity")).await)
}

fn ec19() -> Observed {
    run(|e| async move {
        let node = Term::string(e.n1.as_str());
        Ok(call4(&e.cx, node, atom!("erlang"), atom!("node"), list![]).await)
    })
}

fn ec21() -> Observed {
    run(|e| async move {
        Ok(call4(
            &e.cx,
            Term::Atom(e.n1),
            Term::string("erlang"),
            atom!("node"),
            list![],
        )
        .await)
    })
}

fn ec22() -> Observed {
    run(|e| async move {
        let (node, m, f) = (Term::Atom(e.n1), atom!("erlang"), atom!("node"));
        Ok(t(erpc::call_term(
            &e.cx,
            &node,
            &m,
            &f,
            &list![],
            &Term::Int(-1),
        )
        .await))
    })
}

fn ec23() -> Observed {
    run(|e| async move {
        let tmo = Timeout::Ms(4_294_967_296);
        Ok(t(
            erpc::call(&e.cx, e.n1, "erlang", "node", args![], tmo).await
        ))
    })
}

fn ec25() -> Observed {
    run(|e| async move {
        let tmo = Timeout::Ms(4_294_967_295);
        Ok(t(
            erpc::call(&e.cx, e.n1, "erlang", "node", args![], tmo).await
        ))
    })
}

fn ec26() -> Observed {
    run(|e| async move {
        let tmo = Timeout::Abs(e.cx.monotonic_ms() + 4_294_967_296 + 1000);
        Ok(t(
            erpc::call(&e.cx, e.n1, "erlang", "node", args![], tmo).await
        ))
    })
}

fn ec27() -> Observed {
    run(|e| async move {
        let tmo = Timeout::Abs(e.cx.monotonic_ms() - 1000);
        Ok(t(
            erpc::call(&e.cx, e.n1, "erlang", "node", args![], tmo).await
        ))
    })
}

fn ec29() -> Observed {
    run(|e| async move {
        let (node, m, f) = (Term::Atom(e.n1), atom!("erlang"), atom!("node"));
        let tmo = tuple![atom!("abs"), 1.5];
        Ok(t(
            erpc::call_term(&e.cx, &node, &m, &f, &list![], &tmo).await
        ))
    })
}

fn ec30() -> Observed {
    run(|e| async move {
        let improper = Term::improper_list([atom!("oops")], atom!("invalid"));
        Ok(call4(
            &e.cx,
            Term::Atom(e.n1),
            atom!("erlang"),
            atom!("error"),
            improper,
        )
        .await)
    })
}

fn ec31() -> Observed {
    run(|e| async move {
        let id = Fun::with_arity(1, |_c, a| async move { Ok(a[0].clone()) });
        let node = Term::Atom(e.n1);
        Ok(t(erpc::call_fun_term(
            &e.cx,
            &node,
            &id,
            &atom!("infinity"),
        )
        .await))
    })
}

fn ec33() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
            &e.cx,
            "notanode",
            "erlang",
            "node",
            args![],
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec34() -> Observed {
    run(|e| async move {
        let r = erpc::call(
            &e.cx,
            "nonode@nohost",
            "erlang",
            "node",
            args![],
            Timeout::Infinity,
        );
        Ok(t(r.await))
    })
}

fn ec35() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
            &e.cx,
            e.t,
            "erlang",
            "halt",
            args![],
            Timeout::Infinity,
        )
        .await))
    })
}

fn ec37() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![600, atom!("ec37"), atom!("late")];
        let r = t(erpc::call(cx, e.n1, "oracle_fns", "sleep_mark", a, Timeout::ms(100)).await);
        let late = flush(cx, 1200).await;
        let mark = erpc::call(
            cx,
            e.n1,
            "oracle_fns",
            "get_mark",
            args![atom!("ec37")],
            Timeout::Infinity,
        )
        .await?;
        Ok(tuple![
            r,
            tuple![atom!("mailbox_after_1200ms"), late],
            tuple![atom!("side_effect"), mark]
        ])
    })
}

fn ec38() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
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

fn ec45() -> Observed {
    run(|e| async move {
        let a = args![atom!("x")];
        let r = erpc::call(
            &e.cx,
            e.n1,
            "oracle_fns",
            "return_exit_tuple",
            a,
            Timeout::Infinity,
        );
        Ok(t(r.await))
    })
}

fn ec47() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let theirs = erpc::call(
            cx,
            e.n1,
            "erlang",
            "group_leader",
            args![],
            Timeout::Infinity,
        )
        .await;
        let mine = cx
            .apply(Atom::new("erlang"), Atom::new("group_leader"), vec![])
            .await?;
        Ok(t(theirs.map(|gl| Term::from(gl == mine))))
    })
}

fn ec48() -> Observed {
    run(|e| async move {
        let f = |c: Cx| async move {
            let me = c.self_pid();
            let mut info = Vec::new();
            for item in ["links", "monitored_by", "trap_exit"] {
                info.extend(c.process_info(me, item)?);
            }
            Ok(Term::List(info))
        };
        Ok(t(erpc::call_fun(&e.cx, e.n1, f, Timeout::Infinity).await))
    })
}

// ---- erpc_call_local ------------------------------------------------------

fn ec39() -> Observed {
    run(|e| async move {
        let me = Term::Pid(e.cx.self_pid());
        let r = erpc::call(&e.cx, e.n0, "erlang", "self", args![], Timeout::Infinity).await;
        Ok(t(r.map(|p| Term::from(p == me))))
    })
}

fn ec40() -> Observed {
    run(|e| async move {
        let me = Term::Pid(e.cx.self_pid());
        let r = erpc::call(&e.cx, e.n0, "erlang", "self", args![], Timeout::ms(5000)).await;
        Ok(t(r.map(|p| Term::from(p == me))))
    })
}

fn ec42() -> Observed {
    run(|e| async move {
        let a = args![atom!("oops")];
        let r = erpc::call(
            &e.cx,
            e.n0,
            "oracle_fns",
            "exit_self_signal",
            a,
            Timeout::ms(5000),
        );
        Ok(t(r.await))
    })
}

fn ec43() -> Observed {
    run(|e| async move {
        let n0 = e.n0;
        let (p, m) =
            e.cx.spawn_monitor(move |c| async move {
                let a = args![atom!("oops")];
                erpc::call(
                    &c,
                    n0,
                    "oracle_fns",
                    "exit_self_signal",
                    a,
                    Timeout::Infinity,
                )
                .await?;
                Ok(atom!("survived"))
            })
            .await?;
        let down =
            e.cx.receive(move |msg| {
                matches!(msg, Term::Tuple(d) if d.len() == 5 && d[0].is_atom("DOWN")
                    && d[1] == Term::Ref(m) && d[3] == Term::Pid(p))
            })
            .await;
        let reason = match down.into_tuple() {
            Ok(mut d) => d.remove(4),
            Err(other) => other,
        };
        Ok(tuple![atom!("caller_process_died"), reason])
    })
}

fn ec44() -> Observed {
    run(|e| async move {
        let r = t(erpc::call(&e.cx, e.n0, "timer", "sleep", args![500], Timeout::ms(50)).await);
        let late = flush(&e.cx, 700).await;
        Ok(tuple![r, tuple![atom!("mailbox_after_700ms"), late]])
    })
}

fn ea20() -> Observed {
    run(|e| async move {
        Ok(t(erpc::call(
            &e.cx,
            e.n0,
            "erlang",
            "node",
            args![],
            Timeout::ms(0),
        )
        .await))
    })
}

// ---- erpc_async ------------------------------------------------------------

fn ea01() -> Observed {
    run(|e| async move {
        let r = erpc::send_request(&e.cx, e.n1, "erlang", "node", args![]).await;
        Ok(t(erpc::receive_response(&e.cx, r, Timeout::Infinity).await))
    })
}

fn ea02() -> Observed {
    run(|e| async move {
        let f = |c: Cx| async move { Ok(tuple![n(&c), atom!("fun_ok")]) };
        let r = erpc::send_request_fun(&e.cx, e.n1, f).await;
        Ok(t(erpc::receive_response(&e.cx, r, Timeout::ms(5000)).await))
    })
}

fn ea03() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![600, atom!("late")];
        let r = erpc::send_request(cx, e.n1, "oracle_fns", "sleep_ret", a).await;
        let o1 = t(erpc::receive_response(cx, r, Timeout::ms(100)).await);
        let o2 = t(erpc::receive_response(cx, r, Timeout::ms(1000)).await);
        let late = flush(cx, 800).await;
        Ok(tuple![o1, o2, tuple![atom!("mailbox_after"), late]])
    })
}

fn ea05() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![300, atom!("v")];
        let r = erpc::send_request(cx, e.n1, "oracle_fns", "sleep_ret", a).await;
        let w = t(response(erpc::wait_response(cx, r, Timeout::ms(10)).await));
        let v = t(erpc::receive_response(cx, r, Timeout::ms(3000)).await);
        Ok(tuple![w, v])
    })
}

/// The four requests of ea06/ea07: throw, exit, error, and an exit signal.
async fn four_failures(e: &crate::harness::Env) -> Vec<RequestId> {
    let x = || args![atom!("x")];
    let cx = &e.cx;
    vec![
        erpc::send_request(cx, e.n1, "erlang", "throw", x()).await,
        erpc::send_request(cx, e.n1, "erlang", "exit", x()).await,
        erpc::send_request(cx, e.n1, "erlang", "error", x()).await,
        erpc::send_request(cx, e.n1, "oracle_fns", "exit_self_signal", x()).await,
    ]
}

fn ea06() -> Observed {
    run(|e| async move {
        let mut out = Vec::new();
        for r in four_failures(&e).await {
            out.push(t(response(
                erpc::wait_response(&e.cx, r, Timeout::Infinity).await,
            )));
        }
        Ok(Term::List(out))
    })
}

fn ea07() -> Observed {
    run(|e| async move {
        let mut out = Vec::new();
        for r in four_failures(&e).await {
            out.push(t(erpc::receive_response(&e.cx, r, Timeout::Infinity).await));
        }
        Ok(Term::List(out))
    })
}

fn ea09() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let r = erpc::send_request(cx, e.n1, "erlang", "exit", args![atom!("x")]).await;
        let msg = cx
            .receive_timeout(|_| true, Timeout::ms(5000))
            .await
            .unwrap_or(atom!("none"));
        Ok(t(response(erpc::check_response(&msg, r))))
    })
}

fn ea10() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let r = erpc::send_request(cx, e.n1, "erlang", "node", args![]).await;
        let not_a_reqid = atom!("not_a_reqid");
        let mut res = Vec::new();
        res.push(t(async {
            let id = RequestId::from_term(&not_a_reqid)?;
            erpc::receive_response(cx, id, Timeout::Infinity).await
        }
        .await));
        res.push(t(async {
            let tmo = erpc::timeout_from_term(&Term::Int(-5))?;
            erpc::receive_response(cx, r, tmo).await
        }
        .await));
        res.push(t(async {
            let id = RequestId::from_term(&not_a_reqid)?;
            response(erpc::wait_response(cx, id, Timeout::ms(10)).await)
        }
        .await));
        res.push(t(RequestId::from_term(&not_a_reqid).and_then(|id| {
            response(erpc::check_response(&atom!("msg"), id))
        })));
        let _ = erpc::receive_response(cx, r, Timeout::Infinity).await;
        Ok(Term::List(res))
    })
}

fn ea11() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let (n1, m, f) = (Term::Atom(e.n1), atom!("erlang"), atom!("node"));
        let id = |r: Result<RequestId, erpc::Exception>| t(r.map(|id| id.to_term()));
        let one = Fun::with_arity(1, |_c, a| async move { Ok(a[0].clone()) });
        Ok(list![
            id(erpc::send_request_term(cx, &Term::string("n1"), &m, &f, &list![]).await),
            id(erpc::send_request_fun_term(cx, &n1, &one).await),
            id(erpc::send_request_term(cx, &n1, &m, &f, &atom!("notalist")).await),
            id(erpc::send_request_term(cx, &n1, &m, &Term::string("node"), &list![]).await)
        ])
    })
}

fn ea13() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let r1 = erpc::send_request(
            cx,
            e.n1,
            "oracle_fns",
            "sleep_ret",
            args![300, atom!("slow")],
        )
        .await;
        let r2 =
            erpc::send_request(cx, e.n2, "oracle_fns", "sleep_ret", args![1, atom!("fast")]).await;
        let v1 = t(erpc::receive_response(cx, r1, Timeout::Infinity).await);
        let v2 = t(erpc::receive_response(cx, r2, Timeout::Infinity).await);
        Ok(list![v1, v2])
    })
}

fn ea14() -> Observed {
    run(|e| async move {
        let r = erpc::send_request(&e.cx, e.nx, "erlang", "node", args![]).await;
        Ok(t(erpc::receive_response(&e.cx, r, Timeout::ms(5000)).await))
    })
}

fn ea19() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let (me, n1) = (cx.self_pid(), e.n1);
        let p = cx
            .spawn(move |c| async move {
                let a = args![200, atom!("v")];
                let r = erpc::send_request(&c, n1, "oracle_fns", "sleep_ret", a).await;
                let first = t(erpc::receive_response(&c, r, Timeout::ms(10)).await);
                c.send(me, tuple![atom!("first"), first]).await?;
                let second = t(erpc::receive_response(&c, r, Timeout::Infinity).await);
                c.send(me, tuple![atom!("second"), second]).await?;
                Ok(atom!("done"))
            })
            .await?;
        let tagged = |tag: &'static str| move |m: &Term| matches!(m, Term::Tuple(x) if x.len() == 2 && x[0].is_atom(tag));
        let value = |m: Option<Term>, none: &str| match m.map(Term::into_tuple) {
            Some(Ok(mut x)) => x.remove(1),
            _ => atom!(none),
        };
        let first = value(
            cx.receive_timeout(tagged("first"), Timeout::ms(3000)).await,
            "none",
        );
        let second = cx.receive_timeout(tagged("second"), Timeout::ms(700)).await;
        let second = value(second, "still_blocked");
        cx.exit(p, atom!("kill")).await;
        Ok(tuple![first, second])
    })
}

// ---- erpc_wire ---------------------------------------------------------------

fn ea15() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let r = erpc::send_request(cx, e.n1, "erlang", "node", args![]).await;
        let msg = cx
            .receive_timeout(|_| true, Timeout::ms(5000))
            .await
            .unwrap_or(atom!("none"));
        let checked = t(response(erpc::check_response(&msg, r)));
        Ok(tuple![msg, checked])
    })
}

fn ea16() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let x = || args![atom!("x")];
        let mut out = Vec::new();
        for (m, f) in [
            ("erlang", "throw"),
            ("erlang", "exit"),
            ("erlang", "error"),
            ("oracle_fns", "exit_self_signal"),
        ] {
            let _ = erpc::send_request(cx, e.n1, m, f, x()).await;
            let msg = cx.receive_timeout(|_| true, Timeout::ms(5000)).await;
            out.push(msg.unwrap_or(atom!("none")));
        }
        Ok(Term::List(out))
    })
}

fn ea17() -> Observed {
    run(|e| async move {
        let _ = erpc::send_request(&e.cx, e.nx, "erlang", "node", args![]).await;
        Ok(flush(&e.cx, 1000).await)
    })
}

// ---- erpc_coll --------------------------------------------------------------

fn co01() -> Observed {
    run(|_e| async move {
        let c = erpc::reqids_new();
        let list = Term::List(
            erpc::reqids_to_list(&c)
                .into_iter()
                .map(|(id, l)| tuple![id.to_term(), l])
                .collect(),
        );
        let is_empty_map = c.to_term() == Term::map(Vec::<(Term, Term)>::new());
        Ok(tuple![
            Term::try_from(erpc::reqids_size(&c)).unwrap_or(Term::Int(-1)),
            list,
            is_empty_map
        ])
    })
}

fn co02() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let r1 = erpc::send_request(cx, e.n1, "erlang", "node", args![]).await;
        let r2 = erpc::send_request(cx, e.n2, "erlang", "node", args![]).await;
        let c = erpc::reqids_add(r1, atom!("a"), &erpc::reqids_new())?;
        let c = erpc::reqids_add(r2, atom!("b"), &c)?;
        let mut back: Vec<Term> = erpc::reqids_to_list(&c)
            .into_iter()
            .map(|(r, l)| tuple![l, r == r1 || r == r2])
            .collect();
        back.sort();
        for r in [r1, r2] {
            let _ = erpc::receive_response(cx, r, Timeout::Infinity).await;
        }
        let size = Term::try_from(erpc::reqids_size(&c)).unwrap_or(Term::Int(-1));
        Ok(tuple![size, Term::List(back)])
    })
}

fn co03() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let r = erpc::send_request(cx, e.n1, "erlang", "node", args![]).await;
        let c = erpc::reqids_add(r, atom!("a"), &erpc::reqids_new())?;
        let o = t(erpc::reqids_add(r, atom!("b"), &c).map(|c| c.to_term()));
        let _ = erpc::receive_response(cx, r, Timeout::Infinity).await;
        Ok(o)
    })
}

/// `{V, L, NewColl} = erpc:receive_response(...)`: the match must succeed.
fn received(r: Result<ReceiveResult, CollectionError>) -> Result<erpc::Response, Exception> {
    match r? {
        ReceiveResult::Response(r) => Ok(r),
        ReceiveResult::NoRequest => Err(Exception::error(tuple![
            atom!("badmatch"),
            atom!("no_request")
        ])),
    }
}

fn size(c: &erpc::RequestIdCollection) -> Term {
    Term::try_from(c.len()).unwrap_or(Term::Int(-1))
}

fn co05() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let c0 = erpc::reqids_new();
        let sr = |ms: i64, l: &'static str, c| {
            let a = args![ms, ms];
            async move {
                erpc::send_request_labelled(cx, e.n1, "oracle_fns", "sleep_ret", a, atom!(l), &c)
                    .await
            }
        };
        let c1 = sr(600, "req1", c0).await;
        let c2 = sr(1, "req2", c1).await;
        let c3 = sr(300, "req3", c2).await;
        let a = received(erpc::receive_response_coll(cx, &c3, Timeout::Infinity, true).await)?;
        let b = received(erpc::receive_response_coll(cx, &a.coll, Timeout::ms(7654), true).await)?;
        let c = received(erpc::receive_response_coll(cx, &b.coll, Timeout::ms(5000), true).await)?;
        let last = erpc::receive_response_coll(cx, &c.coll, Timeout::ms(5000), true).await;
        Ok(list![
            tuple![a.value, a.label, size(&a.coll)],
            tuple![b.value, b.label, size(&b.coll)],
            tuple![c.value, c.label, size(&c.coll)],
            tc(last.map(|r| r.to_term()))
        ])
    })
}

fn co06() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![10, atom!("a")];
        let c1 = erpc::send_request_labelled(
            cx,
            e.n1,
            "oracle_fns",
            "sleep_ret",
            a,
            atom!("la"),
            &erpc::reqids_new(),
        )
        .await;
        let b = args![150, atom!("b")];
        let c2 =
            erpc::send_request_labelled(cx, e.n1, "oracle_fns", "sleep_ret", b, atom!("lb"), &c1)
                .await;
        let r1 = received(erpc::receive_response_coll(cx, &c2, Timeout::ms(2000), false).await)?;
        let r2 =
            received(erpc::receive_response_coll(cx, &r1.coll, Timeout::ms(2000), false).await)?;
        let third = erpc::receive_response_coll(cx, &r2.coll, Timeout::ms(200), false).await;
        Ok(list![
            tuple![r1.value, r1.label, r1.coll == c2],
            tuple![r2.value, r2.label, r2.coll == c2],
            tc(third.map(|r| r.to_term()))
        ])
    })
}

fn co07() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let empty = erpc::reqids_new();
        let recv = erpc::receive_response_coll(cx, &empty, Timeout::ms(100), true).await;
        let wait = erpc::wait_response_coll(cx, &empty, Timeout::ms(100), true).await;
        let check = erpc::check_response_coll(&atom!("some_msg"), &empty, true);
        let bad = async {
            let tmo = erpc::timeout_from_term(&Term::Int(-1))?;
            erpc::receive_response_coll(cx, &empty, tmo, true).await
        }
        .await;
        let wait_inf = erpc::wait_response_coll(cx, &empty, Timeout::Infinity, false).await;
        Ok(list![
            tc(recv.map(|r| r.to_term())),
            tc(wait.map(|r| r.to_term())),
            tc(check.map(|r| r.to_term())),
            tc(bad.map(|r| r.to_term())),
            tc(wait_inf.map(|r| r.to_term()))
        ])
    })
}

fn co09() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let sr = |ms: i64, l: &'static str, c| {
            let a = args![ms, ms];
            async move {
                erpc::send_request_labelled(cx, e.n1, "oracle_fns", "sleep_ret", a, atom!(l), &c)
                    .await
            }
        };
        let c1 = sr(800, "req1", erpc::reqids_new()).await;
        let c2 = sr(1, "req2", c1).await;
        let c3 = sr(400, "req3", c2).await;
        let deadline = cx.monotonic_ms() + 150;
        let first = erpc::wait_response_coll(cx, &c3, Timeout::Abs(deadline), true).await;
        let c4 = match &first {
            Ok(PollResult::Response(r)) => r.coll.clone(),
            _ => return Err(Exception::error(atom!("badmatch"))),
        };
        let second = erpc::wait_response_coll(cx, &c4, Timeout::Abs(deadline), true).await;
        let later = Timeout::Abs(deadline + 2000);
        let third = erpc::wait_response_coll(cx, &c4, later, false).await;
        let fourth = erpc::wait_response_coll(cx, &c4, later, false).await;
        let out = [first, second, third, fourth].map(|r| tc(r.map(|r| r.to_term())));
        Ok(norm(&Term::List(out.to_vec())))
    })
}

fn co10() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let node = e.t;
        let c0 = erpc::reqids_new();
        let c1 = erpc::send_request_fun_labelled(
            cx,
            node,
            |c: Cx| async move {
                c.sleep(Time::ms(600)).await;
                Ok(Term::Int(600))
            },
            atom!("req1"),
            &c0,
        )
        .await;
        let c2 = erpc::send_request_fun_labelled(
            cx,
            node,
            |c: Cx| async move {
                c.sleep(Time::ms(800)).await;
                c.halt().await;
                Ok(atom!("halted"))
            },
            atom!("req2"),
            &c1,
        )
        .await;
        let c3 = erpc::send_request_fun_labelled(
            cx,
            node,
            |c: Cx| async move {
                c.sleep(Time::ms(200)).await;
                Err(fun_error(atom!("errored")))
            },
            atom!("req3"),
            &c2,
        )
        .await;
        let c4 = erpc::send_request_fun_labelled(
            cx,
            node,
            |_c: Cx| async move { Err(Exception::exit(atom!("exited"))) },
            atom!("req4"),
            &c3,
        )
        .await;
        let c5 = erpc::send_request_fun_labelled(
            cx,
            node,
            |c: Cx| async move {
                c.sleep(Time::ms(400)).await;
                Err(Exception::throw(atom!("thrown")))
            },
            atom!("req5"),
            &c4,
        )
        .await;
        let o1 = erpc::receive_response_coll(cx, &c5, Timeout::Infinity, true).await;
        // `case O1 of {exit, {_, _, CC}} -> CC; _ -> C5 end`
        let c6 = match &o1 {
            Err(err) if err.class() == Class::Exit => match err.request.as_deref() {
                Some((_, cc)) => cc.clone(),
                None => c5.clone(),
            },
            _ => c5.clone(),
        };
        let o2 = erpc::receive_response_coll(cx, &c6, Timeout::ms(2000), false).await;
        let o3 = erpc::receive_response_coll(cx, &c6, Timeout::Infinity, false).await;
        let o4 = erpc::receive_response_coll(cx, &c6, Timeout::Infinity, false).await;
        let o5 = erpc::receive_response_coll(cx, &c6, Timeout::ms(5000), false).await;
        let out = [o1, o2, o3, o4, o5].map(|r| tc(r.map(|r| r.to_term())));
        Ok(norm(&Term::List(out.to_vec())))
    })
}

fn co11() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![400, 400];
        let c1 = erpc::send_request_labelled(
            cx,
            e.n1,
            "oracle_fns",
            "sleep_ret",
            a,
            atom!("req1"),
            &erpc::reqids_new(),
        )
        .await;
        let b = args![100, 100];
        let c2 =
            erpc::send_request_labelled(cx, e.n1, "oracle_fns", "sleep_ret", b, atom!("req2"), &c1)
                .await;
        let unrelated = erpc::check_response_coll(&atom!("unrelated"), &c2, true);
        let next = || async {
            cx.receive_timeout(|_| true, Timeout::ms(3000))
                .await
                .unwrap_or(atom!("none"))
        };
        let m1 = next().await;
        let o1 = erpc::check_response_coll(&m1, &c2, true);
        let Ok(PollResult::Response(r1)) = &o1 else {
            return Err(Exception::error(atom!("badmatch")));
        };
        let c3 = r1.coll.clone();
        let m2 = next().await;
        let o2 = erpc::check_response_coll(&m2, &c3, true);
        let Ok(PollResult::Response(r2)) = &o2 else {
            return Err(Exception::error(atom!("badmatch")));
        };
        let c4 = r2.coll.clone();
        let empty = erpc::check_response_coll(&m2, &c4, true);
        let out = [unrelated, o1, o2, empty].map(|r| tc(r.map(|r| r.to_term())));
        Ok(norm(&Term::List(out.to_vec())))
    })
}

fn co13() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![1, atom!("one")];
        let c1 = erpc::send_request_labelled(
            cx,
            e.n1,
            "oracle_fns",
            "sleep_ret",
            a,
            atom!("lbl"),
            &erpc::reqids_new(),
        )
        .await;
        let r = erpc::wait_response_coll(cx, &c1, Timeout::Infinity, true).await;
        Ok(norm(&tc(r.map(|r| r.to_term()))))
    })
}

fn co14() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let c = erpc::send_request_labelled(
            cx,
            e.n1,
            "erlang",
            "node",
            args![],
            atom!("l"),
            &erpc::reqids_new(),
        )
        .await;
        let not_a_map = atom!("not_a_map");
        let coll = erpc::RequestIdCollection::from_term;
        let mut res = Vec::new();
        res.push(tc(async {
            let c = coll(&not_a_map)?;
            let r = erpc::receive_response_coll(cx, &c, Timeout::ms(100), true).await?;
            Ok::<Term, CollectionError>(r.to_term())
        }
        .await));
        res.push(tc(async {
            let delete = erpc::delete_from_term(&atom!("maybe"))?;
            let r = erpc::receive_response_coll(cx, &c, Timeout::ms(100), delete).await?;
            Ok::<Term, CollectionError>(r.to_term())
        }
        .await));
        res.push(t(coll(&not_a_map).map(|c| size(&c))));
        res.push(t(coll(&not_a_map).map(|c| {
            let pairs = erpc::reqids_to_list(&c).into_iter();
            Term::List(pairs.map(|(id, l)| tuple![id.to_term(), l]).collect())
        })));
        res.push(t(async {
            let base = coll(&not_a_map)?;
            let c =
                erpc::send_request_labelled(cx, e.n1, "erlang", "node", args![], atom!("l"), &base)
                    .await;
            Ok::<Term, erpc::Exception>(c.to_term())
        }
        .await));
        res.push(t(async {
            let id = RequestId::from_term(&atom!("not_a_reqid"))?;
            Ok::<Term, erpc::Exception>(
                erpc::reqids_add(id, atom!("l"), &erpc::reqids_new())?.to_term(),
            )
        }
        .await));
        let _ = erpc::receive_response_coll(cx, &c, Timeout::ms(5000), true).await;
        Ok(Term::List(res))
    })
}

fn co15() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let c = erpc::send_request_labelled(
            cx,
            e.nx,
            "erlang",
            "node",
            args![],
            atom!("ghost_lbl"),
            &erpc::reqids_new(),
        )
        .await;
        let r = erpc::receive_response_coll(cx, &c, Timeout::ms(5000), true).await;
        Ok(norm(&tc(r.map(|r| r.to_term()))))
    })
}

// ---- erpc_multi -------------------------------------------------------------

fn mc01() -> Observed {
    run(|e| async move {
        let nodes = [e.n3, e.n1, e.n2];
        Ok(t(slots(
            erpc::multicall(&e.cx, &nodes, "erlang", "node", args![], Timeout::Infinity).await,
        )))
    })
}

fn mc02() -> Observed {
    run(|e| async move {
        let nodes = [e.n0, e.n1, e.nx, e.n2, e.n1, e.n0];
        Ok(t(slots(
            erpc::multicall(&e.cx, &nodes, "erlang", "node", args![], Timeout::Infinity).await,
        )))
    })
}

fn mc03() -> Observed {
    run(|e| async move {
        let (n0, n1, n2, n3) = (e.n0, e.n1, e.n2, e.n3);
        let f = move |c: Cx| async move {
            match c.node() {
                x if x == n0 => Ok(atom!("local_value")),
                x if x == n1 => Err(Exception::throw(atom!("n1_thrown"))),
                x if x == n2 => Err(Exception::exit(atom!("n2_exit"))),
                x if x == n3 => Err(fun_error(atom!("n3_error"))),
                _ => Err(fun_error(atom!("case_clause"))),
            }
        };
        let nodes = [n0, n1, n2, n3, e.nx];
        Ok(t(slots(
            erpc::multicall_fun(&e.cx, &nodes, f, Timeout::Infinity).await,
        )))
    })
}

fn mc05() -> Observed {
    run(|e| async move {
        let nodes = [e.n1, e.n2];
        let f = |c: Cx| async move { Ok(n(&c)) };
        let a = t(slots(
            erpc::multicall_fun(&e.cx, &nodes, f, Timeout::Infinity).await,
        ));
        let b = t(slots(
            erpc::multicall_fun(&e.cx, &nodes, f, Timeout::ms(5000)).await,
        ));
        Ok(list![a, b])
    })
}

fn mc06() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let n1 = Term::Atom(e.n1);
        let (m, f, inf) = (atom!("erlang"), atom!("node"), atom!("infinity"));
        let mc = |nodes: Term, m: Term, tmo: Term| {
            let f = f.clone();
            async move {
                t(slots(
                    erpc::multicall_term(cx, &nodes, &m, &f, &list![], &tmo).await,
                ))
            }
        };
        let one = Fun::with_arity(1, |_c, a| async move { Ok(a[0].clone()) });
        let nodes = list![n1.clone()];
        Ok(list![
            mc(
                list![n1.clone(), Term::binary(b"n2")],
                m.clone(),
                inf.clone()
            )
            .await,
            mc(
                Term::improper_list([n1.clone()], n1.clone()),
                m.clone(),
                inf.clone()
            )
            .await,
            t(slots(
                erpc::multicall_fun_term(cx, &nodes, &one, &inf).await
            )),
            mc(nodes.clone(), m.clone(), Term::Int(-1)).await,
            mc(nodes.clone(), Term::string("erlang"), inf.clone()).await,
            mc(n1.clone(), m.clone(), inf.clone()).await
        ])
    })
}

fn mc07() -> Observed {
    run(|e| async move {
        let nodes = [e.n0, e.n1];
        Ok(t(slots(
            erpc::multicall(&e.cx, &nodes, "erlang", "self", args![], Timeout::Infinity).await,
        )))
    })
}

fn mc09() -> Observed {
    run(|e| async move {
        let nodes = [e.n0, e.n1];
        let r = erpc::multicall(
            &e.cx,
            &nodes,
            "timer",
            "sleep",
            args![1000],
            Timeout::ms(200),
        );
        let r = t(slots(r.await));
        let late = flush(&e.cx, 1200).await;
        Ok(tuple![r, tuple![atom!("mailbox_after_1200ms"), late]])
    })
}

fn mc10() -> Observed {
    run(|e| async move {
        let none: [Atom; 0] = [];
        Ok(t(slots(
            erpc::multicall(&e.cx, &none, "erlang", "node", args![], Timeout::Infinity).await,
        )))
    })
}

fn mc11() -> Observed {
    run(|e| async move {
        let tmp = e.t;
        let f = move |c: Cx| async move {
            if c.node() == tmp {
                c.halt().await;
            }
            Ok(n(&c))
        };
        Ok(t(slots(
            erpc::multicall_fun(&e.cx, &[e.n1, tmp], f, Timeout::Infinity).await,
        )))
    })
}

fn mc13() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![cx.self_pid(), atom!("mc")];
        erpc::multicast(cx, &[e.n1, e.nx, e.n2], "oracle_fns", "send_node", a).await;
        let got = nsort(flush(cx, 500).await);
        Ok(tuple![t(Ok(atom!("ok"))), got])
    })
}

fn mc14() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let me = cx.self_pid();
        let f = move |c: Cx| async move {
            c.send(me, tuple![atom!("mcf"), n(&c)]).await?;
            Ok(atom!("ok"))
        };
        erpc::multicast_fun(cx, &[e.n1, e.n2], f).await;
        let got = nsort(flush(cx, 500).await);
        Ok(tuple![t(Ok(atom!("ok"))), got])
    })
}

fn mc15() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let n1 = Term::Atom(e.n1);
        let (m, f) = (atom!("erlang"), atom!("node"));
        let nodes = list![n1.clone()];
        Ok(list![
            ok_unit(erpc::multicast_term(cx, &n1, &m, &f, &list![]).await),
            ok_unit(erpc::multicast_term(cx, &list![Term::binary(b"x")], &m, &f, &list![]).await),
            ok_unit(erpc::multicast_term(cx, &nodes, &Term::string("erlang"), &f, &list![]).await),
            ok_unit(erpc::multicast_term(cx, &nodes, &m, &f, &atom!("notalist")).await)
        ])
    })
}

// ---- erpc_cast ---------------------------------------------------------------

fn ca01() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![cx.self_pid(), atom!("c4")];
        erpc::cast(cx, e.n1, "oracle_fns", "send_node", a).await;
        Ok(tuple![t(Ok(atom!("ok"))), flush(cx, 500).await])
    })
}

fn ca02() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let me = cx.self_pid();
        erpc::cast_fun(cx, e.n1, move |c| async move {
            c.send(me, tuple![atom!("c2"), n(&c)]).await?;
            Ok(atom!("ok"))
        })
        .await;
        Ok(tuple![t(Ok(atom!("ok"))), flush(cx, 500).await])
    })
}

fn ca03() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![cx.self_pid(), atom!("c3")];
        erpc::cast(cx, e.nx, "oracle_fns", "send_node", a).await;
        Ok(tuple![t(Ok(atom!("ok"))), flush(cx, 500).await])
    })
}

fn ca05() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        erpc::cast(cx, e.n1, "erlang", "error", args![atom!("x")]).await;
        Ok(tuple![t(Ok(atom!("ok"))), flush(cx, 300).await])
    })
}

fn ca06() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let one = Fun::with_arity(1, |_c, a| async move { Ok(a[0].clone()) });
        let r = ok_unit(erpc::cast_fun_term(cx, &Term::Atom(e.n1), &one).await);
        Ok(tuple![r, flush(cx, 300).await])
    })
}
