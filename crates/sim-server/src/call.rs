//! `gen_server:call/3`, `cast/2` and `reply/2`, with OTP 25's semantics: the
//! caller monitors the server, the request is `{'$gen_call', {Pid, Tag}, Req}`,
//! the reply `{Tag, Reply}`; a timeout, a missing server, a lost node and the
//! server's exit become `exit({Reason, {gen_server, call, [Dest, Req, Timeout]}})`.
//!
//! OTP 25 keeps a late reply out of the caller's mailbox with an alias. With an
//! infinite timeout no reply can be late, and the caller waits itself, as OTP
//! does (`Tag` is `[alias|Mref]`). With a finite timeout a stand-in process on
//! the caller's node plays the alias: it monitors the server, sends the request,
//! waits, and exits with the outcome; the caller waits for the stand-in's
//! `'DOWN'` and, on a timeout, kills it first, so whatever the server sends
//! later goes to a dead process (`Tag` is `[alias|StandIn]`).

use crate::de::from_term;
use crate::ser::to_term;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sim_core::{atom, tuple, Atom, Cx, Exception, Frame, Pid, Ref, Target, Term, Timeout};

/// The longest finite timeout `receive ... after` takes (OTP's `timeout_value`).
const MAX_TIMEOUT_MS: u64 = 4_294_967_295;

/// `From` in a `handle_call`: the calling process and the opaque tag its reply
/// must carry. [`reply`] sends `{Tag, Reply}` where the tag says.
///
/// ```
/// use sim_core::{Pid, Term};
/// use sim_server::Caller;
/// let c = Caller { pid: Pid::new(0, 1, 0), tag: Term::atom("t") };
/// assert_eq!(Caller::from_term(&c.to_term()), Some(c));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    /// The process that called.
    pub pid: Pid,
    /// The tag; treat it as opaque, as OTP documents.
    pub tag: Term,
}

impl Caller {
    /// `{Pid, Tag}`, as it travels in the request.
    ///
    /// ```
    /// use sim_core::{Pid, Term};
    /// let c = sim_server::Caller { pid: Pid::new(0, 1, 0), tag: Term::Int(1) };
    /// assert_eq!(c.to_term().to_string(), "{<0.1.0>,1}");
    /// ```
    pub fn to_term(&self) -> Term {
        tuple![self.pid, self.tag.clone()]
    }

    /// Reads `{Pid, Tag}`; `None` for any other shape.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(sim_server::Caller::from_term(&Term::Int(1)), None);
    /// ```
    pub fn from_term(t: &Term) -> Option<Caller> {
        match t.as_tuple()? {
            [Term::Pid(pid), tag] => Some(Caller {
                pid: *pid,
                tag: tag.clone(),
            }),
            _ => None,
        }
    }

    /// Where the reply goes: the stand-in named in `[alias|StandIn]`, or the
    /// caller.
    fn reply_to(&self) -> Pid {
        match &self.tag {
            Term::ImproperList(head, tail) if is_alias(head) => match **tail {
                Term::Pid(p) => p,
                _ => self.pid,
            },
            _ => self.pid,
        }
    }
}

fn is_alias(head: &[Term]) -> bool {
    matches!(head, [a] if a.is_atom("alias"))
}

fn alias_tag(of: Term) -> Term {
    Term::improper_list([atom!("alias")], of)
}

/// `gen_server:reply(From, Reply)`: sends `{Tag, Reply}`; it never fails.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_server::Request;
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let server = cx.spawn(|c| async move {
///         if let Request::Call { req, from } = sim_server::next(&c).await {
///             sim_server::reply(&c, &from, req).await;
///         }
///         Ok(Term::atom("done"))
///     }).await?;
///     let v = sim_server::call(&cx, server, Term::Int(7), Timeout::ms(100)).await?;
///     cx.check(v == Term::Int(7), "echoed")?;
///     Ok(v)
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn reply(cx: &Cx, to: &Caller, reply: impl Into<Term>) {
    // A send to a pid cannot fail; a dead sender ends at this sync point anyway.
    let _ = cx
        .send(to.reply_to(), tuple![to.tag.clone(), reply.into()])
        .await;
}

/// `gen_server:cast(Dest, Request)`: sends `{'$gen_cast', Request}` and returns
/// at once; a missing local name, a dead process or an unknown node is silent
/// (OTP's `cast` returns `ok` for each).
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     sim_server::cast(&cx, "nobody", Term::Int(1)).await;
///     sim_server::cast(&cx, cx.self_pid(), Term::Int(2)).await;
///     cx.check(cx.recv().await.to_string() == "{'$gen_cast',2}", "cast to self")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn cast(cx: &Cx, to: impl Into<Target>, request: impl Into<Term>) {
    let _ = cx
        .send(to.into(), tuple![atom!("$gen_cast"), request.into()])
        .await;
}

/// `gen_server:call(Dest, Request, Timeout)`: sends the request and waits for
/// the reply, or raises what OTP 25 raises, always of class `exit` with reason
/// `{Why, {gen_server, call, [Dest, Request, Timeout]}}`:
///
/// | case | `Why` |
/// | --- | --- |
/// | no reply within the timeout | `timeout` |
/// | a dead pid, a name not registered (here or on the named node) | `noproc` |
/// | the server's node cannot be reached or goes down | `{nodedown, Node}` |
/// | the server exits with `R` during the call | `R` |
/// | `Dest` is the caller itself | `calling_self` |
/// | a timeout `{abs, T}` | `{function_clause, Stack}` |
/// | a timeout above 4294967295 ms | `{timeout_value, Stack}` |
///
/// A reply arriving after the timeout never reaches the caller's mailbox, and
/// the mailbox holds nothing of the call when it returns.
///
/// ```
/// use sim_core::{Sim, Term, Timeout, Time};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let e = sim_server::call(&cx, "nobody", Term::Int(1), Timeout::ms(100)).await.unwrap_err();
///     cx.check(e.reason.to_string() == "{noproc,{gen_server,call,[nobody,1,100]}}", "noproc")?;
///     let slow = cx.spawn(|c| async move {
///         if let sim_server::Request::Call { from, .. } = sim_server::next(&c).await {
///             c.sleep(Time::ms(50)).await;
///             sim_server::reply(&c, &from, Term::atom("late")).await;
///         }
///         Ok(Term::atom("done"))
///     }).await?;
///     let e = sim_server::call(&cx, slow, Term::Int(2), Timeout::ms(10)).await.unwrap_err();
///     cx.check(e.reason.as_tuple().is_some_and(|t| t[0].is_atom("timeout")), "timeout")?;
///     cx.sleep(Time::ms(100)).await;
///     cx.check(cx.mailbox().is_empty(), "the late reply never arrives")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn call(
    cx: &Cx,
    to: impl Into<Target>,
    request: impl Into<Term>,
    timeout: Timeout,
) -> Result<Term, Exception> {
    let to = to.into();
    let request = request.into();
    let fail = |why: Term| {
        Exception::exit(tuple![
            why,
            tuple![
                atom!("gen_server"),
                atom!("call"),
                Term::List(vec![dest_term(to), request.clone(), timeout_term(timeout)])
            ]
        ])
    };
    match timeout {
        Timeout::Abs(_) => {
            let frame = Frame::with_args(
                "gen",
                "call",
                vec![
                    dest_term(to),
                    atom!("$gen_call"),
                    request.clone(),
                    timeout_term(timeout),
                ],
            );
            let stack = [frame, Frame::new("gen_server", "call", 3)];
            return Err(fail(tuple![
                atom!("function_clause"),
                Term::List(stack.iter().map(Frame::to_term).collect())
            ]));
        }
        Timeout::Ms(ms) if ms > MAX_TIMEOUT_MS => {
            let stack = [
                Frame::new("gen", "do_call", 4),
                Frame::new("gen_server", "call", 3),
            ];
            return Err(fail(tuple![
                atom!("timeout_value"),
                Term::List(stack.iter().map(Frame::to_term).collect())
            ]));
        }
        _ => {}
    }
    let server = match resolve(cx, to).await {
        Some(s) => s,
        None => return Err(fail(atom!("noproc"))),
    };
    if server == Server::Pid(cx.self_pid()) {
        return Err(fail(atom!("calling_self")));
    }
    let outcome = if timeout == Timeout::Infinity {
        call_direct(cx, server, request.clone()).await
    } else {
        call_via_stand_in(cx, server, request.clone(), timeout).await
    };
    match outcome {
        Outcome::Reply(v) => Ok(v),
        Outcome::Down(why) | Outcome::Failed(why) => Err(fail(why)),
    }
}

/// [`call`] with a typed request and reply: the request goes through
/// [`to_term`], the reply through [`from_term`]; a reply of the wrong shape
/// raises `error:{badterm, Message}`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_server::Request;
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let adder = cx.spawn(|c| async move {
///         if let Request::Call { req, from } = sim_server::next(&c).await {
///             let (a, b): (i64, i64) = sim_server::from_term(&req)?;
///             sim_server::reply(&c, &from, a + b).await;
///         }
///         Ok(Term::atom("done"))
///     }).await?;
///     let sum: i64 = sim_server::call_as(&cx, adder, &(2, 3), Timeout::Infinity).await?;
///     cx.check(sum == 5, "2 + 3")?;
///     Ok(Term::Int(sum))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
pub async fn call_as<Rep: DeserializeOwned>(
    cx: &Cx,
    to: impl Into<Target>,
    request: &(impl Serialize + ?Sized),
    timeout: Timeout,
) -> Result<Rep, Exception> {
    let request = to_term(request)?;
    let reply = call(cx, to, request, timeout).await?;
    Ok(from_term(&reply)?)
}

/// The server as the call reaches it: a pid, or a name on another node.
#[derive(Clone, Copy, PartialEq)]
enum Server {
    Pid(Pid),
    Remote(Atom, Atom),
}

impl Server {
    fn node(self, cx: &Cx) -> Atom {
        match self {
            Server::Pid(p) => cx.node_name(p.node()),
            Server::Remote(_, node) => node,
        }
    }

    async fn monitor(self, cx: &Cx) -> Ref {
        match self {
            Server::Pid(p) => cx.monitor(p).await,
            Server::Remote(name, node) => cx.monitor_name(name, node).await,
        }
    }

    fn target(self) -> Target {
        match self {
            Server::Pid(p) => Target::Pid(p),
            Server::Remote(name, node) => Target::Remote(name, node),
        }
    }
}

/// As `gen:do_for_proc/2`: a local name (also `{Name, node()}`) is looked up
/// now; `None` when nothing is registered.
async fn resolve(cx: &Cx, to: Target) -> Option<Server> {
    match to {
        Target::Pid(p) => Some(Server::Pid(p)),
        Target::Name(name) => cx.whereis(name).await.map(Server::Pid),
        Target::Remote(name, node) if node == cx.node() => cx.whereis(name).await.map(Server::Pid),
        Target::Remote(name, node) => Some(Server::Remote(name, node)),
    }
}

enum Outcome {
    Reply(Term),
    /// The server's monitor fired with this reason (`noconnection` already
    /// turned into `{nodedown, Node}`).
    Down(Term),
    /// The call ended otherwise (`timeout`).
    Failed(Term),
}

fn down_reason(cx: &Cx, server: Server, reason: &Term) -> Term {
    if reason.is_atom("noconnection") {
        tuple![atom!("nodedown"), server.node(cx)]
    } else {
        reason.clone()
    }
}

fn is_down(m: &Term, r: Ref) -> bool {
    matches!(m.as_tuple(), Some([d, Term::Ref(x), ..]) if d.is_atom("DOWN") && *x == r)
}

fn is_reply(m: &Term, tag: &Term) -> bool {
    matches!(m.as_tuple(), Some([t, _]) if t == tag)
}

fn request_msg(from: Pid, tag: &Term, request: Term) -> Term {
    tuple![atom!("$gen_call"), tuple![from, tag.clone()], request]
}

/// The wait of `gen:do_call/4` with an infinite timeout: monitor, send, and
/// the reply or the `'DOWN'`.
async fn call_direct(cx: &Cx, server: Server, request: Term) -> Outcome {
    let mref = server.monitor(cx).await;
    let tag = alias_tag(Term::Ref(mref));
    let msg = request_msg(cx.self_pid(), &tag, request);
    // A pid or `{Name, Node}` target never fails to send.
    let _ = cx.send(server.target(), msg).await;
    let got = {
        let tag = tag.clone();
        cx.receive(move |m| is_reply(m, &tag) || is_down(m, mref))
            .await
    };
    if is_down(&got, mref) {
        let reason = got.as_tuple().and_then(|t| t.get(4)).cloned();
        return Outcome::Down(down_reason(cx, server, &reason.unwrap_or(Term::nil())));
    }
    cx.demonitor_flush(mref).await;
    match got.as_tuple() {
        Some([_, reply]) => Outcome::Reply(reply.clone()),
        _ => Outcome::Failed(got),
    }
}

/// A finite timeout: the stand-in makes the call and exits with
/// `{reply, Reply}` or `{down, Why}`; the caller reads it from the stand-in's
/// `'DOWN'`, killing it first when the timeout passes.
async fn call_via_stand_in(cx: &Cx, server: Server, request: Term, timeout: Timeout) -> Outcome {
    let caller = cx.self_pid();
    let spawned = cx
        .spawn_monitor(move |c| stand_in(c, caller, server, request))
        .await;
    let Ok((stand_in_pid, smon)) = spawned else {
        // The node's process limit: nothing was sent.
        return Outcome::Failed(atom!("system_limit"));
    };
    let down = cx
        .receive_for(smon, move |m| is_down(m, smon), timeout)
        .await;
    let down = match down {
        Some(d) => d,
        None => {
            cx.exit(stand_in_pid, atom!("kill")).await;
            cx.receive_for(smon, move |m| is_down(m, smon), Timeout::Infinity)
                .await
                .unwrap_or(Term::nil())
        }
    };
    let reason = down.as_tuple().and_then(|t| t.get(4));
    match reason.and_then(Term::as_tuple) {
        Some([k, v]) if k.is_atom("reply") => Outcome::Reply(v.clone()),
        Some([k, why]) if k.is_atom("down") => Outcome::Down(down_reason(cx, server, why)),
        // Killed at the timeout (or by anyone else) before it had an answer.
        _ => Outcome::Failed(atom!("timeout")),
    }
}

/// The stand-in: plays the alias of one call. It watches the caller too, so
/// it never outlives it.
async fn stand_in(cx: Cx, caller: Pid, server: Server, request: Term) -> Result<Term, Exception> {
    let cmon = cx.monitor(caller).await;
    let mref = server.monitor(&cx).await;
    let tag = alias_tag(Term::Pid(cx.self_pid()));
    let _ = cx
        .send(server.target(), request_msg(caller, &tag, request))
        .await;
    let got = {
        let tag = tag.clone();
        cx.receive(move |m| is_reply(m, &tag) || is_down(m, mref) || is_down(m, cmon))
            .await
    };
    let outcome = match got.as_tuple() {
        Some([_, reply]) => tuple![atom!("reply"), reply.clone()],
        Some([_, Term::Ref(r), _, _, why]) if *r == mref => tuple![atom!("down"), why.clone()],
        _ => return Ok(atom!("abandoned")),
    };
    Err(Exception::exit(outcome))
}

fn dest_term(to: Target) -> Term {
    match to {
        Target::Pid(p) => Term::Pid(p),
        Target::Name(n) => Term::Atom(n),
        Target::Remote(n, node) => tuple![n, node],
    }
}

fn timeout_term(t: Timeout) -> Term {
    match t {
        Timeout::Infinity => atom!("infinity"),
        Timeout::Ms(ms) => i64::try_from(ms).map_or(atom!("infinity"), Term::Int),
        Timeout::Abs(at) => tuple![atom!("abs"), at],
    }
}
