//! `rpc:multicall/3,4,5`: `erpc:multicall`, then per node either a result in
//! `ResL` (mapped as `call` maps it) or, for a timeout or a lost connection,
//! the node in `BadNodes`. Nodes that do not support spawn requests are asked
//! through their `rex` instead, in parallel with the others and against the
//! same deadline.

use crate::arg;
use crate::rpcify::{badarg, rpcmulticallify, Slot};
use crate::server::{request, srv_finish, srv_start};
use crate::{known_nodes, node_list};
use sim_core::{Atom, Cx, Exception, Term, Timeout};
use sim_erpc::Deadline;
use sim_erpc::IntoNode;
use std::future::Future;

/// `rpc:multicall(Nodes, Module, Function, Args, Timeout)` (and
/// `multicall/4` with `Timeout::Infinity`): [`crate::call`] on every node of
/// `nodes` at once. Returns `{ResL, BadNodes}`, both in the order of `nodes`
/// (duplicates kept): nodes that did not answer in time or could not be
/// reached go to `BadNodes`; every other outcome, failures included, goes to
/// `ResL` mapped as `call` maps it. `timeout` is one deadline for all; a late
/// answer never reaches the mailbox. With `Timeout::Infinity` the first entry
/// naming the own node runs in the calling process. An invalid timeout raises
/// `error:badarg`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     sim_rpc::multicall(&cx, &["c@sim", "nobody@sim", "b@sim"], "erlang", "node", vec![], Timeout::ms(1000)).await
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{[c@sim,b@sim],[nobody@sim]}"));
/// ```
pub async fn multicall<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
    timeout: Timeout,
) -> Result<Term, Exception>
where
    N: IntoNode,
{
    let nodes = node_list(cx, nodes);
    multicall_mfa(
        cx,
        nodes,
        module.into(),
        function.into(),
        Term::List(args),
        timeout,
    )
    .await
}

/// `rpc:multicall(Module, Function, Args, Timeout)` (and `multicall/3` with
/// `Timeout::Infinity`): [`multicall`] on `[node() | nodes()]`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     sim_rpc::multicall_all(&cx, "erlang", "node", vec![], Timeout::Infinity).await
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{[a@sim,b@sim],[]}"));
/// ```
pub async fn multicall_all(
    cx: &Cx,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let nodes = known_nodes(cx);
    multicall_mfa(
        cx,
        nodes,
        module.into(),
        function.into(),
        Term::List(args),
        timeout,
    )
    .await
}

/// `rpc:multicall(Nodes, erlang, apply, [Fun, []], Timeout)`: [`multicall`]
/// of a closure. As with [`crate::call_fun`], there is no fallback through
/// `rex` for a closure (`{badrpc, notsup}` in `ResL` for a node without spawn
/// requests).
///
/// ```
/// use sim_core::{Sim, Term, Time, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     sim_rpc::multicall_fun(&cx, &["b@sim", "c@sim"], |c| async move {
///         if c.node().as_str() == "c@sim" {
///             c.sleep(Time::ms(500)).await;
///         }
///         Ok(Term::Atom(c.node()))
///     }, Timeout::ms(100)).await
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{[b@sim],[c@sim]}"));
/// ```
pub async fn multicall_fun<N, F, Fut>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    fun: F,
    timeout: Timeout,
) -> Result<Term, Exception>
where
    N: IntoNode,
    F: Fn(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let names = node_list(cx, nodes);
    let outcomes = sim_erpc::multicall_fun(cx, &names, fun, timeout)
        .await
        // The whole call fails only with `{erpc, badarg}`.
        .map_err(|_| badarg())?;
    rpcmulticallify(&names, outcomes.into_iter().map(Slot::Erpc).collect())
}

/// `rpc:multicall(Nodes, Module, Function, Args, Timeout)` with every
/// argument a term: `error:badarg` unless `nodes` is a proper list of atoms,
/// module and function atoms, `args` a list and the timeout valid. See
/// [`multicall`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let nodes = Term::list([Term::atom("b@sim"), Term::binary(b"x")]);
///     let (m, f, a) = (Term::atom("erlang"), Term::atom("node"), Term::List(vec![]));
///     let e = sim_rpc::multicall_term(&cx, &nodes, &m, &f, &a, &Term::atom("infinity")).await;
///     Ok(e.unwrap_err().class_reason())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,badarg}".to_string()));
/// ```
pub async fn multicall_term(
    cx: &Cx,
    nodes: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
    timeout: &Term,
) -> Result<Term, Exception> {
    let nodes = arg::nodes(nodes)?;
    let (module, function) = (arg::atom(module)?, arg::atom(function)?);
    let (args, timeout) = (arg::args(args)?, arg::timeout(timeout)?);
    multicall_mfa(cx, nodes, module, function, args, timeout).await
}

/// The whole of `multicall/5` once the arguments are known to be well typed.
async fn multicall_mfa(
    cx: &Cx,
    nodes: Vec<Atom>,
    module: Atom,
    function: Atom,
    args: Term,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let deadline = Deadline::new(cx, timeout).map_err(|_| badarg())?;
    let (m, f) = (Term::Atom(module), Term::Atom(function));
    let (via_rex, via_erpc): (Vec<usize>, Vec<usize>) =
        (0..nodes.len()).partition(|&i| !cx.spawn_request_supported(nodes[i]));
    // The rex requests first: they run while erpc's are answered.
    let srv = if via_rex.is_empty() {
        None
    } else {
        let targets = via_rex.iter().map(|&i| nodes[i]).collect();
        let req = request(cx, "call", m.clone(), f.clone(), args.clone());
        Some(srv_start(cx, targets, req, deadline.left(cx)).await?)
    };
    let erpc_nodes = Term::List(via_erpc.iter().map(|&i| Term::Atom(nodes[i])).collect());
    let left = arg::timeout_term(deadline.left(cx));
    let erpc_outcomes = match via_erpc.is_empty() {
        true => Vec::new(),
        false => sim_erpc::multicall_term(cx, &erpc_nodes, &m, &f, &args, &left)
            .await
            .map_err(|_| badarg())?,
    };
    let srv_outcomes = match srv {
        Some(calls) => srv_finish(cx, calls).await,
        None => Vec::new(),
    };
    let mut slots: Vec<Option<Slot>> = (0..nodes.len()).map(|_| None).collect();
    for (i, o) in via_erpc.into_iter().zip(erpc_outcomes) {
        slots[i] = Some(Slot::Erpc(o));
    }
    for (i, o) in via_rex.into_iter().zip(srv_outcomes) {
        slots[i] = Some(Slot::Rex(o));
    }
    let slots = slots
        .into_iter()
        .map(|s| s.expect("one outcome per node"))
        .collect();
    rpcmulticallify(&nodes, slots)
}

/// `{ResL, BadNodes}`, the value of every `multicall`, read into its parts.
///
/// ```
/// use sim_core::{Atom, Sim, Term, Timeout};
/// use sim_rpc::{Multicall, RpcExt};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let nodes = vec!["b@sim".to_string(), "nobody@sim".to_string()];
///     let r = sim_rpc::multicall(&cx, &nodes, "erlang", "node", vec![], Timeout::ms(100)).await?;
///     let m = Multicall::from_term(&r).expect("{ResL, BadNodes}");
///     cx.check(m.results == [Term::atom("b@sim")], "b answered")?;
///     cx.check(m.bad_nodes == [Atom::new("nobody@sim")], "nobody is bad")?;
///     Ok(r)
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Multicall {
    /// `ResL`: the answers, in node order, each mapped as [`crate::call`] maps it.
    pub results: Vec<Term>,
    /// `BadNodes`: the nodes that timed out or could not be reached, in order.
    pub bad_nodes: Vec<Atom>,
}

impl Multicall {
    /// Reads `{ResL, BadNodes}`; `None` for any other shape.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_rpc::Multicall;
    /// let t: Term = "{[1,2],['x@sim']}".parse().unwrap();
    /// assert_eq!(Multicall::from_term(&t).map(|m| m.results.len()), Some(2));
    /// assert_eq!(Multicall::from_term(&Term::Int(1)), None);
    /// ```
    pub fn from_term(t: &Term) -> Option<Multicall> {
        match t.as_tuple()? {
            [Term::List(results), Term::List(bad)] => Some(Multicall {
                results: results.clone(),
                bad_nodes: bad.iter().map(Term::as_atom).collect::<Option<_>>()?,
            }),
            _ => None,
        }
    }

    /// The `{ResL, BadNodes}` term again.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_rpc::Multicall;
    /// let t: Term = "{[ok],[]}".parse().unwrap();
    /// assert_eq!(Multicall::from_term(&t).map(|m| m.to_term()), Some(t));
    /// ```
    pub fn to_term(&self) -> Term {
        Term::Tuple(vec![
            Term::List(self.results.clone()),
            Term::List(self.bad_nodes.iter().copied().map(Term::Atom).collect()),
        ])
    }
}
