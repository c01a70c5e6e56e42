//! sim-history: operation histories and a linearizability checker.
//!
//! Processes record what they asked and what they got ([`Recorder`]); after
//! the run (or from any recorded Jepsen/Porcupine history, see [`jepsen`])
//! [`check`] decides whether some order of the operations, each taking effect
//! at one instant between its invocation and its completion, explains every
//! result under a sequential [`Model`].
//!
//! An operation that completed with [`Status::Info`] (a timeout, a
//! `{badrpc, nodedown}`) may have taken effect at any time after its
//! invocation, or never; one that completed with [`Status::Fail`] certainly
//! did not happen and is ignored.
//!
//! The checker is the Wing–Gong–Lowe search with memoisation of (linearized
//! set, state), P-compositionality for models that split by key, a step budget
//! that answers [`Verdict::Unknown`] rather than hanging, and, for a
//! violation, the smallest failing prefix and the results that conflict.
//!
//! ```
//! use sim_history::{check, CasOp, CasRegister, History, Ret, Verdict};
//! use sim_core::Time;
//!
//! let mut h = History::new();
//! let w = h.invoke(0, CasOp::Write(1), Time::ms(1)).unwrap();
//! let c = h.invoke(1, CasOp::Cas(1, 2), Time::ms(2)).unwrap();
//! h.info(w, Time::ms(3)).unwrap(); // timed out: it may or may not have happened
//! h.ok(c, Ret::Bool(true), Time::ms(4)).unwrap(); // so it did
//! let r = h.invoke(0, CasOp::Read, Time::ms(5)).unwrap();
//! h.ok(r, Ret::Value(2), Time::ms(6)).unwrap();
//! assert_eq!(check(&CasRegister::new(0), &h), Verdict::Linearizable);
//! ```
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod check;
mod explain;
mod hash;
mod history;
pub mod jepsen;
mod model;
mod models;
mod recorder;
mod search;

pub use check::{check, Checker, Verdict, DEFAULT_STEPS};
pub use explain::{Involved, Violation};
pub use history::{Edn, Event, EventKind, History, HistoryError, JepsenOp, Op, OpId, Status};
pub use model::Model;
pub use models::{
    CasOp, CasRegister, Counter, CounterOp, KvMap, KvOp, Queue, QueueOp, Register, RegisterOp, Ret,
    Set, SetOp,
};
pub use recorder::{check_linearizable, Invocation, Recorder};
