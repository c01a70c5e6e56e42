//! `PartitionNetwork`: sim-core's [`Network`] hook with installed cuts on top
//! of an inner network (which still decides latency).
//!
//! The installed cuts are consulted in install order and the first one that
//! covers a direction decides it; the result is cached per direction in a
//! [`LinkTable`](crate::link) so a verdict is one lookup. Installing or healing
//! a cut recomputes the table, and each direction that changed turns into an
//! action on the world: a direction that starts dropping takes its connection
//! down; a direction that stops holding releases what it held, in order.

use crate::cut::Mode;
use crate::cut::{CutId, FaultError};
use crate::link::{Covers, LinkState, LinkTable, Transition};
use crate::partition::{CutSpec, Resolved};
use sim_core::{Control, FaultId, Network, NodeId, ReliableNetwork, SimRng, Verdict};
use std::any::Any;

/// Fault ids at or above this one stand for faults of the inner network.
const INNER_BASE: u32 = 1 << 31;

/// An installed cut.
#[derive(Debug)]
struct Cut {
    id: CutId,
    mode: Mode,
    /// A drop cut inside its `net_ticktime` window (it holds until then).
    ticking: bool,
    resolved: Resolved,
}

impl Covers for Cut {
    fn id(&self) -> CutId {
        self.id
    }

    fn acting_mode(&self) -> Mode {
        if self.ticking {
            Mode::Defer
        } else {
            self.mode
        }
    }

    fn covers(&self, from: NodeId, to: NodeId) -> bool {
        self.resolved.covers(from, to)
    }
}

/// What a change of link states asks of the world.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Effect {
    /// Take the connection between two nodes down, counting losses under the
    /// named fault.
    Disconnect(NodeId, NodeId, String),
    /// Release the signals held on a direction.
    Release(NodeId, NodeId),
}

/// Applies effects in order (every disconnect comes before every release).
pub(crate) fn run_effects(c: &mut Control<'_>, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::Disconnect(a, b, cause) => {
                c.disconnect(a, b, &cause);
            }
            Effect::Release(from, to) => {
                c.release(from, to);
            }
        }
    }
}

/// The network of a simulation with partitions: the installed cuts, consulted
/// in install order, over an inner network that decides latency (and may have
/// faults of its own, which pass through).
///
/// You rarely build one yourself: the first partition, one-way partition or
/// cut applied to a simulation wraps whatever network it was built with. Build
/// one explicitly only to choose the inner network and then inspect the state
/// through [`PartitionNetwork::of`].
///
/// ```
/// use sim_core::{Network, NodeId, ReliableNetwork, Sim, SimRng, Time, Verdict};
/// use sim_partition::{CutId, Fault, LinkState, Mode, PartitionNetwork};
///
/// let net = PartitionNetwork::new(ReliableNetwork::new(Time::ms(1), Time::ms(1)));
/// let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).network(net).build().unwrap();
/// sim.control(|c| {
///     Fault::partition([["a@sim"], ["b@sim"]], Mode::Defer).apply(c).unwrap();
///     let net = PartitionNetwork::of(c);
///     assert_eq!(net.link(NodeId(0), NodeId(1)), LinkState::Deferred(CutId(1)));
///     let mut rng = SimRng::new(0, 0);
///     assert!(matches!(net.verdict(NodeId(1), NodeId(0), &mut rng), Verdict::Hold { .. }));
///     assert_eq!(net.fault_name(CutId(1).into()), "partition#1 defer");
/// });
/// ```
#[derive(Debug)]
pub struct PartitionNetwork {
    inner: Box<dyn Network>,
    /// Installed cuts, in install order.
    cuts: Vec<Cut>,
    links: LinkTable,
    /// The name of every cut ever installed: `names[id - 1]`.
    names: Vec<String>,
    /// Faults of the inner network, by the id it gave them; ours is
    /// `INNER_BASE + index`.
    inner_faults: Vec<FaultId>,
}

impl Default for PartitionNetwork {
    /// Over sim-core's default [`ReliableNetwork`].
    fn default() -> PartitionNetwork {
        PartitionNetwork::new(ReliableNetwork::default())
    }
}

impl PartitionNetwork {
    /// A partition network over `inner`, with no cut installed.
    ///
    /// ```
    /// use sim_core::{Network, NodeId, ReliableNetwork, SimRng, Time, Verdict};
    /// use sim_partition::PartitionNetwork;
    /// let mut n = PartitionNetwork::new(ReliableNetwork::new(Time::ms(2), Time::ms(2)));
    /// let v = n.verdict(NodeId(0), NodeId(1), &mut SimRng::new(0, 0));
    /// assert_eq!(v, Verdict::Deliver { min: Time::ms(2), max: Time::ms(2) });
    /// ```
    pub fn new(inner: impl Network) -> PartitionNetwork {
        PartitionNetwork::wrap(Box::new(inner))
    }

    /// A partition network over an already boxed network.
    ///
    /// ```
    /// use sim_core::{Network, ReliableNetwork};
    /// use sim_partition::PartitionNetwork;
    /// let boxed: Box<dyn Network> = Box::new(ReliableNetwork::default());
    /// let n = PartitionNetwork::wrap(boxed);
    /// assert!(n.installed().is_empty());
    /// ```
    pub fn wrap(inner: Box<dyn Network>) -> PartitionNetwork {
        PartitionNetwork {
            inner,
            cuts: Vec::new(),
            links: LinkTable::default(),
            names: Vec::new(),
            inner_faults: Vec::new(),
        }
    }

    /// The simulation's partition network, installed around the current
    /// network on first use (so it works with any `Sim::builder()`).
    ///
    /// ```
    /// use sim_core::Sim;
    /// use sim_partition::PartitionNetwork;
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// let cuts = sim.control(|c| PartitionNetwork::of(c).installed());
    /// assert!(cuts.is_empty());
    /// ```
    pub fn of<'c>(c: &'c mut Control<'_>) -> &'c mut PartitionNetwork {
        if c.network::<PartitionNetwork>().is_none() {
            c.wrap_network(|old| Box::new(PartitionNetwork::wrap(old)));
        }
        match c.network::<PartitionNetwork>() {
            Some(n) => n,
            None => unreachable!("the partition network was just installed"),
        }
    }

    /// The inner network.
    ///
    /// ```
    /// use sim_partition::PartitionNetwork;
    /// let n = PartitionNetwork::default();
    /// assert!(format!("{:?}", n.inner()).contains("ReliableNetwork"));
    /// ```
    pub fn inner(&self) -> &dyn Network {
        &*self.inner
    }

    /// The state of the direction `from -> to`.
    ///
    /// ```
    /// use sim_core::NodeId;
    /// use sim_partition::{LinkState, PartitionNetwork};
    /// assert_eq!(PartitionNetwork::default().link(NodeId(0), NodeId(1)), LinkState::Healthy);
    /// ```
    pub fn link(&self, from: NodeId, to: NodeId) -> LinkState {
        self.links.get(from, to)
    }

    /// The installed cuts, in install order.
    ///
    /// ```
    /// use sim_partition::PartitionNetwork;
    /// assert!(PartitionNetwork::default().installed().is_empty());
    /// ```
    pub fn installed(&self) -> Vec<CutId> {
        self.cuts.iter().map(|c| c.id).collect()
    }

    /// The name of a cut ever installed in this run (`partition#1 drop`,
    /// `one_way#2 defer`, `cut#3 drop`): the cause its drops are counted under.
    ///
    /// ```
    /// use sim_partition::{CutId, PartitionNetwork};
    /// assert_eq!(PartitionNetwork::default().cut_name(CutId(1)), None);
    /// ```
    pub fn cut_name(&self, id: CutId) -> Option<&str> {
        let i = (id.0 as usize).checked_sub(1)?;
        self.names.get(i).map(String::as_str)
    }

    /// Installs a cut; returns its id and what the world must do.
    pub(crate) fn install(&mut self, spec: &CutSpec, resolved: Resolved) -> (CutId, Vec<Effect>) {
        let id = CutId(self.names.len() as u32 + 1);
        self.names
            .push(format!("{}#{} {}", spec.shape.word(), id.0, spec.mode));
        self.links.grow(resolved.nodes);
        self.cuts.push(Cut {
            id,
            mode: spec.mode,
            ticking: spec.mode == Mode::Drop && spec.net_ticktime.is_some(),
            resolved,
        });
        let changes = self.links.recompute(&self.cuts);
        (id, self.effects(&changes))
    }

    /// Heals one cut or all; returns the healed cuts' names and the effects.
    pub(crate) fn heal(
        &mut self,
        which: Option<CutId>,
    ) -> Result<(Vec<String>, Vec<Effect>), FaultError> {
        let healed: Vec<CutId> = match which {
            None => self.installed(),
            Some(id) if self.cuts.iter().any(|c| c.id == id) => vec![id],
            Some(id) => return Err(FaultError::UnknownCut(id)),
        };
        self.cuts.retain(|c| !healed.contains(&c.id));
        let changes = self.links.recompute(&self.cuts);
        let names = healed
            .iter()
            .map(|&id| self.cut_name(id).unwrap_or_default().to_string())
            .collect();
        Ok((names, self.effects(&changes)))
    }

    /// The `net_ticktime` window of a drop cut ended: from now on it drops.
    /// `None` if the cut was healed meanwhile.
    pub(crate) fn end_tick(&mut self, id: CutId) -> Option<(String, Vec<Effect>)> {
        let cut = self.cuts.iter_mut().find(|c| c.id == id && c.ticking)?;
        cut.ticking = false;
        let changes = self.links.recompute(&self.cuts);
        let name = self.cut_name(id).unwrap_or_default().to_string();
        Some((name, self.effects(&changes)))
    }

    fn name_of(&self, id: CutId) -> String {
        self.cut_name(id).unwrap_or_default().to_string()
    }

    /// Turns link transitions into world actions: disconnects first (one per
    /// node pair), then releases.
    fn effects(&self, changes: &[Transition]) -> Vec<Effect> {
        let mut out = Vec::new();
        let mut downed: Vec<(NodeId, NodeId)> = Vec::new();
        for t in changes {
            if let LinkState::Dropped(c) = t.new {
                let pair = (t.from.min(t.to), t.from.max(t.to));
                if !downed.contains(&pair) {
                    downed.push(pair);
                    out.push(Effect::Disconnect(t.from, t.to, self.name_of(c)));
                }
            }
        }
        for t in changes {
            if matches!(t.old, LinkState::Deferred(_)) && t.new == LinkState::Healthy {
                out.push(Effect::Release(t.from, t.to));
            }
        }
        out
    }

    fn map_inner(&mut self, fault: FaultId) -> FaultId {
        let i = match self.inner_faults.iter().position(|&f| f == fault) {
            Some(i) => i,
            None => {
                self.inner_faults.push(fault);
                self.inner_faults.len() - 1
            }
        };
        FaultId(INNER_BASE + i as u32)
    }
}

impl Network for PartitionNetwork {
    fn verdict(&mut self, from: NodeId, to: NodeId, rng: &mut SimRng) -> Verdict {
        match self.links.get(from, to) {
            LinkState::Healthy => match self.inner.verdict(from, to, rng) {
                v @ Verdict::Deliver { .. } => v,
                Verdict::Drop { fault } => Verdict::Drop {
                    fault: self.map_inner(fault),
                },
                Verdict::Hold { fault } => Verdict::Hold {
                    fault: self.map_inner(fault),
                },
            },
            LinkState::Dropped(c) => Verdict::Drop { fault: c.into() },
            LinkState::Deferred(c) => Verdict::Hold { fault: c.into() },
        }
    }

    fn fault_name(&self, fault: FaultId) -> String {
        if fault.0 >= INNER_BASE {
            if let Some(&f) = self.inner_faults.get((fault.0 - INNER_BASE) as usize) {
                return self.inner.fault_name(f);
            }
        }
        match self.cut_name(CutId(fault.0)) {
            Some(n) => n.to_string(),
            None => format!("fault#{}", fault.0),
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::Shape;
    use sim_core::Time;

    fn spec(shape: Shape, mode: Mode, tick: Option<Time>) -> CutSpec {
        CutSpec {
            shape,
            mode,
            net_ticktime: tick,
        }
    }

    /// Covers the given directions among `n` nodes.
    fn resolved(n: usize, dirs: &[(usize, usize)]) -> Resolved {
        let mut blocked = vec![false; n * n];
        for &(f, t) in dirs {
            blocked[f * n + t] = true;
        }
        Resolved {
            nodes: n,
            blocked,
            description: String::new(),
        }
    }

    fn link(a: &str, b: &str) -> Shape {
        Shape::Link(a.into(), b.into())
    }

    #[test]
    fn drop_disconnects_once_per_pair_and_defer_releases_at_heal() {
        let mut net = PartitionNetwork::default();
        let both = resolved(3, &[(0, 1), (1, 0)]);
        let (id, fx) = net.install(&spec(link("a", "b"), Mode::Drop, None), both.clone());
        assert_eq!(id, CutId(1));
        assert_eq!(
            fx,
            vec![Effect::Disconnect(
                NodeId(0),
                NodeId(1),
                "cut#1 drop".into()
            )]
        );
        let (_, names_fx) = net.heal(None).unwrap();
        assert!(names_fx.is_empty(), "a healed drop cut needs nothing");

        let (id, fx) = net.install(&spec(link("a", "b"), Mode::Defer, None), both);
        assert_eq!(id, CutId(2));
        assert!(fx.is_empty(), "a defer cut holds at the next verdict");
        let (names, fx) = net.heal(Some(id)).unwrap();
        assert_eq!(names, vec!["cut#2 defer".to_string()]);
        assert_eq!(
            fx,
            vec![
                Effect::Release(NodeId(0), NodeId(1)),
                Effect::Release(NodeId(1), NodeId(0))
            ]
        );
        assert_eq!(net.heal(Some(id)), Err(FaultError::UnknownCut(id)));
    }

    #[test]
    fn tick_window_holds_then_drops() {
        let mut net = PartitionNetwork::default();
        let s = spec(link("a", "b"), Mode::Drop, Some(Time::ms(5)));
        let (id, fx) = net.install(&s, resolved(2, &[(0, 1), (1, 0)]));
        assert!(fx.is_empty());
        assert_eq!(net.link(NodeId(0), NodeId(1)), LinkState::Deferred(id));
        let (name, fx) = net.end_tick(id).unwrap();
        assert_eq!(name, "cut#1 drop");
        assert_eq!(
            fx,
            vec![Effect::Disconnect(NodeId(0), NodeId(1), name.clone())]
        );
        assert_eq!(net.link(NodeId(1), NodeId(0)), LinkState::Dropped(id));
        assert!(net.end_tick(id).is_none(), "only once");
    }

    #[test]
    fn a_held_direction_under_a_later_drop_cut_goes_down_at_heal() {
        let mut net = PartitionNetwork::default();
        let dirs = [(0, 1), (1, 0)];
        let (defer, _) = net.install(&spec(link("a", "b"), Mode::Defer, None), resolved(2, &dirs));
        let (drop, fx) = net.install(&spec(link("a", "b"), Mode::Drop, None), resolved(2, &dirs));
        assert!(fx.is_empty(), "the earlier defer cut still decides");
        let (_, fx) = net.heal(Some(defer)).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Disconnect(
                NodeId(0),
                NodeId(1),
                "cut#2 drop".into()
            )]
        );
        assert_eq!(net.link(NodeId(0), NodeId(1)), LinkState::Dropped(drop));
    }

    #[derive(Debug)]
    struct Lossy;

    impl Network for Lossy {
        fn verdict(&mut self, _: NodeId, _: NodeId, _: &mut SimRng) -> Verdict {
            Verdict::Drop { fault: FaultId(1) }
        }
        fn fault_name(&self, fault: FaultId) -> String {
            format!("lossy#{}", fault.0)
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    #[test]
    fn inner_faults_keep_their_names_apart_from_cuts() {
        let mut net = PartitionNetwork::new(Lossy);
        net.install(
            &spec(link("a", "b"), Mode::Drop, None),
            resolved(3, &[(0, 1)]),
        );
        let mut rng = SimRng::new(0, 0);
        let Verdict::Drop { fault } = net.verdict(NodeId(1), NodeId(2), &mut rng) else {
            panic!("the inner network drops");
        };
        assert_ne!(fault, FaultId(1));
        assert_eq!(net.fault_name(fault), "lossy#1");
        let Verdict::Drop { fault } = net.verdict(NodeId(0), NodeId(1), &mut rng) else {
            panic!("the cut drops");
        };
        assert_eq!(net.fault_name(fault), "cut#1 drop");
    }
}
