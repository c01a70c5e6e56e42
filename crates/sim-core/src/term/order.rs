//! Erlang term order, equality and hashing for [`Term`].
//!
//! Types rank `number < atom < reference < fun < port < pid < tuple < map <
//! nil < list < bitstring` (this model has no funs or ports). Within a type:
//!
//! - Numbers compare by exact value (an `i64` against an `f64` without a lossy
//!   cast). `Eq` is Erlang's `=:=`, so `1 != 1.0`; to keep `Ord` a total order
//!   consistent with it, an integer sorts just before a float of equal value,
//!   and `-0.0` sorts just before `0.0`. [`Term::erl_eq`] is Erlang's `==`.
//! - Tuples compare by size, then element by element.
//! - Maps compare by size, then by their keys in map-key order, then by their
//!   values in that key order. Map-key order is term order except that every
//!   integer is below every float (Erlang's rule), so `#{2 => a}` sorts below
//!   `#{1.0 => a}`.
//! - Lists compare element by element; `[]` is the smallest list and an
//!   improper tail is compared against the rest of the other list, so
//!   `[a|b] < [a,c]` because the atom `b` is below the list `[c]`.
//! - Binaries compare byte-wise.
//! - Pids compare by node, then index, then serial; refs by node, then words.
//!   Erlang compares pids and refs of different nodes by node *name*, and local
//!   ones by their internal numbers; ours is an approximation that is total and
//!   stable, which is all a simulation needs.
//!
//! Every spelling of one list (see [`Term::improper_list`]) compares and hashes
//! as that list.

use super::cells::{canon, Cell, Cells};
use super::Term;
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// How numbers of different types compare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `=:=` and our `Ord`: by value, an integer before an equal float.
    Exact,
    /// Map keys: every integer before every float.
    MapKey,
    /// `==`: by value only.
    Arith,
}

const RANK_NIL: u8 = 8;
const RANK_LIST: u8 = 9;

/// The type's place in term order (`t` already canonical).
fn rank(t: &Term) -> u8 {
    match t {
        Term::Int(_) | Term::Float(_) => 0,
        Term::Atom(_) => 1,
        Term::Ref(_) => 2,
        Term::Pid(_) => 5,
        Term::Tuple(_) => 6,
        Term::Map(_) => 7,
        Term::List(v) if v.is_empty() => RANK_NIL,
        Term::List(_) | Term::ImproperList(..) => RANK_LIST,
        Term::Binary(_) => 10,
    }
}

/// Exact numeric comparison of an integer with a float.
fn cmp_int_float_value(i: i64, f: f64) -> Ordering {
    // 2^63: the first float above every i64.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        // Not an Erlang value; place it outside all integers, consistently.
        return if f.is_sign_negative() {
            Ordering::Greater
        } else {
            Ordering::Less
        };
    }
    if f >= TWO_POW_63 {
        return Ordering::Less;
    }
    if f < -TWO_POW_63 {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    // In [-2^63, 2^63), so the cast is exact.
    match i.cmp(&(whole as i64)) {
        Ordering::Equal => whole.partial_cmp(&f).unwrap_or(Ordering::Equal),
        other => other,
    }
}

fn cmp_int_float(i: i64, f: f64, mode: Mode) -> Ordering {
    match mode {
        Mode::MapKey => Ordering::Less,
        Mode::Exact => cmp_int_float_value(i, f).then(Ordering::Less),
        Mode::Arith => cmp_int_float_value(i, f),
    }
}

fn cmp_floats(a: f64, b: f64, mode: Mode) -> Ordering {
    match mode {
        Mode::Arith => a.partial_cmp(&b).unwrap_or_else(|| a.total_cmp(&b)),
        // total_cmp is value order for non-NaN floats, with -0.0 below 0.0.
        Mode::Exact | Mode::MapKey => a.total_cmp(&b),
    }
}

/// A comparison still to make, kept on an explicit stack so that no depth of
/// nesting can overflow the call stack.
enum Pending<'a> {
    /// Two terms.
    Terms(&'a Term, &'a Term, Mode),
    /// The rest of two lists, cell by cell.
    Lists(Cells<'a>, Cells<'a>, Mode),
}

/// The stack of pending comparisons: inline for the first few, so comparing a
/// shallow term allocates nothing.
type Stack<'a> = SmallVec<[Pending<'a>; 8]>;

/// Compares in pre-order, stopping at the first difference: the same answer
/// as comparing children recursively, without the recursion.
fn compare(a: &Term, b: &Term, mode: Mode) -> Ordering {
    let mut stack = Stack::new();
    let mut next = Pending::Terms(a, b, mode);
    loop {
        let o = match next {
            Pending::Terms(a, b, mode) => compare_one(a, b, mode, &mut stack),
            Pending::Lists(xs, ys, mode) => compare_cells(xs, ys, mode, &mut stack),
        };
        if o != Ordering::Equal {
            return o;
        }
        match stack.pop() {
            Some(p) => next = p,
            None => return Ordering::Equal,
        }
    }
}

/// Compares `a` and `b` as far as their own type, size and scalar value go,
/// pushing what their children still have to decide.
fn compare_one<'a>(a: &'a Term, b: &'a Term, mode: Mode, stack: &mut Stack<'a>) -> Ordering {
    let (a, b) = (canon(a), canon(b));
    let by_rank = rank(a).cmp(&rank(b));
    if by_rank != Ordering::Equal {
        return by_rank;
    }
    match (a, b) {
        (Term::Int(x), Term::Int(y)) => x.cmp(y),
        (Term::Float(x), Term::Float(y)) => cmp_floats(*x, *y, mode),
        (Term::Int(i), Term::Float(f)) => cmp_int_float(*i, *f, mode),
        (Term::Float(f), Term::Int(i)) => cmp_int_float(*i, *f, mode).reverse(),
        (Term::Atom(x), Term::Atom(y)) => x.cmp(y),
        (Term::Ref(x), Term::Ref(y)) => x.cmp(y),
        (Term::Pid(x), Term::Pid(y)) => x.cmp(y),
        (Term::Tuple(x), Term::Tuple(y)) => {
            let by_size = x.len().cmp(&y.len());
            if by_size == Ordering::Equal {
                // Reversed, so the first elements are compared first.
                stack.extend(
                    x.iter()
                        .zip(y)
                        .rev()
                        .map(|(p, q)| Pending::Terms(p, q, mode)),
                );
            }
            by_size
        }
        (Term::Map(x), Term::Map(y)) => {
            let by_size = x.len().cmp(&y.len());
            if by_size == Ordering::Equal {
                // All keys (in map-key order) before any value.
                let (xs, ys) = (map_key_order(x), map_key_order(y));
                let pairs = || xs.iter().zip(&ys).rev();
                stack.extend(pairs().map(|((_, p), (_, q))| Pending::Terms(p, q, mode)));
                stack.extend(pairs().map(|((p, _), (q, _))| Pending::Terms(p, q, Mode::MapKey)));
            }
            by_size
        }
        (Term::Binary(x), Term::Binary(y)) => x.cmp(y),
        // Same rank and not covered above: both nil or both non-empty lists.
        _ => compare_cells(Cells::new(a), Cells::new(b), mode, stack),
    }
}

/// Compares the next cells of two lists, pushing the rest of the walk.
fn compare_cells<'a>(
    mut xs: Cells<'a>,
    mut ys: Cells<'a>,
    mode: Mode,
    stack: &mut Stack<'a>,
) -> Ordering {
    match (xs.next_cell(), ys.next_cell()) {
        (Cell::Head(x), Cell::Head(y)) => {
            stack.push(Pending::Lists(xs, ys, mode));
            stack.push(Pending::Terms(x, y, mode));
            Ordering::Equal
        }
        (Cell::Nil, Cell::Nil) => Ordering::Equal,
        (Cell::Tail(x), Cell::Tail(y)) => {
            stack.push(Pending::Terms(x, y, mode));
            Ordering::Equal
        }
        // Different kinds of remainder: compare them as whole terms, which
        // their types alone decide (a tail is never a list).
        (x, y) => cell_rank(&x).cmp(&cell_rank(&y)),
    }
}

fn cell_rank(c: &Cell<'_>) -> u8 {
    match c {
        Cell::Head(_) => RANK_LIST,
        Cell::Nil => RANK_NIL,
        Cell::Tail(t) => rank(canon(t)),
    }
}

/// A map's entries in Erlang's map-key order (the order `~p` prints them in).
pub(crate) fn map_key_order(m: &BTreeMap<Term, Term>) -> Vec<(&Term, &Term)> {
    let mut entries: Vec<(&Term, &Term)> = m.iter().collect();
    // Usually already sorted (term order and map-key order differ only for
    // mixed integer and float keys), which the sort detects in linear time.
    entries.sort_by(|(p, _), (q, _)| compare(p, q, Mode::MapKey));
    entries
}

impl Term {
    /// Erlang's `==`: like `=:=` ([`PartialEq`]) except that numbers compare by
    /// value, so `1 == 1.0` and `0.0 == -0.0`. Map keys still match exactly, as
    /// in Erlang (`#{1 => a} == #{1.0 => a}` is false).
    ///
    /// ```
    /// use sim_core::Term;
    /// assert!(Term::Int(1).erl_eq(&Term::Float(1.0)));
    /// assert_ne!(Term::Int(1), Term::Float(1.0));
    /// assert!(Term::list([1]).erl_eq(&Term::list([1.0])));
    /// assert!(!Term::map([(1, 0)]).erl_eq(&Term::map([(1.0, 0)])));
    /// ```
    pub fn erl_eq(&self, other: &Term) -> bool {
        compare(self, other, Mode::Arith) == Ordering::Equal
    }
}

/// Exact equality, Erlang's `=:=`.
///
/// ```
/// use sim_core::Term;
/// assert_eq!(Term::list([1, 2]), Term::improper_list([1], Term::list([2])));
/// assert_ne!(Term::Float(0.0), Term::Float(-0.0));
/// ```
impl PartialEq for Term {
    #[inline]
    fn eq(&self, other: &Term) -> bool {
        // Scalars of one type need no canonical form or rank (a common match
        // in receive patterns); everything else takes the general comparison.
        match (self, other) {
            (Term::Int(x), Term::Int(y)) => x == y,
            (Term::Atom(x), Term::Atom(y)) => x == y,
            (Term::Ref(x), Term::Ref(y)) => x == y,
            (Term::Pid(x), Term::Pid(y)) => x == y,
            _ => compare(self, other, Mode::Exact) == Ordering::Equal,
        }
    }
}

impl Eq for Term {}

/// Erlang term order (see the [module docs](self)).
///
/// ```
/// use sim_core::Term;
/// assert!(Term::Int(1) < Term::Float(1.5));
/// assert!(Term::Int(1) < Term::Float(1.0));
/// assert!(Term::Int(9) < Term::atom("a"));
/// ```
impl PartialOrd for Term {
    fn partial_cmp(&self, other: &Term) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Erlang term order, total and consistent with `=:=` (see the [module
/// docs](self)).
///
/// ```
/// use sim_core::Term;
/// let mut v = vec![Term::nil(), Term::atom("a"), Term::tuple([1]), Term::Int(3)];
/// v.sort();
/// assert_eq!(Term::list(v).to_string(), "[3,a,{1},[]]");
/// ```
impl Ord for Term {
    fn cmp(&self, other: &Term) -> Ordering {
        compare(self, other, Mode::Exact)
    }
}

/// Hashes agree with `=:=`: equal terms (including different spellings of one
/// list) hash alike, and `1` and `1.0` need not.
///
/// ```
/// use sim_core::Term;
/// use std::collections::hash_map::DefaultHasher;
/// use std::hash::{Hash, Hasher};
/// let h = |t: &Term| { let mut s = DefaultHasher::new(); t.hash(&mut s); s.finish() };
/// assert_eq!(h(&Term::list([1, 2])), h(&Term::improper_list([1], Term::list([2]))));
/// ```
impl Hash for Term {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Pre-order with an explicit stack, so no depth of nesting overflows
        // the call stack; the words written are those of the plain recursion.
        let mut stack: SmallVec<[HashStep<'_>; 8]> = SmallVec::new();
        let mut next = HashStep::Term(self);
        loop {
            match next {
                HashStep::Term(t) => hash_one(t, state, &mut stack),
                HashStep::Cells(mut cells) => match cells.next_cell() {
                    Cell::Head(h) => {
                        state.write_u8(1);
                        stack.push(HashStep::Cells(cells));
                        stack.push(HashStep::Term(h));
                    }
                    Cell::Nil => state.write_u8(0),
                    Cell::Tail(tail) => {
                        state.write_u8(2);
                        stack.push(HashStep::Term(tail));
                    }
                },
            }
            match stack.pop() {
                Some(step) => next = step,
                None => return,
            }
        }
    }
}

/// A part of a term still to hash.
enum HashStep<'a> {
    Term(&'a Term),
    Cells(Cells<'a>),
}

/// Hashes `t`'s own words, pushing its children (in reverse, so they are
/// hashed in order).
fn hash_one<'a, H: Hasher>(t: &'a Term, state: &mut H, stack: &mut SmallVec<[HashStep<'a>; 8]>) {
    let t = canon(t);
    state.write_u8(rank(t));
    match t {
        Term::Int(i) => {
            state.write_u8(0);
            i.hash(state);
        }
        Term::Float(f) => {
            state.write_u8(1);
            f.to_bits().hash(state);
        }
        Term::Atom(a) => a.hash(state),
        Term::Ref(r) => r.hash(state),
        Term::Pid(p) => p.hash(state),
        Term::Tuple(v) => {
            v.len().hash(state);
            stack.extend(v.iter().rev().map(HashStep::Term));
        }
        Term::Map(m) => {
            // Equal maps iterate their (equal) keys in the same order.
            m.len().hash(state);
            for (k, v) in m.iter().rev() {
                stack.push(HashStep::Term(v));
                stack.push(HashStep::Term(k));
            }
        }
        Term::Binary(b) => b.hash(state),
        Term::List(_) | Term::ImproperList(..) => stack.push(HashStep::Cells(Cells::new(t))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Pid, Ref};
    use crate::term::Atom;
    use proptest::prelude::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(t: &Term) -> u64 {
        let mut s = DefaultHasher::new();
        t.hash(&mut s);
        s.finish()
    }

    fn a(name: &str) -> Term {
        Term::atom(name)
    }

    #[test]
    fn type_ranks_follow_erlang() {
        let ascending = [
            Term::Int(i64::MAX),
            a("a"),
            Term::from(Ref::new(0, [0, 0, 0])),
            Term::from(Pid::new(0, 0, 0)),
            Term::tuple(Vec::<Term>::new()),
            Term::map(Vec::<(Term, Term)>::new()),
            Term::nil(),
            Term::list([0]),
            Term::binary(b""),
        ];
        for w in ascending.windows(2) {
            assert!(w[0] < w[1], "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn numbers_compare_exactly() {
        let big = i64::MAX;
        // i64::MAX as f64 rounds up to 2^63, which is above every i64.
        assert!(Term::Int(big) < Term::Float(big as f64));
        let m = i64::MIN;
        assert!(Term::Int(m) < Term::Float(m as f64)); // equal value: int first
        assert!(Term::Int(m).erl_eq(&Term::Float(m as f64)));
        // 2^53 + 1 is not a float; the nearest float is 2^53.
        let p = (1i64 << 53) + 1;
        assert!(Term::Int(p) > Term::Float(p as f64));
        assert!(!Term::Int(p).erl_eq(&Term::Float(p as f64)));
        assert!(Term::Int(-1) > Term::Float(-1.5));
        assert!(Term::Int(0) > Term::Float(-0.5));
        assert!(Term::Int(0) < Term::Float(-0.0));
        assert!(Term::Float(-0.0) < Term::Float(0.0));
        assert!(Term::Float(-0.0).erl_eq(&Term::Float(0.0)));
        assert!(Term::Int(0).erl_eq(&Term::Float(-0.0)));
        assert!(Term::Float(1.0) < Term::Int(2));
    }

    #[test]
    fn tuples_by_size_first() {
        assert!(Term::tuple([a("z")]) < Term::tuple([a("a"), a("a")]));
        assert!(Term::tuple([1, 2]) < Term::tuple([1, 3]));
    }

    #[test]
    fn lists_compare_like_erlang() {
        let ab = Term::improper_list([a("a")], a("b"));
        let ac = Term::list([a("a"), a("c")]);
        assert!(ab < ac);
        assert!(Term::list([a("a")]) < ac); // [a] < [a,c]: [] below [c]
        assert!(Term::nil() < Term::list([0]));
        assert!(Term::list([2]) > Term::list([1, 5]));
        // [a|b] vs [a|c]: tails compared as terms.
        assert!(ab < Term::improper_list([a("a")], a("c")));
        // [1|2] vs [1]: tail 2 (number) vs [] (nil)
        assert!(Term::improper_list([1], Term::Int(2)) < Term::list([1]));
        // A tail that is a tuple ranks below nil too, a binary above lists.
        assert!(Term::improper_list([1], Term::binary(b"")) > Term::list([1, 2]));
    }

    #[test]
    fn maps_use_map_key_order() {
        assert!(Term::map([(a("z"), 1)]) < Term::map([(1, 1), (2, 2)]));
        // Map keys: all integers before all floats.
        assert!(Term::map([(2, 0)]) < Term::map([(1.0, 0)]));
        // Keys first, then values.
        assert!(Term::map([(1, 9)]) < Term::map([(2, 0)]));
        assert!(Term::map([(1, 0)]) < Term::map([(1, 9)]));
        let ks: Vec<String> =
            match &Term::map([(Term::Float(1.0), 0), (Term::Int(2), 0), (a("k"), 0)]) {
                Term::Map(m) => map_key_order(m)
                    .iter()
                    .map(|(k, _)| k.to_string())
                    .collect(),
                _ => unreachable!(),
            };
        assert_eq!(ks, ["2", "1.0", "k"]);
    }

    #[test]
    fn erl_eq_is_coercing_except_map_keys() {
        assert!(Term::tuple([1.0]).erl_eq(&Term::tuple([1])));
        assert!(Term::map([(a("k"), 1)]).erl_eq(&Term::map([(a("k"), 1.0)])));
        assert!(!Term::map([(1, a("v"))]).erl_eq(&Term::map([(1.0, a("v"))])));
        assert!(!Term::Int(1).erl_eq(&Term::Float(1.5)));
    }

    #[test]
    fn list_spellings_are_one_value() {
        let spellings = [
            Term::list([1, 2, 3]),
            Term::ImproperList(vec![Term::Int(1)], Box::new(Term::list([2, 3]))),
            Term::ImproperList(
                vec![Term::Int(1)],
                Box::new(Term::ImproperList(
                    vec![Term::Int(2)],
                    Box::new(Term::list([3])),
                )),
            ),
            Term::ImproperList(Vec::new(), Box::new(Term::list([1, 2, 3]))),
        ];
        for s in &spellings {
            assert_eq!(s, &spellings[0]);
            assert_eq!(hash_of(s), hash_of(&spellings[0]));
            assert_eq!(s.to_string(), "[1,2,3]");
        }
    }

    #[test]
    fn atoms_and_ids() {
        assert!(a("abc") < a("abd"));
        assert!(Term::from(Pid::new(0, 9, 9)) < Term::from(Pid::new(1, 0, 0)));
        assert!(Term::from(Pid::new(0, 1, 9)) < Term::from(Pid::new(0, 2, 0)));
        assert_eq!(Term::from(Atom::new("x")), a("x"));
    }

    proptest! {
        #[test]
        fn order_is_total_and_consistent(v in proptest::collection::vec(crate::term::tests_support::arb_term(), 3..6)) {
            for x in &v {
                prop_assert_eq!(x.cmp(x), Ordering::Equal);
                prop_assert_eq!(x, &x.clone());
                prop_assert_eq!(hash_of(x), hash_of(&x.clone()));
                for y in &v {
                    let xy = x.cmp(y);
                    prop_assert_eq!(xy, y.cmp(x).reverse());
                    prop_assert_eq!(xy == Ordering::Equal, x == y);
                    if x == y {
                        prop_assert_eq!(hash_of(x), hash_of(y));
                    }
                    for z in &v {
                        if x <= y && y <= z {
                            prop_assert!(x <= z, "{} <= {} <= {}", x, y, z);
                        }
                    }
                }
            }
        }

        #[test]
        fn numbers_order_transitively(i in any::<i64>(), j in any::<i64>(), f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
            let v = [Term::Int(i), Term::Int(j), Term::Float(f), Term::Float(i as f64), Term::Float(j as f64)];
            for x in &v {
                for y in &v {
                    prop_assert_eq!(x.cmp(y), y.cmp(x).reverse());
                    for z in &v {
                        if x <= y && y <= z {
                            prop_assert!(x <= z);
                        }
                    }
                }
            }
        }

        #[test]
        fn sorting_agrees_with_pairwise_order(mut v in proptest::collection::vec(crate::term::tests_support::arb_term(), 0..12)) {
            v.sort();
            for i in 0..v.len() {
                for j in i..v.len() {
                    prop_assert!(v[i] <= v[j]);
                }
            }
        }
    }
}
