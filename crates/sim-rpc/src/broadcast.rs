//! Broadcasts: `rpc:abcast/2,3` (send and forget), `rpc:sbcast/2,3`
//! (delivered where the name exists, confirmed by each node's `rex`) and
//! `rpc:eval_everywhere/3,4` (a cast to every node).

use crate::call::cast_mfa;
use crate::server::{rec_nodes, send_nodes};
use crate::{known_nodes, node_list};
use sim_core::{Atom, Cx, Target, Term};
use sim_erpc::IntoNode;

/// `rpc:abcast(Nodes, Name, Msg)`: `{Name, Node} ! Msg` for every node, in
/// order. Returns `abcast` at once; where the name is not registered (or the
/// node is not there) the message is silently lost.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     cx.register("inbox", cx.self_pid()).await?;
///     let r = sim_rpc::abcast(&cx, &["a@sim", "b@sim", "nobody@sim"], "inbox", Term::atom("hi")).await;
///     cx.check(r == Term::atom("abcast"), "abcast")?;
///     cx.sleep(Time::ms(10)).await;
///     Ok(Term::List(cx.flush()))
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("[hi]".to_string()));
/// ```
pub async fn abcast<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    name: impl Into<Atom>,
    msg: Term,
) -> Term
where
    N: IntoNode,
{
    abcast_to(cx, &node_list(cx, nodes), name.into(), msg).await
}

/// `rpc:abcast(Name, Msg)`: [`abcast`] to `[node() | nodes()]`.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     Ok(sim_rpc::abcast_all(&cx, "nobody", Term::atom("hi")).await)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("abcast")));
/// ```
pub async fn abcast_all(cx: &Cx, name: impl Into<Atom>, msg: Term) -> Term {
    abcast_to(cx, &known_nodes(cx), name.into(), msg).await
}

async fn abcast_to(cx: &Cx, nodes: &[Atom], name: Atom, msg: Term) -> Term {
    for &node in nodes {
        // `{Name, Node} ! Msg` never fails; a missing name drops it.
        let _ = cx.send(Target::Remote(name, node), msg.clone()).await;
    }
    Term::atom("abcast")
}

/// `rpc:sbcast(Nodes, Name, Msg)`: asks each node's `rex` to deliver `Msg` to
/// its locally registered `Name`, and waits for every node to confirm.
/// Returns `{GoodNodes, BadNodes}` in the order of `nodes`: a node is bad if
/// `Name` is not registered there or the node (or its `rex`) is not there.
/// Needs [`crate::rex`] on the targets.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     cx.register("inbox", cx.self_pid()).await?;
///     let r = sim_rpc::sbcast(&cx, &["a@sim", "b@sim", "nobody@sim"], "inbox", Term::atom("hi")).await;
///     Ok(Term::tuple([r, Term::List(cx.flush())]))
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{{[a@sim],[b@sim,nobody@sim]},[hi]}"));
/// ```
pub async fn sbcast<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    name: impl Into<Atom>,
    msg: Term,
) -> Term
where
    N: IntoNode,
{
    sbcast_to(cx, &node_list(cx, nodes), name.into(), msg).await
}

/// `rpc:sbcast(Name, Msg)`: [`sbcast`] to `[node() | nodes()]`.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     Ok(sim_rpc::sbcast_all(&cx, "rex", Term::atom("ignored")).await)
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{[a@sim,b@sim],[]}"));
/// ```
pub async fn sbcast_all(cx: &Cx, name: impl Into<Atom>, msg: Term) -> Term {
    sbcast_to(cx, &known_nodes(cx), name.into(), msg).await
}

async fn sbcast_to(cx: &Cx, nodes: &[Atom], name: Atom, msg: Term) -> Term {
    let req = Term::tuple([Term::atom("sbcast"), Term::Atom(name), msg]);
    let rex = Atom::new("rex");
    let mons = send_nodes(cx, nodes, rex, &req).await;
    rec_nodes(cx, rex, nodes, mons).await
}

/// `rpc:eval_everywhere(Nodes, Module, Function, Args)`: [`crate::cast`] to
/// every node of `nodes`; returns `abcast`. A node that is not there is
/// ignored.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let args = vec![Term::Pid(cx.self_pid()), Term::atom("hi")];
///     let r = sim_rpc::eval_everywhere(&cx, &["b@sim", "nobody@sim"], "erlang", "send", args).await;
///     cx.check(r == Term::atom("abcast"), "abcast")?;
///     Ok(cx.recv().await)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("hi")));
/// ```
pub async fn eval_everywhere<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) -> Term
where
    N: IntoNode,
{
    eval_to(
        cx,
        &node_list(cx, nodes),
        module.into(),
        function.into(),
        args,
    )
    .await
}

/// `rpc:eval_everywhere(Module, Function, Args)`: [`eval_everywhere`] on
/// `[node() | nodes()]`.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let args = vec![Term::Pid(cx.self_pid()), Term::atom("hi")];
///     sim_rpc::eval_everywhere_all(&cx, "erlang", "send", args).await;
///     cx.sleep(Time::ms(10)).await;
///     Ok(Term::List(cx.flush()))
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("[hi,hi]".to_string()));
/// ```
pub async fn eval_everywhere_all(
    cx: &Cx,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) -> Term {
    eval_to(cx, &known_nodes(cx), module.into(), function.into(), args).await
}

async fn eval_to(cx: &Cx, nodes: &[Atom], module: Atom, function: Atom, args: Vec<Term>) -> Term {
    for &node in nodes {
        cast_mfa(cx, node, module, function, Term::List(args.clone())).await;
    }
    Term::atom("abcast")
}
