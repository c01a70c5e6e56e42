//! The world: the private owner of all simulation state.
//!
//! Processes live in a slotmap (a pid is a key with a generation), messages in
//! one arena, connections in a table per ordered node pair, timers in one heap.
//! `next_step` (in `step`) is the scheduler's hot loop: pick one enabled event,
//! then hand a process's future out to be polled, deliver one signal, or fire
//! one timer.

mod actions;
mod arrive;
mod books;
mod buffer;
mod clock;
mod conn;
mod control;
mod dirs;
mod enabled;
mod fault_log;
mod ids;
mod local;
mod ops;
mod optional;
mod process;
mod record;
mod results;
mod send;
mod step;
mod timer;

pub(crate) use actions::Actions;
pub(crate) use arrive::{spawn_error, spawn_ok};
pub(crate) use books::Books;
pub(crate) use buffer::{DistBuffers, DistConfig};
pub use buffer::{DEFAULT_DIST_BUF_BUSY_LIMIT, DIST_SIGNAL_HEADER_BYTES};
pub(crate) use clock::{Advance, Clock};
pub use control::{ActionError, Control, ControlAction, FaultAdmission};
pub(crate) use dirs::Dirs;
pub(crate) use enabled::{Enabled, Pos};
pub(crate) use fault_log::FaultLog;
pub(crate) use ids::Ids;
pub(crate) use ops::{Attempt, Marker, RecvPhase};
pub(crate) use process::{
    MonIn, MonOut, Pending, Priority, Proc, ProcRef, SpawnBody, StartFn, Status, Wait,
};
pub(crate) use record::{Rec, Recorder};
pub(crate) use results::Results;
pub(crate) use timer::{timer_dest_name, timer_dest_pid, TimerKind};

use crate::body::BoxFuture;
use crate::fast_map::FastMap;
use crate::id::{NodeId, Pid, Ref};
use crate::mailbox::Arena;
use crate::net::Network;
use crate::report::{Blocked, Outcome, RunReport};
use crate::sched::{Choices, Event, Schedule, Strategy};
use crate::signal::Dest;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::{TraceEvent, TraceMode, Tracer};
use slotmap::{new_key_type, Key, KeyData, SlotMap};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

new_key_type! {
    /// A process slot.
    pub(crate) struct ProcKey;
}

/// The owner of an enabled event.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owner {
    Proc(ProcKey),
    Dir(u32),
    /// The head of a local signal queue (its index among the pairs).
    Pair(u32),
    /// The earliest timer.
    Timer,
    /// Optional fault `k` of an exhaustive exploration (`world::optional`).
    Fault(u32),
}

/// Marks an event owner that is not in a list (a direction not active).
pub(crate) const NOT_ENABLED: u32 = u32::MAX;

/// The default process limit of a node (OTP's default is 262,144 too).
///
/// ```
/// assert_eq!(sim_core::DEFAULT_PROCESS_LIMIT, 262_144);
/// ```
pub const DEFAULT_PROCESS_LIMIT: usize = 262_144;

/// Boots a node: started at build time and again at every restart.
pub(crate) type BootFn = Rc<dyn Fn(ProcRef) -> BoxFuture>;

/// A signal as the world carries it: its spawn requests hold start functions.
pub(crate) type Signal = crate::signal::Signal<SpawnBody>;
/// The body of a [`Signal`].
pub(crate) type Body = crate::signal::Body<SpawnBody>;

/// A fault or control action run by the world at a scheduled moment.
pub(crate) type ControlFn = Box<dyn ControlAction>;
pub(crate) use optional::{MakeFault, Optional};

pub(crate) struct NodeState {
    pub(crate) name: Atom,
    pub(crate) up: bool,
    pub(crate) incarnation: u32,
    pub(crate) registry: FastMap<Atom, Pid>,
    /// The node's code (a `CodeTable`). Code sits above the world in the data
    /// flow (its functions take a `Cx`), so the world keeps it without its type.
    pub(crate) code: Rc<dyn std::any::Any>,
    pub(crate) process_limit: usize,
    pub(crate) processes: usize,
    pub(crate) spawn_supported: bool,
    pub(crate) boot: Vec<BootFn>,
}

pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) schedule_seed: u64,
    /// How long a runnable process may be left waiting while time passes.
    pub(crate) run_window: Time,
    pub(crate) strategy: Box<dyn Strategy>,
    pub(crate) network: Box<dyn Network>,
    pub(crate) trace: TraceMode,
    pub(crate) max_steps: u64,
    pub(crate) max_time: Time,
    pub(crate) panic_is_failure: bool,
    /// Connection buffers and bandwidth (`None`: off).
    pub(crate) dist: Option<DistConfig>,
    pub(crate) exit_policy: crate::exits::ExitPolicy,
    pub(crate) treat_as_normal: Vec<Atom>,
    /// The footprint record, when an exhaustive exploration wants one.
    pub(crate) rec: Option<Rec>,
    pub(crate) local_signals: crate::signal::LocalSignals,
}

/// A step's work for the caller of `next_step`.
pub(crate) enum Next {
    /// Poll this future (taken out of its process) and hand it back.
    Poll(ProcKey, BoxFuture),
    /// Something happened inside the world; ask again.
    Again,
    /// The run is over.
    Stop,
}

pub(crate) struct World {
    pub(crate) me: Weak<RefCell<World>>,
    pub(crate) seed: u64,
    pub(crate) schedule_seed: u64,
    pub(crate) run_window: Time,
    /// Virtual time, the step count, their budgets and the timer heap.
    pub(crate) clock: Clock,
    pub(crate) nodes: Vec<NodeState>,
    pub(crate) node_index: FastMap<Atom, NodeId>,
    /// Names of nodes a pid was made for that the simulation does not run,
    /// numbered after the simulated ones: such a pid keeps its node's name,
    /// and every signal to it meets a connection that never comes up.
    pub(crate) foreign_nodes: Vec<Atom>,
    pub(crate) procs: SlotMap<ProcKey, Proc>,
    pub(crate) arena: Arena,
    /// The connections: per direction the signals travelling and held, per
    /// pair whether it is up or was lost, the directions with signals
    /// travelling.
    pub(crate) dirs: Dirs,
    /// The runnable processes (and, while a choice is made, the other
    /// candidates after them): the only way to change it is its methods.
    pub(crate) enabled: Enabled,
    /// Booted processes that have not taken their first step: they take it
    /// before anything else, so a system server is registered before user code
    /// can look for it (as on a real node, where boot completes first).
    pub(crate) boot_queue: VecDeque<ProcKey>,
    /// The running process owes a sync point (a spawn request answered at
    /// once, an apply that did not yield): its next receive or apply yields
    /// first. Any return to the scheduler pays it.
    pub(crate) yield_owed: bool,
    /// The process that took the latest step (named when the step budget runs
    /// out).
    pub(crate) last_ran: Option<Pid>,
    pub(crate) erl_timers: FastMap<Ref, timer::ErlTimer>,
    /// The scheduled actions (faults and control actions).
    pub(crate) actions: Actions,
    /// References, signal numbers and seeded draws.
    pub(crate) ids: Ids,
    pub(crate) strategy: Box<dyn Strategy>,
    /// Whether the strategy wants to see steps with one event too
    /// ([`Strategy::sees_every_step`]).
    pub(crate) every_step: bool,
    pub(crate) network: Box<dyn Network>,
    pub(crate) tracer: Tracer,
    /// The signal books (sent, delivered, dropped).
    pub(crate) books: Books,
    pub(crate) local_q: VecDeque<Signal>,
    /// `LocalSignals::Async`: signals between two processes of one node are
    /// events of their own, queued in `pairs`.
    pub(crate) async_signals: bool,
    /// Queued local signals per (sender, receiver), in the order the pairs
    /// got their first queued signal; a pair leaves when its queue empties.
    pub(crate) pairs: local::Pairs,
    /// The foreground results, the outcome, panics and the exit policy.
    pub(crate) results: Results,
    pub(crate) graveyard: Vec<BoxFuture>,
    /// Monitor lists of dead processes, reused by new ones (`LazyVec::push_in`).
    pub(crate) spare_mon_in: crate::lazy_vec::Spares<MonIn>,
    pub(crate) choices: Choices,
    /// Choice points at which the current process could continue and the
    /// strategy picked something else.
    pub(crate) preemptions: u64,
    pub(crate) divergence: Option<String>,
    /// The faults asked for, by key: switched off, moved, applied.
    pub(crate) fault_log: FaultLog,
    /// Faults an exhaustive exploration may take at any step.
    pub(crate) optional: optional::Optional,
    /// Connection buffers, when a bandwidth is configured (see `buffer`).
    pub(crate) dist: Option<Box<DistBuffers>>,
    /// The footprint record (`record`), off unless asked for.
    pub(crate) rec: Option<Rec>,
}

impl World {
    pub(crate) fn new(config: Config, nodes: Vec<NodeState>) -> World {
        let n = nodes.len();
        let node_index = nodes
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name, NodeId(i as u32)))
            .collect();
        let mut strategy = config.strategy;
        strategy.start(config.schedule_seed);
        World {
            me: Weak::new(),
            seed: config.seed,
            schedule_seed: config.schedule_seed,
            run_window: config.run_window,
            clock: Clock::new(config.max_steps, config.max_time),
            nodes,
            node_index,
            foreign_nodes: Vec::new(),
            procs: SlotMap::with_key(),
            arena: Arena::default(),
            dirs: Dirs::new(n),
            enabled: Enabled::new(config.run_window),
            boot_queue: VecDeque::new(),
            yield_owed: false,
            last_ran: None,
            erl_timers: FastMap::default(),
            ids: Ids::new(config.seed),
            every_step: strategy.sees_every_step(),
            strategy,
            network: config.network,
            tracer: Tracer::new(config.trace),
            books: Books::default(),
            local_q: VecDeque::new(),
            async_signals: config.local_signals == crate::signal::LocalSignals::Async,
            pairs: local::Pairs::default(),
            results: Results::new(
                config.exit_policy,
                config.treat_as_normal,
                config.panic_is_failure,
            ),
            graveyard: Vec::new(),
            spare_mon_in: Default::default(),
            choices: Choices::new(),
            preemptions: 0,
            divergence: None,
            optional: optional::Optional::default(),
            actions: Actions::default(),
            fault_log: FaultLog::default(),
            dist: config.dist.map(|c| Box::new(DistBuffers::new(&c, n))),
            rec: config.rec,
        }
    }

    // ---- identities -------------------------------------------------------

    pub(crate) fn pid_of(node: NodeId, key: ProcKey) -> Pid {
        let ffi = key.data().as_ffi();
        Pid::new(node.0, ffi as u32, (ffi >> 32) as u32)
    }

    /// The slot of a live process, if `pid` names one.
    pub(crate) fn key_of(&self, pid: Pid) -> Option<ProcKey> {
        let key = World::slot_of(pid)?;
        match self.procs.get(key) {
            Some(p) if p.pid == pid => Some(key),
            _ => None,
        }
    }

    /// The slot `pid` would occupy (whether or not it is alive).
    #[inline]
    pub(crate) fn slot_of(pid: Pid) -> Option<ProcKey> {
        if pid.serial() == 0 {
            return None;
        }
        let ffi = (u64::from(pid.serial()) << 32) | u64::from(pid.index());
        Some(KeyData::from_ffi(ffi).into())
    }

    /// The pid the runtime of a node uses as the sender of its own signals.
    pub(crate) fn runtime_pid(node: NodeId) -> Pid {
        Pid::new(node.0, 0, 0)
    }

    pub(crate) fn make_ref(&mut self, node: NodeId) -> Ref {
        self.ids.make_ref(node)
    }

    pub(crate) fn node_name(&self, node: NodeId) -> Atom {
        match self.nodes.get(node.index()) {
            Some(n) => n.name,
            None => node
                .index()
                .checked_sub(self.nodes.len())
                .and_then(|i| self.foreign_nodes.get(i).copied())
                .unwrap_or_else(|| Atom::new("nonode@nohost")),
        }
    }

    /// The id of `name`: its simulated node, or its number among the nodes
    /// the simulation knows of but does not run (numbered on first sight).
    pub(crate) fn intern_node(&mut self, name: Atom) -> NodeId {
        if let Some(id) = self.node_id(name) {
            return id;
        }
        let i = match self.foreign_nodes.iter().position(|&n| n == name) {
            Some(i) => i,
            None => {
                self.foreign_nodes.push(name);
                self.foreign_nodes.len() - 1
            }
        };
        NodeId((self.nodes.len() + i) as u32)
    }

    /// Whether `node` is simulated or a node a pid was made for.
    pub(crate) fn node_known(&self, node: NodeId) -> bool {
        node.index() < self.nodes.len() + self.foreign_nodes.len()
    }

    pub(crate) fn node_id(&self, name: Atom) -> Option<NodeId> {
        self.node_index.get(&name).copied()
    }

    pub(crate) fn node_up(&self, node: NodeId) -> bool {
        self.nodes.get(node.index()).is_some_and(|n| n.up)
    }

    // ---- tracing ----------------------------------------------------------

    #[inline]
    pub(crate) fn trace(&mut self, ev: TraceEvent<&Term>) {
        self.tracer.emit(self.clock.steps(), self.clock.now(), ev);
    }

    // ---- the enabled list -------------------------------------------------

    /// Who owns an enabled event: the process, direction, pair queue, timer
    /// heap or optional fault whose turn it is.
    pub(crate) fn owner_of(&self, event: Event) -> Owner {
        match event {
            Event::Run(pid) => Owner::Proc(World::slot_of(pid).unwrap_or_default()),
            Event::Deliver { from, to } => Owner::Dir(self.dir_index(from, to) as u32),
            Event::Signal { from, to } => Owner::Pair(
                self.pairs
                    .get_index_of(&(from, to))
                    .map_or(u32::MAX, |i| i as u32),
            ),
            Event::Fire { .. } => Owner::Timer,
            Event::Fault { nth } => Owner::Fault(nth),
        }
    }

    pub(crate) fn enable_proc(&mut self, key: ProcKey) {
        if let Some(p) = self.procs.get_mut(key) {
            self.enabled.enable(p, self.clock.now());
        }
    }

    /// Unlists a process (it is about to leave the process table).
    pub(crate) fn disable_proc(&mut self, key: ProcKey) {
        self.enabled.remove_proc(key, &mut self.procs);
    }

    /// When the runnable process that has waited longest became runnable.
    pub(crate) fn oldest_runnable(&mut self) -> Option<Time> {
        self.enabled.oldest_runnable(&self.procs)
    }

    /// Starts a boot process: it takes its first step before anything else.
    pub(crate) fn spawn_boot(&mut self, node: NodeId, body: BootFn) {
        if let Some(pid) = self.spawn_process(node, None, false, Box::new(move |start| body(start)))
        {
            if let Some(k) = self.key_of(pid) {
                self.procs[k].boot = true;
                self.boot_queue.push_back(k);
            }
        }
    }

    /// After a process's step: its future back in place, and if it can go
    /// on, it goes in front.
    fn after_step(&mut self, key: ProcKey, fut: BoxFuture) {
        let Some(p) = self.procs.get_mut(key) else {
            self.graveyard.push(fut);
            return;
        };
        p.future = Some(fut);
        match p.status {
            Status::Runnable => {
                let moved = self.enabled.enable_in_front(p, self.clock.now());
                self.enabled.moved(moved, &mut self.procs);
            }
            Status::Waiting(_) => {}
            Status::Running => p.status = Status::Waiting(Wait::Foreign),
        }
    }

    /// Takes back a future whose poll returned `Pending` (the common case,
    /// kept small so it inlines into the run loop).
    #[inline]
    pub(crate) fn after_pending(&mut self, key: ProcKey, fut: BoxFuture) {
        self.yield_owed = false;
        // A process that died during its own step leaves its future to the
        // graveyard, as `after_poll` does.
        self.after_step(key, fut);
        self.drain_local();
    }

    /// Takes back a polled future and acts on how the poll ended.
    #[inline(never)]
    pub(crate) fn after_poll(
        &mut self,
        key: ProcKey,
        fut: BoxFuture,
        res: std::thread::Result<std::task::Poll<Result<Term, crate::exception::Exception>>>,
    ) {
        self.yield_owed = false;
        let Some(p) = self.procs.get_mut(key) else {
            // The process died during its own step (exit(self(), kill), ...).
            self.graveyard.push(fut);
            self.drain_local();
            return;
        };
        match res {
            Ok(std::task::Poll::Pending) => self.after_step(key, fut),
            Ok(std::task::Poll::Ready(result)) => {
                self.graveyard.push(fut);
                // An error's result is its exit reason: `terminate` copies it
                // for a foreground process only.
                let (reason, fg_result) = match result {
                    Ok(v) => (Term::Atom(crate::term::NORMAL), Some(Ok(v))),
                    Err(e) => (e.into_exit_reason(), None),
                };
                self.terminate(key, reason, fg_result);
            }
            Err(panic) => {
                self.graveyard.push(fut);
                let msg = panic_message(&*panic);
                self.results.panicked(p.pid, &msg);
                let reason = Term::Tuple(vec![
                    Term::Tuple(vec![
                        Term::Atom(Atom::new("panic")),
                        Term::Binary(msg.into_bytes()),
                    ]),
                    Term::List(Vec::new()),
                ]);
                self.terminate(key, reason, None);
            }
        }
        self.drain_local();
    }

    pub(crate) fn blocked(&self) -> Vec<Blocked> {
        self.blocked_where(|_| true)
    }

    /// The blocked processes `keep` selects, in process-table order.
    pub(crate) fn blocked_where(&self, keep: impl Fn(&Proc) -> bool) -> Vec<Blocked> {
        self.procs
            .values()
            .filter(|p| keep(p))
            .filter_map(|p| match p.status {
                Status::Waiting(w) => Some(Blocked {
                    pid: p.pid,
                    node: self.node_name(p.pid.node()),
                    foreground: p.foreground.is_some(),
                    waiting_for: match w {
                        Wait::Receive { marked: false } => "receive".into(),
                        Wait::Receive { marked: true } => "receive (after marker)".into(),
                        Wait::Sleep => "sleep".into(),
                        Wait::Foreign => "a future outside the simulation".into(),
                        Wait::BusyDist => "busy_dist_port".into(),
                    },
                    mailbox_len: p.mailbox.len(),
                }),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn report(&self) -> RunReport {
        let books = self.books.snapshot(
            self.dirs.in_flight() + self.pairs_in_flight(),
            self.dirs.held(),
        );
        RunReport {
            seed: self.seed,
            schedule_seed: self.schedule_seed,
            preemptions: self.preemptions,
            strategy: self.strategy.name(),
            outcome: self
                .results
                .outcome()
                .cloned()
                .unwrap_or(Outcome::Completed),
            steps: self.clock.steps(),
            time: self.clock.now(),
            digest: self.tracer.digest.value(),
            schedule: Schedule {
                seed: self.seed,
                schedule_seed: self.schedule_seed,
                choices: self.choices.clone(),
            },
            books,
            panics: self.results.panics().to_vec(),
            results: self.results.results().to_vec(),
            trace: self.tracer.records.clone(),
            divergence: self
                .divergence
                .clone()
                .or_else(|| self.strategy.diverged())
                .or_else(|| {
                    (!self.strategy.replayed_all()).then(|| {
                        format!(
                            "the run ended after {} choice points, before the schedule did",
                            self.choices.len()
                        )
                    })
                }),
            planned_actions: self.actions.planned(),
            suppressed: self.actions.suppressed().to_vec(),
            faults: self.fault_log.entries().to_vec(),
            suppressed_faults: self.fault_log.suppressed().to_vec(),
            busy_dist_port: self
                .dist
                .as_ref()
                .map(|d| d.log.clone())
                .unwrap_or_default(),
        }
    }

    /// Empties every process (breaking the `Rc` cycle through their `Cx`) and
    /// returns the futures, to be dropped outside the world's borrow.
    pub(crate) fn teardown(&mut self) -> Vec<BoxFuture> {
        let mut out = std::mem::take(&mut self.graveyard);
        for p in self.procs.values_mut() {
            if let Some(f) = p.future.take() {
                out.push(f);
            }
        }
        self.actions.clear();
        for n in &mut self.nodes {
            n.boot.clear();
        }
        out
    }

    #[inline(always)]
    pub(crate) fn trace_dest(&self, d: Dest) -> crate::trace::TraceDest {
        use crate::trace::TraceDest;
        match d {
            Dest::Pid(p) => TraceDest::Pid(p),
            Dest::Name(name, node) => TraceDest::Name {
                name,
                node: self.node_name(node),
            },
            Dest::Node(node) => TraceDest::Node(self.node_name(node)),
        }
    }
}

pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}
