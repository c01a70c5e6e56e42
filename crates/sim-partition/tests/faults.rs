//! Behaviour of partitions (drop and defer, one-way, single links, overlapping),
//! crashes and restarts, fault traces, the nemesis and signal conservation.
//!
//! Only sim-core and sim-partition are used: a remote call is emulated as erpc
//! does it (a spawn request with a monitor; the result travels in the exit
//! reason; a timeout abandons the request and demonitors).

use sim_core::{
    Cx, Exception, NodeId, Pid, RunReport, Sim, SpawnOpts, SpawnReply, Term, Time, Timeout,
    TraceEvent, TraceMode,
};
use sim_partition::{
    assert_conserved, is_fault_cause, CutId, Fault, Ledger, LinkState, Mode, Nemesis,
    PartitionNetwork,
};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

const A: &str = "a@sim";
const B: &str = "b@sim";
const C: &str = "c@sim";
const D: &str = "d@sim";

fn atom(s: &str) -> Term {
    Term::atom(s)
}

fn tagged(tag: &str, v: Term) -> Term {
    Term::tuple([atom(tag), v])
}

/// `erpc:call` in miniature: `Ok(value)`, or `Err(reason)` with `noconnection`,
/// `timeout` or the remote exit reason.
async fn call<F, Fut>(cx: &Cx, node: &str, f: F, timeout: Timeout) -> Result<Term, Term>
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let opts = SpawnOpts {
        monitor: true,
        reply: SpawnReply::ErrorOnly,
        ..SpawnOpts::default()
    };
    let r = cx
        .spawn_request(
            node,
            move |c| async move {
                let v = f(c).await?;
                Err(Exception::exit(tagged("result", v)))
            },
            opts,
        )
        .await;
    let answer = cx
        .receive_marked(
            move |m| match m.as_tuple() {
                Some(t) if t.len() == 5 => t[0].is_atom("DOWN") && t[1] == Term::Ref(r),
                Some(t) if t.len() == 4 => t[0].is_atom("spawn_reply") && t[1] == Term::Ref(r),
                _ => false,
            },
            timeout,
        )
        .await;
    let Some(m) = answer else {
        cx.spawn_request_abandon(r);
        cx.demonitor_flush(r).await;
        return Err(atom("timeout"));
    };
    let t = m.as_tuple().unwrap_or_default();
    if t.len() == 4 {
        return Err(t[3].clone());
    }
    match t[4].as_tuple() {
        Some([tag, v]) if tag.is_atom("result") => Ok(v.clone()),
        _ => Err(t[4].clone()),
    }
}

/// A process that registers as `name` and collects every message until
/// `quiet` passes without one; returns the list.
async fn collector(cx: Cx, name: &str, quiet: Timeout) -> Result<Term, Exception> {
    cx.register(name, cx.self_pid()).await?;
    let mut got = Vec::new();
    while let Some(m) = cx.receive_timeout(|_| true, quiet).await {
        got.push(m);
    }
    Ok(Term::list(got))
}

/// A server registered as `server`: answers `{hello, From}` with `{pid, Self}`
/// until it gets `stop`.
async fn server(cx: Cx) -> Result<Term, Exception> {
    cx.register("server", cx.self_pid()).await?;
    loop {
        let m = cx.recv().await;
        if m.is_atom("stop") {
            break;
        }
        if let Some([tag, Term::Pid(from)]) = m.as_tuple() {
            if tag.is_atom("hello") {
                let reply = tagged("pid", Term::Pid(cx.self_pid()));
                cx.send(*from, reply).await?;
            }
        }
    }
    Ok(atom("stopped"))
}

/// Asks `{server, node}` for its pid.
async fn server_pid(cx: &Cx, node: &str) -> Option<Pid> {
    let hello = tagged("hello", Term::Pid(cx.self_pid()));
    cx.send(("server", node), hello).await.ok()?;
    let m = cx
        .receive_timeout(
            |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("pid")),
            Timeout::ms(50),
        )
        .await?;
    m.as_tuple()?[1].as_pid()
}

fn is_down(m: &Term, r: sim_core::Ref) -> bool {
    matches!(m.as_tuple(), Some(t) if t.len() == 5 && t[0].is_atom("DOWN") && t[1] == Term::Ref(r))
}

fn down_reason(m: &Term) -> Term {
    m.as_tuple()
        .map(|t| t[4].clone())
        .unwrap_or_else(|| atom("none"))
}

fn faults(report: &RunReport) -> Vec<String> {
    report
        .trace
        .iter()
        .filter_map(|r| match &r.event {
            TraceEvent::Fault { what } => Some(what.clone()),
            _ => None,
        })
        .collect()
}

fn count(report: &RunReport, pred: impl Fn(&TraceEvent) -> bool) -> usize {
    report.trace.iter().filter(|r| pred(&r.event)).count()
}

fn id(sim: &Sim, name: &str) -> NodeId {
    sim.node_id(name).expect("node exists")
}

// ---- drop ------------------------------------------------------------------

#[test]
fn drop_partition_fires_noconnection_for_monitors_and_links() {
    let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
    // The server is linked to the client; it does not trap exits, so the
    // connection loss kills it with `noconnection` on its own side.
    sim.spawn(B, server).unwrap();
    sim.spawn(A, |cx| async move {
        cx.trap_exit(true);
        let s = server_pid(&cx, B).await.expect("server answers");
        cx.link(s).await?;
        let r = cx.monitor(s).await;
        let exit = cx
            .receive(|m| matches!(m.as_tuple(), Some([t, _, _]) if t.is_atom("EXIT")))
            .await;
        let down = cx.receive(move |m| is_down(m, r)).await;
        cx.check(
            exit == Term::tuple([atom("EXIT"), Term::Pid(s), atom("noconnection")]),
            format!("link fired noconnection: {exit}"),
        )?;
        cx.check(
            down_reason(&down) == atom("noconnection"),
            format!("monitor fired noconnection: {down}"),
        )?;
        cx.check(cx.now() == Time::ms(5), "at the moment of the cut")?;
        cx.check(cx.mailbox().is_empty(), "nothing else arrived")?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::partition([[A], [B]], Mode::Drop))
        .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.results[0].1, Some(Err(atom("noconnection"))));
    assert_eq!(report.value(1), Some(&atom("ok")));
    assert_conserved(&report);
}

#[test]
fn drop_partition_loses_in_flight_and_new_sends() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(10), Time::ms(10))
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    sim.spawn(B, |cx| collector(cx, "sink", Timeout::ms(100)))
        .unwrap();
    sim.spawn(A, |cx| async move {
        cx.send(("sink", B), Term::Int(1)).await?; // in flight at the cut
        cx.sleep(Time::ms(6)).await;
        cx.send(("sink", B), Term::Int(2)).await?; // sent across the cut
        cx.sleep(Time::ms(20)).await;
        cx.send(("sink", B), Term::Int(3)).await?; // after the heal
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::partition([[A], [B]], Mode::Drop))
        .unwrap();
    sim.at(Time::ms(20), Fault::heal()).unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&Term::list([Term::Int(3)])));
    let ledger = Ledger::of(&report);
    assert_eq!(ledger.dropped_by("partition#1 drop"), 2, "{ledger}");
    assert_eq!(ledger.dropped_total(), 2, "{ledger}");
    let drops = count(
        &report,
        |e| matches!(e, TraceEvent::Drop { cause, .. } if cause == "partition#1 drop"),
    );
    assert_eq!(drops, 2);
    assert_conserved(&report);
}

#[test]
fn node_monitor_gets_nodedown_on_drop() {
    let mut sim = Sim::builder().nodes([A, B, C]).build().unwrap();
    sim.spawn(A, |cx| async move {
        cx.monitor_node(B, true).await;
        cx.monitor_node(C, true).await;
        let m = cx.recv().await;
        cx.check(
            m == Term::tuple([atom("nodedown"), atom(B)]),
            format!("nodedown for b: {m}"),
        )?;
        cx.check(cx.now() == Time::ms(5), "at the cut")?;
        // c is on a's side of the partition (the unnamed nodes' group).
        let more = cx.receive_timeout(|_| true, Timeout::ms(50)).await;
        cx.check(more.is_none(), format!("no nodedown for c: {more:?}"))?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::isolate(B, Mode::Drop)).unwrap();
    let report = sim.run();
    report.assert_ok();
}

#[test]
fn request_crossed_reply_cut_ends_in_noconnection() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    sim.spawn(B, |cx| async move {
        cx.register("witness", cx.self_pid()).await?;
        Ok(cx
            .receive_timeout(|_| true, Timeout::ms(200))
            .await
            .unwrap_or_else(|| atom("nothing")))
    })
    .unwrap();
    sim.spawn(A, |cx| async move {
        let res = call(
            &cx,
            B,
            |c| async move {
                c.sleep(Time::ms(10)).await; // the cut comes meanwhile
                c.send("witness", atom("applied")).await?;
                Ok(atom("reply"))
            },
            Timeout::Infinity,
        )
        .await;
        cx.check(
            res == Err(atom("noconnection")),
            format!("call ended in {res:?}"),
        )?;
        cx.check(
            cx.now() == Time::ms(25),
            "noticed when net_ticktime ran out",
        )?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(
        Time::ms(5),
        Fault::partition([[A], [B]], Mode::Drop).net_ticktime(Time::ms(20)),
    )
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&atom("applied")), "the request ran");
    let ledger = Ledger::of(&report);
    assert!(
        ledger.dropped_by("partition#1 drop") >= 1,
        "the reply was lost to the cut\n{ledger}"
    );
    assert!(faults(&report)
        .contains(&"net_ticktime expired: partition#1 drop takes its connections down".into()));
    assert_conserved(&report);
}

// ---- defer -----------------------------------------------------------------

#[test]
fn defer_partition_holds_then_delivers_in_order_at_heal() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    sim.spawn(B, |cx| async move {
        cx.register("sink", cx.self_pid()).await?;
        let mut got = Vec::new();
        let mut first = None;
        while let Some(m) = cx.receive_timeout(|_| true, Timeout::ms(100)).await {
            first.get_or_insert(cx.now());
            got.push(m);
        }
        let first = first.map_or(-1, |t| t.as_ms() as i64);
        Ok(Term::tuple([Term::list(got), Term::Int(first)]))
    })
    .unwrap();
    sim.spawn(A, |cx| async move {
        let r = cx.monitor_name("sink", B).await;
        cx.sleep(Time::ms(10)).await;
        for i in 1..=20 {
            cx.send(("sink", B), Term::Int(i)).await?;
        }
        let down = cx.receive(move |m| is_down(m, r)).await;
        cx.check(
            down_reason(&down) == atom("normal"),
            format!("nothing reported down during the partition: {down}"),
        )?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::partition([[A], [B]], Mode::Defer))
        .unwrap();
    sim.at(Time::ms(50), Fault::heal()).unwrap();
    let report = sim.run();
    report.assert_ok();
    let want = Term::tuple([Term::list((1..=20).map(Term::Int)), Term::Int(50)]);
    assert_eq!(report.value(0), Some(&want));
    let holds = count(&report, |e| matches!(e, TraceEvent::Hold { .. }));
    let releases = count(&report, |e| matches!(e, TraceEvent::Release { .. }));
    assert_eq!(holds, 20);
    assert_eq!(releases, 20);
    let ledger = Ledger::of(&report);
    assert_eq!(ledger.dropped_total(), 0, "{ledger}");
    assert_conserved(&report);
}

#[test]
fn defer_call_with_timeout_shorter_than_partition_times_out_and_reply_never_arrives() {
    let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
    sim.control(|c| Fault::partition([[A], [B]], Mode::Defer).apply(c))
        .unwrap();
    sim.at(Time::ms(50), Fault::heal()).unwrap();
    sim.spawn(A, |cx| async move {
        let me = cx.self_pid();
        let res = call(
            &cx,
            B,
            move |c| async move {
                c.send(me, atom("applied")).await?;
                Ok(atom("reply"))
            },
            Timeout::ms(20),
        )
        .await;
        cx.check(res == Err(atom("timeout")), format!("timed out: {res:?}"))?;
        cx.check(cx.now() == Time::ms(20), "after its own timeout")?;
        cx.sleep(Time::ms(100)).await;
        let mailbox = cx.mailbox();
        cx.check(
            mailbox == vec![atom("applied")],
            format!("the function ran after the heal, its reply never came: {mailbox:?}"),
        )?;
        Ok(atom("ok"))
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_conserved(&report);
}

#[test]
fn one_way_partition_requests_arrive_replies_cannot() {
    for (mode, want) in [(Mode::Drop, "noconnection"), (Mode::Defer, "timeout")] {
        let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
        sim.control(|c| Fault::one_way([B], [A], mode).apply(c))
            .unwrap();
        sim.spawn(B, |cx| collector(cx, "witness", Timeout::ms(100)))
            .unwrap();
        sim.spawn(A, move |cx| async move {
            let res = call(
                &cx,
                B,
                |c| async move {
                    c.send("witness", atom("applied")).await?;
                    Ok(atom("reply"))
                },
                Timeout::ms(20),
            )
            .await;
            cx.check(res == Err(atom(want)), format!("{mode}: {res:?}"))?;
            Ok(atom("ok"))
        })
        .unwrap();
        let report = sim.run();
        report.assert_ok();
        assert_eq!(
            report.value(0),
            Some(&Term::list([atom("applied")])),
            "{mode}: the request arrived and ran"
        );
        let (a, b) = (id(&sim, A), id(&sim, B));
        let (ab, ba) = sim.control(|c| {
            let n = PartitionNetwork::of(c);
            (n.link(a, b), n.link(b, a))
        });
        assert_eq!(ab, LinkState::Healthy);
        let cut = CutId(1);
        match mode {
            Mode::Drop => assert_eq!(ba, LinkState::Dropped(cut)),
            Mode::Defer => assert_eq!(ba, LinkState::Deferred(cut)),
        }
        assert_conserved(&report);
    }
}

// ---- shapes ----------------------------------------------------------------

#[test]
fn cut_single_link_leaves_others() {
    let mut sim = Sim::builder().nodes([A, B, C]).build().unwrap();
    sim.control(|c| Fault::cut(A, B, Mode::Drop).apply(c))
        .unwrap();
    let ok = || |_c: Cx| async move { Ok(atom("pong")) };
    sim.spawn(A, move |cx| async move {
        let to_c = call(&cx, C, ok(), Timeout::ms(50)).await;
        let to_b = call(&cx, B, ok(), Timeout::ms(50)).await;
        cx.check(to_c == Ok(atom("pong")), format!("a -> c: {to_c:?}"))?;
        cx.check(
            to_b == Err(atom("noconnection")),
            format!("a -> b: {to_b:?}"),
        )?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.spawn(C, move |cx| async move {
        let to_b = call(&cx, B, ok(), Timeout::ms(50)).await;
        cx.check(to_b == Ok(atom("pong")), format!("c -> b: {to_b:?}"))?;
        Ok(atom("ok"))
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    let (a, b, c) = (id(&sim, A), id(&sim, B), id(&sim, C));
    let states = sim.control(|ctl| {
        let n = PartitionNetwork::of(ctl);
        [n.link(a, b), n.link(b, a), n.link(a, c), n.link(c, b)]
    });
    assert_eq!(
        states,
        [
            LinkState::Dropped(CutId(1)),
            LinkState::Dropped(CutId(1)),
            LinkState::Healthy,
            LinkState::Healthy
        ]
    );
    assert_conserved(&report);
}

#[test]
fn overlapping_partitions_heal_independently() {
    let mut sim = Sim::builder()
        .nodes([A, B, C])
        .latency(Time::ms(1), Time::ms(1))
        .build()
        .unwrap();
    for node in [B, C] {
        sim.spawn(node, |cx| async move {
            cx.register("sink", cx.self_pid()).await?;
            let m = cx.receive_timeout(|_| true, Timeout::ms(200)).await;
            cx.check(m.is_some(), "got the message")?;
            Ok(Term::Int(cx.now().as_ms() as i64))
        })
        .unwrap();
    }
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(10)).await;
        cx.send(("sink", B), atom("m")).await?;
        cx.send(("sink", C), atom("m")).await?;
        cx.sleep(Time::ms(80)).await; // keeps the run going past the last check
        Ok(atom("ok"))
    })
    .unwrap();
    // #1 covers a <-> b; #2 covers a <-> b and a <-> c.
    sim.at(Time::ms(5), Fault::cut(A, B, Mode::Defer)).unwrap();
    sim.at(Time::ms(5), Fault::partition(([A], [B, C]), Mode::Defer))
        .unwrap();
    sim.at(Time::ms(30), Fault::heal_cut(CutId(2))).unwrap();
    sim.at(Time::ms(60), Fault::heal_cut(CutId(1))).unwrap();
    let seen = Rc::new(RefCell::new(Vec::new()));
    for t in [20, 40, 70] {
        let seen = seen.clone();
        sim.at(Time::ms(t), move |c: &mut sim_core::Control<'_>| {
            let (a, b, cc) = (
                c.node_id(A).unwrap(),
                c.node_id(B).unwrap(),
                c.node_id(C).unwrap(),
            );
            let n = PartitionNetwork::of(c);
            seen.borrow_mut()
                .push((t, n.link(a, b), n.link(a, cc), n.installed()));
        })
        .unwrap();
    }
    let report = sim.run();
    report.assert_ok();
    assert_eq!(
        report.value(0),
        Some(&Term::Int(60)),
        "b waits for both heals"
    );
    assert_eq!(report.value(1), Some(&Term::Int(30)), "c only for #2");
    assert_eq!(report.value(2), Some(&atom("ok")));
    let first = LinkState::Deferred(CutId(1));
    assert_eq!(
        *seen.borrow(),
        vec![
            (
                20,
                first,
                LinkState::Deferred(CutId(2)),
                vec![CutId(1), CutId(2)]
            ),
            (40, first, LinkState::Healthy, vec![CutId(1)]),
            (70, LinkState::Healthy, LinkState::Healthy, vec![]),
        ]
    );
    assert_conserved(&report);
}

#[test]
fn heal_order_of_held_messages() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(2), Time::ms(2))
        .build()
        .unwrap();
    let log: Rc<RefCell<Vec<Term>>> = Rc::new(RefCell::new(Vec::new()));
    sim.spawn(B, |cx| collector(cx, "sink", Timeout::ms(100)))
        .unwrap();
    for tag in ["x", "y"] {
        let log = log.clone();
        sim.spawn(A, move |cx| async move {
            for i in 0..10 {
                let m = tagged(tag, Term::Int(i));
                // Logged and sent in one step, so the log is the send order.
                log.borrow_mut().push(m.clone());
                cx.send(("sink", B), m).await?;
                cx.sleep(Time::ms(1)).await;
            }
            Ok(atom("ok"))
        })
        .unwrap();
    }
    // Some signals are in flight at the cut (held at the head), the rest are
    // held when sent; all come out in send order.
    sim.at(Time::ms(5), Fault::partition([[A], [B]], Mode::Defer))
        .unwrap();
    sim.at(Time::ms(50), Fault::heal()).unwrap();
    let report = sim.run();
    report.assert_ok();
    let sent = Term::list(log.borrow().iter().cloned());
    assert_eq!(report.value(0), Some(&sent));
    assert_conserved(&report);
}

// ---- crash and restart -------------------------------------------------------

#[test]
fn crash_kills_processes_and_remote_monitors_see_noconnection() {
    let mut sim = Sim::builder().nodes([A, B]).build().unwrap();
    sim.spawn(B, server).unwrap();
    sim.spawn(A, |cx| async move {
        cx.trap_exit(true);
        let s = server_pid(&cx, B).await.expect("server answers");
        cx.link(s).await?;
        let r = cx.monitor(s).await;
        let exit = cx
            .receive(|m| matches!(m.as_tuple(), Some([t, _, _]) if t.is_atom("EXIT")))
            .await;
        let down = cx.receive(move |m| is_down(m, r)).await;
        cx.check(
            exit == Term::tuple([atom("EXIT"), Term::Pid(s), atom("noconnection")]),
            format!("link: {exit}"),
        )?;
        cx.check(
            down_reason(&down) == atom("noconnection"),
            format!("monitor: {down}"),
        )?;
        cx.check(cx.now() == Time::ms(5), "at the crash")?;
        // The node is down: a new monitor fires at once.
        let r2 = cx.monitor(s).await;
        let again = cx.receive(move |m| is_down(m, r2)).await;
        cx.check(
            down_reason(&again) == atom("noconnection"),
            format!("monitor of a pid on a down node: {again}"),
        )?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::crash(B)).unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.results[0].1, Some(Err(atom("killed"))));
    assert_conserved(&report);
}

#[test]
fn restart_gives_new_incarnation_old_pids_stay_dead() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .boot(B, server)
        .build()
        .unwrap();
    sim.at(Time::ms(5), Fault::crash(B)).unwrap();
    sim.at(Time::ms(10), Fault::restart(B)).unwrap();
    sim.spawn(A, |cx| async move {
        let old = server_pid(&cx, B).await.expect("first incarnation");
        cx.sleep(Time::ms(6)).await; // b is down
        let down = call(&cx, B, |_| async { Ok(atom("x")) }, Timeout::ms(50)).await;
        cx.check(
            down == Err(atom("noconnection")),
            format!("call while down: {down:?}"),
        )?;
        cx.sleep(Time::ms(9)).await; // b is back
        let new = server_pid(&cx, B).await.expect("second incarnation");
        cx.check(new != old, format!("new pid {new} differs from {old}"))?;
        let r = cx.monitor(old).await;
        let m = cx.receive(move |m| is_down(m, r)).await;
        cx.check(
            down_reason(&m) == atom("noproc"),
            format!("old pid stays dead: {m}"),
        )?;
        let up = call(&cx, B, |_| async { Ok(atom("x")) }, Timeout::ms(50)).await;
        cx.check(up == Ok(atom("x")), format!("calls work again: {up:?}"))?;
        Ok(atom("ok"))
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_conserved(&report);
}

#[test]
fn registered_names_gone_after_crash() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .boot(B, server)
        .build()
        .unwrap();
    sim.at(Time::ms(5), Fault::crash(B)).unwrap();
    sim.at(Time::ms(10), Fault::restart(B)).unwrap();
    let names = || {
        |c: Cx| async move {
            let w = c
                .whereis("worker")
                .await
                .map_or(atom("undefined"), Term::Pid);
            let s = c
                .whereis("server")
                .await
                .map_or(atom("undefined"), Term::Pid);
            Ok(Term::tuple([w, s]))
        }
    };
    sim.spawn(A, move |cx| async move {
        let worker = cx
            .spawn_on(B, |c| async move {
                c.register("worker", c.self_pid()).await?;
                c.recv().await;
                Ok(atom("done"))
            })
            .await?;
        cx.sleep(Time::ms(2)).await;
        let before = call(&cx, B, names(), Timeout::ms(50)).await;
        let Ok(Term::Tuple(before)) = &before else {
            return Err(Exception::exit(atom("no answer before the crash")));
        };
        cx.check(before[0] == Term::Pid(worker), "worker registered")?;
        cx.sleep(Time::ms(10)).await; // crashed and restarted
        let after = call(&cx, B, names(), Timeout::ms(50)).await;
        let Ok(Term::Tuple(after)) = &after else {
            return Err(Exception::exit(atom("no answer after the restart")));
        };
        cx.check(
            after[0] == atom("undefined"),
            format!("worker's name is gone: {}", after[0]),
        )?;
        cx.check(
            after[1].as_pid().is_some() && after[1] != before[1],
            "the boot server registered again, as a new process",
        )?;
        Ok(atom("ok"))
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
}

// ---- trace -------------------------------------------------------------------

#[test]
fn faults_are_trace_events() {
    let mut sim = Sim::builder()
        .nodes([A, B, C])
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(100)).await;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(
        Time::ms(1),
        Fault::partition((["a@sim"], [B, C]), Mode::Drop),
    )
    .unwrap();
    sim.at(Time::ms(2), Fault::heal()).unwrap();
    // A fault naming a node the simulation lacks is refused up front.
    assert_eq!(
        sim.at(Time::ms(3), Fault::cut(A, "x@sim", Mode::Defer)),
        Err(sim_core::SimError::UnknownNode("x@sim".into()))
    );
    // One only known to be wrong when it runs is recorded as rejected.
    sim.at(Time::ms(3), Fault::heal_cut(CutId(9))).unwrap();
    sim.at(Time::ms(4), Fault::one_way([B], [A], Mode::Defer))
        .unwrap();
    sim.at(Time::ms(5), Fault::heal_cut(CutId(2))).unwrap();
    sim.at(Time::ms(6), Fault::crash(C)).unwrap();
    sim.at(Time::ms(7), Fault::restart(C)).unwrap();
    sim.at(
        Time::ms(8),
        Fault::cut(A, B, Mode::Drop).net_ticktime(Time::ms(10)),
    )
    .unwrap();
    sim.at(Time::ms(30), Fault::heal()).unwrap();
    sim.at(Time::ms(31), Fault::heal()).unwrap();
    sim.at(Time::ms(32), Fault::isolate(C, Mode::Defer))
        .unwrap();
    let report = sim.run();
    report.assert_ok();
    let got = faults(&report);
    let want = [
        "partition drop [a@sim] | [b@sim,c@sim] (partition#1 drop)",
        "heal partition#1 drop",
        "fault rejected (no installed cut #9): heal #9",
        "one_way defer [b@sim] -> [a@sim] (one_way#2 defer)",
        "heal one_way#2 defer",
        "crash c@sim",
        "restart c@sim",
        "cut drop a@sim <-> b@sim (cut#3 drop, net_ticktime 10.000ms)",
        "net_ticktime expired: cut#3 drop takes its connections down",
        "heal cut#3 drop",
        "heal (nothing installed)",
        "partition defer [c@sim] | [a@sim,b@sim] (partition#4 defer)",
    ];
    assert_eq!(got, want);
    // Each fault is recorded at the virtual time it was scheduled for.
    let times: Vec<u64> = report
        .trace
        .iter()
        .filter(|r| matches!(r.event, TraceEvent::Fault { .. }))
        .map(|r| r.time.as_ms())
        .collect();
    assert_eq!(times, [1, 2, 3, 4, 5, 6, 7, 8, 18, 30, 31, 32]);
}

#[test]
fn faults_are_validated_before_running() {
    let sim = Sim::builder().nodes([A, B]).build().unwrap();
    assert!(Fault::partition([[A], [B]], Mode::Drop)
        .validate(&sim)
        .is_ok());
    assert_eq!(
        Fault::one_way([A], ["q@sim"], Mode::Drop).validate(&sim),
        Err(sim_partition::FaultError::UnknownNode("q@sim".into()))
    );
    assert_eq!(
        Fault::cut(A, A, Mode::Drop).validate(&sim),
        Err(sim_partition::FaultError::SameNode(A.into()))
    );
    assert!(Fault::restart("q@sim").validate(&sim).is_err());
}

// ---- nemesis and conservation -------------------------------------------------

/// Every node has a boot `sink`; a foreground sender per node sends `per_node`
/// messages to random sinks, with monitors and calls mixed in.
fn workload(seed: u64, nodes: &[&'static str], per_node: i64, nemesis: Nemesis) -> RunReport {
    let mut b = Sim::builder()
        .seed(seed)
        .nodes(nodes.iter().copied())
        .trace(TraceMode::Full);
    for &n in nodes {
        b = b.boot(n, |cx| async move {
            cx.register("sink", cx.self_pid()).await?;
            loop {
                if cx.recv().await.is_atom("stop") {
                    break;
                }
            }
            Ok(atom("stopped"))
        });
    }
    let mut sim = b.build().unwrap();
    let peers: Vec<&'static str> = nodes.to_vec();
    for &n in nodes {
        let peers = peers.clone();
        sim.spawn(n, move |cx| async move {
            for i in 0..per_node {
                let to = peers[cx.random(peers.len() as u64) as usize];
                cx.send(("sink", to), Term::Int(i)).await?;
                if i % 5 == 4 {
                    cx.sleep(Time::ms(1)).await;
                }
                if i % 100 == 50 {
                    let r = cx.monitor_name("sink", to).await;
                    cx.sleep(Time::ms(1)).await;
                    cx.demonitor_flush(r).await;
                }
                if i % 100 == 99 {
                    let _ = call(&cx, to, |_| async { Ok(atom("pong")) }, Timeout::ms(5)).await;
                }
            }
            Ok(atom("done"))
        })
        .unwrap();
    }
    sim.at(Time::ZERO, nemesis).unwrap();
    sim.run()
}

fn nemesis() -> Nemesis {
    Nemesis::new()
        .period(Time::ms(5))
        .until(Time::ms(400))
        .partition(0.3)
        .heal(0.25)
        .crash(0.05)
        .restart(0.3)
        .net_ticktime(Time::ms(8))
}

#[test]
fn nemesis_is_deterministic_per_seed() {
    let nodes = [A, B, C];
    let one = workload(7, &nodes, 300, nemesis());
    let two = workload(7, &nodes, 300, nemesis());
    assert_eq!(one.digest, two.digest);
    assert_eq!(one.steps, two.steps);
    assert_eq!(one.time, two.time);
    let f1 = faults(&one);
    assert!(f1.len() > 5, "the nemesis acted: {f1:?}");
    assert_eq!(f1, faults(&two));
    let others: Vec<Vec<String>> = (8..11)
        .map(|s| faults(&workload(s, &nodes, 300, nemesis())))
        .collect();
    assert!(
        others.iter().any(|f| *f != f1),
        "other seeds draw other faults"
    );
}

#[test]
fn books_balance_under_random_faults() {
    let nodes = [A, B, C, D];
    let (mut fault_drops, mut sent) = (0, 0);
    for seed in 0..8 {
        let report = workload(seed, &nodes, 1_500, nemesis());
        assert!(report.outcome.is_ok(), "seed {seed}: {}", report.outcome);
        // Crashes kill senders early, so runs differ in size.
        assert!(
            report.books.sent > 2_000,
            "seed {seed}: thousands of signals"
        );
        sent += report.books.sent;
        assert!(report.books.balanced(), "seed {seed}: {:?}", report.books);
        assert_conserved(&report);
        let ledger = Ledger::of(&report);
        for (cause, _) in &ledger.dropped {
            assert!(
                is_fault_cause(cause) || cause == "noconnection",
                "seed {seed}: every drop names a fault (or a down node): {cause}"
            );
        }
        fault_drops += ledger.dropped_by_faults();
    }
    assert!(sent > 25_000, "{sent} signals in all");
    assert!(fault_drops > 0, "faults dropped signals, by name");
}

// ---- edge cases: heals, restarts under cuts, overlapping cuts ----------------

/// The state of `from -> to` and whether the pair is connected, now.
fn link_now(c: &mut sim_core::Control<'_>, from: &str, to: &str) -> (LinkState, bool) {
    let (f, t) = (c.node_id(from).unwrap(), c.node_id(to).unwrap());
    let up = c.connected(f, t);
    (PartitionNetwork::of(c).link(f, t), up)
}

/// Records `link_now(A, B)` at each of `times` (ms).
fn watch_link(sim: &mut Sim, times: &[u64]) -> Rc<RefCell<Vec<(u64, LinkState, bool)>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    for &t in times {
        let seen = seen.clone();
        sim.at(Time::ms(t), move |c: &mut sim_core::Control<'_>| {
            let (state, up) = link_now(c, A, B);
            seen.borrow_mut().push((t, state, up));
        })
        .unwrap();
    }
    seen
}

#[test]
fn one_way_drop_then_heal_reconnects_on_next_send() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(1), Time::ms(1))
        .build()
        .unwrap();
    sim.spawn(B, |cx| collector(cx, "sink", Timeout::ms(100)))
        .unwrap();
    sim.spawn(B, server).unwrap();
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(10)).await;
        cx.send(("sink", B), Term::Int(1)).await?; // across the cut: lost
        cx.sleep(Time::ms(15)).await; // healed at 20ms
        cx.send(("sink", B), Term::Int(2)).await?; // reconnects
        let s = server_pid(&cx, B).await.expect("server answers after heal");
        let r = cx.monitor(s).await;
        cx.send(s, atom("stop")).await?;
        let down = cx.receive(move |m| is_down(m, r)).await;
        cx.check(
            down_reason(&down) == atom("normal"),
            format!("monitor set after the heal: {down}"),
        )?;
        let r2 = cx.monitor(s).await;
        let gone = cx.receive(move |m| is_down(m, r2)).await;
        cx.check(
            down_reason(&gone) == atom("noproc"),
            format!("monitor of the dead server: {gone}"),
        )?;
        cx.check(cx.mailbox().is_empty(), "nothing else arrived")?;
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::one_way([A], [B], Mode::Drop))
        .unwrap();
    sim.at(Time::ms(20), Fault::heal()).unwrap();
    let seen = watch_link(&mut sim, &[15, 22, 40]);
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&Term::list([Term::Int(2)])));
    assert_eq!(report.value(1), Some(&atom("stopped")));
    assert_eq!(report.value(2), Some(&atom("ok")));
    assert_eq!(
        *seen.borrow(),
        vec![
            (15, LinkState::Dropped(CutId(1)), false),
            (22, LinkState::Healthy, false), // down until the next signal
            (40, LinkState::Healthy, true),
        ]
    );
    let ledger = Ledger::of(&report);
    assert_eq!(ledger.dropped_by("one_way#1 drop"), 1, "{ledger}");
    assert_eq!(ledger.dropped_total(), 1, "{ledger}");
    assert_conserved(&report);
}

#[test]
fn restart_while_isolated_by_defer_then_heal() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(1), Time::ms(1))
        .boot(B, server)
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    sim.at(Time::ms(5), Fault::isolate(B, Mode::Defer)).unwrap();
    sim.at(Time::ms(10), Fault::crash(B)).unwrap();
    sim.at(Time::ms(15), Fault::restart(B)).unwrap();
    sim.at(Time::ms(30), Fault::heal()).unwrap();
    sim.spawn(A, |cx| async move {
        let old = server_pid(&cx, B).await.expect("first incarnation");
        cx.sleep(Time::ms(5)).await; // isolated (held), b still up
        let before = cx.monitor(old).await;
        let m = cx.receive(move |m| is_down(m, before)).await;
        cx.check(
            down_reason(&m) == atom("noconnection") && cx.now() == Time::ms(10),
            format!("a held monitor is lost with the crash: {m} at {}", cx.now()),
        )?;
        cx.sleep(Time::ms(10)).await; // restarted at 15ms, still isolated
        let r = cx.monitor(old).await; // held for the old incarnation
        let me = Term::Pid(cx.self_pid());
        cx.send(old, tagged("hello", me.clone())).await?; // held, to an old pid
        cx.send(("server", B), tagged("hello", me)).await?; // held, by name
        let early = cx.receive_timeout(|_| true, Timeout::ms(5)).await;
        cx.check(early.is_none(), format!("held until the heal: {early:?}"))?;
        let down = cx.receive(move |m| is_down(m, r)).await;
        cx.check(
            down_reason(&down) == atom("noproc") && cx.now() >= Time::ms(30),
            format!("old pid is dead after the heal: {down} at {}", cx.now()),
        )?;
        let reply = cx
            .receive_timeout(
                |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("pid")),
                Timeout::ms(50),
            )
            .await;
        let new = reply.as_ref().and_then(|m| m.as_tuple()?[1].as_pid());
        cx.check(
            new.is_some_and(|p| p != old),
            format!("the new server answered its name: {reply:?}"),
        )?;
        let extra = cx.receive_timeout(|_| true, Timeout::ms(20)).await;
        cx.check(
            extra.is_none(),
            format!("the message to the old pid reached nobody: {extra:?}"),
        )?;
        let up = call(&cx, B, |_| async { Ok(atom("x")) }, Timeout::ms(50)).await;
        cx.check(up == Ok(atom("x")), format!("calls work: {up:?}"))?;
        let again = server_pid(&cx, B).await;
        cx.check(again == new, format!("booted server answers: {again:?}"))?;
        cx.check(cx.mailbox().is_empty(), "nothing else arrived")?;
        Ok(atom("ok"))
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&atom("ok")));
    assert_eq!(
        faults(&report),
        vec![
            "partition defer [b@sim] | [a@sim] (partition#1 defer)".to_string(),
            "crash b@sim".into(),
            "restart b@sim".into(),
            "heal partition#1 defer".into(),
        ]
    );
    let ledger = Ledger::of(&report);
    assert_eq!(ledger.held, 0, "{ledger}");
    assert_eq!(ledger.dropped_by("crash b@sim"), 1, "{ledger}");
    assert_conserved(&report);
}

/// Two cuts over a <-> b, `first` installed before `second`; the first is
/// healed at 20ms and the second at 40ms. A message sent at 10ms (both
/// installed), 30ms (only the second) and 50ms (none).
fn overlapping(first: Mode, second: Mode) -> (RunReport, Vec<(u64, LinkState, bool)>) {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(1), Time::ms(1))
        .build()
        .unwrap();
    sim.spawn(B, |cx| collector(cx, "sink", Timeout::ms(100)))
        .unwrap();
    sim.spawn(A, |cx| async move {
        for (t, i) in [(10, 1), (30, 2), (50, 3)] {
            cx.sleep(Time::ms(t) - cx.now()).await;
            cx.send(("sink", B), Term::Int(i)).await?;
        }
        Ok(atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(5), Fault::cut(A, B, first)).unwrap();
    sim.at(Time::ms(6), Fault::cut(A, B, second)).unwrap();
    sim.at(Time::ms(20), Fault::heal_cut(CutId(1))).unwrap();
    sim.at(Time::ms(40), Fault::heal_cut(CutId(2))).unwrap();
    let seen = watch_link(&mut sim, &[15, 25, 35, 45]);
    let report = sim.run();
    report.assert_ok();
    assert_conserved(&report);
    let seen = seen.borrow().clone();
    (report, seen)
}

#[test]
fn heal_one_of_two_overlapping_cuts_keeps_the_other() {
    // Defer then drop: healing the defer cut leaves the drop cut, which takes
    // the connection down (what the defer cut held is lost under its name).
    let (report, seen) = overlapping(Mode::Defer, Mode::Drop);
    assert_eq!(
        seen,
        vec![
            (15, LinkState::Deferred(CutId(1)), true),
            (25, LinkState::Dropped(CutId(2)), false),
            (35, LinkState::Dropped(CutId(2)), false),
            (45, LinkState::Healthy, false),
        ]
    );
    assert_eq!(report.value(0), Some(&Term::list([Term::Int(3)])));
    let ledger = Ledger::of(&report);
    assert_eq!(ledger.dropped_by("cut#2 drop"), 2, "{ledger}");
    assert_eq!(ledger.dropped_total(), 2, "{ledger}");

    // Drop then defer: healing the drop cut leaves the defer cut, which holds
    // until it heals too.
    let (report, seen) = overlapping(Mode::Drop, Mode::Defer);
    assert_eq!(
        seen,
        vec![
            (15, LinkState::Dropped(CutId(1)), false),
            (25, LinkState::Deferred(CutId(2)), false),
            (35, LinkState::Deferred(CutId(2)), true),
            (45, LinkState::Healthy, true),
        ]
    );
    assert_eq!(
        report.value(0),
        Some(&Term::list([Term::Int(2), Term::Int(3)]))
    );
    let ledger = Ledger::of(&report);
    assert_eq!(ledger.dropped_by("cut#1 drop"), 1, "{ledger}");
    assert_eq!(ledger.dropped_total(), 1, "{ledger}");
}
