//! The process BIFs of `erlang` applied with terms (`apply(erlang, F, Args)`),
//! and pids of nodes the simulation does not run. Every expected text below
//! is what real OTP 25 printed for the same call (`erl -sname a`, the call
//! wrapped as `try {ok, F()} catch C:R -> {C, R} end`).

use crate::{down_msg, exit_msg, run_on_a, value};
use erpc_sim::prelude::*;

/// `?T(erlang:F(Args...))`, printed.
async fn bif(cx: &Cx, f: &str, args: Vec<Term>) -> String {
    let r = cx.apply(Atom::new("erlang"), Atom::new(f), args).await;
    match r {
        Ok(v) => tuple![atom!("ok"), v].to_string(),
        Err(e) => e.class_reason().to_string(),
    }
}

fn mfa(m: &str, f: &str, args: Term) -> Vec<Term> {
    vec![Term::atom(m), Term::atom(f), args]
}

#[test]
fn spawn_bifs_applied_with_terms_raise_badarg_as_otp() {
    let r = run_on_a(0, |cx| async move {
        let me = Term::Atom(cx.node());
        let nonlist = atom!("foo");
        let improper = Term::improper_list([atom!("a")], atom!("b"));
        let calls: Vec<(&str, Vec<Term>)> = vec![
            // No term is a fun: the fun forms see a non-fun.
            ("spawn", vec![atom!("foo")]),
            ("spawn", vec![Term::string("n"), atom!("foo")]),
            ("spawn_link", vec![atom!("foo")]),
            ("spawn_monitor", vec![atom!("foo")]),
            ("spawn_monitor", vec![Term::Int(1), atom!("foo")]),
            ("spawn_opt", vec![atom!("foo"), Term::List(vec![])]),
            (
                "spawn_opt",
                vec![Term::Int(1), atom!("foo"), Term::List(vec![])],
            ),
            // Non-atom module, function or node; a non-list or improper list.
            ("spawn", mfa("erlang", "node", nonlist.clone())),
            ("spawn", mfa("erlang", "node", improper.clone())),
            (
                "spawn",
                vec![Term::string("m"), atom!("node"), Term::List(vec![])],
            ),
            (
                "spawn",
                vec![atom!("erlang"), Term::Int(1), Term::List(vec![])],
            ),
            (
                "spawn",
                [vec![Term::Int(1)], mfa("erlang", "node", list![])].concat(),
            ),
            (
                "spawn",
                [vec![me.clone()], mfa("erlang", "node", nonlist.clone())].concat(),
            ),
            (
                "spawn",
                [
                    vec![atom!("nx@sim")],
                    mfa("erlang", "node", nonlist.clone()),
                ]
                .concat(),
            ),
            ("spawn_link", mfa("erlang", "node", nonlist.clone())),
            (
                "spawn_link",
                [vec![Term::string("n")], mfa("erlang", "node", list![])].concat(),
            ),
            ("spawn_monitor", mfa("erlang", "node", nonlist.clone())),
            (
                "spawn_monitor",
                [vec![Term::Int(1)], mfa("erlang", "node", list![])].concat(),
            ),
            (
                "spawn_monitor",
                [vec![me.clone()], mfa("erlang", "node", improper.clone())].concat(),
            ),
            (
                "spawn_opt",
                [mfa("erlang", "node", nonlist.clone()), vec![list![]]].concat(),
            ),
            (
                "spawn_opt",
                [mfa("erlang", "node", list![]), vec![atom!("foo")]].concat(),
            ),
            (
                "spawn_opt",
                [mfa("erlang", "node", list![]), vec![list![atom!("bogus")]]].concat(),
            ),
            (
                "spawn_opt",
                [
                    vec![Term::Int(1)],
                    mfa("erlang", "node", list![]),
                    vec![list![]],
                ]
                .concat(),
            ),
            (
                "spawn_opt",
                [
                    vec![me.clone()],
                    mfa("erlang", "node", nonlist),
                    vec![list![]],
                ]
                .concat(),
            ),
            (
                "spawn_opt",
                [vec![me], mfa("erlang", "node", list![]), vec![atom!("x")]].concat(),
            ),
        ];
        let mut out = Vec::new();
        for (f, args) in calls {
            let got = bif(&cx, f, args.clone()).await;
            cx.check(got == "{error,badarg}", format!("{f}{args:?}: {got}"))?;
            out.push(got);
        }
        Ok(Term::try_from(out.len()).unwrap_or(Term::Int(-1)))
    });
    assert_eq!(value(&r), Term::Int(25));
}

#[test]
fn spawn_bifs_applied_with_terms_start_the_function() {
    let r = run_on_a(0, |cx| async move {
        let spawned = bif(&cx, "spawn", mfa("erlang", "node", list![])).await;
        // spawn_monitor(erlang, error, [oops]) and spawn_monitor(nomod, f, [1]).
        let args = mfa("erlang", "error", list![atom!("oops")]);
        let t = cx
            .apply(Atom::new("erlang"), Atom::new("spawn_monitor"), args)
            .await?;
        let Some([Term::Pid(p), Term::Ref(m)]) = t.as_tuple() else {
            return Err(Exception::error(t));
        };
        let (p, m) = (*p, *m);
        let oops = cx.recv().await;
        cx.check(
            oops.as_tuple()
                .is_some_and(|d| d[1] == Term::Ref(m) && d[3] == Term::Pid(p)),
            "its DOWN",
        )?;
        let args = mfa("nomod", "f", list![1]);
        cx.apply(Atom::new("erlang"), Atom::new("spawn_monitor"), args)
            .await?;
        let undef = cx.recv().await;
        let opts = list![
            atom!("monitor"),
            tuple![atom!("priority"), atom!("high")],
            atom!("link")
        ];
        let args = [mfa("erlang", "node", list![]), vec![opts]].concat();
        let with_opts = cx
            .apply(Atom::new("erlang"), Atom::new("spawn_opt"), args)
            .await?;
        let shape = matches!(with_opts.as_tuple(), Some([Term::Pid(_), Term::Ref(_)]));
        let remote = [vec![atom!("b@sim")], mfa("erlang", "node", list![])].concat();
        let on_b = cx
            .apply(Atom::new("erlang"), Atom::new("spawn_link"), remote)
            .await?;
        let node_b = bif(&cx, "node", vec![on_b]).await;
        Ok(list![
            Term::from(spawned.starts_with("{ok,<")),
            oops.as_tuple()
                .map(|d| d[4].clone())
                .unwrap_or(atom!("none")),
            undef
                .as_tuple()
                .map(|d| d[4].clone())
                .unwrap_or(atom!("none")),
            Term::from(shape),
            Term::string(&node_b)
        ])
    });
    // OTP 25's DOWN reasons: a BIF spawned as the function itself leaves no
    // frame of its own, so `erlang:error(oops)` exits `{oops,[]}`.
    assert_eq!(
        value(&r).to_string(),
        "[true,{oops,[]},{undef,[{nomod,f,[1],[]}]},true,\"{ok,b@sim}\"]"
    );
}

#[test]
fn link_unlink_exit_register_return_true_as_otp() {
    let r = run_on_a(0, |cx| async move {
        let p = cx.spawn(crate::forever).await?;
        let me = Term::Pid(cx.self_pid());
        let out = vec![
            bif(&cx, "link", vec![Term::Pid(p)]).await,
            bif(&cx, "link", vec![me.clone()]).await,
            bif(&cx, "link", vec![atom!("foo")]).await,
            bif(&cx, "unlink", vec![Term::Pid(p)]).await,
            bif(&cx, "unlink", vec![me.clone()]).await,
            bif(&cx, "unlink", vec![atom!("foo")]).await,
            bif(&cx, "register", vec![atom!("r_tmp"), Term::Pid(p)]).await,
            bif(&cx, "register", vec![Term::string("x"), me.clone()]).await,
            bif(&cx, "register", vec![atom!("x"), atom!("foo")]).await,
            bif(&cx, "unregister", vec![atom!("r_tmp")]).await,
            bif(&cx, "unregister", vec![Term::Int(1)]).await,
            bif(&cx, "exit", vec![Term::Pid(p), atom!("kill")]).await,
            bif(&cx, "exit", vec![atom!("foo"), atom!("kill")]).await,
            bif(&cx, "exit", vec![cx.make_ref().into(), atom!("kill")]).await,
        ];
        Ok(Term::List(out.iter().map(|s| Term::string(s)).collect()))
    });
    let want = [
        "{ok,true}",
        "{ok,true}",
        "{error,badarg}",
        "{ok,true}",
        "{ok,true}",
        "{error,badarg}",
        "{ok,true}",
        "{error,badarg}",
        "{error,badarg}",
        "{ok,true}",
        "{error,badarg}",
        "{ok,true}",
        "{error,badarg}",
        "{error,badarg}",
    ];
    assert_eq!(
        value(&r),
        Term::List(want.iter().map(|s| Term::string(s)).collect())
    );
}

#[test]
fn demonitor_and_cancel_timer_return_what_otp_returns() {
    let r = run_on_a(0, |cx| async move {
        let fresh = || Term::Ref(cx.make_ref());
        let p = cx.spawn(crate::forever).await?;
        let active = Term::Ref(cx.monitor(p).await);
        let t1 = Term::Ref(cx.send_after(5000, cx.self_pid(), atom!("x")).await?);
        let t2 = Term::Ref(cx.send_after(5000, cx.self_pid(), atom!("x")).await?);
        let t3 = Term::Ref(cx.send_after(5000, cx.self_pid(), atom!("x")).await?);
        let t4 = Term::Ref(cx.send_after(5000, cx.self_pid(), atom!("x")).await?);
        let kv = |k: &str, v: bool| tuple![Term::atom(k), v];
        let out = vec![
            bif(&cx, "demonitor", vec![fresh()]).await,
            bif(&cx, "demonitor", vec![atom!("foo")]).await,
            bif(&cx, "demonitor", vec![fresh(), list![]]).await,
            bif(&cx, "demonitor", vec![fresh(), list![atom!("info")]]).await,
            bif(&cx, "demonitor", vec![fresh(), list![atom!("flush")]]).await,
            bif(
                &cx,
                "demonitor",
                vec![fresh(), list![atom!("flush"), atom!("info")]],
            )
            .await,
            bif(&cx, "demonitor", vec![fresh(), list![atom!("bogus")]]).await,
            bif(&cx, "demonitor", vec![fresh(), atom!("info")]).await,
            bif(&cx, "demonitor", vec![Term::Pid(p), list![atom!("info")]]).await,
            bif(&cx, "demonitor", vec![active, list![atom!("info")]]).await,
            bif(&cx, "cancel_timer", vec![t1.clone()]).await,
            bif(&cx, "cancel_timer", vec![t1]).await,
            bif(&cx, "cancel_timer", vec![atom!("foo")]).await,
            bif(&cx, "cancel_timer", vec![t2, list![]]).await,
            bif(&cx, "cancel_timer", vec![t3, list![kv("async", true)]]).await,
            bif(&cx, "cancel_timer", vec![t4, list![kv("info", false)]]).await,
            bif(&cx, "cancel_timer", vec![fresh(), list![atom!("bogus")]]).await,
        ];
        // The asynchronous answer arrives as a message.
        let answer = cx.recv().await;
        cx.exit(p, atom!("kill")).await;
        let mut out: Vec<Term> = out.iter().map(|s| Term::string(s)).collect();
        out.push(Term::from(
            matches!(answer.as_tuple(), Some([tag, Term::Ref(_), Term::Int(5000)]) if tag.is_atom("cancel_timer")),
        ));
        Ok(Term::List(out))
    });
    let want = [
        "{ok,true}",
        "{error,badarg}",
        "{ok,true}",
        "{ok,false}",
        "{ok,true}",
        "{ok,false}",
        "{error,badarg}",
        "{error,badarg}",
        "{error,badarg}",
        "{ok,true}",
        "{ok,5000}",
        "{ok,false}",
        "{error,badarg}",
        "{ok,5000}",
        "{ok,ok}",
        "{ok,ok}",
        "{error,badarg}",
    ];
    let mut want: Vec<Term> = want.iter().map(|s| Term::string(s)).collect();
    want.push(Term::from(true));
    assert_eq!(value(&r), Term::List(want));
}

#[test]
fn pid_of_unknown_node_keeps_its_node() {
    let r = run_on_a(0, |cx| async move {
        let p = cx.external_pid("nx@sim", 9, 0);
        let node = bif(&cx, "node", vec![Term::Pid(p)]).await;
        let text = cx
            .apply(
                Atom::new("erlang"),
                Atom::new("pid_to_list"),
                vec![Term::Pid(p)],
            )
            .await?;
        let back = cx
            .apply(
                Atom::new("erlang"),
                Atom::new("list_to_pid"),
                vec![text.clone()],
            )
            .await?;
        let parsed: Term = p
            .to_string()
            .parse()
            .map_err(|_| Exception::error(atom!("parse")))?;
        // A node number nobody has: OTP's list_to_pid refuses it.
        let unknown = bif(&cx, "list_to_pid", vec![Term::string("<77.1.0>")]).await;
        Ok(list![
            Term::string(&node),
            Term::from(back == Term::Pid(p) && parsed == Term::Pid(p)),
            Term::string(&unknown),
            Term::Atom(cx.node_name(p.node())),
        ])
    });
    assert_eq!(
        value(&r).to_string(),
        "[\"{ok,nx@sim}\",true,\"{error,badarg}\",nx@sim]"
    );
}

#[test]
fn signals_to_pid_of_unknown_node_meet_noconnection() {
    let r = run_on_a(0, |cx| async move {
        let p = cx.external_pid("nx@sim", 9, 0);
        // OTP 25: `P ! hi` returns hi and is dropped; monitor gives an
        // immediate 'DOWN' noconnection; link returns true and sends back
        // an exit signal noconnection.
        let sent = bif(&cx, "send", vec![Term::Pid(p), atom!("hi")]).await;
        let m = cx.monitor(p).await;
        let down = cx.recv().await;
        cx.trap_exit(true);
        let linked = bif(&cx, "link", vec![Term::Pid(p)]).await;
        let exit = cx.recv().await;
        cx.trap_exit(false);
        let (child, cm) = cx
            .spawn_monitor(move |c| async move {
                c.link(p).await?;
                c.sleep(Time::ms(500)).await;
                Ok(atom!("survived"))
            })
            .await?;
        let child_down = cx.recv().await;
        let rest = crate::flush(&cx, 100).await;
        Ok(list![
            Term::string(&sent),
            Term::from(down == down_msg(m, p, atom!("noconnection"))),
            Term::string(&linked),
            Term::from(exit == exit_msg(p, atom!("noconnection"))),
            Term::from(child_down == down_msg(cm, child, atom!("noconnection"))),
            Term::List(rest)
        ])
    });
    assert_eq!(
        value(&r).to_string(),
        "[\"{ok,hi}\",true,\"{ok,true}\",true,true,[]]"
    );
}
