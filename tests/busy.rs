//! Blocking signaling over distribution: connection buffers that drain at a
//! link's bandwidth, and senders suspended while their connection's buffer
//! is over `dist_buf_busy_limit` (OTP's `busy_dist_port`). The rule (OTP 25's
//! `erts_dsig_send` in `dist.c`): a signal always goes in the buffer; if the
//! buffer then holds the limit or more, its sender is suspended until the
//! buffer holds less. Expected instants are computed from the sizes
//! (`Term::external_size` plus `DIST_SIGNAL_HEADER_BYTES`) and the bandwidth.

use erpc_sim::core::{
    BusyDistPort, SimError, TraceEvent, DEFAULT_DIST_BUF_BUSY_LIMIT, DIST_SIGNAL_HEADER_BYTES,
};
use erpc_sim::prelude::*;

const A: &str = "a@sim";
const B: &str = "b@sim";

/// Bytes a message with this payload puts on a connection.
fn wire_bytes(payload: &Term) -> u64 {
    DIST_SIGNAL_HEADER_BYTES + payload.external_size()
}

/// The first instant at which a buffer that has drained at `bw` bytes per
/// second since time zero, after `queued` bytes went in at time zero, holds
/// fewer than `limit` bytes.
fn below_limit_at(queued: u64, limit: u64, bw: u64) -> Time {
    let over = u128::from(queued.saturating_sub(limit - 1)) * 1_000_000;
    Time::us(over.div_ceil(u128::from(bw)) as u64)
}

/// Bytes still queued at `t` of `queued` bytes put in at time zero.
fn left_at(queued: u64, t: Time, bw: u64) -> u64 {
    let scaled = u128::from(queued) * 1_000_000;
    let drained = u128::from(t.as_us()) * u128::from(bw);
    scaled.saturating_sub(drained).div_ceil(1_000_000) as u64
}

fn events(report: &RunReport) -> Vec<String> {
    report
        .trace
        .iter()
        .map(|r| format!("{} {}", r.time, r.event))
        .collect()
}

#[test]
fn a_big_message_delays_an_erpc_timeout_until_the_buffer_drains() {
    const BW: u64 = 10_000_000;
    let big = Term::Binary(vec![7; 10_000_000]);
    let big_bytes = wire_bytes(&big);
    let limit = DEFAULT_DIST_BUF_BUSY_LIMIT;
    // The send of the binary suspends the caller until the buffer is below
    // the limit; the call's spawn request then goes in behind what is left
    // (it carries no term: a header only), and suspends it again if that
    // takes the buffer back to the limit. The 100 ms count from there.
    let first_resume = below_limit_at(big_bytes, limit, BW);
    let request = DIST_SIGNAL_HEADER_BYTES;
    let again = left_at(big_bytes, first_resume, BW) + request >= limit;
    let call_starts = if again {
        below_limit_at(big_bytes + request, limit, BW)
    } else {
        first_resume
    };
    let timeout_at = call_starts + Time::ms(100);
    assert!(
        (Time::ms(900)..Time::ms(1_100)).contains(&timeout_at),
        "about a second: {timeout_at}"
    );

    let mut sim = erpc_sim::builder()
        .nodes([A, B])
        .bandwidth(BW)
        .trace(TraceMode::Full)
        .build()
        .expect("two nodes");
    let caller = sim
        .spawn(A, move |cx| async move {
            cx.send(("sink", B), big).await?;
            let r = erpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(100)).await;
            let reason = r.err().map(|e| e.to_term().to_string());
            cx.check(
                reason.as_deref() == Some("{error,{erpc,timeout}}"),
                format!("{{erpc,timeout}}, got {reason:?}"),
            )?;
            cx.check(cx.flush().is_empty(), "no late reply in the mailbox")?;
            Ok(Term::Int(cx.now().as_us() as i64))
        })
        .expect("caller");
    // A neighbour on the caller's node sees it suspended.
    sim.spawn(A, move |cx| async move {
        cx.sleep(Time::ms(500)).await;
        let status = cx.process_info(caller, "status")?;
        Ok(status.unwrap_or(Term::atom("undefined")))
    })
    .expect("observer");
    let report = sim.run();
    report.assert_ok();
    assert_eq!(
        report.value(0),
        Some(&Term::Int(timeout_at.as_us() as i64)),
        "the timeout is raised 100 ms after the call could leave, not at 100 ms\n{}",
        events(&report).join("\n")
    );
    assert_eq!(
        report.value(1).map(Term::to_string).as_deref(),
        Some("{status,suspended}")
    );
    let first = report.busy_dist_port.first().copied();
    assert_eq!(
        first,
        Some(BusyDistPort {
            pid: caller,
            from: Atom::new(A),
            to: Atom::new(B),
            suspended: Time::ZERO,
            resumed: Some(first_resume),
        })
    );
    assert_eq!(report.busy_dist_port.len(), 1 + usize::from(again));
    let suspends = report
        .trace
        .iter()
        .filter(|r| matches!(r.event, TraceEvent::Suspend { pid, .. } if pid == caller))
        .count();
    let resumes = report
        .trace
        .iter()
        .filter(|r| matches!(r.event, TraceEvent::Resume { pid } if pid == caller))
        .count();
    assert_eq!(
        (suspends, resumes),
        (1 + usize::from(again), 1 + usize::from(again))
    );
    assert!(report.books.balanced(), "{:?}", report.books);
}

/// A receiver on b that takes `n` messages and answers them in arrival order.
async fn collect(cx: Cx, n: usize) -> Result<Term, Exception> {
    cx.register("rx", cx.self_pid()).await?;
    let mut got = Vec::with_capacity(n);
    for _ in 0..n {
        got.push(cx.recv().await);
    }
    Ok(Term::List(got))
}

#[test]
fn a_burst_over_the_busy_limit_suspends_and_resumes_its_sender_in_order() {
    const N: usize = 200;
    const LIMIT: u64 = 4_096;
    const BW: u64 = 1_000_000;
    for seed in 0..4 {
        let mut sim = Sim::builder()
            .seed(seed)
            .nodes([A, B])
            .bandwidth(BW)
            .dist_buf_busy_limit(LIMIT)
            .build()
            .expect("two nodes");
        sim.spawn(B, |cx| collect(cx, N)).expect("receiver");
        let sender = sim
            .spawn(A, |cx| async move {
                cx.sleep(Time::ms(1)).await;
                for i in 0..N {
                    let m = Term::tuple([Term::Int(i as i64), Term::Binary(vec![0; 200])]);
                    cx.send(("rx", B), m).await?;
                }
                Ok(Term::atom("sent"))
            })
            .expect("sender");
        let report = sim.run();
        report.assert_ok();
        let Some(Term::List(got)) = report.value(0) else {
            panic!("seed {seed}: {:?}", report.value(0));
        };
        let order: Vec<Term> = got
            .iter()
            .map(|m| m.as_tuple().map_or(Term::atom("bad"), |t| t[0].clone()))
            .collect();
        let want: Vec<Term> = (0..N as i64).map(Term::Int).collect();
        assert_eq!(order, want, "seed {seed}: per-pair order");
        let busy = &report.busy_dist_port;
        assert!(
            !busy.is_empty(),
            "seed {seed}: the sender was never suspended"
        );
        assert!(busy
            .iter()
            .all(|e| e.pid == sender && e.resumed.is_some_and(|r| r > e.suspended)));
        // Everything fits the limit: the sender spends about the time the
        // bytes take to drain suspended, less the last buffer's worth.
        let bytes = wire_bytes(&Term::tuple([Term::Int(0), Term::Binary(vec![0; 200])]));
        let total = bytes * N as u64;
        let suspended: u64 = busy
            .iter()
            .filter_map(|e| e.duration())
            .map(Time::as_us)
            .sum();
        let drain_us = total * 1_000_000 / BW;
        let slack = LIMIT * 1_000_000 / BW + bytes * 1_000_000 / BW;
        assert!(
            suspended + slack >= drain_us && suspended <= drain_us,
            "seed {seed}: suspended {suspended} µs of a {drain_us} µs drain"
        );
        let b = &report.books;
        assert!(b.balanced(), "seed {seed}: {b:?}");
        assert_eq!(
            (b.in_flight, b.held, b.dropped_total()),
            (0, 0, 0),
            "seed {seed}"
        );
    }
}

#[test]
fn a_lost_connection_drops_its_buffer_and_resumes_the_suspended_sender() {
    let mut sim = erpc_sim::builder()
        .nodes([A, B])
        .bandwidth(1_000_000)
        .trace(TraceMode::Full)
        .build()
        .expect("two nodes");
    sim.at(Time::ms(100), Fault::partition([[A], [B]], Mode::Drop))
        .expect("a cut");
    let sender = sim
        .spawn(A, |cx| async move {
            // 5 MB at 1 MB/s: suspended for about 4 s, unless the connection
            // goes first.
            cx.send(("sink", B), Term::Binary(vec![0; 5_000_000]))
                .await?;
            Ok(Term::Int(cx.now().as_us() as i64))
        })
        .expect("sender");
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&Term::Int(100_000)));
    assert_eq!(report.busy_dist_port.len(), 1);
    assert_eq!(report.busy_dist_port[0].pid, sender);
    assert_eq!(report.busy_dist_port[0].resumed, Some(Time::ms(100)));
    assert_eq!(
        report.books.dropped_total(),
        1,
        "the buffered message is lost"
    );
    assert!(report.books.balanced(), "{:?}", report.books);
}

#[test]
fn without_a_bandwidth_no_sender_is_ever_suspended() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .trace(TraceMode::Full)
        .build()
        .expect("two nodes");
    sim.spawn(A, |cx| async move {
        cx.send(("sink", B), Term::Binary(vec![0; 10_000_000]))
            .await?;
        Ok(Term::Int(cx.now().as_us() as i64))
    })
    .expect("sender");
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.value(0), Some(&Term::Int(0)));
    assert!(report.busy_dist_port.is_empty());
    assert!(!report.trace.iter().any(|r| matches!(
        r.event,
        TraceEvent::Suspend { .. } | TraceEvent::Resume { .. }
    )));
}

#[test]
fn bad_buffer_settings_are_refused_at_build() {
    let b = || Sim::builder().nodes([A, B]);
    assert!(matches!(
        b().bandwidth(0).build(),
        Err(SimError::ZeroBandwidth)
    ));
    assert!(matches!(
        b().dist_buf_busy_limit(0).build(),
        Err(SimError::ZeroBusyLimit)
    ));
    assert!(matches!(
        b().link_bandwidth(A, "z@sim", 5).build(),
        Err(SimError::UnknownNode(n)) if n == "z@sim"
    ));
}

#[test]
fn a_down_behind_a_big_message_waits_for_it_and_suspends_no_one() {
    const BW: u64 = 1_000_000;
    let big = Term::Binary(vec![0; 2_000_000]);
    let behind = wire_bytes(&big) + wire_bytes(&Term::atom("normal"));
    let mut sim = Sim::builder()
        .nodes([A, B])
        .bandwidth(BW)
        .latency(Time::us(100), Time::ms(1))
        .build()
        .expect("two nodes");
    let watched = sim
        .spawn_background(A, |cx| async move {
            cx.sleep(Time::ms(2)).await;
            Ok(Term::atom("done"))
        })
        .expect("watched");
    sim.spawn(B, move |cx| async move {
        cx.monitor(watched).await;
        cx.recv().await;
        Ok(Term::Int(cx.now().as_us() as i64))
    })
    .expect("watcher");
    let sender = sim
        .spawn(A, move |cx| async move {
            cx.sleep(Time::ms(1)).await;
            cx.send(("sink", B), big).await?;
            Ok(Term::atom("sent"))
        })
        .expect("sender");
    let report = sim.run();
    report.assert_ok();
    // The 'DOWN' left A only after the binary ahead of it had drained.
    let left = Time::ms(1) + Time::us((behind * 1_000_000).div_ceil(BW));
    let Some(Term::Int(at)) = report.value(0) else {
        panic!("{:?}", report.value(0));
    };
    let at = Time::us(*at as u64);
    assert!(
        at >= left + Time::us(100) && at <= left + Time::ms(1),
        "'DOWN' at {at}, the bytes ahead of it drained at {left}"
    );
    let suspended: Vec<Pid> = report.busy_dist_port.iter().map(|e| e.pid).collect();
    assert_eq!(suspended, [sender], "the dying process is not suspended");
}

#[test]
fn a_multicall_behind_two_busy_connections_waits_for_both() {
    const BW: u64 = 10_000_000;
    const C: &str = "c@sim";
    let to_b = Term::Binary(vec![0; 3_000_000]);
    let to_c = Term::Binary(vec![0; 6_000_000]);
    let limit = DEFAULT_DIST_BUF_BUSY_LIMIT;
    let request = DIST_SIGNAL_HEADER_BYTES;
    // Both requests go in behind the binaries, which drain from time zero.
    let b_below = below_limit_at(wire_bytes(&to_b) + request, limit, BW);
    let c_below = below_limit_at(wire_bytes(&to_c) + request, limit, BW);
    let mut sim = erpc_sim::builder()
        .nodes([A, B, C])
        .bandwidth(BW)
        .trace(TraceMode::Full)
        .build()
        .expect("three nodes");
    for (node, big) in [(B, to_b), (C, to_c)] {
        sim.spawn_background(A, move |cx| async move {
            cx.send(("sink", node), big).await?;
            Ok(Term::atom("sent"))
        })
        .expect("filler");
    }
    let caller = sim
        .spawn(A, |cx| async move {
            // After both fillers have sent, at time zero.
            cx.sleep(Time::us(1)).await;
            let r = erpc::multicall(&cx, [B, C], "erlang", "node", vec![], Timeout::Infinity)
                .await
                .map_err(Exception::from)?;
            let shown = r.iter().map(|o| match o {
                Ok(v) => v.clone(),
                Err(e) => e.to_term(),
            });
            Ok(Term::List(shown.collect()))
        })
        .expect("caller");
    let report = sim.run();
    report.assert_ok();
    let mine: Vec<&BusyDistPort> = report
        .busy_dist_port
        .iter()
        .filter(|e| e.pid == caller)
        .collect();
    let to: Vec<Atom> = mine.iter().map(|e| e.to).collect();
    assert_eq!(to, [Atom::new(B), Atom::new(C)], "{mine:?}");
    assert_eq!(
        mine.iter().map(|e| e.resumed).collect::<Vec<_>>(),
        [Some(b_below), Some(c_below)]
    );
    let resumed: Vec<Time> = report
        .trace
        .iter()
        .filter(|r| matches!(r.event, TraceEvent::Resume { pid } if pid == caller))
        .map(|r| r.time)
        .collect();
    assert_eq!(
        resumed,
        [c_below],
        "resumed once, when the later one drained"
    );
    assert_eq!(
        report.value(0).map(Term::to_string).as_deref(),
        Some("[b@sim,c@sim]")
    );
}
