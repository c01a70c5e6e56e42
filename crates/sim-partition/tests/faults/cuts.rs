//! Drop and defer partitions, one-way cuts, single links and overlapping cuts.

use super::*;

// ---- drop ------------------------------------------------------------------

#[test]
fn drop_partition_fires_noconnection_for_monitors_and_links() {
    // The server's `noconnection` exit is the point of the test.
    let mut sim = Sim::builder()
        .nodes([A, B])
        .exit_policy(ExitPolicy::Allow)
        .build()
        .unwrap();
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
