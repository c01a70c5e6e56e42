//! What a test needs, in one `use erpc_sim::prelude::*;`.
//!
//! ```
//! use erpc_sim::prelude::*;
//! let t = tuple![atom!("ok"), 1];
//! assert_eq!(t.to_string(), "{ok,1}");
//! ```

pub use sim_core::{
    args, atom, check_determinism, explore, list, tuple, Atom, Choice, Class, Control, Cx, Dfs,
    Event, Exception, Exploration, Explorer, Frame, Module, NodeId, Outcome, Pct, Pid, Pos, Random,
    Ref, RoundRobin, RunReport, Sim, SimBuilder, Strategy, StrategyKind, Term, Time, Timeout,
    TraceMode,
};

/// The OTP `erpc` API: `erpc::call(...)`, `erpc::multicall(...)`, ...
pub use sim_erpc as erpc;
/// Histories and the linearizability checker; the recorder and the
/// end-of-run check are also here directly.
pub use sim_history as history;
pub use sim_history::{check_linearizable, Recorder};
pub use sim_partition::{assert_conserved, Fault, Mode, Nemesis};
/// OTP's `rpc` API (`rpc::call`, `rpc::multicall`, ...).
pub use sim_rpc as rpc;
/// `SimBuilder::with_rpc()`: every node runs rpc's `rex` server.
pub use sim_rpc::RpcExt;
