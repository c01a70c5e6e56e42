//! `erlang:external_size/1`: how many bytes a term takes in the external term
//! format, as OTP 25's `term_to_binary/1` writes it (minor version 1: atoms
//! that fit Latin-1 as `ATOM_EXT`, others as UTF-8; pids and references in
//! their `NEW_PID_EXT` / `NEWER_REFERENCE_EXT` forms; floats as
//! `NEW_FLOAT_EXT`). The distribution uses it to size what a signal puts on
//! a connection.

use super::{Atom, Term};
use crate::id::NodeId;

/// The version byte every encoding starts with.
const VERSION: u64 = 1;

/// The node name pids and references are sized with when the caller names
/// none: the name of a node that is not distributed.
const NO_NODE: &str = "nonode@nohost";

impl Term {
    /// `erlang:external_size(Term)`: the bytes of its external term format
    /// (the version byte included), with every pid and reference sized as if
    /// its node were `nonode@nohost`. Sizes nested terms without recursion,
    /// so no depth overflows the stack.
    ///
    /// ```
    /// use sim_core::Term;
    /// // As OTP 25 computes them.
    /// assert_eq!(Term::atom("ok").external_size(), 6);
    /// assert_eq!(Term::binary(&[1, 2, 3]).external_size(), 9);
    /// assert_eq!(Term::string("abc").external_size(), 7);
    /// ```
    pub fn external_size(&self) -> u64 {
        let no_node = atom_size_of(NO_NODE);
        self.external_size_with(&|_| no_node)
    }

    /// [`Term::external_size`] with each node's name size given by
    /// `node_atom` (the bytes of the node's name as an atom in the external
    /// format, its tag and length included), as the simulation sizes the
    /// pids and references of its own nodes.
    ///
    /// ```
    /// use sim_core::{Atom, Pid, Term};
    /// let on_a = |_| Term::atom_external_size(Atom::new("a@vm"));
    /// // A pid of node `a@vm`, as OTP 25 computes it.
    /// assert_eq!(Term::Pid(Pid::new(0, 1, 1)).external_size_with(&on_a), 21);
    /// ```
    pub fn external_size_with(&self, node_atom: &dyn Fn(NodeId) -> u64) -> u64 {
        let mut size = VERSION;
        let mut stack: Vec<&Term> = vec![self];
        while let Some(t) = stack.pop() {
            size += match t {
                Term::Int(i) => int_size(*i),
                // NEW_FLOAT_EXT: the tag and an IEEE double.
                Term::Float(_) => 9,
                Term::Atom(a) => Term::atom_external_size(*a),
                // NEW_PID_EXT: tag, node, id, serial, creation.
                Term::Pid(p) => 1 + node_atom(p.node()) + 12,
                // NEWER_REFERENCE_EXT: tag, length, node, creation, words.
                Term::Ref(r) => 1 + 2 + node_atom(r.node()) + 4 + 4 * r.words().len() as u64,
                Term::Tuple(v) => {
                    stack.extend(v.iter());
                    if v.len() < 256 {
                        2
                    } else {
                        5
                    }
                }
                Term::Map(m) => {
                    for (k, v) in m {
                        stack.push(k);
                        stack.push(v);
                    }
                    5
                }
                Term::List(v) if v.is_empty() => 1,
                Term::List(v) if is_string(v) => 3 + v.len() as u64,
                Term::List(v) => {
                    stack.extend(v.iter());
                    // LIST_EXT's tag and length, and the nil tail.
                    5 + 1
                }
                Term::ImproperList(v, tail) => {
                    stack.extend(v.iter());
                    stack.push(tail);
                    5
                }
                Term::Binary(b) => 5 + b.len() as u64,
            };
        }
        size
    }

    /// The bytes of an atom in the external format: `ATOM_EXT` (tag, two
    /// length bytes, Latin-1) when every character fits Latin-1, as OTP 25
    /// writes it; otherwise UTF-8, with a one-byte length when it fits.
    ///
    /// ```
    /// use sim_core::{Atom, Term};
    /// assert_eq!(Term::atom_external_size(Atom::new("ok")), 5);
    /// assert_eq!(Term::atom_external_size(Atom::new("λλ")), 6);
    /// ```
    pub fn atom_external_size(a: Atom) -> u64 {
        atom_size_of(a.as_str())
    }
}

fn atom_size_of(name: &str) -> u64 {
    if name.chars().all(|c| u32::from(c) <= 0xff) {
        3 + name.chars().count() as u64
    } else if name.len() < 256 {
        2 + name.len() as u64
    } else {
        3 + name.len() as u64
    }
}

/// `SMALL_INTEGER_EXT`, `INTEGER_EXT`, or `SMALL_BIG_EXT` (tag, length,
/// sign, the magnitude's bytes).
fn int_size(i: i64) -> u64 {
    if (0..=255).contains(&i) {
        2
    } else if i32::try_from(i).is_ok() {
        5
    } else {
        let magnitude = i.unsigned_abs();
        let bytes = (64 - u64::from(magnitude.leading_zeros())).div_ceil(8);
        3 + bytes
    }
}

/// Whether a proper list is written as `STRING_EXT`: fewer than 65,536
/// elements, each an integer in 0..=255.
fn is_string(v: &[Term]) -> bool {
    v.len() < 65_536 && v.iter().all(|t| matches!(t, Term::Int(0..=255)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Pid, Ref};
    use std::collections::BTreeMap;

    /// Each expected size is `erlang:external_size/1` of the same term on
    /// OTP 25 (`erl -noshell -eval 'io:format("~p~n",
    /// [erlang:external_size(T)]), halt().'`); pids and references were
    /// taken on a non-distributed node (`nonode@nohost`).
    #[test]
    fn sizes_match_otp_25() {
        let big_tuple = Term::Tuple((1..=300).map(Term::Int).collect());
        let cases: Vec<(Term, u64)> = vec![
            (Term::atom("ok"), 6),
            (Term::Int(0), 3),
            (Term::Int(255), 3),
            (Term::Int(256), 6),
            (Term::Int(-1), 6),
            (Term::Int(1 << 31), 8),
            (Term::Int(1 << 40), 10),
            (Term::Int(-(1 << 40)), 10),
            (Term::Int(1 << 62), 12),
            (Term::Int(i64::MIN), 12),
            (Term::Float(1.5), 10),
            (Term::Tuple(vec![]), 3),
            (Term::Tuple(vec![Term::atom("a"), Term::atom("b")]), 11),
            (big_tuple, 741),
            (Term::List(vec![]), 2),
            (Term::string("abc"), 7),
            (Term::List(vec![Term::Int(1000)]), 12),
            (Term::List(vec![Term::Int(1); 70_000]), 140_007),
            (
                Term::ImproperList(vec![Term::atom("a")], Box::new(Term::atom("b"))),
                14,
            ),
            (
                Term::ImproperList(vec![Term::Int(300)], Box::new(Term::Int(2))),
                13,
            ),
            (Term::binary(b""), 6),
            (Term::binary(&[1, 2, 3]), 9),
            (Term::Binary(vec![0; 10_000_000]), 10_000_006),
            (Term::Map(BTreeMap::new()), 6),
            (
                Term::Map(BTreeMap::from([(Term::atom("a"), Term::Int(1))])),
                12,
            ),
            (Term::atom("é"), 5),
            (Term::atom("λλ"), 7),
            (Term::Atom(Atom::new(&"a".repeat(255))), 259),
            (Term::Pid(Pid::new(0, 9, 0)), 30),
            (Term::Ref(Ref::from_counter(0, 1252)), 36),
            (
                Term::Map(BTreeMap::from([
                    (Term::Int(1), Term::List(vec![Term::Pid(Pid::new(0, 9, 0))])),
                    (
                        Term::atom("b"),
                        Term::Tuple(vec![Term::Float(1.0), Term::Int(-5)]),
                    ),
                ])),
                63,
            ),
            (
                Term::Tuple(vec![
                    Term::atom("ok"),
                    Term::string("\u{1}\u{2}\u{3}"),
                    Term::binary(b"abc"),
                ]),
                22,
            ),
        ];
        for (t, want) in cases {
            assert_eq!(t.external_size(), want, "{t}");
        }
    }

    /// On a distributed node `a@vm` (OTP 25): `[make_ref(), self()]` is 53.
    #[test]
    fn node_names_size_pids_and_refs() {
        let a = |_| Term::atom_external_size(Atom::new("a@vm"));
        let t = Term::List(vec![
            Term::Ref(Ref::from_counter(0, 7)),
            Term::Pid(Pid::new(0, 1, 1)),
        ]);
        assert_eq!(t.external_size_with(&a), 53);
    }

    #[test]
    fn deep_terms_are_sized_without_recursion() {
        let mut t = Term::List(vec![]);
        for _ in 0..200_000 {
            t = Term::Tuple(vec![t]);
        }
        assert_eq!(t.external_size(), 1 + 200_000 * 2 + 1);
    }
}
