//! Crashes and restarts, and faults as trace events.

use super::*;

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
