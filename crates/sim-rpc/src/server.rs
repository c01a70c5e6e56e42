//! The per-node `rex` server and the client side of its protocol.
//!
//! `rex` is OTP's `rpc` gen_server, registered as `rex` on every node. It
//! serves `block_call` (applied inside `rex` itself, so block_calls to one
//! node run one at a time), `sbcast`, and the older protocol that `rpc` falls
//! back to for a node that does not support spawn requests (`{call, ...}`
//! answered by a worker process, `{cast, ...}`). Requests travel as
//! `gen_server` messages: `{'$gen_call', {From, Tag}, Request}` answered by
//! `{Tag, Reply}`, and `{'$gen_cast', Request}`.
//!
//! The client side: a `gen_server:call` to `{rex, Node}` monitors the name and
//! waits for the reply or the `'DOWN'`; with a finite timeout the call runs in
//! a middleman process that traps exits, so a reply arriving after the
//! timeout dies with the middleman instead of reaching the caller's mailbox.
//! Also here: `server_call` and `multi_server_call`, which talk the same
//! `{From, Msg}` / `{Name, Node, Reply}` protocol to any named server.

use crate::rpcify::{badarg, badrpc, rex_reply, rpc_check, rpc_check_t};
use crate::{known_nodes, node_list};
use sim_core::{
    Atom, Class, Cx, Exception, Frame, NodeRef, Pid, Ref, SimBuilder, Target, Term, Time, Timeout,
};
use sim_erpc::{Deadline, IntoNode};
use std::collections::BTreeMap;

/// The registered name of the rpc server.
const REX: &str = "rex";

fn rex_atom() -> Atom {
    Atom::new(REX)
}

/// `{Kind, M, F, A, GroupLeader}`: a `call`, `block_call` or `cast` request,
/// carrying the caller's group leader as OTP's does. (`rex` cannot adopt it:
/// sim-core has no way to set a group leader, so what `rex` applies keeps
/// `rex`'s own.)
pub(crate) fn request(cx: &Cx, kind: &str, module: Term, function: Term, args: Term) -> Term {
    let gl = Term::Pid(cx.group_leader());
    Term::tuple([Term::atom(kind), module, function, args, gl])
}

/// OTP's `rpc` server, `rex`: registers itself as `rex` and serves until its
/// node goes down. Boot it on every node with [`RpcExt::with_rpc`] (or
/// `SimBuilder::boot_everywhere(sim_rpc::rex)`); [`crate::block_call`],
/// [`crate::sbcast`] and the fallback for nodes without spawn requests need
/// it on the target node. Like OTP's, it traps exits; if it dies it stays
/// dead until its node restarts (OTP's kernel supervisor would restart it).
///
/// It serves:
/// - `{'$gen_call', From, {block_call, M, F, A, GL}}`: applies `M:F(A)` in
///   `rex` itself and replies the value, the thrown value or
///   `{badrpc, {'EXIT', Reason}}`;
/// - `{'$gen_call', From, {call, M, F, A, GL}}` (and the bare
///   `{From, {call, M, F, A, GL}}`): the same in a fresh monitored worker, so
///   `rex` is not blocked; a worker killed by a signal `R` is answered
///   `{badrpc, {'EXIT', R}}`;
/// - `{'$gen_cast', {cast, M, F, A, GL}}`: applies in a fresh process, no reply;
/// - `{From, {sbcast, Name, Msg}}`: `Name ! Msg`, then `{rex, node(), node()}`
///   or `{rex, node(), {nonexisting_name, Name}}` to `From`;
/// - `{From, {send, Name, Msg}}`: `Name ! {From, Msg}` (a missing name is
///   answered as for `sbcast`).
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).boot_everywhere(sim_rpc::rex).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let rex = sim_rpc::call(&cx, "b@sim", "erlang", "whereis", vec![Term::atom("rex")], Timeout::Infinity).await?;
///     let inside = sim_rpc::block_call(&cx, "b@sim", "erlang", "self", vec![], Timeout::Infinity).await?;
///     cx.check(inside == rex, "block_call runs inside b's rex")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn rex(cx: Cx) -> Result<Term, Exception> {
    cx.register(REX, cx.self_pid()).await?;
    cx.trap_exit(true);
    // Workers applying `call` requests: monitor -> whom to answer, and how.
    let mut workers: BTreeMap<Ref, (Pid, Term)> = BTreeMap::new();
    loop {
        let msg = cx.recv().await;
        serve(&cx, &msg, &mut workers).await;
    }
}

async fn serve(cx: &Cx, msg: &Term, workers: &mut BTreeMap<Ref, (Pid, Term)>) {
    match msg.as_tuple() {
        Some([tag, Term::Tuple(from), req]) if tag.is_atom("$gen_call") => {
            if let [Term::Pid(pid), reply_tag] = from.as_slice() {
                handle_call(cx, *pid, reply_tag.clone(), req, workers).await;
            }
        }
        Some([tag, req]) if tag.is_atom("$gen_cast") => handle_cast(cx, req).await,
        Some([Term::Pid(from), req]) => handle_info(cx, *from, req, workers).await,
        Some([tag, Term::Ref(mon), _, _, reason]) if tag.is_atom("DOWN") => {
            if let Some((pid, reply_tag)) = workers.remove(mon) {
                // A worker that replied exits `normal`; any other end is a
                // signal that killed it before it could.
                if !reason.is_atom("normal") {
                    let exit = Term::tuple([Term::atom("EXIT"), reason.clone()]);
                    reply(cx, pid, reply_tag, badrpc(exit)).await;
                }
            }
        }
        // Exit signals (trapped), stray replies, anything else: ignored.
        _ => {}
    }
}

/// `gen_server:reply({Pid, Tag}, Reply)`.
async fn reply(cx: &Cx, to: Pid, tag: Term, value: Term) {
    // A send to a pid never fails.
    let _ = cx.send(to, Term::tuple([tag, value])).await;
}

async fn handle_call(
    cx: &Cx,
    from: Pid,
    tag: Term,
    req: &Term,
    workers: &mut BTreeMap<Ref, (Pid, Term)>,
) {
    match req.as_tuple() {
        Some([kind, m, f, a, _gl]) if kind.is_atom("call") => {
            let (m, f, a, worker_tag) = (m.clone(), f.clone(), a.clone(), tag.clone());
            let spawned = cx
                .spawn_monitor(move |c| async move {
                    let value = execute_call(&c, &m, &f, a).await;
                    reply(&c, from, worker_tag, value).await;
                    Ok(Term::atom("ok"))
                })
                .await;
            match spawned {
                Ok((_, mon)) => {
                    workers.insert(mon, (from, tag));
                }
                Err(_) => {
                    let limit = Term::tuple([Term::atom("EXIT"), Term::atom("system_limit")]);
                    reply(cx, from, tag, badrpc(limit)).await;
                }
            }
        }
        Some([kind, m, f, a, _gl]) if kind.is_atom("block_call") => {
            let value = execute_call(cx, m, f, a.clone()).await;
            reply(cx, from, tag, value).await;
        }
        // Unknown requests get no reply, as in OTP.
        _ => {}
    }
}

async fn handle_cast(cx: &Cx, req: &Term) {
    if let Some([kind, m, f, a, _gl]) = req.as_tuple() {
        if kind.is_atom("cast") {
            let (m, f, a) = (m.clone(), f.clone(), a.clone());
            // A failure is nobody's business (OTP logs it); a full node drops it.
            let _ = cx
                .spawn(move |c| async move {
                    execute_call(&c, &m, &f, a).await;
                    Ok(Term::atom("ok"))
                })
                .await;
        }
    }
}

async fn handle_info(cx: &Cx, from: Pid, req: &Term, workers: &mut BTreeMap<Ref, (Pid, Term)>) {
    let nonexisting = |name: &Term| {
        let why = Term::tuple([Term::atom("nonexisting_name"), name.clone()]);
        Term::tuple([Term::Atom(rex_atom()), Term::Atom(cx.node()), why])
    };
    match req.as_tuple() {
        Some([kind, name, msg]) if kind.is_atom("sbcast") => {
            let answer = match send_local(cx, name, msg.clone()).await {
                true => Term::tuple([
                    Term::Atom(rex_atom()),
                    Term::Atom(cx.node()),
                    Term::Atom(cx.node()),
                ]),
                false => nonexisting(name),
            };
            let _ = cx.send(from, answer).await;
        }
        Some([kind, name, msg]) if kind.is_atom("send") => {
            let wrapped = Term::tuple([Term::Pid(from), msg.clone()]);
            if !send_local(cx, name, wrapped).await {
                let _ = cx.send(from, nonexisting(name)).await;
            }
        }
        // The bare form older C nodes use: answered as `{rex, Reply}`.
        Some([kind, ..]) if kind.is_atom("call") => {
            handle_call(cx, from, Term::Atom(rex_atom()), req, workers).await;
        }
        _ => {}
    }
}

/// `catch Name ! Msg` for a local name: whether it was delivered.
async fn send_local(cx: &Cx, name: &Term, msg: Term) -> bool {
    match name {
        Term::Atom(n) => cx.send(Target::Name(*n), msg).await.is_ok(),
        _ => false,
    }
}

/// `rpc:execute_call/3`: applies in this process and answers as `rex` does.
async fn execute_call(cx: &Cx, m: &Term, f: &Term, args: Term) -> Term {
    let outcome = match (m, f) {
        (Term::Atom(m), Term::Atom(f)) => {
            // `erpc:is_arg_error/4`: a `system_limit` from applying to this
            // many arguments is about the arguments, reported without a stack.
            let limit = Term::atom("system_limit");
            let arg_error = sim_erpc::is_arg_error(&limit, &args);
            match sim_erpc::execute_mfa(cx, *m, *f, args).await {
                Err(e) if arg_error && e.class == Class::Error && e.reason == limit => {
                    return badrpc(Term::tuple([Term::atom("EXIT"), limit]));
                }
                other => other,
            }
        }
        _ => Err(
            Exception::error(Term::atom("badarg")).with_frame(Frame::with_args(
                "erlang",
                "apply",
                vec![m.clone(), f.clone(), args],
            )),
        ),
    };
    rex_reply(outcome)
}

// ---- the client side --------------------------------------------------------

/// `{gen_server, call, [{rex, Node}, Request, Timeout]}`: where a failed
/// `gen_server:call` says it failed.
fn call_location(node: Atom, req: &Term, timeout: Timeout) -> Term {
    let dest = Term::tuple([Term::Atom(rex_atom()), Term::Atom(node)]);
    let args = Term::list([dest, req.clone(), crate::arg::timeout_term(timeout)]);
    Term::tuple([Term::atom("gen_server"), Term::atom("call"), args])
}

/// Lets the own node's `rex` start if it has not run yet. In OTP `rex` is up
/// before any user process; here a booted process starts at the same instant
/// as the others, so a process that turns to its own node's `rex` at once
/// first lets everything runnable at this instant run. (Only the own node can
/// be this early: a message to another node arrives after a latency.)
async fn await_local_rex(cx: &Cx, node: Atom) {
    if node == cx.node() && !cx.registered().contains(&rex_atom()) {
        cx.sleep(Time::ZERO).await;
    }
}

/// Monitors `{rex, Node}` and sends it the request, for each node.
async fn gen_send(cx: &Cx, nodes: &[Atom], req: &Term) -> Vec<Ref> {
    let mut mons = Vec::with_capacity(nodes.len());
    for &node in nodes {
        await_local_rex(cx, node).await;
        let mon = cx.monitor_name(rex_atom(), node).await;
        let from = Term::tuple([Term::Pid(cx.self_pid()), Term::Ref(mon)]);
        let msg = Term::tuple([Term::atom("$gen_call"), from, req.clone()]);
        // A send to `{Name, Node}` never fails.
        let _ = cx.send(Target::Remote(rex_atom(), node), msg).await;
        mons.push(mon);
    }
    mons
}

/// The reply to, or the `'DOWN'` of, one of `mons`: its index, and the reply
/// or the monitor's reason.
fn answer_of(msg: &Term, mons: &[Option<Ref>]) -> Option<(usize, Result<Term, Term>)> {
    let (r, answer) = match msg.as_tuple()? {
        [Term::Ref(r), reply] => (*r, Ok(reply.clone())),
        [tag, Term::Ref(r), _, _, reason] if tag.is_atom("DOWN") => (*r, Err(reason.clone())),
        _ => return None,
    };
    let i = mons.iter().position(|m| *m == Some(r))?;
    Some((i, answer))
}

/// Waits for the `gen_server:call`s of [`gen_send`] against one deadline:
/// per node the reply, or the reason the call exits with
/// (`{{nodedown, Node}, Where}`, `{timeout, Where}`, `{Reason, Where}`).
async fn gen_collect(
    cx: &Cx,
    nodes: &[Atom],
    mons: Vec<Ref>,
    req: &Term,
    (timeout, deadline): (Timeout, Deadline),
) -> Vec<Result<Term, Term>> {
    let mut waiting: Vec<Option<Ref>> = mons.into_iter().map(Some).collect();
    let mut out: Vec<Option<Result<Term, Term>>> = vec![None; nodes.len()];
    while waiting.iter().any(Option::is_some) {
        let w = &waiting;
        let got = cx
            .receive_timeout(|m| answer_of(m, w).is_some(), deadline.left(cx))
            .await;
        let Some(msg) = got else {
            // Timed out: give up on the rest, dropping a queued 'DOWN'.
            for (i, m) in waiting.iter_mut().enumerate() {
                if let Some(mon) = m.take() {
                    cx.demonitor_flush(mon).await;
                    let why =
                        Term::tuple([Term::atom("timeout"), call_location(nodes[i], req, timeout)]);
                    out[i] = Some(Err(why));
                }
            }
            break;
        };
        let Some((i, answer)) = answer_of(&msg, &waiting) else {
            continue;
        };
        if let Some(mon) = waiting[i].take() {
            cx.demonitor_flush(mon).await;
        }
        let node = nodes[i];
        out[i] = Some(answer.map_err(|reason| {
            let reason = if reason.is_atom("noconnection") {
                Term::tuple([Term::atom("nodedown"), Term::Atom(node)])
            } else {
                reason
            };
            Term::tuple([reason, call_location(node, req, timeout)])
        }));
    }
    out.into_iter()
        .map(|r| r.expect("every call was answered or timed out"))
        .collect()
}

/// `gen_server:call({rex, Node}, Request, Timeout)` to several nodes at once,
/// started: with `infinity` by the caller itself, otherwise by a middleman.
#[derive(Debug)]
pub(crate) enum SrvCalls {
    /// The caller waits for these monitors itself.
    Direct {
        nodes: Vec<Atom>,
        mons: Vec<Ref>,
        req: Term,
    },
    /// A middleman does; its exit reason is `{Pid, Tag, Results}`.
    Middleman {
        pid: Pid,
        mon: Ref,
        tag: Ref,
        n: usize,
    },
}

/// Starts `gen_server:call({rex, Node}, Request, Timeout)` for every node of
/// `nodes` (in parallel); [`srv_finish`] collects them.
pub(crate) async fn srv_start(
    cx: &Cx,
    nodes: Vec<Atom>,
    req: Term,
    timeout: Timeout,
) -> Result<SrvCalls, Exception> {
    let deadline = Deadline::new(cx, timeout).map_err(|_| badarg())?;
    if timeout == Timeout::Infinity {
        let mons = gen_send(cx, &nodes, &req).await;
        return Ok(SrvCalls::Direct { nodes, mons, req });
    }
    let tag = cx.make_ref();
    let n = nodes.len();
    let (pid, mon) = cx
        .spawn_monitor(move |c| async move {
            // Insensitive to ordinary exit signals, as OTP's middleman.
            c.trap_exit(true);
            let mons = gen_send(&c, &nodes, &req).await;
            let results = gen_collect(&c, &nodes, mons, &req, (timeout, deadline)).await;
            let encoded = results.into_iter().map(|r| match r {
                Ok(v) => Term::tuple([Term::atom("reply"), v]),
                Err(why) => Term::tuple([Term::atom("exit"), why]),
            });
            let result =
                Term::tuple([Term::Pid(c.self_pid()), Term::Ref(tag), Term::list(encoded)]);
            Err(Exception::exit(result))
        })
        .await?;
    Ok(SrvCalls::Middleman { pid, mon, tag, n })
}

fn caught(reason: Term) -> Term {
    Term::tuple([Term::atom("EXIT"), reason])
}

/// Waits for the calls of [`srv_start`]: per node (in order) the reply or
/// `{badrpc, _}`, as `rpc_check/1` and `rpc_check_t/1` make them.
pub(crate) async fn srv_finish(cx: &Cx, calls: SrvCalls) -> Vec<Term> {
    match calls {
        SrvCalls::Direct { nodes, mons, req } => {
            let infinity = (Timeout::Infinity, Deadline::INFINITY);
            gen_collect(cx, &nodes, mons, &req, infinity)
                .await
                .into_iter()
                .map(|r| rpc_check(r.unwrap_or_else(caught)))
                .collect()
        }
        SrvCalls::Middleman { pid, mon, tag, n } => {
            let down = cx
                .receive(move |m| {
                    matches!(m.as_tuple(), Some([d, Term::Ref(r), ..]) if d.is_atom("DOWN") && *r == mon)
                })
                .await;
            let reason = down
                .as_tuple()
                .map_or(Term::atom("undefined"), |t| t[4].clone());
            match reason.as_tuple() {
                Some([Term::Pid(p), Term::Ref(t), Term::List(results)])
                    if *p == pid && *t == tag && results.len() == n =>
                {
                    results.iter().map(decode_result).collect()
                }
                // The middleman was killed: every call failed the same way.
                _ => vec![rpc_check_t(caught(reason)); n],
            }
        }
    }
}

fn decode_result(r: &Term) -> Term {
    match r.as_tuple() {
        Some([kind, v]) if kind.is_atom("reply") => rpc_check(v.clone()),
        Some([_, why]) => rpc_check_t(caught(why.clone())),
        _ => unreachable!("the middleman encodes each result as a pair"),
    }
}

/// `do_srv_call/3`: one `gen_server:call` to `{rex, Node}`.
pub(crate) async fn srv_call(
    cx: &Cx,
    node: Atom,
    req: Term,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let calls = srv_start(cx, vec![node], req, timeout).await?;
    Ok(srv_finish(cx, calls)
        .await
        .pop()
        .expect("one result for one call"))
}

/// `gen_server:cast({rex, Node}, Request)`.
pub(crate) async fn srv_cast(cx: &Cx, node: Atom, req: Term) {
    await_local_rex(cx, node).await;
    let msg = Term::tuple([Term::atom("$gen_cast"), req]);
    // A send to `{Name, Node}` never fails.
    let _ = cx.send(Target::Remote(rex_atom(), node), msg).await;
}

/// `send_nodes/4`: monitors `{Name, Node}` and sends it `{self(), Msg}`, for
/// each node.
pub(crate) async fn send_nodes(cx: &Cx, nodes: &[Atom], name: Atom, msg: &Term) -> Vec<Ref> {
    let mut mons = Vec::with_capacity(nodes.len());
    for &node in nodes {
        if name == rex_atom() {
            await_local_rex(cx, node).await;
        }
        mons.push(cx.monitor_name(name, node).await);
        let wrapped = Term::tuple([Term::Pid(cx.self_pid()), msg.clone()]);
        // A send to `{Name, Node}` never fails.
        let _ = cx.send(Target::Remote(name, node), wrapped).await;
    }
    mons
}

/// `rec_nodes/2`: per node, `{Name, Node, Reply}` is a reply; a `'DOWN'` or
/// `{rex, Node, {nonexisting_name, _}}` makes it bad. `{Replies, BadNodes}`,
/// both in the order of `nodes`.
pub(crate) async fn rec_nodes(cx: &Cx, name: Atom, nodes: &[Atom], mons: Vec<Ref>) -> Term {
    let rex = rex_atom();
    let nonexisting = move |n: Atom, reply: &Term| {
        n == rex && matches!(reply.as_tuple(), Some([t, _]) if t.is_atom("nonexisting_name"))
    };
    let (mut replies, mut bad) = (Vec::new(), Vec::new());
    for (&node, mon) in nodes.iter().zip(mons) {
        let msg = cx
            .receive(move |m| match m.as_tuple() {
                Some([d, Term::Ref(r), ..]) if d.is_atom("DOWN") => *r == mon,
                Some([Term::Atom(n), Term::Atom(at), reply]) if *at == node => {
                    *n == name || nonexisting(*n, reply)
                }
                _ => false,
            })
            .await;
        match msg.as_tuple() {
            Some([Term::Atom(n), _, reply]) => {
                cx.demonitor_flush(mon).await;
                if nonexisting(*n, reply) {
                    bad.push(Term::Atom(node));
                } else {
                    replies.push(reply.clone());
                }
            }
            _ => bad.push(Term::Atom(node)),
        }
    }
    Term::tuple([Term::List(replies), Term::List(bad)])
}

/// `rpc:server_call(Node, Name, ReplyWrapper, Msg)`: sends `{self(), Msg}` to
/// `{Name, Node}` and waits (no timeout) for `{ReplyWrapper, Node, Reply}`;
/// returns `Reply`, or `{error, nodedown}` if the server is not there or goes
/// away (a missing name included).
///
/// ```
/// use sim_core::{Sim, Term, Pid};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc()
///     .boot("b@sim", |cx| async move {
///         cx.register("echo", cx.self_pid()).await?;
///         loop {
///             let m = cx.recv().await;
///             if let Some([Term::Pid(from), x]) = m.as_tuple() {
///                 let reply = Term::tuple([Term::atom("echo"), Term::Atom(cx.node()), x.clone()]);
///                 cx.send(*from, reply).await?;
///             }
///         }
///     })
///     .build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let hi = sim_rpc::server_call(&cx, "b@sim", "echo", Term::atom("echo"), Term::atom("hi")).await;
///     let gone = sim_rpc::server_call(&cx, "b@sim", "nobody", Term::atom("nobody"), Term::atom("hi")).await;
///     Ok(Term::list([hi, gone]))
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("[hi,{error,nodedown}]".to_string()));
/// ```
pub async fn server_call(
    cx: &Cx,
    node: impl Into<NodeRef>,
    name: impl Into<Atom>,
    reply_wrapper: Term,
    msg: Term,
) -> Term {
    let (node, name) = (cx.node_name(node), name.into());
    let mon = cx.monitor_name(name, node).await;
    let wrapped = Term::tuple([Term::Pid(cx.self_pid()), msg]);
    // A send to `{Name, Node}` never fails.
    let _ = cx.send(Target::Remote(name, node), wrapped).await;
    let got = cx
        .receive(|m| match m.as_tuple() {
            Some([d, Term::Ref(r), ..]) if d.is_atom("DOWN") => *r == mon,
            Some([w, Term::Atom(at), _]) => *w == reply_wrapper && *at == node,
            _ => false,
        })
        .await;
    match got.as_tuple() {
        Some([w, _, reply]) if *w == reply_wrapper => {
            cx.demonitor_flush(mon).await;
            reply.clone()
        }
        _ => Term::tuple([Term::atom("error"), Term::atom("nodedown")]),
    }
}

/// `rpc:multi_server_call(Nodes, Name, Msg)`: sends `{self(), Msg}` to
/// `{Name, Node}` on every node and waits (no timeout) for each
/// `{Name, Node, Reply}`. Returns `{Replies, BadNodes}`: the bare replies,
/// and the nodes where the server was missing or went away, both in the order
/// of `nodes`.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::RpcExt;
/// let pong = |cx: sim_core::Cx| async move {
///     cx.register("srv", cx.self_pid()).await?;
///     loop {
///         if let Some([Term::Pid(from), _]) = cx.recv().await.as_tuple() {
///             cx.send(*from, Term::tuple([Term::atom("srv"), Term::Atom(cx.node()), Term::atom("pong")])).await?;
///         }
///     }
/// };
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).with_rpc().boot("b@sim", pong).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     Ok(sim_rpc::multi_server_call(&cx, &["b@sim", "c@sim", "nobody@sim"], "srv", Term::atom("ping")).await)
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{[pong],[c@sim,nobody@sim]}"));
/// ```
pub async fn multi_server_call<N>(
    cx: &Cx,
    nodes: impl IntoIterator<Item = N>,
    name: impl Into<Atom>,
    msg: Term,
) -> Term
where
    N: IntoNode,
{
    let nodes = node_list(cx, nodes);
    multi_server_call_to(cx, &nodes, name.into(), msg).await
}

/// `rpc:multi_server_call(Name, Msg)`: [`multi_server_call`] on
/// `[node() | nodes()]`.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     Ok(sim_rpc::multi_server_call_all(&cx, "nobody", Term::atom("ping")).await)
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{[],[a@sim,b@sim]}"));
/// ```
pub async fn multi_server_call_all(cx: &Cx, name: impl Into<Atom>, msg: Term) -> Term {
    multi_server_call_to(cx, &known_nodes(cx), name.into(), msg).await
}

async fn multi_server_call_to(cx: &Cx, nodes: &[Atom], name: Atom, msg: Term) -> Term {
    let mons = send_nodes(cx, nodes, name, &msg).await;
    rec_nodes(cx, name, nodes, mons).await
}

/// Boots `rex` on every node of a simulation.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::RpcExt;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
/// sim.spawn("b@sim", |cx| async move {
///     cx.check(cx.whereis("rex").await.is_some(), "rex runs on b")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub trait RpcExt {
    /// `self.boot_everywhere(sim_rpc::rex)`: every node runs the rpc server
    /// [`rex`], from the start and again after each restart. `block_call`,
    /// `sbcast` and the fallback for nodes without spawn requests need it.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Timeout};
    /// use sim_rpc::RpcExt;
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     sim_rpc::block_call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await
    /// }).unwrap();
    /// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
    /// ```
    fn with_rpc(self) -> SimBuilder;
}

impl RpcExt for SimBuilder {
    fn with_rpc(self) -> SimBuilder {
        self.boot_everywhere(rex)
    }
}
