//! `Term`: the Erlang value model.
//!
//! Terms order by Erlang term order ([`order`]), print in Erlang syntax as
//! `io_lib:format("~p")` would on one line ([`print`]), parse from the same
//! syntax ([`parse`]) and serialize with serde.

mod atom;

pub use atom::{Atom, MAX_ATOM_CHARS};

use crate::id::{Pid, Ref};
use std::collections::BTreeMap;

/// An Erlang term.
///
/// Lists are `List` (proper, `[]` is the empty list) or `ImproperList` (at least
/// one element and a tail that is not a list). Strings are lists of integers, as
/// in Erlang; they print as `"abc"` when every element is a printable character.
///
/// ```
/// use sim_core::{Atom, Term};
/// let t = Term::Tuple(vec![Term::Atom(Atom::new("ok")), Term::Int(1)]);
/// assert!(matches!(t, Term::Tuple(ref v) if v.len() == 2));
/// ```
#[derive(Clone, Debug)]
pub enum Term {
    /// An integer (Erlang integers are unbounded; ours are `i64`, and arithmetic
    /// that overflows is an error, never a wrap).
    Int(i64),
    /// A float. Never NaN or infinite (Erlang has neither).
    Float(f64),
    /// An atom.
    Atom(Atom),
    /// A reference.
    Ref(Ref),
    /// A process identifier.
    Pid(Pid),
    /// A tuple.
    Tuple(Vec<Term>),
    /// A map, its keys in Erlang term order.
    Map(BTreeMap<Term, Term>),
    /// A proper list; the empty list is `[]` (nil).
    List(Vec<Term>),
    /// An improper list: `[H1, H2 | Tail]` with a non-list tail.
    ImproperList(Vec<Term>, Box<Term>),
    /// A binary.
    Binary(Vec<u8>),
}
