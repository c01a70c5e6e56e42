//! `SimBuilder`: the configuration of a simulation, checked when it is built.

use super::end_check::EndChecks;
use super::{valid_node_name, Sim, SimError};
use crate::body::BoxFuture;
use crate::code::Module;
use crate::cx::Cx;
use crate::exception::Exception;
use crate::exits::ExitPolicy;
use crate::id::NodeId;
use crate::net::{Network, ReliableNetwork};
use crate::sched::{Random, Strategy};
use crate::signal::LocalSignals;
use crate::term::{Atom, Term};
use crate::time::Time;
use crate::trace::TraceMode;
use crate::world::DEFAULT_PROCESS_LIMIT;
use crate::world::{BootFn, Config, NodeState, World};
use indexmap::IndexMap;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

pub(super) struct NodeSpec {
    pub(super) name: Atom,
    pub(super) modules: Vec<Module>,
    pub(super) process_limit: usize,
    pub(super) spawn_supported: bool,
    pub(super) boot: Vec<BootFn>,
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
    pub(super) seed: u64,
    pub(super) schedule_seed: Option<u64>,
    pub(super) run_window: Time,
    pub(super) nodes: Vec<String>,
    pub(super) modules: Vec<(Option<String>, Module)>,
    pub(super) limits: Vec<(String, usize)>,
    pub(super) no_spawn: Vec<String>,
    pub(super) boots: Vec<(String, BootFn)>,
    pub(super) boot_all: Vec<BootFn>,
    pub(super) strategy: Option<Box<dyn Strategy>>,
    pub(super) network: Option<Box<dyn Network>>,
    pub(super) latency: (Time, Time),
    pub(super) bandwidth: Option<u64>,
    pub(super) link_bandwidths: Vec<(String, String, u64)>,
    pub(super) busy_limit: Option<u64>,
    pub(super) trace: TraceMode,
    pub(super) max_steps: u64,
    pub(super) max_time: Time,
    pub(super) panic_is_failure: bool,
    pub(super) exit_policy: ExitPolicy,
    pub(super) treat_as_normal: Vec<Atom>,
    pub(super) rec: Option<crate::world::Rec>,
    pub(super) local_signals: LocalSignals,
}

impl std::fmt::Debug for SimBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimBuilder")
            .field("seed", &self.seed)
            .field("nodes", &self.nodes)
            .finish_non_exhaustive()
    }
}

impl SimBuilder {
    /// The defaults every builder starts from (see [`Sim::builder`]).
    pub(super) fn new() -> SimBuilder {
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
