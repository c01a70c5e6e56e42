//! `Replay`: follows a recorded schedule, and says where it stops fitting.

use crate::sched::{Event, Schedule, Strategy};

/// Replays the choices of a [`Schedule`]. When the program no longer fits the
/// schedule (a recorded index out of range, or choices left over or missing),
/// [`Strategy::diverged`] reports where, and the run continues with the first
/// enabled event.
///
/// ```
/// use sim_core::{Replay, Schedule, Strategy, Event, Pid};
/// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
/// let mut r = Replay::new(Schedule::new(0, vec![1, 0]));
/// r.start(0);
/// assert_eq!(r.pick(&evs), 1);
/// assert_eq!(r.pick(&evs), 0);
/// assert!(r.diverged().is_none());
/// assert_eq!(r.pick(&evs), 0);
/// assert!(r.diverged().is_some(), "ran past the recorded choices");
/// ```
#[derive(Debug, Clone)]
pub struct Replay {
    schedule: Schedule,
    next: usize,
    diverged: Option<String>,
    lenient: bool,
}

impl Replay {
    /// Replays `schedule` strictly: any mismatch is a divergence.
    pub fn new(schedule: Schedule) -> Replay {
        Replay {
            schedule,
            next: 0,
            diverged: None,
            lenient: false,
        }
    }

    /// Replays `schedule` as a prefix: past its end, or where a recorded index
    /// no longer fits, it takes the first enabled event without reporting a
    /// divergence (what a shrinker needs when it edits schedules).
    ///
    /// ```
    /// use sim_core::{Replay, Schedule, Strategy, Event, Pid};
    /// let evs = [Event::Run(Pid::new(0, 1, 1)), Event::Run(Pid::new(0, 2, 1))];
    /// let mut r = Replay::lenient(Schedule::new(0, vec![1]));
    /// r.start(0);
    /// assert_eq!(r.pick(&evs), 1);
    /// assert_eq!(r.pick(&evs), 0);
    /// assert!(r.diverged().is_none());
    /// ```
    pub fn lenient(schedule: Schedule) -> Replay {
        Replay {
            lenient: true,
            ..Replay::new(schedule)
        }
    }

    /// The schedule being replayed.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }
}

impl Strategy for Replay {
    fn name(&self) -> String {
        "replay".into()
    }

    fn replayed_all(&self) -> bool {
        self.lenient || self.next >= self.schedule.choices.len()
    }

    fn start(&mut self, _seed: u64) {
        self.next = 0;
        self.diverged = None;
    }

    fn pick(&mut self, enabled: &[Event]) -> usize {
        let i = self.next;
        self.next += 1;
        if self.lenient {
            return match self.schedule.choices.get(i) {
                Some(c) if (c as usize) < enabled.len() => c as usize,
                _ => 0,
            };
        }
        match self.schedule.choices.get(i) {
            Some(c) if (c as usize) < enabled.len() => c as usize,
            Some(c) => {
                if self.diverged.is_none() {
                    self.diverged = Some(format!(
                        "at choice point {i}: the schedule picks event {c} but only {} are enabled ({:?})",
                        enabled.len(),
                        enabled
                    ));
                }
                0
            }
            None => {
                if self.diverged.is_none() {
                    self.diverged = Some(format!(
                        "at choice point {i}: the schedule has only {} choices but the program goes on",
                        self.schedule.choices.len()
                    ));
                }
                0
            }
        }
    }

    fn diverged(&self) -> Option<String> {
        self.diverged.clone()
    }
}
