//! What a test needs, in one `use erpc_sim::prelude::*;`.
//!
//! ```
//! use erpc_sim::prelude::*;
//! let t = tuple![atom!("ok"), 1];
//! assert_eq!(t.to_string(), "{ok,1}");
//! ```

pub use sim_core::{
    args, atom, list, tuple, Atom, Class, Control, Cx, Event, Exception, Frame, Module, NodeId,
    Outcome, Pid, Random, Ref, RoundRobin, RunReport, Sim, SimBuilder, Strategy, Term, Time,
    Timeout, TraceMode,
};
