//! Across nodes: connection loss, node monitors, spawning where no node runs.

use crate::{down_msg, exit_msg, flush, forever, value, A, B, C};
use erpc_sim::prelude::*;

fn three_nodes(seed: u64) -> Sim {
    Sim::builder()
        .seed(seed)
        .nodes([A, B, C])
        .build()
        .expect("three nodes")
}

/// Cuts the connection between `a` and `b` at `at`.
fn cut_at(sim: &mut Sim, at: Time) {
    sim.at(at, |c: &mut Control<'_>| {
        let (a, b) = (c.node_id(A).unwrap(), c.node_id(B).unwrap());
        c.disconnect(a, b, "cut");
    })
    .unwrap();
}

#[test]
fn connection_loss_fires_noconnection_for_links_and_monitors() {
    let mut sim = three_nodes(0);
    cut_at(&mut sim, Time::ms(50));
    // On a: linked (trapping) and monitoring a process on b.
    sim.spawn(A, |cx| async move {
        cx.trap_exit(true);
        let p = cx
            .spawn_link_on(B, |c| async move {
                c.register("victim", c.self_pid()).await?;
                forever(c).await
            })
            .await?;
        let m = cx.monitor(p).await;
        let mut got = flush(&cx, 200).await;
        got.sort();
        let want = vec![
            exit_msg(p, atom!("noconnection")),
            down_msg(m, p, atom!("noconnection")),
        ];
        cx.check(got == want, format!("got {got:?}"))?;
        Ok(atom!("ok"))
    })
    .unwrap();
    // On b: the linked process, not trapping, dies `noconnection` too.
    sim.spawn(B, |cx| async move {
        cx.sleep(Time::ms(10)).await;
        let victim = cx.whereis("victim").await.expect("registered by now");
        let m = cx.monitor(victim).await;
        let d = cx.recv().await;
        cx.check(
            d == down_msg(m, victim, atom!("noconnection")),
            format!("{d}"),
        )?;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn node_monitor_gets_nodedown() {
    let mut sim = three_nodes(0);
    cut_at(&mut sim, Time::ms(50));
    sim.at(Time::ms(60), |c: &mut Control<'_>| {
        let node = c.node_id(C).unwrap();
        c.crash(node, "crash");
    })
    .unwrap();
    sim.spawn(A, |cx| async move {
        // One `{nodedown, N}` per `monitor_node(N, true)`, for a cut and a crash.
        cx.monitor_node(B, true).await;
        cx.monitor_node(B, true).await;
        cx.monitor_node(C, true).await;
        // A node nobody runs: at once.
        cx.monitor_node("nx@sim", true).await;
        let got = flush(&cx, 100).await;
        let nd = |n: &str| tuple![atom!("nodedown"), atom!(n)];
        let want = vec![nd("nx@sim"), nd(B), nd(B), nd(C)];
        cx.check(got == want, format!("got {got:?}"))?;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.run().assert_ok();
}

#[test]
fn spawn_on_unknown_node_gives_standin_exiting_noconnection() {
    let mut sim = three_nodes(0);
    sim.spawn(A, |cx| async move {
        let (p, m) = cx
            .spawn_monitor_on("nx@sim", |_| async move { Ok(atom!("never runs")) })
            .await?;
        cx.check(p.node() == cx.node_id(), "the stand-in is local")?;
        let d = cx.recv().await;
        cx.check(d == down_msg(m, p, atom!("noconnection")), format!("{d}"))?;
        Ok(atom!("ok"))
    })
    .unwrap();
    let r = sim.run();
    value(&r);
}
