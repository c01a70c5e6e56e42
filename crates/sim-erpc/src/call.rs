//! `erpc:call/2,3,4,5`: one spawn request with a monitor, one receive that
//! starts at the request's marker, decoding of the `'DOWN'`; a timeout
//! abandons the request. A call to the own node with an infinite timeout
//! applies the function in the calling process itself.

use crate::exception::Exception;
use crate::execute::{apply, execute_call, note_request, Applied};
use crate::result::{decode, is_reply_to, timed_out};
use crate::timeout::timeout_value;
use sim_core::{
    Atom, Cx, Exception as CoreException, NodeRef, Ref, SpawnOpts, SpawnReply, Term, Timeout,
};
use std::future::Future;

/// The spawn options of a call: OTP's `[{reply, error_only}, monitor]`.
pub(crate) const CALL_OPTS: SpawnOpts = SpawnOpts {
    link: false,
    monitor: true,
    reply: SpawnReply::ErrorOnly,
};

/// `erpc:call(Node, Module, Function, Args, Timeout)` (and `call/4` with
/// `Timeout::Infinity`): evaluates `apply(Module, Function, Args)` on `node`
/// and returns its value, or raises what OTP raises (see [`Exception`]).
///
/// To the own node with `Timeout::Infinity` the function runs in the calling
/// process (`self()` is the caller; an exit signal kills the caller); otherwise
/// a fresh process, monitored and not linked, applies it. `timeout` is checked
/// first (`Ms` at most [`crate::MAX_TIMEOUT_MS`], `Abs` at most that far ahead):
/// `{erpc, badarg}` otherwise. On a timeout the request is abandoned: no late
/// reply ever reaches the mailbox, but the function still runs to its end.
///
/// ```
/// use sim_core::{Sim, Term, Timeout, Time};
/// use sim_erpc::ErpcError;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let v = sim_erpc::call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await?;
///     cx.check(v == Term::atom("b@sim"), "applied on b")?;
///     let slow = sim_erpc::call(&cx, "b@sim", "timer", "sleep", vec![Term::Int(100)], Timeout::ms(10)).await;
///     cx.check(slow.unwrap_err().erpc_error() == Some(ErpcError::Timeout), "timed out")?;
///     cx.sleep(Time::ms(200)).await;
///     cx.check(cx.mailbox().is_empty(), "no late reply")?;
///     Ok(v)
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
    let what = Applied::mfa(module.into(), function.into(), args);
    call_applied(cx, node.into(), what, timeout).await
}

/// `erpc:call(Node, Fun, Timeout)` (and `call/2` with `Timeout::Infinity`):
/// [`call`] of `erlang:apply(Fun, [])`. An `error` raised by the fun has a
/// stack ending with `{erlang, apply, 2}`, as in OTP.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let v = sim_erpc::call_fun(&cx, "b@sim", |c| async move {
///         Ok(Term::tuple([Term::Atom(c.node()), Term::Int(42)]))
///     }, Timeout::ms(5000)).await?;
///     Ok(v)
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{b@sim,42}".to_string()));
/// ```
pub async fn call_fun<F, Fut>(
    cx: &Cx,
    node: impl Into<NodeRef>,
    fun: F,
    timeout: Timeout,
) -> Result<Term, Exception>
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, CoreException>> + 'static,
{
    call_applied(cx, node.into(), Applied::fun(fun), timeout).await
}

/// The whole of `call/5` once the arguments are known to be well typed.
pub(crate) async fn call_applied(
    cx: &Cx,
    node: NodeRef,
    what: Applied,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let timeout = timeout_value(cx, timeout)?;
    if timeout == Timeout::Infinity && cx.resolve_node(node) == Some(cx.node_id()) {
        let arg_error = what.too_many_args();
        return apply(cx, what)
            .await
            .map_err(|e| Exception::caught(e, arg_error));
    }
    let res = cx.make_ref();
    // No sync point between the request and its receive (BEAM does not
    // preempt there either), and nothing else touches the mailbox, so the
    // marker the request set is still ours.
    note_request(cx, &what, Some(res));
    let req = cx.spawn_request_now(node, move |c| execute_call(c, res, what), CALL_OPTS);
    receive_reply(cx, req, res, timeout, true).await
}

/// The receive of `call/5` and `receive_response/2`: the reply of `req`, or
/// the timeout branch. With no time left it goes straight to the timeout
/// branch, which takes a reply that is already there anyway: the request is
/// abandoned before anything else can run.
pub(crate) async fn receive_reply(
    cx: &Cx,
    req: Ref,
    res: Ref,
    timeout: Timeout,
    marked: bool,
) -> Result<Term, Exception> {
    if timeout == Timeout::Ms(0) {
        return timed_out(cx, req, res).await;
    }
    let matcher = move |m: &Term| is_reply_to(m, req);
    let got = if marked {
        cx.receive_marked(matcher, timeout).await
    } else {
        cx.receive_timeout(matcher, timeout).await
    };
    match got {
        Some(msg) => decode(msg, res),
        None => timed_out(cx, req, res).await,
    }
}
