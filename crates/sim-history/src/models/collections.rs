//! A grow-only set, a FIFO queue and a counter.

use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Debug;
use std::hash::Hash;

use super::{show, Ret};
use crate::history::{Edn, JepsenOp};
use crate::model::Model;

/// An operation on a [`Set`].
///
/// ```
/// let op = sim_history::SetOp::Add(1);
/// assert_ne!(op, sim_history::SetOp::Read);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SetOp<V> {
    /// Add an element: returns [`Ret::Ok`].
    Add(V),
    /// Read all elements: returns [`Ret::Values`] (order and repeats ignored).
    Read,
}

/// A set of elements that starts empty and only grows (Jepsen's set).
///
/// ```
/// use sim_history::{check, History, Ret, Set, SetOp, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let a = h.invoke(0, SetOp::Add(1), t).unwrap();
/// h.ok(a, Ret::Ok, t).unwrap();
/// let r = h.invoke(1, SetOp::Read, t).unwrap();
/// h.ok(r, Ret::Values(vec![]), t).unwrap();
/// assert!(matches!(check(&Set::new(), &h), Verdict::Violation(_)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Set<V> {
    elements: std::marker::PhantomData<fn() -> V>,
}

impl<V> Set<V> {
    /// An empty set.
    ///
    /// ```
    /// let s = sim_history::Set::<i64>::new();
    /// # let _ = s;
    /// ```
    pub fn new() -> Self {
        Set {
            elements: std::marker::PhantomData,
        }
    }
}

impl<V: Clone + Ord + Hash + Debug> Model for Set<V> {
    type State = BTreeSet<V>;
    type Input = SetOp<V>;
    type Output = Ret<V>;
    type Key = ();

    fn init(&self) -> BTreeSet<V> {
        BTreeSet::new()
    }

    fn step(
        &self,
        state: &BTreeSet<V>,
        input: &SetOp<V>,
        output: Option<&Ret<V>>,
    ) -> Option<BTreeSet<V>> {
        match input {
            SetOp::Add(v) => {
                let mut next = state.clone();
                next.insert(v.clone());
                Some(next)
            }
            SetOp::Read => match output {
                None => Some(state.clone()),
                Some(Ret::Values(vs)) => {
                    let seen: BTreeSet<&V> = vs.iter().collect();
                    seen.iter().copied().eq(state.iter()).then(|| state.clone())
                }
                Some(_) => None,
            },
        }
    }

    fn describe(&self, input: &SetOp<V>, output: Option<&Ret<V>>) -> String {
        match input {
            SetOp::Add(v) => show(format!("add({v:?})"), output),
            SetOp::Read => show("read()".to_owned(), output),
        }
    }
}

/// An operation on a [`Queue`].
///
/// ```
/// let op = sim_history::QueueOp::Enqueue(1);
/// assert_ne!(op, sim_history::QueueOp::Dequeue);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum QueueOp<V> {
    /// Add at the back: returns [`Ret::Ok`].
    Enqueue(V),
    /// Take from the front: returns [`Ret::Value`] or [`Ret::Empty`].
    Dequeue,
}

/// A FIFO queue that starts empty.
///
/// ```
/// use sim_history::{check, History, Queue, QueueOp, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// for v in [1, 2] {
///     let e = h.invoke(0, QueueOp::Enqueue(v), t).unwrap();
///     h.ok(e, Ret::Ok, t).unwrap();
/// }
/// let d = h.invoke(0, QueueOp::Dequeue, t).unwrap();
/// h.ok(d, Ret::Value(2), t).unwrap();
/// assert!(matches!(check(&Queue::new(), &h), Verdict::Violation(_)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Queue<V> {
    elements: std::marker::PhantomData<fn() -> V>,
}

impl<V> Queue<V> {
    /// An empty queue.
    ///
    /// ```
    /// let q = sim_history::Queue::<i64>::new();
    /// # let _ = q;
    /// ```
    pub fn new() -> Self {
        Queue {
            elements: std::marker::PhantomData,
        }
    }
}

impl<V: Clone + Eq + Hash + Debug> Model for Queue<V> {
    type State = VecDeque<V>;
    type Input = QueueOp<V>;
    type Output = Ret<V>;
    type Key = ();

    fn init(&self) -> VecDeque<V> {
        VecDeque::new()
    }

    fn step(
        &self,
        state: &VecDeque<V>,
        input: &QueueOp<V>,
        output: Option<&Ret<V>>,
    ) -> Option<VecDeque<V>> {
        let mut next = state.clone();
        match input {
            QueueOp::Enqueue(v) => next.push_back(v.clone()),
            QueueOp::Dequeue => {
                let front = next.pop_front();
                match (output, front) {
                    (None, _) | (Some(Ret::Empty), None) => {}
                    (Some(Ret::Value(v)), Some(f)) if *v == f => {}
                    _ => return None,
                }
            }
        }
        Some(next)
    }

    fn describe(&self, input: &QueueOp<V>, output: Option<&Ret<V>>) -> String {
        match input {
            QueueOp::Enqueue(v) => show(format!("enqueue({v:?})"), output),
            QueueOp::Dequeue => show("dequeue()".to_owned(), output),
        }
    }
}

/// An operation on a [`Counter`].
///
/// ```
/// let op = sim_history::CounterOp::Add(2);
/// assert_ne!(op, sim_history::CounterOp::Read);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CounterOp {
    /// Add (a negative number subtracts): returns [`Ret::Ok`].
    Add(i64),
    /// Read the count: returns [`Ret::Value`].
    Read,
}

/// A counter that starts at zero (additions wrap rather than overflow).
///
/// ```
/// use sim_history::{check, Counter, CounterOp, History, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let a = h.invoke(0, CounterOp::Add(2), t).unwrap();
/// let r = h.invoke(1, CounterOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(2), t).unwrap();
/// h.info(a, t).unwrap();
/// assert_eq!(check(&Counter, &h), Verdict::Linearizable);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Counter;

impl Model for Counter {
    type State = i64;
    type Input = CounterOp;
    type Output = Ret<i64>;
    type Key = ();

    fn init(&self) -> i64 {
        0
    }

    fn step(&self, state: &i64, input: &CounterOp, output: Option<&Ret<i64>>) -> Option<i64> {
        match (input, output) {
            (CounterOp::Add(n), _) => Some(state.wrapping_add(*n)),
            (CounterOp::Read, None) => Some(*state),
            (CounterOp::Read, Some(Ret::Value(v))) if v == state => Some(*state),
            (CounterOp::Read, Some(_)) => None,
        }
    }

    fn describe(&self, input: &CounterOp, output: Option<&Ret<i64>>) -> String {
        match input {
            CounterOp::Add(n) => show(format!("add({n})"), output),
            CounterOp::Read => show("read()".to_owned(), output),
        }
    }
}

impl<V: Edn> JepsenOp for SetOp<V> {
    type Output = Ret<V>;

    fn f(&self) -> &'static str {
        match self {
            SetOp::Add(_) => "add",
            SetOp::Read => "read",
        }
    }

    fn invoke_value(&self) -> String {
        match self {
            SetOp::Add(v) => v.edn(),
            SetOp::Read => "nil".to_owned(),
        }
    }

    fn completion_value(&self, output: &Ret<V>) -> String {
        match self {
            SetOp::Add(v) => v.edn(),
            SetOp::Read => output.edn(),
        }
    }
}

impl<V: Edn> JepsenOp for QueueOp<V> {
    type Output = Ret<V>;

    fn f(&self) -> &'static str {
        match self {
            QueueOp::Enqueue(_) => "enqueue",
            QueueOp::Dequeue => "dequeue",
        }
    }

    fn invoke_value(&self) -> String {
        match self {
            QueueOp::Enqueue(v) => v.edn(),
            QueueOp::Dequeue => "nil".to_owned(),
        }
    }

    fn completion_value(&self, output: &Ret<V>) -> String {
        match self {
            QueueOp::Enqueue(v) => v.edn(),
            QueueOp::Dequeue => output.edn(),
        }
    }
}

impl JepsenOp for CounterOp {
    type Output = Ret<i64>;

    fn f(&self) -> &'static str {
        match self {
            CounterOp::Add(_) => "add",
            CounterOp::Read => "read",
        }
    }

    fn invoke_value(&self) -> String {
        match self {
            CounterOp::Add(n) => n.edn(),
            CounterOp::Read => "nil".to_owned(),
        }
    }

    fn completion_value(&self, output: &Ret<i64>) -> String {
        match self {
            CounterOp::Add(n) => n.edn(),
            CounterOp::Read => output.edn(),
        }
    }
}
