//! Process records, spawning and termination.

use super::Body;
use super::{Pos, ProcKey, World};
use crate::body::BoxFuture;
use crate::id::{NodeId, Pid, Ref};
use crate::lazy_vec::LazyVec;
use crate::mailbox::Mailbox;
use crate::sched::footprint::{Obj, Op};
use crate::signal::{Dest, MonTarget, SpawnOpts};
use crate::term::{Atom, Term};
use crate::trace::TraceEvent;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// What a waiting process waits for (for deadlock reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    Receive {
        marked: bool,
    },
    Sleep,
    /// Awaited something that is not a `Cx` operation: it can never be woken.
    Foreign,
    /// Suspended on a busy connection buffer (`busy_dist_port`), until it
    /// drains below the limit.
    BusyDist,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Runnable,
    Running,
    Waiting(Wait),
}

/// `process_flag(priority, P)`: recorded and reported, never used by the
/// scheduler (with several schedulers BEAM interleaves processes of any
/// priority, so every schedule a strategy picks stays one OTP could produce).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Max,
}

impl Priority {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Max => "max",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Priority> {
        Some(match name {
            "low" => Priority::Low,
            "normal" => Priority::Normal,
            "high" => Priority::High,
            "max" => Priority::Max,
            _ => return None,
        })
    }
}

/// A monitor this process holds on another.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MonOut {
    pub(crate) r: Ref,
    pub(crate) target: MonTarget,
}

/// A monitor another process holds on this one.
#[derive(Clone, Debug)]
pub(crate) struct MonIn {
    pub(crate) r: Ref,
    pub(crate) watcher: Pid,
    /// What the `'DOWN'` names: the pid, or `{Name, Node}`.
    pub(crate) object: Term,
}

/// A remote spawn request whose reply has not arrived.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub(crate) r: Ref,
    pub(crate) node: NodeId,
    pub(crate) opts: SpawnOpts,
    pub(crate) abandoned: bool,
}

pub(crate) struct Proc {
    pub(crate) pid: Pid,
    pub(crate) future: Option<BoxFuture>,
    pub(crate) status: Status,
    pub(crate) enabled_pos: Pos,
    pub(crate) mailbox: Mailbox,
    pub(crate) links: LazyVec<Pid>,
    pub(crate) mon_out: LazyVec<MonOut>,
    pub(crate) mon_in: LazyVec<MonIn>,
    pub(crate) pending: LazyVec<Pending>,
    pub(crate) node_mons: LazyVec<NodeId>,
    pub(crate) trap_exit: bool,
    pub(crate) priority: Priority,
    /// `group_leader()`: inherited from the spawner (the requester, for a
    /// spawn request), the node's runtime for a process the test started.
    pub(crate) group_leader: Pid,
    pub(crate) name: Option<Atom>,
    /// Index into the foreground results, for processes the test spawned.
    pub(crate) foreground: Option<u32>,
    /// Booted by its node (a system server): never counted as blocked.
    pub(crate) boot: bool,
    /// Bumped at every timed wait; a timer fires only for the current token.
    pub(crate) timer_token: u64,
    /// The token of the wait whose timer fired.
    pub(crate) timed_out: u64,
}

/// A new process as its body is started with: the world it lives in and who it
/// is. The process context (`Cx`) is made from it, so the world never names `Cx`.
pub(crate) struct ProcRef {
    pub(crate) world: Rc<RefCell<World>>,
    pub(crate) key: ProcKey,
    pub(crate) pid: Pid,
}

/// A process body before it starts.
pub(crate) type StartFn = Box<dyn FnOnce(ProcRef) -> BoxFuture>;

/// A process body carried by a spawn request.
pub(crate) struct SpawnBody(pub(crate) StartFn);

impl fmt::Debug for SpawnBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SpawnBody")
    }
}

impl World {
    /// Starts a process on `node`. The caller has checked the node is up and
    /// below its process limit.
    pub(crate) fn spawn_process(
        &mut self,
        node: NodeId,
        parent: Option<Pid>,
        foreground: bool,
        body: StartFn,
    ) -> Option<Pid> {
        let (key, start) = self.new_process(node, parent, foreground)?;
        Some(self.start_process(key, body(start)))
    }

    /// The first half of [`World::spawn_process`]: the process record (traced
    /// as spawned) and its context, for a caller that builds the future
    /// itself (a local spawn, without boxing the body first). Call
    /// [`World::start_process`] next.
    pub(crate) fn new_process(
        &mut self,
        node: NodeId,
        parent: Option<Pid>,
        foreground: bool,
    ) -> Option<(ProcKey, ProcRef)> {
        let world = self.me.upgrade()?;
        let group_leader = match parent {
            Some(p) => self.key_of(p).map_or(p, |k| self.procs[k].group_leader),
            None => World::runtime_pid(node),
        };
        let key = self.procs.insert_with_key(|k| Proc {
            pid: World::pid_of(node, k),
            future: None,
            status: Status::Runnable,
            enabled_pos: Pos::NONE,
            mailbox: Mailbox::default(),
            links: LazyVec::new(),
            mon_out: LazyVec::new(),
            mon_in: LazyVec::new(),
            pending: LazyVec::new(),
            node_mons: LazyVec::new(),
            trap_exit: false,
            priority: Priority::Normal,
            group_leader,
            name: None,
            foreground: None,
            boot: false,
            timer_token: 0,
            timed_out: 0,
        });
        let pid = self.procs[key].pid;
        self.note_spawn(pid, parent);
        self.note_procs(node);
        if foreground {
            self.procs[key].foreground = Some(self.results.add_foreground(pid));
        }
        if let Some(n) = self.nodes.get_mut(node.index()) {
            n.processes += 1;
        }
        let name = self.node_name(node);
        self.trace(TraceEvent::Spawn {
            pid,
            node: name,
            parent,
        });
        Some((key, ProcRef { world, key, pid }))
    }

    /// The second half of [`World::spawn_process`]: the process's future in
    /// place, the process enabled. Returns its pid.
    pub(crate) fn start_process(&mut self, key: ProcKey, future: BoxFuture) -> Pid {
        let p = &mut self.procs[key];
        p.future = Some(future);
        let pid = p.pid;
        self.enable_proc(key);
        pid
    }

    /// Whether the process in slot `key` is alive.
    #[inline]
    pub(crate) fn is_alive(&self, key: ProcKey) -> bool {
        self.procs.contains_key(key)
    }

    /// Sets the status of a live process.
    #[inline]
    pub(crate) fn set_status(&mut self, key: ProcKey, status: Status) {
        if let Some(p) = self.procs.get_mut(key) {
            p.status = status;
        }
    }

    /// The end of a sync point: the process is runnable again. `false` if it
    /// is gone (its own operation ended it).
    #[inline]
    pub(crate) fn sync_point(&mut self, key: ProcKey) -> bool {
        match self.procs.get_mut(key) {
            Some(p) => {
                // A send that filled a connection's buffer suspended it.
                if p.status != Status::Waiting(Wait::BusyDist) {
                    p.status = Status::Runnable;
                }
                true
            }
            None => false,
        }
    }

    /// Whether `node` can take one more process.
    pub(crate) fn has_room(&self, node: NodeId) -> bool {
        self.nodes
            .get(node.index())
            .is_some_and(|n| n.up && n.processes < n.process_limit)
    }

    /// Ends a process: exit signals to its links, `'DOWN'` to its monitors, its
    /// name and mailbox freed.
    pub(crate) fn terminate(
        &mut self,
        key: ProcKey,
        reason: Term,
        result: Option<Result<Term, Term>>,
    ) {
        self.disable_proc(key);
        let Some(mut p) = self.procs.remove(key) else {
            return;
        };
        let pid = p.pid;
        if self.recording() {
            // Its links and monitors fire (it reads them: nobody sees them
            // after), its timers die, its name goes.
            self.note_pid(pid, Obj::Life, Op::Write);
            self.note_pid(pid, Obj::Links, Op::Walk);
            self.note_cut_links(pid, &reason);
            if let Some(r) = &self.rec {
                r.borrow_mut().died(pid, p.trap_exit);
            }
            if matches!(p.status, Status::Waiting(_)) {
                // Its pending wait timer dies with it.
                self.note(Obj::Clock, Op::Write);
            }
            if matches!(p.status, Status::Waiting(super::Wait::Receive { .. })) {
                self.note_died_blocked(pid);
            }
            if let Some(name) = p.name {
                self.note(Obj::Name(pid.node().0, name), Op::Write);
            }
            self.note_procs(pid.node());
        }
        if let Some(f) = p.future.take() {
            self.graveyard.push(f);
        }
        p.mailbox.clear(&mut self.arena);
        if let Some(n) = self.nodes.get_mut(pid.node().index()) {
            n.processes = n.processes.saturating_sub(1);
            if let Some(name) = p.name {
                n.registry.shift_remove(&name);
            }
        }
        self.trace(TraceEvent::Exit {
            pid,
            reason: &reason,
        });
        self.note_exit(pid, p.foreground.is_some(), &reason);
        if let Some(i) = p.foreground {
            self.results
                .finish(i, result.unwrap_or_else(|| Err(reason.clone())));
        }
        // The reason goes to every link and monitor: cloned for all but the
        // last, which takes it (a compound reason is a deep copy).
        let mut reason = reason;
        let mut left = p.links.len() + p.mon_in.len();
        let mut share = |reason: &mut Term| {
            left -= 1;
            if left == 0 {
                std::mem::replace(reason, Term::Int(0))
            } else {
                reason.clone()
            }
        };
        for l in p.links {
            let reason = share(&mut reason);
            self.send(
                pid,
                Dest::Pid(l),
                Body::Exit {
                    reason,
                    linked: true,
                },
            );
        }
        for m in p.mon_in.take_into(&mut self.spare_mon_in) {
            let reason = share(&mut reason);
            self.send(
                pid,
                Dest::Pid(m.watcher),
                Body::Down {
                    r: m.r,
                    object: m.object,
                    reason,
                },
            );
        }
        for m in p.mon_out {
            let dest = match m.target {
                MonTarget::Pid(t) => Dest::Pid(t),
                MonTarget::Name(n, node) => Dest::Name(n, node),
            };
            self.send(pid, dest, Body::Demonitor { r: m.r });
        }
    }

    /// Applies the exit policy to a process that ended with `reason`.
    fn note_exit(&mut self, pid: Pid, foreground: bool, reason: &Term) {
        self.results.exited(pid, foreground, reason);
    }

    /// Kills every process of a crashed node without signals (the connection
    /// loss tells the rest of the world).
    pub(crate) fn wipe_node(&mut self, node: NodeId) {
        let keys: Vec<ProcKey> = self
            .procs
            .iter()
            .filter(|(_, p)| p.pid.node() == node)
            .map(|(k, _)| k)
            .collect();
        let killed = Term::Atom(crate::term::KILLED);
        for key in keys {
            self.disable_proc(key);
            if let Some(mut p) = self.procs.remove(key) {
                if let Some(f) = p.future.take() {
                    self.graveyard.push(f);
                }
                p.mailbox.clear(&mut self.arena);
                self.trace(TraceEvent::Exit {
                    pid: p.pid,
                    reason: &killed,
                });
                // Dying with its node is the fault the test injected, not a
                // failure of the process: only `AnyProcess` counts it.
                self.note_exit(p.pid, false, &killed);
                if let Some(i) = p.foreground {
                    self.results.finish(i, Err(killed.clone()));
                }
            }
        }
        if let Some(n) = self.nodes.get_mut(node.index()) {
            n.registry.clear();
            n.processes = 0;
        }
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod size_budget {
    /// An idle process must stay a few hundred bytes (W6 budget: 512 bytes
    /// including its future and allocator overhead). Grow these only with a
    /// measurement that says why.
    #[test]
    fn an_idle_process_stays_small() {
        assert!(
            std::mem::size_of::<super::Proc>() <= 160,
            "{}",
            std::mem::size_of::<super::Proc>()
        );
        let mut sim = crate::Sim::builder().nodes(["a@sim"]).build().unwrap();
        sim.spawn("a@sim", |cx| async move {
            let recv = std::mem::size_of_val(&cx.recv());
            cx.check(recv <= 80, format!("a receive future is {recv} bytes"))?;
            Ok(crate::Term::Int(1))
        })
        .unwrap();
        sim.run().assert_ok();
    }
}
