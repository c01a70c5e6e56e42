//! A planted bug: deadlock through selective receive.
//!
//! Two account servers, `alice` on a@sim and `bob` on b@sim, move money with a
//! synchronous call to each other: `transfer` sends `{deposit, Amount}` to the
//! peer and waits, in a selective receive, for the reply tagged with a fresh
//! reference. While waiting it serves nobody. When both servers start a
//! transfer at about the same time, each waits for the other: deadlock.
//!
//! `cargo run --example deadlock` explores, finds the deadlock, shrinks it and
//! prints where the replay file and the picture are.

use erpc_sim::prelude::*;

fn reply_to(cx: &Cx, msg: &Term) -> Option<(Pid, Ref)> {
    let _ = cx;
    match msg.as_tuple()? {
        [tag, Term::Pid(from), Term::Ref(r), _] if tag.is_atom("call") => Some((*from, *r)),
        _ => None,
    }
}

/// The account server: `{call, From, Ref, Req}` in, `{reply, Ref, Answer}` out.
async fn server(
    cx: Cx,
    name: &'static str,
    peer: (&'static str, &'static str),
) -> Result<Term, Exception> {
    cx.register(name, cx.self_pid()).await?;
    let mut balance: i64 = 100;
    loop {
        let msg = cx.recv().await;
        let Some((from, r)) = reply_to(&cx, &msg) else {
            continue;
        };
        let req = msg.as_tuple().map(|t| t[3].clone()).unwrap_or(Term::nil());
        let answer = match req.as_tuple() {
            Some([op, Term::Int(n)]) if op.is_atom("deposit") => {
                balance += n;
                Term::Int(balance)
            }
            Some([op, Term::Int(n)]) if op.is_atom("transfer") => {
                // The bug: a synchronous call to the peer from inside the server.
                let r2 = cx.make_ref_marked();
                let call = tuple![
                    atom!("call"),
                    cx.self_pid(),
                    r2,
                    tuple![atom!("deposit"), *n]
                ];
                cx.send(peer, call).await?;
                cx.receive_marked(
                    move |m| matches!(m.as_tuple(), Some([t, Term::Ref(x), _]) if t.is_atom("reply") && *x == r2),
                    Timeout::Infinity,
                )
                .await;
                balance -= n;
                Term::Int(balance)
            }
            _ => atom!("badreq"),
        };
        cx.send(from, tuple![atom!("reply"), r, answer]).await?;
    }
}

/// A client asking its local server for one transfer, after `delay`.
async fn client(cx: Cx, server: &'static str, delay: Time) -> Result<Term, Exception> {
    cx.sleep(delay).await;
    let r = cx.make_ref_marked();
    cx.send(
        server,
        tuple![
            atom!("call"),
            cx.self_pid(),
            r,
            tuple![atom!("transfer"), 10]
        ],
    )
    .await?;
    let m = cx
        .receive_marked(
            move |m| matches!(m.as_tuple(), Some([_, Term::Ref(x), _]) if *x == r),
            Timeout::Infinity,
        )
        .await;
    Ok(m.unwrap_or(Term::nil()))
}

/// The program: two servers, two clients whose start times come from the seed.
pub fn program(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim"])
        .boot("a@sim", |cx| server(cx, "alice", ("bob", "b@sim")))
        .boot("b@sim", |cx| server(cx, "bob", ("alice", "a@sim")))
        .build()
        .expect("two valid nodes");
    // Client start times are data, drawn per seed: usually far apart.
    let seed = sim.seed();
    let mut rng = sim_core_rng(seed);
    let (da, db) = (Time::us(rng.below(20_000)), Time::us(rng.below(20_000)));
    sim.spawn("a@sim", move |cx| client(cx, "alice", da))
        .expect("a@sim exists");
    sim.spawn("b@sim", move |cx| client(cx, "bob", db))
        .expect("b@sim exists");
    sim
}

fn sim_core_rng(seed: u64) -> erpc_sim::core::SimRng {
    erpc_sim::core::SimRng::new(seed, 77)
}

#[allow(dead_code)] // the bug tests include this file for `program`
fn main() {
    // The explorer prints the failure report (seed, shrunk schedule, replay
    // file, picture) itself.
    let result = Explorer::new("deadlock").iterations(5_000).run(program);
    if result.failure.is_none() {
        println!("{result}");
    }
}
