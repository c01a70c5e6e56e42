//! Conservation of signals: every signal sent is delivered, still in flight,
//! held by a deferring cut, or dropped by a named cause.
//!
//! sim-core keeps the books ([`SignalBooks`]); this module checks them and
//! sorts the drops by cause. Drops caused by this crate's faults carry the
//! fault's name (`partition#1 drop`, `one_way#2 drop`, `cut#3 drop`,
//! `crash b@sim`); sim-core's own causes (`noconnection` for a node that is
//! down, `halt`) keep theirs.

use sim_core::{RunReport, SignalBooks};
use std::fmt;

/// The books did not balance: `sent != delivered + in_flight + held + dropped`.
///
/// ```
/// use sim_core::SignalBooks;
/// use sim_partition::Ledger;
/// let books = SignalBooks { sent: 3, delivered: 1, ..SignalBooks::default() };
/// let err = Ledger::from_books(&books).check().unwrap_err();
/// assert!(err.to_string().contains("sent 3 != delivered 1 + in flight 0 + held 0 + dropped 0"));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("signal books do not balance:\n{ledger}")]
pub struct LedgerError {
    /// The books that failed.
    pub ledger: Ledger,
}

/// A run's signal books, checked and sorted by cause.
///
/// ```
/// use sim_core::{Sim, Term};
/// use sim_partition::{Fault, Ledger, Mode};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// sim.control(|c| Fault::isolate("a@sim", Mode::Drop).apply(c)).unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     cx.send(("sink", "b@sim"), Term::Int(1)).await?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// let report = sim.run();
/// let ledger = Ledger::of(&report);
/// ledger.check().unwrap();
/// assert_eq!(ledger.dropped_by("partition#1 drop"), 1);
/// assert_eq!(ledger.dropped_by_faults(), 1);
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ledger {
    /// Signals sent.
    pub sent: u64,
    /// Signals delivered.
    pub delivered: u64,
    /// Signals still travelling.
    pub in_flight: u64,
    /// Signals held by deferring cuts.
    pub held: u64,
    /// Signals lost, by cause, in the order the causes first occurred.
    pub dropped: Vec<(String, u64)>,
}

impl Ledger {
    /// The ledger of a run.
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// use sim_partition::Ledger;
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move { cx.send(cx.self_pid(), Term::Int(1)).await?; Ok(Term::Int(0)) }).unwrap();
    /// assert_eq!(Ledger::of(&sim.run()).sent, 1);
    /// ```
    pub fn of(report: &RunReport) -> Ledger {
        Ledger::from_books(&report.books)
    }

    /// The ledger of some books.
    ///
    /// ```
    /// use sim_core::SignalBooks;
    /// use sim_partition::Ledger;
    /// assert_eq!(Ledger::from_books(&SignalBooks::default()).sent, 0);
    /// ```
    pub fn from_books(books: &SignalBooks) -> Ledger {
        Ledger {
            sent: books.sent,
            delivered: books.delivered,
            in_flight: books.in_flight,
            held: books.held,
            dropped: books.dropped.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        }
    }

    /// All dropped signals.
    ///
    /// ```
    /// use sim_partition::Ledger;
    /// let l = Ledger { sent: 2, delivered: 0, in_flight: 0, held: 0, dropped: vec![("a".into(), 1), ("b".into(), 1)] };
    /// assert_eq!(l.dropped_total(), 2);
    /// ```
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().map(|(_, n)| n).sum()
    }

    /// Signals dropped under one cause.
    ///
    /// ```
    /// use sim_partition::Ledger;
    /// let l = Ledger { sent: 1, delivered: 0, in_flight: 0, held: 0, dropped: vec![("cut#1 drop".into(), 1)] };
    /// assert_eq!(l.dropped_by("cut#1 drop"), 1);
    /// assert_eq!(l.dropped_by("noconnection"), 0);
    /// ```
    pub fn dropped_by(&self, cause: &str) -> u64 {
        self.dropped
            .iter()
            .filter(|(k, _)| k == cause)
            .map(|(_, n)| n)
            .sum()
    }

    /// Signals dropped by this crate's faults (causes for which
    /// [`is_fault_cause`] holds).
    ///
    /// ```
    /// use sim_partition::Ledger;
    /// let l = Ledger { sent: 3, delivered: 0, in_flight: 0, held: 0,
    ///     dropped: vec![("partition#1 drop".into(), 1), ("crash b@sim".into(), 1), ("noconnection".into(), 1)] };
    /// assert_eq!(l.dropped_by_faults(), 2);
    /// ```
    pub fn dropped_by_faults(&self) -> u64 {
        self.dropped
            .iter()
            .filter(|(k, _)| is_fault_cause(k))
            .map(|(_, n)| n)
            .sum()
    }

    /// `sent == delivered + in_flight + held + dropped`.
    ///
    /// ```
    /// use sim_partition::Ledger;
    /// let l = Ledger { sent: 2, delivered: 1, in_flight: 0, held: 1, dropped: vec![] };
    /// assert!(l.balanced());
    /// ```
    pub fn balanced(&self) -> bool {
        self.sent == self.delivered + self.in_flight + self.held + self.dropped_total()
    }

    /// `Ok` if the books balance; otherwise an error listing them.
    ///
    /// ```
    /// use sim_partition::Ledger;
    /// let l = Ledger { sent: 1, delivered: 1, in_flight: 0, held: 0, dropped: vec![] };
    /// assert!(l.check().is_ok());
    /// ```
    pub fn check(&self) -> Result<(), LedgerError> {
        if self.balanced() {
            Ok(())
        } else {
            Err(LedgerError {
                ledger: self.clone(),
            })
        }
    }
}

impl fmt::Display for Ledger {
    /// The books, one cause of loss a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let accounted = self.delivered + self.in_flight + self.held + self.dropped_total();
        writeln!(
            f,
            "  sent {} {} delivered {} + in flight {} + held {} + dropped {} (= {accounted})",
            self.sent,
            if self.sent == accounted { "==" } else { "!=" },
            self.delivered,
            self.in_flight,
            self.held,
            self.dropped_total(),
        )?;
        for (cause, n) in &self.dropped {
            writeln!(f, "    dropped by {cause}: {n}")?;
        }
        Ok(())
    }
}

/// Whether a drop cause names one of this crate's faults: `partition#N mode`,
/// `one_way#N mode`, `cut#N mode`, or `crash <node>`.
///
/// ```
/// use sim_partition::is_fault_cause;
/// assert!(is_fault_cause("partition#12 defer"));
/// assert!(is_fault_cause("crash b@sim"));
/// assert!(!is_fault_cause("noconnection"));
/// assert!(!is_fault_cause("partition#x drop"));
/// ```
pub fn is_fault_cause(cause: &str) -> bool {
    if cause.starts_with("crash ") {
        return true;
    }
    let Some((word, rest)) = cause.split_once('#') else {
        return false;
    };
    let Some((num, mode)) = rest.split_once(' ') else {
        return false;
    };
    matches!(word, "partition" | "one_way" | "cut")
        && !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_digit())
        && matches!(mode, "drop" | "defer")
}

/// Panics with the books unless every signal of the run is accounted for.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(0)) }).unwrap();
/// sim_partition::assert_conserved(&sim.run());
/// ```
pub fn assert_conserved(report: &RunReport) {
    if let Err(e) = Ledger::of(report).check() {
        panic!("{e}\nrun: seed {}, outcome {}", report.seed, report.outcome);
    }
}
