//! The opt-in footprint record: per step, its actor, the actors enabled
//! before it, and the shared objects it used (`sched::footprint`).
//!
//! Off by default: every recording site is one `Option` test. When on, the
//! record is shared with the exploration that reads it between steps and
//! after the run. Stable process names (spawn paths) are interned in it and
//! survive from run to run; everything else is reset by `start_run`.

use super::{Owner, ProcKey, World};
use crate::fast_map::FastMap;
use crate::id::Pid;
use crate::matcher::Matcher;
use crate::sched::footprint::{Access, Accesses, Actor, Actors, Name, Obj, Op, Step};
use crate::sched::Event;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A shared footprint record.
pub(crate) type Rec = Rc<RefCell<Recorder>>;

/// Marks a root process in a spawn path.
const ROOT: u32 = u32::MAX;

#[derive(Debug, Default)]
pub(crate) struct Recorder {
    /// (parent name or ROOT, k) -> name; kept across runs.
    paths: BTreeMap<(u32, u32), Name>,
    /// How many names were interned (across runs).
    interned: u32,
    // ---- per run ----
    names: FastMap<Pid, Name>,
    children: Vec<u32>,
    roots: u32,
    /// The steps taken, in order.
    pub(crate) steps: Vec<Step>,
    /// The actors of the current choice point's events, in list order.
    pub(crate) candidates: Actors,
    /// The would-be footprints of the current choice point's faults.
    cand_faults: Vec<(Actor, Accesses)>,
    /// Which step sent a signal / armed a timer / spawned a process.
    sent_at: FastMap<u64, u32>,
    armed_at: FastMap<u64, u32>,
    /// Each timer a process step armed, as the actor that fires it; and
    /// how many each process armed.
    timer_actor: FastMap<u64, Actor>,
    armed_by: Vec<u32>,
    spawned_at: FastMap<Name, u32>,
    started: Vec<bool>,
    /// The processes that died trapping exits.
    died_trapping: Vec<Pid>,
    /// Mailbox appends so far (each one's number).
    appends: u64,
    /// Links cut by a dead peer's exit signal ([`Op::Cut`]): the process,
    /// the peer, the step.
    cuts: Vec<(Pid, Pid, u32)>,
    /// The pattern of each process's latest receive that blocked.
    blocked: Vec<(Pid, Option<Matcher>)>,
}

impl Recorder {
    /// Clears what belongs to one run, keeping the interned names.
    pub(crate) fn start_run(&mut self) {
        self.names.clear();
        self.children.clear();
        self.roots = 0;
        self.steps.clear();
        self.candidates.clear();
        self.cand_faults.clear();
        self.sent_at.clear();
        self.armed_at.clear();
        self.timer_actor.clear();
        self.armed_by.clear();
        self.spawned_at.clear();
        self.started.clear();
        self.died_trapping.clear();
        self.appends = 0;
        self.cuts.clear();
        self.blocked.clear();
    }

    /// The peers whose exit signals cut `pid`'s links to them before the
    /// current step (forgotten: `pid` is dying).
    fn take_cuts(&mut self, pid: Pid) -> Vec<Pid> {
        let here = self.here();
        let mut out = Vec::new();
        self.cuts.retain(|&(p, q, at)| {
            if p != pid {
                return true;
            }
            if Some(at) != here {
                out.push(q);
            }
            false
        });
        out
    }

    /// `pid` died, trapping exits or not.
    pub(crate) fn died(&mut self, pid: Pid, trapping: bool) {
        if trapping {
            self.died_trapping.push(pid);
        }
    }

    /// Whether `pid` died trapping exits.
    pub(crate) fn trapped_at_death(&self, pid: Pid) -> bool {
        self.died_trapping.contains(&pid)
    }

    fn intern(&mut self, parent: u32, k: u32) -> Name {
        if let Some(&n) = self.paths.get(&(parent, k)) {
            return n;
        }
        let n = self.interned;
        self.interned += 1;
        self.paths.insert((parent, k), n);
        n
    }

    fn name(&self, pid: Pid) -> Name {
        // A pid the run never spawned (made up, or of a foreign node) gets a
        // name of its own that no process has.
        self.names
            .get(&pid)
            .copied()
            .unwrap_or(Name::MAX - (pid.index() % 1_000_000))
    }

    fn access(&mut self, obj: Obj, op: Op) {
        if let Some(s) = self.steps.last_mut() {
            s.acc.push(Access { obj, op });
        }
    }

    /// A message appended to `pid`'s mailbox by the current step, numbered
    /// in the run's order of appends (which tells equal messages apart).
    pub(crate) fn push_message(&mut self, pid: Pid, msg: &crate::term::Term) {
        let n = self.name(pid);
        self.appends += 1;
        let sig = self.appends;
        self.access(
            Obj::Mailbox(n),
            Op::Push {
                sig,
                msg: Some(msg.clone()),
            },
        );
    }

    /// A message of the current step found `pid` dead, and was dropped.
    pub(crate) fn read_life(&mut self, pid: Pid) {
        let n = self.name(pid);
        self.access(Obj::Life(n), Op::Arrive);
    }

    /// A use of what `pid` holds about `peer` alone, whether `pid` lives.
    pub(crate) fn peer_access(&mut self, pid: Pid, peer: Pid, op: Op) {
        let (a, b) = (self.name(pid), self.name(peer));
        self.access(Obj::Link(a, b), op);
    }

    /// The current step read `pid`'s `trap_exit` flag (or would have).
    pub(crate) fn trap_read(&mut self, pid: Pid) {
        let n = self.name(pid);
        self.access(Obj::Trap(n), Op::Read);
    }

    /// An exit signal from `from` with `reason` reached `pid` as one that
    /// reads its `trap_exit` flag and, trapped, appends `{'EXIT', from, reason}`.
    pub(crate) fn trapped_exit(&mut self, pid: Pid, from: Pid, reason: &crate::term::Term) {
        use crate::term::{self, Term};
        self.trap_read(pid);
        let msg = Term::Tuple(vec![
            Term::Atom(term::EXIT),
            Term::Pid(from),
            reason.clone(),
        ]);
        self.push_message(pid, &msg);
    }

    fn here(&self) -> Option<u32> {
        self.steps.len().checked_sub(1).map(|i| i as u32)
    }

    fn begin(&mut self, actor: Actor, enabled: Actors, faults: Vec<(Actor, Accesses)>) {
        let mut causes = Vec::new();
        let mut acc = Accesses::new();
        if let Actor::Proc(n) = actor {
            acc.push(Access {
                obj: Obj::Life(n),
                op: Op::Run,
            });
            let i = n as usize;
            if self.started.len() <= i {
                self.started.resize(i + 1, false);
            }
            if !self.started[i] {
                self.started[i] = true;
                if let Some(&s) = self.spawned_at.get(&n) {
                    causes.push(s);
                }
            }
        }
        self.steps.push(Step {
            actor,
            enabled,
            acc,
            causes,
            faults,
        });
    }
}

impl World {
    #[inline]
    pub(crate) fn recording(&self) -> bool {
        self.rec.is_some()
    }

    /// Records a use of `obj` by the current step.
    #[inline]
    pub(crate) fn note(&self, obj: Obj, op: Op) {
        if let Some(r) = &self.rec {
            r.borrow_mut().access(obj, op);
        }
    }

    /// Records a use of an object of process `pid`.
    #[inline]
    pub(crate) fn note_pid(&self, pid: Pid, obj: fn(Name) -> Obj, op: Op) {
        if let Some(r) = &self.rec {
            let mut r = r.borrow_mut();
            let n = r.name(pid);
            r.access(obj(n), op);
        }
    }

    /// Records a use of what the live process in slot `key` holds about
    /// `peer` alone ([`Obj::Link`]).
    pub(crate) fn note_peer(&self, key: ProcKey, peer: Pid, op: Op) {
        let Some(r) = &self.rec else { return };
        let Some(p) = self.procs.get(key) else { return };
        let mut r = r.borrow_mut();
        let (a, b) = (r.name(p.pid), r.name(peer));
        r.access(Obj::Link(a, b), op);
    }

    /// A linked exit signal from `from` reached the live process in slot
    /// `key`: it uses `key`'s link to `from`. When `from` is dead, local,
    /// and its signal arrives as it dies (local signals instant) and finds
    /// the link, that use is an [`Op::Cut`], remembered for `key`'s exit.
    pub(crate) fn note_linked_exit(&self, key: ProcKey, from: Pid) {
        let Some(r) = &self.rec else { return };
        let Some(p) = self.procs.get(key) else { return };
        let cut = !self.async_signals
            && from.node() == p.pid.node()
            && self.key_of(from).is_none()
            && p.links.contains(&from);
        let mut r = r.borrow_mut();
        let (a, b) = (r.name(p.pid), r.name(from));
        if cut {
            r.access(Obj::Link(a, b), Op::Cut);
            let here = r.here().unwrap_or(0);
            r.cuts.push((p.pid, from, here));
        } else {
            r.access(Obj::Link(a, b), Op::Write);
        }
    }

    /// The current step (a timer's) fired the timer of `pid`'s receive
    /// after `pid` was woken: its write of the clock is an [`Op::Lapse`].
    pub(crate) fn note_lapse(&self, pid: Pid) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let n = r.name(pid);
        let Some(step) = r.steps.last_mut() else {
            return;
        };
        for a in step.acc.iter_mut() {
            if a.obj == Obj::Clock && matches!(a.op, Op::Write) {
                a.op = Op::Lapse(n);
            }
        }
    }

    /// `pid`'s timed receive took a message and cancelled its timer.
    pub(crate) fn note_cancel(&self, pid: Pid) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let n = r.name(pid);
        r.access(Obj::Clock, Op::Cancel(n));
    }

    /// `pid` blocked in a receive with this pattern (`None`: not
    /// inspectable).
    #[inline]
    pub(crate) fn note_blocked(&self, pid: Pid, matcher: Option<&Matcher>) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let m = matcher.cloned();
        match r.blocked.iter_mut().find(|(p, _)| *p == pid) {
            Some(e) => e.1 = m,
            None => r.blocked.push((pid, m)),
        }
    }

    /// `pid` dies blocked in a receive: that receive took nothing, as one
    /// that timed out, so a message sent to the dead `pid` later that it
    /// would have taken races the death (in the other order it wakes the
    /// receiver, which takes it).
    pub(crate) fn note_died_blocked(&self, pid: Pid) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let matcher = r
            .blocked
            .iter()
            .position(|(p, _)| *p == pid)
            .and_then(|i| r.blocked.swap_remove(i).1);
        let n = r.name(pid);
        r.access(
            Obj::Mailbox(n),
            Op::Pop {
                sig: None,
                msg: None,
                matcher,
                timed: false,
                waited: true,
            },
        );
    }

    /// `pid`, dying with `reason`, walks its links: each link a dead peer's
    /// exit signal cut in an earlier step ([`Op::Cut`]) is recorded as the
    /// exit signal `pid` would have sent that peer had it died first (what
    /// it would touch at the peer alive, as a signal to a dead process is
    /// recorded), so that the two exits are ordered exactly when that
    /// signal could be told apart.
    pub(crate) fn note_cut_links(&self, pid: Pid, reason: &crate::term::Term) {
        let Some(r) = &self.rec else { return };
        let peers = r.borrow_mut().take_cuts(pid);
        for q in peers {
            self.note_exit_to_dead(pid, q, reason);
        }
    }

    /// Records a use of an object of the live process in slot `key`.
    #[inline]
    pub(crate) fn note_key(&self, key: ProcKey, obj: fn(Name) -> Obj, op: Op) {
        if self.rec.is_some() {
            if let Some(p) = self.procs.get(key) {
                self.note_pid(p.pid, obj, op);
            }
        }
    }

    /// Names a new process by its spawn path; its spawn writes its life.
    pub(crate) fn note_spawn(&self, pid: Pid, parent: Option<Pid>) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let (p, k) = match parent.and_then(|q| r.names.get(&q).copied()) {
            Some(pn) => {
                let i = pn as usize;
                if r.children.len() <= i {
                    r.children.resize(i + 1, 0);
                }
                r.children[i] += 1;
                (pn, r.children[i] - 1)
            }
            None => {
                r.roots += 1;
                (ROOT, r.roots - 1)
            }
        };
        let n = r.intern(p, k);
        r.names.insert(pid, n);
        if let Some(here) = r.here() {
            r.spawned_at.insert(n, here);
        }
        r.access(Obj::Life(n), Op::Write);
    }

    /// A signal put on a connection by the current step.
    pub(crate) fn note_sent(&self, sig: u64) {
        if let Some(r) = &self.rec {
            let mut r = r.borrow_mut();
            if let Some(h) = r.here() {
                r.sent_at.insert(sig, h);
            }
        }
    }

    /// A timer armed by the current step.
    pub(crate) fn note_armed(&self, seq: u64) {
        if let Some(r) = &self.rec {
            let mut r = r.borrow_mut();
            if let Some(h) = r.here() {
                r.armed_at.insert(seq, h);
            }
            if let Some(Actor::Proc(n)) = r.steps.last().map(|s| s.actor) {
                let i = n as usize;
                if r.armed_by.len() <= i {
                    r.armed_by.resize(i + 1, 0);
                }
                let k = r.armed_by[i];
                r.armed_by[i] += 1;
                r.timer_actor.insert(seq, Actor::Timer(n, k));
            }
            r.access(Obj::Clock, Op::Write);
        }
    }

    /// The current step consumed what step `of(key)` produced.
    pub(crate) fn note_cause_signal(&self, sig: u64) {
        if let Some(r) = &self.rec {
            let mut r = r.borrow_mut();
            if let Some(&s) = r.sent_at.get(&sig) {
                if let Some(step) = r.steps.last_mut() {
                    step.causes.push(s);
                }
            }
        }
    }

    pub(crate) fn note_cause_timer(&self, seq: u64) {
        if let Some(r) = &self.rec {
            let mut r = r.borrow_mut();
            if let Some(&s) = r.armed_at.get(&seq) {
                if let Some(step) = r.steps.last_mut() {
                    step.causes.push(s);
                }
            }
        }
    }

    fn actor_of(&self, owner: Owner, ev: Event, r: &Recorder) -> Actor {
        match (owner, ev) {
            (Owner::Proc(k), _) => self
                .procs
                .get(k)
                .map_or(Actor::Proc(Name::MAX), |p| Actor::Proc(r.name(p.pid))),
            (Owner::Fault(k), _) => Actor::Fault(k),
            (_, Event::Deliver { from, to }) => Actor::Conn(from.0, to.0),
            // Each sender-receiver queue is an actor of its own: queues to one
            // receiver from two senders race.
            (_, Event::Signal { from, to }) => Actor::Pair(r.name(from), r.name(to)),
            (_, Event::Fire { id }) => r.timer_actor.get(&id).copied().unwrap_or(Actor::Timers),
            _ => Actor::Timers,
        }
    }

    /// The actors of the current candidates (for the strategy to read).
    pub(crate) fn note_candidates(&self) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let cands: Actors = self
            .enabled
            .events()
            .iter()
            .map(|&e| self.actor_of(self.owner_of(e), e, &r))
            .collect();
        r.candidates = cands;
        let faults: Vec<(Actor, Accesses)> = r
            .candidates
            .iter()
            .filter_map(|&a| match a {
                Actor::Fault(k) => Some((a, self.fault_footprint(k, &r))),
                _ => None,
            })
            .collect();
        r.cand_faults = faults;
    }

    /// What optional fault `k` would touch if taken now. With the nodes it
    /// names (`ControlAction::touches`, set `S`): every connection to or
    /// from `S`, the process counts of `S` and of the nodes its travelling
    /// signals go to, and every object of the processes it may reach: those
    /// on `S`, those elsewhere that link to or monitor one on `S` or
    /// monitor a node of `S` (an `'EXIT'`, a `'DOWN'`, a `nodedown`), those
    /// the signals travelling from `S` go to (a crash delivers them at
    /// once), and, as each of those may die, every process linked to,
    /// monitoring or monitored by one of them, and so on. Time and the
    /// timers only with a bandwidth model (a lost buffer moves drains): a
    /// fault that names its nodes arms no timer. Without names, everything.
    fn fault_footprint(&self, k: u32, r: &Recorder) -> Accesses {
        use crate::id::NodeId;
        use crate::signal::{Dest, MonTarget};
        let write = |obj| Access { obj, op: Op::Write };
        let all = || [write(Obj::All)].into_iter().collect();
        let Some(names) = self.optional.touches(k) else {
            return all();
        };
        let mut touched = Vec::new();
        for n in names {
            match self.node_id(crate::term::Atom::new(n)) {
                Some(id) => touched.push(id),
                None => return all(),
            }
        }
        let on = |n: NodeId| touched.contains(&n);
        let mut acc = Accesses::new();
        if self.dist.is_some() {
            acc.push(write(Obj::Clock));
        }
        let mut procs_of: Vec<NodeId> = touched.clone();
        let mut reach: Vec<Pid> = Vec::new();
        let count = self.nodes.len() as u32;
        for x in 0..count {
            for y in 0..count {
                let (a, b) = (NodeId(x), NodeId(y));
                if x == y || !(on(a) || on(b)) {
                    continue;
                }
                acc.push(write(Obj::Conn(x, y)));
                if !on(a) {
                    continue;
                }
                for to in self.dirs.destinations(self.dir_index(a, b)) {
                    match to {
                        Dest::Pid(p) => reach.push(p),
                        Dest::Name(n, node) => {
                            acc.push(write(Obj::Name(node.0, n)));
                            if let Some(&p) = self
                                .nodes
                                .get(node.index())
                                .and_then(|s| s.registry.get(&n))
                            {
                                reach.push(p);
                            }
                        }
                        Dest::Node(_) => {}
                    }
                    if !procs_of.contains(&b) {
                        procs_of.push(b);
                    }
                }
            }
        }
        for &n in &procs_of {
            acc.push(write(Obj::Procs(n.0)));
        }
        for p in self.procs.values() {
            let watches = p.links.iter().any(|q| on(q.node()))
                || p.mon_out.iter().any(|m| match m.target {
                    MonTarget::Pid(q) => on(q.node()),
                    MonTarget::Name(_, n) => on(n),
                })
                || p.mon_in.iter().any(|m| on(m.watcher.node()))
                || p.pending.iter().any(|q| on(q.node))
                || p.node_mons.iter().any(|&n| on(n));
            if on(p.pid.node()) || watches {
                reach.push(p.pid);
            }
        }
        // The closure over links and monitors, in a fixed order.
        let mut seen: Vec<Pid> = Vec::new();
        while let Some(pid) = reach.pop() {
            if seen.contains(&pid) {
                continue;
            }
            seen.push(pid);
            let n = r.name(pid);
            for obj in [
                Obj::Mailbox(n),
                Obj::Life(n),
                Obj::Links(n),
                Obj::Trap(n),
                Obj::Wake(n),
                Obj::Named(n),
            ] {
                acc.push(write(obj));
            }
            let Some(p) = self.key_of(pid).and_then(|key| self.procs.get(key)) else {
                continue;
            };
            let peers = p
                .links
                .iter()
                .copied()
                .chain(p.mon_in.iter().map(|m| m.watcher))
                .chain(p.mon_out.iter().filter_map(|m| match m.target {
                    MonTarget::Pid(q) => Some(q),
                    MonTarget::Name(..) => None,
                }));
            for q in peers {
                let (a, b) = (pid.node(), q.node());
                if a != b && a.index() < self.nodes.len() && b.index() < self.nodes.len() {
                    acc.push(write(Obj::Conn(a.0, b.0)));
                    acc.push(write(Obj::Conn(b.0, a.0)));
                }
                reach.push(q);
            }
            if p.mon_out
                .iter()
                .any(|m| matches!(m.target, MonTarget::Name(..)))
            {
                // A monitor of a name: whose it is is not kept here.
                return all();
            }
        }
        acc
    }

    /// The optional fault the current step took is done: its footprint is
    /// what it would touch (recorded with the candidates) and whatever more
    /// precise it noted, not the `Obj::All` of the connection and node
    /// operations it ran.
    pub(crate) fn note_fault_taken(&self) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let Some(step) = r.steps.last_mut() else {
            return;
        };
        if !matches!(step.actor, Actor::Fault(_)) {
            return;
        }
        let w = step.fault_footprint(step.actor);
        step.acc.retain(|a| a.obj != Obj::All);
        step.acc.extend(w);
    }

    /// Starts the record of a step: candidate `i` taken.
    pub(crate) fn note_begin(&self, i: usize) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let enabled = std::mem::take(&mut r.candidates);
        let faults = std::mem::take(&mut r.cand_faults);
        let actor = enabled.get(i).copied().unwrap_or(Actor::Timers);
        r.begin(actor, enabled, faults);
    }

    /// Starts the record of a step that had no alternative.
    pub(crate) fn note_forced(&self, actor_key: Option<ProcKey>) {
        let Some(r) = &self.rec else { return };
        let mut r = r.borrow_mut();
        let actor = match actor_key.and_then(|k| self.procs.get(k)) {
            Some(p) => Actor::Proc(r.name(p.pid)),
            None => Actor::Control,
        };
        r.begin(actor, [actor].into_iter().collect(), Vec::new());
        if actor == Actor::Control {
            r.access(Obj::All, Op::Write);
        }
    }

    /// A signal put on `a -> b`: appended to the connection; its window
    /// depends on the time now.
    pub(crate) fn note_remote_send(&self, a: crate::id::NodeId, b: crate::id::NodeId, sig: u64) {
        self.note(Obj::Conn(a.0, b.0), Op::Push { sig, msg: None });
        self.note(Obj::Clock, Op::Read);
        self.note_sent(sig);
    }

    /// The head of `a -> b` delivered.
    pub(crate) fn note_delivered(&self, a: crate::id::NodeId, b: crate::id::NodeId, sig: u64) {
        self.note(
            Obj::Conn(a.0, b.0),
            Op::Pop {
                sig: Some(sig),
                msg: None,
                matcher: None,
                timed: false,
                waited: false,
            },
        );
        self.note_cause_signal(sig);
    }

    /// A signal reaching its destination: who is there (a name's holder,
    /// whether a pid is alive: `life` says how that is used, `Op::Arrive`
    /// for a signal a dead target drops without a trace).
    pub(crate) fn note_dest(&self, to: crate::signal::Dest, life: Op) {
        match to {
            crate::signal::Dest::Pid(p) => self.note_pid(p, Obj::Life, life),
            crate::signal::Dest::Name(n, node) => {
                self.note(Obj::Name(node.0, n), Op::Read);
                if let Some(&p) = self
                    .nodes
                    .get(node.index())
                    .and_then(|s| s.registry.get(&n))
                {
                    self.note_pid(p, Obj::Life, life);
                }
            }
            crate::signal::Dest::Node(_) => {}
        }
    }

    /// Whether node `node` has a process limit of its own (then spawns and
    /// exits there share its process count).
    pub(crate) fn note_procs(&self, node: crate::id::NodeId) {
        if self.rec.is_some()
            && self
                .nodes
                .get(node.index())
                .is_some_and(|n| n.process_limit != super::DEFAULT_PROCESS_LIMIT)
        {
            self.note(Obj::Procs(node.0), Op::Write);
        }
    }
}
