//! What a test needs, in one `use erpc_sim::prelude::*;`.
//!
//! One `Exception`: sim-core's, the one process bodies and `Cx` calls return.
//! erpc's outcome enum is [`ErpcException`] here (`erpc::Exception` in its
//! crate); `?` turns it into an `Exception` with the same class and reason.
//! Build a simulation whose nodes run rpc's `rex` with [`crate::builder()`].
//!
//! ```
//! use erpc_sim::prelude::*;
//! let t = tuple![atom!("ok"), 1];
//! assert_eq!(t.to_string(), "{ok,1}");
//! let e: ErpcException = erpc::Exception::Throw(Term::Int(1));
//! let core: Exception = e.into();
//! assert_eq!(core.class, Class::Throw);
//! ```

pub use sim_core::{
    args, atom, check_determinism, explore, list, tuple, Atom, Choice, Class, Control, Cx, Dfs,
    Event, Exception, Exhaustive, ExitPolicy, Exploration, Explorer, Frame, LocalSignals, Matcher,
    Module, NodeId, Outcome, Pct, Pid, Pos, Random, Ref, RoundRobin, RunReport, Sim, SimBuilder,
    SpawnOpts, SpawnReply, Strategy, StrategyKind, Term, Time, Timeout, TraceMode,
};

/// The OTP `erpc` API: `erpc::call(...)`, `erpc::multicall(...)`, ...
pub use sim_erpc as erpc;
/// erpc's outcome of a failed call (`erpc::Exception`), named apart from
/// the process-level [`Exception`].
pub use sim_erpc::Exception as ErpcException;
/// Histories and the linearizability checker; the recorder and the
/// end-of-run check are also here directly.
pub use sim_history as history;
pub use sim_history::{check_linearizable, Recorder};
pub use sim_partition::{assert_conserved, Fault, Mode, Nemesis};
/// OTP's `rpc` API (`rpc::call`, `rpc::multicall`, ...).
pub use sim_rpc as rpc;
/// gen_server-style calls and typed messages: `server::call(...)`,
/// `server::to_term(...)`, ...
pub use sim_server as server;
pub use sim_server::{from_term, to_term, Request};
