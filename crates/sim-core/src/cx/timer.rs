//! Virtual time as a process uses it: sleeping and Erlang timers.

use super::{Cx, Never, Suspend, Target};
use crate::exception::Exception;
use crate::id::Ref;
use crate::term::Term;
use crate::time::Time;
use crate::world::{timer_dest_name, timer_dest_pid};

impl Cx {
    /// `timer:sleep(T)` in virtual time (`Time::MAX` sleeps forever). Messages
    /// do not wake a sleeping process.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.sleep(Time::ms(100)).await;
    ///     cx.check(cx.now() == Time::ms(100), "100 ms later")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn sleep(&self, d: Time) {
        let Some(token) = self.op(|w, key| w.start_sleep(key, d)) else {
            return Never.await;
        };
        loop {
            Suspend(false).await;
            match self.op(|w, key| w.sleep_over(key, token)) {
                Some(true) => return,
                Some(false) => {}
                None => return Never.await,
            }
        }
    }

    /// `erlang:send_after(Ms, Dest, Msg)`: `Dest` is a pid or a local name
    /// (resolved when the timer fires; a missing name drops the message).
    /// `error:badarg` for a remote name or a pid of another node, as in OTP.
    /// As OTP does, a timer whose destination process dies is cancelled:
    /// nothing is sent and `read_timer`/`cancel_timer` answer `None` (`false`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Target, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.send_after(10, cx.self_pid(), Term::atom("tick")).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::atom("tick") && cx.now() == Time::ms(10), "ticked")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn send_after(
        &self,
        ms: u64,
        dest: impl Into<Target>,
        msg: impl Into<Term>,
    ) -> Result<Ref, Exception> {
        self.timer(ms, dest.into(), msg.into(), false).await
    }

    /// `erlang:start_timer(Ms, Dest, Msg)`: like `send_after`, the message being
    /// `{timeout, TimerRef, Msg}`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.start_timer(5, cx.self_pid(), Term::atom("ping")).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::tuple([Term::atom("timeout"), Term::Ref(r), Term::atom("ping")]), "timeout msg")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn start_timer(
        &self,
        ms: u64,
        dest: impl Into<Target>,
        msg: impl Into<Term>,
    ) -> Result<Ref, Exception> {
        self.timer(ms, dest.into(), msg.into(), true).await
    }

    async fn timer(&self, ms: u64, dest: Target, msg: Term, wrap: bool) -> Result<Ref, Exception> {
        let me = self.pid;
        self.effect(move |w, _| {
            let f = if wrap { "start_timer" } else { "send_after" };
            let dest = match dest {
                Target::Pid(p) if p.node() == me.node() => timer_dest_pid(p),
                Target::Name(n) => timer_dest_name(n),
                // OTP: a pid "created on the current runtime system instance"
                // or a local name; anything else is `badarg`.
                Target::Pid(_) | Target::Remote(..) => return Err(Exception::badarg(f, 3)),
            };
            Ok(w.erl_timer(me, ms, dest, msg, wrap))
        })
        .await
    }

    /// `erlang:cancel_timer(Ref)`: the milliseconds that were left, or `None`
    /// (`false`) if the timer already fired or was cancelled.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.send_after(50, cx.self_pid(), Term::atom("never")).await?;
    ///     cx.check(cx.cancel_timer(r).await == Some(50), "50 ms left")?;
    ///     cx.check(cx.cancel_timer(r).await.is_none(), "already cancelled")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn cancel_timer(&self, r: Ref) -> Option<u64> {
        self.effect(move |w, _| w.cancel_erl_timer(r)).await
    }

    /// `erlang:read_timer(Ref)`: milliseconds left, or `None` (`false`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.send_after(50, cx.self_pid(), Term::atom("x")).await?;
    ///     cx.check(cx.read_timer(r) == Some(50), "50 left")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn read_timer(&self, r: Ref) -> Option<u64> {
        self.w.borrow().read_erl_timer(r)
    }
}
