//! `Control`: what a fault or scheduled action may do to a running world.
//!
//! sim-core offers the mechanisms (cut a connection, crash and restart a node,
//! release held signals); sim-partition decides when and where to use them.

use super::{ControlFn, TimerKind, World};
use crate::id::NodeId;
use crate::net::Network;
use crate::rng::SimRng;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::TraceEvent;

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
/// });
/// let report = sim.run();
/// assert!(report.outcome.is_ok());
/// ```
pub struct Control<'a> {
    pub(crate) w: &'a mut World,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control").field("now", &self.w.now).finish()
    }
}

/// Something a simulation can do to itself at a scheduled moment: a closure
/// over [`Control`], or a fault value from sim-partition.
///
/// ```
/// use sim_core::{Control, ControlAction, Sim, Time};
///
/// struct Note(&'static str);
/// impl ControlAction for Note {
///     fn run(self: Box<Self>, c: &mut Control<'_>) { c.record(self.0); }
/// }
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.at(Time::ms(1), Note("hello"));
/// sim.at(Time::ms(2), |c: &mut Control<'_>| c.record("closure"));
/// sim.run();
/// ```
pub trait ControlAction: 'static {
    /// Applies the action.
    fn run(self: Box<Self>, c: &mut Control<'_>);
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
        self.w.now
    }

    /// Scheduler steps taken so far.
    pub fn steps(&self) -> u64 {
        self.w.steps
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

    /// The simulation's seeded generator (for fault decisions).
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.w.rng
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
        self.w.dirs[self.w.dir_index(from, to)].held.len()
    }

    /// Crashes a node: every process on it dies at once (`killed`), its names
    /// and mailboxes are gone, and its connections are lost (`noconnection` for
    /// everything across them). What it had already sent still reaches its
    /// peers, in order, before they see the loss; what was on its way to it is
    /// lost (counted under `cause`), as is whatever a cut holds or drops.
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

    /// Schedules another action at virtual time `at` (now, if already past).
    pub fn at(&mut self, at: Time, action: impl ControlAction) {
        self.w.schedule_control(at, Box::new(action));
    }
}

impl World {
    pub(crate) fn schedule_control(&mut self, at: Time, action: ControlFn) {
        let idx = self.controls.len();
        self.controls.push(Some(action));
        let at = at.max(self.now);
        self.arm(at, TimerKind::Control(idx));
    }

    pub(crate) fn schedule_control_at_step(&mut self, step: u64, action: ControlFn) {
        let idx = self.controls.len();
        self.controls.push(Some(action));
        let pos = self
            .step_controls
            .partition_point(|&(s, i)| (s, i) <= (step, idx));
        self.step_controls.insert(pos, (step, idx));
    }

    pub(crate) fn run_control(&mut self, idx: usize) {
        if self.suppressed.contains(&idx) {
            return;
        }
        if let Some(action) = self.controls.get_mut(idx).and_then(Option::take) {
            action.run(&mut Control { w: self });
            self.drain_local();
        }
    }
}
