//! What a crashing node had already sent still reaches its peers, in order and
//! before they see the loss; what was on its way to it is lost. Expected
//! outcomes come from real OTP where it defines them (each test says how).

use erpc_sim::core::{SpawnOpts, SpawnReply};
use erpc_sim::partition::Ledger;
use erpc_sim::prelude::*;

const A: &str = "a@sim";
const B: &str = "b@sim";

/// Every message that arrives within `ms` of quiet.
async fn collect(cx: &Cx, ms: u64) -> Vec<Term> {
    let mut got = Vec::new();
    while let Some(m) = cx.receive_timeout(|_| true, Timeout::ms(ms)).await {
        got.push(m);
    }
    got
}

/// `{nodedown, B}` and `'DOWN'`s in a canonical order: OTP sends them from
/// different places and fixes no order between them (a halted peer gave
/// `nodedown` first, `erlang:disconnect_node/1` gave it last).
fn sorted(mut ts: Vec<Term>) -> Vec<Term> {
    ts.sort();
    ts
}

/// Real OTP 25 (`escript` with `-sname rta`, peer started by
/// `peer:start(#{name => rtb})`):
///
/// ```erlang
/// true = monitor_node(B, true),
/// Req = spawn_request(B, fun() -> Self ! m1, Self ! m2, erlang:halt() end, [monitor]),
/// %% everything received until 2 s of quiet:
/// [{spawn_reply, Req, ok, Pid}, m1, m2,
///  {nodedown, B}, {'DOWN', Req, process, Pid, noconnection}]
/// ```
///
/// The reply the dying node sent makes the request a monitor, so the caller
/// sees `'DOWN'` (not `{spawn_reply, Req, error, noconnection}`), and the
/// messages come before any sign of the loss.
#[test]
fn a_crashing_node_delivers_what_it_sent_before_the_loss() {
    let mut sim = Sim::builder().seed(3).nodes([A, B]).build().unwrap();
    sim.spawn(A, |cx| async move {
        cx.monitor_node(B, true).await;
        let me = cx.self_pid();
        let opts = SpawnOpts {
            link: false,
            monitor: true,
            reply: SpawnReply::Yes,
        };
        let req = cx
            .spawn_request(
                B,
                move |c| async move {
                    c.send(me, atom!("m1")).await?;
                    c.send(me, atom!("m2")).await?;
                    c.halt().await;
                    Ok(atom!("unreachable"))
                },
                opts,
            )
            .await;
        let got = collect(&cx, 2_000).await;
        let Some(Term::Tuple(reply)) = got.first() else {
            return Err(Exception::error(Term::List(got)));
        };
        let pid = reply[3].clone();
        let expected_head = [
            tuple![
                atom!("spawn_reply"),
                Term::Ref(req),
                atom!("ok"),
                pid.clone()
            ],
            atom!("m1"),
            atom!("m2"),
        ];
        cx.check(got.len() == 5, format!("five messages: {got:?}"))?;
        cx.check(
            got[..3] == expected_head[..],
            format!("sent first: {got:?}"),
        )?;
        let loss = vec![
            tuple![atom!("nodedown"), atom!("b@sim")],
            tuple![
                atom!("DOWN"),
                Term::Ref(req),
                atom!("process"),
                pid,
                atom!("noconnection")
            ],
        ];
        cx.check(
            sorted(got[3..].to_vec()) == sorted(loss),
            format!("then the loss: {got:?}"),
        )?;
        Ok(atom!("ok"))
    })
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_conserved(&report);
}

/// A crash with signals in flight both ways: the crashed node's reach the
/// peer (before `nodedown`), the peer's are lost under the crash's name.
#[test]
fn signals_on_their_way_to_a_crashing_node_are_lost() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(10), Time::ms(10))
        .build()
        .unwrap();
    sim.spawn(B, |cx| async move {
        cx.register("sink", cx.self_pid()).await?;
        cx.sleep(Time::ms(1)).await;
        cx.send(("collector", A), atom!("from_b")).await?;
        cx.recv().await;
        Ok(atom!("unreachable"))
    })
    .unwrap();
    sim.spawn(A, |cx| async move {
        cx.register("collector", cx.self_pid()).await?;
        cx.monitor_node(B, true).await;
        cx.sleep(Time::ms(1)).await;
        cx.send(("sink", B), atom!("to_b")).await?;
        let got = collect(&cx, 100).await;
        let expected = vec![atom!("from_b"), tuple![atom!("nodedown"), atom!("b@sim")]];
        cx.check(got == expected, format!("got {got:?}"))?;
        Ok(atom!("ok"))
    })
    .unwrap();
    // Both messages leave at 1 ms and would arrive at 11 ms.
    sim.at(Time::ms(5), Fault::crash(B)).expect("a valid fault");
    let report = sim.run();
    assert_eq!(report.value(1), Some(&atom!("ok")), "{report}");
    assert_conserved(&report);
    assert_eq!(Ledger::of(&report).dropped_by("crash b@sim"), 1, "{report}");
}

/// What a deferring cut holds on the crashed node's side never crossed: it is
/// lost with the node, and the peer sees only the loss.
#[test]
fn what_a_cut_holds_from_a_crashing_node_is_lost() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .latency(Time::ms(1), Time::ms(1))
        .build()
        .unwrap();
    sim.spawn(B, |cx| async move {
        cx.sleep(Time::ms(3)).await;
        cx.send(("collector", A), atom!("held")).await?;
        cx.recv().await;
        Ok(atom!("unreachable"))
    })
    .unwrap();
    sim.spawn(A, |cx| async move {
        cx.register("collector", cx.self_pid()).await?;
        cx.monitor_node(B, true).await;
        let got = collect(&cx, 100).await;
        let expected = vec![tuple![atom!("nodedown"), atom!("b@sim")]];
        cx.check(got == expected, format!("got {got:?}"))?;
        Ok(atom!("ok"))
    })
    .unwrap();
    sim.at(Time::ms(2), Fault::isolate(B, Mode::Defer))
        .expect("a valid fault");
    sim.at(Time::ms(5), Fault::crash(B)).expect("a valid fault");
    sim.at(Time::ms(8), Fault::heal()).expect("a valid fault");
    let report = sim.run();
    assert_eq!(report.value(1), Some(&atom!("ok")), "{report}");
    assert_conserved(&report);
    assert_eq!(Ledger::of(&report).dropped_by("crash b@sim"), 1, "{report}");
}
