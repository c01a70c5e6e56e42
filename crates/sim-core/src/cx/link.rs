//! Links, monitors, exit signals, and a process's flags and info.

use super::{Cx, NodeRef};
use crate::exception::Exception;
use crate::id::{Pid, Ref};
use crate::term::{Atom, Term};
use crate::world::Priority;

impl Cx {
    /// `link(Pid)`. A dead local pid raises `error:noproc` unless this process
    /// traps exits (then `{'EXIT', Pid, noproc}` arrives); a dead remote pid
    /// sends back an exit signal `noproc`, as OTP does.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.spawn(|c| async move { c.recv().await; Ok(Term::atom("x")) }).await?;
    ///     cx.link(p).await?;
    ///     cx.check(cx.links() == vec![p], "linked")?;
    ///     cx.exit(p, Term::atom("kill")).await;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # let r = sim.run();
    /// ```
    pub async fn link(&self, pid: Pid) -> Result<(), Exception> {
        self.effect(move |w, key| w.link(key, pid)).await
    }

    /// `unlink(Pid)`: always succeeds.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Pid};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.unlink(Pid::new(0, 99, 1)).await;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn unlink(&self, pid: Pid) {
        self.effect(move |w, key| w.unlink(key, pid)).await
    }

    /// `process_info(self(), links)`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.links().is_empty(), "no links")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn links(&self) -> Vec<Pid> {
        self.w.borrow().links_of(self.key)
    }

    /// `monitor(process, Pid)`. A dead or unknown pid gives `'DOWN'` `noproc`; an
    /// unreachable node `noconnection`; monitoring oneself gives a reference and
    /// nothing else.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Pid};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let dead = Pid::new(0, 99, 1);
    ///     let r = cx.monitor(dead).await;
    ///     let m = cx.recv().await;
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), Term::Pid(dead), Term::atom("noproc")]);
    ///     cx.check(m == want, "noproc")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn monitor(&self, pid: Pid) -> Ref {
        self.effect(move |w, key| w.monitor(key, pid)).await
    }

    /// `monitor(process, {Name, Node})`: the `'DOWN'` names `{Name, Node}`; a
    /// missing name gives `noproc`, an unknown node `noconnection`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.monitor_name("ghost", "a@sim").await;
    ///     let m = cx.recv().await;
    ///     let obj = Term::tuple([Term::atom("ghost"), Term::atom("a@sim")]);
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), obj, Term::atom("noproc")]);
    ///     cx.check(m == want, "noproc for a missing name")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn monitor_name(&self, name: impl Into<Atom>, node: impl Into<NodeRef>) -> Ref {
        let name = name.into();
        let node = node.into();
        self.effect(move |w, key| {
            let node = match node {
                NodeRef::Name(a) => w.node_id(a).ok_or(a),
                NodeRef::Id(id) => Ok(id),
            };
            w.monitor_name(key, name, node)
        })
        .await
    }

    /// `demonitor(Ref, [info])`: removes the monitor; `true` if it was active,
    /// `false` if its `'DOWN'` was already sent (a `'DOWN'` already queued stays
    /// queued; one still travelling is discarded on arrival).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.spawn(|c| async move { c.recv().await; Ok(Term::atom("x")) }).await?;
    ///     let r = cx.monitor(p).await;
    ///     cx.check(cx.demonitor(r).await, "was active")?;
    ///     cx.check(!cx.demonitor(r).await, "gone now")?;
    ///     cx.exit(p, Term::atom("kill")).await;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn demonitor(&self, r: Ref) -> bool {
        self.effect(move |w, key| w.demonitor(key, r, false)).await
    }

    /// `demonitor(Ref, [flush, info])`: also removes a queued `'DOWN'` for `Ref`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (_p, r) = cx.spawn_monitor(|_| async move { Ok(Term::atom("x")) }).await?;
    ///     cx.sleep(sim_core::Time::ms(1)).await;
    ///     cx.check(cx.mailbox().len() == 1, "DOWN queued")?;
    ///     cx.demonitor_flush(r).await;
    ///     cx.check(cx.mailbox().is_empty(), "flushed")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn demonitor_flush(&self, r: Ref) -> bool {
        self.effect(move |w, key| w.demonitor(key, r, true)).await
    }

    /// `exit(Pid, Reason)`: sends an exit signal. `kill` cannot be trapped (the
    /// target dies `killed`); `normal` is ignored unless the target traps exits
    /// or is this process itself.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (p, r) = cx.spawn_monitor(|c| async move { c.recv().await; Ok(Term::atom("x")) }).await?;
    ///     cx.exit(p, Term::atom("kill")).await;
    ///     let m = cx.recv().await;
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), Term::Pid(p), Term::atom("killed")]);
    ///     cx.check(m == want, "killed")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn exit(&self, pid: Pid, reason: impl Into<Term>) {
        let reason = reason.into();
        let me = self.pid;
        self.effect(move |w, _| w.exit_to(me, pid, reason)).await
    }

    /// `group_leader()`: inherited from the process that spawned this one (for
    /// a spawn request, from the requester, so an erpc applier shares its
    /// caller's); a process the test started has its node's runtime.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let mine = cx.group_leader();
    ///     let me = cx.self_pid();
    ///     cx.spawn_on("b@sim", move |c| async move {
    ///         c.send(me, Term::Pid(c.group_leader())).await?;
    ///         Ok(Term::atom("done"))
    ///     }).await?;
    ///     let theirs = cx.recv().await;
    ///     cx.check(theirs == Term::Pid(mine), "inherited")?;
    ///     Ok(theirs)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn group_leader(&self) -> Pid {
        self.w
            .borrow()
            .group_leader_of(self.key)
            .unwrap_or(self.pid)
    }

    /// `process_flag(trap_exit, Flag)`: returns the old value.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(!cx.trap_exit(true), "was false")?;
    ///     cx.check(cx.trap_exit(false), "was true")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn trap_exit(&self, flag: bool) -> bool {
        self.op(|w, key| w.swap_trap_exit(key, flag))
            .unwrap_or(false)
    }

    /// `process_flag(Flag, Value)` as OTP takes it: `trap_exit` (`true` or
    /// `false`, see [`Cx::trap_exit`]) or `priority` (`low`, `normal`, `high`,
    /// `max`). Returns the old value. Any other flag, or a value the flag does
    /// not take, raises `error:badarg`. The priority is recorded (it shows in
    /// `process_info(Pid, priority)`) but does not bind the scheduler: with
    /// several schedulers BEAM interleaves processes of any priority, so every
    /// schedule a strategy picks stays one OTP could produce.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let old = cx.process_flag("priority", Term::atom("high"))?;
    ///     cx.check(old == Term::atom("normal"), "was normal")?;
    ///     let old = cx.process_flag("trap_exit", true)?;
    ///     cx.check(old == Term::atom("false"), "was not trapping")?;
    ///     let bad = cx.process_flag("trap_exit", Term::atom("maybe")).unwrap_err();
    ///     cx.check(bad.reason == Term::atom("badarg"), "badarg")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn process_flag(
        &self,
        flag: impl Into<Atom>,
        value: impl Into<Term>,
    ) -> Result<Term, Exception> {
        let (flag, value) = (flag.into(), value.into());
        let badarg = || Exception::badarg("process_flag", 2);
        let value = value.as_atom().ok_or_else(badarg)?;
        let old = match flag.as_str() {
            "trap_exit" => {
                let new = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(badarg()),
                };
                self.op(|w, key| Term::from(w.swap_trap_exit(key, new)))
            }
            "priority" => {
                let new = Priority::from_name(value.as_str()).ok_or_else(badarg)?;
                self.op(|w, key| Term::atom(w.swap_priority(key, new).name()))
            }
            _ => return Err(badarg()),
        };
        // A dead process is never polled again, so `None` is not observable.
        old.ok_or_else(badarg)
    }

    /// `is_process_alive(Pid)` for a pid on this node; `error:badarg` for a
    /// remote pid, as in OTP.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.is_process_alive(cx.self_pid()).await?, "I am alive")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn is_process_alive(&self, pid: Pid) -> Result<bool, Exception> {
        let me = self.pid;
        self.effect(move |w, _| w.is_process_alive(me, pid)).await
    }

    /// `process_info(Pid, Item)` for a local pid: `links`, `monitored_by`,
    /// `monitors`, `trap_exit`, `priority`, `registered_name`,
    /// `message_queue_len`, `messages`, `status` (`running`, `runnable`,
    /// `waiting`, or `suspended` while held by a busy connection). `Ok(None)` for a dead pid (`undefined`); `error:badarg` for a
    /// remote pid or an unknown item.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let v = cx.process_info(cx.self_pid(), "trap_exit")?;
    ///     cx.check(v == Some(Term::tuple([Term::atom("trap_exit"), Term::atom("false")])), "info")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn process_info(&self, pid: Pid, item: &str) -> Result<Option<Term>, Exception> {
        self.w.borrow().process_info(self.pid, pid, item)
    }
}
