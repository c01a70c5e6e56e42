//! `Clone` and `Drop` for [`Term`] that no depth of nesting can overflow the
//! stack with.
//!
//! A term is a tree, and the derived implementations recurse once per level: a
//! message nested a few ten thousand levels deep would abort the program (an
//! explorer worker has a small stack). Both recurse natively for the first
//! [`RECURSION_LIMIT`] levels, which is as fast as the derived code and needs
//! no allocation, and go on with an explicit stack on the heap below that.

use super::Term;
use std::cell::Cell;
use std::collections::BTreeMap;

/// Levels handled by native recursion before an explicit stack takes over.
/// Small enough that the recursion fits any thread's stack, large enough that
/// real messages never reach it.
pub(crate) const RECURSION_LIMIT: usize = 64;

/// Whether `t` holds other terms (so dropping or cloning it can recurse).
#[inline]
fn is_compound(t: &Term) -> bool {
    match t {
        Term::Tuple(v) | Term::List(v) => !v.is_empty(),
        Term::ImproperList(..) => true,
        Term::Map(m) => !m.is_empty(),
        Term::Int(_)
        | Term::Float(_)
        | Term::Atom(_)
        | Term::Ref(_)
        | Term::Pid(_)
        | Term::Binary(_) => false,
    }
}

/// What dropping a tuple's or list's elements takes.
enum Shape {
    /// None owns memory (scalars and unallocated empty lists).
    OwnsNothing,
    /// None holds other terms, but some own memory (a binary, an emptied list).
    Flat,
    /// Some hold other terms: the drop recurses.
    Nested,
}

/// The [`Shape`] of `elems`, in one pass.
#[inline]
fn drop_shape(elems: &[Term]) -> Shape {
    let mut shape = Shape::OwnsNothing;
    for e in elems {
        match e {
            Term::Int(_) | Term::Float(_) | Term::Atom(_) | Term::Ref(_) | Term::Pid(_) => {}
            Term::Tuple(v) | Term::List(v) if v.is_empty() => {
                if v.capacity() != 0 {
                    shape = Shape::Flat;
                }
            }
            Term::Binary(_) => shape = Shape::Flat,
            Term::Map(m) if m.is_empty() => shape = Shape::Flat,
            Term::Tuple(_) | Term::List(_) | Term::ImproperList(..) | Term::Map(_) => {
                return Shape::Nested
            }
        }
    }
    shape
}

thread_local! {
    /// How many `Term` drops are under way on this thread, one inside the
    /// other: the native recursion depth of dropping.
    static DROP_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Drops nested terms natively for the first 64 levels (a counter per thread
/// tracks the depth, so a shallow term pays one scalar check per node, as
/// the derived drop does), and below that moves what is left onto an
/// explicit stack on the heap.
///
/// ```
/// use sim_core::Term;
/// let mut t = Term::nil();
/// for _ in 0..1_000_000 {
///     t = Term::Tuple(vec![t]);
/// }
/// drop(t);
/// ```
impl Drop for Term {
    #[inline]
    fn drop(&mut self) {
        match self {
            // A tuple or list of scalars (most messages, exit reasons, the
            // innermost level of every term) cannot recurse: its elements go
            // with the drop glue, without the depth count.
            Term::Tuple(v) | Term::List(v) => match drop_shape(v) {
                // Elements that own no memory need no drop: forgetting them
                // spares a call of the drop glue per element.
                Shape::OwnsNothing => v.drain(..).for_each(std::mem::forget),
                Shape::Flat => {}
                Shape::Nested => drop_children(self),
            },
            Term::ImproperList(..) | Term::Map(_) => {
                if is_compound(self) {
                    drop_children(self);
                }
            }
            Term::Int(_)
            | Term::Float(_)
            | Term::Atom(_)
            | Term::Ref(_)
            | Term::Pid(_)
            | Term::Binary(_) => {}
        }
    }
}

/// Drops `t`'s children now, inside the depth count, so that the drop glue
/// that runs after `Drop::drop` finds nothing left to recurse into.
fn drop_children(t: &mut Term) {
    DROP_DEPTH.with(|d| {
        let depth = d.get();
        if depth >= RECURSION_LIMIT {
            flatten_iteratively(t);
            return;
        }
        d.set(depth + 1);
        match t {
            Term::Tuple(v) | Term::List(v) => v.clear(),
            Term::ImproperList(v, tail) => {
                v.clear();
                drop(std::mem::take(&mut **tail));
            }
            Term::Map(m) => drop(std::mem::take(m)),
            _ => {}
        }
        d.set(depth);
    });
}

/// Drops `t`'s contents with the pending terms on the heap: each popped term
/// hands its compound children to the stack before it is dropped, childless.
fn flatten_iteratively(t: &mut Term) {
    let mut pending = Vec::new();
    take_compound_children(t, &mut pending);
    while let Some(mut c) = pending.pop() {
        take_compound_children(&mut c, &mut pending);
    }
}

/// Moves `t`'s compound children to `out`, dropping its scalar ones.
fn take_compound_children(t: &mut Term, out: &mut Vec<Term>) {
    match t {
        Term::Tuple(v) | Term::List(v) => out.extend(v.drain(..).filter(is_compound)),
        Term::ImproperList(v, tail) => {
            out.extend(v.drain(..).filter(is_compound));
            if is_compound(tail) {
                out.push(std::mem::take(&mut **tail));
            }
        }
        Term::Map(m) => {
            for (k, v) in std::mem::take(m) {
                out.extend([k, v].into_iter().filter(is_compound));
            }
        }
        _ => {}
    }
}

/// Clones natively for the first 64 levels, then with an explicit
/// stack, so any depth clones (a message is cloned into a trace or a
/// `process_info` snapshot).
///
/// ```
/// use sim_core::Term;
/// let mut t = Term::nil();
/// for _ in 0..100_000 {
///     t = Term::List(vec![t]);
/// }
/// assert_eq!(t.clone(), t);
/// ```
impl Clone for Term {
    // Scalars (most messages) are copied inline, without the depth walk.
    #[inline]
    fn clone(&self) -> Term {
        match self {
            Term::Int(i) => Term::Int(*i),
            Term::Atom(a) => Term::Atom(*a),
            Term::Pid(p) => Term::Pid(*p),
            Term::Ref(r) => Term::Ref(*r),
            _ => clone_at(self, 0),
        }
    }
}

fn clone_seq(v: &[Term], depth: usize) -> Vec<Term> {
    let mut out = Vec::with_capacity(v.len());
    for e in v {
        out.push(clone_at(e, depth + 1));
    }
    out
}

fn clone_at(t: &Term, depth: usize) -> Term {
    match t {
        _ if depth >= RECURSION_LIMIT && is_compound(t) => clone_iteratively(t),
        Term::Int(i) => Term::Int(*i),
        Term::Float(f) => Term::Float(*f),
        Term::Atom(a) => Term::Atom(*a),
        Term::Ref(r) => Term::Ref(*r),
        Term::Pid(p) => Term::Pid(*p),
        Term::Binary(b) => Term::Binary(b.clone()),
        Term::Tuple(v) => Term::Tuple(clone_seq(v, depth)),
        Term::List(v) => Term::List(clone_seq(v, depth)),
        Term::ImproperList(v, tail) => {
            Term::ImproperList(clone_seq(v, depth), Box::new(clone_at(tail, depth + 1)))
        }
        // Not `BTreeMap::clone`: it would clone the keys and values through
        // `Term::clone` from depth 0 again. The entries come out sorted, so
        // collecting them rebuilds the tree without re-sorting work.
        Term::Map(m) => Term::Map(
            m.iter()
                .map(|(k, v)| (clone_at(k, depth + 1), clone_at(v, depth + 1)))
                .collect(),
        ),
    }
}

/// One instruction of [`clone_iteratively`]'s post-order walk.
enum Step<'a> {
    /// Clone this term onto the value stack.
    Visit(&'a Term),
    /// Replace the top `n` values by a tuple of them.
    Tuple(usize),
    /// Replace the top `n` values by a list of them.
    List(usize),
    /// Replace the top `n + 1` values by an improper list: `n` elements, a tail.
    Improper(usize),
    /// Replace the top `2n` values (key, value, ...) by a map.
    Map(usize),
}

fn clone_iteratively(t: &Term) -> Term {
    let mut steps = vec![Step::Visit(t)];
    let mut values: Vec<Term> = Vec::new();
    let take = |values: &mut Vec<Term>, n: usize| values.split_off(values.len().saturating_sub(n));
    while let Some(step) = steps.pop() {
        match step {
            Step::Visit(t) => match t {
                Term::Tuple(v) | Term::List(v) if !v.is_empty() => {
                    steps.push(if matches!(t, Term::Tuple(_)) {
                        Step::Tuple(v.len())
                    } else {
                        Step::List(v.len())
                    });
                    steps.extend(v.iter().rev().map(Step::Visit));
                }
                Term::ImproperList(v, tail) => {
                    steps.push(Step::Improper(v.len()));
                    steps.push(Step::Visit(tail));
                    steps.extend(v.iter().rev().map(Step::Visit));
                }
                Term::Map(m) if !m.is_empty() => {
                    steps.push(Step::Map(m.len()));
                    for (k, v) in m.iter().rev() {
                        steps.push(Step::Visit(v));
                        steps.push(Step::Visit(k));
                    }
                }
                // Scalars and empty containers: the native clone is shallow.
                _ => values.push(clone_at(t, 0)),
            },
            Step::Tuple(n) => {
                let elems = take(&mut values, n);
                values.push(Term::Tuple(elems));
            }
            Step::List(n) => {
                let elems = take(&mut values, n);
                values.push(Term::List(elems));
            }
            Step::Improper(n) => {
                let tail = values.pop().unwrap_or_default();
                let elems = take(&mut values, n);
                values.push(Term::ImproperList(elems, Box::new(tail)));
            }
            Step::Map(n) => {
                let flat = take(&mut values, 2 * n);
                let mut map = BTreeMap::new();
                let mut it = flat.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    map.insert(k, v);
                }
                values.push(Term::Map(map));
            }
        }
    }
    values.pop().unwrap_or_default()
}

/// The empty list `[]`, so that `std::mem::take` can move a term out of a
/// place (a `Term` cannot be destructured by value, as it implements `Drop`).
///
/// ```
/// use sim_core::Term;
/// let mut t = Term::list([1, 2]);
/// let taken = std::mem::take(&mut t);
/// assert_eq!((taken.to_string(), t.to_string()), ("[1,2]".into(), "[]".into()));
/// ```
impl Default for Term {
    fn default() -> Term {
        Term::nil()
    }
}

/// Whether `t` nests containers more than `limit` levels deep (a scalar is at
/// depth 0, `[1]` at depth 1), without recursing.
pub(crate) fn deeper_than(t: &Term, limit: usize) -> bool {
    let mut pending: smallvec::SmallVec<[(&Term, usize); 16]> = smallvec::smallvec![(t, 0)];
    while let Some((t, depth)) = pending.pop() {
        if !is_compound(t) {
            continue;
        }
        if depth >= limit {
            return true;
        }
        match t {
            Term::Tuple(v) | Term::List(v) => pending.extend(v.iter().map(|e| (e, depth + 1))),
            Term::ImproperList(v, tail) => {
                pending.extend(v.iter().map(|e| (e, depth + 1)));
                pending.push((tail, depth + 1));
            }
            Term::Map(m) => {
                pending.extend(m.iter().flat_map(|(k, v)| [(k, depth + 1), (v, depth + 1)]));
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::tests_support::arb_term;
    use proptest::prelude::*;

    #[test]
    fn only_elements_that_own_no_memory_are_forgotten() {
        let scalars = [Term::Int(1), Term::atom("a"), Term::Float(0.5), Term::nil()];
        assert!(matches!(drop_shape(&scalars), Shape::OwnsNothing));
        let mut emptied = vec![Term::Int(1)];
        emptied.clear();
        for owner in [Term::binary(b"x"), Term::List(emptied), Term::map([(1, 2)])] {
            let flat = [Term::Int(1), owner];
            let want_flat = !matches!(&flat[1], Term::Map(_));
            assert_eq!(
                matches!(drop_shape(&flat), Shape::Flat),
                want_flat,
                "{}",
                flat[1]
            );
        }
        let nested = [Term::Int(1), Term::list([2])];
        assert!(matches!(drop_shape(&nested), Shape::Nested));
    }

    /// `[[...[x]...]]`, `depth` lists around `x`.
    fn nest(depth: usize, x: Term, wrap: fn(Term) -> Term) -> Term {
        (0..depth).fold(x, |t, _| wrap(t))
    }

    #[test]
    fn deep_terms_clone_and_drop_without_recursing() {
        let wraps: [fn(Term) -> Term; 5] = [
            |t| Term::Tuple(vec![t]),
            |t| Term::List(vec![Term::Int(1), t, Term::Int(2)]),
            |t| Term::ImproperList(vec![Term::Int(1)], Box::new(Term::Tuple(vec![t]))),
            |t| Term::map([(Term::Int(1), t)]),
            |t| Term::map([(t, Term::Int(1))]),
        ];
        for wrap in wraps {
            let t = nest(200_000, Term::atom("x"), wrap);
            let c = t.clone();
            assert!(deeper_than(&c, 199_999));
            assert!(!deeper_than(&c, 400_001));
            drop(t);
            drop(c);
        }
    }

    #[test]
    fn the_explicit_stack_clones_exactly() {
        let t = Term::tuple([
            Term::improper_list([1], Term::atom("t")),
            Term::map([(Term::list([1]), Term::binary(b"b"))]),
            Term::nil(),
            Term::Tuple(Vec::new()),
        ]);
        let c = clone_iteratively(&t);
        assert_eq!(c, t);
        assert_eq!(c.to_string(), t.to_string());
    }

    /// The exact spelling of a (shallow) term, which `==` does not see.
    fn shape(t: &Term) -> String {
        let seq = |v: &[Term]| v.iter().map(shape).collect::<Vec<_>>().join(",");
        match t {
            Term::Tuple(v) => format!("T({})", seq(v)),
            Term::List(v) => format!("L({})", seq(v)),
            Term::ImproperList(v, tail) => format!("I({};{})", seq(v), shape(tail)),
            Term::Map(m) => {
                let kv: Vec<String> = m.iter().map(|(k, v)| shape(k) + "=" + &shape(v)).collect();
                format!("M({})", kv.join(","))
            }
            scalar => scalar.to_string(),
        }
    }

    proptest! {
        #[test]
        fn both_clones_agree(t in arb_term()) {
            let c = clone_iteratively(&t);
            prop_assert_eq!(&c, &t);
            prop_assert_eq!(shape(&c), shape(&t));
            prop_assert_eq!(shape(&t.clone()), shape(&t));
        }
    }
}
