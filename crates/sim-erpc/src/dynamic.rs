//! Term-level entry points: the same operations with their arguments given as
//! Erlang terms, checked exactly as OTP checks them (node, module and function
//! atoms; args a list, properness not checked; a valid timeout; a fun of arity
//! 0 where OTP wants one). A bad argument raises `{erpc, badarg}`. They exist
//! for tests that reproduce Erlang code passing values Rust's types rule out.

use crate::arg::arg_list;
use crate::call::call_applied;
use crate::cast::cast_applied;
use crate::exception::Exception;
use crate::execute::Applied;
use crate::fun::Fun;
use crate::multicall::multicall_applied;
use crate::request::{send_applied, RequestId};
use crate::timeout::timeout_from_term;
use sim_core::{Atom, Cx, NodeRef, Term};

fn atom_arg(t: &Term) -> Result<Atom, Exception> {
    t.as_atom().ok_or_else(Exception::badarg)
}

fn node_arg(t: &Term) -> Result<NodeRef, Exception> {
    atom_arg(t).map(NodeRef::Name)
}

fn args_arg(t: &Term) -> Result<Term, Exception> {
    arg_list(t).ok_or_else(Exception::badarg)
}

fn mfa_arg(module: &Term, function: &Term, args: &Term) -> Result<Applied, Exception> {
    Ok(Applied::Mfa {
        module: atom_arg(module)?,
        function: atom_arg(function)?,
        args: args_arg(args)?.into(),
    })
}

fn fun0(fun: &Fun) -> Result<Applied, Exception> {
    if fun.arity() == 0 {
        Ok(fun.applied())
    } else {
        Err(Exception::badarg())
    }
}

/// A node list as OTP walks it: each element an atom, `None` at the first
/// element that is not one, or at a tail that is not `[]`.
fn nodes_arg(t: &Term) -> Vec<Option<NodeRef>> {
    let (items, proper) = match t {
        Term::List(items) => (items.as_slice(), true),
        Term::ImproperList(items, _) => (items.as_slice(), false),
        _ => (&[][..], false),
    };
    let mut out = Vec::with_capacity(items.len() + 1);
    for item in items {
        match item {
            Term::Atom(a) => out.push(Some(NodeRef::Name(*a))),
            _ => {
                out.push(None);
                return out;
            }
        }
    }
    if !proper {
        out.push(None);
    }
    out
}

/// Reads the `Delete` argument of the collection functions: `true` or `false`,
/// anything else `{erpc, badarg}`.
///
/// ```
/// use sim_core::Term;
/// use sim_erpc::{delete_from_term, ErpcError};
/// assert_eq!(delete_from_term(&Term::atom("true")), Ok(true));
/// let e = delete_from_term(&Term::atom("maybe")).unwrap_err();
/// assert_eq!(e.erpc_error(), Some(ErpcError::Badarg));
/// ```
pub fn delete_from_term(t: &Term) -> Result<bool, Exception> {
    match t {
        Term::Atom(a) if a.as_str() == "true" => Ok(true),
        Term::Atom(a) if a.as_str() == "false" => Ok(false),
        _ => Err(Exception::badarg()),
    }
}

/// `erpc:call(Node, Module, Function, Args, Timeout)` with every argument a
/// term; see [`crate::call`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (m, f, inf) = (Term::atom("erlang"), Term::atom("node"), Term::atom("infinity"));
///     let as_string = sim_erpc::call_term(&cx, &Term::string("b@sim"), &m, &f, &Term::List(vec![]), &inf).await;
///     cx.check(as_string.unwrap_err().to_string() == "{error,{erpc,badarg}}", "node not an atom")?;
///     let improper = Term::improper_list([Term::atom("oops")], Term::atom("invalid"));
///     let e = sim_erpc::call_term(&cx, &Term::atom("b@sim"), &m, &Term::atom("error"), &improper, &inf).await;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{error,{exception,badarg,[{erlang,apply,[erlang,error,[oops|invalid]],[]}]}}"));
/// ```
pub async fn call_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
    timeout: &Term,
) -> Result<Term, Exception> {
    let node = node_arg(node)?;
    let what = mfa_arg(module, function, args)?;
    let timeout = timeout_from_term(timeout)?;
    call_applied(cx, node, what, timeout).await
}

/// `erpc:call(Node, Fun, Timeout)` with term arguments: `{erpc, badarg}` unless
/// `fun` has arity 0; see [`crate::call_fun`].
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_erpc::Fun;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = Fun::with_arity(1, |_c, a| async move { Ok(a[0].clone()) });
///     let e = sim_erpc::call_fun_term(&cx, &Term::atom("b@sim"), &id, &Term::atom("infinity")).await;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,{erpc,badarg}}".to_string()));
/// ```
pub async fn call_fun_term(
    cx: &Cx,
    node: &Term,
    fun: &Fun,
    timeout: &Term,
) -> Result<Term, Exception> {
    let what = fun0(fun)?;
    let node = node_arg(node)?;
    let timeout = timeout_from_term(timeout)?;
    call_applied(cx, node, what, timeout).await
}

/// `erpc:cast(Node, Module, Function, Args)` with term arguments; see
/// [`crate::cast`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let e = sim_erpc::cast_term(&cx, &Term::atom("b@sim"), &Term::atom("erlang"),
///                                 &Term::atom("node"), &Term::atom("notalist")).await;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,{erpc,badarg}}".to_string()));
/// ```
pub async fn cast_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
) -> Result<(), Exception> {
    let node = node_arg(node)?;
    let what = mfa_arg(module, function, args)?;
    cast_applied(cx, node, what).await;
    Ok(())
}

/// `erpc:cast(Node, Fun)` with term arguments. Like OTP it does **not** check
/// the fun's arity: a fun of another arity fails silently on the target.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_erpc::Fun;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let id = Fun::with_arity(1, |_c, a| async move { Ok(a[0].clone()) });
///     sim_erpc::cast_fun_term(&cx, &Term::atom("b@sim"), &id).await?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("ok")));
/// ```
pub async fn cast_fun_term(cx: &Cx, node: &Term, fun: &Fun) -> Result<(), Exception> {
    let node = node_arg(node)?;
    cast_applied(cx, node, fun.applied()).await;
    Ok(())
}

/// `erpc:send_request(Node, Module, Function, Args)` with term arguments; see
/// [`crate::send_request`].
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let e = sim_erpc::send_request_term(&cx, &Term::atom("b@sim"), &Term::atom("erlang"),
///                                         &Term::string("node"), &Term::List(vec![])).await;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,{erpc,badarg}}".to_string()));
/// ```
pub async fn send_request_term(
    cx: &Cx,
    node: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
) -> Result<RequestId, Exception> {
    let node = node_arg(node)?;
    let what = mfa_arg(module, function, args)?;
    Ok(send_applied(cx, node, what).await)
}

/// `erpc:send_request(Node, Fun)` with term arguments: `{erpc, badarg}` unless
/// `fun` has arity 0; see [`crate::send_request_fun`].
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// use sim_erpc::Fun;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let f = Fun::new(|c| async move { Ok(Term::Atom(c.node())) });
///     let id = sim_erpc::send_request_fun_term(&cx, &Term::atom("b@sim"), &f).await?;
///     Ok(sim_erpc::receive_response(&cx, id, Timeout::Infinity).await?)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn send_request_fun_term(
    cx: &Cx,
    node: &Term,
    fun: &Fun,
) -> Result<RequestId, Exception> {
    let node = node_arg(node)?;
    let what = fun0(fun)?;
    Ok(send_applied(cx, node, what).await)
}

/// `erpc:multicall(Nodes, Module, Function, Args, Timeout)` with term
/// arguments; see [`crate::multicall`]. A node list that is not a proper list
/// of atoms raises `{erpc, badarg}` after abandoning the requests already sent
/// to the entries before the bad one.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let nodes = Term::list([Term::atom("b@sim"), Term::binary(b"n2")]);
///     let e = sim_erpc::multicall_term(&cx, &nodes, &Term::atom("erlang"), &Term::atom("node"),
///                                      &Term::List(vec![]), &Term::atom("infinity")).await;
///     cx.check(cx.mailbox().is_empty(), "nothing left behind")?;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,{erpc,badarg}}".to_string()));
/// ```
pub async fn multicall_term(
    cx: &Cx,
    nodes: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
    timeout: &Term,
) -> Result<Vec<Result<Term, Exception>>, Exception> {
    let (module, function, args) = (atom_arg(module)?, atom_arg(function)?, args_arg(args)?);
    let timeout = timeout_from_term(timeout)?;
    let make = move || Applied::Mfa {
        module,
        function,
        args: args.clone().into(),
    };
    multicall_applied(cx, nodes_arg(nodes), make, timeout).await
}

/// `erpc:multicall(Nodes, Fun, Timeout)` with term arguments: `{erpc, badarg}`
/// unless `fun` has arity 0; see [`multicall_term`].
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_erpc::Fun;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let f = Fun::new(|c| async move { Ok(Term::Atom(c.node())) });
///     let all = sim_erpc::multicall_fun_term(&cx, &Term::list([Term::atom("b@sim")]), &f, &Term::Int(1000)).await?;
///     Ok(all[0].clone()?)
/// }).unwrap();
/// assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
/// ```
pub async fn multicall_fun_term(
    cx: &Cx,
    nodes: &Term,
    fun: &Fun,
    timeout: &Term,
) -> Result<Vec<Result<Term, Exception>>, Exception> {
    fun0(fun)?;
    let timeout = timeout_from_term(timeout)?;
    multicall_applied(cx, nodes_arg(nodes), || fun.applied(), timeout).await
}

/// `erpc:multicast(Nodes, Module, Function, Args)` with term arguments; see
/// [`crate::multicast`]. A bad node entry raises `{erpc, badarg}`; casts to the
/// entries before it were already sent.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let e = sim_erpc::multicast_term(&cx, &Term::atom("b@sim"), &Term::atom("erlang"),
///                                      &Term::atom("node"), &Term::List(vec![])).await;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,{erpc,badarg}}".to_string()));
/// ```
pub async fn multicast_term(
    cx: &Cx,
    nodes: &Term,
    module: &Term,
    function: &Term,
    args: &Term,
) -> Result<(), Exception> {
    let (module, function, args) = (atom_arg(module)?, atom_arg(function)?, args_arg(args)?);
    for node in nodes_arg(nodes) {
        let node = node.ok_or_else(Exception::badarg)?;
        let what = Applied::Mfa {
            module,
            function,
            args: args.clone().into(),
        };
        cast_applied(cx, node, what).await;
    }
    Ok(())
}

/// `erpc:multicast(Nodes, Fun)` with term arguments. Like OTP it does not
/// check the fun's arity.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_erpc::Fun;
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let f = Fun::new(|_c| async move { Ok(Term::atom("done")) });
///     let e = sim_erpc::multicast_fun_term(&cx, &Term::list([Term::Int(1)]), &f).await;
///     Ok(e.unwrap_err().to_term())
/// }).unwrap();
/// assert_eq!(sim.run().value(0).map(|v| v.to_string()), Some("{error,{erpc,badarg}}".to_string()));
/// ```
pub async fn multicast_fun_term(cx: &Cx, nodes: &Term, fun: &Fun) -> Result<(), Exception> {
    for node in nodes_arg(nodes) {
        let node = node.ok_or_else(Exception::badarg)?;
        cast_applied(cx, node, fun.applied()).await;
    }
    Ok(())
}
