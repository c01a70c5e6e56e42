//! `Sim` and its builder: the public entry point.
//!
//! ```
//! use sim_core::{Sim, Term, Time};
//!
//! let mut sim = Sim::builder().seed(7).nodes(["a@sim", "b@sim"]).build().unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     let p = cx.spawn_on("b@sim", |c| async move {
//!         let (from, msg) = match &c.recv().await {
//!             Term::Tuple(t) if t.len() == 2 => (t[0].clone(), t[1].clone()),
//!             _ => return Ok(Term::atom("bad")),
//!         };
//!         if let Term::Pid(from) = from { c.send(from, msg).await?; }
//!         Ok(Term::atom("done"))
//!     }).await?;
//!     cx.send(p, Term::tuple([Term::Pid(cx.self_pid()), Term::atom("ping")])).await?;
//!     let echo = cx.recv().await;
//!     cx.check(echo == Term::atom("ping"), "echoed")?;
//!     Ok(echo)
//! }).unwrap();
//! let report = sim.run();
//! report.assert_ok();
//! assert!(report.time > Time::ZERO, "the network has latency");
//! ```

use crate::body::BoxFuture;
use crate::code::Module;
use crate::cx::{boxed_body, Cx};
use crate::exception::Exception;
use crate::exits::ExitPolicy;
use crate::id::{NodeId, Pid};
use crate::net::{Network, ReliableNetwork};
use crate::report::RunReport;
use crate::sched::{Random, Strategy};
use crate::signal::LocalSignals;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::TraceMode;
use crate::world::{ActionError, BootFn, Config, Control, ControlAction, Next, NodeState, World};
use indexmap::IndexMap;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

mod end_check;
use end_check::EndChecks;
mod dist;

/// Misuse of the builder or of `Sim` (never an Erlang outcome).
///
/// ```
/// use sim_core::{Sim, SimError};
/// let err = Sim::builder().build().unwrap_err();
/// assert_eq!(err, SimError::NoNodes);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// A simulation needs at least one node.
    #[error("a simulation needs at least one node")]
    NoNodes,
    /// A node name that OTP would not let a distributed node take (see
    /// [`SimBuilder::nodes`] for the rule).
    #[error("invalid node name {0:?}: expected `Name@Host`, Name of letters, digits, `_` and `-`, Host of printable characters without spaces")]
    InvalidNodeName(String),
    /// Two nodes share a name.
    #[error("node `{0}` is defined twice")]
    DuplicateNode(String),
    /// A setting or spawn names a node the simulation does not have.
    #[error("unknown node `{0}`")]
    UnknownNode(String),
    /// The node is down (crashed and not restarted).
    #[error("node `{0}` is down")]
    NodeDown(String),
    /// The node's process limit is reached.
    #[error("node `{0}` has reached its process limit")]
    SystemLimit(String),
    /// A bandwidth of zero bytes per second (nothing would ever arrive).
    #[error("a bandwidth must be at least 1 byte per second")]
    ZeroBandwidth,
    /// A `dist_buf_busy_limit` of zero bytes (every send would suspend).
    #[error("dist_buf_busy_limit must be at least 1 byte")]
    ZeroBusyLimit,
    /// A scheduled action refused by its [`ControlAction::validate`] for a
    /// reason other than an unknown node (which is [`SimError::UnknownNode`]).
    #[error("cannot schedule `{action}`: {reason}")]
    InvalidAction {
        /// The action's [`ControlAction::describe`].
        action: String,
        /// Why it was refused.
        reason: String,
    },
}

struct NodeSpec {
    name: Atom,
    modules: Vec<Module>,
    process_limit: usize,
    spawn_supported: bool,
    boot: Vec<BootFn>,
}

/// Configures a simulation. Start with [`Sim::builder`].
///
/// ```
/// use sim_core::{Sim, RoundRobin, TraceMode, Time};
/// let sim = Sim::builder()
///     .seed(42)
///     .nodes(["a@sim", "b@sim"])
///     .strategy(RoundRobin::default())
///     .latency(Time::ZERO, Time::ms(2))
///     .trace(TraceMode::Full)
///     .max_steps(1_000_000)
///     .build()
///     .unwrap();
/// assert_eq!(sim.seed(), 42);
/// ```
pub struct SimBuilder {
    seed: u64,
    schedule_seed: Option<u64>,
    run_window: Time,
    nodes: Vec<String>,
    modules: Vec<(Option<String>, Module)>,
    limits: Vec<(String, usize)>,
    no_spawn: Vec<String>,
    boots: Vec<(String, BootFn)>,
    boot_all: Vec<BootFn>,
    strategy: Option<Box<dyn Strategy>>,
    network: Option<Box<dyn Network>>,
    latency: (Time, Time),
    bandwidth: Option<u64>,
    link_bandwidths: Vec<(String, String, u64)>,
    busy_limit: Option<u64>,
    trace: TraceMode,
    max_steps: u64,
    max_time: Time,
    panic_is_failure: bool,
    exit_policy: ExitPolicy,
    treat_as_normal: Vec<Atom>,
    rec: Option<crate::world::Rec>,
    local_signals: LocalSignals,
}

impl std::fmt::Debug for SimBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimBuilder")
            .field("seed", &self.seed)
            .field("nodes", &self.nodes)
            .finish_non_exhaustive()
    }
}

pub use crate::world::DEFAULT_PROCESS_LIMIT;

impl SimBuilder {
    /// The data seed (default 0): user draws ([`Cx`]'s random functions) and
    /// fault draws follow from it, each from a stream of its own. Unless
    /// [`SimBuilder::schedule_seed`] says otherwise, the strategy starts from
    /// it too.
    pub fn seed(mut self, seed: u64) -> SimBuilder {
        self.seed = seed;
        self
    }

    /// The schedule seed (default: the data seed): what the strategy starts
    /// from. Many schedules of one data seed are runs that differ only here.
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder().seed(1).schedule_seed(9).nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
    /// let r = sim.run();
    /// assert_eq!((r.seed, r.schedule_seed), (1, 9));
    /// ```
    pub fn schedule_seed(mut self, seed: u64) -> SimBuilder {
        self.schedule_seed = Some(seed);
        self
    }

    /// How long a runnable process may be left waiting while time passes
    /// (default zero: every runnable process runs before time moves on, so
    /// only events due now race it). With a window, a delivery or a timer
    /// due within it may come first, so a timeout races a process that is
    /// about to answer, and a message may arrive before a just-spawned
    /// process has registered its name.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// let sim = Sim::builder().run_window(Time::ZERO).nodes(["a@sim"]).build();
    /// assert!(sim.is_ok());
    /// ```
    pub fn run_window(mut self, window: Time) -> SimBuilder {
        self.run_window = window;
        self
    }

    /// Adds nodes by name, in order; the first is node 0.
    ///
    /// A name follows OTP 25's rule for distributed node names, and
    /// [`SimBuilder::build`] refuses any other with
    /// [`SimError::InvalidNodeName`]: `Name@Host` with exactly one `@`; `Name`
    /// one or more ASCII letters, digits, `_` or `-`; `Host` one or more
    /// characters from `!` to `ÿ` (no spaces, no control characters); at most
    /// 255 characters in all. Short and long host names are both accepted.
    ///
    /// ```
    /// use sim_core::{Sim, SimError};
    /// assert!(Sim::builder().nodes(["a@sim", "node_2-b@host.example.com"]).build().is_ok());
    /// for bad in ["a b@host", " a@b", "a@b\n", "a\0@b", "a.b@host", "a@b@c", "a@", "@b", "a"] {
    ///     let err = Sim::builder().nodes([bad]).build().unwrap_err();
    ///     assert_eq!(err, SimError::InvalidNodeName(bad.to_string()));
    /// }
    /// ```
    pub fn nodes<I, S>(mut self, names: I) -> SimBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.nodes
            .extend(names.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// Adds one node (named as [`SimBuilder::nodes`] requires).
    pub fn node(mut self, name: &str) -> SimBuilder {
        self.nodes.push(name.to_string());
        self
    }

    /// Loads a module on one node.
    pub fn module(mut self, node: &str, module: Module) -> SimBuilder {
        self.modules.push((Some(node.to_string()), module));
        self
    }

    /// Loads a module on every node.
    pub fn module_everywhere(mut self, module: Module) -> SimBuilder {
        self.modules.push((None, module));
        self
    }

    /// Runs `body` as a background process on `node` at start and after every
    /// restart of the node (servers, registered processes).
    pub fn boot<F, Fut>(mut self, node: &str, body: F) -> SimBuilder
    where
        F: Fn(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let f: BootFn = Rc::new(move |start| Box::pin(body(Cx::from(start))) as BoxFuture);
        self.boots.push((node.to_string(), f));
        self
    }

    /// Runs `body` as a background process on every node, at start and after
    /// every restart (system servers such as rpc's `rex`).
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder()
    ///     .nodes(["a@sim", "b@sim"])
    ///     .boot_everywhere(|cx| async move {
    ///         cx.register("srv", cx.self_pid()).await?;
    ///         loop { cx.recv().await; }
    ///     })
    ///     .build()
    ///     .unwrap();
    /// sim.spawn("b@sim", |cx| async move {
    ///     cx.check(cx.whereis("srv").await.is_some(), "booted on b")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn boot_everywhere<F, Fut>(mut self, body: F) -> SimBuilder
    where
        F: Fn(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let f: BootFn = Rc::new(move |start| Box::pin(body(Cx::from(start))) as BoxFuture);
        self.boot_all.push(f);
        self
    }

    /// Caps the number of live processes on `node` (spawns beyond it fail with
    /// `system_limit`).
    pub fn process_limit(mut self, node: &str, limit: usize) -> SimBuilder {
        self.limits.push((node.to_string(), limit));
        self
    }

    /// Makes `node` refuse spawn requests with `notsup`, as a node that does not
    /// support them (a C node) does.
    pub fn without_spawn_request(mut self, node: &str) -> SimBuilder {
        self.no_spawn.push(node.to_string());
        self
    }

    /// The scheduling strategy (default [`Random`]).
    pub fn strategy(mut self, strategy: impl Strategy + 'static) -> SimBuilder {
        self.strategy = Some(Box::new(strategy));
        self
    }

    /// A boxed strategy.
    pub fn strategy_boxed(mut self, strategy: Box<dyn Strategy>) -> SimBuilder {
        self.strategy = Some(strategy);
        self
    }

    /// The network (default: [`ReliableNetwork`] with the latency range).
    pub fn network(mut self, network: impl Network) -> SimBuilder {
        self.network = Some(Box::new(network));
        self
    }

    /// The latency window of the default network (default 100 µs to 1 ms):
    /// each cross-node signal may arrive at any instant in it, as the
    /// strategy chooses (swapped if reversed).
    pub fn latency(mut self, min: Time, max: Time) -> SimBuilder {
        self.latency = (min, max);
        self
    }

    /// What the run keeps of its trace (default [`TraceMode::Digest`]).
    pub fn trace(mut self, mode: TraceMode) -> SimBuilder {
        self.trace = mode;
        self
    }

    /// Step budget (default 50,000,000).
    pub fn max_steps(mut self, steps: u64) -> SimBuilder {
        self.max_steps = steps;
        self
    }

    /// Virtual-time budget (default one hour).
    pub fn max_time(mut self, t: Time) -> SimBuilder {
        self.max_time = t;
        self
    }

    /// Whether a panic in a process fails the run (default `true`). Either way
    /// the process crashes with reason `{{panic, Message}, []}` and its links
    /// and monitors see it.
    pub fn panic_is_failure(mut self, yes: bool) -> SimBuilder {
        self.panic_is_failure = yes;
        self
    }

    /// Which abnormal process exits fail the run (default
    /// [`ExitPolicy::Foreground`]: one of a process the test spawned with
    /// [`Sim::spawn`], at once). A test whose point is an exit says so with
    /// [`ExitPolicy::Allow`] and asserts on the reason in
    /// [`RunReport::results`](crate::RunReport::results);
    /// [`ExitPolicy::AnyProcess`] is Concuerror's stricter notion of an
    /// error.
    ///
    /// ```
    /// use sim_core::{Exception, ExitPolicy, Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).exit_policy(ExitPolicy::Allow).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Err(Exception::exit(Term::atom("expected"))) }).unwrap();
    /// let r = sim.run();
    /// r.assert_ok();
    /// assert_eq!(r.results[0].1, Some(Err(Term::atom("expected"))));
    /// ```
    pub fn exit_policy(mut self, policy: ExitPolicy) -> SimBuilder {
        self.exit_policy = policy;
        self
    }

    /// Counts exits with reason `tag`, or a tuple whose first element is
    /// `tag`, as normal under every [`ExitPolicy`] (Concuerror's
    /// `--treat_as_normal`; `shutdown` is the usual one, for a supervisor
    /// stopping its children).
    ///
    /// ```
    /// use sim_core::{Atom, Exception, Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).treat_as_normal(Atom::new("shutdown")).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move {
    ///     Err(Exception::exit(Term::tuple([Term::atom("shutdown"), Term::atom("stopped")])))
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn treat_as_normal(mut self, tag: Atom) -> SimBuilder {
        self.treat_as_normal.push(tag);
        self
    }

    /// Turns on the footprint record, shared with an exhaustive exploration.
    pub(crate) fn recorder(mut self, rec: crate::world::Rec) -> SimBuilder {
        self.rec = Some(rec);
        self
    }

    /// How exit signals, `'DOWN'`s, links and monitors travel between two
    /// processes of one node (default [`LocalSignals::Async`], as in Erlang:
    /// each is an event of its own, so a linked process may still run, and
    /// exit with a reason of its own, before the exit signal reaches it).
    /// [`LocalSignals::Instant`] delivers them inside the sending step.
    ///
    /// ```
    /// use sim_core::{LocalSignals, Sim, Term};
    /// let mut sim = Sim::builder()
    ///     .local_signals(LocalSignals::Instant)
    ///     .nodes(["a@sim"])
    ///     .build()
    ///     .unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let child = cx.spawn_link(|_| async { Ok(Term::atom("ok")) }).await?;
    ///     Ok(Term::Pid(child))
    /// })
    /// .unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn local_signals(mut self, mode: LocalSignals) -> SimBuilder {
        self.local_signals = mode;
        self
    }

    /// Builds the simulation.
    pub fn build(self) -> Result<Sim, SimError> {
        if self.nodes.is_empty() {
            return Err(SimError::NoNodes);
        }
        let mut specs: IndexMap<Atom, NodeSpec> = IndexMap::new();
        for n in &self.nodes {
            if !valid_node_name(n) {
                return Err(SimError::InvalidNodeName(n.clone()));
            }
            let name = Atom::new(n);
            if specs.contains_key(&name) {
                return Err(SimError::DuplicateNode(n.clone()));
            }
            specs.insert(
                name,
                NodeSpec {
                    name,
                    modules: Vec::new(),
                    process_limit: DEFAULT_PROCESS_LIMIT,
                    spawn_supported: true,
                    boot: Vec::new(),
                },
            );
        }
        let dist = self.dist_config(&specs)?;
        let find = |specs: &mut IndexMap<Atom, NodeSpec>, n: &str| -> Result<usize, SimError> {
            specs
                .get_index_of(&Atom::new(n))
                .ok_or_else(|| SimError::UnknownNode(n.to_string()))
        };
        for (node, m) in self.modules {
            match node {
                Some(n) => {
                    let i = find(&mut specs, &n)?;
                    specs[i].modules.push(m);
                }
                None => {
                    for s in specs.values_mut() {
                        s.modules.push(m.clone());
                    }
                }
            }
        }
        for (n, limit) in self.limits {
            let i = find(&mut specs, &n)?;
            specs[i].process_limit = limit;
        }
        for n in self.no_spawn {
            let i = find(&mut specs, &n)?;
            specs[i].spawn_supported = false;
        }
        for s in specs.values_mut() {
            s.boot.extend(self.boot_all.iter().cloned());
        }
        for (n, b) in self.boots {
            let i = find(&mut specs, &n)?;
            specs[i].boot.push(b);
        }
        let nodes: Vec<NodeState> = specs
            .into_values()
            .map(|s| {
                let mut code = crate::bif::builtin_code();
                for m in s.modules {
                    code.load(m);
                }
                NodeState {
                    name: s.name,
                    up: true,
                    incarnation: 0,
                    registry: crate::fast_map::FastMap::default(),
                    code: Rc::new(code),
                    process_limit: s.process_limit,
                    processes: 0,
                    spawn_supported: s.spawn_supported,
                    boot: s.boot,
                }
            })
            .collect();
        let config = Config {
            dist,
            seed: self.seed,
            schedule_seed: self.schedule_seed.unwrap_or(self.seed),
            run_window: self.run_window,
            strategy: self.strategy.unwrap_or_else(|| Box::new(Random::default())),
            network: self
                .network
                .unwrap_or_else(|| Box::new(ReliableNetwork::new(self.latency.0, self.latency.1))),
            trace: self.trace,
            max_steps: self.max_steps,
            max_time: self.max_time,
            panic_is_failure: self.panic_is_failure,
            exit_policy: self.exit_policy,
            treat_as_normal: self.treat_as_normal,
            rec: self.rec,
            local_signals: self.local_signals,
        };
        let world = Rc::new(RefCell::new(World::new(config, nodes)));
        world.borrow_mut().me = Rc::downgrade(&world);
        let boots: Vec<(NodeId, BootFn)> = {
            let w = world.borrow();
            w.nodes
                .iter()
                .enumerate()
                .flat_map(|(i, n)| n.boot.iter().map(move |b| (NodeId(i as u32), b.clone())))
                .collect()
        };
        for (node, b) in boots {
            let mut w = world.borrow_mut();
            w.spawn_boot(node, b);
            w.drain_local();
        }
        Ok(Sim {
            world,
            end_checks: EndChecks::default(),
        })
    }
}

/// Whether `n` is a node name OTP 25 lets a distributed node take: `Name@Host`
/// with exactly one `@`, `Name` of one or more ASCII letters, digits, `_` and
/// `-` (`net_kernel`'s `^[0-9A-Za-z_\\-]+$`), `Host` of one or more characters
/// from `!` to `ÿ` (U+0021..=U+00FF: no space, no control character below
/// `!`), and at most 255 characters in all (an atom's limit).
///
/// Real OTP's host pattern also lets one trailing newline through (PCRE's `$`
/// matches before a final `\n`); that is an accident of the regex, not a rule,
/// so it is rejected here. Short and long names are not told apart: a dotted
/// host is accepted.
pub(crate) fn valid_node_name(n: &str) -> bool {
    let Some((name, host)) = n.split_once('@') else {
        return false;
    };
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // A second `@` is refused by OTP's distribution (`invalid node name`).
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| ('!'..='\u{ff}').contains(&c) && c != '@');
    name_ok && host_ok && n.chars().count() <= crate::term::MAX_ATOM_CHARS
}

fn action_error(action: &dyn ControlAction, e: ActionError) -> SimError {
    match e {
        ActionError::UnknownNode(n) => SimError::UnknownNode(n),
        ActionError::Invalid(reason) => SimError::InvalidAction {
            action: action.describe(),
            reason,
        },
    }
}

/// A simulation: nodes, processes, network, scheduler.
///
/// ```
/// use sim_core::{Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// let pid = sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
/// let report = sim.run();
/// report.assert_ok();
/// assert_eq!(report.results[0], (pid, Some(Ok(Term::Int(1)))));
/// ```
pub struct Sim {
    world: Rc<RefCell<World>>,
    end_checks: EndChecks,
}

impl Sim {
    /// The world, for the explorer's set-up of a run.
    pub(crate) fn world_mut(&mut self) -> std::cell::RefMut<'_, crate::world::World> {
        self.world.borrow_mut()
    }
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = self.world.borrow();
        f.debug_struct("Sim")
            .field("seed", &w.seed)
            .field("steps", &w.steps)
            .field("now", &w.now)
            .finish()
    }
}

impl Sim {
    /// A new builder.
    pub fn builder() -> SimBuilder {
        SimBuilder {
            seed: 0,
            schedule_seed: None,
            run_window: Time::ZERO,
            nodes: Vec::new(),
            modules: Vec::new(),
            limits: Vec::new(),
            no_spawn: Vec::new(),
            boots: Vec::new(),
            boot_all: Vec::new(),
            strategy: None,
            network: None,
            latency: ReliableNetwork::default().latency(),
            bandwidth: None,
            link_bandwidths: Vec::new(),
            busy_limit: None,
            trace: TraceMode::Digest,
            max_steps: 50_000_000,
            max_time: Time::secs(3_600),
            panic_is_failure: true,
            exit_policy: ExitPolicy::Foreground,
            treat_as_normal: Vec::new(),
            rec: None,
            local_signals: LocalSignals::default(),
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.world.borrow().seed
    }

    /// The id of a node.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.world.borrow().node_id(Atom::new(name))
    }

    /// Virtual time now.
    pub fn now(&self) -> Time {
        self.world.borrow().now
    }

    fn spawn_with<F, Fut>(&mut self, node: &str, body: F, foreground: bool) -> Result<Pid, SimError>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let mut w = self.world.borrow_mut();
        let id = w
            .node_id(Atom::new(node))
            .ok_or_else(|| SimError::UnknownNode(node.to_string()))?;
        if !w.node_up(id) {
            return Err(SimError::NodeDown(node.to_string()));
        }
        if !w.has_room(id) {
            return Err(SimError::SystemLimit(node.to_string()));
        }
        let pid = w
            .spawn_process(id, None, foreground, boxed_body(body))
            .ok_or_else(|| SimError::SystemLimit(node.to_string()))?;
        w.drain_local();
        Ok(pid)
    }

    /// Spawns a foreground process: the run completes when every foreground
    /// process has exited, and its result is in [`RunReport::results`].
    pub fn spawn<F, Fut>(&mut self, node: &str, body: F) -> Result<Pid, SimError>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        self.spawn_with(node, body, true)
    }

    /// Spawns a background process (a server): the run does not wait for it.
    pub fn spawn_background<F, Fut>(&mut self, node: &str, body: F) -> Result<Pid, SimError>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        self.spawn_with(node, body, false)
    }

    /// Runs `action` at virtual time `at` (a fault, a heal, a crash).
    ///
    /// The action is checked first ([`ControlAction::validate`]): one naming a
    /// node the simulation does not have is refused with
    /// [`SimError::UnknownNode`], as [`Sim::spawn`] refuses it, and nothing is
    /// scheduled. A panic inside the action when it runs ends the run with
    /// [`crate::Outcome::ActionPanicked`].
    ///
    /// ```
    /// use sim_core::{Control, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| c.record("one millisecond in")).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn at(&mut self, at: Time, action: impl ControlAction) -> Result<(), SimError> {
        let mut w = self.world.borrow_mut();
        w.validate_action(&action)
            .map_err(|e| action_error(&action, e))?;
        w.schedule_control(at, Box::new(action));
        Ok(())
    }

    /// Runs `action` once `steps` scheduler steps have been taken, checked as
    /// [`Sim::at`] checks it.
    ///
    /// ```
    /// use sim_core::{Control, Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
    /// sim.after_steps(1, |c: &mut Control<'_>| c.record("after the first step")).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn after_steps(&mut self, steps: u64, action: impl ControlAction) -> Result<(), SimError> {
        let mut w = self.world.borrow_mut();
        w.validate_action(&action)
            .map_err(|e| action_error(&action, e))?;
        w.schedule_control_at_step(steps, Box::new(action));
        Ok(())
    }

    /// Runs `action` now, between steps.
    pub fn control<R>(&mut self, action: impl FnOnce(&mut Control<'_>) -> R) -> R {
        let mut w = self.world.borrow_mut();
        let r = action(&mut Control { w: &mut w });
        w.drain_local();
        r
    }

    /// Changes what the run keeps of its trace (before or between runs).
    ///
    /// ```
    /// use sim_core::{Sim, Term, TraceMode};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.set_trace_mode(TraceMode::Full);
    /// sim.spawn("a@sim", |_cx| async move { Ok(Term::Int(1)) }).unwrap();
    /// assert!(!sim.run().trace.is_empty());
    /// ```
    pub fn set_trace_mode(&mut self, mode: TraceMode) {
        self.world.borrow_mut().tracer.mode = mode;
    }

    /// Switches off planned actions (numbered in the order `at`/`after_steps`
    /// scheduled them before the run), as a shrinker does to remove faults.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time, Control};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| c.record("skipped")).unwrap();
    /// sim.suppress_actions(&[0]);
    /// let r = sim.run();
    /// assert_eq!(r.suppressed, vec![0]);
    /// ```
    pub fn suppress_actions(&mut self, indices: &[usize]) {
        self.world.borrow_mut().suppressed = indices.to_vec();
    }

    /// Switches off the faults `keys` (see [`crate::Control::admit_fault`]):
    /// each is recorded as suppressed instead of applied. The explorer's
    /// shrinker uses it to remove faults one by one, including single faults
    /// a fault injector drew.
    ///
    /// ```
    /// use sim_core::{Control, FaultKey, Sim, Time};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), |c: &mut Control<'_>| { c.admit_fault("one"); }).unwrap();
    /// let key = FaultKey { time: Time::ms(1), nth: 0 };
    /// sim.suppress_faults(&[key]);
    /// let r = sim.run();
    /// assert!(r.faults.is_empty());
    /// assert_eq!(r.suppressed_faults, vec![key]);
    /// ```
    pub fn suppress_faults(&mut self, keys: &[crate::report::FaultKey]) {
        let mut v = keys.to_vec();
        v.sort_unstable();
        v.dedup();
        self.world.borrow_mut().suppressed_faults = v;
    }

    /// Adds an end-of-run check: once the run has completed, `check` reads
    /// its report and anything the processes recorded, and `Err(message)`
    /// fails the run with [`crate::Outcome::EndCheckFailed`] (a panic in
    /// `check` fails it too, with the panic's message). Checks run in the
    /// order they were added, once, and only on a run that completed: a run
    /// that already failed keeps its own outcome.
    ///
    /// Ghost state, the facts the processes record for the check, is shared
    /// through an `Rc`: the program creates it, gives a clone to each process
    /// that records and one to the check. Built inside the closure given to an
    /// explorer, it is fresh in every run.
    ///
    /// ```
    /// use sim_core::{Outcome, Sim, Term};
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// let acked: Rc<RefCell<Vec<i64>>> = Rc::default();
    /// for i in 0..3 {
    ///     let acked = acked.clone();
    ///     sim.spawn("a@sim", move |_cx| async move {
    ///         acked.borrow_mut().push(i);
    ///         Ok(Term::Int(i))
    ///     }).unwrap();
    /// }
    /// sim.check_end(move |_report| match acked.borrow().len() {
    ///     4 => Ok(()),
    ///     n => Err(format!("{n} of 4 writes acknowledged")),
    /// });
    /// let report = sim.run();
    /// assert_eq!(
    ///     report.outcome,
    ///     Outcome::EndCheckFailed { message: "3 of 4 writes acknowledged".into() }
    /// );
    /// ```
    pub fn check_end(&mut self, check: impl Fn(&RunReport) -> Result<(), String> + 'static) {
        self.end_checks.push(Box::new(check));
    }

    /// Runs until the run ends (see [`crate::Outcome`]), applies the
    /// end-of-run checks ([`Sim::check_end`]) and reports. Calling it again
    /// after an outcome returns the same report.
    pub fn run(&mut self) -> RunReport {
        let mut report = self.run_steps();
        self.end_checks.apply(&mut report);
        report
    }

    fn run_steps(&mut self) -> RunReport {
        let mut cx = Context::from_waker(Waker::noop());
        let mut dead: Vec<BoxFuture> = Vec::new();
        // One world borrow per step: taking a polled future back and choosing
        // the next step share it (the poll itself runs outside any borrow).
        let mut next = self.world.borrow_mut().next_step();
        loop {
            match next {
                Next::Poll(key, mut fut) => {
                    let res = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
                    let mut w = self.world.borrow_mut();
                    // Every arm moves its part out, so nothing is left to drop
                    // on the common `Pending` path.
                    match res {
                        Ok(Poll::Pending) => w.after_pending(key, fut),
                        Ok(Poll::Ready(r)) => w.after_poll(key, fut, Ok(Poll::Ready(r))),
                        Err(panic) => w.after_poll(key, fut, Err(panic)),
                    }
                    if !w.graveyard.is_empty() {
                        std::mem::swap(&mut w.graveyard, &mut dead);
                    }
                    if dead.is_empty() {
                        next = w.next_step();
                        continue;
                    }
                }
                Next::Again => {
                    let mut w = self.world.borrow_mut();
                    if !w.graveyard.is_empty() {
                        std::mem::swap(&mut w.graveyard, &mut dead);
                    }
                    if dead.is_empty() {
                        next = w.next_step();
                        continue;
                    }
                }
                Next::Stop => break,
            }
            // Futures of dead processes are dropped outside the world's borrow,
            // before the next step is chosen.
            dead.clear();
            next = self.world.borrow_mut().next_step();
        }
        self.world.borrow().report()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // Process futures hold `Cx`, which holds the world: break the cycle.
        let futures = match self.world.try_borrow_mut() {
            Ok(mut w) => w.teardown(),
            Err(_) => Vec::new(),
        };
        drop(futures);
    }
}
