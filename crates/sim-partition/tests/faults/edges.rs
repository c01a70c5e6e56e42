//! Edge cases: heals, restarts under cuts, overlapping cuts.

use super::*;

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
