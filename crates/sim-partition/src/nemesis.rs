//! `Nemesis`: seeded random partitions, heals, crashes and restarts.
//!
//! Installed with `sim.at(t, nemesis)`, it wakes every period until its end
//! time, draws each decision from the simulation's seeded generator
//! (`Control::rng`), applies the faults it drew (each recorded in the trace
//! like any other fault), and schedules its next wake-up. Same seed, same
//! program: same faults at the same moments.

use crate::cut::{CutId, Mode};
use crate::fault::Fault;
use crate::network::PartitionNetwork;
use sim_core::{ActionError, Control, ControlAction, NodeId, SimRng, Time};

/// A random fault injector, deterministic per seed.
///
/// Every period (default 10 ms of virtual time) until its end time (default
/// 1 s), it may, each with its own probability per period:
/// - **partition** (default 0.1): install a random cut, while fewer than
///   `max_cuts` (default 3) are installed: a two-group partition, a one-way
///   partition or a single-link cut (weights `shapes`, default 2:1:1), in defer
///   mode with probability `defer_share` (default 0.5), otherwise drop (with
///   `net_ticktime` if set);
/// - **heal** (default 0.2): heal one installed cut, chosen at random;
/// - **crash** (default 0, off): crash a random up node, while fewer than
///   `max_down` (default 1) are down and at least one other stays up;
/// - **restart** (default 0.2): restart a random crashed node;
/// - **congest** (default 0, off; see [`Nemesis::congest`]): congest one
///   direction between two of its nodes for a while ([`Fault::congest`]).
///
/// At its end time it heals everything and restarts every node it may crash
/// (unless `settle(false)`), so held signals are delivered and the run can end.
///
/// Each wake-up draws from a generator of its own (keyed by the nemesis and
/// the wake-up's number, [`Control::keyed_rng`]), and every fault it applies
/// is a fault entry of the run: a shrinker can switch single faults off and
/// the other wake-ups still draw exactly what they drew before.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// use sim_partition::Nemesis;
/// let mut sim = Sim::builder().seed(3).nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
/// sim.at(
///     Time::ZERO,
///     Nemesis::new().period(Time::ms(5)).until(Time::ms(200)).partition(0.3).crash(0.05),
/// ).unwrap();
/// sim.spawn("a@sim", |cx| async move { cx.sleep(Time::ms(300)).await; Ok(Term::atom("ok")) }).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone, Debug)]
#[must_use = "a nemesis does nothing until scheduled with sim.at"]
pub struct Nemesis {
    period: Time,
    until: Time,
    partition: f64,
    heal: f64,
    crash: f64,
    restart: f64,
    defer_share: f64,
    /// Weights of two-group partitions, one-way partitions, single-link cuts.
    shapes: [u32; 3],
    net_ticktime: Option<Time>,
    max_cuts: usize,
    max_down: usize,
    /// The nodes it may cut and crash (`None`: all).
    nodes: Option<Vec<String>>,
    settle: bool,
    /// Which nemesis this is (the number of the action that first ran it)
    /// and how many times it has woken: the key of each wake-up's draws.
    key: Option<u64>,
    wakeup: u64,
    /// Probability per period, bandwidth and duration of a congestion.
    congest: (f64, u64, Time),
}

impl Default for Nemesis {
    fn default() -> Nemesis {
        Nemesis::new()
    }
}

impl Nemesis {
    /// A nemesis with the default rates (see the type's docs).
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new();
    /// assert!(format!("{n:?}").contains("period"));
    /// ```
    pub fn new() -> Nemesis {
        Nemesis {
            period: Time::ms(10),
            until: Time::secs(1),
            partition: 0.1,
            heal: 0.2,
            crash: 0.0,
            restart: 0.2,
            defer_share: 0.5,
            shapes: [2, 1, 1],
            net_ticktime: None,
            max_cuts: 3,
            max_down: 1,
            nodes: None,
            settle: true,
            key: None,
            wakeup: 0,
            congest: (0.0, 1, Time::ZERO),
        }
    }

    /// How often it wakes (at least 1 µs).
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().period(sim_core::Time::ms(1));
    /// # let _ = n;
    /// ```
    pub fn period(mut self, period: Time) -> Nemesis {
        self.period = period.max(Time::us(1));
        self
    }

    /// When it stops (and settles).
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().until(sim_core::Time::secs(2));
    /// # let _ = n;
    /// ```
    pub fn until(mut self, end: Time) -> Nemesis {
        self.until = end;
        self
    }

    /// Probability per period of installing a random cut.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().partition(0.5);
    /// # let _ = n;
    /// ```
    pub fn partition(mut self, p: f64) -> Nemesis {
        self.partition = p;
        self
    }

    /// Probability per period of healing one installed cut.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().heal(0.5);
    /// # let _ = n;
    /// ```
    pub fn heal(mut self, p: f64) -> Nemesis {
        self.heal = p;
        self
    }

    /// Probability per period of crashing a node.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().crash(0.05);
    /// # let _ = n;
    /// ```
    pub fn crash(mut self, p: f64) -> Nemesis {
        self.crash = p;
        self
    }

    /// Probability per period of restarting a crashed node.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().restart(0.5);
    /// # let _ = n;
    /// ```
    pub fn restart(mut self, p: f64) -> Nemesis {
        self.restart = p;
        self
    }

    /// The share of drawn cuts that defer (the rest drop): `0.0` only drops,
    /// `1.0` only defers.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().defer_share(1.0);
    /// # let _ = n;
    /// ```
    pub fn defer_share(mut self, share: f64) -> Nemesis {
        self.defer_share = share;
        self
    }

    /// Relative weights of two-group partitions, one-way partitions and
    /// single-link cuts among drawn cuts (all zero: no cuts).
    ///
    /// ```
    /// let only_links = sim_partition::Nemesis::new().shapes(0, 0, 1);
    /// # let _ = only_links;
    /// ```
    pub fn shapes(mut self, partition: u32, one_way: u32, cut: u32) -> Nemesis {
        self.shapes = [partition, one_way, cut];
        self
    }

    /// Drawn drop cuts take their connections down only after `ticktime` (see
    /// [`Fault::net_ticktime`]).
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().net_ticktime(sim_core::Time::ms(40));
    /// # let _ = n;
    /// ```
    pub fn net_ticktime(mut self, ticktime: Time) -> Nemesis {
        self.net_ticktime = Some(ticktime);
        self
    }

    /// At most this many cuts installed at once.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().max_cuts(1);
    /// # let _ = n;
    /// ```
    pub fn max_cuts(mut self, n: usize) -> Nemesis {
        self.max_cuts = n;
        self
    }

    /// At most this many of its nodes down at once.
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().max_down(2);
    /// # let _ = n;
    /// ```
    pub fn max_down(mut self, n: usize) -> Nemesis {
        self.max_down = n;
        self
    }

    /// Restricts it to these nodes (default: all). `sim.at` refuses a nemesis
    /// naming a node the simulation does not have.
    ///
    /// ```
    /// use sim_core::{Sim, SimError, Time};
    /// use sim_partition::Nemesis;
    /// let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
    /// sim.at(Time::ZERO, Nemesis::new().nodes(["b@sim", "c@sim"])).unwrap();
    /// assert_eq!(
    ///     sim.at(Time::ZERO, Nemesis::new().nodes(["b@sim", "d@sim"])),
    ///     Err(SimError::UnknownNode("d@sim".into()))
    /// );
    /// ```
    pub fn nodes<I, S>(mut self, nodes: I) -> Nemesis
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.nodes = Some(nodes.into_iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Whether it heals everything and restarts its crashed nodes at its end
    /// time (default `true`).
    ///
    /// ```
    /// let n = sim_partition::Nemesis::new().settle(false);
    /// # let _ = n;
    /// ```
    pub fn settle(mut self, yes: bool) -> Nemesis {
        self.settle = yes;
        self
    }

    /// Probability per period of congesting a random direction between two
    /// of its nodes: its bandwidth drops to `bytes_per_sec` for `duration`
    /// ([`Fault::congest`]), so calls across it can time out late. Off by
    /// default; while off it draws nothing, so the other faults it draws
    /// stay as they were.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time};
    /// use sim_partition::Nemesis;
    /// let mut sim = Sim::builder().seed(1).nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.at(Time::ZERO, Nemesis::new().partition(0.0).congest(0.5, 1_000, Time::ms(50))).unwrap();
    /// sim.spawn("a@sim", |cx| async move { cx.sleep(Time::ms(100)).await; Ok(Term::atom("ok")) }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn congest(mut self, probability: f64, bytes_per_sec: u64, duration: Time) -> Nemesis {
        self.congest = (probability, bytes_per_sec.max(1), duration);
        self
    }

    /// Its nodes, in builder order.
    fn scope(&self, c: &Control<'_>) -> Vec<(NodeId, String)> {
        let all = c.nodes();
        let named = |id: NodeId| c.node_name(id).as_str().to_string();
        match &self.nodes {
            None => all.into_iter().map(|id| (id, named(id))).collect(),
            Some(list) => all
                .into_iter()
                .map(|id| (id, named(id)))
                .filter(|(_, n)| list.contains(n))
                .collect(),
        }
    }

    fn pick<T: Clone>(rng: &mut SimRng, from: &[T]) -> Option<T> {
        if from.is_empty() {
            return None;
        }
        let i = rng.below(from.len() as u64) as usize;
        Some(from[i].clone())
    }

    fn draw_cut(&self, rng: &mut SimRng, names: &[String]) -> Option<Fault> {
        let total: u64 = self.shapes.iter().map(|&w| u64::from(w)).sum();
        if total == 0 || names.len() < 2 {
            return None;
        }
        let mut r = rng.below(total);
        let mut shape = 0;
        while r >= u64::from(self.shapes[shape]) {
            r -= u64::from(self.shapes[shape]);
            shape += 1;
        }
        let mode = if rng.chance(self.defer_share) {
            Mode::Defer
        } else {
            Mode::Drop
        };
        let mut shuffled = names.to_vec();
        for i in (1..shuffled.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            shuffled.swap(i, j);
        }
        let k = 1 + rng.below(shuffled.len() as u64 - 1) as usize;
        let (left, right) = (shuffled[..k].to_vec(), shuffled[k..].to_vec());
        let fault = match shape {
            0 => Fault::partition(vec![left, right], mode),
            1 => Fault::one_way(left, right, mode),
            _ => Fault::cut(&shuffled[0], &shuffled[1], mode),
        };
        Some(match self.net_ticktime {
            Some(t) => fault.net_ticktime(t),
            None => fault,
        })
    }

    fn installed(c: &mut Control<'_>) -> Vec<CutId> {
        c.network::<PartitionNetwork>()
            .map(|n| n.installed())
            .unwrap_or_default()
    }

    fn settle_now(&self, c: &mut Control<'_>) {
        if !Nemesis::installed(c).is_empty() {
            let _ = Fault::heal().apply(c);
        }
        for (id, name) in self.scope(c) {
            if !c.is_up(id) {
                let _ = Fault::restart(&name).apply(c);
            }
        }
    }
}

impl ControlAction for Nemesis {
    fn describe(&self) -> String {
        "nemesis".to_string()
    }

    /// Every node it is restricted to exists.
    fn validate(&self, known: &dyn Fn(&str) -> bool) -> Result<(), ActionError> {
        match self.nodes.iter().flatten().find(|n| !known(n)) {
            Some(n) => Err(ActionError::UnknownNode(n.clone())),
            None => Ok(()),
        }
    }

    fn run(mut self: Box<Self>, c: &mut Control<'_>) {
        let now = c.now();
        let key = *self
            .key
            .get_or_insert_with(|| c.action_index().unwrap_or(0) as u64);
        let mut rng = c.keyed_rng(key, self.wakeup);
        self.wakeup += 1;
        if now >= self.until {
            if self.settle {
                self.settle_now(c);
            }
            return;
        }
        let scope = self.scope(c);
        let names: Vec<String> = scope.iter().map(|(_, n)| n.clone()).collect();

        if rng.chance(self.partition) && Nemesis::installed(c).len() < self.max_cuts {
            if let Some(f) = self.draw_cut(&mut rng, &names) {
                let _ = f.apply(c);
            }
        }
        if rng.chance(self.heal) {
            let cuts = Nemesis::installed(c);
            if let Some(id) = Nemesis::pick(&mut rng, &cuts) {
                let _ = Fault::heal_cut(id).apply(c);
            }
        }
        if rng.chance(self.crash) {
            let up: Vec<String> = scope
                .iter()
                .filter(|(id, _)| c.is_up(*id))
                .map(|(_, n)| n.clone())
                .collect();
            let all_up = c.nodes().into_iter().filter(|&id| c.is_up(id)).count();
            let down = scope.len() - up.len();
            if down < self.max_down && all_up > 1 {
                if let Some(n) = Nemesis::pick(&mut rng, &up) {
                    let _ = Fault::crash(&n).apply(c);
                }
            }
        }
        if rng.chance(self.restart) {
            let down: Vec<String> = scope
                .iter()
                .filter(|(id, _)| !c.is_up(*id))
                .map(|(_, n)| n.clone())
                .collect();
            if let Some(n) = Nemesis::pick(&mut rng, &down) {
                let _ = Fault::restart(&n).apply(c);
            }
        }
        let (p, bytes_per_sec, duration) = self.congest;
        if p > 0.0 && names.len() >= 2 && rng.chance(p) {
            let from = rng.below(names.len() as u64) as usize;
            let other = rng.below(names.len() as u64 - 1) as usize;
            let to = if other >= from { other + 1 } else { other };
            let _ = Fault::congest(&names[from], &names[to], bytes_per_sec, duration).apply(c);
        }
        let next = (now + self.period).min(self.until);
        // Checked when it was first scheduled; its nodes cannot go away.
        let _ = c.at(next, *self);
    }
}
