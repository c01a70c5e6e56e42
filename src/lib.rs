//! erpc-sim: deterministic simulation testing of Erlang-style distributed systems,
//! with faithful OTP `erpc` and `rpc` semantics. The rest of this page is the README.
#![doc = include_str!("../README.md")]
//!
//! ## The crates behind this facade
//!
//! This crate re-exports the five crates of the workspace and offers a [`prelude`]
//! with what a test needs:
//!
//! - [`core`] (`sim-core`): terms, processes, signals, mailboxes, virtual
//!   time, the scheduler and its strategies, the explorer, traces;
//! - [`erpc`](crate::erpc) (`sim-erpc`): OTP's `erpc` API;
//! - [`rpc`](crate::rpc) (`sim-rpc`): OTP's legacy `rpc` API over `erpc`;
//! - [`partition`] (`sim-partition`): partitions, crashes and fault
//!   schedules, the conservation ledger and the nemesis;
//! - [`history`] (`sim-history`): operation histories and a linearizability checker.
//! - [`server`] (`sim-server`): gen_server-style `call`, `cast` and `reply`,
//!   a server loop, and serde conversion between Rust types and terms.
//!
//! Build a simulation with [`builder()`]: it is `Sim::builder()` with rpc's
//! `rex` on every node, as an OTP node has it.
//!
//! ```
//! use erpc_sim::prelude::*;
//!
//! let mut sim = Sim::builder().seed(7).nodes(["a@sim", "b@sim"]).build().unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     let child = cx.spawn_on("b@sim", |c| async move { Ok(Term::Atom(c.node())) }).await?;
//!     cx.check(cx.node_name(child.node()) == Atom::new("b@sim"), "spawned on b")?;
//!     Ok(atom!("ok"))
//! }).unwrap();
//! sim.run().assert_ok();
//! ```
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod prelude;
mod wiring;

pub use wiring::builder;

/// `sim-core`: terms, processes, signals, mailboxes, time, scheduling, traces.
pub use sim_core as core;
/// `sim-erpc`: the OTP `erpc` API.
pub use sim_erpc as erpc;
/// `sim-history`: operation histories and a linearizability checker.
pub use sim_history as history;
/// `sim-partition`: partitions, node crashes and fault schedules.
pub use sim_partition as partition;
/// `sim-rpc`: the OTP `rpc` API.
pub use sim_rpc as rpc;
/// `sim-server`: gen_server-style calls and typed messages.
pub use sim_server as server;
