//! Monitors: one `'DOWN'` per monitor, `demonitor` and its `flush` option.

use crate::{down_msg, flush, run_on_a, value, B};
use erpc_sim::prelude::*;

#[test]
fn monitor_delivers_exactly_one_down() {
    let r = run_on_a(0, |cx| async move {
        let go = |c: Cx| async move {
            c.receive(|m| m.is_atom("go")).await;
            Err(Exception::exit(atom!("boom")))
        };
        let local = cx.spawn(go).await?;
        let remote = cx.spawn_on(B, go).await?;
        let m1 = cx.monitor(local).await;
        let m2 = cx.monitor(local).await;
        let m3 = cx.monitor(remote).await;
        cx.send(local, atom!("go")).await?;
        cx.send(remote, atom!("go")).await?;
        // Wait long enough for any duplicate to show up.
        let mut got = flush(&cx, 1_000).await;
        got.sort();
        let mut want = vec![
            down_msg(m1, local, atom!("boom")),
            down_msg(m2, local, atom!("boom")),
            down_msg(m3, remote, atom!("boom")),
        ];
        want.sort();
        cx.check(m1 != m2, "two monitors, two refs")?;
        cx.check(got == want, format!("got {got:?}"))?;
        Ok(atom!("ok"))
    });
    value(&r);
}

#[test]
fn demonitor_flush_removes_queued_down() {
    let r = run_on_a(0, |cx| async move {
        let (_, m) = cx
            .spawn_monitor(|_| async move { Ok(atom!("done")) })
            .await?;
        cx.sleep(Time::ms(10)).await;
        cx.check(cx.mailbox().len() == 1, "the DOWN is queued")?;
        // Plain `demonitor` keeps a queued DOWN; `[flush]` removes it, and the
        // `[info]` answer is `false` once the DOWN was sent.
        let (_, m2) = cx
            .spawn_monitor(|_| async move { Ok(atom!("done")) })
            .await?;
        cx.sleep(Time::ms(10)).await;
        let active = cx.demonitor(m2).await;
        cx.check(!active && cx.mailbox().len() == 2, "demonitor keeps it")?;
        let active = cx.demonitor_flush(m).await;
        cx.check(!active, "already fired")?;
        let left = cx.flush();
        cx.check(left.len() == 1, format!("only m2's DOWN is left: {left:?}"))?;
        // Before the DOWN: `true`, and no DOWN ever arrives.
        let p = cx.spawn(crate::forever).await?;
        let m3 = cx.monitor(p).await;
        cx.check(cx.demonitor_flush(m3).await, "was active")?;
        cx.exit(p, atom!("kill")).await;
        cx.check(flush(&cx, 10).await.is_empty(), "no DOWN after demonitor")?;
        Ok(atom!("ok"))
    });
    value(&r);
}
