//! Per-direction link state: what the installed cuts make of each ordered node
//! pair, and the transitions that installing or healing a cut causes.
//!
//! Each direction `from -> to` has its own [`LinkState`], so a one-way cut is
//! just a cut that marks one direction and not the other (as turmoil's
//! topology keeps one link state per direction).

use crate::cut::{CutId, Mode};
use sim_core::NodeId;

/// The state of one direction `from -> to`, as the installed cuts decide it
/// (the first cut in install order that covers the direction wins).
///
/// ```
/// use sim_partition::{LinkState, CutId};
/// let s = LinkState::Deferred(CutId(2));
/// assert_eq!(s.cut(), Some(CutId(2)));
/// assert!(LinkState::Healthy.is_healthy());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum LinkState {
    /// No cut covers this direction: signals get the inner network's verdict.
    #[default]
    Healthy,
    /// A dropping cut: signals are lost (and the connection goes down).
    Dropped(CutId),
    /// A deferring cut (or a dropping cut still inside its `net_ticktime`
    /// window): signals are held, in order, until the cut heals.
    Deferred(CutId),
}

impl LinkState {
    /// Whether no cut covers the direction.
    ///
    /// ```
    /// use sim_partition::{LinkState, CutId};
    /// assert!(!LinkState::Dropped(CutId(1)).is_healthy());
    /// ```
    pub fn is_healthy(self) -> bool {
        self == LinkState::Healthy
    }

    /// The cut that decides this direction, if any.
    ///
    /// ```
    /// use sim_partition::LinkState;
    /// assert_eq!(LinkState::Healthy.cut(), None);
    /// ```
    pub fn cut(self) -> Option<CutId> {
        match self {
            LinkState::Healthy => None,
            LinkState::Dropped(c) | LinkState::Deferred(c) => Some(c),
        }
    }
}

/// What a cut looks like to the link table: which directions it covers and how
/// it acts on them right now.
pub(crate) trait Covers {
    fn id(&self) -> CutId;
    /// The mode in force now (a drop cut inside its tick window acts as defer).
    fn acting_mode(&self) -> Mode;
    fn covers(&self, from: NodeId, to: NodeId) -> bool;
}

/// A change of one direction's state, which the network turns into actions on
/// the world (disconnect, release).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Transition {
    pub(crate) from: NodeId,
    pub(crate) to: NodeId,
    pub(crate) old: LinkState,
    pub(crate) new: LinkState,
}

/// The state of every direction, recomputed from the installed cuts whenever
/// they change (verdicts are then one table lookup).
#[derive(Clone, Debug, Default)]
pub(crate) struct LinkTable {
    nodes: usize,
    states: Vec<LinkState>,
}

impl LinkTable {
    /// The state of `from -> to` (healthy for nodes the table has not seen).
    pub(crate) fn get(&self, from: NodeId, to: NodeId) -> LinkState {
        if from.index() >= self.nodes || to.index() >= self.nodes {
            return LinkState::Healthy;
        }
        self.states[from.index() * self.nodes + to.index()]
    }

    /// Makes room for `nodes` nodes (the table never shrinks).
    pub(crate) fn grow(&mut self, nodes: usize) {
        if nodes <= self.nodes {
            return;
        }
        let mut states = vec![LinkState::Healthy; nodes * nodes];
        for f in 0..self.nodes {
            for t in 0..self.nodes {
                states[f * nodes + t] = self.states[f * self.nodes + t];
            }
        }
        self.nodes = nodes;
        self.states = states;
    }

    /// Recomputes every direction from `cuts` (in install order) and returns the
    /// directions whose state changed, in `(from, to)` order.
    pub(crate) fn recompute<C: Covers>(&mut self, cuts: &[C]) -> Vec<Transition> {
        let mut changes = Vec::new();
        for f in 0..self.nodes {
            for t in 0..self.nodes {
                if f == t {
                    continue;
                }
                let (from, to) = (NodeId(f as u32), NodeId(t as u32));
                let new = cuts
                    .iter()
                    .find(|c| c.covers(from, to))
                    .map(|c| match c.acting_mode() {
                        Mode::Drop => LinkState::Dropped(c.id()),
                        Mode::Defer => LinkState::Deferred(c.id()),
                    })
                    .unwrap_or(LinkState::Healthy);
                let slot = &mut self.states[f * self.nodes + t];
                if *slot != new {
                    changes.push(Transition {
                        from,
                        to,
                        old: *slot,
                        new,
                    });
                    *slot = new;
                }
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        id: u32,
        mode: Mode,
        dirs: Vec<(u32, u32)>,
    }

    impl Covers for Fake {
        fn id(&self) -> CutId {
            CutId(self.id)
        }
        fn acting_mode(&self) -> Mode {
            self.mode
        }
        fn covers(&self, from: NodeId, to: NodeId) -> bool {
            self.dirs.contains(&(from.0, to.0))
        }
    }

    #[test]
    fn first_cut_in_install_order_wins_and_changes_are_reported() {
        let mut t = LinkTable::default();
        t.grow(3);
        let cuts = vec![
            Fake {
                id: 1,
                mode: Mode::Defer,
                dirs: vec![(0, 1)],
            },
            Fake {
                id: 2,
                mode: Mode::Drop,
                dirs: vec![(0, 1), (1, 0)],
            },
        ];
        let ch = t.recompute(&cuts);
        assert_eq!(ch.len(), 2);
        assert_eq!(t.get(NodeId(0), NodeId(1)), LinkState::Deferred(CutId(1)));
        assert_eq!(t.get(NodeId(1), NodeId(0)), LinkState::Dropped(CutId(2)));
        assert_eq!(t.get(NodeId(1), NodeId(2)), LinkState::Healthy);
        let ch = t.recompute(&cuts[1..]);
        assert_eq!(
            ch,
            vec![Transition {
                from: NodeId(0),
                to: NodeId(1),
                old: LinkState::Deferred(CutId(1)),
                new: LinkState::Dropped(CutId(2)),
            }]
        );
        assert!(t.recompute(&cuts[1..]).is_empty());
        t.grow(4);
        assert_eq!(t.get(NodeId(1), NodeId(0)), LinkState::Dropped(CutId(2)));
        assert_eq!(t.get(NodeId(9), NodeId(0)), LinkState::Healthy);
    }
}
