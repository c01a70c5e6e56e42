//! `RoundRobin`: the BEAM-like order of one scheduler with one run queue.
//!
//! A BEAM scheduler runs the process at the head of its run queue until it
//! blocks (here: until it is no longer runnable), and a process that becomes
//! runnable joins the end of the queue. Signals from other nodes and timers
//! come in when no process can run, earliest due first (a fast network: each
//! delivery at the start of its window).
//!
//! A signal between two processes of one node is delivered before anything
//! else, oldest first. A BEAM receiver handles its whole signal queue, in
//! arrival order, before it next runs; plain messages arrive at once here, so
//! delivering a pending signal any later could let a message sent after it
//! overtake it. Delivering it first is the arrival order one BEAM scheduler
//! produces, and the sender goes on after it as it would have.

use crate::sched::{Choice, Event, Strategy};

/// The BEAM-like order: a pending local signal first; then the current
/// process goes on while it can; otherwise
/// the process that has been runnable longest; with none, the delivery or
/// timer due earliest (deliveries first on a tie, then in send or set order).
/// Deterministic and seed-independent.
///
/// ```
/// use sim_core::{Choice, Event, Pid, RoundRobin, Stamp, Strategy, Time};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let stamps = [Stamp { earliest: Time::ZERO, seq: 7 }, Stamp { earliest: Time::ZERO, seq: 3 }];
/// let mut s = RoundRobin::default();
/// let c = Choice { stamps: &stamps, ..Choice::of(&evs) };
/// assert_eq!(s.choose(&c), 1, "the longest runnable first");
/// let c = Choice { continuing: true, ..c };
/// assert_eq!(s.choose(&c), 0, "the current process goes on");
/// let evs = [evs[0], Event::Signal { from: Pid::new(0, 1, 1), to: Pid::new(0, 2, 1) }];
/// let c = Choice { events: &evs, ..c };
/// assert_eq!(s.choose(&c), 1, "a local signal before anything else");
/// ```
#[derive(Debug, Default)]
pub struct RoundRobin {
    _state: (),
}

fn rank(ev: &Event) -> u8 {
    match ev {
        Event::Run(_) => 0,
        Event::Deliver { .. } => 1,
        Event::Fire { .. } => 2,
        Event::Signal { .. } => 3,
        Event::Fault { .. } => 4,
    }
}

impl Strategy for RoundRobin {
    fn name(&self) -> String {
        "round_robin".into()
    }

    fn start(&mut self, _seed: u64) {}

    fn pick(&mut self, enabled: &[Event]) -> usize {
        self.choose(&Choice::of(enabled))
    }

    fn choose(&mut self, c: &Choice<'_>) -> usize {
        let signal = (0..c.events.len())
            .filter(|&i| rank(&c.events[i]) == 3)
            .min_by_key(|&i| c.stamp(i).seq);
        if let Some(i) = signal {
            return i;
        }
        if c.continuing {
            return 0;
        }
        (0..c.events.len())
            .min_by_key(|&i| {
                let s = c.stamp(i);
                let r = rank(&c.events[i]);
                // Processes by age; the rest earliest due first.
                if r == 0 {
                    (0, Default::default(), 0, s.seq)
                } else {
                    (1, s.earliest, r, s.seq)
                }
            })
            .unwrap_or(0)
    }
}
