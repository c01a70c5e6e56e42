//! The parts of the dependency relation that depend on a whole run: which
//! appends to a mailbox its receives tell apart, for a sleeping step whose
//! footprint comes from another run, and happens-before among the steps of
//! a sequence to explore, as it would be in the run that takes them.

use super::super::footprint::{conflict, dependent, idle, Access, Actor, Obj, Op, Readers, Step};
use crate::matcher::Matcher;
use crate::term::Term;
use std::collections::BTreeSet;

/// What the receives of one run took, by mailbox, with their patterns: to
/// tell whether two appends of different messages (one of them a sleeping
/// step's, numbered in another run) could be told apart.
#[derive(Debug, Default)]
pub(crate) struct Takes {
    took: Vec<(Actor, Term, Option<Matcher>)>,
    peeked: BTreeSet<Actor>,
}

impl Takes {
    pub(crate) fn of(steps: &[Step]) -> Takes {
        let mut t = Takes::default();
        for a in steps.iter().flat_map(|s| &s.acc) {
            let Obj::Mailbox(p) = a.obj else { continue };
            match &a.op {
                Op::Pop {
                    msg: Some(m),
                    matcher,
                    ..
                } => t.took.push((Actor::Proc(p), m.clone(), matcher.clone())),
                Op::Push { .. } | Op::Pop { .. } => {}
                _ => {
                    t.peeked.insert(Actor::Proc(p));
                }
            }
        }
        t
    }

    /// Whether appending `x` and `y` to `p` in either order could change a
    /// receive of the run: one took a message equal to one of them and
    /// accepts the other (Concuerror's rule, without the order of takes).
    fn tell_apart(&self, p: Actor, x: &Term, y: &Term) -> bool {
        if x == y {
            return false;
        }
        if self.peeked.contains(&p) {
            return true;
        }
        let accepts = |m: &Option<Matcher>, t: &Term| m.as_ref().is_none_or(|m| m.accepts(t));
        self.took.iter().any(|(q, got, m)| {
            *q == p && ((got == x && accepts(m, y)) || (got == y && accepts(m, x)))
        })
    }
}

/// Whether a step with footprint `a` and a sleeping step with footprint `b`
/// are dependent: as `footprint::dependent` without a run, except that two
/// appends of messages to one mailbox are ordered only if a receive of the
/// run (`takes`) tells them apart. A step that shows nothing is independent
/// of every step as a whole footprint, never one access of a larger one.
pub(crate) fn sleep_dependent(a: &[Access], b: &[Access], takes: Option<&Takes>) -> bool {
    let Some(takes) = takes else {
        return dependent(a, b, None);
    };
    if idle(a) || idle(b) {
        return false;
    }
    a.iter().any(|x| {
        b.iter().any(|y| match (x.obj, &x.op, y.obj, &y.op) {
            (
                Obj::Mailbox(p),
                Op::Push { msg: Some(m), .. },
                Obj::Mailbox(q),
                Op::Push { msg: Some(n), .. },
            ) if p == q => takes.tell_apart(Actor::Proc(p), m, n),
            _ => conflict(x, y, None),
        })
    })
}

/// Happens-before among the steps `v` of a sequence `notdep(i).j`, as it
/// would be in a run that takes them instead of step `i` and what comes
/// after it: two appends to one mailbox are told apart only by receives of
/// the steps kept (those before `i`, and `v`), since the receives after `i`
/// may not happen there.
pub(crate) struct Local {
    /// Step index and position in `v`, by step index.
    pos: Vec<(usize, usize)>,
    /// For each position, the positions before it (a bitset).
    past: Vec<Vec<u64>>,
}

impl Local {
    /// `None` when no two steps of `v` append to one mailbox: then the
    /// run's happens-before is already theirs.
    pub(crate) fn of(
        steps: &[Step],
        enabler: &[Option<usize>],
        i: usize,
        v: &[usize],
    ) -> Option<Local> {
        let mut pushed: Vec<Obj> = Vec::new();
        let mut twice = false;
        for x in v.iter().flat_map(|&k| &steps[k].acc) {
            if matches!(x.obj, Obj::Mailbox(_)) && matches!(x.op, Op::Push { .. }) {
                if pushed.contains(&x.obj) {
                    twice = true;
                    break;
                }
                pushed.push(x.obj);
            }
        }
        if !twice {
            return None;
        }
        let readers = Readers::of(steps[..i].iter().chain(v.iter().map(|&k| &steps[k])));
        let m = v.len();
        let words = m.div_ceil(64).max(1);
        let mut past = vec![vec![0u64; words]; m];
        for y in 0..m {
            let mut acc = vec![0u64; words];
            for x in (0..y).rev() {
                if has(&acc, x) {
                    continue;
                }
                let (a, b) = (&steps[v[x]], &steps[v[y]]);
                let linked = a.actor == b.actor
                    || b.causes.contains(&(v[x] as u32))
                    || enabler[v[y]] == Some(v[x])
                    || dependent(&a.acc, &b.acc, Some(&readers));
                if linked {
                    for (w, p) in acc.iter_mut().zip(&past[x]) {
                        *w |= p;
                    }
                    acc[x / 64] |= 1 << (x % 64);
                }
            }
            past[y] = acc;
        }
        let mut pos: Vec<(usize, usize)> = v.iter().enumerate().map(|(p, &k)| (k, p)).collect();
        pos.sort_unstable();
        Some(Local { pos, past })
    }

    /// Whether step `x` happens before step `k` (both of `v`).
    pub(crate) fn before(&self, k: usize, x: usize) -> bool {
        let at = |s: usize| {
            self.pos
                .binary_search_by_key(&s, |&(k, _)| k)
                .ok()
                .map(|i| self.pos[i].1)
        };
        match (at(k), at(x)) {
            (Some(k), Some(x)) => has(&self.past[k], x),
            _ => false,
        }
    }
}

/// Whether bit `i` of a bitset is set.
pub(crate) fn has(set: &[u64], i: usize) -> bool {
    set[i / 64] >> (i % 64) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::footprint::Actors;

    fn push(p: u32, m: i64) -> Access {
        Access {
            obj: Obj::Mailbox(p),
            op: Op::Push {
                sig: 0,
                msg: Some(Term::Int(m)),
            },
        }
    }

    #[test]
    fn a_sleeping_append_is_ordered_only_by_a_receive_that_tells_it_apart() {
        let odd = Matcher::new(|t| matches!(t, Term::Int(n) if n % 2 == 1));
        let steps = vec![
            Step {
                actor: Actor::Proc(1),
                enabled: Actors::new(),
                acc: [push(0, 1)].into_iter().collect(),
                causes: vec![],
                faults: vec![],
            },
            Step {
                actor: Actor::Proc(0),
                enabled: Actors::new(),
                acc: [Access {
                    obj: Obj::Mailbox(0),
                    op: Op::Pop {
                        sig: None,
                        msg: Some(Term::Int(1)),
                        matcher: Some(odd),
                        timed: false,
                        waited: false,
                    },
                }]
                .into_iter()
                .collect(),
                causes: vec![],
                faults: vec![],
            },
        ];
        let takes = Takes::of(&steps);
        // The receive took 1 and would have taken 3 had it come first.
        assert!(sleep_dependent(&[push(0, 1)], &[push(0, 3)], Some(&takes)));
        assert!(sleep_dependent(&[push(0, 3)], &[push(0, 1)], Some(&takes)));
        // It would not have taken 2, and nothing took 2; equal messages
        // cannot be told apart; another mailbox is another object.
        assert!(!sleep_dependent(&[push(0, 1)], &[push(0, 2)], Some(&takes)));
        assert!(!sleep_dependent(&[push(0, 1)], &[push(0, 1)], Some(&takes)));
        assert!(!sleep_dependent(&[push(0, 1)], &[push(1, 3)], Some(&takes)));
        // While the run goes on, its receives are not known yet.
        assert!(sleep_dependent(&[push(0, 1)], &[push(0, 2)], None));
    }

    #[test]
    fn only_a_whole_step_that_shows_nothing_sleeps_past_its_death() {
        let life = |op| Access {
            obj: Obj::Life(0),
            op,
        };
        let takes = Takes::default();
        let death = [life(Op::Write), push(1, 1)];
        // A step of process 0 that did more than run: its death after it
        // is not its death before it, whatever the run's receives.
        let ran = [life(Op::Run), push(2, 5)];
        assert!(sleep_dependent(&ran, &death, Some(&takes)));
        assert!(sleep_dependent(&death, &ran, Some(&takes)));
        // One that only ran is independent of it.
        assert!(!sleep_dependent(&[life(Op::Run)], &death, Some(&takes)));
        assert!(!sleep_dependent(&death, &[life(Op::Run)], Some(&takes)));
    }
}
