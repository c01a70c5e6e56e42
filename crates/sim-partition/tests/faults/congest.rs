//! Congested links: a direction's bandwidth lowered for a window.

use super::*;

/// What a signal carrying `payload` puts on a connection.
fn wire_bytes(payload: &Term) -> u64 {
    sim_core::DIST_SIGNAL_HEADER_BYTES + payload.external_size()
}

fn drain_time(bytes: u64, bytes_per_sec: u64) -> Time {
    Time::us((bytes * 1_000_000).div_ceil(bytes_per_sec))
}

#[test]
fn a_congested_link_delays_what_crosses_it_until_its_end() {
    const BW: u64 = 10_000;
    let f = Fault::congest(A, B, BW, Time::ms(500));
    for seed in 0..4 {
        let mut sim = Sim::builder()
            .seed(seed)
            .nodes([A, B])
            .latency(Time::us(100), Time::ms(1))
            .trace(TraceMode::Full)
            .build()
            .expect("two nodes");
        sim.at(Time::ms(10), f.clone()).expect("congest");
        sim.spawn(B, |cx| async move {
            cx.register("rx", cx.self_pid()).await?;
            let mut at = Vec::new();
            for _ in 0..2 {
                cx.recv().await;
                at.push(Term::Int(cx.now().as_us() as i64));
            }
            Ok(Term::list(at))
        })
        .expect("receiver");
        sim.spawn(A, |cx| async move {
            cx.sleep(Time::ms(20)).await;
            cx.send(("rx", B), Term::Binary(vec![0; 1_000])).await?;
            cx.sleep(Time::ms(600)).await;
            cx.send(("rx", B), atom("after")).await?;
            Ok(atom("ok"))
        })
        .expect("sender");
        let report = sim.run();
        report.assert_ok();
        let Some(Term::List(at)) = report.value(0) else {
            panic!("seed {seed}: {:?}", report.value(0));
        };
        let us = |t: &Term| match t {
            Term::Int(i) => Time::us(*i as u64),
            _ => Time::MAX,
        };
        let left = Time::ms(20) + drain_time(wire_bytes(&Term::Binary(vec![0; 1_000])), BW);
        let first = us(&at[0]);
        assert!(
            first >= left + Time::us(100) && first <= left + Time::ms(1),
            "seed {seed}: arrived at {first}, its bytes left at {left}"
        );
        let second = us(&at[1]);
        assert!(
            second >= Time::ms(620) && second <= Time::ms(620) + Time::ms(1),
            "seed {seed}: after the congestion, latency only: {second}"
        );
        let faults: Vec<String> = report
            .trace
            .iter()
            .filter_map(|r| match &r.event {
                TraceEvent::Fault { what } => Some(what.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            faults,
            [
                "congest a@sim -> b@sim to 10000 B/s for 500.000ms",
                "congestion a@sim -> b@sim ends: back to unlimited"
            ],
            "seed {seed}"
        );
        assert_conserved(&report);
    }
}

#[test]
fn a_call_across_a_congested_link_times_out_late() {
    const BW: u64 = 1_000;
    const LIMIT: u64 = 1_024;
    let mut sim = Sim::builder()
        .nodes([A, B])
        .dist_buf_busy_limit(LIMIT)
        .build()
        .expect("two nodes");
    sim.at(Time::ms(5), Fault::congest(A, B, BW, Time::secs(60)))
        .expect("congest");
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(10)).await;
        cx.send(("nobody", B), Term::Binary(vec![0; 5_000])).await?;
        let r = call(
            &cx,
            B,
            |c| async move { Ok(Term::Atom(c.node())) },
            Timeout::ms(100),
        )
        .await;
        cx.check(r == Err(atom("timeout")), format!("timeout, got {r:?}"))?;
        Ok(Term::Int(cx.now().as_us() as i64))
    })
    .expect("caller");
    let report = sim.run();
    report.assert_ok();
    // Suspended by the 5 KB send until fewer than LIMIT bytes are left: the
    // timeout counts from then, not from the call.
    let bytes = wire_bytes(&Term::Binary(vec![0; 5_000]));
    let resumed = Time::ms(10) + drain_time(bytes - (LIMIT - 1), BW);
    assert_eq!(
        report.busy_dist_port.first().and_then(|e| e.resumed),
        Some(resumed)
    );
    let Some(Term::Int(done)) = report.value(0) else {
        panic!("{:?}", report.value(0));
    };
    assert!(
        Time::us(*done as u64) >= resumed + Time::ms(100),
        "timed out at {done} µs, not at 110 ms"
    );
}

#[test]
fn a_congestion_names_two_nodes_and_a_bandwidth() {
    let sim = Sim::builder().nodes([A, B]).build().expect("two nodes");
    let v = |f: Fault| f.validate(&sim);
    assert_eq!(v(Fault::congest(A, B, 1, Time::ms(1))), Ok(()));
    assert_eq!(
        v(Fault::congest(A, "z@sim", 1, Time::ms(1))),
        Err(sim_partition::FaultError::UnknownNode("z@sim".into()))
    );
    assert_eq!(
        v(Fault::congest(A, A, 1, Time::ms(1))),
        Err(sim_partition::FaultError::SameNode(A.into()))
    );
    assert_eq!(
        v(Fault::congest(A, B, 0, Time::ms(1))),
        Err(sim_partition::FaultError::ZeroBandwidth)
    );
}

#[test]
fn what_a_congestion_still_holds_at_its_end_drains_at_the_restored_rate() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::us(100), Time::ms(1))
        .build()
        .expect("two nodes");
    // 10 KB at 1 KB/s would take ten seconds; the congestion ends after 100 ms.
    sim.at(Time::ms(10), Fault::congest(A, B, 1_000, Time::ms(100)))
        .expect("congest");
    sim.spawn(B, |cx| async move {
        cx.register("rx", cx.self_pid()).await?;
        cx.recv().await;
        Ok(Term::Int(cx.now().as_us() as i64))
    })
    .expect("receiver");
    sim.spawn(A, |cx| async move {
        cx.sleep(Time::ms(20)).await;
        cx.send(("rx", B), Term::Binary(vec![0; 10_000])).await?;
        Ok(atom("sent"))
    })
    .expect("sender");
    let report = sim.run();
    report.assert_ok();
    let Some(Term::Int(at)) = report.value(0) else {
        panic!("{:?}", report.value(0));
    };
    let at = Time::us(*at as u64);
    assert!(
        at >= Time::ms(110) + Time::us(100) && at <= Time::ms(111),
        "due with its latency once the link is unlimited again: {at}"
    );
}

#[test]
fn a_nemesis_congests_links_and_draws_nothing_for_it_when_off() {
    let run = |n: Nemesis| {
        let mut sim = Sim::builder()
            .seed(5)
            .nodes([A, B, C])
            .trace(TraceMode::Full)
            .build()
            .expect("three nodes");
        sim.at(Time::ZERO, n.until(Time::ms(300))).expect("nemesis");
        sim.spawn(A, |cx| async move {
            for i in 0..60 {
                cx.send(("nobody", B), Term::Binary(vec![0; 2_000])).await?;
                cx.send(("nobody", C), Term::Int(i)).await?;
                cx.sleep(Time::ms(5)).await;
            }
            Ok(atom("ok"))
        })
        .expect("traffic");
        let report = sim.run();
        report.assert_ok();
        assert_conserved(&report);
        report
            .trace
            .iter()
            .filter_map(|r| match &r.event {
                TraceEvent::Fault { what } => Some(what.clone()),
                _ => None,
            })
            .collect::<Vec<String>>()
    };
    let plain = run(Nemesis::new().partition(0.2));
    let off = run(Nemesis::new().partition(0.2).congest(0.0, 10, Time::ms(5)));
    assert_eq!(plain, off, "no draws while congestion is off");
    let on = run(Nemesis::new()
        .partition(0.2)
        .congest(0.3, 1_000, Time::ms(20)));
    let congested: Vec<&String> = on.iter().filter(|f| f.starts_with("congest ")).collect();
    assert!(!congested.is_empty(), "{on:?}");
    assert!(
        on.iter().filter(|f| f.starts_with("congestion ")).count() >= congested.len() - 1,
        "each congestion ends: {on:?}"
    );
}
