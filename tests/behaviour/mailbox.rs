//! The mailbox: selective receive and receive markers.

use crate::{run_on_a, value};
use erpc_sim::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn selective_receive_takes_first_match_in_arrival_order() {
    let r = run_on_a(0, |cx| async move {
        let me = cx.self_pid();
        for m in [
            tuple![atom!("a"), 1],
            tuple![atom!("b"), 1],
            tuple![atom!("a"), 2],
            tuple![atom!("b"), 2],
        ] {
            cx.send(me, m).await?;
        }
        // Two "clauses": the earliest message matching either is taken.
        let got = cx
            .receive(|m| *m == tuple![atom!("b"), 2] || *m == tuple![atom!("a"), 2])
            .await;
        let rest = cx.flush();
        Ok(tuple![got, Term::List(rest)])
    });
    assert_eq!(value(&r).to_string(), "{{a,2},[{a,1},{b,1},{b,2}]}");
}

#[test]
fn receive_marker_skips_older_messages() {
    let r = run_on_a(0, |cx| async move {
        let me = cx.self_pid();
        for i in 0..1_000 {
            cx.send(me, Term::Int(i)).await?;
        }
        // A receive for a fresh reference looks only at what came after it.
        let r1 = cx.make_ref_marked();
        cx.send(me, tuple![r1, atom!("one")]).await?;
        let r2 = cx.make_ref_marked();
        cx.send(me, tuple![r2, atom!("two")]).await?;
        let scanned = Rc::new(Cell::new(0));
        let s = scanned.clone();
        let carries = move |r: Ref| {
            let s = s.clone();
            move |m: &Term| {
                s.set(s.get() + 1);
                matches!(m.as_tuple(), Some([x, _]) if *x == Term::Ref(r))
            }
        };
        // Outstanding references are collected in any order: r1's message came
        // before r2's marker and is still found.
        let two = cx.receive_for(r2, carries(r2), Timeout::Infinity).await;
        let one = cx.receive_for(r1, carries(r1), Timeout::Infinity).await;
        cx.check(
            cx.mailbox().len() == 1_000,
            "the old messages are untouched",
        )?;
        Ok(tuple![
            two.expect("two").as_tuple().unwrap()[1].clone(),
            one.expect("one").as_tuple().unwrap()[1].clone(),
            scanned.get()
        ])
    });
    // Two messages looked at in all, not a thousand.
    assert_eq!(value(&r).to_string(), "{two,one,2}");
}
