//! End-of-run checks: closures that judge a completed run as a whole, after
//! the last step, and turn it into [`Outcome::EndCheckFailed`] when they
//! object.

use crate::report::{Outcome, RunReport};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// One end-of-run check: `Err(message)` fails the run.
pub(crate) type EndCheck = Box<dyn Fn(&RunReport) -> Result<(), String>>;

/// The checks of one simulation and, once they ran, their verdict (a run's
/// report is asked for again after it ended: the checks run once).
#[derive(Default)]
pub(crate) struct EndChecks {
    checks: Vec<EndCheck>,
    verdict: Option<Outcome>,
}

impl EndChecks {
    pub(crate) fn push(&mut self, check: EndCheck) {
        self.checks.push(check);
    }

    /// Runs the checks on a completed run (once), in the order they were
    /// added; the first to object decides. A run that already failed keeps
    /// its own outcome.
    pub(crate) fn apply(&mut self, report: &mut RunReport) {
        if !report.outcome.is_ok() || self.checks.is_empty() {
            return;
        }
        let verdict = self.verdict.get_or_insert_with(|| {
            for check in &self.checks {
                let r = catch_unwind(AssertUnwindSafe(|| check(report)));
                let message = match r {
                    Ok(Ok(())) => continue,
                    Ok(Err(message)) => message,
                    Err(p) => format!(
                        "the end-of-run check panicked: {}",
                        crate::world::panic_message(&*p)
                    ),
                };
                return Outcome::EndCheckFailed { message };
            }
            Outcome::Completed
        });
        report.outcome = verdict.clone();
    }
}
