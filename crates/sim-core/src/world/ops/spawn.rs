//! Spawning from a process: local children with their link and monitor set
//! up on both ends, spawn requests to any node, and abandoning one.

use crate::body::BoxFuture;
use crate::id::{NodeId, Pid, Ref};
use crate::sched::footprint::{Obj, Op};
use crate::signal::{Dest, MonTarget, SpawnOpts, SpawnReply};
use crate::term::Term;
use crate::world::{spawn_error, spawn_ok, Body, MonIn, MonOut, Pending, ProcKey, ProcRef};
use crate::world::{SpawnBody, StartFn, World};

impl World {
    /// Starts a child of process `key` on its own node, linked and monitored
    /// as `opts` ask (`reply` does not apply: the child is there at once).
    /// The child's future is built by `start` in place. `None` when the node
    /// has no room for another process.
    pub(crate) fn spawn_local(
        &mut self,
        key: ProcKey,
        opts: SpawnOpts,
        start: impl FnOnce(ProcRef) -> BoxFuture,
    ) -> Option<(Pid, Option<Ref>)> {
        let me = self.procs.get(key)?.pid;
        let node = me.node();
        if !self.has_room(node) {
            return None;
        }
        let (child_key, child) = self.new_process(node, Some(me), false)?;
        let child = self.start_process(child_key, start(child));
        let r = opts.monitor.then(|| self.make_ref(node));
        self.link_pair(key, me, child, opts.link, r);
        Some((child, r))
    }

    /// Starts `body` as a child of process `key` on its node, linked (with
    /// `link`) and monitored under `monitor` (if given), whatever the node's
    /// room: OTP's local stand-in for a process another node could not start.
    pub(crate) fn spawn_stand_in(
        &mut self,
        key: ProcKey,
        link: bool,
        monitor: Option<Ref>,
        body: StartFn,
    ) -> Option<Pid> {
        let me = self.procs.get(key)?.pid;
        let child = self.spawn_process(me.node(), Some(me), false, body)?;
        self.link_pair(key, me, child, link, monitor);
        Some(child)
    }

    /// `spawn_request(Node, Fun, Opts)` by process `key` to `target` (`None`:
    /// a node nobody runs). Returns the request's reference, also set as a
    /// receive marker. A request this node answers itself (a refusal, a
    /// local child) leaves its answer queued and a yield owed, so a retry
    /// loop still lets others run.
    pub(crate) fn spawn_request(
        &mut self,
        key: ProcKey,
        target: Option<NodeId>,
        opts: SpawnOpts,
        body: StartFn,
    ) -> Ref {
        let me = self.procs[key].pid;
        let here = me.node();
        let r = self.make_ref(here);
        if self.recording() {
            self.note_key(key, Obj::Links, Op::Write);
            self.note_key(key, Obj::Mailbox, Op::Peek);
        }
        let before = self.procs[key].mailbox.len();
        self.procs[key].mailbox.set_mark(r);
        let refuse = |w: &mut World, reason: &str| {
            if opts.reply != SpawnReply::No {
                w.enqueue(key, spawn_error(r, Term::atom(reason)));
            }
        };
        match target {
            None => refuse(self, "noconnection"),
            Some(t) if t == here => {
                if !self.spawn_supported(here) {
                    refuse(self, "notsup");
                } else if !self.has_room(here) {
                    refuse(self, "system_limit");
                } else if let Some(child) = self.spawn_process(here, Some(me), false, body) {
                    self.link_pair(key, me, child, opts.link, opts.monitor.then_some(r));
                    if opts.reply == SpawnReply::Yes {
                        self.enqueue(key, spawn_ok(r, child));
                    }
                }
            }
            Some(t) => {
                self.procs[key].pending.push(Pending {
                    r,
                    node: t,
                    opts,
                    abandoned: false,
                });
                self.send(
                    me,
                    Dest::Node(t),
                    Body::SpawnRequest {
                        r,
                        body: SpawnBody(body),
                        opts,
                    },
                );
            }
        }
        // Answered at once (a refusal, a connection that could not be made, a
        // local reply): the receive that takes the answer must still yield, or
        // a retry loop would never let anything else run. Otherwise the
        // receive waits, which pays any yield owed before.
        self.yield_owed = self
            .procs
            .get(key)
            .is_some_and(|p| p.mailbox.len() > before);
        r
    }

    /// `spawn_request_abandon(Ref)` by process `key`: whether the request was
    /// still unanswered (its reply, when it comes, undoes the request).
    pub(crate) fn abandon_spawn_request(&mut self, key: ProcKey, r: Ref) -> bool {
        self.note_key(key, Obj::Links, Op::Write);
        let Some(p) = self.procs.get_mut(key) else {
            return false;
        };
        match p.pending.iter_mut().find(|x| x.r == r && !x.abandoned) {
            Some(x) => {
                x.abandoned = true;
                true
            }
            None => false,
        }
    }

    /// Sets up link and monitor between a spawner and a freshly started local
    /// child, on both ends.
    fn link_pair(&mut self, key: ProcKey, me: Pid, child: Pid, link: bool, monitor: Option<Ref>) {
        if self.recording() && (link || monitor.is_some()) {
            // Only what the spawner holds about this child (the child's
            // own side is new with it).
            self.note_peer(key, child, Op::Write);
        }
        let Some(ck) = self.key_of(child) else { return };
        if link {
            self.procs[key].links.push(child);
            self.procs[ck].links.push(me);
        }
        if let Some(r) = monitor {
            self.procs[key].mon_out.push(MonOut {
                r,
                target: MonTarget::Pid(child),
            });
            let monitor = MonIn {
                r,
                watcher: me,
                object: Term::Pid(child),
            };
            self.procs[ck]
                .mon_in
                .push_in(monitor, &mut self.spare_mon_in);
        }
    }
}
