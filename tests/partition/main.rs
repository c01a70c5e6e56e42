//! Behaviour of erpc across faults: drop and defer partitions, one-way
//! partitions, single-link cuts, crashes and restarts, and a seeded nemesis.
//! One test per rule of `docs/semantics.md` ("Partitions and crashes"), named
//! after it and written against the public API only.
//!
//! As in OTP's `erpc_SUITE`, every test checks each outcome by class and reason
//! and ends by asserting that the caller's mailbox is empty; every run must
//! also balance its signal books ([`assert_conserved`]). Each test runs under
//! several seeds.

use erpc_sim::partition::Ledger;
use erpc_sim::prelude::*;
use std::future::Future;

const A: &str = "a@sim";
const B: &str = "b@sim";
const C: &str = "c@sim";

/// Seeds every test runs under.
const SEEDS: std::ops::Range<u64> = 0..4;

/// Runs `body` as the one foreground process on `a@sim` of a simulation of
/// `a@sim`, `b@sim`, `c@sim` (`b` and `c` run a registered `collector`, every
/// node runs rpc's `rex`), with
/// `faults` installed first. Returns what the body returned; panics if the run
/// failed or its books do not balance.
fn run<F, Fut>(seed: u64, faults: impl FnOnce(&mut Sim), body: F) -> Term
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let report = run_report(seed, faults, body);
    report.assert_ok();
    assert_conserved(&report);
    report.value(0).cloned().expect("the body returned")
}

fn run_report<F, Fut>(seed: u64, faults: impl FnOnce(&mut Sim), body: F) -> RunReport
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let mut sim = erpc_sim::builder()
        .seed(seed)
        .nodes([A, B, C])
        .boot(B, collector)
        .boot(C, collector)
        .max_time(Time::secs(600))
        .build()
        .expect("three nodes");
    faults(&mut sim);
    sim.spawn(A, body).expect("spawn on a@sim");
    sim.run()
}

/// `[] = flush()` at the end of an erpc_SUITE test case.
fn mailbox_empty(cx: &Cx) -> Result<(), Exception> {
    let left = cx.flush();
    let printed = Term::List(left.clone()).to_string();
    cx.check(
        left.is_empty(),
        format!("the caller's mailbox is not empty: {printed}"),
    )
}

/// An erpc outcome as OTP prints it: the value, or `{Class, Reason}`.
fn show(r: &Result<Term, ErpcException>) -> Term {
    match r {
        Ok(v) => v.clone(),
        Err(e) => e.to_term(),
    }
}

fn elem(m: &Term, i: usize) -> Term {
    m.as_tuple()
        .and_then(|t| t.get(i).cloned())
        .unwrap_or(atom!("undefined"))
}

/// A process registered as `collector` that keeps every message it gets and
/// answers `{dump, From}` with `{collected, Messages}` (in arrival order).
async fn collector(cx: Cx) -> Result<Term, Exception> {
    cx.register("collector", cx.self_pid()).await?;
    let mut got = Vec::new();
    loop {
        let m = cx.recv().await;
        match m.as_tuple() {
            Some([tag, Term::Pid(from)]) if tag.is_atom("dump") => {
                let from = *from;
                cx.send(from, tuple![atom!("collected"), Term::List(got.clone())])
                    .await?;
            }
            _ => got.push(m),
        }
    }
}

/// What the collector on `node` has received, fetched with an erpc call.
async fn collected(cx: &Cx, node: &str, timeout: Timeout) -> Result<Term, ErpcException> {
    erpc::call_fun(
        cx,
        node,
        |c| async move {
            let me = c.self_pid();
            c.send("collector", tuple![atom!("dump"), me]).await?;
            let m = c.receive(|m| elem(m, 0).is_atom("collected")).await;
            Ok(elem(&m, 1))
        },
        timeout,
    )
    .await
}

/// Waits (polling `nodes()`) until `node` is up and connected again.
async fn wait_until_up(cx: &Cx, node: &str) -> Result<(), Exception> {
    let node = Atom::new(node);
    for _ in 0..1000 {
        if cx.nodes().contains(&node) {
            return Ok(());
        }
        cx.sleep(Time::ms(10)).await;
    }
    Err(Exception::error(tuple![atom!("never_came_back"), node]))
}

// ---- drop ----------------------------------------------------------------------

#[test]
fn erpc_call_in_drop_partition_is_noconnection() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(10), Fault::partition(([A], [B, C]), Mode::Drop))
                    .unwrap();
                sim.at(Time::ms(500), Fault::heal()).unwrap();
            },
            |cx| async move {
                cx.sleep(Time::ms(20)).await;
                let t0 = cx.now();
                let finite = erpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1000)).await;
                let infinite =
                    erpc::call(&cx, C, "erlang", "node", vec![], Timeout::Infinity).await;
                let fun = erpc::call_fun(
                    &cx,
                    B,
                    |c| async move { Ok(Term::Atom(c.node())) },
                    Timeout::ms(1000),
                )
                .await;
                cx.check(
                    cx.now() - t0 < Time::ms(5),
                    "noconnection at once, not at the timeout",
                )?;
                cx.sleep(Time::ms(500)).await;
                let healed = erpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1000)).await;
                mailbox_empty(&cx)?;
                Ok(list![
                    show(&finite),
                    show(&infinite),
                    show(&fun),
                    show(&healed)
                ])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{error,{erpc,noconnection}},{error,{erpc,noconnection}},\
             {error,{erpc,noconnection}},b@sim]",
            "seed {seed}"
        );
    }
}

#[test]
fn rpc_call_in_drop_partition_is_badrpc_nodedown() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(10), Fault::partition(([A], [B, C]), Mode::Drop))
                    .unwrap();
                sim.at(Time::ms(500), Fault::heal()).unwrap();
                sim.at(Time::ms(600), Fault::cut(A, B, Mode::Drop)).unwrap();
                sim.at(Time::ms(900), Fault::heal()).unwrap();
            },
            |cx| async move {
                cx.sleep(Time::ms(20)).await;
                let t0 = cx.now();
                let finite = rpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1000)).await?;
                let infinite =
                    rpc::call(&cx, C, "erlang", "node", vec![], Timeout::Infinity).await?;
                // Unreachable nodes go to BadNodes, in node order.
                let multi =
                    rpc::multicall(&cx, &[B, A, C], "erlang", "node", vec![], Timeout::ms(1000))
                        .await?;
                cx.check(
                    cx.now() - t0 < Time::ms(5),
                    "nodedown at once, not at the timeout",
                )?;
                cx.sleep(Time::ms(500)).await;
                let healed = rpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1000)).await?;
                // A call in flight when the link is cut.
                let in_flight =
                    rpc::call(&cx, B, "timer", "sleep", args![200], Timeout::Infinity).await?;
                cx.check(cx.now() == Time::ms(600), "nodedown when the cut happens")?;
                mailbox_empty(&cx)?;
                Ok(list![finite, infinite, multi, healed, in_flight])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{badrpc,nodedown},{badrpc,nodedown},{[a@sim],[b@sim,c@sim]},b@sim,\
             {badrpc,nodedown}]",
            "seed {seed}"
        );
    }
}

#[test]
fn in_flight_erpc_call_cut_in_drop_mode_is_noconnection() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(50), Fault::cut(A, B, Mode::Drop)).unwrap();
                sim.at(Time::ms(300), Fault::heal()).unwrap();
            },
            |cx| async move {
                // Applied on b@sim: sleeps past the cut, then leaves its mark.
                let r = erpc::call_fun(
                    &cx,
                    B,
                    |c| async move {
                        c.sleep(Time::ms(100)).await;
                        c.send("collector", atom!("applied")).await?;
                        Ok(atom!("done"))
                    },
                    Timeout::Infinity,
                )
                .await;
                cx.check(
                    cx.now() == Time::ms(50),
                    "the call fails when the cut happens",
                )?;
                cx.sleep(Time::ms(400)).await;
                // The applier was not stopped by the cut: its mark is there.
                let mark = collected(&cx, B, Timeout::ms(1000)).await;
                mailbox_empty(&cx)?;
                Ok(list![show(&r), show(&mark)])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{error,{erpc,noconnection}},[applied]]",
            "seed {seed}"
        );
    }
}

#[test]
fn monitors_across_a_cut() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(100), Fault::cut(A, B, Mode::Drop)).unwrap();
                sim.at(Time::ms(400), Fault::heal()).unwrap();
            },
            |cx| async move {
                cx.trap_exit(true);
                let sleeper = |c: Cx| async move {
                    c.sleep(Time::MAX).await;
                    Ok(atom!("woke"))
                };
                let linked = cx.spawn_on(B, sleeper).await?;
                let monitored = cx.spawn_on(B, sleeper).await?;
                let elsewhere = cx.spawn_on(C, sleeper).await?;
                cx.link(linked).await?;
                let m = cx.monitor(monitored).await;
                let m_c = cx.monitor(elsewhere).await;
                cx.monitor_node(B, true).await;
                cx.monitor_node(C, true).await;
                // Every signal across the cut fires at the cut.
                let exit = cx
                    .receive_timeout(|m| elem(m, 0).is_atom("EXIT"), Timeout::ms(1000))
                    .await;
                cx.check(cx.now() == Time::ms(100), "EXIT at the cut")?;
                let down = cx
                    .receive_timeout(move |d| elem(d, 1) == Term::Ref(m), Timeout::ms(1000))
                    .await;
                let nodedown = cx
                    .receive_timeout(|d| elem(d, 0).is_atom("nodedown"), Timeout::ms(1000))
                    .await;
                // The single-link cut leaves a@sim -- c@sim alone.
                let nothing_from_c = cx.receive_timeout(|_| true, Timeout::ms(100)).await;
                cx.sleep(Time::ms(400)).await;
                // After the heal: the linked process died of the broken link,
                // the merely monitored one lives on.
                let alive = |p: Pid| {
                    let cx = cx.clone();
                    async move {
                        erpc::call(
                            &cx,
                            B,
                            "erlang",
                            "is_process_alive",
                            args![p],
                            Timeout::ms(1000),
                        )
                        .await
                    }
                };
                let linked_alive = alive(linked).await;
                let monitored_alive = alive(monitored).await;
                cx.exit(monitored, atom!("kill")).await;
                cx.exit(elsewhere, atom!("kill")).await;
                let down_c = cx
                    .receive_timeout(move |d| elem(d, 1) == Term::Ref(m_c), Timeout::ms(1000))
                    .await;
                cx.monitor_node(C, false).await;
                let down_m = cx
                    .receive_timeout(|d| elem(d, 0).is_atom("DOWN"), Timeout::ms(100))
                    .await;
                mailbox_empty(&cx)?;
                Ok(list![
                    exit.map_or(atom!("none"), |e| tuple![elem(&e, 0), elem(&e, 2)]),
                    down.map_or(atom!("none"), |d| tuple![elem(&d, 0), elem(&d, 4)]),
                    nodedown.map_or(atom!("none"), |d| d),
                    nothing_from_c.map_or(atom!("none"), |d| d),
                    show(&linked_alive),
                    show(&monitored_alive),
                    down_c.map_or(atom!("none"), |d| elem(&d, 4)),
                    down_m.map_or(atom!("none"), |d| d),
                ])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{'EXIT',noconnection},{'DOWN',noconnection},{nodedown,b@sim},none,\
             false,true,killed,none]",
            "seed {seed}"
        );
    }
}

#[test]
fn one_way_partition_requests_arrive_replies_cannot() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                // b@sim cannot reach a@sim: a's requests get through, b's
                // replies cannot. Drop first, then defer.
                sim.at(Time::ms(10), Fault::one_way([B], [A], Mode::Drop))
                    .unwrap();
                sim.at(Time::ms(200), Fault::heal()).unwrap();
                sim.at(Time::ms(300), Fault::one_way([B], [A], Mode::Defer))
                    .unwrap();
                sim.at(Time::ms(600), Fault::heal()).unwrap();
            },
            |cx| async move {
                let me = cx.self_pid();
                let mark = move |tag: &'static str| {
                    move |c: Cx| async move {
                        c.send("collector", tuple![atom!(tag), me]).await?;
                        Ok(atom!("replied"))
                    }
                };
                cx.sleep(Time::ms(20)).await;
                // Drop: the reply is the first signal to cross, and it takes
                // the whole connection down.
                let dropped = erpc::call_fun(&cx, B, mark("under_drop"), Timeout::ms(100)).await;
                cx.sleep(Time::ms(300)).await;
                // Defer: the reply is held; the call times out.
                let deferred = erpc::call_fun(&cx, B, mark("under_defer"), Timeout::ms(100)).await;
                cx.sleep(Time::ms(300)).await;
                // Healed: both requests were applied; no late reply came back.
                let marks = collected(&cx, B, Timeout::ms(1000)).await;
                let marks = show(&marks);
                cx.check(
                    marks
                        == list![
                            tuple![atom!("under_drop"), me],
                            tuple![atom!("under_defer"), me]
                        ],
                    format!("both requests applied: {marks}"),
                )?;
                mailbox_empty(&cx)?;
                Ok(list![show(&dropped), show(&deferred)])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{error,{erpc,noconnection}},{error,{erpc,timeout}}]",
            "seed {seed}"
        );
    }
}

// ---- defer ---------------------------------------------------------------------

#[test]
fn call_in_defer_partition_hangs_until_heal_then_completes() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(10), Fault::isolate(B, Mode::Defer))
                    .unwrap();
                sim.at(Time::ms(700), Fault::heal()).unwrap();
            },
            |cx| async move {
                // A request that crosses before the partition: its reply is held.
                let early = erpc::send_request_fun(&cx, B, |c| async move {
                    c.sleep(Time::ms(100)).await;
                    Ok(atom!("late_but_fine"))
                })
                .await;
                cx.sleep(Time::ms(20)).await;
                // A call made under the partition: its request is held.
                let r = erpc::call(&cx, B, "erlang", "node", vec![], Timeout::Infinity).await;
                cx.check(cx.now() >= Time::ms(700), "completed only after the heal")?;
                let late = erpc::receive_response(&cx, early, Timeout::ms(0)).await;
                mailbox_empty(&cx)?;
                Ok(list![show(&r), show(&late)])
            },
        );
        assert_eq!(v.to_string(), "[b@sim,late_but_fine]", "seed {seed}");
    }
}

#[test]
fn defer_with_timeout_shorter_than_partition_times_out_and_late_reply_is_abandoned() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(50), Fault::isolate(B, Mode::Defer))
                    .unwrap();
                sim.at(Time::ms(1000), Fault::heal()).unwrap();
            },
            |cx| async move {
                let me = cx.self_pid();
                // The request crosses before the partition; its reply is held.
                let crossed = erpc::call_fun(
                    &cx,
                    B,
                    |c| async move {
                        c.sleep(Time::ms(100)).await;
                        Ok(atom!("too_late"))
                    },
                    Timeout::ms(200),
                )
                .await;
                cx.check(cx.now() >= Time::ms(200), "waited the whole timeout")?;
                // The request itself is held: applied only after the heal,
                // where its side effect (a message to the caller) shows.
                let held = erpc::call_fun(
                    &cx,
                    B,
                    move |c| async move {
                        c.send(me, atom!("applied_after_heal")).await?;
                        Ok(atom!("too_late"))
                    },
                    Timeout::ms(300),
                )
                .await;
                let side_effect = cx
                    .receive_timeout(|m| m.is_atom("applied_after_heal"), Timeout::ms(2000))
                    .await;
                cx.check(cx.now() >= Time::ms(1000), "applied after the heal")?;
                // Neither reply ever reaches the caller.
                cx.sleep(Time::ms(500)).await;
                mailbox_empty(&cx)?;
                Ok(list![
                    show(&crossed),
                    show(&held),
                    side_effect.unwrap_or(atom!("none"))
                ])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{error,{erpc,timeout}},{error,{erpc,timeout}},applied_after_heal]",
            "seed {seed}"
        );
    }
}

#[test]
fn multicall_with_one_partitioned_node() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(10), Fault::isolate(C, Mode::Drop)).unwrap();
                sim.at(Time::ms(200), Fault::heal()).unwrap();
                sim.at(Time::ms(300), Fault::isolate(C, Mode::Defer))
                    .unwrap();
                sim.at(Time::ms(1000), Fault::heal()).unwrap();
            },
            |cx| async move {
                cx.sleep(Time::ms(20)).await;
                let nodes = [B, C, A];
                let dropped =
                    erpc::multicall(&cx, &nodes, "erlang", "node", vec![], Timeout::ms(500))
                        .await?;
                cx.check(cx.now() < Time::ms(30), "a drop slot fails at once")?;
                cx.sleep(Time::ms(300)).await;
                let t0 = cx.now();
                let deferred =
                    erpc::multicall(&cx, &nodes, "erlang", "node", vec![], Timeout::ms(200))
                        .await?;
                let took = cx.now() - t0;
                cx.check(
                    took >= Time::ms(200) && took < Time::ms(210),
                    format!("one deadline for all, {took}"),
                )?;
                // After the heal the abandoned request runs, but sends nothing back.
                cx.sleep(Time::ms(1000)).await;
                mailbox_empty(&cx)?;
                Ok(list![
                    Term::List(dropped.iter().map(show).collect()),
                    Term::List(deferred.iter().map(show).collect()),
                ])
            },
        );
        assert_eq!(
            v.to_string(),
            "[[b@sim,{error,{erpc,noconnection}},a@sim],\
             [b@sim,{error,{erpc,timeout}},a@sim]]",
            "seed {seed}"
        );
    }
}

#[test]
fn abcast_under_partition_drop_loses_defer_delivers_at_heal() {
    // `rpc:abcast(Nodes, Name, Msg)` is `{Name, Node} ! Msg` for each node,
    // errors ignored: it returns `abcast` whatever happens to the messages.
    for seed in SEEDS {
        let report = run_report(
            seed,
            |sim| {
                sim.at(Time::ms(10), Fault::isolate(A, Mode::Drop)).unwrap();
                sim.at(Time::ms(100), Fault::heal()).unwrap();
                sim.at(Time::ms(200), Fault::isolate(A, Mode::Defer))
                    .unwrap();
                sim.at(Time::ms(400), Fault::heal()).unwrap();
            },
            |cx| async move {
                let abcast = |msg: &'static str| {
                    let cx = cx.clone();
                    async move { rpc::abcast(&cx, &[B, C], "collector", atom!(msg)).await }
                };
                cx.sleep(Time::ms(20)).await;
                let lost = abcast("lost").await;
                cx.sleep(Time::ms(200)).await;
                let held = abcast("held").await;
                // A defer partition reports nothing down: the messages wait.
                cx.check(cx.nodes().len() == 2, "both peers still connected")?;
                cx.sleep(Time::ms(300)).await;
                let b = collected(&cx, B, Timeout::ms(1000)).await;
                let c = collected(&cx, C, Timeout::ms(1000)).await;
                mailbox_empty(&cx)?;
                Ok(list![lost, held, show(&b), show(&c)])
            },
        );
        report.assert_ok();
        assert_conserved(&report);
        assert_eq!(
            report.value(0).map(ToString::to_string).as_deref(),
            Some("[abcast,abcast,[held],[held]]"),
            "seed {seed}"
        );
        let ledger = Ledger::of(&report);
        assert_eq!(
            ledger.dropped_by("partition#1 drop"),
            2,
            "seed {seed}: {ledger}"
        );
    }
}

#[test]
fn heal_order_of_held_messages() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(10), Fault::partition(([A], [B, C]), Mode::Defer))
                    .unwrap();
                sim.at(Time::ms(300), Fault::heal()).unwrap();
            },
            |cx| async move {
                let me = cx.self_pid();
                // Started before the partition; sends to a@sim under it.
                cx.spawn_on(C, move |c| async move {
                    c.sleep(Time::ms(50)).await;
                    for i in 1..=5 {
                        c.send(me, tuple![atom!("seq"), i]).await?;
                    }
                    Ok(atom!("sent"))
                })
                .await?;
                cx.sleep(Time::ms(20)).await;
                for i in 1..=20 {
                    cx.send(("collector", B), i).await?;
                }
                // A call made under the partition travels behind those messages:
                // when it runs on b@sim, the collector has all of them, in order.
                let seen = collected(&cx, B, Timeout::Infinity).await;
                cx.check(cx.now() >= Time::ms(300), "held until the heal")?;
                // c@sim's messages, held too, arrive in send order.
                let mut got = Vec::new();
                for _ in 0..5 {
                    let m = cx
                        .receive_timeout(|m| elem(m, 0).is_atom("seq"), Timeout::ms(100))
                        .await;
                    got.push(m.map_or(atom!("none"), |m| elem(&m, 1)));
                }
                mailbox_empty(&cx)?;
                Ok(list![show(&seen), Term::List(got)])
            },
        );
        let ints: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
        assert_eq!(
            v.to_string(),
            format!("[[{}],[1,2,3,4,5]]", ints.join(",")),
            "seed {seed}"
        );
    }
}

// ---- crash and restart ---------------------------------------------------------

#[test]
fn crash_and_restart_with_a_pending_call() {
    for seed in SEEDS {
        let v = run(
            seed,
            |sim| {
                sim.at(Time::ms(50), Fault::crash(B)).unwrap();
                sim.at(Time::ms(500), Fault::restart(B)).unwrap();
            },
            |cx| async move {
                let old = cx
                    .spawn_on(B, |c| async move {
                        c.sleep(Time::MAX).await;
                        Ok(atom!("woke"))
                    })
                    .await?;
                let pending =
                    erpc::call(&cx, B, "timer", "sleep", args![200], Timeout::Infinity).await;
                cx.check(
                    cx.now() == Time::ms(50),
                    "the pending call fails at the crash",
                )?;
                let while_down =
                    erpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1000)).await;
                cx.check(cx.now() == Time::ms(50), "and later ones at once")?;
                wait_until_up(&cx, B).await?;
                let after = erpc::call(&cx, B, "erlang", "node", vec![], Timeout::ms(1000)).await;
                // A pid of the old incarnation stays dead.
                let m = cx.monitor(old).await;
                let down = cx
                    .receive_timeout(move |d| elem(d, 1) == Term::Ref(m), Timeout::ms(1000))
                    .await
                    .map_or(atom!("none"), |d| elem(&d, 4));
                // The restarted node booted its collector again, empty.
                let fresh = collected(&cx, B, Timeout::ms(1000)).await;
                mailbox_empty(&cx)?;
                Ok(list![
                    show(&pending),
                    show(&while_down),
                    show(&after),
                    down,
                    show(&fresh)
                ])
            },
        );
        assert_eq!(
            v.to_string(),
            "[{error,{erpc,noconnection}},{error,{erpc,noconnection}},b@sim,noproc,[]]",
            "seed {seed}"
        );
    }
}

// ---- conservation --------------------------------------------------------------

#[test]
fn books_balance_for_erpc_traffic_under_a_nemesis() {
    // Outcomes over all seeds: [ok, noconnection, timeout].
    let mut seen = [0i64; 3];
    let mut dropped_by_faults = 0;
    for seed in 0..8 {
        let report = run_report(
            seed,
            |sim| {
                sim.at(
                    Time::ZERO,
                    Nemesis::new()
                        .nodes([B, C])
                        .period(Time::ms(20))
                        .until(Time::secs(2))
                        .partition(0.3)
                        .heal(0.3)
                        .crash(0.05)
                        .restart(0.3),
                )
                .unwrap();
            },
            |cx| async move {
                // Each outcome is the expected value, `noconnection` or
                // `timeout`, never anything else.
                let mut tally = [0i64; 3];
                let mut count = |r: &Result<Term, ErpcException>, expected: &str| {
                    let kind = match r {
                        Ok(v) if v.is_atom(expected) => 0,
                        Err(e) => match e.erpc_error() {
                            Some(erpc::ErpcError::Noconnection) => 1,
                            Some(erpc::ErpcError::Timeout) => 2,
                            _ => return Err(format!("unexpected {}", show(r))),
                        },
                        Ok(_) => return Err(format!("unexpected {}", show(r))),
                    };
                    tally[kind] += 1;
                    Ok(())
                };
                let mut round = 0u32;
                while cx.now() < Time::secs(2) {
                    let node = if round % 2 == 0 { B } else { C };
                    round += 1;
                    let r = erpc::call(&cx, node, "erlang", "node", vec![], Timeout::ms(50)).await;
                    let checked = count(&r, node);
                    cx.check(checked.is_ok(), format!("call: {checked:?}"))?;
                    let all =
                        erpc::multicall(&cx, &[B, C], "timer", "sleep", args![5], Timeout::ms(50))
                            .await?;
                    for r in &all {
                        let checked = count(r, "ok");
                        cx.check(checked.is_ok(), format!("multicall: {checked:?}"))?;
                    }
                    erpc::cast(&cx, node, "erlang", "node", vec![]).await;
                    let id = erpc::send_request(&cx, node, "timer", "sleep", args![5]).await;
                    let r = erpc::receive_response(&cx, id, Timeout::ms(50)).await;
                    let checked = count(&r, "ok");
                    cx.check(checked.is_ok(), format!("request: {checked:?}"))?;
                    cx.sleep(Time::ms(7)).await;
                }
                // The nemesis healed and restarted everything at its end; the
                // next call to each node connects again.
                cx.sleep(Time::ms(200)).await;
                for node in [B, C] {
                    let r =
                        erpc::call(&cx, node, "erlang", "node", vec![], Timeout::ms(1000)).await;
                    cx.check(r.as_ref().is_ok_and(|v| v.is_atom(node)), "settled")?;
                }
                mailbox_empty(&cx)?;
                Ok(Term::List(tally.iter().map(|&n| Term::Int(n)).collect()))
            },
        );
        report.assert_ok();
        assert_conserved(&report);
        dropped_by_faults += Ledger::of(&report).dropped_by_faults();
        let Some(Term::List(tally)) = report.value(0) else {
            panic!("seed {seed}: no tally");
        };
        for (total, n) in seen.iter_mut().zip(tally) {
            if let Term::Int(n) = n {
                *total += n;
            }
        }
    }
    assert!(dropped_by_faults > 0, "the nemesis never dropped anything");
    assert!(
        seen.iter().all(|&n| n > 0),
        "every outcome occurs over the seeds (ok, noconnection, timeout): {seen:?}"
    );
}
