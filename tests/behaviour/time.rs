//! Virtual time: it moves only when nothing can run, and timers fire in a
//! deterministic order.

use crate::{run_on_a, value};
use erpc_sim::prelude::*;

#[test]
fn time_advances_only_when_nothing_is_enabled() {
    let r = run_on_a(0, |cx| async move {
        let me = cx.self_pid();
        // A sleeper, and two processes playing ping-pong 500 times meanwhile.
        let sleeper = cx
            .spawn(move |c| async move {
                c.sleep(Time::ms(10)).await;
                c.send(me, tuple![atom!("woke"), c.now().as_us() as i64])
                    .await?;
                Ok(atom!("ok"))
            })
            .await?;
        let _ = sleeper;
        let pong = cx
            .spawn(|c| async move {
                loop {
                    let m = c.recv().await;
                    let Some([from, n]) = m.as_tuple() else { break };
                    let from = from.as_pid().expect("pid");
                    c.send(from, n.clone()).await?;
                }
                Ok(atom!("ok"))
            })
            .await?;
        for i in 0..500 {
            cx.send(pong, tuple![me, i]).await?;
            cx.receive(move |m| *m == Term::Int(i)).await;
        }
        // 1000 messages and as many steps, and not a microsecond has passed.
        let busy_until = cx.now();
        let woke = cx
            .receive(|m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("woke")))
            .await;
        Ok(tuple![busy_until.as_us() as i64, woke])
    });
    assert_eq!(value(&r).to_string(), "{0,{woke,10000}}");
    assert_eq!(r.time, Time::ms(10));
}

#[test]
fn timers_fire_in_deterministic_order() {
    let order = |seed| {
        let r = run_on_a(seed, |cx| async move {
            let me = cx.self_pid();
            // Set out of order; some share an expiry time.
            for (ms, tag) in [(30, "d"), (10, "a"), (20, "b"), (20, "c"), (30, "e")] {
                cx.send_after(ms, me, atom!(tag)).await?;
            }
            let t = cx.start_timer(10, me, atom!("a2")).await?;
            let mut got = Vec::new();
            for _ in 0..6 {
                let m = cx.recv().await;
                let timeout = tuple![atom!("timeout"), t, atom!("a2")];
                got.push(if m == timeout { atom!("timeout_a2") } else { m });
            }
            Ok(Term::List(got))
        });
        value(&r).to_string()
    };
    // By expiry time, then in the order they were set, whatever the seed.
    for seed in 0..20 {
        assert_eq!(order(seed), "[a,timeout_a2,b,c,d,e]", "seed {seed}");
    }
}
