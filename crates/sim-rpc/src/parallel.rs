//! The parallel evaluators `rpc:parallel_eval/1` and `rpc:pmap/3`: one
//! [`crate::async_call`] per item, spread round-robin over
//! `[node() | nodes()]`, yielded in list order.

use crate::known_nodes;
use crate::promise::{async_call, yield_result};
use crate::rpcify::BadRpc;
use sim_core::{Atom, Cx, Exception, Term};

/// `rpc:parallel_eval([{Module, Function, Args}, ...])`: evaluates every call
/// at once, spread round-robin over `[node() | nodes()]`, and returns the
/// results in list order, each mapped as [`crate::yield_result`] maps it.
///
/// ```
/// use sim_core::{Atom, Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (erlang, node, throw) = (Atom::new("erlang"), Atom::new("node"), Atom::new("throw"));
///     sim_rpc::parallel_eval(&cx, vec![
///         (erlang, node, vec![]),
///         (erlang, node, vec![]),
///         (erlang, throw, vec![Term::atom("t")]),
///     ]).await
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("[a@sim,b@sim,t]"));
/// ```
pub async fn parallel_eval(
    cx: &Cx,
    calls: Vec<(Atom, Atom, Vec<Term>)>,
) -> Result<Term, Exception> {
    let nodes = known_nodes(cx);
    let mut keys = Vec::with_capacity(calls.len());
    for ((module, function, args), node) in calls.into_iter().zip(nodes.iter().cycle()) {
        keys.push(async_call(cx, *node, module, function, args).await);
    }
    let mut results = Vec::with_capacity(keys.len());
    for key in keys {
        results.push(yield_result(cx, key).await?);
    }
    Ok(Term::List(results))
}

/// `rpc:pmap({Module, Function}, Extra, List)`: `Module:Function(Elem,
/// Extra...)` for every element of `list`, in parallel as
/// [`parallel_eval`] does, results in list order. As in OTP, the calls are
/// handed to `parallel_eval` in reverse list order, so the *last* element runs
/// on `node()`, the one before it on the first of `nodes()`, and so on. If any
/// of them fails (any `{badrpc, _}`), raises `exit:badrpc`.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let diffs = sim_rpc::pmap(&cx, "erlang", "-", vec![Term::Int(10)], vec![Term::Int(1), Term::Int(2)]).await?;
///     cx.check(diffs.to_string() == "[-9,-8]", "element first")?;
///     let e = sim_rpc::pmap(&cx, "erlang", "-", vec![], vec![Term::Int(1)]).await.unwrap_err();
///     Ok(e.class_reason())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{exit,badrpc}".to_string()));
/// ```
pub async fn pmap(
    cx: &Cx,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    extra: Vec<Term>,
    list: Vec<Term>,
) -> Result<Term, Exception> {
    let (module, function) = (module.into(), function.into());
    // OTP's `build_args/5` accumulates, so the calls go to `parallel_eval` in
    // reverse: the last element is sent first, to `node()`, and `check/2`
    // reverses the results back into list order.
    let calls = list
        .into_iter()
        .rev()
        .map(|elem| {
            let mut args = Vec::with_capacity(extra.len() + 1);
            args.push(elem);
            args.extend(extra.iter().cloned());
            (module, function, args)
        })
        .collect();
    let results = parallel_eval(cx, calls).await?;
    if results
        .as_list()
        .is_some_and(|rs| rs.iter().any(|r| BadRpc::from_term(r).is_some()))
    {
        return Err(Exception::exit(Term::atom("badrpc")));
    }
    Ok(match results.into_list() {
        Ok(mut rs) => {
            rs.reverse();
            Term::List(rs)
        }
        Err(other) => other,
    })
}
