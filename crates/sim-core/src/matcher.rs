//! `Matcher`: a receive pattern that can be asked again later.
//!
//! A receive with a plain closure borrows it for the length of the receive;
//! a [`Matcher`] is shared, so an exhaustive exploration can keep it and ask
//! afterwards whether that receive would have accepted another message.
//! Then two sends the receive cannot tell apart need not be reordered.

use crate::term::Term;
use std::fmt;
use std::rc::Rc;

/// A reusable, inspectable receive pattern: a shared `Fn(&Term) -> bool`.
///
/// ```
/// use sim_core::{Matcher, Term};
/// let ints = Matcher::new(|t| matches!(t, Term::Int(_)));
/// assert!(ints.accepts(&Term::Int(3)));
/// assert!(!ints.accepts(&Term::atom("x")));
/// assert!(Matcher::any().accepts(&Term::atom("x")));
/// ```
#[derive(Clone)]
pub struct Matcher(Rc<dyn Fn(&Term) -> bool>);

impl Matcher {
    /// A matcher from a `'static` predicate.
    ///
    /// ```
    /// use sim_core::{Matcher, Term};
    /// let m = Matcher::new(|t| *t == Term::atom("go"));
    /// assert!(m.accepts(&Term::atom("go")));
    /// ```
    pub fn new(f: impl Fn(&Term) -> bool + 'static) -> Matcher {
        Matcher(Rc::new(f))
    }

    /// The matcher that accepts every message.
    ///
    /// ```
    /// use sim_core::{Matcher, Term};
    /// assert!(Matcher::any().accepts(&Term::Int(0)));
    /// ```
    pub fn any() -> Matcher {
        Matcher::new(|_| true)
    }

    /// Whether the pattern accepts `t`.
    ///
    /// ```
    /// use sim_core::{Matcher, Term};
    /// assert!(!Matcher::new(|_| false).accepts(&Term::Int(1)));
    /// ```
    pub fn accepts(&self, t: &Term) -> bool {
        (self.0)(t)
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Matcher")
    }
}

/// What a receive future matches messages with: any `FnMut(&Term) -> bool`
/// closure, or a [`Matcher`] (which the world can also keep and ask later).
///
/// ```
/// use sim_core::{Accept, Matcher, Term};
/// let mut f = |t: &Term| *t == Term::Int(1);
/// assert!(f.accept(&Term::Int(1)));
/// assert!(f.inspectable().is_none());
/// let mut m = Matcher::any();
/// assert!(m.accept(&Term::Int(2)) && m.inspectable().is_some());
/// ```
pub trait Accept: Unpin {
    /// Whether the receive takes `t`.
    fn accept(&mut self, t: &Term) -> bool;

    /// The pattern as a [`Matcher`], when it is one.
    fn inspectable(&self) -> Option<&Matcher> {
        None
    }
}

impl<F: FnMut(&Term) -> bool + Unpin> Accept for F {
    fn accept(&mut self, t: &Term) -> bool {
        self(t)
    }
}

impl Accept for Matcher {
    fn accept(&mut self, t: &Term) -> bool {
        self.accepts(t)
    }

    fn inspectable(&self) -> Option<&Matcher> {
        Some(self)
    }
}
