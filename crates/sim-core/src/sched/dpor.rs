//! Optimal DPOR with wakeup trees (Abdulla, Aronis, Jonsson, Sagonas,
//! "Optimal Dynamic Partial Order Reduction", POPL 2014, Algorithm 2; the
//! insertion of JACM 2017), or source-DPOR with sleep sets (Algorithm 1) on
//! request.
//!
//! Stateless: every run starts from a fresh simulation, replays a prefix of
//! actors (`Plan`, which the explorer's per-run strategy follows), follows
//! the wakeup tree below it (optimal DPOR), then goes on with the first
//! enabled actor that is not asleep. After a run, happens-before over its
//! steps (program order of each actor, recorded causes, enablings and
//! dependent pairs in trace order, `sched::footprint`) gives its races; for
//! a race `e < e'`, an initial of `notdep(e).e'` goes into the backtrack set
//! of the state before `e` unless one is there already (source sets), or
//! the whole sequence into its wakeup tree unless a sleeping actor or a
//! branch there already starts its class (optimal). Sleep sets carry over
//! along independent steps; a run whose every enabled actor is asleep is
//! *blocked* and counted apart. An optional fault (`Actor::Fault`) that a
//! run left untaken is tried where the step taken is dependent with what
//! it would touch there, and at the end of each stretch it is enabled in:
//! a run need not take it, so no race would show it. An actor left enabled
//! when the run ended goes first before its last step.

mod relation;
mod wakeup;

use super::footprint::{
    dependent, race_kind, Accesses, Actor, Actors, Obj, Op, Race, Readers, Step,
};
use relation::{has, sleep_dependent, Local, Takes};
use smallvec::SmallVec;
use wakeup::{insert, weak_initial, Branch, Weak};

/// An actor with the footprint of its next step (a sleep-set entry).
type Asleep = (Actor, Accesses);

/// What one run must do: replay `prefix`, put `wake` to sleep (those
/// independent of the prefix's last step), follow the wakeup tree below
/// it while its actors are enabled, then run free.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) prefix: Vec<Actor>,
    pub(crate) wake: Vec<Asleep>,
    /// The wakeup tree's branches at the state the run is at, while it
    /// follows the tree.
    level: Vec<Branch>,
    /// Steps taken into account by `level`.
    synced: usize,
    /// The other branches at each state the run followed the tree through
    /// (by step), or all of them where none was enabled.
    walked: Vec<(usize, Vec<Branch>)>,
    /// The first step taken freely (not along the tree).
    free_from: Option<usize>,
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
    fn new(prefix: Vec<Actor>, wake: Vec<Asleep>, level: Vec<Branch>) -> Plan {
        let synced = prefix.len();
        Plan {
            prefix,
            wake,
            level,
            synced,
            ..Plan::default()
        }
    }

    /// Follows the tree along the steps taken since the last call (a step
    /// with no alternative is taken without asking the strategy): the
    /// branch of each step's actor, or the end of the guidance.
    fn sync(&mut self, steps: &[Step]) {
        while self.synced < steps.len() {
            let k = self.synced;
            self.synced += 1;
            if self.free_from.is_some() {
                continue;
            }
            if self.level.is_empty() {
                self.free_from = Some(k);
                continue;
            }
            let mut level = std::mem::take(&mut self.level);
            match level.iter().position(|b| b.actor == steps[k].actor) {
                Some(ix) => {
                    let b = level.remove(ix);
                    self.walked.push((k, level));
                    self.level = b.kids;
                }
                None => {
                    self.walked.push((k, level));
                    self.free_from = Some(k);
                }
            }
        }
    }

    /// The first step not taken along the tree.
    fn guided_until(&self, steps: &[Step]) -> usize {
        self.free_from.unwrap_or(steps.len())
    }

    /// The sleep set after step `k` of `steps`, given the one before it
    /// (with the run's receives once it is over, `takes`).
    fn after(
        &self,
        k: usize,
        before: Vec<Asleep>,
        steps: &[Step],
        takes: Option<&Takes>,
    ) -> Vec<Asleep> {
        let s = &steps[k];
        if matches!(s.actor, Actor::Fault(_)) {
            // A sleeping actor `b` stays asleep past an independent step
            // `f` because `b f` was explored; after a fault that may not be
            // a run (`b` the last step: the fault is no longer enabled).
            return Vec::new();
        }
        let from = if k + 1 == self.prefix.len() {
            self.wake.clone()
        } else if k + 1 > self.prefix.len() {
            before
        } else {
            return Vec::new();
        };
        from.into_iter()
            .filter(|(a, fp)| *a != s.actor && !sleep_dependent(&s.acc, fp, takes))
            .collect()
    }

    /// Brings `sleep` up to the state before step `upto`.
    fn catch_up(&mut self, steps: &[Step], upto: usize) {
        while self.seen < upto.min(steps.len()) {
            let before = std::mem::take(&mut self.sleep);
            self.sleep = self.after(self.seen, before, steps, None);
            self.seen += 1;
        }
    }

    /// The candidate to take at the state before step `s` (`steps` so
    /// far, `cands` the actors of the choice's events): the prefix's actor,
    /// then the guide's, else the first that is not asleep. Notes a
    /// divergence or a block.
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
        self.sync(steps);
        if self.free_from.is_none() {
            // The first branch here whose actor is enabled (the first one,
            // unless the footprints missed an enabling).
            let found = self
                .level
                .iter()
                .find_map(|b| cands.iter().position(|&a| a == b.actor));
            match found {
                Some(i) => return i,
                None if self.level.is_empty() => self.free_from = Some(s),
                None => {
                    self.walked.push((s, std::mem::take(&mut self.level)));
                    self.synced = s + 1;
                    self.free_from = Some(s);
                }
            }
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
    /// (if any) at which the run was blocked (a guided step never is).
    /// While the run went on, two appends to one mailbox woke each other
    /// (no receive after them was known); now the run's receives say which
    /// they tell apart, so a step found asleep here was explored by a
    /// sibling, and the run is blocked from it.
    pub(crate) fn sleeps(&self, steps: &[Step]) -> (Vec<Vec<Asleep>>, Option<usize>) {
        let takes = Takes::of(steps);
        let mut out = Vec::new();
        let mut cur = Vec::new();
        let start = self.prefix.len();
        let guided = self.guided_until(steps);
        for k in 0..steps.len() {
            if k >= start {
                if k >= guided && cur.iter().any(|(a, _)| *a == steps[k].actor) {
                    return (out, Some(k));
                }
                out.push(cur.clone());
            }
            cur = self.after(k, std::mem::take(&mut cur), steps, Some(&takes));
        }
        (out, None)
    }
}

/// One state of the current execution.
#[derive(Debug)]
struct Node {
    enabled: Actors,
    /// The wakeup tree's branches still to explore from here (source-DPOR:
    /// single actors, its backtrack set).
    pending: Vec<Branch>,
    /// Actors explored from here, with their steps' footprints.
    done: Vec<Asleep>,
    sleep: Vec<Asleep>,
    taken: Actor,
    acc: Accesses,
}

impl Node {
    /// Whether `a` is explored, being explored, asleep or pending here.
    fn covers(&self, a: Actor) -> bool {
        a == self.taken
            || self.pending.iter().any(|b| b.actor == a)
            || self.done.iter().any(|(b, _)| *b == a)
            || self.sleep.iter().any(|(b, _)| *b == a)
    }
}

/// The exploration tree along the current execution.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    preemption_bound: Option<u32>,
    /// Source-DPOR (backtrack sets) instead of wakeup trees.
    source: bool,
    /// Whether an alternative was left out for the preemption bound.
    pub(crate) bounded: bool,
}

impl Tree {
    pub(crate) fn new(preemption_bound: Option<u32>, source: bool) -> Tree {
        Tree {
            preemption_bound,
            source,
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
    pub(crate) fn add_run(&mut self, plan: &mut Plan, mut steps: Vec<Step>) -> bool {
        let d = plan.prefix.len();
        plan.sync(&steps);
        let (sleeps, blocked) = plan.sleeps(&steps);
        let end = blocked.unwrap_or(steps.len());
        self.nodes.truncate(d);
        let mut walked = std::mem::take(&mut plan.walked).into_iter().peekable();
        for (k, sleep) in (d..end).zip(sleeps) {
            let s = &steps[k];
            // The other branches of the wakeup tree at the states the run
            // followed it through (and at the one where it stopped).
            let pending = match walked.next_if(|(w, _)| *w == k) {
                Some((_, others)) => others,
                None => Vec::new(),
            };
            self.nodes.push(Node {
                enabled: s.enabled.clone(),
                pending,
                done: Vec::new(),
                sleep,
                taken: s.actor,
                acc: Accesses::new(),
            });
        }
        let from = d.saturating_sub(1);
        self.untaken_faults(&steps[..end], from);
        self.races(&steps[..end], from);
        self.disablings(&steps, from, end);
        self.left_untaken(&steps[..end], d, blocked.is_none());
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

    /// An optional fault a run left untaken is in no race of it, yet a run
    /// may take it at any state it is enabled at. Taken at state `k` it
    /// commutes with step `k` when that step is independent of what the
    /// fault would touch there (`Step::faults`), and then it taken before
    /// step `k + 1` is the same run: so it goes first only where the step
    /// is dependent with it, and at the last state of each stretch where
    /// it is enabled (the run's end, or the step that disables it: after
    /// it, the fault is no longer a run). States before `from` were seen by
    /// earlier runs with the same prefix.
    fn untaken_faults(&mut self, steps: &[Step], from: usize) {
        for k in from..steps.len() {
            let s = &steps[k];
            let next = steps.get(k + 1);
            let faults: Actors = s
                .enabled
                .iter()
                .copied()
                .filter(|&a| {
                    matches!(a, Actor::Fault(_))
                        && (next.is_none_or(|n| !n.enabled.contains(&a))
                            || dependent(&s.fault_footprint(a), &s.acc, None))
                })
                .collect();
            for a in faults {
                self.add_single(k, a);
            }
        }
    }

    /// The race step over `steps`, for races whose later step is at or
    /// after `from` (earlier ones were handled by earlier runs).
    fn races(&mut self, steps: &[Step], from: usize) {
        let n = steps.len();
        let words = n.div_ceil(64).max(1);
        let readers = Readers::of(steps);
        // past[j * words..]: the steps that happen before step j.
        let mut past = vec![0u64; n * words];
        let mut acc = vec![0u64; words];
        let mut races = Vec::new();
        let enabler = enablers(steps);
        let takes = Takes::of(steps);
        for j in 0..n {
            acc.iter_mut().for_each(|w| *w = 0);
            races.clear();
            for i in (0..j).rev() {
                if has(&acc, i) {
                    continue;
                }
                let same = steps[i].actor == steps[j].actor;
                // A cause (the send of a signal its pair's delivery takes,
                // a spawn) happens before, whatever the footprints say.
                let caused = steps[j].causes.contains(&(i as u32)) || enabler[j] == Some(i);
                if !same && !caused && !dependent(&steps[i].acc, &steps[j].acc, Some(&readers)) {
                    continue;
                }
                if !same && j >= from {
                    match race_kind(i as u32, &steps[i], &steps[j]) {
                        Race::Caused => {}
                        Race::Reversible if caused => {}
                        kind => races.push((i, kind)),
                    }
                }
                for (w, p) in acc.iter_mut().zip(&past[i * words..(i + 1) * words]) {
                    *w |= p;
                }
                acc[i / 64] |= 1 << (i % 64);
            }
            past[j * words..(j + 1) * words].copy_from_slice(&acc);
            let before = |k: usize, x: usize| has(&past[k * words..(k + 1) * words], x);
            for &(i, kind) in &races {
                match kind {
                    Race::Timeout => self.add_single(i, self.timer_at(i)),
                    _ => {
                        let v: Vec<usize> = (i + 1..j)
                            .filter(|&k| !before(k, i))
                            .chain(std::iter::once(j))
                            .collect();
                        match Local::of(steps, &enabler, i, &v) {
                            Some(local) => {
                                self.reverse(steps, v, &|k, x| local.before(k, x), &takes, i);
                            }
                            None => self.reverse(steps, v, &before, &takes, i),
                        }
                    }
                }
            }
        }
    }

    /// Makes the state before step `i` explore `v`, that is `notdep(i).j`:
    /// `j`'s actor (or what must come before it) ahead of `i`.
    /// Happens-before among those steps (`before`) is as in the run that
    /// takes them (`Local`): a receive after `i` that told two of their
    /// appends apart may not happen there.
    fn reverse(
        &mut self,
        steps: &[Step],
        mut v: Vec<usize>,
        before: &dyn Fn(usize, usize) -> bool,
        takes: &Takes,
        i: usize,
    ) {
        let source = self.source;
        let Some(node) = self.nodes.get_mut(i) else {
            return;
        };
        let firsts = initials(steps, before, &v);
        if source {
            if !firsts.iter().any(|&a| node.covers(a)) {
                match firsts.iter().find(|a| node.enabled.contains(a)) {
                    Some(&a) => node.pending.push(Branch::single(a)),
                    None => self.try_all(i),
                }
            }
            return;
        }
        let taken = (node.taken, &steps[i].acc);
        let asleep = node
            .sleep
            .iter()
            .chain(&node.done)
            .map(|(a, acc)| (*a, acc))
            .chain(std::iter::once(taken));
        for (q, acc) in asleep {
            if !matches!(
                weak_initial(q, acc, &v, steps, before, Some(takes)),
                Weak::No
            ) {
                return;
            }
        }
        // Any initial can go first; one enabled here must (else the
        // footprints missed an enabling, and every actor is tried).
        let Some(pos) = v.iter().position(|&k| {
            firsts.contains(&steps[k].actor) && node.enabled.contains(&steps[k].actor)
        }) else {
            self.try_all(i);
            return;
        };
        let first = v.remove(pos);
        v.insert(0, first);
        insert(&mut node.pending, v, steps, before, Some(takes));
    }

    /// The actor of the timer enabled at state `i` (the earliest).
    fn timer_at(&self, i: usize) -> Actor {
        self.nodes
            .get(i)
            .and_then(|n| n.enabled.iter().copied().find(|a| a.is_timer()))
            .unwrap_or(Actor::Timers)
    }

    /// Every enabled actor goes first at state `i` (sound when the
    /// footprints cannot say which must).
    fn try_all(&mut self, i: usize) {
        let Some(node) = self.nodes.get(i) else {
            return;
        };
        for a in node.enabled.clone() {
            self.add_single(i, a);
        }
    }

    /// `a` goes first at state `i`, unless it is explored, asleep or
    /// pending there already.
    fn add_single(&mut self, i: usize, a: Actor) {
        let Some(node) = self.nodes.get_mut(i) else {
            return;
        };
        if node.covers(a) {
            return;
        }
        if node.enabled.contains(&a) {
            node.pending.push(Branch::single(a));
        } else {
            self.try_all(i);
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
                self.add_single(j, a);
            }
        }
    }

    /// A run ends when the test's processes are done, so an actor may be
    /// enabled and never step again: its step is in no race of the run. It
    /// goes first at the last state, before the step that ended the run:
    /// if its step there is independent of the steps since it was enabled,
    /// taking it earlier is the same run, and if it is dependent with one,
    /// that run shows the race, which puts it before that step (sound, as
    /// for an untaken fault). One disabled on the way is `disablings`'
    /// business, an untaken fault `untaken_faults`'.
    ///
    /// With wakeup trees, a run's last step, which ended it, also goes
    /// first at every state its actor was enabled at since its previous
    /// step, back to the latest step of a process that exits in the run:
    /// there it ends the run before the steps in between, which no race
    /// shows (source-DPOR's free runs take processes first and reach those
    /// runs without it). States before the prefix's last were seen by
    /// earlier runs.
    fn left_untaken(&mut self, steps: &[Step], d: usize, ended: bool) {
        let Some(last) = steps.last() else { return };
        let n = steps.len() - 1;
        if n + 1 < d {
            return;
        }
        let at_end: Vec<Actor> = last
            .enabled
            .iter()
            .copied()
            .filter(|&a| a != last.actor && !matches!(a, Actor::Fault(_)))
            .collect();
        for a in at_end {
            self.add_single(n, a);
        }
        if !ended || self.source {
            return;
        }
        let ender = last.actor;
        for k in (d..n).rev() {
            if steps[k].actor == ender {
                break;
            }
            // Before a step of a process that exits in the run, the last
            // step would not end the run (that process may be one the run
            // waits for): only a reorder, explored by the races.
            if exits(steps, steps[k].actor) {
                break;
            }
            if steps[k].enabled.contains(&ender) {
                self.add_single(k, ender);
            }
        }
    }

    /// The next run's plan, or `None` when every branch is explored.
    pub(crate) fn next(&mut self) -> Option<Plan> {
        while let Some(i) = self.nodes.len().checked_sub(1) {
            while !self.nodes[i].pending.is_empty() {
                let b = self.nodes[i].pending.remove(0);
                if !self.nodes[i].enabled.contains(&b.actor) {
                    // The footprints missed an enabling: every actor.
                    self.try_all(i);
                    continue;
                }
                let node = &self.nodes[i];
                // A wakeup tree's branch is explored even if its actor is
                // asleep here: it was put here for a class that needs it.
                let stale = b.actor == node.taken
                    || node.done.iter().any(|(a, _)| *a == b.actor)
                    || (self.source && node.sleep.iter().any(|(a, _)| *a == b.actor));
                if stale || !self.within_bound(i, b.actor) {
                    continue;
                }
                let node = &mut self.nodes[i];
                let old = (node.taken, std::mem::take(&mut node.acc));
                node.done.push(old);
                node.taken = b.actor;
                let mut wake = node.sleep.clone();
                wake.extend(node.done.iter().cloned());
                let prefix = self.nodes.iter().map(|n| n.taken).collect();
                return Some(Plan::new(prefix, wake, b.kids));
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

/// The actors of the steps `v` that can go first: those without a
/// happens-before predecessor among the steps before them in `v`.
fn initials(steps: &[Step], before: &dyn Fn(usize, usize) -> bool, v: &[usize]) -> Vec<Actor> {
    let mut out: Vec<Actor> = Vec::new();
    for (n, &k) in v.iter().enumerate() {
        if v[..n].iter().all(|&e| !before(k, e)) && !out.contains(&steps[k].actor) {
            out.push(steps[k].actor);
        }
    }
    out
}

/// For each step, the step after which its actor became enabled and stayed
/// so until it (a delivery whose signal that step sent, as a link to a dead
/// process answers with an `'EXIT'`): it happens before, like a recorded
/// cause.
fn enablers(steps: &[Step]) -> Vec<Option<usize>> {
    // The actors enabled at the current state, each with the first state of
    // its present stretch of being enabled.
    let mut since: SmallVec<[(Actor, usize); 8]> = SmallVec::new();
    let mut out = Vec::with_capacity(steps.len());
    for (k, s) in steps.iter().enumerate() {
        since = s
            .enabled
            .iter()
            .map(|&a| {
                let from = since.iter().find(|(b, _)| *b == a).map_or(k, |&(_, f)| f);
                (a, from)
            })
            .collect();
        let from = since
            .iter()
            .find(|(b, _)| *b == s.actor)
            .map_or(k, |&(_, f)| f);
        out.push(
            from.checked_sub(1)
                .filter(|&e| !woken_by_arrival(&steps[e], s)),
        );
    }
    out
}

/// Whether process `a` exits in the run (a step of it ends its life).
fn exits(steps: &[Step], a: Actor) -> bool {
    let Actor::Proc(p) = a else { return false };
    steps.iter().any(|s| {
        s.actor == a
            && s.acc
                .iter()
                .any(|x| x.obj == Obj::Life(p) && matches!(x.op, Op::Write))
    })
}

/// Whether step `s`, a receive that took a message, was enabled by step `e`
/// appending to its mailbox: then the append of the message it took orders
/// it, as the footprints say; one it did not take only woke it to look
/// again, and its order against the receive is no race (Concuerror's
/// receiver blocked on an unmatched message is not enabled at all).
fn woken_by_arrival(e: &Step, s: &Step) -> bool {
    let Actor::Proc(p) = s.actor else {
        return false;
    };
    let in_mailbox = |x: &&crate::sched::footprint::Access| x.obj == Obj::Mailbox(p);
    s.acc
        .iter()
        .filter(in_mailbox)
        .any(|x| matches!(x.op, Op::Pop { msg: Some(_), .. }))
        && e.acc
            .iter()
            .filter(in_mailbox)
            .any(|x| matches!(x.op, Op::Push { .. }))
}
