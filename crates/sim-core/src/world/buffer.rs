//! Distribution output buffers: the bytes queued on each connection direction,
//! draining at the link's bandwidth, and the processes suspended on a busy
//! one (OTP's `busy_dist_port`).
//!
//! Off unless a bandwidth is configured (then `World::dist` is `Some`). The
//! rule is OTP 25's `erts_dsig_send` (`dist.c`): a signal is always put in
//! the buffer; if the buffer then holds `dist_buf_busy_limit` bytes or more,
//! the sending process is suspended, and every process suspended on it is
//! resumed once it holds fewer (`erts_dist_command`). Only a process sending
//! in its own step is suspended: the runtime's signals (exits of a dying
//! process, `'DOWN'`, spawn replies) are forced through, as OTP forces them.
//! A signal's delivery window opens when its last byte has left the buffer.

use super::{ProcKey, Signal, Status, Wait, World};
use crate::id::{NodeId, Pid};
use crate::report::BusyDistPort;
use crate::term::Term;
use crate::time::Time;
use crate::trace::TraceEvent;
use std::collections::VecDeque;

/// Bytes a signal adds to its payload's external size: the distribution
/// header and the control message (`{SEND_SENDER, From, To}` and its kin,
/// about 50 bytes with short node names, rounded up).
pub const DIST_SIGNAL_HEADER_BYTES: u64 = 64;

/// OTP's default `dist_buf_busy_limit` (`+zdbbl 1024`): 1 MiB.
pub const DEFAULT_DIST_BUF_BUSY_LIMIT: u64 = 1024 * 1024;

/// Backlogs are kept in byte-microseconds-per-second units (bytes times a
/// million), so that draining `bandwidth` of them per microsecond is exact.
const SCALE: u128 = 1_000_000;

/// How the buffers are configured at build time.
#[derive(Clone, Debug)]
pub(crate) struct DistConfig {
    pub(crate) busy_limit: u64,
    pub(crate) bandwidth: Option<u64>,
    /// Per direction (`from -> to`), overriding the default.
    pub(crate) links: Vec<(NodeId, NodeId, u64)>,
}

/// A signal in a buffer: where its last byte is, and its latency range.
#[derive(Clone, Copy, Debug)]
struct Queued {
    id: u64,
    /// `filled` just after it went in.
    end: u128,
    min: Time,
    max: Time,
}

/// One direction's buffer.
#[derive(Clone, Debug, Default)]
struct DirBuf {
    /// Bytes per second; `None`: unlimited (nothing ever queues).
    bandwidth: Option<u64>,
    /// Bytes still queued at `as_of`, times `SCALE`.
    backlog: u128,
    as_of: Time,
    /// Bytes ever put in, times `SCALE` (so `filled - backlog` have left).
    filled: u128,
    /// The signals whose last byte has not left yet, in send order: their
    /// windows move if the bandwidth changes.
    queued: VecDeque<Queued>,
    /// Suspended senders in suspension order, each with its entry in the log.
    suspended: Vec<(Pid, usize)>,
    /// Numbers the resume timers: only the latest armed one is live.
    epoch: u64,
    /// When the live resume timer is due.
    armed: Option<Time>,
}

impl DirBuf {
    /// Drains what left the buffer up to `now`.
    fn advance(&mut self, now: Time) {
        let elapsed = u128::from(now.saturating_sub(self.as_of).as_us());
        self.backlog = match self.bandwidth {
            Some(bw) => self
                .backlog
                .saturating_sub(elapsed.saturating_mul(u128::from(bw))),
            None => 0,
        };
        self.as_of = self.as_of.max(now);
        let drained = self.filled.saturating_sub(self.backlog);
        while self.queued.front().is_some_and(|q| q.end <= drained) {
            self.queued.pop_front();
        }
    }

    /// When the last byte of a signal that ends at `end` leaves.
    fn leaves_at(&self, end: u128) -> Time {
        self.after(end.saturating_sub(self.filled.saturating_sub(self.backlog)))
    }

    /// Bytes queued (as of the last `advance`), rounded up.
    fn bytes(&self) -> u64 {
        u64::try_from(self.backlog.div_ceil(SCALE)).unwrap_or(u64::MAX)
    }

    /// When everything queued now has left the buffer.
    fn drained_at(&self) -> Time {
        self.after(self.backlog)
    }

    /// When the buffer holds fewer than `limit` bytes.
    fn below_at(&self, limit: u64) -> Time {
        let allowed = u128::from(limit.saturating_sub(1)) * SCALE;
        self.after(self.backlog.saturating_sub(allowed))
    }

    /// `as_of` plus the time `scaled` takes to drain.
    fn after(&self, scaled: u128) -> Time {
        match self.bandwidth {
            Some(bw) if bw > 0 => {
                let us = scaled.div_ceil(u128::from(bw));
                self.as_of
                    .saturating_add(Time::us(u64::try_from(us).unwrap_or(u64::MAX)))
            }
            _ => self.as_of,
        }
    }
}

/// Every direction's buffer, the busy limit, and the log of suspensions.
#[derive(Clone, Debug)]
pub(crate) struct DistBuffers {
    busy_limit: u64,
    dirs: Vec<DirBuf>,
    pub(crate) log: Vec<BusyDistPort>,
}

impl DistBuffers {
    pub(crate) fn new(config: &DistConfig, nodes: usize) -> DistBuffers {
        let mut dirs = vec![
            DirBuf {
                bandwidth: config.bandwidth,
                ..DirBuf::default()
            };
            nodes * nodes
        ];
        for &(from, to, bw) in &config.links {
            if let Some(d) = dirs.get_mut(from.index() * nodes + to.index()) {
                d.bandwidth = Some(bw);
            }
        }
        DistBuffers {
            busy_limit: config.busy_limit,
            dirs,
            log: Vec::new(),
        }
    }
}

impl World {
    /// The bytes `sig` puts on a connection: its payload's external size and
    /// the fixed header.
    fn signal_bytes(&self, sig: &Signal) -> u64 {
        let node_atom = |n: NodeId| Term::atom_external_size(self.node_name(n));
        let payload = sig
            .body
            .payload()
            .map_or(0, |t| t.external_size_with(&node_atom));
        DIST_SIGNAL_HEADER_BYTES + payload
    }

    /// Puts `sig` (with latency `min..=max`) in the buffer of direction `di`
    /// and returns the instant its last byte leaves it, from which its
    /// latency counts; suspends its sender if the buffer is now busy. `now`
    /// when the buffers are off.
    pub(crate) fn buffer_signal(&mut self, di: usize, sig: &Signal, min: Time, max: Time) -> Time {
        let now = self.clock.now();
        let limited = self
            .dist
            .as_deref()
            .and_then(|d| d.dirs.get(di))
            .is_some_and(|b| b.bandwidth.is_some());
        if !limited {
            return now;
        }
        let size = self.signal_bytes(sig);
        let sender = self.key_of(sig.from).filter(|&k| {
            self.enabled.current() == Some(k)
                && matches!(
                    self.procs[k].status,
                    Status::Running | Status::Runnable | Status::Waiting(Wait::BusyDist)
                )
        });
        let Some(d) = self.dist.as_deref_mut() else {
            return now;
        };
        let limit = d.busy_limit;
        let Some(b) = d.dirs.get_mut(di) else {
            return now;
        };
        b.advance(now);
        let scaled = u128::from(size).saturating_mul(SCALE);
        b.backlog = b.backlog.saturating_add(scaled);
        b.filled = b.filled.saturating_add(scaled);
        b.queued.push_back(Queued {
            id: sig.id,
            end: b.filled,
            min,
            max,
        });
        let done = b.drained_at();
        if b.bytes() >= limit {
            if let Some(key) = sender {
                self.suspend_sender(di, key);
            }
        }
        if self
            .dist
            .as_ref()
            .is_some_and(|d| !d.dirs[di].suspended.is_empty())
        {
            self.arm_resume(di);
        }
        done
    }

    /// Whether the process at `key` is suspended on a busy connection.
    pub(crate) fn busy_suspended(&self, key: ProcKey) -> bool {
        self.procs
            .get(key)
            .is_some_and(|p| p.status == Status::Waiting(Wait::BusyDist))
    }

    /// Suspends the process at `key` on the busy direction `di`.
    fn suspend_sender(&mut self, di: usize, key: ProcKey) {
        let p = &mut self.procs[key];
        let pid = p.pid;
        let listed = |d: &DistBuffers| d.dirs[di].suspended.iter().any(|s| s.0 == pid);
        if p.status == Status::Waiting(Wait::BusyDist) && self.dist.as_deref().is_some_and(listed) {
            return;
        }
        // Already suspended on another direction (a spawn request is no sync
        // point, so a multicall sends several): it waits for both.
        p.status = Status::Waiting(Wait::BusyDist);
        let n = self.nodes.len();
        let (from, to) = (
            self.node_name(NodeId((di / n) as u32)),
            self.node_name(NodeId((di % n) as u32)),
        );
        let now = self.clock.now();
        if let Some(d) = self.dist.as_deref_mut() {
            d.log.push(BusyDistPort {
                pid,
                from,
                to,
                suspended: now,
                resumed: None,
            });
            let entry = d.log.len() - 1;
            d.dirs[di].suspended.push((pid, entry));
        }
        self.trace(TraceEvent::Suspend { pid, node: to });
    }

    /// Arms the timer that resumes the senders suspended on `di` when its
    /// buffer falls below the limit (again, if that instant moved).
    fn arm_resume(&mut self, di: usize) {
        let Some(d) = self.dist.as_deref_mut() else {
            return;
        };
        let limit = d.busy_limit;
        let b = &mut d.dirs[di];
        let at = b.below_at(limit);
        if b.armed == Some(at) {
            return;
        }
        b.epoch += 1;
        b.armed = Some(at);
        let epoch = b.epoch;
        self.arm(at, super::TimerKind::Drain(di as u32, epoch));
    }

    /// Whether a resume timer is the live one of its direction.
    pub(crate) fn drain_timer_live(&self, di: u32, epoch: u64) -> bool {
        self.dist
            .as_deref()
            .and_then(|d| d.dirs.get(di as usize))
            .is_some_and(|b| b.epoch == epoch && !b.suspended.is_empty())
    }

    /// A resume timer fired: the senders suspended on `di` go on if its
    /// buffer is below the limit now (else the timer is armed again).
    pub(crate) fn drain_timer(&mut self, di: u32) {
        let now = self.clock.now();
        let Some(d) = self.dist.as_deref_mut() else {
            return;
        };
        let limit = d.busy_limit;
        let Some(b) = d.dirs.get_mut(di as usize) else {
            return;
        };
        b.advance(now);
        b.armed = None;
        if b.bytes() >= limit {
            self.arm_resume(di as usize);
            return;
        }
        self.resume_all(di as usize);
    }

    /// The buffer of `from -> to` is gone (the connection was lost or closed):
    /// nothing is queued any more, and its suspended senders go on (a send on
    /// a connection that is down is dropped, so nothing holds them).
    pub(crate) fn buffer_lost(&mut self, from: NodeId, to: NodeId) {
        let di = self.dir_index(from, to);
        let now = self.clock.now();
        let Some(b) = self.dist.as_deref_mut().and_then(|d| d.dirs.get_mut(di)) else {
            return;
        };
        b.advance(now);
        b.backlog = 0;
        b.queued.clear();
        b.armed = None;
        self.resume_all(di);
    }

    fn resume_all(&mut self, di: usize) {
        let now = self.clock.now();
        let Some(d) = self.dist.as_deref_mut() else {
            return;
        };
        let suspended = std::mem::take(&mut d.dirs[di].suspended);
        for (pid, entry) in suspended {
            let Some(key) = self.key_of(pid) else {
                continue;
            };
            if self.procs[key].status != Status::Waiting(Wait::BusyDist) {
                continue;
            }
            let Some(d) = self.dist.as_deref_mut() else {
                return;
            };
            if let Some(e) = d.log.get_mut(entry) {
                e.resumed = Some(now);
            }
            if d.dirs
                .iter()
                .any(|b| b.suspended.iter().any(|s| s.0 == pid))
            {
                // Still held by another busy direction.
                continue;
            }
            self.trace(TraceEvent::Resume { pid });
            self.enable_proc(key);
        }
    }

    /// Sets the bandwidth of `from -> to` from now on (`None`: unlimited);
    /// what is queued drains at the new rate from now. Switches the buffers
    /// on if they were off. Returns the bandwidth it replaced.
    pub(crate) fn set_bandwidth(
        &mut self,
        from: NodeId,
        to: NodeId,
        bandwidth: Option<u64>,
    ) -> Option<u64> {
        let n = self.nodes.len();
        let di = self.dir_index(from, to);
        let now = self.clock.now();
        let d = self.dist.get_or_insert_with(|| {
            Box::new(DistBuffers::new(
                &DistConfig {
                    busy_limit: DEFAULT_DIST_BUF_BUSY_LIMIT,
                    bandwidth: None,
                    links: Vec::new(),
                },
                n,
            ))
        });
        let b = d.dirs.get_mut(di)?;
        b.advance(now);
        let old = std::mem::replace(&mut b.bandwidth, bandwidth);
        self.retime(di);
        if let Some(b) = self.dist.as_deref_mut().and_then(|d| d.dirs.get_mut(di)) {
            b.advance(now);
            if !b.suspended.is_empty() {
                self.arm_resume(di);
            }
        }
        old
    }

    /// Moves the windows of the signals still in `di`'s buffer to when their
    /// last bytes leave at its bandwidth now (each no earlier than the
    /// signal before it, so the direction stays FIFO).
    fn retime(&mut self, di: usize) {
        let Some(b) = self.dist.as_deref().and_then(|d| d.dirs.get(di)) else {
            return;
        };
        if b.queued.is_empty() {
            return;
        }
        let due: Vec<(u64, Time, Time)> = b
            .queued
            .iter()
            .map(|q| {
                let t = b.leaves_at(q.end);
                (
                    q.id,
                    t.saturating_add(q.min),
                    t.saturating_add(q.max.max(q.min)),
                )
            })
            .collect();
        self.dirs.retime(di, &due);
    }

    /// The bandwidth of `from -> to` (`None`: unlimited).
    pub(crate) fn bandwidth(&self, from: NodeId, to: NodeId) -> Option<u64> {
        let di = self.dir_index(from, to);
        self.dist
            .as_deref()
            .and_then(|d| d.dirs.get(di))
            .and_then(|b| b.bandwidth)
    }

    /// Bytes queued on `from -> to` now.
    pub(crate) fn buffered_bytes(&self, from: NodeId, to: NodeId) -> u64 {
        let di = self.dir_index(from, to);
        let Some(b) = self.dist.as_deref().and_then(|d| d.dirs.get(di)) else {
            return 0;
        };
        let mut now = DirBuf {
            bandwidth: b.bandwidth,
            backlog: b.backlog,
            as_of: b.as_of,
            filled: b.filled,
            ..DirBuf::default()
        };
        now.advance(self.clock.now());
        now.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(bw: u64, bytes: u64) -> DirBuf {
        DirBuf {
            bandwidth: Some(bw),
            backlog: u128::from(bytes) * SCALE,
            filled: u128::from(bytes) * SCALE,
            ..DirBuf::default()
        }
    }

    #[test]
    fn a_buffer_drains_at_its_bandwidth_to_the_microsecond() {
        // 1,000 bytes at 3 bytes per second: 333.33.. s, rounded up.
        let mut b = buf(3, 1_000);
        assert_eq!(b.drained_at(), Time::us(333_333_334));
        b.advance(Time::secs(1));
        assert_eq!(b.bytes(), 997);
        b.advance(Time::us(333_333_333));
        assert_eq!(b.bytes(), 1, "a part of a byte left is a byte");
        b.advance(Time::us(333_333_334));
        assert_eq!(b.bytes(), 0);
    }

    #[test]
    fn below_the_limit_is_the_first_instant_with_fewer_bytes() {
        let limit = 100;
        let b = buf(10, 1_000);
        let at = b.below_at(limit);
        let mut then = b.clone();
        then.advance(at);
        assert!(then.bytes() < limit);
        let mut before = b.clone();
        before.advance(at.saturating_sub(Time::us(1)));
        assert!(before.bytes() >= limit);
        // Already below: now.
        assert_eq!(buf(10, 5).below_at(limit), Time::ZERO);
    }

    #[test]
    fn an_unlimited_direction_never_holds_anything() {
        let mut b = DirBuf {
            backlog: 5 * SCALE,
            ..DirBuf::default()
        };
        b.advance(Time::ZERO);
        assert_eq!((b.bytes(), b.drained_at()), (0, Time::ZERO));
    }
}
