//! Which process exits fail a run: [`ExitPolicy`] and the rule for a normal
//! exit reason.
//!
//! An exit reason is *normal* when it is `normal`, or when it is an atom
//! named by [`crate::SimBuilder::treat_as_normal`] or a tuple whose first
//! element is such an atom. Every other reason is abnormal, `shutdown`
//! included: that is Concuerror's rule (`--treat_as_normal`), which counts
//! every non-`normal` exit as an error unless told otherwise.

use crate::term::{Atom, Term, NORMAL};

/// Which abnormal process exits fail a run. Set with
/// [`crate::SimBuilder::exit_policy`].
///
/// ```
/// use sim_core::{ExitPolicy, Exception, Outcome, Sim, Term};
/// // By default a process the test spawned that fails fails the run.
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// let pid = sim.spawn("a@sim", |_cx| async move { Err(Exception::exit(Term::atom("badarg"))) }).unwrap();
/// let r = sim.run();
/// assert_eq!(r.outcome, Outcome::ProcessExited { pid, reason: Term::atom("badarg") });
///
/// // A test whose point is that exit says so.
/// let mut sim = Sim::builder().nodes(["a@sim"]).exit_policy(ExitPolicy::Allow).build().unwrap();
/// sim.spawn("a@sim", |_cx| async move { Err(Exception::exit(Term::atom("badarg"))) }).unwrap();
/// let r = sim.run();
/// r.assert_ok();
/// assert_eq!(r.results[0].1, Some(Err(Term::atom("badarg"))));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ExitPolicy {
    /// An abnormal exit of a process the test spawned with
    /// [`crate::Sim::spawn`] ends the run at once with
    /// [`crate::Outcome::ProcessExited`]: a client that failed has nothing
    /// left to check, and what the rest of the system does after it is
    /// noise in the report. Processes those spawn keep Erlang's rules: their
    /// abnormal exits are ordinary signals to their links and monitors. A
    /// process that dies with its node (a crash fault) does not end the run
    /// either: that death is the fault the test injected.
    #[default]
    Foreground,
    /// No exit fails a run; each foreground process's reason is in
    /// [`crate::RunReport::results`] (for tests whose point is the exit).
    Allow,
    /// Concuerror's notion of an error: any process exiting abnormally
    /// (background ones and those processes spawn too), and any process
    /// still blocked when nothing is left to do, whether or not a
    /// foreground process is alive. The run goes on to its end (not only
    /// until the foreground processes are done) and ends with
    /// [`crate::Outcome::Errors`] listing every error in the order it
    /// happened, the blocked processes last. Processes a node boots
    /// ([`crate::SimBuilder::boot`]) are system servers and are not counted
    /// as blocked. A run that ends on a budget reports the budget instead.
    /// An erpc request process ends with its result as its exit reason, as
    /// in OTP, so it counts as an abnormal exit here: the policy is meant
    /// for plain message-passing programs, as Concuerror's is.
    AnyProcess,
}

/// Whether `reason` counts as a normal exit: `normal`, or one of `extra`
/// (an atom, or a tuple whose first element is that atom).
pub(crate) fn is_normal(reason: &Term, extra: &[Atom]) -> bool {
    let tag = match reason {
        Term::Atom(a) if *a == NORMAL => return true,
        Term::Atom(a) => *a,
        Term::Tuple(t) => match t.first() {
            Some(Term::Atom(a)) => *a,
            _ => return false,
        },
        _ => return false,
    };
    extra.contains(&tag)
}

#[cfg(test)]
mod tests {
    use super::is_normal;
    use crate::term::{Atom, Term};

    #[test]
    fn only_normal_and_the_named_tags_are_normal() {
        let shutdown = Atom::new("shutdown");
        assert!(is_normal(&Term::atom("normal"), &[]));
        assert!(!is_normal(&Term::atom("shutdown"), &[]));
        assert!(is_normal(&Term::atom("shutdown"), &[shutdown]));
        let tagged = Term::tuple([Term::atom("shutdown"), Term::Int(1)]);
        assert!(!is_normal(&tagged, &[]));
        assert!(is_normal(&tagged, &[shutdown]));
        // `{normal, _}` is abnormal, as in Concuerror (only the atom is).
        assert!(!is_normal(&Term::tuple([Term::atom("normal")]), &[]));
        assert!(!is_normal(&Term::Int(0), &[shutdown]));
    }
}
