//! sim-core: terms, processes, signals, mailboxes, virtual time and the
//! controlled scheduler of erpc-sim.
#![deny(missing_docs, missing_debug_implementations)]
#![deny(unsafe_code)]

pub mod id;
pub mod term;

pub use id::{NodeId, Pid, Ref};
pub use term::{Atom, Term};
