//! Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, "Source Sets: A
//! Foundation for Optimal Dynamic Partial Order Reduction", JACM 2017):
//! the sequences a state must still explore, ordered, each one a class no
//! explored sibling and no sleeping actor can start.
//!
//! A sequence to insert is `notdep(e).e'` of a race of the current run,
//! named by the indices of its steps; happens-before among them is the
//! run's. The events already in a tree carry the footprints they had in the
//! run that inserted them.

use super::super::footprint::{Access, Accesses, Actor, Obj, Op, Step};
use super::relation::{sleep_dependent, Takes};

/// One event of a wakeup tree with the sequences that go on from it.
#[derive(Clone, Debug)]
pub(crate) struct Branch {
    pub(crate) actor: Actor,
    /// The footprint of the actor's step there (`Obj::All` when unknown).
    pub(crate) acc: Accesses,
    pub(crate) kids: Vec<Branch>,
}

impl Branch {
    /// An actor to try first whose step is not known yet: dependent with
    /// everything, so no later sequence passes through it unless it starts
    /// with that actor.
    pub(crate) fn single(actor: Actor) -> Branch {
        Branch {
            actor,
            acc: std::iter::once(Access {
                obj: Obj::All,
                op: Op::Write,
            })
            .collect(),
            kids: Vec::new(),
        }
    }

    /// The chain of the steps `seq` of `steps`.
    fn chain(seq: &[usize], steps: &[Step]) -> Branch {
        let mut kids = Vec::new();
        for &k in seq.iter().skip(1).rev() {
            kids = vec![Branch {
                actor: steps[k].actor,
                acc: steps[k].acc.clone(),
                kids,
            }];
        }
        Branch {
            actor: steps[seq[0]].actor,
            acc: steps[seq[0]].acc.clone(),
            kids,
        }
    }
}

/// How an actor relates to a sequence it could start.
pub(crate) enum Weak {
    /// It is the sequence's event at this position, which nothing before it
    /// in the sequence happens before: it can go first.
    Initial(usize),
    /// It is not in the sequence and independent of all of it.
    Independent,
    /// Neither: going first with it starts another class.
    No,
}

/// Whether actor `q`, whose next step has footprint `acc`, is a weak initial
/// of the steps `rest` of `steps` (`before(k, e)`: step `e` happens before
/// step `k`; `takes`: the receives of the run `rest` is from, which tell
/// `q`'s appends from theirs).
pub(crate) fn weak_initial(
    q: Actor,
    acc: &[Access],
    rest: &[usize],
    steps: &[Step],
    before: &dyn Fn(usize, usize) -> bool,
    takes: Option<&Takes>,
) -> Weak {
    match rest.iter().position(|&k| steps[k].actor == q) {
        Some(pos) => {
            let k = rest[pos];
            if rest[..pos].iter().all(|&e| !before(k, e)) {
                Weak::Initial(pos)
            } else {
                Weak::No
            }
        }
        None if rest
            .iter()
            .all(|&k| !sleep_dependent(acc, &steps[k].acc, takes)) =>
        {
            Weak::Independent
        }
        None => Weak::No,
    }
}

/// Inserts the sequence `seq` into the wakeup forest `pending` of a state
/// whose taken step is already explored from it: walks down the first
/// branch whose event is a weak initial of what is left of `seq` (an
/// initial is then consumed), and adds what is left as a new last branch
/// where none is. `seq` used up means a sequence to explore covers it. A
/// leaf reached on the way is extended rather than taken to cover it: a run
/// ends when the test's processes are done, so the run from that leaf may
/// never reach the steps that would show the race again. The caller has
/// checked the state's sleep set and taken step.
pub(crate) fn insert(
    pending: &mut Vec<Branch>,
    mut rest: Vec<usize>,
    steps: &[Step],
    before: &dyn Fn(usize, usize) -> bool,
    takes: Option<&Takes>,
) {
    let mut level = pending;
    loop {
        if rest.is_empty() {
            return;
        }
        let found = level.iter().enumerate().find_map(|(ix, b)| {
            match weak_initial(b.actor, &b.acc, &rest, steps, before, takes) {
                Weak::Initial(p) => Some((ix, Some(p))),
                Weak::Independent => Some((ix, None)),
                Weak::No => None,
            }
        });
        match found {
            Some((ix, p)) => {
                if let Some(p) = p {
                    rest.remove(p);
                }
                let here = level;
                level = &mut here[ix].kids;
            }
            None => {
                level.push(Branch::chain(&rest, steps));
                return;
            }
        }
    }
}
