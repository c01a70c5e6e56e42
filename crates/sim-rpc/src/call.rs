//! `rpc:call/4,5`, `rpc:block_call/4,5` and `rpc:cast/4`.
//!
//! `call` is `erpc:call` with rpc's mapping ([`crate::rpcify`]); when erpc
//! answers `notsup` (the node does not support spawn requests) it falls back,
//! as OTP 23/24 did, to a `{call, M, F, A, GL}` request to the node's `rex`,
//! with whatever is left of the timeout. `block_call` always goes through
//! `rex`. `cast` is `erpc:cast`, or a `{cast, M, F, A, GL}` to `rex` for a node
//! known not to support spawn requests.

use crate::arg;
use crate::rpcify::{badarg, rpcify, BadRpc};
use crate::server::{request, srv_call, srv_cast};
use sim_core::{Atom, Cx, Exception, Frame, NodeRef, Term, Timeout};
use sim_erpc::Deadline;
use sim_erpc::ErpcError;
use std::future::Future;

/// `rpc:call(Node, Module, Function, Args, Timeout)` (and `call/4` with
/// `Timeout::Infinity`): `apply(Module, Function, Args)` on `node`, returning
/// its value or `{badrpc, Reason}` (see [`crate::rpcify`] for the mapping;
/// [`BadRpc`] reads it). A `throw` returns the thrown value.
///
/// To the own node with `Timeout::Infinity` the function runs in the calling
/// process, as with erpc. On a timeout the call is abandoned: `{badrpc,
/// timeout}`, and no late reply ever reaches the mailbox. A node that does not
/// support spawn requests is served through its `rex` (see [`crate::rex`]).
/// An invalid timeout raises `error:badarg`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_rpc::{BadRpc, RpcExt};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let node = sim_rpc::call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await?;
///     let down = sim_rpc::call(&cx, "nobody@sim", "erlang", "node", vec![], Timeout::ms(100)).await?;
///     cx.check(BadRpc::from_term(&down) == Some(BadRpc::Nodedown), "{badrpc,nodedown}")?;
///     let failed = sim_rpc::call(&cx, "b@sim", "erlang", "exit", vec![Term::atom("oops")], Timeout::Infinity).await?;
///     cx.check(failed.to_string() == "{badrpc,{'EXIT',oops}}", "exit mapped")?;
///     Ok(node)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn call(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let node = cx.node_name(node);
    call_mfa(
        cx,
        node,
        module.into(),
        function.into(),
        Term::List(args),
        timeout,
    )
    .await
}

/// `rpc:call(Node, erlang, apply, [Fun, []], Timeout)`: [`call`] of a
/// closure. An `error` it raises has a stack ending with `{erlang, apply, 2}`.
///
/// A closure cannot travel inside a message, so this form has no fallback
/// through `rex`: a node without spawn requests answers `{badrpc, notsup}`,
/// which is what OTP 25 itself returns there.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let v = sim_rpc::call_fun(&cx, "b@sim", |c| async move {
///         Ok(Term::tuple([Term::atom("on"), Term::Atom(c.node())]))
///     }, Timeout::ms(1000)).await?;
///     Ok(v)
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{on,b@sim}".to_string()));
/// ```
pub async fn call_fun<F, Fut>(
    cx: &Cx,
    node: impl Into<NodeRef>,
    fun: F,
    timeout: Timeout,
) -> Result<Term, Exception>
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    rpcify(sim_erpc::call_fun(cx, node, fun, timeout).await)
}

/// `rpc:call(Node, Module, Function, Args, Timeout)` with every argument a
/// term, checked as rpc checks it: node, module and function atoms, `args` a
/// list (an improper one fails on the target, as `apply/3` does), a valid
/// timeout; otherwise `error:badarg` is raised. See [`call`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (m, f, inf) = (Term::atom("erlang"), Term::atom("node"), Term::atom("infinity"));
///     let bad = sim_rpc::call_term(&cx, &Term::string("b@sim"), &m, &f, &Term::List(vec![]), &inf).await;
///     cx.check(bad.unwrap_err().class_reason().to_string() == "{error,badarg}", "badarg raised")?;
///     let improper = Term::improper_list([Term::atom("oops")], Term::atom("invalid"));
///     sim_rpc::call_term(&cx, &Term::atom("b@sim"), &m, &Term::atom("error"), &improper, &inf).await
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{badrpc,{'EXIT',{badarg,[{erlang,apply,[erlang,error,[oops|invalid]],[]}]}}}"));
/// ```
pub async fn call_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
    timeout: &Term,
) -> Result<Term, Exception> {
    let (node, module, function) = (arg::atom(node)?, arg::atom(module)?, arg::atom(function)?);
    let (args, timeout) = (arg::args(args)?, arg::timeout(timeout)?);
    call_mfa(cx, node, module, function, args, timeout).await
}

/// OTP 23's `call/5`: erpc first; on `{badrpc, notsup}` the `rex` protocol
/// with the time left.
async fn call_mfa(
    cx: &Cx,
    node: Atom,
    module: Atom,
    function: Atom,
    args: Term,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let deadline = Deadline::new(cx, timeout).map_err(|_| badarg())?;
    let (n, m, f) = (Term::Atom(node), Term::Atom(module), Term::Atom(function));
    let left = arg::timeout_term(deadline.left(cx));
    let outcome = sim_erpc::call_term(cx, &n, &m, &f, &args, &left).await;
    match outcome {
        Err(e) if e.erpc_error() == Some(ErpcError::Notsup) => match deadline.left(cx) {
            Timeout::Ms(0) => Ok(BadRpc::Timeout.to_term()),
            left => srv_call(cx, node, request(cx, "call", m, f, args), left).await,
        },
        other => rpcify(other),
    }
}

/// `rpc:block_call(Node, Module, Function, Args, Timeout)` (and
/// `block_call/4` with `Timeout::Infinity`): like [`call`], but applied inside
/// the target node's `rex` server, so block_calls to one node run one after
/// the other (a second one waits, and may time out, while `call` still
/// answers). Needs [`crate::rex`] on the target (see [`crate::RpcExt`]).
///
/// The result is mapped as `call`'s. A timeout goes through a middleman
/// process, so a reply arriving late dies with it. Only `Timeout::Infinity`
/// and `Timeout::Ms(0..=4294967295)` pass `block_call`'s guard; anything else
/// raises `error:function_clause`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let v = sim_rpc::block_call(&cx, "b@sim", "erlang", "throw", vec![Term::atom("up")], Timeout::ms(1000)).await?;
///     cx.check(v == Term::atom("up"), "a throw is a value")?;
///     let bad = sim_rpc::block_call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Abs(10)).await;
///     cx.check(bad.unwrap_err().class_reason().to_string() == "{error,function_clause}", "guard")?;
///     sim_rpc::block_call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn block_call(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let node = Term::Atom(cx.node_name(node));
    let (m, f) = (Term::Atom(module.into()), Term::Atom(function.into()));
    let t = arg::timeout_term(timeout);
    block_call_term(cx, &node, &m, &f, &Term::List(args), &t).await
}

/// `rpc:block_call(Node, Module, Function, Args, Timeout)` with every
/// argument a term. Its guard wants an atom node and module, a list `args`
/// and a timeout `infinity` or `0..=4294967295` (no `{abs, T}`); anything
/// else raises `error:function_clause` (not `badarg`). See [`block_call`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (n, m, f) = (Term::atom("b@sim"), Term::atom("erlang"), Term::atom("node"));
///     let e = sim_rpc::block_call_term(&cx, &n, &m, &f, &Term::List(vec![]), &Term::Int(-1)).await;
///     Ok(e.unwrap_err().class_reason())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,function_clause}".to_string()));
/// ```
pub async fn block_call_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
    timeout: &Term,
) -> Result<Term, Exception> {
    let timeout_ok = match timeout {
        Term::Atom(a) => a.as_str() == "infinity",
        Term::Int(ms) => u64::try_from(*ms).is_ok_and(|ms| ms <= sim_erpc::MAX_TIMEOUT_MS),
        _ => false,
    };
    let (Some(n), Some(_), true, true) = (
        node.as_atom(),
        module.as_atom(),
        arg::is_list(args),
        timeout_ok,
    ) else {
        let all = vec![
            node.clone(),
            module.clone(),
            function.clone(),
            args.clone(),
            timeout.clone(),
        ];
        return Err(
            Exception::error(Term::atom("function_clause")).with_frame(Frame::with_args(
                "rpc",
                "block_call",
                all,
            )),
        );
    };
    let timeout = arg::timeout(timeout)?;
    let req = request(
        cx,
        "block_call",
        module.clone(),
        function.clone(),
        args.clone(),
    );
    srv_call(cx, n, req, timeout).await
}

/// `rpc:cast(Node, Module, Function, Args)`: starts `apply(Module, Function,
/// Args)` on `node` and returns `true` at once; whatever happens there (a node
/// that does not exist, a crash) is never reported. Uses `erpc:cast`, or for
/// a node that does not support spawn requests a `{cast, ...}` to its `rex`.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let me = Term::Pid(cx.self_pid());
///     let t = sim_rpc::cast(&cx, "b@sim", "erlang", "send", vec![me, Term::atom("hi")]).await;
///     cx.check(t == Term::from(true), "true")?;
///     cx.check(sim_rpc::cast(&cx, "nobody@sim", "erlang", "node", vec![]).await == Term::from(true), "true")?;
///     Ok(cx.recv().await)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("hi")));
/// ```
pub async fn cast(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) -> Term {
    let node = cx.node_name(node);
    cast_mfa(cx, node, module.into(), function.into(), Term::List(args)).await;
    Term::from(true)
}

/// `rpc:cast(Node, Module, Function, Args)` with every argument a term:
/// `error:badarg` unless node, module and function are atoms and `args` a
/// list. See [`cast`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (n, m, f) = (Term::atom("b@sim"), Term::atom("erlang"), Term::atom("node"));
///     let e = sim_rpc::cast_term(&cx, &n, &m, &f, &Term::atom("notalist")).await;
///     cx.check(e.unwrap_err().class_reason().to_string() == "{error,badarg}", "badarg")?;
///     sim_rpc::cast_term(&cx, &n, &m, &f, &Term::List(vec![])).await
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::from(true)));
/// ```
pub async fn cast_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
) -> Result<Term, Exception> {
    let (node, module, function) = (arg::atom(node)?, arg::atom(module)?, arg::atom(function)?);
    cast_mfa(cx, node, module, function, arg::args(args)?).await;
    Ok(Term::from(true))
}

/// OTP 23's `cast/4`: erpc, unless the node is known not to support spawn
/// requests. `args` is a (possibly improper) list.
pub(crate) async fn cast_mfa(cx: &Cx, node: Atom, module: Atom, function: Atom, args: Term) {
    let (n, m, f) = (Term::Atom(node), Term::Atom(module), Term::Atom(function));
    if cx.spawn_request_supported(node) {
        sim_erpc::cast_term(cx, &n, &m, &f, &args)
            .await
            .expect("erpc accepts the atoms and list rpc checked");
    } else {
        srv_cast(cx, node, request(cx, "cast", m, f, args)).await;
    }
}
