//! sim-erpc: the OTP 25 `erpc` API for processes of an erpc-sim simulation.
//!
//! It mirrors OTP's own mechanism, so the semantics fall out of it as they do
//! in OTP: a call is a spawn request on the target node with a monitor; the
//! spawned process applies the function and **exits** with the outcome encoded
//! in its exit reason; the caller reads it from the `'DOWN'`. A timeout
//! abandons the request (no late reply ever reaches the mailbox, though the
//! function runs to its end); a lost connection is `noconnection`. A call to
//! the own node with an infinite timeout applies the function in the calling
//! process itself, and `multicall` does the same for the first own-node entry.
//!
//! ```
//! use sim_core::{Sim, Term, Timeout};
//! use sim_erpc::{Exception, Exit};
//!
//! let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     let node = sim_erpc::call(&cx, "b@sim", "erlang", "node", vec![], Timeout::Infinity).await?;
//!     let exit = sim_erpc::call(&cx, "b@sim", "erlang", "exit", vec![Term::atom("oops")], Timeout::ms(1000)).await;
//!     cx.check(exit == Err(Exception::Exit(Exit::Exception(Term::atom("oops")))), "exit:{exception,oops}")?;
//!     Ok(node)
//! }).unwrap();
//! assert_eq!(sim.run().value(0), Some(&Term::atom("b@sim")));
//! ```
//!
//! Outcomes are enums ([`Exception`], [`Exit`], [`Error`], [`ErpcError`]), each
//! printable as the `{Class, Reason}` pair OTP raises; `?` re-raises them in a
//! process body with the same class and reason.
//!
//! | OTP | sim-erpc |
//! | --- | --- |
//! | `call/4`, `call/5` | [`call`] (`Timeout::Infinity` for `call/4`) |
//! | `call/2`, `call/3` | [`call_fun`] |
//! | `cast/4` | [`cast`] |
//! | `cast/2` | [`cast_fun`] |
//! | `send_request/4` | [`send_request`] |
//! | `send_request/2` | [`send_request_fun`] |
//! | `send_request/6` | [`send_request_labelled`] |
//! | `send_request/4` (fun, label, collection) | [`send_request_fun_labelled`] |
//! | `receive_response/1`, `/2` | [`receive_response`] |
//! | `receive_response/3` | [`receive_response_coll`] |
//! | `wait_response/1`, `/2` | [`wait_response`] (`Timeout::ms(0)` for `/1`) |
//! | `wait_response/3` | [`wait_response_coll`] |
//! | `check_response/2` | [`check_response`] |
//! | `check_response/3` | [`check_response_coll`] |
//! | `multicall/4`, `/5` | [`multicall`] |
//! | `multicall/2`, `/3` | [`multicall_fun`] |
//! | `multicast/4` | [`multicast`] |
//! | `multicast/2` | [`multicast_fun`] |
//! | `reqids_new/0` | [`reqids_new`] |
//! | `reqids_add/3` | [`reqids_add`] |
//! | `reqids_size/1` | [`reqids_size`] |
//! | `reqids_to_list/1` | [`reqids_to_list`] |
//! | `execute_call/3` | [`execute_mfa`] |
//! | `is_arg_error/4` | [`is_arg_error`] |
//! | `timeout_time()` | [`sim_core::Timeout`], checked as `timeout_value/1` ([`MAX_TIMEOUT_MS`]) |
//!
//! The same operations with Erlang terms as arguments, checked as OTP checks
//! them (for code that passes what Rust's types rule out, such as a node name
//! that is not an atom): [`call_term`], [`call_fun_term`], [`cast_term`],
//! [`cast_fun_term`], [`send_request_term`], [`send_request_fun_term`],
//! [`multicall_term`], [`multicall_fun_term`], [`multicast_term`],
//! [`multicast_fun_term`], with [`Fun`] (a closure with an arity),
//! [`timeout_from_term`], [`delete_from_term`], [`RequestId::from_term`] and
//! [`RequestIdCollection::from_term`].
//!
//! Modules (private; everything is re-exported here):
//! - `exception`: the outcome enums and their `{Class, Reason}` terms;
//! - `timeout`: timeout validation;
//! - `fun`: `Fun`, a fun value with an arity;
//! - `execute`: the target side: apply, catch by class, encode in the exit reason;
//! - `result`: the caller side: decode `'DOWN'`/`spawn_reply`, abandon on timeout;
//! - `call`, `cast`, `request`, `reqids`, `multicall`: the API families;
//! - `dynamic`: the term-level entry points;
//! - `node`: node lists of any node names ([`IntoNode`]).
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod arg;
mod call;
mod cast;
mod dynamic;
mod exception;
mod execute;
mod fun;
mod multicall;
mod node;
mod reqids;
mod request;
mod result;
mod timeout;

pub use arg::{arg_list, is_list};
pub use call::{call, call_fun};
pub use cast::{cast, cast_fun, multicast, multicast_fun};
pub use dynamic::{
    call_fun_term, call_term, cast_fun_term, cast_term, delete_from_term, multicall_fun_term,
    multicall_term, multicast_fun_term, multicast_term, send_request_fun_term, send_request_term,
};
pub use exception::{ErpcError, Error, Exception, Exit};
pub use execute::{execute_mfa, is_arg_error};
pub use fun::Fun;
pub use multicall::{multicall, multicall_fun};
pub use node::{node_refs, IntoNode};
pub use reqids::{
    check_response_coll, receive_response_coll, reqids_add, reqids_new, reqids_size,
    reqids_to_list, send_request_fun_labelled, send_request_labelled, wait_response_coll,
    CollectionError, PollResult, ReceiveResult, RequestIdCollection, Response,
};
pub use request::{
    check_response, receive_response, send_request, send_request_fun, wait_response, RequestId,
};
pub use timeout::{timeout_from_term, Deadline, MAX_TIMEOUT_MS};
