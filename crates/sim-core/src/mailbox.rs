//! Mailboxes: one message arena per simulation, each mailbox an ordered list
//! threaded through it.
//!
//! Selective receive scans in arrival order and unlinks the first match (O(1)
//! once found). A receive marker remembers the tail at the moment a reference was
//! made, so a receive that waits for that reference scans only what arrived
//! after it: the cost of `erpc:call` does not grow with unrelated messages.
//!
//! As in OTP, each marker is bound to its reference, and a process keeps only a
//! few: a receive whose marker was dropped scans from the head. A marker can
//! only make a receive faster, never make it miss a message.

use crate::id::Ref;
use crate::term::Term;
use slotmap::{new_key_type, SlotMap};

new_key_type! {
    /// A message slot in the arena.
    pub(crate) struct MsgKey;
}

#[derive(Debug)]
struct Node {
    term: Term,
    prev: Option<MsgKey>,
    next: Option<MsgKey>,
}

/// All messages of a simulation.
#[derive(Debug, Default)]
pub(crate) struct Arena {
    slots: SlotMap<MsgKey, Node>,
}

/// Where a scan resumes: after this message, or from the head.
pub(crate) type Cursor = Option<MsgKey>;

/// How many receive markers a process keeps (oldest dropped first).
pub(crate) const MAX_MARKS: usize = 4;

/// One process's queue: an ordered list of arena slots.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    head: Option<MsgKey>,
    tail: Option<MsgKey>,
    len: u32,
    /// Receive markers, oldest first: each reference with the tail when it was
    /// made (`None`: the queue was empty).
    marks: crate::lazy_vec::LazyVec<(Ref, Cursor)>,
}

impl Mailbox {
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// Sets a receive marker for `r` at the current tail.
    pub(crate) fn set_mark(&mut self, r: Ref) {
        if self.marks.len() >= MAX_MARKS {
            self.marks.remove(0);
        }
        self.marks.push((r, self.tail));
    }

    /// Where a receive for `r` starts: after its marker, or at the head when
    /// `r` has none (never set, or dropped).
    pub(crate) fn mark_of(&self, r: Ref) -> Cursor {
        self.marks
            .iter()
            .find(|(m, _)| *m == r)
            .and_then(|(_, c)| *c)
    }

    /// The most recent marker's reference.
    pub(crate) fn latest_mark(&self) -> Option<Ref> {
        self.marks.last().map(|(r, _)| *r)
    }

    /// Drops the marker of `r` (its receive is done).
    pub(crate) fn clear_mark(&mut self, r: Ref) {
        self.marks.retain(|(m, _)| *m != r);
    }

    pub(crate) fn push(&mut self, arena: &mut Arena, term: Term) {
        let key = arena.slots.insert(Node {
            term,
            prev: self.tail,
            next: None,
        });
        match self.tail {
            Some(t) => {
                if let Some(n) = arena.slots.get_mut(t) {
                    n.next = Some(key);
                }
            }
            None => self.head = Some(key),
        }
        self.tail = Some(key);
        self.len += 1;
    }

    /// The first message after `from` (or from the head when `from` is `None`).
    fn first_after(&self, arena: &Arena, from: Cursor) -> Option<MsgKey> {
        match from {
            None => self.head,
            Some(k) => arena.slots.get(k).and_then(|n| n.next),
        }
    }

    /// Scans messages after `cursor` in arrival order. Returns the first one that
    /// `matches`, unlinked from the queue; otherwise advances `cursor` to the last
    /// message scanned and returns `None`.
    #[inline]
    pub(crate) fn take_first(
        &mut self,
        arena: &mut Arena,
        cursor: &mut Cursor,
        matches: &mut dyn FnMut(&Term) -> bool,
    ) -> Option<Term> {
        if cursor.is_none() && self.head == self.tail {
            return self.take_only(arena, cursor, matches);
        }
        let mut at = self.first_after(arena, *cursor);
        while let Some(k) = at {
            let node = arena.slots.get(k)?;
            if matches(&node.term) {
                return self.unlink(arena, k);
            }
            *cursor = Some(k);
            at = node.next;
        }
        None
    }

    /// [`Mailbox::take_first`] from the head of a queue of at most one
    /// message (the common case of a process that keeps up): no links to
    /// follow or mend.
    #[inline]
    fn take_only(
        &mut self,
        arena: &mut Arena,
        cursor: &mut Cursor,
        matches: &mut dyn FnMut(&Term) -> bool,
    ) -> Option<Term> {
        let k = self.head?;
        if !matches(&arena.slots.get(k)?.term) {
            *cursor = Some(k);
            return None;
        }
        let node = arena.slots.remove(k)?;
        self.head = None;
        self.tail = None;
        self.len = 0;
        // Keep each marker meaning "everything after here is new".
        for (_, c) in self.marks.iter_mut() {
            *c = None;
        }
        Some(node.term)
    }

    /// Removes every message for which `pred` holds; returns how many.
    pub(crate) fn remove_all(
        &mut self,
        arena: &mut Arena,
        pred: &mut dyn FnMut(&Term) -> bool,
    ) -> usize {
        let mut removed = 0;
        let mut at = self.head;
        while let Some(k) = at {
            let Some(node) = arena.slots.get(k) else {
                break;
            };
            at = node.next;
            if pred(&node.term) {
                self.unlink(arena, k);
                removed += 1;
            }
        }
        removed
    }

    fn unlink(&mut self, arena: &mut Arena, k: MsgKey) -> Option<Term> {
        let node = arena.slots.remove(k)?;
        match node.prev {
            Some(p) => {
                if let Some(n) = arena.slots.get_mut(p) {
                    n.next = node.next;
                }
            }
            None => self.head = node.next,
        }
        match node.next {
            Some(n) => {
                if let Some(x) = arena.slots.get_mut(n) {
                    x.prev = node.prev;
                }
            }
            None => self.tail = node.prev,
        }
        // Keep each marker meaning "everything after here is new".
        for (_, c) in self.marks.iter_mut() {
            if *c == Some(k) {
                *c = node.prev;
            }
        }
        self.len -= 1;
        Some(node.term)
    }

    /// Copies of the queued messages, in arrival order.
    pub(crate) fn snapshot(&self, arena: &Arena) -> Vec<Term> {
        let mut out = Vec::with_capacity(self.len());
        let mut at = self.head;
        while let Some(k) = at {
            let Some(node) = arena.slots.get(k) else {
                break;
            };
            out.push(node.term.clone());
            at = node.next;
        }
        out
    }

    /// Frees every message (the process is gone).
    pub(crate) fn clear(&mut self, arena: &mut Arena) {
        let mut at = self.head;
        while let Some(k) = at {
            at = arena.slots.remove(k).and_then(|n| n.next);
        }
        *self = Mailbox::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(t: &Term) -> i64 {
        match t {
            Term::Int(i) => *i,
            _ => -1,
        }
    }

    #[test]
    fn selective_receive_takes_earliest_match_and_keeps_order() {
        let mut a = Arena::default();
        let mut m = Mailbox::default();
        for i in 1..=5 {
            m.push(&mut a, Term::Int(i));
        }
        let mut cur = None;
        let got = m.take_first(&mut a, &mut cur, &mut |t| int(t) % 2 == 0);
        assert_eq!(got.map(|t| int(&t)), Some(2));
        let rest: Vec<i64> = m.snapshot(&a).iter().map(int).collect();
        assert_eq!(rest, vec![1, 3, 4, 5]);
    }

    fn r(n: u64) -> Ref {
        Ref::from_counter(0, n)
    }

    #[test]
    fn marker_skips_messages_that_arrived_before_it() {
        let mut a = Arena::default();
        let mut m = Mailbox::default();
        m.push(&mut a, Term::Int(7));
        m.set_mark(r(1));
        m.push(&mut a, Term::Int(7));
        m.push(&mut a, Term::Int(8));
        let mut cur = m.mark_of(r(1));
        let mut scanned = 0;
        let got = m.take_first(&mut a, &mut cur, &mut |t| {
            scanned += 1;
            int(t) == 8
        });
        assert_eq!(got.map(|t| int(&t)), Some(8));
        assert_eq!(scanned, 2, "the message before the marker is not scanned");
    }

    #[test]
    fn removing_the_marked_message_moves_the_marker_back() {
        let mut a = Arena::default();
        let mut m = Mailbox::default();
        m.push(&mut a, Term::Int(1));
        m.push(&mut a, Term::Int(2));
        m.set_mark(r(1));
        m.push(&mut a, Term::Int(3));
        let mut cur = None;
        assert!(m
            .take_first(&mut a, &mut cur, &mut |t| int(t) == 2)
            .is_some());
        let mut from = m.mark_of(r(1));
        let got = m.take_first(&mut a, &mut from, &mut |_| true);
        assert_eq!(got.map(|t| int(&t)), Some(3));
    }

    #[test]
    fn taking_the_only_message_keeps_its_marker_meaning_new_ones() {
        let mut a = Arena::default();
        let mut m = Mailbox::default();
        m.push(&mut a, Term::Int(1));
        m.set_mark(r(1));
        let mut cur = None;
        let miss = m.take_first(&mut a, &mut cur, &mut |t| int(t) == 2);
        assert!(
            miss.is_none() && cur.is_some(),
            "a miss moves the cursor on"
        );
        let mut cur = None;
        let got = m.take_first(&mut a, &mut cur, &mut |_| true);
        assert_eq!((got.map(|t| int(&t)), m.len()), (Some(1), 0));
        m.push(&mut a, Term::Int(2));
        let mut from = m.mark_of(r(1));
        let got = m.take_first(&mut a, &mut from, &mut |_| true);
        assert_eq!(
            got.map(|t| int(&t)),
            Some(2),
            "the message after the marker"
        );
    }

    #[test]
    fn a_later_marker_does_not_hide_an_earlier_reference_s_reply() {
        let mut a = Arena::default();
        let mut m = Mailbox::default();
        m.set_mark(r(1));
        m.push(&mut a, Term::Int(1)); // the reply to r(1)
        m.set_mark(r(2));
        let mut cur = m.mark_of(r(1));
        let got = m.take_first(&mut a, &mut cur, &mut |t| int(t) == 1);
        assert_eq!(got.map(|t| int(&t)), Some(1));
    }

    #[test]
    fn a_dropped_marker_scans_from_the_head() {
        let mut a = Arena::default();
        let mut m = Mailbox::default();
        m.set_mark(r(0));
        m.push(&mut a, Term::Int(1));
        for i in 1..=MAX_MARKS as u64 {
            m.set_mark(r(i));
        }
        assert_eq!(m.mark_of(r(0)), None, "dropped: scan from the head");
        m.clear_mark(r(1));
        assert_eq!(m.latest_mark(), Some(r(MAX_MARKS as u64)));
    }
}
