//! Partitions, one-way partitions and single-link cuts, in drop or defer mode;
//! heals; and the rule for nodes that a partition does not name.
//!
//! **Unnamed nodes.** A node named in no group of [`Fault::partition`](crate::Fault::partition) is not
//! left connected to everyone: all such nodes form **one extra group
//! together**. So `Fault::partition([["a@sim"]], mode)` on nodes `a`, `b`, `c`
//! isolates `a` from `b` and `c`, which still reach each other (this is what
//! [`Fault::isolate`](crate::Fault::isolate) does).

use crate::cut::{FaultError, Mode};
use sim_core::{Control, NodeId, Time};

/// Groups of node names for [`Fault::partition`](crate::Fault::partition): an array, `Vec` or slice of
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

pub(crate) fn names<G>(g: G) -> Vec<String>
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
