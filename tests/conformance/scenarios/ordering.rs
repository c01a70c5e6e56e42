//! Group `ordering`: Erlang's only ordering guarantee (per sender and
//! receiver pair) as erpc calls observe it.

use super::erpc::{flush, t};
use crate::harness::{run, Observed};
use erpc_sim::prelude::*;

pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    vec![
        ("df07_order_one_sender", df07),
        ("df08_messages_before_reply", df08),
        ("df09_caller_sends_before_call", df09),
    ]
}

/// 1000 messages from one remote process arrive in send order.
fn df07() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let a = args![cx.self_pid(), 1000];
        let sent = erpc::call(cx, e.n1, "oracle_fns", "send_seq", a, Timeout::Infinity).await?;
        if !sent.is_atom("sent") {
            return Err(Exception::error(tuple![atom!("badmatch"), sent]));
        }
        let mut got = Vec::with_capacity(1000);
        for _ in 0..1000 {
            let is_seq =
                |m: &Term| matches!(m, Term::Tuple(x) if x.len() == 2 && x[0].is_atom("seq"));
            let m = cx.receive_timeout(is_seq, Timeout::ms(3000)).await;
            got.push(m.unwrap_or(atom!("missing")));
        }
        let want: Vec<Term> = (1..=1000).map(|i| tuple![atom!("seq"), i]).collect();
        Ok(tuple![
            got == want,
            Term::try_from(got.len()).unwrap_or(Term::Int(-1))
        ])
    })
}

/// What the applier sent before returning is queued before the result.
fn df08() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let me = cx.self_pid();
        let f = move |c: Cx| async move {
            for i in [1, 2, 3] {
                c.send(me, tuple![atom!("m"), i]).await?;
            }
            Ok(atom!("done"))
        };
        let first = t(erpc::call_fun(cx, e.n1, f, Timeout::Infinity).await);
        let first_msgs = flush(cx, 0).await;
        // `rpc:call(N1, erlang, apply, [F, []])`.
        let second = crate::harness::t(rpc::call_fun(cx, e.n1, f, Timeout::Infinity).await);
        let second_msgs = flush(cx, 0).await;
        Ok(list![
            tuple![first, first_msgs],
            tuple![second, second_msgs]
        ])
    })
}

/// Messages the caller sent to a remote process before a call are queued there
/// before anything the call's applier sends to it.
fn df09() -> Observed {
    run(|e| async move {
        let cx = &e.cx;
        let dump = |c: Cx| async move {
            let me = c.self_pid();
            c.send("oracle_reg", tuple![me, atom!("mailbox_dump")])
                .await?;
            let reply = c
                .receive_timeout(
                    |m| matches!(m, Term::Tuple(x) if x.len() == 3 && x[0].is_atom("oracle_reg")),
                    Timeout::ms(3000),
                )
                .await;
            Ok(match reply.map(Term::into_tuple) {
                Some(Ok(mut x)) => x.remove(2),
                _ => atom!("timeout"),
            })
        };
        let _ = erpc::call_fun(cx, e.n1, dump, Timeout::Infinity).await?;
        for i in 1..=50 {
            cx.send(("oracle_reg", e.n1.as_str()), Term::Int(i)).await?;
        }
        let l = erpc::call_fun(cx, e.n1, dump, Timeout::Infinity).await?;
        Ok(Term::from(l == Term::list(1..=50)))
    })
}
