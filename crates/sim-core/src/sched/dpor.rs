//! Source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas, "Optimal
//! Dynamic Partial Order Reduction", POPL 2014, Algorithm 1).
//!
//! Stateless: every run starts from a fresh simulation, replays a prefix of
//! actors (`Plan`, which the explorer's per-run strategy follows), then goes on with the first enabled actor that is not
//! asleep. After a run, happens-before over its steps (program order of each
//! actor plus dependent pairs in trace order, `sched::footprint`) gives its
//! races; for a race `e < e'`, an initial of `notdep(e).e'` goes into the
//! backtrack set of the state before `e` unless one is there already (source
//! sets). Sleep sets carry over along independent steps; a run whose every
//! enabled actor is asleep is *blocked* and counted apart. An optional
//! fault (`Actor::Fault`) that a run left untaken is tried at every state
//! it was enabled at: a run need not take it, so no race would show it.

use super::footprint::{dependent, race_kind, Accesses, Actor, Actors, Race, Readers, Step};

/// An actor with the footprint of its next step (a sleep-set entry).
type Asleep = (Actor, Accesses);

/// What one run must do: replay `prefix`, then put `wake` to sleep (those
/// independent of the prefix's last step) and run free.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) prefix: Vec<Actor>,
    pub(crate) wake: Vec<Asleep>,
    /// The sleep set at the step the run is at (past the prefix).
    sleep: Vec<Asleep>,
    /// Steps whose effect on `sleep` has been taken.
    seen: usize,
    /// The step at which every enabled actor was asleep.
    pub(crate) blocked: Option<usize>,
    /// A prefix step whose actor was not enabled.
    pub(crate) diverged: Option<String>,
}

impl Plan {
    pub(crate) fn new(prefix: Vec<Actor>, wake: Vec<Asleep>) -> Plan {
        Plan {
            prefix,
            wake,
            ..Plan::default()
        }
    }

    /// The sleep set after step `k` of `steps`, given the one before it.
    fn after(&self, k: usize, before: Vec<Asleep>, steps: &[Step]) -> Vec<Asleep> {
        let s = &steps[k];
        let from = if k + 1 == self.prefix.len() {
            self.wake.clone()
        } else if k + 1 > self.prefix.len() {
            before
        } else {
            return Vec::new();
        };
        from.into_iter()
            .filter(|(a, fp)| *a != s.actor && !dependent(&s.acc, fp, None))
            .collect()
    }

    /// Brings `sleep` up to the state before step `upto`.
    fn catch_up(&mut self, steps: &[Step], upto: usize) {
        while self.seen < upto.min(steps.len()) {
            let before = std::mem::take(&mut self.sleep);
            self.sleep = self.after(self.seen, before, steps);
            self.seen += 1;
        }
    }

    /// The candidate to take at the state before step `s` (`steps` so
    /// far, `cands` the actors of the choice's events): the prefix's actor,
    /// else the first that is not asleep. Notes a divergence or a block.
    pub(crate) fn pick(&mut self, steps: &[Step], cands: &[Actor]) -> usize {
        let s = steps.len();
        if let Some(&want) = self.prefix.get(s) {
            return match cands.iter().position(|&a| a == want) {
                Some(i) => i,
                None => {
                    if self.diverged.is_none() {
                        self.diverged = Some(format!(
                            "step {s}: {want:?} is not enabled (enabled: {cands:?}); \
                             the program is not deterministic"
                        ));
                    }
                    0
                }
            };
        }
        self.catch_up(steps, s);
        let awake = cands
            .iter()
            .position(|a| !self.sleep.iter().any(|(b, _)| b == a));
        match awake {
            Some(i) => i,
            None => {
                self.blocked.get_or_insert(s);
                0
            }
        }
    }

    /// Every state's sleep set from the end of the prefix on, and the step
    /// (if any) at which the run was blocked.
    pub(crate) fn sleeps(&self, steps: &[Step]) -> (Vec<Vec<Asleep>>, Option<usize>) {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        let start = self.prefix.len();
        for k in 0..steps.len() {
            if k >= start {
                if cur.iter().any(|(a, _)| *a == steps[k].actor) {
                    return (out, Some(k));
                }
                out.push(cur.clone());
            }
            cur = self.after(k, std::mem::take(&mut cur), steps);
        }
        (out, None)
    }
}

/// One state of the current execution.
#[derive(Debug)]
struct Node {
    enabled: Actors,
    backtrack: Actors,
    /// Actors explored from here, with their steps' footprints.
    done: Vec<Asleep>,
    sleep: Vec<Asleep>,
    taken: Actor,
    acc: Accesses,
}

/// The exploration tree along the current execution.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    preemption_bound: Option<u32>,
    /// Whether an alternative was left out for the preemption bound.
    pub(crate) bounded: bool,
}

impl Tree {
    pub(crate) fn new(preemption_bound: Option<u32>) -> Tree {
        Tree {
            preemption_bound,
            ..Tree::default()
        }
    }

    /// Where a run left the states the tree knows of its prefix (another
    /// actor taken, or other actors enabled): the program is not a function
    /// of its schedule.
    pub(crate) fn diverges(&self, plan: &Plan, steps: &[Step]) -> Option<String> {
        for (k, node) in self.nodes.iter().enumerate().take(plan.prefix.len()) {
            let Some(s) = steps.get(k) else {
                return Some(format!(
                    "the run ended at step {k}, inside the replayed prefix; the program is not deterministic"
                ));
            };
            if s.actor != plan.prefix[k] || s.enabled != node.enabled {
                return Some(format!(
                    "step {k}: took {:?} with {:?} enabled, where an earlier run had {:?} enabled; \
                     the program is not deterministic",
                    s.actor, s.enabled, node.enabled
                ));
            }
        }
        None
    }

    /// Takes in a run made under `plan`: new states, then its races. Returns
    /// whether the run was blocked (and then only its unblocked part counts).
    pub(crate) fn add_run(&mut self, plan: &Plan, mut steps: Vec<Step>) -> bool {
        let d = plan.prefix.len();
        let (sleeps, blocked) = plan.sleeps(&steps);
        let end = blocked.unwrap_or(steps.len());
        self.nodes.truncate(d);
        for (k, sleep) in (d..end).zip(sleeps) {
            let s = &steps[k];
            // An optional fault left untaken is dependent with every step
            // (footprint `All`), so each of its placements is a class of
            // its own: it goes first at every state it is enabled at.
            let faults = s
                .enabled
                .iter()
                .copied()
                .filter(|a| matches!(a, Actor::Fault(_)) && *a != s.actor);
            self.nodes.push(Node {
                enabled: s.enabled.clone(),
                backtrack: std::iter::once(s.actor).chain(faults).collect(),
                done: Vec::new(),
                sleep,
                taken: s.actor,
                acc: Accesses::new(),
            });
        }
        let from = d.saturating_sub(1);
        self.races(&steps[..end], from);
        self.disablings(&steps, from, end);
        self.left_untaken(&steps[..end], d);
        // The footprints of the steps taken go with their states (the
        // divergent step's too), for the sleep sets of later siblings.
        let upto = end.min(self.nodes.len());
        for (node, step) in self.nodes[from..upto]
            .iter_mut()
            .zip(&mut steps[from..upto])
        {
            node.acc = std::mem::take(&mut step.acc);
        }
        blocked.is_some()
    }

    /// Source-DPOR's race step over `steps`, for races whose later step is
    /// at or after `from` (earlier ones were handled by earlier runs).
    fn races(&mut self, steps: &[Step], from: usize) {
        let n = steps.len();
        let words = n.div_ceil(64).max(1);
        let readers = Readers::of(steps);
        // past[j * words..]: the steps that happen before step j.
        let mut past = vec![0u64; n * words];
        let mut acc = vec![0u64; words];
        let mut races = Vec::new();
        for j in 0..n {
            acc.iter_mut().for_each(|w| *w = 0);
            races.clear();
            for i in (0..j).rev() {
                if has(&acc, i) {
                    continue;
                }
                let same = steps[i].actor == steps[j].actor;
                if !same && !dependent(&steps[i].acc, &steps[j].acc, Some(&readers)) {
                    continue;
                }
                if !same && j >= from {
                    match race_kind(i as u32, &steps[i], &steps[j]) {
                        Race::Caused => {}
                        kind => races.push((i, kind)),
                    }
                }
                for (w, p) in acc.iter_mut().zip(&past[i * words..(i + 1) * words]) {
                    *w |= p;
                }
                acc[i / 64] |= 1 << (i % 64);
            }
            past[j * words..(j + 1) * words].copy_from_slice(&acc);
            for &(i, kind) in &races {
                let initials = match kind {
                    Race::Timeout => vec![Actor::Timers],
                    _ => initials(steps, &past, words, i, j),
                };
                self.add_backtrack(i, &initials);
            }
        }
    }

    /// A step that disables another enabled actor (kills a runnable
    /// process, moves the next timer or delivery out of reach) races that
    /// actor's next step, which never ran: that actor goes first too.
    fn disablings(&mut self, steps: &[Step], from: usize, end: usize) {
        for j in from..end {
            let Some(next) = steps.get(j + 1) else { break };
            let gone: Vec<Actor> = steps[j]
                .enabled
                .iter()
                .copied()
                .filter(|a| *a != steps[j].actor && !next.enabled.contains(a))
                .collect();
            for a in gone {
                self.add_backtrack(j, &[a]);
            }
        }
    }

    /// A run ends when the test's processes are done, so an actor may be
    /// enabled and never step again: its step is in no race of the run,
    /// yet it could have gone before any later step. It goes first at every
    /// state it is enabled at and never steps after, if it is still enabled
    /// at the end (sound, as for an untaken fault).
    fn left_untaken(&mut self, steps: &[Step], d: usize) {
        // Still enabled when the run ended (one that was disabled on the way
        // is `disablings`' business).
        let Some(last) = steps.last() else { return };
        let at_end: Vec<Actor> = last
            .enabled
            .iter()
            .copied()
            .filter(|&a| a != last.actor)
            .collect();
        let mut later: Vec<Actor> = Vec::new();
        for k in (d..steps.len()).rev() {
            if !later.contains(&steps[k].actor) {
                later.push(steps[k].actor);
            }
            let untaken: Vec<Actor> = steps[k]
                .enabled
                .iter()
                .copied()
                .filter(|a| !later.contains(a) && at_end.contains(a))
                .collect();
            for a in untaken {
                self.add_backtrack(k, &[a]);
            }
        }
    }

    fn add_backtrack(&mut self, i: usize, initials: &[Actor]) {
        let Some(node) = self.nodes.get_mut(i) else {
            return;
        };
        let covered = initials
            .iter()
            .any(|a| node.backtrack.contains(a) || node.sleep.iter().any(|(b, _)| b == a));
        if covered {
            return;
        }
        match initials.iter().find(|a| node.enabled.contains(a)) {
            Some(&a) => node.backtrack.push(a),
            // None of them can go first here (an enabling the footprints do
            // not show): every enabled actor is tried, which is sound.
            None => {
                for &a in &node.enabled {
                    if !node.backtrack.contains(&a) {
                        node.backtrack.push(a);
                    }
                }
            }
        }
    }

    /// The next run's plan, or `None` when every backtrack point is done.
    pub(crate) fn next(&mut self) -> Option<Plan> {
        while let Some(i) = self.nodes.len().checked_sub(1) {
            let node = &self.nodes[i];
            let open: Vec<Actor> = node
                .backtrack
                .iter()
                .copied()
                .filter(|a| {
                    *a != node.taken
                        && !node.done.iter().any(|(b, _)| b == a)
                        && !node.sleep.iter().any(|(b, _)| b == a)
                })
                .collect();
            let pick = open.into_iter().find(|&a| self.within_bound(i, a));
            if let Some(q) = pick {
                let node = &mut self.nodes[i];
                let old = (node.taken, std::mem::take(&mut node.acc));
                node.done.push(old);
                node.taken = q;
                let mut wake = node.sleep.clone();
                wake.extend(node.done.iter().cloned());
                let prefix = self.nodes.iter().map(|n| n.taken).collect();
                return Some(Plan::new(prefix, wake));
            }
            self.nodes.pop();
        }
        None
    }

    /// Whether taking `a` at state `i` keeps the prefix within the bound.
    fn within_bound(&mut self, i: usize, a: Actor) -> bool {
        let Some(bound) = self.preemption_bound else {
            return true;
        };
        let mut k = 0u32;
        for j in 0..=i {
            let taken = if j == i { a } else { self.nodes[j].taken };
            if j > 0 {
                let prev = self.nodes[j - 1].taken;
                if matches!(prev, Actor::Proc(_))
                    && self.nodes[j].enabled.contains(&prev)
                    && taken != prev
                {
                    k += 1;
                }
            }
        }
        if k > bound {
            self.bounded = true;
            return false;
        }
        true
    }
}

/// The actors of `notdep(i).j` that can go first: the steps after `i` that
/// do not happen after it, then `j`, each without a happens-before
/// predecessor among them.
fn initials(steps: &[Step], past: &[u64], words: usize, i: usize, j: usize) -> Vec<Actor> {
    let before = |k: usize, x: usize| has(&past[k * words..(k + 1) * words], x);
    let v: Vec<usize> = (i + 1..j)
        .filter(|&k| !before(k, i))
        .chain(std::iter::once(j))
        .collect();
    let mut out: Vec<Actor> = Vec::new();
    for (n, &k) in v.iter().enumerate() {
        if v[..n].iter().all(|&e| !before(k, e)) && !out.contains(&steps[k].actor) {
            out.push(steps[k].actor);
        }
    }
    out
}

/// Whether bit `i` of a bitset is set.
fn has(set: &[u64], i: usize) -> bool {
    set[i / 64] >> (i % 64) & 1 == 1
}
