//! `Fault`: one thing that can go wrong (a cut, a heal, a crash, a restart),
//! as a value that a simulation applies at a scheduled moment.

use crate::congest::Congestion;
use crate::cut::{CutId, FaultError, Mode};
use crate::network::{run_effects, PartitionNetwork};
use crate::partition::{names, CutSpec, IntoGroups, Shape};
use sim_core::{Control, ControlAction, FaultAdmission, FaultKey, Sim, Time};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Cut(CutSpec),
    Heal,
    HealCut(CutId),
    Crash(String),
    Restart(String),
    Congest(Congestion),
}

/// A fault: a partition (drop or defer), a one-way partition, a single-link
/// cut, a heal, a node crash or restart, a congested link.
///
/// A `Fault` does nothing by itself: give it to `sim.at(time, fault)` or
/// `sim.after_steps(n, fault)` (it implements [`ControlAction`]), or apply it
/// at once with [`Fault::apply`]. Applying a fault records it in the trace.
///
/// ```
/// use sim_core::{Sim, Time};
/// use sim_partition::{Fault, Mode};
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.at(Time::ms(5), Fault::partition((["a@sim"], ["b@sim", "c@sim"]), Mode::Drop)).unwrap();
/// sim.at(Time::ms(80), Fault::heal()).unwrap();
/// sim.at(Time::ms(90), Fault::crash("c@sim")).unwrap();
/// sim.at(Time::ms(95), Fault::restart("c@sim")).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[must_use = "a fault does nothing until scheduled with sim.at / sim.after_steps or applied"]
pub struct Fault {
    pub(crate) kind: Kind,
}

impl Fault {
    pub(crate) fn from_kind(kind: Kind) -> Fault {
        Fault { kind }
    }

    /// Checks the fault against a simulation's nodes before running it: every
    /// node name exists, no node is in two groups, a cut joins two nodes.
    /// (Whether a `heal_cut` id will be installed can only be known when it is
    /// applied.)
    ///
    /// ```
    /// use sim_core::Sim;
    /// use sim_partition::{Fault, FaultError, Mode};
    /// let sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// assert!(Fault::isolate("a@sim", Mode::Drop).validate(&sim).is_ok());
    /// assert_eq!(
    ///     Fault::partition([["a@sim"], ["a@sim"]], Mode::Drop).validate(&sim),
    ///     Err(FaultError::NodeInTwoGroups("a@sim".into()))
    /// );
    /// assert!(Fault::crash("z@sim").validate(&sim).is_err());
    /// ```
    pub fn validate(&self, sim: &Sim) -> Result<(), FaultError> {
        self.validate_names(&|n| sim.node_id(n).is_some())
    }

    /// [`Fault::validate`] against a predicate saying which node names exist.
    pub(crate) fn validate_names(&self, known: &dyn Fn(&str) -> bool) -> Result<(), FaultError> {
        let known = |n: &str| {
            if known(n) {
                Ok(())
            } else {
                Err(FaultError::UnknownNode(n.to_string()))
            }
        };
        match &self.kind {
            Kind::Cut(spec) => {
                spec.shape.check()?;
                spec.shape.names().into_iter().try_for_each(known)
            }
            Kind::Heal | Kind::HealCut(_) => Ok(()),
            Kind::Crash(n) | Kind::Restart(n) => known(n),
            Kind::Congest(g) => g.check(&|n| known(n).is_ok()),
        }
    }

    /// Applies the fault now. Returns the id of the installed cut for
    /// partitions, one-way partitions and cuts (`None` when the run has this
    /// fault switched off: see `Control::admit_fault`). On error the
    /// rejection is recorded in the trace and nothing changes.
    ///
    /// ```
    /// use sim_core::{NodeId, Sim};
    /// use sim_partition::{CutId, Fault, LinkState, Mode, PartitionNetwork};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// let id = sim.control(|c| Fault::one_way(["a@sim"], ["b@sim"], Mode::Defer).apply(c));
    /// assert_eq!(id, Ok(Some(CutId(1))));
    /// let state = sim.control(|c| PartitionNetwork::of(c).link(NodeId(0), NodeId(1)));
    /// assert_eq!(state, LinkState::Deferred(CutId(1)));
    /// assert!(sim.control(|c| Fault::heal_cut(CutId(9)).apply(c)).is_err());
    /// ```
    pub fn apply(&self, c: &mut Control<'_>) -> Result<Option<CutId>, FaultError> {
        let admission = c.fault_admission(&self.to_string(), self.opens_window());
        self.admitted(c, admission)
    }

    /// Whether the fault opens a window that can end early: a cut (until
    /// healed), a crash (until restarted), a congestion.
    fn opens_window(&self) -> bool {
        matches!(self.kind, Kind::Cut(_) | Kind::Crash(_) | Kind::Congest(_))
    }

    /// Acts on the run's answer: a fault the run has switched off (a
    /// shrinker removing it) does nothing and is recorded as suppressed; one
    /// it has later is scheduled then; one whose window ends early schedules
    /// that end.
    fn admitted(
        &self,
        c: &mut Control<'_>,
        admission: FaultAdmission,
    ) -> Result<Option<CutId>, FaultError> {
        let until = match admission {
            FaultAdmission::Suppressed => return Ok(None),
            FaultAdmission::Later { key, at } => {
                // Checked when it was first scheduled: it cannot be refused.
                let _ = c.at(at, Moved(key, self.clone()));
                return Ok(None);
            }
            FaultAdmission::Apply { until, .. } => until,
        };
        let result = match (&self.kind, until) {
            (Kind::Congest(g), Some(end)) => crate::congest::apply_congest(c, g, Some(end)),
            _ => self.apply_inner(c),
        };
        match &result {
            Err(e) => c.record(format!("fault rejected ({e}): {self}")),
            Ok(cut) => {
                let end = match (&self.kind, cut, until) {
                    (Kind::Cut(_), Some(id), Some(_)) => Some(WindowEnd::Heal(*id)),
                    (Kind::Crash(n), _, Some(_)) => Some(WindowEnd::Restart(n.clone())),
                    _ => None,
                };
                if let (Some(end), Some(t)) = (end, until) {
                    // Names were checked with the fault: it cannot be refused.
                    let _ = c.at(t, end);
                }
            }
        }
        result
    }

    fn apply_inner(&self, c: &mut Control<'_>) -> Result<Option<CutId>, FaultError> {
        match &self.kind {
            Kind::Cut(spec) => {
                let resolved = spec.shape.resolve(c)?;
                let now = c.now();
                let desc = resolved.description.clone();
                let net = PartitionNetwork::of(c);
                let (id, effects) = net.install(spec, resolved);
                let name = net.cut_name(id).unwrap_or_default().to_string();
                let tick = match spec.net_ticktime {
                    Some(t) => format!(", net_ticktime {t}"),
                    None => String::new(),
                };
                c.record(format!(
                    "{} {} {desc} ({name}{tick})",
                    spec.shape.word(),
                    spec.mode
                ));
                run_effects(c, effects);
                if let Some(t) = spec.net_ticktime {
                    // TickExpiry names no node: scheduling it cannot be refused.
                    let _ = c.at(now + t, TickExpiry(id));
                }
                Ok(Some(id))
            }
            Kind::Heal => {
                let (names, effects) = match c.network::<PartitionNetwork>() {
                    Some(net) => net.heal(None)?,
                    None => (Vec::new(), Vec::new()),
                };
                if names.is_empty() {
                    c.record("heal (nothing installed)");
                } else {
                    c.record(format!("heal {}", names.join(", ")));
                }
                run_effects(c, effects);
                Ok(None)
            }
            Kind::HealCut(id) => {
                let (names, effects) = match c.network::<PartitionNetwork>() {
                    Some(net) => net.heal(Some(*id))?,
                    None => return Err(FaultError::UnknownCut(*id)),
                };
                c.record(format!("heal {}", names.join(", ")));
                run_effects(c, effects);
                Ok(None)
            }
            Kind::Crash(node) => crate::crash::apply_crash(c, node),
            Kind::Restart(node) => crate::crash::apply_restart(c, node),
            Kind::Congest(g) => crate::congest::apply_congest(c, g, None),
        }
    }
}

impl Fault {
    /// The nodes the fault may affect (`ControlAction::touches`): a crash or
    /// restart its node, a cut every node it names (a connection it cuts
    /// has an end among them, even one to a node it leaves unnamed). A
    /// heal, which undoes cuts it does not name, a cut with a
    /// `net_ticktime` and a congestion, which arm timers: everything
    /// (`None`).
    pub(crate) fn touched_nodes(&self) -> Option<Vec<String>> {
        match &self.kind {
            Kind::Cut(spec) if spec.net_ticktime.is_none() => {
                Some(spec.shape.names().into_iter().map(str::to_string).collect())
            }
            Kind::Crash(n) | Kind::Restart(n) => Some(vec![n.clone()]),
            Kind::Cut(_) | Kind::Heal | Kind::HealCut(_) | Kind::Congest(_) => None,
        }
    }
}

impl fmt::Display for Fault {
    /// The readable description recorded in the trace, e.g.
    /// `partition drop [a@sim] | [b@sim,c@sim]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| format!("[{}]", v.join(","));
        match &self.kind {
            Kind::Cut(spec) => {
                write!(f, "{} {} ", spec.shape.word(), spec.mode)?;
                match &spec.shape {
                    Shape::Partition(groups) => {
                        let parts: Vec<String> = groups.iter().map(|g| list(g)).collect();
                        f.write_str(&parts.join(" | "))?;
                    }
                    Shape::OneWay { from, to } => write!(f, "{} -> {}", list(from), list(to))?,
                    Shape::Link(a, b) => write!(f, "{a} <-> {b}")?,
                }
                if let Some(t) = spec.net_ticktime {
                    write!(f, " (net_ticktime {t})")?;
                }
                Ok(())
            }
            Kind::Heal => f.write_str("heal"),
            Kind::HealCut(id) => write!(f, "heal {id}"),
            Kind::Crash(n) => write!(f, "crash {n}"),
            Kind::Restart(n) => write!(f, "restart {n}"),
            Kind::Congest(g) => write!(
                f,
                "congest {} -> {} to {} B/s for {}",
                g.from, g.to, g.bytes_per_sec, g.duration
            ),
        }
    }
}

/// A fault the run has later than it was asked for (a shrinker moved it).
#[derive(Debug)]
struct Moved(FaultKey, Fault);

impl ControlAction for Moved {
    fn describe(&self) -> String {
        format!("{} (moved)", self.1)
    }

    fn run(self: Box<Self>, c: &mut Control<'_>) {
        let Moved(key, fault) = *self;
        let admission = c.admit_moved_fault(key, &fault.to_string(), fault.opens_window());
        // A rejection is recorded in the trace; nobody waits for it.
        let _ = fault.admitted(c, admission);
    }
}

/// The early end of a fault's window (a shrinker shortened it): the cut
/// healed, the node restarted. Not a fault of its own: it belongs to the
/// fault whose window it ends.
#[derive(Debug)]
enum WindowEnd {
    Heal(CutId),
    Restart(String),
}

impl ControlAction for WindowEnd {
    fn describe(&self) -> String {
        match self {
            WindowEnd::Heal(id) => format!("end of window: heal {id}"),
            WindowEnd::Restart(n) => format!("end of window: restart {n}"),
        }
    }

    fn run(self: Box<Self>, c: &mut Control<'_>) {
        let end = *self;
        let fault = match &end {
            WindowEnd::Heal(id) => Fault::heal_cut(*id),
            WindowEnd::Restart(n) => Fault::restart(n),
        };
        // A cut healed or a node restarted in the meantime has no window left.
        let installed = match &end {
            WindowEnd::Heal(id) => c
                .network::<PartitionNetwork>()
                .is_some_and(|n| n.installed().contains(id)),
            WindowEnd::Restart(n) => c.node_id(n).is_some_and(|id| !c.is_up(id)),
        };
        if installed {
            c.record(end.describe());
            let _ = fault.apply_inner(c);
        }
    }
}

/// The end of a drop cut's `net_ticktime` window.
#[derive(Debug)]
struct TickExpiry(CutId);

impl ControlAction for TickExpiry {
    fn describe(&self) -> String {
        format!("net_ticktime expiry of {}", self.0)
    }

    fn run(self: Box<Self>, c: &mut Control<'_>) {
        let Some(net) = c.network::<PartitionNetwork>() else {
            return;
        };
        if let Some((name, effects)) = net.end_tick(self.0) {
            c.record(format!(
                "net_ticktime expired: {name} takes its connections down"
            ));
            run_effects(c, effects);
        }
    }
}

/// Partitions, one-way partitions, single-link cuts and heals.
impl Fault {
    fn cut_spec(shape: Shape, mode: Mode) -> Fault {
        Fault::from_kind(Kind::Cut(CutSpec {
            shape,
            mode,
            net_ticktime: None,
        }))
    }

    /// Splits the nodes into groups: nodes in different groups cannot reach
    /// each other; nodes in the same group can. Nodes named in no group form
    /// one extra group together. Overlapping partitions may be installed; the
    /// first installed cut covering a direction decides it.
    ///
    /// Groups of different lengths are written as a tuple.
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{Fault, Mode};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
    /// sim.at(Time::ms(5), Fault::partition((["a@sim"], ["b@sim", "c@sim"]), Mode::Drop)).unwrap();
    /// sim.at(Time::ms(6), Fault::partition([["a@sim"], ["b@sim"]], Mode::Defer)).unwrap();
    /// sim.at(Time::ms(80), Fault::heal()).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn partition(groups: impl IntoGroups, mode: Mode) -> Fault {
        Fault::cut_spec(Shape::Partition(groups.into_groups()), mode)
    }

    /// Cuts one node off from all the others (a partition with one named
    /// group; the rest form the other group).
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{Fault, Mode};
    /// let f = Fault::isolate("a@sim", Mode::Drop);
    /// assert_eq!(f, Fault::partition([["a@sim"]], Mode::Drop));
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), f).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn isolate(node: &str, mode: Mode) -> Fault {
        Fault::partition([[node]], mode)
    }

    /// An asymmetric partition: nodes in `from` cannot reach nodes in `to`;
    /// `to` still reaches `from`. In drop mode the first signal that tries to
    /// cross takes the (two-way) connection down, as a broken link does.
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{Fault, Mode};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), Fault::one_way(["b@sim", "c@sim"], ["a@sim"], Mode::Defer)).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn one_way<F, T>(from: F, to: T, mode: Mode) -> Fault
    where
        F: IntoIterator,
        F::Item: AsRef<str>,
        T: IntoIterator,
        T::Item: AsRef<str>,
    {
        Fault::cut_spec(
            Shape::OneWay {
                from: names(from),
                to: names(to),
            },
            mode,
        )
    }

    /// Cuts the single link between `a` and `b`, both ways; every other link
    /// stays as it is.
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{Fault, Mode};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), Fault::cut("a@sim", "b@sim", Mode::Drop)).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn cut(a: &str, b: &str, mode: Mode) -> Fault {
        Fault::cut_spec(Shape::Link(a.to_string(), b.to_string()), mode)
    }

    /// For a drop cut: the connections across it stay up for `ticktime` of
    /// virtual time (OTP's `net_ticktime`: a silent peer is noticed only
    /// after the tick timeout). During the window signals across the cut are
    /// held, as a frozen peer's traffic is buffered; if the cut heals in time
    /// they are delivered. At `now + ticktime` the connections go down: what is
    /// held is lost (counted under the cut's name), links and monitors fire
    /// `noconnection`, and the cut drops from then on. No effect on defer cuts,
    /// heals, crashes and restarts.
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{Fault, Mode};
    /// let f = Fault::partition([["a@sim"], ["b@sim"]], Mode::Drop).net_ticktime(Time::secs(4));
    /// assert_eq!(f.to_string(), "partition drop [a@sim] | [b@sim] (net_ticktime 4000.000ms)");
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), f).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn net_ticktime(mut self, ticktime: Time) -> Fault {
        if let Kind::Cut(spec) = &mut self.kind {
            if spec.mode == Mode::Drop {
                spec.net_ticktime = Some(ticktime);
            }
        }
        self
    }

    /// Heals every installed cut: held signals are released and delivered in
    /// their original order, dropped directions reconnect on their next
    /// signal. Crashed nodes stay down (see [`Fault::restart`]).
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{Fault, Mode};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), Fault::isolate("a@sim", Mode::Defer)).unwrap();
    /// sim.after_steps(100, Fault::heal()).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn heal() -> Fault {
        Fault::from_kind(Kind::Heal)
    }

    /// Heals one cut, leaving the others installed. A direction it held is
    /// released only if no other cut covers it (another defer cut keeps holding
    /// it; a drop cut takes the connection down). Cut ids count every
    /// partition, one-way partition and cut applied in the run, from 1, in
    /// order; the trace shows each one's id (`partition#1`).
    ///
    /// ```
    /// use sim_core::{Sim, Time};
    /// use sim_partition::{CutId, Fault, Mode};
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
    /// sim.at(Time::ms(1), Fault::cut("a@sim", "b@sim", Mode::Defer)).unwrap();
    /// sim.at(Time::ms(2), Fault::cut("b@sim", "c@sim", Mode::Defer)).unwrap();
    /// sim.at(Time::ms(3), Fault::heal_cut(CutId(1))).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn heal_cut(cut: CutId) -> Fault {
        Fault::from_kind(Kind::HealCut(cut))
    }
}

/// Node crash and restart (see the `crash` module for what they do).
impl Fault {
    /// Crashes `node`. Crashing a node that is already down changes nothing
    /// (and says so in the trace).
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// use sim_partition::Fault;
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("b@sim", |cx| async move { cx.sleep(Time::ms(10)).await; Ok(Term::atom("survived")) }).unwrap();
    /// sim.at(Time::ms(5), Fault::crash("b@sim")).unwrap();
    /// let report = sim.run();
    /// assert_eq!(report.results[0].1, Some(Err(Term::atom("killed"))));
    /// ```
    pub fn crash(node: &str) -> Fault {
        Fault::from_kind(Kind::Crash(node.to_string()))
    }

    /// Restarts a crashed `node` as a new incarnation (restarting a node that
    /// is up changes nothing).
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// use sim_partition::Fault;
    /// let mut sim = Sim::builder()
    ///     .nodes(["a@sim", "b@sim"])
    ///     .boot("b@sim", |cx| async move { cx.register("server", cx.self_pid()).await?; cx.recv().await; Ok(Term::atom("x")) })
    ///     .build()
    ///     .unwrap();
    /// sim.at(Time::ms(1), Fault::crash("b@sim")).unwrap();
    /// sim.at(Time::ms(2), Fault::restart("b@sim")).unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.sleep(Time::ms(3)).await;
    ///     Ok(Term::atom("done"))
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// assert!(sim.control(|c| c.is_up(c.node_id("b@sim").unwrap())));
    /// ```
    pub fn restart(node: &str) -> Fault {
        Fault::from_kind(Kind::Restart(node.to_string()))
    }
}

/// A congested link (see the `congest` module for what it does).
impl Fault {
    /// Lowers the bandwidth of the one direction `from -> to` to
    /// `bytes_per_sec` for `duration` of virtual time, then gives it back
    /// the bandwidth it had. While it lasts, signals on it queue in its
    /// connection buffer and arrive late, and a sender that fills the
    /// buffer to `dist_buf_busy_limit` is suspended (`busy_dist_port`), so
    /// timeouts across it can fire late. Works on a simulation built with
    /// or without a bandwidth. Unknown nodes, a node to itself and zero are
    /// refused.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// use sim_partition::{Fault, FaultError};
    /// let f = Fault::congest("a@sim", "b@sim", 10_000, Time::secs(1));
    /// assert_eq!(f.to_string(), "congest a@sim -> b@sim to 10000 B/s for 1000.000ms");
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// assert_eq!(
    ///     Fault::congest("a@sim", "b@sim", 0, Time::secs(1)).validate(&sim),
    ///     Err(FaultError::ZeroBandwidth)
    /// );
    /// sim.at(Time::ms(10), f).unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.sleep(Time::ms(20)).await;
    ///     // 10 KB at 10 KB/s: about a second before it has left.
    ///     cx.send(("nobody", "b@sim"), Term::Binary(vec![0; 10_000])).await?;
    ///     Ok(Term::Int(cx.now().as_us() as i64))
    /// }).unwrap();
    /// let report = sim.run();
    /// report.assert_ok();
    /// assert!(report.busy_dist_port.is_empty(), "under the default 1 MiB limit");
    /// ```
    pub fn congest(from: &str, to: &str, bytes_per_sec: u64, duration: Time) -> Fault {
        Fault::from_kind(Kind::Congest(Congestion {
            from: from.to_string(),
            to: to.to_string(),
            bytes_per_sec,
            duration,
        }))
    }
}
