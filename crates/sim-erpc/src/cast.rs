//! `erpc:cast/2,4` and `erpc:multicast/2,4`: a spawn request per node with no
//! reply and no monitor. They return at once; whatever happens on the target
//! (a node that does not exist, a crash) is never reported to the caller.

use crate::execute::{execute_cast, note_request, Applied};
use crate::node::{node_refs, IntoNode};
use sim_core::{Atom, Cx, Exception as CoreException, NodeRef, SpawnOpts, SpawnReply, Term};
use std::future::Future;
use std::rc::Rc;

/// The spawn options of a cast: OTP's `[{reply, no}]`.
const CAST_OPTS: SpawnOpts = SpawnOpts {
    link: false,
    monitor: false,
    reply: SpawnReply::No,
};

/// `erpc:cast(Node, Module, Function, Args)`: starts `apply(Module, Function,
/// Args)` on `node` and returns at once. Failures are silent.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     sim_erpc::cast(&cx, "b@sim", "erlang", "error", vec![Term::atom("x")]).await;
///     sim_erpc::cast(&cx, "nobody@sim", "erlang", "node", vec![]).await;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("ok")));
/// ```
pub async fn cast(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) {
    let what = Applied::mfa(module.into(), function.into(), args);
    cast_applied(cx, node.into(), what).await;
}

/// `erpc:cast(Node, Fun)`: [`cast`] of `erlang:apply(Fun, [])`.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let me = cx.self_pid();
///     sim_erpc::cast_fun(&cx, "b@sim", move |c| async move {
///         c.send(me, Term::Atom(c.node())).await?;
///         Ok(Term::atom("done"))
///     }).await;
///     Ok(cx.recv().await)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn cast_fun<F, Fut>(cx: &Cx, node: impl Into<NodeRef>, fun: F)
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, CoreException>> + 'static,
{
    cast_applied(cx, node.into(), Applied::fun(fun)).await;
}

/// `erpc:multicast(Nodes, Module, Function, Args)`: [`cast`] to every node of
/// `nodes`, in order.
///
/// ```
/// use sim_core::{Module, Sim, Term, Time};
/// let tell = Module::new("echo").function("tell", 1, |cx, a| async move {
///     if let Some(Term::Pid(p)) = a.first() {
///         cx.send(*p, Term::Atom(cx.node())).await?;
///     }
///     Ok(Term::atom("ok"))
/// });
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).module_everywhere(tell).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let me = Term::Pid(cx.self_pid());
///     sim_erpc::multicast(&cx, &["b@sim", "nobody@sim", "c@sim"], "echo", "tell", vec![me]).await;
///     cx.sleep(Time::ms(10)).await;
///     Ok(Term::Int(cx.flush().len() as i64))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::Int(2)));
/// ```
pub async fn multicast<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) where
    N: IntoNode,
{
    let (module, function) = (module.into(), function.into());
    for node in node_refs(nodes) {
        let what = Applied::mfa(module, function, args.clone());
        cast_applied(cx, node, what).await;
    }
}

/// `erpc:multicast(Nodes, Fun)`: [`cast_fun`] to every node of `nodes`.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let me = cx.self_pid();
///     sim_erpc::multicast_fun(&cx, &["b@sim", "c@sim"], move |c| async move {
///         c.send(me, Term::Atom(c.node())).await?;
///         Ok(Term::atom("done"))
///     }).await;
///     cx.sleep(Time::ms(10)).await;
///     Ok(Term::Int(cx.flush().len() as i64))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::Int(2)));
/// ```
pub async fn multicast_fun<N, F, Fut>(cx: &Cx, nodes: impl IntoIterator<Item = N>, fun: F)
where
    N: IntoNode,
    F: Fn(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, CoreException>> + 'static,
{
    let fun = Rc::new(fun);
    for node in node_refs(nodes) {
        let f = fun.clone();
        cast_applied(cx, node, Applied::fun(move |c| f(c))).await;
    }
}

/// One cast request.
pub(crate) async fn cast_applied(cx: &Cx, node: NodeRef, what: Applied) {
    note_request(cx, &what, None);
    cx.spawn_request(node, move |c| execute_cast(c, what), CAST_OPTS)
        .await;
}
