//! The rules of the operations a process asks for through its context, one
//! `impl World` block per topic. Each keeps the world's invariants itself
//! (both ends of a link, a name and its process, a timer and its owner); the
//! context only translates its typed arguments and hands the call over.

mod info;
mod link;
mod node;
mod receive;
mod registry;
mod spawn;
mod timer;

pub(crate) use receive::{Attempt, Marker, RecvPhase};
