//! Partitions, one-way partitions and single-link cuts, in drop or defer mode;
//! heals; and the rule for nodes that a partition does not name.
//!
//! **Unnamed nodes.** A node named in no group of [`Fault::partition`] is not
//! left connected to everyone: all such nodes form **one extra group
//! together**. So `Fault::partition([["a@sim"]], mode)` on nodes `a`, `b`, `c`
//! isolates `a` from `b` and `c`, which still reach each other (this is what
//! [`Fault::isolate`] does).

use crate::fault::{CutId, Fault, FaultError, Kind};
use sim_core::{Control, NodeId, Time};
use std::fmt;

/// What a cut does to the signals that cross it.
///
/// ```
/// use sim_partition::Mode;
/// assert_eq!(Mode::Drop.to_string(), "drop");
/// assert_eq!(Mode::Defer.to_string(), "defer");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Mode {
    /// The connections across the cut go down: what is in flight is lost,
    /// links and monitors across it fire `noconnection`, node monitors get
    /// `nodedown`, and every later signal across it is lost (and fires
    /// `noconnection` again for whatever it would have set up).
    Drop,
    /// Signals across the cut are held, in send order, and delivered at heal.
    /// Nothing is reported down: calls hang until heal or their own timeout.
    Defer,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Drop => "drop",
            Mode::Defer => "defer",
        })
    }
}

/// Groups of node names for [`Fault::partition`]: an array, `Vec` or slice of
/// groups when the groups have the same type (`[["a@sim"], ["b@sim"]]`), or a
/// tuple of up to four groups when they differ in length
/// (`(["a@sim"], ["b@sim", "c@sim"])`).
///
/// ```
/// use sim_partition::IntoGroups;
/// assert_eq!([["a@sim"], ["b@sim"]].into_groups(), vec![vec!["a@sim".to_string()], vec!["b@sim".to_string()]]);
/// assert_eq!((["a@sim"], ["b@sim", "c@sim"]).into_groups()[1].len(), 2);
/// assert_eq!(vec![vec!["a@sim"]].into_groups().len(), 1);
/// ```
pub trait IntoGroups {
    /// The groups, as owned names.
    fn into_groups(self) -> Vec<Vec<String>>;
}

fn names<G>(g: G) -> Vec<String>
where
    G: IntoIterator,
    G::Item: AsRef<str>,
{
    g.into_iter().map(|s| s.as_ref().to_string()).collect()
}

impl<G, const N: usize> IntoGroups for [G; N]
where
    G: IntoIterator,
    G::Item: AsRef<str>,
{
    fn into_groups(self) -> Vec<Vec<String>> {
        self.into_iter().map(names).collect()
    }
}

impl<G> IntoGroups for Vec<G>
where
    G: IntoIterator,
    G::Item: AsRef<str>,
{
    fn into_groups(self) -> Vec<Vec<String>> {
        self.into_iter().map(names).collect()
    }
}

impl<G> IntoGroups for &[G]
where
    G: IntoIterator + Clone,
    G::Item: AsRef<str>,
{
    fn into_groups(self) -> Vec<Vec<String>> {
        self.iter().cloned().map(names).collect()
    }
}

macro_rules! tuple_groups {
    ($($g:ident),+) => {
        impl<$($g),+> IntoGroups for ($($g,)+)
        where
            $($g: IntoIterator, $g::Item: AsRef<str>,)+
        {
            #[allow(non_snake_case)]
            fn into_groups(self) -> Vec<Vec<String>> {
                let ($($g,)+) = self;
                vec![$(names($g)),+]
            }
        }
    };
}

tuple_groups!(A);
tuple_groups!(A, B);
tuple_groups!(A, B, C);
tuple_groups!(A, B, C, D);

/// The shape of a cut, with node names as the user gave them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    Partition(Vec<Vec<String>>),
    OneWay { from: Vec<String>, to: Vec<String> },
    Link(String, String),
}

/// A cut before it is installed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct CutSpec {
    pub(crate) shape: Shape,
    pub(crate) mode: Mode,
    pub(crate) net_ticktime: Option<Time>,
}

/// A cut resolved against a simulation's nodes: the directions it covers.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub(crate) nodes: usize,
    /// `blocked[from * nodes + to]`.
    pub(crate) blocked: Vec<bool>,
    /// Readable, with every node placed (`[a@sim] | [b@sim,c@sim]`).
    pub(crate) description: String,
}

fn list(names: &[&str]) -> String {
    format!("[{}]", names.join(","))
}

impl Shape {
    /// The kind word used in fault names (`partition#1 drop`).
    pub(crate) fn word(&self) -> &'static str {
        match self {
            Shape::Partition(_) => "partition",
            Shape::OneWay { .. } => "one_way",
            Shape::Link(..) => "cut",
        }
    }

    /// Every node name the shape mentions.
    pub(crate) fn names(&self) -> Vec<&str> {
        match self {
            Shape::Partition(groups) => groups.iter().flatten().map(String::as_str).collect(),
            Shape::OneWay { from, to } => from.iter().chain(to).map(String::as_str).collect(),
            Shape::Link(a, b) => vec![a.as_str(), b.as_str()],
        }
    }

    /// Checks what can be checked without a simulation (names aside).
    pub(crate) fn check(&self) -> Result<(), FaultError> {
        match self {
            Shape::Partition(groups) => {
                for (i, g) in groups.iter().enumerate() {
                    for n in g {
                        if groups[i + 1..].iter().any(|h| h.contains(n)) {
                            return Err(FaultError::NodeInTwoGroups(n.clone()));
                        }
                    }
                }
                Ok(())
            }
            Shape::OneWay { .. } => Ok(()),
            Shape::Link(a, b) if a == b => Err(FaultError::SameNode(a.clone())),
            Shape::Link(..) => Ok(()),
        }
    }

    /// Resolves the names against the simulation's nodes.
    pub(crate) fn resolve(&self, c: &Control<'_>) -> Result<Resolved, FaultError> {
        self.check()?;
        let id = |name: &str| {
            c.node_id(name)
                .ok_or_else(|| FaultError::UnknownNode(name.to_string()))
        };
        for n in self.names() {
            id(n)?;
        }
        let all = c.nodes();
        let n = all.len();
        let mut blocked = vec![false; n * n];
        let description = match self {
            Shape::Partition(groups) => {
                // Group of each node; unnamed nodes share one extra group.
                let extra = groups.len();
                let mut group = vec![extra; n];
                for (gi, g) in groups.iter().enumerate() {
                    for name in g {
                        group[id(name)?.index()] = gi;
                    }
                }
                for f in 0..n {
                    for t in 0..n {
                        blocked[f * n + t] = group[f] != group[t];
                    }
                }
                let mut parts: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        let mut seen: Vec<&str> = Vec::new();
                        for s in g {
                            if !seen.contains(&s.as_str()) {
                                seen.push(s);
                            }
                        }
                        list(&seen)
                    })
                    .collect();
                let rest: Vec<&str> = all
                    .iter()
                    .filter(|x| group[x.index()] == extra)
                    .map(|&x| c.node_name(x).as_str())
                    .collect();
                if !rest.is_empty() {
                    parts.push(list(&rest));
                }
                parts.join(" | ")
            }
            Shape::OneWay { from, to } => {
                for f in from {
                    for t in to {
                        let (fi, ti) = (id(f)?, id(t)?);
                        if fi != ti {
                            blocked[fi.index() * n + ti.index()] = true;
                        }
                    }
                }
                let f: Vec<&str> = from.iter().map(String::as_str).collect();
                let t: Vec<&str> = to.iter().map(String::as_str).collect();
                format!("{} -> {}", list(&f), list(&t))
            }
            Shape::Link(a, b) => {
                let (ai, bi) = (id(a)?, id(b)?);
                blocked[ai.index() * n + bi.index()] = true;
                blocked[bi.index() * n + ai.index()] = true;
                format!("{a} <-> {b}")
            }
        };
        Ok(Resolved {
            nodes: n,
            blocked,
            description,
        })
    }
}

impl Resolved {
    pub(crate) fn covers(&self, from: NodeId, to: NodeId) -> bool {
        from.index() < self.nodes
            && to.index() < self.nodes
            && self.blocked[from.index() * self.nodes + to.index()]
    }
}

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
