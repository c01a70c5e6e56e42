//! Signals between two processes of one node: events of their own in
//! `LocalSignals::Async`, delivered in the sending step in `Instant`.

use sim_core::{
    Atom, Control, Dfs, Exception, ExitPolicy, LocalSignals, Outcome, Pid, Replay, RoundRobin,
    RunReport, Sim, SimBuilder, Target, Term, Time, TraceEvent, TraceMode,
};
use std::collections::BTreeSet;

/// Runs `program` under every schedule (depth-first) and maps each report.
fn every_schedule<T>(
    mode: LocalSignals,
    program: impl Fn(SimBuilder) -> Sim,
    mut seen: impl FnMut(&RunReport) -> T,
) -> Vec<T> {
    let mut out = Vec::new();
    let mut prefix = Vec::new();
    for _ in 0..100_000 {
        let d = Dfs::new(1_000).restart(prefix);
        // The processes' abnormal exits are the point: they do not fail the run.
        let b = Sim::builder()
            .exit_policy(ExitPolicy::Allow)
            .local_signals(mode)
            .trace(TraceMode::Full)
            .strategy(d.clone());
        let r = program(b).run();
        assert!(matches!(r.outcome, Outcome::Completed), "{:?}", r.outcome);
        assert!(r.books.balanced(), "{:?}", r.books);
        out.push(seen(&r));
        match d.next_prefix() {
            Some(p) => prefix = p,
            None => return out,
        }
    }
    panic!("more than 100,000 schedules");
}

/// The exit reason of `pid` in a run's trace, `none` if it never existed.
fn exit_reason(r: &RunReport, pid: Option<Pid>) -> Term {
    pid.and_then(|pid| {
        r.trace.iter().find_map(|t| match &t.event {
            TraceEvent::Exit { pid: p, reason } if *p == pid => Some(reason.clone()),
            _ => None,
        })
    })
    .unwrap_or(Term::atom("none"))
}

/// The processes `parent` spawned, in order.
fn children(r: &RunReport, parent: Pid) -> Vec<Pid> {
    r.trace
        .iter()
        .filter_map(|t| match t.event {
            TraceEvent::Spawn {
                pid,
                parent: Some(p),
                ..
            } if p == parent => Some(pid),
            _ => None,
        })
        .collect()
}

/// Main spawns two linked children; each of the three exits with a reason
/// of its own (`r0` for main, `r1` and `r2` for the children). Main is the
/// first foreground process.
fn three(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.spawn_link(|_| async { Err(Exception::exit(Term::atom("r1"))) })
            .await?;
        cx.spawn_link(|_| async { Err(Exception::exit(Term::atom("r2"))) })
            .await?;
        Err::<Term, _>(Exception::exit(Term::atom("r0")))
    })
    .unwrap();
    // The run ends with its last foreground process: this one outlives the
    // others, so every signal they send is delivered first.
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::secs(1)).await;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    sim
}

/// `{Main, Child1, Child2}`: how each of [`three`]'s processes ended.
fn three_outcomes(mode: LocalSignals) -> BTreeSet<String> {
    every_schedule(mode, three, |r| {
        let main = r.results[0].0;
        let kids = children(r, main);
        format!(
            "{{{}, {}, {}}}",
            exit_reason(r, Some(main)),
            exit_reason(r, kids.first().copied()),
            exit_reason(r, kids.get(1).copied()),
        )
    })
    .into_iter()
    .collect()
}

/// The outcomes OTP 25 allows [`three`], derived from the rules (each
/// process ends with its own reason or with the reason of a link partner
/// that ended first; a child never spawned is `none`) and each seen on real
/// OTP 25 (`escript`, `+S 4:4`, 200,000 runs with random spins between the
/// steps, exit reasons taken from `erlang:trace(M, true, [procs,
/// set_on_spawn])`):
///
/// ```erlang
/// M = spawn(fun() ->
///     receive go -> ok end, spin(rand:uniform(200)),
///     spawn_link(fun() -> spin(rand:uniform(200)), exit(r1) end),
///     spin(rand:uniform(200)),
///     spawn_link(fun() -> spin(rand:uniform(200)), exit(r2) end),
///     spin(rand:uniform(200)), exit(r0) end),
/// erlang:trace(M, true, [procs, set_on_spawn]), M ! go,
/// %% then collect {trace, P, exit, R} for M and every pid M spawned
/// ```
const OTP_THREE: [&str; 9] = [
    "{r0, r0, r0}",
    "{r0, r0, r2}",
    "{r0, r1, r0}",
    "{r0, r1, r2}",
    "{r1, r1, none}",
    "{r1, r1, r1}",
    "{r1, r1, r2}",
    "{r2, r1, r2}",
    "{r2, r2, r2}",
];

#[test]
fn async_signals_reach_every_outcome_otp_allows_three_linked_exits() {
    let want: BTreeSet<String> = OTP_THREE.iter().map(|s| s.to_string()).collect();
    assert_eq!(three_outcomes(LocalSignals::Async), want);
}

#[test]
fn instant_signals_reach_only_the_outcomes_where_a_death_kills_at_once() {
    let got = three_outcomes(LocalSignals::Instant);
    // Instant delivery: whoever exits first takes its partners with it.
    let want: BTreeSet<String> = [
        "{r0, r0, r0}",
        "{r1, r1, none}",
        "{r1, r1, r1}",
        "{r2, r2, r2}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
    assert!(want.iter().all(|o| OTP_THREE.contains(&o.as_str())));
}

/// A trapping main with two linked children that exit at once: the order
/// its `'EXIT'` messages come in (`[first, second]` child, by spawn order).
fn trap_two(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.trap_exit(true);
        let a = cx
            .spawn_link(|_| async { Err(Exception::exit(Term::atom("a"))) })
            .await?;
        let b = cx
            .spawn_link(|_| async { Err(Exception::exit(Term::atom("b"))) })
            .await?;
        let mut order = Vec::new();
        for _ in 0..2 {
            let m = cx.recv().await;
            let Term::Tuple(t) = &m else {
                return Err(Exception::error(m));
            };
            cx.check(t[0] == Term::atom("EXIT"), "an EXIT message")?;
            order.push(Term::atom(if t[1] == Term::Pid(a) {
                "a"
            } else if t[1] == Term::Pid(b) {
                "b"
            } else {
                "other"
            }));
        }
        Ok(Term::List(order))
    })
    .unwrap();
    sim
}

#[test]
fn a_trapping_process_gets_the_exits_of_two_children_in_both_orders() {
    for mode in [LocalSignals::Async, LocalSignals::Instant] {
        let orders: BTreeSet<String> = every_schedule(mode, trap_two, |r| {
            format!("{}", r.value(0).cloned().unwrap_or(Term::atom("none")))
        })
        .into_iter()
        .collect();
        let want: BTreeSet<String> = ["[a,b]", "[b,a]"].iter().map(|s| s.to_string()).collect();
        assert_eq!(orders, want, "{mode:?}");
    }
}

/// A sender interleaves exit signals and messages to a trapping receiver,
/// which reports the order they reached its mailbox in. With `by_name`, the
/// receiver registers as `inbox` and the messages go to `{inbox, node()}`.
fn mixed_to(b: SimBuilder, by_name: bool) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", move |cx| async move {
        cx.trap_exit(true);
        let me = cx.self_pid();
        if by_name {
            cx.register("inbox", me).await?;
        }
        let to = move || -> Target {
            if by_name {
                (Atom::new("inbox"), Atom::new("a@sim")).into()
            } else {
                me.into()
            }
        };
        cx.spawn(move |c| async move {
            c.exit(me, Term::atom("s1")).await;
            c.send(to(), Term::atom("m1")).await?;
            c.exit(me, Term::atom("s2")).await;
            c.exit(me, Term::atom("s3")).await;
            c.send(to(), Term::atom("m2")).await?;
            Ok(Term::atom("ok"))
        })
        .await?;
        let mut got = Vec::new();
        for _ in 0..5 {
            let m = cx.recv().await;
            got.push(match &m {
                Term::Tuple(t) if t.len() == 3 => t[2].clone(),
                _ => m,
            });
        }
        Ok(Term::List(got))
    })
    .unwrap();
    sim
}

/// The orders `mixed_to` reports over every schedule.
fn mixed_orders(by_name: bool) -> BTreeSet<String> {
    every_schedule(
        LocalSignals::Async,
        |b| mixed_to(b, by_name),
        |r| format!("{}", r.value(0).cloned().unwrap_or(Term::atom("none"))),
    )
    .into_iter()
    .collect()
}

#[test]
fn signals_and_messages_from_one_sender_keep_their_order() {
    let want: BTreeSet<String> = ["[s1,m1,s2,s3,m2]".to_string()].into();
    assert_eq!(mixed_orders(false), want);
}

#[test]
fn a_message_sent_to_a_name_keeps_its_place_behind_its_senders_signals() {
    // `{Name, node()} ! Msg` resolves the name as it is sent: the message is
    // one more signal from the sender to that process, in send order.
    let want: BTreeSet<String> = ["[s1,m1,s2,s3,m2]".to_string()].into();
    assert_eq!(mixed_orders(true), want);
}

/// A process kills a registered one, then monitors it by `{Name, node()}`:
/// the `'DOWN'` says how the monitor found it.
fn kill_then_monitor_by_name(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        let victim = cx
            .spawn(|c| async move {
                c.register("victim", c.self_pid()).await?;
                c.recv().await;
                Ok(Term::atom("done"))
            })
            .await?;
        // The victim registers in its first step.
        cx.sleep(Time::ms(1)).await;
        cx.exit(victim, Term::atom("kill")).await;
        cx.monitor_name("victim", "a@sim").await;
        let down = cx.recv().await;
        Ok(match down.as_tuple() {
            Some([_, _, _, _, reason]) => reason.clone(),
            _ => down,
        })
    })
    .unwrap();
    sim
}

#[test]
fn a_monitor_by_name_keeps_its_place_behind_its_senders_signals() {
    // The kill is queued to the victim first; the monitor request follows
    // it, so the victim is dead when the monitor reaches it: `noproc`, the
    // only reason real OTP 25 gave in 20,000 runs of the same program.
    let reasons: BTreeSet<String> =
        every_schedule(LocalSignals::Async, kill_then_monitor_by_name, |r| {
            format!("{}", r.value(0).cloned().unwrap_or(Term::atom("none")))
        })
        .into_iter()
        .collect();
    let want: BTreeSet<String> = ["noproc".to_string()].into();
    assert_eq!(reasons, want);
}

/// A watched process sends its watcher a message, then ends: the watcher
/// reports its first two messages.
fn bye_then_down(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        let p = cx
            .spawn(move |c| async move {
                c.recv().await;
                c.send(me, Term::atom("bye")).await?;
                Ok(Term::atom("done"))
            })
            .await?;
        cx.monitor(p).await;
        cx.send(p, Term::atom("go")).await?;
        let first = cx.recv().await;
        let second = cx.recv().await;
        let down = matches!(&second, Term::Tuple(t) if t[0] == Term::atom("DOWN"));
        Ok(Term::List(vec![first, Term::from(down)]))
    })
    .unwrap();
    sim
}

#[test]
fn a_down_never_overtakes_a_message_sent_before_the_exit() {
    let seen: BTreeSet<String> = every_schedule(LocalSignals::Async, bye_then_down, |r| {
        format!("{}", r.value(0).cloned().unwrap_or(Term::atom("none")))
    })
    .into_iter()
    .collect();
    let want: BTreeSet<String> = ["[bye,true]".to_string()].into();
    assert_eq!(seen, want);
}

#[test]
fn a_run_with_async_signals_replays_exactly() {
    for seed in 0..20 {
        let run = |b: SimBuilder| {
            three(
                b.local_signals(LocalSignals::Async)
                    .seed(seed)
                    .trace(TraceMode::Full),
            )
            .run()
        };
        let first = run(Sim::builder());
        let again = run(Sim::builder().strategy(Replay::new(first.schedule.clone())));
        assert_eq!(again.divergence, None, "seed {seed}");
        assert_eq!(again.digest, first.digest, "seed {seed}");
        assert_eq!(again.trace, first.trace, "seed {seed}");
    }
}

#[test]
fn delivering_a_local_signal_is_no_preemption() {
    // The sender of `mixed_to` goes on after each of its signals: the BEAM-like
    // order delivers every one at once and never preempts anybody.
    let r = mixed_to(
        Sim::builder()
            .local_signals(LocalSignals::Async)
            .strategy(RoundRobin::default()),
        false,
    )
    .run();
    r.assert_ok();
    assert_eq!(
        r.value(0),
        Some(&Term::List(
            ["s1", "m1", "s2", "s3", "m2"].map(Term::atom).to_vec()
        ))
    );
    assert!(!r.schedule.is_empty(), "some signal met a runnable sender");
    assert_eq!(r.preemptions, 0);
    let all = every_schedule(LocalSignals::Async, three, |r| r.schedule.len()).len();
    let instant = every_schedule(LocalSignals::Instant, three, |r| r.schedule.len()).len();
    eprintln!("schedules of three: {all} async, {instant} instant");
    assert!(all > instant, "{all} vs {instant}");
}

/// On `b`, a process exits while linked to one that waits forever; `b`
/// crashes after a few steps. A foreground process on `a` keeps the run up.
fn crash_amid_local_signals(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
    sim.spawn_background("b@sim", |cx| async move {
        cx.spawn_link(|c| async move {
            c.recv().await;
            Ok(Term::atom("never"))
        })
        .await?;
        Err::<Term, _>(Exception::exit(Term::atom("bye")))
    })
    .unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::secs(1)).await;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    let b_node = sim.node_id("b@sim").unwrap();
    sim.after_steps(2, move |c: &mut Control<'_>| {
        c.crash(b_node, "crash");
    })
    .unwrap();
    sim
}

#[test]
fn a_crash_loses_the_local_signals_queued_on_its_node() {
    let dropped = every_schedule(LocalSignals::Async, crash_amid_local_signals, |r| {
        let delivered_after_crash = r
            .trace
            .iter()
            .skip_while(|t| !matches!(t.event, TraceEvent::Fault { .. }))
            .any(|t| matches!(t.event, TraceEvent::Deliver { .. }));
        assert!(!delivered_after_crash, "{:?}", r.trace);
        r.books.dropped.get("crash").copied().unwrap_or(0)
    });
    assert!(dropped.iter().any(|&d| d > 0), "{dropped:?}");
}

/// Exhaustive exploration (DPOR) reaches the same outcomes of [`three`] as
/// every schedule does: each local signal queue is an actor of its own, so
/// the signals of two senders to one receiver race.
#[test]
fn exhaustive_exploration_reaches_every_outcome_of_async_signals() {
    let mut got = BTreeSet::new();
    let r = sim_core::Explorer::new("three")
        .quiet(true)
        .write_files(false)
        .keep_going(true)
        .exhaustive_each(
            |b| three(b.exit_policy(ExitPolicy::Allow).trace(TraceMode::Full)),
            |r| {
                let main = r.results[0].0;
                let kids = children(r, main);
                got.insert(format!(
                    "{{{}, {}, {}}}",
                    exit_reason(r, Some(main)),
                    exit_reason(r, kids.first().copied()),
                    exit_reason(r, kids.get(1).copied()),
                ));
            },
        );
    assert!(r.complete && r.failure.is_none(), "{r}");
    // Exhaustive runs let a runnable process wait while time passes, so the
    // sleeper may end the run before a child has exited: compare with every
    // schedule under the same run window.
    let mut dfs = BTreeSet::new();
    let mut prefix = Vec::new();
    let mut runs = 0u64;
    loop {
        let d = Dfs::new(1_000).restart(prefix);
        let b = Sim::builder()
            .exit_policy(ExitPolicy::Allow)
            .run_window(Time::MAX)
            .trace(TraceMode::Full)
            .strategy(d.clone());
        let run = three(b).run();
        runs += 1;
        let main = run.results[0].0;
        let kids = children(&run, main);
        dfs.insert(format!(
            "{{{}, {}, {}}}",
            exit_reason(&run, Some(main)),
            exit_reason(&run, kids.first().copied()),
            exit_reason(&run, kids.get(1).copied()),
        ));
        match d.next_prefix() {
            Some(p) if runs < 200_000 => prefix = p,
            Some(_) => panic!("more than 200,000 schedules"),
            None => break,
        }
    }
    assert_eq!(got, dfs, "{r}; dfs: {runs} schedules");
    assert!(r.interleavings < runs, "{r}; dfs: {runs} schedules");
    for o in OTP_THREE {
        assert!(got.contains(o), "{o} missing: {got:?}");
    }
    println!("{r}; dfs: {runs} schedules");
}
