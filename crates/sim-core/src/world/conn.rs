//! Connections between nodes: one FIFO per ordered node pair, up/down state per
//! unordered pair, held signals for deferring cuts, and the `noconnection`
//! fan-out when a connection is lost.

use super::{Body, Signal};
use super::{World, NOT_ENABLED};
use crate::id::NodeId;
use crate::net::Verdict;
use crate::signal::{Dest, MonTarget, SpawnReply};
use crate::term::Term;
use crate::time::Time;
use crate::trace::TraceEvent;
use std::collections::VecDeque;

/// When a travelling signal may arrive: from `lo` on, by `hi` at the latest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) lo: Time,
    pub(crate) hi: Time,
}

/// One direction of a connection.
#[derive(Debug)]
pub(crate) struct Dir {
    /// Signals travelling, in send order; neither end of the window ever
    /// decreases along the queue, so only the head can be due first.
    pub(crate) queue: VecDeque<(Window, Signal)>,
    /// Signals held by a deferring cut, in send order.
    pub(crate) held: VecDeque<Signal>,
    /// Position in the world's list of directions with signals travelling.
    pub(crate) active_pos: u32,
    /// Signals sent on this direction so far (keys the network's draws).
    pub(crate) sent: u64,
}

impl Default for Dir {
    fn default() -> Dir {
        Dir {
            queue: VecDeque::new(),
            held: VecDeque::new(),
            active_pos: NOT_ENABLED,
            sent: 0,
        }
    }
}

/// The stream the network's draws come from, keyed per signal.
const NET_STREAM: u64 = 5;

impl World {
    pub(crate) fn dir_index(&self, from: NodeId, to: NodeId) -> usize {
        from.index() * self.nodes.len() + to.index()
    }

    /// The network's verdict for the next signal on `from -> to`, with a
    /// generator keyed by the direction and the signal's number on it.
    fn verdict_for(&mut self, from: NodeId, to: NodeId) -> Verdict {
        let di = self.dir_index(from, to);
        let k = self.dirs[di].sent;
        let mut rng = crate::rng::SimRng::keyed(self.seed, NET_STREAM, di as u64, k);
        self.network.verdict(from, to, &mut rng)
    }

    /// Keeps the list of directions with signals travelling in step with
    /// whether `di`'s queue is empty.
    pub(crate) fn sync_active(&mut self, di: usize) {
        let empty = self.dirs[di].queue.is_empty();
        let pos = self.dirs[di].active_pos;
        if empty && pos != NOT_ENABLED {
            self.active.swap_remove(pos as usize);
            if let Some(&moved) = self.active.get(pos as usize) {
                self.dirs[moved as usize].active_pos = pos;
            }
            self.dirs[di].active_pos = NOT_ENABLED;
        } else if !empty && pos == NOT_ENABLED {
            self.dirs[di].active_pos = self.active.len() as u32;
            self.active.push(di as u32);
        }
    }

    fn pair_index(&self, a: NodeId, b: NodeId) -> usize {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        self.dir_index(lo, hi)
    }

    /// Whether the connection between `a` and `b` is up.
    pub(crate) fn connected(&self, a: NodeId, b: NodeId) -> bool {
        self.conn_up
            .get(self.pair_index(a, b))
            .copied()
            .unwrap_or(false)
    }

    /// Whether `b` is in `a`'s `nodes()`: up, and not cut off by a lost
    /// connection that no signal has made again. Nodes start out connected to
    /// each other (connections are made on first use, as OTP's
    /// `dist_auto_connect` makes them).
    pub(crate) fn visible(&self, a: NodeId, b: NodeId) -> bool {
        let pi = self.pair_index(a, b);
        a != b
            && self.node_up(a)
            && self.node_up(b)
            && (self.conn_up.get(pi).copied().unwrap_or(false)
                || !self.conn_lost.get(pi).copied().unwrap_or(true))
    }

    /// Delivers at once, in send order, every signal travelling `from -> to`
    /// (a graceful close: what was written to the connection reaches the peer
    /// before the close does). Signals a cut holds or drops stay as they are.
    pub(crate) fn flush_dir(&mut self, from: NodeId, to: NodeId) {
        let di = self.dir_index(from, to);
        if self.dirs[di].queue.is_empty() {
            return;
        }
        if !matches!(self.verdict_for(from, to), Verdict::Deliver { .. }) {
            return;
        }
        let queue = std::mem::take(&mut self.dirs[di].queue);
        self.sync_active(di);
        if self.dist.is_some() {
            self.buffer_lost(from, to);
        }
        for (_, sig) in queue {
            self.books.delivered += 1;
            self.arrive(sig);
        }
        self.drain_local();
    }

    /// A restarted node starts out connected to every other node again.
    pub(crate) fn forget_lost(&mut self, node: NodeId) {
        for other in 0..self.nodes.len() as u32 {
            let pi = self.pair_index(node, NodeId(other));
            self.conn_lost[pi] = false;
        }
    }

    pub(super) fn drop_signal(&mut self, sig: &Signal, cause: &str) {
        *self.books.dropped.entry(cause.to_string()).or_insert(0) += 1;
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
        if !self.dirs[di].held.is_empty() {
            // Nothing overtakes a held signal on the same direction.
            self.trace(TraceEvent::Hold { id: sig.id });
            self.dirs[di].held.push_back(sig);
            return;
        }
        let verdict = self.verdict_for(a, b);
        self.dirs[di].sent += 1;
        match verdict {
            Verdict::Deliver { min, max } => {
                let pi = self.pair_index(a, b);
                self.conn_up[pi] = true;
                let start = if self.dist.is_some() {
                    self.buffer_signal(di, &sig, min, max)
                } else {
                    self.clock.now()
                };
                let lo = start.saturating_add(min);
                let hi = start.saturating_add(max.max(min));
                self.enqueue_signal(di, lo, hi, sig);
            }
            Verdict::Drop { fault } => {
                let cause = self.network.fault_name(fault);
                self.drop_signal(&sig, &cause);
                self.connection_lost(a, b, &cause);
            }
            Verdict::Hold { .. } => {
                let pi = self.pair_index(a, b);
                self.conn_up[pi] = true;
                self.trace(TraceEvent::Hold { id: sig.id });
                self.dirs[di].held.push_back(sig);
            }
        }
    }

    /// Puts a signal in flight on direction `di` with window `lo..=hi`,
    /// moved up so that it opens and closes no earlier than its
    /// predecessor's (the direction stays FIFO).
    fn enqueue_signal(&mut self, di: usize, lo: Time, hi: Time, sig: Signal) {
        let (lo, hi) = match self.dirs[di].queue.back() {
            Some((w, _)) => (lo.max(w.lo), hi.max(w.hi)),
            None => (lo, hi),
        };
        self.dirs[di].queue.push_back((Window { lo, hi }, sig));
        self.sync_active(di);
    }

    /// The window of the head of direction `di`, if anything travels on it.
    pub(crate) fn head_window(&self, di: usize) -> Option<(Window, u64)> {
        self.dirs[di].queue.front().map(|(w, s)| (*w, s.id))
    }

    /// Delivers the head signal of `from -> to` (a scheduler step).
    pub(crate) fn deliver_head(&mut self, from: NodeId, to: NodeId) {
        let di = self.dir_index(from, to);
        if self.dirs[di].queue.is_empty() {
            return;
        }
        match self.verdict_for(from, to) {
            Verdict::Deliver { .. } => {}
            Verdict::Hold { .. } => {
                // A cut appeared while these were in flight: they wait with it,
                // ahead of anything held later.
                let queue = std::mem::take(&mut self.dirs[di].queue);
                self.sync_active(di);
                for (_, sig) in queue.into_iter().rev() {
                    self.trace(TraceEvent::Hold { id: sig.id });
                    self.dirs[di].held.push_front(sig);
                }
                return;
            }
            Verdict::Drop { fault } => {
                let cause = self.network.fault_name(fault);
                if let Some((_, sig)) = self.dirs[di].queue.pop_front() {
                    self.sync_active(di);
                    self.drop_signal(&sig, &cause);
                }
                self.connection_lost(from, to, &cause);
                return;
            }
        }
        let Some((_, sig)) = self.dirs[di].queue.pop_front() else {
            return;
        };
        if self.recording() {
            self.note_delivered(from, to, sig.id);
        }
        self.sync_active(di);
        self.books.delivered += 1;
        self.arrive(sig);
    }

    /// Moves the signals held on `from -> to` back into flight, in order.
    pub(crate) fn release(&mut self, from: NodeId, to: NodeId) -> usize {
        let di = self.dir_index(from, to);
        let held = std::mem::take(&mut self.dirs[di].held);
        let n = held.len();
        // Held signals already crossed the network: released, they are due
        // now (behind anything still travelling on the direction).
        for sig in held {
            self.trace(TraceEvent::Release { id: sig.id });
            self.enqueue_signal(di, self.clock.now(), self.clock.now(), sig);
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
        let pi = self.pair_index(a, b);
        let was_up = self.conn_up[pi];
        self.conn_up[pi] = false;
        self.conn_lost[pi] = true;
        for (x, y) in [(a, b), (b, a)] {
            let di = self.dir_index(x, y);
            let queue = std::mem::take(&mut self.dirs[di].queue);
            let held = std::mem::take(&mut self.dirs[di].held);
            self.sync_active(di);
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
