//! Node lists take any iterable of node names: `Vec<String>`, `&[&str]`,
//! `[&str; N]`, `Vec<Atom>`, `&Vec<String>`, node ids, in erpc and rpc alike,
//! with the same result in node order.

use super::{A, B, NOBODY};
use sim_core::{Atom, Sim, Term, Timeout};
use sim_rpc::{Multicall, RpcExt};

#[test]
fn every_kind_of_node_list_gives_the_same_multicall() {
    let mut sim = Sim::builder()
        .nodes([A, B])
        .with_rpc()
        .build()
        .expect("nodes");
    sim.spawn(A, |cx| async move {
        let strings: Vec<String> = vec![B.to_string(), NOBODY.to_string()];
        let strs: &[&str] = &[B, NOBODY];
        let array: [&str; 2] = [B, NOBODY];
        let atoms: Vec<Atom> = vec![Atom::new(B), Atom::new(NOBODY)];
        let (m, f) = ("erlang", "node");
        let mut got = Vec::new();
        got.push(sim_rpc::multicall(&cx, strings.clone(), m, f, vec![], Timeout::ms(100)).await?);
        got.push(sim_rpc::multicall(&cx, &strings, m, f, vec![], Timeout::ms(100)).await?);
        got.push(sim_rpc::multicall(&cx, strs, m, f, vec![], Timeout::ms(100)).await?);
        got.push(sim_rpc::multicall(&cx, array, m, f, vec![], Timeout::ms(100)).await?);
        got.push(sim_rpc::multicall(&cx, &atoms, m, f, vec![], Timeout::ms(100)).await?);
        got.push(sim_rpc::multicall(&cx, atoms.clone(), m, f, vec![], Timeout::ms(100)).await?);
        let want = Multicall {
            results: vec![Term::atom(B)],
            bad_nodes: vec![Atom::new(NOBODY)],
        };
        for g in &got {
            cx.check(
                Multicall::from_term(g).as_ref() == Some(&want),
                format!("{g}"),
            )?;
        }
        // erpc: the same lists, one outcome per node in order.
        for n in [
            sim_erpc::multicall(&cx, strings.clone(), m, f, vec![], Timeout::ms(100)).await?,
            sim_erpc::multicall(&cx, strs, m, f, vec![], Timeout::ms(100)).await?,
            sim_erpc::multicall(&cx, array, m, f, vec![], Timeout::ms(100)).await?,
            sim_erpc::multicall(&cx, &atoms, m, f, vec![], Timeout::ms(100)).await?,
        ] {
            cx.check(
                n.len() == 2 && n[0] == Ok(Term::atom(B)) && n[1].is_err(),
                "erpc",
            )?;
        }
        sim_erpc::multicast(&cx, strings.clone(), "erlang", "node", vec![]).await;
        sim_erpc::multicast_fun(&cx, &atoms, |_| async { Ok(Term::atom("x")) }).await;
        let abcast = sim_rpc::abcast(&cx, strings.clone(), "nobody", Term::Int(1)).await;
        let sbcast = sim_rpc::sbcast(&cx, array, "rex", Term::Int(1)).await;
        let eval = sim_rpc::eval_everywhere(&cx, &atoms, "erlang", "node", vec![]).await;
        let msc = sim_rpc::multi_server_call(&cx, strs, "nobody", Term::Int(1)).await;
        cx.check(abcast.is_atom("abcast") && eval.is_atom("abcast"), "abcast")?;
        cx.check(
            sbcast.to_string() == "{[b@sim],[nobody@sim]}",
            format!("{sbcast}"),
        )?;
        cx.check(
            msc.to_string() == "{[],[b@sim,nobody@sim]}",
            format!("{msc}"),
        )?;
        cx.sleep(sim_core::Time::ms(10)).await;
        cx.check(cx.mailbox().is_empty(), "mailbox empty")?;
        Ok(Term::atom("ok"))
    })
    .expect("a exists");
    sim.run().assert_ok();
}
