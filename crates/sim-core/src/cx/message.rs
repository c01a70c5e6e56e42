//! Sending messages, and the mailbox as its process sees it.

use super::{Cx, Target};
use crate::exception::Exception;
use crate::signal::Dest;
use crate::term::Term;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of [`Cx::send`]: the send happens at its first poll, which is a
/// sync point; the next poll returns the result.
///
/// Written by hand rather than as an `async fn`: a send is the most common
/// operation, and this keeps its future small and its poll a single step.
#[must_use = "a send does nothing unless awaited"]
#[derive(Debug)]
pub struct SendMsg<'a> {
    cx: &'a Cx,
    to: Target,
    /// The message until the send happens.
    msg: Option<Term>,
    /// The error the sync point returns, if any (boxed: errors are rare, and
    /// the future stays small; nothing to drop on the common path).
    error: Option<Box<Exception>>,
    /// The process died (at the sync point or before): never completes.
    dead: bool,
}

impl Future for SendMsg<'_> {
    type Output = Result<(), Exception>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Exception>> {
        let this = self.get_mut();
        if let Some(msg) = this.msg.take() {
            this.dead = !this.cx.send_op(this.to, msg, &mut this.error);
            return Poll::Pending;
        }
        if this.dead {
            return Poll::Pending;
        }
        Poll::Ready(match this.error.take() {
            None => Ok(()),
            Some(e) => Err(*e),
        })
    }
}

impl Cx {
    /// `To ! Msg`. To a pid: never fails (a dead pid silently drops it). To a
    /// local name: `error:badarg` if nothing is registered. To `{Name, Node}`:
    /// never fails (a missing name or node silently drops it).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let err = cx.send("nobody", Term::Int(1)).await.unwrap_err();
    ///     cx.check(err.reason == Term::atom("badarg"), "badarg for a missing name")?;
    ///     cx.send(("nobody", "a@sim"), Term::Int(1)).await?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn send(&self, to: impl Into<Target>, msg: impl Into<Term>) -> SendMsg<'_> {
        // The conversions are pure; the send itself happens at the first poll.
        SendMsg {
            cx: self,
            to: to.into(),
            msg: Some(msg.into()),
            error: None,
            dead: false,
        }
    }

    /// The effect of a send, its error (if any) put in `error`: `false` if
    /// this process is dead.
    #[inline]
    fn send_op(&self, to: Target, msg: Term, error: &mut Option<Box<Exception>>) -> bool {
        let me = self.pid;
        // A message never ends its sender, so the sync point's status is set
        // first (as `effect` sets it after, on the same borrow).
        self.op_then_runnable(move |w, _| {
            let dest = match to {
                Target::Pid(p) => Dest::Pid(p),
                Target::Name(n) => match w.whereis(me.node(), n) {
                    Some(p) => Dest::Pid(p),
                    None => {
                        *error = Some(Box::new(Exception::badarg("send", 2)));
                        return;
                    }
                },
                Target::Remote(n, node) => match w.node_id(node) {
                    Some(id) => Dest::Name(n, id),
                    None => return,
                },
            };
            w.send_message_now(me, dest, msg);
        })
        .is_some()
    }

    /// A copy of the queued messages, in arrival order (`process_info(self(),
    /// messages)`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.mailbox().is_empty(), "empty")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn mailbox(&self) -> Vec<Term> {
        self.w.borrow().mailbox_snapshot(self.key)
    }

    /// Removes and returns every queued message (the test suites' `flush()`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.send(cx.self_pid(), Term::Int(1)).await?;
    ///     let all = cx.flush();
    ///     cx.check(all == vec![Term::Int(1)] && cx.mailbox().is_empty(), "flushed")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn flush(&self) -> Vec<Term> {
        self.world().flush_mailbox(self.key)
    }
}
