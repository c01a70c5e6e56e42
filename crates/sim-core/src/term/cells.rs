//! Lists seen as chains of cons cells.
//!
//! One Erlang list has several spellings as a `Term` (an `ImproperList` whose
//! tail is a list, or an `ImproperList` with no elements). Ordering, hashing
//! and printing walk lists through these views, so every spelling behaves as
//! the single Erlang value it denotes.

use super::Term;

/// `t` with any element-less `ImproperList` wrappers removed: `[|T]` is `T`.
pub(crate) fn canon(mut t: &Term) -> &Term {
    while let Term::ImproperList(elems, tail) = t {
        if !elems.is_empty() {
            break;
        }
        t = tail;
    }
    t
}

/// One step along a list.
pub(crate) enum Cell<'a> {
    /// The next element.
    Head(&'a Term),
    /// The list ended properly.
    Nil,
    /// The list ended with this non-list tail.
    Tail(&'a Term),
}

/// A walk over the cells of a list, following tails that are lists themselves.
pub(crate) struct Cells<'a> {
    chunk: std::slice::Iter<'a, Term>,
    rest: Option<&'a Term>,
}

impl<'a> Cells<'a> {
    /// Starts a walk over `list` (a non-list term reads as a bare tail).
    pub(crate) fn new(list: &'a Term) -> Cells<'a> {
        Cells {
            chunk: [].iter(),
            rest: Some(list),
        }
    }

    /// The next cell; after `Nil` or `Tail` every call gives `Nil`.
    pub(crate) fn next_cell(&mut self) -> Cell<'a> {
        loop {
            if let Some(head) = self.chunk.next() {
                return Cell::Head(head);
            }
            match self.rest.take() {
                None => return Cell::Nil,
                Some(Term::List(elems)) => self.chunk = elems.iter(),
                Some(Term::ImproperList(elems, tail)) => {
                    self.chunk = elems.iter();
                    self.rest = Some(tail);
                }
                Some(other) => return Cell::Tail(other),
            }
        }
    }
}
