//! Connections between nodes: one FIFO per ordered node pair, up/down state per
//! unordered pair, held signals for deferring cuts, and the `noconnection`
//! fan-out when a connection is lost.

use super::World;
use super::{Body, Signal};
use crate::id::NodeId;
use crate::net::Verdict;
use crate::signal::{Dest, MonTarget, SpawnReply};
use crate::term::Term;
use crate::time::Time;
use crate::trace::TraceEvent;

/// When a travelling signal may arrive: from `lo` on, by `hi` at the latest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) lo: Time,
    pub(crate) hi: Time,
}

/// The stream the network's draws come from, keyed per signal.
const NET_STREAM: u64 = 5;

impl World {
    pub(crate) fn dir_index(&self, from: NodeId, to: NodeId) -> usize {
        self.dirs.index(from, to)
    }

    /// The network's verdict for the next signal on `from -> to`, with a
    /// generator keyed by the direction and the signal's number on it.
    fn verdict_for(&mut self, from: NodeId, to: NodeId) -> Verdict {
        let di = self.dir_index(from, to);
        let k = self.dirs.sent(di);
        let mut rng = crate::rng::SimRng::keyed(self.seed, NET_STREAM, di as u64, k);
        self.network.verdict(from, to, &mut rng)
    }

    /// Whether the connection between `a` and `b` is up.
    pub(crate) fn connected(&self, a: NodeId, b: NodeId) -> bool {
        self.dirs.is_up(self.dirs.pair(a, b))
    }

    /// Whether `b` is in `a`'s `nodes()`: up, and not cut off by a lost
    /// connection that no signal has made again. Nodes start out connected to
    /// each other (connections are made on first use, as OTP's
    /// `dist_auto_connect` makes them).
    pub(crate) fn visible(&self, a: NodeId, b: NodeId) -> bool {
        let pi = self.dirs.pair(a, b);
        a != b
            && self.node_up(a)
            && self.node_up(b)
            && (self.dirs.is_up(pi) || !self.dirs.is_lost(pi))
    }

    /// Delivers at once, in send order, every signal travelling `from -> to`
    /// (a graceful close: what was written to the connection reaches the peer
    /// before the close does). Signals a cut holds or drops stay as they are.
    pub(crate) fn flush_dir(&mut self, from: NodeId, to: NodeId) {
        let di = self.dir_index(from, to);
        if !self.dirs.travelling(di) {
            return;
        }
        if !matches!(self.verdict_for(from, to), Verdict::Deliver { .. }) {
            return;
        }
        let queue = self.dirs.take_travelling(di);
        if self.dist.is_some() {
            self.buffer_lost(from, to);
        }
        for (_, sig) in queue {
            self.books.delivered();
            self.arrive(sig);
        }
        self.drain_local();
    }

    /// A restarted node starts out connected to every other node again.
    pub(crate) fn forget_lost(&mut self, node: NodeId) {
        for other in 0..self.nodes.len() as u32 {
            let pi = self.dirs.pair(node, NodeId(other));
            self.dirs.forget_lost(pi);
        }
    }

    pub(super) fn drop_signal(&mut self, sig: &Signal, cause: &str) {
        self.books.dropped(cause);
        self.trace(TraceEvent::Drop {
            id: sig.id,
            cause: cause.to_string(),
        });
    }

    /// Routes a signal to another node through the network hook.
    pub(crate) fn send_remote(&mut self, sig: Signal) {
        let (a, b) = (sig.from.node(), sig.to.node());
        if self.recording() {
            self.note_remote_send(a, b, sig.id);
        }
        if !self.node_up(a) || !self.node_up(b) {
            self.drop_signal(&sig, "noconnection");
            self.connection_lost(a, b, "noconnection");
            return;
        }
        let di = self.dir_index(a, b);
        if self.dirs.has_held(di) {
            // Nothing overtakes a held signal on the same direction.
            self.trace(TraceEvent::Hold { id: sig.id });
            self.dirs.hold(di, sig);
            return;
        }
        let verdict = self.verdict_for(a, b);
        self.dirs.count_sent(di);
        match verdict {
            Verdict::Deliver { min, max } => {
                self.dirs.connect(self.dirs.pair(a, b));
                let start = if self.dist.is_some() {
                    self.buffer_signal(di, &sig, min, max)
                } else {
                    self.clock.now()
                };
                let lo = start.saturating_add(min);
                let hi = start.saturating_add(max.max(min));
                self.dirs.push(di, lo, hi, sig);
            }
            Verdict::Drop { fault } => {
                let cause = self.network.fault_name(fault);
                self.drop_signal(&sig, &cause);
                self.connection_lost(a, b, &cause);
            }
            Verdict::Hold { .. } => {
                self.dirs.connect(self.dirs.pair(a, b));
                self.trace(TraceEvent::Hold { id: sig.id });
                self.dirs.hold(di, sig);
            }
        }
    }

    /// The window of the head of direction `di`, if anything travels on it.
    #[inline]
    pub(crate) fn head_window(&self, di: usize) -> Option<(Window, u64)> {
        self.dirs.head_window(di)
    }

    /// Delivers the head signal of `from -> to` (a scheduler step).
    pub(crate) fn deliver_head(&mut self, from: NodeId, to: NodeId) {
        let di = self.dir_index(from, to);
        if !self.dirs.travelling(di) {
            return;
        }
        match self.verdict_for(from, to) {
            Verdict::Deliver { .. } => {}
            Verdict::Hold { .. } => {
                // A cut appeared while these were in flight: they wait with it,
                // ahead of anything held later.
                let queue = self.dirs.take_travelling(di);
                for (_, sig) in queue.into_iter().rev() {
                    self.trace(TraceEvent::Hold { id: sig.id });
                    self.dirs.hold_first(di, sig);
                }
                return;
            }
            Verdict::Drop { fault } => {
                let cause = self.network.fault_name(fault);
                if let Some(sig) = self.dirs.pop_head(di) {
                    self.drop_signal(&sig, &cause);
                }
                self.connection_lost(from, to, &cause);
                return;
            }
        }
        let Some(sig) = self.dirs.pop_head(di) else {
            return;
        };
        if self.recording() {
            self.note_delivered(from, to, sig.id);
        }
        self.books.delivered();
        self.arrive(sig);
    }

    /// Moves the signals held on `from -> to` back into flight, in order.
    pub(crate) fn release(&mut self, from: NodeId, to: NodeId) -> usize {
        let di = self.dir_index(from, to);
        let held = self.dirs.take_held(di);
        let n = held.len();
        // Held signals already crossed the network: released, they are due
        // now (behind anything still travelling on the direction).
        for sig in held {
            self.trace(TraceEvent::Release { id: sig.id });
            let now = self.clock.now();
            self.dirs.push(di, now, now, sig);
        }
        n
    }

    /// The connection between `a` and `b` is lost (or could not be made): what
    /// travels is lost, links and monitors across it fire `noconnection`, node
    /// monitors get `nodedown`. A spawn request that could not leave is pending
    /// at its sender, so it is answered here too.
    pub(crate) fn connection_lost(&mut self, a: NodeId, b: NodeId, cause: &str) {
        self.lose_connection(a, b, cause, None);
    }

    /// The connection between a node that just crashed and `peer` is lost.
    /// What the crashed node had written before it died still reaches `peer`,
    /// in send order and before the loss is noticed (as on OTP, where a
    /// `spawn_reply` sent just before a halt makes the caller see `'DOWN'`
    /// rather than a spawn error). Signals a cut holds or drops on that
    /// direction, and everything on its way to the crashed node, are lost.
    pub(crate) fn crashed_connection_lost(&mut self, crashed: NodeId, peer: NodeId, cause: &str) {
        self.lose_connection(crashed, peer, cause, Some(crashed));
    }

    fn lose_connection(&mut self, a: NodeId, b: NodeId, cause: &str, sent_by: Option<NodeId>) {
        self.note(
            crate::sched::footprint::Obj::All,
            crate::sched::footprint::Op::Write,
        );
        // A pid or name on a node outside the simulation (`Pid::new` with an
        // index no node has) can never be reached: there is no connection to
        // take down, only the fan-out (before, indexing it panicked).
        let n = self.nodes.len();
        if a.index() >= n || b.index() >= n {
            self.fan_out(a, b);
            self.fan_out(b, a);
            self.drain_local();
            return;
        }
        let was_up = self.dirs.lose(self.dirs.pair(a, b));
        for (x, y) in [(a, b), (b, a)] {
            let di = self.dir_index(x, y);
            let queue = self.dirs.take_travelling(di);
            let held = self.dirs.take_held(di);
            if self.dist.is_some() {
                self.buffer_lost(x, y);
            }
            if sent_by == Some(x)
                && !queue.is_empty()
                && matches!(self.verdict_for(x, y), Verdict::Deliver { .. })
            {
                // Through the local queue, so that each arrives (and what it
                // causes happens) before the fan-out below looks at links,
                // monitors and pending spawns.
                self.local_q.extend(queue.into_iter().map(|(_, sig)| sig));
            } else {
                for (_, sig) in queue {
                    self.drop_signal(&sig, cause);
                }
            }
            for sig in held {
                self.drop_signal(&sig, cause);
            }
        }
        if sent_by.is_some() {
            // Anything an arrival sends back to the crashed node is dropped as
            // sent to a node that is down; the connection is already marked
            // down, so that loss is not traced twice.
            self.drain_local();
        }
        if was_up {
            let (na, nb) = (self.node_name(a), self.node_name(b));
            self.trace(TraceEvent::ConnectionDown {
                a: na,
                b: nb,
                cause: cause.to_string(),
            });
        }
        self.fan_out(a, b);
        self.fan_out(b, a);
        self.drain_local();
    }

    /// Tells every process on `here` that `there` is gone.
    fn fan_out(&mut self, here: NodeId, there: NodeId) {
        let keys: Vec<_> = self
            .procs
            .iter()
            .filter(|(_, p)| p.pid.node() == here)
            .map(|(k, _)| k)
            .collect();
        let noconn = Term::atom("noconnection");
        let there_rt = World::runtime_pid(there);
        for key in keys {
            let Some(p) = self.procs.get_mut(key) else {
                continue;
            };
            let me = p.pid;
            let links: Vec<_> = p
                .links
                .iter()
                .copied()
                .filter(|l| l.node() == there)
                .collect();
            let mons: Vec<_> = p
                .mon_out
                .iter()
                .filter(|m| match m.target {
                    MonTarget::Pid(t) => t.node() == there,
                    MonTarget::Name(_, n) => n == there,
                })
                .copied()
                .collect();
            p.mon_in.retain(|m| m.watcher.node() != there);
            let mut spawn_errors = Vec::new();
            p.pending.retain(|x| {
                if x.node != there {
                    return true;
                }
                if !x.abandoned && x.opts.reply != SpawnReply::No {
                    spawn_errors.push(x.r);
                }
                false
            });
            let node_downs = p.node_mons.iter().filter(|&&n| n == there).count();
            p.node_mons.retain(|&n| n != there);
            for l in links {
                self.inject(
                    l,
                    Dest::Pid(me),
                    Body::Exit {
                        reason: noconn.clone(),
                        linked: true,
                    },
                );
            }
            for m in mons {
                let object = self.monitor_object(m.target);
                let sender = match m.target {
                    MonTarget::Pid(t) => t,
                    MonTarget::Name(..) => there_rt,
                };
                self.inject(
                    sender,
                    Dest::Pid(me),
                    Body::Down {
                        r: m.r,
                        object,
                        reason: noconn.clone(),
                    },
                );
            }
            for r in spawn_errors {
                let msg = super::spawn_error(r, noconn.clone());
                self.inject(there_rt, Dest::Pid(me), Body::Message(msg));
            }
            let there_name = Term::Atom(self.node_name(there));
            for _ in 0..node_downs {
                let msg = Term::Tuple(vec![Term::atom("nodedown"), there_name.clone()]);
                self.inject(there_rt, Dest::Pid(me), Body::Message(msg));
            }
        }
    }
}
