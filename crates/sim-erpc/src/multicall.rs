//! `erpc:multicall/2,3,4,5`: every request is sent first, then (with an
//! infinite timeout) the first entry naming the own node is applied in the
//! calling process, then the replies are collected against one deadline. The
//! nodes work in parallel; results come back in the order of the node list.

use crate::call::CALL_OPTS;
use crate::exception::{ErpcError, Exception};
use crate::execute::{apply, execute_call, note_request, Applied};
use crate::node::{node_refs, IntoNode};
use crate::result::{abandon, decode, reply_ref};
use crate::timeout::Deadline;
use sim_core::{Atom, Cx, Exception as CoreException, NodeRef, Ref, Term, Timeout};
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

/// One outcome per node, in the order of the node list.
type Outcomes = Vec<Result<Term, Exception>>;

/// `erpc:multicall(Nodes, Module, Function, Args, Timeout)` (and `/4` with
/// `Timeout::Infinity`): [`crate::call`] on every node of `nodes` at once.
///
/// Each slot is `Ok(value)` or the exception `call` would raise; duplicates
/// are kept. `timeout` is one deadline for all: a node that has not answered
/// by then gets `{erpc, timeout}` and its request is abandoned. With
/// `Timeout::Infinity`, the first entry naming the own node runs in the calling
/// process after every request was sent. Only an invalid timeout fails the
/// whole call (`{erpc, badarg}`).
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let all = sim_erpc::multicall(&cx, &["c@sim", "nobody@sim", "a@sim"], "erlang", "node", vec![], Timeout::Infinity).await?;
///     let printed: Vec<String> = all.iter().map(|r| match r {
///         Ok(v) => v.to_string(),
///         Err(e) => e.to_string(),
///     }).collect();
///     cx.check(printed == ["c@sim", "{error,{erpc,noconnection}}", "a@sim"], "in node order")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("ok")));
/// ```
pub async fn multicall<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
    timeout: Timeout,
) -> Result<Outcomes, Exception>
where
    N: IntoNode,
{
    let (module, function) = (module.into(), function.into());
    let make = move || Applied::mfa(module, function, args.clone());
    let nodes = node_refs(nodes).into_iter().map(Some);
    multicall_applied(cx, nodes, make, timeout).await
}

/// `erpc:multicall(Nodes, Fun, Timeout)` (and `/2` with `Timeout::Infinity`):
/// [`multicall`] of `erlang:apply(Fun, [])`.
///
/// ```
/// use sim_core::{Sim, Term, Time, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let all = sim_erpc::multicall_fun(&cx, &["b@sim", "c@sim"], |c| async move {
///         c.sleep(Time::ms(100)).await;
///         Ok(Term::Atom(c.node()))
///     }, Timeout::ms(1000)).await?;
///     cx.check(all.iter().all(|r| r.is_ok()), "both answered")?;
///     cx.check(cx.now() < Time::ms(150), "in parallel, not one after the other")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("ok")));
/// ```
pub async fn multicall_fun<N, F, Fut>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    fun: F,
    timeout: Timeout,
) -> Result<Outcomes, Exception>
where
    N: IntoNode,
    F: Fn(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, CoreException>> + 'static,
{
    let fun = Rc::new(fun);
    let make = move || {
        let f = fun.clone();
        Applied::fun(move |c| f(c))
    };
    let nodes = node_refs(nodes).into_iter().map(Some);
    multicall_applied(cx, nodes, make, timeout).await
}

/// The message queue length: unchanged across the sending phase means the
/// receive marker the last request set is still in front of every reply.
fn queue_len(cx: &Cx) -> Option<Term> {
    cx.process_info(cx.self_pid(), "message_queue_len")
        .ok()
        .flatten()
}

/// The whole of `multicall/5` once module, function and args are known to be
/// well typed. A `None` node is a bad entry of the node list: what was sent
/// before it is abandoned and the call raises `{erpc, badarg}`.
pub(crate) async fn multicall_applied(
    cx: &Cx,
    nodes: impl IntoIterator<Item = Option<NodeRef>>,
    make: impl Fn() -> Applied,
    timeout: Timeout,
) -> Result<Outcomes, Exception> {
    let deadline = Deadline::new(cx, timeout)?;
    let res = cx.make_ref();
    let before = queue_len(cx);
    let mut slots: Vec<Option<Result<Term, Exception>>> = Vec::new();
    let mut pending: BTreeMap<Ref, usize> = BTreeMap::new();
    let mut local = None;
    for node in nodes {
        let Some(node) = node else {
            collect(
                cx,
                res,
                &mut pending,
                &mut slots,
                Deadline::expired(),
                false,
            )
            .await;
            return Err(Exception::erpc(ErpcError::Badarg));
        };
        let i = slots.len();
        slots.push(None);
        if deadline.is_infinite() && local.is_none() && cx.resolve_node(node) == Some(cx.node_id())
        {
            local = Some(i);
            continue;
        }
        let what = make();
        note_request(cx, &what, Some(res));
        // All requests go out before anything else runs, as on BEAM.
        let req = cx.spawn_request_now(node, move |c| execute_call(c, res, what), CALL_OPTS);
        pending.insert(req, i);
    }
    // The latest marker (the last request's) is in front of every reply if
    // nothing arrived while sending (a refusal is queued at once) and no local
    // call, which may receive or make requests itself, runs before the
    // receives.
    let marked = local.is_none() && queue_len(cx) == before;
    if let Some(i) = local {
        let what = make();
        let arg_error = what.too_many_args();
        slots[i] = Some(
            apply(cx, what)
                .await
                .map_err(|e| Exception::caught(e, arg_error)),
        );
    }
    collect(cx, res, &mut pending, &mut slots, deadline, marked).await;
    Ok(slots
        .into_iter()
        .map(|s| s.unwrap_or(Err(Exception::erpc(ErpcError::Timeout))))
        .collect())
}

/// Receives the replies of `pending` until the deadline; then abandons what
/// is outstanding and takes, with a zero timeout, the replies that had already
/// arrived (their requests cannot be abandoned any more).
async fn collect(
    cx: &Cx,
    res: Ref,
    pending: &mut BTreeMap<Ref, usize>,
    slots: &mut [Option<Result<Term, Exception>>],
    deadline: Deadline,
    marked: bool,
) {
    let mut abandoned = false;
    while !pending.is_empty() {
        let timeout = deadline.left(cx);
        if timeout == Timeout::Ms(0) && !abandoned {
            let reqs: Vec<Ref> = pending.keys().copied().collect();
            for req in reqs {
                if abandon(cx, req, res).await {
                    if let Some(i) = pending.remove(&req) {
                        slots[i] = Some(Err(Exception::erpc(ErpcError::Timeout)));
                    }
                }
            }
            abandoned = true;
            continue;
        }
        let waiting = &*pending;
        let matcher = |m: &Term| reply_ref(m).is_some_and(|r| waiting.contains_key(&r));
        let got = if marked {
            cx.receive_marked(matcher, timeout).await
        } else {
            cx.receive_timeout(matcher, timeout).await
        };
        match got {
            Some(msg) => {
                let slot = reply_ref(&msg).and_then(|r| pending.remove(&r));
                if let Some(i) = slot {
                    slots[i] = Some(decode(msg, res));
                }
            }
            // Abandoning failed yet nothing is queued: the ids were stale.
            None if abandoned => pending.clear(),
            // The deadline passed: the next round abandons.
            None => {}
        }
    }
}
