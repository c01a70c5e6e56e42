//! Signals: everything one process can do to another, as data.
//!
//! A `Cx` operation turns into a `Signal`; the world routes it (at once on the
//! same node, over a connection between nodes) and applies it on arrival. The
//! trace records the same signals, so what was done and what was recorded
//! cannot drift apart.

use crate::id::{NodeId, Pid, Ref};
use crate::term::{Atom, Term};
use serde::{Deserialize, Serialize};

/// Where a signal goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dest {
    Pid(Pid),
    /// A registered name on a node, resolved on arrival.
    Name(Atom, NodeId),
    /// The node itself (spawn requests).
    Node(NodeId),
}

impl Dest {
    pub(crate) fn node(self) -> NodeId {
        match self {
            Dest::Pid(p) => p.node(),
            Dest::Name(_, n) | Dest::Node(n) => n,
        }
    }
}

/// How signals other than plain messages travel between two processes of one
/// node ([`SimBuilder::local_signals`](crate::SimBuilder::local_signals)).
///
/// Between nodes every signal is an event of its own (a connection head);
/// this chooses the same for exit signals, links and monitors on one node.
///
/// ```
/// use sim_core::{LocalSignals, Sim};
/// assert_eq!(LocalSignals::default(), LocalSignals::Async);
/// let sim = Sim::builder().local_signals(LocalSignals::Instant).nodes(["a@sim"]).build();
/// assert!(sim.is_ok());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalSignals {
    /// Delivered inside the step that sends them: a process's exit, its
    /// link's exit signal and the linked process's death are one step.
    Instant,
    /// As in Erlang, asynchronous: exit signals (a link's at exit, `exit/2`),
    /// `'DOWN'`, and link, unlink, monitor and demonitor requests wait in one
    /// FIFO queue per (sender, receiver) pair, whose head is an enabled
    /// [`Event::Signal`](crate::Event::Signal). A message from a sender with a
    /// signal still queued to the same receiver waits behind it; otherwise
    /// messages arrive at once, as with `Instant`.
    #[default]
    Async,
}

/// What a monitor watches: a pid, or a registered name (the `'DOWN'` then names
/// `{Name, Node}`, never the pid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MonTarget {
    Pid(Pid),
    Name(Atom, NodeId),
}

/// The kind of a signal, as the trace records it (one per kind of signal body).
///
/// ```
/// use sim_core::SignalKind;
/// assert_eq!(format!("{:?}", SignalKind::Message), "Message");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// An ordinary message.
    Message,
    /// A link request.
    Link,
    /// An unlink request.
    Unlink,
    /// An exit signal (from a link or from `exit/2`).
    Exit,
    /// A monitor request.
    Monitor,
    /// A demonitor request.
    Demonitor,
    /// A `'DOWN'` notification.
    Down,
    /// A spawn request (remote spawn, the basis of erpc).
    SpawnRequest,
    /// The answer to a spawn request.
    SpawnReply,
}

/// How the spawner wants to hear about a spawn request (OTP's `reply` option).
///
/// ```
/// use sim_core::SpawnReply;
/// assert_eq!(SpawnReply::default(), SpawnReply::Yes);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SpawnReply {
    /// `{spawn_reply, Ref, ok, Pid}` or `{spawn_reply, Ref, error, Reason}`.
    #[default]
    Yes,
    /// Only failures are reported.
    ErrorOnly,
    /// Nothing is reported.
    No,
}

/// Options of a spawn request (OTP's `spawn_request/5` options).
///
/// ```
/// use sim_core::{SpawnOpts, SpawnReply};
/// let o = SpawnOpts { monitor: true, reply: SpawnReply::ErrorOnly, ..SpawnOpts::default() };
/// assert!(o.monitor && !o.link);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SpawnOpts {
    /// Link the new process to the spawner.
    pub link: bool,
    /// Monitor the new process; the monitor's reference is the request's.
    pub monitor: bool,
    /// Which replies to deliver as messages.
    pub reply: SpawnReply,
}

/// What one process does to another. `S` is the body a spawn request carries: the
/// world's start function (this module stays pure data, below the world).
#[derive(Debug)]
pub(crate) enum Body<S> {
    Message(Term),
    Link,
    Unlink,
    /// `linked`: the exit comes from a dying linked process (not `exit/2`).
    Exit {
        reason: Term,
        linked: bool,
    },
    Monitor {
        r: Ref,
        target: MonTarget,
    },
    Demonitor {
        r: Ref,
    },
    Down {
        r: Ref,
        object: Term,
        reason: Term,
    },
    SpawnRequest {
        r: Ref,
        body: S,
        opts: SpawnOpts,
    },
    SpawnReply {
        r: Ref,
        result: Result<Pid, Term>,
        opts: SpawnOpts,
    },
}

impl<S> Body<S> {
    pub(crate) fn kind(&self) -> SignalKind {
        match self {
            Body::Message(_) => SignalKind::Message,
            Body::Link => SignalKind::Link,
            Body::Unlink => SignalKind::Unlink,
            Body::Exit { .. } => SignalKind::Exit,
            Body::Monitor { .. } => SignalKind::Monitor,
            Body::Demonitor { .. } => SignalKind::Demonitor,
            Body::Down { .. } => SignalKind::Down,
            Body::SpawnRequest { .. } => SignalKind::SpawnRequest,
            Body::SpawnReply { .. } => SignalKind::SpawnReply,
        }
    }

    pub(crate) fn payload(&self) -> Option<&Term> {
        match self {
            Body::Message(t) => Some(t),
            Body::Exit { reason, .. } | Body::Down { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Signal<S> {
    pub(crate) id: u64,
    pub(crate) from: Pid,
    pub(crate) to: Dest,
    pub(crate) body: Body<S>,
}
