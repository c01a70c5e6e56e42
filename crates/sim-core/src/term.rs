//! `Term`: the Erlang value model.
//!
//! Terms order by Erlang term order ([`order`]), print in Erlang syntax as
//! `io_lib:format("~p")` would on one line ([`print`](mod@print)), parse from the same
//! syntax ([`parse`]) and serialize with serde ([`serial`]). The macros
//! [`atom!`](crate::atom), [`tuple!`](crate::tuple), [`list!`](crate::list) and
//! [`args!`](crate::args) build terms tersely.

mod atom;
mod cells;
mod deep;
mod external_size;
mod macros;
pub mod order;
pub mod parse;
pub mod print;
pub mod serial;

pub use atom::{Atom, AtomError, MAX_ATOMS, MAX_ATOM_CHARS};
pub(crate) use atom::{DOWN, EXIT, KILLED, NOPROC, NORMAL, OK, PROCESS, SPAWN_REPLY, SYSTEM_LIMIT};
pub use parse::{Found, ParseError, MAX_DEPTH};
pub use print::{atom_needs_quotes, format_float};

use crate::id::{Pid, Ref};
use cells::canon;
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
///
/// `Clone`, `Drop`, comparison, hashing and printing work at any depth of
/// nesting without overflowing the stack (the first levels recurse, deeper
/// ones go on an explicit stack on the heap); serde refuses a term nested
/// deeper than [`MAX_DEPTH`] with an error, and so does the parser. Because `Term` implements `Drop`, it cannot be destructured by
/// value: match on a reference, or move a part out with `std::mem::take`.
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

#[cfg(test)]
thread_local! {
    /// Elements [`Term::improper_list`] has moved from a tail into the list
    /// before it: tests count it to pin that parsing nested tails is linear.
    pub(crate) static APPENDED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[inline]
fn count_appended(_n: usize) {
    #[cfg(test)]
    APPENDED.with(|c| c.set(c.get() + _n));
}

/// Why a value cannot become a [`Term`].
///
/// ```
/// use sim_core::{Term, TermError};
/// assert_eq!(Term::float(f64::NAN).unwrap_err().to_string(),
///            "float NaN is not finite (Erlang has no NaN or infinity)");
/// assert!(matches!(Term::try_from(u64::MAX), Err(TermError::IntegerOverflow(_))));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum TermError {
    /// The float is NaN or infinite.
    #[error("float {0} is not finite (Erlang has no NaN or infinity)")]
    NonFiniteFloat(f64),
    /// The integer does not fit in an `i64`.
    #[error("integer {0} does not fit in 64 bits")]
    IntegerOverflow(i128),
}

impl Term {
    /// The atom named `name`.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::atom("ok").to_string(), "ok");
    /// ```
    pub fn atom(name: &str) -> Term {
        Term::Atom(Atom::new(name))
    }

    /// An Erlang string: the list of `s`'s characters as integers (`""` is `[]`).
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::string("hi"), Term::List(vec![Term::Int(104), Term::Int(105)]));
    /// assert_eq!(Term::string("hi").to_string(), "\"hi\"");
    /// ```
    pub fn string(s: &str) -> Term {
        Term::List(
            s.chars()
                .map(|c| Term::Int(i64::from(u32::from(c))))
                .collect(),
        )
    }

    /// A binary holding a copy of `bytes`.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::binary(b"abc").to_string(), "<<\"abc\">>");
    /// ```
    pub fn binary(bytes: &[u8]) -> Term {
        Term::Binary(bytes.to_vec())
    }

    /// A tuple of `elems`, each converted with `Into<Term>`.
    ///
    /// ```
    /// use sim_core::{Atom, Term};
    /// assert_eq!(Term::tuple([Term::atom("ok"), Term::Int(1)]).to_string(), "{ok,1}");
    /// assert_eq!(Term::tuple([1, 2]).to_string(), "{1,2}");
    /// ```
    pub fn tuple<I>(elems: I) -> Term
    where
        I: IntoIterator,
        I::Item: Into<Term>,
    {
        Term::Tuple(elems.into_iter().map(Into::into).collect())
    }

    /// A proper list of `elems`, each converted with `Into<Term>`.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::list([1, 2, 3]).to_string(), "[1,2,3]");
    /// ```
    pub fn list<I>(elems: I) -> Term
    where
        I: IntoIterator,
        I::Item: Into<Term>,
    {
        Term::List(elems.into_iter().map(Into::into).collect())
    }

    /// The list `[E1, ..., En | tail]`, normalised as Erlang would build it: a
    /// list `tail` is appended (giving a proper list when it is proper), and with
    /// no elements the result is `tail` itself.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::improper_list([1], Term::atom("b")).to_string(), "[1|b]");
    /// assert_eq!(Term::improper_list([1], Term::list([2])), Term::list([1, 2]));
    /// assert_eq!(Term::improper_list(Vec::<Term>::new(), Term::Int(7)), Term::Int(7));
    /// ```
    pub fn improper_list<I>(elems: I, tail: Term) -> Term
    where
        I: IntoIterator,
        I::Item: Into<Term>,
    {
        let mut elems: Vec<Term> = elems.into_iter().map(Into::into).collect();
        let mut tail = tail;
        loop {
            match &mut tail {
                Term::List(more) => {
                    count_appended(more.len());
                    elems.append(more);
                    return Term::List(elems);
                }
                Term::ImproperList(more, rest) => {
                    count_appended(more.len());
                    elems.append(more);
                    tail = std::mem::take(&mut **rest);
                }
                _ if elems.is_empty() => return tail,
                _ => return Term::ImproperList(elems, Box::new(tail)),
            }
        }
    }

    /// A map of `pairs`; when a key repeats, the later value wins (as in Erlang).
    ///
    /// ```
    /// use sim_core::Term;
    /// let m = Term::map([(Term::atom("a"), 1), (Term::atom("a"), 2)]);
    /// assert_eq!(m.to_string(), "#{a => 2}");
    /// ```
    pub fn map<I, K, V>(pairs: I) -> Term
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Term>,
        V: Into<Term>,
    {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            map.insert(k.into(), v.into());
        }
        Term::Map(map)
    }

    /// The empty list `[]`.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::nil().to_string(), "[]");
    /// ```
    pub const fn nil() -> Term {
        Term::List(Vec::new())
    }

    /// A float term, or an error for NaN and infinities (Erlang has neither).
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::float(0.5).unwrap().to_string(), "0.5");
    /// assert!(Term::float(f64::INFINITY).is_err());
    /// ```
    pub fn float(value: f64) -> Result<Term, TermError> {
        if value.is_finite() {
            Ok(Term::Float(value))
        } else {
            Err(TermError::NonFiniteFloat(value))
        }
    }

    /// The atom, if this is one.
    ///
    /// ```
    /// use sim_core::{Atom, Term};
    /// assert_eq!(Term::atom("ok").as_atom(), Some(Atom::new("ok")));
    /// assert_eq!(Term::Int(1).as_atom(), None);
    /// ```
    pub fn as_atom(&self) -> Option<Atom> {
        match canon(self) {
            Term::Atom(a) => Some(*a),
            _ => None,
        }
    }

    /// The integer, if this is one (floats are not converted).
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::Int(7).as_int(), Some(7));
    /// assert_eq!(Term::Float(7.0).as_int(), None);
    /// ```
    pub fn as_int(&self) -> Option<i64> {
        match canon(self) {
            Term::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The float, if this is one (integers are not converted).
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::Float(0.5).as_float(), Some(0.5));
    /// assert_eq!(Term::Int(1).as_float(), None);
    /// ```
    pub fn as_float(&self) -> Option<f64> {
        match canon(self) {
            Term::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The elements, if this is a tuple.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::tuple([1, 2]).as_tuple().map(<[Term]>::len), Some(2));
    /// ```
    pub fn as_tuple(&self) -> Option<&[Term]> {
        match canon(self) {
            Term::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The elements, if this is a proper list stored as [`Term::List`] (`[]`
    /// gives an empty slice; improper lists give `None`).
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::list([1, 2]).as_list().map(<[Term]>::len), Some(2));
    /// assert_eq!(Term::nil().as_list(), Some(&[][..]));
    /// assert_eq!(Term::improper_list([1], Term::Int(2)).as_list(), None);
    /// ```
    pub fn as_list(&self) -> Option<&[Term]> {
        match canon(self) {
            Term::List(v) => Some(v),
            _ => None,
        }
    }

    /// The map, if this is one.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::map([(1, 2)]).as_map().map(|m| m.len()), Some(1));
    /// ```
    pub fn as_map(&self) -> Option<&BTreeMap<Term, Term>> {
        match canon(self) {
            Term::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The bytes, if this is a binary.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::binary(b"ab").as_binary(), Some(&b"ab"[..]));
    /// ```
    pub fn as_binary(&self) -> Option<&[u8]> {
        match canon(self) {
            Term::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// The pid, if this is one.
    ///
    /// ```
    /// use sim_core::{Pid, Term};
    /// assert_eq!(Term::from(Pid::new(0, 5, 0)).as_pid(), Some(Pid::new(0, 5, 0)));
    /// ```
    pub fn as_pid(&self) -> Option<Pid> {
        match canon(self) {
            Term::Pid(p) => Some(*p),
            _ => None,
        }
    }

    /// The reference, if this is one.
    ///
    /// ```
    /// use sim_core::{Ref, Term};
    /// let r = Ref::new(0, [0, 0, 1]);
    /// assert_eq!(Term::from(r).as_ref(), Some(r));
    /// ```
    pub fn as_ref(&self) -> Option<Ref> {
        match canon(self) {
            Term::Ref(r) => Some(*r),
            _ => None,
        }
    }

    /// The elements, moved out, if this is a tuple; else the term back.
    /// (`Term` implements `Drop`, so a by-value `match` cannot move them out.)
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::tuple([1, 2]).into_tuple(), Ok(vec![Term::Int(1), Term::Int(2)]));
    /// assert_eq!(Term::Int(1).into_tuple(), Err(Term::Int(1)));
    /// ```
    pub fn into_tuple(self) -> Result<Vec<Term>, Term> {
        let mut t = self;
        loop {
            match &mut t {
                Term::Tuple(v) => return Ok(std::mem::take(v)),
                Term::ImproperList(elems, tail) if elems.is_empty() => {
                    let inner = std::mem::take(&mut **tail);
                    t = inner;
                }
                _ => return Err(t),
            }
        }
    }

    /// The elements, moved out, if this is a proper list stored as
    /// [`Term::List`] (as [`Term::as_list`] sees it); else the term back.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert_eq!(Term::list([1]).into_list(), Ok(vec![Term::Int(1)]));
    /// assert_eq!(Term::nil().into_list(), Ok(vec![]));
    /// assert!(Term::atom("a").into_list().is_err());
    /// ```
    pub fn into_list(self) -> Result<Vec<Term>, Term> {
        let mut t = self;
        loop {
            match &mut t {
                Term::List(v) => return Ok(std::mem::take(v)),
                Term::ImproperList(elems, tail) if elems.is_empty() => {
                    let inner = std::mem::take(&mut **tail);
                    t = inner;
                }
                _ => return Err(t),
            }
        }
    }

    /// Whether this is the atom named `name`.
    ///
    /// ```
    /// use sim_core::Term;
    /// assert!(Term::atom("ok").is_atom("ok"));
    /// assert!(!Term::atom("ok").is_atom("error"));
    /// assert!(!Term::string("ok").is_atom("ok"));
    /// ```
    pub fn is_atom(&self, name: &str) -> bool {
        matches!(canon(self), Term::Atom(a) if a.as_str() == name)
    }
}

/// Integers convert losslessly.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::from(-3i64), Term::Int(-3));
/// ```
impl From<i64> for Term {
    fn from(v: i64) -> Term {
        Term::Int(v)
    }
}

/// Integers convert losslessly.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::from(-3i32), Term::Int(-3));
/// ```
impl From<i32> for Term {
    fn from(v: i32) -> Term {
        Term::Int(i64::from(v))
    }
}

/// Integers convert losslessly.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::from(3u32), Term::Int(3));
/// ```
impl From<u32> for Term {
    fn from(v: u32) -> Term {
        Term::Int(i64::from(v))
    }
}

/// Integers convert losslessly (a `u8` is an integer, not a byte of a binary).
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::from(3u8), Term::Int(3));
/// ```
impl From<u8> for Term {
    fn from(v: u8) -> Term {
        Term::Int(i64::from(v))
    }
}

/// Booleans are the atoms `true` and `false`, as in Erlang.
///
/// ```
/// use sim_core::Term;
/// assert!(Term::from(true).is_atom("true"));
/// ```
impl From<bool> for Term {
    fn from(v: bool) -> Term {
        Term::atom(if v { "true" } else { "false" })
    }
}

/// A float term.
///
/// # Panics
///
/// Panics if `v` is NaN or infinite; use [`Term::float`] for values that may be.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::from(1.5).to_string(), "1.5");
/// ```
impl From<f64> for Term {
    fn from(v: f64) -> Term {
        assert!(v.is_finite(), "Erlang has no NaN or infinite floats: {v}");
        Term::Float(v)
    }
}

/// ```
/// use sim_core::{Atom, Term};
/// assert_eq!(Term::from(Atom::new("ok")), Term::atom("ok"));
/// ```
impl From<Atom> for Term {
    fn from(v: Atom) -> Term {
        Term::Atom(v)
    }
}

/// ```
/// use sim_core::{Pid, Term};
/// assert_eq!(Term::from(Pid::new(0, 83, 0)).to_string(), "<0.83.0>");
/// ```
impl From<Pid> for Term {
    fn from(v: Pid) -> Term {
        Term::Pid(v)
    }
}

/// ```
/// use sim_core::{Ref, Term};
/// assert_eq!(Term::from(Ref::new(0, [1, 2, 3])).to_string(), "#Ref<0.1.2.3>");
/// ```
impl From<Ref> for Term {
    fn from(v: Ref) -> Term {
        Term::Ref(v)
    }
}

/// A vector becomes a proper list.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::from(vec![Term::Int(1)]).to_string(), "[1]");
/// ```
impl From<Vec<Term>> for Term {
    fn from(v: Vec<Term>) -> Term {
        Term::List(v)
    }
}

/// Fails above `i64::MAX`.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::try_from(5u64), Ok(Term::Int(5)));
/// assert!(Term::try_from(u64::MAX).is_err());
/// ```
impl TryFrom<u64> for Term {
    type Error = TermError;
    fn try_from(v: u64) -> Result<Term, TermError> {
        i64::try_from(v)
            .map(Term::Int)
            .map_err(|_| TermError::IntegerOverflow(i128::from(v)))
    }
}

/// Fails above `i64::MAX`.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::try_from(5usize), Ok(Term::Int(5)));
/// ```
impl TryFrom<usize> for Term {
    type Error = TermError;
    fn try_from(v: usize) -> Result<Term, TermError> {
        // usize is at most 64 bits on every supported target, so u64 is lossless.
        Term::try_from(v as u64)
    }
}

/// Fails outside the `i64` range.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::try_from(-5i128), Ok(Term::Int(-5)));
/// assert!(Term::try_from(i128::MAX).is_err());
/// ```
impl TryFrom<i128> for Term {
    type Error = TermError;
    fn try_from(v: i128) -> Result<Term, TermError> {
        i64::try_from(v)
            .map(Term::Int)
            .map_err(|_| TermError::IntegerOverflow(v))
    }
}

/// Proptest strategies shared by the term modules' tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::{Atom, Term};
    use crate::id::{Pid, Ref};
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Atom names that print bare, quoted, escaped, reserved or non-Latin-1.
    fn arb_atom_name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-zA-Z0-9_@]{0,8}",
            "[a-zß-öø-ÿ][a-zA-Z0-9_@À-ÖØ-Þß-öø-ÿ]{0,6}",
            "[A-Z_0-9 '\"\\\n\t\u{0}-\u{1f}\u{7f}-\u{a0}÷×-]{0,6}",
            "\\PC{0,5}",
            "[\u{100}-\u{10ffff}]{1,3}",
            prop::sample::select(vec![
                "end", "and", "receive", "fun", "maybe", "", "EXIT", "'"
            ])
            .prop_map(String::from),
        ]
    }

    fn arb_float() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
            prop::sample::select(vec![0.0, -0.0, 1.0, 0.1, 1.0e3, 1.0e16, 1.0e-5, 5e-324]),
            (-1000i64..1000).prop_map(|i| i as f64),
        ]
    }

    fn arb_leaf() -> impl Strategy<Value = Term> {
        prop_oneof![
            any::<i64>().prop_map(Term::Int),
            (-300i64..300).prop_map(Term::Int),
            arb_float().prop_map(Term::Float),
            arb_atom_name().prop_map(|n| Term::Atom(Atom::new(&n))),
            (0u32..4, any::<u32>(), any::<u32>())
                .prop_map(|(n, i, s)| Term::Pid(Pid::new(n, i, s))),
            (any::<u32>(), any::<[u32; 3]>()).prop_map(|(n, w)| Term::Ref(Ref::new(n, w))),
            vec(any::<u8>(), 0..6).prop_map(Term::Binary),
            "[ -~\n\té]{0,6}".prop_map(|s| Term::Binary(s.into_bytes())),
            "[ -~\n\t\u{a0}-ÿ]{1,6}".prop_map(|s| Term::string(&s)),
            Just(Term::nil()),
        ]
    }

    /// Arbitrary terms: nested tuples, lists (proper, improper, strings),
    /// maps and binaries over every kind of leaf.
    pub(crate) fn arb_term() -> impl Strategy<Value = Term> {
        arb_leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Term::Tuple),
                vec(inner.clone(), 0..5).prop_map(Term::List),
                (vec(inner.clone(), 1..4), inner.clone())
                    .prop_map(|(elems, tail)| Term::improper_list(elems, tail)),
                vec((inner.clone(), inner), 0..4).prop_map(Term::map),
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_normalise_lists() {
        let t = Term::improper_list([1], Term::improper_list([2], Term::atom("t")));
        assert!(matches!(&t, Term::ImproperList(v, _) if v.len() == 2));
        assert_eq!(t.to_string(), "[1,2|t]");
        assert_eq!(Term::improper_list([1], Term::nil()), Term::list([1]));
        assert_eq!(Term::string(""), Term::nil());
    }

    #[test]
    fn accessors_see_through_empty_improper_lists() {
        let t = Term::ImproperList(Vec::new(), Box::new(Term::atom("x")));
        assert!(t.is_atom("x"));
        assert_eq!(t, Term::atom("x"));
    }

    #[test]
    fn try_from_reports_overflow() {
        assert_eq!(
            Term::try_from(i128::from(i64::MIN) - 1),
            Err(TermError::IntegerOverflow(i128::from(i64::MIN) - 1))
        );
        assert_eq!(
            Term::try_from(i128::from(i64::MIN)),
            Ok(Term::Int(i64::MIN))
        );
    }
}
