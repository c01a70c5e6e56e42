//! Scheduling: the closed [`Event`] enum, the [`Strategy`] trait and the
//! recorded [`Schedule`].
//!
//! At each step the world lists the enabled events and the strategy picks one:
//! every runnable process, every connection head whose delivery window has
//! opened by the *horizon*, every queue head of local signals (with
//! [`LocalSignals::Async`](crate::LocalSignals::Async)), and the earliest
//! pending timer if it is due by the horizon. The horizon is the earliest instant by which something must
//! happen: the end of a pending delivery's window, a timer's due time, or the
//! latest moment a runnable process may still be left waiting. Taking an event
//! moves virtual time to the earliest instant consistent with it, so the order
//! of two deliveries, or of a message and a timeout, is the strategy's
//! whenever their windows overlap. Every pick among two or more events is
//! recorded, so a run can be replayed.
//!
//! The list is ordered so that index 0 means "keep going": when the process
//! that took the last step can continue, it is first ([`Choice::continuing`]);
//! a pick of anything else then is a preemption.

mod choices;
mod dfs;
pub(crate) mod dpor;
pub(crate) mod footprint;
mod kind;
mod pct;
mod pos;
mod random;
mod replay;
mod round_robin;

pub use choices::Choices;
pub use dfs::Dfs;
pub use kind::StrategyKind;
pub use pct::Pct;
pub use pos::Pos;
pub use random::Random;
pub use replay::Replay;
pub use round_robin::RoundRobin;

use crate::id::{NodeId, Pid};
use crate::time::Time;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// Something the scheduler can do next.
///
/// ```
/// use sim_core::{Event, Pid, NodeId};
/// let e = Event::Run(Pid::new(0, 1, 1));
/// assert!(matches!(e, Event::Run(_)));
/// let d = Event::Deliver { from: NodeId(0), to: NodeId(1) };
/// assert!(matches!(d, Event::Deliver { .. }));
/// let s = Event::Signal { from: Pid::new(0, 1, 1), to: Pid::new(0, 2, 1) };
/// assert!(matches!(s, Event::Signal { .. }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// Poll a runnable process until its next sync point.
    Run(Pid),
    /// Deliver the head signal of the connection direction `from -> to`.
    Deliver {
        /// Sending node.
        from: NodeId,
        /// Receiving node.
        to: NodeId,
    },
    /// Deliver the oldest queued signal from `from` to `to`, two processes of
    /// one node ([`LocalSignals::Async`](crate::LocalSignals::Async) only).
    Signal {
        /// Sending process.
        from: Pid,
        /// Receiving process.
        to: Pid,
    },
    /// Fire a timer (a receive timeout, a sleep, an Erlang timer) or run a
    /// scheduled action, numbered in the order they were set.
    Fire {
        /// The timer's number.
        id: u64,
    },
    /// Apply optional fault `nth` of an exhaustive exploration
    /// (`Explorer::may_fault`); ordinary runs never offer it.
    Fault {
        /// The fault's place in the explorer's fault set.
        nth: u32,
    },
}

/// When an event in a [`Choice`] can happen, and how old it is.
///
/// ```
/// use sim_core::{Stamp, Time};
/// let s = Stamp { earliest: Time::us(5), seq: 2 };
/// assert!(s < Stamp { earliest: Time::us(5), seq: 3 });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Stamp {
    /// The earliest instant the event can be taken at: when a process became
    /// runnable, when a delivery's window opens, when a local signal was
    /// sent, when a timer is due.
    pub earliest: Time,
    /// A sequence number: for processes the order they became runnable, for
    /// deliveries and local signals the signal's send number, for timers the
    /// order they were set.
    pub seq: u64,
}

/// One choice point, as a strategy sees it.
///
/// ```
/// use sim_core::{Choice, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let c = Choice::of(&evs);
/// assert_eq!(c.events.len(), 2);
/// assert!(!c.continuing);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Choice<'a> {
    /// The enabled events (never empty). Runnable processes come first, then
    /// deliveries, local signals and the due timer.
    pub events: &'a [Event],
    /// One stamp per event (empty when the caller has none).
    pub stamps: &'a [Stamp],
    /// Whether `events[0]` is the process that took the previous step and
    /// could go on: picking anything else is a preemption.
    pub continuing: bool,
    /// Virtual time now.
    pub now: Time,
    /// Steps taken so far in the run.
    pub step: u64,
}

impl<'a> Choice<'a> {
    /// A choice among `events` with no stamps, not continuing, at step 0.
    pub fn of(events: &'a [Event]) -> Choice<'a> {
        Choice {
            events,
            stamps: &[],
            continuing: false,
            now: Time::ZERO,
            step: 0,
        }
    }

    /// The stamp of event `i` (a default one if there is none).
    ///
    /// ```
    /// use sim_core::{Choice, Event, Pid, Stamp};
    /// let evs = [Event::Run(Pid::new(0, 1, 1))];
    /// assert_eq!(Choice::of(&evs).stamp(0), Stamp::default());
    /// ```
    pub fn stamp(&self, i: usize) -> Stamp {
        self.stamps.get(i).copied().unwrap_or_default()
    }
}

/// Picks the next event. One algorithm per implementation; all randomness must
/// come from a generator seeded in [`Strategy::start`] (with the run's
/// schedule seed). A strategy implements [`Strategy::pick`], or
/// [`Strategy::choose`] when it needs more than the list of events.
///
/// ```
/// use sim_core::{Strategy, Event, Pid};
///
/// /// Always the most recently enabled event.
/// #[derive(Debug)]
/// struct Last;
/// impl Strategy for Last {
///     fn name(&self) -> String { "last".into() }
///     fn start(&mut self, _seed: u64) {}
///     fn pick(&mut self, enabled: &[Event]) -> usize { enabled.len() - 1 }
/// }
/// let mut s = Last;
/// s.start(0);
/// assert_eq!(s.pick(&[Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))]), 1);
/// ```
pub trait Strategy: Debug {
    /// A short name for reports (`random`, `pct(3)`).
    fn name(&self) -> String;

    /// Called once before the first step with the run's schedule seed.
    fn start(&mut self, seed: u64);

    /// Index into `enabled` (never empty) of the event to run. Out-of-range
    /// answers are taken modulo the length.
    fn pick(&mut self, enabled: &[Event]) -> usize;

    /// What the world calls at every choice point: by default
    /// [`Strategy::pick`] on the events. Override it to see stamps, whether
    /// the current process can continue, the time and the step.
    ///
    /// ```
    /// use sim_core::{Choice, Event, Pid, Strategy};
    /// /// Never preempts: keeps the current process, else the oldest event.
    /// #[derive(Debug)]
    /// struct Patient;
    /// impl Strategy for Patient {
    ///     fn name(&self) -> String { "patient".into() }
    ///     fn start(&mut self, _seed: u64) {}
    ///     fn pick(&mut self, _enabled: &[Event]) -> usize { 0 }
    ///     fn choose(&mut self, c: &Choice<'_>) -> usize {
    ///         if c.continuing { 0 } else {
    ///             (0..c.events.len()).min_by_key(|&i| c.stamp(i)).unwrap_or(0)
    ///         }
    ///     }
    /// }
    /// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
    /// assert_eq!(Patient.choose(&Choice::of(&evs)), 0);
    /// ```
    fn choose(&mut self, choice: &Choice<'_>) -> usize {
        self.pick(choice.events)
    }

    /// Whether [`Strategy::choose`] is also called at steps where only one
    /// event is enabled (its answer is then ignored and nothing is recorded).
    /// A strategy that counts steps, as PCT's change points do, says `true`.
    ///
    /// ```
    /// use sim_core::{Pct, Random, Strategy};
    /// assert!(Pct::new(2).sees_every_step());
    /// assert!(!Random::default().sees_every_step());
    /// ```
    fn sees_every_step(&self) -> bool {
        false
    }

    /// `Some(reason)` once a strategy that replays a schedule has diverged from it.
    fn diverged(&self) -> Option<String> {
        None
    }

    /// For replaying strategies: whether every recorded choice was used (a run
    /// that ends early has diverged too). Others answer `true`.
    fn replayed_all(&self) -> bool {
        true
    }
}

/// The recorded choices of a run: one index per step at which two or more
/// events were enabled, in order, packed ([`Choices`]).
///
/// ```
/// use sim_core::Schedule;
/// let s = Schedule::new(1, vec![0, 2, 1]);
/// assert_eq!(s.len(), 3);
/// assert_eq!(s.schedule_seed, 1);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// The data seed of the run (user draws and fault draws follow from it).
    pub seed: u64,
    /// The schedule seed the strategy started from.
    #[serde(default)]
    pub schedule_seed: u64,
    /// The picks at every choice point.
    pub choices: Choices,
}

impl Schedule {
    /// A schedule for data seed `seed` (the schedule seed equal to it).
    pub fn new(seed: u64, choices: impl Into<Choices>) -> Schedule {
        Schedule {
            seed,
            schedule_seed: seed,
            choices: choices.into(),
        }
    }

    /// Number of recorded choices.
    ///
    /// ```
    /// use sim_core::Schedule;
    /// assert!(Schedule::default().is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.choices.len()
    }

    /// `true` when no choice was recorded.
    ///
    /// ```
    /// use sim_core::Schedule;
    /// assert_eq!(Schedule::default().len(), 0);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.choices.is_empty()
    }
}
