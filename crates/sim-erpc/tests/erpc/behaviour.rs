//! erpc behaviours, one test per rule, in the style of OTP's `erpc_SUITE`:
//! each asserts the outcome by class and ends by asserting that the caller's
//! mailbox is empty (no stray replies).

use crate::{check, erpc_err, A, B, C, D};
use sim_core::{Cx, Exception as CoreException, Module, Sim, SimBuilder, Term, Time, Timeout};
use sim_erpc::{ErpcError, Error, Exception, Exit, PollResult, ReceiveResult};

/// `probe:sleep_send(Ms, Pid, Msg)`: sleeps, then sends `Msg` to `Pid`.
fn probe() -> Module {
    Module::new("probe").function("sleep_send", 3, |cx, a| async move {
        if let [Term::Int(ms), Term::Pid(to), msg] = a.as_slice() {
            cx.sleep(Time::ms(u64::try_from(*ms).unwrap_or(0))).await;
            cx.send(*to, msg.clone()).await?;
        }
        Ok(Term::atom("sent"))
    })
}

fn builder() -> SimBuilder {
    Sim::builder()
        .nodes([A, B, C, D])
        .module_everywhere(probe())
}

#[test]
fn timeout_abandons_and_late_reply_never_arrives() {
    check(builder(), |cx| async move {
        let me = Term::Pid(cx.self_pid());
        let a = vec![Term::Int(300), me, Term::atom("side_effect")];
        let r = sim_erpc::call(&cx, B, "probe", "sleep_send", a, Timeout::ms(100)).await;
        cx.check(erpc_err(&r) == Some(ErpcError::Timeout), "timed out")?;
        cx.check(cx.now() < Time::ms(102), "at the deadline")?;
        // The function runs to its end: its own message arrives, the reply never.
        let m = cx.receive_timeout(|_| true, Timeout::ms(1_000)).await;
        cx.check(
            m == Some(Term::atom("side_effect")),
            "the function still ran",
        )?;
        let late = cx.receive_timeout(|_| true, Timeout::ms(1_000)).await;
        cx.check(late.is_none(), "no late reply")?;
        Ok(())
    });
}

#[test]
fn call_cost_flat_with_unrelated_messages() {
    check(builder(), |cx| async move {
        let me = cx.self_pid();
        for i in 0..10_000 {
            cx.send(me, Term::Int(i)).await?;
        }
        for _ in 0..10 {
            let v = sim_erpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1_000)).await?;
            cx.check(v == Term::atom(B), "answered past 10,000 queued messages")?;
        }
        let queued = cx.flush();
        let untouched = queued.iter().zip(0..).all(|(m, i)| *m == Term::Int(i));
        cx.check(
            queued.len() == 10_000 && untouched,
            "unrelated messages untouched, in order",
        )?;
        Ok(())
    });
}

#[test]
fn multicall_time_is_slowest_not_sum() {
    check(builder().latency(Time::ZERO, Time::ZERO), |cx| async move {
        let slow = |c: Cx| async move {
            let ms = match c.node().as_str() {
                B => 100,
                C => 200,
                _ => 300,
            };
            c.sleep(Time::ms(ms)).await;
            Ok(Term::Atom(c.node()))
        };
        let all = sim_erpc::multicall_fun(&cx, &[B, C, D], slow, Timeout::Infinity).await?;
        let want: Vec<Result<Term, Exception>> = [B, C, D].map(|n| Ok(Term::atom(n))).to_vec();
        cx.check(all == want, "every node answered, in node order")?;
        cx.check(
            cx.now() == Time::ms(300),
            "the slowest node's time, not the sum",
        )?;
        Ok(())
    });
}

#[test]
fn multicall_deadline_is_shared_and_late_nodes_time_out() {
    check(builder(), |cx| async move {
        let f = |c: Cx| async move {
            if c.node().as_str() == C {
                c.sleep(Time::ms(500)).await;
            }
            Ok(Term::Atom(c.node()))
        };
        let all = sim_erpc::multicall_fun(&cx, &[B, C, D], f, Timeout::ms(200)).await?;
        cx.check(
            all[0] == Ok(Term::atom(B)) && all[2] == Ok(Term::atom(D)),
            "quick nodes",
        )?;
        let timeout = Err(Exception::erpc(ErpcError::Timeout));
        cx.check(all[1] == timeout, "the slow node's slot times out")?;
        cx.sleep(Time::ms(600)).await;
        Ok(())
    });
}

#[test]
fn local_infinity_call_runs_in_caller() {
    check(builder(), |cx| async move {
        let me = Term::Pid(cx.self_pid());
        let inf = sim_erpc::call(&cx, A, "erlang", "self", vec![], Timeout::Infinity).await?;
        cx.check(inf == me, "infinity: applied by the caller itself")?;
        let fin = sim_erpc::call(&cx, A, "erlang", "self", vec![], Timeout::ms(1_000)).await?;
        cx.check(fin != me, "finite timeout: a fresh process")?;
        let all = sim_erpc::multicall(&cx, &[A, B, A], "erlang", "self", vec![], Timeout::Infinity)
            .await?;
        cx.check(
            all[0] == Ok(me.clone()),
            "multicall: the first own-node entry in the caller",
        )?;
        cx.check(
            all[2].is_ok() && all[2] != Ok(me),
            "later own-node entries are spawned",
        )?;
        Ok(())
    });
}

#[test]
fn local_infinity_call_exit_signal_kills_the_caller() {
    let mut sim = builder().build().expect("builds");
    sim.spawn(A, |cx| async move {
        let (p, r) = cx
            .spawn_monitor(|c| async move {
                let f = |c: Cx| async move {
                    c.exit(c.self_pid(), Term::atom("oops")).await;
                    Ok(Term::atom("survived"))
                };
                sim_erpc::call_fun(&c, A, f, Timeout::Infinity).await?;
                Ok(Term::atom("returned"))
            })
            .await?;
        let down = cx.recv().await;
        let want = Term::tuple([
            Term::atom("DOWN"),
            Term::Ref(r),
            Term::atom("process"),
            Term::Pid(p),
            Term::atom("oops"),
        ]);
        cx.check(down == want, "the caller died of the signal")?;
        cx.check(cx.mailbox().is_empty(), "nothing else")?;
        Ok(Term::atom("passed"))
    })
    .expect("spawn");
    let report = sim.run();
    assert_eq!(report.value(0), Some(&Term::atom("passed")), "{report}");
}

#[test]
fn signal_kill_gives_exit_signal_killed() {
    check(builder(), |cx| async move {
        let f = |c: Cx| async move {
            c.exit(c.self_pid(), Term::atom("kill")).await;
            Ok(Term::atom("survived"))
        };
        let r = sim_erpc::call_fun(&cx, B, f, Timeout::Infinity).await;
        let want = Err(Exception::Exit(Exit::Signal(Term::atom("killed"))));
        cx.check(r == want, "exit:{signal,killed}")?;
        let r = sim_erpc::call_fun(&cx, B, f, Timeout::ms(1_000)).await;
        cx.check(r == want, "the same with a timeout")?;
        Ok(())
    });
}

#[test]
fn exceptions_keep_their_class() {
    check(builder(), |cx| async move {
        let x = || vec![Term::atom("x")];
        let inf = Timeout::Infinity;
        let throw = sim_erpc::call(&cx, B, "erlang", "throw", x(), inf).await;
        cx.check(
            throw == Err(Exception::Throw(Term::atom("x"))),
            "throw passes",
        )?;
        let exit = sim_erpc::call(&cx, B, "erlang", "exit", x(), inf).await;
        let want = Err(Exception::Exit(Exit::Exception(Term::atom("x"))));
        cx.check(exit == want, "exit:{exception,x}")?;
        let error = sim_erpc::call(&cx, B, "erlang", "error", x(), inf).await;
        let stack_top = match &error {
            Err(Exception::Error(Error::Exception { reason, stack })) if reason.is_atom("x") => {
                stack.first().map(|f| f.function.as_str())
            }
            _ => None,
        };
        cx.check(
            stack_top == Some("error"),
            "error:{exception,x,[{erlang,error,1}|_]}",
        )?;
        // `?` re-raises with the same class and reason.
        let reraised: Result<Term, CoreException> = throw.map_err(Into::into);
        let e = reraised.expect_err("a throw");
        cx.check(
            e.class_reason().to_string() == "{throw,x}",
            "re-raised as thrown",
        )?;
        Ok(())
    });
}

#[test]
fn system_limit_and_notsup() {
    let b = builder().process_limit(C, 0).without_spawn_request(D);
    check(b, |cx| async move {
        let inf = Timeout::Infinity;
        let full = sim_erpc::call(&cx, C, "erlang", "node", vec![], inf).await;
        cx.check(
            erpc_err(&full) == Some(ErpcError::SystemLimit),
            "system_limit",
        )?;
        let old = sim_erpc::call(&cx, D, "erlang", "node", vec![], inf).await;
        cx.check(erpc_err(&old) == Some(ErpcError::Notsup), "notsup")?;
        let ghost = sim_erpc::call(&cx, "ghost@sim", "erlang", "node", vec![], inf).await;
        cx.check(
            erpc_err(&ghost) == Some(ErpcError::Noconnection),
            "noconnection",
        )?;
        Ok(())
    });
}

#[test]
fn node_halting_mid_call_is_noconnection() {
    check(builder(), |cx| async move {
        let f = |c: Cx| async move {
            c.sleep(Time::ms(10)).await;
            c.halt().await;
            Ok(Term::atom("unreachable"))
        };
        let r = sim_erpc::call_fun(&cx, B, f, Timeout::Infinity).await;
        cx.check(
            erpc_err(&r) == Some(ErpcError::Noconnection),
            "noconnection",
        )?;
        Ok(())
    });
}

#[test]
fn timeouts_are_validated_as_otp_does() {
    check(builder(), |cx| async move {
        let call = |t: Timeout| {
            let cx = cx.clone();
            async move { sim_erpc::call(&cx, B, "erlang", "node", vec![], t).await }
        };
        let max = call(Timeout::Ms(sim_erpc::MAX_TIMEOUT_MS)).await;
        cx.check(max == Ok(Term::atom(B)), "4294967295 is accepted")?;
        let over = call(Timeout::Ms(sim_erpc::MAX_TIMEOUT_MS + 1)).await;
        cx.check(
            erpc_err(&over) == Some(ErpcError::Badarg),
            "one more is badarg",
        )?;
        let far = Timeout::Abs(cx.monotonic_ms() + 4_294_967_296);
        cx.check(
            erpc_err(&call(far).await) == Some(ErpcError::Badarg),
            "abs too far",
        )?;
        let past = Timeout::Abs(cx.monotonic_ms() - 1);
        cx.check(
            erpc_err(&call(past).await) == Some(ErpcError::Timeout),
            "abs past",
        )?;
        cx.check(
            erpc_err(&call(Timeout::ms(0)).await) == Some(ErpcError::Timeout),
            "zero",
        )?;
        Ok(())
    });
}

#[test]
fn zero_timeout_to_own_node_always_times_out() {
    for seed in 0..20 {
        check(builder().seed(seed), |cx| async move {
            let r = sim_erpc::call(&cx, A, "erlang", "node", vec![], Timeout::ms(0)).await;
            cx.check(
                erpc_err(&r) == Some(ErpcError::Timeout),
                "timeout, in every schedule",
            )?;
            cx.sleep(Time::ms(10)).await;
            Ok(())
        });
    }
}

#[test]
fn reusing_a_timed_out_request_waits_then_badarg() {
    check(builder(), |cx| async move {
        let id = sim_erpc::send_request(&cx, B, "timer", "sleep", vec![Term::Int(200)]).await;
        let first = sim_erpc::receive_response(&cx, id, Timeout::ms(10)).await;
        cx.check(erpc_err(&first) == Some(ErpcError::Timeout), "timeout")?;
        let before = cx.now();
        let again = sim_erpc::receive_response(&cx, id, Timeout::ms(500)).await;
        cx.check(erpc_err(&again) == Some(ErpcError::Badarg), "badarg")?;
        cx.check(
            cx.now() - before == Time::ms(500),
            "after waiting all of it",
        )?;
        let waited = sim_erpc::wait_response(&cx, id, Timeout::ms(10)).await?;
        cx.check(waited.is_none(), "wait_response says no_response")?;
        Ok(())
    });
}

#[test]
fn wait_response_timeout_keeps_the_request() {
    check(builder(), |cx| async move {
        let id = sim_erpc::send_request(&cx, B, "timer", "sleep", vec![Term::Int(100)]).await;
        let early = sim_erpc::wait_response(&cx, id, Timeout::ms(10)).await?;
        cx.check(early.is_none(), "no_response")?;
        let v = sim_erpc::receive_response(&cx, id, Timeout::Infinity).await?;
        cx.check(v == Term::atom("ok"), "still answered")?;
        Ok(())
    });
}

#[test]
fn collection_timeout_abandons_every_request() {
    check(builder(), |cx| async move {
        let mut coll = sim_erpc::reqids_new();
        for (n, ms) in [(B, 300), (C, 400)] {
            let a = vec![Term::Int(ms)];
            coll =
                sim_erpc::send_request_labelled(&cx, n, "timer", "sleep", a, Term::atom(n), &coll)
                    .await;
        }
        let r = sim_erpc::receive_response_coll(&cx, &coll, Timeout::ms(50), true).await;
        let timed_out = r
            .as_ref()
            .err()
            .and_then(|e| e.exception.erpc_error().filter(|_| e.request.is_none()));
        cx.check(
            timed_out == Some(ErpcError::Timeout),
            "a plain {erpc,timeout}",
        )?;
        cx.check(coll.len() == 2, "the collection is unchanged")?;
        let w = sim_erpc::wait_response_coll(&cx, &coll, Timeout::ms(1_000), true).await?;
        cx.check(w == PollResult::NoResponse, "nothing will ever arrive")?;
        Ok(())
    });
}

#[test]
fn collection_answers_in_arrival_order_with_labels() {
    check(builder(), |cx| async move {
        let mut coll = sim_erpc::reqids_new();
        for (n, ms) in [(B, 30), (C, 10), (D, 20)] {
            let a = vec![Term::Int(ms)];
            coll =
                sim_erpc::send_request_labelled(&cx, n, "timer", "sleep", a, Term::atom(n), &coll)
                    .await;
        }
        let mut labels = Vec::new();
        while let ReceiveResult::Response(r) =
            sim_erpc::receive_response_coll(&cx, &coll, Timeout::Infinity, true).await?
        {
            labels.push(r.label);
            coll = r.coll;
        }
        cx.check(
            labels == [C, D, B].map(Term::atom).to_vec(),
            "fastest first",
        )?;
        Ok(())
    });
}

#[test]
fn applier_is_monitored_not_linked() {
    check(builder(), |cx| async move {
        let me = cx.self_pid();
        let f = move |c: Cx| async move {
            let links = c.links();
            let watched = c.process_info(c.self_pid(), "monitored_by")?;
            let ok = links.is_empty()
                && watched
                    == Some(Term::tuple([
                        Term::atom("monitored_by"),
                        Term::List(vec![Term::Pid(me)]),
                    ]));
            Ok(Term::from(ok))
        };
        let v = sim_erpc::call_fun(&cx, B, f, Timeout::Infinity).await?;
        cx.check(v == Term::from(true), "monitored by the caller, not linked")?;
        cx.check(cx.links().is_empty(), "the caller has no link either")?;
        Ok(())
    });
}

#[test]
fn cast_failures_are_silent() {
    check(builder(), |cx| async move {
        sim_erpc::cast(&cx, B, "erlang", "error", vec![Term::atom("x")]).await;
        sim_erpc::cast(&cx, "ghost@sim", "erlang", "node", vec![]).await;
        let me = Term::Pid(cx.self_pid());
        sim_erpc::multicast(
            &cx,
            &[B, C],
            "probe",
            "sleep_send",
            vec![Term::Int(1), me, Term::atom("hi")],
        )
        .await;
        cx.sleep(Time::ms(100)).await;
        cx.check(
            cx.flush() == vec![Term::atom("hi"), Term::atom("hi")],
            "only the sends",
        )?;
        Ok(())
    });
}
