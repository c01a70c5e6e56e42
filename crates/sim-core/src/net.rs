//! The network hook: per cross-node signal, deliver within a latency window,
//! drop, or hold.
//!
//! **API Boundary:** sim-core defines [`Network`]; sim-partition implements the
//! faulty network. The core owns the connections and the signals themselves (so
//! ordering and accounting live in one place); a network only gives verdicts.

use crate::id::NodeId;
use crate::rng::SimRng;
use crate::time::Time;
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::fmt::Debug;

/// Names a fault that dropped or held a signal (assigned by the network).
///
/// ```
/// use sim_core::FaultId;
/// assert_eq!(FaultId(3).0, 3);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct FaultId(pub u32);

/// What happens to one signal crossing from one node to another.
///
/// ```
/// use sim_core::{Verdict, Time};
/// let v = Verdict::Deliver { min: Time::us(100), max: Time::ms(1) };
/// assert!(matches!(v, Verdict::Deliver { .. }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Deliver with a latency anywhere in `min..=max`: the signal is an
    /// event the strategy may take from `sent + min` on, and must take by
    /// `sent + max`. It never arrives before anything sent earlier on the
    /// same connection (each direction stays FIFO; a window that would open
    /// or close before its predecessor's is moved up to it).
    Deliver {
        /// The least latency.
        min: Time,
        /// The greatest latency (taken as `min` if below it).
        max: Time,
    },
    /// Lose it. On a connection that is up, this also takes the connection down
    /// (as a broken link does): links and monitors across it fire `noconnection`.
    Drop {
        /// The fault responsible.
        fault: FaultId,
    },
    /// Hold it (and everything after it on this direction) until released.
    Hold {
        /// The cut responsible.
        fault: FaultId,
    },
}

/// Decides the fate of cross-node signals. Consulted when a signal is sent and
/// again when it reaches the head of its connection, so a cut made while a
/// signal is in flight still applies to it.
///
/// Implementations must be deterministic: draw randomness only from the given
/// `rng`. It is keyed by the connection direction and the signal's number on
/// it, so a draw for one signal does not shift when the schedule changes the
/// order of signals elsewhere.
///
/// ```
/// use sim_core::{Network, NodeId, SimRng, Verdict, Time, FaultId};
/// use std::any::Any;
///
/// #[derive(Debug)]
/// struct Instant;
/// impl Network for Instant {
///     fn verdict(&mut self, _from: NodeId, _to: NodeId, _rng: &mut SimRng) -> Verdict {
///         Verdict::Deliver { min: Time::ZERO, max: Time::ZERO }
///     }
///     fn fault_name(&self, fault: FaultId) -> String { format!("fault {}", fault.0) }
///     fn as_any_mut(&mut self) -> &mut dyn Any { self }
/// }
/// let mut n = Instant;
/// let mut rng = SimRng::new(0, 0);
/// assert_eq!(n.verdict(NodeId(0), NodeId(1), &mut rng), Verdict::Deliver { min: Time::ZERO, max: Time::ZERO });
/// ```
pub trait Network: Debug + 'static {
    /// The verdict for one signal from `from` to `to`.
    fn verdict(&mut self, from: NodeId, to: NodeId, rng: &mut SimRng) -> Verdict;

    /// A human-readable name for a fault this network reported.
    fn fault_name(&self, fault: FaultId) -> String;

    /// Access to the concrete network, so fault actions can reconfigure it.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The default network: every signal arrives, with a latency anywhere in
/// `min..=max` (which instant is the strategy's choice).
///
/// ```
/// use sim_core::{Network, ReliableNetwork, NodeId, SimRng, Verdict, Time};
/// let mut n = ReliableNetwork::new(Time::us(10), Time::us(20));
/// let mut rng = SimRng::new(0, 0);
/// assert_eq!(
///     n.verdict(NodeId(0), NodeId(1), &mut rng),
///     Verdict::Deliver { min: Time::us(10), max: Time::us(20) }
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ReliableNetwork {
    min: Time,
    max: Time,
}

impl ReliableNetwork {
    /// A reliable network with latencies in `min..=max` (swapped if reversed).
    ///
    /// ```
    /// use sim_core::{ReliableNetwork, Time};
    /// let n = ReliableNetwork::new(Time::ZERO, Time::ms(1));
    /// assert_eq!(n.latency(), (Time::ZERO, Time::ms(1)));
    /// ```
    pub fn new(min: Time, max: Time) -> ReliableNetwork {
        if max < min {
            ReliableNetwork { min: max, max: min }
        } else {
            ReliableNetwork { min, max }
        }
    }

    /// The latency range.
    ///
    /// ```
    /// use sim_core::{ReliableNetwork, Time};
    /// assert_eq!(ReliableNetwork::default().latency().0, Time::us(100));
    /// ```
    pub fn latency(&self) -> (Time, Time) {
        (self.min, self.max)
    }

    /// Draws one latency.
    ///
    /// ```
    /// use sim_core::{ReliableNetwork, SimRng, Time};
    /// let n = ReliableNetwork::new(Time::us(5), Time::us(5));
    /// assert_eq!(n.draw(&mut SimRng::new(0, 0)), Time::us(5));
    /// ```
    pub fn draw(&self, rng: &mut SimRng) -> Time {
        Time::us(rng.range_inclusive(self.min.as_us(), self.max.as_us()))
    }
}

impl Default for ReliableNetwork {
    /// Latencies between 100 µs and 1 ms.
    fn default() -> ReliableNetwork {
        ReliableNetwork::new(Time::us(100), Time::ms(1))
    }
}

impl Network for ReliableNetwork {
    fn verdict(&mut self, _from: NodeId, _to: NodeId, _rng: &mut SimRng) -> Verdict {
        Verdict::Deliver {
            min: self.min,
            max: self.max,
        }
    }

    fn fault_name(&self, fault: FaultId) -> String {
        format!("fault#{}", fault.0)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
