//! `call`, `cast` and `reply` against OTP 25's `gen_server`. Each expected
//! reason is the one real OTP 25 printed for the same call (quoted next to
//! the test, from `try gen_server:call(...) catch C:R -> {C, R} end`), with
//! the pids of this run in place of OTP's; each test ends with the caller's
//! mailbox empty, as OTP's own tests check.

use sim_core::{atom, tuple, Class, Control, Cx, Exception, Sim, Term, Time, Timeout};
use sim_server::{call, cast, next, reply, Request};
use std::future::Future;

/// A server that echoes `{echo, Req}`, sleeps 200 ms on `slow`, and exits
/// `boom` on `die` (as `{stop, boom, S}` from `handle_call`).
async fn echo(cx: Cx) -> Result<Term, Exception> {
    loop {
        match next(&cx).await {
            Request::Call { req, from } if req.is_atom("slow") => {
                cx.sleep(Time::ms(200)).await;
                reply(&cx, &from, atom!("late")).await;
            }
            Request::Call { req, .. } if req.is_atom("die") => {
                return Err(Exception::exit(atom!("boom")));
            }
            Request::Call { req, from } => reply(&cx, &from, tuple![atom!("echo"), req]).await,
            _ => {}
        }
    }
}

fn run<F, Fut>(nodes: &[&str], body: F)
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = Sim::builder()
        .nodes(nodes.iter().copied())
        .build()
        .expect("valid nodes");
    sim.spawn(nodes[0], body).expect("first node exists");
    sim.run().assert_ok();
}

/// The exit a failed call raised, as `{Class, Reason}` text.
fn exit_of(r: Result<Term, Exception>) -> String {
    match r {
        Ok(v) => format!("value {v}"),
        Err(e) => {
            assert_eq!(e.class, Class::Exit, "gen_server:call exits");
            e.class_reason().to_string()
        }
    }
}

fn mailbox_empty(cx: &Cx) -> Result<(), Exception> {
    cx.check(
        cx.mailbox().is_empty(),
        format!("mailbox {:?}", cx.mailbox()),
    )
}

#[test]
fn call_returns_the_reply_with_either_kind_of_timeout() {
    // OTP 25: gen_server:call(P, hi, 1000) -> {echo,hi}
    run(&["a@sim"], |cx| async move {
        let p = cx.spawn(echo).await?;
        for t in [Timeout::Infinity, Timeout::ms(1000)] {
            let v = call(&cx, p, atom!("hi"), t).await?;
            cx.check(v == tuple![atom!("echo"), atom!("hi")], "echoed")?;
        }
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn call_timeout_exits_timeout_and_the_late_reply_never_arrives() {
    // OTP 25: gen_server:call(P, slow, 50) ->
    //   {exit,{timeout,{gen_server,call,[<0.85.0>,slow,50]}}}
    // and after the server's late reply: process_info(self(), messages) -> {messages,[]}
    // gen_server:call(P, slow, 0) -> {exit,{timeout,{gen_server,call,[<0.85.0>,slow,0]}}}
    run(&["a@sim"], |cx| async move {
        let p = cx.spawn(echo).await?;
        for ms in [50, 0] {
            let r = call(&cx, p, atom!("slow"), Timeout::ms(ms)).await;
            let want = format!("{{exit,{{timeout,{{gen_server,call,[{p},slow,{ms}]}}}}}}");
            cx.check(exit_of(r) == want, "timeout")?;
            cx.sleep(Time::ms(300)).await;
            mailbox_empty(&cx)?;
        }
        let v = call(&cx, p, atom!("hi"), Timeout::ms(1000)).await?;
        cx.check(v.to_string() == "{echo,hi}", "the server still answers")?;
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn call_to_a_missing_name_or_a_dead_pid_exits_noproc() {
    // OTP 25: gen_server:call(nobody, hi, 100) -> {exit,{noproc,{gen_server,call,[nobody,hi,100]}}}
    // gen_server:call({nobody, node()}, hi, 100) ->
    //   {exit,{noproc,{gen_server,call,[{nobody,t1@vm},hi,100]}}}
    // gen_server:call(DeadPid, hi, 1000) -> {exit,{noproc,{gen_server,call,[<0.85.0>,hi,1000]}}}
    run(&["a@sim"], |cx| async move {
        let r = call(&cx, "nobody", atom!("hi"), Timeout::ms(100)).await;
        cx.check(
            exit_of(r) == "{exit,{noproc,{gen_server,call,[nobody,hi,100]}}}",
            "name",
        )?;
        let r = call(&cx, ("nobody", "a@sim"), atom!("hi"), Timeout::ms(100)).await;
        cx.check(
            exit_of(r) == "{exit,{noproc,{gen_server,call,[{nobody,a@sim},hi,100]}}}",
            "own-node name",
        )?;
        let (dead, mref) = cx.spawn_monitor(|_| async { Ok(atom!("done")) }).await?;
        cx.receive(move |m| {
            m.as_tuple()
                .is_some_and(|t| t.get(1) == Some(&Term::Ref(mref)))
        })
        .await;
        for t in [Timeout::ms(1000), Timeout::Infinity] {
            let r = call(&cx, dead, atom!("hi"), t).await;
            let t = if t == Timeout::Infinity {
                "infinity".to_string()
            } else {
                "1000".into()
            };
            let want = format!("{{exit,{{noproc,{{gen_server,call,[{dead},hi,{t}]}}}}}}");
            cx.check(exit_of(r) == want, "dead pid")?;
        }
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn call_to_a_name_on_an_unknown_node_exits_nodedown() {
    // OTP 25: gen_server:call({nobody, 'x@nohost'}, hi, 100) ->
    //   {exit,{{nodedown,x@nohost},{gen_server,call,[{nobody,x@nohost},hi,100]}}}
    run(&["a@sim"], |cx| async move {
        for t in [Timeout::ms(100), Timeout::Infinity] {
            let r = call(&cx, ("nobody", "x@nohost"), atom!("hi"), t).await;
            let t = if t == Timeout::Infinity {
                "infinity"
            } else {
                "100"
            };
            let want = format!(
                "{{exit,{{{{nodedown,x@nohost}},{{gen_server,call,[{{nobody,x@nohost}},hi,{t}]}}}}}}"
            );
            cx.check(exit_of(r) == want, "nodedown")?;
        }
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn call_exits_with_the_servers_exit_reason() {
    // OTP 25: gen_server:call(P, die, 1000) with handle_call returning {stop, boom, S} ->
    //   {exit,{boom,{gen_server,call,[<0.85.0>,die,1000]}}}
    // A process that exits normal on the request ->
    //   {exit,{normal,{gen_server,call,[<0.89.0>,req,1000]}}}
    run(&["a@sim"], |cx| async move {
        for t in [Timeout::ms(1000), Timeout::Infinity] {
            let p = cx.spawn(echo).await?;
            let r = call(&cx, p, atom!("die"), t).await;
            let ts = if t == Timeout::Infinity {
                "infinity"
            } else {
                "1000"
            };
            let want = format!("{{exit,{{boom,{{gen_server,call,[{p},die,{ts}]}}}}}}");
            cx.check(exit_of(r) == want, "boom")?;
            let n = cx
                .spawn(|c| async move {
                    c.recv().await;
                    Err(Exception::exit(atom!("normal")))
                })
                .await?;
            let r = call(&cx, n, atom!("req"), t).await;
            let want = format!("{{exit,{{normal,{{gen_server,call,[{n},req,{ts}]}}}}}}");
            cx.check(exit_of(r) == want, "normal")?;
        }
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn call_to_self_exits_calling_self() {
    // OTP 25: gen_server:call(self(), hi, 100) -> {exit,{calling_self,{gen_server,call,[<0.9.0>,hi,100]}}}
    run(&["a@sim"], |cx| async move {
        let me = cx.self_pid();
        let r = call(&cx, me, atom!("hi"), Timeout::ms(100)).await;
        let want = format!("{{exit,{{calling_self,{{gen_server,call,[{me},hi,100]}}}}}}");
        cx.check(exit_of(r) == want, "calling_self")?;
        cx.register("me", me).await?;
        let r = call(&cx, "me", atom!("hi"), Timeout::Infinity).await;
        let want = "{exit,{calling_self,{gen_server,call,[me,hi,infinity]}}}";
        cx.check(exit_of(r) == want, "calling_self by name")?;
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn call_with_a_bad_timeout_exits_as_otp_does_and_sends_nothing() {
    // OTP 25: gen_server:call(P, hi, {abs, 100}) ->
    //   {exit,{{function_clause,[{gen,call,[<0.85.0>,'$gen_call',hi,{abs,100}],_}|_]},
    //          {gen_server,call,[<0.85.0>,hi,{abs,100}]}}}
    // gen_server:call(P, hi, 4294967296) ->
    //   {exit,{{timeout_value,[{gen,do_call,4,_}|_]},{gen_server,call,[<0.85.0>,hi,4294967296]}}}
    // (OTP sends the request before it fails there, and the reply is left in the
    // mailbox; here nothing is sent.)
    run(&["a@sim"], |cx| async move {
        let p = cx.spawn(echo).await?;
        let e = call(&cx, p, atom!("hi"), Timeout::Abs(100))
            .await
            .unwrap_err();
        let why = e.reason.as_tuple().map(|t| t.to_vec()).unwrap_or_default();
        let want_first = format!("{{gen,call,[{p},'$gen_call',hi,{{abs,100}}],[]}}");
        cx.check(
            why[0].as_tuple().is_some_and(|w| {
                w[0].is_atom("function_clause")
                    && w[1]
                        .as_list()
                        .is_some_and(|s| s[0].to_string() == want_first)
            }),
            format!("function_clause: {}", e.reason),
        )?;
        cx.check(
            why[1].to_string() == format!("{{gen_server,call,[{p},hi,{{abs,100}}]}}"),
            "args",
        )?;
        let e = call(&cx, p, atom!("hi"), Timeout::ms(4_294_967_296))
            .await
            .unwrap_err();
        let why = e.reason.as_tuple().map(|t| t.to_vec()).unwrap_or_default();
        cx.check(
            why[0]
                .as_tuple()
                .is_some_and(|w| w[0].is_atom("timeout_value")),
            format!("timeout_value: {}", e.reason),
        )?;
        cx.check(e.class == Class::Exit, "exit")?;
        cx.sleep(Time::ms(10)).await;
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn the_request_is_a_gen_call_with_an_alias_tag() {
    // OTP 25: a process receiving a gen_server:call sees
    //   {'$gen_call',{<0.9.0>,[alias|#Ref<...>]},req}
    // and gen_server:reply(From, got) makes the call return got.
    run(&["a@sim"], |cx| async move {
        let me = cx.self_pid();
        for t in [Timeout::Infinity, Timeout::ms(100)] {
            let server = cx
                .spawn(move |c| async move {
                    let m = c.recv().await;
                    let shape = match m.as_tuple() {
                        Some([g, from, req]) => {
                            g.is_atom("$gen_call")
                                && req.is_atom("req")
                                && matches!(from.as_tuple(), Some([Term::Pid(p), Term::ImproperList(h, _)])
                                    if *p == me && h.len() == 1 && h[0].is_atom("alias"))
                        }
                        _ => false,
                    };
                    c.check(shape, format!("request {m}"))?;
                    if let Request::Call { from, .. } = Request::from_message(m) {
                        reply(&c, &from, atom!("got")).await;
                    }
                    Ok(atom!("done"))
                })
                .await?;
            let v = call(&cx, server, atom!("req"), t).await?;
            cx.check(v == atom!("got"), "replied")?;
        }
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn a_node_crash_during_a_call_exits_nodedown() {
    // OTP 25 gen:do_call: a 'DOWN' with noconnection exits {nodedown, Node},
    // wrapped as {{nodedown,Node},{gen_server,call,[...]}}.
    for t in [Timeout::Infinity, Timeout::ms(1000)] {
        let mut sim = Sim::builder()
            .nodes(["a@sim", "b@sim"])
            .build()
            .expect("nodes");
        sim.at(Time::ms(50), |c: &mut Control<'_>| {
            if let Some(b) = c.node_id("b@sim") {
                c.crash(b, "crash b@sim");
            }
        })
        .expect("b exists");
        sim.spawn("a@sim", move |cx| async move {
            let p = cx.spawn_on("b@sim", echo).await?;
            let r = call(&cx, p, atom!("slow"), t).await;
            let why = r.err().map(|e| e.reason.to_string()).unwrap_or_default();
            cx.check(why.starts_with("{{nodedown,b@sim},{gen_server,call,["), why)?;
            cx.check(cx.now() < Time::ms(100), "at the crash, not at the timeout")?;
            mailbox_empty(&cx)?;
            Ok(atom!("ok"))
        })
        .expect("a exists");
        sim.run().assert_ok();
    }
}

#[test]
fn casts_and_calls_from_one_client_arrive_in_order_and_a_cast_never_fails() {
    // OTP 25: gen_server:cast(DeadPid, x) -> ok; gen_server:cast(nobody, x) -> ok;
    // gen_server:cast({reg, 'x@nohost'}, x) -> ok.
    run(&["a@sim", "b@sim"], |cx| async move {
        let counter = cx
            .spawn_on("b@sim", |c| async move {
                sim_server::serve(&c, 0_i64, |_c, n, req| async move {
                    Ok(match req {
                        Request::Cast(k) => (n * 10 + k.as_int().unwrap_or(0), None),
                        Request::Call { .. } => (n, Some(Term::Int(n))),
                        Request::Info(_) => (n, None),
                    })
                })
                .await
            })
            .await?;
        cast(&cx, "nobody", Term::Int(1)).await;
        cast(&cx, ("reg", "x@nohost"), Term::Int(1)).await;
        for k in 1..=3 {
            cast(&cx, counter, Term::Int(k)).await;
        }
        let n = call(&cx, counter, atom!("get"), Timeout::ms(100)).await?;
        cx.check(
            n == Term::Int(123),
            format!("casts in order before the call: {n}"),
        )?;
        mailbox_empty(&cx)?;
        Ok(atom!("ok"))
    });
}

#[test]
fn a_stand_in_does_not_outlive_a_caller_killed_mid_call() {
    run(&["a@sim"], |cx| async move {
        let silent = cx
            .spawn(|c| async move {
                loop {
                    c.recv().await;
                }
            })
            .await?;
        let (caller, mref) = cx
            .spawn_monitor(move |c| async move {
                call(&c, silent, atom!("hi"), Timeout::ms(10_000)).await
            })
            .await?;
        cx.sleep(Time::ms(5)).await;
        let watchers = |cx: &Cx| -> Result<usize, Exception> {
            let info = cx.process_info(silent, "monitored_by")?;
            Ok(info
                .and_then(|t| t.as_tuple().and_then(|t| t[1].as_list().map(<[Term]>::len)))
                .unwrap_or(0))
        };
        cx.check(watchers(&cx)? == 1, "the stand-in watches the server")?;
        cx.exit(caller, atom!("kill")).await;
        cx.receive(move |m| {
            m.as_tuple()
                .is_some_and(|t| t.get(1) == Some(&Term::Ref(mref)))
        })
        .await;
        cx.sleep(Time::ms(5)).await;
        // The silent server was monitored by the stand-in; with the stand-in
        // gone, nothing monitors it any more.
        cx.check(
            watchers(&cx)? == 0,
            "nothing watches it once the caller is gone",
        )?;
        cx.exit(silent, atom!("kill")).await;
        Ok(atom!("ok"))
    });
}
