//! sim-rpc: OTP's legacy `rpc` API for processes of an erpc-sim simulation.
//!
//! As in OTP 25, `rpc` is a thin layer over erpc ([`sim_erpc`]): `call` is
//! `erpc:call` and `multicall` is `erpc:multicall`, with OTP's own mapping of
//! the outcome ([`rpcify`]): a value is returned, a `throw` returns the thrown
//! value, and a failure becomes `{badrpc, Reason}` (`nodedown`, `timeout`,
//! `{'EXIT', Reason}`, ...) instead of an exception; only a bad argument
//! raises (`error:badarg`). Results are terms shaped exactly as OTP returns
//! them; [`BadRpc`] reads `{badrpc, Reason}` for Rust callers.
//!
//! What erpc does not cover runs through `rex`, the rpc server every node
//! runs ([`rex`]). **rpc needs it booted**: build the simulation with
//! [`RpcExt::with_rpc`] (the `erpc-sim` facade's default builder is meant to
//! do this for you). `rex` serves `block_call` (applied inside `rex`, so
//! block_calls to one node are serialized), `sbcast`, and, for a node that
//! does not support spawn requests (`SimBuilder::without_spawn_request`), the
//! older protocol OTP 23 and 24 fell back to (`{call, M, F, A, GL}` to `rex`),
//! so `call`, `multicall` and `cast` still give the right result there.
//!
//! ```
//! use sim_core::{Sim, Term, Timeout};
//! use sim_rpc::{BadRpc, RpcExt};
//!
//! let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).with_rpc().build().unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     let node = sim_rpc::call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await?;
//!     let slow = sim_rpc::call(&cx, "b@sim", "timer", "sleep", vec![Term::Int(100)], Timeout::ms(10)).await?;
//!     cx.check(BadRpc::from_term(&slow) == Some(BadRpc::Timeout), "{badrpc,timeout}")?;
//!     let all = sim_rpc::multicall(&cx, &["b@sim", "nobody@sim"], "erlang", "node", vec![], Timeout::Infinity).await?;
//!     cx.check(all.to_string() == "{[b@sim],[nobody@sim]}", "{ResL, BadNodes}")?;
//!     Ok(node)
//! }).unwrap();
//! assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
//! ```
//!
//! | OTP | sim-rpc |
//! | --- | --- |
//! | `call/4`, `call/5` | [`call`] (`Timeout::Infinity` for `call/4`), [`call_term`] |
//! | `call(N, erlang, apply, [Fun, []], T)` | [`call_fun`] |
//! | `block_call/4`, `/5` | [`block_call`], [`block_call_term`] |
//! | `cast/4` | [`cast`], [`cast_term`] |
//! | `multicall/4`, `/5` (with nodes) | [`multicall`], [`multicall_term`] |
//! | `multicall/3`, `/4` (`[node() \| nodes()]`) | [`multicall_all`] |
//! | `multicall(Ns, erlang, apply, [Fun, []], T)` | [`multicall_fun`] |
//! | `abcast/3`, `abcast/2` | [`abcast`], [`abcast_all`] |
//! | `sbcast/3`, `sbcast/2` | [`sbcast`], [`sbcast_all`] |
//! | `eval_everywhere/4`, `/3` | [`eval_everywhere`], [`eval_everywhere_all`] |
//! | `multi_server_call/3`, `/2` | [`multi_server_call`], [`multi_server_call_all`] |
//! | `server_call/4` | [`server_call`] |
//! | `async_call/4` | [`async_call`], [`async_call_term`] → [`Key`] |
//! | `yield/1` | [`yield_result`], [`yield_term`] |
//! | `nb_yield/1`, `/2` | [`nb_yield`] (`Timeout::ms(0)` for `/1`), [`nb_yield_term`] |
//! | `parallel_eval/1` | [`parallel_eval`] |
//! | `pmap/3` | [`pmap`] |
//! | the `rex` server | [`rex`], [`RpcExt::with_rpc`] |
//! | `rpcify_exception/2` | [`rpcify`] |
//!
//! The `_term` forms take every argument as an Erlang term and check it as
//! OTP does, for code that passes what Rust's types rule out (a node name
//! that is not an atom, args that are not a list).
//!
//! Modules (private; everything is re-exported here):
//! - `rpcify`: the pure translations of outcomes into rpc results, and [`BadRpc`];
//! - `call`: `call`, `block_call`, `cast`;
//! - `multicall`: `multicall` → `{ResL, BadNodes}`;
//! - `broadcast`: `abcast`, `sbcast`, `eval_everywhere`;
//! - `promise`: `async_call`, `yield`, `nb_yield`;
//! - `parallel`: `parallel_eval`, `pmap`;
//! - `server`: the `rex` server and the client side of its protocol,
//!   `server_call`, `multi_server_call`, [`RpcExt`];
//! - `arg`: term-argument checks, over erpc's own (`sim_erpc::is_list`), raising rpc's
//!   `badarg`; one deadline per operation is erpc's `Deadline`.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod arg;
mod broadcast;
mod call;
mod multicall;
mod parallel;
mod promise;
mod rpcify;
mod server;

pub use broadcast::{abcast, abcast_all, eval_everywhere, eval_everywhere_all, sbcast, sbcast_all};
pub use call::{block_call, block_call_term, call, call_fun, call_term, cast, cast_term};
pub use multicall::{multicall, multicall_all, multicall_fun, multicall_term, Multicall};
pub use parallel::{parallel_eval, pmap};
pub use promise::{
    async_call, async_call_term, nb_yield, nb_yield_term, yield_result, yield_term, Key,
};
pub use rpcify::{rpcify, BadRpc};
pub use server::{multi_server_call, multi_server_call_all, rex, server_call, RpcExt};

use sim_core::{Atom, Cx};
use sim_erpc::IntoNode;

/// `[node() | nodes()]`.
pub(crate) fn known_nodes(cx: &Cx) -> Vec<Atom> {
    std::iter::once(cx.node()).chain(cx.nodes()).collect()
}

/// Node names of a node list.
pub(crate) fn node_list<N: IntoNode>(cx: &Cx, nodes: impl IntoIterator<Item = N>) -> Vec<Atom> {
    nodes
        .into_iter()
        .map(|n| cx.node_name(n.into_node()))
        .collect()
}
