//! The `Model` trait: a sequential specification the checker replays
//! operations against.

use std::fmt::Debug;
use std::hash::Hash;

/// A sequential specification: an initial state and a step function.
///
/// `step` gets the output of an operation, or `None` when the outcome is
/// unknown (an `info` or pending operation); it returns the state after the
/// operation, or `None` if the operation cannot have returned that output in
/// that state. For an unknown outcome it returns the state as if the operation
/// took effect: the checker covers "it never took effect" itself.
///
/// `partition` enables P-compositionality: when every operation has a key,
/// operations on different keys are checked separately. Keys must then be
/// truly independent in the model.
///
/// ```
/// use sim_history::{check, History, Model, Verdict};
///
/// /// A counter that only goes up by one; `Some(n)` reads it.
/// struct Ticker;
/// impl Model for Ticker {
///     type State = u64;
///     type Input = Option<u64>;
///     type Output = ();
///     type Key = ();
///     fn init(&self) -> u64 { 0 }
///     fn step(&self, s: &u64, input: &Option<u64>, _: Option<&()>) -> Option<u64> {
///         match input {
///             None => Some(s + 1),
///             Some(n) => (n == s).then_some(*s),
///         }
///     }
///     fn describe(&self, input: &Option<u64>, _: Option<&()>) -> String {
///         input.map_or("tick".to_owned(), |n| format!("read {n}"))
///     }
/// }
///
/// let mut h = History::new();
/// let t = sim_core::Time::ZERO;
/// let a = h.invoke(0, None, t).unwrap();
/// h.ok(a, (), t).unwrap();
/// let b = h.invoke(1, Some(0), t).unwrap();
/// h.ok(b, (), t).unwrap();
/// assert!(matches!(check(&Ticker, &h), Verdict::Violation(_)));
/// ```
pub trait Model {
    /// The state; the checker memoises on it, so equal states must hash alike.
    type State: Clone + Eq + Hash + Debug;
    /// An operation's input.
    type Input: Debug;
    /// An operation's output.
    type Output: Debug;
    /// A partition key (use `()` when the model has none).
    type Key: Ord + Clone + Debug;

    /// The state before any operation.
    fn init(&self) -> Self::State;

    /// The state after `input` returned `output` (`None`: unknown) in `state`,
    /// or `None` if that cannot happen.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
    ) -> Option<Self::State>;

    /// The independent part of the state `input` touches, if the model splits
    /// by key. Unless every operation has a key, the history is one partition.
    fn partition(&self, input: &Self::Input) -> Option<Self::Key> {
        let _ = input;
        None
    }

    /// A one-line description of an operation (`None`: outcome unknown).
    fn describe(&self, input: &Self::Input, output: Option<&Self::Output>) -> String {
        match output {
            Some(o) => format!("{input:?} -> {o:?}"),
            None => format!("{input:?} -> ?"),
        }
    }
}
