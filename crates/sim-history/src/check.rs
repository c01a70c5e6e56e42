//! The checker's entry points: [`check`], [`Checker`] and the [`Verdict`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::explain::{explain, Violation};
use crate::history::{History, Status};
use crate::model::Model;
use crate::search::{now, Budget, Found, Item, Search};

/// The checker's answer.
///
/// ```
/// use sim_history::{check, History, Register, RegisterOp, Ret, Verdict};
/// let h: History<RegisterOp<i64>, Ret<i64>> = History::new();
/// assert_eq!(check(&Register::new(0), &h), Verdict::Linearizable);
/// assert!(Verdict::Linearizable.is_linearizable());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some order of the operations, each at a point between its invocation
    /// and its completion, explains every result.
    Linearizable,
    /// No such order exists; the smallest failing prefix is inside.
    Violation(Box<Violation>),
    /// The budget ran out before an answer (the reason says which).
    Unknown(String),
}

impl Verdict {
    /// Whether the verdict is [`Verdict::Linearizable`].
    ///
    /// ```
    /// assert!(!sim_history::Verdict::Unknown("steps".into()).is_linearizable());
    /// ```
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable)
    }

    /// `true`, `false` or `unknown`, as the command-line checker prints it.
    ///
    /// ```
    /// assert_eq!(sim_history::Verdict::Linearizable.word(), "true");
    /// ```
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Linearizable => "true",
            Verdict::Violation(_) => "false",
            Verdict::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Linearizable => f.write_str("linearizable"),
            Verdict::Violation(v) => write!(f, "{v}"),
            Verdict::Unknown(why) => write!(f, "unknown: {why}"),
        }
    }
}

/// The default step budget: enough for every history of the reference set
/// many times over, small enough to answer within seconds.
pub const DEFAULT_STEPS: u64 = 50_000_000;

/// Steps the narrowing of a violation may take in all.
const EXPLAIN_STEPS: u64 = 10_000_000;

/// A configured checker: a step budget (the default, reproducible), an
/// optional wall-clock limit, and whether to explain a violation.
///
/// ```
/// use sim_history::{Checker, History, Register, RegisterOp, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// for p in 0..3 {
///     let id = h.invoke(p, RegisterOp::Write(p as i64), t).unwrap();
///     h.info(id, t).unwrap();
/// }
/// let r = h.invoke(9, RegisterOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(7), t).unwrap();
/// let verdict = Checker::new().steps(2).check(&Register::new(0), &h);
/// assert!(matches!(verdict, Verdict::Unknown(_)));
/// ```
#[derive(Clone, Debug)]
pub struct Checker {
    steps: u64,
    time: Option<Duration>,
    explain: bool,
}

impl Default for Checker {
    fn default() -> Self {
        Checker {
            steps: DEFAULT_STEPS,
            time: None,
            explain: true,
        }
    }
}

/// Checks `history` against `model` with the default [`Checker`].
///
/// ```
/// use sim_history::{check, History, Register, RegisterOp, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let w = h.invoke(0, RegisterOp::Write(1), t).unwrap();
/// let r = h.invoke(1, RegisterOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(1), t).unwrap(); // the write is still in flight: fine
/// h.ok(w, Ret::Ok, t).unwrap();
/// assert_eq!(check(&Register::new(0), &h), Verdict::Linearizable);
/// ```
pub fn check<M: Model>(model: &M, history: &History<M::Input, M::Output>) -> Verdict {
    Checker::new().check(model, history)
}

impl Checker {
    /// The default checker ([`DEFAULT_STEPS`], no time limit, explains).
    ///
    /// ```
    /// let c = sim_history::Checker::new();
    /// # let _ = c;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `n` search steps in all (then [`Verdict::Unknown`]).
    ///
    /// ```
    /// let c = sim_history::Checker::new().steps(1_000);
    /// # let _ = c;
    /// ```
    pub fn steps(mut self, n: u64) -> Self {
        self.steps = n;
        self
    }

    /// Also stop after `limit` of wall-clock time. The answer then depends on
    /// the machine; prefer [`Checker::steps`] where results must reproduce.
    ///
    /// ```
    /// let c = sim_history::Checker::new().time_limit(std::time::Duration::from_secs(1));
    /// # let _ = c;
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time = Some(limit);
        self
    }

    /// Whether a violation is narrowed to its smallest failing prefix and the
    /// operations involved (default on; off answers faster).
    ///
    /// ```
    /// let c = sim_history::Checker::new().explain(false);
    /// # let _ = c;
    /// ```
    pub fn explain(mut self, yes: bool) -> Self {
        self.explain = yes;
        self
    }

    // The optional time budget reads the wall clock; the checker runs after
    // (or outside) the simulation, and the default budget is steps only.
    fn budget(&self) -> Budget {
        Budget {
            steps: self.steps,
            deadline: self.time.and_then(|d| now().checked_add(d)),
            used: 0,
            timed_out: false,
        }
    }

    /// Checks `history` against `model`, partition by partition when the
    /// model splits by key.
    ///
    /// ```
    /// use sim_history::{Checker, History, KvMap, KvOp, Ret, Verdict};
    /// let t = sim_core::Time::ZERO;
    /// let mut h = History::new();
    /// let p = h.invoke(0, KvOp::Put("a", "1".into()), t).unwrap();
    /// h.ok(p, Ret::Ok, t).unwrap();
    /// let g = h.invoke(0, KvOp::Get("b"), t).unwrap();
    /// h.ok(g, Ret::Value("1".into()), t).unwrap();
    /// let Verdict::Violation(v) = Checker::new().check(&KvMap::new(), &h) else { panic!() };
    /// assert_eq!(v.partition.as_deref(), Some("\"b\""));
    /// ```
    pub fn check<M: Model>(&self, model: &M, history: &History<M::Input, M::Output>) -> Verdict {
        let mut budget = self.budget();
        let parts = partitions(model, history);
        let mut searches: Vec<(usize, Search<'_, M>)> = parts
            .iter()
            .enumerate()
            .map(|(k, (_, items))| (k, Search::new(model, history, items)))
            .collect();
        // Partitions take turns with doubling slices, so an easy violation in
        // one is found before a hard proof in another is finished (the
        // answer is the same whatever the order; only the time differs).
        let mut slice = 1_u64 << 14;
        while !searches.is_empty() {
            let mut k = 0;
            while k < searches.len() {
                let mut turn = Budget {
                    steps: budget.steps.min(slice),
                    ..budget.child()
                };
                let found = searches[k].1.run(&mut turn);
                budget.absorb(&turn);
                match found {
                    Found::Linearizable => {
                        searches.remove(k);
                    }
                    Found::Violation => {
                        let (key, items) = &parts[searches[k].0];
                        let key = key.as_ref().map(|k| format!("{k:?}"));
                        drop(searches);
                        let mut again = Budget {
                            steps: self.steps.min(EXPLAIN_STEPS),
                            ..self.budget()
                        };
                        let v = explain(model, history, items, key, self.explain, &mut again);
                        return Verdict::Violation(Box::new(v));
                    }
                    Found::OutOfBudget if budget.steps == 0 => {
                        let why = if budget.timed_out {
                            "time limit reached".to_owned()
                        } else {
                            format!("step budget of {} spent", self.steps)
                        };
                        return Verdict::Unknown(why);
                    }
                    Found::OutOfBudget => k += 1,
                }
            }
            slice = slice.saturating_mul(2);
        }
        Verdict::Linearizable
    }
}

/// The operations that may have happened, split by key when every one has
/// a key, in key order.
fn partitions<M: Model>(
    model: &M,
    history: &History<M::Input, M::Output>,
) -> Vec<(Option<M::Key>, Vec<Item>)> {
    let mut items = Vec::with_capacity(history.len());
    let mut keys = Vec::with_capacity(history.len());
    for (i, op) in history.ops().iter().enumerate() {
        let ret = match op.status {
            Status::Fail(_) => continue,
            Status::Ok(_) => op.ret,
            Status::Info | Status::Pending => None,
        };
        items.push(Item {
            op: i,
            call: op.call,
            ret,
        });
        keys.push(model.partition(&op.input));
    }
    if keys.iter().any(Option::is_none) || items.is_empty() {
        return vec![(None, items)];
    }
    let mut groups: BTreeMap<M::Key, Vec<Item>> = BTreeMap::new();
    for (item, key) in items.into_iter().zip(keys.into_iter().flatten()) {
        groups.entry(key).or_default().push(item);
    }
    groups.into_iter().map(|(k, v)| (Some(k), v)).collect()
}
