//! Asynchronous calls with a single request id: `erpc:send_request/2,4`,
//! `receive_response/1,2`, `wait_response/1,2` and `check_response/2`.

use crate::call::{receive_reply, CALL_OPTS};
use crate::exception::{ErpcError, Exception};
use crate::execute::{execute_call, note_request, Applied};
use crate::result::{decode, is_reply_to};
use crate::timeout::timeout_value;
use sim_core::{Atom, Cx, Exception as CoreException, NodeRef, Ref, Term, Timeout};
use std::future::Future;

/// The id of an outstanding request (OTP's opaque `request_id()`).
///
/// It pairs the reference the applier tags its result with and the spawn
/// request's reference; as a term it is OTP's improper list `[Res | ReqId]`.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = sim_erpc::send_request(&cx, "b@sim", "erlang", "node", vec![]).await;
///     cx.check(matches!(id.to_term(), Term::ImproperList(..)), "[Res|ReqId]")?;
///     Ok(sim_erpc::receive_response(&cx, id, sim_core::Timeout::Infinity).await?)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId {
    pub(crate) res: Ref,
    pub(crate) req: Ref,
}

impl RequestId {
    /// OTP's shape `[Res | ReqId]`, two references.
    ///
    /// ```
    /// use sim_core::{Ref, Term};
    /// use sim_erpc::RequestId;
    /// let t = Term::improper_list([Term::Ref(Ref::from_counter(0, 1))], Term::Ref(Ref::from_counter(0, 2)));
    /// let id = RequestId::from_term(&t).unwrap();
    /// assert_eq!(id.to_term().to_string(), "[#Ref<0.0.0.1>|#Ref<0.0.0.2>]");
    /// ```
    pub fn to_term(&self) -> Term {
        Term::improper_list([Term::Ref(self.res)], Term::Ref(self.req))
    }

    /// Reads a request id back from `[Res | ReqId]`; anything else is
    /// `{erpc, badarg}` (OTP's check on the request-id arguments).
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_erpc::{ErpcError, RequestId};
    /// let e = RequestId::from_term(&Term::atom("not_a_reqid")).unwrap_err();
    /// assert_eq!(e.erpc_error(), Some(ErpcError::Badarg));
    /// ```
    pub fn from_term(t: &Term) -> Result<RequestId, Exception> {
        match t {
            Term::ImproperList(head, tail) => match (head.as_slice(), tail.as_ref()) {
                ([Term::Ref(res)], Term::Ref(req)) => Ok(RequestId {
                    res: *res,
                    req: *req,
                }),
                _ => Err(Exception::erpc(ErpcError::Badarg)),
            },
            _ => Err(Exception::erpc(ErpcError::Badarg)),
        }
    }
}

/// `erpc:send_request(Node, Module, Function, Args)`: starts the call and
/// returns its id at once; collect the outcome with [`receive_response`],
/// [`wait_response`] or [`check_response`] (or add the id to a collection).
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let b = sim_erpc::send_request(&cx, "b@sim", "erlang", "node", vec![]).await;
///     let c = sim_erpc::send_request(&cx, "c@sim", "erlang", "node", vec![]).await;
///     let vc = sim_erpc::receive_response(&cx, c, Timeout::Infinity).await?;
///     let vb = sim_erpc::receive_response(&cx, b, Timeout::Infinity).await?;
///     Ok(Term::list([vb, vc]))
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("[b@sim,c@sim]".to_string()));
/// ```
pub async fn send_request(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) -> RequestId {
    let what = Applied::mfa(module.into(), function.into(), args);
    send_applied(cx, node.into(), what).await
}

/// `erpc:send_request(Node, Fun)`: [`send_request`] of `erlang:apply(Fun, [])`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = sim_erpc::send_request_fun(&cx, "b@sim", |c| async move { Ok(Term::Atom(c.node())) }).await;
///     Ok(sim_erpc::receive_response(&cx, id, Timeout::ms(5000)).await?)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn send_request_fun<F, Fut>(cx: &Cx, node: impl Into<NodeRef>, fun: F) -> RequestId
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, CoreException>> + 'static,
{
    send_applied(cx, node.into(), Applied::fun(fun)).await
}

/// One call request.
pub(crate) async fn send_applied(cx: &Cx, node: NodeRef, what: Applied) -> RequestId {
    let res = cx.make_ref();
    note_request(cx, &what, Some(res));
    let req = cx
        .spawn_request(node, move |c| execute_call(c, res, what), CALL_OPTS)
        .await;
    RequestId { res, req }
}

/// `erpc:receive_response(RequestId, Timeout)` (and `/1` with
/// `Timeout::Infinity`): waits for the outcome, as [`crate::call`] would
/// return or raise it. On a timeout the request is abandoned and
/// `{erpc, timeout}` raised; using the id again then waits all of its timeout
/// and raises `{erpc, badarg}` (with `Infinity` it never returns).
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_erpc::ErpcError;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = sim_erpc::send_request(&cx, "b@sim", "timer", "sleep", vec![Term::Int(50)]).await;
///     let first = sim_erpc::receive_response(&cx, id, Timeout::ms(10)).await;
///     cx.check(first.unwrap_err().erpc_error() == Some(ErpcError::Timeout), "timeout")?;
///     let again = sim_erpc::receive_response(&cx, id, Timeout::ms(100)).await;
///     cx.check(again.unwrap_err().erpc_error() == Some(ErpcError::Badarg), "stale id")?;
///     cx.check(cx.mailbox().is_empty(), "nothing arrived late")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("ok")));
/// ```
pub async fn receive_response(cx: &Cx, id: RequestId, timeout: Timeout) -> Result<Term, Exception> {
    let timeout = timeout_value(cx, timeout)?;
    receive_reply(cx, id.req, id.res, timeout, false).await
}

/// `erpc:wait_response(RequestId, WaitTime)` (and `/1` with `Timeout::ms(0)`):
/// `Ok(Some(value))` if the outcome arrived in time, `Ok(None)`
/// (`no_response`) if not; the request stays outstanding. A failed call
/// raises its exception.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = sim_erpc::send_request(&cx, "b@sim", "timer", "sleep", vec![Term::Int(50)]).await;
///     let early = sim_erpc::wait_response(&cx, id, Timeout::ms(10)).await?;
///     cx.check(early.is_none(), "no_response")?;
///     let late = sim_erpc::wait_response(&cx, id, Timeout::Infinity).await?;
///     Ok(late.unwrap_or(Term::atom("no_response")))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("ok")));
/// ```
pub async fn wait_response(
    cx: &Cx,
    id: RequestId,
    timeout: Timeout,
) -> Result<Option<Term>, Exception> {
    let timeout = timeout_value(cx, timeout)?;
    let req = id.req;
    match cx
        .receive_timeout(move |m| is_reply_to(m, req), timeout)
        .await
    {
        Some(msg) => decode(msg, id.res).map(Some),
        None => Ok(None),
    }
}

/// `erpc:check_response(Message, RequestId)`: decodes `msg` if it is the
/// reply to `id` (`Ok(Some(value))` or the call's exception), else `Ok(None)`
/// (`no_response`). It needs no process: the message was already received.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = sim_erpc::send_request(&cx, "b@sim", "erlang", "node", vec![]).await;
///     cx.check(sim_erpc::check_response(&Term::atom("foreign"), id)?.is_none(), "no_response")?;
///     let msg = cx.recv().await;
///     Ok(sim_erpc::check_response(&msg, id)?.unwrap_or(Term::atom("no_response")))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub fn check_response(msg: &Term, id: RequestId) -> Result<Option<Term>, Exception> {
    if is_reply_to(msg, id.req) {
        decode(msg.clone(), id.res).map(Some)
    } else {
        Ok(None)
    }
}
