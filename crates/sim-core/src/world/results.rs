//! The foreground books: each foreground process's result, how many are still
//! running, the run's outcome, panics, and the exit policy that turns exits
//! into failures.
//!
//! Invariants, kept here and nowhere else:
//! - `alive` is the number of foreground processes without a result;
//! - a foreground process gets its result once;
//! - the first outcome set is the run's (later ones are ignored), so a
//!   failure is never overwritten by the way the run then stopped.

use crate::exits::{is_normal, ExitPolicy};
use crate::id::Pid;
use crate::report::{Outcome, RunError};
use crate::term::{Atom, Term};

pub(crate) struct Results {
    fg: Vec<(Pid, Option<Result<Term, Term>>)>,
    alive: usize,
    outcome: Option<Outcome>,
    panics: Vec<(Pid, String)>,
    /// The abnormal exits so far, under `ExitPolicy::AnyProcess`.
    exit_errors: Vec<RunError>,
    policy: ExitPolicy,
    treat_as_normal: Vec<Atom>,
    panic_is_failure: bool,
}

impl Results {
    pub(crate) fn new(
        policy: ExitPolicy,
        treat_as_normal: Vec<Atom>,
        panic_is_failure: bool,
    ) -> Results {
        Results {
            fg: Vec::new(),
            alive: 0,
            outcome: None,
            panics: Vec::new(),
            exit_errors: Vec::new(),
            policy,
            treat_as_normal,
            panic_is_failure,
        }
    }

    /// Books a new foreground process; its index names it from then on.
    pub(crate) fn add_foreground(&mut self, pid: Pid) -> u32 {
        self.fg.push((pid, None));
        self.alive += 1;
        (self.fg.len() - 1) as u32
    }

    /// Foreground process `i` ended with `result`.
    pub(crate) fn finish(&mut self, i: u32, result: Result<Term, Term>) {
        if let Some(slot @ None) = self.fg.get_mut(i as usize).map(|e| &mut e.1) {
            *slot = Some(result);
            self.alive -= 1;
        }
    }

    /// Foreground processes still running.
    pub(crate) fn alive(&self) -> usize {
        self.alive
    }

    /// Whether every foreground process has ended, so the run is complete
    /// (never under `AnyProcess`, which goes on until nothing is left to do).
    pub(crate) fn all_done(&self) -> bool {
        !self.fg.is_empty() && self.alive == 0 && self.policy != ExitPolicy::AnyProcess
    }

    pub(crate) fn results(&self) -> &[(Pid, Option<Result<Term, Term>>)] {
        &self.fg
    }

    pub(crate) fn policy(&self) -> ExitPolicy {
        self.policy
    }

    /// The run's outcome, once there is one.
    #[inline]
    pub(crate) fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    #[inline]
    pub(crate) fn ended(&self) -> bool {
        self.outcome.is_some()
    }

    /// Sets the outcome unless the run has one already.
    pub(crate) fn end(&mut self, outcome: Outcome) {
        self.outcome.get_or_insert(outcome);
    }

    /// A process body panicked: booked, and a failure if panics are.
    pub(crate) fn panicked(&mut self, pid: Pid, message: &str) {
        self.panics.push((pid, message.to_owned()));
        if self.panic_is_failure {
            self.end(Outcome::Panicked {
                pid,
                message: message.to_owned(),
            });
        }
    }

    pub(crate) fn panics(&self) -> &[(Pid, String)] {
        &self.panics
    }

    /// The abnormal exits booked under `AnyProcess`, taken.
    pub(crate) fn take_exit_errors(&mut self) -> Vec<RunError> {
        std::mem::take(&mut self.exit_errors)
    }

    /// Applies the exit policy to a process that ended with `reason`.
    pub(crate) fn exited(&mut self, pid: Pid, foreground: bool, reason: &Term) {
        if is_normal(reason, &self.treat_as_normal) {
            return;
        }
        match self.policy {
            ExitPolicy::Foreground if foreground => self.end(Outcome::ProcessExited {
                pid,
                reason: reason.clone(),
            }),
            ExitPolicy::AnyProcess => self.exit_errors.push(RunError::Exited {
                pid,
                reason: reason.clone(),
            }),
            _ => {}
        }
    }
}
