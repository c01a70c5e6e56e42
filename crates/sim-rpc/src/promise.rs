//! Promises: `rpc:async_call/4`, `rpc:yield/1` and `rpc:nb_yield/1,2`, over
//! `erpc:send_request`, `receive_response` and `wait_response`, with rpc's
//! mapping of the outcome.

use crate::arg;
use crate::rpcify::{badarg, rpcify};
use sim_core::{Atom, Cx, Exception, NodeRef, Term, Timeout};
use sim_erpc::RequestId;

/// The key of an [`async_call`] (OTP's opaque `rpc:key()`, an erpc request
/// id). A key answers once: after [`yield_result`], or an [`nb_yield`] that
/// got the value, it is spent.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_rpc::Key;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let k = sim_rpc::async_call(&cx, "b@sim", "erlang", "node", vec![]).await;
///     cx.check(Key::from_term(&k.to_term())? == k, "round trip")?;
///     sim_rpc::yield_result(&cx, k).await
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(RequestId);

impl Key {
    /// The key as a term (erpc's request id, `[Res | ReqId]`).
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let k = sim_rpc::async_call(&cx, "a@sim", "erlang", "node", vec![]).await;
    ///     cx.check(matches!(k.to_term(), Term::ImproperList(..)), "[Res|ReqId]")?;
    ///     sim_rpc::yield_result(&cx, k).await
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn to_term(&self) -> Term {
        self.0.to_term()
    }

    /// Reads a key back from its term; anything else raises `error:badarg`.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_rpc::Key;
    /// let e = Key::from_term(&Term::atom("not_a_key")).unwrap_err();
    /// assert_eq!(e.class_reason().to_string(), "{error,badarg}");
    /// ```
    pub fn from_term(t: &Term) -> Result<Key, Exception> {
        RequestId::from_term(t).map(Key).map_err(|_| badarg())
    }
}

/// `rpc:async_call(Node, Module, Function, Args)`: starts
/// `apply(Module, Function, Args)` on `node` and returns a [`Key`] at once;
/// collect the result with [`yield_result`] or [`nb_yield`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let b = sim_rpc::async_call(&cx, "b@sim", "erlang", "node", vec![]).await;
///     let c = sim_rpc::async_call(&cx, "c@sim", "erlang", "node", vec![]).await;
///     Ok(Term::list([sim_rpc::yield_result(&cx, c).await?, sim_rpc::yield_result(&cx, b).await?]))
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("[c@sim,b@sim]".to_string()));
/// ```
pub async fn async_call(
    cx: &Cx,
    node: impl Into<NodeRef>,
    module: impl Into<Atom>,
    function: impl Into<Atom>,
    args: Vec<Term>,
) -> Key {
    Key(sim_erpc::send_request(cx, node, module, function, args).await)
}

/// `rpc:async_call(Node, Module, Function, Args)` with every argument a
/// term: `error:badarg` unless node, module and function are atoms and `args`
/// a list. See [`async_call`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (m, f, a) = (Term::atom("erlang"), Term::atom("node"), Term::List(vec![]));
///     let e = sim_rpc::async_call_term(&cx, &Term::string("b@sim"), &m, &f, &a).await;
///     cx.check(e.unwrap_err().class_reason().to_string() == "{error,badarg}", "badarg")?;
///     let k = sim_rpc::async_call_term(&cx, &Term::atom("b@sim"), &m, &f, &a).await?;
///     sim_rpc::yield_result(&cx, k).await
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn async_call_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
) -> Result<Key, Exception> {
    let (n, m, f) = (arg::atom(node)?, arg::atom(module)?, arg::atom(function)?);
    let args = arg::args(args)?;
    let (n, m, f) = (Term::Atom(n), Term::Atom(m), Term::Atom(f));
    sim_erpc::send_request_term(cx, &n, &m, &f, &args)
        .await
        .map(Key)
        .map_err(|_| badarg())
}

/// `rpc:yield(Key)` (named `yield_result` as `yield` is reserved in Rust):
/// waits for the result of an [`async_call`] and returns it mapped as
/// [`crate::call`] maps it (a value, a thrown value, or `{badrpc, Reason}`).
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let k = sim_rpc::async_call(&cx, "b@sim", "erlang", "error", vec![Term::atom("x")]).await;
///     sim_rpc::yield_result(&cx, k).await
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{badrpc,{'EXIT',{x,[{erlang,error,1,[]}]}}}"));
/// ```
pub async fn yield_result(cx: &Cx, key: Key) -> Result<Term, Exception> {
    rpcify(sim_erpc::receive_response(cx, key.0, Timeout::Infinity).await)
}

/// `rpc:yield(Key)` with the key as a term: `error:badarg` if it is no key.
/// See [`yield_result`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let e = sim_rpc::yield_term(&cx, &Term::atom("not_a_key")).await;
///     Ok(e.unwrap_err().class_reason())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,badarg}".to_string()));
/// ```
pub async fn yield_term(cx: &Cx, key: &Term) -> Result<Term, Exception> {
    yield_result(cx, Key::from_term(key)?).await
}

/// `rpc:nb_yield(Key, Timeout)` (and `nb_yield/1` with `Timeout::ms(0)`):
/// waits at most `timeout` for the result of an [`async_call`]. Returns
/// `timeout` if it has not come (the key stays valid), else `{value, V}` with
/// `V` mapped as [`crate::call`] maps it. An invalid timeout raises
/// `error:badarg`.
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let k = sim_rpc::async_call(&cx, "b@sim", "timer", "sleep", vec![Term::Int(100)]).await;
///     let early = sim_rpc::nb_yield(&cx, k, Timeout::ms(10)).await?;
///     cx.check(early == Term::atom("timeout"), "not yet")?;
///     sim_rpc::nb_yield(&cx, k, Timeout::Infinity).await
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{value,ok}".to_string()));
/// ```
pub async fn nb_yield(cx: &Cx, key: Key, timeout: Timeout) -> Result<Term, Exception> {
    let value = match sim_erpc::wait_response(cx, key.0, timeout).await {
        Ok(None) => return Ok(Term::atom("timeout")),
        Ok(Some(v)) => rpcify(Ok(v))?,
        Err(e) => rpcify(Err(e))?,
    };
    Ok(Term::tuple([Term::atom("value"), value]))
}

/// `rpc:nb_yield(Key, Timeout)` with both arguments terms: `error:badarg`
/// for something that is no key or no valid timeout. See [`nb_yield`].
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let k = sim_rpc::async_call(&cx, "b@sim", "erlang", "node", vec![]).await;
///     let e = sim_rpc::nb_yield_term(&cx, &k.to_term(), &Term::Int(-1)).await;
///     cx.check(e.unwrap_err().class_reason().to_string() == "{error,badarg}", "badarg")?;
///     sim_rpc::nb_yield_term(&cx, &k.to_term(), &Term::atom("infinity")).await
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{value,b@sim}".to_string()));
/// ```
pub async fn nb_yield_term(cx: &Cx, key: &Term, timeout: &Term) -> Result<Term, Exception> {
    let key = Key::from_term(key)?;
    nb_yield(cx, key, arg::timeout(timeout)?).await
}
