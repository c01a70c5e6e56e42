//! `Control`: what a fault or scheduled action may do to a running world.
//!
//! sim-core offers the mechanisms (cut a connection, crash and restart a node,
//! release held signals); sim-partition decides when and where to use them.

use super::{panic_message, ControlFn, TimerKind, World};
use crate::id::NodeId;
use crate::net::Network;
use crate::report::{FaultKey, Outcome};
use crate::rng::SimRng;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::TraceEvent;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The stream of [`Control::keyed_rng`].
const CONTROL_STREAM: u64 = 6;

/// Mutable access to a running simulation for fault actions.
///
/// Obtained inside actions given to `Sim::at`, `Sim::after_steps` and
/// `Sim::control`.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
/// // A closure action names its argument's type (Rust cannot infer it through
/// // the `ControlAction` trait).
/// sim.at(Time::ms(5), |c: &mut sim_core::Control<'_>| {
///     let (a, b) = (c.node_id("a@sim").unwrap(), c.node_id("b@sim").unwrap());
///     c.disconnect(a, b, "manual cut");
/// }).unwrap();
/// let report = sim.run();
/// assert!(report.outcome.is_ok());
/// ```
pub struct Control<'a> {
    pub(crate) w: &'a mut World,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("now", &self.w.clock.now())
            .finish()
    }
}

/// Something a simulation can do to itself at a scheduled moment: a closure
/// over [`Control`], or a fault value from sim-partition.
///
/// Before an action is scheduled, [`ControlAction::validate`] checks it
/// against the simulation's nodes, so a fault naming a node the simulation
/// lacks is refused by `sim.at` rather than silently ignored at run time. A
/// panic inside [`ControlAction::run`] ends the run with
/// [`crate::Outcome::ActionPanicked`], naming [`ControlAction::describe`].
///
/// ```
/// use sim_core::{ActionError, Control, ControlAction, Sim, SimError, Time};
///
/// struct Note(&'static str);
/// impl ControlAction for Note {
///     fn run(self: Box<Self>, c: &mut Control<'_>) { c.record(self.0); }
/// }
///
/// struct CrashNode(&'static str);
/// impl ControlAction for CrashNode {
///     fn run(self: Box<Self>, c: &mut Control<'_>) {
///         if let Some(id) = c.node_id(self.0) { c.crash(id, "test"); }
///     }
///     fn describe(&self) -> String { format!("crash {}", self.0) }
///     fn validate(&self, known: &dyn Fn(&str) -> bool) -> Result<(), ActionError> {
///         if known(self.0) { Ok(()) } else { Err(ActionError::UnknownNode(self.0.to_string())) }
///     }
/// }
///
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.at(Time::ms(1), Note("hello")).unwrap();
/// sim.at(Time::ms(2), |c: &mut Control<'_>| c.record("closure")).unwrap();
/// assert_eq!(sim.at(Time::ms(3), CrashNode("x@sim")), Err(SimError::UnknownNode("x@sim".into())));
/// sim.run();
/// ```
pub trait ControlAction: 'static {
    /// Applies the action.
    fn run(self: Box<Self>, c: &mut Control<'_>);

    /// A short description for reports and the trace (default: the type's
    /// name; a fault prints itself, e.g. `crash b@sim`).
    fn describe(&self) -> String {
        std::any::type_name::<Self>().to_string()
    }

    /// Checks the action before it is scheduled; `known` says whether the
    /// simulation has a node of that name. The default accepts everything
    /// (a closure checks what it needs when it runs).
    fn validate(&self, known: &dyn Fn(&str) -> bool) -> Result<(), ActionError> {
        let _ = known;
        Ok(())
    }

    /// The nodes the action may affect, for an exhaustive exploration's
    /// race analysis (`Explorer::may_fault`): an action that touches node
    /// `N` may change any process of `N`, any connection to or from `N`,
    /// and any process elsewhere that links to or monitors a process of
    /// `N` or monitors `N` itself (and, as those may die, whatever they
    /// link to or monitor), and nothing else: in particular it neither arms
    /// a timer nor depends on the time it runs at. `None` (the default) says
    /// it may touch everything, which is always sound; a list that leaves
    /// out a node the action affects makes the exploration miss
    /// interleavings.
    ///
    /// ```
    /// use sim_core::{Control, ControlAction};
    /// struct CrashNode(&'static str);
    /// impl ControlAction for CrashNode {
    ///     fn run(self: Box<Self>, c: &mut Control<'_>) {
    ///         if let Some(id) = c.node_id(self.0) { c.crash(id, "test"); }
    ///     }
    ///     fn touches(&self) -> Option<Vec<String>> { Some(vec![self.0.to_string()]) }
    /// }
    /// assert_eq!(CrashNode("b@sim").touches(), Some(vec!["b@sim".to_string()]));
    /// let anything = |c: &mut Control<'_>| c.record("x");
    /// assert_eq!(anything.touches(), None);
    /// ```
    fn touches(&self) -> Option<Vec<String>> {
        None
    }
}

/// The answer to [`Control::fault_admission`]: what the run does with a
/// fault asked for now.
///
/// ```
/// use sim_core::{Control, FaultAdmission, Sim};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// let a = sim.control(|c| c.fault_admission("crash a@sim", true));
/// assert!(matches!(a, FaultAdmission::Apply { until: None, .. }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultAdmission {
    /// Apply it now; if `until` is set, the window it opens ends then.
    Apply {
        /// Which fault.
        key: FaultKey,
        /// When its window ends (`None`: as the run goes).
        until: Option<Time>,
    },
    /// The run has it switched off: do nothing.
    Suppressed,
    /// The run has it later: schedule it at `at`, and ask there with
    /// [`Control::admit_moved_fault`].
    Later {
        /// Which fault.
        key: FaultKey,
        /// When to ask again.
        at: Time,
    },
}

/// Why [`ControlAction::validate`] refused an action (`Sim::at` turns it into
/// a `SimError`).
///
/// ```
/// use sim_core::ActionError;
/// assert_eq!(ActionError::UnknownNode("x@sim".into()).to_string(), "unknown node `x@sim`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The action names a node the simulation does not have.
    #[error("unknown node `{0}`")]
    UnknownNode(String),
    /// The action is malformed in another way (the reason says how).
    #[error("{0}")]
    Invalid(String),
}

impl<F: FnOnce(&mut Control<'_>) + 'static> ControlAction for F {
    fn run(self: Box<Self>, c: &mut Control<'_>) {
        (*self)(c)
    }
}

impl Control<'_> {
    /// Replaces the installed network with `f(old)`, so a fault layer can wrap
    /// whatever network the simulation was built with.
    ///
    /// ```
    /// use sim_core::{Sim, Time, ReliableNetwork};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.control(|c| c.wrap_network(|_old| Box::new(ReliableNetwork::new(Time::ZERO, Time::ZERO))));
    /// ```
    pub fn wrap_network(&mut self, f: impl FnOnce(Box<dyn Network>) -> Box<dyn Network>) {
        let placeholder: Box<dyn Network> = Box::new(crate::net::ReliableNetwork::default());
        let old = std::mem::replace(&mut self.w.network, placeholder);
        self.w.network = f(old);
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.w.clock.now()
    }

    /// Scheduler steps taken so far.
    pub fn steps(&self) -> u64 {
        self.w.clock.steps()
    }

    /// The id of the node called `name`.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.w.node_id(Atom::new(name))
    }

    /// The name of a node.
    pub fn node_name(&self, node: NodeId) -> Atom {
        self.w.node_name(node)
    }

    /// Every node, in builder order.
    pub fn nodes(&self) -> Vec<NodeId> {
        (0..self.w.nodes.len() as u32).map(NodeId).collect()
    }

    /// Whether a node is up (not crashed).
    pub fn is_up(&self, node: NodeId) -> bool {
        self.w.node_up(node)
    }

    /// Whether the connection between two nodes is up.
    pub fn connected(&self, a: NodeId, b: NodeId) -> bool {
        self.w.connected(a, b)
    }

    /// The installed network, if it is a `T`.
    pub fn network<T: Network>(&mut self) -> Option<&mut T> {
        self.w.network.as_any_mut().downcast_mut::<T>()
    }

    /// The simulation's seeded generator (for fault decisions). It is one
    /// stream shared by every action in the order they draw: an injector that
    /// should not be disturbed when other faults are removed draws from
    /// [`Control::keyed_rng`] instead.
    pub fn rng(&mut self) -> &mut SimRng {
        self.w.ids.rng()
    }

    /// A generator for draw batch `k` of entity `entity` on the run's data
    /// seed: the same whatever other actions drew or were removed, so a
    /// shrinker that switches one fault off leaves the others' draws as they
    /// were.
    ///
    /// ```
    /// use sim_core::{Control, Sim};
    /// let mut sim = Sim::builder().seed(7).nodes(["a@sim"]).build().unwrap();
    /// let (x, y) = sim.control(|c: &mut Control<'_>| {
    ///     let x = c.keyed_rng(1, 0).next_u64();
    ///     let _ = c.rng().next_u64();
    ///     (x, c.keyed_rng(1, 0).next_u64())
    /// });
    /// assert_eq!(x, y);
    /// ```
    pub fn keyed_rng(&self, entity: u64, k: u64) -> SimRng {
        SimRng::keyed(self.w.seed, CONTROL_STREAM, entity, k)
    }

    /// The number of the scheduled action running now (in the order actions
    /// were scheduled), or `None` outside one (in `Sim::control`).
    ///
    /// ```
    /// use sim_core::{Control, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| assert_eq!(c.action_index(), Some(0))).unwrap();
    /// sim.run().assert_ok();
    /// assert_eq!(sim.control(|c| c.action_index()), None);
    /// ```
    pub fn action_index(&self) -> Option<usize> {
        self.w.actions.current()
    }

    /// Asks to apply a fault described by `what`. Each fault is known by a
    /// [`crate::FaultKey`] (the instant and its position among the faults
    /// asked for then); this answers `false` when the run has that fault
    /// switched off (an explorer shrinking a failure removes faults one by
    /// one), recording the suppression in the trace. An applied fault is
    /// listed in the report's `faults`. Every sim-partition fault asks before
    /// it acts; an action of the user's own that injects a fault should too.
    /// An action that can also be moved in time asks with
    /// [`Control::fault_admission`] instead; this one applies a moved fault
    /// at once.
    ///
    /// ```
    /// use sim_core::{Control, FaultKey, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// for t in [1, 2] {
    ///     sim.at(Time::ms(t), |c: &mut Control<'_>| { c.admit_fault("a fault"); }).unwrap();
    /// }
    /// sim.suppress_faults(&[FaultKey { time: Time::ms(1), nth: 0 }]);
    /// let r = sim.run();
    /// assert_eq!(r.faults.len(), 1);
    /// assert_eq!(r.faults[0].key.time, Time::ms(2));
    /// ```
    pub fn admit_fault(&mut self, what: &str) -> bool {
        let key = self.next_fault_key();
        matches!(
            self.admit_keyed(key, what, false, false),
            FaultAdmission::Apply { .. }
        )
    }

    /// Asks to apply a fault described by `what`, as [`Control::admit_fault`]
    /// does, for a fault that can be moved in time (see
    /// [`crate::FaultRetime`]): the answer says to apply it now (and, if it
    /// opens a window, when to end the window), that it is switched off, or
    /// that the run has it later. A moved fault schedules itself at that
    /// time and asks again there with [`Control::admit_moved_fault`].
    /// `window` says whether the fault opens a window (a cut, a crash, a
    /// congestion) that a shrinker may shorten.
    ///
    /// ```
    /// use sim_core::{Control, FaultAdmission, FaultKey, FaultRetime, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// let key = FaultKey { time: Time::ms(1), nth: 0 };
    /// sim.retime_faults(&[FaultRetime { key, at: Some(Time::ms(3)), until: Some(Time::ms(4)) }]);
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| {
    ///     match c.fault_admission("cut", true) {
    ///         FaultAdmission::Later { key, at } => {
    ///             let moved = move |c: &mut Control<'_>| {
    ///                 let again = c.admit_moved_fault(key, "cut", true);
    ///                 assert_eq!(again, FaultAdmission::Apply { key, until: Some(Time::ms(4)) });
    ///             };
    ///             c.at(at, moved).unwrap();
    ///         }
    ///         other => panic!("moved, not {other:?}"),
    ///     }
    /// }).unwrap();
    /// let r = sim.run();
    /// assert_eq!((r.faults[0].key, r.faults[0].at, r.faults[0].until), (key, Time::ms(3), Some(Time::ms(4))));
    /// ```
    pub fn fault_admission(&mut self, what: &str, window: bool) -> FaultAdmission {
        let key = self.next_fault_key();
        self.admit_keyed(key, what, window, true)
    }

    /// Asks again, at the time the run moved it to, for the fault `key` that
    /// [`Control::fault_admission`] answered with [`FaultAdmission::Later`]:
    /// the answer is `Apply` (it keeps its key) or `Suppressed`, never
    /// `Later`.
    ///
    /// ```
    /// use sim_core::{Control, FaultAdmission, FaultKey, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// let key = FaultKey { time: Time::ZERO, nth: 0 };
    /// let a = sim.control(|c| c.admit_moved_fault(key, "crash", false));
    /// assert_eq!(a, FaultAdmission::Apply { key, until: None });
    /// ```
    pub fn admit_moved_fault(&mut self, key: FaultKey, what: &str, window: bool) -> FaultAdmission {
        self.admit_keyed(key, what, window, false)
    }

    /// The key of the next fault asked for now.
    fn next_fault_key(&mut self) -> FaultKey {
        let now = self.w.clock.now();
        self.w.fault_log.next_key(now)
    }

    fn admit_keyed(
        &mut self,
        key: FaultKey,
        what: &str,
        window: bool,
        movable: bool,
    ) -> FaultAdmission {
        if self.w.fault_log.is_suppressed(key) {
            self.record(format!("suppressed fault {key}: {what}"));
            return FaultAdmission::Suppressed;
        }
        let now = self.w.clock.now();
        let retime = self.w.fault_log.retime(key);
        if let Some(at) = retime.and_then(|r| r.at).filter(|&at| movable && at > now) {
            self.record(format!("moved fault {key} to {at}: {what}"));
            return FaultAdmission::Later { key, at };
        }
        // A window never ends before its fault.
        let until = retime
            .and_then(|r| r.until)
            .filter(|_| window)
            .map(|t| t.max(now));
        self.w.fault_log.applied(crate::report::FaultEntry {
            key,
            what: what.to_string(),
            at: now,
            window,
            until,
        });
        FaultAdmission::Apply { key, until }
    }

    /// Records a fault in the trace.
    pub fn record(&mut self, what: impl Into<String>) {
        let what = what.into();
        self.w.trace(TraceEvent::Fault { what });
    }

    /// Takes the connection between `a` and `b` down: signals in flight are
    /// lost (counted under `cause`), links and monitors across it fire
    /// `noconnection`, node monitors get `nodedown`. Returns whether it was up.
    /// The next signal between them reconnects, if the network lets it.
    pub fn disconnect(&mut self, a: NodeId, b: NodeId, cause: &str) -> bool {
        if a == b || a.index() >= self.w.nodes.len() || b.index() >= self.w.nodes.len() {
            return false;
        }
        let was = self.w.connected(a, b);
        self.w.connection_lost(a, b, cause);
        was
    }

    /// Sets the bandwidth of the direction `from -> to`, in bytes per second
    /// (`None`: unlimited), from now on; what is still in its buffer drains
    /// at the new rate from now, and senders suspended on it are resumed
    /// when it falls below the busy limit. Switches connection buffers on if
    /// the simulation was built without a bandwidth. Returns the bandwidth it
    /// replaced; a node the simulation does not run, a node to itself and
    /// zero are refused, and nothing changes.
    ///
    /// ```
    /// use sim_core::{ActionError, NodeId, Sim};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).bandwidth(1_000).build().unwrap();
    /// let (a, b) = (sim.node_id("a@sim").unwrap(), sim.node_id("b@sim").unwrap());
    /// assert_eq!(sim.control(|c| c.set_bandwidth(a, b, Some(10))), Ok(Some(1_000)));
    /// assert_eq!(sim.control(|c| c.bandwidth(a, b)), Some(10));
    /// assert_eq!(sim.control(|c| c.bandwidth(b, a)), Some(1_000));
    /// assert!(matches!(sim.control(|c| c.set_bandwidth(a, a, Some(10))), Err(ActionError::Invalid(_))));
    /// assert!(matches!(sim.control(|c| c.set_bandwidth(a, NodeId(9), None)), Err(ActionError::UnknownNode(_))));
    /// ```
    pub fn set_bandwidth(
        &mut self,
        from: NodeId,
        to: NodeId,
        bytes_per_sec: Option<u64>,
    ) -> Result<Option<u64>, ActionError> {
        let n = self.w.nodes.len();
        if let Some(far) = [from, to].into_iter().find(|x| x.index() >= n) {
            return Err(ActionError::UnknownNode(format!("node #{}", far.0)));
        }
        if from == to {
            return Err(ActionError::Invalid(
                "a bandwidth is set between two different nodes".into(),
            ));
        }
        if bytes_per_sec == Some(0) {
            return Err(ActionError::Invalid(
                "a bandwidth must be at least 1 byte per second".into(),
            ));
        }
        Ok(self.w.set_bandwidth(from, to, bytes_per_sec))
    }

    /// The bandwidth of `from -> to` in bytes per second (`None`: unlimited).
    ///
    /// ```
    /// use sim_core::Sim;
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// let (a, b) = (sim.node_id("a@sim").unwrap(), sim.node_id("b@sim").unwrap());
    /// assert_eq!(sim.control(|c| c.bandwidth(a, b)), None);
    /// ```
    pub fn bandwidth(&self, from: NodeId, to: NodeId) -> Option<u64> {
        let n = self.w.nodes.len();
        if from.index() >= n || to.index() >= n {
            return None;
        }
        self.w.bandwidth(from, to)
    }

    /// Bytes queued in the buffer of `from -> to` now (0 without a bandwidth).
    ///
    /// ```
    /// use sim_core::Sim;
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).bandwidth(1_000).build().unwrap();
    /// let (a, b) = (sim.node_id("a@sim").unwrap(), sim.node_id("b@sim").unwrap());
    /// assert_eq!(sim.control(|c| c.buffered_bytes(a, b)), 0);
    /// ```
    pub fn buffered_bytes(&self, from: NodeId, to: NodeId) -> u64 {
        let n = self.w.nodes.len();
        if from.index() >= n || to.index() >= n {
            return 0;
        }
        self.w.buffered_bytes(from, to)
    }

    /// Releases the signals held on `from -> to` into flight, in send order.
    /// Returns how many.
    pub fn release(&mut self, from: NodeId, to: NodeId) -> usize {
        if from.index() >= self.w.nodes.len() || to.index() >= self.w.nodes.len() {
            return 0;
        }
        let n = self.w.release(from, to);
        self.w.drain_local();
        n
    }

    /// Signals currently held on `from -> to`.
    pub fn held(&self, from: NodeId, to: NodeId) -> usize {
        if from.index() >= self.w.nodes.len() || to.index() >= self.w.nodes.len() {
            return 0;
        }
        self.w.dirs.held_len(self.w.dir_index(from, to))
    }

    /// Crashes a node: every process on it dies at once (`killed`), its names
    /// and mailboxes are gone, and its connections are lost (`noconnection` for
    /// everything across them). What it had already sent still reaches its
    /// peers, in order, before they see the loss; what was on its way to it is
    /// lost (counted under `cause`), as are the signals still queued between
    /// its own processes and whatever a cut holds or drops.
    /// Returns `false` if it was already down.
    pub fn crash(&mut self, node: NodeId, cause: &str) -> bool {
        if !self.w.node_up(node) {
            return false;
        }
        let name = self.w.node_name(node);
        self.record(format!("crash {}", Term::Atom(name)));
        if let Some(n) = self.w.nodes.get_mut(node.index()) {
            n.up = false;
        }
        self.w.wipe_node(node);
        self.w.drop_pairs_of(node, cause);
        for other in 0..self.w.nodes.len() as u32 {
            if other != node.0 {
                self.w.crashed_connection_lost(node, NodeId(other), cause);
            }
        }
        self.w.drain_local();
        true
    }

    /// Restarts a crashed node under the same name: empty, its code loaded, its
    /// boot functions started again, connected to every other node again (in
    /// their `nodes()`). Pids of the old incarnation stay dead.
    /// Returns `false` if it was up.
    pub fn restart(&mut self, node: NodeId) -> bool {
        if node.index() >= self.w.nodes.len() || self.w.node_up(node) {
            return false;
        }
        let name = self.w.node_name(node);
        self.record(format!("restart {}", Term::Atom(name)));
        let boot = {
            let n = &mut self.w.nodes[node.index()];
            n.up = true;
            n.incarnation += 1;
            n.boot.clone()
        };
        self.w.forget_lost(node);
        for b in boot {
            self.w.spawn_boot(node, b);
        }
        self.w.drain_local();
        true
    }

    /// Schedules another action at virtual time `at` (now, if already past),
    /// after checking it as `Sim::at` does.
    ///
    /// ```
    /// use sim_core::{ActionError, Control, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| {
    ///     let later = |c: &mut Control<'_>| c.record("later");
    ///     assert_eq!(c.at(Time::ms(2), later), Ok(()));
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn at(&mut self, at: Time, action: impl ControlAction) -> Result<(), ActionError> {
        self.w.validate_action(&action)?;
        self.w.schedule_control(at, Box::new(action));
        Ok(())
    }
}

impl World {
    pub(crate) fn schedule_control(&mut self, at: Time, action: ControlFn) {
        let idx = self.actions.add(action);
        let at = at.max(self.clock.now());
        self.arm(at, TimerKind::Control(idx));
    }

    pub(crate) fn schedule_control_at_step(&mut self, step: u64, action: ControlFn) {
        self.actions.add_at_step(step, action);
    }

    /// Checks an action against the nodes (by name, without interning it).
    pub(crate) fn validate_action(&self, action: &dyn ControlAction) -> Result<(), ActionError> {
        action.validate(&|name| self.nodes.iter().any(|n| n.name.as_str() == name))
    }

    /// Runs scheduled action `idx`. A panic inside it is caught: it is recorded
    /// in the trace and ends the run as a failure naming the action and when
    /// it ran (whatever `panic_is_failure` says: no process crashed, the test
    /// harness did).
    pub(crate) fn run_control(&mut self, idx: usize) {
        let Some(action) = self.actions.take(idx) else {
            return;
        };
        if !self.clock.instant_action() {
            self.results.end(Outcome::StepBudget { last: None });
            return;
        }
        let what = action.describe();
        self.actions.set_current(Some(idx));
        let res = catch_unwind(AssertUnwindSafe(|| action.run(&mut Control { w: self })));
        self.actions.set_current(None);
        if let Err(panic) = res {
            let message = panic_message(&*panic);
            self.trace(TraceEvent::Fault {
                what: format!("action {what} panicked: {message}"),
            });
            self.results.end(Outcome::ActionPanicked {
                action: what,
                time: self.clock.now(),
                step: self.clock.steps(),
                message,
            });
        }
        self.drain_local();
    }
}
