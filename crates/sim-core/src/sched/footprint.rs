//! Footprints: which shared objects one scheduler step read or wrote, and
//! when two steps are dependent (their order can change what happens).
//!
//! The world records them only when an exhaustive exploration asks
//! (`World::rec`); the vocabulary is here so that the race analysis
//! (`sched::dpor`) and the recording sites (`world`) share it. Processes,
//! connections and timers are named by *stable* names, equal across runs
//! of one program whatever the interleaving: a process by its spawn path
//! (the k-th root process, the k-th child of its parent), interned to a
//! number by the exploration.
//!
//! The dependency rules, one per pair of operation kinds, are the table in
//! `docs/semantics.md` ("Exhaustive exploration").

use crate::matcher::Matcher;
use crate::term::{Atom, Term};
use smallvec::SmallVec;
use std::collections::{BTreeMap, BTreeSet};

/// The actors enabled at a state (usually a few).
pub(crate) type Actors = SmallVec<[Actor; 4]>;
/// A step's accesses (usually a few).
pub(crate) type Accesses = SmallVec<[Access; 3]>;

/// The stable name of a process (its interned spawn path).
pub(crate) type Name = u32;

/// Who takes a step: each actor has at most one enabled event at a time,
/// and its events are in program order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Actor {
    /// `Event::Run` of a process.
    Proc(Name),
    /// `Event::Deliver` of the head of a connection direction.
    Conn(u32, u32),
    /// `Event::Signal`: the head of the local signal queue from one process
    /// to another (`LocalSignals::Async`).
    Pair(Name, Name),
    /// `Event::Fire` of the earliest timer (only one is ever enabled), of
    /// a timer no process step armed.
    Timers,
    /// `Event::Fire` of the earliest timer when process `.0` armed it, its
    /// `.1`-th: each such timer is an actor of its own, enabled while it is
    /// the earliest, so a step that arms a nearer one disables it (and it
    /// goes first there), where one actor for the whole heap would order
    /// it after the nearer one's firing.
    Timer(Name, u32),
    /// A control action scheduled at a step count.
    Control,
    /// Optional fault `k` of the exploration's fault set (`Event::Fault`).
    Fault(u32),
}

/// A shared object of the world.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Obj {
    /// Everything: an operation whose effects are not tracked in detail
    /// (faults that do not name their nodes, node operations,
    /// `process_info`).
    All,
    /// A process's mailbox (messages, trapped `'EXIT'`s, `'DOWN'`s).
    Mailbox(Name),
    /// Whether a process is alive.
    Life(Name),
    /// A process's links, monitors and pending spawn requests, all of them.
    Links(Name),
    /// What process `.0` holds about peer `.1` alone: its link to it and
    /// the monitors between them (a link, unlink, exit, monitor, demonitor
    /// or `'DOWN'` signal from that peer). Part of `Links(.0)`.
    Link(Name, Name),
    /// A process's `trap_exit` flag.
    Trap(Name),
    /// A process's timed wait (receive timeout or sleep) and its wake-up.
    Wake(Name),
    /// The name a process carries.
    Named(Name),
    /// A registered name of a node.
    Name(u32, Atom),
    /// A connection direction's queue.
    Conn(u32, u32),
    /// Virtual time and the set of pending timers and delivery windows:
    /// which delivery or timer may come next.
    Clock,
    /// The process count of a node with a process limit.
    Procs(u32),
}

/// How an object is used.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Read,
    Write,
    /// A message (or signal, on a connection) appended, with its signal
    /// number and, for a mailbox, the message.
    Push {
        sig: u64,
        msg: Option<Term>,
    },
    /// The head of a connection taken (`sig`), or a receive: the message it
    /// took (`None`: it timed out), its pattern when inspectable, whether it
    /// had a finite timeout, and whether it waited with its timer armed.
    Pop {
        sig: Option<u64>,
        msg: Option<Term>,
        matcher: Option<Matcher>,
        timed: bool,
        waited: bool,
    },
    /// Something that depends on every message of a mailbox (a flush, a
    /// snapshot, a receive marker).
    Peek,
    /// Of `Life`: a message, or an exit signal that would not kill its
    /// target, finding out whether the target lives (else it is dropped).
    /// Against the target's exit all this changes is a message its dead
    /// target never reads (Concuerror's rule): independent of writes of
    /// `Life` and of other arrivals. What it would do to a live target is
    /// recorded either way (a mailbox append, a read of `trap_exit`), so it
    /// still races the target's receives and flag changes.
    Arrive,
    /// Of `Life(p)`: a step of `p` itself, which needs `p` alive: a read.
    /// A step that uses nothing else (`p` computed and blocked in a
    /// receive, or yielded) changes nothing another actor can see, and a
    /// kill after it leaves the state a kill before it leaves: it is
    /// independent of every step ([`idle`]; in Concuerror a receive that
    /// blocks is no event).
    Run,
    /// Of `Clock`: the timer of `p`'s timed receive fired after a message
    /// had woken `p` (it wakes no one; it moves time and leaves the heap).
    /// A write, but for [`Op::Cancel`] of the same `p`.
    Lapse(Name),
    /// Of `Clock`: `p`'s timed receive took a message and cancelled its
    /// timer. A write, but against that timer's [`Op::Lapse`]: the lapse
    /// first, then the receive, is the receive alone but for the time,
    /// which only later uses of `Clock` can tell, and they are ordered
    /// with the lapse and the cancel as writes.
    Cancel(Name),
    /// Of `Links(p)`: `p`'s exit reading its links and monitors to signal
    /// them. A read, which a [`Op::Cut`] does not change the outcome of.
    Walk,
    /// Of `Link(p, q)`: a linked exit signal from `q`, which has died,
    /// arriving at `p` (with local signals instant): it removes `p`'s link
    /// to `q`. Against `p`'s exit ([`Op::Walk`]) all it changes is whether
    /// `p`'s exit signals the dead `q`; what that signal would do to `q`
    /// alive is recorded at `p`'s exit either way (see
    /// `World::note_cut_links`), so the two exits are ordered only when one
    /// of them can tell (it kills, or `q` traps and reads it, or its flag).
    Cut,
}

/// One use of one object.
#[derive(Clone, Debug)]
pub(crate) struct Access {
    pub(crate) obj: Obj,
    pub(crate) op: Op,
}

/// One step of a run as the exploration sees it.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) actor: Actor,
    /// The actors enabled at the state before the step.
    pub(crate) enabled: Actors,
    pub(crate) acc: Accesses,
    /// Earlier steps without which this one could not exist (the send of a
    /// delivered signal, the arming of a fired timer, a process's spawn).
    pub(crate) causes: Vec<u32>,
    /// The would-be footprint of each optional fault enabled here, were it
    /// taken at this state (none: it may touch everything).
    pub(crate) faults: Vec<(Actor, Accesses)>,
}

impl Step {
    /// What optional fault `a` would touch if taken at the state before
    /// this step (`Obj::All` when not recorded).
    pub(crate) fn fault_footprint(&self, a: Actor) -> Accesses {
        self.faults
            .iter()
            .find(|(b, _)| *b == a)
            .map(|(_, acc)| acc.clone())
            .unwrap_or_else(|| {
                [Access {
                    obj: Obj::All,
                    op: Op::Write,
                }]
                .into_iter()
                .collect()
            })
    }
}

/// What the mailboxes of a whole run were read with: two appends to one
/// mailbox are dependent only if some receive of it can tell them apart.
#[derive(Debug, Default)]
pub(crate) struct Readers {
    takes: BTreeMap<Name, Vec<Take>>,
    peeked: BTreeSet<Name>,
}

/// One receive that took a message: which append it took (its number,
/// `Op::Push::sig`) and its pattern.
#[derive(Debug)]
struct Take {
    got: u64,
    matcher: Option<Matcher>,
}

impl Readers {
    pub(crate) fn of<'a>(steps: impl IntoIterator<Item = &'a Step>) -> Readers {
        let mut r = Readers::default();
        // Each mailbox's queue, replayed from the trace: a receive took the
        // oldest queued message equal to the one it got (the first of them
        // in the queue; a marker that skips one is a `Peek`, which makes
        // every append dependent anyway).
        let mut queued: BTreeMap<Name, Vec<(u64, Term)>> = BTreeMap::new();
        for a in steps.into_iter().flat_map(|s| &s.acc) {
            match (&a.obj, &a.op) {
                (Obj::Mailbox(p), Op::Push { sig, msg: Some(m) }) => {
                    queued.entry(*p).or_default().push((*sig, m.clone()));
                }
                (Obj::Mailbox(_), Op::Push { .. }) => {}
                (Obj::Mailbox(p), Op::Pop { msg, matcher, .. }) => {
                    let Some(got) = msg else { continue };
                    let q = queued.entry(*p).or_default();
                    let Some(i) = q.iter().position(|(_, t)| t == got) else {
                        // Taken from where the trace does not show: no
                        // identity to go by.
                        r.peeked.insert(*p);
                        continue;
                    };
                    let (sig, _) = q.remove(i);
                    r.takes.entry(*p).or_default().push(Take {
                        got: sig,
                        matcher: matcher.clone(),
                    });
                }
                (Obj::Mailbox(p), _) => {
                    r.peeked.insert(*p);
                }
                _ => {}
            }
        }
        r
    }

    /// Whether appending `a` and then `b` (their numbers and messages) to
    /// `p` in the other order could change a receive: one that took `a` and
    /// would have taken `b`, unless an earlier receive took `b`
    /// (Concuerror's rule). Whether `b` had arrived when that receive ran
    /// does not matter: a receive that took a message is independent of
    /// later appends (see [`conflict`]), so this is the one pair that
    /// orders them. Equal messages cannot be told apart at all.
    fn tell_apart(&self, p: Name, a: (u64, &Option<Term>), b: (u64, &Option<Term>)) -> bool {
        if self.peeked.contains(&p) {
            return true;
        }
        let ((a, Some(x)), (b, Some(y))) = (a, b) else {
            return true;
        };
        if x == y {
            return false;
        }
        let accepts = |m: &Option<Matcher>, t: &Term| m.as_ref().is_none_or(|m| m.accepts(t));
        self.takes.get(&p).is_some_and(|ts| {
            ts.iter().enumerate().any(|(n, t)| {
                t.got == a && accepts(&t.matcher, y) && !ts[..n].iter().any(|e| e.got == b)
            })
        })
    }
}

impl Actor {
    /// Whether this actor fires timers.
    pub(crate) fn is_timer(self) -> bool {
        matches!(self, Actor::Timers | Actor::Timer(..))
    }
}

/// Whether two objects share state: equal, or one peer's part of a
/// process's links and the whole of them.
fn overlap(a: Obj, b: Obj) -> bool {
    match (a, b) {
        (Obj::Link(p, _), Obj::Links(q)) | (Obj::Links(q), Obj::Link(p, _)) => p == q,
        _ => a == b,
    }
}

/// Whether accesses `a` then `b` conflict. With `readers` (the race analysis
/// of a run, `a` before `b` in its trace) the exact rules apply; without
/// (sleep sets, where `b`'s footprint may come from another state) every
/// rule is taken symmetrically and conservatively.
pub(crate) fn conflict(a: &Access, b: &Access, readers: Option<&Readers>) -> bool {
    if a.obj == Obj::All || b.obj == Obj::All {
        return true;
    }
    if !overlap(a.obj, b.obj) {
        return false;
    }
    let accepts = |m: &Option<Matcher>, t: &Option<Term>| match (m, t) {
        (Some(m), Some(t)) => m.accepts(t),
        _ => true,
    };
    match (&a.op, &b.op) {
        (Op::Read, Op::Read) | (Op::Peek, Op::Peek) => false,
        (Op::Arrive, Op::Arrive) | (Op::Arrive, Op::Read) | (Op::Read, Op::Arrive) => false,
        (Op::Run, Op::Read | Op::Arrive | Op::Run) | (Op::Read | Op::Arrive, Op::Run) => false,
        (Op::Lapse(p), Op::Cancel(q)) | (Op::Cancel(q), Op::Lapse(p)) => p != q,
        (Op::Arrive, Op::Write) | (Op::Write, Op::Arrive) if matches!(a.obj, Obj::Life(_)) => false,
        // An exit's walk of its links reads them; a link cut by a dead
        // peer's exit signal only decides whether the walk signals that
        // peer, which the walk records either way.
        (Op::Walk, Op::Read | Op::Walk | Op::Cut) | (Op::Read | Op::Cut, Op::Walk) => false,
        (Op::Push { sig: s, .. }, Op::Pop { sig: Some(t), .. })
        | (Op::Pop { sig: Some(t), .. }, Op::Push { sig: s, .. })
            if matches!(a.obj, Obj::Conn(..)) =>
        {
            s == t
        }
        (Op::Push { sig: s, msg: x }, Op::Push { sig: t, msg: y }) => match (a.obj, readers) {
            (Obj::Mailbox(p), Some(r)) => r.tell_apart(p, (*s, x), (*t, y)),
            _ => true,
        },
        // A receive after an append: dependent only if it took that message
        // (an earlier message it took was ahead of this one anyway).
        (
            Op::Push { msg, .. },
            Op::Pop {
                msg: got, matcher, ..
            },
        ) => match readers {
            Some(_) => msg.is_some() && msg == got,
            None => accepts(matcher, msg),
        },
        // A receive that took a message before an append to its mailbox:
        // the message it took was queued ahead of the appended one, so it
        // takes it whatever the order. (What the append could change is
        // which of two appends that receive takes: the rule above.)
        (Op::Pop { msg: Some(_), .. }, Op::Push { .. }) if matches!(a.obj, Obj::Mailbox(_)) => {
            false
        }
        // A receive that timed out before an append: the message might
        // have been taken.
        (Op::Pop { matcher, .. }, Op::Push { msg, .. }) => accepts(matcher, msg),
        _ => true,
    }
}

/// Whether two footprints are dependent (`a` first; see [`conflict`]).
pub(crate) fn dependent(a: &[Access], b: &[Access], readers: Option<&Readers>) -> bool {
    if idle(a) || idle(b) {
        return false;
    }
    a.iter().any(|x| b.iter().any(|y| conflict(x, y, readers)))
}

/// Whether a footprint is a process's step that used nothing but its own
/// life ([`Op::Run`]): it computed and blocked in a receive, or yielded.
/// Nothing it did shows to another actor, and its death after it is its
/// death before it, so it is independent of every step.
pub(crate) fn idle(acc: &[Access]) -> bool {
    matches!(
        acc,
        [Access {
            obj: Obj::Life(_),
            op: Op::Run
        }]
    )
}

/// How step `i` relates to a later dependent step `j` of another actor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Race {
    /// `j` exists only because of `i` (it consumed what `i` produced).
    Caused,
    /// Their order can be reversed: `j`'s actor first.
    Reversible,
    /// `j` is a timed receive that took the message `i` sent: it could have
    /// timed out instead, so the timer goes first.
    Timeout,
}

/// The kind of race between dependent steps `i` before `j`.
pub(crate) fn race_kind(i: u32, si: &Step, sj: &Step) -> Race {
    if sj.causes.contains(&i) {
        return Race::Caused;
    }
    for x in &si.acc {
        for y in &sj.acc {
            if let (
                Op::Push { msg: Some(m), .. },
                Op::Pop {
                    msg: Some(got),
                    timed,
                    waited,
                    ..
                },
            ) = (&x.op, &y.op)
            {
                if x.obj == y.obj && m == got {
                    // A receive that found the message at once could have
                    // run first (and waited, perhaps timed out); one that
                    // waited with a timer could have timed out.
                    return match (timed, waited) {
                        (true, true) => Race::Timeout,
                        (true, false) => Race::Reversible,
                        _ => Race::Caused,
                    };
                }
            }
        }
    }
    Race::Reversible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(p: Name, m: i64) -> Access {
        Access {
            obj: Obj::Mailbox(p),
            op: Op::Push {
                sig: m as u64,
                msg: Some(Term::Int(m)),
            },
        }
    }

    fn pop(p: Name, got: Option<i64>, matcher: Option<Matcher>) -> Access {
        Access {
            obj: Obj::Mailbox(p),
            op: Op::Pop {
                sig: None,
                msg: got.map(Term::Int),
                matcher,
                timed: false,
                waited: false,
            },
        }
    }

    #[test]
    fn appends_race_only_when_a_receive_tells_them_apart() {
        let odd = Matcher::new(|t| matches!(t, Term::Int(n) if n % 2 == 1));
        let step = |acc: Vec<Access>| Step {
            actor: Actor::Proc(0),
            enabled: Actors::new(),
            acc: acc.into_iter().collect(),
            causes: vec![],
            faults: vec![],
        };
        // 9 is appended twice (numbers 9 and 90): a receive takes the older.
        let mut second_nine = push(0, 9);
        second_nine.op = Op::Push {
            sig: 90,
            msg: Some(Term::Int(9)),
        };
        let steps = vec![
            step(vec![
                push(0, 1),
                push(0, 3),
                push(0, 2),
                push(0, 7),
                push(0, 9),
            ]),
            step(vec![pop(0, Some(7), Some(odd.clone()))]),
            step(vec![pop(0, Some(9), Some(odd.clone()))]),
            step(vec![pop(0, Some(1), Some(odd.clone()))]),
            step(vec![push(0, 5), second_nine.clone()]),
        ];
        let r = Readers::of(&steps);
        assert!(!dependent(&[push(0, 1)], &[push(0, 2)], Some(&r)));
        assert!(dependent(&[push(0, 1)], &[push(0, 3)], Some(&r)));
        // 5 came after the receive, which would have taken it all the same.
        assert!(dependent(&[push(0, 1)], &[push(0, 5)], Some(&r)));
        // 7 and the first 9 were taken before 1 was: no receive tells them
        // apart from 1; the second 9 was not taken before, and is.
        assert!(!dependent(&[push(0, 1)], &[push(0, 7)], Some(&r)));
        assert!(!dependent(&[push(0, 1)], &[push(0, 9)], Some(&r)));
        assert!(dependent(&[push(0, 1)], &[second_nine], Some(&r)));
        assert!(!dependent(&[push(0, 1)], &[push(0, 1)], Some(&r)));
        assert!(dependent(&[push(0, 1)], &[push(0, 2)], None));
        assert!(!dependent(&[push(0, 1)], &[push(1, 3)], None));
    }

    #[test]
    fn a_harmless_arrival_is_independent_of_its_targets_exit_only() {
        let life = |op: Op| Access {
            obj: Obj::Life(0),
            op,
        };
        let r = Readers::default();
        assert!(!dependent(
            &[life(Op::Arrive)],
            &[life(Op::Write)],
            Some(&r)
        ));
        assert!(!dependent(&[life(Op::Write)], &[life(Op::Arrive)], None));
        assert!(!dependent(&[life(Op::Arrive)], &[life(Op::Arrive)], None));
        // One that could kill reads the target's life: ordered.
        assert!(dependent(&[life(Op::Read)], &[life(Op::Write)], Some(&r)));
        // What it would append still races a receive that timed out.
        assert!(dependent(
            &[life(Op::Arrive), push(0, 1)],
            &[pop(0, None, None), life(Op::Write)],
            None
        ));
    }

    #[test]
    fn a_cut_link_is_independent_of_the_exit_walk_only() {
        let acc = |obj, op| Access { obj, op };
        let cut = acc(Obj::Link(0, 1), Op::Cut);
        let walk = acc(Obj::Links(0), Op::Walk);
        let r = Readers::default();
        assert!(!dependent(
            std::slice::from_ref(&cut),
            std::slice::from_ref(&walk),
            Some(&r)
        ));
        assert!(!dependent(
            std::slice::from_ref(&walk),
            std::slice::from_ref(&cut),
            None
        ));
        assert!(!dependent(
            std::slice::from_ref(&walk),
            &[acc(Obj::Links(0), Op::Read)],
            None
        ));
        // `links()` reads them as they are; a link or unlink changes what
        // the walk signals.
        assert!(dependent(
            std::slice::from_ref(&cut),
            &[acc(Obj::Links(0), Op::Read)],
            Some(&r)
        ));
        assert!(dependent(
            &[acc(Obj::Link(0, 1), Op::Write)],
            &[walk],
            Some(&r)
        ));
        assert!(dependent(&[cut], &[acc(Obj::Link(0, 1), Op::Write)], None));
    }

    #[test]
    fn a_step_that_shows_nothing_is_independent_of_its_death() {
        let life = |op: Op| Access {
            obj: Obj::Life(0),
            op,
        };
        let r = Readers::default();
        let death = [life(Op::Write), push(1, 1)];
        assert!(!dependent(&[life(Op::Run)], &death, Some(&r)));
        assert!(!dependent(&death, &[life(Op::Run)], None));
        // A step that does anything besides is ordered with the death.
        assert!(dependent(&[life(Op::Run), push(1, 2)], &death, Some(&r)));
        assert!(dependent(&[life(Op::Run), push(1, 2)], &death, None));
        // Its own life is read as any step's: only a write orders it.
        assert!(!dependent(
            &[life(Op::Run), push(1, 2)],
            &[life(Op::Arrive), life(Op::Read)],
            None
        ));
    }

    #[test]
    fn a_receive_races_a_later_send_it_would_take() {
        let ones = Matcher::new(|t| *t == Term::Int(1));
        let r = Readers::default();
        assert!(dependent(
            &[pop(0, None, Some(ones.clone()))],
            &[push(0, 1)],
            Some(&r)
        ));
        assert!(!dependent(
            &[pop(0, None, Some(ones))],
            &[push(0, 2)],
            Some(&r)
        ));
        assert!(dependent(&[pop(0, None, None)], &[push(0, 2)], Some(&r)));
        // An earlier send the receive did not take cannot change it.
        assert!(!dependent(
            &[push(0, 2)],
            &[pop(0, Some(1), None)],
            Some(&r)
        ));
        assert!(dependent(&[push(0, 1)], &[pop(0, Some(1), None)], Some(&r)));
        // A receive that took a message took one queued ahead of any later
        // append, whatever the order.
        assert!(!dependent(
            &[pop(0, Some(1), None)],
            &[push(0, 1)],
            Some(&r)
        ));
        assert!(!dependent(&[pop(0, Some(1), None)], &[push(0, 2)], None));
    }
}
