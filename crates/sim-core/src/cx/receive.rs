//! Selective receive: the receive futures and the ways to start one.

use super::Cx;
use crate::id::Ref;
use crate::matcher::{Accept, Matcher};
use crate::term::Term;
use crate::time::Timeout;
use crate::world::{Attempt, Marker, RecvPhase, Status};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of a receive with a timeout ([`Cx::receive_timeout`],
/// [`Cx::receive_marked`], [`Cx::receive_for`]): the earliest matching message,
/// or `None` when the timeout passes.
///
/// Written by hand rather than as an `async fn` so that an idle process (one
/// blocked here) stays small.
#[must_use = "a receive does nothing unless awaited"]
pub struct Receive<'a, F> {
    cx: &'a Cx,
    matcher: F,
    st: RecvPhase,
    // Whether the receive ever waited (an `after 0` that never waited yields
    // once before reporting the timeout).
    waited: bool,
    // Set while yielding after such a timeout: the next poll answers `None`.
    yielding: bool,
}

impl<F> fmt::Debug for Receive<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receive")
            .field("pid", &self.cx.pid)
            .finish_non_exhaustive()
    }
}

impl<F: Accept> Future for Receive<'_, F> {
    type Output = Option<Term>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Term>> {
        let this = self.get_mut();
        if this.yielding {
            return Poll::Ready(None);
        }
        let cx = this.cx;
        match cx.try_receive(&mut this.st, &mut this.matcher) {
            Attempt::Got(t) => Poll::Ready(Some(t)),
            other => this.missed(other),
        }
    }
}

impl<F> Receive<'_, F> {
    /// What an attempt that took no message means for the future.
    fn missed(&mut self, attempt: Attempt) -> Poll<Option<Term>> {
        let cx = self.cx;
        match attempt {
            Attempt::Got(t) => Poll::Ready(Some(t)),
            Attempt::TimedOut if self.waited => Poll::Ready(None),
            Attempt::TimedOut => {
                // `after 0` that finds nothing still lets the others run (BEAM
                // would preempt a polling loop), so a busy loop spends the step
                // budget instead of hanging the run.
                self.yielding = true;
                cx.op(|w, k| w.set_status(k, Status::Runnable));
                Poll::Pending
            }
            Attempt::Wait => {
                self.waited = true;
                Poll::Pending
            }
            Attempt::Yield | Attempt::Dead => Poll::Pending,
        }
    }
}

/// The future of a receive without timeout ([`Cx::receive`], [`Cx::recv`]).
#[must_use = "a receive does nothing unless awaited"]
#[derive(Debug)]
pub struct ReceiveForever<'a, F>(Receive<'a, F>);

impl<F: Accept> Future for ReceiveForever<'_, F> {
    type Output = Term;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Term> {
        // The attempt straight from the world: a message goes out as it
        // comes, without the `Option` of a receive that can time out.
        let this = &mut self.get_mut().0;
        if this.yielding {
            return Poll::Pending;
        }
        match this.cx.try_receive(&mut this.st, &mut this.matcher) {
            Attempt::Got(t) => Poll::Ready(t),
            // An infinite receive only ends with a message.
            other => {
                let _ = this.missed(other);
                Poll::Pending
            }
        }
    }
}

impl Cx {
    /// One attempt at a receive, in one borrow of the world.
    #[inline]
    fn try_receive<A: Accept>(&self, state: &mut RecvPhase, matcher: &mut A) -> Attempt {
        self.world().try_receive(self.key, self.pid, state, matcher)
    }

    fn receive_future<F: Accept>(
        &self,
        matcher: F,
        timeout: Timeout,
        marker: Marker,
    ) -> Receive<'_, F> {
        Receive {
            cx: self,
            matcher,
            st: RecvPhase::Start(timeout, marker),
            waited: false,
            yielding: false,
        }
    }

    /// `receive Pattern -> ... end`: takes the earliest-arrived message for which
    /// `matcher` holds, waiting as long as it takes. Other messages stay queued
    /// in arrival order.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     cx.send(me, Term::Int(1)).await?;
    ///     cx.send(me, Term::Int(2)).await?;
    ///     let two = cx.receive(|m| *m == Term::Int(2)).await;
    ///     cx.check(two == Term::Int(2) && cx.mailbox() == vec![Term::Int(1)], "selective")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive<F: FnMut(&Term) -> bool + Unpin>(&self, matcher: F) -> ReceiveForever<'_, F> {
        ReceiveForever(self.receive_future(matcher, Timeout::Infinity, Marker::None))
    }

    /// `receive ... after Timeout -> ... end`: the earliest matching message, or
    /// `None` when the timeout passes first (`Timeout::ms(0)` only looks).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let got = cx.receive_timeout(|_| true, Timeout::ms(10)).await;
    ///     cx.check(got.is_none() && cx.now() == Time::ms(10), "timed out at 10 ms")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_timeout<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        matcher: F,
        timeout: Timeout,
    ) -> Receive<'_, F> {
        self.receive_future(matcher, timeout, Marker::None)
    }

    /// Like [`Cx::receive_timeout`], but scans only messages that arrived after
    /// the latest receive marker, set by the last [`Cx::make_ref_marked`] or
    /// [`Cx::spawn_request`], so its cost does not grow with older messages.
    /// With several references outstanding, use [`Cx::receive_for`]: the
    /// latest marker may come after an earlier reference's reply.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.make_ref_marked();
    ///     let got = cx.receive_marked(move |m| *m == Term::Ref(r), Timeout::ms(0)).await;
    ///     cx.check(got.is_none(), "nothing yet")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_marked<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        matcher: F,
        timeout: Timeout,
    ) -> Receive<'_, F> {
        self.receive_future(matcher, timeout, Marker::Latest)
    }

    /// `receive` for a reply carrying `r` (made by [`Cx::make_ref_marked`] or
    /// [`Cx::spawn_request`]): like [`Cx::receive_timeout`], scanning only what
    /// arrived after `r` was made, as OTP does for a receive bound to a fresh
    /// reference. Each reference has its own marker, so outstanding requests
    /// can be collected in any order; a process keeps a few markers, and a
    /// receive whose marker was dropped scans from the head. The marker is
    /// dropped once the receive takes a message. `matcher` should only match
    /// messages that carry `r` (only those are sure to come after it).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     let r1 = cx.make_ref_marked();
    ///     cx.send(me, Term::Ref(r1)).await?;
    ///     let r2 = cx.make_ref_marked();
    ///     cx.send(me, Term::Ref(r2)).await?;
    ///     // r1's message came before r2's marker, and is still found.
    ///     let got = cx.receive_for(r1, move |m| *m == Term::Ref(r1), Timeout::Infinity).await;
    ///     cx.check(got == Some(Term::Ref(r1)), "first reply")?;
    ///     let got = cx.receive_for(r2, move |m| *m == Term::Ref(r2), Timeout::Infinity).await;
    ///     cx.check(got == Some(Term::Ref(r2)), "second reply")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_for<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        r: Ref,
        matcher: F,
        timeout: Timeout,
    ) -> Receive<'_, F> {
        self.receive_future(matcher, timeout, Marker::Of(r))
    }

    /// `receive` with a [`Matcher`]: like [`Cx::receive`], and an exhaustive
    /// exploration ([`crate::Explorer::exhaustive`]) can ask the pattern
    /// later whether this receive would have taken another message, so sends
    /// it cannot tell apart are not reordered. A plain closure works too,
    /// but is treated as accepting everything there.
    ///
    /// ```
    /// # use sim_core::{Matcher, Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     cx.send(me, Term::atom("noise")).await?;
    ///     cx.send(me, Term::Int(2)).await?;
    ///     let ints = Matcher::new(|m| matches!(m, Term::Int(_)));
    ///     let two = cx.receive_matching(&ints).await;
    ///     cx.check(two == Term::Int(2), "the int")?;
    ///     Ok(two)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_matching(&self, matcher: &Matcher) -> ReceiveForever<'_, Matcher> {
        ReceiveForever(self.receive_future(matcher.clone(), Timeout::Infinity, Marker::None))
    }

    /// `receive ... after Timeout` with a [`Matcher`] (see
    /// [`Cx::receive_matching`]): the earliest message it accepts, or `None`
    /// when the timeout passes first.
    ///
    /// ```
    /// # use sim_core::{Matcher, Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let got = cx.receive_matching_timeout(&Matcher::any(), Timeout::ms(5)).await;
    ///     cx.check(got.is_none(), "nothing came")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_matching_timeout(
        &self,
        matcher: &Matcher,
        timeout: Timeout,
    ) -> Receive<'_, Matcher> {
        self.receive_future(matcher.clone(), timeout, Marker::None)
    }

    /// Any message, waiting as long as it takes.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.send(cx.self_pid(), Term::Int(7)).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::Int(7), "got it")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn recv(&self) -> ReceiveForever<'_, fn(&Term) -> bool> {
        fn any(_: &Term) -> bool {
            true
        }
        self.receive(any as fn(&Term) -> bool)
    }

    /// `make_ref()` followed by a receive marker: a later
    /// [`Cx::receive_marked`] scans only messages that arrive after this call
    /// (OTP's optimisation for `Ref = make_ref(), ..., receive {Ref, _} -> ...`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     cx.send(me, Term::atom("old")).await?;
    ///     let r = cx.make_ref_marked();
    ///     cx.send(me, Term::Ref(r)).await?;
    ///     let got = cx.receive_marked(|_| true, Timeout::Infinity).await;
    ///     cx.check(got == Some(Term::Ref(r)), "skipped the old message")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn make_ref_marked(&self) -> Ref {
        self.world().make_ref_marked(self.key, self.pid.node())
    }
}
