//! sim-core: terms, processes, signals, mailboxes, virtual time and the
//! controlled scheduler of erpc-sim.
//!
//! It knows nothing about erpc, rpc or partitions: those are layered on top
//! (`sim-erpc`, `sim-rpc`) or plugged in through the [`Network`] hook
//! (`sim-partition`).
//!
//! Modules:
//! - `term`: the Erlang value model (`Term`, `Atom`), its order, printing and parsing;
//! - `id`: `Pid`, `Ref`, `NodeId`;
//! - `sim`: `Sim` and its builder, the entry point;
//! - `cx`: `Cx`, a process's only handle on the world;
//! - `code`: modules of async functions and `apply`;
//! - `exception`: Erlang exceptions and exit reasons;
//! - `signal`: signals as data (private);
//! - `world`: the private owner of all state, the step loop and `Control`;
//! - `mailbox`: the message arena and selective receive with markers;
//! - `net`: the `Network` hook and the default reliable network;
//! - `sched`: `Event`, `Strategy`, `Schedule`, and the built-in strategies;
//! - `explore`: parallel exploration, shrinking, replay files, `check_determinism`;
//! - `render`: sequence diagrams of traces (HTML + SVG);
//! - `time`, `rng`, `trace`, `report`.
#![deny(missing_docs, missing_debug_implementations)]
#![deny(unsafe_code)]

mod bif;
mod body;
mod code;
mod cx;
mod exception;
mod exits;
mod explore;
mod fast_map;
pub mod id;
mod lazy_vec;
mod mailbox;
mod matcher;
mod net;
mod render;
mod report;
mod rng;
mod sched;
mod signal;
mod sim;
pub mod term;
mod time;
mod trace;
mod world;

pub use body::BoxFuture;
pub use code::{Function, Module};
pub use cx::{Cx, NodeRef, Receive, ReceiveForever, SendMsg, Target};
pub use exception::{Class, Exception, Frame, FrameArgs};
pub use exits::ExitPolicy;
pub use explore::{
    check_determinism, explore, DfsExploration, Exhaustive, Exploration, ExploreError, Explorer,
    Failure, MayFaults, ReplayError, ReplayFile, StrategyFactory, EXPLORE_RUN_WINDOW,
    ITERATIONS_ENV, REPLAY_ENV, REPLAY_FORMAT, SEED_ENV, SHARD_ENV,
};
pub use id::{NodeId, Pid, Ref};
pub use matcher::{Accept, Matcher};
pub use net::{FaultId, Network, ReliableNetwork, Verdict};
pub use render::sequence_diagram_html;
pub use report::{
    Blocked, BusyDistPort, FaultEntry, FaultKey, FaultRetime, Outcome, RunError, RunReport,
    SignalBooks,
};
pub use rng::SimRng;
pub use sched::{
    Choice, Choices, Dfs, Event, Pct, Pos, Random, Replay, RoundRobin, Schedule, Stamp, Strategy,
    StrategyKind,
};
pub use signal::{LocalSignals, SignalKind, SpawnOpts, SpawnReply};
pub use sim::{Sim, SimBuilder, SimError, DEFAULT_PROCESS_LIMIT};
pub use term::{Atom, AtomError, ParseError, Term, TermError};
pub use time::{Time, Timeout};
pub use trace::{trace_to_jsonl, Digest, TraceDest, TraceEvent, TraceMode, TraceRecord};
pub use world::{ActionError, Control, ControlAction, FaultAdmission};
pub use world::{DEFAULT_DIST_BUF_BUSY_LIMIT, DIST_SIGNAL_HEADER_BYTES};
