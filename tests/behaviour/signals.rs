//! Processes and signals: exit-signal rules, links, `trap_exit`.

use crate::{exit_msg, flush, forever, run_on_a, value, A, B};
use erpc_sim::prelude::*;

#[test]
fn normal_exit_ignored_unless_trapping() {
    let r = run_on_a(0, |cx| async move {
        // Not trapping: a linked child exiting `normal`, and `exit(P, normal)`,
        // leave the process alive.
        let (p, _) = cx
            .spawn_monitor(|c| async move {
                c.spawn_link(|_| async move { Ok(atom!("done")) }).await?;
                c.receive(|m| m.is_atom("stop")).await;
                Ok(atom!("ok"))
            })
            .await?;
        cx.exit(p, atom!("normal")).await;
        cx.sleep(Time::ms(10)).await;
        let alive = cx.is_process_alive(p).await?;
        cx.send(p, atom!("stop")).await?;
        // Trapping: the same `normal` arrives as a message.
        cx.trap_exit(true);
        let child = cx.spawn_link(|_| async move { Ok(atom!("done")) }).await?;
        let got = flush(&cx, 10).await;
        let trapped = got.contains(&exit_msg(child, atom!("normal")));
        Ok(tuple![alive, trapped])
    });
    assert_eq!(value(&r), tuple![true, true]);
}

#[test]
fn kill_is_untrappable_and_links_see_killed() {
    let r = run_on_a(0, |cx| async move {
        cx.trap_exit(true);
        let p = cx
            .spawn_link(|c| async move {
                c.trap_exit(true);
                c.sleep(Time::MAX).await;
                Ok(atom!("survived"))
            })
            .await?;
        let m = cx.monitor(p).await;
        cx.exit(p, atom!("kill")).await;
        let mut got = flush(&cx, 10).await;
        got.sort();
        let want = vec![
            exit_msg(p, atom!("killed")),
            tuple![atom!("DOWN"), m, atom!("process"), p, atom!("killed")],
        ];
        cx.check(got == want, format!("got {got:?}"))?;
        Ok(atom!("ok"))
    });
    value(&r);
}

#[test]
fn trapping_turns_exit_signals_into_messages() {
    let r = run_on_a(0, |cx| async move {
        cx.trap_exit(true);
        let me = cx.self_pid();
        let child = cx
            .spawn_link(|_| async move { Err(Exception::exit(atom!("boom"))) })
            .await?;
        let sender = cx
            .spawn(move |c| async move {
                c.exit(me, atom!("bang")).await;
                Ok(atom!("ok"))
            })
            .await?;
        let mut got = flush(&cx, 10).await;
        got.sort();
        let mut want = vec![
            exit_msg(child, atom!("boom")),
            exit_msg(sender, atom!("bang")),
        ];
        want.sort();
        cx.check(got == want, format!("got {got:?}"))?;
        Ok(atom!("still alive"))
    });
    assert_eq!(value(&r), atom!("still alive"));
}

#[test]
fn links_are_bidirectional() {
    let r = run_on_a(0, |cx| async move {
        // The process that called `link` dies when its partner dies ...
        let (_, m1) = cx
            .spawn_monitor(|c| async move {
                let partner = c.spawn(forever).await?;
                c.link(partner).await?;
                c.exit(partner, atom!("boom")).await;
                c.sleep(Time::ms(100)).await;
                Ok(atom!("survived"))
            })
            .await?;
        // ... and the partner (which never called `link`, here on another
        // node) dies when the process that linked dies.
        let me = cx.self_pid();
        let linker = cx
            .spawn(move |c| async move {
                let partner = c.spawn_on(B, forever).await?;
                c.link(partner).await?;
                c.send(me, partner).await?;
                c.receive(|m| m.is_atom("die")).await;
                Err(Exception::exit(atom!("bang")))
            })
            .await?;
        let partner = cx.receive(|m| m.as_pid().is_some()).await;
        let partner = partner.as_pid().expect("a pid");
        let m2 = cx.monitor(partner).await;
        cx.send(linker, atom!("die")).await?;
        let mut reasons = Vec::new();
        for m in [m1, m2] {
            let d = cx
                .receive(move |d| matches!(d.as_tuple(), Some([_, r, ..]) if *r == Term::Ref(m)))
                .await;
            reasons.push(d.as_tuple().map(|t| t[4].clone()).expect("DOWN"));
        }
        Ok(Term::List(reasons))
    });
    assert_eq!(value(&r).to_string(), "[boom,bang]");
}

#[test]
fn link_or_monitor_to_dead_pid_gives_noproc() {
    let r = run_on_a(0, |cx| async move {
        let (dead, m) = cx.spawn_monitor(|_| async move { Ok(atom!("ok")) }).await?;
        cx.receive(|d| matches!(d.as_tuple(), Some([t, ..]) if t.is_atom("DOWN")))
            .await;
        let _ = m;
        // Local, not trapping: `link` raises noproc and the caller lives on.
        let e = cx.link(dead).await.expect_err("noproc");
        cx.check(e.class_reason().to_string() == "{error,noproc}", "raised")?;
        // Local, trapping: `{'EXIT', Dead, noproc}`.
        cx.trap_exit(true);
        cx.link(dead).await?;
        let got = flush(&cx, 10).await;
        cx.check(got == vec![exit_msg(dead, atom!("noproc"))], "EXIT noproc")?;
        cx.trap_exit(false);
        // A monitor: `'DOWN'` noproc.
        let m = cx.monitor(dead).await;
        let got = flush(&cx, 10).await;
        let want = tuple![atom!("DOWN"), m, atom!("process"), dead, atom!("noproc")];
        cx.check(got == vec![want], "DOWN noproc")?;
        // Remote and not trapping: `link` returns, then noproc kills the caller.
        let (remote_dead, rm) = cx
            .spawn_monitor_on(B, |_| async move { Ok(atom!("ok")) })
            .await?;
        cx.receive(move |d| matches!(d.as_tuple(), Some([_, r, ..]) if *r == Term::Ref(rm)))
            .await;
        let (_, lm) = cx
            .spawn_monitor(move |c| async move {
                c.link(remote_dead).await?;
                c.sleep(Time::secs(1)).await;
                Ok(atom!("survived"))
            })
            .await?;
        let d = cx
            .receive(move |d| matches!(d.as_tuple(), Some([_, r, ..]) if *r == Term::Ref(lm)))
            .await;
        Ok(d.as_tuple().map(|t| t[4].clone()).expect("DOWN"))
    });
    assert_eq!(value(&r), atom!("noproc"));
}

#[test]
fn a_signal_may_arrive_between_setting_trap_exit_and_the_next_receive() {
    // The child traps exits and looks at its mailbox at once; its parent
    // links to it and exits normally. On BEAM the child can be preempted
    // between the flag and the receive, so the `{'EXIT', Parent, normal}`
    // message may be there: some schedule must show it. (`AnyProcess` runs
    // each schedule to its end, past the parent's exit.)
    let program = |b: SimBuilder| {
        let mut sim = b
            .nodes([A])
            .exit_policy(ExitPolicy::AnyProcess)
            .build()
            .unwrap();
        sim.spawn(A, |cx| async move {
            let child = cx
                .spawn(|c| async move {
                    c.trap_exit(true);
                    let m = c.receive_timeout(|_| true, Timeout::ms(0)).await;
                    Err(Exception::exit(m.unwrap_or(atom!("none"))))
                })
                .await?;
            cx.link(child).await?;
            Ok(atom!("ok"))
        })
        .unwrap();
        sim
    };
    let dfs = Dfs::new(100);
    let mut prefix = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..1_000 {
        let run = dfs.restart(prefix);
        let r = program(Sim::builder().strategy(run.clone()).trace(TraceMode::Full)).run();
        for rec in &r.trace {
            if let erpc_sim::core::TraceEvent::Exit { reason, .. } = &rec.event {
                seen.insert(reason.to_string());
            }
        }
        match run.next_prefix() {
            Some(p) => prefix = p,
            None => break,
        }
    }
    assert!(seen.iter().any(|r| r.starts_with("{'EXIT',")), "{seen:?}");
    assert!(seen.contains("none"), "{seen:?}");
}
